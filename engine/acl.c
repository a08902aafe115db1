/* acl.c: the "acl" keyword, predefined ACLs and conditions (first cut:
 * entry points only; parsing and evaluation come next). */
#include <stdio.h>
#include "engine/acl.h"

int acl_cfg_parse(struct cfg_ctx *c, char **args, int nargs)
{
	(void)args; (void)nargs;
	snprintf(c->err, sizeof(c->err), "'acl' is not implemented yet");
	return -1;
}
struct acl_cond *acl_cond_parse(struct cfg_ctx *c, char **args, int nargs)
{
	(void)args; (void)nargs;
	snprintf(c->err, sizeof(c->err), "conditions are not implemented yet");
	return NULL;
}
void acl_cond_free(struct acl_cond *cond) { (void)cond; }
enum acl_res acl_cond_exec(const struct acl_cond *cond, struct smp_ctx *ctx) { (void)cond; (void)ctx; return ACL_FALSE; }
unsigned acl_cond_use(const struct acl_cond *cond) { (void)cond; return 0; }
const char *acl_cond_useless_acl(const struct acl_cond *cond, unsigned use) { (void)cond; (void)use; return NULL; }
void acl_list_free(struct acl_list *l) { (void)l; }
