/* test_http_fetch.c: the HTTP sample fetches through the registry, on
 * requests and responses whose results were captured from HAProxy 2.6
 * ("http-request return ... lf-string" and "http-response set-header"
 * printing "[%[fetch]]" for each fetch, not-found printing nothing). */
#include <arpa/inet.h>

#include "tests/unit/unit.h"
#include "engine/acl.h"
#include "engine/cfg.h"
#include "engine/http.h"
#include "engine/sample.h"
#include "engine/stream.h"

static struct stream strm;
static struct chan_pool pool;
static struct http_txn txn;

/* Loads request <rq> (and response <rs> when not NULL), split at <cut>,
 * and parses them into the transaction (or not: <http> 0 = TCP mode). */
static void load(const char *rq, const char *rs, size_t cut, int http)
{
	size_t len = strlen(rq);

	chan_reset(&strm.req);
	chan_reset(&strm.res);
	strm.req.flags = strm.res.flags = 0;
	if (cut && cut < len) {
		chan_put_data(&strm.req, rq, cut);
		chan_put_data(&strm.req, rq + cut, len - cut);
	} else {
		chan_put_data(&strm.req, rq, len);
	}
	if (rs)
		chan_put_data(&strm.res, rs, strlen(rs));
	strm.http = NULL;
	if (!http)
		return;
	http_txn_init(&txn, &strm.req, &strm.res, 0);
	strm.http = &txn;
	EXPECT_INT(http_msg_parse(&txn.req), HTTP_PARSE_DONE);
	if (rs)
		EXPECT_INT(http_msg_parse(&txn.rsp), HTTP_PARSE_DONE);
}

/* Renders "[v1][v2]..." for the comma-less list of expressions in <exprs>
 * (separated by spaces), as HAProxy's lf-string does. */
static const char *render(const char *exprs, int dir)
{
	static char out[4096];
	char buf[256];
	size_t n = 0;
	const char *p = exprs;

	out[0] = 0;
	while (*p) {
		const char *e = strchr(p, ' ');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		char err[256];
		struct sample_expr *x;
		struct smp_ctx ctx = { .strm = &strm, .dir = dir, .final = 1 };
		struct sample smp;

		memcpy(buf, p, l);
		buf[l] = 0;
		x = sample_expr_parse(buf, NULL, NULL, err, sizeof(err));
		if (!x) {
			n += (size_t)snprintf(out + n, sizeof(out) - n, "[ERR %s]", err);
		} else {
			memset(&smp, 0, sizeof(smp));
			if (sample_expr_eval(x, &ctx, &smp) && sample_cast(&smp, SMP_T_STR))
				n += (size_t)snprintf(out + n, sizeof(out) - n, "[%.*s]", (int)smp.u.str.len, smp.u.str.ptr);
			else
				n += (size_t)snprintf(out + n, sizeof(out) - n, "[]");
			sample_expr_free(x);
		}
		p += l;
		while (*p == ' ')
			p++;
	}
	return out;
}

static const char req1[] =
	"GET /show/a?x=1&a=2;a=3 HTTP/1.1\r\n"
	"Host: ex.com\r\n"
	"X: a, b ,, \"c,d\"\r\n"
	"X: e\r\n"
	"Cookie: a=1; c=2\r\n"
	"Cookie: c=3;d=4\r\n"
	"\r\n";

static const char list1[] = "req.hdr(x) req.fhdr(x) req.hdr_cnt(x) path query url base req.ver "
                            "req.cook(c) req.cook_cnt(c) urlp(a) method";

static void t_request(void)
{
	/* every split of the request gives HAProxy's values */
	for (size_t cut = 0; cut < sizeof(req1) - 1; cut++) {
		load(req1, NULL, cut, 1);
		EXPECT_STR(render(list1, 0),
		           "[e][e][5][/show/a][x=1&a=2;a=3][/show/a?x=1&a=2;a=3][ex.com/show/a][1.1][3][2][2][GET]");
	}
	load("GET http://h.com/show/p?q&a=9 HTTP/1.1\r\nHost: h.com\r\nx: \r\n\r\n", NULL, 0, 1);
	EXPECT_STR(render(list1, 0),
	           "[][][1][/show/p][q&a=9][http://h.com/show/p?q&a=9][h.com/show/p][1.1][][0][9][GET]");
	/* quoted strings (with escapes) do not split; empty elements count */
	load("GET /show HTTP/1.1\r\nX: \"a\\\",b\", c\r\n\r\n", NULL, 0, 1);
	EXPECT_STR(render(list1, 0), "[c][\"a\\\",b\", c][2][/show][][/show][/show][1.1][][0][][GET]");
	load("GET /show HTTP/1.1\r\nX: \"a,b\r\n\r\n", NULL, 0, 1);
	EXPECT_STR(render(list1, 0), "[\"a,b][\"a,b][1][/show][][/show][/show][1.1][][0][][GET]");
	load("GET /show HTTP/1.1\r\nX: ,\r\n\r\n", NULL, 0, 1);
	EXPECT_STR(render(list1, 0), "[][,][2][/show][][/show][/show][1.1][][0][][GET]");
	load("GET /show HTTP/1.1\r\nX: a ,\t b\r\n\r\n", NULL, 0, 1);
	EXPECT_STR(render(list1, 0), "[b][a ,\t b][2][/show][][/show][/show][1.1][][0][][GET]");
	load("get /show? HTTP/1.0\r\nHost: ex.com\r\nCookie: c\r\nCookie: =5; c=\r\n\r\n", NULL, 0, 1);
	EXPECT_STR(render(list1, 0), "[][][0][/show][][/show?][ex.com/show][1.0][][1][][get]");
	load("GET http://h.com/show HTTP/1.1\r\n\r\n", NULL, 0, 1);
	EXPECT_STR(render("path query url base", 0), "[/show][][http://h.com/show][/show]");
}

static void t_request_more(void)
{
	static const char list[] = "req.hdr(x,1) req.hdr(x,2) req.hdr(x,-2) req.fhdr(x,1) req.fhdr(x) "
	                           "req.fhdr_cnt(x) req.hdr_names req.cook req.cook_cnt urlp_val(n) "
	                           "url_port hdr(x,9) req.hdr_cnt hdr urlp(x,;)";

	load("GET /s?n=42x&x=7;x=8 HTTP/1.1\r\nHost: ex.com\r\nX: a, b ,, \"c,d\"\r\nX: e\r\n"
	     "Cookie: a=1; c=2\r\nCookie: c=3;d=4\r\n\r\n", NULL, 0, 1);
	EXPECT_STR(render(list, 0),
	           "[a][b][\"c,d\"][a, b ,, \"c,d\"][e][2][host,x,x,cookie,cookie][1][4][42][][][8][][8]");
	load("GET http://h.com:8080/s HTTP/1.1\r\nX: 1\r\nY: 2,3\r\n\r\n", NULL, 0, 1);
	EXPECT_STR(render(list, 0), "[1][][][1][1][1][x,y][][0][][][][3][][]");
	/* URI shapes: HAProxy 2.6's path, query, url, base, pathq, capture.req.uri */
	{
		static const struct { const char *rl, *want; } us[] = {
			{ "GET http://a.com HTTP/1.1", "[][][http://a.com][][][]" },
			{ "GET http://a.com/ HTTP/1.1", "[/][][http://a.com/][/][/][/]" },
			{ "OPTIONS * HTTP/1.1", "[][][*][][][]" },
			{ "CONNECT a.com:443 HTTP/1.1", "[][][a.com:443][][][]" },
			{ "GET /x? HTTP/1.1", "[/x][][/x?][/x][/x?][/x?]" },
			{ "GET /x??y HTTP/1.1", "[/x][?y][/x??y][/x][/x??y][/x??y]" },
			{ "GET http://a.com?x HTTP/1.1", "[][x][http://a.com?x][][][]" },
			{ "GET //x HTTP/1.1", "[//x][][//x][//x][//x][//x]" },
			{ "GET x/y HTTP/1.1", "[][][x/y][][][]" },
			{ "GET http:/x HTTP/1.1", "[][][http:/x][][][]" },
		};
		char rq[128];

		for (size_t i = 0; i < sizeof(us) / sizeof(us[0]); i++) {
			snprintf(rq, sizeof(rq), "%s\r\n\r\n", us[i].rl);
			load(rq, NULL, 0, 1);
			http_txn_capture(&txn);
			EXPECT_STR(render("path query url base pathq capture.req.uri", 0), us[i].want);
		}
	}
	/* url_param: a name needs '=', names are case-sensitive (HAProxy 2.6) */
	{
		static const struct { const char *uri, *want; } up[] = {
			{ "/show?a&a=3", "[3]" }, { "/show?xa=1&a=2", "[2]" }, { "/show?a=", "[]" },
			{ "/show?A=1", "[]" }, { "/show?a=1=2", "[1=2]" }, { "/show?&&a=5", "[5]" },
		};
		char rq[128];

		for (size_t i = 0; i < sizeof(up) / sizeof(up[0]); i++) {
			snprintf(rq, sizeof(rq), "GET %s HTTP/1.1\r\n\r\n", up[i].uri);
			load(rq, NULL, 0, 1);
			EXPECT_STR(render("urlp(a)", 0), up[i].want);
		}
	}
	/* url_ip/url_port need an IPv4 literal */
	load("GET http://10.1.2.3:8080/s HTTP/1.1\r\n\r\n", NULL, 0, 1);
	EXPECT_STR(render("url_ip url_port", 0), "[10.1.2.3][8080]");
	/* req.hdrs: the header block with its blank line, names lowercase as
	 * HAProxy stores them; hdr_ip, hdr_val */
	load("GET / HTTP/1.1\r\nX-F: 192.168.0.1\r\nN: 12\r\n\r\n", NULL, 0, 1);
	EXPECT_STR(render("req.hdrs req.hdr_ip(x-f) req.hdr_val(n) req.hdr_names(;)", 0),
	           "[x-f: 192.168.0.1\r\nn: 12\r\n\r\n][192.168.0.1][12][x-f;n]");
}

static void t_body(void)
{
	load("POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello", NULL, 20, 1);
	EXPECT_STR(render("req.body req.body_len req.body_size", 0), "[hello][5][5]");
	load("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n", NULL, 50, 1);
	EXPECT_STR(render("req.body req.body_len", 0), "[abcde][5]");
	load("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nhel", NULL, 0, 1);
	EXPECT_STR(render("req.body req.body_size", 0), "[hel][10]");
}

static void t_response(void)
{
	static const char rs[] = "HTTP/1.0 201 Made\r\nSet-Cookie: a=1; Path=/; b=2\r\nX: p, q\r\n"
	                         "Set-Cookie: a=3, c=4\r\nSet-Cookie: d=5\r\nContent-Length: 0\r\n\r\n";

	load("GET / HTTP/1.1\r\nHost: x\r\n\r\n", rs, 0, 1);
	EXPECT_STR(render("status res.hdr(set-cookie) res.cook(a) res.cook_cnt(a) res.ver res.hdr_cnt(x) "
	                  "res.fhdr(x) scook res.hdr(x,1) res.cook_cnt", 1),
	           "[201][d=5][3][2][1.0][2][p, q][1][p][6]");
	/* request-side fetches still read the request */
	EXPECT_STR(render("path req.hdr(host) shdr(x)", 1), "[/][x][q]");
	/* once the stream forwarded the request headers, they are gone */
	chan_forward(&strm.req, txn.req.h1.hdr_len);
	http_msg_fwd(&txn.req, txn.req.h1.hdr_len);
	EXPECT_STR(render("path req.hdr(host) shdr(x)", 1), "[][][q]");
}

/* TCP mode (no HTTP state): the request is parsed on the fly, read-only;
 * a partial request says "may change" until the channel ends. */
static void t_tcp_mode(void)
{
	struct sample_expr *x;
	struct sample smp;
	char err[256];
	struct smp_ctx ctx = { .strm = &strm, .dir = 0, .final = 0 };

	load("GET /deny HTTP/1.1\r\nContent-Length: 3, 3\r\nX: bad\r\n\r\n", NULL, 0, 0);
	EXPECT_STR(render("path req.hdr(x) req.fhdr(content-length)", 0), "[/deny][bad][3, 3]");
	/* nothing was rewritten in TCP mode */
	{
		char b[128];
		size_t n = chan_copy_in(&strm.req, 0, b, sizeof(b));

		EXPECT_INT(n, 52);
	}
	load("GET /deny HTTP/1.1\r\nHost:", NULL, 0, 0);
	x = sample_expr_parse("path", NULL, NULL, err, sizeof(err));
	EXPECT(x != NULL);
	if (!x)
		return;
	memset(&smp, 0, sizeof(smp));
	EXPECT_INT(sample_expr_eval(x, &ctx, &smp), 0);
	EXPECT(smp.flags & SMP_F_MAY_CHANGE);
	strm.req.flags |= CHAN_SHUTR;
	memset(&smp, 0, sizeof(smp));
	EXPECT_INT(sample_expr_eval(x, &ctx, &smp), 0);
	EXPECT(!(smp.flags & SMP_F_MAY_CHANGE));
	sample_expr_free(x);
	/* not HTTP at all: nothing found, req.proto_http false */
	load("\x16\x03\x01garbage", NULL, 0, 0);
	EXPECT_STR(render("path method req.hdr(host) req.proto_http", 0), "[][][][0]");
	load("GET / HTTP/1.1\r\n\r\n", NULL, 0, 0);
	EXPECT_STR(render("req.proto_http", 0), "[1]");
	load("GET / HTTP/1.1\r\n", NULL, 0, 0);
	memset(&smp, 0, sizeof(smp));
	x = sample_expr_parse("req.proto_http", NULL, NULL, err, sizeof(err));
	EXPECT(x && !sample_expr_eval(x, &ctx, &smp) && (smp.flags & SMP_F_MAY_CHANGE));
	sample_expr_free(x);
}

/* capture.req.*: the request line before rewrites. */
static void t_capture(void)
{
	load("GET /x?q=1 HTTP/1.0\r\n\r\n", NULL, 0, 1);
	EXPECT_STR(render("capture.req.method capture.req.uri capture.req.ver", 0), "[][][]");
	http_txn_capture(&txn);
	http_set_uri(&txn.req, "/y", 2);
	EXPECT_STR(render("capture.req.method capture.req.uri capture.req.ver url", 0),
	           "[GET][/x?q=1][HTTP/1.0][/y]");
	/* HAProxy: the URI without scheme and host, nothing without a slash */
	load("GET http://h.com/p?z HTTP/1.1\r\n\r\n", NULL, 0, 1);
	http_txn_capture(&txn);
	EXPECT_STR(render("capture.req.uri", 0), "[/p?z]");
	load("GET http://h.com HTTP/1.1\r\n\r\n", NULL, 0, 1);
	http_txn_capture(&txn);
	EXPECT_STR(render("capture.req.uri", 0), "[]");
	load("OPTIONS * HTTP/1.1\r\n\r\n", NULL, 0, 1);
	http_txn_capture(&txn);
	EXPECT_STR(render("capture.req.uri capture.req.method req.proto_http", 0), "[][OPTIONS][1]");
	/* http_first_req: until the stream says otherwise */
	EXPECT_STR(render("http_first_req", 0), "[1]");
	txn.flags |= HTTP_TXN_NOT_FIRST;
	EXPECT_STR(render("http_first_req", 0), "[0]");
	load("GET / HTTP/1.1\r\n\r\n", NULL, 0, 0);
	EXPECT_STR(render("http_first_req", 0), "[]");        /* TCP mode: no transaction */
}

/* Hashes, Authorization, pathq and body parameters, as HAProxy 2.6
 * printed them for the same requests from 127.0.0.1. */
static void t_hash_auth(void)
{
	static const char list[] = "base32 url32 base32+src,hex url32+src,hex http_auth_type http_auth_user "
	                           "http_auth_pass pathq req.body_param(a) req.body_param(b) req.body";

	strm.cli_addr.u.in4.sin_family = AF_INET;
	strm.cli_addr.u.in4.sin_addr.s_addr = htonl(0x7f000001);
	strm.cli_addr.len = sizeof(strm.cli_addr.u.in4);
	load("GET /x/y?q=1 HTTP/1.1\r\nHost: ex.com\r\nAuthorization: Basic dXNlcjpwYTpzcw==\r\n\r\n", NULL, 0, 1);
	EXPECT_STR(render(list, 0), "[3617697347][3696942585][D7A1AE437F000001][DC5ADDF97F000001][Basic][user]"
	                            "[pa:ss][/x/y?q=1][][][]");
	load("GET http://h.com/p?z HTTP/1.1\r\n\r\n", NULL, 0, 1);
	EXPECT_STR(render(list, 0), "[543366309][544572484][20631CA57F000001][207584447F000001][][][][/p?z][][][]");
	load("POST /f HTTP/1.1\r\nHost: a\r\nContent-Length: 13\r\nAuthorization: Bearer tok\r\n\r\na=1&b=2&a=3\r\n",
	     NULL, 0, 1);
	EXPECT_STR(render(list, 0), "[3815370054][3815370054][E369ED467F000001][E369ED467F000001][Bearer][][][/f]"
	                            "[1][2][a=1&b=2&a=3\r\n]");
	load("GET /x HTTP/1.1\r\nAuthorization: Basic !!!\r\n\r\n", NULL, 0, 1);
	EXPECT_STR(render(list, 0), "[2340802059][2340802059][8B85CE0B7F000001][8B85CE0B7F000001][][][][/x][][][]");
	load("GET /x HTTP/1.1\r\nAuthorization: basic dXNlcg==\r\n\r\n", NULL, 0, 1);
	EXPECT_STR(render(list, 0), "[2340802059][2340802059][8B85CE0B7F000001][8B85CE0B7F000001][][][][/x][][][]");
	load("GET / HTTP/1.1\r\nHost: ex.com\r\n\r\n", NULL, 0, 1);
	EXPECT_STR(render("base32 url32", 0), "[2849132193][2849132193]");
	/* res.body on the response side */
	load("GET / HTTP/1.1\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nbody", 0, 1);
	EXPECT_STR(render("res.body res.body_len res.body_size", 1), "[body][4][4]");
}

/* ACLs test every occurrence (HAProxy's iteration): each of these was
 * true on HAProxy 2.6 for the request below (checked one by one with
 * "http-request add-header r-<acl> 1 if <acl>"). */
static void t_acl_iterate(void)
{
	static const struct { const char *cond; int want; } cases[] = {
		{ "if { hdr(x) b }", ACL_TRUE },             /* not the last value */
		{ "if { hdr(x,-1) c }", ACL_TRUE },
		{ "if { hdr(x,1) c }", ACL_FALSE },          /* an occurrence: only that one */
		{ "if { req.fhdr(x) -m sub b }", ACL_TRUE },
		{ "if { cook(c) 2 }", ACL_TRUE },            /* the first of two */
		{ "if { cook(c) 3 }", ACL_TRUE },
		{ "if { cook(c) 4 }", ACL_FALSE },
		{ "if { path_beg /api }", ACL_TRUE },
		{ "if { hdr_sub(x) -i B }", ACL_TRUE },
		{ "if HTTP", ACL_TRUE },
		{ "if METH_GET", ACL_TRUE },
		{ "if HTTP_1.1", ACL_TRUE },
	};
	static struct config cfg;
	static struct proxy px;
	struct cfg_ctx cc;

	memset(&cc, 0, sizeof(cc));
	px.name = "fe";
	px.cap = PX_CAP_FE;
	cc.cfg = &cfg;
	cc.file = "t.cfg";
	cc.line = 1;
	cc.sec = CFG_SEC_FRONTEND;
	cc.px = &px;
	load("GET /api/x HTTP/1.1\r\nX: a, b\r\nX: c\r\nCookie: c=2\r\nCookie: c=3\r\n\r\n", NULL, 0, 1);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char buf[256], *args[16];
		int n = 0;
		struct acl_cond *c;
		struct smp_ctx sc = { .strm = &strm, .px = &px, .dir = SMP_DIR_REQ, .final = 1 };

		snprintf(buf, sizeof(buf), "%s", cases[i].cond);
		for (char *t = strtok(buf, " "); t && n < 15; t = strtok(NULL, " "))
			args[n++] = t;
		c = acl_cond_parse(&cc, args, n);
		EXPECT(c != NULL);
		if (!c) {
			printf("  %s: %s\n", cases[i].cond, cc.err);
			continue;
		}
		if ((int)acl_cond_exec(c, &sc) != cases[i].want)
			printf("  %s: not %d\n", cases[i].cond, cases[i].want);
		EXPECT_INT(acl_cond_exec(c, &sc), cases[i].want);
		acl_cond_free(c);
	}
}

/* Without a stream (Lua task, start-up), fetches find nothing. */
static void t_no_stream(void)
{
	char err[256];
	struct sample_expr *x = sample_expr_parse("req.hdr(host)", NULL, NULL, err, sizeof(err));
	struct smp_ctx ctx = { .strm = NULL };
	struct sample smp;

	EXPECT(x != NULL);
	if (!x)
		return;
	memset(&smp, 0, sizeof(smp));
	EXPECT_INT(sample_expr_eval(x, &ctx, &smp), 0);
	sample_expr_free(x);
}

int main(void)
{
	chan_pool_init(&pool, 16384, NULL, NULL);
	chan_init(&strm.req, &pool, 1 << 20);
	chan_init(&strm.res, &pool, 1 << 20);
	RUN(t_request);
	RUN(t_request_more);
	RUN(t_body);
	RUN(t_response);
	RUN(t_tcp_mode);
	RUN(t_capture);
	RUN(t_hash_auth);
	RUN(t_acl_iterate);
	RUN(t_no_stream);
	chan_reset(&strm.req);
	chan_reset(&strm.res);
	chan_pool_destroy(&pool);
	return unit_end();
}
