/* test_conv.c: every converter, against values produced by HAProxy 2.6
 * ("http-request return lf-string [%[<expr>]]" queried with curl), plus
 * edge cases: empty, huge, non-UTF-8, negative, wrong types. */
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
#include "tests/unit/unit.h"
#include "engine/sample.h"
#include "engine/stream.h"
#include "engine/vars.h"

static struct stream strm;

/* Evaluates <expr> on the test stream and renders it as log-format does
 * (string cast; "" when not found) into <out>. Returns 1 if found, 0 if
 * not, -1 when the expression does not parse (message in <out>). */
static int eval_str(const char *expr, char *out, size_t outlen)
{
	char err[512];
	struct sample_expr *e = sample_expr_parse(expr, NULL, NULL, err, sizeof(err));
	struct smp_ctx ctx = { .strm = &strm, .final = 1 };
	struct sample smp = { 0 };
	int ret;

	if (!e) {
		snprintf(out, outlen, "%s", err);
		return -1;
	}
	ret = sample_expr_eval(e, &ctx, &smp);
	if (ret && sample_cast(&smp, SMP_T_STR))
		snprintf(out, outlen, "%.*s", (int)smp.u.str.len, smp.u.str.ptr);
	else
		out[0] = 0;
	sample_expr_free(e);
	return ret;
}

static void set_var(const char *name, const char *expr)
{
	char err[256];
	struct var_ref ref;
	struct sample_expr *e = sample_expr_parse(expr, NULL, NULL, err, sizeof(err));
	struct smp_ctx ctx = { .strm = &strm, .final = 1 };
	struct sample smp = { 0 };

	if (!e || vars_parse_ref(name, strlen(name), &ref, err, sizeof(err)) < 0) {
		printf("setup failed: %s\n", err);
		exit(2);
	}
	if (sample_expr_eval(e, &ctx, &smp))
		vars_set(vars_of(&strm, ref.scope), &ref, &smp);
	vars_ref_free(&ref);
	sample_expr_free(e);
}

static void setup(void)
{
	vars_clear(&strm.vars_txn);
	set_var("txn.k", "str(a2V5)");
	set_var("txn.n", "int(7)");
	set_var("txn.s", "str(abc)");
	set_var("txn.z", "bin(610062)");
}

static const struct { const char *expr, *want; } haproxy_vectors[] = {
	{ "str(abc),djb2", "193485963" },
	{ "str(abc),djb2(1)", "2235766107" },
	{ "str(abc),sdbm", "807794786" },
	{ "str(abc),sdbm(1)", "659243622" },
	{ "str(abc),wt6", "2483038440" },
	{ "str(abc),wt6(1)", "266135527" },
	{ "str(abc),crc32", "891568578" },
	{ "str(abc),crc32(1)", "930845320" },
	{ "str(abc),crc32c", "910901175" },
	{ "str(abc),xxh32", "852579327" },
	{ "str(abc),xxh32(1)", "2856167679" },
	{ "str(abc),xxh64", "4952883123889572249" },
	{ "str(abc),xxh64(1)", "-4708009277469325048" },
	{ "str(abc),sha1,hex", "A9993E364706816ABA3E25717850C26C9CD0D89D" },
	{ "str(abc),sha2,hex", "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD" },
	{ "str(abc),sha2(224),hex", "23097D223405D8228642A477BDA255B32AADBCE4BDA0B3F7E36C9DA7" },
	{ "str(abc),sha2(384),hex", "CB00753F45A35E8BB5A03D699AC65007272C32AB0EDED1631A8B605A43FF5BED8086072BA1E7CC2358BAECA134C825A7" },
	{ "str(abc),sha2(512),hex", "DDAF35A193617ABACC417349AE20413112E6FA4E89A97EA20A9EEEE64B55D39A2192992A274FC1A836BA3C23A3FEEBBD454D4423643CE80E2A9AC94FA54CA49F" },
	{ "str(abc),hmac(sha256,txn.k),hex", "9C196E32DC0175F86F4B1CB89289D6619DE6BEE699E4C378E68309ED97A1A6AB" },
	{ "str(abc),hmac(sha1,a2V5),hex", "4FD0B215276EF12F2B3E4C8ECAC2811498B656FC" },
	{ "str('Hello World, a longer string over 32 bytes!'),xxh64", "-7925803089513435934" },
	{ "str('Hello World, a longer string over 32 bytes!'),xxh32", "3575282217" },
	{ "str('Hello World, a longer string over 32 bytes!'),wt6", "3437878756" },
	{ "str(),djb2", "5381" },
	{ "str(abc),base64", "YWJj" },
	{ "str(YWJj),b64dec", "abc" },
	{ "str(YWJ),b64dec", "" },
	{ "str(abc),hex", "616263" },
	{ "str(ff),hex2i", "255" },
	{ "str(fz),hex2i", "" },
	{ "str(a;b;c;d),field(2,;)", "b" },
	{ "str(a;b;c;d),field(-2,;)", "c" },
	{ "str(a;b;c;d),field(2,;,2)", "b;c" },
	{ "str(a;b;c;d),field(-2,;,2)", "b;c" },
	{ "str(a;b;c;d),field(2,;,0)", "b;c;d" },
	{ "str(a;b;c;d),field(-2,;,0)", "a;b;c" },
	{ "str(a;b;c;d),field(5,;)", "" },
	{ "str(a;b;c;d),field(-5,;)", "" },
	{ "str(;;a;;b;;),word(1,;)", "a" },
	{ "str(;;a;;b;;),word(2,;)", "b" },
	{ "str(;;a;;b;;),word(-1,;)", "b" },
	{ "str(;;a;;b;;c;;),word(1,;,2)", "a;;b" },
	{ "str(;;a;;b;;c;;),word(-1,;,2)", "b;;c" },
	{ "str(;;a;;b;;c;;),word(1,;,0)", "a;;b;;c;;" },
	{ "str(;;a;;b;;c;;),word(-1,;,0)", ";;a;;b;;c" },
	{ "str(;;a;;b;;),word(3,;)", "" },
	{ "int(5),add(3)", "8" },
	{ "int(5),add(txn.n)", "12" },
	{ "int(5),sub(txn.n)", "-2" },
	{ "int(5),mul(-3)", "-15" },
	{ "int(7),div(2)", "3" },
	{ "int(7),div(0)", "9223372036854775807" },
	{ "int(-7),mod(3)", "-1" },
	{ "int(7),mod(0)", "0" },
	{ "int(5),neg", "-5" },
	{ "int(12),and(10)", "8" },
	{ "int(12),or(3)", "15" },
	{ "int(12),xor(10)", "6" },
	{ "int(0),not", "1" },
	{ "int(3),bool", "1" },
	{ "int(9223372036854775807),add(1)", "9223372036854775807" },
	{ "int(-9223372036854775808),sub(1)", "-9223372036854775808" },
	{ "int(-9223372036854775808),neg", "9223372036854775807" },
	{ "int(4611686018427387904),mul(4)", "9223372036854775807" },
	{ "str(Hello),lower", "hello" },
	{ "str(Hello),upper", "HELLO" },
	{ "str(Hello),length", "5" },
	{ "str(abcdef),bytes(2)", "cdef" },
	{ "str(abcdef),bytes(2,3)", "cde" },
	{ "str(abcdef),bytes(10)", "" },
	{ "str('a<b\\c/d\tx'),json", "a<b\\\\c\\/d\\tx" },
	{ "str(\xc3""\xa9""t\xc3""\xa9""),json(utf8)", "\\u00e9t\\u00e9" },
	{ "str(\xc3""\xa9""t\xc3""\xa9""),json", "\\u00c3\\u00a9t\\u00c3\\u00a9" },
	{ "int(0),utime(%Y-%m-%d %H:%M:%S)", "1970-01-01 00:00:00" },
	{ "int(0),utime(%Y-%m-%d %H:%M:%S,3600)", "1970-01-01 01:00:00" },
	{ "str(a%20b+c),url_dec", "a b+c" },
	{ "str(a%20b+c),url_dec(1)", "a b c" },
	{ "str(a+b?c+d),url_dec", "a+b?c d" },
	{ "str(a%2),url_dec", "" },
	{ "str(a b&c=d/\xc3""\xa9""),url_enc", "a%20b%26c%3Dd%2F%C3%A9" },
	{ "str('fr-FR;q=0.8, en;q=0.9, de'),language(en;fr)", "en" },
	{ "str('fr-FR;q=0.8, en;q=0.7'),language(en;fr)", "fr" },
	{ "str(es),language(en;fr,de)", "de" },
	{ "str(es),language(en;fr)", "" },
	{ "str(abc),concat(<,txn.s,>)", "abc<abc>" },
	{ "str(abc),concat(<)", "abc<" },
	{ "str(abc),strcmp(txn.s)", "0" },
	{ "str(abc),secure_memcmp(txn.s)", "1" },
	{ "str(abd),secure_memcmp(txn.s)", "0" },
	{ "str(ab),secure_memcmp(txn.s)", "0" },
	{ "str(abc),secure_memcmp(txn.unset)", "" },
	{ "bin(610062),secure_memcmp(txn.z)", "1" },
	{ "bin(610063),secure_memcmp(txn.z)", "0" },
	{ "str(abd),strcmp(txn.s)", "1" },
	{ "str(ab),strcmp(txn.s)", "-1" },
	{ "ipv4(192.168.1.77),ipmask(24)", "192.168.1.0" },
	{ "ipv4(192.168.1.77),ipmask(255.255.0.0)", "192.168.0.0" },
	{ "ipv6(2001:db8::1),ipmask(24,64)", "2001:db8::" },
	{ "ipv6(2001:db8::1),ipmask(24)", "" },
	{ "str(10.1.2.3),ipmask(8)", "10.0.0.0" },
	{ "str(  abc  ),ltrim( )", "abc  " },
	{ "str(  abc  ),rtrim( )", "  abc" },
	{ "str(xxabcxy),ltrim(xy)", "abcxy" },
	{ "bin(0102030405),be2dec(-,2)", "258-772-5" },
	{ "bin(0102030405),be2dec(-,2,1)", "258-772" },
	{ "bin(0102030405),hex", "0102030405" },
	{ "int(258),hex", "0000000000000102" },
	{ "bool(1)", "1" },
	{ "bool(false),not", "1" },
	{ "ipv4(1.2.3.4)", "1.2.3.4" },
	{ "ipv6(::ffff:1.2.3.4)", "::ffff:1.2.3.4" },
	{ "ipv4(1.2.3.4),add(1)", "16909061" },
	{ "str(12abc),add(1)", "13" },
	{ "str(abc),add(1)", "1" },
	{ "str(-3),add(1)", "-2" },
	{ "int(3),set-var(txn.q),add(txn.q)", "6" },
	{ "env(RPTEST)", "hello" },
	{ "env(NOPE_NOT_SET)", "" },
	{ "var(txn.nope)", "" },
	{ "var(txn.nope,dflt)", "dflt" },
	{ "var(txn.s)", "abc" },
	{ "str(abc),crc32c(1)", "1285784220" },
	{ "str(x),djb2,hex", "000000000002B61D" },
	{ "int(1),cpl", "-2" },
	{ "int(3),odd", "1" },
	{ "int(3),even", "0" },
	/* second batch */
	{ "str(abc?>),ub64enc", "YWJjPz4" },
	{ "str(a),ub64enc", "YQ" },
	{ "str(YWJjPz4),ub64dec", "abc?>" },
	{ "str(YQ),ub64dec", "a" },
	{ "str(YWJj),ub64dec", "abc" },
	{ "bin(0102030405),be2hex(:,2)", "0102:0304:05" },
	{ "bin(0102030405),be2hex(:,2,1)", "0102:0304" },
	{ "bin(0102030405),be2hex", "0102030405" },
	{ "bin(0a0b),be2hex(,1)", "0A0B" },
	{ "bool(1),iif(yes,no)", "yes" },
	{ "bool(0),iif(yes,no)", "no" },
	{ "int(5),iif(yes,no)", "yes" },
	{ "str(abc),add_item(;,txn.s,suf)", "abc;abcsuf" },
	{ "str(),add_item(;,txn.s,suf)", "abcsuf" },
	{ "str(abc),add_item(;,txn.nope,suf)", "abc;suf" },
	{ "str(abc),add_item(;,,suf)", "abc;suf" },
	{ "str(),add_item(;,,suf)", "suf" },
	{ "int(0),http_date", "Thu, 01 Jan 1970 00:00:00 GMT" },
	{ "int(86400),http_date(3600)", "Fri, 02 Jan 1970 01:00:00 GMT" },
	{ "int(1000),http_date(0,ms)", "Thu, 01 Jan 1970 00:00:01.0 GMT" },
	{ "str(abc),digest(sha256),hex", "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD" },
	{ "str(abc),digest(SHA1),hex", "A9993E364706816ABA3E25717850C26C9CD0D89D" },
	{ "str(abc),digest(md5),hex", "900150983CD24FB0D6963F7D28E17F72" },
	{ "str(abc),digest(sha3-256),hex", "3A985DA74FE225B2045C172D6BD390BD855F086E3E9D525B46BFE24511431532" },
	{ "str(abc),digest(SHA512-256),hex", "53048E2681941EF99B2E29B76B4C7DABE4C2D0C634FC6D46E0E2F13107E7AF23" },
	{ "str(abc),hmac(md5,a2V5),hex", "D2FE98063F876B03193AFB49B4979591" },
	{ "str(abc),hmac(sha3-256,a2V5),hex", "09B6DBAB8D11795CA7C8D82F1CF91682013C7CB980ABBB25473BE4AE7F7B5683" },
	{ "str('ab\r\ncd'),cut_crlf", "ab" },
	{ "int(258),htonl,hex", "00000102" },
	{ "int(-1),htonl,hex", "FFFFFFFF" },
	{ "meth(GET)", "GET" },
	{ "meth(FOO),lower", "foo" },
	{ "stopping", "0" },
	/* regsub (regex module underneath) */
	{ "str(hello world),regsub(o,0)", "hell0 world" },
	{ "str(hello world),regsub(o,0,g)", "hell0 w0rld" },
	{ "str(Hello World),regsub(h,J,i)", "Jello World" },
	{ "str(abc-123),regsub('([a-z]+)-([0-9]+)','\\2:\\1')", "123:abc" },
	{ "str(aaa),regsub(x,y)", "aaa" },
	{ "str(aaa),regsub(^a,b,g)", "baa" },
	{ "str(a.b.c),regsub('\\.',_,g)", "a_b_c" },
};

static void t_haproxy_vectors(void)
{
	char got[4096], msg[8192];

	setup();
	for (size_t i = 0; i < sizeof(haproxy_vectors) / sizeof(*haproxy_vectors); i++) {
		eval_str(haproxy_vectors[i].expr, got, sizeof(got));
		if (strcmp(got, haproxy_vectors[i].want)) {
			snprintf(msg, sizeof(msg), "%s -> \"%s\", expected \"%s\"",
			         haproxy_vectors[i].expr, got, haproxy_vectors[i].want);
			unit_case_failed = 0;   /* report every mismatch */
			unit_fail(msg, __FILE__, __LINE__);
		}
	}
}

static void t_extra_edges(void)
{
	char got[512];

	setup();
	EXPECT_INT(eval_str("str(a),add_item(;,)", got, sizeof(got)), -1);
	EXPECT_STR(got, "invalid args in converter 'add_item' : one of the optional arguments has to be nonempty");
	EXPECT_INT(eval_str("str(a),be2hex(:)", got, sizeof(got)), -1);
	EXPECT_STR(got, "invalid args in converter 'be2hex' : chunk_size needs to be positive (0)");
	EXPECT_INT(eval_str("str(a),digest(md4)", got, sizeof(got)), -1);
	EXPECT_INT(eval_str("int(1),http_date(0,h)", got, sizeof(got)), -1);
	EXPECT_STR(got, "invalid args in converter 'http_date' : expects 's', 'ms' or 'us', got 'h'");
	EXPECT_INT(eval_str("int(1500000),http_date(0,us)", got, sizeof(got)), 1);
	EXPECT_STR(got, "Thu, 01 Jan 1970 00:00:01.500000 GMT");
	/* base64url: '+' '/' are not base64url, a lone 6-bit group is invalid */
	EXPECT_INT(eval_str("str(a+b/),ub64dec", got, sizeof(got)), 0);
	EXPECT_INT(eval_str("str(YWJjZ),ub64dec", got, sizeof(got)), 0);
	EXPECT_INT(eval_str("bin(fbff),ub64enc", got, sizeof(got)), 1);
	EXPECT_STR(got, "-_8");
	EXPECT_INT(eval_str("str(-_8),ub64dec,hex", got, sizeof(got)), 1);
	EXPECT_STR(got, "FBFF");
	EXPECT_INT(eval_str("meth(G E)", got, sizeof(got)), -1);
	EXPECT_STR(got, "invalid args in fetch method 'meth' : expects valid method.");
	EXPECT_INT(eval_str("hostname,length", got, sizeof(got)), 1);
	EXPECT(atoi(got) > 0);
	EXPECT_INT(eval_str("date_us", got, sizeof(got)), 1);
	EXPECT(atoi(got) >= 0 && atoi(got) < 1000000);
}

static void t_regsub_errors(void)
{
	char got[512];

	EXPECT_INT(eval_str("str(a),regsub(a,b,x)", got, sizeof(got)), -1);
	EXPECT_STR(got, "invalid args in converter 'regsub' : invalid regex flag 'x', only 'i' and 'g' are supported");
	EXPECT_INT(eval_str("str(a),regsub(,b)", got, sizeof(got)), -1);
	EXPECT_STR(got, "invalid args in converter 'regsub' : missing regex");
	EXPECT_INT(eval_str("str(a),regsub('(',b)", got, sizeof(got)), -1);
	EXPECT(strncmp(got, "invalid args in converter 'regsub' : error in regex '(' : ", 58) == 0);
	/* backreferences: PCRE2 alone */
	EXPECT_INT(eval_str("str(abab),regsub('(ab)\\1',X)", got, sizeof(got)), 1);
	EXPECT_STR(got, "X");
	/* on binary input: bytes after a NUL are dropped by the string cast */
	EXPECT_INT(eval_str("bin(610062),regsub(a,b)", got, sizeof(got)), 1);
	EXPECT_STR(got, "b");
}

static void t_debug(void)
{
	char got[512], path[] = "/tmp/rp-debug-XXXXXX", buf[256];
	int fd = mkstemp(path), saved = dup(2);
	ssize_t n;

	EXPECT(fd >= 0 && saved >= 0);
	dup2(fd, 2);
	EXPECT_INT(eval_str("str(a\tb),debug(pfx,stderr),upper", got, sizeof(got)), 1);
	EXPECT_INT(eval_str("int(42),debug(,stderr)", got, sizeof(got)), 1);
	EXPECT_INT(eval_str("str(x),debug", got, sizeof(got)), 1);          /* buf0: dropped */
	dup2(saved, 2);
	close(saved);
	EXPECT_STR(got, "x");
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	buf[n > 0 ? n : 0] = 0;
	EXPECT_STR(buf, "[debug] pfx: type=str <a.b>\n[debug] : type=sint <42>\n");
	close(fd);
	unlink(path);
	EXPECT_INT(eval_str("str(x),debug(p,buf9)", got, sizeof(got)), -1);
	EXPECT_STR(got, "invalid args in converter 'debug' : No such sink 'buf9'");
}

static void t_ltime_utc(void)
{
	char got[256];

	setenv("TZ", "UTC", 1);
	tzset();
	eval_str("int(86400),ltime(%Y-%m-%d %H:%M:%S)", got, sizeof(got));
	EXPECT_STR(got, "1970-01-02 00:00:00");
	eval_str("int(86399),ltime(%H:%M,-60)", got, sizeof(got));
	EXPECT_STR(got, "23:58");
}

static void t_wrong_types(void)
{
	char got[512];

	/* no cast from IPv6 to integer: refused when parsing */
	EXPECT_INT(eval_str("ipv6(::1),add(1)", got, sizeof(got)), -1);
	EXPECT_STR(got, "converter 'add' cannot be applied");
	/* but a v4-mapped IPv6 feeding ipmask is reduced to IPv4 */
	EXPECT_INT(eval_str("ipv6(::ffff:10.1.2.3),ipmask(16)", got, sizeof(got)), 1);
	EXPECT_STR(got, "10.1.0.0");
	/* a string that is not an address fails at run time */
	EXPECT_INT(eval_str("str(nope),ipmask(8)", got, sizeof(got)), 0);
	/* empty string to integer fails (HAProxy: c_str2int refuses "") */
	EXPECT_INT(eval_str("str(),add(1)", got, sizeof(got)), 0);
	/* bool to address: no cast, refused when parsing (HAProxy 2.6) */
	EXPECT_INT(eval_str("bool(1),ipmask(8)", got, sizeof(got)), -1);
	EXPECT_STR(got, "converter 'ipmask' cannot be applied");
	EXPECT_INT(eval_str("bin(0a000001),ipmask(8)", got, sizeof(got)), -1);
	/* a converter on integers keeps a boolean's type (HAProxy's c_none
	 * cast): the result is still a boolean when cast to binary */
	EXPECT_INT(eval_str("bool(1),add(1)", got, sizeof(got)), 1);
	EXPECT_STR(got, "2");
	EXPECT_INT(eval_str("bool(1),add(1),hex", got, sizeof(got)), 1);
	EXPECT_STR(got, "0000000000000001");
	EXPECT_INT(eval_str("bool(1),cpl,ub64enc", got, sizeof(got)), 1);
	EXPECT_STR(got, "AAAAAAAAAAE");
	EXPECT_INT(eval_str("int(5),not,hex", got, sizeof(got)), 1);
	EXPECT_STR(got, "0000000000000000");
	EXPECT_INT(eval_str("str(7),iif(a,b)", got, sizeof(got)), 1);
	EXPECT_STR(got, "a");
	/* unknown variable in an operator: not found */
	EXPECT_INT(eval_str("int(1),add(txn.missing)", got, sizeof(got)), 0);
	/* a non-numeric variable reads as 0 */
	EXPECT_INT(eval_str("int(1),add(txn.s)", got, sizeof(got)), 1);
	EXPECT_STR(got, "1");
}

static void t_empty_inputs(void)
{
	char got[512];

	EXPECT_INT(eval_str("str(),lower", got, sizeof(got)), 1);
	EXPECT_STR(got, "");
	EXPECT_INT(eval_str("str(),base64", got, sizeof(got)), 1);
	EXPECT_STR(got, "");
	EXPECT_INT(eval_str("str(),b64dec", got, sizeof(got)), 1);
	EXPECT_STR(got, "");
	EXPECT_INT(eval_str("str(),hex2i", got, sizeof(got)), 1);
	EXPECT_STR(got, "0");
	EXPECT_INT(eval_str("str(),length", got, sizeof(got)), 1);
	EXPECT_STR(got, "0");
	EXPECT_INT(eval_str("str(),field(1,;)", got, sizeof(got)), 1);
	EXPECT_STR(got, "");
	EXPECT_INT(eval_str("str(),field(2,;)", got, sizeof(got)), 0);
	EXPECT_INT(eval_str("str(),word(1,;)", got, sizeof(got)), 1);
	EXPECT_STR(got, "");
	EXPECT_INT(eval_str("str(),sha1,hex", got, sizeof(got)), 1);
	EXPECT_STR(got, "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709");
	EXPECT_INT(eval_str("str(),json", got, sizeof(got)), 1);
	EXPECT_STR(got, "");
	EXPECT_INT(eval_str("str(),url_dec", got, sizeof(got)), 1);
	EXPECT_STR(got, "");
	EXPECT_INT(eval_str("str(),language(en)", got, sizeof(got)), 0);
	EXPECT_INT(eval_str("str(),ltrim(x)", got, sizeof(got)), 1);
	EXPECT_STR(got, "");
}

static void t_non_utf8(void)
{
	char got[512];

	/* invalid byte 0xff: utf8 fails, utf8s skips it, ascii escapes it */
	EXPECT_INT(eval_str("bin(61ff62),json(utf8)", got, sizeof(got)), 0);
	EXPECT_INT(eval_str("bin(61ff62),json(utf8s)", got, sizeof(got)), 1);
	EXPECT_STR(got, "ab");
	EXPECT_INT(eval_str("bin(61ff62),json", got, sizeof(got)), 1);
	EXPECT_STR(got, "a\\u00ffb");
	/* overlong "/" (c0 af): utf8 refuses, utf8p lets it through */
	EXPECT_INT(eval_str("bin(c0af),json(utf8)", got, sizeof(got)), 0);
	EXPECT_INT(eval_str("bin(c0af),json(utf8p)", got, sizeof(got)), 1);
	EXPECT_STR(got, "\\/");
	/* 4-byte sequence (> U+FFFF): refused by utf8, skipped by utf8s */
	EXPECT_INT(eval_str("bin(f09f9880),json(utf8)", got, sizeof(got)), 0);
	EXPECT_INT(eval_str("bin(41f09f9880),json(utf8s)", got, sizeof(got)), 1);
	EXPECT_STR(got, "A");
	/* binary through lower/upper keeps non-ASCII bytes */
	EXPECT_INT(eval_str("bin(C3A941),lower,hex", got, sizeof(got)), 1);
	EXPECT_STR(got, "C3A961");
	/* a NUL byte ends a binary sample cast to string */
	EXPECT_INT(eval_str("bin(61006263),length", got, sizeof(got)), 1);
	EXPECT_STR(got, "1");
	EXPECT_INT(eval_str("bin(61006263),hex", got, sizeof(got)), 1);
	EXPECT_STR(got, "61006263");
}

static void t_huge(void)
{
	/* a string of 12000 bytes: base64 (16000) fits a 16384 scratch
	 * buffer, hex (24000) does not and fails cleanly */
	static char big[12001], expr[12100];
	char *got = malloc(40000);

	memset(big, 'x', 12000);
	snprintf(expr, sizeof(expr), "str(%s),base64,length", big);
	EXPECT_INT(eval_str(expr, got, 40000), 1);
	EXPECT_STR(got, "16000");
	snprintf(expr, sizeof(expr), "str(%s),hex", big);
	EXPECT_INT(eval_str(expr, got, 40000), 0);
	snprintf(expr, sizeof(expr), "str(%s),upper,length", big);
	EXPECT_INT(eval_str(expr, got, 40000), 1);
	EXPECT_STR(got, "12000");
	snprintf(expr, sizeof(expr), "str(%s),xxh64", big);
	EXPECT_INT(eval_str(expr, got, 40000), 1);
	free(got);
}

static void t_negative(void)
{
	char got[512];

	EXPECT_INT(eval_str("int(-1),hex2i", got, sizeof(got)), 0);   /* "-1" is not hex */
	EXPECT_INT(eval_str("int(-5),div(2)", got, sizeof(got)), 1);
	EXPECT_STR(got, "-2");
	EXPECT_INT(eval_str("int(-9223372036854775808),div(-1)", got, sizeof(got)), 1);
	EXPECT_STR(got, "9223372036854775807");
	EXPECT_INT(eval_str("int(-9223372036854775808),mod(-1)", got, sizeof(got)), 1);
	EXPECT_STR(got, "0");
	EXPECT_INT(eval_str("int(5),sub(-9223372036854775808)", got, sizeof(got)), 1);
	EXPECT_STR(got, "9223372036854775807");
	EXPECT_INT(eval_str("int(-3),mul(-3)", got, sizeof(got)), 1);
	EXPECT_STR(got, "9");
	EXPECT_INT(eval_str("int(-1),bool", got, sizeof(got)), 1);
	EXPECT_STR(got, "1");
	/* negative offsets/lengths read as huge unsigned values, as HAProxy */
	EXPECT_INT(eval_str("str(abc),bytes(-1)", got, sizeof(got)), 1);
	EXPECT_STR(got, "");
	EXPECT_INT(eval_str("str(abc),bytes(1,-1)", got, sizeof(got)), 1);
	EXPECT_STR(got, "bc");
	EXPECT_INT(eval_str("int(-1),utime(%Y)", got, sizeof(got)), 1);   /* masked to 55 bits */
}

static void t_arg_errors(void)
{
	char got[512];

	EXPECT_INT(eval_str("str(a),field(0,;)", got, sizeof(got)), -1);
	EXPECT_STR(got, "invalid args in converter 'field' : Unexpected value 0 for index");
	EXPECT_INT(eval_str("str(a),field(1,)", got, sizeof(got)), -1);
	EXPECT_STR(got, "invalid args in converter 'field' : Empty separators list");
	EXPECT_INT(eval_str("str(a),json(latin1)", got, sizeof(got)), -1);
	EXPECT_STR(got, "invalid args in converter 'json' : Unexpected input code type. "
	           "Allowed value are 'ascii', 'utf8', 'utf8s', 'utf8p' and 'utf8ps'");
	EXPECT_INT(eval_str("str(a),add(x.y)", got, sizeof(got)), -1);
	EXPECT_STR(got, "invalid args in converter 'add' : expects an integer or a variable name");
	EXPECT_INT(eval_str("str(a),sha2(100)", got, sizeof(got)), -1);
	EXPECT_INT(eval_str("str(a),hmac(md4,a2V5)", got, sizeof(got)), -1);
	EXPECT_INT(eval_str("str(a),hmac(sha1,@@@)", got, sizeof(got)), -1);
	EXPECT_INT(eval_str("str(a),url_enc(path)", got, sizeof(got)), -1);
	EXPECT_STR(got, "invalid args in converter 'url_enc' : Unexpected encode type. Allowed value is 'query'");
	EXPECT_INT(eval_str("str(a),be2dec(:,9)", got, sizeof(got)), -1);
	EXPECT_STR(got, "invalid args in converter 'be2dec' : chunk_size out of [1..8] range (9)");
	EXPECT_INT(eval_str("str(a),set-var(foo)", got, sizeof(got)), -1);
	EXPECT_INT(eval_str("str(a),concat(x,bad name)", got, sizeof(got)), -1);
	EXPECT_STR(got, "invalid args in converter 'concat' : failed to register variable name 'bad name'");
	EXPECT_INT(eval_str("str(a),lower(1)", got, sizeof(got)), -1);
	EXPECT_STR(got, "invalid arg 1 in converter 'lower' : expected ')' before '1)'");
}

static void t_vars_converters(void)
{
	char got[512];

	setup();
	EXPECT_INT(eval_str("str(hello),set-var(txn.h),upper", got, sizeof(got)), 1);
	EXPECT_STR(got, "HELLO");
	EXPECT_INT(eval_str("var(txn.h)", got, sizeof(got)), 1);
	EXPECT_STR(got, "hello");
	EXPECT_INT(eval_str("str(x),unset-var(txn.h)", got, sizeof(got)), 1);
	EXPECT_STR(got, "x");
	EXPECT_INT(eval_str("var(txn.h)", got, sizeof(got)), 0);
	/* proc scope works without a stream */
	{
		char err[256];
		struct sample_expr *e = sample_expr_parse("int(42),set-var(proc.p)", NULL, NULL, err, sizeof(err));
		struct smp_ctx ctx = { .strm = NULL };
		struct sample smp = { 0 };

		EXPECT(e != NULL);
		EXPECT_INT(sample_expr_eval(e, &ctx, &smp), 1);
		sample_expr_free(e);
		e = sample_expr_parse("var(proc.p),add(1)", NULL, NULL, err, sizeof(err));
		EXPECT_INT(sample_expr_eval(e, &ctx, &smp), 1);
		EXPECT_INT(smp.u.sint, 43);
		sample_expr_free(e);
		/* txn scope without a stream: not found, no crash */
		e = sample_expr_parse("int(1),set-var(txn.z)", NULL, NULL, err, sizeof(err));
		EXPECT_INT(sample_expr_eval(e, &ctx, &smp), 0);
		sample_expr_free(e);
		vars_clear(vars_of(NULL, VAR_SCOPE_PROC));
	}
}

static void t_set_var_conditions(void)
{
	char got[512];

	setup();
	/* ifnotexists: the first store wins; a refused store is "not found" */
	EXPECT_INT(eval_str("str(one),set-var(txn.c,ifnotexists)", got, sizeof(got)), 1);
	EXPECT_INT(eval_str("str(two),set-var(txn.c,ifnotexists)", got, sizeof(got)), 0);
	EXPECT_INT(eval_str("var(txn.c)", got, sizeof(got)), 1);
	EXPECT_STR(got, "one");
	EXPECT_INT(eval_str("str(x),set-var(txn.nx,ifexists)", got, sizeof(got)), 0);
	EXPECT_INT(eval_str("var(txn.nx)", got, sizeof(got)), 0);
	EXPECT_INT(eval_str("str(),set-var(txn.c,ifnotempty)", got, sizeof(got)), 0);
	EXPECT_INT(eval_str("str(),set-var(txn.c,ifempty)", got, sizeof(got)), 1);
	EXPECT_INT(eval_str("int(1),set-var(txn.c,ifempty)", got, sizeof(got)), 0);
	/* ifgt/iflt compare the stored integer with the new one */
	EXPECT_INT(eval_str("int(10),set-var(txn.m)", got, sizeof(got)), 1);
	EXPECT_INT(eval_str("int(12),set-var(txn.m,iflt)", got, sizeof(got)), 1);
	EXPECT_INT(eval_str("int(11),set-var(txn.m,iflt)", got, sizeof(got)), 0);
	EXPECT_INT(eval_str("int(5),set-var(txn.m,ifgt,ifexists)", got, sizeof(got)), 1);
	EXPECT_INT(eval_str("var(txn.m)", got, sizeof(got)), 1);
	EXPECT_STR(got, "5");
	EXPECT_INT(eval_str("int(5),set-var(txn.m,ifbogus)", got, sizeof(got)), -1);
	EXPECT_STR(got, "invalid args in converter 'set-var' : unknown condition \"ifbogus\"");
}

int main(void)
{
	setenv("RPTEST", "hello", 1);
	unsetenv("NOPE_NOT_SET");
	RUN(t_haproxy_vectors);
	RUN(t_extra_edges);
	RUN(t_regsub_errors);
	RUN(t_debug);
	RUN(t_ltime_utc);
	RUN(t_wrong_types);
	RUN(t_empty_inputs);
	RUN(t_non_utf8);
	RUN(t_huge);
	RUN(t_negative);
	RUN(t_arg_errors);
	RUN(t_vars_converters);
	RUN(t_set_var_conditions);
	vars_clear(&strm.vars_txn);
	return unit_end();
}
