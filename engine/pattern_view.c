/* pattern_view.c: the compiled views of pattern lists (pattern_int.h):
 * a hash set for str, prefix hash tables for ip, ranges for int/len, one
 * pattern set (regex/patset.h, one pass over the subject) for
 * beg/end/sub/dir/dom/reg; how a view is built, extended by one entry
 * (sharing the previous view's arrays), published by pointer swap and
 * retired (engine/epoch.h); the background builds of regex sets; and the
 * lookups, which take no lock. See pattern.c for the lists themselves. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "engine/epoch.h"
#include "engine/pattern_int.h"
#include "regex/patset.h"
#include "regex/rx.h"

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

/* Makes the slot of item <from> (hash <hash>) name item <to>, with one
 * atomic store: a reader of an older view skips <to> (past its count). */
static void htab_repoint(struct htab *h, uint32_t hash, uint32_t from, uint32_t to)
{
	uint64_t sl, want = (uint64_t)hash << 32 | (from + 1);

	for (uint32_t j = hash & h->mask; (sl = slot_load(&h->slot[j])); j = (j + 1) & h->mask) {
		if (sl == want) {
			__atomic_store_n(&h->slot[j], (uint64_t)hash << 32 | (to + 1), __ATOMIC_RELEASE);
			return;
		}
	}
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

static long str_next_live(const struct pat_view *x, long idx, const char *s, size_t n);
static long ip_next_live(const struct pat_view *x, long idx);

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
void pat_view_free(void *p)
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
struct pat_view *pat_view_build(enum pat_match m, unsigned flags, struct pat_entry *const *ent,
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
		/* PCRE2 alone now, the pattern set later (pat_expr_schedule()) */
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
	pat_view_free(v);
nomem:
	snprintf(err, errlen, "out of memory");
	return NULL;
fail:
	pat_view_free(v);
	return NULL;
}

/* Returns a new view: <old> plus entry <e> (appended), sharing <old>'s
 * arrays where they have room, or NULL with <err> (-EINVAL: <e> is not a
 * pattern of this kind; otherwise out of memory) and nothing changed. What
 * the new view takes from <old> is put in <*take>: the caller moves those
 * OWN_* bits when it publishes, or calls pat_view_abort(). */
struct pat_view *pat_view_add(struct pat_view *old, const struct pat_entry *e, unsigned *take,
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
		uint32_t h = hash_bytes(it->u.s.p, it->u.s.len, v->flags & PAT_F_ICASE);
		long f = str_find(v, it->u.s.p, it->u.s.len);

		*take |= OWN_STR;
		if (f >= 0 && pat_entry_dead(v->items[f].e) && str_next_live(old, f, it->u.s.p, it->u.s.len) < 0)
			htab_repoint(&v->str, h, (uint32_t)f, (uint32_t)old->nb);   /* re-added key */
		else if (f < 0) {
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

		long f = t ? ip_tab_find(v, t, it->u.ip.a, nbytes) : -1;

		if (f >= 0) {
			/* the same network is there: first wins, unless removed */
			if (pat_entry_dead(v->items[f].e) && ip_next_live(old, f) < 0)
				htab_repoint(&t->h, hash_bytes(it->u.ip.a, nbytes, 0), (uint32_t)f, (uint32_t)old->nb);
			*take |= OWN_IP;
		} else if (t && !htab_full(&t->h)) {
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
	pat_view_free(v);           /* what it built for itself */
	return NULL;
nomem_v:
	free(v);
nomem:
	snprintf(err, errlen, "out of memory");
	return NULL;
}

/* Drops <v>, built by pat_view_add() from <old> and not published. */
void pat_view_abort(struct pat_view *v, const struct pat_view *old)
{
	item_release(v->kind, &v->items[old->nb]);
	pat_view_free(v);
}

/* Publishes <v> as the view of <x> and retires the previous one. */
void pat_expr_publish(struct pat_expr *x, struct pat_view *v)
{
	/* seq_cst: against a reader thread going online (epoch_retire()) */
	struct pat_view *old = atomic_exchange(&x->cur, v);

	epoch_retire(pat_view_free, old);
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
			pat_expr_publish(x, v);
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
void pat_expr_schedule(struct pat_expr *x)
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
void pat_expr_join(struct pat_expr *x)
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
	if (!(v = pat_view_build(m, flags, l->ent, l->nb, l->name, err, errlen))) {
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
	pat_expr_schedule(x);
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

/* Removed entries (pat_entry_dead()) stay in the views until the list is
 * compacted; a lookup whose first match is one looks further, one by one:
 * rare, and bounded by the compaction. */

/* Returns the index of the first live item after <idx> of STR view <x>
 * keyed <s>/<n>, or -1. */
static long str_next_live(const struct pat_view *x, long idx, const char *s, size_t n)
{
	int icase = x->flags & PAT_F_ICASE;

	for (size_t j = (size_t)idx + 1; j < x->nb; j++) {
		const struct pat_item *it = &x->items[j];

		if (str_eq(it->u.s.p, it->u.s.len, s, n, icase) && !pat_entry_dead(it->e))
			return (long)j;
	}
	return -1;
}

/* Returns the index of the first live item after <idx> of IP view <x> for
 * the same network, or -1. */
static long ip_next_live(const struct pat_view *x, long idx)
{
	const struct pat_item *d = &x->items[idx];

	for (size_t j = (size_t)idx + 1; j < x->nb; j++) {
		const struct pat_item *it = &x->items[j];

		if (it->u.ip.v6 == d->u.ip.v6 && it->u.ip.plen == d->u.ip.plen &&
		    !memcmp(it->u.ip.a, d->u.ip.a, d->u.ip.v6 ? 16 : 4) && !pat_entry_dead(it->e))
			return (long)j;
	}
	return -1;
}

/* Returns the entry a BEG..DOM view <x> matches for <s>/<n> looking at
 * every live item in file order (case-sensitive beg: the longest), or
 * NULL: the slow way, when the pattern set's answer was removed. */
static const struct pat_entry *scan_live(const struct pat_view *x, const char *s, size_t n)
{
	int longest = x->kind == PAT_MATCH_BEG && !(x->flags & PAT_F_ICASE);
	const struct pat_item *best = NULL;
	size_t best_len = 0;

	for (size_t i = 0; i < x->nb; i++) {
		const struct pat_item *it = &x->items[i];
		size_t kl = longest ? strlen(it->e->key) : 0;

		if ((best && (!longest || kl <= best_len)) || pat_entry_dead(it->e) ||
		    !pending_match(x, it, s, n))
			continue;
		best = it;
		best_len = kl;
		if (!longest)
			break;
	}
	return best ? best->e : NULL;
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
			if (idx >= 0 && pat_entry_dead(x->items[idx].e))
				idx = ip_next_live(x, idx);
			if (idx >= 0)
				return &x->items[idx];
		}
	}
	return NULL;
}

static const struct pat_entry *view_lookup(const struct pat_view *x, const struct sample *in);

const struct pat_entry *pat_expr_lookup(const struct pat_expr *cx, const struct sample *in)
{
	struct pat_expr *x = (struct pat_expr *)cx;
	const struct pat_entry *e;

	if (epoch_is_online())
		return view_lookup(atomic_load_explicit(&x->cur, memory_order_acquire), in);
	/* a thread the epoch does not know (start-up, Lua's body, tests): a
	 * view replaced meanwhile (background build) could be freed at once,
	 * so hold the writers off during the lookup */
	pthread_mutex_lock(&x->list->lock);
	e = view_lookup(atomic_load(&x->cur), in);
	pthread_mutex_unlock(&x->list->lock);
	return e;
}

/* Returns the entry of view <x> matching <in>, or NULL. */
static const struct pat_entry *view_lookup(const struct pat_view *x, const struct sample *in)
{
	struct sample smp = *in;

	if (!x->nb)
		return NULL;

	switch (x->kind) {
	case PAT_MATCH_INT:
		if (!sample_cast(&smp, SMP_T_SINT))
			return NULL;
		for (size_t i = 0; i < x->nb; i++)
			if (smp.u.sint >= x->items[i].u.r.min && smp.u.sint <= x->items[i].u.r.max &&
			    !pat_entry_dead(x->items[i].e))
				return x->items[i].e;
		return NULL;
	case PAT_MATCH_LEN: {
		if (smp.type != SMP_T_STR && smp.type != SMP_T_BIN && !sample_cast(&smp, SMP_T_STR))
			return NULL;
		int64_t len = (int64_t)smp.u.str.len;
		for (size_t i = 0; i < x->nb; i++)
			if (len >= x->items[i].u.r.min && len <= x->items[i].u.r.max &&
			    !pat_entry_dead(x->items[i].e))
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
			    !memcmp(x->items[i].u.bin.p, smp.u.str.ptr, smp.u.str.len) &&
			    !pat_entry_dead(x->items[i].e))
				return x->items[i].e;
		return NULL;
	case PAT_MATCH_STR: {
		if (smp.type != SMP_T_STR && smp.type != SMP_T_BIN && smp.type != SMP_T_METH &&
		    !sample_cast(&smp, SMP_T_STR))
			return NULL;
		long idx = str_find(x, smp.u.str.ptr, smp.u.str.len);
		if (idx >= 0 && pat_entry_dead(x->items[idx].e))
			idx = str_next_live(x, idx, smp.u.str.ptr, smp.u.str.len);
		return idx >= 0 ? x->items[idx].e : NULL;
	}
	default: {      /* BEG..REG */
		if (smp.type != SMP_T_STR && smp.type != SMP_T_BIN && smp.type != SMP_T_METH &&
		    !sample_cast(&smp, SMP_T_STR))
			return NULL;
		int idx = patset_first(x->ps, smp.u.str.ptr, smp.u.str.len);
		if (idx >= 0 && (size_t)idx < x->ps_nb && pat_entry_dead(x->items[idx].e))
			return scan_live(x, smp.u.str.ptr, smp.u.str.len);   /* removed: look past it */
		if (x->kind == PAT_MATCH_BEG && !(x->flags & PAT_F_ICASE)) {
			/* longest prefix, file order between equal lengths */
			long best = idx >= 0 && (size_t)idx < x->ps_nb ? idx : -1;
			size_t best_len = best >= 0 ? strlen(x->items[best].e->key) : 0;
			for (size_t i = x->ps_nb; i < x->nb; i++) {
				size_t kl = strlen(x->items[i].e->key);
				if ((best < 0 || kl > best_len) && !pat_entry_dead(x->items[i].e) &&
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
			if (!pat_entry_dead(it->e) && pending_match(x, it, smp.u.str.ptr, smp.u.str.len))
				idx = (int)x->first_empty_word;
		}
		if (idx >= 0 && (size_t)idx < x->ps_nb)
			return x->items[idx].e;     /* earlier in file order than any pending one */
		for (size_t i = x->ps_nb; i < x->nb; i++)
			if (!pat_entry_dead(x->items[i].e) &&
			    pending_match(x, &x->items[i], smp.u.str.ptr, smp.u.str.len))
				return x->items[i].e;
		return NULL;
	}
	}
}
