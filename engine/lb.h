/* lb.h: load balancing — picks the server of a backend for a new
 * connection, following the backend's "balance" algorithm: roundrobin
 * (smooth weighted, runtime weights), static-rr, leastconn, source, first,
 * uri and hdr(name) (hash of a key the caller extracts), random (best of
 * N weighted draws). Backup servers are
 * used only when no active server is usable. A server at its maxconn is
 * skipped; when every usable server is full lb_pick() returns NULL and the
 * caller queues or fails the stream. */
#ifndef RP_LB_H
#define RP_LB_H

#include <stddef.h>
#include <stdint.h>
#include "engine/proxy.h"

struct stream;

/* Builds the balancing state of backend <be> (its <lb_ctx>) from its
 * servers. Called once per backend after the configuration is parsed
 * (cfg.c does it), and again by lb_server_changed(). Returns 0 or -ENOMEM. */
int lb_init(struct proxy *be);
/* Frees what lb_init() allocated (safe on a backend never initialised). */
void lb_free(struct proxy *be);

/* Returns the server for a new connection to <be>, or NULL when no server
 * is usable or all usable ones are at their maxconn. <hash> is the key for
 * the hashing algorithms (source, uri, hdr: see lb_hash_*); ignored by the
 * others. Does not count the connection: call lb_take() when connecting. */
struct server *lb_pick_hash(struct proxy *be, uint32_t hash);
/* Same, computing the key from <strm>: the client address for "source".
 * For "uri"/"hdr" (HTTP issue) the caller must use lb_pick_hash() with the
 * hashed key; without one this falls back to round robin. */
struct server *lb_pick(struct proxy *be, struct stream *strm);

/* Returns the hash of a client address (IPv4, IPv6; 0 for AF_UNIX). */
uint32_t lb_hash_addr(const struct addr *a);
/* Returns the hash of <len> bytes at <key> (uri, header value). */
uint32_t lb_hash_key(const char *key, size_t len);

/* Key extraction for the HTTP algorithms, following the backend's
 * options. Both return the length of the key and point <*key> into the
 * caller's buffer. lb_uri_key(): the URI before '?' (all of it with
 * "whole"), from the first '/' with "path-only", cut after "len" bytes or
 * "depth" slashes. lb_hdr_key(): the header value, reduced with
 * "use_domain_only" to the main domain label ("1wt" in "haproxy.1wt.eu"). */
size_t lb_uri_key(const struct proxy *be, const char *uri, size_t len, const char **key);
size_t lb_hdr_key(const struct proxy *be, const char *val, size_t len, const char **key);

/* Counts a connection being established to <srv> (cur_conn, cum_conn,
 * max_conn_seen, backend counters); lb_release() uncounts it when the
 * server connection closes. leastconn and maxconn depend on these. */
void lb_take(struct server *srv);
void lb_release(struct server *srv);

/* To call after <srv>'s state (UP/DOWN/MAINT/DRAIN) or cur_weight changed
 * (checks, "set server weight", "disable server"): rebuilds the tables. */
void lb_server_changed(struct server *srv);

/* Sets <srv>'s runtime weight from "<n>" or "<n>%" (percent of the
 * configured weight), as "set server weight" and Lua's Server.set_weight
 * do, then rebuilds the tables. Static algorithms (static-rr, map-based
 * hashing) only take 0 and the configured weight. Returns 0, or -1 with
 * HAProxy's message in <err>. */
int lb_set_weight(struct server *srv, const char *arg, char *err, size_t errlen);

/* Returns 1 if <srv> may receive a new connection now: usable and under
 * its maxconn. */
int lb_srv_has_slot(const struct server *srv);

#endif
