/* stream.c: streams and their analysers (first body). */
#include <errno.h>
#include "engine/stream.h"

struct stream *stream_from_ref(struct thr *t, uint32_t idx, uint32_t gen) { return NULL; }
void stream_wakeup(struct stream *strm) { }
int stream_flush(struct stream *strm, int dir) { return -ENOSYS; }
void stream_shutdown(struct stream *strm, int how) { }
struct stream *stream_accept(struct listener *l, int fd) { return NULL; }
void streams_kill_all(struct thr *t) { }
