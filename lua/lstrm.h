/* lstrm.h: the Lua data a stream carries (stream.lua), private to lua/:
 * the serial its TXN objects check, TXN.set_priv data, and the coroutine
 * of an action or service suspended on it with the timer that ends a
 * sleep. Taken from a per-thread pool on first use and given back when the
 * stream ends (lua_hooks.stream_release). lstrm.c also runs those
 * coroutines: one loop for actions (laction.c) and services (lapplet.c). */
#ifndef RP_LSTRM_H
#define RP_LSTRM_H

#include "engine/timer.h"
#include "lua/hlua.h"

struct stream;

struct hlua_strm {
	uint64_t serial;            /* TXNs of the current transaction carry it; a new
	                             * transaction (HTTP keep-alive) or the end of the
	                             * stream changes it, so older TXNs are dead */
	int priv_ref;               /* TXN.set_priv data, or LUA_NOREF */
	struct hlua_co *co;         /* the suspended coroutine, or NULL */
	const void *co_owner;       /* ...the action or service it runs for */
	void *app;                  /* the running service's applet state, or NULL */
	struct stream *strm;
	unsigned running:1;         /* a coroutine of this stream is inside lua_resume() */
	unsigned dead:1;            /* the stream ended meanwhile: the runner cleans up */
	struct timer tmr;           /* armed while <co> sleeps: wakes the stream */
	struct hlua_strm *next_free;
};

/* Returns the Lua data of <strm>, created on first use, or NULL (ENOMEM).
 * Starts a new transaction (new serial, no private data) when an HTTP
 * stream moved to its next request since the last call. */
struct hlua_strm *hlua_strm_get(struct stream *strm);
/* Drops the suspended coroutine of <hs> (back to the pool) and its timer. */
void hlua_strm_cancel(struct hlua_strm *hs);
/* Gives <hs> back to the pool (its stream no longer points to it). */
void hlua_strm_put(struct hlua_strm *hs);
/* Timer callback: a sleeping coroutine's deadline passed; wakes its stream. */
void hlua_strm_timer_cb(struct timer *t);

/* Returns the coroutine suspended on <hs> for <owner> when it is due to
 * run again (its timer cancelled), or NULL when there is none (a
 * coroutine suspended for another owner is dropped). Sets <*sleeping> to 1
 * instead when it sleeps on: woken early, its wake-up is armed again. */
struct hlua_co *hlua_strm_resumable(struct hlua_strm *hs, const void *owner, int *sleeping);
/* Starts (<nargs> values pushed above the function) or resumes <co> for
 * <owner> on <hs>. Returns:
 *   HLUA_R_YIELD  suspended: <hs> keeps <co>, its wake-up is armed;
 *   HLUA_R_GONE   the stream ended during the call: <co> and <hs> are
 *                 given back, nothing of the stream may be touched;
 *   otherwise     hlua_co_resume()'s result, <co> detached from <hs>: the
 *                 caller reads its results, then hlua_co_put()s it. */
enum hlua_res hlua_strm_run(struct hlua_thr *t, struct hlua_strm *hs, struct hlua_co *co,
                            const void *owner, int nargs, char *err, size_t errlen);

#endif
