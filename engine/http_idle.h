/* http_idle.h: the idle server connections of mode http, per thread and
 * per server ("http-reuse", "pool-max-conn", "pool-purge-delay"). A
 * transaction that ends with a reusable server connection parks it here;
 * a later request to the same server, from this client or another one as
 * "http-reuse" allows, takes it back instead of connecting.
 *
 * A parked connection belongs to the pool: it receives into a per-thread
 * drain channel and any event on it (the server closes or resets it, sends
 * unexpected bytes) closes it. It is closed too once idle for its server's
 * pool-purge-delay. Nothing here is shared between threads. */
#ifndef RP_HTTP_IDLE_H
#define RP_HTTP_IDLE_H

#include <stdint.h>

struct thr;
struct conn;
struct server;
struct chan;

/* Parks <c> (established, nothing in flight, its owner detached by the
 * caller) in <srv>'s pool of thread <t>; <uses> is the number of
 * transactions it served. Returns 0 (the pool owns <c>), -ENOSPC when the
 * pool is full or -ENOMEM: then <c> is still the caller's to close. */
int http_idle_put(struct thr *t, struct server *srv, struct conn *c, uint32_t uses);
/* Returns a parked connection to <srv>, the most recently parked first:
 * with <safe_only>, only one that served more than one transaction (proven
 * reusable, HAProxy's "safe" list). *<uses> is set to the transactions it
 * served. The connection is the caller's, with no owner, no event handler
 * and no channels: the caller sets them. NULL when none fits. */
struct conn *http_idle_get(struct thr *t, struct server *srv, int safe_only, uint32_t *uses);
/* Returns how many connections <srv> has parked on <t>. */
uint32_t http_idle_count(const struct thr *t, const struct server *srv);
/* Returns the thread's drain channel: what a parked connection receives
 * goes there (stream_http.c parks a client's private connection on it too).
 * An event handler of such a connection calls http_idle_drain_reset(). */
struct chan *http_idle_drain(struct thr *t);
void http_idle_drain_reset(void);
/* Closes every parked connection of <t> and frees the pool (stop). */
void http_idle_close_all(struct thr *t);

#endif
