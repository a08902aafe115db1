/* test_cfg.c: the configuration parser — tokenizer, times, sizes,
 * addresses, global keywords, proxies, servers, binds, defaults
 * inheritance, multiple files and directories, and the exact text of the
 * error messages (with file:line). */
#include <arpa/inet.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/unit/unit.h"
#include "engine/cfg.h"
#include "engine/cfg_cond.h"
#include "engine/lb.h"
#include "engine/log.h"

static char out[1 << 16];     /* what the last parse printed on stderr */

/* Parses <text> as "t.cfg" into <cfg> (zeroed first), capturing stderr
 * into <out>. Returns what cfg_parse_string() returns. */
static int parse(struct config *cfg, const char *text)
{
	FILE *tmp = tmpfile();
	int saved, r;
	size_t n;

	memset(cfg, 0, sizeof(*cfg));
	log_set_quiet(0);          /* a "quiet" in an earlier config must not leak */
	fflush(stderr);
	saved = dup(2);
	dup2(fileno(tmp), 2);
	r = cfg_parse_string(cfg, "t.cfg", text);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(tmp);
	n = fread(out, 1, sizeof(out) - 1, tmp);
	out[n] = 0;
	fclose(tmp);
	return r;
}

/* Same for files. */
static int parse_files(struct config *cfg, char *const *paths)
{
	FILE *tmp = tmpfile();
	int saved, r;
	size_t n;

	memset(cfg, 0, sizeof(*cfg));
	log_set_quiet(0);          /* a "quiet" in an earlier config must not leak */
	fflush(stderr);
	saved = dup(2);
	dup2(fileno(tmp), 2);
	r = cfg_parse_files(cfg, paths);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(tmp);
	n = fread(out, 1, sizeof(out) - 1, tmp);
	out[n] = 0;
	fclose(tmp);
	return r;
}

#define EXPECT_PARSE(c, t, want) do { int _r = parse((c), (t)); EXPECT_INT(_r, (want)); } while (0)
#define EXPECT_PARSE_FILES(c, p, want) do { int _r = parse_files((c), (p)); EXPECT_INT(_r, (want)); } while (0)
#define EXPECT_OUT(s) do { if (!strstr(out, (s))) { char _m[700]; \
	snprintf(_m, sizeof(_m), "stderr lacks \"%.200s\"; got: %.400s", (s), out); \
	unit_fail(_m, __FILE__, __LINE__); } } while (0)
#define EXPECT_NO_OUT(s) do { if (strstr(out, (s))) { char _m[700]; \
	snprintf(_m, sizeof(_m), "stderr has \"%.200s\"", (s)); unit_fail(_m, __FILE__, __LINE__); } } while (0)

/* Parses one erroneous config and checks the message (after "parsing
 * [t.cfg:<line>] : " or the raw form given). */
static void expect_error(const char *text, const char *msg)
{
	struct config cfg;
	int r = parse(&cfg, text);
	if (r == 0) {
		char m[600];
		snprintf(m, sizeof(m), "no error for: %.300s", text);
		unit_fail(m, __FILE__, __LINE__);
	}
	if (!strstr(out, msg)) {
		char m[900];
		snprintf(m, sizeof(m), "expected \"%.300s\" in \"%.500s\"", msg, out);
		unit_fail(m, __FILE__, __LINE__);
	}
	if (!strstr(out, "[ALERT]    (")) {
		unit_fail("no [ALERT] line", __FILE__, __LINE__);
	}
	cfg_free(&cfg);
}

static const char *TO = "    timeout client 1s\n    timeout server 1s\n    timeout connect 1s\n";

/* ---- tokenizer ---- */

static int tok(const char *line, char **args, char *buf, size_t bufsz, char *err)
{
	return cfg_tokenize(line, buf, bufsz, args, 64, err, 512);
}

static void t_tok_basic(void)
{
	char buf[1024], err[512], *a[64];
	int n = tok("  bind   :80\tname  x # comment here\n", a, buf, sizeof(buf), err);
	EXPECT_INT(n, 4);
	EXPECT_STR(a[0], "bind");
	EXPECT_STR(a[1], ":80");
	EXPECT_STR(a[2], "name");
	EXPECT_STR(a[3], "x");
	EXPECT_INT(tok("   # only a comment", a, buf, sizeof(buf), err), 0);
	EXPECT_INT(tok("", a, buf, sizeof(buf), err), 0);
	n = tok("a#b", a, buf, sizeof(buf), err);
	EXPECT_INT(n, 1);
	EXPECT_STR(a[0], "a");
}

static void t_tok_escapes_quotes(void)
{
	char buf[1024], err[512], *a[64];
	int n = tok("a\\ b\\#c\\\\d\\\"e\\'f\\x41g\\tg x\\qy", a, buf, sizeof(buf), err);
	EXPECT_INT(n, 2);
	EXPECT_STR(a[0], "a b#c\\d\"e'fAg\tg");
	EXPECT_STR(a[1], "x\\qy");                   /* unknown escape kept as written */
	n = tok("\"q\\ z\\\"\\x41 #no\" 'lit\\n $HOME' a\"b\"c'd'e", a, buf, sizeof(buf), err);
	EXPECT_INT(n, 3);
	EXPECT_STR(a[0], "q z\"A #no");
	EXPECT_STR(a[1], "lit\\n $HOME");            /* single quotes: literal */
	EXPECT_STR(a[2], "abcde");
	n = tok("\"\" x", a, buf, sizeof(buf), err);
	EXPECT_INT(n, 2);
	EXPECT_STR(a[0], "");
	n = tok("\\n\\r", a, buf, sizeof(buf), err);
	EXPECT_STR(a[0], "\n\r");
	n = tok("\"\\$HOME\"x", a, buf, sizeof(buf), err);   /* \$ is a literal $ */
	EXPECT_INT(n, 1);
	EXPECT_STR(a[0], "$HOMEx");
}

static void t_tok_env(void)
{
	char buf[1024], err[512], *a[64];
	int n;
	setenv("RP_T_FOO", "hello", 1);
	setenv("RP_T_MULTI", "a  b c", 1);
	unsetenv("RP_T_NOPE");
	n = tok("\"${RP_T_FOO}2\" \"$RP_T_FOO\"3 ${RP_T_FOO} '${RP_T_FOO}' \"${RP_T_NOPE}\"x", a, buf,
	        sizeof(buf), err);
	EXPECT_INT(n, 5);
	EXPECT_STR(a[0], "hello2");
	EXPECT_STR(a[1], "hello3");
	EXPECT_STR(a[2], "${RP_T_FOO}");             /* not expanded outside double quotes */
	EXPECT_STR(a[3], "${RP_T_FOO}");
	EXPECT_STR(a[4], "x");                       /* unset: empty */
	n = tok("k \"${RP_T_MULTI}\" \"${RP_T_MULTI[*]}\"", a, buf, sizeof(buf), err);
	EXPECT_INT(n, 5);
	EXPECT_STR(a[1], "a  b c");
	EXPECT_STR(a[2], "a");
	EXPECT_STR(a[3], "b");
	EXPECT_STR(a[4], "c");
	/* "${NAME-default}": the default for an unset variable only */
	setenv("RP_T_EMPTY", "", 1);
	n = tok("k \"${RP_T_NOPE-5s}\" \"${RP_T_FOO-x}\" \"<${RP_T_EMPTY-x}>\" \"${RP_T_NOPE-}\"y \"${RP_T_NOPE[*]-p q}\"",
	        a, buf, sizeof(buf), err);
	EXPECT_INT(n, 7);
	EXPECT_STR(a[1], "5s");
	EXPECT_STR(a[2], "hello");
	EXPECT_STR(a[3], "<>");
	EXPECT_STR(a[4], "y");
	EXPECT_STR(a[5], "p");
	EXPECT_STR(a[6], "q");
}

static void t_tok_errors(void)
{
	char buf[1024], err[512], *a[64];
	EXPECT_INT(tok("log-tag \"unterminated", a, buf, sizeof(buf), err), -1);
	EXPECT(strstr(err, "unmatched quote at position 9") != NULL);
	EXPECT_INT(tok("x 'abc", a, buf, sizeof(buf), err), -1);
	EXPECT(strstr(err, "unmatched quote at position 3") != NULL);
	/* "${NAME-default}" is valid (HAProxy 2.6); an unclosed default, or
	 * another character after the name, is not: the caret is on the brace */
	EXPECT_INT(tok("x \"${FOO-def\"", a, buf, sizeof(buf), err), -1);
	EXPECT(strstr(err, "unmatched brace in environment variable name at position 5") != NULL);
	EXPECT_INT(tok("x \"${FOO+def}\"", a, buf, sizeof(buf), err), -1);
	EXPECT(strstr(err, "unmatched brace in environment variable name at position 5") != NULL);
	EXPECT_INT(tok("x \"$\"", a, buf, sizeof(buf), err), -1);
	EXPECT(strstr(err, "forbidden first char in environment variable name") != NULL);
	EXPECT_INT(tok("x \\xZZ", a, buf, sizeof(buf), err), -1);
	EXPECT(strstr(err, "hexadecimal") != NULL);
	/* too many words */
	char line[400];
	line[0] = 0;
	for (int i = 0; i < 70; i++)
		strcat(line, "w ");
	EXPECT_INT(tok(line, a, buf, sizeof(buf), err), -1);
}

static void t_tok_errors_in_file(void)
{
	expect_error("global\n    log-tag \"oops\n", "parsing [t.cfg:2]: unmatched quote at position 13:\n  log-tag \"oops\n          ^\n");
	/* the other lines are still parsed and reported */
	struct config cfg;
	EXPECT_PARSE(&cfg, "global\n  x \"a\n  foo\n", 2);
	EXPECT_OUT("parsing [t.cfg:3] : unknown keyword 'foo' in 'global' section");
	cfg_free(&cfg);
}

/* ---- times, sizes, addresses ---- */

static void t_time(void)
{
	uint32_t ms;
	EXPECT_INT(cfg_parse_time("500", &ms), 0);   EXPECT_INT(ms, 500);
	EXPECT_INT(cfg_parse_time("100ms", &ms), 0); EXPECT_INT(ms, 100);
	EXPECT_INT(cfg_parse_time("10s", &ms), 0);   EXPECT_INT(ms, 10000);
	EXPECT_INT(cfg_parse_time("2m", &ms), 0);    EXPECT_INT(ms, 120000);
	EXPECT_INT(cfg_parse_time("1h", &ms), 0);    EXPECT_INT(ms, 3600000);
	EXPECT_INT(cfg_parse_time("1d", &ms), 0);    EXPECT_INT(ms, 86400000);
	EXPECT_INT(cfg_parse_time("1500us", &ms), 0); EXPECT_INT(ms, 2);
	EXPECT_INT(cfg_parse_time("0", &ms), 0);     EXPECT_INT(ms, 0);
	EXPECT_INT(cfg_parse_time("5x", &ms), -1);
	EXPECT_INT(cfg_parse_time("1h2", &ms), -1);
	EXPECT_INT(cfg_parse_time("", &ms), -1);
	EXPECT_INT(cfg_parse_time("-1", &ms), -1);
	EXPECT_INT(cfg_parse_time("25d", &ms), -1);  /* > 2^31 ms */
	EXPECT_INT(cfg_parse_time("24d", &ms), 0);
}

static void t_size(void)
{
	uint64_t v;
	EXPECT_INT(cfg_parse_size("16384", &v), 0); EXPECT_INT(v, 16384);
	EXPECT_INT(cfg_parse_size("16k", &v), 0);   EXPECT_INT(v, 16384);
	EXPECT_INT(cfg_parse_size("1m", &v), 0);    EXPECT_INT(v, 1 << 20);
	EXPECT_INT(cfg_parse_size("2g", &v), 0);    EXPECT_INT(v, 2ULL << 30);
	EXPECT_INT(cfg_parse_size("2x", &v), -1);
	EXPECT_INT(cfg_parse_size("k", &v), -1);
	EXPECT_INT(cfg_parse_size("1kb", &v), -1);
}

static int port_of(const struct addr *a)
{
	return ntohs(a->u.sa.sa_family == AF_INET6 ? a->u.in6.sin6_port : a->u.in4.sin_port);
}

static void t_addr(void)
{
	struct addr a;
	char err[256], ip[64];

	EXPECT_INT(cfg_parse_addr("127.0.0.1:8080", &a, 1, err, sizeof(err)), 0);
	EXPECT_INT(a.u.sa.sa_family, AF_INET);
	EXPECT_INT(port_of(&a), 8080);
	EXPECT_INT(a.len, sizeof(struct sockaddr_in));
	inet_ntop(AF_INET, &a.u.in4.sin_addr, ip, sizeof(ip));
	EXPECT_STR(ip, "127.0.0.1");

	EXPECT_INT(cfg_parse_addr("[::1]:443", &a, 1, err, sizeof(err)), 0);
	EXPECT_INT(a.u.sa.sa_family, AF_INET6);
	EXPECT_INT(port_of(&a), 443);
	inet_ntop(AF_INET6, &a.u.in6.sin6_addr, ip, sizeof(ip));
	EXPECT_STR(ip, "::1");

	EXPECT_INT(cfg_parse_addr(":80", &a, 1, err, sizeof(err)), 0);
	EXPECT_INT(a.u.sa.sa_family, AF_INET);
	EXPECT_INT(a.u.in4.sin_addr.s_addr, htonl(INADDR_ANY));
	EXPECT_INT(port_of(&a), 80);
	EXPECT_INT(cfg_parse_addr("*:81", &a, 1, err, sizeof(err)), 0);
	EXPECT_INT(port_of(&a), 81);
	EXPECT_INT(cfg_parse_addr("ipv6@:82", &a, 1, err, sizeof(err)), 0);
	EXPECT_INT(a.u.sa.sa_family, AF_INET6);
	EXPECT_INT(cfg_parse_addr("ipv4@127.0.0.2:83", &a, 1, err, sizeof(err)), 0);
	EXPECT_INT(a.u.sa.sa_family, AF_INET);

	EXPECT_INT(cfg_parse_addr("unix@/tmp/x.sock", &a, 1, err, sizeof(err)), 0);
	EXPECT_INT(a.u.sa.sa_family, AF_UNIX);
	EXPECT_STR(a.u.un.sun_path, "/tmp/x.sock");
	EXPECT_INT(cfg_parse_addr("/run/y.sock", &a, 1, err, sizeof(err)), 0);
	EXPECT_STR(a.u.un.sun_path, "/run/y.sock");

	EXPECT_INT(cfg_parse_addr("localhost:25", &a, 1, err, sizeof(err)), 0);
	EXPECT(a.u.sa.sa_family == AF_INET || a.u.sa.sa_family == AF_INET6);
	EXPECT_INT(port_of(&a), 25);

	/* no port: 0 when allowed */
	EXPECT_INT(cfg_parse_addr("10.0.0.1", &a, 0, err, sizeof(err)), 0);
	EXPECT_INT(port_of(&a), 0);

	EXPECT_INT(cfg_parse_addr("1.2.3.4", &a, 1, err, sizeof(err)), -1);
	EXPECT_STR(err, "missing port specification in '1.2.3.4'");
	EXPECT_INT(cfg_parse_addr(":99999", &a, 1, err, sizeof(err)), -1);
	EXPECT_STR(err, "invalid port '99999'");
	EXPECT_INT(cfg_parse_addr("127.0.0.1:xx", &a, 1, err, sizeof(err)), -1);
	EXPECT_STR(err, "invalid character 'x' in port number 'xx' in '127.0.0.1:xx'");
	EXPECT_INT(cfg_parse_addr("nonexistent.invalid:80", &a, 1, err, sizeof(err)), -1);
	EXPECT_STR(err, "could not resolve address 'nonexistent.invalid'");
	EXPECT_INT(cfg_parse_addr("[::1:80", &a, 1, err, sizeof(err)), -1);
	EXPECT_INT(cfg_parse_addr("abns@foo", &a, 1, err, sizeof(err)), -1);
	EXPECT_INT(cfg_parse_addr(":0", &a, 1, err, sizeof(err)), -1);
}

/* ---- global ---- */

static void t_global_values(void)
{
	struct config cfg;
	setenv("RP_T_TAG", "mytag", 1);
	int r = parse(&cfg,
		"# leading comment\n"
		"global\n"
		"    daemon\n"
		"    nbthread 1\n"
		"    maxconn 2000\n"
		"    pidfile /run/rp.pid\n"
		"    log-tag \"${RP_T_TAG}\"\n"
		"    node n1.example\n"
		"    description my  \"big proxy\"\n"
		"    stats socket /run/rp.sock mode 660 level operator expose-fd listeners\n"
		"    stats socket ipv4@127.0.0.1:9999 level user\n"
		"    stats timeout 30s\n"
		"    tune.bufsize 32768\n"
		"    tune.maxrewrite 2048\n"
		"    lua-load /a.lua\n"
		"    lua-load /b.lua\n"
		"    lua-prepend-path /x/?.lua\n"
		"    lua-prepend-path /y/?.so cpath\n"
		"    tune.lua.maxmem 64\n"
		"    tune.lua.forced-yield 500\n"
		"    tune.lua.session-timeout 2s\n"
		"    tune.lua.task-timeout 1m\n"
		"    tune.lua.service-timeout 3s\n"
		"    hard-stop-after 30s\n"
		"    user haproxy\n"
		"    group haproxy\n"
		"    chroot /var/lib/haproxy\n"
		"    uid 100\n"
		"    gid 101\n"
		"    ulimit-n 65536\n"
		"    master-worker\n"
		"    insecure-fork-wanted\n"
		"    expose-experimental-directives\n"
		"    h1-case-adjust content-type Content-Type\n"
		"    ca-base /etc/ssl/certs\n"
		"    crt-base /etc/ssl/private\n"
		"    ssl-default-bind-ciphers ECDHE-RSA-AES128-GCM-SHA256\n"
		"    ssl-default-bind-ciphersuites TLS_AES_128_GCM_SHA256\n"
		"    ssl-default-bind-options ssl-min-ver TLSv1.2 no-tls-tickets\n"
		"    setenv RP_T_SET value1\n"
		"    quiet\n");
	EXPECT_INT(r, 0);
	struct global *g = &cfg.g;
	EXPECT_INT(g->daemon, 1);
	EXPECT_INT(g->nbthread, 1);
	EXPECT_INT(g->maxconn, 2000);
	EXPECT_STR(g->pidfile, "/run/rp.pid");
	EXPECT_STR(g->log_tag, "mytag");
	EXPECT_STR(g->node, "n1.example");
	EXPECT_STR(g->desc, "my big proxy");
	EXPECT(g->stats != NULL);
	if (g->stats) {
		EXPECT_INT(g->stats->addr.u.sa.sa_family, AF_UNIX);
		EXPECT_INT(g->stats->mode, 0660);
		EXPECT_INT(g->stats->level, 1);
		EXPECT_INT(g->stats->expose_fd, 1);
		EXPECT_INT(g->stats->line, 10);
		EXPECT(g->stats->next != NULL);
		if (g->stats->next) {
			EXPECT_INT(g->stats->next->addr.u.sa.sa_family, AF_INET);
			EXPECT_INT(g->stats->next->level, 0);
		}
	}
	EXPECT_INT(g->stats_timeout, 30000);
	EXPECT_INT(g->bufsize, 32768);
	EXPECT_INT(g->maxrewrite, 2048);
	EXPECT_INT(g->nb_lua_load, 2);
	EXPECT_STR(g->lua_load[0], "/a.lua");
	EXPECT_STR(g->lua_load[1], "/b.lua");
	EXPECT(g->lua_load[2] == NULL);
	EXPECT_INT(g->nb_lua_prepend, 2);
	EXPECT_STR(g->lua_prepend_path[0], "path:/x/?.lua");
	EXPECT_STR(g->lua_prepend_path[1], "cpath:/y/?.so");
	EXPECT_INT(g->lua_maxmem, 64ULL << 20);
	EXPECT_INT(g->lua_forced_yield, 500);
	EXPECT_INT(g->lua_session_timeout, 2000);
	EXPECT_INT(g->lua_task_timeout, 60000);
	EXPECT_INT(g->lua_service_timeout, 3000);
	EXPECT_INT(g->hard_stop_after, 30000);
	EXPECT_STR(g->user, "haproxy");
	EXPECT_STR(g->group, "haproxy");
	EXPECT_STR(g->chroot, "/var/lib/haproxy");
	EXPECT_INT(g->uid, 100);
	EXPECT_INT(g->gid, 101);
	EXPECT_INT(g->ulimit_n, 65536);
	EXPECT_INT(g->master_worker, 1);
	EXPECT_INT(g->insecure_fork_wanted, 1);
	EXPECT_INT(g->expose_experimental, 1);
	EXPECT_INT(g->nb_h1_case_adjust, 2);
	EXPECT_STR(g->h1_case_adjust[1], "Content-Type");
	EXPECT_STR(g->ca_base, "/etc/ssl/certs");
	EXPECT_STR(g->crt_base, "/etc/ssl/private");
	EXPECT_STR(g->ssl_bind_ciphers, "ECDHE-RSA-AES128-GCM-SHA256");
	EXPECT_STR(g->ssl_bind_ciphersuites, "TLS_AES_128_GCM_SHA256");
	EXPECT_STR(g->ssl_bind_options, "ssl-min-ver TLSv1.2 no-tls-tickets");
	EXPECT_STR(getenv("RP_T_SET"), "value1");
	EXPECT_INT(g->quiet, 1);
	EXPECT_INT(g->lua_maxmem, 64ULL << 20);
	cfg_free(&cfg);
}

/* user, chroot, ulimit-n, hard-stop-after are applied (main.c, thread.c,
 * tests/e2e/proc_identity.sh): no "not applied" notice any more */
static void t_global_not_applied_notice(void)
{
	struct config cfg;
	EXPECT_PARSE(&cfg, "global\n  user nobody\n  chroot /var/empty\n  ulimit-n 100\n  hard-stop-after 1m\n", 0);
	EXPECT_NO_OUT("NOTICE");
	EXPECT_NO_OUT("ALERT");
	cfg_free(&cfg);
}

static void t_global_defaults(void)
{
	struct config cfg;
	EXPECT_PARSE(&cfg, "global\n", 0);
	EXPECT_INT(cfg.g.nbthread, 1);
	EXPECT_INT(cfg.g.maxconn, 4096);
	EXPECT_INT(cfg.g.bufsize, 16384);
	EXPECT_INT(cfg.g.maxrewrite, 1024);
	EXPECT_INT(cfg.g.lua_forced_yield, 10000);
	EXPECT_INT(cfg.g.lua_session_timeout, 4000);
	EXPECT_INT(cfg.g.stats_timeout, 10000);
	EXPECT_INT(cfg.g.uid, -1);
	EXPECT(cfg.g.stats == NULL);
	cfg_free(&cfg);
}

static void t_global_log(void)
{
	struct config cfg;
	EXPECT_PARSE(&cfg, "global\n  log /dev/log local0\n  log 127.0.0.1:514 local1 notice\n", 0);
	EXPECT(cfg.g.logs != NULL);
	EXPECT(cfg.g.logs && cfg.g.logs->next != NULL);
	cfg_free(&cfg);
	EXPECT_PARSE(&cfg, "global\n  log /dev/log local0\n  no log\n  no busy-polling\n  insecure-fork-wanted\n  no insecure-fork-wanted\n", 0);
	EXPECT(cfg.g.logs == NULL);
	EXPECT_INT(cfg.g.insecure_fork_wanted, 0);
	cfg_free(&cfg);
	expect_error("global\n  log\n", "parsing [t.cfg:2] : ");
}

static void t_global_errors(void)
{
	expect_error("global\n    foo bar\n", "parsing [t.cfg:2] : unknown keyword 'foo' in 'global' section");
	expect_error("global\n    nbthread 65\n", "parsing [t.cfg:2] : 'nbthread' value must be between 1 and 64 (was 65)");
	expect_error("global\n    maxconn\n", "parsing [t.cfg:2] : 'maxconn' expects an integer argument.");
	expect_error("global\n    maxconn 12x\n", "parsing [t.cfg:2] : 'maxconn' expects an integer argument (got '12x').");
	expect_error("global\n    nbproc 2\n", "parsing [t.cfg:2] : nbproc is not supported any more since HAProxy 2.5.");
	expect_error("global\n    tune.bufsize x\n", "parsing [t.cfg:2] : 'tune.bufsize' expects a positive integer argument.");
	expect_error("global\n    lua-load\n", "parsing [t.cfg:2] : 'lua-load' expects a file name as parameter.");
	expect_error("global\n    hard-stop-after 5x\n", "parsing [t.cfg:2] : unexpected character 'x' in 'hard-stop-after'");
	expect_error("global\n    log-tag\n", "parsing [t.cfg:2] : 'log-tag' expects a tag for use in syslog.");
	expect_error("global\n    pidfile\n", "parsing [t.cfg:2] : 'pidfile' expects a file name as an argument.");
	expect_error("global\n    pidfile a b\n", "parsing [t.cfg:2] : 'pidfile' cannot handle unexpected argument 'b'.");
	expect_error("global\n    daemon x\n", "parsing [t.cfg:2] : 'daemon' cannot handle unexpected argument 'x'.");
	expect_error("global\n    setenv A\n", "parsing [t.cfg:2]: 'setenv' expects a name and a value.");
	expect_error("global\n    node a/b\n", "parsing [t.cfg:2]: 'node' requires valid node name");
	expect_error("global\n    stats socket /tmp/x.sock level foo\n",
	             "parsing [t.cfg:2] : 'stats socket' : ''level' only supports 'user', 'operator', and 'admin' (got 'foo')'");
	expect_error("global\n    stats socket /tmp/x.sock bogus 1\n", "'stats socket' : unknown keyword 'bogus'.");
	{
		struct config c3;
		EXPECT_PARSE(&c3, "global\n  stats socket ipv4@127.0.0.1:9999 level admin process 1 defer-accept\n", 0);
		EXPECT_OUT("'stats socket' : 'process' has no effect in ringproxy (ignored).");
		EXPECT_OUT("'stats socket' : 'defer-accept' has no effect in ringproxy (ignored).");
		EXPECT(c3.g.stats && c3.g.stats->level == 2);
		cfg_free(&c3);
	}
	expect_error("global\n    stats timeout 0\n", "'stats timeout' expects a positive value.");
	expect_error("global\n    stats foo\n", "'stats' only supports 'socket', 'maxconn', 'bind-process' and 'timeout' (got 'foo').");
	expect_error("global\n    tune.lua.forced-yield 0\n", "'tune.lua.forced-yield' expects a positive integer argument.");
	expect_error("global\n    tune.lua.forced-yield x\n", "parsing [t.cfg:2] : tune.lua.forced-yield: invalid number\n");
	expect_error("global\n    tune.lua.maxmem x\n", "parsing [t.cfg:2] : tune.lua.maxmem: invalid number x (error at 'x')");
	expect_error("global\n    tune.lua.session-timeout 5x\n", "parsing [t.cfg:2] : tune.lua.session-timeout: invalid timeout");
	expect_error("global\n    nbthread x\n", "parsing [t.cfg:2] : 'nbthread' passed a missing or unparsable integer value in 'x'");
	expect_error("global\n    stats timeout 5x\n", "parsing [t.cfg:2] : 'stats timeout' : unexpected character 'x'");
	expect_error("global\n    stats socket\n", "parsing [t.cfg:2] : 'stats socket' in global section expects an address or a path to a UNIX socket");
	expect_error("global\n    no foo\n", "parsing [t.cfg:2]: negation/default currently supported only for options, log, busy-polling, set-dumpable, strict-limits, insecure-fork-wanted and numa-cpu-mapping.");
	expect_error("defaults\n    no foo\n", "parsing [t.cfg:2]: negation/default currently supported only for options, log,");
	expect_error("global\n    lua-prepend-path /x foo\n", "'lua-prepend-path' expects 'path' or 'cpath' as second parameter (got 'foo').");
	expect_error("global\n    h1-case-adjust a b\n", "differ by more than case");
	expect_error("global\n    unix-bind prefix /x\n", "'unix-bind' is not supported by ringproxy yet.");
	expect_error("    maxconn 10\n", "parsing [t.cfg:1]: unknown keyword 'maxconn' out of section.");
	expect_error("global extra\n", "parsing [t.cfg:1] : 'global' cannot handle unexpected argument 'extra'.");
	/* every error of the file is reported, and the count returned */
	struct config cfg;
	EXPECT_PARSE(&cfg, "global\n a\n b\n c\n", 3);
	EXPECT_OUT("parsing [t.cfg:2] : unknown keyword 'a'");
	EXPECT_OUT("parsing [t.cfg:4] : unknown keyword 'c'");
	EXPECT_OUT("[ALERT]    (");
	EXPECT_OUT(" : config : Error(s) found in configuration file : t.cfg");
	cfg_free(&cfg);
}

static void t_global_noeffect_notice(void)
{
	struct config cfg;
	EXPECT_PARSE(&cfg, "global\n  tune.ssl.cachesize 1000\n", 0);
	EXPECT_OUT("[NOTICE]   (");
	EXPECT_OUT("parsing [t.cfg:2] : 'tune.ssl.cachesize' has no effect in ringproxy (ignored).");
	cfg_free(&cfg);
	/* quiet silences notices */
	EXPECT_PARSE(&cfg, "global\n  quiet\n  tune.ssl.cachesize 1000\n", 0);
	EXPECT_NO_OUT("NOTICE");
	cfg_free(&cfg);
}

/* Global keywords HAProxy has and ringproxy ignores (a notice) or refuses
 * (an error): never "unknown keyword". */
static void t_global_keyword_classes(void)
{
	static const char *const noeffect[] = {
		"noepoll", "busy-polling", "set-dumpable",
		"strict-limits", "grace 1s", "zero-warning", "tune.ssl.cachesize 1",
		"tune.rcvbuf.client 1", "tune.h2.initial-window-size 1", "tune.vars.txn-max-size 1",
		"httpclient.ssl.verify none", "tune.zlib.memlevel 1", "profiling.tasks on",
		"server-state-file x", "server-state-base /x", "localpeer me", NULL
	};
	static const char *const refused[] = {
		"unix-bind prefix x", "ssl-engine x",
		"default-path config",
		NULL
	};
	struct config cfg;
	char text[256], msg[256];

	for (int i = 0; noeffect[i]; i++) {
		snprintf(text, sizeof(text), "global\n  %s\n", noeffect[i]);
		EXPECT_PARSE(&cfg, text, 0);
		EXPECT_OUT("has no effect in ringproxy (ignored).");
		cfg_free(&cfg);
	}
	for (int i = 0; refused[i]; i++) {
		char kw[64];
		snprintf(kw, sizeof(kw), "%.*s", (int)strcspn(refused[i], " "), refused[i]);
		snprintf(text, sizeof(text), "global\n  %s\n", refused[i]);
		snprintf(msg, sizeof(msg), "parsing [t.cfg:2] : '%s' is not supported by ringproxy yet.", kw);
		expect_error(text, msg);
	}
}

static void t_unsupported_sections(void)
{
	expect_error("mailers m1\n  mailer a 127.0.0.1:25\n", "parsing [t.cfg:1] : 'mailers' sections are not supported by ringproxy yet.");
	expect_error("peers p\n  peer a 1.2.3.4:1\n  table t type ip size 1k\n",
	             "parsing [t.cfg:3] : 'table' in a 'peers' section is not supported by ringproxy yet");
	expect_error("fcgi-app f\n", "'fcgi-app' sections are not supported");
	/* program sections: HAProxy's messages */
	expect_error("program\n", "parsing [t.cfg:1] : 'program' expects an <id> argument");
	expect_error("program p\n  command a\nprogram p\n", "parsing [t.cfg:3] : 'p' program section already exists in the configuration.");
	expect_error("program p\n  command\n", "parsing [t.cfg:2] : 'command' expects a command with optional arguments separated in words.");
	expect_error("program p\n  foo bar\n", "parsing [t.cfg:2] : unknown keyword 'foo' in 'program' section");
	expect_error("program p\n  user no-such-user-here\n", "parsing [t.cfg:2] : cannot find user id for 'no-such-user-here'");
	expect_error("ring r\n", "'ring' sections are not supported");
	/* the body of an unsupported section is skipped: one error only */
	struct config cfg;
	EXPECT_PARSE(&cfg, "mailers m1\n  mailer a 127.0.0.1:25\n  timeout mail 1s\nglobal\n  daemon\n", 1);
	EXPECT_INT(cfg.g.daemon, 1);
	cfg_free(&cfg);
}

static void t_debian_default(void)
{
	struct config cfg;
	char *paths[] = { "/etc/haproxy/haproxy.cfg", NULL };
	if (access(paths[0], R_OK) < 0) {
		SKIP("no /etc/haproxy/haproxy.cfg on this machine");
		return;
	}
	EXPECT_PARSE_FILES(&cfg, paths, 0);
	EXPECT(cfg.g.logs != NULL);
	EXPECT(cfg.g.stats != NULL);
	EXPECT_INT(cfg.g.daemon, 1);
	EXPECT_INT(cfg.g.stats_timeout, 30000);
	EXPECT_NO_OUT("ALERT");
	cfg_free(&cfg);
}

/* ---- proxies ---- */

static void t_proxy_basic(void)
{
	struct config cfg;
	char text[2048];
	snprintf(text, sizeof(text),
		"defaults\n"
		"    mode tcp\n%s"
		"    retries 5\n"
		"frontend fe\n"
		"    bind 127.0.0.1:8080,[::1]:8081 name main backlog 100\n"
		"    bind :9000-9002\n"
		"    maxconn 300\n"
		"    default_backend be\n"
		"    description the front end\n"
		"    id 10\n"
		"backend be\n"
		"    balance leastconn\n"
		"    fullconn 50\n"
		"    server s1 127.0.0.1:9001 weight 3 maxconn 10 check inter 5s fastinter 1s rise 4 fall 5\n"
		"    server s2 127.0.0.1:9002 backup disabled port 81\n"
		"    server s3 unix@/tmp/s3.sock\n"
		"    server s4 [::1]\n"
		"listen li\n"
		"    bind :7000\n"
		"    server a 10.0.0.1:1\n", TO);
	EXPECT_PARSE(&cfg, text, 0);
	EXPECT_INT(cfg.nb_proxies, 3);
	struct proxy *fe = proxy_find(&cfg, "fe", PX_CAP_FE), *be = proxy_find(&cfg, "be", PX_CAP_BE);
	struct proxy *li = proxy_find(&cfg, "li", PX_CAP_FE | PX_CAP_BE);
	EXPECT(fe && be && li);
	if (!fe || !be || !li) {
		cfg_free(&cfg);
		return;
	}
	EXPECT(proxy_find(&cfg, "fe", PX_CAP_BE) == NULL);
	EXPECT_INT(fe->id, 1);
	EXPECT_INT(be->id, 2);
	EXPECT_INT(fe->uuid, 10);
	EXPECT_INT(fe->cap, PX_CAP_FE);
	EXPECT_INT(li->cap, PX_CAP_FE | PX_CAP_BE);
	EXPECT_INT(fe->maxconn, 300);
	EXPECT(fe->defbe == be);
	EXPECT_STR(fe->desc, "the front end");
	EXPECT_INT(fe->to.client, 1000);
	EXPECT_INT(be->to.server, 1000);
	EXPECT_INT(be->to.connect, 1000);
	EXPECT_INT(be->retries, 5);
	EXPECT_INT(be->lb, LB_LEASTCONN);
	EXPECT_INT(be->fullconn, 50);
	/* binds: 2 from the list, 3 from the range */
	int nb = 0;
	for (struct bind_conf *b = fe->binds; b; b = b->next)
		nb++;
	EXPECT_INT(nb, 5);
	struct bind_conf *b = fe->binds;
	EXPECT_STR(b->name, "main");
	EXPECT_INT(b->backlog, 100);
	EXPECT_INT(b->fd, -1);
	EXPECT_INT(b->line, 8);
	EXPECT_INT(b->addr.u.sa.sa_family, AF_INET);
	EXPECT_INT(port_of(&b->addr), 8080);
	EXPECT_INT(b->next->addr.u.sa.sa_family, AF_INET6);
	EXPECT_STR(b->next->name, "main");
	EXPECT_INT(port_of(&b->next->next->addr), 9000);
	EXPECT_INT(port_of(&b->next->next->next->next->addr), 9002);
	EXPECT(b->px == fe);
	/* servers */
	EXPECT_INT(be->nb_srv, 4);
	struct server *s1 = server_find(be, "s1"), *s2 = server_find(be, "s2");
	struct server *s3 = server_find(be, "s3"), *s4 = server_find(be, "s4");
	EXPECT(s1 && s2 && s3 && s4);
	if (s1 && s2 && s3 && s4) {
		EXPECT_INT(s1->id, 1);
		EXPECT_INT(s2->id, 2);
		EXPECT(s1->px == be);
		EXPECT_INT(s1->weight, 3);
		EXPECT_INT(s1->cur_weight, 3);
		EXPECT_INT(s1->maxconn, 10);
		EXPECT_INT(s1->check, 1);
		EXPECT_INT(s1->inter, 5000);
		EXPECT_INT(s1->fastinter, 1000);
		EXPECT_INT(s1->downinter, 5000);
		EXPECT_INT(s1->rise, 4);
		EXPECT_INT(s1->fall, 5);
		EXPECT_INT(s1->state, SRV_UP);
		EXPECT_INT(port_of(&s1->addr), 9001);
		EXPECT_INT(s2->backup, 1);
		EXPECT_INT(s2->disabled, 1);
		EXPECT_INT(s2->state, SRV_MAINT);
		EXPECT_INT(s2->check_port, 81);
		EXPECT_INT(s2->weight, 1);
		EXPECT_INT(s2->inter, 2000);
		EXPECT_INT(s2->rise, 2);
		EXPECT_INT(s2->fall, 3);
		EXPECT_INT(s3->addr.u.sa.sa_family, AF_UNIX);
		EXPECT_INT(s4->addr.u.sa.sa_family, AF_INET6);
		EXPECT_INT(port_of(&s4->addr), 0);
		EXPECT_STR(s1->addr_text, "127.0.0.1:9001");
		EXPECT_INT(s1->line, 17);
	}
	/* the lb tables were built: a pick works */
	EXPECT(lb_pick(be, NULL) != NULL);
	EXPECT(be->lb_ctx != NULL);
	cfg_free(&cfg);
	EXPECT(cfg.proxies == NULL);
}

static void t_proxy_default_server(void)
{
	struct config cfg;
	char text[1024];
	snprintf(text, sizeof(text),
		"defaults\n%s"
		"    default-server inter 3s rise 1 maxconn 20 check\n"
		"backend be\n"
		"    default-server weight 7\n"
		"    server s1 127.0.0.1:1\n"
		"    server s2 127.0.0.1:2 weight 2 no-check\n"
		"backend be2\n"
		"    server s1 127.0.0.1:1\n", TO);
	EXPECT_PARSE(&cfg, text, 0);
	struct proxy *be = proxy_find(&cfg, "be", PX_CAP_BE), *be2 = proxy_find(&cfg, "be2", PX_CAP_BE);
	EXPECT(be && be2);
	if (be && be2 && be->srv && be->srv->next && be2->srv) {
		struct server *s1 = be->srv, *s2 = be->srv->next;
		EXPECT_INT(s1->inter, 3000);
		EXPECT_INT(s1->rise, 1);
		EXPECT_INT(s1->maxconn, 20);
		EXPECT_INT(s1->check, 1);
		EXPECT_INT(s1->weight, 7);
		EXPECT_INT(s2->weight, 2);
		EXPECT_INT(s2->check, 0);
		EXPECT_INT(be2->srv->weight, 1);     /* the backend's default-server stays there */
		EXPECT_INT(be2->srv->inter, 3000);   /* defaults' one is inherited */
	}
	cfg_free(&cfg);
}

static void t_proxy_inheritance(void)
{
	struct config cfg;
	const char *text =
		"defaults\n"
		"    mode tcp\n"
		"    timeout client 5s\n"
		"    timeout connect 4s\n"
		"    timeout server 6s\n"
		"    timeout queue 7s\n"
		"    timeout tunnel 1h\n"
		"    timeout check 2s\n"
		"    timeout client-fin 3s\n"
		"    timeout server-fin 3s\n"
		"    option redispatch\n"
		"    option tcplog\n"
		"    option dontlognull\n"
		"    retries 2\n"
		"    maxconn 111\n"
		"    balance source\n"
		"    log global\n"
		"frontend f1\n"
		"    bind :1\n"
		"    no option dontlognull\n"
		"    timeout client 9s\n"
		"    default_backend b1\n"
		"backend b1\n"
		"    server s 127.0.0.1:1\n"
		"defaults named\n"
		"    timeout client 1s\n"
		"    timeout connect 1s\n"
		"    timeout server 1s\n"
		"    balance first\n"
		"defaults\n"
		"    timeout client 2s\n"
		"    timeout connect 2s\n"
		"    timeout server 2s\n"
		"backend b2 from named\n"
		"backend b3\n"
		"frontend f2 from named\n"
		"    bind :2\n"
		"    default_backend b2\n";
	EXPECT_PARSE(&cfg, text, 0);
	struct proxy *f1 = proxy_find(&cfg, "f1", PX_CAP_FE), *b1 = proxy_find(&cfg, "b1", PX_CAP_BE);
	struct proxy *b2 = proxy_find(&cfg, "b2", PX_CAP_BE), *b3 = proxy_find(&cfg, "b3", PX_CAP_BE);
	struct proxy *f2 = proxy_find(&cfg, "f2", PX_CAP_FE);
	EXPECT(f1 && b1 && b2 && b3 && f2);
	if (f1 && b1 && b2 && b3 && f2) {
		EXPECT_INT(f1->to.client, 9000);
		EXPECT_INT(b1->to.connect, 4000);
		EXPECT_INT(b1->to.server, 6000);
		EXPECT_INT(b1->to.queue, 7000);
		EXPECT_INT(b1->to.tunnel, 3600000);
		EXPECT_INT(b1->to.check, 2000);
		EXPECT_INT(f1->to.client_fin, 3000);
		EXPECT_INT(b1->to.server_fin, 3000);
		EXPECT(b1->options & PXO_REDISPATCH);
		EXPECT(f1->options & PXO_TCPLOG);
		EXPECT(!(f1->options & PXO_DONTLOGNULL));
		EXPECT(b1->options & PXO_DONTLOGNULL);
		EXPECT_INT(b1->retries, 2);
		EXPECT_INT(f1->maxconn, 111);
		EXPECT_INT(b1->lb, LB_SOURCE);
		EXPECT_INT(f1->log_global, 1);
		EXPECT(f1->defbe == b1);
		/* "from named" */
		EXPECT_INT(b2->lb, LB_FIRST);
		EXPECT_INT(b2->to.server, 1000);
		EXPECT_INT(b2->retries, 3);
		EXPECT(!(b2->options & PXO_REDISPATCH));
		/* the last anonymous defaults: a new section starts from scratch */
		EXPECT_INT(b3->to.server, 2000);
		EXPECT_INT(b3->lb, LB_ROUNDROBIN);
		EXPECT(f2->defbe == b2);
		EXPECT_INT(f2->to.client, 1000);
	}
	cfg_free(&cfg);
}

static void t_proxy_options(void)
{
	struct config cfg;
	char text[2048];
	snprintf(text, sizeof(text),
		"defaults\n%s"
		"listen l\n"
		"    bind :1\n"
		"    option tcpka\n"
		"    option clitcpka\n"
		"    option srvtcpka\n"
		"    option splice-auto\n"
		"    option logasap\n"
		"    option abortonclose\n"
		"    option log-health-checks\n"
		"    option allbackups\n"
		"    option http-server-close\n"
		"    option http-keep-alive\n"
		"    option forwardfor except 127.0.0.0/8 header X-Client if-none\n"
		"    option http-buffer-request\n"
		"    option httplog\n"
		"    option tcplog\n"
		"    option redispatch\n"
		"    no option redispatch\n"
		"    option dontlog-normal\n"
		"    option log-separate-errors\n"
		"    option tcp-smart-accept\n"
		"    option tcp-smart-connect\n"
		"    option nolinger\n"
		"    no option nolinger\n"
		"    server s 127.0.0.1:1\n", TO);
	EXPECT_PARSE(&cfg, text, 0);
	struct proxy *l = cfg.proxies;
	uint32_t want = PXO_TCPKA | PXO_CLITCPKA | PXO_SRVTCPKA | PXO_SPLICE_AUTO | PXO_LOGASAP |
	                PXO_ABORTONCLOSE | PXO_LOG_HEALTH_CHECKS | PXO_ALLBACKUPS |
	                PXO_HTTP_KEEP_ALIVE | PXO_TCPLOG |
	                PXO_DONTLOG_NORMAL | PXO_LOG_SEPARATE_ERR | PXO_TCP_SMART_ACCEPT |
	                PXO_TCP_SMART_CONNECT;
	EXPECT(l != NULL);
	if (l)
		EXPECT_INT(l->options, want);   /* http modes exclusive, tcplog replaced httplog,
		                                 * forwardfor/http-buffer-request dropped in tcp mode */
	cfg_free(&cfg);
	/* an option for the other side: a warning, not an error */
	snprintf(text, sizeof(text), "defaults\n%sfrontend f\n  bind :1\n  option redispatch\n", TO);
	EXPECT_PARSE(&cfg, text, 0);
	EXPECT_OUT("[WARNING]  (");
	EXPECT_OUT("parsing [t.cfg:7] : 'redispatch' ignored because frontend 'f' has no backend capability.");
	EXPECT(!(cfg.proxies->options & PXO_REDISPATCH));
	cfg_free(&cfg);
}

/* Every option: accepted (set, then cleared by "no option"), or refused
 * with "not supported yet"; none is silently unknown. */
static void t_every_option(void)
{
	static const char *const ok[] = {
		"redispatch", "dontlognull", "dontlog-normal", "log-separate-errors", "logasap",
		"log-health-checks", "tcpka", "clitcpka", "srvtcpka", "splice-auto", "splice-request",
		"splice-response", "http-keep-alive", "http-server-close", "httpclose",
		"http-buffer-request", "abortonclose", "allbackups", "tcp-smart-accept",
		"tcp-smart-connect", "nolinger", "persist", "prefer-last-server", "socket-stats",
		"independent-streams", "http-no-delay", "http-use-htx", "http-pretend-keepalive",
		"http-ignore-probes", "contstats", NULL
	};
	static const char *const no_neg[] = { "tcplog", "httplog", "httpslog", "forwardfor", "originalto", "tcp-check", NULL };
	static const char *const unsupp[] = {
		"transparent", "external-check", "checkcache",
		"accept-invalid-http-request", "accept-invalid-http-response",
		"h1-case-adjust-bogus-client", "h1-case-adjust-bogus-server",
		"disable-h2-upgrade", "http-use-proxy-header",
		"idle-close-on-response", NULL
	};
	struct config cfg;
	char text[512], msg[256];

	for (int i = 0; ok[i]; i++) {
		snprintf(text, sizeof(text), "defaults\n%slisten l\n  bind :1\n  option %s\n  no option %s\n", TO, ok[i], ok[i]);
		EXPECT_PARSE(&cfg, text, 0);
		/* splice-auto is on by default (ringproxy's choice) */
		EXPECT(cfg.proxies && !(cfg.proxies->options & ~(uint32_t)PXO_SPLICE_AUTO));
		EXPECT(cfg.proxies && !!(cfg.proxies->options & PXO_SPLICE_AUTO) == !!strcmp(ok[i], "splice-auto"));
		cfg_free(&cfg);
	}
	for (int i = 0; no_neg[i]; i++) {
		snprintf(text, sizeof(text), "defaults\n%slisten l\n  bind :1\n  option %s\n", TO, no_neg[i]);
		EXPECT_PARSE(&cfg, text, 0);
		/* forwardfor is dropped (with a warning) in tcp mode; originalto
		 * is no option bit (px->origto) */
		EXPECT(cfg.proxies && ((cfg.proxies->options & ~(uint32_t)PXO_SPLICE_AUTO) != 0) ==
		       (strcmp(no_neg[i], "forwardfor") != 0 && strcmp(no_neg[i], "originalto") != 0));
		cfg_free(&cfg);
		snprintf(text, sizeof(text), "listen l\n  no option %s\n", no_neg[i]);
		snprintf(msg, sizeof(msg), "parsing [t.cfg:2]: negation/default is not supported for option '%s'.", no_neg[i]);
		expect_error(text, msg);
	}
	/* the protocol checks (check_proto.c) */
	static const char *const check_opts[] = {
		"ssl-hello-chk", "smtpchk", "smtpchk EHLO a.example", "mysql-check",
		"mysql-check user u pre-41", "pgsql-check user u", "redis-check", "ldap-check", "spop-check", NULL
	};
	for (int i = 0; check_opts[i]; i++) {
		snprintf(text, sizeof(text), "defaults\n%slisten l\n  bind :1\n  option %s\n", TO, check_opts[i]);
		EXPECT_PARSE(&cfg, text, 0);
		cfg_free(&cfg);
	}
	expect_error("listen l\n  option pgsql-check\n",
	             "parsing [t.cfg:2] : 'option pgsql-check' expects 'user <username>' as argument.");
	for (int i = 0; unsupp[i]; i++) {
		snprintf(text, sizeof(text), "listen l\n  option %s\n", unsupp[i]);
		snprintf(msg, sizeof(msg), "parsing [t.cfg:2] : 'option %s' is not supported by ringproxy yet.", unsupp[i]);
		expect_error(text, msg);
	}
	/* http-restrict-req-hdr-names takes its mode, inherited from defaults */
	snprintf(text, sizeof(text), "defaults d\n%s  option http-restrict-req-hdr-names reject\n"
	         "backend b from d\nbackend c from d\n  option http-restrict-req-hdr-names delete\n", TO);
	EXPECT_PARSE(&cfg, text, 0);
	EXPECT(cfg.proxies && cfg.proxies->hdr_names == PX_HDR_NAMES_REJECT);
	EXPECT(cfg.proxies && cfg.proxies->next && cfg.proxies->next->hdr_names == PX_HDR_NAMES_DELETE);
	cfg_free(&cfg);
	expect_error("listen l\n  option http-restrict-req-hdr-names\n",
	             "parsing [t.cfg:2] : missing parameter. option 'http-restrict-req-hdr-names' expects 'preserve', 'reject' or 'delete' option.");
	expect_error("listen l\n  no option http-restrict-req-hdr-names\n",
	             "parsing [t.cfg:2]: negation/default is not supported for option 'http-restrict-req-hdr-names'.");
}

static void t_proxy_balance(void)
{
	static const struct { const char *kw; enum lb_algo lb; const char *arg; } cases[] = {
		{ "roundrobin", LB_ROUNDROBIN, NULL }, { "static-rr", LB_STATIC_RR, NULL },
		{ "leastconn", LB_LEASTCONN, NULL }, { "source", LB_SOURCE, NULL },
		{ "first", LB_FIRST, NULL },
	};
	struct config cfg;
	char text[512];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), "defaults\n%sbackend b\n  balance %s\n  server s 127.0.0.1:1\n", TO, cases[i].kw);
		EXPECT_PARSE(&cfg, text, 0);
		EXPECT_INT(cfg.proxies->lb, cases[i].lb);
		cfg_free(&cfg);
	}
	/* hdr/uri need mode http: accepted, fall back to roundrobin with a warning */
	snprintf(text, sizeof(text), "defaults\n%sbackend b\n  balance hdr(Host)\n  server s 127.0.0.1:1\n", TO);
	EXPECT_PARSE(&cfg, text, 0);
	EXPECT_STR(cfg.proxies->lb_arg, "Host");
	EXPECT_INT(cfg.proxies->lb, LB_ROUNDROBIN);
	EXPECT_OUT("[WARNING]  (");
	EXPECT_OUT("config : Layer 7 hash not possible for backend 'b' (needs 'mode http'). Falling back to round robin.\n");
	cfg_free(&cfg);
	snprintf(text, sizeof(text), "defaults\n%sbackend b\n  balance uri whole depth 3\n", TO);
	EXPECT_PARSE(&cfg, text, 0);
	EXPECT_STR(cfg.proxies->lb_arg, "whole depth 3");
	cfg_free(&cfg);
	expect_error("backend b\n  balance nope\n",
	             "parsing [t.cfg:2] : balance only supports 'roundrobin', 'static-rr', 'leastconn', 'source', 'first', 'random', 'uri' and 'hdr(name)' options.");
	snprintf(text, sizeof(text), "defaults\n%sbackend b\n  balance random(3)\n", TO);
	EXPECT_PARSE(&cfg, text, 0);
	EXPECT_INT(cfg.proxies->lb, LB_RANDOM);
	EXPECT_STR(cfg.proxies->lb_arg, "3");
	cfg_free(&cfg);
	snprintf(text, sizeof(text), "defaults\n%sbackend b\n  balance random\n", TO);
	EXPECT_PARSE(&cfg, text, 0);
	EXPECT_STR(cfg.proxies->lb_arg, "2");
	cfg_free(&cfg);
	expect_error("backend b\n  balance random(x)\n", "balance random: invalid number of draws in 'random(x)'.");
	/* a bare "balance" is accepted by HAProxy: a warning, the algorithm kept */
	snprintf(text, sizeof(text), "defaults\n%sbackend b\n  balance leastconn\n  balance\n", TO);
	EXPECT_PARSE(&cfg, text, 0);
	EXPECT_OUT("parsing [t.cfg:7] : 'balance' without an algorithm has no effect.");
	EXPECT_INT(cfg.proxies->lb, LB_LEASTCONN);
	cfg_free(&cfg);
	expect_error("backend b\n  balance hdr(\n", "'balance hdr(name)' requires an http header field name.");
	expect_error("backend b\n  balance uri depth\n", "'balance uri depth' expects a positive integer (got '').");
	expect_error("backend b\n  balance uri foo\n", "'balance uri' only accepts parameters 'len', 'depth', 'path-only' and 'whole' (got 'foo').");
	snprintf(text, sizeof(text), "defaults\n%sbackend b\n  balance hdr(host) use_domain_only\n", TO);
	EXPECT_PARSE(&cfg, text, 0);
	EXPECT_INT(cfg.proxies->lb_hdr_domain_only, 1);
	cfg_free(&cfg);
	expect_error("backend b\n  balance url_param x\n", "'balance url_param' is not supported by ringproxy yet.");
	expect_error("backend b\n  balance roundrobin x\n", "'balance' cannot handle unexpected argument 'x'.");
	snprintf(text, sizeof(text), "defaults\n%s  hash-type consistent sdbm avalanche\nbackend b\n  balance source\n  server s 127.0.0.1:1\n", TO);
	EXPECT_PARSE(&cfg, text, 0);
	EXPECT_INT(cfg.proxies->hash_consistent, 1);   /* inherited */
	EXPECT(lb_pick_hash(cfg.proxies, 1234) == cfg.proxies->srv);
	cfg_free(&cfg);
	expect_error("backend b\n  hash-type consistent foo\n", "'hash-type': unknown hash function or modifier 'foo'.");
	expect_error("backend b\n  hash-type nope\n", "'hash-type' requires 'map-based' or 'consistent' (got 'nope').");
}

static void t_proxy_errors(void)
{
	expect_error("defaults\n  timeout connect 5x\n", "parsing [t.cfg:2] : unexpected character 'x' in 'timeout connect'");
	expect_error("defaults\n  timeout client 10 s\n", "parsing [t.cfg:2] : 'timeout client' : unexpected extra argument 's' after value '10'.");
	expect_error("defaults\n  timeout connect\n", "parsing [t.cfg:2] : 'timeout connect' expects an integer value (in milliseconds)");
	expect_error("defaults\n  timeout foo 1s\n", "parsing [t.cfg:2] : 'timeout' supports 'client', 'server', 'connect', 'check', 'queue', 'http-keep-alive', 'http-request', 'tunnel', 'tarpit', 'client-fin' and 'server-fin' (got 'foo')");
	expect_error("defaults\n  timeout client 30d\n", "timer overflow in argument '30d' to 'timeout client' (maximum value is 2147483647 ms or ~24.8 days)");
	expect_error("defaults\n  contimeout 5s\n", "parsing [t.cfg:2] : the 'contimeout' directive is not supported anymore since HAProxy 2.1. Use 'timeout connect'.");
	expect_error("defaults\n  clitimeout 5s\n", "the 'clitimeout' directive is not supported anymore since HAProxy 2.1. Use 'timeout client'.");
	expect_error("defaults\n  srvtimeout 5s\n", "the 'srvtimeout' directive is not supported anymore since HAProxy 2.1. Use 'timeout server'.");
	expect_error("defaults\n  mode blah\n", "parsing [t.cfg:2] : unknown proxy mode 'blah'.");
	expect_error("defaults\n  mode\n", "parsing [t.cfg:2] : 'mode' requires an argument.");
	expect_error("defaults\n  option foo\n", "parsing [t.cfg:2] : unknown option 'foo'.");
	expect_error("defaults\n  no option tcplog\n", "parsing [t.cfg:2]: negation/default is not supported for option 'tcplog'.");
	expect_error("defaults\n  no option httpchk\n", "parsing [t.cfg:2]: negation/default is not supported for option 'httpchk'.");
	expect_error("defaults\n  option redispatch x\n", "'option redispatch' cannot handle unexpected argument 'x'.");
	expect_error("defaults\n  retries x\n", "parsing [t.cfg:2] : 'retries' expects an integer argument (got 'x').");
	expect_error("defaults\n  retries\n", "parsing [t.cfg:2] : 'retries' expects an integer argument (dispatch counts for one).");
	expect_error("defaults d1\nfrontend f1\n  bind :1\nfrontend f2 from d1\n  bind :2\nbackend b\n",
	             "parsing [t.cfg:4] : defaults section 'd1' (declared at t.cfg:1) is explicitly referenced by another proxy and implicitly used here. To avoid any ambiguity don't mix both usage. Add a last defaults section not explicitly used or always use explicit references.");
	expect_error("defaults d1\nfrontend f2 from d1\n  bind :2\nbackend b\n", "parsing [t.cfg:4] : defaults section 'd1' (declared at t.cfg:1) is explicitly referenced");
	expect_error("defaults\n  bind :80\n", "parsing [t.cfg:2] : 'bind' not allowed in 'defaults' section.");
	expect_error("defaults\n  server s 1.2.3.4:80\n", "config : [t.cfg:2] : 'server' not allowed in 'defaults' section.");
	expect_error("defaults\n  description x\n", "parsing [t.cfg:2]: 'description' not allowed in 'defaults' section.");
	expect_error("defaults\n  id 3\n", "parsing [t.cfg:2]: 'id' not allowed in 'defaults' section.");
	expect_error("frontend fe\n  server s1 1.2.3.4:80\n", "config : [t.cfg:2] : parsing [t.cfg:2] : 'server' not allowed because frontend 'fe' has no backend capability.");
	expect_error("frontend fe\n  default-server weight 2\n", "config : [t.cfg:2] : parsing [t.cfg:2] : 'default-server' not allowed because frontend 'fe' has no backend capability.");
	expect_error("frontend fe\n  foobar\n", "parsing [t.cfg:2] : unknown keyword 'foobar' in 'frontend' section");
	expect_error("backend be\n  foobar\n", "unknown keyword 'foobar' in 'backend' section");
	expect_error("listen li\n  foobar\n", "unknown keyword 'foobar' in 'listen' section");
	expect_error("defaults\n  foobar\n", "unknown keyword 'foobar' in 'defaults' section");
	expect_error("frontend fe\n  default_backend\n", "parsing [t.cfg:2] : 'default_backend' expects a backend name.");
	expect_error("frontend\n", "parsing [t.cfg:1] : 'frontend' expects an <id> argument");
	expect_error("backend a/b\n", "parsing [t.cfg:1] : character '/' is not permitted in 'backend' name 'a/b'.");
	expect_error("frontend f from nope\n", "parsing [t.cfg:1] : defaults section 'nope' not found for frontend 'f'.");
	expect_error("backend be\nbackend be\n", "config : Parsing [t.cfg:2]: backend 'be' has the same name as backend 'be' declared at t.cfg:1.");
	expect_error("frontend a\nlisten a\n", "Parsing [t.cfg:2]: proxy 'a' has the same name as frontend 'a' declared at t.cfg:1.");
	expect_error("backend be\n  stick-table type ip size 1m\n  stick-table type ip size 1m\n",
	             "parsing [t.cfg:3] : stick-table name 'be' conflicts with table declared in backend 'be' at t.cfg:2.");
	{
		/* tcp-check rules go to check.c and are freed with the configuration */
		struct config c4;
		EXPECT_PARSE(&c4, "backend be\n  option tcp-check\n  tcp-check send PING\\r\\n\n  tcp-check expect string +PONG\n", 0);
		EXPECT(c4.proxies && c4.proxies->check_rules != NULL);
		cfg_free(&c4);
	}
	expect_error("frontend fe\n  maxconn -3\n", "'maxconn' value -3 is out of range");
	expect_error("frontend fe\n  id 0\n", "parsing [t.cfg:2]: custom id has to be > 0.");
	expect_error("frontend fe\n  id\n", "parsing [t.cfg:2]: 'id' expects an integer argument.");
	expect_error("frontend fe\n  description\n", "parsing [t.cfg:2]: 'description' expects a string argument.");
	expect_error("frontend fe\n  option\n", "parsing [t.cfg:2]: 'option' expects an option name.");
	expect_error("frontend fe\n  id 5\nfrontend fe2\n  id 5\n", "frontend fe2 reuses same custom id as frontend fe");
	expect_error("frontend fe\n  errorfile 503 /nonexistent/503.http\n", "parsing [t.cfg:2] : errorfile : error opening file '/nonexistent/503.http'.");
	expect_error("frontend fe\n  errorfile 418 /dev/null\n", "parsing [t.cfg:2] : errorfile : status code '418' not handled.");
	expect_error("frontend fe\n  errorfile 503\n", "parsing [t.cfg:2] : errorfile : expects <status_code> and <file> as arguments.");
	expect_error("frontend fe\n  disabled x\n", "'disabled' cannot handle unexpected argument 'x'.");
	/* frontend and backend may share a name */
	struct config cfg;
	EXPECT_PARSE(&cfg, "frontend a\n  bind :1\nbackend a\n", 0);
	EXPECT_INT(cfg.nb_proxies, 2);
	cfg_free(&cfg);
	/* a broken header skips its body: one error */
	EXPECT_PARSE(&cfg, "frontend\n  foo\n  bar\n", 1);
	cfg_free(&cfg);
}

static void t_bind_errors(void)
{
	expect_error("frontend f\n  bind 1.2.3.4\n", "parsing [t.cfg:2] : 'bind' : missing port specification in '1.2.3.4'");
	expect_error("frontend f\n  bind :99999\n", "parsing [t.cfg:2] : 'bind' : invalid port '99999'");
	expect_error("frontend f\n  bind\n", "parsing [t.cfg:2] : 'bind' expects {<path>|[addr1]:port1[-end1]}{,[addr]:port[-end]}... as arguments.");
	expect_error("frontend f\n  bind :8080 foo\n", "parsing [t.cfg:2] : 'bind :8080' in section 'frontend': unknown keyword 'foo'.");
	expect_error("frontend f\n  bind 127.0.0.1:8080 name\n", "parsing [t.cfg:2] : 'bind 127.0.0.1:8080' in section 'frontend' : 'name' : missing name");
	expect_error("frontend f\n  bind :80 backlog x\n", "'backlog' expects an integer argument (got 'x').");
	expect_error("frontend f\n  bind :80-70\n", "'bind' : invalid port range '80-70'");
	expect_error("frontend f\n  bind 1.2.3.999:80\n", "parsing [t.cfg:2] : 'bind' : invalid address: '1.2.3.999' in '1.2.3.999:80'");
	expect_error("frontend f\n  bind fd@x\n", "'bind' : invalid file descriptor in 'fd@x'");
	expect_error("frontend f\n  bind abns@x\n", "'bind' : address family 'abns@' not supported here");
}

static void t_bind_options(void)
{
	struct config cfg;
	EXPECT_PARSE(&cfg,
		"frontend f\n"
		"  bind :443 ssl crt /etc/x.pem alpn h2,http/1.1 ciphers HIGH ciphersuites TLS_AES_128_GCM_SHA256 ssl-min-ver TLSv1.2 crt-list /l\n"
		"  bind [::]:80 v4v6 accept-proxy transparent\n"
		"  bind ipv6@:81 v6only\n"
		"  bind unix@/tmp/rp.sock mode 600\n"
		"  bind fd@3\n"
		"  bind :82 tfo\n", 1);
	/* the options are stored; the contexts are built once the file is read */
	EXPECT_OUT("config : parsing [t.cfg:2] : 'bind :443' in section 'frontend' : unable to stat SSL certificate from file '/etc/x.pem' : No such file or directory.\n");
	struct bind_conf *b = cfg.proxies->binds;
	EXPECT(b != NULL);
	if (b) {
		EXPECT_INT(b->ssl, 1);
		EXPECT_STR(b->crt, "/etc/x.pem");
		EXPECT_STR(b->alpn, "h2,http/1.1");
		EXPECT_STR(b->ciphers, "HIGH");
		EXPECT_STR(b->ciphersuites, "TLS_AES_128_GCM_SHA256");
		EXPECT_STR(b->ssl_min_ver, "TLSv1.2");
		EXPECT_STR(b->crt_list, "/l");
		b = b->next;
		EXPECT_INT(b->v4v6, 1);
		EXPECT_INT(b->accept_proxy, 1);
		EXPECT_INT(b->transparent, 1);
		EXPECT_INT(b->addr.u.sa.sa_family, AF_INET6);
		b = b->next;
		EXPECT_INT(b->v6only, 1);
		b = b->next;
		EXPECT_INT(b->addr.u.sa.sa_family, AF_UNIX);
		EXPECT_INT(b->mode, 0600);
		b = b->next;
		EXPECT_INT(b->fd, 3);
		EXPECT_INT(b->addr.u.sa.sa_family, AF_UNSPEC);
	}
	EXPECT_OUT("'bind :82' : 'tfo' has no effect in ringproxy (ignored).");
	cfg_free(&cfg);
}

static void t_server_errors(void)
{
	expect_error("backend b\n  server\n", "config : [t.cfg:2] : 'server' expects <name> and <addr>[:<port>] as arguments.");
	expect_error("backend b\n  server s1\n", "[t.cfg:2] : 'server' expects <name> and <addr>[:<port>] as arguments.");
	expect_error("backend b\n  server s2 1.2.3.4:80 weight 1000\n", "[t.cfg:2] : 'server b/s2' : weight of server s2 is not within 0 and 256 (1000).");
	expect_error("backend b\n  server s3 1.2.3.4:80 foo\n", "[t.cfg:2] : 'server b/s3' : unknown keyword 'foo'.");
	expect_error("backend b\n  server s1 nonexistent.invalid:80\n", "[t.cfg:2] : 'server b/s1' : could not resolve address 'nonexistent.invalid'.");
	expect_error("backend b\n  server s2 127.0.0.1:80 inter\n", "[t.cfg:2] : 'server b/s2' : 'inter' expects a delay as argument.");
	expect_error("backend b\n  server s3 127.0.0.1:80 inter 5x\n", "[t.cfg:2] : 'server b/s3' : unexpected character 'x' in 'inter' argument of server s3.");
	expect_error("backend b\n  server s4 127.0.0.1:xx\n", "[t.cfg:2] : 'server b/s4' : invalid character 'x' in port number 'xx' in '127.0.0.1:xx'\n");
	expect_error("backend b\n  server s5 127.0.0.1:80 rise 0\n", "[t.cfg:2] : 'server b/s5' : 'rise' has to be > 0.");
	expect_error("backend b\n  server s5 127.0.0.1:80 fall 0\n", "'fall' has to be > 0.");
	expect_error("backend b\n  server s6 127.0.0.1:80 maxconn -1\n", "'server b/s6' : 'maxconn' value -1 is out of range");
	expect_error("backend b\n  server s6 127.0.0.1:80 maxconn\n", "'server b/s6' : 'maxconn' expects an integer argument.");
	expect_error("backend b\n  server s7 127.0.0.1:80 verify maybe\n", "[t.cfg:2] : 'server b/s7' : 'verify' : unknown verify method 'maybe', only 'none' and 'required' are supported.");
	expect_error("backend b\n  server s7 127.0.0.1:80 addr\n", "[t.cfg:2] : 'server b/s7' : 'addr' expects <ipv4|ipv6> as argument.");
	expect_error("backend b\n  server s7 127.0.0.1:80 rise\n", "[t.cfg:2] : 'server b/s7' : 'rise' expects an integer argument.");
	expect_error("backend b\n  server s7 127.0.0.1:99999\n", "[t.cfg:2] : 'server b/s7' : invalid port '99999'\n");
	expect_error("backend b\n  server s7 127.0.0.1:80 inter 0\n", "[t.cfg:2] : 'server b/s7' : invalid value 0 for argument 'inter' of server s7.");
	expect_error("backend b\n  server s8 127.0.0.1:80 resolvers dns\n", "backend 'b', server 's8': unable to find required resolvers 'dns'");
	expect_error("backend b\n  server s9 fd@3\n", "'server b/s9' : address family 'fd@' not supported for servers.");
	expect_error("backend b\n  server s9 127.0.0.1:+1\n", "port offsets are not supported");
	expect_error("backend b\n  server a/b 127.0.0.1:1\n", "config : [t.cfg:2] : character '/' is not permitted in server name 'a/b'.");
	expect_error("backend b\n  server s1 127.0.0.1:80\n  server s1 127.0.0.1:81\n",
	             "parsing [t.cfg:3] : backend 'b', another server named 's1' was already defined at line 2, please use distinct names.");
	expect_error("backend b\n  server s1 127.0.0.1:80 id 4\n  server s2 127.0.0.1:81 id 4\n", "[t.cfg:3] : 'server b/s2' : 'id' : custom id 4 already used at t.cfg:2 ('server s1').");
	expect_error("backend b\n  default-server weight 300\n", "config : [t.cfg:2] : weight of server  is not within 0 and 256 (300).");
	expect_error("backend b\n  default-server foo\n", "config : [t.cfg:2] : unknown keyword 'foo'.");
	/* init-addr none: an unresolvable server starts in maintenance */
	struct config c2;
	EXPECT_PARSE(&c2, "backend b\n  server s nonexistent.invalid:80 init-addr last,libc,none\n  server t 127.0.0.1:1 init-addr 127.0.0.1\n", 0);
	EXPECT_OUT("[WARNING]  (");
	EXPECT_OUT("config : [t.cfg:2] : 'server b/s' : could not resolve address 'nonexistent.invalid', disabling server.\n");
	EXPECT(c2.proxies->srv && c2.proxies->srv->state == SRV_MAINT);
	EXPECT(c2.proxies->srv && c2.proxies->srv->addr.u.sa.sa_family == AF_UNSPEC);
	EXPECT(c2.proxies->srv && c2.proxies->srv->next && c2.proxies->srv->next->state == SRV_UP);
	cfg_free(&c2);
	expect_error("backend b\n  server s nonexistent.invalid:80 init-addr last,libc\n", "[t.cfg:2] : 'server b/s' : could not resolve address 'nonexistent.invalid'.");
	expect_error("backend b\n  server t 1.1.1.1:1 init-addr foo\n", "[t.cfg:2] : 'server b/t' : 'init-addr' : unknown init-addr method 'foo', supported methods are 'libc', 'last', 'none'.");
	/* server-template */
	{
		struct config c5;
		EXPECT_PARSE(&c5, "backend b\n  server-template web 1-3 127.0.0.1:80 check weight 5\n  server-template app 2 127.0.0.1:81\n", 0);
		struct proxy *b = c5.proxies;
		EXPECT_INT(b->nb_srv, 5);
		EXPECT(server_find(b, "web1") && server_find(b, "web3") && server_find(b, "app1") && server_find(b, "app2"));
		EXPECT(server_find(b, "web0") == NULL && server_find(b, "app3") == NULL);
		EXPECT(server_find(b, "web2") && server_find(b, "web2")->weight == 5 && server_find(b, "web2")->check);
		EXPECT(server_find(b, "app2") && server_find(b, "app2")->id == 5);
		cfg_free(&c5);
	}
	expect_error("backend b\n  server-template x 3-1 127.0.0.1:80\n", "config : [t.cfg:2] : Wrong server-template number or range arg '3-1'.");
	expect_error("backend b\n  server-template y\n", "config : [t.cfg:2] : 'server-template' expects <prefix> <nb | range> <addr>[:<port>] as arguments.");
	expect_error("backend b\n  server-template web 1-3 127.0.0.1:80\n  server web2 127.0.0.1:1\n", "parsing [t.cfg:3] : backend 'b', another server named 'web2' was already defined at line 2, please use distinct names.");
	/* server params that are stored */
	struct config cfg;
	EXPECT_PARSE(&cfg, "backend b\n  server s 127.0.0.1:443 ssl verify none sni str(x) ca-file /ca.pem addr 127.0.0.2 port 8443 send-proxy slowstart 10s minconn 2 maxqueue 9 id 12\n", 1);
	EXPECT_OUT("config : [t.cfg:2] : 'server b/s' : Couldn't open the ca-file '/ca.pem' (No such file or directory).\n");
	struct server *s = cfg.proxies->srv;
	EXPECT(s != NULL);
	if (s) {
		EXPECT_INT(s->ssl, 1);
		EXPECT_STR(s->verify, "none");
		EXPECT_STR(s->sni, "str(x)");
		EXPECT_STR(s->ca_file, "/ca.pem");
		EXPECT_INT(s->has_check_addr, 1);
		EXPECT_INT(s->check_port, 8443);
		EXPECT_INT(s->send_proxy, 1);
		EXPECT_INT(s->slowstart, 10000);
		EXPECT_INT(s->minconn, 2);
		EXPECT_INT(s->maxqueue, 9);
		EXPECT_INT(s->id, 12);
	}
	cfg_free(&cfg);
}

static void t_resolve(void)
{
	struct config cfg;
	char text[1024];
	snprintf(text, sizeof(text), "defaults\n%sfrontend f1\n  bind :1\n  default_backend nob\n", TO);
	expect_error(text, "config : Proxy 'f1': unable to find required default_backend: 'nob'.");
	snprintf(text, sizeof(text), "defaults\n%sfrontend f1\n  bind :1\n  default_backend f1\n", TO);
	expect_error(text, "Proxy 'f1': unable to find required default_backend: 'f1'.");
	/* mode http is served */
	snprintf(text, sizeof(text), "defaults\n%sbackend b3\n  mode http\n", TO);
	EXPECT_PARSE(&cfg, text, 0);
	EXPECT(cfg.proxies && cfg.proxies->mode == PX_MODE_HTTP);
	cfg_free(&cfg);
	/* a defaults section in http mode without proxies (Debian's file) */
	EXPECT_PARSE(&cfg, "defaults\n  mode http\n", 0);
	cfg_free(&cfg);
	/* the missing-timeouts warning, as HAProxy prints it */
	EXPECT_PARSE(&cfg, "frontend f\n  bind :1\n  default_backend b\nbackend b\n  server s 127.0.0.1:1\n", 0);
	EXPECT_OUT("[WARNING]  (");
	EXPECT_OUT("missing timeouts for frontend 'f'.\n   | While not properly invalid, you will certainly encounter various problems\n");
	EXPECT_OUT("missing timeouts for backend 'b'.");
	cfg_free(&cfg);
	snprintf(text, sizeof(text), "defaults\n%sfrontend f\n  bind :1\n", TO);
	EXPECT_PARSE(&cfg, text, 0);
	EXPECT_NO_OUT("missing timeouts");
	EXPECT_NO_OUT("WARNING");
	cfg_free(&cfg);
	/* a frontend without bind: HAProxy's warning */
	snprintf(text, sizeof(text), "defaults\n%sfrontend f\nlisten l\nfrontend g\n  disabled\n", TO);
	EXPECT_PARSE(&cfg, text, 0);
	EXPECT_OUT("config : frontend 'f' has no 'bind' directive. Please declare it as a backend if this was intended.\n");
	EXPECT_OUT("config : proxy 'l' has no 'bind' directive. Please declare it as a backend if this was intended.\n");
	EXPECT_NO_OUT("'g' has no");
	cfg_free(&cfg);
}

static void t_log_keywords(void)
{
	struct config cfg;
	char text[1024];
	snprintf(text, sizeof(text),
		"global\n  log 127.0.0.1:514 local0\n"
		"defaults\n%s  log global\n  log 127.0.0.1:515 local1\n"
		"frontend f\n  bind :1\n"
		"frontend g\n  bind :2\n  no log\n", TO);
	EXPECT_PARSE(&cfg, text, 0);
	struct proxy *f = proxy_find(&cfg, "f", PX_CAP_FE), *g = proxy_find(&cfg, "g", PX_CAP_FE);
	EXPECT(f && g);
	if (f && g) {
		EXPECT_INT(f->log_global, 1);
		EXPECT(f->logs != NULL);           /* copied from defaults */
		EXPECT_INT(g->log_global, 0);
		EXPECT(g->logs == NULL);
	}
	cfg_free(&cfg);
}

static void t_log_format_last_wins(void)
{
	struct config cfg;
	char text[1024];
	snprintf(text, sizeof(text),
		"global\n  log stderr local0\n"
		"defaults\n%s  log global\n  log-format \"%%ci %%fp\"\n"
		"frontend f1\n  bind :1\n"
		"frontend f2\n  bind :2\n  option tcplog\n"
		"frontend f3\n  bind :3\n  option tcplog\n  log-format \"%%ft\"\n", TO);
	EXPECT_PARSE(&cfg, text, 0);
	struct proxy *f1 = proxy_find(&cfg, "f1", PX_CAP_FE), *f2 = proxy_find(&cfg, "f2", PX_CAP_FE);
	struct proxy *f3 = proxy_find(&cfg, "f3", PX_CAP_FE);
	EXPECT(f1 && f2 && f3);
	if (f1 && f2 && f3) {
		EXPECT_STR(f1->logfmt_str, "%ci %fp");
		EXPECT(f2->logfmt_str == NULL && f2->logfmt == NULL);
		EXPECT(f2->options & PXO_TCPLOG);
		EXPECT_STR(f3->logfmt_str, "%ft");
		EXPECT(f3->logfmt != NULL);
		EXPECT(!(f3->options & PXO_TCPLOG));
	}
	cfg_free(&cfg);
}

static void t_http_options_in_tcp(void)
{
	struct config cfg;
	char text[512];
	snprintf(text, sizeof(text), "defaults\n%slisten l\n  bind :1\n  option forwardfor\n  option http-buffer-request\n  option http-no-delay\n  option http-server-close\n", TO);
	EXPECT_PARSE(&cfg, text, 0);
	EXPECT_OUT("config : 'option forwardfor' ignored for proxy 'l' as it requires HTTP mode.\n");
	EXPECT_OUT("config : 'option http-buffer-request' ignored for proxy 'l' as it requires HTTP mode.\n");
	EXPECT_OUT("config : 'option http-no-delay' ignored for proxy 'l' as it requires HTTP mode.\n");
	EXPECT_NO_OUT("http-server-close' ignored");
	EXPECT_INT(cfg.proxies->options, PXO_HTTP_SERVER_CLOSE | PXO_SPLICE_AUTO);
	cfg_free(&cfg);
}

/* Splicing: on by default ("option splice-auto" set on every proxy),
 * "no option splice-auto" in defaults turns it off for what follows;
 * global nosplice, maxpipes, tune.pipesize are stored for the pipe pool. */
static void t_splice_keywords(void)
{
	struct config cfg;
	char text[512];

	snprintf(text, sizeof(text), "global\n  nosplice\n  maxpipes 7\n  tune.pipesize 256k\n"
	         "defaults\n%slisten a\n  bind :1\n"
	         "defaults\n%s  no option splice-auto\nlisten b\n  bind :2\n  option splice-response\n", TO, TO);
	EXPECT_PARSE(&cfg, text, 0);
	EXPECT_NO_OUT("NOTICE");
	EXPECT_INT(cfg.g.nosplice, 1);
	EXPECT_INT(cfg.g.maxpipes, 7);
	EXPECT_INT(cfg.g.pipesize, 256 << 10);
	EXPECT(cfg.proxies && cfg.proxies->next);
	if (cfg.proxies && cfg.proxies->next) {
		EXPECT_INT(cfg.proxies->options & (PXO_SPLICE_AUTO | PXO_SPLICE_REQUEST | PXO_SPLICE_RESPONSE),
		           PXO_SPLICE_AUTO);
		EXPECT_INT(cfg.proxies->next->options & (PXO_SPLICE_AUTO | PXO_SPLICE_REQUEST | PXO_SPLICE_RESPONSE),
		           PXO_SPLICE_RESPONSE);
	}
	cfg_free(&cfg);
}

/* tune.ring.min-wait: 50 us by default, any HAProxy time (no unit: ms),
 * 0 turns the batched wait off; a bad unit is HAProxy's time error. */
static void t_ring_min_wait(void)
{
	static const struct { const char *text; uint32_t us; } ok[] = {
		{ "global\n  maxconn 10\n", 50 },
		{ "global\n  tune.ring.min-wait 120us\n", 120 },
		{ "global\n  tune.ring.min-wait 2\n", 2000 },
		{ "global\n  tune.ring.min-wait 0\n", 0 },
	};
	struct config cfg;

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		EXPECT_PARSE(&cfg, ok[i].text, 0);
		EXPECT_INT(cfg.g.ring_min_wait_us, ok[i].us);
		cfg_free(&cfg);
	}
	expect_error("global\n  tune.ring.min-wait 5x\n",
	             "parsing [t.cfg:2] : unexpected character 'x' in 'tune.ring.min-wait'");
	expect_error("global\n  tune.ring.min-wait 1h\n",
	             "parsing [t.cfg:2] : timer overflow in argument '1h' to 'tune.ring.min-wait' (maximum value is 2147483647 us or ~35.8 minutes)");
	expect_error("global\n  tune.ring.min-wait\n",
	             "parsing [t.cfg:2] : 'tune.ring.min-wait' expects <time> as argument.");
}

static void t_proxy_backlog(void)
{
	struct config cfg;
	char text[512];
	snprintf(text, sizeof(text), "defaults\n%s  backlog 50\nfrontend f\n  bind :1\n  bind :2 backlog 7\nfrontend g\n  backlog 9\n  bind :3\n", TO);
	EXPECT_PARSE(&cfg, text, 0);
	struct proxy *f = proxy_find(&cfg, "f", PX_CAP_FE), *g = proxy_find(&cfg, "g", PX_CAP_FE);
	EXPECT(f && g && f->binds && f->binds->next && g->binds);
	if (f && g && f->binds && f->binds->next && g->binds) {
		EXPECT_INT(f->binds->backlog, 50);
		EXPECT_INT(f->binds->next->backlog, 7);
		EXPECT_INT(g->binds->backlog, 9);
	}
	cfg_free(&cfg);
	expect_error("frontend f\n  backlog 0\n", "'backlog' expects a positive integer argument.");
}

static void t_errorfile_and_noeffect(void)
{
	struct config cfg;
	char text[1024];
	snprintf(text, sizeof(text),
		"defaults\n%s  errorfile 503 /dev/null\n  errorfile 400 /dev/null\n  errorfile 503 /dev/zero\n"
		"frontend f\n  bind :1\n  clitcpka-idle 10s\n", TO);
	EXPECT_PARSE(&cfg, text, 0);
	struct proxy *f = cfg.proxies;
	int n = 0;
	for (int i = 0; f && i < PX_MAX_ERRORFILES; i++)
		if (f->errorfile_codes[i]) {
			n++;
			if (f->errorfile_codes[i] == 503)
				EXPECT_STR(f->errorfiles[i], "/dev/zero");
		}
	EXPECT_INT(n, 2);
	EXPECT_OUT("[NOTICE]   (");
	EXPECT_OUT("parsing [t.cfg:10] : 'clitcpka-idle' has no effect in ringproxy (ignored).");
	cfg_free(&cfg);
}

static void t_capability_warnings(void)
{
	struct config cfg;
	EXPECT_PARSE(&cfg,
		"backend b\n bind :1\n default_backend x\n maxconn 5\n log-format x\n"
		"frontend f\n bind :2\n balance roundrobin\n retries 3\n hash-type map-based\n"
		" fullconn 3\n timeout server 5s\n", 0);
	EXPECT_OUT("[WARNING]  (");
	EXPECT_OUT("parsing [t.cfg:2] : 'bind' ignored because backend 'b' has no frontend capability.\n");
	EXPECT_OUT("parsing [t.cfg:3] : 'default_backend' ignored because backend 'b' has no frontend capability.\n");
	EXPECT_OUT("parsing [t.cfg:4] : 'maxconn' ignored because backend 'b' has no frontend capability. Maybe you want 'fullconn' instead ?\n");
	EXPECT_OUT("parsing [t.cfg:5] : backend 'b' : 'log-format' directive is ignored in backends.\n");
	EXPECT_OUT("parsing [t.cfg:8] : 'balance' ignored because frontend 'f' has no backend capability.\n");
	EXPECT_OUT("parsing [t.cfg:9] : 'retries' ignored because frontend 'f' has no backend capability.\n");
	EXPECT_OUT("parsing [t.cfg:10] : 'hash-type' ignored because frontend 'f' has no backend capability.\n");
	EXPECT_OUT("parsing [t.cfg:11] : 'fullconn' ignored because frontend 'f' has no backend capability. Maybe you want 'maxconn' instead ?\n");
	EXPECT_OUT("parsing [t.cfg:12] : 'timeout server' will be ignored because frontend 'f' has no backend capability\n");
	struct proxy *b = proxy_find(&cfg, "b", PX_CAP_BE);
	EXPECT(b && b->binds == NULL && b->defbe_name == NULL && b->maxconn == 0 && b->logfmt == NULL);
	cfg_free(&cfg);
}

/* ---- conditional blocks ---- */

static int cond(const char *text, char *err)
{
	char buf[1024], *a[64];
	char terr[512];
	int n = cfg_tokenize(text, buf, sizeof(buf), a, 64, terr, sizeof(terr));
	if (n < 0)
		return -2;
	return cfg_cond_eval(a, n, err, 1024);
}

static void t_cond_eval(void)
{
	char err[1024];
	setenv("RP_T_YES", "yes", 1);
	unsetenv("RP_T_UNSET");
	EXPECT_INT(cond("1", err), 1);
	EXPECT_INT(cond("0", err), 0);
	EXPECT_INT(cond("", err), 0);
	EXPECT_INT(cond("!0", err), 1);
	EXPECT_INT(cond("defined(RP_T_YES)", err), 1);
	EXPECT_INT(cond("defined(RP_T_UNSET)", err), 0);
	EXPECT_INT(cond("!defined(RP_T_UNSET)", err), 1);
	EXPECT_INT(cond("streq(\"$RP_T_YES\",yes)", err), 1);
	EXPECT_INT(cond("strneq(\"$RP_T_YES\",yes)", err), 0);
	EXPECT_INT(cond("feature(LUA)", err), 1);
	EXPECT_INT(cond("feature(OPENSSL)", err), 1);   /* TLS is served (wolfSSL) */
	EXPECT_INT(cond("feature(QUIC)", err), 0);
	EXPECT_INT(cond("version_atleast(2.4-dev19)", err), 1);
	EXPECT_INT(cond("version_atleast(2.6)", err), 1);
	EXPECT_INT(cond("version_atleast(2.7)", err), 0);
	EXPECT_INT(cond("version_before(2.7)", err), 1);
	EXPECT_INT(cond("version_before(2.6-dev1)", err), 0);
	/* precedence: && binds tighter than || */
	EXPECT_INT(cond("1 || 0 && 0", err), 1);
	EXPECT_INT(cond("(1 || 0) && 0", err), 0);
	EXPECT_INT(cond("0 && 1 || 1", err), 1);
	EXPECT_INT(cond("feature(LUA) && (streq(a,b) || defined(RP_T_YES))", err), 1);
	EXPECT_INT(cond("\"${RP_T_UNSET}\"", err), 0);
	/* errors, HAProxy's words */
	EXPECT_INT(cond("yes", err), -1);
	EXPECT(strstr(err, "unparsable conditional expression 'yes' in '.if' at position 1:") != NULL);
	EXPECT_INT(cond("1 &&", err), -1);
	EXPECT(strstr(err, "unparsable conditional expression '&&' in '.if' at position 3:") != NULL);
	EXPECT_INT(cond("(1", err), -1);
	EXPECT(strstr(err, "expected ')' after conditional expression '(1' in '.if' at position 1:") != NULL);
	EXPECT_INT(cond("streq(a)", err), -1);
	EXPECT(strstr(err, "missing arguments (got 1/2), type 'string' expected in argument 1 of predicate 'streq'") != NULL);
	EXPECT_INT(cond("foo(x)", err), -1);
	EXPECT_INT(cond("defined(a,b)", err), -1);
	EXPECT_INT(cond("version_atleast(x.y)", err), -1);
}

static void t_cond_blocks(void)
{
	struct config cfg;
	setenv("RP_T_YES", "yes", 1);
	EXPECT_PARSE(&cfg,
		"global\n"
		".if streq(\"$RP_T_YES\",yes)\n"
		"  maxconn 10\n"
		"  .if 0\n"
		"    maxconn 11\n"
		"  .elif 1\n"
		"    pidfile /a\n"
		"  .else\n"
		"    pidfile /b\n"
		"  .endif\n"
		".elif 1\n"
		"  maxconn 12\n"
		".else\n"
		"  maxconn 13\n"
		"  .if yes-this-is-not-evaluated\n"
		"  .endif\n"
		".endif\n"
		".if 0\n"
		"  bogus keyword never parsed\n"
		".endif\n"
		".notice \"hello\"\n"
		".warning \"careful\"\n"
		".if 0\n"
		".alert \"not reached\"\n"
		".endif\n", 0);
	EXPECT_INT(cfg.g.maxconn, 10);
	EXPECT_STR(cfg.g.pidfile, "/a");
	EXPECT_OUT("[NOTICE]   (");
	EXPECT_OUT("config : parsing [t.cfg:21]: 'hello'.\n");
	EXPECT_OUT("[WARNING]  (");
	EXPECT_OUT("config : parsing [t.cfg:22]: 'careful'.\n");
	EXPECT_NO_OUT("not reached");
	cfg_free(&cfg);

	expect_error(".alert \"boom\"\n", "config : parsing [t.cfg:1]: 'boom'.");
	expect_error(".else\n", "config : parsing [t.cfg:1]: lone '.else' with no matching '.if'.");
	expect_error(".endif\n", "config : parsing [t.cfg:1]: lone '.endif' with no matching '.if'.");
	expect_error(".elif 1\n", "config : parsing [t.cfg:1]: lone '.elif' with no matching '.if'.");
	expect_error(".foo\n", "config : parsing [t.cfg:1]: unknown directive '.foo'.");
	expect_error("\n.if 1\nglobal\n", "config : parsing [t.cfg:2]: non-terminated '.if' block.");
	expect_error(".if 1\n.else\n.else\n.endif\n", "config : parsing [t.cfg:3]: '.else' after '.else' is not permitted.");
	expect_error(".if 1\n.else\n.elif 1\n.endif\n", "config : parsing [t.cfg:3]: '.elif' after '.else' is not permitted.");
	expect_error(".if yes\n.endif\n", "config : parsing [t.cfg:1]: unparsable conditional expression 'yes' in '.if' at position 1:\n  .if yes\n      ^");
	/* a block left open in one file does not leak into the next parse */
	EXPECT_PARSE(&cfg, "global\n  maxconn 7\n", 0);
	EXPECT_INT(cfg.g.maxconn, 7);
	cfg_free(&cfg);
}

/* ---- files ---- */

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static void t_files_and_dir(void)
{
	char dir[] = "/tmp/rp_cfg_test.XXXXXX", p1[128], p2[128], p3[128], p4[128], p5[128];
	struct config cfg;

	if (!mkdtemp(dir)) {
		SKIP("cannot create a temporary directory");
		return;
	}
	snprintf(p1, sizeof(p1), "%s/20-backend.cfg", dir);
	snprintf(p2, sizeof(p2), "%s/10-global.cfg", dir);
	snprintf(p3, sizeof(p3), "%s/30-ignored.conf", dir);
	snprintf(p4, sizeof(p4), "%s/single.cfg", dir);
	snprintf(p5, sizeof(p5), "%s/bad.cfg", dir);
	write_file(p2, "global\n  maxconn 77\ndefaults\n  timeout client 1s\n  timeout connect 1s\n  timeout server 1s\n");
	write_file(p1, "backend b\n  server s 127.0.0.1:1\n");
	write_file(p3, "this is not a config\n");

	/* a directory: *.cfg only, lexical order (global first, so defaults apply) */
	char *paths[] = { dir, NULL };
	EXPECT_PARSE_FILES(&cfg, paths, 0);
	EXPECT_INT(cfg.g.maxconn, 77);
	EXPECT(cfg.proxies && cfg.proxies->to.server == 1000);
	EXPECT(cfg.proxies && !strcmp(cfg.proxies->srv->file, p1));
	cfg_free(&cfg);

	/* several files: sections continue across them, defaults too */
	write_file(p4, "frontend f\n  bind :1\n  default_backend b\n");
	char *paths2[] = { p2, p1, p4, NULL };
	EXPECT_PARSE_FILES(&cfg, paths2, 0);
	struct proxy *f = proxy_find(&cfg, "f", PX_CAP_FE);
	EXPECT(f && f->defbe && !strcmp(f->defbe->name, "b"));
	EXPECT(f && f->to.client == 1000);
	cfg_free(&cfg);

	/* errors name their file */
	write_file(p5, "global\n\n  bogus\n");
	char *paths3[] = { p2, p5, NULL };
	EXPECT(parse_files(&cfg, paths3) == 1);
	char want[300];
	snprintf(want, sizeof(want), "parsing [%s:3] : unknown keyword 'bogus' in 'global' section", p5);
	EXPECT_OUT(want);
	snprintf(want, sizeof(want), "Error(s) found in configuration file : %s", p5);
	EXPECT_OUT(want);
	cfg_free(&cfg);

	/* a missing file */
	char *paths4[] = { "/nonexistent/x.cfg", NULL };
	EXPECT_PARSE_FILES(&cfg, paths4, 1);
	EXPECT_OUT("config : Cannot open configuration file/directory /nonexistent/x.cfg : No such file or directory");
	cfg_free(&cfg);

	unlink(p1); unlink(p2); unlink(p3); unlink(p4); unlink(p5);
	rmdir(dir);
}

static void t_long_env_value(void)
{
	struct config cfg;
	char *big = malloc(20001);
	memset(big, 'x', 20000);
	big[20000] = 0;
	setenv("RP_T_BIG", big, 1);
	EXPECT_PARSE(&cfg, "global\n  description \"${RP_T_BIG}\"\n", 0);
	EXPECT(cfg.g.desc && strlen(cfg.g.desc) == 20000);
	cfg_free(&cfg);
	unsetenv("RP_T_BIG");
	free(big);
}

static void t_crlf_and_blank(void)
{
	struct config cfg;
	EXPECT_PARSE(&cfg, "global\r\n\tmaxconn 5\r\n\r\n   \n\"\" ignored\n", 0);
	EXPECT_INT(cfg.g.maxconn, 5);
	cfg_free(&cfg);
}

/* "option httpchk" and "http-check" reach check_cfg.c, and a backend
 * inherits them from its defaults section. */
static void t_http_checks(void)
{
	struct config cfg;

	char text[512];

	snprintf(text, sizeof(text), "defaults\n%s  option httpchk GET /health\n  http-check expect status 200\n"
	         "backend b\n  server s1 127.0.0.1:80 check\n", TO);
	EXPECT_PARSE(&cfg, text, 0);
	EXPECT(cfg.proxies && (cfg.proxies->options & PXO_HTTPCHK));
	/* the backend declares none: it runs its defaults' HTTP check (check_http.c) */
	EXPECT(cfg.proxies && cfg.proxies->from && cfg.proxies->from->check_rules);
	cfg_free(&cfg);
	expect_error("backend b\n  http-check expect\n", "http-check");
}

int main(void)
{
	RUN(t_tok_basic);
	RUN(t_ring_min_wait);
	RUN(t_tok_escapes_quotes);
	RUN(t_tok_env);
	RUN(t_tok_errors);
	RUN(t_tok_errors_in_file);
	RUN(t_time);
	RUN(t_size);
	RUN(t_addr);
	RUN(t_global_values);
	RUN(t_global_defaults);
	RUN(t_global_not_applied_notice);
	RUN(t_global_log);
	RUN(t_global_errors);
	RUN(t_global_noeffect_notice);
	RUN(t_global_keyword_classes);
	RUN(t_unsupported_sections);
	RUN(t_debian_default);
	RUN(t_proxy_basic);
	RUN(t_proxy_default_server);
	RUN(t_proxy_inheritance);
	RUN(t_proxy_options);
	RUN(t_every_option);
	RUN(t_proxy_balance);
	RUN(t_proxy_errors);
	RUN(t_bind_errors);
	RUN(t_bind_options);
	RUN(t_server_errors);
	RUN(t_resolve);
	RUN(t_log_keywords);
	RUN(t_log_format_last_wins);
	RUN(t_http_options_in_tcp);
	RUN(t_splice_keywords);
	RUN(t_proxy_backlog);
	RUN(t_errorfile_and_noeffect);
	RUN(t_capability_warnings);
	RUN(t_cond_eval);
	RUN(t_cond_blocks);
	RUN(t_files_and_dir);
	RUN(t_crlf_and_blank);
	RUN(t_long_env_value);
	RUN(t_http_checks);
	return unit_end();
}
