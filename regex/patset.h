/* patset.h: many patterns matched in one pass. A pattern set is built from
 * N entries (HAProxy match kinds str/beg/end/sub/dir/dom/reg, each may be
 * case-insensitive); patset_first() returns the lowest entry index (file
 * order) that matches, as HAProxy's maps and ACL pattern lists do.
 * Inside: str/beg/end/dir/dom entries sit in a hash probed by the
 * subject's candidate spans; sub entries and literal regexes in one
 * Hyperscan literal database; other regexes in Hyperscan regex databases
 * (chunks of 128, compiled in parallel); the few Hyperscan cannot take
 * (or would match differently from PCRE2) in a PCRE2 side list. Every
 * part is skipped once a better match is known, so file order wins across
 * all of them.
 *
 * A built set is immutable: threads share it; updates build a new set and
 * publish it by pointer swap. Matching uses the per-thread state of rx.h
 * (rx_thread_init()). Cost: building takes about 1 ms of CPU per regex
 * that is not a plain literal (literals are cheap); a lookup is one pass
 * per part, plus one hash probe per (word start, distinct pattern length)
 * for dir/dom entries. */
#ifndef RP_PATSET_H
#define RP_PATSET_H

#include <stddef.h>

struct patset;

/* Match kinds, as HAProxy's "-m" methods:
 *   STR  the whole subject equals the pattern
 *   BEG  the subject starts with the pattern
 *   END  the subject ends with the pattern
 *   SUB  the pattern appears in the subject
 *   DIR  the pattern appears as whole '/'-delimited words ('?' also delimits)
 *   DOM  the pattern appears as whole '.'-delimited words ('/', '?', ':' also delimit)
 *   REG  the PCRE regex matches somewhere in the subject; like HAProxy's
 *        ACL/map regexes it is compiled without numbered captures
 *        (RX_NO_CAPTURE), so "(a)\1" is refused */
enum patset_kind { PATSET_STR = 0, PATSET_BEG, PATSET_END, PATSET_SUB,
                   PATSET_DIR, PATSET_DOM, PATSET_REG };

#define PATSET_ICASE 0x01   /* ASCII case-insensitive ("-i") */

/* One entry: <pat> points to <len> bytes (NUL bytes allowed except for
 * REG, whose text is a regex); the set copies what it keeps. */
struct patset_entry {
	const char *pat;
	size_t len;
	enum patset_kind kind;
	unsigned flags;
};

/* Returns a new set built from the <n> entries at <e> (<n> may be 0), or
 * NULL with a message in <err> and, when <err_index> is not NULL, the index
 * of the offending entry there (or (size_t)-1 when no entry is to blame,
 * e.g. out of memory). The caller owns the set (patset_free()). Not for
 * the data path: building thousands of regexes takes milliseconds to
 * seconds. */
struct patset *patset_build(const struct patset_entry *e, size_t n,
                            char *err, size_t errlen, size_t *err_index);

/* patset_build_opts() options */
#define PATSET_O_BEG_LONGEST 0x01  /* HAProxy's prefix tree: among case-sensitive
                                    * BEG entries the longest matching one wins
                                    * (file order between equal lengths), and
                                    * beats every other entry; map_beg works so */

/* Same as patset_build() with <opts> (PATSET_O_*) changing which matching
 * entry wins; patset_first() still returns an entry index. */
struct patset *patset_build_opts(const struct patset_entry *e, size_t n, unsigned opts,
                                 char *err, size_t errlen, size_t *err_index);

/* Frees <ps> (NULL is accepted). */
void patset_free(struct patset *ps);

/* Returns the number of entries <ps> was built from. */
size_t patset_count(const struct patset *ps);

/* Returns how many entries run on the PCRE2 side list (not Hyperscan). */
size_t patset_fallback_count(const struct patset *ps);

/* Returns the lowest index of an entry matching the <n> bytes at <s> (or
 * the winner under the set's PATSET_O_* options), or -1 when none does
 * (also for a NULL or empty set). */
int patset_first(const struct patset *ps, const char *s, size_t n);

#endif
