/* lsock.c: the Socket class (core.tcp()), LuaSocket's TCP client API over
 * the engine's connections (engine/conn.h): the socket's bytes move
 * through two channels like a stream's, and a call that must wait
 * (connect, send, receive) suspends only the coroutine that made it, in an
 * action or a task. A completion of the connection wakes that coroutine
 * (through its stream, or its task's timer), which checks again.
 * Errors are LuaSocket's: nil, "closed" | "timeout" | message [, partial].
 * connect_ssl() runs the same socket over TLS (conn_tls_start) with a
 * client context of the calling thread, chosen by its options.
 * A socket lives as long as the script keeps it, so one kept in a global
 * serves later transactions too; a coroutine that uses it holds it until
 * its call (action, task, service) ends, and another one's connect, send,
 * receive or close waits its turn meanwhile: request/answer exchanges of
 * concurrent transactions never interleave on it. */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "engine/chan.h"
#include "engine/conn.h"
#include "engine/proxy.h"
#include "engine/stream.h"
#include "engine/thread.h"
#include "lua/hlua.h"
#include "proto/tls.h"

#define SOCK_MT "ringproxy.Socket"

enum sock_state { SOCK_NEW = 0, SOCK_CONNECTING, SOCK_CONNECTED, SOCK_CLOSED };

/* Invariant: <c> is non-NULL from connect() to close()/__gc; the channels
 * are initialised whenever <c> is. Wakers are checked before use: the
 * stream through stream_from_ref(), the task through hlua_task_wake(). */
struct hlua_sock {
	struct conn *c;
	struct chan rx, tx;
	struct addr peer;
	enum sock_state state;
	int err;                    /* errno of a failed connect/send, 0 */
	uint64_t timeout_us;        /* settimeout(), 0 = none */
	uint64_t deadline;          /* of the operation waiting, monotonic us */
	struct thr *thr;
	/* the coroutine waiting on it: an action's stream or a task */
	uint32_t w_idx, w_gen;
	int w_strm;
	void *w_task;
	struct hlua_sock *prev, *next;   /* sock_live, while <c> is set */
	/* Invariant: <holder> is set only while <c> is, and counted in its
	 * nb_socks; <turns> are the coroutines waiting for it, first first,
	 * linked by their sock_next, each with sock_wait pointing here. */
	struct hlua_co *holder;
	struct hlua_co *turns;
};

/* This thread's sockets that hold a connection, so that they can be
 * closed when the loop stops (hlua_sock_close_all). */
static __thread struct hlua_sock *sock_live;

static struct hlua_sock *sock_check(lua_State *L)
{
	return luaL_checkudata(L, 1, SOCK_MT);
}

/* The connection's events: wake whoever waits; it checks for itself. */
static void sock_event(struct conn *c, unsigned ev)
{
	struct hlua_sock *s = c->owner;
	struct stream *strm;

	(void)ev;
	if (!s)
		return;
	if (ev & CONN_EV_CONNECTED)
		s->state = SOCK_CONNECTED;
	if (ev & CONN_EV_ERROR) {
		s->err = c->err ? c->err : EIO;
		if (s->state == SOCK_CONNECTING)
			s->state = SOCK_CLOSED;
	}
	if (s->w_strm) {
		if ((strm = stream_from_ref(s->thr, s->w_idx, s->w_gen)))
			stream_wakeup(strm);
	} else if (s->w_task) {
		hlua_task_wake(s->w_task);
	}
}

/* Suspends the running coroutine until it is woken or <deadline> (0:
 * none), then calls <k> with <ctx>. Raises an error where nothing can
 * wait. */
static int co_suspend(lua_State *L, uint64_t deadline, lua_KFunction k, lua_KContext ctx,
                      const char *fn)
{
	struct hlua_thr *t = hlua_thr;
	struct hlua_co *co = t ? t->cur : NULL;

	if (!co || L != co->T || !lua_isyieldable(L) ||
	    (co->ctx != HLUA_ACTION && co->ctx != HLUA_TASK))
		return luaL_error(L, "%s: cannot wait in %s context", fn, hlua_ctx_name(t ? t->ctx : HLUA_BODY));
	co->wait = HLUA_W_IO;
	co->wake_at = deadline;
	return lua_yieldk(L, 0, ctx, k);
}

/* Suspends the running coroutine until an event of <s> or its deadline,
 * then calls <k> with <ctx>. Raises an error where nothing can wait. */
static int sock_wait(lua_State *L, struct hlua_sock *s, lua_KFunction k, lua_KContext ctx,
                     const char *fn)
{
	struct hlua_co *co = hlua_thr ? hlua_thr->cur : NULL;

	s->w_strm = 0;
	s->w_task = NULL;
	if (co && co->strm) {
		s->w_strm = 1;
		s->w_idx = co->strm->idx;
		s->w_gen = co->strm->gen;
	} else if (co) {
		s->w_task = co->task;
	}
	return co_suspend(L, s->deadline, k, ctx, fn);
}

/* Starts the deadline of a new operation. */
static void sock_arm(struct hlua_sock *s)
{
	s->deadline = s->timeout_us ? hlua_now_us() + s->timeout_us : 0;
}

static int sock_timed_out(const struct hlua_sock *s)
{
	return s->deadline && hlua_now_us() >= s->deadline;
}

/* Pushes nil, <msg> and returns 2. */
static int sock_fail(lua_State *L, const char *msg)
{
	lua_pushnil(L);
	lua_pushstring(L, msg);
	return 2;
}

/* Wakes <co>, suspended in an action (through its stream) or a task. */
static void co_wake(struct hlua_co *co)
{
	if (co->strm)
		stream_wakeup(co->strm);
	else if (co->task)
		hlua_task_wake(co->task);
}

/* <s>'s holder lets it go. While <s> is connected, the first coroutine
 * waiting for it holds it now and is woken to go on; once it is closed,
 * every waiting coroutine is woken to find it so. */
static void sock_untake(struct hlua_sock *s)
{
	struct hlua_co *next;

	if (s->holder) {
		s->holder->nb_socks--;
		s->holder = NULL;
	}
	while ((next = s->turns)) {
		s->turns = next->sock_next;
		next->sock_next = NULL;
		next->sock_wait = NULL;
		co_wake(next);
		if (s->c) {
			s->holder = next;
			next->nb_socks++;
			return;
		}
	}
}

/* Removes <co> from the coroutines waiting for <s>. */
static void sock_unqueue(struct hlua_sock *s, struct hlua_co *co)
{
	struct hlua_co **pp = &s->turns;

	while (*pp && *pp != co)
		pp = &(*pp)->sock_next;
	if (*pp)
		*pp = co->sock_next;
	co->sock_next = NULL;
	co->sock_wait = NULL;
}

/* Drops the connection and the channels' bytes; the coroutines waiting
 * for <s> go on, and find it closed. */
static void sock_release(struct hlua_sock *s)
{
	struct hlua_co *co = hlua_thr ? hlua_thr->cur : NULL;

	/* closed under another coroutine's wait: it finds it closed now */
	if (s->holder && s->holder != co)
		co_wake(s->holder);
	if (s->c) {
		if (s->prev)
			s->prev->next = s->next;
		else
			sock_live = s->next;
		if (s->next)
			s->next->prev = s->prev;
		s->prev = s->next = NULL;
		conn_close(s->c);
		s->c = NULL;
		chan_reset(&s->rx);
		chan_reset(&s->tx);
	}
	s->state = SOCK_CLOSED;
	s->w_strm = 0;
	s->w_task = NULL;
	sock_untake(s);
}

void hlua_sock_co_end(struct hlua_co *co)
{
	struct hlua_sock *s;

	if (co->sock_wait)
		sock_unqueue(co->sock_wait, co);
	for (s = sock_live; s && co->nb_socks; s = s->next)
		if (s->holder == co)
			sock_untake(s);
}

/* Methods that wait their turn, re-entered when it comes (sock_turn). */
enum sock_method { SM_SEND, SM_RECEIVE };
static int sock_send(lua_State *L);
static int sock_receive(lua_State *L);

static int sock_turn_k(lua_State *L, int status, lua_KContext ctx)
{
	static const lua_CFunction fn[] = {
		[SM_SEND] = sock_send, [SM_RECEIVE] = sock_receive,
	};

	(void)status;
	return fn[ctx](L);
}

/* Returns 1 when <co> holds <s> (taken now if it was free), 0 when
 * another coroutine does. */
static int sock_take(struct hlua_sock *s, struct hlua_co *co)
{
	if (!s->c || !co || s->holder == co)
		return 1;
	if (s->holder)
		return 0;
	s->holder = co;
	co->nb_socks++;
	return 1;
}

/* Whether the running coroutine may use <s> now: returns 1 when it holds
 * <s> (taken now if free: until its call ends); returns what <m> returns
 * on a timeout ("timeout" after the socket's settimeout() limit); else
 * suspends it, first in line after those already waiting, and <m> runs
 * again when its turn comes. <s> unconnected is anyone's. */
static int sock_turn(lua_State *L, struct hlua_sock *s, enum sock_method m, const char *fn, int *ret)
{
	struct hlua_thr *t = hlua_thr;
	struct hlua_co *co = t ? t->cur : NULL, **pp;
	int top = lua_gettop(L);

	if (sock_take(s, co))
		return 1;
	if (co->sock_wait != s) {
		/* first attempt: in line, with the socket's time limit */
		for (pp = &s->turns; *pp; pp = &(*pp)->sock_next)
			;
		*pp = co;
		co->sock_wait = s;
		co->sock_next = NULL;
		co->wake_at = s->timeout_us ? hlua_now_us() + s->timeout_us : 0;
	} else if (co->wake_at && hlua_now_us() >= co->wake_at) {
		/* LuaSocket's shape: nil, "timeout" [, what went through] */
		sock_unqueue(s, co);
		lua_pushnil(L);
		lua_pushliteral(L, "timeout");
		if (m == SM_SEND)
			lua_pushinteger(L, 0);
		else if (m == SM_RECEIVE)
			lua_pushliteral(L, "");
		*ret = lua_gettop(L) - top;
		return 0;
	}
	*ret = co_suspend(L, co->wake_at, sock_turn_k, (lua_KContext)m, fn);
	return 0;
}

/* HAProxy's Socket is a Lua table: scripts store their own fields in it,
 * often wrapping a method ("sock.old_receive = sock.receive; sock.receive =
 * function..."). Here those fields live in the userdata's user value, read
 * before the methods. __index(sock, key): the script's field, else the
 * method (upvalue 1: the methods table). */
static int sock_index(lua_State *L)
{
	if (lua_getiuservalue(L, 1, 1) == LUA_TTABLE) {
		lua_pushvalue(L, 2);
		if (lua_rawget(L, -2) != LUA_TNIL)
			return 1;
		lua_pop(L, 1);
	}
	lua_pushvalue(L, 2);
	lua_rawget(L, lua_upvalueindex(1));
	return 1;
}

/* __newindex(sock, key, value): a field of the script's. */
static int sock_newindex(lua_State *L)
{
	if (lua_getiuservalue(L, 1, 1) != LUA_TTABLE) {
		lua_pop(L, 1);
		lua_newtable(L);
		lua_pushvalue(L, -1);
		lua_setiuservalue(L, 1, 1);
	}
	lua_pushvalue(L, 2);
	lua_pushvalue(L, 3);
	lua_rawset(L, -3);
	return 0;
}

/* core.tcp(): a new, unconnected Socket. */
static int core_tcp(lua_State *L)
{
	struct hlua_sock *s;

	hlua_check_ctx(L, HLUA_M(HLUA_TASK) | HLUA_M(HLUA_ACTION), "core.tcp");
	s = lua_newuserdatauv(L, sizeof(*s), 1);   /* user value: the script's own fields */
	memset(s, 0, sizeof(*s));
	s->thr = thr_cur;
	luaL_setmetatable(L, SOCK_MT);
	return 1;
}

/* Socket.settimeout(sock, seconds): the limit of each later operation. */
static int sock_settimeout(lua_State *L)
{
	struct hlua_sock *s = sock_check(L);
	lua_Number v = luaL_optnumber(L, 2, -1);

	s->timeout_us = v > 0 ? (uint64_t)(v * 1e6) : 0;
	lua_pushinteger(L, 1);
	return 1;
}

/* Socket.setoption(sock, ...): LuaSocket compatibility, no effect. */
static int sock_setoption(lua_State *L)
{
	sock_check(L);
	lua_pushinteger(L, 1);
	return 1;
}

static int sock_connect_k(lua_State *L, int status, lua_KContext ctx)
{
	struct hlua_sock *s = sock_check(L);

	(void)status;
	(void)ctx;
	if (s->state == SOCK_CONNECTED) {
		lua_pushinteger(L, 1);
		return 1;
	}
	if (s->state == SOCK_CLOSED || !s->c) {
		const char *m = s->err ? strerror(s->err) : "closed";

		if (s->err == EPROTO && s->c && s->c->tls) {
			/* the reason lives in the session: make it a Lua string first */
			lua_pushnil(L);
			lua_pushfstring(L, "SSL handshake failed: %s", tls_conn_error(s->c->tls));
			sock_release(s);
			return 2;
		}
		sock_release(s);
		return sock_fail(L, m);
	}
	if (sock_timed_out(s)) {
		sock_release(s);
		return sock_fail(L, "timeout");
	}
	return sock_wait(L, s, sock_connect_k, 0, "Socket.connect");
}

/* Parses <host> ("ip", "[ipv6]" or "ip:port" when <port> < 0) and <port>
 * into <a>. Returns NULL or the reason it is not an address. */
static const char *sock_parse_addr(const char *host, lua_Integer port, struct addr *a)
{
	char ip[INET6_ADDRSTRLEN + 2];
	const char *colon;
	size_t hlen;

	/* HAProxy's address prefixes: "unix@/path" (or a path) needs no port */
	if (!strncmp(host, "unix@", 5) || host[0] == '/') {
		const char *path = host[0] == '/' ? host : host + 5;
		size_t plen = strlen(path);

		memset(a, 0, sizeof(*a));
		if (!plen || plen >= sizeof(a->u.un.sun_path))
			return "invalid address";
		a->u.un.sun_family = AF_UNIX;
		memcpy(a->u.un.sun_path, path, plen + 1);
		a->len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + plen + 1);
		return NULL;
	}
	if (!strncmp(host, "ipv4@", 5) || !strncmp(host, "ipv6@", 5))
		host += 5;
	hlen = strlen(host);
	if (port < 0 && (colon = strrchr(host, ':')) && (!strchr(host, ']') || colon > strchr(host, ']'))) {
		port = strtol(colon + 1, NULL, 10);
		hlen = (size_t)(colon - host);
	}
	if (hlen && host[0] == '[' && host[hlen - 1] == ']') {
		host++;
		hlen -= 2;
	}
	if (port <= 0 || port > 65535)
		return "invalid port";
	if (hlen >= sizeof(ip))
		return "invalid address";
	memcpy(ip, host, hlen);
	ip[hlen] = 0;
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, ip, &a->u.in4.sin_addr) == 1) {
		a->u.in4.sin_family = AF_INET;
		a->u.in4.sin_port = htons((uint16_t)port);
		a->len = sizeof(struct sockaddr_in);
	} else if (inet_pton(AF_INET6, ip, &a->u.in6.sin6_addr) == 1) {
		a->u.in6.sin6_family = AF_INET6;
		a->u.in6.sin6_port = htons((uint16_t)port);
		a->len = sizeof(struct sockaddr_in6);
	} else {
		return "invalid address (an IP address is expected: no DNS at runtime)";
	}
	return NULL;
}

/* Connects <s> to s->peer, over TLS with <ctx> (and <sni>, may be NULL)
 * when <ctx> is set. Returns what Socket.connect returns. */
static int sock_start(lua_State *L, struct hlua_sock *s, struct tls_ctx *ctx, const char *sni)
{
	int r;

	chan_init(&s->rx, &s->thr->pool, s->thr->bufsize);
	chan_init(&s->tx, &s->thr->pool, s->thr->bufsize);
	if (!(s->c = conn_new(s->thr, -1, &s->rx, &s->tx, s, sock_event)))
		return sock_fail(L, "out of memory");
	s->prev = NULL;
	s->next = sock_live;
	if (sock_live)
		sock_live->prev = s;
	sock_live = s;
	sock_take(s, hlua_thr ? hlua_thr->cur : NULL);
	if (ctx && (r = conn_tls_start(s->c, ctx, sni)) < 0) {
		sock_release(s);
		return sock_fail(L, r == -ENOTSUP ? "SSL is not supported by this build's connections"
		                                  : strerror(-r));
	}
	s->state = SOCK_CONNECTING;
	sock_arm(s);
	if (conn_connect(s->c, &s->peer) < 0) {
		int e = s->c->err;

		sock_release(s);
		return sock_fail(L, strerror(e ? e : EIO));
	}
	return sock_connect_k(L, LUA_OK, 0);
}

/* Socket.connect(sock, address, port): address is an IPv4 or IPv6 literal
 * (no DNS at runtime); "ip:port" in <address> when <port> is absent.
 * Returns 1, or nil and a message. */
static int sock_connect(lua_State *L)
{
	struct hlua_sock *s = sock_check(L);
	const char *host = luaL_checkstring(L, 2);
	lua_Integer port = luaL_optinteger(L, 3, -1);
	const char *why;

	hlua_check_ctx(L, HLUA_M(HLUA_TASK) | HLUA_M(HLUA_ACTION), "Socket.connect");
	if (s->state != SOCK_NEW)
		return sock_fail(L, "already connected");
	if (!s->thr && !(s->thr = thr_cur))
		return sock_fail(L, "no event loop");
	if ((why = sock_parse_addr(host, port, &s->peer)))
		return sock_fail(L, why);
	return sock_start(L, s, NULL, NULL);
}

/* The client contexts of this thread's TLS sockets, one per distinct set
 * of options (verify, CA file, ALPN), made on first use and kept until
 * hlua_sock_free(): a client context also keeps its server's last session
 * for resumption, so it is never shared between threads. */
#define SOCK_TLS_CTX 8
struct sock_tls_ctx {
	struct tls_ctx *ctx;
	int verify;
	char key[512];              /* ca_file "\n" alpn */
};
static __thread struct sock_tls_ctx sock_tls[SOCK_TLS_CTX];

/* Returns this thread's context for the options, or NULL with <err> set. */
static struct tls_ctx *sock_tls_ctx(int verify, const char *ca_file, const char *alpn,
                                    char *err, size_t errlen)
{
	struct tls_ctx_opts o = { .is_server = 0, .verify = verify, .ca_file = ca_file, .alpn = alpn };
	char key[512];
	int i, n;

	n = snprintf(key, sizeof(key), "%s\n%s", ca_file ? ca_file : "", alpn ? alpn : "");
	if (n < 0 || (size_t)n >= sizeof(key)) {
		snprintf(err, errlen, "SSL options too long");
		return NULL;
	}
	for (i = 0; i < SOCK_TLS_CTX && sock_tls[i].ctx; i++)
		if (sock_tls[i].verify == verify && !strcmp(sock_tls[i].key, key))
			return sock_tls[i].ctx;
	if (i == SOCK_TLS_CTX) {
		snprintf(err, errlen, "too many different SSL option sets (%d per thread)", SOCK_TLS_CTX);
		return NULL;
	}
	if (!(sock_tls[i].ctx = tls_ctx_new(&o, err, errlen)))
		return NULL;
	sock_tls[i].verify = verify;
	memcpy(sock_tls[i].key, key, (size_t)n + 1);
	return sock_tls[i].ctx;
}

void hlua_sock_close_all(void)
{
	while (sock_live)
		sock_release(sock_live);
}

void hlua_sock_free(void)
{
	for (int i = 0; i < SOCK_TLS_CTX; i++) {
		tls_ctx_free(sock_tls[i].ctx);
		sock_tls[i].ctx = NULL;
	}
}

/* Returns the string field <name> of the options table at <idx>, or NULL. */
static const char *opt_str(lua_State *L, int idx, const char *name)
{
	const char *v = NULL;

	lua_getfield(L, idx, name);
	if (!lua_isnil(L, -1))
		v = luaL_checkstring(L, -1);   /* stays alive: the table holds it */
	lua_pop(L, 1);
	return v;
}

/* Socket.connect_ssl(sock, address, port [, options]): Socket.connect over
 * TLS. As HAProxy's, the server certificate is not verified and no server
 * name is sent; the optional table (a ringproxy extension) changes that:
 * { sni = "name", verify = "none" | "required", ca_file = "/path/ca.pem",
 *   alpn = "h2,http/1.1" }. With verify "required", ca_file is mandatory
 * and the certificate must match <sni> when one is given. A handshake
 * failure returns nil and "SSL handshake failed: <reason>". */
static int sock_connect_ssl(lua_State *L)
{
	struct hlua_sock *s = sock_check(L);
	const char *host = luaL_checkstring(L, 2);
	lua_Integer port = luaL_optinteger(L, 3, -1);
	const char *why, *sni = NULL, *ca_file = NULL, *alpn = NULL, *v;
	int verify = TLS_VERIFY_NONE;
	struct tls_ctx *ctx;
	char err[256];

	hlua_check_ctx(L, HLUA_M(HLUA_TASK) | HLUA_M(HLUA_ACTION), "Socket.connect_ssl");
	if (!lua_isnoneornil(L, 4)) {
		luaL_checktype(L, 4, LUA_TTABLE);
		sni = opt_str(L, 4, "sni");
		ca_file = opt_str(L, 4, "ca_file");
		alpn = opt_str(L, 4, "alpn");
		if ((v = opt_str(L, 4, "verify"))) {
			if (!strcmp(v, "required"))
				verify = TLS_VERIFY_REQUIRED;
			else if (strcmp(v, "none"))
				return luaL_argerror(L, 4, "verify must be \"none\" or \"required\"");
		}
		if (verify == TLS_VERIFY_REQUIRED && !ca_file)
			return luaL_argerror(L, 4, "verify \"required\" needs ca_file");
		if (sni && !*sni)
			sni = NULL;
	}
	if (s->state != SOCK_NEW)
		return sock_fail(L, "already connected");
	if (!s->thr && !(s->thr = thr_cur))
		return sock_fail(L, "no event loop");
	if ((why = sock_parse_addr(host, port, &s->peer)))
		return sock_fail(L, why);
	if (!(ctx = sock_tls_ctx(verify, ca_file, alpn, err, sizeof(err))))
		return sock_fail(L, err);
	return sock_start(L, s, ctx, sni);
}

/* Returns nonzero when nothing more will come from the peer. */
static int sock_eof(const struct hlua_sock *s)
{
	return !s->c || (s->rx.flags & (CHAN_SHUTR | CHAN_READ_ERROR));
}

/* Removes <n> bytes from the receive channel and lets more come in. */
static void sock_consume(struct hlua_sock *s, size_t n)
{
	if (n)
		chan_replace_in(&s->rx, 0, n, NULL, 0);
	if (s->c)
		conn_recv_start(s->c);
}

/* Socket.receive keeps its stack across waits: 1 the socket, 2 the
 * pattern, 3 the prefix, 4 a table of the bytes already taken out of the
 * receive channel (RX_STASH), whose total length travels in the
 * continuation's context. Taking bytes out while waiting is what lets a
 * receive ask for more than the channel holds ("*a" of a large answer,
 * receive(n) with a large n, a long line): a full channel stops receiving. */
#define RX_STASH 4

/* Pushes the prefix, the stashed bytes, then <n> bytes of the receive
 * channel minus the last <skip_tail>, as one string. */
static void sock_push_data(lua_State *L, struct hlua_sock *s, size_t n, size_t skip_tail)
{
	luaL_Buffer b;
	size_t plen = 0;
	const char *prefix = lua_type(L, 3) == LUA_TSTRING ? lua_tolstring(L, 3, &plen) : NULL;
	lua_Integer k, nk = lua_istable(L, RX_STASH) ? (lua_Integer)lua_rawlen(L, RX_STASH) : 0;
	char *p;

	luaL_buffinit(L, &b);
	if (prefix)
		luaL_addlstring(&b, prefix, plen);
	for (k = 1; k <= nk; k++) {
		lua_rawgeti(L, RX_STASH, k);
		luaL_addvalue(&b);
	}
	if (n) {
		p = luaL_prepbuffsize(&b, n);
		n = chan_copy_in(&s->rx, 0, p, n);
		luaL_addsize(&b, n > skip_tail ? n - skip_tail : 0);
	}
	luaL_pushresult(&b);
}

/* Moves the first <n> bytes of the receive channel to the stash, so that
 * more can come in. Returns <n>. */
static size_t sock_stash(lua_State *L, struct hlua_sock *s, size_t n)
{
	luaL_Buffer b;

	if (!n || !lua_istable(L, RX_STASH))
		return 0;
	luaL_buffinit(L, &b);
	n = chan_copy_in(&s->rx, 0, luaL_prepbuffsize(&b, n), n);
	luaL_addsize(&b, n);
	luaL_pushresult(&b);
	lua_rawseti(L, RX_STASH, (lua_Integer)lua_rawlen(L, RX_STASH) + 1);
	sock_consume(s, n);
	return n;
}

/* Returns 1 when the receive channel holds enough to be worth stashing
 * while the pattern is not satisfied (half its limit: receiving goes on). */
static int sock_rx_crowded(const struct hlua_sock *s)
{
	return chan_in_len(&s->rx) >= s->rx.limit / 2 || chan_is_full(&s->rx);
}

/* Pushes nil, <why>, and what came so far (prefix and stash included),
 * consumed. */
static int sock_fail_partial(lua_State *L, struct hlua_sock *s, const char *why)
{
	size_t n = s->c ? chan_in_len(&s->rx) : 0;

	lua_pushnil(L);
	lua_pushstring(L, why);
	sock_push_data(L, s, n, 0);
	if (n)
		sock_consume(s, n);
	return 3;
}

static int sock_receive_k(lua_State *L, int status, lua_KContext ctx)
{
	struct hlua_sock *s = sock_check(L);
	size_t in, got = (size_t)ctx;   /* bytes in the stash */

	(void)status;
	if (s->state != SOCK_CONNECTED || !s->c)
		return sock_fail_partial(L, s, "closed");
	in = chan_in_len(&s->rx);
	if (lua_type(L, 2) == LUA_TNUMBER) {
		size_t want = (size_t)lua_tointeger(L, 2);

		if (got + in >= want) {
			sock_push_data(L, s, want - got, 0);
			sock_consume(s, want - got);
			return 1;
		}
		if (sock_rx_crowded(s))
			got += sock_stash(L, s, in);
	} else {
		const char *pat = lua_type(L, 2) == LUA_TSTRING ? lua_tostring(L, 2) : "*l";

		if (*pat == '*')
			pat++;
		if (*pat == 'a') {
			/* nothing left after the close: "closed", as HAProxy
			 * answers, so a read loop ends instead of spinning on "" */
			if (sock_eof(s) && !in && !got)
				return sock_fail_partial(L, s, "closed");
			if (sock_eof(s)) {
				sock_push_data(L, s, in, 0);
				sock_consume(s, in);
				return 1;
			}
			if (sock_rx_crowded(s))
				got += sock_stash(L, s, in);
		} else if (*pat == 'l') {
			long lf = chan_find_in(&s->rx, 0, '\n');

			if (lf >= 0) {
				char last = 0;
				size_t n = (size_t)lf;

				/* the LF is dropped, a CR before it too (a CR is
				 * never stashed alone: see below) */
				if (n)
					chan_copy_in(&s->rx, n - 1, &last, 1);
				sock_push_data(L, s, n, last == '\r');
				sock_consume(s, n + 1);
				return 1;
			}
			if (sock_rx_crowded(s) && in > 1) {
				char last = 0;

				/* a trailing CR stays: it may be the line's end */
				chan_copy_in(&s->rx, in - 1, &last, 1);
				got += sock_stash(L, s, last == '\r' ? in - 1 : in);
			}
		} else {
			return luaL_argerror(L, 2, "invalid receive pattern");
		}
	}
	if (sock_eof(s))
		return sock_fail_partial(L, s, "closed");
	if (sock_timed_out(s))
		return sock_fail_partial(L, s, "timeout");
	return sock_wait(L, s, sock_receive_k, (lua_KContext)got, "Socket.receive");
}

/* Socket.receive(sock [, pattern [, prefix]]): "*l" (default, a line
 * without its CR LF), "*a" (until the peer closes) or a byte count.
 * Returns the data, or nil, "closed" | "timeout", partial data. */
static int sock_receive(lua_State *L)
{
	struct hlua_sock *s = sock_check(L);

	int ret;

	hlua_check_ctx(L, HLUA_M(HLUA_TASK) | HLUA_M(HLUA_ACTION), "Socket.receive");
	if (!sock_turn(L, s, SM_RECEIVE, "Socket.receive", &ret))
		return ret;
	lua_settop(L, 3);
	if (lua_type(L, 2) == LUA_TNUMBER && lua_tointeger(L, 2) < 0)
		return luaL_argerror(L, 2, "invalid receive pattern");
	lua_createtable(L, 0, 0);   /* RX_STASH */
	sock_arm(s);
	return sock_receive_k(L, LUA_OK, 0);
}

static int sock_send_k(lua_State *L, int status, lua_KContext ctx)
{
	struct hlua_sock *s = sock_check(L);
	lua_Integer last = (lua_Integer)ctx;

	(void)status;
	if (s->err || !s->c || (s->tx.flags & (CHAN_SHUTW | CHAN_WRITE_ERROR))) {
		lua_pushnil(L);
		lua_pushstring(L, "closed");
		lua_pushinteger(L, 0);
		return 3;
	}
	if (!chan_out_len(&s->tx)) {
		lua_pushinteger(L, last);
		return 1;
	}
	if (sock_timed_out(s)) {
		lua_pushnil(L);
		lua_pushstring(L, "timeout");
		lua_pushinteger(L, 0);
		return 3;
	}
	return sock_wait(L, s, sock_send_k, ctx, "Socket.send");
}

/* Socket.send(sock, data [, i [, j]]): sends data:sub(i, j) and waits
 * until it is gone. Returns j (the index of the last byte sent), or nil,
 * "closed" | "timeout", 0. */
static int sock_send(lua_State *L)
{
	struct hlua_sock *s = sock_check(L);
	size_t len;
	const char *d = luaL_checklstring(L, 2, &len);
	lua_Integer i = luaL_optinteger(L, 3, 1), j = luaL_optinteger(L, 4, (lua_Integer)len);
	int ret;

	hlua_check_ctx(L, HLUA_M(HLUA_TASK) | HLUA_M(HLUA_ACTION), "Socket.send");
	if (!sock_turn(L, s, SM_SEND, "Socket.send", &ret))
		return ret;
	if (i < 0)
		i = (lua_Integer)len + i + 1;
	if (j < 0)
		j = (lua_Integer)len + j + 1;
	if (i < 1)
		i = 1;
	if (j > (lua_Integer)len)
		j = (lua_Integer)len;
	if (s->state != SOCK_CONNECTED || !s->c) {
		lua_pushnil(L);
		lua_pushstring(L, "closed");
		lua_pushinteger(L, i - 1);
		return 3;
	}
	if (j >= i) {
		if (chan_put_out(&s->tx, d + i - 1, (size_t)(j - i + 1)) < 0)
			return sock_fail(L, "out of memory");
		conn_send(s->c);
	}
	sock_arm(s);
	return sock_send_k(L, LUA_OK, (lua_KContext)(j >= i ? j : i - 1));
}

/* Socket.close(sock): returns 1. Further operations fail with "closed". */
static int sock_close(lua_State *L)
{
	sock_release(sock_check(L));
	lua_pushinteger(L, 1);
	return 1;
}

static int sock_gc(lua_State *L)
{
	sock_release(luaL_checkudata(L, 1, SOCK_MT));
	return 0;
}

/* Pushes "ip", port of <a>, or nil. */
static int push_addr(lua_State *L, const struct sockaddr *sa)
{
	char ip[INET6_ADDRSTRLEN];

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *a = (const void *)sa;
		lua_pushstring(L, inet_ntop(AF_INET, &a->sin_addr, ip, sizeof(ip)));
		lua_pushinteger(L, ntohs(a->sin_port));
		return 2;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const void *)sa;
		lua_pushstring(L, inet_ntop(AF_INET6, &a->sin6_addr, ip, sizeof(ip)));
		lua_pushinteger(L, ntohs(a->sin6_port));
		return 2;
	}
	lua_pushnil(L);
	return 1;
}

static int sock_getpeername(lua_State *L)
{
	struct hlua_sock *s = sock_check(L);

	if (s->state != SOCK_CONNECTED) {
		lua_pushnil(L);
		return 1;
	}
	return push_addr(L, &s->peer.u.sa);
}

static int sock_getsockname(lua_State *L)
{
	struct hlua_sock *s = sock_check(L);
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);

	if (s->state != SOCK_CONNECTED || !s->c || s->c->fd < 0 ||
	    getsockname(s->c->fd, (struct sockaddr *)&ss, &sl) < 0) {
		lua_pushnil(L);
		return 1;
	}
	return push_addr(L, (struct sockaddr *)&ss);
}

static int sock_tostring(lua_State *L)
{
	lua_pushstring(L, "HAProxy class Socket");
	return 1;
}

void hlua_sock_open(lua_State *L)
{
	static const luaL_Reg methods[] = {
		{ "connect", sock_connect }, { "connect_ssl", sock_connect_ssl },
		{ "send", sock_send }, { "receive", sock_receive },
		{ "close", sock_close }, { "settimeout", sock_settimeout },
		{ "setoption", sock_setoption }, { "getpeername", sock_getpeername },
		{ "getsockname", sock_getsockname }, { NULL, NULL }
	};

	luaL_newmetatable(L, SOCK_MT);
	luaL_newlib(L, methods);
	lua_pushcclosure(L, sock_index, 1);
	lua_setfield(L, -2, "__index");
	lua_pushcfunction(L, sock_newindex);
	lua_setfield(L, -2, "__newindex");
	lua_pushcfunction(L, sock_gc);
	lua_setfield(L, -2, "__gc");
	lua_pushcfunction(L, sock_tostring);
	lua_setfield(L, -2, "__tostring");
	lua_pop(L, 1);
	/* core.tcp */
	lua_getglobal(L, "core");
	lua_pushcfunction(L, core_tcp);
	lua_setfield(L, -2, "tcp");
	lua_pop(L, 1);
}
