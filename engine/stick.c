/* stick.c: stick tables. A table keeps entries (key + the data types of its
 * "store" list) in a hash table whose buckets grow with it, and on one LRU
 * list that is also the expiry order (every touch sets expire = now +
 * "expire"), so that purging expired entries and evicting the oldest one
 * when the table is full both start at the list's tail. Entries come from a
 * per-table free list refilled by chunks: nothing is freed before the
 * table is. Rates are HAProxy's frequency counters. Also the "stick-table"
 * keyword and "peers" sections; trackers are in stick_track.c,
 * persistence in stick_persist.c. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "engine/stick.h"
#include "engine/cli.h"
#include "engine/proxy.h"
#include "engine/thread.h"
#include "engine/timer.h"

/* ---- data types ---- */

enum dt_kind { DK_UINT, DK_ULL, DK_FRQP, DK_STR };   /* DK_STR: a name the entry does not own */

static const struct dt_desc {
	const char *name;
	enum dt_kind kind;
} dt_descs[STK_DT_NB] = {
	[STK_DT_SERVER_ID]      = { "server_id",      DK_UINT },
	[STK_DT_GPT0]           = { "gpt0",           DK_UINT },
	[STK_DT_GPC0]           = { "gpc0",           DK_UINT },
	[STK_DT_GPC0_RATE]      = { "gpc0_rate",      DK_FRQP },
	[STK_DT_CONN_CNT]       = { "conn_cnt",       DK_UINT },
	[STK_DT_CONN_RATE]      = { "conn_rate",      DK_FRQP },
	[STK_DT_CONN_CUR]       = { "conn_cur",       DK_UINT },
	[STK_DT_SESS_CNT]       = { "sess_cnt",       DK_UINT },
	[STK_DT_SESS_RATE]      = { "sess_rate",      DK_FRQP },
	[STK_DT_HTTP_REQ_CNT]   = { "http_req_cnt",   DK_UINT },
	[STK_DT_HTTP_REQ_RATE]  = { "http_req_rate",  DK_FRQP },
	[STK_DT_HTTP_ERR_CNT]   = { "http_err_cnt",   DK_UINT },
	[STK_DT_HTTP_ERR_RATE]  = { "http_err_rate",  DK_FRQP },
	[STK_DT_BYTES_IN_CNT]   = { "bytes_in_cnt",   DK_ULL },
	[STK_DT_BYTES_IN_RATE]  = { "bytes_in_rate",  DK_FRQP },
	[STK_DT_BYTES_OUT_CNT]  = { "bytes_out_cnt",  DK_ULL },
	[STK_DT_BYTES_OUT_RATE] = { "bytes_out_rate", DK_FRQP },
	[STK_DT_GPC1]           = { "gpc1",           DK_UINT },
	[STK_DT_GPC1_RATE]      = { "gpc1_rate",      DK_FRQP },
	[STK_DT_SERVER_KEY]     = { "server_key",     DK_STR },
	[STK_DT_HTTP_FAIL_CNT]  = { "http_fail_cnt",  DK_UINT },
	[STK_DT_HTTP_FAIL_RATE] = { "http_fail_rate", DK_FRQP },
	[STK_DT_GPT]            = { "gpt",            DK_UINT },
	[STK_DT_GPC]            = { "gpc",            DK_UINT },
	[STK_DT_GPC_RATE]       = { "gpc_rate",       DK_FRQP },
};

static int dt_is_array(int dt)
{
	return dt == STK_DT_GPT || dt == STK_DT_GPC || dt == STK_DT_GPC_RATE;
}

int stick_dt_lookup(const char *name, size_t len)
{
	for (int i = 0; i < STK_DT_NB; i++)
		if (strlen(dt_descs[i].name) == len && !memcmp(dt_descs[i].name, name, len))
			return i;
	return -1;
}

const char *stick_dt_name(enum stk_dt dt)
{
	return (unsigned)dt < STK_DT_NB ? dt_descs[dt].name : "?";
}

int stick_dt_is_rate(enum stk_dt dt)
{
	return (unsigned)dt < STK_DT_NB && dt_descs[dt].kind == DK_FRQP;
}

/* ---- tables and entries ---- */

/* Invariants: an entry is either on the LRU list and in one hash chain
 * (live), or on the free list. The LRU list is ordered by last touch, most
 * recent at the head, hence by <expire> too. <ref> counts the trackers and
 * dumps holding the entry: a held entry is never purged or evicted. */
struct stksess {
	struct stksess *hnext;          /* hash chain, or free list */
	struct stksess *lprev, *lnext;  /* LRU list */
	struct stktable *t;
	uint64_t expire;                /* ms (timer_now_ms), 0 = never */
	uint32_t hash;
	uint32_t ref;
	uint32_t klen;
	/* then the key (t->key_size bytes), then the data (t->data_size bytes) */
	unsigned char mem[];
};

struct stktable {
	char *name;
	struct proxy *px;
	enum stk_key_type type;
	uint32_t key_size;              /* bytes reserved for the key */
	uint32_t size;                  /* max entries */
	uint32_t expire;                /* ms, 0 = never */
	int nopurge;
	int srvkey_addr;                /* "srvkey addr": server_key is the server's address */
	int16_t data_off[STK_DT_NB];    /* offset in the data area, -1 = not stored */
	uint32_t data_arg[STK_DT_NB];   /* rate periods (ms) */
	uint8_t data_nb[STK_DT_NB];     /* elements: 1, or the array size (gpt, gpc, gpc_rate) */
	uint32_t data_size;
	uint32_t entry_size;
	uint32_t used;
	struct stksess **buckets;
	uint32_t nb_buckets;            /* power of 2 */
	struct stksess *lru_head, *lru_tail;
	struct stksess *free_list;
	unsigned char *kbuf;            /* key_size bytes: a key being looked up (one thread) */
	void **chunks;                  /* allocations of entries, freed with the table */
	uint32_t nb_chunks;
	const char *file; int line;
};

#define STK_CHUNK 64

/* The thread's clock of this loop turn (no system call per update); the
 * monotonic clock itself outside a worker thread (CLI tests, unit tests). */
static inline uint64_t stk_now(void)
{
	return thr_cur ? thr_cur->now_ms : timer_now_ms();
}

static inline unsigned char *ts_key(const struct stksess *ts)
{
	return (unsigned char *)ts->mem;
}

static size_t dt_size(enum stk_dt dt);

static inline unsigned char *ts_data(const struct stksess *ts, enum stk_dt dt)
{
	const struct stktable *t = ts->t;
	return (unsigned char *)ts->mem + t->key_size + t->data_off[dt];
}

/* Finds where <dt>[<idx>] lives in <t>: itself, or the array element that
 * replaces a legacy gpt0/gpc0/gpc1/gpc0_rate/gpc1_rate. Returns 1 with
 * *<rdt> and *<ridx> set, 0 when the table does not store it. */
static int locate(const struct stktable *t, enum stk_dt dt, unsigned idx, enum stk_dt *rdt, unsigned *ridx)
{
	static const struct { enum stk_dt legacy, array; unsigned idx; } alt[] = {
		{ STK_DT_GPT0, STK_DT_GPT, 0 }, { STK_DT_GPC0, STK_DT_GPC, 0 }, { STK_DT_GPC1, STK_DT_GPC, 1 },
		{ STK_DT_GPC0_RATE, STK_DT_GPC_RATE, 0 }, { STK_DT_GPC1_RATE, STK_DT_GPC_RATE, 1 },
	};

	if (!t || (unsigned)dt >= STK_DT_NB)
		return 0;
	if (t->data_off[dt] >= 0 && idx < t->data_nb[dt]) {
		*rdt = dt;
		*ridx = idx;
		return 1;
	}
	for (size_t i = 0; i < sizeof(alt) / sizeof(alt[0]); i++)
		if (alt[i].legacy == dt && !idx && t->data_off[alt[i].array] >= 0 &&
		    alt[i].idx < t->data_nb[alt[i].array]) {
			*rdt = alt[i].array;
			*ridx = alt[i].idx;
			return 1;
		}
	return 0;
}

static inline unsigned char *ts_data_at(const struct stksess *ts, enum stk_dt dt, unsigned idx)
{
	return ts_data(ts, dt) + idx * dt_size(dt);
}

struct stktable *stick_table_of(const struct proxy *px)
{
	return px ? px->stktable : NULL;
}
const char *stick_table_name(const struct stktable *t) { return t->name; }
enum stk_key_type stick_table_type(const struct stktable *t) { return t->type; }
uint32_t stick_table_size(const struct stktable *t) { return t->size; }
struct stktable *stick_entry_table(const struct stksess *ts) { return ts->t; }

int stick_table_has_at(const struct stktable *t, enum stk_dt dt, unsigned idx)
{
	enum stk_dt rdt;
	unsigned ridx;

	return locate(t, dt, idx, &rdt, &ridx);
}

int stick_table_has(const struct stktable *t, enum stk_dt dt)
{
	return stick_table_has_at(t, dt, 0);
}

static uint32_t hash_bytes(const unsigned char *p, size_t n)
{
	uint32_t h = 2166136261u;      /* FNV-1a */

	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 16777619u;
	}
	return h ^ (h >> 15);
}

static void lru_unlink(struct stktable *t, struct stksess *ts)
{
	if (ts->lprev)
		ts->lprev->lnext = ts->lnext;
	else
		t->lru_head = ts->lnext;
	if (ts->lnext)
		ts->lnext->lprev = ts->lprev;
	else
		t->lru_tail = ts->lprev;
	ts->lprev = ts->lnext = NULL;
}

static void lru_push_head(struct stktable *t, struct stksess *ts)
{
	ts->lprev = NULL;
	ts->lnext = t->lru_head;
	if (t->lru_head)
		t->lru_head->lprev = ts;
	else
		t->lru_tail = ts;
	t->lru_head = ts;
}

static void hash_unlink(struct stktable *t, struct stksess *ts)
{
	struct stksess **pp = &t->buckets[ts->hash & (t->nb_buckets - 1)];

	while (*pp && *pp != ts)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = ts->hnext;
	ts->hnext = NULL;
}

static void entry_release(struct stktable *t, struct stksess *ts)
{
	hash_unlink(t, ts);
	lru_unlink(t, ts);
	ts->hnext = t->free_list;
	t->free_list = ts;
	t->used--;
}

/* Removes expired entries that nobody holds, oldest first. */
static void table_purge(struct stktable *t, uint64_t now)
{
	struct stksess *ts = t->lru_tail, *prev;

	if (!t->expire)
		return;
	for (; ts && ts->expire && ts->expire <= now; ts = prev) {
		prev = ts->lprev;
		if (!ts->ref)
			entry_release(t, ts);
	}
}

uint32_t stick_table_used(const struct stktable *t)
{
	table_purge((struct stktable *)t, stk_now());
	return t->used;
}

/* Grows the bucket array to twice its size. Returns 0 or -1 (then the
 * table keeps its longer chains). */
static int table_grow(struct stktable *t)
{
	uint32_t n = t->nb_buckets ? t->nb_buckets * 2 : 64;
	struct stksess **b = calloc(n, sizeof(*b));

	if (!b)
		return -1;
	for (uint32_t i = 0; i < t->nb_buckets; i++) {
		struct stksess *ts = t->buckets[i], *next;
		for (; ts; ts = next) {
			next = ts->hnext;
			ts->hnext = b[ts->hash & (n - 1)];
			b[ts->hash & (n - 1)] = ts;
		}
	}
	free(t->buckets);
	t->buckets = b;
	t->nb_buckets = n;
	return 0;
}

static struct stksess *entry_alloc(struct stktable *t)
{
	struct stksess *ts = t->free_list;

	if (!ts) {
		void **chunks = realloc(t->chunks, (t->nb_chunks + 1) * sizeof(*chunks));
		unsigned char *mem;

		if (!chunks)
			return NULL;
		t->chunks = chunks;
		if (!(mem = malloc((size_t)t->entry_size * STK_CHUNK)))
			return NULL;
		chunks[t->nb_chunks++] = mem;
		for (int i = STK_CHUNK - 1; i >= 0; i--) {
			struct stksess *e = (struct stksess *)(mem + (size_t)i * t->entry_size);
			e->hnext = t->free_list;
			t->free_list = e;
		}
		ts = t->free_list;
	}
	t->free_list = ts->hnext;
	return ts;
}

/* Converts <smp> into the table's key bytes in <buf> (t->key_size bytes).
 * Returns the key length, or -1 when it cannot be converted. */
static int key_from_smp(const struct stktable *t, const struct sample *smp, unsigned char *buf)
{
	struct sample s = *smp;

	switch (t->type) {
	case STK_KEY_IP:
		if (s.type == SMP_T_IPV6) {
			/* an IPv4-mapped address is usable, as HAProxy's ipv6 to ip cast */
			static const unsigned char v4map[12] = { 0,0,0,0,0,0,0,0,0,0,0xff,0xff };
			if (memcmp(s.u.ipv6.s6_addr, v4map, 12))
				return -1;
			memcpy(buf, s.u.ipv6.s6_addr + 12, 4);
			return 4;
		}
		if (!sample_cast(&s, SMP_T_IPV4))
			return -1;
		memcpy(buf, &s.u.ipv4, 4);
		return 4;
	case STK_KEY_IPV6:
		if (s.type == SMP_T_IPV4) {
			memset(buf, 0, 10);
			buf[10] = buf[11] = 0xff;
			memcpy(buf + 12, &s.u.ipv4, 4);
			return 16;
		}
		if (!sample_cast(&s, SMP_T_IPV6))
			return -1;
		memcpy(buf, &s.u.ipv6, 16);
		return 16;
	case STK_KEY_INT: {
		uint32_t v;
		if (!sample_cast(&s, SMP_T_SINT))
			return -1;
		v = (uint32_t)s.u.sint;
		memcpy(buf, &v, 4);
		return 4;
	}
	case STK_KEY_STR:
	case STK_KEY_BIN: {
		size_t n;
		if (s.type != SMP_T_STR && s.type != SMP_T_BIN && s.type != SMP_T_METH &&
		    !sample_cast(&s, t->type == STK_KEY_STR ? SMP_T_STR : SMP_T_BIN))
			return -1;
		n = s.u.str.len;
		if (t->type == STK_KEY_STR) {
			/* a string key stops at its first NUL and at "len" */
			const char *z = memchr(s.u.str.ptr, 0, n);
			if (z)
				n = z - s.u.str.ptr;
			if (n > t->key_size - 1)
				n = t->key_size - 1;
		} else {
			if (n > t->key_size)
				n = t->key_size;
		}
		memcpy(buf, s.u.str.ptr, n);
		if (t->type == STK_KEY_BIN) {
			/* binary keys are zero-padded to "len" */
			memset(buf + n, 0, t->key_size - n);
			n = t->key_size;
		}
		return (int)n;
	}
	}
	return -1;
}

static struct stksess *find(struct stktable *t, const unsigned char *k, uint32_t klen, uint32_t h)
{
	if (!t->nb_buckets)
		return NULL;
	for (struct stksess *ts = t->buckets[h & (t->nb_buckets - 1)]; ts; ts = ts->hnext)
		if (ts->hash == h && ts->klen == klen && !memcmp(ts_key(ts), k, klen))
			return ts;
	return NULL;
}

struct stksess *stick_lookup(struct stktable *t, const struct sample *key)
{
	unsigned char *kbuf;
	int klen;

	if (!t || !(kbuf = t->kbuf) || (klen = key_from_smp(t, key, kbuf)) < 0)
		return NULL;
	table_purge(t, stk_now());
	return find(t, kbuf, (uint32_t)klen, hash_bytes(kbuf, (size_t)klen));
}

struct stksess *stick_get(struct stktable *t, const struct sample *key)
{
	unsigned char *kbuf;
	struct stksess *ts;
	uint64_t now = stk_now();
	uint32_t h;
	int klen;

	if (!t || !(kbuf = t->kbuf) || (klen = key_from_smp(t, key, kbuf)) < 0)
		return NULL;
	table_purge(t, now);
	h = hash_bytes(kbuf, (size_t)klen);
	if ((ts = find(t, kbuf, (uint32_t)klen, h)))
		return ts;
	if (t->used >= t->size) {
		/* full: evict the least recently used entry nobody holds */
		struct stksess *old = t->lru_tail;
		if (t->nopurge)
			return NULL;
		while (old && old->ref)
			old = old->lprev;
		if (!old)
			return NULL;
		entry_release(t, old);
	}
	if (t->used >= t->nb_buckets && table_grow(t) < 0 && !t->nb_buckets)
		return NULL;
	if (!(ts = entry_alloc(t)))
		return NULL;
	ts->t = t;
	ts->hash = h;
	ts->ref = 0;
	ts->klen = (uint32_t)klen;
	memset(ts->mem, 0, t->key_size + t->data_size);
	memcpy(ts_key(ts), kbuf, (size_t)klen);
	ts->expire = t->expire ? now + t->expire : 0;
	ts->hnext = t->buckets[h & (t->nb_buckets - 1)];
	t->buckets[h & (t->nb_buckets - 1)] = ts;
	lru_push_head(t, ts);
	t->used++;
	return ts;
}

void stick_ref(struct stksess *ts)
{
	ts->ref++;
}

void stick_unref(struct stksess *ts)
{
	if (ts->ref)
		ts->ref--;
}

uint32_t stick_refs(const struct stksess *ts)
{
	return ts->ref;
}

int stick_entry_key(const struct stksess *ts, struct sample *smp, char *buf, size_t len)
{
	const unsigned char *k = ts_key(ts);

	memset(smp, 0, sizeof(*smp));
	switch (ts->t->type) {
	case STK_KEY_IP:
		smp->type = SMP_T_IPV4;
		memcpy(&smp->u.ipv4, k, 4);
		return 1;
	case STK_KEY_IPV6:
		smp->type = SMP_T_IPV6;
		memcpy(&smp->u.ipv6, k, 16);
		return 1;
	case STK_KEY_INT: {
		int32_t v;
		memcpy(&v, k, 4);
		smp->type = SMP_T_SINT;
		smp->u.sint = v;
		return 1;
	}
	case STK_KEY_STR:
	case STK_KEY_BIN:
		if (ts->klen > len)
			return 0;
		memcpy(buf, k, ts->klen);
		smp->type = ts->t->type == STK_KEY_STR ? SMP_T_STR : SMP_T_BIN;
		smp->u.str.ptr = buf;
		smp->u.str.len = ts->klen;
		smp->u.str.size = len;
		return 1;
	}
	return 0;
}

void stick_touch(struct stksess *ts)
{
	struct stktable *t = ts->t;

	ts->expire = t->expire ? stk_now() + t->expire : 0;
	if (t->lru_head != ts) {
		lru_unlink(t, ts);
		lru_push_head(t, ts);
	}
}

int stick_remove(struct stksess *ts)
{
	if (ts->ref)
		return 0;
	entry_release(ts->t, ts);
	return 1;
}

int64_t stick_read(const struct stksess *ts, enum stk_dt dt)
{
	return stick_read_at(ts, dt, 0);
}

int64_t stick_read_at(const struct stksess *ts, enum stk_dt dt, unsigned idx)
{
	const struct stktable *t = ts->t;
	const unsigned char *p;

	if (!locate(t, dt, idx, &dt, &idx))
		return -1;
	p = ts_data_at(ts, dt, idx);
	switch (dt_descs[dt].kind) {
	case DK_UINT: {
		uint32_t v;
		memcpy(&v, p, sizeof(v));
		return v;
	}
	case DK_ULL: {
		uint64_t v;
		memcpy(&v, p, sizeof(v));
		return (int64_t)v;
	}
	case DK_FRQP: {
		struct freq_ctr f;
		memcpy(&f, p, sizeof(f));
		return freq_ctr_read(&f, t->data_arg[dt], (uint32_t)stk_now());
	}
	default:
		return -1;
	}
}

void stick_add(struct stksess *ts, enum stk_dt dt, uint32_t inc)
{
	stick_add_at(ts, dt, 0, inc);
}

void stick_add_at(struct stksess *ts, enum stk_dt dt, unsigned idx, uint32_t inc)
{
	struct stktable *t = ts->t;
	unsigned char *p;

	if (!locate(t, dt, idx, &dt, &idx))
		return;
	p = ts_data_at(ts, dt, idx);
	switch (dt_descs[dt].kind) {
	case DK_UINT: {
		uint32_t v;
		memcpy(&v, p, sizeof(v));
		v += inc;
		memcpy(p, &v, sizeof(v));
		break;
	}
	case DK_ULL: {
		uint64_t v;
		memcpy(&v, p, sizeof(v));
		v += inc;
		memcpy(p, &v, sizeof(v));
		break;
	}
	case DK_FRQP: {
		struct freq_ctr f;
		memcpy(&f, p, sizeof(f));
		freq_ctr_add(&f, t->data_arg[dt], (uint32_t)stk_now(), inc);
		memcpy(p, &f, sizeof(f));
		break;
	}
	default:
		break;
	}
}

int stick_set(struct stksess *ts, enum stk_dt dt, int64_t v)
{
	return stick_set_at(ts, dt, 0, v);
}

int stick_set_at(struct stksess *ts, enum stk_dt dt, unsigned idx, int64_t v)
{
	struct stktable *t = ts->t;
	unsigned char *p;

	if (!locate(t, dt, idx, &dt, &idx))
		return -1;
	p = ts_data_at(ts, dt, idx);
	switch (dt_descs[dt].kind) {
	case DK_UINT: {
		uint32_t u = (uint32_t)v;
		memcpy(p, &u, sizeof(u));
		break;
	}
	case DK_ULL: {
		uint64_t u = (uint64_t)v;
		memcpy(p, &u, sizeof(u));
		break;
	}
	case DK_FRQP: {
		struct freq_ctr f = { 0, 0, 0 };
		freq_ctr_add(&f, t->data_arg[dt], (uint32_t)stk_now(), (uint32_t)v);
		memcpy(p, &f, sizeof(f));
		break;
	}
	default:
		return -1;
	}
	return 0;
}

void stick_foreach(struct stktable *t, void (*cb)(struct stksess *ts, void *arg), void *arg)
{
	struct stksess *ts, *next;

	table_purge(t, stk_now());
	for (ts = t->lru_head; ts; ts = next) {
		next = ts->lnext;
		cb(ts, arg);
	}
}

static const char *const key_type_names[] = { "ip", "ipv6", "integer", "string", "binary" };

int stick_key_cmp(const struct stksess *a, const struct stksess *b)
{
	uint32_t n = a->klen < b->klen ? a->klen : b->klen;
	int r = memcmp(ts_key(a), ts_key(b), n);

	if (r)
		return r;
	return a->klen < b->klen ? -1 : a->klen > b->klen;
}

size_t stick_key_str(const struct stksess *ts, char *buf, size_t len)
{
	const unsigned char *k = ts_key(ts);
	size_t n = 0;

	if (!len)
		return 0;
	buf[0] = 0;
	switch (ts->t->type) {
	case STK_KEY_IP:
		inet_ntop(AF_INET, k, buf, (socklen_t)len);
		return strlen(buf);
	case STK_KEY_IPV6:
		inet_ntop(AF_INET6, k, buf, (socklen_t)len);
		return strlen(buf);
	case STK_KEY_INT: {
		uint32_t v;
		memcpy(&v, k, sizeof(v));
		return (size_t)snprintf(buf, len, "%u", v);
	}
	case STK_KEY_STR:
		/* printable bytes as they are, others escaped as HAProxy's dump_text() */
		for (uint32_t i = 0; i < ts->klen && n + 5 < len; i++) {
			unsigned char ch = k[i];
			if (ch >= 0x20 && ch < 0x7f && ch != '\\' && ch != ' ' && ch != '=')
				buf[n++] = (char)ch;
			else if (ch == '\t' || ch == '\n' || ch == '\r' || ch == '\\' || ch == ' ' || ch == '=') {
				buf[n++] = '\\';
				buf[n++] = ch == '\t' ? 't' : ch == '\n' ? 'n' : ch == '\r' ? 'r' : (char)ch;
			} else
				n += (size_t)snprintf(buf + n, len - n, "\\x%02X", ch);
		}
		buf[n] = 0;
		return n;
	case STK_KEY_BIN:
		for (uint32_t i = 0; i < ts->klen && n + 3 < len; i++)
			n += (size_t)snprintf(buf + n, len - n, "%02X", k[i]);
		buf[n] = 0;
		return n;
	}
	return 0;
}

int64_t stick_entry_expire_ms(const struct stksess *ts)
{
	uint64_t now = stk_now();

	if (!ts->t->expire || !ts->expire)
		return -1;
	return ts->expire > now ? (int64_t)(ts->expire - now) : 0;
}

int64_t stick_entry_idle_ms(const struct stksess *ts)
{
	int64_t left = stick_entry_expire_ms(ts);

	return left < 0 ? -1 : (int64_t)ts->t->expire - left;
}

void stick_dump_entry(struct cli_out *o, const struct stksess *ts)
{
	const struct stktable *t = ts->t;
	char key[2100];
	int64_t exp = stick_entry_expire_ms(ts);

	stick_key_str(ts, key, sizeof(key));
	if (exp < 0)
		exp = 0;
	cli_out_printf(o, "%p: key=%s use=%u exp=%lld", (const void *)ts, key, ts->ref, (long long)exp);
	for (int dt = 0; dt < STK_DT_NB; dt++) {
		if (t->data_off[dt] < 0)
			continue;
		if (dt_is_array(dt)) {
			/* one field per element: gpt0 gpt1..., gpc0_rate(p)... */
			for (unsigned i = 0; i < t->data_nb[dt]; i++) {
				if (dt == STK_DT_GPC_RATE)
					cli_out_printf(o, " gpc%u_rate(%u)=%lld", i, t->data_arg[dt],
					               (long long)stick_read_at(ts, dt, i));
				else
					cli_out_printf(o, " %s%u=%lld", dt_descs[dt].name, i,
					               (long long)stick_read_at(ts, dt, i));
			}
			continue;
		}
		if (dt_descs[dt].kind == DK_FRQP)
			cli_out_printf(o, " %s(%u)=%lld", dt_descs[dt].name, t->data_arg[dt],
			               (long long)stick_read(ts, dt));
		else if (dt_descs[dt].kind == DK_STR) {
			const char *name;
			memcpy(&name, ts_data(ts, dt), sizeof(name));
			cli_out_printf(o, " %s=%s", dt_descs[dt].name, name ? name : "-");
		}
		else
			cli_out_printf(o, " %s=%lld", dt_descs[dt].name, (long long)stick_read(ts, dt));
	}
}

int stick_key_parse(const struct stktable *t, const char *s, struct sample *smp, char *buf, size_t len)
{
	memset(smp, 0, sizeof(*smp));
	switch (t->type) {
	case STK_KEY_IP:
		smp->type = SMP_T_IPV4;
		return inet_pton(AF_INET, s, &smp->u.ipv4) == 1;
	case STK_KEY_IPV6:
		smp->type = SMP_T_IPV6;
		return inet_pton(AF_INET6, s, &smp->u.ipv6) == 1;
	case STK_KEY_INT: {
		char *end;
		long long v = strtoll(s, &end, 10);
		if (!*s || *end)
			return 0;
		smp->type = SMP_T_SINT;
		smp->u.sint = v;
		return 1;
	}
	case STK_KEY_STR:
		smp_set_const_str(smp, s, strlen(s));
		return 1;
	case STK_KEY_BIN: {
		/* hexadecimal text */
		size_t n = strlen(s), o = 0;
		if (n % 2)
			return 0;
		for (size_t i = 0; i < n && o < len; i += 2) {
			unsigned v;
			if (sscanf(s + i, "%2x", &v) != 1)
				return 0;
			buf[o++] = (char)v;
		}
		smp->type = SMP_T_BIN;
		smp->u.str.ptr = buf;
		smp->u.str.len = o;
		return 1;
	}
	}
	return 0;
}

void stick_table_free(struct stktable *t)
{
	if (!t)
		return;
	for (uint32_t i = 0; i < t->nb_chunks; i++)
		free(t->chunks[i]);
	free(t->chunks);
	free(t->kbuf);
	free(t->buckets);
	free(t->name);
	free(t);
}

/* ---- configuration ---- */

/* Returns the bytes one element of <dt> takes. */
static size_t dt_size(enum stk_dt dt)
{
	return dt_descs[dt].kind == DK_UINT ? 4 : dt_descs[dt].kind == DK_ULL ? 8 :
	       dt_descs[dt].kind == DK_STR ? sizeof(const char *) : sizeof(struct freq_ctr);
}

/* Reserves room for <dt> in the entries of <t> (configuration time: no
 * entry exists yet). */
static void table_add_dt(struct stktable *t, enum stk_dt dt)
{
	size_t sz;

	if (t->data_off[dt] >= 0)
		return;
	if (!t->data_nb[dt])
		t->data_nb[dt] = 1;
	sz = dt_size(dt) * t->data_nb[dt];
	t->data_size = (t->data_size + 7) & ~7u;
	t->data_off[dt] = (int16_t)t->data_size;
	t->data_size += (uint32_t)sz;
	t->entry_size = (uint32_t)((sizeof(struct stksess) + t->key_size + t->data_size + 7) & ~7u);
}

void stick_table_store_server(struct stktable *t)
{
	table_add_dt(t, STK_DT_SERVER_ID);
	table_add_dt(t, STK_DT_SERVER_KEY);
}

int stick_table_srvkey_addr(const struct stktable *t)
{
	return t->srvkey_addr;
}

void stick_set_server(struct stksess *ts, int id, const char *name)
{
	stick_set(ts, STK_DT_SERVER_ID, id);
	if (stick_table_has(ts->t, STK_DT_SERVER_KEY))
		memcpy(ts_data(ts, STK_DT_SERVER_KEY), &name, sizeof(name));
}

int stick_cfg_peers(struct cfg_ctx *c, char **args, int nargs)
{
	static const char *const ignored[] = { "peer", "server", "bind", "default-server", "default-bind",
	                                       "disabled", "enabled", "enable", "shards", NULL };

	c->err[0] = 0;
	c->err_tight = 0;
	if (!strcmp(args[0], "peers")) {
		if (nargs < 2 || !*args[1])
			return cfg_set_err(c, "'peers' expects <name> as argument.");
		cfg_notice(c, "peers section '%s' accepted, but ringproxy does not synchronise stick tables: its peers are ignored.", args[1]);
		return 0;
	}
	if (!strcmp(args[0], "table"))
		return cfg_set_err(c, "'table' in a 'peers' section is not supported by ringproxy yet: declare the table with 'stick-table' in a backend.");
	for (int i = 0; ignored[i]; i++)
		if (!strcmp(args[0], ignored[i]))
			return 0;
	return cfg_set_err(c, "unknown keyword '%s' in 'peers' section", args[0]);
}

/* Parses the "store" list "a,b(10s),c" into <t>. Returns 0 or -1 with c->err. */
static int parse_store(struct cfg_ctx *c, struct stktable *t, const char *list)
{
	const char *p = list;

	while (*p) {
		const char *e = p, *par;
		size_t n;
		int dt;

		while (*e && *e != ',') {
			if (*e == '(')
				while (*e && *e != ')')
					e++;
			if (*e)
				e++;
		}
		n = (size_t)(e - p);
		par = memchr(p, '(', n);
		dt = stick_dt_lookup(p, par ? (size_t)(par - p) : n);
		if (dt < 0)
			return cfg_set_err(c, "stick-table: unknown store option '%.*s'.", (int)(par ? par - p : (long)n), p);
		if (t->data_off[dt] >= 0)
			cfg_warning(c, "stick-table: ignoring duplicate data type '%s'", dt_descs[dt].name);
		if (dt_is_array(dt)) {
			/* "gpt(<n>)", "gpc(<n>)", "gpc_rate(<n>,<period>)" */
			char arg[32], *end;
			size_t al;
			long nb;

			if (!par || p[n - 1] != ')')
				return cfg_set_err(c, "stick-table: missing argument to store option '%s'.", dt_descs[dt].name);
			al = n - (size_t)(par - p) - 2;
			if (al >= sizeof(arg))
				al = sizeof(arg) - 1;
			memcpy(arg, par + 1, al);
			arg[al] = 0;
			nb = strtol(arg, &end, 10);
			if (end == arg || nb < 1 || nb > 100)
				return cfg_set_err(c, "stick-table: array size is out of allowed range (1-100) for store option '%s'.", dt_descs[dt].name);
			if (dt == STK_DT_GPC_RATE) {
				uint32_t ms;
				if (*end != ',')
					return cfg_set_err(c, "stick-table: missing argument to store option '%s'.", dt_descs[dt].name);
				if (cfg_parse_time(end + 1, &ms) < 0 || !ms)
					return cfg_set_err(c, "stick-table: error when processing store option '%s'.", dt_descs[dt].name);
				t->data_arg[dt] = ms;
			} else if (*end) {
				return cfg_set_err(c, "stick-table: array size is out of allowed range (1-100) for store option '%s'.", dt_descs[dt].name);
			}
			if (t->data_off[dt] < 0)
				t->data_nb[dt] = (uint8_t)nb;
		} else if (dt_descs[dt].kind == DK_FRQP) {
			char arg[32];
			uint32_t ms;
			size_t al;
			if (!par || p[n - 1] != ')')
				return cfg_set_err(c, "stick-table: missing argument to store option '%s'.", dt_descs[dt].name);
			al = n - (size_t)(par - p) - 2;
			if (al >= sizeof(arg))
				al = sizeof(arg) - 1;
			memcpy(arg, par + 1, al);
			arg[al] = 0;
			if (cfg_parse_time(arg, &ms) < 0 || !ms)
				return cfg_set_err(c, "stick-table: error when processing store option '%s'.", dt_descs[dt].name);
			t->data_arg[dt] = ms;
		} else if (par) {
			return cfg_set_err(c, "stick-table: unexpected argument to store option '%s'.", dt_descs[dt].name);
		}
		table_add_dt(t, (enum stk_dt)dt);
		p = *e ? e + 1 : e;
	}
	/* an array replaces its legacy elements: both is refused, as HAProxy */
	if (t->data_off[STK_DT_GPT] >= 0 && t->data_off[STK_DT_GPT0] >= 0)
		return cfg_set_err(c, "stick-table: simultaneous usage of 'gpt' and 'gpt0' in a same table is not permitted as 'gpt' overrides 'gpt0'.");
	if (t->data_off[STK_DT_GPC] >= 0 && (t->data_off[STK_DT_GPC0] >= 0 || t->data_off[STK_DT_GPC1] >= 0))
		return cfg_set_err(c, "stick-table: simultaneous usage of 'gpc' and 'gpc[0/1]' in a same table is not permitted as 'gpc' overrides 'gpc[0/1]'.");
	if (t->data_off[STK_DT_GPC_RATE] >= 0 && (t->data_off[STK_DT_GPC0_RATE] >= 0 || t->data_off[STK_DT_GPC1_RATE] >= 0))
		return cfg_set_err(c, "stick-table: simultaneous usage of 'gpc_rate' and 'gpc[0/1]_rate' in a same table is not permitted as 'gpc_rate' overrides 'gpc[0/1]_rate'.");
	return 0;
}

/* Returns the first character of <s> that does not fit a size (<time> 0:
 * digits then k/m/g) or a time (<time> 1: digits then us/ms/s/m/h/d), as
 * HAProxy points at it, or NULL when <s> is well formed. */
static const char *bad_char(const char *s, int time)
{
	const char *p = s;

	if (!*p)
		return NULL;
	while (*p >= '0' && *p <= '9')
		p++;
	if (p == s)
		return p;
	if (!time) {
		if (*p && strchr("kKmMgG", *p))
			p++;
	} else if (*p == 'u' || (*p == 'm' && p[1] == 's')) {
		p += 2;
		if (p[-1] != 's')
			return p - 1;
	} else if (*p && strchr("smhd", *p)) {
		p++;
	}
	return *p ? p : NULL;
}

int stick_cfg_table(struct cfg_ctx *c, char **args, int nargs)
{
	struct proxy *px = c->px;
	struct stktable *t;
	const char *bad;
	int i;

	if (!px || (px->cap & PX_CAP_DEF))
		return cfg_set_err(c, "'stick-table' is not supported in 'defaults' section.");
	if (px->stktable)
		return cfg_set_err(c, "stick-table name '%s' conflicts with table declared in %s '%s' at %s:%d.",
		                   px->name, (px->cap & PX_CAP_FE) && (px->cap & PX_CAP_BE) ? "proxy" :
		                   (px->cap & PX_CAP_FE) ? "frontend" : "backend", px->name,
		                   px->stktable->file, px->stktable->line);
	if (!(t = calloc(1, sizeof(*t))))
		return cfg_set_err(c, "out of memory.");
	for (int dt = 0; dt < STK_DT_NB; dt++)
		t->data_off[dt] = -1;
	t->px = px;
	t->file = c->file;
	t->line = c->line;
	t->type = (enum stk_key_type)-1;
	t->key_size = 0;
	for (i = 1; i < nargs; i++) {
		const char *a = args[i], *v = i + 1 < nargs ? args[i + 1] : NULL;

		if (!strcmp(a, "type")) {
			int k;
			if (!v)
				goto missing;
			for (k = 0; k < 5; k++)
				if (!strcmp(v, key_type_names[k]))
					break;
			if (k == 5) {
				cfg_set_err(c, "stick-table: unknown type '%s'.", v);
				goto fail;
			}
			t->type = (enum stk_key_type)k;
			t->key_size = k == STK_KEY_IPV6 ? 16 : k >= STK_KEY_STR ? 32 : 4;
			i++;
			if ((k == STK_KEY_STR || k == STK_KEY_BIN) && i + 2 < nargs + 1 && i + 1 < nargs &&
			    !strcmp(args[i + 1], "len")) {
				long long len;
				if (i + 2 >= nargs || cfg_int_arg(c, "len", args[i + 2], 1, 65535, &len) < 0) {
					cfg_set_err(c, "stick-table: invalid len '%s' for type '%s'.",
					            i + 2 < nargs ? args[i + 2] : "", v);
					goto fail;
				}
				t->key_size = (uint32_t)len;
				i += 2;
			}
			if (k == STK_KEY_STR)
				t->key_size++;      /* the trailing NUL HAProxy keeps */
		} else if (!strcmp(a, "size")) {
			uint64_t sz;
			if (!v)
				goto missing;
			if ((bad = bad_char(v, 0)) || cfg_parse_size(v, &sz) < 0 || sz > 0xffffffffu) {
				cfg_set_err(c, "stick-table: unexpected character '%c' in argument of 'size'.", bad ? *bad : *v);
				goto fail;
			}
			t->size = (uint32_t)sz;
			i++;
		} else if (!strcmp(a, "expire")) {
			uint32_t ms;
			if (!v)
				goto missing;
			if ((bad = bad_char(v, 1)) || cfg_parse_time(v, &ms) < 0) {
				cfg_set_err(c, "stick-table: unexpected character '%c' in argument of 'expire'.", bad ? *bad : *v);
				goto fail;
			}
			t->expire = ms;
			i++;
		} else if (!strcmp(a, "nopurge")) {
			t->nopurge = 1;
		} else if (!strcmp(a, "peers")) {
			if (!v)
				goto missing;
			cfg_notice(c, "stick-table: peers '%s' accepted, but ringproxy does not synchronise tables.", v);
			i++;
		} else if (!strcmp(a, "store")) {
			if (!v) {
				i++;
				continue;       /* HAProxy accepts an empty list */
			}
			if (parse_store(c, t, v) < 0)
				goto fail;
			i++;
		} else if (!strcmp(a, "srvkey")) {
			/* what server_key records: the server's name or its address */
			if (!v)
				goto missing;
			if (strcmp(v, "name") && strcmp(v, "addr")) {
				cfg_set_err(c, "stick-table: unknown srvkey '%s'.", v);
				goto fail;
			}
			t->srvkey_addr = !strcmp(v, "addr");
			i++;
		} else {
			cfg_set_err(c, "stick-table: unknown argument '%s'.", a);
			goto fail;
		}
	}
	if ((int)t->type < 0) {
		cfg_set_err(c, "stick-table: missing type.");
		goto fail;
	}
	if (!t->size) {
		cfg_set_err(c, "stick-table: missing size.");
		goto fail;
	}
	if (!(t->name = strdup(px->name ? px->name : ""))) {
		cfg_set_err(c, "out of memory.");
		goto fail;
	}
	t->entry_size = (uint32_t)((sizeof(struct stksess) + t->key_size + t->data_size + 7) & ~7u);
	if (!(t->kbuf = malloc(t->key_size))) {
		cfg_set_err(c, "out of memory.");
		goto fail;
	}
	px->stktable = t;
	return 0;
missing:
	cfg_set_err(c, "stick-table: missing argument after '%s'.", args[i]);
fail:
	stick_table_free(t);
	return -1;
}
