/* check.c: TCP connect health checks (check.h). Minimal first version. */
#include <errno.h>
#include "engine/check.h"
#include "engine/proxy.h"

int check_start(struct config *cfg, struct thr *t)
{
	return -ENOSYS;
}

void check_stop(void)
{
}

int check_report(struct server *srv, enum check_result res, int errnum, unsigned dur_ms)
{
	return 0;
}
