/* lsample.c: the Fetches and Converters classes (TXN.f/sf/c/sc) over the
 * one sample registry, and the lua.* fetches and converters that
 * core.register_fetches/register_converters add to it.
 *
 * A method name is the registry name with '.' and '-' mangled to '_'
 * (req.payload -> req_payload). The metatable's __index is a table of
 * C closures, each holding its registry entry as upvalue, so that a method
 * lookup is a plain table read inside the VM; a name missing from it is
 * resolved once (through the mangled-name map) by that table's own
 * __index and added. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/log.h"
#include "engine/sample.h"
#include "engine/stream.h"
#include "lua/hlua.h"

#define SMP_MT_F  "ringproxy.Fetches"
#define SMP_MT_C  "ringproxy.Converters"
#define CACHE_F   "ringproxy.fetch_cache"
#define CACHE_C   "ringproxy.conv_cache"

struct hlua_smp {
	struct hlua_txn_obj t;      /* tag, the TXN's handle */
	int str;                    /* sf / sc: results are always strings ("" on failure) */
};

/* A lua.* fetch or converter: what the registry entry's <priv> points to.
 * <fn_idx> indexes the function table, the same on every thread. */
struct hlua_reg {
	struct sample_fetch f;
	struct sample_conv c;
	int fn_idx;
	struct hlua_reg *next;
	char name[];                /* "lua.<name>" */
};

static struct hlua_reg *hlua_regs;   /* built at start-up, read-only afterwards */

/* Writes <name> mangled ('.' and '-' to '_') into <out> (size <n>). */
static void mangle(const char *name, char *out, size_t n)
{
	size_t i;

	for (i = 0; name[i] && i + 1 < n; i++)
		out[i] = (name[i] == '.' || name[i] == '-') ? '_' : name[i];
	out[i] = 0;
}

static void cache_add_fetch(const struct sample_fetch *f, void *arg)
{
	lua_State *L = arg;
	char m[128];

	mangle(f->name, m, sizeof(m));
	lua_pushlightuserdata(L, (void *)f);
	lua_setfield(L, -2, m);
}

static void cache_add_conv(const struct sample_conv *c, void *arg)
{
	lua_State *L = arg;
	char m[128];

	mangle(c->name, m, sizeof(m));
	lua_pushlightuserdata(L, (void *)c);
	lua_setfield(L, -2, m);
}

/* Pushes the index table (mangled name -> registry entry, then closures
 * replace the light userdata as they are made) for fetches or converters,
 * building it on first use, after the lua-load files registered theirs. */
static void cache_push(lua_State *L, int conv)
{
	const char *key = conv ? CACHE_C : CACHE_F;

	if (lua_getfield(L, LUA_REGISTRYINDEX, key) == LUA_TTABLE)
		return;
	lua_pop(L, 1);
	lua_newtable(L);
	if (conv)
		sample_conv_foreach(cache_add_conv, L);
	else
		sample_fetch_foreach(cache_add_fetch, L);
	lua_pushvalue(L, -1);
	lua_setfield(L, LUA_REGISTRYINDEX, key);
}

/* Builds the fetch or converter arguments from the Lua values from index
 * <first> to the top: each is taken as a string, verbatim. Returns the
 * number of arguments, or raises an error naming <name>. */
static int lua_args(lua_State *L, int first, arg_mask mask, struct arg *out,
                    struct proxy *px, const char *kind, const char *name)
{
	const char *strs[SMP_MAX_ARGS];
	size_t lens[SMP_MAX_ARGS];
	int n = lua_gettop(L) - first + 1;
	char err[256];

	if (n < 0)
		n = 0;
	if (n > SMP_MAX_ARGS)
		luaL_error(L, "%s '%s': too many arguments", kind, name);
	for (int i = 0; i < n; i++) {
		int t = lua_type(L, first + i);

		if (t != LUA_TSTRING && t != LUA_TNUMBER)
			luaL_error(L, "%s '%s': argument %d must be a string or a number (got %s)",
			           kind, name, i + 1, lua_typename(L, t));
		strs[i] = lua_tolstring(L, first + i, &lens[i]);
	}
	n = sample_args_from_strings(strs, lens, n, mask, out, px, err, sizeof(err));
	if (n < 0)
		luaL_error(L, "%s '%s': %s", kind, name, err);
	return n;
}

/* Pushes the result of a fetch or converter: the natural Lua value, or a
 * string in "str" mode; nil (or "") when <ok> is 0. */
static int push_result(lua_State *L, int ok, struct sample *smp, int str)
{
	if (ok && str && smp->type != SMP_T_STR && !sample_cast(smp, SMP_T_STR))
		ok = 0;
	if (!ok) {
		if (str)
			lua_pushliteral(L, "");
		else
			lua_pushnil(L);
		return 1;
	}
	hlua_smp_to_lua(L, smp);
	return 1;
}

/* Returns the live stream of the Fetches/Converters <o> and its direction. */
static struct stream *smp_stream(lua_State *L, const struct hlua_smp *o, int *dir)
{
	*dir = o->t.hp->dir;
	return hlua_txn_h_stream(L, o->t.hp);
}

/* A Fetches method: f(self, args...). */
static int fetch_call(lua_State *L)
{
	const struct sample_fetch *f = lua_touserdata(L, lua_upvalueindex(1));
	struct hlua_smp *o = hlua_cls_check(L, 1, HLUA_C_FETCHES, "Fetches");
	struct arg args[SMP_MAX_ARGS];
	struct sample smp;
	struct smp_ctx ctx;
	int dir, n, ok;
	struct stream *s = smp_stream(L, o, &dir);

	memset(&ctx, 0, sizeof(ctx));
	ctx.strm = s;
	ctx.px = s ? (s->be ? s->be : s->fe) : NULL;
	ctx.dir = dir ? SMP_DIR_RES : SMP_DIR_REQ;
	ctx.final = 1;
	ctx.priv = f->priv;
	n = lua_args(L, 2, f->args, args, ctx.px, "fetch", f->name);
	if (f->check) {
		char err[256];

		if (f->check(args, err, sizeof(err)) < 0) {
			sample_args_free(args, n);
			return luaL_error(L, "fetch '%s': %s", f->name, err);
		}
	}
	memset(&smp, 0, sizeof(smp));
	ok = f->fn(args, &smp, &ctx);
	lua_settop(L, 1);        /* argument strings no longer needed */
	push_result(L, ok, &smp, o->str);
	sample_args_free(args, n);
	return 1;
}

/* A Converters method: c(self, value, args...). */
static int conv_call(lua_State *L)
{
	const struct sample_conv *c = lua_touserdata(L, lua_upvalueindex(1));
	struct hlua_smp *o = hlua_cls_check(L, 1, HLUA_C_CONVERTERS, "Converters");
	struct arg args[SMP_MAX_ARGS];
	struct sample smp;
	struct smp_ctx ctx;
	int dir, n, ok;
	struct stream *s = smp_stream(L, o, &dir);

	memset(&ctx, 0, sizeof(ctx));
	ctx.strm = s;
	ctx.px = s ? (s->be ? s->be : s->fe) : NULL;
	ctx.dir = dir ? SMP_DIR_RES : SMP_DIR_REQ;
	ctx.final = 1;
	ctx.priv = c->priv;
	if (!hlua_lua_to_smp(L, 2, &smp))
		return luaL_error(L, "converter '%s': the input must be a string, a number or a boolean (got %s)",
		                  c->name, luaL_typename(L, 2));
	n = lua_args(L, 3, c->args, args, ctx.px, "converter", c->name);
	if (c->check) {
		char err[256];

		if (c->check(args, err, sizeof(err)) < 0) {
			sample_args_free(args, n);
			return luaL_error(L, "converter '%s': %s", c->name, err);
		}
	}
	/* converters work in place: the input leaves the Lua string first */
	ok = sample_make_rw(&smp);
	if (ok && c->in != SMP_T_ANY && smp.type != c->in)
		ok = sample_cast(&smp, c->in);
	if (ok)
		ok = c->fn(args, &smp, &ctx);
	push_result(L, ok, &smp, o->str);
	sample_args_free(args, n);
	return 1;
}

/* __index of the method table (index 1) of Fetches or Converters, for a
 * name it does not hold yet: adds the closure of the registry entry of
 * that name and returns it; nil for an unknown name, as HAProxy. */
static int smp_miss(lua_State *L)
{
	int conv = lua_toboolean(L, lua_upvalueindex(1));

	if (lua_type(L, 2) != LUA_TSTRING)
		return 0;
	cache_push(L, conv);                 /* 3 */
	lua_pushvalue(L, 2);
	if (lua_rawget(L, 3) != LUA_TLIGHTUSERDATA)
		return 0;
	lua_pushcclosure(L, conv ? conv_call : fetch_call, 1);
	lua_pushvalue(L, 2);
	lua_pushvalue(L, -2);
	lua_rawset(L, 1);
	return 1;
}

struct hlua_txn_obj *hlua_smp_push(lua_State *L, const struct hlua_txn_h *h, int conv, int str)
{
	struct hlua_smp *o = hlua_cls_new(L, conv ? HLUA_C_CONVERTERS : HLUA_C_FETCHES, sizeof(*o), 1);

	hlua_txn_obj_init(&o->t, h);
	o->str = str;
	return &o->t;
}

static int smp_tostring(lua_State *L)
{
	lua_pushstring(L, lua_toboolean(L, lua_upvalueindex(1)) ? "HAProxy class Converters"
	                                                        : "HAProxy class Fetches");
	return 1;
}

void hlua_sample_open(lua_State *L)
{
	for (int conv = 0; conv < 2; conv++) {
		luaL_newmetatable(L, conv ? SMP_MT_C : SMP_MT_F);
		hlua_cls_register(L, conv ? HLUA_C_CONVERTERS : HLUA_C_FETCHES);
		lua_newtable(L);                     /* the method table */
		lua_createtable(L, 0, 1);            /* ...its metatable */
		lua_pushboolean(L, conv);
		lua_pushcclosure(L, smp_miss, 1);
		lua_setfield(L, -2, "__index");
		lua_setmetatable(L, -2);
		lua_setfield(L, -2, "__index");
		lua_pushboolean(L, conv);
		lua_pushcclosure(L, smp_tostring, 1);
		lua_setfield(L, -2, "__tostring");
		lua_pop(L, 1);
	}
}

/* ---- lua.* fetches and converters --------------------------------- */

/* Copies the first result left on <co>'s stack into <smp> (strings into a
 * scratch buffer: the coroutine goes back to the pool). Returns 1, or 0
 * for nil or a type with no sample equivalent. */
static int result_to_smp(struct hlua_co *co, struct sample *smp)
{
	lua_State *T = co->T;
	struct sample tmp;
	size_t size;
	char *p;

	if (co->nres < 1)
		return 0;
	if (!hlua_lua_to_smp(T, -co->nres, &tmp))
		return 0;
	*smp = tmp;
	if (tmp.type != SMP_T_STR)
		return 1;
	if (!(p = smp_trash(&size)) || tmp.u.str.len >= size)
		return 0;
	memcpy(p, tmp.u.str.ptr, tmp.u.str.len);
	p[tmp.u.str.len] = 0;
	smp->u.str.ptr = p;
	smp->u.str.size = size;
	smp->flags = 0;
	return 1;
}

/* Runs lua.* function <r> in context <ctx> with the values already pushed
 * on co->T. Returns 1 with the result in <smp>, or 0 after logging why. */
static int run_smp_fn(struct hlua_thr *t, struct hlua_co *co, int nargs, struct stream *strm,
                      const char *kind, const char *name, struct sample *smp)
{
	char err[512];
	int ok = 0;

	co->strm = strm;
	switch (hlua_co_resume(t, co, nargs, err, sizeof(err))) {
	case HLUA_R_OK:
		if (co->done) {
			/* txn:done(): the code stopped; HAProxy 2.6 then takes the
			 * TXN left on the stack as its result, a boolean false */
			memset(smp, 0, sizeof(*smp));
			smp->type = SMP_T_BOOL;
			ok = 1;
		} else {
			ok = result_to_smp(co, smp);
		}
		break;
	case HLUA_R_YIELD:
		hlua_alert_fn(strm, kind, name, "yield not allowed");
		break;
	default:
		hlua_alert_fn(strm, kind, name, err);
		break;
	}
	hlua_co_put(t, co);
	return ok;
}

/* Continuation of smp_start: the function has returned; its results are
 * the stack above its first argument. */
static int smp_k(lua_State *L, int status, lua_KContext ctx)
{
	(void)status;
	(void)ctx;
	hlua_txn_end(L, 1);
	return lua_gettop(L) - 1;
}

/* The body of a lua.* fetch's or converter's coroutine. Everything that
 * allocates (the TXN, the argument strings) happens here, inside
 * lua_resume(), so that a memory error (tune.lua.maxmem) fails this call
 * instead of reaching the panic handler. Stack: the hlua_reg, the stream
 * (or NULL), the direction, the arguments (struct arg *), and for a
 * converter the input sample (struct sample *), as light values. */
static int smp_start(lua_State *L)
{
	const struct hlua_reg *r = lua_touserdata(L, 1);
	struct stream *strm = lua_touserdata(L, 2);
	int dir = (int)lua_tointeger(L, 3);
	const struct arg *args = lua_touserdata(L, 4);
	const struct sample *in = lua_touserdata(L, 5);
	int n = 1;

	lua_settop(L, 0);
	luaL_checkstack(L, SMP_MAX_ARGS + 5, NULL);
	/* the first argument, kept at index 1 until the function returns */
	if (in)
		lua_pushlstring(L, in->u.str.ptr, in->u.str.len);
	else if (strm)
		hlua_txn_push(L, strm, dir, hlua_thr->cur);
	else
		lua_pushnil(L);
	hlua_fn_push(L, r->fn_idx);
	lua_pushvalue(L, 1);
	for (int i = 0; i < SMP_MAX_ARGS && args && args[i].type == ARGT_STR; i++, n++)
		lua_pushlstring(L, args[i].u.str.ptr, args[i].u.str.len);
	lua_callk(L, n, LUA_MULTRET, 0, smp_k);
	return smp_k(L, LUA_OK, 0);
}

/* Runs lua.* entry <r> (<in> NULL: a fetch, else a converter's input).
 * Returns 1 with the result in <smp>, or 0 after logging why. */
static int run_smp(const struct hlua_reg *r, enum hlua_ctx cx, const struct arg *args,
                   const struct sample *in, struct sample *smp, struct smp_ctx *ctx)
{
	struct hlua_thr *t = hlua_thr;
	struct hlua_co *co;

	if (!t || !r || !(co = hlua_co_get(t, cx, r->name + 4)))
		return 0;
	/* light values only: no allocation outside the coroutine */
	lua_pushcfunction(co->T, smp_start);
	lua_pushlightuserdata(co->T, (void *)r);
	lua_pushlightuserdata(co->T, ctx->strm);
	lua_pushinteger(co->T, ctx->dir == SMP_DIR_RES);
	lua_pushlightuserdata(co->T, (void *)args);
	lua_pushlightuserdata(co->T, (void *)in);
	return run_smp_fn(t, co, 5, ctx->strm, cx == HLUA_FETCH ? "sample-fetch" : "converter",
	                  r->name + 4, smp);
}

/* The registry entry's function for every lua.* fetch: fn(txn, args...). */
static int hlua_fetch_fn(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	return run_smp(ctx->priv, HLUA_FETCH, args, NULL, smp, ctx);
}

/* The registry entry's function for every lua.* converter: fn(input, args...). */
static int hlua_conv_fn(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	struct sample in;

	if (smp->type != SMP_T_STR && !sample_cast(smp, SMP_T_STR))
		return 0;
	in = *smp;
	return run_smp(ctx->priv, HLUA_CONV, args, &in, smp, ctx);
}

/* core.register_fetches(name, fn) / core.register_converters(name, fn) */
static int register_smp(lua_State *L, int conv)
{
	const char *fn = conv ? "core.register_converters" : "core.register_fetches";
	const char *name = luaL_checkstring(L, 1);
	struct hlua_reg *r;
	size_t len = strlen(name);
	int idx, rc;

	hlua_check_ctx(L, HLUA_M(HLUA_BODY), fn);
	luaL_checktype(L, 2, LUA_TFUNCTION);
	lua_pushvalue(L, 2);
	idx = hlua_fn_store(L);
	/* registered again: HAProxy 2.6 warns and the last one wins */
	for (r = hlua_regs; r; r = r->next) {
		if (!strcmp(r->name + 4, name) && (conv ? r->c.name != NULL : r->f.name != NULL)) {
			rp_warning("config : Trying to register %s 'lua.%s' more than once. "
			           "This will become a hard error in version 2.5.",
			           conv ? "converter" : "sample-fetch", name);
			r->fn_idx = idx;
			return 0;
		}
	}
	if (!(r = calloc(1, sizeof(*r) + len + 5)))
		return luaL_error(L, "%s: out of memory", fn);
	snprintf(r->name, len + 5, "lua.%s", name);
	r->fn_idx = idx;
	if (conv) {
		r->c.name = r->name;
		r->c.fn = hlua_conv_fn;
		r->c.args = ARG5(0, STR, STR, STR, STR, STR);
		r->c.in = SMP_T_STR;
		r->c.out = SMP_T_STR;
		r->c.priv = r;
		rc = sample_register_conv(&r->c);
	} else {
		r->f.name = r->name;
		r->f.fn = hlua_fetch_fn;
		r->f.args = ARG5(0, STR, STR, STR, STR, STR);
		r->f.out = SMP_T_STR;
		r->f.use = SMP_USE_L4 | SMP_USE_L5 | SMP_USE_L6 | SMP_USE_L7 | SMP_USE_INT | SMP_USE_RES;
		r->f.priv = r;
		rc = sample_register_fetch(&r->f);
	}
	if (rc < 0) {
		free(r);
		return luaL_error(L, "%s: cannot register '%s' (%s)", fn, name,
		                  rc == -EEXIST ? "a fetch or converter of that name exists" : "out of memory");
	}
	r->next = hlua_regs;
	hlua_regs = r;
	/* an index table built earlier must learn the new entry */
	if (lua_getfield(L, LUA_REGISTRYINDEX, conv ? CACHE_C : CACHE_F) == LUA_TTABLE) {
		char m[128];

		mangle(r->name, m, sizeof(m));
		lua_pushlightuserdata(L, conv ? (void *)&r->c : (void *)&r->f);
		lua_setfield(L, -2, m);
	}
	lua_pop(L, 1);
	return 0;
}

int hlua_register_fetch(lua_State *L) { return register_smp(L, 0); }
int hlua_register_conv(lua_State *L)  { return register_smp(L, 1); }

void hlua_sample_free(void)
{
	/* the sample registry keeps pointers to these entries: only called at
	 * process exit, after the last evaluation */
	while (hlua_regs) {
		struct hlua_reg *r = hlua_regs;

		hlua_regs = r->next;
		free(r);
	}
}
