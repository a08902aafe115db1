/* patset.c: pattern sets. Every entry becomes one expression of a single
 * Hyperscan block database whose ids are the entry indexes; a scan keeps
 * the lowest id reported. Entries Hyperscan refuses (or would match
 * differently from PCRE2) go to a PCRE2 side list, tried in index order
 * only while they could still beat the Hyperscan answer. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "regex/patset.h"
#include "regex/rxint.h"

struct patset_side {
	int idx;                /* entry index */
	pcre2_code *re;
};

/* A built set. Invariants: <side> is sorted by <idx>; no id below
 * <hs_floor> is in <hs>; <always> <= every index that can match. */
struct patset {
	size_t n;               /* entries the set was built from */
	hs_database_t *hs;      /* NULL when no entry runs on Hyperscan */
	int hs_floor;           /* lowest id in <hs> */
	int always;             /* lowest index matching every subject, INT_MAX if none */
	struct patset_side *side;
	size_t nside;
};

static const char dir_delims[] = "/?";
static const char dom_delims[] = "/?.:";

static int is_delim(unsigned char c, const char *delims)
{
	return c && strchr(delims, c) != NULL;
}

/* Appends to <dst> (room checked by the caller: 4 bytes per input byte)
 * the bytes <p>/<len> as a literal inside a Hyperscan regex. Letters and
 * digits stay as they are (so that HS_FLAG_CASELESS applies to them),
 * everything else becomes \xHH. Returns the new end of <dst>. */
static char *put_literal(char *dst, const char *p, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
			*dst++ = (char)c;
		} else {
			*dst++ = '\\';
			*dst++ = 'x';
			*dst++ = hex[c >> 4];
			*dst++ = hex[c & 15];
		}
	}
	return dst;
}

/* Appends the class "[...]" of <delims> to <dst>; returns the new end. */
static char *put_class(char *dst, const char *delims)
{
	*dst++ = '[';
	dst = put_literal(dst, delims, strlen(delims));
	*dst++ = ']';
	return dst;
}

/* Returns, for a non-REG entry, the Hyperscan regex text (malloc'ed,
 * NUL-terminated) or NULL when out of memory. <*never> is set when the
 * entry can match nothing, <*always> when it matches every subject; no
 * text is returned then. */
static char *literal_regex(const struct patset_entry *e, int *never, int *always)
{
	const char *p = e->pat, *delims = NULL;
	size_t len = e->len;
	char *buf, *d;

	*never = *always = 0;
	if (e->kind == PATSET_DIR)
		delims = dir_delims;
	else if (e->kind == PATSET_DOM)
		delims = dom_delims;
	if (delims) {
		/* HAProxy strips delimiters around a word pattern, and an
		 * empty word matches nothing. */
		while (len && is_delim((unsigned char)*p, delims))
			p++, len--;
		while (len && is_delim((unsigned char)p[len - 1], delims))
			len--;
		if (!len) {
			*never = 1;
			return NULL;
		}
	} else if (!len && e->kind != PATSET_STR) {
		*always = 1;
		return NULL;
	}

	if (!(buf = malloc(4 * len + 64)))
		return NULL;
	d = buf;
	switch (e->kind) {
	case PATSET_STR:
		*d++ = '^';
		d = put_literal(d, p, len);
		memcpy(d, "\\z", 2), d += 2;
		break;
	case PATSET_BEG:
		*d++ = '^';
		d = put_literal(d, p, len);
		break;
	case PATSET_END:
		d = put_literal(d, p, len);
		memcpy(d, "\\z", 2), d += 2;
		break;
	case PATSET_SUB:
		d = put_literal(d, p, len);
		break;
	default: /* DIR, DOM: the word starts the subject or follows a
	          * delimiter, and ends it or precedes one */
		memcpy(d, "(?:^|", 5), d += 5;
		d = put_class(d, delims);
		*d++ = ')';
		d = put_literal(d, p, len);
		*d++ = '(';
		*d++ = '?';
		*d++ = ':';
		d = put_class(d, delims);
		memcpy(d, "|\\z)", 4), d += 4;
		break;
	}
	*d = 0;
	return buf;
}

static void set_err(char *err, size_t errlen, size_t *err_index, size_t idx, const char *fmt, const char *msg)
{
	if (err && errlen)
		snprintf(err, errlen, fmt, msg);
	if (err_index)
		*err_index = idx;
}

void patset_free(struct patset *ps)
{
	size_t i;

	if (!ps)
		return;
	if (ps->hs)
		hs_free_database(ps->hs);
	for (i = 0; i < ps->nside; i++)
		pcre2_code_free(ps->side[i].re);
	free(ps->side);
	free(ps);
}

struct patset *patset_build(const struct patset_entry *e, size_t n,
                            char *err, size_t errlen, size_t *err_index)
{
	struct patset *ps;
	char **expr = NULL;          /* per entry: Hyperscan text, or NULL */
	pcre2_code **re = NULL;      /* per REG entry: PCRE2 code */
	unsigned char *on_side = NULL;
	const char **hx = NULL;
	unsigned *hflags = NULL, *hids = NULL;
	size_t i, nh;
	char tmp[256];

	if (err_index)
		*err_index = (size_t)-1;
	if (n > INT_MAX - 1) {
		set_err(err, errlen, err_index, (size_t)-1, "%s", "too many patterns");
		return NULL;
	}
	if (!(ps = calloc(1, sizeof(*ps))))
		goto fail_nomem;
	ps->n = n;
	ps->always = INT_MAX;
	ps->hs_floor = INT_MAX;
	if (!n)
		return ps;

	expr = calloc(n, sizeof(*expr));
	re = calloc(n, sizeof(*re));
	on_side = calloc(n, 1);
	hx = calloc(n, sizeof(*hx));
	hflags = calloc(n, sizeof(*hflags));
	hids = calloc(n, sizeof(*hids));
	if (!expr || !re || !on_side || !hx || !hflags || !hids)
		goto fail_nomem_ps;

	/* Pass 1: translate literals, compile regexes with PCRE2 (it defines
	 * the syntax and its messages), decide who goes to the side list.
	 * Entries after one that matches everything can never win, but their
	 * syntax is still checked. */
	for (i = 0; i < n; i++) {
		int never, always;

		if (e[i].kind == PATSET_REG) {
			const char *why;
			hs_expr_info_t *info = NULL;
			hs_compile_error_t *cerr = NULL;

			re[i] = rxi_pcre_compile(e[i].pat, e[i].len, e[i].flags & PATSET_ICASE, tmp, sizeof(tmp));
			if (!re[i]) {
				set_err(err, errlen, err_index, i, "%s", tmp);
				goto fail;
			}
			if (!rxi_hs_agrees(e[i].pat, e[i].len, &why)) {
				on_side[i] = 1;
				continue;
			}
			if (!(expr[i] = malloc(e[i].len + 1)))
				goto fail_nomem_ps;
			memcpy(expr[i], e[i].pat, e[i].len);
			expr[i][e[i].len] = 0;
			if (hs_expression_info(expr[i], rxi_hs_flags(e[i].flags & PATSET_ICASE),
			                       &info, &cerr) != HS_SUCCESS) {
				hs_free_compile_error(cerr);
				free(expr[i]);
				expr[i] = NULL;
				on_side[i] = 1;
				continue;
			}
			free(info);
			continue;
		}
		if (e[i].kind > PATSET_REG) {
			set_err(err, errlen, err_index, i, "%s", "unknown match kind");
			goto fail;
		}
		expr[i] = literal_regex(&e[i], &never, &always);
		if (always) {
			ps->always = (int)i;
			continue;
		}
		if (!expr[i] && !never)
			goto fail_nomem_ps;
	}

	/* Pass 2: one database for everything Hyperscan takes. When it
	 * rejects one regex of the lot, that one moves to the side list and
	 * the rest is compiled again; a global failure (size limits) moves
	 * every regex there. */
	for (;;) {
		hs_compile_error_t *cerr = NULL;
		hs_error_t rc;

		nh = 0;
		for (i = 0; i < n && (int)i < ps->always; i++) {
			if (!expr[i] || on_side[i])
				continue;
			hx[nh] = expr[i];
			hflags[nh] = rxi_hs_flags(e[i].flags & PATSET_ICASE);
			hids[nh] = (unsigned)i;
			nh++;
		}
		if (!nh)
			break;
		rc = hs_compile_multi(hx, hflags, hids, (unsigned)nh, HS_MODE_BLOCK, NULL, &ps->hs, &cerr);
		if (rc == HS_SUCCESS) {
			ps->hs_floor = (int)hids[0];
			break;
		}
		ps->hs = NULL;
		if (cerr && cerr->expression >= 0 && e[hids[cerr->expression]].kind == PATSET_REG) {
			on_side[hids[cerr->expression]] = 1;
			hs_free_compile_error(cerr);
			continue;
		}
		if (cerr && cerr->expression < 0) {
			size_t moved = 0;

			for (i = 0; i < n; i++)
				if (e[i].kind == PATSET_REG && expr[i] && !on_side[i])
					on_side[i] = 1, moved++;
			if (moved) {
				hs_free_compile_error(cerr);
				continue;
			}
		}
		set_err(err, errlen, err_index,
		        cerr && cerr->expression >= 0 ? hids[cerr->expression] : (size_t)-1,
		        "%s", cerr ? cerr->message : "Hyperscan compile failed");
		hs_free_compile_error(cerr);
		goto fail;
	}
	if (ps->hs && rxi_scratch_reserve(ps->hs, tmp, sizeof(tmp)) < 0) {
		set_err(err, errlen, err_index, (size_t)-1, "%s", tmp);
		goto fail;
	}

	/* Side list, in index order; PCRE2 code of Hyperscan entries is freed. */
	for (i = 0; i < n; i++)
		if (on_side[i] && (int)i < ps->always)
			ps->nside++;
	if (ps->nside && !(ps->side = calloc(ps->nside, sizeof(*ps->side))))
		goto fail_nomem_ps;
	ps->nside = 0;
	for (i = 0; i < n; i++) {
		if (on_side[i] && (int)i < ps->always) {
			ps->side[ps->nside].idx = (int)i;
			ps->side[ps->nside].re = re[i];
			ps->nside++;
			re[i] = NULL;
		}
	}
	goto done;

fail_nomem_ps:
	set_err(err, errlen, err_index, (size_t)-1, "%s", "out of memory");
fail:
	patset_free(ps);
	ps = NULL;
done:
	for (i = 0; i < n; i++) {
		if (expr)
			free(expr[i]);
		if (re && re[i])
			pcre2_code_free(re[i]);
	}
	free(expr);
	free(re);
	free(on_side);
	free(hx);
	free(hflags);
	free(hids);
	return ps;
fail_nomem:
	set_err(err, errlen, err_index, (size_t)-1, "%s", "out of memory");
	return NULL;
}

size_t patset_count(const struct patset *ps)
{
	return ps ? ps->n : 0;
}

size_t patset_fallback_count(const struct patset *ps)
{
	return ps ? ps->nside : 0;
}

struct first_ctx {
	int best;
	int floor;
};

static int on_match(unsigned id, unsigned long long from, unsigned long long to,
                    unsigned fl, void *opaque)
{
	struct first_ctx *c = opaque;

	if ((int)id < c->best)
		c->best = (int)id;
	return c->best <= c->floor;   /* nothing lower can come: stop */
}

int patset_first(const struct patset *ps, const char *s, size_t n)
{
	struct first_ctx c;
	size_t i;

	if (!ps)
		return -1;
	if (!s)
		s = "";
	c.best = ps->always;
	c.floor = ps->hs_floor;
	if (ps->hs && ps->hs_floor < c.best) {
		hs_scratch_t *scr = rxi_scratch();

		if (scr) {
			hs_scan(ps->hs, s, n, 0, scr, on_match, &c);
		} else {
			/* No scratch (out of memory): this lookup fails
			 * closed rather than guessing. */
			return -1;
		}
	}
	for (i = 0; i < ps->nside && ps->side[i].idx < c.best; i++) {
		if (rxi_pcre_match(ps->side[i].re, s, n, 0) >= 0) {
			c.best = ps->side[i].idx;
			break;
		}
	}
	return c.best == INT_MAX ? -1 : c.best;
}
