/* check_http.c: HTTP health checks. "option httpchk" and the "http-check"
 * rules (connect, send, expect, comment, send-state, disable-on-404) of a
 * section, the program a backend runs (its own, or its defaults section's
 * when it declares none, as HAProxy 2.6 inherits them), the requests it
 * sends and how a response is judged (status, headers, body). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "engine/cfg.h"
#include "engine/check.h"
#include "engine/check_int.h"
#include "engine/proxy.h"
#include "regex/rx.h"

void tc_http_req_free(struct tc_http_req *q)
{
	if (!q)
		return;
	free(q->meth);
	free(q->uri);
	free(q->ver);
	for (int i = 0; i < q->nb_hdrs; i++)
		free(q->hdrs[i]);
	if (!q->lf_borrowed) {
		for (int i = 0; q->hdr_lf && i < q->nb_hdrs / 2; i++)
			tc_fmt_free(q->hdr_lf[i]);
		tc_fmt_free(q->uri_lf);
		tc_fmt_free(q->body_lf);
	}
	free(q->hdr_lf);
	free(q->hdrs);
	free(q->body);
	free(q);
}

void tc_http_exp_free(struct tc_http_exp *e)
{
	if (!e)
		return;
	free(e->codes);
	free(e->name);
	free(e->value);
	rx_free(e->name_rx);
	rx_free(e->value_rx);
	tc_fmt_free(e->name_lf);
	tc_fmt_free(e->value_lf);
	free(e);
}

/* Replaces the string at <dst> by a copy of <s> (<n> bytes). Returns 0 or -1. */
static int req_set(char **dst, const char *s, size_t n)
{
	char *d = strndup(s, n);

	if (!d)
		return -1;
	free(*dst);
	*dst = d;
	return 0;
}

/* Appends header <name>: <value> to <q> (name lowercased, as HAProxy's
 * HTTP/1 layer writes it). Returns 0 or -1. */
static int req_add_hdr(struct tc_http_req *q, const char *name, size_t nlen, const char *value,
                       size_t vlen)
{
	char **n = realloc(q->hdrs, (size_t)(q->nb_hdrs + 2) * sizeof(*n));

	if (!n)
		return -1;
	q->hdrs = n;
	if (!(n[q->nb_hdrs] = strndup(name, nlen)))
		return -1;
	for (char *p = n[q->nb_hdrs]; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	if (!(n[q->nb_hdrs + 1] = strndup(value, vlen))) {
		free(n[q->nb_hdrs]);
		return -1;
	}
	q->nb_hdrs += 2;
	return 0;
}

/* Returns <px>'s rules marked as declaring an HTTP check (its "http-check"
 * rules created), or NULL (out of memory). */
static struct tc_rules *http_own(struct proxy *px)
{
	struct tc_rules *rs = tc_rules_get(px);

	if (!rs)
		return NULL;
	if (!rs->hrules && !(rs->hrules = calloc(1, sizeof(*rs->hrules))))
		return NULL;
	rs->http_own = 1;
	return rs;
}

int check_cfg_httpchk(struct cfg_ctx *c, char **args, int nargs)
{
	struct proxy *px = c->px;
	struct tc_rules *rs;
	struct tc_http_req *q;
	const char *meth = NULL, *uri = NULL, *ver = NULL;

	if (!px) {
		snprintf(c->err, sizeof(c->err), "'option httpchk' is only valid in a proxy or defaults section.");
		return -1;
	}
	if (nargs == 3)
		uri = args[2];
	else if (nargs >= 4) {
		meth = args[2];
		uri = args[3];
		ver = nargs > 4 ? args[4] : NULL;
	}
	if (nargs > 5) {
		snprintf(c->err, sizeof(c->err), "'option httpchk' : cannot handle unexpected argument '%s'.", args[5]);
		return -1;
	}
	if (!(rs = http_own(px)) || !(q = calloc(1, sizeof(*q))))
		goto nomem;
	tc_http_req_free(rs->http_req);
	rs->http_req = q;
	if ((meth && req_set(&q->meth, meth, strlen(meth)) < 0) || (uri && req_set(&q->uri, uri, strlen(uri)) < 0))
		goto nomem;
	if (ver) {
		/* "HTTP/1.1\r\nHost: x": headers written after the version, the old way */
		const char *crlf = strstr(ver, "\r\n");

		if (req_set(&q->ver, ver, crlf ? (size_t)(crlf - ver) : strlen(ver)) < 0)
			goto nomem;
		while (crlf) {
			const char *line = crlf + 2, *next = strstr(line, "\r\n"), *colon, *v;
			size_t ll = next ? (size_t)(next - line) : strlen(line);

			if ((colon = memchr(line, ':', ll))) {
				for (v = colon + 1; v < line + ll && *v == ' '; v++)
					;
				if (req_add_hdr(q, line, (size_t)(colon - line), v, (size_t)(line + ll - v)) < 0)
					goto nomem;
			}
			crlf = next;
		}
	}
	px->options |= PXO_HTTPCHK;
	px->options &= ~PXO_TCP_CHECK;
	return 0;
nomem:
	snprintf(c->err, sizeof(c->err), "out of memory.");
	return -1;
}

/* Returns the log-format <v> of "http-check send <kw>", or NULL with
 * c->err set. */
static struct tc_fmt *http_lf(struct cfg_ctx *c, const char *v, const char *kw)
{
	char ferr[300];
	struct tc_fmt *f = tc_fmt_parse_px(v, c->px, ferr, sizeof(ferr));

	if (!f)
		snprintf(c->err, sizeof(c->err), "'http-check send' : '%s' : %s.", kw, ferr);
	return f;
}

/* Parses "http-check send [meth <m>] [uri <u>] [ver <v>] [hdr <n> <v>]...
 * [body <string>] [comment <t>]" into <r>. Returns 0 or -1 with c->err. */
static int http_parse_send(struct cfg_ctx *c, struct tc_rule *r, char **args, int nargs)
{
	struct tc_http_req *q = calloc(1, sizeof(*q));

	r->kind = TC_HTTP_SEND;
	if (!(r->req = q))
		return -1;
	for (int i = 2; i < nargs; i += 2) {
		const char *k = args[i], *v = i + 1 < nargs ? args[i + 1] : NULL;

		if (!strcmp(k, "hdr")) {
			struct tc_fmt **n;

			if (i + 2 >= nargs || !*args[i + 1]) {
				snprintf(c->err, sizeof(c->err), "'http-check send' : '%s' expects <name> and <value> as arguments.", k);
				return -1;
			}
			if (req_add_hdr(q, args[i + 1], strlen(args[i + 1]), args[i + 2], strlen(args[i + 2])) < 0 ||
			    !(n = realloc(q->hdr_lf, (size_t)(q->nb_hdrs / 2) * sizeof(*n))))
				return -1;
			q->hdr_lf = n;
			n[q->nb_hdrs / 2 - 1] = NULL;
			/* a header value is a log-format */
			if (strstr(args[i + 2], "%[") &&
			    !(n[q->nb_hdrs / 2 - 1] = http_lf(c, args[i + 2], "hdr")))
				return -1;
			i++;
			continue;
		}
		if (!strcmp(k, "uri-lf") || !strcmp(k, "body-lf")) {
			struct tc_fmt **f = k[0] == 'u' ? &q->uri_lf : &q->body_lf;

			if (!v) {
				snprintf(c->err, sizeof(c->err), "'http-check send' : '%s' expects a log-format string.", k);
				return -1;
			}
			tc_fmt_free(*f);
			if (!(*f = http_lf(c, v, k)))
				return -1;
			continue;
		}
		if (!v) {
			snprintf(c->err, sizeof(c->err), "'http-check send' : '%s' expects %s as argument.", k,
			         !strcmp(k, "meth") ? "a method" : !strcmp(k, "uri") ? "an URI" :
			         !strcmp(k, "ver") ? "a version string" : "a string");
			return -1;
		}
		if (!strcmp(k, "meth")) {
			if (req_set(&q->meth, v, strlen(v)) < 0)
				return -1;
		} else if (!strcmp(k, "uri")) {
			if (req_set(&q->uri, v, strlen(v)) < 0)
				return -1;
		} else if (!strcmp(k, "ver")) {
			if (req_set(&q->ver, v, strlen(v)) < 0)
				return -1;
		} else if (!strcmp(k, "body")) {
			if (req_set(&q->body, v, strlen(v)) < 0)
				return -1;
			q->body_len = strlen(v);
		} else if (!strcmp(k, "comment")) {
			if (req_set(&r->comment, v, strlen(v)) < 0)
				return -1;
		} else {
			snprintf(c->err, sizeof(c->err), "'http-check send' : expects 'comment', 'meth', 'uri', 'uri-lf', 'ver', 'hdr', 'body' or 'body-lf' but got '%s' as argument.", k);
			return -1;
		}
	}
	return 0;
}

/* The http-check rules besides those of tc_parse_rule(): "send". */
static int http_parse_other(struct cfg_ctx *c, struct tc_rule *r, char **args, int nargs)
{
	if (!strcmp(args[1], "send"))
		return http_parse_send(c, r, args, nargs);
	snprintf(c->err, sizeof(c->err), "'http-check' only supports 'disable-on-404', 'send-state', 'comment', 'connect', 'send', 'expect', 'set-var(check.<name>)' or 'unset-var(check.<name>)', got '%s'.",
	         args[1]);
	return -1;
}

int check_cfg_http_check(struct cfg_ctx *c, char **args, int nargs)
{
	struct proxy *px = c->px;
	struct tc_rules *rs;

	if (!px) {
		snprintf(c->err, sizeof(c->err), "'http-check' is only valid in a proxy or defaults section.");
		return -1;
	}
	if (nargs < 2) {
		snprintf(c->err, sizeof(c->err), "'http-check' expects 'disable-on-404', 'send-state', 'comment', 'connect', 'send' or 'expect'.");
		return -1;
	}
	if (!(rs = http_own(px)))
		goto nomem;
	if (!strcmp(args[1], "disable-on-404") || !strcmp(args[1], "send-state")) {
		if (nargs > 2) {
			snprintf(c->err, sizeof(c->err), "'%s %s' cannot handle unexpected argument '%s'.", args[0], args[1], args[2]);
			return -1;
		}
		if (args[1][0] == 'd')
			rs->disable_404 = 1;
		else
			rs->send_state = 1;
		return 0;
	}
	return tc_parse_rule(c, rs->hrules, args, nargs, 1, http_parse_other);
nomem:
	snprintf(c->err, sizeof(c->err), "out of memory.");
	return -1;
}

/* Returns a new request: <opt> ("option httpchk") with <snd> ("http-check
 * send") over it: its method, URI and version when given, its headers
 * instead of <opt>'s when it has some, its body. NULL: out of memory. */
static struct tc_http_req *http_merge(const struct tc_http_req *opt, const struct tc_http_req *snd)
{
	struct tc_http_req *q = calloc(1, sizeof(*q));
	const struct tc_http_req *h = snd && snd->nb_hdrs ? snd : opt;
	const char *m = snd && snd->meth ? snd->meth : opt ? opt->meth : NULL;
	const char *u = snd && snd->uri ? snd->uri : opt ? opt->uri : NULL;
	const char *v = snd && snd->ver ? snd->ver : opt ? opt->ver : NULL;

	if (!q)
		return NULL;
	if ((m && req_set(&q->meth, m, strlen(m)) < 0) || (u && req_set(&q->uri, u, strlen(u)) < 0) ||
	    (v && req_set(&q->ver, v, strlen(v)) < 0))
		goto fail;
	for (int i = 0; h && i + 1 < h->nb_hdrs; i += 2)
		if (req_add_hdr(q, h->hdrs[i], strlen(h->hdrs[i]), h->hdrs[i + 1], strlen(h->hdrs[i + 1])) < 0)
			goto fail;
	/* the log-format parts are borrowed from the requests merged */
	q->lf_borrowed = 1;
	if (h && h->hdr_lf) {
		if (!(q->hdr_lf = malloc((size_t)(h->nb_hdrs / 2) * sizeof(*q->hdr_lf))))
			goto fail;
		memcpy(q->hdr_lf, h->hdr_lf, (size_t)(h->nb_hdrs / 2) * sizeof(*q->hdr_lf));
	}
	q->uri_lf = snd && snd->uri_lf ? snd->uri_lf : NULL;
	if (q->uri_lf && snd->uri) {
		/* the last of "uri" and "uri-lf" given wins: keep it simple, the format */
		free(q->uri);
		q->uri = NULL;
	}
	q->body_lf = snd ? snd->body_lf : NULL;
	if (snd && snd->body) {
		if (req_set(&q->body, snd->body, snd->body_len) < 0)
			goto fail;
		q->body_len = snd->body_len;
	}
	return q;
fail:
	tc_http_req_free(q);
	return NULL;
}

/* Appends a borrowed copy of <r> to <prog>. Returns 0 or -1. */
static int prog_add(struct tc_rules *prog, const struct tc_rule *r)
{
	struct tc_rule b = *r;

	b.borrowed = 1;
	return tc_rules_add(prog, &b);
}

struct tc_rules *tc_http_program(struct proxy *px)
{
	struct tc_rules *own = tc_rules_get(px), *prog;
	const struct tc_rules *src = own && own->http_own ? own :
	                             px->from && px->from->check_rules &&
	                             ((struct tc_rules *)px->from->check_rules)->http_own ?
	                             px->from->check_rules : NULL;
	const struct tc_rules *hr = src ? src->hrules : NULL;
	int i = 0, first_send = 1, last_expect = 0;
	struct tc_rule r;

	if (!own)
		return NULL;
	if (own->http_prog)
		return own->http_prog;
	if (!(prog = calloc(1, sizeof(*prog))))
		return NULL;
	prog->is_http = 1;
	prog->send_state = src ? src->send_state : 0;
	prog->disable_404 = src ? src->disable_404 : 0;
	/* leading connect and comments, then the request: the first "send"
	 * merged with "option httpchk"'s, or that one alone */
	for (; hr && i < hr->nb && (hr->r[i].kind == TC_CONNECT || hr->r[i].kind == TC_COMMENT ||
	                            hr->r[i].kind == TC_SET_VAR || hr->r[i].kind == TC_UNSET_VAR); i++)
		if (prog_add(prog, &hr->r[i]) < 0)
			goto fail;
	memset(&r, 0, sizeof(r));
	for (int k = i; hr && k < hr->nb; k++)
		if (hr->r[k].kind == TC_HTTP_SEND) {
			r = hr->r[k];
			break;
		}
	if (!(prog->merged = http_merge(src ? src->http_req : NULL, r.req)))
		goto fail;
	r.kind = TC_HTTP_SEND;
	r.req = prog->merged;
	if (prog_add(prog, &r) < 0)
		goto fail;
	for (; hr && i < hr->nb; i++) {
		const struct tc_rule *x = &hr->r[i];

		if (x->kind == TC_HTTP_SEND && first_send) {
			first_send = 0;     /* merged above */
			continue;
		}
		if (prog_add(prog, x) < 0)
			goto fail;
		if (x->kind == TC_HTTP_EXPECT)
			last_expect = 1;
		else if (x->kind == TC_HTTP_SEND || x->kind == TC_CONNECT)
			last_expect = 0;
	}
	if (!last_expect) {
		/* the implicit "http-check expect status 200-399" */
		struct tc_rule e;

		memset(&e, 0, sizeof(e));
		e.kind = TC_HTTP_EXPECT;
		e.min_recv = -1;
		if (!(e.hexp = calloc(1, sizeof(*e.hexp))) || !(e.hexp->codes = strdup("200-399")) ||
		    tc_rules_add(prog, &e) < 0) {
			tc_rule_clear(&e);
			goto fail;
		}
	}
	own->http_prog = prog;
	return prog;
fail:
	tc_rules_free(prog);
	return NULL;
}

/* ---- requests ---- */

static char http_node[128];

/* Writes the X-Haproxy-Server-State value of <s> into <out>, HAProxy's
 * words: "UP 2/3; address=...; port=...; name=be/s; node=...; weight=1/2;
 * scur=0/0; qcur=0". */
static void http_state_hdr(const struct server *s, char *out, size_t sz)
{
	const struct proxy *be = s->px;
	int max = s->rise + s->fall - 1, tot = 0, bck = 0, n;
	char addr[64] = "", port[8] = "";
	uint32_t becur = 0;

	if (!http_node[0] && gethostname(http_node, sizeof(http_node) - 1) < 0)
		snprintf(http_node, sizeof(http_node), "localhost");
	for (const struct server *o = be->srv; o; o = o->next) {
		if (o->state != SRV_UP)
			continue;
		if (o->backup)
			bck += o->cur_weight;
		else
			tot += o->cur_weight;
		becur += o->cur_conn;
	}
	if (!tot)
		tot = bck;
	if (!s->check)
		n = snprintf(out, sz, "no check");
	else if (s->state != SRV_DOWN && s->state != SRV_MAINT && s->health == max)
		n = snprintf(out, sz, "%s", s->state == SRV_DRAIN ? "NOLB" : "UP");
	else if (s->state != SRV_DOWN && s->state != SRV_MAINT)
		n = snprintf(out, sz, "%s %d/%d", s->state == SRV_DRAIN ? "NOLB" : "UP",
		             s->health - s->rise + 1, s->fall);
	else if (s->health)
		n = snprintf(out, sz, "DOWN %d/%d", s->health, s->rise);
	else
		n = snprintf(out, sz, "DOWN");
	if (s->addr.u.sa.sa_family == AF_INET) {
		inet_ntop(AF_INET, &s->addr.u.in4.sin_addr, addr, sizeof(addr));
		snprintf(port, sizeof(port), "%u", ntohs(s->addr.u.in4.sin_port));
	} else if (s->addr.u.sa.sa_family == AF_INET6) {
		inet_ntop(AF_INET6, &s->addr.u.in6.sin6_addr, addr, sizeof(addr));
		snprintf(port, sizeof(port), "%u", ntohs(s->addr.u.in6.sin6_port));
	}
	if (n > 0 && (size_t)n < sz)
		snprintf(out + n, sz - (size_t)n,
		         "; address=%s; port=%s; name=%s/%s; node=%s; weight=%d/%d; scur=%u/%u; qcur=%u",
		         addr, port, be->name, s->name, http_node, s->cur_weight, tot, s->cur_conn, becur,
		         s->nb_queued);
}

void check_http_set_node(const char *node)
{
	snprintf(http_node, sizeof(http_node), "%s", node ? node : "");
}

size_t tc_http_build(const struct tc_rule *r, const struct server *s, int send_state, char *out,
                     size_t sz)
{
	return tc_http_build_vars(r, s, send_state, NULL, out, sz);
}

size_t tc_http_build_vars(const struct tc_rule *r, const struct server *s, int send_state,
                          const struct ckvars *v, char *out, size_t sz)
{
	const struct tc_http_req *q = r->req;
	const char *ver = q->ver ? q->ver : "HTTP/1.0";
	char lf[1024], body[1024];
	const char *bd = q->body;
	size_t blen = q->body_len;
	int conn = 0;
	size_t n;

	if (q->uri_lf) {
		tc_fmt_build_vars(q->uri_lf, NULL, 0, v, s, lf, sizeof(lf));
		/* an empty URI is "/" */
		n = (size_t)snprintf(out, sz, "%s %s %s\r\n", q->meth ? q->meth : "OPTIONS", lf[0] ? lf : "/", ver);
	} else
		n = (size_t)snprintf(out, sz, "%s %s %s\r\n", q->meth ? q->meth : "OPTIONS", q->uri ? q->uri : "/", ver);
	for (int i = 0; i + 1 < q->nb_hdrs && n < sz; i += 2) {
		const char *val = q->hdrs[i + 1];

		if (q->hdr_lf && q->hdr_lf[i / 2]) {
			tc_fmt_build_vars(q->hdr_lf[i / 2], NULL, 0, v, s, lf, sizeof(lf));
			val = lf;
		}
		n += (size_t)snprintf(out + n, sz - n, "%s: %s\r\n", q->hdrs[i], val);
		if (!strcmp(q->hdrs[i], "connection"))
			conn = 1;
	}
	if (q->body_lf) {
		blen = tc_fmt_build_vars(q->body_lf, NULL, 0, v, s, body, sizeof(body));
		bd = body;
	}
	if (send_state && n < sz) {
		char st[384];

		http_state_hdr(s, st, sizeof(st));
		n += (size_t)snprintf(out + n, sz - n, "x-haproxy-server-state: %s\r\n", st);
	}
	if (blen && n < sz)
		n += (size_t)snprintf(out + n, sz - n, "content-length: %zu\r\n", blen);
	/* HTTP/1.1 says it closes; HTTP/1.0 does by default */
	if (!conn && !strcmp(ver, "HTTP/1.1") && n < sz)
		n += (size_t)snprintf(out + n, sz - n, "connection: close\r\n");
	if (n < sz)
		n += (size_t)snprintf(out + n, sz - n, "\r\n");
	if (n + blen >= sz)
		return 0;
	if (blen)
		memcpy(out + n, bd, blen);
	return n + blen;
}

/* ---- responses ---- */

/* Returns the value of header <name> (<nl> bytes) in the head lines
 * <h>/<hl>, its first occurrence (its last with <last>), or NULL; *<vl>
 * gets its length. */
static const char *hdr_find(const char *h, size_t hl, const char *name, size_t nl, int last, size_t *vl)
{
	const char *e = h + hl, *found = NULL;

	while (h < e) {
		const char *eol = memchr(h, '\n', (size_t)(e - h)), *colon;
		size_t ll = eol ? (size_t)(eol - h) : (size_t)(e - h);

		if (ll && h[ll - 1] == '\r')
			ll--;
		colon = memchr(h, ':', ll);
		if (colon && (size_t)(colon - h) == nl && !strncasecmp(h, name, nl)) {
			const char *v = colon + 1, *ve = h + ll;

			while (v < ve && (*v == ' ' || *v == '\t'))
				v++;
			while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
				ve--;
			*vl = (size_t)(ve - v);
			found = v;
			if (!last)
				break;
		}
		h = eol ? eol + 1 : e;
	}
	return found;
}

const char *tc_http_hdr(const char *buf, size_t len, const char *name, size_t nl, int full, size_t *vl)
{
	const char *h = memchr(buf, '\n', len), *eoh = memmem(buf, len, "\r\n\r\n", 4), *v, *c;

	if (!h)
		return NULL;
	h++;
	if (!(v = hdr_find(h, (size_t)((eoh ? eoh + 2 : buf + len) - h), name, nl, 1, vl)))
		return NULL;
	if (!full && (c = memrchr(v, ',', *vl))) {
		/* res.hdr: the last of the comma-separated values */
		const char *ve = v + *vl;

		for (v = c + 1; v < ve && (*v == ' ' || *v == '\t'); v++)
			;
		*vl = (size_t)(ve - v);
	}
	return v;
}

int tc_http_parse(const char *buf, size_t len, int last, char *tmp, size_t tmpsz, struct tc_hrsp *rsp)
{
	const char *eoh = memmem(buf, len, "\r\n\r\n", 4), *eol, *v;
	size_t vl;

	memset(rsp, 0, sizeof(*rsp));
	if (!eoh) {
		if (!last && len < CHECK_BUFSIZE)
			return 0;
		return -1;
	}
	eol = memchr(buf, '\n', len);
	/* "HTTP/1.x SSS[ reason]" */
	if (eol - buf < 12 || memcmp(buf, "HTTP/", 5) || buf[8] != ' ' || !isdigit((unsigned char)buf[9]) ||
	    !isdigit((unsigned char)buf[10]) || !isdigit((unsigned char)buf[11]) ||
	    (buf[12] != ' ' && buf[12] != '\r'))
		return -1;
	rsp->code = (buf[9] - '0') * 100 + (buf[10] - '0') * 10 + (buf[11] - '0');
	rsp->reason = buf + 13;
	rsp->rlen = eol - buf > 14 ? (size_t)(eol - 1 - rsp->reason) : 0;
	rsp->hdrs = eol + 1;
	rsp->hlen = (size_t)(eoh + 2 - rsp->hdrs);
	rsp->body = eoh + 4;
	rsp->blen = len - (size_t)(rsp->body - buf);
	if ((v = hdr_find(rsp->hdrs, rsp->hlen, "transfer-encoding", 17, 0, &vl)) && vl >= 7 &&
	    !strncasecmp(v + vl - 7, "chunked", 7)) {
		/* decode what arrived: sizes, data, up to the last chunk */
		const char *p = rsp->body, *e = rsp->body + rsp->blen;
		size_t o = 0;

		while (p < e) {
			char *end;
			unsigned long n = strtoul(p, &end, 16);
			const char *nl = memchr(p, '\n', (size_t)(e - p));

			if (!nl || end == p)
				break;
			if (!n) {
				rsp->complete = 1;
				break;
			}
			p = nl + 1;
			if ((size_t)(e - p) < n) {
				n = (size_t)(e - p);
			}
			if (o + n > tmpsz)
				n = tmpsz - o;
			memcpy(tmp + o, p, n);
			o += n;
			p += n;
			if (p + 2 <= e)
				p += 2;     /* CRLF after the data */
		}
		rsp->body = tmp;
		rsp->blen = o;
	} else if ((v = hdr_find(rsp->hdrs, rsp->hlen, "content-length", 14, 0, &vl))) {
		size_t cl = (size_t)strtoull(v, NULL, 10);

		if (rsp->blen >= cl) {
			rsp->blen = cl;
			rsp->complete = 1;
		}
	} else if (rsp->code == 204 || rsp->code == 304 || rsp->code < 200)
		rsp->complete = 1;
	if (last)
		rsp->complete = 1;
	return 1;
}

/* Returns 1 if <s>/<n> matches <pat> (or <rx>) with method <m>; header
 * names compare whatever their case (<icase>). */
static int hm_match(enum tc_hm m, const char *pat, const struct rx *rx, const char *s, size_t n, int icase)
{
	size_t pl = strlen(pat);
	int (*cmp)(const char *, const char *, size_t) = icase ? strncasecmp : strncmp;

	switch (m) {
	case TC_HM_STR: return n == pl && !cmp(s, pat, n);
	case TC_HM_BEG: return n >= pl && !cmp(s, pat, pl);
	case TC_HM_END: return n >= pl && !cmp(s + n - pl, pat, pl);
	case TC_HM_SUB:
		for (size_t i = 0; i + pl <= n; i++)
			if (!cmp(s + i, pat, pl))
				return 1;
		return 0;
	case TC_HM_REG: return rx_match(rx, s, n);
	}
	return 0;
}

/* Returns 1 if a header of <rsp> matches <e>'s name and value patterns:
 * each comma-separated value is tried, or the whole value with "fhdr". */
static int hdr_match(const struct tc_http_exp *e, const struct tc_hrsp *rsp)
{
	const char *h = rsp->hdrs, *end = rsp->hdrs + rsp->hlen;

	while (h < end) {
		const char *eol = memchr(h, '\n', (size_t)(end - h)), *colon, *v, *ve;
		size_t ll = eol ? (size_t)(eol - h) : (size_t)(end - h);

		if (ll && h[ll - 1] == '\r')
			ll--;
		colon = memchr(h, ':', ll);
		if (!colon || !hm_match(e->nm, e->name, e->name_rx, h, (size_t)(colon - h), 1))
			goto next;
		if (!e->value)
			return 1;
		for (v = colon + 1, ve = h + ll; v <= ve;) {
			const char *p = e->full ? ve : memchr(v, ',', (size_t)(ve - v)), *s = v, *t;

			if (!p)
				p = ve;
			t = p;
			while (s < t && (*s == ' ' || *s == '\t'))
				s++;
			while (t > s && (t[-1] == ' ' || t[-1] == '\t'))
				t--;
			if (hm_match(e->vm, e->value, e->value_rx, s, (size_t)(t - s), 0))
				return 1;
			v = p + 1;
		}
next:
		h = eol ? eol + 1 : end;
	}
	return 0;
}

/* Returns 1 if status <code> is in the list <spec> ("200,301-302"). */
static int status_in(const char *spec, int code)
{
	const char *p = spec;

	while (*p) {
		char *end;
		long lo = strtol(p, &end, 10), hi = lo;

		if (end == p)
			return 0;
		p = end;
		if (*p == '-') {
			hi = strtol(p + 1, &end, 10);
			if (end == p + 1)
				return 0;
			p = end;
		}
		if (code >= lo && code <= hi)
			return 1;
		if (*p == ',')
			p++;
		else if (*p)
			return 0;
	}
	return 0;
}

int tc_http_match(const struct tc_rule *r, const struct tc_hrsp *rsp)
{
	const struct tc_http_exp *e = r->hexp;
	char code[4];

	switch (e->type) {
	case TC_HX_STATUS:
		return status_in(e->codes, rsp->code);
	case TC_HX_RSTATUS:
		snprintf(code, sizeof(code), "%03d", rsp->code);
		return rx_match(r->rx, code, 3);
	case TC_HX_STRING:
		return r->len <= rsp->blen && memmem(rsp->body, rsp->blen, r->data, r->len) != NULL;
	case TC_HX_RSTRING:
		return rx_match(r->rx, rsp->body, rsp->blen);
	case TC_HX_HDR:
		return hdr_match(e, rsp);
	}
	return 0;
}

int tc_http_match_vars(const struct tc_rule *r, const struct tc_hrsp *rsp, const char *buf, size_t len,
                       const struct ckvars *v, const struct server *s)
{
	const struct tc_http_exp *e = r->hexp;
	struct tc_http_exp x;
	struct tc_rule rr;
	char name[256], value[256];

	if (!e->name_lf && !e->value_lf)
		return tc_http_match(r, rsp);
	/* the same rule with the patterns built for this response */
	x = *e;
	rr = *r;
	rr.hexp = &x;
	if (e->name_lf) {
		tc_fmt_build_vars(e->name_lf, buf, len, v, s, name, sizeof(name));
		x.name = name;
	}
	if (e->value_lf) {
		tc_fmt_build_vars(e->value_lf, buf, len, v, s, value, sizeof(value));
		x.value = value;
	}
	return tc_http_match(&rr, rsp);
}
