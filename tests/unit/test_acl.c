/* test_acl.c: the "acl" keyword, predefined ACLs and conditions
 * (engine/acl.c): parsing errors with HAProxy's messages, and truth tables
 * of conditions evaluated on a stream whose request channel we fill. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <unistd.h>
#include "tests/unit/unit.h"
#include "engine/acl.h"
#include "engine/cfg.h"
#include "engine/chan.h"
#include "engine/pattern.h"
#include "engine/stream.h"

static struct config cfg;
static struct proxy px;
static struct cfg_ctx ctx;
static struct chan_pool pool;
static struct stream strm;

static void setup(void)
{
	acl_list_free(px.acls);
	memset(&px, 0, sizeof(px));
	px.name = "fe";
	px.cap = PX_CAP_FE;
	memset(&ctx, 0, sizeof(ctx));
	ctx.cfg = &cfg;
	ctx.file = "t.cfg";
	ctx.line = 1;
	ctx.sec = CFG_SEC_FRONTEND;
	ctx.px = &px;
	chan_reset(&strm.req);
	strm.fe = strm.be = &px;
	strm.req.flags = 0;
	struct sockaddr_in *in = &strm.cli_addr.u.in4;
	in->sin_family = AF_INET;
	in->sin_port = htons(40000);
	inet_pton(AF_INET, "127.0.0.1", &in->sin_addr);
	strm.cli_addr.len = sizeof(*in);
}

/* Splits <line> (modified copy) into words. Returns the count. */
static int split(char *buf, size_t sz, const char *line, char **args)
{
	int n = 0;
	snprintf(buf, sz, "%s", line);
	for (char *s = strtok(buf, " "); s && n < 63; s = strtok(NULL, " "))
		args[n++] = s;
	return n;
}

/* Runs the "acl" keyword on <line>. Returns its result; c->err holds the message. */
static int acl_line(const char *line)
{
	char buf[1024], *args[64];
	int n = split(buf, sizeof(buf), line, args);
	ctx.err[0] = 0;
	return acl_cfg_parse(&ctx, args, n);
}

static struct acl_cond *cond(const char *line)
{
	char buf[1024], *args[64];
	int n = split(buf, sizeof(buf), line, args);
	ctx.err[0] = 0;
	return acl_cond_parse(&ctx, args, n);
}

/* Evaluates condition <line> once; returns ACL_* or -1 if it did not parse. */
static int eval(const char *line, int final)
{
	struct acl_cond *c = cond(line);
	if (!c)
		return -1;
	struct smp_ctx sc = { .strm = &strm, .px = &px, .dir = SMP_DIR_REQ, .final = final };
	int r = acl_cond_exec(c, &sc);
	acl_cond_free(c);
	return r;
}

static void t_parse_errors(void)
{
	setup();
	EXPECT_INT(acl_line("acl a src 1.2.3.4/40"), -1);
	EXPECT_STR(ctx.err, "error detected while parsing ACL 'a' : '1.2.3.4/40' is not a valid IPv4 or IPv6 address.");
	EXPECT_INT(acl_line("acl b dst_port abc"), -1);
	EXPECT_STR(ctx.err, "error detected while parsing ACL 'b' : 'abc' is not a number.");
	EXPECT_INT(acl_line("acl d src -m foo x"), -1);
	EXPECT_STR(ctx.err, "error detected while parsing ACL 'd' : unknown matching method 'foo' when parsing ACL expression.");
	EXPECT_INT(acl_line("acl e src -f /nonexist"), -1);
	EXPECT_STR(ctx.err, "error detected while parsing ACL 'e' : failed to open pattern file </nonexist>.");
	EXPECT_INT(acl_line("acl f src -z x"), -1);
	EXPECT_STR(ctx.err, "error detected while parsing ACL 'f' : '-z' is not a valid ACL option. Please use '--' before any pattern beginning with a '-'.");
	EXPECT_INT(acl_line("acl g nosuchfetch x"), -1);
	EXPECT_STR(ctx.err, "error detected while parsing ACL 'g' : unknown fetch method 'nosuchfetch' in ACL expression 'nosuchfetch'.");
	EXPECT_INT(acl_line("acl h"), -1);
	EXPECT_STR(ctx.err, "error detected while parsing ACL 'h' : missing fetch method in ACL expression ''.");
	EXPECT_INT(acl_line("acl i%x src 1.2.3.4"), -1);
	EXPECT_STR(ctx.err, "character '%' is not permitted in acl name 'i%x'.");
	EXPECT_INT(acl_line("acl m src -- -1.2.3.4"), -1);
	EXPECT_STR(ctx.err, "error detected while parsing ACL 'm' : '-1.2.3.4' is not a valid IPv4 or IPv6 address.");
	EXPECT_INT(acl_line("acl h req.payload(0,3) 414243"), -1);
	EXPECT_STR(ctx.err, "error detected while parsing ACL 'h' : matching method must be specified first (using '-m') when using a sample fetch of this type ('req.payload').");
	EXPECT_INT(acl_line("acl r str(x) -m reg ("), -1);
	EXPECT(strncmp(ctx.err, "error detected while parsing ACL 'r' : regex '(' is invalid", 59) == 0);
	EXPECT_INT(acl_line("acl a2 src -f"), -1);
	EXPECT_STR(ctx.err, "error detected while parsing ACL 'a2' : failed to open pattern file <>.");
	EXPECT_INT(acl_line("acl b2 src -m"), -1);
	EXPECT_STR(ctx.err, "error detected while parsing ACL 'b2' : unknown matching method '' when parsing ACL expression.");
	EXPECT_INT(acl_line("acl g2 req.len -m int abc:"), -1);
	EXPECT_STR(ctx.err, "error detected while parsing ACL 'g2' : 'abc:' is not a valid number range.");
	EXPECT_INT(acl_line("acl d2 src 1.2.3.4 -i"), -1);
	EXPECT_STR(ctx.err, "error detected while parsing ACL 'd2' : '-i' is not a valid IPv4 or IPv6 address.");
	/* the errors created no ACL */
	EXPECT(cond("if a") == NULL);
	EXPECT_STR(ctx.err, "no such ACL : 'a'");
	/* valid lines */
	EXPECT_INT(acl_line("acl ok src 10.0.0.0/8 127.0.0.1"), 0);
	EXPECT_INT(acl_line("acl ok2 src -m found"), 0);
	EXPECT_INT(acl_line("acl ok3 req.len gt 0 lt 5"), 0);
	EXPECT_INT(acl_line("acl ok4 str(x) --"), 0);
	/* in an anonymous defaults section (a named one may hold ACLs) */
	ctx.sec = CFG_SEC_DEFAULTS;
	px.name = NULL;
	EXPECT_INT(acl_line("acl x always_true"), -1);
	EXPECT_STR(ctx.err, "'acl' not allowed in anonymous 'defaults' section.");
	px.name = "named";
	EXPECT_INT(acl_line("acl x always_true"), 0);
	px.name = "fe";
	ctx.sec = CFG_SEC_FRONTEND;
}

static void t_cond_errors(void)
{
	setup();
	EXPECT(cond("if foo") == NULL);
	EXPECT_STR(ctx.err, "no such ACL : 'foo'");
	EXPECT(cond("if { src 1.2.3.4") == NULL);
	EXPECT_STR(ctx.err, "missing closing '}' in condition");
	EXPECT(cond("if }") == NULL);
	EXPECT_STR(ctx.err, "no such ACL : '}'");
	EXPECT(cond("if { nosuch x }") == NULL);
	EXPECT_STR(ctx.err, "unknown fetch method 'nosuch' in ACL expression 'nosuch'");
	EXPECT(cond("if { }") == NULL);
	EXPECT_STR(ctx.err, "missing fetch method in ACL expression ''");
	EXPECT(cond("if { src { }") == NULL);
	EXPECT_STR(ctx.err, "'{' is not a valid IPv4 or IPv6 address");
	/* accepted as HAProxy accepts them */
	struct acl_cond *c = cond("if TRUE ||");
	EXPECT(c != NULL);
	acl_cond_free(c);
	c = cond("if !TRUE or or FALSE");
	EXPECT(c != NULL);
	acl_cond_free(c);
}

static void t_truth_tables(void)
{
	setup();
	EXPECT_INT(acl_line("acl yes always_true"), 0);
	EXPECT_INT(acl_line("acl no always_false"), 0);
	const struct { const char *c; int want; } tt[] = {
		{ "if yes", ACL_TRUE },           { "if no", ACL_FALSE },
		{ "unless yes", ACL_FALSE },      { "unless no", ACL_TRUE },
		{ "if ! yes", ACL_FALSE },        { "if !no", ACL_TRUE },
		{ "if yes no", ACL_FALSE },       { "if yes yes", ACL_TRUE },
		{ "if no || yes", ACL_TRUE },     { "if no or no", ACL_FALSE },
		{ "if yes no || no", ACL_FALSE }, { "if no yes || yes yes", ACL_TRUE },
		{ "if TRUE", ACL_TRUE },          { "if FALSE", ACL_FALSE },
		{ "if TRUE !FALSE", ACL_TRUE },   { "unless TRUE || FALSE", ACL_FALSE },
		{ "if { always_true }", ACL_TRUE }, { "if ! { always_true }", ACL_FALSE },
		{ "if !{ always_true }", ACL_FALSE }, { "if ! ! TRUE", ACL_TRUE },
		{ "if !!FALSE", ACL_FALSE }, { "if", ACL_FALSE }, { "unless", ACL_TRUE },
		{ "if { int(5) 5 } { str(ab) ab }", ACL_TRUE },
		{ "if { int(5) 6 } || { str(ab) -m beg a }", ACL_TRUE },
		{ "if { int(5) gt 5 }", ACL_FALSE }, { "if { int(5) ge 5 }", ACL_TRUE },
		{ "if { int(5) lt 5 }", ACL_FALSE }, { "if { int(5) le 5 }", ACL_TRUE },
		{ "if { int(5) eq 4 6 }", ACL_FALSE }, { "if { int(5) 1:4 5: }", ACL_TRUE },
		{ "if { str(ABC) abc }", ACL_FALSE }, { "if { str(ABC) -i abc }", ACL_TRUE },
		{ "if { str(hello) -m sub ell }", ACL_TRUE }, { "if { str(hello) -m end llo }", ACL_TRUE },
		{ "if { str(hello) -m len 5 }", ACL_TRUE }, { "if { str(hello) -m reg ^h.*o$ }", ACL_TRUE },
		{ "if { str(a.b.c) -m dom b }", ACL_TRUE }, { "if { str(/a/b/c) -m dir b }", ACL_TRUE },
		{ "if { str(x) -m found }", ACL_TRUE }, { "if { int(0) -m bool }", ACL_FALSE },
		{ "if { int(3) -m bool }", ACL_TRUE }, { "if { str(x) -m str }", ACL_FALSE },
		{ "if LOCALHOST", ACL_TRUE },      { "if { src 10.0.0.0/8 }", ACL_FALSE },
		{ "if { src 127.0.0.0/8 }", ACL_TRUE }, { "if { src_port 40000 }", ACL_TRUE },
	};
	for (size_t i = 0; i < sizeof(tt) / sizeof(tt[0]); i++) {
		int r = eval(tt[i].c, 1);
		if (r != tt[i].want) {
			char m[512];
			snprintf(m, sizeof(m), "'%s' gave %d, expected %d (%.100s)", tt[i].c, r, tt[i].want, ctx.err);
			unit_fail(m, __FILE__, __LINE__);
		}
	}
}

static void t_same_name_or(void)
{
	setup();
	EXPECT_INT(acl_line("acl multi int(5) 1"), 0);
	EXPECT_INT(acl_line("acl multi int(5) 5"), 0);
	EXPECT_INT(eval("if multi", 1), ACL_TRUE);
	EXPECT_INT(acl_line("acl multi2 int(5) 1"), 0);
	EXPECT_INT(acl_line("acl multi2 str(x) y"), 0);
	EXPECT_INT(eval("if multi2", 1), ACL_FALSE);
}

static void t_missing_data(void)
{
	setup();
	/* empty request, not final: req.len may still grow -> MISS */
	EXPECT_INT(eval("if REQ_CONTENT", 0), ACL_MISS);
	EXPECT_INT(eval("if REQ_CONTENT", 1), ACL_FALSE);
	EXPECT_INT(eval("unless REQ_CONTENT", 0), ACL_MISS);
	EXPECT_INT(eval("if WAIT_END", 0), ACL_MISS);
	EXPECT_INT(eval("if WAIT_END", 1), ACL_TRUE);
	/* a false term before a MISS one makes the suite false at once */
	EXPECT_INT(eval("if FALSE REQ_CONTENT", 0), ACL_FALSE);
	/* and a MISS term stops the suite too: a later false term does not
	 * make it false (HAProxy waits here; checked against /usr/sbin/haproxy) */
	EXPECT_INT(eval("if REQ_CONTENT FALSE", 0), ACL_MISS);
	EXPECT_INT(eval("if REQ_CONTENT FALSE", 1), ACL_FALSE);
	/* a true suite wins over a missing one */
	EXPECT_INT(eval("if REQ_CONTENT || TRUE", 0), ACL_TRUE);
	EXPECT_INT(eval("if { req.len gt 3 }", 0), ACL_MISS);
	EXPECT_INT(chan_put_data(&strm.req, "hello", 5), 0);
	EXPECT_INT(eval("if REQ_CONTENT", 0), ACL_TRUE);
	EXPECT_INT(eval("if { req.len gt 3 }", 0), ACL_TRUE);
	EXPECT_INT(eval("if { req.len gt 10 }", 0), ACL_MISS);
	EXPECT_INT(eval("if { req.len gt 10 }", 1), ACL_FALSE);
	EXPECT_INT(eval("if { req.payload(0,5) -m str hello }", 0), ACL_TRUE);
	EXPECT_INT(eval("if { req.payload(0,3) -m bin 68656c }", 0), ACL_TRUE);
	/* the client closed: no more data, not missing any more */
	strm.req.flags |= CHAN_SHUTR;
	EXPECT_INT(eval("if { req.len gt 10 }", 0), ACL_FALSE);
	strm.req.flags = 0;
}

/* A fetch returning "a", "b", "c" in turn (SMP_F_NOT_LAST), as a header
 * with several occurrences does. */
static int calls_multi;
static int f_multi(const struct arg *args, struct sample *smp, struct smp_ctx *sc)
{
	static const char *const v[] = { "a", "b", "c" };
	(void)args;
	calls_multi++;
	if (!sc->iterate) {             /* outside ACLs: the last value only */
		smp_set_const_str(smp, v[2], 1);
		return 1;
	}
	if (sc->iter >= 3)
		return 0;
	smp_set_const_str(smp, v[sc->iter], 1);
	if (++sc->iter < 3)
		smp->flags |= SMP_F_NOT_LAST;
	return 1;
}

static void t_multi_values(void)
{
	static const struct sample_fetch multi = { "test.multi", f_multi, ARG0, 0, SMP_T_STR, SMP_USE_INT, NULL };
	setup();
	if (!sample_fetch_find("test.multi", 10))
		EXPECT_INT(sample_register_fetch(&multi), 0);
	calls_multi = 0;
	EXPECT_INT(eval("if { test.multi b }", 1), ACL_TRUE);
	EXPECT_INT(calls_multi, 2);                   /* stops at the match */
	EXPECT_INT(eval("if { test.multi c }", 1), ACL_TRUE);
	EXPECT_INT(eval("if { test.multi d }", 1), ACL_FALSE);
	EXPECT_INT(eval("if { test.multi,upper -m str C }", 1), ACL_TRUE);   /* converters keep NOT_LAST */
	EXPECT_INT(eval("if { test.multi -m beg a }", 1), ACL_TRUE);
	EXPECT_INT(eval("if ! { test.multi b }", 1), ACL_FALSE);
	/* the evaluation context is left as found: not iterating */
	struct smp_ctx sc = { .strm = &strm, .px = &px, .final = 1 };
	struct acl_cond *c = cond("if { test.multi a }");
	EXPECT(c && acl_cond_exec(c, &sc) == ACL_TRUE && !sc.iterate);
	acl_cond_free(c);
}

/* IPv6 clients: LOCALHOST holds ::1, and v4-mapped addresses match the
 * IPv4 networks. */
static void t_ipv6_client(void)
{
	static const struct { const char *addr; int want; } cases[] = {
		{ "::1", ACL_TRUE }, { "::ffff:127.0.0.9", ACL_TRUE },
		{ "2001:db8::1", ACL_FALSE }, { "::2", ACL_FALSE },
	};
	setup();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sockaddr_in6 *in6 = &strm.cli_addr.u.in6;
		memset(in6, 0, sizeof(*in6));
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(40000);
		EXPECT_INT(inet_pton(AF_INET6, cases[i].addr, &in6->sin6_addr), 1);
		strm.cli_addr.len = sizeof(*in6);
		int r = eval("if LOCALHOST", 1);
		if (r != cases[i].want) {
			char m[128];
			snprintf(m, sizeof(m), "LOCALHOST for %s gave %d", cases[i].addr, r);
			unit_fail(m, __FILE__, __LINE__);
		}
	}
	EXPECT_INT(eval("if { src 2001:db8::/32 }", 1), ACL_FALSE);
	inet_pton(AF_INET6, "2001:db8:5::7", &strm.cli_addr.u.in6.sin6_addr);
	EXPECT_INT(eval("if { src 2001:db8::/32 }", 1), ACL_TRUE);
	EXPECT_INT(eval("if { src 10.0.0.0/8 }", 1), ACL_FALSE);
	setup();
}

static void t_predefined_http(void)
{
	setup();
	struct acl_cond *c = cond("if HTTP");
	if (!c) {
		/* before the HTTP fetches exist: a clear error */
		EXPECT_STR(ctx.err, "predefined ACL 'HTTP' needs the fetch 'req.proto_http', which is not available");
		return;
	}
	acl_cond_free(c);
	/* with them: HTTP is true on an HTTP request, false on other bytes */
	EXPECT_INT(chan_put_data(&strm.req, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 27), 0);
	EXPECT_INT(eval("if HTTP", 1), ACL_TRUE);
	chan_reset(&strm.req);
	EXPECT_INT(chan_put_data(&strm.req, "\x16\x03\x01\x00\x05hello", 10), 0);
	EXPECT_INT(eval("if HTTP", 1), ACL_FALSE);
	chan_reset(&strm.req);
}

static void t_files(void)
{
	char path[] = "/tmp/rp_test_acl_XXXXXX";
	int fd = mkstemp(path);
	const char *text = "# blocked networks\n10.0.0.0/8\n  127.0.0.2\n";
	EXPECT_INT(write(fd, text, strlen(text)), strlen(text));
	close(fd);
	setup();
	char line[256];
	snprintf(line, sizeof(line), "acl blocked src -f %s 192.168.0.0/16", path);
	EXPECT_INT(acl_line(line), 0);
	EXPECT_INT(eval("if blocked", 1), ACL_FALSE);
	inet_pton(AF_INET, "10.1.2.3", &strm.cli_addr.u.in4.sin_addr);
	EXPECT_INT(eval("if blocked", 1), ACL_TRUE);
	inet_pton(AF_INET, "192.168.7.7", &strm.cli_addr.u.in4.sin_addr);
	EXPECT_INT(eval("if blocked", 1), ACL_TRUE);
	inet_pton(AF_INET, "127.0.0.2", &strm.cli_addr.u.in4.sin_addr);
	EXPECT_INT(eval("if blocked", 1), ACL_TRUE);
	/* core.add_acl / del_acl reach the same list */
	inet_pton(AF_INET, "8.8.8.8", &strm.cli_addr.u.in4.sin_addr);
	EXPECT_INT(eval("if blocked", 1), ACL_FALSE);
	struct pat_list *l = pat_list_find(path);
	EXPECT(l != NULL);
	if (l) {
		EXPECT_INT(pat_list_add(l, "8.8.8.0/24", NULL), 0);
		EXPECT_INT(eval("if blocked", 1), ACL_TRUE);
		EXPECT_INT(pat_list_del(l, "8.8.8.0/24"), 1);
		EXPECT_INT(eval("if blocked", 1), ACL_FALSE);
	}
	/* the management socket's view: ids in creation order, descriptions */
	struct pat_list *fl = pat_list_lookup(path);
	EXPECT(fl != NULL && fl == pat_list_find(path));
	if (fl) {
		char ref[32], want[512];
		snprintf(ref, sizeof(ref), "#%u", pat_list_id(fl));
		EXPECT(pat_list_lookup(ref) == fl);
		snprintf(want, sizeof(want), "pattern loaded from file '%s' used by acl at file 't.cfg' line 1", path);
		EXPECT_STR(pat_list_desc(fl), want);
		/* the inline list "192.168.0.0/16" comes right after the file */
		snprintf(ref, sizeof(ref), "#%u", pat_list_id(fl) + 1);
		struct pat_list *il = pat_list_lookup(ref);
		EXPECT(il != NULL);
		EXPECT_STR(il ? pat_list_desc(il) : NULL, "acl 'src' file 't.cfg' line 1");
		EXPECT_INT(il ? pat_list_count(il) : 0, 1);
		EXPECT(il && pat_list_first_expr(il) && pat_expr_kind(pat_list_first_expr(il)) == PAT_MATCH_IP);
		/* "add acl #<id>" reaches the inline patterns too */
		inet_pton(AF_INET, "9.9.9.9", &strm.cli_addr.u.in4.sin_addr);
		EXPECT_INT(eval("if blocked", 1), ACL_FALSE);
		EXPECT_INT(il ? pat_list_add(il, "9.9.9.9", NULL) : -1, 0);
		EXPECT_INT(eval("if blocked", 1), ACL_TRUE);
	}
	EXPECT(pat_list_lookup("#999999") == NULL);
	EXPECT(pat_list_lookup("#x") == NULL);
	/* a second ACL on the same file with another kind */
	snprintf(line, sizeof(line), "acl blk_str str(10.0.0.0/8) -f %s", path);
	EXPECT_INT(acl_line(line), 0);
	EXPECT_INT(eval("if blk_str", 1), ACL_TRUE);
	unlink(path);
}

/* Random word soup: every line either parses, or fails with a message;
 * parsed conditions evaluate to one of the three results. No crash, no
 * leak (run under ASan by the sanitizer build). */
static void t_garbage(void)
{
	static const char *const words[] = {
		"{", "}", "!", "!{", "||", "or", "src", "-m", "-f", "-i", "--", "-u", "-n",
		"str(x)", "1.2.3.4", "10.0.0.0/8", "gt", "lt", "5", "3:", ":2", "reg", "beg",
		"int", "ip", "found", "bool", "len", "(", "^a", "TRUE", "FALSE", "REQ_CONTENT",
		"WAIT_END", "LOCALHOST", "HTTP", "a", "b", "int(1)", "req.len", "-M", "", "x",
		"req.payload(0,2)", "bin", "6162", "str(ab),lower", "nosuch", "str(", "if",
	};
	const size_t nw = sizeof(words) / sizeof(words[0]);
	unsigned seed = 12345;
	int parsed = 0, failed = 0;

	setup();
	EXPECT_INT(acl_line("acl a always_true"), 0);
	EXPECT_INT(acl_line("acl b str(x) x"), 0);
	for (int iter = 0; iter < 20000; iter++) {
		char line[512] = "", *args[64];
		int n = 1 + (seed = seed * 1103515245 + 12345) % 9;
		size_t len = 0;
		args[0] = NULL;
		len += snprintf(line + len, sizeof(line) - len, "%s", (iter & 1) ? "if" : "acl z");
		for (int i = 0; i < n; i++) {
			seed = seed * 1103515245 + 12345;
			len += snprintf(line + len, sizeof(line) - len, " %s", words[(seed >> 8) % nw]);
		}
		char buf[512];
		int na = split(buf, sizeof(buf), line, args);
		ctx.err[0] = 0;
		if (iter & 1) {
			struct acl_cond *c = acl_cond_parse(&ctx, args, na);
			if (c) {
				struct smp_ctx sc = { .strm = &strm, .px = &px, .final = seed & 1 };
				int r = acl_cond_exec(c, &sc);
				EXPECT(r == ACL_TRUE || r == ACL_FALSE || r == ACL_MISS);
				acl_cond_free(c);
				parsed++;
			} else {
				EXPECT(ctx.err[0] != 0);
				failed++;
			}
		} else {
			if (acl_cfg_parse(&ctx, args, na) == 0)
				parsed++;
			else {
				EXPECT(ctx.err[0] != 0);
				failed++;
			}
		}
	}
	EXPECT(parsed > 100);
	EXPECT(failed > 100);
}

/* The whole chain through the configuration parser: [ALERT] lines. */
static void t_cfg_alerts(void)
{
	char errpath[] = "/tmp/rp_test_acl_err_XXXXXX";
	int efd = mkstemp(errpath), saved = dup(2);
	const char *conf =
		"defaults\n"
		"  mode tcp\n"
		"  timeout client 1s\n  timeout server 1s\n  timeout connect 1s\n"
		"frontend fe\n"
		"  bind 127.0.0.1:0\n"
		"  acl a src 1.2.3.4/40\n"
		"  acl ok src 1.2.3.4\n"
		"  tcp-request content reject if nosuch\n"
		"  default_backend be\n"
		"backend be\n"
		"  server s 127.0.0.1:1\n";
	struct config c2;
	memset(&c2, 0, sizeof(c2));
	dup2(efd, 2);
	int errors = cfg_parse_string(&c2, "t.cfg", conf);
	dup2(saved, 2);
	close(saved);
	char out[4096] = "";
	lseek(efd, 0, SEEK_SET);
	ssize_t n = read(efd, out, sizeof(out) - 1);
	out[n > 0 ? n : 0] = 0;
	close(efd);
	unlink(errpath);
	EXPECT(errors >= 2);
	EXPECT(strstr(out, "[ALERT]") != NULL);
	EXPECT(strstr(out, ": config : parsing [t.cfg:8] : error detected while parsing ACL 'a' : '1.2.3.4/40' is not a valid IPv4 or IPv6 address.") != NULL);
	EXPECT(strstr(out, ": config : parsing [t.cfg:10] : 'tcp-request content reject' : error detected in frontend 'fe' while parsing 'if' condition : no such ACL : 'nosuch'") != NULL);
	if (unit_case_failed)
		printf("%s", out);
	cfg_free(&c2);
}

int main(void)
{
	chan_pool_init(&pool, 16384, NULL, NULL);
	chan_init(&strm.req, &pool, 65536);
	chan_init(&strm.res, &pool, 65536);
	RUN(t_parse_errors);
	RUN(t_cond_errors);
	RUN(t_truth_tables);
	RUN(t_same_name_or);
	RUN(t_missing_data);
	RUN(t_multi_values);
	RUN(t_ipv6_client);
	RUN(t_predefined_http);
	RUN(t_files);
	RUN(t_cfg_alerts);
	{
		/* silence the expected warnings of the word soup */
		int saved = dup(2), null = open("/dev/null", O_WRONLY);
		dup2(null, 2);
		RUN(t_garbage);
		dup2(saved, 2);
		close(null);
		close(saved);
	}
	chan_reset(&strm.req);
	acl_list_free(px.acls);
	pat_list_free_all();
	return unit_end();
}
