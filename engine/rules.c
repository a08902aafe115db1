/* rules.c: tcp-request / tcp-response rule lists and use_backend (first
 * cut: entry points only; the real parsing and execution come next). */
#include <stdio.h>
#include "engine/rules.h"
#include "engine/stream.h"

int rules_cfg_tcp_request(struct cfg_ctx *c, char **args, int nargs)
{
	(void)args; (void)nargs;
	snprintf(c->err, sizeof(c->err), "'tcp-request' is not implemented yet");
	return -1;
}
int rules_cfg_tcp_response(struct cfg_ctx *c, char **args, int nargs)
{
	(void)args; (void)nargs;
	snprintf(c->err, sizeof(c->err), "'tcp-response' is not implemented yet");
	return -1;
}
int rules_cfg_use_backend(struct cfg_ctx *c, char **args, int nargs)
{
	(void)args; (void)nargs;
	snprintf(c->err, sizeof(c->err), "'use_backend' is not implemented yet");
	return -1;
}
int rules_cfg_resolve(struct config *cfg, char *err, size_t errlen) { (void)cfg; (void)err; (void)errlen; return 0; }
void rules_free(struct rule_list *l) { (void)l; }
int rules_count(const struct rule_list *l) { (void)l; return 0; }
enum rule_res rules_exec_tcp_req_conn(struct stream *s) { (void)s; return RULE_CONTINUE; }
enum rule_res rules_exec_tcp_req_content(struct stream *s, int final) { (void)s; (void)final; return RULE_CONTINUE; }
enum rule_res rules_exec_tcp_res_content(struct stream *s, int final) { (void)s; (void)final; return RULE_CONTINUE; }
struct proxy *rules_pick_backend(struct stream *s) { return s->fe ? s->fe->defbe : NULL; }
