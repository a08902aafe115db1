/* rules.c: "tcp-request connection|session|content", "tcp-response content", their
 * inspect-delays, and "use_backend": parsing into per-proxy rule lists and
 * running them for a stream. Rules of a named defaults section run before
 * the proxy's own (HAProxy 2.6). A list suspended by a Lua yield resumes at
 * the yielding rule (s->req_rule_pos / res_rule_pos); a list that waits for
 * data starts over. */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "engine/rules.h"
#include "engine/acl.h"
#include "engine/conn.h"
#include "engine/hooks.h"
#include "engine/http_rules.h"
#include "engine/logfmt.h"
#include "engine/sample.h"
#include "engine/stick.h"
#include "engine/stream.h"
#include "engine/thread.h"
#include "engine/vars.h"

enum rule_act {
	RA_ACCEPT = 0,
	RA_REJECT,
	RA_CLOSE,           /* tcp-response content close */
	RA_SET_VAR,
	RA_SET_VAR_FMT,     /* set-var-fmt(<var>) "<log-format>" */
	RA_UNSET_VAR,
	RA_LUA,
	RA_USE_BACKEND,
	RA_SET_LOG_LEVEL,   /* set-log-level <level> */
	RA_HTTP,            /* an http-request/http-response action of http_rules.c */
	RA_SERVICE,         /* tcp-request content use-service lua.<name> */
	RA_STICK,           /* track-sc*, sc-inc-gpc*, sc-set-gpt0 (stick.c) */
	RA_SET_ADDR,        /* set-src, set-dst, set-src-port, set-dst-port <expr> */
	RA_SILENT_DROP,     /* close with nothing sent to the client */
	RA_SET_TOS,         /* set-tos <value>: IP TOS / traffic class towards the client */
	RA_SET_MARK,        /* set-mark <value>: netfilter mark of the packets to the client */
	RA_NOOP,            /* set-nice, set-priority-class/offset, wait-for-handshake,
	                     * disable-l7-retry: accepted, nothing to do here */
};

struct rule {
	struct rule *next;
	enum rule_act act;
	struct acl_cond *cond;      /* NULL: always */
	union {
		struct {
			struct var_ref ref;
			struct sample_expr *expr;   /* set-var */
			struct logfmt *fmt;         /* set-var-fmt */
			unsigned conds;             /* VARS_IF* (vars.h) */
		} var;
		struct lua_action *lua;
		struct http_act *http;      /* owned */
		struct {
			void *def;              /* from lua_hooks.service_resolve (owned by lua/) */
			char *log_name;         /* "<lua.name>", the server the log shows, owned */
		} svc;
		struct stick_act *stick;    /* owned */
		int log_level;              /* syslog level 0..7 */
		struct {
			enum rules_addr which;      /* set-src... */
			struct sample_expr *expr;   /* set-src..., set-priority-* (checked only) */
			unsigned value;             /* set-tos, set-mark */
		} conn;
		struct {
			struct proxy *be;       /* static name, resolved by rules_cfg_resolve() */
			char *name;             /* as written */
			struct logfmt *fmt;     /* dynamic name "%[...]", compiled at resolve time */
			int dynamic;
			const struct config *cfg;
		} be;
	} u;
	const char *file;
	int line;
};

struct rule_list {
	struct rule *first, **tail;
	int nb;
};

/* Longest string set-var-fmt stores (bytes, NUL included). */
#define RULES_FMT_MAX 16384


/* ---- lists ---- */

static struct rule_list *list_get(struct rule_list **lp)
{
	if (!*lp && (*lp = calloc(1, sizeof(**lp))))
		(*lp)->tail = &(*lp)->first;
	return *lp;
}

static void rule_free(struct rule *r)
{
	acl_cond_free(r->cond);
	switch (r->act) {
	case RA_SET_VAR:
	case RA_SET_VAR_FMT:
		sample_expr_free(r->u.var.expr);
		logfmt_free(r->u.var.fmt);
		/* fall through */
	case RA_UNSET_VAR:
		vars_ref_free(&r->u.var.ref);
		break;
	case RA_USE_BACKEND:
		free(r->u.be.name);
		logfmt_free(r->u.be.fmt);
		break;
	case RA_HTTP:
		http_act_free(r->u.http);
		break;
	case RA_SET_ADDR:
	case RA_NOOP:
		sample_expr_free(r->u.conn.expr);
		break;
	case RA_SERVICE:
		free(r->u.svc.log_name);
		break;
	case RA_STICK:
		stick_act_free(r->u.stick);
		break;
	case RA_LUA:
		/* the rule owns its resolved action (hooks.h) */
		if (lua_hooks.action_free)
			lua_hooks.action_free(r->u.lua);
		break;
	default:
		break;
	}
	free(r);
}

void rules_free(struct rule_list *l)
{
	struct rule *r, *n;
	if (!l)
		return;
	for (r = l->first; r; r = n) {
		n = r->next;
		rule_free(r);
	}
	free(l);
}

int rules_count(const struct rule_list *l)
{
	return l ? l->nb : 0;
}

/* ---- parsing ---- */

static const char *px_type(const struct proxy *px)
{
	if (px->cap & PX_CAP_DEF)
		return "defaults";
	if ((px->cap & (PX_CAP_FE | PX_CAP_BE)) == (PX_CAP_FE | PX_CAP_BE))
		return "listen";
	return (px->cap & PX_CAP_FE) ? "frontend" : "backend";
}

static int px_is_anon_defaults(const struct cfg_ctx *c)
{
	return c->sec == CFG_SEC_DEFAULTS && (!c->px->name || !*c->px->name);
}

/* Rewrites c->err as <prefix> + c->err + <suffix>, truncated to fit. */
static void err_wrap(struct cfg_ctx *c, const char *prefix, const char *suffix)
{
	char tmp[CFG_ERR_SIZE];
	size_t n = 0, room = sizeof(tmp) - 1;
	const char *parts[3] = { prefix, c->err, suffix };
	for (int i = 0; i < 3; i++) {
		size_t l = strlen(parts[i]);
		if (l > room - n)
			l = room - n;
		memcpy(tmp + n, parts[i], l);
		n += l;
	}
	tmp[n] = 0;
	memcpy(c->err, tmp, n + 1);
}

/* Returns the index of the first "if"/"unless" at or after <i>, or <nargs>. */
static int find_cond(char **args, int nargs, int i)
{
	for (; i < nargs; i++)
		if (!strcmp(args[i], "if") || !strcmp(args[i], "unless"))
			return i;
	return nargs;
}

/* Parses the optional condition at args[i..] of rule <r> named <what>
 * ("tcp-request content reject"). Returns 0 or -1 with c->err. */
static int parse_rule_cond(struct cfg_ctx *c, struct rule *r, const char *what,
                           char **args, int nargs, int i)
{
	if (i >= nargs || !*args[i])
		return 0;
	if (strcmp(args[i], "if") && strcmp(args[i], "unless")) {
		snprintf(c->err, sizeof(c->err), "'%s' only accepts 'if' or 'unless', in %s '%s' (got '%s')",
		         what, px_type(c->px), c->px->name ? c->px->name : "", args[i]);
		return -1;
	}
	if (!(r->cond = acl_cond_parse(c, args + i, nargs - i))) {
		char pfx[512];
		snprintf(pfx, sizeof(pfx), "'%s' : error detected in %s '%s' while parsing '%s' condition : ",
		         what, px_type(c->px), c->px->name ? c->px->name : "", args[i]);
		err_wrap(c, pfx, "");
		return -1;
	}
	return 0;
}

/* Parses "set-var(<name>[,<cond>...])", "set-var-fmt(...)" or
 * "unset-var(<name>)" at args[i], and its argument, into <r>.
 * Returns the index of the next word, or -1 with c->err. */
static int parse_var_action(struct cfg_ctx *c, struct rule *r, char **args, int nargs, int i)
{
	const char *a = args[i];
	int fmt = !strncmp(a, "set-var-fmt(", 12);
	int set = fmt || !strncmp(a, "set-var(", 8);
	const char *name = a + (fmt ? 12 : set ? 8 : 10);
	const char *close = strchr(name, ')');
	char err[256];

	if (!close || close[1]) {
		snprintf(c->err, sizeof(c->err), "incomplete argument after action '%s'. Expects 'set-var(<var-name>)', 'set-var-fmt(<var-name>)' or 'unset-var(<var-name>)'", a);
		return -1;
	}
	r->act = fmt ? RA_SET_VAR_FMT : set ? RA_SET_VAR : RA_UNSET_VAR;
	/* "set-var(txn.x,ifnotexists,ifgt)": the name, then conditions */
	const char *comma = memchr(name, ',', close - name);
	for (const char *cs = comma; set && cs && cs < close; ) {
		const char *ce = memchr(cs + 1, ',', close - cs - 1);
		if (vars_parse_cond(cs + 1, (ce ? ce : close) - (cs + 1), &r->u.var.conds,
		                    err, sizeof(err)) < 0) {
			r->act = RA_ACCEPT;     /* nothing to free */
			snprintf(c->err, sizeof(c->err), "%s", err);
			return -1;
		}
		cs = ce;
	}
	if (vars_parse_ref(name, (comma && set ? comma : close) - name, &r->u.var.ref, err, sizeof(err)) < 0) {
		r->act = RA_ACCEPT;     /* nothing to free */
		snprintf(c->err, sizeof(c->err), "%s", err);
		return -1;
	}
	vars_declare(&r->u.var.ref);
	i++;
	if (!set)
		return i;
	if (fmt) {
		/* HAProxy takes a missing format as an empty one */
		int has = i < nargs && strcmp(args[i], "if") && strcmp(args[i], "unless");
		if (!(r->u.var.fmt = logfmt_compile(has ? args[i] : "", c->px, err, sizeof(err)))) {
			snprintf(c->err, sizeof(c->err), "%s", err);
			return -1;
		}
		logfmt_set_rule_arg(r->u.var.fmt);
		return has ? i + 1 : i;
	}
	if (i >= nargs || !strcmp(args[i], "if") || !strcmp(args[i], "unless")) {
		snprintf(c->err, sizeof(c->err), "missing fetch method");
		return -1;
	}
	const char *end = NULL;
	r->u.var.expr = sample_expr_parse(args[i], &end, c->px, err, sizeof(err));
	if (!r->u.var.expr) {
		snprintf(c->err, sizeof(c->err), "%s", err);
		return -1;
	}
	if (end && *end) {
		snprintf(c->err, sizeof(c->err), "unexpected character '%c' in expression '%s'", *end, args[i]);
		return -1;
	}
	return i + 1;
}

/* Parses a Lua action "lua.<name> [args]" or "lua <function>" at args[i].
 * Returns the index of the next word, or -1 with c->err. */
static int parse_lua_action(struct cfg_ctx *c, struct rule *r, const char *where,
                            char **args, int nargs, int i)
{
	char err[CFG_ERR_SIZE - 64];
	int global = !strcmp(args[i], "lua");
	const char *name = global ? (i + 1 < nargs ? args[i + 1] : "") : args[i] + 4;
	int first = global ? i + 2 : i + 1;
	int end = find_cond(args, nargs, first);

	if (!lua_hooks.action_resolve) {
		snprintf(c->err, sizeof(c->err), "'%s': Lua is not available", args[i]);
		return -1;
	}
	if (!*name) {
		snprintf(c->err, sizeof(c->err), "'%s' expects a function name", args[i]);
		return -1;
	}
	err[0] = 0;
	r->u.lua = lua_hooks.action_resolve(name, global, where, args + first, end - first,
	                                    err, sizeof(err));
	if (!r->u.lua) {
		snprintf(c->err, sizeof(c->err), "%s", err[0] ? err : "Lua action not found");
		return -1;
	}
	r->act = RA_LUA;
	return end;
}

/* HAProxy's warning for a condition using a fetch that cannot work where
 * the rule runs. <kind> is "tcp-request connection"..., or NULL for
 * use_backend (whose message names no rule set). */
static void warn_cond_conflict(struct cfg_ctx *c, const struct acl_cond *cond, enum acl_where where,
                               const char *kind)
{
	const char *acl_name = NULL, *kw, *rule = kind ? kind : "use-backend";
	char in[64] = "";
	int all = 0;

	if (!cond || !(kw = acl_cond_conflict(cond, where, &acl_name, &all)))
		return;
	/* HAProxy names the HTTP rule sets "http-request header" and
	 * "http-response header" (http-after-response too), without the
	 * " in '...'" part its tcp rules have */
	if (kind && !strncmp(kind, "http-", 5))
		rule = where == ACL_WHERE_RES ? "http-response header" : "http-request header";
	else if (kind)
		snprintf(in, sizeof(in), " in '%s'", kind);
	if (acl_name && all)
		cfg_warning(c, "acl '%s' will never match%s because it only involves keywords that are incompatible with '%s %s rule'",
		            acl_name, in, px_type(c->px), rule);
	else if (acl_name)
		cfg_warning(c, "acl '%s' involves keywords '%s' which is incompatible with '%s %s rule'",
		            acl_name, kw, px_type(c->px), rule);
	else
		cfg_warning(c, "anonymous acl will never match%s because it uses keyword '%s' which is incompatible with '%s %s rule'",
		            in, kw, px_type(c->px), rule);
}

/* The connection actions of <kind> (rules.h): parses the one at args[i]
 * into <r>. Returns the index after its arguments, 0 when args[i] is none
 * of them (or not one of <kind>), or -1 with c->err set. */
static int parse_conn_action(struct cfg_ctx *c, struct rule *r, const char *kind, char **args,
                             int nargs, int i)
{
	static const char *const addr_kw[] = { "set-src", "set-dst", "set-src-port", "set-dst-port" };
	int http = !strncmp(kind, "http-", 5), res = strstr(kind, "response") != NULL;
	int content = !http && strstr(kind, "content") != NULL;
	int after = !strcmp(kind, "http-after-response");
	const char *a = args[i], *v = i + 1 < nargs ? args[i + 1] : "";
	char err[CFG_ERR_SIZE - 200], *end;
	int j;

	if (after)
		return 0;
	for (int k = 0; !http && !res && k < 4; k++)
		if (!strcmp(a, addr_kw[k])) {
			j = i + 1;
			if (!*v || !strcmp(v, "if") || !strcmp(v, "unless"))
				return cfg_set_err(c, "'%s %s' : missing fetch method", kind, a);
			if (!(r->u.conn.expr = sample_expr_parse_words(args, nargs, &j, c->px, err, sizeof(err))))
				return cfg_set_err(c, "'%s %s' : %s", kind, a, err);
			r->act = RA_SET_ADDR;
			r->u.conn.which = (enum rules_addr)k;
			return j;
		}
	if (!http && !strcmp(a, "silent-drop")) {
		r->act = RA_SILENT_DROP;
		return i + 1;
	}
	if (!strcmp(a, "set-tos") || !strcmp(a, "set-mark")) {
		unsigned long n = strtoul(v, &end, 0);

		if (!*v || *end || n > UINT32_MAX)
			return cfg_set_err(c, "'%s %s' expects a number, got '%s'.", kind, a, v);
		r->act = a[4] == 't' ? RA_SET_TOS : RA_SET_MARK;
		r->u.conn.value = (unsigned)n;
		return i + 2;
	}
	if ((http || content) && !strcmp(a, "set-nice")) {
		long n = strtol(v, &end, 10);

		if (!*v || *end)
			return cfg_set_err(c, "'%s %s' expects an integer argument.", kind, a);
		if (n < -1024 || n > 1024)
			cfg_warning(c, "'%s %s' : value %ld out of range [-1024..1024], using %d", kind, a, n,
			            n < 0 ? -1024 : 1024);
		r->act = RA_NOOP;    /* one thread, no task priorities */
		return i + 2;
	}
	if (!res && (http || content) &&
	    (!strcmp(a, "set-priority-class") || !strcmp(a, "set-priority-offset"))) {
		j = i + 1;
		if (!*v || !strcmp(v, "if") || !strcmp(v, "unless"))
			return cfg_set_err(c, "'%s %s' : missing fetch method", kind, a);
		if (!(r->u.conn.expr = sample_expr_parse_words(args, nargs, &j, c->px, err, sizeof(err))))
			return cfg_set_err(c, "'%s %s' : %s", kind, a, err);
		r->act = RA_NOOP;    /* the server queues are served in arrival order */
		return j;
	}
	if (http && !res && (!strcmp(a, "wait-for-handshake") || !strcmp(a, "disable-l7-retry"))) {
		r->act = RA_NOOP;    /* no TLS early data; retries stay as configured */
		return i + 1;
	}
	return 0;
}

/* Parses "<action> [args] [if|unless cond]" from args[i] for list <kind>
 * ("tcp-request connection", "tcp-request content", "tcp-response
 * content") and appends it to *<lp>. Returns 0 or -1 with c->err. */
static int parse_tcp_rule(struct cfg_ctx *c, const char *kind, struct rule_list **lp,
                          char **args, int nargs, int i)
{
	struct rule *r = calloc(1, sizeof(*r));
	int sess = !strcmp(kind, "tcp-request session");
	int conn = sess || !strcmp(kind, "tcp-request connection");   /* no content yet */
	int res = !strncmp(kind, "tcp-response", 12);
	const char *a = i < nargs ? args[i] : "";
	char what[256];
	int si;

	if (!r)
		return cfg_set_err(c, "out of memory.");
	r->file = c->file;
	r->line = c->line;
	snprintf(what, sizeof(what), "%s %s", kind, a);
	if (!strcmp(a, "accept")) {
		r->act = RA_ACCEPT;
		i++;
	} else if (!strcmp(a, "reject")) {
		r->act = RA_REJECT;
		i++;
	} else if (!conn && !strcmp(a, "set-log-level")) {
		/* syslog level names, as HAProxy's log levels */
		static const char *const lvl[] = { "emerg", "alert", "crit", "err", "warning",
		                                   "notice", "info", "debug" };
		const char *v = i + 1 < nargs ? args[i + 1] : "";
		r->act = RA_SET_LOG_LEVEL;
		r->u.log_level = -1;
		for (int k = 0; k < 8; k++)
			if (!strcmp(v, lvl[k]))
				r->u.log_level = k;
		if (r->u.log_level < 0) {
			if (!strcmp(v, "silent"))
				snprintf(c->err, sizeof(c->err), "'set-log-level silent' is not supported yet");
			else
				snprintf(c->err, sizeof(c->err), "'set-log-level' expects a level name (emerg..debug), got '%s'", v);
			goto fail;
		}
		i += 2;
	} else if (res && !strcmp(a, "close")) {
		r->act = RA_CLOSE;
		i++;
	} else if (!strncmp(a, "set-var(", 8) || !strncmp(a, "unset-var(", 10) ||
	           !strncmp(a, "set-var-fmt(", 12)) {
		if ((i = parse_var_action(c, r, args, nargs, i)) < 0)
			goto fail;
	} else if (!conn && (!strncmp(a, "lua.", 4) || !strcmp(a, "lua"))) {
		if ((i = parse_lua_action(c, r, res ? "tcp-res" : "tcp-req", args, nargs, i)) < 0)
			goto fail;
	} else if ((si = stick_act_parse(c, kind, args, nargs, i, &r->u.stick)) != 0) {
		if (si < 0)
			goto fail;
		r->act = RA_STICK;
		i = si;
	} else if ((si = parse_conn_action(c, r, kind, args, nargs, i)) != 0) {
		if (si < 0)
			goto fail;
		i = si;
	} else if (!conn && !res && !strcmp(a, "use-service")) {
		/* a Lua TCP service takes the connection over */
		const char *svc = i + 1 < nargs ? args[i + 1] : "";
		char err[256] = "";
		if (!*svc || !strcmp(svc, "if") || !strcmp(svc, "unless")) {
			snprintf(c->err, sizeof(c->err), "'%s use-service' expects a service reference.", kind);
			goto fail;
		}
		if (strncmp(svc, "lua.", 4) || !lua_hooks.service_resolve || !lua_hooks.service_run ||
		    !(r->u.svc.def = lua_hooks.service_resolve(svc, err, sizeof(err)))) {
			snprintf(c->err, sizeof(c->err), "'%s use-service' : %s", kind,
			         *err ? err : "unknown service name.");
			goto fail;
		}
		r->act = RA_SERVICE;
		if (!(r->u.svc.log_name = malloc(strlen(svc) + 3))) {
			snprintf(c->err, sizeof(c->err), "out of memory.");
			goto fail;
		}
		snprintf(r->u.svc.log_name, strlen(svc) + 3, "<%s>", svc);
		i += 2;
	} else {
		snprintf(c->err, sizeof(c->err), "'%s' expects 'accept', %s'reject', 'set-var(*)', 'set-var-fmt(*)', 'unset-var(*)'%s%s in %s '%s' (got '%s').",
		         kind, res ? "'close', " : "", conn ? "" : ", 'set-log-level', 'lua.*', 'lua <function>'",
		         conn || res ? "" : ", 'use-service'",
		         px_type(c->px), c->px->name ? c->px->name : "", a);
		goto fail;
	}
	if (parse_rule_cond(c, r, what, args, nargs, i) < 0)
		goto fail;
	warn_cond_conflict(c, r->cond, sess ? ACL_WHERE_SESS : conn ? ACL_WHERE_CONN :
	                   res ? ACL_WHERE_RES : ACL_WHERE_REQ, kind);
	struct rule_list *l = list_get(lp);
	if (!l) {
		cfg_set_err(c, "out of memory.");
		goto fail;
	}
	*l->tail = r;
	l->tail = &r->next;
	l->nb++;
	return 0;
fail:
	rule_free(r);
	return -1;
}

int rules_cfg_http(struct cfg_ctx *c, const char *kind, int res, struct rule_list **lp,
                   char **args, int nargs, rules_http_parse_fn parse, const char *known)
{
	struct rule *r = calloc(1, sizeof(*r));
	const char *a = nargs > 1 ? args[1] : "";
	const char *pxn = c->px->name ? c->px->name : "";
	int i = 1, si;

	if (!r)
		return cfg_set_err(c, "out of memory.");
	r->file = c->file;
	r->line = c->line;
	if (!strncmp(a, "set-var(", 8) || !strncmp(a, "unset-var(", 10) ||
	    !strncmp(a, "set-var-fmt(", 12)) {
		if ((i = parse_var_action(c, r, args, nargs, i)) < 0)
			goto fail_rule;
	} else if (!strcmp(a, "set-log-level")) {
		static const char *const lvl[] = { "emerg", "alert", "crit", "err", "warning",
		                                   "notice", "info", "debug" };
		const char *v = nargs > 2 ? args[2] : "";
		r->act = RA_SET_LOG_LEVEL;
		r->u.log_level = -1;
		for (int k = 0; k < 8; k++)
			if (!strcmp(v, lvl[k]))
				r->u.log_level = k;
		if (r->u.log_level < 0) {
			snprintf(c->err, sizeof(c->err), "'%s' expects a level name (emerg..debug), got '%s'", a, v);
			goto fail_rule;
		}
		i = 3;
	} else if (!res && !strcmp(a, "reject")) {
		r->act = RA_REJECT;     /* close without a response */
		i = 2;
	} else if (!strncmp(a, "lua.", 4) || !strcmp(a, "lua")) {
		if ((i = parse_lua_action(c, r, res ? "http-res" : "http-req", args, nargs, i)) < 0)
			goto fail_rule;
	} else if ((si = stick_act_parse(c, kind, args, nargs, 1, &r->u.stick)) != 0) {
		if (si < 0)
			goto fail_rule;
		r->act = RA_STICK;
		i = si;
	} else if (*a && (si = parse_conn_action(c, r, kind, args, nargs, 1)) != 0) {
		if (si < 0)
			goto fail_rule;
		i = si;
	} else {
		struct http_act *ha = NULL;
		int n = *a ? parse(c, res, args, nargs, i, &ha) : 0;
		if (n < 0)
			goto fail_rule;
		if (!n || !ha) {
			c->err_tight = 1;
			snprintf(c->err, sizeof(c->err), "'%s' expects %s but got '%s'.", kind, known, a);
			goto fail;
		}
		r->act = RA_HTTP;
		r->u.http = ha;
		i = n;
	}
	if (i < nargs && *args[i]) {
		if (strcmp(args[i], "if") && strcmp(args[i], "unless")) {
			c->err_tight = 1;
			snprintf(c->err, sizeof(c->err), "'%s %s' expects either 'if' or 'unless' followed by a condition but found '%s'.",
			         kind, a, args[i]);
			goto fail;
		}
		if (!(r->cond = acl_cond_parse(c, args + i, nargs - i))) {
			char pfx[256];
			snprintf(pfx, sizeof(pfx), "error detected while parsing an '%s %s' condition : ", kind, a);
			err_wrap(c, pfx, ".");
			goto fail;
		}
		warn_cond_conflict(c, r->cond, res ? ACL_WHERE_RES : ACL_WHERE_REQ, kind);
	}
	struct rule_list *l = list_get(lp);
	if (!l) {
		cfg_set_err(c, "out of memory.");
		goto fail;
	}
	*l->tail = r;
	l->tail = &r->next;
	l->nb++;
	return 0;
fail_rule: {
		/* HAProxy's frame for an action's own error */
		char pfx[256];
		snprintf(pfx, sizeof(pfx), "error detected in %s '%s' while parsing '%s %s' rule : ",
		         px_type(c->px), pxn, kind, a);
		err_wrap(c, pfx, ".");
	}
fail:
	rule_free(r);
	return -1;
}

static int parse_inspect_delay(struct cfg_ctx *c, const char *kw, char **args, int nargs, uint32_t *ms)
{
	const char *v = nargs > 2 ? args[2] : "";
	const char *pxn = c->px->name ? c->px->name : "";
	if (!*v)
		return cfg_set_err(c, "'%s inspect-delay' expects a positive delay in milliseconds, in %s '%s'",
		                   kw, px_type(c->px), pxn);
	if (cfg_parse_time(v, ms) < 0) {
		const char *p = v;
		while (*p >= '0' && *p <= '9')
			p++;
		return cfg_set_err(c, "'%s inspect-delay' expects a positive delay in milliseconds, in %s '%s' (unexpected character '%c')",
		                   kw, px_type(c->px), pxn, *p ? *p : '?');
	}
	return 0;
}

void rules_cfg_order(struct cfg_ctx *c, enum rules_order k)
{
	static const char *const self[RO_NB] = {
		"tcp-request", "tcp-request", "tcp-request", "monitor fail", "http-request", "redirect",
		"use_backend", "use-server" };
	static const char *const after[RO_NB] = {
		"", "a 'tcp-request session'", "a 'tcp-request content'", "a 'monitor fail'",
		"an 'http-request'", "a 'redirect'", "a 'use_backend'", "a 'use-server'" };

	for (int j = k + 1; j < RO_NB; j++)
		if (c->px->rules_seen & (1u << j)) {
			cfg_warning(c, "a '%s' rule placed after %s rule will still be processed before.",
			            self[k], after[j]);
			break;
		}
	c->px->rules_seen |= (uint16_t)(1u << k);
}

int rules_cfg_tcp_request(struct cfg_ctx *c, char **args, int nargs)
{
	const char *sub = nargs > 1 ? args[1] : "";
	struct proxy *px = c->px;

	if (!px)
		return cfg_set_err(c, "'tcp-request' is only allowed in proxy sections");
	if (!*sub)
		return cfg_set_err(c, "missing argument for '%s' in %s '%s'", args[0], px_type(px),
		                   px->name ? px->name : "");
	if (!strcmp(sub, "inspect-delay")) {
		if (px_is_anon_defaults(c))
			return cfg_set_err(c, "tcp-request inspect-delay is not allowed in anonymous 'defaults' sections");
		return parse_inspect_delay(c, "tcp-request", args, nargs, &px->tcp_req_inspect_delay);
	}
	if (!strcmp(sub, "connection") || !strcmp(sub, "session")) {
		int sess = sub[0] == 's';
		if (px_is_anon_defaults(c))
			return cfg_set_err(c, "tcp-request %s is not allowed in anonymous 'defaults' sections", sub);
		if (!(px->cap & (PX_CAP_FE | PX_CAP_DEF)))
			return cfg_set_err(c, "tcp-request %s is not allowed because %s %s is not a frontend",
			                   sub, px_type(px), px->name);
		rules_cfg_order(c, sess ? RO_TCP_SESS : RO_TCP_CONN);
		return parse_tcp_rule(c, sess ? "tcp-request session" : "tcp-request connection",
		                      sess ? &px->tcp_req_sess : &px->tcp_req_conn, args, nargs, 2);
	}
	if (!strcmp(sub, "content")) {
		if (px_is_anon_defaults(c))
			return cfg_set_err(c, "tcp-request content is not allowed in anonymous 'defaults' sections");
		rules_cfg_order(c, RO_TCP_CONT);
		return parse_tcp_rule(c, "tcp-request content", &px->tcp_req_cont, args, nargs, 2);
	}
	if (c->sec == CFG_SEC_DEFAULTS)
		return cfg_set_err(c, "'tcp-request' expects 'inspect-delay', 'connection', or 'content' in defaults section (got '%s')", sub);
	return cfg_set_err(c, "'tcp-request' expects 'inspect-delay', 'connection', or 'content' in %s '%s' (got '%s')",
	                   px_type(px), px->name, sub);
}

int rules_cfg_tcp_response(struct cfg_ctx *c, char **args, int nargs)
{
	const char *sub = nargs > 1 ? args[1] : "";
	struct proxy *px = c->px;

	if (!px)
		return cfg_set_err(c, "'tcp-response' is only allowed in proxy sections");
	if (!*sub)
		return cfg_set_err(c, "missing argument for '%s' in %s '%s'", args[0], px_type(px),
		                   px->name ? px->name : "");
	if (!strcmp(sub, "inspect-delay") || !strcmp(sub, "content")) {
		if (px_is_anon_defaults(c) || !(px->cap & (PX_CAP_BE | PX_CAP_DEF)))
			return cfg_set_err(c, "tcp-response %s is only allowed in 'backend' sections or 'defaults' section with a name", sub);
		if (sub[0] == 'i')
			return parse_inspect_delay(c, "tcp-response", args, nargs, &px->tcp_res_inspect_delay);
		return parse_tcp_rule(c, "tcp-response content", &px->tcp_res_cont, args, nargs, 2);
	}
	return cfg_set_err(c, "'tcp-response' expects 'inspect-delay' or 'content' in %s '%s' (got '%s')",
	                   px_type(px), px->name ? px->name : "", sub);
}

int rules_cfg_use_backend(struct cfg_ctx *c, char **args, int nargs)
{
	struct proxy *px = c->px;
	struct rule *r;

	rules_cfg_order(c, RO_USE_BACKEND);
	if (!px || c->sec == CFG_SEC_DEFAULTS)
		return cfg_set_err(c, "'use_backend' not allowed in 'defaults' section.");
	if (!(px->cap & PX_CAP_FE)) {
		cfg_warning(c, "'use_backend' ignored because backend '%s' has no frontend capability.", px->name);
		return 0;
	}
	if (nargs < 2 || !*args[1])
		return cfg_set_err(c, "'use_backend' expects a backend name.");
	if (!(r = calloc(1, sizeof(*r))))
		return cfg_set_err(c, "out of memory.");
	r->act = RA_USE_BACKEND;
	r->file = c->file;
	r->line = c->line;
	if (!(r->u.be.name = strdup(args[1]))) {
		cfg_set_err(c, "out of memory.");
		goto fail;
	}
	/* a name holding '%' is a log-format, compiled by rules_cfg_resolve()
	 * as HAProxy does (its errors name the rule, not the line) */
	r->u.be.dynamic = strchr(args[1], '%') != NULL;
	if (nargs > 2 && *args[2]) {
		if (strcmp(args[2], "if") && strcmp(args[2], "unless")) {
			cfg_set_err(c, "unexpected keyword '%s' after switching rule, only 'if' and 'unless' are allowed.", args[2]);
			goto fail;
		}
		if (!(r->cond = acl_cond_parse(c, args + 2, nargs - 2))) {
			err_wrap(c, "error detected while parsing switching rule : ", ".");
			goto fail;
		}
		warn_cond_conflict(c, r->cond, ACL_WHERE_REQ, NULL);
	}
	struct rule_list *l = list_get(&px->switching);
	if (!l) {
		cfg_set_err(c, "out of memory.");
		goto fail;
	}
	*l->tail = r;
	l->tail = &r->next;
	l->nb++;
	return 0;
fail:
	rule_free(r);
	return -1;
}

/* Prints <msg> as an [ALERT] line, keeps the first one in <err>. */
static void resolve_error(int *errors, char *err, size_t errlen, const char *msg)
{
	cfg_alert(NULL, "%s", msg);
	if (!(*errors)++ && errlen)
		snprintf(err, errlen, "%s", msg);
}

int rules_px_has_rules(const struct proxy *px)
{
	return rules_count(px->tcp_req_conn) || rules_count(px->tcp_req_sess) ||
	       rules_count(px->tcp_req_cont) ||
	       rules_count(px->tcp_res_cont) || rules_count(px->http_req) ||
	       rules_count(px->http_res) || rules_count(px->http_after_res);
}

/* Returns 1 if <px> may not inherit the rules of its defaults section at
 * all (the checks of check_inherit() that do not depend on other proxies). */
static int inherit_refused(const struct proxy *px)
{
	const struct proxy *def = px->from;
	unsigned side = px->cap & (PX_CAP_FE | PX_CAP_BE);
	return side == (PX_CAP_FE | PX_CAP_BE) ||
	       (side == PX_CAP_FE && rules_count(def->tcp_res_cont)) ||
	       (side == PX_CAP_BE && (rules_count(def->tcp_req_conn) || rules_count(def->tcp_req_sess)));
}

/* Checks what <px> may inherit from its defaults section, as HAProxy 2.6
 * does when a proxy names a defaults section holding rules. Returns the
 * number of errors printed. */
static int check_inherit(const struct config *cfg, const struct proxy *px, char *err, size_t errlen,
                         int *errors)
{
	const struct proxy *def = px->from;
	const char *pf = px->file ? px->file : "", *df = def->file ? def->file : "";
	unsigned side = px->cap & (PX_CAP_FE | PX_CAP_BE);
	char msg[512];

	if (!rules_px_has_rules(def))
		return 0;
	if (side == (PX_CAP_FE | PX_CAP_BE)) {
		snprintf(msg, sizeof(msg), "parsing [%s:%d]: a listen section cannot inherit from a defaults section defining TCP/HTTP rules.",
		         pf, px->line);
		resolve_error(errors, err, errlen, msg);
		return 1;
	}
	if (side == PX_CAP_FE && rules_count(def->tcp_res_cont)) {
		snprintf(msg, sizeof(msg), "parsing [%s:%d]: a frontend section cannot inherit from a defaults section defining 'tcp-response content' rules (defaults section at %s:%d).",
		         pf, px->line, df, def->line);
		resolve_error(errors, err, errlen, msg);
		return 1;
	}
	if (side == PX_CAP_BE && (rules_count(def->tcp_req_conn) || rules_count(def->tcp_req_sess))) {
		snprintf(msg, sizeof(msg), "parsing [%s:%d]: a backend section cannot inherit from a defaults section defining 'tcp-request connection' or 'tcp-request session' rules (defaults section at %s:%d).",
		         pf, px->line, df, def->line);
		resolve_error(errors, err, errlen, msg);
		return 1;
	}
	/* a defaults section with rules serves frontends or backends, not both:
	 * the first proxy that could use it (configuration order) decides */
	for (const struct proxy *o = cfg->proxies; o && o != px; o = o->next) {
		unsigned oside = o->cap & (PX_CAP_FE | PX_CAP_BE);
		if (o->from != def || inherit_refused(o))
			continue;
		if (oside != side) {
			snprintf(msg, sizeof(msg), "parsing [%s:%d]: frontends and backends cannot inherit from the same defaults section if it defines TCP/HTTP rules (defaults section at %s:%d).",
			         pf, px->line, df, def->line);
			resolve_error(errors, err, errlen, msg);
			return 1;
		}
	}
	return 0;
}

int rules_cfg_resolve(struct config *cfg, char *err, size_t errlen)
{
	int errors = 0;
	char msg[512];

	if (errlen)
		err[0] = 0;
	for (struct proxy *px = cfg->proxies; px; px = px->next) {
		if (px->from)
			check_inherit(cfg, px, err, errlen, &errors);
		if (px->mode != PX_MODE_HTTP) {
			/* HTTP rules never run on a TCP stream: say so, as HAProxy */
			static const char *const kw[] = { "http-request", "http-response", "redirect" };
			const struct rule_list *l[] = { px->http_req, px->http_res, px->redirects };
			for (int k = 0; k < 3; k++)
				if (rules_count(l[k]))
					cfg_warning(NULL, "'%s' rules ignored for %s '%s' as they require HTTP mode.",
					            kw[k], px_type(px), px->name ? px->name : "");
		}
		if (!px->switching)
			continue;
		for (struct rule *r = px->switching->first; r; r = r->next) {
			r->u.be.cfg = cfg;
			if (r->u.be.dynamic) {
				char why[384];
				if (r->u.be.fmt)
					continue;       /* resolved by an earlier call */
				r->u.be.fmt = logfmt_compile(r->u.be.name, px, why, sizeof(why));
				if (!r->u.be.fmt) {
					static const char pfx[] = "failed to parse log-format : ";
					const char *w = strncmp(why, pfx, sizeof(pfx) - 1) ? why : why + sizeof(pfx) - 1;
					size_t wl = strlen(w);
					if (wl && w[wl - 1] == '.')
						wl--;           /* the sentence ends once */
					snprintf(msg, sizeof(msg), "Parsing [%s:%d]: failed to parse use_backend rule '%s' : %.*s.",
					         r->file ? r->file : "", r->line, r->u.be.name, (int)wl, w);
					resolve_error(&errors, err, errlen, msg);
				}
				continue;
			}
			r->u.be.be = proxy_find(cfg, r->u.be.name, PX_CAP_BE);
			if (!r->u.be.be) {
				snprintf(msg, sizeof(msg), "Proxy '%s': unable to find required use_backend: '%s'.",
				         px->name, r->u.be.name);
				resolve_error(&errors, err, errlen, msg);
			} else if (px->mode == PX_MODE_HTTP && r->u.be.be->mode != PX_MODE_HTTP) {
				const struct proxy *be = r->u.be.be;
				snprintf(msg, sizeof(msg), "http frontend '%s' (%s:%d) tries to use incompatible tcp backend '%s' (%s:%d) in a 'use_backend' rule (see 'mode').",
				         px->name, px->file ? px->file : "", px->line, be->name,
				         be->file ? be->file : "", be->line);
				resolve_error(&errors, err, errlen, msg);
			}
		}
	}
	return errors;
}

/* ---- execution ---- */


/* Runs the rules of <def> then <own> (either may be NULL) from position
 * *<pos> (0 = start, n = resume at the n-th rule, 1-based). */
/* Returns <res> after recording <r> as the last final rule of <s> (the
 * last_rule_file / last_rule_line fetches): one that ends its list's
 * evaluation (accept, reject, deny, return, redirect, a service...). */
static enum rule_res final_rule(struct stream *s, const struct rule *r, enum rule_res res)
{
	s->last_rule_file = r->file;
	s->last_rule_line = r->line;
	return res;
}

void rules_set_addr(struct stream *s, enum rules_addr which, const struct sample_expr *e,
                    struct smp_ctx *ctx)
{
	struct addr *ad = (which == RULES_SRC || which == RULES_SRC_PORT) ? &s->cli_addr : &s->fe_addr;
	int fam = ad->u.sa.sa_family;
	uint16_t port = fam == AF_INET ? ad->u.in4.sin_port : fam == AF_INET6 ? ad->u.in6.sin6_port : 0;
	struct sample smp, v6;

	memset(&smp, 0, sizeof(smp));
	if (!sample_expr_eval(e, ctx, &smp))
		return;
	if (which == RULES_SRC_PORT || which == RULES_DST_PORT) {
		if (!sample_cast(&smp, SMP_T_SINT) || (fam != AF_INET && fam != AF_INET6))
			return;
		if (fam == AF_INET)
			ad->u.in4.sin_port = htons((uint16_t)smp.u.sint);
		else
			ad->u.in6.sin6_port = htons((uint16_t)smp.u.sint);
		return;
	}
	v6 = smp;
	if (smp.type == SMP_T_IPV4 || (smp.type != SMP_T_IPV6 && sample_cast(&smp, SMP_T_IPV4))) {
		memset(ad, 0, sizeof(*ad));
		ad->u.in4.sin_family = AF_INET;
		ad->u.in4.sin_addr = smp.u.ipv4;
		ad->u.in4.sin_port = port;
		ad->len = sizeof(ad->u.in4);
	} else if (v6.type == SMP_T_IPV6 || sample_cast(&v6, SMP_T_IPV6)) {
		memset(ad, 0, sizeof(*ad));
		ad->u.in6.sin6_family = AF_INET6;
		ad->u.in6.sin6_addr = v6.u.ipv6;
		ad->u.in6.sin6_port = port;
		ad->len = sizeof(ad->u.in6);
	}
}

void rules_silent_drop(struct stream *s)
{
	struct linger nl = { .l_onoff = 1, .l_linger = 0 };
	int one = 1;

	if (!s->cli || s->cli->fd < 0)
		return;
	if (setsockopt(s->cli->fd, IPPROTO_TCP, TCP_REPAIR, &one, sizeof(one)) < 0)
		setsockopt(s->cli->fd, SOL_SOCKET, SO_LINGER, &nl, sizeof(nl));
}

/* set-tos / set-mark on the client connection. */
static void set_sockopt(struct stream *s, enum rule_act act, unsigned v)
{
	int fd = s->cli ? s->cli->fd : -1, iv = (int)v;

	if (fd < 0)
		return;
	if (act == RA_SET_MARK)
		setsockopt(fd, SOL_SOCKET, SO_MARK, &iv, sizeof(iv));
	else if (s->cli_addr.u.sa.sa_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_TCLASS, &iv, sizeof(iv));
	else
		setsockopt(fd, IPPROTO_IP, IP_TOS, &iv, sizeof(iv));
}

static enum rule_res run_list(struct stream *s, struct proxy *px, const struct rule_list *def,
                              const struct rule_list *own, enum smp_dir dir, int final,
                              uint32_t *pos)
{
	struct smp_ctx ctx = { .strm = s, .px = px, .dir = dir, .final = final };
	const struct rule_list *lists[2] = { def, own };
	uint32_t idx = 0, resume = *pos;

	*pos = 0;
	for (int li = 0; li < 2; li++) {
		if (!lists[li])
			continue;
		for (const struct rule *r = lists[li]->first; r; r = r->next) {
			idx++;
			if (resume && idx < resume)
				continue;
			if (!(resume && idx == resume) && r->cond) {
				enum acl_res ar = acl_cond_exec(r->cond, &ctx);
				if (ar == ACL_MISS)
					return RULE_WAIT;
				if (ar == ACL_FALSE)
					continue;
			}
			resume = 0;
			switch (r->act) {
			case RA_ACCEPT:
				return final_rule(s, r, RULE_CONTINUE);
			case RA_REJECT:
				return final_rule(s, r, RULE_REJECT);
			case RA_CLOSE:
				return final_rule(s, r, RULE_CLOSE);
			case RA_SET_ADDR:
				rules_set_addr(s, r->u.conn.which, r->u.conn.expr, &ctx);
				break;
			case RA_SILENT_DROP:
				rules_silent_drop(s);
				return final_rule(s, r, RULE_REJECT);
			case RA_SET_TOS:
			case RA_SET_MARK:
				set_sockopt(s, r->act, r->u.conn.value);
				break;
			case RA_NOOP:
				break;
			case RA_SET_VAR: {
				struct sample smp;
				struct vars *v = vars_of(s, r->u.var.ref.scope);
				memset(&smp, 0, sizeof(smp));
				if (v && sample_expr_eval(r->u.var.expr, &ctx, &smp))
					vars_set_cond(v, &r->u.var.ref, &smp, r->u.var.conds);
				break;
			}
			case RA_SET_VAR_FMT: {
				/* not a smp_trash() chunk: rendering evaluates expressions
				 * that take scratch chunks from the same small ring */
				static __thread char fmt_buf[RULES_FMT_MAX];
				struct vars *v = vars_of(s, r->u.var.ref.scope);
				struct sample smp;
				if (!v)
					break;
				memset(&smp, 0, sizeof(smp));
				smp.type = SMP_T_STR;
				smp.u.str.ptr = fmt_buf;
				smp.u.str.len = logfmt_render(r->u.var.fmt, s, 0, fmt_buf, sizeof(fmt_buf));
				smp.u.str.size = sizeof(fmt_buf);
				vars_set_cond(v, &r->u.var.ref, &smp, r->u.var.conds);
				break;
			}
			case RA_UNSET_VAR: {
				struct vars *v = vars_of(s, r->u.var.ref.scope);
				if (v)
					vars_unset(v, &r->u.var.ref);
				break;
			}
			case RA_LUA:
				if (!lua_hooks.action_run)
					return RULE_ERR;
				switch (lua_hooks.action_run(r->u.lua, s, dir)) {
				case ACT_RET_CONT:
					break;
				case ACT_RET_YIELD:
					*pos = idx;
					return RULE_YIELD;
				case ACT_RET_STOP:
					return final_rule(s, r, RULE_CONTINUE);
				case ACT_RET_DONE:
					return final_rule(s, r, RULE_CLOSE);
				case ACT_RET_DENY:
					return final_rule(s, r, RULE_REJECT);
				case ACT_RET_ERR:
				default:
					return RULE_ERR;
				}
				break;
			case RA_SET_LOG_LEVEL:
				s->loglevel = r->u.log_level;
				break;
			case RA_STICK:
				stick_act_exec(r->u.stick, s, &ctx);
				break;
			case RA_USE_BACKEND:
				break;
			case RA_SERVICE:
				/* in TCP mode the service stands for the server: no queue
				 * and no connect, logged 0 as HAProxy does (HTTP streams:
				 * stream_http_service()) */
				if (!s->http && !s->t_queue) {
					s->t_queue = s->t_connect = s->thr->now_us;
					s->svc_name = r->u.svc.log_name;
				}
				switch (lua_hooks.service_run ? lua_hooks.service_run(r->u.svc.def, s) : ACT_RET_ERR) {
				case ACT_RET_YIELD:
					*pos = idx;
					return RULE_YIELD;
				case ACT_RET_ERR:
					return RULE_ERR;
				default:
					return final_rule(s, r, RULE_CLOSE);      /* the service ended the stream */
				}
			case RA_HTTP: {
				int rr = http_act_exec(r->u.http, s, &ctx);
				if (rr == RULE_YIELD)
					*pos = idx;     /* resume at this action */
				if (rr >= 0)
					return rr == RULE_YIELD || rr == RULE_WAIT || rr == RULE_ERR ?
					       (enum rule_res)rr : final_rule(s, r, (enum rule_res)rr);
				break;
			}
			}
		}
	}
	return RULE_CONTINUE;
}

static const struct rule_list *def_list(const struct proxy *px, size_t off)
{
	if (!px->from)
		return NULL;
	return *(struct rule_list *const *)((const char *)px->from + off);
}

int rules_add_http(struct cfg_ctx *c, struct rule_list **lp, struct http_act *a,
                   struct acl_cond *cond)
{
	struct rule *r = calloc(1, sizeof(*r));
	struct rule_list *l;

	if (!r) {
		http_act_free(a);
		acl_cond_free(cond);
		return cfg_set_err(c, "out of memory.");
	}
	r->act = RA_HTTP;
	r->u.http = a;
	r->cond = cond;
	r->file = c->file;
	r->line = c->line;
	if (!(l = list_get(lp))) {
		rule_free(r);
		return cfg_set_err(c, "out of memory.");
	}
	*l->tail = r;
	l->tail = &r->next;
	l->nb++;
	return 0;
}

struct http_act *rules_http_tail(const struct rule_list *l, struct http_act **prev, int *cond)
{
	const struct rule *p = NULL, *r = l ? l->first : NULL;

	*prev = NULL;
	*cond = 0;
	if (!r)
		return NULL;
	for (; r->next; r = r->next)
		p = r;
	if (p && p->act == RA_HTTP)
		*prev = p->u.http;
	*cond = r->cond != NULL;
	return r->act == RA_HTTP ? r->u.http : NULL;
}

enum rule_res rules_exec_http(struct stream *s, struct proxy *px, size_t def_off,
                              const struct rule_list *own, int dir, uint32_t *pos)
{
	/* offset 0 (px->next) is no rule list: it says "no defaults rules" */
	return run_list(s, px, def_off ? def_list(px, def_off) : NULL, own,
	                dir ? SMP_DIR_RES : SMP_DIR_REQ, 1, pos);
}

enum rule_res rules_exec_tcp_req_conn(struct stream *s)
{
	struct proxy *fe = s->fe;
	uint32_t pos = 0;
	enum rule_res res = run_list(s, fe, def_list(fe, offsetof(struct proxy, tcp_req_conn)),
	                             fe->tcp_req_conn, SMP_DIR_REQ, 1, &pos);
	if (res == RULE_REJECT) {
		fe->denied_conn++;
		s->err = STRM_ERR_PRXCOND;
		s->fin = STRM_FIN_R;
		return res;
	}
	if (res != RULE_CONTINUE && res != RULE_WAIT)
		return res;
	/* the session is established at once (no TLS handshake or PROXY
	 * header to wait for yet): its rules follow */
	stick_stream_session(s);
	pos = 0;
	res = run_list(s, fe, def_list(fe, offsetof(struct proxy, tcp_req_sess)),
	               fe->tcp_req_sess, SMP_DIR_REQ, 1, &pos);
	if (res == RULE_REJECT) {
		fe->denied_sess++;
		s->err = STRM_ERR_PRXCOND;
		s->fin = STRM_FIN_R;
	}
	return res == RULE_WAIT ? RULE_CONTINUE : res;
}

enum rule_res rules_exec_tcp_req_content(struct stream *s, int final)
{
	struct proxy *px = s->be ? s->be : s->fe;
	const struct rule_list *def = def_list(px, offsetof(struct proxy, tcp_req_cont));

	if (!def && !px->tcp_req_cont)
		return RULE_CONTINUE;
	if (!px->tcp_req_inspect_delay || (s->req.flags & CHAN_SHUTR) || chan_is_full(&s->req))
		final = 1;
	enum rule_res res = run_list(s, px, def, px->tcp_req_cont, SMP_DIR_REQ, final, &s->req_rule_pos);
	if (res == RULE_WAIT && final)
		res = RULE_CONTINUE;    /* cannot happen: final evaluations never miss */
	if (res == RULE_REJECT) {
		s->fe->denied_req++;
		if (px != s->fe)
			px->denied_req++;
		s->err = STRM_ERR_PRXCOND;
		s->fin = STRM_FIN_R;
	} else if (res == RULE_ERR) {
		if (s->err == STRM_ERR_NONE || !s->err)
			s->err = STRM_ERR_INTERNAL;
		if (s->fin == STRM_FIN_NONE || !s->fin)
			s->fin = STRM_FIN_R;
	}
	/* RULE_CLOSE (txn:done()): the Lua side set what it wanted logged */
	return res;
}

enum rule_res rules_exec_tcp_res_content(struct stream *s, int final)
{
	struct proxy *px = s->be ? s->be : s->fe;
	const struct rule_list *def = def_list(px, offsetof(struct proxy, tcp_res_cont));

	if (!def && !px->tcp_res_cont)
		return RULE_CONTINUE;
	if (!px->tcp_res_inspect_delay || (s->res.flags & CHAN_SHUTR) || chan_is_full(&s->res))
		final = 1;
	enum rule_res res = run_list(s, px, def, px->tcp_res_cont, SMP_DIR_RES, final, &s->res_rule_pos);
	if (res == RULE_WAIT && final)
		res = RULE_CONTINUE;
	if (res == RULE_CONTINUE && !s->http)
		stick_persist_store(s, 1);      /* "stick store-response" on the inspected response */
	if (res == RULE_REJECT) {
		px->denied_resp++;
		if (s->fe && s->fe != px)
			s->fe->denied_resp++;
	}
	/* "close" is not an error: HAProxy logs such a stream "--" */
	if (res == RULE_REJECT || res == RULE_ERR) {
		if (s->err == STRM_ERR_NONE || !s->err)
			s->err = res == RULE_ERR ? STRM_ERR_INTERNAL : STRM_ERR_PRXCOND;
		if (s->fin == STRM_FIN_NONE || !s->fin)
			s->fin = STRM_FIN_D;
	}
	return res;
}

struct proxy *rules_pick_backend(struct stream *s)
{
	struct proxy *fe = s->fe;
	struct smp_ctx ctx = { .strm = s, .px = fe, .dir = SMP_DIR_REQ, .final = 1 };

	if (!fe->switching)
		return fe->defbe;
	for (const struct rule *r = fe->switching->first; r; r = r->next) {
		if (r->cond && acl_cond_exec(r->cond, &ctx) != ACL_TRUE)
			continue;
		if (!r->u.be.dynamic)
			return r->u.be.be ? r->u.be.be : fe->defbe;
		if (!r->u.be.fmt)
			return fe->defbe;       /* not resolved (configuration errors) */
		/* dynamic name: an unknown backend falls back to the default one */
		char name[256];
		size_t n = logfmt_render(r->u.be.fmt, s, 0, name, sizeof(name));
		struct proxy *be = NULL;
		if (n && n < sizeof(name) - 1 && r->u.be.cfg)
			be = proxy_find(r->u.be.cfg, name, PX_CAP_BE);
		return be ? be : fe->defbe;
	}
	return fe->defbe;
}
