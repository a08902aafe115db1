/* tls.c: the wolfSSL glue — contexts built from PEM files (one wolfSSL
 * context per certificate, chosen by SNI), and TLS sessions whose I/O
 * callbacks read from a ciphertext window lent by the caller and write to
 * a per-connection output buffer; and the message digests of wolfCrypt.
 * The only file that includes wolfSSL. */
#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#include <wolfssl/version.h>
#include <wolfssl/openssl/evp.h>
#include <wolfssl/error-ssl.h>
#include <wolfssl/wolfcrypt/error-crypt.h>
#include <wolfssl/wolfcrypt/ecc.h>
#include <wolfssl/wolfcrypt/hash.h>
#include <wolfssl/wolfcrypt/hmac.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <stdint.h>
#include <sys/stat.h>

#include "proto/tls.h"

/* Ciphertext buffered for sending (unless an output callback takes it). A
 * TLS record is at most 16 KB of plaintext plus its overhead (header, IV,
 * MAC/tag, padding): a write goes on only while a whole record fits, so the
 * buffer holds one full record, or a handshake flight (a larger flight gets
 * a larger block until it is sent). */
#define TLS_OUTBUF       (16384 + 2048)
#define TLS_REC_PLAIN    16384
#define TLS_REC_OVERHEAD 512

/* OpenSSL's servername/ALPN callback return codes (kept here so that no
 * compatibility header is needed). */
#define TLS_EXT_OK     0
#define TLS_EXT_FATAL  2
#define TLS_EXT_NOACK  3

/* Default suites, used for the half (TLS 1.3 / TLS <= 1.2) of wolfSSL's
 * single list that the configuration leaves unset. Without AES-NI (Debian's
 * wolfSSL build) ChaCha20-Poly1305 costs a third of AES-GCM's CPU per byte,
 * so it comes first; the server's order wins, as HAProxy's default. */
#ifdef WOLFSSL_AESNI
#define TLS13_DEFAULT "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256"
#define TLS12_AEAD "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:" \
	"ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
#else
#define TLS13_DEFAULT "TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384"
#define TLS12_AEAD "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:" \
	"ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
#endif
#define TLS12_DEFAULT TLS12_AEAD \
	"ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:" \
	"DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:" \
	"ECDHE-ECDSA-AES128-SHA256:ECDHE-RSA-AES128-SHA256:ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA:" \
	"ECDHE-ECDSA-AES256-SHA384:ECDHE-RSA-AES256-SHA384:ECDHE-ECDSA-AES256-SHA:ECDHE-RSA-AES256-SHA:" \
	"AES128-GCM-SHA256:AES256-GCM-SHA384:AES128-SHA256:AES256-SHA256:AES128-SHA:AES256-SHA"

/* An open-addressing index of certificate names, built at start-up and
 * read-only afterwards. Keys point into the certificates' name lists;
 * the first certificate naming a key keeps it. Invariant: used * 2 <= mask + 1. */
struct name_slot {
	const char *key;
	struct tls_crt *crt;
};
struct name_idx {
	struct name_slot *slots;
	uint32_t mask, used;
};

/* One certificate (chain + key) and the names it answers to. */
struct tls_crt {
	WOLFSSL_CTX *wctx;
	char **names;                /* lower case; "*.x.y" for wildcards */
	int nnames;
	struct tls_crt *next;
};

struct tls_ctx {
	int is_server;
	int verify;                  /* TLS_VERIFY_* */
	int no_tickets;
	int strict_sni;
	int min_ver, max_ver;        /* protocol numbers, 0 = library default */
	char *ca_file;
	char *cipher_list;           /* the combined TLS 1.3 + TLS <= 1.2 wolfSSL list */
	char *alpn;                  /* client: comma list as given */
	unsigned char *alpn_wire;    /* server: length-prefixed list, server order */
	unsigned alpn_wire_len;
	struct tls_crt *crts, **crt_tail;  /* server: first = default */
	int ncrts;
	struct name_idx exact, wild;  /* server: names -> certificate; wild keys are ".domain" */
	WOLFSSL_CTX *cli;            /* client: the one context */
	WOLFSSL_SESSION *sess;       /* client: last session, for resumption */
	char sess_sni[256];
};

/* Invariants: out_off <= out_len <= out_cap; out is out_inline (out_cap ==
 * TLS_OUTBUF) except while a handshake flight larger than that waits to be
 * sent (a heap block, freed once drained); in points to in_len unconsumed
 * borrowed bytes (in_len == 0 when nothing is lent). */
struct tls_conn {
	WOLFSSL *ssl;
	struct tls_ctx *ctx;
	const unsigned char *in;
	size_t in_len;
	unsigned char *out;
	size_t out_off, out_len, out_cap;
	unsigned hs_done:1, failed:1, closed:1;
	int (*out_cb)(void *arg, const void *p, size_t n);
	void *out_arg;
	long verify_res;
	char sni[256];
	char alpn[64];
	char err[160];
	unsigned char out_inline[TLS_OUTBUF];
};

static pthread_once_t tls_once = PTHREAD_ONCE_INIT;
static int tls_init_ok;

static void tls_global_init(void)
{
	tls_init_ok = wolfSSL_Init() == WOLFSSL_SUCCESS;
}

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Returns the protocol number of "TLSv1.2"-style <s>, 0 for NULL, -1 if unknown. */
static int parse_ver(const char *s)
{
	static const struct { const char *n; int v; } t[] = {
		{ "SSLv3", 0x0300 }, { "TLSv1.0", 0x0301 }, { "TLSv1.1", 0x0302 },
		{ "TLSv1.2", 0x0303 }, { "TLSv1.3", 0x0304 },
	};

	if (!s)
		return 0;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (!strcasecmp(s, t[i].n))
			return t[i].v;
	return -1;
}

/* ---- I/O callbacks: the only place where ciphertext moves ---- */

static int io_recv(WOLFSSL *ssl, char *buf, int sz, void *arg)
{
	struct tls_conn *c = arg;
	size_t n;

	if (!c->in_len)
		return WOLFSSL_CBIO_ERR_WANT_READ;
	n = (size_t)sz < c->in_len ? (size_t)sz : c->in_len;
	memcpy(buf, c->in, n);
	c->in += n;
	c->in_len -= n;
	return (int)n;
}

static int io_send(WOLFSSL *ssl, char *buf, int sz, void *arg)
{
	struct tls_conn *c = arg;
	size_t room, n;
	int r;

	/* What the callback refuses goes to the buffer: wolfSSL 5.5.4 fails a
	 * TLS 1.3 server handshake resumed after WANT_WRITE, so the buffer takes
	 * a flight the callback has no room for. */
	if (c->out_cb && c->out_len == c->out_off) {
		r = c->out_cb(c->out_arg, buf, (size_t)sz);
		if (r >= sz)
			return sz;
		if (r > 0) {
			buf += r;
			sz -= r;
		} else {
			r = 0;
		}
	} else {
		r = 0;
	}
	if (c->out_off && c->out_len + (size_t)sz > c->out_cap) {
		memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
		c->out_len -= c->out_off;
		c->out_off = 0;
	}
	/* wolfSSL 5.5.4 cannot resume a TLS 1.3 server handshake after
	 * WANT_WRITE: a flight that does not fit (a certificate chain of tens
	 * of KB) gets a larger block, the only allocation on this path */
	if (!c->hs_done && c->out_len + (size_t)sz > c->out_cap) {
		size_t cap = c->out_cap;
		unsigned char *nb;

		while (cap < c->out_len + (size_t)sz)
			cap *= 2;
		if ((nb = malloc(cap))) {
			memcpy(nb, c->out, c->out_len);
			if (c->out != c->out_inline)
				free(c->out);
			c->out = nb;
			c->out_cap = cap;
		}
	}
	room = c->out_cap - c->out_len;
	if (!room)
		return r ? r : WOLFSSL_CBIO_ERR_WANT_WRITE;
	n = (size_t)sz < room ? (size_t)sz : room;
	memcpy(c->out + c->out_len, buf, n);
	c->out_len += n;
	return r + (int)n;
}

/* ---- SNI and ALPN (server side) ---- */

static uint32_t name_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static struct tls_crt *idx_get(const struct name_idx *x, const char *key)
{
	if (!x->slots)
		return NULL;
	for (uint32_t i = name_hash(key) & x->mask;; i = (i + 1) & x->mask) {
		if (!x->slots[i].key)
			return NULL;
		if (!strcmp(x->slots[i].key, key))
			return x->slots[i].crt;
	}
}

/* Returns 0 or -1 (no memory). An existing key keeps its certificate. */
static int idx_put(struct name_idx *x, const char *key, struct tls_crt *crt)
{
	if ((x->used + 1) * 2 > (x->slots ? x->mask + 1 : 0)) {
		uint32_t size = x->slots ? (x->mask + 1) * 2 : 16;
		struct name_slot *ns = calloc(size, sizeof(*ns)), *old = x->slots;
		uint32_t osize = x->slots ? x->mask + 1 : 0;

		if (!ns)
			return -1;
		x->slots = ns;
		x->mask = size - 1;
		x->used = 0;
		for (uint32_t i = 0; i < osize; i++)
			if (old[i].key)
				idx_put(x, old[i].key, old[i].crt);
		free(old);
	}
	for (uint32_t i = name_hash(key) & x->mask;; i = (i + 1) & x->mask) {
		if (!x->slots[i].key) {
			x->slots[i].key = key;
			x->slots[i].crt = crt;
			x->used++;
			return 0;
		}
		if (!strcmp(x->slots[i].key, key))
			return 0;
	}
}

/* Returns the certificate for <name>: an exact name first, then a wildcard
 * "*.domain" covering exactly one label in front of ".domain". */
static struct tls_crt *crt_lookup(struct tls_ctx *ctx, const char *name)
{
	char low[256];
	struct tls_crt *t;
	const char *dot;
	size_t i;

	for (i = 0; name[i] && i < sizeof(low) - 1; i++)
		low[i] = (name[i] >= 'A' && name[i] <= 'Z') ? name[i] + ('a' - 'A') : name[i];
	if (name[i])
		return NULL;
	low[i] = 0;
	if ((t = idx_get(&ctx->exact, low)))
		return t;
	dot = strchr(low, '.');
	return dot && dot != low ? idx_get(&ctx->wild, dot) : NULL;
}

static int sni_cb(WOLFSSL *ssl, int *ad, void *arg)
{
	struct tls_ctx *ctx = arg;
	struct tls_conn *c = wolfSSL_GetIOReadCtx(ssl);
	const char *name = wolfSSL_get_servername(ssl, WOLFSSL_SNI_HOST_NAME);
	struct tls_crt *t;

	if (!name || !*name)
		goto no_match;
	if (c)
		snprintf(c->sni, sizeof(c->sni), "%s", name);
	if (!(t = crt_lookup(ctx, name)))
		goto no_match;
	if (t != ctx->crts)
		wolfSSL_set_SSL_CTX(ssl, t->wctx);
	return TLS_EXT_OK;
no_match:
	if (!ctx->strict_sni)
		return TLS_EXT_OK;   /* the first certificate answers */
	*ad = 112;                   /* unrecognized_name */
	return TLS_EXT_FATAL;
}

/* Picks the first of our protocols that the client offers, as HAProxy does;
 * no match means no ALPN extension in the answer. */
static int alpn_cb(WOLFSSL *ssl, const unsigned char **out, unsigned char *outlen,
                   const unsigned char *in, unsigned int inlen, void *arg)
{
	struct tls_ctx *ctx = arg;
	const unsigned char *s = ctx->alpn_wire, *se = s + ctx->alpn_wire_len;

	for (; s < se; s += 1 + s[0]) {
		for (const unsigned char *p = in; p < in + inlen; p += 1 + p[0]) {
			if (p + 1 + p[0] > in + inlen)
				break;
			if (p[0] == s[0] && !memcmp(p + 1, s + 1, s[0])) {
				*out = p + 1;
				*outlen = p[0];
				return TLS_EXT_OK;
			}
		}
	}
	return TLS_EXT_NOACK;
}

/* Returns 1 if the cipher list <list> ("a:b:c", OpenSSL's syntax) names
 * something: a cipher wolfSSL knows, or an OpenSSL expression ("HIGH",
 * "ECDHE+AESGCM", "!aNULL"...) that wolfSSL may not read but OpenSSL would;
 * 0 when every element is an unknown name. OpenSSL (so HAProxy) refuses a
 * list only in that case. */
static int cipher_list_names_one(const char *list)
{
	char buf[1024], *save = NULL, *w;
	WOLFSSL_CTX *scratch;
	int found = 0;

	if (!*list || strlen(list) >= sizeof(buf))
		return 1;
	if (!(scratch = wolfSSL_CTX_new(wolfSSLv23_client_method())))
		return 1;       /* cannot tell: the list is tried for real later */
	snprintf(buf, sizeof(buf), "%s", list);
	for (w = strtok_r(buf, ":, ", &save); w && !found; w = strtok_r(NULL, ":, ", &save))
		found = strpbrk(w, "+!@=") || w[0] == '-' ||
		        wolfSSL_CTX_set_cipher_list(scratch, w) == WOLFSSL_SUCCESS;
	wolfSSL_CTX_free(scratch);
	return found;
}

/* Returns 0, or -1 with <err> set: applies the context-wide settings to one
 * wolfSSL context. */
static int wctx_setup(struct tls_ctx *ctx, WOLFSSL_CTX *w, char *err, size_t errlen)
{
	int groups[] = { WOLFSSL_ECC_X25519, WOLFSSL_ECC_SECP256R1, WOLFSSL_ECC_SECP384R1,
	                 WOLFSSL_ECC_SECP521R1 };
	int mode;

	wolfSSL_CTX_SetIORecv(w, io_recv);
	wolfSSL_CTX_SetIOSend(w, io_send);
	if (wolfSSL_CTX_set_min_proto_version(w, ctx->min_ver ? ctx->min_ver : 0x0303) != WOLFSSL_SUCCESS) {
		set_err(err, errlen, "unsupported minimum TLS version");
		return -1;
	}
	if (ctx->max_ver && wolfSSL_CTX_set_max_proto_version(w, ctx->max_ver) != WOLFSSL_SUCCESS) {
		set_err(err, errlen, "unsupported maximum TLS version");
		return -1;
	}
	if (ctx->cipher_list && wolfSSL_CTX_set_cipher_list(w, ctx->cipher_list) != WOLFSSL_SUCCESS) {
		set_err(err, errlen, "unable to set cipher list '%s'", ctx->cipher_list);
		return -1;
	}
	if (ctx->ca_file && wolfSSL_CTX_load_verify_locations(w, ctx->ca_file, NULL) != WOLFSSL_SUCCESS) {
		set_err(err, errlen, "unable to load CA file '%s'", ctx->ca_file);
		return -1;
	}
	if (ctx->verify == TLS_VERIFY_NONE)
		mode = WOLFSSL_VERIFY_NONE;
	else if (ctx->verify == TLS_VERIFY_OPTIONAL || !ctx->is_server)
		mode = WOLFSSL_VERIFY_PEER;
	else
		mode = WOLFSSL_VERIFY_PEER | WOLFSSL_VERIFY_FAIL_IF_NO_PEER_CERT;
	wolfSSL_CTX_set_verify(w, mode, NULL);
	/* X25519 first, as OpenSSL clients and browsers: its key share costs a
	 * fraction of P-256's in this build */
	if (wolfSSL_CTX_set_groups(w, groups, (int)(sizeof(groups) / sizeof(groups[0]))) != WOLFSSL_SUCCESS) {
		set_err(err, errlen, "unable to set key exchange groups");
		return -1;
	}
	if (ctx->is_server) {
		wolfSSL_CTX_set_servername_callback(w, sni_cb);
		wolfSSL_CTX_set_servername_arg(w, ctx);
		if (ctx->alpn_wire)
			wolfSSL_CTX_set_alpn_select_cb(w, alpn_cb, ctx);
		wolfSSL_CTX_set_options(w, WOLFSSL_OP_CIPHER_SERVER_PREFERENCE);
		if (ctx->no_tickets) {
			wolfSSL_CTX_NoTicketTLSv12(w);
			wolfSSL_CTX_no_ticket_TLSv13(w);
		}
	}
	return 0;
}

/* Returns a lower-cased copy of <s>, or NULL. */
static char *lower_dup(const char *s)
{
	char *d = strdup(s);

	for (char *p = d; p && *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p += 'a' - 'A';
	return d;
}

static int crt_add_name(struct tls_crt *t, const char *name)
{
	char **n;

	for (int i = 0; i < t->nnames; i++)
		if (!strcasecmp(t->names[i], name))
			return 0;
	if (!(n = realloc(t->names, (t->nnames + 1) * sizeof(*n))))
		return -1;
	t->names = n;
	if (!(n[t->nnames] = lower_dup(name)))
		return -1;
	t->nnames++;
	return 0;
}

static void crt_free(struct tls_crt *t)
{
	for (int i = 0; i < t->nnames; i++)
		free(t->names[i]);
	free(t->names);
	if (t->wctx)
		wolfSSL_CTX_free(t->wctx);
	free(t);
}

/* Returns 1 when the private key of <w> belongs to its certificate (a
 * signature made with one is checked with the other), else 0.
 * wolfSSL_CTX_check_private_key() accepts a foreign key in this build. */
static int key_matches(WOLFSSL_CTX *w)
{
	static const unsigned char msg[] = "ringproxy key check";
	WOLFSSL_X509 *x = wolfSSL_CTX_get0_certificate(w);
	WOLFSSL_EVP_PKEY *k = wolfSSL_CTX_get0_privatekey(w), *pub;
	WOLFSSL_EVP_MD_CTX *m = NULL;
	unsigned char sig[1024];
	size_t slen = sizeof(sig);
	int ok = 0;

	if (!x || !k || !(pub = wolfSSL_X509_get_pubkey(x)))
		return 0;
	if (!(m = wolfSSL_EVP_MD_CTX_new()))
		goto out;
	if (wolfSSL_EVP_DigestSignInit(m, NULL, wolfSSL_EVP_sha256(), NULL, k) != 1 ||
	    wolfSSL_EVP_DigestSignUpdate(m, msg, sizeof(msg)) != 1 ||
	    wolfSSL_EVP_DigestSignFinal(m, sig, &slen) != 1)
		goto out;
	wolfSSL_EVP_MD_CTX_free(m);
	if (!(m = wolfSSL_EVP_MD_CTX_new()))
		goto out;
	ok = wolfSSL_EVP_DigestVerifyInit(m, NULL, wolfSSL_EVP_sha256(), NULL, pub) == 1 &&
	     wolfSSL_EVP_DigestVerifyUpdate(m, msg, sizeof(msg)) == 1 &&
	     wolfSSL_EVP_DigestVerifyFinal(m, sig, slen) == 1;
out:
	if (m)
		wolfSSL_EVP_MD_CTX_free(m);
	wolfSSL_EVP_PKEY_free(pub);
	return ok;
}

/* Returns 0, or -1 with <err> set: loads one PEM (chain and key, the key
 * possibly in <path>.key) as a new certificate of server context <ctx>. */
static int crt_load_file(struct tls_ctx *ctx, const char *path, const char *const *sni, int nsni,
                         char *err, size_t errlen)
{
	struct tls_crt *t;
	WOLFSSL_X509 *x;
	char buf[256], keypath[PATH_MAX];
	char *alt;

	if (!(t = calloc(1, sizeof(*t))) || !(t->wctx = wolfSSL_CTX_new(wolfSSLv23_server_method()))) {
		set_err(err, errlen, "out of memory");
		goto fail;
	}
	if (wolfSSL_CTX_use_certificate_chain_file(t->wctx, path) != WOLFSSL_SUCCESS) {
		set_err(err, errlen, "unable to load certificate from file '%s'", path);
		goto fail;
	}
	if (wolfSSL_CTX_use_PrivateKey_file(t->wctx, path, WOLFSSL_FILETYPE_PEM) != WOLFSSL_SUCCESS) {
		snprintf(keypath, sizeof(keypath), "%s.key", path);
		if (wolfSSL_CTX_use_PrivateKey_file(t->wctx, keypath, WOLFSSL_FILETYPE_PEM) != WOLFSSL_SUCCESS) {
			set_err(err, errlen, "no private key found in '%s' nor in '%s'", path, keypath);
			goto fail;
		}
	}
	if (wolfSSL_CTX_check_private_key(t->wctx) != WOLFSSL_SUCCESS || !key_matches(t->wctx)) {
		set_err(err, errlen, "the private key of '%s' does not match its certificate", path);
		goto fail;
	}
	if (wctx_setup(ctx, t->wctx, err, errlen) < 0)
		goto fail;
	for (int i = 0; i < nsni; i++)
		if (crt_add_name(t, sni[i]) < 0)
			goto nomem;
	if (!nsni && (x = wolfSSL_CTX_get0_certificate(t->wctx))) {
		while ((alt = wolfSSL_X509_get_next_altname(x)))
			if (crt_add_name(t, alt) < 0)
				goto nomem;
		if (wolfSSL_X509_NAME_get_text_by_NID(wolfSSL_X509_get_subject_name(x), NID_commonName,
		                                      buf, sizeof(buf)) > 0 && crt_add_name(t, buf) < 0)
			goto nomem;
	}
	for (int i = 0; i < t->nnames; i++) {
		const char *n = t->names[i];

		if (n[0] == '*' && n[1] == '.' ? idx_put(&ctx->wild, n + 1, t) : idx_put(&ctx->exact, n, t))
			goto nomem;
	}
	*ctx->crt_tail = t;
	ctx->crt_tail = &t->next;
	ctx->ncrts++;
	return 0;
nomem:
	set_err(err, errlen, "out of memory");
fail:
	if (t)
		crt_free(t);
	return -1;
}

/* Files of a certificate directory that are not certificates themselves. */
static int crt_dir_skip(const char *n)
{
	static const char *const ext[] = { ".key", ".ocsp", ".issuer", ".sctl", ".dh" };
	size_t l = strlen(n);

	if (n[0] == '.')
		return 1;
	for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		size_t e = strlen(ext[i]);
		if (l > e && !strcmp(n + l - e, ext[i]))
			return 1;
	}
	return 0;
}

int tls_ctx_add_crt(struct tls_ctx *ctx, const char *path, const char *const *sni, int nsni,
                    char *err, size_t errlen)
{
	struct dirent **ents;
	struct stat st;
	char p[PATH_MAX];
	int n, ret = 0, loaded = 0;

	if (!ctx->is_server) {
		set_err(err, errlen, "certificates are selected by SNI on a server context only");
		return -1;
	}
	if (stat(path, &st) < 0) {
		set_err(err, errlen, "unable to stat SSL certificate from file '%s' : %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return crt_load_file(ctx, path, sni, nsni, err, errlen);
	if ((n = scandir(path, &ents, NULL, alphasort)) < 0) {
		set_err(err, errlen, "unable to scan directory '%s' : %s", path, strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		if (!ret && !crt_dir_skip(ents[i]->d_name)) {
			snprintf(p, sizeof(p), "%s/%s", path, ents[i]->d_name);
			if (stat(p, &st) == 0 && S_ISREG(st.st_mode)) {
				ret = crt_load_file(ctx, p, sni, nsni, err, errlen);
				loaded++;
			}
		}
		free(ents[i]);
	}
	free(ents);
	if (!ret && !loaded) {
		set_err(err, errlen, "no certificate found in directory '%s'", path);
		ret = -1;
	}
	return ret;
}

int tls_ctx_crt_count(const struct tls_ctx *ctx)
{
	return ctx->ncrts;
}

/* Returns 0 or -1: builds the server's length-prefixed ALPN list. */
static int alpn_to_wire(struct tls_ctx *ctx, const char *list)
{
	size_t l = strlen(list);
	unsigned char *w = malloc(l + 1), *lenp;
	unsigned wl = 0;

	if (!w)
		return -1;
	lenp = w;
	w[wl++] = 0;
	for (const char *p = list; *p; p++) {
		if (*p == ',') {
			if (*lenp == 0)
				goto bad;
			lenp = w + wl;
			w[wl++] = 0;
			continue;
		}
		if (*lenp == 255)
			goto bad;
		w[wl++] = (unsigned char)*p;
		(*lenp)++;
	}
	if (*lenp == 0)
		goto bad;
	ctx->alpn_wire = w;
	ctx->alpn_wire_len = wl;
	return 0;
bad:
	free(w);
	return -1;
}

struct tls_ctx *tls_ctx_new(const struct tls_ctx_opts *o, char *err, size_t errlen)
{
	struct tls_ctx *ctx;
	size_t l;

	pthread_once(&tls_once, tls_global_init);
	if (!tls_init_ok) {
		set_err(err, errlen, "wolfSSL initialisation failed");
		return NULL;
	}
	if (!(ctx = calloc(1, sizeof(*ctx)))) {
		set_err(err, errlen, "out of memory");
		return NULL;
	}
	ctx->crt_tail = &ctx->crts;
	ctx->is_server = o->is_server;
	ctx->verify = o->verify;
	ctx->no_tickets = o->no_tickets;
	ctx->strict_sni = o->strict_sni;
	if ((ctx->min_ver = parse_ver(o->min_ver)) < 0) {
		set_err(err, errlen, "unknown TLS version '%s'", o->min_ver);
		goto fail;
	}
	if ((ctx->max_ver = parse_ver(o->max_ver)) < 0) {
		set_err(err, errlen, "unknown TLS version '%s'", o->max_ver);
		goto fail;
	}
	if (o->ca_file && !(ctx->ca_file = strdup(o->ca_file)))
		goto nomem;
	{
		const char *a = o->ciphersuites ? o->ciphersuites : TLS13_DEFAULT;
		const char *b = o->ciphers ? o->ciphers : TLS12_DEFAULT;

		/* each list alone must name something (one with none is an
		 * error, as with OpenSSL), though wolfSSL takes them joined */
		if (!cipher_list_names_one(b)) {
			set_err(err, errlen, "unable to set cipher list '%s'", b);
			goto fail;
		}
		if (!cipher_list_names_one(a)) {
			set_err(err, errlen, "unable to set TLS 1.3 cipher suites '%s'", a);
			goto fail;
		}

		l = strlen(a) + strlen(b) + 2;
		if (!(ctx->cipher_list = malloc(l)))
			goto nomem;
		snprintf(ctx->cipher_list, l, "%s:%s", a, b);
	}
	if (o->alpn) {
		if (o->is_server) {
			if (alpn_to_wire(ctx, o->alpn) < 0) {
				set_err(err, errlen, "invalid ALPN list '%s'", o->alpn);
				goto fail;
			}
		} else if (!(ctx->alpn = strdup(o->alpn))) {
			goto nomem;
		}
	}
	if (o->is_server) {
		/* without <crt>, the caller adds them (a crt-list) before use */
		if (o->crt && tls_ctx_add_crt(ctx, o->crt, NULL, 0, err, errlen) < 0)
			goto fail;
		return ctx;
	}
	if (!(ctx->cli = wolfSSL_CTX_new(wolfSSLv23_client_method())))
		goto nomem;
	if (wctx_setup(ctx, ctx->cli, err, errlen) < 0)
		goto fail;
	if (o->crt && (wolfSSL_CTX_use_certificate_chain_file(ctx->cli, o->crt) != WOLFSSL_SUCCESS ||
	               wolfSSL_CTX_use_PrivateKey_file(ctx->cli, o->crt, WOLFSSL_FILETYPE_PEM) != WOLFSSL_SUCCESS)) {
		set_err(err, errlen, "unable to load client certificate and key from '%s'", o->crt);
		goto fail;
	}
	if (o->crt && !key_matches(ctx->cli)) {
		set_err(err, errlen, "the private key of '%s' does not match its certificate", o->crt);
		goto fail;
	}
	return ctx;
nomem:
	set_err(err, errlen, "out of memory");
fail:
	tls_ctx_free(ctx);
	return NULL;
}

void tls_ctx_free(struct tls_ctx *ctx)
{
	struct tls_crt *t, *n;

	if (!ctx)
		return;
	for (t = ctx->crts; t; t = n) {
		n = t->next;
		crt_free(t);
	}
	free(ctx->exact.slots);
	free(ctx->wild.slots);
	if (ctx->sess)
		wolfSSL_SESSION_free(ctx->sess);
	if (ctx->cli)
		wolfSSL_CTX_free(ctx->cli);
	free(ctx->ca_file);
	free(ctx->cipher_list);
	free(ctx->alpn);
	free(ctx->alpn_wire);
	free(ctx);
}

/* ---- connections ---- */

size_t tls_conn_size(void)
{
	return sizeof(struct tls_conn);
}

struct tls_conn *tls_conn_new(struct tls_ctx *ctx, const char *sni)
{
	void *mem = malloc(sizeof(struct tls_conn));
	struct tls_conn *c;

	if (!mem)
		return NULL;
	if (!(c = tls_conn_init(mem, ctx, sni)))
		free(mem);
	return c;
}

struct tls_conn *tls_conn_init(void *mem, struct tls_ctx *ctx, const char *sni)
{
	struct tls_conn *c = mem;
	WOLFSSL_CTX *w = ctx->is_server ? (ctx->crts ? ctx->crts->wctx : NULL) : ctx->cli;

	c->ctx = ctx;
	c->in = NULL;
	c->in_len = 0;
	c->out = c->out_inline;
	c->out_cap = TLS_OUTBUF;
	c->out_off = c->out_len = 0;
	c->hs_done = c->failed = c->closed = 0;
	c->out_cb = NULL;
	c->out_arg = NULL;
	c->verify_res = 0;
	c->sni[0] = c->alpn[0] = c->err[0] = 0;
	if (!w || !(c->ssl = wolfSSL_new(w)))
		goto fail;
	wolfSSL_SetIOReadCtx(c->ssl, c);
	wolfSSL_SetIOWriteCtx(c->ssl, c);
	if (ctx->is_server)
		return c;
	if (sni && *sni) {
		snprintf(c->sni, sizeof(c->sni), "%s", sni);
		if (wolfSSL_UseSNI(c->ssl, WOLFSSL_SNI_HOST_NAME, sni, (unsigned short)strlen(sni)) != WOLFSSL_SUCCESS)
			goto fail_ssl;
		if (ctx->verify != TLS_VERIFY_NONE && wolfSSL_check_domain_name(c->ssl, sni) != WOLFSSL_SUCCESS)
			goto fail_ssl;
	}
	if (ctx->alpn && wolfSSL_UseALPN(c->ssl, ctx->alpn, (unsigned)strlen(ctx->alpn),
	                                 WOLFSSL_ALPN_CONTINUE_ON_MISMATCH) != WOLFSSL_SUCCESS)
		goto fail_ssl;
	if (ctx->sess && !ctx->no_tickets && !strcmp(ctx->sess_sni, c->sni))
		wolfSSL_set_session(c->ssl, ctx->sess);
	return c;
fail_ssl:
	wolfSSL_free(c->ssl);
fail:
	return NULL;
}

/* Keeps the session of a client connection that ends well for the next one. */
static void keep_session(struct tls_conn *c)
{
	struct tls_ctx *ctx = c->ctx;
	WOLFSSL_SESSION *s;

	if (ctx->is_server || ctx->no_tickets || !c->hs_done || c->failed)
		return;
	if (!(s = wolfSSL_get1_session(c->ssl)))
		return;
	if (ctx->sess)
		wolfSSL_SESSION_free(ctx->sess);
	ctx->sess = s;
	snprintf(ctx->sess_sni, sizeof(ctx->sess_sni), "%s", c->sni);
}

void tls_conn_release(struct tls_conn *c)
{
	if (!c)
		return;
	keep_session(c);
	wolfSSL_free(c->ssl);
	c->ssl = NULL;
	if (c->out != c->out_inline)
		free(c->out);
	c->out = c->out_inline;
}

void tls_conn_free(struct tls_conn *c)
{
	if (!c)
		return;
	tls_conn_release(c);
	free(c);
}

int tls_conn_verify_name(struct tls_conn *c, const char *name)
{
	if (c->ctx->is_server || c->ctx->verify == TLS_VERIFY_NONE || c->hs_done || c->failed)
		return -1;
	return wolfSSL_check_domain_name(c->ssl, name) == WOLFSSL_SUCCESS ? 0 : -1;
}

void tls_conn_set_output(struct tls_conn *c, int (*out)(void *arg, const void *p, size_t n), void *arg)
{
	c->out_cb = out;
	c->out_arg = arg;
}

int tls_conn_set_alpn(struct tls_conn *c, const char *alpn)
{
	/* wolfSSL keeps one extension of a type: this one replaces the context's */
	if (c->ctx->is_server || c->hs_done || !alpn || !*alpn)
		return -1;
	return wolfSSL_UseALPN(c->ssl, (char *)alpn, (unsigned)strlen(alpn),
	                       WOLFSSL_ALPN_CONTINUE_ON_MISMATCH) == WOLFSSL_SUCCESS ? 0 : -1;
}

void tls_conn_feed(struct tls_conn *c, const void *cipher, size_t n)
{
	c->in = cipher;
	c->in_len = n;
}

size_t tls_conn_in_left(const struct tls_conn *c)
{
	return c->in_len;
}

/* Certificate failures as wolfSSL reports them, with OpenSSL's
 * X509_V_ERR_* number and text (HAProxy's ssl_c_verify and its logs). */
static const struct { int wolf; long x509; const char *msg; } verify_errs[] = {
	{ ASN_AFTER_DATE_E,     10, "certificate has expired" },
	{ ASN_BEFORE_DATE_E,     9, "certificate is not yet valid" },
	{ ASN_NO_SIGNER_E,      20, "unable to get local issuer certificate" },
	{ ASN_SELF_SIGNED_E,    18, "self-signed certificate" },
	{ ASN_SIG_CONFIRM_E,     7, "certificate signature failure" },
	{ DOMAIN_NAME_MISMATCH, 62, "hostname mismatch" },
	{ IPADDR_MISMATCH,      64, "IP address mismatch" },
};

/* Returns TLS_AGAIN, TLS_CLOSED or TLS_ERR for the failed wolfSSL call that
 * returned <ret>, keeping the reason of an error in c->err. */
static int conn_fail(struct tls_conn *c, int ret)
{
	int e = wolfSSL_get_error(c->ssl, ret);
	WOLFSSL_ALERT_HISTORY h = { { 0, 0 }, { 0, 0 } };
	long v;

	if (e == WOLFSSL_ERROR_WANT_READ || e == WOLFSSL_ERROR_WANT_WRITE)
		return TLS_AGAIN;
	if (e == WOLFSSL_ERROR_ZERO_RETURN) {
		c->closed = 1;
		return TLS_CLOSED;
	}
	c->failed = 1;
	v = wolfSSL_get_verify_result(c->ssl);
	for (size_t i = 0; i < sizeof(verify_errs) / sizeof(verify_errs[0]); i++) {
		if (verify_errs[i].wolf == e || verify_errs[i].wolf == v) {
			c->verify_res = verify_errs[i].x509;
			snprintf(c->err, sizeof(c->err), "%s", verify_errs[i].msg);
			return TLS_ERR;
		}
	}
	c->verify_res = v;
	if (e == FATAL_ERROR && wolfSSL_get_alert_history(c->ssl, &h) == WOLFSSL_SUCCESS && h.last_rx.code > 0)
		snprintf(c->err, sizeof(c->err), "peer sent alert: %s (%d)",
		         wolfSSL_alert_desc_string_long(h.last_rx.code), h.last_rx.code);
	else if (e == FATAL_ERROR && h.last_tx.code > 0)
		snprintf(c->err, sizeof(c->err), "sent alert: %s (%d)",
		         wolfSSL_alert_desc_string_long(h.last_tx.code), h.last_tx.code);
	else
		snprintf(c->err, sizeof(c->err), "%s (%d)", wolfSSL_ERR_reason_error_string((unsigned long)e), e);
	return TLS_ERR;
}

static void hs_finish(struct tls_conn *c)
{
	char *p = NULL;
	unsigned short n = 0;

	c->hs_done = 1;
	if (wolfSSL_ALPN_GetProtocol(c->ssl, &p, &n) == WOLFSSL_SUCCESS && p && n) {
		if (n >= sizeof(c->alpn))
			n = sizeof(c->alpn) - 1;
		memcpy(c->alpn, p, n);
		c->alpn[n] = 0;
	}
}

int tls_conn_handshake(struct tls_conn *c)
{
	int ret;

	if (c->failed)
		return TLS_ERR;
	if (c->hs_done)
		return 1;
	ret = wolfSSL_negotiate(c->ssl);
	if (ret == WOLFSSL_SUCCESS) {
		hs_finish(c);
		return 1;
	}
	ret = conn_fail(c, ret);
	return ret == TLS_CLOSED ? TLS_ERR : ret;
}

ssize_t tls_conn_read(struct tls_conn *c, void *plain, size_t cap)
{
	int ret;

	if (c->failed)
		return TLS_ERR;
	if (c->closed)
		return TLS_CLOSED;
	if (!c->hs_done && (ret = tls_conn_handshake(c)) != 1)
		return ret;
	if (!cap)   /* 0 is TLS_CLOSED: an empty read cannot return it */
		return TLS_AGAIN;
	if (cap > INT_MAX)
		cap = INT_MAX;
	ret = wolfSSL_read(c->ssl, plain, (int)cap);
	if (ret > 0)
		return ret;
	return conn_fail(c, ret);
}

size_t tls_conn_read_pending(struct tls_conn *c)
{
	int n = wolfSSL_pending(c->ssl);

	return n > 0 ? (size_t)n : 0;
}

ssize_t tls_conn_write(struct tls_conn *c, const void *plain, size_t n)
{
	const char *p = plain;
	size_t done = 0, room, chunk;
	int ret;

	if (c->failed)
		return TLS_ERR;
	if (!c->hs_done && (ret = tls_conn_handshake(c)) != 1)
		return ret;
	while (done < n) {
		chunk = n - done;
		if (chunk > TLS_REC_PLAIN)
			chunk = TLS_REC_PLAIN;
		room = c->out_cap - (c->out_len - c->out_off);
		if (room < chunk + TLS_REC_OVERHEAD)
			break;
		ret = wolfSSL_write(c->ssl, p + done, (int)chunk);
		if (ret <= 0) {
			ret = conn_fail(c, ret);
			if (ret == TLS_ERR)
				return TLS_ERR;
			break;
		}
		done += (size_t)ret;
	}
	return done ? (ssize_t)done : TLS_AGAIN;
}

int tls_conn_shutdown(struct tls_conn *c)
{
	int ret;

	if (c->failed)
		return TLS_ERR;
	ret = wolfSSL_shutdown(c->ssl);
	/* 0 (sent, peer's not seen yet) and SUCCESS both mean our alert is queued */
	if (ret == WOLFSSL_SUCCESS || ret == WOLFSSL_SHUTDOWN_NOT_DONE)
		return 0;
	return conn_fail(c, ret) == TLS_ERR ? TLS_ERR : 0;
}

size_t tls_conn_out_peek(struct tls_conn *c, const void **p)
{
	*p = c->out + c->out_off;
	return c->out_len - c->out_off;
}

void tls_conn_out_skip(struct tls_conn *c, size_t n)
{
	if (n > c->out_len - c->out_off)
		n = c->out_len - c->out_off;
	c->out_off += n;
	if (c->out_off < c->out_len)
		return;
	c->out_off = c->out_len = 0;
	if (c->out != c->out_inline) {
		free(c->out);
		c->out = c->out_inline;
		c->out_cap = TLS_OUTBUF;
	}
}

int tls_conn_handshake_done(const struct tls_conn *c)
{
	return c->hs_done;
}

int tls_conn_is_resumed(const struct tls_conn *c)
{
	return c->hs_done && wolfSSL_session_reused(c->ssl) ? 1 : 0;
}

int tls_conn_session_data(const struct tls_conn *c, enum tls_sess_field f, unsigned char *buf, size_t len)
{
	WOLFSSL_SESSION *sess;
	const unsigned char *id;
	unsigned int idlen = 0;
	size_t n = 0;
	int mine;

	if (!c->hs_done || !len)
		return -1;
	switch (f) {
	case TLS_SESS_ID:
		if (!(sess = wolfSSL_get_session(c->ssl)) || !(id = wolfSSL_SESSION_get_id(sess, &idlen)) ||
		    !idlen || idlen > len)
			return -1;
		memcpy(buf, id, idlen);
		return (int)idlen;
	case TLS_SESS_CLIENT_RANDOM:
		n = wolfSSL_get_client_random(c->ssl, buf, len);
		break;
	case TLS_SESS_SERVER_RANDOM:
		n = wolfSSL_get_server_random(c->ssl, buf, len);
		break;
	case TLS_SESS_KEY:
		if (!(sess = wolfSSL_get_session(c->ssl)))
			return -1;
		n = (size_t)wolfSSL_SESSION_get_master_key(sess, buf, (int)(len > INT_MAX ? INT_MAX : len));
		break;
	case TLS_SESS_UNIQUE_ID:
		/* RFC 5929's tls-unique: the first Finished message of the
		 * handshake: the client's on a full one, the server's on a
		 * resumed one */
		mine = c->ctx->is_server == wolfSSL_session_reused(c->ssl);
		n = mine ? wolfSSL_get_finished(c->ssl, buf, len) : wolfSSL_get_peer_finished(c->ssl, buf, len);
		break;
	}
	return n > 0 && n <= len ? (int)n : -1;
}

/* Returns the peer's certificate, a copy the caller frees with
 * wolfSSL_X509_free(), or NULL. (wolfSSL's session chain keeps only
 * certificates of a few KB; this copy has no such limit.) */
static WOLFSSL_X509 *peer_cert(const struct tls_conn *c)
{
	return c->hs_done ? wolfSSL_get_peer_certificate(c->ssl) : NULL;
}

int tls_conn_peer_has_cert(const struct tls_conn *c)
{
	WOLFSSL_X509_CHAIN *ch;
	WOLFSSL_X509 *x;

	if (!c->hs_done)
		return 0;
	if ((ch = wolfSSL_get_peer_chain(c->ssl)) && wolfSSL_get_chain_count(ch) > 0)
		return 1;
	if (!(x = peer_cert(c)))
		return 0;
	wolfSSL_X509_free(x);
	return 1;
}

/* <t>'s date as "YYMMDDhhmmssZ", HAProxy's form: a GeneralizedTime of
 * 1950..2049 loses its century. Returns the length, or -1. */
static int cert_time(const WOLFSSL_ASN1_TIME *t, char *buf, size_t len)
{
	const char *d;
	int n;

	if (!t || (n = t->length) <= 0 || n > (int)sizeof(t->data))
		return -1;
	d = (const char *)t->data;
	if (t->type == ASN_GENERALIZED_TIME) {
		if (n < 4 || (strncmp(d, "19", 2) && strncmp(d, "20", 2)))
			return -1;
		d += 2;
		n -= 2;
	}
	if ((size_t)n > len)
		return -1;
	memcpy(buf, d, (size_t)n);
	return n;
}

int tls_conn_cert(const struct tls_conn *c, int own, enum tls_cert_field f, char *buf, size_t len)
{
	int ilen = (int)(len > INT_MAX ? INT_MAX : len), n = -1;
	unsigned int dl = (unsigned int)ilen;
	const unsigned char *der;
	WOLFSSL_X509 *x;

	/* our certificate belongs to the session; the peer's is a copy */
	if (!len || !(x = own ? (c->hs_done ? wolfSSL_get_certificate(c->ssl) : NULL) : peer_cert(c)))
		return -1;
	switch (f) {
	case TLS_CERT_S_DN:
	case TLS_CERT_I_DN:
		if (wolfSSL_X509_NAME_oneline(f == TLS_CERT_S_DN ? wolfSSL_X509_get_subject_name(x)
		                                                 : wolfSSL_X509_get_issuer_name(x), buf, ilen))
			n = (int)strlen(buf);
		break;
	case TLS_CERT_SERIAL:
		if (wolfSSL_X509_get_serial_number(x, (unsigned char *)buf, &ilen) == WOLFSSL_SUCCESS)
			n = ilen;
		break;
	case TLS_CERT_SHA1:
		if (ilen >= 20 && wolfSSL_X509_digest(x, wolfSSL_EVP_sha1(), (unsigned char *)buf, &dl) == WOLFSSL_SUCCESS)
			n = (int)dl;
		break;
	case TLS_CERT_DER:
		if ((der = wolfSSL_X509_get_der(x, &n)) && n > 0 && n <= ilen)
			memcpy(buf, der, (size_t)n);
		else
			n = -1;
		break;
	case TLS_CERT_NOTBEFORE:
	case TLS_CERT_NOTAFTER:
		n = cert_time(f == TLS_CERT_NOTBEFORE ? wolfSSL_X509_get_notBefore(x) : wolfSSL_X509_get_notAfter(x),
		              buf, len);
		break;
	case TLS_CERT_VERSION:
		n = snprintf(buf, len, "%ld", wolfSSL_X509_get_version(x) + 1);
		break;
	}
	if (!own)
		wolfSSL_X509_free(x);
	return n;
}

const char *tls_conn_sni(const struct tls_conn *c)
{
	return c->sni[0] ? c->sni : NULL;
}

const char *tls_conn_alpn(const struct tls_conn *c)
{
	return c->alpn[0] ? c->alpn : NULL;
}

const char *tls_conn_protocol(const struct tls_conn *c)
{
	return c->hs_done ? wolfSSL_get_version(c->ssl) : NULL;
}

/* wolfSSL names TLS 1.3 suites its own way; OpenSSL (HAProxy's
 * ssl_fc_cipher) uses the IANA names. TLS <= 1.2 names are OpenSSL's already. */
static const char *const tls13_names[][2] = {
	{ "TLS13-AES128-GCM-SHA256",        "TLS_AES_128_GCM_SHA256" },
	{ "TLS13-AES256-GCM-SHA384",        "TLS_AES_256_GCM_SHA384" },
	{ "TLS13-CHACHA20-POLY1305-SHA256", "TLS_CHACHA20_POLY1305_SHA256" },
	{ "TLS13-AES128-CCM-SHA256",        "TLS_AES_128_CCM_SHA256" },
	{ "TLS13-AES128-CCM-8-SHA256",      "TLS_AES_128_CCM_8_SHA256" },
};

const char *tls_conn_cipher(const struct tls_conn *c)
{
	const char *n;

	if (!c->hs_done || !(n = wolfSSL_get_cipher(c->ssl)))
		return NULL;
	if (!strncmp(n, "TLS13-", 6))
		for (size_t i = 0; i < sizeof(tls13_names) / sizeof(tls13_names[0]); i++)
			if (!strcmp(n, tls13_names[i][0]))
				return tls13_names[i][1];
	return n;
}

int tls_conn_cipher_bits(const struct tls_conn *c)
{
	WOLFSSL_CIPHER *ci;

	if (!c->hs_done || !(ci = wolfSSL_get_current_cipher(c->ssl)))
		return 0;
	return wolfSSL_CIPHER_get_bits(ci, NULL);
}

const char *tls_conn_error(const struct tls_conn *c)
{
	return c->err;
}

long tls_conn_verify_result(const struct tls_conn *c)
{
	return c->verify_res;
}

void tls_thread_done(void)
{
#ifdef FP_ECC
	wc_ecc_fp_free();
#endif
}

const char *tls_version(void)
{
	return "wolfSSL " LIBWOLFSSL_VERSION_STRING
#ifdef WOLFSSL_TLS13
	       " (TLSv1.3"
#else
	       " (TLSv1.2"
#endif
#ifdef HAVE_SNI
	       ", SNI"
#endif
#ifdef HAVE_ALPN
	       ", ALPN"
#endif
#ifdef HAVE_SESSION_TICKET
	       ", session tickets"
#endif
#ifdef WOLFSSL_AESNI
	       ", AES-NI"
#endif
	       ")";
}

/* ---- message digests (wolfCrypt): converters and JWT signatures ---- */

static const struct {
	const char *name;           /* OpenSSL's name, as HAProxy's digest() takes it */
	enum wc_HashType type;
} tls_mds[TLS_MD_COUNT] = {
	[TLS_MD_MD5] = { "md5", WC_HASH_TYPE_MD5 },
	[TLS_MD_SHA1] = { "sha1", WC_HASH_TYPE_SHA },
	[TLS_MD_SHA224] = { "sha224", WC_HASH_TYPE_SHA224 },
	[TLS_MD_SHA256] = { "sha256", WC_HASH_TYPE_SHA256 },
	[TLS_MD_SHA384] = { "sha384", WC_HASH_TYPE_SHA384 },
	[TLS_MD_SHA512] = { "sha512", WC_HASH_TYPE_SHA512 },
	[TLS_MD_SHA512_224] = { "sha512-224", WC_HASH_TYPE_SHA512_224 },
	[TLS_MD_SHA512_256] = { "sha512-256", WC_HASH_TYPE_SHA512_256 },
	[TLS_MD_SHA3_224] = { "sha3-224", WC_HASH_TYPE_SHA3_224 },
	[TLS_MD_SHA3_256] = { "sha3-256", WC_HASH_TYPE_SHA3_256 },
	[TLS_MD_SHA3_384] = { "sha3-384", WC_HASH_TYPE_SHA3_384 },
	[TLS_MD_SHA3_512] = { "sha3-512", WC_HASH_TYPE_SHA3_512 },
};

int tls_md_find(const char *name)
{
	for (int i = 0; i < TLS_MD_COUNT; i++)
		if (!strcasecmp(name, tls_mds[i].name))
			return i;
	return -1;
}

size_t tls_md_len(enum tls_md md)
{
	int n = wc_HashGetDigestSize(tls_mds[md].type);

	return n > 0 ? (size_t)n : 0;
}

int tls_md_digest(enum tls_md md, const void *p, size_t n, uint8_t *out)
{
	if (n > UINT32_MAX)
		return -1;
	return wc_Hash(tls_mds[md].type, p, (word32)n, out, (word32)tls_md_len(md)) ? -1 : 0;
}

int tls_md_hmac(enum tls_md md, const void *key, size_t klen, const void *p, size_t n, uint8_t *out)
{
	static const uint8_t none;
	Hmac h;
	int ret;

	if (klen > UINT32_MAX || n > UINT32_MAX || wc_HmacInit(&h, NULL, INVALID_DEVID))
		return -1;
	/* wolfCrypt's HMAC types are its hash types */
	ret = wc_HmacSetKey(&h, (int)tls_mds[md].type, klen ? key : &none, (word32)klen) ||
	      wc_HmacUpdate(&h, p, (word32)n) || wc_HmacFinal(&h, out);
	wc_HmacFree(&h);
	return ret ? -1 : 0;
}

/* ---- public keys for signature checks (jwt_verify) ---- */

/* Keys loaded at configuration time, by file path; read-only afterwards. */
struct tls_pubkey {
	char *path;
	WOLFSSL_EVP_PKEY *pk;
	struct tls_pubkey *next;
};
static struct tls_pubkey *tls_pubkeys;

int tls_pubkey_load(const char *path, char *err, size_t errlen)
{
	struct tls_pubkey *k;
	WOLFSSL_BIO *b;
	WOLFSSL_X509 *x;
	WOLFSSL_EVP_PKEY *pk;

	for (k = tls_pubkeys; k; k = k->next)
		if (!strcmp(k->path, path))
			return 0;
	pthread_once(&tls_once, tls_global_init);
	if (!(b = wolfSSL_BIO_new_file(path, "r"))) {
		set_err(err, errlen, "cannot open '%s'", path);
		return -1;
	}
	/* a public key, else a certificate's */
	pk = wolfSSL_PEM_read_bio_PUBKEY(b, NULL, NULL, NULL);
	if (!pk && wolfSSL_BIO_reset(b) == 0 && (x = wolfSSL_PEM_read_bio_X509(b, NULL, NULL, NULL))) {
		pk = wolfSSL_X509_get_pubkey(x);
		wolfSSL_X509_free(x);
	}
	wolfSSL_BIO_free(b);
	if (!pk) {
		set_err(err, errlen, "no public key or certificate in '%s'", path);
		return -1;
	}
	if (!(k = calloc(1, sizeof(*k))) || !(k->path = strdup(path))) {
		free(k);
		wolfSSL_EVP_PKEY_free(pk);
		set_err(err, errlen, "out of memory");
		return -1;
	}
	k->pk = pk;
	k->next = tls_pubkeys;
	tls_pubkeys = k;
	return 0;
}

void tls_pubkeys_free(void)
{
	struct tls_pubkey *k;

	while ((k = tls_pubkeys)) {
		tls_pubkeys = k->next;
		wolfSSL_EVP_PKEY_free(k->pk);
		free(k->path);
		free(k);
	}
}

/* Writes the DER form (SEQUENCE of two INTEGERs) of the raw ECDSA
 * signature r || s of <n> bytes (JWS's form) to <out>, which holds <cap>
 * bytes. Returns its length, or 0 when it does not fit. */
static size_t ecdsa_raw_to_der(const uint8_t *rs, size_t n, uint8_t *out, size_t cap)
{
	size_t half = n / 2, len = 0, body = 0;
	const uint8_t *v[2] = { rs, rs + half };
	size_t vl[2] = { half, half };

	for (int i = 0; i < 2; i++) {
		while (vl[i] > 1 && !*v[i]) {   /* minimal: no leading zero bytes */
			v[i]++;
			vl[i]--;
		}
		body += 2 + vl[i] + (*v[i] & 0x80 ? 1 : 0);   /* a 0 keeps it positive */
	}
	if (body > 255 || body + 3 > cap)
		return 0;
	out[len++] = 0x30;
	if (body > 127)
		out[len++] = 0x81;
	out[len++] = (uint8_t)body;
	for (int i = 0; i < 2; i++) {
		int pad = *v[i] & 0x80 ? 1 : 0;

		out[len++] = 0x02;
		out[len++] = (uint8_t)(vl[i] + pad);
		if (pad)
			out[len++] = 0;
		memcpy(out + len, v[i], vl[i]);
		len += vl[i];
	}
	return len;
}

int tls_pubkey_verify(const char *path, size_t plen, enum tls_md md, const void *msg, size_t n,
                      const uint8_t *sig, size_t slen)
{
	const WOLFSSL_EVP_MD *evp = wolfSSL_EVP_get_digestbyname(tls_mds[md].name);
	WOLFSSL_EVP_MD_CTX *m;
	struct tls_pubkey *k;
	uint8_t der[160];
	int ok;

	for (k = tls_pubkeys; k; k = k->next)
		if (strlen(k->path) == plen && !memcmp(k->path, path, plen))
			break;
	if (!k)
		return -1;
	if (wolfSSL_EVP_PKEY_base_id(k->pk) == EVP_PKEY_EC &&
	    slen == 2 * (size_t)((wolfSSL_EVP_PKEY_bits(k->pk) + 7) / 8)) {
		/* JWS's r || s; a DER signature (early HAProxy 2.6 form) is never
		 * exactly that long */
		if (!(slen = ecdsa_raw_to_der(sig, slen, der, sizeof(der))))
			return 0;
		sig = der;
	}
	if (!evp || !(m = wolfSSL_EVP_MD_CTX_new()))
		return 0;
	ok = wolfSSL_EVP_DigestVerifyInit(m, NULL, evp, NULL, k->pk) == 1 &&
	     wolfSSL_EVP_DigestVerifyUpdate(m, msg, n) == 1 &&
	     wolfSSL_EVP_DigestVerifyFinal(m, sig, slen) == 1;
	wolfSSL_EVP_MD_CTX_free(m);
	return ok;
}
