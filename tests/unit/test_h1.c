/* test_h1.c: the HTTP/1 parser, fed whole and byte by byte. */
#include "tests/unit/unit.h"
#include "proto/h1.h"

static struct h1_hdr hdrs[32];

/* Parses <s> as one message fed in pieces of <step> bytes (0 = whole).
 * Returns the bytes consumed in all, or H1_ERR. */
static int feed(struct h1_msg *m, uint32_t flags, const char *s, size_t step)
{
	size_t len = strlen(s), done = 0;

	h1_init(m, flags, hdrs, 32, 8192);
	while (done < len) {
		size_t n = step ? step : len - done;
		int r;

		if (n > len - done)
			n = len - done;
		r = h1_parse(m, s + done, n);
		if (r < 0)
			return r;
		done += (size_t)r;
		if (m->phase == H1_P_DONE || (size_t)r < n) {
			if (m->phase != H1_P_DONE && m->phase != H1_P_BODY)
				return -2;
			if (m->phase == H1_P_DONE)
				break;
		}
	}
	return (int)done;
}

static int span_is(const char *msg, struct h1_span sp, const char *want)
{
	return sp.len == strlen(want) && !memcmp(msg + sp.off, want, sp.len);
}

static const char get_req[] =
	"GET /a/b?x=1 HTTP/1.1\r\n"
	"Host: example.com\r\n"
	"User-Agent:   curl/8  \r\n"
	"Connection: keep-alive, Upgrade\r\n"
	"Empty:\r\n"
	"\r\n"
	"NEXT";

static void check_get(struct h1_msg *m, int r)
{
	EXPECT_INT(r, (int)strlen(get_req) - 4);
	EXPECT_INT(m->phase, H1_P_DONE);
	EXPECT(span_is(get_req, m->meth, "GET"));
	EXPECT_INT(m->meth_id, H1_M_OTHER);   /* the caller computes it from the span */
	EXPECT(span_is(get_req, m->uri, "/a/b?x=1"));
	EXPECT(span_is(get_req, m->ver, "HTTP/1.1"));
	EXPECT(m->flags & H1_MF_VER_11);
	EXPECT_INT(m->nb_hdrs, 4);
	EXPECT(span_is(get_req, m->hdrs[0].n, "Host"));
	EXPECT(span_is(get_req, m->hdrs[0].v, "example.com"));
	EXPECT(span_is(get_req, m->hdrs[1].v, "curl/8"));
	EXPECT(span_is(get_req, m->hdrs[3].n, "Empty"));
	EXPECT_INT(m->hdrs[3].v.len, 0);
	EXPECT(m->flags & H1_MF_CONN_KAL);
	EXPECT(m->flags & H1_MF_CONN_UPG);
	EXPECT(m->flags & H1_MF_HOST);
	EXPECT(m->flags & H1_MF_NO_BODY);
	EXPECT_INT(m->hdr_len, strlen(get_req) - 4);
}

static void t_get_whole(void)
{
	struct h1_msg m;
	check_get(&m, feed(&m, 0, get_req, 0));
}

static void t_get_bytewise(void)
{
	struct h1_msg m;
	check_get(&m, feed(&m, 0, get_req, 1));
	check_get(&m, feed(&m, 0, get_req, 7));
}

static void t_post_cl_pipelined(void)
{
	static const char req[] = "POST /p HTTP/1.1\r\nContent-Length: 5\r\n\r\nhelloGET / HTTP/1.1\r\n";
	struct h1_msg m;
	int r;

	h1_init(&m, 0, hdrs, 32, 8192);
	r = h1_parse(&m, req, strlen(req));
	EXPECT_INT(r, 39);                 /* stops after the blank line */
	EXPECT_INT(m.phase, H1_P_BODY);
	EXPECT_INT(m.body_len, 5);
	r = h1_parse(&m, req + 39, strlen(req) - 39);
	EXPECT_INT(r, 5);                  /* the body, not the next request */
	EXPECT_INT(m.phase, H1_P_DONE);
	EXPECT_INT(feed(&m, 0, req, 3), 44);
}

static void t_chunked(void)
{
	static const char req[] = "PUT /u HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
		"5;ext=1\r\nhello\r\nA \r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\nREST";
	struct h1_msg m;

	for (size_t step = 0; step < 5; step++) {
		int r = feed(&m, 0, req, step);
		EXPECT_INT(r, (int)strlen(req) - 4);
		EXPECT_INT(m.phase, H1_P_DONE);
		EXPECT(m.flags & H1_MF_CHNK);
	}
}

static void t_cl_te(void)
{
	struct h1_msg m;
	int r = feed(&m, 0, "POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 0);
	EXPECT(r > 0);
	EXPECT(m.flags & H1_MF_CL_TE);
	EXPECT_INT(m.phase, H1_P_DONE);
}

static void expect_err(const char *req, uint32_t flags, int err)
{
	struct h1_msg m;

	for (size_t step = 0; step < 3; step += 2) {
		int r = feed(&m, flags, req, step);
		EXPECT_INT(r, H1_ERR);
		EXPECT_INT(m.err, err);
	}
}

static void t_errors(void)
{
	expect_err("G(T / HTTP/1.1\r\n\r\n", 0, H1_E_METHOD);
	expect_err("GET /a\x01 HTTP/1.1\r\n\r\n", 0, H1_E_URI);
	expect_err("GET /\r\n\r\n", 0, H1_E_VERSION);
	expect_err("GET / HTTP/1.x\r\n\r\n", 0, H1_E_VERSION);
	expect_err("GET / HTTP/1.1\r\nBad Name: x\r\n\r\n", 0, H1_E_HDR_NAME);
	expect_err("GET / HTTP/1.1\r\nName : x\r\n\r\n", 0, H1_E_HDR_NAME);
	expect_err("GET / HTTP/1.1\r\n: x\r\n\r\n", 0, H1_E_HDR_NAME);
	expect_err("GET / HTTP/1.1\r\nA: x\ry\r\n\r\n", 0, H1_E_BARE_CR);
	expect_err("POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", 0, H1_E_CLEN);
	expect_err("POST / HTTP/1.1\r\nContent-Length: 3, 4\r\n\r\n", 0, H1_E_CLEN);
	expect_err("POST / HTTP/1.1\r\nContent-Length: -3\r\n\r\n", 0, H1_E_CLEN);
	expect_err("POST / HTTP/1.1\r\nContent-Length:\r\n\r\n", 0, H1_E_CLEN);
	expect_err("POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n", 0, H1_E_CLEN);
	expect_err("POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 0, H1_E_XFER_ENC);
	expect_err("POST / HTTP/1.1\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", 0, H1_E_XFER_ENC);
	expect_err("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 0, H1_E_XFER_ENC);
	expect_err("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nZ\r\n", 0, H1_E_CHUNK);
	expect_err("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n\r\n", 0, H1_E_CHUNK);
	expect_err("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n", 0, H1_E_CHUNK);
	expect_err("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffff\r\n", 0, H1_E_CHUNK);
	expect_err(" GET / HTTP/1.1\r\n\r\n", 0, H1_E_METHOD);
	expect_err("GET / HTTP/1.1\r\n x: y\r\n\r\n", 0, H1_E_FOLD_START);
	expect_err("HTTP/1.1 abc OK\r\n\r\n", H1_MF_RESP, H1_E_STATUS);
	expect_err("HTTP/1.1 20x OK\r\n\r\n", H1_MF_RESP, H1_E_STATUS);
	expect_err("HTTP/1.1  \r\n\r\n", H1_MF_RESP, H1_E_STATUS);
	expect_err("HTTQ/1.1 200 OK\r\n\r\n", H1_MF_RESP, H1_E_VERSION);
}

/* HAProxy 2.6 accepts control characters (NUL included) in header values. */
static void t_ctl_in_value(void)
{
	static const char req[] = "GET / HTTP/1.1\r\nA: x\x01\x7fy\r\n\r\n";
	struct h1_msg m;

	EXPECT_INT(feed(&m, 0, req, 0), (int)strlen(req));
	EXPECT(span_is(req, m.hdrs[0].v, "x\x01\x7fy"));
}

static void t_limits(void)
{
	struct h1_msg m;
	char big[9000];
	struct h1_hdr few[2];
	int r;

	memset(big, 'a', sizeof(big));
	memcpy(big, "GET /", 5);
	big[sizeof(big) - 1] = 0;
	EXPECT_INT(feed(&m, 0, big, 0), H1_ERR);
	EXPECT_INT(m.err, H1_E_TOO_LARGE);

	h1_init(&m, 0, few, 2, 8192);
	r = h1_parse(&m, "GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", 36);
	EXPECT_INT(r, H1_ERR);
	EXPECT_INT(m.err, H1_E_TOO_MANY_HDRS);
}

static void t_fold_and_bare_lf(void)
{
	static const char req[] = "GET / HTTP/1.0\nA: x\n  y\nB: z\n\n";
	struct h1_msg m;
	int r = feed(&m, 0, req, 0);

	EXPECT_INT(r, (int)strlen(req));
	EXPECT(m.flags & H1_MF_OBS_FOLD);
	EXPECT(m.flags & H1_MF_BARE_LF);
	EXPECT(!(m.flags & H1_MF_VER_11));
	EXPECT_INT(m.nb_hdrs, 2);
	EXPECT(span_is(req, m.hdrs[1].v, "z"));
}

static void t_responses(void)
{
	struct h1_msg m;
	static const char r1[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
	static const char r2[] = "HTTP/1.1 204 No Content\r\nContent-Length: 7\r\n\r\n";
	static const char r3[] = "HTTP/1.0 200\r\nServer: x\r\n\r\nbody until close";
	static const char r4[] = "HTTP/1.1 100 Continue\r\n\r\n";
	static const char r5[] = "HTTP/1.1 20 OK\r\nContent-Length: 0\r\n\r\n";
	static const char r6[] = "HTTP/1.1 2000\r\nContent-Length: 0\r\n\r\n";

	EXPECT_INT(feed(&m, H1_MF_RESP, r1, 0), (int)strlen(r1));
	EXPECT_INT(m.status, 200);
	EXPECT(span_is(r1, m.reason, "OK"));
	EXPECT_INT(m.phase, H1_P_DONE);

	EXPECT_INT(feed(&m, H1_MF_RESP, r2, 1), (int)strlen(r2));
	EXPECT(m.flags & H1_MF_NO_BODY);

	EXPECT_INT(feed(&m, H1_MF_RESP | H1_MF_HEAD, r1, 0), (int)strlen(r1) - 2);
	EXPECT(m.flags & H1_MF_NO_BODY);

	EXPECT_INT(feed(&m, H1_MF_RESP, r3, 0), (int)strlen(r3));
	EXPECT_INT(m.phase, H1_P_BODY);
	EXPECT(m.flags & H1_MF_CLOSE_DELIM);
	EXPECT_INT(m.reason.len, 0);

	EXPECT_INT(feed(&m, H1_MF_RESP, r4, 0), (int)strlen(r4));
	EXPECT_INT(m.status, 100);
	EXPECT_INT(m.phase, H1_P_DONE);

	/* a status of another length than 3 digits is a status, as HAProxy has it */
	EXPECT_INT(feed(&m, H1_MF_RESP, r5, 0), (int)strlen(r5));
	EXPECT_INT(m.status, 20);
	EXPECT_INT(m.code.len, 2);
	EXPECT(span_is(r5, m.reason, "OK"));
	EXPECT_INT(feed(&m, H1_MF_RESP, r6, 0), (int)strlen(r6));
	EXPECT_INT(m.status, 2000);
	EXPECT_INT(m.code.len, 4);
}

/* Known headers in any case and long values (scanned 8 bytes at a time,
 * trailing blanks trimmed) give the same result in pieces of every size,
 * names split anywhere included. */
static void t_any_piece_size(void)
{
	static const char rsp[] =
		"HTTP/1.1 200 OK\r\n"
		"Date: Thu, 26 Nov 2026 14:44:00 GMT \t \r\n"
		"CoNtEnT-LeNgTh: 4\r\n"
		"CONNECTION: Close\r\n"
		"Upgrade-Insecure-Requests-Long-Name: a\tb\r\n"
		"X-Blank-Before-CR: 0123456789abcdef        \r\n"
		"Content-Lengthy: 5\r\n"
		"\r\n"
		"body";
	struct h1_msg m;

	for (size_t step = 0; step <= sizeof(rsp); step++) {
		int r = feed(&m, H1_MF_RESP, rsp, step);

		EXPECT_INT(r, (int)strlen(rsp));
		EXPECT_INT(m.phase, H1_P_DONE);
		EXPECT(m.flags & H1_MF_CLEN);
		EXPECT_INT((int)m.body_len, 4);
		EXPECT(m.flags & H1_MF_CONN_CLOSE);
		EXPECT_INT(m.nb_hdrs, 6);
		EXPECT(span_is(rsp, m.hdrs[0].v, "Thu, 26 Nov 2026 14:44:00 GMT"));
		EXPECT(span_is(rsp, m.hdrs[2].n, "CONNECTION"));
		EXPECT(span_is(rsp, m.hdrs[3].v, "a\tb"));
		EXPECT(span_is(rsp, m.hdrs[4].v, "0123456789abcdef"));
		EXPECT(span_is(rsp, m.hdrs[5].n, "Content-Lengthy"));
	}
	/* a CR inside a long value, past the first 8-byte step */
	for (size_t step = 0; step < 12; step++) {
		int r = feed(&m, 0, "GET / HTTP/1.1\r\nX-A: 0123456789abcdef\rghij\r\n\r\n", step);

		EXPECT_INT(r, H1_ERR);
		EXPECT_INT(m.err, H1_E_BARE_CR);
	}
}

static void t_meth_id(void)
{
	EXPECT_INT(h1_meth_id("GET", 3), H1_M_GET);
	EXPECT_INT(h1_meth_id("HEAD", 4), H1_M_HEAD);
	EXPECT_INT(h1_meth_id("get", 3), H1_M_OTHER);
	EXPECT_INT(h1_meth_id("PURGE", 5), H1_M_OTHER);
}

int main(void)
{
	RUN(t_get_whole);
	RUN(t_get_bytewise);
	RUN(t_post_cl_pipelined);
	RUN(t_chunked);
	RUN(t_cl_te);
	RUN(t_errors);
	RUN(t_ctl_in_value);
	RUN(t_limits);
	RUN(t_fold_and_bare_lf);
	RUN(t_responses);
	RUN(t_any_piece_size);
	RUN(t_meth_id);
	return unit_end();
}
