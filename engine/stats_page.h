/* stats_page.h: the statistics page of a proxy ("stats enable", "stats uri
 * <prefix>", "stats auth <user:pass>", "stats refresh <t>"...): a request
 * whose URI starts with the prefix gets, after the proxy's http-request
 * rules, an HTML report of every proxy and server, or its CSV form
 * ("<prefix>;csv", the management socket's "show stat") or JSON
 * ("<prefix>;json"), answered by ringproxy itself. The report is built
 * from the management socket's answers, so both always agree. */
#ifndef RP_STATS_PAGE_H
#define RP_STATS_PAGE_H

struct cfg_ctx;
struct proxy;
struct stream;

/* "stats <keyword> ..." in a proxy section. Returns 0 or -1 with c->err set. */
int stats_page_cfg(struct cfg_ctx *c, char **args, int nargs);
/* Copies a defaults section's stats settings into <px>. Returns 0 or -1. */
int stats_page_inherit(struct proxy *px, const struct proxy *def);
/* Frees <px>'s stats settings. */
void stats_page_free(struct proxy *px);

/* For the HTTP request of <s> being processed by proxy <px> (its frontend,
 * then its backend): when <px> serves the statistics page at this URI,
 * queues the answer (the page, a 401 asking for credentials, or a 403 for
 * "stats http-request deny") in s->res's output and returns its status,
 * or -1 when it could not (HAProxy answers 500); else returns 0 and does
 * nothing. */
int stats_page_req(struct stream *s, struct proxy *px);

#endif
