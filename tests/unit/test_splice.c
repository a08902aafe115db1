/* test_splice.c: the splice pump on loopback sockets and the pipe pool —
 * bytes already in the channel go out before the spliced ones, order and
 * counts exact, EOF reported and propagated once the pipe is empty, a pipe
 * held only while it holds bytes, the pool bound (a direction finding no
 * pipe goes back to the copy path), a pipe put back with bytes closed.
 * SKIPs with the reason when io_uring cannot be set up here. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "tests/unit/unit.h"
#include "engine/thread.h"
#include "engine/conn.h"
#include "engine/splice.h"
#include "engine/timer.h"
#include "engine/ring.h"

static struct thr t;
static char why[200];

/* Sets up the parts of a thread the pump uses. Returns 0 or -1 (SKIP). */
static int thr_setup(uint32_t maxpipes)
{
	struct ring_params rp = { .entries = 64, .nbufs = 8, .bufsize = 4096 };
	int rc;

	memset(&t, 0, sizeof(t));
	chan_pool_init(&t.pool, 4096, NULL, NULL);
	rp.pool = &t.pool;
	t.ring = ring_new(&rp, &rc, why, sizeof(why));
	if (!t.ring) {
		SKIP(why);
		chan_pool_destroy(&t.pool);
		return -1;
	}
	spipe_pool_init(&t, maxpipes, 0);
	return 0;
}

static void thr_teardown(void)
{
	for (int i = 0; i < 20; i++)
		ring_wait(t.ring, 0);
	spipe_pool_free(&t);
	conns_pool_free(&t);
	ring_free(t.ring);
	chan_pool_destroy(&t.pool);
}

/* Makes a connected loopback pair: <*a> the peer end, <*b> ours. */
static int tcp_pair(int *a, int *b)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	int l = socket(AF_INET, SOCK_STREAM, 0);

	if (l < 0 || bind(l, (struct sockaddr *)&sa, len) < 0 || listen(l, 1) < 0 ||
	    getsockname(l, (struct sockaddr *)&sa, &len) < 0)
		return -1;
	*a = socket(AF_INET, SOCK_STREAM, 0);
	if (connect(*a, (struct sockaddr *)&sa, len) < 0)
		return -1;
	*b = accept(l, NULL, NULL);
	close(l);
	return *b < 0 ? -1 : 0;
}

/* The owner: what a stream does with the events (stream.c). */
struct owner {
	struct chan ch;
	struct conn *src, *dst;
	struct spipe *p;
	unsigned ev_src, ev_dst;
	int shut;
};
static struct owner o;

static void owner_run(void)
{
	conn_send(o.dst);
	if (o.p)
		EXPECT_INT(spipe_pump(o.p), 0);
	if ((o.ch.flags & CHAN_SHUTR) && !chan_len(&o.ch) && (!o.p || !spipe_len(o.p)) && !o.shut) {
		conn_shutw(o.dst);
		o.shut = 1;
	}
}

static void owner_event(struct conn *c, unsigned ev)
{
	if (c == o.src) {
		o.ev_src |= ev;
		chan_forward(&o.ch, chan_in_len(&o.ch));
	} else {
		o.ev_dst |= ev;
	}
	owner_run();
}

/* Pseudo-random bytes, position <i> of the stream. */
static unsigned char byte_at(size_t i) { return (unsigned char)((i * 2654435761u) >> 13); }

static void t_pump(void)
{
	int A, a, b, B;
	enum { N = 3 << 20 };
	static unsigned char out[N], in[N + 16];
	size_t sent = 0, got = 0;
	int shut_a = 0;

	if (thr_setup(4) < 0)
		return;
	EXPECT(tcp_pair(&A, &a) == 0 && tcp_pair(&B, &b) == 0);
	memset(&o, 0, sizeof(o));
	chan_init(&o.ch, &t.pool, 1 << 20);
	o.src = conn_new(&t, a, &o.ch, NULL, &o, owner_event);
	o.dst = conn_new(&t, b, NULL, &o.ch, &o, owner_event);
	EXPECT(o.src && o.dst);
	/* bytes received by the copy path before the switch: sent first */
	EXPECT_INT(chan_put_data(&o.ch, "head:", 5), 0);
	chan_forward(&o.ch, 5);
	EXPECT_INT(conn_recv_start(o.src), 0);
	o.p = spipe_get(&t, &o.ch, o.src, o.dst);
	EXPECT(o.p != NULL);
	if (!o.p)
		return;
	EXPECT(o.src->flags & CONN_F_RX_SPLICE);
	EXPECT_INT(t.spipes.used, 0);     /* a pipe only once bytes come */
	/* the source's receive stays off: conn_recv_start() is a no-op now */
	EXPECT_INT(conn_recv_start(o.src), 0);
	owner_run();
	for (size_t i = 0; i < N; i++)
		out[i] = byte_at(i);
	fcntl(A, F_SETFL, O_NONBLOCK);
	fcntl(B, F_SETFL, O_NONBLOCK);
	for (int turns = 0; turns < 20000 && got < N + 5; turns++) {
		ssize_t r;

		if (sent < N && (r = write(A, out + sent, N - sent)) > 0)
			sent += (size_t)r;
		if (sent == N && !shut_a) {
			shutdown(A, SHUT_WR);
			shut_a = 1;
		}
		while ((r = read(B, in + got, sizeof(in) - got)) > 0)
			got += (size_t)r;
		ring_wait(t.ring, 1);
	}
	EXPECT_INT(got, N + 5);
	EXPECT_MEM(in, "head:", 5);
	EXPECT_MEM(in + 5, out, N);
	/* the FIN came after the last byte: EOF reported, the write side shut */
	for (int i = 0; i < 100 && !o.shut; i++)
		ring_wait(t.ring, 5);
	EXPECT(o.src->flags & CONN_F_RX_EOF);
	EXPECT(o.ch.flags & CHAN_SHUTR);
	EXPECT(o.shut);
	{
		char c;
		struct pollfd pf = { .fd = B, .events = POLLIN };

		EXPECT(poll(&pf, 1, 1000) == 1 && read(B, &c, 1) == 0);
	}
	EXPECT_INT(o.ch.total_in, N + 5);
	EXPECT_INT(o.ch.total_out, N + 5);
	EXPECT(t.spipes.spliced_out > 0 && t.spipes.spliced_out <= N);
	EXPECT(o.ev_src & CONN_EV_RECV);
	EXPECT(o.ev_dst & CONN_EV_SENT);
	/* the pipe went back to the pool once empty: an idle stream holds none */
	EXPECT_INT(t.spipes.used, 0);
	EXPECT_INT(t.spipes.nfree, 1);
	spipe_put(o.p);
	conn_close(o.src);
	conn_close(o.dst);
	o.p = NULL;
	for (int i = 0; i < 20; i++)
		ring_wait(t.ring, 0);
	EXPECT_INT(t.spipes.used, 0);
	EXPECT_INT(t.spipes.nfree, 1);
	chan_reset(&o.ch);
	close(A);
	close(B);
	thr_teardown();
}

static unsigned pool_ev;
static void pool_event(struct conn *c, unsigned ev) { pool_ev |= ev; }

/* maxpipes 1: a stream whose pipe holds bytes (its destination does not
 * read) keeps it; another one, when its source becomes readable, finds no
 * pipe and goes back to the copy path, its bytes received in the channel */
static void t_pool(void)
{
	int A[2], a[2], b[2], B[2], sz = 4096;
	static char blk[1 << 16];
	struct conn *src[2], *dst[2];
	struct spipe *p[2];
	struct chan ch[2];

	if (thr_setup(1) < 0)
		return;
	for (int i = 0; i < 2; i++) {
		EXPECT(tcp_pair(&A[i], &a[i]) == 0 && tcp_pair(&B[i], &b[i]) == 0);
		chan_init(&ch[i], &t.pool, 1 << 20);
		src[i] = conn_new(&t, a[i], &ch[i], NULL, NULL, pool_event);
		dst[i] = conn_new(&t, b[i], NULL, &ch[i], NULL, pool_event);
		fcntl(A[i], F_SETFL, O_NONBLOCK);
	}
	setsockopt(b[0], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	setsockopt(B[0], SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	p[0] = spipe_get(&t, &ch[0], src[0], dst[0]);
	p[1] = spipe_get(&t, &ch[1], src[1], dst[1]);
	EXPECT(p[0] && p[1]);
	if (!p[0] || !p[1])
		return;
	EXPECT_INT(t.spipes.used, 0);          /* no pipe until there are bytes */
	for (int i = 0; i < 100; i++) {
		while (write(A[0], blk, sizeof(blk)) > 0)
			;
		spipe_pump(p[0]);
		ring_wait(t.ring, 1);
	}
	EXPECT(spipe_len(p[0]) > 0);
	EXPECT_INT(t.spipes.used, 1);
	/* every pipe holds bytes: a new stream does not switch */
	EXPECT(spipe_get(&t, &ch[1], src[1], dst[1]) == NULL);
	EXPECT_INT(write(A[1], "abc", 3), 3);
	spipe_pump(p[1]);
	for (int i = 0; i < 50 && chan_len(&ch[1]) < 3; i++)
		ring_wait(t.ring, 2);
	EXPECT(!(src[1]->flags & CONN_F_RX_SPLICE));
	EXPECT_INT(chan_len(&ch[1]), 3);
	EXPECT(pool_ev & CONN_EV_RECV);
	EXPECT_INT(spipe_len(p[1]), 0);
	/* the pipe holding bytes is closed when its stream ends */
	spipe_put(p[0]);
	spipe_put(p[1]);
	for (int i = 0; i < 20; i++)
		ring_wait(t.ring, 0);
	EXPECT_INT(t.spipes.used, 0);
	EXPECT_INT(t.spipes.nfree, 0);
	for (int i = 0; i < 2; i++) {
		conn_close(src[i]);
		conn_close(dst[i]);
		close(A[i]);
		close(B[i]);
		chan_reset(&ch[i]);
	}
	thr_teardown();
}

/* A stream ending while its pipe holds bytes the destination does not
 * take: the pipe is closed and the polls cancelled before anything is
 * freed (ASan sees any late completion). */
static void t_put_full(void)
{
	int A, a, b, B;
	static char blk[1 << 16];
	struct chan ch;
	struct spipe *p;
	struct conn *src, *dst;
	int sz = 4096;

	if (thr_setup(4) < 0)
		return;
	EXPECT(tcp_pair(&A, &a) == 0 && tcp_pair(&B, &b) == 0);
	/* a small send buffer on the destination: it fills at once */
	setsockopt(b, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	setsockopt(B, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	chan_init(&ch, &t.pool, 1 << 20);
	memset(&o, 0, sizeof(o));
	src = conn_new(&t, a, &ch, NULL, &o, owner_event);
	dst = conn_new(&t, b, NULL, &ch, &o, owner_event);
	o.src = src;
	o.dst = dst;
	o.p = p = spipe_get(&t, &ch, src, dst);
	EXPECT(p != NULL);
	if (!p)
		return;
	fcntl(A, F_SETFL, O_NONBLOCK);
	for (int i = 0; i < 200; i++) {
		while (write(A, blk, sizeof(blk)) > 0)
			;
		spipe_pump(p);
		ring_wait(t.ring, 1);
	}
	EXPECT(spipe_len(p) > 0);
	spipe_put(p);
	o.p = NULL;
	conn_close(src);
	conn_close(dst);
	for (int i = 0; i < 20; i++)
		ring_wait(t.ring, 1);
	EXPECT_INT(t.spipes.used, 0);
	EXPECT_INT(t.spipes.nfree, 0);
	chan_reset(&ch);
	close(A);
	close(B);
	thr_teardown();
}

int main(void)
{
	RUN(t_pump);
	RUN(t_pool);
	RUN(t_put_full);
	return unit_end();
}
