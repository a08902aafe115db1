/* conn.h: one socket driven through the ring — multishot receive into the
 * provided-buffer ring appended to an rx channel, sendmsg of a tx channel's
 * output part, connect, shutdown, close. A connection knows nothing about
 * streams: it reports events to its owner through one callback.
 *
 * Lifetime: conn_new() takes a connection from the thread's pool;
 * conn_close() detaches the owner (no event is delivered after it),
 * cancels what is in flight and returns the connection to the pool on the
 * last completion, closing the fd then. The owner may free its channels
 * right after conn_close(). */
#ifndef RP_CONN_H
#define RP_CONN_H

#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include "engine/ring.h"

struct thr;
struct chan;
struct addr;
struct tls_ctx;
struct tls_conn;
struct conn_tls;

/* Events reported to the owner (a bit set). */
#define CONN_EV_RECV      0x01   /* bytes appended to rx, or CONN_F_RX_EOF/RX_ERR newly set */
#define CONN_EV_SENT      0x02   /* output bytes acknowledged (removed from tx) */
#define CONN_EV_CONNECTED 0x04   /* connect succeeded */
#define CONN_EV_ERROR     0x08   /* connect or send failed: see c->err */

/* Flags */
#define CONN_F_RX_ARMED   0x0001   /* a multishot recv is in flight */
#define CONN_F_RX_EOF     0x0004   /* the peer shut its write side (read 0) */
#define CONN_F_RX_ERR     0x0008   /* read error (reset...) */
#define CONN_F_TX_BUSY    0x0010   /* a sendmsg is in flight */
#define CONN_F_TX_ERR     0x0020   /* send error */
#define CONN_F_SHUTW      0x0040   /* shutdown(SHUT_WR) done or queued */
#define CONN_F_SHUTW_NOW  0x0080   /* shutdown(SHUT_WR) once tx's output is sent */
#define CONN_F_CONNECTING 0x0100
#define CONN_F_CONNECTED  0x0200
#define CONN_F_CLOSING    0x0400   /* conn_close() called: owner detached */
#define CONN_F_WAIT_BUF   0x0800   /* in thr->wait_bufs (receive buffers ran out) */
#define CONN_F_RX_CANCEL  0x1000   /* a cancel of the recv is in flight */
#define CONN_F_TLS_HS     0x2000   /* TLS: the handshake is complete */
#define CONN_F_TLS_ERR    0x4000   /* TLS: the session failed (c->err = EPROTO) */
#define CONN_F_TLS_CLI    0x8000   /* TLS: we are the client (an outgoing connection) */
#define CONN_F_TLS_SHUT   0x10000  /* TLS: close_notify queued */
#define CONN_F_TLS_WAKE   0x20000  /* in thr->wait_bufs: decrypt what is still queued */
#define CONN_F_TLS_EOF    0x40000  /* TLS: the peer closed the TCP connection */
#define CONN_F_TLS_DEFER  0x80000  /* TLS: not started yet (a PROXY header comes first) */
#define CONN_F_RX_SPLICE  0x100000 /* reads belong to the splice pump (splice.c): no recv is armed */
#define CONN_F_LISTED     (CONN_F_WAIT_BUF | CONN_F_TLS_WAKE)   /* linked in thr->wait_bufs */

#define CONN_IOV 8

struct conn {
	struct thr *thr;
	int fd;
	uint32_t flags;             /* CONN_F_* */
	int err;                    /* last error, positive errno */
	int busy;                   /* callbacks running: not recycled meanwhile */
	struct chan *rx;            /* received bytes go to its input part */
	struct chan *tx;            /* its output part is sent */
	void *owner;
	void (*event)(struct conn *c, unsigned ev);
	struct ring_op op_rx, op_tx, op_cn;
	uint32_t tx_len;            /* bytes of the send in flight */
	struct conn_tx *txc;        /* the sendmsg in flight, NULL when idle */
	struct chunk *tx_chk;       /* chunk of a single-segment send in flight (referenced) */
	struct conn *next;          /* pool free list / thr->wait_bufs */
	struct tls_conn *tls;       /* the TLS session, NULL for plain TCP */
	struct conn_tls *tlsx;      /* its ciphertext queues (conn.c), with <tls> */
};

/* What a sendmsg in flight needs, taken from a per-thread free list only
 * while sending: an idle connection holds none (memory per idle pair). */
struct conn_tx {
	struct msghdr msg;
	struct iovec iov[CONN_IOV];
	struct chunk *chk[CONN_IOV];   /* referenced until the completion */
	int nchk;
	struct conn_tx *next;
};

/* Returns a connection from <t>'s pool around <fd> (-1 for one that
 * conn_connect() will create), with rx/tx channels and the owner's
 * callback, or NULL (out of memory). No I/O is started. */
struct conn *conn_new(struct thr *t, int fd, struct chan *rx, struct chan *tx,
                      void *owner, void (*event)(struct conn *c, unsigned ev));
/* Creates a non-blocking socket for <a> and starts connecting to it.
 * <a> must stay valid until CONN_EV_CONNECTED/ERROR. Returns 0 or -errno
 * (socket() failure, ring full); c->err is set too. */
int conn_connect(struct conn *c, const struct addr *a);
/* The same from local address <src> ("source <addr>[:<port>]"; NULL or
 * another family: any), bound before connecting. */
int conn_connect_from(struct conn *c, const struct addr *a, const struct addr *src);
/* Arms the multishot receive if wanted and possible (not EOF, rx not
 * full). Returns 0 or -errno. Idempotent. */
int conn_recv_start(struct conn *c);
/* Stops receiving (backpressure): cancels the multishot receive. Bytes
 * already received still arrive in rx. */
void conn_recv_stop(struct conn *c);
/* Starts sending tx's output part if nothing is in flight. Returns 0 or -errno. */
int conn_send(struct conn *c);
/* Shuts the write side once tx's output part is empty (now if it is). */
void conn_shutw(struct conn *c);
/* Delivers <ev> to the owner of <c> unless it is closing (splice.c reports
 * its transfers through the connections' owners). */
void conn_notify(struct conn *c, unsigned ev);
/* Detaches the owner and closes (see above). NULL is accepted. */
void conn_close(struct conn *c);

/* Makes <c> speak TLS with a session from <ctx>: a server connection right
 * after conn_new() on accept, a client one before conn_connect(), which
 * then reports CONN_EV_CONNECTED only once the handshake is complete (a
 * failed handshake reports CONN_EV_ERROR, c->err = EPROTO, the reason in
 * tls_conn_error(c->tls)). <sni> (client side, may be NULL) is the server
 * name to send. Returns 0 or -errno. */
int conn_tls_start(struct conn *c, struct tls_ctx *ctx, const char *sni);

/* "send-proxy ... ssl": queues <n> bytes to go in clear before the TLS
 * handshake of client connection <c> (between conn_tls_start() and
 * conn_connect()). Returns 0 or -errno. */
int conn_tls_put_clear(struct conn *c, const void *p, size_t n);

/* "accept-proxy ssl": right after conn_tls_start(), makes <c> receive in
 * clear until conn_tls_resume(), which the owner calls once it took the
 * PROXY header off rx: what follows it in rx is the first ciphertext
 * (moved, not copied) and is decrypted at the end of the loop turn.
 * Returns 0 or -errno. */
void conn_tls_defer(struct conn *c);
int conn_tls_resume(struct conn *c);

/* Returns why the TLS handshake of the accepted connection <c> did not
 * complete, in HAProxy's words for its log ("SSL handshake failure",
 * "Connection closed during SSL handshake", "Timeout during SSL
 * handshake"), or NULL when <c> is plain or its handshake completed. */
const char *conn_tls_hs_fail(const struct conn *c);

/* Re-arms the receives of <t>'s connections stopped by an empty buffer
 * ring, while buffers are available, and decrypts what TLS connections
 * kept while their rx channel was full (the loop calls it once per turn
 * when thr->wait_bufs is not empty). */
void conns_wake_waiting(struct thr *t);
/* Frees <t>'s pool of connections (at exit). */
void conns_pool_free(struct thr *t);

#endif
