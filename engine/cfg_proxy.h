/* cfg_proxy.h: the proxy sections of the configuration (defaults,
 * frontend, backend, listen): their keywords, bind and server lines,
 * defaults inheritance and the checks run once every file is read.
 * Used by cfg.c only. */
#ifndef RP_CFG_PROXY_H
#define RP_CFG_PROXY_H

#include "engine/cfg.h"

/* Starts a section from its header line ("frontend <name> [from <def>]",
 * "defaults [<name>] [from <def>]"...). Returns 0, -1 with c->err set, or
 * -2 when the message was already printed. */
int cfg_proxy_section(struct cfg_ctx *c, char **args, int nargs);
/* Closes the current section at end of file. */
void cfg_proxy_section_end(struct cfg_ctx *c);
/* Runs one keyword line of a proxy section. Same returns. */
int cfg_proxy_kw(struct cfg_ctx *c, char **args, int nargs);
/* After every file: resolves default_backend, rules, log formats, builds
 * the balancing tables. Returns the number of errors (each printed). */
int cfg_proxy_resolve(struct config *cfg);
/* Frees a proxy (or defaults section) and everything it owns. */
void cfg_proxy_free(struct proxy *px);

/* Makes <key> (an errorfile path, or an http_err_add_page() key) the page
 * of status <code> in <px>, replacing an earlier one; <key> NULL leaves the
 * slot to the caller's "http-error" reply (px->errorfile_reply). Returns 0
 * or -1 with c->err set. */
int cfg_px_errorfile(struct cfg_ctx *c, struct proxy *px, int code, const char *key);

/* Defaults sections, kept by cfg.c. */
struct proxy *cfg_defaults_find(struct config *cfg, const char *name);
struct proxy *cfg_defaults_last(struct config *cfg);
int cfg_defaults_add(struct config *cfg, struct proxy *def);

#endif
