/* check_proto.c: the protocol health checks ("option redis-check",
 * "ssl-hello-chk", "smtpchk", "pgsql-check", "mysql-check", "ldap-check"),
 * written as tcp-check rule sets the way HAProxy defines them, the expect
 * functions that need more than a pattern (MySQL packets, LDAP bind
 * responses), and the on-success/on-error messages of expect rules. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/cfg.h"
#include "engine/check.h"
#include "engine/check_int.h"
#include "engine/proxy.h"
#include "engine/sample.h"
#include "regex/rx.h"

/* ---- messages: "text %[res.payload(o,l),cut_crlf,ltrim(' ')] text" ---- */

void tc_fmt_free(struct tc_fmt *f)
{
	if (!f)
		return;
	for (int i = 0; i < f->nb; i++) {
		free(f->p[i].lit);
		free(f->p[i].var);
		free(f->p[i].hdr);
		sample_expr_free(f->p[i].expr);
	}
	free(f->p);
	free(f);
}

/* Appends a piece to <f>. Returns it (zeroed) or NULL. */
static struct tc_fmt_part *tc_fmt_add(struct tc_fmt *f)
{
	struct tc_fmt_part *n = realloc(f->p, (size_t)(f->nb + 1) * sizeof(*n));

	if (!n)
		return NULL;
	f->p = n;
	memset(&n[f->nb], 0, sizeof(*n));
	return &n[f->nb++];
}

/* Reads the trim character of "ltrim(<c>)" at <s> (<c> quoted or not).
 * Returns the bytes read, or 0. */
static size_t tc_fmt_trim(const char *s, char *out)
{
	const char *p = strchr(s, '(');

	if (!p)
		return 0;
	p++;
	if ((*p == '\'' || *p == '"') && p[1] && p[2] == *p && p[3] == ')') {
		*out = p[1];
		return (size_t)(p + 4 - s);
	}
	if (*p && *p != ')' && p[1] == ')') {
		*out = *p;
		return (size_t)(p + 2 - s);
	}
	return 0;
}

struct tc_fmt *tc_fmt_parse(const char *s, char *err, size_t errlen)
{
	return tc_fmt_parse_px(s, NULL, err, errlen);
}

/* Parses "var(check.<name>)" at <s>: returns the bytes read with the name
 * in <p>->var, 0 when <s> is not one, -1 (out of memory). */
static int tc_fmt_var(const char *s, struct tc_fmt_part *p)
{
	const char *e;

	if (strncmp(s, "var(check.", 10) || !(e = strchr(s + 10, ')')) || e == s + 10)
		return 0;
	if (!(p->var = strndup(s + 10, (size_t)(e - s - 10))))
		return -1;
	return (int)(e + 1 - s);
}

struct tc_fmt *tc_fmt_parse_px(const char *s, struct proxy *px, char *err, size_t errlen)
{
	struct tc_fmt *f = calloc(1, sizeof(*f));
	struct tc_fmt_part *p;

	if (!f)
		goto nomem;
	while (*s) {
		const char *pct = strstr(s, "%[");
		size_t n = pct ? (size_t)(pct - s) : strlen(s);

		if (n) {
			if (!(p = tc_fmt_add(f)) || !(p->lit = strndup(s, n)))
				goto nomem;
			p->len = n;
			s += n;
			continue;
		}
		/* %[res.payload(o,l)[,cut_crlf|,ltrim(c)|,rtrim(c)|,hex]...] */
		const char *end = strchr(s, ']'), *q;
		char expr[64];

		if (!end)
			goto bad;
		if (!(p = tc_fmt_add(f)))
			goto nomem;
		if (!strncmp(s + 2, "var(check.", 10)) {
			int k = tc_fmt_var(s + 2, p);

			if (k < 0)
				goto nomem;
			if (!k)
				goto bad;
			q = s + 2 + k - 1;
		} else if (!strncmp(s + 2, "srv_name]", 9) || !strncmp(s + 2, "be_name]", 8)) {
			/* the check's own server and backend: no stream to ask */
			p->name = s[2] == 's' ? 1 : 2;
			s = end + 1;
			continue;
		} else if (!strncmp(s + 2, "res.hdr(", 8) || !strncmp(s + 2, "res.fhdr(", 9)) {
			/* the check's HTTP response: the last value of a header */
			const char *nm = strchr(s + 2, '(') + 1;

			q = strchr(nm, ')');
			if (!q || q > end || q == nm || memchr(nm, ',', (size_t)(q - nm)))
				goto bad;
			p->full = s[6] == 'f';
			if (!(p->hdr = strndup(nm, (size_t)(q - nm))))
				goto nomem;
		} else if (strncmp(s + 2, "res.payload(", 12)) {
			/* another expression: the sample engine's, up to the ']' */
			char ex[256], perr[200];
			const char *eend;
			size_t el = (size_t)(end - (s + 2));

			if (!px || el >= sizeof(ex))
				goto bad;
			memcpy(ex, s + 2, el);
			ex[el] = 0;
			if (!(p->expr = sample_expr_parse(ex, &eend, px, perr, sizeof(perr)))) {
				snprintf(err, errlen, "failed to parse '%s': %s", ex, perr);
				goto fail;
			}
			if (*eend) {
				snprintf(err, errlen, "unexpected '%s' after the expression in '%s'", eend, ex);
				goto fail;
			}
			s = end + 1;
			continue;
		} else {
			char *e;
			long o, l;

			q = strchr(s + 2, ')');
			if (!q || q > end || (size_t)(q + 1 - (s + 2)) >= sizeof(expr))
				goto bad;
			memcpy(expr, s + 2, (size_t)(q + 1 - (s + 2)));
			expr[q + 1 - (s + 2)] = 0;

			o = strtol(expr + 12, &e, 10);
			if (*e != ',' || o < 0)
				goto bad;
			l = strtol(e + 1, &e, 10);
			if (strcmp(e, ")") || l < 0)
				goto bad;
			p->off = (int)o;
			p->plen = (int)l;
		}
		for (q++; q < end;) {
			size_t k;

			if (*q != ',')
				goto bad;
			q++;
			if (!strncmp(q, "cut_crlf", 8)) {
				p->cut_crlf = 1;
				q += 8;
			} else if (!strncmp(q, "hex", 3)) {
				p->hex = 1;
				q += 3;
			} else if (!strncmp(q, "ltrim(", 6) && (k = tc_fmt_trim(q, &p->ltrim))) {
				q += k;
			} else if (!strncmp(q, "rtrim(", 6) && (k = tc_fmt_trim(q, &p->rtrim))) {
				q += k;
			} else
				goto bad;
		}
		/* the trim argument may hold the ']' searched above: re-find the end */
		s = q + 1;
	}
	return f;
bad:
	snprintf(err, errlen, "only text, '%%[res.payload(<offset>,<length>)]', '%%[res.hdr(<name>)]', '%%[res.fhdr(<name>)]' and '%%[var(check.<name>)]' with the converters cut_crlf, ltrim, rtrim and hex are supported by ringproxy in '%s'",
	         s);
fail:
	tc_fmt_free(f);
	return NULL;
nomem:
	snprintf(err, errlen, "out of memory");
	tc_fmt_free(f);
	return NULL;
}

void tc_fmt_build(const struct tc_fmt *f, const char *buf, size_t len, char *out, size_t sz)
{
	tc_fmt_build_vars(f, buf, len, NULL, NULL, out, sz);
}

size_t tc_fmt_build_vars(const struct tc_fmt *f, const char *buf, size_t len, const struct ckvars *v,
                         const struct server *srv, char *out, size_t sz)
{
	struct proxy *px = srv ? srv->px : NULL;
	size_t o = 0;

	if (!sz)
		return 0;
	for (int i = 0; f && i < f->nb; i++) {
		const struct tc_fmt_part *p = &f->p[i];
		const char *s;
		size_t n;

		if (p->lit) {
			s = p->lit;
			n = p->len;
		} else if (p->name) {
			if (!srv)
				continue;
			s = p->name == 1 ? srv->name : px->name;
			n = strlen(s);
		} else if (p->var || p->expr) {
			struct sample smp;

			if (p->var) {
				if (!(s = ckvars_get(v, p->var, &n)))
					continue;
			} else {
				struct smp_ctx ctx;

				memset(&ctx, 0, sizeof(ctx));
				ctx.px = px;
				ctx.final = 1;
				if (!sample_expr_eval(p->expr, &ctx, &smp) || !sample_cast(&smp, SMP_T_STR))
					continue;
				s = smp.u.str.ptr;
				n = smp.u.str.len;
			}
			if (p->hex) {
				for (size_t k = 0; k < n && o + 2 < sz; k++)
					o += (size_t)snprintf(out + o, sz - o, "%02X", (unsigned char)s[k]);
				continue;
			}
		} else {
			if (p->hdr) {
				if (!buf || !(s = tc_http_hdr(buf, len, p->hdr, strlen(p->hdr), p->full, &n)))
					continue;
			} else {
				/* res.payload(o,0): everything from <o>; past the end: nothing */
				if ((size_t)p->off > len)
					continue;
				s = buf + p->off;
				n = len - (size_t)p->off;
				if (p->plen) {
					if ((size_t)p->plen > n)
						continue;       /* not enough data: the fetch finds nothing */
					n = (size_t)p->plen;
				}
			}
			if (p->ltrim)
				while (n && *s == p->ltrim) {
					s++;
					n--;
				}
			if (p->cut_crlf) {
				for (size_t k = 0; k < n; k++)
					if (s[k] == '\r' || s[k] == '\n') {
						n = k;
						break;
					}
			}
			if (p->rtrim)
				while (n && s[n - 1] == p->rtrim)
					n--;
			if (p->hex) {
				for (size_t k = 0; k < n && o + 2 < sz; k++)
					o += (size_t)snprintf(out + o, sz - o, "%02X", (unsigned char)s[k]);
				continue;
			}
		}
		if (n > sz - 1 - o)
			n = sz - 1 - o;
		/* the message is a C string: it ends at a NUL, as HAProxy's does */
		for (size_t k = 0; k < n; k++) {
			if (!s[k]) {
				out[o + k] = 0;
				return o + k;
			}
			out[o + k] = s[k];
		}
		o += n;
	}
	out[o] = 0;
	return o;
}

const char *ckvars_get(const struct ckvars *v, const char *name, size_t *len)
{
	for (int i = 0; v && i < v->nb; i++)
		if (!strcmp(v->e[i].name, name)) {
			*len = v->e[i].len;
			return v->e[i].v;
		}
	return NULL;
}

int ckvars_set(struct ckvars *v, const char *name, const char *val, size_t len)
{
	int i;

	for (i = 0; i < v->nb && strcmp(v->e[i].name, name); i++)
		;
	if (i == v->nb) {
		if (v->nb == CKVAR_MAX)
			return -1;
		v->nb++;
	}
	v->e[i].name = name;
	if (len > CKVAR_LEN)
		len = CKVAR_LEN;
	memcpy(v->e[i].v, val, len);
	v->e[i].len = (uint16_t)len;
	return 0;
}

void ckvars_unset(struct ckvars *v, const char *name)
{
	for (int i = 0; i < v->nb; i++)
		if (!strcmp(v->e[i].name, name)) {
			v->e[i] = v->e[--v->nb];
			return;
		}
}

/* ---- the protocol rule sets ---- */

/* The parts of a rule a protocol check sets. */
struct tc_spec {
	enum tc_kind kind;
	const char *data;           /* send bytes, or the pattern */
	size_t len;                 /* bytes of <data> (0: strlen) */
	int neg, min_recv;
	enum check_result ok, err, tout; /* CHECK_OK (0) = the default */
	const char *on_success, *on_error;
	int code_off, code_len;
	enum tc_custom custom;
};

/* Appends the rule described by <sp> to <rs>. Returns 0 or -1. */
static int tc_spec_add(struct tc_rules *rs, const struct tc_spec *sp)
{
	struct tc_rule r;
	char err[256];
	size_t len = sp->len ? sp->len : (sp->data ? strlen(sp->data) : 0);

	memset(&r, 0, sizeof(r));
	r.kind = sp->kind;
	r.neg = sp->neg;
	r.min_recv = sp->min_recv ? sp->min_recv : -1;
	r.ok_status = sp->ok ? (int)sp->ok + 1 : 0;
	r.err_status = sp->err ? (int)sp->err + 1 : 0;
	r.tout_status = sp->tout ? (int)sp->tout + 1 : 0;
	r.code_off = sp->code_off;
	r.code_len = sp->code_len;
	r.custom = sp->custom;
	if (sp->data) {
		if (!(r.data = malloc(len + 1)))
			goto fail;
		memcpy(r.data, sp->data, len);
		r.data[len] = 0;
		r.len = len;
		if (!(r.text = strdup(sp->kind == TC_SEND ? "" : sp->data)))
			goto fail;
	}
	if ((sp->kind == TC_EXPECT_RX || sp->kind == TC_EXPECT_RBIN) &&
	    !(r.rx = rx_compile(sp->data, len, 0, err, sizeof(err))))
		goto fail;
	if (sp->on_success && !(r.on_success = tc_fmt_parse(sp->on_success, err, sizeof(err))))
		goto fail;
	if (sp->on_error && !(r.on_error = tc_fmt_parse(sp->on_error, err, sizeof(err))))
		goto fail;
	if (tc_rules_add(rs, &r) < 0)
		goto fail;
	return 0;
fail:
	tc_rule_clear(&r);
	return -1;
}

/* Appends a send rule of <len> bytes at <data>. Returns 0 or -1. */
static int tc_send_add(struct tc_rules *rs, const void *data, size_t len)
{
	struct tc_spec sp = { .kind = TC_SEND, .data = data, .len = len };

	return tc_spec_add(rs, &sp);
}

/* A TLS 1.0-era ClientHello announcing SSLv3 and 39 common cipher
 * suites: any SSL/TLS server answers it with a handshake or an alert
 * record (content type 0x16 or 0x15). The random is fixed: a server does
 * not judge it. */
static size_t tc_ssl_hello(unsigned char *b)
{
	size_t n = 0;

	b[n++] = 0x16;                          /* handshake record */
	b[n++] = 0x03; b[n++] = 0x00;           /* SSLv3 */
	b[n++] = 0x00; b[n++] = 0x79;           /* record length */
	b[n++] = 0x01;                          /* client hello */
	b[n++] = 0x00; b[n++] = 0x00; b[n++] = 0x75;
	b[n++] = 0x03; b[n++] = 0x00;           /* client version */
	memset(b + n, 0, 4);                    /* gmt_unix_time */
	n += 4;
	memcpy(b + n, "RINGPROXYSSLCHK\nRINGPROXYCHK", 28);
	n += 28;
	b[n++] = 0x00;                          /* no session id */
	b[n++] = 0x00; b[n++] = 0x4e;           /* 39 cipher suites */
	for (int cs = 0x01; cs <= 0x1b; cs++) {
		b[n++] = 0x00;
		b[n++] = (unsigned char)cs;
	}
	for (int cs = 0x2f; cs <= 0x3a; cs++) {
		b[n++] = 0x00;
		b[n++] = (unsigned char)cs;
	}
	b[n++] = 0x01;                          /* one compression method */
	b[n++] = 0x00;                          /* null */
	return n;
}

/* The MySQL client authentication packet for <user> (protocol 4.1, or 4.0
 * with <pre41>), no password, followed by COM_QUIT. Returns its length
 * in <b> (room for 64 + strlen(user) bytes). */
static size_t tc_mysql_auth(unsigned char *b, const char *user, int pre41)
{
	size_t ul = strlen(user), plen = pre41 ? ul + 7 : ul + 7 + 27, n = 0;

	b[n++] = (unsigned char)(plen & 0xff);
	b[n++] = (unsigned char)(plen >> 8);
	b[n++] = (unsigned char)(plen >> 16);
	b[n++] = 1;                             /* sequence id */
	if (pre41) {
		b[n++] = 0x00; b[n++] = 0x80;       /* capabilities */
		b[n++] = 0x00; b[n++] = 0x00; b[n++] = 0x01; /* max packet */
	} else {
		b[n++] = 0x00; b[n++] = 0x82; b[n++] = 0x00; b[n++] = 0x00; /* capabilities */
		b[n++] = 0x00; b[n++] = 0x80; b[n++] = 0x00; b[n++] = 0x01; /* max packet */
		b[n++] = 0x21;                      /* utf8 */
		memset(b + n, 0, 23);
		n += 23;
	}
	memcpy(b + n, user, ul + 1);            /* NUL-terminated user name */
	n += ul + 1;
	b[n++] = 0x00;                          /* empty auth response */
	b[n++] = 0x01; b[n++] = 0x00; b[n++] = 0x00; /* COM_QUIT packet */
	b[n++] = 0x00;
	b[n++] = 0x01;
	return n;
}

/* The PostgreSQL StartupMessage (protocol 3.0) for <user>. Returns its
 * length in <b> (room for 16 + strlen(user) bytes). */
static size_t tc_pgsql_startup(unsigned char *b, const char *user)
{
	size_t ul = strlen(user), plen = 15 + ul, n = 0;

	b[n++] = (unsigned char)(plen >> 24);
	b[n++] = (unsigned char)(plen >> 16);
	b[n++] = (unsigned char)(plen >> 8);
	b[n++] = (unsigned char)plen;
	b[n++] = 0x00; b[n++] = 0x03; b[n++] = 0x00; b[n++] = 0x00; /* version 3.0 */
	memcpy(b + n, "user", 5);
	n += 5;
	memcpy(b + n, user, ul + 1);
	n += ul + 1;
	b[n++] = 0x00;
	return n;
}

struct tc_rules *tc_proto_build(enum tc_proto proto, const char *arg, int flag)
{
	struct tc_rules *rs = calloc(1, sizeof(*rs));
	unsigned char *b = NULL;
	size_t n;
	int rc = 0;

	if (!rs)
		return NULL;
	rs->is_proto = 1;
	switch (proto) {
	case TC_PROTO_NONE:
		break;
	case TC_PROTO_REDIS:
		rc |= tc_send_add(rs, "*1\r\n$4\r\nPING\r\n", 0);
		rc |= tc_spec_add(rs, &(struct tc_spec){ .kind = TC_EXPECT_STR, .data = "+PONG\r\n",
		                  .err = CHECK_L7_STS, .on_error = "%[res.payload(0,0),cut_crlf]",
		                  .on_success = "Redis server is ok" });
		break;
	case TC_PROTO_SSL_HELLO:
		if (!(b = malloc(160)))
			goto fail;
		n = tc_ssl_hello(b);
		rc |= tc_send_add(rs, b, n);
		rc |= tc_spec_add(rs, &(struct tc_spec){ .kind = TC_EXPECT_RBIN, .data = "^1[56]",
		                  .min_recv = 5, .ok = CHECK_L6_OK, .err = CHECK_L6_RSP,
		                  .tout = CHECK_L6_TIMEOUT });
		break;
	case TC_PROTO_SMTP: {
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "%s\r\n", arg ? arg : "HELO localhost");
		rc |= tc_spec_add(rs, &(struct tc_spec){ .kind = TC_CONNECT });
		rc |= tc_spec_add(rs, &(struct tc_spec){ .kind = TC_EXPECT_RX, .data = "^[0-9]{3}[ \r]",
		                  .min_recv = 4, .err = CHECK_L7_RSP,
		                  .on_error = "%[res.payload(0,0),cut_crlf]" });
		rc |= tc_spec_add(rs, &(struct tc_spec){ .kind = TC_EXPECT_RX, .data = "^2[0-9]{2}[ \r]",
		                  .min_recv = 4, .err = CHECK_L7_STS,
		                  .on_error = "%[res.payload(4,0),ltrim(' '),cut_crlf]",
		                  .code_off = 0, .code_len = 3 });
		rc |= tc_send_add(rs, cmd, strlen(cmd));
		rc |= tc_spec_add(rs, &(struct tc_spec){ .kind = TC_EXPECT_RX, .data = "^2[0-9]{2}[- \r]",
		                  .min_recv = 4, .err = CHECK_L7_STS,
		                  .on_error = "%[res.payload(4,0),ltrim(' '),cut_crlf]",
		                  .on_success = "%[res.payload(4,0),ltrim(' '),cut_crlf]",
		                  .code_off = 0, .code_len = 3 });
		/* and a clean end of the session, as HAProxy 2.6.12 does it */
		rc |= tc_send_add(rs, "QUIT\r\n", 6);
		rc |= tc_spec_add(rs, &(struct tc_spec){ .kind = TC_EXPECT_RX, .data = "^2[0-9]{2}[- \r]",
		                  .min_recv = 4, .err = CHECK_L7_STS,
		                  .on_error = "%[res.payload(4,0),ltrim(' '),cut_crlf]",
		                  .on_success = "%[res.payload(4,0),ltrim(' '),cut_crlf]",
		                  .code_off = 0, .code_len = 3 });
		break;
	}
	case TC_PROTO_PGSQL:
		if (!(b = malloc(strlen(arg) + 32)))
			goto fail;
		n = tc_pgsql_startup(b, arg);
		rc |= tc_spec_add(rs, &(struct tc_spec){ .kind = TC_CONNECT });
		rc |= tc_send_add(rs, b, n);
		rc |= tc_spec_add(rs, &(struct tc_spec){ .kind = TC_EXPECT_RX, .data = "^E", .neg = 1,
		                  .min_recv = 5, .err = CHECK_L7_RSP, .on_error = "%[res.payload(6,0)]" });
		rc |= tc_spec_add(rs, &(struct tc_spec){ .kind = TC_EXPECT_RBIN,
		                  .data = "^52000000(08|0A|0C)000000(00|02|03|04|05|06)",
		                  .min_recv = 9, .err = CHECK_L7_STS,
		                  .on_success = "PostgreSQL server is ok",
		                  .on_error = "PostgreSQL unknown error" });
		break;
	case TC_PROTO_MYSQL:
		rc |= tc_spec_add(rs, &(struct tc_spec){ .kind = TC_CONNECT });
		if (arg) {
			if (!(b = malloc(strlen(arg) + 80)))
				goto fail;
			n = tc_mysql_auth(b, arg, flag);
			rc |= tc_send_add(rs, b, n);
		}
		rc |= tc_spec_add(rs, &(struct tc_spec){ .kind = TC_EXPECT_CUSTOM,
		                  .custom = TC_CUSTOM_MYSQL_INIT });
		if (arg)
			rc |= tc_spec_add(rs, &(struct tc_spec){ .kind = TC_EXPECT_CUSTOM,
			                  .custom = TC_CUSTOM_MYSQL_OK });
		break;
	case TC_PROTO_SPOP:
		if (!(b = malloc(128)))
			goto fail;
		n = check_spop_hello(b);
		rc |= tc_send_add(rs, b, n);
		rc |= tc_spec_add(rs, &(struct tc_spec){ .kind = TC_EXPECT_CUSTOM, .custom = TC_CUSTOM_SPOP,
		                  .min_recv = 4 });
		break;
	case TC_PROTO_LDAP:
		/* bindRequest: message 1, LDAPv3, anonymous, simple auth */
		rc |= tc_send_add(rs, "\x30\x0c\x02\x01\x01\x60\x07\x02\x01\x03\x04\x00\x80\x00", 14);
		rc |= tc_spec_add(rs, &(struct tc_spec){ .kind = TC_EXPECT_RBIN, .data = "^30",
		                  .min_recv = 14, .on_error = "Not LDAPv3 protocol" });
		rc |= tc_spec_add(rs, &(struct tc_spec){ .kind = TC_EXPECT_CUSTOM, .custom = TC_CUSTOM_LDAP });
		break;
	}
	free(b);
	if (rc)
		goto fail_rs;
	return rs;
fail:
	free(b);
fail_rs:
	tc_rules_free(rs);
	return NULL;
}

/* ---- custom expects ---- */

/* Reads the MySQL packet at <off> of <buf>/<len>: an error packet fails
 * with its code and message; another one passes (DONE with the server
 * version when <is_last_rule>). */
static enum tc_eval tc_mysql_packet(const unsigned char *buf, size_t len, size_t off, int last,
                                    int is_last_rule, enum check_result *res, int *code,
                                    char *info, size_t sz)
{
	size_t plen;

	if (len < off + 4) {
		if (!last)
			return TC_EVAL_WAIT;
		*res = CHECK_L7_RSP;
		*info = 0;
		return TC_EVAL_FAIL;
	}
	plen = buf[off] | (size_t)buf[off + 1] << 8 | (size_t)buf[off + 2] << 16;
	if (len < off + 4 + plen) {
		if (!last)
			return TC_EVAL_WAIT;
		*res = CHECK_L7_RSP;
		*info = 0;
		return TC_EVAL_FAIL;
	}
	if (buf[off + 4] == 0xff) {
		/* ERR packet: 0xff, code (LE16), then the message */
		size_t ml = len > off + 7 ? len - off - 7 : 0;

		*res = CHECK_L7_STS;
		*code = len > off + 6 ? buf[off + 5] | buf[off + 6] << 8 : 0;
		if (ml >= sz)
			ml = sz - 1;
		memcpy(info, buf + off + 7, ml);
		info[ml] = 0;           /* and ends at a NUL inside, as a C string */
		return TC_EVAL_FAIL;
	}
	if (!is_last_rule)
		return TC_EVAL_NEXT;
	/* the initial handshake's server version: NUL-terminated at byte 5 */
	{
		size_t k = 0;

		while (5 + k < len && buf[5 + k] && k < sz - 1) {
			info[k] = (char)buf[5 + k];
			k++;
		}
		info[k] = 0;
	}
	*res = CHECK_L7_OK;
	return TC_EVAL_DONE;
}

/* Reads an LDAP bindResponse (the first byte, 0x30, already matched):
 * resultCode 0 passes, another fails with it as the code; a short one
 * waits for more unless <last>. */
static enum tc_eval tc_ldap_bindrsp(const unsigned char *buf, size_t len, int last,
                                    enum check_result *res, int *code, char *info, size_t sz)
{
	const unsigned char *p = buf + 1, *end = buf + len;
	size_t msglen, nb = 0;

	if (*p & 0x80) {
		nb = *p & 0x7f;
		if ((size_t)(end - p) < 1 + nb)
			goto short_rsp;
		if (nb == 4)
			msglen = (size_t)p[1] << 24 | (size_t)p[2] << 16 | (size_t)p[3] << 8 | p[4];
		else if (nb == 2)
			msglen = (size_t)p[1] << 8 | p[2];
		else
			goto not_ldap;
	} else
		msglen = *p;
	p += 1 + nb;
	if ((size_t)(end - p) < msglen)
		goto short_rsp;
	/* messageID 1, then bindResponse [APPLICATION 1] */
	if (end - p < 4 || memcmp(p, "\x02\x01\x01\x61", 4))
		goto not_ldap;
	p += 4;
	nb = (*p & 0x80) ? (*p & 0x7f) : 0;
	if ((size_t)(end - p) < 1 + nb + 2 + 1)
		goto short_rsp;
	p += 1 + nb;
	if (memcmp(p, "\x0a\x01", 2))           /* resultCode: ENUMERATED */
		goto not_ldap;
	p += 2;
	*code = *p;
	if (*code) {
		*res = CHECK_L7_STS;
		snprintf(info, sz, "See RFC: http://tools.ietf.org/html/rfc4511#section-4.1.9");
		return TC_EVAL_FAIL;
	}
	*res = CHECK_L7_OK;
	snprintf(info, sz, "Success");
	return TC_EVAL_DONE;
short_rsp:
	if (!last)
		return TC_EVAL_WAIT;
	*res = CHECK_L7_RSP;        /* truncated: no message */
	return TC_EVAL_FAIL;
not_ldap:
	*res = CHECK_L7_RSP;
	snprintf(info, sz, "Not LDAPv3 protocol");
	return TC_EVAL_FAIL;
}

enum tc_eval tc_custom_eval(enum tc_custom which, const char *buf, size_t len, int last,
                            int is_last_rule, enum check_result *res, int *code, char *info,
                            size_t infosz)
{
	const unsigned char *b = (const unsigned char *)buf;

	switch (which) {
	case TC_CUSTOM_MYSQL_INIT:
		return tc_mysql_packet(b, len, 0, last, is_last_rule, res, code, info, infosz);
	case TC_CUSTOM_MYSQL_OK: {
		size_t hs;

		if (len < 4)        /* not even the handshake's header */
			return tc_mysql_packet(b, len, 0, last, is_last_rule, res, code, info, infosz);
		hs = 4 + (b[0] | (size_t)b[1] << 8 | (size_t)b[2] << 16);

		return tc_mysql_packet(b, len, hs, last, is_last_rule, res, code, info, infosz);
	}
	case TC_CUSTOM_LDAP:
		return tc_ldap_bindrsp(b, len, last, res, code, info, infosz);
	case TC_CUSTOM_SPOP:
		return check_spop_reply(buf, len, last, res, info, infosz);
	case TC_CUSTOM_AGENT:       /* check.c runs it: it changes the server */
	case TC_CUSTOM_NONE:
		break;
	}
	return TC_EVAL_NEXT;
}

/* ---- "option <proto>-check" ---- */

int check_cfg_option(struct cfg_ctx *c, char **args, int nargs)
{
	struct proxy *px = c->px;
	const char *name = args[1], *arg = NULL;
	enum tc_proto proto;
	struct tc_rules *rs, *prog;
	int flag = 0, max = 2;
	char cmd[300];              /* "HELO <domain>" */

	if (!px) {
		snprintf(c->err, sizeof(c->err), "'option %s' is only valid in a proxy or defaults section.", name);
		return -1;
	}
	if (!strcmp(name, "redis-check"))
		proto = TC_PROTO_REDIS;
	else if (!strcmp(name, "ssl-hello-chk"))
		proto = TC_PROTO_SSL_HELLO;
	else if (!strcmp(name, "ldap-check"))
		proto = TC_PROTO_LDAP;
	else if (!strcmp(name, "spop-check"))
		proto = TC_PROTO_SPOP;
	else if (!strcmp(name, "smtpchk")) {
		proto = TC_PROTO_SMTP;
		max = 4;
		if (nargs >= 4 && (!strcmp(args[2], "HELO") || !strcmp(args[2], "EHLO")))
			arg = args[2];      /* completed below */
	} else if (!strcmp(name, "pgsql-check")) {
		proto = TC_PROTO_PGSQL;
		max = 4;
		if (nargs < 4) {
			snprintf(c->err, sizeof(c->err), "'%s %s' expects 'user <username>' as argument.", args[0], name);
			return -1;
		}
		if (strcmp(args[2], "user")) {
			snprintf(c->err, sizeof(c->err), "'%s %s' only supports optional values: 'user'.", args[0], name);
			return -1;
		}
		arg = args[3];
	} else if (!strcmp(name, "mysql-check")) {
		proto = TC_PROTO_MYSQL;
		max = 5;
		if (nargs > 2) {
			if (strcmp(args[2], "user")) {
				snprintf(c->err, sizeof(c->err), "'%s %s' only supports optional values: 'user' (got '%s').",
				         args[0], name, args[2]);
				return -1;
			}
			if (nargs < 4 || !*args[3]) {
				snprintf(c->err, sizeof(c->err), "'%s %s %s' expects <username> as argument.", args[0], name, args[2]);
				return -1;
			}
			arg = args[3];
			if (nargs > 4) {
				if (!strcmp(args[4], "pre-41"))
					flag = 1;
				else if (strcmp(args[4], "post-41")) {
					snprintf(c->err, sizeof(c->err), "keyword '%s' only supports 'post-41' and 'pre-41' (got '%s').",
					         args[2], args[4]);
					return -1;
				}
			}
		}
	} else {
		snprintf(c->err, sizeof(c->err), "'option %s' is not supported by ringproxy yet.", name);
		return -1;
	}
	if (nargs > max) {
		snprintf(c->err, sizeof(c->err), "'%s %s' cannot handle unexpected argument '%s'.", args[0], name, args[max]);
		return -1;
	}
	if (!px->check_rules && !(px->check_rules = calloc(1, sizeof(struct tc_rules))))
		goto nomem;
	rs = px->check_rules;
	if (proto == TC_PROTO_SMTP && arg) {
		snprintf(cmd, sizeof(cmd), "%s %s", args[2], args[3]);
		arg = cmd;
	}
	prog = tc_proto_build(proto, arg, flag);
	if (!prog)
		goto nomem;
	tc_rules_free(rs->proto_prog);
	free(rs->proto_arg);
	rs->proto_prog = prog;
	rs->proto = proto;
	rs->proto_flag = flag;
	rs->proto_arg = arg ? strdup(arg) : NULL;
	if (arg && !rs->proto_arg)
		goto nomem;
	/* the last check option wins */
	px->options &= ~(PXO_TCP_CHECK | PXO_HTTPCHK);
	return 0;
nomem:
	snprintf(c->err, sizeof(c->err), "out of memory.");
	return -1;
}
