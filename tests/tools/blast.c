/* blast.c: a TCP client peer for the e2e tests and benchmarks.
 * Opens -C connections at once to -a host:port (epoll, non-blocking), sends
 * -n bytes of the pseudo-random stream of seed -s on each (connection i uses
 * seed s+i) while receiving and checking what comes back, then reports.
 *   -r SEED   verify received bytes against the stream of SEED (+i per
 *             connection); -E: against what this connection sends (echo)
 *   -R N      expect exactly N bytes back (default: read until EOF)
 *   -X        also expect EOF right after those N bytes
 *   -e TEXT   expect exactly TEXT back, then EOF (sets -R and -X)
 *   -S        shut down the write side once everything is sent (half-close)
 *   -M MS     pause MS milliseconds after sending half, printing "paused"
 *   -K        abort: after sending half of -n, reset the connection (RST via
 *             SO_LINGER 0) instead of going on; counts as completed
 *   -w SECS   once every connection has completed, print "ready" and keep
 *             them all open SECS seconds (or until SIGTERM) before closing
 *   -T SECS   rate mode: keep -C connections busy for SECS seconds, each
 *             connection sending -n bytes, reading -R bytes, closing, and
 *             being replaced; prints the connection rate
 *   -D SECS   duration mode: send for SECS seconds instead of -n bytes, then
 *             shut down the write side and wait for the close; MBps counts
 *             the bytes sent over those seconds
 *   -P MS     read nothing during the first MS milliseconds (a stalled
 *             reader), printing "reading" when it starts
 *   -G SECS   download mode: receive for SECS seconds, then close; MBps
 *             counts the bytes received
 *   -F        fast data: repeat one 64 KiB random block, no verification
 *   -t SECS   give up after SECS seconds (default 30)
 * Prints one summary line. Exit status: 0 every check passed, 1 a check
 * failed (mismatch, short read, refused), 2 usage, 3 timeout.
 * The byte stream generator is the same as in tests/tools/sink.c. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CHUNK 65536

static uint64_t mix(uint64_t seed, uint64_t blk)
{
	uint64_t z = seed * 0x9E3779B97F4A7C15ULL + blk * 0xBF58476D1CE4E5B9ULL + 0x94D049BB133111EBULL;
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static void gen_fill(uint64_t seed, uint64_t off, unsigned char *buf, size_t len)
{
	for (; len >= 8 && off % 8 == 0; buf += 8, len -= 8, off += 8) {
		uint64_t v = mix(seed, off / 8);   /* little-endian: same bytes as below */
		memcpy(buf, &v, 8);
	}
	while (len) {
		uint64_t v = mix(seed, off / 8);
		unsigned i = off % 8;
		for (; i < 8 && len; i++, len--, off++)
			*buf++ = (unsigned char)(v >> (8 * i));
	}
}

struct conn {
	int fd;
	unsigned idx;
	uint64_t tx, rx;
	uint64_t lim;         /* bytes to send: -n, or what -D let through */
	int connected, wr_shut, rd_eof, reset, done, paused_once;
	int64_t bad;          /* first mismatching received offset, -1 if none */
	double resume_at;     /* -M: sending resumes at this time */
};

static struct sockaddr_in dst;
static uint64_t opt_n, opt_seed, opt_rseed;
static int64_t opt_R = -1;
static int opt_verify, opt_echo, opt_X, opt_S, opt_F, opt_K;
static const char *opt_text;
static double opt_M = 0, opt_w = 0, opt_T = 0, opt_t = 30, opt_D = 0, opt_G = 0, opt_P = 0;
static double read_at;      /* -P: no receive before this time */
static int reading = 1;
static unsigned opt_C = 1;
static volatile sig_atomic_t stop;
static unsigned char fastbuf[CHUNK];
static int ep;
static unsigned long n_done, n_err, n_resets;
static uint64_t sum_tx, sum_rx;

static void on_sig(int s) { (void)s; stop = 1; }

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Returns 0 or -1 (error printed). */
static int conn_open(struct conn *c)
{
	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (c->fd < 0) {
		perror("blast: socket");
		return -1;
	}
	int one = 1;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	c->tx = c->rx = 0;
	c->lim = opt_n;
	c->connected = c->wr_shut = c->rd_eof = c->reset = c->done = c->paused_once = 0;
	c->bad = -1;
	c->resume_at = 0;
	if (connect(c->fd, (struct sockaddr *)&dst, sizeof(dst)) < 0 && errno != EINPROGRESS) {
		fprintf(stderr, "blast: conn %u: connect: %s\n", c->idx, strerror(errno));
		close(c->fd);
		c->fd = -1;
		return -1;
	}
	struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, .data.ptr = c };
	epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
	return 0;
}

static void conn_shut(struct conn *c)
{
	if (c->fd >= 0) {
		epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
		close(c->fd);
		c->fd = -1;
	}
}

/* Returns 0, or -1 when the connection failed (reported). */
static int conn_io(struct conn *c, double t)
{
	unsigned char buf[CHUNK], exp[CHUNK];
	uint64_t sseed = opt_seed + c->idx;
	uint64_t rseed = opt_echo ? sseed : opt_rseed + c->idx;

	if (!c->connected) {
		int err = 0;
		socklen_t l = sizeof(err);
		getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &l);
		if (err) {
			fprintf(stderr, "blast: conn %u: connect: %s\n", c->idx, strerror(err));
			return -1;
		}
		c->connected = 1;
	}
	for (;;) {
		int progress = 0;
		/* send */
		while (c->tx < c->lim && t >= c->resume_at) {
			uint64_t lim = c->lim;
			if (opt_M > 0 && !c->paused_once)
				lim = c->lim / 2;
			if (opt_K && c->tx >= c->lim / 2) {
				struct linger lg = { .l_onoff = 1, .l_linger = 0 };
				setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
				conn_shut(c);
				c->done = 1;
				n_done++;
				sum_tx += c->tx;
				return 0;
			}
			if (c->tx >= lim) {
				c->paused_once = 1;
				c->resume_at = t + opt_M / 1000.0;
				printf("paused tx=%" PRIu64 "\n", c->tx);
				fflush(stdout);
				break;
			}
			size_t len = lim - c->tx < CHUNK ? (size_t)(lim - c->tx) : CHUNK;
			const unsigned char *src = fastbuf;
			if (!opt_F) {
				gen_fill(sseed, c->tx, buf, len);
				src = buf;
			}
			ssize_t w = send(c->fd, src, len, MSG_NOSIGNAL);
			if (w < 0) {
				if (errno == EINTR)
					continue;
				if (errno == EAGAIN)
					break;
				if ((errno == ECONNRESET || errno == EPIPE) && opt_R == 0) {
					/* expected to be closed: what was received decides */
					c->lim = c->tx;
					break;
				}
				fprintf(stderr, "blast: conn %u: send: %s\n", c->idx, strerror(errno));
				return -1;
			}
			c->tx += (uint64_t)w;
			progress = 1;
		}
		if (c->tx >= c->lim && opt_S && !c->wr_shut) {
			shutdown(c->fd, SHUT_WR);
			c->wr_shut = 1;
		}
		/* receive */
		while (!c->rd_eof && reading) {
			ssize_t r = recv(c->fd, buf, sizeof(buf), 0);
			if (r < 0) {
				if (errno == EINTR)
					continue;
				if (errno == EAGAIN)
					break;
				if (errno == ECONNRESET) {
					c->reset = 1;
					c->rd_eof = 1;
					progress = 1;
					break;
				}
				fprintf(stderr, "blast: conn %u: recv: %s\n", c->idx, strerror(errno));
				return -1;
			}
			if (r == 0) {
				c->rd_eof = 1;
				progress = 1;
				break;
			}
			if (opt_text && c->bad < 0) {
				size_t tl = strlen(opt_text);
				for (ssize_t i = 0; i < r; i++)
					if (c->rx + (uint64_t)i >= tl ||
					    buf[i] != (unsigned char)opt_text[c->rx + (uint64_t)i]) {
						c->bad = (int64_t)(c->rx + (uint64_t)i);
						break;
					}
			} else if (opt_verify && !opt_F && c->bad < 0) {
				gen_fill(rseed, c->rx, exp, (size_t)r);
				int differs = memcmp(buf, exp, (size_t)r) != 0;
				for (ssize_t i = 0; differs && i < r; i++)
					if (buf[i] != exp[i]) {
						c->bad = (int64_t)(c->rx + (uint64_t)i);
						break;
					}
			}
			c->rx += (uint64_t)r;
			progress = 1;
		}
		if (!progress)
			break;
	}
	if (c->bad >= 0) {
		fprintf(stderr, "blast: conn %u: received byte %" PRId64 " differs\n", c->idx, c->bad);
		return -1;
	}
	if (opt_R >= 0 && c->rx > (uint64_t)opt_R) {
		fprintf(stderr, "blast: conn %u: received %" PRIu64 " bytes, expected %" PRId64 "\n",
		        c->idx, c->rx, opt_R);
		return -1;
	}
	if (c->rd_eof && (opt_R < 0 ? 0 : c->rx < (uint64_t)opt_R)) {
		fprintf(stderr, "blast: conn %u: %s after %" PRIu64 " bytes, expected %" PRId64 "\n",
		        c->idx, c->reset ? "reset" : "closed", c->rx, opt_R);
		return -1;
	}
	int rx_ok = opt_R < 0 ? c->rd_eof : (c->rx == (uint64_t)opt_R && (!opt_X || c->rd_eof));
	if (c->tx >= c->lim && rx_ok && !c->done) {
		c->done = 1;
		n_done++;
		n_resets += (unsigned long)c->reset;
		sum_tx += c->tx;
		sum_rx += c->rx;
	}
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: blast -a host:port [-C conns] [-n bytes] [-s seed] [-r seed|-E]\n"
	        "             [-R bytes [-X] | -e text] [-S] [-M ms] [-K] [-P ms] [-w secs]\n"
	        "             [-T secs] [-D secs] [-G secs] [-F] [-t secs]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *addr = NULL;
	int o;
	while ((o = getopt(argc, argv, "a:C:n:s:r:ER:Xe:SM:Kw:T:D:G:P:Ft:")) != -1) {
		switch (o) {
		case 'a': addr = optarg; break;
		case 'C': opt_C = (unsigned)atoi(optarg); break;
		case 'n': opt_n = strtoull(optarg, NULL, 0); break;
		case 's': opt_seed = strtoull(optarg, NULL, 0); break;
		case 'r': opt_rseed = strtoull(optarg, NULL, 0); opt_verify = 1; break;
		case 'E': opt_echo = 1; opt_verify = 1; break;
		case 'R': opt_R = strtoll(optarg, NULL, 0); break;
		case 'X': opt_X = 1; break;
		case 'e': opt_text = optarg; opt_R = (int64_t)strlen(optarg); opt_X = 1; break;
		case 'S': opt_S = 1; break;
		case 'M': opt_M = atof(optarg); break;
		case 'K': opt_K = 1; break;
		case 'w': opt_w = atof(optarg); break;
		case 'T': opt_T = atof(optarg); break;
		case 'D': opt_D = atof(optarg); opt_S = 1; opt_n = UINT64_MAX; break;
		case 'G': opt_G = atof(optarg); break;
		case 'P': opt_P = atof(optarg); reading = 0; break;
		case 'F': opt_F = 1; break;
		case 't': opt_t = atof(optarg); break;
		default: usage();
		}
	}
	if (!addr || opt_C == 0)
		usage();
	char host[64];
	snprintf(host, sizeof(host), "%s", addr);
	char *colon = strrchr(host, ':');
	if (!colon)
		usage();
	*colon = 0;
	dst.sin_family = AF_INET;
	dst.sin_port = htons((uint16_t)atoi(colon + 1));
	if (inet_pton(AF_INET, host, &dst.sin_addr) != 1)
		usage();
	if (opt_T > 0 && opt_R < 0)
		opt_R = 0;

	signal(SIGPIPE, SIG_IGN);
	struct sigaction sact = { .sa_handler = on_sig };
	sigaction(SIGTERM, &sact, NULL);
	sigaction(SIGINT, &sact, NULL);
	gen_fill(opt_seed, 0, fastbuf, sizeof(fastbuf));

	ep = epoll_create1(0);
	struct conn *cs = calloc(opt_C, sizeof(*cs));
	if (!cs)
		return 1;
	double t0 = now(), deadline = t0 + opt_t;
	read_at = t0 + opt_P / 1000.0;
	int failed = 0;
	for (unsigned i = 0; i < opt_C; i++) {
		cs[i].idx = i;
		if (conn_open(&cs[i]) < 0) {
			failed = 1;
			break;
		}
	}

	unsigned long started = opt_C;
	double t_end_rate = t0 + opt_T, t_ready = 0, t_sent = 0;
	struct epoll_event evs[512];
	while (!failed) {
		double t = now();
		if (opt_G > 0 && t >= t0 + opt_G) {
			uint64_t rx = 0;
			for (unsigned i = 0; i < opt_C; i++)
				rx += cs[i].rx;
			printf("ok conns=%u tx=0 rx=%" PRIu64 " resets=0 secs=%.3f MBps=%.1f\n",
			       opt_C, rx, t - t0, (double)rx / (t - t0) / 1e6);
			return 0;
		}
		if (opt_D > 0 && t_sent == 0 && t >= t0 + opt_D) {
			/* duration over: everything sent so far is the whole stream */
			t_sent = t;
			for (unsigned i = 0; i < opt_C; i++) {
				cs[i].lim = cs[i].tx;
				if (cs[i].fd >= 0 && !cs[i].wr_shut) {
					shutdown(cs[i].fd, SHUT_WR);
					cs[i].wr_shut = 1;
				}
				if (cs[i].fd >= 0 && !cs[i].done && conn_io(&cs[i], t) < 0)
					failed = 1;
			}
		}
		if (opt_T > 0) {
			if (t >= t_end_rate)
				break;
		} else if (n_done == opt_C) {
			if (opt_w <= 0)
				break;
			if (t_ready == 0) {
				t_ready = t;
				printf("ready conns=%u\n", opt_C);
				fflush(stdout);
			}
			if (stop || t >= t_ready + opt_w)
				break;
		} else if (t >= deadline || stop) {
			unsigned left = 0, first = 0;
			for (unsigned i = opt_C; i-- > 0;)
				if (!cs[i].done) {
					left++;
					first = i;
				}
			printf("timeout: %u of %u connections unfinished (conn %u: tx=%" PRIu64
			       " rx=%" PRIu64 " eof=%d)\n", left, opt_C, first, cs[first].tx,
			       cs[first].rx, cs[first].rd_eof);
			return 3;
		}
		/* wake up for -M pauses */
		int tmo = 100;
		int n = epoll_wait(ep, evs, 512, tmo);
		t = now();
		for (int i = 0; i < n; i++) {
			struct conn *c = evs[i].data.ptr;
			if (c->fd < 0 || c->done)
				continue;
			if (conn_io(c, t) < 0) {
				if (opt_T > 0) {
					n_err++;
					conn_shut(c);
					c->idx = (unsigned)started++;
					if (conn_open(c) < 0)
						failed = 1;
					continue;
				}
				failed = 1;
				break;
			}
			if (c->done && opt_T > 0) {
				conn_shut(c);
				c->idx = (unsigned)(started++ % 1000000);
				if (conn_open(c) < 0)
					failed = 1;
			} else if (c->done && opt_w <= 0) {
				conn_shut(c);
			}
		}
		if (!reading && t >= read_at) {
			/* the stall is over: nothing will signal the bytes already queued */
			reading = 1;
			printf("reading\n");
			fflush(stdout);
			for (unsigned i = 0; i < opt_C; i++)
				if (cs[i].fd >= 0 && !cs[i].done && conn_io(&cs[i], t) < 0)
					failed = 1;
		}
		if (opt_M > 0)   /* paused connections have no event to wake them */
			for (unsigned i = 0; i < opt_C; i++)
				if (cs[i].fd >= 0 && !cs[i].done && cs[i].paused_once &&
				    cs[i].tx < cs[i].lim && t >= cs[i].resume_at && conn_io(&cs[i], t) < 0)
					failed = 1;
	}
	double secs = now() - t0;
	for (unsigned i = 0; i < opt_C; i++)
		conn_shut(&cs[i]);
	if (opt_T > 0) {
		printf("rate conns=%lu secs=%.3f cps=%.0f errors=%lu\n", n_done, secs,
		       (double)n_done / secs, n_err);
		return n_err || failed ? 1 : 0;
	}
	if (failed) {
		printf("failed conns_done=%lu of %u\n", n_done, opt_C);
		return 1;
	}
	if (opt_D > 0 && t_sent > 0)
		secs = t_sent - t0;
	printf("ok conns=%u tx=%" PRIu64 " rx=%" PRIu64 " resets=%lu secs=%.3f MBps=%.1f\n",
	       opt_C, sum_tx, sum_rx, n_resets, secs,
	       (double)(sum_tx > sum_rx ? sum_tx : sum_rx) / secs / 1e6);
	return 0;
}
