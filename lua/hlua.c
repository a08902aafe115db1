/* hlua.c: the per-thread Lua state — allocator with the tune.lua.maxmem
 * cap, standard libraries plus the Lua 5.3 compatibility HAProxy scripts
 * expect, package.path, the lua-load files and init functions, context
 * enforcement, log lines, and lua_hooks_install(). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "engine/hooks.h"
#include "engine/log.h"
#include "engine/proxy.h"
#include "engine/stream.h"
#include "lua/hlua.h"

__thread struct hlua_thr *hlua_thr;

static const char *const ctx_names[HLUA_NB_CTX] = {
	"body", "init", "task", "action", "sample-fetch", "converter",
};

const char *hlua_ctx_name(enum hlua_ctx c)
{
	return (unsigned)c < HLUA_NB_CTX ? ctx_names[c] : "?";
}

/* The coarse clock is enough for Lua budgets and sleeps (a few ms of
 * resolution) and costs a fraction of the precise one: it is read at
 * every resume and every count-hook tick. */
uint64_t hlua_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* ---- allocator --------------------------------------------------------
 * Lua's objects are mostly small and short-lived (a TXN, its Fetches, the
 * strings of one call): blocks up to SLAB_MAX bytes are malloc'ed at the
 * size of their 16-byte class and, once freed, kept on a per-state free
 * list of that class (up to SLAB_KEEP blocks each, so what a burst leaves
 * behind is bounded: at most 2.2 MB per state), from which the next
 * allocation of the class is served without malloc. Lua passes the old
 * size on every free and resize, so a block carries no header. The
 * sanitizer build (RP_DEBUG) keeps nothing, so that ASan sees every block. */
#define SLAB_STEP   16
#define SLAB_MAX    256
#define SLAB_NCLS   (SLAB_MAX / SLAB_STEP)
#define SLAB_KEEP   1024
#ifdef RP_DEBUG
#define HLUA_SLAB   0
#else
#define HLUA_SLAB   1
#endif

struct hlua_slab {
	void *free[SLAB_NCLS];      /* free blocks of each class, linked through their first word */
	unsigned nfree[SLAB_NCLS];
};

static inline unsigned slab_cls(size_t size)
{
	return (unsigned)((size - 1) / SLAB_STEP);
}

/* Returns a block of class <c>, or NULL when out of memory. */
static void *slab_get(struct hlua_slab *sl, unsigned c)
{
	void *p = sl->free[c];

	if (!p)
		return malloc((size_t)(c + 1) * SLAB_STEP);
	sl->free[c] = *(void **)p;
	sl->nfree[c]--;
	return p;
}

static inline void slab_put(struct hlua_slab *sl, void *p, unsigned c)
{
	if (sl->nfree[c] >= SLAB_KEEP) {
		free(p);
		return;
	}
	*(void **)p = sl->free[c];
	sl->free[c] = p;
	sl->nfree[c]++;
}

/* Frees the blocks kept and <sl> (after lua_close(): nothing is live). */
static void slab_destroy(struct hlua_slab *sl)
{
	for (unsigned c = 0; sl && c < SLAB_NCLS; c++) {
		while (sl->free[c]) {
			void *p = sl->free[c];

			sl->free[c] = *(void **)p;
			free(p);
		}
	}
	free(sl);
}

/* Resizes <ptr> (<old> bytes, 0 for a new block) to <nsize> > 0 bytes.
 * Returns the block, or NULL with <ptr> untouched. */
static void *slab_realloc(struct hlua_slab *sl, void *ptr, size_t old, size_t nsize)
{
	void *p;

	if (!sl)
		return realloc(ptr, nsize);
	if (old > SLAB_MAX && nsize > SLAB_MAX)
		return realloc(ptr, nsize);
	if (old && old <= SLAB_MAX && nsize <= SLAB_MAX && slab_cls(old) == slab_cls(nsize))
		return ptr;
	p = nsize <= SLAB_MAX ? slab_get(sl, slab_cls(nsize)) : malloc(nsize);
	if (!p || !old)
		return p;
	memcpy(p, ptr, old < nsize ? old : nsize);
	if (old <= SLAB_MAX)
		slab_put(sl, ptr, slab_cls(old));
	else
		free(ptr);
	return p;
}

/* The allocator: counts bytes and refuses to grow past <maxmem>. Lua then
 * raises a memory error in the coroutine that asked, which aborts only
 * that transaction. Frees and shrinks always succeed. */
static void *hlua_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
	struct hlua_thr *t = ud;
	size_t old = ptr ? osize : 0;
	void *p;

	if (nsize == 0) {
		if (ptr) {
			if (t->slab && old <= SLAB_MAX)
				slab_put(t->slab, ptr, slab_cls(old));
			else
				free(ptr);
		}
		t->mem -= old;
		return NULL;
	}
	if (t->maxmem && nsize > old && t->mem + (nsize - old) > t->maxmem)
		return NULL;
	p = slab_realloc(t->slab, ptr, old, nsize);
	if (p)
		t->mem = t->mem - old + nsize;
	return p;
}

void hlua_check_ctx(lua_State *L, unsigned mask, const char *fn)
{
	struct hlua_thr *t = hlua_thr;
	enum hlua_ctx c = t ? t->ctx : HLUA_BODY;

	if (!(mask & HLUA_M(c)))
		luaL_error(L, "%s: not available in %s context", fn, hlua_ctx_name(c));
}

void hlua_log(struct stream *strm, int level, const char *msg, size_t len)
{
	const struct proxy *px = strm ? strm->fe : NULL;
	struct config *cfg = hlua_thr ? hlua_thr->cfg : NULL;
	int sent;

	if (level < 0)
		level = 0;
	if (level > 7)
		level = 7;
	sent = log_send(level, msg, len, px);
	/* HAProxy also prints Lua messages on stderr while the process is in
	 * the foreground and not quiet; log_send() already did it in debug mode. */
	if (cfg && !cfg->g.debug && !cfg->g.quiet && !cfg->g.daemon) {
		char hdr[64];
		struct tm tm;
		time_t now = time(NULL);

		localtime_r(&now, &tm);
		snprintf(hdr, sizeof(hdr), "[%s] %03d/%02d%02d%02d (%d) : ", log_level_name(level),
		         tm.tm_yday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)getpid());
		fprintf(stderr, "%s%.*s\n", hdr, (int)len, msg);
	}
	(void)sent;
}

void hlua_alert_fn(struct stream *strm, const char *kind, const char *name, const char *what)
{
	char msg[1024];
	int n = name ? snprintf(msg, sizeof(msg), "Lua %s '%s': %s.", kind, name, what)
	             : snprintf(msg, sizeof(msg), "Lua %s: %s.", kind, what);

	if (n < 0)
		return;
	if ((size_t)n >= sizeof(msg))
		n = sizeof(msg) - 1;
	/* HAProxy: on stderr unless quiet, and to the stream's backend logs */
	if (!hlua_thr || !hlua_thr->cfg || !hlua_thr->cfg->g.quiet)
		rp_alert("%s", msg);
	log_send(LOG_LVL_ERR, msg, (size_t)n, strm ? (strm->be ? strm->be : strm->fe) : NULL);
}

/* The function table: functions registered by core.register_* and the
 * seed's global action functions, indexed so that every thread's state
 * (loaded from the same files in the same order) agrees on the indexes.
 * The table itself is found by integer reference (hlua_thr.fns_ref). */
int hlua_fn_store(lua_State *L)
{
	int idx;

	lua_rawgeti(L, LUA_REGISTRYINDEX, hlua_thr->fns_ref);
	idx = (int)lua_rawlen(L, -1) + 1;
	lua_pushvalue(L, -2);
	lua_rawseti(L, -2, idx);
	lua_pop(L, 2);
	return idx;
}

void hlua_fn_push(lua_State *L, int idx)
{
	lua_rawgeti(L, LUA_REGISTRYINDEX, hlua_thr->fns_ref);
	lua_rawgeti(L, -1, idx);
	lua_remove(L, -2);
}

/* ---- classes ---- */

void hlua_cls_register(lua_State *L, enum hlua_cls c)
{
	struct hlua_thr *t = hlua_thr;

	lua_pushvalue(L, -1);
	t->cls_ref[c] = luaL_ref(L, LUA_REGISTRYINDEX);
}

void *hlua_cls_new_mt(lua_State *L, enum hlua_cls c, size_t size, int nuv, int mt_ref)
{
	struct hlua_obj *o = lua_newuserdatauv(L, size, nuv);

	o->tag = (uintptr_t)o ^ hlua_thr->cls_key[c];
	lua_rawgeti(L, LUA_REGISTRYINDEX, mt_ref);
	lua_setmetatable(L, -2);
	return o;
}

/* Fills the secrets of the class tags: random, or when the kernel gives
 * no randomness, mixed from addresses (ASLR) and the clock. */
static void cls_keys(struct hlua_thr *t)
{
	if (getrandom(t->cls_key, sizeof(t->cls_key), GRND_NONBLOCK) == (ssize_t)sizeof(t->cls_key))
		return;
	for (int c = 0; c < HLUA_NB_CLS; c++)
		t->cls_key[c] = ((uintptr_t)t * 0x9e3779b97f4a7c15u) ^ (uintptr_t)&cls_keys ^
		                (uintptr_t)hlua_now_us() ^ ((uintptr_t)(c + 1) << 40);
}

/* --- Lua 5.3 compatibility ------------------------------------------------
 * HAProxy 2.6 on Debian runs Lua 5.3 built with LUA_COMPAT_5_2: scripts
 * written for it find bit32, math.pow/ldexp/frexp/cosh/sinh/tanh/log10,
 * and call math.randomseed with floats (os.time() + usec / 1e6). */
static int compat_randomseed(lua_State *L)
{
	int n = lua_gettop(L);

	lua_pushvalue(L, lua_upvalueindex(1));     /* the original math.randomseed */
	if (n >= 1 && lua_type(L, 1) == LUA_TNUMBER && !lua_isinteger(L, 1)) {
		double d = lua_tonumber(L, 1);
		/* keep the fraction: seeds that differ by microseconds differ */
		lua_pushinteger(L, (lua_Integer)floor(d));
		lua_pushinteger(L, (lua_Integer)((d - floor(d)) * 1e9));
		lua_call(L, 2, 0);
		return 0;
	}
	lua_insert(L, 1);
	lua_call(L, n, 0);
	return 0;
}

static int compat_pow(lua_State *L)
{
	lua_pushnumber(L, pow(luaL_checknumber(L, 1), luaL_checknumber(L, 2)));
	return 1;
}
static int compat_ldexp(lua_State *L)
{
	lua_pushnumber(L, ldexp(luaL_checknumber(L, 1), (int)luaL_checkinteger(L, 2)));
	return 1;
}
static int compat_frexp(lua_State *L)
{
	int e;
	lua_pushnumber(L, frexp(luaL_checknumber(L, 1), &e));
	lua_pushinteger(L, e);
	return 2;
}
static int compat_cosh(lua_State *L) { lua_pushnumber(L, cosh(luaL_checknumber(L, 1))); return 1; }
static int compat_sinh(lua_State *L) { lua_pushnumber(L, sinh(luaL_checknumber(L, 1))); return 1; }
static int compat_tanh(lua_State *L) { lua_pushnumber(L, tanh(luaL_checknumber(L, 1))); return 1; }
static int compat_log10(lua_State *L) { lua_pushnumber(L, log10(luaL_checknumber(L, 1))); return 1; }

/* bit32, as Lua 5.2 defined it: 32-bit unsigned operations. */
static uint32_t b32arg(lua_State *L, int i)
{
	lua_Number n = luaL_checknumber(L, i);
	lua_Integer v;

	if (lua_isinteger(L, i))
		v = lua_tointeger(L, i);
	else
		v = (lua_Integer)fmod(floor(n), 4294967296.0);
	return (uint32_t)v;
}
static int b32_band(lua_State *L)
{
	uint32_t r = ~0u;
	for (int i = 1; i <= lua_gettop(L); i++) r &= b32arg(L, i);
	lua_pushinteger(L, r);
	return 1;
}
static int b32_bor(lua_State *L)
{
	uint32_t r = 0;
	for (int i = 1; i <= lua_gettop(L); i++) r |= b32arg(L, i);
	lua_pushinteger(L, r);
	return 1;
}
static int b32_bxor(lua_State *L)
{
	uint32_t r = 0;
	for (int i = 1; i <= lua_gettop(L); i++) r ^= b32arg(L, i);
	lua_pushinteger(L, r);
	return 1;
}
static int b32_btest(lua_State *L)
{
	uint32_t r = ~0u;
	for (int i = 1; i <= lua_gettop(L); i++) r &= b32arg(L, i);
	lua_pushboolean(L, r != 0);
	return 1;
}
static int b32_bnot(lua_State *L) { lua_pushinteger(L, (uint32_t)~b32arg(L, 1)); return 1; }
static uint32_t b32_shift(uint32_t x, lua_Integer d)
{
	if (d <= -32 || d >= 32)
		return 0;
	return d >= 0 ? x << d : x >> -d;
}
static int b32_lshift(lua_State *L)
{
	lua_pushinteger(L, b32_shift(b32arg(L, 1), luaL_checkinteger(L, 2)));
	return 1;
}
static int b32_rshift(lua_State *L)
{
	lua_pushinteger(L, b32_shift(b32arg(L, 1), -luaL_checkinteger(L, 2)));
	return 1;
}
static int b32_arshift(lua_State *L)
{
	uint32_t x = b32arg(L, 1);
	lua_Integer d = luaL_checkinteger(L, 2);

	if (d < 0 || !(x & 0x80000000u))
		lua_pushinteger(L, b32_shift(x, -d));
	else
		lua_pushinteger(L, d >= 32 ? 0xffffffffu : (uint32_t)((x >> d) | ~(0xffffffffu >> d)));
	return 1;
}
static int b32_rot(lua_State *L, lua_Integer d)
{
	uint32_t x = b32arg(L, 1);

	d &= 31;
	lua_pushinteger(L, d ? (uint32_t)((x << d) | (x >> (32 - d))) : x);
	return 1;
}
static int b32_lrotate(lua_State *L) { return b32_rot(L, luaL_checkinteger(L, 2)); }
static int b32_rrotate(lua_State *L) { return b32_rot(L, -luaL_checkinteger(L, 2)); }
static int b32_fieldargs(lua_State *L, int farg, int *width)
{
	lua_Integer f = luaL_checkinteger(L, farg);
	lua_Integer w = luaL_optinteger(L, farg + 1, 1);

	luaL_argcheck(L, 0 <= f, farg, "field cannot be negative");
	luaL_argcheck(L, 0 < w, farg + 1, "width must be positive");
	if (f + w > 32)
		luaL_error(L, "trying to access non-existent bits");
	*width = (int)w;
	return (int)f;
}
static int b32_extract(lua_State *L)
{
	int w, f;
	uint32_t x = b32arg(L, 1);

	f = b32_fieldargs(L, 2, &w);
	lua_pushinteger(L, (x >> f) & (w == 32 ? 0xffffffffu : ((1u << w) - 1)));
	return 1;
}
static int b32_replace(lua_State *L)
{
	int w, f;
	uint32_t x = b32arg(L, 1), v = b32arg(L, 2), m;

	f = b32_fieldargs(L, 3, &w);
	m = w == 32 ? 0xffffffffu : ((1u << w) - 1);
	lua_pushinteger(L, (x & ~(m << f)) | ((v & m) << f));
	return 1;
}

static const luaL_Reg bit32_funcs[] = {
	{ "arshift", b32_arshift }, { "band", b32_band }, { "bnot", b32_bnot },
	{ "bor", b32_bor }, { "btest", b32_btest }, { "bxor", b32_bxor },
	{ "extract", b32_extract }, { "replace", b32_replace }, { "lrotate", b32_lrotate },
	{ "lshift", b32_lshift }, { "rrotate", b32_rrotate }, { "rshift", b32_rshift },
	{ NULL, NULL }
};

static void compat_open(lua_State *L)
{
	static const luaL_Reg mathf[] = {
		{ "pow", compat_pow }, { "ldexp", compat_ldexp }, { "frexp", compat_frexp },
		{ "cosh", compat_cosh }, { "sinh", compat_sinh }, { "tanh", compat_tanh },
		{ "log10", compat_log10 }, { NULL, NULL }
	};

	lua_getglobal(L, "math");
	luaL_setfuncs(L, mathf, 0);
	lua_getfield(L, -1, "randomseed");
	lua_pushcclosure(L, compat_randomseed, 1);
	lua_setfield(L, -2, "randomseed");
	lua_pop(L, 1);

	luaL_newlib(L, bit32_funcs);
	lua_setglobal(L, "bit32");
}

/* package.path: Lua 5.4's own, then the 5.3 and 5.1 trees where Debian
 * installs pure-Lua modules that HAProxy's Lua 5.3 finds (lua-redis puts
 * redis.lua in /usr/share/lua/5.1 and links it into 5.2 and 5.3 only). */
static void path_open(lua_State *L)
{
	lua_getglobal(L, "package");
	lua_getfield(L, -1, "path");
	lua_pushstring(L, ";/usr/local/share/lua/5.3/?.lua;/usr/share/lua/5.3/?.lua;"
	               "/usr/share/lua/5.3/?/init.lua;/usr/share/lua/5.1/?.lua;"
	               "/usr/share/lua/5.1/?/init.lua");
	lua_concat(L, 2);
	lua_setfield(L, -2, "path");
	lua_pop(L, 1);
}

/* Prepends "<path>" to package.path (or package.cpath when <kind> is "cpath"). */
static void path_prepend(lua_State *L, const char *path, const char *kind)
{
	lua_getglobal(L, "package");
	lua_pushstring(L, path);
	lua_pushliteral(L, ";");
	lua_getfield(L, -3, kind);
	lua_concat(L, 3);
	lua_setfield(L, -2, kind);
	lua_pop(L, 1);
}

static int hlua_panic(lua_State *L)
{
	rp_alert("Lua panic: %s", lua_tostring(L, -1) ? lua_tostring(L, -1) : "?");
	abort();
	return 0;
}

struct hlua_thr *hlua_thr_get(void)
{
	struct hlua_thr *t = hlua_thr;

	if (t)
		return t;
	if (!(t = calloc(1, sizeof(*t))))
		goto fail;
	t->forced_yield = 10000;
	t->session_timeout_us = 4000000;
	t->task_timeout_us = 0;
	t->service_timeout_us = 4000000;
	t->ctx = HLUA_BODY;
	cls_keys(t);
	if (HLUA_SLAB && !(t->slab = calloc(1, sizeof(*t->slab))))
		goto fail_t;
	if (!(t->L = lua_newstate(hlua_alloc, t)))
		goto fail_slab;
	/* the class and function-table references are kept in <t> */
	hlua_thr = t;
	lua_atpanic(t->L, hlua_panic);
	luaL_openlibs(t->L);
	compat_open(t->L);
	path_open(t->L);
	lua_newtable(t->L);
	t->fns_ref = luaL_ref(t->L, LUA_REGISTRYINDEX);
	hlua_core_open(t->L);
	hlua_txn_open(t->L);
	hlua_chan_open(t->L);
	hlua_sample_open(t->L);
	hlua_map_open(t->L);
	hlua_sock_open(t->L);
	hlua_httpclient_open(t->L);   /* after Socket: it is built on it */
	hlua_http_open(t->L);
	hlua_applet_open(t->L);
	return t;
fail_slab:
	slab_destroy(t->slab);
fail_t:
	free(t);
fail:
	return NULL;
}

/* Runs the function on top of t->L in initialisation mode (<ctx> body or
 * init). Returns 0, or -1 with the message in <err>. */
static int run_initmode(struct hlua_thr *t, enum hlua_ctx ctx, int nargs, char *err, size_t errlen)
{
	enum hlua_ctx prev = t->ctx;
	int rc;

	t->ctx = ctx;
	rc = lua_pcall(t->L, nargs, 0, 0);
	t->ctx = prev;
	if (rc != LUA_OK) {
		const char *m = lua_tostring(t->L, -1);
		snprintf(err, errlen, "%s", m ? m : "(error object is not a string)");
		lua_pop(t->L, 1);
		return -1;
	}
	return 0;
}

/* Applies the tune.lua.* settings of <cfg> (they may come after a lua-load
 * line: applied again by load()). */
static void apply_tune(struct hlua_thr *t, struct config *cfg)
{
	t->cfg = cfg;
	if (cfg->g.lua_forced_yield)
		t->forced_yield = cfg->g.lua_forced_yield;
	if (cfg->g.lua_session_timeout)
		t->session_timeout_us = (uint64_t)cfg->g.lua_session_timeout * 1000;
	t->task_timeout_us = (uint64_t)cfg->g.lua_task_timeout * 1000;
	if (cfg->g.lua_service_timeout)
		t->service_timeout_us = (uint64_t)cfg->g.lua_service_timeout * 1000;
	t->maxmem = cfg->g.lua_maxmem;
}

/* Loads and runs <file> in the body context. Returns 0 or -1 with the
 * [ALERT] text in <err>. */
static int load_one(struct hlua_thr *t, const char *file, char *err, size_t errlen)
{
	char msg[1024];

	if (luaL_loadfile(t->L, file) != LUA_OK) {
		snprintf(err, errlen, "error in Lua file '%s': %s", file,
		         lua_tostring(t->L, -1) ? lua_tostring(t->L, -1) : "?");
		lua_pop(t->L, 1);
		return -1;
	}
	if (run_initmode(t, HLUA_BODY, 0, msg, sizeof(msg)) < 0) {
		snprintf(err, errlen, "Lua runtime error: %s", msg);
		return -1;
	}
	t->nb_loaded++;
	return 0;
}

/* lua_hooks.load_file: one lua-load line, while the configuration is parsed. */
static int hook_load_file(struct config *cfg, const char *file, char *err, size_t errlen)
{
	struct hlua_thr *t = hlua_thr_get();

	if (!t) {
		snprintf(err, errlen, "Lua runtime error: out of memory");
		return -1;
	}
	apply_tune(t, cfg);
	return load_one(t, file, err, errlen);
}

/* lua_hooks.prepend_path: one lua-prepend-path line. */
static int hook_prepend_path(struct config *cfg, const char *path, int cpath)
{
	struct hlua_thr *t = hlua_thr_get();

	if (!t)
		return -1;
	t->cfg = cfg;
	path_prepend(t->L, path, cpath ? "cpath" : "path");
	t->nb_prepended++;
	return 0;
}

/* lua_hooks.load, after the configuration is parsed: applies the
 * tune.lua.* settings, then the lua-prepend-path lines and lua-load files
 * that load_file/prepend_path did not already handle (all of them when
 * the parser does not call those), then binds the actions resolved
 * before their files ran. */
static int hook_load(struct config *cfg)
{
	struct hlua_thr *t = hlua_thr_get();
	char err[1024];

	if (!t) {
		rp_alert("config : Lua runtime error: out of memory");
		return -1;
	}
	apply_tune(t, cfg);
	if (t->loaded)
		return 0;
	t->loaded = 1;

	for (int i = t->nb_prepended; i < cfg->g.nb_lua_prepend && cfg->g.lua_prepend_path; i++) {
		/* stored by cfg.c as "path:<p>" or "cpath:<p>" */
		const char *line = cfg->g.lua_prepend_path[i];

		if (!strncmp(line, "cpath:", 6))
			path_prepend(t->L, line + 6, "cpath");
		else if (!strncmp(line, "path:", 5))
			path_prepend(t->L, line + 5, "path");
		else
			path_prepend(t->L, line, "path");
	}
	for (int i = t->nb_loaded; i < cfg->g.nb_lua_load && cfg->g.lua_load; i++) {
		if (load_one(t, cfg->g.lua_load[i], err, sizeof(err)) < 0) {
			rp_alert("config : %s", err);
			return -1;
		}
	}
	return hlua_bind_pending();
}

/* lua_hooks.run_inits: binds the actions still pending, fills
 * core.proxies/frontends/backends, then runs the functions registered with
 * core.register_init, in order. */
static int hook_run_inits(struct config *cfg)
{
	struct hlua_thr *t = hlua_thr;
	char err[1024];
	int n;

	if (!t)
		return 0;
	t->cfg = cfg;
	/* actions of a configuration without lua-load: reported here at last */
	if (hlua_bind_pending() < 0)
		return -1;
	hlua_proxies_open(t->L, cfg);
	lua_getfield(t->L, LUA_REGISTRYINDEX, "ringproxy.inits");
	if (!lua_istable(t->L, -1)) {
		lua_pop(t->L, 1);
		return 0;
	}
	n = (int)lua_rawlen(t->L, -1);
	for (int i = 1; i <= n; i++) {
		lua_rawgeti(t->L, -1, i);
		if (run_initmode(t, HLUA_INIT, 0, err, sizeof(err)) < 0) {
			lua_pop(t->L, 1);
			rp_alert("Lua init: runtime error: %s.", err);
			return -1;
		}
	}
	lua_pop(t->L, 1);
	return 0;
}

/* lua_hooks.deinit: closes this thread's state. Coroutines still
 * suspended belong to streams that are gone by now. */
static void hook_deinit(void)
{
	struct hlua_thr *t = hlua_thr;

	hlua_tasks_free();
	if (t) {
		lua_close(t->L);
		hlua_sock_free();
		hlua_co_free_all(t);
		slab_destroy(t->slab);
		free(t);
		hlua_thr = NULL;
	}
	hlua_strm_pool_free();
	hlua_http_free();
	hlua_services_free();
	hlua_actions_free();
	hlua_sample_free();
}

/* lua_hooks.version: the Lua release linked in, for "-vv". */
static const char *hook_version(void)
{
	return LUA_RELEASE;
}

void lua_hooks_install(void)
{
	lua_hooks.version = hook_version;
	lua_hooks.deinit = hook_deinit;
	lua_hooks.thread_stop = hlua_sock_close_all;
	lua_hooks.load = hook_load;
	lua_hooks.load_file = hook_load_file;
	lua_hooks.prepend_path = hook_prepend_path;
	lua_hooks.run_inits = hook_run_inits;
	hlua_action_hooks();
	hlua_applet_hooks();
}
