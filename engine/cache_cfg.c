/* cache_cfg.c: cache sections and references, accepted without effect
 * (cache_cfg.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/cache_cfg.h"
#include "engine/cfg.h"
#include "engine/log.h"
#include "engine/proxy.h"

struct cache_def {
	struct cache_def *next;
	char *name;
};

struct cache_ref {
	struct cache_ref *next;
	char *px, *name, *what;
	int is_fe;
};

static struct cache_def *caches, *cache_cur;
static struct cache_ref *refs;
static int noticed;

static struct cache_def *cache_find(const char *name)
{
	for (struct cache_def *d = caches; d; d = d->next)
		if (!strcmp(d->name, name))
			return d;
	return NULL;
}

int cache_cfg_section(struct cfg_ctx *c, char **args, int nargs)
{
	struct cache_def *d;

	cache_cur = NULL;
	if (nargs < 2 || !*args[1])
		return cfg_set_err(c, "'%s' expects a <name> argument", args[0]);
	if (cache_find(args[1]))
		return cfg_set_err(c, "Duplicate cache name '%s'.", args[1]);
	if (!(d = calloc(1, sizeof(*d))) || !(d->name = strdup(args[1]))) {
		free(d);
		return cfg_set_err(c, "out of memory.");
	}
	d->next = caches;
	caches = d;
	cache_cur = d;
	if (!noticed++)
		cfg_notice(c, "'cache' sections have no effect in ringproxy: responses are not cached (every request goes to its server).");
	return 0;
}

int cache_cfg_kw(struct cfg_ctx *c, char **args, int nargs)
{
	static const char *const kws[] = {
		"total-max-size", "max-object-size", "max-age", "process-vary", "max-secondary-entries", NULL
	};
	int k = 0;

	if (!cache_cur)
		return 0;                             /* the header failed: skip the body */
	while (kws[k] && strcmp(kws[k], args[0]))
		k++;
	if (!kws[k])
		return cfg_set_err(c, "unknown keyword '%s' in 'cache' section", args[0]);
	if (nargs < 2 || !*args[1])
		return cfg_set_err(c, "'%s' expects an argument.", args[0]);
	return 0;
}

int cache_cfg_ref(const struct proxy *px, const char *name, const char *what)
{
	struct cache_ref *r = calloc(1, sizeof(*r));

	if (!r || !(r->px = strdup(px->name ? px->name : "")) || !(r->name = strdup(name)) ||
	    !(r->what = strdup(what))) {
		if (r) {
			free(r->px);
			free(r->name);
		}
		free(r);
		return -1;
	}
	r->is_fe = (px->cap & PX_CAP_FE) && !(px->cap & PX_CAP_BE);
	r->next = refs;
	refs = r;
	return 0;
}

int cache_cfg_resolve(struct config *cfg)
{
	int errors = 0;

	(void)cfg;
	for (const struct cache_ref *r = refs; r; r = r->next)
		if (!cache_find(r->name)) {
			rp_alert("config : config: %s '%s': unable to find the cache '%s' referenced by %s.",
			         r->is_fe ? "frontend" : "proxy", r->px, r->name, r->what);
			errors++;
		}
	return errors;
}

void cache_cfg_free_all(void)
{
	while (caches) {
		struct cache_def *d = caches;

		caches = d->next;
		free(d->name);
		free(d);
	}
	while (refs) {
		struct cache_ref *r = refs;

		refs = r->next;
		free(r->px);
		free(r->name);
		free(r->what);
		free(r);
	}
	cache_cur = NULL;
	noticed = 0;
}
