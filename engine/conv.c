/* conv.c: the string and binary converters — case, trims, field/word,
 * bytes, concat/add_item, url coding, language, encodings (base64,
 * hex, be2dec/be2hex), hashes and digests (hash.c), regsub (regex/) — and
 * the variable converters (set-var, unset-var, strcmp). Integer, date and
 * address converters are in arith.c. Results go to smp_trash() or point
 * into the input. */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/sample.h"
#include "engine/stream.h"
#include "engine/vars.h"
#include "engine/hash.h"
#include "engine/http_cap.h"
#include "proto/tls.h"
#include "regex/rx.h"
#include "proto/fix.h"
#include "proto/mqtt.h"

/* Starts a result string in a scratch buffer. Returns the buffer or NULL. */
static char *out_begin(size_t *size)
{
	return smp_trash(size);
}

static void out_end(struct sample *smp, char *p, size_t len, size_t size, enum smp_type t)
{
	smp->type = t;
	smp->flags &= ~SMP_F_CONST;
	smp->u.str.ptr = p;
	smp->u.str.len = len;
	smp->u.str.size = size;
}

/* Reads a variable argument as a string sample. Returns 1 or 0. */
static int arg_var_str(const struct arg *a, const struct smp_ctx *ctx, struct sample *tmp)
{
	const struct var_ref *ref;

	if (a->type != ARGT_VAR)
		return 0;
	ref = a->u.ptr;
	if (!vars_get(vars_of(ctx->strm, ref->scope), ref, tmp))
		return 0;
	return sample_cast(tmp, SMP_T_STR);
}

/* --- case, length, trims --- */

static int cv_lower(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	if (!sample_make_rw(smp))
		return 0;
	for (size_t i = 0; i < smp->u.str.len; i++)
		smp->u.str.ptr[i] = tolower((unsigned char)smp->u.str.ptr[i]);
	return 1;
}

/* host_only / port_only: the host ("[v6]" kept whole) and the port of a
 * Host header value "host[:port]"; port_only is 0 without a port and, as
 * HAProxy's, reads the digits without checking them. */
static const char *host_port_sep(const struct sample *smp)
{
	const char *p = smp->u.str.ptr, *e = p + smp->u.str.len;

	if (p < e && *p == '[') {
		const char *rb = memchr(p, ']', (size_t)(e - p));

		return rb && rb + 1 < e && rb[1] == ':' ? rb + 1 : NULL;
	}
	while (e > p && e[-1] != ':')
		e--;
	return e > p ? e - 1 : NULL;
}

static int cv_host_only(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const char *sep = host_port_sep(smp);

	if (sep)
		smp->u.str.len = (size_t)(sep - smp->u.str.ptr);
	return 1;
}

static int cv_port_only(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const char *sep = host_port_sep(smp), *e = smp->u.str.ptr + smp->u.str.len;
	int64_t port = 0;

	for (const char *p = sep ? sep + 1 : e; p < e; p++)
		port = port * 10 + (*p - '0');
	smp_set_sint(smp, port);
	return 1;
}

/* capture-req(<id>) / capture-res(<id>): stores the string in capture
 * slot <id> of the frontend ("declare capture"), and passes it on. */
static int cv_capture(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	if (ctx->strm)
		http_cap_store(ctx->strm, *(const int *)ctx->priv, (int)args[0].u.sint, smp->u.str.ptr,
		               smp->u.str.len);
	return 1;
}
static const int cap_req = 0, cap_res = 1;

static int cv_upper(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	if (!sample_make_rw(smp))
		return 0;
	for (size_t i = 0; i < smp->u.str.len; i++)
		smp->u.str.ptr[i] = toupper((unsigned char)smp->u.str.ptr[i]);
	return 1;
}

static int cv_length(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	int64_t n = smp->u.str.len;

	smp_set_sint(smp, n);
	return 1;
}

static int cv_ltrim(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const char *set = args[0].u.str.ptr;
	size_t setn = args[0].u.str.len;

	while (smp->u.str.len && memchr(set, smp->u.str.ptr[0], setn)) {
		smp->u.str.ptr++;
		smp->u.str.len--;
		if (smp->u.str.size)
			smp->u.str.size--;
	}
	return 1;
}

static int cv_rtrim(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const char *set = args[0].u.str.ptr;
	size_t setn = args[0].u.str.len;

	while (smp->u.str.len && memchr(set, smp->u.str.ptr[smp->u.str.len - 1], setn))
		smp->u.str.len--;
	return 1;
}

/* --- base64, hex --- */

static const char b64tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Encodes <n> bytes of <in> into <out> of <size>. Returns the length or -1. */
static long b64_encode(const uint8_t *in, size_t n, char *out, size_t size)
{
	size_t o = 0;

	if ((n + 2) / 3 * 4 > size)
		return -1;
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;

		if (i + 1 < n) v |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < n) v |= in[i + 2];
		out[o++] = b64tab[(v >> 18) & 63];
		out[o++] = b64tab[(v >> 12) & 63];
		out[o++] = i + 1 < n ? b64tab[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < n ? b64tab[v & 63] : '=';
	}
	return (long)o;
}

static int b64val(char c)
{
	if (c >= 'A' && c <= 'Z') return c - 'A';
	if (c >= 'a' && c <= 'z') return c - 'a' + 26;
	if (c >= '0' && c <= '9') return c - '0' + 52;
	if (c == '+') return 62;
	if (c == '/') return 63;
	return -1;
}

/* Decodes standard padded base64 (length a multiple of 4, '=' only at the
 * end). Returns the decoded length or -1. <out> may not alias <in>. */
static long b64_decode(const char *in, size_t n, uint8_t *out, size_t size)
{
	size_t o = 0;

	if (n % 4)
		return -1;
	for (size_t i = 0; i < n; i += 4) {
		int v[4], pad = 0;

		for (int k = 0; k < 4; k++) {
			if (in[i + k] == '=' && i + 4 == n && k >= 2) {
				v[k] = 0;
				pad++;
			} else {
				if (pad)
					return -1;
				v[k] = b64val(in[i + k]);
				if (v[k] < 0)
					return -1;
			}
		}
		if (o + 3 - pad > size)
			return -1;
		uint32_t w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 | (uint32_t)v[3];
		out[o++] = w >> 16;
		if (pad < 2) out[o++] = (w >> 8) & 0xff;
		if (pad < 1) out[o++] = w & 0xff;
	}
	return (long)o;
}

static int cv_base64(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	size_t size;
	char *p = out_begin(&size);
	long n;

	if (!p || (n = b64_encode((uint8_t *)smp->u.str.ptr, smp->u.str.len, p, size)) < 0)
		return 0;
	out_end(smp, p, n, size, SMP_T_STR);
	return 1;
}

static int cv_b64dec(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	size_t size;
	char *p = out_begin(&size);
	long n;

	if (!p || (n = b64_decode(smp->u.str.ptr, smp->u.str.len, (uint8_t *)p, size)) < 0)
		return 0;
	out_end(smp, p, n, size, SMP_T_BIN);
	return 1;
}

static int cv_hex(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	static const char digits[] = "0123456789ABCDEF";
	size_t size;
	char *p = out_begin(&size);

	if (!p || smp->u.str.len * 2 > size)
		return 0;
	for (size_t i = 0; i < smp->u.str.len; i++) {
		uint8_t c = smp->u.str.ptr[i];

		p[2 * i] = digits[c >> 4];
		p[2 * i + 1] = digits[c & 15];
	}
	out_end(smp, p, smp->u.str.len * 2, size, SMP_T_STR);
	return 1;
}

static int hexdig(char c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

static int cv_hex2i(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	uint64_t v = 0;

	for (size_t i = 0; i < smp->u.str.len; i++) {
		int d = hexdig(smp->u.str.ptr[i]);

		if (d < 0)
			return 0;
		v = (v << 4) | (unsigned)d;
	}
	smp_set_sint(smp, (int64_t)v);
	return 1;
}

/* be2dec(separator,chunk_size[,truncate]): big-endian chunks of the input
 * printed as unsigned decimals joined by <separator>. */
static int cv_be2dec(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const uint8_t *in = (const uint8_t *)smp->u.str.ptr;
	size_t n = smp->u.str.len, chunk = (size_t)args[1].u.sint, size, o = 0;
	int trunc = args[2].type == ARGT_SINT && args[2].u.sint;
	char *p = out_begin(&size);

	if (!p)
		return 0;
	for (size_t i = 0; i < n; i += chunk) {
		uint64_t v = 0;
		size_t k;
		int w;

		if (n - i < chunk && trunc)
			break;
		for (k = i; k < i + chunk && k < n; k++)
			v = (v << 8) | in[k];
		if (o && args[0].u.str.len) {
			if (o + args[0].u.str.len >= size)
				return 0;
			memcpy(p + o, args[0].u.str.ptr, args[0].u.str.len);
			o += args[0].u.str.len;
		}
		w = snprintf(p + o, size - o, "%llu", (unsigned long long)v);
		if (w < 0 || (size_t)w >= size - o)
			return 0;
		o += w;
	}
	out_end(smp, p, o, size, SMP_T_STR);
	return 1;
}

static int chk_be2dec(struct arg *args, char *err, size_t errlen)
{
	if (args[1].u.sint <= 0 || args[1].u.sint > 8) {
		snprintf(err, errlen, "chunk_size out of [1..8] range (%lld)", (long long)args[1].u.sint);
		return -1;
	}
	if (args[2].type == ARGT_SINT && args[2].u.sint != 0 && args[2].u.sint != 1) {
		snprintf(err, errlen, "Unsupported truncate value (%lld)", (long long)args[2].u.sint);
		return -1;
	}
	return 0;
}

/* be2hex([separator[,chunk_size[,truncate]]]): hexadecimal dump of the
 * input, in chunks of <chunk_size> bytes joined by <separator>. */
static int cv_be2hex(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	static const char digits[] = "0123456789ABCDEF";
	const uint8_t *in = (const uint8_t *)smp->u.str.ptr;
	size_t n = smp->u.str.len, size, o = 0, ptr = 0, last;
	size_t chunk = args[1].type == ARGT_SINT ? (size_t)args[1].u.sint : 0;
	int trunc = args[2].type == ARGT_SINT && args[2].u.sint;
	const char *sep = args[0].type == ARGT_STR ? args[0].u.str.ptr : "";
	size_t seplen = args[0].type == ARGT_STR ? args[0].u.str.len : 0;
	char *p = out_begin(&size);

	if (!p)
		return 0;
	if (!seplen && !trunc)
		chunk = n;
	last = trunc ? (n + 1 > chunk ? n + 1 - chunk : 0) : n;
	while (ptr < last) {
		if (ptr) {
			if (o + seplen >= size)
				return 0;
			memcpy(p + o, sep, seplen);
			o += seplen;
		}
		for (size_t i = 0; i < chunk && ptr < n; i++) {
			if (o + 2 >= size)
				return 0;
			p[o++] = digits[in[ptr] >> 4];
			p[o++] = digits[in[ptr++] & 15];
		}
	}
	out_end(smp, p, o, size, SMP_T_STR);
	return 1;
}

static int chk_be2hex(struct arg *args, char *err, size_t errlen)
{
	int64_t chunk = args[1].type == ARGT_SINT ? args[1].u.sint : 0;
	int64_t trunc = args[2].type == ARGT_SINT ? args[2].u.sint : 0;

	if (chunk <= 0 && ((args[0].type == ARGT_STR && args[0].u.str.len) || trunc)) {
		snprintf(err, errlen, "chunk_size needs to be positive (%lld)", (long long)chunk);
		return -1;
	}
	if (trunc != 0 && trunc != 1) {
		snprintf(err, errlen, "Unsupported truncate value (%lld)", (long long)trunc);
		return -1;
	}
	return 0;
}

/* ub64enc / ub64dec: base64url (RFC 4648 section 5) without padding. */
static int cv_ub64enc(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	size_t size;
	char *p = out_begin(&size);
	long n;

	if (!p || (n = b64_encode((uint8_t *)smp->u.str.ptr, smp->u.str.len, p, size)) < 0)
		return 0;
	while (n && p[n - 1] == '=')
		n--;
	for (long i = 0; i < n; i++) {
		if (p[i] == '+')
			p[i] = '-';
		else if (p[i] == '/')
			p[i] = '_';
	}
	out_end(smp, p, n, size, SMP_T_STR);
	return 1;
}

/* base64url decoding as HAProxy 2.6 does it: no padding needed (a length
 * of 4n+1 is invalid), '-' and '_' for 62 and 63, and '=' read as 63 too
 * (its decoding table says so). */
static int ub64val(char c)
{
	if (c == '-')
		return 62;
	if (c == '_' || c == '=')
		return 63;
	if (c == '+' || c == '/')
		return -1;
	return b64val(c);
}

static int cv_ub64dec(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const char *in = smp->u.str.ptr;
	size_t n = smp->u.str.len, size, o = 0;
	uint8_t *p = (uint8_t *)out_begin(&size);

	if (!p || n % 4 == 1 || n / 4 * 3 + 3 > size)
		return 0;
	for (size_t i = 0; i < n; i += 4) {
		uint32_t w = 0;
		size_t k, got = n - i < 4 ? n - i : 4;

		for (k = 0; k < 4; k++) {
			int v = k < got ? ub64val(in[i + k]) : 0;

			if (v < 0)
				return 0;
			w = w << 6 | (uint32_t)v;
		}
		p[o++] = w >> 16;
		if (got > 2)
			p[o++] = (w >> 8) & 0xff;
		if (got > 3)
			p[o++] = w & 0xff;
	}
	out_end(smp, (char *)p, o, size, SMP_T_BIN);
	return 1;
}

static int cv_cut_crlf(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	size_t l;

	for (l = 0; l < smp->u.str.len; l++)
		if (smp->u.str.ptr[l] == '\r' || smp->u.str.ptr[l] == '\n')
			break;
	smp->u.str.len = l;
	return 1;
}

/* htonl: the low 32 bits of the integer as 4 big-endian bytes. */
static int cv_htonl(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	uint32_t v = (uint32_t)smp->u.sint;
	size_t size;
	char *p = out_begin(&size);

	if (!p)
		return 0;
	p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v;
	out_end(smp, p, 4, size, SMP_T_BIN);
	return 1;
}

/* iif(true,false): one of two strings by the boolean input. */
static int cv_iif(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const struct arg *a = smp->u.sint ? &args[0] : &args[1];

	smp_set_const_str(smp, a->u.str.ptr, a->u.str.len);
	return 1;
}

/* --- hashes --- */

static int hash_out(struct sample *smp, uint32_t h, const struct arg *args)
{
	if (args[0].type == ARGT_SINT && args[0].u.sint)
		h = hash_avalanche(h);
	smp_set_sint(smp, h);
	return 1;
}

static int cv_djb2(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	return hash_out(smp, hash_djb2(smp->u.str.ptr, smp->u.str.len), args);
}

static int cv_sdbm(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	return hash_out(smp, hash_sdbm(smp->u.str.ptr, smp->u.str.len), args);
}

static int cv_wt6(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	return hash_out(smp, hash_wt6(smp->u.str.ptr, smp->u.str.len), args);
}

static int cv_crc32(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	return hash_out(smp, hash_crc32(smp->u.str.ptr, smp->u.str.len), args);
}

static int cv_crc32c(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	return hash_out(smp, hash_crc32c(smp->u.str.ptr, smp->u.str.len), args);
}

static int cv_xxh32(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	uint32_t seed = args[0].type == ARGT_SINT ? (uint32_t)args[0].u.sint : 0;

	smp_set_sint(smp, hash_xxh32(smp->u.str.ptr, smp->u.str.len, seed));
	return 1;
}

static int cv_xxh64(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	uint64_t seed = args[0].type == ARGT_SINT ? (uint64_t)args[0].u.sint : 0;

	smp_set_sint(smp, (int64_t)hash_xxh64(smp->u.str.ptr, smp->u.str.len, seed));
	return 1;
}

static int digest_out(struct sample *smp, enum tls_md md)
{
	size_t size;
	char *p = out_begin(&size);

	if (!p || size < TLS_MD_MAX_LEN || tls_md_digest(md, smp->u.str.ptr, smp->u.str.len, (uint8_t *)p) < 0)
		return 0;
	out_end(smp, p, tls_md_len(md), size, SMP_T_BIN);
	return 1;
}

static int cv_sha1(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	return digest_out(smp, TLS_MD_SHA1);
}

static int cv_sha2(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	int64_t bits = args[0].type == ARGT_SINT && args[0].u.sint ? args[0].u.sint : 256;

	switch (bits) {
	case 224: return digest_out(smp, TLS_MD_SHA224);
	case 256: return digest_out(smp, TLS_MD_SHA256);
	case 384: return digest_out(smp, TLS_MD_SHA384);
	case 512: return digest_out(smp, TLS_MD_SHA512);
	default:  return 0;
	}
}

static int chk_sha2(struct arg *args, char *err, size_t errlen)
{
	if (args[0].type == ARGT_SINT) {
		int64_t b = args[0].u.sint;

		if (b != 224 && b != 256 && b != 384 && b != 512) {
			snprintf(err, errlen, "Unsupported number of bits: '%lld'", (long long)b);
			return -1;
		}
	}
	return 0;
}

/* hmac(algo,key): <key> is a variable holding the base64 key, or the key
 * itself in base64 (decoded at configuration time by chk_hmac). */
static int cv_hmac(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	enum tls_md md = (enum tls_md)args[0].u.sint;
	const uint8_t *key;
	size_t klen, size;
	uint8_t kbuf[1024];
	char *p;

	if (args[1].type == ARGT_VAR) {
		struct sample k;
		long n;

		if (!arg_var_str(&args[1], ctx, &k))
			return 0;
		n = b64_decode(k.u.str.ptr, k.u.str.len, kbuf, sizeof(kbuf));
		if (n < 0)
			return 0;
		key = kbuf;
		klen = n;
	} else {
		key = (const uint8_t *)args[1].u.str.ptr;
		klen = args[1].u.str.len;
	}
	p = out_begin(&size);
	if (!p || size < TLS_MD_MAX_LEN ||
	    tls_md_hmac(md, key, klen, smp->u.str.ptr, smp->u.str.len, (uint8_t *)p) < 0)
		return 0;
	out_end(smp, p, tls_md_len(md), size, SMP_T_BIN);
	return 1;
}

static int chk_hmac(struct arg *args, char *err, size_t errlen)
{
	int alg = tls_md_find(args[0].u.str.ptr);
	char tmp[512];

	if (alg < 0) {
		snprintf(err, errlen, "algorithm must be a valid OpenSSL message digest name.");
		return -1;
	}
	free(args[0].u.str.ptr);
	args[0].type = ARGT_SINT;
	args[0].u.sint = alg;

	/* the key: a variable name, else base64 decoded now */
	if (sample_check_var(&args[1], tmp, sizeof(tmp)) == 0)
		return 0;
	{
		size_t n = args[1].u.str.len;
		uint8_t *dec = malloc(n + 1);
		long dn;

		if (!dec) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		dn = b64_decode(args[1].u.str.ptr, n, dec, n + 1);
		if (dn < 0) {
			free(dec);
			snprintf(err, errlen, "failed to parse key : invalid base64 encoding '%s'", args[1].u.str.ptr);
			return -1;
		}
		free(args[1].u.str.ptr);
		args[1].u.str.ptr = (char *)dec;
		args[1].u.str.len = dn;
	}
	return 0;
}

/* digest(algo): the message digest named <algo> (md5, sha1, sha256,
 * sha3-256...). */
static int cv_digest(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	return digest_out(smp, (enum tls_md)args[0].u.sint);
}

static int chk_digest(struct arg *args, char *err, size_t errlen)
{
	int alg = tls_md_find(args[0].u.str.ptr);

	if (alg < 0) {
		snprintf(err, errlen, "algorithm must be a valid OpenSSL message digest name.");
		return -1;
	}
	free(args[0].u.str.ptr);
	args[0].type = ARGT_SINT;
	args[0].u.sint = alg;
	return 0;
}

/* --- regsub --- */

/* regsub(regex,subst[,flags]): the input with the first match of <regex>
 * (every match with flag "g") replaced by <subst>, where \1..\9 insert
 * groups. chk_regsub compiles the regex into args[0] (ARGT_REG) and keeps
 * the "g" flag in args[2] (ARGT_SINT). */
static int cv_regsub(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	size_t size;
	char *p = out_begin(&size);
	int n, global = args[2].type == ARGT_SINT && args[2].u.sint;

	if (!p || args[0].type != ARGT_REG)
		return 0;
	n = rx_regsub(args[0].u.ptr, smp->u.str.ptr, smp->u.str.len, args[1].u.str.ptr, args[1].u.str.len,
	              global, p, size);
	if (n < 0)
		return 0;
	out_end(smp, p, n, size, SMP_T_STR);
	return 1;
}

static int chk_regsub(struct arg *args, char *err, size_t errlen)
{
	unsigned flags = RX_NEED_GROUPS;
	int global = 0;
	char rerr[256];
	struct rx *r;

	if (args[2].type == ARGT_STR) {
		for (size_t i = 0; i < args[2].u.str.len; i++) {
			char c = args[2].u.str.ptr[i];

			if (c == 'i')
				flags |= RX_ICASE;
			else if (c == 'g')
				global = 1;
			else {
				snprintf(err, errlen, "invalid regex flag '%c', only 'i' and 'g' are supported", c);
				return -1;
			}
		}
		free(args[2].u.str.ptr);
		args[2].type = ARGT_SINT;
		args[2].u.sint = global;
	}
	if (args[0].type != ARGT_STR || !args[0].u.str.len) {
		snprintf(err, errlen, "missing regex");
		return -1;
	}
	r = rx_compile(args[0].u.str.ptr, args[0].u.str.len, flags, rerr, sizeof(rerr));
	if (!r) {
		snprintf(err, errlen, "error in regex '%s' : %s", args[0].u.str.ptr, rerr);
		return -1;
	}
	free(args[0].u.str.ptr);
	args[0].type = ARGT_REG;
	args[0].u.ptr = r;
	return 0;
}

/* --- FIX messages (proto/fix.c) --- */

/* fix_is_valid: whether the input starts with a complete, well-formed FIX
 * message. A message still incomplete is "not found, may change" (an
 * inspect-delay waits); a definitive answer clears the fetch's
 * MAY_CHANGE. */
static int cv_fix_is_valid(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	int r = fix_validate(smp->u.str.ptr, smp->u.str.len);

	smp->flags &= ~SMP_F_MAY_CHANGE;
	if (r == FIX_AGAIN) {
		smp->flags |= SMP_F_MAY_CHANGE;
		return 0;
	}
	smp_set_bool(smp, r == FIX_VALID);
	return 1;
}

/* fix_tag_value(tag): the value of a tag (a number or a known name). */
static int cv_fix_tag_value(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const char *v;
	size_t vl;
	int r = fix_tag_value(smp->u.str.ptr, smp->u.str.len, (unsigned)args[0].u.sint, &v, &vl);

	smp->flags &= ~SMP_F_MAY_CHANGE;
	if (r == FIX_TAG_AGAIN || (r == 1 && !vl)) {
		smp->flags |= SMP_F_MAY_CHANGE;   /* as HAProxy, also for an empty value */
		return 0;
	}
	if (r != 1)
		return 0;
	smp->flags |= SMP_F_CONST;
	smp->u.str.ptr = (char *)v;
	smp->u.str.len = vl;
	smp->u.str.size = 0;
	return 1;
}

static int chk_fix_tag(struct arg *args, char *err, size_t errlen)
{
	unsigned id = fix_tag_id(args[0].u.str.ptr, args[0].u.str.len);

	if (!id) {
		snprintf(err, errlen, "Unknown FIX tag name '%s'", args[0].u.str.ptr);
		return -1;
	}
	free(args[0].u.str.ptr);
	args[0].type = ARGT_SINT;
	args[0].u.sint = id;
	return 0;
}

/* --- debug --- */

/* debug([prefix][,sink]): passes the sample on unchanged and writes
 * "[debug] <prefix>: type=<t> <printable value>" to the sink: "stdout" or
 * "stderr" (one write per call). HAProxy's default "buf0" is an
 * in-memory ring read from its CLI, which ringproxy does not have: lines
 * sent there are dropped. chk_debug keeps the file descriptor in args[1]
 * (-1 for buf0). */
static int cv_debug(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	static const char *const tname[SMP_TYPES] = { "any", "bool", "sint", "ipv4", "ipv6", "str", "bin", "meth", "addr" };
	int fd = (int)args[1].u.sint;
	struct sample tmp = *smp;
	size_t size, o;
	char *p;
	int n;

	if (fd < 0 || !(p = out_begin(&size)))
		return 1;
	n = snprintf(p, size, "[debug] %s: type=%s ", args[0].type == ARGT_STR ? args[0].u.str.ptr : "",
	             (unsigned)smp->type < SMP_TYPES ? tname[smp->type] : "?");
	o = n > 0 && (size_t)n < size ? (size_t)n : 0;
	tmp.flags |= SMP_F_CONST;
	if (sample_cast(&tmp, SMP_T_STR)) {
		p[o++] = '<';
		for (size_t i = 0; i < tmp.u.str.len && o + 3 < size; i++)
			p[o++] = isprint((unsigned char)tmp.u.str.ptr[i]) ? tmp.u.str.ptr[i] : '.';
		p[o++] = '>';
	} else {
		n = snprintf(p + o, size - o, "(undisplayable)");
		o += n > 0 ? (size_t)n : 0;
	}
	p[o++] = '\n';
	if (write(fd, p, o) < 0) {
		/* a debugging aid: a failed write changes nothing */
	}
	return 1;
}

static int chk_debug(struct arg *args, char *err, size_t errlen)
{
	const char *sink = args[1].type == ARGT_STR ? args[1].u.str.ptr : "buf0";
	int fd;

	if (!strcmp(sink, "buf0"))
		fd = -1;
	else if (!strcmp(sink, "stdout"))
		fd = 1;
	else if (!strcmp(sink, "stderr"))
		fd = 2;
	else {
		snprintf(err, errlen, "No such sink '%s'", sink);
		return -1;
	}
	if (args[1].type == ARGT_STR)
		free(args[1].u.str.ptr);
	args[1].type = ARGT_SINT;
	args[1].u.sint = fd;
	return 0;
}

/* --- MQTT packets (proto/mqtt.c) --- */

/* mqtt_is_valid: whether the input starts with a complete, well-formed
 * CONNECT or CONNACK packet (other types: false, as HAProxy). */
static int cv_mqtt_is_valid(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	int r = mqtt_validate((const uint8_t *)smp->u.str.ptr, smp->u.str.len);

	smp->flags &= ~SMP_F_MAY_CHANGE;
	if (r == MQTT_AGAIN) {
		smp->flags |= SMP_F_MAY_CHANGE;
		return 0;
	}
	smp_set_bool(smp, r == MQTT_VALID);
	return 1;
}

/* mqtt_field_value(type,field): a field of the first packet, as a string
 * (numbers in decimal). */
static int cv_mqtt_field_value(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const uint8_t *v;
	size_t vl, size;
	uint32_t num;
	int is_num, r;
	char *p;

	r = mqtt_field((const uint8_t *)smp->u.str.ptr, smp->u.str.len, (int)args[0].u.sint,
	               (int)args[1].u.sint, &v, &vl, &num, &is_num);
	smp->flags &= ~SMP_F_MAY_CHANGE;
	if (r == MQTT_FIELD_AGAIN) {
		smp->flags |= SMP_F_MAY_CHANGE;
		return 0;
	}
	if (r != 1)
		return 0;
	if (is_num) {
		p = out_begin(&size);
		if (!p)
			return 0;
		out_end(smp, p, (size_t)snprintf(p, size, "%u", num), size, SMP_T_STR);
		return 1;
	}
	smp->type = SMP_T_STR;
	smp->flags |= SMP_F_CONST;
	smp->u.str.ptr = (char *)v;
	smp->u.str.len = vl;
	smp->u.str.size = 0;
	return 1;
}

static int chk_mqtt_field(struct arg *args, char *err, size_t errlen)
{
	int type = mqtt_type_id(args[0].u.str.ptr, args[0].u.str.len), field;

	if (!type) {
		snprintf(err, errlen, "Unknown MQTT type '%s'", args[0].u.str.ptr);
		return -1;
	}
	field = mqtt_field_id(type, args[1].u.str.ptr, args[1].u.str.len);
	if (!field) {
		snprintf(err, errlen, "Unknown MQTT field name '%s' for packet type '%s'",
		         args[1].u.str.ptr, args[0].u.str.ptr);
		return -1;
	}
	free(args[0].u.str.ptr);
	free(args[1].u.str.ptr);
	args[0].type = args[1].type = ARGT_SINT;
	args[0].u.sint = type;
	args[1].u.sint = field;
	return 0;
}

/* --- bytes, field, word --- */

static int cv_bytes(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	uint64_t off = (uint64_t)args[0].u.sint;

	if (smp->u.str.len <= off) {
		smp->u.str.len = 0;
		return 1;
	}
	smp->u.str.ptr += off;
	smp->u.str.len -= off;
	if (smp->u.str.size)
		smp->u.str.size -= off;
	if (args[1].type == ARGT_SINT && (uint64_t)args[1].u.sint < smp->u.str.len)
		smp->u.str.len = args[1].u.sint;
	return 1;
}

static int is_delim(const struct arg *d, char c)
{
	return memchr(d->u.str.ptr, c, d->u.str.len) != NULL;
}

/* Narrows <smp> to [start, end). */
static void smp_narrow(struct sample *smp, size_t start, size_t end)
{
	smp->u.str.ptr += start;
	if (smp->u.str.size)
		smp->u.str.size -= start;
	smp->u.str.len = end - start;
}

/* field(idx,delims[,count]): fields idx..idx+count-1 (count 0 = to the
 * end; negative idx counts from the right and extends leftwards). A field
 * that does not exist is "not found". */
static int cv_field(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	int64_t idx = args[0].u.sint, count = args[2].type == ARGT_SINT ? args[2].u.sint : 1;
	const char *s = smp->u.str.ptr;
	size_t len = smp->u.str.len, start, end, i;
	int64_t f;

	if (!idx)
		return 0;
	if (idx > 0) {
		for (f = 1, i = 0, start = 0; f < idx; i++) {
			if (i >= len)
				return 0;
			if (is_delim(&args[1], s[i])) {
				f++;
				start = i + 1;
			}
		}
		end = len;
		if (count) {
			for (i = start; i < len; i++) {
				if (is_delim(&args[1], s[i]) && --count == 0) {
					end = i;
					break;
				}
			}
		}
	} else {
		for (f = -1, i = len, end = len; f > idx; i--) {
			if (i == 0)
				return 0;
			if (is_delim(&args[1], s[i - 1])) {
				f--;
				end = i - 1;
			}
		}
		start = 0;
		if (count) {
			for (i = end; i > 0; i--) {
				if (is_delim(&args[1], s[i - 1]) && --count == 0) {
					start = i;
					break;
				}
			}
		}
	}
	smp_narrow(smp, start, end);
	return 1;
}

/* word(idx,delims[,count]): as field() but runs of delimiters count as one
 * and leading/trailing ones are ignored; a missing word gives "". */
static int cv_word(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	int64_t idx = args[0].u.sint, count = args[2].type == ARGT_SINT ? args[2].u.sint : 1;
	const char *s = smp->u.str.ptr;
	size_t len = smp->u.str.len, i, start = 0, end = 0;
	int64_t w = 0;
	int inword = 0;

	if (!idx)
		return 0;
	if (idx > 0) {
		for (i = 0; i < len; i++) {
			int sep = is_delim(&args[1], s[i]);

			if (!inword && !sep) {
				if (w != idx) {
					w++;
					start = i;
				}
				inword = 1;
			} else if (inword && sep) {
				if (w == idx && count == 1) {
					end = i;
					goto found;
				}
				if (w == idx && count > 1)
					count--;
				inword = 0;
			}
		}
		end = len;
	} else {
		start = end = len;
		for (i = len; i > 0; i--) {
			int sep = is_delim(&args[1], s[i - 1]);

			if (!inword && !sep) {
				if (w != idx) {
					w--;
					end = i;
				}
				inword = 1;
			} else if (inword && sep) {
				if (w == idx && count == 1) {
					start = i;
					goto found;
				}
				if (w == idx && count > 1)
					count--;
				inword = 0;
			}
		}
		start = 0;
	}
	if (w != idx) {
		smp->u.str.len = 0;
		return 1;
	}
 found:
	smp_narrow(smp, start, end);
	return 1;
}

static int chk_field(struct arg *args, char *err, size_t errlen)
{
	if (args[0].type != ARGT_SINT || args[1].type != ARGT_STR) {
		snprintf(err, errlen, "Unexpected arg type");
		return -1;
	}
	if (!args[0].u.sint) {
		snprintf(err, errlen, "Unexpected value 0 for index");
		return -1;
	}
	if (!args[1].u.str.len) {
		snprintf(err, errlen, "Empty separators list");
		return -1;
	}
	return 0;
}

/* --- url coding, language --- */

static int cv_url_dec(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	int in_form = args[0].type == ARGT_SINT && args[0].u.sint;
	const char *s = smp->u.str.ptr;
	size_t n = smp->u.str.len, size, o = 0;
	char *p = out_begin(&size);

	if (!p || n >= size)
		return 0;
	for (size_t i = 0; i < n && s[i]; i++) {
		char c = s[i];

		if (c == '+') {
			p[o++] = in_form ? ' ' : '+';
		} else if (c == '%') {
			int h, l;

			if (i + 2 >= n || (h = hexdig(s[i + 1])) < 0 || (l = hexdig(s[i + 2])) < 0)
				return 0;
			p[o++] = (char)(h << 4 | l);
			i += 2;
		} else {
			if (c == '?')
				in_form = 1;
			p[o++] = c;
		}
	}
	out_end(smp, p, o, size, SMP_T_STR);
	return 1;
}

static int cv_url_enc(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	static const char digits[] = "0123456789ABCDEF";
	size_t size, o = 0;
	char *p = out_begin(&size);

	if (!p)
		return 0;
	for (size_t i = 0; i < smp->u.str.len; i++) {
		unsigned char c = smp->u.str.ptr[i];

		if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
			if (o + 1 >= size)
				return 0;
			p[o++] = c;
		} else {
			if (o + 3 >= size)
				return 0;
			p[o++] = '%';
			p[o++] = digits[c >> 4];
			p[o++] = digits[c & 15];
		}
	}
	out_end(smp, p, o, size, SMP_T_STR);
	return 1;
}

static int chk_url_enc(struct arg *args, char *err, size_t errlen)
{
	if (args[0].type == ARGT_STR && args[0].u.str.len && strcmp(args[0].u.str.ptr, "query")) {
		snprintf(err, errlen, "Unexpected encode type. Allowed value is 'query'");
		return -1;
	}
	return 0;
}

/* Returns 1 if language range <r>/<rn> matches tag <t>/<tn>: equal, or
 * <t> is a prefix of <r> followed by '-' in <r>. */
static int lang_match(const char *r, size_t rn, const char *t, size_t tn)
{
	size_t i;

	for (i = 0; i < rn; i++) {
		if (r[i] == '-' && i == tn)
			return 1;
		if (i == tn || r[i] != t[i])
			return 0;
	}
	return i == tn;
}

static int parse_q(const char *s, const char *end, const char **next)
{
	int q = 1000;

	if (s < end && isdigit((unsigned char)*s)) {
		q = (*s++ - '0') * 1000;
		if (s < end && *s == '.') {
			s++;
			for (int m = 100; m && s < end && isdigit((unsigned char)*s); m /= 10)
				q += (*s++ - '0') * m;
		}
	}
	*next = s;
	return q > 1000 ? 1000 : q;
}

/* language(list[,default]): of the languages in <list> (";"-separated),
 * the one the Accept-Language input prefers (highest q, first wins). */
static int cv_language(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const char *al = smp->u.str.ptr, *end = al + smp->u.str.len;
	const char *best = NULL;
	size_t best_len = 0;
	int best_q = 0;

	while (al < end) {
		const char *tok, *w = NULL, *str;
		size_t toklen;
		int q = 1000, matched = 0;

		while (al < end && isspace((unsigned char)*al))
			al++;
		if (al >= end)
			break;
		tok = al;
		while (al < end && *al != ';' && *al != ',' && !isspace((unsigned char)*al))
			al++;
		toklen = al - tok;
		if (toklen) {
			for (str = w = args[0].u.str.ptr; ; str++) {
				if (*str == ';' || !*str) {
					if (lang_match(tok, toklen, w, str - w)) {
						matched = 1;
						break;
					}
					if (!*str)
						break;
					w = str + 1;
				}
			}
		}
		if (matched) {
			while (al < end && isspace((unsigned char)*al))
				al++;
			if (al < end && *al == ';') {
				al++;
				while (al < end && isspace((unsigned char)*al))
					al++;
				if (al < end && *al == 'q') {
					al++;
					while (al < end && isspace((unsigned char)*al))
						al++;
					if (al < end && *al == '=') {
						al++;
						while (al < end && isspace((unsigned char)*al))
							al++;
						q = parse_q(al, end, &al);
					}
				}
			}
			if (q > best_q) {
				best = w;
				best_len = str - w;
				best_q = q;
				if (q >= 1000)
					break;
			}
		}
		while (al < end && *al != ',')
			al++;
		if (al < end)
			al++;
	}
	if (!best_len && args[1].type == ARGT_STR) {
		best = args[1].u.str.ptr;
		best_len = args[1].u.str.len;
	}
	if (!best_len)
		return 0;
	smp_set_const_str(smp, best, best_len);
	return 1;
}

/* --- strings from variables --- */

static int cv_concat(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	size_t size, o;
	char *p = out_begin(&size);
	struct sample v;

#define APPEND(ptr, n) do { size_t _n = (n); if (_n > size - 1 - o) _n = size - 1 - o; \
	memcpy(p + o, (ptr), _n); o += _n; } while (0)
	if (!p)
		return 0;
	o = 0;
	APPEND(smp->u.str.ptr, smp->u.str.len);
	if (args[0].type == ARGT_STR)
		APPEND(args[0].u.str.ptr, args[0].u.str.len);
	if (args[1].type == ARGT_VAR && arg_var_str(&args[1], ctx, &v))
		APPEND(v.u.str.ptr, v.u.str.len);
	if (args[2].type == ARGT_STR)
		APPEND(args[2].u.str.ptr, args[2].u.str.len);
#undef APPEND
	p[o] = 0;
	out_end(smp, p, o, size, SMP_T_STR);
	return 1;
}

static int chk_concat(struct arg *args, char *err, size_t errlen)
{
	char tmp[512];
	struct arg a1 = args[1];

	if (args[1].type == ARGT_STR && args[1].u.str.len) {
		if (sample_check_var(&a1, tmp, sizeof(tmp)) < 0) {
			snprintf(err, errlen, "failed to register variable name '%s'", args[1].u.str.ptr);
			return -1;
		}
		args[1] = a1;
	}
	return 0;
}

/* add_item(delim,[var][,suffix]): appends the variable and/or suffix to
 * the input, with <delim> first when the input is not empty. */
static int cv_add_item(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	size_t size, o = 0;
	char *p = out_begin(&size);
	struct sample v;
	int have_var;

#define APPEND(ptr, n) do { size_t _n = (n); if (_n > size - 1 - o) _n = size - 1 - o; \
	memcpy(p + o, (ptr), _n); o += _n; } while (0)
	if (!p)
		return 0;
	have_var = args[1].type == ARGT_VAR && arg_var_str(&args[1], ctx, &v);
	APPEND(smp->u.str.ptr, smp->u.str.len);
	if (smp->u.str.len && ((have_var && v.u.str.len) || (args[2].type == ARGT_STR && args[2].u.str.len)))
		APPEND(args[0].u.str.ptr, args[0].u.str.len);
	if (have_var)
		APPEND(v.u.str.ptr, v.u.str.len);
	if (args[2].type == ARGT_STR)
		APPEND(args[2].u.str.ptr, args[2].u.str.len);
#undef APPEND
	p[o] = 0;
	out_end(smp, p, o, size, SMP_T_STR);
	return 1;
}

static int chk_add_item(struct arg *args, char *err, size_t errlen)
{
	int has_suffix = args[2].type == ARGT_STR && args[2].u.str.len;

	if (chk_concat(args, err, errlen) < 0)
		return -1;
	if (args[1].type != ARGT_VAR && !has_suffix) {
		snprintf(err, errlen, "one of the optional arguments has to be nonempty");
		return -1;
	}
	return 0;
}

static int cv_strcmp(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	struct sample v;
	size_t max;
	int r;

	if (!arg_var_str(&args[0], ctx, &v))
		return 0;
	max = smp->u.str.len < v.u.str.len ? smp->u.str.len : v.u.str.len;
	r = strncmp(smp->u.str.ptr, v.u.str.ptr, max);
	if (!r && smp->u.str.len != v.u.str.len)
		r = smp->u.str.len < v.u.str.len ? -1 : 1;
	smp_set_sint(smp, r);
	return 1;
}

static int chk_strcmp(struct arg *args, char *err, size_t errlen)
{
	char tmp[512];

	if (sample_check_var(args, tmp, sizeof(tmp)) < 0) {
		snprintf(err, errlen, "failed to register variable name '%s'",
		         args[0].type == ARGT_STR ? args[0].u.str.ptr : "");
		return -1;
	}
	return 0;
}

/* secure_memcmp(var): true when the binary input equals the variable's
 * value, compared in a time that depends on the length only; "not found"
 * when the variable is not set (as HAProxy 2.6). */
static int cv_secure_memcmp(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const struct var_ref *ref;
	struct sample v;
	unsigned char diff = 0;

	if (args[0].type != ARGT_VAR)
		return 0;
	ref = args[0].u.ptr;
	if (!vars_get(vars_of(ctx->strm, ref->scope), ref, &v) || !sample_cast(&v, SMP_T_BIN))
		return 0;
	if (v.u.str.len != smp->u.str.len) {
		smp_set_bool(smp, 0);
		return 1;
	}
	for (size_t i = 0; i < v.u.str.len; i++)
		diff |= (unsigned char)(v.u.str.ptr[i] ^ smp->u.str.ptr[i]);
	smp_set_bool(smp, diff == 0);
	return 1;
}

/* set-var(name[,cond...]): stores the sample and passes it on unchanged;
 * "not found" when the scope does not exist here or a condition prevents
 * the store (as HAProxy). chk_set_var puts the conditions in args[1]. */
static int cv_set_var(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const struct var_ref *ref = args[0].u.ptr;
	struct vars *vs = vars_of(ctx->strm, ref->scope);
	unsigned conds = args[1].type == ARGT_SINT ? (unsigned)args[1].u.sint : 0;

	if (!vs)
		return 0;
	return vars_set_cond(vs, ref, smp, conds) == 1;
}

static int cv_unset_var(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const struct var_ref *ref = args[0].u.ptr;
	struct vars *vs = vars_of(ctx->strm, ref->scope);

	if (!vs)
		return 0;
	vars_unset(vs, ref);
	return 1;
}

static int chk_set_var(struct arg *args, char *err, size_t errlen)
{
	unsigned conds = 0;

	if (sample_check_var(args, err, errlen) < 0)
		return -1;
	for (int i = 1; i < SMP_MAX_ARGS && args[i].type == ARGT_STR; i++) {
		if (vars_parse_cond(args[i].u.str.ptr, args[i].u.str.len, &conds, err, errlen) < 0)
			return -1;
	}
	sample_args_free(args + 1, SMP_MAX_ARGS - 1);
	if (conds) {
		args[1].type = ARGT_SINT;
		args[1].u.sint = conds;
	}
	return 0;
}

static int chk_var(struct arg *args, char *err, size_t errlen)
{
	return sample_check_var(args, err, errlen);
}

#define S SMP_T_STR
#define B SMP_T_BIN
#define I SMP_T_SINT
#define A SMP_T_ANY

const struct sample_conv smp_conv_table[] = {
	{ "add_item",  cv_add_item,  ARG3(2, STR, STR, STR),  chk_add_item, S, S, NULL },
	{ "b64dec",    cv_b64dec,    ARG0,                    0,            S, B, NULL },
	{ "capture-req", cv_capture, ARG1(1, SINT),           0,            S, S, &cap_req },
	{ "capture-res", cv_capture, ARG1(1, SINT),           0,            S, S, &cap_res },
	{ "host_only", cv_host_only, ARG0,                    0,            S, S, NULL },
	{ "port_only", cv_port_only, ARG0,                    0,            S, I, NULL },
	{ "base64",    cv_base64,    ARG0,                    0,            B, S, NULL },
	{ "be2dec",    cv_be2dec,    ARG3(1, STR, SINT, SINT), chk_be2dec,  B, S, NULL },
	{ "be2hex",    cv_be2hex,    ARG3(1, STR, SINT, SINT), chk_be2hex,  B, S, NULL },
	{ "bytes",     cv_bytes,     ARG2(1, SINT, SINT),     0,            B, B, NULL },
	{ "concat",    cv_concat,    ARG3(1, STR, STR, STR),  chk_concat,   S, S, NULL },
	{ "crc32",     cv_crc32,     ARG1(0, SINT),           0,            B, I, NULL },
	{ "crc32c",    cv_crc32c,    ARG1(0, SINT),           0,            B, I, NULL },
	{ "cut_crlf",  cv_cut_crlf,  ARG0,                    0,            S, S, NULL },
	{ "debug",     cv_debug,     ARG2(0, STR, STR),       chk_debug,    A, A, NULL },
	{ "digest",    cv_digest,    ARG1(1, STR),            chk_digest,   B, B, NULL },
	{ "djb2",      cv_djb2,      ARG1(0, SINT),           0,            B, I, NULL },
	{ "field",     cv_field,     ARG3(2, SINT, STR, SINT), chk_field,   S, S, NULL },
	{ "fix_is_valid", cv_fix_is_valid, ARG0,              0,            B, SMP_T_BOOL, NULL },
	{ "fix_tag_value", cv_fix_tag_value, ARG1(1, STR),     chk_fix_tag,  B, B, NULL },
	{ "hex",       cv_hex,       ARG0,                    0,            B, S, NULL },
	{ "hex2i",     cv_hex2i,     ARG0,                    0,            S, I, NULL },
	{ "hmac",      cv_hmac,      ARG2(2, STR, STR),       chk_hmac,     B, B, NULL },
	{ "htonl",     cv_htonl,     ARG0,                    0,            I, B, NULL },
	{ "iif",       cv_iif,       ARG2(2, STR, STR),       0,            SMP_T_BOOL, S, NULL },
	{ "language",  cv_language,  ARG2(1, STR, STR),       0,            S, S, NULL },
	{ "length",    cv_length,    ARG0,                    0,            S, I, NULL },
	{ "lower",     cv_lower,     ARG0,                    0,            S, S, NULL },
	{ "mqtt_field_value", cv_mqtt_field_value, ARG2(2, STR, STR), chk_mqtt_field, B, S, NULL },
	{ "mqtt_is_valid", cv_mqtt_is_valid, ARG0,              0,            B, SMP_T_BOOL, NULL },
	{ "ltrim",     cv_ltrim,     ARG1(1, STR),            0,            S, S, NULL },
	{ "regsub",    cv_regsub,    ARG3(2, REG, STR, STR),  chk_regsub,   S, S, NULL },
	{ "rtrim",     cv_rtrim,     ARG1(1, STR),            0,            S, S, NULL },
	{ "sdbm",      cv_sdbm,      ARG1(0, SINT),           0,            B, I, NULL },
	{ "set-var",   cv_set_var,   ARG5(1, STR, STR, STR, STR, STR), chk_set_var,     A, A, NULL },
	{ "sha1",      cv_sha1,      ARG0,                    0,            B, B, NULL },
	{ "sha2",      cv_sha2,      ARG1(0, SINT),           chk_sha2,     B, B, NULL },
	{ "strcmp",    cv_strcmp,    ARG1(1, STR),            chk_strcmp,   S, I, NULL },
	{ "secure_memcmp", cv_secure_memcmp, ARG1(1, STR),    chk_strcmp,   B, SMP_T_BOOL, NULL },
	{ "ub64dec",   cv_ub64dec,   ARG0,                    0,            S, B, NULL },
	{ "ub64enc",   cv_ub64enc,   ARG0,                    0,            B, S, NULL },
	{ "unset-var", cv_unset_var, ARG1(1, STR),            chk_var,      A, A, NULL },
	{ "upper",     cv_upper,     ARG0,                    0,            S, S, NULL },
	{ "url_dec",   cv_url_dec,   ARG1(0, SINT),           0,            S, S, NULL },
	{ "url_enc",   cv_url_enc,   ARG1(1, STR),            chk_url_enc,  S, S, NULL },
	{ "word",      cv_word,      ARG3(2, SINT, STR, SINT), chk_field,   S, S, NULL },
	{ "wt6",       cv_wt6,       ARG1(0, SINT),           0,            B, I, NULL },
	{ "xxh32",     cv_xxh32,     ARG1(0, SINT),           0,            B, I, NULL },
	{ "xxh64",     cv_xxh64,     ARG1(0, SINT),           0,            B, I, NULL },
	{ NULL, NULL, 0, 0, 0, 0, NULL }
};
