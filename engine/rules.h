/* rules.h: rule lists and their execution — "tcp-request connection|session",
 * "tcp-request content", "tcp-response content", their inspect-delays, and
 * backend switching ("use_backend"). Built at configuration time, run by
 * the stream analysers (stream.c) in configuration order. */
#ifndef RP_RULES_H
#define RP_RULES_H

#include <stddef.h>
#include "engine/cfg.h"
#include "engine/proxy.h"

struct stream;
struct sample_expr;
struct smp_ctx;
struct rule_list;           /* private to rules.c */

/* What the stream does after running a rule list. */
enum rule_res {
	RULE_CONTINUE = 0,  /* every rule passed, or "accept": go on with the next analyser */
	RULE_WAIT,          /* a condition needs more data: call again when data arrives or,
	                     * with <final> = 1, when the inspect-delay expires */
	RULE_YIELD,         /* a Lua action suspended: call again when the stream is woken */
	RULE_REJECT,        /* "reject": close the connection (counters, s->err/fin set) */
	RULE_CLOSE,         /* tcp-response "close", or a Lua action that ended the
	                     * transaction (txn:done()): stop the rules and close */
	RULE_ERR,           /* internal error (Lua budget...): abort the stream */
	RULE_REPLY,         /* HTTP rules: a response is queued in s->res (http_rules.h) */
};

/* Configuration keywords. Each returns 0 or -1 with c->err set. */
int rules_cfg_tcp_request(struct cfg_ctx *c, char **args, int nargs);   /* tcp-request ... */

/* The rule sets of a proxy in the order its requests meet them, whatever
 * the order they are written in. */
enum rules_order { RO_TCP_CONN = 0, RO_TCP_SESS, RO_TCP_CONT, RO_MONITOR, RO_HTTP_REQ, RO_REDIRECT,
                   RO_USE_BACKEND, RO_USE_SERVER, RO_NB };
/* Notes that a rule of set <k> is being parsed in c->px, with HAProxy's
 * warning when a rule of a later set came before it ("a 'tcp-request'
 * rule placed after an 'http-request' rule will still be processed
 * before."). */
void rules_cfg_order(struct cfg_ctx *c, enum rules_order k);
int rules_cfg_tcp_response(struct cfg_ctx *c, char **args, int nargs);  /* tcp-response ... */
int rules_cfg_use_backend(struct cfg_ctx *c, char **args, int nargs);   /* use_backend ... */
/* After every file is parsed: resolves static use_backend names and checks
 * rule placement. Returns 0, or the number of errors, the first one's
 * message in <err> (each one also printed as an [ALERT] line). Warnings are
 * printed as [WARNING] lines. */
int rules_cfg_resolve(struct config *cfg, char *err, size_t errlen);
/* Frees a rule list (NULL is accepted). A proxy owns its lists; rules of
 * its defaults section are reached through px->from, never copied. */
void rules_free(struct rule_list *l);
/* Returns the number of rules in <l> (NULL: 0). */
int rules_count(const struct rule_list *l);
/* Returns 1 when proxy or defaults section <px> holds tcp-request,
 * tcp-response or HTTP rules of its own, else 0. */
int rules_px_has_rules(const struct proxy *px);

/* Runs the "tcp-request connection" rules of s->fe, then its "tcp-request
 * session" rules (the session is established at once while there is no
 * TLS or PROXY protocol step in between). Returns RULE_CONTINUE,
 * RULE_REJECT (fe->denied_conn or fe->denied_sess counted) or RULE_ERR. */
enum rule_res rules_exec_tcp_req_conn(struct stream *s);
/* Runs the "tcp-request content" rules of s->be (the frontend before
 * backend selection, the backend after it, when it differs) on s->req.
 * The evaluation is final (missing data counts as not found) when <final>
 * is set, when the proxy has no inspect-delay, or when the request channel
 * is shut or full. Returns RULE_CONTINUE, RULE_WAIT (only when not final),
 * RULE_YIELD, RULE_REJECT, RULE_CLOSE or RULE_ERR. After RULE_WAIT the next call starts
 * over from the first rule; after RULE_YIELD it resumes the yielding rule. */
enum rule_res rules_exec_tcp_req_content(struct stream *s, int final);
/* Same for the "tcp-response content" rules of s->be on s->res. */
enum rule_res rules_exec_tcp_res_content(struct stream *s, int final);
/* Returns the backend the use_backend rules of s->fe pick for <s>, or
 * s->fe->defbe when none applies (a dynamic name that names no backend
 * falls back to it too), or NULL when there is no default either. */
struct proxy *rules_pick_backend(struct stream *s);

/* For http_rules.c: the HTTP rule lists (px->http_req, px->http_res) are
 * these lists; rules.c parses and runs the actions it shares with the tcp
 * rules (set-var, set-var-fmt, unset-var, set-log-level, lua), and hands
 * the others to <parse> and to http_act_exec() (http_rules.h).
 * <parse> returns the index of the word after the action at args[i] and
 * sets *<out>, 0 with *<out> NULL when it does not know the action (then
 * c->err is left for the caller), or -1 with c->err. */
struct http_act;
typedef int (*rules_http_parse_fn)(struct cfg_ctx *c, int res, char **args, int nargs, int i,
                                   struct http_act **out);
/* Parses "<kind> <action> [args] [if|unless cond]" (the action at args[1])
 * into *<lp>; <res> is 1 for http-response. <known> lists the accepted
 * actions for the "expects" message. Returns 0 or -1 with c->err. */
int rules_cfg_http(struct cfg_ctx *c, const char *kind, int res, struct rule_list **lp,
                   char **args, int nargs, rules_http_parse_fn parse, const char *known);
/* Returns the http action of the last rule of <l> (NULL when <l> is empty or
 * that rule is another kind), with the one of the rule before in *<prev>
 * (same), and in *<cond> whether the last rule has a condition. */
struct http_act *rules_http_tail(const struct rule_list *l, struct http_act **prev, int *cond);
/* Runs list <own> after the rules of <px>'s defaults section at offset
 * <def_off> of struct proxy (offsetof(struct proxy, http_req); 0: none), in
 * direction <dir> (0 request, 1 response), finally (no waiting), from
 * position *<pos> (0, or where a Lua action yielded). Returns RULE_CONTINUE,
 * RULE_YIELD (*<pos> set), RULE_REPLY, RULE_REJECT, RULE_CLOSE or RULE_ERR. */
enum rule_res rules_exec_http(struct stream *s, struct proxy *px, size_t def_off,
                              const struct rule_list *own, int dir, uint32_t *pos);
/* Appends to *<lp> a rule running HTTP action <a> under <cond> (NULL:
 * always); the rule owns both from then on, even on failure. Returns 0 or
 * -1 with c->err (out of memory). */
struct acl_cond;
int rules_add_http(struct cfg_ctx *c, struct rule_list **lp, struct http_act *a,
                   struct acl_cond *cond);

/* The connection actions shared by the TCP and HTTP rule lists. */
enum rules_addr { RULES_SRC = 0, RULES_DST, RULES_SRC_PORT, RULES_DST_PORT };
/* set-src / set-dst (the port is kept) and set-src-port / set-dst-port:
 * the client-side address that fetches and logs see from then on becomes
 * the value of <e>. A value that is no address or port changes nothing, as
 * HAProxy. */
void rules_set_addr(struct stream *s, enum rules_addr which, const struct sample_expr *e,
                    struct smp_ctx *ctx);
/* silent-drop: the client connection will close with nothing sent to the
 * client (TCP repair mode, which needs CAP_NET_ADMIN; else a reset). */
void rules_silent_drop(struct stream *s);

#endif
