/* listener.h: listening sockets for the "bind" lines of every enabled
 * frontend (ip:port, [v6]:port, :port, *:port, unix@/path, fd@N), and the
 * per-thread multishot accept on them. Accepted connections become streams
 * (stream.c). maxconn (global and per frontend) pauses accepting, and
 * falling below it resumes it. */
#ifndef RP_LISTENER_H
#define RP_LISTENER_H

#include <stddef.h>
#include <stdint.h>
#include "engine/ring.h"
#include "engine/proxy.h"
#include "engine/timer.h"

struct thr;
struct stream;

struct listener {
	struct listener *next;           /* thr->listeners */
	struct thr *thr;
	struct bind_conf *bind;
	struct proxy *px;
	int fd;                          /* owned by listeners_bind(), not closed here */
	struct ring_op op;
	struct timer retry;              /* re-arm after an accept error (EMFILE...) */
	int *pend;                       /* fds the kernel accepted above maxconn, FIFO: */
	uint32_t pend_head, pend_len, pend_size;  /* served when slots free up, like a backlog */
	uint32_t cur_conn;               /* its streams now (dst_conn), stream.c */
	unsigned armed:1;                /* multishot accept in flight (or its cancel) */
	unsigned paused:1;               /* not accepting (maxconn, stop) */
	unsigned cancelling:1;           /* a cancel of the accept is in flight */
};

/* Creates and binds a listening socket for every bind line of every
 * enabled frontend of <cfg> (fd@N: adopts the inherited fd). Returns 0, or
 * -errno with <err> holding HAProxy's message, e.g. "Starting frontend fe:
 * cannot bind socket (Address already in use) [127.0.0.1:8080]" (the
 * caller prefixes "[ALERT]    (pid) : "). Sockets already bound stay
 * bound: call listeners_close() on failure. */
int listeners_bind(struct config *cfg, char *err, size_t errlen);
/* Closes every listening socket (unlinks bound unix sockets). */
void listeners_close(struct config *cfg);

/* "bind ... accept-proxy": parses a PROXY protocol header (v1 text or v2
 * binary) at the start of <buf>/<len>. Returns the bytes it takes (> 0),
 * 0 when more bytes are needed, or -1 when this is not a valid header.
 * For a proxied TCP4/TCP6 connection <src>/<dst> get the addresses it
 * carries; for LOCAL/UNKNOWN they are left untouched. <need> is set to
 * the bytes needed to decide when 0 is returned (v2 with TLVs). */
int listener_proxy_hdr_parse(const char *buf, size_t len, struct addr *src, struct addr *dst,
                             size_t *need);
/* Finds TLV <type> (PP2_TYPE_UNIQUE_ID is 0x05) in the PROXY v2 header at
 * <buf>, whole in its <len> bytes as listener_proxy_hdr_parse() measured
 * it. Returns the value's length with *<val> pointing at it in <buf>, or
 * -1 when it is not there (a v1 header, a LOCAL one, a TLV cut short). */
int listener_pp2_tlv(const char *buf, size_t len, int type, const char **val);
/* Writes a PROXY v1 header for <src> -> <dst> into <out> ("server ...
 * send-proxy"). Returns its length, or 0 if <outsz> is too small. */
size_t listener_proxy_hdr_build(char *out, size_t outsz, const struct addr *src, const struct addr *dst);
/* Same for a PROXY v2 header ("send-proxy-v2"): binary, TCP4/TCP6, or
 * UNSPEC for other address families. Returns its length or 0. */
size_t listener_proxy_hdr_build_v2(char *out, size_t outsz, const struct addr *src,
                                   const struct addr *dst);

/* Creates <t>'s listeners on the bound sockets and arms accepting.
 * Returns 0 or -errno. */
int listeners_attach(struct thr *t);
/* Frees <t>'s listeners (sockets stay open until listeners_close()). */
void listeners_detach(struct thr *t);
/* Arms the multishot accept of <l> if not armed and allowed (maxconn). */
void listener_arm(struct listener *l);
/* Stops accepting on <l> (cancels the multishot accept). */
void listener_pause(struct listener *l);
/* Soft stop: stops accepting and stops listening at once (new clients
 * are refused), closing the sockets. */
void listeners_unbind(struct thr *t);
/* Logs, as HAProxy does for a connection that never became a session,
 * "<ip>:<port> [<accept date>] <frontend>/<bind name or id>: <why>" to
 * <s>'s frontend's log targets (e.g. why = "SSL handshake failure"). */
void listener_log_hs_fail(const struct stream *s, const char *why);
/* Re-evaluates every listener of <t> against maxconn and the stop state:
 * called when a connection ends. */
void listeners_update(struct thr *t);

#endif
