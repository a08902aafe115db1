/* stick_persist.c: persistence with stick tables — "stick on", "stick
 * match", "stick store-request", "stick store-response". A match rule
 * looks its key up and sends the request to the server recorded there
 * (server_id) when it can take traffic; a store rule records the server
 * the request went to. The tables used store server_id and server_key. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "engine/acl.h"
#include "engine/log.h"
#include "engine/stick.h"
#include "engine/stream.h"

#define SR_MATCH     0x1
#define SR_STORE_REQ 0x2
#define SR_STORE_RES 0x4

struct stick_rule {
	struct stick_rule *next;
	unsigned flags;             /* SR_* */
	struct sample_expr *expr;
	struct acl_cond *cond;      /* NULL: always */
	char *table_name;           /* NULL: the backend's own table */
	struct stktable *t;         /* resolved by stick_persist_resolve() */
	const char *file; int line;
};

static void rule_free(struct stick_rule *r)
{
	sample_expr_free(r->expr);
	acl_cond_free(r->cond);
	free(r->table_name);
	free(r);
}

void stick_proxy_free(struct proxy *px)
{
	struct stick_rule *r, *n;

	for (r = px->stick_rules; r; r = n) {
		n = r->next;
		rule_free(r);
	}
	px->stick_rules = NULL;
	stick_table_free(px->stktable);
	px->stktable = NULL;
}

int stick_cfg_stick(struct cfg_ctx *c, char **args, int nargs)
{
	struct proxy *px = c->px;
	const char *kind = nargs > 1 ? args[1] : "";
	struct stick_rule *r, **pp;
	char err[512];
	int i = 2;

	if (!px || (px->cap & PX_CAP_DEF))
		return cfg_set_err(c, "'stick' not allowed in 'defaults' section.");
	if (!(px->cap & PX_CAP_BE)) {
		cfg_warning(c, "'stick' ignored because %s '%s' has no backend capability.",
		            "frontend", px->name);
		return 0;
	}
	if (!(r = calloc(1, sizeof(*r))))
		return cfg_set_err(c, "out of memory.");
	r->file = c->file;
	r->line = c->line;
	if (!strcmp(kind, "on"))
		r->flags = SR_MATCH | SR_STORE_REQ;
	else if (!strcmp(kind, "match"))
		r->flags = SR_MATCH;
	else if (!strcmp(kind, "store-request"))
		r->flags = SR_STORE_REQ;
	else if (!strcmp(kind, "store-response"))
		r->flags = SR_STORE_RES;
	else {
		cfg_set_err(c, "'stick' expects 'on', 'match', 'store-request' or 'store-response'.");
		goto fail;
	}
	if (i >= nargs || !*args[i]) {
		cfg_set_err(c, "'stick %s' expects a pattern.", kind);
		goto fail;
	}
	sample_parse_where(c->file, c->line, "stick");
	if (!(r->expr = sample_expr_parse_words(args, nargs, &i, px, err, sizeof(err)))) {
		cfg_set_err(c, "'stick %s': %s.", kind, err);
		goto fail;
	}
	if (i + 1 < nargs && !strcmp(args[i], "table")) {
		if (!(r->table_name = strdup(args[i + 1]))) {
			cfg_set_err(c, "out of memory.");
			goto fail;
		}
		i += 2;
	}
	if (i < nargs && *args[i]) {
		if (strcmp(args[i], "if") && strcmp(args[i], "unless")) {
			cfg_set_err(c, "'stick %s': unknown argument '%s'.", kind, args[i]);
			goto fail;
		}
		if (!(r->cond = acl_cond_parse(c, args + i, nargs - i))) {
			char msg[CFG_ERR_SIZE];
			snprintf(msg, sizeof(msg), "error detected while parsing sticking condition : %.900s", c->err);
			snprintf(c->err, sizeof(c->err), "%s", msg);
			goto fail;
		}
	}
	for (pp = &px->stick_rules; *pp; pp = &(*pp)->next)
		;
	*pp = r;
	return 0;
fail:
	rule_free(r);
	return -1;
}

int stick_persist_resolve(struct config *cfg)
{
	int errors = 0;

	for (struct proxy *px = cfg->proxies; px; px = px->next) {
		for (struct stick_rule *r = px->stick_rules; r; r = r->next) {
			struct proxy *tp = r->table_name ? proxy_find(cfg, r->table_name, 0) : px;

			r->t = stick_table_of(tp);
			if (!r->t) {
				rp_alert("config : Proxy '%s': unable to find stick-table '%s'.", px->name,
				         r->table_name ? r->table_name : px->name);
				errors++;
				continue;
			}
			stick_table_store_server(r->t);
		}
	}
	return errors;
}

/* Evaluates <r>'s condition and key for <s>. Returns 1 with <key> set. */
static int rule_key(const struct stick_rule *r, struct stream *s, int dir, struct sample *key)
{
	struct smp_ctx ctx = { .strm = s, .px = s->be, .dir = dir ? SMP_DIR_RES : SMP_DIR_REQ, .final = 1 };

	if (!r->t)
		return 0;
	if (r->cond && acl_cond_exec(r->cond, &ctx) != ACL_TRUE)
		return 0;
	memset(key, 0, sizeof(*key));
	return sample_expr_eval(r->expr, &ctx, key);
}

struct server *stick_persist_pick(struct stream *s)
{
	if (!s->be || !s->be->stick_rules || (s->flags & STRM_F_REDISPATCH))
		return NULL;
	for (const struct stick_rule *r = s->be->stick_rules; r; r = r->next) {
		struct sample key;
		struct stksess *ts;
		int64_t id;

		if (!(r->flags & SR_MATCH) || !rule_key(r, s, 0, &key))
			continue;
		if (!(ts = stick_lookup(r->t, &key)))
			continue;
		id = stick_read(ts, STK_DT_SERVER_ID);
		for (struct server *srv = s->be->srv; srv; srv = srv->next)
			if (srv->id == id && (srv->state == SRV_UP || srv->state == SRV_DRAIN))
				return srv;
		/* the first rule that finds an entry decides */
		return NULL;
	}
	return NULL;
}

void stick_persist_store(struct stream *s, int res)
{
	unsigned want = res ? SR_STORE_RES : SR_STORE_REQ;

	if (!s->be || !s->be->stick_rules || !s->srv)
		return;
	for (const struct stick_rule *r = s->be->stick_rules; r; r = r->next) {
		struct sample key;
		struct stksess *ts;

		if (!(r->flags & want) || !rule_key(r, s, res, &key))
			continue;
		if (!(ts = stick_get(r->t, &key)))
			continue;
		stick_set_server(ts, s->srv->id, stick_table_srvkey_addr(r->t) && s->srv->addr_text ?
		                 s->srv->addr_text : s->srv->name);
		stick_touch(ts);
	}
}
