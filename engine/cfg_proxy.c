/* cfg_proxy.c: the proxy sections — defaults, frontend, backend, listen.
 * Section headers and defaults inheritance, the proxy keywords (mode,
 * timeout, option, balance...), and the checks and resolutions run once
 * every file is read. Bind and server lines live in cfg_srv.c. Keywords
 * owned by other modules (acl, tcp-request, use_backend, log, log-format)
 * are listed in the table below and run by their owners' functions. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <unistd.h>

#include "engine/stats_page.h"
#include "engine/http_cookie.h"
#include "engine/unique_id.h"
#include "engine/persist.h"
#include "engine/http_errsec.h"
#include "engine/cache_cfg.h"
#include "engine/acl.h"
#include "engine/cfg.h"
#include "engine/cfg_proxy.h"
#include "engine/cfg_srv.h"
#include "engine/cfg_tls.h"
#include "engine/check.h"
#include "engine/lb.h"
#include "engine/log.h"
#include "engine/logfmt.h"
#include "engine/rules.h"
#include "engine/http_reply.h"
#include "engine/sample.h"
#include "engine/http_rules.h"
#include "engine/http_cap.h"
#include "engine/http_err.h"
#include "engine/stick.h"

static const char *cfg_sec_name(enum cfg_section s)
{
	switch (s) {
	case CFG_SEC_DEFAULTS: return "defaults";
	case CFG_SEC_FRONTEND: return "frontend";
	case CFG_SEC_BACKEND:  return "backend";
	case CFG_SEC_LISTEN:   return "listen";
	case CFG_SEC_GLOBAL:   return "global";
	default:               return "unknown";
	}
}

/* Returns "frontend", "backend", "listen" or "defaults" for <px>. */
const char *cfg_px_type(const struct proxy *px)
{
	if (px->cap & PX_CAP_DEF)
		return "defaults";
	if ((px->cap & (PX_CAP_FE | PX_CAP_BE)) == (PX_CAP_FE | PX_CAP_BE))
		return "listen";
	return (px->cap & PX_CAP_FE) ? "frontend" : "backend";
}

/* Returns the character of <name> a proxy or server name may not hold, or 0. */
int cfg_bad_name_char(const char *name)
{
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_' && *p != '.' && *p != ':')
			return *p;
	return 0;
}

/* ---- creation and inheritance ---- */

static struct proxy *cfg_proxy_alloc(struct cfg_ctx *c, const char *name, unsigned cap)
{
	struct proxy *px = calloc(1, sizeof(*px));

	if (!px)
		return NULL;
	if (name && !(px->name = strdup(name))) {
		free(px);
		return NULL;
	}
	px->cap = cap;
	px->mode = PX_MODE_TCP;
	/* ringproxy splices bulk TCP traffic unless told not to ("no option
	 * splice-auto", global "nosplice"): HAProxy's default is off */
	px->options = PXO_SPLICE_AUTO;
	px->retries = 3;
	px->lb = LB_ROUNDROBIN;
	px->file = c->file;
	px->line = c->line;
	return px;
}

/* Copies into <px> what a proxy inherits from defaults section <def>.
 * Returns 0 or -1 (out of memory) with c->err set. */
static int cfg_inherit(struct cfg_ctx *c, struct proxy *px, const struct proxy *def)
{
	px->from = def;
	px->mode = def->mode;
	px->options = def->options;
	px->maxconn = def->maxconn;
	px->fullconn = def->fullconn;
	px->retries = def->retries;
	px->retry_none = def->retry_none;
	px->hdr_names = def->hdr_names;
	px->httpslog = def->httpslog;
	px->httplog_clf = def->httplog_clf;
	px->sess_rate_lim = def->sess_rate_lim;
	px->src_addr = def->src_addr;
	px->to = def->to;
	px->lb = def->lb;
	px->hash_consistent = def->hash_consistent;
	px->backlog = def->backlog;
	px->http_reuse = def->http_reuse;
	px->lb_hdr_domain_only = def->lb_hdr_domain_only;
	px->fwdfor = def->fwdfor;
	px->origto = def->origto;
	px->log_global = def->log_global;
	px->tcp_req_inspect_delay = def->tcp_req_inspect_delay;
	px->tcp_res_inspect_delay = def->tcp_res_inspect_delay;
	if (def->lb_arg && !(px->lb_arg = cfg_strdup(c, def->lb_arg)))
		return -1;
	if (def->log_tag && !(px->log_tag = cfg_strdup(c, def->log_tag)))
		return -1;
	if (def->srvname_hdr && !(px->srvname_hdr = cfg_strdup(c, def->srvname_hdr)))
		return -1;
	if (def->logfmt_str && !(px->logfmt_str = cfg_strdup(c, def->logfmt_str)))
		return -1;
	if (def->defbe_name && (px->cap & PX_CAP_FE) && !(px->defbe_name = cfg_strdup(c, def->defbe_name)))
		return -1;
	if (def->logs && !(px->logs = log_targets_dup(def->logs)))
		return cfg_set_err(c, "out of memory.");
	for (int i = 0; i < PX_MAX_ERRORFILES; i++) {
		px->errorfile_codes[i] = def->errorfile_codes[i];
		px->errorfile_reply[i] = def->errorfile_reply[i];      /* the defaults section keeps it */
		if (def->errorfiles[i] && !(px->errorfiles[i] = cfg_strdup(c, def->errorfiles[i])))
			return -1;
	}
	if (def->defsrv && !(px->defsrv = cfg_srv_dup(def->defsrv)))
		return cfg_set_err(c, "out of memory.");
	if (check_cfg_inherit(px, def) < 0 || stats_page_inherit(px, def) < 0 ||
	    http_cookie_inherit(px, def) < 0)
		return cfg_set_err(c, "out of memory.");
	if (unique_id_inherit(px, def, c->err, sizeof(c->err)) < 0)
		return -1;
	if (http_cap_inherit(px, def) < 0)      /* the capture slots of its rules */
		return cfg_set_err(c, "out of memory.");
	return 0;
}

/* ---- section header ---- */

int cfg_proxy_section(struct cfg_ctx *c, char **args, int nargs)
{
	struct config *cfg = c->cfg;
	const char *kw = args[0], *name = NULL, *from = NULL;
	struct proxy *px, *def = NULL;
	unsigned cap;
	int i = 1;

	cfg_proxy_section_end(c);
	if (!strcmp(kw, "defaults"))       { c->sec = CFG_SEC_DEFAULTS; cap = PX_CAP_DEF | PX_CAP_FE | PX_CAP_BE; }
	else if (!strcmp(kw, "frontend")) { c->sec = CFG_SEC_FRONTEND; cap = PX_CAP_FE; }
	else if (!strcmp(kw, "backend"))  { c->sec = CFG_SEC_BACKEND;  cap = PX_CAP_BE; }
	else                              { c->sec = CFG_SEC_LISTEN;   cap = PX_CAP_FE | PX_CAP_BE; }
	c->px = NULL;

	if (i < nargs && strcmp(args[i], "from"))
		name = args[i++];
	if (i < nargs && !strcmp(args[i], "from")) {
		if (i + 1 >= nargs || !*args[i + 1])
			return cfg_set_err(c, "'%s %s' : 'from' requires a defaults section name.", kw, name ? name : "");
		from = args[i + 1];
		i += 2;
	}
	if (i < nargs)
		return cfg_set_err(c, "'%s' cannot handle unexpected argument '%s'.", kw, args[i]);
	if (!name && c->sec != CFG_SEC_DEFAULTS)
		return cfg_set_err(c, "'%s' expects an <id> argument", kw);
	if (name && !*name && c->sec != CFG_SEC_DEFAULTS)
		return cfg_set_err(c, "'%s' expects an <id> argument", kw);
	if (name && *name) {
		int bad = cfg_bad_name_char(name);
		if (bad)
			return cfg_set_err(c, "character '%c' is not permitted in '%s' name '%s'.", bad, kw, name);
	}
	if (from) {
		def = cfg_defaults_find(cfg, from);
		if (!def)
			return cfg_set_err(c, "defaults section '%s' not found for %s '%s'.", from, kw,
			                   name ? name : "");
	} else if (c->sec != CFG_SEC_DEFAULTS) {
		def = cfg_defaults_last(cfg);
	}
	if (def && def->name) {
		/* a named defaults section used both ways is ambiguous: HAProxy refuses it */
		def->def_used |= from ? 2 : 1;
		if (def->def_used == 3)
			return cfg_set_err(c, "defaults section '%s' (declared at %s:%d) is explicitly referenced by another proxy and implicitly used here. To avoid any ambiguity don't mix both usage. Add a last defaults section not explicitly used or always use explicit references.",
			                   def->name, def->file, def->line);
	}

	if (c->sec != CFG_SEC_DEFAULTS) {
		/* a frontend and a backend may share a name; nothing else may */
		for (struct proxy *o = cfg->proxies; o; o = o->next) {
			if (strcmp(o->name, name))
				continue;
			if ((o->cap & cap & (PX_CAP_FE | PX_CAP_BE)) == 0)
				continue;
			rp_alert("config : Parsing [%s:%d]: %s '%s' has the same name as %s '%s' declared at %s:%d.",
			        c->file, c->line, c->sec == CFG_SEC_LISTEN ? "proxy" : kw, name,
			        cfg_px_type(o), o->name, o->file, o->line);
			return -2;
		}
	}

	if (!(px = cfg_proxy_alloc(c, name && *name ? name : NULL, cap)))
		return cfg_set_err(c, "out of memory.");
	if (def && cfg_inherit(c, px, def) < 0) {
		cfg_proxy_free(px);
		return -1;
	}
	if (c->sec == CFG_SEC_DEFAULTS) {
		if (cfg_defaults_add(cfg, px) < 0) {
			cfg_proxy_free(px);
			return cfg_set_err(c, "out of memory.");
		}
		/* rules of a defaults section reach only the proxies naming it
		 * (px->from is one level): HAProxy refuses the chain. The section
		 * stays known, so that its users report nothing more. */
		if (from && rules_px_has_rules(def)) {
			c->err_tight = 1;
			return cfg_set_err(c, "a defaults section cannot inherit from a defaults section defining TCP/HTTP rules (defaults section at %s:%d).",
			                   def->file, def->line);
		}
	} else {
		struct proxy **pp;
		for (pp = &cfg->proxies; *pp; pp = &(*pp)->next)
			;
		*pp = px;
		px->id = ++cfg->nb_proxies;
	}
	c->px = px;
	c->defpx = def;
	return 0;
}

void cfg_proxy_section_end(struct cfg_ctx *c)
{
	c->px = NULL;
	c->defpx = NULL;
}

/* ---- keywords ---- */

static int kw_mode(struct cfg_ctx *c, char **args, int nargs)
{
	if (nargs < 2)
		return cfg_set_err(c, "'mode' requires an argument.");
	if (cfg_no_extra(c, args, nargs, 2))
		return -1;
	if (!strcmp(args[1], "tcp"))
		c->px->mode = PX_MODE_TCP;
	else if (!strcmp(args[1], "http"))
		c->px->mode = PX_MODE_HTTP;   /* refused after parsing, see cfg_check_mode() */
	else if (!strcmp(args[1], "health"))
		return cfg_set_err(c, "'mode health' doesn't exist anymore. Please use 'http-request return status 200' instead.");
	else
		return cfg_set_err(c, "unknown proxy mode '%s'.", args[1]);
	return 0;
}

static int kw_default_backend(struct cfg_ctx *c, char **args, int nargs)
{
	if (nargs < 2 || !*args[1])
		return cfg_set_err(c, "'%s' expects a backend name.", args[0]);
	if (cfg_no_extra(c, args, nargs, 2))
		return -1;
	free(c->px->defbe_name);
	c->px->defbe_name = cfg_strdup(c, args[1]);
	return c->px->defbe_name ? 0 : -1;
}

static int kw_balance(struct cfg_ctx *c, char **args, int nargs)
{
	struct proxy *px = c->px;
	const char *a = nargs > 1 ? args[1] : "";
	int max = 2;

	if (nargs < 2) {
		/* HAProxy accepts a bare "balance" and keeps the algorithm */
		cfg_warning(c, "'balance' without an algorithm has no effect.");
		return 0;
	}
	free(px->lb_arg);
	px->lb_arg = NULL;
	if (!strcmp(a, "roundrobin"))      px->lb = LB_ROUNDROBIN;
	else if (!strcmp(a, "static-rr"))  px->lb = LB_STATIC_RR;
	else if (!strcmp(a, "leastconn"))  px->lb = LB_LEASTCONN;
	else if (!strcmp(a, "source"))     px->lb = LB_SOURCE;
	else if (!strcmp(a, "first"))      px->lb = LB_FIRST;
	else if (!strcmp(a, "uri")) {
		/* uri [whole] [len N] [depth N] [path-only]: checked here, kept as text
		 * for lb.c */
		px->lb = LB_URI;
		max = nargs;
		for (int i = 2; i < nargs; i++) {
			if (!strcmp(args[i], "whole") || !strcmp(args[i], "path-only"))
				continue;
			if (!strcmp(args[i], "len") || !strcmp(args[i], "depth")) {
				if (i + 1 >= nargs || atoi(args[i + 1]) < 1)
					return cfg_set_err(c, "'balance uri %s' expects a positive integer (got '%s').", args[i],
					                   i + 1 < nargs ? args[i + 1] : "");
				i++;
				continue;
			}
			return cfg_set_err(c, "'balance uri' only accepts parameters 'len', 'depth', 'path-only' and 'whole' (got '%s').", args[i]);
		}
		if (nargs > 2) {
			size_t len = 0;
			for (int i = 2; i < nargs; i++)
				len += strlen(args[i]) + 1;
			if (!(px->lb_arg = calloc(1, len)))
				return cfg_set_err(c, "out of memory.");
			for (int i = 2; i < nargs; i++) {
				if (i > 2)
					strcat(px->lb_arg, " ");
				strcat(px->lb_arg, args[i]);
			}
		}
	} else if (!strncmp(a, "hdr(", 4)) {
		const char *e = strchr(a, ')');
		if (!e || e == a + 4 || e[1])
			return cfg_set_err(c, "'balance hdr(name)' requires an http header field name.");
		px->lb = LB_HDR;
		if (!(px->lb_arg = strndup(a + 4, (size_t)(e - a - 4))))
			return cfg_set_err(c, "out of memory.");
		px->lb_hdr_domain_only = 0;
		if (nargs > 2 && !strcmp(args[2], "use_domain_only")) {
			px->lb_hdr_domain_only = 1;
			max = 3;
		}
	} else if (!strcmp(a, "random") || !strncmp(a, "random(", 7)) {
		/* random, random(<draws>): HAProxy's syntax puts the draws in parentheses */
		long d = 2;
		if (a[6] == '(') {
			char *end;
			d = strtol(a + 7, &end, 10);
			if (end == a + 7 || strcmp(end, ")") || d < 1 || d > 100)
				return cfg_set_err(c, "balance random: invalid number of draws in '%s'.", a);
		}
		px->lb = LB_RANDOM;
		if (asprintf(&px->lb_arg, "%ld", d) < 0) {
			px->lb_arg = NULL;
			return cfg_set_err(c, "out of memory.");
		}
	} else if (!strcmp(a, "url_param") || !strncmp(a, "rdp-cookie", 10) || !strcmp(a, "hash")) {
		return cfg_set_err(c, "'balance %s' is not supported by ringproxy yet.", a);
	} else {
		return cfg_set_err(c, "balance only supports 'roundrobin', 'static-rr', 'leastconn', 'source', 'first', 'random', 'uri' and 'hdr(name)' options.");
	}
	return cfg_no_extra(c, args, nargs, max);
}

static int kw_hash_type(struct cfg_ctx *c, char **args, int nargs)
{
	if (nargs < 2)
		return cfg_set_err(c, "'hash-type' requires 'map-based' or 'consistent'.");
	if (!strcmp(args[1], "map-based") || !strcmp(args[1], "consistent")) {
		/* an optional hash function follows (sdbm, djb2, wt6, crc32, none) and
		 * "avalanche": ringproxy always hashes with its own mixed function */
		for (int i = 2; i < nargs; i++)
			if (strcmp(args[i], "sdbm") && strcmp(args[i], "djb2") && strcmp(args[i], "wt6") &&
			    strcmp(args[i], "crc32") && strcmp(args[i], "none") && strcmp(args[i], "avalanche"))
				return cfg_set_err(c, "'hash-type': unknown hash function or modifier '%s'.", args[i]);
		c->px->hash_consistent = !strcmp(args[1], "consistent");
		return 0;
	}
	return cfg_set_err(c, "'hash-type' requires 'map-based' or 'consistent' (got '%s').", args[1]);
}

/* Timeout names, the field they set and the side they need. */
static const struct {
	const char *name;
	size_t off;
	unsigned cap;
} cfg_timeouts[] = {
	{ "client",          offsetof(struct px_timeouts, client),          PX_CAP_FE },
	{ "server",          offsetof(struct px_timeouts, server),          PX_CAP_BE },
	{ "connect",         offsetof(struct px_timeouts, connect),         PX_CAP_BE },
	{ "check",           offsetof(struct px_timeouts, check),           PX_CAP_BE },
	{ "queue",           offsetof(struct px_timeouts, queue),           PX_CAP_BE },
	{ "http-keep-alive", offsetof(struct px_timeouts, http_keep_alive), PX_CAP_FE | PX_CAP_BE },
	{ "http-request",    offsetof(struct px_timeouts, http_request),    PX_CAP_FE | PX_CAP_BE },
	{ "tunnel",          offsetof(struct px_timeouts, tunnel),          PX_CAP_BE },
	{ "tarpit",          offsetof(struct px_timeouts, tarpit),          PX_CAP_FE | PX_CAP_BE },
	{ "client-fin",      offsetof(struct px_timeouts, client_fin),      PX_CAP_FE },
	{ "server-fin",      offsetof(struct px_timeouts, server_fin),      PX_CAP_BE },
};

static int kw_timeout(struct cfg_ctx *c, char **args, int nargs)
{
	char kw[64];
	uint32_t v;

	for (size_t i = 0; nargs > 1 && i < sizeof(cfg_timeouts) / sizeof(cfg_timeouts[0]); i++) {
		if (strcmp(args[1], cfg_timeouts[i].name))
			continue;
		snprintf(kw, sizeof(kw), "timeout %s", args[1]);
		if (nargs < 3)
			return cfg_set_err(c, "'%s' expects an integer value (in milliseconds)", kw);
		if (nargs > 3)
			return cfg_set_err(c, "'%s' : unexpected extra argument '%s' after value '%s'.", kw, args[3], args[2]);
		if (cfg_time_arg(c, kw, args[2], &v))
			return -1;
		if (!(c->px->cap & cfg_timeouts[i].cap & (PX_CAP_FE | PX_CAP_BE))) {
			cfg_warning(c, "'%s' will be ignored because %s '%s' has no %s capability", kw,
			            cfg_px_type(c->px), c->px->name,
			            cfg_timeouts[i].cap & PX_CAP_FE ? "frontend" : "backend");
			return 0;
		}
		*(uint32_t *)((char *)&c->px->to + cfg_timeouts[i].off) = v;
		return 0;
	}
	return cfg_set_err(c, "'timeout' supports 'client', 'server', 'connect', 'check', 'queue', 'http-keep-alive', 'http-request', 'tunnel', 'tarpit', 'client-fin' and 'server-fin' (got '%s')",
	                   nargs > 1 ? args[1] : "");
}

static int kw_old_timeout(struct cfg_ctx *c, char **args, int nargs)
{
	const char *repl = !strcmp(args[0], "contimeout") ? "timeout connect" :
	                   !strcmp(args[0], "clitimeout") ? "timeout client" : "timeout server";

	return cfg_set_err(c, "the '%s' directive is not supported anymore since HAProxy 2.1. Use '%s'.", args[0], repl);
}

static int kw_int(struct cfg_ctx *c, char **args, int nargs)
{
	struct proxy *px = c->px;
	long long v;

	if (!strcmp(args[0], "id")) {
		/* HAProxy's words and layout for "id" */
		c->err_tight = 1;
		if (nargs < 2)
			return cfg_set_err(c, "'id' expects an integer argument.");
		if (atoi(args[1]) < 1)
			return cfg_set_err(c, "custom id has to be > 0.");
		c->err_tight = 0;
	}
	if (nargs < 2) {
		if (!strcmp(args[0], "retries"))
			return cfg_set_err(c, "'retries' expects an integer argument (dispatch counts for one).");
		return cfg_set_err(c, "'%s' expects an integer argument.", args[0]);
	}
	if (cfg_no_extra(c, args, nargs, 2))
		return -1;
	if (cfg_int_arg(c, args[0], args[1], 0, INT_MAX, &v))
		return -1;
	if (!strcmp(args[0], "maxconn")) {
		px->maxconn = (int)v;
	} else if (!strcmp(args[0], "backlog")) {
		if (v < 1)
			return cfg_set_err(c, "'backlog' expects a positive integer argument.");
		px->backlog = (int)v;
	} else if (!strcmp(args[0], "fullconn")) {
		px->fullconn = (int)v;
	} else if (!strcmp(args[0], "retries")) {
		px->retries = (int)v;
	} else if (!strcmp(args[0], "id")) {
		if (px->cap & PX_CAP_DEF)
			return cfg_set_err(c, "'id' not allowed in 'defaults' section.");
		if (v < 1) {
			c->err_tight = 1;
			return cfg_set_err(c, "custom id has to be > 0.");
		}
		for (struct proxy *o = c->cfg->proxies; o; o = o->next)
			if (o != px && o->uuid == v)
				return cfg_set_err(c, "%s %s reuses same custom id as %s %s (declared at %s:%d).",
				                   cfg_px_type(px), px->name, cfg_px_type(o), o->name, o->file, o->line);
		px->uuid = (int)v;
	}
	return 0;
}

static int kw_enable(struct cfg_ctx *c, char **args, int nargs)
{
	if (cfg_no_extra(c, args, nargs, 1))
		return -1;
	c->px->disabled = !strcmp(args[0], "disabled");
	return 0;
}

/* "http-send-name-header <name>": each request sent to a server carries
 * <name>: <server name>, replacing what the client sent (extra words are
 * ignored, as HAProxy does). */
static int kw_send_name(struct cfg_ctx *c, char **args, int nargs)
{
	if (nargs < 2 || !*args[1])
		return cfg_set_err(c, "'%s' requires a header string.", args[0]);
	free(c->px->srvname_hdr);
	return (c->px->srvname_hdr = cfg_strdup(c, args[1])) ? 0 : -1;
}

/* "rate-limit sessions <n>": a frontend accepts at most <n> connections per
 * second (listener.c); the others wait in the kernel's backlog. */
static int kw_rate_limit(struct cfg_ctx *c, char **args, int nargs)
{
	long long n;

	if (nargs < 2 || strcmp(args[1], "sessions"))
		return cfg_set_err(c, "'%s' only supports 'sessions' (got '%s')", args[0], nargs > 1 ? args[1] : "");
	if (nargs < 3 || !*args[2])
		return cfg_set_err(c, "'%s sessions' expects expects an integer value (in sessions/second)", args[0]);
	if (cfg_int_arg(c, "rate-limit sessions", args[2], 0, UINT32_MAX, &n) < 0)
		return -1;
	c->px->sess_rate_lim = (uint32_t)n;
	return 0;
}

/* "source <addr>[:<port>]" (backend): the local address of the connections
 * to its servers. "usesrc" (transparent proxying) and "interface" are
 * refused. */
static int kw_source(struct cfg_ctx *c, char **args, int nargs)
{
	char aerr[256];

	if (nargs < 2 || !*args[1])
		return cfg_set_err(c, "'%s' expects <addr>[:<port>], and optionally 'usesrc' <addr>, and 'interface' <name>.", args[0]);
	if (nargs > 2 && (!strcmp(args[2], "usesrc") || !strcmp(args[2], "interface")))
		return cfg_set_err(c, "'%s' : '%s' is not supported by ringproxy yet.", args[0], args[2]);
	if (cfg_no_extra(c, args, nargs, 2))
		return -1;
	if (cfg_parse_addr(args[1], &c->px->src_addr, 0, aerr, sizeof(aerr)) < 0)
		return cfg_set_err(c, "'%s %s' : %s", args[0], args[1], aerr);
	return 0;
}

/* "log-tag <tag>": the tag of this proxy's syslog lines (the global one otherwise). */
static int kw_log_tag(struct cfg_ctx *c, char **args, int nargs)
{
	if (nargs < 2 || !*args[1])
		return cfg_set_err(c, "'%s' expects a tag for use in syslog.", args[0]);
	if (cfg_no_extra(c, args, nargs, 2))
		return -1;
	free(c->px->log_tag);
	return (c->px->log_tag = cfg_strdup(c, args[1])) ? 0 : -1;
}

static int kw_description(struct cfg_ctx *c, char **args, int nargs)
{
	size_t len = 1;

	if (nargs < 2) {
		c->err_tight = 1;
		return cfg_set_err(c, "'description' expects a string argument.");
	}
	for (int i = 1; i < nargs; i++)
		len += strlen(args[i]) + 1;
	free(c->px->desc);
	if (!(c->px->desc = calloc(1, len)))
		return cfg_set_err(c, "out of memory.");
	for (int i = 1; i < nargs; i++) {
		if (i > 1)
			strcat(c->px->desc, " ");
		strcat(c->px->desc, args[i]);
	}
	return 0;
}

/* "errorfile <code> <file>": the path is stored per status code for the
 * HTTP issue (which serves it); the file must be readable now. */
static int kw_errorfile(struct cfg_ctx *c, char **args, int nargs)
{
	static const int codes[] = { 200, 400, 401, 403, 404, 405, 407, 408, 410, 413, 425, 429,
	                             500, 501, 502, 503, 504 };
	struct proxy *px = c->px;
	int code, known = 0;

	if (nargs < 3)
		return cfg_set_err(c, "errorfile : expects <status_code> and <file> as arguments.\n");
	if (cfg_no_extra(c, args, nargs, 3))
		return -1;
	code = atoi(args[1]);
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		known |= codes[i] == code;
	if (!known)
		return cfg_set_err(c, "errorfile : status code '%s' not handled.", args[1]);
	if (access(args[2], R_OK) < 0)
		return cfg_set_err(c, "errorfile : error opening file '%s'.", args[2]);
	return cfg_px_errorfile(c, px, code, args[2]);
}

int cfg_px_errorfile(struct cfg_ctx *c, struct proxy *px, int code, const char *key)
{
	int slot = -1;

	for (int i = 0; i < PX_MAX_ERRORFILES && slot < 0; i++)
		if (px->errorfile_codes[i] == code)
			slot = i;
	for (int i = 0; i < PX_MAX_ERRORFILES && slot < 0; i++)
		if (!px->errorfile_codes[i])
			slot = i;
	if (slot < 0)
		return cfg_set_err(c, "errorfile : too many status codes.");
	free(px->errorfiles[slot]);
	http_reply_err_free(px, slot);
	px->errorfile_codes[slot] = code;
	px->errorfiles[slot] = NULL;
	if (!key)
		return 0;               /* an "http-error" page with log-format parts */
	px->errorfiles[slot] = cfg_strdup(c, key);
	return px->errorfiles[slot] ? 0 : -1;
}

/* "errorloc|errorloc302|errorloc303 <code> <url>": the page for <code>
 * becomes a redirection to <url> (302, or 303), as HAProxy builds it. */
static int kw_errorloc(struct cfg_ctx *c, char **args, int nargs)
{
	int r303 = !strcmp(args[0], "errorloc303"), code;
	char raw[2048], key[2100], err[256];
	int n;

	if (nargs < 3)
		return cfg_set_err(c, "%s : expects <status_code> and <url> as arguments.", args[0]);
	if (cfg_no_extra(c, args, nargs, 3))
		return -1;
	code = atoi(args[1]);
	if (!http_err_known(code) && code != 200)
		return cfg_set_err(c, "%s : status code '%s' not handled.", args[0], args[1]);
	n = snprintf(raw, sizeof(raw), "HTTP/1.1 %d %s\r\nCache-Control: no-cache\r\nContent-length: 0\r\nLocation: %s\r\n\r\n",
	             r303 ? 303 : 302, r303 ? "See Other" : "Found", args[2]);
	if (n < 0 || (size_t)n >= sizeof(raw))
		return cfg_set_err(c, "%s : URL too long.", args[0]);
	snprintf(key, sizeof(key), "%s %d %s", args[0], code, args[2]);
	if (http_err_add_page(key, raw, (size_t)n, err, sizeof(err)) < 0)
		return cfg_set_err(c, "%s : %s", args[0], err);
	return cfg_px_errorfile(c, c->px, code, key);
}

/* "log-format <fmt>": compiled by logfmt.c, which also keeps the text for
 * proxies inheriting it. The last of log-format / option tcplog / option
 * httplog wins, as in HAProxy. */
static int kw_log_format(struct cfg_ctx *c, char **args, int nargs)
{
	if (logfmt_cfg_kw(c, args, nargs) < 0)
		return -1;
	c->px->options &= ~(PXO_TCPLOG | PXO_HTTPLOG);
	return 0;
}

/* Keywords of HAProxy proxies that change behaviour and are not
 * implemented: refused rather than silently ignored. */
static int kw_unsupported(struct cfg_ctx *c, char **args, int nargs)
{
	return cfg_set_err(c, "'%s' is not supported by ringproxy yet.", args[0]);
}

/* "http-reuse never|safe|aggressive|always": which idle server connections
 * a request may take (stream_http.c, http_idle.c). */
static int kw_http_reuse(struct cfg_ctx *c, char **args, int nargs)
{
	static const char *const modes[] = { "never", "safe", "aggressive", "always" };
	static const int vals[] = { PX_REUSE_NEVER, PX_REUSE_SAFE, PX_REUSE_AGGR, PX_REUSE_ALWAYS };

	for (size_t i = 0; nargs >= 2 && i < sizeof(modes) / sizeof(modes[0]); i++)
		if (!strcmp(args[1], modes[i])) {
			if (cfg_no_extra(c, args, nargs, 2))
				return -1;
			c->px->http_reuse = vals[i];
			return 0;
		}
	return cfg_set_err(c, "'%s' only supports 'never', 'safe', 'aggressive', 'always'.", args[0]);
}

/* "compression algo <a>... | type <t>... | offload": checked as HAProxy
 * checks it, then accepted with a notice: responses are forwarded as the
 * server sent them (uncompressed is a valid answer to any Accept-Encoding).
 * "filter compression" likewise; other filters are refused. */
static int kw_compression(struct cfg_ctx *c, char **args, int nargs)
{
	static const char *const algos[] = { "identity", "gzip", "deflate", "raw-deflate", NULL };

	if (!strcmp(args[0], "filter")) {
		if (nargs > 1 && !strcmp(args[1], "cache")) {
			/* "filter cache [<name>]": checked, no effect (cache_cfg.h) */
			if (nargs > 2 && cache_cfg_ref(c->px, args[2], "the filter 'cache'") < 0)
				return cfg_set_err(c, "out of memory.");
			return 0;
		}
		if (nargs < 2 || strcmp(args[1], "compression"))
			return cfg_set_err(c, "'filter %s' is not supported by ringproxy yet.", nargs > 1 ? args[1] : "");
	} else if (nargs < 2 || (strcmp(args[1], "algo") && strcmp(args[1], "type") && strcmp(args[1], "offload"))) {
		return cfg_set_err(c, "'compression' expects 'algo', 'type' or 'offload'");
	} else if (!strcmp(args[1], "algo")) {
		if (nargs < 3)
			return cfg_set_err(c, "'compression' expects <algorithm>.");
		for (int i = 2; i < nargs; i++) {
			int k = 0;

			while (algos[k] && strcmp(algos[k], args[i]))
				k++;
			if (!algos[k])
				return cfg_set_err(c, "'compression' : '%s' is not a supported algorithm.", args[i]);
		}
	} else if (!strcmp(args[1], "type") && nargs < 3) {
		return cfg_set_err(c, "'compression' expects <type>.");
	}
	cfg_notice(c, "'%s%s' has no effect in ringproxy: responses are sent uncompressed.",
	           args[0], !strcmp(args[0], "filter") ? " compression" : "");
	return 0;
}

/* "retry-on <keywords>": HAProxy 2.6's words are checked; "none" stops the
 * connection retries, "conn-failure" (the default) is what ringproxy
 * retries, the others (the layer 7 retries: empty-response, 503...) are
 * accepted with a notice. */
static int kw_retry_on(struct cfg_ctx *c, char **args, int nargs)
{
	static const char *const words[] = {
		"none", "conn-failure", "empty-response", "junk-response", "response-timeout", "0rtt-rejected",
		"all-retryable-errors", "401", "403", "404", "408", "425", "500", "501", "502", "503", "504", NULL
	};
	int l7 = 0;

	if (nargs < 2)
		return cfg_set_err(c, "'%s' needs at least one keyword to specify when to retry", args[0]);
	for (int i = 1; i < nargs; i++) {
		int k = 0;

		while (words[k] && strcmp(words[k], args[i]))
			k++;
		if (!words[k])
			return cfg_set_err(c, "'%s': unknown keyword '%s'", args[0], args[i]);
		if (k == 0 && nargs > 2)
			return cfg_set_err(c, "'%s' 'none' keyworld only usable alone", args[0]);
		l7 |= k > 1;
	}
	c->px->retry_none = !strcmp(args[1], "none");
	if (l7)
		cfg_notice(c, "'%s': only connection failures are retried by ringproxy (the request is not kept for layer 7 retries).", args[0]);
	return 0;
}

/* Accepted with a notice: no effect here. */
static int kw_noeffect(struct cfg_ctx *c, char **args, int nargs)
{
	cfg_notice(c, "'%s' has no effect in ringproxy (ignored).", args[0]);
	return 0;
}

/* ---- options ---- */

enum { OPT_PLAIN = 0, OPT_NO_NEG = 1, OPT_ARGS = 2, OPT_UNSUPP = 4, OPT_NOEFFECT = 8,
       OPT_CHECK = 16 /* a protocol check: check_cfg_option() */ };

static const struct cfg_opt {
	const char *name;
	uint32_t flag;
	unsigned cap;               /* PX_CAP_FE / PX_CAP_BE: where it has an effect */
	unsigned kind;
} cfg_options[] = {
	{ "redispatch",          PXO_REDISPATCH,        PX_CAP_BE, OPT_PLAIN },
	{ "tcplog",              PXO_TCPLOG,            PX_CAP_FE, OPT_NO_NEG },
	{ "httplog",             PXO_HTTPLOG,           PX_CAP_FE, OPT_NO_NEG | OPT_ARGS },
	{ "dontlognull",         PXO_DONTLOGNULL,       PX_CAP_FE, OPT_PLAIN },
	{ "dontlog-normal",      PXO_DONTLOG_NORMAL,    PX_CAP_FE, OPT_PLAIN },
	{ "log-separate-errors", PXO_LOG_SEPARATE_ERR,  PX_CAP_FE, OPT_PLAIN },
	{ "logasap",             PXO_LOGASAP,           PX_CAP_FE, OPT_PLAIN },
	{ "log-health-checks",   PXO_LOG_HEALTH_CHECKS, PX_CAP_BE, OPT_PLAIN },
	{ "tcpka",               PXO_TCPKA,             PX_CAP_FE | PX_CAP_BE, OPT_PLAIN },
	{ "clitcpka",            PXO_CLITCPKA,          PX_CAP_FE, OPT_PLAIN },
	{ "srvtcpka",            PXO_SRVTCPKA,          PX_CAP_BE, OPT_PLAIN },
	{ "splice-auto",         PXO_SPLICE_AUTO,       PX_CAP_FE | PX_CAP_BE, OPT_PLAIN },
	{ "splice-request",      PXO_SPLICE_REQUEST,    PX_CAP_FE | PX_CAP_BE, OPT_PLAIN },
	{ "splice-response",     PXO_SPLICE_RESPONSE,   PX_CAP_FE | PX_CAP_BE, OPT_PLAIN },
	{ "http-keep-alive",     PXO_HTTP_KEEP_ALIVE,   PX_CAP_FE | PX_CAP_BE, OPT_PLAIN },
	{ "http-server-close",   PXO_HTTP_SERVER_CLOSE, PX_CAP_FE | PX_CAP_BE, OPT_PLAIN },
	{ "httpclose",           PXO_HTTPCLOSE,         PX_CAP_FE | PX_CAP_BE, OPT_PLAIN },
	{ "forwardfor",          PXO_FORWARDFOR,        PX_CAP_FE | PX_CAP_BE, OPT_NO_NEG | OPT_ARGS },
	{ "http-buffer-request", PXO_HTTP_BUFFER_REQ,   PX_CAP_FE | PX_CAP_BE, OPT_PLAIN },
	{ "abortonclose",        PXO_ABORTONCLOSE,      PX_CAP_BE, OPT_PLAIN },
	{ "allbackups",          PXO_ALLBACKUPS,        PX_CAP_BE, OPT_PLAIN },
	{ "tcp-smart-accept",    PXO_TCP_SMART_ACCEPT,  PX_CAP_FE, OPT_PLAIN },
	{ "tcp-smart-connect",   PXO_TCP_SMART_CONNECT, PX_CAP_BE, OPT_PLAIN },
	{ "nolinger",            PXO_NOLINGER,          PX_CAP_FE | PX_CAP_BE, OPT_PLAIN },
	{ "persist",             PXO_PERSIST,           PX_CAP_BE, OPT_PLAIN },
	{ "prefer-last-server",  PXO_PREFER_LAST_SERVER, PX_CAP_BE, OPT_PLAIN },
	{ "socket-stats",        PXO_SOCKET_STATS,      PX_CAP_FE, OPT_PLAIN },
	{ "independent-streams", PXO_INDEPENDENT_STREAMS, PX_CAP_FE | PX_CAP_BE, OPT_PLAIN },
	{ "http-no-delay",       PXO_HTTP_NO_DELAY,     PX_CAP_FE | PX_CAP_BE, OPT_PLAIN },
	{ "tcp-check",           PXO_TCP_CHECK,         PX_CAP_BE, OPT_NO_NEG },
	{ "http-use-htx",        0,                     PX_CAP_FE | PX_CAP_BE, OPT_NOEFFECT },
	{ "http-pretend-keepalive", 0,                  PX_CAP_FE | PX_CAP_BE, OPT_NOEFFECT },
	{ "http-ignore-probes",  PXO_HTTP_IGNORE_PROBES, PX_CAP_FE, OPT_PLAIN },
	{ "contstats",           0,                     PX_CAP_FE, OPT_NOEFFECT },
	{ "httpchk",             PXO_HTTPCHK,           PX_CAP_BE, OPT_NO_NEG | OPT_ARGS },
	{ "originalto",          0,                     PX_CAP_FE | PX_CAP_BE, OPT_NO_NEG | OPT_ARGS },
	{ "transparent",         0,                     PX_CAP_BE, OPT_UNSUPP },
	{ "ssl-hello-chk",       0,                     PX_CAP_BE, OPT_CHECK | OPT_NO_NEG | OPT_ARGS },
	{ "smtpchk",             0,                     PX_CAP_BE, OPT_CHECK | OPT_NO_NEG | OPT_ARGS },
	{ "mysql-check",         0,                     PX_CAP_BE, OPT_CHECK | OPT_NO_NEG | OPT_ARGS },
	{ "pgsql-check",         0,                     PX_CAP_BE, OPT_CHECK | OPT_NO_NEG | OPT_ARGS },
	{ "redis-check",         0,                     PX_CAP_BE, OPT_CHECK | OPT_NO_NEG | OPT_ARGS },
	{ "ldap-check",          0,                     PX_CAP_BE, OPT_CHECK | OPT_NO_NEG | OPT_ARGS },
	{ "spop-check",          0,                     PX_CAP_BE, OPT_CHECK | OPT_NO_NEG | OPT_ARGS },
	{ "external-check",      0,                     PX_CAP_BE, OPT_UNSUPP },
	{ "checkcache",          0,                     PX_CAP_BE, OPT_UNSUPP },
	{ "accept-invalid-http-request",  0,            PX_CAP_FE, OPT_UNSUPP },
	{ "accept-invalid-http-response", 0,            PX_CAP_BE, OPT_UNSUPP },
	{ "h1-case-adjust-bogus-client",  0,            PX_CAP_FE, OPT_UNSUPP },
	{ "h1-case-adjust-bogus-server",  0,            PX_CAP_BE, OPT_UNSUPP },
	{ "http-restrict-req-hdr-names",  0,            PX_CAP_FE | PX_CAP_BE, OPT_NO_NEG | OPT_ARGS },
	{ "disable-h2-upgrade",  0,                     PX_CAP_FE, OPT_UNSUPP },
	{ "httpslog",            PXO_HTTPLOG,           PX_CAP_FE, OPT_NO_NEG },
	{ "http-use-proxy-header", 0,                   PX_CAP_FE, OPT_UNSUPP },
	{ "idle-close-on-response", 0,                  PX_CAP_FE, OPT_UNSUPP },
	{ NULL, 0, 0, 0 }
};

/* The keep-alive modes exclude each other: the last one set wins. */
#define PXO_HTTP_MODES (PXO_HTTP_KEEP_ALIVE | PXO_HTTP_SERVER_CLOSE | PXO_HTTPCLOSE)

/* "option <name> [args]", "no option <name>". args[0] is "option" or "no". */
static int kw_option(struct cfg_ctx *c, char **args, int nargs)
{
	struct proxy *px = c->px;
	int neg = !strcmp(args[0], "no");
	char **a = neg ? args + 1 : args;
	int na = neg ? nargs - 1 : nargs;
	const struct cfg_opt *o;

	c->err_tight = 1;    /* HAProxy prints these option errors without the blank */
	if (neg && (na < 1 || strcmp(a[0], "option")))
		return cfg_set_err(c, "negation/default currently supported only for options, log, busy-polling, set-dumpable, strict-limits, insecure-fork-wanted and numa-cpu-mapping.");
	if (na < 2)
		return cfg_set_err(c, "'option' expects an option name.");
	c->err_tight = 0;
	for (o = cfg_options; o->name; o++)
		if (!strcmp(o->name, a[1]))
			break;
	if (!o->name)
		return cfg_set_err(c, "unknown option '%s'.", a[1]);
	if (o->kind & OPT_UNSUPP)
		return cfg_set_err(c, "'option %s' is not supported by ringproxy yet.", o->name);
	if (neg && (o->kind & OPT_NO_NEG)) {
		rp_alert("config : parsing [%s:%d]: negation/default is not supported for option '%s'.",
		        c->file, c->line, o->name);
		return -2;
	}
	if (!(o->kind & OPT_ARGS) && na > 2)
		return cfg_set_err(c, "'option %s' cannot handle unexpected argument '%s'.", o->name, a[2]);
	if (!strcmp(o->name, "http-restrict-req-hdr-names")) {
		static const char *const modes[] = { "preserve", "delete", "reject" };

		if (na > 3) {
			c->err_tight = 1;
			return cfg_set_err(c, "'option' cannot handle unexpected argument '%s'.", a[3]);
		}
		for (int m = 0; na > 2 && m < 3; m++)
			if (!strcmp(a[2], modes[m])) {
				px->hdr_names = (uint8_t)m;
				return 0;
			}
		if (na > 2)
			return cfg_set_err(c, "invalid parameter '%s'. option '%s' expects 'preserve', 'reject' or 'delete' option.",
			                   a[2], o->name);
		return cfg_set_err(c, "missing parameter. option '%s' expects 'preserve', 'reject' or 'delete' option.",
		                   o->name);
	}
	if (!strcmp(o->name, "httplog") && na > 2 && strcmp(a[2], "clf"))
		return cfg_set_err(c, "'option httplog' only supports 'clf' as argument (got '%s').", a[2]);
	if (!strcmp(o->name, "forwardfor") || !strcmp(o->name, "originalto")) {
		int ff = o->name[0] == 'f';
		struct px_addr_hdr *h = ff ? &px->fwdfor : &px->origto;

		memset(h, 0, sizeof(*h));
		h->on = 1;
		for (int i = 2; i < na; i++) {
			if (ff && !strcmp(a[i], "if-none")) {
				h->ifnone = 1;
				continue;
			}
			if (!strcmp(a[i], "header") && i + 1 < na) {
				size_t l = strlen(a[++i]);

				if (!l || l >= sizeof(h->hdr))
					return cfg_set_err(c, "'option %s' : header name '%s' is empty or too long.", o->name, a[i]);
				for (size_t k = 0; k <= l; k++)
					h->hdr[k] = (char)tolower((unsigned char)a[i][k]);
				continue;
			}
			if (!strcmp(a[i], "except") && i + 1 < na) {
				char ip[64];
				const char *sl = strchr(a[++i], '/');
				size_t l = sl ? (size_t)(sl - a[i]) : strlen(a[i]);
				struct in_addr in, m;
				int bits = 32;

				if (l >= sizeof(ip))
					return cfg_set_err(c, "'option %s' : invalid network '%s'.", o->name, a[i]);
				memcpy(ip, a[i], l);
				ip[l] = 0;
				if (inet_pton(AF_INET6, ip, h->except6) == 1) {
					char *end;
					long b = sl ? strtol(sl + 1, &end, 10) : 128;

					if ((sl && *end) || b < 1 || b > 128)
						return cfg_set_err(c, "'option %s' : invalid network '%s'.", o->name, a[i]);
					h->except6_bits = (uint8_t)b;
					continue;
				}
				if (inet_pton(AF_INET, ip, &in) != 1)
					return cfg_set_err(c, "'option %s' : invalid network '%s'.", o->name, a[i]);
				if (sl && inet_pton(AF_INET, sl + 1, &m) == 1) {
					h->except_mask = m.s_addr;
				} else {
					char *end;

					bits = sl ? (int)strtol(sl + 1, &end, 10) : 32;
					if (sl && (*end || bits < 0 || bits > 32))
						return cfg_set_err(c, "'option %s' : invalid network '%s'.", o->name, a[i]);
					h->except_mask = bits ? htonl(0xffffffffu << (32 - bits)) : 0;
				}
				h->except_net = in.s_addr & h->except_mask;
				if (!h->except_mask)
					h->except_mask = 0;     /* 0.0.0.0/0: every IPv4 address */
				continue;
			}
			if (!ff)
				return cfg_set_err(c, "'option originalto' only supports optional values 'except' and 'header' (got '%s').", a[i]);
			return cfg_set_err(c, "'option forwardfor' only supports optional values 'except', 'header' and 'if-none' (got '%s').", a[i]);
		}
	}
	if (o->kind & OPT_NOEFFECT)
		cfg_notice(c, "'option %s' has no effect in ringproxy (ignored).", o->name);
	if (!(px->cap & PX_CAP_DEF) && !(px->cap & o->cap)) {
		cfg_warning(c, "'%s' ignored because %s '%s' has no %s capability.", o->name,
		            cfg_px_type(px), px->name, (o->cap & PX_CAP_FE) ? "frontend" : "backend");
		return 0;
	}
	if (neg) {
		px->options &= ~o->flag;
		return 0;
	}
	if (o->flag == PXO_HTTPCHK)
		return check_cfg_httpchk(c, a, na);
	if (o->kind & OPT_CHECK)
		return check_cfg_option(c, a, na);
	if (o->flag & PXO_HTTP_MODES)
		px->options &= ~PXO_HTTP_MODES;
	if (o->flag == PXO_TCPLOG || o->flag == PXO_HTTPLOG) {
		/* replaces an earlier (or inherited) log-format */
		px->options &= ~(PXO_TCPLOG | PXO_HTTPLOG);
		logfmt_free(px->logfmt);
		px->logfmt = NULL;
		free(px->logfmt_str);
		px->logfmt_str = NULL;
	}
	px->options |= o->flag;
	if (o->flag == PXO_HTTPLOG) {
		px->httpslog = !strcmp(o->name, "httpslog");
		px->httplog_clf = na > 2;       /* "clf", checked above */
	}
	return 0;
}

/* "log ...": log.c's keyword; "no log" clears what was inherited. */
static int kw_log(struct cfg_ctx *c, char **args, int nargs)
{
	return log_cfg_kw(c, args, nargs);
}

static int kw_no(struct cfg_ctx *c, char **args, int nargs)
{
	if (nargs >= 2 && !strcmp(args[1], "log")) {
		if (cfg_no_extra(c, args, nargs, 2))
			return -1;
		log_targets_free(c->px->logs);
		c->px->logs = NULL;
		c->px->log_global = 0;
		return 0;
	}
	return kw_option(c, args, nargs);
}

/* Where a keyword is allowed. */
#define K_FE   PX_CAP_FE
#define K_BE   PX_CAP_BE
#define K_DEF  PX_CAP_DEF
#define K_ALL  (K_FE | K_BE | K_DEF)
#define K_SELF  0x100   /* the owner's function checks sections and capabilities itself */
#define K_HARD  0x200   /* wrong capability is an error, not a warning */

static const struct cfg_pkw {
	const char *name;
	cfg_kw_fn fn;
	unsigned where;
} cfg_proxy_kws[] = {
	{ "mode",               kw_mode,             K_ALL },
	{ "bind",               cfg_srv_bind,        K_FE },
	{ "server",             cfg_srv_server,      K_BE | K_HARD },
	{ "default-server",     cfg_srv_default,     K_BE | K_DEF | K_HARD },
	{ "default_backend",    kw_default_backend,  K_FE | K_DEF },
	{ "use_backend",        rules_cfg_use_backend, K_ALL | K_SELF },
	{ "acl",                acl_cfg_parse,       K_ALL | K_SELF },
	{ "tcp-request",        rules_cfg_tcp_request, K_ALL | K_SELF },
	{ "tcp-response",       rules_cfg_tcp_response, K_ALL | K_SELF },
	{ "balance",            kw_balance,          K_BE | K_DEF },
	{ "hash-type",          kw_hash_type,        K_BE | K_DEF },
	{ "timeout",            kw_timeout,          K_ALL },
	{ "contimeout",         kw_old_timeout,      K_ALL },
	{ "clitimeout",         kw_old_timeout,      K_ALL },
	{ "srvtimeout",         kw_old_timeout,      K_ALL },
	{ "maxconn",            kw_int,              K_FE | K_DEF },
	{ "fullconn",           kw_int,              K_BE | K_DEF },
	{ "retries",            kw_int,              K_BE | K_DEF },
	{ "id",                 kw_int,              K_FE | K_BE },
	{ "option",             kw_option,           K_ALL },
	{ "no",                 kw_no,               K_ALL },
	{ "log",                kw_log,              K_ALL },
	{ "log-format",         kw_log_format,       K_ALL },
	{ "disabled",           kw_enable,           K_ALL },
	{ "enabled",            kw_enable,           K_ALL },
	{ "description",        kw_description,      K_FE | K_BE },
	{ "errorfile",          kw_errorfile,        K_ALL },
	/* HTTP issue and later: refused, never ignored */
	{ "http-request",       http_rules_cfg_request,  K_ALL | K_SELF },
	{ "http-response",      http_rules_cfg_response, K_ALL | K_SELF },
	{ "http-after-response", http_rules_cfg_after_response, K_ALL | K_SELF },
	{ "http-check",         check_cfg_http_check, K_BE | K_DEF },
	{ "http-reuse",         kw_http_reuse,       K_BE | K_DEF },
	{ "http-error",         http_reply_cfg_http_error, K_ALL },
	{ "errorloc",           kw_errorloc,         K_ALL },
	{ "errorloc302",        kw_errorloc,         K_ALL },
	{ "errorloc303",        kw_errorloc,         K_ALL },
	{ "errorfiles",         http_errsec_import,  K_ALL },
	{ "redirect",           http_rules_cfg_redirect, K_ALL | K_SELF },
	{ "capture",            http_cap_cfg_capture, K_ALL | K_SELF },
	{ "cookie",             http_cookie_cfg,     K_ALL },
	{ "compression",        kw_compression,      K_ALL },
	{ "stats",              stats_page_cfg,      K_ALL },
	{ "monitor-uri",        check_cfg_monitor_uri, K_FE | K_DEF },
	{ "monitor",            check_cfg_monitor,   K_FE },
	{ "unique-id-format",   unique_id_cfg,       K_FE | K_DEF },
	{ "unique-id-header",   unique_id_cfg,       K_FE | K_DEF },
	{ "stick",              stick_cfg_stick,     K_ALL | K_SELF },
	{ "stick-table",        stick_cfg_table,     K_ALL | K_SELF },
	{ "force-persist",      persist_cfg,         K_FE | K_BE },
	{ "ignore-persist",     persist_cfg,         K_FE | K_BE },
	{ "persist",            kw_unsupported,      K_ALL },
	{ "filter",             kw_compression,      K_ALL },
	{ "email-alert",        kw_unsupported,      K_ALL },
	{ "external-check",     kw_unsupported,      K_ALL },
	{ "server-template",    cfg_srv_template,    K_BE | K_HARD },
	{ "dynamic-cookie-key", kw_unsupported,      K_ALL },
	{ "source",             kw_source,           K_BE | K_DEF },
	{ "use-server",         persist_cfg,         K_FE | K_BE },
	{ "use-fcgi-app",       kw_unsupported,      K_ALL },
	{ "tcp-check",          check_cfg_tcp_check, K_ALL | K_SELF },
	{ "rate-limit",         kw_rate_limit,       K_FE | K_DEF },
	{ "backlog",            kw_int,              K_FE | K_DEF },
	{ "bind-process",       kw_unsupported,      K_ALL },
	{ "declare",            http_cap_cfg_declare, K_ALL | K_SELF },
	{ "load-server-state-from-file", kw_noeffect,    K_ALL },
	{ "server-state-file-name", kw_noeffect,     K_ALL },
	{ "max-keep-alive-queue", kw_noeffect,       K_ALL },
	{ "max-session-srv-conns", kw_noeffect,      K_ALL },
	{ "log-tag",            kw_log_tag,          K_ALL },
	{ "guid",               kw_unsupported,      K_ALL },
	{ "dispatch",           kw_unsupported,      K_ALL },
	{ "error-log-format",   kw_unsupported,      K_ALL },
	{ "log-format-sd",      kw_unsupported,      K_ALL },
	{ "http-send-name-header", kw_send_name,    K_BE | K_DEF },
	{ "retry-on",           kw_retry_on,         K_BE | K_DEF },
	{ "transparent",        kw_unsupported,      K_ALL },
	{ "clitcpka-cnt",       kw_noeffect,         K_FE | K_DEF },
	{ "clitcpka-idle",      kw_noeffect,         K_FE | K_DEF },
	{ "clitcpka-intvl",     kw_noeffect,         K_FE | K_DEF },
	{ "srvtcpka-cnt",       kw_noeffect,         K_BE | K_DEF },
	{ "srvtcpka-idle",      kw_noeffect,         K_BE | K_DEF },
	{ "srvtcpka-intvl",     kw_noeffect,         K_BE | K_DEF },
	{ NULL, NULL, 0 }
};

int cfg_proxy_kw(struct cfg_ctx *c, char **args, int nargs)
{
	struct proxy *px = c->px;
	const struct cfg_pkw *k;

	if (!px)
		return 0;     /* the section header failed: already reported */
	for (k = cfg_proxy_kws; k->name; k++)
		if (!strcmp(k->name, args[0]))
			break;
	if (!k->name)
		return cfg_set_err(c, "unknown keyword '%s' in '%s' section", args[0], cfg_sec_name(c->sec));
	if (k->where & K_SELF)
		return k->fn(c, args, nargs);
	if (px->cap & PX_CAP_DEF) {
		if (!(k->where & K_DEF)) {
			if (!strcmp(args[0], "server")) {
				rp_alert("config : [%s:%d] : 'server' not allowed in 'defaults' section.", c->file, c->line);
				return -2;
			}
			/* HAProxy's layout differs for these two */
			c->err_tight = !strcmp(args[0], "description") || !strcmp(args[0], "id");
			return cfg_set_err(c, "'%s' not allowed in 'defaults' section.", args[0]);
		}
	} else if (!(k->where & px->cap & (K_FE | K_BE))) {
		const char *need = (k->where & K_FE) ? "frontend" : "backend";
		if (k->where & K_HARD) {
			/* HAProxy prints these with the location twice */
			rp_alert("config : [%s:%d] : parsing [%s:%d] : '%s' not allowed because %s '%s' has no %s capability.",
			         c->file, c->line, c->file, c->line, args[0], cfg_px_type(px), px->name, need);
			return -2;
		}
		cfg_warning(c, "'%s' ignored because %s '%s' has no %s capability.%s", args[0],
		            cfg_px_type(px), px->name, need,
		            !strcmp(args[0], "maxconn") ? " Maybe you want 'fullconn' instead ?" :
		            !strcmp(args[0], "fullconn") ? " Maybe you want 'maxconn' instead ?" : "");
		return 0;
	}
	if (!strcmp(args[0], "log-format") && !(px->cap & PX_CAP_FE)) {
		cfg_warning(c, "%s '%s' : 'log-format' directive is ignored in backends.", cfg_px_type(px), px->name);
		return 0;
	}
	return k->fn(c, args, nargs);
}

/* ---- after parsing ---- */

/* The one place that refuses "mode http" until the HTTP issue lands:
 * remove this function's body (return 0) to accept it. */
static int cfg_check_mode(const struct proxy *px)
{
	(void)px;      /* every mode is served */
	return 0;
}

int cfg_proxy_resolve(struct config *cfg)
{
	int errors = 0;
	char err[CFG_ERR_SIZE];
	struct cfg_ctx wc;

	memset(&wc, 0, sizeof(wc));
	wc.cfg = cfg;
	for (struct proxy *px = cfg->proxies; px; px = px->next) {
		errors += cfg_check_mode(px);
		for (struct bind_conf *b = px->binds; b; b = b->next)
			if (!b->backlog)
				b->backlog = px->backlog;     /* "backlog" of the proxy, else the default */
		if (px->mode != PX_MODE_HTTP) {
			static const struct { uint32_t flag; const char *name; } http_only[] = {
				{ PXO_FORWARDFOR, "forwardfor" },
				{ PXO_HTTP_BUFFER_REQ, "http-buffer-request" },
				{ PXO_HTTP_NO_DELAY, "http-no-delay" },
			};
			for (size_t i = 0; i < sizeof(http_only) / sizeof(http_only[0]); i++)
				if (px->options & http_only[i].flag) {
					cfg_warning(&wc, "'option %s' ignored for %s '%s' as it requires HTTP mode.",
					            http_only[i].name, (px->cap & PX_CAP_FE) && (px->cap & PX_CAP_BE) ?
					            "proxy" : cfg_px_type(px), px->name);
					px->options &= ~http_only[i].flag;
				}
		}
		errors += cfg_tls_build(cfg, px);     /* TLS contexts, sni expressions */
		if ((px->cap & PX_CAP_FE) && !px->binds && !px->disabled)
			cfg_warning(&wc, "%s '%s' has no 'bind' directive. Please declare it as a backend if this was intended.",
			            (px->cap & PX_CAP_BE) ? "proxy" : "frontend", px->name);
		if (px->defbe_name && (px->cap & PX_CAP_FE)) {
			struct proxy *be = proxy_find(cfg, px->defbe_name, PX_CAP_BE);
			if (!be || be == px) {
				/* a listen section cannot name itself: HAProxy refuses it too */
				cfg_alert(NULL, "Proxy '%s': unable to find required default_backend: '%s'.",
				          px->name, px->defbe_name);
				errors++;
			} else if (px->mode == PX_MODE_HTTP && be->mode != PX_MODE_HTTP) {
				cfg_alert(NULL, "http frontend '%s' (%s:%d) tries to use incompatible tcp backend '%s' (%s:%d) as its default backend (see 'mode').",
				          px->name, px->file, px->line, be->name, be->file, be->line);
				errors++;
			} else {
				px->defbe = be;
			}
		}
		if (px->cap & PX_CAP_BE) {
			if ((px->lb == LB_URI || px->lb == LB_HDR) && px->mode != PX_MODE_HTTP) {
				cfg_warning(&wc, "Layer 7 hash not possible for %s '%s' (needs 'mode http'). Falling back to round robin.",
				            cfg_px_type(px), px->name);
				px->lb = LB_ROUNDROBIN;
			}
			if (lb_init(px) < 0) {
				cfg_alert(NULL, "Proxy '%s': out of memory building the balancing tables.", px->name);
				errors++;
			}
		}
		if (!px->disabled &&
		    (((px->cap & PX_CAP_FE) && !px->to.client) ||
		     ((px->cap & PX_CAP_BE) && (!px->to.connect || !px->to.server)))) {
			cfg_warning(&wc, "missing timeouts for %s '%s'.\n"
			            "   | While not properly invalid, you will certainly encounter various problems\n"
			            "   | with such a configuration. To fix this, please ensure that all following\n"
			            "   | timeouts are set to a non-zero value: 'client', 'connect', 'server'.",
			            cfg_px_type(px), px->name);
		}
	}
	/* "errorfile": read once here, served from memory */
	errors += http_err_load_config(cfg);
	if (errors)
		return errors;
	sample_set_bufsize(cfg->g.bufsize);
	errors += sample_resolve(cfg);
	err[0] = 0;
	errors += rules_cfg_resolve(cfg, err, sizeof(err));
	return errors;
}

void cfg_proxy_free(struct proxy *px)
{
	if (!px)
		return;
	for (struct bind_conf *b = px->binds, *bn; b; b = bn) {
		bn = b->next;
		bind_conf_free(b);
	}
	for (struct server *s = px->srv, *sn; s; s = sn) {
		sn = s->next;
		server_free(s);
	}
	server_free(px->defsrv);
	lb_free(px);
	rules_free(px->tcp_req_conn);
	rules_free(px->tcp_req_cont);
	rules_free(px->tcp_res_cont);
	rules_free(px->http_req);
	rules_free(px->http_res);
	rules_free(px->redirects);
	rules_free(px->http_after_res);
	http_cap_list_free(px->caps);
	rules_free(px->switching);
	rules_free(px->tcp_req_sess);
	check_proxy_free(px);
	stats_page_free(px);
	http_cookie_free(px);
	unique_id_free(px);
	persist_free(px);
	stick_proxy_free(px);
	acl_list_free(px->acls);
	logfmt_free(px->logfmt);
	log_targets_free(px->logs);
	for (int i = 0; i < PX_MAX_ERRORFILES; i++) {
		free(px->errorfiles[i]);
		http_reply_err_free(px, i);
	}
	free(px->logfmt_str);
	free(px->log_tag);
	free(px->srvname_hdr);
	free(px->desc);
	free(px->lb_arg);
	free(px->defbe_name);
	free(px->name);
	free(px);
}
