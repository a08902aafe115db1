/* persist.c: use-server, force-persist and ignore-persist (persist.h).
 * The rules of a backend live in px->persist (struct prs_cfg), in
 * declaration order; conditions are evaluated with the request's context
 * at the moment a server is assigned. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/rules.h"
#include "engine/persist.h"
#include "engine/acl.h"
#include "engine/cfg.h"
#include "engine/logfmt.h"
#include "engine/log.h"
#include "engine/proxy.h"
#include "engine/sample.h"
#include "engine/stream.h"
#include "engine/thread.h"

struct prs_rule {
	struct acl_cond *cond;
	char *name;                 /* use-server: the name as written */
	struct server *srv;         /* resolved static name */
	struct logfmt *fmt;         /* a dynamic name ("%[...]") */
	const char *file; int line;
};

struct prs_cfg {
	struct prs_rule *use, *force, *ignore;
	int nb_use, nb_force, nb_ignore;
};

static struct prs_cfg *prs_get(struct proxy *px)
{
	if (!px->persist)
		px->persist = calloc(1, sizeof(struct prs_cfg));
	return px->persist;
}

int persist_cfg(struct cfg_ctx *c, char **args, int nargs)
{
	int use = !strcmp(args[0], "use-server"), cond_at = use ? 2 : 1;
	struct prs_rule r = { 0 }, **list, *nl;
	struct prs_cfg *p;
	int *nb;

	if (!(c->px->cap & PX_CAP_BE)) {
		cfg_warning(c, "'%s' ignored because frontend '%s' has no backend capability.", args[0], c->px->name);
		return 0;
	}
	if (use)
		rules_cfg_order(c, RO_USE_SERVER);
	if (use && (nargs < 2 || !*args[1]))
		return cfg_set_err(c, "'%s' expects a server name.", args[0]);
	if (nargs <= cond_at || (strcmp(args[cond_at], "if") && strcmp(args[cond_at], "unless")))
		return cfg_set_err(c, "'%s' requires either 'if' or 'unless' followed by a condition.", args[0]);
	if (!(r.cond = acl_cond_parse(c, args + cond_at, nargs - cond_at)))
		return -1;
	r.file = c->file;
	r.line = c->line;
	if (use) {
		char err[256];

		if (strchr(args[1], '%') && !(r.fmt = logfmt_compile(args[1], c->px, err, sizeof(err)))) {
			acl_cond_free(r.cond);
			return cfg_set_err(c, "use-server: failed to parse log-format '%s' : %s", args[1], err);
		}
		if (!(r.name = strdup(args[1])))
			goto nomem;
	}
	if (!(p = prs_get(c->px)))
		goto nomem;
	list = use ? &p->use : !strcmp(args[0], "force-persist") ? &p->force : &p->ignore;
	nb = use ? &p->nb_use : list == &p->force ? &p->nb_force : &p->nb_ignore;
	if (!(nl = realloc(*list, (size_t)(*nb + 1) * sizeof(*nl))))
		goto nomem;
	*list = nl;
	nl[(*nb)++] = r;
	return 0;
nomem:
	acl_cond_free(r.cond);
	logfmt_free(r.fmt);
	free(r.name);
	return cfg_set_err(c, "out of memory.");
}

int persist_resolve(struct config *cfg)
{
	int errors = 0;

	for (struct proxy *px = cfg->proxies; px; px = px->next) {
		struct prs_cfg *p = px->persist;

		for (int i = 0; p && i < p->nb_use; i++) {
			struct prs_rule *r = &p->use[i];

			if (r->fmt)
				continue;
			if (!(r->srv = server_find(px, r->name))) {
				rp_alert("config : %s '%s' : unable to find server '%s' referenced in a 'use-server' rule.",
				         "backend", px->name, r->name);
				errors++;
			}
		}
	}
	return errors;
}

static void prs_rules_free(struct prs_rule *r, int n)
{
	for (int i = 0; i < n; i++) {
		acl_cond_free(r[i].cond);
		logfmt_free(r[i].fmt);
		free(r[i].name);
	}
	free(r);
}

void persist_free(struct proxy *px)
{
	struct prs_cfg *p = px->persist;

	if (!p)
		return;
	prs_rules_free(p->use, p->nb_use);
	prs_rules_free(p->force, p->nb_force);
	prs_rules_free(p->ignore, p->nb_ignore);
	free(p);
	px->persist = NULL;
}

/* Returns 1 when one of the <n> conditions of <r> holds for <s>. */
static int any_holds(struct stream *s, const struct prs_rule *r, int n)
{
	struct smp_ctx ctx = { .strm = s, .px = s->be, .dir = SMP_DIR_REQ, .final = 1 };

	for (int i = 0; i < n; i++)
		if (acl_cond_exec(r[i].cond, &ctx) == ACL_TRUE)
			return 1;
	return 0;
}

int persist_forced(struct stream *s)
{
	const struct prs_cfg *p = s->be ? s->be->persist : NULL;

	return p && any_holds(s, p->force, p->nb_force);
}

int persist_ignored(struct stream *s)
{
	const struct prs_cfg *p = s->be ? s->be->persist : NULL;

	return p && any_holds(s, p->ignore, p->nb_ignore);
}

struct server *persist_use_server(struct stream *s)
{
	const struct prs_cfg *p = s->be ? s->be->persist : NULL;
	struct smp_ctx ctx = { .strm = s, .px = s->be, .dir = SMP_DIR_REQ, .final = 1 };

	for (int i = 0; p && i < p->nb_use; i++) {
		const struct prs_rule *r = &p->use[i];
		struct server *srv = r->srv;

		if (acl_cond_exec(r->cond, &ctx) != ACL_TRUE)
			continue;
		if (r->fmt) {
			char name[256];

			logfmt_render(r->fmt, s, s->thr->now_us, name, sizeof(name));
			srv = server_find(s->be, name);
		}
		if (!srv)
			continue;
		/* a server that cannot take it is skipped unless persistence is forced */
		if ((srv->state != SRV_DOWN && srv->state != SRV_MAINT) || (s->be->options & PXO_PERSIST) ||
		    persist_forced(s))
			return srv;
	}
	return NULL;
}
