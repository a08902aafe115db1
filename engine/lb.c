/* lb.c: server selection for a backend. Keeps, per backend, the servers in
 * id order, the smooth weighted round-robin counters, the hash map (each
 * usable server repeated <weight>/gcd times, laid out as HAProxy does) used
 * by the hashing algorithms, and the random generator of "random". Picking allocates
 * nothing; the tables are rebuilt only when a server changes state or
 * weight. The state is per backend and changed by picks: with more than
 * one thread it will have to become per thread. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/lb.h"
#include "engine/thread.h"
#include "engine/timer.h"
#include "engine/stream.h"

struct lb_state {
	int nsrv;
	struct server **srv;        /* by id (config order unless "id" was given) */
	int32_t *cw;                /* smooth round robin: current weight per server */
	int next;                   /* leastconn / fallback rotation start */
	struct server **map;        /* hash map, <map_len> used of <map_size> */
	int map_len, map_size;
	uint64_t rnd;               /* xorshift state for "random" */
	struct lb_point *ring;      /* "hash-type consistent": points sorted by key */
	int ring_len, ring_size;
};

/* One point of the consistent-hashing ring. */
struct lb_point {
	uint32_t key;
	struct server *srv;
};

/* Points per unit of weight on the consistent ring: enough for an even
 * spread; fewer for very large backends so the ring stays under ~1M points
 * (16 MB). */
#define LB_POINTS_PER_WEIGHT 64
#define LB_RING_MAX_POINTS   (1 << 20)

static uint32_t lb_mix(uint32_t h);

/* Returns the weight <srv> counts with under the backend's algorithm: the
 * configured one for static-rr, the runtime one otherwise. */
/* Returns 1 if <be>'s algorithm is static (static-rr, map-based hashing):
 * it keeps the configured weights, a runtime weight only switches a
 * server off (0) or on. */
static int lb_is_static(const struct proxy *be)
{
	return be->lb == LB_STATIC_RR ||
	       (!be->hash_consistent && (be->lb == LB_SOURCE || be->lb == LB_URI || be->lb == LB_HDR));
}

static int lb_weight(const struct proxy *be, const struct server *srv)
{
	if (lb_is_static(be))
		return srv->cur_weight > 0 ? srv->weight : 0;
	return srv->cur_weight;
}

int lb_srv_has_slot(const struct server *srv)
{
	if (!server_is_usable(srv))
		return 0;
	return srv->maxconn <= 0 || srv->cur_conn < (uint32_t)srv->maxconn;
}

/* Returns 1 if some active (non-backup) server of <be> is usable, so that
 * backup servers must not be used, else 0. */
static int lb_any_active(const struct lb_state *st, const struct proxy *be)
{
	for (int i = 0; i < st->nsrv; i++)
		if (!st->srv[i]->backup && server_is_usable(st->srv[i]) && lb_weight(be, st->srv[i]) > 0)
			return 1;
	return 0;
}

/* Returns 1 if <srv> belongs to the set selected now: the active servers,
 * or when none is usable the backups (all of them with "option
 * allbackups", else only the first usable one, <first_bk>). */
static int lb_in_set(const struct server *srv, int use_backup, const struct server *first_bk)
{
	if (!use_backup)
		return !srv->backup;
	if (!srv->backup)
		return 0;
	return !first_bk || srv == first_bk;
}

/* Returns the first usable backup server of <be> unless option allbackups
 * is set (then NULL: every backup is in the set). */
static const struct server *lb_first_backup(const struct lb_state *st, const struct proxy *be)
{
	if (be->options & PXO_ALLBACKUPS)
		return NULL;
	for (int i = 0; i < st->nsrv; i++)
		if (st->srv[i]->backup && server_is_usable(st->srv[i]) && lb_weight(be, st->srv[i]) > 0)
			return st->srv[i];
	return NULL;
}

/* Rebuilds the hash map of <be> as HAProxy's map-based hashing lays it
 * out, so that a hash selects the same server as HAProxy 2.6: weights are
 * divided by their greatest common divisor, and each slot goes to the
 * first server (in id order) with the highest (score + total) / total,
 * score growing by the server's weight each slot and shrinking by the
 * total when it is chosen. Returns 0 or -ENOMEM (old map kept). */
static int lb_build_map(struct lb_state *st, struct proxy *be)
{
	int use_backup = !lb_any_active(st, be);
	const struct server *fb = use_backup ? lb_first_backup(st, be) : NULL;
	int total = 0, gcd = 0;

	/* HAProxy factors the configured weights of every server */
	for (int i = 0; i < st->nsrv; i++) {
		int w = st->srv[i]->weight;

		while (w > 0) {
			int t = gcd % w;
			gcd = w;
			w = t;
		}
	}
	if (gcd <= 0)
		gcd = 1;
	for (int i = 0; i < st->nsrv; i++) {
		struct server *s = st->srv[i];
		st->cw[i] = 0;
		if (server_is_usable(s) && lb_in_set(s, use_backup, fb))
			total += (lb_weight(be, s) + gcd - 1) / gcd;
	}
	if (total > st->map_size) {
		struct server **m = realloc(st->map, (size_t)total * sizeof(*m));
		if (!m)
			return -ENOMEM;
		st->map = m;
		st->map_size = total;
	}
	for (int n = 0; n < total; n++) {
		int best = -1, max = 0;
		for (int i = 0; i < st->nsrv; i++) {
			struct server *s = st->srv[i];
			int v;
			if (!server_is_usable(s) || !lb_in_set(s, use_backup, fb))
				continue;
			if (total == 1) {
				best = i;
				break;
			}
			st->cw[i] += (lb_weight(be, s) + gcd - 1) / gcd;
			v = (st->cw[i] + total) / total;
			if (best < 0 || v > max) {
				max = v;
				best = i;
			}
		}
		st->cw[best] -= total;
		st->map[n] = st->srv[best];
	}
	st->map_len = total;
	for (int i = 0; i < st->nsrv; i++)
		st->cw[i] = 0;
	return 0;
}

static int lb_is_hashing(const struct proxy *be)
{
	return be->lb == LB_SOURCE || be->lb == LB_URI || be->lb == LB_HDR;
}

static int lb_cmp_point(const void *a, const void *b)
{
	const struct lb_point *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return (x->srv->id > y->srv->id) - (x->srv->id < y->srv->id);
}

/* Rebuilds the consistent-hashing ring of <be>: LB_POINTS_PER_WEIGHT points
 * per unit of weight for each server of the current set, at positions that
 * depend only on the server's id and the point number, so that a server
 * going away moves only its own keys. Returns 0 or -ENOMEM (old ring kept). */
static int lb_build_ring(struct lb_state *st, struct proxy *be)
{
	int use_backup = !lb_any_active(st, be);
	const struct server *fb = use_backup ? lb_first_backup(st, be) : NULL;
	int total = 0, n = 0, ppw = LB_POINTS_PER_WEIGHT;
	long weights = 0;

	for (int i = 0; i < st->nsrv; i++)
		if (server_is_usable(st->srv[i]) && lb_in_set(st->srv[i], use_backup, fb))
			weights += lb_weight(be, st->srv[i]);
	if (weights * ppw > LB_RING_MAX_POINTS)
		ppw = (int)(LB_RING_MAX_POINTS / weights) > 4 ? (int)(LB_RING_MAX_POINTS / weights) : 4;
	total = (int)(weights * ppw);
	if (total > st->ring_size) {
		struct lb_point *r = realloc(st->ring, (size_t)total * sizeof(*r));
		if (!r)
			return -ENOMEM;
		st->ring = r;
		st->ring_size = total;
	}
	for (int i = 0; i < st->nsrv; i++) {
		struct server *s = st->srv[i];
		int pts;
		if (!server_is_usable(s) || !lb_in_set(s, use_backup, fb))
			continue;
		pts = lb_weight(be, s) * ppw;
		for (int k = 0; k < pts; k++) {
			st->ring[n].key = lb_mix(lb_mix((uint32_t)s->id * 0x9e3779b1U) ^ (uint32_t)k);
			st->ring[n].srv = s;
			n++;
		}
	}
	qsort(st->ring, (size_t)n, sizeof(*st->ring), lb_cmp_point);
	st->ring_len = n;
	return 0;
}

/* Rebuilds what the algorithm of <be> needs to hash. */
static int lb_build_tables(struct lb_state *st, struct proxy *be)
{
	if (!lb_is_hashing(be))
		return 0;
	return be->hash_consistent ? lb_build_ring(st, be) : lb_build_map(st, be);
}

static int lb_cmp_id(const void *a, const void *b)
{
	const struct server *x = *(struct server *const *)a, *y = *(struct server *const *)b;

	return (x->id > y->id) - (x->id < y->id);
}

int lb_init(struct proxy *be)
{
	struct lb_state *st = be->lb_ctx;
	struct server *s;
	int n = 0;

	for (s = be->srv; s; s = s->next)
		n++;
	if (!st) {
		if (!(st = calloc(1, sizeof(*st))))
			goto fail;
		be->lb_ctx = st;
	}
	if (n != st->nsrv || !st->srv) {
		struct server **sv = calloc(n ? n : 1, sizeof(*sv));
		int32_t *cw = calloc(n ? n : 1, sizeof(*cw));
		if (!sv || !cw) {
			free(sv);
			free(cw);
			goto fail;
		}
		free(st->srv);
		free(st->cw);
		st->srv = sv;
		st->cw = cw;
		st->nsrv = n;
	}
	if (!st->rnd)
		st->rnd = 0x9e3779b97f4a7c15ULL ^ (uint64_t)(uintptr_t)be ^ (uint64_t)time(NULL);
	n = 0;
	for (s = be->srv; s; s = s->next)
		st->srv[n++] = s;
	/* "first" walks servers by id; ids are unique in a backend */
	qsort(st->srv, (size_t)n, sizeof(*st->srv), lb_cmp_id);
	st->next = 0;
	for (int i = 0; i < n; i++)
		st->cw[i] = 0;
	if (lb_build_tables(st, be) < 0)
		goto fail;
	return 0;
fail:
	return -ENOMEM;
}

void lb_free(struct proxy *be)
{
	struct lb_state *st = be->lb_ctx;

	if (!st)
		return;
	free(st->srv);
	free(st->cw);
	free(st->map);
	free(st->ring);
	free(st);
	be->lb_ctx = NULL;
}

/* Smooth weighted round robin over the servers of the current set that
 * have a free slot. Returns the server or NULL. */
static struct server *lb_pick_rr(struct lb_state *st, struct proxy *be, int use_backup,
                                 const struct server *fb)
{
	int best = -1, total = 0;

	for (int i = 0; i < st->nsrv; i++) {
		struct server *s = st->srv[i];
		int w;
		if (!lb_in_set(s, use_backup, fb) || !lb_srv_has_slot(s))
			continue;
		w = lb_weight(be, s);
		if (w <= 0)
			continue;
		st->cw[i] += w;
		total += w;
		if (best < 0 || st->cw[i] > st->cw[best])
			best = i;
	}
	if (best < 0)
		return NULL;
	st->cw[best] -= total;
	return st->srv[best];
}

/* Least connections relative to weight; ties go round robin from the
 * server after the last one picked. Returns the server or NULL. */
static struct server *lb_pick_lc(struct lb_state *st, struct proxy *be, int use_backup,
                                 const struct server *fb)
{
	int best = -1;

	for (int k = 0; k < st->nsrv; k++) {
		int i = (st->next + k) % st->nsrv;
		struct server *s = st->srv[i], *b;
		if (!lb_in_set(s, use_backup, fb) || !lb_srv_has_slot(s) || lb_weight(be, s) <= 0)
			continue;
		if (best < 0) {
			best = i;
			continue;
		}
		b = st->srv[best];
		/* s better than b iff (s.conn+1)/s.w < (b.conn+1)/b.w */
		if ((uint64_t)(s->cur_conn + 1) * (uint64_t)lb_weight(be, b) <
		    (uint64_t)(b->cur_conn + 1) * (uint64_t)lb_weight(be, s))
			best = i;
	}
	if (best < 0)
		return NULL;
	st->next = (best + 1) % st->nsrv;
	return st->srv[best];
}

/* First server in id order with a free slot. */
static struct server *lb_pick_first(struct lb_state *st, struct proxy *be, int use_backup,
                                    const struct server *fb)
{
	for (int i = 0; i < st->nsrv; i++) {
		struct server *s = st->srv[i];
		if (lb_in_set(s, use_backup, fb) && lb_srv_has_slot(s) && lb_weight(be, s) > 0)
			return s;
	}
	return NULL;
}

static uint64_t lb_rand(struct lb_state *st)
{
	uint64_t x = st->rnd;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return st->rnd = x;
}

/* "random [<draws>]": <draws> servers drawn at random in proportion to
 * their weights among those with a free slot; the least loaded of them
 * (connections relative to weight) wins, as HAProxy's power-of-N choice. */
static struct server *lb_pick_random(struct lb_state *st, struct proxy *be, int use_backup,
                                     const struct server *fb)
{
	uint64_t total = 0;
	struct server *best = NULL;
	int draws = be->lb_arg ? atoi(be->lb_arg) : 2;

	for (int i = 0; i < st->nsrv; i++) {
		struct server *s = st->srv[i];
		if (lb_in_set(s, use_backup, fb) && lb_srv_has_slot(s))
			total += (uint64_t)lb_weight(be, s);
	}
	if (!total)
		return NULL;
	if (draws < 1)
		draws = 1;
	for (int d = 0; d < draws; d++) {
		uint64_t r = lb_rand(st) % total;
		struct server *pick = NULL;
		for (int i = 0; i < st->nsrv && !pick; i++) {
			struct server *s = st->srv[i];
			uint64_t w;
			if (!lb_in_set(s, use_backup, fb) || !lb_srv_has_slot(s))
				continue;
			w = (uint64_t)lb_weight(be, s);
			if (r < w)
				pick = s;
			else
				r -= w;
		}
		if (!best || (uint64_t)(pick->cur_conn + 1) * (uint64_t)lb_weight(be, best) <
		             (uint64_t)(best->cur_conn + 1) * (uint64_t)lb_weight(be, pick))
			best = pick;
	}
	return best;
}

/* Map-based hashing: the server at map[hash % len]; if that one is full,
 * the next entries of the map (so a full server spills over without moving
 * the other keys). Returns the server or NULL. */
static struct server *lb_pick_map(struct lb_state *st, uint32_t hash)
{
	if (!st->map_len)
		return NULL;
	for (int k = 0; k < st->map_len; k++) {
		struct server *s = st->map[(hash + (uint32_t)k) % (uint32_t)st->map_len];
		if (lb_srv_has_slot(s))
			return s;
	}
	return NULL;
}

/* Consistent hashing: the first point at or after <hash> on the ring; if
 * its server is full, the following points. Returns the server or NULL. */
static struct server *lb_pick_ring(struct lb_state *st, uint32_t hash)
{
	int lo = 0, hi = st->ring_len;

	if (!st->ring_len)
		return NULL;
	hash = lb_mix(hash);   /* sdbm and addresses are not uniform enough for a ring */
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		if (st->ring[mid].key < hash)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (int k = 0; k < st->ring_len; k++) {
		struct server *s = st->ring[(lo + k) % st->ring_len].srv;
		if (lb_srv_has_slot(s))
			return s;
	}
	return NULL;
}

static struct server *lb_do_pick(struct proxy *be, uint32_t hash, int have_hash)
{
	struct lb_state *st = be->lb_ctx;
	int use_backup;
	const struct server *fb;

	if (!st || !st->nsrv)
		return NULL;
	use_backup = !lb_any_active(st, be);
	fb = use_backup ? lb_first_backup(st, be) : NULL;

	switch (be->lb) {
	case LB_LEASTCONN:
		return lb_pick_lc(st, be, use_backup, fb);
	case LB_FIRST:
		return lb_pick_first(st, be, use_backup, fb);
	case LB_RANDOM:
		return lb_pick_random(st, be, use_backup, fb);
	case LB_SOURCE:
	case LB_URI:
	case LB_HDR:
		if (have_hash)
			return be->hash_consistent ? lb_pick_ring(st, hash) : lb_pick_map(st, hash);
		return lb_pick_rr(st, be, use_backup, fb);
	case LB_ROUNDROBIN:
	case LB_STATIC_RR:
	default:
		return lb_pick_rr(st, be, use_backup, fb);
	}
}

struct server *lb_pick_hash(struct proxy *be, uint32_t hash)
{
	return lb_do_pick(be, hash, 1);
}

struct server *lb_pick(struct proxy *be, struct stream *strm)
{
	if (be->lb == LB_SOURCE && strm)
		return lb_do_pick(be, lb_hash_addr(&strm->cli_addr), 1);
	return lb_do_pick(be, 0, 0);
}

/* 32-bit avalanche (Thomas Wang / murmur finaliser style mix) so that
 * neighbouring addresses spread over the map. */
static uint32_t lb_mix(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x7feb352dU;
	h ^= h >> 15;
	h *= 0x846ca68bU;
	h ^= h >> 16;
	return h;
}

/* HAProxy's default hash function (sdbm, no avalanche), so "balance uri"
 * and "balance hdr" pick the server HAProxy picks for the same key. */
uint32_t lb_hash_key(const char *key, size_t len)
{
	uint32_t h = 0;

	for (size_t i = 0; i < len; i++)
		h = (uint32_t)(signed char)key[i] + (h << 6) + (h << 16) - h;
	return h;
}

/* As HAProxy's "balance source": the XOR of the address's 32-bit words in
 * host order (a v4-mapped v6 address hashes like the v4 one). */
uint32_t lb_hash_addr(const struct addr *a)
{
	switch (a->u.sa.sa_family) {
	case AF_INET:
		return ntohl(a->u.in4.sin_addr.s_addr);
	case AF_INET6: {
		const unsigned char *b = a->u.in6.sin6_addr.s6_addr;
		uint32_t w, h = 0;

		if (IN6_IS_ADDR_V4MAPPED(&a->u.in6.sin6_addr)) {
			memcpy(&w, b + 12, 4);
			return ntohl(w);
		}
		for (int i = 0; i < 16; i += 4) {
			memcpy(&w, b + i, 4);
			h ^= ntohl(w);
		}
		return h;
	}
	default:
		return 0;
	}
}

/* Returns the value of "<opt> N" in <be>'s "balance uri" options, or 0. */
static long lb_uri_opt(const struct proxy *be, const char *opt)
{
	const char *p = be->lb_arg;
	size_t ol = strlen(opt);

	while (p && *p) {
		if (!strncmp(p, opt, ol) && p[ol] == ' ')
			return atol(p + ol + 1);
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	return 0;
}

static int lb_uri_flag(const struct proxy *be, const char *flag)
{
	const char *p = be->lb_arg;
	size_t fl = strlen(flag);

	while (p && *p) {
		if (!strncmp(p, flag, fl) && (p[fl] == ' ' || !p[fl]))
			return 1;
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	return 0;
}

size_t lb_uri_key(const struct proxy *be, const char *uri, size_t len, const char **key)
{
	long maxlen = lb_uri_opt(be, "len"), depth = lb_uri_opt(be, "depth");
	size_t i, n;

	if (lb_uri_flag(be, "path-only") && len && uri[0] != '/') {
		/* absolute URI: skip "scheme://authority" */
		const char *sl = memchr(uri, '/', len);
		if (sl && sl + 1 < uri + len && sl[1] == '/')
			sl = memchr(sl + 2, '/', len - (size_t)(sl + 2 - uri));
		if (!sl)
			sl = uri + len;
		len -= (size_t)(sl - uri);
		uri = sl;
	}
	*key = uri;
	for (i = 0, n = 0; i < len; i++) {
		if (uri[i] == '?' && !lb_uri_flag(be, "whole"))
			break;
		if (maxlen && (long)i >= maxlen)
			break;
		if (uri[i] == '/' && depth && (long)++n > depth)
			break;
	}
	return i;
}

size_t lb_hdr_key(const struct proxy *be, const char *val, size_t len, const char **key)
{
	const char *end = val + len, *p, *dot1 = NULL, *dot2 = NULL;

	*key = val;
	if (!be->lb_hdr_domain_only)
		return len;
	/* drop a ":port" suffix */
	for (p = end; p > val && p[-1] >= '0' && p[-1] <= '9'; p--)
		;
	if (p > val && p < end && p[-1] == ':')
		end = p - 1;
	for (p = end; p > val; p--)
		if (p[-1] == '.') {
			if (!dot1)
				dot1 = p - 1;
			else {
				dot2 = p - 1;
				break;
			}
		}
	if (!dot1)
		return (size_t)(end - val);       /* a single label */
	*key = dot2 ? dot2 + 1 : val;
	return (size_t)(dot1 - *key);
}

void lb_take(struct server *srv)
{
	srv->cur_conn++;
	srv->cum_conn++;
	freq_ctr_add(&srv->sess_rate, 1000, (uint32_t)(thr_cur ? thr_cur->now_ms : timer_now_ms()), 1);
	if (srv->cur_conn > srv->max_conn_seen)
		srv->max_conn_seen = srv->cur_conn;
	/* the backend's be_cur_conn/be_cum_conn count streams, not server
	 * slots (HAProxy's beconn): stream.c keeps them */
}

void lb_release(struct server *srv)
{
	if (srv->cur_conn)
		srv->cur_conn--;
}

int lb_set_weight(struct server *srv, const char *arg, char *err, size_t errlen)
{
	const struct proxy *be = srv->px;
	char *end;
	long w;

	if (!arg || !((*arg >= '0' && *arg <= '9') || *arg == '-')) {
		snprintf(err, errlen, "Require <weight> or <weight%%>.");
		return -1;
	}
	w = strtol(arg, &end, 10);
	if (*end == '%') {
		if (w < 0) {
			snprintf(err, errlen, "Relative weight must be positive.");
			return -1;
		}
		w = (long)srv->weight * w / 100;
		if (w > 256)
			w = 256;
		end++;
	} else if (w < 0 || w > 256) {
		snprintf(err, errlen, "Absolute weight can only be between 0 and 256 inclusive.");
		return -1;
	}
	if (*end) {
		snprintf(err, errlen, "Require <weight> or <weight%%>.");
		return -1;
	}
	if (w && w != srv->weight && be && lb_is_static(be)) {
		snprintf(err, errlen, "Backend is using a static LB algorithm and only accepts weights '0%%' and '100%%'.");
		return -1;
	}
	srv->cur_weight = (int)w;
	lb_server_changed(srv);
	return 0;
}

void lb_server_changed(struct server *srv)
{
	struct proxy *be = srv->px;
	struct lb_state *st;

	if (!be || !(st = be->lb_ctx))
		return;
	/* the set may have switched between active and backup: restart the
	 * round-robin counters and rebuild the map */
	for (int i = 0; i < st->nsrv; i++)
		st->cw[i] = 0;
	lb_build_tables(st, be);
}
