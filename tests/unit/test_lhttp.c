/* test_lhttp.c: the HTTP class and Lua services through the hooks the
 * engine uses, on streams built by hand (no event loop): header tables,
 * edits and start-line rewrites checked on the bytes of the rewritten
 * message, the wrong-direction errors, bad regexes, AppletHTTP responses
 * (content-length, chunked, HTTP/1.0), request bodies (Content-Length and
 * chunked, arriving in pieces, with waits in between), replies larger than
 * the channel, AppletTCP, and the service budget. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/chan.h"
#include "engine/hooks.h"
#include "engine/http.h"
#include "engine/proxy.h"
#include "engine/stream.h"
#include "tests/unit/unit.h"

static struct config cfg;
static struct chan_pool pool;
static struct proxy px, px_tcp;   /* an HTTP and a TCP frontend */
static char script[256];
static int loaded;

static const char *lua_src =
	"local function dump(h)\n"
	"  local names, out = {}, {}\n"
	"  for k in pairs(h) do names[#names + 1] = k end\n"
	"  table.sort(names)\n"
	"  for _, k in ipairs(names) do\n"
	"    local i = 0\n"
	"    while h[k][i] ~= nil do out[#out + 1] = k .. '[' .. i .. ']=' .. h[k][i]; i = i + 1 end\n"
	"  end\n"
	"  return table.concat(out, '|')\n"
	"end\n"
	"core.register_action('dump', {'http-req'}, function(txn)\n"
	"  RESULT = dump(txn.http:req_get_headers()) .. '#' .. dump(txn:get_headers())\n"
	"end)\n"
	"core.register_action('edit', {'http-req'}, function(txn)\n"
	"  local h = txn.http\n"
	"  h:req_add_header('X-New', 'n')\n"
	"  h:req_del_header('x-del')\n"
	"  h:req_set_header('x-set', 's')\n"
	"  h:req_replace_header('x-rep', '^(a+)(b+)$', '\\\\2\\\\1')\n"
	"  h:req_replace_value('x-val', '^v(\\\\d)$', 'w\\\\1')\n"
	"  RESULT = tostring(h:req_set_method('PUT')) .. tostring(h:req_set_path('/p'))\n"
	"    .. tostring(h:req_set_query('?q=1'))\n"
	"end)\n"
	"core.register_action('uri', {'http-req'}, function(txn) txn.http:req_set_uri('/u?v') end)\n"
	"core.register_action('wrong', {'http-req'}, function(txn)\n"
	"  local ok, e = pcall(txn.http.res_set_status, txn.http, 201)\n"
	"  local ok2, e2 = pcall(txn.http.req_rep_header, txn.http, 'x', '(', 'y')\n"
	"  RESULT = tostring(ok) .. ' ' .. e .. ' | ' .. tostring(ok2) .. ' ' .. e2\n"
	"end)\n"
	"core.register_action('resp', {'http-res'}, function(txn)\n"
	"  local h = txn.http\n"
	"  local ok = pcall(h.req_set_header, h, 'a', 'b')\n"
	"  h:res_set_status(201, 'Made')\n"
	"  h:res_set_header('x-r', 'r')\n"
	"  RESULT = tostring(ok) .. ' ' .. #h:res_get_headers()['x-s']\n"
	"end)\n"
	"core.register_action('manyrx', {'http-req'}, function(txn)\n"
	"  for round = 1, 2 do\n"
	"    for i = 1, 40 do txn.http:req_rep_header('x-n', '^' .. i .. '$', 'n' .. i) end\n"
	"  end\n"
	"  txn.http:req_rep_header('x-m', '^' .. 7 .. '$', 'seven')\n"
	"end)\n"
	"core.register_action('tcphttp', {'tcp-req'}, function(txn) RESULT = tostring(txn.http) end)\n"
	"core.register_action('hpath', {'http-req'}, function(txn)\n"
	"  RESULT = txn.f:path() .. ' ' .. txn.http:req_get_headers()['host'][0]\n"
	"    .. ' ' .. tostring(rawequal(txn.http, txn.http)) .. ' ' .. tostring(txn[1])\n"
	"end)\n"
	"core.register_action('hfields', {'http-req'}, function(txn)\n"
	"  local f = txn.f\n"
	"  txn.x = 5\n"
	"  RESULT = txn.x .. ' ' .. tostring(rawequal(f, txn.f)) .. ' ' .. txn.f:path() .. ' ' .. tostring(txn.y)\n"
	"end)\n"
	"core.register_action('hkeep', {'http-req'}, function(txn) HKEPT = txn end)\n"
	"core.register_action('hdone', {'http-req'}, function(txn) HKEPT = txn txn:done() end)\n"
	"core.register_action('hkept', {'http-req'}, function(txn)\n"
	"  local ok, e = pcall(function() return HKEPT.f:path() end)\n"
	"  RESULT = tostring(ok) .. ' ' .. tostring(e) .. ' ' .. txn.f:path()\n"
	"end)\n"
	"core.register_service('hello', 'http', function(a)\n"
	"  a:set_status(200)\n"
	"  a:add_header('Content-Length', '5')\n"
	"  a:add_header('X-A', 'b')\n"
	"  a:start_response()\n"
	"  a:send('hello')\n"
	"end)\n"
	"core.register_service('chunks', 'http', function(a)\n"
	"  a:add_header('x-a', 'b')\n"
	"  a:start_response()\n"
	"  a:send('abc')\n"
	"  a:send('')\n"
	"  a:send('defghijklmnopqrstu')\n"
	"end)\n"
	"core.register_service('silent', 'http', function(a) a:set_status(204) end)\n"
	"core.register_service('early', 'http', function(a) a:send('x') end)\n"
	"core.register_service('echo', 'http', function(a)\n"
	"  local mode = a.headers['x-mode'] and a.headers['x-mode'][0] or 'all'\n"
	"  local out = {}\n"
	"  if mode == 'all' then out[1] = a:receive()\n"
	"  elseif mode == 'three' then\n"
	"    while true do local d = a:receive(3) if d == '' then break end out[#out + 1] = '<' .. d .. '>' end\n"
	"  else\n"
	"    while true do local l = a:getline() if l == '' then break end out[#out + 1] = '[' .. l .. ']' end\n"
	"  end\n"
	"  local s = a.method .. ' ' .. a.path .. ' ' .. a.qs .. ' ' .. a.length .. ' ' .. table.concat(out)\n"
	"  a:add_header('content-length', #s)\n"
	"  a:start_response()\n"
	"  a:send(s)\n"
	"end)\n"
	"core.register_service('big', 'http', function(a)\n"
	"  a:add_header('content-length', 100000)\n"
	"  a:start_response()\n"
	"  a:send(string.rep('x', 100000))\n"
	"end)\n"
	"core.register_service('spin', 'http', function(a) while true do end end)\n"
	"core.register_service('techo', 'tcp', function(a)\n"
	"  while true do\n"
	"    local l = a:getline()\n"
	"    if l == '' or l == 'quit\\n' then break end\n"
	"    a:send('echo: ' .. l)\n"
	"  end\n"
	"  a:send('bye')\n"
	"end)\n";

struct hstrm {
	struct stream s;
	struct http_txn txn;
};

/* A stream in HTTP mode with <req> parsed (headers complete). */
static void hs_init(struct hstrm *h, const char *req)
{
	memset(h, 0, sizeof(*h));
	h->s.fe = h->s.be = &px;
	h->s.gen = 9;
	h->s.loglevel = -1;
	h->s.flags = STRM_F_ALIVE;
	h->s.state = STRM_ST_DEAD;     /* no connections: flush/shutdown do nothing */
	chan_init(&h->s.req, &pool, 16384);
	chan_init(&h->s.res, &pool, 16384);
	http_txn_init(&h->txn, &h->s.req, &h->s.res, 0);
	h->s.http = &h->txn;
	chan_put_data(&h->s.req, req, strlen(req));
	EXPECT_INT(http_msg_parse(&h->txn.req), HTTP_PARSE_DONE);
}

static void hs_end(struct hstrm *h)
{
	lua_hooks.stream_release(&h->s);
	chan_reset(&h->s.req);
	chan_reset(&h->s.res);
	vars_clear(&h->s.vars_txn);
}

/* The channel's bytes (output part, then input part), NUL-terminated. */
static const char *all_str(struct chan *c, int out)
{
	static char buf[300000];
	struct iovec iov[256];
	size_t len = 0;

	if (out) {
		int n = chan_out_iov(c, iov, 256);

		for (int i = 0; i < n && len + iov[i].iov_len < sizeof(buf); i++) {
			memcpy(buf + len, iov[i].iov_base, iov[i].iov_len);
			len += iov[i].iov_len;
		}
	} else {
		len = chan_copy_in(c, 0, buf, sizeof(buf) - 1);
	}
	buf[len] = 0;
	return buf;
}

static struct lua_action *act(const char *name, const char *where)
{
	char err[256] = "";
	struct lua_action *a = lua_hooks.action_resolve(name, 0, where, NULL, 0, err, sizeof(err));

	if (!a)
		printf("  resolve(%s): %s\n", name, err);
	return a;
}

static void *svc(const char *name)
{
	char err[256] = "";
	void *s = lua_hooks.service_resolve(name, err, sizeof(err));

	if (!s)
		printf("  service(%s): %s\n", name, err);
	return s;
}

/* RESULT, read by a registered fetch-free action: "getres" copies the
 * global into the response channel of a scratch TCP stream. */
static const char *result(void)
{
	static char buf[2048];
	struct stream s;
	struct lua_action *a = act("getres", "tcp-req");

	memset(&s, 0, sizeof(s));
	s.fe = s.be = &px_tcp;
	s.gen = 3;
	s.loglevel = -1;
	s.flags = STRM_F_ALIVE;
	s.state = STRM_ST_DEAD;
	chan_init(&s.req, &pool, 16384);
	chan_init(&s.res, &pool, 16384);
	if (a) {
		lua_hooks.action_run(a, &s, 0);
		snprintf(buf, sizeof(buf), "%s", all_str(&s.res, 1));
		lua_hooks.action_free(a);
	} else {
		buf[0] = 0;
	}
	lua_hooks.stream_release(&s);
	chan_reset(&s.req);
	chan_reset(&s.res);
	return buf;
}

static void t_load(void)
{
	static char *files[2];
	FILE *f;

	lua_hooks_install();
	chan_pool_init(&pool, 4096, NULL, NULL);
	px.name = "fe";
	px.mode = PX_MODE_HTTP;
	px_tcp.name = "tcp";
	px_tcp.mode = PX_MODE_TCP;
	snprintf(script, sizeof(script), "/tmp/test_lhttp.%d.lua", (int)getpid());
	f = fopen(script, "w");
	fputs(lua_src, f);
	fputs("core.register_action('getres', {'tcp-req'}, function(txn) txn.res:send(tostring(RESULT)) end)\n", f);
	fclose(f);
	files[0] = script;
	cfg.g.lua_load = files;
	cfg.g.nb_lua_load = 1;
	cfg.g.lua_forced_yield = 1000;
	cfg.g.lua_session_timeout = 300;
	cfg.g.lua_service_timeout = 200;
	cfg.g.quiet = 1;
	EXPECT_INT(lua_hooks.load(&cfg), 0);
	EXPECT_INT(lua_hooks.run_inits(&cfg), 0);
	loaded = 1;
}

static void t_headers_table(void)
{
	struct hstrm h;
	struct lua_action *a = act("dump", "http-req");

	hs_init(&h, "GET / HTTP/1.1\r\nHost: h\r\nX-A: 1, 2\r\nx-b:\r\nX-a: 3\r\n\r\n");
	EXPECT_INT(lua_hooks.action_run(a, &h.s, 0), ACT_RET_CONT);
	EXPECT_STR(result(), "host[0]=h|x-a[0]=1, 2|x-a[1]=3|x-b[0]=#host[0]=h|x-a[0]=1, 2|x-a[1]=3|x-b[0]=");
	hs_end(&h);
	lua_hooks.action_free(a);
}

static void t_edits(void)
{
	struct hstrm h;
	struct lua_action *a = act("edit", "http-req"), *u = act("uri", "http-req");

	hs_init(&h, "GET /a?b HTTP/1.1\r\nhost: h\r\nx-del: 1\r\nx-set: 1\r\nx-set: 2\r\n"
	            "x-rep: aabbb\r\nx-val: v1, x, v2\r\nx-del: 2\r\n\r\n");
	EXPECT_INT(lua_hooks.action_run(a, &h.s, 0), ACT_RET_CONT);
	EXPECT_STR(result(), "truetruetrue");
	EXPECT_STR(all_str(&h.s.req, 0),
	           "PUT /p?q=1 HTTP/1.1\r\nhost: h\r\nx-rep: bbbaa\r\nx-val: w1, x,w2\r\n"
	           "x-new: n\r\nx-set: s\r\n\r\n");
	hs_end(&h);
	hs_init(&h, "GET /a?b HTTP/1.1\r\nhost: h\r\n\r\n");
	EXPECT_INT(lua_hooks.action_run(u, &h.s, 0), ACT_RET_CONT);
	EXPECT_STR(all_str(&h.s.req, 0), "GET /u?v HTTP/1.1\r\nhost: h\r\n\r\n");
	hs_end(&h);
	lua_hooks.action_free(a);
	lua_hooks.action_free(u);
}

/* More patterns than the regex cache holds, twice: evictions keep every
 * replacement right. */
static void t_regex_cache(void)
{
	struct hstrm h;
	struct lua_action *a = act("manyrx", "http-req");

	hs_init(&h, "GET / HTTP/1.1\r\nx-n: 33\r\nx-m: 7\r\nx-n: 5\r\n\r\n");
	EXPECT_INT(lua_hooks.action_run(a, &h.s, 0), ACT_RET_CONT);
	EXPECT_STR(all_str(&h.s.req, 0), "GET / HTTP/1.1\r\nx-n: n33\r\nx-m: seven\r\nx-n: n5\r\n\r\n");
	hs_end(&h);
	lua_hooks.action_free(a);
}

/* Runs action <name> on a fresh HTTP stream of request <req>; returns
 * its result. */
static enum act_ret run_req(const char *name, const char *req)
{
	struct lua_action *a = act(name, "http-req");
	struct hstrm h;
	enum act_ret r;

	hs_init(&h, req);
	r = lua_hooks.action_run(a, &h.s, 0);
	hs_end(&h);
	lua_hooks.action_free(a);
	return r;
}

/* In HTTP mode a TXN's members are found through the metatable of the
 * coroutine running the call: each call reads its own stream, fields set
 * on the TXN are still seen, and a TXN kept past its call (one that
 * returned, or one that ended with txn:done()) no longer hands out the
 * coroutine's members: it raises once its transaction is over. */
static void t_members(void)
{
	EXPECT_INT(run_req("hpath", "GET /one HTTP/1.1\r\nhost: a\r\n\r\n"), ACT_RET_CONT);
	EXPECT_STR(result(), "/one a true nil");
	EXPECT_INT(run_req("hpath", "GET /two HTTP/1.1\r\nhost: b\r\n\r\n"), ACT_RET_CONT);
	EXPECT_STR(result(), "/two b true nil");
	EXPECT_INT(run_req("hfields", "GET /f HTTP/1.1\r\n\r\n"), ACT_RET_CONT);
	EXPECT_STR(result(), "5 true /f nil");
	for (int i = 0; i < 2; i++) {
		EXPECT_INT(run_req(i ? "hdone" : "hkeep", "GET /old HTTP/1.1\r\n\r\n"),
		           i ? ACT_RET_DONE : ACT_RET_CONT);
		EXPECT_INT(run_req("hkept", "GET /new HTTP/1.1\r\n\r\n"), ACT_RET_CONT);
		EXPECT(strncmp(result(), "false ", 6) == 0);
		EXPECT(strstr(result(), "the transaction is over") && strstr(result(), " /new"));
		if (!strstr(result(), "the transaction is over"))
			printf("  got: %s\n", result());
	}
}

static void t_wrong_direction(void)
{
	struct hstrm h;
	struct lua_action *a = act("wrong", "http-req"), *r = act("resp", "http-res");

	hs_init(&h, "GET / HTTP/1.1\r\nhost: h\r\n\r\n");
	EXPECT_INT(lua_hooks.action_run(a, &h.s, 0), ACT_RET_CONT);
	EXPECT(strstr(result(), "false HTTP.res_set_status: not available in request rules") != NULL);
	EXPECT(strstr(result(), "false HTTP.req_replace_header: invalid regex '('") != NULL);
	/* the response side: a parsed response, the request already gone */
	const char *rsp = "HTTP/1.1 200 OK\r\nx-s: 1\r\nx-s: 2\r\ncontent-length: 0\r\n\r\n";
	chan_put_data(&h.s.res, rsp, strlen(rsp));
	EXPECT_INT(http_msg_parse(&h.txn.rsp), HTTP_PARSE_DONE);
	EXPECT_INT(lua_hooks.action_run(r, &h.s, 1), ACT_RET_CONT);
	EXPECT_STR(result(), "false 1");
	EXPECT_STR(all_str(&h.s.res, 0), "HTTP/1.1 201 Made\r\nx-s: 1\r\nx-s: 2\r\ncontent-length: 0\r\nx-r: r\r\n\r\n");
	EXPECT_INT(h.txn.status, 201);
	hs_end(&h);
	lua_hooks.action_free(a);
	lua_hooks.action_free(r);
}

static void t_tcp_mode_http_nil(void)
{
	struct stream s;
	struct lua_action *a = act("tcphttp", "tcp-req");

	memset(&s, 0, sizeof(s));
	s.fe = s.be = &px_tcp;
	s.gen = 5;
	s.flags = STRM_F_ALIVE;
	s.state = STRM_ST_DEAD;
	chan_init(&s.req, &pool, 16384);
	chan_init(&s.res, &pool, 16384);
	EXPECT_INT(lua_hooks.action_run(a, &s, 0), ACT_RET_CONT);
	EXPECT_STR(result(), "nil");
	lua_hooks.stream_release(&s);
	lua_hooks.action_free(a);
}

/* Runs service <name> on <h> until it is done or <max> rounds passed;
 * returns the last result. */
static enum act_ret run_svc(void *sv, struct stream *s, int max)
{
	enum act_ret r;

	while ((r = lua_hooks.service_run(sv, s)) == ACT_RET_YIELD && --max > 0)
		usleep(100);
	return r;
}

static void t_service_responses(void)
{
	struct hstrm h;

	hs_init(&h, "GET /x HTTP/1.1\r\nhost: h\r\n\r\n");
	EXPECT_INT(run_svc(svc("lua.hello"), &h.s, 10), ACT_RET_DONE);
	EXPECT_STR(all_str(&h.s.res, 1), "HTTP/1.1 200 OK\r\nx-a: b\r\ncontent-length: 5\r\n\r\nhello");
	EXPECT_INT(h.txn.status, 200);
	hs_end(&h);

	hs_init(&h, "GET /x HTTP/1.1\r\nhost: h\r\n\r\n");
	EXPECT_INT(run_svc(svc("chunks"), &h.s, 10), ACT_RET_DONE);
	EXPECT_STR(all_str(&h.s.res, 1), "HTTP/1.1 200 OK\r\nx-a: b\r\ntransfer-encoding: chunked\r\n\r\n"
	                                 "3\r\nabc\r\n12\r\ndefghijklmnopqrstu\r\n0\r\n\r\n");
	hs_end(&h);

	hs_init(&h, "GET /x HTTP/1.0\r\n\r\n");
	EXPECT_INT(run_svc(svc("chunks"), &h.s, 10), ACT_RET_DONE);
	EXPECT_STR(all_str(&h.s.res, 1), "HTTP/1.0 200 OK\r\nx-a: b\r\n\r\nabcdefghijklmnopqrstu");
	hs_end(&h);

	/* HEAD: the headers only */
	hs_init(&h, "HEAD /x HTTP/1.1\r\nhost: h\r\n\r\n");
	EXPECT_INT(run_svc(svc("hello"), &h.s, 10), ACT_RET_DONE);
	EXPECT_STR(all_str(&h.s.res, 1), "HTTP/1.1 200 OK\r\nx-a: b\r\ncontent-length: 5\r\n\r\n");
	hs_end(&h);

	/* a service that never starts its response: sent when it returns */
	hs_init(&h, "GET /x HTTP/1.1\r\nhost: h\r\n\r\n");
	EXPECT_INT(run_svc(svc("silent"), &h.s, 10), ACT_RET_DONE);
	EXPECT_STR(all_str(&h.s.res, 1), "HTTP/1.1 204 No Content\r\n\r\n");
	hs_end(&h);

	/* send() before start_response(): an error, nothing sent, 500 by the rules */
	hs_init(&h, "GET /x HTTP/1.1\r\nhost: h\r\n\r\n");
	EXPECT_INT(run_svc(svc("early"), &h.s, 10), ACT_RET_ERR);
	EXPECT_STR(all_str(&h.s.res, 1), "");
	hs_end(&h);
}

static void t_service_body(void)
{
	struct hstrm h;
	void *e = svc("echo");
	char pre[64];

	/* Content-Length, the body arriving after the headers, in pieces */
	hs_init(&h, "POST /p?q=1 HTTP/1.1\r\nhost: h\r\nx-mode: three\r\ncontent-length: 8\r\n\r\nab");
	EXPECT_INT(lua_hooks.service_run(e, &h.s), ACT_RET_YIELD);
	chan_put_data(&h.s.req, "cde", 3);
	EXPECT_INT(lua_hooks.service_run(e, &h.s), ACT_RET_YIELD);
	chan_put_data(&h.s.req, "fghEXTRA", 8);
	EXPECT_INT(run_svc(e, &h.s, 10), ACT_RET_DONE);
	EXPECT(strstr(all_str(&h.s.res, 1), "\r\n\r\nPOST /p q=1 8 <abc><def><gh>") != NULL);
	/* the bytes after the body are not taken; the message now ends with
	 * its headers, so that the stream drops them and finds EXTRA next */
	EXPECT(strstr(all_str(&h.s.req, 0), "\r\n\r\nEXTRA") != NULL);
	EXPECT_INT(h.txn.req.state, HTTP_MSG_DONE);
	EXPECT_INT(h.txn.req.h1.pos, h.txn.req.h1.hdr_len);
	EXPECT_INT(chan_in_len(&h.s.req), h.txn.req.h1.hdr_len + 5);
	hs_end(&h);

	/* chunked, split everywhere, read line by line */
	hs_init(&h, "POST /c HTTP/1.1\r\nhost: h\r\nx-mode: lines\r\ntransfer-encoding: chunked\r\n\r\n");
	const char *parts[] = { "6\r\nline1\n", "\r", "\n3;ext=1\r\nli", "n\r\n", "4\r\ne2\nx\r\n0\r\n", "t: 1\r\n", "\r\n" };
	for (unsigned i = 0; i < sizeof(parts) / sizeof(*parts); i++) {
		EXPECT_INT(lua_hooks.service_run(e, &h.s), ACT_RET_YIELD);
		chan_put_data(&h.s.req, parts[i], strlen(parts[i]));
	}
	EXPECT_INT(run_svc(e, &h.s, 10), ACT_RET_DONE);
	snprintf(pre, sizeof(pre), "%s", "POST /c  0 [line1\n][line2\n][x]");
	EXPECT(strstr(all_str(&h.s.res, 1), pre) != NULL);
	hs_end(&h);

	/* the whole body at once, no body at all */
	hs_init(&h, "POST /w HTTP/1.1\r\nhost: h\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
	EXPECT_INT(run_svc(e, &h.s, 10), ACT_RET_DONE);
	EXPECT(strstr(all_str(&h.s.res, 1), "\r\n\r\nPOST /w  0 abcde") != NULL);
	hs_end(&h);
	hs_init(&h, "GET /n HTTP/1.1\r\nhost: h\r\n\r\n");
	EXPECT_INT(run_svc(e, &h.s, 10), ACT_RET_DONE);
	EXPECT(strstr(all_str(&h.s.res, 1), "\r\n\r\nGET /n  0 ") != NULL);
	hs_end(&h);

	/* bad chunk size: the body ends there */
	hs_init(&h, "POST /b HTTP/1.1\r\nhost: h\r\ntransfer-encoding: chunked\r\n\r\nzz\r\nabc");
	EXPECT_INT(run_svc(e, &h.s, 10), ACT_RET_DONE);
	EXPECT(strstr(all_str(&h.s.res, 1), "\r\n\r\nPOST /b  0 ") != NULL);
	hs_end(&h);
}

static void t_service_big(void)
{
	struct hstrm h;
	void *b = svc("big");
	size_t got = 0;
	int rounds = 0;
	enum act_ret r;

	hs_init(&h, "GET /big HTTP/1.1\r\nhost: h\r\n\r\n");
	/* the reply is bigger than the channel: the service waits while the
	 * "client" drains the output part */
	while ((r = lua_hooks.service_run(b, &h.s)) == ACT_RET_YIELD && rounds++ < 1000) {
		EXPECT(chan_len(&h.s.res) <= 16384 + 100);
		got += chan_out_len(&h.s.res);
		chan_skip_out(&h.s.res, chan_out_len(&h.s.res));
	}
	EXPECT_INT(r, ACT_RET_DONE);
	got += chan_out_len(&h.s.res);
	EXPECT_INT(got, 100000 + strlen("HTTP/1.1 200 OK\r\ncontent-length: 100000\r\n\r\n"));
	EXPECT(rounds > 5);
	hs_end(&h);
}

static void t_service_budget(void)
{
	struct hstrm h;
	void *sp = svc("spin");
	int n = 0;
	enum act_ret r;

	hs_init(&h, "GET / HTTP/1.1\r\nhost: h\r\n\r\n");
	while ((r = lua_hooks.service_run(sp, &h.s)) == ACT_RET_YIELD && n++ < 10000000)
		;
	EXPECT_INT(r, ACT_RET_ERR);     /* tune.lua.service-timeout 200 ms */
	hs_end(&h);
}

static void t_service_tcp(void)
{
	struct stream s;
	void *t = svc("techo"), *hsvc = svc("hello");

	memset(&s, 0, sizeof(s));
	s.fe = s.be = &px_tcp;
	s.gen = 11;
	s.flags = STRM_F_ALIVE;
	s.state = STRM_ST_DEAD;
	chan_init(&s.req, &pool, 16384);
	chan_init(&s.res, &pool, 16384);
	chan_put_data(&s.req, "one\ntw", 6);
	EXPECT_INT(lua_hooks.service_run(t, &s), ACT_RET_YIELD);
	EXPECT_STR(all_str(&s.res, 1), "echo: one\n");
	chan_put_data(&s.req, "o\nquit\nrest", 11);
	EXPECT_INT(run_svc(t, &s, 10), ACT_RET_DONE);
	EXPECT_STR(all_str(&s.res, 1), "echo: one\necho: two\nbye");
	EXPECT_STR(all_str(&s.req, 0), "rest");
	lua_hooks.stream_release(&s);
	chan_reset(&s.req);
	chan_reset(&s.res);

	/* an http service on a TCP stream is refused */
	memset(&s, 0, sizeof(s));
	s.fe = s.be = &px_tcp;
	s.gen = 12;
	s.flags = STRM_F_ALIVE;
	s.state = STRM_ST_DEAD;
	chan_init(&s.req, &pool, 16384);
	chan_init(&s.res, &pool, 16384);
	EXPECT_INT(lua_hooks.service_run(hsvc, &s), ACT_RET_ERR);
	lua_hooks.stream_release(&s);
}

static void t_resolve(void)
{
	char err[256] = "";

	EXPECT(lua_hooks.service_resolve("lua.nosuch", err, sizeof(err)) == NULL);
	EXPECT(strstr(err, "lua.nosuch") != NULL);
	EXPECT(lua_hooks.service_resolve("lua.hello", err, sizeof(err)) != NULL);
}

int main(void)
{
	RUN(t_load);
	if (!loaded)
		return unit_end();
	RUN(t_resolve);
	RUN(t_headers_table);
	RUN(t_edits);
	RUN(t_regex_cache);
	RUN(t_wrong_direction);
	RUN(t_members);
	RUN(t_tcp_mode_http_nil);
	RUN(t_service_responses);
	RUN(t_service_body);
	RUN(t_service_big);
	RUN(t_service_budget);
	RUN(t_service_tcp);
	unlink(script);
	lua_hooks.deinit();
	chan_pool_destroy(&pool);
	return unit_end();
}
