/* conn.c: connections driven through the ring (first body). */
#include <errno.h>
#include "engine/conn.h"

struct conn *conn_new(struct thr *t, int fd, struct chan *rx, struct chan *tx,
                      void *owner, void (*event)(struct conn *c, unsigned ev)) { return NULL; }
int conn_connect(struct conn *c, const struct addr *a) { return -ENOSYS; }
int conn_recv_start(struct conn *c) { return -ENOSYS; }
void conn_recv_stop(struct conn *c) { }
int conn_send(struct conn *c) { return -ENOSYS; }
void conn_shutw(struct conn *c) { }
void conn_close(struct conn *c) { }
