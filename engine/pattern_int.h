/* pattern_int.h: what pattern.c (lists, entries, changes) and
 * pattern_view.c (compiled views, their publication and background builds,
 * lookups) share; nothing outside these two files includes it. */
#ifndef RP_PATTERN_INT_H
#define RP_PATTERN_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include "engine/pattern.h"

struct pat_entry {
	char *key;
	_Atomic(char *) value;      /* NULL for ACL entries; "set map" swaps it */
	int line;                   /* line in the file it was read from, 0 if added later */
	atomic_int dead;            /* removed: lookups skip it; views still point to it
	                             * until the list is compacted (pattern.c) */
};

/* Returns 1 if <e> was removed from its list. */
static inline int pat_entry_dead(const struct pat_entry *e)
{
	return atomic_load_explicit(&((struct pat_entry *)e)->dead, memory_order_acquire);
}

/* One entry compiled for a kind. */
struct pat_item {
	const struct pat_entry *e;
	union {
		struct { int64_t min, max; } r;                 /* INT, LEN */
		struct { int v6; int plen; uint8_t a[16]; } ip;  /* IP: a is masked */
		struct { char *p; size_t len; } bin;             /* BIN: decoded bytes */
		struct rx *rx;      /* REG added after the pattern set was built */
		struct { const char *p; uint32_t len; } s;       /* STR: the key, not NUL-scanned */
	} u;
};

/* Open-addressing hash set. A slot holds the key's hash (high 32 bits) and
 * its item index + 1 (low 32 bits; 0 = empty slot): probes compare hashes
 * before touching the items, so a miss costs no cache line but the slot's.
 * A slot is written once, atomically, after its item: a reader may meet a
 * slot naming an item its view does not have yet, and skips it. */
struct htab {
	uint64_t *slot;
	uint32_t mask;              /* capacity - 1 (power of two), or 0 when unallocated */
	uint32_t used;
};

struct ip_tab { int plen; struct htab h; };

/* What a view frees when it is retired: the published view owns every
 * array it points to; an addition moves the arrays it shares to the new
 * view, so a retired view frees only what nothing newer uses. */
enum { OWN_ITEMS = 1, OWN_RES = 2, OWN_STR = 4, OWN_IP = 8, OWN_PS = 16, OWN_ALL = 31 };

/* A list compiled for one kind, as lookups see it: immutable once
 * published, except for items and hash slots written past <nb>. */
struct pat_view {
	enum pat_match kind;
	unsigned flags;             /* PAT_F_* */
	unsigned own;               /* OWN_*: written by the writer only */
	struct pat_item *items;     /* file order; items[nb..cap) may be written by a newer view */
	size_t nb, cap;
	struct htab str;            /* STR: key -> first item with that key */
	/* IP: per family, one table per prefix length in use, longest first */
	struct ip_tab *ip4, *ip6;
	int nb_ip4, nb_ip6;
	struct patset *ps;          /* BEG..REG: built from items[0..ps_nb) */
	size_t ps_nb;               /* items[ps_nb..nb) were added since: scanned one by one */
	long first_empty_word;      /* DIR/DOM: first item of delimiters only (see match_word), or -1 */
};

struct pat_expr {
	struct pat_expr *next;      /* next view of the same list */
	struct pat_list *list;
	enum pat_match kind;
	unsigned flags;
	_Atomic(struct pat_view *) cur;   /* never NULL */
	/* the background build of the pattern set (REG): thread joinable once started */
	pthread_t job;
	int job_started;            /* under the list's lock */
	atomic_int job_running;
};

struct pat_list {
	struct pat_list *next;      /* registry, creation order */
	char *name;                 /* file name, or NULL for inline patterns */
	char *desc;                 /* for "show acl" / "show map", or NULL */
	unsigned id;                /* "#<id>" for the management socket */
	int is_map;
	pthread_mutex_t lock;       /* writers: entries, views, <exprs> */
	struct pat_entry **ent;     /* file order (writers only) */
	size_t nb, cap;
	struct pat_entry **dead;    /* removed entries views still point to (writers only) */
	size_t ndead, dead_cap;
	unsigned long gen;          /* bumped when entries are removed or replaced */
	struct pat_expr *exprs;
};

/* pattern_view.c, for the list changes of pattern.c. All are called with
 * the list locked, except pat_view_free() (an epoch_retire() callback) and
 * pat_expr_join(). */

/* Returns a new private view of kind <m> with <flags> built from the <n>
 * entries <ent>, or NULL with <err> (naming the entry's line of <file>). */
struct pat_view *pat_view_build(enum pat_match m, unsigned flags, struct pat_entry *const *ent,
                                size_t n, const char *file, char *err, size_t errlen);
/* Returns a new view: <old> plus entry <e>, sharing <old>'s arrays where
 * they have room, or NULL with <err> and <*rc> (-EINVAL, -ENOMEM). The
 * OWN_* bits it takes from <old> are put in <*take>: move them when
 * publishing, or call pat_view_abort(). */
struct pat_view *pat_view_add(struct pat_view *old, const struct pat_entry *e, unsigned *take,
                              int *rc, char *err, size_t errlen);
/* Drops <v>, built by pat_view_add() from <old> and not published. */
void pat_view_abort(struct pat_view *v, const struct pat_view *old);
/* Frees view <p> and what it owns. */
void pat_view_free(void *p);
/* Publishes <v> as the view of <x> and retires the previous one. */
void pat_expr_publish(struct pat_expr *x, struct pat_view *v);
/* Starts the background build of <x>'s pattern set if its view wants one. */
void pat_expr_schedule(struct pat_expr *x);
/* Waits for <x>'s background build (list not locked). */
void pat_expr_join(struct pat_expr *x);

#endif
