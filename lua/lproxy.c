/* lproxy.c: the Proxy and Server classes and core.proxies, core.frontends,
 * core.backends (name -> Proxy), filled once the configuration is parsed.
 * A Proxy or Server userdata points to the configuration object, which
 * lives as long as the process. Server state changes go through lb.c so
 * that the balancing tables follow. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "engine/lb.h"
#include "engine/proxy.h"
#include "lua/hlua.h"

#define PX_MT  "ringproxy.Proxy"
#define SRV_MT "ringproxy.Server"

static struct proxy *px_check(lua_State *L)
{
	return *(struct proxy **)luaL_checkudata(L, 1, PX_MT);
}

static struct server *srv_check(lua_State *L)
{
	return *(struct server **)luaL_checkudata(L, 1, SRV_MT);
}

/* Writes "ip:port" (or the unix path) of <a> into <buf>. */
static const char *addr_text(const struct addr *a, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN];

	switch (a->u.sa.sa_family) {
	case AF_INET:
		inet_ntop(AF_INET, &a->u.in4.sin_addr, ip, sizeof(ip));
		snprintf(buf, len, "%s:%u", ip, ntohs(a->u.in4.sin_port));
		break;
	case AF_INET6:
		inet_ntop(AF_INET6, &a->u.in6.sin6_addr, ip, sizeof(ip));
		snprintf(buf, len, "%s:%u", ip, ntohs(a->u.in6.sin6_port));
		break;
	case AF_UNIX:
		snprintf(buf, len, "%s", a->u.un.sun_path);
		break;
	default:
		snprintf(buf, len, "-");
		break;
	}
	return buf;
}

static const char *srv_status(const struct server *s)
{
	switch (s->state) {
	case SRV_UP:    return s->check ? "UP" : "no check";
	case SRV_DOWN:  return "DOWN";
	case SRV_MAINT: return "MAINT";
	case SRV_DRAIN: return "DRAIN";
	}
	return "?";
}

/* ---- Server ---- */

static int srv_get_name(lua_State *L)   { lua_pushstring(L, srv_check(L)->name); return 1; }
static int srv_get_puid(lua_State *L)   { lua_pushfstring(L, "%d", srv_check(L)->id); return 1; }
static int srv_get_weight(lua_State *L) { lua_pushinteger(L, srv_check(L)->cur_weight); return 1; }
static int srv_get_maxconn(lua_State *L) { lua_pushinteger(L, srv_check(L)->maxconn); return 1; }
/* 1 or 0 (an integer, as HAProxy 2.6 returns it) */
static int srv_is_draining(lua_State *L)
{
	lua_pushinteger(L, srv_check(L)->state == SRV_DRAIN);
	return 1;
}

static int srv_get_addr(lua_State *L)
{
	char buf[128];

	lua_pushstring(L, addr_text(&srv_check(L)->addr, buf, sizeof(buf)));
	return 1;
}

/* Server.set_weight(srv, w): w as a number or a string ("50", "50%" of the
 * configured weight). Returns nil, or an error message (HAProxy's shape). */
static int srv_set_weight(lua_State *L)
{
	struct server *s = srv_check(L);
	size_t len;
	const char *w = luaL_checklstring(L, 2, &len);
	char *end;
	long v = strtol(w, &end, 10);

	hlua_check_ctx(L, HLUA_M_NOBODY, "Server.set_weight");
	if (end == w || (*end && strcmp(end, "%"))) {
		lua_pushstring(L, "Empty weight string empty or preceded by garbage");
		return 1;
	}
	if (*end == '%')
		v = (long)s->weight * v / 100;
	if (v < 0 || v > 256) {
		lua_pushstring(L, "Absolute weight can only be between 0 and 256 inclusive.");
		return 1;
	}
	s->cur_weight = (int)v;
	lb_server_changed(s);
	lua_pushnil(L);
	return 1;
}

static int srv_set_maxconn(lua_State *L)
{
	struct server *s = srv_check(L);
	lua_Integer n = luaL_checkinteger(L, 2);

	hlua_check_ctx(L, HLUA_M_NOBODY, "Server.set_maxconn");
	if (n < 0)
		return luaL_argerror(L, 2, "maxconn must be >= 0");
	s->maxconn = (int)n;
	lua_pushnil(L);
	return 1;
}

static int srv_set_state(lua_State *L, enum srv_state st, const char *fn)
{
	struct server *s = srv_check(L);

	hlua_check_ctx(L, HLUA_M_NOBODY, fn);
	if (s->state != st) {
		s->state = st;
		lb_server_changed(s);
	}
	return 0;
}
static int srv_set_drain(lua_State *L) { return srv_set_state(L, SRV_DRAIN, "Server.set_drain"); }
static int srv_set_maint(lua_State *L) { return srv_set_state(L, SRV_MAINT, "Server.set_maint"); }
static int srv_set_ready(lua_State *L) { return srv_set_state(L, SRV_UP, "Server.set_ready"); }

/* Server.get_stats(srv): the fields of "show stat" that ringproxy keeps. */
static int srv_get_stats(lua_State *L)
{
	struct server *s = srv_check(L);

	lua_createtable(L, 0, 10);
	lua_pushstring(L, s->px ? s->px->name : "");
	lua_setfield(L, -2, "pxname");
	lua_pushstring(L, s->name);
	lua_setfield(L, -2, "svname");
	lua_pushstring(L, srv_status(s));
	lua_setfield(L, -2, "status");
	lua_pushinteger(L, s->cur_conn);
	lua_setfield(L, -2, "scur");
	lua_pushinteger(L, s->max_conn_seen);
	lua_setfield(L, -2, "smax");
	lua_pushinteger(L, (lua_Integer)s->cum_conn);
	lua_setfield(L, -2, "stot");
	lua_pushinteger(L, (lua_Integer)s->bytes_in);
	lua_setfield(L, -2, "bin");
	lua_pushinteger(L, (lua_Integer)s->bytes_out);
	lua_setfield(L, -2, "bout");
	lua_pushinteger(L, s->cur_weight);
	lua_setfield(L, -2, "weight");
	lua_pushinteger(L, s->nb_queued);
	lua_setfield(L, -2, "qcur");
	return 1;
}

static const luaL_Reg srv_methods[] = {
	{ "get_name", srv_get_name }, { "get_puid", srv_get_puid },
	{ "get_addr", srv_get_addr }, { "get_weight", srv_get_weight },
	{ "set_weight", srv_set_weight }, { "get_maxconn", srv_get_maxconn },
	{ "set_maxconn", srv_set_maxconn }, { "is_draining", srv_is_draining },
	{ "set_drain", srv_set_drain }, { "set_maint", srv_set_maint },
	{ "set_ready", srv_set_ready }, { "get_stats", srv_get_stats },
	{ NULL, NULL }
};

/* ---- Proxy ---- */

static int px_get_name(lua_State *L) { lua_pushstring(L, px_check(L)->name); return 1; }
static int px_get_uuid(lua_State *L) { lua_pushfstring(L, "%d", px_check(L)->id); return 1; }

static int px_get_cap(lua_State *L)
{
	unsigned cap = px_check(L)->cap & (PX_CAP_FE | PX_CAP_BE);

	lua_pushstring(L, cap == (PX_CAP_FE | PX_CAP_BE) ? "proxy" : cap == PX_CAP_FE ? "frontend" : "backend");
	return 1;
}

static int px_get_mode(lua_State *L)
{
	lua_pushstring(L, px_check(L)->mode == PX_MODE_HTTP ? "http" : "tcp");
	return 1;
}

static int px_count_srv(lua_State *L, int backup)
{
	struct proxy *px = px_check(L);
	lua_Integer n = 0;

	for (struct server *s = px->srv; s; s = s->next)
		if (s->backup == (unsigned)backup && server_is_usable(s))
			n++;
	lua_pushinteger(L, n);
	return 1;
}
static int px_get_srv_act(lua_State *L) { return px_count_srv(L, 0); }
static int px_get_srv_bck(lua_State *L) { return px_count_srv(L, 1); }

static int px_get_stats(lua_State *L)
{
	struct proxy *px = px_check(L);
	int fe = (px->cap & PX_CAP_FE) && !(px->cap & PX_CAP_BE);

	lua_createtable(L, 0, 8);
	lua_pushstring(L, px->name);
	lua_setfield(L, -2, "pxname");
	lua_pushstring(L, fe ? "FRONTEND" : "BACKEND");
	lua_setfield(L, -2, "svname");
	lua_pushinteger(L, fe ? px->fe_cur_conn : px->be_cur_conn);
	lua_setfield(L, -2, "scur");
	lua_pushinteger(L, (lua_Integer)(fe ? px->fe_cum_conn : px->be_cum_conn));
	lua_setfield(L, -2, "stot");
	lua_pushinteger(L, (lua_Integer)px->bytes_in);
	lua_setfield(L, -2, "bin");
	lua_pushinteger(L, (lua_Integer)px->bytes_out);
	lua_setfield(L, -2, "bout");
	lua_pushinteger(L, (lua_Integer)px->denied_req);
	lua_setfield(L, -2, "dreq");
	lua_pushstring(L, px->disabled ? "STOP" : "OPEN");
	lua_setfield(L, -2, "status");
	return 1;
}

static const luaL_Reg px_methods[] = {
	{ "get_name", px_get_name }, { "get_uuid", px_get_uuid },
	{ "get_cap", px_get_cap }, { "get_mode", px_get_mode },
	{ "get_srv_act", px_get_srv_act }, { "get_srv_bck", px_get_srv_bck },
	{ "get_stats", px_get_stats },
	{ NULL, NULL }
};

/* __index of Proxy: methods, then the fields "name", "uuid", "servers". */
static int px_index(lua_State *L)
{
	struct proxy *px = px_check(L);
	const char *k = lua_tostring(L, 2);

	lua_pushvalue(L, 2);
	if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TNIL)
		return 1;
	if (!k)
		return 0;
	if (!strcmp(k, "name"))
		lua_pushstring(L, px->name);
	else if (!strcmp(k, "uuid"))
		lua_pushfstring(L, "%d", px->id);        /* a string, as HAProxy 2.6 */
	else if (!strcmp(k, "servers"))
		lua_getiuservalue(L, 1, 1);
	else if (!strcmp(k, "listeners"))
		lua_getiuservalue(L, 1, 2);
	else
		lua_pushnil(L);
	return 1;
}

static int srv_index(lua_State *L)
{
	struct server *s = srv_check(L);
	const char *k = lua_tostring(L, 2);

	lua_pushvalue(L, 2);
	if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TNIL)
		return 1;
	if (k && !strcmp(k, "name"))
		lua_pushstring(L, s->name);
	else if (k && !strcmp(k, "puid"))
		lua_pushfstring(L, "%d", s->id);         /* a string, as HAProxy 2.6 */
	else
		lua_pushnil(L);
	return 1;
}

static void push_server(lua_State *L, struct server *s)
{
	*(struct server **)lua_newuserdatauv(L, sizeof(s), 0) = s;
	luaL_setmetatable(L, SRV_MT);
}

static void push_proxy(lua_State *L, struct proxy *px)
{
	*(struct proxy **)lua_newuserdatauv(L, sizeof(px), 2) = px;
	luaL_setmetatable(L, PX_MT);
	lua_newtable(L);
	for (struct server *s = px->srv; s; s = s->next) {
		push_server(L, s);
		lua_setfield(L, -2, s->name);
	}
	lua_setiuservalue(L, -2, 1);
	lua_newtable(L);          /* listeners: the Listener class is not there yet */
	lua_setiuservalue(L, -2, 2);
}

static void classes_open(lua_State *L)
{
	if (luaL_newmetatable(L, PX_MT)) {
		luaL_newlib(L, px_methods);
		lua_pushcclosure(L, px_index, 1);
		lua_setfield(L, -2, "__index");
	}
	lua_pop(L, 1);
	if (luaL_newmetatable(L, SRV_MT)) {
		luaL_newlib(L, srv_methods);
		lua_pushcclosure(L, srv_index, 1);
		lua_setfield(L, -2, "__index");
	}
	lua_pop(L, 1);
}

void hlua_proxies_open(lua_State *L, struct config *cfg)
{
	classes_open(L);
	lua_getglobal(L, "core");
	lua_newtable(L);          /* proxies */
	lua_newtable(L);          /* frontends */
	lua_newtable(L);          /* backends */
	for (struct proxy *px = cfg ? cfg->proxies : NULL; px; px = px->next) {
		push_proxy(L, px);
		lua_pushvalue(L, -1);
		lua_setfield(L, -5, px->name);
		if (px->cap & PX_CAP_FE) {
			lua_pushvalue(L, -1);
			lua_setfield(L, -4, px->name);
		}
		if (px->cap & PX_CAP_BE) {
			lua_pushvalue(L, -1);
			lua_setfield(L, -3, px->name);
		}
		lua_pop(L, 1);
	}
	lua_setfield(L, -4, "backends");
	lua_setfield(L, -3, "frontends");
	lua_setfield(L, -2, "proxies");
	lua_pop(L, 1);
}
