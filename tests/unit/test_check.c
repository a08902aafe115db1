/* test_check.c: the health check state machine (rise/fall as HAProxy
 * counts them), the messages it logs (HAProxy 2.6's wording, captured
 * with "log stdout format raw"), and real connect checks through the
 * ring against a listening and a closed port. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <unistd.h>
#include <sys/socket.h>
#include "tests/unit/unit.h"
#include "engine/cfg.h"
#include "engine/check.h"
#include "engine/log.h"
#include "engine/proxy.h"
#include "engine/ring.h"
#include "engine/thread.h"
#include "engine/timer.h"

static struct config cfg;
static struct proxy be;
static struct server s1, s2, s3;
static int logp[2];

static void live_timeout(int rules);
static int tc_kw(const char *line, char *err, size_t errlen);

static void srv_init(struct server *s, const char *name, int port, int backup)
{
	memset(s, 0, sizeof(*s));
	s->name = (char *)name;
	s->px = &be;
	s->addr.u.in4.sin_family = AF_INET;
	s->addr.u.in4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s->addr.u.in4.sin_port = htons((uint16_t)port);
	s->addr.len = sizeof(s->addr.u.in4);
	s->weight = s->cur_weight = 1;
	s->check = 1;
	s->backup = backup;
	s->inter = 100;
	s->rise = 2;
	s->fall = 3;
	s->health = s->rise;     /* as cfg.c starts them: UP at the threshold */
	s->state = SRV_UP;
}

/* be: s1, s2 (backup), s3; its log goes raw to a pipe. */
static void setup(void)
{
	char err[256];
	char line[64];
	char *args[8];

	log_targets_free(be.logs);
	memset(&cfg, 0, sizeof(cfg));
	memset(&be, 0, sizeof(be));
	be.name = "be";
	be.cap = PX_CAP_BE;
	srv_init(&s1, "s1", 1, 0);
	srv_init(&s2, "s2", 2, 1);
	srv_init(&s3, "s3", 3, 0);
	s1.next = &s2;
	s2.next = &s3;
	be.srv = &s1;
	be.nb_srv = 3;
	cfg.proxies = &be;
	if (logp[0] > 0) {
		close(logp[0]);
		close(logp[1]);
	}
	if (pipe(logp) < 0)
		return;
	fcntl(logp[0], F_SETFL, O_NONBLOCK);
	snprintf(line, sizeof(line), "fd@%d", logp[1]);
	args[0] = "log"; args[1] = line; args[2] = "format"; args[3] = "raw"; args[4] = "local0";
	be.logs = log_target_parse(args, 5, err, sizeof(err));
	log_init(&cfg);
}

static const char *logged(void)
{
	static char buf[4096];
	ssize_t n = read(logp[0], buf, sizeof(buf) - 1);

	buf[n > 0 ? n : 0] = 0;
	return buf;
}

static void t_first_failure_downs(void)
{
	setup();
	log_set_quiet(1);
	/* HAProxy takes a server DOWN at its first failed check after start-up */
	EXPECT_INT(check_report(&s1, CHECK_L4_REFUSED, ECONNREFUSED, 0), 1);
	EXPECT_INT(s1.state, SRV_DOWN);
	EXPECT_INT(s1.health, 0);
	EXPECT_STR(logged(), "Server be/s1 is DOWN, reason: Layer4 connection problem, info: \"Connection refused\", "
	           "check duration: 0ms. 1 active and 1 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.\n");
	EXPECT_INT(check_report(&s2, CHECK_L4_REFUSED, ECONNREFUSED, 0), 1);
	EXPECT_STR(logged(), "Backup Server be/s2 is DOWN, reason: Layer4 connection problem, info: \"Connection refused\", "
	           "check duration: 0ms. 1 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.\n");
	EXPECT_INT(check_report(&s3, CHECK_L4_REFUSED, ECONNREFUSED, 0), 1);
	EXPECT_STR(logged(), "Server be/s3 is DOWN, reason: Layer4 connection problem, info: \"Connection refused\", "
	           "check duration: 0ms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.\n"
	           "backend be has no server available!\n");
	log_set_quiet(0);
}

static void t_rise(void)
{
	setup();
	log_set_quiet(1);
	check_report(&s3, CHECK_L4_REFUSED, ECONNREFUSED, 0);
	check_report(&s1, CHECK_L4_REFUSED, ECONNREFUSED, 0);
	logged();
	/* rise 2: one success is not enough */
	EXPECT_INT(check_report(&s3, CHECK_OK, 0, 0), 0);
	EXPECT_INT(s3.state, SRV_DOWN);
	EXPECT_INT(check_report(&s3, CHECK_OK, 0, 0), 1);
	EXPECT_INT(s3.state, SRV_UP);
	EXPECT_STR(logged(), "Server be/s3 is UP, reason: Layer4 check passed, check duration: 0ms. "
	           "1 active and 1 backup servers online. 0 sessions requeued, 0 total in queue.\n");
	/* a failure while rising starts over */
	EXPECT_INT(check_report(&s1, CHECK_OK, 0, 0), 0);
	EXPECT_INT(check_report(&s1, CHECK_L4_TIMEOUT, ETIMEDOUT, 1001), 0);
	EXPECT_INT(s1.health, 0);
	EXPECT_INT(check_report(&s1, CHECK_OK, 0, 0), 0);
	EXPECT_INT(check_report(&s1, CHECK_OK, 0, 0), 1);
	log_set_quiet(0);
}

static void t_fall(void)
{
	setup();
	log_set_quiet(1);
	/* fully healthy (rise + fall - 1 = 4): it takes <fall> = 3 failures */
	for (int i = 0; i < 5; i++)
		check_report(&s1, CHECK_OK, 0, 0);
	EXPECT_INT(s1.health, 4);
	EXPECT_INT(check_report(&s1, CHECK_L4_TIMEOUT, ETIMEDOUT, 100), 0);
	EXPECT_INT(check_report(&s1, CHECK_L4_TIMEOUT, ETIMEDOUT, 100), 0);
	EXPECT_INT(s1.state, SRV_UP);
	EXPECT_INT(check_report(&s1, CHECK_L4_TIMEOUT, ETIMEDOUT, 100), 1);
	EXPECT_INT(s1.state, SRV_DOWN);
	EXPECT_STR(logged(), "Server be/s1 is DOWN, reason: Layer4 timeout, check duration: 100ms. "
	           "1 active and 1 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.\n");
	/* maintenance is administrative: checks leave it alone */
	s3.state = SRV_MAINT;
	EXPECT_INT(check_report(&s3, CHECK_OK, 0, 0), 0);
	EXPECT_INT(s3.state, SRV_MAINT);
	log_set_quiet(0);
}

static void t_log_health_checks(void)
{
	/* HAProxy 2.6 with "option log-health-checks", rise 2 fall 3, one
	 * success then refusals (captured with "log stdout format raw") */
	setup();
	log_set_quiet(1);
	be.options |= PXO_LOG_HEALTH_CHECKS;
	check_report(&s1, CHECK_OK, 0, 0);
	EXPECT_STR(logged(), "Health check for server be/s1 succeeded, reason: Layer4 check passed, check duration: 0ms, status: 3/3 UP.\n");
	/* a success at full health is not logged again */
	check_report(&s1, CHECK_OK, 0, 0);
	EXPECT_STR(logged(), "");
	check_report(&s1, CHECK_L4_REFUSED, ECONNREFUSED, 0);
	check_report(&s1, CHECK_L4_REFUSED, ECONNREFUSED, 0);
	EXPECT_STR(logged(),
	           "Health check for server be/s1 failed, reason: Layer4 connection problem, info: \"Connection refused\", check duration: 0ms, status: 2/3 UP.\n"
	           "Health check for server be/s1 failed, reason: Layer4 connection problem, info: \"Connection refused\", check duration: 0ms, status: 1/3 UP.\n");
	EXPECT_INT(check_report(&s1, CHECK_L4_REFUSED, ECONNREFUSED, 0), 1);
	EXPECT_STR(logged(),
	           "Health check for server be/s1 failed, reason: Layer4 connection problem, info: \"Connection refused\", check duration: 0ms, status: 0/2 DOWN.\n"
	           "Server be/s1 is DOWN. 1 active and 1 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.\n");
	/* failures while DOWN at health 0, same status: silent */
	check_report(&s1, CHECK_L4_REFUSED, ECONNREFUSED, 0);
	EXPECT_STR(logged(), "");
	log_set_quiet(0);
}

static void t_live_timeout(void) { live_timeout(0); }
static void t_tcp_check_connect_timeout(void) { live_timeout(1); }

static void t_validate(void)
{
	setup();
	EXPECT_INT(check_cfg_validate(&cfg), 0);
	/* no service port and no "port": HAProxy refuses the configuration */
	s2.addr.u.in4.sin_port = 0;
	EXPECT_INT(check_cfg_validate(&cfg), 1);
	s2.check_port = 8080;
	EXPECT_INT(check_cfg_validate(&cfg), 0);
	s3.addr.u.in4.sin_port = 0;
	s3.check = 0;
	EXPECT_INT(check_cfg_validate(&cfg), 0);
}

static int listen_any(int *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t l = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 16) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &l) < 0)
		return -1;
	*port = ntohs(a.sin_port);
	return fd;
}

static void t_live(void)
{
	struct ring_params rp = { .entries = 64, .nbufs = 8, .bufsize = 4096 };
	struct thr t;
	char err[256];
	int rc, port, lfd, dead;

	setup();
	log_set_quiet(1);
	memset(&t, 0, sizeof(t));
	chan_pool_init(&t.pool, 4096, NULL, NULL);
	rp.pool = &t.pool;
	t.ring = ring_new(&rp, &rc, err, sizeof(err));
	if (!t.ring) {
		SKIP(err);
		chan_pool_destroy(&t.pool);
		return;
	}
	timers_init(&t.timers, timer_now_ms());
	lfd = listen_any(&port);
	dead = listen_any(&dead);
	EXPECT(lfd >= 0 && dead >= 0);
	/* s1 listens; s3's port was bound then closed: refused */
	s1.addr.u.in4.sin_port = htons((uint16_t)port);
	{
		struct sockaddr_in a;
		socklen_t l = sizeof(a);
		getsockname(dead, (struct sockaddr *)&a, &l);
		s3.addr.u.in4.sin_port = a.sin_port;
		close(dead);
	}
	s2.check = 0;
	s3.state = SRV_UP;
	EXPECT_INT(check_start(&cfg, &t), 2);
	uint64_t end = timer_now_ms() + 1500;
	while (timer_now_ms() < end && s3.state == SRV_UP) {
		uint64_t next = timers_next(&t.timers), now = timer_now_ms();
		ring_wait(t.ring, next == TIMER_ETERNITY ? 50 : (int64_t)(next > now ? next - now : 0));
		timers_run(&t.timers, timer_now_ms());
	}
	EXPECT_INT(s3.state, SRV_DOWN);
	EXPECT_INT(s1.state, SRV_UP);
	/* a few more rounds: s1 stays UP and reaches full health */
	end = timer_now_ms() + 600;
	while (timer_now_ms() < end) {
		uint64_t next = timers_next(&t.timers), now = timer_now_ms();
		ring_wait(t.ring, next == TIMER_ETERNITY ? 50 : (int64_t)(next > now ? next - now : 0));
		timers_run(&t.timers, timer_now_ms());
	}
	EXPECT_INT(s1.state, SRV_UP);
	EXPECT_INT(s1.health, 4);
	const char *l = logged();
	EXPECT(strstr(l, "Server be/s3 is DOWN, reason: Layer4 connection problem, info: \"Connection refused\"") != NULL);
	check_stop();
	close(lfd);
	ring_free(t.ring);
	chan_pool_destroy(&t.pool);
	log_set_quiet(0);
}

/* A connect that hangs (a listener whose queue is full) times out: with
 * <rules>, HAProxy adds where in the tcp-check it happened. */
static void live_timeout(int rules)
{
	struct ring_params rp = { .entries = 64, .nbufs = 8, .bufsize = 4096 };
	struct sockaddr_in a;
	socklen_t l = sizeof(a);
	struct thr t;
	char err[256];
	int rc, port, lfd, fill[4];

	setup();
	log_set_quiet(1);
	memset(&t, 0, sizeof(t));
	chan_pool_init(&t.pool, 4096, NULL, NULL);
	rp.pool = &t.pool;
	t.ring = ring_new(&rp, &rc, err, sizeof(err));
	if (!t.ring) {
		SKIP(err);
		chan_pool_destroy(&t.pool);
		return;
	}
	timers_init(&t.timers, timer_now_ms());
	/* a listener that never accepts, its queue filled: new SYNs are dropped
	 * and a connect hangs until the check times out */
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	EXPECT(bind(lfd, (struct sockaddr *)&a, sizeof(a)) == 0 && listen(lfd, 0) == 0);
	getsockname(lfd, (struct sockaddr *)&a, &l);
	port = ntohs(a.sin_port);
	for (int i = 0; i < 4; i++) {
		fill[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		connect(fill[i], (struct sockaddr *)&a, sizeof(a));
	}
	usleep(50000);
	s1.addr.u.in4.sin_port = htons((uint16_t)port);
	s2.check = s3.check = 0;
	be.to.check = 150;
	if (rules) {
		char cerr[CFG_ERR_SIZE];

		be.options |= PXO_TCP_CHECK;
		EXPECT_INT(tc_kw("tcp-check send PING", cerr, sizeof(cerr)), 0);
		EXPECT_INT(tc_kw("tcp-check expect string PONG", cerr, sizeof(cerr)), 0);
	}
	EXPECT_INT(check_start(&cfg, &t), 1);
	uint64_t end = timer_now_ms() + 2000;
	while (timer_now_ms() < end && s1.state == SRV_UP) {
		uint64_t next = timers_next(&t.timers), now = timer_now_ms();
		ring_wait(t.ring, next == TIMER_ETERNITY ? 50 : (int64_t)(next > now ? next - now : 0));
		timers_run(&t.timers, timer_now_ms());
	}
	EXPECT_INT(s1.state, SRV_DOWN);
	const char *lg = logged();
	if (rules)
		EXPECT(strstr(lg, "Server be/s1 is DOWN, reason: Layer4 timeout, info: \" at initial connection step of tcp-check\", check duration: ") != NULL);
	else
		EXPECT(strstr(lg, "Server be/s1 is DOWN, reason: Layer4 timeout, check duration: ") != NULL);
	/* inter (100 ms) bounds the connect; a loaded machine fires the timer
	 * late, so the duration is only required to be of that order */
	const char *d = strstr(lg, "check duration: ");
	long ms = d ? strtol(d + strlen("check duration: "), NULL, 10) : -1;
	EXPECT(ms >= 100 && ms < 1000);
	if (!strstr(lg, "Layer4 timeout"))
		printf("  logged: %s\n", lg);
	check_stop();
	check_cfg_free(&cfg);
	/* the cancelled connect's completion may still be queued: drain it */
	ring_wait(t.ring, 0);
	for (int i = 0; i < 4; i++)
		close(fill[i]);
	close(lfd);
	ring_free(t.ring);
	chan_pool_destroy(&t.pool);
	log_set_quiet(0);
}

/* ---- tcp-check ---- */

static int tc_kw(const char *line, char *err, size_t errlen)
{
	static char buf[256];
	char *args[12];
	int n = 0;
	struct cfg_ctx c;

	memset(&c, 0, sizeof(c));
	c.cfg = &cfg;
	c.px = &be;
	c.sec = CFG_SEC_BACKEND;
	snprintf(buf, sizeof(buf), "%s", line);
	for (char *t = strtok(buf, " "); t && n < 12; t = strtok(NULL, " "))
		args[n++] = t;
	int rc = check_cfg_tcp_check(&c, args, n);
	snprintf(err, errlen, "%s", c.err);
	return rc;
}

static void t_tcp_check_parse(void)
{
	char err[CFG_ERR_SIZE];

	setup();
	EXPECT_INT(tc_kw("tcp-check connect port 6379", err, sizeof(err)), 0);
	EXPECT_INT(tc_kw("tcp-check send-binary 50494e470d0a", err, sizeof(err)), 0);
	EXPECT_INT(tc_kw("tcp-check expect binary 2b504f4e47 comment pong", err, sizeof(err)), 0);
	EXPECT_INT(tc_kw("tcp-check expect ! string -ERR", err, sizeof(err)), 0);
	EXPECT_INT(tc_kw("tcp-check expect rstring ^\\+P.NG", err, sizeof(err)), 0);
	EXPECT_INT(tc_kw("tcp-check comment hello", err, sizeof(err)), 0);
	/* more connects after the first one: a new connection each */
	EXPECT_INT(tc_kw("tcp-check connect port 6380", err, sizeof(err)), 0);
	EXPECT_INT(tc_kw("tcp-check connect port var(check.p)", err, sizeof(err)), 0);
	EXPECT_INT(tc_kw("tcp-check connect port int(8080)", err, sizeof(err)), 0);
	EXPECT_INT(tc_kw("tcp-check connect port nosuchfetch", err, sizeof(err)), -1);
	EXPECT(!strncmp(err, "'tcp-check connect' : error detected while parsing port expression : ", 69));
	EXPECT_INT(tc_kw("tcp-check connect port 70000", err, sizeof(err)), -1);
	EXPECT_STR(err, "'tcp-check connect' : expects a valid TCP port (from range 1 to 65535) or a sample expression, got 70000.");
	EXPECT_INT(tc_kw("tcp-check expect min-recv 4 error-status L7STS ok-status L6OK rstring ^ab", err, sizeof(err)), 0);
	EXPECT_INT(tc_kw("tcp-check expect !rbinary ^45 on-error %[res.payload(6,0),cut_crlf] status-code res.payload(0,3)", err, sizeof(err)), 0);
	EXPECT_INT(tc_kw("tcp-check expect error-status L7OK string x", err, sizeof(err)), -1);
	EXPECT_STR(err, "'tcp-check expect' : 'error-status' only supports 'L4CON', 'L6RSP', 'L7RSP' or 'L7STS' status (got 'L7OK').");
	EXPECT_INT(tc_kw("tcp-check expect min-recv", err, sizeof(err)), -1);
	EXPECT_STR(err, "'tcp-check expect' : 'min-recv' expects a integer as argument.");
	EXPECT_INT(tc_kw("tcp-check expect ! min-recv 3 string x", err, sizeof(err)), -1);
	EXPECT_STR(err, "'tcp-check expect' : [!] not supported with 'min-recv'.");
	EXPECT_INT(tc_kw("tcp-check expect string", err, sizeof(err)), -1);
	EXPECT_STR(err, "'tcp-check expect' : 'string' expects a <pattern> as argument.");
	EXPECT_INT(tc_kw("tcp-check expect on-success %[src] string x", err, sizeof(err)), -1);
	EXPECT_INT(tc_kw("tcp-check send-binary 5x", err, sizeof(err)), -1);
	EXPECT_STR(err, "'tcp-check send-binary' : invalid hexadecimal string '5x'.");
	EXPECT_INT(tc_kw("tcp-check expect rstring (", err, sizeof(err)), -1);
	EXPECT_INT(tc_kw("tcp-check expect custom x", err, sizeof(err)), -1);
	EXPECT_INT(tc_kw("tcp-check set-var(check.x) int(1)", err, sizeof(err)), 0);
	EXPECT_INT(tc_kw("tcp-check unset-var(check.x)", err, sizeof(err)), 0);
	EXPECT_INT(tc_kw("tcp-check set-var(txn.x) int(1)", err, sizeof(err)), -1);
	EXPECT_STR(err, "'tcp-check set-var' : only a variable of the 'check' scope without conditions is supported by ringproxy ('set-var(check.<name>)').");
	EXPECT_INT(tc_kw("tcp-check set-var(check.x) nosuchfetch", err, sizeof(err)), -1);
	EXPECT_INT(tc_kw("tcp-check send-lf %[var(check.x)]-%[str(a),upper]", err, sizeof(err)), 0);
	EXPECT_INT(tc_kw("tcp-check send-lf %[nosuchfetch]", err, sizeof(err)), -1);
	EXPECT_INT(tc_kw("tcp-check send PING min-recv 3", err, sizeof(err)), -1);
	EXPECT_STR(err, "'tcp-check send' : option 'min-recv' is not supported by ringproxy.");
	EXPECT_INT(tc_kw("tcp-check", err, sizeof(err)), -1);
	check_cfg_free(&cfg);
	EXPECT(be.check_rules == NULL);
}

/* A tiny TCP peer for the live tcp-check cases: answers <reply> to
 * whatever arrives first, then closes after 50 ms. */
struct peer {
	int fd, port;
	const char *reply;
	volatile int stop;
	pthread_t th;
	char got[512];              /* the first request received */
	volatile int got_len;
};

static void *peer_run(void *arg)
{
	struct peer *p = arg;

	while (!p->stop) {
		struct pollfd pf = { .fd = p->fd, .events = POLLIN };
		char buf[256];
		int c;

		if (poll(&pf, 1, 50) != 1 || (c = accept(p->fd, NULL, NULL)) < 0)
			continue;
		pf.fd = c;
		ssize_t n = poll(&pf, 1, 500) == 1 ? read(c, buf, sizeof(buf)) : -1;

		if (n > 0 && !p->got_len) {
			memcpy(p->got, buf, (size_t)n < sizeof(p->got) - 1 ? (size_t)n : sizeof(p->got) - 1);
			p->got_len = (int)n;
		}
		if (n > 0 && p->reply)
			if (write(c, p->reply, strlen(p->reply)) < 0) {
				/* the check went away: fine */
			}
		usleep(50000);
		close(c);
	}
	return NULL;
}

static int peer_start(struct peer *p, const char *reply)
{
	memset(p, 0, sizeof(*p));
	p->reply = reply;
	p->fd = listen_any(&p->port);
	if (p->fd < 0)
		return -1;
	return pthread_create(&p->th, NULL, peer_run, p) == 0 ? 0 : -1;
}

static void peer_stop(struct peer *p)
{
	p->stop = 1;
	pthread_join(p->th, NULL);
	close(p->fd);
}

/* Runs the loop of <t> until <done>() or <ms> pass. */
static void run_loop(struct thr *t, int ms, int (*done)(void))
{
	uint64_t end = timer_now_ms() + (uint64_t)ms;

	while (timer_now_ms() < end && !(done && done())) {
		uint64_t next = timers_next(&t->timers), now = timer_now_ms();
		ring_wait(t->ring, next == TIMER_ETERNITY ? 50 : (int64_t)(next > now ? next - now : 0));
		timers_run(&t->timers, timer_now_ms());
	}
}

static int s2_s3_down(void) { return s2.state == SRV_DOWN && s3.state == SRV_DOWN; }

static void t_tcp_check_live(void)
{
	struct ring_params rp = { .entries = 64, .nbufs = 8, .bufsize = 4096 };
	struct peer ok, bad;
	struct thr t;
	char err[CFG_ERR_SIZE], rerr[200];
	int rc, dead;

	setup();
	log_set_quiet(1);
	memset(&t, 0, sizeof(t));
	chan_pool_init(&t.pool, 4096, NULL, NULL);
	rp.pool = &t.pool;
	t.ring = ring_new(&rp, &rc, rerr, sizeof(rerr));
	if (!t.ring) {
		SKIP(rerr);
		chan_pool_destroy(&t.pool);
		return;
	}
	timers_init(&t.timers, timer_now_ms());
	EXPECT(peer_start(&ok, "+PONG\r\n") == 0 && peer_start(&bad, "-ERR unknown\r\n") == 0);
	close(listen_any(&dead));
	/* s1 answers +PONG, s2 answers -ERR, s3 refuses */
	s1.addr.u.in4.sin_port = htons((uint16_t)ok.port);
	s2.addr.u.in4.sin_port = htons((uint16_t)bad.port);
	s2.backup = 0;
	s3.addr.u.in4.sin_port = htons((uint16_t)dead);
	s1.rise = s2.rise = s3.rise = 1;
	s1.fall = s2.fall = s3.fall = 1;
	s1.health = s2.health = s3.health = 1;
	be.options |= PXO_TCP_CHECK | PXO_LOG_HEALTH_CHECKS;
	be.to.check = 1000;
	EXPECT_INT(tc_kw("tcp-check send PING", err, sizeof(err)), 0);
	EXPECT_INT(tc_kw("tcp-check expect string +PONG", err, sizeof(err)), 0);
	EXPECT_INT(check_start(&cfg, &t), 3);
	run_loop(&t, 2000, s2_s3_down);
	run_loop(&t, 150, NULL);
	EXPECT_INT(s1.state, SRV_UP);
	EXPECT_INT(s2.state, SRV_DOWN);
	EXPECT_INT(s3.state, SRV_DOWN);
	const char *lg = logged();
	/* HAProxy 2.6's words for the same three cases */
	EXPECT(strstr(lg, "Health check for server be/s1 succeeded, reason: Layer7 check passed, code: 0, info: \"(tcp-check)\", check duration: ") != NULL);
	EXPECT(strstr(lg, "Health check for server be/s2 failed, reason: Layer7 invalid response, info: \"TCPCHK did not match content '+PONG' at step 2\", check duration: ") != NULL);
	EXPECT(strstr(lg, "Health check for server be/s3 failed, reason: Layer4 connection problem, info: \"Connection refused at initial connection step of tcp-check\", check duration: ") != NULL);
	EXPECT(strstr(lg, "Server be/s2 is DOWN. ") != NULL);
	if (s1.state != SRV_UP || s2.state != SRV_DOWN)
		printf("  logged: %s\n", lg);
	check_stop();
	ring_wait(t.ring, 0);
	peer_stop(&ok);
	peer_stop(&bad);
	check_cfg_free(&cfg);
	ring_free(t.ring);
	chan_pool_destroy(&t.pool);
	log_set_quiet(0);
}

static int s2_down(void) { return s2.state == SRV_DOWN; }

static void t_tcp_check_negated(void)
{
	struct ring_params rp = { .entries = 64, .nbufs = 8, .bufsize = 4096 };
	struct peer ok, bad;
	struct thr t;
	char err[CFG_ERR_SIZE], rerr[200];
	int rc;

	setup();
	log_set_quiet(1);
	memset(&t, 0, sizeof(t));
	chan_pool_init(&t.pool, 4096, NULL, NULL);
	rp.pool = &t.pool;
	t.ring = ring_new(&rp, &rc, rerr, sizeof(rerr));
	if (!t.ring) {
		SKIP(rerr);
		chan_pool_destroy(&t.pool);
		return;
	}
	timers_init(&t.timers, timer_now_ms());
	EXPECT(peer_start(&ok, "+PONG\r\n") == 0 && peer_start(&bad, "-ERR unknown\r\n") == 0);
	s1.addr.u.in4.sin_port = htons((uint16_t)ok.port);
	s2.addr.u.in4.sin_port = htons((uint16_t)bad.port);
	s2.backup = 0;
	s3.check = 0;
	s1.rise = s2.rise = 1;
	s1.fall = s2.fall = 1;
	s1.health = s2.health = 1;
	be.options |= PXO_TCP_CHECK;
	be.to.check = 1000;
	EXPECT_INT(tc_kw("tcp-check send-binary 50494e470d0a", err, sizeof(err)), 0);
	EXPECT_INT(tc_kw("tcp-check expect ! string -ERR", err, sizeof(err)), 0);
	EXPECT_INT(check_start(&cfg, &t), 2);
	run_loop(&t, 2000, s2_down);
	run_loop(&t, 150, NULL);
	EXPECT_INT(s1.state, SRV_UP);
	EXPECT_INT(s2.state, SRV_DOWN);
	const char *lg = logged();
	EXPECT(strstr(lg, "Server be/s2 is DOWN, reason: Layer7 invalid response, info: \"TCPCHK matched unwanted content '-ERR' at step 2\", check duration: ") != NULL);
	if (s2.state != SRV_DOWN || s1.state != SRV_UP)
		printf("  logged: %s\n", lg);
	check_stop();
	ring_wait(t.ring, 0);
	peer_stop(&ok);
	peer_stop(&bad);
	check_cfg_free(&cfg);
	ring_free(t.ring);
	chan_pool_destroy(&t.pool);
	log_set_quiet(0);
}

static int cfg_kw(int (*fn)(struct cfg_ctx *, char **, int), const char *line, char *err,
                  size_t errlen)
{
	static char buf[256];
	char *args[12];
	int n = 0;
	struct cfg_ctx c;

	memset(&c, 0, sizeof(c));
	c.cfg = &cfg;
	c.px = &be;
	c.sec = CFG_SEC_BACKEND;
	snprintf(buf, sizeof(buf), "%s", line);
	for (char *t = strtok(buf, " "); t && n < 12; t = strtok(NULL, " "))
		args[n++] = t;
	int rc = fn(&c, args, n);
	snprintf(err, errlen, "%s", c.err);
	return rc;
}

static void t_httpchk_parse(void)
{
	char err[CFG_ERR_SIZE];

	setup();
	EXPECT_INT(cfg_kw(check_cfg_httpchk, "option httpchk GET /health", err, sizeof(err)), 0);
	EXPECT(be.options & PXO_HTTPCHK);
	EXPECT_INT(cfg_kw(check_cfg_http_check, "http-check comment first", err, sizeof(err)), 0);
	EXPECT_INT(cfg_kw(check_cfg_http_check, "http-check connect ssl sni", err, sizeof(err)), -1);
	EXPECT_STR(err, "'http-check connect' : 'sni' expects a string as argument.");
	EXPECT_INT(cfg_kw(check_cfg_http_check, "http-check connect via-socks4", err, sizeof(err)), -1);
	EXPECT_STR(err, "'http-check connect' : option 'via-socks4' is not supported by ringproxy yet.");
	EXPECT_INT(cfg_kw(check_cfg_http_check, "http-check connect port 81 ssl sni a.test alpn http/1.1", err, sizeof(err)), 0);
	EXPECT_INT(cfg_kw(check_cfg_http_check, "http-check expect status 200-299,404", err, sizeof(err)), 0);
	EXPECT_INT(cfg_kw(check_cfg_http_check, "http-check expect ! rstatus ^5", err, sizeof(err)), 0);
	EXPECT_INT(cfg_kw(check_cfg_http_check, "http-check send meth HEAD uri /z ver HTTP/1.1 hdr Host foo", err, sizeof(err)), 0);
	EXPECT_INT(cfg_kw(check_cfg_http_check, "http-check expect string OK", err, sizeof(err)), 0);
	EXPECT_INT(cfg_kw(check_cfg_http_check, "http-check expect ! rstring ^E", err, sizeof(err)), 0);
	EXPECT_INT(cfg_kw(check_cfg_http_check, "http-check expect hdr name -m beg x-a value -m reg ^[0-9]+$", err, sizeof(err)), 0);
	EXPECT_INT(cfg_kw(check_cfg_http_check, "http-check expect fhdr name x-b", err, sizeof(err)), 0);
	EXPECT_INT(cfg_kw(check_cfg_http_check, "http-check expect status 2xx", err, sizeof(err)), -1);
	EXPECT_STR(err, "'http-check expect' : invalid status code list '2xx'.");
	EXPECT_INT(cfg_kw(check_cfg_http_check, "http-check expect hdr x-a", err, sizeof(err)), -1);
	EXPECT_STR(err, "'http-check expect' : 'hdr' expects at the name keyword as first argument followed by a pattern.");
	EXPECT_INT(cfg_kw(check_cfg_http_check, "http-check expect hdr name -m foo x", err, sizeof(err)), -1);
	EXPECT_STR(err, "'http-check expect' : 'hdr' : '-m' only supports 'str', 'beg', 'end', 'sub' or 'reg' (got 'foo').");
	EXPECT_INT(cfg_kw(check_cfg_http_check, "http-check disable-on-404", err, sizeof(err)), 0);
	EXPECT_INT(cfg_kw(check_cfg_http_check, "http-check send-state", err, sizeof(err)), 0);
	EXPECT_INT(cfg_kw(check_cfg_http_check, "http-check send body x", err, sizeof(err)), 0);
	EXPECT_INT(cfg_kw(check_cfg_http_check, "http-check set-var(check.x) int(1)", err, sizeof(err)), 0);
	EXPECT_INT(cfg_kw(check_cfg_http_check, "http-check set-var(check.x,ifexists) int(1)", err, sizeof(err)), -1);
	EXPECT_INT(cfg_kw(check_cfg_http_check, "http-check connect port 82", err, sizeof(err)), 0);
	check_cfg_free(&cfg);
	/* HAProxy's rule: with a connect, the first rule is one */
	setup();
	EXPECT_INT(cfg_kw(check_cfg_http_check, "http-check send meth GET", err, sizeof(err)), 0);
	EXPECT_INT(cfg_kw(check_cfg_http_check, "http-check connect port 82", err, sizeof(err)), -1);
	EXPECT_STR(err, "'http-check connect' : first step MUST also be a 'connect', optionally preceded by a 'set-var', an 'unset-var' or a 'comment', when there is a 'connect' step in the tcp-check ruleset.");
	check_cfg_free(&cfg);
	be.options &= ~PXO_HTTPCHK;
}

static int http_all_decided(void)
{
	return s2.state == SRV_DOWN && s3.state == SRV_DOWN;
}

static void t_httpchk_live(void)
{
	struct ring_params rp = { .entries = 64, .nbufs = 8, .bufsize = 4096 };
	struct peer ok, bad, garb, redir;
	struct server s4;
	struct thr t;
	char err[CFG_ERR_SIZE], rerr[200];
	int rc;

	setup();
	log_set_quiet(1);
	memset(&t, 0, sizeof(t));
	chan_pool_init(&t.pool, 4096, NULL, NULL);
	rp.pool = &t.pool;
	t.ring = ring_new(&rp, &rc, rerr, sizeof(rerr));
	if (!t.ring) {
		SKIP(rerr);
		chan_pool_destroy(&t.pool);
		return;
	}
	timers_init(&t.timers, timer_now_ms());
	EXPECT(peer_start(&ok, "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n") == 0);
	EXPECT(peer_start(&bad, "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n") == 0);
	EXPECT(peer_start(&garb, "garbage\r\n\r\n") == 0);
	EXPECT(peer_start(&redir, "HTTP/1.1 302 Found\r\nLocation: /x\r\n\r\n") == 0);
	srv_init(&s4, "s4", redir.port, 0);
	s3.next = &s4;
	s1.addr.u.in4.sin_port = htons((uint16_t)ok.port);
	s2.addr.u.in4.sin_port = htons((uint16_t)bad.port);
	s3.addr.u.in4.sin_port = htons((uint16_t)garb.port);
	s2.backup = 0;
	for (struct server *x = &s1; x; x = x->next) {
		x->rise = x->fall = 1;
		x->health = 1;
	}
	be.options |= PXO_LOG_HEALTH_CHECKS;
	EXPECT_INT(cfg_kw(check_cfg_httpchk, "option httpchk", err, sizeof(err)), 0);
	EXPECT_INT(check_start(&cfg, &t), 4);
	run_loop(&t, 2000, http_all_decided);
	run_loop(&t, 150, NULL);
	EXPECT_INT(s1.state, SRV_UP);
	EXPECT_INT(s2.state, SRV_DOWN);
	EXPECT_INT(s3.state, SRV_DOWN);
	EXPECT_INT(s4.state, SRV_UP);
	const char *lg = logged();
	/* HAProxy 2.6's words for the same four servers */
	EXPECT(strstr(lg, "Health check for server be/s1 succeeded, reason: Layer7 check passed, code: 200, check duration: ") != NULL);
	EXPECT(strstr(lg, "Health check for server be/s2 failed, reason: Layer7 wrong status, code: 503, info: \"Service Unavailable\", check duration: ") != NULL);
	EXPECT(strstr(lg, "Health check for server be/s3 failed, reason: Layer7 invalid response, check duration: ") != NULL);
	EXPECT(strstr(lg, "Health check for server be/s4 succeeded, reason: Layer7 check passed, code: 302, check duration: ") != NULL);
	if (s2.state != SRV_DOWN || s4.state != SRV_UP)
		printf("  logged: %s\n", lg);
	/* the request HAProxy sends by default */
	EXPECT_STR(ok.got, "OPTIONS / HTTP/1.0\r\n\r\n");
	check_stop();
	ring_wait(t.ring, 0);
	peer_stop(&ok);
	peer_stop(&bad);
	peer_stop(&garb);
	peer_stop(&redir);
	check_cfg_free(&cfg);
	ring_free(t.ring);
	chan_pool_destroy(&t.pool);
	log_set_quiet(0);
}

static int s1_checked(void);
static struct peer *req_peer;
static int s1_checked(void) { return req_peer && req_peer->got_len > 0; }

static void t_httpchk_request(void)
{
	struct ring_params rp = { .entries = 64, .nbufs = 8, .bufsize = 4096 };
	struct peer ok;
	struct thr t;
	char err[CFG_ERR_SIZE], rerr[200];
	int rc;

	setup();
	log_set_quiet(1);
	memset(&t, 0, sizeof(t));
	chan_pool_init(&t.pool, 4096, NULL, NULL);
	rp.pool = &t.pool;
	t.ring = ring_new(&rp, &rc, rerr, sizeof(rerr));
	if (!t.ring) {
		SKIP(rerr);
		chan_pool_destroy(&t.pool);
		return;
	}
	timers_init(&t.timers, timer_now_ms());
	EXPECT(peer_start(&ok, "HTTP/1.0 302 Found\r\n\r\n") == 0);
	req_peer = &ok;
	s1.addr.u.in4.sin_port = htons((uint16_t)ok.port);
	s2.check = s3.check = 0;
	s1.rise = s1.fall = 1;
	s1.health = 1;
	/* headers in the version, the old way; "expect status 200" refuses 302 */
	{
		char *args[] = { "option", "httpchk", "GET", "/h", "HTTP/1.1\r\nHost: www" };
		struct cfg_ctx c;

		memset(&c, 0, sizeof(c));
		c.cfg = &cfg;
		c.px = &be;
		c.sec = CFG_SEC_BACKEND;
		EXPECT_INT(check_cfg_httpchk(&c, args, 5), 0);
	}
	EXPECT_INT(cfg_kw(check_cfg_http_check, "http-check expect status 200", err, sizeof(err)), 0);
	EXPECT_INT(check_start(&cfg, &t), 1);
	run_loop(&t, 2000, s1_checked);
	run_loop(&t, 100, NULL);
	EXPECT_STR(ok.got, "GET /h HTTP/1.1\r\nhost: www\r\nconnection: close\r\n\r\n");
	EXPECT_INT(s1.state, SRV_DOWN);
	EXPECT(strstr(logged(), "Server be/s1 is DOWN, reason: Layer7 wrong status, code: 302, info: \"Found\", check duration: ") != NULL);
	check_stop();
	ring_wait(t.ring, 0);
	peer_stop(&ok);
	req_peer = NULL;
	check_cfg_free(&cfg);
	ring_free(t.ring);
	chan_pool_destroy(&t.pool);
	log_set_quiet(0);
}

static int s1_down(void) { return s1.state == SRV_DOWN; }

static void t_tcp_check_timeout(void)
{
	struct ring_params rp = { .entries = 64, .nbufs = 8, .bufsize = 4096 };
	struct peer mute;
	struct thr t;
	char err[CFG_ERR_SIZE], rerr[200];
	int rc;

	setup();
	log_set_quiet(1);
	memset(&t, 0, sizeof(t));
	chan_pool_init(&t.pool, 4096, NULL, NULL);
	rp.pool = &t.pool;
	t.ring = ring_new(&rp, &rc, rerr, sizeof(rerr));
	if (!t.ring) {
		SKIP(rerr);
		chan_pool_destroy(&t.pool);
		return;
	}
	timers_init(&t.timers, timer_now_ms());
	/* a peer that reads and never answers (it closes after 50 ms, after
	 * the check gave up: timeout check 30ms) */
	EXPECT(peer_start(&mute, NULL) == 0);
	s1.addr.u.in4.sin_port = htons((uint16_t)mute.port);
	s2.check = s3.check = 0;
	be.options |= PXO_TCP_CHECK;
	be.to.check = 30;
	EXPECT_INT(tc_kw("tcp-check send PING", err, sizeof(err)), 0);
	EXPECT_INT(tc_kw("tcp-check expect string PONG", err, sizeof(err)), 0);
	EXPECT_INT(check_start(&cfg, &t), 1);
	run_loop(&t, 2000, s1_down);
	EXPECT_INT(s1.state, SRV_DOWN);
	const char *lg = logged();
	EXPECT(strstr(lg, "Server be/s1 is DOWN, reason: Layer7 timeout, info: \" at step 2 of tcp-check (expect string 'PONG')\", check duration: ") != NULL);
	if (!strstr(lg, "Layer7 timeout"))
		printf("  logged: %s\n", lg);
	check_stop();
	ring_wait(t.ring, 0);
	peer_stop(&mute);
	check_cfg_free(&cfg);
	ring_free(t.ring);
	chan_pool_destroy(&t.pool);
	log_set_quiet(0);
}

int main(void)
{
	RUN(t_first_failure_downs);
	RUN(t_rise);
	RUN(t_fall);
	RUN(t_log_health_checks);
	RUN(t_validate);
	RUN(t_live);
	RUN(t_live_timeout);
	RUN(t_tcp_check_parse);
	RUN(t_tcp_check_live);
	RUN(t_tcp_check_timeout);
	RUN(t_tcp_check_negated);
	RUN(t_tcp_check_connect_timeout);
	RUN(t_httpchk_parse);
	RUN(t_httpchk_live);
	RUN(t_httpchk_request);
	log_deinit(&cfg);
	log_targets_free(be.logs);
	return unit_end();
}
