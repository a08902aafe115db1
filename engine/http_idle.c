/* http_idle.c: the idle server connections of mode http (http_idle.h).
 * Per thread: a table from server to its two lists of parked connections
 * (those that served one transaction, and the "safe" ones that served
 * more), most recently parked first; entries come from a free list; one
 * drain channel receives whatever a parked connection gets; one timer
 * closes the connections idle for longer than their server's
 * pool-purge-delay. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "engine/http_idle.h"
#include "engine/conn.h"
#include "engine/chan.h"
#include "engine/proxy.h"
#include "engine/thread.h"
#include "engine/timer.h"

#define IDLE_PURGE_TICK 1000     /* ms between two purge passes */

struct idle_srv;

/* One parked connection. Invariant: <c>->owner == this entry and
 * <c>->event == idle_event while it is in a list. */
struct idle_ent {
	struct conn *c;
	struct idle_srv *h;
	struct idle_ent *prev, *next;   /* h->first[l] list, most recent first */
	uint64_t since;                 /* now_ms when parked */
	uint32_t uses;                  /* transactions served */
	uint8_t l;                      /* which list: 0 idle, 1 safe (uses > 1) */
};

struct idle_srv {
	struct server *srv;
	struct idle_ent *first[2], *last[2];
	uint32_t count;
};

/* Invariant: <tab> has <cap> slots (a power of two, or 0), <used> of them
 * set, at most half full; a server's slot is found by linear probing from
 * its pointer's hash. */
struct idle_pool {
	struct thr *t;
	struct idle_srv **tab;
	uint32_t cap, used;
	uint32_t total;                 /* connections parked, all servers */
	struct idle_ent *free_ents;
	struct chan drain;
	struct timer purge;
	int ready;
};

static __thread struct idle_pool ip;

static uint32_t ptr_hash(const void *p)
{
	uint64_t x = (uint64_t)(uintptr_t)p;

	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return (uint32_t)x;
}

/* Returns the slot of <srv> in the table: its entry, or the empty slot
 * where it goes. The table must have a free slot. */
static struct idle_srv **tab_slot(const struct server *srv)
{
	uint32_t i = ptr_hash(srv) & (ip.cap - 1);

	while (ip.tab[i] && ip.tab[i]->srv != srv)
		i = (i + 1) & (ip.cap - 1);
	return &ip.tab[i];
}

static struct idle_srv *srv_find(const struct server *srv)
{
	return ip.cap ? *tab_slot(srv) : NULL;
}

/* Returns <srv>'s lists, created on first use (a malloc per server and
 * thread, once), or NULL when out of memory. */
static struct idle_srv *srv_get(struct server *srv)
{
	struct idle_srv **slot, *h;

	if ((h = srv_find(srv)))
		return h;
	if ((ip.used + 1) * 2 > ip.cap) {
		uint32_t ncap = ip.cap ? ip.cap * 2 : 16, ocap = ip.cap;
		struct idle_srv **otab = ip.tab, **ntab = calloc(ncap, sizeof(*ntab));

		if (!ntab)
			return NULL;
		ip.tab = ntab;
		ip.cap = ncap;
		for (uint32_t i = 0; i < ocap; i++)
			if (otab[i])
				*tab_slot(otab[i]->srv) = otab[i];
		free(otab);
	}
	if (!(h = calloc(1, sizeof(*h))))
		return NULL;
	h->srv = srv;
	slot = tab_slot(srv);
	*slot = h;
	ip.used++;
	return h;
}

static void ent_unlink(struct idle_ent *e)
{
	struct idle_srv *h = e->h;

	if (e->prev)
		e->prev->next = e->next;
	else
		h->first[e->l] = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		h->last[e->l] = e->prev;
	h->count--;
	ip.total--;
	e->next = ip.free_ents;
	ip.free_ents = e;
}

static void purge_cb(struct timer *tm);

static void ip_init(struct thr *t)
{
	if (ip.ready)
		return;
	ip.t = t;
	chan_init(&ip.drain, &t->pool, t->bufsize);
	timer_init(&ip.purge, purge_cb);
	ip.ready = 1;
}

/* What a parked connection received is of no use: empty the drain. */
static void drain_reset(void)
{
	if (!ip.ready)
		return;
	chan_reset(&ip.drain);
	ip.drain.flags = 0;
}

struct chan *http_idle_drain(struct thr *t)
{
	ip_init(t);
	return &ip.drain;
}

void http_idle_drain_reset(void)
{
	drain_reset();
}

/* Any event on a parked connection (close, reset, bytes nobody asked
 * for): it is no longer reusable. */
static void idle_event(struct conn *c, unsigned ev)
{
	struct idle_ent *e = c->owner;

	(void)ev;
	ent_unlink(e);
	conn_close(c);
	drain_reset();
}

static void purge_cb(struct timer *tm)
{
	uint64_t now = ip.t->now_ms;

	(void)tm;
	for (uint32_t i = 0; i < ip.cap; i++) {
		struct idle_srv *h = ip.tab[i];

		if (!h || !h->count)
			continue;
		for (int l = 0; l < 2; l++) {
			struct idle_ent *e;

			while ((e = h->last[l]) && e->since + h->srv->pool_purge_delay <= now) {
				struct conn *c = e->c;

				ent_unlink(e);
				conn_close(c);
			}
		}
	}
	if (ip.total)
		timer_arm(&ip.t->timers, &ip.purge, now + IDLE_PURGE_TICK);
}

int http_idle_put(struct thr *t, struct server *srv, struct conn *c, uint32_t uses)
{
	struct idle_srv *h;
	struct idle_ent *e;
	uint8_t l = uses > 1;

	ip_init(t);
	/* as HAProxy's tune.pool-high-fd-ratio (25 %): idle connections take
	 * at most a quarter of what maxconn allows */
	if (ip.total >= (t->cfg && t->cfg->g.maxconn > 4 ? (uint32_t)t->cfg->g.maxconn / 4 : 1))
		return -ENOSPC;
	if (srv->pool_max_conn >= 0 && srv_find(srv) &&
	    srv_find(srv)->count >= (uint32_t)srv->pool_max_conn)
		return -ENOSPC;
	if (srv->pool_max_conn == 0)
		return -ENOSPC;
	if (!(h = srv_get(srv)))
		return -ENOMEM;
	if ((e = ip.free_ents))
		ip.free_ents = e->next;
	else if (!(e = malloc(sizeof(*e))))
		return -ENOMEM;
	e->c = c;
	e->h = h;
	e->since = t->now_ms;
	e->uses = uses;
	e->l = l;
	e->prev = NULL;
	e->next = h->first[l];
	if (e->next)
		e->next->prev = e;
	else
		h->last[l] = e;
	h->first[l] = e;
	h->count++;
	ip.total++;
	c->owner = e;
	c->event = idle_event;
	c->rx = &ip.drain;
	c->tx = NULL;
	conn_recv_start(c);
	if (!timer_is_armed(&ip.purge))
		timer_arm(&t->timers, &ip.purge, t->now_ms + IDLE_PURGE_TICK);
	return 0;
}

struct conn *http_idle_get(struct thr *t, struct server *srv, int safe_only, uint32_t *uses)
{
	struct idle_srv *h = srv_find(srv);
	struct idle_ent *e = NULL;
	struct conn *c;

	(void)t;
	if (!h || !h->count)
		return NULL;
	if (!(e = h->first[1]) && !safe_only)
		e = h->first[0];
	if (!e)
		return NULL;
	c = e->c;
	*uses = e->uses;
	ent_unlink(e);
	c->owner = NULL;
	c->event = NULL;
	c->rx = c->tx = NULL;
	return c;
}

uint32_t http_idle_count(const struct thr *t, const struct server *srv)
{
	const struct idle_srv *h = srv_find(srv);

	(void)t;
	return h ? h->count : 0;
}

void http_idle_close_all(struct thr *t)
{
	struct idle_ent *e;

	if (!ip.ready || ip.t != t)
		return;
	for (uint32_t i = 0; i < ip.cap; i++) {
		struct idle_srv *h = ip.tab[i];

		if (!h)
			continue;
		for (int l = 0; l < 2; l++) {
			while ((e = h->first[l])) {
				struct conn *c = e->c;

				ent_unlink(e);
				conn_close(c);
			}
		}
		free(h);
	}
	free(ip.tab);
	ip.tab = NULL;
	ip.cap = ip.used = 0;
	while ((e = ip.free_ents)) {
		ip.free_ents = e->next;
		free(e);
	}
	timer_cancel(&t->timers, &ip.purge);
	drain_reset();
	ip.ready = 0;
}
