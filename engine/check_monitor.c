/* check_monitor.c: "monitor-uri <uri>" and "monitor fail if|unless <cond>":
 * a frontend answers a request for that URI itself, 200 (503 when a
 * "monitor fail" condition holds), never forwards nor logs it, as HAProxy
 * 2.6 does for load balancers probing it. The settings live in
 * px->monitor (struct mon), built at configuration time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/rules.h"
#include "engine/acl.h"
#include "engine/cfg.h"
#include "engine/check.h"
#include "engine/http.h"
#include "engine/proxy.h"
#include "engine/sample.h"
#include "engine/stream.h"
#include "engine/stream_http.h"

struct mon {
	char *uri;                  /* NULL: no monitor-uri (only "monitor fail" lines) */
	size_t len;
	int nb_fail;
	struct acl_cond **fail;     /* "monitor fail" conditions, any true one fails */
};

/* Returns <px>'s monitor settings, created if needed, or NULL. */
static struct mon *mon_get(struct proxy *px)
{
	if (!px->monitor)
		px->monitor = calloc(1, sizeof(struct mon));
	return px->monitor;
}

int check_cfg_monitor_uri(struct cfg_ctx *c, char **args, int nargs)
{
	struct mon *m;
	char *u;

	if (nargs < 2 || !*args[1])
		return cfg_set_err(c, "'%s' expects an URI.", args[0]);
	if (!(m = mon_get(c->px)) || !(u = strdup(args[1])))
		return cfg_set_err(c, "out of memory.");
	free(m->uri);
	m->uri = u;
	m->len = strlen(u);
	return 0;
}

int check_cfg_monitor(struct cfg_ctx *c, char **args, int nargs)
{
	struct acl_cond *cond, **n;
	struct mon *m;

	if (nargs < 2 || strcmp(args[1], "fail"))
		return cfg_set_err(c, "'monitor' expects 'fail'.");
	if (nargs < 3 || (strcmp(args[2], "if") && strcmp(args[2], "unless")))
		return cfg_set_err(c, "'monitor fail' requires either 'if' or 'unless' followed by a condition.");
	rules_cfg_order(c, RO_MONITOR);
	if (!(cond = acl_cond_parse(c, args + 2, nargs - 2))) {
		char why[CFG_ERR_SIZE];

		snprintf(why, sizeof(why), "%s", c->err);
		return cfg_set_err(c, "error detected while parsing a 'monitor fail' condition : %s.", why);
	}
	if (!(m = mon_get(c->px)) ||
	    !(n = realloc(m->fail, (size_t)(m->nb_fail + 1) * sizeof(*n)))) {
		acl_cond_free(cond);
		return cfg_set_err(c, "out of memory.");
	}
	m->fail = n;
	m->fail[m->nb_fail++] = cond;
	return 0;
}

int check_monitor_inherit(struct proxy *px, const struct proxy *def)
{
	const struct mon *d = def->monitor;
	struct mon *m;

	if (!d || !d->uri)
		return 0;
	if (!(m = mon_get(px)) || !(m->uri = strdup(d->uri)))
		return -1;
	m->len = d->len;
	return 0;
}

void check_monitor_free(struct proxy *px)
{
	struct mon *m = px->monitor;

	if (!m)
		return;
	for (int i = 0; i < m->nb_fail; i++)
		acl_cond_free(m->fail[i]);
	free(m->fail);
	free(m->uri);
	free(m);
	px->monitor = NULL;
}

/* Returns 1 if the request's URI is the monitor URI: when the monitor URI
 * starts with '/', the request's path with its query (an absolute-form
 * URI's part after the authority) may match it too, as HAProxy compares
 * it; case matters. */
static int mon_match(const struct mon *m, const struct http_msg *req)
{
	char buf[1024];
	const char *p, *e;
	size_t len;

	if (!(p = http_get_uri(req, buf, sizeof(buf), &len)))
		return 0;
	if (len == m->len && !memcmp(p, m->uri, len))
		return 1;
	if (m->uri[0] != '/' || !len || p[0] == '/' || !(e = memmem(p, len, "://", 3)))
		return 0;
	e += 3;
	e = memchr(e, '/', len - (size_t)(e - p));
	return e && len - (size_t)(e - p) == m->len && !memcmp(e, m->uri, m->len);
}

int check_monitor_req(struct stream *s)
{
	const struct mon *m = s->fe->monitor;
	const struct http_txn *txn = s->http;
	struct smp_ctx ctx;
	int status = 200;

	if (!m || !m->uri || !txn || !mon_match(m, &txn->req))
		return 0;
	memset(&ctx, 0, sizeof(ctx));
	ctx.strm = s;
	ctx.px = s->fe;
	ctx.dir = SMP_DIR_REQ;
	ctx.final = 1;
	for (int i = 0; i < m->nb_fail; i++)
		if (acl_cond_exec(m->fail[i], &ctx) == ACL_TRUE) {
			status = 503;
			break;
		}
	s->flags |= STRM_F_NOLOG;       /* a monitor request is never logged */
	stream_http_error(s, status, STRM_ERR_PRXCOND, STRM_FIN_R);
	return 1;
}
