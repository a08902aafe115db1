/* acl.h: ACLs and conditions. "acl <name> <fetch> [flags] [op] <patterns>"
 * declares a named test in a proxy (several lines with one name OR
 * together); "if|unless <cond>" on a rule combines named ACLs, predefined
 * ones (TRUE, FALSE, LOCALHOST, REQ_CONTENT, WAIT_END, ...) and anonymous
 * "{ fetch flags patterns }" with "!", implicit AND and "||"/"or".
 * Evaluation gives true, false or "missing data" (a fetch said its value
 * may still change: content rules wait for more data). */
#ifndef RP_ACL_H
#define RP_ACL_H

#include <stddef.h>
#include "engine/cfg.h"
#include "engine/sample.h"

/* Result of a test or condition, as HAProxy's ACL_TEST_*. */
enum acl_res { ACL_FALSE = 0, ACL_TRUE = 1, ACL_MISS = 2 };

struct acl_list;            /* a proxy's named ACLs (proxy->acls), private */
struct acl_cond;            /* a parsed condition, private */

/* The "acl" keyword (frontend, backend, listen). Returns 0 or -1 with c->err. */
int acl_cfg_parse(struct cfg_ctx *c, char **args, int nargs);

/* Parses a condition from <args>: args[0] is "if" or "unless", the words up
 * to <nargs> are the condition. Named ACLs are looked up in c->px, then among
 * the predefined ones. Returns the condition (caller owns it, acl_cond_free)
 * or NULL with the reason in c->err (e.g. "no such ACL : 'foo'"). */
struct acl_cond *acl_cond_parse(struct cfg_ctx *c, char **args, int nargs);
void acl_cond_free(struct acl_cond *cond);

/* Evaluates <cond> (its "unless" applied). Returns ACL_TRUE, ACL_FALSE, or
 * ACL_MISS when the result depends on data that may still arrive and
 * ctx->final is not set. */
enum acl_res acl_cond_exec(const struct acl_cond *cond, struct smp_ctx *ctx);
/* Returns the SMP_USE_* bits of every fetch the condition uses (to warn
 * about tests that can never match where the rule runs). */
unsigned acl_cond_use(const struct acl_cond *cond);
/* Where a condition is evaluated, for acl_cond_conflict(). */
enum acl_where {
	ACL_WHERE_CONN = 0,     /* tcp-request connection: no content yet */
	ACL_WHERE_SESS,         /* tcp-request session: connection and session fetches */
	ACL_WHERE_REQ,          /* request side: tcp-request content, use_backend */
	ACL_WHERE_RES,          /* response side: tcp-response content */
};

/* Returns the keyword of the first fetch used by <cond> that can never
 * return a value at <where> (content fetches in connection rules, response
 * fetches on the request side and the reverse), with the name of its ACL
 * in <acl_name> (NULL: anonymous) and in <all> 1 if every test of that ACL
 * has the same problem, or NULL: HAProxy's "will never match" warnings. */
const char *acl_cond_conflict(const struct acl_cond *cond, enum acl_where where, const char **acl_name,
                              int *all);

void acl_list_free(struct acl_list *l);

#endif
