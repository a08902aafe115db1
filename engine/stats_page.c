/* stats_page.c: the statistics page (stats_page.h). The settings of a
 * proxy live in px->stats_page (struct stats_cfg), built at configuration
 * time. A request for the page is answered from what the management
 * socket says: "show stat" (the CSV form, as is, or the rows of the HTML
 * tables), "show stat json" and "show info" (the process header), run in a
 * private, non-interactive CLI session. The page is built in a heap buffer
 * per request (a cli_out): it is not on the forwarding path. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/stats_page.h"
#include "engine/acl.h"
#include "engine/cfg.h"
#include "engine/chan.h"
#include "engine/cli.h"
#include "engine/http.h"
#include "engine/http_err.h"
#include "engine/http_reply.h"
#include "engine/proxy.h"
#include "engine/sample.h"
#include "engine/stream.h"
#include "engine/stream_http.h"
#include "engine/thread.h"

#define STATS_DEF_URI   "/haproxy?stats"
#define STATS_DEF_REALM "HAProxy Statistics"
#define STATS_MAX_COLS  128

enum { SR_ALLOW = 0, SR_DENY, SR_AUTH };

struct stats_rule {
	int kind;                   /* SR_* */
	char *realm;                /* auth: NULL = the page's realm */
	struct acl_cond *cond;      /* NULL = always */
};

struct stats_cfg {
	unsigned enabled:1, hide_version:1, legends:1, show_desc:1, show_node:1, admin:1;
	char *uri;                  /* NULL: the default prefix */
	char *realm;
	char *node, *desc;
	uint32_t refresh;           /* seconds, 0 = none */
	char **auth;                /* "user:pass" */
	int nb_auth;
	char **scope;               /* proxy names shown, none = all; "." = this one */
	int nb_scope;
	struct stats_rule *rules;
	int nb_rules;
	struct sample_expr *user, *pass;   /* http_auth_user / http_auth_pass, set with the first account */
};

static struct stats_cfg *sc_get(struct proxy *px)
{
	if (!px->stats_page)
		px->stats_page = calloc(1, sizeof(struct stats_cfg));
	return px->stats_page;
}

static int strv_add(char ***v, int *n, const char *s)
{
	char **nv = realloc(*v, (size_t)(*n + 1) * sizeof(*nv));

	if (!nv)
		return -1;
	*v = nv;
	if (!(nv[*n] = strdup(s)))
		return -1;
	(*n)++;
	return 0;
}

static int set_str(char **dst, const char *s)
{
	char *d = strdup(s);

	if (!d)
		return -1;
	free(*dst);
	*dst = d;
	return 0;
}

/* Adds account <v> ("user:password") to <st>, with the fetches reading a
 * request's Basic credentials (parsed with the first account, here rather
 * than on the data path). Returns 0 or -1 (out of memory). */
static int sc_auth_add(struct stats_cfg *st, const char *v)
{
	char err[256];

	if (!st->user && !(st->user = sample_expr_parse("http_auth_user", NULL, NULL, err, sizeof(err))))
		return -1;
	if (!st->pass && !(st->pass = sample_expr_parse("http_auth_pass", NULL, NULL, err, sizeof(err))))
		return -1;
	return strv_add(&st->auth, &st->nb_auth, v);
}

/* "stats http-request allow|deny|auth [realm <r>] [if|unless <cond>]" */
static int sc_cfg_rule(struct cfg_ctx *c, struct stats_cfg *st, char **args, int nargs)
{
	struct stats_rule r = { 0 }, *nr;
	int i = 3;

	if (nargs < 3 || (strcmp(args[2], "allow") && strcmp(args[2], "deny") && strcmp(args[2], "auth")))
		return cfg_set_err(c, "'stats http-request' expects 'allow', 'deny', 'auth', but got '%s'.",
		                   nargs > 2 ? args[2] : "");
	r.kind = !strcmp(args[2], "allow") ? SR_ALLOW : !strcmp(args[2], "deny") ? SR_DENY : SR_AUTH;
	if (r.kind == SR_AUTH && i + 1 < nargs && !strcmp(args[i], "realm")) {
		if (!(r.realm = strdup(args[i + 1])))
			return cfg_set_err(c, "out of memory.");
		i += 2;
	}
	if (i < nargs) {
		if (strcmp(args[i], "if") && strcmp(args[i], "unless")) {
			free(r.realm);
			return cfg_set_err(c, "'stats http-request %s' expects 'if' or 'unless' followed by a condition, but got '%s'.",
			                   args[2], args[i]);
		}
		if (!(r.cond = acl_cond_parse(c, args + i, nargs - i))) {
			free(r.realm);
			return -1;
		}
	}
	if (!(nr = realloc(st->rules, (size_t)(st->nb_rules + 1) * sizeof(*nr)))) {
		free(r.realm);
		acl_cond_free(r.cond);
		return cfg_set_err(c, "out of memory.");
	}
	st->rules = nr;
	st->rules[st->nb_rules++] = r;
	return 0;
}

int stats_page_cfg(struct cfg_ctx *c, char **args, int nargs)
{
	struct stats_cfg *st = sc_get(c->px);
	const char *k = nargs > 1 ? args[1] : "";
	const char *v = nargs > 2 ? args[2] : NULL;

	if (!st)
		return cfg_set_err(c, "out of memory.");
	if (!strcmp(k, "enable")) {
		st->enabled = 1;
		return 0;
	}
	if (!strcmp(k, "hide-version") || !strcmp(k, "show-legends") || !strcmp(k, "show-modules")) {
		st->enabled = 1;
		if (k[0] == 'h')
			st->hide_version = 1;
		else if (k[5] == 'l')
			st->legends = 1;
		return 0;
	}
	if (!strcmp(k, "uri") || !strcmp(k, "realm") || !strcmp(k, "auth") || !strcmp(k, "scope")) {
		if (!v || !*v)
			return cfg_set_err(c, "'%s' needs %s.", k,
			                   k[0] == 'u' ? "an URI prefix" : k[0] == 'r' ? "a realm" :
			                   k[0] == 'a' ? "a user:password account" : "a proxy name");
		if (k[0] == 'a' && !strchr(v, ':'))
			return cfg_set_err(c, "'stats auth' expects <user>:<password>, got '%s'.", v);
		if ((k[0] == 'a' || k[0] == 'r') && st->nb_rules)
			return cfg_set_err(c, "proxy '%s': stats 'auth'/'realm' and 'http-request' can't be used at the same time.", c->px->name);
		st->enabled = 1;
		if (!(k[0] == 'u' ? set_str(&st->uri, v) : k[0] == 'r' ? set_str(&st->realm, v) :
		      k[0] == 'a' ? sc_auth_add(st, v) : strv_add(&st->scope, &st->nb_scope, v)))
			return 0;
		return cfg_set_err(c, "out of memory.");
	}
	if (!strcmp(k, "refresh")) {
		uint32_t ms;

		if (!v || cfg_parse_time(v, &ms) < 0)
			return cfg_set_err(c, "unexpected character '%s' in argument to stats refresh interval.", v ? v : "");
		st->enabled = 1;
		st->refresh = (ms + 999) / 1000;
		return 0;
	}
	if (!strcmp(k, "show-node") || !strcmp(k, "show-desc")) {
		st->enabled = 1;
		if (k[5] == 'n')
			st->show_node = 1;
		else
			st->show_desc = 1;
		if (v && set_str(k[5] == 'n' ? &st->node : &st->desc, v) < 0)
			return cfg_set_err(c, "out of memory.");
		return 0;
	}
	if (!strcmp(k, "admin")) {
		if (!v || (strcmp(v, "if") && strcmp(v, "unless")))
			return cfg_set_err(c, "'stats admin' requires either 'if' or 'unless' followed by a condition.");
		struct acl_cond *cond = acl_cond_parse(c, args + 2, nargs - 2);
		if (!cond)
			return -1;
		acl_cond_free(cond);          /* checked, not kept: the page has no admin forms */
		st->enabled = 1;
		if (!st->admin)
			cfg_notice(c, "'stats admin' has no effect in ringproxy: the page is read-only (the management socket changes server states).");
		st->admin = 1;
		return 0;
	}
	if (!strcmp(k, "http-request")) {
		if (st->nb_auth || st->realm)
			return cfg_set_err(c, "proxy '%s': stats 'auth'/'realm' and 'http-request' can't be used at the same time.", c->px->name);
		st->enabled = 1;
		return sc_cfg_rule(c, st, args, nargs);
	}
	return cfg_set_err(c, "unknown stats parameter '%s', expects 'admin', 'uri', 'realm', 'auth', 'scope', 'enable', 'hide-version', 'show-node', 'show-desc' or 'show-legends'.", k);
}

int stats_page_inherit(struct proxy *px, const struct proxy *def)
{
	const struct stats_cfg *d = def->stats_page;
	struct stats_cfg *st;

	if (!d)
		return 0;
	if (!(st = sc_get(px)))
		return -1;
	st->enabled = d->enabled;
	st->hide_version = d->hide_version;
	st->legends = d->legends;
	st->show_desc = d->show_desc;
	st->show_node = d->show_node;
	st->refresh = d->refresh;
	if ((d->uri && set_str(&st->uri, d->uri) < 0) || (d->realm && set_str(&st->realm, d->realm) < 0) ||
	    (d->node && set_str(&st->node, d->node) < 0) || (d->desc && set_str(&st->desc, d->desc) < 0))
		return -1;
	for (int i = 0; i < d->nb_auth; i++)
		if (sc_auth_add(st, d->auth[i]) < 0)
			return -1;
	for (int i = 0; i < d->nb_scope; i++)
		if (strv_add(&st->scope, &st->nb_scope, d->scope[i]) < 0)
			return -1;
	return 0;                         /* rules with conditions stay in their section */
}

void stats_page_free(struct proxy *px)
{
	struct stats_cfg *st = px->stats_page;

	if (!st)
		return;
	for (int i = 0; i < st->nb_auth; i++)
		free(st->auth[i]);
	for (int i = 0; i < st->nb_scope; i++)
		free(st->scope[i]);
	for (int i = 0; i < st->nb_rules; i++) {
		free(st->rules[i].realm);
		acl_cond_free(st->rules[i].cond);
	}
	sample_expr_free(st->user);
	sample_expr_free(st->pass);
	free(st->auth);
	free(st->scope);
	free(st->rules);
	free(st->uri);
	free(st->realm);
	free(st->node);
	free(st->desc);
	free(st);
	px->stats_page = NULL;
}

/* ---- the answer ---- */

/* Appends <s> (<n> bytes) with HTML's special characters escaped. */
static void sb_html(struct cli_out *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		switch (s[i]) {
		case '<': cli_out_str(b, "&lt;"); break;
		case '>': cli_out_str(b, "&gt;"); break;
		case '&': cli_out_str(b, "&amp;"); break;
		case '"': cli_out_str(b, "&quot;"); break;
		default:  cli_out_add(b, s + i, 1); break;
		}
	}
}

/* Runs the management command <cmd> and appends its answer to <b>. */
static void sb_cli(struct cli_out *b, struct config *cfg, const char *cmd)
{
	struct cli_sess *cs = cli_sess_new(cfg, CLI_LVL_OPER);
	const char *out;
	size_t n;

	if (!cs) {
		b->failed = 1;
		return;
	}
	if (cli_sess_feed(cs, cmd, strlen(cmd)) < 0)
		b->failed = 1;
	else if ((out = cli_sess_output(cs, &n)))
		cli_out_add(b, out, n);
	cli_sess_free(cs);
}

/* Splits the CSV line <line> in place into at most <max> fields. */
static int csv_split(char *line, char **f, int max)
{
	int n = 0;

	while (n < max) {
		char *c = strchr(line, ',');

		f[n++] = line;
		if (!c)
			break;
		*c = 0;
		line = c + 1;
	}
	return n;
}

static int col_of(char **names, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(names[i], name))
			return i;
	return -1;
}

static int in_scope(const struct stats_cfg *st, const struct proxy *px, const char *name)
{
	if (!st->nb_scope)
		return 1;
	for (int i = 0; i < st->nb_scope; i++)
		if (!strcmp(st->scope[i], name) || (!strcmp(st->scope[i], ".") && !strcmp(px->name, name)))
			return 1;
	return 0;
}

/* Keeps the CSV header and the rows of the proxies in scope. */
static void csv_scoped(struct cli_out *out, const struct stats_cfg *st, const struct proxy *px, char *csv)
{
	for (char *line = csv, *nl; line && *line; line = nl) {
		size_t n;

		nl = strchr(line, '\n');
		n = nl ? (size_t)(nl - line) : strlen(line);
		if (nl)
			nl++;
		const char *comma = memchr(line, ',', n);
		if (line[0] == '#' || n == 0 || !comma) {
			cli_out_add(out, line, n);
			cli_out_str(out, "\n");
			continue;
		}
		char name[256];
		snprintf(name, sizeof(name), "%.*s", (int)(comma - line), line);
		if (in_scope(st, px, name)) {
			cli_out_add(out, line, n);
			cli_out_str(out, "\n");
		}
	}
}

/* The columns of the HTML tables: title, and the CSV fields shown. */
static const struct { const char *title; const char *const f[6]; } html_groups[] = {
	{ "Queue",        { "qcur", "qmax", "qlimit" } },
	{ "Session rate", { "rate", "rate_max", "rate_lim" } },
	{ "Sessions",     { "scur", "smax", "slim", "stot", "lbtot" } },
	{ "Bytes",        { "bin", "bout" } },
	{ "Denied",       { "dreq", "dresp" } },
	{ "Errors",       { "ereq", "econ", "eresp" } },
	{ "Warnings",     { "wretr", "wredis" } },
	{ "Server",       { "status", "lastchg", "weight", "act", "bck", "check_status" } },
};
static const char *const html_sub[] = {
	"qcur", "Cur", "qmax", "Max", "qlimit", "Limit", "rate", "Cur", "rate_max", "Max", "rate_lim", "Limit",
	"scur", "Cur", "smax", "Max", "slim", "Limit", "stot", "Total", "lbtot", "LbTot", "bin", "In", "bout", "Out",
	"dreq", "Req", "dresp", "Resp", "ereq", "Req", "econ", "Conn", "eresp", "Resp", "wretr", "Retr",
	"wredis", "Redis", "status", "Status", "lastchg", "LastChk", "weight", "Wght", "act", "Act", "bck", "Bck",
	"check_status", "Chk", NULL
};

static const char *sub_title(const char *f)
{
	for (int i = 0; html_sub[i]; i += 2)
		if (!strcmp(html_sub[i], f))
			return html_sub[i + 1];
	return f;
}

/* The CSS class of a row: its kind and state. */
static const char *row_class(const char *sv, const char *status)
{
	if (!strcmp(sv, "FRONTEND"))
		return "frontend";
	if (!strcmp(sv, "BACKEND"))
		return "backend";
	if (!strncmp(status, "UP", 2))
		return "active_up";
	if (!strncmp(status, "DOWN", 4))
		return "active_down";
	if (!strncmp(status, "MAINT", 5))
		return "maintain";
	if (!strncmp(status, "DRAIN", 5))
		return "draining";
	return "active_no_check";
}

static void html_page(struct cli_out *b, const struct stats_cfg *st, const struct proxy *px,
                      char *info, char *csv, int refresh)
{
	char *names[STATS_MAX_COLS], *f[STATS_MAX_COLS];
	int ncol = 0, cur_px = -1;
	char last_px[256] = "";
	const char *pid = "", *uptime = "", *maxconn = "", *conns = "", *version = "";

	/* "Name: value" lines of show info */
	for (char *l = strtok(info, "\n"); l; l = strtok(NULL, "\n")) {
		char *v = strstr(l, ": ");

		if (!v)
			continue;
		*v = 0;
		v += 2;
		if (!strcmp(l, "Pid")) pid = v;
		else if (!strcmp(l, "Uptime")) uptime = v;
		else if (!strcmp(l, "Maxconn")) maxconn = v;
		else if (!strcmp(l, "CurrConns")) conns = v;
		else if (!strcmp(l, "Version")) version = v;
	}
	cli_out_str(b, "<!DOCTYPE html>\n<html><head><title>Statistics Report for ringproxy");
	if (st->show_node)
		cli_out_printf(b, " on %s", st->node ? st->node : "");
	cli_out_str(b, "</title>\n<meta http-equiv=\"content-type\" content=\"text/html; charset=iso-8859-1\">\n"
	          "<style type=\"text/css\">\n"
	          "body { font-family: arial, helvetica, sans-serif; font-size: 12px; background: #fff; }\n"
	          "table.tbl { border-collapse: collapse; border: 1px solid grey; margin-bottom: 1em; }\n"
	          "table.tbl th, table.tbl td { border: 1px solid grey; padding: 1px 4px; text-align: right; }\n"
	          "th.pxname { background: #b00040; color: #ffff40; text-align: left; }\n"
	          "tr.titre th { background: #20a0ff; }\n"
	          "tr.frontend td, tr.backend td { background: #e8e8d0; font-weight: bold; }\n"
	          "tr.active_up td { background: #c0ffc0; } tr.active_down td { background: #ff9090; }\n"
	          "tr.maintain td { background: #c07820; } tr.draining td { background: #20a0ff; }\n"
	          "td.ac { text-align: left; }\n"
	          "</style></head>\n<body>\n<h1>ringproxy");
	if (!st->hide_version)
		cli_out_printf(b, " version %s", version);
	cli_out_str(b, "</h1>\n<h2>Statistics Report for pid ");
	cli_out_str(b, pid);
	if (st->show_node) {
		cli_out_str(b, " on ");
		sb_html(b, st->node ? st->node : "", st->node ? strlen(st->node) : 0);
	}
	cli_out_str(b, "</h2>\n");
	if (st->show_desc && st->desc) {
		cli_out_str(b, "<p class=\"desc\">");
		sb_html(b, st->desc, strlen(st->desc));
		cli_out_str(b, "</p>\n");
	}
	cli_out_printf(b, "<p>pid = %s; uptime = %s; maxconn = %s; current conns = %s", pid, uptime, maxconn, conns);
	if (refresh)
		cli_out_printf(b, "; refresh = %us", (unsigned)refresh);
	cli_out_str(b, "</p>\n");

	for (char *line = csv, *nl; line && *line; line = nl) {
		int n, ipx, isv, ist;

		if ((nl = strchr(line, '\n')))
			*nl++ = 0;
		if (line[0] == '#') {
			ncol = csv_split(line + 2, names, STATS_MAX_COLS);
			continue;
		}
		if (!ncol || !*line)
			continue;
		n = csv_split(line, f, STATS_MAX_COLS);
		ipx = col_of(names, ncol, "pxname");
		isv = col_of(names, ncol, "svname");
		ist = col_of(names, ncol, "status");
		if (ipx < 0 || isv < 0 || ipx >= n || isv >= n || !in_scope(st, px, f[ipx]))
			continue;
		if (strcmp(last_px, f[ipx])) {
			if (cur_px >= 0)
				cli_out_str(b, "</table>\n");
			cur_px++;
			snprintf(last_px, sizeof(last_px), "%s", f[ipx]);
			cli_out_str(b, "<table class=\"tbl\">\n<tr class=\"titre\"><th class=\"pxname\" colspan=\"30\"><a name=\"");
			sb_html(b, f[ipx], strlen(f[ipx]));
			cli_out_str(b, "\">");
			sb_html(b, f[ipx], strlen(f[ipx]));
			cli_out_str(b, "</a></th></tr>\n<tr class=\"titre\"><th rowspan=\"2\"></th>");
			for (size_t g = 0; g < sizeof(html_groups) / sizeof(*html_groups); g++) {
				int w = 0;

				while (w < 6 && html_groups[g].f[w])
					w++;
				cli_out_printf(b, "<th colspan=\"%d\">%s</th>", w, html_groups[g].title);
			}
			cli_out_str(b, "</tr>\n<tr class=\"titre\">");
			for (size_t g = 0; g < sizeof(html_groups) / sizeof(*html_groups); g++)
				for (int w = 0; w < 6 && html_groups[g].f[w]; w++)
					cli_out_printf(b, "<th>%s</th>", sub_title(html_groups[g].f[w]));
			cli_out_str(b, "</tr>\n");
		}
		cli_out_printf(b, "<tr class=\"%s\"><td class=\"ac\">", row_class(f[isv], ist >= 0 && ist < n ? f[ist] : ""));
		sb_html(b, !strcmp(f[isv], "FRONTEND") ? "Frontend" : !strcmp(f[isv], "BACKEND") ? "Backend" : f[isv],
		        !strcmp(f[isv], "FRONTEND") ? 8 : !strcmp(f[isv], "BACKEND") ? 7 : strlen(f[isv]));
		cli_out_str(b, "</td>");
		for (size_t g = 0; g < sizeof(html_groups) / sizeof(*html_groups); g++)
			for (int w = 0; w < 6 && html_groups[g].f[w]; w++) {
				int i = col_of(names, ncol, html_groups[g].f[w]);

				cli_out_str(b, "<td>");
				if (i >= 0 && i < n)
					sb_html(b, f[i], strlen(f[i]));
				cli_out_str(b, "</td>");
			}
		cli_out_str(b, "</tr>\n");
	}
	if (cur_px >= 0)
		cli_out_str(b, "</table>\n");
	if (st->legends)
		cli_out_str(b, "<p>Legend: active UP (green), DOWN (red), in maintenance (brown), draining (blue); "
		          "Frontend and Backend rows hold the proxy's totals.</p>\n");
	cli_out_str(b, "</body></html>\n");
}

/* Returns 1 when the request carries one of the "stats auth" accounts. */
static int auth_ok(const struct stats_cfg *st, struct smp_ctx *ctx)
{
	struct sample u = { 0 }, p = { 0 };
	char user[256], pass[256];

	if (!sample_expr_eval(st->user, ctx, &u) || !sample_cast(&u, SMP_T_STR))
		return 0;
	snprintf(user, sizeof(user), "%.*s", (int)u.u.str.len, u.u.str.ptr);
	if (!sample_expr_eval(st->pass, ctx, &p) || !sample_cast(&p, SMP_T_STR))
		return 0;
	snprintf(pass, sizeof(pass), "%.*s", (int)p.u.str.len, p.u.str.ptr);
	for (int i = 0; i < st->nb_auth; i++) {
		const char *c = strchr(st->auth[i], ':');
		size_t ul = (size_t)(c - st->auth[i]);

		if (strlen(user) == ul && !memcmp(user, st->auth[i], ul) && !strcmp(pass, c + 1))
			return 1;
	}
	return 0;
}

/* Returns 1 when the URI <u>/<n> asks for the page of prefix <pfx>: the
 * whole URI, or its path when the prefix starts with '/' and the URI is
 * absolute ("http://host/stats"). */
static int uri_match(const char *pfx, const char *u, size_t n)
{
	size_t pl = strlen(pfx);
	const char *e;

	if (n >= pl && !memcmp(u, pfx, pl))
		return 1;
	if (pfx[0] != '/' || !n || u[0] == '/' || !(e = memmem(u, n, "://", 3)))
		return 0;
	e += 3;
	e = memchr(e, '/', n - (size_t)(e - u));
	return e && n - (size_t)(e - u) >= pl && !memcmp(e, pfx, pl);
}

/* Queues the 401 asking for credentials of <realm>. Returns 401, or -1
 * when nothing could be queued. */
static int reply_auth(struct stream *s, const struct proxy *px, const char *realm)
{
	char page[4096];
	long n = http_auth_reply_build(page, sizeof(page), px, 401, realm, strlen(realm));

	return n > 0 && stream_http_reply(s, page, (size_t)n, 401, 0) == 0 ? 401 : -1;
}

/* Answers the request (see stats_page_req()); returns the status or 0. */
static int stats_answer(struct stream *s, struct proxy *px, struct stats_cfg *st,
                        const struct http_txn *txn, const char *uri, size_t ulen)
{
	struct smp_ctx ctx;
	struct cli_out body = { 0 }, out = { 0 };
	char hdr[512];
	int status = 200, csv, json, refresh, head;

	memset(&ctx, 0, sizeof(ctx));
	ctx.strm = s;
	ctx.px = px;
	ctx.dir = SMP_DIR_REQ;
	ctx.final = 1;

	/* "stats http-request" rules, then "stats auth" */
	for (int i = 0; i < st->nb_rules; i++) {
		const struct stats_rule *r = &st->rules[i];

		if (r->cond && acl_cond_exec(r->cond, &ctx) != ACL_TRUE)
			continue;
		if (r->kind == SR_ALLOW)
			goto allowed;
		if (r->kind == SR_DENY) {
			size_t len = 0;
			char built[4096];
			const char *page = http_reply_err_page(s, 403, built, sizeof(built), &len);

			return page && len && stream_http_reply(s, page, len, 403, 0) == 0 ? 403 : -1;
		}
		return reply_auth(s, px, r->realm ? r->realm : st->realm ? st->realm : STATS_DEF_REALM);
	}
	if (st->nb_auth && !auth_ok(st, &ctx))
		return reply_auth(s, px, st->realm ? st->realm : STATS_DEF_REALM);
allowed:
	csv = memmem(uri, ulen, ";csv", 4) != NULL;
	json = memmem(uri, ulen, ";json", 5) != NULL;
	refresh = st->refresh && !memmem(uri, ulen, ";norefresh", 10) ? (int)st->refresh : 0;  /* csv too, as HAProxy */
	head = txn->req.h1.meth_id == H1_M_HEAD;
	if (json) {
		sb_cli(&body, s->thr->cfg, "show stat json\n");
	} else {
		struct cli_out raw = { 0 };

		sb_cli(&raw, s->thr->cfg, "show stat\n");
		if (csv) {
			if (raw.p)
				csv_scoped(&body, st, px, raw.p);
		} else {
			struct cli_out info = { 0 };

			sb_cli(&info, s->thr->cfg, "show info\n");
			html_page(&body, st, px, info.p ? info.p : (char *)"", raw.p ? raw.p : (char *)"", refresh);
			body.failed |= info.failed;
			free(info.p);
		}
		body.failed |= raw.failed;
		free(raw.p);
	}
	if (body.failed) {
		free(body.p);
		return 0;                         /* no memory: the request goes on */
	}
	snprintf(hdr, sizeof(hdr), "HTTP/1.1 %d OK\r\ncache-control: no-cache\r\ncontent-type: %s\r\n",
	         status, json ? "application/json" : csv ? "text/plain" : "text/html");
	cli_out_str(&out, hdr);
	if (refresh)
		cli_out_printf(&out, "refresh: %d\r\n", refresh);
	cli_out_printf(&out, "content-length: %zu\r\n\r\n", body.len);
	if (!head && body.p)
		cli_out_add(&out, body.p, body.len);
	free(body.p);
	if (out.failed) {
		free(out.p);
		return 0;
	}
	if (stream_http_reply(s, out.p, out.len, status, 0) < 0)
		status = -1;
	free(out.p);
	return status;
}

int stats_page_req(struct stream *s, struct proxy *px)
{
	struct stats_cfg *st = px->stats_page;
	struct http_txn *txn = s->http;
	char ubuf[2048];
	const char *uri;
	size_t ulen;
	int status;

	if (!st || !st->enabled || !txn || !(uri = http_get_uri(&txn->req, ubuf, sizeof(ubuf), &ulen)) ||
	    !uri_match(st->uri ? st->uri : STATS_DEF_URI, uri, ulen))
		return 0;
	if ((status = stats_answer(s, px, st, txn, uri, ulen)) > 0) {
		if (!s->err || s->err == STRM_ERR_NONE)
			s->err = STRM_ERR_LOCAL;      /* "L": answered by the proxy itself */
	}
	return status;
}
