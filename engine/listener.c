/* listener.c: listening sockets and accept (first body). */
#include <errno.h>
#include <stdio.h>
#include "engine/listener.h"

int listeners_bind(struct config *cfg, char *err, size_t errlen)
{
	snprintf(err, errlen, "listeners are not built yet");
	return -ENOSYS;
}
void listeners_close(struct config *cfg) { }
int listeners_attach(struct thr *t) { return -ENOSYS; }
void listeners_detach(struct thr *t) { }
void listener_arm(struct listener *l) { }
void listener_pause(struct listener *l) { }
void listeners_update(struct thr *t) { }
