/* test_log.c: "log" target parsing, syslog framing (as HAProxy 2.6 frames
 * it, captured on a UDP socket), level filters and real sends over UDP,
 * a unix datagram socket and a pipe (fd@N). */
#include <arpa/inet.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include "tests/unit/unit.h"
#include "engine/cfg.h"
#include "engine/log.h"
#include "engine/proxy.h"
#include "engine/stream.h"

static struct log_target *parse(const char *line, char *err, size_t errlen)
{
	static char buf[512];
	char *args[16];
	int n = 0;

	snprintf(buf, sizeof(buf), "%s", line);
	for (char *p = strtok(buf, " "); p && n < 16; p = strtok(NULL, " "))
		args[n++] = p;
	return log_target_parse(args, n, err, errlen);
}

static void t_names(void)
{
	EXPECT_INT(log_facility_parse("kern"), 0);
	EXPECT_INT(log_facility_parse("daemon"), 3);
	EXPECT_INT(log_facility_parse("local0"), 16);
	EXPECT_INT(log_facility_parse("local7"), 23);
	EXPECT_INT(log_facility_parse("local8"), -1);
	EXPECT_INT(log_level_parse("emerg"), 0);
	EXPECT_INT(log_level_parse("info"), 6);
	EXPECT_INT(log_level_parse("debug"), 7);
	EXPECT_INT(log_level_parse("verbose"), -1);
	EXPECT_STR(log_level_name(4), "warning");
	EXPECT_STR(log_facility_name(17), "local1");
}

static void t_parse_targets(void)
{
	char err[256];
	struct log_target *t;

	t = parse("log stdout format raw local0", err, sizeof(err));
	EXPECT(t != NULL);
	if (t) {
		EXPECT_INT(t->dest, LOG_DEST_FD);
		EXPECT_INT(t->fd, 1);
		EXPECT_INT(t->format, LOG_FMT_RAW);
		EXPECT_INT(t->facility, 16);
		EXPECT_INT(t->level, 7);
		log_targets_free(t);
	}
	t = parse("log 127.0.0.1:19515 len 200 format rfc5424 local1 info notice", err, sizeof(err));
	EXPECT(t != NULL);
	if (t) {
		struct sockaddr_in *in = (struct sockaddr_in *)t->addr;

		EXPECT_INT(t->dest, LOG_DEST_UDP);
		EXPECT_INT(ntohs(in->sin_port), 19515);
		EXPECT_INT(t->maxlen, 200);
		EXPECT_INT(t->format, LOG_FMT_RFC5424);
		EXPECT_INT(t->facility, 17);
		EXPECT_INT(t->level, 6);
		EXPECT_INT(t->minlevel, 5);
		log_targets_free(t);
	}
	t = parse("log 10.0.0.1 local0", err, sizeof(err));
	EXPECT(t != NULL);
	if (t) {
		EXPECT_INT(ntohs(((struct sockaddr_in *)t->addr)->sin_port), 514);
		log_targets_free(t);
	}
	t = parse("log ipv6@[::1]:600 daemon", err, sizeof(err));
	EXPECT(t != NULL);
	if (t) {
		EXPECT_INT(((struct sockaddr *)t->addr)->sa_family, AF_INET6);
		EXPECT_INT(ntohs(((struct sockaddr_in6 *)t->addr)->sin6_port), 600);
		log_targets_free(t);
	}
	t = parse("log /dev/log local0", err, sizeof(err));
	EXPECT(t != NULL);
	if (t) {
		EXPECT_INT(t->dest, LOG_DEST_UNIX);
		EXPECT_STR(((struct sockaddr_un *)t->addr)->sun_path, "/dev/log");
		log_targets_free(t);
	}
	t = parse("log fd@3 user", err, sizeof(err));
	EXPECT(t != NULL && t->fd == 3);
	log_targets_free(t);

	EXPECT(parse("log stdout local9", err, sizeof(err)) == NULL);
	EXPECT_STR(err, "log : unknown log facility 'local9'");
	EXPECT(parse("log stdout local0 loud", err, sizeof(err)) == NULL);
	EXPECT_STR(err, "log : unknown optional log level 'loud'");
	EXPECT(parse("log stdout format json local0", err, sizeof(err)) == NULL);
	EXPECT_STR(err, "log : unknown log format 'json'");
	/* HAProxy 2.6's words for the rest */
	EXPECT(parse("log 1.2.3.4:99999 local0", err, sizeof(err)) == NULL);
	EXPECT_STR(err, "log : invalid port '99999'");
	EXPECT(parse("log stdout", err, sizeof(err)) == NULL);
	EXPECT_STR(err, "log : expects <address> and <facility>  as arguments");
	EXPECT(parse("log stdout local0 info info extra", err, sizeof(err)) == NULL);
	EXPECT_STR(err, "log : cannot handle unexpected argument 'extra'");
	EXPECT(parse("log stdout local0 info loud", err, sizeof(err)) == NULL);
	EXPECT_STR(err, "log : unknown optional minimum log level 'loud'");
	EXPECT(parse("log fd@x local0", err, sizeof(err)) == NULL);
	EXPECT_STR(err, "log : file descriptor 'x' is not a valid integer in 'fd@x'");
	EXPECT(parse("log 127.0.0.1 len 79 local0", err, sizeof(err)) == NULL);
	EXPECT_STR(err, "log : invalid log length '79', must be between 80 and 65535");
	t = parse("log 127.0.0.1 len 65535 local0", err, sizeof(err));
	EXPECT(t != NULL);
	log_targets_free(t);
}

static void t_dup(void)
{
	char err[256];
	struct log_target *a = parse("log 127.0.0.1:5000 local2 err", err, sizeof(err));
	struct log_target *d;

	EXPECT(a != NULL);
	if (!a)
		return;
	a->next = parse("log stderr local3", err, sizeof(err));
	d = log_targets_dup(a);
	EXPECT(d != NULL && d->next != NULL && d->next->next == NULL);
	if (d && d->next) {
		EXPECT(d->addr != a->addr);
		EXPECT_INT(memcmp(d->addr, a->addr, sizeof(struct sockaddr_in)), 0);
		EXPECT_INT(d->level, 3);
		EXPECT_INT(d->next->fd, 2);
		EXPECT_STR(d->text, "127.0.0.1:5000");
	}
	log_targets_free(a);
	log_targets_free(d);
}

static void t_headers(void)
{
	char h[256];
	/* 26/Nov/2026 08:34:36.793986 UTC */
	uint64_t now = 1795682076793986ull;

	/* HAProxy: <129>Nov 26 08:34:36 haproxy[9572]: */
	log_header(h, sizeof(h), LOG_FMT_RFC3164, 129, now, "", "haproxy", 9572);
	EXPECT_STR(h, "<129>Nov 26 08:34:36 haproxy[9572]: ");
	/* HAProxy: <137>1 2026-11-26T08:34:36.793986+00:00 - haproxy 9572 - - */
	log_header(h, sizeof(h), LOG_FMT_RFC5424, 137, now, "", "haproxy", 9572);
	EXPECT_STR(h, "<137>1 2026-11-26T08:34:36.793986+00:00 - haproxy 9572 - - ");
	log_header(h, sizeof(h), LOG_FMT_RFC3164, 134, now, "vm", "ringproxy", 12);
	EXPECT_STR(h, "<134>Nov 26 08:34:36 vm ringproxy[12]: ");
	/* the other framings, as HAProxy 2.6 sent them over UDP */
	log_header(h, sizeof(h), LOG_FMT_SHORT, 134, now, "", "ringproxy", 12);
	EXPECT_STR(h, "<6>");
	log_header(h, sizeof(h), LOG_FMT_PRIO, 134, now, "", "ringproxy", 12);
	EXPECT_STR(h, "<134>");
	log_header(h, sizeof(h), LOG_FMT_TIMED, 134, now, "", "ringproxy", 12);
	EXPECT_STR(h, "<6>2026-11-26T08:34:36.793986+00:00 ");
	log_header(h, sizeof(h), LOG_FMT_ISO, 134, now, "", "ringproxy", 12);
	EXPECT_STR(h, "2026-11-26T08:34:36.793986+00:00 ");
	log_header(h, sizeof(h), LOG_FMT_LOCAL, 134, now, "myhost", "haproxy", 7970);
	EXPECT_STR(h, "<134>Nov 26 08:34:36 haproxy[7970]: ");
	log_header(h, sizeof(h), LOG_FMT_RFC3164, 134, now, "myhost", "haproxy", 7970);
	EXPECT_STR(h, "<134>Nov 26 08:34:36 myhost haproxy[7970]: ");
	EXPECT_INT(log_header(h, sizeof(h), LOG_FMT_RAW, 134, now, "", "ringproxy", 12), 0);
	/* single-digit days are space-padded */
	log_header(h, sizeof(h), LOG_FMT_RFC3164, 14, 1794038400000000ull, "", "t", 1);
	EXPECT_STR(h, "<14>Nov  7 08:00:00 t[1]: ");
}

static int udp_listener(int *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t l = sizeof(a);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &l) < 0)
		return -1;
	*port = ntohs(a.sin_port);
	return fd;
}

static ssize_t recv_wait(int fd, char *buf, size_t n)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	if (poll(&p, 1, 1000) != 1)
		return -1;
	return recv(fd, buf, n, 0);
}

static void t_send_udp(void)
{
	char err[256], line[128], buf[2048];
	int port, fd = udp_listener(&port);
	struct log_target *t;
	ssize_t n;

	EXPECT(fd >= 0);
	if (fd < 0)
		return;
	snprintf(line, sizeof(line), "log 127.0.0.1:%d len 100 local0 info", port);
	t = parse(line, err, sizeof(err));
	EXPECT(t != NULL);
	if (!t)
		goto out;
	log_set_identity("", "ringproxy");
	EXPECT_INT(log_target_send(t, LOG_LVL_WARNING, "ringproxy", "hello", 5), 0);
	n = recv_wait(fd, buf, sizeof(buf) - 1);
	EXPECT(n > 0);
	if (n > 0) {
		buf[n] = 0;
		/* <132>Mmm dd hh:mm:ss ringproxy[pid]: hello\n */
		char want[64];

		snprintf(want, sizeof(want), " ringproxy[%d]: hello\n", (int)getpid());
		EXPECT(!strncmp(buf, "<132>", 5));
		EXPECT(n > (ssize_t)strlen(want) && !strcmp(buf + n - strlen(want), want));
	}
	/* above the target's level: not sent */
	EXPECT_INT(log_target_send(t, LOG_LVL_DEBUG, "ringproxy", "dbg", 3), 0);
	/* "len 100" bounds the line, header included, newline excluded (as
	 * HAProxy: "len 80" gave 80 bytes and a newline) */
	memset(line, 'x', sizeof(line));
	EXPECT_INT(log_target_send(t, LOG_LVL_INFO, "ringproxy", line, sizeof(line)), 0);
	n = recv_wait(fd, buf, sizeof(buf) - 1);
	EXPECT_INT(n, 101);
	if (n > 0)
		EXPECT(buf[n - 1] == '\n' && buf[n - 2] == 'x');
	/* the debug one must not have arrived */
	EXPECT(recv(fd, buf, sizeof(buf), MSG_DONTWAIT) < 0);
	log_targets_free(t);
out:
	close(fd);
}

static void t_send_hostname(void)
{
	char err[256], line[64], buf[256];
	struct cfg_ctx c;
	char *args[2] = { "log-send-hostname", "myhost" };
	struct log_target *t;
	int p[2];
	ssize_t n;

	memset(&c, 0, sizeof(c));
	c.sec = CFG_SEC_GLOBAL;
	EXPECT_INT(log_cfg_send_hostname(&c, args, 2), 0);
	EXPECT(pipe(p) == 0);
	snprintf(line, sizeof(line), "log fd@%d local0", p[1]);
	t = parse(line, err, sizeof(err));
	EXPECT(t != NULL);
	if (t) {
		EXPECT_INT(log_target_send(t, LOG_LVL_INFO, "haproxy", "m", 1), 0);
		n = read(p[0], buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = 0;
		/* <134>Nov 26 08:57:16 myhost haproxy[7970]: m */
		EXPECT(n > 0 && strstr(buf, ":") && strstr(buf, " myhost haproxy[") != NULL);
		log_targets_free(t);
	}
	c.sec = CFG_SEC_DEFAULTS;
	EXPECT_INT(log_cfg_send_hostname(&c, args, 2), -1);
	log_set_identity("", NULL);
	close(p[0]);
	close(p[1]);
}

static void t_send_fd_raw(void)
{
	char err[256], line[64], buf[256];
	int p[2];
	struct log_target *t;
	ssize_t n;

	EXPECT(pipe(p) == 0);
	snprintf(line, sizeof(line), "log fd@%d format raw daemon", p[1]);
	t = parse(line, err, sizeof(err));
	EXPECT(t != NULL);
	if (!t)
		return;
	EXPECT_INT(log_target_send(t, LOG_LVL_INFO, "ringproxy", "127.0.0.1:1 [x] fe be/s 0/0/0 0 --", 34), 0);
	n = read(p[0], buf, sizeof(buf) - 1);
	EXPECT_INT(n, 35);
	if (n > 0) {
		buf[n] = 0;
		EXPECT_STR(buf, "127.0.0.1:1 [x] fe be/s 0/0/0 0 --\n");
	}
	log_targets_free(t);
	close(p[0]);
	close(p[1]);
}

static void t_send_unix(void)
{
	char err[256], path[108], line[160], buf[256];
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	struct log_target *t;
	ssize_t n;

	snprintf(path, sizeof(path), "/tmp/rp-test-log.%d", (int)getpid());
	unlink(path);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	EXPECT(fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0);
	snprintf(line, sizeof(line), "log %s format short local7", path);
	t = parse(line, err, sizeof(err));
	EXPECT(t != NULL);
	if (t) {
		EXPECT_INT(log_target_send(t, LOG_LVL_ERR, "ringproxy", "boom", 4), 0);
		n = recv_wait(fd, buf, sizeof(buf) - 1);
		EXPECT_INT(n, 8);
		if (n > 0) {
			buf[n] = 0;
			EXPECT_STR(buf, "<3>boom\n");
		}
		log_targets_free(t);
	}
	close(fd);
	unlink(path);
}

static void t_send_unreachable(void)
{
	char err[256];
	struct log_target *t = parse("log /tmp/rp-no-such-socket-here local0", err, sizeof(err));

	EXPECT(t != NULL);
	if (!t)
		return;
	/* a missing syslog socket drops the message, counted, never blocks */
	EXPECT(log_target_send(t, LOG_LVL_INFO, "ringproxy", "x", 1) < 0);
	EXPECT_INT(t->drops, 1);
	log_targets_free(t);
}

static void t_fd_socket_never_blocks(void)
{
	char err[256], line[64], big[4096];
	struct config cfg;
	int sp[2], sent = 0, dropped = 0;

	memset(&cfg, 0, sizeof(cfg));
	memset(big, 'z', sizeof(big));
	EXPECT(socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == 0);
	snprintf(line, sizeof(line), "log fd@%d len 8192 format raw local0", sp[1]);
	cfg.g.logs = parse(line, err, sizeof(err));
	EXPECT(cfg.g.logs != NULL);
	if (!cfg.g.logs)
		return;
	EXPECT_INT(log_init(&cfg), 0);
	EXPECT_INT(cfg.g.logs->fd_is_sock, 1);
	/* nobody reads: the socket fills up, then lines are dropped, never blocking */
	for (int i = 0; i < 2000 && !dropped; i++) {
		if (log_target_send(cfg.g.logs, LOG_LVL_INFO, "ringproxy", big, sizeof(big)) == 0)
			sent++;
		else
			dropped = 1;
	}
	EXPECT(sent > 0);
	EXPECT_INT(dropped, 1);
	EXPECT(cfg.g.logs->drops >= 1);
	log_deinit(&cfg);
	log_targets_free(cfg.g.logs);
	close(sp[0]);
	close(sp[1]);
}

static void t_proxy_send(void)
{
	char err[256];
	struct config cfg;
	struct proxy px;
	int p[2], q[2];
	char line[64], buf[256];

	memset(&cfg, 0, sizeof(cfg));
	memset(&px, 0, sizeof(px));
	EXPECT(pipe(p) == 0 && pipe(q) == 0);
	snprintf(line, sizeof(line), "log fd@%d format raw local0", p[1]);
	cfg.g.logs = parse(line, err, sizeof(err));
	snprintf(line, sizeof(line), "log fd@%d format raw local0 err", q[1]);
	px.logs = parse(line, err, sizeof(err));
	px.name = "fe";
	cfg.proxies = &px;
	EXPECT(cfg.g.logs && px.logs);
	if (!cfg.g.logs || !px.logs)
		return;
	EXPECT_INT(log_init(&cfg), 0);
	/* info: the proxy's own target filters it out; no log global */
	EXPECT_INT(log_send(LOG_LVL_INFO, "a", 1, &px), 0);
	px.log_global = 1;
	EXPECT_INT(log_send(LOG_LVL_INFO, "b", 1, &px), 1);
	EXPECT_INT(log_send(LOG_LVL_ERR, "c", 1, &px), 2);
	EXPECT_INT(log_send(LOG_LVL_NOTICE, "d", 1, NULL), 1);
	EXPECT_INT(read(p[0], buf, sizeof(buf)), 6);
	EXPECT(!memcmp(buf, "b\nc\nd\n", 6));
	EXPECT_INT(read(q[0], buf, sizeof(buf)), 2);
	EXPECT(!memcmp(buf, "c\n", 2));
	log_deinit(&cfg);
	log_targets_free(cfg.g.logs);
	log_targets_free(px.logs);
	close(p[0]); close(p[1]); close(q[0]); close(q[1]);
}

static void t_messages(void)
{
	int p[2], saved = dup(2);
	char buf[512], want[128];
	ssize_t n;

	EXPECT(pipe(p) == 0);
	dup2(p[1], 2);
	rp_alert("config : parsing [%s:%d] : unknown keyword '%s'", "a.cfg", 7, "foo");
	rp_warning("hello\n");
	log_set_quiet(1);
	rp_notice("quiet");
	rp_warning("quiet");
	log_set_quiet(0);
	rp_notice("n");
	dup2(saved, 2);
	close(saved);
	close(p[1]);
	n = read(p[0], buf, sizeof(buf) - 1);
	close(p[0]);
	EXPECT(n > 0);
	if (n <= 0)
		return;
	buf[n] = 0;
	snprintf(want, sizeof(want),
	         "[ALERT]    (%d) : config : parsing [a.cfg:7] : unknown keyword 'foo'\n"
	         "[WARNING]  (%d) : hello\n"
	         "[NOTICE]   (%d) : n\n", (int)getpid(), (int)getpid(), (int)getpid());
	EXPECT_STR(buf, want);
}

static void t_traces(void)
{
	struct stream s;
	struct proxy fe;
	int p[2], saved = dup(2);
	char buf[512];
	ssize_t n;

	memset(&s, 0, sizeof(s));
	memset(&fe, 0, sizeof(fe));
	fe.name = "l_echo";
	s.fe = &fe;
	s.uniq_id = 1;
	s.cli_addr.u.in4.sin_family = AF_INET;
	s.cli_addr.u.in4.sin_port = htons(56490);
	inet_pton(AF_INET, "127.0.0.1", &s.cli_addr.u.in4.sin_addr);
	EXPECT(pipe(p) == 0);
	dup2(p[1], 2);
	log_trace(&s, "clicls", 13, -1);      /* not in debug mode: silent */
	log_set_debug(1);
	log_trace_accept(&s, 4, 13);
	log_trace(&s, "srvcls", 13, -1);
	log_trace(&s, "closed", 13, 14);
	log_set_debug(0);
	dup2(saved, 2);
	close(saved);
	close(p[1]);
	n = read(p[0], buf, sizeof(buf) - 1);
	close(p[0]);
	buf[n > 0 ? n : 0] = 0;
	/* as HAProxy 2.6 -d printed them */
	EXPECT_STR(buf, "00000001:l_echo.accept(0004)=000d from [127.0.0.1:56490] ALPN=<none>\n"
	                "00000001:l_echo.srvcls[000d:ffff]\n"
	                "00000001:l_echo.closed[000d:000e]\n");
}

/* Random "log" lines from plausible words: a target or a message, never
 * a crash (run under ASan by the sanitizer build). */
static void t_random_lines(void)
{
	static const char *const words[] = {
		"stdout", "stderr", "127.0.0.1:514", "127.0.0.1:", "[::1]:5", "ipv6@::1", "fd@",
		"fd@2", "/dev/log", "unix@", "len", "80", "0", "99999", "format", "raw", "rfc5424",
		"json", "local0", "local9", "info", "emerg", "debug", "sample", "1:2", "ring@x", "",
	};
	const int nw = (int)(sizeof(words) / sizeof(words[0]));
	unsigned seed = 777;
	char err[256];
	int ok = 0, bad = 0;

	for (int i = 0; i < 5000; i++) {
		char *args[8];
		int n = 1 + (int)((seed = seed * 1103515245 + 12345) >> 16) % 7;

		args[0] = "log";
		for (int j = 1; j < n; j++) {
			seed = seed * 1103515245 + 12345;
			args[j] = (char *)words[(seed >> 16) % nw];
		}
		/* every other line ends like a valid one */
		if (i % 2 == 0 && n < 8) {
			if (n == 1 || i % 4)
				args[1] = "stdout";
			if (n == 1)
				n = 2;
			args[n++] = "local0";
		}
		err[0] = 0;
		struct log_target *t = log_target_parse(args, n, err, sizeof(err));

		if (t) {
			ok++;
			EXPECT(t->facility >= 0 && t->facility < 24 && t->maxlen >= 80);
			log_targets_free(t);
		} else {
			bad++;
			EXPECT(err[0] != 0);
		}
	}
	EXPECT(ok > 10 && bad > 10);
}

static void t_stream_levels(void)
{
	char err[256], line[64], buf[512];
	struct config cfg;
	struct proxy fe;
	struct stream s;
	int p[2];
	ssize_t n;

	memset(&cfg, 0, sizeof(cfg));
	memset(&fe, 0, sizeof(fe));
	memset(&s, 0, sizeof(s));
	EXPECT(pipe(p) == 0);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	snprintf(line, sizeof(line), "log fd@%d format priority local0", p[1]);
	fe.logs = parse(line, err, sizeof(err));
	fe.name = "fe";
	fe.cap = PX_CAP_FE;
	cfg.proxies = &fe;
	EXPECT_INT(log_init(&cfg), 0);
	s.fe = &fe;
	s.cli_addr.u.in4.sin_family = AF_INET;
	s.fe_addr.u.in4.sin_family = AF_INET;
	s.loglevel = -1;
	log_stream(&s);                         /* info: <134> */
	s.loglevel = LOG_LVL_WARNING;
	log_stream(&s);                         /* set-log-level warning: <132> */
	s.loglevel = LOG_LVL_SILENT;
	log_stream(&s);                         /* set-log-level silent: nothing */
	n = read(p[0], buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = 0;
	EXPECT_STR(buf, "<134>Connect from 0.0.0.0:0 to 0.0.0.0:0 (fe/TCP)\n"
	                "<132>Connect from 0.0.0.0:0 to 0.0.0.0:0 (fe/TCP)\n");
	EXPECT_INT(fe.log_count, 2);
	log_deinit(&cfg);
	log_targets_free(fe.logs);
	close(p[0]);
	close(p[1]);
}

int main(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
	RUN(t_names);
	RUN(t_parse_targets);
	RUN(t_dup);
	RUN(t_headers);
	RUN(t_send_udp);
	RUN(t_send_hostname);
	RUN(t_send_fd_raw);
	RUN(t_send_unix);
	RUN(t_send_unreachable);
	RUN(t_fd_socket_never_blocks);
	RUN(t_proxy_send);
	RUN(t_messages);
	RUN(t_traces);
	RUN(t_random_lines);
	RUN(t_stream_levels);
	return unit_end();
}
