/* thread.c: the per-thread context and its loop (thread.h). One turn:
 * refresh the clocks, fire due timers, run the streams woken up, re-arm
 * receives that waited for buffers, act on stop requests, then submit and
 * wait for completions until the next timer deadline. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "engine/thread.h"
#include "engine/http_idle.h"
#include "engine/ring.h"
#include "engine/conn.h"
#include "engine/epoch.h"
#include "engine/hooks.h"
#include "engine/listener.h"
#include "engine/log.h"
#include "engine/stream.h"
#include "regex/rx.h"

__thread struct thr *thr_cur;

/* Refreshes t->now_ms (monotonic) and t->now_us (wall clock). */
static void thr_clock(struct thr *t)
{
	struct timespec ts;

	t->now_ms = timer_now_ms();
	clock_gettime(CLOCK_REALTIME, &ts);
	t->now_us = (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

#define THR_TRIM_MS 1000
/* The trim timer leaves receive memory alone while no more than this many
 * bytes of buffers are free (the ring is busy; 2 MiB: 128 buffers of 16
 * KiB, 32 of 64 KiB). */
#define THR_TRIM_KEEP (2u << 20)
/* Receive buffers per thread: RP_RING_BYTES of address space (touched
 * only as the kernel fills buffers, trimmed when idle) cut into buffers of
 * RP_RING_BUFSIZE or tune.bufsize if larger. Receive buffers are a ring
 * parameter, not tune.bufsize: channels count bytes, not buffers, and a
 * larger buffer means fewer completions per byte on bulk transfers. Tests
 * build with a small count (CFLAGS=-DRP_RING_NBUFS=64, a power of two) to
 * exercise the empty-ring path. */
#ifndef RP_RING_BUFSIZE
#define RP_RING_BUFSIZE 65536
#endif
#ifndef RP_RING_BYTES
#define RP_RING_BYTES (64u << 20)
#endif

/* Returns the size of each receive buffer for tune.bufsize <bufsize>. */
static unsigned thr_ring_bufsize(unsigned bufsize)
{
	return bufsize > RP_RING_BUFSIZE ? bufsize : RP_RING_BUFSIZE;
}

/* Returns the number of receive buffers of <size> bytes: a power of two
 * between 64 and 32768. */
static unsigned thr_ring_nbufs(unsigned size)
{
#ifdef RP_RING_NBUFS
	(void)size;
	return RP_RING_NBUFS;
#else
	unsigned n = 64;

	while (n < 32768 && (uint64_t)n * 2 * size <= RP_RING_BYTES)
		n *= 2;
	return n;
#endif
}

/* Timer: returns the pages of receive buffers idle since the last turn. */
static void thr_trim_cb(struct timer *tm)
{
	struct thr *t = container_of(tm, struct thr, trim);

	ring_trim(t->ring, THR_TRIM_KEEP / thr_ring_bufsize(t->bufsize));
	timer_arm(&t->timers, &t->trim, t->now_ms + THR_TRIM_MS);
}

static void thr_hard_stop_cb(struct timer *tm);

static void thr_clock_cb(void *arg)
{
	thr_clock(arg);
}

struct thr *thr_new(struct config *cfg, int id, int *rc, char *err, size_t errlen)
{
	struct thr *t = calloc(1, sizeof(*t));
	struct ring_params p;
	int ret;

	if (!t) {
		*rc = -ENOMEM;
		snprintf(err, errlen, "out of memory creating thread %d", id);
		return NULL;
	}
	t->id = id;
	t->cfg = cfg;
	t->bufsize = cfg->g.bufsize ? cfg->g.bufsize : 16384;
	t->strm_free = UINT32_MAX;
	chan_pool_init(&t->pool, t->bufsize, NULL, NULL);
	/* HAProxy's default maxpipes: a quarter of maxconn */
	spipe_pool_init(t, cfg->g.nosplice ? 0 : cfg->g.maxpipes ? cfg->g.maxpipes :
	                (uint32_t)(cfg->g.maxconn > 4 ? cfg->g.maxconn / 4 : 1), cfg->g.pipesize);
	memset(&p, 0, sizeof(p));
	p.entries = 4096;
	p.bufsize = thr_ring_bufsize(t->bufsize);
	p.nbufs = thr_ring_nbufs(p.bufsize);
	p.pool = &t->pool;
	p.min_wait_us = cfg->g.ring_min_wait_us;
	t->ring = ring_new(&p, rc, err, errlen);
	if (!t->ring)
		goto fail;
	thr_clock(t);
	timers_init(&t->timers, t->now_ms);
	ring_on_wake(t->ring, thr_clock_cb, t);
	timer_init(&t->trim, thr_trim_cb);
	timer_init(&t->hard_stop, thr_hard_stop_cb);
	timer_arm(&t->timers, &t->trim, t->now_ms + THR_TRIM_MS);
	thr_cur = t;
	ret = listeners_attach(t);
	if (ret < 0) {
		*rc = ret;
		snprintf(err, errlen, "cannot start the listeners of thread %d: %s", id, strerror(-ret));
		goto fail_ring;
	}
	return t;
fail_ring:
	listeners_detach(t);
	ring_free(t->ring);
fail:
	chan_pool_destroy(&t->pool);
	free(t);
	if (thr_cur == t)
		thr_cur = NULL;
	return NULL;
}

/* Timer: "hard-stop-after" ran out during a soft stop. Says so as HAProxy
 * does (stderr and the logs), one line per frontend that still has
 * connections, then asks for the immediate stop that kills them. */
static void thr_hard_stop_cb(struct timer *tm)
{
	struct thr *t = container_of(tm, struct thr, hard_stop);
	static const char first[] = "soft-stop running for too long, performing a hard-stop.";
	char msg[256];
	int n;

	rp_warning("%s", first);
	log_send_targets(LOG_LVL_WARNING, first, sizeof(first) - 1, NULL);
	for (const struct proxy *px = t->cfg->proxies; px; px = px->next) {
		if (!(px->cap & PX_CAP_FE) || !px->fe_cur_conn)
			continue;
		n = snprintf(msg, sizeof(msg), "Proxy %s hard-stopped (%u remaining conns will be closed).",
		             px->name, px->fe_cur_conn);
		if (n < 0)
			continue;
		if ((size_t)n >= sizeof(msg))
			n = sizeof(msg) - 1;
		rp_warning("%s", msg);
		log_send_targets(LOG_LVL_WARNING, msg, (size_t)n, px);
	}
	t->stop_req = 2;
}

/* Acts on a stop request. Returns 1 when the loop must end. */
static int thr_check_stop(struct thr *t)
{
	if (t->stop_req == 2) {
		thr_stop_accepting(t);
		streams_kill_all(t);
		return 1;
	}
	if (t->stop_req == 1 && !t->stopping) {
		t->stopping = 1;
		listeners_unbind(t);
		/* HAProxy reports each proxy stopped when the soft stop begins,
		 * not when the last connection ends */
		if (t->id == 0)
			log_proxies_stopped(t->cfg);
		if (t->cfg->g.hard_stop_after)
			timer_arm(&t->timers, &t->hard_stop, t->now_ms + t->cfg->g.hard_stop_after);
	}
	return t->stopping && !t->nb_streams;
}

/* How many completions a wait of <t> may gather before it wakes up (within
 * tune.ring.min-wait): one per four open connections, at most 16. A lone
 * client's request/response ping-pong (two connections) never waits for
 * another's completion. */
static unsigned thr_wait_batch(const struct thr *t)
{
	unsigned n = t->nb_conns / 4;

	return n < 1 ? 1 : n > 16 ? 16 : n;
}

int thr_run(struct thr *t)
{
	int ret = 0;
	sigset_t stop_sigs, run_mask;

	thr_cur = t;
	/* regex scratch allocated now rather than on the first match */
	if (rx_thread_init() < 0)
		return -ENOMEM;
	/* the stop signals are blocked while the loop runs and let in only
	 * while it waits (atomically, in io_uring_enter): a signal arriving
	 * between the stop check and the wait still ends the wait */
	sigemptyset(&stop_sigs);
	sigaddset(&stop_sigs, SIGTERM);
	sigaddset(&stop_sigs, SIGINT);
	sigaddset(&stop_sigs, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &stop_sigs, &run_mask);
	ring_set_wait_sigmask(t->ring, &run_mask);
	thr_clock(t);
	epoch_thread_online(t->id);
	for (;;) {
		int64_t wait;
		uint64_t next;

		/* a quiescent point: no pointer into maps/ACLs is held here */
		epoch_quiescent(t->id);

		/* the clock was refreshed when the wait ended (thr_clock_cb) */
		timers_run(&t->timers, t->now_ms);
		streams_run_queue(t);
		if (t->wait_bufs)
			conns_wake_waiting(t);
		if (thr_check_stop(t))
			break;
		next = timers_next(&t->timers);
		if (t->runq)
			wait = 0;
		else if (next == TIMER_ETERNITY)
			wait = -1;
		else
			wait = next > t->now_ms ? (int64_t)(next - t->now_ms) : 0;
		ret = ring_wait_batch(t->ring, wait, thr_wait_batch(t));
		t->loops++;
		if (ret < 0 && ret != -EINTR) {
			streams_kill_all(t);
			break;
		}
		ret = 0;
	}
	ring_set_wait_sigmask(t->ring, NULL);
	pthread_sigmask(SIG_SETMASK, &run_mask, NULL);
	http_idle_close_all(t);        /* parked server connections (mode http) */
	if (lua_hooks.thread_stop)
		lua_hooks.thread_stop();   /* Lua sockets of waiting tasks */
	/* let the cancels and closes queued by the stop complete, so that
	 * every connection is back in its pool (bounded: 1 s) */
	ring_wait(t->ring, 0);
	for (int i = 0; i < 100 && t->nb_conns; i++) {
		if (ring_wait(t->ring, 10) < 0)
			break;
		streams_run_queue(t);
	}
	epoch_thread_offline(t->id);
	return ret;
}

void thr_free(struct thr *t)
{
	if (!t)
		return;
	listeners_detach(t);
	streams_pool_free(t);
	conns_pool_free(t);
	spipe_pool_free(t);
	ring_free(t->ring);
	chan_pool_destroy(&t->pool);
	if (thr_cur == t)
		thr_cur = NULL;
	free(t);
}

void thr_soft_stop(struct thr *t)
{
	if (t->stop_req < 1)
		t->stop_req = 1;
}

void thr_request_stop(struct thr *t)
{
	t->stop_req = 2;
}

void thr_stop_accepting(struct thr *t)
{
	t->accepting = 0;
	listeners_update(t);
}

void thr_resume_accepting(struct thr *t)
{
	t->accepting = 1;
	listeners_update(t);
}
