/* lstrm.c: the Lua data of a stream (lstrm.h) — a per-thread pool, the
 * transaction serial TXN handles check, and the one loop that starts,
 * suspends and resumes the coroutine of an action or a service, so that a
 * yield suspends only its own stream (sleeps through the thread's timer
 * wheel, forced yields through stream_wakeup). */
#include <stdlib.h>

#include "engine/http.h"
#include "engine/stream.h"
#include "engine/thread.h"
#include "engine/timer.h"
#include "lua/hlua.h"
#include "lua/lstrm.h"

#define container_of(p, type, field) ((type *)((char *)(p) - offsetof(type, field)))

static __thread struct hlua_strm *strm_free;

/* Ends the TXN objects of <hs>'s transaction (a new serial) and drops its
 * private value. */
static void strm_new_txn(struct hlua_strm *hs)
{
	struct hlua_thr *t = hlua_thr;

	if (!t)
		return;
	hs->serial = ++t->serial;
	if (hs->priv_ref != LUA_NOREF)
		luaL_unref(t->L, LUA_REGISTRYINDEX, hs->priv_ref);
	hs->priv_ref = LUA_NOREF;
}

struct hlua_strm *hlua_strm_get(struct stream *strm)
{
	struct hlua_strm *hs = strm->lua;
	struct http_txn *ht = strm->http;

	if (hs) {
		/* HTTP keep-alive: a new transaction started since the last
		 * call (the stream reset its flags); as in HAProxy, it gets
		 * fresh TXNs, without the last one's private data */
		if (ht && !(ht->flags & HTTP_TXN_LUA)) {
			if (!hs->co && !hs->running)
				strm_new_txn(hs);
			ht->flags |= HTTP_TXN_LUA;
		}
		return hs;
	}
	if (ht)
		ht->flags |= HTTP_TXN_LUA;
	if ((hs = strm_free))
		strm_free = hs->next_free;
	else if (!(hs = malloc(sizeof(*hs))))
		return NULL;
	hs->serial = hlua_thr ? ++hlua_thr->serial : 1;
	hs->priv_ref = LUA_NOREF;
	hs->co = NULL;
	hs->co_owner = NULL;
	hs->app = NULL;
	hs->strm = strm;
	hs->running = 0;
	hs->dead = 0;
	hs->next_free = NULL;
	timer_init(&hs->tmr, hlua_strm_timer_cb);
	strm->lua = hs;
	return hs;
}

void hlua_strm_pool_free(void)
{
	while (strm_free) {
		struct hlua_strm *hs = strm_free;

		strm_free = hs->next_free;
		free(hs);
	}
}

void hlua_strm_put(struct hlua_strm *hs)
{
	hs->strm = NULL;
	hs->serial = 0;
	hs->next_free = strm_free;
	strm_free = hs;
}

/* Called when <strm> ends (lua_hooks.stream_release). Its TXN objects die
 * now; if one of its coroutines is running (the stream ended from inside
 * a call the script made), the coroutine and <hs> are left to its runner,
 * which cleans up when lua_resume() returns. */
void hlua_txn_release(struct stream *strm)
{
	struct hlua_strm *hs = strm->lua;

	if (!hs)
		return;
	strm_new_txn(hs);
	strm->lua = NULL;
	if (hs->running) {
		hs->dead = 1;
		return;
	}
	hlua_strm_cancel(hs);
	hlua_strm_put(hs);
}

void hlua_strm_timer_cb(struct timer *tm)
{
	struct hlua_strm *hs = container_of(tm, struct hlua_strm, tmr);

	if (hs->strm)
		stream_wakeup(hs->strm);
}

static void strm_timer_stop(struct hlua_strm *hs, struct stream *s)
{
	if (timer_is_armed(&hs->tmr) && s && s->thr)
		timer_cancel(&s->thr->timers, &hs->tmr);
}

void hlua_strm_cancel(struct hlua_strm *hs)
{
	struct hlua_thr *t = hlua_thr;

	strm_timer_stop(hs, hs->strm);
	if (hs->co && t)
		hlua_co_put(t, hs->co);
	hs->co = NULL;
	hs->co_owner = NULL;
	hs->app = NULL;
}

/* Arms the wake-up of a suspended coroutine: its timer for a sleep or a
 * Socket wait with a deadline, the end of this loop turn for a forced or
 * voluntary yield. A Socket wait without a deadline waits for its events. */
static void strm_schedule(struct hlua_strm *hs, struct hlua_co *co)
{
	struct stream *s = hs->strm;

	if ((co->wait == HLUA_W_SLEEP || co->wait == HLUA_W_IO) && s->thr) {
		uint64_t now = hlua_now_us();
		uint64_t ms = co->wake_at > now ? (co->wake_at - now + 999) / 1000 : 0;

		if (co->wait == HLUA_W_SLEEP || co->wake_at)
			timer_arm(&s->thr->timers, &hs->tmr, timer_now_ms() + ms);
		return;
	}
	stream_wakeup(s);
}

struct hlua_co *hlua_strm_resumable(struct hlua_strm *hs, const void *owner, int *sleeping)
{
	struct hlua_co *co = hs->co;

	*sleeping = 0;
	if (!co)
		return NULL;
	if (hs->co_owner != owner) {
		hlua_strm_cancel(hs);
		return NULL;
	}
	if (co->wait == HLUA_W_SLEEP && hlua_now_us() < co->wake_at) {
		/* woken early (data arrived): keep sleeping */
		if (!timer_is_armed(&hs->tmr))
			strm_schedule(hs, co);
		*sleeping = 1;
		return NULL;
	}
	strm_timer_stop(hs, hs->strm);
	return co;
}

enum hlua_res hlua_strm_run(struct hlua_thr *t, struct hlua_strm *hs, struct hlua_co *co,
                            const void *owner, int nargs, char *err, size_t errlen)
{
	struct stream *s = hs->strm;
	enum hlua_res res;

	hs->running = 1;
	res = hlua_co_resume(t, co, nargs, err, errlen);
	hs->running = 0;
	if (hs->dead) {
		/* the stream ended during the call: nothing of it may be touched */
		hs->co = NULL;
		hs->co_owner = NULL;
		hs->app = NULL;
		hlua_co_put(t, co);
		strm_timer_stop(hs, s);
		hlua_strm_put(hs);
		return HLUA_R_GONE;
	}
	if (res == HLUA_R_YIELD) {
		hs->co = co;
		hs->co_owner = owner;
		strm_schedule(hs, co);
		return res;
	}
	hs->co = NULL;
	hs->co_owner = NULL;
	return res;
}
