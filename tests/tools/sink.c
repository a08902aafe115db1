/* sink.c: a TCP server peer for the e2e tests and benchmarks.
 * One thread, epoll, any number of connections. Listens on 127.0.0.1 (or
 * -l addr:port), writes the bound port to the -P file once listening, and
 * serves every connection in one of these modes:
 *   echo  send back what arrives; on EOF, finish sending then shut down
 *   gen   send -n bytes of the pseudo-random stream of seed -s, verify what
 *         arrives against the stream of seed -r (if given); close once both
 *         directions are done (with -k: only when the peer closes)
 *   eof   count what arrives; at EOF reply "rx=<count>\n" and close
 * -F (gen): send one 64 KiB block of the stream over and over (benchmarks:
 * no per-byte generation); -n 0 with -F sends until the peer goes away.
 * The stream of seed S is the one tests/tools/blast.c generates: both tools
 * carry the same 20-line generator (the tools share no code on purpose).
 * Every closed connection prints one line on stdout:
 *   "close rx=<n> tx=<n> verify=ok|none|bad@<offset>"
 * SIGTERM/SIGINT print "exit conns=<accepted> maxconc=<peak open>" and exit 0. */
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
#include <unistd.h>

#define CHUNK 65536

/* Byte <off> of stream <seed> is byte (off % 8) of splitmix64(seed, off / 8). */
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

enum mode { M_ECHO, M_GEN, M_EOF };

struct conn {
	int fd;
	uint64_t rx, tx;          /* bytes received / sent */
	int rd_eof;               /* peer shut its write side */
	int wr_done;              /* we shut our write side (or never will write) */
	int64_t bad;              /* first mismatching offset, -1 if none */
	size_t pend_off, pend_len;/* echo/eof: bytes waiting in <buf> */
	unsigned char buf[CHUNK];
};

static enum mode mode = M_ECHO;
static uint64_t opt_n, opt_seed;
static int opt_verify, opt_keep, opt_fast;
static unsigned char fastbuf[CHUNK];
static uint64_t opt_rseed;
static volatile sig_atomic_t stop;
static unsigned long n_accepted, n_open, n_peak;

static void on_sig(int s) { (void)s; stop = 1; }

static void conn_close(int ep, struct conn *c)
{
	char v[64];
	if (!opt_verify || mode != M_GEN)
		snprintf(v, sizeof(v), "none");
	else if (c->bad >= 0)
		snprintf(v, sizeof(v), "bad@%" PRId64, c->bad);
	else
		snprintf(v, sizeof(v), "ok");
	printf("close rx=%" PRIu64 " tx=%" PRIu64 " verify=%s\n", c->rx, c->tx, v);
	fflush(stdout);
	epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	free(c);
	n_open--;
}

/* Returns 1 when the connection is finished and may be closed. */
static int conn_done(const struct conn *c)
{
	if (mode == M_GEN && opt_keep)
		return c->rd_eof && c->wr_done;
	return c->rd_eof && c->wr_done && c->pend_len == 0;
}

/* Reads what is available. Returns 0, or -1 on a fatal socket error. */
static int conn_read(struct conn *c)
{
	unsigned char tmp[CHUNK], exp[CHUNK];
	for (;;) {
		unsigned char *dst = tmp;
		size_t room = sizeof(tmp);
		if (mode == M_ECHO) {
			if (c->pend_len)
				return 0;   /* backpressure: send what we hold first */
			dst = c->buf;
			room = sizeof(c->buf);
		}
		ssize_t r = read(c->fd, dst, room);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN ? 0 : -1;
		}
		if (r == 0) {
			c->rd_eof = 1;
			if (mode == M_EOF) {
				c->pend_off = 0;
				c->pend_len = (size_t)snprintf((char *)c->buf, sizeof(c->buf),
				                               "rx=%" PRIu64 "\n", c->rx);
			}
			return 0;
		}
		if (mode == M_ECHO) {
			c->pend_off = 0;
			c->pend_len = (size_t)r;
		} else if (mode == M_GEN && opt_verify && c->bad < 0) {
			gen_fill(opt_rseed, c->rx, exp, (size_t)r);
			int differs = memcmp(tmp, exp, (size_t)r) != 0;
			for (ssize_t i = 0; differs && i < r; i++)
				if (tmp[i] != exp[i]) {
					c->bad = (int64_t)(c->rx + (uint64_t)i);
					break;
				}
		}
		c->rx += (uint64_t)r;
	}
}

/* Writes what is due. Returns 0, or -1 on a fatal socket error. */
static int conn_write(struct conn *c)
{
	for (;;) {
		const unsigned char *src;
		size_t len;
		if (mode == M_GEN) {
			if (opt_fast) {
				len = CHUNK - (size_t)(c->tx % CHUNK);
				src = fastbuf + (c->tx % CHUNK);
			} else {
				if (c->tx >= opt_n)
					break;
				len = opt_n - c->tx < CHUNK ? (size_t)(opt_n - c->tx) : CHUNK;
				gen_fill(opt_seed, c->tx, c->buf, len);
				src = c->buf;
			}
		} else {
			if (!c->pend_len)
				break;
			src = c->buf + c->pend_off;
			len = c->pend_len;
		}
		ssize_t w = write(c->fd, src, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN ? 0 : -1;
		}
		c->tx += (uint64_t)w;
		if (mode != M_GEN) {
			c->pend_off += (size_t)w;
			c->pend_len -= (size_t)w;
		}
	}
	if (mode == M_GEN && !opt_fast && c->tx >= opt_n && !c->wr_done) {
		if (opt_keep) {
			printf("sent tx=%" PRIu64 "\n", c->tx);
			fflush(stdout);
		} else {
			shutdown(c->fd, SHUT_WR);
		}
		c->wr_done = 1;
	}
	if (mode != M_GEN && c->rd_eof && !c->pend_len && !c->wr_done) {
		shutdown(c->fd, SHUT_WR);
		c->wr_done = 1;
	}
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: sink -P portfile [-l addr:port] [-b backlog] [-m echo|gen|eof]\n"
	        "            [-n bytes] [-s seed] [-r verify-seed] [-k]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *portfile = NULL, *laddr = "127.0.0.1:0";
	int backlog = 1024, o;
	while ((o = getopt(argc, argv, "P:l:b:m:n:s:r:kF")) != -1) {
		switch (o) {
		case 'P': portfile = optarg; break;
		case 'l': laddr = optarg; break;
		case 'b': backlog = atoi(optarg); break;
		case 'm':
			if (!strcmp(optarg, "echo")) mode = M_ECHO;
			else if (!strcmp(optarg, "gen")) mode = M_GEN;
			else if (!strcmp(optarg, "eof")) mode = M_EOF;
			else usage();
			break;
		case 'n': opt_n = strtoull(optarg, NULL, 0); break;
		case 's': opt_seed = strtoull(optarg, NULL, 0); break;
		case 'r': opt_rseed = strtoull(optarg, NULL, 0); opt_verify = 1; break;
		case 'k': opt_keep = 1; break;
		case 'F': opt_fast = 1; break;
		default: usage();
		}
	}
	if (!portfile)
		usage();
	gen_fill(opt_seed, 0, fastbuf, sizeof(fastbuf));

	char host[64];
	snprintf(host, sizeof(host), "%s", laddr);
	char *colon = strrchr(host, ':');
	if (!colon)
		usage();
	*colon = 0;
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(colon + 1)) };
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
		usage();

	signal(SIGPIPE, SIG_IGN);
	struct sigaction sact = { .sa_handler = on_sig };
	sigaction(SIGTERM, &sact, NULL);
	sigaction(SIGINT, &sact, NULL);

	int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), one = 1;
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(lfd, backlog) < 0) {
		perror("sink: bind/listen");
		return 1;
	}
	socklen_t sl = sizeof(sa);
	getsockname(lfd, (struct sockaddr *)&sa, &sl);
	char tmpf[4096];
	snprintf(tmpf, sizeof(tmpf), "%s.tmp", portfile);
	FILE *pf = fopen(tmpf, "w");
	if (!pf) {
		perror("sink: portfile");
		return 1;
	}
	fprintf(pf, "%d\n", ntohs(sa.sin_port));
	fclose(pf);
	rename(tmpf, portfile);   /* the file appears complete or not at all */

	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };
	epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
	struct epoll_event evs[256];
	while (!stop) {
		int n = epoll_wait(ep, evs, 256, 200);
		for (int i = 0; i < n; i++) {
			struct conn *c = evs[i].data.ptr;
			if (!c) {
				int fd;
				while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
					c = malloc(sizeof(*c));
					if (!c) {
						close(fd);
						continue;
					}
					c->fd = fd;
					c->rx = c->tx = 0;
					c->rd_eof = 0;
					c->wr_done = (mode == M_GEN && opt_n == 0 && !opt_keep && !opt_fast);
					c->bad = -1;
					c->pend_off = c->pend_len = 0;
					setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
					struct epoll_event cev = { .events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET,
					                           .data.ptr = c };
					epoll_ctl(ep, EPOLL_CTL_ADD, fd, &cev);
					n_accepted++;
					if (++n_open > n_peak)
						n_peak = n_open;
					if (mode == M_GEN && opt_n == 0 && opt_keep) {
						printf("sent tx=0\n");
						fflush(stdout);
						c->wr_done = 1;
					}
				}
				continue;
			}
			int err = 0;
			/* Loop until neither side progresses (edge-triggered events). */
			for (;;) {
				uint64_t rx = c->rx, tx = c->tx;
				int eof = c->rd_eof;
				if (!c->rd_eof && conn_read(c) < 0)
					err = 1;
				if (!err && conn_write(c) < 0)
					err = 1;
				if (err || (rx == c->rx && tx == c->tx && eof == c->rd_eof))
					break;
			}
			if (err || (evs[i].events & EPOLLERR) || conn_done(c))
				conn_close(ep, c);
		}
	}
	printf("exit conns=%lu maxconc=%lu\n", n_accepted, n_peak);
	fflush(stdout);
	return 0;
}
