/* check_agent.c: agent checks ("agent-check" on a server line): every
 * agent-inter ms ringproxy connects to the server's agent (agent-addr,
 * agent-port), sends agent-send if any, and reads one line of words that
 * change the server as HAProxy 2.6 applies them: "up", "down", "stopped",
 * "fail" (health), "ready", "drain", "maint" (admin state), "<n>%"
 * (weight, of the configured one), "maxconn:<n>", and "#<text>" (the
 * reason logged with a health change). The connection itself runs on
 * check.c's engine; this file parses the keywords and the reply. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/cfg.h"
#include "engine/check.h"
#include "engine/check_int.h"
#include "engine/lb.h"
#include "engine/log.h"
#include "engine/proxy.h"

/* The agent-send strings: servers (and their copies made from a
 * default-server line) point into this list, freed with the config. */
struct agent_str {
	struct agent_str *next;
	char s[];
};
static struct agent_str *agent_strs;

void check_agent_free_strings(void)
{
	while (agent_strs) {
		struct agent_str *a = agent_strs;

		agent_strs = a->next;
		free(a);
	}
}

/* Returns a copy of <s> that lives until check_agent_free_strings(), or NULL. */
static const char *agent_str(const char *s)
{
	size_t n = strlen(s);
	struct agent_str *a = malloc(sizeof(*a) + n + 1);

	if (!a)
		return NULL;
	memcpy(a->s, s, n + 1);
	a->next = agent_strs;
	agent_strs = a;
	return a->s;
}

int check_cfg_srv_kw(struct cfg_ctx *c, struct server *s, char **args, int i, int nargs)
{
	const char *k = args[i], *v = i + 1 < nargs ? args[i + 1] : NULL;

	if (!strcmp(k, "agent-check")) {
		s->agent_check = 1;
		return 1;
	}
	if (!strcmp(k, "no-agent-check")) {
		s->agent_check = 0;
		return 1;
	}
	if (strcmp(k, "agent-port") && strcmp(k, "agent-inter") && strcmp(k, "agent-addr") &&
	    strcmp(k, "agent-send"))
		return 0;
	if (!v || (!*v && strcmp(k, "agent-send"))) {
		if (!strcmp(k, "agent-port"))
			return cfg_set_err(c, "'%s' expects a port number as argument.", k);
		if (!strcmp(k, "agent-inter"))
			return cfg_set_err(c, "'%s' expects a delay as argument.", k);
		if (!strcmp(k, "agent-addr"))
			return cfg_set_err(c, "'%s' expects an address as argument.", k);
		return cfg_set_err(c, "'%s' expects a string argument.", k);
	}
	if (!strcmp(k, "agent-port")) {
		/* read as HAProxy does (atol): a bad one leaves no agent port */
		long p = atol(v);

		s->agent_port = p >= 1 && p <= 65535 ? (int)p : 0;
	} else if (!strcmp(k, "agent-inter")) {
		uint32_t t;

		if (cfg_parse_time(v, &t) < 0) {
			const char *bad = v;

			while (isdigit((unsigned char)*bad))
				bad++;
			return cfg_set_err(c, "unexpected character '%c' in 'agent-inter' argument of server %s.",
			                   *bad ? *bad : *v, s->name ? s->name : "");
		}
		if (!t)
			return cfg_set_err(c, "invalid value 0 for argument '%s' of server %s.", k,
			                   s->name ? s->name : "");
		s->agent_inter = t;
	} else if (!strcmp(k, "agent-addr")) {
		char aerr[256];

		if (cfg_parse_addr(v, &s->agent_addr, 0, aerr, sizeof(aerr)) < 0)
			return cfg_set_err(c, "'%s' : %s", k, aerr);
		s->has_agent_addr = 1;
	} else {
		if (!(s->agent_send = agent_str(v)))
			return cfg_set_err(c, "out of memory.");
	}
	return 2;
}

int check_agent_validate(struct server *s)
{
	if (!s->agent_check || s->agent_port)
		return 0;
	rp_alert("config : [%s:%d] : 'server %s/%s' : server %s does not have agent port. Agent check has been disabled.",
	         s->file ? s->file : "", s->line, s->px ? s->px->name : "", s->name, s->name);
	return 1;
}

/* Leaves forced maintenance or drain for the state the checks give. */
static void agent_set_ready(struct server *s)
{
	enum srv_state prev = s->state, st;

	if (prev != SRV_MAINT && prev != SRV_DRAIN)
		return;
	st = (s->check && s->health < s->rise) || s->agent_health < s->rise ? SRV_DOWN : SRV_UP;
	s->state = st;
	lb_server_changed(s);
	if (prev == SRV_MAINT)
		check_log_maint(s, 0);
}

/* Applies the admin word <as> ("ready", "drain", "maint") to <s>. */
static void agent_admin(struct server *s, const char *as)
{
	if (!strcasecmp(as, "maint")) {
		if (s->state != SRV_MAINT) {
			s->state = SRV_MAINT;
			lb_server_changed(s);
			check_log_maint(s, 1);
		}
	} else if (!strcasecmp(as, "drain")) {
		if (s->state == SRV_MAINT)
			agent_set_ready(s);
		if (s->state == SRV_UP) {
			s->state = SRV_DRAIN;
			lb_server_changed(s);
		}
	} else
		agent_set_ready(s);
}

/* Applies "<n>%" to <s>'s weight. Returns NULL or a warning. */
static const char *agent_weight(struct server *s, const char *w)
{
	long pct = strtol(w, NULL, 10), nw;

	if (pct < 0)
		return "Weight percentage is negative";
	nw = (long)s->weight * pct / 100;
	if (nw > 256)
		return "Weight is too large";
	if (s->cur_weight != (int)nw) {
		s->cur_weight = (int)nw;
		lb_server_changed(s);
	}
	return NULL;
}

/* Applies "maxconn:<n>" to <s>. Returns NULL or a warning. */
static const char *agent_maxconn(struct server *s, const char *v)
{
	char *end;
	long n = strtol(v, &end, 10);

	if (end == v || *end)
		return "maxconn string empty or not an integer";
	if (n < 0)
		return "maxconn value must be positive";
	s->maxconn = (int)n;
	return NULL;
}

enum tc_eval check_agent_reply(struct server *s, const char *buf, size_t len, int last,
                               enum check_result *res, int *neutral, char *info, size_t sz)
{
	char line[512], *cmd, *p;
	const char *hs = NULL, *as = NULL, *ps = NULL, *mc = NULL, *err = NULL, *wrn = NULL;
	size_t n = 0;
	int max = s->rise + s->fall - 1;

	*neutral = 1;
	info[0] = 0;
	while (n < len && buf[n] && buf[n] != '\n' && buf[n] != '\r')
		n++;
	if (n == len || !buf[n]) {
		if (!last)
			return TC_EVAL_WAIT;
		/* the status stays, the message tells what went wrong */
		snprintf(info, sz, "Ignoring incomplete line from agent");
		return TC_EVAL_DONE;
	}
	if (n >= sizeof(line))
		n = sizeof(line) - 1;
	memcpy(line, buf, n);
	line[n] = 0;

	/* words separated by blanks or commas, in any order, the last of a
	 * kind wins; "#" starts the description of a health change */
	for (cmd = line; *cmd;) {
		if (*cmd == ' ' || *cmd == '\t' || *cmd == ',') {
			cmd++;
			continue;
		}
		if (*cmd == '#') {
			cmd++;
			while (*cmd == ' ' || *cmd == '\t')
				cmd++;
			break;
		}
		for (p = cmd + 1; *p && *p != ' ' && *p != '\t' && *p != ','; p++)
			;
		if (*p)
			*p++ = 0;
		if (!strcasecmp(cmd, "up")) {
			s->agent_health = max;
			*res = CHECK_L7_OK;
			hs = cmd;
		} else if (!strcasecmp(cmd, "down") || !strcasecmp(cmd, "stopped") ||
		           !strcasecmp(cmd, "fail")) {
			s->agent_health = 0;
			*res = CHECK_L7_STS;
			hs = cmd;
		} else if (!strcasecmp(cmd, "ready") || !strcasecmp(cmd, "drain") ||
		           !strcasecmp(cmd, "maint"))
			as = cmd;
		else if (isdigit((unsigned char)*cmd) && strchr(cmd, '%'))
			ps = cmd;
		else if (!strncasecmp(cmd, "maxconn:", 8))
			mc = cmd + 8;
		else if (!err)
			err = cmd;
		cmd = p;
	}
	while (*cmd == ' ' || *cmd == '\n')
		cmd++;

	if (as)
		agent_admin(s, as);
	if (ps)
		wrn = agent_weight(s, ps);
	if (mc) {
		const char *w = agent_maxconn(s, mc);

		if (!wrn)
			wrn = w;
	}
	if (hs) {
		const char *msg = cmd;

		*neutral = 0;
		if (!*msg || *res == CHECK_L7_OK)
			msg = err ? err : wrn ? wrn : msg;
		snprintf(info, sz, "via agent : %s%s%s%s", hs, *msg ? " (" : "", msg, *msg ? ")" : "");
	} else if (err)
		snprintf(info, sz, "agent reports an error : %s", err);
	else if (wrn)
		snprintf(info, sz, "agent warns : %s", wrn);
	return TC_EVAL_DONE;
}

struct tc_rules *check_agent_program(const struct server *s)
{
	struct tc_rules *rs = calloc(1, sizeof(*rs));
	struct tc_rule r;

	if (!rs)
		return NULL;
	rs->is_proto = 1;
	memset(&r, 0, sizeof(r));
	if (s->agent_send && *s->agent_send) {
		r.kind = TC_SEND;
		r.len = strlen(s->agent_send);
		if (!(r.data = strdup(s->agent_send)) || tc_rules_add(rs, &r) < 0)
			goto fail;
		memset(&r, 0, sizeof(r));
	}
	r.kind = TC_EXPECT_CUSTOM;
	r.custom = TC_CUSTOM_AGENT;
	r.min_recv = -1;
	if (tc_rules_add(rs, &r) < 0)
		goto fail;
	return rs;
fail:
	tc_rule_clear(&r);
	tc_rules_free(rs);
	return NULL;
}
