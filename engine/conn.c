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
	return c;
}

/* Delivers <ev> to the owner unless the connection is closing. */
static void conn_notify(struct conn *c, unsigned ev)
{
	if (ev && !(c->flags & CONN_F_CLOSING) && c->event)
		c->event(c, ev);
}

int conn_connect(struct conn *c, const struct addr *a)
{
	int one = 1, ret;
	int fd = socket(a->u.sa.sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		c->err = errno;
		return -errno;
	}
	if (a->u.sa.sa_family != AF_UNIX)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
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
			conn_notify(c, CONN_EV_CONNECTED);
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

	if (c->flags & (CONN_F_RX_ARMED | CONN_F_RX_EOF | CONN_F_RX_ERR | CONN_F_CLOSING |
	                CONN_F_WAIT_BUF))
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
		if (k) {
			if (chan_put_chunk(c->rx, k, 0, (uint32_t)res) < 0) {
				c->flags |= CONN_F_RX_ERR;
				c->err = ENOMEM;
			}
			chunk_unref(k);
			ev = CONN_EV_RECV;
		}
	} else if (res == 0) {
		c->flags |= CONN_F_RX_EOF;
		c->rx->flags |= CHAN_SHUTR;
		ev = CONN_EV_RECV;
	} else if (res == -ENOBUFS) {
		/* the buffer ring ran dry: wait for buffers to come back */
		if (!(c->flags & (CONN_F_WAIT_BUF | CONN_F_RX_ARMED))) {
			c->flags |= CONN_F_WAIT_BUF;
			c->next = c->thr->wait_bufs;
			c->thr->wait_bufs = c;
		}
	} else if (res != -ECANCELED) {
		c->flags |= CONN_F_RX_ERR;
		c->rx->flags |= CHAN_SHUTR | CHAN_READ_ERROR;
		c->err = -res;
		ev = CONN_EV_RECV;
	}
	conn_notify(c, ev);
	if (c->flags & CONN_F_CLOSING)
		goto out;
	/* backpressure; or the multishot ended (on its own, or cancelled by
	 * backpressure and drained meanwhile): re-arm if there is room */
	if (c->rx && chan_is_full(c->rx))
		conn_recv_stop(c);
	else if (!(c->flags & CONN_F_RX_ARMED) && res != -ENOBUFS)
		conn_recv_start(c);
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

int conn_send(struct conn *c)
{
	int n, ret;
	uint32_t len = 0;
	struct conn_tx *x;
	struct iovec iov[CONN_IOV];
	struct chunk *chk[CONN_IOV];

	if (c->flags & (CONN_F_TX_BUSY | CONN_F_CLOSING | CONN_F_TX_ERR | CONN_F_SHUTW))
		return 0;
	if (!(c->flags & CONN_F_CONNECTED) || !c->tx)
		return 0;
	/* the chunks are referenced until the completion: if the owner resets
	 * the channel meanwhile (the stream ends), the kernel still reads
	 * bytes nobody else can reuse */
	n = chan_out_iov_ref(c->tx, iov, chk, CONN_IOV);
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
		chan_skip_out(c->tx, (uint32_t)res);
		ev = CONN_EV_SENT;
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
	    (c->flags & CONN_F_WAIT_BUF))
		return;
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

void conns_wake_waiting(struct thr *t)
{
	struct conn *c;

	while ((c = t->wait_bufs) && ring_bufs_free(t->ring)) {
		t->wait_bufs = c->next;
		c->next = NULL;
		c->flags &= ~CONN_F_WAIT_BUF;
		if (c->flags & CONN_F_CLOSING) {
			if (!c->busy)
				conn_maybe_free(c);
			continue;
		}
		conn_recv_start(c);
	}
}

void conns_pool_free(struct thr *t)
{
	struct conn *c;
	struct conn_tx *x;

	while ((x = t->free_tx)) {
		t->free_tx = x->next;
		free(x);
	}
	while ((c = t->free_conns)) {
		t->free_conns = c->next;
		free(c);
	}
}

/* Not wired yet: the connection stays plain. */
int conn_tls_start(struct conn *c, struct tls_ctx *ctx, const char *sni)
{
	(void)c; (void)ctx; (void)sni;
	return -ENOTSUP;
}
