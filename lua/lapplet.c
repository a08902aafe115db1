/* lapplet.c: Lua services — core.register_service(), "use-service
 * lua.<name>", and the AppletHTTP / AppletTCP classes they get. A service
 * runs in a pooled coroutine (action context, tune.lua.service-timeout
 * budget) resumed from the stream's rule analyser: it reads the request
 * body (HTTP: decoded from Content-Length or chunked framing, in place in
 * the request channel) or the raw input (TCP), and writes its response to
 * the output part of the response channel, waiting while that is full. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/conn.h"
#include "engine/hooks.h"
#include "engine/http.h"
#include "engine/http_rules.h"
#include "engine/log.h"
#include "engine/stream.h"
#include "engine/stream_http.h"
#include "engine/thread.h"
#include "engine/timer.h"
#include "lua/hlua.h"
#include "lua/lstrm.h"

#define APPH_MT "ringproxy.AppletHTTP"
#define APPT_MT "ringproxy.AppletTCP"

/* A registered service: built at start-up, read-only afterwards. */
struct hlua_svcdef {
	struct hlua_svcdef *next;
	int http;                   /* "http" (1) or "tcp" (0) */
	int fn_idx;
	char name[];
};
static struct hlua_svcdef *svcdefs;

/* How the request body is framed (struct hlua_applet.bst) */
enum { B_RAW = 0,     /* TCP: every input byte, until the client shuts */
       B_DATA,        /* Content-Length or chunk data: <left> bytes to come */
       B_CRLF,        /* the CRLF after a chunk's data */
       B_SIZE,        /* a chunk-size line */
       B_TRAILER,     /* trailer lines up to the empty one */
       B_DONE,        /* the body is complete */
       B_ERR };       /* bad chunked framing */

/* The applet object's state (the userdata's memory). Invariant: the
 * <dec> bytes at input offset <body_off> of the request channel are
 * decoded body bytes not yet handed to Lua; framing bytes before them
 * were deleted as they were decoded. */
struct hlua_applet {
	int http;
	int status;                 /* set_status(), 200 by default */
	unsigned started:1;         /* the status line and headers are queued */
	unsigned chunked:1;         /* the response goes out chunked */
	unsigned nobody:1;          /* HEAD request or a bodyless status */
	unsigned v11:1;             /* the request is HTTP/1.1 */
	unsigned req_chunked:1;     /* the request body is chunked */
	unsigned touched:1;         /* body bytes left the request channel */
	unsigned close_delim:1;     /* the response body ends with the connection (HTTP/1.0) */
	uint8_t bst;                /* B_* */
	uint64_t left;              /* B_DATA: bytes of data still to decode */
	uint32_t body_off;          /* offset of the body in the request input */
	uint32_t dec;               /* decoded bytes waiting at <body_off> */
	size_t acc;                 /* bytes kept in the uservalue's piece list */
};

/* Uservalues of an applet: 1 = its TXN, 2 = a table holding the request
 * fields (method, path...), the response's "reason", the response header
 * list "rh" ({name, value, name, value...}) and the piece list "rq" of a
 * receive() that waits for more. */
#define UV_TXN 1
#define UV_ENV 2

/* ---- registration ---- */

int hlua_register_service(lua_State *L)
{
	const char *name = luaL_checkstring(L, 1);
	const char *mode = luaL_checkstring(L, 2);
	struct hlua_svcdef *d;
	size_t len = strlen(name);
	int idx;

	hlua_check_ctx(L, HLUA_M(HLUA_BODY), "core.register_service");
	luaL_checktype(L, 3, LUA_TFUNCTION);
	if (strcmp(mode, "tcp") && strcmp(mode, "http"))
		return luaL_error(L, "'register_service' expects 'tcp' or 'http' as mode, got '%s'",
		                  mode);
	lua_pushvalue(L, 3);
	idx = hlua_fn_store(L);
	for (d = svcdefs; d; d = d->next) {
		if (!strcmp(d->name, name)) {
			/* as register_action: HAProxy warns, the last one wins */
			rp_warning("config : Trying to register service 'lua.%s' more than once. "
			           "This will become a hard error in version 2.5.", name);
			d->fn_idx = idx;
			d->http = !strcmp(mode, "http");
			return 0;
		}
	}
	if (!(d = malloc(sizeof(*d) + len + 1)))
		return luaL_error(L, "core.register_service: out of memory");
	memcpy(d->name, name, len + 1);
	d->http = !strcmp(mode, "http");
	d->fn_idx = idx;
	d->next = svcdefs;
	svcdefs = d;
	return 0;
}

void hlua_services_free(void)
{
	while (svcdefs) {
		struct hlua_svcdef *d = svcdefs;

		svcdefs = d->next;
		free(d);
	}
}

static void *hook_service_resolve(const char *name, char *err, size_t errlen)
{
	if (!strncmp(name, "lua.", 4))
		name += 4;
	for (struct hlua_svcdef *d = svcdefs; d; d = d->next)
		if (!strcmp(d->name, name))
			return d;
	/* HAProxy 2.6's text; the rule parser adds the final '.' */
	snprintf(err, errlen, "'lua.%s' unknown service name.", name);
	return NULL;
}

static int hook_service_is_http(void *svc)
{
	return svc ? ((struct hlua_svcdef *)svc)->http : 0;
}

/* ---- helpers ---- */

/* Returns the applet at index 1 and its live stream (<sp>), or raises. */
static struct hlua_applet *app_check(lua_State *L, struct stream **sp)
{
	struct hlua_applet *a = lua_touserdata(L, 1);

	if (!a || !lua_getmetatable(L, 1))
		luaL_error(L, "bad argument #1: an applet is expected");
	lua_pop(L, 1);
	if (!luaL_testudata(L, 1, APPH_MT) && !luaL_testudata(L, 1, APPT_MT))
		luaL_error(L, "bad argument #1: an applet is expected");
	lua_getiuservalue(L, 1, UV_TXN);
	*sp = hlua_txn_stream(L, -1, NULL);
	lua_pop(L, 1);
	return a;
}

/* Raises unless running in the service's own coroutine (the functions
 * that wait must be able to yield). */
static struct hlua_co *app_co(lua_State *L, const char *fn, const struct stream *s)
{
	struct hlua_thr *t = hlua_thr;
	struct hlua_co *co = t ? t->cur : NULL;

	if (!co || L != co->T || !lua_isyieldable(L) || co->strm != s)
		luaL_error(L, "%s: cannot wait here (only from the service's own function, "
		           "not from a coroutine of the script)", fn);
	return co;
}

static int app_yield(lua_State *L, struct hlua_co *co, enum hlua_wait why, uint64_t us,
                     lua_KContext ctx, lua_KFunction k)
{
	co->wait = why;
	co->wake_at = hlua_now_us() + us;
	return lua_yieldk(L, 0, ctx, k);
}

/* Returns 1 when no more request bytes can arrive. */
static int app_eof(const struct stream *s)
{
	return (s->req.flags & CHAN_SHUTR) ||
	       (s->cli && (s->cli->flags & (CONN_F_RX_EOF | CONN_F_RX_ERR)));
}

static int hexval(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Decodes what arrived of the request body: framing bytes (chunk sizes,
 * CRLFs, trailers) are deleted from the channel as they are read, data
 * bytes counted in a->dec. Ends in B_DONE, B_ERR, or waiting for bytes. */
static void body_pump(struct hlua_applet *a, struct stream *s)
{
	struct chan *ch = &s->req;
	int eof = app_eof(s);

	for (;;) {
		size_t in = chan_in_len(ch), p = (size_t)a->body_off + a->dec;
		size_t avail = in > p ? in - p : 0, n;
		char line[128];
		uint64_t v = 0;
		long lf;
		int nd = 0, h;

		switch (a->bst) {
		case B_RAW:
			a->dec = in > a->body_off ? (uint32_t)(in - a->body_off) : 0;
			if (eof)
				a->bst = B_DONE;
			return;
		case B_DATA:
			n = avail < a->left ? avail : (size_t)a->left;
			a->dec += (uint32_t)n;
			a->left -= n;
			if (a->left) {
				if (eof)
					a->bst = B_ERR;    /* truncated body */
				return;
			}
			a->bst = a->req_chunked ? B_CRLF : B_DONE;
			continue;
		case B_CRLF:
			if (avail < 2 && !(avail == 1 && chan_copy_in(ch, p, line, 1) && line[0] == '\n')) {
				if (eof)
					a->bst = B_ERR;
				return;
			}
			chan_copy_in(ch, p, line, 2);
			n = line[0] == '\n' ? 1 : (line[0] == '\r' && line[1] == '\n') ? 2 : 0;
			if (!n) {
				a->bst = B_ERR;
				return;
			}
			chan_replace_in(ch, p, n, NULL, 0);
			a->touched = 1;
			a->bst = B_SIZE;
			continue;
		case B_SIZE:
		case B_TRAILER:
			lf = chan_find_in(ch, p, '\n');
			if (lf < 0) {
				if (eof || (a->bst == B_SIZE && avail >= sizeof(line)))
					a->bst = B_ERR;
				return;
			}
			n = (size_t)lf - p + 1;
			if (a->bst == B_TRAILER) {
				chan_copy_in(ch, p, line, 1);
				chan_replace_in(ch, p, n, NULL, 0);
				a->touched = 1;
				if (n == 1 || (n == 2 && line[0] == '\r'))
					a->bst = B_DONE;
				continue;
			}
			if (n >= sizeof(line)) {
				a->bst = B_ERR;
				return;
			}
			chan_copy_in(ch, p, line, n);
			while (nd < 16 && (h = hexval((unsigned char)line[nd])) >= 0) {
				v = v * 16 + (uint64_t)h;
				nd++;
			}
			if (!nd || nd >= 16 || !strchr("; \t\r\n", line[nd])) {
				a->bst = B_ERR;
				return;
			}
			chan_replace_in(ch, p, n, NULL, 0);
			a->touched = 1;
			a->left = v;
			a->bst = v ? B_DATA : B_TRAILER;
			continue;
		default:
			return;
		}
	}
}

/* Pushes <n> bytes of the request input from offset <off> as a string. */
static void push_in(lua_State *L, const struct stream *s, size_t off, size_t n)
{
	luaL_Buffer b;
	char *p = luaL_buffinitsize(L, &b, n);

	n = chan_copy_in(&s->req, off, p, n);
	luaL_pushresultsize(&b, n);
}

/* Moves <n> decoded bytes out of the channel: into the piece list of the
 * applet at index 1 (<push> 0: a read that waits for more), or pushed as
 * one string after the pieces kept so far (<push> 1). Resumes the client's
 * receives that backpressure paused. */
static void body_take(lua_State *L, struct hlua_applet *a, struct stream *s, size_t n, int push)
{
	int base = lua_gettop(L);

	lua_getiuservalue(L, 1, UV_ENV);                    /* base+1 */
	if (lua_getfield(L, base + 1, "rq") != LUA_TTABLE) { /* base+2 */
		lua_pop(L, 1);
		lua_newtable(L);
		lua_pushvalue(L, -1);
		lua_setfield(L, base + 1, "rq");
	}
	if (n)
		push_in(L, s, a->body_off, n);                  /* base+3 */
	else
		lua_pushliteral(L, "");
	if (push) {
		int np = (int)lua_rawlen(L, base + 2);

		luaL_checkstack(L, np + 2, "applet: body too fragmented");
		for (int i = 1; i <= np; i++)
			lua_rawgeti(L, base + 2, i);
		lua_rotate(L, base + 3, np);                   /* pieces first, then the last bytes */
		lua_concat(L, np + 1);
		lua_newtable(L);
		lua_setfield(L, base + 1, "rq");
		lua_replace(L, base + 1);
		lua_settop(L, base + 1);
		a->acc = 0;
	} else {
		if (n)
			lua_rawseti(L, base + 2, (lua_Integer)lua_rawlen(L, base + 2) + 1);
		lua_settop(L, base);
		a->acc += n;
	}
	if (n) {
		chan_replace_in(&s->req, a->body_off, n, NULL, 0);
		a->touched = 1;
		a->dec -= (uint32_t)n;
		if (s->cli)
			conn_recv_start(s->cli);
	}
}

static int app_ended(const struct hlua_applet *a)
{
	return a->bst == B_DONE || a->bst == B_ERR;
}

/* receive([size]): <size> bytes of the request body (AppletHTTP) or input
 * (AppletTCP), fewer only at its end; without <size>, everything up to
 * the end. Waits (only this stream) for the bytes. "" at the end. */
static int app_receive_k(lua_State *L, int status, lua_KContext ctx)
{
	struct stream *s;
	struct hlua_applet *a = app_check(L, &s);
	struct hlua_co *co = app_co(L, "receive", s);
	lua_Integer want = (lua_Integer)ctx;
	size_t n;

	(void)status;
	body_pump(a, s);
	if (want < 0) {
		if (!app_ended(a)) {
			body_take(L, a, s, a->dec, 0);
			return app_yield(L, co, HLUA_W_IO, 0, ctx, app_receive_k);
		}
		body_take(L, a, s, a->dec, 1);
		return 1;
	}
	if (a->acc + a->dec < (size_t)want && !app_ended(a)) {
		body_take(L, a, s, a->dec, 0);
		return app_yield(L, co, HLUA_W_IO, 0, ctx, app_receive_k);
	}
	n = (size_t)want - a->acc;
	body_take(L, a, s, n < a->dec ? n : a->dec, 1);
	return 1;
}

static int app_receive(lua_State *L)
{
	lua_Integer want = luaL_optinteger(L, 2, -1);

	lua_settop(L, 1);
	if (want < -1)
		want = -1;
	return app_receive_k(L, LUA_OK, (lua_KContext)want);
}

/* getline(): the next line of the body / input with its LF, or what is
 * left at its end ("" then). */
static int app_getline_k(lua_State *L, int status, lua_KContext ctx)
{
	struct stream *s;
	struct hlua_applet *a = app_check(L, &s);
	struct hlua_co *co = app_co(L, "getline", s);
	long lf;

	(void)status;
	body_pump(a, s);
	lf = a->dec ? chan_find_in(&s->req, a->body_off, '\n') : -1;
	if (lf >= 0 && (size_t)lf < (size_t)a->body_off + a->dec) {
		body_take(L, a, s, (size_t)lf - a->body_off + 1, 1);
		return 1;
	}
	if (!app_ended(a)) {
		body_take(L, a, s, a->dec, 0);
		return app_yield(L, co, HLUA_W_IO, 0, ctx, app_getline_k);
	}
	body_take(L, a, s, a->dec, 1);
	return 1;
}

static int app_getline(lua_State *L)
{
	lua_settop(L, 1);
	return app_getline_k(L, LUA_OK, 0);
}

/* ---- the response ---- */

/* Queues the status line and headers of an AppletHTTP response: the
 * headers added by add_header() in their order (names lowercased, as
 * HAProxy sends them), then the framing: the script's content-length, or
 * "transfer-encoding: chunked" for an HTTP/1.1 client, or nothing (the
 * body ends with the connection) for HTTP/1.0. */
static void app_start(lua_State *L, struct hlua_applet *a, struct stream *s)
{
	int base = lua_gettop(L);
	const char *reason, *cl = NULL;
	size_t rlen, cllen = 0, nh;
	luaL_Buffer b;
	char tmp[32];

	a->started = 1;
	if ((a->status >= 100 && a->status < 200) || a->status == 204 || a->status == 304)
		a->nobody = 1;
	lua_getiuservalue(L, 1, UV_ENV);                    /* base+1 */
	lua_getfield(L, base + 1, "rh");                    /* base+2 */
	if (lua_getfield(L, base + 1, "reason") == LUA_TSTRING) {   /* base+3 */
		reason = lua_tolstring(L, base + 3, &rlen);
	} else {
		reason = http_status_reason(a->status);
		rlen = strlen(reason);
	}
	nh = lua_rawlen(L, base + 2);
	luaL_buffinit(L, &b);
	luaL_addstring(&b, a->v11 ? "HTTP/1.1 " : "HTTP/1.0 ");
	snprintf(tmp, sizeof(tmp), "%d ", a->status);
	luaL_addstring(&b, tmp);
	luaL_addlstring(&b, reason, rlen);
	luaL_addstring(&b, "\r\n");
	for (size_t i = 1; i + 1 <= nh; i += 2) {
		size_t nl, vl;
		const char *n, *v;
		char *lp;

		lua_rawgeti(L, base + 2, (lua_Integer)i);
		lua_rawgeti(L, base + 2, (lua_Integer)i + 1);
		n = lua_tolstring(L, -2, &nl);
		v = lua_tolstring(L, -1, &vl);
		if (nl == 14 && !strncasecmp(n, "content-length", 14)) {
			cl = v;
			cllen = vl;
			/* keep the string alive: it stays in the list */
			lua_pop(L, 2);
			continue;
		}
		if (nl == 17 && !strncasecmp(n, "transfer-encoding", 17)) {
			lua_pop(L, 2);
			continue;
		}
		lp = luaL_prepbuffsize(&b, nl);
		for (size_t j = 0; j < nl; j++)
			lp[j] = (n[j] >= 'A' && n[j] <= 'Z') ? n[j] + 32 : n[j];
		luaL_addsize(&b, nl);
		luaL_addstring(&b, ": ");
		luaL_addlstring(&b, v, vl);
		luaL_addstring(&b, "\r\n");
		lua_pop(L, 2);
	}
	if (cl && !(a->status >= 100 && a->status < 200) && a->status != 204) {
		luaL_addstring(&b, "content-length: ");
		luaL_addlstring(&b, cl, cllen);
		luaL_addstring(&b, "\r\n");
	} else if (!cl && !a->nobody && a->v11) {
		luaL_addstring(&b, "transfer-encoding: chunked\r\n");
		a->chunked = 1;
	} else if (!cl && !a->nobody) {
		a->close_delim = 1;
	}
	/* the connection header of HAProxy's HTTP/1 output, last: "close" to
	 * an HTTP/1.1 client that asked for it, "keep-alive" to an HTTP/1.0
	 * one that asked for it (unless the close ends the body) */
	if (s->http) {
		uint32_t f = ((struct http_txn *)s->http)->req.h1.flags;

		if (a->v11 && (f & H1_MF_CONN_CLOSE))
			luaL_addstring(&b, "connection: close\r\n");
		else if (!a->v11 && (f & H1_MF_CONN_KAL) && !a->close_delim)
			luaL_addstring(&b, "connection: keep-alive\r\n");
	}
	luaL_addstring(&b, "\r\n");
	luaL_pushresult(&b);
	{
		size_t hl;
		const char *h = lua_tolstring(L, -1, &hl);

		if (s->http)
			stream_http_service_head(s, h, hl);
		/* the http-response and http-after-response rules edit it first
		 * (http_rules.c), as HAProxy runs them on an applet's response */
		if ((!s->http || http_rules_service_head(s, h, hl) < 0) &&
		    chan_put_out(&s->res, h, hl) < 0)
			luaL_error(L, "AppletHTTP: out of memory");
	}
	if (s->http)
		((struct http_txn *)s->http)->status = (uint16_t)a->status;
	lua_settop(L, base);
	stream_flush(s, STRM_DIR_RES);
}

/* The "head" method of the request forbids a body in the response. */
static int app_start_response(lua_State *L)
{
	struct stream *s;
	struct hlua_applet *a = app_check(L, &s);

	if (!a->started)
		app_start(L, a, s);
	return 0;
}

static int app_set_status(lua_State *L)
{
	struct stream *s;
	struct hlua_applet *a = app_check(L, &s);
	lua_Integer code = luaL_checkinteger(L, 2);

	if (code < 100 || code > 999)
		return luaL_argerror(L, 2, "status code must be between 100 and 999");
	a->status = (int)code;
	lua_getiuservalue(L, 1, UV_ENV);
	if (lua_type(L, 3) == LUA_TSTRING)
		lua_pushvalue(L, 3);
	else
		lua_pushnil(L);
	lua_setfield(L, -2, "reason");
	return 0;
}

static int app_add_header(lua_State *L)
{
	struct stream *s;
	size_t n;

	app_check(L, &s);
	luaL_checkstring(L, 2);
	luaL_checkstring(L, 3);
	lua_getiuservalue(L, 1, UV_ENV);
	lua_getfield(L, -1, "rh");
	n = lua_rawlen(L, -1);
	lua_pushvalue(L, 2);
	lua_rawseti(L, -2, (lua_Integer)n + 1);
	lua_pushstring(L, lua_tostring(L, 3));
	lua_rawseti(L, -2, (lua_Integer)n + 2);
	return 0;
}

/* send(data): queues <data> on the response (chunk-framed when the
 * response is chunked), waiting while the channel is full: a reply is not
 * limited to one buffer. <ctx> counts the bytes of <data> already queued. */
static int app_send_k(lua_State *L, int status, lua_KContext ctx)
{
	struct stream *s;
	struct hlua_applet *a = app_check(L, &s);
	struct hlua_co *co = app_co(L, "send", s);
	struct chan *ch = &s->res;
	size_t len, off = (size_t)ctx, n, used, room;
	const char *d = luaL_checklstring(L, 2, &len);

	(void)status;
	if (a->http && !a->started)
		return luaL_error(L, "AppletHTTP.send: start_response() must be called before sending data");
	if ((ch->flags & (CHAN_SHUTW | CHAN_WRITE_ERROR)) ||
	    (s->cli && (s->cli->flags & CONN_F_TX_ERR)) ||
	    (a->http && a->nobody))
		return 0;
	used = chan_len(ch);
	room = ch->limit > used ? ch->limit - used : 0;
	n = len - off;
	if (n > room && ch->limit) {
		n = room;
		/* an empty output part always takes a limit's worth */
		if (!chan_out_len(ch))
			n = len - off < ch->limit ? len - off : ch->limit;
	}
	if (n) {
		char hdr[24];
		int hl = snprintf(hdr, sizeof(hdr), "%zx\r\n", n);

		if ((a->chunked && chan_put_out(ch, hdr, (size_t)hl) < 0) ||
		    chan_put_out(ch, d + off, n) < 0 ||
		    (a->chunked && chan_put_out(ch, "\r\n", 2) < 0))
			return luaL_error(L, "send: out of memory");
		if (a->http)
			stream_http_service_body(s, n);
		off += n;
		stream_flush(s, STRM_DIR_RES);
	}
	if (off < len)
		/* woken when the client took some bytes; 10 ms at worst */
		return app_yield(L, co, HLUA_W_IO, 10000, (lua_KContext)off, app_send_k);
	return 0;
}

static int app_send(lua_State *L)
{
	lua_settop(L, 2);
	luaL_checklstring(L, 2, NULL);
	return app_send_k(L, LUA_OK, 0);
}

/* get_priv/set_priv/get_var/set_var/unset_var: the TXN's, on the applet's
 * TXN (upvalue 1 names the method). */
static int app_txn_call(lua_State *L)
{
	struct stream *s;
	int n;

	app_check(L, &s);
	lua_getiuservalue(L, 1, UV_TXN);
	lua_replace(L, 1);
	lua_getfield(L, 1, lua_tostring(L, lua_upvalueindex(1)));
	lua_insert(L, 1);
	n = lua_gettop(L) - 1;
	lua_call(L, n, LUA_MULTRET);
	return lua_gettop(L);
}

static const char *const txn_fwd[] = { "get_priv", "set_priv", "get_var", "set_var",
                                       "unset_var", NULL };

/* __index: the request fields and cached objects (uservalue 2), the
 * methods, then f/sf/c/sc made on first use. */
static int app_index(lua_State *L)
{
	const char *k;
	int conv, str;

	lua_getiuservalue(L, 1, UV_ENV);
	lua_pushvalue(L, 2);
	if (lua_rawget(L, -2) != LUA_TNIL)
		return 1;
	lua_pop(L, 1);
	lua_pushvalue(L, 2);
	if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TNIL)
		return 1;
	lua_pop(L, 1);
	if (lua_type(L, 2) != LUA_TSTRING)
		return 0;
	k = lua_tostring(L, 2);
	if (!strcmp(k, "f") || !strcmp(k, "sf") || !strcmp(k, "c") || !strcmp(k, "sc")) {
		conv = k[0] == 'c' || k[1] == 'c';
		str = k[0] == 's';
		lua_getiuservalue(L, 1, UV_TXN);
		hlua_smp_push(L, hlua_txn_h_get(L, -1), conv, str);
		lua_pushvalue(L, 2);
		lua_pushvalue(L, -2);
		lua_rawset(L, 3);
		return 1;
	}
	return 0;
}

static int apph_tostring(lua_State *L)
{
	lua_pushstring(L, "HAProxy class AppletHTTP");
	return 1;
}
static int appt_tostring(lua_State *L)
{
	lua_pushstring(L, "HAProxy class AppletTCP");
	return 1;
}

static const luaL_Reg apph_methods[] = {
	{ "set_status", app_set_status }, { "add_header", app_add_header },
	{ "start_response", app_start_response }, { "getline", app_getline },
	{ "receive", app_receive }, { "send", app_send },
	{ NULL, NULL }
};
static const luaL_Reg appt_methods[] = {
	{ "getline", app_getline }, { "receive", app_receive }, { "send", app_send },
	{ NULL, NULL }
};

void hlua_applet_open(lua_State *L)
{
	for (int http = 0; http < 2; http++) {
		luaL_newmetatable(L, http ? APPH_MT : APPT_MT);
		lua_newtable(L);
		luaL_setfuncs(L, http ? apph_methods : appt_methods, 0);
		for (int i = 0; txn_fwd[i]; i++) {
			lua_pushstring(L, txn_fwd[i]);
			lua_pushcclosure(L, app_txn_call, 1);
			lua_setfield(L, -2, txn_fwd[i]);
		}
		lua_pushcclosure(L, app_index, 1);
		lua_setfield(L, -2, "__index");
		lua_pushcfunction(L, http ? apph_tostring : appt_tostring);
		lua_setfield(L, -2, "__tostring");
		lua_pop(L, 1);
	}
}

/* ---- running a service ---- */

/* Pushes a new applet for <s>, with the request's fields for AppletHTTP. */
static struct hlua_applet *app_new(lua_State *L, struct stream *s, int http)
{
	struct hlua_applet *a = lua_newuserdatauv(L, sizeof(*a), 2);
	int ai = lua_gettop(L);

	memset(a, 0, sizeof(*a));
	a->http = http;
	a->status = 200;
	a->bst = B_RAW;
	hlua_txn_push(L, s, 0, NULL);
	lua_setiuservalue(L, ai, UV_TXN);
	lua_createtable(L, 0, 10);
	lua_newtable(L);
	lua_setfield(L, -2, "rh");
	if (http) {
		struct http_msg *m = &((struct http_txn *)s->http)->req;
		static __thread char buf[16384];
		struct h1_span sp;
		const char *p;
		size_t len;

		a->v11 = !!(m->h1.flags & H1_MF_VER_11);
		a->nobody = http_get_meth_id(m) == H1_M_HEAD;
		a->body_off = m->h1.hdr_len;
		if (m->h1.flags & H1_MF_CHNK) {
			a->req_chunked = 1;
			a->bst = B_SIZE;
		} else if ((m->h1.flags & H1_MF_CLEN) && m->h1.body_len) {
			a->bst = B_DATA;
			a->left = m->h1.body_len;
		} else {
			a->bst = B_DONE;
		}
		p = http_get_method(m, buf, sizeof(buf), &len);
		lua_pushlstring(L, p ? p : "", p ? len : 0);
		lua_setfield(L, -2, "method");
		lua_pushstring(L, a->v11 ? "1.1" : "1.0");
		lua_setfield(L, -2, "version");
		p = http_uri_path(m, &sp) ? http_span(m, sp, buf, sizeof(buf), &len) : NULL;
		lua_pushlstring(L, p ? p : "", p ? len : 0);
		lua_setfield(L, -2, "path");
		p = http_uri_query(m, &sp) ? http_span(m, sp, buf, sizeof(buf), &len) : NULL;
		lua_pushlstring(L, p ? p : "", p ? len : 0);
		lua_setfield(L, -2, "qs");
		lua_pushinteger(L, (m->h1.flags & H1_MF_CLEN) ? (lua_Integer)m->h1.body_len : 0);
		lua_setfield(L, -2, "length");
		hlua_http_headers_push(L, m);
		lua_setfield(L, -2, "headers");
		/* "Expect: 100-continue": HAProxy 2.6 answers the interim
		 * response as the service starts, whether it reads the body or not */
		if ((m->h1.flags & H1_MF_EXPECT_100) && a->v11 &&
		    chan_put_out(&s->res, "HTTP/1.1 100 Continue\r\n\r\n", 25) == 0)
			stream_flush(s, STRM_DIR_RES);
	}
	lua_setiuservalue(L, ai, UV_ENV);
	luaL_setmetatable(L, http ? APPH_MT : APPT_MT);
	return a;
}

/* The service is over: leaves the request message as the stream expects
 * it to drop it and go on with the next request on the connection. A body
 * the service read entirely (its bytes left the channel) makes the message
 * end with its headers; a body read in part leaves the stream unable to
 * find the next request: the connection closes after the response. A body
 * never touched is dropped by the stream as after any reply. */
static void app_end_body(struct hlua_applet *a, struct stream *s)
{
	struct http_msg *m;

	if (!a->touched || !s->http)
		return;
	m = &((struct http_txn *)s->http)->req;
	if (a->bst != B_DONE || m->fwd) {
		stream_shutdown(s, STRM_SHUT_DONE);
		return;
	}
	if (a->dec)
		chan_replace_in(&s->req, a->body_off, a->dec, NULL, 0);
	a->dec = 0;
	m->h1.pos = m->h1.hdr_len;
	m->h1.phase = H1_P_DONE;
	m->state = HTTP_MSG_DONE;
}

/* After the service function returned: an AppletHTTP response that was
 * never started is sent now, a chunked one gets its last chunk. */
static int applet_k(lua_State *L, int status, lua_KContext ctx)
{
	struct stream *s;
	struct hlua_applet *a = app_check(L, &s);

	(void)status;
	(void)ctx;
	if (a->http) {
		if (!a->started)
			app_start(L, a, s);
		if (a->chunked && chan_put_out(&s->res, "0\r\n\r\n", 5) < 0)
			return luaL_error(L, "AppletHTTP: out of memory");
		a->chunked = 0;
		stream_flush(s, STRM_DIR_RES);
		if (a->close_delim)
			stream_shutdown(s, STRM_SHUT_DONE);   /* the close ends the body */
		else
			app_end_body(a, s);
	}
	return 0;
}

/* The body of a service's coroutine: (svcdef, stream) as light values. */
static int applet_start(lua_State *L)
{
	struct hlua_svcdef *d = lua_touserdata(L, 1);
	struct stream *s = lua_touserdata(L, 2);
	struct hlua_strm *hs = s->lua;

	lua_settop(L, 0);
	if (hs)
		hs->app = app_new(L, s, d->http);
	else
		app_new(L, s, d->http);
	hlua_fn_push(L, d->fn_idx);
	lua_pushvalue(L, 1);
	lua_callk(L, 1, 0, 0, applet_k);
	return applet_k(L, LUA_OK, 0);
}

static enum act_ret hook_service_run(void *svc, struct stream *strm)
{
	struct hlua_svcdef *d = svc;
	struct hlua_thr *t = hlua_thr;
	struct hlua_strm *hs;
	struct hlua_co *co;
	enum hlua_res res;
	char err[1024];
	int nargs = 0, started, sleeping;

	if (!t || !d || !(hs = hlua_strm_get(strm)))
		return ACT_RET_ERR;
	co = hlua_strm_resumable(hs, d, &sleeping);
	if (sleeping)
		return ACT_RET_YIELD;
	if (!co) {
		if (d->http != !!strm->http) {
			char nm[128];

			snprintf(nm, sizeof(nm), "<lua.%s>", d->name);
			hlua_alert_fn(strm, d->http ? "applet http" : "applet tcp", nm, d->http ?
			              "an 'http' service cannot run in a TCP-mode stream" :
			              "a 'tcp' service cannot run in an HTTP-mode stream");
			return ACT_RET_ERR;
		}
		if (!(co = hlua_co_get(t, HLUA_ACTION, d->name)))
			return ACT_RET_ERR;
		co->budget_us = t->service_timeout_us;
		co->strm = strm;
		hs->app = NULL;
		lua_pushcfunction(co->T, applet_start);
		lua_pushlightuserdata(co->T, d);
		lua_pushlightuserdata(co->T, strm);
		nargs = 2;
	}
	res = hlua_strm_run(t, hs, co, d, nargs, err, sizeof(err));
	if (res == HLUA_R_GONE)
		return ACT_RET_ERR;
	if (res == HLUA_R_YIELD)
		return ACT_RET_YIELD;
	started = hs->app && ((struct hlua_applet *)hs->app)->started;
	hs->app = NULL;
	hlua_co_put(t, co);
	if (res == HLUA_R_OK) {
		/* TCP: what the service sent goes out, then the connection closes
		 * (HTTP: the rules end the transaction on the reply) */
		if (!d->http)
			stream_shutdown(strm, STRM_SHUT_DONE);
		return ACT_RET_DONE;
	}
	{
		char nm[128];

		/* HAProxy names the service as its log does: <lua.name> */
		snprintf(nm, sizeof(nm), "<lua.%s>", d->name);
		hlua_alert_fn(strm, d->http ? "applet http" : "applet tcp", nm, err);
	}
	if (!started)
		return ACT_RET_ERR;      /* nothing sent yet: the stream answers 500 */
	/* part of the response is out: cut the connection so that the client
	 * does not take a truncated response for a complete one */
	stream_shutdown(strm, STRM_SHUT_ABORT);
	return ACT_RET_DONE;
}

void hlua_applet_hooks(void)
{
	lua_hooks.service_resolve = hook_service_resolve;
	lua_hooks.service_run = hook_service_run;
	lua_hooks.service_is_http = hook_service_is_http;
}
