/* spanset.c: exact-span literal sets. One open-addressing hash table holds
 * every key; a key is (group, bytes) where the group is the match kind and
 * the case mode, and case-insensitive keys are hashed folded. For each
 * group the sorted distinct key lengths bound the probes of a lookup:
 * str 1, beg/end one per length, dir/dom one per (word start, length). */
#include <stdlib.h>
#include <string.h>

#include "regex/patset.h"
#include "regex/spanset.h"

#define NGROUPS 12              /* (STR..DOM, SUB unused) x (case-sensitive, icase) */

struct span_slot {
	const char *key;        /* NULL: empty slot */
	uint32_t len;
	uint32_t group;
	uint64_t hash;
	uint64_t rank;
	int idx;
};

/* Invariants: <cap> is a power of two, more than twice <count>; each
 * group's <lens> is sorted, without duplicates. */
struct spanset {
	struct span_slot *slots;
	size_t cap, count;
	uint64_t *filter;       /* one bit per hash (bits: <fmask> + 1): a clear
	                         * bit spares a probe its cache miss */
	size_t fmask;
	uint64_t floor;
	struct {
		uint32_t *lens;
		size_t nlens, lcap;
	} g[NGROUPS];
};

static inline unsigned char fold(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* Returns the FNV-1a hash of <p>/<len> in <group>, folded when <icase>. */
static uint64_t span_hash(unsigned group, int icase, const char *p, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ group;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= icase ? fold((unsigned char)p[i]) : (unsigned char)p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static int span_eq(const char *a, const char *b, size_t n, int icase)
{
	size_t i;

	if (!icase)
		return memcmp(a, b, n) == 0;
	for (i = 0; i < n; i++)
		if (fold((unsigned char)a[i]) != fold((unsigned char)b[i]))
			return 0;
	return 1;
}

static inline unsigned group_of(unsigned kind, int icase)
{
	return (kind - PATSET_STR) * 2 + !!icase;
}

struct spanset *spanset_new(size_t hint)
{
	struct spanset *ss = calloc(1, sizeof(*ss));

	if (!ss)
		return NULL;
	ss->cap = 16;
	while (ss->cap < 2 * hint + 2)
		ss->cap <<= 1;
	if (!(ss->slots = calloc(ss->cap, sizeof(*ss->slots)))) {
		free(ss);
		return NULL;
	}
	ss->fmask = 4096 - 1;
	while (ss->fmask + 1 < 16 * hint)
		ss->fmask = 2 * ss->fmask + 1;
	if (!(ss->filter = calloc((ss->fmask + 1) / 64, sizeof(uint64_t)))) {
		free(ss->slots);
		free(ss);
		return NULL;
	}
	ss->floor = UINT64_MAX;
	return ss;
}

void spanset_free(struct spanset *ss)
{
	size_t i;

	if (!ss)
		return;
	for (i = 0; i < ss->cap; i++)
		free((char *)ss->slots[i].key);
	for (i = 0; i < NGROUPS; i++)
		free(ss->g[i].lens);
	free(ss->filter);
	free(ss->slots);
	free(ss);
}

/* Returns the slot holding (<group>, <p>/<len>) or the empty slot where
 * it would go. */
static struct span_slot *span_find(const struct spanset *ss, unsigned group, uint64_t h,
                                   const char *p, size_t len)
{
	size_t mask = ss->cap - 1, i = (size_t)h & mask;

	for (;; i = (i + 1) & mask) {
		struct span_slot *sl = &ss->slots[i];

		if (!sl->key)
			return sl;
		if (sl->hash == h && sl->group == group && sl->len == len &&
		    span_eq(sl->key, p, len, group & 1))
			return sl;
	}
}

static int span_grow(struct spanset *ss)
{
	struct span_slot *old = ss->slots;
	size_t ocap = ss->cap, i;

	if (!(ss->slots = calloc(ocap * 2, sizeof(*ss->slots)))) {
		ss->slots = old;
		return -1;
	}
	ss->cap = ocap * 2;
	for (i = 0; i < ocap; i++)
		if (old[i].key)
			*span_find(ss, old[i].group, old[i].hash, old[i].key, old[i].len) = old[i];
	free(old);
	return 0;
}

/* Inserts <len> into group <g>'s sorted length list. Returns 0 or -1. */
static int span_add_len(struct spanset *ss, unsigned g, uint32_t len)
{
	size_t lo = 0, hi = ss->g[g].nlens;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (ss->g[g].lens[mid] < len)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < ss->g[g].nlens && ss->g[g].lens[lo] == len)
		return 0;
	if (ss->g[g].nlens == ss->g[g].lcap) {
		size_t ncap = ss->g[g].lcap ? 2 * ss->g[g].lcap : 8;
		uint32_t *n = realloc(ss->g[g].lens, ncap * sizeof(*n));

		if (!n)
			return -1;
		ss->g[g].lens = n;
		ss->g[g].lcap = ncap;
	}
	memmove(ss->g[g].lens + lo + 1, ss->g[g].lens + lo, (ss->g[g].nlens - lo) * sizeof(uint32_t));
	ss->g[g].lens[lo] = len;
	ss->g[g].nlens++;
	return 0;
}

int spanset_add(struct spanset *ss, unsigned kind, int icase, const char *p, size_t len,
                uint64_t rank, int idx)
{
	unsigned group = group_of(kind, icase);
	uint64_t h = span_hash(group, icase, p, len);
	struct span_slot *sl;
	char *key;

	if (len > UINT32_MAX || kind > PATSET_DOM)
		return -1;
	if (2 * (ss->count + 1) >= ss->cap && span_grow(ss) < 0)
		return -1;
	sl = span_find(ss, group, h, p, len);
	if (sl->key) {
		if (rank < sl->rank) {
			sl->rank = rank;
			sl->idx = idx;
		}
	} else {
		if (span_add_len(ss, group, (uint32_t)len) < 0 || !(key = malloc(len ? len : 1)))
			return -1;
		memcpy(key, p, len);
		ss->filter[(h & ss->fmask) / 64] |= 1ULL << (h & 63);
		sl->key = key;
		sl->len = (uint32_t)len;
		sl->group = group;
		sl->hash = h;
		sl->rank = rank;
		sl->idx = idx;
		ss->count++;
	}
	if (rank < ss->floor)
		ss->floor = rank;
	return 0;
}

uint64_t spanset_floor(const struct spanset *ss)
{
	return ss ? ss->floor : UINT64_MAX;
}

/* Probes (<group>, <p>/<len>) whose hash is <h> and keeps it in <best>
 * when better. */
static inline void span_probe(const struct spanset *ss, unsigned group, uint64_t h,
                              const char *p, size_t len, uint64_t *best, int *best_idx)
{
	const struct span_slot *sl;

	if (!(ss->filter[(h & ss->fmask) / 64] & (1ULL << (h & 63))))
		return;
	sl = span_find(ss, group, h, p, len);
	if (sl->key && sl->rank < *best) {
		*best = sl->rank;
		*best_idx = sl->idx;
	}
}

static inline int is_delim(unsigned char c, unsigned kind)
{
	if (c == '/' || c == '?')
		return 1;
	return kind == PATSET_DOM && (c == '.' || c == ':');
}

void spanset_lookup(const struct spanset *ss, const char *s, size_t n, uint64_t *best, int *best_idx)
{
	unsigned g;

	if (!ss || !ss->count)
		return;
	for (g = 0; g < NGROUPS && ss->floor < *best; g++) {
		unsigned kind = PATSET_STR + g / 2;
		const uint32_t *lens = ss->g[g].lens;
		size_t nl = ss->g[g].nlens, k, i;

		if (!nl)
			continue;
		switch (kind) {
		case PATSET_STR:
			span_probe(ss, g, span_hash(g, g & 1, s, n), s, n, best, best_idx);
			break;
		case PATSET_BEG: {
			/* prefixes share their start: one incremental hash */
			uint64_t h = 0xcbf29ce484222325ULL ^ g;
			size_t j = 0;

			for (k = 0; k < nl && lens[k] <= n; k++) {
				for (; j < lens[k]; j++) {
					h ^= (g & 1) ? fold((unsigned char)s[j]) : (unsigned char)s[j];
					h *= 0x100000001b3ULL;
				}
				span_probe(ss, g, h, s, lens[k], best, best_idx);
			}
			break;
		}
		case PATSET_END:
			for (k = 0; k < nl && lens[k] <= n; k++) {
				const char *p = s + n - lens[k];

				span_probe(ss, g, span_hash(g, g & 1, p, lens[k]), p, lens[k], best, best_idx);
			}
			break;
		default: /* DIR, DOM: a word starts at <i> and ends before a
		          * delimiter or at the end of the subject. The hash of
		          * s[i..j) is extended one byte at a time, so a start
		          * costs the longest key length, whatever the number of
		          * lengths. */
			for (i = 0; i < n; i++) {
				uint64_t h = 0xcbf29ce484222325ULL ^ g;
				size_t j = i;

				if (is_delim((unsigned char)s[i], kind) ||
				    (i && !is_delim((unsigned char)s[i - 1], kind)))
					continue;
				for (k = 0; k < nl && lens[k] <= n - i; k++) {
					size_t e = i + lens[k];

					if (e != n && !is_delim((unsigned char)s[e], kind))
						continue;
					for (; j < e; j++) {
						h ^= (g & 1) ? fold((unsigned char)s[j]) : (unsigned char)s[j];
						h *= 0x100000001b3ULL;
					}
					span_probe(ss, g, h, s + i, lens[k], best, best_idx);
				}
			}
			break;
		}
	}
}
