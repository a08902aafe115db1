/* test_http_norm.c: the normalize-uri transforms (engine/http_norm.c), each
 * case's expected output as HAProxy 2.6 rewrites the same input. */
#include "tests/unit/unit.h"
#include "engine/http_norm.h"

typedef int (*norm_fn)(const char *in, size_t len, int opt, char *out, size_t max);

struct ncase {
	const char *in, *out;       /* out NULL: HTTP_NORM_BAD expected */
};

static int f_merge(const char *in, size_t len, int opt, char *out, size_t max)
{
	(void)opt;
	return http_norm_merge_slashes(in, len, out, max);
}
static int f_dot(const char *in, size_t len, int opt, char *out, size_t max)
{
	(void)opt;
	return http_norm_strip_dot(in, len, out, max);
}
static int f_sort(const char *in, size_t len, int opt, char *out, size_t max)
{
	(void)opt;
	return http_norm_sort_query(in, len, out, max);
}

static int check(norm_fn fn, int opt, const struct ncase *c, size_t n)
{
	char out[256];
	int bad = 0;

	for (size_t i = 0; i < n; i++) {
		int r = fn(c[i].in, strlen(c[i].in), opt, out, sizeof(out));

		if (!c[i].out) {
			if (r != HTTP_NORM_BAD) {
				printf("  \"%s\": expected HTTP_NORM_BAD, got %d\n", c[i].in, r);
				bad = 1;
			}
			continue;
		}
		if (r < 0 || (size_t)r != strlen(c[i].out) || memcmp(out, c[i].out, (size_t)r)) {
			printf("  \"%s\" -> \"%.*s\" (%d), expected \"%s\"\n", c[i].in, r < 0 ? 0 : r, out, r,
			       c[i].out);
			bad = 1;
		}
	}
	return !bad;
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void t_merge_slashes(void)
{
	static const struct ncase c[] = {
		{ "/foo/bar", "/foo/bar" }, { "/foo//bar", "/foo/bar" }, { "///foo///bar///", "/foo/bar/" },
		{ "///", "/" }, { "*", "*" },
	};
	EXPECT(check(f_merge, 0, c, N(c)));
}

static void t_strip_dot(void)
{
	static const struct ncase c[] = {
		{ "/", "/" }, { "/a/b", "/a/b" }, { "/.", "/" }, { "/./", "/" }, { "/a/.", "/a/" },
		{ "/a.", "/a." }, { "/.a", "/.a" }, { "/a/./", "/a/" }, { "/a/./a", "/a/a" },
		{ "/a/../", "/a/../" }, { "/a/../a", "/a/../a" },
	};
	EXPECT(check(f_dot, 0, c, N(c)));
}

static void t_strip_dotdot(void)
{
	static const struct ncase c[] = {
		{ "/foo/bar", "/foo/bar" }, { "/foo/..", "/" }, { "/foo/../", "/" },
		{ "/foo/bar/../", "/foo/" }, { "/foo/../bar", "/bar" }, { "/foo/../bar/", "/bar/" },
		{ "/foo/../../bar/", "/../bar/" }, { "/foo//../../bar/", "/bar/" }, { "*", "*" },
		{ "/../../a", "/../../a" },
	};
	static const struct ncase full[] = {
		{ "/foo/../../bar/", "/bar/" }, { "/foo/..", "/" }, { "/../../a", "/a" }, { "/..", "/" },
	};
	EXPECT(check((norm_fn)http_norm_strip_dotdot, 0, c, N(c)));
	EXPECT(check((norm_fn)http_norm_strip_dotdot, 1, full, N(full)));
}

static void t_sort_query(void)
{
	static const struct ncase c[] = {
		{ "a=a", "a=a" }, { "z=z&a=a", "a=a&z=z" }, { "a=z&z=a", "a=z&z=a" },
		{ "c&b&a&z&x&y", "a&b&c&x&y&z" }, { "aaaa=&a=&aa=&aaa=", "a=&aa=&aaa=&aaaa=" },
		{ "a=5&a=3&a=1&a=2&a=4", "a=5&a=3&a=1&a=2&a=4" },
		{ "a=5&b=3&a=1&a=2&b=4", "a=5&a=1&a=2&b=3&b=4" }, { "", "" },
	};
	EXPECT(check(f_sort, 0, c, N(c)));
}

static void t_percent(void)
{
	static const struct ncase up[] = {
		{ "/a?a=a", "/a?a=a" }, { "/%aa?a=%aa", "/%AA?a=%AA" }, { "/%zz?a=%zz", "/%zz?a=%zz" },
		{ "/%a", "/%a" },
	};
	static const struct ncase up_strict[] = {
		{ "/%aa", "/%AA" }, { "/%zz?a=%zz", NULL }, { "/%a", NULL },
	};
	static const struct ncase dec[] = {
		{ "/%61?%61=%61", "/a?a=a" }, { "/%3F?foo=bar", "/%3F?foo=bar" }, { "/%%36%36", "/%66" },
		{ "/%7e%2D", "/~-" },
	};
	static const struct ncase dec_strict[] = {
		{ "/%61", "/a" }, { "/%%36%36", NULL },
	};
	EXPECT(check((norm_fn)http_norm_pct_upper, 0, up, N(up)));
	EXPECT(check((norm_fn)http_norm_pct_upper, 1, up_strict, N(up_strict)));
	EXPECT(check((norm_fn)http_norm_pct_unreserved, 0, dec, N(dec)));
	EXPECT(check((norm_fn)http_norm_pct_unreserved, 1, dec_strict, N(dec_strict)));
}

static void t_fragment(void)
{
	static const struct ncase strip[] = { { "/#foo", "/" }, { "/%23foo", "/%23foo" } };
	static const struct ncase enc[] = { { "/#foo", "/%23foo" }, { "/a", "/a" } };
	EXPECT(check((norm_fn)http_norm_fragment, 0, strip, N(strip)));
	EXPECT(check((norm_fn)http_norm_fragment, 1, enc, N(enc)));
}

static void t_room(void)
{
	char out[4];

	EXPECT_INT(http_norm_merge_slashes("/abcdef", 7, out, sizeof(out)), HTTP_NORM_ROOM);
	EXPECT_INT(http_norm_strip_dotdot("/abcdef", 7, 0, out, sizeof(out)), HTTP_NORM_ROOM);
	EXPECT_INT(http_norm_fragment("/a#b", 4, 1, out, sizeof(out)), HTTP_NORM_ROOM);
}

int main(void)
{
	RUN(t_merge_slashes);
	RUN(t_strip_dot);
	RUN(t_strip_dotdot);
	RUN(t_sort_query);
	RUN(t_percent);
	RUN(t_fragment);
	RUN(t_room);
	return unit_end();
}
