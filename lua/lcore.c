/* lcore.c: the "core" class (log levels and log functions, maps and ACLs,
 * sleeps and yields, registrations, now(), tokenize()) and the "act" table
 * of action return codes. Every function checks the context it runs in. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/time.h>

#include "engine/pattern.h"
#include "lua/hlua.h"

/* core.log(level, msg) */
static int core_log(lua_State *L)
{
	lua_Integer lvl = luaL_checkinteger(L, 1);
	size_t len;
	const char *msg = luaL_checklstring(L, 2, &len);

	if (lvl < 0 || lvl > 7)
		return luaL_argerror(L, 1, "Invalid loglevel.");
	hlua_log(NULL, (int)lvl, msg, len);
	return 0;
}

static int core_log_at(lua_State *L, int lvl)
{
	size_t len;
	const char *msg = luaL_checklstring(L, 1, &len);

	hlua_log(NULL, lvl, msg, len);
	return 0;
}
static int core_debug(lua_State *L)   { return core_log_at(L, 7); }
static int core_info(lua_State *L)    { return core_log_at(L, 6); }
static int core_warning(lua_State *L) { return core_log_at(L, 4); }
static int core_alert(lua_State *L)   { return core_log_at(L, 1); }

/* Returns the pattern list <file> for core.add_acl, del_acl, set_map and
 * del_map, or raises HAProxy's error for a file no configuration line
 * references. */
static struct pat_list *core_list(lua_State *L, const char *fn, const char *kind)
{
	const char *file = luaL_checkstring(L, 1);
	struct pat_list *l;

	hlua_check_ctx(L, HLUA_M_NOBODY, fn);
	if (!(l = pat_list_find(file)))
		luaL_error(L, "'%s': unknown %s file '%s'", fn + 5, kind, file);
	return l;
}

static int core_add_acl(lua_State *L)
{
	struct pat_list *l = core_list(L, "core.add_acl", "acl");
	const char *key = luaL_checkstring(L, 2);
	char err[256];

	if (pat_list_add_err(l, key, NULL, err, sizeof(err)) < 0)
		return luaL_error(L, "'add_acl': %s", err);
	return 0;
}

static int core_del_acl(lua_State *L)
{
	struct pat_list *l = core_list(L, "core.del_acl", "acl");

	pat_list_del(l, luaL_checkstring(L, 2));
	return 0;
}

static int core_del_map(lua_State *L)
{
	struct pat_list *l = core_list(L, "core.del_map", "map");

	pat_list_del(l, luaL_checkstring(L, 2));
	return 0;
}

static int core_set_map(lua_State *L)
{
	struct pat_list *l = core_list(L, "core.set_map", "map");
	const char *key = luaL_checkstring(L, 2);
	const char *val = luaL_checkstring(L, 3);

	if (pat_list_set(l, key, val) < 0)
		return luaL_error(L, "'set_map': cannot set '%s'", key);
	return 0;
}

/* Sleeps <ms>: blocks in initialisation mode (the seed: "HAProxy still
 * blocked"), suspends only the calling stream or task at runtime. */
static int core_sleep_ms(lua_State *L, lua_Integer ms, const char *fn)
{
	struct hlua_thr *t = hlua_thr;

	hlua_check_ctx(L, HLUA_M(HLUA_BODY) | HLUA_M(HLUA_INIT) | HLUA_M(HLUA_TASK) |
	               HLUA_M(HLUA_ACTION), fn);
	if (ms < 0)
		ms = 0;
	if (!t || t->ctx == HLUA_BODY || t->ctx == HLUA_INIT) {
		struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
		nanosleep(&ts, NULL);
		return 0;
	}
	return hlua_co_yield(L, HLUA_W_SLEEP, hlua_now_us() + (uint64_t)ms * 1000u, fn);
}

static int core_msleep(lua_State *L)
{
	return core_sleep_ms(L, luaL_checkinteger(L, 1), "core.msleep");
}

static int core_sleep(lua_State *L)
{
	lua_Integer s = luaL_checkinteger(L, 1);

	return core_sleep_ms(L, s > 0 ? s * 1000 : 0, "core.sleep");
}

/* core.yield(): gives the hand back to the loop. Where nothing can yield
 * (body, init, sample-fetch, converter) it returns at once, as HAProxy. */
static int core_yield(lua_State *L)
{
	struct hlua_thr *t = hlua_thr;

	if (!t || (t->ctx != HLUA_ACTION && t->ctx != HLUA_TASK))
		return 0;
	return hlua_co_yield(L, HLUA_W_YIELD, 0, "core.yield");
}

/* core.set_nice(n): accepted for compatibility (HAProxy clamps <n> to
 * -1024..1024); the loop has no task priorities, so it has no effect. */
static int core_set_nice(lua_State *L)
{
	luaL_checkinteger(L, 1);
	hlua_check_ctx(L, HLUA_M_RUNTIME, "core.set_nice");
	return 0;
}

/* core.done(): ends the running action or task now, as txn:done() does. */
static int core_done(lua_State *L)
{
	struct hlua_thr *t = hlua_thr;
	struct hlua_co *co = t ? t->cur : NULL;

	if (!co || L != co->T || !lua_isyieldable(L))
		return luaL_error(L, "core.done: not available in %s context",
		                  hlua_ctx_name(t ? t->ctx : HLUA_BODY));
	co->done = 1;
	co->wait = HLUA_W_DONE;
	return lua_yield(L, 0);
}

/* core.now(): {sec = , usec = } of the wall clock. */
static int core_now(lua_State *L)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	lua_createtable(L, 0, 2);
	lua_pushinteger(L, tv.tv_sec);
	lua_setfield(L, -2, "sec");
	lua_pushinteger(L, tv.tv_usec);
	lua_setfield(L, -2, "usec");
	return 1;
}

/* core.tokenize(str, separators [, noblank]): splits <str> at any of the
 * <separators> characters; empty words are kept unless <noblank>. */
static int core_tokenize(lua_State *L)
{
	size_t len, nsep;
	const char *s = luaL_checklstring(L, 1, &len);
	const char *sep = luaL_checklstring(L, 2, &nsep);
	int noblank = lua_toboolean(L, 3);
	size_t start = 0;
	int n = 0;

	lua_newtable(L);
	for (size_t i = 0; i <= len; i++) {
		if (i < len && !memchr(sep, s[i], nsep))
			continue;
		if (!noblank || i > start) {
			lua_pushlstring(L, s + start, i - start);
			lua_rawseti(L, -2, ++n);
		}
		start = i + 1;
	}
	return 1;
}

static const luaL_Reg core_funcs[] = {
	{ "log", core_log }, { "Debug", core_debug }, { "Info", core_info },
	{ "Warning", core_warning }, { "Alert", core_alert },
	{ "add_acl", core_add_acl }, { "del_acl", core_del_acl },
	{ "del_map", core_del_map }, { "set_map", core_set_map },
	{ "msleep", core_msleep }, { "sleep", core_sleep }, { "yield", core_yield },
	{ "set_nice", core_set_nice }, { "done", core_done }, { "now", core_now },
	{ "tokenize", core_tokenize },
	{ "register_fetches", hlua_register_fetch },
	{ "register_converters", hlua_register_conv },
	{ "register_action", hlua_register_action },
	{ "register_init", hlua_register_init },
	{ "register_task", hlua_register_task },
	{ NULL, NULL }
};

static const struct { const char *name; int v; } core_levels[] = {
	{ "emerg", 0 }, { "alert", 1 }, { "crit", 2 }, { "err", 3 },
	{ "warning", 4 }, { "notice", 5 }, { "info", 6 }, { "debug", 7 },
};

/* act.*: what an action function may return (HAProxy's values). */
static const struct { const char *name; int v; } act_codes[] = {
	{ "CONTINUE", 0 }, { "STOP", 1 }, { "YIELD", 2 }, { "ERROR", 3 },
	{ "DONE", 4 }, { "DENY", 5 }, { "ABORT", 6 }, { "INVALID", 7 },
};

void hlua_core_open(lua_State *L)
{
	luaL_newlib(L, core_funcs);
	for (size_t i = 0; i < sizeof(core_levels) / sizeof(core_levels[0]); i++) {
		lua_pushinteger(L, core_levels[i].v);
		lua_setfield(L, -2, core_levels[i].name);
	}
	lua_pushinteger(L, 1);
	lua_setfield(L, -2, "thread");
	lua_setglobal(L, "core");

	lua_createtable(L, 0, 8);
	for (size_t i = 0; i < sizeof(act_codes) / sizeof(act_codes[0]); i++) {
		lua_pushinteger(L, act_codes[i].v);
		lua_setfield(L, -2, act_codes[i].name);
	}
	lua_setglobal(L, "act");
}
