/* test_fetch.c: the layer-4/5, internal and payload fetches on a stream
 * built by hand (addresses, proxies, servers, channels with data). */
#include <arpa/inet.h>
#include <sys/un.h>
#include <time.h>
#include "tests/unit/unit.h"
#include "engine/sample.h"
#include "engine/stream.h"
#include "engine/chan.h"
#include "engine/vars.h"
#include "engine/conn.h"
#include "engine/thread.h"
#include <unistd.h>
#include <sys/socket.h>

static struct stream strm;
static struct proxy fe, be;
static struct server s1, s2, s3;
static struct chan_pool pool;

/* Evaluates <expr>; renders the string cast into <out>; returns the
 * evaluation result and the flags in *<flags>. */
static int ev(const char *expr, struct smp_ctx *ctx, char *out, size_t n, uint32_t *flags)
{
	char err[512];
	struct sample_expr *e = sample_expr_parse(expr, NULL, &fe, err, sizeof(err));
	struct sample smp = { 0 };
	int r;

	out[0] = 0;
	if (!e) {
		snprintf(out, n, "ERR %.200s", err);
		return -1;
	}
	r = sample_expr_eval(e, ctx, &smp);
	if (flags)
		*flags = smp.flags;
	if (r && sample_cast(&smp, SMP_T_STR))
		snprintf(out, n, "%.*s", (int)smp.u.str.len, smp.u.str.ptr);
	sample_expr_free(e);
	return r;
}

static int evs(const char *expr, char *out, size_t n)
{
	struct smp_ctx ctx = { .strm = &strm, .px = &fe, .final = 1 };

	return ev(expr, &ctx, out, n, NULL);
}

static void set_v4(struct addr *a, const char *ip, int port)
{
	memset(a, 0, sizeof(*a));
	a->u.in4.sin_family = AF_INET;
	a->u.in4.sin_port = htons(port);
	inet_pton(AF_INET, ip, &a->u.in4.sin_addr);
	a->len = sizeof(a->u.in4);
}

static void set_v6(struct addr *a, const char *ip, int port)
{
	memset(a, 0, sizeof(*a));
	a->u.in6.sin6_family = AF_INET6;
	a->u.in6.sin6_port = htons(port);
	inet_pton(AF_INET6, ip, &a->u.in6.sin6_addr);
	a->len = sizeof(a->u.in6);
}

static void setup(void)
{
	memset(&strm, 0, sizeof(strm));
	fe.name = "front"; fe.id = 3; fe.cap = PX_CAP_FE; fe.fe_cur_conn = 9;
	be.name = "back"; be.id = 7; be.cap = PX_CAP_BE; be.be_cur_conn = 11;
	be.srv = &s1; s1.next = &s2; s2.next = &s3; s3.next = NULL;
	s1.name = "web1"; s1.id = 1; s1.px = &be; s1.state = SRV_UP; s1.cur_weight = 1;
	s2.name = "web2"; s2.id = 2; s2.px = &be; s2.state = SRV_UP; s2.cur_weight = 1;
	s3.name = "spare"; s3.id = 3; s3.px = &be; s3.state = SRV_UP; s3.cur_weight = 1; s3.backup = 1;
	strm.fe = &fe;
	set_v4(&strm.cli_addr, "192.0.2.10", 40000);
	set_v4(&strm.fe_addr, "127.0.0.1", 8080);
	chan_init(&strm.req, &pool, 65536);
	chan_init(&strm.res, &pool, 65536);
}

static void t_addresses(void)
{
	char out[128];

	setup();
	EXPECT_INT(evs("src", out, sizeof(out)), 1);
	EXPECT_STR(out, "192.0.2.10");
	EXPECT_INT(evs("src_port", out, sizeof(out)), 1);
	EXPECT_STR(out, "40000");
	EXPECT_INT(evs("dst", out, sizeof(out)), 1);
	EXPECT_STR(out, "127.0.0.1");
	EXPECT_INT(evs("dst_port", out, sizeof(out)), 1);
	EXPECT_STR(out, "8080");
	EXPECT_INT(evs("src,ipmask(24)", out, sizeof(out)), 1);
	EXPECT_STR(out, "192.0.2.0");
	set_v6(&strm.cli_addr, "2001:db8::7", 1234);
	EXPECT_INT(evs("src", out, sizeof(out)), 1);
	EXPECT_STR(out, "2001:db8::7");
	EXPECT_INT(evs("src_port", out, sizeof(out)), 1);
	EXPECT_STR(out, "1234");
	/* a unix socket has no address: not found */
	memset(&strm.fe_addr, 0, sizeof(strm.fe_addr));
	strm.fe_addr.u.un.sun_family = AF_UNIX;
	EXPECT_INT(evs("dst", out, sizeof(out)), 0);
	EXPECT_INT(evs("dst_port", out, sizeof(out)), 0);
	/* no stream at all */
	{
		struct smp_ctx ctx = { .final = 1 };

		EXPECT_INT(ev("src", &ctx, out, sizeof(out), NULL), 0);
		EXPECT_INT(ev("src_port", &ctx, out, sizeof(out), NULL), 0);
		EXPECT_INT(ev("req.len", &ctx, out, sizeof(out), NULL), 0);
	}
}

static void t_names(void)
{
	char out[128];

	setup();
	EXPECT_INT(evs("fe_name", out, sizeof(out)), 1);
	EXPECT_STR(out, "front");
	EXPECT_INT(evs("fe_id", out, sizeof(out)), 1);
	EXPECT_STR(out, "3");
	/* before a backend is chosen, be_name is the frontend (as HAProxy) */
	EXPECT_INT(evs("be_name", out, sizeof(out)), 1);
	EXPECT_STR(out, "front");
	EXPECT_INT(evs("srv_name", out, sizeof(out)), 0);
	EXPECT_INT(evs("srv_id", out, sizeof(out)), 0);
	strm.be = &be;
	strm.srv = &s2;
	EXPECT_INT(evs("be_name", out, sizeof(out)), 1);
	EXPECT_STR(out, "back");
	EXPECT_INT(evs("be_id", out, sizeof(out)), 1);
	EXPECT_STR(out, "7");
	EXPECT_INT(evs("srv_name,upper", out, sizeof(out)), 1);
	EXPECT_STR(out, "WEB2");
	EXPECT_INT(evs("srv_id", out, sizeof(out)), 1);
	EXPECT_STR(out, "2");
	/* timeouts in milliseconds, default backend */
	fe.to.client = 30000;
	be.to.server = 5000;
	be.to.tunnel = 3600000;
	EXPECT_INT(evs("fe_client_timeout", out, sizeof(out)), 1);
	EXPECT_STR(out, "30000");
	EXPECT_INT(evs("be_server_timeout", out, sizeof(out)), 1);
	EXPECT_STR(out, "5000");
	EXPECT_INT(evs("be_tunnel_timeout", out, sizeof(out)), 1);
	EXPECT_STR(out, "3600000");
	EXPECT_INT(evs("fe_defbe", out, sizeof(out)), 0);
	fe.defbe = &be;
	EXPECT_INT(evs("fe_defbe", out, sizeof(out)), 1);
	EXPECT_STR(out, "back");
	fe.defbe = NULL;
}

static void t_counters(void)
{
	char out[128];

	setup();
	strm.be = &be;
	EXPECT_INT(evs("be_conn", out, sizeof(out)), 1);
	EXPECT_STR(out, "11");
	EXPECT_INT(evs("fe_conn", out, sizeof(out)), 1);
	EXPECT_STR(out, "9");
	EXPECT_INT(evs("nbsrv", out, sizeof(out)), 1);
	EXPECT_STR(out, "2");                     /* active ones */
	s1.state = SRV_DOWN;
	s2.cur_weight = 0;                        /* weight 0: not usable */
	EXPECT_INT(evs("nbsrv", out, sizeof(out)), 1);
	EXPECT_STR(out, "1");                     /* only the backup: 1 */
	s3.state = SRV_MAINT;
	EXPECT_INT(evs("nbsrv", out, sizeof(out)), 1);
	EXPECT_STR(out, "0");
	s1.state = SRV_UP; s2.cur_weight = 1; s3.state = SRV_UP;
	be.nb_queued = 3; s1.nb_queued = 2; s2.nb_queued = 0;
	EXPECT_INT(evs("queue", out, sizeof(out)), 1);
	EXPECT_STR(out, "5");
	EXPECT_INT(evs("avg_queue", out, sizeof(out)), 1);
	EXPECT_STR(out, "3");                     /* ceil(5 / 2 active) */
	/* connslots: -1 while any usable server is unlimited */
	EXPECT_INT(evs("connslots", out, sizeof(out)), 1);
	EXPECT_STR(out, "-1");
	s1.maxconn = 10; s1.maxqueue = 5; s1.cur_conn = 4;
	s2.maxconn = 3; s2.maxqueue = 1; s2.cur_conn = 3;
	s3.maxconn = 1; s3.maxqueue = 1;
	EXPECT_INT(evs("connslots", out, sizeof(out)), 1);
	/* s1: 6 free + 3 queue slots; s2: 0 + 1; s3: 1 + 1 */
	EXPECT_STR(out, "12");
	be.nb_queued = 0; s1.nb_queued = 0;
}

static void t_constants(void)
{
	char out[128];
	uint32_t fl;
	struct smp_ctx ctx = { .strm = &strm, .final = 1 };

	setup();
	EXPECT_INT(evs("always_true", out, sizeof(out)), 1);
	EXPECT_STR(out, "1");
	EXPECT_INT(evs("always_false", out, sizeof(out)), 1);
	EXPECT_STR(out, "0");
	setenv("RP_FETCH_T", "v a l", 1);
	EXPECT_INT(evs("env(RP_FETCH_T)", out, sizeof(out)), 1);
	EXPECT_STR(out, "v a l");
	EXPECT_INT(evs("env(RP_FETCH_NOPE)", out, sizeof(out)), 0);
	EXPECT_INT(evs("str(x y)", out, sizeof(out)), 1);
	EXPECT_STR(out, "x y");
	EXPECT_INT(evs("int(-12)", out, sizeof(out)), 1);
	EXPECT_STR(out, "-12");
	EXPECT_INT(evs("bool(true)", out, sizeof(out)), 1);
	EXPECT_STR(out, "1");
	EXPECT_INT(evs("bool(0)", out, sizeof(out)), 1);
	EXPECT_STR(out, "0");
	EXPECT_INT(evs("ipv4(10.0.0.1)", out, sizeof(out)), 1);
	EXPECT_STR(out, "10.0.0.1");
	EXPECT_INT(evs("ipv6(::1)", out, sizeof(out)), 1);
	EXPECT_STR(out, "::1");
	EXPECT_INT(evs("bin(414243),length", out, sizeof(out)), 1);
	EXPECT_STR(out, "3");
	EXPECT_INT(evs("bin(41424)", out, sizeof(out)), -1);
	EXPECT_INT(evs("bin()", out, sizeof(out)), -1);                /* refused by HAProxy too */
	EXPECT_INT(evs("nbproc", out, sizeof(out)), 1);
	EXPECT_STR(out, "1");
	EXPECT_INT(evs("thread", out, sizeof(out)), 1);
	EXPECT_STR(out, "0");
	EXPECT_INT(ev("date", &ctx, out, sizeof(out), &fl), 1);
	EXPECT(llabs(atoll(out) - (long long)time(NULL)) <= 1);
	EXPECT_INT(evs("date(3600)", out, sizeof(out)), 1);
	EXPECT(llabs(atoll(out) - (long long)time(NULL) - 3600) <= 1);
	EXPECT_INT(evs("date(0,ms)", out, sizeof(out)), 1);
	EXPECT(llabs(atoll(out) / 1000 - (long long)time(NULL)) <= 1);
	EXPECT_INT(evs("date(0,us)", out, sizeof(out)), 1);
	EXPECT(strlen(out) == 16);
	for (int i = 0; i < 200; i++) {
		long long v;

		EXPECT_INT(evs("rand(10)", out, sizeof(out)), 1);
		v = atoll(out);
		EXPECT(v >= 0 && v < 10);
	}
	EXPECT_INT(evs("rand", out, sizeof(out)), 1);
	EXPECT(atoll(out) >= 0 && atoll(out) <= 0xffffffffLL);
	EXPECT_INT(evs("uuid", out, sizeof(out)), 1);
	EXPECT_INT(strlen(out), 36);
	EXPECT(out[8] == '-' && out[13] == '-' && out[14] == '4' && out[18] == '-' && out[23] == '-');
	EXPECT(strchr("89ab", out[19]) != NULL);
	{
		char other[64];

		evs("uuid(4)", other, sizeof(other));
		EXPECT(strcmp(out, other) != 0);
	}
}

static void t_var(void)
{
	char out[128], err[128];
	struct var_ref r;

	setup();
	EXPECT_INT(evs("var(txn.a)", out, sizeof(out)), 0);
	EXPECT_INT(evs("var(txn.a,fallback)", out, sizeof(out)), 1);
	EXPECT_STR(out, "fallback");
	vars_parse_ref("txn.a", 5, &r, err, sizeof(err));
	{
		struct sample smp = { 0 };

		smp_set_sint(&smp, 5);
		vars_set(vars_of(&strm, r.scope), &r, &smp);
	}
	EXPECT_INT(evs("var(txn.a),add(1)", out, sizeof(out)), 1);
	EXPECT_STR(out, "6");
	EXPECT_INT(evs("var(req.a)", out, sizeof(out)), 0);    /* another scope */
	vars_ref_free(&r);
	vars_clear(&strm.vars_txn);
}

static void t_payload(void)
{
	char out[256];
	uint32_t fl;
	struct smp_ctx ctx = { .strm = &strm, .px = &fe, .final = 0 };

	setup();
	/* nothing received yet: req.len is 0 and may change */
	EXPECT_INT(ev("req.len", &ctx, out, sizeof(out), &fl), 1);
	EXPECT_STR(out, "0");
	EXPECT(fl & SMP_F_MAY_CHANGE);
	/* split over two segments to cross a boundary */
	chan_put_data(&strm.req, "hel", 3);
	chan_put_data(&strm.req, "lo world", 8);
	EXPECT_INT(ev("req_len", &ctx, out, sizeof(out), &fl), 1);
	EXPECT_STR(out, "11");
	EXPECT_INT(ev("req.payload(2,5)", &ctx, out, sizeof(out), &fl), 1);
	EXPECT_STR(out, "llo w");
	EXPECT(!(fl & SMP_F_MAY_CHANGE));
	/* more than received: wait (may change) unless final */
	EXPECT_INT(ev("req.payload(8,10)", &ctx, out, sizeof(out), &fl), 0);
	EXPECT(fl & SMP_F_MAY_CHANGE);
	ctx.final = 1;
	EXPECT_INT(ev("req.payload(8,10)", &ctx, out, sizeof(out), &fl), 0);
	EXPECT(!(fl & SMP_F_MAY_CHANGE));
	ctx.final = 0;
	/* length 0: everything from the offset, which may still grow */
	EXPECT_INT(ev("req.payload(6,0)", &ctx, out, sizeof(out), &fl), 1);
	EXPECT_STR(out, "world");
	EXPECT(fl & SMP_F_MAY_CHANGE);
	/* converters keep the fetch's "may change" */
	EXPECT_INT(ev("req.payload(6,0),length", &ctx, out, sizeof(out), &fl), 1);
	EXPECT_STR(out, "5");
	EXPECT(fl & SMP_F_MAY_CHANGE);
	EXPECT_INT(ev("req.len,add(1),bool", &ctx, out, sizeof(out), &fl), 1);
	EXPECT(fl & SMP_F_MAY_CHANGE);
	EXPECT_INT(ev("req.payload(20,0)", &ctx, out, sizeof(out), &fl), 0);
	/* beyond the buffer size: will never match, no wait */
	EXPECT_INT(ev("req.payload(0,100000)", &ctx, out, sizeof(out), &fl), 0);
	EXPECT(!(fl & SMP_F_MAY_CHANGE));
	/* once the client closed, nothing more will come */
	strm.req.flags |= CHAN_SHUTR;
	EXPECT_INT(ev("req.payload(8,10)", &ctx, out, sizeof(out), &fl), 0);
	EXPECT(!(fl & SMP_F_MAY_CHANGE));
	EXPECT_INT(ev("req.len", &ctx, out, sizeof(out), &fl), 1);
	EXPECT(!(fl & SMP_F_MAY_CHANGE));
	strm.req.flags &= ~CHAN_SHUTR;
	/* only the input part counts: forwarded bytes are gone for samples */
	chan_forward(&strm.req, 6);
	EXPECT_INT(ev("req.payload(0,5)", &ctx, out, sizeof(out), &fl), 1);
	EXPECT_STR(out, "world");
	EXPECT_INT(ev("req.payload(0,3),hex", &ctx, out, sizeof(out), &fl), 1);
	EXPECT_STR(out, "776F72");
	chan_reset(&strm.req);
}

static void t_payload_lv(void)
{
	char out[256];
	uint32_t fl;
	struct smp_ctx ctx = { .strm = &strm, .px = &fe, .final = 0 };

	setup();
	chan_put_data(&strm.res, "\x00\x03" "abcXYZ", 8);
	EXPECT_INT(ev("res.payload_lv(0,2)", &ctx, out, sizeof(out), &fl), 1);
	EXPECT_STR(out, "abc");
	EXPECT_INT(ev("res.payload_lv(0,2,+1)", &ctx, out, sizeof(out), &fl), 1);
	EXPECT_STR(out, "bcX");
	EXPECT_INT(ev("res.payload_lv(0,2,4)", &ctx, out, sizeof(out), &fl), 1);
	EXPECT_STR(out, "cXY");
	EXPECT_INT(ev("res.payload_lv(0,2,-1)", &ctx, out, sizeof(out), &fl), 1);
	EXPECT_STR(out, "\x03" "ab");
	/* block past the data: wait */
	EXPECT_INT(ev("res.payload_lv(0,2,+4)", &ctx, out, sizeof(out), &fl), 0);
	EXPECT(fl & SMP_F_MAY_CHANGE);
	/* the length field itself is not there yet */
	EXPECT_INT(ev("res.payload_lv(7,2)", &ctx, out, sizeof(out), &fl), 0);
	EXPECT(fl & SMP_F_MAY_CHANGE);
	/* a zero length never matches */
	chan_reset(&strm.res);
	chan_put_data(&strm.res, "\x00\x00zz", 4);
	EXPECT_INT(ev("res.payload_lv(0,2)", &ctx, out, sizeof(out), &fl), 0);
	EXPECT(!(fl & SMP_F_MAY_CHANGE));
	/* the request channel is untouched */
	EXPECT_INT(ev("req.payload_lv(0,2)", &ctx, out, sizeof(out), &fl), 0);
	EXPECT(fl & SMP_F_MAY_CHANGE);
	EXPECT_INT(ev("res.len", &ctx, out, sizeof(out), &fl), 1);
	EXPECT_STR(out, "4");
	EXPECT_INT(ev("res.payload_lv(0,0)", &ctx, out, sizeof(out), &fl), -1);
	EXPECT_STR(out, "ERR invalid args in fetch method 'res.payload_lv' : payload length must be > 0");
	EXPECT_INT(ev("res.payload_lv(-1,1)", &ctx, out, sizeof(out), &fl), -1);
	EXPECT_STR(out, "ERR invalid args in fetch method 'res.payload_lv' : payload offset1 must be positive");
	EXPECT_INT(ev("res.payload_lv(0,1,x)", &ctx, out, sizeof(out), &fl), -1);
	EXPECT_STR(out, "ERR invalid args in fetch method 'res.payload_lv' : payload offset2 is not a number");
	EXPECT_INT(ev("res.payload_lv(0,1,-5)", &ctx, out, sizeof(out), &fl), -1);
	EXPECT_STR(out, "ERR invalid args in fetch method 'res.payload_lv' : payload offset2 too negative");
	/* a negative offset is accepted (as HAProxy) and never matches */
	EXPECT_INT(ev("req.payload(-1,2)", &ctx, out, sizeof(out), &fl), 0);
	EXPECT(!(fl & SMP_F_MAY_CHANGE));
	chan_reset(&strm.res);
}

/* Connection-level fetches on a real loopback TCP connection. */
static void t_connection(void)
{
	char out[128];
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	int lfd, cfd, afd;
	struct conn cli;

	setup();
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(lfd, 1) < 0 ||
	    getsockname(lfd, (struct sockaddr *)&sa, &len) < 0) {
		SKIP("no loopback TCP socket");
		return;
	}
	cfd = socket(AF_INET, SOCK_STREAM, 0);
	EXPECT(connect(cfd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	afd = accept(lfd, NULL, NULL);
	EXPECT(afd >= 0);
	memset(&cli, 0, sizeof(cli));
	cli.fd = afd;
	strm.cli = &cli;
	set_v4(&strm.cli_addr, "127.0.0.1", 1111);
	EXPECT_INT(evs("fc_rtt", out, sizeof(out)), 1);
	EXPECT(atoi(out) >= 0 && atoi(out) < 1000);
	EXPECT_INT(evs("fc_rtt(us)", out, sizeof(out)), 1);
	EXPECT(atoi(out) >= 0);
	EXPECT_INT(evs("fc_rttvar(ms)", out, sizeof(out)), 1);
	EXPECT_INT(evs("fc_unacked", out, sizeof(out)), 1);
	EXPECT_STR(out, "0");
	EXPECT_INT(evs("fc_retrans(ignored)", out, sizeof(out)), 1);
	EXPECT_STR(out, "0");
	EXPECT_INT(evs("fc_lost,add(fc_sacked)", out, sizeof(out)), -1);   /* add takes a var, not a fetch */
	EXPECT_INT(evs("fc_rtt(s)", out, sizeof(out)), -1);
	EXPECT_STR(out, "ERR invalid args in fetch method 'fc_rtt' : expects 'us' or 'ms', got 's'");
	EXPECT_INT(evs("src_is_local", out, sizeof(out)), 1);
	EXPECT_STR(out, "1");
	EXPECT_INT(evs("fc_src_port", out, sizeof(out)), 1);
	EXPECT_STR(out, "1111");
	EXPECT_INT(evs("fc_dst", out, sizeof(out)), 1);
	EXPECT_STR(out, "127.0.0.1");
	EXPECT_INT(evs("fc_dst_port", out, sizeof(out)), 1);
	EXPECT_STR(out, "8080");
	EXPECT_INT(evs("fc_src_is_local", out, sizeof(out)), 1);
	EXPECT_STR(out, "1");
	EXPECT_INT(evs("fc_dst_is_local", out, sizeof(out)), 1);
	EXPECT_STR(out, "1");
	EXPECT_INT(evs("fc_fackets", out, sizeof(out)), 1);
	EXPECT_STR(out, "0");
	EXPECT_INT(evs("fc_reordering", out, sizeof(out)), 1);
	EXPECT(atoi(out) >= 0);
	set_v4(&strm.cli_addr, "192.0.2.10", 1111);            /* TEST-NET-1: not ours */
	EXPECT_INT(evs("src_is_local", out, sizeof(out)), 1);
	EXPECT_STR(out, "0");
	EXPECT_INT(evs("dst_is_local", out, sizeof(out)), 1);   /* 127.0.0.1 */
	EXPECT_STR(out, "1");
	/* server side: no server yet, then one declared without a port */
	EXPECT_INT(evs("bc_dst", out, sizeof(out)), 0);
	strm.srv = &s1;
	set_v4(&s1.addr, "10.0.0.5", 0);
	EXPECT_INT(evs("bc_dst", out, sizeof(out)), 1);
	EXPECT_STR(out, "10.0.0.5");
	EXPECT_INT(evs("bc_dst_port", out, sizeof(out)), 1);
	EXPECT_STR(out, "8080");                              /* the client's dst port */
	EXPECT_INT(evs("bc_src", out, sizeof(out)), 0);        /* not connected */
	strm.srvc = &cli;
	set_v4(&strm.srv_local, "10.0.0.1", 33000);
	EXPECT_INT(evs("bc_src_port", out, sizeof(out)), 1);
	EXPECT_STR(out, "33000");
	strm.srvc = NULL;
	strm.srv = NULL;
	cli.fd = -1;
	EXPECT_INT(evs("fc_rtt", out, sizeof(out)), 0);
	strm.cli = NULL;
	close(afd);
	close(cfd);
	close(lfd);
}

/* Names that start-up did not resolve (no sample_resolve() call) are
 * resolved at the first evaluation, against the stream's configuration. */
static void t_lazy_resolve(void)
{
	static struct thr thr;
	static struct config cfg;
	char out[64];

	setup();
	fe.next = &be;
	be.next = NULL;
	cfg.proxies = &fe;
	thr.cfg = &cfg;
	thr.id = 0;
	EXPECT(sample_config() == NULL);
	{
		struct smp_ctx ctx = { .strm = NULL, .final = 1 };
		/* without a stream nothing can be resolved yet */
		EXPECT_INT(ev("be_conn(back)", &ctx, out, sizeof(out), NULL), 0);
	}
	strm.thr = &thr;
	EXPECT_INT(evs("be_conn(back)", out, sizeof(out)), 1);
	EXPECT_STR(out, "11");
	EXPECT(sample_config() == &cfg);
	EXPECT_INT(evs("str(back),nbsrv", out, sizeof(out)), 1);
	EXPECT_STR(out, "2");
	/* resolved at parse time from now on; unknown names are refused */
	EXPECT_INT(evs("be_conn(nope)", out, sizeof(out)), -1);
	EXPECT_STR(out, "ERR fetch method 'be_conn' : unable to find backend 'nope'");
	EXPECT_INT(evs("thread", out, sizeof(out)), 1);
	EXPECT_STR(out, "0");
	cfg.g.nbthread = 4;
	EXPECT_INT(evs("nbthread", out, sizeof(out)), 1);
	EXPECT_STR(out, "4");
	/* tune.bufsize above the default: scratch buffers grow, so payload
	 * fetches can return more than 16 kB */
	{
		static char big[30000];
		size_t sz;

		thr.bufsize = 32768;
		memset(big, 'z', sizeof(big));
		chan_put_data(&strm.req, big, sizeof(big));
		EXPECT_INT(evs("req.payload(0,20000),length", out, sizeof(out)), 1);
		EXPECT_STR(out, "20000");
		smp_trash(&sz);
		EXPECT_INT(sz, 32768);
		chan_reset(&strm.req);
	}
	strm.thr = NULL;
}

int main(void)
{
	chan_pool_init(&pool, 4096, NULL, NULL);
	RUN(t_lazy_resolve);
	RUN(t_addresses);
	RUN(t_names);
	RUN(t_counters);
	RUN(t_constants);
	RUN(t_var);
	RUN(t_connection);
	RUN(t_payload);
	RUN(t_payload_lv);
	chan_pool_destroy(&pool);
	return unit_end();
}
