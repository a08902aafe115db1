/* backend.c: backend and server selection, connect with retries (first body). */
#include <errno.h>
#include "engine/backend.h"

int backend_select(struct stream *strm) { return -ENOENT; }
int backend_connect(struct stream *strm) { return -ENOSYS; }
int backend_retry(struct stream *strm, int err) { return -ENOSYS; }
void backend_release(struct stream *strm) { }
