/* http_cookie.c: cookie-based server persistence (http_cookie.h). The
 * settings of a backend live in px->cookie_cfg (struct ck_cfg). The
 * request side runs when the server is picked, while the request headers
 * are still ours to edit; the response side after the http-response
 * rules. The cookie's fate is kept in the transaction (txn->ck_req,
 * txn->ck_res) for the log's %tsc, with HAProxy's letters:
 *   request:  N none, I invalid (no such server), D its server is down,
 *             V valid (the request went there)
 *   response: N none, I inserted, R rewritten, P the server's own kept. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/http_cookie.h"
#include "engine/cfg.h"
#include "engine/http.h"
#include "engine/persist.h"
#include "engine/proxy.h"
#include "engine/stream.h"

enum ck_mode { CK_REWRITE = 1, CK_INSERT, CK_PREFIX };

struct ck_cfg {
	char *name;
	size_t nlen;
	enum ck_mode mode;          /* 0: none given ("passive": match only) */
	unsigned indirect:1, nocache:1, postonly:1, preserve:1, httponly:1, secure:1;
	char *domains;              /* "; domain=a; domain=b" of an inserted cookie */
	char *attrs;                /* "; <attr>..." after its HttpOnly / Secure */
};

#define CK_MAX 4096             /* a rebuilt Cookie / Set-Cookie header value */

/* ---- configuration ---- */

static void ck_free(struct ck_cfg *k)
{
	if (!k)
		return;
	free(k->name);
	free(k->domains);
	free(k->attrs);
	free(k);
}

/* Appends "; <pfx><a>" to <*list>. */
static int ck_attr(char **list, const char *pfx, const char *a)
{
	size_t old = *list ? strlen(*list) : 0, n = old + strlen(pfx) + strlen(a) + 3;
	char *p = realloc(*list, n);

	if (!p)
		return -1;
	snprintf(p + old, n - old, "; %s%s", pfx, a);
	*list = p;
	return 0;
}

int http_cookie_cfg(struct cfg_ctx *c, char **args, int nargs)
{
	struct proxy *px = c->px;
	struct ck_cfg *k;

	if (nargs < 2 || !*args[1])
		return cfg_set_err(c, "'%s' expects <cookie_name> as argument.", args[0]);
	if (!(px->cap & PX_CAP_BE)) {
		cfg_warning(c, "'%s' ignored because %s '%s' has no backend capability.", args[0], "frontend", px->name);
		return 0;
	}
	if (!(k = calloc(1, sizeof(*k))) || !(k->name = strdup(args[1]))) {
		ck_free(k);
		return cfg_set_err(c, "out of memory.");
	}
	k->nlen = strlen(k->name);
	for (int i = 2; i < nargs; i++) {
		const char *a = args[i];
		enum ck_mode m = !strcmp(a, "rewrite") ? CK_REWRITE : !strcmp(a, "insert") ? CK_INSERT :
		                 !strcmp(a, "prefix") ? CK_PREFIX : 0;

		if (m) {
			if (k->mode && k->mode != m) {
				ck_free(k);
				return cfg_set_err(c, "cookie 'rewrite', 'insert' and 'prefix' modes are incompatible.");
			}
			k->mode = m;
		} else if (!strcmp(a, "indirect")) {
			k->indirect = 1;
		} else if (!strcmp(a, "nocache")) {
			k->nocache = 1;
		} else if (!strcmp(a, "postonly")) {
			k->postonly = 1;
		} else if (!strcmp(a, "preserve")) {
			k->preserve = 1;
		} else if (!strcmp(a, "httponly")) {
			k->httponly = 1;
		} else if (!strcmp(a, "secure")) {
			k->secure = 1;
		} else if (!strcmp(a, "domain") || !strcmp(a, "attr")) {
			if (i + 1 >= nargs || !*args[i + 1]) {
				ck_free(k);
				return cfg_set_err(c, "'%s' expects <%s> as argument.", a, a[0] == 'd' ? "domain" : "value");
			}
			if (ck_attr(a[0] == 'd' ? &k->domains : &k->attrs, a[0] == 'd' ? "domain=" : "", args[++i]) < 0) {
				ck_free(k);
				return cfg_set_err(c, "out of memory.");
			}
		} else if (!strcmp(a, "maxidle") || !strcmp(a, "maxlife")) {
			uint32_t t;

			if (i + 1 >= nargs || cfg_parse_time(args[i + 1], &t) < 0) {
				ck_free(k);
				return cfg_set_err(c, "unexpected character '%s' in argument to <%s>.",
				                   i + 1 < nargs ? args[i + 1] : "", a);
			}
			i++;
			cfg_notice(c, "cookie '%s' has no effect in ringproxy (cookies carry no date).", a);
		} else if (!strcmp(a, "dynamic")) {
			cfg_notice(c, "cookie 'dynamic' has no effect in ringproxy (servers need their 'cookie' value).");
		} else {
			ck_free(k);
			return cfg_set_err(c, "'cookie' supports 'rewrite', 'insert', 'prefix', 'indirect', 'nocache', 'postonly', 'domain', 'maxidle', 'dynamic', 'maxlife' and 'attr' options.");
		}
	}
	ck_free(px->cookie_cfg);
	px->cookie_cfg = k;
	return 0;
}

int http_cookie_inherit(struct proxy *px, const struct proxy *def)
{
	const struct ck_cfg *d = def->cookie_cfg;
	struct ck_cfg *k;

	if (!d || !(px->cap & PX_CAP_BE))
		return 0;
	if (!(k = malloc(sizeof(*k))))
		return -1;
	*k = *d;
	k->name = strdup(d->name);
	k->domains = d->domains ? strdup(d->domains) : NULL;
	k->attrs = d->attrs ? strdup(d->attrs) : NULL;
	if (!k->name || (d->domains && !k->domains) || (d->attrs && !k->attrs)) {
		ck_free(k);
		return -1;
	}
	px->cookie_cfg = k;
	return 0;
}

void http_cookie_free(struct proxy *px)
{
	ck_free(px->cookie_cfg);
	px->cookie_cfg = NULL;
}

/* ---- the request ---- */

/* The pairs of a Cookie / Set-Cookie value: calls <fn> for each
 * "name=value" (trimmed) of <v>/<n>, separated by ';'. */
struct ck_pair {
	const char *name, *val;
	size_t nlen, vlen;
};

/* Returns the next pair of <p>..<end> in <out> and where the one after it
 * starts, or NULL at the end. */
static const char *ck_next(const char *p, const char *end, struct ck_pair *out)
{
	const char *e, *eq;

	while (p < end && (*p == ' ' || *p == '\t' || *p == ';'))
		p++;
	if (p >= end)
		return NULL;
	for (e = p; e < end && *e != ';'; e++)
		;
	out->name = p;
	eq = memchr(p, '=', (size_t)(e - p));
	out->nlen = (size_t)((eq ? eq : e) - p);
	while (out->nlen && (p[out->nlen - 1] == ' ' || p[out->nlen - 1] == '\t'))
		out->nlen--;
	out->val = eq ? eq + 1 : e;
	while (out->val < e && (*out->val == ' ' || *out->val == '\t'))
		out->val++;
	out->vlen = (size_t)(e - out->val);
	while (out->vlen && (out->val[out->vlen - 1] == ' ' || out->val[out->vlen - 1] == '\t'))
		out->vlen--;
	return e;
}

static struct server *ck_server(const struct proxy *be, const char *v, size_t n)
{
	for (struct server *s = be->srv; s; s = s->next)
		if (s->cookie && strlen(s->cookie) == n && !memcmp(s->cookie, v, n))
			return s;
	return NULL;
}

/* Rewrites every Cookie header of <m>: drops our cookie ("indirect") or
 * the "<server>~" prefix of its value ("prefix"). */
static void ck_req_strip(const struct ck_cfg *k, struct http_msg *m)
{
	char buf[CK_MAX], out[CK_MAX];

	for (int idx = http_hdr_find(m, "cookie", 6, 0); idx >= 0; idx = http_hdr_find(m, "cookie", 6, idx + 1)) {
		size_t len, o = 0;
		const char *v = http_hdr_value(m, idx, buf, sizeof(buf), &len), *p, *end;
		struct ck_pair cp;
		int changed = 0;

		if (!v)
			continue;
		for (p = v, end = v + len; (p = ck_next(p, end, &cp));) {
			const char *val = cp.val;
			size_t vlen = cp.vlen;

			if (cp.nlen == k->nlen && !memcmp(cp.name, k->name, k->nlen)) {
				changed = 1;
				if (k->mode != CK_PREFIX)
					continue;                 /* indirect: the server never sees it */
				const char *t = memchr(val, '~', vlen);
				if (t) {
					vlen -= (size_t)(t + 1 - val);
					val = t + 1;
				}
			}
			if (o + cp.nlen + vlen + 3 > sizeof(out))
				return;                       /* too long to rebuild: leave it */
			if (o) {
				memcpy(out + o, "; ", 2);
				o += 2;
			}
			memcpy(out + o, cp.name, cp.nlen);
			o += cp.nlen;
			if (val != cp.name + cp.nlen) {
				out[o++] = '=';
				memcpy(out + o, val, vlen);
				o += vlen;
			}
		}
		if (!changed)
			continue;
		if (!o) {
			http_hdr_del_idx(m, idx);
			idx--;                            /* the next header moved down */
		} else {
			http_hdr_set_value(m, idx, out, o);
		}
	}
}

static struct server *ck_pick(struct stream *s, const struct ck_cfg *k, struct http_txn *txn,
                              const char *v, size_t len);

struct server *http_cookie_pick(struct stream *s)
{
	const struct ck_cfg *k = s->be ? s->be->cookie_cfg : NULL;
	struct http_txn *txn = s->http;
	struct http_msg *m;
	struct server *srv;
	struct h1_span sp;
	char buf[CK_MAX];
	const char *v;
	size_t len;

	if (!k || !txn)
		return NULL;
	m = &txn->req;
	if (!http_msg_ready(m) || m->fwd)
		return NULL;
	txn->ck_req = 'N';
	if (s->be->persist && persist_ignored(s))
		txn->flags |= HTTP_TXN_CK_IGNORE;     /* as HAProxy: no cookie set either */
	if (http_cookie_find(m, k->name, k->nlen, 1, &sp) < 1 || !(v = http_span(m, sp, buf, sizeof(buf), &len)))
		return NULL;
	srv = ck_pick(s, k, txn, v, len);
	/* indirect: the server never sees the cookie, valid or not; prefix:
	 * the server sees its own value again */
	if ((k->mode == CK_INSERT && k->indirect) || (k->mode == CK_PREFIX && txn->ck_req == 'V'))
		ck_req_strip(k, m);
	return srv;
}

/* The server named by cookie value <v>/<len>, or NULL; sets txn->ck_req. */
static struct server *ck_pick(struct stream *s, const struct ck_cfg *k, struct http_txn *txn,
                              const char *v, size_t len)
{
	struct server *srv;

	if (k->mode == CK_PREFIX) {
		const char *t = memchr(v, '~', len);

		if (!t) {
			txn->ck_req = 'I';
			return NULL;
		}
		len = (size_t)(t - v);
	}
	srv = ck_server(s->be, v, len);
	if (!srv || (txn->flags & HTTP_TXN_CK_IGNORE)) {
		txn->ck_req = 'I';
		return NULL;
	}
	if ((srv->state == SRV_DOWN || srv->state == SRV_MAINT) && !(s->be->options & PXO_PERSIST) &&
	    !(s->be->persist && persist_forced(s))) {
		txn->ck_req = 'D';                    /* balanced, and a new cookie inserted */
		return NULL;
	}
	txn->ck_req = 'V';
	return srv;
}

void http_send_name(struct stream *s)
{
	struct http_txn *txn = s->http;
	const char *name = s->be->srvname_hdr;

	if (txn && name && s->srv && http_msg_ready(&txn->req) && !txn->req.fwd)
		http_hdr_set(&txn->req, name, strlen(name), s->srv->name, strlen(s->srv->name));
}

/* ---- the response ---- */

/* Rewrites (or prefixes) the value of our cookie in the server's
 * Set-Cookie headers. Returns the number changed. */
static int ck_rsp_edit(const struct ck_cfg *k, const struct server *srv, struct http_msg *r)
{
	char buf[CK_MAX], out[CK_MAX];
	int n = 0;

	for (int idx = http_hdr_find(r, "set-cookie", 10, 0); idx >= 0; idx = http_hdr_find(r, "set-cookie", 10, idx + 1)) {
		size_t len;
		const char *v = http_hdr_value(r, idx, buf, sizeof(buf), &len);
		struct ck_pair cp;
		int w;

		/* the cookie is the first pair of a Set-Cookie value */
		if (!v || !ck_next(v, v + len, &cp) || cp.nlen != k->nlen || memcmp(cp.name, k->name, k->nlen))
			continue;
		if (k->mode == CK_REWRITE)
			w = snprintf(out, sizeof(out), "%.*s=%s%.*s", (int)k->nlen, k->name, srv->cookie,
			             (int)(v + len - (cp.val + cp.vlen)), cp.val + cp.vlen);
		else
			w = snprintf(out, sizeof(out), "%.*s=%s~%.*s", (int)k->nlen, k->name, srv->cookie,
			             (int)(v + len - cp.val), cp.val);
		if (w > 0 && (size_t)w < sizeof(out) && http_hdr_set_value(r, idx, out, (size_t)w) == 0)
			n++;
	}
	return n;
}

/* Deletes the server's own Set-Cookie of our name (insert mode without
 * "preserve"). Returns 1 if there was one. */
static int ck_rsp_has(const struct ck_cfg *k, struct http_msg *r, int del)
{
	char buf[CK_MAX];
	int found = 0;

	for (int idx = http_hdr_find(r, "set-cookie", 10, 0); idx >= 0; idx = http_hdr_find(r, "set-cookie", 10, idx + 1)) {
		size_t len;
		const char *v = http_hdr_value(r, idx, buf, sizeof(buf), &len);
		struct ck_pair cp;

		if (!v || !ck_next(v, v + len, &cp) || cp.nlen != k->nlen || memcmp(cp.name, k->name, k->nlen))
			continue;
		found = 1;
		if (del && http_hdr_del_idx(r, idx) == 0)
			idx--;
	}
	return found;
}

/* Returns 1 when a shared cache could keep the response of <txn>, as
 * HAProxy judges it for "nocache": a safe method, no "pragma: no-cache",
 * no private / no-cache / no-store / max-age=0 directive, and either
 * "public" or some freshness (max-age, expires) or validator (etag,
 * last-modified) information. */
static int ck_cacheable(const struct http_txn *txn)
{
	const struct http_msg *r = &txn->rsp;
	enum h1_meth m = txn->req.h1.meth_id;
	struct http_val v = { .hdr = -1 };
	int pub = 0, fresh = 0;
	char buf[256];
	size_t len;
	const char *p;

	if (m != H1_M_GET && m != H1_M_HEAD && m != H1_M_OPTIONS && m != H1_M_TRACE)
		return 0;
	if (http_hdr_find(&txn->req, "authorization", 13, 0) >= 0)
		return 0;
	while (http_val_next(r, "pragma", 6, 0, &v))
		if ((p = http_span(r, v.v, buf, sizeof(buf), &len)) && len == 8 && !strncasecmp(p, "no-cache", 8))
			return 0;
	v.hdr = -1;
	while (http_val_next(r, "cache-control", 13, 0, &v)) {
		if (!(p = http_span(r, v.v, buf, sizeof(buf), &len)))
			continue;
		if (len == 6 && !strncasecmp(p, "public", 6))
			pub = 1;
		else if ((len == 7 && !strncasecmp(p, "private", 7)) || (len == 8 && !strncasecmp(p, "no-cache", 8)) ||
		         (len == 8 && !strncasecmp(p, "no-store", 8)) || (len == 9 && !strncasecmp(p, "max-age=0", 9)) ||
		         (len == 10 && !strncasecmp(p, "s-maxage=0", 10)))
			return 0;
		else if (!strncasecmp(p, "max-age", len < 7 ? len : 7) || !strncasecmp(p, "s-maxage", len < 8 ? len : 8))
			fresh = 1;
	}
	return pub || fresh || http_hdr_find(r, "expires", 7, 0) >= 0 ||
	       http_hdr_find(r, "etag", 4, 0) >= 0 || http_hdr_find(r, "last-modified", 13, 0) >= 0;
}

int http_cookie_rsp(struct stream *s)
{
	const struct ck_cfg *k = s->be ? s->be->cookie_cfg : NULL;
	struct http_txn *txn = s->http;
	struct server *srv = s->srv;
	struct http_msg *r;
	char val[CK_MAX];
	int n;

	if (!k || !txn || !srv || (txn->flags & HTTP_TXN_CK_IGNORE))
		return 0;
	r = &txn->rsp;
	txn->ck_res = 'N';
	if (k->mode == CK_REWRITE || k->mode == CK_PREFIX) {
		if (srv->cookie && ck_rsp_edit(k, srv, r))
			txn->ck_res = 'R';
		return 0;
	}
	if (k->mode != CK_INSERT || txn->ck_req == 'V')
		return 0;
	if (k->postonly && txn->req.h1.meth_id != H1_M_POST)
		return 0;
	if (ck_rsp_has(k, r, !k->preserve)) {
		if (k->preserve) {
			txn->ck_res = 'P';
			return 0;
		}
	}
	if (!srv->cookie)                         /* a server without one: the client's is removed */
		n = snprintf(val, sizeof(val), "%s=; Expires=Thu, 01-Jan-1970 00:00:01 GMT; path=/%s%s%s%s",
		             k->name, k->domains ? k->domains : "", k->httponly ? "; HttpOnly" : "",
		             k->secure ? "; Secure" : "", k->attrs ? k->attrs : "");
	else
		n = snprintf(val, sizeof(val), "%s=%s; path=/%s%s%s%s", k->name, srv->cookie,
		             k->domains ? k->domains : "", k->httponly ? "; HttpOnly" : "",
		             k->secure ? "; Secure" : "", k->attrs ? k->attrs : "");
	if (n < 0 || (size_t)n >= sizeof(val))
		return -ENOSPC;
	if ((n = http_hdr_add(r, "set-cookie", 10, val, (size_t)n)) < 0)
		return n;
	if (k->nocache && ck_cacheable(txn) && (n = http_hdr_add(r, "cache-control", 13, "private", 7)) < 0)
		return n;
	txn->ck_res = 'I';
	return 0;
}
