/* http_rules.h: "http-request" and "http-response" rules (HAProxy 2.6
 * syntax): parsed into the proxy's http_req / http_res lists (rules.c's
 * lists, with rules.c's conditions, set-var and Lua actions) and run by the
 * stream once a message's headers are parsed (stream.c). The HTTP actions
 * (header and start-line rewrites, deny, return, redirect, auth,
 * set-status...) live here. */
#ifndef RP_HTTP_RULES_H
#define RP_HTTP_RULES_H

#include "engine/cfg.h"
#include "engine/rules.h"

struct stream;
struct http_act;            /* one parsed HTTP action, private to http_rules.c */
struct smp_ctx;

/* Configuration keywords "http-request ..." and "http-response ...".
 * Return 0 or -1 with c->err set (HAProxy 2.6's messages). */
int http_rules_cfg_request(struct cfg_ctx *c, char **args, int nargs);
int http_rules_cfg_response(struct cfg_ctx *c, char **args, int nargs);
/* The proxy keyword "redirect <type> <fmt> [options] [{if | unless} <cond>]":
 * its rules run after the http-request rules of the same proxy (when they
 * let the request go on), as HAProxy's. */
int http_rules_cfg_redirect(struct cfg_ctx *c, char **args, int nargs);
/* "http-after-response <action> ...": allow, add-header, set-header,
 * del-header, replace-header, replace-value, set-status, capture,
 * set-var, set-var-fmt, unset-var. */
int http_rules_cfg_after_response(struct cfg_ctx *c, char **args, int nargs);
/* Compiles rule argument <s> as a log-format of c->px into *<out>.
 * Returns 0, or -1 with c->err naming the expression as HAProxy does. */
struct logfmt;
int http_rules_fmt_compile(struct cfg_ctx *c, const char *s, struct logfmt **out);

/* Runs the http-request rules of one proxy on the parsed request of
 * s->http (struct http_txn): those of s->be when set, else of s->fe (its
 * defaults section's rules first), as rules_exec_tcp_req_content(): call
 * it before backend selection (s->be NULL or s->fe), then once more after
 * it when s->be differs from s->fe. Returns:
 *   RULE_CONTINUE  every rule passed or "allow": go on (backend selection);
 *   RULE_YIELD     a Lua action suspended: call again when woken, the list
 *                  resumes at that rule;
 *   RULE_REPLY     deny, return, redirect, auth (or tarpit): a complete
 *                  response is queued in the output part of s->res and
 *                  txn->status holds its status. The request must not be
 *                  forwarded; drain its body and keep the connection alive
 *                  as HAProxy 2.6 does for every one of these replies;
 *   RULE_REJECT    "reject": close the client connection without a response
 *                  (denied_req counted, PR set);
 *   RULE_CLOSE     a Lua action ended the transaction (txn:done());
 *   RULE_ERR       internal error (a rewrite failed, Lua budget): answer 500
 *                  (s->err/fin are set).
 * Counters (denied_req) and termination flags (PR) are updated here. The
 * first call for a request (s->be NULL, not resuming) takes the
 * frontend's header captures first (http_cap_headers()), the first call
 * of http_rules_exec_res() those of the response. */
enum rule_res http_rules_exec_req(struct stream *s);
/* Same for the http-response rules of s->be (if set) then s->fe, on the
 * parsed response: RULE_REPLY replaces the server's response by the one
 * queued in s->res's output (the server response's headers were removed
 * from s->res's input; its body must be skipped), RULE_ERR means a 502. */
enum rule_res http_rules_exec_res(struct stream *s);

/* Runs the http-after-response rules of s->be (if set) then s->fe on the
 * response about to leave: the parsed server response (call it after
 * http_rules_exec_res() let it go), and the replies of deny, return,
 * redirect and auth rules and the proxy's own pages, through
 * stream_http_reply(). Returns RULE_CONTINUE, or RULE_ERR (a rewrite
 * failed: HAProxy answers 500 instead). */
enum rule_res http_rules_exec_after_res(struct stream *s);
/* Returns 1 when a proxy of <s> has http-after-response rules, else 0
 * (stream_http_reply() parses a reply only for them). */
int http_rules_has_after(const struct stream *s);
/* For Lua services: queues the head of a service's response (<head>,
 * <len> bytes: status line, headers, blank line) in s->res's output after
 * the http-response rules (backend's, then frontend's) and the
 * http-after-response rules edited it, as HAProxy runs them on an
 * applet's response. Returns 0 when queued, -1 when no rule applies or
 * it failed (nothing queued: the caller queues the head as is). Rules
 * that answer instead (deny, return, redirect) are not applied there. */
int http_rules_service_head(struct stream *s, const char *head, size_t len);

/* For rules.c: runs HTTP action <a> for <s>. Returns -1 to go on with the
 * next rule, or the rule_res that ends the list (RULE_CONTINUE for allow). */
int http_act_exec(const struct http_act *a, struct stream *s, struct smp_ctx *ctx);
/* For rules.c: frees <a> (NULL accepted). */
void http_act_free(struct http_act *a);

#endif
