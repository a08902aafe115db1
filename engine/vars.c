/* vars.c: HAProxy variables. A variable set is a short singly linked list
 * (a few tens of names at most, as in HAProxy); each variable holds a typed
 * copy of a sample. Nodes come from a per-thread free list and keep values
 * up to VAR_INLINE bytes inline, so setting a small variable on the data
 * path does not allocate once the thread has warmed up. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/vars.h"
#include "engine/stream.h"

#define VAR_INLINE 64
#define VAR_NAME_INLINE 32
#define VAR_FREE_MAX 1024       /* nodes kept on a thread's free list */

struct var {
	struct var *next;
	size_t nlen;
	char name[VAR_NAME_INLINE];   /* when nlen < VAR_NAME_INLINE, else in <lname> */
	char *lname;                  /* long name, malloc'd */
	struct sample smp;            /* u.str.ptr points to <ibuf> or <heap> */
	char *heap;                   /* malloc'd value when larger than VAR_INLINE */
	size_t heap_size;
	char ibuf[VAR_INLINE];
};

/* Per-thread state: the proc-scope variables (HAProxy shares them between
 * threads; ringproxy keeps one set per worker thread until shared state is
 * published by pointer swap) and the free list of nodes. */
static __thread struct vars proc_vars;
static __thread struct var *free_vars;
static __thread unsigned nb_free_vars;

static const struct { const char *pfx; size_t len; enum var_scope scope; } scopes[] = {
	{ "proc.", 5, VAR_SCOPE_PROC }, { "sess.", 5, VAR_SCOPE_SESS }, { "txn.", 4, VAR_SCOPE_TXN },
	{ "req.", 4, VAR_SCOPE_REQ }, { "res.", 4, VAR_SCOPE_RES },
};

int vars_parse_ref(const char *s, size_t len, struct var_ref *ref, char *err, size_t errlen)
{
	const char *name = NULL;
	size_t nlen = 0;

	ref->name = NULL;
	ref->len = 0;
	if (len == 0) {
		snprintf(err, errlen, "Empty variable name cannot be accepted");
		return -1;
	}
	for (size_t i = 0; i < sizeof(scopes) / sizeof(*scopes); i++) {
		if (len > scopes[i].len && !strncmp(s, scopes[i].pfx, scopes[i].len)) {
			ref->scope = scopes[i].scope;
			name = s + scopes[i].len;
			nlen = len - scopes[i].len;
			break;
		}
	}
	if (!name) {
		if (len > 6 && !strncmp(s, "check.", 6))
			snprintf(err, errlen, "variable scope 'check' is not supported in '%.*s'", (int)len, s);
		else
			snprintf(err, errlen, "invalid variable name '%.*s'. A variable name must be start by its scope. "
			         "The scope can be 'proc', 'sess', 'txn', 'req', 'res' or 'check'", (int)len, s);
		return -1;
	}
	for (size_t i = 0; i < nlen; i++) {
		if (!isalnum((unsigned char)name[i]) && name[i] != '_' && name[i] != '.') {
			snprintf(err, errlen, "invalid syntax at char '%.*s'", (int)(nlen - i), name + i);
			return -1;
		}
	}
	ref->name = malloc(nlen + 1);
	if (!ref->name) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	memcpy(ref->name, name, nlen);
	ref->name[nlen] = 0;
	ref->len = nlen;
	return 0;
}

void vars_ref_free(struct var_ref *ref)
{
	free(ref->name);
	ref->name = NULL;
	ref->len = 0;
}

struct vars *vars_of(struct stream *strm, enum var_scope scope)
{
	if (scope == VAR_SCOPE_PROC)
		return &proc_vars;
	if (!strm)
		return NULL;
	switch (scope) {
	case VAR_SCOPE_SESS: return &strm->vars_sess;
	case VAR_SCOPE_TXN:  return &strm->vars_txn;
	case VAR_SCOPE_REQ:  return &strm->vars_req;
	case VAR_SCOPE_RES:  return &strm->vars_res;
	default:             return NULL;
	}
}

static const char *var_name(const struct var *v)
{
	return v->lname ? v->lname : v->name;
}

static struct var *var_find(const struct vars *vs, const struct var_ref *ref, struct var ***prevp)
{
	struct var **pp = (struct var **)&vs->first;

	for (; *pp; pp = &(*pp)->next) {
		if ((*pp)->nlen == ref->len && !memcmp(var_name(*pp), ref->name, ref->len)) {
			if (prevp)
				*prevp = pp;
			return *pp;
		}
	}
	return NULL;
}

static size_t var_value_size(const struct var *v)
{
	switch (v->smp.type) {
	case SMP_T_STR: case SMP_T_BIN: case SMP_T_METH:
		return v->smp.u.str.len;
	default:
		return sizeof(v->smp.u);
	}
}

/* Releases <v>'s value storage (not the node). */
static void var_drop_value(struct var *v)
{
	free(v->heap);
	v->heap = NULL;
	v->heap_size = 0;
}

static void var_release(struct var *v)
{
	var_drop_value(v);
	free(v->lname);
	v->lname = NULL;
	if (nb_free_vars < VAR_FREE_MAX) {
		v->next = free_vars;
		free_vars = v;
		nb_free_vars++;
	} else {
		free(v);
	}
}

static struct var *var_alloc(void)
{
	struct var *v = free_vars;

	if (v) {
		free_vars = v->next;
		nb_free_vars--;
	} else {
		v = malloc(sizeof(*v));
		if (!v)
			return NULL;
	}
	v->next = NULL;
	v->lname = NULL;
	v->heap = NULL;
	v->heap_size = 0;
	v->nlen = 0;
	return v;
}

/* Returns a new variable named after <ref> with no value (SMP_T_ANY),
 * not linked yet, or NULL. */
static struct var *var_new(const struct var_ref *ref)
{
	struct var *v = var_alloc();

	if (!v)
		return NULL;
	if (ref->len < VAR_NAME_INLINE) {
		memcpy(v->name, ref->name, ref->len);
		v->name[ref->len] = 0;
	} else {
		v->lname = malloc(ref->len + 1);
		if (!v->lname) {
			var_release(v);
			return NULL;
		}
		memcpy(v->lname, ref->name, ref->len);
		v->lname[ref->len] = 0;
	}
	v->nlen = ref->len;
	v->smp.type = SMP_T_ANY;
	v->smp.flags = 0;
	return v;
}

int vars_declare(const struct var_ref *ref)
{
	struct var *v;

	if (ref->scope != VAR_SCOPE_PROC || var_find(&proc_vars, ref, NULL))
		return 0;
	if (!(v = var_new(ref)))
		return -ENOMEM;
	v->next = proc_vars.first;
	proc_vars.first = v;
	proc_vars.size += var_value_size(v);    /* as vars_set() counts it */
	return 0;
}

int vars_exists(const struct vars *vs, const struct var_ref *ref)
{
	return vs && var_find(vs, ref, NULL);
}

int vars_set(struct vars *vs, const struct var_ref *ref, const struct sample *smp)
{
	struct var *v = var_find(vs, ref, NULL);
	int is_new = 0;

	if (!v) {
		v = var_new(ref);
		if (!v)
			return -ENOMEM;
		is_new = 1;
	} else {
		vs->size -= var_value_size(v);
	}

	switch (smp->type) {
	case SMP_T_STR: case SMP_T_BIN: case SMP_T_METH: {
		size_t len = smp->u.str.len;
		char *dst, *old = NULL;

		if (len < VAR_INLINE) {
			dst = v->ibuf;
		} else if (v->heap && v->heap_size > len) {
			dst = v->heap;
		} else {
			dst = malloc(len + 1);
			if (!dst) {
				if (is_new)
					var_release(v);
				else
					vs->size += var_value_size(v);
				return -ENOMEM;
			}
			old = v->heap;
			v->heap = dst;
			v->heap_size = len + 1;
		}
		/* <smp> may point into this variable's own storage (set-var
		 * of var()): memmove, and free the old value only after */
		memmove(dst, smp->u.str.ptr, len);
		dst[len] = 0;
		free(old);
		v->smp.type = smp->type;
		v->smp.u.str.ptr = dst;
		v->smp.u.str.len = len;
		v->smp.u.str.size = 0;
		if (dst == v->ibuf)
			var_drop_value(v);
		break;
	}
	default:
		var_drop_value(v);
		v->smp.type = smp->type;
		v->smp.u = smp->u;
		break;
	}
	v->smp.flags = 0;
	vs->size += var_value_size(v);
	if (is_new) {
		v->next = vs->first;
		vs->first = v;
	}
	return 0;
}

static const struct { const char *name; unsigned flag; } conds[] = {
	{ "ifexists", VARS_IFEXISTS }, { "ifnotexists", VARS_IFNOTEXISTS },
	{ "ifempty", VARS_IFEMPTY }, { "ifnotempty", VARS_IFNOTEMPTY },
	{ "ifset", VARS_IFSET }, { "ifnotset", VARS_IFNOTSET },
	{ "ifgt", VARS_IFGT }, { "iflt", VARS_IFLT },
};

int vars_parse_cond(const char *s, size_t len, unsigned *flags, char *err, size_t errlen)
{
	for (size_t i = 0; i < sizeof(conds) / sizeof(*conds); i++) {
		if (strlen(conds[i].name) == len && !memcmp(conds[i].name, s, len)) {
			*flags |= conds[i].flag;
			return 0;
		}
	}
	snprintf(err, errlen, "unknown condition \"%.*s\"", (int)len, s);
	return -1;
}

/* A variable "exists" once set, or, in the proc scope, once the
 * configuration names it (vars_declare(): no value yet); it is "set" when
 * it holds a value. unset-var removes it. */
int vars_set_cond(struct vars *vs, const struct var_ref *ref, const struct sample *smp, unsigned c)
{
	const struct var *v = var_find(vs, ref, NULL);
	int has = v && v->smp.type != SMP_T_ANY;
	int is_str = smp->type == SMP_T_STR || smp->type == SMP_T_BIN;

	if (((c & VARS_IFEXISTS) && !v) || ((c & VARS_IFSET) && !has))
		return 0;
	if (((c & VARS_IFNOTEXISTS) && v) || ((c & VARS_IFNOTSET) && has))
		return 0;
	if ((c & VARS_IFEMPTY) && (!is_str || smp->u.str.len))
		return 0;
	if ((c & VARS_IFNOTEMPTY) && is_str && !smp->u.str.len)
		return 0;
	if (v && v->smp.type == SMP_T_SINT && smp->type == SMP_T_SINT) {
		if ((c & VARS_IFGT) && !(v->smp.u.sint > smp->u.sint))
			return 0;
		if ((c & VARS_IFLT) && !(v->smp.u.sint < smp->u.sint))
			return 0;
	}
	return vars_set(vs, ref, smp) < 0 ? -ENOMEM : 1;
}

int vars_get(const struct vars *vs, const struct var_ref *ref, struct sample *smp)
{
	const struct var *v;

	if (!vs)
		return 0;
	v = var_find(vs, ref, NULL);
	if (!v || v->smp.type == SMP_T_ANY)
		return 0;                             /* declared, no value */
	*smp = v->smp;
	if (smp->type == SMP_T_STR || smp->type == SMP_T_BIN || smp->type == SMP_T_METH) {
		smp->flags = SMP_F_CONST;
		smp->u.str.size = 0;
	} else {
		smp->flags = 0;
	}
	return 1;
}

void vars_unset(struct vars *vs, const struct var_ref *ref)
{
	struct var **pp;
	struct var *v;

	if (!vs)
		return;
	v = var_find(vs, ref, &pp);
	if (!v)
		return;
	*pp = v->next;
	vs->size -= var_value_size(v);
	var_release(v);
}

void vars_clear(struct vars *vs)
{
	struct var *v, *n;

	if (!vs)
		return;
	for (v = vs->first; v; v = n) {
		n = v->next;
		var_release(v);
	}
	vs->first = NULL;
	vs->size = 0;
}

/* Renders <fmt> with no stream into <out> (see vars_set_proc_now()).
 * Returns the length, or -1 with <err>. */
static long fmt_render_now(const char *fmt, char *out, size_t outsz, char *err, size_t errlen)
{
	size_t n = 0;

	for (const char *p = fmt; *p;) {
		const char *end = p + 1;
		struct smp_ctx ctx = { .final = 1 };
		struct sample smp;
		struct sample_expr *e;

		if (p[0] != '%' || p[1] == '%') {
			if (n < outsz - 1)
				out[n++] = *p;
			p += p[0] == '%' ? 2 : 1;
			continue;
		}
		if (p[1] != '[') {
			snprintf(err, errlen, "only %%[expr] blocks are available here, not '%.10s'.", p);
			return -1;
		}
		if (!(e = sample_expr_parse(p + 2, &end, NULL, err, errlen)))
			return -1;
		if (*end != ']' || !(e->fetch->use & SMP_USE_INT)) {
			if (*end != ']')
				snprintf(err, errlen, "missing ']' after the expression in '%s'.", fmt);
			else
				snprintf(err, errlen, "fetch method '%s' extracts information that is not available here.",
				         e->fetch->name);
			sample_expr_free(e);
			return -1;
		}
		memset(&smp, 0, sizeof(smp));
		if (sample_expr_eval(e, &ctx, &smp) && sample_cast(&smp, SMP_T_STR)) {
			size_t l = smp.u.str.len < outsz - 1 - n ? smp.u.str.len : outsz - 1 - n;

			memcpy(out + n, smp.u.str.ptr, l);
			n += l;
		}
		sample_expr_free(e);
		p = end + 1;
	}
	return (long)n;
}

int vars_set_proc_now(const struct var_ref *ref, const char *fmt, char *const *words, int nwords,
                      int *idx, char *err, size_t errlen)
{
	struct smp_ctx ctx = { .final = 1 };
	struct sample smp = { 0 };
	struct sample_expr *e = NULL;
	char out[4096];
	int ret = 0;

	if (fmt) {
		long n = fmt_render_now(fmt, out, sizeof(out), err, errlen);

		if (n < 0)
			return -1;
		smp.type = SMP_T_STR;
		smp.u.str.ptr = out;
		smp.u.str.len = (size_t)n;
	} else {
		if (!(e = sample_expr_parse_words(words, nwords, idx, NULL, err, errlen)))
			return -1;
		if (!(e->fetch->use & SMP_USE_INT)) {
			snprintf(err, errlen, "%s", e->fetch->name);
			ret = -2;
			goto out;
		}
		if (!sample_expr_eval(e, &ctx, &smp))
			goto out;           /* nothing found: the variable stays as it was */
	}
	/* before the expression is freed: the sample may point into it */
	if (vars_set(vars_of(NULL, VAR_SCOPE_PROC), ref, &smp) < 0) {
		snprintf(err, errlen, "out of memory.");
		ret = -1;
	}
out:
	sample_expr_free(e);
	return ret;
}
