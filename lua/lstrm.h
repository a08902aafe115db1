/* lstrm.h: the Lua data a stream carries (stream.lua), private to lua/:
 * its TXN objects, TXN.set_priv data, and the action coroutine suspended
 * on it with the timer that ends a sleep. Taken from a per-thread pool on
 * first use and given back when the stream ends (lua_hooks.stream_release). */
#ifndef RP_LSTRM_H
#define RP_LSTRM_H

#include "engine/timer.h"

struct stream;
struct hlua_co;
struct lua_action;

struct hlua_strm {
	int txn_ref[2];             /* registry refs of the TXN per direction, or LUA_NOREF */
	int priv_ref;               /* TXN.set_priv data, or LUA_NOREF */
	struct hlua_co *co;         /* the suspended action's coroutine, or NULL */
	const struct lua_action *co_act;   /* ...and which action it runs */
	int co_dir;
	const void *co_svc;         /* ...or which service (lapplet.c) */
	void *app;                  /* the running service's applet state, or NULL */
	struct stream *strm;
	unsigned running:1;         /* an action of this stream is inside lua_resume() */
	unsigned dead:1;            /* the stream ended meanwhile: the action cleans up */
	struct timer tmr;           /* armed while <co> sleeps: wakes the stream */
	struct hlua_strm *next_free;
};

/* Returns the Lua data of <strm>, created on first use, or NULL (ENOMEM). */
struct hlua_strm *hlua_strm_get(struct stream *strm);
/* Drops the suspended coroutine of <hs> (back to the pool) and its timer. */
void hlua_strm_cancel(struct hlua_strm *hs);
/* Gives <hs> back to the pool (its stream no longer points to it). */
void hlua_strm_put(struct hlua_strm *hs);
/* Timer callback: a sleeping action's deadline passed; wakes its stream. */
void hlua_strm_timer_cb(struct timer *t);

#endif
