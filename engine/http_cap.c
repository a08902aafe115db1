/* http_cap.c: header captures and capture slots of a frontend, and the
 * values of one transaction. A transaction's values live in one block
 * taken from a per-thread free list (malloc only while the list warms up);
 * every block has the size of the largest frontend's slots, fixed at
 * configuration time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "engine/http_cap.h"
#include "engine/http.h"
#include "engine/logfmt.h"
#include "engine/stream.h"

struct cap_decl {
	char *hdr;                  /* header name, NULL for a slot (declare / capture action) */
	size_t hlen;
	int len;                    /* bytes kept */
	int off;                    /* offset of the value in the block's data */
};

struct http_cap_list {
	struct cap_decl d[2][HTTP_CAP_MAX];   /* [0] request, [1] response */
	int nb[2];
	int size;                   /* data bytes: sum of len + 1 */
	char *ck_name;              /* "capture cookie <name>": a prefix of the cookie's name */
	size_t ck_nlen;
	int ck_len;                 /* bytes kept of "name=value" */
	int ck_off;                 /* the request's value at data + ck_off, the response's after it */
};

/* Invariant: ptrs[dir][i] is NULL or points at data + d[dir][i].off, a
 * NUL-terminated value. */
struct http_cap_vals {
	struct http_cap_vals *next_free;
	const struct http_cap_list *l;
	const char *ptrs[2][HTTP_CAP_MAX];
	const char *ck[2];          /* captured cookies (%CC, %CS), NULL = none */
	char data[];
};

/* Bytes of data in every block: the largest list's size (config time). */
static int cap_block_data;
static __thread struct http_cap_vals *cap_free;


/* ---- configuration ---- */

static struct http_cap_list *list_of(struct cfg_ctx *c)
{
	if (!c->px->caps && !(c->px->caps = calloc(1, sizeof(*c->px->caps))))
		cfg_set_err(c, "out of memory.");
	return c->px->caps;
}

/* Appends a declaration. Returns its index or -1 with c->err. */
static int add_decl(struct cfg_ctx *c, int res, const char *hdr, int len)
{
	struct http_cap_list *l = list_of(c);
	if (!l)
		return -1;
	if (l->nb[res] >= HTTP_CAP_MAX)
		return cfg_set_err(c, "too many %s captures (at most %d).", res ? "response" : "request",
		                   HTTP_CAP_MAX);
	struct cap_decl *d = &l->d[res][l->nb[res]];
	d->hdr = NULL;
	if (hdr && !(d->hdr = strdup(hdr)))
		return cfg_set_err(c, "out of memory.");
	d->hlen = hdr ? strlen(hdr) : 0;
	d->len = len;
	d->off = l->size;
	l->size += len + 1;
	if (l->size > cap_block_data)
		cap_block_data = l->size;
	return l->nb[res]++;
}

static int parse_len(const char *s, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (!*s || *end || v < 0 || v > 65535)
		return -1;
	*out = v;
	return 0;
}

/* "capture cookie <name> len <len>": the first cookie whose name begins
 * with <name>, kept as "name=value" (at most 63 bytes, as HAProxy), from
 * the request's Cookie and the response's Set-Cookie headers; a later line
 * replaces an earlier one. */
static int cfg_capture_cookie(struct cfg_ctx *c, char **args, int nargs)
{
	struct http_cap_list *l;
	int len;
	char *name;

	if (nargs < 5 || !*args[2] || strcmp(args[3], "len") || parse_len(args[4], &len) < 0)
		return cfg_set_err(c, "'%s' expects 'cookie' <cookie_name> 'len' <len>.", args[0]);
	if (len > 63) {
		cfg_warning(NULL, "truncating capture length to 63 bytes for frontend '%s'.", c->px->name);
		len = 63;
	}
	if (!(l = list_of(c)))
		return -1;
	if (!(name = strdup(args[2])))
		return cfg_set_err(c, "out of memory.");
	free(l->ck_name);
	l->ck_name = name;
	l->ck_nlen = strlen(name);
	l->ck_len = len;
	l->ck_off = l->size;
	l->size += 2 * (len + 1);
	if (l->size > cap_block_data)
		cap_block_data = l->size;
	return 0;
}

int http_cap_cfg_capture(struct cfg_ctx *c, char **args, int nargs)
{
	const char *dir = nargs > 1 ? args[1] : "";
	int len, res;

	if (!c->px)
		return cfg_set_err(c, "'%s' is only allowed in proxy sections", args[0]);
	if (c->sec == CFG_SEC_DEFAULTS)
		return cfg_set_err(c, "'%s' not allowed in 'defaults' section.", args[0]);
	if (!(c->px->cap & PX_CAP_FE)) {
		cfg_warning(c, "'%s' ignored because backend '%s' has no frontend capability.", args[0],
		            c->px->name);
		return 0;
	}
	if (!strcmp(dir, "cookie"))
		return cfg_capture_cookie(c, args, nargs);
	if (strcmp(dir, "request") && strcmp(dir, "response"))
		return cfg_set_err(c, "'%s' expects 'cookie' or 'request header' or 'response header'.", args[0]);
	res = dir[2] == 's';
	if (nargs < 6 || strcmp(args[2], "header") || !*args[3] || strcmp(args[4], "len") ||
	    parse_len(args[5], &len) < 0)
		return cfg_set_err(c, "'%s %s' expects 'header' <header_name> 'len' <len>.", args[0], dir);
	return add_decl(c, res, args[3], len) < 0 ? -1 : 0;
}

int http_cap_cfg_declare(struct cfg_ctx *c, char **args, int nargs)
{
	int len;

	if (!c->px)
		return cfg_set_err(c, "'%s' is only allowed in proxy sections", args[0]);
	if (nargs < 2 || strcmp(args[1], "capture"))
		return cfg_set_err(c, "unknown keyword '%s %s'.", args[0], nargs > 1 ? args[1] : "");
	if (c->sec == CFG_SEC_DEFAULTS || !(c->px->cap & PX_CAP_FE))
		return cfg_set_err(c, "'declare capture' not allowed in backends or defaults sections");
	if (nargs < 3 || (strcmp(args[2], "request") && strcmp(args[2], "response")))
		return cfg_set_err(c, "'declare capture' requires a direction ('request' or 'response')");
	if (nargs < 4 || strcmp(args[3], "len"))
		return cfg_set_err(c, "'declare capture' requires a capture length ('len')");
	if (nargs < 5 || parse_len(args[4], &len) < 0)
		return cfg_set_err(c, "'declare capture': 'len' requires a numeric value that represents the capture length");
	return add_decl(c, args[2][2] == 's', NULL, len) < 0 ? -1 : 0;
}

int http_cap_add_slot(struct cfg_ctx *c, int res, int len)
{
	return add_decl(c, res, NULL, len);
}

int http_cap_has_slot(const struct proxy *px, int res, int id)
{
	return px->caps && id >= 0 && id < px->caps->nb[res];
}

int http_cap_inherit(struct proxy *px, const struct proxy *def)
{
	const struct http_cap_list *d = def->caps;
	struct http_cap_list *l;

	if (!d || !(px->cap & PX_CAP_FE))
		return 0;
	if (!px->caps && !(px->caps = calloc(1, sizeof(*px->caps))))
		return -1;
	l = px->caps;
	for (int r = 0; r < 2; r++) {
		for (int i = 0; i < d->nb[r] && l->nb[r] < HTTP_CAP_MAX; i++) {
			struct cap_decl *x = &l->d[r][l->nb[r]];

			*x = d->d[r][i];
			x->hdr = NULL;
			if (d->d[r][i].hdr && !(x->hdr = strdup(d->d[r][i].hdr)))
				return -1;
			x->off = l->size;
			l->size += x->len + 1;
			l->nb[r]++;
		}
	}
	if (l->size > cap_block_data)
		cap_block_data = l->size;
	return 0;
}

void http_cap_list_free(struct http_cap_list *l)
{
	if (!l)
		return;
	for (int r = 0; r < 2; r++)
		for (int i = 0; i < l->nb[r]; i++)
			free(l->d[r][i].hdr);
	free(l->ck_name);
	free(l);
}


/* ---- values ---- */

/* Returns the values of <s>'s transaction, taking a block when needed, or
 * NULL (no captures declared, no memory). */
static struct http_cap_vals *vals_get(struct stream *s)
{
	const struct http_cap_list *l = s->fe ? s->fe->caps : NULL;
	struct http_cap_vals *v = s->caps;

	if (v || !l)
		return v;
	if ((v = cap_free))
		cap_free = v->next_free;
	else if (!(v = malloc(sizeof(*v) + cap_block_data)))
		return NULL;
	v->l = l;
	memset(v->ptrs, 0, sizeof(v->ptrs));
	v->ck[0] = v->ck[1] = NULL;
	s->caps = v;
	return v;
}

int http_cap_store(struct stream *s, int res, int id, const char *p, size_t len)
{
	struct http_cap_vals *v = vals_get(s);
	if (!v || id < 0 || id >= v->l->nb[res])
		return -1;
	const struct cap_decl *d = &v->l->d[res][id];
	char *dst = v->data + d->off;
	if (len > (size_t)d->len)
		len = d->len;
	memcpy(dst, p, len);
	dst[len] = 0;
	v->ptrs[res][id] = dst;
	return 0;
}

/* Finds in <p>[<n>] (a Cookie value, or with <one> a Set-Cookie value: its
 * first pair only) the first "name=value" whose name begins with <pfx>.
 * Returns 1 with the pair in *<b>, *<len>, else 0. */
static int ck_find(const char *p, size_t n, const char *pfx, size_t pl, int one, const char **b,
                   size_t *len)
{
	size_t i = 0;

	while (i < n) {
		size_t s0, e;
		const char *eq;

		while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == ';'))
			i++;
		s0 = i;
		while (i < n && p[i] != ';')
			i++;
		e = i;
		while (e > s0 && (p[e - 1] == ' ' || p[e - 1] == '\t'))
			e--;
		eq = memchr(p + s0, '=', e - s0);
		if (eq && (size_t)(eq - (p + s0)) >= pl && !memcmp(p + s0, pfx, pl)) {
			*b = p + s0;
			*len = e - s0;
			return 1;
		}
		if (one)
			return 0;
	}
	return 0;
}

/* "capture cookie": the first matching cookie of message <m> of <s>. */
static void cap_cookie(struct stream *s, const struct http_cap_list *l, const struct http_msg *m,
                       int res)
{
	char buf[HTTP_REQ_LINE_MAX * 4];
	struct http_cap_vals *v;
	const char *hn = res ? "set-cookie" : "cookie", *val, *b;
	size_t vl, bl;

	for (int h = http_hdr_find(m, hn, strlen(hn), 0); h >= 0; h = http_hdr_find(m, hn, strlen(hn), h + 1)) {
		if (!(val = http_hdr_value(m, h, buf, sizeof(buf), &vl)) ||
		    !ck_find(val, vl, l->ck_name, l->ck_nlen, res, &b, &bl))
			continue;
		if (!(v = vals_get(s)))
			return;
		char *dst = v->data + l->ck_off + (res ? l->ck_len + 1 : 0);
		if (bl > (size_t)l->ck_len)
			bl = (size_t)l->ck_len;
		memcpy(dst, b, bl);
		dst[bl] = 0;
		v->ck[res] = dst;
		return;
	}
}

void http_cap_headers(struct stream *s, int res)
{
	const struct http_cap_list *l = s->fe ? s->fe->caps : NULL;
	struct http_txn *txn = s->http;
	const struct http_msg *m;
	char buf[HTTP_REQ_LINE_MAX * 4];

	if (!res)
		http_cap_reset(s);      /* a new request: a new transaction's captures */
	if (!l || (!l->nb[res] && !l->ck_name) || !txn)
		return;
	m = res ? &txn->rsp : &txn->req;
	if (!http_msg_ready(m))
		return;
	if (l->ck_name)
		cap_cookie(s, l, m, res);
	for (int i = 0; i < l->nb[res]; i++) {
		const struct cap_decl *d = &l->d[res][i];
		int h = -1, last = -1;
		size_t vl;
		if (!d->hdr)
			continue;
		while ((h = http_hdr_find(m, d->hdr, d->hlen, h + 1)) >= 0)
			last = h;
		if (last < 0)
			continue;
		const char *val = http_hdr_value(m, last, buf, sizeof(buf), &vl);
		if (val)
			http_cap_store(s, res, i, val, vl);
	}
}

void http_cap_log(const struct stream *s, struct logfmt_http *h)
{
	const struct http_cap_list *l = s->fe ? s->fe->caps : NULL;
	const struct http_cap_vals *v = s->caps;
	static const char *const none[HTTP_CAP_MAX];

	if (!l)
		return;
	h->nb_req_caps = l->nb[0];
	h->nb_res_caps = l->nb[1];
	h->req_caps = v ? v->ptrs[0] : none;
	h->res_caps = v ? v->ptrs[1] : none;
	if (v && v->ck[0])
		h->cookie_cli = v->ck[0];
	if (v && v->ck[1])
		h->cookie_srv = v->ck[1];
}

void http_cap_reset(struct stream *s)
{
	struct http_cap_vals *v = s->caps;
	if (!v)
		return;
	s->caps = NULL;
	v->next_free = cap_free;
	cap_free = v;
}

void http_cap_pool_free(void)
{
	while (cap_free) {
		struct http_cap_vals *v = cap_free;

		cap_free = v->next_free;
		free(v);
	}
}


/* ---- fetches ---- */

static int f_cap_hdr(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	int res = *(const int *)ctx->priv;
	const struct http_cap_vals *v = ctx->strm ? ctx->strm->caps : NULL;
	int64_t id = args[0].type == ARGT_SINT ? args[0].u.sint : 0;

	if (!v || id < 0 || id >= v->l->nb[res] || !v->ptrs[res][id])
		return 0;
	smp_set_const_str(smp, v->ptrs[res][id], strlen(v->ptrs[res][id]));
	return 1;
}

static const int cap_req = 0, cap_res = 1;

const struct sample_fetch smp_fetch_cap_table[] = {
	{ "capture.req.hdr", f_cap_hdr, ARG1(1, SINT), NULL, SMP_T_STR, SMP_USE_L7 | SMP_USE_ANYDIR, &cap_req },
	{ "capture.res.hdr", f_cap_hdr, ARG1(1, SINT), NULL, SMP_T_STR, SMP_USE_L7 | SMP_USE_RES, &cap_res },
	{ NULL, NULL, 0, NULL, 0, 0, NULL },
};
