/* ring.c: the per-thread io_uring (first body: reports io_uring as unavailable). */
#include <errno.h>
#include <stdio.h>
#include "engine/ring.h"

struct ring *ring_new(const struct ring_params *p, int *rc, char *err, size_t errlen)
{
	*rc = -ENOSYS;
	snprintf(err, errlen, "io_uring support is not built yet");
	return NULL;
}
void ring_free(struct ring *r) { }
int ring_accept_multi(struct ring *r, struct ring_op *op, int lfd) { return -ENOSYS; }
int ring_recv_multi(struct ring *r, struct ring_op *op, int fd) { return -ENOSYS; }
int ring_recv(struct ring *r, struct ring_op *op, int fd, void *buf, size_t len) { return -ENOSYS; }
int ring_send(struct ring *r, struct ring_op *op, int fd, const void *buf, size_t len) { return -ENOSYS; }
int ring_sendmsg(struct ring *r, struct ring_op *op, int fd, const struct msghdr *msg) { return -ENOSYS; }
int ring_connect(struct ring *r, struct ring_op *op, int fd, const struct addr *a) { return -ENOSYS; }
int ring_shutdown(struct ring *r, struct ring_op *op, int fd, int how) { return -ENOSYS; }
int ring_close(struct ring *r, struct ring_op *op, int fd) { return -ENOSYS; }
int ring_cancel(struct ring *r, struct ring_op *op) { return -ENOSYS; }
int ring_cancel_fd(struct ring *r, int fd) { return -ENOSYS; }
int ring_timeout(struct ring *r, struct ring_op *op, uint64_t ms) { return -ENOSYS; }
struct chunk *ring_buf_take(struct ring *r, uint32_t flags) { return NULL; }
unsigned ring_bufs_free(const struct ring *r) { return 0; }
int ring_wait(struct ring *r, int64_t timeout_ms) { return -ENOSYS; }
int ring_submit(struct ring *r) { return -ENOSYS; }
void ring_get_stats(const struct ring *r, struct ring_stats *st) { }
