/* thread.c: per-thread context and loop (first body). */
#include <errno.h>
#include <stdio.h>
#include "engine/thread.h"
#include "engine/ring.h"

__thread struct thr *thr_cur;

struct thr *thr_new(struct config *cfg, int id, int *rc, char *err, size_t errlen)
{
	*rc = -ENOSYS;
	snprintf(err, errlen, "the event loop is not built yet");
	return NULL;
}
int thr_run(struct thr *t) { return -ENOSYS; }
void thr_free(struct thr *t) { }
void thr_soft_stop(struct thr *t) { t->stop_req = 1; }
void thr_request_stop(struct thr *t) { t->stop_req = 2; }
void thr_stop_accepting(struct thr *t) { }
void thr_resume_accepting(struct thr *t) { }
