/* cache_cfg.h: HAProxy's "cache <name>" sections and the "http-request
 * cache-use <name>" / "http-response cache-store <name>" actions and
 * "filter cache", accepted so that configurations using HAProxy's small
 * object cache load: the keywords are checked as HAProxy checks them, the
 * names resolved, and a notice says that nothing is cached (every request
 * goes to the server: a correct, uncached answer). */
#ifndef RP_CACHE_CFG_H
#define RP_CACHE_CFG_H

struct cfg_ctx;
struct config;
struct proxy;

/* "cache <name>": opens a section. Returns 0 or -1 with c->err set. */
int cache_cfg_section(struct cfg_ctx *c, char **args, int nargs);
/* A line inside the section. Returns 0 or -1 with c->err set. */
int cache_cfg_kw(struct cfg_ctx *c, char **args, int nargs);
/* Records that <px> (at <file>:<line>) names cache <name> ("cache-use",
 * "cache-store", "filter cache"), checked once every file is read.
 * Returns 0 or -1 (no memory). */
int cache_cfg_ref(const struct proxy *px, const char *name, const char *what);
/* Checks every reference; prints an alert per unknown cache and returns
 * their count. */
int cache_cfg_resolve(struct config *cfg);
void cache_cfg_free_all(void);

#endif
