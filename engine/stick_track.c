/* stick_track.c: the trackers of a stream ("track-sc0/1/2") and the actions
 * on them ("sc-inc-gpc0/1", "sc-inc-gpc", "sc-set-gpt0", "sc-set-gpt"):
 * their parsing, the table references resolved after parsing, and the stream hooks that
 * count connections, sessions, requests, statuses and bytes in the tracked
 * entries, as HAProxy 2.6 does. The tables themselves are stick.c's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "engine/log.h"
#include "engine/logfmt.h"
#include "engine/proxy.h"
#include "engine/stick.h"
#include "engine/stream.h"

enum stick_act_kind { SA_TRACK = 0, SA_INC_GPC0, SA_INC_GPC1, SA_INC_GPC, SA_SET_GPT0, SA_SET_GPT };

struct stick_act {
	enum stick_act_kind kind;
	int sc;                     /* 0..2 */
	int idx;                    /* sc-inc-gpc(<idx>,<sc>), sc-set-gpt(<idx>,<sc>) */
	int content;                /* tracked by a content-level rule: released at the txn end */
	int sess;                   /* a "tcp-request session" rule: the session exists already */
	int tcp_content;            /* a "tcp-request content" rule (for a warning) */
	int http;                   /* an http-request/response rule (its messages are framed by rules.c) */
	struct sample_expr *expr;   /* track-sc key, sc-set-gpt0/sc-set-gpt value (NULL: <value>) */
	int64_t value;
	char *table_name;           /* "table <t>", NULL: the rule's proxy */
	struct proxy *px;           /* the rule's proxy */
	struct stktable *t;         /* resolved by stick_cfg_resolve() */
	struct stick_act *next_pending;
	const char *file; int line;
};

/* Actions whose table is not resolved yet (configuration time only). */
static struct stick_act *pending_acts;

void stick_act_free(struct stick_act *a)
{
	struct stick_act **pp;

	if (!a)
		return;
	for (pp = &pending_acts; *pp; pp = &(*pp)->next_pending)
		if (*pp == a) {
			*pp = a->next_pending;
			break;
		}
	sample_expr_free(a->expr);
	free(a->table_name);
	free(a);
}

/* Parses "(<sc>)" after an sc-* action name at <p> (nothing: counter 0),
 * or "(<idx>,<sc>)" when <arr> names the array ("gpc", "gpt"). <word> is
 * the whole action for messages. Returns 0 or -1 with c->err. */
static int parse_sc_args(struct cfg_ctx *c, struct stick_act *a, const char *word, const char *p,
                         const char *arr)
{
	char *end = NULL;
	long v1 = 0, v2 = -1;
	int two = arr != NULL;
	char up[4] = "";

	if (two) {
		for (int k = 0; k < 3 && arr[k]; k++)
			up[k] = (char)(arr[k] - 'a' + 'A');
	}

	if (!*p && !two) {
		a->sc = 0;      /* "sc-inc-gpc0" alone: counter 0, as HAProxy */
		return 0;
	}
	if (two) {
		const char *act = !strcmp(arr, "gpt") ? "sc-set-gpt" : "sc-inc-gpc";

		if (*p != '(' || !strchr(p, ','))
			return cfg_set_err(c, "Missing %s ID '%s'. Expects %s(<%s ID>,<Track ID>)", arr, word, act, up);
		v1 = strtol(p + 1, &end, 10);
		if (end == p + 1 || *end != ',')
			return cfg_set_err(c, "Missing %s ID '%s'. Expects %s(<%s ID>,<Track ID>)", arr, word, act, up);
		p = end + 1;
		v2 = strtol(p, &end, 10);
		if (end == p || *end != ')' || end[1])
			return cfg_set_err(c, "invalid stick table track ID '%s'. Expects %s(<%s ID>,<Track ID>)", word, act, up);
		if (v1 < 0 || v1 > 99)
			return cfg_set_err(c, "invalid %s ID '%ld'. The max allowed ID is 99", arr, v1);
		a->idx = (int)v1;
		v1 = v2;
	} else {
		if (*p == '(')
			v1 = strtol(p + 1, &end, 10);
		if (*p != '(' || end == p + 1 || *end != ')' || end[1])
			return cfg_set_err(c, "invalid stick table track ID. Expects %s(<Track ID>)", word);
	}
	if (v1 < 0 || v1 >= STK_NB_SC) {
		if (two)
			return cfg_set_err(c, "invalid stick table track ID '%s'. The max allowed ID is %d", word, STK_NB_SC - 1);
		return cfg_set_err(c, "invalid stick table track ID. The max allowed ID is %d", STK_NB_SC - 1);
	}
	a->sc = (int)v1;
	return 0;
}

int stick_act_parse(struct cfg_ctx *c, const char *kind, char **args, int nargs, int i,
                    struct stick_act **out)
{
	const char *w = args[i];
	struct stick_act *a;

	*out = NULL;
	if (strncmp(w, "track-sc", 8) && strncmp(w, "sc-inc-gpc", 10) && strncmp(w, "sc-set-gpt", 10))
		return 0;
	if (!strncmp(kind, "tcp-response", 12) && !strncmp(w, "track-sc", 8))
		return 0;       /* tcp-response content has the sc-* actions only */
	if (!(a = calloc(1, sizeof(*a))))
		return cfg_set_err(c, "out of memory.");
	a->px = c->px;
	a->file = c->file;
	a->line = c->line;
	a->content = strcmp(kind, "tcp-request connection") && strcmp(kind, "tcp-request session");
	a->http = !strncmp(kind, "http-", 5);
	a->sess = !strcmp(kind, "tcp-request session");
	a->tcp_content = !strcmp(kind, "tcp-request content");
	if (!strncmp(w, "track-sc", 8)) {
		char *end;
		long sc = strtol(w + 8, &end, 10);
		char err[512];
		int j = i + 1;

		a->kind = SA_TRACK;
		if (end == w + 8 || *end) {
			free(a);
			return 0;
		}
		if (sc < 0 || sc >= STK_NB_SC) {
			cfg_set_err(c, "%ld track-sc number exceeding %d (MAX_SESS_STKCTR-1) value", sc, STK_NB_SC - 1);
			goto fail;
		}
		a->sc = (int)sc;
		if (j >= nargs || !strcmp(args[j], "if") || !strcmp(args[j], "unless")) {
			cfg_set_err(c, "missing fetch method");
			goto fail;
		}
		sample_parse_where(c->file, c->line, kind);
		if (!(a->expr = sample_expr_parse_words(args, nargs, &j, c->px, err, sizeof(err)))) {
			cfg_set_err(c, "%s", err);
			goto fail;
		}
		if (!strcmp(kind, "tcp-request connection") && a->expr->fetch &&
		    (a->expr->fetch->use & (SMP_USE_L6 | SMP_USE_L7))) {
			cfg_set_err(c, "fetch method '%s' extracts information from '%s', none of which is available here",
			            a->expr->fetch->name,
			            (a->expr->fetch->use & SMP_USE_L7) ? "HTTP request headers" : "request buffer contents");
			c->err_tight = 0;
			goto fail;
		}
		if (j < nargs && !strcmp(args[j], "table") && (j + 1 >= nargs || !*args[j + 1])) {
			if (a->http) {
				cfg_set_err(c, "missing table name");
				goto fail;
			}
			/* tcp rules: HAProxy looks the empty name up, and fails then */
			if (!(a->table_name = strdup(""))) {
				cfg_set_err(c, "out of memory.");
				goto fail;
			}
			j += 1;
		}
		if (j + 1 < nargs && !strcmp(args[j], "table")) {
			if (!(a->table_name = strdup(args[j + 1]))) {
				cfg_set_err(c, "out of memory.");
				goto fail;
			}
			j += 2;
		}
		i = j;
	} else if (!strncmp(w, "sc-inc-gpc0", 11) || !strncmp(w, "sc-inc-gpc1", 11)) {
		a->kind = w[10] == '0' ? SA_INC_GPC0 : SA_INC_GPC1;
		if (parse_sc_args(c, a, w, w + 11, NULL) < 0)
			goto fail;
		i++;
	} else if (!strncmp(w, "sc-inc-gpc(", 11)) {
		a->kind = SA_INC_GPC;
		if (parse_sc_args(c, a, w, w + 10, "gpc") < 0)
			goto fail;
		i++;
	} else if (!strncmp(w, "sc-set-gpt0", 11) || !strncmp(w, "sc-set-gpt(", 11)) {
		char err[512];
		int j = i + 1;
		const char *v = j < nargs ? args[j] : "";
		char *end;

		a->kind = w[10] == '0' ? SA_SET_GPT0 : SA_SET_GPT;
		if (parse_sc_args(c, a, w, w + (a->kind == SA_SET_GPT0 ? 11 : 10),
		                  a->kind == SA_SET_GPT0 ? NULL : "gpt") < 0)
			goto fail;
		if (!*v || !strcmp(v, "if") || !strcmp(v, "unless")) {
			/* HAProxy 2.6 takes a missing value as 0 */
			a->value = 0;
			*out = a;
			return j;
		}
		a->value = strtoll(v, &end, 10);
		if (*end) {
			sample_parse_where(c->file, c->line, kind);
			if (!(a->expr = sample_expr_parse_words(args, nargs, &j, c->px, err, sizeof(err)))) {
				cfg_set_err(c, "%s", err);
				goto fail;
			}
			i = j;
		} else {
			i = j + 1;
		}
	} else {
		free(a);
		return 0;
	}
	if (a->kind == SA_TRACK) {
		a->next_pending = pending_acts;
		pending_acts = a;
	}
	*out = a;
	return i;
fail:
	if (!a->http && a->kind == SA_TRACK) {
		/* tcp rules name the action before the reason, as HAProxy */
		char msg[CFG_ERR_SIZE];
		snprintf(msg, sizeof(msg), "'%s %s' : %.900s", kind, w, c->err);
		snprintf(c->err, sizeof(c->err), "%s", msg);
	}
	stick_act_free(a);
	return -1;
}

int stick_cfg_resolve(struct config *cfg)
{
	int errors = stick_persist_resolve(cfg);
	const struct proxy *warned = NULL;

	while (pending_acts) {
		struct stick_act *a = pending_acts;
		struct proxy *p = a->table_name ? proxy_find(cfg, a->table_name, 0) : a->px;

		pending_acts = a->next_pending;
		a->next_pending = NULL;
		a->t = p ? p->stktable : NULL;
		if (a->tcp_content && a->px && a->px->mode == PX_MODE_HTTP && (a->px->cap & PX_CAP_FE) &&
		    a->expr && a->expr->fetch && !(a->expr->fetch->use & (SMP_USE_L6 | SMP_USE_L7)) &&
		    !(warned && warned == a->px)) {
			/* HAProxy 2.6's advice, once per proxy */
			warned = a->px;
			rp_warning("config : %s '%s' : a 'tcp-request content track-sc*' rule not depending on request contents for an HTTP frontend should be executed at the session level, using a 'tcp-request session' rule (mandatory to track invalid HTTP requests).",
			           (a->px->cap & PX_CAP_BE) ? "proxy" : "frontend", a->px->name);
		}
		if (!a->t) {
			rp_alert("config : Proxy '%s': unable to find table '%s' referenced by track-sc%d.",
			        a->px && a->px->name ? a->px->name : "",
			        a->table_name ? a->table_name : a->px && a->px->name ? a->px->name : "", a->sc);
			errors++;
		}
	}
	return errors;
}

/* Flags in s->stkctr_flags: bit <sc> = tracked by a content-level rule. */
#define SCF_CONTENT(sc) (1u << (sc))
#define SCF_STATUS      0x80    /* the status of this transaction was counted */

static void track_start(struct stksess *ts, int sess)
{
	stick_add(ts, STK_DT_CONN_CUR, 1);
	stick_add(ts, STK_DT_CONN_CNT, 1);
	stick_add(ts, STK_DT_CONN_RATE, 1);
	if (sess) {
		stick_add(ts, STK_DT_SESS_CNT, 1);
		stick_add(ts, STK_DT_SESS_RATE, 1);
	}
	stick_touch(ts);
}

/* Returns the entry of counter <sc> for an sc-* action: the tracked one. */
static struct stksess *sc_entry(struct stream *s, int sc)
{
	return s ? s->stkctr[sc] : NULL;
}

/* sc-inc-gpc0/1: the legacy counter (or the array element replacing it)
 * and its rate; sc-inc-gpc(<idx>): element <idx> of the gpc/gpc_rate arrays. */
static void inc_gpc(struct stksess *ts, enum stick_act_kind kind, int idx)
{
	if (kind == SA_INC_GPC) {
		stick_add_at(ts, STK_DT_GPC, (unsigned)idx, 1);
		stick_add_at(ts, STK_DT_GPC_RATE, (unsigned)idx, 1);
	} else {
		stick_add(ts, kind == SA_INC_GPC1 ? STK_DT_GPC1 : STK_DT_GPC0, 1);
		stick_add(ts, kind == SA_INC_GPC1 ? STK_DT_GPC1_RATE : STK_DT_GPC0_RATE, 1);
	}
	stick_touch(ts);
}

void stick_act_exec(const struct stick_act *a, struct stream *s, struct smp_ctx *ctx)
{
	struct stksess *ts;
	struct sample smp;

	if (!s)
		return;
	switch (a->kind) {
	case SA_TRACK:
		if (s->stkctr[a->sc] || !a->t)
			return;     /* already tracked: the first rule wins, as HAProxy */
		memset(&smp, 0, sizeof(smp));
		if (!sample_expr_eval(a->expr, ctx, &smp))
			return;
		if (!(ts = stick_get(a->t, &smp)))
			return;
		stick_ref(ts);
		s->stkctr[a->sc] = ts;
		if (a->content)
			s->stkctr_flags |= SCF_CONTENT(a->sc);
		/* connection-level trackers count the session once it is
		 * established (stick_stream_session()) */
		track_start(ts, a->sess);
		if (a->content && s->http && ctx->dir == SMP_DIR_REQ) {
			/* the request being processed counts for the new tracker:
			 * HAProxy counts it when its headers arrive, which happens
			 * before content rules run here */
			stick_add(ts, STK_DT_HTTP_REQ_CNT, 1);
			stick_add(ts, STK_DT_HTTP_REQ_RATE, 1);
		}
		break;
	case SA_INC_GPC0:
	case SA_INC_GPC1:
	case SA_INC_GPC:
		if ((ts = sc_entry(s, a->sc)))
			inc_gpc(ts, a->kind, a->idx);
		break;
	case SA_SET_GPT0:
	case SA_SET_GPT: {
		int64_t v = a->value;
		if (!(ts = sc_entry(s, a->sc)))
			return;
		if (a->expr) {
			memset(&smp, 0, sizeof(smp));
			if (!sample_expr_eval(a->expr, ctx, &smp) || !sample_cast(&smp, SMP_T_SINT))
				return;
			v = smp.u.sint;
		}
		if (a->kind == SA_SET_GPT)
			stick_set_at(ts, STK_DT_GPT, (unsigned)a->idx, v);
		else
			stick_set(ts, STK_DT_GPT0, v);
		stick_touch(ts);
		break;
	}
	}
}

void stick_stream_init(struct stream *s)
{
	for (int i = 0; i < STK_NB_SC; i++)
		s->stkctr[i] = NULL;
	s->stkctr_flags = 0;
}

void stick_stream_session(struct stream *s)
{
	for (int i = 0; i < STK_NB_SC; i++) {
		struct stksess *ts = s->stkctr[i];
		if (!ts || (s->stkctr_flags & SCF_CONTENT(i)))
			continue;
		stick_add(ts, STK_DT_SESS_CNT, 1);
		stick_add(ts, STK_DT_SESS_RATE, 1);
	}
}

struct stksess *stick_stream_tracked(const struct stream *s, int sc)
{
	return s && sc >= 0 && sc < STK_NB_SC ? s->stkctr[sc] : NULL;
}

void stick_stream_http_req(struct stream *s)
{
	for (int i = 0; i < STK_NB_SC; i++) {
		struct stksess *ts = s->stkctr[i];
		if (!ts)
			continue;
		stick_add(ts, STK_DT_HTTP_REQ_CNT, 1);
		stick_add(ts, STK_DT_HTTP_REQ_RATE, 1);
		stick_touch(ts);
	}
}

void stick_stream_http_status(struct stream *s, int status)
{
	int err = status >= 400 && status < 500;
	/* HAProxy counts failures of the server (a 5xx it sent, or a 502/504
	 * once connected), not a 503 for want of a server */
	int fail = status >= 500 && status != 501 && status != 505 && status < 600 && s->t_connect;

	if (s->stkctr_flags & SCF_STATUS)
		return;
	s->stkctr_flags |= SCF_STATUS;
	if (!err && !fail)
		return;
	for (int i = 0; i < STK_NB_SC; i++) {
		struct stksess *ts = s->stkctr[i];
		if (!ts)
			continue;
		stick_add(ts, err ? STK_DT_HTTP_ERR_CNT : STK_DT_HTTP_FAIL_CNT, 1);
		stick_add(ts, err ? STK_DT_HTTP_ERR_RATE : STK_DT_HTTP_FAIL_RATE, 1);
		stick_touch(ts);
	}
}

/* Adds the bytes of the transaction to every tracker. */
static void count_bytes(struct stream *s)
{
	uint64_t in = s->req.total_in, out = s->res.total_in;

	for (int i = 0; i < STK_NB_SC; i++) {
		struct stksess *ts = s->stkctr[i];
		if (!ts || (!in && !out))
			continue;
		stick_add(ts, STK_DT_BYTES_IN_CNT, (uint32_t)in);
		stick_add(ts, STK_DT_BYTES_IN_RATE, (uint32_t)in);
		stick_add(ts, STK_DT_BYTES_OUT_CNT, (uint32_t)out);
		stick_add(ts, STK_DT_BYTES_OUT_RATE, (uint32_t)out);
	}
}

static void release(struct stream *s, int i)
{
	struct stksess *ts = s->stkctr[i];
	int64_t cur = stick_read(ts, STK_DT_CONN_CUR);

	if (cur > 0)
		stick_set(ts, STK_DT_CONN_CUR, cur - 1);
	stick_touch(ts);
	stick_unref(ts);
	s->stkctr[i] = NULL;
	s->stkctr_flags &= (uint8_t)~SCF_CONTENT(i);
}

/* Counts the status of the transaction that ends (as its log line has it). */
static void count_status(struct stream *s)
{
	struct logfmt_http h;

	if (!s->http || !logfmt_http_get || (s->stkctr_flags & SCF_STATUS) ||
	    (!s->stkctr[0] && !s->stkctr[1] && !s->stkctr[2]))
		return;
	memset(&h, 0, sizeof(h));
	if (logfmt_http_get(s, &h) == 0 && h.status)
		stick_stream_http_status(s, h.status);
}

void stick_stream_txn_end(struct stream *s)
{
	count_status(s);
	s->stkctr_flags &= (uint8_t)~SCF_STATUS;
	count_bytes(s);
	for (int i = 0; i < STK_NB_SC; i++)
		if (s->stkctr[i] && (s->stkctr_flags & SCF_CONTENT(i)))
			release(s, i);
}

void stick_stream_end(struct stream *s)
{
	if (!s->http)
		stick_persist_store(s, 1);      /* TCP: the response is complete */
	count_status(s);
	count_bytes(s);
	for (int i = 0; i < STK_NB_SC; i++)
		if (s->stkctr[i])
			release(s, i);
}
