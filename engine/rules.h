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
};

/* Configuration keywords. Each returns 0 or -1 with c->err set. */
int rules_cfg_tcp_request(struct cfg_ctx *c, char **args, int nargs);   /* tcp-request ... */
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

#endif
