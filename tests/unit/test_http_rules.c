/* test_http_rules.c: http-request / http-response rules (engine/http_rules.c)
 * parsed with the real configuration parser and run on messages parsed from
 * bytes. Expected bytes were captured from HAProxy 2.6 (/usr/sbin/haproxy):
 * what its server received for the same rules, and what its client got for
 * deny, return, redirect and auth. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <unistd.h>
#include "tests/unit/unit.h"
#include "engine/cfg.h"
#include "engine/chan.h"
#include "engine/http.h"
#include "engine/http_cap.h"
#include "engine/logfmt.h"
#include "engine/http_rules.h"
#include "engine/stream.h"
#include "engine/stream_http.h"
#include "engine/thread.h"
#include "engine/vars.h"

static struct chan_pool pool;
static char alerts[16384];
static struct stream strm;
static struct thr thr0;         /* the clock the stream's HTTP state reads (0) */
static struct http_txn *txn;   /* strm.http: the engine's own HTTP state (stream_http_attach) */

/* Parses <conf> into <cfg>, keeping what went to stderr in alerts[].
 * Returns the number of errors, not counting the refusal of "mode http"
 * by a parser that does not take it yet. */
static int parse(struct config *cfg, const char *conf)
{
	char path[] = "/tmp/rp_test_http_rules_XXXXXX";
	int fd = mkstemp(path), saved = dup(2);
	memset(cfg, 0, sizeof(*cfg));
	fflush(stderr);
	dup2(fd, 2);
	int errors = cfg_parse_string(cfg, "t.cfg", conf);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	lseek(fd, 0, SEEK_SET);
	ssize_t n = read(fd, alerts, sizeof(alerts) - 1);
	alerts[n > 0 ? n : 0] = 0;
	close(fd);
	unlink(path);
	for (const char *p = alerts; (p = strstr(p, "'mode http' is not supported")); p++)
		errors--;
	return errors;
}

/* Returns 1 when <got> is <want>, else prints both and returns 0. */
static int same(const char *got, const char *want)
{
	if (got && !strcmp(got, want))
		return 1;
	printf("  got:  \"%s\"\n  want: \"%s\"\n", got ? got : "(null)", want);
	return 0;
}
#define EXPECT_SAME(a, b) EXPECT(same((a), (b)))

static int has_alert(const char *s)
{
	if (strstr(alerts, s))
		return 1;
	printf("  missing in output: %s\n  output was:\n%s", s, alerts);
	return 0;
}

#define HEAD "defaults\n  mode http\n  timeout client 1s\n  timeout server 1s\n  timeout connect 1s\n"

/* Loads request <rq> (and response <rs>) into the stream of proxy <px>
 * and parses them. */
static void load(struct proxy *px, const char *rq, const char *rs)
{
	chan_reset(&strm.req);
	chan_reset(&strm.res);
	vars_clear(&strm.vars_txn);
	strm.fe = px;
	strm.be = NULL;
	strm.err = STRM_ERR_NONE;
	strm.fin = STRM_FIN_NONE;
	strm.loglevel = -1;
	strm.req_rule_pos = strm.res_rule_pos = 0;
	chan_put_data(&strm.req, rq, strlen(rq));
	if (rs)
		chan_put_data(&strm.res, rs, strlen(rs));
	strm.thr = &thr0;
	if (!strm.http)
		EXPECT_INT(stream_http_attach(&strm), 0);
	txn = strm.http;
	http_txn_init(txn, &strm.req, &strm.res, 0);
	EXPECT_INT(http_msg_parse(&txn->req), HTTP_PARSE_DONE);
	if (rs)
		EXPECT_INT(http_msg_parse(&txn->rsp), HTTP_PARSE_DONE);
}

/* Returns the input part of <c> as a string. */
static const char *in_bytes(const struct chan *c)
{
	static char buf[8192];
	size_t n = chan_copy_in(c, 0, buf, sizeof(buf) - 1);
	buf[n] = 0;
	return buf;
}

/* Returns the output part of <c> as a string. */
static const char *out_bytes(const struct chan *c)
{
	static char buf[8192];
	struct iovec iov[16];
	size_t n = 0;
	int k = chan_out_iov(c, iov, 16);
	for (int i = 0; i < k && n + iov[i].iov_len < sizeof(buf); i++) {
		memcpy(buf + n, iov[i].iov_base, iov[i].iov_len);
		n += iov[i].iov_len;
	}
	buf[n] = 0;
	return buf;
}

static const char rewrite_cfg[] = HEAD
	"frontend f\n"
	"  bind 127.0.0.1:65000\n"
	"  http-request set-header X-Set %[path]-v\n"
	"  http-request add-header X-Add two\n"
	"  http-request del-header X-Del\n"
	"  http-request replace-header X-Rep ^(\\w+)-(\\w+)$ \\2-\\1\n"
	"  http-request replace-value X-Val ^b(.*)$ B\\1\n"
	"  http-request set-path /new%[path] if { path_beg /p }\n"
	"  http-request set-query q=1 if { path_beg /q }\n"
	"  http-request set-method PUT if { path_beg /m }\n"
	"  http-request set-uri /u?x if { path_beg /u }\n"
	"  http-request replace-path ^/r(.*)$ /R\\1 if { path_beg /r }\n"
	"  http-request replace-uri ^/z(.*)$ /Z\\1 if { path_beg /z }\n"
	"  http-request set-pathq /pq?a=b if { path_beg /x }\n"
	"  http-request del-header x-pre -m beg\n"
	"  http-response set-header X-Res %[status]\n"
	"  http-response replace-value X-A ^a(.*)$ A\\1\n"
	"  http-response set-status 201 reason Made if { var(txn.s) -m found }\n"
	"  http-request set-var(txn.s) str(1) if { path_beg /s }\n"
	"  http-request allow if { path_beg /allow }\n"
	"  http-request set-header X-After-Allow 1\n";

#define RQ(path) "GET " path " HTTP/1.1\r\nHost: a\r\nX-Del: d\r\nX-Rep: foo-bar\r\n" \
	"X-Val: a, bx, c\r\nX-Pre-1: 1\r\nX-Set: old\r\n\r\n"
#define SENT(line, set) line "\r\nhost: a\r\nx-rep: bar-foo\r\nx-val: a,Bx, c\r\nx-set: " set \
	"-v\r\nx-add: two\r\nx-after-allow: 1\r\n\r\n"

/* Each request through the rules gives what HAProxy 2.6 sent its server
 * (the capture had no allow rules: "x-after-allow" comes from the last
 * rule, added where add-header puts it). */
static void t_request_rewrites(void)
{
	static const struct { const char *path, *sent; } cases[] = {
		{ "/a?k=v", SENT("GET /a?k=v HTTP/1.1", "/a") },
		{ "/p1",    SENT("GET /new/p1 HTTP/1.1", "/p1") },
		{ "/q1?z",  SENT("GET /q1?q=1 HTTP/1.1", "/q1") },
		{ "/m1",    SENT("PUT /m1 HTTP/1.1", "/m1") },
		{ "/u1",    SENT("GET /u?x HTTP/1.1", "/u1") },
		{ "/r1/x",  SENT("GET /R1/x HTTP/1.1", "/r1/x") },
		{ "/z9",    SENT("GET /Z9 HTTP/1.1", "/z9") },
		{ "/x1?c",  SENT("GET /pq?a=b HTTP/1.1", "/x1") },
	};
	struct config cfg;
	char rq[512];

	EXPECT_INT(parse(&cfg, rewrite_cfg), 0);
	if (!cfg.proxies)
		return;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(rq, sizeof(rq), "GET %s HTTP/1.1\r\nHost: a\r\nX-Del: d\r\nX-Rep: foo-bar\r\n"
		         "X-Val: a, bx, c\r\nX-Pre-1: 1\r\nX-Set: old\r\n\r\n", cases[i].path);
		load(cfg.proxies, rq, NULL);
		EXPECT_INT(http_rules_exec_req(&strm), RULE_CONTINUE);
		EXPECT_SAME(in_bytes(&strm.req), cases[i].sent);
		EXPECT_INT(chan_out_len(&strm.res), 0);
	}
	/* "allow" ends the list: later rules do not run */
	load(cfg.proxies, RQ("/allow"), NULL);
	EXPECT_INT(http_rules_exec_req(&strm), RULE_CONTINUE);
	EXPECT(!strstr(in_bytes(&strm.req), "x-after-allow"));
	load(cfg.proxies, RQ("/a"), NULL);
	EXPECT_INT(http_rules_exec_req(&strm), RULE_CONTINUE);
	EXPECT(strstr(in_bytes(&strm.req), "x-after-allow: 1\r\n\r\n") != NULL);
	cfg_free(&cfg);
}

/* http-response rules on a response, with a variable set by the request. */
static void t_response_rewrites(void)
{
	static const char rs[] = "HTTP/1.1 200 OK\r\ncontent-length: 2\r\nX-A: a1\r\nX-A: a2, a3\r\n\r\nok";
	struct config cfg;

	EXPECT_INT(parse(&cfg, rewrite_cfg), 0);
	if (!cfg.proxies)
		return;
	load(cfg.proxies, RQ("/a"), rs);
	EXPECT_INT(http_rules_exec_req(&strm), RULE_CONTINUE);
	EXPECT_INT(http_rules_exec_res(&strm), RULE_CONTINUE);
	EXPECT_SAME(in_bytes(&strm.res),
	           "HTTP/1.1 200 OK\r\ncontent-length: 2\r\nx-a: A1\r\nx-a: A2,A3\r\nx-res: 200\r\n\r\nok");
	/* set-status with a reason once txn.s is set */
	load(cfg.proxies, RQ("/s"), rs);
	EXPECT_INT(http_rules_exec_req(&strm), RULE_CONTINUE);
	EXPECT_INT(http_rules_exec_res(&strm), RULE_CONTINUE);
	EXPECT_SAME(in_bytes(&strm.res),
	           "HTTP/1.1 201 Made\r\ncontent-length: 2\r\nx-a: A1\r\nx-a: A2,A3\r\nx-res: 200\r\n\r\nok");
	cfg_free(&cfg);
}

/* deny, return, redirect, auth: the bytes HAProxy 2.6 answered. */
static void t_replies(void)
{
	struct config cfg;
	int e = parse(&cfg, HEAD
		"frontend f\n"
		"  bind 127.0.0.1:65000\n"
		"  http-request deny if { path /deny }\n"
		"  http-request return status 200 content-type text/plain string hello if { path /ret }\n"
		"  http-request redirect location /x if { path /red }\n"
		"  http-request auth realm foo if { path /auth }\n"
		"  http-request deny deny_status 404 if { path /d404 }\n"
		"  http-request return status 404 content-type text/plain lf-string \"no %[path]\" hdr X-Y \"%[method]\" if { path_beg /lf }\n"
		"  http-request redirect prefix https://h.example drop-query code 301 if { path_beg /pre }\n"
		"  http-request redirect scheme https if { path_beg /sch }\n"
		"  http-request reject if { path /rej }\n"
		"  http-request set-header X-Never 1\n");
	EXPECT_INT(e, 0);
	if (!cfg.proxies)
		return;
	struct proxy *px = cfg.proxies;
	uint64_t denied = px->denied_req;

	load(px, "GET /deny HTTP/1.1\r\nHost: a\r\n\r\n", NULL);
	EXPECT_INT(http_rules_exec_req(&strm), RULE_REPLY);
	EXPECT_SAME(out_bytes(&strm.res), "HTTP/1.1 403 Forbidden\r\ncontent-length: 93\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n\r\n<html><body><h1>403 Forbidden</h1>\nRequest forbidden by administrative rules.\n</body></html>\n");
	EXPECT_INT(txn->status, 403);
	EXPECT_INT(px->denied_req, denied + 1);
	EXPECT_INT(strm.err, 'P');
	EXPECT_INT(strm.fin, 'R');
	EXPECT(!strstr(in_bytes(&strm.req), "x-never"));

	load(px, "GET /ret HTTP/1.1\r\nHost: a\r\n\r\n", NULL);
	EXPECT_INT(http_rules_exec_req(&strm), RULE_REPLY);
	EXPECT_SAME(out_bytes(&strm.res), "HTTP/1.1 200 OK\r\ncontent-length: 5\r\ncontent-type: text/plain\r\n\r\nhello");
	EXPECT_INT(txn->status, 200);

	load(px, "GET /red HTTP/1.1\r\nHost: a\r\n\r\n", NULL);
	EXPECT_INT(http_rules_exec_req(&strm), RULE_REPLY);
	EXPECT_SAME(out_bytes(&strm.res), "HTTP/1.1 302 Found\r\ncontent-length: 0\r\nlocation: /x\r\ncache-control: no-cache\r\n\r\n");
	EXPECT_INT(txn->status, 302);

	load(px, "GET /auth HTTP/1.1\r\nHost: a\r\n\r\n", NULL);
	EXPECT_INT(http_rules_exec_req(&strm), RULE_REPLY);
	EXPECT_SAME(out_bytes(&strm.res), "HTTP/1.1 401 Unauthorized\r\ncontent-length: 112\r\ncache-control: no-cache\r\ncontent-type: text/html\r\nwww-authenticate: Basic realm=\"foo\"\r\n\r\n<html><body><h1>401 Unauthorized</h1>\nYou need a valid user and password to access this content.\n</body></html>\n");

	load(px, "GET /d404 HTTP/1.1\r\nHost: a\r\n\r\n", NULL);
	EXPECT_INT(http_rules_exec_req(&strm), RULE_REPLY);
	EXPECT_SAME(out_bytes(&strm.res), "HTTP/1.1 404 Not Found\r\ncontent-length: 83\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n\r\n<html><body><h1>404 Not Found</h1>\nThe resource could not be found.\n</body></html>\n");

	load(px, "POST /lf/1 HTTP/1.1\r\nHost: a\r\ncontent-length: 0\r\n\r\n", NULL);
	EXPECT_INT(http_rules_exec_req(&strm), RULE_REPLY);
	EXPECT_SAME(out_bytes(&strm.res), "HTTP/1.1 404 Not Found\r\nx-y: POST\r\ncontent-length: 8\r\ncontent-type: text/plain\r\n\r\nno /lf/1");

	load(px, "GET /pre/a?b=c HTTP/1.1\r\nHost: a\r\n\r\n", NULL);
	EXPECT_INT(http_rules_exec_req(&strm), RULE_REPLY);
	EXPECT_SAME(out_bytes(&strm.res), "HTTP/1.1 301 Moved Permanently\r\ncontent-length: 0\r\nlocation: https://h.example/pre/a\r\n\r\n");

	/* the connection header HAProxy's HTTP/1 output adds for the client */
	load(px, "GET /red HTTP/1.0\r\n\r\n", NULL);
	EXPECT_INT(http_rules_exec_req(&strm), RULE_REPLY);
	EXPECT_SAME(out_bytes(&strm.res), "HTTP/1.1 302 Found\r\ncontent-length: 0\r\nlocation: /x\r\ncache-control: no-cache\r\nconnection: close\r\n\r\n");
	load(px, "GET /ret HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", NULL);
	EXPECT_INT(http_rules_exec_req(&strm), RULE_REPLY);
	EXPECT_SAME(out_bytes(&strm.res), "HTTP/1.1 200 OK\r\ncontent-length: 5\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\nhello");
	load(px, "GET /ret HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", NULL);
	EXPECT_INT(http_rules_exec_req(&strm), RULE_REPLY);
	EXPECT_SAME(out_bytes(&strm.res), "HTTP/1.1 200 OK\r\ncontent-length: 5\r\ncontent-type: text/plain\r\nconnection: keep-alive\r\n\r\nhello");

	denied = px->denied_req;
	load(px, "GET /rej HTTP/1.1\r\nHost: a\r\n\r\n", NULL);
	EXPECT_INT(http_rules_exec_req(&strm), RULE_REJECT);
	EXPECT_INT(chan_out_len(&strm.res), 0);
	EXPECT_INT(px->denied_req, denied + 1);
	EXPECT_INT(strm.err, 'P');
	EXPECT(!strstr(in_bytes(&strm.req), "x-never"));

	load(px, "GET /sch/a?b=c HTTP/1.1\r\nHost: www.a.b\r\n\r\n", NULL);
	EXPECT_INT(http_rules_exec_req(&strm), RULE_REPLY);
	EXPECT_SAME(out_bytes(&strm.res), "HTTP/1.1 302 Found\r\ncontent-length: 0\r\nlocation: https://www.a.b/sch/a?b=c\r\ncache-control: no-cache\r\n\r\n");
	cfg_free(&cfg);
}

/* HAProxy 2.6's messages, with file:line. */
/* HAProxy 2.6's "will never match" warnings for HTTP rules: the rule set
 * named "http-request header" / "http-response header", the keyword as
 * written (hdr_beg), a named ACL's two forms; fetches that read either
 * side (hdr, method, capture.req.uri) draw none in http-response. */
static void t_cond_warnings(void)
{
	struct config cfg;
	int e = parse(&cfg, HEAD
		"frontend f\n"
		"  bind 127.0.0.1:65000\n"
		"  acl p path /x\n"                                           /* 8 */
		"  acl mix path /x\n"
		"  acl mix status 200\n"                                      /* 10 */
		"  http-response set-header a b if { hdr_beg(x) a }\n"
		"  http-response set-header a b if p\n"                       /* 12 */
		"  http-response set-header a b if mix\n"
		"  http-request set-header a b if { status 200 }\n"           /* 14 */
		"  http-after-response set-header a b if { path /x }\n"
		"  http-response set-header a %[hdr(x)] if { method GET } { capture.req.uri -m beg /a }\n"
		"  http-response set-header a b if { hdr(x) -m found }\n");   /* 17 */
	EXPECT_INT(e, 0);
	EXPECT(has_alert("parsing [t.cfg:11] : anonymous acl will never match because it uses keyword 'hdr_beg' which is incompatible with 'frontend http-response header rule'\n"));
	EXPECT(has_alert("parsing [t.cfg:12] : acl 'p' will never match because it only involves keywords that are incompatible with 'frontend http-response header rule'\n"));
	EXPECT(has_alert("parsing [t.cfg:13] : acl 'mix' involves keywords 'path' which is incompatible with 'frontend http-response header rule'\n"));
	EXPECT(has_alert("parsing [t.cfg:14] : anonymous acl will never match because it uses keyword 'status' which is incompatible with 'frontend http-request header rule'\n"));
	EXPECT(has_alert("parsing [t.cfg:15] : anonymous acl will never match because it uses keyword 'path' which is incompatible with 'frontend http-response header rule'\n"));
	EXPECT(!strstr(alerts, "t.cfg:16]"));
	EXPECT(has_alert("parsing [t.cfg:17] : anonymous acl will never match because it uses keyword 'hdr' which is incompatible with 'frontend http-response header rule'\n"));
	cfg_free(&cfg);

	/* rules written after a set that runs later: HAProxy's warnings */
	e = parse(&cfg, HEAD
		"frontend f\n"
		"  bind 127.0.0.1:65000\n"
		"  http-request deny if { path /x }\n"                        /* 8 */
		"  tcp-request content accept\n"
		"  use_backend b if { path /y }\n"                            /* 10 */
		"  http-request deny if { path /z }\n"
		"  redirect location /a if { path /q }\n"                     /* 12 */
		"  default_backend b\n"
		"backend b\n"                                                 /* 14 */
		"  server s 127.0.0.1:1\n"
		"  use-server s if TRUE\n"                                    /* 16 */
		"  http-request deny if { path /w }\n");
	EXPECT_INT(e, 0);
	EXPECT(has_alert("parsing [t.cfg:9] : a 'tcp-request' rule placed after an 'http-request' rule will still be processed before.\n"));
	EXPECT(has_alert("parsing [t.cfg:11] : a 'http-request' rule placed after a 'use_backend' rule will still be processed before.\n"));
	EXPECT(has_alert("parsing [t.cfg:12] : a 'redirect' rule placed after a 'use_backend' rule will still be processed before.\n"));
	EXPECT(has_alert("parsing [t.cfg:17] : a 'http-request' rule placed after a 'use-server' rule will still be processed before.\n"));
	EXPECT(!strstr(alerts, "t.cfg:8]") && !strstr(alerts, "t.cfg:10]") && !strstr(alerts, "t.cfg:16]"));
	cfg_free(&cfg);
}

static void t_parse_errors(void)
{
	struct config cfg;
	int e = parse(&cfg, HEAD
		"frontend f\n"
		"  bind 127.0.0.1:65000\n"
		"  http-request foo\n"                                        /* 8 */
		"  http-request deny foo\n"
		"  http-request set-header X\n"                               /* 10 */
		"  http-request redirect\n"
		"  http-request redirect location\n"                          /* 12 */
		"  http-request redirect location /x code 305\n"
		"  http-request return status 99\n"                           /* 14 */
		"  http-request deny deny_status 299\n"
		"  http-request replace-header X ( y\n"                       /* 16 */
		"  http-response set-status\n"
		"  http-response set-status abc\n"                            /* 18 */
		"  http-request del-header X -m foo\n"
		"  http-request set-path\n"                                   /* 20 */
		"  http-request add-header X %[foo]\n"
		"  http-request set-var(txn.x)\n"                             /* 22 */
		"  http-request allow if xx\n"
		"  http-response foo\n");                                     /* 24 */
	EXPECT_INT(e, 17);
	EXPECT(has_alert("parsing [t.cfg:8]: 'http-request' expects 'add-acl(*)', 'add-header', 'allow',"));
	EXPECT(has_alert("but got 'foo'.\n"));
	EXPECT(has_alert("parsing [t.cfg:9]: 'http-request deny' expects either 'if' or 'unless' followed by a condition but found 'foo'.\n"));
	EXPECT(has_alert("parsing [t.cfg:10] : error detected in frontend 'f' while parsing 'http-request set-header' rule : expects exactly 2 arguments.\n"));
	EXPECT(has_alert("parsing [t.cfg:11] : error detected in frontend 'f' while parsing 'http-request redirect' rule : redirection type expected ('prefix', 'location', or 'scheme').\n"));
	EXPECT(has_alert("parsing [t.cfg:12] : error detected in frontend 'f' while parsing 'http-request redirect' rule : missing argument for 'location'.\n"));
	EXPECT(has_alert("parsing [t.cfg:13] : error detected in frontend 'f' while parsing 'http-request redirect' rule : 'code': unsupported HTTP code '305' (must be one of 301, 302, 303, 307 or 308).\n"));
	EXPECT(has_alert("parsing [t.cfg:14] : error detected in frontend 'f' while parsing 'http-request return' rule : Unexpected status code '99'.\n"));
	EXPECT(has_alert("parsing [t.cfg:15] : error detected in frontend 'f' while parsing 'http-request deny' rule : status code '299' not handled by default with 'default-errorfiles' argument..\n"));
	EXPECT(has_alert("parsing [t.cfg:16] : error detected in frontend 'f' while parsing 'http-request replace-header' rule : regex '(' is invalid (error=missing closing parenthesis, erroffset=1).\n"));
	EXPECT(has_alert("parsing [t.cfg:17] : error detected in frontend 'f' while parsing 'http-response set-status' rule : expects 1 argument: <status>; or 3 arguments: <status> reason <fmt>.\n"));
	EXPECT(has_alert("parsing [t.cfg:18] : error detected in frontend 'f' while parsing 'http-response set-status' rule : expects an integer status code between 100 and 999.\n"));
	EXPECT(has_alert("parsing [t.cfg:19] : error detected in frontend 'f' while parsing 'http-request del-header' rule : -m with unsupported matching method 'foo'.\n"));
	EXPECT(has_alert("parsing [t.cfg:20] : error detected in frontend 'f' while parsing 'http-request set-path' rule : expects exactly 1 argument <format>.\n"));
	EXPECT(has_alert("parsing [t.cfg:21] : error detected in frontend 'f' while parsing 'http-request add-header' rule : failed to parse sample expression <foo]> : unknown fetch method 'foo'.\n"));
	EXPECT(has_alert("parsing [t.cfg:22] : error detected in frontend 'f' while parsing 'http-request set-var(txn.x)' rule : missing fetch method.\n"));
	EXPECT(has_alert("parsing [t.cfg:23] : error detected while parsing an 'http-request allow' condition : no such ACL : 'xx'.\n"));
	EXPECT(has_alert("parsing [t.cfg:24]: 'http-response' expects 'add-acl(*)', 'add-header', 'allow',"));
	cfg_free(&cfg);
}

/* userlist sections, http_auth / http_auth_group and "auth". */
static void t_userlist(void)
{
	struct config cfg;
	int e = parse(&cfg,
		"userlist L\n"
		"  group admins\n"
		"  group ops users amy\n"
		"  user bob password $6$abcdefgh$ltjgWl6579NluT/Vi1nwEvcil.G5Nbc4NiXZaNGStk8PSwGfQv72N2CKPPrVACtLtip/cZ/1GM/O6IND4WQhG. groups admins\n"
		"  user amy insecure-password plain\n"
		HEAD
		"frontend f\n"
		"  bind 127.0.0.1:65000\n"
		"  acl ok http_auth(L)\n"
		"  acl adm http_auth_group(L) admins\n"
		"  http-request auth realm R unless ok\n"
		"  http-request set-header X-User %[http_auth_group(L)]\n"
		"  http-request set-header X-Admin 1 if adm\n");
	EXPECT_INT(e, 0);
	if (!cfg.proxies)
		return;
	struct proxy *px = cfg.proxies;

	load(px, "GET / HTTP/1.1\r\nHost: a\r\n\r\n", NULL);
	EXPECT_INT(http_rules_exec_req(&strm), RULE_REPLY);
	EXPECT(strstr(out_bytes(&strm.res), "\r\nwww-authenticate: Basic realm=\"R\"\r\n\r\n") != NULL);
	EXPECT_INT(txn->status, 401);

	load(px, "GET / HTTP/1.1\r\nHost: a\r\nAuthorization: Basic Ym9iOndyb25n\r\n\r\n", NULL);
	EXPECT_INT(http_rules_exec_req(&strm), RULE_REPLY);

	load(px, "GET / HTTP/1.1\r\nHost: a\r\nAuthorization: Basic Ym9iOnNlY3JldA==\r\n\r\n", NULL);
	EXPECT_INT(http_rules_exec_req(&strm), RULE_CONTINUE);
	EXPECT_SAME(in_bytes(&strm.req), "GET / HTTP/1.1\r\nhost: a\r\nauthorization: Basic Ym9iOnNlY3JldA==\r\nx-user: bob\r\nx-admin: 1\r\n\r\n");

	load(px, "GET / HTTP/1.1\r\nHost: a\r\nAuthorization: Basic YW15OnBsYWlu\r\n\r\n", NULL);
	EXPECT_INT(http_rules_exec_req(&strm), RULE_CONTINUE);
	EXPECT_SAME(in_bytes(&strm.req), "GET / HTTP/1.1\r\nhost: a\r\nauthorization: Basic YW15OnBsYWlu\r\nx-user: amy\r\n\r\n");
	cfg_free(&cfg);

	e = parse(&cfg,
		"userlist\n"
		"userlist L\n"
		"  user\n"                                  /* 3 */
		"  user a foo x\n"
		"  bogus\n");                               /* 5 */
	EXPECT_INT(e, 4);
	EXPECT(has_alert("parsing [t.cfg:1]: 'userlist' expects <name> as arguments.\n"));
	EXPECT(has_alert("parsing [t.cfg:3]: 'user' expects <name> as arguments.\n"));
	EXPECT(has_alert("parsing [t.cfg:4]: 'user' only supports 'password', 'insecure-password' and 'groups' options.\n"));
	EXPECT(has_alert("parsing [t.cfg:5]: unknown keyword 'bogus' in 'users' section\n"));
	cfg_free(&cfg);
	/* links are checked once the files parsed without error, as HAProxy */
	e = parse(&cfg,
		"userlist L\n"
		"  user b insecure-password x groups nog\n"
		"  group g users nou\n");
	EXPECT_INT(e, 2);
	EXPECT(has_alert(": config : userlist 'L': no such group 'nog' specified in user 'b'\n"));
	EXPECT(has_alert(": config : userlist 'L': no such user 'nou' specified in group 'g'\n"));
	cfg_free(&cfg);
}

/* Captures: the values HAProxy 2.6 printed for %hr and capture.req.hdr()
 * with the same declarations ("{www.e|bvalue-l|2222|/ab}"). */
static void t_captures(void)
{
	struct config cfg;
	int e = parse(&cfg, HEAD
		"frontend f\n"
		"  bind 127.0.0.1:65000\n"
		"  capture request header Host len 5\n"
		"  declare capture request len 8\n"
		"  capture request header X-Long len 4\n"
		"  capture response header X-A len 3\n"
		"  declare capture response len 4\n"
		"  http-request capture req.hdr(x-b) id 1\n"
		"  http-request capture path len 3\n"
		"  http-request set-header X-C \"[%[capture.req.hdr(1)]][%[capture.req.hdr(3)]][%[capture.req.hdr(0)]]\"\n"
		"  http-response capture res.hdr(x-b) id 1\n"
		"  http-response set-header X-D \"[%[capture.res.hdr(0)]][%[capture.res.hdr(1)]]\"\n");
	EXPECT_INT(e, 0);
	if (!cfg.proxies)
		return;
	load(cfg.proxies, "GET /abcdef HTTP/1.1\r\nHost: www.example.com\r\nX-B: bvalue-long\r\n"
	     "X-Long: 1\r\nX-Long: 22222\r\n\r\n",
	     "HTTP/1.1 200 OK\r\nX-A: abcdef\r\nX-B: 123456\r\ncontent-length: 0\r\n\r\n");
	strm.caps = NULL;
	http_cap_headers(&strm, 0);
	EXPECT_INT(http_rules_exec_req(&strm), RULE_CONTINUE);
	EXPECT(strstr(in_bytes(&strm.req), "\r\nx-c: [bvalue-l][/ab][www.e]\r\n") != NULL);
	http_cap_headers(&strm, 1);
	EXPECT_INT(http_rules_exec_res(&strm), RULE_CONTINUE);
	EXPECT(strstr(in_bytes(&strm.res), "\r\nx-d: [abc][1234]\r\n") != NULL);

	struct logfmt_http h;
	memset(&h, 0, sizeof(h));
	http_cap_log(&strm, &h);
	EXPECT_INT(h.nb_req_caps, 4);
	EXPECT_INT(h.nb_res_caps, 2);
	if (h.nb_req_caps == 4) {
		EXPECT_SAME(h.req_caps[0], "www.e");
		EXPECT_SAME(h.req_caps[1], "bvalue-l");
		EXPECT_SAME(h.req_caps[2], "2222");
		EXPECT_SAME(h.req_caps[3], "/ab");
	}
	/* the next transaction starts with nothing captured */
	http_cap_reset(&strm);
	EXPECT(strm.caps == NULL);
	load(cfg.proxies, "GET / HTTP/1.1\r\nHost: h\r\n\r\n", NULL);
	http_cap_headers(&strm, 0);
	memset(&h, 0, sizeof(h));
	http_cap_log(&strm, &h);
	EXPECT(h.nb_req_caps == 4 && h.req_caps[1] == NULL && h.req_caps[2] == NULL);
	EXPECT(h.nb_req_caps == 4 && h.req_caps[0] && !strcmp(h.req_caps[0], "h"));
	http_cap_reset(&strm);
	cfg_free(&cfg);

	e = parse(&cfg, HEAD
		"frontend f\n"
		"  capture request header\n"                       /* 7 */
		"  capture foo\n"
		"  declare capture\n"                              /* 9 */
		"  declare capture request\n"
		"  http-request capture\n"                         /* 11 */
		"  http-request capture hdr(x) len 0\n"
		"  http-response capture res.hdr(x) len 4\n");     /* 13 */
	EXPECT_INT(e, 7);
	EXPECT(has_alert("parsing [t.cfg:7] : 'capture request' expects 'header' <header_name> 'len' <len>.\n"));
	EXPECT(has_alert("parsing [t.cfg:8] : 'capture' expects 'cookie' or 'request header' or 'response header'.\n"));
	EXPECT(has_alert("parsing [t.cfg:9] : 'declare capture' requires a direction ('request' or 'response')\n"));
	EXPECT(has_alert("parsing [t.cfg:10] : 'declare capture' requires a capture length ('len')\n"));
	EXPECT(has_alert("parsing [t.cfg:11] : error detected in frontend 'f' while parsing 'http-request capture' rule : expects <expression> [ 'len' <length> | id <idx> ].\n"));
	EXPECT(has_alert("parsing [t.cfg:12] : error detected in frontend 'f' while parsing 'http-request capture' rule : length must be > 0.\n"));
	EXPECT(has_alert("parsing [t.cfg:13] : error detected in frontend 'f' while parsing 'http-response capture' rule : expects 'id', found 'len'.\n"));
	cfg_free(&cfg);
}

/* Rules of a named defaults section run before the proxy's own; an
 * anonymous defaults section refuses them, as HAProxy 2.6. */
static void t_defaults(void)
{
	struct config cfg;
	int e = parse(&cfg, "defaults\n  mode http\n  http-request deny\n");
	EXPECT_INT(e, 1);
	EXPECT(has_alert("parsing [t.cfg:3] : 'http-request' not allowed in anonymous 'defaults' section.\n"));
	cfg_free(&cfg);

	e = parse(&cfg,
		"defaults d1\n  mode http\n  timeout client 1s\n  timeout server 1s\n  timeout connect 1s\n"
		"  http-request set-header X-Def %[req.hdr(x-own)]-d\n"
		"  http-response set-header X-Def-Res 1\n"
		"frontend f from d1\n"
		"  bind 127.0.0.1:65000\n"
		"  http-request set-header X-Own 1\n");
	EXPECT_INT(e, 0);
	if (!cfg.proxies)
		return;
	load(cfg.proxies, "GET / HTTP/1.1\r\nHost: a\r\n\r\n", "HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n");
	EXPECT_INT(http_rules_exec_req(&strm), RULE_CONTINUE);
	EXPECT_SAME(in_bytes(&strm.req), "GET / HTTP/1.1\r\nhost: a\r\nx-def: -d\r\nx-own: 1\r\n\r\n");
	EXPECT_INT(http_rules_exec_res(&strm), RULE_CONTINUE);
	EXPECT_SAME(in_bytes(&strm.res), "HTTP/1.1 200 OK\r\ncontent-length: 0\r\nx-def-res: 1\r\n\r\n");
	cfg_free(&cfg);
}

/* http-after-response: on the server's response after http-response, and
 * on the replies of request rules (HAProxy 2.6 sent these bytes). */
static void t_after_response(void)
{
	struct config cfg;
	int e = parse(&cfg, HEAD
		"frontend f\n"
		"  bind 127.0.0.1:65000\n"
		"  http-request deny if { path /deny }\n"
		"  http-request return status 200 content-type text/plain string hi if { path /ret }\n"
		"  http-response set-header X-Res 1\n"
		"  http-after-response set-header X-After %[res.hdr(x-res)]-a\n"
		"  http-after-response set-status 299 if { status 200 }\n"
		"  http-after-response foo\n"                       /* 13 */
		"  http-after-response lua.x\n"
		"  http-after-response set-header X\n");           /* 15 */
	EXPECT_INT(e, 3);
	EXPECT(has_alert("parsing [t.cfg:13]: 'http-after-response' expects 'add-header', 'allow', 'capture', 'del-header', 'replace-header', 'replace-value', 'set-header', 'set-status', 'set-var-fmt(*)', 'set-var(*)', 'strict-mode', 'unset-var(*)', but got 'foo'.\n"));
	EXPECT(has_alert("parsing [t.cfg:14]: 'http-after-response' expects 'add-header',"));
	EXPECT(has_alert("parsing [t.cfg:15] : error detected in frontend 'f' while parsing 'http-after-response set-header' rule : expects exactly 2 arguments.\n"));
	if (!cfg.proxies)
		return;
	load(cfg.proxies, "GET /deny HTTP/1.1\r\nHost: a\r\n\r\n", NULL);
	EXPECT_INT(http_rules_exec_req(&strm), RULE_REPLY);
	EXPECT_SAME(out_bytes(&strm.res), "HTTP/1.1 403 Forbidden\r\ncontent-length: 93\r\ncache-control: no-cache\r\ncontent-type: text/html\r\nx-after: -a\r\n\r\n<html><body><h1>403 Forbidden</h1>\nRequest forbidden by administrative rules.\n</body></html>\n");
	EXPECT_INT(chan_in_len(&strm.res), 0);
	EXPECT_INT(txn->status, 403);

	load(cfg.proxies, "GET /ret HTTP/1.1\r\nHost: a\r\n\r\n", NULL);
	EXPECT_INT(http_rules_exec_req(&strm), RULE_REPLY);
	EXPECT_SAME(out_bytes(&strm.res), "HTTP/1.1 299 Success\r\ncontent-length: 2\r\ncontent-type: text/plain\r\nx-after: -a\r\n\r\nhi");
	EXPECT_INT(txn->status, 299);

	load(cfg.proxies, "GET / HTTP/1.1\r\nHost: a\r\n\r\n", "HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n");
	EXPECT_INT(http_rules_exec_req(&strm), RULE_CONTINUE);
	EXPECT_INT(http_rules_exec_res(&strm), RULE_CONTINUE);
	EXPECT_INT(http_rules_exec_after_res(&strm), RULE_CONTINUE);
	EXPECT_SAME(in_bytes(&strm.res), "HTTP/1.1 299 Success\r\ncontent-length: 0\r\nx-res: 1\r\nx-after: 1-a\r\n\r\n");
	cfg_free(&cfg);
}

/* set-map / del-map / add-acl / del-acl change the file's entries for the
 * map converters and ACLs using it. */
static void t_map_acl(void)
{
	struct config cfg;
	FILE *f = fopen("/tmp/rp_test_http_rules.map", "w");
	if (f) {
		fputs("/a one\n", f);
		fclose(f);
	}
	f = fopen("/tmp/rp_test_http_rules.acl", "w");
	if (f)
		fclose(f);
	int e = parse(&cfg, HEAD
		"frontend f\n"
		"  bind 127.0.0.1:65000\n"
		"  acl blocked src,ipmask(32) -f /tmp/rp_test_http_rules.acl\n"
		"  http-request set-map(/tmp/rp_test_http_rules.map) %[req.hdr(k)] %[req.hdr(v)] if { req.hdr(v) -m found }\n"
		"  http-request del-map(/tmp/rp_test_http_rules.map) %[req.hdr(k)] if { req.hdr(del) -m found }\n"
		"  http-request add-acl(/tmp/rp_test_http_rules.acl) 127.0.0.1 if { path /block }\n"
		"  http-request del-acl(/tmp/rp_test_http_rules.acl) 127.0.0.1 if { path /unblock }\n"
		"  http-request set-header X-M %[path,map(/tmp/rp_test_http_rules.map,none)]\n"
		"  http-request set-header X-Blocked 1 if blocked\n");
	EXPECT_INT(e, 0);
	if (!cfg.proxies)
		goto out;
	struct sockaddr_in *in = &strm.cli_addr.u.in4;
	in->sin_family = AF_INET;
	inet_pton(AF_INET, "127.0.0.1", &in->sin_addr);
	strm.cli_addr.len = sizeof(*in);

	load(cfg.proxies, "GET /a HTTP/1.1\r\nHost: a\r\n\r\n", NULL);
	EXPECT_INT(http_rules_exec_req(&strm), RULE_CONTINUE);
	EXPECT(strstr(in_bytes(&strm.req), "x-m: one\r\n\r\n") != NULL);
	load(cfg.proxies, "GET /b HTTP/1.1\r\nHost: a\r\nk: /b\r\nv: two\r\n\r\n", NULL);
	EXPECT_INT(http_rules_exec_req(&strm), RULE_CONTINUE);
	EXPECT(strstr(in_bytes(&strm.req), "x-m: two\r\n\r\n") != NULL);
	load(cfg.proxies, "GET /a HTTP/1.1\r\nHost: a\r\nk: /a\r\ndel: 1\r\n\r\n", NULL);
	EXPECT_INT(http_rules_exec_req(&strm), RULE_CONTINUE);
	EXPECT(strstr(in_bytes(&strm.req), "x-m: none\r\n\r\n") != NULL);
	load(cfg.proxies, "GET /block HTTP/1.1\r\nHost: a\r\n\r\n", NULL);
	EXPECT_INT(http_rules_exec_req(&strm), RULE_CONTINUE);
	EXPECT(strstr(in_bytes(&strm.req), "x-blocked: 1\r\n") != NULL);
	load(cfg.proxies, "GET /unblock HTTP/1.1\r\nHost: a\r\n\r\n", NULL);
	EXPECT_INT(http_rules_exec_req(&strm), RULE_CONTINUE);
	EXPECT(!strstr(in_bytes(&strm.req), "x-blocked"));
	cfg_free(&cfg);
out:
	unlink("/tmp/rp_test_http_rules.map");
	unlink("/tmp/rp_test_http_rules.acl");
}

/* set-src / set-src-port / set-dst-port: what HAProxy 2.6 printed with
 * "%ci:%cp %[src]:%[src_port]" after the same rules. */
static void t_set_addr(void)
{
	struct config cfg;
	int e = parse(&cfg, HEAD
		"frontend f\n"
		"  bind 127.0.0.1:65000\n"
		"  http-request set-src hdr(x-ff) if { req.hdr(x-ff) -m found }\n"
		"  http-request set-src-port hdr(x-port) if { req.hdr(x-port) -m found }\n"
		"  http-request set-dst-port int(8080) if { path /dp }\n"
		"  http-request set-header X-A \"%[src]:%[src_port] %[dst_port]\"\n"
		"  http-request set-src\n");                        /* 12 */
	EXPECT_INT(e, 1);
	EXPECT(has_alert("parsing [t.cfg:12] : error detected in frontend 'f' while parsing 'http-request set-src' rule : missing fetch method.\n"));
	if (!cfg.proxies)
		return;
	static const struct { const char *hdrs, *want; } cases[] = {
		{ "X-FF: 10.1.2.3\r\n", "x-a: 10.1.2.3:40000 80\r\n" },
		{ "X-FF: 2001:db8::1\r\n", "x-a: 2001:db8::1:40000 80\r\n" },
		{ "X-FF: bogus\r\n", "x-a: 127.0.0.1:40000 80\r\n" },
		{ "X-FF: 10.1.2.3\r\nX-Port: 4242\r\n", "x-a: 10.1.2.3:4242 80\r\n" },
	};
	char rq[256];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sockaddr_in *in = &strm.cli_addr.u.in4, *fi = &strm.fe_addr.u.in4;
		memset(&strm.cli_addr, 0, sizeof(strm.cli_addr));
		in->sin_family = AF_INET;
		in->sin_port = htons(40000);
		inet_pton(AF_INET, "127.0.0.1", &in->sin_addr);
		strm.cli_addr.len = sizeof(*in);
		memset(&strm.fe_addr, 0, sizeof(strm.fe_addr));
		fi->sin_family = AF_INET;
		fi->sin_port = htons(80);
		strm.fe_addr.len = sizeof(*fi);
		snprintf(rq, sizeof(rq), "GET / HTTP/1.1\r\nHost: a\r\n%s\r\n", cases[i].hdrs);
		load(cfg.proxies, rq, NULL);
		EXPECT_INT(http_rules_exec_req(&strm), RULE_CONTINUE);
		EXPECT(strstr(in_bytes(&strm.req), cases[i].want) != NULL);
	}
	load(cfg.proxies, "GET /dp HTTP/1.1\r\nHost: a\r\n\r\n", NULL);
	EXPECT_INT(http_rules_exec_req(&strm), RULE_CONTINUE);
	EXPECT(strstr(in_bytes(&strm.req), "x-a: 10.1.2.3:4242 8080\r\n") != NULL);   /* src kept from the last case */
	cfg_free(&cfg);
}

/* return with file, lf-file, errorfile and default-errorfiles: HAProxy
 * 2.6's bytes for the same files. */
static void t_reply_files(void)
{
	struct config cfg;
	FILE *f;
	if ((f = fopen("/tmp/rp_thr_body.txt", "w"))) { fputs("hello file\n", f); fclose(f); }
	if ((f = fopen("/tmp/rp_thr_body.lf", "w"))) { fputs("path=%[path]\n", f); fclose(f); }
	if ((f = fopen("/tmp/rp_thr_raw.http", "w"))) {
		fputs("HTTP/1.1 418 Teapot\r\ncontent-length: 3\r\nx-raw: 1\r\n\r\ntea", f);
		fclose(f);
	}
	int e = parse(&cfg, HEAD
		"frontend f\n"
		"  bind 127.0.0.1:65000\n"
		"  http-request return status 200 content-type text/plain file /tmp/rp_thr_body.txt if { path /file }\n"
		"  http-request return status 200 content-type text/plain lf-file /tmp/rp_thr_body.lf if { path /lffile }\n"
		"  http-request return errorfile /tmp/rp_thr_raw.http if { path /raw }\n"
		"  http-request return status 503 default-errorfiles if { path /def }\n"
		"  http-request return status 200 file /tmp/rp_thr_nope.txt\n");  /* 12 */
	EXPECT_INT(e, 1);
	EXPECT(has_alert("parsing [t.cfg:12] : error detected in frontend 'f' while parsing 'http-request return' rule : "));
	if (cfg.proxies) {
		static const struct { const char *path, *want; } cases[] = {
			{ "/file", "HTTP/1.1 200 OK\r\ncontent-length: 11\r\ncontent-type: text/plain\r\n\r\nhello file\n" },
			{ "/lffile", "HTTP/1.1 200 OK\r\ncontent-length: 13\r\ncontent-type: text/plain\r\n\r\npath=/lffile\n" },
			{ "/raw", "HTTP/1.1 418 Teapot\r\ncontent-length: 3\r\nx-raw: 1\r\n\r\ntea" },
			{ "/def", "HTTP/1.1 503 Service Unavailable\r\ncontent-length: 107\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n\r\n<html><body><h1>503 Service Unavailable</h1>\nNo server is available to handle this request.\n</body></html>\n" },
		};
		char rq[128];
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			snprintf(rq, sizeof(rq), "GET %s HTTP/1.1\r\nHost: a\r\n\r\n", cases[i].path);
			load(cfg.proxies, rq, NULL);
			EXPECT_INT(http_rules_exec_req(&strm), RULE_REPLY);
			EXPECT_SAME(out_bytes(&strm.res), cases[i].want);
		}
		cfg_free(&cfg);
	}
	unlink("/tmp/rp_thr_body.txt");
	unlink("/tmp/rp_thr_body.lf");
	unlink("/tmp/rp_thr_raw.http");
}

/* HTTP rules in a TCP proxy are warned about, as HAProxy 2.6 does. */
static void t_tcp_mode(void)
{
	struct config cfg;
	int e = parse(&cfg,
		"defaults\n  mode tcp\n  timeout client 1s\n  timeout server 1s\n  timeout connect 1s\n"
		"frontend f\n"
		"  bind 127.0.0.1:65000\n"
		"  http-request deny\n"
		"  http-response deny\n"
		"  redirect location /\n"
		"  default_backend b\n"
		"backend b\n"
		"  http-request deny\n"
		"  server s 127.0.0.1:1\n");
	EXPECT_INT(e, 0);
	EXPECT(has_alert("[WARNING]  ("));
	EXPECT(has_alert(" : config : 'http-request' rules ignored for frontend 'f' as they require HTTP mode.\n"));
	EXPECT(has_alert(" : config : 'http-response' rules ignored for frontend 'f' as they require HTTP mode.\n"));
	EXPECT(has_alert(" : config : 'redirect' rules ignored for frontend 'f' as they require HTTP mode.\n"));
	EXPECT(has_alert(" : config : 'http-request' rules ignored for backend 'b' as they require HTTP mode.\n"));
	cfg_free(&cfg);
}

/* The "redirect" keyword: after the http-request rules, HAProxy's messages. */
static void t_redirect_kw(void)
{
	struct config cfg;
	int e = parse(&cfg, HEAD
		"frontend f\n"
		"  bind 127.0.0.1:65000\n"
		"  redirect prefix /new code 308 if { path_beg /old }\n"
		"  http-request deny if { path_beg /old/deny }\n"
		"  http-request set-header X-Seen 1\n");
	EXPECT_INT(e, 0);
	if (!cfg.proxies)
		return;
	load(cfg.proxies, "GET /old/a?x HTTP/1.1\r\nHost: a\r\n\r\n", NULL);
	EXPECT_INT(http_rules_exec_req(&strm), RULE_REPLY);
	EXPECT_SAME(out_bytes(&strm.res), "HTTP/1.1 308 Permanent Redirect\r\ncontent-length: 0\r\nlocation: /new/old/a?x\r\n\r\n");
	load(cfg.proxies, "GET /old/deny HTTP/1.1\r\nHost: a\r\n\r\n", NULL);
	EXPECT_INT(http_rules_exec_req(&strm), RULE_REPLY);
	EXPECT(!strncmp(out_bytes(&strm.res), "HTTP/1.1 403 ", 13));
	load(cfg.proxies, "GET /a HTTP/1.1\r\nHost: a\r\n\r\n", NULL);
	EXPECT_INT(http_rules_exec_req(&strm), RULE_CONTINUE);
	EXPECT_INT(chan_out_len(&strm.res), 0);
	cfg_free(&cfg);

	e = parse(&cfg, HEAD
		"  redirect location /x\n"                         /* 6 */
		"frontend f\n"
		"  redirect\n"                                     /* 8 */
		"  redirect location\n"
		"  redirect foo /x\n"                              /* 10 */
		"  redirect location /x code 305\n"
		"  redirect location /x if xx\n");                 /* 12 */
	EXPECT_INT(e, 6);
	EXPECT(has_alert("parsing [t.cfg:6] : 'redirect' not allowed in 'defaults' section.\n"));
	EXPECT(has_alert("parsing [t.cfg:8] : error detected in frontend 'f' while parsing redirect rule : redirection type expected ('prefix', 'location', or 'scheme').\n"));
	EXPECT(has_alert("parsing [t.cfg:9] : error detected in frontend 'f' while parsing redirect rule : missing argument for 'location'.\n"));
	EXPECT(has_alert("parsing [t.cfg:10] : error detected in frontend 'f' while parsing redirect rule : expects 'code', 'prefix', 'location', 'scheme', 'set-cookie', 'clear-cookie', 'drop-query', 'ignore-empty' or 'append-slash' (was 'foo').\n"));
	EXPECT(has_alert("parsing [t.cfg:11] : error detected in frontend 'f' while parsing redirect rule : 'code': unsupported HTTP code '305' (must be one of 301, 302, 303, 307 or 308).\n"));
	EXPECT(has_alert("parsing [t.cfg:12] : error detected in frontend 'f' while parsing redirect rule : error in condition: no such ACL : 'xx'.\n"));
	cfg_free(&cfg);
}

int main(void)
{
	chan_pool_init(&pool, 16384, NULL, NULL);
	chan_init(&strm.req, &pool, 1 << 20);
	chan_init(&strm.res, &pool, 1 << 20);
	RUN(t_parse_errors);
	RUN(t_cond_warnings);
	RUN(t_request_rewrites);
	RUN(t_response_rewrites);
	RUN(t_replies);
	RUN(t_userlist);
	RUN(t_captures);
	RUN(t_defaults);
	RUN(t_redirect_kw);
	RUN(t_tcp_mode);
	RUN(t_after_response);
	RUN(t_map_acl);
	RUN(t_set_addr);
	RUN(t_reply_files);
	chan_reset(&strm.req);
	chan_reset(&strm.res);
	vars_clear(&strm.vars_txn);
	chan_pool_destroy(&pool);
	return unit_end();
}
