/* rxgen.h: random regexes over a small grammar (groups, alternations,
 * classes, anchors, inline options, quantifiers) and random subjects, for
 * the agreement tests of test_rx.c and test_patset.c. Deterministic: a
 * fixed xorshift seed per test binary. */
#ifndef RP_TEST_RXGEN_H
#define RP_TEST_RXGEN_H

#include <string.h>

static unsigned long long rng_state = 0x9e3779b97f4a7c15ULL;

static unsigned rnd(unsigned n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (unsigned)(rng_state % n);
}

struct sbuf { char b[512]; size_t n; };

static void put(struct sbuf *s, const char *t)
{
	size_t l = strlen(t);

	if (s->n + l < sizeof(s->b)) {
		memcpy(s->b + s->n, t, l);
		s->n += l;
	}
}

static const char subj_alpha[] = "abcAB \n.-/0\xe9\r\x1f";

static void gen_atom(struct sbuf *s, int depth);

static void gen_seq(struct sbuf *s, int depth)
{
	int k = 1 + (int)rnd(3);

	while (k--)
		gen_atom(s, depth);
}

static void gen_alt(struct sbuf *s, int depth)
{
	gen_seq(s, depth);
	while (rnd(4) == 0) {
		put(s, "|");
		if (rnd(6))
			gen_seq(s, depth);
	}
}

static void gen_atom(struct sbuf *s, int depth)
{
	static const char *const leaves[] = {
		"a", "b", "c", "A", "B", "\\.", ".", " ", "\\n", "\\x00", "\\xe9", "-", "/", "0",
		"[ab]", "[^a]", "[a-c]", "[A-Z]", "[^\\n]", "\\d", "\\w", "\\W", "\\s", "\\S",
		"\\b", "\\B", "^", "$", "\\A", "\\z", "\\Z", "(?i)", "(?m)", "(?s)", "(?-i)",
		"[[:alpha:]]", "[.\\-/]", "\\Qa.\\E", "[a-c\\n]", "[^\\w.]", "\\x41", "[\\x00-\\x1f]",
		"(?i)[a-b]", "[A-Ca]", "\\D", "\\h", "\\N", "\\Z", "(?s).", "(?-m)", "\\e", "[[:^digit:]]",
	};
	static const char *const quants[] = {
		"*", "+", "?", "*?", "+?", "??", "{2}", "{1,3}", "{0,2}", "{2,}", "{0}", "{1,2}?",
		"{3,5}", "{0,1}", "{1}", "{4,}?",
	};
	unsigned k = rnd(10);

	if (depth < 3 && k == 0) {
		put(s, rnd(2) ? "(" : "(?:");
		gen_alt(s, depth + 1);
		put(s, ")");
	} else if (depth < 3 && k == 1) {
		put(s, rnd(2) ? "(?i:" : "(?m:");
		gen_alt(s, depth + 1);
		put(s, ")");
	} else {
		put(s, leaves[rnd(sizeof(leaves) / sizeof(*leaves))]);
	}
	if (rnd(4) == 0 && s->n && s->b[s->n - 1] != ')' && strchr("^$", s->b[s->n - 1]) == NULL)
		put(s, quants[rnd(sizeof(quants) / sizeof(*quants))]);
	else if (rnd(6) == 0 && s->n && s->b[s->n - 1] == ')')
		put(s, quants[rnd(sizeof(quants) / sizeof(*quants))]);
}

#endif
