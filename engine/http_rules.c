/* http_rules.c: the actions of "http-request" and "http-response" rules
 * (HAProxy 2.6 syntax) and their execution on a parsed message. Lists,
 * conditions, set-var and Lua actions are rules.c's (rules_cfg_http,
 * rules_exec_http); each HTTP action is one struct http_act, built at
 * configuration time. Running an action allocates nothing: log-format
 * arguments render into per-thread scratch buffers, replies are built
 * there and copied into the response channel. */
#include <errno.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "engine/rules.h"
#include "engine/http_rules.h"
#include "engine/acl.h"
#include "engine/hooks.h"
#include "engine/http.h"
#include "engine/http_cap.h"
#include "engine/http_err.h"
#include "engine/http_errsec.h"
#include "engine/cache_cfg.h"
#include "engine/http_norm.h"
#include "engine/http_reply.h"
#include "engine/conn.h"
#include "engine/logfmt.h"
#include "engine/pattern.h"
#include "engine/sample.h"
#include "engine/stream.h"
#include "engine/stream_http.h"
#include "engine/thread.h"
#include "engine/timer.h"
#include "regex/rx.h"

enum ha_type {
	HA_ALLOW = 0, HA_DENY, HA_TARPIT, HA_RETURN, HA_REDIRECT, HA_AUTH,
	HA_SET_HDR, HA_ADD_HDR, HA_DEL_HDR, HA_REPLACE_HDR, HA_REPLACE_VAL,
	HA_SET_PATH, HA_SET_PATHQ, HA_SET_QUERY, HA_SET_URI, HA_SET_METHOD,
	HA_REPLACE_PATH, HA_REPLACE_PATHQ, HA_REPLACE_URI, HA_SET_STATUS, HA_SERVICE,
	HA_CAPTURE, HA_SET_MAP, HA_DEL_MAP, HA_ADD_ACL, HA_DEL_ACL,
	HA_SET_SRC, HA_SET_DST, HA_SET_SRC_PORT, HA_SET_DST_PORT,
	HA_NORMALIZE, HA_SILENT_DROP, HA_WAIT_BODY, HA_EARLY_HINT, HA_SET_TIMEOUT, HA_STRICT,
	HA_NOOP,            /* cache-use / cache-store: accepted, no cache (cache_cfg.h) */
};

/* "normalize-uri" normalizers */
enum ha_norm {
	HN_MERGE_SLASHES = 0, HN_STRIP_DOT, HN_STRIP_DOTDOT, HN_PCT_UPPER, HN_PCT_UNRESERVED,
	HN_SORT_QUERY, HN_FRAG_STRIP, HN_FRAG_ENCODE,
};

enum ha_redir { HA_REDIR_LOCATION = 0, HA_REDIR_PREFIX, HA_REDIR_SCHEME };

struct http_act {
	enum ha_type type;
	char *name; size_t nlen;    /* header name (set/add/del/replace-header...) */
	struct logfmt *fmt;         /* value, path, location... */
	char *subst;                /* replace-*: the replacement as written (log-format) */
	struct rx *re;              /* replace-*, del-header -m reg */
	enum http_match match;      /* del-header -m */
	int status;                 /* set-status, redirect code */
	struct logfmt *reason;      /* set-status reason */
	struct http_reply reply;    /* deny, return, tarpit */
	enum ha_redir redir;
	unsigned drop_query:1, append_slash:1, clear_cookie:1, ignore_empty:1;
	unsigned hint_more:1;       /* early-hint: the next rule (an unconditional early-hint) adds to its 103 */
	char *cookie;               /* redirect set-cookie/clear-cookie text */
	char *realm;                /* auth */
	void *service;              /* use-service, from lua_hooks.service_resolve */
	struct sample_expr *expr;   /* capture */
	int cap_id;                 /* capture slot */
	struct pat_list *pl;        /* set-map/del-map/add-acl/del-acl: the file's list (not owned) */
	struct logfmt *key;         /* their key */
	enum ha_norm norm;          /* normalize-uri */
	int norm_opt;               /* its "full" / "strict" */
	uint32_t wait_ms;           /* wait-for-body time; set-timeout's constant */
	int tmo_tunnel;             /* set-timeout: 1 tunnel, 0 server */
	uint64_t wait_min;          /* wait-for-body at-least, 0 = the whole body */
};

/* Bytes a rendered log-format argument, a rewrite or a reply may take. */
#define HA_BUF 16384

static __thread char ha_val[HA_BUF];       /* rendered argument */
static __thread char ha_tmp[HA_BUF];       /* regex expansion, location */
static __thread char ha_out[HA_BUF + 1024]; /* a built reply */


/* ---- freeing ---- */

void http_act_free(struct http_act *a)
{
	if (!a)
		return;
	free(a->name);
	logfmt_free(a->fmt);
	free(a->subst);
	rx_free(a->re);
	logfmt_free(a->reason);
	http_reply_free(&a->reply);
	free(a->cookie);
	free(a->realm);
	sample_expr_free(a->expr);
	logfmt_free(a->key);
	free(a);
}


/* ---- parsing ---- */

static int is_cond_word(const char *w)
{
	return !strcmp(w, "if") || !strcmp(w, "unless");
}

/* Returns the number of words from args[i] up to the condition or the end. */
static int count_args(char **args, int nargs, int i)
{
	int n = 0;
	while (i + n < nargs && *args[i + n] && !is_cond_word(args[i + n]))
		n++;
	return n;
}

int http_rules_fmt_compile(struct cfg_ctx *c, const char *s, struct logfmt **out)
{
	static const char pfx[] = "failed to parse log-format : ";
	char err[CFG_ERR_SIZE - 200];
	if ((*out = logfmt_compile(s, c->px, err, sizeof(err)))) {
		logfmt_set_rule_arg(*out);
		return 0;
	}
	/* HAProxy names the expression, not the log-format, for rule arguments */
	const char *e = strncmp(err, pfx, sizeof(pfx) - 1) ? err : err + sizeof(pfx) - 1;
	size_t el = strlen(e);
	if (el && e[el - 1] == '.')
		el--;
	return cfg_set_err(c, "%.*s", (int)el, e);
}


/* Parses one word argument that the keyword requires alone: "<kw> <fmt>". */
static int parse_one_fmt(struct cfg_ctx *c, struct http_act *a, char **args, int nargs, int i)
{
	if (count_args(args, nargs, i) != 1)
		return cfg_set_err(c, "expects exactly 1 argument <format>");
	if (http_rules_fmt_compile(c, args[i], &a->fmt) < 0)
		return -1;
	return i + 1;
}

/* Compiles <pat> into *<re>. Returns 0 or -1 with HAProxy's message
 * ("regex '(' is invalid (error=missing closing parenthesis, erroffset=1)"). */
static int compile_regex(struct cfg_ctx *c, struct rx **re, const char *pat, unsigned flags)
{
	char err[256];
	if ((*re = rx_compile(pat, strlen(pat), flags, err, sizeof(err))))
		return 0;
	char *at = strstr(err, " at offset ");
	if (at) {
		*at = 0;
		return cfg_set_err(c, "regex '%s' is invalid (error=%s, erroffset=%s)", pat, err, at + 11);
	}
	return cfg_set_err(c, "regex '%s' is invalid (error=%s)", pat, err);
}

static int parse_regex(struct cfg_ctx *c, struct http_act *a, const char *pat)
{
	return compile_regex(c, &a->re, pat, RX_NEED_GROUPS);
}

/* One option of a redirect at <args>[<i>]. Returns the index after it, 0
 * when it is no option, -1 on error (c->err set). */
static int redirect_opt(struct cfg_ctx *c, struct http_act *a, char **args, int nargs, int i)
{
	const char *k = args[i], *v = i + 1 < nargs ? args[i + 1] : "";

	if (!strcmp(k, "code")) {
		char *end;
		long code = strtol(v, &end, 10);
		if (!*v || is_cond_word(v))
			return cfg_set_err(c, "missing HTTP code");
		if (*end || (code != 301 && code != 302 && code != 303 && code != 307 && code != 308))
			return cfg_set_err(c, "'%s': unsupported HTTP code '%s' (must be one of 301, 302, 303, 307 or 308)",
			                   k, v);
		a->status = code;
		return i + 2;
	}
	if (!strcmp(k, "drop-query")) {
		a->drop_query = 1;
		return i + 1;
	}
	if (!strcmp(k, "append-slash")) {
		a->append_slash = 1;
		return i + 1;
	}
	if (!strcmp(k, "ignore-empty")) {
		a->ignore_empty = 1;
		return i + 1;
	}
	if (!strcmp(k, "set-cookie") || !strcmp(k, "clear-cookie")) {
		if (!*v || is_cond_word(v))
			return cfg_set_err(c, "'%s': missing cookie name", k);
		free(a->cookie);
		if (!(a->cookie = cfg_strdup(c, v)))
			return -1;
		a->clear_cookie = k[0] == 'c';
		return i + 2;
	}
	return 0;
}

/* "redirect location|prefix|scheme <fmt> [code N] [drop-query]
 * [append-slash] [set-cookie N[=V]] [clear-cookie N[=]]". */
static int parse_redirect(struct cfg_ctx *c, struct http_act *a, char **args, int nargs, int i)
{
	const char *t = i < nargs ? args[i] : "";

	a->status = 302;
	/* HAProxy takes the options before the type too ("code 301 location /x") */
	while (i < nargs && *t && !is_cond_word(t) && strcmp(t, "location") && strcmp(t, "prefix") &&
	       strcmp(t, "scheme")) {
		int j = redirect_opt(c, a, args, nargs, i);

		if (j <= 0)
			return j < 0 ? -1 : cfg_set_err(c, "expects 'code', 'prefix', 'location', 'scheme', 'set-cookie', 'clear-cookie', 'drop-query', 'ignore-empty' or 'append-slash' (was '%s')", t);
		i = j;
		t = i < nargs ? args[i] : "";
	}
	if (!strcmp(t, "location"))
		a->redir = HA_REDIR_LOCATION;
	else if (!strcmp(t, "prefix"))
		a->redir = HA_REDIR_PREFIX;
	else if (!strcmp(t, "scheme"))
		a->redir = HA_REDIR_SCHEME;
	else if (!*t || is_cond_word(t))
		return cfg_set_err(c, "redirection type expected ('prefix', 'location', or 'scheme')");
	else
		return cfg_set_err(c, "expects 'code', 'prefix', 'location', 'scheme', 'set-cookie', 'clear-cookie', 'drop-query', 'ignore-empty' or 'append-slash' (was '%s')",
		                   t);
	if (i + 1 >= nargs || !*args[i + 1] || is_cond_word(args[i + 1]))
		return cfg_set_err(c, "missing argument for '%s'", t);
	if (http_rules_fmt_compile(c, args[i + 1], &a->fmt) < 0)
		return -1;
	for (i += 2; i < nargs && *args[i] && !is_cond_word(args[i]);) {
		int j = redirect_opt(c, a, args, nargs, i);

		if (j < 0)
			return -1;
		if (!j)
			return cfg_set_err(c, "expects 'code', 'prefix', 'location', 'scheme', 'set-cookie', 'clear-cookie', 'drop-query', 'ignore-empty' or 'append-slash' (was '%s')",
			                   args[i]);
		i = j;
	}
	return i;
}

/* "normalize-uri <normalizer> [full|strict]". */
static int parse_normalize(struct cfg_ctx *c, struct http_act *a, char **args, int nargs, int i)
{
	static const struct { const char *name; enum ha_norm n; const char *opt; } tab[] = {
		{ "path-merge-slashes", HN_MERGE_SLASHES, NULL },
		{ "path-strip-dot", HN_STRIP_DOT, NULL },
		{ "path-strip-dotdot", HN_STRIP_DOTDOT, "full" },
		{ "percent-to-uppercase", HN_PCT_UPPER, "strict" },
		{ "percent-decode-unreserved", HN_PCT_UNRESERVED, "strict" },
		{ "query-sort-by-name", HN_SORT_QUERY, NULL },
		{ "fragment-strip", HN_FRAG_STRIP, NULL },
		{ "fragment-encode", HN_FRAG_ENCODE, NULL },
	};
	const char *w = i < nargs ? args[i] : "";

	a->type = HA_NORMALIZE;
	if (!*w || is_cond_word(w))
		return cfg_set_err(c, "Missing normalizer name.");
	for (size_t k = 0; k < sizeof(tab) / sizeof(tab[0]); k++) {
		if (strcmp(w, tab[k].name))
			continue;
		a->norm = tab[k].n;
		i++;
		if (i < nargs && *args[i] && !is_cond_word(args[i])) {
			if (!tab[k].opt || strcmp(args[i], tab[k].opt))
				return cfg_set_err(c, "Unsupported argument '%s' for normalizer '%s'.", args[i], w);
			a->norm_opt = 1;
			i++;
		}
		return i;
	}
	return cfg_set_err(c, "Unknown normalizer: '%s'.", w);
}

/* "set-timeout server|tunnel <time>|<expr>" (an expression gives milliseconds). */
static int parse_set_timeout(struct cfg_ctx *c, struct http_act *a, char **args, int nargs, int i)
{
	const char *t = i < nargs ? args[i] : "";
	char err[CFG_ERR_SIZE - 200];
	int j;

	a->type = HA_SET_TIMEOUT;
	if (c->px && !(c->px->cap & PX_CAP_BE))
		return cfg_set_err(c, "proxy '%s' has no backend capability.", c->px->name);
	if (!strcmp(t, "server"))
		a->tmo_tunnel = 0;
	else if (!strcmp(t, "tunnel"))
		a->tmo_tunnel = 1;
	else
		return cfg_set_err(c, "'set-timeout' expects 'server'/'tunnel' (got '%s')", t);
	if (++i >= nargs || !*args[i] || is_cond_word(args[i]))
		return cfg_set_err(c, "expects exactly 2 arguments");
	if (cfg_parse_time(args[i], &a->wait_ms) == 0)
		return i + 1;
	j = i;
	if (!(a->expr = sample_expr_parse_words(args, nargs, &j, c->px, err, sizeof(err))))
		return cfg_set_err(c, "%s", err);
	return j;
}

/* "wait-for-body time <time> [at-least <bytes>]". */
static int parse_wait_body(struct cfg_ctx *c, struct http_act *a, char **args, int nargs, int i)
{
	a->type = HA_WAIT_BODY;
	for (; i < nargs && *args[i] && !is_cond_word(args[i]); i += 2) {
		const char *v = i + 1 < nargs ? args[i + 1] : "";

		if (!strcmp(args[i], "time")) {
			if (!*v || cfg_parse_time(v, &a->wait_ms) < 0)
				return cfg_set_err(c, "'%s' expects a time as argument.", args[i]);
		} else if (!strcmp(args[i], "at-least")) {
			if (!*v || cfg_parse_size(v, &a->wait_min) < 0)
				return cfg_set_err(c, "'%s' expects a size as argument.", args[i]);
		} else {
			return cfg_set_err(c, "expects 'time' or 'at-least' but got '%s'.", args[i]);
		}
	}
	if (!a->wait_ms)
		return cfg_set_err(c, "expects 'time <time>' argument.");
	return i;
}

/* "http-request capture <expr> len <n> | id <n>", "http-response capture
 * <expr> id <n>" (the slot declared before by "declare capture"). */
static int parse_capture(struct cfg_ctx *c, struct http_act *a, int res, char **args, int nargs,
                         int i)
{
	char err[CFG_ERR_SIZE - 200];
	int j = i;
	long v;
	char *end;

	a->type = HA_CAPTURE;
	if (i >= nargs || !*args[i] || is_cond_word(args[i]))
		return cfg_set_err(c, res ? "expects <expression> id <idx>" :
		                   "expects <expression> [ 'len' <length> | id <idx> ]");
	if (!(a->expr = sample_expr_parse_words(args, nargs, &j, c->px, err, sizeof(err))))
		return cfg_set_err(c, "%s", err);
	if (j >= nargs || (strcmp(args[j], "len") && strcmp(args[j], "id"))) {
		if (res)
			return cfg_set_err(c, "expects 'id', found '%s'", j < nargs ? args[j] : "");
		return cfg_set_err(c, "expects <expression> [ 'len' <length> | id <idx> ]");
	}
	if (res && strcmp(args[j], "id"))
		return cfg_set_err(c, "expects 'id', found '%s'", args[j]);
	v = j + 1 < nargs ? strtol(args[j + 1], &end, 10) : 0;
	if (j + 1 >= nargs || !*args[j + 1] || *end || v < 0)
		return cfg_set_err(c, "'%s' expects a number", args[j]);
	if (!strcmp(args[j], "len")) {
		if (!v)
			return cfg_set_err(c, "length must be > 0");
		/* in a defaults section too: the frontends that inherit from it
		 * take its slots first (http_cap_inherit) */
		if (!(c->px->cap & PX_CAP_FE))
			return cfg_set_err(c, "'len' is only allowed in frontends");
		if ((a->cap_id = http_cap_add_slot(c, 0, v)) < 0)
			return -1;
	} else {
		if (!http_cap_has_slot(c->px, res, v))
			return cfg_set_err(c, "unable to find capture id '%ld' (declare it first with 'declare capture')", v);
		a->cap_id = v;
	}
	return j + 2;
}

/* "set-map(<file>) <key> <value>", "del-map(<file>) <key>",
 * "add-acl(<file>) <key>", "del-acl(<file>) <key>": the entries of a map or
 * ACL file change for every later lookup (as "set map" on the CLI). */
static int parse_patlist(struct cfg_ctx *c, struct http_act *a, const char *k, char **args,
                         int nargs, int i)
{
	int set = !strncmp(k, "set-map(", 8), add = !strncmp(k, "add-acl(", 8);
	int is_map = !strncmp(k + 4, "map(", 4);
	const char *file = k + 8, *close = strchr(file, ')');
	char name[1024], err[256];
	int want = set ? 2 : 1;

	a->type = set ? HA_SET_MAP : add ? HA_ADD_ACL : is_map ? HA_DEL_MAP : HA_DEL_ACL;
	if (!close || close[1] || close == file || (size_t)(close - file) >= sizeof(name))
		return cfg_set_err(c, "missing or invalid file name in '%s'", k);
	memcpy(name, file, close - file);
	name[close - file] = 0;
	if (count_args(args, nargs, i) != want)
		return cfg_set_err(c, "expects exactly %d argument%s", want, want > 1 ? "s" : "");
	if (!(a->pl = pat_list_find(name)) && !(a->pl = pat_list_load(name, is_map, err, sizeof(err))) &&
	    !(a->pl = pat_list_new(name, is_map)))
		return cfg_set_err(c, "out of memory.");
	if (http_rules_fmt_compile(c, args[i], &a->key) < 0)
		return -1;
	if (set && http_rules_fmt_compile(c, args[i + 1], &a->fmt) < 0)
		return -1;
	return i + want;
}

/* The rules_http_parse_fn of both keywords. */
static int parse_http_act(struct cfg_ctx *c, int res, char **args, int nargs, int i,
                          struct http_act **out)
{
	const char *k = args[i];
	struct http_act *a = calloc(1, sizeof(*a));
	int n;

	if (!a)
		return cfg_set_err(c, "out of memory.");
	i++;
	if (!strcmp(k, "allow")) {
		a->type = HA_ALLOW;
		n = i;
	} else if (!strcmp(k, "deny") || (!res && !strcmp(k, "tarpit"))) {
		a->type = k[0] == 'd' ? HA_DENY : HA_TARPIT;
		n = http_reply_parse(c, &a->reply, 1, res, args, nargs, i);
		if (a->type == HA_TARPIT && n >= 0 && a->reply.status == 403 && !a->reply.raw &&
		    !a->reply.body && !a->reply.body_fmt)
			a->reply.status = 500;  /* a tarpit ends with 500 unless told */
	} else if (!strcmp(k, "return")) {
		a->type = HA_RETURN;
		n = http_reply_parse(c, &a->reply, 0, res, args, nargs, i);
	} else if (!strcmp(k, "redirect")) {
		a->type = HA_REDIRECT;
		n = parse_redirect(c, a, args, nargs, i);
	} else if (!res && !strcmp(k, "auth")) {
		a->type = HA_AUTH;
		n = i;
		if (i < nargs && !strcmp(args[i], "realm")) {
			if (i + 1 >= nargs || !*args[i + 1] || is_cond_word(args[i + 1])) {
				n = cfg_set_err(c, "missing realm value.\n");
			} else {
				a->realm = cfg_strdup(c, args[i + 1]);
				n = a->realm ? i + 2 : -1;
			}
		}
	} else if (!strcmp(k, "set-header") || !strcmp(k, "add-header")) {
		a->type = k[0] == 's' ? HA_SET_HDR : HA_ADD_HDR;
		if (count_args(args, nargs, i) != 2) {
			n = cfg_set_err(c, "expects exactly 2 arguments");
		} else if (!(a->name = cfg_strdup(c, args[i]))) {
			n = -1;
		} else {
			a->nlen = strlen(a->name);
			n = http_rules_fmt_compile(c, args[i + 1], &a->fmt) < 0 ? -1 : i + 2;
		}
	} else if (!strcmp(k, "del-header")) {
		int na = count_args(args, nargs, i);
		a->type = HA_DEL_HDR;
		a->match = HTTP_MATCH_STR;
		if (na != 1 && na != 3) {
			n = cfg_set_err(c, "expects exactly 1 argument or 3 arguments with '-m' option");
		} else if (!(a->name = cfg_strdup(c, args[i]))) {
			n = -1;
		} else {
			a->nlen = strlen(a->name);
			n = i + 1;
			if (na == 3) {
				const char *m = args[i + 2];
				if (strcmp(args[i + 1], "-m"))
					n = cfg_set_err(c, "expects exactly 1 argument or 3 arguments with '-m' option");
				else if (!strcmp(m, "str"))
					a->match = HTTP_MATCH_STR;
				else if (!strcmp(m, "beg"))
					a->match = HTTP_MATCH_BEG;
				else if (!strcmp(m, "end"))
					a->match = HTTP_MATCH_END;
				else if (!strcmp(m, "sub"))
					a->match = HTTP_MATCH_SUB;
				else if (!strcmp(m, "reg"))
					a->match = HTTP_MATCH_REG;
				else
					n = cfg_set_err(c, "-m with unsupported matching method '%s'", m);
				if (n >= 0 && a->match == HTTP_MATCH_REG &&
				    compile_regex(c, &a->re, a->name, RX_ICASE) < 0)
					n = -1;
				if (n >= 0)
					n = i + 3;
			}
		}
	} else if (!strcmp(k, "replace-header") || !strcmp(k, "replace-value")) {
		a->type = k[8] == 'h' ? HA_REPLACE_HDR : HA_REPLACE_VAL;
		if (count_args(args, nargs, i) != 3)
			n = cfg_set_err(c, "expects exactly 3 arguments");
		else if (!(a->name = cfg_strdup(c, args[i])))
			n = -1;
		else if (a->nlen = strlen(a->name), parse_regex(c, a, args[i + 1]) < 0)
			n = -1;
		else if (http_rules_fmt_compile(c, args[i + 2], &a->fmt) < 0)
			n = -1;
		else
			n = i + 3;
	} else if (!res && (!strcmp(k, "replace-path") || !strcmp(k, "replace-pathq") ||
	                    !strcmp(k, "replace-uri"))) {
		a->type = !strcmp(k, "replace-uri") ? HA_REPLACE_URI :
		          !strcmp(k, "replace-path") ? HA_REPLACE_PATH : HA_REPLACE_PATHQ;
		if (count_args(args, nargs, i) != 2)
			n = cfg_set_err(c, "expects exactly 2 arguments <match-regex> and <replace-format>.");
		else if (parse_regex(c, a, args[i]) < 0)
			n = -1;
		else if (http_rules_fmt_compile(c, args[i + 1], &a->fmt) < 0)
			n = -1;
		else
			n = i + 2;
	} else if (!res && (!strcmp(k, "set-path") || !strcmp(k, "set-pathq") ||
	                    !strcmp(k, "set-query") || !strcmp(k, "set-uri") ||
	                    !strcmp(k, "set-method"))) {
		a->type = !strcmp(k, "set-path") ? HA_SET_PATH : !strcmp(k, "set-pathq") ? HA_SET_PATHQ :
		          !strcmp(k, "set-query") ? HA_SET_QUERY : !strcmp(k, "set-uri") ? HA_SET_URI :
		          HA_SET_METHOD;
		n = parse_one_fmt(c, a, args, nargs, i);
	} else if (res && !strcmp(k, "set-status")) {
		int na = count_args(args, nargs, i);
		char *end;
		long st = na ? strtol(args[i], &end, 10) : 0;
		a->type = HA_SET_STATUS;
		if (na != 1 && !(na == 3 && !strcmp(args[i + 1], "reason"))) {
			n = cfg_set_err(c, "expects 1 argument: <status>; or 3 arguments: <status> reason <fmt>");
		} else if (!*args[i] || *end || st < 100 || st > 999) {
			n = cfg_set_err(c, "expects an integer status code between 100 and 999");
		} else {
			a->status = st;
			n = i + 1;
			if (na == 3)
				n = http_rules_fmt_compile(c, args[i + 2], &a->reason) < 0 ? -1 : i + 3;
		}
	} else if (!strcmp(k, "capture")) {
		n = parse_capture(c, a, res, args, nargs, i);
	} else if (!res && (!strcmp(k, "set-src") || !strcmp(k, "set-dst") ||
	                    !strcmp(k, "set-src-port") || !strcmp(k, "set-dst-port"))) {
		char err[CFG_ERR_SIZE - 200];
		int j = i;
		a->type = !strcmp(k, "set-src") ? HA_SET_SRC : !strcmp(k, "set-dst") ? HA_SET_DST :
		          !strcmp(k, "set-src-port") ? HA_SET_SRC_PORT : HA_SET_DST_PORT;
		if (i >= nargs || !*args[i] || is_cond_word(args[i]))
			n = cfg_set_err(c, "missing fetch method");
		else if (!(a->expr = sample_expr_parse_words(args, nargs, &j, c->px, err, sizeof(err))))
			n = cfg_set_err(c, "%s", err);
		else
			n = j;
	} else if (!strncmp(k, "set-map(", 8) || !strncmp(k, "del-map(", 8) ||
	           !strncmp(k, "add-acl(", 8) || !strncmp(k, "del-acl(", 8)) {
		n = parse_patlist(c, a, k, args, nargs, i);
	} else if (!res && !strcmp(k, "normalize-uri")) {
		/* experimental in HAProxy 2.6: refused there without the global
		 * directive, so here too */
		if (!c->cfg->g.expose_experimental)
			n = cfg_set_err(c, "'normalize-uri' action is experimental, must be allowed via a global 'expose-experimental-directives'");
		else
			n = parse_normalize(c, a, args, nargs, i);
	} else if (!res && !strcmp(k, "set-timeout")) {
		n = parse_set_timeout(c, a, args, nargs, i);
	} else if (!strcmp(k, "strict-mode")) {
		a->type = HA_STRICT;
		if (i >= nargs || (strcmp(args[i], "on") && strcmp(args[i], "off"))) {
			n = cfg_set_err(c, "expects 'on' or 'off' as argument");
		} else {
			a->status = !strcmp(args[i], "on");
			n = i + 1;
		}
	} else if (!strcmp(k, "silent-drop")) {
		a->type = HA_SILENT_DROP;
		n = i;
	} else if (!strcmp(k, "wait-for-body")) {
		n = parse_wait_body(c, a, args, nargs, i);
	} else if ((!res && !strcmp(k, "cache-use")) || (res && !strcmp(k, "cache-store"))) {
		a->type = HA_NOOP;
		if (i >= nargs || !*args[i] || is_cond_word(args[i]))
			n = cfg_set_err(c, "expects a cache name");
		else if (cache_cfg_ref(c->px, args[i], "the filter 'cache'") < 0)   /* HAProxy's wording */
			n = cfg_set_err(c, "out of memory.");
		else
			n = i + 1;
	} else if (!res && !strcmp(k, "early-hint")) {
		a->type = HA_EARLY_HINT;
		if (count_args(args, nargs, i) != 2) {
			n = cfg_set_err(c, "expects exactly 2 arguments");
		} else if (!(a->name = cfg_strdup(c, args[i]))) {
			n = -1;
		} else {
			a->nlen = strlen(a->name);
			n = http_rules_fmt_compile(c, args[i + 1], &a->fmt) < 0 ? -1 : i + 2;
		}
	} else if (!res && !strcmp(k, "use-service")) {
		const char *svc = i < nargs ? args[i] : "";
		char err[256] = "";
		a->type = HA_SERVICE;
		if (!*svc || is_cond_word(svc))
			n = cfg_set_err(c, "expects a service reference");
		else if (strncmp(svc, "lua.", 4) || !lua_hooks.service_resolve)
			n = cfg_set_err(c, "'%s' unknown service name", svc);
		else if (!lua_hooks.service_run)
			n = cfg_set_err(c, "'%s': Lua services cannot run in HTTP rules yet", svc);
		else if (!(a->service = lua_hooks.service_resolve(svc + 4, err, sizeof(err))))
			n = cfg_set_err(c, "%s", *err ? err : "unknown service name.");
		else if (!(a->name = malloc(strlen(svc) + 3)))
			n = cfg_set_err(c, "out of memory.");
		else {
			/* what the log shows as the server: "<lua.name>" */
			snprintf(a->name, strlen(svc) + 3, "<%s>", svc);
			n = i + 1;
		}
	} else {
		free(a);
		return 0;               /* not an HTTP action */
	}
	if (n < 0) {
		http_act_free(a);
		return -1;
	}
	*out = a;
	return n;
}

static const char req_known[] =
	"'add-acl(*)', 'add-header', 'allow', 'auth', 'capture', 'del-acl(*)', 'del-header', 'del-map(*)', 'deny', 'lua.*', 'lua', 'redirect', "
	"'replace-header', 'replace-path', 'replace-pathq', 'replace-uri', 'replace-value', "
	"'reject', 'return', 'set-header', 'set-log-level', 'set-map(*)', 'set-method', 'set-path', 'set-pathq', "
	"'set-dst', 'set-dst-port', 'set-query', 'set-src', 'set-src-port', 'set-uri', 'set-var(*)', 'set-var-fmt(*)', 'tarpit', 'unset-var(*)', "
	"'use-service', 'normalize-uri', 'silent-drop', 'wait-for-body', 'early-hint', 'set-timeout', 'strict-mode',";
static const char res_known[] =
	"'add-acl(*)', 'add-header', 'allow', 'capture', 'del-acl(*)', 'del-header', 'del-map(*)', "
	"'deny', 'lua.*', 'lua', 'redirect', 'replace-header', 'replace-value', 'return', "
	"'set-header', 'set-log-level', 'set-map(*)', 'set-status', 'set-var(*)', 'set-var-fmt(*)', 'unset-var(*)', 'silent-drop', 'wait-for-body', 'strict-mode',";

static const char after_known[] =
	"'add-header', 'allow', 'capture', 'del-header', 'replace-header', 'replace-value', "
	"'set-header', 'set-status', 'set-var-fmt(*)', 'set-var(*)', 'strict-mode', 'unset-var(*)',";

/* The parse function of http-after-response: the response actions that
 * only edit the message. */
static int parse_after_act(struct cfg_ctx *c, int res, char **args, int nargs, int i,
                           struct http_act **out)
{
	static const char *const ok[] = { "add-header", "allow", "capture", "del-header",
	                                  "replace-header", "replace-value", "set-header",
	                                  "set-status", "strict-mode", NULL };
	for (int k = 0; ok[k]; k++)
		if (!strcmp(args[i], ok[k]))
			return parse_http_act(c, 1, args, nargs, i, out);
	return 0;
}

static int cfg_common(struct cfg_ctx *c, char **args, int nargs, int res)
{
	struct proxy *px = c->px;
	if (!px)
		return cfg_set_err(c, "'%s' is only allowed in proxy sections", args[0]);
	if (c->sec == CFG_SEC_DEFAULTS && (!px->name || !*px->name))
		return cfg_set_err(c, "'%s' not allowed in anonymous 'defaults' section.", args[0]);
	if (res == 2) {
		const char *a = nargs > 1 ? args[1] : "";
		/* rules.c takes lua and set-log-level: not after-response actions */
		if (!strncmp(a, "lua", 3) || !strcmp(a, "set-log-level")) {
			c->err_tight = 1;
			return cfg_set_err(c, "'%s' expects %s but got '%s'.", args[0], after_known, a);
		}
		return rules_cfg_http(c, args[0], 1, &px->http_after_res, args, nargs,
		                      parse_after_act, after_known);
	}
	if (rules_cfg_http(c, args[0], res, res ? &px->http_res : &px->http_req, args, nargs,
	                   parse_http_act, res ? res_known : req_known) < 0)
		return -1;
	if (!res) {
		/* consecutive early-hint rules send one 103, as HAProxy, unless
		 * the later one has a condition */
		struct http_act *prev, *last;
		int cond;

		last = rules_http_tail(px->http_req, &prev, &cond);
		if (last && last->type == HA_EARLY_HINT && !cond && prev && prev->type == HA_EARLY_HINT)
			prev->hint_more = 1;
	}
	return 0;
}

int http_rules_cfg_after_response(struct cfg_ctx *c, char **args, int nargs)
{
	return cfg_common(c, args, nargs, 2);
}

int http_rules_cfg_redirect(struct cfg_ctx *c, char **args, int nargs)
{
	struct proxy *px = c->px;
	struct http_act *a;
	struct acl_cond *cond = NULL;
	int i;

	rules_cfg_order(c, RO_REDIRECT);
	if (!px)
		return cfg_set_err(c, "'%s' is only allowed in proxy sections", args[0]);
	if (c->sec == CFG_SEC_DEFAULTS)
		return cfg_set_err(c, "'%s' not allowed in 'defaults' section.", args[0]);
	if (!(a = calloc(1, sizeof(*a))))
		return cfg_set_err(c, "out of memory.");
	a->type = HA_REDIRECT;
	if ((i = parse_redirect(c, a, args, nargs, 1)) < 0)
		goto fail_wrap;
	if (i < nargs && *args[i]) {
		if (!(cond = acl_cond_parse(c, args + i, nargs - i))) {
			char msg[CFG_ERR_SIZE];
			snprintf(msg, sizeof(msg), "error in condition: %.900s", c->err);
			snprintf(c->err, sizeof(c->err), "%s", msg);
			goto fail_wrap;
		}
	}
	return rules_add_http(c, &px->redirects, a, cond);
fail_wrap: {
		char msg[CFG_ERR_SIZE];
		snprintf(msg, sizeof(msg), "error detected in %s '%.64s' while parsing redirect rule : %.800s.",
		         (px->cap & (PX_CAP_FE | PX_CAP_BE)) == (PX_CAP_FE | PX_CAP_BE) ? "listen" :
		         (px->cap & PX_CAP_FE) ? "frontend" : "backend", px->name ? px->name : "", c->err);
		snprintf(c->err, sizeof(c->err), "%s", msg);
	}
	http_act_free(a);
	return -1;
}

int http_rules_cfg_request(struct cfg_ctx *c, char **args, int nargs)
{
	rules_cfg_order(c, RO_HTTP_REQ);
	return cfg_common(c, args, nargs, 0);
}

int http_rules_cfg_response(struct cfg_ctx *c, char **args, int nargs)
{
	return cfg_common(c, args, nargs, 1);
}


/* ---- execution ---- */

static enum rule_res run_after(struct stream *s);
static int has_after(const struct stream *s);

static struct http_msg *msg_of(struct stream *s, int dir)
{
	struct http_txn *txn = s->http;
	if (!txn)
		return NULL;
	return dir ? &txn->rsp : &txn->req;
}

/* Renders <f> into ha_val. Returns the length. */
static size_t render(const struct logfmt *f, struct stream *s)
{
	return logfmt_render(f, s, 0, ha_val, sizeof(ha_val));
}

/* Queues <len> bytes of <resp> (a whole response) for the client, with
 * <status> as the transaction's. Returns RULE_REPLY or RULE_ERR. */
static int reply_queue(struct stream *s, const char *resp, size_t len, int status)
{
	return stream_http_reply(s, resp, len, status, 0) < 0 ? RULE_ERR : RULE_REPLY;
}


/* Appends <n> bytes of <p> at ha_tmp + *<len>. Returns 0 or -1 (no room). */
static int tmp_add(size_t *len, const char *p, size_t n)
{
	if (*len + n > sizeof(ha_tmp))
		return -1;
	memcpy(ha_tmp + *len, p, n);
	*len += n;
	return 0;
}

/* The location of a redirect, in ha_tmp. Returns its length or -1. */
static long redirect_location(const struct http_act *a, struct stream *s, struct http_msg *req)
{
	char buf[HA_BUF];
	const char *uri = NULL, *pq = NULL;
	size_t ulen = 0, pqlen = 0, len = 0;
	size_t n = render(a->fmt, s);

	if (!n && a->ignore_empty)
		return -2;                  /* "ignore-empty": the rule does nothing */
	if (a->redir == HA_REDIR_LOCATION)
		return tmp_add(&len, ha_val, n) < 0 ? -1 : (long)len;
	/* the path and query of the request, from the first '/' of the path */
	if (req && http_msg_ready(req)) {
		struct h1_span sp;
		uri = http_get_uri(req, buf, sizeof(buf), &ulen);
		if (uri && http_uri_path(req, &sp)) {
			size_t off = sp.off - req->h1.uri.off;
			if (off <= ulen) {
				pq = uri + off;
				pqlen = ulen - off;
			}
		}
	}
	if (!pq) {
		pq = "/";
		pqlen = 1;
	}
	if (a->drop_query) {
		const char *q = memchr(pq, '?', pqlen);
		if (q)
			pqlen = q - pq;
	}
	if (a->redir == HA_REDIR_PREFIX) {
		/* a prefix of "/" adds nothing, as HAProxy avoids "//" */
		if (!(n == 1 && ha_val[0] == '/') && tmp_add(&len, ha_val, n) < 0)
			return -1;
	} else {
		struct http_val hv;
		if (tmp_add(&len, ha_val, n) < 0 || tmp_add(&len, "://", 3) < 0)
			return -1;
		if (req && http_val_find(req, "host", 4, 1, 1, &hv) >= 1) {
			char hb[1024];
			size_t hl;
			const char *h = http_span(req, hv.v, hb, sizeof(hb), &hl);
			if (h && tmp_add(&len, h, hl) < 0)
				return -1;
		}
	}
	if (tmp_add(&len, pq, pqlen) < 0)
		return -1;
	if (a->append_slash && pqlen && pq[pqlen - 1] != '/' && tmp_add(&len, "/", 1) < 0)
		return -1;
	return len;
}

static int exec_redirect(const struct http_act *a, struct stream *s)
{
	char ck[512];
	size_t cklen = 0;
	long loc = redirect_location(a, s, msg_of(s, 0));
	if (loc == -2)
		return -1;
	if (loc < 0)
		return RULE_ERR;
	if (a->cookie) {
		cklen = strlen(a->cookie);
		if (cklen >= sizeof(ck))
			return RULE_ERR;
		memcpy(ck, a->cookie, cklen);
	}
	long len = http_redirect_build(ha_out, sizeof(ha_out) - 16, a->status, ha_tmp, loc,
	                               a->cookie ? ck : NULL, cklen);
	if (len < 0)
		return RULE_ERR;
	if (a->cookie && a->clear_cookie) {
		/* "set-cookie: NAME=; path=/; Max-Age=0;" as HAProxy: the set-cookie
		 * line is the last one, before the blank line */
		static const char ma[] = " Max-Age=0;";
		memcpy(ha_out + len - 4 + sizeof(ma) - 1, "\r\n\r\n", 4);
		memcpy(ha_out + len - 4, ma, sizeof(ma) - 1);
		len += sizeof(ma) - 1;
	}
	if (!s->err || s->err == STRM_ERR_NONE)
		s->err = STRM_ERR_LOCAL;
	if (!s->fin || s->fin == STRM_FIN_NONE)
		s->fin = STRM_FIN_R;
	return reply_queue(s, ha_out, len, a->status);
}

static int exec_auth(const struct http_act *a, struct stream *s, struct proxy *px)
{
	const char *realm = a->realm ? a->realm : (px->name ? px->name : "");
	long n = http_auth_reply_build(ha_out, sizeof(ha_out), px, 401, realm, strlen(realm));
	if (n < 0)
		return RULE_ERR;
	if (!s->err || s->err == STRM_ERR_NONE)
		s->err = STRM_ERR_PRXCOND;
	if (!s->fin || s->fin == STRM_FIN_NONE)
		s->fin = STRM_FIN_R;
	return reply_queue(s, ha_out, n, 401);
}

/* A tarpitted stream: the action yields until <t> fires, then answers.
 * Entries are per thread, found by the stream's (idx, gen): a stream that
 * dies meanwhile is never touched, its entry is dropped when it fires. */
struct tarpit {
	struct timer t;
	struct tarpit *next;
	struct thr *thr;
	uint32_t idx, gen;
	int fired;
};
static __thread struct tarpit *tarpit_active, *tarpit_free;

static void tarpit_unlink(struct tarpit *tp)
{
	for (struct tarpit **pp = &tarpit_active; *pp; pp = &(*pp)->next)
		if (*pp == tp) {
			*pp = tp->next;
			break;
		}
	tp->next = tarpit_free;
	tarpit_free = tp;
}

static void tarpit_expire(struct timer *t)
{
	struct tarpit *tp = (struct tarpit *)t;     /* <t> is the first member */
	struct stream *s = stream_from_ref(tp->thr, tp->idx, tp->gen);

	if (!s) {
		tarpit_unlink(tp);
		return;
	}
	tp->fired = 1;
	stream_wakeup(s);
}

/* Returns 1 when <s>'s wait of <delay> ms (tarpit, wait-for-body) is over
 * (its entry released), 0 while it runs (the first call starts it), -1
 * when it cannot be started. */
static int tarpit_wait(struct stream *s, uint32_t delay)
{
	struct tarpit *tp;

	for (tp = tarpit_active; tp; tp = tp->next)
		if (tp->thr == s->thr && tp->idx == s->idx && tp->gen == s->gen)
			break;
	if (tp) {
		if (!tp->fired)
			return 0;
		tarpit_unlink(tp);
		return 1;
	}
	if (!delay || !s->thr)
		return 1;
	if ((tp = tarpit_free))
		tarpit_free = tp->next;
	else if (!(tp = malloc(sizeof(*tp))))
		return -1;
	timer_init(&tp->t, tarpit_expire);
	tp->thr = s->thr;
	tp->idx = s->idx;
	tp->gen = s->gen;
	tp->fired = 0;
	tp->next = tarpit_active;
	tarpit_active = tp;
	timer_arm(&s->thr->timers, &tp->t, s->thr->now_ms + delay);
	return 0;
}

/* Ends a wait of <s> before its timer fired (the body came). */
static void tarpit_cancel(struct stream *s)
{
	for (struct tarpit *tp = tarpit_active; tp; tp = tp->next)
		if (tp->thr == s->thr && tp->idx == s->idx && tp->gen == s->gen) {
			timer_cancel(&s->thr->timers, &tp->t);
			tarpit_unlink(tp);
			return;
		}
}

/* Answers the proxy's error page for <status> (a rule's own error: 400 for
 * a URI strict normalization refuses, 408 when wait-for-body times out). */
static int reply_errpage(struct stream *s, struct proxy *px, int status, char err, char fin)
{
	struct http_reply r;
	long len;

	memset(&r, 0, sizeof(r));
	r.status = status;
	r.errpage = 1;
	if ((len = http_reply_render(&r, s, px, ha_out, sizeof(ha_out))) < 0)
		return RULE_ERR;
	if (!s->err || s->err == STRM_ERR_NONE)
		s->err = err;
	if (!s->fin || s->fin == STRM_FIN_NONE)
		s->fin = fin;
	return reply_queue(s, ha_out, (size_t)len, status);
}

/* normalize-uri: the path (path-*), the query (query-sort-by-name) or the
 * whole URI (percent-*, fragment-*) rewritten. Returns -1 (next rule),
 * RULE_REPLY (400: strict) or RULE_ERR. */
static int exec_normalize(const struct http_act *a, struct stream *s, struct http_msg *m,
                          struct proxy *px)
{
	char buf[HA_BUF];
	const char *p;
	size_t plen;
	struct h1_span sp;
	int n, whole = a->norm == HN_PCT_UPPER || a->norm == HN_PCT_UNRESERVED ||
	               a->norm == HN_FRAG_STRIP || a->norm == HN_FRAG_ENCODE;

	if (whole) {
		p = http_get_uri(m, buf, sizeof(buf), &plen);
	} else if (a->norm == HN_SORT_QUERY) {
		if (!http_uri_query(m, &sp))
			return -1;
		p = http_span(m, sp, buf, sizeof(buf), &plen);
	} else {
		if (!http_uri_path(m, &sp))
			return -1;
		p = http_span(m, sp, buf, sizeof(buf), &plen);
	}
	if (!p)
		return -1;
	switch (a->norm) {
	case HN_MERGE_SLASHES:  n = http_norm_merge_slashes(p, plen, ha_tmp, sizeof(ha_tmp)); break;
	case HN_STRIP_DOT:      n = http_norm_strip_dot(p, plen, ha_tmp, sizeof(ha_tmp)); break;
	case HN_STRIP_DOTDOT:   n = http_norm_strip_dotdot(p, plen, a->norm_opt, ha_tmp, sizeof(ha_tmp)); break;
	case HN_PCT_UPPER:      n = http_norm_pct_upper(p, plen, a->norm_opt, ha_tmp, sizeof(ha_tmp)); break;
	case HN_PCT_UNRESERVED: n = http_norm_pct_unreserved(p, plen, a->norm_opt, ha_tmp, sizeof(ha_tmp)); break;
	case HN_SORT_QUERY:     n = http_norm_sort_query(p, plen, ha_tmp, sizeof(ha_tmp)); break;
	case HN_FRAG_STRIP:     n = http_norm_fragment(p, plen, 0, ha_tmp, sizeof(ha_tmp)); break;
	default:                n = http_norm_fragment(p, plen, 1, ha_tmp, sizeof(ha_tmp)); break;
	}
	if (n == HTTP_NORM_BAD)
		return reply_errpage(s, px, 400, STRM_ERR_PRXCOND, STRM_FIN_R);
	if (n < 0)
		return -1;                 /* does not fit: unchanged */
	if ((size_t)n == plen && !memcmp(p, ha_tmp, plen))
		return -1;
	if (whole)
		return http_set_uri(m, ha_tmp, (size_t)n) < 0 ? RULE_ERR : -1;
	if (a->norm == HN_SORT_QUERY)
		return http_set_query(m, ha_tmp, (size_t)n) < 0 ? RULE_ERR : -1;
	return http_set_path(m, ha_tmp, (size_t)n) < 0 ? RULE_ERR : -1;
}

/* wait-for-body: the message's body is read (not forwarded) until it is
 * complete, "at-least" bytes of it came or the buffer is full; at the
 * end of "time" without that, 408 for a request, 504 for a response (the
 * server's is dropped). Returns -1 (next rule), RULE_YIELD, RULE_REPLY or
 * RULE_ERR. */
static int exec_wait_body(const struct http_act *a, struct stream *s, struct http_msg *m,
                          struct proxy *px)
{
	int res = m->is_resp;

	int r = HTTP_PARSE_DONE, w;

	if (m->state == HTTP_MSG_BODY)
		r = http_msg_body_parse(m);
	if (r == HTTP_PARSE_ERR)
		return res ? RULE_ERR : reply_errpage(s, px, 400, STRM_ERR_PRXCOND, STRM_FIN_R);
	if (r == HTTP_PARSE_DONE || (a->wait_min && m->body_fed >= a->wait_min) ||
	    chan_is_full(m->chan) || (m->chan->flags & CHAN_SHUTR)) {
		tarpit_cancel(s);
		return -1;
	}
	w = tarpit_wait(s, a->wait_ms);
	if (w < 0)
		return RULE_ERR;
	if (!w)
		return RULE_YIELD;
	if (res)
		return reply_errpage(s, px, 504, STRM_ERR_SRVTO, STRM_FIN_D);
	return reply_errpage(s, px, 408, STRM_ERR_CLITO, STRM_FIN_R);
}

/* early-hint: a "103 Early Hints" interim response carrying the header
 * goes to the client (an HTTP/1.1 client only, as HAProxy); a run of them
 * (hint_more) is gathered in <hint> and sent as one 103. The run never
 * yields: it is built and sent within one pass of the rules. */
static void exec_early_hint(const struct http_act *a, struct stream *s, struct http_msg *m)
{
	static const char st[] = "HTTP/1.1 103 Early Hints\r\n";
	static __thread char hint[HA_BUF];
	static __thread size_t hint_len;
	size_t n;

	if (!(m->h1.flags & H1_MF_VER_11))
		return;
	n = render(a->fmt, s);
	if (!hint_len) {
		memcpy(hint, st, sizeof(st) - 1);
		hint_len = sizeof(st) - 1;
	}
	if (hint_len + a->nlen + n + 6 <= sizeof(hint)) {
		memcpy(hint + hint_len, a->name, a->nlen);
		hint_len += a->nlen;
		memcpy(hint + hint_len, ": ", 2);
		memcpy(hint + hint_len + 2, ha_val, n);
		memcpy(hint + hint_len + 2 + n, "\r\n", 2);
		hint_len += n + 4;
	}
	if (a->hint_more)
		return;
	memcpy(hint + hint_len, "\r\n", 2);
	chan_put_out(&s->res, hint, hint_len + 2);
	hint_len = 0;
}

static int exec_reply(const struct http_act *a, struct stream *s, struct smp_ctx *ctx)
{
	if (a->type == HA_TARPIT) {
		/* hold the request for "timeout tarpit" (else "timeout connect"),
		 * then answer, as HAProxy */
		int w = tarpit_wait(s, ctx->px->to.tarpit ? ctx->px->to.tarpit : ctx->px->to.connect);
		if (w < 0)
			return RULE_ERR;
		if (!w)
			return RULE_YIELD;
	}
	long len = http_reply_render(&a->reply, s, ctx->px, ha_out, sizeof(ha_out));
	if (len < 0)
		return RULE_ERR;
	if (a->type == HA_RETURN) {
		if (!s->err || s->err == STRM_ERR_NONE)
			s->err = STRM_ERR_LOCAL;
	} else {
		if (ctx->dir == SMP_DIR_RES) {
			ctx->px->denied_resp++;
			if (s->fe && s->fe != ctx->px)
				s->fe->denied_resp++;
		} else {
			s->fe->denied_req++;
			if (ctx->px != s->fe)
				ctx->px->denied_req++;
		}
		if (!s->err || s->err == STRM_ERR_NONE)
			s->err = STRM_ERR_PRXCOND;
	}
	if (!s->fin || s->fin == STRM_FIN_NONE)
		s->fin = ctx->dir == SMP_DIR_RES ? STRM_FIN_H : a->type == HA_TARPIT ? STRM_FIN_T : STRM_FIN_R;
	return reply_queue(s, ha_out, len, a->reply.status);
}

/* replace-path / replace-pathq / replace-uri: the part matched by the
 * regex becomes the expansion of the rendered format. */
static int exec_replace_uri(const struct http_act *a, struct stream *s, struct http_msg *m)
{
	char buf[HA_BUF];
	const char *p;
	size_t plen, vlen = render(a->fmt, s);
	struct h1_span sp, q;

	if (a->type == HA_REPLACE_URI) {
		p = http_get_uri(m, buf, sizeof(buf), &plen);
	} else {
		if (!http_uri_path(m, &sp))
			return -1;
		if (a->type == HA_REPLACE_PATHQ && http_uri_query(m, &q))
			sp.len = q.off + q.len - sp.off;
		p = http_span(m, sp, buf, sizeof(buf), &plen);
	}
	if (!p)
		return -1;
	int n = rx_subst(a->re, p, plen, ha_val, vlen, ha_tmp, sizeof(ha_tmp));
	if (n == RX_NOMATCH)
		return -1;
	if (n < 0)
		return RULE_ERR;
	int rc = a->type == HA_REPLACE_URI ? http_set_uri(m, ha_tmp, n) :
	         a->type == HA_REPLACE_PATH ? http_set_path(m, ha_tmp, n) :
	         http_set_pathq(m, ha_tmp, n);
	return rc < 0 ? RULE_ERR : -1;
}

int http_act_exec(const struct http_act *a, struct stream *s, struct smp_ctx *ctx)
{
	struct http_msg *m = msg_of(s, ctx->dir == SMP_DIR_RES);
	size_t n;
	int rc = 0;

	if (!m || !http_msg_ready(m))
		return RULE_ERR;
	switch (a->type) {
	case HA_ALLOW:
		return RULE_CONTINUE;
	case HA_DENY:
	case HA_TARPIT:
	case HA_RETURN:
		return exec_reply(a, s, ctx);
	case HA_REDIRECT:
		return exec_redirect(a, s);
	case HA_AUTH:
		return exec_auth(a, s, ctx->px);
	case HA_SET_HDR:
	case HA_ADD_HDR:
		n = render(a->fmt, s);
		rc = a->type == HA_SET_HDR ? http_hdr_set(m, a->name, a->nlen, ha_val, n) :
		     http_hdr_add(m, a->name, a->nlen, ha_val, n);
		break;
	case HA_DEL_HDR:
		rc = http_hdr_del_match(m, a->name, a->nlen, a->match, a->re);
		break;
	case HA_REPLACE_HDR:
	case HA_REPLACE_VAL:
		n = render(a->fmt, s);
		rc = http_hdr_replace_rx(m, a->name, a->nlen, a->re, ha_val, n, a->type == HA_REPLACE_VAL);
		break;
	case HA_SET_PATH:
	case HA_SET_PATHQ:
	case HA_SET_QUERY:
	case HA_SET_URI:
	case HA_SET_METHOD:
		n = render(a->fmt, s);
		rc = a->type == HA_SET_PATH ? http_set_path(m, ha_val, n) :
		     a->type == HA_SET_PATHQ ? http_set_pathq(m, ha_val, n) :
		     a->type == HA_SET_QUERY ? http_set_query(m, ha_val, n) :
		     a->type == HA_SET_URI ? http_set_uri(m, ha_val, n) :
		     http_set_method(m, ha_val, n);
		break;
	case HA_REPLACE_PATH:
	case HA_REPLACE_PATHQ:
	case HA_REPLACE_URI:
		rc = exec_replace_uri(a, s, m);
		if (rc == RULE_ERR && (((struct http_txn *)s->http)->flags & HTTP_TXN_NOSTRICT))
			return -1;
		return rc;
	case HA_SET_STATUS:
		if (a->reason) {
			n = render(a->reason, s);
			rc = http_set_status(m, a->status, ha_val, n);
		} else {
			rc = http_set_status(m, a->status, NULL, 0);
		}
		break;
	case HA_CAPTURE: {
		struct sample smp;
		memset(&smp, 0, sizeof(smp));
		if (sample_expr_eval(a->expr, ctx, &smp) && sample_cast(&smp, SMP_T_STR))
			http_cap_store(s, ctx->dir == SMP_DIR_RES, a->cap_id, smp.u.str.ptr, smp.u.str.len);
		return -1;
	}
	case HA_SET_MAP:
	case HA_DEL_MAP:
	case HA_ADD_ACL:
	case HA_DEL_ACL: {
		/* key in ha_tmp, value in ha_val, both NUL-terminated */
		size_t kl = logfmt_render(a->key, s, 0, ha_tmp, sizeof(ha_tmp));
		ha_tmp[kl < sizeof(ha_tmp) ? kl : sizeof(ha_tmp) - 1] = 0;
		if (a->type == HA_SET_MAP) {
			n = render(a->fmt, s);
			ha_val[n < sizeof(ha_val) ? n : sizeof(ha_val) - 1] = 0;
			pat_list_set(a->pl, ha_tmp, ha_val);
		} else if (a->type == HA_ADD_ACL) {
			pat_list_del(a->pl, ha_tmp);    /* once, as HAProxy adds a missing key */
			pat_list_add(a->pl, ha_tmp, NULL);
		} else {
			pat_list_del(a->pl, ha_tmp);
		}
		return -1;
	}
	case HA_SET_SRC:
	case HA_SET_DST:
	case HA_SET_SRC_PORT:
	case HA_SET_DST_PORT:
		rules_set_addr(s, a->type == HA_SET_SRC ? RULES_SRC : a->type == HA_SET_DST ? RULES_DST :
		               a->type == HA_SET_SRC_PORT ? RULES_SRC_PORT : RULES_DST_PORT, a->expr, ctx);
		return -1;
	case HA_NORMALIZE:
		return exec_normalize(a, s, m, ctx->px);
	case HA_NOOP:
		return -1;
	case HA_STRICT: {
		struct http_txn *txn = s->http;

		if (a->status)
			txn->flags &= ~HTTP_TXN_NOSTRICT;
		else
			txn->flags |= HTTP_TXN_NOSTRICT;
		return -1;
	}
	case HA_SET_TIMEOUT: {
		/* the stream's server or tunnel timeout from now on (this
		 * transaction); an expression that gives nothing changes nothing */
		uint32_t ms = a->wait_ms;

		if (a->expr) {
			struct sample smp;

			memset(&smp, 0, sizeof(smp));
			if (!sample_expr_eval(a->expr, ctx, &smp) || !sample_cast(&smp, SMP_T_SINT) ||
			    smp.u.sint <= 0)
				return -1;
			ms = smp.u.sint > INT32_MAX ? INT32_MAX : (uint32_t)smp.u.sint;
		}
		if (a->tmo_tunnel)
			s->to_tunnel = ms;
		else
			s->to_server = ms;
		return -1;
	}
	case HA_WAIT_BODY:
		return exec_wait_body(a, s, m, ctx->px);
	case HA_EARLY_HINT:
		exec_early_hint(a, s, m);
		return -1;
	case HA_SILENT_DROP:
		/* nothing at all goes to the client, as HAProxy */
		rules_silent_drop(s);
		if (ctx->dir == SMP_DIR_RES)
			ctx->px->denied_resp++;
		else
			s->fe->denied_req++;
		if (!s->err || s->err == STRM_ERR_NONE)
			s->err = STRM_ERR_PRXCOND;
		if (!s->fin || s->fin == STRM_FIN_NONE)
			s->fin = ctx->dir == SMP_DIR_RES ? STRM_FIN_H : STRM_FIN_R;
		return RULE_CLOSE;
	case HA_SERVICE:
		stream_http_service(s, a->name);
		switch (lua_hooks.service_run ? lua_hooks.service_run(a->service, s) : ACT_RET_ERR) {
		case ACT_RET_YIELD:
			return RULE_YIELD;
		case ACT_RET_CONT:
		case ACT_RET_STOP:
		case ACT_RET_DONE:
			if (!s->err || s->err == STRM_ERR_NONE)
				s->err = STRM_ERR_LOCAL;
			return RULE_REPLY;
		default:
			return RULE_ERR;
		}
	}
	/* a failed rewrite is an internal error with HAProxy's default
	 * "strict-mode on", ignored with "strict-mode off" */
	if (rc < 0 && (((struct http_txn *)s->http)->flags & HTTP_TXN_NOSTRICT))
		return -1;
	return rc < 0 ? RULE_ERR : -1;
}

/* The status answered for an internal error on side <dir>. */
static void set_err(struct stream *s, int dir)
{
	if (!s->err || s->err == STRM_ERR_NONE)
		s->err = STRM_ERR_INTERNAL;
	if (!s->fin || s->fin == STRM_FIN_NONE)
		s->fin = dir ? STRM_FIN_H : STRM_FIN_R;
}

enum rule_res http_rules_exec_req(struct stream *s)
{
	struct proxy *px = s->be ? s->be : s->fe;
	enum rule_res res;

	/* the first call for a request (the frontend's, not a resumption):
	 * its header captures, taken before any rule rewrites them */
	if (!s->be && !s->req_rule_pos && s->fe->caps)
		http_cap_headers(s, 0);
	if (!px->http_req && !(px->from && px->from->http_req) && !px->redirects)
		return RULE_CONTINUE;
	res = rules_exec_http(s, px, offsetof(struct proxy, http_req), px->http_req, 0,
	                      &s->req_rule_pos);
	if (res == RULE_CONTINUE && px->redirects) {
		uint32_t pos = 0;
		res = rules_exec_http(s, px, 0, px->redirects, 0, &pos);
	}
	if (res == RULE_ERR)
		set_err(s, 0);
	if (res == RULE_REJECT) {
		/* "reject": the connection closes without a response */
		s->fe->denied_req++;
		if (px != s->fe)
			px->denied_req++;
		if (!s->err || s->err == STRM_ERR_NONE)
			s->err = STRM_ERR_PRXCOND;
		if (!s->fin || s->fin == STRM_FIN_NONE)
			s->fin = STRM_FIN_R;
	}
	return res;
}

/* Position of a suspended http-response list: the frontend's part is
 * marked with this bit (the backend's runs first). */
#define HTTP_RES_POS_FE 0x80000000u

/* Runs the after-response lists (backend's, then frontend's) on txn->rsp. */
static enum rule_res run_after(struct stream *s)
{
	struct proxy *be = s->be ? s->be : s->fe, *fe = s->fe;
	uint32_t pos = 0;
	enum rule_res res = RULE_CONTINUE;

	if (be->http_after_res || (be->from && be->from->http_after_res))
		res = rules_exec_http(s, be, offsetof(struct proxy, http_after_res), be->http_after_res,
		                      1, &pos);
	if (res == RULE_CONTINUE && fe != be &&
	    (fe->http_after_res || (fe->from && fe->from->http_after_res))) {
		pos = 0;
		res = rules_exec_http(s, fe, offsetof(struct proxy, http_after_res), fe->http_after_res,
		                      1, &pos);
	}
	return res == RULE_ERR ? RULE_ERR : RULE_CONTINUE;
}

static int has_after(const struct stream *s)
{
	const struct proxy *px[2] = { s->be, s->fe };
	for (int i = 0; i < 2; i++)
		if (px[i] && (px[i]->http_after_res || (px[i]->from && px[i]->from->http_after_res)))
			return 1;
	return 0;
}

enum rule_res http_rules_exec_after_res(struct stream *s)
{
	struct http_txn *txn = s->http;
	if (!txn || !has_after(s) || !http_msg_ready(&txn->rsp))
		return RULE_CONTINUE;
	return run_after(s);
}

int http_rules_has_after(const struct stream *s)
{
	return has_after(s);
}

/* Returns 1 if a proxy of <s> has http-response rules. */
static int has_res(const struct stream *s)
{
	const struct proxy *px[2] = { s->be, s->fe };
	for (int i = 0; i < 2; i++)
		if (px[i] && (px[i]->http_res || (px[i]->from && px[i]->from->http_res)))
			return 1;
	return 0;
}

int http_rules_service_head(struct stream *s, const char *head, size_t len)
{
	struct http_txn *txn = s->http;
	uint32_t out0;
	enum rule_res r = RULE_CONTINUE;

	if (!txn || chan_in_len(&s->res) || (!has_res(s) && !has_after(s)))
		return -1;
	http_msg_init(&txn->rsp, &s->res, 1, txn->req.h1.meth_id == H1_M_HEAD, 0);
	if (chan_put_data(&s->res, head, len) < 0)
		return -1;
	if (http_msg_parse(&txn->rsp) != HTTP_PARSE_DONE) {
		chan_replace_in(&s->res, 0, chan_in_len(&s->res), NULL, 0);
		return -1;
	}
	out0 = chan_out_len(&s->res);
	if (has_res(s)) {
		s->res_rule_pos = 0;
		r = http_rules_exec_res(s);
		s->res_rule_pos = 0;
	}
	if (chan_out_len(&s->res) != out0 || !chan_in_len(&s->res)) {
		/* a rule answered: not for a service's response, the service's
		 * own goes out as it was built */
		chan_replace_in(&s->res, 0, chan_in_len(&s->res), NULL, 0);
		return -1;
	}
	if (r == RULE_CONTINUE && has_after(s))
		run_after(s);
	txn->status = http_get_status(&txn->rsp);
	chan_forward(&s->res, chan_in_len(&s->res));
	return 0;
}

enum rule_res http_rules_exec_res(struct stream *s)
{
	struct proxy *be = s->be ? s->be : s->fe, *fe = s->fe;
	uint32_t pos = s->res_rule_pos & ~HTTP_RES_POS_FE;
	int in_fe = !!(s->res_rule_pos & HTTP_RES_POS_FE);
	enum rule_res res = RULE_CONTINUE;

	if (!s->res_rule_pos && s->fe->caps)
		http_cap_headers(s, 1);     /* before the rules, as HAProxy */
	s->res_rule_pos = 0;
	if (!in_fe) {
		res = rules_exec_http(s, be, offsetof(struct proxy, http_res), be->http_res, 1, &pos);
		if (res == RULE_YIELD)
			s->res_rule_pos = pos;
		if (res != RULE_CONTINUE || fe == be)
			goto out;
		pos = 0;
	}
	res = rules_exec_http(s, fe, offsetof(struct proxy, http_res), fe->http_res, 1, &pos);
	if (res == RULE_YIELD)
		s->res_rule_pos = pos | HTTP_RES_POS_FE;
out:
	if (res == RULE_ERR)
		set_err(s, 1);
	return res;
}
