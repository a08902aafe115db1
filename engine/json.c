/* json.c: the JSON converters — json([mode]) escapes a string for a
 * JSON document, json_query(path[,int]) reads one value out of a JSON
 * text by a "$.a.b[2]" path, as HAProxy 2.6 (mjson semantics: first
 * match wins, the text after the match is not looked at), and the same
 * query on the header or payload of a JWT. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/log.h"
#include "engine/sample.h"
#include "engine/stream.h"
#include "engine/vars.h"
#include "proto/tls.h"

static void out_end(struct sample *smp, char *p, size_t len, size_t size, enum smp_type t)
{
	smp->type = t;
	smp->flags &= ~SMP_F_CONST;
	smp->u.str.ptr = p;
	smp->u.str.len = len;
	smp->u.str.size = size;
}


enum { JS_ASCII = 0, JS_UTF8, JS_UTF8S, JS_UTF8P, JS_UTF8PS };
#define U8_OK       0x00
#define U8_OVERLONG 0x10
#define U8_INVRANGE 0x20
#define U8_BADSEQ   0x40

/* Decodes one UTF-8 sequence at <s> (<len> > 0) into *<c>. Returns the
 * flags U8_* ORed with the number of bytes consumed (1..6). */
static unsigned utf8_next(const uint8_t *s, size_t len, unsigned *c)
{
	unsigned need, code = U8_OK;
	size_t i;

	if (s[0] < 0x80) { *c = s[0]; return 1; }
	if (s[0] < 0xc0) { *c = s[0]; return U8_BADSEQ | 1; }
	if (s[0] < 0xe0)      { need = 1; *c = s[0] & 0x1f; }
	else if (s[0] < 0xf0) { need = 2; *c = s[0] & 0x0f; }
	else if (s[0] < 0xf8) { need = 3; *c = s[0] & 0x07; }
	else if (s[0] < 0xfc) { need = 4; *c = s[0] & 0x03; }
	else if (s[0] < 0xfe) { need = 5; *c = s[0] & 0x01; }
	else { *c = s[0]; return U8_BADSEQ | 1; }
	if (len < need + 1) {
		*c = s[0];
		return U8_BADSEQ | 1;
	}
	for (i = 1; i <= need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return U8_BADSEQ | (unsigned)i;
		*c = (*c << 6) | (s[i] & 0x3f);
	}
	if ((*c <= 0x7f && i > 1) || (*c >= 0x80 && *c <= 0x7ff && i > 2) ||
	    (*c >= 0x800 && *c <= 0xffff && i > 3) || (*c >= 0x10000 && *c <= 0x1fffff && i > 4))
		code |= U8_OVERLONG;
	if ((*c >= 0xd800 && *c <= 0xdfff) || (*c >= 0xfffe && *c <= 0xffff))
		code |= U8_INVRANGE;
	return code | (unsigned)i;
}

static int cv_json(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	int mode = (int)args[0].u.sint;
	const uint8_t *s = (const uint8_t *)smp->u.str.ptr, *end = s + smp->u.str.len;
	size_t size, o = 0;
	char *p = smp_trash(&size);

	if (!p)
		return 0;
	while (s < end) {
		unsigned c, r;
		char esc[8];
		const char *str = esc;
		size_t n = 2;

		if (mode == JS_ASCII) {
			c = *s++;
		} else {
			r = utf8_next(s, end - s, &c);
			s += r & 0x0f;
			if (mode == JS_UTF8 && (r & 0xf0))
				return 0;
			if (mode == JS_UTF8S && (r & 0xf0))
				continue;
			if (mode == JS_UTF8P && (r & (U8_INVRANGE | U8_BADSEQ)))
				return 0;
			if (mode == JS_UTF8PS && (r & (U8_INVRANGE | U8_BADSEQ)))
				continue;
			if (c > 0xffff) {
				if (mode == JS_UTF8 || mode == JS_UTF8P)
					return 0;
				continue;
			}
		}
		switch (c) {
		case '"':  str = "\\\""; break;
		case '\\': str = "\\\\"; break;
		case '/':  str = "\\/"; break;
		case '\b': str = "\\b"; break;
		case '\f': str = "\\f"; break;
		case '\r': str = "\\r"; break;
		case '\n': str = "\\n"; break;
		case '\t': str = "\\t"; break;
		default:
			if (c > 0xff || !isprint((int)c)) {
				snprintf(esc, sizeof(esc), "\\u%04x", c & 0xffff);
				n = 6;
			} else {
				esc[0] = (char)c;
				n = 1;
			}
		}
		if (o + n > size)
			return 0;
		memcpy(p + o, str, n);
		o += n;
	}
	out_end(smp, p, o, size, SMP_T_STR);
	return 1;
}

static int chk_json(struct arg *args, char *err, size_t errlen)
{
	static const char *const modes[] = { "ascii", "utf8", "utf8s", "utf8p", "utf8ps" };
	const char *m = args[0].type == ARGT_STR ? args[0].u.str.ptr : "";
	int mode = -1;

	if (!*m)
		mode = JS_ASCII;
	for (int i = 0; i < 5 && mode < 0; i++)
		if (!strcmp(m, modes[i]))
			mode = i;
	if (mode < 0) {
		snprintf(err, errlen, "Unexpected input code type. Allowed value are 'ascii', 'utf8', 'utf8s', 'utf8p' and 'utf8ps'");
		return -1;
	}
	if (args[0].type == ARGT_STR)
		free(args[0].u.str.ptr);
	args[0].type = ARGT_SINT;
	args[0].u.sint = mode;
	return 0;
}

/* --- json_query --- */

/* JSON values the walker reports */
enum jtok { J_INVALID = 0, J_STRING, J_NUMBER, J_TRUE, J_FALSE, J_NULL, J_ARRAY, J_OBJECT };

#define J_MAX_DEPTH 64

struct jscan {
	const char *p, *end;
	int depth;
};

static void j_ws(struct jscan *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

/* Skips a string starting at '"'. Returns 1 with [*s, *e) the raw content
 * (escapes undecoded), or 0. */
static int j_string(struct jscan *j, const char **s, const char **e)
{
	if (j->p >= j->end || *j->p != '"')
		return 0;
	j->p++;
	*s = j->p;
	while (j->p < j->end && *j->p != '"') {
		if (*j->p == '\\') {
			j->p++;
			if (j->p >= j->end)
				return 0;
		} else if ((unsigned char)*j->p < 0x20) {
			return 0;
		}
		j->p++;
	}
	if (j->p >= j->end)
		return 0;
	*e = j->p++;
	return 1;
}

/* A number, delimited as mjson does it: by strtod() from a '-' or a digit
 * (so "0x1f" or "1e" read as strtod reads them; a lone "-" is a number). */
static int j_number(struct jscan *j)
{
	char buf[64], *end;
	size_t n = (size_t)(j->end - j->p) < sizeof(buf) - 1 ? (size_t)(j->end - j->p) : sizeof(buf) - 1;

	if (!n || (*j->p != '-' && !isdigit((unsigned char)*j->p)))
		return 0;
	memcpy(buf, j->p, n);
	buf[n] = 0;
	strtod(buf, &end);
	j->p += end > buf ? (size_t)(end - buf) : 1;
	return 1;
}

static int j_word(struct jscan *j, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(j->end - j->p) < n || memcmp(j->p, w, n))
		return 0;
	j->p += n;
	return 1;
}

/* Returns the length of the member name at the start of <name>: up to an
 * unescaped '.' or '[' ("\." is a dot inside a name, as mjson reads it). */
static size_t j_path_name_len(const char *name)
{
	size_t n = 0;

	while (name[n] && name[n] != '.' && name[n] != '[')
		n += name[n] == '\\' && name[n + 1] ? 2 : 1;
	return n;
}

/* Returns 1 if the raw JSON key [<s>, <e>) equals the path name <name> of
 * <nlen> bytes, whose backslashes escape the next character. */
static int j_name_eq(const char *s, const char *e, const char *name, size_t nlen)
{
	size_t i = 0;

	while (i < nlen) {
		if (name[i] == '\\' && i + 1 < nlen)
			i++;
		if (s >= e || *s != name[i])
			return 0;
		s++;
		i++;
	}
	return s == e;
}

/* Walks the value at j->p along <path> (the rest of a "$..." path).
 * Returns the kind of the value the path designates, with its text in
 * [*vs, *ve), or J_INVALID when the text is malformed before it or the
 * path leads nowhere; -1 means "this value does not contain the path"
 * (the walk goes on with its parent). */
static int j_walk(struct jscan *j, const char *path, const char **vs, const char **ve)
{
	const char *s, *e;

	j_ws(j);
	if (j->p >= j->end)
		return J_INVALID;
	if (!*path) {
		/* the value the path designates */
		*vs = j->p;
		switch (*j->p) {
		case '"':
			if (!j_string(j, &s, &e))
				return J_INVALID;
			*vs = s;
			*ve = e;
			return J_STRING;
		case '{': case '[': {
			int r = j_walk(j, "\x01", vs, ve);   /* skip it whole */

			*ve = j->p;
			return r == J_INVALID ? J_INVALID : (**vs == '{' ? J_OBJECT : J_ARRAY);
		}
		case 't': *ve = j->p + 4; return j_word(j, "true") ? J_TRUE : J_INVALID;
		case 'f': *ve = j->p + 5; return j_word(j, "false") ? J_FALSE : J_INVALID;
		case 'n': *ve = j->p + 4; return j_word(j, "null") ? J_NULL : J_INVALID;
		default:
			if (!j_number(j))
				return J_INVALID;
			*ve = j->p;
			return J_NUMBER;
		}
	}
	if (++j->depth > J_MAX_DEPTH)
		return J_INVALID;
	if (*j->p == '{') {
		/* path ".name" selects a member; "\x01" only skips */
		const char *name = NULL, *rest = path;
		size_t nlen = 0;

		if (*path == '.') {
			name = path + 1;
			nlen = j_path_name_len(name);
			rest = name + nlen;
		}
		j->p++;
		j_ws(j);
		if (j->p < j->end && *j->p == '}') {
			j->p++;
			j->depth--;
			return -1;
		}
		while (1) {
			int r, match;

			j_ws(j);
			if (!j_string(j, &s, &e))
				return J_INVALID;
			match = name && j_name_eq(s, e, name, nlen);
			j_ws(j);
			if (j->p >= j->end || *j->p != ':')
				return J_INVALID;
			j->p++;
			r = j_walk(j, match ? rest : "\x01", vs, ve);
			if (r != -1 && (match || r == J_INVALID))
				return r;
			j_ws(j);
			if (j->p >= j->end)
				return J_INVALID;
			if (*j->p == '}') {
				j->p++;
				break;
			}
			if (*j->p != ',')
				return J_INVALID;
			j->p++;
		}
	} else if (*j->p == '[') {
		long idx = -1, i = 0;
		const char *rest = path;

		if (*path == '[') {
			/* digits up to ']' (anything else reads as 0, as mjson) */
			const char *q = path + 1;

			idx = 0;
			while (*q && *q != ']') {
				if (isdigit((unsigned char)*q))
					idx = idx * 10 + (*q - '0');
				q++;
			}
			rest = *q ? q + 1 : q;
		}
		j->p++;
		j_ws(j);
		if (j->p < j->end && *j->p == ']') {
			j->p++;
			j->depth--;
			return -1;
		}
		for (;; i++) {
			int r, match = i == idx;

			r = j_walk(j, match ? rest : "\x01", vs, ve);
			if (r != -1 && (match || r == J_INVALID))
				return r;
			j_ws(j);
			if (j->p >= j->end)
				return J_INVALID;
			if (*j->p == ']') {
				j->p++;
				break;
			}
			if (*j->p != ',')
				return J_INVALID;
			j->p++;
		}
	} else {
		/* a scalar cannot hold the path: skip it */
		const char *dummy;

		if (j_walk(j, "", vs, &dummy) == J_INVALID)
			return J_INVALID;
	}
	j->depth--;
	return -1;
}

/* Decodes a JSON string's raw content into <out> as mjson does: the
 * escapes \" \\ \b \f \n \r \t and \u00XX. Returns the length or -1. */
static long j_unescape(const char *s, const char *e, char *out, size_t size)
{
	size_t o = 0;

	for (; s < e; s++) {
		char c = *s;

		if (c == '\\') {
			if (++s >= e)
				return -1;
			switch (*s) {
			case '"': c = '"'; break;
			case '\\': c = '\\'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'n': c = '\n'; break;
			case 'r': c = '\r'; break;
			case 't': c = '\t'; break;
			case 'u': {
				int h, l;

				if (e - s < 5 || s[1] != '0' || s[2] != '0')
					return -1;
				h = isdigit((unsigned char)s[3]) ? s[3] - '0' : (tolower((unsigned char)s[3]) - 'a' + 10);
				l = isdigit((unsigned char)s[4]) ? s[4] - '0' : (tolower((unsigned char)s[4]) - 'a' + 10);
				if (!isxdigit((unsigned char)s[3]) || !isxdigit((unsigned char)s[4]))
					return -1;
				c = (char)(h << 4 | l);
				s += 4;
				break;
			}
			default:
				return -1;
			}
		}
		if (o + 1 >= size)
			return -1;
		out[o++] = c;
	}
	return (long)o;
}

#define JSON_INT_MAX ((1LL << 53) - 1)

/* json_query(path[,int]): the value at <path> — a string (decoded), a
 * number (formatted "%g", or an integer with "int"), a boolean; null,
 * arrays and objects find nothing. */
static int cv_json_query(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	struct jscan j = { smp->u.str.ptr, smp->u.str.ptr + smp->u.str.len, 0 };
	const char *path = args[0].u.str.ptr, *vs = NULL, *ve = NULL;
	size_t size;
	char *p;
	int t;

	if (*path != '$' || (path[1] && path[1] != '.' && path[1] != '['))
		return 0;
	t = j_walk(&j, path + 1, &vs, &ve);
	switch (t) {
	case J_TRUE:
	case J_FALSE:
		smp_set_bool(smp, t == J_TRUE);
		return 1;
	case J_NUMBER: {
		char num[64];
		size_t n = (size_t)(ve - vs) < sizeof(num) - 1 ? (size_t)(ve - vs) : sizeof(num) - 1;

		memcpy(num, vs, n);
		num[n] = 0;
		if (args[1].type == ARGT_SINT) {
			long long v = strtoll(num, NULL, 0);

			if (v < -JSON_INT_MAX || v > JSON_INT_MAX)
				return 0;
			smp_set_sint(smp, v);
			return 1;
		}
		p = smp_trash(&size);
		if (!p)
			return 0;
		out_end(smp, p, snprintf(p, size, "%g", strtod(num, NULL)), size, SMP_T_STR);
		return 1;
	}
	case J_STRING: {
		long n;

		p = smp_trash(&size);
		if (!p || (n = j_unescape(vs, ve, p, size)) < 0)
			return 0;
		out_end(smp, p, n, size, SMP_T_STR);
		return 1;
	}
	default:
		return 0;
	}
}

static int chk_json_query(struct arg *args, char *err, size_t errlen)
{
	if (args[0].type != ARGT_STR || !args[0].u.str.len) {
		snprintf(err, errlen, "json_path must not be empty");
		return -1;
	}
	if (args[1].type == ARGT_STR && args[1].u.str.len) {
		if (strcmp(args[1].u.str.ptr, "int")) {
			snprintf(err, errlen, "output_type only supports \"int\" as argument");
			return -1;
		}
		free(args[1].u.str.ptr);
		args[1].type = ARGT_SINT;
		args[1].u.sint = 0;
	}
	return 0;
}

/* --- JWT (header and payload queries) --- */

/* base64url as HAProxy 2.6 decodes it (see ub64dec in conv.c): no
 * padding needed, a length of 4n+1 refused, '=' read as 63. Returns the
 * decoded length or -1. */
static long b64url_decode(const char *in, size_t n, uint8_t *out, size_t size)
{
	size_t o = 0;

	if (n % 4 == 1 || n / 4 * 3 + 3 > size)
		return -1;
	for (size_t i = 0; i < n; i += 4) {
		uint32_t w = 0;
		size_t got = n - i < 4 ? n - i : 4;

		for (size_t k = 0; k < 4; k++) {
			int v = 0;

			if (k < got) {
				char c = in[i + k];

				if (c >= 'A' && c <= 'Z') v = c - 'A';
				else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
				else if (c >= '0' && c <= '9') v = c - '0' + 52;
				else if (c == '-') v = 62;
				else if (c == '_' || c == '=') v = 63;
				else return -1;
			}
			w = w << 6 | (uint32_t)v;
		}
		out[o++] = w >> 16;
		if (got > 2)
			out[o++] = (w >> 8) & 0xff;
		if (got > 3)
			out[o++] = w & 0xff;
	}
	return (long)o;
}

/* jwt_header_query / jwt_payload_query([path[,int]]): json_query on the
 * decoded header (part 0) or payload (part 1) of a JWT. Without a path
 * HAProxy 2.6 finds nothing (it decodes, then reports failure): kept. */
static int jwt_query(const struct arg *args, struct sample *smp, struct smp_ctx *ctx, int part)
{
	const char *s = smp->u.str.ptr, *end = s + smp->u.str.len, *start = s, *dot;
	size_t size;
	char *p;
	long n;

	for (int i = 0; i < part; i++) {
		dot = memchr(start, '.', end - start);
		if (!dot)
			return 0;
		start = dot + 1;
	}
	dot = memchr(start, '.', end - start);
	if (!dot)
		dot = end;
	p = smp_trash(&size);
	if (!p || (n = b64url_decode(start, dot - start, (uint8_t *)p, size)) < 0)
		return 0;
	if (args[0].type != ARGT_STR)
		return 0;
	out_end(smp, p, n, size, SMP_T_STR);
	return cv_json_query(args, smp, ctx);
}

static int cv_jwt_header_query(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	return jwt_query(args, smp, ctx, 0);
}

static int cv_jwt_payload_query(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	return jwt_query(args, smp, ctx, 1);
}

static int chk_jwt_query(struct arg *args, char *err, size_t errlen)
{
	if (args[1].type == ARGT_STR && args[1].u.str.len) {
		if (strcmp(args[1].u.str.ptr, "int")) {
			snprintf(err, errlen, "output_type only supports \"int\" as argument");
			return -1;
		}
		free(args[1].u.str.ptr);
		args[1].type = ARGT_SINT;
		args[1].u.sint = 0;
	}
	return 0;
}

/* jwt_verify(alg,key): checks the signature of a JWT. Returns HAProxy's
 * codes: 1 valid, 0 wrong signature, -1 unknown algorithm, -2 algorithm
 * not handled (RSASSA-PSS, as HAProxy 2.6), -3 malformed token, -5 no key
 * loaded from <key>. HMAC (HS256/384/512: <key> is the shared secret),
 * RSA (RS*) and ECDSA (ES*: <key> is the path of a PEM public key or
 * certificate, loaded at configuration time) and "none". <alg> and <key>
 * may be variables. */
enum jwt_kind { JWT_NONE = 1, JWT_HMAC, JWT_SIG, JWT_PS };

struct jwt_alg {
	const char *name;
	enum jwt_kind kind;
	enum tls_md md;
};

/* Returns the algorithm named by the <n> bytes at <s>, or NULL. */
static const struct jwt_alg *jwt_alg(const char *s, size_t n)
{
	static const struct jwt_alg algs[] = {
		{ "none", JWT_NONE, 0 },
		{ "HS256", JWT_HMAC, TLS_MD_SHA256 }, { "HS384", JWT_HMAC, TLS_MD_SHA384 },
		{ "HS512", JWT_HMAC, TLS_MD_SHA512 },
		{ "RS256", JWT_SIG, TLS_MD_SHA256 }, { "RS384", JWT_SIG, TLS_MD_SHA384 },
		{ "RS512", JWT_SIG, TLS_MD_SHA512 },
		{ "ES256", JWT_SIG, TLS_MD_SHA256 }, { "ES384", JWT_SIG, TLS_MD_SHA384 },
		{ "ES512", JWT_SIG, TLS_MD_SHA512 },
		{ "PS256", JWT_PS, 0 }, { "PS384", JWT_PS, 0 }, { "PS512", JWT_PS, 0 },
	};

	for (size_t i = 0; i < sizeof(algs) / sizeof(*algs); i++)
		if (strlen(algs[i].name) == n && !memcmp(algs[i].name, s, n))
			return &algs[i];
	return NULL;
}

/* Reads argument <a> (a string, or a variable cast to one). */
static int jwt_arg(const struct arg *a, const struct smp_ctx *ctx, const char **p, size_t *n)
{
	struct sample v;
	const struct var_ref *ref;

	if (a->type == ARGT_STR) {
		*p = a->u.str.ptr;
		*n = a->u.str.len;
		return 1;
	}
	if (a->type != ARGT_VAR)
		return 0;
	ref = a->u.ptr;
	if (!vars_get(vars_of(ctx->strm, ref->scope), ref, &v) || !sample_cast(&v, SMP_T_STR))
		return 0;
	*p = v.u.str.ptr;
	*n = v.u.str.len;
	return 1;
}

static int cv_jwt_verify(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const char *tok = smp->u.str.ptr, *end = tok + smp->u.str.len, *d1, *d2, *ap, *kp;
	const struct jwt_alg *alg;
	size_t an, kn, size, sig_len;
	uint8_t mac[TLS_MD_MAX_LEN], *sig;
	int parts, r;
	long n;

	if (!jwt_arg(&args[0], ctx, &ap, &an) || !jwt_arg(&args[1], ctx, &kp, &kn))
		return 0;
	if (!(alg = jwt_alg(ap, an))) {
		r = -1;
		goto out;
	}
	d1 = memchr(tok, '.', end - tok);
	d2 = d1 ? memchr(d1 + 1, '.', end - d1 - 1) : NULL;
	parts = !d1 ? 1 : !d2 ? 2 : 3;
	if (d2 && memchr(d2 + 1, '.', end - d2 - 1)) {
		r = -3;                      /* more than three parts */
		goto out;
	}
	if (parts != 3 && (alg->kind != JWT_NONE || parts != 2)) {
		r = -3;
		goto out;
	}
	if (alg->kind == JWT_NONE) {
		r = parts == 2 || d2 + 1 == end ? 1 : 0;
		goto out;
	}
	if (d2 + 1 == end) {
		r = -3;                      /* no signature */
		goto out;
	}
	sig = (uint8_t *)smp_trash(&size);
	if (!sig || (n = b64url_decode(d2 + 1, end - d2 - 1, sig, size)) < 0) {
		r = -3;
		goto out;
	}
	sig_len = (size_t)n;
	switch (alg->kind) {
	case JWT_PS:
		r = -2;
		break;
	case JWT_SIG:
		r = tls_pubkey_verify(kp, kn, alg->md, tok, (size_t)(d2 - tok), sig, sig_len);
		if (r < 0)
			r = -5;              /* no key loaded from that path */
		break;
	default:
		if (tls_md_hmac(alg->md, kp, kn, tok, (size_t)(d2 - tok), mac) < 0)
			return 0;
		if (sig_len != tls_md_len(alg->md)) {
			r = 0;
			break;
		}
		/* constant time comparison */
		{
			uint8_t diff = 0;

			for (size_t i = 0; i < sig_len; i++)
				diff |= mac[i] ^ sig[i];
			r = !diff;
		}
		break;
	}
 out:
	smp_set_sint(smp, r);
	return 1;
}

static int chk_jwt_verify(struct arg *args, char *err, size_t errlen)
{
	const struct jwt_alg *alg = NULL;
	char tmp[256];

	for (int i = 0; i < 2; i++) {
		struct arg a = args[i];

		/* a variable name is a variable (as HAProxy), else a literal */
		if (sample_check_var(&a, tmp, sizeof(tmp)) == 0)
			args[i] = a;
	}
	if (args[0].type == ARGT_STR) {
		if (!(alg = jwt_alg(args[0].u.str.ptr, args[0].u.str.len))) {
			snprintf(err, errlen, "unknown JWT algorithm: %s", args[0].u.str.ptr);
			return -1;
		}
		if (alg->kind == JWT_PS) {
			snprintf(err, errlen, "RSASSA-PSS JWS signing not managed yet");
			return -1;
		}
	}
	/* a literal key of a signature algorithm (or of one a variable names)
	 * is a file to load now; as HAProxy, one that cannot be loaded is no
	 * error: the tokens checked with it get -5 */
	if (args[1].type == ARGT_STR && (!alg || alg->kind == JWT_SIG) &&
	    tls_pubkey_load(args[1].u.str.ptr, tmp, sizeof(tmp)) < 0 && alg)
		rp_warning("jwt_verify: %s: the tokens checked with it get -5.", tmp);
	return 0;
}

const struct sample_conv smp_conv_json_table[] = {
	{ "json",       cv_json,       ARG1(1, STR),      chk_json,       SMP_T_STR, SMP_T_STR, NULL },
	{ "json_query", cv_json_query, ARG2(1, STR, STR), chk_json_query, SMP_T_STR, SMP_T_ANY, NULL },
	{ "jwt_header_query", cv_jwt_header_query, ARG2(0, STR, STR), chk_jwt_query, SMP_T_BIN, SMP_T_ANY, NULL },
	{ "jwt_verify", cv_jwt_verify, ARG2(2, STR, STR), chk_jwt_verify, SMP_T_BIN, SMP_T_SINT, NULL },
	{ "jwt_payload_query", cv_jwt_payload_query, ARG2(0, STR, STR), chk_jwt_query, SMP_T_BIN, SMP_T_ANY, NULL },
	{ NULL, NULL, 0, 0, 0, 0, NULL }
};
