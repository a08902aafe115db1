/* check_tls.c: TLS under a health check (check_int.h). One session per
 * check connection, made from the server's client context (cfg_tls.c), so
 * verify, ca-file, ciphers and versions are the server's; SNI and ALPN
 * are the check's. No I/O here: ck_tls_next() says which ciphertext to
 * send or where to receive it, check.c submits the ring op and reports
 * its result with ck_tls_io_done(). */
#include <stdlib.h>
#include <string.h>

#include "engine/check_int.h"
#include "proto/tls.h"

#define CKTLS_CBUF 4096

/* Invariant: while a session exists, the <clen> bytes at <cbuf> are lent
 * to it; the last tls_conn_in_left() of them were not taken yet. */
struct ck_tls {
	struct tls_conn *conn;      /* NULL: no session */
	void *mem;                  /* tls_conn_size() bytes for <conn> */
	uint32_t clen;              /* received ciphertext in <cbuf> */
	int taken;                  /* plaintext a write took, reported once its records are sent */
	int eof;                    /* the peer closed (0) or failed (-errno): set <closed> */
	unsigned closed:1, sending:1;
	char cbuf[CKTLS_CBUF];
};

struct ck_tls *ck_tls_new(void)
{
	struct ck_tls *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	if (!(t->mem = malloc(tls_conn_size()))) {
		free(t);
		return NULL;
	}
	return t;
}

void ck_tls_free(struct ck_tls *t)
{
	if (!t)
		return;
	ck_tls_end(t);
	free(t->mem);
	free(t);
}

int ck_tls_start(struct ck_tls *t, struct tls_ctx *ctx, const char *sni, const char *alpn,
                 const char *verifyhost)
{
	ck_tls_end(t);
	t->clen = 0;
	t->taken = 0;
	t->eof = 0;
	t->closed = t->sending = 0;
	if (!(t->conn = tls_conn_init(t->mem, ctx, sni)))
		return -1;
	if ((alpn && tls_conn_set_alpn(t->conn, alpn) < 0)) {
		ck_tls_end(t);
		return -1;
	}
	/* as HAProxy, the name checked is the SNI sent, else verifyhost */
	if (verifyhost && !(sni && *sni))
		tls_conn_verify_name(t->conn, verifyhost);   /* -1: verification is off, nothing to do */
	return 0;
}

void ck_tls_end(struct ck_tls *t)
{
	if (t && t->conn) {
		tls_conn_release(t->conn);
		t->conn = NULL;
	}
}

int ck_tls_active(const struct ck_tls *t)
{
	return t && t->conn;
}

int ck_tls_hs_done(const struct ck_tls *t)
{
	return t && t->conn && tls_conn_handshake_done(t->conn);
}

enum ck_tls_next ck_tls_next(struct ck_tls *t, enum ck_tls_op op, void *buf, size_t len,
                             void **io, size_t *iolen, int *res)
{
	for (;;) {
		const void *out;
		size_t n = tls_conn_out_peek(t->conn, &out), left;
		ssize_t rc;

		if (n) {
			t->sending = 1;
			*io = (void *)out;
			*iolen = n;
			return CKT_SEND;
		}
		if (op == CKT_WRITE && t->taken) {
			*res = t->taken;
			t->taken = 0;
			return CKT_DONE;
		}
		switch (op) {
		case CKT_HANDSHAKE:
			rc = tls_conn_handshake(t->conn);
			if (rc == 1) {
				if (tls_conn_out_peek(t->conn, &out))
					continue;       /* our Finished goes first */
				*res = 0;
				return CKT_DONE;
			}
			break;
		case CKT_WRITE:
			rc = tls_conn_write(t->conn, buf, len);
			if (rc > 0) {
				t->taken = (int)rc;
				continue;
			}
			break;
		case CKT_READ:
			rc = tls_conn_read(t->conn, buf, len);
			if (rc >= 0) {
				*res = (int)rc;     /* TLS_CLOSED (close_notify) reads as the end */
				return CKT_DONE;
			}
			break;
		default:
			return CKT_FAIL;
		}
		if (rc == TLS_ERR)
			return CKT_FAIL;
		if (tls_conn_out_peek(t->conn, &out))
			continue;
		if (t->closed) {
			if (op != CKT_READ)
				return CKT_FAIL;
			*res = t->eof;
			return CKT_DONE;
		}
		/* more ciphertext is needed: keep what was not taken, receive after it */
		left = tls_conn_in_left(t->conn);
		if (left >= sizeof(t->cbuf))
			return CKT_FAIL;
		memmove(t->cbuf, t->cbuf + t->clen - left, left);
		t->clen = (uint32_t)left;
		t->sending = 0;
		*io = t->cbuf + left;
		*iolen = sizeof(t->cbuf) - left;
		return CKT_RECV;
	}
}

int ck_tls_io_done(struct ck_tls *t, int res)
{
	if (t->sending) {
		if (res <= 0)
			return -1;
		tls_conn_out_skip(t->conn, (size_t)res);
		return 0;
	}
	if (res <= 0) {
		t->closed = 1;
		t->eof = res;
		return 0;
	}
	t->clen += (uint32_t)res;
	tls_conn_feed(t->conn, t->cbuf, t->clen);
	return 0;
}

const char *ck_tls_error(const struct ck_tls *t)
{
	/* HAProxy's words for a handshake that did not complete; 62 is
	 * X509_V_ERR_HOSTNAME_MISMATCH */
	if (t->conn && tls_conn_verify_result(t->conn) == 62)
		return "Server presented an SSL certificate different from the expected one";
	return t->closed && !t->eof ? "Connection closed during SSL handshake" : "SSL handshake failure";
}

int check_srv_default_tls(const struct server *s)
{
	if (s->check_ssl)
		return 1;
	return s->ssl && !s->no_check_ssl && !s->check_port && !s->has_check_addr;
}

/* Returns 1 if <rs> has a connect rule with "ssl". */
static int rules_use_ssl(const struct tc_rules *rs)
{
	for (int i = 0; rs && i < rs->nb; i++)
		if (rs->r[i].kind == TC_CONNECT && rs->r[i].ssl)
			return 1;
	return 0;
}

int check_srv_uses_tls(const struct server *s)
{
	const struct tc_rules *rs = s->px->check_rules;
	const struct tc_rules *def = s->px->from ? s->px->from->check_rules : NULL;
	/* the HTTP check is the backend's own, else its defaults' (tc_http_program) */
	const struct tc_rules *http = rs && rs->http_own ? rs : def && def->http_own ? def : NULL;

	if (!s->check)
		return 0;
	return check_srv_default_tls(s) || rules_use_ssl(rs) || (http && rules_use_ssl(http->hrules));
}
