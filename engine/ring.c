/* ring.c: the per-thread io_uring and its provided-buffer ring (ring.h).
 * The only file that includes liburing. user_data is built by ud_encode()
 * and read by ud_decode(), nowhere else: the op's address in the low 48
 * bits and its 16-bit generation in the high ones; 0 marks requests
 * whose completion nobody wants (cancels, fire-and-forget closes). */
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <liburing.h>
#include "engine/ring.h"
#include "engine/chan.h"
#include "engine/proxy.h"
#include "engine/log.h"

#define RING_BGID 1
#define RING_BUF_BATCH 64   /* buffers handed to the kernel at a time */
#define RING_BUF_LOW   16   /* grow when fewer are left */
#define RING_FEAT_MIN_TIMEOUT (1U << 15)  /* Linux 6.12: min_wait_usec in the wait argument */
#define RING_WAIT_FOREVER_MS  3600000     /* a min-wait needs a finite general timeout */

struct ring {
	struct io_uring uring;
	struct io_uring_buf_ring *br;  /* shared with the kernel */
	size_t br_bytes;
	char *bufmem;                  /* nbufs * bufsize bytes */
	size_t bufmem_bytes;
	struct chunk *chunks;          /* one per buffer, chunk->bid = index */
	uint8_t *dirty;                /* per buffer: used since the last ring_trim() */
	struct chan_pool *pool;
	unsigned nbufs, bufsize;
	unsigned bufs_free;            /* buffers owned by the kernel */
	unsigned bufs_added;           /* buffers handed to the kernel so far (grows on demand) */
	uint32_t cur_buf;              /* flags of the completion being delivered, until taken */
	struct ring_stats st;
	struct __kernel_timespec ts;   /* for ring_timeout(): read at submit */
	void (*on_wake)(void *arg);
	void *on_wake_arg;
	const sigset_t *wait_mask;     /* signal mask while waiting, NULL: unchanged */
	unsigned min_wait_us;          /* ring_wait_batch(): 0 = the kernel has no min-wait, or off */
};

void ring_set_wait_sigmask(struct ring *r, const sigset_t *mask)
{
	r->wait_mask = mask;
}

void ring_on_wake(struct ring *r, void (*fn)(void *arg), void *arg)
{
	r->on_wake = fn;
	r->on_wake_arg = arg;
}

/* -- user_data codec ------------------------------------------------------ */

/* x86-64 and arm64 user addresses fit in 48 bits (heap and stacks are
 * never placed above unless a mapping asks for it explicitly). */
static inline uint64_t ud_encode(const struct ring_op *op)
{
#ifdef RP_DEBUG
	assert(!((uintptr_t)op >> 48));
#endif
	return op ? ((uint64_t)op->gen << 48) | ((uint64_t)(uintptr_t)op & 0xffffffffffffull) : 0;
}

/* Returns the op of <ud> (NULL for 0) and its generation in *<gen>. */
static inline struct ring_op *ud_decode(uint64_t ud, uint16_t *gen)
{
	*gen = (uint16_t)(ud >> 48);
	return (struct ring_op *)(uintptr_t)(ud & 0xffffffffffffull);
}

/* -- provided buffers ----------------------------------------------------- */

/* chan_pool recycle hook: the last reference to a ring chunk dropped. */
static void buf_recycle(void *arg, struct chunk *chk)
{
	struct ring *r = arg;

	io_uring_buf_ring_add(r->br, chk->data, r->bufsize, chk->bid,
	                      io_uring_buf_ring_mask(r->nbufs), 0);
	io_uring_buf_ring_advance(r->br, 1);
	r->bufs_free++;
}

/* Hands the next batch of never-used buffers to the kernel. Buffers are
 * added on demand rather than all at start: the kernel cycles through
 * every buffer in the ring, so a large ring would touch (make resident)
 * all its memory even under a light load. */
static void bufs_grow(struct ring *r)
{
	unsigned n = r->nbufs - r->bufs_added;

	if (n > RING_BUF_BATCH)
		n = RING_BUF_BATCH;
	for (unsigned i = 0; i < n; i++) {
		struct chunk *c = &r->chunks[r->bufs_added + i];

		io_uring_buf_ring_add(r->br, c->data, r->bufsize, c->bid,
		                      io_uring_buf_ring_mask(r->nbufs), (int)i);
	}
	io_uring_buf_ring_advance(r->br, (int)n);
	r->bufs_added += n;
	r->bufs_free += n;
}

struct chunk *ring_buf_take(struct ring *r, uint32_t flags)
{
	struct chunk *c;
	unsigned bid;

	if (!(flags & IORING_CQE_F_BUFFER))
		return NULL;
	bid = flags >> IORING_CQE_BUFFER_SHIFT;
	if (bid >= r->nbufs)
		return NULL;
	c = &r->chunks[bid];
	c->refs = 1;
	r->dirty[bid] = 1;
	r->bufs_free--;
	if (r->bufs_free < RING_BUF_LOW && r->bufs_added < r->nbufs)
		bufs_grow(r);
	if (r->cur_buf && (r->cur_buf >> IORING_CQE_BUFFER_SHIFT) == bid)
		r->cur_buf = 0;
	return c;
}

unsigned ring_bufs_free(const struct ring *r)
{
	return r->bufs_free;
}

static int bufs_setup(struct ring *r)
{
	struct io_uring_buf_reg reg;
	int ret;

	r->br_bytes = (size_t)r->nbufs * sizeof(struct io_uring_buf);
	r->br = mmap(NULL, r->br_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (r->br == MAP_FAILED) {
		r->br = NULL;
		return -errno;
	}
	/* receive memory: touched page by page as the kernel fills buffers */
	r->bufmem_bytes = (size_t)r->nbufs * r->bufsize;
	r->bufmem = mmap(NULL, r->bufmem_bytes, PROT_READ | PROT_WRITE,
	                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (r->bufmem == MAP_FAILED) {
		r->bufmem = NULL;
		return -errno;
	}
	r->chunks = calloc(r->nbufs, sizeof(*r->chunks));
	r->dirty = calloc(r->nbufs, 1);
	if (!r->chunks || !r->dirty)
		return -ENOMEM;
	io_uring_buf_ring_init(r->br);
	memset(&reg, 0, sizeof(reg));
	reg.ring_addr = (uint64_t)(uintptr_t)r->br;
	reg.ring_entries = r->nbufs;
	reg.bgid = RING_BGID;
	ret = io_uring_register_buf_ring(&r->uring, &reg, 0);
	if (ret < 0)
		return ret;
	for (unsigned i = 0; i < r->nbufs; i++) {
		struct chunk *c = &r->chunks[i];

		c->data = r->bufmem + (size_t)i * r->bufsize;
		c->size = r->bufsize;
		c->refs = 0;
		c->kind = CHUNK_RING;
		c->bid = (uint16_t)i;
		c->pool = r->pool;
		c->next_free = NULL;
	}
	r->bufs_added = r->bufs_free = 0;
	bufs_grow(r);
	return 0;
}

/* -- set-up --------------------------------------------------------------- */

/* Writes into <err> one line naming why io_uring_setup failed with <rc>
 * and what to do about it. */
static void explain_setup_error(int rc, char *err, size_t errlen)
{
	FILE *f;
	int disabled = -1;

	switch (-rc) {
	case ENOSYS:
		snprintf(err, errlen, "io_uring is not available: this kernel is too old or built "
		         "without CONFIG_IO_URING (ringproxy needs Linux >= 6.1 with io_uring)");
		break;
	case EPERM:
	case EACCES:
		f = fopen("/proc/sys/kernel/io_uring_disabled", "r");
		if (f) {
			if (fscanf(f, "%d", &disabled) != 1)
				disabled = -1;
			fclose(f);
		}
		if (disabled > 0)
			snprintf(err, errlen, "io_uring is disabled by sysctl kernel.io_uring_disabled=%d: "
			         "run 'sysctl -w kernel.io_uring_disabled=0' (or add this user to "
			         "kernel.io_uring_group when it is 1)", disabled);
		else
			snprintf(err, errlen, "io_uring_setup() was denied (%s): a seccomp profile (container "
			         "runtime, systemd SystemCallFilter=) blocks io_uring; allow io_uring_setup, "
			         "io_uring_enter and io_uring_register", strerror(-rc));
		break;
	case ENOMEM:
		snprintf(err, errlen, "cannot set up io_uring: out of locked memory; raise the "
		         "RLIMIT_MEMLOCK limit ('ulimit -l') or lower the ring size");
		break;
	default:
		snprintf(err, errlen, "cannot set up io_uring: %s", strerror(-rc));
	}
}

struct ring *ring_new(const struct ring_params *p, int *rc, char *err, size_t errlen)
{
	struct io_uring_params up;
	struct ring *r = calloc(1, sizeof(*r));
	unsigned entries = p->entries ? p->entries : 1024;
	int ret;

	if (!r) {
		*rc = -ENOMEM;
		snprintf(err, errlen, "cannot set up io_uring: out of memory");
		return NULL;
	}
	r->pool = p->pool;
	r->nbufs = p->nbufs ? p->nbufs : 1024;
	r->bufsize = p->bufsize ? p->bufsize : 16384;
	if (r->nbufs > 32768 || (r->nbufs & (r->nbufs - 1))) {
		*rc = -EINVAL;
		snprintf(err, errlen, "cannot set up io_uring: %u receive buffers (a power of two <= 32768 is needed)",
		         r->nbufs);
		goto fail;
	}

	memset(&up, 0, sizeof(up));
	up.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_CQSIZE |
	           IORING_SETUP_SUBMIT_ALL;
	up.cq_entries = entries * 4;
	ret = io_uring_queue_init_params(entries, &r->uring, &up);
	if (ret == -EINVAL) {
		/* older kernel: without the single-issuer fast path */
		memset(&up, 0, sizeof(up));
		up.flags = IORING_SETUP_CQSIZE;
		up.cq_entries = entries * 4;
		ret = io_uring_queue_init_params(entries, &r->uring, &up);
		if (ret == 0)
			rp_notice("io_uring: kernel refused SINGLE_ISSUER|DEFER_TASKRUN, running without them");
	} else if (ret == 0) {
		r->st.fast_flags = 1;
	}
	if (ret == 0 && (up.features & RING_FEAT_MIN_TIMEOUT))
		r->min_wait_us = p->min_wait_us;
	if (ret < 0) {
		*rc = ret;
		explain_setup_error(ret, err, errlen);
		goto fail;
	}
	if (!(up.features & IORING_FEAT_EXT_ARG) || !(up.features & IORING_FEAT_NODROP)) {
		*rc = -ENOSYS;
		snprintf(err, errlen, "io_uring is too old on this kernel (no EXT_ARG/NODROP): "
		         "ringproxy needs Linux >= 6.1");
		goto fail_uring;
	}
	if (r->pool) {
		r->pool->recycle = buf_recycle;
		r->pool->recycle_arg = r;
	}
	ret = bufs_setup(r);
	if (ret < 0) {
		*rc = ret;
		if (ret == -EINVAL || ret == -ENOENT)
			snprintf(err, errlen, "io_uring: the kernel lacks provided buffer rings "
			         "(IORING_REGISTER_PBUF_RING, Linux >= 5.19 is needed)");
		else
			snprintf(err, errlen, "io_uring: cannot set up %u receive buffers of %u bytes: %s",
			         r->nbufs, r->bufsize, strerror(-ret));
		goto fail_uring;
	}
	return r;
fail_uring:
	io_uring_queue_exit(&r->uring);
fail:
	if (r->bufmem)
		munmap(r->bufmem, r->bufmem_bytes);
	if (r->br)
		munmap(r->br, r->br_bytes);
	free(r->chunks);
	free(r->dirty);
	free(r);
	return NULL;
}

void ring_free(struct ring *r)
{
	if (!r)
		return;
	io_uring_queue_exit(&r->uring);
	if (r->pool && r->pool->recycle_arg == r)
		r->pool->recycle = NULL;
	munmap(r->bufmem, r->bufmem_bytes);
	munmap(r->br, r->br_bytes);
	free(r->chunks);
	free(r->dirty);
	free(r);
}

unsigned ring_trim(struct ring *r, unsigned keep)
{
	unsigned n = 0, i = 0;

	/* only with DEFER_TASKRUN: the kernel then fills buffers only while
	 * this thread is inside io_uring_enter(), never while we run here */
	if (!r->st.fast_flags || r->bufs_free <= keep)
		return 0;
	while (i < r->bufs_added) {
		unsigned j;

		if (!r->dirty[i] || r->chunks[i].refs) {
			i++;
			continue;
		}
		/* a run of free used buffers: one madvise */
		for (j = i; j < r->bufs_added && r->dirty[j] && !r->chunks[j].refs; j++)
			r->dirty[j] = 0;
		madvise(r->chunks[i].data, (size_t)(j - i) * r->bufsize, MADV_DONTNEED);
		n += j - i;
		i = j;
	}
	return n;
}

/* -- submission ----------------------------------------------------------- */

/* Returns a free SQE, flushing the queue to the kernel once if it is full,
 * or NULL. */
static struct io_uring_sqe *sqe_get(struct ring *r)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&r->uring);

	if (!sqe) {
		io_uring_submit(&r->uring);
		sqe = io_uring_get_sqe(&r->uring);
	}
	return sqe;
}

/* Tags <sqe> with <op> and counts it in flight. Returns 0. */
static int sqe_done(struct ring *r, struct io_uring_sqe *sqe, struct ring_op *op)
{
	io_uring_sqe_set_data64(sqe, ud_encode(op));
	if (op)
		op->inflight++;
	r->st.submitted++;
	return 0;
}

int ring_accept_multi(struct ring *r, struct ring_op *op, int lfd)
{
	struct io_uring_sqe *sqe = sqe_get(r);

	if (!sqe)
		return -EBUSY;
	io_uring_prep_multishot_accept(sqe, lfd, NULL, NULL, SOCK_CLOEXEC);
	return sqe_done(r, sqe, op);
}

int ring_recv_multi(struct ring *r, struct ring_op *op, int fd)
{
	struct io_uring_sqe *sqe = sqe_get(r);

	if (!sqe)
		return -EBUSY;
	io_uring_prep_recv_multishot(sqe, fd, NULL, 0, 0);
	sqe->flags |= IOSQE_BUFFER_SELECT;
	sqe->buf_group = RING_BGID;
	return sqe_done(r, sqe, op);
}

int ring_recv(struct ring *r, struct ring_op *op, int fd, void *buf, size_t len)
{
	struct io_uring_sqe *sqe = sqe_get(r);

	if (!sqe)
		return -EBUSY;
	io_uring_prep_recv(sqe, fd, buf, len, 0);
	return sqe_done(r, sqe, op);
}

int ring_send(struct ring *r, struct ring_op *op, int fd, const void *buf, size_t len)
{
	struct io_uring_sqe *sqe = sqe_get(r);

	if (!sqe)
		return -EBUSY;
	io_uring_prep_send(sqe, fd, buf, len, MSG_NOSIGNAL);
	return sqe_done(r, sqe, op);
}

int ring_sendmsg(struct ring *r, struct ring_op *op, int fd, const struct msghdr *msg)
{
	struct io_uring_sqe *sqe = sqe_get(r);

	if (!sqe)
		return -EBUSY;
	io_uring_prep_sendmsg(sqe, fd, msg, MSG_NOSIGNAL);
	return sqe_done(r, sqe, op);
}

int ring_connect(struct ring *r, struct ring_op *op, int fd, const struct addr *a)
{
	struct io_uring_sqe *sqe = sqe_get(r);

	if (!sqe)
		return -EBUSY;
	io_uring_prep_connect(sqe, fd, &a->u.sa, a->len);
	return sqe_done(r, sqe, op);
}

int ring_poll(struct ring *r, struct ring_op *op, int fd, unsigned events)
{
	struct io_uring_sqe *sqe = sqe_get(r);

	if (!sqe)
		return -EBUSY;
	io_uring_prep_poll_add(sqe, fd, events);
	return sqe_done(r, sqe, op);
}

int ring_shutdown(struct ring *r, struct ring_op *op, int fd, int how)
{
	struct io_uring_sqe *sqe = sqe_get(r);

	if (!sqe)
		return -EBUSY;
	io_uring_prep_shutdown(sqe, fd, how);
	return sqe_done(r, sqe, op);
}

int ring_close(struct ring *r, struct ring_op *op, int fd)
{
	struct io_uring_sqe *sqe = sqe_get(r);

	if (!sqe)
		return -EBUSY;
	io_uring_prep_close(sqe, fd);
	return sqe_done(r, sqe, op);
}

int ring_cancel(struct ring *r, struct ring_op *op)
{
	struct io_uring_sqe *sqe = sqe_get(r);

	if (!sqe)
		return -EBUSY;
	io_uring_prep_cancel64(sqe, ud_encode(op), IORING_ASYNC_CANCEL_ALL);
	return sqe_done(r, sqe, NULL);
}

int ring_cancel_fd(struct ring *r, int fd)
{
	struct io_uring_sqe *sqe = sqe_get(r);

	if (!sqe)
		return -EBUSY;
	io_uring_prep_cancel_fd(sqe, fd, IORING_ASYNC_CANCEL_ALL);
	return sqe_done(r, sqe, NULL);
}

int ring_timeout(struct ring *r, struct ring_op *op, uint64_t ms)
{
	struct io_uring_sqe *sqe = sqe_get(r);

	if (!sqe)
		return -EBUSY;
	r->ts.tv_sec = (long long)(ms / 1000);
	r->ts.tv_nsec = (long long)(ms % 1000) * 1000000;
	io_uring_prep_timeout(sqe, &r->ts, 0, 0);
	sqe_done(r, sqe, op);
	/* the kernel reads the timespec at submission: submit now */
	io_uring_submit(&r->uring);
	return 0;
}

int ring_submit(struct ring *r)
{
	return io_uring_submit(&r->uring);
}

/* -- completion ----------------------------------------------------------- */

/* Delivers one completion. */
static void complete(struct ring *r, uint64_t ud, int res, uint32_t flags)
{
	uint16_t gen;
	struct ring_op *op = ud_decode(ud, &gen);
	uint32_t cflags = flags & (IORING_CQE_F_BUFFER | IORING_CQE_F_MORE);

	r->st.completed++;
	if (res == -ENOBUFS) {
		r->st.enobufs++;
		if (r->bufs_added < r->nbufs)
			bufs_grow(r);
	}
	if (!op) {
		if (flags & IORING_CQE_F_BUFFER)
			goto drop_buf;
		return;
	}
	if (gen != op->gen) {
		r->st.stale++;
		if (flags & IORING_CQE_F_BUFFER)
			goto drop_buf;
		return;
	}
	if (!(flags & IORING_CQE_F_MORE) && op->inflight)
		op->inflight--;
	/* the buffer's bid rides in the high bits of <flags>: pass them on */
	r->cur_buf = (flags & IORING_CQE_F_BUFFER) ? (flags & ~0xffffu) | IORING_CQE_F_BUFFER : 0;
	op->cb(op, res, (flags & ~0xffffu) | cflags);
	if (r->cur_buf) {
		/* the callback did not take the buffer: give it back */
		flags = r->cur_buf;
		r->cur_buf = 0;
		goto drop_buf;
	}
	return;
drop_buf:
	{
		struct chunk *c = ring_buf_take(r, flags);

		if (c)
			chunk_unref(c);
	}
}

/* The wait argument of io_uring_enter() since Linux 6.12, where liburing
 * 2.3's io_uring_getevents_arg still calls min_wait_usec "pad". */
struct ring_wait_arg {
	uint64_t sigmask;
	uint32_t sigmask_sz;
	uint32_t min_wait_usec;
	uint64_t ts;
};

/* Submits what is queued and sleeps until <batch> completions are there,
 * or, once r->min_wait_us has passed, until one is; <timeout_ms> (< 0:
 * none) bounds the whole wait. Returns what io_uring_enter() returns
 * (-errno on failure). liburing 2.3 has no call for it: the submission
 * queue's tail is published here as its io_uring_submit() would. */
static int ring_enter_batch(struct ring *r, int64_t timeout_ms, unsigned batch)
{
	struct io_uring_sq *sq = &r->uring.sq;
	unsigned tail = sq->sqe_tail;
	struct __kernel_timespec ts;
	struct ring_wait_arg arg = { .min_wait_usec = r->min_wait_us };
	long ret;

	if (sq->sqe_head != tail) {
		sq->sqe_head = tail;
		io_uring_smp_store_release(sq->ktail, tail);
	}
	if (timeout_ms < 0)
		timeout_ms = RING_WAIT_FOREVER_MS;
	ts.tv_sec = timeout_ms / 1000;
	ts.tv_nsec = (timeout_ms % 1000) * 1000000;
	arg.ts = (uint64_t)(uintptr_t)&ts;
	if (r->wait_mask) {
		arg.sigmask = (uint64_t)(uintptr_t)r->wait_mask;
		arg.sigmask_sz = _NSIG / 8;
	}
	ret = syscall(__NR_io_uring_enter, r->uring.ring_fd, tail - *sq->khead, batch,
	              IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG, &arg, sizeof(arg));
	return ret < 0 ? -errno : (int)ret;
}

int ring_wait_batch(struct ring *r, int64_t timeout_ms, unsigned batch)
{
	struct io_uring_cqe *cqe;
	unsigned head, n = 0;
	int ret;

	if (batch > 1 && timeout_ms != 0 && r->min_wait_us && !io_uring_cq_ready(&r->uring)) {
		ret = ring_enter_batch(r, timeout_ms, batch);
	} else if (timeout_ms == 0) {
		ret = io_uring_submit_and_get_events(&r->uring);
	} else if (timeout_ms < 0) {
		ret = io_uring_submit_and_wait_timeout(&r->uring, &cqe, 1, NULL, (sigset_t *)r->wait_mask);
	} else {
		struct __kernel_timespec ts = {
			.tv_sec = timeout_ms / 1000,
			.tv_nsec = (timeout_ms % 1000) * 1000000,
		};
		ret = io_uring_submit_and_wait_timeout(&r->uring, &cqe, 1, &ts, (sigset_t *)r->wait_mask);
	}
	if (ret < 0 && ret != -ETIME && ret != -EINTR && ret != -EAGAIN && ret != -EBUSY)
		return ret;
	if (r->on_wake)
		r->on_wake(r->on_wake_arg);
	/* callbacks may submit new requests, never wait: iterating is safe,
	 * but the CQ may grow meanwhile, so advance one at a time */
	for (;;) {
		unsigned got = 0;
		io_uring_for_each_cqe(&r->uring, head, cqe) {
			uint64_t ud = cqe->user_data;
			int res = cqe->res;
			uint32_t fl = cqe->flags;

			/* consume before delivering: a callback may free what the
			 * CQE slot's next use would overwrite */
			io_uring_cq_advance(&r->uring, 1);
			complete(r, ud, res, fl);
			got = 1;
			break;
		}
		if (!got)
			break;
		n++;
	}
	return ret == -EINTR && !n ? -EINTR : (int)n;
}

void ring_get_stats(const struct ring *r, struct ring_stats *st)
{
	*st = r->st;
	st->bufs_free = r->bufs_free;
	st->min_wait_us = r->min_wait_us;
}
