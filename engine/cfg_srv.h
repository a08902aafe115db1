/* cfg_srv.h: "bind", "server" and "default-server" lines of proxy
 * sections, and socket address parsing. Used by cfg_proxy.c. */
#ifndef RP_CFG_SRV_H
#define RP_CFG_SRV_H

#include "engine/cfg.h"

/* Keyword parsers: 0, -1 with c->err set, or -2 when already printed. */
int cfg_srv_bind(struct cfg_ctx *c, char **args, int nargs);
int cfg_srv_server(struct cfg_ctx *c, char **args, int nargs);
int cfg_srv_default(struct cfg_ctx *c, char **args, int nargs);
int cfg_srv_template(struct cfg_ctx *c, char **args, int nargs);
/* Returns a deep copy of server template <s> (not linked), or NULL. */
struct server *cfg_srv_dup(const struct server *s);

/* Returns 1 if <kw> is a bind keyword taking a value that ringproxy
 * accepts without effect, 2 for such a flag keyword, else 0 (the stats
 * socket line takes bind keywords too). */
int cfg_bind_kw_noeffect(const char *kw);

/* Helpers shared with cfg_proxy.c. */
const char *cfg_px_type(const struct proxy *px);
int cfg_bad_name_char(const char *name);

#endif
