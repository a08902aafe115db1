/* rx.c: single regular expressions with PCRE2 semantics, matched by a
 * literal comparison or Hyperscan where they agree with PCRE2, by PCRE2
 * (JIT) otherwise; capture groups always come from PCRE2. The per-thread
 * matching state lives in rxint.c. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "regex/rx.h"
#include "regex/rxint.h"

/* A compiled regex, matched by one of three engines: a plain literal
 * search when the pattern is a literal with optional ^/$ anchors (<lit>
 * set), Hyperscan (<hs> set), or PCRE2 alone (fallback: neither set).
 * <re> is always set: PCRE2 defines the syntax and extracts groups. */
struct rx {
	hs_database_t *hs;
	pcre2_code *re;
	unsigned flags;
	const char *why;        /* fallback reason: static text or <whybuf> */
	char whybuf[96];
	char *pat;              /* NUL-terminated copy of the pattern */
	size_t len;
	char *lit;              /* the literal, or NULL */
	size_t litlen;
	unsigned bol:1, eol:1;  /* "^" before it, "$" after it */
};

int rx_check(const char *pat, size_t len, unsigned flags, char *err, size_t errlen)
{
	pcre2_code *re = rxi_pcre_compile_nojit(pat, len, flags, err, errlen);

	if (!re)
		return -1;
	pcre2_code_free(re);
	return 0;
}

struct rx *rx_compile(const char *pat, size_t len, unsigned flags, char *err, size_t errlen)
{
	struct rx *r;
	hs_compile_error_t *cerr = NULL;
	int icase = !!(flags & RX_ICASE);

	if (!(r = calloc(1, sizeof(*r))))
		goto fail_nomem;
	if (!(r->pat = malloc(len + 1)))
		goto fail_r;
	memcpy(r->pat, pat, len);
	r->pat[len] = 0;
	r->len = len;
	r->flags = flags;

	if (!(r->re = rxi_pcre_compile(pat, len, flags, err, errlen)))
		goto fail_pat;

	if (flags & RX_FORCE_PCRE) {
		r->why = "PCRE2 requested";
		return r;
	}
	/* Most configuration regexes are literals ("^/api/", "\\.php$"):
	 * a byte comparison beats any engine's fixed cost. */
	if (!(r->lit = malloc(len + 1)))
		goto fail_re;
	{
		int bol, eol;

		if (rxi_literal(pat, len, r->lit, &r->litlen, &bol, &eol)) {
			r->bol = (unsigned)bol;
			r->eol = (unsigned)eol;
			return r;
		}
	}
	free(r->lit);
	r->lit = NULL;
	if (!rxi_hs_agrees(pat, len, &r->why))
		return r;
	if (hs_compile(r->pat, rxi_hs_flags(icase), HS_MODE_BLOCK, NULL, &r->hs, &cerr) != HS_SUCCESS) {
		/* Hyperscan refuses backreferences, lookaround, huge repeats...:
		 * PCRE2 already accepted the pattern, so it runs there. */
		r->hs = NULL;
		snprintf(r->whybuf, sizeof(r->whybuf), "not supported by Hyperscan: %s",
		         cerr && cerr->message ? cerr->message : "?");
		r->why = r->whybuf;
		hs_free_compile_error(cerr);
		return r;
	}
	if (rxi_scratch_reserve(r->hs, err, errlen) < 0)
		goto fail_hs;
	return r;

fail_hs:
	hs_free_database(r->hs);
fail_re:
	pcre2_code_free(r->re);
fail_pat:
	free(r->pat);
fail_r:
	free(r);
	return NULL;
fail_nomem:
	snprintf(err, errlen, "out of memory");
	return NULL;
}

void rx_free(struct rx *r)
{
	if (!r)
		return;
	if (r->hs)
		hs_free_database(r->hs);
	pcre2_code_free(r->re);
	free(r->lit);
	free(r->pat);
	free(r);
}

int rx_is_fallback(const struct rx *r)
{
	return !r->hs && !r->lit;
}

const char *rx_fallback_reason(const struct rx *r)
{
	return rx_is_fallback(r) ? r->why : NULL;
}

const char *rx_pattern(const struct rx *r)
{
	return r->pat;
}

unsigned rx_flags(const struct rx *r)
{
	return r->flags;
}

static int on_first_match(unsigned id, unsigned long long from, unsigned long long to,
                          unsigned fl, void *ctx)
{
	return 1;   /* one match is all we need: stop the scan */
}

/* Returns 1 when Hyperscan finds a match of <r> in <s>/<n>, 0 when not,
 * -1 when it could not scan (no scratch, subject over 4 GB): the caller
 * asks PCRE2. */
static int rx_hs_scan(const struct rx *r, const char *s, size_t n)
{
	hs_scratch_t *scr = rxi_scratch();
	hs_error_t e;

	if (!scr || n > UINT_MAX)
		return -1;
	e = hs_scan(r->hs, s ? s : "", (unsigned)n, 0, scr, on_first_match, NULL);
	if (e == HS_INVALID && (scr = rxi_scratch_refresh()))
		e = hs_scan(r->hs, s ? s : "", (unsigned)n, 0, scr, on_first_match, NULL);
	if (e == HS_SCAN_TERMINATED)
		return 1;
	if (e == HS_SUCCESS)
		return 0;
	return -1;
}

static inline unsigned char lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* Returns 1 when the <n> bytes at <a> and <b> are equal (ASCII case
 * folded when <icase>). */
static inline int lit_eq(const char *a, const char *b, size_t n, int icase)
{
	size_t i;

	if (!icase)
		return memcmp(a, b, n) == 0;
	for (i = 0; i < n; i++)
		if (lower((unsigned char)a[i]) != lower((unsigned char)b[i]))
			return 0;
	return 1;
}

/* Returns 1 when literal <r> matches <s>/<n> as PCRE would: "$" matches at
 * the end and before a final newline. */
static int lit_match(const struct rx *r, const char *s, size_t n)
{
	size_t l = r->litlen;
	int ic = !!(r->flags & RX_ICASE);
	unsigned char c0;

	if (r->eol && n && s[n - 1] == '\n') {
		/* "$" may match before the final newline too */
		if (r->bol)
			return (n == l && lit_eq(s, r->lit, l, ic)) ||
			       (n == l + 1 && lit_eq(s, r->lit, l, ic));
		return (n >= l && lit_eq(s + n - l, r->lit, l, ic)) ||
		       (n >= l + 1 && lit_eq(s + n - 1 - l, r->lit, l, ic));
	}
	if (n < l)
		return 0;
	if (r->bol)
		return (!r->eol || n == l) && lit_eq(s, r->lit, l, ic);
	if (r->eol)
		return lit_eq(s + n - l, r->lit, l, ic);
	c0 = (unsigned char)r->lit[0];
	if (!ic || lower(c0) == (c0 >= 'a' && c0 <= 'z' ? c0 - 32 : c0)) {
		/* memchr on the first byte, then compare: faster than memmem
		 * on the short needles and subjects seen here */
		const char *p = s, *last = s + n - l;

		while (p <= last && (p = memchr(p, c0, (size_t)(last - p) + 1))) {
			if (lit_eq(p + 1, r->lit + 1, l - 1, ic))
				return 1;
			p++;
		}
		return 0;
	}
	{
		/* case-insensitive letter first: the next position of either
		 * case, each found by memchr and kept until passed */
		const char *last = s + n - l, *p;
		const char *lo = memchr(s, lower(c0), n - l + 1);
		const char *up = memchr(s, lower(c0) - 32, n - l + 1);

		while (lo || up) {
			p = !up || (lo && lo < up) ? lo : up;
			if (lit_eq(p + 1, r->lit + 1, l - 1, 1))
				return 1;
			if (p == lo)
				lo = p < last ? memchr(p + 1, lower(c0), (size_t)(last - p)) : NULL;
			else
				up = p < last ? memchr(p + 1, lower(c0) - 32, (size_t)(last - p)) : NULL;
		}
		return 0;
	}
}

int rx_match_ex(const struct rx *r, const char *s, size_t n)
{
	int rc;

	if (r->lit)
		return lit_match(r, s ? s : "", n);
	if (r->hs) {
		int ret = rx_hs_scan(r, s, n);

		if (ret >= 0)
			return ret;
	}
	rc = rxi_pcre_match(r->re, s, n, 0);
	if (rc >= 0)
		return 1;
	return rc == PCRE2_ERROR_NOMATCH ? 0 : RX_ELIMIT;
}

int rx_match(const struct rx *r, const char *s, size_t n)
{
	return rx_match_ex(r, s, n) == 1;
}

int rx_exec2(const struct rx *r, const char *s, size_t n, unsigned eflags, struct rx_groups *g)
{
	pcre2_match_data *md;
	PCRE2_SIZE *ov;
	int rc, i;

	/* Hyperscan first: most subjects do not match and PCRE2 never runs.
	 * NOTBOL only removes matches, so a Hyperscan "no" stays a "no". */
	if (r->lit && !lit_match(r, s ? s : "", n))
		return 0;
	if (r->hs && rx_hs_scan(r, s, n) == 0)
		return 0;
	rc = rxi_pcre_match(r->re, s, n, (eflags & RX_NOTBOL) ? PCRE2_NOTBOL : 0);
	if (rc < 0)
		return 0;
	if (!g)
		return 1;
	if (rc == 0)   /* more groups than the match data holds */
		rc = RX_MAX_GROUPS;
	md = rxi_match_data();
	ov = pcre2_get_ovector_pointer(md);
	g->n = 0;
	for (i = 0; i < RX_MAX_GROUPS; i++) {
		if (i < rc && ov[2 * i] != PCRE2_UNSET) {
			g->g[i].so = (int)ov[2 * i];
			g->g[i].eo = (int)ov[2 * i + 1];
			g->n = i + 1;
		} else {
			g->g[i].so = g->g[i].eo = -1;
		}
	}
	return 1;
}

int rx_exec(const struct rx *r, const char *s, size_t n, struct rx_groups *g)
{
	return rx_exec2(r, s, n, 0, g);
}

/* Returns the value of hex digit <c> the way HAProxy computes it, which
 * also gives a (meaningless but stable) value for non-hex characters. */
static unsigned char rx_hexval(unsigned char c)
{
	unsigned char v = (unsigned char)((c >= 'a' && c <= 'z' ? c - 32 : c) - '0');

	if (v > 9)
		v -= 'A' - '9' - 1;
	return v;
}

int rx_expand(const char *s, const struct rx_groups *g, const char *fmt, size_t fmtlen,
              char *out, size_t outsz)
{
	const char *f = fmt, *fend = fmt + fmtlen;
	size_t o = 0;

	while (f < fend) {
		unsigned char c = (unsigned char)*f++;

		if (c == '\\') {
			if (f >= fend)
				return RX_ERR;
			c = (unsigned char)*f++;
			if (c >= '0' && c <= '9') {
				int k = c - '0';

				if (g && g->g[k].so >= 0 && g->g[k].eo >= g->g[k].so) {
					size_t l = (size_t)(g->g[k].eo - g->g[k].so);

					if (l > outsz - o)
						return RX_ERR;
					memcpy(out + o, s + g->g[k].so, l);
					o += l;
				}
				continue;
			}
			if (c == 'x') {
				unsigned char h1, h2;

				if (fend - f < 2)
					return RX_ERR;
				h1 = rx_hexval((unsigned char)*f++);
				h2 = rx_hexval((unsigned char)*f++);
				c = (unsigned char)((h1 << 4) + h2);
			}
		}
		if (o >= outsz)
			return RX_ERR;
		out[o++] = (char)c;
	}
	if (o < outsz)
		out[o] = 0;
	return (int)o;
}

int rx_subst(const struct rx *r, const char *s, size_t n, const char *fmt, size_t fmtlen,
             char *out, size_t outsz)
{
	struct rx_groups g;

	if (!rx_exec(r, s, n, &g))
		return RX_NOMATCH;
	return rx_expand(s, &g, fmt, fmtlen, out, outsz);
}

int rx_regsub(const struct rx *r, const char *s, size_t n, const char *fmt, size_t fmtlen,
              int global, char *out, size_t outsz)
{
	size_t o = 0, start = 0;
	unsigned eflags = 0;

	if (!s)
		s = "";

	/* Each round searches the rest of the subject as a new subject, with
	 * NOTBOL after the first round, like HAProxy's regsub: so "^" never
	 * matches twice, and an empty match right at the start of the rest
	 * copies one byte and steps over it. */
	for (;;) {
		struct rx_groups g;
		size_t lead;
		int found = 0, w;

		if (global || !(eflags & RX_NOTBOL))
			found = rx_exec2(r, s + start, n - start, eflags, &g);
		lead = found ? (size_t)g.g[0].so : n - start;
		if (lead > outsz - o)
			return RX_ERR;
		memcpy(out + o, s + start, lead);
		o += lead;
		if (!found)
			break;
		w = rx_expand(s + start, &g, fmt, fmtlen, out + o, outsz - o);
		if (w < 0)
			return RX_ERR;
		o += (size_t)w;
		if (start >= n)
			break;
		if (g.g[0].eo == 0) {
			if (o >= outsz)
				return RX_ERR;
			out[o++] = s[start];
			g.g[0].eo = 1;
		}
		start += (size_t)g.g[0].eo;
		eflags |= RX_NOTBOL;
	}
	if (o < outsz)
		out[o] = 0;
	return (int)o;
}

const char *rx_version(void)
{
	static char buf[160];
	char pv[64] = "?";
	uint32_t jit = 0;

	if (buf[0])
		return buf;
	pcre2_config(PCRE2_CONFIG_VERSION, pv);
	pcre2_config(PCRE2_CONFIG_JIT, &jit);
	snprintf(buf, sizeof(buf), "Hyperscan %s, PCRE2 %s (JIT %s)",
	         hs_version(), pv, jit ? "available" : "not available");
	return buf;
}
