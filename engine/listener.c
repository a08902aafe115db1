/* listener.c: listening sockets for the bind lines (listener.h) and the
 * per-thread multishot accept on them. The sockets belong to the process
 * (bound once, before the threads start); each thread has its own struct
 * listener and accept op on them. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include "engine/listener.h"
#include "engine/thread.h"
#include "engine/stream.h"
#include "engine/log.h"

/* What bind_conf->rx points to. */
struct bind_rx {
	int fd;
	int unlink_path;     /* we created this unix socket: unlink it at exit */
};

static inline int is_frontend(const struct proxy *px)
{
	return (px->cap & PX_CAP_FE) && !px->disabled && !(px->cap & PX_CAP_DEF);
}

/* Writes "<ip>:<port>" (or the unix path) of <a> into <out>. */
static void addr_str(const struct addr *a, char *out, size_t n)
{
	char ip[INET6_ADDRSTRLEN] = "";

	switch (a->u.sa.sa_family) {
	case AF_INET:
		inet_ntop(AF_INET, &a->u.in4.sin_addr, ip, sizeof(ip));
		snprintf(out, n, "%s:%u", ip, ntohs(a->u.in4.sin_port));
		break;
	case AF_INET6:
		inet_ntop(AF_INET6, &a->u.in6.sin6_addr, ip, sizeof(ip));
		snprintf(out, n, "%s:%u", ip, ntohs(a->u.in6.sin6_port));
		break;
	case AF_UNIX:
		snprintf(out, n, "%s", a->u.un.sun_path);
		break;
	default:
		snprintf(out, n, "?");
	}
}

/* Creates, binds and listens on a socket for <b>. Returns the fd or -errno
 * with the failing step named in *<what>. */
static int bind_one(struct bind_conf *b, int backlog, const char **what, int *created_unix)
{
	int fd, one = 1, fam = b->addr.u.sa.sa_family;

	*created_unix = 0;
	*what = "cannot create listening socket";
	fd = socket(fam, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (fam == AF_UNIX) {
		/* a stale socket file from a previous run would make bind fail */
		struct stat st;

		if (stat(b->addr.u.un.sun_path, &st) == 0 && S_ISSOCK(st.st_mode))
			unlink(b->addr.u.un.sun_path);
	} else {
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
		/* accepted sockets inherit it: no setsockopt per connection */
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (fam == AF_INET6 && (b->v6only || b->v4v6)) {
			int v6only = b->v6only ? 1 : 0;

			setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof(v6only));
		}
	}
	*what = "cannot bind socket";
	if (bind(fd, &b->addr.u.sa, b->addr.len) < 0)
		goto fail;
	if (fam == AF_UNIX) {
		*created_unix = 1;
		if (b->mode && chmod(b->addr.u.un.sun_path, b->mode) < 0)
			goto fail;
	}
	*what = "cannot listen to socket";
	if (listen(fd, backlog) < 0)
		goto fail;
	return fd;
fail:
	{
		int e = errno;

		close(fd);
		return -e;
	}
}

int listeners_bind(struct config *cfg, char *err, size_t errlen)
{
	for (struct proxy *px = cfg->proxies; px; px = px->next) {
		if (!is_frontend(px))
			continue;
		for (struct bind_conf *b = px->binds; b; b = b->next) {
			struct bind_rx *rx;
			int fd, created = 0;
			const char *what = "";
			int backlog = b->backlog > 0 ? b->backlog :
			              px->maxconn > 0 ? px->maxconn :
			              cfg->g.maxconn > 0 ? cfg->g.maxconn : 1024;
			char as[160];

			if (b->rx)
				continue;          /* already bound */
			if (b->fd >= 0) {
				/* fd@N: an inherited listening socket */
				int fl = fcntl(b->fd, F_GETFL);

				if (fl < 0) {
					snprintf(err, errlen, "Binding [%s:%d] for proxy %s: cannot use inherited "
					         "socket (%s) for [%s]", b->file ? b->file : "?", b->line,
					         px->name, strerror(errno), b->name ? b->name : "fd@");
					return -EBADF;
				}
				fcntl(b->fd, F_SETFL, fl & ~O_NONBLOCK);
				fd = b->fd;
				{
					int one = 1;   /* fails harmlessly on a unix socket */

					setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
				}
			} else {
				fd = bind_one(b, backlog, &what, &created);
				if (fd < 0) {
					addr_str(&b->addr, as, sizeof(as));
					snprintf(err, errlen, "Binding [%s:%d] for proxy %s: %s (%s) for [%s]",
					         b->file ? b->file : "?", b->line, px->name, what,
					         strerror(-fd), as);
					return fd;
				}
			}
			rx = malloc(sizeof(*rx));
			if (!rx) {
				if (fd != b->fd)
					close(fd);
				snprintf(err, errlen, "out of memory while binding proxy %s", px->name);
				return -ENOMEM;
			}
			rx->fd = fd;
			rx->unlink_path = created;
			b->rx = rx;
		}
	}
	return 0;
}

void listeners_close(struct config *cfg)
{
	for (struct proxy *px = cfg->proxies; px; px = px->next) {
		for (struct bind_conf *b = px->binds; b; b = b->next) {
			struct bind_rx *rx = b->rx;

			if (!rx)
				continue;
			if (rx->unlink_path)
				unlink(b->addr.u.un.sun_path);
			close(rx->fd);
			free(rx);
			b->rx = NULL;
		}
	}
}

static void listener_accept_cb(struct ring_op *op, int res, uint32_t flags);
static int listener_may_accept(const struct listener *l);
static int listener_rate_limited(const struct listener *l);
static void listener_take(struct listener *l, int fd);

/* A multishot accept cannot be stopped exactly at maxconn: connections the
 * kernel accepted past it wait here, as they would in the backlog. */
static int pend_push(struct listener *l, int fd)
{
	if (l->pend_len == l->pend_size) {
		uint32_t nsz = l->pend_size ? l->pend_size * 2 : 16;
		int *n = malloc(nsz * sizeof(*n));

		if (!n)
			return -ENOMEM;
		for (uint32_t i = 0; i < l->pend_len; i++)
			n[i] = l->pend[(l->pend_head + i) % l->pend_size];
		free(l->pend);
		l->pend = n;
		l->pend_head = 0;
		l->pend_size = nsz;
	}
	l->pend[(l->pend_head + l->pend_len) % l->pend_size] = fd;
	l->pend_len++;
	return 0;
}

static int pend_pop(struct listener *l)
{
	int fd = l->pend[l->pend_head];

	l->pend_head = (l->pend_head + 1) % l->pend_size;
	l->pend_len--;
	return fd;
}

static void pend_close_all(struct listener *l)
{
	while (l->pend_len)
		close(pend_pop(l));
}

/* Timer: an accept error or a rate limit paused <l> for a moment; try
 * again (the connections the kernel accepted meanwhile first). */
static void listener_retry_cb(struct timer *tm)
{
	struct listener *l = container_of(tm, struct listener, retry);

	while (l->pend_len && listener_may_accept(l))
		listener_take(l, pend_pop(l));
	if (listener_may_accept(l))
		listener_arm(l);
	else if (listener_rate_limited(l))
		timer_arm(&l->thr->timers, &l->retry, l->thr->now_ms + 10);
}

int listeners_attach(struct thr *t)
{
	for (struct proxy *px = t->cfg->proxies; px; px = px->next) {
		if (!is_frontend(px))
			continue;
		for (struct bind_conf *b = px->binds; b; b = b->next) {
			struct bind_rx *rx = b->rx;
			struct listener *l;

			if (!rx)
				continue;
			if (!(l = calloc(1, sizeof(*l))))
				return -ENOMEM;
			l->thr = t;
			l->bind = b;
			l->px = px;
			l->fd = rx->fd;
			l->paused = 1;
			ring_op_init(&l->op, listener_accept_cb);
			timer_init(&l->retry, listener_retry_cb);
			l->next = t->listeners;
			t->listeners = l;
		}
	}
	t->accepting = 1;
	listeners_update(t);
	return 0;
}

void listeners_detach(struct thr *t)
{
	struct listener *l;

	while ((l = t->listeners)) {
		t->listeners = l->next;
		timer_cancel(&t->timers, &l->retry);
		pend_close_all(l);
		free(l->pend);
		free(l);
	}
}

void listener_arm(struct listener *l)
{
	l->paused = 0;
	if (l->armed)
		return;
	if (ring_accept_multi(l->thr->ring, &l->op, l->fd) == 0)
		l->armed = 1;
}

void listener_pause(struct listener *l)
{
	l->paused = 1;
	if (l->armed && !l->cancelling && ring_cancel(l->thr->ring, &l->op) == 0)
		l->cancelling = 1;
}

/* Returns 1 when an accept rate limit of <l> ("rate-limit sessions" of
 * its frontend, the global "maxconnrate") is reached this second. */
static int listener_rate_limited(const struct listener *l)
{
	const struct thr *t = l->thr;
	uint32_t now = (uint32_t)t->now_ms, glim = t->cfg->g.maxconnrate;

	return (l->px->sess_rate_lim && freq_ctr_read(&l->px->sess_rate, 1000, now) >= l->px->sess_rate_lim) ||
	       (glim && freq_ctr_read(&t->conn_rate, 1000, now) >= glim);
}

/* Returns 1 if <l> may accept now: the thread accepts, neither the global
 * nor the frontend maxconn is reached, nor an accept rate limit. */
static int listener_may_accept(const struct listener *l)
{
	const struct thr *t = l->thr;
	int gmax = t->cfg->g.maxconn;

	if (!t->accepting || t->stopping || l->px->fe_paused)
		return 0;
	if (gmax > 0 && t->cur_conn >= (uint32_t)gmax)
		return 0;
	if (l->px->maxconn > 0 && l->px->fe_cur_conn >= (uint32_t)l->px->maxconn)
		return 0;
	return !listener_rate_limited(l);
}

/* Accepts <fd> on <l>, counting it for the rate limits. While a limit
 * holds, <l> waits (its connections in the kernel's backlog) and looks
 * again in a few milliseconds. */
static void listener_take(struct listener *l, int fd)
{
	uint32_t now = (uint32_t)l->thr->now_ms;

	freq_ctr_add(&l->px->sess_rate, 1000, now, 1);
	if (l->thr->cfg->g.maxconnrate)
		freq_ctr_add(&l->thr->conn_rate, 1000, now, 1);
	stream_accept(l, fd);
	if (listener_rate_limited(l) && !timer_is_armed(&l->retry))
		timer_arm(&l->thr->timers, &l->retry, l->thr->now_ms + 10);
}

void listeners_update(struct thr *t)
{
	for (struct listener *l = t->listeners; l; l = l->next) {
		while (l->pend_len && listener_may_accept(l))
			listener_take(l, pend_pop(l));
		if (t->stopping)
			pend_close_all(l);
		if (listener_may_accept(l))
			listener_arm(l);
		else if (!l->paused || l->armed)
			listener_pause(l);
	}
}

static void listener_accept_cb(struct ring_op *op, int res, uint32_t flags)
{
	struct listener *l = container_of(op, struct listener, op);

	if (!(flags & RING_F_MORE)) {
		l->armed = 0;
		l->cancelling = 0;
	}
	if (res >= 0) {
		/* above maxconn, the kernel accepted it anyway: it waits */
		if (listener_may_accept(l) && !l->pend_len)
			listener_take(l, res);
		else if (l->thr->stopping || pend_push(l, res) < 0)
			close(res);
	}
	/* EMFILE/ENFILE and friends end the multishot: retry in a moment
	 * rather than spin; -ECANCELED comes from a pause */
	if (res < 0 && res != -ECANCELED && !l->armed) {
		if (res != -EAGAIN && res != -EINTR && res != -ECONNABORTED) {
			timer_arm(&l->thr->timers, &l->retry, l->thr->now_ms + 100);
			return;
		}
	}
	if (listener_may_accept(l)) {
		if (!l->armed)
			listener_arm(l);
	} else if (l->armed) {
		listener_pause(l);
	}
}

void listeners_unbind(struct thr *t)
{
	t->stopping = 1;
	for (struct listener *l = t->listeners; l; l = l->next) {
		struct bind_rx *rx = l->bind->rx;

		listener_pause(l);
		/* shutdown() takes a listening socket out of the listening state
		 * now, even while the ring still holds a reference to it; the fd
		 * itself is closed by listeners_close() */
		if (rx && rx->fd >= 0)
			shutdown(rx->fd, SHUT_RDWR);
		if (rx && rx->unlink_path) {
			unlink(l->bind->addr.u.un.sun_path);
			rx->unlink_path = 0;
		}
	}
}

/* -- PROXY protocol ------------------------------------------------------- */

static const char pp2_sig[12] = "\r\n\r\n\0\r\nQUIT\n";

/* Parses "<ip> <ip> <port> <port>" of a v1 line into <src>/<dst>.
 * Returns 0 or -1. */
static int pp1_addrs(char *p, int fam, struct addr *src, struct addr *dst)
{
	char *f[4], *save = NULL;
	char *end;
	long sp, dp;

	for (int i = 0; i < 4; i++) {
		f[i] = strtok_r(i ? NULL : p, " ", &save);
		if (!f[i])
			return -1;
	}
	if (strtok_r(NULL, " ", &save))
		return -1;
	sp = strtol(f[2], &end, 10);
	if (*end || sp < 0 || sp > 65535)
		return -1;
	dp = strtol(f[3], &end, 10);
	if (*end || dp < 0 || dp > 65535)
		return -1;
	memset(src, 0, sizeof(*src));
	memset(dst, 0, sizeof(*dst));
	if (fam == AF_INET) {
		if (inet_pton(AF_INET, f[0], &src->u.in4.sin_addr) != 1 ||
		    inet_pton(AF_INET, f[1], &dst->u.in4.sin_addr) != 1)
			return -1;
		src->u.in4.sin_family = dst->u.in4.sin_family = AF_INET;
		src->u.in4.sin_port = htons((uint16_t)sp);
		dst->u.in4.sin_port = htons((uint16_t)dp);
		src->len = dst->len = sizeof(struct sockaddr_in);
	} else {
		if (inet_pton(AF_INET6, f[0], &src->u.in6.sin6_addr) != 1 ||
		    inet_pton(AF_INET6, f[1], &dst->u.in6.sin6_addr) != 1)
			return -1;
		src->u.in6.sin6_family = dst->u.in6.sin6_family = AF_INET6;
		src->u.in6.sin6_port = htons((uint16_t)sp);
		dst->u.in6.sin6_port = htons((uint16_t)dp);
		src->len = dst->len = sizeof(struct sockaddr_in6);
	}
	return 0;
}

int listener_proxy_hdr_parse(const char *buf, size_t len, struct addr *src, struct addr *dst,
                             size_t *need)
{
	*need = 0;
	if (len >= 1 && buf[0] == '\r') {
		/* v2: 16-byte header, then <hlen> bytes of addresses and TLVs */
		size_t hlen, m = len < sizeof(pp2_sig) ? len : sizeof(pp2_sig);
		const unsigned char *u = (const unsigned char *)buf;

		if (memcmp(buf, pp2_sig, m))
			return -1;
		if (len < 16)
			return 0;
		if ((u[12] & 0xf0) != 0x20 || (u[12] & 0x0f) > 1)
			return -1;
		hlen = (size_t)u[14] << 8 | u[15];
		if (len < 16 + hlen) {
			*need = 16 + hlen;
			return 0;
		}
		if ((u[12] & 0x0f) == 1) {     /* PROXY (else LOCAL: keep the real addresses) */
			if (u[13] == 0x11 && hlen >= 12) {
				memset(src, 0, sizeof(*src));
				memset(dst, 0, sizeof(*dst));
				src->u.in4.sin_family = dst->u.in4.sin_family = AF_INET;
				memcpy(&src->u.in4.sin_addr, u + 16, 4);
				memcpy(&dst->u.in4.sin_addr, u + 20, 4);
				memcpy(&src->u.in4.sin_port, u + 24, 2);
				memcpy(&dst->u.in4.sin_port, u + 26, 2);
				src->len = dst->len = sizeof(struct sockaddr_in);
			} else if (u[13] == 0x21 && hlen >= 36) {
				memset(src, 0, sizeof(*src));
				memset(dst, 0, sizeof(*dst));
				src->u.in6.sin6_family = dst->u.in6.sin6_family = AF_INET6;
				memcpy(&src->u.in6.sin6_addr, u + 16, 16);
				memcpy(&dst->u.in6.sin6_addr, u + 32, 16);
				memcpy(&src->u.in6.sin6_port, u + 48, 2);
				memcpy(&dst->u.in6.sin6_port, u + 50, 2);
				src->len = dst->len = sizeof(struct sockaddr_in6);
			} else if ((u[13] & 0xf0) == 0x10 || (u[13] & 0xf0) == 0x20) {
				return -1;      /* an address block too short for its family */
			}
		}
		return (int)(16 + hlen);
	}
	/* v1: "PROXY <TCP4|TCP6|UNKNOWN> ...\r\n", 107 bytes at most */
	{
		char line[108];
		const char *crlf;
		size_t n, m = len < 6 ? len : 6;

		if (memcmp(buf, "PROXY ", m))
			return -1;
		crlf = memchr(buf, '\n', len < 107 ? len : 107);
		if (!crlf)
			return len >= 107 ? -1 : 0;
		n = (size_t)(crlf - buf) + 1;
		if (n < 8 || buf[n - 2] != '\r')
			return -1;
		memcpy(line, buf, n - 2);
		line[n - 2] = 0;
		if (!strncmp(line + 6, "UNKNOWN", 7))
			return (int)n;
		if (!strncmp(line + 6, "TCP4 ", 5))
			return pp1_addrs(line + 11, AF_INET, src, dst) < 0 ? -1 : (int)n;
		if (!strncmp(line + 6, "TCP6 ", 5))
			return pp1_addrs(line + 11, AF_INET6, src, dst) < 0 ? -1 : (int)n;
		return -1;
	}
}

int listener_pp2_tlv(const char *buf, size_t len, int type, const char **val)
{
	const unsigned char *u = (const unsigned char *)buf;
	size_t p, end;

	if (len < 16 || memcmp(buf, pp2_sig, sizeof(pp2_sig)) || (u[12] & 0x0f) != 1)
		return -1;
	end = 16 + ((size_t)u[14] << 8 | u[15]);
	switch (u[13] & 0xf0) {
	case 0x10: p = 16 + 12; break;     /* IPv4 addresses and ports */
	case 0x20: p = 16 + 36; break;     /* IPv6 */
	case 0x30: p = 16 + 216; break;    /* unix paths */
	default:   p = 16; break;          /* AF_UNSPEC: TLVs only */
	}
	if (end > len)
		return -1;
	while (p + 3 <= end) {
		size_t vl = (size_t)u[p + 1] << 8 | u[p + 2];

		if (p + 3 + vl > end)
			return -1;
		if (u[p] == type) {
			*val = buf + p + 3;
			return (int)vl;
		}
		p += 3 + vl;
	}
	return -1;
}

size_t listener_proxy_hdr_build(char *out, size_t outsz, const struct addr *src, const struct addr *dst)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	int n;

	if (src->u.sa.sa_family == AF_INET && dst->u.sa.sa_family == AF_INET) {
		inet_ntop(AF_INET, &src->u.in4.sin_addr, a, sizeof(a));
		inet_ntop(AF_INET, &dst->u.in4.sin_addr, b, sizeof(b));
		n = snprintf(out, outsz, "PROXY TCP4 %s %s %u %u\r\n", a, b,
		             ntohs(src->u.in4.sin_port), ntohs(dst->u.in4.sin_port));
	} else if (src->u.sa.sa_family == AF_INET6 && dst->u.sa.sa_family == AF_INET6) {
		inet_ntop(AF_INET6, &src->u.in6.sin6_addr, a, sizeof(a));
		inet_ntop(AF_INET6, &dst->u.in6.sin6_addr, b, sizeof(b));
		n = snprintf(out, outsz, "PROXY TCP6 %s %s %u %u\r\n", a, b,
		             ntohs(src->u.in6.sin6_port), ntohs(dst->u.in6.sin6_port));
	} else {
		n = snprintf(out, outsz, "PROXY UNKNOWN\r\n");
	}
	return n > 0 && (size_t)n < outsz ? (size_t)n : 0;
}

size_t listener_proxy_hdr_build_v2(char *out, size_t outsz, const struct addr *src,
                                   const struct addr *dst)
{
	unsigned char *u = (unsigned char *)out;
	size_t alen;

	if (outsz < 16)
		return 0;
	memcpy(u, pp2_sig, sizeof(pp2_sig));
	u[12] = 0x21;                  /* version 2, PROXY */
	if (src->u.sa.sa_family == AF_INET && dst->u.sa.sa_family == AF_INET) {
		alen = 12;
		if (outsz < 16 + alen)
			return 0;
		u[13] = 0x11;
		memcpy(u + 16, &src->u.in4.sin_addr, 4);
		memcpy(u + 20, &dst->u.in4.sin_addr, 4);
		memcpy(u + 24, &src->u.in4.sin_port, 2);
		memcpy(u + 26, &dst->u.in4.sin_port, 2);
	} else if (src->u.sa.sa_family == AF_INET6 && dst->u.sa.sa_family == AF_INET6) {
		alen = 36;
		if (outsz < 16 + alen)
			return 0;
		u[13] = 0x21;
		memcpy(u + 16, &src->u.in6.sin6_addr, 16);
		memcpy(u + 32, &dst->u.in6.sin6_addr, 16);
		memcpy(u + 48, &src->u.in6.sin6_port, 2);
		memcpy(u + 50, &dst->u.in6.sin6_port, 2);
	} else {
		alen = 0;
		u[13] = 0x00;              /* UNSPEC: the receiver keeps its addresses */
	}
	u[14] = (unsigned char)(alen >> 8);
	u[15] = (unsigned char)alen;
	return 16 + alen;
}

void listener_log_hs_fail(const struct stream *s, const char *why)
{
	static const char mon[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug",
	                                 "Sep", "Oct", "Nov", "Dec" };
	const struct addr *a = &s->cli_addr;
	char ip[INET6_ADDRSTRLEN] = "unix", line[512], lname[32];
	const char *ln = lname;
	int port = 0, id = 1, n;
	time_t sec = (time_t)(s->t_accept / 1000000);
	struct tm tm;

	/* "option dontlognull": a connection that sent nothing is not logged;
	 * a failed handshake or a bad PROXY header did send something */
	if ((s->fe->options & PXO_DONTLOGNULL) &&
	    (strstr(why, "during SSL handshake") || strstr(why, "while waiting for")))
		return;
	if (a->u.sa.sa_family == AF_INET) {
		inet_ntop(AF_INET, &a->u.in4.sin_addr, ip, sizeof(ip));
		port = ntohs(a->u.in4.sin_port);
	} else if (a->u.sa.sa_family == AF_INET6) {
		inet_ntop(AF_INET6, &a->u.in6.sin6_addr, ip, sizeof(ip));
		port = ntohs(a->u.in6.sin6_port);
	}
	if (s->bind && s->bind->named && s->bind->name) {
		ln = s->bind->name;
	} else {
		for (const struct bind_conf *b = s->fe->binds; b && b != s->bind; b = b->next)
			id++;
		snprintf(lname, sizeof(lname), "%d", id);
	}
	localtime_r(&sec, &tm);
	n = snprintf(line, sizeof(line), "%s:%d [%02d/%s/%04d:%02d:%02d:%02d.%03d] %s/%s: %s", ip, port,
	             tm.tm_mday, mon[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec,
	             (int)(s->t_accept / 1000 % 1000), s->fe->name, ln, why);
	if (n > 0)
		log_send(LOG_LVL_INFO, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1, s->fe);
}
