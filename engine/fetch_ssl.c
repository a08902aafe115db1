/* fetch_ssl.c: the TLS session fetches, as HAProxy 2.6 names and types
 * them — ssl_fc* and ssl_c_* read the client connection's session
 * (s->cli->tls), ssl_bc* the server connection's (s->srvc->tls). What a
 * plain connection gives follows HAProxy: the booleans ssl_fc, ssl_bc,
 * ssl_fc_has_sni and ssl_*_is_resumed are found and false, every other
 * fetch is not found. The ClientHello fetches of a connection that is not
 * terminated here (req.ssl_sni...) live in payload.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/sample.h"
#include "engine/stream.h"
#include "engine/conn.h"
#include "proto/tls.h"

/* priv of each fetch: which side's connection it reads */
static const int side_front = 0, side_back = 1;

/* Returns the TLS session of the connection the fetch reads, or NULL
 * (no stream, no connection yet, or a plain connection). */
static const struct tls_conn *ctx_tls(const struct smp_ctx *ctx)
{
	const struct conn *c;

	if (!ctx->strm)
		return NULL;
	if (ctx->priv && *(const int *)ctx->priv == side_back)
		c = ctx->strm->srvc;
	else
		c = ctx->strm->cli;
	return c ? c->tls : NULL;
}

/* Returns the session as ctx_tls() does, but only once its handshake is
 * complete: before that (a "tcp-request connection" rule on a "bind ...
 * ssl" line) the session's properties are not known yet. */
static const struct tls_conn *ctx_tls_done(const struct smp_ctx *ctx)
{
	const struct tls_conn *t = ctx_tls(ctx);

	return t && tls_conn_handshake_done(t) ? t : NULL;
}

/* Sets <smp> to <s> (a string the session owns). Returns 1, or 0 (not
 * found) when <s> is NULL or empty. */
static int smp_tls_str(struct sample *smp, const char *s)
{
	if (!s || !*s)
		return 0;
	smp_set_const_str(smp, s, strlen(s));
	return 1;
}

/* fc_err / bc_err (<priv>: the side): the client or server connection's
 * error code (HAProxy's CO_ER_*): a stream that logs had its connection
 * established, 0; fc_err_str / bc_err_str: the text of a non-zero code,
 * so never found here. */
static int f_conn_err(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	(void)args;
	if (!ctx->strm || !(*(const int *)ctx->priv == side_back ? ctx->strm->srvc : ctx->strm->cli))
		return 0;
	smp_set_sint(smp, 0);
	return 1;
}

static int f_err_str(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	(void)args; (void)smp; (void)ctx;
	return 0;
}

/* ssl_fc_err, ssl_c_err, ssl_c_ca_err: the TLS library's error of the
 * front session (0: none) and the client certificate's verification
 * errors at depth 0 and above (the one result wolfSSL gives is reported at
 * depth 0); not found on a plain connection, as HAProxy's httpslog shows. */
static const int err_fc = 0, err_c = 1, err_ca = 2;   /* the fetches' <priv> */

static int f_tls_err(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	/* always the front session: <priv> says which error, not the side */
	const struct tls_conn *t = ctx->strm && ctx->strm->cli ? ctx->strm->cli->tls : NULL;

	(void)args;
	if (!t)
		return 0;
	smp_set_sint(smp, *(const int *)ctx->priv == err_c ? tls_conn_verify_result(t) : 0);
	return 1;
}

/* ssl_fc / ssl_bc: whether the connection speaks TLS; found on a plain one. */
static int f_ssl(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	smp_set_bool(smp, ctx_tls(ctx) != NULL);
	return 1;
}

/* ssl_fc_has_sni: whether the client sent a server name; found on a plain one. */
static int f_has_sni(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const struct tls_conn *t = ctx_tls_done(ctx);
	const char *sni = t ? tls_conn_sni(t) : NULL;

	smp_set_bool(smp, sni && *sni);
	return 1;
}

/* ssl_fc_is_resumed / ssl_bc_is_resumed; found on a plain connection. */
static int f_is_resumed(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const struct tls_conn *t = ctx_tls_done(ctx);

	smp_set_bool(smp, t && tls_conn_is_resumed(t));
	return 1;
}

static int f_sni(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const struct tls_conn *t = ctx_tls_done(ctx);

	return t && smp_tls_str(smp, tls_conn_sni(t));
}

static int f_protocol(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const struct tls_conn *t = ctx_tls_done(ctx);

	return t && smp_tls_str(smp, tls_conn_protocol(t));
}

static int f_cipher(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const struct tls_conn *t = ctx_tls_done(ctx);

	return t && smp_tls_str(smp, tls_conn_cipher(t));
}

/* ssl_fc_alpn / ssl_bc_alpn: not found when no protocol was agreed. */
static int f_alpn(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const struct tls_conn *t = ctx_tls_done(ctx);

	return t && smp_tls_str(smp, tls_conn_alpn(t));
}

static int f_keysize(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const struct tls_conn *t = ctx_tls_done(ctx);
	int bits;

	if (!t || (bits = tls_conn_cipher_bits(t)) <= 0)
		return 0;
	smp_set_sint(smp, bits);
	return 1;
}

/* ssl_c_used / ssl_fc_has_crt: whether the client gave a certificate. */
static int f_c_used(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const struct tls_conn *t = ctx_tls_done(ctx);

	if (!t)
		return 0;
	smp_set_bool(smp, tls_conn_peer_has_cert(t));
	return 1;
}

/* ssl_c_verify: 0 when the client certificate verified (or none was
 * given), else the X509_V_ERR_* code. */
static int f_c_verify(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const struct tls_conn *t = ctx_tls_done(ctx);

	if (!t)
		return 0;
	smp_set_sint(smp, tls_conn_verify_result(t));
	return 1;
}

/* Finds in the one-line DN <dn> ("/C=FR/O=Org/CN=x") the <occ>th value of
 * <entry> (case-insensitive; 1 = first, -1 = last). Returns the value's
 * length and its start in *<val>, or -1 when there is no such value. A '/'
 * inside a value is taken as a separator, as the one-line form is
 * ambiguous there anyway. */
static int dn_entry(const char *dn, size_t len, const char *entry, size_t elen, int64_t occ,
                    const char **val)
{
	const char *starts[64], *p = dn, *end = dn + len;
	size_t lens[64];
	int n = 0;

	while (p < end && n < 64) {
		const char *next, *eq;

		if (*p == '/')
			p++;
		next = memchr(p, '/', (size_t)(end - p));
		if (!next)
			next = end;
		eq = memchr(p, '=', (size_t)(next - p));
		if (eq && (size_t)(eq - p) == elen && !strncasecmp(p, entry, elen)) {
			starts[n] = eq + 1;
			lens[n] = (size_t)(next - eq - 1);
			n++;
		}
		p = next;
	}
	if (occ < 0)
		occ += n + 1;
	if (occ < 1 || occ > n)
		return -1;
	*val = starts[occ - 1];
	return (int)lens[occ - 1];
}

/* Rewrites the one-line DN <dn> as RFC 2253 ("CN=x,O=Org,C=FR": reversed,
 * comma-separated) into <out> of <cap> bytes. Returns the length, or -1
 * when it does not fit. */
static int dn_rfc2253(const char *dn, size_t len, char *out, size_t cap)
{
	const char *end = dn + len, *p = end;
	size_t o = 0;

	while (p > dn) {
		const char *q = p;
		size_t n;

		while (q > dn && q[-1] != '/')
			q--;
		n = (size_t)(p - q);
		if (n) {
			if (o + n + 1 > cap)
				return -1;
			if (o)
				out[o++] = ',';
			memcpy(out + o, q, n);
			o += n;
		}
		p = q > dn ? q - 1 : dn;
	}
	return (int)o;
}

/* The certificate fetches' <priv>: the side first, as ctx_tls() reads it,
 * whether the certificate is ours (ssl_f_*) or the peer's (ssl_c_*: the
 * client's, ssl_s_*: the server's), then the field. */
struct cert_fetch {
	int side;
	int own;
	enum tls_cert_field field;
};
#define CF(p, side, own) \
	static const struct cert_fetch p##_s_dn = { side, own, TLS_CERT_S_DN }, \
		p##_i_dn = { side, own, TLS_CERT_I_DN }, p##_serial = { side, own, TLS_CERT_SERIAL }, \
		p##_sha1 = { side, own, TLS_CERT_SHA1 }, p##_der = { side, own, TLS_CERT_DER }, \
		p##_notbefore = { side, own, TLS_CERT_NOTBEFORE }, \
		p##_notafter = { side, own, TLS_CERT_NOTAFTER }, p##_version = { side, own, TLS_CERT_VERSION };
CF(cf_c, 0, 0)
CF(cf_f, 0, 1)
CF(cf_s, 1, 0)
#undef CF

/* ssl_{c,f,s}_s_dn / ssl_{c,f,s}_i_dn([entry[,occ[,format]]]): the
 * certificate's subject or issuer, whole or one entry; format "rfc2253"
 * reverses the order of the whole DN as OpenSSL's RFC 2253 printing does
 * (escaping of special characters aside). Not found without a certificate
 * or without that entry. */
static int f_c_dn(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const struct cert_fetch *cf = ctx->priv;
	const struct tls_conn *t = ctx_tls_done(ctx);
	char dn[1024];
	const char *val;
	size_t size;
	char *out;
	int len, rfc = 0;

	if (!t || (len = tls_conn_cert(t, cf->own, cf->field, dn, sizeof(dn))) < 0)
		return 0;
	if ((size_t)len >= sizeof(dn))
		len = (int)sizeof(dn) - 1;
	if (args[0].type == ARGT_STR && args[0].u.str.len) {
		int64_t occ = args[1].type == ARGT_SINT && args[1].u.sint ? args[1].u.sint : 1;

		len = dn_entry(dn, (size_t)len, args[0].u.str.ptr, args[0].u.str.len, occ, &val);
		if (len < 0)
			return 0;
	} else {
		val = dn;
		rfc = args[2].type == ARGT_STR && args[2].u.str.len;
	}
	if (!(out = smp_trash(&size)))
		return 0;
	if (rfc) {
		if ((len = dn_rfc2253(val, (size_t)len, out, size)) < 0)
			return 0;
	} else {
		if ((size_t)len > size)
			len = (int)size;
		memcpy(out, val, (size_t)len);
	}
	if (!len)
		return 0;
	smp->type = SMP_T_STR;
	smp->flags &= SMP_F_KEEP;
	smp->u.str.ptr = out;
	smp->u.str.len = (size_t)len;
	smp->u.str.size = size;
	return 1;
}

/* ssl_{c,f,s}_serial, _sha1, _der (binary), _notbefore, _notafter
 * ("YYMMDDhhmmssZ"), _version (3 for X.509v3): a field of the certificate;
 * not found without one. */
static int f_c_cert(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const struct cert_fetch *cf = ctx->priv;
	const struct tls_conn *t = ctx_tls_done(ctx);
	size_t size;
	char *out = smp_trash(&size);
	int n;

	if (!t || !out || (n = tls_conn_cert(t, cf->own, cf->field, out, size)) < 0)
		return 0;
	if (cf->field == TLS_CERT_VERSION) {
		smp_set_sint(smp, strtoll(out, NULL, 10));
		return 1;
	}
	smp_set_str(smp, out, (size_t)n, size);
	if (cf->field != TLS_CERT_NOTBEFORE && cf->field != TLS_CERT_NOTAFTER)
		smp->type = SMP_T_BIN;
	return 1;
}

/* ssl_fc_session_id, _client_random, _server_random, _session_key,
 * _unique_id and their ssl_bc_* forms (binary): the session's data; not
 * found on a plain connection or when the library has none. */
struct sess_fetch {
	int side;                   /* first, as ctx_tls() reads it */
	enum tls_sess_field field;
};
#define SF(p, side) \
	static const struct sess_fetch p##_id = { side, TLS_SESS_ID }, \
		p##_crand = { side, TLS_SESS_CLIENT_RANDOM }, p##_srand = { side, TLS_SESS_SERVER_RANDOM }, \
		p##_key = { side, TLS_SESS_KEY }, p##_uid = { side, TLS_SESS_UNIQUE_ID };
SF(sf_fc, 0)
SF(sf_bc, 1)
#undef SF

static int f_sess(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const struct sess_fetch *sf = ctx->priv;
	const struct tls_conn *t = ctx_tls_done(ctx);
	size_t size;
	char *out = smp_trash(&size);
	int n;

	if (!t || !out || (n = tls_conn_session_data(t, sf->field, (unsigned char *)out, size)) < 0)
		return 0;
	smp_set_str(smp, out, (size_t)n, size);
	smp->type = SMP_T_BIN;
	return 1;
}

/* Accepts HAProxy 2.6's ssl_c_s_dn arguments: the format is empty or
 * "rfc2253". */
static int is_word(const struct arg *a, const char *w)
{
	size_t n = strlen(w);

	return a->u.str.len == n && !memcmp(a->u.str.ptr, w, n);
}

static int chk_dn(struct arg *args, char *err, size_t errlen)
{
	if (args[2].type == ARGT_STR && args[2].u.str.len && !is_word(&args[2], "rfc2253")) {
		snprintf(err, errlen, "only rfc2253 or a blank value are currently supported as the format argument.");
		return -1;
	}
	return 0;
}

#define L4 (SMP_USE_L4)
#define L5 (SMP_USE_L5)

/* The certificate fetches of prefix <p> ("c", "f", "s") over the
 * cert_fetch descriptors cf_<x>_*. */
#define SESS_FETCHES(p, x) \
	{ "ssl_" p "_session_id", f_sess, ARG0, 0, SMP_T_BIN, L5, &x##_id }, \
	{ "ssl_" p "_client_random", f_sess, ARG0, 0, SMP_T_BIN, L5, &x##_crand }, \
	{ "ssl_" p "_server_random", f_sess, ARG0, 0, SMP_T_BIN, L5, &x##_srand }, \
	{ "ssl_" p "_session_key", f_sess, ARG0, 0, SMP_T_BIN, L5, &x##_key }, \
	{ "ssl_" p "_unique_id", f_sess, ARG0, 0, SMP_T_BIN, L5, &x##_uid }

#define CERT_FETCHES(p, x) \
	{ "ssl_" p "_s_dn", f_c_dn, ARG3(0, STR, SINT, STR), chk_dn, SMP_T_STR, L5, &x##_s_dn }, \
	{ "ssl_" p "_i_dn", f_c_dn, ARG3(0, STR, SINT, STR), chk_dn, SMP_T_STR, L5, &x##_i_dn }, \
	{ "ssl_" p "_serial", f_c_cert, ARG0, 0, SMP_T_BIN, L5, &x##_serial }, \
	{ "ssl_" p "_sha1", f_c_cert, ARG0, 0, SMP_T_BIN, L5, &x##_sha1 }, \
	{ "ssl_" p "_der", f_c_cert, ARG0, 0, SMP_T_BIN, L5, &x##_der }, \
	{ "ssl_" p "_notbefore", f_c_cert, ARG0, 0, SMP_T_STR, L5, &x##_notbefore }, \
	{ "ssl_" p "_notafter", f_c_cert, ARG0, 0, SMP_T_STR, L5, &x##_notafter }, \
	{ "ssl_" p "_version", f_c_cert, ARG0, 0, SMP_T_SINT, L5, &x##_version }

const struct sample_fetch smp_fetch_ssl_table[] = {
	{ "ssl_bc",             f_ssl,        ARG0, 0, SMP_T_BOOL, L5, &side_back },
	{ "ssl_bc_alpn",        f_alpn,       ARG0, 0, SMP_T_STR,  L5, &side_back },
	{ "ssl_bc_cipher",      f_cipher,     ARG0, 0, SMP_T_STR,  L5, &side_back },
	{ "ssl_bc_is_resumed",  f_is_resumed, ARG0, 0, SMP_T_BOOL, L5, &side_back },
	{ "ssl_bc_protocol",    f_protocol,   ARG0, 0, SMP_T_STR,  L5, &side_back },
	{ "ssl_bc_use_keysize", f_keysize,    ARG0, 0, SMP_T_SINT, L5, &side_back },
	CERT_FETCHES("c", cf_c),
	CERT_FETCHES("f", cf_f),
	CERT_FETCHES("s", cf_s),
	SESS_FETCHES("fc", sf_fc),
	SESS_FETCHES("bc", sf_bc),
	{ "ssl_c_used",         f_c_used,     ARG0, 0, SMP_T_BOOL, L5, &side_front },
	{ "ssl_c_verify",       f_c_verify,   ARG0, 0, SMP_T_SINT, L5, &side_front },
	{ "fc_err",             f_conn_err,   ARG0, 0, SMP_T_SINT, L4, &side_front },
	{ "fc_err_str",         f_err_str,    ARG0, 0, SMP_T_STR,  L4, NULL },
	{ "bc_err",             f_conn_err,   ARG0, 0, SMP_T_SINT, L5, &side_back },
	{ "bc_err_str",         f_err_str,    ARG0, 0, SMP_T_STR,  L5, NULL },
	{ "ssl_fc_err",         f_tls_err,    ARG0, 0, SMP_T_SINT, L5, &err_fc },
	{ "ssl_c_err",          f_tls_err,    ARG0, 0, SMP_T_SINT, L5, &err_c },
	{ "ssl_c_ca_err",       f_tls_err,    ARG0, 0, SMP_T_SINT, L5, &err_ca },
	{ "ssl_fc",             f_ssl,        ARG0, 0, SMP_T_BOOL, L5, &side_front },
	{ "ssl_fc_alpn",        f_alpn,       ARG0, 0, SMP_T_STR,  L5, &side_front },
	{ "ssl_fc_cipher",      f_cipher,     ARG0, 0, SMP_T_STR,  L5, &side_front },
	{ "ssl_fc_has_crt",     f_c_used,     ARG0, 0, SMP_T_BOOL, L5, &side_front },
	{ "ssl_fc_has_sni",     f_has_sni,    ARG0, 0, SMP_T_BOOL, L5, &side_front },
	{ "ssl_fc_is_resumed",  f_is_resumed, ARG0, 0, SMP_T_BOOL, L5, &side_front },
	{ "ssl_fc_protocol",    f_protocol,   ARG0, 0, SMP_T_STR,  L5, &side_front },
	{ "ssl_fc_sni",         f_sni,        ARG0, 0, SMP_T_STR,  L5, &side_front },
	{ "ssl_fc_use_keysize", f_keysize,    ARG0, 0, SMP_T_SINT, L5, &side_front },
	{ NULL, NULL, 0, 0, 0, 0, NULL }
};
