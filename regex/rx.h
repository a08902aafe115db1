/* rx.h: single regular expressions with PCRE semantics (HAProxy's regexes
 * are PCRE2). Matching runs on Hyperscan, or on a plain byte comparison
 * when the pattern is a literal with optional ^/$ ("^/api/", "\.php$");
 * capture groups come from PCRE2 (JIT), run only on a subject already
 * matched. A pattern Hyperscan cannot compile (backreferences,
 * lookaround...) or on which its semantics would differ from PCRE's runs
 * on PCRE2 alone (rx_is_fallback()). Syntax and error messages are PCRE2's.
 *
 * Threads: compiled regexes are immutable and may be shared by threads.
 * Matching uses per-thread state kept inside regex/ (Hyperscan scratch and
 * PCRE2 match data, thread-local). rx_thread_init() prepares it so the
 * data path does not allocate; a thread that skips it gets it on first use.
 * A regex compiled after a thread's init grows that thread's scratch once,
 * on its next match. rx_thread_exit() releases it. */
#ifndef RP_RX_H
#define RP_RX_H

#include <stddef.h>

struct rx;

/* rx_compile() flags */
#define RX_ICASE        0x01   /* case-insensitive (ASCII), as PCRE2_CASELESS / "-i" */
#define RX_NEED_GROUPS  0x02   /* rx_exec()/rx_subst() will be used (informative: the
                                * PCRE2 side is always compiled and JIT-compiled) */
#define RX_FORCE_PCRE   0x04   /* PCRE2 alone: no literal path, no Hyperscan (tests) */
#define RX_NO_CAPTURE   0x08   /* plain (...) groups do not capture, as HAProxy compiles
                                * ACL and map regexes ("-m reg", map_reg): a numbered
                                * backreference is then a compile error */
#define RX_NO_JIT       0x10   /* PCRE2 interpreter instead of its JIT (tests) */

#define RX_MAX_GROUPS   10     /* \0 (whole match) .. \9 */

/* Group spans of one match: byte offsets into the subject, [so, eo).
 * A group that did not take part in the match has so == eo == -1.
 * <n> is 1 + the highest group number that took part. */
struct rx_groups {
	int n;
	struct { int so, eo; } g[RX_MAX_GROUPS];
};

/* rx_subst() return values besides a length */
#define RX_ERR      -1   /* output too small or malformed replacement */
#define RX_NOMATCH  -2   /* the regex did not match: nothing written */
#define RX_ELIMIT   -3   /* rx_match_ex(): PCRE2 gave up (limits) */

/* Returns a new compiled regex for the <len> bytes at <pat> (NUL bytes
 * allowed), or NULL with PCRE2's message and the offset in <err> (or "out
 * of memory"). <flags> is a mix of RX_*. The caller owns
 * the result and frees it with rx_free(). Not for the data path. */
struct rx *rx_compile(const char *pat, size_t len, unsigned flags, char *err, size_t errlen);

/* Returns 0 when <pat>/<len> is a valid regex for PCRE2 with <flags>, or
 * -1 with PCRE2's message in <err>: a cheap syntax check (no Hyperscan
 * compile, no JIT) for configuration checks and management commands. */
int rx_check(const char *pat, size_t len, unsigned flags, char *err, size_t errlen);

/* Frees <r> (NULL is accepted). */
void rx_free(struct rx *r);

/* Returns 1 when <r> runs on PCRE2 alone (Hyperscan refused the pattern or
 * would not match like PCRE), 0 when Hyperscan or the literal comparison
 * does the matching. When 1, rx_fallback_reason() returns why (a static or
 * <r>-owned string, e.g. "not supported by Hyperscan: Back-references are
 * unsupported."), for the caller's notice; NULL otherwise. */
int rx_is_fallback(const struct rx *r);
const char *rx_fallback_reason(const struct rx *r);

/* Returns the pattern text <r> was compiled from (NUL-terminated, owned by
 * <r>) and its flags. */
const char *rx_pattern(const struct rx *r);
unsigned rx_flags(const struct rx *r);

/* Returns 1 when <r> matches anywhere in the <n> bytes at <s> (unanchored
 * search, as PCRE2 without options), 0 when not. Never allocates once the
 * thread's state is ready. */
int rx_match(const struct rx *r, const char *s, size_t n);

/* Same as rx_match() but tells a PCRE2 failure apart: returns 1, 0, or
 * RX_ELIMIT when PCRE2 gave up (match or depth limit, JIT stack, memory):
 * rx_match() says 0 then, as HAProxy does. Hyperscan and the literal path
 * never give up. */
int rx_match_ex(const struct rx *r, const char *s, size_t n);

/* Returns 1 and fills <g> (may be NULL) with the leftmost match and its
 * groups, as PCRE2 would, or 0 when <r> does not match. */
int rx_exec(const struct rx *r, const char *s, size_t n, struct rx_groups *g);

/* rx_exec2() flags */
#define RX_NOTBOL   0x01   /* the subject start is not a line start: "^" cannot match there */

/* Same as rx_exec() with <eflags> (RX_NOTBOL), as HAProxy's
 * regex_exec_match2() with REG_NOTBOL. Returns 1 and fills <g>, or 0. */
int rx_exec2(const struct rx *r, const char *s, size_t n, unsigned eflags, struct rx_groups *g);

/* Expands the replacement <fmt> (<fmtlen> bytes) for the groups <g> of the
 * subject <s>, as HAProxy's replace-header/replace-value do: "\0".."\9"
 * insert a group (empty if it did not take part), "\xHH" inserts one byte,
 * a backslash before any other character inserts that character, a
 * trailing lone backslash is an error. Returns the number of bytes written
 * to <out> (a NUL is appended when room is left), or RX_ERR. */
int rx_expand(const char *s, const struct rx_groups *g, const char *fmt, size_t fmtlen,
              char *out, size_t outsz);

/* Matches <r> against <s> and, when it matches, writes the expansion of
 * <fmt> (rx_expand()) to <out>: the whole output replaces the whole
 * subject, as in HAProxy's replace-header. Returns bytes written,
 * RX_NOMATCH, or RX_ERR. */
int rx_subst(const struct rx *r, const char *s, size_t n, const char *fmt, size_t fmtlen,
             char *out, size_t outsz);

/* The regsub converter: copies <s> to <out> with the first match of <r>
 * (every non-overlapping match when <global>) replaced by the expansion of
 * <fmt>. Returns bytes written (the unchanged copy when nothing matched) or
 * RX_ERR when <out> is too small. */
int rx_regsub(const struct rx *r, const char *s, size_t n, const char *fmt, size_t fmtlen,
              int global, char *out, size_t outsz);

/* Prepares this thread's matching state for every regex and pattern set
 * compiled so far. Returns 0 or -ENOMEM. */
int rx_thread_init(void);
/* Releases this thread's matching state. */
void rx_thread_exit(void);

/* Returns "Hyperscan <v>, PCRE2 <v> (JIT ...)", for "ringproxy -vv". */
const char *rx_version(void);

#endif
