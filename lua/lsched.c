/* lsched.c: the coroutine pool and the budgets. Every action, fetch,
 * converter and task runs in a pooled coroutine; an instruction-count hook
 * forces a yield every tune.lua.forced-yield instructions where yielding is
 * allowed (actions, tasks) and enforces the Lua-time budget everywhere
 * (tune.lua.session-timeout / task-timeout). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lua/hlua.h"

/* Creates the thread and anchors it in the registry, in protected mode:
 * both allocate, and a memory error (tune.lua.maxmem) must not reach the
 * panic handler. Returns the thread and its reference. */
static int newthread_cb(lua_State *L)
{
	lua_newthread(L);
	lua_pushvalue(L, -1);
	lua_pushinteger(L, luaL_ref(L, LUA_REGISTRYINDEX));
	return 2;
}

struct hlua_co *hlua_co_get(struct hlua_thr *t, enum hlua_ctx ctx, const char *name)
{
	struct hlua_co *co = t->free_co;

	if (co) {
		t->free_co = co->next;
	} else {
		if (!(co = calloc(1, sizeof(*co))))
			goto fail;
		lua_pushcfunction(t->L, newthread_cb);
		if (lua_pcall(t->L, 0, 2, 0) != LUA_OK)
			goto fail_pop;
		co->T = lua_tothread(t->L, -2);
		co->ref = (int)lua_tointeger(t->L, -1);
		lua_pop(t->L, 2);
		if (co->ref == LUA_REFNIL || co->ref == LUA_NOREF)
			goto fail_co;
		co->mt_ref[0] = co->mt_ref[1] = LUA_NOREF;
		t->nb_co++;
	}
	co->call = ++t->calls;
	co->ctx = ctx;
	co->wait = HLUA_W_NONE;
	co->wake_at = 0;
	co->used_us = 0;
	co->slice_start = 0;
	co->nres = 0;
	co->done = 0;
	co->timed_out = 0;
	co->in_use = 1;
	co->strm = NULL;
	co->name = name;
	co->next = NULL;
	co->task = NULL;
	switch (ctx) {
	case HLUA_TASK:
		co->budget_us = t->task_timeout_us;
		break;
	default:
		co->budget_us = t->session_timeout_us;
		break;
	}
	return co;
fail_pop:
	lua_pop(t->L, 1);
	free(co);
	return NULL;
fail_co:
	free(co);
fail:
	return NULL;
}

void hlua_co_put(struct hlua_thr *t, struct hlua_co *co)
{
	int st = lua_status(co->T);

	if (co->nb_socks || co->sock_wait)
		hlua_sock_co_end(co);
	/* A coroutine that died of an error is not reused: an error raised by
	 * the count hook (the budget) leaves its hooks disabled for good, and
	 * the next runaway script would then run unbounded. */
	if (st != LUA_OK && st != LUA_YIELD) {
		lua_resetthread(co->T);
		hlua_txn_co_free(t, co);
		luaL_unref(t->L, LUA_REGISTRYINDEX, co->ref);
		t->nb_co--;
		free(co);
		return;
	}
	if (st != LUA_OK) {
		/* suspended (txn:done(), a stream gone): its call never
		 * returned, so its TXN may still hand out the members */
		lua_resetthread(co->T);
		hlua_txn_co_free(t, co);
	}
	lua_settop(co->T, 0);
	co->in_use = 0;
	co->strm = NULL;
	co->task = NULL;
	co->next = t->free_co;
	t->free_co = co;
}

/* The count hook. Raises "execution timeout" past the budget (again at
 * every tick, so that a script catching it with pcall cannot go on), and
 * forces a yield where the context allows one. */
static void count_hook(lua_State *L, lua_Debug *ar)
{
	struct hlua_thr *t = hlua_thr;
	struct hlua_co *co = t ? t->cur : NULL;
	uint64_t now;

	(void)ar;
	if (!co)
		return;
	now = hlua_now_us();
	if (co->budget_us && co->used_us + (now - co->slice_start) > co->budget_us) {
		co->timed_out = 1;
		luaL_error(L, "execution timeout");
	}
	/* only the pooled coroutine itself: a forced yield inside a coroutine
	 * the script created would hand control to the script, not to us */
	if (L == co->T && lua_isyieldable(L) && (co->ctx == HLUA_ACTION || co->ctx == HLUA_TASK)) {
		co->wait = HLUA_W_FORCED;
		lua_yield(L, 0);
	}
}

/* Writes "runtime error: <msg> from <file:line: in function line N>, ..."
 * for the error on top of <T> into <err>. Pushes nothing (the state may be
 * out of memory) and calls no metamethod. */
static void format_error(lua_State *T, char *err, size_t errlen)
{
	size_t used;
	lua_Debug ar;
	int frames = 0;

	if (lua_type(T, -1) == LUA_TSTRING)
		snprintf(err, errlen, "runtime error: %s", lua_tostring(T, -1));
	else if (lua_type(T, -1) == LUA_TNUMBER)
		snprintf(err, errlen, "runtime error: %g", (double)lua_tonumber(T, -1));
	else
		snprintf(err, errlen, "runtime error: (error object is a %s value)", luaL_typename(T, -1));
	used = strlen(err);
	for (int lvl = 0; lua_getstack(T, lvl, &ar) && frames < 3 && used + 1 < errlen; lvl++) {
		if (!lua_getinfo(T, "Sl", &ar) || ar.currentline <= 0)
			continue;
		if (*ar.what == 'm')
			snprintf(err + used, errlen - used, "%s%s:%d: in main chunk",
			         frames ? ", " : " from ", ar.short_src, ar.currentline);
		else
			snprintf(err + used, errlen - used, "%s%s:%d: in function line %d",
			         frames ? ", " : " from ", ar.short_src, ar.currentline, ar.linedefined);
		used = strlen(err);
		frames++;
	}
}

enum hlua_res hlua_co_resume(struct hlua_thr *t, struct hlua_co *co, int nargs,
                             char *err, size_t errlen)
{
	struct hlua_co *prev = t->cur;
	enum hlua_ctx pctx = t->ctx;
	lua_State *from = prev ? prev->T : t->L;
	int nres = 0, rc;

	t->cur = co;
	t->ctx = co->ctx;
	co->wait = HLUA_W_NONE;
	co->slice_start = hlua_now_us();
	lua_sethook(co->T, count_hook, LUA_MASKCOUNT, (int)t->forced_yield);
	rc = lua_resume(co->T, from, nargs, &nres);
	co->used_us += hlua_now_us() - co->slice_start;
	t->cur = prev;
	t->ctx = pctx;

	switch (rc) {
	case LUA_OK:
		co->nres = nres;
		if (co->timed_out) {
			snprintf(err, errlen, "execution timeout");
			return HLUA_R_TIMEOUT;
		}
		return HLUA_R_OK;
	case LUA_YIELD:
		lua_pop(co->T, nres);
		co->nres = 0;
		if (co->wait == HLUA_W_DONE)
			return HLUA_R_OK;
		if (co->wait == HLUA_W_NONE)       /* coroutine.yield() at top level */
			co->wait = HLUA_W_YIELD;
		return HLUA_R_YIELD;
	case LUA_ERRMEM:
		snprintf(err, errlen, "out of memory error");
		return HLUA_R_NOMEM;
	default:
		if (co->timed_out) {
			snprintf(err, errlen, "execution timeout");
			return HLUA_R_TIMEOUT;
		}
		format_error(co->T, err, errlen);
		return HLUA_R_ERR;
	}
}

int hlua_co_yield(lua_State *L, enum hlua_wait why, uint64_t wake_at, const char *fn)
{
	struct hlua_thr *t = hlua_thr;
	struct hlua_co *co = t ? t->cur : NULL;

	if (!co || L != co->T || !lua_isyieldable(L) ||
	    (co->ctx != HLUA_ACTION && co->ctx != HLUA_TASK))
		return luaL_error(L, "%s: yield not allowed in %s context%s", fn,
		                  hlua_ctx_name(t ? t->ctx : HLUA_BODY),
		                  co && L != co->T ? " (inside a coroutine of the script)" : "");
	co->wait = why;
	co->wake_at = wake_at;
	return lua_yield(L, 0);
}

void hlua_co_free_all(struct hlua_thr *t)
{
	while (t->free_co) {
		struct hlua_co *co = t->free_co;

		t->free_co = co->next;
		free(co);
	}
}
