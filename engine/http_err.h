/* http_err.h: the responses ringproxy sends on its own — HAProxy 2.6's
 * built-in error pages, byte for byte, and the "errorfile <code> <file>"
 * replacements of a proxy (loaded once at configuration time, served from
 * memory: the data path never reads a file). */
#ifndef RP_HTTP_ERR_H
#define RP_HTTP_ERR_H

#include <stddef.h>

struct proxy;
struct config;

/* Two shapes of the same page, as HAProxy 2.6 sends them:
 * HTTP_ERR_STREAM: answered by a rule or the backend side (deny, 502, 503,
 *   504...): header names lowercase, "connection: close" last when the page
 *   closes the connection (400, 408). An errorfile is served in this shape.
 * HTTP_ERR_MUX: answered by the client-side parser itself (a bad request,
 *   headers too large, http-request timeout, a request Transfer-Encoding
 *   with codings besides chunked): the built-in 400, 408 and 422 with
 *   their original header case ("Content-length", "Connection: close");
 *   errorfiles are not used there, as HAProxy. Each shape falls back to
 *   the other for a code it lacks. */
enum http_err_shape { HTTP_ERR_STREAM = 0, HTTP_ERR_MUX = 1 };

/* Returns the built-in page for <status> (200, 400, 401, 403, 404, 405,
 * 407, 408, 410, 413, 421, 422, 425, 429, 500, 501, 502, 503, 504) in <shape>, its
 * length in *<len>, or NULL for a status with no page. Static storage. */
const char *http_err_builtin(int status, enum http_err_shape shape, size_t *len);

/* Returns the bytes to send for <status> in proxy <px> (NULL = none): the
 * proxy's errorfile for it when one was loaded, else the built-in page;
 * NULL when neither exists. An empty errorfile gives a zero length (send
 * nothing, close). Storage lives until http_err_free_all(). */
const char *http_err_get(const struct proxy *px, int status, enum http_err_shape shape, size_t *len);
/* The same for a stream: the backend's page, else the frontend's (either
 * may be NULL), else the built-in one, as HAProxy picks it. */
const char *http_err_get_for(const struct proxy *be, const struct proxy *fe, int status,
                             enum http_err_shape shape, size_t *len);

/* Returns 1 when <status> is one HAProxy has a page for (the codes
 * "errorfile" and "deny_status" accept), else 0. */
int http_err_known(int status);

/* Loads (once per path) the errorfile <path> for <status>: the file must
 * parse as an HTTP/1 response head. Returns 0, or -1 with HAProxy's text
 * in <err> ("errorfile : error opening file '<path>'." or
 * "errorfile : '<path>': unable to parse headers (error offset: N)"),
 * without the "parsing [file:line] : " prefix. */
int http_err_load(const char *path, int status, char *err, size_t errlen);

/* Loads the errorfiles of every proxy of <cfg> (px->errorfiles[]), printing
 * "[ALERT]    (pid) : config : parsing [file:line] : <message>" for each
 * failure (the proxy's section line). Returns the number of errors. */
int http_err_load_config(struct config *cfg);

/* A header of a built response. */
struct http_reply_hdr {
	const char *n, *v;
	size_t nl, vl;
};

/* Builds in <out> (size <outsz>) the response HAProxy 2.6 sends for
 * "http-request return": "HTTP/1.1 <status> <reason>" (<reason> NULL: the
 * standard one, http_status_reason()), the <nhdrs> headers <hdrs> (names
 * lowercased), "content-length" (not for 1xx and 204), "content-type:
 * <ctype>" when given, the blank line and the body. Returns the length or
 * -ENOSPC. */
long http_reply_build(char *out, size_t outsz, int status, const char *reason,
                      const struct http_reply_hdr *hdrs, int nhdrs, const char *ctype,
                      const char *body, size_t blen);

/* Builds HAProxy 2.6's "redirect" response: "HTTP/1.1 <code> <reason>",
 * "content-length: 0", "location: <loc>", "cache-control: no-cache" for
 * 302, 303 and 307, "set-cookie: <cookie>; path=/;" when <cookie> is not
 * NULL. Returns the length or -ENOSPC (-EINVAL for a code that is not
 * 301, 302, 303, 307 or 308). */
long http_redirect_build(char *out, size_t outsz, int code, const char *loc, size_t llen,
                         const char *cookie, size_t clen);

/* Builds the answer of "http-request auth": the page for <status> (401,
 * or 407 for a proxy) of <px> (errorfile or built-in, stream shape) with
 * "www-authenticate: Basic realm=\"<realm>\"" ("proxy-authenticate" for
 * 407) added as its last header, as HAProxy 2.6 sends it. Returns the
 * length or -ENOSPC (-EINVAL without a page). */
long http_auth_reply_build(char *out, size_t outsz, const struct proxy *px, int status,
                           const char *realm, size_t rlen);

/* Registers the page <raw>/<len> (a response as an errorfile holds it)
 * under <key>, which errorfile slots may then name instead of a path
 * ("errorloc" pages). Returns 0 (also when <key> is known already) or -1
 * with <err> set. */
int http_err_add_page(const char *key, const char *raw, size_t len, char *err, size_t errlen);

/* Frees every loaded errorfile (at exit). */
void http_err_free_all(void);

#endif
