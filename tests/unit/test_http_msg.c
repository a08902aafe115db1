/* test_http_msg.c: the HTTP message layer over a channel — parsing split
 * at every byte into two and three segments, HAProxy's policy (what it
 * normalises, what it rejects with 400/502), accessors and editors (each
 * edit checked byte for byte, then re-parsed from the edited bytes). */
#include <errno.h>

#include "tests/unit/unit.h"
#include "engine/http.h"
#include "engine/logfmt.h"
#include "engine/sample.h"
#include "regex/rx.h"

static struct chan_pool pool;

/* Heap chunks allocated and not on the pool's free list. */
static uint64_t chunks_in_use(void)
{
	uint64_t n = pool.nb_chunks;

	for (struct chunk *c = pool.free_chunks; c; c = c->next_free)
		n--;
	return n;
}

/* Loads <s> into <c> as segments cut at <cut1> and <cut2> (0 = no cut). */
static void load(struct chan *c, const char *s, size_t len, size_t cut1, size_t cut2)
{
	size_t a = cut1 && cut1 < len ? cut1 : len;
	size_t b = cut2 && cut2 > a && cut2 < len ? cut2 : len;

	chan_init(c, &pool, 1 << 20);
	chan_put_data(c, s, a);
	if (b > a)
		chan_put_data(c, s + a, b - a);
	if (len > b)
		chan_put_data(c, s + b, len - b);
}

/* Returns a NUL-terminated copy of a span (static buffer, rotating). */
static const char *sp(const struct http_msg *m, struct h1_span s)
{
	static char bufs[4][4096];
	static int k;
	char *b = bufs[k++ & 3], tmp[4096];
	size_t len;
	const char *p = http_span(m, s, tmp, sizeof(tmp), &len);

	if (!p)
		return "(null)";
	memcpy(b, p, len);
	b[len] = 0;
	return b;
}

/* The channel's whole input as a string. */
static const char *dump(const struct chan *c)
{
	static char b[65536];
	size_t n = chan_copy_in(c, 0, b, sizeof(b) - 1);

	b[n] = 0;
	return b;
}

/* A description of everything the accessors see, to compare parses. */
static void describe(const struct http_msg *m, char *out, size_t outsz)
{
	struct h1_span p, q, v;
	struct http_val hv;
	size_t n = 0;

	n += (size_t)snprintf(out + n, outsz - n, "%s|%s|%s|", sp(m, m->h1.meth), sp(m, m->h1.uri),
	                      sp(m, m->h1.ver));
	if (m->is_resp)
		n += (size_t)snprintf(out + n, outsz - n, "%d|%s|", http_get_status(m), sp(m, m->h1.reason));
	n += (size_t)snprintf(out + n, outsz - n, "%s|", http_uri_path(m, &p) ? sp(m, p) : "-");
	n += (size_t)snprintf(out + n, outsz - n, "%s|", http_uri_query(m, &q) ? sp(m, q) : "-");
	for (int i = 0; i < http_hdr_count(m); i++)
		n += (size_t)snprintf(out + n, outsz - n, "[%s=%s]", sp(m, m->hdrs[i].n), sp(m, m->hdrs[i].v));
	for (int o = 1; o <= 6; o++)
		if (http_val_find(m, "x", 1, 0, o, &hv) >= o)
			n += (size_t)snprintf(out + n, outsz - n, "<%s>", sp(m, hv.v));
	if (http_cookie_find(m, "c", 1, -1, &v))
		n += (size_t)snprintf(out + n, outsz - n, "c=%s", sp(m, v));
	if (http_url_param(m, "a", 1, '&', &v))
		n += (size_t)snprintf(out + n, outsz - n, " a=%s", sp(m, v));
}

static const char req1[] =
	"GET /show/a?x=1&a=2;a=3 HTTP/1.1\r\n"
	"Host: ex.com\r\n"
	"X: a, b ,, \"c,d\"\r\n"
	"X: e\r\n"
	"Cookie: a=1; c=2\r\n"
	"Cookie: c=3;d=4\r\n"
	"\r\n";

static void t_parse_whole(void)
{
	struct chan c;
	struct http_msg m;
	char d[4096];

	load(&c, req1, strlen(req1), 0, 0);
	http_msg_init(&m, &c, 0, 0, 0);
	EXPECT_INT(http_msg_parse(&m), HTTP_PARSE_DONE);
	describe(&m, d, sizeof(d));
	EXPECT_STR(d, "GET|/show/a?x=1&a=2;a=3|HTTP/1.1|/show/a|x=1&a=2;a=3|[host=ex.com]"
	              "[x=a, b ,, \"c,d\"][x=e][cookie=a=1; c=2][cookie=c=3;d=4]"
	              "<a><b><><\"c,d\"><e>c=3 a=2");
	EXPECT_INT(http_val_find(&m, "x", 1, 0, 0, NULL), 5);      /* HAProxy: hdr_cnt(x) = 5 */
	EXPECT_INT(http_val_find(&m, "X", 1, 1, 0, NULL), 2);      /* fhdr_cnt */
	EXPECT_INT(http_get_meth_id(&m), H1_M_GET);
	EXPECT_INT(m.h1.meth_id, H1_M_GET);         /* set once parsed, for the stream */
	EXPECT_INT(http_set_method(&m, "HEAD", 4), 0);
	EXPECT_INT(m.h1.meth_id, H1_M_HEAD);
	chan_reset(&c);
}

/* Every split into two and three segments gives the same view. */
static void t_parse_split(void)
{
	size_t len = strlen(req1);
	char ref[4096], d[4096];
	struct chan c;
	struct http_msg m;
	int bad = 0;

	load(&c, req1, len, 0, 0);
	http_msg_init(&m, &c, 0, 0, 0);
	http_msg_parse(&m);
	describe(&m, ref, sizeof(ref));
	chan_reset(&c);
	for (size_t i = 1; i < len && !bad; i++)
		for (size_t j = i; j < len && !bad; j++) {
			load(&c, req1, len, i, j == i ? 0 : j);
			http_msg_init(&m, &c, 0, 0, 0);
			if (http_msg_parse(&m) != HTTP_PARSE_DONE)
				bad = 1;
			describe(&m, d, sizeof(d));
			if (strcmp(d, ref))
				bad = 2;
			chan_reset(&c);
		}
	EXPECT_INT(bad, 0);
}

/* Data arriving byte by byte: AGAIN until the blank line, then DONE. */
static void t_parse_incremental(void)
{
	size_t len = strlen(req1);
	struct chan c;
	struct http_msg m;
	int again = 0;

	chan_init(&c, &pool, 1 << 20);
	http_msg_init(&m, &c, 0, 0, 0);
	for (size_t i = 0; i < len; i++) {
		chan_put_data(&c, req1 + i, 1);
		int r = http_msg_parse(&m);

		if (i + 1 < len)
			again += r == HTTP_PARSE_AGAIN;
		else
			EXPECT_INT(r, HTTP_PARSE_DONE);
	}
	EXPECT_INT(again, (int)len - 1);
	EXPECT_STR(sp(&m, m.hdrs[4].v), "c=3;d=4");
	chan_reset(&c);
}

/* The body followed after the headers left the input part, arriving in
 * pieces, chunked: the end of the message is found where it is. */
static void t_body_after_forward(void)
{
	static const char hd[] = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
	static const char *pieces[] = { "5\r\nhel", "lo\r\n", "0\r", "\n\r\n", "GET /next" };
	struct chan c;
	struct http_msg m;
	int r = HTTP_PARSE_AGAIN;

	chan_init(&c, &pool, 1 << 20);
	chan_put_data(&c, hd, strlen(hd));
	http_msg_init(&m, &c, 0, 0, 0);
	EXPECT_INT(http_msg_parse(&m), HTTP_PARSE_DONE);
	chan_forward(&c, m.h1.hdr_len);
	http_msg_fwd(&m, m.h1.hdr_len);
	for (size_t i = 0; i < 5; i++) {
		chan_put_data(&c, pieces[i], strlen(pieces[i]));
		r = http_msg_body_parse(&m);
		if (i < 3)
			EXPECT_INT(r, HTTP_PARSE_AGAIN);
	}
	EXPECT_INT(r, HTTP_PARSE_DONE);
	/* the message ends before the next request's bytes */
	EXPECT_INT(m.h1.pos, (int)(strlen(hd) + strlen("5\r\nhello\r\n0\r\n\r\n")));
	/* editing is refused now */
	EXPECT_INT(http_hdr_add(&m, "x", 1, "y", 1), -EINVAL);
	chan_reset(&c);
}

/* Parses <s>; returns the parse result and leaves the message in <m>. */
static int parse_str(struct chan *c, struct http_msg *m, const char *s, int resp)
{
	load(c, s, strlen(s), 0, 0);
	http_msg_init(m, c, resp, 0, 0);
	return http_msg_parse(m);
}

static void expect_reject(const char *s, int resp, int status)
{
	struct chan c;
	struct http_msg m;
	int r = parse_str(&c, &m, s, resp);

	if (r != HTTP_PARSE_ERR)
		printf("  accepted: %.60s\n", s);
	EXPECT_INT(r, HTTP_PARSE_ERR);
	EXPECT_INT(http_msg_err_status(&m), status);
	chan_reset(&c);
}

/* What HAProxy 2.6 answers with 400 (requests) or 502 (responses). */
static void t_policy_reject(void)
{
	expect_reject("GET /\xc3\xa9 HTTP/1.1\r\n\r\n", 0, 400);               /* non-ASCII URI */
	expect_reject("POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", 0, 400);
	expect_reject("POST / HTTP/1.1\r\nContent-Length: 3, 4\r\n\r\n", 0, 400);
	expect_reject("GET /\r\n\r\n", 0, 400);                                 /* HTTP/0.9 */
	expect_reject("POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 0, 400);
	expect_reject("GET / HTTP/1.1\r\nBad Name: x\r\n\r\n", 0, 400);
	expect_reject("GET / HTTP/1.1\r\nX: a\rb\r\n\r\n", 0, 400);             /* bare CR */
	expect_reject("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 0, 400);
	expect_reject("GET http://h.com/ HTTP/1.1\r\nHost: ex.com\r\n\r\n", 0, 400);
	expect_reject("HTTP/1.1 abc OK\r\n\r\n", 1, 502);
	expect_reject("garbage\r\n\r\n", 1, 502);
	{
		/* 101 headers: HAProxy's 400; 100 fit */
		static char big[8192];
		size_t n = (size_t)snprintf(big, sizeof(big), "GET / HTTP/1.1\r\n");
		struct chan c;
		struct http_msg m;

		for (int i = 0; i < 100; i++)
			n += (size_t)snprintf(big + n, sizeof(big) - n, "X-%d: a\r\n", i);
		snprintf(big + n, sizeof(big) - n, "\r\n");
		EXPECT_INT(parse_str(&c, &m, big, 0), HTTP_PARSE_DONE);
		chan_reset(&c);
		snprintf(big + n, sizeof(big) - n, "X-100: a\r\n\r\n");
		expect_reject(big, 0, 400);
	}
	{
		/* headers beyond tune.bufsize - tune.maxrewrite: 400 */
		static char big[20000];
		size_t n = (size_t)snprintf(big, sizeof(big), "GET / HTTP/1.1\r\nX-Big: ");

		memset(big + n, 'a', 16000);
		snprintf(big + n + 16000, sizeof(big) - n - 16000, "\r\n\r\n");
		expect_reject(big, 0, 400);
	}
	{
		/* exactly max_hdr_len bytes of headers pass, one more fails, in
		 * every split (the bulk scans stop at the limit) */
		char rq[128];
		size_t n = (size_t)snprintf(rq, sizeof(rq), "GET / HTTP/1.1\r\nX-Long: ");

		while (n < 100 - 4)
			rq[n++] = 'v';
		memcpy(rq + n, "\r\n\r\n", 5);
		n += 4;
		for (size_t cut = 0; cut < n; cut++) {
			struct chan c;
			struct http_msg m;

			load(&c, rq, n, cut, 0);
			http_msg_init(&m, &c, 0, 0, 100);
			EXPECT_INT(http_msg_parse(&m), HTTP_PARSE_DONE);
			chan_reset(&c);
			load(&c, rq, n, cut, 0);
			http_msg_init(&m, &c, 0, 0, 99);
			EXPECT_INT(http_msg_parse(&m), HTTP_PARSE_ERR);
			EXPECT_INT(m.h1.err, H1_E_TOO_LARGE);
			chan_reset(&c);
		}
	}
	{
		/* the client closed before the end of the headers */
		struct chan c;
		struct http_msg m;

		EXPECT_INT(parse_str(&c, &m, "GET / HTTP/1.1\r\nHost: a\r\n", 0), HTTP_PARSE_AGAIN);
		c.flags |= CHAN_SHUTR;
		EXPECT_INT(http_msg_parse(&m), HTTP_PARSE_ERR);
		EXPECT_INT(http_msg_err_status(&m), 400);
		chan_reset(&c);
	}
}

/* What HAProxy 2.6 accepts, and how it normalises it. */
static void t_policy_accept(void)
{
	struct chan c;
	struct http_msg m;

	/* obs-fold: CR and LF become spaces inside the value */
	EXPECT_INT(parse_str(&c, &m, "GET /x HTTP/1.1\r\nX-A: a\r\n \t b\r\nX-B: c\r\n\r\n", 0), HTTP_PARSE_DONE);
	EXPECT_STR(dump(&c), "GET /x HTTP/1.1\r\nx-a: a   \t b\r\nx-b: c\r\n\r\n");
	EXPECT_STR(sp(&m, m.hdrs[0].v), "a   \t b");
	EXPECT_INT(http_hdr_count(&m), 2);
	chan_reset(&c);

	/* "Content-Length: 3, 3" becomes one value */
	EXPECT_INT(parse_str(&c, &m, "POST /x HTTP/1.1\r\nContent-Length: 3, 3\r\n\r\nabc", 0), HTTP_PARSE_DONE);
	EXPECT_STR(dump(&c), "POST /x HTTP/1.1\r\ncontent-length: 3\r\n\r\nabc");
	EXPECT_INT(m.h1.hdr_len, 39);
	chan_reset(&c);

	/* a duplicate equal Content-Length is dropped */
	EXPECT_INT(parse_str(&c, &m, "POST /x HTTP/1.1\r\nContent-Length: 3\r\nX: y\r\ncontent-length: 3\r\n\r\nabc", 0),
	           HTTP_PARSE_DONE);
	EXPECT_STR(dump(&c), "POST /x HTTP/1.1\r\ncontent-length: 3\r\nx: y\r\n\r\nabc");
	EXPECT_INT(http_hdr_count(&m), 2);
	chan_reset(&c);

	/* Content-Length with Transfer-Encoding: chunked wins, CL removed */
	EXPECT_INT(parse_str(&c, &m, "POST /x HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
	                     "3\r\nabc\r\n0\r\n\r\n", 0), HTTP_PARSE_DONE);
	EXPECT_STR(dump(&c), "POST /x HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
	EXPECT_INT(http_msg_body_parse(&m), HTTP_PARSE_DONE);
	EXPECT_INT(m.h1.pos, (int)strlen(dump(&c)));
	chan_reset(&c);

	/* bare LF, lowercase method, NUL/CTL/DEL in values, HTTP/1.1 without Host */
	{
		static const char s[] = "get /p HTTP/1.1\nX: a\x01\x7f" "b\n\n";

		EXPECT_INT(parse_str(&c, &m, s, 0), HTTP_PARSE_DONE);
		EXPECT_STR(sp(&m, m.h1.meth), "get");
		EXPECT_INT(http_get_meth_id(&m), H1_M_OTHER);
		EXPECT_STR(sp(&m, m.hdrs[0].v), "a\x01\x7f" "b");
		chan_reset(&c);
	}
	{
		static const char s[] = "GET / HTTP/1.1\r\nX: a\0b\r\n\r\n";

		load(&c, s, sizeof(s) - 1, 0, 0);
		http_msg_init(&m, &c, 0, 0, 0);
		EXPECT_INT(http_msg_parse(&m), HTTP_PARSE_DONE);
		EXPECT_INT(m.hdrs[0].v.len, 3);
		chan_reset(&c);
	}
	/* absolute URI whose authority matches Host (any case); equal duplicate Host */
	EXPECT_INT(parse_str(&c, &m, "GET HTTP://h.com/show HTTP/1.1\r\nhost: H.COM\r\n\r\n", 0), HTTP_PARSE_DONE);
	chan_reset(&c);
	EXPECT_INT(parse_str(&c, &m, "GET / HTTP/1.1\r\nhost: a\r\nHost: a\r\n\r\n", 0), HTTP_PARSE_DONE);
	chan_reset(&c);
	/* response: status and reason */
	EXPECT_INT(parse_str(&c, &m, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", 1), HTTP_PARSE_DONE);
	EXPECT_INT(http_get_status(&m), 404);
	EXPECT_STR(sp(&m, m.h1.reason), "Not Found");
	chan_reset(&c);
}

/* Request bytes and the status HAProxy 2.6 answered (200 = forwarded to an
 * echo server), from socat against /usr/sbin/haproxy in mode http. */
static const struct { int status; const char *req; size_t len; } hap_cases[] = {
	{ 400, "GET / HTTP/1.1\r\nContent-Length: abc\r\n\r\n", 0 },
	{ 400, "GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 0 },
	{ 400, "GET / HTTP/1.1\r\nContent-Length:\r\n\r\n", 0 },
	{ 400, "GET / HTTP/1.1\r\nContent-Length: 1 2\r\n\r\nab", 0 },
	{ 200, "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 0 },
	{ 422, "POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 0 },
	{ 400, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n", 0 },
	{ 400, "POST / HTTP/1.1\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n", 0 },
	{ 400, "POST / HTTP/1.1\r\nTransfer-Encoding: \r\n\r\n", 0 },
	{ 400, "GET / HTTP/1.1\r\n: novalue\r\n\r\n", 0 },
	{ 200, "GET / HTTP/1.1\r\nX:\x80\xff\r\n\r\n", 0 },
	{ 400, "GET / HTTP/1.1\r\nX\t: y\r\n\r\n", 0 },
	{ 400, "GET / HTTP/1.1\r\n X: y\r\n\r\n", 0 },
	{ 200, "GET / HTTP/2.0\r\n\r\n", 0 },
	{ 400, "GET / HTTP/1.10\r\n\r\n", 0 },
	{ 400, "GET / http/1.1\r\n\r\n", 0 },
	{ 400, "GET / HTTP/1.1 \r\n\r\n", 0 },
	{ 200, "GET  /  HTTP/1.1\r\n\r\n", 0 },
	{ 400, "GET /a b HTTP/1.1\r\n\r\n", 0 },
	{ 200, "GET /\"x\" HTTP/1.1\r\n\r\n", 0 },
	{ 200, "GET /{x} HTTP/1.1\r\n\r\n", 0 },
	{ 400, "GET /x#frag HTTP/1.1\r\n\r\n", 0 },
	{ 400, "GET /x\x7f HTTP/1.1\r\n\r\n", 0 },
	{ 200, "\r\n\r\nGET / HTTP/1.1\r\n\r\n", 0 },
	{ 400, "G@T / HTTP/1.1\r\n\r\n", 0 },
	{ 200, "GET * HTTP/1.1\r\n\r\n", 0 },
	{ 200, "CONNECT h.com:443 HTTP/1.1\r\nHost: h.com:443\r\n\r\n", 0 },
	{ 200, "GET h.com HTTP/1.1\r\n\r\n", 0 },
	{ 200, "GET http://h.com:80/ HTTP/1.1\r\nHost: h.com\r\n\r\n", 0 },
	{ 200, "GET http://h.com/ HTTP/1.1\r\nHost: h.com:80\r\n\r\n", 0 },
	{ 200, "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 0 },
	{ 200, "GET / HTTP/1.1\r\nHost:\r\n\r\n", 0 },
	{ 200, "GET / HTTP/1.1\r\nHost: a\r\nhost: A\r\n\r\n", 0 },
	{ 200, "GET / HTTP/1.1\r\nHost: a,b\r\n\r\n", 0 },
	{ 400, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nZ\r\n\r\n", 0 },
	{ 200, "POST / HTTP/1.1\r\nTransfer-Encoding: Chunked\r\n\r\n0\r\n\r\n", 0 },
	{ 200, "GET / HTTP/1.1\r\nX: a\r\n\tb\r\n\r\n", 0 },
	{ 400, "GET / HTTP/1.1\r\nX:a\r\r\n\r\n", 0 },
	{ 200, "GET / HTTP/1.0\r\n\r\n", 0 },
	{ 200, "GET / HTTP/1.1\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n", 0 },
	{ 200, "GET / HTTP/1.1\r\nContent-Length: 0\r\nContent-Length: 0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 0 },
	{ 400, "GET http://h.com:81/ HTTP/1.1\r\nHost: h.com\r\n\r\n", 0 },
	{ 200, "GET https://h.com:443/ HTTP/1.1\r\nHost: h.com\r\n\r\n", 0 },
	{ 400, "GET https://h.com/ HTTP/1.1\r\nHost: h.com:80\r\n\r\n", 0 },
	{ 400, "GET http://h.com/ HTTP/1.1\r\nHost: h.com:443\r\n\r\n", 0 },
	{ 200, "GET http://h.com:/ HTTP/1.1\r\nHost: h.com\r\n\r\n", 0 },
	{ 200, "GET http://u@h.com/ HTTP/1.1\r\nHost: h.com\r\n\r\n", 0 },
	{ 400, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n", 0 },
	{ 422, "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 0 },
	{ 422, "POST / HTTP/1.1\r\nTransfer-Encoding: identity, chunked\r\n\r\n0\r\n\r\n", 0 },
	/* a WebSocket handshake needs its key; an Upgrade alone is no handshake */
	{ 400, "GET / HTTP/1.1\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n", 0 },
	{ 400, "GET / HTTP/1.1\r\nConnection: keep-alive, Upgrade\r\nUpgrade: foo, WebSocket\r\n\r\n", 0 },
	{ 200, "GET / HTTP/1.1\r\nConnection: upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: a\r\n\r\n", 0 },
	{ 200, "GET / HTTP/1.1\r\nUpgrade: websocket\r\n\r\n", 0 },
	{ 200, "GET / HTTP/1.1\r\nConnection: upgrade\r\nUpgrade: h2c\r\n\r\n", 0 },
	{ 400, "GET / HTTP/1.1\r\nHost: a\r\nHost: a:80\r\n\r\n", 0 },
	{ 200, "GET / HTTP/1.1\r\nX-y_z.w: 1\r\n\r\n", 0 },
	{ 400, "GET / HTTP/1.1\r\nX(: 1\r\n\r\n", 0 },
	{ 200, "GET / HTTP/1.1\r\nX: 1\r\n\n", 0 },
	{ 200, "GET / HTTP/1.1\r\nX: 1\n\r\n", 0 },
	{ 400, "GET /\x00 HTTP/1.1\r\n\r\n", 19 },     /* NUL in the URI */
	{ 400, "GET / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n", 0 },
	{ 400, "GET / HTTP/1.1\r\nContent-Length: +5\r\n\r\n", 0 },
	{ 200, "GET / HTTP/1.1\r\nContent-Length: 05\r\n\r\nabcde", 0 },
	{ 400, "POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n", 0 },
	{ 200, "GET\t/ HTTP/1.1\r\n\r\n", 0 },
	{ 200, "GET /\tHTTP/1.1\r\n\r\n", 0 },
	{ 400, "GET / HTTP/1.1\r\r\n\r\n", 0 },
	{ 200, "GET / HTTP/1.1\n\r\n", 0 },
	{ 400, " GET / HTTP/1.1\r\n\r\n", 0 },
	{ 400, "GET / HTTP/1.1\r\nHost: a\r\n\r\r\n", 0 },
	{ 200, "GET / HTTP/1.1\r\nX: a\r\n\r\n", 0 },
	{ 400, "GET / HTTP/1.1\r\nX : a\r\n\r\n", 0 },
	{ 400, "GET / HTTP/1.1\r\nX:a\r\nY\r\n\r\n", 0 },
	{ 400, "GET /?a=b#c HTTP/1.1\r\n\r\n", 0 },
	{ 400, "GET http://a.com?x HTTP/1.1\r\nHost: a.com\r\n\r\n", 0 },
	{ 200, "GET http://a.com:8080/ HTTP/1.1\r\nHost: a.com:8080\r\n\r\n", 0 },
	{ 200, "GET //x HTTP/1.1\r\n\r\n", 0 },
	{ 200, "GET /x HTTP/0.9\r\n\r\n", 0 },
	{ 200, "GET /x HTTP/1.2\r\n\r\n", 0 },
	{ 200, "GET /x HTTP/9.9\r\n\r\n", 0 },
};

/* The whole table: each request fed to a fresh message (the client then
 * closed), the body parsed too; the verdict must be HAProxy's. */
static void t_haproxy_table(void)
{
	for (size_t i = 0; i < sizeof(hap_cases) / sizeof(hap_cases[0]); i++) {
		size_t len = hap_cases[i].len ? hap_cases[i].len : strlen(hap_cases[i].req);
		struct chan c;
		struct http_msg m;
		int r, got;

		load(&c, hap_cases[i].req, len, 0, 0);
		c.flags |= CHAN_SHUTR;
		http_msg_init(&m, &c, 0, 0, 0);
		r = http_msg_parse(&m);
		if (r == HTTP_PARSE_DONE && m.state == HTTP_MSG_BODY)
			r = http_msg_body_parse(&m);
		got = r == HTTP_PARSE_DONE ? 200 : r == HTTP_PARSE_ERR ? http_msg_err_status(&m) : 0;
		if (got != hap_cases[i].status)
			printf("  case %zu: %d, HAProxy %d: %.60s\n", i, got, hap_cases[i].status, hap_cases[i].req);
		EXPECT_INT(got, hap_cases[i].status);
		chan_reset(&c);
	}
}

/* Server responses and what HAProxy 2.6 did with them (200 = forwarded,
 * 502 = refused), captured with socat behind /usr/sbin/haproxy. */
static const struct { int status; const char *rsp; } hap_rsp_cases[] = {
	{ 200, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok" },
	{ 200, "HTTP/1.1 200\r\nContent-Length: 2\r\n\r\nok" },
	{ 200, "HTTP/1.1 200 \r\nContent-Length: 2\r\n\r\nok" },
	{ 200, "HTTP/1.1 99 X\r\nContent-Length: 2\r\n\r\nok" },
	{ 200, "HTTP/1.1 2000 X\r\nContent-Length: 2\r\n\r\nok" },
	{ 502, "http/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok" },
	{ 502, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok" },
	{ 200, "HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\nok" },
	{ 200, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n" },
	{ 502, "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nok" },
	{ 502, "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n" },
	{ 502, "HTTP/1.1 200 OK\r\nBad Name: x\r\nContent-Length: 2\r\n\r\nok" },
	{ 502, "HTTP/1.1 200 OK\r\nX: a\rb\r\nContent-Length: 2\r\n\r\nok" },
	{ 200, "HTTP/1.1 200 OK\nContent-Length: 2\n\nok" },
	{ 200, "HTTP/1.1 200 OK\r\nX: a\r\n b\r\nContent-Length: 2\r\n\r\nok" },
	{ 200, "HTTP/1.0 200 OK\r\n\r\nok" },
	{ 200, "HTTP/1.1 200 O\x01K\r\nContent-Length: 2\r\n\r\nok" },
	{ 502, "HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\nok" },
};

static void t_haproxy_rsp_table(void)
{
	for (size_t i = 0; i < sizeof(hap_rsp_cases) / sizeof(hap_rsp_cases[0]); i++) {
		struct chan c;
		struct http_msg m;
		int r, got;

		load(&c, hap_rsp_cases[i].rsp, strlen(hap_rsp_cases[i].rsp), 0, 0);
		c.flags |= CHAN_SHUTR;
		http_msg_init(&m, &c, 1, 0, 0);
		r = http_msg_parse(&m);
		if (r == HTTP_PARSE_DONE && m.state == HTTP_MSG_BODY)
			r = http_msg_body_parse(&m);
		got = r == HTTP_PARSE_DONE ? 200 : r == HTTP_PARSE_ERR ? http_msg_err_status(&m) : 0;
		if (got != hap_rsp_cases[i].status)
			printf("  case %zu: %d, HAProxy %d: %.60s\n", i, got, hap_rsp_cases[i].status, hap_rsp_cases[i].rsp);
		EXPECT_INT(got, hap_rsp_cases[i].status);
		chan_reset(&c);
	}
}


/* Chunked request bodies and HAProxy 2.6's verdict (with "option
 * http-buffer-request", so that it reads the whole body before answering). */
static const struct { int status; const char *body; } hap_chunk_cases[] = {
	{ 200, "3\r\nabc\r\n0\r\n\r\n" },
	{ 200, "3 \r\nabc\r\n0\r\n\r\n" },
	{ 200, "3\t;x=y\r\nabc\r\n0\r\n\r\n" },
	{ 200, "3;x=\"a b\"\r\nabc\r\n0\r\n\r\n" },
	{ 200, "03\r\nabc\r\n0\r\n\r\n" },
	{ 200, "3\nabc\n0\n\n" },
	{ 400, "g\r\nabc\r\n0\r\n\r\n" },
	{ 400, "3\r\nabcd\r\n0\r\n\r\n" },
	{ 200, "3\r\nabc\r\n0\r\nX-T: 1\r\n\r\n" },
	{ 400, "3\r\nabc\r\n0\r\nBad Trailer\r\n\r\n" },
	{ 400, "ffffffffffffffffff\r\nabc\r\n0\r\n\r\n" },
	{ 400, "\r\n3\r\nabc\r\n0\r\n\r\n" },
	{ 200, "3\r\nabc\r\n00\r\n\r\n" },
	{ 400, "3\r\nabc\r0\r\n\r\n" },
	{ 200, "3;\r\nabc\r\n0\r\n\r\n" },
	{ 400, " 3\r\nabc\r\n0\r\n\r\n" },
};

static void t_haproxy_chunk_table(void)
{
	for (size_t i = 0; i < sizeof(hap_chunk_cases) / sizeof(hap_chunk_cases[0]); i++) {
		char req[256];
		struct chan c;
		struct http_msg m;
		int r, got;

		snprintf(req, sizeof(req), "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n%s",
		         hap_chunk_cases[i].body);
		load(&c, req, strlen(req), 0, 0);
		c.flags |= CHAN_SHUTR;
		http_msg_init(&m, &c, 0, 0, 0);
		r = http_msg_parse(&m);
		if (r == HTTP_PARSE_DONE && m.state == HTTP_MSG_BODY)
			r = http_msg_body_parse(&m);
		got = r == HTTP_PARSE_DONE ? 200 : r == HTTP_PARSE_ERR ? http_msg_err_status(&m) : 0;
		if (got != hap_chunk_cases[i].status)
			printf("  case %zu: %d, HAProxy %d: %.60s\n", i, got, hap_chunk_cases[i].status,
			       hap_chunk_cases[i].body);
		EXPECT_INT(got, hap_chunk_cases[i].status);
		chan_reset(&c);
	}
}

/* Random mutations of a request, parsed whole and cut at random places
 * into up to three segments: same verdict, same view, no crash (run it
 * under ASan/UBSan with "make SAN=1"). */
static void t_random_splits(void)
{
	static const char base[] = "POST http://ex.com/a?b=c HTTP/1.1\r\nHost: ex.com\r\nX: a, \"b,c\"\r\n"
	                           "Cookie: k=v; c=1\r\nContent-Length: 4\r\n \tfold\r\n\r\nbody";
	static const char alphabet[] = "\r\n :,;=\"\t\x00\x7f\x80" "aZ09/?#";
	unsigned seed = 12345;
	int mismatches = 0;

	for (int it = 0; it < 20000; it++) {
		char req[sizeof(base)], ref[4096], d[4096];
		size_t len = sizeof(base) - 1;
		struct chan c;
		struct http_msg m;
		int r1, r2, nmut;

		memcpy(req, base, sizeof(base));
		seed = seed * 1103515245u + 12345u;
		nmut = 1 + (int)((seed >> 16) % 3);
		for (int k = 0; k < nmut; k++) {
			seed = seed * 1103515245u + 12345u;
			req[(seed >> 8) % len] = alphabet[(seed >> 20) % (sizeof(alphabet) - 1)];
		}
		load(&c, req, len, 0, 0);
		c.flags |= CHAN_SHUTR;
		http_msg_init(&m, &c, 0, 0, 0);
		r1 = http_msg_parse(&m);
		ref[0] = 0;
		if (r1 == HTTP_PARSE_DONE)
			describe(&m, ref, sizeof(ref));
		chan_reset(&c);

		seed = seed * 1103515245u + 12345u;
		load(&c, req, len, 1 + (seed >> 8) % len, 1 + (seed >> 18) % len);
		c.flags |= CHAN_SHUTR;
		http_msg_init(&m, &c, 0, 0, 0);
		r2 = http_msg_parse(&m);
		d[0] = 0;
		if (r2 == HTTP_PARSE_DONE)
			describe(&m, d, sizeof(d));
		chan_reset(&c);
		if (r1 != r2 || strcmp(ref, d)) {
			if (!mismatches)
				printf("  differs (%d/%d): %.80s\n", r1, r2, req);
			mismatches++;
		}
	}
	EXPECT_INT(mismatches, 0);
}

static void reparse_same(struct http_msg *m);

/* The header block in the shape HAProxy forwards (captured from what its
 * server side received): single spaces, "name: value", CRLF, no blank
 * lines before the request, "HTTP/1.1 200 " without a reason; versions
 * above 1.1 sent as 1.1, default ports dropped from absolute URIs (and
 * then from Host), repeated Host headers merged. */
static void t_canonical(void)
{
	static const struct { int resp; const char *in, *out; } cases[] = {
		{ 0, "GET  /x   HTTP/1.1\r\nHost:ex.com\r\nX:   a   \r\nY:\t b\t\r\nZ:\r\n\r\n",
		     "GET /x HTTP/1.1\r\nhost: ex.com\r\nx: a\r\ny: b\r\nz: \r\n\r\n" },
		{ 0, "GET /x HTTP/1.1\nHost: ex.com\n\n", "GET /x HTTP/1.1\r\nhost: ex.com\r\n\r\n" },
		{ 0, "\r\n\r\nGET / HTTP/1.1\r\n\r\n", "GET / HTTP/1.1\r\n\r\n" },
		{ 0, "GET / HTTP/1.1\r\nZ:\r\nY:  \r\n\r\n", "GET / HTTP/1.1\r\nz: \r\ny: \r\n\r\n" },
		{ 0, "GET\t/x\tHTTP/1.1\r\n\r\n", "GET /x HTTP/1.1\r\n\r\n" },
		/* request normalisations, as HAProxy 2.6 forwarded them */
		{ 0, "GET /x HTTP/1.2\r\n\r\n", "GET /x HTTP/1.1\r\n\r\n" },
		{ 0, "GET / HTTP/1.1\r\nTE: trailers, gzip\r\nA: 1\r\n\r\n", "GET / HTTP/1.1\r\nte: trailers\r\na: 1\r\n\r\n" },
		{ 0, "GET / HTTP/1.1\r\nTE: gzip\r\nA: 1\r\n\r\n", "GET / HTTP/1.1\r\na: 1\r\n\r\n" },
		{ 0, "GET / HTTP/1.1\r\nTE: trailers;q=0.5\r\n\r\n", "GET / HTTP/1.1\r\n\r\n" },
		{ 0, "GET / HTTP/2.0\r\n\r\n", "GET / HTTP/1.1\r\n\r\n" },
		{ 0, "GET http://h.com:80/ HTTP/1.1\r\nHost: h.com:80\r\n\r\n", "GET http://h.com/ HTTP/1.1\r\nhost: h.com\r\n\r\n" },
		{ 0, "GET http://h.com/ HTTP/1.1\r\nHost: h.com:80\r\n\r\n", "GET http://h.com/ HTTP/1.1\r\nhost: h.com:80\r\n\r\n" },
		{ 0, "GET https://h.com:443/ HTTP/1.1\r\nHost: h.com\r\n\r\n", "GET https://h.com/ HTTP/1.1\r\nhost: h.com\r\n\r\n" },
		{ 0, "GET http://h.com:/ HTTP/1.1\r\nHost: h.com\r\n\r\n", "GET http://h.com/ HTTP/1.1\r\nhost: h.com\r\n\r\n" },
		{ 0, "GET http://h.com:80 HTTP/1.1\r\n\r\n", "GET http://h.com HTTP/1.1\r\n\r\n" },
		{ 0, "GET http://u@h.com:80/ HTTP/1.1\r\n\r\n", "GET http://u@h.com/ HTTP/1.1\r\n\r\n" },
		{ 0, "GET http://H.com:80/p HTTP/1.1\r\n\r\n", "GET http://H.com/p HTTP/1.1\r\n\r\n" },
		{ 0, "GET http://h.com:8080/ HTTP/1.1\r\n\r\n", "GET http://h.com:8080/ HTTP/1.1\r\n\r\n" },
		{ 0, "CONNECT h.com:443 HTTP/1.1\r\nHost: h.com:443\r\n\r\n", "CONNECT h.com:443 HTTP/1.1\r\nhost: h.com\r\n\r\n" },
		{ 0, "CONNECT h.com:8443 HTTP/1.1\r\nHost: h.com:8443\r\n\r\n", "CONNECT h.com:8443 HTTP/1.1\r\nhost: h.com:8443\r\n\r\n" },
		{ 0, "GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\nHost: a\r\n\r\n", "GET / HTTP/1.1\r\nhost: a\r\nx: 1\r\n\r\n" },
		{ 0, "GET / HTTP/1.1\r\nHost: a\r\nhost: A\r\n\r\n", "GET / HTTP/1.1\r\nhost: a\r\n\r\n" },
		{ 0, "GET / HTTP/1.1\r\nContent-Length: 05\r\n\r\nabcde", "GET / HTTP/1.1\r\ncontent-length: 05\r\n\r\nabcde" },
		{ 1, "HTTP/1.1 200\r\nContent-Length: 2\r\n\r\nok", "HTTP/1.1 200 \r\ncontent-length: 2\r\n\r\nok" },
		{ 1, "HTTP/1.1  404   Not  Found\nX:y\n\n", "HTTP/1.1 404 Not  Found\r\nx: y\r\n\r\n" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct chan c;
		struct http_msg m;

		load(&c, cases[i].in, strlen(cases[i].in), 3, 11);
		http_msg_init(&m, &c, cases[i].resp, 0, 0);
		EXPECT_INT(http_msg_parse(&m), HTTP_PARSE_DONE);
		EXPECT_STR(dump(&c), cases[i].out);
		reparse_same(&m);
		/* an empty value is filled where it belongs */
		if (i == 3) {
			EXPECT_INT(http_hdr_set_value(&m, 0, "v", 1), 0);
			EXPECT_STR(dump(&c), "GET / HTTP/1.1\r\nz: v\r\ny: \r\n\r\n");
		}
		chan_reset(&c);
	}
}

/* Re-parses the channel's bytes into a fresh message and checks that the
 * accessors read back what <m> reads (the edited message is consistent). */
static void reparse_same(struct http_msg *m)
{
	const char *s = dump(m->chan);
	char a[4096], b[4096];
	struct chan c2;
	struct http_msg m2;

	describe(m, a, sizeof(a));
	EXPECT_INT(parse_str(&c2, &m2, s, m->is_resp), HTTP_PARSE_DONE);
	describe(&m2, b, sizeof(b));
	EXPECT_STR(a, b);
	EXPECT_INT(m2.h1.hdr_len, m->h1.hdr_len);
	chan_reset(&c2);
}

static void t_edit_headers(void)
{
	struct chan c;
	struct http_msg m;
	struct http_val v;

	/* split in three segments so that edits cross segment boundaries */
	load(&c, req1, strlen(req1), 20, 45);
	http_msg_init(&m, &c, 0, 0, 0);
	EXPECT_INT(http_msg_parse(&m), HTTP_PARSE_DONE);

	EXPECT_INT(http_hdr_add(&m, "X-Fwd", 5, "1.2.3.4", 7), 0);   /* stored as "x-fwd" */
	EXPECT_STR(dump(&c), "GET /show/a?x=1&a=2;a=3 HTTP/1.1\r\nhost: ex.com\r\nx: a, b ,, \"c,d\"\r\nx: e\r\n"
	                     "cookie: a=1; c=2\r\ncookie: c=3;d=4\r\nx-fwd: 1.2.3.4\r\n\r\n");
	reparse_same(&m);

	EXPECT_INT(http_hdr_del(&m, "x", 1), 2);
	EXPECT_STR(dump(&c), "GET /show/a?x=1&a=2;a=3 HTTP/1.1\r\nhost: ex.com\r\n"
	                     "cookie: a=1; c=2\r\ncookie: c=3;d=4\r\nx-fwd: 1.2.3.4\r\n\r\n");
	EXPECT_INT(http_hdr_find(&m, "x-fwd", 5, 0), 3);
	reparse_same(&m);

	EXPECT_INT(http_hdr_set(&m, "cookie", 6, "z=9", 3), 0);
	EXPECT_STR(dump(&c), "GET /show/a?x=1&a=2;a=3 HTTP/1.1\r\nhost: ex.com\r\nx-fwd: 1.2.3.4\r\ncookie: z=9\r\n\r\n");
	reparse_same(&m);

	EXPECT_INT(http_hdr_set_value(&m, 0, "other.example", 13), 0);
	EXPECT_STR(sp(&m, m.hdrs[0].v), "other.example");
	reparse_same(&m);
	{
		/* a value no longer than the old one is written in place: no chunk taken */
		uint64_t used = chunks_in_use();

		EXPECT_INT(http_hdr_set_value(&m, 0, "short.example", 13), 0);
		EXPECT_INT(http_hdr_set_value(&m, 0, "other.example", 13), 0);
		EXPECT_INT(http_hdr_set_value(&m, 1, "1.2.3", 5), 0);
		EXPECT_INT(chunks_in_use(), used);
		EXPECT_INT(http_hdr_set_value(&m, 1, "1.2.3.4", 7), 0);   /* longer: a chunk */
		EXPECT_INT(chunks_in_use(), used + 1);
		reparse_same(&m);
	}

	/* replace one element of a comma list */
	EXPECT_INT(http_hdr_add(&m, "Accept", 6, "a/b, c/d", 8), 0);
	EXPECT_INT(http_val_find(&m, "accept", 6, 0, 2, &v), 2);
	EXPECT_INT(http_val_replace(&m, &v, "text/html", 9), 0);
	EXPECT_STR(dump(&c), "GET /show/a?x=1&a=2;a=3 HTTP/1.1\r\nhost: other.example\r\nx-fwd: 1.2.3.4\r\n"
	                     "cookie: z=9\r\naccept: a/b,text/html\r\n\r\n");   /* blanks go with the element */
	reparse_same(&m);

	/* delete the first and the last header */
	EXPECT_INT(http_hdr_del_idx(&m, 0), 0);
	EXPECT_INT(http_hdr_del_idx(&m, http_hdr_count(&m) - 1), 0);
	EXPECT_STR(dump(&c), "GET /show/a?x=1&a=2;a=3 HTTP/1.1\r\nx-fwd: 1.2.3.4\r\ncookie: z=9\r\n\r\n");
	reparse_same(&m);
	EXPECT_INT(http_hdr_del_idx(&m, 5), -EINVAL);
	chan_reset(&c);

	/* an empty value can be set; the body after the headers is untouched */
	EXPECT_INT(parse_str(&c, &m, "POST / HTTP/1.1\r\nE:\r\nContent-Length: 2\r\n\r\nok", 0), HTTP_PARSE_DONE);
	EXPECT_INT(http_hdr_set_value(&m, 0, "v", 1), 0);
	EXPECT_INT(http_hdr_add(&m, "Y", 1, "", 0), 0);
	EXPECT_STR(dump(&c), "POST / HTTP/1.1\r\ne: v\r\ncontent-length: 2\r\ny: \r\n\r\nok");
	EXPECT_INT(m.h1.hdr_len, (int)strlen(dump(&c)) - 2);
	chan_reset(&c);
}

/* A value that lives in the scratch buffer the editor would take next
 * (a sample's result, the ring having come round) is not overwritten. */
static void t_value_in_trash(void)
{
	struct chan c;
	struct http_msg m;
	size_t sz;
	char *b = smp_trash(&sz);
	int k = 1;

	EXPECT_INT(parse_str(&c, &m, "GET / HTTP/1.1\r\nHost: a\r\n\r\n", 0), HTTP_PARSE_DONE);
	while (smp_trash(&sz) != b && k < 100)
		k++;
	for (int i = 0; i < k - 1; i++)
		smp_trash(&sz);
	memcpy(b, "from-a-sample", 13);     /* the next smp_trash() returns <b> */
	EXPECT_INT(http_hdr_add(&m, "X-V", 3, b, 13), 0);
	EXPECT_STR(dump(&c), "GET / HTTP/1.1\r\nhost: a\r\nx-v: from-a-sample\r\n\r\n");
	chan_reset(&c);
}

static void t_del_match(void)
{
	struct chan c;
	struct http_msg m;
	char err[256];
	struct rx *re = rx_compile("^x-[0-9]+$", 10, 0, err, sizeof(err));

	EXPECT(re != NULL);
	EXPECT_INT(parse_str(&c, &m, "GET / HTTP/1.1\r\nX-1: a\r\nX-Foo: b\r\nY-Foo: c\r\nAccept: d\r\n"
	                     "X-22: e\r\nfoo-bar: f\r\n\r\n", 0), HTTP_PARSE_DONE);
	EXPECT_INT(http_hdr_del_match(&m, "FOO", 3, HTTP_MATCH_END, NULL), 2);
	EXPECT_STR(dump(&c), "GET / HTTP/1.1\r\nx-1: a\r\naccept: d\r\nx-22: e\r\nfoo-bar: f\r\n\r\n");
	if (re)
		EXPECT_INT(http_hdr_del_match(&m, NULL, 0, HTTP_MATCH_REG, re), 2);
	EXPECT_INT(http_hdr_del_match(&m, "o-b", 3, HTTP_MATCH_SUB, NULL), 1);
	EXPECT_INT(http_hdr_del_match(&m, "acc", 3, HTTP_MATCH_STR, NULL), 0);
	EXPECT_INT(http_hdr_del_match(&m, "acc", 3, HTTP_MATCH_BEG, NULL), 1);
	EXPECT_STR(dump(&c), "GET / HTTP/1.1\r\n\r\n");
	EXPECT_INT(http_hdr_count(&m), 0);
	reparse_same(&m);
	chan_reset(&c);
	rx_free(re);
}

static void t_edit_regex(void)
{
	struct chan c;
	struct http_msg m;
	char err[256];
	struct rx *re = rx_compile("^(.*)\\.old\\.com$", 16, 0, err, sizeof(err));
	struct rx *re2 = rx_compile("^b(.*)", 6, 0, err, sizeof(err));

	EXPECT(re && re2);
	if (!re || !re2)
		return;
	EXPECT_INT(parse_str(&c, &m, "GET / HTTP/1.1\r\nHost: www.old.com\r\nX: bar, foo, baz\r\n\r\n", 0), HTTP_PARSE_DONE);
	EXPECT_INT(http_hdr_replace_rx(&m, "host", 4, re, "\\1.new.org", 10, 0), 1);
	EXPECT_STR(dump(&c), "GET / HTTP/1.1\r\nhost: www.new.org\r\nx: bar, foo, baz\r\n\r\n");
	reparse_same(&m);
	/* replace-value: each element on its own */
	EXPECT_INT(http_hdr_replace_rx(&m, "x", 1, re2, "B\\1", 3, 1), 2);
	EXPECT_STR(dump(&c), "GET / HTTP/1.1\r\nhost: www.new.org\r\nx: Bar, foo,Baz\r\n\r\n");   /* as HAProxy */
	reparse_same(&m);
	/* replace-header on the whole value: "^b" does not match "Bar, ..." */
	EXPECT_INT(http_hdr_replace_rx(&m, "x", 1, re2, "Q", 1, 0), 0);
	chan_reset(&c);
	rx_free(re);
	rx_free(re2);
}

/* The same rules on HAProxy 2.6 gave these bytes to the server. */
static void t_edits_as_haproxy(void)
{
	struct chan c;
	struct http_msg m;

	EXPECT_INT(parse_str(&c, &m, "GET /a?k=v HTTP/1.1\r\nHost: h\r\n\r\n", 0), HTTP_PARSE_DONE);
	EXPECT_INT(http_set_path(&m, "/np", 3), 0);
	EXPECT_STR(dump(&c), "GET /np?k=v HTTP/1.1\r\nhost: h\r\n\r\n");
	chan_reset(&c);
	EXPECT_INT(parse_str(&c, &m, "GET /b HTTP/1.1\r\nHost: h\r\n\r\n", 0), HTTP_PARSE_DONE);
	EXPECT_INT(http_set_query(&m, "q=2", 3), 0);
	EXPECT_STR(dump(&c), "GET /b?q=2 HTTP/1.1\r\nhost: h\r\n\r\n");
	chan_reset(&c);
	EXPECT_INT(parse_str(&c, &m, "GET /f?k=v HTTP/1.1\r\nHost: h\r\n\r\n", 0), HTTP_PARSE_DONE);
	EXPECT_INT(http_set_query(&m, "", 0), 0);           /* an empty query keeps its '?' */
	EXPECT_STR(dump(&c), "GET /f? HTTP/1.1\r\nhost: h\r\n\r\n");
	chan_reset(&c);
	EXPECT_INT(parse_str(&c, &m, "GET /e HTTP/1.1\r\nY: 1\r\nHost: h\r\nZ: 2\r\nhost: h\r\n\r\n", 0),
	           HTTP_PARSE_DONE);
	EXPECT_INT(http_hdr_set(&m, "Host", 4, "new.com", 7), 0);
	EXPECT_INT(http_hdr_add(&m, "X-Add", 5, "1", 1), 0);
	EXPECT_INT(http_hdr_del(&m, "Y", 1), 1);
	EXPECT_STR(dump(&c), "GET /e HTTP/1.1\r\nz: 2\r\nhost: new.com\r\nx-add: 1\r\n\r\n");
	chan_reset(&c);
	EXPECT_INT(parse_str(&c, &m, "GET http://h/g?k HTTP/1.1\r\nHost: h\r\n\r\n", 0), HTTP_PARSE_DONE);
	EXPECT_INT(http_set_path(&m, "/abs", 4), 0);
	EXPECT_STR(dump(&c), "GET http://h/abs?k HTTP/1.1\r\nhost: h\r\n\r\n");
	chan_reset(&c);
	EXPECT_INT(parse_str(&c, &m, "GET http://h/h?k HTTP/1.1\r\nHost: h\r\n\r\n", 0), HTTP_PARSE_DONE);
	EXPECT_INT(http_set_pathq(&m, "/pq?z=1", 7), 0);
	EXPECT_STR(dump(&c), "GET http://h/pq?z=1 HTTP/1.1\r\nhost: h\r\n\r\n");
	chan_reset(&c);
}

static void t_edit_start_line(void)
{
	struct chan c;
	struct http_msg m;

	load(&c, req1, strlen(req1), 7, 30);
	http_msg_init(&m, &c, 0, 0, 0);
	EXPECT_INT(http_msg_parse(&m), HTTP_PARSE_DONE);
	EXPECT_INT(http_set_path(&m, "/new/path", 9), 0);
	EXPECT_STR(sp(&m, m.h1.uri), "/new/path?x=1&a=2;a=3");
	reparse_same(&m);
	EXPECT_INT(http_set_query(&m, "q=1", 3), 0);
	EXPECT_STR(sp(&m, m.h1.uri), "/new/path?q=1");
	reparse_same(&m);
	EXPECT_INT(http_set_query(&m, NULL, 0), 0);
	EXPECT_STR(sp(&m, m.h1.uri), "/new/path");
	reparse_same(&m);
	EXPECT_INT(http_set_query(&m, "z", 1), 0);
	EXPECT_STR(sp(&m, m.h1.uri), "/new/path?z");
	reparse_same(&m);
	EXPECT_INT(http_set_method(&m, "DELETE", 6), 0);
	EXPECT_INT(http_get_meth_id(&m), H1_M_DELETE);
	reparse_same(&m);
	EXPECT_INT(http_set_uri(&m, "http://ex.com/abs?k=v", 21), 0);
	{
		struct h1_span p;

		EXPECT(http_uri_path(&m, &p));
		EXPECT_STR(sp(&m, p), "/abs");
	}
	reparse_same(&m);
	EXPECT_INT(http_set_pathq(&m, "/pq?x=1", 7), 0);
	EXPECT_STR(sp(&m, m.h1.uri), "http://ex.com/pq?x=1");
	reparse_same(&m);
	EXPECT_INT(http_set_path(&m, "/p2", 3), 0);
	EXPECT_STR(dump(&c), "DELETE http://ex.com/p2?x=1 HTTP/1.1\r\nhost: ex.com\r\nx: a, b ,, \"c,d\"\r\nx: e\r\n"
	                     "cookie: a=1; c=2\r\ncookie: c=3;d=4\r\n\r\n");
	reparse_same(&m);
	chan_reset(&c);

	/* responses: set-status with the standard reason, a custom one, none before */
	EXPECT_INT(parse_str(&c, &m, "HTTP/1.1 200 OK\r\nX: y\r\n\r\n", 1), HTTP_PARSE_DONE);
	EXPECT_INT(http_set_status(&m, 503, NULL, 0), 0);
	EXPECT_STR(dump(&c), "HTTP/1.1 503 Service Unavailable\r\nx: y\r\n\r\n");
	reparse_same(&m);
	EXPECT_INT(http_set_status(&m, 404, "Nope", 4), 0);
	EXPECT_STR(dump(&c), "HTTP/1.1 404 Nope\r\nx: y\r\n\r\n");
	EXPECT_INT(http_get_status(&m), 404);
	reparse_same(&m);
	chan_reset(&c);
	EXPECT_INT(parse_str(&c, &m, "HTTP/1.1 200\r\nX: y\r\n\r\n", 1), HTTP_PARSE_DONE);
	EXPECT_INT(http_set_status(&m, 201, NULL, 0), 0);
	EXPECT_STR(dump(&c), "HTTP/1.1 201 Created\r\nx: y\r\n\r\n");
	reparse_same(&m);
	chan_reset(&c);
}

/* Random sequences of edits on a message cut in three segments: after
 * each one, the bytes re-parsed from scratch read back exactly as the
 * edited message does (every span shift is right). */
static void t_random_edits(void)
{
	static const char *vals[] = { "", "v", "a, b", "x=1; c=9", "longer value with spaces", "\"q,u\"" };
	static const char *names[] = { "x", "cookie", "y", "x-new", "accept" };   /* not host: two differing are refused */
	static const char *paths[] = { "/", "/p", "/a/b/c", "/x?" };
	unsigned seed = 777;
	int bad = 0;

	for (int it = 0; it < 400 && !bad; it++) {
		struct chan c;
		struct http_msg m;
		size_t len = strlen(req1);

		seed = seed * 1103515245u + 12345u;
		load(&c, req1, len, 1 + (seed >> 8) % len, 1 + (seed >> 18) % len);
		http_msg_init(&m, &c, 0, 0, 0);
		if (http_msg_parse(&m) != HTTP_PARSE_DONE) {
			bad = 1;
			break;
		}
		for (int k = 0; k < 12; k++) {
			const char *v, *n;
			char a[4096], b[4096];
			struct chan c2;
			struct http_msg m2;
			struct http_val hv;

			seed = seed * 1103515245u + 12345u;
			v = vals[(seed >> 4) % 6];
			n = names[(seed >> 8) % 5];
			switch ((seed >> 12) % 9) {
			case 0: http_hdr_add(&m, n, strlen(n), v, strlen(v)); break;
			case 1: http_hdr_del(&m, n, strlen(n)); break;
			case 2: http_hdr_set(&m, n, strlen(n), v, strlen(v)); break;
			case 3: http_hdr_set_value(&m, (int)((seed >> 16) % 8), v, strlen(v)); break;
			case 4:
				if (http_val_find(&m, n, strlen(n), 0, 1 + (int)((seed >> 16) % 3), &hv) >= 1 + (int)((seed >> 16) % 3))
					http_val_replace(&m, &hv, v, strlen(v));
				break;
			case 5: http_set_path(&m, paths[(seed >> 16) % 4], strlen(paths[(seed >> 16) % 4])); break;
			case 6: http_set_query(&m, (seed >> 16) % 3 ? "k=v&a=7" : NULL, 7); break;
			case 7: http_set_method(&m, (seed >> 16) % 2 ? "DELETE" : "GET", (seed >> 16) % 2 ? 6 : 3); break;
			case 8: http_hdr_del_idx(&m, (int)((seed >> 16) % 8)); break;
			}
			describe(&m, a, sizeof(a));
			load(&c2, dump(&c), strlen(dump(&c)), 0, 0);
			http_msg_init(&m2, &c2, 0, 0, 0);
			if (http_msg_parse(&m2) != HTTP_PARSE_DONE)
				bad = 2;
			describe(&m2, b, sizeof(b));
			if (!bad && strcmp(a, b))
				bad = 3;
			if (bad) {
				printf("  after edit %d of run %d (%d):\n  %s\n  %s\n", k, it, bad, a, b);
				chan_reset(&c2);
				break;
			}
			chan_reset(&c2);
		}
		chan_reset(&c);
	}
	EXPECT_INT(bad, 0);
}

/* The same on a response, set-status included. */
static void t_random_edits_rsp(void)
{
	static const char rsp[] = "HTTP/1.1 200 OK\r\nSet-Cookie: c=1; Path=/\r\nX: a, b\r\nContent-Length: 0\r\n\r\n";
	static const char *vals[] = { "", "v", "a, b", "c=2", "some longer value" };
	static const char *reasons[] = { NULL, "", "Fine", "A Much Longer Reason Phrase" };
	unsigned seed = 4242;
	int bad = 0;

	for (int it = 0; it < 300 && !bad; it++) {
		struct chan c;
		struct http_msg m;
		size_t len = strlen(rsp);

		seed = seed * 1103515245u + 12345u;
		load(&c, rsp, len, 1 + (seed >> 8) % len, 1 + (seed >> 18) % len);
		http_msg_init(&m, &c, 1, 0, 0);
		if (http_msg_parse(&m) != HTTP_PARSE_DONE) {
			bad = 1;
			break;
		}
		for (int k = 0; k < 10 && !bad; k++) {
			const char *v, *r;
			char a[4096], b[4096];
			struct chan c2;
			struct http_msg m2;

			seed = seed * 1103515245u + 12345u;
			v = vals[(seed >> 4) % 5];
			r = reasons[(seed >> 8) % 4];
			switch ((seed >> 12) % 4) {
			case 0: http_set_status(&m, 100 + (int)((seed >> 16) % 500), r, r ? strlen(r) : 0); break;
			case 1: http_hdr_add(&m, "set-cookie", 10, v, strlen(v)); break;
			case 2: http_hdr_set(&m, "x", 1, v, strlen(v)); break;
			case 3: http_hdr_del_idx(&m, (int)((seed >> 16) % 5)); break;
			}
			describe(&m, a, sizeof(a));
			load(&c2, dump(&c), strlen(dump(&c)), 0, 0);
			http_msg_init(&m2, &c2, 1, 0, 0);
			if (http_msg_parse(&m2) != HTTP_PARSE_DONE)
				bad = 2;
			describe(&m2, b, sizeof(b));
			if (!bad && strcmp(a, b))
				bad = 3;
			if (bad)
				printf("  after edit %d of run %d (%d):\n  %s\n  %s\n", k, it, bad, a, b);
			chan_reset(&c2);
		}
		chan_reset(&c);
	}
	EXPECT_INT(bad, 0);
}

/* Header names are lowercased in place by the parse (as HAProxy stores
 * and forwards them) and by edits; a read-only parse leaves them. */
static void t_lower_names(void)
{
	struct chan c;
	struct http_msg m;

	load(&c, req1, strlen(req1), 40, 0);
	http_msg_init(&m, &c, 0, 0, 0);
	m.ro = 1;
	EXPECT_INT(http_msg_parse(&m), HTTP_PARSE_DONE);
	EXPECT_STR(dump(&c), req1);
	EXPECT_INT(http_msg_lower_names(&m), 5);
	EXPECT_STR(dump(&c), "GET /show/a?x=1&a=2;a=3 HTTP/1.1\r\nhost: ex.com\r\nx: a, b ,, \"c,d\"\r\nx: e\r\n"
	                     "cookie: a=1; c=2\r\ncookie: c=3;d=4\r\n\r\n");
	chan_reset(&c);
	/* a normal parse, names long enough to be lowercased 8 bytes at a
	 * time, every token character around the letters kept as is */
	{
		static const char rq[] = "GET / HTTP/1.1\r\nHost: a\r\n"
			"X-AZaz`09!#$%&'*+-.^_|~QZ: v\r\nABCDEFGH: w\r\nIJKLMNOPQRSTUVWXYZ: x\r\n\r\n";

		load(&c, rq, strlen(rq), 4096, 0);
		http_msg_init(&m, &c, 0, 0, 0);
		EXPECT_INT(http_msg_parse(&m), HTTP_PARSE_DONE);
		EXPECT_STR(dump(&c), "GET / HTTP/1.1\r\nhost: a\r\n"
			"x-azaz`09!#$%&'*+-.^_|~qz: v\r\nabcdefgh: w\r\nijklmnopqrstuvwxyz: x\r\n\r\n");
		chan_reset(&c);
	}
}

/* The request line kept for the log is the one received (HAProxy logs
 * "GET /x?q=1 HTTP/1.1" after "http-request set-path /changed"), and an
 * invalid request logs <BADREQ> in every request field. */
static void t_log_capture(void)
{
	static struct http_txn txn;
	struct chan rq, rs;
	struct logfmt_http h;

	load(&rq, "GET /x?q=1 HTTP/1.1\r\nHost: a\r\n\r\n", 32, 9, 0);
	chan_init(&rs, &pool, 1 << 20);
	http_txn_init(&txn, &rq, &rs, 0);
	EXPECT_INT(http_msg_parse(&txn.req), HTTP_PARSE_DONE);
	http_txn_capture(&txn);
	EXPECT_INT(http_set_path(&txn.req, "/changed", 8), 0);
	txn.status = 403;
	memset(&h, 0, sizeof(h));
	http_txn_log_fill(&txn, &h);
	EXPECT(h.req_line_len == 19 && !memcmp(h.req_line, "GET /x?q=1 HTTP/1.1", 19));
	EXPECT(h.method_len == 3 && !memcmp(h.method, "GET", 3));
	EXPECT(h.uri_len == 6 && !memcmp(h.uri, "/x?q=1", 6));
	EXPECT(h.version_len == 8 && !memcmp(h.version, "HTTP/1.1", 8));
	EXPECT_INT(h.status, 403);
	chan_reset(&rq);

	/* HEAD: the response's Content-Length announces no body here */
	load(&rq, "HEAD / HTTP/1.1\r\n\r\n", 19, 0, 0);
	chan_put_data(&rs, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", 38);
	http_txn_init(&txn, &rq, &rs, 0);
	EXPECT_INT(http_msg_parse(&txn.req), HTTP_PARSE_DONE);
	http_txn_capture(&txn);
	EXPECT_INT(http_msg_parse(&txn.rsp), HTTP_PARSE_DONE);
	EXPECT_INT(txn.rsp.state, HTTP_MSG_DONE);
	EXPECT_INT(http_msg_body_parse(&txn.rsp), HTTP_PARSE_DONE);
	chan_reset(&rq);
	chan_reset(&rs);

	load(&rq, "garbage\r\n\r\n", 11, 0, 0);
	http_txn_init(&txn, &rq, &rs, 0);
	EXPECT_INT(http_msg_parse(&txn.req), HTTP_PARSE_ERR);
	http_txn_capture(&txn);
	txn.status = 400;
	http_txn_log_fill(&txn, &h);
	EXPECT(h.req_line_len == 8 && !memcmp(h.req_line, "<BADREQ>", 8));
	EXPECT(h.uri_len == 8 && !memcmp(h.uri, "<BADREQ>", 8));
	EXPECT_INT(h.status, 400);
	chan_reset(&rq);
}

int main(void)
{
	chan_pool_init(&pool, 16384, NULL, NULL);
	RUN(t_parse_whole);
	RUN(t_parse_split);
	RUN(t_parse_incremental);
	RUN(t_body_after_forward);
	RUN(t_policy_reject);
	RUN(t_policy_accept);
	RUN(t_haproxy_table);
	RUN(t_haproxy_rsp_table);
	RUN(t_haproxy_chunk_table);
	RUN(t_random_splits);
	RUN(t_canonical);
	RUN(t_edit_headers);
	RUN(t_value_in_trash);
	RUN(t_del_match);
	RUN(t_edit_regex);
	RUN(t_edits_as_haproxy);
	RUN(t_edit_start_line);
	RUN(t_random_edits);
	RUN(t_random_edits_rsp);
	RUN(t_lower_names);
	RUN(t_log_capture);
	chan_pool_destroy(&pool);
	return unit_end();
}
