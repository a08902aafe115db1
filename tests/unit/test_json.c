/* test_json.c: the json_query converter on JSON texts given as bin(hex)
 * (values, nesting, arrays, escapes, numbers, malformed and truncated
 * texts), against the results of HAProxy 2.6 for the same expressions,
 * and the json escaper's arguments. */
#include "tests/unit/unit.h"
#include "engine/sample.h"
#include "engine/stream.h"
#include "engine/vars.h"

static const struct { const char *expr, *want; size_t wlen; } vectors[] = {
	/* {"my.key":"v1","my":{"key":"v2"}}: a backslash makes the dot part of the name */
	{ "bin(7b226d792e6b6579223a227631222c226d79223a7b226b6579223a227632227d7d),json_query('$.my\\.key')", "v1", 2 },
	{ "bin(7b226d792e6b6579223a227631222c226d79223a7b226b6579223a227632227d7d),json_query('$.my.key')", "v2", 2 },
	{ "bin(7b2261223a312c2262223a22785c6e79222c2263223a747275652c2264223a6e756c6c2c2265223a5b31302c32302c7b2266223a2267227d5d2c2268223a7b2269223a322e357d7d),json_query('$.a')", "1", 1 },
	{ "bin(7b2261223a312c2262223a22785c6e79222c2263223a747275652c2264223a6e756c6c2c2265223a5b31302c32302c7b2266223a2267227d5d2c2268223a7b2269223a322e357d7d),json_query('$.b')", "x\ny", 3 },
	{ "bin(7b2261223a312c2262223a22785c6e79222c2263223a747275652c2264223a6e756c6c2c2265223a5b31302c32302c7b2266223a2267227d5d2c2268223a7b2269223a322e357d7d),json_query('$.c')", "1", 1 },
	{ "bin(7b2261223a312c2262223a22785c6e79222c2263223a747275652c2264223a6e756c6c2c2265223a5b31302c32302c7b2266223a2267227d5d2c2268223a7b2269223a322e357d7d),json_query('$.d')", "", 0 },
	{ "bin(7b2261223a312c2262223a22785c6e79222c2263223a747275652c2264223a6e756c6c2c2265223a5b31302c32302c7b2266223a2267227d5d2c2268223a7b2269223a322e357d7d),json_query('$.e')", "", 0 },
	{ "bin(7b2261223a312c2262223a22785c6e79222c2263223a747275652c2264223a6e756c6c2c2265223a5b31302c32302c7b2266223a2267227d5d2c2268223a7b2269223a322e357d7d),json_query('$.e[1]')", "20", 2 },
	{ "bin(7b2261223a312c2262223a22785c6e79222c2263223a747275652c2264223a6e756c6c2c2265223a5b31302c32302c7b2266223a2267227d5d2c2268223a7b2269223a322e357d7d),json_query('$.e[2].f')", "g", 1 },
	{ "bin(7b2261223a312c2262223a22785c6e79222c2263223a747275652c2264223a6e756c6c2c2265223a5b31302c32302c7b2266223a2267227d5d2c2268223a7b2269223a322e357d7d),json_query('$.h.i')", "2.5", 3 },
	{ "bin(7b2261223a312c2262223a22785c6e79222c2263223a747275652c2264223a6e756c6c2c2265223a5b31302c32302c7b2266223a2267227d5d2c2268223a7b2269223a322e357d7d),json_query('$.h.i','int')", "2", 1 },
	{ "bin(7b2261223a312c2262223a22785c6e79222c2263223a747275652c2264223a6e756c6c2c2265223a5b31302c32302c7b2266223a2267227d5d2c2268223a7b2269223a322e357d7d),json_query('$.a','int')", "1", 1 },
	{ "bin(7b2261223a312c2262223a22785c6e79222c2263223a747275652c2264223a6e756c6c2c2265223a5b31302c32302c7b2266223a2267227d5d2c2268223a7b2269223a322e357d7d),json_query('$.zz')", "", 0 },
	{ "bin(7b2261223a312c2262223a22785c6e79222c2263223a747275652c2264223a6e756c6c2c2265223a5b31302c32302c7b2266223a2267227d5d2c2268223a7b2269223a322e357d7d),json_query('$.e[5]')", "", 0 },
	{ "bin(7b2261223a312c2262223a22785c6e79222c2263223a747275652c2264223a6e756c6c2c2265223a5b31302c32302c7b2266223a2267227d5d2c2268223a7b2269223a322e357d7d),json_query('$')", "", 0 },
	{ "bin(7b226e223a31323334353637383930313233343536373839307d),json_query('$.n')", "1.23457e+19", 11 },
	{ "bin(7b226e223a31323334353637383930313233343536373839307d),json_query('$.n','int')", "", 0 },
	{ "bin(7b226e223a393030373139393235343734303939317d),json_query('$.n','int')", "9007199254740991", 16 },
	{ "bin(7b226e223a2d312e3565337d),json_query('$.n')", "-1500", 5 },
	{ "bin(7b226e223a302e317d),json_query('$.n')", "0.1", 3 },
	{ "bin(7b226e223a3130303030303030307d),json_query('$.n')", "1e+08", 5 },
	{ "bin(7b2273223a22615c753030343162227d),json_query('$.s')", "aAb", 3 },
	{ "bin(7b2273223a22615c753030653962227d),json_query('$.s'),hex", "61E962", 6 },
	{ "bin(7b2273223a22615c753230616362227d),json_query('$.s')", "", 0 },
	{ "bin(7b2273223a22615c22625c2f635c5c64227d),json_query('$.s')", "", 0 },
	{ "bin(5b312c322c335d),json_query('$[2]')", "3", 1 },
	{ "bin(7b2261223a7b2262223a7b2263223a2264656570227d7d7d),json_query('$.a.b.c')", "deep", 4 },
	{ "bin(7b226122203a207b20226222203a205b2031202c202274776f22205d207d207d),json_query('$.a.b[1]')", "two", 3 },
	{ "bin(7b2261223a312c2261223a327d),json_query('$.a')", "1", 1 },
	{ "bin(7b2261223a31),json_query('$.a')", "1", 1 },
	{ "bin(7b2261223a312c7d),json_query('$.a')", "1", 1 },
	{ "bin(7b2261223a7472757d),json_query('$.a')", "", 0 },
	{ "bin(7b22782e79223a317d),json_query('$.x.y')", "", 0 },
	{ "bin(6e6f74206a736f6e),json_query('$.a')", "", 0 },
	{ "bin(7b2261223a2262227d20747261696c696e67),json_query('$.a')", "b", 1 },
	{ "bin(7b226b223a66616c73657d),json_query('$.k')", "0", 1 },
	{ "bin(7b2265223a5b5d7d),json_query('$.e[0]')", "", 0 },
	{ "bin(7b2273223a22615c2262227d),json_query('$.s')", "a\"b", 3 },
	{ "bin(7b2273223a22615c2f62227d),json_query('$.s')", "", 0 },
	{ "bin(7b2273223a22615c5c62227d),json_query('$.s')", "a\\b", 3 },
	{ "bin(7b2273223a22615c7462227d),json_query('$.s')", "a\tb", 3 },
	{ "bin(7b2273223a22615c753030227d),json_query('$.s')", "", 0 },
	{ "bin(7b2273223a225c753030303078227d),json_query('$.s')", "\x00""x", 2 },
	{ "bin(7b2261223a5b312c5b322c335d5d7d),json_query('$.a[1][0]')", "2", 1 },
	{ "bin(7b2261223a7b2262223a317d7d),json_query('$.a.c')", "", 0 },
	{ "bin(7b2261223a317d),json_query('$a')", "", 0 },
	{ "bin(7b2261223a317d),json_query('a')", "", 0 },
	{ "bin(7b22223a357d),json_query('$.')", "5", 1 },
	{ "bin(7b2261223a2278227d),json_query('$.a.b')", "", 0 },
	{ "bin(7b2261223a5b312c325d7d),json_query('$.a[x]')", "1", 1 },
	{ "bin(7b2261223a7b2262223a327d7d),json_query('$[\"a\"]')", "", 0 },
	{ "bin(7b226e223a312e307d),json_query('$.n')", "1", 1 },
	{ "bin(7b226e223a312e307d),json_query('$.n','int')", "1", 1 },
	{ "bin(7b226e223a2d307d),json_query('$.n')", "-0", 2 },
	{ "bin(7b226e223a2d307d),json_query('$.n','int')", "0", 1 },
	{ "bin(7b226e223a31653430307d),json_query('$.n')", "inf", 3 },
	{ "bin(7b226e223a31653430307d),json_query('$.n','int')", "1", 1 },
	{ "bin(7b226e223a3132333435367d),json_query('$.n')", "123456", 6 },
	{ "bin(7b226e223a3132333435367d),json_query('$.n','int')", "123456", 6 },
	{ "bin(7b226e223a313233343536377d),json_query('$.n')", "1.23457e+06", 11 },
	{ "bin(7b226e223a313233343536377d),json_query('$.n','int')", "1234567", 7 },
	{ "bin(7b226e223a223132227d),json_query('$.n')", "12", 2 },
	{ "bin(7b226e223a223132227d),json_query('$.n','int')", "12", 2 },
	{ "bin(7b226e223a332e377d),json_query('$.n')", "3.7", 3 },
	{ "bin(7b226e223a332e377d),json_query('$.n','int')", "3", 1 },
	{ "bin(7b226e223a2d332e377d),json_query('$.n')", "-3.7", 4 },
	{ "bin(7b226e223a2d332e377d),json_query('$.n','int')", "-3", 2 },
	{ "bin(7b226e223a3165327d),json_query('$.n')", "100", 3 },
	{ "bin(7b226e223a3165327d),json_query('$.n','int')", "1", 1 },
	{ "bin(7b2262223a747275657d),json_query('$.b')", "1", 1 },
	{ "bin(7b2261223a7b2262223a5b5d7d2c2263223a317d),json_query('$.c')", "1", 1 },
	{ "bin(7b2261223a225c75643833645c7564653030227d),json_query('$.a')", "", 0 },
	/* JWT header and payload queries (the jwt.io example token) */
	{ "str(eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c),jwt_header_query('$.alg')", "HS256", 5 },
	{ "str(eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c),jwt_header_query('$.typ')", "JWT", 3 },
	{ "str(eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c),jwt_header_query", "", 0 },
	{ "str(eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c),jwt_payload_query('$.sub')", "1234567890", 10 },
	{ "str(eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c),jwt_payload_query('$.name')", "John Doe", 8 },
	{ "str(eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c),jwt_payload_query('$.iat','int')", "1516239022", 10 },
	{ "str(eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c),jwt_payload_query('$.iat')", "1.51624e+09", 11 },
	{ "str(eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c),jwt_payload_query('$.nope')", "", 0 },
	{ "str(eyJhbGciOiJIUzI1NiJ9),jwt_header_query('$.alg')", "HS256", 5 },
	{ "str(eyJhbGciOiJIUzI1NiJ9),jwt_payload_query('$.alg')", "", 0 },
	{ "str(eyJhbGciOiJIUzI1NiJ9.),jwt_payload_query('$.alg')", "", 0 },
	{ "str(a.b.c.d),jwt_payload_query('$.alg')", "", 0 },
	{ "str(!!!.eyJhIjoxfQ),jwt_payload_query('$.a')", "1", 1 },
	{ "str(x.eyJhIjoxfQ.y),jwt_payload_query('$.a')", "1", 1 },
	/* jwt_verify (txn.s holds "abc": not an algorithm) */
	{ "str(eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c),jwt_verify(HS256,your-256-bit-secret)", "1", 1 },
	{ "str(eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c),jwt_verify(HS256,wrong)", "0", 1 },
	{ "str(eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c),jwt_verify(HS384,your-256-bit-secret)", "0", 1 },
	{ "str(eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c),jwt_verify(HS512,your-256-bit-secret)", "0", 1 },
	{ "str(eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c),jwt_verify(none,x)", "0", 1 },
	{ "str(eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c),jwt_verify(txn.s,your-256-bit-secret)", "-1", 2 },
	{ "str(a.b.c.d),jwt_verify(HS256,k)", "-3", 2 },
	{ "str(a.b),jwt_verify(HS256,k)", "-3", 2 },
	{ "str(a.b),jwt_verify(none,k)", "1", 1 },
	{ "str(a.b.),jwt_verify(none,k)", "1", 1 },
	{ "str(a.b.c),jwt_verify(none,k)", "0", 1 },
	{ "str(a.b.!!!),jwt_verify(HS256,k)", "-3", 2 },
	{ "str(a.b.),jwt_verify(HS256,k)", "-3", 2 },
	{ "str(a),jwt_verify(none,k)", "-3", 2 },
	{ "str(a.b.YWJj),jwt_verify(HS256,k)", "0", 1 },
};

static struct stream strm;

static int ev(const char *expr, char *out, size_t n, size_t *len)
{
	char err[512];
	struct sample_expr *e = sample_expr_parse(expr, NULL, NULL, err, sizeof(err));
	struct smp_ctx ctx = { .strm = &strm, .final = 1 };
	struct sample smp = { 0 };
	int r;

	out[0] = 0;
	*len = 0;
	if (!e) {
		*len = (size_t)snprintf(out, n, "ERR %.200s", err);
		return -1;
	}
	r = sample_expr_eval(e, &ctx, &smp);
	if (r && sample_cast(&smp, SMP_T_STR)) {
		*len = smp.u.str.len < n ? smp.u.str.len : n - 1;
		memcpy(out, smp.u.str.ptr, *len);
		out[*len] = 0;
	}
	sample_expr_free(e);
	return r;
}

static void t_haproxy_vectors(void)
{
	char got[512], msg[2048];
	size_t len;

	for (size_t i = 0; i < sizeof(vectors) / sizeof(*vectors); i++) {
		ev(vectors[i].expr, got, sizeof(got), &len);
		if (len != vectors[i].wlen || memcmp(got, vectors[i].want, len)) {
			snprintf(msg, sizeof(msg), "%.300s -> \"%s\", expected \"%s\"", vectors[i].expr, got, vectors[i].want);
			unit_case_failed = 0;
			unit_fail(msg, __FILE__, __LINE__);
		}
	}
}

static void t_types_and_errors(void)
{
	char out[256], err[256];
	size_t len;
	struct sample_expr *e;
	struct smp_ctx ctx = { .final = 1 };
	struct sample smp = { 0 };

	/* {"b":true,"n":42} */
	e = sample_expr_parse("bin(7b2262223a747275652c226e223a34327d),json_query('$.b')", NULL, NULL, err, sizeof(err));
	EXPECT_INT(sample_expr_eval(e, &ctx, &smp), 1);
	EXPECT_INT(smp.type, SMP_T_BOOL);
	sample_expr_free(e);
	e = sample_expr_parse("bin(7b2262223a747275652c226e223a34327d),json_query('$.n',int),add(1)", NULL, NULL, err, sizeof(err));
	EXPECT_INT(sample_expr_eval(e, &ctx, &smp), 1);
	EXPECT_INT(smp.type, SMP_T_SINT);
	EXPECT_INT(smp.u.sint, 43);
	sample_expr_free(e);
	EXPECT_INT(ev("str(x),json_query('')", out, sizeof(out), &len), -1);
	EXPECT_STR(out, "ERR invalid args in converter 'json_query' : json_path must not be empty");
	EXPECT_INT(ev("str(x),json_query('$.a',float)", out, sizeof(out), &len), -1);
	EXPECT_STR(out, "ERR invalid args in converter 'json_query' : output_type only supports \"int\" as argument");
	EXPECT_INT(ev("str(a),jwt_verify(XX256,k)", out, sizeof(out), &len), -1);
	EXPECT_STR(out, "ERR invalid args in converter 'jwt_verify' : unknown JWT algorithm: XX256");
	EXPECT_INT(ev("str(a),jwt_verify(PS256,k)", out, sizeof(out), &len), -1);
	EXPECT_STR(out, "ERR invalid args in converter 'jwt_verify' : RSASSA-PSS JWS signing not managed yet");
	/* a key file that cannot be loaded is no configuration error: -5 */
	EXPECT_INT(ev("str(a.b.YWJj),jwt_verify(RS256,/nonexistent/cert.pem)", out, sizeof(out), &len), 1);
	EXPECT_STR(out, "-5");
	/* deep nesting is refused, not a stack overflow */
	{
		static char deep[20000], expr[45000];
		size_t n = 0, o;

		for (int i = 0; i < 5000; i++)
			deep[n++] = '[';
		o = (size_t)snprintf(expr, sizeof(expr), "bin(");
		for (size_t i = 0; i < n; i++)
			o += (size_t)snprintf(expr + o, sizeof(expr) - o, "%02x", (unsigned char)deep[i]);
		snprintf(expr + o, sizeof(expr) - o, "),json_query('$[0][0]')");
		EXPECT_INT(ev(expr, out, sizeof(out), &len), 0);
	}
}

int main(void)
{
	char err[128];
	struct var_ref ref;
	struct sample v = { 0 };

	vars_parse_ref("txn.s", 5, &ref, err, sizeof(err));
	smp_set_const_str(&v, "abc", 3);
	vars_set(&strm.vars_txn, &ref, &v);
	vars_ref_free(&ref);
	RUN(t_haproxy_vectors);
	RUN(t_types_and_errors);
	vars_clear(&strm.vars_txn);
	return unit_end();
}
