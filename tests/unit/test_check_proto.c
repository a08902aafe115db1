/* test_check_proto.c: the parts of the checks that judge bytes without a
 * connection: on-success/on-error messages, the MySQL and LDAP expects,
 * the agent's reply line, HTTP check responses and requests. Truncated
 * and hostile inputs must give a result, never a crash. */
#include <string.h>
#include "tests/unit/unit.h"
#include "engine/cfg.h"
#include "engine/check.h"
#include "engine/check_int.h"
#include "engine/proxy.h"

static void t_fmt(void)
{
	char err[200], out[128];
	struct tc_fmt *f;
	const char smtp[] = "250   mx.example ESMTP\r\nmore";

	f = tc_fmt_parse("%[res.payload(4,0),ltrim(' '),cut_crlf]", err, sizeof(err));
	EXPECT(f != NULL);
	tc_fmt_build(f, smtp, sizeof(smtp) - 1, out, sizeof(out));
	EXPECT_STR(out, "mx.example ESMTP");
	/* an offset past the data finds nothing */
	tc_fmt_build(f, "25", 2, out, sizeof(out));
	EXPECT_STR(out, "");
	tc_fmt_free(f);

	f = tc_fmt_parse("code=%[res.payload(0,3)] rest=%[res.payload(6,0)]!", err, sizeof(err));
	EXPECT(f != NULL);
	/* a NUL ends the message, as a C string */
	tc_fmt_build(f, "E\0\0\0\x1cSFATAL\0C28000", 18, out, sizeof(out));
	EXPECT_STR(out, "code=E");
	tc_fmt_build(f, "ab", 2, out, sizeof(out));      /* payload(0,3) needs 3 bytes */
	EXPECT_STR(out, "code= rest=!");
	tc_fmt_free(f);

	f = tc_fmt_parse("%[res.payload(0,2),hex]", err, sizeof(err));
	EXPECT(f != NULL);
	tc_fmt_build(f, "\x15\x03", 2, out, sizeof(out));
	EXPECT_STR(out, "1503");
	/* a small output is cut, still terminated */
	tc_fmt_build(f, "\x15\x03", 2, out, 3);
	EXPECT_STR(out, "15");
	tc_fmt_free(f);

	EXPECT(tc_fmt_parse("%[src]", err, sizeof(err)) == NULL);
	EXPECT(strstr(err, "only text, '%[res.payload(<offset>,<length>)]', '%[res.hdr(<name>)]', '%[res.fhdr(<name>)]' and '%[var(check.<name>)]'") != NULL);
	EXPECT(tc_fmt_parse("%[res.payload(0,0)", err, sizeof(err)) == NULL);
	EXPECT(tc_fmt_parse("%[var(check.)]", err, sizeof(err)) == NULL);
	EXPECT(tc_fmt_parse("%[res.payload(0,0),lower]", err, sizeof(err)) == NULL);
}

static void t_vars(void)
{
	struct ckvars v;
	struct tc_fmt *f;
	char err[200], out[64], big[300];
	size_t n;

	memset(&v, 0, sizeof(v));
	f = tc_fmt_parse("<%[var(check.a)]|%[var(check.b),hex]|%[var(check.c)]>", err, sizeof(err));
	EXPECT(f != NULL);
	EXPECT_INT(ckvars_set(&v, "a", "x y", 3), 0);
	EXPECT_INT(ckvars_set(&v, "b", "\x01" "A", 2), 0);
	n = tc_fmt_build_vars(f, NULL, 0, &v, NULL, out, sizeof(out));
	EXPECT_STR(out, "<x y|0141|>");
	EXPECT_INT(n, 11);
	/* set again replaces, unset removes */
	EXPECT_INT(ckvars_set(&v, "a", "z", 1), 0);
	ckvars_unset(&v, "b");
	tc_fmt_build_vars(f, NULL, 0, &v, NULL, out, sizeof(out));
	EXPECT_STR(out, "<z||>");
	/* values are cut to CKVAR_LEN, the table is bounded */
	memset(big, 'q', sizeof(big));
	EXPECT_INT(ckvars_set(&v, "c", big, sizeof(big)), 0);
	EXPECT_INT(ckvars_get(&v, "c", &n) != NULL, 1);
	EXPECT_INT(n, CKVAR_LEN);
	for (int i = 0; i < CKVAR_MAX; i++) {
		static const char *const names[] = { "n0", "n1", "n2", "n3", "n4", "n5", "n6", "n7" };

		ckvars_set(&v, names[i], "v", 1);
	}
	EXPECT_INT(v.nb, CKVAR_MAX);
	EXPECT_INT(ckvars_set(&v, "one-more", "v", 1), -1);
	tc_fmt_free(f);
}

static void t_mysql(void)
{
	enum check_result res = CHECK_OK;
	char info[128];
	int code = 0;
	/* handshake v10, version "5.7.1" */
	const char hs[] = "\x0e\x00\x00\x00\x0a" "5.7.1\0" "\x01\x00\x00\x00" "abc";
	const char er[] = "\x0b\x00\x00\x00\xff\x15\x04" "#28000no";

	EXPECT_INT(tc_custom_eval(TC_CUSTOM_MYSQL_INIT, hs, 10, 0, 1, &res, &code, info, sizeof(info)), TC_EVAL_WAIT);
	EXPECT_INT(tc_custom_eval(TC_CUSTOM_MYSQL_INIT, hs, 10, 1, 1, &res, &code, info, sizeof(info)), TC_EVAL_FAIL);
	EXPECT_INT(res, CHECK_L7_RSP);
	EXPECT_INT(tc_custom_eval(TC_CUSTOM_MYSQL_INIT, hs, sizeof(hs) - 1, 0, 1, &res, &code, info, sizeof(info)), TC_EVAL_DONE);
	EXPECT_INT(res, CHECK_L7_OK);
	EXPECT_STR(info, "5.7.1");
	/* not the last expect: the next one reads the OK packet */
	EXPECT_INT(tc_custom_eval(TC_CUSTOM_MYSQL_INIT, hs, sizeof(hs) - 1, 0, 0, &res, &code, info, sizeof(info)), TC_EVAL_NEXT);
	EXPECT_INT(tc_custom_eval(TC_CUSTOM_MYSQL_INIT, er, sizeof(er) - 1, 0, 1, &res, &code, info, sizeof(info)), TC_EVAL_FAIL);
	EXPECT_INT(res, CHECK_L7_STS);
	EXPECT_INT(code, 1045);
	EXPECT_STR(info, "#28000no");
	/* the answer to the authentication follows the handshake */
	{
		char both[64];
		size_t n = sizeof(hs) - 1;

		memcpy(both, hs, n);
		memcpy(both + n, er, sizeof(er) - 1);
		EXPECT_INT(tc_custom_eval(TC_CUSTOM_MYSQL_OK, both, n + 3, 0, 1, &res, &code, info, sizeof(info)), TC_EVAL_WAIT);
		EXPECT_INT(tc_custom_eval(TC_CUSTOM_MYSQL_OK, both, n + sizeof(er) - 1, 0, 1, &res, &code, info, sizeof(info)), TC_EVAL_FAIL);
		EXPECT_INT(code, 1045);
		/* a length pointing far away: truncated once the server closed */
		both[0] = (char)0xff;
		both[1] = (char)0xff;
		EXPECT_INT(tc_custom_eval(TC_CUSTOM_MYSQL_OK, both, n, 1, 1, &res, &code, info, sizeof(info)), TC_EVAL_FAIL);
		EXPECT_INT(res, CHECK_L7_RSP);
	}
}

static void t_ldap(void)
{
	enum check_result res = CHECK_OK;
	char info[128];
	int code = 0;
	const char ok[] = "\x30\x0c\x02\x01\x01\x61\x07\x0a\x01\x00\x04\x00\x04\x00";
	const char bad[] = "\x30\x0c\x02\x01\x01\x61\x07\x0a\x01\x31\x04\x00\x04\x00";
	const char notldap[] = "\x30\x0c\x02\x01\x01\x60\x07\x0a\x01\x00\x04\x00\x04\x00";
	const char big[] = "\x30\x84\x00\x00\x00\x10\x02\x01\x01\x61\x84\x00\x00\x00\x07\x0a\x01";

	EXPECT_INT(tc_custom_eval(TC_CUSTOM_LDAP, ok, 14, 0, 1, &res, &code, info, sizeof(info)), TC_EVAL_DONE);
	EXPECT_STR(info, "Success");
	EXPECT_INT(tc_custom_eval(TC_CUSTOM_LDAP, bad, 14, 0, 1, &res, &code, info, sizeof(info)), TC_EVAL_FAIL);
	EXPECT_INT(res, CHECK_L7_STS);
	EXPECT_INT(code, 49);
	EXPECT_INT(tc_custom_eval(TC_CUSTOM_LDAP, notldap, 14, 0, 1, &res, &code, info, sizeof(info)), TC_EVAL_FAIL);
	EXPECT_STR(info, "Not LDAPv3 protocol");
	/* a 4-byte length announcing more than arrived: wait, or fail at the end */
	EXPECT_INT(tc_custom_eval(TC_CUSTOM_LDAP, big, sizeof(big) - 1, 0, 1, &res, &code, info, sizeof(info)), TC_EVAL_WAIT);
	EXPECT_INT(tc_custom_eval(TC_CUSTOM_LDAP, big, sizeof(big) - 1, 1, 1, &res, &code, info, sizeof(info)), TC_EVAL_FAIL);
	EXPECT_INT(res, CHECK_L7_RSP);
	/* the two-byte prefix only */
	EXPECT_INT(tc_custom_eval(TC_CUSTOM_LDAP, big, 2, 1, 1, &res, &code, info, sizeof(info)), TC_EVAL_FAIL);
}

static void t_agent(void)
{
	struct proxy px;
	struct server s;
	enum check_result res = CHECK_OK;
	char info[256], big[1500];
	int neutral;

	memset(&px, 0, sizeof(px));
	memset(&s, 0, sizeof(s));
	px.name = "be";
	s.px = &px;
	s.name = "s";
	s.weight = 100;
	s.cur_weight = 100;
	s.rise = 2;
	s.fall = 3;
	s.agent_health = 2;
	s.state = SRV_UP;
	px.srv = &s;

	EXPECT_INT(check_agent_reply(&s, "up", 2, 0, &res, &neutral, info, sizeof(info)), TC_EVAL_WAIT);
	EXPECT_INT(check_agent_reply(&s, "up", 2, 1, &res, &neutral, info, sizeof(info)), TC_EVAL_DONE);
	EXPECT_INT(neutral, 1);
	EXPECT_STR(info, "Ignoring incomplete line from agent");

	EXPECT_INT(check_agent_reply(&s, "75%,maxconn:30 down # disk full\n", 32, 0, &res, &neutral, info, sizeof(info)), TC_EVAL_DONE);
	EXPECT_INT(neutral, 0);
	EXPECT_INT(res, CHECK_L7_STS);
	EXPECT_STR(info, "via agent : down (disk full)");
	EXPECT_INT(s.cur_weight, 75);
	EXPECT_INT(s.maxconn, 30);
	EXPECT_INT(s.agent_health, 0);

	EXPECT_INT(check_agent_reply(&s, "UP\tfoo\r\n", 8, 0, &res, &neutral, info, sizeof(info)), TC_EVAL_DONE);
	EXPECT_INT(res, CHECK_L7_OK);
	EXPECT_STR(info, "via agent : UP (foo)");     /* the word as written */
	EXPECT_INT(s.agent_health, 4);

	/* no health word: nothing to count, the oddity is described */
	EXPECT_INT(check_agent_reply(&s, "bogus\n", 6, 0, &res, &neutral, info, sizeof(info)), TC_EVAL_DONE);
	EXPECT_INT(neutral, 1);
	EXPECT_STR(info, "agent reports an error : bogus");
	EXPECT_INT(check_agent_reply(&s, "maxconn:x\n", 10, 0, &res, &neutral, info, sizeof(info)), TC_EVAL_DONE);
	EXPECT_STR(info, "agent warns : maxconn string empty or not an integer");
	EXPECT_INT(check_agent_reply(&s, "300%\n", 5, 0, &res, &neutral, info, sizeof(info)), TC_EVAL_DONE);
	EXPECT_STR(info, "agent warns : Weight is too large");

	/* a line longer than what is kept is cut, not overflowed */
	memset(big, 'a', sizeof(big));
	big[sizeof(big) - 1] = '\n';
	EXPECT_INT(check_agent_reply(&s, big, sizeof(big), 0, &res, &neutral, info, sizeof(info)), TC_EVAL_DONE);
	EXPECT(!strncmp(info, "agent reports an error : aaa", 28));
	EXPECT(strlen(info) < sizeof(info));
}

static void t_http_parse(void)
{
	struct tc_hrsp r;
	char tmp[64];
	const char cl[] = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: 1, two\r\n\r\nhello!!";
	const char ch[] = "HTTP/1.1 503 Busy Now\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n";

	EXPECT_INT(tc_http_parse(cl, 20, 0, tmp, sizeof(tmp), &r), 0);
	EXPECT_INT(tc_http_parse(cl, 20, 1, tmp, sizeof(tmp), &r), -1);
	EXPECT_INT(tc_http_parse(cl, sizeof(cl) - 1, 0, tmp, sizeof(tmp), &r), 1);
	EXPECT_INT(r.code, 200);
	EXPECT_INT(r.rlen, 2);
	EXPECT_INT(r.blen, 5);
	EXPECT(r.complete);
	EXPECT_INT(tc_http_parse(cl, sizeof(cl) - 5, 0, tmp, sizeof(tmp), &r), 1);
	EXPECT(!r.complete);
	EXPECT_INT(tc_http_parse(ch, sizeof(ch) - 1, 0, tmp, sizeof(tmp), &r), 1);
	EXPECT_INT(r.code, 503);
	EXPECT_INT(r.rlen, 8);
	EXPECT_MEM(r.reason, "Busy Now", 8);
	EXPECT_INT(r.blen, 5);
	EXPECT_MEM(r.body, "abcde", 5);
	EXPECT(r.complete);
	/* a chunk bigger than the room is cut to it */
	EXPECT_INT(tc_http_parse(ch, sizeof(ch) - 1, 0, tmp, 2, &r), 1);
	EXPECT_INT(r.blen, 2);
	/* not HTTP */
	EXPECT_INT(tc_http_parse("SSH-2.0-x\r\n\r\n", 13, 0, tmp, sizeof(tmp), &r), -1);
	EXPECT_INT(tc_http_parse("HTTP/1.1 2x0 OK\r\n\r\n", 19, 0, tmp, sizeof(tmp), &r), -1);
	EXPECT_INT(tc_http_parse("HTTP/1.1 204\r\n\r\n", 16, 0, tmp, sizeof(tmp), &r), 1);
	EXPECT_INT(r.rlen, 0);
	EXPECT(r.complete);
}

/* Parses "http-check expect <words>" into <r> (a proxy of its own). */
static int hexp(struct tc_rule *r, const char *line)
{
	static char buf[256];
	char *args[16];
	int n = 0;
	struct cfg_ctx c;

	memset(&c, 0, sizeof(c));
	memset(r, 0, sizeof(*r));
	snprintf(buf, sizeof(buf), "%s", line);
	for (char *t = strtok(buf, " "); t && n < 16; t = strtok(NULL, " "))
		args[n++] = t;
	return tc_parse_expect(&c, r, args, n, 1);
}

static void t_http_match(void)
{
	struct tc_hrsp rsp;
	struct tc_rule r;
	char tmp[64];
	const char msg[] = "HTTP/1.1 200 OK\r\nX-Version: 1.2, beta\r\nCache-Control: no-cache, private\r\n"
	                   "content-length: 12\r\n\r\nstatus: up\r\n";

	EXPECT_INT(tc_http_parse(msg, sizeof(msg) - 1, 0, tmp, sizeof(tmp), &rsp), 1);
	EXPECT_INT(hexp(&r, "http-check expect status 100-199,200"), 0);
	EXPECT_INT(tc_http_match(&r, &rsp), 1);
	tc_rule_clear(&r);
	EXPECT_INT(hexp(&r, "http-check expect rstatus ^3"), 0);
	EXPECT_INT(tc_http_match(&r, &rsp), 0);
	tc_rule_clear(&r);
	EXPECT_INT(hexp(&r, "http-check expect string up"), 0);
	EXPECT_INT(tc_http_match(&r, &rsp), 1);
	tc_rule_clear(&r);
	EXPECT_INT(hexp(&r, "http-check expect hdr name X-VERSION value beta"), 0);
	EXPECT_INT(tc_http_match(&r, &rsp), 1);
	tc_rule_clear(&r);
	/* fhdr: the whole value */
	EXPECT_INT(hexp(&r, "http-check expect fhdr name x-version value beta"), 0);
	EXPECT_INT(tc_http_match(&r, &rsp), 0);
	tc_rule_clear(&r);
	EXPECT_INT(hexp(&r, "http-check expect fhdr name -m end -control value -m sub e,"), 0);
	EXPECT_INT(tc_http_match(&r, &rsp), 1);
	tc_rule_clear(&r);
	/* hdr: each value alone, so no "e," in any */
	EXPECT_INT(hexp(&r, "http-check expect hdr name -m end -control value -m sub e,"), 0);
	EXPECT_INT(tc_http_match(&r, &rsp), 0);
	tc_rule_clear(&r);
	EXPECT_INT(hexp(&r, "http-check expect hdr name -m reg ^x-v.*n$ value -m reg ^[0-9.]+$"), 0);
	EXPECT_INT(tc_http_match(&r, &rsp), 1);
	tc_rule_clear(&r);
	/* log-format patterns, built from the response: the last value of
	 * x-version is "beta"; a regex cannot be built */
	EXPECT_INT(hexp(&r, "http-check expect hdr name-lf x-%[res.hdr(cache-control)] value beta"), 0);
	EXPECT_INT(tc_http_match_vars(&r, &rsp, msg, sizeof(msg) - 1, NULL, NULL), 0);
	tc_rule_clear(&r);
	EXPECT_INT(hexp(&r, "http-check expect hdr name x-version value-lf %[res.hdr(x-version)]"), 0);
	EXPECT_INT(tc_http_match_vars(&r, &rsp, msg, sizeof(msg) - 1, NULL, NULL), 1);
	tc_rule_clear(&r);
	EXPECT_INT(hexp(&r, "http-check expect hdr name-lf -m reg %[res.hdr(x)]"), -1);
	tc_rule_clear(&r);
	{
		size_t vl = 0;
		const char *v = tc_http_hdr(msg, sizeof(msg) - 1, "x-version", 9, 0, &vl);

		EXPECT(v && vl == 4 && !memcmp(v, "beta", 4));
		v = tc_http_hdr(msg, sizeof(msg) - 1, "X-Version", 9, 1, &vl);
		EXPECT(v && vl == 9 && !memcmp(v, "1.2, beta", 9));
		EXPECT(!tc_http_hdr(msg, sizeof(msg) - 1, "x-none", 6, 0, &vl));
		/* a header in the body is not one */
		EXPECT(!tc_http_hdr(msg, sizeof(msg) - 1, "status", 6, 0, &vl));
	}
	tc_rule_clear(&r);
	EXPECT_INT(hexp(&r, "http-check expect hdr name x-none"), 0);
	EXPECT_INT(tc_http_match(&r, &rsp), 0);
	tc_rule_clear(&r);
}

static void t_http_build(void)
{
	struct tc_http_req q;
	struct tc_rule r;
	struct proxy px;
	struct server s;
	char out[512];
	char *hdrs[] = { "host", "a.example" };
	size_t n;

	memset(&q, 0, sizeof(q));
	memset(&r, 0, sizeof(r));
	memset(&px, 0, sizeof(px));
	memset(&s, 0, sizeof(s));
	r.kind = TC_HTTP_SEND;
	r.req = &q;
	n = tc_http_build(&r, &s, 0, out, sizeof(out));
	EXPECT_INT(n, 22);
	EXPECT_MEM(out, "OPTIONS / HTTP/1.0\r\n\r\n", 22);
	q.meth = "POST";
	q.uri = "/x";
	q.ver = "HTTP/1.1";
	q.hdrs = hdrs;
	q.nb_hdrs = 2;
	q.body = "abc";
	q.body_len = 3;
	n = tc_http_build(&r, &s, 0, out, sizeof(out));
	out[n] = 0;
	EXPECT_STR(out, "POST /x HTTP/1.1\r\nhost: a.example\r\ncontent-length: 3\r\nconnection: close\r\n\r\nabc");
	/* too small: nothing rather than a cut request */
	EXPECT_INT(tc_http_build(&r, &s, 0, out, 40), 0);

	check_http_set_node("n1");
	px.name = "be";
	px.srv = &s;
	s.px = &px;
	s.name = "s1";
	s.check = 1;
	s.rise = 2;
	s.fall = 3;
	s.health = 4;
	s.weight = s.cur_weight = 2;
	s.state = SRV_UP;
	q.hdrs = NULL;
	q.nb_hdrs = 0;
	q.body = NULL;
	q.body_len = 0;
	q.ver = NULL;
	n = tc_http_build(&r, &s, 1, out, sizeof(out));
	out[n] = 0;
	EXPECT_STR(out, "POST /x HTTP/1.0\r\nx-haproxy-server-state: UP; address=; port=; name=be/s1; node=n1; weight=2/2; scur=0/0; qcur=0\r\n\r\n");
	s.health = 1;
	s.state = SRV_DOWN;
	n = tc_http_build(&r, &s, 1, out, sizeof(out));
	out[n] = 0;
	EXPECT(strstr(out, "x-haproxy-server-state: DOWN 1/2; ") != NULL);
	EXPECT(strstr(out, "weight=2/0;") != NULL);
}

/* Random and truncated inputs through every parser: each gives a result
 * in its range, and under ASan/UBSan reads nothing outside its input. */
static void t_random_inputs(void)
{
	static const char *const seeds[] = {
		"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
		"\x30\x84\x00\x00\x00\x10\x02\x01\x01\x61\x84\x00\x00\x00\x07\x0a\x01\x00",
		"\x0e\x00\x00\x00\x0a" "5.7.1\0\x01\x00\x00\x00" "abc\x07\x00\x00\x02\x00\x00\x00",
		"\x00\x00\x00\x19\x65\x00\x00\x00\x01\x00\x00\x0e" "max-frame-size\x03\xf0\x31",
		"75%,maxconn:30 drain up # x\n",
	};
	struct proxy px;
	struct server srv;
	uint32_t r = 2463534242u;
	char buf[320], info[256], tmp[128];

	memset(&px, 0, sizeof(px));
	memset(&srv, 0, sizeof(srv));
	px.name = "be";
	px.srv = &srv;
	srv.px = &px;
	srv.name = "s";
	srv.weight = srv.cur_weight = 10;
	srv.rise = 2;
	srv.fall = 3;
	for (int it = 0; it < 20000; it++) {
		static const size_t seed_len[] = { 62, 18, 25, 29, 28 };
		const char *seed = seeds[it % 5];
		size_t sl = seed_len[it % 5], len;
		enum check_result res = CHECK_OK;
		struct tc_hrsp rsp;
		int code = 0, neutral, rc;

		r ^= r << 13; r ^= r >> 17; r ^= r << 5;
		len = r % (sizeof(buf) - 1);
		memcpy(buf, seed, sl < len ? sl : len);
		/* flip a few bytes of the seed, or all of them */
		for (size_t i = 0; i < len; i++) {
			r ^= r << 13; r ^= r >> 17; r ^= r << 5;
			if (i >= sl || r % 13 == 0)
				buf[i] = (char)(r >> 8);
		}
		rc = tc_http_parse(buf, len, it & 1, tmp, sizeof(tmp), &rsp);
		EXPECT(rc >= -1 && rc <= 1);
		if (rc == 1)
			EXPECT(rsp.blen <= len && rsp.code >= 0 && rsp.code <= 999);
		for (int w = TC_CUSTOM_MYSQL_INIT; w <= TC_CUSTOM_SPOP; w++) {
			if (w == TC_CUSTOM_AGENT || !len)
				continue;
			rc = tc_custom_eval((enum tc_custom)w, buf, len, it & 1, 1, &res, &code, info, sizeof(info));
			EXPECT(rc >= TC_EVAL_NEXT && rc <= TC_EVAL_DONE);
			EXPECT(strlen(info) < sizeof(info));
		}
		info[0] = 0;
		srv.state = SRV_UP;
		rc = check_agent_reply(&srv, buf, len, it & 1, &res, &neutral, info, sizeof(info));
		EXPECT(rc == TC_EVAL_WAIT || rc == TC_EVAL_DONE);
		EXPECT(srv.cur_weight >= 0 && srv.cur_weight <= 256);
	}
}

int main(void)
{
	RUN(t_fmt);
	RUN(t_vars);
	RUN(t_mysql);
	RUN(t_ldap);
	RUN(t_agent);
	RUN(t_http_parse);
	RUN(t_http_match);
	RUN(t_http_build);
	RUN(t_random_inputs);
	return unit_end();
}
