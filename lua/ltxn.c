/* ltxn.c: the TXN class and the per-stream Lua data. As in HAProxy, every
 * action (and lua.* fetch, converter, service) call gets a TXN of its own:
 * a userdata {stream handle, direction} with a slot for the fields a
 * script sets on it. Its members f, sf, c, sc, req, res and http are
 * objects carrying a copy of the handle; those the TXN of a call hands out
 * belong to the pooled coroutine running the call and serve its calls in
 * turn (hlua_co.mt_ref), so that a call allocates one object, the TXN. That
 * TXN has a metatable of the coroutine (one per mode: no http in TCP
 * mode), whose __index table holds them (the VM finds them without
 * calling txn_index), until the function returns (hlua_txn_end) or a
 * field is set on it. A TXN is never followed by the stream: it checks
 * the stream's index, generation and Lua serial on every use, so a TXN a
 * script kept raises a clear error once its transaction is over. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "engine/conn.h"
#include "engine/http.h"
#include "engine/stream.h"
#include "engine/vars.h"
#include "lua/hlua.h"
#include "lua/lstrm.h"

/* A TXN. Invariant: <h.strm> is dereferenced only once the handle is
 * proven alive: stream_from_ref(<thr>, <idx>, <gen>) returns it (a stream
 * of a thread's table; without a thread, in unit tests, the stream
 * outlives its TXNs), and its Lua data carries <serial> (a new transaction
 * of a keep-alive stream gets a new serial). <call> is the serial of the
 * coroutine call it was made for (hlua_co.call), 0 for none: while that
 * call runs, its members are the coroutine's objects; afterwards (a TXN a
 * script kept), objects of its own, kept in its TXN_UV_SUBS table. */
struct hlua_txn {
	struct hlua_obj o;
	struct hlua_txn_h h;
	uint64_t call;
	int has_fields;             /* TXN_UV_FIELDS holds a table */
};

/* User value slots of a TXN: the table of fields a script set, the table
 * of its own members (both made on first use). */
enum { TXN_UV_FIELDS = 1, TXN_UV_SUBS, TXN_NB_UV = TXN_UV_SUBS };

static void co_members_make(lua_State *L, struct hlua_co *co, const struct hlua_txn_h *h);

void hlua_txn_push(lua_State *L, struct stream *strm, int dir, struct hlua_co *co)
{
	struct hlua_strm *hs = hlua_strm_get(strm);
	struct hlua_thr *t = hlua_thr;
	struct hlua_txn *tx;
	/* the coroutine's metatable for the stream's mode: the members are
	 * found by the VM in its __index table, without calling txn_index() */
	int http = strm->http != NULL;
	int mt = co && co->mt_ref[1] != LUA_NOREF ? co->mt_ref[http] : t->cls_ref[HLUA_C_TXN];

	if (!hs)
		luaL_error(L, "TXN: out of memory");
	tx = hlua_cls_new_mt(L, HLUA_C_TXN, sizeof(*tx), TXN_NB_UV, mt);
	tx->h.strm = strm;
	tx->h.thr = strm->thr;
	tx->h.idx = strm->idx;
	tx->h.gen = strm->gen;
	tx->h.serial = hs->serial;
	tx->h.dir = dir ? 1 : 0;
	tx->call = co ? co->call : 0;
	tx->has_fields = 0;
	if (!co)
		return;
	if (co->mt_ref[1] == LUA_NOREF) {
		co_members_make(L, co, &tx->h);
		lua_rawgeti(L, LUA_REGISTRYINDEX, co->mt_ref[http]);
		lua_setmetatable(L, -2);
	}
	*co->sub_h = tx->h;
}

/* Gives the TXN at <idx> the class metatable, whose __index (txn_index)
 * reads its fields first and hands out the coroutine's members only to
 * the TXN of the running call. */
static void txn_class_mt(lua_State *L, int idx)
{
	lua_rawgeti(L, LUA_REGISTRYINDEX, hlua_thr->cls_ref[HLUA_C_TXN]);
	lua_setmetatable(L, idx);
}

void hlua_txn_end(lua_State *L, int idx)
{
	if (lua_type(L, idx) == LUA_TUSERDATA)
		txn_class_mt(L, idx);
}

static struct hlua_txn *txn_check(lua_State *L, int idx)
{
	return hlua_cls_check(L, idx, HLUA_C_TXN, "TXN");
}

const struct hlua_txn_h *hlua_txn_h_get(lua_State *L, int idx)
{
	return &txn_check(L, idx)->h;
}

struct stream *hlua_txn_h_stream(lua_State *L, const struct hlua_txn_h *h)
{
	struct stream *s = h->strm;
	const struct hlua_strm *hs;

	if (h->thr ? stream_from_ref(h->thr, h->idx, h->gen) != s : s->gen != h->gen)
		goto dead;
	if (!(hs = s->lua) || hs->serial != h->serial)
		goto dead;
	return s;
dead:
	luaL_error(L, "TXN: the transaction is over (its stream has ended)");
	return NULL;
}

struct stream *hlua_txn_stream(lua_State *L, int idx, int *dir)
{
	const struct hlua_txn_h *h = hlua_txn_h_get(L, idx);
	struct stream *s = hlua_txn_h_stream(L, h);

	if (dir)
		*dir = h->dir;
	return s;
}

/* TXN.log(txn, level, msg) */
static int txn_log(lua_State *L)
{
	struct stream *s = hlua_txn_stream(L, 1, NULL);
	lua_Integer lvl = luaL_checkinteger(L, 2);
	size_t len;
	const char *msg = luaL_checklstring(L, 3, &len);

	if (lvl < 0 || lvl > 7)
		return luaL_argerror(L, 2, "Invalid loglevel.");
	hlua_log(s, (int)lvl, msg, len);
	return 0;
}

static int txn_log_at(lua_State *L, int lvl)
{
	struct stream *s = hlua_txn_stream(L, 1, NULL);
	size_t len;
	const char *msg = luaL_checklstring(L, 2, &len);

	hlua_log(s, lvl, msg, len);
	return 0;
}
static int txn_deflog(lua_State *L)  { return txn_log_at(L, 6); }   /* proxy default: info */
static int txn_debug(lua_State *L)   { return txn_log_at(L, 7); }
static int txn_info(lua_State *L)    { return txn_log_at(L, 6); }
static int txn_warning(lua_State *L) { return txn_log_at(L, 4); }
static int txn_alert(lua_State *L)   { return txn_log_at(L, 1); }

static int txn_get_priv(lua_State *L)
{
	struct stream *s = hlua_txn_stream(L, 1, NULL);
	struct hlua_strm *hs = s->lua;

	if (!hs || hs->priv_ref == LUA_NOREF)
		lua_pushnil(L);
	else
		lua_rawgeti(L, LUA_REGISTRYINDEX, hs->priv_ref);
	return 1;
}

static int txn_set_priv(lua_State *L)
{
	struct stream *s = hlua_txn_stream(L, 1, NULL);
	struct hlua_strm *hs = hlua_strm_get(s);

	if (!hs)
		return luaL_error(L, "TXN.set_priv: out of memory");
	lua_settop(L, 2);
	if (hs->priv_ref != LUA_NOREF)
		luaL_unref(L, LUA_REGISTRYINDEX, hs->priv_ref);
	hs->priv_ref = luaL_ref(L, LUA_REGISTRYINDEX);
	if (hs->priv_ref == LUA_REFNIL)
		hs->priv_ref = LUA_NOREF;
	return 0;
}

/* Parses the variable name at <idx> into <ref>. Returns 0, or -1 for a
 * name that is not "<scope>.<name>" (HAProxy then returns false or nil). */
static int txn_var_ref(lua_State *L, int idx, struct var_ref *ref)
{
	size_t len;
	const char *name = luaL_checklstring(L, idx, &len);
	char err[256];

	return vars_parse_ref(name, len, ref, err, sizeof(err));
}

/* Pushes <smp> as a Lua value: integer or string (addresses as text).
 * Booleans become 1 or 0, as HAProxy 2.6 hands them to Lua. */
void hlua_smp_to_lua(lua_State *L, const struct sample *smp)
{
	char buf[INET6_ADDRSTRLEN];

	switch (smp->type) {
	case SMP_T_BOOL:
		lua_pushinteger(L, smp->u.sint != 0);
		break;
	case SMP_T_SINT:
		lua_pushinteger(L, smp->u.sint);
		break;
	case SMP_T_IPV4:
		lua_pushlstring(L, buf, smp_ipv4_str(&smp->u.ipv4, buf));
		break;
	case SMP_T_IPV6:
		lua_pushstring(L, inet_ntop(AF_INET6, &smp->u.ipv6, buf, sizeof(buf)) ? buf : "");
		break;
	case SMP_T_STR: case SMP_T_BIN: case SMP_T_METH:
		lua_pushlstring(L, smp->u.str.ptr ? smp->u.str.ptr : "", smp->u.str.len);
		break;
	default:
		lua_pushnil(L);
		break;
	}
}

/* Builds <smp> from the Lua value at <idx>: integers (and integral floats)
 * become SINT, booleans BOOL, strings STR pointing into the Lua string
 * (SMP_F_CONST: valid while the value stays on the stack). Returns 1, or 0
 * for a type with no sample equivalent (nil, tables, functions...). */
int hlua_lua_to_smp(lua_State *L, int idx, struct sample *smp)
{
	memset(smp, 0, sizeof(*smp));
	switch (lua_type(L, idx)) {
	case LUA_TBOOLEAN:
		smp->type = SMP_T_BOOL;
		smp->u.sint = lua_toboolean(L, idx);
		return 1;
	case LUA_TNUMBER:
		smp->type = SMP_T_SINT;
		if (lua_isinteger(L, idx))
			smp->u.sint = lua_tointeger(L, idx);
		else
			smp->u.sint = (int64_t)lua_tonumber(L, idx);
		return 1;
	case LUA_TSTRING: {
		size_t len;
		const char *s = lua_tolstring(L, idx, &len);
		smp->type = SMP_T_STR;
		smp->flags = SMP_F_CONST;
		smp->u.str.ptr = (char *)s;
		smp->u.str.len = len;
		smp->u.str.size = 0;
		return 1;
	}
	default:
		return 0;
	}
}

/* TXN.set_var(txn, name, value [, ifexist]): true when stored, false for a
 * bad name. With <ifexist> (HAProxy 2.2+) a proc-scope variable is only
 * set when the configuration names it (vars_declare()); HAProxy 2.6 sets
 * the variables of the other scopes anyway. False also
 * for a value with no sample type (table, function...), as HAProxy 2.6
 * returns (it stores false for those; here nothing is stored). nil unsets. */
static int txn_set_var(lua_State *L)
{
	struct stream *s = hlua_txn_stream(L, 1, NULL);
	struct var_ref ref;
	struct sample smp;
	struct vars *v;
	int ok = 0;

	if (txn_var_ref(L, 2, &ref) < 0) {
		lua_pushboolean(L, 0);
		return 1;
	}
	if ((v = vars_of(s, ref.scope)) &&
	    !(lua_toboolean(L, 4) && ref.scope == VAR_SCOPE_PROC && !vars_exists(v, &ref))) {
		if (lua_isnoneornil(L, 3)) {
			vars_unset(v, &ref);
			ok = 1;
		} else if (hlua_lua_to_smp(L, 3, &smp))
			ok = vars_set(v, &ref, &smp) == 0;
	}
	vars_ref_free(&ref);
	lua_pushboolean(L, ok);
	return 1;
}

/* TXN.unset_var(txn, name): true, or false for a bad name. */
static int txn_unset_var(lua_State *L)
{
	struct stream *s = hlua_txn_stream(L, 1, NULL);
	struct var_ref ref;
	struct vars *v;

	if (txn_var_ref(L, 2, &ref) < 0) {
		lua_pushboolean(L, 0);
		return 1;
	}
	if ((v = vars_of(s, ref.scope)))
		vars_unset(v, &ref);
	vars_ref_free(&ref);
	lua_pushboolean(L, 1);
	return 1;
}

/* TXN.get_var(txn, name): the value, or nil when unset or a bad name. */
static int txn_get_var(lua_State *L)
{
	struct stream *s = hlua_txn_stream(L, 1, NULL);
	struct var_ref ref;
	struct sample smp;
	struct vars *v;

	if (txn_var_ref(L, 2, &ref) < 0) {
		lua_pushnil(L);
		return 1;
	}
	v = vars_of(s, ref.scope);
	if (v && vars_get(v, &ref, &smp))
		hlua_smp_to_lua(L, &smp);
	else
		lua_pushnil(L);
	vars_ref_free(&ref);
	return 1;
}

/* TXN.done(txn) / TXN.close(txn): ends the transaction now. In an action
 * the action returns ACT_RET_DONE: what was sent goes out, then the
 * connection closes. In a lua.* fetch or converter (HAProxy 2.6 cannot end
 * the stream there) only the Lua code stops: the call returns false. */
static int txn_done(lua_State *L)
{
	struct hlua_thr *t = hlua_thr;
	struct hlua_co *co = t ? t->cur : NULL;

	hlua_txn_stream(L, 1, NULL);
	if (!co || (co->ctx != HLUA_ACTION && co->ctx != HLUA_FETCH && co->ctx != HLUA_CONV))
		return luaL_error(L, "TXN.done: not available in %s context",
		                  hlua_ctx_name(t ? t->ctx : HLUA_BODY));
	co->done = 1;
	if (L == co->T && lua_isyieldable(L)) {
		co->wait = HLUA_W_DONE;
		return lua_yield(L, 0);
	}
	/* inside a coroutine of the script: stop at the next return */
	return 0;
}

static int txn_set_loglevel(lua_State *L)
{
	struct stream *s = hlua_txn_stream(L, 1, NULL);
	lua_Integer lvl = luaL_checkinteger(L, 2);

	if (lvl < 0 || lvl > 7)
		return luaL_argerror(L, 2, "Invalid loglevel.");
	s->loglevel = (int)lvl;
	return 0;
}

/* Applies setsockopt(<level>, <opt>) on the client socket. */
static void txn_cli_sockopt(struct stream *s, int opt, int val)
{
	int fd = s->cli ? s->cli->fd : -1;

	if (fd < 0)
		return;
	if (opt == SO_MARK) {
		setsockopt(fd, SOL_SOCKET, SO_MARK, &val, sizeof(val));
	} else if (s->cli_addr.u.sa.sa_family == AF_INET6) {
		setsockopt(fd, IPPROTO_IPV6, IPV6_TCLASS, &val, sizeof(val));
	} else {
		setsockopt(fd, IPPROTO_IP, IP_TOS, &val, sizeof(val));
	}
}

static int txn_set_tos(lua_State *L)
{
	struct stream *s = hlua_txn_stream(L, 1, NULL);

	txn_cli_sockopt(s, IP_TOS, (int)luaL_checkinteger(L, 2));
	return 0;
}

static int txn_set_mark(lua_State *L)
{
	struct stream *s = hlua_txn_stream(L, 1, NULL);

	txn_cli_sockopt(s, SO_MARK, (int)luaL_checkinteger(L, 2));
	return 0;
}

static const luaL_Reg txn_methods[] = {
	{ "log", txn_log }, { "deflog", txn_deflog }, { "Debug", txn_debug },
	{ "Info", txn_info }, { "Warning", txn_warning }, { "Alert", txn_alert },
	{ "get_priv", txn_get_priv }, { "set_priv", txn_set_priv },
	{ "set_var", txn_set_var }, { "get_var", txn_get_var }, { "unset_var", txn_unset_var },
	{ "done", txn_done }, { "close", txn_done },
	{ "set_loglevel", txn_set_loglevel }, { "set_tos", txn_set_tos },
	{ "set_mark", txn_set_mark }, { "get_headers", hlua_txn_get_headers },
	{ NULL, NULL }
};

/* The members by name, in the order of enum hlua_sub. */
static const struct { const char *name; int k; } txn_subs[] = {
	{ "f", HLUA_S_F }, { "sf", HLUA_S_SF }, { "c", HLUA_S_C }, { "sc", HLUA_S_SC },
	{ "req", HLUA_S_REQ }, { "res", HLUA_S_RES }, { "http", HLUA_S_HTTP },
};

/* Pushes a new member <k> acting for the TXN of handle <h>; returns it. */
static struct hlua_txn_obj *sub_new(lua_State *L, int k, const struct hlua_txn_h *h)
{
	switch (k) {
	case HLUA_S_F:   return hlua_smp_push(L, h, 0, 0);
	case HLUA_S_SF:  return hlua_smp_push(L, h, 0, 1);
	case HLUA_S_C:   return hlua_smp_push(L, h, 1, 0);
	case HLUA_S_SC:  return hlua_smp_push(L, h, 1, 1);
	case HLUA_S_REQ: return hlua_chan_push(L, h, 0);
	case HLUA_S_RES: return hlua_chan_push(L, h, 1);
	default:         return hlua_http_push(L, h);
	}
}

/* Registry reference of the metatable of the coroutines' member tables:
 * {__index = the methods} (hlua_txn_open). */
static __thread int members_mt_ref = LUA_NOREF;

static int txn_newindex(lua_State *L);
static int txn_tostring(lua_State *L);

/* Replaces the member table on top of <L>'s stack by a TXN metatable
 * whose __index it is, the methods behind it. */
static void txn_mt_wrap(lua_State *L)
{
	lua_rawgeti(L, LUA_REGISTRYINDEX, members_mt_ref);
	lua_setmetatable(L, -2);
	lua_createtable(L, 0, 4);
	lua_insert(L, -2);
	lua_setfield(L, -2, "__index");
	lua_pushcfunction(L, txn_newindex);
	lua_setfield(L, -2, "__newindex");
	lua_pushcfunction(L, txn_tostring);
	lua_setfield(L, -2, "__tostring");
	lua_pushliteral(L, "ringproxy.TXN");
	lua_setfield(L, -2, "__name");
}

/* Makes <co>'s members, acting for <h>, and the two TXN metatables that
 * hold them (hlua_co.mt_ref). <co> counts as having them once the HTTP
 * one is referenced, the last step: a memory error before leaves it
 * without (a TCP one referenced already is dropped by the next try). */
static void co_members_make(lua_State *L, struct hlua_co *co, const struct hlua_txn_h *h)
{
	struct hlua_txn_obj *o[HLUA_NB_SUB];

	if (co->mt_ref[0] != LUA_NOREF)
		luaL_unref(L, LUA_REGISTRYINDEX, co->mt_ref[0]);
	co->mt_ref[0] = LUA_NOREF;
	luaL_checkstack(L, 6, NULL);
	lua_createtable(L, 0, HLUA_NB_SUB - 1);   /* TCP mode: no http */
	lua_createtable(L, 0, HLUA_NB_SUB);       /* HTTP mode */
	o[0] = sub_new(L, 0, h);                  /* kept on the stack by the loop */
	for (int k = 0; k < HLUA_NB_SUB; k++) {
		if (k) {
			/* acts for the first one's handle, and keeps it alive */
			o[k] = sub_new(L, k, h);
			o[k]->hp = &o[0]->h;
			lua_pushvalue(L, -2);
			lua_setiuservalue(L, -2, 1);
		} else {
			lua_pushvalue(L, -1);
		}
		/* TCP table, HTTP table, first member, this member */
		if (k != HLUA_S_HTTP) {
			lua_pushvalue(L, -1);
			lua_setfield(L, -5, txn_subs[k].name);
		}
		lua_setfield(L, -3, txn_subs[k].name);
	}
	lua_pop(L, 1);
	txn_mt_wrap(L);
	lua_insert(L, -2);
	txn_mt_wrap(L);
	co->mt_ref[0] = luaL_ref(L, LUA_REGISTRYINDEX);
	co->mt_ref[1] = luaL_ref(L, LUA_REGISTRYINDEX);
	co->sub_h = &o[0]->h;
}

/* Pushes member <k> of the TXN <tx> at index 1. The TXN of the running
 * call hands out the coroutine's own object (already pointed at it);
 * another TXN (one a script kept past its call) makes its own, on first
 * access. */
static void sub_push(lua_State *L, struct hlua_txn *tx, int k)
{
	struct hlua_co *co = hlua_thr->cur;

	if (co && co->call == tx->call) {
		/* the metatable, its __index, the member (present: no
		 * metamethod runs; the caller returns the top value) */
		lua_rawgeti(L, LUA_REGISTRYINDEX, co->mt_ref[1]);
		lua_getfield(L, -1, "__index");
		lua_getfield(L, -1, txn_subs[k].name);
		return;
	}
	if (lua_getiuservalue(L, 1, TXN_UV_SUBS) != LUA_TTABLE) {
		lua_pop(L, 1);
		lua_createtable(L, HLUA_NB_SUB, 0);
		lua_pushvalue(L, -1);
		lua_setiuservalue(L, 1, TXN_UV_SUBS);
	}
	if (lua_rawgeti(L, -1, k + 1) != LUA_TNIL)
		return;
	lua_pop(L, 1);
	sub_new(L, k, &tx->h);
	lua_pushvalue(L, -1);
	lua_rawseti(L, -3, k + 1);
}

void hlua_txn_co_free(struct hlua_thr *t, struct hlua_co *co)
{
	for (int i = 0; i < 2; i++) {
		if (co->mt_ref[i] != LUA_NOREF)
			luaL_unref(t->L, LUA_REGISTRYINDEX, co->mt_ref[i]);
		co->mt_ref[i] = LUA_NOREF;
	}
	co->sub_h = NULL;
}

/* __index: the fields the script set, then upvalue 1, which maps the
 * method names to their functions and the member names to their numbers
 * (one lookup for both). Anything else is nil, as in HAProxy where a TXN
 * is a plain table. */
static int txn_index(lua_State *L)
{
	struct hlua_txn *tx = txn_check(L, 1);
	struct stream *s;
	int k;

	if (tx->has_fields) {
		lua_getiuservalue(L, 1, TXN_UV_FIELDS);
		lua_pushvalue(L, 2);
		if (lua_rawget(L, -2) != LUA_TNIL)
			return 1;
		lua_pop(L, 2);
	}
	lua_pushvalue(L, 2);
	if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TNUMBER)
		return 1;        /* a method, or nil */
	k = (int)lua_tointeger(L, -1);
	lua_pop(L, 1);
	s = hlua_txn_h_stream(L, &tx->h);
	if (k == HLUA_S_HTTP && !s->http) {
		lua_pushnil(L);   /* "http" in TCP mode */
		return 1;
	}
	sub_push(L, tx, k);
	return 1;
}

static int txn_newindex(lua_State *L)
{
	struct hlua_txn *tx = txn_check(L, 1);

	if (!tx->has_fields) {
		lua_createtable(L, 0, 2);
		lua_setiuservalue(L, 1, TXN_UV_FIELDS);
		tx->has_fields = 1;
		/* the coroutine's metatable would not see the fields */
		txn_class_mt(L, 1);
	}
	lua_getiuservalue(L, 1, TXN_UV_FIELDS);
	lua_pushvalue(L, 2);
	lua_pushvalue(L, 3);
	lua_rawset(L, -3);
	return 0;
}

static int txn_tostring(lua_State *L)
{
	lua_pushstring(L, "HAProxy class TXN");
	return 1;
}

void hlua_txn_open(lua_State *L)
{
	luaL_newmetatable(L, "ringproxy.TXN");
	hlua_cls_register(L, HLUA_C_TXN);
	luaL_newlib(L, txn_methods);
	for (size_t i = 0; i < sizeof(txn_subs) / sizeof(txn_subs[0]); i++) {
		lua_pushinteger(L, txn_subs[i].k);
		lua_setfield(L, -2, txn_subs[i].name);
	}
	/* the member tables' methods: without the member numbers */
	lua_createtable(L, 0, 1);
	luaL_newlib(L, txn_methods);
	lua_setfield(L, -2, "__index");
	members_mt_ref = luaL_ref(L, LUA_REGISTRYINDEX);
	lua_pushcclosure(L, txn_index, 1);
	lua_setfield(L, -2, "__index");
	lua_pushcfunction(L, txn_newindex);
	lua_setfield(L, -2, "__newindex");
	lua_pushcfunction(L, txn_tostring);
	lua_setfield(L, -2, "__tostring");
	lua_pop(L, 1);
}
