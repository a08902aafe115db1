/* spanset.h: literal patterns that must equal a whole span of the subject
 * (HAProxy's str, beg, end, dir and dom matches), kept in one hash table
 * and looked up by enumerating the candidate spans: the subject itself
 * (str), its prefixes and suffixes of the lengths present (beg, end), its
 * delimited words of the lengths present (dir, dom). Internal to regex/:
 * patset.c uses it where Hyperscan's literal matcher degrades (thousands
 * of domains ending in ".com" all confirm at every ".com"). */
#ifndef RP_SPANSET_H
#define RP_SPANSET_H

#include <stddef.h>
#include <stdint.h>

struct spanset;

/* Returns an empty set for about <hint> entries, or NULL (no memory). */
struct spanset *spanset_new(size_t hint);

/* Frees <ss> (NULL is accepted). */
void spanset_free(struct spanset *ss);

/* Adds entry <idx> of rank <rank>: <kind> is PATSET_STR/BEG/END/DIR/DOM,
 * <p>/<len> its literal (len > 0; word delimiters already stripped), ASCII
 * case folded when <icase>. The set copies <p>. For equal keys the lower
 * rank is kept. Returns 0 or -1 (no memory). */
int spanset_add(struct spanset *ss, unsigned kind, int icase, const char *p, size_t len,
                uint64_t rank, int idx);

/* Returns the lowest rank added, UINT64_MAX when empty. */
uint64_t spanset_floor(const struct spanset *ss);

/* Looks <s>/<n> up; when an entry matching it ranks below <*best>, sets
 * <*best> and <*best_idx> to the best such entry. */
void spanset_lookup(const struct spanset *ss, const char *s, size_t n, uint64_t *best, int *best_idx);

#endif
