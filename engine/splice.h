/* splice.h: kernel splicing of one direction of a stream — socket -> pipe
 * -> socket with non-blocking splice(2), driven by one-shot io_uring polls
 * (IORING_OP_SPLICE would hand every call to an io-wq worker thread). The
 * bytes never enter user space.
 *
 * A direction switches to splicing once the stream forwards it without
 * looking at it (stream.c decides). spipe_get() stops the source's
 * multishot receive; bytes already received still go through the channel,
 * and the pipe is written to the destination only once the channel is
 * empty, so the order is kept. Transfers are reported through the
 * connections' owners, as the copy path does: CONN_EV_RECV on the source
 * (bytes read into the pipe, EOF, error; ch->total_in counts them),
 * CONN_EV_SENT or CONN_EV_ERROR on the destination (ch->total_out).
 *
 * Pipes come from a bounded per-thread pool (maxpipes) and are held only
 * while they hold bytes, so an idle stream holds none; a direction that
 * finds no pipe free when its source becomes readable goes back to the
 * copy path for good. spipe_put() at the end of the stream closes a pipe
 * that still holds bytes. */
#ifndef RP_SPLICE_H
#define RP_SPLICE_H

#include <stdint.h>

struct thr;
struct chan;
struct conn;
struct spipe;

/* The per-thread pool (a field of struct thr, changed only by splice.c;
 * "show info" reads its counters). A
 * stream direction holds a pipe only while bytes are in it: taken when
 * its source is readable, given back once written out. */
struct spipe_pool {
	struct spipe *free;         /* spipe structs for reuse (they hold no pipe) */
	int (*pipes)[2];            /* free pipes (a stack of <cap>), <nfree> of them */
	uint32_t nfree, cap;
	uint32_t used;              /* pipes held by streams */
	uint32_t max;               /* maxpipes: bound on used + nfree */
	uint32_t pipesize;          /* F_SETPIPE_SZ, 0 = the kernel's default */
	uint64_t spliced_out;       /* bytes written from pipes, ever */
	long fd_max;                /* RLIMIT_NOFILE at start: pipes leave room for sockets */
};

/* Sets up <t>'s pool: at most <max> pipes of <pipesize> bytes (0: the
 * kernel's default). <max> 0 disables splicing. */
void spipe_pool_init(struct thr *t, uint32_t max, uint32_t pipesize);
/* Closes the pool's free pipes (at exit; none may be in use). */
void spipe_pool_free(struct thr *t);

/* Returns a splice pump moving <src>'s bytes into <dst> for channel <ch>
 * (<src>'s rx, <dst>'s tx), or NULL: every pipe busy, out of memory, or
 * the sockets cannot be made non-blocking. Both connections must be plain
 * TCP and connected. Starts no transfer: call spipe_pump(). */
struct spipe *spipe_get(struct thr *t, struct chan *ch, struct conn *src, struct conn *dst);
/* Arms what can run now: the read readiness of the source (unless the
 * pipe is full, the source ended, or its last receive is still in
 * flight), the write readiness of the destination when the pipe holds
 * bytes and the channel is empty. Reports nothing synchronously.
 * Returns 0 or -errno (ring full). */
int spipe_pump(struct spipe *p);
/* Returns the bytes waiting in the pipe. */
uint32_t spipe_len(const struct spipe *p);
/* Detaches <p> from its stream: no event is reported after it; polls in
 * flight are cancelled and the pipe goes back to the pool on their last
 * completion. Call it before closing either connection. NULL accepted. */
void spipe_put(struct spipe *p);

#endif
