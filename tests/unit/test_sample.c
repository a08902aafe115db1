/* test_sample.c: the registry, argument parsing (quotes, escapes, types,
 * counts), expression parsing with HAProxy 2.6's exact error messages,
 * casts between sample types, and name resolution of proxy arguments. */
#include <errno.h>
#include <arpa/inet.h>
#include "tests/unit/unit.h"
#include "engine/sample.h"
#include "engine/proxy.h"
#include "engine/stream.h"

/* Returns the parse error of <expr> (or "" when it parses). */
static const char *perr(const char *expr)
{
	static char err[1024];
	struct sample_expr *e = sample_expr_parse(expr, NULL, NULL, err, sizeof(err));

	if (e) {
		sample_expr_free(e);
		err[0] = 0;
	}
	return err;
}

/* Evaluates <expr> without a stream, cast to a string in <out>. */
static int ev(const char *expr, char *out, size_t n)
{
	char err[512];
	struct sample_expr *e = sample_expr_parse(expr, NULL, NULL, err, sizeof(err));
	struct smp_ctx ctx = { .final = 1 };
	struct sample smp = { 0 };
	int r;

	if (!e) {
		snprintf(out, n, "ERR %.200s", err);
		return -1;
	}
	r = sample_expr_eval(e, &ctx, &smp);
	if (r && sample_cast(&smp, SMP_T_STR))
		snprintf(out, n, "%.*s", (int)smp.u.str.len, smp.u.str.ptr);
	else
		out[0] = 0;
	sample_expr_free(e);
	return r;
}

static void t_registry_lookup(void)
{
	const struct sample_fetch *f = sample_fetch_find("src", 3);

	EXPECT(f && !strcmp(f->name, "src"));
	/* the length bounds the name: "src_port" cut at 3 is "src" */
	EXPECT(sample_fetch_find("src_port", 3) == f);
	EXPECT(sample_fetch_find("src_port", 8) && !strcmp(sample_fetch_find("src_port", 8)->name, "src_port"));
	EXPECT(sample_fetch_find("sr", 2) == NULL);
	EXPECT(sample_fetch_find("", 0) == NULL);
	EXPECT(sample_fetch_find("req.payload_lv", 14) != NULL);
	EXPECT(sample_conv_find("lower", 5) && sample_conv_find("lower", 5)->out == SMP_T_STR);
	EXPECT(sample_conv_find("set-var", 7) != NULL);
	EXPECT(sample_conv_find("nope", 4) == NULL);
	/* every table entry is found by its own name */
	for (const struct sample_fetch *t = smp_fetch_l4_table; t->name; t++)
		EXPECT(sample_fetch_find(t->name, strlen(t->name)) == t);
	for (const struct sample_conv *t = smp_conv_table; t->name; t++)
		EXPECT(sample_conv_find(t->name, strlen(t->name)) == t);
	for (const struct sample_conv *t = smp_conv_arith_table; t->name; t++)
		EXPECT(sample_conv_find(t->name, strlen(t->name)) == t);
	for (const struct sample_fetch *t = smp_fetch_payload_table; t->name; t++)
		EXPECT(sample_fetch_find(t->name, strlen(t->name)) == t);
}

static int lua_fetch(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	/* a registered fetch sees its priv */
	smp_set_sint(smp, *(const int *)ctx->priv + (args[0].type == ARGT_SINT ? args[0].u.sint : 0));
	return 1;
}

static int lua_conv(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	smp_set_sint(smp, smp->u.sint * *(const int *)ctx->priv);
	return 1;
}

static const int forty = 40, three = 3;
static const struct sample_fetch lf = { "lua.answer", lua_fetch, ARG1(0, SINT), NULL, SMP_T_SINT, SMP_USE_INT, &forty };
static const struct sample_conv lc = { "lua.triple", lua_conv, ARG0, NULL, SMP_T_SINT, SMP_T_SINT, &three };

struct walk { int n, last_is_lua, seen_src; };
static void walk_f(const struct sample_fetch *f, void *arg)
{
	struct walk *w = arg;

	w->n++;
	w->last_is_lua = !strcmp(f->name, "lua.answer");
	if (!strcmp(f->name, "src"))
		w->seen_src = 1;
}

static void t_registry_register(void)
{
	char out[64];
	struct walk w = { 0 };

	EXPECT_INT(sample_register_fetch(&lf), 0);
	EXPECT_INT(sample_register_fetch(&lf), -EEXIST);
	EXPECT_INT(sample_register_conv(&lc), 0);
	EXPECT_INT(sample_register_conv(&lc), -EEXIST);
	EXPECT(sample_fetch_find("lua.answer", 10) == &lf);
	EXPECT_INT(ev("lua.answer(2),lua.triple", out, sizeof(out)), 1);
	EXPECT_STR(out, "126");
	sample_fetch_foreach(walk_f, &w);
	EXPECT(w.seen_src);
	EXPECT(w.last_is_lua);            /* built-ins first, then additions */
	EXPECT(w.n > 30);
}

static void t_parse_errors(void)
{
	/* messages as HAProxy 2.6 prints them (haproxy -c) */
	EXPECT_STR(perr("foo"), "unknown fetch method 'foo'");
	EXPECT_STR(perr(""), "missing fetch method");
	EXPECT_STR(perr("src(1)"), "fetch method 'src' : expected ')' before '1)'");
	EXPECT_STR(perr("src("), "fetch method 'src' : expected ')'");
	EXPECT_STR(perr("src,lowerx"), "unknown converter 'lowerx'");
	EXPECT_STR(perr("str(a),field"), "invalid arg 1 in converter 'field' : expected type 'integer' at position 1, but got nothing");
	EXPECT_STR(perr("str(a),field(1,2,3,4)"), "invalid arg 3 in converter 'field' : expected ')' before ',4)'");
	EXPECT_STR(perr("str(a),field(x,2)"), "invalid arg 1 in converter 'field' : failed to parse 'x' as type 'integer' at position 1");
	EXPECT_STR(perr("str(a),lower("), "invalid arg 1 in converter 'lower' : expected ')'");
	EXPECT_STR(perr("str(a)lower"), "missing comma after fetch keyword 'str'");
	EXPECT_STR(perr("str(a),lower()x"), "missing comma after converter 'lower'");
	EXPECT_STR(perr("int(abc)"), "fetch method 'int' : failed to parse 'abc' as type 'integer' at position 1");
	EXPECT_STR(perr("str(a),add(foo.bar)"), "invalid args in converter 'add' : expects an integer or a variable name");
	EXPECT_STR(perr("str(a),ipmask(300)"), "invalid arg 1 in converter 'ipmask' : failed to parse '300' as type 'IPv4 mask' at position 1");
	EXPECT_STR(perr("var(zz.a)"), "invalid args in fetch method 'var' : invalid variable name 'zz.a'. A variable name must be start by its scope. "
	           "The scope can be 'proc', 'sess', 'txn', 'req', 'res' or 'check'");
	EXPECT_STR(perr("str(a,b)"), "fetch method 'str' : expected ')' before ',b)'");
	EXPECT_STR(perr("str(a),hex2i(1)"), "invalid arg 1 in converter 'hex2i' : expected ')' before '1)'");
	EXPECT_STR(perr("ipv4(1.2.3)"), "fetch method 'ipv4' : failed to parse '1.2.3' as type 'IPv4 address' at position 1");
	EXPECT_STR(perr("ipv6(zz)"), "fetch method 'ipv6' : failed to parse 'zz' as type 'IPv6 address' at position 1");
	EXPECT_STR(perr("bool(maybe)"), "invalid args in fetch method 'bool' : Expects 'true', 'false', '0' or '1'");
	EXPECT_STR(perr("uuid(3)"), "invalid args in fetch method 'uuid' : Unsupported UUID version: '3'");
	EXPECT_STR(perr("date(1,h)"), "invalid args in fetch method 'date' : expects 's', 'ms' or 'us', got 'h'");
	EXPECT_STR(perr("ipv6(::1),add(1)"), "converter 'add' cannot be applied");
	EXPECT_STR(perr("req.payload(0)"), "fetch method 'req.payload' : missing arguments (got 1/2), type 'integer' expected");
	EXPECT_STR(perr("var(txn.a-b)"), "invalid args in fetch method 'var' : invalid syntax at char '-b'");
	EXPECT_STR(perr("str(a),field(1,;,x)"), "invalid arg 3 in converter 'field' : failed to parse 'x' as type 'integer' at position 3");
	EXPECT_STR(perr("str(a),concat(a,b,c,d)"), "invalid arg 3 in converter 'concat' : expected ')' before ',d)'");
	EXPECT_STR(perr("var()"), "invalid args in fetch method 'var' : Empty variable name cannot be accepted");
	EXPECT_STR(perr("var(txn)"), "invalid args in fetch method 'var' : invalid variable name 'txn'. A variable name must be start by its scope. "
	           "The scope can be 'proc', 'sess', 'txn', 'req', 'res' or 'check'");
	EXPECT_STR(perr("var(txn.)"), "invalid args in fetch method 'var' : invalid variable name 'txn.'. A variable name must be start by its scope. "
	           "The scope can be 'proc', 'sess', 'txn', 'req', 'res' or 'check'");
	/* accepted forms */
	EXPECT_STR(perr("str(a),ltrim"), "");
	EXPECT_STR(perr("rand(-1)"), "");
	EXPECT_STR(perr("int(+5)"), "");
	EXPECT_STR(perr("int(-)"), "");
	EXPECT_STR(perr("str"), "");                /* empty mandatory string: "" */
	EXPECT_STR(perr("str()"), "");
	EXPECT_STR(perr("src()"), "");
	EXPECT_STR(perr("str(a),,lower"), "");       /* HAProxy skips extra commas */
	EXPECT_STR(perr("str(a),lower,"), "");
	EXPECT_STR(perr("env"), "");
}

static void t_parse_end(void)
{
	char err[256];
	const char *end = NULL;
	struct sample_expr *e;

	/* with <end>, parsing stops at the first character that cannot continue */
	e = sample_expr_parse("src,lower] rest", &end, NULL, err, sizeof(err));
	EXPECT(e != NULL);
	EXPECT_STR(end, "] rest");
	EXPECT_INT(e->nb_convs, 1);
	sample_expr_free(e);
	e = sample_expr_parse("str(a b) lower", &end, NULL, err, sizeof(err));
	EXPECT(e != NULL);
	EXPECT_STR(end, " lower");
	EXPECT_INT(e->nb_convs, 0);
	sample_expr_free(e);
	e = sample_expr_parse("str(x),upper", &end, NULL, err, sizeof(err));
	EXPECT(e != NULL);
	EXPECT_STR(end, "");
	sample_expr_free(e);
	/* a parenthesis inside quotes does not close the list */
	e = sample_expr_parse("str(\"a)b\"),length]", &end, NULL, err, sizeof(err));
	EXPECT(e != NULL);
	EXPECT_STR(end, "]");
	sample_expr_free(e);
}

static void t_parse_words(void)
{
	char err[256], out[64];
	struct sample_expr *e;
	struct smp_ctx ctx = { .final = 1 };
	struct sample smp = { 0 };
	int idx;
	char *w1[] = { "str(ABC)", "lower", "if", "TRUE" };
	char *w2[] = { "str(a)", "lower,upper", "base64" };
	char *w3[] = { "str(a)", "nosuch" };
	char *w4[] = { "str(a),", "upper" };
	char *w5[] = { "str(a)x", "upper" };
	char *w6[] = { "src", "lower(x" };

	/* HAProxy 2.6 still takes converters in the following words */
	idx = 0;
	e = sample_expr_parse_words(w1, 4, &idx, NULL, err, sizeof(err));
	EXPECT(e != NULL);
	EXPECT_INT(idx, 2);
	EXPECT_INT(e->nb_convs, 1);
	EXPECT_INT(sample_expr_eval(e, &ctx, &smp), 1);
	snprintf(out, sizeof(out), "%.*s", (int)smp.u.str.len, smp.u.str.ptr);
	EXPECT_STR(out, "abc");
	sample_expr_free(e);
	idx = 0;
	e = sample_expr_parse_words(w2, 3, &idx, NULL, err, sizeof(err));
	EXPECT(e && e->nb_convs == 3);
	EXPECT_INT(idx, 3);
	sample_expr_free(e);
	idx = 0;
	e = sample_expr_parse_words(w3, 2, &idx, NULL, err, sizeof(err));
	EXPECT(e && e->nb_convs == 0);
	EXPECT_INT(idx, 1);
	sample_expr_free(e);
	idx = 0;
	e = sample_expr_parse_words(w4, 2, &idx, NULL, err, sizeof(err));
	EXPECT(e && e->nb_convs == 1);
	EXPECT_INT(idx, 2);
	sample_expr_free(e);
	idx = 0;
	EXPECT(sample_expr_parse_words(w5, 2, &idx, NULL, err, sizeof(err)) == NULL);
	EXPECT_STR(err, "missing comma after fetch keyword 'str'");
	idx = 0;
	EXPECT(sample_expr_parse_words(w6, 2, &idx, NULL, err, sizeof(err)) == NULL);
	EXPECT_STR(err, "invalid arg 1 in converter 'lower' : expected ')' before 'x'");
	idx = 4;
	EXPECT(sample_expr_parse_words(w1, 4, &idx, NULL, err, sizeof(err)) == NULL);
	EXPECT_STR(err, "missing fetch method");
}

static void t_arg_quoting(void)
{
	char out[256];

	ev("str(\"a,b\")", out, sizeof(out));
	EXPECT_STR(out, "a,b");
	ev("str('a,b')", out, sizeof(out));
	EXPECT_STR(out, "a,b");
	ev("str(\"a\\\"b\")", out, sizeof(out));      /* \" inside double quotes */
	EXPECT_STR(out, "a\"b");
	ev("str(a\\ b)", out, sizeof(out));
	EXPECT_STR(out, "a b");
	ev("str(\"x\\ty\")", out, sizeof(out));
	EXPECT_STR(out, "x\ty");
	ev("str('x\\ty')", out, sizeof(out));         /* no escapes inside single quotes */
	EXPECT_STR(out, "x\\ty");
	ev("str(a\\qb)", out, sizeof(out));            /* a lone backslash stays */
	EXPECT_STR(out, "a\\qb");
	ev("str(it\"'\"s)", out, sizeof(out));          /* a quote of the other kind */
	EXPECT_STR(out, "it's");
	EXPECT_INT(ev("str(a\\,b)", out, sizeof(out)), -1);
	EXPECT_STR(out, "ERR fetch method 'str' : expected ')' before ',b)'");
}

static void t_args_parse_api(void)
{
	struct arg a[SMP_MAX_ARGS];
	char err[256];
	int n;

	n = sample_args_parse("10s,4k", 6, ARG2(1, TIME, SIZE), a, NULL, err, sizeof(err));
	EXPECT_INT(n, 2);
	EXPECT_INT(a[0].type, ARGT_SINT);
	EXPECT_INT(a[0].u.sint, 10000);
	EXPECT_INT(a[1].u.sint, 4096);
	sample_args_free(a, n);
	n = sample_args_parse("1m", 2, ARG1(1, TIME), a, NULL, err, sizeof(err));
	EXPECT_INT(a[0].u.sint, 60000);
	sample_args_free(a, n);
	n = sample_args_parse("abc", 3, ARG1(1, TIME), a, NULL, err, sizeof(err));
	EXPECT_INT(n, -1);
	EXPECT_STR(err, "failed to parse 'abc' as type 'delay' at position 1");
	n = sample_args_parse("", 0, ARG2(2, SINT, STR), a, NULL, err, sizeof(err));
	EXPECT_INT(n, -1);
	EXPECT_STR(err, "expected type 'integer' at position 1, but got nothing");
	n = sample_args_parse("5", 1, ARG2(2, SINT, STR), a, NULL, err, sizeof(err));
	EXPECT_INT(n, -1);
	EXPECT_STR(err, "missing arguments (got 1/2), type 'string' expected");
	n = sample_args_parse("5,x,y", 5, ARG2(2, SINT, STR), a, NULL, err, sizeof(err));
	EXPECT_INT(n, -1);
	n = sample_args_parse("10.0.0.0/8", 10, ARG1(1, IPV4), a, NULL, err, sizeof(err));
	EXPECT_INT(n, -1);
	n = sample_args_parse("16,64", 5, ARG2(1, MSK4, MSK6), a, NULL, err, sizeof(err));
	EXPECT_INT(n, 2);
	EXPECT_INT(a[0].type, ARGT_IPV4);
	EXPECT_INT(ntohl(a[0].u.ipv4.s_addr), 0xffff0000);
	EXPECT_INT(a[1].type, ARGT_IPV6);
	EXPECT_INT(a[1].u.ipv6.s6_addr[7], 0xff);
	EXPECT_INT(a[1].u.ipv6.s6_addr[8], 0);
	sample_args_free(a, n);
	n = sample_args_parse("txn.foo", 7, ARG1(1, VAR), a, NULL, err, sizeof(err));
	EXPECT_INT(n, 1);
	EXPECT_INT(a[0].type, ARGT_VAR);
	sample_args_free(a, n);
	/* separate Lua strings: commas and quotes are taken verbatim */
	{
		const char *s[] = { "a,'b'", "12" };
		size_t l[] = { 5, 2 };

		n = sample_args_from_strings(s, l, 2, ARG2(1, STR, SINT), a, NULL, err, sizeof(err));
		EXPECT_INT(n, 2);
		EXPECT_STR(a[0].u.str.ptr, "a,'b'");
		EXPECT_INT(a[1].u.sint, 12);
		sample_args_free(a, n);
		n = sample_args_from_strings(s, l, 2, ARG1(1, STR), a, NULL, err, sizeof(err));
		EXPECT_INT(n, -1);
		EXPECT_STR(err, "expects at most 1 argument(s)");
		n = sample_args_from_strings(s, l, 0, ARG1(1, SINT), a, NULL, err, sizeof(err));
		EXPECT_INT(n, -1);
		EXPECT_STR(err, "missing arguments (got 0/1), type 'integer' expected");
	}
	EXPECT_INT(arg_mask_max(ARG3(1, SINT, STR, SINT)), 3);
	EXPECT_INT(arg_mask_min(ARG3(1, SINT, STR, SINT)), 1);
	EXPECT_INT(arg_mask_type(ARG3(1, SINT, STR, SINT), 1), ARGT_STR);
}

static struct sample s_str(const char *s)
{
	struct sample smp = { 0 };

	smp_set_const_str(&smp, s, strlen(s));
	return smp;
}

static void t_casts(void)
{
	struct sample smp = { 0 };
	char buf[64];

	smp = s_str("12abc");
	EXPECT_INT(sample_cast(&smp, SMP_T_SINT), 1);
	EXPECT_INT(smp.u.sint, 12);
	smp = s_str("-42");
	EXPECT_INT(sample_cast(&smp, SMP_T_SINT), 1);
	EXPECT_INT(smp.u.sint, -42);
	smp = s_str("");
	EXPECT_INT(sample_cast(&smp, SMP_T_SINT), 0);
	smp = s_str("99999999999999999999");
	EXPECT_INT(sample_cast(&smp, SMP_T_SINT), 1);
	EXPECT(smp.u.sint == INT64_MAX);
	smp = s_str("0");
	EXPECT_INT(sample_cast(&smp, SMP_T_BOOL), 1);
	EXPECT_INT(smp.type, SMP_T_BOOL);
	EXPECT_INT(smp.u.sint, 0);
	smp = s_str("7");
	EXPECT_INT(sample_cast(&smp, SMP_T_BOOL), 1);
	EXPECT_INT(smp.u.sint, 1);
	smp = s_str("1.2.3.4");
	EXPECT_INT(sample_cast(&smp, SMP_T_IPV4), 1);
	EXPECT_INT(ntohl(smp.u.ipv4.s_addr), 0x01020304);
	EXPECT_INT(sample_cast(&smp, SMP_T_SINT), 1);
	EXPECT_INT(smp.u.sint, 0x01020304);
	EXPECT_INT(sample_cast(&smp, SMP_T_IPV4), 1);     /* int -> ipv4 */
	EXPECT_INT(sample_cast(&smp, SMP_T_IPV6), 1);     /* v4-mapped */
	inet_ntop(AF_INET6, &smp.u.ipv6, buf, sizeof(buf));
	EXPECT_STR(buf, "::ffff:1.2.3.4");
	EXPECT_INT(sample_cast(&smp, SMP_T_IPV4), 1);
	EXPECT_INT(sample_cast(&smp, SMP_T_STR), 1);
	EXPECT_STR(smp.u.str.ptr, "1.2.3.4");
	smp = s_str("1.2.3");
	EXPECT_INT(sample_cast(&smp, SMP_T_IPV4), 0);
	smp = s_str("2001:db8::1");
	EXPECT_INT(sample_cast(&smp, SMP_T_IPV6), 1);
	EXPECT_INT(sample_cast(&smp, SMP_T_IPV4), 0);     /* not mapped */
	EXPECT_INT(sample_cast(&smp, SMP_T_SINT), 0);     /* no such cast */
	EXPECT_INT(sample_cast(&smp, SMP_T_STR), 1);
	EXPECT_STR(smp.u.str.ptr, "2001:db8::1");
	smp = s_str("2002:c000:0201::1");                  /* 6to4: not converted (HAProxy 2.6) */
	EXPECT_INT(sample_cast(&smp, SMP_T_IPV6), 1);
	EXPECT_INT(sample_cast(&smp, SMP_T_IPV4), 0);
	smp = s_str("192.0.2.1");
	EXPECT_INT(sample_cast(&smp, SMP_T_IPV4), 1);
	EXPECT_INT(sample_cast(&smp, SMP_T_BIN), 1);
	EXPECT_INT(smp.u.str.len, 4);
	EXPECT_MEM(smp.u.str.ptr, "\xc0\x00\x02\x01", 4);
	smp_set_sint(&smp, 258);
	EXPECT_INT(sample_cast(&smp, SMP_T_BIN), 1);
	EXPECT_INT(smp.u.str.len, 8);
	EXPECT_MEM(smp.u.str.ptr, "\0\0\0\0\0\0\x01\x02", 8);
	smp_set_sint(&smp, -5);
	EXPECT_INT(sample_cast(&smp, SMP_T_STR), 1);
	EXPECT_STR(smp.u.str.ptr, "-5");
	smp_set_bool(&smp, 1);
	EXPECT_INT(sample_cast(&smp, SMP_T_IPV4), 0);
	EXPECT_INT(sample_cast(&smp, SMP_T_STR), 1);
	EXPECT_STR(smp.u.str.ptr, "1");
	smp_set_bool(&smp, 1);
	EXPECT_INT(sample_cast(&smp, SMP_T_BIN), 1);          /* 8 bytes, as HAProxy 2.6 */
	EXPECT_INT(smp.u.str.len, 8);
	EXPECT_MEM(smp.u.str.ptr, "\0\0\0\0\0\0\0\x01", 8);
	/* to an address: IPv4 first, then IPv6 */
	smp = s_str("::1");
	EXPECT_INT(sample_cast(&smp, SMP_T_ADDR), 1);
	EXPECT_INT(smp.type, SMP_T_IPV6);
	smp = s_str("10.0.0.1");
	EXPECT_INT(sample_cast(&smp, SMP_T_ADDR), 1);
	EXPECT_INT(smp.type, SMP_T_IPV4);
	smp = s_str("nope");
	EXPECT_INT(sample_cast(&smp, SMP_T_ADDR), 0);
	smp_set_const_str(&smp, "ab\0cd", 5);
	smp.type = SMP_T_BIN;
	EXPECT_INT(sample_cast(&smp, SMP_T_STR), 1);
	EXPECT_INT(smp.u.str.len, 2);
	smp = s_str("GET");
	EXPECT_INT(sample_cast(&smp, SMP_T_METH), 1);
	EXPECT_INT(smp.type, SMP_T_METH);
	EXPECT_INT(sample_cast(&smp, SMP_T_SINT), 0);
	EXPECT_INT(sample_cast(&smp, SMP_T_STR), 1);
	EXPECT_INT(smp.type, SMP_T_STR);
	smp = s_str("");
	EXPECT_INT(sample_cast(&smp, SMP_T_METH), 0);
	EXPECT_STR(smp_type_name(SMP_T_IPV6), "ipv6");
}

static void t_make_rw(void)
{
	struct sample smp = s_str("const");

	EXPECT_INT(sample_make_rw(&smp), 1);
	EXPECT(!(smp.flags & SMP_F_CONST));
	EXPECT(smp.u.str.size > smp.u.str.len);
	smp.u.str.ptr[0] = 'C';
	EXPECT_MEM(smp.u.str.ptr, "Const", 5);
}

static void t_trash_ring(void)
{
	size_t sz;
	char *a = smp_trash(&sz), *b = smp_trash(&sz);

	EXPECT(a && b && a != b);
	EXPECT(sz >= 16384);
}

/* A hand-built configuration: frontend "fe", backends "b1" (servers s1,
 * s2) and "b2", a listen "ls". */
static struct proxy fe, b1, b2, ls;
static struct server s1, s2;
static struct config cfg;

static void build_cfg(void)
{
	fe.name = "fe"; fe.cap = PX_CAP_FE; fe.id = 1; fe.next = &b1; fe.fe_cur_conn = 4;
	b1.name = "b1"; b1.cap = PX_CAP_BE; b1.id = 2; b1.next = &b2; b1.be_cur_conn = 17;
	b2.name = "b2"; b2.cap = PX_CAP_BE; b2.id = 3; b2.next = &ls; b2.be_cur_conn = 5;
	ls.name = "ls"; ls.cap = PX_CAP_FE | PX_CAP_BE; ls.id = 4;
	b1.srv = &s1; s1.next = &s2; s1.name = "s1"; s1.px = &b1; s1.id = 1;
	s2.name = "s2"; s2.px = &b1; s2.id = 2;
	cfg.proxies = &fe;
	cfg.nb_proxies = 4;
}

static void t_resolve(void)
{
	char err[256], out[64];
	struct sample_expr *ok1, *ok2, *bad1, *bad2, *gone;
	struct arg a[SMP_MAX_ARGS];
	struct smp_ctx ctx = { .px = &b2, .final = 1 };
	struct sample smp = { 0 };
	int n;

	build_cfg();
	sample_parse_where("test.cfg", 12, "tcp-request content expression");
	ok1 = sample_expr_parse("be_conn(b1)", NULL, &fe, err, sizeof(err));
	ok2 = sample_expr_parse("fe_conn(fe)", NULL, &fe, err, sizeof(err));
	bad1 = sample_expr_parse("be_conn(nope)", NULL, &fe, err, sizeof(err));
	bad2 = sample_expr_parse("be_conn(fe)", NULL, &fe, err, sizeof(err));
	gone = sample_expr_parse("nbsrv(nope2)", NULL, &fe, err, sizeof(err));
	EXPECT(ok1 && ok2 && bad1 && bad2 && gone);
	/* a freed expression leaves nothing to resolve */
	sample_expr_free(gone);
	n = sample_args_parse("b1/s2", 5, ARG1(1, SRV), a, &fe, err, sizeof(err));
	EXPECT_INT(n, 1);
	/* before resolution an unresolved argument yields "not found" */
	EXPECT_INT(sample_expr_eval(ok1, &ctx, &smp), 0);
	EXPECT_INT(sample_resolve(&cfg), 2);           /* nope + fe (not a backend) */
	EXPECT(a[0].u.srv == &s2);
	EXPECT_INT(sample_expr_eval(ok1, &ctx, &smp), 1);
	EXPECT_INT(smp.u.sint, 17);
	EXPECT_INT(sample_expr_eval(ok2, &ctx, &smp), 1);
	EXPECT_INT(smp.u.sint, 4);
	EXPECT_INT(sample_expr_eval(bad1, &ctx, &smp), 0);
	sample_args_free(a, n);
	/* after resolution (Lua at run time), names resolve at once */
	n = sample_args_parse("b2", 2, ARG1(1, BE), a, NULL, err, sizeof(err));
	EXPECT_INT(n, 1);
	EXPECT(a[0].u.px == &b2);
	sample_args_free(a, n);
	n = sample_args_parse("zz", 2, ARG1(1, BE), a, NULL, err, sizeof(err));
	EXPECT_INT(n, -1);
	EXPECT_STR(err, "unable to find backend 'zz'");
	n = sample_args_parse("b1/s9", 5, ARG1(1, SRV), a, NULL, err, sizeof(err));
	EXPECT_INT(n, -1);
	EXPECT_STR(err, "unable to find server 's9' in proxy 'b1',");
	/* no argument: the evaluating proxy */
	EXPECT_INT(ev("be_conn", out, sizeof(out)), 0);   /* no stream, no proxy */
	sample_expr_free(ok1);
	sample_expr_free(ok2);
	sample_expr_free(bad1);
	sample_expr_free(bad2);
}

/* Server fetches and the converters naming proxies, after resolution. */
static void t_server_fetches(void)
{
	char out[64];

	s1.weight = 3; s1.cur_weight = 2; s1.state = SRV_UP; s1.cur_conn = 4; s1.maxconn = 10; s1.nb_queued = 1;
	s2.weight = 1; s2.cur_weight = 1; s2.state = SRV_MAINT; s2.cur_conn = 0; s2.nb_queued = 6;
	EXPECT_INT(ev("srv_conn(b1/s1)", out, sizeof(out)), 1);
	EXPECT_STR(out, "4");
	EXPECT_INT(ev("srv_conn_free(b1/s1)", out, sizeof(out)), 1);
	EXPECT_STR(out, "6");
	EXPECT_INT(ev("srv_conn_free(b1/s2)", out, sizeof(out)), 1);
	EXPECT_STR(out, "-1");                    /* no maxconn */
	EXPECT_INT(ev("srv_is_up(b1/s1)", out, sizeof(out)), 1);
	EXPECT_STR(out, "1");
	EXPECT_INT(ev("srv_is_up(b1/s2)", out, sizeof(out)), 1);
	EXPECT_STR(out, "0");
	EXPECT_INT(ev("srv_queue(b1/s2)", out, sizeof(out)), 1);
	EXPECT_STR(out, "6");
	EXPECT_INT(ev("srv_weight(b1/s1)", out, sizeof(out)), 1);
	EXPECT_STR(out, "2");
	EXPECT_INT(ev("srv_iweight(b1/s1)", out, sizeof(out)), 1);
	EXPECT_STR(out, "3");
	EXPECT_INT(ev("srv_uweight(b1/s1)", out, sizeof(out)), 1);
	EXPECT_STR(out, "2");
	EXPECT_INT(ev("srv_weight(b1/s2)", out, sizeof(out)), 1);
	EXPECT_STR(out, "0");                     /* in maintenance */
	EXPECT_INT(ev("be_conn_free(b1)", out, sizeof(out)), 1);
	EXPECT_STR(out, "6");                     /* s2 is not usable */
	EXPECT_INT(ev("nbsrv(b1)", out, sizeof(out)), 1);
	EXPECT_STR(out, "1");
	EXPECT_INT(ev("str(b1),nbsrv", out, sizeof(out)), 1);
	EXPECT_STR(out, "1");
	EXPECT_INT(ev("str(nope),nbsrv", out, sizeof(out)), 0);
	EXPECT_INT(ev("str(b1/s2),srv_queue", out, sizeof(out)), 1);
	EXPECT_STR(out, "6");
	EXPECT_INT(ev("str(b1/zz),srv_queue", out, sizeof(out)), 0);
	EXPECT_INT(ev("str(b1),srv_queue", out, sizeof(out)), 0);
	/* a server argument needs a backend */
	EXPECT_INT(ev("srv_conn(s1)", out, sizeof(out)), -1);
	EXPECT_STR(out, "ERR fetch method 'srv_conn' : backend name must be set");
	EXPECT_INT(ev("srv_conn(b9/s1)", out, sizeof(out)), -1);
	EXPECT_STR(out, "ERR fetch method 'srv_conn' : unable to find proxy 'b9'");
}

/* smp_ipv4_str() writes what inet_ntop() does, for edge values and a
 * spread of addresses (every byte value in every position). */
static void t_ipv4_str(void)
{
	static const char *fixed[] = { "0.0.0.0", "255.255.255.255", "10.0.0.1", "100.20.3.0",
	                               "9.99.199.200", "127.0.0.1", NULL };
	char a[INET_ADDRSTRLEN], b[16];
	int bad = 0;

	for (int i = 0; fixed[i]; i++) {
		struct in_addr in;
		inet_pton(AF_INET, fixed[i], &in);
		size_t n = smp_ipv4_str(&in, b);
		if (strcmp(b, fixed[i]) || n != strlen(fixed[i])) {
			fprintf(stderr, "  %s -> '%s' (%zu)\n", fixed[i], b, n);
			bad++;
		}
	}
	for (unsigned v = 0; v < 256; v++) {
		struct in_addr in;
		uint8_t *p = (uint8_t *)&in.s_addr;
		p[0] = (uint8_t)v;
		p[1] = (uint8_t)(255 - v);
		p[2] = (uint8_t)(v * 7);
		p[3] = (uint8_t)(v ^ 0x5a);
		inet_ntop(AF_INET, &in, a, sizeof(a));
		size_t n = smp_ipv4_str(&in, b);
		if (strcmp(a, b) || n != strlen(a)) {
			fprintf(stderr, "  %s -> '%s'\n", a, b);
			bad++;
		}
	}
	EXPECT_INT(bad, 0);
	/* and the ipv4 -> str cast uses it */
	struct sample smp = { .type = SMP_T_IPV4 };
	inet_pton(AF_INET, "192.168.10.7", &smp.u.ipv4);
	EXPECT(sample_cast(&smp, SMP_T_STR));
	EXPECT_INT((int)smp.u.str.len, 12);
	EXPECT(smp.u.str.ptr && !memcmp(smp.u.str.ptr, "192.168.10.7", 12));
}

int main(void)
{
	RUN(t_registry_lookup);
	RUN(t_registry_register);
	RUN(t_parse_errors);
	RUN(t_parse_end);
	RUN(t_parse_words);
	RUN(t_arg_quoting);
	RUN(t_args_parse_api);
	RUN(t_casts);
	RUN(t_ipv4_str);
	RUN(t_make_rw);
	RUN(t_trash_ring);
	RUN(t_resolve);
	RUN(t_server_fetches);
	return unit_end();
}
