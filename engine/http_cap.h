/* http_cap.h: captures of a frontend — "capture request|response header
 * <name> len <n>", "declare capture request|response len <n>" and the
 * "http-request|http-response capture" actions — and their values for one
 * transaction, which the httplog "{...}" fields (%hr %hs) and the
 * capture.req.hdr(idx) / capture.res.hdr(idx) fetches read. Slots are
 * numbered per direction in declaration order, as in HAProxy. */
#ifndef RP_HTTP_CAP_H
#define RP_HTTP_CAP_H

#include <stddef.h>
#include "engine/cfg.h"
#include "engine/sample.h"

struct stream;
struct proxy;
struct logfmt_http;
struct http_cap_list;       /* a proxy's declarations (proxy->caps), private */
struct http_cap_vals;       /* a transaction's values (stream->caps), private */

#define HTTP_CAP_MAX 32     /* slots per direction */

/* "capture request|response header <name> len <n>" and "declare capture
 * request|response len <n>". Return 0 or -1 with c->err. */
int http_cap_cfg_capture(struct cfg_ctx *c, char **args, int nargs);
int http_cap_cfg_declare(struct cfg_ctx *c, char **args, int nargs);
/* For http_rules.c: adds an anonymous request slot of <len> bytes to
 * c->px ("http-request capture <expr> len <n>"). Returns its index or -1
 * with c->err. */
int http_cap_add_slot(struct cfg_ctx *c, int res, int len);
/* Returns 1 when slot <id> exists in direction <res> of <px>, else 0. */
int http_cap_has_slot(const struct proxy *px, int res, int id);
/* Frees a proxy's declarations (NULL accepted). */
void http_cap_list_free(struct http_cap_list *l);
/* A frontend inheriting from defaults section <def> takes its capture
 * slots first ("http-request capture ... len" in a named defaults), so that
 * the defaults' rules find them at the same indices. Returns 0 or -1 (out
 * of memory). */
int http_cap_inherit(struct proxy *px, const struct proxy *def);

/* The stream calls these (engine/stream_http.c):
 * http_cap_headers(s, 0) once the request headers are parsed, before the
 * http-request rules (it drops the previous transaction's values first); http_cap_headers(s, 1) for the response, before the
 * http-response rules: the headers named by "capture ... header" of
 * s->fe are copied (the last occurrence wins, cut to its length).
 * http_cap_log(s, h) fills h->req_caps/res_caps for the log line.
 * http_cap_reset(s) ends the transaction's captures (after its log line,
 * and when the stream is freed): the values go back to the thread's pool. */
void http_cap_headers(struct stream *s, int res);
void http_cap_log(const struct stream *s, struct logfmt_http *h);
void http_cap_reset(struct stream *s);
/* Frees this thread's pool of capture blocks (at thread exit, once no
 * stream holds one). */
void http_cap_pool_free(void);

/* Stores <len> bytes of <p> into slot <id> of direction <res> (cut to the
 * slot's length). Returns 0, or -1 (no such slot, no memory). */
int http_cap_store(struct stream *s, int res, int id, const char *p, size_t len);

/* capture.req.hdr(idx) and capture.res.hdr(idx), registered by sample.c. */
extern const struct sample_fetch smp_fetch_cap_table[];

#endif
