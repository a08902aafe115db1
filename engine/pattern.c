/* pattern.c: pattern lists (the entries of one ACL/map file, in file order)
 * and their compiled views per match kind: a hash set for str, prefix hash
 * tables for ip, ranges for int/len, one pattern set (regex/patset.h, one
 * pass over the subject) for beg/end/sub/dir/dom/reg. Lists are built at
 * start-up and changed by Lua (core.add_acl...) or the CLI; a changed view
 * is rebuilt on its next lookup.
 *
 * Threads: with one worker thread, updates happen in place on that thread.
 * With several, a view's items, tables and pattern set must become one
 * immutable snapshot built by the updater and published by pointer swap,
 * the old one freed once every thread has passed a quiescent point of its
 * loop; lookups already read a view through one pointer (pat_expr) and
 * never keep item pointers across calls, so that change stays inside this
 * file. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "engine/pattern.h"
#include "regex/patset.h"
#include "regex/rx.h"

struct pat_entry {
	char *key;
	char *value;                /* NULL for ACL entries */
	int line;                   /* line in the file it was read from, 0 if added later */
};

/* One entry compiled for a kind. <e> stays valid while the view is built
 * from the current entries (a deletion rebuilds every view). */
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
 * before touching the items, so a miss costs no cache line but the slot's. */
struct htab {
	uint64_t *slot;
	uint32_t mask;              /* capacity - 1 (power of two), or 0 when unallocated */
	uint32_t used;
};

struct pat_expr {
	struct pat_expr *next;      /* next view of the same list */
	struct pat_list *list;
	enum pat_match kind;
	unsigned flags;             /* PAT_F_* */
	struct pat_item *items;     /* file order */
	size_t nb, cap;
	int dirty;                  /* entries changed: rebuild before the next lookup */
	struct htab str;            /* STR: key -> first item with that key */
	/* IP: per family, one table per prefix length in use, longest first */
	struct ip_tab { int plen; struct htab h; } *ip4, *ip6;
	int nb_ip4, nb_ip6;
	struct patset *ps;          /* BEG..REG: built from items[0..ps_nb) */
	size_t ps_nb;               /* items[ps_nb..nb) were added since: scanned one by one */
	long first_empty_word;      /* DIR/DOM: first item of delimiters only (see match_word), or -1 */
};

struct pat_list {
	struct pat_list *next;      /* registry, creation order */
	char *name;                 /* file name, or NULL for inline patterns */
	char *desc;                 /* for "show acl" / "show map", or NULL */
	unsigned id;                /* "#<id>" for the management socket */
	int is_map;
	struct pat_entry **ent;     /* file order */
	size_t nb, cap;
	struct pat_expr *exprs;
};

/* Named lists: built at start-up, then read by every thread. */
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

static void htab_free(struct htab *h)
{
	free(h->slot);
	h->slot = NULL;
	h->mask = h->used = 0;
}

/* Returns 0 or -ENOMEM. Grows <h> to hold at least one more entry at a
 * load factor of 1/2 or less. */
static int htab_reserve(struct htab *h)
{
	if (h->mask && (h->used + 1) * 2 <= h->mask + 1)
		return 0;
	uint32_t cap = h->mask ? (h->mask + 1) * 2 : 16;
	uint64_t *slot = calloc(cap, sizeof(*slot));
	if (!slot)
		return -ENOMEM;
	for (uint32_t i = 0; h->mask && i <= h->mask; i++) {
		if (!h->slot[i])
			continue;
		uint32_t j = (uint32_t)(h->slot[i] >> 32) & (cap - 1);
		while (slot[j])
			j = (j + 1) & (cap - 1);
		slot[j] = h->slot[i];
	}
	free(h->slot);
	h->slot = slot;
	h->mask = cap - 1;
	return 0;
}

/* Inserts item <idx> with hash <hash> (the caller reserved room). */
static void htab_insert(struct htab *h, uint32_t hash, uint32_t idx)
{
	uint32_t j = hash & h->mask;
	while (h->slot[j])
		j = (j + 1) & h->mask;
	h->slot[j] = (uint64_t)hash << 32 | (idx + 1);
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

/* Returns the first item index whose key is <s>/<n>, or -1. */
static long str_find(const struct pat_expr *x, const char *s, size_t n)
{
	const struct htab *h = &x->str;
	if (!h->mask)
		return -1;
	int icase = x->flags & PAT_F_ICASE;
	uint32_t hash = hash_bytes(s, n, icase);
	for (uint32_t j = hash & h->mask; h->slot[j]; j = (j + 1) & h->mask) {
		if ((uint32_t)(h->slot[j] >> 32) != hash)
			continue;
		const struct pat_item *it = &x->items[(uint32_t)h->slot[j] - 1];
		if (str_eq(it->u.s.p, it->u.s.len, s, n, icase))
			return (uint32_t)h->slot[j] - 1;
	}
	return -1;
}

static int str_index(struct pat_expr *x, uint32_t idx)
{
	struct pat_item *it = &x->items[idx];
	it->u.s.p = it->e->key;
	it->u.s.len = (uint32_t)strlen(it->e->key);
	if (str_find(x, it->u.s.p, it->u.s.len) >= 0)
		return 0;           /* an earlier entry has this key: it wins */
	if (htab_reserve(&x->str) < 0)
		return -ENOMEM;
	htab_insert(&x->str, hash_bytes(it->u.s.p, it->u.s.len, x->flags & PAT_F_ICASE), idx);
	return 0;
}

/* Returns the item index of the network <a>/<plen> in <t>, or -1. */
static long ip_tab_find(const struct pat_expr *x, const struct ip_tab *t, const uint8_t *a, int nbytes)
{
	const struct htab *h = &t->h;
	uint32_t hash = hash_bytes(a, nbytes, 0);
	for (uint32_t j = hash & h->mask; h->slot[j]; j = (j + 1) & h->mask)
		if ((uint32_t)(h->slot[j] >> 32) == hash &&
		    !memcmp(x->items[(uint32_t)h->slot[j] - 1].u.ip.a, a, nbytes))
			return (uint32_t)h->slot[j] - 1;
	return -1;
}

static int ip_index(struct pat_expr *x, uint32_t idx)
{
	const struct pat_item *it = &x->items[idx];
	struct ip_tab **tabs = it->u.ip.v6 ? &x->ip6 : &x->ip4;
	int *nb = it->u.ip.v6 ? &x->nb_ip6 : &x->nb_ip4;
	int i;
	for (i = 0; i < *nb && (*tabs)[i].plen > it->u.ip.plen; i++)
		;
	if (i == *nb || (*tabs)[i].plen != it->u.ip.plen) {
		struct ip_tab *t = realloc(*tabs, (*nb + 1) * sizeof(**tabs));
		if (!t)
			return -ENOMEM;
		memmove(t + i + 1, t + i, (*nb - i) * sizeof(*t));
		t[i].plen = it->u.ip.plen;
		memset(&t[i].h, 0, sizeof(t[i].h));
		*tabs = t;
		(*nb)++;
	}
	struct ip_tab *t = &(*tabs)[i];
	int nbytes = it->u.ip.v6 ? 16 : 4;
	if (t->h.mask && ip_tab_find(x, t, it->u.ip.a, nbytes) >= 0)
		return 0;
	if (htab_reserve(&t->h) < 0)
		return -ENOMEM;
	htab_insert(&t->h, hash_bytes(it->u.ip.a, nbytes, 0), idx);
	return 0;
}

static void expr_clear(struct pat_expr *x)
{
	for (size_t i = 0; i < x->nb; i++) {
		if (x->kind == PAT_MATCH_BIN)
			free(x->items[i].u.bin.p);
		else if (x->kind == PAT_MATCH_REG)
			rx_free(x->items[i].u.rx);
	}
	x->nb = 0;
	x->ps_nb = 0;
	x->first_empty_word = -1;
	htab_free(&x->str);
	for (int i = 0; i < x->nb_ip4; i++)
		htab_free(&x->ip4[i].h);
	for (int i = 0; i < x->nb_ip6; i++)
		htab_free(&x->ip6[i].h);
	free(x->ip4);
	free(x->ip6);
	x->ip4 = x->ip6 = NULL;
	x->nb_ip4 = x->nb_ip6 = 0;
	patset_free(x->ps);
	x->ps = NULL;
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

/* (Re)builds the pattern set of a BEG..REG view from its items. Returns 0
 * or -1 with <err>. */
static int expr_build_patset(struct pat_expr *x, char *err, size_t errlen)
{
	struct patset_entry *pe = calloc(x->nb ? x->nb : 1, sizeof(*pe));
	size_t bad = (size_t)-1;
	if (!pe) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < x->nb; i++) {
		pe[i].pat = x->items[i].e->key;
		pe[i].len = strlen(pe[i].pat);
		pe[i].kind = patset_kind_of(x->kind);
		pe[i].flags = (x->flags & PAT_F_ICASE) ? PATSET_ICASE : 0;
	}
	char why[256];
	/* HAProxy indexes case-sensitive "beg" patterns in a prefix tree: the
	 * longest matching prefix wins (map_beg, Map.beg); ACLs only care
	 * whether one matches */
	unsigned opts = (x->kind == PAT_MATCH_BEG && !(x->flags & PAT_F_ICASE)) ? PATSET_O_BEG_LONGEST : 0;
	struct patset *ps = patset_build_opts(pe, x->nb, opts, why, sizeof(why), &bad);
	free(pe);
	if (!ps) {
		if (bad < x->nb)
			regex_error(err, errlen, x->items[bad].e->key, why);
		else
			snprintf(err, errlen, "%s", why);
		return -1;
	}
	patset_free(x->ps);
	x->ps = ps;
	x->ps_nb = x->nb;
	x->first_empty_word = -1;
	if (x->kind == PAT_MATCH_DIR || x->kind == PAT_MATCH_DOM) {
		const char *d = x->kind == PAT_MATCH_DIR ? DIR_DELIMS : DOM_DELIMS;
		for (size_t i = 0; i < x->nb && x->first_empty_word < 0; i++) {
			const char *k = x->items[i].e->key;
			if (strspn(k, d) == strlen(k))
				x->first_empty_word = (long)i;
		}
	}
	return 0;
}

/* Appends the list's entry <e> to view <x> (the pattern set is rebuilt
 * later, by the caller). Returns 0 or -1 with <err>. */
static int expr_append(struct pat_expr *x, const struct pat_entry *e, char *err, size_t errlen)
{
	if (x->nb == x->cap) {
		size_t cap = x->cap ? x->cap * 2 : 16;
		struct pat_item *it = realloc(x->items, cap * sizeof(*it));
		if (!it)
			goto nomem;
		x->items = it;
		x->cap = cap;
	}
	struct pat_item *it = &x->items[x->nb];
	memset(it, 0, sizeof(*it));
	it->e = e;
	if (item_parse(x->kind, it, err, errlen) < 0)
		return -1;
	x->nb++;
	int ret = 0;
	if (x->kind == PAT_MATCH_STR)
		ret = str_index(x, x->nb - 1);
	else if (x->kind == PAT_MATCH_IP)
		ret = ip_index(x, x->nb - 1);
	if (ret == 0)
		return 0;
	x->nb--;
	if (x->kind == PAT_MATCH_BIN)
		free(it->u.bin.p);
nomem:
	snprintf(err, errlen, "out of memory");
	return -1;
}

/* Rebuilds <x> from its list's entries. Returns 0 or -1 with <err>. */
static int expr_rebuild(struct pat_expr *x, char *err, size_t errlen)
{
	expr_clear(x);
	for (size_t i = 0; i < x->list->nb; i++) {
		const struct pat_entry *e = x->list->ent[i];
		if (expr_append(x, e, err, errlen) < 0) {
			size_t n = strlen(err);
			if (e->line && x->list->name && n < errlen)
				snprintf(err + n, errlen - n, " at line %d of file '%s'", e->line, x->list->name);
			return -1;
		}
	}
	if (kind_uses_patset(x->kind) && expr_build_patset(x, err, errlen) < 0)
		return -1;
	x->dirty = 0;
	return 0;
}

/* An entry added to a BEG..REG view after its pattern set was built is
 * matched on its own (a REG entry gets its own compiled regex) until
 * PAT_PENDING_MAX of them accumulate: then the set is rebuilt, once for a
 * burst of additions rather than once per core.add_acl(). */
#define PAT_PENDING_MAX 32

static int expr_add_pending(struct pat_expr *x)
{
	struct pat_item *it = &x->items[x->nb - 1];
	char err[256];

	if (x->nb - x->ps_nb > PAT_PENDING_MAX) {
		x->dirty = 1;
		return 0;
	}
	if (x->kind == PAT_MATCH_REG) {
		it->u.rx = rx_compile(it->e->key, strlen(it->e->key),
		                      RX_NO_CAPTURE | ((x->flags & PAT_F_ICASE) ? RX_ICASE : 0),
		                      err, sizeof(err));
		if (!it->u.rx)
			return -1;
	}
	return 0;
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

/* Returns 1 if pending item <it> of view <x> matches <s>/<n>. */
static int pending_match(const struct pat_expr *x, const struct pat_item *it, const char *s, size_t n)
{
	const char *p = it->e->key;
	size_t pl = strlen(p);
	int icase = x->flags & PAT_F_ICASE;

	switch (x->kind) {
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
	if (m == PAT_MATCH_STR || m >= PAT_MATCH_BEG)
		flags &= PAT_F_ICASE;
	else
		flags = 0;
	for (x = l->exprs; x; x = x->next)
		if (x->kind == m && x->flags == flags)
			return x;
	if (!(x = calloc(1, sizeof(*x)))) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	x->list = l;
	x->kind = m;
	x->flags = flags;
	if (expr_rebuild(x, err, errlen) < 0) {
		expr_clear(x);
		free(x->items);
		free(x);
		return NULL;
	}
	x->next = l->exprs;
	l->exprs = x;
	return x;
}

enum pat_match pat_expr_kind(const struct pat_expr *e) { return e->kind; }
struct pat_list *pat_expr_list(const struct pat_expr *e) { return e->list; }

/* ---- lists ---- */

static void entry_free(struct pat_entry *e)
{
	if (!e)
		return;
	free(e->key);
	free(e->value);
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

static void list_release(struct pat_list *l)
{
	struct pat_expr *x, *nx;
	for (x = l->exprs; x; x = nx) {
		nx = x->next;
		expr_clear(x);
		free(x->items);
		free(x);
	}
	for (size_t i = 0; i < l->nb; i++)
		entry_free(l->ent[i]);
	free(l->ent);
	free(l->name);
	free(l->desc);
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
	if (!e)
		return NULL;
	if (!(e->key = strndup(key, klen)))
		goto fail;
	if (value && !(e->value = strndup(value, vlen)))
		goto fail;
	return e;
fail:
	entry_free(e);
	return NULL;
}

/* Appends <e> (owned by the list on success) to <l> and its views.
 * Returns 0, -EINVAL or -ENOMEM with <err>. */
static int list_append(struct pat_list *l, struct pat_entry *e, char *err, size_t errlen)
{
	struct pat_expr *x;
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
	/* every view must accept the key before anything changes */
	for (x = l->exprs; x; x = x->next) {
		if (x->kind == PAT_MATCH_REG) {
			if (pat_check_key(PAT_MATCH_REG, e->key, err, errlen) < 0)
				return -EINVAL;
		} else if (pat_check_key(x->kind, e->key, err, errlen) < 0)
			return -EINVAL;
	}
	l->ent[l->nb++] = e;
	for (x = l->exprs; x; x = x->next) {
		if (x->dirty)
			continue;
		if (expr_append(x, e, err, errlen) < 0)
			x->dirty = 1;       /* out of memory: retried at the next lookup */
		else if (kind_uses_patset(x->kind) && expr_add_pending(x) < 0)
			x->dirty = 1;
	}
	return 0;
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
	int ret = list_append(l, e, err, errlen);
	if (ret < 0)
		entry_free(e);
	return ret;
}

int pat_list_add(struct pat_list *l, const char *key, const char *value)
{
	return pat_list_add_err(l, key, value, NULL, 0);
}

static void list_mark_dirty(struct pat_list *l)
{
	for (struct pat_expr *x = l->exprs; x; x = x->next)
		x->dirty = 1;
}

int pat_list_del(struct pat_list *l, const char *key)
{
	size_t j = 0;
	int n = 0;
	for (size_t i = 0; i < l->nb; i++) {
		if (!strcmp(l->ent[i]->key, key)) {
			entry_free(l->ent[i]);
			n++;
		} else
			l->ent[j++] = l->ent[i];
	}
	l->nb = j;
	if (n) {
		/* items point to freed entries: drop them now, rebuild lazily */
		for (struct pat_expr *x = l->exprs; x; x = x->next) {
			expr_clear(x);
			x->dirty = 1;
		}
	}
	return n;
}

int pat_list_set(struct pat_list *l, const char *key, const char *value)
{
	int found = 0;
	for (size_t i = 0; i < l->nb; i++) {
		if (strcmp(l->ent[i]->key, key))
			continue;
		char *v = strdup(value ? value : "");
		if (!v)
			return -ENOMEM;
		free(l->ent[i]->value);
		l->ent[i]->value = v;
		found = 1;
	}
	return found ? 0 : pat_list_add(l, key, value ? value : "");
}

void pat_list_clear(struct pat_list *l)
{
	for (struct pat_expr *x = l->exprs; x; x = x->next)
		expr_clear(x);
	for (size_t i = 0; i < l->nb; i++)
		entry_free(l->ent[i]);
	l->nb = 0;
	list_mark_dirty(l);
}

void pat_list_foreach(const struct pat_list *l,
                      int (*cb)(const struct pat_entry *e, void *arg), void *arg)
{
	for (size_t i = 0; i < l->nb; i++)
		if (cb(l->ent[i], arg))
			return;
}

const char *pat_entry_key(const struct pat_entry *e) { return e->key; }
const char *pat_entry_value(const struct pat_entry *e) { return e->value; }

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
		if (list_append(l, ent, why, sizeof(why)) < 0) {
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

static const struct pat_item *match_ip(const struct pat_expr *x, const struct sample *smp)
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
	struct pat_expr *x = (struct pat_expr *)cx;
	struct sample smp = *in;
	char err[256];

	if (x->dirty && expr_rebuild(x, err, sizeof(err)) < 0)
		return NULL;
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
