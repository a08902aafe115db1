/* conn.c: one socket driven through the ring (conn.h). Connections come
 * from a per-thread free list: malloc'ed while the pool warms up, reused
 * afterwards. A connection is returned to the pool only once none of its
 * three ops (rx, tx, connect) is in flight and no callback is running. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include "engine/conn.h"
#include "engine/chan.h"
#include "engine/proxy.h"
#include "engine/thread.h"
#include "proto/tls.h"

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24   /* linux/in.h, not in glibc's headers */
#endif

/* A TLS connection's ciphertext, beside its session (pooled per thread,
 * tls_conn_size() bytes of session follow). <cin> queues received ring
 * chunks (referenced, not copied) until the TLS engine took their bytes;
 * <cout> is what to send, in heap chunks packed by conn_tls_out().
 * Invariant: <cin> holds bytes only while <c->rx> was full (or between a
 * completion and the decryption that follows it). */
struct conn_tls {
	struct chan cin, cout;
	struct chunk *wk;           /* the chunk <cout> appends to (one reference held), or NULL */
	uint32_t wk_off;            /* bytes of <wk> written */
	unsigned stalled:1;         /* decryption stopped because rx was full */
	struct conn_tls *next_free;
	max_align_t mem[];          /* the struct tls_conn */
};

static unsigned conn_tls_recv(struct conn *c);
static int conn_tls_send(struct conn *c);
static int conn_send_chan(struct conn *c, struct chan *out);
static void conn_tls_free(struct conn *c);

static void conn_rx_cb(struct ring_op *op, int res, uint32_t flags);
static void conn_tx_cb(struct ring_op *op, int res, uint32_t flags);
static void conn_cn_cb(struct ring_op *op, int res, uint32_t flags);

/* Per-connection callback depth: a connection is not recycled while one of
 * its callbacks (or its owner's event handler) is running. */
static inline void conn_hold(struct conn *c) { c->busy++; }
static void conn_maybe_free(struct conn *c);
static inline void conn_unhold(struct conn *c)
{
	if (!--c->busy && (c->flags & CONN_F_CLOSING))
		conn_maybe_free(c);
}

struct conn *conn_new(struct thr *t, int fd, struct chan *rx, struct chan *tx,
                      void *owner, void (*event)(struct conn *c, unsigned ev))
{
	struct conn *c = t->free_conns;

	if (c) {
		t->free_conns = c->next;
	} else {
		c = malloc(sizeof(*c));
		if (!c)
			return NULL;
		ring_op_init(&c->op_rx, conn_rx_cb);
		ring_op_init(&c->op_tx, conn_tx_cb);
		ring_op_init(&c->op_cn, conn_cn_cb);
	}
	t->nb_conns++;
	c->thr = t;
	c->fd = fd;
	c->flags = fd >= 0 ? CONN_F_CONNECTED : 0;
	c->err = 0;
	c->busy = 0;
	c->rx = rx;
	c->tx = tx;
	c->owner = owner;
	c->event = event;
	c->tx_len = 0;
	c->txc = NULL;
	c->tx_chk = NULL;
	c->next = NULL;
	c->tls = NULL;
	c->tlsx = NULL;
	return c;
}

void conn_notify(struct conn *c, unsigned ev)
{
	if (ev && !(c->flags & CONN_F_CLOSING) && c->event)
		c->event(c, ev);
}

int conn_connect(struct conn *c, const struct addr *a)
{
	return conn_connect_from(c, a, NULL);
}

int conn_connect_from(struct conn *c, const struct addr *a, const struct addr *src)
{
	int one = 1, ret;
	int fd = socket(a->u.sa.sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		c->err = errno;
		return -errno;
	}
	if (a->u.sa.sa_family != AF_UNIX)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (src && src->u.sa.sa_family == a->u.sa.sa_family) {
		/* "source <addr>": without a port the kernel picks one at
		 * connect(), from the whole (address, port, peer) space */
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if ((src->u.sa.sa_family == AF_INET ? !src->u.in4.sin_port : !src->u.in6.sin6_port))
			setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
		if (bind(fd, &src->u.sa, src->len) < 0) {
			c->err = errno;
			close(fd);
			return -c->err;
		}
	}
	c->fd = fd;
	ret = ring_connect(c->thr->ring, &c->op_cn, fd, a);
	if (ret < 0) {
		c->err = -ret;
		return ret;
	}
	c->flags |= CONN_F_CONNECTING;
	return 0;
}

static void conn_cn_cb(struct ring_op *op, int res, uint32_t flags)
{
	struct conn *c = container_of(op, struct conn, op_cn);

	conn_hold(c);
	c->flags &= ~CONN_F_CONNECTING;
	if (!(c->flags & CONN_F_CLOSING)) {
		if (res == 0) {
			c->flags |= CONN_F_CONNECTED;
			conn_recv_start(c);
			/* TLS: connected for the owner once the handshake is done */
			conn_notify(c, c->tls ? conn_tls_recv(c) : CONN_EV_CONNECTED);
		} else {
			c->err = -res;
			conn_notify(c, CONN_EV_ERROR);
		}
	}
	conn_unhold(c);
}

int conn_recv_start(struct conn *c)
{
	int ret;

	if (c->tls && c->tlsx->stalled && c->rx && !chan_is_full(c->rx) &&
	    !(c->flags & (CONN_F_TLS_WAKE | CONN_F_CLOSING))) {
		/* ciphertext kept while rx was full: decrypted at the end of
		 * this loop turn, not under the owner's call */
		if (!(c->flags & CONN_F_LISTED)) {
			c->next = c->thr->wait_bufs;
			c->thr->wait_bufs = c;
		}
		c->flags |= CONN_F_TLS_WAKE;
	}
	if (c->flags & (CONN_F_RX_ARMED | CONN_F_RX_EOF | CONN_F_RX_ERR | CONN_F_CLOSING |
	                CONN_F_WAIT_BUF | CONN_F_RX_SPLICE))
		return 0;
	if (!(c->flags & CONN_F_CONNECTED) || !c->rx || chan_is_full(c->rx))
		return 0;
	c->rx->flags &= ~CHAN_READ_PAUSED;
	ret = ring_recv_multi(c->thr->ring, &c->op_rx, c->fd);
	if (ret < 0)
		return ret;
	c->flags |= CONN_F_RX_ARMED;
	return 0;
}

void conn_recv_stop(struct conn *c)
{
	if (c->rx)
		c->rx->flags |= CHAN_READ_PAUSED;
	if ((c->flags & CONN_F_RX_ARMED) && !(c->flags & CONN_F_RX_CANCEL)) {
		if (ring_cancel(c->thr->ring, &c->op_rx) == 0)
			c->flags |= CONN_F_RX_CANCEL;
	}
}

static void conn_rx_cb(struct ring_op *op, int res, uint32_t flags)
{
	struct conn *c = container_of(op, struct conn, op_rx);
	struct chunk *k;
	unsigned ev = 0;

	conn_hold(c);
	if (!(flags & RING_F_MORE))
		c->flags &= ~(CONN_F_RX_ARMED | CONN_F_RX_CANCEL);
	if (c->flags & CONN_F_CLOSING)
		goto out;             /* the ring recycles an untaken buffer */
	if (res > 0) {
		k = ring_buf_take(c->thr->ring, flags);
		if (k && c->tls && !(c->flags & CONN_F_TLS_DEFER)) {
			/* ciphertext: queued by reference, decrypted into rx */
			if (chan_put_chunk(&c->tlsx->cin, k, 0, (uint32_t)res) == 0)
				chan_forward(&c->tlsx->cin, (uint32_t)res);
			chunk_unref(k);
			ev = conn_tls_recv(c);
		} else if (k) {
			if (chan_put_chunk(c->rx, k, 0, (uint32_t)res) < 0) {
				c->flags |= CONN_F_RX_ERR;
				c->err = ENOMEM;
			}
			chunk_unref(k);
			ev = CONN_EV_RECV;
		}
	} else if (res == 0) {
		c->flags |= CONN_F_RX_EOF;
		if (c->tls && !(c->flags & CONN_F_TLS_DEFER)) {
			c->flags |= CONN_F_TLS_EOF;
			ev = conn_tls_recv(c);
		} else {
			c->rx->flags |= CHAN_SHUTR;
			ev = CONN_EV_RECV;
		}
	} else if (res == -ECANCELED || (res == -ENOBUFS && (c->flags & CONN_F_RX_SPLICE))) {
		/* the splice pump (splice.c) starts reading once the last
		 * receive has ended: tell the owner it did */
		if ((c->flags & CONN_F_RX_SPLICE) && !(flags & RING_F_MORE))
			ev = CONN_EV_RECV;
	} else if (res == -ENOBUFS) {
		/* the buffer ring ran dry: wait for buffers to come back */
		if (!(c->flags & (CONN_F_WAIT_BUF | CONN_F_RX_ARMED))) {
			if (!(c->flags & CONN_F_LISTED)) {
				c->next = c->thr->wait_bufs;
				c->thr->wait_bufs = c;
			}
			c->flags |= CONN_F_WAIT_BUF;
		}
	} else {
		c->flags |= CONN_F_RX_ERR;
		c->rx->flags |= CHAN_SHUTR | CHAN_READ_ERROR;
		c->err = -res;
		ev = CONN_EV_RECV;
		if ((c->flags & (CONN_F_TLS_CLI | CONN_F_TLS_HS)) == CONN_F_TLS_CLI && c->tls)
			ev = CONN_EV_ERROR;   /* reset during the handshake: the connect failed */
	}
	conn_notify(c, ev);
	if (c->flags & CONN_F_CLOSING)
		goto out;
	/* backpressure; or the multishot ended (on its own, or cancelled by
	 * backpressure and drained meanwhile): re-arm if there is room */
	if (c->rx && chan_is_full(c->rx))
		conn_recv_stop(c);
	else if ((!(c->flags & CONN_F_RX_ARMED) && res != -ENOBUFS) || (c->tls && c->tlsx->stalled))
		conn_recv_start(c);   /* TLS: also queues the decryption of what waits */
out:
	conn_unhold(c);
}

/* Returns a send context from <t>'s free list, or NULL. */
static struct conn_tx *tx_get(struct thr *t)
{
	struct conn_tx *x = t->free_tx;

	if (x)
		t->free_tx = x->next;
	else if ((x = malloc(sizeof(*x))))
		x->nchk = 0;
	return x;
}

/* Gives <x> back, dropping its chunk references. */
static void tx_put(struct thr *t, struct conn_tx *x)
{
	for (int i = 0; i < x->nchk; i++)
		chunk_unref(x->chk[i]);
	x->nchk = 0;
	x->next = t->free_tx;
	t->free_tx = x;
}

/* Sends the output part of <out> (tx, or a TLS connection's ciphertext).
 * Returns 0 or -errno. */
static int conn_send_chan(struct conn *c, struct chan *out)
{
	int n, ret;
	uint32_t len = 0;
	struct conn_tx *x;
	struct iovec iov[CONN_IOV];
	struct chunk *chk[CONN_IOV];

	/* the chunks are referenced until the completion: if the owner resets
	 * the channel meanwhile (the stream ends), the kernel still reads
	 * bytes nobody else can reuse */
	n = chan_out_iov_ref(out, iov, chk, CONN_IOV);
	if (!n) {
		if (c->flags & CONN_F_SHUTW_NOW)
			conn_shutw(c);
		return 0;
	}
	if (n == 1) {
		/* one segment (the usual case): a plain send, no context */
		ret = ring_send(c->thr->ring, &c->op_tx, c->fd, iov[0].iov_base, iov[0].iov_len);
		if (ret < 0) {
			chunk_unref(chk[0]);
			return ret;
		}
		c->tx_chk = chk[0];
		c->tx_len = (uint32_t)iov[0].iov_len;
		c->flags |= CONN_F_TX_BUSY;
		return 0;
	}
	if (!(x = tx_get(c->thr))) {
		for (int i = 0; i < n; i++)
			chunk_unref(chk[i]);
		return -ENOMEM;
	}
	for (int i = 0; i < n; i++) {
		x->iov[i] = iov[i];
		x->chk[i] = chk[i];
		len += (uint32_t)iov[i].iov_len;
	}
	x->nchk = n;
	memset(&x->msg, 0, sizeof(x->msg));
	x->msg.msg_iov = x->iov;
	x->msg.msg_iovlen = (size_t)n;
	ret = ring_sendmsg(c->thr->ring, &c->op_tx, c->fd, &x->msg);
	if (ret < 0) {
		tx_put(c->thr, x);
		return ret;
	}
	c->txc = x;
	c->tx_len = len;
	c->flags |= CONN_F_TX_BUSY;
	return 0;
}

int conn_send(struct conn *c)
{
	if (c->flags & (CONN_F_TX_BUSY | CONN_F_CLOSING | CONN_F_TX_ERR | CONN_F_SHUTW))
		return 0;
	if (!(c->flags & CONN_F_CONNECTED) || !c->tx)
		return 0;
	if (c->tls)
		return conn_tls_send(c);
	return conn_send_chan(c, c->tx);
}

static void conn_tx_cb(struct ring_op *op, int res, uint32_t flags)
{
	struct conn *c = container_of(op, struct conn, op_tx);
	unsigned ev;

	conn_hold(c);
	c->flags &= ~CONN_F_TX_BUSY;
	if (c->txc) {
		tx_put(c->thr, c->txc);
		c->txc = NULL;
	}
	if (c->tx_chk) {
		chunk_unref(c->tx_chk);
		c->tx_chk = NULL;
	}
	if (c->flags & CONN_F_CLOSING)
		goto out;
	if (res >= 0) {
		chan_skip_out(c->tls ? &c->tlsx->cout : c->tx, (uint32_t)res);
		/* handshake flights are none of the owner's bytes: its stream
		 * must not run before the handshake is done */
		ev = c->tls && !(c->flags & CONN_F_TLS_HS) ? 0 : CONN_EV_SENT;
		/* more to send (a partial send, or output added meanwhile) */
		conn_send(c);
	} else {
		c->flags |= CONN_F_TX_ERR;
		c->tx->flags |= CHAN_WRITE_ERROR;
		c->err = -res;
		ev = CONN_EV_ERROR;
	}
	conn_notify(c, ev);
out:
	conn_unhold(c);
}

void conn_shutw(struct conn *c)
{
	if (c->flags & (CONN_F_SHUTW | CONN_F_CLOSING))
		return;
	c->flags |= CONN_F_SHUTW_NOW;
	if ((c->flags & CONN_F_TX_BUSY) || (c->tx && chan_out_len(c->tx)))
		return;              /* done by conn_send() once the output is sent */
	if (c->tls && (c->flags & CONN_F_CONNECTED)) {
		if (chan_len(&c->tlsx->cout))
			return;          /* likewise for the ciphertext */
		if ((c->flags & (CONN_F_TLS_HS | CONN_F_TLS_ERR | CONN_F_TLS_SHUT)) == CONN_F_TLS_HS &&
		    !(c->flags & CONN_F_TX_ERR)) {
			/* close_notify first, then the TCP shutdown once it is sent */
			c->flags |= CONN_F_TLS_SHUT;
			tls_conn_shutdown(c->tls);
			if (chan_len(&c->tlsx->cout)) {
				conn_send(c);
				return;
			}
		}
	}
	if (c->flags & CONN_F_CONNECTED) {
		shutdown(c->fd, SHUT_WR);
		c->flags |= CONN_F_SHUTW;
		if (c->tx)
			c->tx->flags |= CHAN_SHUTW;
	}
}

void conn_close(struct conn *c)
{
	struct ring *r;

	if (!c || (c->flags & CONN_F_CLOSING))
		return;
	r = c->thr->ring;
	c->flags |= CONN_F_CLOSING;
	c->owner = NULL;
	c->event = NULL;
	c->rx = c->tx = NULL;
	/* cancel before close: a multishot recv would otherwise stay armed on
	 * the file the kernel still references */
	if (c->op_rx.inflight && ring_cancel(r, &c->op_rx) < 0)
		shutdown(c->fd, SHUT_RDWR);
	if (c->op_tx.inflight && ring_cancel(r, &c->op_tx) < 0)
		shutdown(c->fd, SHUT_RDWR);
	if (c->op_cn.inflight && ring_cancel(r, &c->op_cn) < 0)
		shutdown(c->fd, SHUT_RDWR);
	if (!c->busy)
		conn_maybe_free(c);
}

/* Closes the fd and returns <c> to the pool once nothing refers to it. */
static void conn_maybe_free(struct conn *c)
{
	struct thr *t = c->thr;

	if (c->busy || c->op_rx.inflight || c->op_tx.inflight || c->op_cn.inflight ||
	    (c->flags & CONN_F_LISTED))
		return;
	if (c->tls)
		conn_tls_free(c);
	if (c->fd >= 0 && ring_close(t->ring, NULL, c->fd) < 0)
		close(c->fd);
	c->fd = -1;
	/* a late completion for this slot is now stale */
	ring_op_retire(&c->op_rx);
	ring_op_retire(&c->op_tx);
	ring_op_retire(&c->op_cn);
	c->flags = 0;
	c->next = t->free_conns;
	t->free_conns = c;
	t->nb_conns--;
}

/* One pass over <t>'s waiting connections. Returns 1 if a connection
 * asked to be decrypted again meanwhile (a pass must follow, the loop
 * would otherwise sleep with work to do). */
static int conns_wake_pass(struct thr *t)
{
	struct conn *list = t->wait_bufs, *keep = NULL, **kt = &keep, *c;
	int again = 0;

	t->wait_bufs = NULL;
	while ((c = list)) {
		list = c->next;
		c->next = NULL;
		conn_hold(c);
		if (!(c->flags & CONN_F_CLOSING) && (c->flags & CONN_F_TLS_WAKE)) {
			/* even without free buffers: decrypting gives ring buffers back */
			c->flags &= ~CONN_F_TLS_WAKE;
			if (c->tls && c->tlsx->stalled)
				conn_notify(c, conn_tls_recv(c));
			if (c->flags & CONN_F_TLS_WAKE) {
				/* it stalled again and is linked in t->wait_bufs
				 * already (with its WAIT_BUF, if any, for the next
				 * pass): linking it in <keep> too would loop the list */
				conn_unhold(c);
				continue;
			}
		}
		if (c->flags & CONN_F_CLOSING) {
			c->flags &= ~CONN_F_LISTED;
		} else if ((c->flags & CONN_F_WAIT_BUF) && !ring_bufs_free(t->ring)) {
			*kt = c;          /* still no buffer: waits, in order */
			kt = &c->next;
		} else {
			c->flags &= ~CONN_F_LISTED;
			conn_recv_start(c);
		}
		conn_unhold(c);
	}
	for (c = t->wait_bufs; c; c = c->next)
		if (c->flags & CONN_F_TLS_WAKE)
			again = 1;
	/* connections queued meanwhile go after those still waiting */
	*kt = t->wait_bufs;
	t->wait_bufs = keep;
	return again;
}

void conns_wake_waiting(struct thr *t)
{
	for (int i = 0; i < 8 && conns_wake_pass(t); i++)
		;
}

void conns_pool_free(struct thr *t)
{
	struct conn *c;
	struct conn_tx *x;

	struct conn_tls *y;

	while ((x = t->free_tx)) {
		t->free_tx = x->next;
		free(x);
	}
	while ((y = t->free_tls)) {
		t->free_tls = y->next_free;
		free(y);
	}
	tls_thread_done();
	while ((c = t->free_conns)) {
		t->free_conns = c->next;
		free(c);
	}
}


/* ---- TLS: the session sits between the socket and the channels ---- */

/* tls_conn output callback: appends <n> ciphertext bytes to <cout>,
 * packing records into the chunk being filled. Returns <n>, or 0 when out
 * of memory (the TLS engine then keeps them in its own buffer). */
static int conn_tls_out(void *arg, const void *p, size_t n)
{
	struct conn *c = arg;
	struct conn_tls *x = c->tlsx;
	struct chan *ch = &x->cout;
	const char *src = p;
	size_t left = n;

	while (left) {
		struct chan_seg *tl = ch->tail;
		uint32_t m;

		if (x->wk && x->wk_off < x->wk->size && tl && tl->chk == x->wk &&
		    tl->off + tl->len == x->wk_off) {
			/* grow the last segment in place: its chunk is ours */
			m = x->wk->size - x->wk_off;
			if (m > left)
				m = (uint32_t)left;
			memcpy(x->wk->data + x->wk_off, src, m);
			x->wk_off += m;
			tl->len += m;
			ch->out += m;
			ch->total_in += m;
		} else {
			struct chunk *k = chunk_new(ch->pool);

			if (!k)
				return (int)(n - left) ? (int)(n - left) : 0;
			m = k->size < left ? k->size : (uint32_t)left;
			memcpy(k->data, src, m);
			if (chan_put_chunk(ch, k, 0, m) < 0) {
				chunk_unref(k);
				return (int)(n - left);
			}
			chan_forward(ch, m);
			if (x->wk)
				chunk_unref(x->wk);
			x->wk = k;            /* keeps the reference chunk_new() gave */
			x->wk_off = m;
		}
		src += m;
		left -= m;
	}
	return (int)n;
}

/* Moves what the TLS engine had to buffer (the callback was out of memory)
 * to <cout>. */
static void conn_tls_flush(struct conn *c)
{
	const void *p;
	size_t n = tls_conn_out_peek(c->tls, &p);

	if (n && chan_put_data(&c->tlsx->cout, p, n) == 0) {
		chan_forward(&c->tlsx->cout, (uint32_t)n);
		tls_conn_out_skip(c->tls, n);
	}
}

/* The session failed (<err>: EPROTO for a TLS error, ECONNRESET for a
 * peer gone during the handshake, ENOMEM): the connection reads nothing
 * more. Returns the event for the owner. */
static unsigned conn_tls_fail(struct conn *c, int err)
{
	c->flags |= CONN_F_TLS_ERR | CONN_F_RX_ERR;
	c->err = err;
	if (c->rx)
		c->rx->flags |= CHAN_SHUTR | CHAN_READ_ERROR;
	/* after the handshake, like a reset: the read side ended in error;
	 * during it, a client's connect failed, a server's session never began */
	if (c->flags & CONN_F_TLS_HS)
		return CONN_EV_RECV;
	return (c->flags & CONN_F_TLS_CLI) ? CONN_EV_ERROR : CONN_EV_RECV | CONN_EV_ERROR;
}

/* Feeds the queued ciphertext to the session: handshake, then plaintext
 * into rx until rx is full or the ciphertext is used up; sends what the
 * session produced. Returns the events for the owner. */
static unsigned conn_tls_recv(struct conn *c)
{
	struct conn_tls *x = c->tlsx;
	struct tls_conn *tls = c->tls;
	struct chunk *k = NULL;
	uint32_t koff = 0;
	unsigned ev = 0;

	if (c->flags & CONN_F_TLS_ERR)
		return 0;
	x->stalled = 0;
	for (;;) {
		struct iovec iov;
		size_t lent, used;
		ssize_t r = TLS_AGAIN;
		int nseg = chan_out_iov(&x->cin, &iov, 1);

		lent = nseg ? iov.iov_len : 0;
		tls_conn_feed(tls, nseg ? iov.iov_base : NULL, lent);
		if (!(c->flags & CONN_F_TLS_HS)) {
			r = tls_conn_handshake(tls);
			if (r == 1) {
				/* a client is connected now; a server's stream starts
				 * its session (rules, fetches see the handshake) */
				c->flags |= CONN_F_TLS_HS;
				ev |= (c->flags & CONN_F_TLS_CLI) ? CONN_EV_CONNECTED : CONN_EV_RECV;
			}
		} else if (!c->rx || chan_is_full(c->rx)) {
			/* backpressure: the rest waits in cin (conn_recv_start) */
			x->stalled = 1;
			break;
		} else {
			if (k && koff == k->size) {
				chunk_unref(k);
				k = NULL;
			}
			if (!k) {
				if (!(k = chunk_new(&c->thr->pool))) {
					ev |= conn_tls_fail(c, ENOMEM);
					break;
				}
				koff = 0;
			}
			r = tls_conn_read(tls, k->data + koff, k->size - koff);
			if (r > 0) {
				if (chan_put_chunk(c->rx, k, koff, (uint32_t)r) < 0) {
					ev |= conn_tls_fail(c, ENOMEM);
					break;
				}
				koff += (uint32_t)r;
				ev |= CONN_EV_RECV;
			}
		}
		used = lent - tls_conn_in_left(tls);
		if (used)
			chan_skip_out(&x->cin, (uint32_t)used);
		conn_tls_flush(c);
		if (r == TLS_ERR) {
			ev |= conn_tls_fail(c, EPROTO);
			break;
		}
		if (r == TLS_CLOSED) {
			/* close_notify: nothing more will come */
			c->flags |= CONN_F_RX_EOF;
			c->rx->flags |= CHAN_SHUTR;
			ev |= CONN_EV_RECV;
			break;
		}
		if (r == TLS_AGAIN && !used)
			break;            /* needs ciphertext not received yet */
	}
	if (k)
		chunk_unref(k);
	if ((c->flags & CONN_F_TLS_EOF) && !x->stalled && !(c->flags & CONN_F_TLS_ERR)) {
		/* the TCP connection ended: during the handshake it failed,
		 * afterwards it is the end of input (without close_notify) */
		if (!(c->flags & CONN_F_TLS_HS)) {
			ev |= conn_tls_fail(c, ECONNRESET);
		} else if (c->rx && !(c->rx->flags & CHAN_SHUTR)) {
			c->rx->flags |= CHAN_SHUTR;
			ev |= CONN_EV_RECV;
		}
	}
	/* handshake flights, tickets, alerts; and plaintext that waited for
	 * the end of the handshake */
	conn_tls_send(c);
	return ev;
}

/* Encrypts tx's output part into cout (once the handshake is done, and
 * while cout is below its limit), queues close_notify when asked, and
 * sends cout. Returns 0 or -errno. */
static int conn_tls_send(struct conn *c)
{
	struct conn_tls *x = c->tlsx;
	struct iovec iov[CONN_IOV];
	int n;

	if ((c->flags & (CONN_F_TLS_HS | CONN_F_TLS_ERR | CONN_F_TLS_SHUT)) == CONN_F_TLS_HS && c->tx) {
		while (chan_out_len(c->tx) && !chan_is_full(&x->cout)) {
			ssize_t r = 0;

			n = chan_out_iov(c->tx, iov, 1);
			if (!n)
				break;
			r = tls_conn_write(c->tls, iov[0].iov_base, iov[0].iov_len);
			if (r > 0) {
				chan_skip_out(c->tx, (uint32_t)r);
				continue;
			}
			conn_tls_flush(c);
			if (r == TLS_ERR) {
				c->flags |= CONN_F_TLS_ERR | CONN_F_TX_ERR;
				c->err = EPROTO;
				c->tx->flags |= CHAN_WRITE_ERROR;
				return -EPROTO;
			}
			break;
		}
		conn_tls_flush(c);
	}
	if (c->flags & (CONN_F_TX_BUSY | CONN_F_CLOSING | CONN_F_TX_ERR | CONN_F_SHUTW))
		return 0;
	return conn_send_chan(c, &x->cout);
}

int conn_tls_start(struct conn *c, struct tls_ctx *ctx, const char *sni)
{
	struct thr *t = c->thr;
	struct conn_tls *x = t->free_tls;

	if (c->tls)
		return -EALREADY;
	if (x)
		t->free_tls = x->next_free;
	else if (!(x = malloc(sizeof(*x) + tls_conn_size())))
		return -ENOMEM;
	if (!(c->tls = tls_conn_init(x->mem, ctx, sni))) {
		x->next_free = t->free_tls;
		t->free_tls = x;
		return -ENOMEM;
	}
	chan_init(&x->cin, &t->pool, UINT32_MAX);
	/* above two buffers of ciphertext waiting, encryption pauses */
	chan_init(&x->cout, &t->pool, t->bufsize * 2);
	x->wk = NULL;
	x->wk_off = 0;
	x->stalled = 0;
	x->next_free = NULL;
	c->tlsx = x;
	tls_conn_set_output(c->tls, conn_tls_out, c);
	if (!(c->flags & CONN_F_CONNECTED))
		c->flags |= CONN_F_TLS_CLI;    /* before conn_connect(): we are the client */
	return 0;
}

/* Ends <c>'s session and gives its block back to the thread's pool. */
static void conn_tls_free(struct conn *c)
{
	struct conn_tls *x = c->tlsx;
	struct thr *t = c->thr;

	tls_conn_release(c->tls);
	chan_reset(&x->cin);
	chan_reset(&x->cout);
	if (x->wk)
		chunk_unref(x->wk);
	x->wk = NULL;
	x->next_free = t->free_tls;
	t->free_tls = x;
	c->tls = NULL;
	c->tlsx = NULL;
}

int conn_tls_put_clear(struct conn *c, const void *p, size_t n)
{
	if (!c->tls || (c->flags & (CONN_F_CONNECTED | CONN_F_CONNECTING)))
		return -EINVAL;
	if (chan_put_data(&c->tlsx->cout, p, n) < 0)
		return -ENOMEM;
	chan_forward(&c->tlsx->cout, (uint32_t)n);
	return 0;
}

void conn_tls_defer(struct conn *c)
{
	if (c->tls && !(c->flags & CONN_F_TLS_HS))
		c->flags |= CONN_F_TLS_DEFER;
}

int conn_tls_resume(struct conn *c)
{
	struct conn_tls *x = c->tlsx;
	struct chan *rx = c->rx;
	uint32_t moved = 0;

	if (!c->tls || !(c->flags & CONN_F_TLS_DEFER))
		return 0;
	c->flags &= ~CONN_F_TLS_DEFER;
	if (!rx)
		return 0;
	/* the bytes after the header are ciphertext: their chunks go to cin */
	for (struct chan_seg *sg = rx->head; sg; sg = sg->next) {
		if (chan_put_chunk(&x->cin, sg->chk, sg->off, sg->len) < 0) {
			conn_tls_fail(c, ENOMEM);
			return -ENOMEM;
		}
		moved += sg->len;
	}
	chan_forward(&x->cin, moved);
	chan_reset(rx);
	rx->total_in -= moved;        /* counted again once decrypted */
	if (c->flags & CONN_F_RX_EOF) {
		/* the FIN came with them: the end of input follows the plaintext */
		rx->flags &= ~CHAN_SHUTR;
		c->flags |= CONN_F_TLS_EOF;
	}
	/* decrypted at the end of this loop turn, not under the owner's call */
	x->stalled = 1;
	if (!(c->flags & CONN_F_CLOSING)) {
		/* the flag says "linked": set only with the link (a closing
		 * connection is never linked, or it could not be freed) */
		if (!(c->flags & CONN_F_LISTED)) {
			c->next = c->thr->wait_bufs;
			c->thr->wait_bufs = c;
		}
		c->flags |= CONN_F_TLS_WAKE;
	}
	return 0;
}

const char *conn_tls_hs_fail(const struct conn *c)
{
	if (!c->tls || (c->flags & (CONN_F_TLS_HS | CONN_F_TLS_CLI | CONN_F_TLS_DEFER)))
		return NULL;
	if (c->err == EPROTO)
		return "SSL handshake failure";
	if (c->flags & (CONN_F_TLS_EOF | CONN_F_RX_ERR | CONN_F_TX_ERR))
		return "Connection closed during SSL handshake";
	return "Timeout during SSL handshake";
}
