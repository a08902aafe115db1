/* cfg_global.h: the keywords of the "global" section. Used by cfg.c. */
#ifndef RP_CFG_GLOBAL_H
#define RP_CFG_GLOBAL_H

#include "engine/cfg.h"

/* Sets HAProxy's defaults in <g> (maxconn 4096, bufsize 16384...). */
void cfg_global_init(struct global *g);
/* Runs one line of the global section. Returns 0 or -1 with c->err set
 * (an unknown keyword included). */
int cfg_global_kw(struct cfg_ctx *c, char **args, int nargs);
/* Frees what the global keywords allocated in <g>. */
void cfg_global_free(struct global *g);

#endif
