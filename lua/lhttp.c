/* lhttp.c: the HTTP class (txn.http in an HTTP-mode proxy): header reads
 * and edits, start-line rewrites and set_status over the stream's parsed
 * messages (engine/http.h), and the small per-thread cache of the regexes
 * that req_replace_header/value compile. An HTTP object is a userdata
 * {tag, its TXN's handle} (struct hlua_txn_obj): liveness, stream and
 * direction come from the handle. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/http.h"
#include "engine/stream.h"
#include "lua/hlua.h"
#include "regex/rx.h"

#define HTTP_MT "ringproxy.HTTP"

/* Per-thread scratch for header values split across segments (a header
 * block never exceeds tune.bufsize). */
static __thread char hdr_buf[65536];

struct hlua_txn_obj *hlua_http_push(lua_State *L, const struct hlua_txn_h *h)
{
	struct hlua_txn_obj *o = hlua_cls_new(L, HLUA_C_HTTP, sizeof(*o), 1);

	hlua_txn_obj_init(o, h);
	return o;
}

/* Returns the HTTP object at index 1 and its live stream (<sp>), or raises. */
static const struct hlua_txn_obj *http_obj(lua_State *L, struct stream **sp)
{
	const struct hlua_txn_obj *o = hlua_cls_check(L, 1, HLUA_C_HTTP, "HTTP");

	*sp = hlua_txn_h_stream(L, o->hp);
	return o;
}

/* Returns the message <res> (0 request, 1 response) of the HTTP object at
 * index 1 for function <fn>, or raises an error: a stream that ended, a
 * message of the other direction (the request is gone once the response
 * rules run; the response does not exist yet in a request rule), a message
 * whose headers are not available. */
static struct http_msg *http_check(lua_State *L, int res, const char *fn)
{
	struct stream *s;
	int dir = http_obj(L, &s)->hp->dir;
	struct http_txn *ht;
	struct http_msg *m;

	if (!(ht = s->http))
		luaL_error(L, "HTTP.%s: the stream is not in HTTP mode", fn);
	if (dir != res)
		luaL_error(L, "HTTP.%s: not available in %s rules (use the %s functions)", fn,
		           dir ? "response" : "request", dir ? "res_*" : "req_*");
	m = res ? &ht->rsp : &ht->req;
	/* the accessors read the header block in the channel's input part */
	if (!http_msg_ready(m) || m->fwd)
		luaL_error(L, "HTTP.%s: the %s headers are not available", fn,
		           res ? "response" : "request");
	return m;
}

/* Pushes the table t[lowercase-name][0..n-1] = value of the headers of
 * <m>, values whole as HAProxy 2.6 hands them (not split at commas). */
void hlua_http_headers_push(lua_State *L, const struct http_msg *m)
{
	int n = http_hdr_count(m);

	lua_createtable(L, 0, n);
	for (int i = 0; i < n; i++) {
		size_t nl, vl;
		const char *name = http_hdr_name(m, i, hdr_buf, 256, &nl);
		char lname[256];
		const char *v;
		lua_Integer k;

		if (!name || nl >= sizeof(lname))
			continue;
		for (size_t j = 0; j < nl; j++)
			lname[j] = (name[j] >= 'A' && name[j] <= 'Z') ? name[j] + 32 : name[j];
		if (!(v = http_hdr_value(m, i, hdr_buf, sizeof(hdr_buf), &vl)))
			continue;
		lua_pushlstring(L, lname, nl);
		if (lua_rawget(L, -2) != LUA_TTABLE) {
			lua_pop(L, 1);
			lua_createtable(L, 1, 0);
			lua_pushlstring(L, lname, nl);
			lua_pushvalue(L, -2);
			lua_rawset(L, -4);
		}
		/* 0-based: the next index is 0 when t[0] is unset, else rawlen + 1 */
		k = lua_rawgeti(L, -1, 0) == LUA_TNIL ? 0 : (lua_Integer)lua_rawlen(L, -2) + 1;
		lua_pop(L, 1);
		lua_pushlstring(L, v, vl);
		lua_rawseti(L, -2, k);
		lua_pop(L, 1);
	}
}

static int get_headers(lua_State *L, int res, const char *fn)
{
	hlua_http_headers_push(L, http_check(L, res, fn));
	return 1;
}
static int req_get_headers(lua_State *L) { return get_headers(L, 0, "req_get_headers"); }
static int res_get_headers(lua_State *L) { return get_headers(L, 1, "res_get_headers"); }

/* Raises the error of a failed edit <rc> (-errno) in <fn>. */
static int edit_fail(lua_State *L, const char *fn, int rc)
{
	return luaL_error(L, "HTTP.%s: rewrite failed (%s)", fn,
	                  rc == -ENOSPC ? "no room left: tune.maxrewrite or too many headers" :
	                  rc == -ENOMEM ? "out of memory" : "headers already forwarded");
}

static int add_header(lua_State *L, int res, const char *fn)
{
	struct http_msg *m = http_check(L, res, fn);
	size_t nl, vl;
	const char *n = luaL_checklstring(L, 2, &nl);
	const char *v = luaL_checklstring(L, 3, &vl);
	int rc = http_hdr_add(m, n, nl, v, vl);

	return rc < 0 ? edit_fail(L, fn, rc) : 0;
}
static int req_add_header(lua_State *L) { return add_header(L, 0, "req_add_header"); }
static int res_add_header(lua_State *L) { return add_header(L, 1, "res_add_header"); }

static int set_header(lua_State *L, int res, const char *fn)
{
	struct http_msg *m = http_check(L, res, fn);
	size_t nl, vl;
	const char *n = luaL_checklstring(L, 2, &nl);
	const char *v = luaL_checklstring(L, 3, &vl);
	int rc = http_hdr_set(m, n, nl, v, vl);

	return rc < 0 ? edit_fail(L, fn, rc) : 0;
}
static int req_set_header(lua_State *L) { return set_header(L, 0, "req_set_header"); }
static int res_set_header(lua_State *L) { return set_header(L, 1, "res_set_header"); }

static int del_header(lua_State *L, int res, const char *fn)
{
	struct http_msg *m = http_check(L, res, fn);
	size_t nl;
	const char *n = luaL_checklstring(L, 2, &nl);
	int rc = http_hdr_del(m, n, nl);

	return rc < 0 ? edit_fail(L, fn, rc) : 0;
}
static int req_del_header(lua_State *L) { return del_header(L, 0, "req_del_header"); }
static int res_del_header(lua_State *L) { return del_header(L, 1, "res_del_header"); }

/* ---- the regex cache: a few compiled patterns per thread, least
 * recently used evicted, so that a script calling replace_header with the
 * same pattern for every request compiles it once. */
#define RXC_SIZE 32
struct rxc_ent {
	char *pat;
	size_t len;
	struct rx *rx;
	uint64_t used;
};
static __thread struct rxc_ent rxc[RXC_SIZE];
static __thread uint64_t rxc_tick;

/* Returns the compiled <pat>, compiling it on a miss; raises a Lua error
 * naming the pattern when it does not compile. */
static struct rx *rxc_get(lua_State *L, const char *fn, const char *pat, size_t len)
{
	struct rxc_ent *e, *victim = &rxc[0];
	char err[256];
	struct rx *rx;
	char *copy;

	for (int i = 0; i < RXC_SIZE; i++) {
		e = &rxc[i];
		if (e->rx && e->len == len && !memcmp(e->pat, pat, len)) {
			e->used = ++rxc_tick;
			return e->rx;
		}
		if (!e->rx || (victim->rx && e->used < victim->used))
			victim = e;
	}
	if (!(rx = rx_compile(pat, len, RX_NEED_GROUPS, err, sizeof(err))))
		luaL_error(L, "HTTP.%s: invalid regex '%s': %s", fn, pat, err);
	if (!(copy = malloc(len + 1))) {
		rx_free(rx);
		luaL_error(L, "HTTP.%s: out of memory", fn);
	}
	memcpy(copy, pat, len);
	copy[len] = 0;
	rx_free(victim->rx);
	free(victim->pat);
	victim->pat = copy;
	victim->len = len;
	victim->rx = rx;
	victim->used = ++rxc_tick;
	return rx;
}

/* Frees this thread's regex cache (process exit). */
void hlua_http_free(void)
{
	for (int i = 0; i < RXC_SIZE; i++) {
		rx_free(rxc[i].rx);
		free(rxc[i].pat);
		rxc[i].rx = NULL;
		rxc[i].pat = NULL;
	}
}

/* replace_header(name, regex, replacement) / replace_value: the whole
 * value (or each comma-delimited element) of every <name> header that
 * <regex> matches becomes <replacement>, where \1..\9 name the groups. */
static int replace(lua_State *L, int res, int per_value, const char *fn)
{
	struct http_msg *m = http_check(L, res, fn);
	size_t nl, pl, fl;
	const char *n = luaL_checklstring(L, 2, &nl);
	const char *p = luaL_checklstring(L, 3, &pl);
	const char *f = luaL_checklstring(L, 4, &fl);
	struct rx *rx = rxc_get(L, fn, p, pl);
	int rc = http_hdr_replace_rx(m, n, nl, rx, f, fl, per_value);

	return rc < 0 ? edit_fail(L, fn, rc) : 0;
}
static int req_rep_hdr(lua_State *L) { return replace(L, 0, 0, "req_replace_header"); }
static int res_rep_hdr(lua_State *L) { return replace(L, 1, 0, "res_replace_header"); }
static int req_rep_val(lua_State *L) { return replace(L, 0, 1, "req_replace_value"); }
static int res_rep_val(lua_State *L) { return replace(L, 1, 1, "res_replace_value"); }

/* Start-line rewrites: true on success, false when the rewrite did not
 * fit (HAProxy 2.6 returns a boolean too). */
enum { SL_METH, SL_PATH, SL_QUERY, SL_URI };
static int set_sl(lua_State *L, int what, const char *fn)
{
	struct http_msg *m = http_check(L, 0, fn);
	size_t len;
	const char *v = luaL_checklstring(L, 2, &len);
	int rc;

	switch (what) {
	case SL_METH:  rc = http_set_method(m, v, len); break;
	case SL_PATH:  rc = http_set_path(m, v, len); break;
	/* a leading '?' is the separator, not part of the query */
	case SL_QUERY: rc = len && *v == '?' ? http_set_query(m, v + 1, len - 1)
	                                     : http_set_query(m, v, len); break;
	default:       rc = http_set_uri(m, v, len); break;
	}
	lua_pushboolean(L, rc == 0);
	return 1;
}
static int req_set_method(lua_State *L) { return set_sl(L, SL_METH, "req_set_method"); }
static int req_set_path(lua_State *L)   { return set_sl(L, SL_PATH, "req_set_path"); }
static int req_set_query(lua_State *L)  { return set_sl(L, SL_QUERY, "req_set_query"); }
static int req_set_uri(lua_State *L)    { return set_sl(L, SL_URI, "req_set_uri"); }

/* res_set_status(code [, reason]): true on success. The status must be a
 * three-digit code (100..999), as HAProxy's set-status. */
static int res_set_status(lua_State *L)
{
	struct http_msg *m = http_check(L, 1, "res_set_status");
	lua_Integer code = luaL_checkinteger(L, 2);
	size_t rl = 0;
	const char *r = luaL_optlstring(L, 3, NULL, &rl);
	struct stream *s;
	int rc;

	if (code < 100 || code > 999)
		return luaL_argerror(L, 2, "status code must be between 100 and 999");
	rc = http_set_status(m, (int)code, r && rl ? r : NULL, r && rl ? rl : 0);
	if (rc == 0) {
		http_obj(L, &s);
		((struct http_txn *)s->http)->status = (uint16_t)code;
	}
	lua_pushboolean(L, rc == 0);
	return 1;
}

static int http_tostring(lua_State *L)
{
	lua_pushstring(L, "HAProxy class HTTP");
	return 1;
}

static const luaL_Reg http_methods[] = {
	{ "req_get_headers", req_get_headers }, { "req_get_header", req_get_headers },
	{ "res_get_headers", res_get_headers }, { "res_get_header", res_get_headers },
	{ "req_add_header", req_add_header }, { "res_add_header", res_add_header },
	{ "req_set_header", req_set_header }, { "res_set_header", res_set_header },
	{ "req_del_header", req_del_header }, { "res_del_header", res_del_header },
	{ "req_replace_header", req_rep_hdr }, { "req_rep_header", req_rep_hdr },
	{ "res_replace_header", res_rep_hdr }, { "res_rep_header", res_rep_hdr },
	{ "req_replace_value", req_rep_val }, { "req_rep_value", req_rep_val },
	{ "res_replace_value", res_rep_val }, { "res_rep_value", res_rep_val },
	{ "req_set_method", req_set_method }, { "req_set_path", req_set_path },
	{ "req_set_query", req_set_query }, { "req_set_uri", req_set_uri },
	{ "res_set_status", res_set_status },
	{ NULL, NULL }
};

void hlua_http_open(lua_State *L)
{
	luaL_newmetatable(L, HTTP_MT);
	hlua_cls_register(L, HLUA_C_HTTP);
	luaL_newlib(L, http_methods);
	lua_setfield(L, -2, "__index");
	lua_pushcfunction(L, http_tostring);
	lua_setfield(L, -2, "__tostring");
	lua_pop(L, 1);
}

/* TXN.get_headers(txn): the request headers (the seed's TXN function). */
int hlua_txn_get_headers(lua_State *L)
{
	int dir;
	struct stream *s = hlua_txn_stream(L, 1, &dir);
	struct http_txn *ht = s->http;

	if (!ht || dir || !http_msg_ready(&ht->req) || ht->req.fwd)
		return luaL_error(L, "TXN.get_headers: the request headers are not available");
	hlua_http_headers_push(L, &ht->req);
	return 1;
}
