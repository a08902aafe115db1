/* lcore.c: the "core" class (log levels and log functions, maps and ACLs,
 * sleeps and yields, registrations, now(), tokenize()) and the "act" table
 * of action return codes. Every function checks the context it runs in. */
#include <arpa/inet.h>
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

/* ---- core.concat(): a string builder ---- */
#define CONCAT_MT "ringproxy.Concat"

/* Concat.add(c, str): appends <str> (a string or a number). */
static int concat_add(lua_State *L)
{
	size_t len;
	const char *s;

	luaL_checkudata(L, 1, CONCAT_MT);
	if (lua_type(L, 2) != LUA_TSTRING && lua_type(L, 2) != LUA_TNUMBER)
		return luaL_argerror(L, 2, "string expected");
	s = lua_tolstring(L, 2, &len);
	lua_getiuservalue(L, 1, 1);
	lua_pushlstring(L, s, len);
	lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + 1);
	return 0;
}

/* Concat.dump(c): everything added so far, as one string. */
static int concat_dump(lua_State *L)
{
	luaL_Buffer b;
	lua_Integer n;

	luaL_checkudata(L, 1, CONCAT_MT);
	lua_getiuservalue(L, 1, 1);
	n = (lua_Integer)lua_rawlen(L, -1);
	luaL_buffinit(L, &b);
	for (lua_Integer i = 1; i <= n; i++) {
		lua_rawgeti(L, 2, i);
		luaL_addvalue(&b);
	}
	luaL_pushresult(&b);
	return 1;
}

static int core_concat(lua_State *L)
{
	lua_newuserdatauv(L, 1, 1);
	lua_newtable(L);
	lua_setiuservalue(L, -2, 1);
	if (luaL_newmetatable(L, CONCAT_MT)) {
		static const luaL_Reg m[] = { { "add", concat_add }, { "dump", concat_dump }, { NULL, NULL } };
		luaL_newlib(L, m);
		lua_setfield(L, -2, "__index");
	}
	lua_setmetatable(L, -2);
	return 1;
}

/* ---- core.parse_addr / core.match_addr ---- */
#define NET_MT "ringproxy.Net"

struct hlua_net {
	int family;                 /* AF_INET or AF_INET6 */
	int plen;                   /* prefix length */
	uint8_t a[16];
};

/* core.parse_addr("ip[/len]"): a network object, or nil. */
static int core_parse_addr(lua_State *L)
{
	const char *s = luaL_checkstring(L, 1);
	const char *slash = strchr(s, '/');
	char ip[INET6_ADDRSTRLEN];
	struct hlua_net n;
	size_t iplen = slash ? (size_t)(slash - s) : strlen(s);
	int max;

	if (iplen >= sizeof(ip))
		goto none;
	memcpy(ip, s, iplen);
	ip[iplen] = 0;
	memset(&n, 0, sizeof(n));
	if (inet_pton(AF_INET, ip, n.a) == 1) {
		n.family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, ip, n.a) == 1) {
		n.family = AF_INET6;
		max = 128;
	} else
		goto none;
	n.plen = max;
	if (slash) {
		char *end;
		long v = strtol(slash + 1, &end, 10);

		if (end == slash + 1 || *end || v < 0 || v > max) {
			/* a dotted mask, IPv4 only */
			struct in_addr m;
			uint32_t h;

			if (n.family != AF_INET || inet_pton(AF_INET, slash + 1, &m) != 1)
				goto none;
			h = ntohl(m.s_addr);
			for (v = 0; v < 32 && (h & (0x80000000u >> v)); v++)
				;
		}
		n.plen = (int)v;
	}
	*(struct hlua_net *)lua_newuserdatauv(L, sizeof(n), 0) = n;
	luaL_setmetatable(L, NET_MT);
	return 1;
none:
	lua_pushnil(L);
	return 1;
}

/* core.match_addr(a, b): true when <a> and <b> (from parse_addr) are of
 * the same family and agree on the shorter of their two prefixes. */
static int core_match_addr(lua_State *L)
{
	const struct hlua_net *a = luaL_checkudata(L, 1, NET_MT);
	const struct hlua_net *b = luaL_checkudata(L, 2, NET_MT);
	int bits = a->plen < b->plen ? a->plen : b->plen;
	int match = a->family == b->family;

	for (int i = 0; match && i < bits / 8; i++)
		match = a->a[i] == b->a[i];
	if (match && bits % 8) {
		uint8_t m = (uint8_t)(0xff << (8 - bits % 8));
		match = (a->a[bits / 8] & m) == (b->a[bits / 8] & m);
	}
	lua_pushboolean(L, match);
	return 1;
}

static const luaL_Reg core_funcs[] = {
	{ "log", core_log }, { "Debug", core_debug }, { "Info", core_info },
	{ "Warning", core_warning }, { "Alert", core_alert },
	{ "add_acl", core_add_acl }, { "del_acl", core_del_acl },
	{ "del_map", core_del_map }, { "set_map", core_set_map },
	{ "msleep", core_msleep }, { "sleep", core_sleep }, { "yield", core_yield },
	{ "set_nice", core_set_nice }, { "done", core_done }, { "now", core_now },
	{ "tokenize", core_tokenize }, { "concat", core_concat },
	{ "parse_addr", core_parse_addr }, { "match_addr", core_match_addr },
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
	luaL_newmetatable(L, NET_MT);
	lua_pop(L, 1);
	luaL_newlib(L, core_funcs);
	for (size_t i = 0; i < sizeof(core_levels) / sizeof(core_levels[0]); i++) {
		lua_pushinteger(L, core_levels[i].v);
		lua_setfield(L, -2, core_levels[i].name);
	}
	lua_pushinteger(L, 1);
	lua_setfield(L, -2, "thread");
	hlua_action_core_open(L);
	lua_setglobal(L, "core");

	lua_createtable(L, 0, 8);
	for (size_t i = 0; i < sizeof(act_codes) / sizeof(act_codes[0]); i++) {
		lua_pushinteger(L, act_codes[i].v);
		lua_setfield(L, -2, act_codes[i].name);
	}
	lua_setglobal(L, "act");
}
