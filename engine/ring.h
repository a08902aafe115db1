/* ring.h: the per-thread io_uring, the only module that includes liburing.
 * Other modules submit operations through a `struct ring_op` embedded in
 * their own objects and get the completion back through its callback:
 *
 *     struct ring_op op;                         // inside your object
 *     ring_op_init(&op, my_cb);
 *     ring_connect(thr->ring, &op, fd, &addr);   // 0 or -errno (no SQE)
 *     ...
 *     static void my_cb(struct ring_op *op, int res, uint32_t flags)
 *     { struct my_obj *o = container_of(op, struct my_obj, op); ... }
 *
 * <res> is the kernel's cqe->res (>= 0 or -errno), <flags> its cqe->flags
 * (RING_F_MORE: a multishot op stays armed; RING_F_BUFFER: a provided
 * buffer was used, take it with ring_buf_take()).
 *
 * user_data is encoded and decoded only in ring.c: the op's address plus a
 * 16-bit generation. ring_op_retire() bumps the generation so that a late
 * completion for an op whose owner moved on is detected and dropped
 * (counted in ring_stats.stale). Owners must still count their ops in
 * flight (op->inflight) and never free an object while it is non-zero:
 * the generation is a safety net, not a license to free early.
 *
 * Ops are never queued internally: each ring_* submit function returns
 * -EBUSY when the submission queue is full even after flushing it.
 *
 * Give the ring blocking sockets (no O_NONBLOCK/SOCK_NONBLOCK): io_uring
 * tries every operation without blocking and waits by itself, whereas on
 * an O_NONBLOCK socket a send can complete with -EAGAIN (measured here:
 * a sendmsg on a full socket buffer), which callers would have to retry.
 * (Not reproduced on Linux 6.18, where send, sendmsg and a multishot recv
 * on an O_NONBLOCK socket wait for readiness: splice.c relies on it, the
 * sockets of a spliced stream being O_NONBLOCK for splice(2).) */
#ifndef RP_RING_H
#define RP_RING_H

#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>

struct ring;
struct chunk;
struct chan_pool;
struct addr;

#ifndef container_of
#define container_of(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))
#endif

#define RING_F_BUFFER 0x1   /* == IORING_CQE_F_BUFFER */
#define RING_F_MORE   0x2   /* == IORING_CQE_F_MORE: a multishot op is still armed */

struct ring_op;
typedef void (*ring_cb)(struct ring_op *op, int res, uint32_t flags);

/* An operation slot. Embed it; do not copy it while ops are in flight. */
struct ring_op {
	ring_cb cb;
	uint16_t gen;        /* private to ring.c: generation in user_data */
	uint16_t inflight;   /* submissions whose last completion has not arrived */
};

/* Parameters of ring_new(). */
struct ring_params {
	unsigned entries;        /* SQ size, power of two (default 1024 when 0) */
	unsigned nbufs;          /* provided receive buffers, power of two (default 1024) */
	unsigned bufsize;        /* size of each (tune.bufsize, default 16384) */
	struct chan_pool *pool;  /* the thread's pool; receive buffers become CHUNK_RING chunks */
	unsigned min_wait_us;    /* ring_wait_batch()'s bound ("tune.ring.min-wait"), 0: off */
};

struct ring_stats {
	uint64_t submitted, completed, stale, enobufs;
	unsigned bufs_free;       /* provided buffers currently owned by the kernel */
	int fast_flags;           /* 1 if SINGLE_ISSUER|DEFER_TASKRUN were accepted */
	unsigned min_wait_us;     /* ring_wait_batch()'s in effect: 0 if off or the kernel has none */
};

/* Returns a new ring or NULL; then <err> holds ONE line naming the cause
 * and the fix (no "[ALERT]" prefix) and the return of -errno is in *<rc>. */
struct ring *ring_new(const struct ring_params *p, int *rc, char *err, size_t errlen);
/* Frees the ring and its buffers. Ops still in flight are abandoned:
 * call only at exit, after the loop stopped. */
void ring_free(struct ring *r);

static inline void ring_op_init(struct ring_op *op, ring_cb cb)
{
	op->cb = cb;
	op->gen = 0;
	op->inflight = 0;
}
/* Makes completions still in flight for <op> stale (dropped, not delivered). */
static inline void ring_op_retire(struct ring_op *op)
{
	op->gen++;
	op->inflight = 0;
}

/* Submission. Each returns 0 (queued; submitted at the next ring_wait())
 * or -EBUSY. On success op->inflight is incremented; ring.c decrements it
 * before calling the callback with the op's final completion (a multishot
 * op's intermediate completions carry RING_F_MORE and do not decrement). */
int ring_accept_multi(struct ring *r, struct ring_op *op, int lfd);
/* Multishot receive into the provided-buffer ring. Each completion with
 * res > 0 carries RING_F_BUFFER: call ring_buf_take() to own the buffer.
 * -ENOBUFS means the buffer ring ran dry: flow control, re-arm later. */
int ring_recv_multi(struct ring *r, struct ring_op *op, int fd);
/* Single-shot receive into the caller's buffer (checks, Lua sockets). */
int ring_recv(struct ring *r, struct ring_op *op, int fd, void *buf, size_t len);
int ring_send(struct ring *r, struct ring_op *op, int fd, const void *buf, size_t len);
/* <msg> and what it points to must stay valid until the completion. */
int ring_sendmsg(struct ring *r, struct ring_op *op, int fd, const struct msghdr *msg);
/* <a> must stay valid until the completion. */
int ring_connect(struct ring *r, struct ring_op *op, int fd, const struct addr *a);
/* One-shot readiness of <fd> for <events> (POLLIN, POLLOUT...): the
 * completion's res is the poll mask that became ready, or -errno. */
int ring_poll(struct ring *r, struct ring_op *op, int fd, unsigned events);
int ring_shutdown(struct ring *r, struct ring_op *op, int fd, int how);
/* <op> may be NULL: fire and forget. */
int ring_close(struct ring *r, struct ring_op *op, int fd);
/* Asks the kernel to cancel every op in flight for <op> (its completions
 * then arrive with -ECANCELED or their normal result). No completion is
 * delivered for the cancel request itself. */
int ring_cancel(struct ring *r, struct ring_op *op);
/* Same for every op on <fd>. */
int ring_cancel_fd(struct ring *r, int fd);
/* Wakes up after <ms> milliseconds: a one-shot timeout op (res -ETIME).
 * Prefer the timer wheel (timer.h); this exists for tests. */
int ring_timeout(struct ring *r, struct ring_op *op, uint64_t ms);

/* Takes ownership of the provided buffer of a completion with RING_F_BUFFER:
 * returns its chunk with refs = 1 (data at offset 0, <res> bytes). The
 * last chunk_unref() gives it back to the kernel. */
struct chunk *ring_buf_take(struct ring *r, uint32_t flags);
/* Gives the memory of free receive buffers back to the system when more
 * than <keep> are free (after a burst, idle connections hold no buffer:
 * their pages should not stay resident). Returns how many were trimmed. */
unsigned ring_trim(struct ring *r, unsigned keep);
/* Number of provided buffers currently available to the kernel. */
unsigned ring_bufs_free(const struct ring *r);

/* Submits what is queued, waits until at least one completion arrives or
 * <timeout_ms> passes (< 0: forever, 0: do not wait), then runs the
 * callbacks of every completion available. Returns the number of
 * completions processed (>= 0) or -errno (-EINTR on a signal).
 * With <batch> > 1, when the kernel can (Linux >= 6.12) and the ring has a
 * min_wait_us, the wait lasts until <batch> completions are there or, once
 * min_wait_us has passed, until one is: under load one wake-up serves
 * several completions (fewer sleeps, fewer entries into the kernel) for at
 * most min_wait_us of added latency. */
int ring_wait_batch(struct ring *r, int64_t timeout_ms, unsigned batch);
static inline int ring_wait(struct ring *r, int64_t timeout_ms)
{
	return ring_wait_batch(r, timeout_ms, 1);
}
/* Sets a function ring_wait() calls when the wait ends, before running any
 * callback: the loop refreshes its clock there, so that completions see
 * the time they arrived, not the time the wait began. */
void ring_on_wake(struct ring *r, void (*fn)(void *arg), void *arg);
/* Makes ring_wait() wait with <mask> as the signal mask (NULL: the
 * thread's mask), atomically, as ppoll() does: a thread that blocks its
 * stop signals outside the wait cannot miss one that arrives just before
 * it starts waiting. <mask> must stay valid. */
void ring_set_wait_sigmask(struct ring *r, const sigset_t *mask);
/* Submits what is queued without waiting. Returns >= 0 or -errno. */
int ring_submit(struct ring *r);

void ring_get_stats(const struct ring *r, struct ring_stats *st);

/* ring_probe.c: for "-vv". Returns the liburing version ringproxy was
 * built with ("2.3"). */
const char *ring_liburing_version(void);
/* Sets up a throw-away ring and writes to <out> what the kernel offers:
 * setup flags, IORING_FEAT_* bits, the opcodes ringproxy submits, and
 * whether multishot accept, provided-buffer rings and multishot receive
 * work (tried on loopback sockets). Returns 0, or -errno when io_uring
 * cannot be set up at all (a line says so). */
int ring_probe_report(FILE *out);

#endif
