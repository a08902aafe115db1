/* check_cfg.c: the configuration of health checks (check.h): "tcp-check"
 * rules, "option httpchk" and "http-check", compiled into the tc_rules of
 * a backend (check_int.h) that check.c runs. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/cfg.h"
#include "engine/check.h"
#include "engine/check_int.h"
#include "engine/proxy.h"
#include "engine/sample.h"
#include "regex/rx.h"

void tc_rule_clear(struct tc_rule *r)
{
	if (r->borrowed) {
		memset(r, 0, sizeof(*r));
		return;
	}
	tc_http_req_free(r->req);
	tc_http_exp_free(r->hexp);
	sample_expr_free(r->expr);
	tc_fmt_free(r->lf);
	free(r->data);
	free(r->text);
	free(r->comment);
	free(r->sni);
	free(r->alpn);
	rx_free(r->rx);
	tc_fmt_free(r->on_success);
	tc_fmt_free(r->on_error);
	memset(r, 0, sizeof(*r));
}

void tc_rules_free(struct tc_rules *rs)
{
	if (!rs)
		return;
	for (int i = 0; i < rs->nb; i++)
		tc_rule_clear(&rs->r[i]);
	free(rs->r);
	tc_rules_free(rs->http_prog);
	tc_rules_free(rs->proto_prog);
	free(rs->proto_arg);
	tc_http_req_free(rs->http_req);
	tc_http_req_free(rs->merged);
	tc_rules_free(rs->hrules);
	free(rs);
}

int tc_rules_add(struct tc_rules *rs, const struct tc_rule *r)
{
	if (rs->nb == rs->size) {
		int ns = rs->size ? rs->size * 2 : 4;
		struct tc_rule *nr = realloc(rs->r, (size_t)ns * sizeof(*nr));

		if (!nr)
			return -1;
		rs->r = nr;
		rs->size = ns;
	}
	rs->r[rs->nb++] = *r;
	return 0;
}

struct tc_rules *tc_rules_get(struct proxy *px)
{
	if (!px->check_rules)
		px->check_rules = calloc(1, sizeof(struct tc_rules));
	return px->check_rules;
}

int check_cfg_inherit(struct proxy *px, const struct proxy *def)
{
	const struct tc_rules *drs = def->check_rules;

	if (check_monitor_inherit(px, def) < 0)
		return -1;
	/* the HTTP check is not copied: a backend declaring none runs its
	 * defaults' one (px->from, tc_http_program()) */
	if (drs && drs->proto) {
		struct tc_rules *rs = tc_rules_get(px);

		if (!rs || !(rs->proto_prog = tc_proto_build(drs->proto, drs->proto_arg, drs->proto_flag)))
			return -1;
		rs->proto = drs->proto;
		rs->proto_flag = drs->proto_flag;
		if (drs->proto_arg && !(rs->proto_arg = strdup(drs->proto_arg)))
			return -1;
	}
	return 0;
}

void check_proxy_free(struct proxy *px)
{
	tc_rules_free(px->check_rules);
	px->check_rules = NULL;
	check_monitor_free(px);
}

void check_cfg_free(struct config *cfg)
{
	for (struct proxy *px = cfg->proxies; px; px = px->next)
		check_proxy_free(px);
	check_agent_free_strings();
}

/* Decodes the hex string <hex> into a new buffer. Returns its length, or -1. */
static long tc_unhex(const char *hex, char **out)
{
	size_t n = strlen(hex);
	char *b;

	if (!n || n % 2 || !(b = malloc(n / 2)))
		return -1;
	for (size_t i = 0; i < n; i += 2) {
		int hi = hex[i], lo = hex[i + 1];

		if (!isxdigit(hi) || !isxdigit(lo)) {
			free(b);
			return -1;
		}
		hi = isdigit(hi) ? hi - '0' : (tolower(hi) - 'a' + 10);
		lo = isdigit(lo) ? lo - '0' : (tolower(lo) - 'a' + 10);
		b[i / 2] = (char)(hi << 4 | lo);
	}
	*out = b;
	return (long)(n / 2);
}

/* Status names an expect rule may give, as check results. */
static const struct { const char *name; enum check_result res; } tc_statuses[] = {
	{ "L4OK", CHECK_OK }, { "L6OK", CHECK_L6_OK }, { "L7OK", CHECK_L7_OK }, { "L7OKC", CHECK_L7_OKC },
	{ "L4CON", CHECK_L4_REFUSED }, { "L6RSP", CHECK_L6_RSP }, { "L7RSP", CHECK_L7_RSP },
	{ "L7STS", CHECK_L7_STS }, { "L4TOUT", CHECK_L4_TIMEOUT }, { "L6TOUT", CHECK_L6_TIMEOUT },
	{ "L7TOUT", CHECK_L7_TIMEOUT },
};

/* Returns the result named <s> among <allowed> (a space-separated list of
 * names) plus one, or 0 if it is not allowed. */
static int tc_status(const char *s, const char *allowed)
{
	size_t n = strlen(s);
	const char *p = strstr(allowed, s);

	if (!n || !p || (p != allowed && p[-1] != ' ') || (p[n] && p[n] != ' '))
		return 0;
	for (size_t i = 0; i < sizeof(tc_statuses) / sizeof(tc_statuses[0]); i++)
		if (!strcmp(tc_statuses[i].name, s))
			return (int)tc_statuses[i].res + 1;
	return 0;
}

/* Parses "res.payload(<off>,<len>)" at <s>. Returns 0 or -1. */
static int tc_parse_payload(const char *s, int *off, int *len)
{
	char *end;
	long o, l;

	if (strncmp(s, "res.payload(", 12))
		return -1;
	o = strtol(s + 12, &end, 10);
	if (*end != ',' || o < 0 || o > 65535)
		return -1;
	l = strtol(end + 1, &end, 10);
	if (strcmp(end, ")") || l < 0 || l > 65535)
		return -1;
	*off = (int)o;
	*len = (int)l;
	return 0;
}

/* Parses "tcp-check connect [port <p>] [addr <ip[:port]>] [default]
 * [linger] [comment <t>]" into <r>. Returns 0 or -1 with c->err set. */
int tc_parse_connect(struct cfg_ctx *c, struct tc_rule *r, char **args, int nargs)
{
	r->kind = TC_CONNECT;
	for (int i = 2; i < nargs; i++) {
		const char *k = args[i], *v = i + 1 < nargs ? args[i + 1] : NULL;

		if (!strcmp(k, "default")) {
			r->dflt = 1;
			continue;
		}
		if (!strcmp(k, "ssl")) {
			r->ssl = 1;
			continue;
		}
		if (!strcmp(k, "send-proxy")) {
			r->send_proxy = 1;
			continue;
		}
		if (!strcmp(k, "linger"))
			continue;
		if (!strcmp(k, "sni") || !strcmp(k, "alpn")) {
			char **dst = k[0] == 's' ? &r->sni : &r->alpn;

			if (!v || !*v) {
				snprintf(c->err, sizeof(c->err), "'%s connect' : '%s' expects a string as argument.", args[0], k);
				return -1;
			}
			free(*dst);
			if (!(*dst = strdup(v)))
				return -1;
			i++;
			continue;
		}
		if (!strcmp(k, "port")) {
			char *end;
			long port;

			if (!v || !*v) {
				snprintf(c->err, sizeof(c->err), "'%s connect' : '%s' expects a port number or a sample expression as argument.", args[0], k);
				return -1;
			}
			port = strtol(v, &end, 10);
			if (*end) {
				/* a sample expression, evaluated at each connect:
				 * var(check.<name>) or a stream-less one */
				size_t vl = strlen(v);
				char perr[200];

				if (!strncmp(v, "var(check.", 10) && vl > 11 && v[vl - 1] == ')') {
					free(r->text);
					if (!(r->text = strndup(v + 10, vl - 11)))
						return -1;
				} else {
					const char *eend;

					sample_expr_free(r->expr);
					if (!(r->expr = sample_expr_parse(v, &eend, c->px, perr, sizeof(perr))) || *eend) {
						snprintf(c->err, sizeof(c->err), "'%s connect' : error detected while parsing port expression : %s",
						         args[0], r->expr ? "unexpected characters after the expression" : perr);
						return -1;
					}
				}
				i++;
				continue;
			}
			if (port < 1 || port > 65535) {
				snprintf(c->err, sizeof(c->err), "'%s connect' : expects a valid TCP port (from range 1 to 65535) or a sample expression, got %s.", args[0], v);
				return -1;
			}
			r->port = (int)port;
			i++;
		} else if (!strcmp(k, "addr")) {
			char aerr[256];

			if (!v || !*v) {
				snprintf(c->err, sizeof(c->err), "'%s connect' : '%s' expects <ipv4|ipv6> as argument.", args[0], k);
				return -1;
			}
			if (cfg_parse_addr(v, &r->addr, 0, aerr, sizeof(aerr)) < 0) {
				snprintf(c->err, sizeof(c->err), "'%s connect' : '%s' : %s.", args[0], k, aerr);
				return -1;
			}
			r->has_addr = 1;
			i++;
		} else if (!strcmp(k, "comment")) {
			if (!v || !*v) {
				snprintf(c->err, sizeof(c->err), "'%s connect' : '%s' expects a string as argument.", args[0], k);
				return -1;
			}
			free(r->comment);
			if (!(r->comment = strdup(v)))
				return -1;
			i++;
		} else if (!strcmp(k, "via-socks4") || !strcmp(k, "proto")) {
			snprintf(c->err, sizeof(c->err), "'%s connect' : option '%s' is not supported by ringproxy yet.", args[0], k);
			return -1;
		} else {
			snprintf(c->err, sizeof(c->err), "'%s connect' : expects 'comment', 'port', 'addr', 'send-proxy', 'ssl', 'sni', 'alpn' or 'via-socks4', 'linger', 'default' but got '%s' as argument.", args[0], k);
			return -1;
		}
	}
	return 0;
}

/* Parses "tcp-check expect [min-recv <n>] [ok-status <st>] [error-status
 * <st>] [tout-status <st>] [on-success <fmt>] [on-error <fmt>]
 * [status-code <expr>] [comment <t>] [!] <match> <pattern>" into <r>
 * (options in any order, as HAProxy reads them). Returns 0 or -1 with
 * c->err set. */
static int tc_parse_hdr(struct cfg_ctx *c, struct tc_rule *r, char **args, int i, int nargs, int full);

int tc_parse_expect(struct cfg_ctx *c, struct tc_rule *r, char **args, int nargs, int http)
{
	const char *type = NULL, *pat = NULL;
	char rerr[256];

	r->min_recv = -1;
	for (int i = 2; i < nargs; i++) {
		const char *k = args[i], *v = i + 1 < nargs ? args[i + 1] : NULL;
		int in_pattern = 0;

		if (*k == '!') {
			/* "!" alone or glued to the match type, possibly repeated */
			while (*k == '!') {
				r->neg = !r->neg;
				k++;
			}
			if (!*k) {
				if (++i >= nargs)
					break;
				k = args[i];
				v = i + 1 < nargs ? args[i + 1] : NULL;
			}
			in_pattern = 1;
		}
		if (http && (!strcmp(k, "status") || !strcmp(k, "rstatus") || !strcmp(k, "string") ||
		             !strcmp(k, "rstring") || !strcmp(k, "hdr") || !strcmp(k, "fhdr"))) {
			int n;

			if (type) {
				snprintf(c->err, sizeof(c->err), "'%s expect' : only one pattern expected.", args[0]);
				return -1;
			}
			if ((!v || !*v) && k[0] != 'h' && k[0] != 'f') {
				snprintf(c->err, sizeof(c->err), "'%s expect' : '%s' expects a <pattern> as argument.", args[0], k);
				return -1;
			}
			type = k;
			if (k[0] == 'h' || k[0] == 'f') {
				if ((n = tc_parse_hdr(c, r, args, i + 1, nargs, k[0] == 'f')) < 0)
					return -1;
				i += n;
				continue;
			}
			pat = v;
			i++;
			continue;
		}
		if (http && (!strcmp(k, "binary") || !strcmp(k, "rbinary") || !strcmp(k, "string-lf") ||
		             !strcmp(k, "binary-lf") || !strcmp(k, "custom"))) {
			snprintf(c->err, sizeof(c->err), "'%s expect' : match '%s' is not supported by ringproxy for HTTP checks (status, rstatus, string, rstring, hdr, fhdr).", args[0], k);
			return -1;
		}
		if (!strcmp(k, "string") || !strcmp(k, "rstring") || !strcmp(k, "binary") ||
		    !strcmp(k, "rbinary")) {
			if (type) {
				snprintf(c->err, sizeof(c->err), "'%s expect' : only one pattern expected.", args[0]);
				return -1;
			}
			if (!v || !*v) {
				snprintf(c->err, sizeof(c->err), "'%s expect' : '%s' expects a <pattern> as argument.", args[0], k);
				return -1;
			}
			type = k;
			pat = v;
			i++;
			continue;
		}
		if (!strcmp(k, "string-lf") || !strcmp(k, "binary-lf") || !strcmp(k, "custom")) {
			snprintf(c->err, sizeof(c->err), "'%s expect' : match '%s' is not supported by ringproxy (string, binary, rstring, rbinary).", args[0], k);
			return -1;
		}
		if (in_pattern) {
			snprintf(c->err, sizeof(c->err), "'%s expect' : [!] not supported with '%s'.", args[0], k);
			return -1;
		}
		if (!strcmp(k, "min-recv")) {
			long n = v ? atol(v) : 0;     /* HAProxy reads it with atol() */

			if (!v || !*v) {
				snprintf(c->err, sizeof(c->err), "'%s expect' : '%s' expects a integer as argument.", args[0], k);
				return -1;
			}
			if (n < -1 || n > 65536) {
				snprintf(c->err, sizeof(c->err), "'%s expect' : '%s' expects -1 or an integer from 0 to INT_MAX.", args[0], k);
				return -1;
			}
			r->min_recv = (int)n;
		} else if (!strcmp(k, "ok-status") || !strcmp(k, "error-status") || !strcmp(k, "tout-status")) {
			const char *allowed = k[0] == 'o' ? "L4OK L6OK L7OK L7OKC" :
			                      k[0] == 'e' ? "L4CON L6RSP L7RSP L7STS" : "L4TOUT L6TOUT L7TOUT";
			int st;

			if (!v || !*v) {
				snprintf(c->err, sizeof(c->err), "'%s expect' : '%s' expects a string as argument.", args[0], k);
				return -1;
			}
			if (!(st = tc_status(v, allowed))) {
				snprintf(c->err, sizeof(c->err), "'%s expect' : '%s' only supports %s status (got '%s').", args[0], k,
				         k[0] == 'o' ? "'L4OK', 'L6OK', 'L7OK' or 'L7OKC'" :
				         k[0] == 'e' ? "'L4CON', 'L6RSP', 'L7RSP' or 'L7STS'" :
				                       "'L4TOUT', 'L6TOUT', or 'L7TOUT'", v);
				return -1;
			}
			if (k[0] == 'o')
				r->ok_status = st;
			else if (k[0] == 'e')
				r->err_status = st;
			else
				r->tout_status = st;
		} else if (!strcmp(k, "on-success") || !strcmp(k, "on-error")) {
			struct tc_fmt **f = k[3] == 's' ? &r->on_success : &r->on_error;
			char ferr[200];

			if (!v || !*v) {
				snprintf(c->err, sizeof(c->err), "'%s expect' : '%s' expects a string as argument.", args[0], k);
				return -1;
			}
			tc_fmt_free(*f);
			if (!(*f = tc_fmt_parse(v, ferr, sizeof(ferr)))) {
				snprintf(c->err, sizeof(c->err), "'%s expect' : '%s' : %s.", args[0], k, ferr);
				return -1;
			}
		} else if (!strcmp(k, "status-code")) {
			if (!v || !*v || tc_parse_payload(v, &r->code_off, &r->code_len) < 0 || !r->code_len) {
				snprintf(c->err, sizeof(c->err), "'%s expect' : '%s' : only 'res.payload(<offset>,<length>)' is supported by ringproxy (got '%s').", args[0],
				         k, v ? v : "");
				return -1;
			}
		} else if (!strcmp(k, "comment")) {
			if (!v || !*v) {
				snprintf(c->err, sizeof(c->err), "'%s expect' : '%s' expects a string as argument.", args[0], k);
				return -1;
			}
			free(r->comment);
			if (!(r->comment = strdup(v)))
				return -1;
		} else {
			snprintf(c->err, sizeof(c->err), "'%s expect' : 'min-recv', 'comment', 'ok-status', 'error-status', 'tout-status', 'on-success', 'on-error', 'status-code', '!' or pattern types ('string', 'rstring', 'binary', 'rbinary') expected, got '%s'.", args[0], k);
			return -1;
		}
		i++;
	}
	if (!type) {
		snprintf(c->err, sizeof(c->err), nargs > 2 ? "'%s expect' : pattern not found." :
		         "'%s expect' : expects at least a matching pattern as arguments.", args[0]);
		return -1;
	}
	if (http) {
		struct tc_http_exp *e = r->hexp;

		if (!e && !(e = r->hexp = calloc(1, sizeof(*e))))
			return -1;
		r->kind = TC_HTTP_EXPECT;
		if (!strcmp(type, "status")) {
			e->type = TC_HX_STATUS;
			if (strspn(pat, "0123456789,-") != strlen(pat)) {
				snprintf(c->err, sizeof(c->err), "'%s expect' : invalid status code list '%s'.", args[0], pat);
				return -1;
			}
			if (!(e->codes = strdup(pat)))
				return -1;
		} else if (!strcmp(type, "string")) {
			e->type = TC_HX_STRING;
			r->len = strlen(pat);
			if (!(r->data = strdup(pat)))
				return -1;
		} else if (!strcmp(type, "rstatus") || !strcmp(type, "rstring")) {
			e->type = type[1] == 's' && type[2] == 't' && type[3] == 'a' ? TC_HX_RSTATUS : TC_HX_RSTRING;
			if (!(r->rx = rx_compile(pat, strlen(pat), 0, rerr, sizeof(rerr)))) {
				snprintf(c->err, sizeof(c->err), "'%s expect' : regex '%s' : %s.", args[0], pat, rerr);
				return -1;
			}
		} else
			e->type = TC_HX_HDR;
		if (pat && !(r->text = strdup(pat)))
			return -1;
		return 0;
	}
	if (!strcmp(type, "string")) {
		r->kind = TC_EXPECT_STR;
		r->len = strlen(pat);
		if (!(r->data = strdup(pat)))
			return -1;
	} else if (!strcmp(type, "binary")) {
		long n = tc_unhex(pat, &r->data);

		r->kind = TC_EXPECT_BIN;
		if (n < 0) {
			snprintf(c->err, sizeof(c->err), "'%s expect binary' : invalid hexadecimal string '%s'.", args[0], pat);
			return -1;
		}
		r->len = (size_t)n;
	} else {
		r->kind = type[1] == 's' ? TC_EXPECT_RX : TC_EXPECT_RBIN;
		if (!(r->rx = rx_compile(pat, strlen(pat), 0, rerr, sizeof(rerr)))) {
			snprintf(c->err, sizeof(c->err), "'%s expect %s' : regex '%s' : %s.", args[0], type, pat, rerr);
			return -1;
		}
	}
	if (!(r->text = strdup(pat)))
		return -1;
	return 0;
}

/* Parses an "http-check expect [f]hdr" pattern at <args>[<i>]: "name
 * [-m str|beg|end|sub|reg] <name> [value [-m ...] <value>]" into <r>.
 * Returns the words used, or -1 with c->err set. */
static int tc_parse_hdr(struct cfg_ctx *c, struct tc_rule *r, char **args, int i, int nargs, int full)
{
	static const char *const meths[] = { "str", "beg", "end", "sub", "reg" };
	struct tc_http_exp *e;
	int i0 = i;
	char rerr[256];

	if (!(e = r->hexp = calloc(1, sizeof(*e))))
		return -1;
	e->type = TC_HX_HDR;
	e->full = full;
	for (int part = 0; part < 2; part++) {
		const char *kw = part ? "value" : "name";
		size_t kl = strlen(kw);
		enum tc_hm m = TC_HM_STR;
		const char *pat;
		int lf;

		/* "name" or "name-lf" (a log-format), "value" or "value-lf" */
		if (i >= nargs || strncmp(args[i], kw, kl) || (args[i][kl] && strcmp(args[i] + kl, "-lf"))) {
			if (part)
				break;      /* no value pattern: any value */
			snprintf(c->err, sizeof(c->err), "'%s expect' : '%s' expects at the name keyword as first argument followed by a pattern.", args[0],
			         args[i0 - 1]);
			return -1;
		}
		lf = args[i][kl] != 0;
		i++;
		if (i < nargs && !strcmp(args[i], "-m")) {
			size_t k;

			if (i + 1 >= nargs) {
				snprintf(c->err, sizeof(c->err), "'%s expect' : '%s' : '-m' expects at a matching pattern ('str', 'beg', 'end', 'sub' or 'reg').", args[0],
				         args[i0 - 1]);
				return -1;
			}
			for (k = 0; k < 5 && strcmp(args[i + 1], meths[k]); k++)
				;
			if (k == 5) {
				snprintf(c->err, sizeof(c->err), "'%s expect' : '%s' : '-m' only supports 'str', 'beg', 'end', 'sub' or 'reg' (got '%s').", args[0],
				         args[i0 - 1], args[i + 1]);
				return -1;
			}
			m = (enum tc_hm)k;
			i += 2;
		}
		if (i >= nargs) {
			snprintf(c->err, sizeof(c->err), "'%s expect' : '%s' expect a pattern with the %s keyword.", args[0], args[i0 - 1], kw);
			return -1;
		}
		pat = args[i++];
		if (lf) {
			struct tc_fmt **dst = part ? &e->value_lf : &e->name_lf;
			char ferr[300];

			if (m == TC_HM_REG) {
				snprintf(c->err, sizeof(c->err), "'%s expect' : '%s': log-format string is not supported with a regex matching method.",
				         args[0], args[i0 - 1]);
				return -1;
			}
			if (!(*dst = tc_fmt_parse_px(pat, c->px, ferr, sizeof(ferr)))) {
				snprintf(c->err, sizeof(c->err), "'%s expect' : '%s' : %s.", args[0], args[i0 - 1], ferr);
				return -1;
			}
		}
		if (part) {
			e->vm = m;
			if (!(e->value = strdup(pat)))
				return -1;
			if (m == TC_HM_REG && !(e->value_rx = rx_compile(pat, strlen(pat), 0, rerr, sizeof(rerr)))) {
				snprintf(c->err, sizeof(c->err), "'%s expect' : regex '%s' : %s.", args[0], pat, rerr);
				return -1;
			}
		} else {
			e->nm = m;
			if (!(e->name = strdup(pat)))
				return -1;
			/* header names match whatever their case */
			if (m == TC_HM_REG && !(e->name_rx = rx_compile(pat, strlen(pat), RX_ICASE, rerr, sizeof(rerr)))) {
				snprintf(c->err, sizeof(c->err), "'%s expect' : regex '%s' : %s.", args[0], pat, rerr);
				return -1;
			}
		}
	}
	return i - i0;
}

/* Parses the options after the data of a tcp-check send rule (args[3]
 * on): "comment <t>". Returns 0 or -1 with c->err set. */
static int tc_parse_send_opts(struct cfg_ctx *c, struct tc_rule *r, char **args, int nargs)
{
	for (int i = 3; i < nargs; i++) {
		if (!strcmp(args[i], "comment") && i + 1 < nargs) {
			free(r->comment);
			if (!(r->comment = strdup(args[++i])))
				return -1;
			continue;
		}
		snprintf(c->err, sizeof(c->err), "'tcp-check %s' : option '%s' is not supported by ringproxy.",
		         args[1], args[i]);
		return -1;
	}
	return 0;
}

/* Parses "tcp-check send|send-binary <data> [comment <t>]" into <r>.
 * Returns 0 or -1 with c->err set. */
static int tc_parse_send(struct cfg_ctx *c, struct tc_rule *r, char **args, int nargs)
{
	int bin = !strcmp(args[1], "send-binary");

	if (nargs < 3) {
		snprintf(c->err, sizeof(c->err), "'tcp-check %s' expects a %s as argument.", args[1],
		         bin ? "binary string" : "string");
		return -1;
	}
	r->kind = TC_SEND;
	if (bin) {
		long n = tc_unhex(args[2], &r->data);

		if (n < 0) {
			snprintf(c->err, sizeof(c->err), "'tcp-check send-binary' : invalid hexadecimal string '%s'.", args[2]);
			return -1;
		}
		r->len = (size_t)n;
	} else {
		r->len = strlen(args[2]);
		if (!(r->data = strdup(args[2])))
			return -1;
	}
	return tc_parse_send_opts(c, r, args, nargs);
}

int tc_parse_var(struct cfg_ctx *c, struct tc_rule *r, char **args, int nargs)
{
	int unset = !strncmp(args[1], "unset-var(", 10), idx = 2;
	const char *n = args[1] + (unset ? 10 : 8), *e = strchr(n, ')');
	char perr[200];

	r->kind = unset ? TC_UNSET_VAR : TC_SET_VAR;
	if (!e || e[1] || strncmp(n, "check.", 6) || e == n + 6 || memchr(n, ',', (size_t)(e - n))) {
		snprintf(c->err, sizeof(c->err), "'%s %.*s' : only a variable of the 'check' scope without conditions is supported by ringproxy ('%s(check.<name>)').",
		         args[0], (int)(n - args[1] - 1), args[1], unset ? "unset-var" : "set-var");
		return -1;
	}
	if (!(r->text = strndup(n + 6, (size_t)(e - n - 6))))
		return -1;
	if (unset) {
		if (nargs > 2) {
			snprintf(c->err, sizeof(c->err), "'%s %s' : unexpected argument '%s'.", args[0], args[1], args[2]);
			return -1;
		}
		return 0;
	}
	if (nargs < 3) {
		snprintf(c->err, sizeof(c->err), "'%s %s' : 'set-var' : missing fetch method.", args[0], args[1]);
		return -1;
	}
	if (nargs == 3 && (!strncmp(args[2], "res.hdr(", 8) || !strncmp(args[2], "res.fhdr(", 9) ||
	                   !strncmp(args[2], "res.payload(", 12))) {
		/* a fetch of the check's response: the log-format engine has them */
		char fmt[512], ferr[300];

		snprintf(fmt, sizeof(fmt), "%%[%s]", args[2]);
		if (!(r->lf = tc_fmt_parse_px(fmt, c->px, ferr, sizeof(ferr)))) {
			snprintf(c->err, sizeof(c->err), "'%s %s' : %s.", args[0], args[1], ferr);
			return -1;
		}
		return 0;
	}
	if (!(r->expr = sample_expr_parse_words(args, nargs, &idx, c->px, perr, sizeof(perr)))) {
		snprintf(c->err, sizeof(c->err), "'%s %s' : %s", args[0], args[1], perr);
		return -1;
	}
	if (idx < nargs) {
		snprintf(c->err, sizeof(c->err), "'%s %s' : unexpected argument '%s'.", args[0], args[1], args[idx]);
		return -1;
	}
	return 0;
}

/* Parses "tcp-check send-lf|send-binary-lf <fmt> [comment <t>]" into <r>.
 * Returns 0 or -1 with c->err set. */
static int tc_parse_send_lf(struct cfg_ctx *c, struct tc_rule *r, char **args, int nargs)
{
	char ferr[300];

	r->kind = TC_SEND_LF;
	r->len = !strcmp(args[1], "send-binary-lf");
	if (nargs < 3) {
		snprintf(c->err, sizeof(c->err), "'tcp-check %s' expects a log-format string as argument.", args[1]);
		return -1;
	}
	if (!(r->lf = tc_fmt_parse_px(args[2], c->px, ferr, sizeof(ferr)))) {
		snprintf(c->err, sizeof(c->err), "'tcp-check %s' : %s.", args[1], ferr);
		return -1;
	}
	return tc_parse_send_opts(c, r, args, nargs);
}

int tc_parse_rule(struct cfg_ctx *c, struct tc_rules *rs, char **args, int nargs, int http,
                  int (*other)(struct cfg_ctx *c, struct tc_rule *r, char **args, int nargs))
{
	struct tc_rule r;
	int rc;

	memset(&r, 0, sizeof(r));
	if (!strcmp(args[1], "comment")) {
		if (nargs < 3) {
			snprintf(c->err, sizeof(c->err), "'%s comment' expects a string as argument.", args[0]);
			return -1;
		}
		/* a rule of its own (it counts in the step numbers), and the
		 * comment of the next rule */
		r.kind = TC_COMMENT;
		rc = (r.comment = strdup(args[2])) ? 0 : -1;
	} else if (!strcmp(args[1], "connect")) {
		for (int i = 0; i < rs->nb; i++)
			if (rs->r[i].kind != TC_COMMENT && rs->r[i].kind != TC_SET_VAR &&
			    rs->r[i].kind != TC_UNSET_VAR) {
				if (rs->r[i].kind == TC_CONNECT)
					break;
				snprintf(c->err, sizeof(c->err), "'%s connect' : first step MUST also be a 'connect', optionally preceded by a 'set-var', an 'unset-var' or a 'comment', when there is a 'connect' step in the tcp-check ruleset.", args[0]);
				return -1;
			}
		rc = tc_parse_connect(c, &r, args, nargs);
	} else if (!strncmp(args[1], "set-var(", 8) || !strncmp(args[1], "unset-var(", 10))
		rc = tc_parse_var(c, &r, args, nargs);
	else if (!strcmp(args[1], "expect"))
		rc = tc_parse_expect(c, &r, args, nargs, http);
	else
		rc = other(c, &r, args, nargs);
	if (rc < 0) {
		if (!c->err[0])
			snprintf(c->err, sizeof(c->err), "out of memory.");
		tc_rule_clear(&r);
		return -1;
	}
	if (!r.comment && rs->nb && rs->r[rs->nb - 1].kind == TC_COMMENT &&
	    !(r.comment = strdup(rs->r[rs->nb - 1].comment))) {
		tc_rule_clear(&r);
		goto nomem;
	}
	if (tc_rules_add(rs, &r) < 0) {
		tc_rule_clear(&r);
		goto nomem;
	}
	return 0;
nomem:
	snprintf(c->err, sizeof(c->err), "out of memory.");
	return -1;
}

/* The tcp-check rules besides those of tc_parse_rule(): the sends. */
static int tc_parse_tcp_other(struct cfg_ctx *c, struct tc_rule *r, char **args, int nargs)
{
	if (!strcmp(args[1], "send") || !strcmp(args[1], "send-binary"))
		return tc_parse_send(c, r, args, nargs);
	if (!strcmp(args[1], "send-lf") || !strcmp(args[1], "send-binary-lf"))
		return tc_parse_send_lf(c, r, args, nargs);
	snprintf(c->err, sizeof(c->err), "'tcp-check %s' is not supported by ringproxy (connect, send, send-binary, send-lf, send-binary-lf, expect, comment, set-var, unset-var).",
	         args[1]);
	return -1;
}

int check_cfg_tcp_check(struct cfg_ctx *c, char **args, int nargs)
{
	struct proxy *px = c->px;
	struct tc_rules *rs;

	if (!px || c->sec == CFG_SEC_DEFAULTS || !(px->cap & PX_CAP_BE)) {
		snprintf(c->err, sizeof(c->err), "'%s' is only supported in a backend or listen section by ringproxy.",
		         args[0]);
		return -1;
	}
	if (nargs < 2) {
		snprintf(c->err, sizeof(c->err), "'%s' expects 'comment', 'connect', 'send', 'send-binary' or 'expect'.",
		         args[0]);
		return -1;
	}
	if (!(rs = tc_rules_get(px))) {
		snprintf(c->err, sizeof(c->err), "out of memory.");
		return -1;
	}
	return tc_parse_rule(c, rs, args, nargs, 0, tc_parse_tcp_other);
}
