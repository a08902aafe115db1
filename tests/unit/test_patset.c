/* test_patset.c: regex/patset.c against a naive reference that tries each
 * entry in turn with plain string functions (and PCRE2 for regexes), on
 * random sets and subjects; plus the HAProxy behaviours checked on 2.6
 * (word matching for dir/dom, first-in-file-order, longest prefix for
 * map_beg), errors, and a 10,000-pattern build. */
#include <ctype.h>
#include <pthread.h>
#include <time.h>

#include "tests/unit/unit.h"
#include "regex/patset.h"
#include "regex/rx.h"

#define E(p, k) { p, sizeof(p) - 1, PATSET_##k, 0 }
#define EI(p, k) { p, sizeof(p) - 1, PATSET_##k, PATSET_ICASE }

static struct patset *build(const struct patset_entry *e, size_t n, unsigned opts)
{
	char err[256];
	size_t bad;
	struct patset *ps = patset_build_opts(e, n, opts, err, sizeof(err), &bad);

	if (!ps)
		printf("  build: entry %zu: %s\n", bad, err);
	return ps;
}

static int first(const struct patset *ps, const char *s)
{
	return patset_first(ps, s, strlen(s));
}

/* ---- naive reference ---------------------------------------------------- */

static int eq(const char *a, const char *b, size_t n, int icase)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];

		if (icase ? tolower(x) != tolower(y) : x != y)
			return 0;
	}
	return 1;
}

static int is_delim(char c, const char *d)
{
	return c && strchr(d, c);
}

static int ref_word(const char *p, size_t pl, const char *s, size_t n, int icase, const char *d)
{
	size_t i;

	while (pl && is_delim(*p, d))
		p++, pl--;
	while (pl && is_delim(p[pl - 1], d))
		pl--;
	if (!pl)
		return 0;
	for (i = 0; i + pl <= n; i++) {
		if (i && !is_delim(s[i - 1], d))
			continue;
		if (eq(s + i, p, pl, icase) && (i + pl == n || is_delim(s[i + pl], d)))
			return 1;
	}
	return 0;
}

static int ref_match(const struct patset_entry *e, struct rx *re, const char *s, size_t n)
{
	int ic = !!(e->flags & PATSET_ICASE);
	size_t i;

	switch (e->kind) {
	case PATSET_STR: return e->len == n && eq(s, e->pat, n, ic);
	case PATSET_BEG: return e->len <= n && eq(s, e->pat, e->len, ic);
	case PATSET_END: return e->len <= n && eq(s + n - e->len, e->pat, e->len, ic);
	case PATSET_SUB:
		for (i = 0; i + e->len <= n; i++)
			if (eq(s + i, e->pat, e->len, ic))
				return 1;
		return 0;
	case PATSET_DIR: return ref_word(e->pat, e->len, s, n, ic, "/?");
	case PATSET_DOM: return ref_word(e->pat, e->len, s, n, ic, "/?.:");
	case PATSET_REG: return rx_match(re, s, n);
	}
	return 0;
}

static int ref_first(const struct patset_entry *e, struct rx **re, size_t ne, unsigned opts,
                     const char *s, size_t n)
{
	size_t i;
	int best = -1;

	if (opts & PATSET_O_BEG_LONGEST) {
		for (i = 0; i < ne; i++)
			if (e[i].kind == PATSET_BEG && !(e[i].flags & PATSET_ICASE) &&
			    ref_match(&e[i], re[i], s, n) && (best < 0 || e[i].len > e[best].len))
				best = (int)i;
		if (best >= 0)
			return best;
	}
	for (i = 0; i < ne; i++)
		if (ref_match(&e[i], re[i], s, n))
			return (int)i;
	return -1;
}

/* ---- fixed cases ---------------------------------------------------------- */

static void t_kinds(void)
{
	static const struct patset_entry e[] = {
		E("/api/", BEG), E(".css", END), E("admin", SUB), E("exact", STR),
		E("static", DIR), E("example.com", DOM),
	};
	struct patset *ps = build(e, 6, 0);

	EXPECT(ps != NULL);
	if (!ps)
		return;
	EXPECT_INT(patset_count(ps), 6);
	EXPECT_INT(first(ps, "/api/users"), 0);
	EXPECT_INT(first(ps, "/x/api/users"), -1);
	EXPECT_INT(first(ps, "/site.css"), 1);
	EXPECT_INT(first(ps, "/site.css?v=1"), -1);
	EXPECT_INT(first(ps, "/x/badminton"), 2);
	EXPECT_INT(first(ps, "exact"), 3);
	EXPECT_INT(first(ps, "exactly"), -1);
	EXPECT_INT(first(ps, "Exact"), -1);
	EXPECT_INT(first(ps, "/img/static/a.png"), 4);
	EXPECT_INT(first(ps, "/img/static"), 4);
	EXPECT_INT(first(ps, "static?x"), 4);
	EXPECT_INT(first(ps, "/img/statics/a.png"), -1);
	EXPECT_INT(first(ps, "/img/xstatic/a.png"), -1);
	EXPECT_INT(first(ps, "www.example.com"), 5);
	EXPECT_INT(first(ps, "example.com:8080"), 5);
	EXPECT_INT(first(ps, "http://example.com/x"), 5);
	EXPECT_INT(first(ps, "www.example.community"), -1);
	EXPECT_INT(first(ps, "myexample.com"), -1);
	EXPECT_INT(first(ps, ""), -1);
	EXPECT_INT(patset_first(ps, NULL, 0), -1);
	/* several match: the first in file order wins */
	EXPECT_INT(first(ps, "/api/admin.css"), 0);
	EXPECT_INT(first(ps, "/v/admin.css"), 1);
	patset_free(ps);
	patset_free(NULL);
	EXPECT_INT(patset_first(NULL, "x", 1), -1);
}

/* dir/dom as HAProxy 2.6 map_dir/map_dom/ACL -m dir/-m dom answer them:
 * delimiters around the pattern are ignored, a delimiter-only pattern
 * matches nothing. */
static void t_words(void)
{
	static const struct patset_entry d[] = { E("/b/c/", DIR), E("a/b", DIR), E("//", DIR) };
	static const struct patset_entry m[] = { E("c.d", DOM), E("b.c.d", DOM), E(".d", DOM), E("..", DOM) };
	struct patset *ps = build(d, 3, 0);

	EXPECT_INT(first(ps, "/a/b/c"), 0);
	EXPECT_INT(first(ps, "/a/b/x"), 1);
	EXPECT_INT(first(ps, "/abc"), -1);
	EXPECT_INT(first(ps, "/"), -1);
	EXPECT_INT(first(ps, "b/c?q"), 0);
	patset_free(ps);
	ps = build(m, 4, 0);
	EXPECT_INT(first(ps, "a.b.c.d"), 0);
	EXPECT_INT(first(ps, "d"), 2);
	EXPECT_INT(first(ps, "x.d:80"), 2);
	EXPECT_INT(first(ps, "x.dd"), -1);
	EXPECT_INT(first(ps, "."), -1);
	patset_free(ps);
}

static void t_icase(void)
{
	static const struct patset_entry e[] = {
		EI("/API/", BEG), E("/Api/", BEG), EI("Bot", SUB), EI("Example.COM", DOM), EI("^x[a-c]+$", REG),
		EI("TXT", END), EI("Str", STR),
	};
	struct patset *ps = build(e, 7, 0);

	EXPECT_INT(first(ps, "/api/x"), 0);
	EXPECT_INT(first(ps, "/Api/x"), 0);
	EXPECT_INT(first(ps, "googlebot"), 2);
	EXPECT_INT(first(ps, "WWW.EXAMPLE.com"), 3);
	EXPECT_INT(first(ps, "XaBc"), 4);
	EXPECT_INT(first(ps, "XaBd"), -1);
	EXPECT_INT(first(ps, "a.txt"), 5);
	EXPECT_INT(first(ps, "STR"), 6);
	/* case folding is ASCII only, as PCRE2 without UTF and HAProxy */
	EXPECT_INT(first(ps, "\xc9"), -1);
	patset_free(ps);
}

static void t_binary(void)
{
	static const struct patset_entry e[] = {
		{ "a\0b", 3, PATSET_SUB, 0 }, { "\xff\xfe", 2, PATSET_BEG, 0 }, { "\\x00$", 5, PATSET_REG, 0 },
		{ "[\\x80-\\xff]{3}", 14, PATSET_REG, 0 },
	};
	struct patset *ps = build(e, 4, 0);

	EXPECT_INT(patset_first(ps, "xxa\0bxx", 7), 0);
	EXPECT_INT(patset_first(ps, "xxa\0cxx", 7), -1);
	EXPECT_INT(patset_first(ps, "\xff\xfe", 2), 1);
	EXPECT_INT(patset_first(ps, "zz\0", 3), 2);
	EXPECT_INT(patset_first(ps, "zz\0z", 4), -1);
	EXPECT_INT(patset_first(ps, "z\x80\x90\xa0", 4), 3);
	EXPECT_INT(patset_first(ps, "", 0), -1);
	patset_free(ps);
}

static void t_empty_patterns(void)
{
	static const struct patset_entry e1[] = { E("zz", SUB), E("", STR), E("q", BEG), E("", BEG), E("r", END) };
	static const struct patset_entry e2[] = { E("", SUB) };
	static const struct patset_entry e3[] = { E("", END), E("x", SUB) };
	struct patset *ps = build(e1, 5, 0);

	EXPECT_INT(first(ps, ""), 1);
	EXPECT_INT(first(ps, "abc"), 3);
	EXPECT_INT(first(ps, "azz"), 0);
	EXPECT_INT(first(ps, "q"), 2);
	patset_free(ps);
	ps = build(e2, 1, 0);
	EXPECT_INT(first(ps, ""), 0);
	EXPECT_INT(first(ps, "abc"), 0);
	patset_free(ps);
	ps = build(e3, 2, 0);
	EXPECT_INT(first(ps, "x"), 0);
	patset_free(ps);
	ps = build(NULL, 0, 0);
	EXPECT(ps != NULL);
	EXPECT_INT(patset_count(ps), 0);
	EXPECT_INT(first(ps, "abc"), -1);
	patset_free(ps);
}

/* map_beg in HAProxy 2.6: the longest prefix wins, file order between
 * equal ones ("/a x1, /a x2, /ab x3, /ab x4": "/abc" -> x3, "/ax" -> x1). */
static void t_beg_longest(void)
{
	static const struct patset_entry e[] = {
		E("/a", BEG), E("/a", BEG), E("/ab", BEG), E("/ab", BEG), E("bc", SUB), EI("/ABCD", BEG),
	};
	struct patset *ps = build(e, 6, PATSET_O_BEG_LONGEST);

	EXPECT_INT(first(ps, "/abc"), 2);
	EXPECT_INT(first(ps, "/ax"), 0);
	EXPECT_INT(first(ps, "/abcd"), 2);   /* the -i one is not in the tree */
	EXPECT_INT(first(ps, "xbc"), 4);
	EXPECT_INT(first(ps, "/x"), -1);
	patset_free(ps);
	ps = build(e, 6, 0);
	EXPECT_INT(first(ps, "/abc"), 0);
	patset_free(ps);
}

static void t_regex_fallback_order(void)
{
	/* entry 1 and 3 need PCRE2 (backreference, lookahead): file order
	 * still decides between both engines */
	static const struct patset_entry e[] = {
		E("^zzz", REG), E("(?<g>a)\\k<g>", REG), E("aa", SUB), E("b(?=c)", REG), E("bc", END), E("x*", REG),
	};
	struct patset *ps = build(e, 6, 0);

	EXPECT(ps != NULL);
	if (!ps)
		return;
	EXPECT_INT(patset_fallback_count(ps), 2);
	EXPECT_INT(first(ps, "zzzaa"), 0);
	EXPECT_INT(first(ps, "xaa"), 1);
	EXPECT_INT(first(ps, "abc"), 3);
	EXPECT_INT(first(ps, "bc"), 3);
	EXPECT_INT(first(ps, "qq"), 5);   /* x* matches the empty string anywhere */
	patset_free(ps);
}

static void t_errors(void)
{
	static const struct patset_entry e[] = { E("ok", SUB), E("^fine$", REG), E("a(b", REG), E("[", REG) };
	static const struct patset_entry bad_kind[] = { { "x", 1, (enum patset_kind)42, 0 } };
	char err[256] = "";
	size_t bad = 99;
	struct patset *ps = patset_build(e, 4, err, sizeof(err), &bad);

	EXPECT(ps == NULL);
	EXPECT_INT(bad, 2);
	EXPECT(strstr(err, "missing closing parenthesis") != NULL);
	ps = patset_build(bad_kind, 1, err, sizeof(err), &bad);
	EXPECT(ps == NULL);
	EXPECT_INT(bad, 0);
	ps = patset_build(e, 4, NULL, 0, NULL);   /* no error buffers: still safe */
	EXPECT(ps == NULL);
	{
		/* HAProxy compiles ACL/map regexes without numbered captures:
		 * "-m reg (a)\1" is "reference to non-existent subpattern" */
		static const struct patset_entry br[] = { E("x", SUB), E("(a)\\1", REG) };

		ps = patset_build(br, 2, err, sizeof(err), &bad);
		EXPECT(ps == NULL);
		EXPECT_INT(bad, 1);
		EXPECT(strstr(err, "reference to non-existent subpattern") != NULL);
	}
}

/* ---- random agreement -------------------------------------------------- */

#include "tests/unit/rxgen.h"

static const char alpha[] = "ab./:?A\n";

static void t_random_agreement(void)
{
	static const char *const regs[] = {
		"a", "^a", "b$", "a.b", "^$", "[ab]+", "(a|b)c?", "\\.", "/a?$", "^[^/]*$", "A", "(?i)ab",
		"(?<g>a)\\k<g>", "a(?!b)", "^(?:a|/)+", "\\b", "::", "b*", ".{3}", "^\\?", "a\\z", "[.:]b$",
		"(?i)^A.$", "^(?<c>a|b)\\k{c}$", "a{2,}", "^[^a]{2}", "\\A/", "b\\Z", "(?m)^b", "(?<=a)b",
		"^ab$", "b\\.", "^/a", "a\\n$", "^\\?$", ":b",
	};
	int round, ok = 1, matches = 0;
	int rounds = getenv("PATSET_FUZZ_ROUNDS") ? atoi(getenv("PATSET_FUZZ_ROUNDS")) : 3000;

	/* PATSET_FUZZ_ROUNDS=<n> in the environment runs a longer search */
	for (round = 0; round < rounds && ok; round++) {
		static struct patset_entry e[400];
		static struct rx *re[400];
		static char pats[400][8];
		/* a few big sets spread regexes over several databases */
		size_t ne = round < 12 ? 200 + rnd(200) : 1 + rnd(24), i;
		unsigned opts = rnd(4) == 0 ? PATSET_O_BEG_LONGEST : 0;
		struct patset *ps;
		int j;

		for (i = 0; i < ne; i++) {
			re[i] = NULL;
			e[i].kind = round < 12 && rnd(2) ? PATSET_REG : (enum patset_kind)rnd(PATSET_REG + 1);
			e[i].flags = rnd(3) == 0 ? PATSET_ICASE : 0;
			if (e[i].kind == PATSET_REG) {
				char err[128];

				e[i].pat = regs[rnd(sizeof(regs) / sizeof(*regs))];
				e[i].len = strlen(e[i].pat);
				re[i] = rx_compile(e[i].pat, e[i].len,
				                   (e[i].flags & PATSET_ICASE ? RX_ICASE : 0) | RX_FORCE_PCRE |
				                   RX_NO_CAPTURE,
				                   err, sizeof(err));
			} else {
				size_t k, l = round < 12 ? 1 + rnd(3) : rnd(rnd(4) ? 4 : 1);

				for (k = 0; k < l; k++)
					pats[i][k] = alpha[rnd(sizeof(alpha) - 1)];
				e[i].pat = pats[i];
				e[i].len = l;
			}
		}
		ps = build(e, ne, opts);
		EXPECT(ps != NULL);
		if (!ps)
			break;
		for (j = 0; j < 60 && ok; j++) {
			char s[12];
			size_t n = rnd(sizeof(s) + 1), k;
			int got, want;

			for (k = 0; k < n; k++)
				s[k] = alpha[rnd(sizeof(alpha))];   /* may be the NUL */
			got = patset_first(ps, s, n);
			want = ref_first(e, re, ne, opts, s, n);
			matches += want >= 0;
			if (got != want) {
				printf("  round %d: subject \"%.*s\" (%zu): got %d, want %d; set:\n",
				       round, (int)n, s, n, got, want);
				for (i = 0; i < ne; i++)
					printf("    %zu: kind %d flags %u \"%.*s\"\n", i, e[i].kind, e[i].flags,
					       (int)e[i].len, e[i].pat);
				ok = 0;
			}
		}
		patset_free(ps);
		for (i = 0; i < ne; i++)
			rx_free(re[i]);
	}
	printf("  %d subjects matched\n", matches);
	EXPECT(ok);
	EXPECT(matches > 50000);
}

/* Regexes spread over several Hyperscan databases (chunks) and the PCRE2
 * side list: the first in file order still wins across all of them. */
static void t_chunks(void)
{
	enum { N = 600 };
	static struct patset_entry e[N];
	static char buf[N][40];
	struct patset *ps;
	int i;

	for (i = 0; i < N; i++) {
		if (i % 50 == 49)   /* PCRE2 only */
			snprintf(buf[i], sizeof(buf[i]), "^k%d(?<x>x)\\k<x>$", i);
		else if (i % 3 == 0)
			snprintf(buf[i], sizeof(buf[i]), "^k%d(x|y)+$", i);
		else
			snprintf(buf[i], sizeof(buf[i]), "k%d;", i);
		e[i].pat = buf[i];
		e[i].len = strlen(buf[i]);
		e[i].kind = i % 3 == 0 || i % 50 == 49 ? PATSET_REG : PATSET_SUB;
		e[i].flags = 0;
	}
	ps = build(e, N, 0);
	EXPECT(ps != NULL);
	if (!ps)
		return;
	EXPECT_INT(patset_fallback_count(ps), N / 50);
	EXPECT_INT(first(ps, "k599xx"), 599);       /* PCRE2 side, last entry */
	EXPECT_INT(first(ps, "k549xy"), -1);
	EXPECT_INT(first(ps, "k300xy"), 300);       /* in the third chunk */
	EXPECT_INT(first(ps, "k301;"), 301);
	EXPECT_INT(first(ps, "k3xy"), 3);
	EXPECT_INT(first(ps, "k5; k4;"), 4);
	EXPECT_INT(first(ps, "k2;"), 2);
	EXPECT_INT(first(ps, "k99xx"), 99);
	EXPECT_INT(first(ps, "k99xx k98;"), 98);    /* the regexes are anchored */
	EXPECT_INT(first(ps, "zzz"), -1);
	patset_free(ps);
}

/* Sets of random regexes (some big enough for several Hyperscan
 * databases) against a loop over the entries with PCRE2's interpreter.
 * Subjects where PCRE2 gives up or its JIT disagrees are skipped. The big
 * sets' Hyperscan compiles are most of the time: under the sanitizers
 * (148 s of test_patset's 177 s) fewer rounds are big. */
static void t_random_regex_sets(void)
{
	int round, ok = 1, matched = 0;
	int rounds = getenv("PATSET_FUZZ_ROUNDS") ? atoi(getenv("PATSET_FUZZ_ROUNDS")) / 10 : 200;
	int big_every = unit_scale(10, 40);

	for (round = 0; round < rounds && ok; round++) {
		static struct patset_entry e[300];
		static struct sbuf pb[300];
		static struct rx *ref[300], *jit[300];
		int ne = 1 + (int)rnd(round % big_every == 0 ? 300 : 20), k = 0, i, j;
		struct patset *ps;
		char err[256];

		while (k < ne) {
			unsigned fl = rnd(3) == 0 ? RX_ICASE : 0;

			pb[k].n = 0;
			gen_alt(&pb[k], 0);
			ref[k] = rx_compile(pb[k].b, pb[k].n, fl | RX_FORCE_PCRE | RX_NO_JIT | RX_NO_CAPTURE,
			                    err, sizeof(err));
			if (!ref[k])
				continue;
			jit[k] = rx_compile(pb[k].b, pb[k].n, fl | RX_FORCE_PCRE | RX_NO_CAPTURE, err, sizeof(err));
			e[k].pat = pb[k].b;
			e[k].len = pb[k].n;
			e[k].kind = PATSET_REG;
			e[k].flags = fl ? PATSET_ICASE : 0;
			k++;
		}
		ps = build(e, (size_t)ne, 0);
		EXPECT(ps != NULL);
		for (j = 0; ps && j < 50 && ok; j++) {
			char s[16];
			size_t n = rnd(sizeof(s) + 1), q;
			int want = -1, unsure = 0, got;

			for (q = 0; q < n; q++)
				s[q] = subj_alpha[rnd(sizeof(subj_alpha))];
			for (i = 0; i < ne; i++) {
				int a = rx_match_ex(ref[i], s, n);

				if (a == RX_ELIMIT || a != rx_match_ex(jit[i], s, n)) {
					unsure = 1;
					break;
				}
				if (a == 1) {
					want = i;
					break;
				}
			}
			if (unsure)
				continue;
			got = patset_first(ps, s, n);
			matched += want >= 0;
			if (got != want) {
				printf("  round %d: got %d (%s), want %d (%s)\n", round, got,
				       got >= 0 ? rx_pattern(ref[got]) : "-", want, want >= 0 ? rx_pattern(ref[want]) : "-");
				ok = 0;
			}
		}
		patset_free(ps);
		for (i = 0; i < ne; i++) {
			rx_free(ref[i]);
			rx_free(jit[i]);
		}
	}
	printf("  %d subjects matched\n", matched);
	EXPECT(ok);
	EXPECT(matched > rounds * 10);
}

/* ---- scale, threads ------------------------------------------------------ */

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* CPU time of the whole process (all threads): steady on a loaded machine. */
static double cpu(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static void t_ten_thousand(void)
{
	enum { N = 10000 };
	static struct patset_entry e[N];
	static char buf[N][48];
	struct patset *ps;
	double t0, t1, t2, c0, c1;
	char s[64];
	int i, hits = 0;

	for (i = 0; i < N; i++) {
		switch (i % 4) {
		case 0: snprintf(buf[i], sizeof(buf[i]), "^/svc%d/v[0-9]+/", i); e[i].kind = PATSET_REG; break;
		case 1: snprintf(buf[i], sizeof(buf[i]), "/path/%d/", i); e[i].kind = PATSET_BEG; break;
		case 2: snprintf(buf[i], sizeof(buf[i]), "host%d.example.com", i); e[i].kind = PATSET_DOM; break;
		default: snprintf(buf[i], sizeof(buf[i]), ".ext%d", i); e[i].kind = PATSET_END; break;
		}
		e[i].pat = buf[i];
		e[i].len = strlen(buf[i]);
		e[i].flags = i % 8 == 7 ? PATSET_ICASE : 0;
	}
	t0 = now();
	c0 = cpu();
	ps = build(e, N, 0);
	t1 = now();
	c1 = cpu();
	EXPECT(ps != NULL);
	if (!ps)
		return;
	printf("  10000 patterns (2500 regexes) built in %.2f s, %.2f s of CPU\n", t1 - t0, c1 - c0);
	EXPECT(c1 - c0 < 120);
	EXPECT_INT(patset_fallback_count(ps), 0);
	EXPECT_INT(first(ps, "/svc9996/v2/x"), 9996);
	EXPECT_INT(first(ps, "/path/9997/x"), 9997);
	EXPECT_INT(first(ps, "/path/9998/x"), -1);
	EXPECT_INT(first(ps, "a.host9998.example.com"), 9998);
	EXPECT_INT(first(ps, "/F.EXT9999"), 9999);
	EXPECT_INT(first(ps, "/F.EXT9995"), -1);   /* 9995 is case-sensitive */
	for (i = 0; i < 20000; i++) {
		snprintf(s, sizeof(s), "/file.ext%d", (i * 7) % N);
		hits += patset_first(ps, s, strlen(s)) >= 0;
	}
	t2 = now();
	printf("  20000 lookups in %.3f s\n", t2 - t1);
	EXPECT_INT(hits, 5000);
	patset_free(ps);
}

/* 10,000 domains sharing their suffix: each lookup stays cheap, and a
 * hostile 8 KB subject made of words and dots stays bounded. */
static void t_shared_suffix(void)
{
	enum { N = 10000 };
	static struct patset_entry e[N];
	static char buf[N][40];
	static char hostile[8192];
	struct patset *ps;
	double t0, t1, t2;
	int i, hits = 0;

	for (i = 0; i < N; i++) {
		snprintf(buf[i], sizeof(buf[i]), "host%d.example.com", i);
		e[i].pat = buf[i];
		e[i].len = strlen(buf[i]);
		e[i].kind = PATSET_DOM;
		e[i].flags = i & 1 ? PATSET_ICASE : 0;
	}
	ps = build(e, N, 0);
	EXPECT(ps != NULL);
	if (!ps)
		return;
	EXPECT_INT(first(ps, "www.host9999.EXAMPLE.com:443"), 9999);
	EXPECT_INT(first(ps, "www.host9998.EXAMPLE.com:443"), -1);
	EXPECT_INT(first(ps, "host9998.example.com"), 9998);
	t0 = cpu();
	for (i = 0; i < 100000; i++) {
		char h[64];

		snprintf(h, sizeof(h), "www.host%d.example.com", (i * 7) % (2 * N));
		hits += patset_first(ps, h, strlen(h)) >= 0;
	}
	t1 = cpu();
	for (i = 0; i < (int)sizeof(hostile); i++)
		hostile[i] = i % 2 ? '.' : 'h';
	for (i = 0; i < 10; i++)
		hits += patset_first(ps, hostile, sizeof(hostile)) >= 0;
	t2 = cpu();
	printf("  %.0f ns per lookup, %.2f ms per hostile 8 KB lookup\n", (t1 - t0) * 1e4, (t2 - t1) * 1e2);
	EXPECT_INT(hits, 50000);
	EXPECT((t1 - t0) * 1e4 < 20000);   /* < 20 us each, even under sanitizers */
	EXPECT((t2 - t1) * 1e2 < 100);     /* < 100 ms each */
	patset_free(ps);
}

struct thr_arg { struct patset *ps; int hits; };

static void *thr_main(void *p)
{
	struct thr_arg *a = p;
	int i;

	for (i = 0; i < 20000; i++)
		a->hits += patset_first(a->ps, i & 1 ? "www.example.org" : "www.example.net", 15) == 1;
	rx_thread_exit();
	return NULL;
}

static void t_threads(void)
{
	static const struct patset_entry e[] = { E("example.net", DOM), E("example.org", DOM) };
	struct patset *ps = build(e, 2, 0);
	struct thr_arg a[4];
	pthread_t th[4];
	int i;

	for (i = 0; i < 4; i++) {
		a[i].ps = ps;
		a[i].hits = 0;
		EXPECT_INT(pthread_create(&th[i], NULL, thr_main, &a[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		EXPECT_INT(a[i].hits, 10000);
	}
	patset_free(ps);
}

int main(void)
{
	RUN(t_kinds);
	RUN(t_words);
	RUN(t_icase);
	RUN(t_binary);
	RUN(t_empty_patterns);
	RUN(t_beg_longest);
	RUN(t_regex_fallback_order);
	RUN(t_errors);
	RUN(t_random_agreement);
	RUN(t_random_regex_sets);
	RUN(t_chunks);
	RUN(t_ten_thousand);
	RUN(t_shared_suffix);
	RUN(t_threads);
	rx_thread_exit();
	return unit_end();
}
