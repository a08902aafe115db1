/* test_check_tls.c: the TLS step of health checks (engine/check_tls.c)
 * against a proto/tls.c server through memory: the handshake, a request
 * and a response carried by the sends and receives ck_tls_next() asks for
 * (delivered a few bytes at a time, partial sends), close_notify, a name
 * the certificate does not carry, a peer closing during the handshake. The
 * certificate is made at run time with the openssl command. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/check_int.h"
#include "proto/tls.h"
#include "tests/unit/unit.h"

static char dir[256];
static char pem[300];

static int make_cert(void)
{
	char cmd[1024];

	snprintf(dir, sizeof(dir), "/tmp/rp-test-check-tls.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(pem, sizeof(pem), "%s/c.pem", dir);
	snprintf(cmd, sizeof(cmd),
	         "cd %s && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
	         "-keyout k.pem -out c0.pem -days 2 -subj /CN=check.test "
	         "-addext subjectAltName=DNS:check.test >log 2>&1 && cat c0.pem k.pem > c.pem", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* The server end: ciphertext from the check, kept until the session took it. */
static unsigned char c2s[1 << 16];
static size_t c2s_len;

/* Offers what the check sent to <srv>, runs <op> (0: handshake, 1: read
 * into <buf>), drops what the session took. Returns <op>'s result. */
static long srv_run(struct tls_conn *srv, int op, unsigned char *buf, size_t cap)
{
	long rc;
	size_t left;

	tls_conn_feed(srv, c2s, c2s_len);
	rc = op ? tls_conn_read(srv, buf, cap) : tls_conn_handshake(srv);
	left = tls_conn_in_left(srv);
	memmove(c2s, c2s + c2s_len - left, left);
	c2s_len = left;
	return rc;
}

/* Drives <t> through <op> until it ends; the server answers its flights
 * (<chunk> bytes per receive at most, sends taken 7 bytes at a time).
 * Returns the ck_tls_next() verdict, the op's result in <*res>. */
static enum ck_tls_next drive(struct ck_tls *t, struct tls_conn *srv, enum ck_tls_op op, void *buf,
                              size_t len, size_t chunk, int *res)
{
	for (int guard = 0; guard < 100000; guard++) {
		void *io;
		size_t n;
		enum ck_tls_next nx = ck_tls_next(t, op, buf, len, &io, &n, res);

		if (nx == CKT_DONE || nx == CKT_FAIL)
			return nx;
		if (nx == CKT_SEND) {
			size_t k = n < 7 ? n : 7;

			if (c2s_len + k > sizeof(c2s))
				return CKT_FAIL;    /* the check sends without end */
			memcpy(c2s + c2s_len, io, k);
			c2s_len += k;
			ck_tls_io_done(t, (int)k);
			if (!tls_conn_handshake_done(srv))
				srv_run(srv, 0, NULL, 0);
			continue;
		}
		/* CKT_RECV: what the server has for the check */
		const void *p;
		size_t avail = tls_conn_out_peek(srv, &p), k = avail < chunk ? avail : chunk;

		if (k > n)
			k = n;
		if (!k)
			return CKT_FAIL;        /* the check waits for what never comes */
		memcpy(io, p, k);
		tls_conn_out_skip(srv, k);
		ck_tls_io_done(t, (int)k);
	}
	return CKT_FAIL;
}

static struct tls_ctx *sctx, *cctx, *vctx;

static void t_exchange(void)
{
	struct ck_tls *t = ck_tls_new();
	struct tls_conn *srv = tls_conn_new(sctx, NULL);
	static const char req[] = "GET / HTTP/1.0\r\n\r\n";
	unsigned char got[64], body[3000], back[3000];
	size_t have = 0;
	int res = -1;

	EXPECT(t && srv);
	c2s_len = 0;
	EXPECT_INT(ck_tls_active(t), 0);
	EXPECT_INT(ck_tls_start(t, cctx, "check.test", "http/1.1", NULL), 0);
	EXPECT_INT(ck_tls_active(t), 1);
	EXPECT_INT(drive(t, srv, CKT_HANDSHAKE, NULL, 0, 5, &res), CKT_DONE);
	EXPECT_INT(ck_tls_hs_done(t), 1);
	/* the server completes with the check's Finished */
	EXPECT_INT(srv_run(srv, 0, NULL, 0), 1);
	EXPECT_STR(tls_conn_sni(srv), "check.test");
	EXPECT_STR(tls_conn_alpn(srv) ? tls_conn_alpn(srv) : "", "");   /* no ALPN on the server */

	/* a request, taken whole by one write */
	EXPECT_INT(drive(t, srv, CKT_WRITE, (void *)req, sizeof(req) - 1, 5, &res), CKT_DONE);
	EXPECT_INT(res, (int)sizeof(req) - 1);
	EXPECT_INT(srv_run(srv, 1, got, sizeof(got)), (long)sizeof(req) - 1);
	EXPECT(!memcmp(got, req, sizeof(req) - 1));

	/* a response of several records, received 3 bytes at a time */
	for (size_t i = 0; i < sizeof(body); i++)
		body[i] = (unsigned char)('a' + i % 26);
	EXPECT_INT(tls_conn_write(srv, body, sizeof(body)), (long)sizeof(body));
	while (have < sizeof(body)) {
		EXPECT_INT(drive(t, srv, CKT_READ, back + have, sizeof(back) - have, 3, &res), CKT_DONE);
		if (res <= 0)
			break;
		have += (size_t)res;
	}
	EXPECT_INT(have, sizeof(body));
	EXPECT(!memcmp(back, body, sizeof(body)));

	/* close_notify reads as the end */
	EXPECT_INT(tls_conn_shutdown(srv), 0);
	EXPECT_INT(drive(t, srv, CKT_READ, back, sizeof(back), 64, &res), CKT_DONE);
	EXPECT_INT(res, 0);
	ck_tls_end(t);
	EXPECT_INT(ck_tls_active(t), 0);
	ck_tls_end(t);          /* idempotent */
	tls_conn_free(srv);
	ck_tls_free(t);
}

static void t_name_mismatch(void)
{
	struct ck_tls *t = ck_tls_new();
	struct tls_conn *srv = tls_conn_new(sctx, NULL);
	int res;

	c2s_len = 0;
	EXPECT_INT(ck_tls_start(t, vctx, "bad.test", NULL, NULL), 0);
	EXPECT_INT(drive(t, srv, CKT_HANDSHAKE, NULL, 0, 4096, &res), CKT_FAIL);
	EXPECT_STR(ck_tls_error(t), "Server presented an SSL certificate different from the expected one");
	/* the right name passes with the same context; verifyhost is not used with an SNI */
	tls_conn_free(srv);
	srv = tls_conn_new(sctx, NULL);
	c2s_len = 0;
	EXPECT_INT(ck_tls_start(t, vctx, "check.test", NULL, "other.test"), 0);
	EXPECT_INT(drive(t, srv, CKT_HANDSHAKE, NULL, 0, 4096, &res), CKT_DONE);
	/* without an SNI, verifyhost names the certificate */
	tls_conn_free(srv);
	srv = tls_conn_new(sctx, NULL);
	c2s_len = 0;
	EXPECT_INT(ck_tls_start(t, vctx, NULL, NULL, "other.test"), 0);
	EXPECT_INT(drive(t, srv, CKT_HANDSHAKE, NULL, 0, 4096, &res), CKT_FAIL);
	tls_conn_free(srv);
	ck_tls_free(t);
}

static void t_closed_in_handshake(void)
{
	struct ck_tls *t = ck_tls_new();
	void *io;
	size_t n;
	int res;

	EXPECT_INT(ck_tls_start(t, cctx, NULL, NULL, NULL), 0);
	/* the ClientHello goes out, then the peer closes */
	EXPECT_INT(ck_tls_next(t, CKT_HANDSHAKE, NULL, 0, &io, &n, &res), CKT_SEND);
	EXPECT(n > 0);
	EXPECT_INT(ck_tls_io_done(t, (int)n), 0);
	EXPECT_INT(ck_tls_next(t, CKT_HANDSHAKE, NULL, 0, &io, &n, &res), CKT_RECV);
	EXPECT_INT(ck_tls_io_done(t, 0), 0);
	EXPECT_INT(ck_tls_next(t, CKT_HANDSHAKE, NULL, 0, &io, &n, &res), CKT_FAIL);
	EXPECT_STR(ck_tls_error(t), "Connection closed during SSL handshake");
	/* a send that fails is the caller's to report */
	EXPECT_INT(ck_tls_start(t, cctx, NULL, NULL, NULL), 0);
	EXPECT_INT(ck_tls_next(t, CKT_HANDSHAKE, NULL, 0, &io, &n, &res), CKT_SEND);
	EXPECT_INT(ck_tls_io_done(t, -32), -1);
	ck_tls_free(t);
}

int main(void)
{
	char err[256], cmd[300];
	struct tls_ctx_opts so = { .is_server = 1 }, co = { 0 }, vo = { 0 };

	if (make_cert() < 0) {
		printf("SKIP: %s: the openssl command could not make a certificate\n", __FILE__);
		return 0;
	}
	so.crt = pem;
	co.verify = TLS_VERIFY_NONE;
	vo.verify = TLS_VERIFY_REQUIRED;
	vo.ca_file = pem;       /* self-signed: its own CA */
	sctx = tls_ctx_new(&so, err, sizeof(err));
	cctx = tls_ctx_new(&co, err, sizeof(err));
	vctx = tls_ctx_new(&vo, err, sizeof(err));
	if (!sctx || !cctx || !vctx) {
		printf("FAIL: %s: contexts: %s\n", __FILE__, err);
		return 1;
	}
	RUN(t_exchange);
	RUN(t_name_mismatch);
	RUN(t_closed_in_handshake);
	tls_ctx_free(sctx);
	tls_ctx_free(cctx);
	tls_ctx_free(vctx);
	tls_thread_done();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		printf("  (could not remove %s)\n", dir);
	return unit_end();
}
