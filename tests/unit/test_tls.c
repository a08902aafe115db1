/* test_tls.c: two TLS endpoints of proto/tls.c talking through memory —
 * handshake, data both ways, SNI, ALPN, versions, ciphers, resumption,
 * verification failures, garbage, close_notify; then handshakes per CPU
 * second (printed, not asserted). Certificates are made at run time with
 * the openssl command in a temporary directory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <pthread.h>

#include "proto/tls.h"
#include "tests/unit/unit.h"

static char dir[256];
static int have_certs;
static char errbuf[256];

/* Makes CA, server (a.test + *.wild.test), b.test with its key beside it,
 * a crt-list style c.pem, a self-signed a.test, an expired a.test, a client
 * certificate, and an RSA a.test for the benchmark. Returns 0 or -1. */
static int make_certs(void)
{
	char cmd[4096];

	snprintf(dir, sizeof(dir), "/tmp/rp_test_tls.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(cmd, sizeof(cmd),
		"set -e; cd %s; exec 2>/dev/null >/dev/null\n"
		"EC='-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes'\n"
		"openssl req -x509 $EC -keyout ca.key -out ca.pem -days 30 -subj /CN=TestCA\n"
		"sign() { # name subj days san\n"
		"  openssl req $EC -keyout $1.key -out $1.csr -subj $2\n"
		"  printf 'subjectAltName=%%s\\n' \"$4\" > $1.ext\n"
		"  openssl x509 -req -in $1.csr -CA ca.pem -CAkey ca.key -days $3 -extfile $1.ext -out $1.crt\n"
		"}\n"
		"sign a /CN=a.test 30 DNS:a.test,DNS:*.wild.test; cat a.crt a.key > a.pem\n"
		"mkdir d; sign b /CN=b.test 30 DNS:b.test; cp b.crt d/b.pem; cp b.key d/b.pem.key\n"
		"sign c /CN=c.test 30 DNS:c.test; cat c.crt c.key > c.pem\n"
		"sign e /CN=a.test -1 DNS:a.test; cat e.crt e.key > expired.pem\n"
		"sign cl /CN=client1 30 DNS:client1; cat cl.crt cl.key > client.pem\n"
		"openssl req -x509 $EC -keyout s.key -out s.crt -days 30 -subj /CN=a.test -addext subjectAltName=DNS:a.test\n"
		"cat s.crt s.key > self.pem\n"
		"openssl req -newkey rsa:2048 -nodes -keyout r.key -out r.csr -subj /CN=a.test\n"
		"printf 'subjectAltName=DNS:a.test\\n' > r.ext\n"
		"openssl x509 -req -in r.csr -CA ca.pem -CAkey ca.key -days 30 -extfile r.ext -out r.crt\n"
		"cat r.crt r.key > rsa.pem\n"
		"cat a.crt b.key > mismatch.pem\n"
		"san=DNS:big.test; i=0; while [ $i -lt 1000 ]; do san=\"$san,DNS:name-$i.big.test\"; i=$((i+1)); done\n"
		"sign big /CN=big.test 30 \"$san\"; cat big.crt big.key > big.pem\n",
		dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Returns <dir>/<name> in one of four rotating buffers of this thread. */
static const char *P(const char *name)
{
	static __thread char b[4][512];
	static __thread int i;

	i = (i + 1) % 4;
	snprintf(b[i], sizeof(b[i]), "%s/%s", dir, name);
	return b[i];
}

/* One direction of the wire: ciphertext sent, not yet consumed. */
struct pipe {
	size_t len;
	unsigned char buf[1 << 18];
};
static struct pipe c2s, s2c;

static void wire_reset(void)
{
	c2s.len = s2c.len = 0;
}

/* Moves what <from> has to send onto <p>. */
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

static void lend(struct tls_conn *to, struct pipe *p)
{
	tls_conn_feed(to, p->buf, p->len);
}

/* Drops from <p> what <to> consumed of the loan. */
static void settle(struct tls_conn *to, struct pipe *p)
{
	size_t left = tls_conn_in_left(to);

	memmove(p->buf, p->buf + p->len - left, left);
	p->len = left;
	tls_conn_feed(to, NULL, 0);
}

/* Runs both handshakes to their end. Returns 1 when both completed, else
 * 0 with <rc> and <rs> set to the last results. */
static int handshake(struct tls_conn *cli, struct tls_conn *srv, int *rc, int *rs)
{
	int a = TLS_AGAIN, b = TLS_AGAIN;

	for (int i = 0; i < 20; i++) {
		if (a != 1 && a != TLS_ERR) {
			lend(cli, &s2c);
			a = tls_conn_handshake(cli);
			settle(cli, &s2c);
		}
		xfer(cli, &c2s);
		if (b != 1 && b != TLS_ERR) {
			lend(srv, &c2s);
			b = tls_conn_handshake(srv);
			settle(srv, &c2s);
		}
		xfer(srv, &s2c);
		if ((a == 1 && b == 1) || a == TLS_ERR || b == TLS_ERR)
			break;
	}
	if (rc)
		*rc = a;
	if (rs)
		*rs = b;
	return a == 1 && b == 1;
}

/* Reads everything <to> can decrypt from <p> into <dst>. Returns the byte
 * count, or the first non-positive result when nothing was read. */
static long drain(struct tls_conn *to, struct pipe *p, unsigned char *dst, size_t cap)
{
	size_t got = 0;
	ssize_t r = TLS_AGAIN;

	lend(to, p);
	while (got < cap && (r = tls_conn_read(to, dst + got, cap - got)) > 0)
		got += (size_t)r;
	settle(to, p);
	return got ? (long)got : (long)r;
}

static struct tls_ctx *srv_ctx(const char *crt, const char *alpn)
{
	struct tls_ctx_opts o = { .is_server = 1, .crt = crt, .alpn = alpn };

	return tls_ctx_new(&o, errbuf, sizeof(errbuf));
}

static struct tls_ctx *cli_ctx(int verify, const char *alpn)
{
	struct tls_ctx_opts o = { .ca_file = P("ca.pem"), .verify = verify, .alpn = alpn };

	return tls_ctx_new(&o, errbuf, sizeof(errbuf));
}

#define NEED_CERTS() do { if (!have_certs) { SKIP("openssl could not make test certificates"); return; } } while (0)

static void t_handshake_and_data(void)
{
	NEED_CERTS();
	struct tls_ctx *sc = srv_ctx(P("a.pem"), NULL), *cc = cli_ctx(TLS_VERIFY_REQUIRED, NULL);
	EXPECT(sc && cc);
	if (!sc || !cc)
		return;
	struct tls_conn *cli = tls_conn_new(cc, "a.test"), *srv = tls_conn_new(sc, NULL);
	static unsigned char big[300000], got[300000];
	int rc, rs;

	wire_reset();
	EXPECT(!tls_conn_handshake_done(cli));
	EXPECT(handshake(cli, srv, &rc, &rs));
	EXPECT(tls_conn_handshake_done(cli) && tls_conn_handshake_done(srv));
	EXPECT_STR(tls_conn_protocol(srv), "TLSv1.3");
	EXPECT_STR(tls_conn_protocol(cli), "TLSv1.3");
	EXPECT(tls_conn_cipher(srv) && !strncmp(tls_conn_cipher(srv), "TLS_", 4));
	EXPECT(tls_conn_cipher_bits(srv) >= 128);
	EXPECT_STR(tls_conn_sni(srv), "a.test");
	EXPECT_STR(tls_conn_sni(cli), "a.test");
	EXPECT(tls_conn_alpn(srv) == NULL);
	EXPECT(!tls_conn_peer_has_cert(srv));
	EXPECT(tls_conn_peer_has_cert(cli));
	EXPECT_INT(tls_conn_verify_result(cli), 0);
	EXPECT_INT(tls_conn_verify_result(srv), 0);
	char dn[256];
	EXPECT(tls_conn_cert(cli, 0, TLS_CERT_S_DN, dn, sizeof(dn)) > 0);
	EXPECT_STR(dn, "/CN=a.test");
	EXPECT_INT(tls_conn_cert(srv, 0, TLS_CERT_S_DN, dn, sizeof(dn)), -1);

	/* client -> server */
	EXPECT_INT(tls_conn_write(cli, "hello", 5), 5);
	xfer(cli, &c2s);
	EXPECT_INT(drain(srv, &c2s, got, sizeof(got)), 5);
	EXPECT_MEM(got, "hello", 5);
	EXPECT_INT(drain(srv, &c2s, got, sizeof(got)), TLS_AGAIN);
	EXPECT_INT(tls_conn_read(srv, got, 0), TLS_AGAIN);

	/* server -> client, more than the output buffer holds: partial writes */
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (unsigned char)(i * 7 + (i >> 9));
	size_t sent = 0, rcvd = 0;
	int rounds = 0, partial = 0;
	while (rcvd < sizeof(big) && rounds++ < 1000) {
		if (sent < sizeof(big)) {
			ssize_t w = tls_conn_write(srv, big + sent, sizeof(big) - sent);
			EXPECT(w > 0);
			if (w <= 0)
				break;
			if ((size_t)w < sizeof(big) - sent)
				partial = 1;
			sent += (size_t)w;
		}
		EXPECT_INT(tls_conn_write(srv, "", 0), TLS_AGAIN); /* nothing to take */
		xfer(srv, &s2c);
		long r = drain(cli, &s2c, got + rcvd, sizeof(got) - rcvd);
		if (r > 0)
			rcvd += (size_t)r;
	}
	EXPECT(partial);
	EXPECT_INT(rcvd, sizeof(big));
	EXPECT(!memcmp(got, big, sizeof(big)));
	tls_conn_free(cli);
	tls_conn_free(srv);
	tls_ctx_free(sc);
	tls_ctx_free(cc);
}

/* Handshakes a client with <sni> against <sc>; returns 1 if it worked and
 * puts the server's certificate subject in <dn>. */
static int try_sni(struct tls_ctx *sc, struct tls_ctx *cc, const char *sni, char *dn, char *srv_sni)
{
	struct tls_conn *cli = tls_conn_new(cc, sni), *srv = tls_conn_new(sc, NULL);
	int ok;

	wire_reset();
	ok = handshake(cli, srv, NULL, NULL);
	dn[0] = 0;
	if (ok)
		tls_conn_cert(cli, 0, TLS_CERT_S_DN, dn, 256);
	if (srv_sni)
		snprintf(srv_sni, 256, "%s", tls_conn_sni(srv) ? tls_conn_sni(srv) : "(none)");
	tls_conn_free(cli);
	tls_conn_free(srv);
	return ok;
}

static void t_sni(void)
{
	NEED_CERTS();
	struct tls_ctx *sc = srv_ctx(P("a.pem"), NULL);
	struct tls_ctx *cv = cli_ctx(TLS_VERIFY_REQUIRED, NULL), *cn = cli_ctx(TLS_VERIFY_NONE, NULL);
	const char *filter[] = { "filtered.test", "*.f.test" };
	char dn[256], ss[256];

	EXPECT(sc && cv && cn);
	if (!sc || !cv || !cn)
		return;
	EXPECT_INT(tls_ctx_add_crt(sc, P("d"), NULL, 0, errbuf, sizeof(errbuf)), 0); /* dir, key in .key */
	EXPECT_INT(tls_ctx_add_crt(sc, P("c.pem"), filter, 2, errbuf, sizeof(errbuf)), 0);
	EXPECT_INT(tls_ctx_crt_count(sc), 3);

	EXPECT(try_sni(sc, cv, "b.test", dn, ss));
	EXPECT_STR(dn, "/CN=b.test");
	EXPECT_STR(ss, "b.test");
	EXPECT(try_sni(sc, cv, "B.Test", dn, NULL));
	EXPECT_STR(dn, "/CN=b.test");
	EXPECT(try_sni(sc, cv, "x.wild.test", dn, NULL));
	EXPECT_STR(dn, "/CN=a.test");
	EXPECT(!try_sni(sc, cv, "y.x.wild.test", dn, NULL));   /* one label only */
	EXPECT(try_sni(sc, cn, "filtered.test", dn, NULL));
	EXPECT_STR(dn, "/CN=c.test");
	EXPECT(try_sni(sc, cn, "z.f.test", dn, NULL));
	EXPECT_STR(dn, "/CN=c.test");
	EXPECT(try_sni(sc, cn, "c.test", dn, NULL));         /* filters replace its own names */
	EXPECT_STR(dn, "/CN=a.test");
	EXPECT(try_sni(sc, cn, "unknown.test", dn, NULL));   /* default: the first certificate */
	EXPECT_STR(dn, "/CN=a.test");
	EXPECT(try_sni(sc, cn, NULL, dn, ss));
	EXPECT_STR(dn, "/CN=a.test");
	EXPECT_STR(ss, "(none)");
	tls_ctx_free(sc);

	/* many names: the index grows, every name still finds its certificate */
	sc = srv_ctx(P("a.pem"), NULL);
	EXPECT(sc != NULL);
	if (!sc)
		return;
	for (int i = 0; i < 300; i++) {
		char n1[32], n2[32];
		const char *f2[] = { n1, n2 };
		snprintf(n1, sizeof(n1), "n%d.test", i);
		snprintf(n2, sizeof(n2), "*.w%d.test", i);
		EXPECT_INT(tls_ctx_add_crt(sc, P(i == 150 ? "d/b.pem" : "c.pem"), f2, 2, errbuf, sizeof(errbuf)), 0);
	}
	EXPECT_INT(tls_ctx_crt_count(sc), 301);
	EXPECT(try_sni(sc, cn, "n299.test", dn, NULL));
	EXPECT_STR(dn, "/CN=c.test");
	EXPECT(try_sni(sc, cn, "N150.TEST", dn, NULL));
	EXPECT_STR(dn, "/CN=b.test");
	EXPECT(try_sni(sc, cn, "x.w150.test", dn, NULL));
	EXPECT_STR(dn, "/CN=b.test");
	EXPECT(try_sni(sc, cn, "x.w151.test", dn, NULL));
	EXPECT_STR(dn, "/CN=c.test");
	EXPECT(try_sni(sc, cn, "n300.test", dn, NULL));
	EXPECT_STR(dn, "/CN=a.test");
	EXPECT(try_sni(sc, cn, ".w150.test", dn, NULL));    /* an empty label is no match */
	EXPECT_STR(dn, "/CN=a.test");
	tls_ctx_free(sc);
	tls_ctx_free(cv);
	tls_ctx_free(cn);
}

static void t_strict_sni(void)
{
	NEED_CERTS();
	struct tls_ctx_opts so = { .is_server = 1, .crt = P("a.pem"), .strict_sni = 1 };
	struct tls_ctx *sc = tls_ctx_new(&so, errbuf, sizeof(errbuf)), *cn = cli_ctx(TLS_VERIFY_NONE, NULL);
	char dn[256];

	EXPECT(sc && cn);
	if (!sc || !cn)
		return;
	EXPECT_INT(tls_ctx_add_crt(sc, P("d"), NULL, 0, errbuf, sizeof(errbuf)), 0);
	EXPECT(try_sni(sc, cn, "b.test", dn, NULL));
	EXPECT_STR(dn, "/CN=b.test");
	EXPECT(try_sni(sc, cn, "a.test", dn, NULL));
	EXPECT_STR(dn, "/CN=a.test");
	EXPECT(!try_sni(sc, cn, "unknown.test", dn, NULL));
	EXPECT(!try_sni(sc, cn, NULL, dn, NULL));

	struct tls_conn *cli = tls_conn_new(cn, "unknown.test"), *srv = tls_conn_new(sc, NULL);
	int rc, rs;
	wire_reset();
	EXPECT(!handshake(cli, srv, &rc, &rs));
	EXPECT_INT(rs, TLS_ERR);
	EXPECT_STR(tls_conn_error(srv), "sent alert: unrecognized_name (112)");
	lend(cli, &s2c);   /* the server's alert */
	EXPECT_INT(tls_conn_handshake(cli), TLS_ERR);
	settle(cli, &s2c);
	EXPECT_STR(tls_conn_error(cli), "peer sent alert: unrecognized_name (112)");
	tls_conn_free(cli), tls_conn_free(srv);
	tls_ctx_free(sc), tls_ctx_free(cn);
}

/* verifyhost: the name checked is not the SNI sent */
static void t_verify_name(void)
{
	NEED_CERTS();
	struct tls_ctx *sc = srv_ctx(P("a.pem"), NULL), *cv = cli_ctx(TLS_VERIFY_REQUIRED, NULL);
	struct tls_ctx *cn = cli_ctx(TLS_VERIFY_NONE, NULL);
	struct tls_conn *cli, *srv;

	EXPECT(sc && cv && cn);
	if (!sc || !cv || !cn)
		return;
	wire_reset();
	cli = tls_conn_new(cv, "other.test"), srv = tls_conn_new(sc, NULL);
	EXPECT_INT(tls_conn_verify_name(cli, "x.wild.test"), 0);
	EXPECT(handshake(cli, srv, NULL, NULL));
	EXPECT_STR(tls_conn_sni(srv), "other.test");
	EXPECT_INT(tls_conn_verify_name(cli, "a.test"), -1);   /* too late */
	tls_conn_free(cli), tls_conn_free(srv);

	wire_reset();
	cli = tls_conn_new(cv, "a.test"), srv = tls_conn_new(sc, NULL);
	EXPECT_INT(tls_conn_verify_name(cli, "b.test"), 0);
	EXPECT(!handshake(cli, srv, NULL, NULL));
	EXPECT_STR(tls_conn_error(cli), "hostname mismatch");
	tls_conn_free(cli), tls_conn_free(srv);

	cli = tls_conn_new(cn, "a.test");
	EXPECT_INT(tls_conn_verify_name(cli, "a.test"), -1);   /* verification is off */
	tls_conn_free(cli);
	srv = tls_conn_new(sc, NULL);
	EXPECT_INT(tls_conn_verify_name(srv, "a.test"), -1);
	tls_conn_free(srv);
	tls_ctx_free(sc), tls_ctx_free(cv), tls_ctx_free(cn);
}

static void t_alpn(void)
{
	NEED_CERTS();
	struct tls_ctx *sc = srv_ctx(P("a.pem"), "h2,http/1.1");
	struct tls_ctx *c1 = cli_ctx(TLS_VERIFY_NONE, "http/1.1,h2");
	struct tls_ctx *c2 = cli_ctx(TLS_VERIFY_NONE, "http/1.1");
	struct tls_ctx *c3 = cli_ctx(TLS_VERIFY_NONE, "foo");
	struct tls_conn *cli, *srv;

	EXPECT(sc && c1 && c2 && c3);
	if (!sc || !c1 || !c2 || !c3)
		return;
	wire_reset();
	cli = tls_conn_new(c1, "a.test"), srv = tls_conn_new(sc, NULL);
	EXPECT(handshake(cli, srv, NULL, NULL));
	EXPECT_STR(tls_conn_alpn(srv), "h2");   /* the server's order wins */
	EXPECT_STR(tls_conn_alpn(cli), "h2");
	tls_conn_free(cli), tls_conn_free(srv);

	wire_reset();
	cli = tls_conn_new(c2, "a.test"), srv = tls_conn_new(sc, NULL);
	EXPECT(handshake(cli, srv, NULL, NULL));
	EXPECT_STR(tls_conn_alpn(srv), "http/1.1");
	tls_conn_free(cli), tls_conn_free(srv);

	wire_reset();
	cli = tls_conn_new(c3, "a.test"), srv = tls_conn_new(sc, NULL);
	EXPECT(handshake(cli, srv, NULL, NULL));  /* no common protocol: no ALPN, as HAProxy */
	EXPECT(tls_conn_alpn(srv) == NULL);
	EXPECT(tls_conn_alpn(cli) == NULL);
	tls_conn_free(cli), tls_conn_free(srv);
	tls_ctx_free(sc), tls_ctx_free(c1), tls_ctx_free(c2), tls_ctx_free(c3);
}

/* Expects the client's handshake against <crt> to fail with OpenSSL's
 * verify error <x509_err> and reason <msg>. */
static void expect_verify_failure(const char *crt, const char *sni, const char *label, long x509_err, const char *msg)
{
	struct tls_ctx *sc = srv_ctx(crt, NULL), *cc = cli_ctx(TLS_VERIFY_REQUIRED, NULL);
	struct tls_conn *cli, *srv;
	int rc, rs;

	EXPECT(sc && cc);
	if (!sc || !cc)
		return;
	wire_reset();
	cli = tls_conn_new(cc, sni), srv = tls_conn_new(sc, NULL);
	EXPECT(!handshake(cli, srv, &rc, &rs));
	EXPECT_INT(rc, TLS_ERR);
	EXPECT(tls_conn_error(cli)[0] != 0);
	printf("  %s: client says \"%s\"\n", label, tls_conn_error(cli));
	EXPECT_STR(tls_conn_error(cli), msg);
	EXPECT_INT(tls_conn_verify_result(cli), x509_err);
	EXPECT(!tls_conn_handshake_done(cli));
	EXPECT_INT(tls_conn_write(cli, "x", 1), TLS_ERR);
	/* the client's alert ends the server's handshake too */
	lend(srv, &c2s);
	EXPECT_INT(tls_conn_handshake(srv), TLS_ERR);
	settle(srv, &c2s);
	EXPECT(tls_conn_error(srv)[0] != 0);
	printf("  %s: server says \"%s\"\n", label, tls_conn_error(srv));
	EXPECT(strncmp(tls_conn_error(srv), "peer sent alert: ", 17) == 0);
	tls_conn_free(cli), tls_conn_free(srv);
	tls_ctx_free(sc), tls_ctx_free(cc);
}

static void t_verify_unknown_ca(void)
{
	NEED_CERTS();
	expect_verify_failure(P("self.pem"), "a.test", "self-signed", 18, "self-signed certificate");
}

static void t_verify_expired(void)
{
	NEED_CERTS();
	expect_verify_failure(P("expired.pem"), "a.test", "expired", 10, "certificate has expired");
}

static void t_verify_name_mismatch(void)
{
	NEED_CERTS();
	expect_verify_failure(P("a.pem"), "other.test", "name mismatch", 62, "hostname mismatch");
}

static void t_verify_none_accepts(void)
{
	NEED_CERTS();
	struct tls_ctx *sc = srv_ctx(P("self.pem"), NULL), *cc = cli_ctx(TLS_VERIFY_NONE, NULL);
	struct tls_conn *cli = tls_conn_new(cc, "other.test"), *srv = tls_conn_new(sc, NULL);

	wire_reset();
	EXPECT(handshake(cli, srv, NULL, NULL));
	tls_conn_free(cli), tls_conn_free(srv);
	tls_ctx_free(sc), tls_ctx_free(cc);
}

static void t_client_cert(void)
{
	NEED_CERTS();
	struct tls_ctx_opts so = { .is_server = 1, .crt = P("a.pem"), .ca_file = P("ca.pem"),
	                           .verify = TLS_VERIFY_REQUIRED };
	struct tls_ctx_opts co = { .ca_file = P("ca.pem"), .verify = TLS_VERIFY_REQUIRED, .crt = P("client.pem") };
	struct tls_ctx *sc = tls_ctx_new(&so, errbuf, sizeof(errbuf));
	struct tls_ctx *cc = tls_ctx_new(&co, errbuf, sizeof(errbuf));
	struct tls_ctx *anon = cli_ctx(TLS_VERIFY_REQUIRED, NULL);
	struct tls_conn *cli, *srv;
	char dn[256];
	int rc, rs;

	EXPECT(sc && cc && anon);
	if (!sc || !cc || !anon)
		return;
	wire_reset();
	cli = tls_conn_new(cc, "a.test"), srv = tls_conn_new(sc, NULL);
	EXPECT(handshake(cli, srv, NULL, NULL));
	EXPECT(tls_conn_peer_has_cert(srv));
	EXPECT(tls_conn_cert(srv, 0, TLS_CERT_S_DN, dn, sizeof(dn)) > 0);
	EXPECT_STR(dn, "/CN=client1");
	tls_conn_free(cli), tls_conn_free(srv);

	wire_reset();
	cli = tls_conn_new(anon, "a.test"), srv = tls_conn_new(sc, NULL);
	EXPECT(!handshake(cli, srv, &rc, &rs));
	EXPECT_INT(rs, TLS_ERR);
	printf("  no client certificate: server says \"%s\"\n", tls_conn_error(srv));
	tls_conn_free(cli), tls_conn_free(srv);

	/* verify optional: a certificate is asked for, none is fine */
	struct tls_ctx_opts oo = { .is_server = 1, .crt = P("a.pem"), .ca_file = P("ca.pem"),
	                           .verify = TLS_VERIFY_OPTIONAL };   /* P()'s strings do not last */
	struct tls_ctx *opt = tls_ctx_new(&oo, errbuf, sizeof(errbuf));
	EXPECT(opt != NULL);
	if (!opt) {
		printf("  %s\n", errbuf);
		return;
	}
	wire_reset();
	cli = tls_conn_new(anon, "a.test"), srv = tls_conn_new(opt, NULL);
	EXPECT(handshake(cli, srv, NULL, NULL));
	EXPECT(!tls_conn_peer_has_cert(srv));
	tls_conn_free(cli), tls_conn_free(srv);
	wire_reset();
	cli = tls_conn_new(cc, "a.test"), srv = tls_conn_new(opt, NULL);
	EXPECT(handshake(cli, srv, NULL, NULL));
	EXPECT(tls_conn_peer_has_cert(srv));
	EXPECT_INT(tls_conn_verify_result(srv), 0);
	tls_conn_free(cli), tls_conn_free(srv);
	tls_ctx_free(opt);
	tls_ctx_free(sc), tls_ctx_free(cc), tls_ctx_free(anon);
}

static void t_versions_and_ciphers(void)
{
	NEED_CERTS();
	struct tls_ctx_opts s13 = { .is_server = 1, .crt = P("a.pem"), .min_ver = "TLSv1.3" };
	struct tls_ctx_opts schacha = { .is_server = 1, .crt = P("a.pem"),
	                                .ciphersuites = "TLS_CHACHA20_POLY1305_SHA256" };
	struct tls_ctx_opts c12 = { .max_ver = "TLSv1.2" };
	struct tls_ctx *sd = srv_ctx(P("a.pem"), NULL), *ss13 = tls_ctx_new(&s13, errbuf, sizeof(errbuf));
	struct tls_ctx *sch = tls_ctx_new(&schacha, errbuf, sizeof(errbuf));
	struct tls_ctx *cc12 = tls_ctx_new(&c12, errbuf, sizeof(errbuf)), *cd = cli_ctx(TLS_VERIFY_NONE, NULL);
	struct tls_conn *cli, *srv;

	EXPECT(sd && ss13 && sch && cc12 && cd);
	if (!sd || !ss13 || !sch || !cc12 || !cd)
		return;
	wire_reset();
	cli = tls_conn_new(cc12, NULL), srv = tls_conn_new(sd, NULL);
	EXPECT(handshake(cli, srv, NULL, NULL));
	EXPECT_STR(tls_conn_protocol(srv), "TLSv1.2");
	EXPECT(tls_conn_cipher(srv) && !strncmp(tls_conn_cipher(srv), "ECDHE-ECDSA-", 12));
	printf("  TLSv1.2 cipher: %s\n", tls_conn_cipher(srv));
	tls_conn_free(cli), tls_conn_free(srv);

	wire_reset();
	cli = tls_conn_new(cc12, NULL), srv = tls_conn_new(ss13, NULL);
	EXPECT(!handshake(cli, srv, NULL, NULL));
	EXPECT(tls_conn_error(srv)[0] || tls_conn_error(cli)[0]);
	tls_conn_free(cli), tls_conn_free(srv);

	wire_reset();
	cli = tls_conn_new(cd, NULL), srv = tls_conn_new(sch, NULL);
	EXPECT(handshake(cli, srv, NULL, NULL));
	EXPECT_STR(tls_conn_cipher(srv), "TLS_CHACHA20_POLY1305_SHA256");
	EXPECT_STR(tls_conn_cipher(cli), "TLS_CHACHA20_POLY1305_SHA256");
	EXPECT_INT(tls_conn_cipher_bits(srv), 256);
	tls_conn_free(cli), tls_conn_free(srv);

	/* a TLS 1.3 list leaves TLS 1.2 to its defaults */
	wire_reset();
	cli = tls_conn_new(cc12, NULL), srv = tls_conn_new(sch, NULL);
	EXPECT(handshake(cli, srv, NULL, NULL));
	EXPECT_STR(tls_conn_protocol(srv), "TLSv1.2");
	tls_conn_free(cli), tls_conn_free(srv);

	/* the server's order wins over the client's */
	struct tls_ctx_opts s256 = { .is_server = 1, .crt = P("a.pem"),
	                             .ciphersuites = "TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256" };
	struct tls_ctx_opts c128 = { .ciphersuites = "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384" };
	struct tls_ctx *ss256 = tls_ctx_new(&s256, errbuf, sizeof(errbuf)), *cc128 = tls_ctx_new(&c128, errbuf, sizeof(errbuf));
	EXPECT(ss256 && cc128);
	wire_reset();
	cli = tls_conn_new(cc128, NULL), srv = tls_conn_new(ss256, NULL);
	EXPECT(handshake(cli, srv, NULL, NULL));
	EXPECT_STR(tls_conn_cipher(srv), "TLS_AES_256_GCM_SHA384");
	tls_conn_free(cli), tls_conn_free(srv);
	tls_ctx_free(ss256), tls_ctx_free(cc128);
	tls_ctx_free(sd), tls_ctx_free(ss13), tls_ctx_free(sch), tls_ctx_free(cc12), tls_ctx_free(cd);
}

/* A full handshake, data (which carries the TLS 1.3 ticket), then a second
 * connection from the same client context resumes. */
static void check_resume(const char *maxver, int no_tickets, int expect_resumed, const char *sni)
{
	struct tls_ctx_opts so = { .is_server = 1, .crt = P("a.pem"), .no_tickets = no_tickets };
	struct tls_ctx_opts co = { .max_ver = maxver };
	struct tls_ctx *sc = tls_ctx_new(&so, errbuf, sizeof(errbuf)), *cc = tls_ctx_new(&co, errbuf, sizeof(errbuf));
	unsigned char b[64];

	EXPECT(sc && cc);
	if (!sc || !cc)
		return;
	EXPECT_INT(tls_ctx_add_crt(sc, P("d"), NULL, 0, errbuf, sizeof(errbuf)), 0);
	for (int i = 0; i < 2; i++) {
		struct tls_conn *cli = tls_conn_new(cc, sni), *srv = tls_conn_new(sc, NULL);

		wire_reset();
		EXPECT(handshake(cli, srv, NULL, NULL));
		EXPECT_INT(tls_conn_write(srv, "ok", 2), 2);
		xfer(srv, &s2c);
		EXPECT_INT(drain(cli, &s2c, b, sizeof(b)), 2);
		EXPECT_INT(tls_conn_is_resumed(srv), i == 1 && expect_resumed);
		EXPECT_INT(tls_conn_is_resumed(cli), i == 1 && expect_resumed);
		EXPECT_STR(tls_conn_sni(srv), sni);
		tls_conn_free(cli), tls_conn_free(srv);
	}
	tls_ctx_free(sc), tls_ctx_free(cc);
}

static void t_resume_tls13(void)
{
	NEED_CERTS();
	check_resume(NULL, 0, 1, "a.test");
	check_resume(NULL, 0, 1, "b.test");   /* a ticket of the SNI-chosen context */
}

static void t_resume_tls12(void)
{
	NEED_CERTS();
	check_resume("TLSv1.2", 0, 1, "a.test");
	check_resume("TLSv1.2", 0, 1, "b.test");
}

static void t_no_tickets_tls13(void)
{
	NEED_CERTS();
	check_resume(NULL, 1, 0, "a.test");
}

static void t_garbage(void)
{
	NEED_CERTS();
	struct tls_ctx *sc = srv_ctx(P("a.pem"), NULL);
	static const char http[] = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
	unsigned char junk[4096], b[64];

	EXPECT(sc);
	if (!sc)
		return;
	struct tls_conn *s1 = tls_conn_new(sc, NULL);
	tls_conn_feed(s1, http, sizeof(http) - 1);
	EXPECT_INT(tls_conn_handshake(s1), TLS_ERR);
	EXPECT(tls_conn_error(s1)[0] != 0);
	printf("  plain HTTP: \"%s\"\n", tls_conn_error(s1));
	EXPECT_INT(tls_conn_read(s1, b, sizeof(b)), TLS_ERR);   /* stays failed */
	tls_conn_free(s1);

	srand(7);
	int failed = 0;
	for (int round = 0; round < 50; round++) {
		struct tls_conn *s = tls_conn_new(sc, NULL);
		size_t n = (size_t)(rand() % (int)sizeof(junk)) + 1;

		for (size_t i = 0; i < n; i++)
			junk[i] = (unsigned char)rand();
		if (round & 1)
			junk[0] = 0x16, junk[1] = 3, junk[2] = 1;  /* a handshake record header, then junk */
		tls_conn_feed(s, junk, n);
		int r = tls_conn_handshake(s);
		EXPECT(r == TLS_ERR || r == TLS_AGAIN);
		failed += r == TLS_ERR;
		tls_conn_free(s);
	}
	EXPECT(failed > 25);

	/* a truncated ClientHello just waits */
	struct tls_ctx *cc = cli_ctx(TLS_VERIFY_NONE, NULL);
	struct tls_conn *cli = tls_conn_new(cc, "a.test"), *srv = tls_conn_new(sc, NULL);
	const void *p;
	EXPECT_INT(tls_conn_handshake(cli), TLS_AGAIN);
	size_t n = tls_conn_out_peek(cli, &p);
	EXPECT(n > 50);
	tls_conn_feed(srv, p, n / 2);
	EXPECT_INT(tls_conn_handshake(srv), TLS_AGAIN);
	EXPECT_INT(tls_conn_in_left(srv), 0);
	tls_conn_feed(srv, (const char *)p + n / 2, n - n / 2);
	EXPECT_INT(tls_conn_handshake(srv), TLS_AGAIN);   /* now waits for the client's Finished */
	EXPECT_INT(tls_conn_in_left(srv), 0);
	EXPECT(tls_conn_out_peek(srv, &p) > 0);
	tls_conn_free(cli), tls_conn_free(srv);
	tls_ctx_free(cc);
	tls_ctx_free(sc);
}

/* An output callback that takes at most <cap> more bytes (a channel with a limit). */
static size_t cb_cap;
static int cb_out(void *arg, const void *d, size_t n)
{
	struct pipe *p = arg;

	if (n > cb_cap)
		n = cb_cap;
	if (n > sizeof(p->buf) - p->len)
		n = sizeof(p->buf) - p->len;
	memcpy(p->buf + p->len, d, n);
	p->len += n;
	cb_cap -= n;
	return (int)n;
}

static void t_output_callback(void)
{
	NEED_CERTS();
	struct tls_ctx *sc = srv_ctx(P("rsa.pem"), NULL), *cc = cli_ctx(TLS_VERIFY_REQUIRED, NULL);
	struct tls_conn *cli = tls_conn_new(cc, "a.test"), *srv = tls_conn_new(sc, NULL);
	static unsigned char big[100000], got[100000];
	const void *d;
	int a = TLS_AGAIN, b = TLS_AGAIN, again = 0;

	EXPECT(sc && cc && cli && srv);
	if (!srv || !cli)
		return;
	wire_reset();
	tls_conn_set_output(srv, cb_out, &s2c);
	/* the server's flight squeezed through 300 bytes at a time */
	for (int i = 0; i < 200 && !(a == 1 && b == 1); i++) {
		cb_cap = 300;
		lend(cli, &s2c);
		a = tls_conn_handshake(cli);
		settle(cli, &s2c);
		xfer(cli, &c2s);
		lend(srv, &c2s);
		b = tls_conn_handshake(srv);
		settle(srv, &c2s);
		again += tls_conn_out_peek(srv, &d) > 0;   /* the rest of the flight waits in the buffer */
		xfer(srv, &s2c);
	}
	EXPECT_INT(a, 1);
	EXPECT_INT(b, 1);
	EXPECT(again > 0);
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (unsigned char)(i ^ (i >> 8));
	size_t sent = 0, rcvd = 0;
	for (int i = 0; i < 1000 && rcvd < sizeof(big); i++) {
		cb_cap = 5000;
		ssize_t w = tls_conn_write(srv, big + sent, sizeof(big) - sent);
		if (w > 0)
			sent += (size_t)w;
		else
			EXPECT_INT(w, TLS_AGAIN);
		if (w > 0 && (size_t)w < sizeof(big) - sent + (size_t)w)
			again++;
		xfer(srv, &s2c);
		long r = drain(cli, &s2c, got + rcvd, sizeof(got) - rcvd);
		if (r > 0)
			rcvd += (size_t)r;
	}
	EXPECT_INT(rcvd, sizeof(big));
	EXPECT(!memcmp(big, got, sizeof(big)));
	tls_conn_free(cli), tls_conn_free(srv);
	tls_ctx_free(sc), tls_ctx_free(cc);
}

/* A client sends its request right behind its Finished, in one packet, as
 * curl does: the server's handshake stops after the Finished and the request
 * is still lent, read by the next tls_conn_read(). */
static void t_data_behind_finished(void)
{
	NEED_CERTS();
	struct tls_ctx *sc = srv_ctx(P("a.pem"), NULL), *cc = cli_ctx(TLS_VERIFY_NONE, NULL);
	struct tls_conn *cli = tls_conn_new(cc, "a.test"), *srv = tls_conn_new(sc, NULL);
	unsigned char b[64];

	wire_reset();
	EXPECT_INT(tls_conn_handshake(cli), TLS_AGAIN);    /* ClientHello */
	xfer(cli, &c2s);
	lend(srv, &c2s);
	EXPECT_INT(tls_conn_handshake(srv), TLS_AGAIN);    /* ServerHello .. Finished */
	settle(srv, &c2s);
	xfer(srv, &s2c);
	lend(cli, &s2c);
	EXPECT_INT(tls_conn_handshake(cli), 1);            /* client Finished */
	settle(cli, &s2c);
	EXPECT_INT(tls_conn_write(cli, "GET / HTTP/1.1\r\n", 16), 16);
	xfer(cli, &c2s);                                   /* Finished + request */
	lend(srv, &c2s);
	EXPECT_INT(tls_conn_handshake(srv), 1);
	EXPECT(tls_conn_in_left(srv) > 16);                /* the request record waits */
	EXPECT_INT(tls_conn_read(srv, b, sizeof(b)), 16);
	EXPECT_INT(tls_conn_in_left(srv), 0);
	settle(srv, &c2s);
	EXPECT_MEM(b, "GET / HTTP/1.1\r\n", 16);
	tls_conn_free(cli), tls_conn_free(srv);
	tls_ctx_free(sc), tls_ctx_free(cc);
}

/* Sessions in memory the caller owns, reused as a pool would. */
static void t_caller_memory(void)
{
	NEED_CERTS();
	struct tls_ctx *sc = srv_ctx(P("a.pem"), NULL), *cc = cli_ctx(TLS_VERIFY_REQUIRED, NULL);
	void *ms = malloc(tls_conn_size()), *mc = malloc(tls_conn_size());
	unsigned char b[16];

	EXPECT(tls_conn_size() > 16384);
	for (int i = 0; i < 3; i++) {
		struct tls_conn *srv = tls_conn_init(ms, sc, NULL), *cli = tls_conn_init(mc, cc, "a.test");

		EXPECT(srv == ms && cli == mc);
		wire_reset();
		EXPECT(handshake(cli, srv, NULL, NULL));
		EXPECT_INT(tls_conn_write(srv, "abc", 3), 3);
		xfer(srv, &s2c);
		EXPECT_INT(drain(cli, &s2c, b, sizeof(b)), 3);
		EXPECT_INT(tls_conn_is_resumed(srv), i > 0);
		tls_conn_release(srv);
		tls_conn_release(cli);
	}
	free(ms), free(mc);
	tls_ctx_free(sc), tls_ctx_free(cc);
}

/* Valid first flights with a few bytes changed or cut: each side ends that
 * session (TLS_ERR) or waits (TLS_AGAIN), and nothing else happens. */
static void t_mutated_handshakes(void)
{
	NEED_CERTS();
	struct tls_ctx *sc = srv_ctx(P("a.pem"), "h2,http/1.1"), *cc = cli_ctx(TLS_VERIFY_NONE, "h2");
	static unsigned char hello[4096], flight[16384], m[16384];
	size_t hl, fl;
	const void *p;
	int errs = 0, rounds = getenv("TLS_FUZZ_ROUNDS") ? atoi(getenv("TLS_FUZZ_ROUNDS")) : 300;

	EXPECT(sc && cc);
	if (!sc || !cc)
		return;
	struct tls_conn *cli = tls_conn_new(cc, "a.test"), *srv = tls_conn_new(sc, NULL);
	EXPECT_INT(tls_conn_handshake(cli), TLS_AGAIN);
	hl = tls_conn_out_peek(cli, &p);
	EXPECT(hl > 0 && hl <= sizeof(hello));
	memcpy(hello, p, hl);
	tls_conn_out_skip(cli, hl);
	tls_conn_feed(srv, hello, hl);
	EXPECT_INT(tls_conn_handshake(srv), TLS_AGAIN);
	fl = tls_conn_out_peek(srv, &p);
	EXPECT(fl > 0 && fl <= sizeof(flight));
	memcpy(flight, p, fl);
	tls_conn_free(srv);

	srand(11);
	for (int r = 0; r < rounds; r++) {
		int to_server = r & 1;
		size_t n = to_server ? hl : fl;
		int flips = 1 + rand() % 4;

		memcpy(m, to_server ? hello : flight, n);
		for (int k = 0; k < flips; k++)
			m[rand() % n] ^= (unsigned char)(1 + rand() % 255);
		if (rand() % 4 == 0)
			n = 1 + (size_t)rand() % n;
		if (to_server) {
			struct tls_conn *s1 = tls_conn_new(sc, NULL);
			tls_conn_feed(s1, m, n);
			int rc = tls_conn_handshake(s1);
			EXPECT(rc == TLS_ERR || rc == TLS_AGAIN);
			errs += rc == TLS_ERR;
			tls_conn_free(s1);
		} else {
			/* a fresh client: the flight answers another ClientHello, so
			 * past the ServerHello it fails on keys; the changed bytes
			 * exercise the record layer and the ServerHello parser */
			struct tls_conn *c1 = tls_conn_new(cc, "a.test");
			EXPECT_INT(tls_conn_handshake(c1), TLS_AGAIN);
			tls_conn_feed(c1, m, n);
			int rc = tls_conn_handshake(c1);
			EXPECT(rc == TLS_ERR || rc == TLS_AGAIN);
			errs += rc == TLS_ERR;
			tls_conn_free(c1);
		}
	}
	EXPECT(errs > rounds / 4);
	tls_conn_free(cli);
	tls_ctx_free(sc), tls_ctx_free(cc);
}

static void t_close_notify(void)
{
	NEED_CERTS();
	struct tls_ctx *sc = srv_ctx(P("a.pem"), NULL), *cc = cli_ctx(TLS_VERIFY_NONE, NULL);
	struct tls_conn *cli = tls_conn_new(cc, "a.test"), *srv = tls_conn_new(sc, NULL);
	unsigned char b[64];

	wire_reset();
	EXPECT(handshake(cli, srv, NULL, NULL));
	EXPECT_INT(tls_conn_write(cli, "last", 4), 4);
	EXPECT_INT(tls_conn_shutdown(cli), 0);
	xfer(cli, &c2s);
	lend(srv, &c2s);
	EXPECT_INT(tls_conn_read(srv, b, sizeof(b)), 4);   /* data before the alert first */
	EXPECT_MEM(b, "last", 4);
	EXPECT_INT(tls_conn_read(srv, b, sizeof(b)), TLS_CLOSED);
	EXPECT_INT(tls_conn_read(srv, b, sizeof(b)), TLS_CLOSED);
	settle(srv, &c2s);
	EXPECT_INT(tls_conn_read(srv, b, 0), TLS_CLOSED);
	/* half-closed: the server may still answer before its own close_notify */
	EXPECT_INT(tls_conn_write(srv, "bye", 3), 3);
	xfer(srv, &s2c);
	EXPECT_INT(drain(cli, &s2c, b, sizeof(b)), 3);
	EXPECT_MEM(b, "bye", 3);
	EXPECT_INT(tls_conn_shutdown(srv), 0);   /* answers with its own close_notify */
	xfer(srv, &s2c);
	EXPECT(s2c.len > 0);
	EXPECT_INT(drain(cli, &s2c, b, sizeof(b)), TLS_CLOSED);
	tls_conn_free(cli), tls_conn_free(srv);
	tls_ctx_free(sc), tls_ctx_free(cc);
}

static void t_config_errors(void)
{
	NEED_CERTS();
	struct tls_ctx_opts o = { .is_server = 1, .crt = P("nonexistent.pem") };

	EXPECT(tls_ctx_new(&o, errbuf, sizeof(errbuf)) == NULL);
	EXPECT(strstr(errbuf, "nonexistent.pem") != NULL);
	o.crt = P("mismatch.pem");
	EXPECT(tls_ctx_new(&o, errbuf, sizeof(errbuf)) == NULL);
	EXPECT(strstr(errbuf, "private key") != NULL);
	o.crt = P("ca.pem");   /* no key anywhere */
	EXPECT(tls_ctx_new(&o, errbuf, sizeof(errbuf)) == NULL);
	EXPECT(strstr(errbuf, "ca.pem.key") != NULL);
	o.crt = NULL;   /* no certificate yet (a crt-list adds them): no session until then */
	{
		struct tls_ctx *e = tls_ctx_new(&o, errbuf, sizeof(errbuf));

		EXPECT(e != NULL);
		if (e) {
			EXPECT_INT(tls_ctx_crt_count(e), 0);
			EXPECT(tls_conn_new(e, NULL) == NULL);
			tls_ctx_free(e);
		}
	}
	o.crt = P("a.pem");
	o.alpn = "h2,,http/1.1";
	EXPECT(tls_ctx_new(&o, errbuf, sizeof(errbuf)) == NULL);
	EXPECT(strstr(errbuf, "ALPN") != NULL);
	o.alpn = NULL;
	o.min_ver = "TLSv9";
	EXPECT(tls_ctx_new(&o, errbuf, sizeof(errbuf)) == NULL);
	EXPECT(strstr(errbuf, "TLSv9") != NULL);
	o.min_ver = NULL;
	o.ciphers = "NO-SUCH-CIPHER";
	o.ciphersuites = "NOPE";
	EXPECT(tls_ctx_new(&o, errbuf, sizeof(errbuf)) == NULL);
	EXPECT(strstr(errbuf, "cipher") != NULL);
	o.ciphers = o.ciphersuites = NULL;
	o.ca_file = P("nonexistent-ca.pem");
	o.verify = TLS_VERIFY_REQUIRED;
	EXPECT(tls_ctx_new(&o, errbuf, sizeof(errbuf)) == NULL);
	EXPECT(strstr(errbuf, "CA file") != NULL);
	struct tls_ctx_opts c = { 0 };
	struct tls_ctx *cc = tls_ctx_new(&c, errbuf, sizeof(errbuf));
	EXPECT(cc != NULL);
	EXPECT_INT(tls_ctx_add_crt(cc, P("a.pem"), NULL, 0, errbuf, sizeof(errbuf)), -1);
	tls_ctx_free(cc);
	EXPECT(strncmp(tls_version(), "wolfSSL ", 8) == 0);
}

/* ---- interoperation with OpenSSL over a real socket on 127.0.0.1 ---- */

struct sock_in {
	size_t len;
	unsigned char buf[1 << 16];
};

/* Sends what <c> has to send. Returns 0 or -1. */
static int sock_flush(int fd, struct tls_conn *c)
{
	const void *p;
	size_t n;

	while ((n = tls_conn_out_peek(c, &p)) > 0) {
		ssize_t w = write(fd, p, n);
		if (w <= 0)
			return -1;
		tls_conn_out_skip(c, (size_t)w);
	}
	return 0;
}

/* Receives more ciphertext (5 s at most). Returns 1, or 0 on EOF/timeout. */
static int sock_fill(int fd, struct sock_in *in)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	ssize_t n;

	if (poll(&pfd, 1, 5000) != 1 || in->len == sizeof(in->buf))
		return 0;
	n = read(fd, in->buf + in->len, sizeof(in->buf) - in->len);
	if (n <= 0)
		return 0;
	in->len += (size_t)n;
	return 1;
}

static void sock_settle(struct tls_conn *c, struct sock_in *in)
{
	size_t left = tls_conn_in_left(c);

	memmove(in->buf, in->buf + in->len - left, left);
	in->len = left;
	tls_conn_feed(c, NULL, 0);
}

/* Returns 1 when the handshake over <fd> completed, else 0. */
static int sock_handshake(int fd, struct tls_conn *c, struct sock_in *in)
{
	for (;;) {
		tls_conn_feed(c, in->buf, in->len);
		int r = tls_conn_handshake(c);
		sock_settle(c, in);
		if (sock_flush(fd, c) < 0 || r == TLS_ERR)
			return 0;
		if (r == 1)
			return 1;
		if (!sock_fill(fd, in))
			return 0;
	}
}

/* Reads plaintext until <cap> bytes, TLS_CLOSED, an error or EOF. Returns
 * the byte count. */
static size_t sock_read_all(int fd, struct tls_conn *c, struct sock_in *in, char *dst, size_t cap)
{
	size_t got = 0;

	for (;;) {
		ssize_t r = TLS_AGAIN;
		tls_conn_feed(c, in->buf, in->len);
		while (got < cap && (r = tls_conn_read(c, dst + got, cap - got)) > 0)
			got += (size_t)r;
		sock_settle(c, in);
		sock_flush(fd, c);
		if (got == cap || r == TLS_CLOSED || r == TLS_ERR || !sock_fill(fd, in))
			return got;
	}
}

static int have_openssl_peer(void)
{
	return system("openssl version >/dev/null 2>&1") == 0;
}

/* Serves one `openssl s_client` asking for <name> (and verifying the
 * certificate for it): checks SNI, ALPN (<alpn>, NULL for none), TLS 1.3,
 * "ping" in, "pong" out, close_notify. */
static void serve_s_client(struct tls_ctx *sc, const char *name, const char *alpn)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(sa);
	int lfd = socket(AF_INET, SOCK_STREAM, 0), fd = -1;
	static struct sock_in in;
	char cmd[1024], out[4096] = "", buf[64];
	FILE *f;

	EXPECT(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) == 0 && listen(lfd, 4) == 0);
	getsockname(lfd, (struct sockaddr *)&sa, &sl);
	snprintf(cmd, sizeof(cmd), "printf 'ping\n' | timeout 10 openssl s_client -connect 127.0.0.1:%d "
	         "-servername %s -alpn http/1.1,h2 -CAfile %s -verify_return_error -verify_hostname %s "
	         "-quiet -ign_eof 2>&1", ntohs(sa.sin_port), name, P("ca.pem"), name);
	f = popen(cmd, "r");
	EXPECT(f != NULL);
	struct pollfd pfd = { .fd = lfd, .events = POLLIN };
	if (f && poll(&pfd, 1, 10000) == 1 && (fd = accept(lfd, NULL, NULL)) >= 0) {
		struct tls_conn *c = tls_conn_new(sc, NULL);
		in.len = 0;
		EXPECT(sock_handshake(fd, c, &in));
		EXPECT_STR(tls_conn_sni(c), name);
		if (alpn)
			EXPECT_STR(tls_conn_alpn(c), alpn);
		else
			EXPECT(tls_conn_alpn(c) == NULL);
		EXPECT_STR(tls_conn_protocol(c), "TLSv1.3");
		EXPECT_INT(sock_read_all(fd, c, &in, buf, 5), 5);
		EXPECT_MEM(buf, "ping\n", 5);
		EXPECT_INT(tls_conn_write(c, "pong\n", 5), 5);
		EXPECT_INT(tls_conn_shutdown(c), 0);
		EXPECT(sock_flush(fd, c) == 0);
		tls_conn_free(c);
		close(fd);
	} else {
		EXPECT(!"s_client did not connect");
	}
	if (f) {
		size_t n = fread(out, 1, sizeof(out) - 1, f);
		out[n] = 0;
		EXPECT_INT(pclose(f), 0);
		EXPECT(strstr(out, "pong") != NULL);
		if (!strstr(out, "pong"))
			printf("  s_client said: %s\n", out);
	}
	close(lfd);
}

/* openssl s_client against our server: SNI, ALPN, verification, data both
 * ways, close_notify. */
static void t_interop_openssl_client(void)
{
	NEED_CERTS();
	if (!have_openssl_peer()) {
		SKIP("no openssl command");
		return;
	}
	struct tls_ctx *sc = srv_ctx(P("a.pem"), "h2,http/1.1");

	EXPECT(sc && tls_ctx_add_crt(sc, P("d"), NULL, 0, errbuf, sizeof(errbuf)) == 0);
	if (sc)
		serve_s_client(sc, "b.test", "h2");
	tls_ctx_free(sc);
}

/* A server flight larger than the output buffer (a certificate with 1000
 * names, ~20 KB) gets a larger block and reaches the client whole. wolfSSL
 * clients refuse a handshake message that large; OpenSSL's takes it. */
static void t_big_flight(void)
{
	NEED_CERTS();
	if (!have_openssl_peer()) {
		SKIP("no openssl command");
		return;
	}
	struct tls_ctx *sc = srv_ctx(P("big.pem"), NULL), *cc = cli_ctx(TLS_VERIFY_NONE, NULL);
	const void *p;

	EXPECT(sc && cc);
	if (!sc || !cc)
		return;
	struct tls_conn *cli = tls_conn_new(cc, "big.test"), *srv = tls_conn_new(sc, NULL);
	wire_reset();
	EXPECT_INT(tls_conn_handshake(cli), TLS_AGAIN);
	xfer(cli, &c2s);
	lend(srv, &c2s);
	EXPECT_INT(tls_conn_handshake(srv), TLS_AGAIN);
	settle(srv, &c2s);
	EXPECT(tls_conn_out_peek(srv, &p) > 16384 + 2048);   /* more than the buffer */
	tls_conn_out_skip(srv, 100);
	tls_conn_free(cli), tls_conn_free(srv);             /* freed with the block */
	serve_s_client(sc, "name-999.big.test", NULL);
	tls_ctx_free(sc), tls_ctx_free(cc);
}

/* Our client against openssl s_server -www: verification with SNI, a GET,
 * the whole answer up to the server's close. */
static void t_interop_openssl_server(void)
{
	NEED_CERTS();
	if (!have_openssl_peer()) {
		SKIP("no openssl command");
		return;
	}
	int pfd[2], port = 0;
	pid_t pid;
	char line[256];
	FILE *f;

	if (pipe(pfd) < 0)
		return;
	if ((pid = fork()) == 0) {
		dup2(pfd[1], 1);
		dup2(pfd[1], 2);
		close(pfd[0]);
		execlp("timeout", "timeout", "20", "openssl", "s_server", "-accept", "127.0.0.1:0",
		       "-cert", P("a.crt"), "-key", P("a.key"), "-www", "-alpn", "http/1.1", (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	f = fdopen(pfd[0], "r");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "ACCEPT 127.0.0.1:%d", &port) == 1)
			break;
	EXPECT(port > 0);
	for (int round = 0; port > 0 && round < 2; round++) {
		struct tls_ctx *cc = cli_ctx(TLS_VERIFY_REQUIRED, "h2,http/1.1");
		struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
		                          .sin_port = htons((uint16_t)port) };
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		static struct sock_in in;
		static char page[65536];
		const char *sni = round ? "wrong.test" : "a.test";

		EXPECT(connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
		struct tls_conn *c = tls_conn_new(cc, sni);
		in.len = 0;
		if (round == 1) {   /* the name check fails against a real server too */
			EXPECT(!sock_handshake(fd, c, &in));
			EXPECT_STR(tls_conn_error(c), "hostname mismatch");
		} else {
			EXPECT(sock_handshake(fd, c, &in));
			EXPECT_STR(tls_conn_alpn(c), "http/1.1");
			EXPECT_INT(tls_conn_write(c, "GET / HTTP/1.0\r\n\r\n", 18), 18);
			EXPECT(sock_flush(fd, c) == 0);
			size_t n = sock_read_all(fd, c, &in, page, sizeof(page) - 1);
			page[n] = 0;
			EXPECT(strncmp(page, "HTTP/1.0 200 ok", 15) == 0);
			EXPECT(strstr(page, "TLSv1.3") != NULL);
		}
		tls_conn_free(c);
		close(fd);
		tls_ctx_free(cc);
	}
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	if (f)
		fclose(f);
}

/* One server context shared by threads, each with its own client context
 * (as the engine's threads): concurrent handshakes, SNI choices,
 * resumptions (the client keeps one session: 20 rounds per name) and data. */
struct thr_arg {
	struct tls_ctx *sc;
	int id, ok, resumed;
};

static void *thr_main(void *p)
{
	struct thr_arg *a = p;
	struct tls_ctx *cc = cli_ctx(TLS_VERIFY_REQUIRED, NULL);
	static __thread unsigned char w1[1 << 17], w2[1 << 17];
	size_t l1, l2;

	if (!cc)
		return NULL;
	for (int i = 0; i < 40; i++) {
		const char *sni = (i < 20) ^ (a->id & 1) ? "b.test" : "a.test";
		struct tls_conn *cli = tls_conn_new(cc, sni), *srv = tls_conn_new(a->sc, NULL);
		int x = TLS_AGAIN, y = TLS_AGAIN;
		const void *d;
		char msg[32], got[32];

		l1 = l2 = 0;
		for (int k = 0; k < 10 && !(x == 1 && y == 1) && x != TLS_ERR && y != TLS_ERR; k++) {
			tls_conn_feed(cli, w2, l2);
			x = tls_conn_handshake(cli);
			l2 = 0;   /* both sides take whole flights here */
			l1 = tls_conn_out_peek(cli, &d);
			memcpy(w1, d, l1);
			tls_conn_out_skip(cli, l1);
			tls_conn_feed(srv, w1, l1);
			y = tls_conn_handshake(srv);
			l2 = tls_conn_out_peek(srv, &d);
			memcpy(w2, d, l2);
			tls_conn_out_skip(srv, l2);
		}
		int n = snprintf(msg, sizeof(msg), "thread %d round %d", a->id, i);
		if (x == 1 && y == 1 && tls_conn_write(srv, msg, (size_t)n) == n) {
			size_t m = tls_conn_out_peek(srv, &d);   /* behind the server's tickets */
			memcpy(w2 + l2, d, m);
			tls_conn_out_skip(srv, m);
			tls_conn_feed(cli, w2, l2 + m);
			if (tls_conn_read(cli, got, sizeof(got)) == n && !memcmp(got, msg, (size_t)n) &&
			    !strcmp(tls_conn_sni(srv), sni))
				a->ok++;
			a->resumed += tls_conn_is_resumed(srv);
		}
		tls_conn_free(cli);
		tls_conn_free(srv);
	}
	tls_ctx_free(cc);
	tls_thread_done();
	return NULL;
}

static void t_threads(void)
{
	NEED_CERTS();
	struct tls_ctx *sc = srv_ctx(P("a.pem"), NULL);
	struct thr_arg a[4];
	pthread_t th[4];

	EXPECT(sc && tls_ctx_add_crt(sc, P("d"), NULL, 0, errbuf, sizeof(errbuf)) == 0);
	if (!sc)
		return;
	for (int i = 0; i < 4; i++) {
		a[i] = (struct thr_arg){ .sc = sc, .id = i };
		EXPECT(pthread_create(&th[i], NULL, thr_main, &a[i]) == 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		EXPECT_INT(a[i].ok, 40);
		EXPECT(a[i].resumed >= 30);   /* all but the first of each name */
	}
	tls_ctx_free(sc);
}

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Runs <n> handshakes; returns server-side handshakes per CPU second and
 * stores the client+server rate in <both>. */
static double bench_hs(struct tls_ctx *sc, struct tls_ctx *cc, int n, double *both)
{
	double srv_cpu = 0, t0 = cpu_now(), t;

	for (int i = 0; i < n; i++) {
		struct tls_conn *cli = tls_conn_new(cc, "a.test");
		int a = TLS_AGAIN, b = TLS_AGAIN;

		t = cpu_now();
		struct tls_conn *srv = tls_conn_new(sc, NULL);
		srv_cpu += cpu_now() - t;
		wire_reset();
		for (int k = 0; k < 10 && !(a == 1 && b == 1); k++) {
			lend(cli, &s2c);
			a = tls_conn_handshake(cli);
			settle(cli, &s2c);
			xfer(cli, &c2s);
			t = cpu_now();
			lend(srv, &c2s);
			b = tls_conn_handshake(srv);
			settle(srv, &c2s);
			srv_cpu += cpu_now() - t;
			xfer(srv, &s2c);
		}
		/* the TLS 1.3 ticket reaches the client with the first bytes */
		unsigned char x[8];
		t = cpu_now();
		tls_conn_write(srv, "x", 1);
		srv_cpu += cpu_now() - t;
		xfer(srv, &s2c);
		drain(cli, &s2c, x, sizeof(x));
		t = cpu_now();
		tls_conn_free(srv);
		srv_cpu += cpu_now() - t;
		tls_conn_free(cli);
		if (a != 1 || b != 1)
			return -1;
	}
	*both = n / (cpu_now() - t0);
	return n / srv_cpu;
}

static void bench_bulk(const char *suite)
{
	struct tls_ctx_opts so = { .is_server = 1, .crt = P("a.pem"), .ciphersuites = suite };
	struct tls_ctx *sc = tls_ctx_new(&so, errbuf, sizeof(errbuf)), *cc = cli_ctx(TLS_VERIFY_NONE, NULL);
	struct tls_conn *cli = tls_conn_new(cc, "a.test"), *srv = tls_conn_new(sc, NULL);
	static unsigned char buf[16384], out[65536];
	double enc = 0, dec = 0, t;
	size_t total = 0, goal = (size_t)16 << 20;

	wire_reset();
	EXPECT(handshake(cli, srv, NULL, NULL));
	EXPECT_STR(tls_conn_cipher(srv), suite);
	memset(buf, 'x', sizeof(buf));
	while (total < goal) {
		t = cpu_now();
		ssize_t w = tls_conn_write(srv, buf, sizeof(buf));
		enc += cpu_now() - t;
		if (w <= 0)
			break;
		xfer(srv, &s2c);
		t = cpu_now();
		long r = drain(cli, &s2c, out, sizeof(out));
		dec += cpu_now() - t;
		if (r <= 0)
			break;
		total += (size_t)r;
	}
	EXPECT(total >= goal);
	printf("  bench: %s bulk: encrypt %.0f MB/s, decrypt %.0f MB/s per CPU\n",
	       suite, total / enc / 1e6, total / dec / 1e6);
	tls_conn_free(cli), tls_conn_free(srv);
	tls_ctx_free(sc), tls_ctx_free(cc);
}

static void t_bench(void)
{
	NEED_CERTS();
	const char *crts[] = { "a.pem", "rsa.pem" };
	const char *names[] = { "ECDSA P-256", "RSA 2048" };
	int n = getenv("TLS_BENCH_N") ? atoi(getenv("TLS_BENCH_N")) : 100;

	for (int i = 0; i < 2; i++) {
		for (int resume = 0; resume < 2; resume++) {
			struct tls_ctx_opts so = { .is_server = 1, .crt = P(crts[i]) };
			struct tls_ctx_opts co = { .no_tickets = !resume };
			struct tls_ctx *sc = tls_ctx_new(&so, errbuf, sizeof(errbuf));
			struct tls_ctx *cc = tls_ctx_new(&co, errbuf, sizeof(errbuf));
			double both = 0, srv;

			EXPECT(sc && cc);
			if (!sc || !cc)
				return;
			srv = bench_hs(sc, cc, n, &both);
			EXPECT(srv > 0);
			printf("  bench: TLSv1.3 %s %s: %.0f handshakes per server CPU-second (%.0f/s both ends)\n",
			       names[i], resume ? "resumed" : "full", srv, both);
			tls_ctx_free(sc), tls_ctx_free(cc);
		}
	}

	/* heap held by established server sessions (wolfSSL's state and ours) */
	{
		enum { NS = 64 };
		struct tls_ctx *sc = srv_ctx(P("a.pem"), NULL), *cc = cli_ctx(TLS_VERIFY_NONE, NULL);
		static struct tls_conn *srv[NS], *cli[NS];
		size_t after_srv;
		struct mallinfo2 mi;

		EXPECT(sc && cc);
		for (int i = 0; i < NS; i++)
			cli[i] = tls_conn_new(cc, "a.test");
		for (int i = 0; i < NS; i++) {
			srv[i] = tls_conn_new(sc, NULL);
			wire_reset();
			EXPECT(handshake(cli[i], srv[i], NULL, NULL));
		}
		mi = mallinfo2();
		after_srv = mi.uordblks;
		/* the client sessions grew too: count the server's share by freeing them */
		for (int i = 0; i < NS; i++)
			tls_conn_free(srv[i]);
		mi = mallinfo2();
		printf("  bench: an established server session holds %zu bytes of heap (%zu of them its ciphertext buffer)\n",
		       (after_srv - mi.uordblks) / NS, tls_conn_size());
		for (int i = 0; i < NS; i++)
			tls_conn_free(cli[i]);
		tls_ctx_free(sc), tls_ctx_free(cc);
	}

	/* bulk: server encrypts, client decrypts, per TLS 1.3 suite */
	const char *suites[] = { "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256" };
	for (int i = 0; i < 3; i++)
		bench_bulk(suites[i]);
}

int main(void)
{
	char cmd[512];

	have_certs = make_certs() == 0;
	printf("  %s\n", tls_version());
	RUN(t_handshake_and_data);
	RUN(t_sni);
	RUN(t_strict_sni);
	RUN(t_verify_name);
	RUN(t_alpn);
	RUN(t_verify_unknown_ca);
	RUN(t_verify_expired);
	RUN(t_verify_name_mismatch);
	RUN(t_verify_none_accepts);
	RUN(t_client_cert);
	RUN(t_versions_and_ciphers);
	RUN(t_resume_tls13);
	RUN(t_resume_tls12);
	RUN(t_no_tickets_tls13);
	RUN(t_garbage);
	RUN(t_mutated_handshakes);
	RUN(t_output_callback);
	RUN(t_data_behind_finished);
	RUN(t_caller_memory);
	RUN(t_close_notify);
	RUN(t_config_errors);
	RUN(t_interop_openssl_client);
	RUN(t_interop_openssl_server);
	RUN(t_big_flight);
	RUN(t_threads);
	RUN(t_bench);
	if (dir[0] && strncmp(dir, "/tmp/rp_test_tls.", 17) == 0) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			printf("  could not remove %s\n", dir);
	}
	return unit_end();
}
