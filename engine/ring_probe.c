/* ring_probe.c: what the running kernel's io_uring offers, for "-vv" (part
 * of the ring module: with ring.c, the only files that include liburing).
 * A throw-away ring is set up as ring.c sets up its own; then the
 * operations ringproxy submits are looked up in the kernel's probe, and
 * the modes the opcode table cannot tell (multishot accept, multishot
 * receive from a provided-buffer ring) are tried on loopback sockets. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <liburing.h>
#include "engine/ring.h"

#ifndef RP_LIBURING_VERSION
#define RP_LIBURING_VERSION "unknown"
#endif

#define PROBE_BGID 7
#define PROBE_NBUFS 8
#define PROBE_BUFSZ 256
#define PROBE_TAG_ACCEPT 1
#define PROBE_TAG_RECV   2

const char *ring_liburing_version(void)
{
	return RP_LIBURING_VERSION;
}

/* Waits at most 1 s for a completion of the request tagged <tag> (other
 * completions, e.g. a late one of the previous test, are dropped).
 * Returns its res and sets *<flags>, or -ETIME when none came. */
static int probe_wait(struct io_uring *u, uint64_t tag, uint32_t *flags)
{
	struct __kernel_timespec ts = { .tv_sec = 1 };
	struct io_uring_cqe *cqe;
	int ret;

	io_uring_submit(u);
	for (;;) {
		ret = io_uring_wait_cqe_timeout(u, &cqe, &ts);
		if (ret < 0)
			return ret;
		if (cqe->user_data == tag)
			break;
		if (cqe->res >= 0 && cqe->user_data == PROBE_TAG_ACCEPT)
			close(cqe->res);     /* a connection nobody waits for */
		io_uring_cqe_seen(u, cqe);
	}
	ret = cqe->res;
	*flags = cqe->flags;
	io_uring_cqe_seen(u, cqe);
	return ret;
}

/* Returns 1 if a multishot accept delivers a connection and stays armed,
 * 0 if the kernel refuses it, -errno if the test could not run. */
static int probe_accept_multi(struct io_uring *u)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	struct io_uring_sqe *sqe;
	uint32_t flags = 0;
	int lfd, cfd = -1, ret;

	if ((lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -errno;
	if (bind(lfd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(lfd, 4) < 0 ||
	    getsockname(lfd, (struct sockaddr *)&a, &alen) < 0) {
		ret = -errno;
		goto out;
	}
	if (!(sqe = io_uring_get_sqe(u))) {
		ret = -EBUSY;
		goto out;
	}
	io_uring_prep_multishot_accept(sqe, lfd, NULL, NULL, SOCK_CLOEXEC);
	io_uring_sqe_set_data64(sqe, PROBE_TAG_ACCEPT);
	io_uring_submit(u);
	if ((cfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    connect(cfd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		ret = -errno;
		goto out;
	}
	ret = probe_wait(u, PROBE_TAG_ACCEPT, &flags);
	if (ret >= 0) {
		close(ret);
		ret = !!(flags & IORING_CQE_F_MORE);
	} else if (ret == -EINVAL || ret == -EOPNOTSUPP)
		ret = 0;
out:
	/* closing the listener ends the accept (its completion is drained
	 * with the ring) */
	if (cfd >= 0)
		close(cfd);
	close(lfd);
	return ret;
}

/* Registers <br> (a page, the caller unmaps it after the ring is gone) as
 * a small provided-buffer ring, the kernel side of ring.c's receive
 * buffers, then tries a multishot receive from it. Sets *<pbuf> to 1/0
 * (registration accepted or not). Returns 1 if the receive delivered a
 * buffer and stays armed, 0 if refused, -errno if the test could not run. */
static int probe_recv_multi(struct io_uring *u, struct io_uring_buf_ring *br, int *pbuf)
{
	struct io_uring_buf_reg reg;
	struct io_uring_sqe *sqe;
	static char mem[PROBE_NBUFS][PROBE_BUFSZ];   /* outlives the ring */
	uint32_t flags = 0;
	int sv[2], ret;

	*pbuf = 0;
	io_uring_buf_ring_init(br);
	memset(&reg, 0, sizeof(reg));
	reg.ring_addr = (uint64_t)(uintptr_t)br;
	reg.ring_entries = PROBE_NBUFS;
	reg.bgid = PROBE_BGID;
	ret = io_uring_register_buf_ring(u, &reg, 0);
	if (ret < 0)
		return 0;           /* no provided-buffer rings: no multishot receive either */
	*pbuf = 1;
	for (int i = 0; i < PROBE_NBUFS; i++)
		io_uring_buf_ring_add(br, mem[i], PROBE_BUFSZ, (unsigned short)i,
		                      io_uring_buf_ring_mask(PROBE_NBUFS), i);
	io_uring_buf_ring_advance(br, PROBE_NBUFS);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	if (!(sqe = io_uring_get_sqe(u))) {
		ret = -EBUSY;
		goto out_sock;
	}
	io_uring_prep_recv_multishot(sqe, sv[0], NULL, 0, 0);
	sqe->flags |= IOSQE_BUFFER_SELECT;
	sqe->buf_group = PROBE_BGID;
	io_uring_sqe_set_data64(sqe, PROBE_TAG_RECV);
	io_uring_submit(u);
	if (write(sv[1], "x", 1) != 1) {
		ret = -errno;
		goto out_sock;
	}
	ret = probe_wait(u, PROBE_TAG_RECV, &flags);
	if (ret == 1)
		ret = (flags & IORING_CQE_F_BUFFER) && (flags & IORING_CQE_F_MORE);
	else if (ret == -EINVAL || ret == -EOPNOTSUPP)
		ret = 0;
	else if (ret >= 0)
		ret = 0;
out_sock:
	close(sv[0]);
	close(sv[1]);
	return ret;
}

static const char *yes_no(int v)
{
	return v > 0 ? "yes" : v == 0 ? "no" : "not tested";
}

int ring_probe_report(FILE *out)
{
	static const struct { unsigned bit; const char *name; } feats[] = {
		{ IORING_FEAT_SINGLE_MMAP, "SINGLE_MMAP" }, { IORING_FEAT_NODROP, "NODROP" },
		{ IORING_FEAT_SUBMIT_STABLE, "SUBMIT_STABLE" }, { IORING_FEAT_RW_CUR_POS, "RW_CUR_POS" },
		{ IORING_FEAT_CUR_PERSONALITY, "CUR_PERSONALITY" }, { IORING_FEAT_FAST_POLL, "FAST_POLL" },
		{ IORING_FEAT_POLL_32BITS, "POLL_32BITS" }, { IORING_FEAT_SQPOLL_NONFIXED, "SQPOLL_NONFIXED" },
		{ IORING_FEAT_EXT_ARG, "EXT_ARG" }, { IORING_FEAT_NATIVE_WORKERS, "NATIVE_WORKERS" },
		{ IORING_FEAT_RSRC_TAGS, "RSRC_TAGS" }, { IORING_FEAT_CQE_SKIP, "CQE_SKIP" },
		{ IORING_FEAT_LINKED_FILE, "LINKED_FILE" },
		{ 1U << 15, "MIN_TIMEOUT" },   /* Linux 6.12: the batched wait of tune.ring.min-wait */
	};
	/* the operations ring.c submits */
	static const struct { int op; const char *name; } ops[] = {
		{ IORING_OP_ACCEPT, "ACCEPT" }, { IORING_OP_RECV, "RECV" }, { IORING_OP_SEND, "SEND" },
		{ IORING_OP_SENDMSG, "SENDMSG" }, { IORING_OP_SEND_ZC, "SEND_ZC" },
		{ IORING_OP_CONNECT, "CONNECT" }, { IORING_OP_SHUTDOWN, "SHUTDOWN" },
		{ IORING_OP_CLOSE, "CLOSE" }, { IORING_OP_ASYNC_CANCEL, "ASYNC_CANCEL" },
		{ IORING_OP_TIMEOUT, "TIMEOUT" },
	};
	struct io_uring_params up;
	struct io_uring_probe *pr;
	struct io_uring_buf_ring *br;
	size_t br_bytes = PROBE_NBUFS * sizeof(struct io_uring_buf);
	struct io_uring u;
	int ret, fast = 1, pbuf = 0, acc, rcv = -ENOMEM;

	fprintf(out, "Built with liburing version : %s\n", ring_liburing_version());
	memset(&up, 0, sizeof(up));
	up.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_SUBMIT_ALL;
	ret = io_uring_queue_init_params(8, &u, &up);
	if (ret == -EINVAL) {
		fast = 0;
		memset(&up, 0, sizeof(up));
		ret = io_uring_queue_init_params(8, &u, &up);
	}
	if (ret < 0) {
		fprintf(out, "Running on io_uring : test result FAILED (%s)\n", strerror(-ret));
		return ret;
	}
	fprintf(out, "Running on io_uring : test result OK, SINGLE_ISSUER|DEFER_TASKRUN %s\n",
	        fast ? "accepted" : "refused (slower path)");
	fprintf(out, "io_uring features :");
	for (size_t i = 0; i < sizeof(feats) / sizeof(feats[0]); i++)
		fprintf(out, " %c%s", (up.features & feats[i].bit) ? '+' : '-', feats[i].name);
	fprintf(out, "\n");
	fprintf(out, "io_uring operations :");
	if ((pr = io_uring_get_probe_ring(&u))) {
		for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
			fprintf(out, " %c%s", io_uring_opcode_supported(pr, ops[i].op) ? '+' : '-', ops[i].name);
		io_uring_free_probe(pr);
	} else
		fprintf(out, " (the kernel cannot be probed)");
	fprintf(out, "\n");
	acc = probe_accept_multi(&u);
	br = mmap(NULL, br_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (br != MAP_FAILED)
		rcv = probe_recv_multi(&u, br, &pbuf);
	else
		pbuf = -1;
	fprintf(out, "io_uring multishot accept : %s\n", yes_no(acc));
	fprintf(out, "io_uring provided buffer rings : %s\n", yes_no(pbuf));
	fprintf(out, "io_uring multishot receive : %s\n", yes_no(rcv));
	io_uring_queue_exit(&u);
	if (br != MAP_FAILED)
		munmap(br, br_bytes);
	return 0;
}
