/* http_cookie.h: cookie-based server persistence, HAProxy's "cookie <name>
 * [insert|rewrite|prefix] [indirect] [nocache] [postonly] [preserve]
 * [httponly] [secure] [domain <d>]* [attr <a>]*" in a backend, with each
 * server's "cookie <value>". A request carrying <name>=<value> of a usable
 * server goes to that server; a response from a server the client was not
 * sent to by its cookie gets one (insert), or the server's own cookie is
 * rewritten or prefixed with the server's value. */
#ifndef RP_HTTP_COOKIE_H
#define RP_HTTP_COOKIE_H

struct cfg_ctx;
struct proxy;
struct server;
struct stream;

/* "cookie ..." in a backend or defaults section. Returns 0 or -1 with
 * c->err set. */
int http_cookie_cfg(struct cfg_ctx *c, char **args, int nargs);
/* Copies a defaults section's cookie settings into <px>. Returns 0 or -1. */
int http_cookie_inherit(struct proxy *px, const struct proxy *def);
/* Frees <px>'s cookie settings. */
void http_cookie_free(struct proxy *px);

/* Before balancing the request of <s> (headers not yet forwarded): returns
 * the server its persistence cookie names when that server may take it,
 * else NULL (balance as usual). Records the cookie's state for the log
 * (%tsc) and, in "indirect" insert mode and "prefix" mode, takes the
 * cookie (or its prefix) out of the request. */
struct server *http_cookie_pick(struct stream *s);

/* "http-send-name-header": once <s>'s server is assigned, sets the
 * backend's header to the server's name in the request (not yet forwarded). */
void http_send_name(struct stream *s);

/* After the http-response rules of <s>'s response: inserts, rewrites or
 * prefixes the persistence cookie. Returns 0 or -errno (no room). */
int http_cookie_rsp(struct stream *s);

#endif
