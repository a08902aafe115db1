/* test_stick.c: stick tables — HAProxy's frequency counter arithmetic,
 * the "stick-table" keyword and its errors, keys of every type, LRU
 * eviction when full (held entries excepted), expiry, data types, the
 * "show table" line, and track-sc table resolution. */
#include <arpa/inet.h>
#include <unistd.h>

#include "tests/unit/unit.h"
#include "engine/cfg.h"
#include "engine/cli.h"
#include "engine/log.h"
#include "engine/stick.h"

static char out[1 << 16];     /* what the last parse printed on stderr */

/* Parses <text> into <cfg> (zeroed first), capturing stderr into <out>. */
static int parse(struct config *cfg, const char *text)
{
	FILE *tmp = tmpfile();
	int saved, r;
	size_t n;

	memset(cfg, 0, sizeof(*cfg));
	log_set_quiet(0);
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

static struct stktable *table(struct config *cfg, const char *name)
{
	return stick_table_of(proxy_find(cfg, name, 0));
}

static struct sample ip(const char *s)
{
	struct sample smp;

	memset(&smp, 0, sizeof(smp));
	smp.type = SMP_T_IPV4;
	inet_pton(AF_INET, s, &smp.u.ipv4);
	return smp;
}

static struct sample str(const char *s)
{
	struct sample smp;

	memset(&smp, 0, sizeof(smp));
	smp_set_const_str(&smp, s, strlen(s));
	return smp;
}

/* The counter over a 10 s period: current events, then the previous
 * period's weighed by the time left, then nothing after two periods. */
static void t_freq_ctr(void)
{
	struct freq_ctr f = { 0, 0, 0 };

	freq_ctr_add(&f, 10000, 100000, 5);
	EXPECT_INT(freq_ctr_read(&f, 10000, 100000), 5);
	freq_ctr_add(&f, 10000, 105000, 5);
	EXPECT_INT(freq_ctr_read(&f, 10000, 105000), 10);
	EXPECT_INT(freq_ctr_read(&f, 10000, 109999), 10);
	/* one period later: the 10 events count for the time left */
	EXPECT_INT(freq_ctr_read(&f, 10000, 110000), 10);
	EXPECT_INT(freq_ctr_read(&f, 10000, 115000), 5);
	EXPECT_INT(freq_ctr_read(&f, 10000, 117500), 2);
	freq_ctr_add(&f, 10000, 115000, 4);
	EXPECT_INT(f.prev, 10);
	EXPECT_INT(f.curr, 4);
	EXPECT_INT(freq_ctr_read(&f, 10000, 115000), 9);
	/* two periods without events: nothing */
	EXPECT_INT(freq_ctr_read(&f, 10000, 130000), 0);
	freq_ctr_add(&f, 10000, 140000, 1);
	EXPECT_INT(f.prev, 0);
	EXPECT_INT(f.curr, 1);
	EXPECT_INT(f.tick, 140000);
	/* a single past event does not flap down to 0 */
	EXPECT_INT(freq_ctr_read(&f, 10000, 155000), 1);
}

static void t_cfg_errors(void)
{
	static const struct { const char *line, *msg; } cases[] = {
		{ "stick-table type foo size 10", "parsing [t.cfg:4] : stick-table: unknown type 'foo'." },
		{ "stick-table type ip", "parsing [t.cfg:4] : stick-table: missing size." },
		{ "stick-table size 10", "parsing [t.cfg:4] : stick-table: missing type." },
		{ "stick-table type ip size 10 store foo", "parsing [t.cfg:4] : stick-table: unknown store option 'foo'." },
		{ "stick-table type ip size 10 store http_req_rate",
		  "parsing [t.cfg:4] : stick-table: missing argument to store option 'http_req_rate'." },
		{ "stick-table type ip size 10 bar", "parsing [t.cfg:4] : stick-table: unknown argument 'bar'." },
		{ "http-request track-sc3 src", "3 track-sc number exceeding 2 (MAX_SESS_STKCTR-1) value." },
		{ "http-request sc-inc-gpc0(5)", "invalid stick table track ID. The max allowed ID is 2." },
		{ "http-request track-sc2", "missing fetch method." },
		{ "http-request track-sc1 src table nope", "Proxy 'b': unable to find table 'nope' referenced by track-sc1." },
		{ "http-request track-sc0 src", "Proxy 'b': unable to find table 'b' referenced by track-sc0." },
		{ "stick on src", "Proxy 'b': unable to find stick-table 'b'." },
		{ "tcp-request content track-sc3 src",
		  "parsing [t.cfg:4] : 'tcp-request content track-sc3' : 3 track-sc number exceeding 2 (MAX_SESS_STKCTR-1) value\n" },
		{ "http-request sc-inc-gpc(1)", "rule : Missing gpc ID 'sc-inc-gpc(1)'. Expects sc-inc-gpc(<GPC ID>,<Track ID>).\n" },
		{ "http-request sc-inc-gpc0(x)", "rule : invalid stick table track ID. Expects sc-inc-gpc0(x)(<Track ID>).\n" },
		{ "http-request track-sc0 src table", "rule : missing table name.\n" },
		{ "stick-table type ip size -1", "parsing [t.cfg:4] : stick-table: unexpected character '-' in argument of 'size'." },
		{ "stick-table type ip size 1 expire 10x", "parsing [t.cfg:4] : stick-table: unexpected character 'x' in argument of 'expire'." },
		{ "stick-table type ip size 1 store gpc0(1)", "parsing [t.cfg:4] : stick-table: unexpected argument to store option 'gpc0'." },
		{ "stick-table type ip size 1 store gpc(2),gpc0",
		  "stick-table: simultaneous usage of 'gpc' and 'gpc[0/1]' in a same table is not permitted as 'gpc' overrides 'gpc[0/1]'." },
		{ "stick-table type ip size 1 store gpc(101)",
		  "stick-table: array size is out of allowed range (1-100) for store option 'gpc'." },
		{ "stick-table type ip size 1 store gpc_rate(2)", "stick-table: missing argument to store option 'gpc_rate'." },
		{ "http-request sc-set-gpt(3) 5", "rule : Missing gpt ID 'sc-set-gpt(3)'. Expects sc-set-gpt(<GPT ID>,<Track ID>).\n" },
		{ "stick on src table nope", "Proxy 'b': unable to find stick-table 'nope'." },
		{ "stick foo src", "'stick' expects 'on', 'match', 'store-request' or 'store-response'." },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct config cfg;
		char text[512];

		snprintf(text, sizeof(text), "defaults\n    mode http\nbackend b\n    %s\n", cases[i].line);
		EXPECT(parse(&cfg, text) > 0);
		if (!strstr(out, cases[i].msg))
			printf("  case %zu: got '%s'\n", i, out);
		EXPECT(strstr(out, cases[i].msg) != NULL);
		cfg_free(&cfg);
	}
	{
		/* HAProxy's advice for an HTTP frontend tracking at content level */
		struct config cfg;
		const char *conf = "defaults\n    mode http\n    timeout client 1s\n    timeout server 1s\n"
		                   "    timeout connect 1s\nfrontend f\n    bind 127.0.0.1:18999\n"
		                   "    stick-table type ip size 10\n    tcp-request content track-sc0 src\n"
		                   "    tcp-request content track-sc1 src\n";
		EXPECT_INT(parse(&cfg, conf), 0);
		const char *w = "config : frontend 'f' : a 'tcp-request content track-sc*' rule not depending on "
		                "request contents for an HTTP frontend should be executed at the session level, using a "
		                "'tcp-request session' rule (mandatory to track invalid HTTP requests).\n";
		const char *at = strstr(out, w);
		EXPECT(at != NULL);
		EXPECT(at && strstr(at + 1, w) == NULL);      /* once per proxy */
		cfg_free(&cfg);
	}
	{
		/* one table per proxy */
		struct config cfg;
		EXPECT(parse(&cfg, "backend b\n    stick-table type ip size 10\n    stick-table type ip size 10\n") > 0);
		EXPECT(strstr(out, "parsing [t.cfg:3] : stick-table name 'b' conflicts with table declared in backend 'b' at t.cfg:2.") != NULL);
		cfg_free(&cfg);
	}
}

/* Data types: counters add, rates read over their period, set replaces,
 * a type the table does not store reads -1 and is not written. */
static void t_data(void)
{
	struct config cfg;
	struct stktable *t;
	struct stksess *ts;
	struct sample k = ip("10.0.0.1");

	EXPECT_INT(parse(&cfg, "backend b\n    stick-table type ip size 100k expire 30s "
	                       "store gpc0,http_req_rate(10s),conn_cur,bytes_in_cnt\n"), 0);
	t = table(&cfg, "b");
	EXPECT(t != NULL);
	if (!t)
		return;
	EXPECT_INT(stick_table_size(t), 102400);
	EXPECT(stick_table_has(t, STK_DT_GPC0));
	EXPECT(!stick_table_has(t, STK_DT_GPC1));
	EXPECT(stick_lookup(t, &k) == NULL);
	ts = stick_get(t, &k);
	EXPECT(ts != NULL);
	EXPECT(stick_lookup(t, &k) == ts);
	EXPECT(stick_get(t, &k) == ts);
	EXPECT_INT(stick_table_used(t), 1);
	stick_add(ts, STK_DT_GPC0, 1);
	stick_add(ts, STK_DT_GPC0, 2);
	EXPECT_INT(stick_read(ts, STK_DT_GPC0), 3);
	for (int i = 0; i < 7; i++)
		stick_add(ts, STK_DT_HTTP_REQ_RATE, 1);
	EXPECT_INT(stick_read(ts, STK_DT_HTTP_REQ_RATE), 7);
	stick_add(ts, STK_DT_BYTES_IN_CNT, 4000000000u);
	stick_add(ts, STK_DT_BYTES_IN_CNT, 4000000000u);
	EXPECT_INT(stick_read(ts, STK_DT_BYTES_IN_CNT), 8000000000LL);
	EXPECT_INT(stick_read(ts, STK_DT_GPC1), -1);
	EXPECT_INT(stick_set(ts, STK_DT_GPC1, 5), -1);
	EXPECT_INT(stick_set(ts, STK_DT_CONN_CUR, 9), 0);
	EXPECT_INT(stick_read(ts, STK_DT_CONN_CUR), 9);
	{
		struct cli_out o = { 0 };
		char exp[256];
		cli_out_add(&o, "", 0);
		stick_dump_entry(&o, ts);
		cli_out_add(&o, "", 1);
		snprintf(exp, sizeof(exp), "%p: key=10.0.0.1 use=0 exp=", (void *)ts);
		EXPECT(o.p && !strncmp(o.p, exp, strlen(exp)));
		EXPECT(o.p && strstr(o.p, " gpc0=3 conn_cur=9 http_req_rate(10000)=7 bytes_in_cnt=8000000000") != NULL);
		free(o.p);
	}
	/* an IPv4-mapped IPv6 address is an IPv4 key; another IPv6 is none */
	{
		struct sample v6;
		memset(&v6, 0, sizeof(v6));
		v6.type = SMP_T_IPV6;
		inet_pton(AF_INET6, "::ffff:10.0.0.1", &v6.u.ipv6);
		EXPECT(stick_lookup(t, &v6) == ts);
		inet_pton(AF_INET6, "2001:db8::1", &v6.u.ipv6);
		EXPECT(stick_get(t, &v6) == NULL);
	}
	cfg_free(&cfg);
}

/* Full table: the least recently touched entry nobody holds goes. */
static void t_lru(void)
{
	struct config cfg;
	struct stktable *t;
	struct stksess *a, *b, *c, *d;
	struct sample ka = ip("1.1.1.1"), kb = ip("2.2.2.2"), kc = ip("3.3.3.3"), kd = ip("4.4.4.4");

	EXPECT_INT(parse(&cfg, "backend b\n    stick-table type ip size 3 store gpc0\n"), 0);
	t = table(&cfg, "b");
	if (!t)
		return;
	a = stick_get(t, &ka);
	b = stick_get(t, &kb);
	c = stick_get(t, &kc);
	EXPECT(a && b && c);
	stick_touch(a);                 /* b is now the oldest */
	d = stick_get(t, &kd);
	EXPECT(d != NULL);
	EXPECT_INT(stick_table_used(t), 3);
	EXPECT(stick_lookup(t, &kb) == NULL);
	EXPECT(stick_lookup(t, &ka) == a);
	/* held entries are never evicted: with all of them held, no room */
	stick_ref(a);
	stick_ref(c);
	stick_ref(d);
	EXPECT(stick_get(t, &kb) == NULL);
	EXPECT_INT(stick_refs(a), 1);
	stick_unref(c);
	EXPECT(stick_get(t, &kb) != NULL);
	EXPECT(stick_lookup(t, &kc) == NULL);
	EXPECT(stick_remove(a) == 0);   /* held */
	stick_unref(a);
	EXPECT(stick_remove(a) == 1);
	EXPECT_INT(stick_table_used(t), 2);
	/* many keys through a small table: always within its size */
	for (int i = 0; i < 1000; i++) {
		struct sample k;
		memset(&k, 0, sizeof(k));
		k.type = SMP_T_IPV4;
		k.u.ipv4.s_addr = htonl(0x0a000000u + (uint32_t)i);
		EXPECT(stick_get(t, &k) != NULL);
	}
	EXPECT_INT(stick_table_used(t), 3);
	cfg_free(&cfg);
}

/* String keys stop at "len"; integer and binary keys; hash growth. */
static void t_keys(void)
{
	struct config cfg;
	struct stktable *ts_str, *ts_int, *ts_bin;
	struct stksess *e;
	char buf[64];

	EXPECT_INT(parse(&cfg, "backend s\n    stick-table type string len 4 size 10k store gpc0\n"
	                       "backend i\n    stick-table type integer size 10 store gpc0\n"
	                       "backend n\n    stick-table type binary len 3 size 10 store gpc0\n"), 0);
	ts_str = table(&cfg, "s");
	ts_int = table(&cfg, "i");
	ts_bin = table(&cfg, "n");
	if (!ts_str || !ts_int || !ts_bin)
		return;
	{
		struct sample k1 = str("abcdef"), k2 = str("abcd"), k3 = str("abc");
		e = stick_get(ts_str, &k1);
		EXPECT(e != NULL);
		EXPECT(stick_lookup(ts_str, &k2) == e);
		EXPECT(stick_lookup(ts_str, &k3) == NULL);
		stick_key_str(e, buf, sizeof(buf));
		EXPECT_STR(buf, "abcd");
	}
	{
		struct sample k1 = str("a b=c\\");
		e = stick_get(ts_str, &k1);
		stick_key_str(e, buf, sizeof(buf));
		EXPECT_STR(buf, "a\\ b\\=");
	}
	{
		struct sample k;
		memset(&k, 0, sizeof(k));
		k.type = SMP_T_SINT;
		k.u.sint = 42;
		e = stick_get(ts_int, &k);
		EXPECT(e != NULL);
		stick_key_str(e, buf, sizeof(buf));
		EXPECT_STR(buf, "42");
		k = str("42");                  /* a string converts to the integer key */
		EXPECT(stick_lookup(ts_int, &k) == e);
		k = str("x");
		EXPECT(stick_lookup(ts_int, &k) == NULL);
	}
	{
		struct sample k = str("AB");
		k.type = SMP_T_BIN;
		e = stick_get(ts_bin, &k);
		EXPECT(e != NULL);
		stick_key_str(e, buf, sizeof(buf));
		EXPECT_STR(buf, "414200");
	}
	/* 5000 keys: the buckets grow, every key is found again */
	for (int i = 0; i < 5000; i++) {
		char kb[16];
		struct sample k;
		snprintf(kb, sizeof(kb), "%04d", i);
		k = str(kb);
		EXPECT(stick_get(ts_str, &k) != NULL);
	}
	{
		int found = 0;
		for (int i = 0; i < 5000; i++) {
			char kb[16];
			struct sample k;
			snprintf(kb, sizeof(kb), "%04d", i);
			k = str(kb);
			found += stick_lookup(ts_str, &k) != NULL;
		}
		EXPECT_INT(found, 5000);
	}
	cfg_free(&cfg);
}

/* Entries expire "expire" after their last touch, unless held. */
static void t_expire(void)
{
	struct config cfg;
	struct stktable *t;
	struct stksess *a, *b;
	struct sample ka = ip("1.1.1.1"), kb = ip("2.2.2.2");

	/* sleeps only ever last longer: "alive" is asserted 100 ms into a
	 * 500 ms expiry (a loaded machine may add hundreds of ms), "past its
	 * date" after sleeps that add up to more than 500 ms */
	EXPECT_INT(parse(&cfg, "backend b\n    stick-table type ip size 10 expire 500ms store gpc0\n"), 0);
	t = table(&cfg, "b");
	if (!t)
		return;
	a = stick_get(t, &ka);
	b = stick_get(t, &kb);
	stick_ref(b);
	usleep(450000);
	stick_touch(a);
	usleep(100000);
	/* a was touched 100 ms ago: alive; b is past its date but held */
	EXPECT(stick_lookup(t, &ka) == a);
	EXPECT(stick_lookup(t, &kb) == b);
	stick_unref(b);
	usleep(500000);
	EXPECT(stick_lookup(t, &ka) == NULL);
	EXPECT(stick_lookup(t, &kb) == NULL);
	EXPECT_INT(stick_table_used(t), 0);
	cfg_free(&cfg);
}

/* A peers section loads (nothing is synchronised); its "table" lines do not. */
static void t_peers(void)
{
	struct config cfg;

	EXPECT_INT(parse(&cfg, "peers p\n    peer a 127.0.0.1:10000\n    peer b 127.0.0.1:10001\n"
	                       "backend b\n    stick-table type ip size 10 peers p store gpc0\n"), 0);
	EXPECT(strstr(out, "peers section 'p' accepted, but ringproxy does not synchronise stick tables") != NULL);
	EXPECT(table(&cfg, "b") != NULL);
	cfg_free(&cfg);
	EXPECT(parse(&cfg, "peers p\n    table t type ip size 10\n") > 0);
	EXPECT(strstr(out, "parsing [t.cfg:2] : 'table' in a 'peers' section is not supported by ringproxy yet") != NULL);
	cfg_free(&cfg);
}

int main(void)
{
	RUN(t_freq_ctr);
	RUN(t_cfg_errors);
	RUN(t_data);
	RUN(t_lru);
	RUN(t_keys);
	RUN(t_expire);
	RUN(t_peers);
	return unit_end();
}
