/* acl.c: the "acl" keyword, predefined ACLs and conditions. An ACL is an
 * OR of terms (one per "acl" line of that name); a term is a sample
 * expression, a match kind and pattern views (inline patterns, -f files).
 * A condition is an OR of suites, a suite an AND of (possibly negated)
 * ACLs. Tri-state logic as HAProxy's: FAIL=0, MISS=1, PASS=3, so that
 * AND is "&" and OR is "|". */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "engine/acl.h"
#include "engine/pattern.h"
#include "engine/proxy.h"

enum { T_FAIL = 0, T_MISS = 1, T_PASS = 3 };

/* Most values one term tests from a multi-value fetch (a bound against a
 * fetch that would never say SMP_F_NOT_LAST is over). */
#define ACL_MAX_VALUES 1024

struct acl_term {
	struct acl_term *next;      /* OR: the next "acl" line of the same name */
	struct sample_expr *expr;
	char *kw;                   /* fetch name, for messages */
	enum pat_match kind;
	struct pat_list *inline_pats;   /* owned; NULL when there are none */
	struct pat_expr **views;    /* inline patterns then each -f file */
	int nb_views;
	unsigned use;               /* the fetch's SMP_USE_* */
};

struct acl {
	struct acl *next;           /* in the proxy's list */
	char *name;                 /* NULL for an anonymous ACL */
	struct acl_term *terms, **tail;
	unsigned use;               /* OR of the terms' */
};

struct acl_list {
	struct acl *first;
};

struct cond_term {
	const struct acl *acl;
	int neg;
};

struct cond_suite {
	struct cond_term *t;
	int nb;
};

struct acl_cond {
	int unless;
	struct cond_suite *suites;
	int nb_suites;
	struct acl **anon;          /* anonymous ACLs this condition owns */
	int nb_anon;
	unsigned use;
};

/* Predefined ACLs, instantiated in a proxy's list the first time a
 * condition of that proxy names them. Those over HTTP fetches are refused
 * with a clear message until the registry has the fetch. */
static const struct { const char *name, *def; } acl_predef[] = {
	{ "TRUE",           "always_true" },
	{ "FALSE",          "always_false" },
	{ "LOCALHOST",      "src 127.0.0.1/8 ::1" },
	{ "HTTP",           "req.proto_http" },
	{ "HTTP_1.0",       "req.ver 1.0" },
	{ "HTTP_1.1",       "req.ver 1.1" },
	{ "HTTP_2.0",       "req.ver 2.0" },
	{ "HTTP_3.0",       "req.ver 3.0" },
	{ "METH_CONNECT",   "method CONNECT" },
	{ "METH_DELETE",    "method DELETE" },
	{ "METH_GET",       "method GET HEAD" },
	{ "METH_HEAD",      "method HEAD" },
	{ "METH_OPTIONS",   "method OPTIONS" },
	{ "METH_POST",      "method POST" },
	{ "METH_PUT",       "method PUT" },
	{ "METH_TRACE",     "method TRACE" },
	{ "HTTP_URL_ABS",   "url -m reg ^[^/:]*://" },
	{ "HTTP_URL_SLASH", "url -m beg /" },
	{ "HTTP_URL_STAR",  "url *" },
	{ "HTTP_CONTENT",   "req.hdr_val(content-length) gt 0" },
	{ "RDP_COOKIE",     "req.rdp_cookie_cnt gt 0" },
	{ "REQ_CONTENT",    "req.len gt 0" },
	{ "WAIT_END",       "wait_end" },
};

/* ACL keywords that are a fetch plus a match kind (HAProxy's "path_beg",
 * "hdr_sub(host)"...). A row whose fetch is not registered yet (HTTP
 * fetches) gives "unknown fetch method". */
static const struct { const char *kw, *fetch; enum pat_match kind; } acl_alias[] = {
	{ "base_beg", "base", PAT_MATCH_BEG }, { "base_dir", "base", PAT_MATCH_DIR },
	{ "base_dom", "base", PAT_MATCH_DOM }, { "base_end", "base", PAT_MATCH_END },
	{ "base_len", "base", PAT_MATCH_LEN }, { "base_reg", "base", PAT_MATCH_REG },
	{ "base_sub", "base", PAT_MATCH_SUB },
	{ "cook_beg", "req.cook", PAT_MATCH_BEG }, { "cook_dir", "req.cook", PAT_MATCH_DIR },
	{ "cook_dom", "req.cook", PAT_MATCH_DOM }, { "cook_end", "req.cook", PAT_MATCH_END },
	{ "cook_len", "req.cook", PAT_MATCH_LEN }, { "cook_reg", "req.cook", PAT_MATCH_REG },
	{ "cook_sub", "req.cook", PAT_MATCH_SUB },
	{ "hdr", "req.hdr", PAT_MATCH_STR },       /* the fetch reads either side; the ACL the request */
	{ "hdr_beg", "req.hdr", PAT_MATCH_BEG }, { "hdr_dir", "req.hdr", PAT_MATCH_DIR },
	{ "hdr_dom", "req.hdr", PAT_MATCH_DOM }, { "hdr_end", "req.hdr", PAT_MATCH_END },
	{ "hdr_len", "req.hdr", PAT_MATCH_LEN }, { "hdr_reg", "req.hdr", PAT_MATCH_REG },
	{ "hdr_sub", "req.hdr", PAT_MATCH_SUB },
	{ "path_beg", "path", PAT_MATCH_BEG }, { "path_dir", "path", PAT_MATCH_DIR },
	{ "path_dom", "path", PAT_MATCH_DOM }, { "path_end", "path", PAT_MATCH_END },
	{ "path_len", "path", PAT_MATCH_LEN }, { "path_reg", "path", PAT_MATCH_REG },
	{ "path_sub", "path", PAT_MATCH_SUB },
	{ "req_rdp_cookie", "req.rdp_cookie", PAT_MATCH_STR },
	{ "req_rdp_cookie_cnt", "req.rdp_cookie_cnt", PAT_MATCH_INT },
	{ "req_ssl_sni", "req.ssl_sni", PAT_MATCH_STR },
	{ "scook_beg", "res.cook", PAT_MATCH_BEG }, { "scook_dir", "res.cook", PAT_MATCH_DIR },
	{ "scook_dom", "res.cook", PAT_MATCH_DOM }, { "scook_end", "res.cook", PAT_MATCH_END },
	{ "scook_len", "res.cook", PAT_MATCH_LEN }, { "scook_reg", "res.cook", PAT_MATCH_REG },
	{ "scook_sub", "res.cook", PAT_MATCH_SUB },
	{ "shdr_beg", "res.hdr", PAT_MATCH_BEG }, { "shdr_dir", "res.hdr", PAT_MATCH_DIR },
	{ "shdr_dom", "res.hdr", PAT_MATCH_DOM }, { "shdr_end", "res.hdr", PAT_MATCH_END },
	{ "shdr_len", "res.hdr", PAT_MATCH_LEN }, { "shdr_reg", "res.hdr", PAT_MATCH_REG },
	{ "shdr_sub", "res.hdr", PAT_MATCH_SUB },
	{ "ssl_fc_sni_end", "ssl_fc_sni", PAT_MATCH_END }, { "ssl_fc_sni_reg", "ssl_fc_sni", PAT_MATCH_REG },
	{ "url_beg", "url", PAT_MATCH_BEG }, { "url_dir", "url", PAT_MATCH_DIR },
	{ "url_dom", "url", PAT_MATCH_DOM }, { "url_end", "url", PAT_MATCH_END },
	{ "url_len", "url", PAT_MATCH_LEN }, { "url_reg", "url", PAT_MATCH_REG },
	{ "url_sub", "url", PAT_MATCH_SUB },
	{ "urlp_beg", "url_param", PAT_MATCH_BEG }, { "urlp_dir", "url_param", PAT_MATCH_DIR },
	{ "urlp_dom", "url_param", PAT_MATCH_DOM }, { "urlp_end", "url_param", PAT_MATCH_END },
	{ "urlp_len", "url_param", PAT_MATCH_LEN }, { "urlp_reg", "url_param", PAT_MATCH_REG },
	{ "urlp_sub", "url_param", PAT_MATCH_SUB },
};

/* ---- freeing ---- */

static void term_free(struct acl_term *t)
{
	sample_expr_free(t->expr);
	pat_list_free(t->inline_pats);
	free(t->views);
	free(t->kw);
	free(t);
}

static void acl_free(struct acl *a)
{
	struct acl_term *t, *nt;
	if (!a)
		return;
	for (t = a->terms; t; t = nt) {
		nt = t->next;
		term_free(t);
	}
	free(a->name);
	free(a);
}

void acl_list_free(struct acl_list *l)
{
	struct acl *a, *na;
	if (!l)
		return;
	for (a = l->first; a; a = na) {
		na = a->next;
		acl_free(a);
	}
	free(l);
}

void acl_cond_free(struct acl_cond *cond)
{
	if (!cond)
		return;
	for (int i = 0; i < cond->nb_suites; i++)
		free(cond->suites[i].t);
	free(cond->suites);
	for (int i = 0; i < cond->nb_anon; i++)
		acl_free(cond->anon[i]);
	free(cond->anon);
	free(cond);
}

/* ---- parsing a term: "<fetch> [flags] [op] <patterns>" ---- */

static int add_view(struct acl_term *t, struct pat_list *l, unsigned flags, char *err, size_t errlen)
{
	struct pat_expr *x = pat_expr_get(l, t->kind, flags, err, errlen);
	struct pat_expr **v;
	if (!x)
		return -1;
	if (!(v = realloc(t->views, (t->nb_views + 1) * sizeof(*v)))) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	t->views = v;
	t->views[t->nb_views++] = x;
	return 0;
}

static enum pat_match default_kind(enum smp_type out)
{
	switch (out) {
	case SMP_T_BOOL: return PAT_MATCH_BOOL;
	case SMP_T_SINT: return PAT_MATCH_INT;
	case SMP_T_IPV4:
	case SMP_T_IPV6: return PAT_MATCH_IP;
	case SMP_T_BIN:  return PAT_MATCH_BIN;
	default:         return PAT_MATCH_STR;
	}
}

/* Applies an int operator to <pat> as HAProxy does: a pattern holding ':'
 * or '-' is a range and ignores the operator; otherwise "gt 5" is "6:",
 * "le 5" is ":5"... Writes the pattern into <out>. Returns 0, or -1 when
 * <pat> is not a number. */
static int apply_op(const char *op, const char *pat, char *out, size_t outsz)
{
	char *e;
	if (strpbrk(pat, ":-") || !strcmp(op, "eq")) {
		snprintf(out, outsz, "%s", pat);
		return 0;
	}
	if (!*pat || strspn(pat, "0123456789") != strlen(pat))
		return -1;
	errno = 0;
	long long v = strtoll(pat, &e, 10);
	if (errno)
		return -1;
	if (!strcmp(op, "ge"))      snprintf(out, outsz, "%lld:", v);
	else if (!strcmp(op, "gt")) snprintf(out, outsz, "%lld:", v + 1);
	else if (!strcmp(op, "le")) snprintf(out, outsz, ":%lld", v);
	else                        snprintf(out, outsz, ":%lld", v - 1);   /* lt */
	return 0;
}

static int is_int_op(const char *s)
{
	return !strcmp(s, "eq") || !strcmp(s, "ge") || !strcmp(s, "gt") ||
	       !strcmp(s, "le") || !strcmp(s, "lt");
}

/* Parses one term from <args> (args[0] is the fetch keyword). <npat_warn>
 * is set when no pattern was given where one is expected (HAProxy warns).
 * Returns the term or NULL with a message in <err>. */
static struct acl_term *term_parse(struct cfg_ctx *c, char **args, int nargs, int *npat_warn,
                                   char *err, size_t errlen)
{
	struct acl_term *t = calloc(1, sizeof(*t));
	const char *kw = nargs > 0 ? args[0] : "";
	char buf[1024], desc[512];
	const char *fetch_str = kw;
	int kind = -1, icase = 0, i, dashdash = 0, nb_pats = 0, nb_files = 0;
	const char *op = NULL;

	*npat_warn = 0;
	if (!t)
		goto nomem;
	if (!*kw) {
		snprintf(err, errlen, "missing fetch method in ACL expression ''");
		goto fail;
	}
	/* alias: "path_beg" -> "path" + beg, "hdr_sub(host)" -> "req.hdr(host)" + sub */
	size_t kwlen = strcspn(kw, "(,"), typed = kwlen;
	for (size_t a = 0; a < sizeof(acl_alias) / sizeof(acl_alias[0]); a++) {
		if (strlen(acl_alias[a].kw) == kwlen && !strncmp(acl_alias[a].kw, kw, kwlen)) {
			snprintf(buf, sizeof(buf), "%s%s", acl_alias[a].fetch, kw + kwlen);
			fetch_str = buf;
			kind = acl_alias[a].kind;
			kwlen = strlen(acl_alias[a].fetch);
			break;
		}
	}
	const struct sample_fetch *f = sample_fetch_find(fetch_str, kwlen);
	if (!f) {
		snprintf(err, errlen, "unknown fetch method '%.*s' in ACL expression '%s'",
		         (int)kwlen, fetch_str, kw);
		goto fail;
	}
	if (!(t->kw = strndup(kw, typed)))   /* messages name the keyword as written */
		goto nomem;
	t->use = f->use;
	const char *end = NULL;
	char why[512];
	t->expr = sample_expr_parse(fetch_str, &end, c->px, why, sizeof(why));
	if (!t->expr) {
		snprintf(err, errlen, "%s in ACL expression '%s'", why, kw);
		goto fail;
	}
	if (end && *end) {
		snprintf(err, errlen, "unexpected character '%c' after the fetch in ACL expression '%s'",
		         *end, kw);
		goto fail;
	}
	enum smp_type out = t->expr->nb_convs ? t->expr->convs[t->expr->nb_convs - 1].conv->out
	                                      : f->out;

	/* flags; "-f" files are loaded once the kind is known */
	const char *files[64];
	unsigned files_map[64];
	int map_next = 0;
	for (i = 1; i < nargs && args[i][0] == '-' && !dashdash; i++) {
		const char *fl = args[i];
		if (!strcmp(fl, "--")) {
			dashdash = 1;
		} else if (!strcmp(fl, "-i")) {
			icase = 1;
		} else if (!strcmp(fl, "-n")) {
			/* no DNS resolution: we never resolve names in patterns */
		} else if (!strcmp(fl, "-M")) {
			map_next = 1;
		} else if (!strcmp(fl, "-f") || !strcmp(fl, "-m") || !strcmp(fl, "-u")) {
			/* a missing argument reads as "", giving HAProxy's messages */
			const char *v = i + 1 < nargs ? args[++i] : "";
			if (fl[1] == 'm') {
				if (nb_files) {
					snprintf(err, errlen, "'-m' must only be specified before patterns and files in parsing ACL expression.");
					goto fail;
				}
				if ((kind = pat_match_parse(v)) < 0) {
					snprintf(err, errlen, "unknown matching method '%s' when parsing ACL expression.", v);
					goto fail;
				}
			} else if (fl[1] == 'f') {
				if (nb_files == 64) {
					snprintf(err, errlen, "too many '-f' files");
					goto fail;
				}
				files_map[nb_files] = map_next;
				files[nb_files++] = v;
			}
		} else {
			snprintf(err, errlen, "'%s' is not a valid ACL option. Please use '--' before any pattern beginning with a '-'.", fl);
			goto fail;
		}
	}
	if (kind < 0) {
		if (out == SMP_T_BIN && i < nargs) {
			/* HAProxy refuses to guess for binary fetches */
			snprintf(err, errlen, "matching method must be specified first (using '-m') when using a sample fetch of this type ('%s').", t->kw);
			goto fail;
		}
		kind = default_kind(out);
	}
	t->kind = kind;

	/* files first, then inline patterns: HAProxy's list ids follow this order */
	for (int k = 0; k < nb_files; k++) {
		struct pat_list *l = pat_list_find(files[k]);
		int fresh = !l;
		if (!(l = pat_list_load(files[k], files_map[k], err, errlen)))
			goto fail;
		if (fresh) {
			snprintf(desc, sizeof(desc), "pattern loaded from file '%s' used by acl at file '%s' line %d",
			         files[k], c->file ? c->file : "", c->line);
			pat_list_set_desc(l, desc);
		}
		if (add_view(t, l, icase ? PAT_F_ICASE : 0, err, errlen) < 0)
			goto fail;
	}
	/* inline patterns */
	if (i < nargs && kind != PAT_MATCH_FOUND && kind != PAT_MATCH_BOOL) {
		if (!(t->inline_pats = pat_list_new(NULL, 0)))
			goto nomem;
		snprintf(desc, sizeof(desc), "acl '%.*s' file '%s' line %d", (int)strcspn(kw, "(,"), kw,
		         c->file ? c->file : "", c->line);
		pat_list_set_desc(t->inline_pats, desc);
		for (; i < nargs; i++) {
			const char *p = args[i];
			char range[64];
			if ((kind == PAT_MATCH_INT || kind == PAT_MATCH_LEN) && is_int_op(p)) {
				op = p;
				continue;
			}
			if (op && (kind == PAT_MATCH_INT || kind == PAT_MATCH_LEN)) {
				if (apply_op(op, p, range, sizeof(range)) < 0) {
					snprintf(err, errlen, "'%s' is not a number", p);
					goto fail;
				}
				p = range;
			}
			if (pat_check_key(kind, p, err, errlen) < 0)
				goto fail;
			if (pat_list_add_err(t->inline_pats, p, NULL, err, errlen) < 0)
				goto fail;
			nb_pats++;
		}
		if (add_view(t, t->inline_pats, icase ? PAT_F_ICASE : 0, err, errlen) < 0)
			goto fail;
	}
	if (!nb_pats && !nb_files && !dashdash && kind != PAT_MATCH_FOUND && kind != PAT_MATCH_BOOL)
		*npat_warn = 1;
	return t;
nomem:
	snprintf(err, errlen, "out of memory");
fail:
	if (t)
		term_free(t);
	return NULL;
}

static int acl_name_ok(const char *name, char *bad)
{
	for (const char *p = name; *p; p++) {
		if (!isalnum((unsigned char)*p) && *p != '.' && *p != '-' && *p != '_' && *p != ':') {
			*bad = *p;
			return 0;
		}
	}
	return 1;
}

static struct acl *acl_find(const struct acl_list *l, const char *name)
{
	for (struct acl *a = l ? l->first : NULL; a; a = a->next)
		if (a->name && !strcmp(a->name, name))
			return a;
	return NULL;
}

/* Returns the ACL <name> of <px>, created (empty) when <create>. */
static struct acl *acl_get(struct proxy *px, const char *name, int create)
{
	struct acl *a = acl_find(px->acls, name), **pp;
	if (a || !create)
		return a;
	if (!px->acls && !(px->acls = calloc(1, sizeof(*px->acls))))
		return NULL;
	if (!(a = calloc(1, sizeof(*a))) || !(a->name = strdup(name))) {
		free(a);
		return NULL;
	}
	a->tail = &a->terms;
	for (pp = &px->acls->first; *pp; pp = &(*pp)->next)
		;
	*pp = a;
	return a;
}

static void acl_add_term(struct acl *a, struct acl_term *t)
{
	if (!a->tail)
		a->tail = &a->terms;
	*a->tail = t;
	a->tail = &t->next;
	a->use |= t->use;
}

static void warn_no_pattern(struct cfg_ctx *c, const char *kw)
{
	(void)c;
	cfg_warning(NULL, "parsing acl keyword '%s' :\n"
	            "  no pattern to match against were provided, so this ACL will never match.\n"
	            "  If this is what you intended, please add '--' to get rid of this warning.\n"
	            "  If you intended to match only for existence, please use '-m found'.\n"
	            "  If you wanted to force an int to match as a bool, please use '-m bool'.\n", kw);
}

int acl_cfg_parse(struct cfg_ctx *c, char **args, int nargs)
{
	char bad, err[CFG_ERR_SIZE - 64];
	int warn;

	/* named defaults may hold ACLs for their own rules (not inherited) */
	if (!c->px || (c->sec == CFG_SEC_DEFAULTS && (!c->px->name || !*c->px->name))) {
		snprintf(c->err, sizeof(c->err), "'acl' not allowed in anonymous 'defaults' section.");
		return -1;
	}
	if (nargs < 2 || !*args[1]) {
		snprintf(c->err, sizeof(c->err), "'acl' expects an ACL name and a fetch method.");
		return -1;
	}
	if (!acl_name_ok(args[1], &bad)) {
		snprintf(c->err, sizeof(c->err), "character '%c' is not permitted in acl name '%s'.",
		         bad, args[1]);
		return -1;
	}
	struct acl_term *t = term_parse(c, args + 2, nargs - 2, &warn, err, sizeof(err));
	if (!t) {
		snprintf(c->err, sizeof(c->err), "error detected while parsing ACL '%s' : %s%s",
		         args[1], err, err[0] && err[strlen(err) - 1] == '.' ? "" : ".");
		return -1;
	}
	if (warn)
		warn_no_pattern(c, t->kw);
	struct acl *a = acl_get(c->px, args[1], 1);
	if (!a) {
		term_free(t);
		snprintf(c->err, sizeof(c->err), "out of memory");
		return -1;
	}
	acl_add_term(a, t);
	return 0;
}

/* Instantiates the predefined ACL <name> in <px>. Returns it, NULL when
 * <name> is not predefined (*err empty) or cannot be built (*err set). */
static struct acl *acl_predef_get(struct cfg_ctx *c, const char *name, char *err, size_t errlen)
{
	err[0] = 0;
	for (size_t i = 0; i < sizeof(acl_predef) / sizeof(acl_predef[0]); i++) {
		if (strcmp(acl_predef[i].name, name))
			continue;
		char def[128], *words[8];
		int n = 0, warn;
		snprintf(def, sizeof(def), "%s", acl_predef[i].def);
		for (char *s = strtok(def, " "); s && n < 8; s = strtok(NULL, " "))
			words[n++] = s;
		size_t fl = strcspn(words[0], "(");
		if (!sample_fetch_find(words[0], fl)) {
			snprintf(err, errlen, "predefined ACL '%s' needs the fetch '%.*s', which is not available",
			         name, (int)fl, words[0]);
			return NULL;
		}
		struct acl_term *t = term_parse(c, words, n, &warn, err, errlen);
		if (!t)
			return NULL;
		struct acl *a = acl_get(c->px, name, 1);
		if (!a) {
			term_free(t);
			snprintf(err, errlen, "out of memory");
			return NULL;
		}
		acl_add_term(a, t);
		return a;
	}
	return NULL;
}

/* ---- conditions ---- */

static int suite_add(struct acl_cond *cond, int new_suite, const struct acl *a, int neg)
{
	if (new_suite || !cond->nb_suites) {
		struct cond_suite *s = realloc(cond->suites, (cond->nb_suites + 1) * sizeof(*s));
		if (!s)
			return -1;
		cond->suites = s;
		memset(&s[cond->nb_suites++], 0, sizeof(*s));
	}
	struct cond_suite *s = &cond->suites[cond->nb_suites - 1];
	struct cond_term *t = realloc(s->t, (s->nb + 1) * sizeof(*t));
	if (!t)
		return -1;
	s->t = t;
	t[s->nb].acl = a;
	t[s->nb].neg = neg;
	s->nb++;
	cond->use |= a->use;
	return 0;
}

struct acl_cond *acl_cond_parse(struct cfg_ctx *c, char **args, int nargs)
{
	struct acl_cond *cond = calloc(1, sizeof(*cond));
	char err[CFG_ERR_SIZE - 128];
	int neg = 0, new_suite = 0, i;

	if (!cond)
		goto nomem;
	cond->unless = nargs > 0 && !strcmp(args[0], "unless");
	for (i = 1; i < nargs; i++) {
		const char *w = args[i];
		const struct acl *a;

		/* "!", "!name" and "!{" negate what follows, as in HAProxy */
		while (*w == '!') {
			neg = !neg;
			w++;
		}
		if (!*w)
			continue;
		if (!strcmp(w, "||") || !strcmp(w, "or")) {
			new_suite = cond->nb_suites > 0;
			neg = 0;
			continue;
		}
		if (!strcmp(w, "{")) {
			int j, warn;
			for (j = i + 1; j < nargs && strcmp(args[j], "}"); j++)
				;
			if (j == nargs) {
				snprintf(c->err, sizeof(c->err), "missing closing '}' in condition");
				goto fail;
			}
			struct acl_term *t = term_parse(c, args + i + 1, j - i - 1, &warn, err, sizeof(err));
			if (!t) {
				snprintf(c->err, sizeof(c->err), "%s", err);
				goto fail;
			}
			if (warn)
				warn_no_pattern(c, t->kw);
			struct acl *an = calloc(1, sizeof(*an)), **v;
			if (!an || !(v = realloc(cond->anon, (cond->nb_anon + 1) * sizeof(*v)))) {
				free(an);
				term_free(t);
				goto nomem;
			}
			cond->anon = v;
			v[cond->nb_anon++] = an;
			acl_add_term(an, t);
			a = an;
			i = j;
		} else {
			a = acl_find(c->px ? c->px->acls : NULL, w);
			if (!a && c->px) {
				a = acl_predef_get(c, w, err, sizeof(err));
				if (!a && err[0]) {
					snprintf(c->err, sizeof(c->err), "%s", err);
					goto fail;
				}
			}
			if (!a) {
				snprintf(c->err, sizeof(c->err), "no such ACL : '%s'", w);
				goto fail;
			}
		}
		if (suite_add(cond, new_suite, a, neg) < 0)
			goto nomem;
		neg = new_suite = 0;
	}
	return cond;
nomem:
	snprintf(c->err, sizeof(c->err), "out of memory");
fail:
	acl_cond_free(cond);
	return NULL;
}

/* ---- evaluation ---- */

/* Returns 1 if <smp> matches term <t>'s patterns. */
static int term_match(const struct acl_term *t, const struct sample *smp)
{
	if (t->kind == PAT_MATCH_FOUND || t->kind == PAT_MATCH_BOOL)
		return pat_match_sample(t->kind, smp);
	for (int i = 0; i < t->nb_views; i++)
		if (pat_expr_lookup(t->views[i], smp))
			return 1;
	return 0;
}

/* Returns T_PASS, T_FAIL or T_MISS for one term. A fetch returning several
 * values (SMP_F_NOT_LAST) has each tested, as HAProxy does. */
static int term_exec(const struct acl_term *t, struct smp_ctx *ctx)
{
	struct sample smp;
	int res = T_FAIL;

	ctx->iter = 0;
	ctx->iterate = 1;
	for (int n = 0; n < ACL_MAX_VALUES; n++) {
		/* sample_expr_eval() clears <smp> first */
		if (!sample_expr_eval(t->expr, ctx, &smp))
			break;
		if (term_match(t, &smp)) {
			res = T_PASS;
			break;
		}
		if (!(smp.flags & SMP_F_NOT_LAST))
			break;
	}
	ctx->iterate = 0;
	if (res != T_PASS && (smp.flags & SMP_F_MAY_CHANGE) && !ctx->final)
		res = T_MISS;
	return res;
}

static int acl_exec(const struct acl *a, struct smp_ctx *ctx)
{
	int res = T_FAIL;
	for (const struct acl_term *t = a->terms; t; t = t->next) {
		res |= term_exec(t, ctx);
		if (res == T_PASS)
			break;
	}
	return res;
}

enum acl_res acl_cond_exec(const struct acl_cond *cond, struct smp_ctx *ctx)
{
	int cres = T_FAIL;
	for (int s = 0; s < cond->nb_suites && cres != T_PASS; s++) {
		int sres = T_PASS;
		for (int i = 0; i < cond->suites[s].nb; i++) {
			const struct cond_term *ct = &cond->suites[s].t[i];
			int r = acl_exec(ct->acl, ctx);
			if (ct->neg && r != T_MISS)
				r = r == T_PASS ? T_FAIL : T_PASS;
			sres &= r;
			/* as HAProxy: a suite stops at its first term that is not
			 * true, so "missing data" there is the suite's result even if
			 * a later term would be false */
			if (sres != T_PASS)
				break;
		}
		cres |= sres;
	}
	if (cres == T_MISS)
		return ACL_MISS;
	if (cond->unless)
		return cres == T_PASS ? ACL_FALSE : ACL_TRUE;
	return cres == T_PASS ? ACL_TRUE : ACL_FALSE;
}

unsigned acl_cond_use(const struct acl_cond *cond)
{
	return cond->use;
}

/* Returns 1 if a fetch with SMP_USE_* bits <use> cannot work at <where>. */
static int use_conflicts(unsigned use, enum acl_where where)
{
	if (!use)
		return 0;               /* unknown: do not warn */
	switch (where) {
	case ACL_WHERE_CONN:
		return !(use & (SMP_USE_L4 | SMP_USE_INT));
	case ACL_WHERE_SESS:
		return !(use & (SMP_USE_L4 | SMP_USE_L5 | SMP_USE_INT));
	case ACL_WHERE_REQ:
		return (use & SMP_USE_RES) && !(use & SMP_USE_ANYDIR);
	case ACL_WHERE_RES:
		return (use & (SMP_USE_L6 | SMP_USE_L7)) && !(use & (SMP_USE_RES | SMP_USE_ANYDIR));
	}
	return 0;
}

const char *acl_cond_conflict(const struct acl_cond *cond, enum acl_where where, const char **acl_name,
                              int *all)
{
	for (int s = 0; s < cond->nb_suites; s++) {
		for (int i = 0; i < cond->suites[s].nb; i++) {
			const struct acl *a = cond->suites[s].t[i].acl;
			for (const struct acl_term *t = a->terms; t; t = t->next) {
				if (!use_conflicts(t->use, where))
					continue;
				*acl_name = a->name;
				*all = 1;
				for (const struct acl_term *o = a->terms; o; o = o->next)
					if (!use_conflicts(o->use, where))
						*all = 0;
				return t->kw;
			}
		}
	}
	return NULL;
}
