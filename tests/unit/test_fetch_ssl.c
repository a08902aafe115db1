/* test_fetch_ssl.c: the ssl_fc* / ssl_bc* / ssl_c_* fetches of
 * fetch_ssl.c on real sessions — a client and a server tls_conn shake
 * hands through memory, then hang on a stream's client and server
 * connections. Expected values and not-found cases are what HAProxy 2.6
 * logs for the same handshakes (plain connection: ssl_fc 0, ssl_fc_has_sni
 * 0, ssl_fc_is_resumed 0, the rest not found). Certificates are made at
 * run time with the openssl command. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/unit/unit.h"
#include "engine/sample.h"
#include "engine/stream.h"
#include "engine/conn.h"
#include "proto/tls.h"

static char dir[256];
static int have_certs;
static char errbuf[256];
static struct stream strm;
static struct conn fc, bc;

static int make_certs(void)
{
	char cmd[2048];

	snprintf(dir, sizeof(dir), "/tmp/rp_test_fetch_ssl.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(cmd, sizeof(cmd),
		"set -e; cd %s; exec 2>/dev/null >/dev/null\n"
		"EC='-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes'\n"
		"openssl req -x509 $EC -keyout ca.key -out ca.pem -days 30 -subj /CN=TestCA\n"
		"openssl req $EC -keyout a.key -out a.csr -subj /CN=a.test\n"
		"printf 'subjectAltName=DNS:a.test\\n' > a.ext\n"
		"openssl x509 -req -in a.csr -CA ca.pem -CAkey ca.key -days 30 -extfile a.ext -out a.crt\n"
		"cat a.crt a.key > a.pem\n"
		"openssl req $EC -keyout c.key -out c.csr -subj /C=FR/O=Org/OU=a/OU=b/CN=client2\n"
		"openssl x509 -req -in c.csr -CA ca.pem -CAkey ca.key -days 30 -out c.crt\n"
		"cat c.crt c.key > client.pem\n",
		dir);
	return system(cmd) == 0 ? 0 : -1;
}

static const char *P(const char *name)
{
	static char b[4][512];
	static int i;

	i = (i + 1) % 4;
	snprintf(b[i], sizeof(b[i]), "%s/%s", dir, name);
	return b[i];
}

/* One direction of the wire. */
struct pipe { size_t len; unsigned char buf[1 << 17]; };
static struct pipe c2s, s2c;

static void xfer(struct tls_conn *from, struct pipe *p)
{
	const void *d;
	size_t n = tls_conn_out_peek(from, &d);

	if (n > sizeof(p->buf) - p->len)
		n = sizeof(p->buf) - p->len;
	memcpy(p->buf + p->len, d, n);
	p->len += n;
	tls_conn_out_skip(from, n);
}

/* Lends <p> to <to>, runs its handshake, keeps what was not consumed. */
static int step(struct tls_conn *to, struct pipe *p)
{
	size_t left;
	int r;

	tls_conn_feed(to, p->buf, p->len);
	r = tls_conn_handshake(to);
	left = tls_conn_in_left(to);
	memmove(p->buf, p->buf + p->len - left, left);
	p->len = left;
	tls_conn_feed(to, NULL, 0);
	return r;
}

/* Returns 1 when both sides finished their handshake. */
static int handshake(struct tls_conn *cli, struct tls_conn *srv)
{
	int a = TLS_AGAIN, b = TLS_AGAIN;

	c2s.len = s2c.len = 0;
	for (int i = 0; i < 20 && !(a == 1 && b == 1) && a != TLS_ERR && b != TLS_ERR; i++) {
		if (a != 1)
			a = step(cli, &s2c);
		xfer(cli, &c2s);
		if (b != 1)
			b = step(srv, &c2s);
		xfer(srv, &s2c);
	}
	return a == 1 && b == 1;
}

/* Evaluates <expr>; returns 1/0 (found) or -1 (parse error, message in
 * <out>), the value as a string in <out>. */
static int ev(const char *expr, char *out, size_t n)
{
	char err[256];
	struct sample_expr *e = sample_expr_parse(expr, NULL, NULL, err, sizeof(err));
	struct smp_ctx ctx = { .strm = &strm, .final = 1 };
	struct sample smp = { 0 };
	int r;

	out[0] = 0;
	if (!e) {
		snprintf(out, n, "%s", err);
		return -1;
	}
	r = sample_expr_eval(e, &ctx, &smp);
	if (r && sample_cast(&smp, SMP_T_STR))
		snprintf(out, n, "%.*s", (int)smp.u.str.len, smp.u.str.ptr);
	sample_expr_free(e);
	return r;
}

#define EXPECT_FOUND(expr, val) do { char _o[512]; EXPECT_INT(ev(expr, _o, sizeof(_o)), 1); EXPECT_STR(_o, val); } while (0)
#define EXPECT_NOTFOUND(expr) do { char _o[512]; EXPECT_INT(ev(expr, _o, sizeof(_o)), 0); } while (0)

#define NEED_CERTS() do { if (!have_certs) { SKIP("openssl could not make test certificates"); return; } } while (0)

static void t_plain(void)
{
	strm.cli = &fc;
	strm.srvc = NULL;
	fc.tls = NULL;
	EXPECT_FOUND("ssl_fc", "0");
	EXPECT_FOUND("ssl_fc_has_sni", "0");
	EXPECT_FOUND("ssl_fc_is_resumed", "0");
	EXPECT_NOTFOUND("ssl_fc_sni");
	EXPECT_NOTFOUND("ssl_fc_protocol");
	EXPECT_NOTFOUND("ssl_fc_cipher");
	EXPECT_NOTFOUND("ssl_fc_alpn");
	EXPECT_NOTFOUND("ssl_fc_use_keysize");
	EXPECT_NOTFOUND("ssl_c_used");
	EXPECT_NOTFOUND("ssl_fc_has_crt");
	EXPECT_NOTFOUND("ssl_c_verify");
	EXPECT_NOTFOUND("ssl_c_s_dn");
	EXPECT_NOTFOUND("ssl_c_s_dn(CN)");
	/* no server connection yet, then a plain one */
	EXPECT_FOUND("ssl_bc", "0");
	EXPECT_FOUND("ssl_bc_is_resumed", "0");
	EXPECT_NOTFOUND("ssl_bc_protocol");
	strm.srvc = &bc;
	bc.tls = NULL;
	EXPECT_FOUND("ssl_bc", "0");
	EXPECT_NOTFOUND("ssl_bc_cipher");
	EXPECT_NOTFOUND("ssl_bc_alpn");
	EXPECT_NOTFOUND("ssl_bc_use_keysize");
}

/* TLS 1.3, SNI, ALPN agreed, a client certificate: the server session on
 * the front, the client session on the back. */
static void t_tls13_sni_alpn_cert(void)
{
	struct tls_ctx_opts so = { .is_server = 1, .crt = P("a.pem"), .ca_file = P("ca.pem"),
	                           .verify = TLS_VERIFY_OPTIONAL, .alpn = "h2,http/1.1" };
	struct tls_ctx_opts co = { .crt = P("client.pem"), .alpn = "h2" };
	struct tls_ctx *sc, *cc;
	struct tls_conn *cli, *srv;
	char o[512];

	NEED_CERTS();
	sc = tls_ctx_new(&so, errbuf, sizeof(errbuf));
	cc = tls_ctx_new(&co, errbuf, sizeof(errbuf));
	EXPECT(sc && cc);
	if (!sc || !cc)
		goto out;
	cli = tls_conn_new(cc, "a.test");
	srv = tls_conn_new(sc, NULL);
	EXPECT(handshake(cli, srv));
	strm.cli = &fc;
	strm.srvc = &bc;
	fc.tls = srv;
	bc.tls = cli;
	EXPECT_FOUND("ssl_fc", "1");
	EXPECT_FOUND("ssl_fc_sni", "a.test");
	EXPECT_FOUND("ssl_fc_has_sni", "1");
	EXPECT_FOUND("ssl_fc_protocol", "TLSv1.3");
	EXPECT_INT(ev("ssl_fc_cipher", o, sizeof(o)), 1);
	EXPECT(!strncmp(o, "TLS_", 4));
	EXPECT_FOUND("ssl_fc_alpn", "h2");
	EXPECT_INT(ev("ssl_fc_use_keysize", o, sizeof(o)), 1);
	EXPECT(!strcmp(o, "128") || !strcmp(o, "256"));
	EXPECT_FOUND("ssl_fc_is_resumed", "0");
	EXPECT_FOUND("ssl_c_used", "1");
	EXPECT_FOUND("ssl_fc_has_crt", "1");
	EXPECT_FOUND("ssl_c_verify", "0");
	EXPECT_FOUND("ssl_c_s_dn", "/C=FR/O=Org/OU=a/OU=b/CN=client2");
	EXPECT_FOUND("ssl_c_s_dn(OU)", "a");            /* first by default */
	EXPECT_FOUND("ssl_c_s_dn(OU,2)", "b");
	EXPECT_FOUND("ssl_c_s_dn(OU,-1)", "b");
	EXPECT_FOUND("ssl_c_s_dn(cn)", "client2");      /* entry names ignore case */
	EXPECT_NOTFOUND("ssl_c_s_dn(OU,3)");
	EXPECT_NOTFOUND("ssl_c_s_dn(ZZ)");
	EXPECT_FOUND("ssl_c_s_dn(,0,rfc2253)", "CN=client2,OU=b,OU=a,O=Org,C=FR");
	EXPECT_FOUND("ssl_fc_sni,upper", "A.TEST");
	EXPECT_FOUND("ssl_bc", "1");
	EXPECT_FOUND("ssl_bc_protocol", "TLSv1.3");
	EXPECT_FOUND("ssl_bc_alpn", "h2");
	EXPECT_INT(ev("ssl_bc_cipher", o, sizeof(o)), 1);
	EXPECT(!strncmp(o, "TLS_", 4));
	EXPECT_FOUND("ssl_bc_is_resumed", "0");
	fc.tls = bc.tls = NULL;
	tls_conn_free(cli);
	tls_conn_free(srv);
out:
	tls_ctx_free(sc);
	tls_ctx_free(cc);
}

/* TLS 1.2 without SNI, ALPN or client certificate, then a resumed one. */
static void t_tls12_bare_then_resumed(void)
{
	struct tls_ctx_opts so = { .is_server = 1, .crt = P("a.pem") };
	struct tls_ctx_opts co = { .max_ver = "TLSv1.2" };
	struct tls_ctx *sc, *cc;
	char o[512];

	NEED_CERTS();
	sc = tls_ctx_new(&so, errbuf, sizeof(errbuf));
	cc = tls_ctx_new(&co, errbuf, sizeof(errbuf));
	EXPECT(sc && cc);
	if (!sc || !cc)
		goto out;
	for (int i = 0; i < 2; i++) {
		struct tls_conn *cli = tls_conn_new(cc, NULL), *srv = tls_conn_new(sc, NULL);

		EXPECT(handshake(cli, srv));
		strm.cli = &fc;
		strm.srvc = &bc;
		fc.tls = srv;
		bc.tls = cli;
		EXPECT_FOUND("ssl_fc", "1");
		EXPECT_NOTFOUND("ssl_fc_sni");
		EXPECT_FOUND("ssl_fc_has_sni", "0");
		EXPECT_FOUND("ssl_fc_protocol", "TLSv1.2");
		EXPECT_NOTFOUND("ssl_fc_alpn");
		EXPECT_NOTFOUND("ssl_bc_alpn");
		EXPECT_FOUND("ssl_c_used", "0");
		EXPECT_FOUND("ssl_c_verify", "0");
		EXPECT_NOTFOUND("ssl_c_s_dn");
		EXPECT_INT(ev("ssl_fc_cipher", o, sizeof(o)), 1);
		EXPECT(strchr(o, '-') != NULL);       /* OpenSSL's TLS 1.2 names: ECDHE-ECDSA-... */
		EXPECT_FOUND("ssl_fc_is_resumed", i ? "1" : "0");
		EXPECT_FOUND("ssl_bc_is_resumed", i ? "1" : "0");
		fc.tls = bc.tls = NULL;
		tls_conn_free(cli);
		tls_conn_free(srv);
	}
out:
	tls_ctx_free(sc);
	tls_ctx_free(cc);
}

/* A session whose handshake has not finished (a tcp-request connection
 * rule on a "bind ... ssl" line): TLS, but nothing known about it yet. */
static void t_before_handshake(void)
{
	struct tls_ctx_opts so = { .is_server = 1, .crt = P("a.pem") };
	struct tls_ctx *sc;
	struct tls_conn *srv;

	NEED_CERTS();
	if (!(sc = tls_ctx_new(&so, errbuf, sizeof(errbuf)))) {
		EXPECT(sc != NULL);
		return;
	}
	srv = tls_conn_new(sc, NULL);
	strm.cli = &fc;
	strm.srvc = NULL;
	fc.tls = srv;
	EXPECT_FOUND("ssl_fc", "1");
	EXPECT_FOUND("ssl_fc_has_sni", "0");
	EXPECT_FOUND("ssl_fc_is_resumed", "0");
	EXPECT_NOTFOUND("ssl_fc_sni");
	EXPECT_NOTFOUND("ssl_fc_protocol");
	EXPECT_NOTFOUND("ssl_fc_cipher");
	EXPECT_NOTFOUND("ssl_fc_use_keysize");
	EXPECT_NOTFOUND("ssl_c_used");
	EXPECT_NOTFOUND("ssl_c_verify");
	fc.tls = NULL;
	tls_conn_free(srv);
	tls_ctx_free(sc);
}

static void t_args(void)
{
	char o[512];

	EXPECT_INT(ev("ssl_c_s_dn(CN,1,json)", o, sizeof(o)), -1);
	EXPECT_STR(o, "invalid args in fetch method 'ssl_c_s_dn' : only rfc2253 or a blank value are currently supported as the format argument.");
	EXPECT_INT(ev("ssl_c_s_dn(,0,ldapv3)", o, sizeof(o)), -1);   /* 2.6 refuses it too */
	EXPECT_INT(ev("ssl_c_s_dn(,0,rfc2253)", o, sizeof(o)), 0);
	EXPECT_INT(ev("ssl_fc_sni(x)", o, sizeof(o)), -1);
	EXPECT_INT(ev("ssl_s_dn", o, sizeof(o)), -1);    /* not a 2.6 fetch */
}

int main(void)
{
	have_certs = make_certs() == 0;
	RUN(t_plain);
	RUN(t_tls13_sni_alpn_cert);
	RUN(t_tls12_bare_then_resumed);
	RUN(t_before_handshake);
	RUN(t_args);
	if (dir[0]) {
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd)) {}
	}
	return unit_end();
}
