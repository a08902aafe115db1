/* splice.c: kernel splicing of one direction of a stream (splice.h) and the
 * per-thread pool of pipes. Readiness comes from one-shot polls on the ring;
 * each readiness allows exactly one splice(2) from the source, so that a
 * read never finds the socket empty; both sockets are made non-blocking
 * anyway (O_NONBLOCK), which io_uring's own operations on them tolerate:
 * they wait for readiness instead. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include "engine/splice.h"
#include "engine/chan.h"
#include "engine/conn.h"
#include "engine/thread.h"

/* Bytes asked of one splice(2): the pipe's room bounds it anyway. */
#define SPIPE_CHUNK (1U << 20)

/* Invariants: <len> counts the bytes in the pipe, which is held (fd[0] >=
 * 0) only while it holds bytes or a read into it is under way, so an idle
 * stream holds no pipe; <src>, <dst>, <ch> are NULL once SPIPE_F_CLOSING
 * is set (the stream may free them); the struct goes back to the free list
 * only when no poll is in flight and no callback of it runs (<busy>). */
struct spipe {
	struct thr *thr;
	int fd[2];                  /* the pipe: [0] read end, [1] write end; -1: none held */
	uint32_t len;               /* bytes in the pipe */
	uint32_t flags;             /* SPIPE_F_* */
	int busy;                   /* callbacks running */
	struct chan *ch;
	struct conn *src, *dst;
	struct ring_op op_in;       /* POLLIN on src */
	struct ring_op op_out;      /* POLLOUT on dst */
	struct spipe *next;         /* free list */
};

#define SPIPE_F_FULL    0x1     /* the last read found the pipe full: wait for a write */
#define SPIPE_F_CLOSING 0x2     /* spipe_put() called */
#define SPIPE_F_OFF     0x4     /* no pipe was free: back to the copy path for good */

static void spipe_in_cb(struct ring_op *op, int res, uint32_t flags);
static void spipe_out_cb(struct ring_op *op, int res, uint32_t flags);

void spipe_pool_init(struct thr *t, uint32_t max, uint32_t pipesize)
{
	struct spipe_pool *pl = &t->spipes;
	struct rlimit rl;

	memset(pl, 0, sizeof(*pl));
	pl->max = max;
	pl->pipesize = pipesize;
	pl->fd_max = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY ?
	             (long)rl.rlim_cur : 1L << 20;
}

void spipe_pool_free(struct thr *t)
{
	struct spipe_pool *pl = &t->spipes;
	struct spipe *p;

	while (pl->nfree) {
		pl->nfree--;
		close(pl->pipes[pl->nfree][0]);
		close(pl->pipes[pl->nfree][1]);
	}
	free(pl->pipes);
	pl->pipes = NULL;
	pl->cap = 0;
	while ((p = pl->free)) {
		pl->free = p->next;
		free(p);
	}
}

/* Gives <p> a pipe: a free one, or a new one while the pool is below
 * maxpipes and descriptors are left for the sockets. Returns 0 or -1. */
static int pipe_take(struct spipe *p)
{
	struct spipe_pool *pl = &p->thr->spipes;

	if (pl->nfree) {
		pl->nfree--;
		p->fd[0] = pl->pipes[pl->nfree][0];
		p->fd[1] = pl->pipes[pl->nfree][1];
		pl->used++;
		return 0;
	}
	/* two descriptors per pipe: keep room for the sockets of maxconn */
	if (pl->used >= pl->max || (long)p->thr->nb_conns + 2L * (pl->used + 1) + 64 > pl->fd_max)
		return -1;
	if (pipe2(p->fd, O_NONBLOCK | O_CLOEXEC) < 0) {
		p->fd[0] = p->fd[1] = -1;
		return -1;
	}
	/* larger pipes: fewer calls per MB (tune.pipesize); a refusal
	 * (pipe-max-size, the user's pipe quota) keeps the default */
	if (pl->pipesize)
		fcntl(p->fd[0], F_SETPIPE_SZ, (int)pl->pipesize);
	pl->used++;
	return 0;
}

/* Gives <p>'s pipe back to the pool: kept when empty, closed when it
 * still holds bytes (nobody will read them). */
static void pipe_give(struct spipe *p)
{
	struct spipe_pool *pl = &p->thr->spipes;

	if (p->fd[0] < 0)
		return;
	pl->used--;
	if (!p->len && pl->nfree == pl->cap) {
		/* the free stack grows with the pool, bounded by maxpipes */
		uint32_t cap = pl->cap ? pl->cap * 2 : 16;
		int (*a)[2] = realloc(pl->pipes, cap * sizeof(*a));

		if (a) {
			pl->pipes = a;
			pl->cap = cap;
		}
	}
	if (!p->len && pl->nfree < pl->cap) {
		pl->pipes[pl->nfree][0] = p->fd[0];
		pl->pipes[pl->nfree][1] = p->fd[1];
		pl->nfree++;
	} else {
		close(p->fd[0]);
		close(p->fd[1]);
	}
	p->fd[0] = p->fd[1] = -1;
	p->len = 0;
}

/* Returns 0 once <fd> is non-blocking, or -errno. */
static int set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0)
		return -errno;
	if (!(fl & O_NONBLOCK) && fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -errno;
	return 0;
}

static void spipe_maybe_free(struct spipe *p)
{
	struct spipe_pool *pl = &p->thr->spipes;

	if (!(p->flags & SPIPE_F_CLOSING) || p->busy || p->op_in.inflight || p->op_out.inflight)
		return;
	ring_op_retire(&p->op_in);
	ring_op_retire(&p->op_out);
	p->next = pl->free;
	pl->free = p;
}

struct spipe *spipe_get(struct thr *t, struct chan *ch, struct conn *src, struct conn *dst)
{
	struct spipe_pool *pl = &t->spipes;
	struct spipe *p = pl->free;

	/* every pipe holds bytes: not worth switching now */
	if (pl->used >= pl->max || src->fd < 0 || dst->fd < 0)
		return NULL;
	if (set_nonblock(src->fd) < 0 || set_nonblock(dst->fd) < 0)
		return NULL;
	if (p) {
		pl->free = p->next;
	} else {
		if (!(p = malloc(sizeof(*p))))
			return NULL;
		p->thr = t;
		ring_op_init(&p->op_in, spipe_in_cb);
		ring_op_init(&p->op_out, spipe_out_cb);
	}
	p->fd[0] = p->fd[1] = -1;
	p->len = 0;
	p->flags = 0;
	p->busy = 0;
	p->ch = ch;
	p->src = src;
	p->dst = dst;
	p->next = NULL;
	/* from now on the source is read by splice(2) only: its multishot
	 * receive is cancelled, what it still delivers goes to <ch> first */
	src->flags |= CONN_F_RX_SPLICE;
	conn_recv_stop(src);
	return p;
}

uint32_t spipe_len(const struct spipe *p)
{
	return p->len;
}

/* Returns 1 if the pipe may be written to the destination now: bytes in
 * it, the channel's bytes (older) all sent, the destination writable. */
static int spipe_can_out(const struct spipe *p)
{
	return p->len && !chan_len(p->ch) &&
	       !(p->dst->flags & (CONN_F_TX_BUSY | CONN_F_TX_ERR | CONN_F_SHUTW | CONN_F_CLOSING)) &&
	       !p->op_out.inflight;
}

/* One splice(2) from the pipe to the destination. Returns the events for
 * the destination's owner: CONN_EV_SENT, CONN_EV_ERROR, or 0 (it is full:
 * its write readiness is armed). */
static unsigned spipe_out(struct spipe *p)
{
	struct conn *dst = p->dst;
	ssize_t r = splice(p->fd[0], NULL, dst->fd, NULL, p->len, SPLICE_F_NONBLOCK | SPLICE_F_MOVE);

	if (r > 0) {
		p->len -= (uint32_t)r;
		p->ch->total_out += (uint64_t)r;
		p->thr->spipes.spliced_out += (uint64_t)r;
		p->flags &= ~SPIPE_F_FULL;
		/* the socket took less than the pipe held: it is full */
		if (p->len)
			ring_poll(p->thr->ring, &p->op_out, dst->fd, POLLOUT);
		return CONN_EV_SENT;
	}
	if (r < 0 && errno == EAGAIN) {
		ring_poll(p->thr->ring, &p->op_out, dst->fd, POLLOUT);
		return 0;
	}
	/* EPIPE, ECONNRESET...: as a failed send */
	dst->flags |= CONN_F_TX_ERR;
	dst->err = r < 0 ? errno : EPIPE;
	p->ch->flags |= CHAN_WRITE_ERROR;
	return CONN_EV_ERROR;
}

/* One splice(2) from the source into the pipe, after a read readiness.
 * Returns CONN_EV_RECV when something happened (bytes, EOF, error). */
static unsigned spipe_in(struct spipe *p)
{
	struct conn *src = p->src;
	ssize_t r = splice(src->fd, NULL, p->fd[1], NULL, SPIPE_CHUNK, SPLICE_F_NONBLOCK | SPLICE_F_MOVE);

	if (r > 0) {
		p->len += (uint32_t)r;
		p->ch->total_in += (uint64_t)r;
		return CONN_EV_RECV;
	}
	if (r == 0) {
		src->flags |= CONN_F_RX_EOF;
		p->ch->flags |= CHAN_SHUTR;
		return CONN_EV_RECV;
	}
	if (errno == EAGAIN) {
		/* the pipe is full (or nothing was there after all) */
		if (p->len)
			p->flags |= SPIPE_F_FULL;
		return 0;
	}
	src->flags |= CONN_F_RX_ERR;
	src->err = errno;
	p->ch->flags |= CHAN_SHUTR | CHAN_READ_ERROR;
	return CONN_EV_RECV;
}

/* Returns 1 if the source may be read now. */
static int spipe_can_in(const struct spipe *p)
{
	const struct conn *src = p->src;

	return !(p->flags & SPIPE_F_FULL) && !(p->ch->flags & CHAN_SHUTR) &&
	       !(src->flags & (CONN_F_RX_ARMED | CONN_F_RX_EOF | CONN_F_RX_ERR | CONN_F_CLOSING)) &&
	       !src->op_rx.inflight && !p->op_in.inflight;
}

int spipe_pump(struct spipe *p)
{
	int ret = 0;

	if (p->flags & (SPIPE_F_CLOSING | SPIPE_F_OFF))
		return 0;
	if (spipe_can_out(p))
		ret = ring_poll(p->thr->ring, &p->op_out, p->dst->fd, POLLOUT);
	if (!ret && spipe_can_in(p))
		ret = ring_poll(p->thr->ring, &p->op_in, p->src->fd, POLLIN | POLLRDHUP);
	return ret;
}

/* Read readiness: one read into the pipe, then at once one write out of
 * it (no loop turn between them), then the owners are told. */
static void spipe_in_cb(struct ring_op *op, int res, uint32_t flags)
{
	struct spipe *p = container_of(op, struct spipe, op_in);
	unsigned ev_in = 0, ev_out = 0;

	(void)flags;
	p->busy++;
	if ((p->flags & SPIPE_F_CLOSING) || res == -ECANCELED)
		goto out;
	/* a read timeout may have ended this side meanwhile (stream.c) */
	if (!(p->ch->flags & CHAN_SHUTR)) {
		if (p->fd[0] < 0 && pipe_take(p) < 0) {
			/* every pipe is busy: this direction goes back to the
			 * copy path (the pipe is empty: the order is kept) */
			p->flags |= SPIPE_F_OFF;
			p->src->flags &= ~CONN_F_RX_SPLICE;
			conn_recv_start(p->src);
			goto out;
		}
		ev_in = spipe_in(p);
	}
	if (spipe_can_out(p))
		ev_out = spipe_out(p);
	if (!p->len)
		pipe_give(p);         /* an idle stream holds no pipe */
	if (ev_out)
		conn_notify(p->dst, ev_out);
	if (p->flags & SPIPE_F_CLOSING)
		goto out;
	if (ev_in)
		conn_notify(p->src, ev_in);
	/* nothing to report (the pipe was full): the owner does not run,
	 * re-arm here what can be */
	if (!ev_in && !ev_out)
		spipe_pump(p);
out:
	p->busy--;
	spipe_maybe_free(p);
}

/* Write readiness of the destination. */
static void spipe_out_cb(struct ring_op *op, int res, uint32_t flags)
{
	struct spipe *p = container_of(op, struct spipe, op_out);
	unsigned ev = 0;

	(void)flags;
	p->busy++;
	if ((p->flags & SPIPE_F_CLOSING) || res == -ECANCELED)
		goto out;
	if (spipe_can_out(p))
		ev = spipe_out(p);
	if (!p->len)
		pipe_give(p);
	if (ev)
		conn_notify(p->dst, ev);
	else
		spipe_pump(p);
out:
	p->busy--;
	spipe_maybe_free(p);
}

void spipe_put(struct spipe *p)
{
	struct ring *r;

	if (!p || (p->flags & SPIPE_F_CLOSING))
		return;
	r = p->thr->ring;
	p->flags |= SPIPE_F_CLOSING;
	pipe_give(p);             /* closed if it still holds bytes */
	p->ch = NULL;
	p->src = p->dst = NULL;
	/* cancel before free: no completion may arrive for a reused slot */
	if (p->op_in.inflight)
		ring_cancel(r, &p->op_in);
	if (p->op_out.inflight)
		ring_cancel(r, &p->op_out);
	spipe_maybe_free(p);
}
