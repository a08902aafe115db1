/* pattern.c: pattern lists (the entries of one ACL/map file, in file order)
 * and their compiled views per match kind: a hash set for str, prefix hash
 * tables for ip, ranges for int/len, one pattern set (regex/patset.h, one
 * pass over the subject) for beg/end/sub/dir/dom/reg.
 *
 * Publication: lookups take no lock. Each expression points to one view
 * (struct pat_view), replaced by one atomic pointer store; the view it
 * replaces goes to epoch_retire() and is freed once no thread can still
 * read it (engine/epoch.h). Writers (CLI, Lua core.add_acl/set_map...)
 * serialise on the list's mutex. A removal, a clear or a commit builds new
 * views aside from the remaining entries; an addition is cheap: the new
 * view shares the old one's arrays and writes the new item past the old
 * view's count (an old reader never looks there: hash slots naming an item
 * at or past its view's count are skipped), and copies an array only when
 * it must grow (amortised O(1)). Added beg..reg entries are matched one by
 * one until they are numerous enough to rebuild the pattern set (a
 * geometric threshold, so N additions cost O(N) rebuilt entries overall).
 * Entries are freed, and "set map" values replaced, the same deferred way:
 * a value a lookup returned stays valid until the reader's loop turn ends. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "engine/epoch.h"
#include "engine/pattern.h"
#include "regex/patset.h"
#include "regex/rx.h"

struct pat_entry {
	char *key;
	_Atomic(char *) value;      /* NULL for ACL entries; "set map" swaps it */
	int line;                   /* line in the file it was read from, 0 if added later */
};

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
	unsigned long gen;          /* bumped when entries are removed or replaced */
	struct pat_expr *exprs;
};

/* Named lists: registered at start-up, then read by every thread. */
static struct pat_list *pat_registry, **pat_registry_tail = &pat_registry;
static unsigned pat_next_id;


static const char *const pat_names[PAT_MATCH_KINDS] = {
	[PAT_MATCH_FOUND] = "found", [PAT_MATCH_BOOL] = "bool", [PAT_MATCH_INT] = "int",
	[PAT_MATCH_IP] = "ip", [PAT_MATCH_BIN] = "bin", [PAT_MATCH_LEN] = "len",
	[PAT_MATCH_STR] = "str", [PAT_MATCH_BEG] = "beg", [PAT_MATCH_SUB] = "sub",
	[PAT_MATCH_DIR] = "dir", [PAT_MATCH_DOM] = "dom", [PAT_MATCH_END] = "end",
	[PAT_MATCH_REG] = "reg",
};

int pat_match_parse(const char *name)
{
	for (int i = 0; i < PAT_MATCH_KINDS; i++)
		if (!strcmp(name, pat_names[i]))
			return i;
	return -1;
}

const char *pat_match_name(enum pat_match m)
{
	return (unsigned)m < PAT_MATCH_KINDS ? pat_names[m] : "?";
}


/* ---- hashing ---- */

static uint32_t hash_bytes(const void *p, size_t n, int icase)
{
	const unsigned char *s = p;
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++) {
		unsigned c = icase ? (unsigned)tolower(s[i]) : s[i];
		h = (h ^ c) * 16777619u;
	}
	return h ^ (h >> 15);
}

static inline uint64_t slot_load(const uint64_t *s)
{
	return __atomic_load_n(s, __ATOMIC_ACQUIRE);
}

static void htab_free(struct htab *h)
{
	free(h->slot);
	h->slot = NULL;
	h->mask = h->used = 0;
}

/* Returns 1 when <h> must grow before one more insertion (load factor 1/2). */
static int htab_full(const struct htab *h)
{
	return !h->mask || (h->used + 1) * 2 > h->mask + 1;
}

/* Fills <out> with a copy of <h> twice as large (16 slots at first); <h>
 * is not changed. Returns 0 or -ENOMEM. */
static int htab_grow_copy(const struct htab *h, struct htab *out)
{
	uint32_t cap = h->mask ? (h->mask + 1) * 2 : 16;
	uint64_t *slot = calloc(cap, sizeof(*slot));

	if (!slot)
		return -ENOMEM;
	for (uint32_t i = 0; h->mask && i <= h->mask; i++) {
		uint64_t s = slot_load(&h->slot[i]);

		if (!s)
			continue;
		uint32_t j = (uint32_t)(s >> 32) & (cap - 1);
		while (slot[j])
			j = (j + 1) & (cap - 1);
		slot[j] = s;
	}
	out->slot = slot;
	out->mask = cap - 1;
	out->used = h->used;
	return 0;
}

/* Grows a private (unpublished) table in place. Returns 0 or -ENOMEM. */
static int htab_reserve(struct htab *h)
{
	struct htab n;

	if (!htab_full(h))
		return 0;
	if (htab_grow_copy(h, &n) < 0)
		return -ENOMEM;
	free(h->slot);
	*h = n;
	return 0;
}

/* Inserts item <idx> with hash <hash> (the caller reserved room); the slot
 * is published with one atomic store, after the item was written. */
static void htab_insert(struct htab *h, uint32_t hash, uint32_t idx)
{
	uint32_t j = hash & h->mask;
	while (slot_load(&h->slot[j]))
		j = (j + 1) & h->mask;
	__atomic_store_n(&h->slot[j], (uint64_t)hash << 32 | (idx + 1), __ATOMIC_RELEASE);
	h->used++;
}

/* ---- parsing of one pattern ---- */

/* Parses [-]digits from <s> to <end> (no '+', no blanks, decimal), as
 * HAProxy's strl2llrc() does (a lone "-" reads as 0). Returns 0 or -1. */
static int parse_int64(const char *s, const char *end, int64_t *v)
{
	const char *p = s;
	int neg = 0;
	int64_t n = 0;

	if (p == end)
		return -1;
	if (*p == '-') {
		neg = 1;
		p++;
	}
	for (; p < end; p++) {
		int d = *p - '0';
		if (d < 0 || d > 9)
			return -1;
		if (neg ? n < (INT64_MIN + d) / 10 : n > (INT64_MAX - d) / 10)
			return -1;      /* overflow */
		n = neg ? n * 10 - d : n * 10 + d;
	}
	*v = n;
	return 0;
}

/* Parses an integer pattern as HAProxy does: the first ':' or '-' separates
 * a range ("a:b", "a-b", "a:", ":b", "-b" = at most b), so a plain value
 * cannot be negative but a range's upper bound can (":-5"). Returns 1 for a
 * plain value, 2 for a range, -1 for a bad value, -2 for a bad range
 * (including a > b). */
static int parse_range(const char *key, int64_t *min, int64_t *max)
{
	const char *sep = key + strcspn(key, ":-");
	const char *end = key + strlen(key);

	if (!*key)
		return -2;
	if (!*sep)
		return parse_int64(key, end, min) ? -1 : (*max = *min, 1);
	*min = INT64_MIN;
	*max = INT64_MAX;
	if (sep == key && sep + 1 < end)
		return parse_int64(sep + 1, end, max) ? -2 : 2;
	if (sep + 1 == end)
		return parse_int64(key, sep, min) ? -2 : 2;
	if (parse_int64(key, sep, min) || parse_int64(sep + 1, end, max) || *min > *max)
		return -2;
	return 2;
}

/* Clears every bit of the <nbytes> bytes at <a> past the first <plen>
 * (a prefix length): whole bytes at once, no per-byte loop. */
static void mask_bytes(uint8_t *a, int nbytes, int plen)
{
	int full = plen > 0 ? plen / 8 : 0;     /* bytes kept whole */

	if (full >= nbytes)
		return;
	if (plen > 0 && plen % 8)
		a[full++] &= (uint8_t)(0xff << (8 - plen % 8));
	memset(a + full, 0, (size_t)(nbytes - full));
}

/* Parses "a.b.c.d[/len|/mask]" or "ipv6[/len]". Returns 0 or -1. */
static int parse_net(const char *key, int *v6, int *plen, uint8_t *a)
{
	char buf[INET6_ADDRSTRLEN + 8];
	size_t n = strlen(key);
	if (n >= sizeof(buf))
		return -1;
	memcpy(buf, key, n + 1);
	char *slash = strchr(buf, '/');
	if (slash)
		*slash++ = 0;
	memset(a, 0, 16);
	if (inet_pton(AF_INET, buf, a) == 1) {
		*v6 = 0;
		*plen = 32;
		if (slash) {
			struct in_addr m;
			char *e;
			long l = strtol(slash, &e, 10);
			if (*slash && !*e && e - slash <= 2 && l >= 0 && l <= 32)
				*plen = (int)l;
			else if (inet_pton(AF_INET, slash, &m) == 1) {
				uint32_t mv = ntohl(m.s_addr);
				int p = 0;
				while (p < 32 && (mv & (0x80000000u >> p)))
					p++;
				if (p < 32 && (mv << p))   /* not contiguous */
					return -1;
				*plen = p;
			} else
				return -1;
		}
		mask_bytes(a, 4, *plen);
		return 0;
	}
	if (inet_pton(AF_INET6, buf, a) == 1) {
		*v6 = 1;
		*plen = 128;
		if (slash) {
			char *e;
			long l = strtol(slash, &e, 10);
			if (!*slash || *e || l < 0 || l > 128)
				return -1;
			*plen = (int)l;
		}
		mask_bytes(a, 16, *plen);
		return 0;
	}
	return -1;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

/* Fills <it> from its entry for kind <m>. Returns 0 or -1 with <err>. */
static int item_parse(enum pat_match m, struct pat_item *it, char *err, size_t errlen)
{
	const char *key = it->e->key;
	switch (m) {
	case PAT_MATCH_INT:
	case PAT_MATCH_LEN:
		switch (parse_range(key, &it->u.r.min, &it->u.r.max)) {
		case -1:
			snprintf(err, errlen, "'%s' is not a number", key);
			return -1;
		case -2:
			snprintf(err, errlen, "'%s' is not a valid number range", key);
			return -1;
		default:
			return 0;
		}
	case PAT_MATCH_IP:
		if (parse_net(key, &it->u.ip.v6, &it->u.ip.plen, it->u.ip.a) == 0)
			return 0;
		snprintf(err, errlen, "'%s' is not a valid IPv4 or IPv6 address", key);
		return -1;
	case PAT_MATCH_BIN: {
		/* HAProxy's messages: the odd length is reported first */
		size_t n = strlen(key);
		if (n % 2) {
			snprintf(err, errlen, "an even number of hex digit is expected");
			return -1;
		}
		for (size_t i = 0; i < n; i++) {
			if (hexval(key[i]) < 0) {
				snprintf(err, errlen, "an hex digit is expected (found '%c')", key[i]);
				return -1;
			}
		}
		if (!(it->u.bin.p = malloc(n / 2 + 1))) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		for (size_t i = 0; i < n; i += 2)
			it->u.bin.p[i / 2] = (char)(hexval(key[i]) << 4 | hexval(key[i + 1]));
		it->u.bin.len = n / 2;
		return 0;
	}
	default:
		return 0;
	}
}

/* Writes HAProxy's message for an invalid regex <key> into <err>, from
 * the regex module's <why> ("... at offset N" becomes "(error=..., erroffset=N)"). */
static void regex_error(char *err, size_t errlen, const char *key, const char *why)
{
	const char *at = strstr(why, " at offset ");
	if (at && at[11] >= '0' && at[11] <= '9')
		snprintf(err, errlen, "regex '%s' is invalid (error=%.*s, erroffset=%s)",
		         key, (int)(at - why), why, at + 11);
	else
		snprintf(err, errlen, "regex '%s' is invalid (error=%s)", key, why);
}

int pat_check_key(enum pat_match m, const char *key, char *err, size_t errlen)
{
	struct pat_entry e = { .key = (char *)key };
	struct pat_item it = { .e = &e };
	if (m == PAT_MATCH_REG) {
		struct patset_entry pe = { key, strlen(key), PATSET_REG, 0 };
		char why[256];
		struct patset *ps = patset_build(&pe, 1, why, sizeof(why), NULL);
		if (!ps) {
			regex_error(err, errlen, key, why);
			return -1;
		}
		patset_free(ps);
		return 0;
	}
	if (item_parse(m, &it, err, errlen) < 0)
		return -1;
	if (m == PAT_MATCH_BIN)
		free(it.u.bin.p);
	return 0;
}

/* ---- views ---- */

static int str_eq(const char *a, size_t alen, const char *b, size_t blen, int icase)
{
	if (alen != blen)
		return 0;
	return icase ? !strncasecmp(a, b, alen) : !memcmp(a, b, alen);
}

/* Returns the first item index of <v> whose key is <s>/<n>, or -1. */
static long str_find(const struct pat_view *v, const char *s, size_t n)
{
	const struct htab *h = &v->str;
	uint64_t sl;
	if (!h->mask)
		return -1;
	int icase = v->flags & PAT_F_ICASE;
	uint32_t hash = hash_bytes(s, n, icase);
	for (uint32_t j = hash & h->mask; (sl = slot_load(&h->slot[j])); j = (j + 1) & h->mask) {
		uint32_t idx = (uint32_t)sl - 1;
		if ((uint32_t)(sl >> 32) != hash || idx >= v->nb)
			continue;
		const struct pat_item *it = &v->items[idx];
		if (str_eq(it->u.s.p, it->u.s.len, s, n, icase))
			return idx;
	}
	return -1;
}

/* Indexes item <idx> of a private view. Returns 0 or -ENOMEM. */
static int str_index(struct pat_view *v, uint32_t idx)
{
	struct pat_item *it = &v->items[idx];
	if (str_find(v, it->u.s.p, it->u.s.len) >= 0)
		return 0;           /* an earlier entry has this key: it wins */
	if (htab_reserve(&v->str) < 0)
		return -ENOMEM;
	htab_insert(&v->str, hash_bytes(it->u.s.p, it->u.s.len, v->flags & PAT_F_ICASE), idx);
	return 0;
}

/* Returns the item index of the network <a> in table <t> of <v>, or -1. */
static long ip_tab_find(const struct pat_view *v, const struct ip_tab *t, const uint8_t *a, int nbytes)
{
	const struct htab *h = &t->h;
	uint32_t hash = hash_bytes(a, nbytes, 0);
	uint64_t sl;
	if (!h->mask)
		return -1;
	for (uint32_t j = hash & h->mask; (sl = slot_load(&h->slot[j])); j = (j + 1) & h->mask) {
		uint32_t idx = (uint32_t)sl - 1;
		if ((uint32_t)(sl >> 32) == hash && idx < v->nb && !memcmp(v->items[idx].u.ip.a, a, nbytes))
			return idx;
	}
	return -1;
}

/* Returns the table of <v> for the family and prefix length of <it>, or
 * NULL, and its insertion position in <pos>. */
static struct ip_tab *ip_tab_of(const struct pat_view *v, const struct pat_item *it, int *pos)
{
	struct ip_tab *tabs = it->u.ip.v6 ? v->ip6 : v->ip4;
	int nb = it->u.ip.v6 ? v->nb_ip6 : v->nb_ip4, i;
	for (i = 0; i < nb && tabs[i].plen > it->u.ip.plen; i++)
		;
	*pos = i;
	return i < nb && tabs[i].plen == it->u.ip.plen ? &tabs[i] : NULL;
}

/* Indexes item <idx> of a private view. Returns 0 or -ENOMEM. */
static int ip_index(struct pat_view *v, uint32_t idx)
{
	const struct pat_item *it = &v->items[idx];
	struct ip_tab **tabs = it->u.ip.v6 ? &v->ip6 : &v->ip4;
	int *nb = it->u.ip.v6 ? &v->nb_ip6 : &v->nb_ip4;
	int i;
	struct ip_tab *t = ip_tab_of(v, it, &i);
	if (!t) {
		t = realloc(*tabs, (*nb + 1) * sizeof(**tabs));
		if (!t)
			return -ENOMEM;
		memmove(t + i + 1, t + i, (*nb - i) * sizeof(*t));
		t[i].plen = it->u.ip.plen;
		memset(&t[i].h, 0, sizeof(t[i].h));
		*tabs = t;
		(*nb)++;
		t = &t[i];
	}
	int nbytes = it->u.ip.v6 ? 16 : 4;
	if (ip_tab_find(v, t, it->u.ip.a, nbytes) >= 0)
		return 0;
	if (htab_reserve(&t->h) < 0)
		return -ENOMEM;
	htab_insert(&t->h, hash_bytes(it->u.ip.a, nbytes, 0), idx);
	return 0;
}

static void ip_free(struct pat_view *v)
{
	for (int i = 0; i < v->nb_ip4; i++)
		htab_free(&v->ip4[i].h);
	for (int i = 0; i < v->nb_ip6; i++)
		htab_free(&v->ip6[i].h);
	free(v->ip4);
	free(v->ip6);
	v->ip4 = v->ip6 = NULL;
	v->nb_ip4 = v->nb_ip6 = 0;
}

/* Builds the ip tables of a private view from items[0..nb). Returns 0 or
 * -ENOMEM (then it has none). */
static int ip_build(struct pat_view *v)
{
	v->ip4 = v->ip6 = NULL;
	v->nb_ip4 = v->nb_ip6 = 0;
	for (size_t i = 0; i < v->nb; i++) {
		if (ip_index(v, (uint32_t)i) < 0) {
			ip_free(v);
			return -ENOMEM;
		}
	}
	return 0;
}

static void item_release(enum pat_match kind, struct pat_item *it)
{
	if (kind == PAT_MATCH_BIN)
		free(it->u.bin.p);
	else if (kind == PAT_MATCH_REG)
		rx_free(it->u.rx);
}

/* Frees view <p> and what it owns (OWN_*): an epoch_retire() callback. */
static void view_free(void *p)
{
	struct pat_view *v = p;

	if (!v)
		return;
	if (v->own & OWN_RES)
		for (size_t i = 0; i < v->nb; i++)
			item_release(v->kind, &v->items[i]);
	if (v->own & OWN_ITEMS)
		free(v->items);
	if (v->own & OWN_STR)
		htab_free(&v->str);
	if (v->own & OWN_IP)
		ip_free(v);
	if (v->own & OWN_PS)
		patset_free(v->ps);
	free(v);
}

/* Word delimiters of "-m dir" and "-m dom", as HAProxy's. */
#define DIR_DELIMS "/?"
#define DOM_DELIMS "/?.:"

static int kind_uses_patset(enum pat_match m)
{
	return m >= PAT_MATCH_BEG && m <= PAT_MATCH_REG;
}

static enum patset_kind patset_kind_of(enum pat_match m)
{
	switch (m) {
	case PAT_MATCH_BEG: return PATSET_BEG;
	case PAT_MATCH_END: return PATSET_END;
	case PAT_MATCH_SUB: return PATSET_SUB;
	case PAT_MATCH_DIR: return PATSET_DIR;
	case PAT_MATCH_DOM: return PATSET_DOM;
	case PAT_MATCH_REG: return PATSET_REG;
	default:            return PATSET_STR;
	}
}

/* Builds the pattern set of a BEG..REG view from items[0..nb) and sets
 * <ps>, <ps_nb> and <first_empty_word>; the previous set is the caller's.
 * Returns 0 or -1 with <err>. */
static int view_build_patset(struct pat_view *v, char *err, size_t errlen)
{
	struct patset_entry *pe = calloc(v->nb ? v->nb : 1, sizeof(*pe));
	size_t bad = (size_t)-1;
	if (!pe) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < v->nb; i++) {
		pe[i].pat = v->items[i].e->key;
		pe[i].len = strlen(pe[i].pat);
		pe[i].kind = patset_kind_of(v->kind);
		pe[i].flags = (v->flags & PAT_F_ICASE) ? PATSET_ICASE : 0;
	}
	char why[256];
	/* HAProxy indexes case-sensitive "beg" patterns in a prefix tree: the
	 * longest matching prefix wins (map_beg, Map.beg); ACLs only care
	 * whether one matches */
	unsigned opts = (v->kind == PAT_MATCH_BEG && !(v->flags & PAT_F_ICASE)) ? PATSET_O_BEG_LONGEST : 0;
	struct patset *ps = patset_build_opts(pe, v->nb, opts, why, sizeof(why), &bad);
	free(pe);
	if (!ps) {
		if (bad < v->nb)
			regex_error(err, errlen, v->items[bad].e->key, why);
		else
			snprintf(err, errlen, "%s", why);
		return -1;
	}
	v->ps = ps;
	v->ps_nb = v->nb;
	v->first_empty_word = -1;
	if (v->kind == PAT_MATCH_DIR || v->kind == PAT_MATCH_DOM) {
		const char *d = v->kind == PAT_MATCH_DIR ? DIR_DELIMS : DOM_DELIMS;
		for (size_t i = 0; i < v->nb && v->first_empty_word < 0; i++) {
			const char *k = v->items[i].e->key;
			if (strspn(k, d) == strlen(k))
				v->first_empty_word = (long)i;
		}
	}
	return 0;
}

/* Fills item <it> (its entry set) for the kind of <v>. Returns 0 or -1
 * with <err>. */
static int view_parse_item(const struct pat_view *v, struct pat_item *it, char *err, size_t errlen)
{
	if (item_parse(v->kind, it, err, errlen) < 0)
		return -1;
	if (v->kind == PAT_MATCH_STR) {
		it->u.s.p = it->e->key;
		it->u.s.len = (uint32_t)strlen(it->e->key);
	}
	return 0;
}

/* Regex views of more than PAT_LAZY_MIN entries are built without their
 * pattern set: each entry runs on PCRE2 (JIT) alone, compiled in
 * microseconds as HAProxy does, and a background thread compiles the
 * Hyperscan set (about 1 ms of CPU per regex) and publishes it. Start-up
 * and "commit map" do not wait for it; lookups meanwhile cost what
 * HAProxy's linear list costs. */
#define PAT_LAZY_MIN 64
static int pat_background = 1;

void pat_set_background(int on)
{
	pat_background = on;
}

/* Compiles item <it> of REG view <v> for PCRE2 alone (a pending item).
 * Returns 0 or -1 with HAProxy's message in <err>. */
static int view_pcre_item(const struct pat_view *v, struct pat_item *it, char *err, size_t errlen)
{
	const char *key = it->e->key;
	char why[256];

	it->u.rx = rx_compile(key, strlen(key), RX_FORCE_PCRE | RX_NO_CAPTURE |
	                      ((v->flags & PAT_F_ICASE) ? RX_ICASE : 0), why, sizeof(why));
	if (!it->u.rx) {
		regex_error(err, errlen, key, why);
		return -1;
	}
	return 0;
}

/* Added beg..reg entries are matched one by one until there are more than
 * this many, or than an eighth of those in the pattern set: then the set
 * is rebuilt (geometric: N additions rebuild O(N) entries in all). */
#define PAT_PENDING_MIN 32

/* Returns 1 when view <v> has enough pending entries to rebuild its set. */
static int view_wants_rebuild(const struct pat_view *v)
{
	size_t pending = v->nb - v->ps_nb, max = v->ps_nb / 8;

	if (!kind_uses_patset(v->kind))
		return 0;
	if (v->kind == PAT_MATCH_REG && !v->ps && v->nb > PAT_LAZY_MIN)
		return 1;           /* built lazily */
	return pending > (max > PAT_PENDING_MIN ? max : PAT_PENDING_MIN);
}

/* Returns a new private view of kind <m> with <flags> built from the <n>
 * entries <ent>, or NULL with <err> (naming the entry's line of <file>). */
static struct pat_view *view_build(enum pat_match m, unsigned flags, struct pat_entry *const *ent,
                                   size_t n, const char *file, char *err, size_t errlen)
{
	struct pat_view *v = calloc(1, sizeof(*v));
	size_t i;

	if (!v)
		goto nomem;
	v->kind = m;
	v->flags = flags;
	v->own = OWN_ALL;
	v->first_empty_word = -1;
	v->cap = n ? n : 16;
	if (!(v->items = malloc(v->cap * sizeof(*v->items))))
		goto nomem_v;
	for (i = 0; i < n; i++) {
		struct pat_item *it = &v->items[i];
		int ret = 0;

		memset(it, 0, sizeof(*it));
		it->e = ent[i];
		if (view_parse_item(v, it, err, errlen) < 0) {
			size_t l = strlen(err);
			if (ent[i]->line && file && l < errlen)
				snprintf(err + l, errlen - l, " at line %d of file '%s'", ent[i]->line, file);
			goto fail;
		}
		v->nb++;
		if (m == PAT_MATCH_STR)
			ret = str_index(v, (uint32_t)i);
		else if (m == PAT_MATCH_IP)
			ret = ip_index(v, (uint32_t)i);
		if (ret < 0)
			goto nomem_v;
	}
	if (m == PAT_MATCH_REG && n > PAT_LAZY_MIN && pat_background) {
		/* PCRE2 alone now, the pattern set later (expr_schedule()) */
		for (i = 0; i < n; i++) {
			if (view_pcre_item(v, &v->items[i], err, errlen) < 0) {
				size_t l = strlen(err);
				if (ent[i]->line && file && l < errlen)
					snprintf(err + l, errlen - l, " at line %d of file '%s'", ent[i]->line, file);
				goto fail;
			}
		}
		return v;
	}
	if (kind_uses_patset(m) && view_build_patset(v, err, errlen) < 0)
		goto fail;
	return v;
nomem_v:
	view_free(v);
nomem:
	snprintf(err, errlen, "out of memory");
	return NULL;
fail:
	view_free(v);
	return NULL;
}

/* Returns a new view: <old> plus entry <e> (appended), sharing <old>'s
 * arrays where they have room, or NULL with <err> (-EINVAL: <e> is not a
 * pattern of this kind; otherwise out of memory) and nothing changed. What
 * the new view takes from <old> is put in <*take>: the caller moves those
 * OWN_* bits when it publishes, or calls view_abort(). */
static struct pat_view *view_add(struct pat_view *old, const struct pat_entry *e, unsigned *take,
                                 int *rc, char *err, size_t errlen)
{
	struct pat_view *v = malloc(sizeof(*v));
	struct pat_item *it;

	*rc = -ENOMEM;
	if (!v)
		goto nomem;
	*v = *old;
	v->own = 0;
	*take = OWN_RES;
	if (old->nb == old->cap) {
		size_t cap = old->cap ? old->cap * 2 : 16;

		if (!(v->items = malloc(cap * sizeof(*v->items))))
			goto nomem_v;
		memcpy(v->items, old->items, old->nb * sizeof(*v->items));
		v->cap = cap;
		v->own |= OWN_ITEMS;
	} else
		*take |= OWN_ITEMS;
	it = &v->items[old->nb];    /* past what <old>'s readers look at */
	memset(it, 0, sizeof(*it));
	it->e = e;
	if (view_parse_item(v, it, err, errlen) < 0) {
		*rc = -EINVAL;
		goto fail_items;
	}
	v->nb = old->nb + 1;
	if (v->kind == PAT_MATCH_STR) {
		*take |= OWN_STR;
		if (str_find(v, it->u.s.p, it->u.s.len) < 0) {
			uint32_t h = hash_bytes(it->u.s.p, it->u.s.len, v->flags & PAT_F_ICASE);

			if (htab_full(&old->str)) {
				if (htab_grow_copy(&old->str, &v->str) < 0)
					goto fail_item;
				*take &= ~OWN_STR;
				v->own |= OWN_STR;
			}
			htab_insert(&v->str, h, (uint32_t)old->nb);
		}
	} else if (v->kind == PAT_MATCH_IP) {
		int pos, nbytes = it->u.ip.v6 ? 16 : 4;
		struct ip_tab *t = ip_tab_of(v, it, &pos);

		if (t && ip_tab_find(v, t, it->u.ip.a, nbytes) >= 0)
			*take |= OWN_IP;        /* the same network is there: first wins */
		else if (t && !htab_full(&t->h)) {
			htab_insert(&t->h, hash_bytes(it->u.ip.a, nbytes, 0), (uint32_t)old->nb);
			*take |= OWN_IP;
		} else {
			/* a new prefix length or a full table: new tables (rare,
			 * and doubling, so amortised) */
			if (ip_build(v) < 0)
				goto fail_item;
			v->own |= OWN_IP;
		}
	} else if (v->kind == PAT_MATCH_REG && pat_background) {
		/* pending on PCRE2; the set is rebuilt in the background */
		*take |= OWN_PS;
		if (view_pcre_item(v, it, err, errlen) < 0) {
			*rc = -EINVAL;
			goto fail_item;
		}
	} else if (kind_uses_patset(v->kind)) {
		if (view_wants_rebuild(v)) {
			if (view_build_patset(v, err, errlen) < 0) {
				*rc = -EINVAL;
				goto fail_item;
			}
			v->own |= OWN_PS;
		} else {
			*take |= OWN_PS;
			if (v->kind == PAT_MATCH_REG && view_pcre_item(v, it, err, errlen) < 0) {
				*rc = -EINVAL;
				goto fail_item;
			}
		}
	}
	*rc = 0;
	return v;
fail_item:
	item_release(v->kind, it);
fail_items:
	if (v->own & OWN_ITEMS)
		free(v->items);
	v->own &= ~OWN_ITEMS;
	view_free(v);           /* what it built for itself */
	return NULL;
nomem_v:
	free(v);
nomem:
	snprintf(err, errlen, "out of memory");
	return NULL;
}

/* Drops <v>, built by view_add() from <old> and not published. */
static void view_abort(struct pat_view *v, const struct pat_view *old)
{
	item_release(v->kind, &v->items[old->nb]);
	view_free(v);
}

/* Publishes <v> as the view of <x> and retires the previous one. */
static void expr_publish(struct pat_expr *x, struct pat_view *v)
{
	/* seq_cst: against a reader thread going online (epoch_retire()) */
	struct pat_view *old = atomic_exchange(&x->cur, v);

	epoch_retire(view_free, old);
}

/* ---- background builds of pattern sets ---- */

/* What a background build works on: copies of the keys of items[0..n) of
 * the view current when it started, and the list generation then. */
struct pat_job {
	struct pat_expr *x;
	unsigned long gen;
	size_t n;
	struct patset_entry *pe;
};

static void job_free(struct pat_job *j)
{
	for (size_t i = 0; j && i < j->n; i++)
		free((char *)j->pe[i].pat);
	if (j)
		free(j->pe);
	free(j);
}

/* Returns a job for the current view of <x> (list locked), or NULL. */
static struct pat_job *job_new(struct pat_expr *x)
{
	const struct pat_view *v = atomic_load(&x->cur);
	struct pat_job *j = calloc(1, sizeof(*j));

	if (!j || !(j->pe = calloc(v->nb ? v->nb : 1, sizeof(*j->pe)))) {
		free(j);
		return NULL;
	}
	j->x = x;
	j->gen = x->list->gen;
	for (; j->n < v->nb; j->n++) {
		struct patset_entry *pe = &j->pe[j->n];

		if (!(pe->pat = strdup(v->items[j->n].e->key))) {
			job_free(j);
			return NULL;
		}
		pe->len = strlen(pe->pat);
		pe->kind = patset_kind_of(v->kind);
		pe->flags = (v->flags & PAT_F_ICASE) ? PATSET_ICASE : 0;
	}
	return j;
}

/* The PCRE2 regexes of entries a new pattern set covers, freed once no
 * reader of the views that matched them one by one is left. */
struct rx_batch {
	size_t n;
	struct rx *rx[];
};

static void rx_batch_free(void *p)
{
	struct rx_batch *b = p;

	for (size_t i = 0; i < b->n; i++)
		rx_free(b->rx[i]);
	free(b);
}

/* Returns a new view: <cur> with the pattern set <ps> built from its first
 * <n> items (list locked), or NULL (ENOMEM). Its items array is a copy
 * without the PCRE2 regexes of those <n> items: they are put in <*dead>,
 * for epoch_retire() once the view is published (<cur>'s readers may
 * still run them). */
static struct pat_view *view_with_set(struct pat_view *cur, struct patset *ps, size_t n,
                                      struct rx_batch **dead)
{
	struct pat_view *v = malloc(sizeof(*v));
	struct pat_item *items = malloc(cur->cap * sizeof(*items));
	struct rx_batch *b = malloc(sizeof(*b) + n * sizeof(b->rx[0]));
	unsigned take = cur->own & ~(OWN_PS | OWN_ITEMS);

	if (!v || !items || !b) {
		free(v);
		free(items);
		free(b);
		return NULL;
	}
	memcpy(items, cur->items, cur->nb * sizeof(*items));
	b->n = 0;
	for (size_t i = 0; i < n; i++) {
		if (cur->kind == PAT_MATCH_REG && items[i].u.rx) {
			b->rx[b->n++] = items[i].u.rx;
			items[i].u.rx = NULL;
		}
	}
	*v = *cur;
	v->items = items;
	v->ps = ps;
	v->ps_nb = n;
	v->own = take | OWN_PS | OWN_ITEMS;
	/* <cur> keeps its items array; the regexes are either <v>'s (OWN_RES)
	 * or in the batch */
	cur->own &= ~take;
	*dead = b;
	return v;
}

/* The build thread: compiles, publishes the set in a view of the items
 * now current when nothing but additions happened meanwhile, and starts
 * over while enough entries were added during the build. */
static void *job_run(void *arg)
{
	struct pat_job *j = arg;
	struct pat_expr *x = j->x;
	struct pat_list *l = x->list;

	while (j) {
		char why[256];
		size_t bad;
		struct patset *ps = patset_build_opts(j->pe, j->n, 0, why, sizeof(why), &bad);
		struct pat_view *cur, *v;
		struct rx_batch *dead;

		pthread_mutex_lock(&l->lock);
		cur = atomic_load(&x->cur);
		if (ps && l->gen == j->gen && cur->nb >= j->n && cur->ps_nb < j->n &&
		    (v = view_with_set(cur, ps, j->n, &dead))) {
			ps = NULL;
			expr_publish(x, v);
			epoch_retire(rx_batch_free, dead);  /* after: no new reader finds them */
		}
		job_free(j);
		j = NULL;
		cur = atomic_load(&x->cur);
		if (view_wants_rebuild(cur))
			j = job_new(x);
		if (!j)
			atomic_store(&x->job_running, 0);
		pthread_mutex_unlock(&l->lock);
		patset_free(ps);
	}
	return NULL;
}

/* Starts the background build of <x>'s set when its view wants one and
 * none runs (list locked). Without a thread, builds it here. */
static void expr_schedule(struct pat_expr *x)
{
	struct pat_job *j;

	if (!view_wants_rebuild(atomic_load(&x->cur)) || atomic_load(&x->job_running))
		return;
	if (x->job_started) {
		pthread_join(x->job, NULL);     /* ended: it cleared job_running */
		x->job_started = 0;
	}
	if (!(j = job_new(x)))
		return;             /* stays on PCRE2: slower, still right */
	atomic_store(&x->job_running, 1);
	if (pthread_create(&x->job, NULL, job_run, j)) {
		atomic_store(&x->job_running, 0);
		job_free(j);
		return;
	}
	x->job_started = 1;
}

/* Waits for <x>'s background build (list not locked). */
static void expr_join(struct pat_expr *x)
{
	if (x->job_started) {
		pthread_join(x->job, NULL);
		x->job_started = 0;
	}
}

static int is_delim(unsigned char c, const char *delims)
{
	return c && strchr(delims, c) != NULL;
}

/* Returns 1 if <p>/<pl> (its own leading and trailing delimiters ignored)
 * appears in <s>/<n> bounded by delimiters or the ends: "-m dir"/"-m dom". */
static int match_word(const char *s, size_t n, const char *p, size_t pl, int icase,
                      const char *delims)
{
	while (pl && is_delim(*p, delims)) {
		p++;
		pl--;
	}
	while (pl && is_delim(p[pl - 1], delims))
		pl--;
	if (!pl)                /* HAProxy: a pattern of delimiters only matches an */
		return !n || is_delim(s[n - 1], delims);   /* empty subject or a trailing delimiter */
	if (pl > n)
		return 0;
	for (size_t i = 0; i + pl <= n; i++) {
		if (i > 0 && !is_delim(s[i - 1], delims))
			continue;           /* not at a word start */
		if (i + pl < n && !is_delim(s[i + pl], delims))
			continue;           /* not at a word end */
		if (icase ? !strncasecmp(s + i, p, pl) : !memcmp(s + i, p, pl))
			return 1;
	}
	return 0;
}

static int bytes_eq(const char *a, const char *b, size_t n, int icase)
{
	return icase ? !strncasecmp(a, b, n) : !memcmp(a, b, n);
}

/* Returns 1 if pending item <it> of view <v> matches <s>/<n>. */
static int pending_match(const struct pat_view *v, const struct pat_item *it, const char *s, size_t n)
{
	const char *p = it->e->key;
	size_t pl = strlen(p);
	int icase = v->flags & PAT_F_ICASE;

	switch (v->kind) {
	case PAT_MATCH_BEG:
		return pl <= n && bytes_eq(s, p, pl, icase);
	case PAT_MATCH_END:
		return pl <= n && bytes_eq(s + n - pl, p, pl, icase);
	case PAT_MATCH_SUB:
		for (size_t i = 0; i + pl <= n; i++)
			if (bytes_eq(s + i, p, pl, icase))
				return 1;
		return 0;
	case PAT_MATCH_DIR:
		return match_word(s, n, p, pl, icase, DIR_DELIMS);
	case PAT_MATCH_DOM:
		return match_word(s, n, p, pl, icase, DOM_DELIMS);
	case PAT_MATCH_REG:
		return it->u.rx && rx_match(it->u.rx, s, n);
	default:
		return 0;
	}
}

struct pat_expr *pat_expr_get(struct pat_list *l, enum pat_match m, unsigned flags,
                              char *err, size_t errlen)
{
	struct pat_expr *x;
	struct pat_view *v;
	char dummy[256];
	if (!err) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	if (m == PAT_MATCH_STR || m >= PAT_MATCH_BEG)
		flags &= PAT_F_ICASE;
	else
		flags = 0;
	pthread_mutex_lock(&l->lock);
	for (x = l->exprs; x; x = x->next)
		if (x->kind == m && x->flags == flags)
			goto out;
	if (!(x = calloc(1, sizeof(*x)))) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (!(v = view_build(m, flags, l->ent, l->nb, l->name, err, errlen))) {
		free(x);
		x = NULL;
		goto out;
	}
	x->list = l;
	x->kind = m;
	x->flags = flags;
	atomic_init(&x->cur, v);
	x->next = l->exprs;
	l->exprs = x;
	expr_schedule(x);
out:
	pthread_mutex_unlock(&l->lock);
	return x;
}

size_t pat_expr_pending(const struct pat_expr *x)
{
	const struct pat_view *v = atomic_load_explicit(&((struct pat_expr *)x)->cur, memory_order_acquire);

	return kind_uses_patset(v->kind) ? v->nb - v->ps_nb : 0;
}

enum pat_match pat_expr_kind(const struct pat_expr *e) { return e->kind; }
struct pat_list *pat_expr_list(const struct pat_expr *e) { return e->list; }

/* ---- lists ---- */

static void entry_free(void *p)
{
	struct pat_entry *e = p;

	if (!e)
		return;
	free(e->key);
	free(atomic_load_explicit(&e->value, memory_order_relaxed));
	free(e);
}

struct pat_list *pat_list_find(const char *name)
{
	for (struct pat_list *l = pat_registry; l; l = l->next)
		if (l->name && !strcmp(l->name, name))
			return l;
	return NULL;
}

struct pat_list *pat_list_lookup(const char *ref)
{
	if (ref[0] == '#' && ref[1]) {
		char *end;
		unsigned long id = strtoul(ref + 1, &end, 10);
		if (*end)
			return NULL;
		for (struct pat_list *l = pat_registry; l; l = l->next)
			if (l->id == id)
				return l;
		return NULL;
	}
	return pat_list_find(ref);
}

void pat_list_foreach_list(int (*cb)(struct pat_list *l, void *arg), void *arg)
{
	for (struct pat_list *l = pat_registry, *n; l; l = n) {
		n = l->next;
		if (cb(l, arg))
			return;
	}
}

struct pat_list *pat_list_new(const char *name, int is_map)
{
	struct pat_list *l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	l->is_map = is_map;
	if (name && !(l->name = strdup(name))) {
		free(l);
		return NULL;
	}
	pthread_mutex_init(&l->lock, NULL);
	l->id = pat_next_id++;
	*pat_registry_tail = l;
	pat_registry_tail = &l->next;
	return l;
}

unsigned pat_list_id(const struct pat_list *l) { return l->id; }
const char *pat_list_desc(const struct pat_list *l) { return l->desc; }

int pat_list_set_desc(struct pat_list *l, const char *desc)
{
	char *d = strdup(desc);
	if (!d)
		return -ENOMEM;
	free(l->desc);
	l->desc = d;
	return 0;
}

struct pat_expr *pat_list_first_expr(const struct pat_list *l)
{
	struct pat_expr *x = l->exprs;
	while (x && x->next)        /* views are pushed in front: the first is last */
		x = x->next;
	return x;
}

/* Frees <l> at once: no reader may be left (exit, an ACL's inline list
 * freed with its configuration). */
static void list_release(struct pat_list *l)
{
	struct pat_expr *x, *nx;
	for (x = l->exprs; x; x = x->next)
		expr_join(x);
	for (x = l->exprs; x; x = nx) {
		nx = x->next;
		view_free(atomic_load(&x->cur));
		free(x);
	}
	for (size_t i = 0; i < l->nb; i++)
		entry_free(l->ent[i]);
	free(l->ent);
	free(l->name);
	free(l->desc);
	pthread_mutex_destroy(&l->lock);
	free(l);
}

void pat_list_free(struct pat_list *l)
{
	struct pat_list **p;
	if (!l)
		return;
	for (p = &pat_registry; *p && *p != l; p = &(*p)->next)
		;
	if (*p) {
		*p = l->next;
		if (pat_registry_tail == &l->next)
			pat_registry_tail = p;
	}
	list_release(l);
}

void pat_list_free_all(void)
{
	epoch_drain();
	while (pat_registry) {
		struct pat_list *l = pat_registry;
		pat_registry = l->next;
		list_release(l);
	}
	pat_registry_tail = &pat_registry;
}

const char *pat_list_name(const struct pat_list *l) { return l->name; }
int pat_list_is_map(const struct pat_list *l) { return l->is_map; }
size_t pat_list_count(const struct pat_list *l) { return l->nb; }

static struct pat_entry *entry_new(const char *key, size_t klen, const char *value, size_t vlen)
{
	struct pat_entry *e = calloc(1, sizeof(*e));
	char *v = NULL;
	if (!e)
		return NULL;
	if (!(e->key = strndup(key, klen)))
		goto fail;
	if (value && !(v = strndup(value, vlen)))
		goto fail;
	atomic_init(&e->value, v);
	return e;
fail:
	free(e->key);
	free(e);
	return NULL;
}

/* Appends <e> (owned by the list on success) to <l> and publishes views
 * that have it, all or none. Called with the list locked. Returns 0,
 * -EINVAL or -ENOMEM with <err>. */
static int list_append(struct pat_list *l, struct pat_entry *e, char *err, size_t errlen)
{
	struct pat_expr *x;
	struct pat_view *nv[PAT_MATCH_KINDS * 2];
	unsigned take[PAT_MATCH_KINDS * 2];
	int n = 0, rc = 0;

	if (l->nb == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct pat_entry **ent = realloc(l->ent, cap * sizeof(*ent));
		if (!ent) {
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
		l->ent = ent;
		l->cap = cap;
	}
	/* every view must take the entry before any is published */
	for (x = l->exprs; x; x = x->next, n++) {
		if (!(nv[n] = view_add(atomic_load(&x->cur), e, &take[n], &rc, err, errlen)))
			goto abort;
	}
	l->ent[l->nb++] = e;
	n = 0;
	for (x = l->exprs; x; x = x->next, n++) {
		struct pat_view *old = atomic_load(&x->cur);

		old->own &= ~take[n];
		nv[n]->own |= take[n];
		expr_publish(x, nv[n]);
		expr_schedule(x);
	}
	return 0;
abort:
	n = 0;
	for (struct pat_expr *y = l->exprs; y != x; y = y->next, n++)
		view_abort(nv[n], atomic_load(&y->cur));
	return rc;
}

int pat_list_add_err(struct pat_list *l, const char *key, const char *value,
                     char *err, size_t errlen)
{
	char dummy[8];
	if (!err) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	struct pat_entry *e = entry_new(key, strlen(key), value, value ? strlen(value) : 0);
	if (!e) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	pthread_mutex_lock(&l->lock);
	int ret = list_append(l, e, err, errlen);
	pthread_mutex_unlock(&l->lock);
	if (ret < 0)
		entry_free(e);
	return ret;
}

int pat_list_add(struct pat_list *l, const char *key, const char *value)
{
	return pat_list_add_err(l, key, value, NULL, 0);
}

/* Replaces the entries of <l> by the <n> at <ent> (owned by the list on
 * success; <ent> may be <l>'s own array): builds every view aside, then
 * publishes them and retires the old views and the entries of <l> for
 * which <drop> says 1 (NULL: all). Called with the list locked. Returns 0
 * or -ENOMEM / -EINVAL with <err>, and then nothing changed. */
static int list_replace(struct pat_list *l, struct pat_entry **ent, size_t n,
                        int (*drop)(const struct pat_entry *e, const void *arg), const void *arg,
                        char *err, size_t errlen)
{
	struct pat_view *nv[PAT_MATCH_KINDS * 2];
	struct pat_entry **old_ent = l->ent;
	size_t old_nb = l->nb, i;
	struct pat_expr *x;
	int k = 0;

	for (x = l->exprs; x; x = x->next, k++) {
		if (!(nv[k] = view_build(x->kind, x->flags, ent, n, NULL, err, errlen))) {
			while (k--)
				view_free(nv[k]);
			return strstr(err, "out of memory") ? -ENOMEM : -EINVAL;
		}
	}
	l->gen++;
	k = 0;
	for (x = l->exprs; x; x = x->next, k++) {
		expr_publish(x, nv[k]);
		expr_schedule(x);
	}
	for (i = 0; i < old_nb; i++)
		if (!drop || drop(old_ent[i], arg))
			epoch_retire(entry_free, old_ent[i]);
	if (ent != old_ent) {
		free(old_ent);
		l->ent = ent;
		l->cap = n;
	}
	l->nb = n;
	return 0;
}

static int drop_by_key(const struct pat_entry *e, const void *key)
{
	return !strcmp(e->key, key);
}

static int drop_one(const struct pat_entry *e, const void *which)
{
	return e == which;
}

/* Removes the entries of <l> <drop> selects. Returns how many, or -ENOMEM
 * (nothing removed). */
static int list_remove(struct pat_list *l, int (*drop)(const struct pat_entry *e, const void *arg),
                       const void *arg)
{
	struct pat_entry **keep;
	size_t j = 0;
	char err[64];
	int n;

	pthread_mutex_lock(&l->lock);
	for (size_t i = 0; i < l->nb; i++)
		if (!drop(l->ent[i], arg))
			j++;
	n = (int)(l->nb - j);
	if (!n)
		goto out;
	/* a new array: the current one stays intact if a view cannot be built */
	if (!(keep = malloc((j ? j : 1) * sizeof(*keep)))) {
		n = -ENOMEM;
		goto out;
	}
	j = 0;
	for (size_t i = 0; i < l->nb; i++)
		if (!drop(l->ent[i], arg))
			keep[j++] = l->ent[i];
	if (list_replace(l, keep, j, drop, arg, err, sizeof(err)) < 0) {
		free(keep);
		n = -ENOMEM;
	}
out:
	pthread_mutex_unlock(&l->lock);
	return n;
}

int pat_list_del(struct pat_list *l, const char *key)
{
	int n = list_remove(l, drop_by_key, key);

	return n < 0 ? 0 : n;
}

int pat_list_del_entry(struct pat_list *l, const struct pat_entry *e)
{
	int n = list_remove(l, drop_one, e);

	return n < 0 ? n : n > 0;
}

/* Sets the value of <e> to a copy of <value> and retires the old one. */
static int entry_set_value(struct pat_entry *e, const char *value)
{
	char *v = strdup(value ? value : "");

	if (!v)
		return -ENOMEM;
	epoch_retire(free, atomic_exchange_explicit(&e->value, v, memory_order_acq_rel));
	return 0;
}

int pat_list_set(struct pat_list *l, const char *key, const char *value)
{
	int found = 0, rc = 0;

	pthread_mutex_lock(&l->lock);
	for (size_t i = 0; i < l->nb && rc == 0; i++) {
		if (strcmp(l->ent[i]->key, key))
			continue;
		rc = entry_set_value(l->ent[i], value);
		found = 1;
	}
	pthread_mutex_unlock(&l->lock);
	if (rc < 0 || found)
		return rc;
	return pat_list_add(l, key, value ? value : "");
}

int pat_list_set_entry(struct pat_list *l, const struct pat_entry *e, const char *value)
{
	int rc = -ENOENT;

	pthread_mutex_lock(&l->lock);
	for (size_t i = 0; i < l->nb; i++) {
		if (l->ent[i] == e) {
			rc = entry_set_value(l->ent[i], value);
			break;
		}
	}
	pthread_mutex_unlock(&l->lock);
	return rc;
}

void pat_list_clear(struct pat_list *l)
{
	char err[64];

	pthread_mutex_lock(&l->lock);
	if (l->nb)      /* the array is kept for the next additions */
		list_replace(l, l->ent, 0, NULL, NULL, err, sizeof(err));
	pthread_mutex_unlock(&l->lock);
}

int pat_list_replace(struct pat_list *l, const char *const *keys, const char *const *values,
                     size_t n, char *err, size_t errlen)
{
	struct pat_entry **ent = malloc((n ? n : 1) * sizeof(*ent));
	size_t i;
	int rc;

	if (!ent) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		if (!(ent[i] = entry_new(keys[i], strlen(keys[i]), values ? values[i] : NULL,
		                         values && values[i] ? strlen(values[i]) : 0))) {
			snprintf(err, errlen, "out of memory");
			rc = -ENOMEM;
			goto fail;
		}
	}
	pthread_mutex_lock(&l->lock);
	rc = list_replace(l, ent, n, NULL, NULL, err, errlen);
	pthread_mutex_unlock(&l->lock);
	if (rc == 0)
		return 0;
fail:
	while (i--)
		entry_free(ent[i]);
	free(ent);
	return rc;
}

void pat_list_foreach(const struct pat_list *cl,
                      int (*cb)(const struct pat_entry *e, void *arg), void *arg)
{
	struct pat_list *l = (struct pat_list *)cl;

	pthread_mutex_lock(&l->lock);
	for (size_t i = 0; i < l->nb; i++)
		if (cb(l->ent[i], arg))
			break;
	pthread_mutex_unlock(&l->lock);
}

const char *pat_entry_key(const struct pat_entry *e) { return e->key; }
const char *pat_entry_value(const struct pat_entry *e)
{
	return atomic_load_explicit(&((struct pat_entry *)e)->value, memory_order_acquire);
}

/* Reads <path> into <l>. Returns 0 or -1 with <err>. */
static int list_read_file(struct pat_list *l, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int lineno = 0, ret = 0;

	if (!f) {
		snprintf(err, errlen, "failed to open pattern file <%s>", path);
		return -1;
	}
	while ((n = getline(&line, &cap, f)) >= 0) {
		/* As HAProxy 2.6: a line starting with '#' is a comment (a '#'
		 * after blanks is part of the pattern); leading blanks are
		 * skipped; the line ends at CR/LF. An ACL pattern keeps its
		 * trailing blanks, a map value does not. */
		char *s = line, *e;
		lineno++;
		if (*s == '#')
			continue;
		while (*s == ' ' || *s == '\t')
			s++;
		for (e = s; e < line + n && *e != '\n' && *e != '\r'; e++)
			;
		if (l->is_map)
			while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
				e--;
		if (s == e)
			continue;
		struct pat_entry *ent;
		if (l->is_map) {
			char *k = s, *v;
			while (s < e && *s != ' ' && *s != '\t')
				s++;
			size_t klen = s - k;
			while (s < e && (*s == ' ' || *s == '\t'))
				s++;
			v = s;
			ent = entry_new(k, klen, v, e - v);
		} else
			ent = entry_new(s, e - s, NULL, 0);
		if (!ent) {
			snprintf(err, errlen, "out of memory reading <%s>", path);
			ret = -1;
			break;
		}
		char why[256];
		ent->line = lineno;
		pthread_mutex_lock(&l->lock);
		int rc = list_append(l, ent, why, sizeof(why));
		pthread_mutex_unlock(&l->lock);
		if (rc < 0) {
			entry_free(ent);
			snprintf(err, errlen, "%s at line %d of file '%s'", why, lineno, path);
			ret = -1;
			break;
		}
	}
	free(line);
	fclose(f);
	return ret;
}

struct pat_list *pat_list_load(const char *path, int is_map, char *err, size_t errlen)
{
	struct pat_list *l = pat_list_find(path);
	if (l)
		return l;
	if (!(l = pat_list_new(path, is_map))) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (list_read_file(l, path, err, errlen) < 0) {
		pat_list_free(l);
		return NULL;
	}
	return l;
}


/* ---- matching ---- */

int pat_match_sample(enum pat_match m, const struct sample *smp)
{
	if (m == PAT_MATCH_FOUND)
		return 1;
	if (m != PAT_MATCH_BOOL)
		return 0;
	switch (smp->type) {
	case SMP_T_BOOL:
	case SMP_T_SINT:
		return smp->u.sint != 0;
	default: {
		struct sample tmp = *smp;
		return sample_cast(&tmp, SMP_T_BOOL) && tmp.u.sint != 0;
	}
	}
}

static const struct pat_item *match_ip(const struct pat_view *x, const struct sample *smp)
{
	uint8_t a4[4], a6[16];
	int has4 = 0, has6 = 0;
	static const uint8_t v4mapped[12] = { 0,0,0,0, 0,0,0,0, 0,0,0xff,0xff };

	if (smp->type == SMP_T_IPV4) {
		memcpy(a4, &smp->u.ipv4, 4);
		has4 = 1;
		memcpy(a6, v4mapped, 12);   /* also try v6 patterns, as ::ffff:a.b.c.d */
		memcpy(a6 + 12, a4, 4);
		has6 = 1;
	} else if (smp->type == SMP_T_IPV6) {
		memcpy(a6, &smp->u.ipv6, 16);
		has6 = 1;
		if (!memcmp(a6, v4mapped, 12) || (!memcmp(a6, v4mapped, 10) && !a6[10] && !a6[11])) {
			/* v4-mapped ::ffff:a.b.c.d or v4-compatible ::a.b.c.d */
			memcpy(a4, a6 + 12, 4);
			has4 = 1;
		} else if (a6[0] == 0x20 && a6[1] == 0x02) {   /* 6to4 2002:AABB:CCDD:: */
			memcpy(a4, a6 + 2, 4);
			has4 = 1;
		}
	} else
		return NULL;

	/* Longest prefix first in each family; v4 patterns first for v4
	 * samples, v6 ones first for v6 samples. */
	for (int pass = 0; pass < 2; pass++) {
		int v6 = (smp->type == SMP_T_IPV6) ^ pass;
		if (v6 ? !has6 : !has4)
			continue;
		const struct ip_tab *tabs = v6 ? x->ip6 : x->ip4;
		int nb = v6 ? x->nb_ip6 : x->nb_ip4;
		int nbytes = v6 ? 16 : 4;
		for (int i = 0; i < nb; i++) {
			uint8_t k[16];
			memcpy(k, v6 ? a6 : a4, nbytes);
			mask_bytes(k, nbytes, tabs[i].plen);
			long idx = ip_tab_find(x, &tabs[i], k, nbytes);
			if (idx >= 0)
				return &x->items[idx];
		}
	}
	return NULL;
}

const struct pat_entry *pat_expr_lookup(const struct pat_expr *cx, const struct sample *in)
{
	const struct pat_view *x = atomic_load_explicit(&((struct pat_expr *)cx)->cur, memory_order_acquire);
	struct sample smp = *in;

	if (!x->nb)
		return NULL;

	switch (x->kind) {
	case PAT_MATCH_INT:
		if (!sample_cast(&smp, SMP_T_SINT))
			return NULL;
		for (size_t i = 0; i < x->nb; i++)
			if (smp.u.sint >= x->items[i].u.r.min && smp.u.sint <= x->items[i].u.r.max)
				return x->items[i].e;
		return NULL;
	case PAT_MATCH_LEN: {
		if (smp.type != SMP_T_STR && smp.type != SMP_T_BIN && !sample_cast(&smp, SMP_T_STR))
			return NULL;
		int64_t len = (int64_t)smp.u.str.len;
		for (size_t i = 0; i < x->nb; i++)
			if (len >= x->items[i].u.r.min && len <= x->items[i].u.r.max)
				return x->items[i].e;
		return NULL;
	}
	case PAT_MATCH_IP: {
		if (smp.type != SMP_T_IPV4 && smp.type != SMP_T_IPV6 && smp.type != SMP_T_STR &&
		    !sample_cast(&smp, SMP_T_IPV4))     /* an integer is an IPv4 address */
			return NULL;
		if (smp.type != SMP_T_IPV4 && smp.type != SMP_T_IPV6) {
			if (smp.u.str.len >= INET6_ADDRSTRLEN)
				return NULL;
			char buf[INET6_ADDRSTRLEN];
			memcpy(buf, smp.u.str.ptr, smp.u.str.len);
			buf[smp.u.str.len] = 0;
			if (inet_pton(AF_INET, buf, &smp.u.ipv4) == 1)
				smp.type = SMP_T_IPV4;
			else if (inet_pton(AF_INET6, buf, &smp.u.ipv6) == 1)
				smp.type = SMP_T_IPV6;
			else
				return NULL;
		}
		const struct pat_item *it = match_ip(x, &smp);
		return it ? it->e : NULL;
	}
	case PAT_MATCH_BIN:
		if (smp.type != SMP_T_BIN && smp.type != SMP_T_STR && !sample_cast(&smp, SMP_T_BIN))
			return NULL;
		for (size_t i = 0; i < x->nb; i++)
			if (x->items[i].u.bin.len == smp.u.str.len &&
			    !memcmp(x->items[i].u.bin.p, smp.u.str.ptr, smp.u.str.len))
				return x->items[i].e;
		return NULL;
	case PAT_MATCH_STR: {
		if (smp.type != SMP_T_STR && smp.type != SMP_T_BIN && smp.type != SMP_T_METH &&
		    !sample_cast(&smp, SMP_T_STR))
			return NULL;
		long idx = str_find(x, smp.u.str.ptr, smp.u.str.len);
		return idx >= 0 ? x->items[idx].e : NULL;
	}
	default: {      /* BEG..REG */
		if (smp.type != SMP_T_STR && smp.type != SMP_T_BIN && smp.type != SMP_T_METH &&
		    !sample_cast(&smp, SMP_T_STR))
			return NULL;
		int idx = patset_first(x->ps, smp.u.str.ptr, smp.u.str.len);
		if (x->kind == PAT_MATCH_BEG && !(x->flags & PAT_F_ICASE)) {
			/* longest prefix, file order between equal lengths */
			long best = idx >= 0 && (size_t)idx < x->ps_nb ? idx : -1;
			size_t best_len = best >= 0 ? strlen(x->items[best].e->key) : 0;
			for (size_t i = x->ps_nb; i < x->nb; i++) {
				size_t kl = strlen(x->items[i].e->key);
				if ((best < 0 || kl > best_len) &&
				    pending_match(x, &x->items[i], smp.u.str.ptr, smp.u.str.len)) {
					best = (long)i;
					best_len = kl;
				}
			}
			return best >= 0 ? x->items[best].e : NULL;
		}
		if (x->first_empty_word >= 0 && (idx < 0 || idx > x->first_empty_word)) {
			/* HAProxy matches a pattern made of delimiters only when the
			 * subject is empty or ends with a delimiter */
			const struct pat_item *it = &x->items[x->first_empty_word];
			if (pending_match(x, it, smp.u.str.ptr, smp.u.str.len))
				idx = (int)x->first_empty_word;
		}
		if (idx >= 0 && (size_t)idx < x->ps_nb)
			return x->items[idx].e;     /* earlier in file order than any pending one */
		for (size_t i = x->ps_nb; i < x->nb; i++)
			if (pending_match(x, &x->items[i], smp.u.str.ptr, smp.u.str.len))
				return x->items[i].e;
		return NULL;
	}
	}
}

