/* unique_id.c: per-request identifiers (unique_id.h). The settings of a
 * frontend live in px->unique_id (struct uid_cfg); the identifier of the
 * current request in its transaction (txn->uid, HAProxy's 128-byte limit),
 * cleared when a new transaction starts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/unique_id.h"
#include "engine/cfg.h"
#include "engine/http.h"
#include "engine/logfmt.h"
#include "engine/proxy.h"
#include "engine/sample.h"
#include "engine/stream.h"
#include "engine/thread.h"

struct uid_cfg {
	char *fmt_text;             /* as written, for proxies inheriting it */
	struct logfmt *fmt;
	char *hdr;                  /* NULL: not sent */
};

static struct uid_cfg *uid_get_cfg(struct proxy *px)
{
	if (!px->unique_id)
		px->unique_id = calloc(1, sizeof(struct uid_cfg));
	return px->unique_id;
}

int unique_id_cfg(struct cfg_ctx *c, char **args, int nargs)
{
	struct uid_cfg *u;
	char err[256];

	if (nargs < 2)
		return cfg_set_err(c, "%s expects an argument.", args[0]);
	if (nargs > 2)
		return cfg_set_err(c, "%s expects only one argument, don't forget to escape spaces!", args[0]);
	if (!(u = uid_get_cfg(c->px)))
		return cfg_set_err(c, "out of memory.");
	if (!strcmp(args[0], "unique-id-header")) {
		free(u->hdr);
		if (!(u->hdr = strdup(args[1])))
			return cfg_set_err(c, "out of memory.");
		return 0;
	}
	struct logfmt *f = NULL;
	if (*args[1] && !(f = logfmt_compile(args[1], c->px, err, sizeof(err))))
		return cfg_set_err(c, "failed to parse unique-id-format : %s", err);
	logfmt_free(u->fmt);
	free(u->fmt_text);
	u->fmt = f;
	if (!(u->fmt_text = strdup(args[1])))
		return cfg_set_err(c, "out of memory.");
	return 0;
}

int unique_id_inherit(struct proxy *px, const struct proxy *def, char *err, size_t errlen)
{
	const struct uid_cfg *d = def->unique_id;
	struct uid_cfg *u;

	if (!d)
		return 0;
	if (!(u = uid_get_cfg(px)) || (d->hdr && !(u->hdr = strdup(d->hdr))) ||
	    (d->fmt_text && !(u->fmt_text = strdup(d->fmt_text)))) {
		snprintf(err, errlen, "out of memory.");
		return -1;
	}
	if (d->fmt_text && *d->fmt_text && !(u->fmt = logfmt_compile(d->fmt_text, px, err, errlen)))
		return -1;
	return 0;
}

void unique_id_free(struct proxy *px)
{
	struct uid_cfg *u = px->unique_id;

	if (!u)
		return;
	logfmt_free(u->fmt);
	free(u->fmt_text);
	free(u->hdr);
	free(u);
	px->unique_id = NULL;
}

const char *unique_id_get(struct stream *s, size_t *len)
{
	const struct uid_cfg *u = s->fe ? s->fe->unique_id : NULL;
	struct http_txn *txn = s->http;

	if (!u || !u->fmt || !txn)
		return NULL;
	if (!txn->uid_len) {
		size_t n = logfmt_render(u->fmt, s, s->thr->now_us, txn->uid, sizeof(txn->uid));

		txn->uid_len = (uint8_t)(n ? n : 1);   /* an empty one is built once too */
		if (!n)
			txn->uid[0] = 0;
	}
	*len = txn->uid[0] ? txn->uid_len : 0;
	return txn->uid;
}

void unique_id_req(struct stream *s)
{
	const struct uid_cfg *u = s->fe->unique_id;
	struct http_txn *txn = s->http;
	const char *id;
	size_t len;

	if (!(id = unique_id_get(s, &len)) || !u->hdr)
		return;
	http_hdr_add(&txn->req, u->hdr, strlen(u->hdr), id, len);
}

/* unique-id: the request's identifier (not found without a format). */
static int f_unique_id(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const char *id;
	size_t len;

	(void)args;
	if (!ctx->strm || !(id = unique_id_get(ctx->strm, &len)))
		return 0;
	smp_set_const_str(smp, id, len);
	return 1;
}

const struct sample_fetch smp_fetch_uid_table[] = {
	{ "unique-id", f_unique_id, ARG0, 0, SMP_T_STR, SMP_USE_L7, NULL },
	{ NULL, NULL, 0, 0, 0, 0, NULL }
};
