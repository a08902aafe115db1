/* http_errsec.h: "http-errors <name>" sections (their "errorfile <code>
 * <file>" lines) and the proxies' "errorfiles <name> [<code>...]", which
 * import all or some of a section's pages exactly as the same "errorfile"
 * lines written in the proxy would. */
#ifndef RP_HTTP_ERRSEC_H
#define RP_HTTP_ERRSEC_H

struct cfg_ctx;
struct config;

/* "http-errors <name>": opens a section. Returns 0 or -1 with c->err set. */
int http_errsec_section(struct cfg_ctx *c, char **args, int nargs);
/* A line inside the section. Returns 0 or -1 with c->err set. */
int http_errsec_kw(struct cfg_ctx *c, char **args, int nargs);
/* "errorfiles <name> [<code>...]" in a proxy section: imported now when the
 * section is known, else once every file is read. Returns 0 or -1. */
int http_errsec_import(struct cfg_ctx *c, char **args, int nargs);
/* The file of status <code> in section <name>, or NULL; <*known> tells
 * whether the section exists (declared before this call). */
const char *http_errsec_file(const char *name, int code, int *known);
/* The imports of sections declared after their use. Prints an alert per
 * unknown section and returns their count. */
int http_errsec_resolve(struct config *cfg);
void http_errsec_free_all(void);

#endif
