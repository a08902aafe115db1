/* unit.h: the smallest test harness that reports what the runner counts.
 * Each test case prints one line: "PASS: <file>: <name>", "FAIL: <file>:
 * <name>: <why> (file:line)" or "SKIP: <file>: <name>: <why>"; main()
 * returns non-zero when any case failed. Usage:
 *
 *   static void t_split(void) { EXPECT(chan_len(&c) == 3); EXPECT_STR(buf, "abc"); }
 *   int main(void) { RUN(t_split); return unit_end(); }
 */
#ifndef RP_UNIT_H
#define RP_UNIT_H

#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <stdint.h>

static int unit_failed_cases, unit_case_failed, unit_case_skipped;
static char unit_skip_why[256];

static inline void unit_fail(const char *what, const char *file, int line)
{
	if (!unit_case_failed)
		printf("  %s:%d: %s\n", file, line, what);
	unit_case_failed = 1;
}

#define EXPECT(cond) do { if (!(cond)) unit_fail("expected " #cond, __FILE__, __LINE__); } while (0)
#define EXPECT_INT(a, b) do { long long _a = (long long)(a), _b = (long long)(b); \
	if (_a != _b) { char _m[256]; snprintf(_m, sizeof(_m), "%s == %lld, expected %lld", #a, _a, _b); \
	unit_fail(_m, __FILE__, __LINE__); } } while (0)
#define EXPECT_STR(a, b) do { const char *_a = (a), *_b = (b); \
	if (!_a || !_b || strcmp(_a, _b)) { char _m[512]; snprintf(_m, sizeof(_m), "%s == \"%.200s\", expected \"%.200s\"", \
	#a, _a ? _a : "(null)", _b ? _b : "(null)"); unit_fail(_m, __FILE__, __LINE__); } } while (0)
#define EXPECT_MEM(a, b, n) do { if (memcmp((a), (b), (n))) unit_fail("memcmp(" #a ", " #b ") != 0", __FILE__, __LINE__); } while (0)

/* Marks the running case skipped (a missing kernel feature, say): never PASS. */
#define SKIP(why) do { unit_case_skipped = 1; snprintf(unit_skip_why, sizeof(unit_skip_why), "%s", (why)); } while (0)

#define RUN(fn) do { \
	unit_case_failed = unit_case_skipped = 0; \
	fn(); \
	if (unit_case_failed) { printf("FAIL: %s: %s\n", __FILE__, #fn); unit_failed_cases++; } \
	else if (unit_case_skipped) printf("SKIP: %s: %s: %s\n", __FILE__, #fn, unit_skip_why); \
	else printf("PASS: %s: %s\n", __FILE__, #fn); \
	fflush(stdout); \
} while (0)

/* unit_scale(<normal>, <sanitizer>): the size of a loop for this build. The
 * sanitizers slow what they instrument several times over, and every
 * allocation of the libraries we call too (a Hyperscan compile is ~5x
 * slower): a case that compiles a lot does less of it there. */
#if defined(__SANITIZE_ADDRESS__)
#define UNIT_SAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNIT_SAN 1
#endif
#endif
#ifndef UNIT_SAN
#define UNIT_SAN 0
#endif
static inline int unit_scale(int normal, int san) { return UNIT_SAN ? san : normal; }

static inline int unit_end(void) { return unit_failed_cases ? 1 : 0; }

#endif
