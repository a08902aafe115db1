/* thread.h: the per-thread context and its event loop. Everything the data
 * path touches lives here or hangs off it: the ring, the timer wheel, the
 * chunk/segment pool, the connection and stream pools, the listeners.
 * Nothing on the data path is shared between threads.
 *
 * How main.c drives it (one thread for now):
 *
 *     if (listeners_bind(cfg, err, sizeof(err)) < 0)       // listener.h
 *             alert("%s", err), exit(1);
 *     struct thr *t = thr_new(cfg, 0, &rc, err, sizeof(err));
 *     if (!t)                                              // io_uring unusable:
 *             fprintf(stderr, "[ALERT] ... : %s\n", err), exit(1);
 *     signal handlers call thr_soft_stop(t) (SIGUSR1) / thr_request_stop(t) (SIGTERM, SIGINT)
 *     rc = thr_run(t);                                     // returns when stopped
 *     thr_free(t); listeners_close(cfg);
 *
 * The fields are public for reading; only the owning thread changes them. */
#ifndef RP_THREAD_H
#define RP_THREAD_H

#include <signal.h>
#include <stdint.h>
#include "engine/chan.h"
#include "engine/timer.h"
#include "engine/freq_ctr.h"
#include "engine/proxy.h"
#include "engine/splice.h"

struct ring;
struct conn;
struct conn_tx;
struct conn_tls;
struct stream;
struct listener;

struct thr {
	int id;                          /* 0..nbthread-1 */
	struct config *cfg;
	struct ring *ring;
	struct timers timers;
	struct chan_pool pool;           /* segments, heap chunks, ring chunks */
	uint64_t now_ms;                 /* monotonic ms, refreshed once per loop turn */
	uint64_t now_us;                 /* wall clock, µs since the epoch, same refresh */
	uint32_t bufsize;                /* tune.bufsize */

	struct listener *listeners;      /* this thread's accepting sockets */
	uint32_t cur_conn;               /* accepted client connections alive (global maxconn) */
	struct freq_ctr conn_rate;       /* connections accepted per second (maxconnrate) */
	uint32_t nb_streams;             /* streams alive */
	uint32_t nb_conns;               /* connections out of the pool (closing ones too) */

	/* pools: no malloc per connection once warm (private to conn.c / stream.c) */
	struct conn *free_conns;
	struct conn_tx *free_tx;         /* send contexts (conn.c) */
	struct conn_tls *free_tls;       /* TLS session blocks (conn.c) */
	struct spipe_pool spipes;        /* pipes for splicing (splice.c) */
	struct stream **strm_tab;        /* index -> stream (stream_from_ref) */
	uint32_t strm_tab_size;
	uint32_t strm_free;              /* head of the free index list, UINT32_MAX if none */

	/* connections waiting for receive buffers (ENOBUFS), re-armed when freed */
	struct conn *wait_bufs;
	/* streams to re-run at the end of the loop turn (stream_wakeup) */
	struct stream *runq;
	/* streams waiting for a server slot (maxconn), FIFO (backend.c) */
	struct stream *queue_head, *queue_tail;

	volatile sig_atomic_t stop_req;  /* 1: soft stop (drain), 2: stop now */
	int accepting;                   /* listeners armed */
	int stopping;                    /* soft stop in progress */
	uint64_t loops;                  /* loop turns, for stats */
	struct timer trim;               /* periodic release of idle receive buffers */
	struct timer hard_stop;          /* hard-stop-after, armed when the soft stop begins */
};

/* Returns a new thread context for <cfg> with its ring, pools and timers,
 * with the listeners bound by listeners_bind() attached, or NULL with
 * *<rc> = -errno and <err> holding one line naming the cause and the fix
 * (e.g. io_uring disabled by sysctl). */
struct thr *thr_new(struct config *cfg, int id, int *rc, char *err, size_t errlen);
/* Runs the loop until stopped. Returns 0 (stopped) or -errno (fatal). */
int thr_run(struct thr *t);
void thr_free(struct thr *t);

/* Async-signal-safe (they only set a flag; the loop acts on it at its next
 * turn, a signal interrupts the wait): */
/* Soft stop (SIGUSR1): stop accepting, let streams finish, then return. */
void thr_soft_stop(struct thr *t);
/* Stop now (SIGTERM/SIGINT): close everything, thr_run() returns. */
void thr_request_stop(struct thr *t);

/* Called from the loop thread only. */
/* Stops accepting on every listener (maxconn reached, soft stop). */
void thr_stop_accepting(struct thr *t);
/* Resumes accepting (below maxconn again). */
void thr_resume_accepting(struct thr *t);

/* The thread running the loop on this OS thread, or NULL. */
extern __thread struct thr *thr_cur;

#endif
