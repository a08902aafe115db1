/* test_pattern.c: pattern lists and match kinds (engine/pattern.c). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include "tests/unit/unit.h"
#include <pthread.h>
#include <stdatomic.h>
#include "engine/epoch.h"
#include "engine/pattern.h"

static struct sample S(const char *s)
{
	struct sample smp = { .type = SMP_T_STR };
	smp.u.str.ptr = (char *)s;
	smp.u.str.len = strlen(s);
	smp.flags = SMP_F_CONST;
	return smp;
}

static struct sample I(int64_t v)
{
	struct sample smp = { .type = SMP_T_SINT };
	smp.u.sint = v;
	return smp;
}

static struct sample IP(const char *a)
{
	struct sample smp = { .type = SMP_T_IPV4 };
	if (inet_pton(AF_INET, a, &smp.u.ipv4) != 1) {
		smp.type = SMP_T_IPV6;
		inet_pton(AF_INET6, a, &smp.u.ipv6);
	}
	return smp;
}

/* Builds an anonymous list of <keys> (NULL-terminated) compiled for <m>. */
static struct pat_expr *mk(struct pat_list **lp, enum pat_match m, unsigned fl, const char *const *keys)
{
	char err[256];
	struct pat_list *l = pat_list_new(NULL, 0);
	for (; *keys; keys++)
		if (pat_list_add(l, *keys, NULL) < 0)
			return NULL;
	*lp = l;
	return pat_expr_get(l, m, fl, err, sizeof(err));
}

static const char *key_of(const struct pat_expr *x, struct sample smp)
{
	const struct pat_entry *e = pat_expr_lookup(x, &smp);
	return e ? pat_entry_key(e) : NULL;
}

static void t_kinds_names(void)
{
	EXPECT_INT(pat_match_parse("str"), PAT_MATCH_STR);
	EXPECT_INT(pat_match_parse("reg"), PAT_MATCH_REG);
	EXPECT_INT(pat_match_parse("found"), PAT_MATCH_FOUND);
	EXPECT_INT(pat_match_parse("foo"), -1);
	EXPECT_STR(pat_match_name(PAT_MATCH_DOM), "dom");
}

static void t_str(void)
{
	struct pat_list *l;
	const char *k[] = { "foo", "Bar", "baz", "foo", "", NULL };
	struct pat_expr *x = mk(&l, PAT_MATCH_STR, 0, k);
	EXPECT(x != NULL);
	EXPECT_STR(key_of(x, S("foo")), "foo");
	EXPECT(key_of(x, S("bar")) == NULL);
	EXPECT_STR(key_of(x, S("Bar")), "Bar");
	EXPECT(key_of(x, S("fo")) == NULL);
	EXPECT(key_of(x, S("fooo")) == NULL);
	EXPECT(key_of(x, S("")) != NULL);
	struct pat_expr *xi = pat_expr_get(l, PAT_MATCH_STR, PAT_F_ICASE, NULL, 0);
	EXPECT(xi != NULL && xi != x);
	EXPECT_STR(key_of(xi, S("BAR")), "Bar");
	EXPECT_STR(key_of(xi, S("FOO")), "foo");
	/* same request, same view */
	EXPECT(pat_expr_get(l, PAT_MATCH_STR, 0, NULL, 0) == x);
	/* an int sample is matched as its decimal string */
	pat_list_add(l, "42", NULL);
	EXPECT_STR(key_of(x, I(42)), "42");
	pat_list_free(l);
}

static void t_str_many(void)
{
	/* enough entries to grow the hash table several times */
	struct pat_list *l = pat_list_new(NULL, 0);
	char buf[32];
	struct pat_expr *x = pat_expr_get(l, PAT_MATCH_STR, 0, NULL, 0);
	for (int i = 0; i < 5000; i++) {
		snprintf(buf, sizeof(buf), "k%d", i);
		EXPECT_INT(pat_list_add(l, buf, NULL), 0);
	}
	EXPECT_INT(pat_list_count(l), 5000);
	EXPECT_STR(key_of(x, S("k0")), "k0");
	EXPECT_STR(key_of(x, S("k4999")), "k4999");
	EXPECT(key_of(x, S("k5000")) == NULL);
	EXPECT_INT(pat_list_del(l, "k17"), 1);
	EXPECT(key_of(x, S("k17")) == NULL);
	EXPECT_STR(key_of(x, S("k18")), "k18");
	pat_list_free(l);
}

static void t_beg_end_sub(void)
{
	struct pat_list *l1, *l2, *l3;
	const char *k[] = { "/api", "/static/", NULL };
	struct pat_expr *beg = mk(&l1, PAT_MATCH_BEG, 0, k);
	EXPECT(beg != NULL);
	EXPECT_STR(key_of(beg, S("/api/v1")), "/api");
	EXPECT_STR(key_of(beg, S("/static/x.png")), "/static/");
	EXPECT(key_of(beg, S("/ap")) == NULL);
	EXPECT(key_of(beg, S("x/api")) == NULL);
	EXPECT(key_of(beg, S("/API")) == NULL);
	const char *k2[] = { ".png", ".JPG", NULL };
	struct pat_expr *end = mk(&l2, PAT_MATCH_END, PAT_F_ICASE, k2);
	EXPECT(end != NULL);
	EXPECT_STR(key_of(end, S("/a/b.PNG")), ".png");
	EXPECT_STR(key_of(end, S("x.jpg")), ".JPG");
	EXPECT(key_of(end, S("png")) == NULL);
	const char *k3[] = { "needle", "dle", NULL };
	struct pat_expr *sub = mk(&l3, PAT_MATCH_SUB, 0, k3);
	EXPECT(sub != NULL);
	/* both match: the first in file order wins */
	EXPECT_STR(key_of(sub, S("haystack with a needle in it")), "needle");
	EXPECT_STR(key_of(sub, S("candle")), "dle");
	EXPECT(key_of(sub, S("needl")) == NULL);
	pat_list_free(l1);
	pat_list_free(l2);
	pat_list_free(l3);
}

/* map_beg / Map.beg: HAProxy's prefix tree returns the longest prefix;
 * with -i (a list in HAProxy) the first in file order wins. */
static void t_beg_longest(void)
{
	struct pat_list *l = pat_list_new(NULL, 1);
	char err[128];
	EXPECT_INT(pat_list_add(l, "/a", "x1"), 0);
	EXPECT_INT(pat_list_add(l, "/a/b", "x2"), 0);
	EXPECT_INT(pat_list_add(l, "/", "x0"), 0);
	struct pat_expr *x = pat_expr_get(l, PAT_MATCH_BEG, 0, err, sizeof(err));
	struct pat_expr *xi = pat_expr_get(l, PAT_MATCH_BEG, PAT_F_ICASE, err, sizeof(err));
	EXPECT(x && xi);
	if (!x || !xi)
		return;
	EXPECT_STR(key_of(x, S("/a/b/c")), "/a/b");
	EXPECT_STR(key_of(x, S("/a/c")), "/a");
	EXPECT_STR(key_of(x, S("/z")), "/");
	EXPECT_STR(key_of(xi, S("/a/b/c")), "/a");
	/* a longer prefix added at run time wins over the built ones */
	EXPECT_INT(pat_list_add(l, "/a/b/c", "x3"), 0);
	EXPECT_STR(key_of(x, S("/a/b/c/d")), "/a/b/c");
	EXPECT_STR(key_of(x, S("/a/b/x")), "/a/b");
	EXPECT_STR(key_of(xi, S("/a/b/c/d")), "/a");
	pat_list_free(l);
}

static void t_dir_dom(void)
{
	struct pat_list *l1, *l2;
	const char *k[] = { "img", NULL };
	struct pat_expr *dir = mk(&l1, PAT_MATCH_DIR, 0, k);
	EXPECT(dir != NULL);
	EXPECT(key_of(dir, S("/static/img/a.png")) != NULL);
	EXPECT(key_of(dir, S("/img")) != NULL);
	EXPECT(key_of(dir, S("/images/a")) == NULL);
	EXPECT(key_of(dir, S("/static/myimg/a")) == NULL);
	const char *k2[] = { "example.com", NULL };
	struct pat_expr *dom = mk(&l2, PAT_MATCH_DOM, 0, k2);
	EXPECT(dom != NULL);
	EXPECT(key_of(dom, S("www.example.com")) != NULL);
	EXPECT(key_of(dom, S("example.com")) != NULL);
	EXPECT(key_of(dom, S("example.com:8080")) != NULL);
	EXPECT(key_of(dom, S("badexample.com")) == NULL);
	EXPECT(key_of(dom, S("example.community")) == NULL);
	pat_list_free(l1);
	pat_list_free(l2);

	/* HAProxy: a pattern of delimiters only matches an empty subject or
	 * one ending with a delimiter (checked against /usr/sbin/haproxy) */
	const char *k3[] = { "zz", "?/", NULL };
	struct pat_expr *d3 = mk(&l1, PAT_MATCH_DIR, 0, k3);
	EXPECT(d3 != NULL);
	EXPECT_STR(key_of(d3, S("/a/b?")), "?/");
	EXPECT_STR(key_of(d3, S("")), "?/");
	EXPECT(key_of(d3, S("/a/b")) == NULL);
	EXPECT_STR(key_of(d3, S("/zz/")), "zz");            /* file order */
	EXPECT_INT(pat_list_add(l1, ".", NULL), 0);        /* pending, in a dom view below */
	struct pat_expr *d4 = pat_expr_get(l1, PAT_MATCH_DOM, 0, NULL, 0);
	EXPECT(d4 != NULL);
	EXPECT_STR(key_of(d4, S("a.b:")), "?/");
	EXPECT(key_of(d4, S("a.b")) == NULL);
	pat_list_free(l1);
}

static void t_reg(void)
{
	struct pat_list *l;
	char err[256];
	const char *k[] = { "^/api/v[0-9]+/", "\\.php$", NULL };
	struct pat_expr *x = mk(&l, PAT_MATCH_REG, 0, k);
	EXPECT(x != NULL);
	EXPECT_STR(key_of(x, S("/api/v2/users")), "^/api/v[0-9]+/");
	EXPECT_STR(key_of(x, S("/index.php")), "\\.php$");
	EXPECT(key_of(x, S("/api/vx/")) == NULL);
	EXPECT(key_of(x, S("/index.php5")) == NULL);
	/* an invalid regex is refused, the list unchanged */
	EXPECT(pat_list_add_err(l, "(", NULL, err, sizeof(err)) < 0);
	EXPECT_STR(err, "regex '(' is invalid (error=missing closing parenthesis, erroffset=1)");
	EXPECT_INT(pat_list_count(l), 2);
	EXPECT(pat_check_key(PAT_MATCH_REG, "a(b", err, sizeof(err)) < 0);
	pat_list_free(l);
}

static void t_int(void)
{
	struct pat_list *l;
	char err[128];
	const char *k[] = { "80", "1000:2000", "60000:", ":-5", "300-400", NULL };
	struct pat_expr *x = mk(&l, PAT_MATCH_INT, 0, k);
	EXPECT(x != NULL);
	EXPECT_STR(key_of(x, I(80)), "80");
	EXPECT(key_of(x, I(81)) == NULL);
	EXPECT_STR(key_of(x, I(1000)), "1000:2000");
	EXPECT_STR(key_of(x, I(2000)), "1000:2000");
	EXPECT(key_of(x, I(2001)) == NULL);
	EXPECT_STR(key_of(x, I(65535)), "60000:");
	EXPECT_STR(key_of(x, I(-100)), ":-5");
	EXPECT(key_of(x, I(-4)) == NULL);
	EXPECT_STR(key_of(x, S("80")), "80");    /* string cast to int */
	/* HAProxy: '-' separates a range too */
	EXPECT_STR(key_of(x, I(350)), "300-400");
	EXPECT(key_of(x, I(401)) == NULL);
	const char *k2[] = { "-3", "10-", NULL };     /* at most 3, at least 10 */
	struct pat_list *l2;
	struct pat_expr *x2 = mk(&l2, PAT_MATCH_INT, 0, k2);
	EXPECT(x2 != NULL);
	EXPECT_STR(key_of(x2, I(-7)), "-3");
	EXPECT_STR(key_of(x2, I(3)), "-3");
	EXPECT(key_of(x2, I(4)) == NULL);
	EXPECT_STR(key_of(x2, I(10)), "10-");
	pat_list_free(l2);
	EXPECT(pat_check_key(PAT_MATCH_INT, "-5:-1", err, sizeof(err)) < 0);
	EXPECT_STR(err, "'-5:-1' is not a valid number range");
	EXPECT(pat_check_key(PAT_MATCH_INT, "-3:", err, sizeof(err)) < 0);
	EXPECT(pat_check_key(PAT_MATCH_INT, "abc", err, sizeof(err)) < 0);
	EXPECT_STR(err, "'abc' is not a number");
	EXPECT(pat_check_key(PAT_MATCH_INT, "1:x", err, sizeof(err)) < 0);
	EXPECT(pat_check_key(PAT_MATCH_INT, ":", err, sizeof(err)) < 0);
	/* HAProxy's limits: decimal digits, no '+', low <= high */
	EXPECT(pat_check_key(PAT_MATCH_INT, "+3", err, sizeof(err)) < 0);
	EXPECT_STR(err, "'+3' is not a number");
	EXPECT(pat_check_key(PAT_MATCH_INT, "0x10", err, sizeof(err)) < 0);
	EXPECT(pat_check_key(PAT_MATCH_INT, " 3", err, sizeof(err)) < 0);
	EXPECT(pat_check_key(PAT_MATCH_INT, "3:1", err, sizeof(err)) < 0);
	EXPECT_STR(err, "'3:1' is not a valid number range");
	EXPECT_INT(pat_check_key(PAT_MATCH_INT, "010", err, sizeof(err)), 0);
	EXPECT_INT(pat_check_key(PAT_MATCH_INT, "5:5", err, sizeof(err)), 0);
	/* adding a non-number to a list compiled as int fails */
	EXPECT(pat_list_add(l, "zz", NULL) == -EINVAL);
	pat_list_free(l);
}

static void t_len(void)
{
	struct pat_list *l;
	const char *k[] = { "0", "3:4", NULL };
	struct pat_expr *x = mk(&l, PAT_MATCH_LEN, 0, k);
	EXPECT(x != NULL);
	EXPECT_STR(key_of(x, S("")), "0");
	EXPECT_STR(key_of(x, S("abc")), "3:4");
	EXPECT_STR(key_of(x, S("abcd")), "3:4");
	EXPECT(key_of(x, S("ab")) == NULL);
	EXPECT(key_of(x, S("abcde")) == NULL);
	pat_list_free(l);
}

static void t_ip(void)
{
	struct pat_list *l;
	char err[128];
	const char *k[] = { "10.0.0.0/8", "10.1.0.0/16", "192.168.1.1", "2001:db8::/32",
	                    "172.16.0.0/255.240.0.0", "::1", NULL };
	struct pat_expr *x = mk(&l, PAT_MATCH_IP, 0, k);
	EXPECT(x != NULL);
	/* longest prefix wins, whatever the file order */
	EXPECT_STR(key_of(x, IP("10.1.2.3")), "10.1.0.0/16");
	EXPECT_STR(key_of(x, IP("10.2.2.3")), "10.0.0.0/8");
	EXPECT_STR(key_of(x, IP("192.168.1.1")), "192.168.1.1");
	EXPECT(key_of(x, IP("192.168.1.2")) == NULL);
	EXPECT(key_of(x, IP("11.0.0.1")) == NULL);
	EXPECT_STR(key_of(x, IP("172.31.255.255")), "172.16.0.0/255.240.0.0");
	EXPECT(key_of(x, IP("172.32.0.0")) == NULL);
	EXPECT_STR(key_of(x, IP("2001:db8:1::5")), "2001:db8::/32");
	EXPECT(key_of(x, IP("2001:db9::5")) == NULL);
	EXPECT_STR(key_of(x, IP("::1")), "::1");
	/* a v4-mapped v6 address matches v4 networks */
	EXPECT_STR(key_of(x, IP("::ffff:10.9.9.9")), "10.0.0.0/8");
	/* and so does a v4-compatible one (::a.b.c.d), as HAProxy's v6tov4() */
	EXPECT_STR(key_of(x, IP("::10.9.9.9")), "10.0.0.0/8");
	/* an integer is an IPv4 address (10.1.0.1 = 0x0a010001) */
	EXPECT_STR(key_of(x, I(0x0a010001)), "10.1.0.0/16");
	/* a string sample is parsed as an address */
	EXPECT_STR(key_of(x, S("10.1.0.1")), "10.1.0.0/16");
	EXPECT(key_of(x, S("not-an-ip")) == NULL);
	EXPECT(pat_check_key(PAT_MATCH_IP, "1.2.3.4/40", err, sizeof(err)) < 0);
	EXPECT_STR(err, "'1.2.3.4/40' is not a valid IPv4 or IPv6 address");
	EXPECT(pat_check_key(PAT_MATCH_IP, "1.2.3", err, sizeof(err)) < 0);
	EXPECT(pat_check_key(PAT_MATCH_IP, "1.2.3.4/255.0.255.0", err, sizeof(err)) < 0);
	EXPECT_INT(pat_check_key(PAT_MATCH_IP, "0.0.0.0/0", err, sizeof(err)), 0);
	pat_list_free(l);

	/* 0.0.0.0/0 matches everything v4 */
	const char *k2[] = { "0.0.0.0/0", NULL };
	x = mk(&l, PAT_MATCH_IP, 0, k2);
	EXPECT(key_of(x, IP("8.8.8.8")) != NULL);
	EXPECT(key_of(x, IP("2001::1")) == NULL);
	pat_list_free(l);
}

/* Every prefix length, v4 and v6: "<net>/<plen>" matches an address iff
 * their first <plen> bits agree (the network address in the key is
 * masked when the list is built, the looked-up address when it is
 * tested). */
static void t_ip_prefixes(void)
{
	static const uint8_t net6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0xa5, 0x5a, 0xff, 0x00,
	                                  0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf1 };
	int bad = 0;

	for (int plen = 0; plen <= 32; plen++) {
		struct pat_list *l;
		char key[64];
		const char *k[] = { key, NULL };
		uint32_t net = 0xac1f5a35;      /* 172.31.90.53: bits set on both sides of every byte */
		snprintf(key, sizeof(key), "%u.%u.%u.%u/%d", net >> 24, (net >> 16) & 255,
		         (net >> 8) & 255, net & 255, plen);
		struct pat_expr *x = mk(&l, PAT_MATCH_IP, 0, k);
		if (!x) {
			bad++;
			continue;
		}
		for (int flip = 0; flip < 32; flip++) {
			struct sample smp = { .type = SMP_T_IPV4 };
			uint32_t a = net ^ (1u << (31 - flip));     /* differs at bit <flip> only */
			smp.u.ipv4.s_addr = htonl(a);
			int want = flip >= plen;
			if ((key_of(x, smp) != NULL) != want) {
				fprintf(stderr, "  %s vs bit %d: got %d\n", key, flip, !want);
				bad++;
			}
		}
		pat_list_free(l);
	}
	for (int plen = 0; plen <= 128; plen += 3) {
		struct pat_list *l;
		char key[96], txt[INET6_ADDRSTRLEN];
		const char *k[] = { key, NULL };
		inet_ntop(AF_INET6, net6, txt, sizeof(txt));
		snprintf(key, sizeof(key), "%s/%d", txt, plen);
		struct pat_expr *x = mk(&l, PAT_MATCH_IP, 0, k);
		if (!x) {
			bad++;
			continue;
		}
		for (int flip = 0; flip < 128; flip += 5) {
			struct sample smp = { .type = SMP_T_IPV6 };
			memcpy(&smp.u.ipv6, net6, 16);
			((uint8_t *)&smp.u.ipv6)[flip / 8] ^= (uint8_t)(0x80 >> (flip % 8));
			int want = flip >= plen;
			if ((key_of(x, smp) != NULL) != want) {
				fprintf(stderr, "  %s vs bit %d: got %d\n", key, flip, !want);
				bad++;
			}
		}
		pat_list_free(l);
	}
	EXPECT_INT(bad, 0);
}

static void t_found_bool(void)
{
	struct sample s0 = I(0), s1 = I(7), str = S("x"), empty = S("");
	EXPECT_INT(pat_match_sample(PAT_MATCH_FOUND, &s0), 1);
	EXPECT_INT(pat_match_sample(PAT_MATCH_BOOL, &s0), 0);
	EXPECT_INT(pat_match_sample(PAT_MATCH_BOOL, &s1), 1);
	(void)str; (void)empty;
	EXPECT_INT(pat_match_sample(PAT_MATCH_STR, &s1), 0);
}

static void t_bin(void)
{
	struct pat_list *l;
	char err[128];
	const char *k[] = { "414243", "00ff", NULL };
	struct pat_expr *x = mk(&l, PAT_MATCH_BIN, 0, k);
	EXPECT(x != NULL);
	struct sample b = { .type = SMP_T_BIN };
	b.u.str.ptr = "ABC";
	b.u.str.len = 3;
	EXPECT_STR(key_of(x, b), "414243");
	b.u.str.ptr = "\x00\xff";
	b.u.str.len = 2;
	EXPECT_STR(key_of(x, b), "00ff");
	b.u.str.len = 1;
	EXPECT(key_of(x, b) == NULL);
	EXPECT(pat_check_key(PAT_MATCH_BIN, "4142x", err, sizeof(err)) < 0);
	EXPECT_STR(err, "an even number of hex digit is expected");
	EXPECT(pat_check_key(PAT_MATCH_BIN, "41zz", err, sizeof(err)) < 0);
	EXPECT_STR(err, "an hex digit is expected (found 'z')");
	pat_list_free(l);
}

static void t_map_file(void)
{
	char path[] = "/tmp/rp_test_pattern_XXXXXX";
	char err[256];
	int fd = mkstemp(path);
	const char *text =
		"# a comment\n"
		"\n"
		"   \t\n"
		"  www.example.com   backend1  \n"
		"api.example.com\tbackend2 with spaces\r\n"
		"www.example.com backend3\n"
		"  #key-not-comment v\n"
		"nokey\n";
	EXPECT(fd >= 0);
	EXPECT_INT(write(fd, text, strlen(text)), strlen(text));
	close(fd);
	struct pat_list *l = pat_list_load(path, 1, err, sizeof(err));
	EXPECT(l != NULL);
	if (!l)
		return;
	EXPECT(pat_list_find(path) == l);
	EXPECT(pat_list_load(path, 1, err, sizeof(err)) == l);    /* loaded once */
	EXPECT_INT(pat_list_count(l), 5);
	struct pat_expr *x = pat_expr_get(l, PAT_MATCH_STR, 0, err, sizeof(err));
	EXPECT(x != NULL);
	const struct pat_entry *e = pat_expr_lookup(x, &(struct sample){ .type = SMP_T_STR,
		.u.str = { "www.example.com", 15, 0 } });
	EXPECT(e != NULL);
	EXPECT_STR(e ? pat_entry_value(e) : NULL, "backend1");   /* first wins; value trimmed */
	e = pat_expr_lookup(x, &(struct sample){ .type = SMP_T_STR, .u.str = { "api.example.com", 15, 0 } });
	EXPECT_STR(e ? pat_entry_value(e) : NULL, "backend2 with spaces");
	e = pat_expr_lookup(x, &(struct sample){ .type = SMP_T_STR, .u.str = { "#key-not-comment", 16, 0 } });
	EXPECT_STR(e ? pat_entry_value(e) : NULL, "v");            /* '#' after blanks: a key */
	e = pat_expr_lookup(x, &(struct sample){ .type = SMP_T_STR, .u.str = { "nokey", 5, 0 } });
	EXPECT_STR(e ? pat_entry_value(e) : NULL, "");
	/* set: changes every entry with that key; del: removes them all */
	EXPECT_INT(pat_list_set(l, "www.example.com", "b9"), 0);
	e = pat_expr_lookup(x, &(struct sample){ .type = SMP_T_STR, .u.str = { "www.example.com", 15, 0 } });
	EXPECT_STR(e ? pat_entry_value(e) : NULL, "b9");
	EXPECT_INT(pat_list_del(l, "www.example.com"), 2);
	EXPECT_INT(pat_list_count(l), 3);
	e = pat_expr_lookup(x, &(struct sample){ .type = SMP_T_STR, .u.str = { "www.example.com", 15, 0 } });
	EXPECT(e == NULL);
	EXPECT_INT(pat_list_set(l, "new.example.com", "b4"), 0);
	e = pat_expr_lookup(x, &(struct sample){ .type = SMP_T_STR, .u.str = { "new.example.com", 15, 0 } });
	EXPECT_STR(e ? pat_entry_value(e) : NULL, "b4");
	pat_list_clear(l);
	EXPECT_INT(pat_list_count(l), 0);
	EXPECT(pat_expr_lookup(x, &(struct sample){ .type = SMP_T_STR, .u.str = { "new.example.com", 15, 0 } }) == NULL);
	unlink(path);
	pat_list_free_all();
	EXPECT(pat_list_find(path) == NULL);
}

static void t_acl_file(void)
{
	char path[] = "/tmp/rp_test_pattern_XXXXXX";
	char err[256];
	int fd = mkstemp(path);
	/* HAProxy: '#' only in column 0; leading blanks skipped, trailing kept */
	const char *text = "# comment\n  10.0.0.0/8\n\n192.168.0.0/16\n";
	EXPECT_INT(write(fd, text, strlen(text)), strlen(text));
	close(fd);
	struct pat_list *l = pat_list_load(path, 0, err, sizeof(err));
	EXPECT(l != NULL);
	struct pat_expr *x = l ? pat_expr_get(l, PAT_MATCH_IP, 0, err, sizeof(err)) : NULL;
	EXPECT(x != NULL);
	if (x) {
		EXPECT_STR(key_of(x, IP("10.3.3.3")), "10.0.0.0/8");
		EXPECT_STR(key_of(x, IP("192.168.3.3")), "192.168.0.0/16");
		/* core.add_acl / del_acl */
		EXPECT_INT(pat_list_add(l, "8.8.8.8", NULL), 0);
		EXPECT_STR(key_of(x, IP("8.8.8.8")), "8.8.8.8");
		EXPECT_INT(pat_list_del(l, "8.8.8.8"), 1);
		EXPECT(key_of(x, IP("8.8.8.8")) == NULL);
		EXPECT_INT(pat_list_del(l, "8.8.8.8"), 0);
	}
	/* a pattern invalid for the kind: message names file and line */
	fd = open(path, O_WRONLY | O_TRUNC);
	text = "1.2.3.4\n   #x\n";
	EXPECT_INT(write(fd, text, strlen(text)), strlen(text));
	close(fd);
	pat_list_free_all();
	l = pat_list_load(path, 0, err, sizeof(err));
	EXPECT(l != NULL);
	EXPECT(l && pat_expr_get(l, PAT_MATCH_IP, 0, err, sizeof(err)) == NULL);
	char want[512];
	snprintf(want, sizeof(want), "'#x' is not a valid IPv4 or IPv6 address at line 2 of file '%s'", path);
	EXPECT_STR(err, want);
	EXPECT(pat_list_load("/nonexistent/file", 0, err, sizeof(err)) == NULL);
	EXPECT_STR(err, "failed to open pattern file </nonexistent/file>");
	unlink(path);
	pat_list_free_all();
}

/* Entries added after a view's pattern set was built (core.add_acl) match
 * the same way before and after the set is rebuilt, file order kept. */
static void t_pending_additions(void)
{
	static const struct { enum pat_match m; unsigned fl; const char *key, *yes, *no; } cases[] = {
		{ PAT_MATCH_BEG, 0, "/adm", "/admin/x", "/ad" },
		{ PAT_MATCH_BEG, PAT_F_ICASE, "/ADM", "/admin/x", "x/adm" },
		{ PAT_MATCH_END, 0, ".gif", "a/b.gif", "a.gifx" },
		{ PAT_MATCH_SUB, 0, "oo", "foobar", "fobar" },
		{ PAT_MATCH_DIR, 0, "img", "/a/img/b", "/a/imgs/b" },
		{ PAT_MATCH_DIR, 0, "/img/", "/img", "/im" },
		{ PAT_MATCH_DIR, 0, "b", "/a/b?x=1", "/a/bb" },
		{ PAT_MATCH_DOM, 0, "example.com", "www.example.com:80", "myexample.com" },
		{ PAT_MATCH_DOM, PAT_F_ICASE, "WWW", "www.x.org", "wwwx.org" },
		{ PAT_MATCH_REG, 0, "^a[0-9]+z$", "a123z", "a12z3" },
		{ PAT_MATCH_REG, PAT_F_ICASE, "^abc", "ABCD", "xabc" },
	};
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct pat_list *l = pat_list_new(NULL, 0);
		char err[256], buf[32];
		EXPECT_INT(pat_list_add(l, "zzzz-never", NULL), 0);
		struct pat_expr *x = pat_expr_get(l, cases[c].m, cases[c].fl, err, sizeof(err));
		EXPECT(x != NULL);
		if (!x)
			continue;
		EXPECT(key_of(x, S(cases[c].yes)) == NULL);
		EXPECT_INT(pat_list_add(l, cases[c].key, NULL), 0);     /* pending */
		int ok1 = key_of(x, S(cases[c].yes)) != NULL && key_of(x, S(cases[c].no)) == NULL;
		for (int i = 0; i < 40; i++) {                            /* forces a rebuild */
			snprintf(buf, sizeof(buf), "qqq%dqqq", i);
			EXPECT_INT(pat_list_add(l, buf, NULL), 0);
		}
		int ok2 = key_of(x, S(cases[c].yes)) != NULL && key_of(x, S(cases[c].no)) == NULL;
		if (!ok1 || !ok2) {
			char m[256];
			snprintf(m, sizeof(m), "case %zu (-m %s '%s'): pending %s, rebuilt %s", c,
			         pat_match_name(cases[c].m), cases[c].key, ok1 ? "ok" : "WRONG", ok2 ? "ok" : "WRONG");
			unit_fail(m, __FILE__, __LINE__);
		}
		/* the first matching entry in file order wins among pending ones */
		EXPECT_INT(pat_list_add(l, cases[c].key, "dup"), 0);
		const struct pat_entry *e = pat_expr_lookup(x, &(struct sample){ .type = SMP_T_STR,
			.u.str = { (char *)cases[c].yes, strlen(cases[c].yes), 0 } });
		EXPECT(e && pat_entry_value(e) == NULL);
		pat_list_free(l);
	}
}

static const struct pat_entry *lk(const struct pat_expr *x, struct sample smp)
{
	return pat_expr_lookup(x, &smp);
}

static const struct pat_entry *find_str(const struct pat_expr *x, const char *k)
{
	return lk(x, S(k));
}

/* Finds the second entry keyed "/k" (pat_list_foreach callback). */
struct nth_walk { const struct pat_entry *e; int n; };
static int second_k(const struct pat_entry *e, void *arg)
{
	struct nth_walk *p = arg;
	if (!strcmp(pat_entry_key(e), "/k") && ++p->n == 2)
		p->e = e;
	return 0;
}

/* A removed entry and a replaced value stay readable until the reader's
 * quiescent point, and are freed then (ASan would see a use after free). */
static void t_publish_deferred(void)
{
	char err[256];
	struct pat_list *l = pat_list_new(NULL, 1);
	struct pat_expr *x;
	const struct pat_entry *e;
	const char *v;

	epoch_thread_online(0);
	EXPECT_INT(pat_list_add(l, "a", "va"), 0);
	EXPECT_INT(pat_list_add(l, "b", "vb"), 0);
	x = pat_expr_get(l, PAT_MATCH_STR, 0, err, sizeof(err));
	EXPECT(x != NULL);
	if (!x)
		goto out;
	e = find_str(x, "a");
	EXPECT(e != NULL);
	v = e ? pat_entry_value(e) : NULL;
	EXPECT_STR(v, "va");
	epoch_quiescent(0);
	EXPECT_INT(epoch_pending(), 0);
	EXPECT_INT(pat_list_set(l, "a", "va2"), 0);
	EXPECT_STR(pat_entry_value(find_str(x, "a")), "va2");
	EXPECT_STR(v, "va");                  /* the old value: not freed yet */
	EXPECT_INT(pat_list_del(l, "a"), 1);
	EXPECT(key_of(x, S("a")) == NULL);
	EXPECT_STR(key_of(x, S("b")), "b");
	EXPECT_STR(pat_entry_key(e), "a");     /* the removed entry: kept (dead) */
	EXPECT(epoch_pending() >= 1);          /* the old value */
	pat_list_clear(l);                     /* compacts: views and entries retired */
	EXPECT(find_str(x, "b") == NULL);
	EXPECT_STR(pat_entry_key(e), "a");     /* still not freed */
	EXPECT(epoch_pending() >= 3);          /* the old view, the two entries */
	epoch_quiescent(0);
	EXPECT_INT(epoch_pending(), 0);
out:
	epoch_thread_offline(0);
	pat_list_free(l);
}

/* "#<id>": one entry among several with the same key. */
static void t_entry_ops(void)
{
	char err[256];
	struct pat_list *l = pat_list_new(NULL, 1);
	struct pat_expr *x, *xb;
	const struct pat_entry *e1, *e2;

	EXPECT_INT(pat_list_add(l, "/k", "v1"), 0);
	EXPECT_INT(pat_list_add(l, "/k", "v2"), 0);
	EXPECT_INT(pat_list_add(l, "/other", "v3"), 0);
	x = pat_expr_get(l, PAT_MATCH_STR, 0, err, sizeof(err));
	xb = pat_expr_get(l, PAT_MATCH_BEG, 0, err, sizeof(err));
	EXPECT(x && xb);
	if (!x || !xb)
		goto out;
	e1 = find_str(x, "/k");
	EXPECT_STR(e1 ? pat_entry_value(e1) : NULL, "v1");
	/* the second "/k": found by walking the list */
	struct nth_walk w = { NULL, 0 };
	pat_list_foreach(l, second_k, &w);
	e2 = w.e;
	EXPECT(e2 != NULL && e2 != e1);
	EXPECT_INT(pat_list_set_entry(l, e2, "v2b"), 0);
	EXPECT_STR(pat_entry_value(e1), "v1");
	EXPECT_STR(pat_entry_value(e2), "v2b");
	EXPECT_INT(pat_list_del_entry(l, e1), 1);
	EXPECT_INT(pat_list_count(l), 2);
	EXPECT_STR(pat_entry_value(find_str(x, "/k")), "v2b");     /* the other "/k" now */
	EXPECT_STR(pat_entry_value(find_str(xb, "/k/x")), "v2b");
	EXPECT_INT(pat_list_del_entry(l, e1), 0);                  /* gone already */
	EXPECT_INT(pat_list_set_entry(l, e1, "x"), -ENOENT);
	/* set by key sets every entry with the key */
	EXPECT_INT(pat_list_add(l, "/k", "v4"), 0);
	EXPECT_INT(pat_list_set(l, "/k", "all"), 0);
	w.n = 0;
	w.e = NULL;
	pat_list_foreach(l, second_k, &w);
	EXPECT(w.e != NULL);
	EXPECT_STR(w.e ? pat_entry_value(w.e) : NULL, "all");
	EXPECT_STR(pat_entry_value(find_str(x, "/k")), "all");
out:
	pat_list_free(l);
}

/* "commit map": the list's entries replaced in one step, for every view;
 * an invalid entry leaves the list as it was. */
static void t_replace(void)
{
	char err[256];
	struct pat_list *l = pat_list_new(NULL, 1);
	struct pat_expr *xs, *xi;
	const char *keys[] = { "10.0.0.0/8", "192.168.1.1" }, *vals[] = { "ten", "one" };
	const char *bad[] = { "10.0.0.0/8", "nope" };

	EXPECT_INT(pat_list_add(l, "1.2.3.4", "old"), 0);
	xs = pat_expr_get(l, PAT_MATCH_STR, 0, err, sizeof(err));
	xi = pat_expr_get(l, PAT_MATCH_IP, 0, err, sizeof(err));
	EXPECT(xs && xi);
	if (!xs || !xi)
		goto out;
	EXPECT_INT(pat_list_replace(l, bad, vals, 2, err, sizeof(err)), -EINVAL);
	EXPECT(strstr(err, "'nope' is not a valid IPv4 or IPv6 address") != NULL);
	EXPECT_STR(pat_entry_value(lk(xi, IP("1.2.3.4"))), "old");
	EXPECT_INT(pat_list_replace(l, keys, vals, 2, err, sizeof(err)), 0);
	EXPECT_INT(pat_list_count(l), 2);
	EXPECT(lk(xi, IP("1.2.3.4")) == NULL);
	EXPECT_STR(pat_entry_value(lk(xi, IP("10.9.9.9"))), "ten");
	EXPECT_STR(pat_entry_value(find_str(xs, "192.168.1.1")), "one");
	pat_list_clear(l);
	EXPECT_INT(pat_list_count(l), 0);
	EXPECT(find_str(xs, "192.168.1.1") == NULL);
	EXPECT_INT(pat_list_add(l, "5.5.5.5", "five"), 0);
	EXPECT_STR(pat_entry_value(lk(xi, IP("5.5.5.5"))), "five");
out:
	pat_list_free(l);
}

/* Many single additions: every view stays right through the growth of
 * its arrays and tables (shared, then copied), and beg/reg additions are
 * folded into the pattern set in batches. */
static void t_add_many(void)
{
	char err[256], k[64], want[64];
	struct pat_list *l = pat_list_new(NULL, 1);
	struct pat_expr *xs, *xi, *xb, *xr;
	int bad = 0;

	/* a reader while background builds publish must be online */
	epoch_thread_online(0);
	xs = pat_expr_get(l, PAT_MATCH_STR, 0, err, sizeof(err));
	xb = pat_expr_get(l, PAT_MATCH_BEG, 0, err, sizeof(err));
	xr = pat_expr_get(l, PAT_MATCH_REG, 0, err, sizeof(err));
	EXPECT(xs && xb && xr);
	if (!xs || !xb || !xr)
		goto out;
	for (int i = 0; i < 3000; i++) {
		snprintf(k, sizeof(k), "/p%d/", i);
		snprintf(want, sizeof(want), "v%d", i);
		if (pat_list_add(l, k, want) < 0)
			bad++;
		/* every 97th: check the new one and an old one in each view */
		if (i % 97)
			continue;
		epoch_quiescent(0);
		const struct pat_entry *e = find_str(xs, k);
		bad += !e || strcmp(pat_entry_value(e), want);
		snprintf(k, sizeof(k), "/p%d/x", i / 2);
		snprintf(want, sizeof(want), "v%d", i / 2);
		e = find_str(xb, k);
		bad += !e || strcmp(pat_entry_value(e), want);
		e = find_str(xr, k);
		bad += !e || strcmp(pat_entry_value(e), want);
	}
	EXPECT_INT(bad, 0);
	EXPECT_INT(pat_list_count(l), 3000);
	EXPECT(find_str(xs, "/p3000/") == NULL);
	/* an ip view compiled afterwards refuses the keys */
	xi = pat_expr_get(l, PAT_MATCH_IP, 0, err, sizeof(err));
	EXPECT(xi == NULL);
	EXPECT(strstr(err, "'/p0/' is not a valid IPv4 or IPv6 address") != NULL);
	/* an invalid regex is refused by the reg view: nothing added anywhere */
	EXPECT_INT(pat_list_add_err(l, "(", "x", err, sizeof(err)), -EINVAL);
	EXPECT(find_str(xs, "(") == NULL);
	EXPECT_INT(pat_list_count(l), 3000);
out:
	epoch_thread_offline(0);
	pat_list_free(l);
}

/* One thread looks up while another changes the list: every answer is a
 * whole entry, the stable key is always there, nothing is freed under the
 * reader (run under ASan by the sanitizer build). */
static atomic_int race_stop;
static struct pat_expr *race_x, *race_xi;
static atomic_long race_bad, race_lookups;
static atomic_int race_why;

static void *race_reader(void *arg)
{
	char k[32];
	long n = 0;

	(void)arg;
	epoch_thread_online(1);
	while (!atomic_load(&race_stop)) {
		const struct pat_entry *e = find_str(race_x, "stable");
		if (!e || strcmp(pat_entry_value(e), "S"))
			atomic_fetch_add(&race_bad, 1), atomic_store(&race_why, 1);
		snprintf(k, sizeof(k), "k%ld", n % 500);
		e = find_str(race_x, k);
		if (e && strcmp(pat_entry_key(e), k))
			atomic_fetch_add(&race_bad, 1), atomic_store(&race_why, 2);
		if (e && strncmp(pat_entry_value(e), "val", 3))
			atomic_fetch_add(&race_bad, 1), atomic_store(&race_why, 3);
		e = lk(race_xi, IP("10.1.2.3"));
		if (!e || strcmp(pat_entry_value(e), "net"))
			atomic_fetch_add(&race_bad, 1), atomic_store(&race_why, 4);
		n++;
		if (!(n % 16))
			epoch_quiescent(1);
	}
	atomic_fetch_add(&race_lookups, n);
	epoch_thread_offline(1);
	return NULL;
}

static void t_concurrent(void)
{
	char err[256], k[32], v[32];
	struct pat_list *l = pat_list_new(NULL, 1);
	pthread_t th;

	EXPECT_INT(pat_list_add(l, "stable", "S"), 0);
	EXPECT_INT(pat_list_add(l, "10.0.0.0/8", "net"), 0);
	race_x = pat_expr_get(l, PAT_MATCH_STR, 0, err, sizeof(err));
	EXPECT(race_x != NULL);
	/* "stable" is no address: the ip view needs a list of its own */
	struct pat_list *li = pat_list_new(NULL, 1);
	EXPECT_INT(pat_list_add(li, "10.0.0.0/8", "net"), 0);
	race_xi = pat_expr_get(li, PAT_MATCH_IP, 0, err, sizeof(err));
	if (!race_x || !race_xi)
		goto out;
	epoch_thread_online(0);
	atomic_store(&race_stop, 0);
	if (pthread_create(&th, NULL, race_reader, NULL)) {
		SKIP("cannot create a thread");
		epoch_thread_offline(0);
		goto out;
	}
	for (int round = 0; round < 20; round++) {
		for (int i = 0; i < 500; i++) {
			snprintf(k, sizeof(k), "k%d", i);
			snprintf(v, sizeof(v), "val%d", round);
			if (i % 3 == 0)
				pat_list_set(l, k, v);
			else
				pat_list_add(l, k, v);
			snprintf(k, sizeof(k), "192.168.%d.%d", round, i % 250);
			pat_list_add(li, k, "other");
			if (i % 50 == 0)
				epoch_quiescent(0);
		}
		for (int i = 0; i < 500; i += 7) {
			snprintf(k, sizeof(k), "k%d", i);
			pat_list_del(l, k);
		}
		if (round % 5 == 4) {
			const char *nk[] = { "10.0.0.0/8" }, *nv[] = { "net" };
			EXPECT_INT(pat_list_replace(li, nk, nv, 1, err, sizeof(err)), 0);
		}
		epoch_quiescent(0);
	}
	atomic_store(&race_stop, 1);
	pthread_join(th, NULL);
	epoch_thread_offline(0);
	EXPECT_INT(atomic_load(&race_bad), 0);
	EXPECT_INT(atomic_load(&race_why), 0);
	EXPECT(atomic_load(&race_lookups) > 0);
	EXPECT_INT(epoch_pending(), 0);
out:
	pat_list_free(li);
	pat_list_free(l);
}

/* A large regex list starts on PCRE2 (no Hyperscan compile before
 * pat_expr_get() returns) and gets its Hyperscan set from a background
 * thread; lookups are right before, during and after, and additions made
 * meanwhile are kept. */
static void t_reg_background(void)
{
	char err[256], k[64], subj[64];
	struct pat_list *l = pat_list_new(NULL, 1);
	struct pat_expr *x;
	int bad = 0, i;

	for (i = 0; i < 300; i++) {
		snprintf(k, sizeof(k), "^/svc%d/[a-z]+/[0-9]+$", i);
		snprintf(subj, sizeof(subj), "v%d", i);
		EXPECT_INT(pat_list_add(l, k, subj), 0);
	}
	EXPECT_INT(pat_list_add(l, "^/svc1/", "dup"), 0);
	epoch_thread_online(0);     /* a reader while the build publishes */
	x = pat_expr_get(l, PAT_MATCH_REG, 0, err, sizeof(err));
	EXPECT(x != NULL);
	if (!x)
		goto out;
	for (int round = 0; round < 3; round++) {
		for (i = 0; i < 300; i += 7) {
			snprintf(subj, sizeof(subj), "/svc%d/items/%d", i, round);
			snprintf(k, sizeof(k), "v%d", i);
			const struct pat_entry *e = find_str(x, subj);
			bad += !e || strcmp(pat_entry_value(e), k);
		}
		bad += find_str(x, "/svc1/x") == NULL || strcmp(pat_entry_value(find_str(x, "/svc1/x")), "dup");
		bad += find_str(x, "/svc1") != NULL;
		if (round == 0) {
			EXPECT_INT(pat_list_add(l, "^/late$", "late"), 0);
			EXPECT_INT(pat_list_add(l, "^/svc2/", "shadowed"), 0);
		}
		if (round == 0)
			EXPECT(pat_expr_pending(x) == 301 || pat_expr_pending(x) == 303 || pat_expr_pending(x) == 2);
		/* wait (bounded) for the background set: then only the two
		 * late additions are matched one by one (too few to rebuild) */
		for (int w = 0; w < 600 && pat_expr_pending(x) > 2; w++) {
			epoch_quiescent(0);
			usleep(100000);
		}
	}
	EXPECT_INT(bad, 0);
	EXPECT_INT(pat_expr_pending(x), 2);
	EXPECT_STR(find_str(x, "/late") ? pat_entry_value(find_str(x, "/late")) : NULL, "late");
	EXPECT_STR(find_str(x, "/svc2/a/1") ? pat_entry_value(find_str(x, "/svc2/a/1")) : NULL, "v2");
	EXPECT_STR(find_str(x, "/svc2/9") ? pat_entry_value(find_str(x, "/svc2/9")) : NULL, "shadowed");
	/* an invalid regex is refused at once, as HAProxy does */
	EXPECT_INT(pat_list_add_err(l, "a(b", "x", err, sizeof(err)), -EINVAL);
	EXPECT(strstr(err, "regex 'a(b' is invalid") != NULL);
out:
	epoch_thread_offline(0);
	pat_list_free(l);
}

/* Removing entries marks them dead instead of rebuilding the views (the
 * list is compacted later): every kind of view skips them and finds the
 * next match, a re-added key is found again, and after many removals the
 * lookups are still right. */
static void t_tombstones(void)
{
	char err[256], k[64];
	struct pat_list *l = pat_list_new(NULL, 1);
	struct pat_expr *xs, *xb, *xe;
	const struct pat_entry *e;
	int bad = 0;

	EXPECT_INT(pat_list_add(l, "/a", "A"), 0);
	EXPECT_INT(pat_list_add(l, "/a/b", "AB"), 0);
	EXPECT_INT(pat_list_add(l, "/dup", "d1"), 0);
	EXPECT_INT(pat_list_add(l, "/dup", "d2"), 0);
	for (int i = 0; i < 1000; i++) {
		snprintf(k, sizeof(k), "/k%d", i);
		EXPECT_INT(pat_list_add(l, k, k + 1), 0);
	}
	xs = pat_expr_get(l, PAT_MATCH_STR, 0, err, sizeof(err));
	xb = pat_expr_get(l, PAT_MATCH_BEG, 0, err, sizeof(err));
	xe = pat_expr_get(l, PAT_MATCH_END, 0, err, sizeof(err));
	EXPECT(xs && xb && xe);
	if (!xs || !xb || !xe)
		goto out;
	/* the first "/dup" removed: the second answers, in every view */
	struct nth_walk w = { NULL, 0 };
	e = find_str(xs, "/dup");
	EXPECT_INT(pat_list_del_entry(l, e), 1);
	EXPECT_STR(pat_entry_value(find_str(xs, "/dup")), "d2");
	EXPECT_STR(pat_entry_value(find_str(xb, "/dup/x")), "d2");
	EXPECT_STR(pat_entry_value(find_str(xe, "x/dup")), "d2");
	(void)w;
	/* the longest prefix removed: the shorter one answers */
	EXPECT_STR(pat_entry_value(find_str(xb, "/a/b/c")), "AB");
	EXPECT_INT(pat_list_del(l, "/a/b"), 1);
	EXPECT_STR(pat_entry_value(find_str(xb, "/a/b/c")), "A");
	EXPECT(find_str(xs, "/a/b") == NULL);
	/* removed then added again: found, with the new value */
	EXPECT_INT(pat_list_del(l, "/k5"), 1);
	EXPECT(find_str(xs, "/k5") == NULL);
	EXPECT(find_str(xb, "/k5") == NULL || strcmp(pat_entry_key(find_str(xb, "/k5")), "/k5"));
	EXPECT_INT(pat_list_add(l, "/k5", "again"), 0);
	EXPECT_STR(pat_entry_value(find_str(xs, "/k5")), "again");
	EXPECT_STR(pat_entry_value(find_str(xe, "/k5")), "again");
	/* most of the list removed one by one (compactions on the way) */
	for (int i = 0; i < 1000; i += 1) {
		if (i == 5 || i % 10 == 7)
			continue;
		snprintf(k, sizeof(k), "/k%d", i);
		bad += pat_list_del(l, k) != 1;
	}
	EXPECT_INT(bad, 0);
	for (int i = 0; i < 1000; i++) {
		snprintf(k, sizeof(k), "/k%d", i);
		e = find_str(xs, k);
		if (i == 5)
			bad += !e || strcmp(pat_entry_value(e), "again");
		else if (i % 10 == 7)
			bad += !e || strcmp(pat_entry_value(e), k + 1);
		else
			bad += e != NULL;
		e = find_str(xb, k);
		bad += (i == 5 || i % 10 == 7) ? !e || strcmp(pat_entry_key(e), k) : e && !strcmp(pat_entry_key(e), k);
	}
	EXPECT_INT(bad, 0);
	EXPECT_INT(pat_list_count(l), 3 + 100);     /* /a, /dup, /k5 and the i % 10 == 7 */
	/* an IP list: a removed network, a removed duplicate */
	struct pat_list *li = pat_list_new(NULL, 1);
	EXPECT_INT(pat_list_add(li, "10.0.0.0/8", "n1"), 0);
	EXPECT_INT(pat_list_add(li, "10.0.0.0/8", "n2"), 0);
	EXPECT_INT(pat_list_add(li, "10.1.0.0/16", "n3"), 0);
	struct pat_expr *xi = pat_expr_get(li, PAT_MATCH_IP, 0, err, sizeof(err));
	EXPECT(xi != NULL);
	if (xi) {
		EXPECT_STR(pat_entry_value(lk(xi, IP("10.1.2.3"))), "n3");
		EXPECT_INT(pat_list_del(li, "10.1.0.0/16"), 1);
		EXPECT_STR(pat_entry_value(lk(xi, IP("10.1.2.3"))), "n1");
		EXPECT_INT(pat_list_del_entry(li, lk(xi, IP("10.1.2.3"))), 1);
		EXPECT_STR(pat_entry_value(lk(xi, IP("10.1.2.3"))), "n2");
		EXPECT_INT(pat_list_del(li, "10.0.0.0/8"), 1);
		EXPECT(lk(xi, IP("10.1.2.3")) == NULL);
		EXPECT_INT(pat_list_add(li, "10.1.0.0/16", "back"), 0);
		EXPECT_STR(pat_entry_value(lk(xi, IP("10.1.2.3"))), "back");
	}
	pat_list_free(li);
out:
	pat_list_free(l);
}

int main(void)
{
	RUN(t_kinds_names);
	RUN(t_str);
	RUN(t_str_many);
	RUN(t_beg_end_sub);
	RUN(t_beg_longest);
	RUN(t_dir_dom);
	RUN(t_reg);
	RUN(t_int);
	RUN(t_len);
	RUN(t_ip);
	RUN(t_ip_prefixes);
	RUN(t_found_bool);
	RUN(t_bin);
	RUN(t_map_file);
	RUN(t_acl_file);
	RUN(t_pending_additions);
	RUN(t_publish_deferred);
	RUN(t_entry_ops);
	RUN(t_replace);
	RUN(t_add_many);
	RUN(t_concurrent);
	RUN(t_reg_background);
	RUN(t_tombstones);
	return unit_end();
}
