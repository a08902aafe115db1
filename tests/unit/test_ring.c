/* test_ring.c: the ring on loopback — multishot accept, multishot receive
 * into provided buffers, send back (echo), buffers returned to the kernel,
 * ENOBUFS as flow control, a stale completion after ring_op_retire(), and
 * cancel. SKIPs with the reason when io_uring cannot be set up here. */
#include <errno.h>
#include <unistd.h>
#include <fcntl.h>
#include <time.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "tests/unit/unit.h"
#include "engine/ring.h"
#include "engine/chan.h"

static struct chan_pool pool;
static struct ring *r;
static char why[200];

struct echo {
	struct ring_op acc, rx, tx, tmo;
	int lfd, sfd;
	int enobufs_total, acc_err, accepted, rx_done, enobufs, tmo_fired;
	char out[65536];
	size_t out_len, got;
	struct chan ch;
};
static struct echo e;

static void on_tx(struct ring_op *op, int res, uint32_t flags) { }

static void on_rx(struct ring_op *op, int res, uint32_t flags)
{
	if (res == -ENOBUFS) {
		e.enobufs++;
		e.enobufs_total++;
		return;
	}
	if (res <= 0) {
		e.rx_done = 1;
		return;
	}
	struct chunk *k = ring_buf_take(r, flags);

	EXPECT(k != NULL);
	if (!k)
		return;
	chan_put_chunk(&e.ch, k, 0, (uint32_t)res);
	chunk_unref(k);
	e.got += (size_t)res;
}

static void on_accept(struct ring_op *op, int res, uint32_t flags)
{
	if (res < 0) {
		e.acc_err = res;
		return;
	}
	EXPECT(flags & RING_F_MORE);
	e.accepted++;
	e.sfd = res;
	EXPECT_INT(ring_recv_multi(r, &e.rx, e.sfd), 0);
}

static void on_tmo(struct ring_op *op, int res, uint32_t flags) { e.tmo_fired++; }

static int listen_lo(uint16_t *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 16) < 0)
		return -1;
	getsockname(fd, (struct sockaddr *)&a, &len);
	*port = ntohs(a.sin_port);
	return fd;
}

static int connect_lo(uint16_t port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port),
	                         .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		return -1;
	return fd;
}

/* Runs the ring until <cond> or about 2 s. */
#define SPIN(cond) do { for (int _i = 0; _i < 200 && !(cond); _i++) ring_wait(r, 10); } while (0)

static void t_setup(void)
{
	struct ring_params p = { .entries = 64, .nbufs = 8, .bufsize = 4096, .pool = &pool };
	int rc;

	chan_pool_init(&pool, 4096, NULL, NULL);
	r = ring_new(&p, &rc, why, sizeof(why));
	if (!r) {
		SKIP(why);
		return;
	}
	EXPECT_INT(ring_bufs_free(r), 8);
}

static void t_echo(void)
{
	uint16_t port = 0;
	int cfd;
	char in[65536];
	size_t n = 0;

	if (!r) {
		SKIP(why);
		return;
	}
	memset(&e, 0, sizeof(e));
	chan_init(&e.ch, &pool, 1 << 20);
	ring_op_init(&e.acc, on_accept);
	ring_op_init(&e.rx, on_rx);
	ring_op_init(&e.tx, on_tx);
	e.lfd = listen_lo(&port);
	EXPECT(e.lfd >= 0);
	EXPECT_INT(ring_accept_multi(r, &e.acc, e.lfd), 0);
	cfd = connect_lo(port);
	EXPECT(cfd >= 0);
	SPIN(e.accepted);
	EXPECT_INT(e.accepted, 1);
	for (size_t i = 0; i < sizeof(e.out); i++)
		e.out[i] = (char)(i * 7 + i / 251);
	/* 64 KiB through 8 buffers of 4 KiB: the kernel runs dry (ENOBUFS)
	 * while we hold the buffers in the channel */
	EXPECT_INT(write(cfd, e.out, sizeof(e.out)), sizeof(e.out));
	while (n < sizeof(e.out)) {
		SPIN(e.got || e.enobufs);
		/* echo what arrived, then release it: buffers go back */
		struct iovec iov[16];
		int cnt;

		chan_forward(&e.ch, chan_in_len(&e.ch));
		while ((cnt = chan_out_iov(&e.ch, iov, 16)) > 0) {
			ssize_t w = writev(e.sfd, iov, cnt);    /* the echo path itself is not under test */
			EXPECT(w > 0);
			chan_skip_out(&e.ch, (uint32_t)w);
		}
		e.got = 0;
		ssize_t m = read(cfd, in + n, sizeof(in) - n);
		EXPECT(m > 0);
		if (m <= 0)
			break;
		n += (size_t)m;
		if (e.enobufs && !e.rx.inflight) {
			/* flow control: re-arm once buffers are back */
			EXPECT_INT(ring_bufs_free(r), 8);
			e.enobufs = 0;
			EXPECT_INT(ring_recv_multi(r, &e.rx, e.sfd), 0);
		}
	}
	EXPECT_INT(n, sizeof(e.out));
	EXPECT(e.enobufs_total > 0);      /* the flow-control path ran */
	EXPECT_MEM(in, e.out, sizeof(e.out));
	/* EOF from the client ends the multishot receive */
	close(cfd);
	SPIN(e.rx_done);
	EXPECT(e.rx_done);
	EXPECT_INT(e.rx.inflight, 0);
	EXPECT_INT(ring_bufs_free(r), 8);
	/* cancel the multishot accept */
	EXPECT_INT(ring_cancel(r, &e.acc), 0);
	SPIN(!e.acc.inflight);
	EXPECT_INT(e.acc.inflight, 0);
	EXPECT_INT(e.acc_err, -ECANCELED);
	close(e.sfd);
	close(e.lfd);
	chan_reset(&e.ch);
}

static void t_stale_generation(void)
{
	struct ring_stats st0, st1;

	if (!r) {
		SKIP(why);
		return;
	}
	ring_get_stats(r, &st0);
	ring_op_init(&e.tmo, on_tmo);
	e.tmo_fired = 0;
	EXPECT_INT(ring_timeout(r, &e.tmo, 20), 0);
	ring_op_retire(&e.tmo);           /* the owner moved on */
	EXPECT_INT(ring_timeout(r, &e.tmo, 40), 0);
	SPIN(e.tmo_fired);
	ring_wait(r, 30);
	ring_get_stats(r, &st1);
	EXPECT_INT(e.tmo_fired, 1);       /* only the second one is delivered */
	EXPECT_INT(st1.stale - st0.stale, 1);
	EXPECT_INT(e.tmo.inflight, 0);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

struct rx1 {
	struct ring_op op;
	int fd[2];
	char byte;
	int done;
};

static void on_rx1(struct ring_op *op, int res, uint32_t flags)
{
	struct rx1 *x = container_of(op, struct rx1, op);

	EXPECT_INT(res, 1);
	x->done++;
}

/* ring_wait_batch(): socket receives (the lazy wake-ups the loop's are):
 * with a batch of 4 and one completion, the wait lasts the min-wait (300 ms
 * here) hoping for more, then returns that one; four completions end it at
 * once, as does a batch of 1. Only lower bounds where a loaded machine
 * could stretch the time, and upper bounds far above what is expected. */
static void t_batched_wait(void)
{
	struct ring_params p = { .entries = 64, .nbufs = 8, .bufsize = 4096, .pool = &pool,
	                         .min_wait_us = 300000 };
	struct rx1 x[4];
	struct ring_stats st;
	struct ring *rb;
	uint64_t t0;
	int rc;

	if (!r) {
		SKIP(why);
		return;
	}
	rb = ring_new(&p, &rc, why, sizeof(why));
	EXPECT(rb != NULL);
	if (!rb)
		return;
	ring_get_stats(rb, &st);
	if (!st.min_wait_us) {
		SKIP("the kernel has no io_uring min-wait (Linux < 6.12)");
		ring_free(rb);
		return;
	}
	for (int i = 0; i < 4; i++) {
		memset(&x[i], 0, sizeof(x[i]));
		ring_op_init(&x[i].op, on_rx1);
		EXPECT_INT(socketpair(AF_UNIX, SOCK_STREAM, 0, x[i].fd), 0);
		EXPECT_INT(ring_recv(rb, &x[i].op, x[i].fd[0], &x[i].byte, 1), 0);
	}
	EXPECT_INT(ring_wait(rb, 0), 0);  /* submitted: nothing to read yet */

	EXPECT_INT(write(x[0].fd[1], "a", 1), 1);
	t0 = now_ms();
	EXPECT_INT(ring_wait_batch(rb, 5000, 4), 1);
	EXPECT(now_ms() - t0 >= 250);     /* it waited for company */
	EXPECT(now_ms() - t0 < 4000);     /* not for the general timeout */
	EXPECT_INT(x[0].done, 1);

	EXPECT_INT(ring_recv(rb, &x[0].op, x[0].fd[0], &x[0].byte, 1), 0);
	EXPECT_INT(ring_wait(rb, 0), 0);
	for (int i = 0; i < 4; i++)
		EXPECT_INT(write(x[i].fd[1], "b", 1), 1);
	t0 = now_ms();
	rc = ring_wait_batch(rb, 5000, 4);
	EXPECT(now_ms() - t0 < 250);
	EXPECT_INT(rc, 4);

	EXPECT_INT(ring_recv(rb, &x[1].op, x[1].fd[0], &x[1].byte, 1), 0);
	EXPECT_INT(ring_wait(rb, 0), 0);
	EXPECT_INT(write(x[1].fd[1], "c", 1), 1);
	t0 = now_ms();
	EXPECT_INT(ring_wait_batch(rb, 5000, 1), 1);
	EXPECT(now_ms() - t0 < 250);
	EXPECT_INT(x[0].done + x[1].done + x[2].done + x[3].done, 6);
	for (int i = 0; i < 4; i++) {
		close(x[i].fd[0]);
		close(x[i].fd[1]);
	}
	ring_free(rb);
}

static void t_free(void)
{
	if (!r) {
		SKIP(why);
		return;
	}
	ring_free(r);
	chan_pool_destroy(&pool);
}

int main(void)
{
	RUN(t_setup);
	RUN(t_echo);
	RUN(t_stale_generation);
	RUN(t_batched_wait);
	RUN(t_free);
	return unit_end();
}
