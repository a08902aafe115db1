/* cli_cmds.c: the commands of the management socket (cli.h), answering
 * with HAProxy 2.6's texts: maps and ACLs (show/add/set/del/clear/get
 * through pattern.h), servers (enable/disable, set server, get weight,
 * show servers state, set maxconn), sessions, levels, and the command
 * table. show info/stat live in cli_stat.c. Each command writes its answer
 * without the empty line that ends it (cli.c adds it). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "engine/check.h"
#include "engine/cli.h"
#include "engine/cfg.h"
#include "engine/lb.h"
#include "engine/listener.h"
#include "engine/pattern.h"
#include "engine/proxy.h"
#include "engine/sample.h"
#include "engine/stream.h"
#include "engine/conn.h"
#include "engine/program.h"
#include "engine/thread.h"
#include "engine/timer.h"
#include "engine/vars.h"

#define CLI_LINE_MAX     4096

/* ---- helpers ---- */

uint64_t cli_uptime_sec(void)
{
	uint64_t now = timer_now_ms();

	return cli_info.start_ms && now > cli_info.start_ms ? (now - cli_info.start_ms) / 1000 : 0;
}

/* Returns the proxy id HAProxy shows (iid, be_id): "id N", else the
 * config order plus one, because HAProxy numbers the CLI's own proxy
 * (GLOBAL) first whenever a stats socket exists. */
int cli_px_id(const struct proxy *px)
{
	return px->uuid ? px->uuid : px->id + 1;
}

struct server *cli_find_server(struct cli_ctx *c, const char *arg)
{
	char name[256];
	const char *slash = arg ? strchr(arg, '/') : NULL;
	struct proxy *px;
	struct server *srv;

	if (!slash || (size_t)(slash - arg) >= sizeof(name)) {
		cli_out_str(c->out, "Require 'backend/server'.\n");
		return NULL;
	}
	memcpy(name, arg, (size_t)(slash - arg));
	name[slash - arg] = 0;
	if (!(px = proxy_find(c->cfg, name, PX_CAP_BE))) {
		cli_out_str(c->out, "No such backend.\n");
		return NULL;
	}
	if (!(srv = server_find(px, slash + 1))) {
		cli_out_str(c->out, "No such server.\n");
		return NULL;
	}
	return srv;
}

/* Writes an address's IP (no port) into <buf>. */
void cli_addr_ip(const struct addr *a, char *buf, size_t len)
{
	if (a->u.sa.sa_family == AF_INET)
		inet_ntop(AF_INET, &a->u.in4.sin_addr, buf, (socklen_t)len);
	else if (a->u.sa.sa_family == AF_INET6)
		inet_ntop(AF_INET6, &a->u.in6.sin6_addr, buf, (socklen_t)len);
	else
		snprintf(buf, len, "-");
}

int cli_addr_port(const struct addr *a)
{
	if (a->u.sa.sa_family == AF_INET)
		return ntohs(a->u.in4.sin_port);
	if (a->u.sa.sa_family == AF_INET6)
		return ntohs(a->u.in6.sin6_port);
	return 0;
}

/* ---- levels, prompt, quit, version ---- */

static void cmd_prompt(struct cli_ctx *c, char **args, int nargs)
{
	(void)args; (void)nargs;
	*c->prompt = !*c->prompt;
}

static void cmd_quit(struct cli_ctx *c, char **args, int nargs)
{
	(void)args; (void)nargs;
	*c->quit = 1;
	*c->prompt = 0;
}

static void cmd_user(struct cli_ctx *c, char **args, int nargs)
{
	(void)args; (void)nargs;
	*c->level = CLI_LVL_USER;
}

static void cmd_operator(struct cli_ctx *c, char **args, int nargs)
{
	(void)args; (void)nargs;
	*c->level = CLI_LVL_OPER;
}

static void cmd_show_cli_level(struct cli_ctx *c, char **args, int nargs)
{
	static const char *const names[] = { "user", "operator", "admin" };

	(void)args; (void)nargs;
	cli_out_printf(c->out, "%s\n", names[*c->level < 0 || *c->level > 2 ? 0 : *c->level]);
}

/* "show cli sockets": each stats socket, its level and processes. */
static void cmd_show_cli_sockets(struct cli_ctx *c, char **args, int nargs)
{
	static const char *const lvl[] = { "user", "operator", "admin" };
	char ip[INET6_ADDRSTRLEN];

	(void)args; (void)nargs;
	cli_out_str(c->out, "# socket lvl processes\n");
	for (const struct stats_socket *ss = c->cfg->g.stats; ss; ss = ss->next) {
		const char *l = lvl[ss->level < 0 || ss->level > 2 ? 1 : ss->level];

		if (ss->fd >= 0)
			cli_out_printf(c->out, "fd@%d %s all\n", ss->fd, l);
		else if (ss->addr.u.sa.sa_family == AF_UNIX)
			cli_out_printf(c->out, "unix@%s %s all\n", ss->addr.u.un.sun_path, l);
		else {
			cli_addr_ip(&ss->addr, ip, sizeof(ip));
			if (ss->addr.u.sa.sa_family == AF_INET6)
				cli_out_printf(c->out, "ipv6@[%s]:%d %s all\n", ip, cli_addr_port(&ss->addr), l);
			else
				cli_out_printf(c->out, "ipv4@%s:%d %s all\n", ip, cli_addr_port(&ss->addr), l);
		}
	}
}

/* "get var <proc.name>": a process-wide variable, as HAProxy shows it
 * ("proc.x: type=str value=<v>", without a line end of its own). */
static void cmd_get_var(struct cli_ctx *c, char **args, int nargs)
{
	struct var_ref ref;
	struct vars *v;
	struct sample smp;
	char err[128], ip[INET6_ADDRSTRLEN];

	if (nargs < 3) {
		cli_out_str(c->out, "Missing process-wide variable identifier.\n");
		return;
	}
	if (vars_parse_ref(args[2], strlen(args[2]), &ref, err, sizeof(err)) < 0) {
		cli_out_str(c->out, "Variable not found.\n");
		return;
	}
	memset(&smp, 0, sizeof(smp));
	v = ref.scope == VAR_SCOPE_PROC ? vars_of(NULL, VAR_SCOPE_PROC) : NULL;
	if (!v || !vars_get(v, &ref, &smp)) {
		vars_ref_free(&ref);
		cli_out_str(c->out, "Variable not found.\n");
		return;
	}
	vars_ref_free(&ref);
	cli_out_printf(c->out, "%s: type=%s value=<", args[2], smp_type_name(smp.type));
	switch (smp.type) {
	case SMP_T_BOOL:
	case SMP_T_SINT:
		cli_out_printf(c->out, "%lld", (long long)smp.u.sint);
		break;
	case SMP_T_IPV4:
		inet_ntop(AF_INET, &smp.u.ipv4, ip, sizeof(ip));
		cli_out_str(c->out, ip);
		break;
	case SMP_T_IPV6:
		inet_ntop(AF_INET6, &smp.u.ipv6, ip, sizeof(ip));
		cli_out_str(c->out, ip);
		break;
	default:
		cli_out_add(c->out, smp.u.str.ptr ? smp.u.str.ptr : "", smp.u.str.ptr ? smp.u.str.len : 0);
		break;
	}
	cli_out_str(c->out, ">");
}

/* "experimental-mode [on|off]" (admin): says whether the session may run
 * experimental commands ("set var"), or turns that on or off. */
static void cmd_experimental_mode(struct cli_ctx *c, char **args, int nargs)
{
	if (nargs < 2)
		cli_out_printf(c->out, "experimental-mode is %s\n", *c->experimental ? "ON" : "OFF");
	else
		*c->experimental = !strcmp(args[1], "on");
}

/* "set var <proc.name> [expr] <expr>" or "set var <proc.name> fmt <fmt>"
 * (experimental mode): sets a process-wide variable from internal fetches,
 * evaluated now. */
static void cmd_set_var(struct cli_ctx *c, char **args, int nargs)
{
	struct var_ref ref;
	char err[256];
	int idx = 3, fmt = 0, r;

	if (nargs < 3) {
		cli_out_str(c->out, "Missing variable name.\n");
		return;
	}
	if (nargs < 4) {
		cli_out_str(c->out, "Missing either 'expr', 'fmt' or expression.\n");
		return;
	}
	/* a lone "expr" or "fmt" is the expression, as HAProxy reads it */
	if (nargs > 4 && (!strcmp(args[3], "expr") || (fmt = !strcmp(args[3], "fmt"))))
		idx = 4;
	if (vars_parse_ref(args[2], strlen(args[2]), &ref, err, sizeof(err)) < 0) {
		cli_out_printf(c->out, "%s\n", err);
		return;
	}
	r = -1;
	if (ref.scope != VAR_SCOPE_PROC)
		snprintf(err, sizeof(err), "'set var': cannot set variable '%s', only scope 'proc' is permitted here.",
		         args[2]);
	else
		r = vars_set_proc_now(&ref, fmt ? args[idx] : NULL, args, nargs, &idx, err, sizeof(err));
	vars_ref_free(&ref);
	if (r == 0)
		return;
	cli_out_printf(c->out, r == -2 ? "fetch method '%s' extracts information that is not available here.\n" :
	                                 "%s\n", err);
	*c->no_eol = 1;         /* errors end without the empty line, as HAProxy 2.6 answers them */
}

static void cmd_show_version(struct cli_ctx *c, char **args, int nargs)
{
	(void)args; (void)nargs;
	cli_out_str(c->out, CLI_VERSION "\n");
}

void cli_fmt_uptime(char *buf, size_t len, uint64_t sec)
{
	snprintf(buf, len, "%llud%02lluh%02llum%02llus", (unsigned long long)(sec / 86400),
	         (unsigned long long)(sec / 3600 % 24), (unsigned long long)(sec / 60 % 60),
	         (unsigned long long)(sec % 60));
}

/* "show proc" (master CLI): the processes, as HAProxy's master lists
 * them; this process is both the master and its one worker, then the
 * programs it started. */
static void cmd_show_proc(struct cli_ctx *c, char **args, int nargs)
{
	char upt[32];

	(void)args; (void)nargs;
	cli_fmt_uptime(upt, sizeof(upt), cli_uptime_sec());
	cli_out_printf(c->out, "%-15s %-15s %-15s %-15s %-15s\n", "#<PID>", "<type>", "<reloads>", "<uptime>",
	               "<version>");
	cli_out_printf(c->out, "%-15d %-15s %-15s %-15s %s\n", (int)getpid(), "master", "0 [failed: 0]", upt,
	               CLI_VERSION);
	cli_out_printf(c->out, "# workers\n%-15d %-15s %-15s %-15s %s\n# programs\n", (int)getpid(), "worker",
	               "0", upt, CLI_VERSION);
	program_show(c->out, timer_now_ms());
}

/* "show env [<name>]": the process environment, or one variable. */
static void cmd_show_env(struct cli_ctx *c, char **args, int nargs)
{
	extern char **environ;
	size_t n = nargs > 2 ? strlen(args[2]) : 0;

	for (char **e = environ; e && *e; e++) {
		if (nargs > 2 && (strncmp(*e, args[2], n) || (*e)[n] != '='))
			continue;
		cli_out_printf(c->out, "%s\n", *e);
		if (nargs > 2)
			return;
	}
	if (nargs > 2)
		cli_out_str(c->out, "Variable not found\n");
}

/* ---- maps and ACLs ---- */

struct cli_list_walk {
	struct cli_out *out;
	int maps;
	const void *ref;           /* entry looked for, by address */
	const struct pat_entry *found;
	const char *key;
	int nb;
};

static int cli_show_one_list(struct pat_list *l, void *arg)
{
	struct cli_list_walk *w = arg;
	const char *name = pat_list_name(l), *desc = pat_list_desc(l);

	if (!!pat_list_is_map(l) != w->maps)
		return 0;
	unsigned curr, next;
	size_t pending;

	cli_ver_get(l, &curr, &next, &pending);
	if (desc)
		cli_out_printf(w->out, "%u (%s) %s. curr_ver=%u next_ver=%u entry_cnt=%zu\n", pat_list_id(l),
		               name ? name : "", desc, curr, next, pat_list_count(l) + pending);
	else
		cli_out_printf(w->out, "%u (%s) pattern loaded from file '%s'. curr_ver=%u next_ver=%u entry_cnt=%zu\n",
		               pat_list_id(l), name ? name : "", name ? name : "", curr, next,
		               pat_list_count(l) + pending);
	return 0;
}

static int cli_show_entry(const struct pat_entry *e, void *arg)
{
	struct cli_list_walk *w = arg;
	const char *v = pat_entry_value(e);

	cli_out_printf(w->out, "%p %s%s%s\n", (const void *)e, pat_entry_key(e), v ? " " : "", v ? v : "");
	return 0;
}

static int cli_find_entry(const struct pat_entry *e, void *arg)
{
	struct cli_list_walk *w = arg;

	if ((w->ref && (const void *)e == w->ref) || (w->key && !strcmp(pat_entry_key(e), w->key))) {
		w->found = e;
		return 1;
	}
	return 0;
}

/* Returns the list <ref> names ("#<id>" or a file), or NULL after writing
 * HAProxy's message for a map (<maps>) or an ACL. */
struct pat_list *cli_find_list(struct cli_ctx *c, const char *ref, int maps)
{
	struct pat_list *l = ref ? pat_list_lookup(ref) : NULL;

	if (!l)
		cli_out_str(c->out, maps ? "Unknown map identifier. Please use #<id> or <file>.\n"
		                         : "Unknown ACL identifier. Please use #<id> or <file>.\n");
	return l;
}

/* "#<hex address>" as "show map" prints entries: returns the entry of <l>
 * it names, or NULL. */
static const struct pat_entry *cli_find_ref(struct pat_list *l, const char *arg)
{
	struct cli_list_walk w = { 0 };
	char *end;
	unsigned long long v;

	if (arg[0] != '#')
		return NULL;
	v = strtoull(arg + 1, &end, 16);
	if (*end || !v)
		return NULL;
	w.ref = (const void *)(uintptr_t)v;
	pat_list_foreach(l, cli_find_entry, &w);
	return w.found;
}

void cli_show_list_entries(struct cli_ctx *c, const struct pat_list *l)
{
	struct cli_list_walk w = { .out = c->out };

	pat_list_foreach(l, cli_show_entry, &w);
}

static void cli_show_lists(struct cli_ctx *c, char **args, int nargs, int maps)
{
	struct cli_list_walk w = { .out = c->out, .maps = maps };
	struct pat_list *l;

	if (nargs > 2 && args[2][0] == '@') {
		cli_ver_cmd(c, args, nargs);
		return;
	}
	if (nargs < 3) {
		cli_out_str(c->out, "# id (file) description\n");
		pat_list_foreach_list(cli_show_one_list, &w);
		return;
	}
	if (!(l = cli_find_list(c, args[2], maps)))
		return;
	pat_list_foreach(l, cli_show_entry, &w);
}

static void cmd_show_map(struct cli_ctx *c, char **args, int nargs) { cli_show_lists(c, args, nargs, 1); }
static void cmd_show_acl(struct cli_ctx *c, char **args, int nargs) { cli_show_lists(c, args, nargs, 0); }

/* Writes <err> as HAProxy's answer to a refused pattern: one sentence. */
static void cli_pattern_err(struct cli_ctx *c, const char *err)
{
	size_t n = strlen(err);

	cli_out_printf(c->out, "%s%s\n", err, n && err[n - 1] != '.' ? "." : "");
}

/* "add map <map> <<" then "<key> <value>" lines: adds them in order and
 * stops at the first one refused, as HAProxy does. */
static void cli_add_map_payload(struct cli_ctx *c, struct pat_list *l, const char *pl)
{
	char line[CLI_LINE_MAX], err[256];

	while (*pl) {
		const char *eol = strchr(pl, '\n');
		size_t n = eol ? (size_t)(eol - pl) : strlen(pl);
		char *key, *val, *end;
		int rc;

		if (n >= sizeof(line))
			n = sizeof(line) - 1;
		memcpy(line, pl, n);
		line[n] = 0;
		pl = eol ? eol + 1 : pl + strlen(pl);
		key = line + strspn(line, " \t");
		if (!*key)
			continue;
		val = key + strcspn(key, " \t");
		if (*val)
			*val++ = 0;
		val += strspn(val, " \t");
		for (end = val + strlen(val); end > val && (end[-1] == ' ' || end[-1] == '\t'); end--)
			end[-1] = 0;
		if (!*val) {
			cli_out_printf(c->out, "Missing value for key '%s'.\n", key);
			return;
		}
		err[0] = 0;
		rc = pat_list_add_err(l, key, val, err, sizeof(err));
		if (rc == -ENOMEM) {
			cli_out_str(c->out, "Out of memory error.\n");
			return;
		}
		if (rc < 0) {
			cli_pattern_err(c, err[0] ? err : "Invalid key");
			return;
		}
	}
}

static void cmd_add_map(struct cli_ctx *c, char **args, int nargs)
{
	char err[256] = "";
	struct pat_list *l;
	int rc;

	if (nargs > 2 && args[2][0] == '@') {
		cli_ver_cmd(c, args, nargs);
		return;
	}
	if (c->payload && nargs >= 3) {
		if ((l = cli_find_list(c, args[2], 1)))
			cli_add_map_payload(c, l, c->payload);
		return;
	}
	if (nargs < 5) {
		cli_out_str(c->out, "'add map' expects three parameters (map identifier, key and value) "
		            "or one parameter (map identifier) and a payload\n");
		return;
	}
	if (!(l = cli_find_list(c, args[2], 1)))
		return;
	rc = pat_list_add_err(l, args[3], args[4], err, sizeof(err));
	if (rc == -ENOMEM)
		cli_out_str(c->out, "Out of memory error.\n");
	else if (rc < 0)
		cli_pattern_err(c, err[0] ? err : "Invalid key");
}

static void cmd_add_acl(struct cli_ctx *c, char **args, int nargs)
{
	char err[256] = "";
	struct pat_list *l;
	int rc;

	if (nargs > 2 && args[2][0] == '@') {
		cli_ver_cmd(c, args, nargs);
		return;
	}
	if (nargs < 4) {
		cli_out_str(c->out, "'add acl' expects two parameters: ACL identifier and pattern.\n");
		return;
	}
	if (!(l = cli_find_list(c, args[2], 0)))
		return;
	if (pat_list_is_map(l)) {
		cli_out_str(c->out, "This ACL is shared with a map containing samples. "
		            "You must use the command 'add map' to add values.\n");
		return;
	}
	rc = pat_list_add_err(l, args[3], NULL, err, sizeof(err));
	if (rc == -ENOMEM)
		cli_out_str(c->out, "Out of memory error.\n");
	else if (rc < 0)
		cli_pattern_err(c, err[0] ? err : "Invalid pattern");
}

/* "del map|acl <list> <key>|#<ref>": a key removes every entry with that
 * key, a #<ref> ("show map"'s first column) that one entry only. */
static void cli_del(struct cli_ctx *c, char **args, int nargs, int maps)
{
	struct pat_list *l;
	const struct pat_entry *e;
	int n;

	if (nargs < 4) {
		cli_out_str(c->out, maps ? "This command expects two parameters: map identifier and key.\n"
		                         : "This command expects two parameters: ACL identifier and key.\n");
		return;
	}
	if (!(l = cli_find_list(c, args[2], maps)))
		return;
	if (args[3][0] == '#')
		n = (e = cli_find_ref(l, args[3])) ? pat_list_del_entry(l, e) : 0;
	else
		n = pat_list_del(l, args[3]);
	if (n == -ENOMEM)
		cli_out_str(c->out, "Out of memory error.\n");
	else if (n <= 0)
		cli_out_str(c->out, "Key not found.\n");
}

static void cmd_del_map(struct cli_ctx *c, char **args, int nargs) { cli_del(c, args, nargs, 1); }
static void cmd_del_acl(struct cli_ctx *c, char **args, int nargs) { cli_del(c, args, nargs, 0); }

/* "set map <map> <key>|#<ref> <value>": a key sets every entry with that
 * key, a #<ref> that one entry only. */
static void cmd_set_map(struct cli_ctx *c, char **args, int nargs)
{
	struct cli_list_walk w = { 0 };
	struct pat_list *l;
	int rc;

	if (nargs < 5) {
		cli_out_str(c->out, "'set map' expects three parameters: map identifier, key and value.\n");
		return;
	}
	if (!(l = cli_find_list(c, args[2], 1)))
		return;
	if (args[3][0] == '#') {
		const struct pat_entry *e = cli_find_ref(l, args[3]);

		rc = e ? pat_list_set_entry(l, e, args[4]) : -ENOENT;
	} else {
		w.key = args[3];
		pat_list_foreach(l, cli_find_entry, &w);
		rc = w.found ? pat_list_set(l, args[3], args[4]) : -ENOENT;
	}
	if (rc == -ENOENT)
		cli_out_str(c->out, "entry not found.\n");
	else if (rc < 0)
		cli_out_str(c->out, rc == -ENOMEM ? "Out of memory error.\n" : "Failed to update an entry.\n");
}

static void cli_clear(struct cli_ctx *c, char **args, int nargs, int maps)
{
	struct pat_list *l;

	if (nargs > 2 && args[2][0] == '@') {
		cli_ver_cmd(c, args, nargs);
		return;
	}
	if (nargs < 3) {
		cli_out_str(c->out, maps ? "Missing map identifier.\n" : "Missing ACL identifier.\n");
		return;
	}
	if (!(l = cli_find_list(c, args[2], maps)))
		return;
	pat_list_clear(l);
}

static void cmd_clear_map(struct cli_ctx *c, char **args, int nargs) { cli_clear(c, args, nargs, 1); }
static void cmd_clear_acl(struct cli_ctx *c, char **args, int nargs) { cli_clear(c, args, nargs, 0); }

/* "get map|acl <list> <value>": matches <value> as the list's first
 * compiled expression does (str when none was compiled yet). */
static void cli_get(struct cli_ctx *c, char **args, int nargs, int maps)
{
	struct pat_list *l;
	struct pat_expr *e;
	const struct pat_entry *ent = NULL;
	enum pat_match kind = PAT_MATCH_STR;
	struct sample smp;
	const char *idx;
	char err[256];

	if (nargs < 4) {
		cli_out_str(c->out, maps ? "Missing map identifier and/or key.\n" : "Missing ACL identifier and/or key.\n");
		return;
	}
	if (!(l = cli_find_list(c, args[2], maps)))
		return;
	if (!(e = pat_list_first_expr(l)))
		e = pat_expr_get(l, PAT_MATCH_STR, 0, err, sizeof(err));
	if (e) {
		kind = pat_expr_kind(e);
		memset(&smp, 0, sizeof(smp));
		smp_set_const_str(&smp, args[3], strlen(args[3]));
		ent = pat_expr_lookup(e, &smp);
	}
	idx = kind == PAT_MATCH_STR || kind == PAT_MATCH_IP || kind == PAT_MATCH_BEG ? "tree" : "list";
	cli_out_printf(c->out, "type=%s, case=sensitive, %s=", pat_match_name(kind), maps ? "found" : "match");
	if (!ent) {
		cli_out_str(c->out, "no\n");
		return;
	}
	if (maps)
		cli_out_printf(c->out, "yes, idx=%s, key=\"%s\", value=\"%s\", type=\"str\"\n", idx,
		               pat_entry_key(ent), pat_entry_value(ent) ? pat_entry_value(ent) : "");
	else
		cli_out_printf(c->out, "yes, idx=%s, pattern=\"%s\"\n", idx, pat_entry_key(ent));
}

static void cmd_get_map(struct cli_ctx *c, char **args, int nargs) { cli_get(c, args, nargs, 1); }
static void cmd_get_acl(struct cli_ctx *c, char **args, int nargs) { cli_get(c, args, nargs, 0); }

/* ---- servers ---- */

/* Puts <s> in <state> and tells the load balancer. Leaving maintenance,
 * a checked server that had not reached <rise> successes is DOWN. */
void cli_srv_state(struct server *s, int st)
{
	enum srv_state prev = s->state, state = (enum srv_state)st;

	if (state == SRV_UP && s->check && s->health < s->rise)
		state = SRV_DOWN;
	if (s->state == state)
		return;
	s->state = state;
	lb_server_changed(s);
	if (state == SRV_MAINT || prev == SRV_MAINT)
		check_log_maint(s, state == SRV_MAINT);
}

static void cmd_disable_server(struct cli_ctx *c, char **args, int nargs)
{
	struct server *s = cli_find_server(c, nargs > 2 ? args[2] : NULL);

	if (s)
		cli_srv_state(s, SRV_MAINT);
}

static void cmd_enable_server(struct cli_ctx *c, char **args, int nargs)
{
	struct server *s = cli_find_server(c, nargs > 2 ? args[2] : NULL);

	if (s && s->state == SRV_MAINT)
		cli_srv_state(s, SRV_UP);
}

/* "set server <b>/<s> weight <w>[%]" and "set weight": HAProxy's two
 * syntax messages come without the line end its other answers have. */
static void cli_set_weight(struct cli_ctx *c, struct server *s, const char *arg)
{
	char err[256];
	const char *p = arg;

	if (arg && *arg) {
		if (*p == '-')
			p++;
		if (*p < '0' || *p > '9') {
			cli_out_str(c->out, "Empty weight string empty or preceded by garbage");
			return;
		}
		while (*p >= '0' && *p <= '9')
			p++;
		if (*p == '%')
			p++;
		if (*p) {
			cli_out_str(c->out, "Trailing garbage in weight string");
			return;
		}
	}
	if (lb_set_weight(s, arg, err, sizeof(err)) < 0)
		cli_out_printf(c->out, "%s\n", err);
}

/* "set server <b>/<s> addr <ip> [port <port>]": the next connections go
 * to the new address. Answers HAProxy's report of what changed. */
static void cli_set_addr(struct cli_ctx *c, struct server *s, char **args, int nargs)
{
	struct addr na = s->addr;
	char oldip[INET6_ADDRSTRLEN], newip[INET6_ADDRSTRLEN];
	int oldport = cli_addr_port(&s->addr), port = oldport, same_ip;
	char msg[512];
	size_t n = 0;
	char *end;

	if (nargs < 5) {
		cli_out_str(c->out, "set server <b>/<s> addr requires an address and optionally a port.\n");
		return;
	}
	memset(&na, 0, sizeof(na));
	if (inet_pton(AF_INET, args[4], &na.u.in4.sin_addr) == 1) {
		na.u.in4.sin_family = AF_INET;
		na.len = sizeof(na.u.in4);
	} else if (inet_pton(AF_INET6, args[4], &na.u.in6.sin6_addr) == 1) {
		na.u.in6.sin6_family = AF_INET6;
		na.len = sizeof(na.u.in6);
	} else {
		cli_out_printf(c->out, "Invalid addr '%s' by 'stats socket command'\n", args[4]);
		return;
	}
	cli_addr_ip(&s->addr, oldip, sizeof(oldip));
	cli_addr_ip(&na, newip, sizeof(newip));
	same_ip = s->addr.u.sa.sa_family == na.u.sa.sa_family && !strcmp(oldip, newip);
	if (same_ip)
		n += (size_t)snprintf(msg + n, sizeof(msg) - n, "no need to change the addr");
	else
		n += (size_t)snprintf(msg + n, sizeof(msg) - n, "IP changed from '%s' to '%s'", oldip, newip);
	if (nargs > 6 && !strcmp(args[5], "port")) {
		long v = strtol(args[6], &end, 10);

		if (*end || !*args[6] || v < 0 || v > 65535 || args[6][0] == '+' || args[6][0] == '-')
			n += (size_t)snprintf(msg + n, sizeof(msg) - n, ", problem converting port '%s' to an int", args[6]);
		else if ((int)v == oldport)
			n += (size_t)snprintf(msg + n, sizeof(msg) - n, ", no need to change the port");
		else {
			n += (size_t)snprintf(msg + n, sizeof(msg) - n, ", port changed from '%d' to '%ld'", oldport, v);
			port = (int)v;
		}
	}
	if (na.u.sa.sa_family == AF_INET)
		na.u.in4.sin_port = htons((uint16_t)port);
	else
		na.u.in6.sin6_port = htons((uint16_t)port);
	s->addr = na;
	if (n >= sizeof(msg))
		n = sizeof(msg) - 1;
	cli_out_printf(c->out, "%.*s by 'stats socket command'\n", (int)n, msg);
}

/* "set server <b>/<s> health up|stopping|down": the check's verdict,
 * forced. */
static void cli_set_health(struct cli_ctx *c, struct server *s, const char *arg)
{
	if (!strcmp(arg, "up")) {
		s->health = s->rise + s->fall - 1;
		if (s->state == SRV_DOWN)
			cli_srv_state(s, SRV_UP);
	} else if (!strcmp(arg, "stopping")) {
		if (s->state == SRV_UP)
			cli_srv_state(s, SRV_DRAIN);
	} else if (!strcmp(arg, "down")) {
		s->health = 0;
		if (s->state == SRV_UP || s->state == SRV_DRAIN)
			cli_srv_state(s, SRV_DOWN);
	} else
		cli_out_str(c->out, "'set server <srv> health' expects 'up', 'stopping', or 'down'.\n");
}

static void cmd_set_server(struct cli_ctx *c, char **args, int nargs)
{
	struct server *s = cli_find_server(c, nargs > 2 ? args[2] : NULL);

	if (!s)
		return;
	if (nargs > 3 && !strcmp(args[3], "addr"))
		cli_set_addr(c, s, args, nargs);
	else if (nargs > 3 && !strcmp(args[3], "health"))
		cli_set_health(c, s, nargs > 4 ? args[4] : "");
	else if (nargs > 3 && !strcmp(args[3], "weight"))
		cli_set_weight(c, s, nargs > 4 ? args[4] : NULL);
	else if (nargs > 3 && !strcmp(args[3], "state")) {
		const char *st = nargs > 4 ? args[4] : "";

		if (!strcmp(st, "ready"))
			cli_srv_state(s, SRV_UP);
		else if (!strcmp(st, "drain"))
			cli_srv_state(s, SRV_DRAIN);
		else if (!strcmp(st, "maint"))
			cli_srv_state(s, SRV_MAINT);
		else
			cli_out_str(c->out, "'set server <srv> state' expects 'ready', 'drain' and 'maint'.\n");
	} else
		cli_out_str(c->out, "usage: set server <backend>/<server> addr | health | state | weight\n");
}

static void cmd_set_weight(struct cli_ctx *c, char **args, int nargs)
{
	struct server *s = cli_find_server(c, nargs > 2 ? args[2] : NULL);

	if (s)
		cli_set_weight(c, s, nargs > 3 ? args[3] : NULL);
}

static void cmd_get_weight(struct cli_ctx *c, char **args, int nargs)
{
	struct server *s = cli_find_server(c, nargs > 2 ? args[2] : NULL);

	if (s)
		cli_out_printf(c->out, "%d (initial %d)\n", s->cur_weight, s->weight);
}

/* Parses a decimal <arg> for "set maxconn": returns 0 and the value, or -1
 * after writing HAProxy's message (without line end, as HAProxy). */
static int cli_maxconn_arg(struct cli_ctx *c, const char *arg, long *v)
{
	char *end;

	if ((*arg < '0' || *arg > '9') && *arg != '-') {
		cli_out_str(c->out, "maxconn string empty or preceded by garbage");
		return -1;
	}
	*v = strtol(arg, &end, 10);
	if (*end) {
		cli_out_str(c->out, "Trailing garbage in maxconn string");
		return -1;
	}
	return 0;
}

static void cmd_set_maxconn_server(struct cli_ctx *c, char **args, int nargs)
{
	struct server *s = cli_find_server(c, nargs > 3 ? args[3] : NULL);
	long v;

	if (!s)
		return;
	if (nargs < 5) {
		cli_out_str(c->out, "Require <maxconn>.\n");
		return;
	}
	if (cli_maxconn_arg(c, args[4], &v) < 0)
		return;
	s->maxconn = v < 0 ? 0 : v > INT32_MAX ? INT32_MAX : (int)v;
}

static void cmd_set_maxconn_frontend(struct cli_ctx *c, char **args, int nargs)
{
	struct proxy *px;

	if (nargs < 4) {
		cli_out_str(c->out, "A frontend name is expected.\n");
		return;
	}
	if (!(px = proxy_find(c->cfg, args[3], PX_CAP_FE))) {
		cli_out_str(c->out, "No such frontend.\n");
		return;
	}
	if (nargs < 5) {
		cli_out_str(c->out, "Integer value expected.\n");
		return;
	}
	px->maxconn = atoi(args[4]) < 0 ? 0 : atoi(args[4]);
	if (thr_cur)
		listeners_update(thr_cur);
}

static void cmd_set_maxconn_global(struct cli_ctx *c, char **args, int nargs)
{
	int v;

	if (!cli_info.hard_maxconn)
		cli_info.hard_maxconn = c->cfg->g.maxconn;
	if (nargs < 4) {
		cli_out_str(c->out, "Expects an integer value.\n");
		return;
	}
	v = atoi(args[3]);
	if (v < 0 || v > cli_info.hard_maxconn) {
		cli_out_str(c->out, "Value out of range.\n");
		return;
	}
	c->cfg->g.maxconn = v ? v : cli_info.hard_maxconn;
	if (thr_cur)
		listeners_update(thr_cur);
}

/* "set timeout cli <delay>": this session's idle timeout (seconds, or a
 * number with a unit). */
static void cmd_set_timeout(struct cli_ctx *c, char **args, int nargs)
{
	uint32_t ms;

	if (nargs < 3 || strcmp(args[2], "cli")) {
		cli_out_str(c->out, "'set timeout' only supports 'cli'.\n");
		return;
	}
	if (nargs < 4) {
		cli_out_str(c->out, "Expects an integer value.\n");
		return;
	}
	if (args[3][0] >= '0' && args[3][0] <= '9' && !strchr(args[3], '.') &&
	    strspn(args[3], "0123456789") == strlen(args[3]))
		ms = (uint32_t)strtoul(args[3], NULL, 10) * 1000;
	else if (cfg_parse_time(args[3], &ms) < 0 || !ms) {
		cli_out_str(c->out, "Invalid timeout value.\n");
		return;
	}
	*c->timeout_ms = ms;
}

/* ---- sessions ---- */

/* Writes <sec> seconds as HAProxy's human_time(): "42s", "3m12s", "2h05m",
 * "4d03h". */
static void cli_human_time(char *buf, size_t len, uint64_t sec)
{
	if (sec < 60)
		snprintf(buf, len, "%llus", (unsigned long long)sec);
	else if (sec < 3600)
		snprintf(buf, len, "%llum%02llus", (unsigned long long)(sec / 60), (unsigned long long)(sec % 60));
	else if (sec < 86400)
		snprintf(buf, len, "%lluh%02llum", (unsigned long long)(sec / 3600), (unsigned long long)(sec / 60 % 60));
	else
		snprintf(buf, len, "%llud%02lluh", (unsigned long long)(sec / 86400), (unsigned long long)(sec / 3600 % 24));
}

/* Calls <cb> for each live stream of the CLI's thread until it returns
 * non-zero. */
static void cli_foreach_stream(int (*cb)(struct stream *strm, void *arg), void *arg)
{
	struct thr *t = thr_cur;

	if (!t || !t->strm_tab)
		return;
	for (uint32_t i = 0; i < t->strm_tab_size; i++) {
		struct stream *strm = t->strm_tab[i];

		if (strm && (strm->flags & STRM_F_ALIVE) && strm->state != STRM_ST_DEAD && cb(strm, arg))
			return;
	}
}

struct cli_sess_walk {
	struct cli_ctx *c;
	const void *ptr;             /* the one stream wanted, or NULL */
	const struct server *srv;    /* shutdown sessions server */
	int found;
};

static int cli_show_one_sess(struct stream *strm, void *arg)
{
	struct cli_sess_walk *w = arg;
	char ip[INET6_ADDRSTRLEN], age[32];
	const struct addr *a = &strm->cli_addr;
	uint64_t now = strm->thr ? strm->thr->now_us : 0;

	if (w->ptr && (const void *)strm != w->ptr)
		return 0;
	w->found = 1;
	cli_addr_ip(a, ip, sizeof(ip));
	cli_human_time(age, sizeof(age), now > strm->t_accept ? (now - strm->t_accept) / 1000000 : 0);
	cli_out_printf(w->c->out,
	        "%p: proto=%s src=%s%s%s:%d fe=%s be=%s srv=%s ts=00 epoch=0 age=%s calls=0 rate=0 cpu=0 lat=0 "
	        "rq[f=0h,i=%u,an=%02xh,rx=,wx=,ax=] rp[f=0h,i=%u,an=%02xh,rx=,wx=,ax=] "
	        "scf=[8,0h,fd=%d] scb=[8,1h,fd=%d] exp=%s rc=0 c_exp=\n",
	        (void *)strm,
	        a->u.sa.sa_family == AF_INET6 ? "tcpv6" : a->u.sa.sa_family == AF_UNIX ? "unix_stream" : "tcpv4",
	        a->u.sa.sa_family == AF_INET6 ? "[" : "", ip, a->u.sa.sa_family == AF_INET6 ? "]" : "",
	        cli_addr_port(a), strm->fe ? strm->fe->name : "<NONE>",
	        strm->be && strm->be != strm->fe ? strm->be->name : strm->be ? strm->be->name : "<NONE>",
	        strm->srv ? strm->srv->name : "<none>", age,
	        chan_in_len(&strm->req) + chan_out_len(&strm->req), strm->req_ana,
	        chan_in_len(&strm->res) + chan_out_len(&strm->res), strm->res_ana,
	        strm->cli ? strm->cli->fd : -1, strm->srvc ? strm->srvc->fd : -1,
	        timer_is_armed(&strm->exp) ? "<SET>" : "<NEVER>");
	return w->ptr != NULL;
}

/* Returns the pointer "0x..." in <arg> names, or NULL. */
static const void *cli_parse_ptr(const char *arg)
{
	char *end;
	unsigned long long v = strtoull(arg, &end, 16);

	return *end || !v ? NULL : (const void *)(uintptr_t)v;
}

static void cmd_show_sess(struct cli_ctx *c, char **args, int nargs)
{
	struct cli_sess_walk w = { c, NULL, NULL, 0 };

	if (nargs > 2 && strcmp(args[2], "all")) {
		if (!(w.ptr = cli_parse_ptr(args[2]))) {
			cli_out_str(c->out, "Session not found.\n");
			return;
		}
	}
	cli_foreach_stream(cli_show_one_sess, &w);
	if (w.ptr && !w.found)
		cli_out_str(c->out, "Session not found.\n");
}

/* The termination code HAProxy logs for a stream killed by the admin:
 * "K" then the stream's phase. */
static char cli_kill_fin(const struct stream *strm)
{
	switch (strm->state) {
	case STRM_ST_REQ:  return STRM_FIN_R;
	case STRM_ST_CONN: return STRM_FIN_C;
	default:           return STRM_FIN_D;
	}
}

static int cli_kill_one(struct stream *strm, void *arg)
{
	struct cli_sess_walk *w = arg;

	if (w->ptr && (const void *)strm != w->ptr)
		return 0;
	if (w->srv && strm->srv != w->srv)
		return 0;
	w->found++;
	stream_abort(strm, STRM_ERR_KILLED, cli_kill_fin(strm));
	return w->ptr != NULL;
}

static void cmd_shutdown_session(struct cli_ctx *c, char **args, int nargs)
{
	struct cli_sess_walk w = { c, NULL, NULL, 0 };

	if (nargs < 3) {
		cli_out_str(c->out, "Session pointer expected (use 'show sess').\n");
		return;
	}
	if ((w.ptr = cli_parse_ptr(args[2])))
		cli_foreach_stream(cli_kill_one, &w);
	if (!w.found)
		cli_out_str(c->out, "No such session (use 'show sess').\n");
}

static void cmd_shutdown_sessions_server(struct cli_ctx *c, char **args, int nargs)
{
	struct cli_sess_walk w = { c, NULL, NULL, 0 };

	if (!(w.srv = cli_find_server(c, nargs > 3 ? args[3] : NULL)))
		return;
	cli_foreach_stream(cli_kill_one, &w);
}

static void cli_servers_state_be(struct cli_ctx *c, const struct proxy *px)
{
	char ip[INET6_ADDRSTRLEN];

	for (const struct server *s = px->srv; s; s = s->next) {
		int op = s->state == SRV_UP || s->state == SRV_DRAIN ? 2 : 0;
		int admin = s->state == SRV_MAINT ? 1 : s->state == SRV_DRAIN ? 8 : 0;
		int health = s->state == SRV_MAINT ? 0 : s->check ? s->health : s->rise;
		const struct cli_chk *k = s->check ? cli_chk_of(s) : &cli_chk_ini;

		cli_addr_ip(&s->addr, ip, sizeof(ip));
		cli_out_printf(c->out, "%d %s %d %s %s %d %d %d %d %llu %d %d %d %d 0 %d 0 - %d - %d %d - - 0\n",
		               cli_px_id(px), px->name, s->id, s->name, ip, op, admin, s->cur_weight, s->weight,
		               (unsigned long long)cli_uptime_sec(), k->status, s->check ? k->result : 0, health,
		               /* 2 configured, 4 enabled, 8 paused by maintenance */
		               s->check ? (s->check_paused ? 2 : s->state == SRV_MAINT ? 14 : 6) : 0,
		               px->uuid ? 1 : 0, cli_addr_port(&s->addr), s->ssl, s->check_port);
	}
}

static void cmd_show_servers_state(struct cli_ctx *c, char **args, int nargs)
{
	struct proxy *only = NULL;

	if (nargs > 3 && !(only = proxy_find(c->cfg, args[3], PX_CAP_BE))) {
		cli_out_str(c->out, "Can't find backend.\n");
		return;
	}
	cli_out_str(c->out, "1\n# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state "
	            "srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result "
	            "srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id "
	            "srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr "
	            "srv_agent_addr srv_agent_port\n");
	for (struct proxy *px = c->cfg->proxies; px; px = px->next)
		if ((px->cap & PX_CAP_BE) && (!only || px == only))
			cli_servers_state_be(c, px);
}

/* ---- the table ---- */

#define U CLI_LVL_USER
#define O CLI_LVL_OPER
#define A CLI_LVL_ADMIN

const struct cli_kw cli_kws[] = {
	{ { "add", "acl" },   U, "add acl [@<ver>] <acl> <pattern> : add an ACL entry", cmd_add_acl },
	{ { "add", "map" },   U, "add map [@<ver>] <map> <key> <val> : add a map entry (or <map> << and key/value lines)", cmd_add_map },
	{ { "add", "server" }, A, "add server <bk>/<srv> <addr> [opts] : create a new server (in maintenance)", cli_cmd_add_server },
	{ { "clear", "acl" }, U, "clear acl [@<ver>] <acl> : clear the contents of this ACL", cmd_clear_acl },
	{ { "clear", "counters" }, O, "clear counters [all] : clear the maximums (or, admin, all counters)", cli_cmd_clear_counters },
	{ { "clear", "map" }, U, "clear map [@<ver>] <map> : clear the contents of this map", cmd_clear_map },
	{ { "clear", "table" }, U, "clear table <table> [<filter>]* : remove an entry from a table (filter: data/key)", cli_cmd_clear_table },
	{ { "commit", "acl" }, U, "commit acl @<ver> <acl> : commit the ACL at this version", cli_cmd_commit },
	{ { "commit", "map" }, U, "commit map @<ver> <map> : commit the map at this version", cli_cmd_commit },
	{ { "del", "acl" },   U, "del acl <acl> [<key>|#<ref>] : delete ACL entries matching <key>", cmd_del_acl },
	{ { "del", "map" },   U, "del map <map> [<key>|#<ref>] : delete map entries matching <key>", cmd_del_map },
	{ { "del", "server" }, A, "del server <bk>/<srv> : remove a server in maintenance with no connection", cli_cmd_del_server },
	{ { "disable", "agent" }, A, "disable agent <bk>/<srv> : disable agent checks", cli_cmd_agent },
	{ { "disable", "frontend" }, A, "disable frontend <frontend> : temporarily disable specific frontend", cli_cmd_frontend },
	{ { "disable", "health" }, A, "disable health <bk>/<srv> : disable health checks", cli_cmd_health },
	{ { "disable", "server" }, A, "disable server (DEPRECATED) : put a server in maintenance (see 'set server')", cmd_disable_server },
	{ { "enable", "agent" }, A, "enable agent <bk>/<srv> : enable agent checks", cli_cmd_agent },
	{ { "enable", "frontend" }, A, "enable frontend <frontend> : re-enable specific frontend", cli_cmd_frontend },
	{ { "enable", "health" }, A, "enable health <bk>/<srv> : enable health checks", cli_cmd_health },
	{ { "enable", "server" },  A, "enable server  (DEPRECATED) : take a server out of maintenance (see 'set server')", cmd_enable_server },
	{ { "experimental-mode" }, A, NULL, cmd_experimental_mode },
	{ { "get", "acl" },   U, "get acl <acl> <value> : report the patterns matching a sample for an ACL", cmd_get_acl },
	{ { "get", "map" },   U, "get map <acl> <value> : report the keys and values matching a sample for a map", cmd_get_map },
	{ { "get", "var" },   O, "get var <name> : retrieve contents of a process-wide variable", cmd_get_var },
	{ { "get", "weight" }, U, "get weight <bk>/<srv> : report a server's current and initial weight", cmd_get_weight },
	{ { "operator" },     O, "operator : lower the level of the current CLI session to operator", cmd_operator },
	{ { "prepare", "acl" }, U, "prepare acl <acl> : prepare a new version for atomic ACL replacement", cli_cmd_prepare },
	{ { "prepare", "map" }, U, "prepare map <map> : prepare a new version for atomic map replacement", cli_cmd_prepare },
	{ { "set", "map" },   U, "set map <map> [<key>|#<ref>] <value> : modify a map entry", cmd_set_map },
	{ { "set", "maxconn", "frontend" }, A, "set maxconn frontend <frontend> <value> : change a frontend's maxconn setting", cmd_set_maxconn_frontend },
	{ { "set", "maxconn", "global" }, A, "set maxconn global <value> : change the process-wide maxconn setting", cmd_set_maxconn_global },
	{ { "set", "maxconn", "server" }, A, "set maxconn server <bk>/<srv> : change a server's maxconn setting", cmd_set_maxconn_server },
	{ { "set", "server" }, A, "set server <bk>/<srv> [opts] : change a server's address, health, state or weight", cmd_set_server },
	{ { "set", "table" }, U, "set table <table> key <k> [data.* <v>]* : update or create a table entry's data", cli_cmd_set_table },
	{ { "set", "timeout" }, U, "set timeout [cli] <delay> : change this session's idle timeout", cmd_set_timeout },
	{ { "set", "var" },   O | CLI_EXPERIMENTAL, "set var <name> [fmt|expr] {<fmt>|<expr>} : set variable from an expression or a format", cmd_set_var },
	{ { "set", "weight" }, A, "set weight <bk>/<srv>  (DEPRECATED) : change a server's weight (see 'set server')", cmd_set_weight },
	{ { "show", "acl" },  U, "show acl [@<ver>] [<acl>] : report available ACLs or dump an ACL's contents", cmd_show_acl },
	{ { "show", "backend" }, U, "show backend : list the backends of the running configuration", cli_cmd_show_backend },
	{ { "show", "cli", "level" }, U, "show cli level : display the level of the current CLI session", cmd_show_cli_level },
	{ { "show", "cli", "sockets" }, U, "show cli sockets : dump the list of CLI sockets", cmd_show_cli_sockets },
	{ { "show", "env" }, O, "show env [var] : dump environment variables known to the process", cmd_show_env },
	{ { "show", "info" }, U, "show info [desc|json|typed]* : report information about the running process", cli_cmd_show_info },
	{ { "show", "map" },  U, "show map [@<ver>] [<map>] : report available maps or dump a map's contents", cmd_show_map },
	{ { "show", "servers", "state" }, U, "show servers state [<backend>] : dump volatile server information (all or one backend)", cmd_show_servers_state },
	{ { "show", "sess" }, O, "show sess [id] : report the list of current sessions or one of them", cmd_show_sess },
	{ { "show", "stat" }, U, "show stat [{<iid>|<px>} <type> <sid>] [json|no-maint|typed|up]* : report counters for each proxy and server", cli_cmd_show_stat },
	{ { "show", "table" }, U, "show table <table> [<filter>]* : report table usage stats or dump this table's contents (filter: data/key)", cli_cmd_show_table },
	{ { "show", "version" }, U, "show version : show the version of the current process", cmd_show_version },
	{ { "show", "proc" }, U, "show proc : show processes status", cmd_show_proc },
	{ { "shutdown", "session" }, A, "shutdown session [id] : kill a specific session", cmd_shutdown_session },
	{ { "shutdown", "sessions", "server" }, A, "shutdown sessions server <bk>/<srv> : kill the sessions on a server", cmd_shutdown_sessions_server },
	{ { "user" },         U, "user : lower the level of the current CLI session to user", cmd_user },
	{ { "help" },         U, "help [<command>] : list matching or all commands", NULL },
	{ { "prompt" },       U, "prompt : toggle interactive mode with prompt", cmd_prompt },
	{ { "quit" },         U, "quit : disconnect", cmd_quit },
	{ { NULL }, 0, NULL, NULL },
};
