/* test_rx.c: regex/rx.c. The reference for every match is PCRE2 itself
 * (the same regex compiled with RX_FORCE_PCRE), since HAProxy's regexes are
 * PCRE2: Hyperscan must agree with it on every subject, through random
 * patterns and exhaustive byte classes. Substitution results are the
 * strings HAProxy 2.6 produces for the same rules. */
#include <pthread.h>
#include <time.h>

#include "tests/unit/unit.h"
#include "regex/rx.h"

static struct rx *comp(const char *p, unsigned fl)
{
	char err[256];
	struct rx *r = rx_compile(p, strlen(p), fl, err, sizeof(err));

	if (!r)
		printf("  compile \"%s\": %s\n", p, err);
	return r;
}

/* One pattern compiled three ways: <a> as rx compiles it, <b> on PCRE2's
 * interpreter (the reference), <c> on PCRE2's JIT (what HAProxy runs; it has
 * bugs of its own: PCRE2 10.42's JIT finds no match for "(?:ab|)x*b" in
 * "ab"). Compiling once per pattern and matching many subjects keeps the
 * exhaustive cases fast under the sanitizers. */
struct trio {
	const char *p;
	size_t plen;
	unsigned fl;
	struct rx *a, *b, *c;
};

/* Compiles <p>/<plen> with <fl> three ways into <t> (released with
 * trio_close() in any case). Returns 1 when rx and PCRE2 agree on whether
 * it compiles, else prints the pattern and returns 0. */
static int trio_open(struct trio *t, const char *p, size_t plen, unsigned fl)
{
	char err[256];

	t->p = p;
	t->plen = plen;
	t->fl = fl;
	t->a = rx_compile(p, plen, fl, err, sizeof(err));
	t->b = rx_compile(p, plen, fl | RX_FORCE_PCRE | RX_NO_JIT, err, sizeof(err));
	t->c = rx_compile(p, plen, fl | RX_FORCE_PCRE, err, sizeof(err));
	if (!t->a != !t->b) {
		printf("  \"%.*s\": compiles on one side only\n", (int)plen, p);
		return 0;
	}
	return 1;
}

/* Returns 1 when <t> matches <s>/<n> on rx as on PCRE2's interpreter or
 * JIT (or compiles nowhere); prints the disagreement otherwise. Sets
 * *<hs_used> when rx ran the pattern on Hyperscan. */
static int trio_agree(const struct trio *t, const char *s, size_t n, int *hs_used)
{
	int ma, mb;
	size_t i;

	if (!t->a || !t->b)
		return 1;
	if (hs_used && !rx_is_fallback(t->a))
		*hs_used = 1;
	ma = rx_match(t->a, s, n);
	mb = rx_match_ex(t->b, s, n);
	/* where PCRE2 gives up (match limit), HAProxy says "no match"
	 * and Hyperscan has the true answer: nothing to compare */
	if (mb == RX_ELIMIT || ma == mb || ma == rx_match(t->c, s, n))
		return 1;
	printf("  \"%.*s\"%s on \"", (int)t->plen, t->p, t->fl & RX_ICASE ? " (icase)" : "");
	for (i = 0; i < n; i++)
		printf(s[i] >= 32 && s[i] < 127 ? "%c" : "\\x%02x", (unsigned char)s[i]);
	printf("\": rx=%d pcre2=%d\n", ma, mb);
	return 0;
}

static void trio_close(struct trio *t)
{
	rx_free(t->a);
	rx_free(t->b);
	rx_free(t->c);
}

/* Returns 1 when <p> matches <s>/<n> on rx as on PCRE2 (see trio_agree). */
static int agree(const char *p, size_t plen, unsigned fl, const char *s, size_t n, int *hs_used)
{
	struct trio t;
	int ok = trio_open(&t, p, plen, fl) && trio_agree(&t, s, n, hs_used);

	trio_close(&t);
	return ok;
}

/* PCRE2 10.42's JIT misses this match (its interpreter and Hyperscan
 * find it): rx follows the interpreter here, where HAProxy follows the
 * JIT. Kept so that a PCRE2 upgrade shows up. */
static void t_pcre2_jit_bug(void)
{
	struct rx *r = comp("(?:ab|)x*b", 0);
	struct rx *i = comp("(?:ab|)x*b", RX_FORCE_PCRE | RX_NO_JIT);

	EXPECT_INT(rx_match(r, "ab", 2), 1);
	EXPECT_INT(rx_match(i, "ab", 2), 1);
	rx_free(r);
	rx_free(i);
}

/* Catastrophic backtracking: PCRE2 gives up (so HAProxy says "no match"),
 * Hyperscan answers in linear time. */
static void t_match_limit(void)
{
	struct rx *r = comp("^(a+)+$", 0), *p = comp("^(a+)+$", RX_FORCE_PCRE);
	char s[64];

	memset(s, 'a', sizeof(s));
	s[sizeof(s) - 1] = 'b';
	EXPECT_INT(rx_is_fallback(r), 0);
	EXPECT_INT(rx_match_ex(r, s, sizeof(s)), 0);
	EXPECT_INT(rx_match_ex(p, s, sizeof(s)), RX_ELIMIT);
	EXPECT_INT(rx_match(p, s, sizeof(s)), 0);
	EXPECT_INT(rx_match_ex(p, s, sizeof(s) - 1), 1);
	rx_free(r);
	rx_free(p);
}

static void t_basic_match(void)
{
	struct rx *r = comp("^/api/v[0-9]+/", 0);

	EXPECT(r != NULL);
	if (!r)
		return;
	EXPECT_INT(rx_is_fallback(r), 0);
	EXPECT_INT(rx_match(r, "/api/v2/users", 13), 1);
	EXPECT_INT(rx_match(r, "/api/vx/users", 13), 0);
	EXPECT_INT(rx_match(r, "x/api/v2/", 9), 0);
	EXPECT_INT(rx_match(r, "", 0), 0);
	EXPECT_INT(rx_match(r, NULL, 0), 0);
	EXPECT_STR(rx_pattern(r), "^/api/v[0-9]+/");
	rx_free(r);

	/* unanchored search, as HAProxy's -m reg */
	r = comp("bot", 0);
	EXPECT_INT(rx_match(r, "Googlebot/2.1", 13), 1);
	EXPECT_INT(rx_match(r, "GoogleBot/2.1", 13), 0);
	rx_free(r);
	r = comp("bot", RX_ICASE);
	EXPECT_INT(rx_match(r, "GoogleBOT/2.1", 13), 1);
	EXPECT_INT(rx_flags(r), RX_ICASE);
	rx_free(r);
	rx_free(NULL);
}

static void t_binary_subject(void)
{
	struct rx *r = comp("a\\x00b", 0);

	EXPECT_INT(rx_match(r, "xa\0b", 4), 1);
	EXPECT_INT(rx_match(r, "xa\0c", 4), 0);
	rx_free(r);
	/* the subject length is honoured: no match past <n>, NULs inside */
	r = comp("end$", 0);
	EXPECT_INT(rx_match(r, "the end", 7), 1);
	EXPECT_INT(rx_match(r, "the end!", 7), 1);
	EXPECT_INT(rx_match(r, "the end!", 8), 0);
	EXPECT_INT(rx_match(r, "\0\0the end", 9), 1);
	rx_free(r);
	r = comp("^.{3}$", 0);
	EXPECT_INT(rx_match(r, "\xff\x80\x01", 3), 1);
	rx_free(r);
}

static void t_compile_errors(void)
{
	char err[256] = "";
	struct rx *r;

	r = rx_compile("a(b", 3, 0, err, sizeof(err));
	EXPECT(r == NULL);
	EXPECT(strstr(err, "missing closing parenthesis") != NULL);
	EXPECT(strstr(err, "offset 3") != NULL);
	r = rx_compile("*a", 2, 0, err, sizeof(err));
	EXPECT(r == NULL);
	EXPECT(strstr(err, "quantifier does not follow a repeatable item") != NULL);
	r = rx_compile("[z-a]", 5, 0, err, sizeof(err));
	EXPECT(r == NULL);
	EXPECT(strstr(err, "range out of order") != NULL);
	r = rx_compile("\\", 1, 0, err, sizeof(err));
	EXPECT(r == NULL);
	EXPECT(err[0] != 0);
	/* RX_NO_CAPTURE, as HAProxy's ACL/map regexes: no numbered groups */
	r = rx_compile("(a)\\1", 5, RX_NO_CAPTURE, err, sizeof(err));
	EXPECT(r == NULL);
	EXPECT(strstr(err, "reference to non-existent subpattern") != NULL);
	EXPECT_INT(rx_check("(a)\\1", 5, RX_NO_CAPTURE, err, sizeof(err)), -1);
	r = rx_compile("(a)(?<n>b)", 10, RX_NO_CAPTURE, err, sizeof(err));
	EXPECT(r != NULL);
	if (r) {
		struct rx_groups g;

		EXPECT_INT(rx_exec(r, "xab", 3, &g), 1);
		EXPECT_INT(g.n, 2);          /* \0 and the named group only */
		EXPECT_INT(g.g[1].so, 2);
		rx_free(r);
	}
	/* rx_check: the same verdicts and messages, nothing to free */
	EXPECT_INT(rx_check("a(b", 3, 0, err, sizeof(err)), -1);
	EXPECT(strstr(err, "missing closing parenthesis") != NULL);
	EXPECT_INT(rx_check("(a)\\1", 5, RX_ICASE, err, sizeof(err)), 0);
	EXPECT_INT(rx_check("[", 1, 0, NULL, 0), -1);
	/* a tiny error buffer is not overrun */
	memset(err, 'X', sizeof(err));
	r = rx_compile("(", 1, 0, err, 8);
	EXPECT(r == NULL);
	EXPECT_INT(strlen(err), 7);
	EXPECT(err[9] == 'X');
}

static void t_fallback(void)
{
	static const char *const pcre_only[] = {
		"(a)\\1", "a(?=b)", "(?<=a)b", "(?!x)y", "a++b", "(?>a+)b", "\\Ga", "a\\Kb",
		"(?|(a)|(b))c", "(*CR)a$", "(?(?=a)ab|cd)", "(a(?1)?b)", "\\R", "\\X", "(?xx)[a b]",
		"(*UTF)\\x{e9}",
	};
	size_t i;

	for (i = 0; i < sizeof(pcre_only) / sizeof(*pcre_only); i++) {
		struct rx *r = comp(pcre_only[i], 0);

		EXPECT(r != NULL);
		if (!r)
			continue;
		if (!rx_is_fallback(r))
			printf("  \"%s\" unexpectedly on Hyperscan\n", pcre_only[i]);
		EXPECT_INT(rx_is_fallback(r), 1);
		EXPECT(rx_fallback_reason(r) != NULL);
		rx_free(r);
	}
	{
		struct rx *r = comp("(\\w+)=\\1", 0);

		/* the reason names the construct, for the caller's notice */
		EXPECT(strstr(rx_fallback_reason(r), "Hyperscan") != NULL);
		EXPECT(strstr(rx_fallback_reason(r), "Back-references") != NULL);

		EXPECT_INT(rx_match(r, "x=abc=abc", 9), 1);
		EXPECT_INT(rx_match(r, "ab=abd", 6), 1);    /* \1 = "ab" */
		EXPECT_INT(rx_match(r, "x=abc=abd", 9), 0);
		EXPECT_INT(rx_match(r, "ab=cd", 5), 0);
		rx_free(r);
		r = comp("foo(?!bar)", 0);
		EXPECT_INT(rx_match(r, "foobar", 6), 0);
		EXPECT_INT(rx_match(r, "foobaz", 6), 1);
		rx_free(r);
	}
}

/* PCRE's default anchors: "$" and "\Z" also match before a final
 * newline, "\z" does not, "^" only at the start; empty matches count. */
static void t_anchor_semantics(void)
{
	static const struct { const char *p; const char *s; int m; } cases[] = {
		{ "a$", "a\n", 1 }, { "a$", "a\n\n", 0 }, { "a\\Z", "a\n", 1 }, { "a\\z", "a\n", 0 },
		{ "^b", "a\nb", 0 }, { "(?m)^b", "a\nb", 1 }, { "(?m)a$", "a\nb", 1 }, { "a$", "a\nb", 0 },
		{ "^$", "", 1 }, { "^$", "\n", 1 }, { "^$", "x", 0 }, { "x*", "", 1 }, { "x*", "abc", 1 },
		{ "\\b", "", 0 }, { "\\B", "", 1 }, { "a.b", "a\nb", 0 }, { "(?s)a.b", "a\nb", 1 },
		{ "", "", 1 }, { "^", "zz", 1 }, { "$", "", 1 }, { "a|", "b", 1 }, { "\\A\\z", "", 1 },
		{ "\\s", "\v", 1 }, { "\\s", "\xa0", 0 }, { "\\w", "\xe9", 0 }, { "\\d", "\xb2", 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct rx *r = comp(cases[i].p, 0);
		size_t n = strlen(cases[i].s);

		EXPECT(r != NULL);
		if (!r)
			continue;
		if (rx_match(r, cases[i].s, n) != cases[i].m)
			printf("  case %zu: \"%s\"\n", i, cases[i].p);
		EXPECT_INT(rx_match(r, cases[i].s, n), cases[i].m);
		EXPECT(agree(cases[i].p, strlen(cases[i].p), 0, cases[i].s, n, NULL));
		rx_free(r);
	}
}

/* Every single-atom class against every byte, alone and in context, with
 * and without RX_ICASE. */
static void t_classes_exhaustive(void)
{
	static const char *const atoms[] = {
		".", "\\d", "\\D", "\\w", "\\W", "\\s", "\\S", "\\h", "\\H", "\\v", "\\V", "\\N",
		"[[:alpha:]]", "[[:digit:]]", "[[:alnum:]]", "[[:upper:]]", "[[:lower:]]", "[[:space:]]",
		"[[:blank:]]", "[[:punct:]]", "[[:print:]]", "[[:graph:]]", "[[:cntrl:]]", "[[:xdigit:]]",
		"[[:word:]]", "[[:ascii:]]", "[[:^alpha:]]", "[^a-f]", "[a-fA-F0-9]", "[\\x80-\\xff]",
		"\\p{L}", "\\p{Lu}", "\\p{Ll}", "\\p{N}", "\\p{P}", "\\p{S}", "\\p{Z}", "\\p{C}", "\\P{L}",
		"\\p{Xan}", "\\p{Xsp}", "\\p{Xwd}", "\\p{Latin}", "\\p{Common}", "k", "\\xe9", "\\xc9",
		"\\x{ff}", "\\cZ", "\\e", "\\f", "\\a", "\\t", "\\r", "\\n", "\\0", "\\012", "\\o{7}",
		"[\\d\\s]", "[^\\w\\s]", "[\\W]", "[^]]", "[]-]", "\\b.", ".\\b", "\\B.",
		"\\C", "(?i)[^k]", "[[:^space:]]", "(?x) [ ]", "(?s).", "(?m)^.", ".$", "\\Z",
	};
	size_t i;
	int c, ok = 1, hs_used = 0;

	for (i = 0; i < sizeof(atoms) / sizeof(*atoms) && ok; i++) {
		unsigned fl;

		for (fl = 0; fl <= RX_ICASE && ok; fl += RX_ICASE) {
			struct trio t;

			ok = trio_open(&t, atoms[i], strlen(atoms[i]), fl);
			for (c = 0; c < 256 && ok; c++) {
				char s[3] = { 'x', (char)c, 'y' };
				char s1[1] = { (char)c };   /* alone: ASan sees an overread */

				ok = trio_agree(&t, s1, 1, &hs_used) && trio_agree(&t, s, 3, &hs_used);
			}
			trio_close(&t);
		}
	}
	EXPECT(ok);
	EXPECT(hs_used);
}

/* Literal patterns (matched by byte comparison) against every subject of
 * up to 4 bytes over a small alphabet, with and without RX_ICASE. */
static void t_literals_exhaustive(void)
{
	static const char *const pats[] = {
		"a", "ab", "^a", "a$", "^a$", "^ab$", "\\.", "a\\.$", "^\\$", "\\$$", "\\^a", "a}", "]a",
		"A\\n", "^\\.a", "b\\\\", "\xe9" "a", "a\n$", "^\n$", "\n", "^.\\n",
	};
	static const char alpha[] = "aAb.\n$\xe9";
	size_t i;
	int ok = 1;

	for (i = 0; i < sizeof(pats) / sizeof(*pats) && ok; i++) {
		unsigned code, fl;

		for (fl = 0; fl <= RX_ICASE && ok; fl += RX_ICASE) {
			struct trio t;

			ok = trio_open(&t, pats[i], strlen(pats[i]), fl);
			/* every string of 0..4 bytes over <alpha>: base-8 counting */
			for (code = 0; code < 8 * 8 * 8 * 8 * 8 && ok; code++) {
				char s[4];
				unsigned c = code, n = 0;

				while (c && n < 4) {
					s[n++] = alpha[(c - 1) % 7];
					c = (c - 1) / 7;
				}
				if (!c)
					ok = trio_agree(&t, s, n, NULL);
			}
			trio_close(&t);
		}
	}
	EXPECT(ok);
	{
		struct rx *r = comp("^/api/", 0);

		EXPECT_INT(rx_is_fallback(r), 0);
		EXPECT_INT(rx_match(r, "/api/x", 6), 1);
		rx_free(r);
	}
}

/* ---- random patterns -------------------------------------------------- */
#include "tests/unit/rxgen.h"

/* RX_FUZZ_ROUNDS=<n> in the environment runs a longer search. */
static void t_random_agreement(void)
{
	int i, j, ok = 1, compiled = 0, on_hs = 0, matched = 0;
	int rounds = getenv("RX_FUZZ_ROUNDS") ? atoi(getenv("RX_FUZZ_ROUNDS")) : 4000;
	char err[256];

	for (i = 0; i < rounds && ok; i++) {
		struct sbuf p = { .n = 0 };
		struct rx *a, *b;
		unsigned fl = rnd(3) == 0 ? RX_ICASE : 0;

		gen_alt(&p, 0);
		a = rx_compile(p.b, p.n, fl, err, sizeof(err));
		b = rx_compile(p.b, p.n, fl | RX_FORCE_PCRE, err, sizeof(err));
		if (!a || !b) {
			EXPECT(!a && !b);
			rx_free(a);
			rx_free(b);
			continue;
		}
		compiled++;
		on_hs += !rx_is_fallback(a);
		for (j = 0; j < 40 && ok; j++) {
			char s[16];
			size_t n = rnd(sizeof(s) + 1), k;
			int ma, mb;

			for (k = 0; k < n; k++)
				s[k] = subj_alpha[rnd(sizeof(subj_alpha))];  /* includes the NUL */
			ma = rx_match(a, s, n);
			mb = rx_match(b, s, n);
			matched += mb;
			if (ma != mb)
				ok = agree(p.b, p.n, fl, s, n, NULL);
		}
		rx_free(a);
		rx_free(b);
	}
	printf("  %d patterns compiled, %d on Hyperscan, %d matches\n", compiled, on_hs, matched);
	EXPECT(ok);
	EXPECT(compiled > 2000);
	EXPECT(on_hs > compiled / 2);
	EXPECT(matched > 1000);
}

/* Random byte soup over regex metacharacters: no crash, and whatever
 * PCRE2 accepts matches alike on every engine. */
static void t_garbage_patterns(void)
{
	static const char soup[] = "ab.*+?()[]{}|^$\\-,0123:=!<>#PpQEkgxzZAbBdDsSwWnNR\n ";
	int i, j, ok = 1, compiled = 0;
	int rounds = getenv("RX_FUZZ_ROUNDS") ? atoi(getenv("RX_FUZZ_ROUNDS")) : 20000;
	char err[256];

	for (i = 0; i < rounds && ok; i++) {
		char p[24];
		size_t n = rnd(sizeof(p)), k;
		struct rx *a, *b;
		unsigned fl = rnd(2) ? RX_ICASE : 0;

		for (k = 0; k < n; k++)
			p[k] = soup[rnd(sizeof(soup) - 1)];
		a = rx_compile(p, n, fl, err, sizeof(err));
		b = rx_compile(p, n, fl | RX_FORCE_PCRE, err, sizeof(err));
		EXPECT(!a == !b);
		if (a && b) {
			compiled++;
			for (j = 0; j < 20 && ok; j++) {
				char s[12];
				size_t sn = rnd(sizeof(s) + 1), q;

				for (q = 0; q < sn; q++)
					s[q] = subj_alpha[rnd(sizeof(subj_alpha))];
				if (rx_match(a, s, sn) != rx_match(b, s, sn))
					ok = agree(p, n, fl, s, sn, NULL);
			}
		}
		rx_free(a);
		rx_free(b);
	}
	printf("  %d of %d random byte patterns compiled\n", compiled, rounds);
	EXPECT(ok);
	EXPECT(compiled > rounds / 20);
}

/* ---- groups and substitution ----------------------------------------- */

static void t_exec_groups(void)
{
	struct rx *r = comp("([a-z]+)=([0-9]*)(x)?", RX_NEED_GROUPS);
	struct rx_groups g;

	EXPECT_INT(rx_exec(r, "--key=42;", 9, &g), 1);
	EXPECT_INT(g.n, 3);
	EXPECT_INT(g.g[0].so, 2);
	EXPECT_INT(g.g[0].eo, 8);
	EXPECT_INT(g.g[1].so, 2);
	EXPECT_INT(g.g[1].eo, 5);
	EXPECT_INT(g.g[2].so, 6);
	EXPECT_INT(g.g[2].eo, 8);
	EXPECT_INT(g.g[3].so, -1);
	EXPECT_INT(g.g[9].eo, -1);
	EXPECT_INT(rx_exec(r, "--KEY=42;", 9, &g), 0);
	EXPECT_INT(rx_exec(r, "a=", 2, NULL), 1);
	rx_free(r);

	/* more groups than RX_MAX_GROUPS: the first ten are reported */
	r = comp("(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)", 0);
	EXPECT_INT(rx_exec(r, "abcdefghijk", 11, &g), 1);
	EXPECT_INT(g.n, 10);
	EXPECT_INT(g.g[9].so, 8);
	rx_free(r);

	/* NOTBOL: "^" cannot match at the start */
	r = comp("^a", 0);
	EXPECT_INT(rx_exec2(r, "ab", 2, RX_NOTBOL, &g), 0);
	EXPECT_INT(rx_exec2(r, "ab", 2, 0, &g), 1);
	rx_free(r);
}

static void t_expand(void)
{
	struct rx_groups g = { .n = 2, .g = { { 0, 7 }, { 4, 7 } } };
	char out[64];
	int i;

	for (i = 2; i < RX_MAX_GROUPS; i++)
		g.g[i].so = g.g[i].eo = -1;
	EXPECT_INT(rx_expand("foo=bar", &g, "<\\1>", 4, out, sizeof(out)), 5);
	EXPECT_STR(out, "<bar>");
	{
		const char *f = "\\0|\\5|\\x41\\x7a|\\\\|\\n";

		EXPECT_INT(rx_expand("foo=bar", &g, f, strlen(f), out, sizeof(out)), 15);
	}
	EXPECT_STR(out, "foo=bar||Az|\\|n");
	EXPECT_INT(rx_expand("foo=bar", &g, "a\\", 2, out, sizeof(out)), RX_ERR);
	EXPECT_INT(rx_expand("foo=bar", &g, "\\x4", 3, out, sizeof(out)), RX_ERR);
	EXPECT_INT(rx_expand("foo=bar", &g, "\\0\\0", 4, out, 10), RX_ERR);
	EXPECT_INT(rx_expand("foo=bar", &g, "\\1", 2, out, 3), 3);   /* fits exactly, no NUL */
	EXPECT_INT(rx_expand("foo=bar", &g, "", 0, out, sizeof(out)), 0);
	EXPECT_STR(out, "");
}

static void t_subst(void)
{
	/* HAProxy: http-request replace-header Cookie foo=([^;]*);(.*) foo=\1;ip=1;\2
	 * replaces the whole value with the expansion */
	struct rx *r = comp("foo=([^;]*);(.*)", RX_NEED_GROUPS);
	char out[128];
	const char *v = "foo=abc;bar=1";

	EXPECT_INT(rx_subst(r, v, strlen(v), "foo=\\1;ip=1;\\2", 14, out, sizeof(out)), 18);
	EXPECT_STR(out, "foo=abc;ip=1;bar=1");
	EXPECT_INT(rx_subst(r, "x=1", 3, "y", 1, out, sizeof(out)), RX_NOMATCH);
	EXPECT_INT(rx_subst(r, v, strlen(v), "\\1\\1\\1\\1\\1", 10, out, 8), RX_ERR);
	rx_free(r);
	/* an unanchored match: the unmatched parts do not survive */
	r = comp("curl", 0);
	EXPECT_INT(rx_subst(r, "curl/7.88", 9, "bot", 3, out, sizeof(out)), 3);
	EXPECT_STR(out, "bot");
	rx_free(r);
}

/* regsub results checked against HAProxy 2.6's regsub converter */
static void t_regsub(void)
{
	static const struct { const char *re, *in, *fmt; int global; const char *out; } cases[] = {
		{ "a", "banana", "o", 0, "bonana" },
		{ "a", "banana", "o", 1, "bonono" },
		{ "(an)", "banana", "<\\1>", 1, "b<an><an>a" },
		{ "x*", "abc", "-", 1, "-a-b-c-" },
		{ "x*", "abc", "-", 0, "-abc" },
		{ "^", "abc", "-", 1, "-abc" },
		{ "$", "abc", "-", 1, "abc--" },
		{ "z", "abc", "-", 1, "abc" },
		{ "", "", "-", 1, "-" },
		{ "[.]", "www.example.com", "_", 1, "www_example_com" },
		{ "^/static/(.*)", "/static/app.js", "/s/\\1", 0, "/s/app.js" },
		{ "b+", "abbbcb", "B", 1, "aBcB" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct rx *r = comp(cases[i].re, RX_NEED_GROUPS);
		char out[64];
		int n = rx_regsub(r, cases[i].in, strlen(cases[i].in), cases[i].fmt, strlen(cases[i].fmt),
		                  cases[i].global, out, sizeof(out));

		if (n < 0 || strcmp(out, cases[i].out))
			printf("  regsub(%s, %s) on \"%s\"\n", cases[i].re, cases[i].fmt, cases[i].in);
		EXPECT_INT(n, strlen(cases[i].out));
		if (n >= 0)
			EXPECT_STR(out, cases[i].out);
		rx_free(r);
	}
	{
		struct rx *r = comp("a", 0);
		char out[4];

		EXPECT_INT(rx_regsub(r, "banana", 6, "oo", 2, 1, out, sizeof(out)), RX_ERR);
		EXPECT_INT(rx_regsub(r, NULL, 0, "oo", 2, 1, out, sizeof(out)), 0);
		rx_free(r);
	}
}

/* ---- threads, scratch growth, version -------------------------------- */

struct thr_arg { struct rx *r; int hits; };

static void *thr_main(void *p)
{
	struct thr_arg *a = p;
	int i;

	if (rx_thread_init() < 0)
		return NULL;
	for (i = 0; i < 20000; i++)
		a->hits += rx_match(a->r, i & 1 ? "GET /api/x" : "GET /web/x", 10);
	rx_thread_exit();
	return NULL;
}

static void t_threads(void)
{
	struct thr_arg a[4];
	pthread_t th[4];
	struct rx *r = comp("^GET /api/", 0);
	int i;

	for (i = 0; i < 4; i++) {
		a[i].r = r;
		a[i].hits = 0;
		EXPECT_INT(pthread_create(&th[i], NULL, thr_main, &a[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		EXPECT_INT(a[i].hits, 10000);
	}
	rx_free(r);
}

/* A thread's scratch made for small regexes grows for a bigger one
 * compiled later. */
static void t_scratch_growth(void)
{
	struct rx *small = comp("ab", 0), *big;
	char pat[4096];
	size_t n = 0;
	int i;

	EXPECT_INT(rx_thread_init(), 0);
	EXPECT_INT(rx_match(small, "xxab", 4), 1);
	for (i = 0; i < 200; i++)
		n += (size_t)snprintf(pat + n, sizeof(pat) - n, "%sw%03d[a-z]+x", i ? "|" : "", i);
	big = comp(pat, 0);
	EXPECT(big != NULL);
	EXPECT_INT(rx_is_fallback(big), 0);
	EXPECT_INT(rx_match(big, "...w199qqx", 10), 1);
	EXPECT_INT(rx_match(big, "...w200qqx", 10), 0);
	EXPECT_INT(rx_match(small, "ab", 2), 1);
	rx_free(big);
	rx_free(small);
}

static void t_version(void)
{
	const char *v = rx_version();

	EXPECT(strncmp(v, "Hyperscan ", 10) == 0);
	EXPECT(strstr(v, "PCRE2 10.") != NULL);
}

static void t_speed(void)
{
	struct rx *r = comp("^/(api|static)/v[0-9]+/[a-z]+\\.(js|css|png)$", 0);
	struct timespec t0, t1;
	const char *s = "/static/v12/application.js";
	size_t n = strlen(s);
	int i, hits = 0;
	double ns;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < 200000; i++)
		hits += rx_match(r, s, n);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ns = ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / 200000;
	printf("  rx_match: %.0f ns per call\n", ns);
	EXPECT_INT(hits, 200000);
	EXPECT(ns < 5000);
	rx_free(r);
}

int main(void)
{
	RUN(t_basic_match);
	RUN(t_pcre2_jit_bug);
	RUN(t_match_limit);
	RUN(t_binary_subject);
	RUN(t_compile_errors);
	RUN(t_fallback);
	RUN(t_anchor_semantics);
	RUN(t_classes_exhaustive);
	RUN(t_literals_exhaustive);
	RUN(t_random_agreement);
	RUN(t_garbage_patterns);
	RUN(t_exec_groups);
	RUN(t_expand);
	RUN(t_subst);
	RUN(t_regsub);
	RUN(t_threads);
	RUN(t_scratch_growth);
	RUN(t_version);
	RUN(t_speed);
	rx_thread_exit();
	return unit_end();
}
