/* test_lua.c: the Lua runtime through the hooks the engine uses — loading,
 * contexts, core.*, TXN, Channel over real channels, Fetches/Converters,
 * lua.* fetches/converters, forced yields, the Lua-time budget, maxmem,
 * sleeps, runtime errors and dead TXN handles. No event loop: a stream is
 * built by hand around two channels. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include "engine/chan.h"
#include "engine/hooks.h"
#include "engine/log.h"
#include "engine/proxy.h"
#include "engine/sample.h"
#include "engine/stream.h"
#include "tests/unit/unit.h"

static struct config cfg;
static struct chan_pool pool;
static struct proxy px;
static char script[256];
static int loaded;

static const char *lua_src =
	"G_body = 'ran'\n"
	"function hello_world(txn)\n"
	"  txn.res:send('hello world\\n')\n"
	"  txn:close()\n"
	"end\n"
	"function echo_line(txn)\n"
	"  local l = txn.req:get_line()\n"
	"  txn.res:send('[' .. tostring(l) .. ']')\n"
	"end\n"
	"core.register_action('dup', {'tcp-req'}, function(txn)\n"
	"  local d = txn.req:dup()\n"
	"  txn.res:send(tostring(d == nil and 'nil' or #d))\n"
	"end)\n"
	"core.register_action('rw', {'tcp-req'}, function(txn)\n"
	"  txn.req:set('XY')\n"
	"  txn.req:append('Z')\n"
	"  txn.req:forward(1)\n"
	"  txn.res:send(txn.req:get_in_len() .. ',' .. txn.req:get_out_length())\n"
	"end)\n"
	"core.register_action('boom', {'tcp-req'}, function(txn)\n"
	"  local x = nil\n"
	"  x.y = 1\n"
	"end)\n"
	"core.register_action('spin', {'tcp-req'}, function(txn) while true do end end)\n"
	"core.register_action('eat', {'tcp-req'}, function(txn)\n"
	"  local t = {} for i = 1, 1e8 do t[i] = string.rep('x', 100) .. i end end)\n"
	"core.register_action('nap', {'tcp-req'}, function(txn)\n"
	"  core.msleep(40) txn.res:send('woke') end)\n"
	"core.register_action('args', {'tcp-req'}, function(txn, a, b)\n"
	"  txn.res:send(a .. '+' .. b) end, 2)\n"
	"core.register_action('vars', {'tcp-req'}, function(txn)\n"
	"  txn:set_var('txn.n', 42) txn:set_var('txn.s', 'abc')\n"
	"  txn.res:send(math.type(txn:get_var('txn.n')) .. txn:get_var('txn.n') .. txn:get_var('txn.s')\n"
	"               .. tostring(txn:get_var('txn.none')))\n"
	"end)\n"
	"core.register_action('smp', {'tcp-req'}, function(txn)\n"
	"  txn.res:send(txn.f:int(7) + 1 .. '|' .. txn.sf:str('q') .. '|' .. txn.c:lower('AbC')\n"
	"    .. '|' .. tostring(txn.f.no_such_fetch) .. '|' .. txn.f:lua_twice('ab') .. '|'\n"
	"    .. tostring(txn.f:req_len()) .. '|' .. tostring(txn.http) .. '|' .. tostring(txn.whatever))\n"
	"end)\n"
	"core.register_action('smperr', {'tcp-req'}, function(txn)\n"
	"  local ok, e = pcall(function() return txn.f:int('notanint') end)\n"
	"  txn.res:send(tostring(ok) .. ' ' .. tostring(e))\n"
	"end)\n"
	"core.register_action('keep', {'tcp-req'}, function(txn) KEPT = txn end)\n"
	"core.register_action('usekept', {'tcp-req'}, function(txn)\n"
	"  local ok, e = pcall(function() return KEPT.req:get_in_len() end)\n"
	"  txn.res:send(tostring(ok) .. ' ' .. tostring(e))\n"
	"end)\n"
	"core.register_action('ctx', {'tcp-req'}, function(txn)\n"
	"  local ok, e = pcall(core.register_fetches, 'late', function() end)\n"
	"  txn.res:send(tostring(e))\n"
	"end)\n"
	"core.register_action('priv', {'tcp-req'}, function(txn)\n"
	"  local p = txn:get_priv() or 0\n"
	"  txn:set_priv(p + 1)\n"
	"  txn.res:send(tostring(txn:get_priv()))\n"
	"end)\n"
	"core.register_action('misc', {'tcp-req'}, function(txn)\n"
	"  local t = core.tokenize('a, b,,c', ', ')\n"
	"  local u = core.tokenize('a, b,,c', ', ', true)\n"
	"  local n = core.now()\n"
	"  math.randomseed(12.5)\n"
	"  txn.res:send(#t .. table.concat(t, '|') .. ' ' .. #u .. table.concat(u, '|') .. ' '\n"
	"    .. math.type(n.sec) .. ' ' .. bit32.band(0xff, 0x0f) .. ' ' .. core.info .. ' ' .. act.DONE)\n"
	"end)\n"
	"core.register_action('cache', {'tcp-req'}, function(txn)\n"
	"  txn.res:send(tostring(rawequal(txn.f, txn.f) and rawequal(txn.sc, txn.sc)\n"
	"    and rawequal(txn.req, txn.req) and not rawequal(txn.f, txn.sf)))\n"
	"  KEEP_TXN1 = txn\n"
	"end)\n"
	"core.register_action('cache2', {'tcp-req'}, function(txn)\n"
	"  txn.res:send(tostring(rawequal(txn, KEEP_TXN1)))\n"
	"end)\n"
	"core.register_action('flen', {'tcp-req'}, function(txn) txn.res:send(tostring(txn.f:req_len())) end)\n"
	"core.register_action('tfields', {'tcp-req'}, function(txn)\n"
	"  txn.x = 1\n"
	"  txn.res:send(txn.x .. ' ' .. tostring(txn.http) .. ' ' .. txn.f:req_len() .. ' ' .. tostring(txn[1]))\n"
	"end)\n"
	"core.register_action('keepf', {'tcp-req'}, function(txn) KF = txn.f KEEP_TXN2 = txn end)\n"
	"core.register_action('usekf', {'tcp-req'}, function(txn)\n"
	"  local ok, e = pcall(KF.req_len, KF)\n"
	"  local ok2, e2 = pcall(txn.f.req_len, io.stdout)\n"
	"  txn.res:send(tostring(ok) .. ' ' .. tostring(e) .. '|' .. tostring(ok2) .. ' ' .. tostring(e2))\n"
	"end)\n"
	"core.register_action('usekept2', {'tcp-req'}, function(txn)\n"
	"  txn.res:send(KEEP_TXN2.f:req_len() .. ' ' .. tostring(rawequal(KEEP_TXN2.f, KEEP_TXN2.f))\n"
	"    .. ' ' .. tostring(rawequal(KEEP_TXN2.f, txn.f)) .. ' ' .. txn.f:req_len())\n"
	"end)\n"
	"core.register_action('churn', {'tcp-req'}, function(txn)\n"
	"  local keep, sum = {}, 0\n"
	"  for i = 1, 250 do\n"
	"    local t = {}\n"
	"    for j = 1, i % 37 do t[j] = string.rep('a', (i * j) % 300) end\n"
	"    for j = #t, 1, -2 do t[j] = nil end\n"
	"    t.k = tostring(i)\n"
	"    for _, v in pairs(t) do sum = sum + #v end\n"
	"    if i % 7 == 0 then keep[#keep + 1] = t end\n"
	"    if i % 50 == 0 then collectgarbage() end\n"
	"  end\n"
	"  local n = 0 for _, t in ipairs(keep) do n = n + #t.k end\n"
	"  txn.res:send(sum .. ' ' .. n)\n"
	"end)\n"
	"core.register_action('cdone', {'tcp-req'}, function(txn) txn.res:send('a') core.done() txn.res:send('b') end)\n"
	"core.register_action('retdeny', {'tcp-req'}, function(txn) return act.DENY end)\n"
	"core.register_action('selfkill', {'tcp-req'}, function(txn)\n"
	"  core.msleep(1)\n"
	"  txn.c:test_kill('x')\n"
	"  txn.res:send('after')\n"
	"end)\n"
	"core.register_fetches('twice', function(txn, s) return s .. s end)\n"
	"core.register_fetches('spin', function(txn) while true do end end)\n"
	"core.register_fetches('sleepy', function(txn) core.msleep(1) return 'x' end)\n"
	"core.register_converters('wrap', function(s, a) return '<' .. s .. (a or '') .. '>' end)\n";

/* A converter that ends the stream it runs for, as an engine path that
 * closes a stream from inside a call a script made would. */
static int conv_kill(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	(void)args;
	lua_hooks.stream_release(ctx->strm);
	return 1;
}
static const struct sample_conv kill_conv = {
	.name = "test_kill", .fn = conv_kill, .in = SMP_T_STR, .out = SMP_T_STR,
};

/* stderr capture, to check the alert lines */
static int cap_fd = -1, saved_fd = -1;
static char cap_path[64];

static void cap_start(void)
{
	fflush(stderr);
	snprintf(cap_path, sizeof(cap_path), "/tmp/test_lua.%d.err", (int)getpid());
	cap_fd = open(cap_path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	saved_fd = dup(2);
	dup2(cap_fd, 2);
}

static const char *cap_end(void)
{
	static char buf[8192];
	ssize_t n;

	fflush(stderr);
	dup2(saved_fd, 2);
	close(saved_fd);
	lseek(cap_fd, 0, SEEK_SET);
	n = read(cap_fd, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = 0;
	close(cap_fd);
	unlink(cap_path);
	return buf;
}

static void strm_init(struct stream *s)
{
	memset(s, 0, sizeof(*s));
	s->fe = s->be = &px;
	s->gen = 7;
	s->loglevel = -1;
	s->flags = STRM_F_ALIVE;
	/* no connections behind it: stream_flush()/stream_shutdown() must not
	 * touch them (they do nothing for a stream in this state) */
	s->state = STRM_ST_DEAD;
	chan_init(&s->req, &pool, 16384);
	chan_init(&s->res, &pool, 16384);
}

static void strm_end(struct stream *s)
{
	lua_hooks.stream_release(s);
	chan_reset(&s->req);
	chan_reset(&s->res);
	vars_clear(&s->vars_txn);
	vars_clear(&s->vars_sess);
}

/* Copies the output part of <c> into a NUL-terminated static buffer. */
static const char *out_str(struct chan *c)
{
	static char buf[4096];
	struct iovec iov[64];
	int n = chan_out_iov(c, iov, 64);
	size_t len = 0;

	for (int i = 0; i < n && len + iov[i].iov_len < sizeof(buf); i++) {
		memcpy(buf + len, iov[i].iov_base, iov[i].iov_len);
		len += iov[i].iov_len;
	}
	buf[len] = 0;
	return buf;
}

static const char *in_str(struct chan *c)
{
	static char buf[4096];
	size_t n = chan_copy_in(c, 0, buf, sizeof(buf) - 1);

	buf[n] = 0;
	return buf;
}

static struct lua_action *resolve(const char *name, int global, char **args, int nargs)
{
	char err[256] = "";
	struct lua_action *a = lua_hooks.action_resolve(name, global, "tcp-req", args, nargs, err, sizeof(err));

	if (!a)
		printf("  resolve(%s): %s\n", name, err);
	return a;
}

/* Runs <name> once on a fresh stream with <input> in the request channel;
 * returns the action's result and leaves the response output in <out>. */
static enum act_ret run_once(const char *name, int global, const char *input, char *out, size_t outlen)
{
	struct stream s;
	struct lua_action *a = resolve(name, global, NULL, 0);
	enum act_ret r;

	if (!a)
		return (enum act_ret)-1;
	strm_init(&s);
	if (input)
		chan_put_data(&s.req, input, strlen(input));
	r = lua_hooks.action_run(a, &s, 0);
	snprintf(out, outlen, "%s", out_str(&s.res));
	strm_end(&s);
	lua_hooks.action_free(a);
	return r;
}

/* Runs <first>, then <second> on the same fresh stream (<input> in its
 * request channel), each expected to return ACT_RET_CONT; leaves the
 * response output in <out>. */
static void run_two(const char *first, const char *second, const char *input, char *out,
                    size_t outlen)
{
	struct lua_action *a = resolve(first, 0, NULL, 0);
	struct lua_action *b = resolve(second, 0, NULL, 0);
	struct stream s;

	strm_init(&s);
	if (input)
		chan_put_data(&s.req, input, strlen(input));
	EXPECT_INT(lua_hooks.action_run(a, &s, 0), ACT_RET_CONT);
	EXPECT_INT(lua_hooks.action_run(b, &s, 0), ACT_RET_CONT);
	snprintf(out, outlen, "%s", out_str(&s.res));
	strm_end(&s);
	lua_hooks.action_free(a);
	lua_hooks.action_free(b);
}

static void t_load(void)
{
	static char *files[2];
	FILE *f;

	lua_hooks_install();
	EXPECT_INT(sample_register_conv(&kill_conv), 0);
	chan_pool_init(&pool, 4096, NULL, NULL);
	px.name = "fe";
	snprintf(script, sizeof(script), "/tmp/test_lua.%d.lua", (int)getpid());
	f = fopen(script, "w");
	fputs(lua_src, f);
	fclose(f);
	files[0] = script;
	cfg.g.lua_load = files;
	cfg.g.nb_lua_load = 1;
	cfg.g.lua_forced_yield = 1000;
	cfg.g.lua_session_timeout = 300;
	cfg.g.lua_maxmem = 64u << 20;
	cfg.g.quiet = 0;     /* the alert lines are checked on stderr */
	EXPECT(lua_hooks.load != NULL);
	EXPECT_INT(lua_hooks.load(&cfg), 0);
	EXPECT_INT(lua_hooks.run_inits(&cfg), 0);
	loaded = 1;
}

static void t_load_errors(void)
{
	/* a second runtime would be needed for a clean state: check the
	 * messages through a child process instead */
	char path[64], cmd[512];
	FILE *f;
	int st;

	snprintf(path, sizeof(path), "/tmp/test_lua_bad.%d.lua", (int)getpid());
	f = fopen(path, "w");
	fputs("local x = nil\nx.y = 1\n", f);
	fclose(f);
	pid_t pid = fork();
	if (pid == 0) {
		static struct config c2;
		static char *fl[2];

		fl[0] = path;
		c2.g.lua_load = fl;
		c2.g.nb_lua_load = 1;
		c2.g.quiet = 1;
		int fd = open("/tmp/test_lua_bad.err", O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(fd, 2);
		lua_hooks_install();
		_exit(lua_hooks.load(&c2) == -1 ? 0 : 1);
	}
	waitpid(pid, &st, 0);
	EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	f = fopen("/tmp/test_lua_bad.err", "r");
	char buf[1024] = "";
	if (f) {
		size_t n = fread(buf, 1, sizeof(buf) - 1, f);
		buf[n] = 0;
		fclose(f);
	}
	snprintf(cmd, sizeof(cmd), "Lua runtime error: %s:2: attempt to index a nil value (local 'x')", path);
	EXPECT(strstr(buf, cmd) != NULL);
	if (!strstr(buf, cmd))
		printf("  got: %s\n", buf);
	unlink(path);
	unlink("/tmp/test_lua_bad.err");
}

static void t_hello_world(void)
{
	char out[256];

	EXPECT_INT(run_once("hello_world", 1, NULL, out, sizeof(out)), ACT_RET_DONE);
	EXPECT_STR(out, "hello world\n");
}

static void t_get_line(void)
{
	char out[256];
	struct stream s;
	struct lua_action *a = resolve("echo_line", 1, NULL, 0);

	EXPECT(a != NULL);
	if (!a)
		return;
	strm_init(&s);
	chan_put_data(&s.req, "abc\ndef", 7);
	EXPECT_INT(lua_hooks.action_run(a, &s, 0), ACT_RET_CONT);
	EXPECT_STR(out_str(&s.res), "[abc\n]");
	EXPECT_STR(in_str(&s.req), "def");
	/* no LF: the rest */
	EXPECT_INT(lua_hooks.action_run(a, &s, 0), ACT_RET_CONT);
	EXPECT_STR(out_str(&s.res), "[abc\n][def]");
	/* empty but open: "" at once (HAProxy 2.6 does not wait) */
	EXPECT_INT(lua_hooks.action_run(a, &s, 0), ACT_RET_CONT);
	EXPECT_STR(out_str(&s.res), "[abc\n][def][]");
	/* empty and shut: nil */
	s.req.flags |= CHAN_SHUTR;
	EXPECT_INT(lua_hooks.action_run(a, &s, 0), ACT_RET_CONT);
	EXPECT_STR(out_str(&s.res), "[abc\n][def][][nil]");
	strm_end(&s);
	(void)out;
	lua_hooks.action_free(a);
}

static void t_binary_and_huge(void)
{
	struct stream s;
	struct lua_action *a = resolve("dup", 0, NULL, 0);
	char *big = malloc(100000);

	strm_init(&s);
	s.req.limit = 1 << 20;
	for (int i = 0; i < 100000; i++)
		big[i] = (char)(i & 0xff);
	EXPECT_INT(chan_put_data(&s.req, big, 100000), 0);
	EXPECT_INT(lua_hooks.action_run(a, &s, 0), ACT_RET_CONT);
	EXPECT_STR(out_str(&s.res), "100000");
	EXPECT_INT(chan_in_len(&s.req), 100000);     /* dup leaves it */
	strm_end(&s);
	free(big);
	lua_hooks.action_free(a);
}

/* In HTTP mode the channels hold parsed messages: HAProxy's refusal. */
static void t_http_mode_channel(void)
{
	struct stream s;
	struct proxy hpx;
	struct lua_action *a = resolve("dup", 0, NULL, 0);
	const char *err;

	memset(&hpx, 0, sizeof(hpx));
	hpx.name = "http_fe";
	hpx.mode = PX_MODE_HTTP;
	strm_init(&s);
	s.fe = s.be = &hpx;
	chan_put_data(&s.req, "GET / HTTP/1.0\r\n\r\n", 18);
	cap_start();
	EXPECT_INT(lua_hooks.action_run(a, &s, 0), ACT_RET_CONT);
	err = cap_end();
	EXPECT(strstr(err, "Cannot manipulate HAProxy channels in HTTP mode.") != NULL);
	EXPECT_INT(chan_in_len(&s.req), 18);
	strm_end(&s);
	lua_hooks.action_free(a);
}

static void t_set_append_forward(void)
{
	struct stream s;
	struct lua_action *a = resolve("lua.rw", 0, NULL, 0);

	strm_init(&s);
	chan_put_data(&s.req, "hello", 5);
	EXPECT_INT(lua_hooks.action_run(a, &s, 0), ACT_RET_CONT);
	EXPECT_STR(out_str(&s.res), "2,1");
	EXPECT_STR(out_str(&s.req), "X");
	EXPECT_STR(in_str(&s.req), "YZ");
	strm_end(&s);
	lua_hooks.action_free(a);
}

static void t_runtime_error(void)
{
	char out[64];
	const char *err;

	cap_start();
	enum act_ret r = run_once("boom", 0, NULL, out, sizeof(out));
	err = cap_end();
	EXPECT_INT(r, ACT_RET_CONT);                 /* the rule list goes on */
	EXPECT(strstr(err, "Lua function 'boom': runtime error: ") != NULL);
	EXPECT(strstr(err, ":22: attempt to index a nil value (local 'x')") != NULL);
	if (!strstr(err, ":22: attempt"))
		printf("  got: %s\n", err);
}

static void t_forced_yield_then_timeout(void)
{
	struct stream s;
	struct lua_action *a = resolve("spin", 0, NULL, 0);
	enum act_ret r;
	int yields = 0;
	struct timespec t0, t1;
	const char *err;

	strm_init(&s);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	cap_start();
	while ((r = lua_hooks.action_run(a, &s, 0)) == ACT_RET_YIELD && yields < 10000000)
		yields++;
	err = cap_end();
	clock_gettime(CLOCK_MONOTONIC, &t1);
	EXPECT(yields > 10);                         /* it gave the hand back, repeatedly */
	EXPECT_INT(r, ACT_RET_ERR);                  /* then the budget ended it */
	EXPECT(strstr(err, "Lua function 'spin': execution timeout") != NULL);
	double el = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	EXPECT(el > 0.25 && el < 2.0);               /* tune.lua.session-timeout 300ms */
	strm_end(&s);
	lua_hooks.action_free(a);
}

/* The budget error comes from the count hook; a coroutine that died of it
 * must not be reused with its hooks disabled: a second runaway (action or
 * fetch) is stopped too. */
static void t_runaway_twice(void)
{
	struct stream s;
	struct lua_action *a = resolve("spin", 0, NULL, 0);
	struct lua_action *eat = resolve("eat", 0, NULL, 0);
	const struct sample_fetch *f = sample_fetch_find("lua.spin", 8);
	struct smp_ctx ctx;
	struct sample smp;
	struct arg args[SMP_MAX_ARGS];
	int n = 0;

	for (int round = 0; round < 3; round++) {
		strm_init(&s);
		cap_start();
		n = 0;
		while (lua_hooks.action_run(round == 1 ? eat : a, &s, 0) == ACT_RET_YIELD && n < 10000000)
			n++;
		cap_end();
		EXPECT(n < 10000000);
		strm_end(&s);
	}
	EXPECT(f != NULL);
	if (f) {
		strm_init(&s);
		memset(&ctx, 0, sizeof(ctx));
		memset(args, 0, sizeof(args));
		ctx.strm = &s;
		ctx.priv = f->priv;
		for (int round = 0; round < 2; round++) {
			cap_start();
			EXPECT_INT(f->fn(args, &smp, &ctx), 0);
			const char *err = cap_end();
			EXPECT(strstr(err, "Lua sample-fetch 'spin': execution timeout.") != NULL);
		}
		strm_end(&s);
	}
	lua_hooks.action_free(a);
	lua_hooks.action_free(eat);
}

static void t_maxmem(void)
{
	struct stream s;
	struct lua_action *a = resolve("eat", 0, NULL, 0);
	enum act_ret r;
	int n = 0;

	strm_init(&s);
	cap_start();
	while ((r = lua_hooks.action_run(a, &s, 0)) == ACT_RET_YIELD && n < 10000000)
		n++;
	const char *err = cap_end();
	EXPECT_INT(r, ACT_RET_ERR);
	EXPECT(strstr(err, "Lua function 'eat': ") != NULL);
	strm_end(&s);
	/* the state still works */
	char out[64];
	EXPECT_INT(run_once("hello_world", 1, NULL, out, sizeof(out)), ACT_RET_DONE);
	EXPECT_STR(out, "hello world\n");
	lua_hooks.action_free(a);
}

static void t_msleep(void)
{
	struct stream s;
	struct lua_action *a = resolve("nap", 0, NULL, 0);
	struct timespec ts = { 0, 50 * 1000000L };

	strm_init(&s);
	EXPECT_INT(lua_hooks.action_run(a, &s, 0), ACT_RET_YIELD);
	EXPECT_INT(lua_hooks.action_run(a, &s, 0), ACT_RET_YIELD);   /* too early: still asleep */
	EXPECT_STR(out_str(&s.res), "");
	nanosleep(&ts, NULL);
	EXPECT_INT(lua_hooks.action_run(a, &s, 0), ACT_RET_CONT);
	EXPECT_STR(out_str(&s.res), "woke");
	strm_end(&s);
	lua_hooks.action_free(a);
}

static void t_args(void)
{
	char *args[] = { "a1", "b2" };
	char err[256] = "";
	struct stream s;
	struct lua_action *a = resolve("lua.args", 0, args, 2);

	strm_init(&s);
	EXPECT_INT(lua_hooks.action_run(a, &s, 0), ACT_RET_CONT);
	EXPECT_STR(out_str(&s.res), "a1+b2");
	strm_end(&s);
	/* too few arguments, unknown action, wrong direction: config errors */
	EXPECT(lua_hooks.action_resolve("lua.args", 0, "tcp-req", args, 1, err, sizeof(err)) == NULL);
	EXPECT_STR(err, "Lua action 'lua.args' expects 2 argument(s), got 1");
	EXPECT(lua_hooks.action_resolve("lua.nope", 0, "tcp-req", NULL, 0, err, sizeof(err)) == NULL);
	EXPECT_STR(err, "unknown Lua action 'lua.nope'");
	EXPECT(lua_hooks.action_resolve("lua.dup", 0, "tcp-res", NULL, 0, err, sizeof(err)) == NULL);
	EXPECT_STR(err, "Lua action 'lua.dup' is not registered for 'tcp-res'");
	EXPECT(lua_hooks.action_resolve("no_such_fn", 1, "tcp-req", NULL, 0, err, sizeof(err)) == NULL);
	EXPECT_STR(err, "Lua function 'no_such_fn' not found");
	lua_hooks.action_free(a);
}

static void t_vars(void)
{
	char out[256];

	EXPECT_INT(run_once("vars", 0, NULL, out, sizeof(out)), ACT_RET_CONT);
	EXPECT_STR(out, "integer42abcnil");
}

static void t_fetches(void)
{
	char out[256];

	EXPECT_INT(run_once("smp", 0, "12345", out, sizeof(out)), ACT_RET_CONT);
	EXPECT_STR(out, "8|q|abc|nil|abab|5|nil|nil");
	EXPECT_INT(run_once("smperr", 0, NULL, out, sizeof(out)), ACT_RET_CONT);
	EXPECT(strncmp(out, "false ", 6) == 0 && strstr(out, "fetch 'int'") != NULL);
	if (!strstr(out, "fetch 'int'"))
		printf("  got: %s\n", out);
}

static void t_lua_fetch_conv_from_config(void)
{
	const struct sample_fetch *f = sample_fetch_find("lua.twice", 9);
	const struct sample_conv *c = sample_conv_find("lua.wrap", 8);
	struct sample smp;
	struct smp_ctx ctx;
	struct arg args[SMP_MAX_ARGS];
	struct stream s;

	EXPECT(f != NULL && c != NULL);
	if (!f || !c)
		return;
	strm_init(&s);
	memset(&ctx, 0, sizeof(ctx));
	memset(args, 0, sizeof(args));
	ctx.strm = &s;
	ctx.priv = f->priv;
	args[0].type = ARGT_STR;
	args[0].u.str.ptr = "xy";
	args[0].u.str.len = 2;
	memset(&smp, 0, sizeof(smp));
	EXPECT_INT(f->fn(args, &smp, &ctx), 1);
	EXPECT(smp.type == SMP_T_STR && smp.u.str.len == 4 && !memcmp(smp.u.str.ptr, "xyxy", 4));
	/* converter */
	ctx.priv = c->priv;
	args[0].u.str.ptr = "!";
	args[0].u.str.len = 1;
	EXPECT_INT(c->fn(args, &smp, &ctx), 1);
	EXPECT(smp.type == SMP_T_STR && smp.u.str.len == 7 && !memcmp(smp.u.str.ptr, "<xyxy!>", 7));
	/* a fetch that tries to sleep fails with HAProxy's message */
	f = sample_fetch_find("lua.sleepy", 10);
	ctx.priv = f->priv;
	args[0].type = ARGT_STOP;
	cap_start();
	EXPECT_INT(f->fn(args, &smp, &ctx), 0);
	const char *err = cap_end();
	EXPECT(strstr(err, "Lua sample-fetch 'sleepy': runtime error: ") != NULL);
	EXPECT(strstr(err, "core.msleep: not available in sample-fetch context") != NULL);
	strm_end(&s);
}

static void t_dead_txn(void)
{
	char out[256];

	EXPECT_INT(run_once("keep", 0, NULL, out, sizeof(out)), ACT_RET_CONT);
	EXPECT_INT(run_once("usekept", 0, NULL, out, sizeof(out)), ACT_RET_CONT);
	EXPECT(strncmp(out, "false ", 6) == 0 && strstr(out, "the transaction is over") != NULL);
}

/* The members of a TXN (f, sf, c, sc, req, res, http) are a pooled
 * coroutine's objects, pointed at the TXN of each call: successive calls
 * each read their own stream, and so does one kept past its call (never
 * the stream that ended); a TXN kept past its call has members of its
 * own; no other userdata passes for one of them. */
static void t_txn_members(void)
{
	char out[256];

	EXPECT_INT(run_once("flen", 0, "abc", out, sizeof(out)), ACT_RET_CONT);
	EXPECT_STR(out, "3");
	EXPECT_INT(run_once("flen", 0, "abcdefg", out, sizeof(out)), ACT_RET_CONT);
	EXPECT_STR(out, "7");
	/* fields set on the TXN, then members */
	EXPECT_INT(run_once("tfields", 0, "abcd", out, sizeof(out)), ACT_RET_CONT);
	EXPECT_STR(out, "1 nil 4 nil");
	/* a TXN kept by one action, used by the next action of the same
	 * transaction: it acts on the stream, with members of its own */
	run_two("keepf", "usekept2", "abcd", out, sizeof(out));
	EXPECT_STR(out, "4 true false 4");
	/* the kept txn.f, its stream gone: the pool hands the coroutine that
	 * ran keepf to the next call, whose TXN points it at its own stream */
	EXPECT_INT(run_once("usekf", 0, "xy", out, sizeof(out)), ACT_RET_CONT);
	EXPECT(strncmp(out, "true 2|", 7) == 0);
	EXPECT(strstr(out, "|false ") && strstr(out, "Fetches expected"));
	if (!strstr(out, "Fetches expected"))
		printf("  got: %s\n", out);
}

static void t_contexts(void)
{
	char out[256];

	EXPECT_INT(run_once("ctx", 0, NULL, out, sizeof(out)), ACT_RET_CONT);
	EXPECT(strstr(out, "core.register_fetches: not available in action context") != NULL);
}

/* The stream ends while its action runs: the action cleans up after
 * lua_resume() returns, the TXN is dead for the rest of the script. */
static void t_stream_ends_during_action(void)
{
	struct stream s;
	struct lua_action *a = resolve("selfkill", 0, NULL, 0);

	struct timespec ts = { 0, 10 * 1000000L };

	/* it sleeps first, so that the stream ends in a resumed coroutine */
	for (int i = 0; i < 3; i++) {
		strm_init(&s);
		EXPECT_INT(lua_hooks.action_run(a, &s, 0), ACT_RET_YIELD);
		nanosleep(&ts, NULL);
		EXPECT_INT(lua_hooks.action_run(a, &s, 0), ACT_RET_ERR);
		EXPECT(s.lua == NULL);
		strm_end(&s);
	}
	lua_hooks.action_free(a);
	/* the pools are sane: a normal action still works */
	char out[64];
	EXPECT_INT(run_once("hello_world", 1, NULL, out, sizeof(out)), ACT_RET_DONE);
	EXPECT_STR(out, "hello world\n");
}

/* A member is the same object at each access during a call, and every
 * action call gets a TXN of its own, as in HAProxy 2.6 (checked on /usr/sbin/haproxy: a TXN kept by
 * one action is not the next action's, nor are the fields set on it). */
static void t_txn_cache(void)
{
	char out[256];

	run_two("cache", "cache2", NULL, out, sizeof(out));
	EXPECT_STR(out, "truefalse");
}

static void t_priv_per_stream(void)
{
	struct stream s;
	struct lua_action *a = resolve("priv", 0, NULL, 0);

	strm_init(&s);
	EXPECT_INT(lua_hooks.action_run(a, &s, 0), ACT_RET_CONT);
	EXPECT_INT(lua_hooks.action_run(a, &s, 0), ACT_RET_CONT);
	EXPECT_STR(out_str(&s.res), "12");
	strm_end(&s);
	strm_init(&s);
	EXPECT_INT(lua_hooks.action_run(a, &s, 0), ACT_RET_CONT);
	EXPECT_STR(out_str(&s.res), "1");
	strm_end(&s);
	lua_hooks.action_free(a);
}

/* Allocation churn across the allocator's size classes (strings, tables
 * growing and shrinking, collections): the sums come out right every time
 * (computed by the same script on a stock Lua 5.4). */
#define CHURN_EXPECTED "310485 90"
static void t_alloc_churn(void)
{
	struct lua_action *a = resolve("churn", 0, NULL, 0);
	struct stream s;
	enum act_ret r;
	int n;

	for (int round = 0; a && round < 4; round++) {
		strm_init(&s);
		n = 0;
		/* forced yields hand back control on the way */
		while ((r = lua_hooks.action_run(a, &s, 0)) == ACT_RET_YIELD && n < 100000)
			n++;
		EXPECT_INT(r, ACT_RET_CONT);
		EXPECT_STR(out_str(&s.res), CHURN_EXPECTED);
		strm_end(&s);
	}
	lua_hooks.action_free(a);
}

static void t_misc(void)
{
	char out[256];

	EXPECT_INT(run_once("misc", 0, NULL, out, sizeof(out)), ACT_RET_CONT);
	EXPECT_STR(out, "5a||b||c 3a|b|c integer 15 6 4");
	EXPECT_INT(run_once("cdone", 0, NULL, out, sizeof(out)), ACT_RET_DONE);
	EXPECT_STR(out, "a");
	EXPECT_INT(run_once("retdeny", 0, NULL, out, sizeof(out)), ACT_RET_DENY);
}

static void t_require_redis(void)
{
	/* Debian's lua-redis lives in /usr/share/lua/5.1 (linked into 5.2/5.3) */
	if (access("/usr/share/lua/5.1/redis.lua", R_OK) != 0) {
		SKIP("lua-redis is not installed");
		return;
	}
	char path[64];
	FILE *f;
	int st;

	snprintf(path, sizeof(path), "/tmp/test_lua_req.%d.lua", (int)getpid());
	f = fopen(path, "w");
	fputs("local redis = require('redis')\n"
	      "assert(type(redis.connect) == 'function')\n", f);
	fclose(f);
	pid_t pid = fork();
	if (pid == 0) {
		static struct config c2;
		static char *fl[2];

		fl[0] = path;
		c2.g.lua_load = fl;
		c2.g.nb_lua_load = 1;
		c2.g.quiet = 1;
		lua_hooks_install();
		_exit(lua_hooks.load(&c2) == 0 ? 0 : 1);
	}
	waitpid(pid, &st, 0);
	EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	unlink(path);
}

int main(void)
{
	/* these two fork before the parent's state exists */
	RUN(t_load_errors);
	RUN(t_require_redis);
	RUN(t_load);
	if (!loaded)
		return unit_end();
	RUN(t_hello_world);
	RUN(t_get_line);
	RUN(t_binary_and_huge);
	RUN(t_set_append_forward);
	RUN(t_http_mode_channel);
	RUN(t_runtime_error);
	RUN(t_forced_yield_then_timeout);
	RUN(t_runaway_twice);
	RUN(t_maxmem);
	RUN(t_msleep);
	RUN(t_args);
	RUN(t_vars);
	RUN(t_fetches);
	RUN(t_lua_fetch_conv_from_config);
	RUN(t_dead_txn);
	RUN(t_contexts);
	RUN(t_stream_ends_during_action);
	RUN(t_txn_cache);
	RUN(t_txn_members);
	RUN(t_priv_per_stream);
	RUN(t_misc);
	RUN(t_alloc_churn);
	unlink(script);
	lua_hooks.deinit();
	chan_pool_destroy(&pool);
	return unit_end();
}
