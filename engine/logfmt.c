/* logfmt.c: compiles HAProxy log-format strings into an array of nodes
 * (text, separator, %variable, %[expression]) and renders them for a
 * stream (logfmt.h). The rendering rules follow HAProxy 2.6 byte for byte:
 * a space in the format is a separator, emitted only when the previous
 * output was not one (so empty %hr/%hs leave a single space); a missing
 * text value prints "-" (or "" with +Q); numbers are never quoted; +X
 * prints addresses and ports in hex; +E escapes '"', '\' and ']'. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/un.h>

#include "engine/logfmt.h"
#include "engine/conn.h"
#include "proto/tls.h"
#include "engine/cfg.h"
#include "engine/http_cap.h"
#include "engine/proxy.h"
#include "engine/sample.h"
#include "engine/stream.h"

const char logfmt_tcplog_str[] =
	"%ci:%cp [%t] %ft %b/%s %Tw/%Tc/%Tt %B %ts %ac/%fc/%bc/%sc/%rc %sq/%bq";
const char logfmt_httplog_str[] =
	"%ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %CC %CS %tsc %ac/%fc/%bc/%sc/%rc %sq/%bq %hr %hs %{+Q}r";
const char logfmt_httplog_clf_str[] =
	"%{+Q}o %{-Q}ci - - [%trg] %r %ST %B \"\" \"\" %cp %ms %ft %b %s %TR %Tw %Tc %Tr %Ta %tsc %ac %fc %bc "
	"%sc %rc %sq %bq %CC %CS %hrl %hsl";
const char logfmt_httpslog_str[] =
	"%ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %CC %CS %tsc %ac/%fc/%bc/%sc/%rc %sq/%bq %hr %hs %{+Q}r "
	"%[fc_err]/%[ssl_fc_err,hex]/%[ssl_c_err]/%[ssl_c_ca_err]/%[ssl_fc_is_resumed] %[ssl_fc_sni]/%sslv/%sslc";

int (*logfmt_http_get)(const struct stream *s, struct logfmt_http *h);
const struct logfmt_globals *logfmt_globals;

enum lf_var {
	LV_CI, LV_CP, LV_FI, LV_FP, LV_BI, LV_BP, LV_SI, LV_SP,
	LV_T_ACC, LV_T_GMT, LV_T_LOCAL, LV_TS, LV_MS, LV_TR_DATE, LV_TRG, LV_TRL,
	LV_FT, LV_F, LV_B, LV_S,
	LV_TH, LV_TI, LV_TRQ, LV_TQ, LV_TW, LV_TC, LV_TR, LV_TA, LV_TD, LV_TT, LV_TU,
	LV_BYTES_OUT, LV_BYTES_IN, LV_TSTATE, LV_TSTATE_C,
	LV_AC, LV_FC, LV_BC, LV_SC, LV_RC, LV_SQ, LV_BQ,
	LV_ID, LV_PID, LV_HOST, LV_RT, LV_LC,
	LV_ST, LV_CC, LV_CS, LV_HR, LV_HS, LV_HRL, LV_HSL, LV_R, LV_HM, LV_HP, LV_HU, LV_HV,
	LV_HPO, LV_HQ,
	LV_SSLV, LV_SSLC,
};

static const struct lf_var_def {
	const char *name;
	enum lf_var var;
	int http_only;
} lf_vars[] = {
	{ "ci", LV_CI, 0 }, { "cp", LV_CP, 0 }, { "fi", LV_FI, 0 }, { "fp", LV_FP, 0 },
	{ "bi", LV_BI, 0 }, { "bp", LV_BP, 0 }, { "si", LV_SI, 0 }, { "sp", LV_SP, 0 },
	{ "t", LV_T_ACC, 0 }, { "T", LV_T_GMT, 0 }, { "Tl", LV_T_LOCAL, 0 },
	{ "Ts", LV_TS, 0 }, { "ms", LV_MS, 0 },
	{ "tr", LV_TR_DATE, 1 }, { "trg", LV_TRG, 1 }, { "trl", LV_TRL, 1 },
	{ "ft", LV_FT, 0 }, { "f", LV_F, 0 }, { "b", LV_B, 0 }, { "s", LV_S, 0 },
	{ "Th", LV_TH, 0 }, { "Ti", LV_TI, 1 }, { "TR", LV_TRQ, 1 }, { "Tq", LV_TQ, 1 },
	{ "Tw", LV_TW, 0 }, { "Tc", LV_TC, 0 }, { "Tr", LV_TR, 1 }, { "Ta", LV_TA, 1 },
	{ "Td", LV_TD, 0 }, { "Tt", LV_TT, 0 }, { "Tu", LV_TU, 0 },
	{ "B", LV_BYTES_OUT, 0 }, { "U", LV_BYTES_IN, 0 },
	{ "ts", LV_TSTATE, 0 }, { "tsc", LV_TSTATE_C, 0 },
	{ "ac", LV_AC, 0 }, { "fc", LV_FC, 0 }, { "bc", LV_BC, 0 }, { "sc", LV_SC, 0 },
	{ "rc", LV_RC, 0 }, { "sq", LV_SQ, 0 }, { "bq", LV_BQ, 0 },
	{ "ID", LV_ID, 0 }, { "pid", LV_PID, 0 }, { "H", LV_HOST, 0 }, { "rt", LV_RT, 0 },
	{ "lc", LV_LC, 0 },
	{ "ST", LV_ST, 0 }, { "CC", LV_CC, 1 }, { "CS", LV_CS, 1 },
	{ "hr", LV_HR, 0 }, { "hs", LV_HS, 0 }, { "hrl", LV_HRL, 0 }, { "hsl", LV_HSL, 0 },
	{ "r", LV_R, 1 }, { "HM", LV_HM, 1 }, { "HP", LV_HP, 1 }, { "HU", LV_HU, 1 },
	{ "HV", LV_HV, 1 }, { "HPO", LV_HPO, 1 }, { "HQ", LV_HQ, 1 },
	{ "sslv", LV_SSLV, 0 }, { "sslc", LV_SSLC, 0 },
};

enum lf_kind { LF_TEXT = 0, LF_SEP, LF_VAR, LF_EXPR };

#define LF_OPT_QUOTE 0x1
#define LF_OPT_HEX   0x2
#define LF_OPT_ESC   0x4
#define LF_OPT_EMPTY 0x8   /* a missing sample renders as nothing (rule arguments) */

struct lf_node {
	enum lf_kind kind;
	enum lf_var var;
	unsigned opts;              /* LF_OPT_* */
	uint32_t off, len;          /* LF_TEXT: bytes in f->text */
	struct sample_expr *expr;   /* LF_EXPR */
};

/* Invariant: nodes[0..nb) are valid; text holds the literal parts. */
struct logfmt {
	const char *http_var;       /* first variable reserved for HTTP mode, or NULL */
	const char *file;           /* where it was written (log-format line), or NULL */
	int line;
	int nb, size;
	int srv_local;              /* prints our address towards the server (%bi, %bp, %[...]) */
	struct lf_node *nodes;
	char *text;
	uint32_t text_len, text_size;
};

/* ---- compilation ---- */

void logfmt_set_rule_arg(struct logfmt *f)
{
	for (int i = 0; f && i < f->nb; i++)
		if (f->nodes[i].kind == LF_EXPR)
			f->nodes[i].opts |= LF_OPT_EMPTY;
}

void logfmt_free(struct logfmt *f)
{
	if (!f)
		return;
	for (int i = 0; i < f->nb; i++)
		if (f->nodes[i].kind == LF_EXPR)
			sample_expr_free(f->nodes[i].expr);
	free(f->nodes);
	free(f->text);
	free(f);
}

/* Returns a new zeroed node at the end of <f>, or NULL. */
static struct lf_node *lf_add(struct logfmt *f, enum lf_kind kind)
{
	if (f->nb == f->size) {
		int ns = f->size ? f->size * 2 : 16;
		struct lf_node *n = realloc(f->nodes, (size_t)ns * sizeof(*n));

		if (!n)
			return NULL;
		f->nodes = n;
		f->size = ns;
	}
	memset(&f->nodes[f->nb], 0, sizeof(f->nodes[0]));
	f->nodes[f->nb].kind = kind;
	return &f->nodes[f->nb++];
}

/* Appends literal text, merging with a preceding text node. Returns 0 or -1. */
static int lf_add_text(struct logfmt *f, const char *s, size_t n)
{
	struct lf_node *nd;

	if (f->text_len + n + 1 > f->text_size) {
		uint32_t ns = f->text_size ? f->text_size : 64;
		char *t;

		while (ns < f->text_len + n + 1)
			ns *= 2;
		if (!(t = realloc(f->text, ns)))
			return -1;
		f->text = t;
		f->text_size = ns;
	}
	if (f->nb && f->nodes[f->nb - 1].kind == LF_TEXT &&
	    f->nodes[f->nb - 1].off + f->nodes[f->nb - 1].len == f->text_len) {
		nd = &f->nodes[f->nb - 1];
	} else {
		if (!(nd = lf_add(f, LF_TEXT)))
			return -1;
		nd->off = f->text_len;
	}
	memcpy(f->text + f->text_len, s, n);
	f->text_len += (uint32_t)n;
	nd->len += (uint32_t)n;
	return 0;
}

/* Parses the flags of "%{+Q+X-E}" between <s> and <e>. */
static unsigned lf_parse_opts(const char *s, const char *e, unsigned opts)
{
	while (s < e) {
		int add;
		unsigned o = 0;
		const char *w;

		if (*s != '+' && *s != '-') {
			s++;
			continue;
		}
		add = *s++ == '+';
		w = s;
		while (s < e && *s != '+' && *s != '-' && *s != ',')
			s++;
		if (s - w == 1 && *w == 'Q')
			o = LF_OPT_QUOTE;
		else if (s - w == 1 && *w == 'X')
			o = LF_OPT_HEX;
		else if (s - w == 1 && *w == 'E')
			o = LF_OPT_ESC;
		if (add)
			opts |= o;
		else
			opts &= ~o;
	}
	return opts;
}

struct logfmt *logfmt_compile(const char *str, struct proxy *px, char *err, size_t errlen)
{
	struct logfmt *f = calloc(1, sizeof(*f));
	const char *p = str;
	char perr[512];
	unsigned gopts = 0;         /* "%{+X}o": the options of every field after it */

	if (!f)
		goto nomem;
	while (*p) {
		if (*p == ' ') {
			if (!f->nb || f->nodes[f->nb - 1].kind != LF_SEP)
				if (!lf_add(f, LF_SEP))
					goto nomem;
			while (*p == ' ')
				p++;
			continue;
		}
		if (*p != '%') {
			const char *q = p;

			while (*q && *q != '%' && *q != ' ')
				q++;
			if (lf_add_text(f, p, (size_t)(q - p)) < 0)
				goto nomem;
			p = q;
			continue;
		}
		/* '%' */
		const char *start = p++;
		unsigned opts = gopts;

		if (*p == '%') {
			if (lf_add_text(f, "%", 1) < 0)
				goto nomem;
			p++;
			continue;
		}
		if (*p == '{') {
			const char *e = strchr(p, '}');

			if (!e) {
				snprintf(err, errlen, "failed to parse log-format : truncated line after '%s'.", p + 1);
				goto fail;
			}
			opts = lf_parse_opts(p + 1, e, opts);
			p = e + 1;
			if (!*p || (*p != '[' && !isalpha((unsigned char)*p))) {
				snprintf(err, errlen, "failed to parse log-format : parse argument modifier without variable name near '%.*s'.",
				         (int)(p - start), start);
				goto fail;
			}
		}
		if (*p == '[') {
			const char *end = NULL;
			struct sample_expr *ex;
			struct lf_node *nd;

			ex = sample_expr_parse(p + 1, &end, px, perr, sizeof(perr));
			if (!ex) {
				const char *cl = strchr(p + 1, ']');

				snprintf(err, errlen, "failed to parse log-format : failed to parse sample expression <%.*s> : %s",
				         cl ? (int)(cl - p) : (int)strlen(p + 1), p + 1, perr);
				goto fail;
			}
			if (!end || *end != ']') {
				snprintf(err, errlen, "failed to parse log-format : missing ']' after '%.*s'.",
				         (int)((end ? end : p + strlen(p)) - (p + 1)), p + 1);
				sample_expr_free(ex);
				goto fail;
			}
			if (!(nd = lf_add(f, LF_EXPR))) {
				sample_expr_free(ex);
				goto nomem;
			}
			nd->expr = ex;
			nd->opts = opts;
			f->srv_local = 1;   /* bc_src... may be among its fetches */
			p = end + 1;
			continue;
		}
		const char *n = p;
		size_t i;

		while (isalpha((unsigned char)*p))
			p++;
		if (p - n == 1 && *n == 'o') {
			gopts = opts;
			continue;
		}
		if (p == n) {
			if (!*p)
				snprintf(err, errlen, "failed to parse log-format : truncated line after '%%'.");
			else
				snprintf(err, errlen, "failed to parse log-format : unexpected character '%c' after '%%'.", *p);
			goto fail;
		}
		for (i = 0; i < sizeof(lf_vars) / sizeof(lf_vars[0]); i++)
			if (strlen(lf_vars[i].name) == (size_t)(p - n) && !memcmp(lf_vars[i].name, n, (size_t)(p - n)))
				break;
		if (i == sizeof(lf_vars) / sizeof(lf_vars[0])) {
			snprintf(err, errlen, "failed to parse log-format : no such format variable '%.*s'. If you wanted to emit the '%%' character verbatim, you need to use '%%%%'.",
			         (int)(p - n), n);
			goto fail;
		}
		/* checked against the proxy's final mode by logfmt_check_mode() */
		if (lf_vars[i].http_only && !f->http_var)
			f->http_var = lf_vars[i].name;
		struct lf_node *nd = lf_add(f, LF_VAR);

		if (!nd)
			goto nomem;
		nd->var = lf_vars[i].var;
		nd->opts = opts;
		if (nd->var == LV_BI || nd->var == LV_BP)
			f->srv_local = 1;
	}
	return f;
nomem:
	snprintf(err, errlen, "out of memory");
fail:
	logfmt_free(f);
	return NULL;
}

int logfmt_reads_srv_local(const struct logfmt *f)
{
	return f && f->srv_local;
}

int logfmt_cfg_kw(struct cfg_ctx *c, char **args, int nargs)
{
	struct logfmt *f;

	if (!c->px) {
		snprintf(c->err, sizeof(c->err), "'%s' is only valid in a proxy or defaults section", args[0]);
		return -1;
	}
	if (nargs != 2) {
		snprintf(c->err, sizeof(c->err), "'%s' expects exactly one argument (use quotes around a format with spaces).",
		         args[0]);
		return -1;
	}
	if (!(f = logfmt_compile(args[1], c->px, c->err, sizeof(c->err))))
		return -1;
	f->file = c->file;
	f->line = c->line;
	logfmt_free(c->px->logfmt);
	c->px->logfmt = f;
	free(c->px->logfmt_str);
	c->px->logfmt_str = strdup(args[1]);
	return 0;
}

int logfmt_check_mode(const struct logfmt *f, const struct proxy *px, char *err, size_t errlen)
{
	if (!f->http_var || px->mode == PX_MODE_HTTP)
		return 0;
	snprintf(err, errlen, "Parsing [%s:%d]: failed to parse log-format : format variable '%s' is reserved for HTTP mode.",
	         f->file ? f->file : (px->file ? px->file : "?"), f->file ? f->line : px->line, f->http_var);
	return -1;
}

/* ---- rendering ---- */

/* An output cursor: writes stop at the end, the result stays NUL-terminated. */
struct lf_out {
	char *p, *end;       /* end = last usable byte (room for the NUL) */
	int last_sep;        /* the previous output was a separator (or nothing yet) */
};

static inline void lo_putc(struct lf_out *o, char c)
{
	if (o->p < o->end)
		*o->p++ = c;
}

static void lo_put(struct lf_out *o, const char *s, size_t n)
{
	size_t room = (size_t)(o->end - o->p);

	if (n > room)
		n = room;
	memcpy(o->p, s, n);
	o->p += n;
}

static void lo_putf(struct lf_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void lo_putf(struct lf_out *o, const char *fmt, ...)
{
	va_list ap;
	size_t room = (size_t)(o->end - o->p) + 1;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(o->p, room, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	o->p += (size_t)n < room ? (size_t)n : room - 1;
}

/* Writes a text value with the node's options; NULL = missing ("-" or ""). */
static void lo_text(struct lf_out *o, const char *s, size_t n, unsigned opts)
{
	if (!s && (opts & LF_OPT_EMPTY))
		return;
	if (opts & LF_OPT_QUOTE)
		lo_putc(o, '"');
	if (!s) {
		if (!(opts & LF_OPT_QUOTE))
			lo_putc(o, '-');
	} else if (opts & LF_OPT_ESC) {
		for (size_t i = 0; i < n; i++) {
			if (s[i] == '"' || s[i] == '\\' || s[i] == ']')
				lo_putc(o, '\\');
			lo_putc(o, s[i]);
		}
	} else
		lo_put(o, s, n);
	if (opts & LF_OPT_QUOTE)
		lo_putc(o, '"');
}

static void lo_str(struct lf_out *o, const char *s, unsigned opts)
{
	lo_text(o, s, s ? strlen(s) : 0, opts);
}

/* Writes a request-line part: '"', '#', controls and bytes >= 0x7f become
 * "#XX", as HAProxy encodes URIs in logs. */
/* Writes <v> in decimal (the hot path: no printf). */
static void lo_uint(struct lf_out *o, uint64_t v)
{
	char buf[24];
	int i = sizeof(buf);

	do {
		buf[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	lo_put(o, buf + i, sizeof(buf) - (size_t)i);
}

static void lo_int(struct lf_out *o, int64_t v)
{
	if (v < 0) {
		lo_putc(o, '-');
		lo_uint(o, (uint64_t)0 - (uint64_t)v);
	} else
		lo_uint(o, (uint64_t)v);
}

/* Writes the <digits> low hex digits of <v>, uppercase. */
static void lo_hex(struct lf_out *o, uint64_t v, int digits)
{
	static const char hex[] = "0123456789ABCDEF";

	while (digits--)
		lo_putc(o, hex[(v >> (4 * digits)) & 0xf]);
}

/* Writes an IPv4 address in dotted decimal. */
static void lo_ip4(struct lf_out *o, const struct in_addr *a)
{
	const unsigned char *b = (const unsigned char *)&a->s_addr;

	for (int i = 0; i < 4; i++) {
		if (i)
			lo_putc(o, '.');
		lo_uint(o, b[i]);
	}
}

/* Writes a captured header value: as lo_uri(), plus '{', '|' and '}' (the
 * capture block's own delimiters) as "#XX", as HAProxy does. */
static void lo_hdr(struct lf_out *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c >= 0x7f || c == '"' || c == '#' || c == '{' || c == '|' || c == '}') {
			lo_putc(o, '#');
			lo_hex(o, c, 2);
		} else
			lo_putc(o, (char)c);
	}
}

static void lo_uri(struct lf_out *o, const char *s, size_t n, unsigned opts)
{
	if (!s) {
		lo_text(o, NULL, 0, opts);
		return;
	}
	if (opts & LF_OPT_QUOTE)
		lo_putc(o, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c >= 0x7f || c == '"' || c == '#') {
			lo_putc(o, '#');
			lo_hex(o, c, 2);
		} else
			lo_putc(o, (char)c);
	}
	if (opts & LF_OPT_QUOTE)
		lo_putc(o, '"');
}


static void lo_ip(struct lf_out *o, const struct addr *a, unsigned opts)
{
	char buf[INET6_ADDRSTRLEN];
	int fam = a ? a->u.sa.sa_family : AF_UNSPEC;

	if (fam == AF_INET) {
		if (opts & LF_OPT_HEX) {
			lo_hex(o, ntohl(a->u.in4.sin_addr.s_addr), 8);
			return;
		}
		if (opts & LF_OPT_QUOTE)
			lo_putc(o, '"');
		lo_ip4(o, &a->u.in4.sin_addr);
		if (opts & LF_OPT_QUOTE)
			lo_putc(o, '"');
	} else if (fam == AF_INET6) {
		if (opts & LF_OPT_HEX) {
			for (int i = 0; i < 16; i++)
				lo_hex(o, a->u.in6.sin6_addr.s6_addr[i], 2);
			return;
		}
		inet_ntop(AF_INET6, &a->u.in6.sin6_addr, buf, sizeof(buf));
		lo_str(o, buf, opts);
	} else if (fam == AF_UNIX)
		lo_str(o, "unix", opts);
	else
		lo_str(o, NULL, opts);
}

static void lo_port(struct lf_out *o, const struct addr *a, unsigned opts)
{
	int fam = a ? a->u.sa.sa_family : AF_UNSPEC;
	unsigned port;

	if (fam == AF_INET)
		port = ntohs(a->u.in4.sin_port);
	else if (fam == AF_INET6)
		port = ntohs(a->u.in6.sin6_port);
	else if (fam == AF_UNIX) {
		lo_str(o, "unix", opts);
		return;
	} else {
		lo_str(o, NULL, opts);
		return;
	}
	if (opts & LF_OPT_HEX)
		lo_hex(o, port, 4);
	else
		lo_uint(o, port);
}

static const char *const lf_months[12] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};

/* dd/Mmm/yyyy:hh:mm:ss.mmm in local time */
static void lo_date_ms(struct lf_out *o, uint64_t us)
{
	/* one conversion per second and thread: most lines share their second */
	static __thread time_t last = -1;
	static __thread char date[32];
	static __thread int len;
	time_t t = (time_t)(us / 1000000);
	unsigned ms = (unsigned)(us / 1000 % 1000);

	if (t != last) {
		struct tm tm;

		localtime_r(&t, &tm);
		len = snprintf(date, sizeof(date), "%02d/%s/%04d:%02d:%02d:%02d.", tm.tm_mday,
		               lf_months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
		if (len < 0 || len >= (int)sizeof(date))
			len = 0;
		last = t;
	}
	lo_put(o, date, (size_t)len);
	lo_putc(o, (char)('0' + ms / 100));
	lo_putc(o, (char)('0' + ms / 10 % 10));
	lo_putc(o, (char)('0' + ms % 10));
}

/* dd/Mmm/yyyy:hh:mm:ss +hhmm, GMT (<local> = 0) or local time */
static void lo_date_tz(struct lf_out *o, uint64_t us, int local)
{
	time_t t = (time_t)(us / 1000000);
	struct tm tm;
	long off = 0;

	if (local) {
		localtime_r(&t, &tm);
		off = tm.tm_gmtoff;
	} else
		gmtime_r(&t, &tm);
	unsigned a = (unsigned)(off < 0 ? -off : off) % 86400;
	lo_putf(o, "%02d/%s/%04d:%02d:%02d:%02d %c%02u%02u", tm.tm_mday, lf_months[tm.tm_mon],
	        tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec, off < 0 ? '-' : '+',
	        a / 3600, (a % 3600) / 60);
}

/* Timings of one stream, milliseconds, -1 when the step was not reached. */
struct lf_times {
	int64_t Th, Ti, TR, Tw, Tc, Tr, Ta, Tt;
	uint64_t t_req;      /* µs: date of the request (accept + Th + Ti) */
};

static int64_t lf_ms(uint64_t from, uint64_t to)
{
	if (!from || !to || to < from)
		return -1;
	return (int64_t)((to - from) / 1000);
}

static void lf_times(const struct stream *s, const struct logfmt_http *h, uint64_t now_us,
                     struct lf_times *t)
{
	uint64_t end = s->t_close ? s->t_close : now_us;

	t->Th = 0;
	t->Ti = h ? h->Ti : 0;
	t->TR = h ? h->TR : 0;
	t->Tt = lf_ms(s->t_accept, end);
	if (t->Tt < 0)
		t->Tt = 0;
	/* queue and connect are counted from the end of the request phase */
	t->Tw = s->t_queue ? lf_ms(s->t_accept, s->t_queue) : -1;
	if (t->Tw >= 0 && h && h->TR >= 0)
		t->Tw = t->Tw > t->Ti + t->TR ? t->Tw - t->Ti - t->TR : 0;
	t->Tc = s->t_queue && s->t_connect ? lf_ms(s->t_queue, s->t_connect) : -1;
	t->Tr = h ? h->Tr : -1;
	t->Ta = h ? h->Ta : t->Tt;
	t->t_req = s->t_accept + (uint64_t)(t->Th + (t->Ti > 0 ? t->Ti : 0)) * 1000;
}

/* Returns 1 when <s> ends but still counts in its server's and backend's
 * connections: HAProxy releases them before logging, so %bc/%sc must not
 * include the stream being logged. */
static int lf_own_slot(const struct stream *s)
{
	return s->t_close && (s->flags & STRM_F_SRV_TAKEN) ? 1 : 0;
}

/* Returns the 1-based position of <s>'s bind line in its frontend: what
 * HAProxy prints as the "port" of a unix socket client (the listener id). */
static int lf_bind_id(const struct stream *s)
{
	int id = 1;

	if (!s->fe || !s->bind)
		return 1;
	for (const struct bind_conf *b = s->fe->binds; b && b != s->bind; b = b->next)
		id++;
	return id;
}

/* "option logasap": the total times and the bytes are what they were when
 * the line was written, before the end; HAProxy marks them with a '+'. */
static void lo_asap(struct lf_out *o, const struct stream *s)
{
	if (s->fe->options & PXO_LOGASAP)
		lo_putc(o, '+');
}

static void lf_render_var(struct lf_out *o, const struct lf_node *nd, const struct stream *s,
                          const struct logfmt_http *h, const struct lf_times *tm)
{
	const struct proxy *fe = s->fe;
	const struct proxy *be = s->be ? s->be : s->fe;
	const struct addr *srv_addr = NULL;
	unsigned opts = nd->opts;

	if (s->srv)
		srv_addr = s->srv_addr.u.sa.sa_family != AF_UNSPEC ? &s->srv_addr : &s->srv->addr;

	switch (nd->var) {
	case LV_CI: lo_ip(o, &s->cli_addr, opts); break;
	case LV_CP:
		if (s->cli_addr.u.sa.sa_family == AF_UNIX)
			lo_int(o, lf_bind_id(s));
		else
			lo_port(o, &s->cli_addr, opts);
		break;
	case LV_FI: lo_ip(o, &s->fe_addr, opts); break;
	case LV_FP:
		if (s->fe_addr.u.sa.sa_family == AF_UNIX)
			lo_int(o, lf_bind_id(s));
		else
			lo_port(o, &s->fe_addr, opts);
		break;
	case LV_BI: lo_ip(o, stream_srv_local(s), opts); break;
	case LV_BP: lo_port(o, stream_srv_local(s), opts); break;
	case LV_SI: lo_ip(o, srv_addr, opts); break;
	case LV_SP: lo_port(o, srv_addr, opts); break;
	case LV_T_ACC: lo_date_ms(o, s->t_accept); break;
	case LV_T_GMT: lo_date_tz(o, s->t_accept, 0); break;
	case LV_T_LOCAL: lo_date_tz(o, s->t_accept, 1); break;
	case LV_TS:
		if (opts & LF_OPT_HEX)
			lo_hex(o, s->t_accept / 1000000, 8);
		else
			lo_int(o, (int64_t)(s->t_accept / 1000000));
		break;
	case LV_MS: lo_putf(o, "%03u", (unsigned)(s->t_accept / 1000 % 1000)); break;
	case LV_TR_DATE: lo_date_ms(o, tm->t_req); break;
	case LV_TRG: lo_date_tz(o, tm->t_req, 0); break;
	case LV_TRL: lo_date_tz(o, tm->t_req, 1); break;
	case LV_FT:
		if (opts & LF_OPT_QUOTE)
			lo_putc(o, '"');
		lo_str(o, fe ? fe->name : NULL, opts & ~LF_OPT_QUOTE);
		if (s->bind && s->bind->ssl)
			lo_putc(o, '~');
		if (opts & LF_OPT_QUOTE)
			lo_putc(o, '"');
		break;
	case LV_F: lo_str(o, fe ? fe->name : NULL, opts); break;
	case LV_B: lo_str(o, be ? be->name : NULL, opts); break;
	case LV_S: lo_str(o, h && h->srv_name ? h->srv_name : s->svc_name ? s->svc_name :
	                     s->srv ? s->srv->name : "<NOSRV>", opts); break;
	case LV_TH: lo_int(o, tm->Th); break;
	case LV_TI: lo_int(o, tm->Ti); break;
	case LV_TRQ: lo_int(o, tm->TR); break;
	case LV_TQ:
		lo_int(o, tm->TR < 0 ? -1 : tm->Th + tm->Ti + tm->TR);
		break;
	case LV_TW: lo_int(o, tm->Tw); break;
	case LV_TC: lo_int(o, tm->Tc); break;
	case LV_TR: lo_int(o, tm->Tr); break;
	case LV_TA:
		lo_asap(o, s);
		lo_int(o, tm->Ta);
		break;
	case LV_TD:
		if (tm->Tw < 0 || tm->Tc < 0 || (h && (tm->Tr < 0 || tm->TR < 0)))
			lo_int(o, -1);
		else
			lo_int(o, tm->Tt - (tm->Th + tm->Ti + (h ? tm->TR : 0) + tm->Tw + tm->Tc +
			                   (h ? tm->Tr : 0)));
		break;
	case LV_TT:
		lo_asap(o, s);
		lo_int(o, tm->Tt);
		break;
	case LV_TU:
		lo_asap(o, s);
		lo_int(o, tm->Tt - (tm->Ti > 0 ? tm->Ti : 0));
		break;
	case LV_BYTES_OUT:
		lo_asap(o, s);
		lo_int(o, h && h->bytes_out_set ? (int64_t)h->bytes_out : (int64_t)s->res.total_in);
		break;
	case LV_BYTES_IN:
		lo_int(o, h && h->bytes_out_set ? (int64_t)h->bytes_in : (int64_t)s->req.total_in);
		break;
	case LV_TSTATE:
	case LV_TSTATE_C:
		lo_putc(o, s->err ? s->err : '-');
		lo_putc(o, s->fin ? s->fin : '-');
		if (nd->var == LV_TSTATE_C) {
			lo_putc(o, h && h->cookie_req ? h->cookie_req : '-');
			lo_putc(o, h && h->cookie_res ? h->cookie_res : '-');
		}
		break;
	case LV_AC: lo_int(o, logfmt_globals ? (int64_t)*logfmt_globals->actconn : 0); break;
	case LV_FC: lo_int(o, fe ? fe->fe_cur_conn : 0); break;
	case LV_BC: lo_int(o, s->be ? (int64_t)s->be->be_cur_conn : 0); break;  /* the stream no longer counts itself */
	case LV_SC: lo_int(o, s->srv ? (int64_t)s->srv->cur_conn - lf_own_slot(s) : 0); break;
	case LV_RC:
		if (s->flags & STRM_F_REDISPATCH)
			lo_putc(o, '+');
		lo_int(o, s->connects > 1 ? s->connects - 1 : 0);
		break;
	case LV_SQ: lo_int(o, s->srv ? s->srv->nb_queued : 0); break;
	case LV_BQ: lo_int(o, s->prx_queue_pos); break;
	case LV_ID:
		if (h && h->unique_id)
			lo_text(o, h->unique_id, h->unique_id_len, opts);
		else
			lo_text(o, NULL, 0, opts);
		break;
	case LV_PID: lo_int(o, logfmt_globals ? logfmt_globals->pid : (int)getpid()); break;
	case LV_HOST: lo_str(o, logfmt_globals ? logfmt_globals->hostname : NULL, opts); break;
	case LV_RT:
		if (opts & LF_OPT_HEX) {           /* at least 4 digits, as HAProxy's %04X */
			int d = 4;

			while (d < 8 && (s->uniq_id >> (4 * d)))
				d++;
			lo_hex(o, s->uniq_id, d);
		} else {
			lo_int(o, s->uniq_id);
		}
		break;
	case LV_LC: lo_int(o, fe ? (int64_t)fe->log_count : 0); break;
	case LV_ST: lo_int(o, h ? h->status : 0); break;
	case LV_CC: lo_text(o, h ? h->cookie_cli : NULL, h && h->cookie_cli ? strlen(h->cookie_cli) : 0, opts); break;
	case LV_CS: lo_text(o, h ? h->cookie_srv : NULL, h && h->cookie_srv ? strlen(h->cookie_srv) : 0, opts); break;
	case LV_HR:
	case LV_HS:
	case LV_HRL:
	case LV_HSL: {
		/* captured headers: "{a|b}" (hr/hs) or "a b" (hrl/hsl); nothing when
		 * none are captured, not even the separator after it */
		const char *const *caps = h ? (nd->var == LV_HR || nd->var == LV_HRL ? h->req_caps : h->res_caps) : NULL;
		int nb = h ? (nd->var == LV_HR || nd->var == LV_HRL ? h->nb_req_caps : h->nb_res_caps) : 0;
		int braces = nd->var == LV_HR || nd->var == LV_HS;

		if (!nb)
			return;
		if (braces)
			lo_putc(o, '{');
		for (int i = 0; i < nb; i++) {
			if (i)
				lo_putc(o, braces ? '|' : ' ');
			if (opts & LF_OPT_QUOTE)
				lo_putc(o, '"');
			if (caps[i])
				lo_hdr(o, caps[i], strlen(caps[i]));
			else if (!braces && !(opts & LF_OPT_QUOTE))
				lo_putc(o, '-');        /* hrl/hsl: "-" for a header not there */
			if (opts & LF_OPT_QUOTE)
				lo_putc(o, '"');
		}
		if (braces)
			lo_putc(o, '}');
		break;
	}
	case LV_R: lo_uri(o, h ? h->req_line : NULL, h ? h->req_line_len : 0, opts); break;
	case LV_HM: lo_uri(o, h ? h->method : NULL, h ? h->method_len : 0, opts); break;
	case LV_HU: lo_uri(o, h ? h->uri : NULL, h ? h->uri_len : 0, opts); break;
	case LV_HP: {
		size_t n = 0;

		if (h && h->uri) {
			const void *q = memchr(h->uri, '?', h->uri_len);
			n = q ? (size_t)((const char *)q - h->uri) : h->uri_len;
		}
		lo_uri(o, h ? h->uri : NULL, n, opts);
		break;
	}
	case LV_HV: lo_uri(o, h ? h->version : NULL, h ? h->version_len : 0, opts); break;
	case LV_HPO:
	case LV_HQ: {
		/* %HPO: the path alone (an absolute URI loses "scheme://authority"),
		 * %HQ: the query string with its '?', empty (not "-") when none */
		const char *u = h ? h->uri : NULL, *q = NULL;
		size_t n = h ? h->uri_len : 0;

		if (u) {
			q = memchr(u, '?', n);
			if (nd->var == LV_HQ) {
				lo_uri(o, q ? q : u, q ? (size_t)(u + n - q) : 0, opts);
				break;
			}
			if (q)
				n = (size_t)(q - u);
			if (n && *u != '/') {
				const char *sl = memchr(u, '/', n);

				if (sl && sl + 1 < u + n && sl[1] == '/') {
					const char *p = memchr(sl + 2, '/', (size_t)(u + n - sl - 2));

					n = p ? (size_t)(u + n - p) : 0;
					u = p ? p : u + n;
				}
			}
		}
		lo_uri(o, u, n, opts);
		break;
	}
	case LV_SSLV:
	case LV_SSLC: {
		/* the client connection's TLS version / cipher, "-" in clear */
		const struct tls_conn *t = s->cli ? s->cli->tls : NULL;

		lo_str(o, !t ? NULL : nd->var == LV_SSLV ? tls_conn_protocol(t) : tls_conn_cipher(t), opts);
		break;
	}
	}
	o->last_sep = 0;
}

static void lf_render_expr(struct lf_out *o, const struct lf_node *nd, const struct stream *s)
{
	struct smp_ctx ctx = { 0 };
	struct sample smp;
	int ok;

	ctx.strm = (struct stream *)s;
	ctx.px = s->fe;
	ctx.dir = SMP_DIR_REQ;
	ctx.final = 1;
	memset(&smp, 0, sizeof(smp));
	ok = sample_expr_eval(nd->expr, &ctx, &smp);
	if (!ok && s->http) {
		/* as HAProxy: a fetch that reads either side ("cookie") reads
		 * the response once the request is gone */
		ctx.dir = SMP_DIR_RES;
		memset(&smp, 0, sizeof(smp));
		ok = sample_expr_eval(nd->expr, &ctx, &smp);
	}
	if (!ok || !sample_cast(&smp, SMP_T_STR))
		lo_text(o, NULL, 0, nd->opts);
	else
		lo_text(o, smp.u.str.ptr, smp.u.str.len, nd->opts);
	o->last_sep = 0;
}

size_t logfmt_render(const struct logfmt *f, const struct stream *s, uint64_t now_us,
                     char *out, size_t outsz)
{
	struct lf_out o;
	struct logfmt_http hbuf, *h = NULL;
	struct lf_times tm;

	if (!outsz)
		return 0;
	o.p = out;
	o.end = out + outsz - 1;
	o.last_sep = 1;
	if (s->http && logfmt_http_get) {
		memset(&hbuf, 0, sizeof(hbuf));
		if (logfmt_http_get(s, &hbuf) == 0) {
			h = &hbuf;
			/* the frontend's declared captures, for %hr/%hs (idempotent
			 * if the HTTP side filled them already) */
			if (!h->nb_req_caps && !h->nb_res_caps)
				http_cap_log(s, h);
		}
	}
	lf_times(s, h, now_us, &tm);
	for (int i = 0; i < f->nb; i++) {
		const struct lf_node *nd = &f->nodes[i];

		switch (nd->kind) {
		case LF_TEXT:
			lo_put(&o, f->text + nd->off, nd->len);
			o.last_sep = 0;
			break;
		case LF_SEP:
			if (!o.last_sep) {
				lo_putc(&o, ' ');
				o.last_sep = 1;
			}
			break;
		case LF_VAR:
			lf_render_var(&o, nd, s, h, &tm);
			break;
		case LF_EXPR:
			lf_render_expr(&o, nd, s);
			break;
		}
	}
	*o.p = 0;
	return (size_t)(o.p - out);
}

size_t logfmt_render_connect(const struct stream *s, char *out, size_t outsz)
{
	struct lf_out o;

	if (!outsz)
		return 0;
	o.p = out;
	o.end = out + outsz - 1;
	/* HAProxy prints IPv6 addresses without brackets here, and a unix
	 * socket as "Connect to unix:<listener id>" */
	if (s->cli_addr.u.sa.sa_family == AF_UNIX || s->fe_addr.u.sa.sa_family == AF_UNIX) {
		lo_putf(&o, "Connect to unix:%d", lf_bind_id(s));
	} else {
		lo_str(&o, "Connect from ", 0);
		lo_ip(&o, &s->cli_addr, 0);
		lo_putc(&o, ':');
		lo_port(&o, &s->cli_addr, 0);
		lo_str(&o, " to ", 0);
		lo_ip(&o, &s->fe_addr, 0);
		lo_putc(&o, ':');
		lo_port(&o, &s->fe_addr, 0);
	}
	lo_putf(&o, " (%s/%s)", s->fe ? s->fe->name : "-",
	        s->fe && s->fe->mode == PX_MODE_HTTP ? "HTTP" : "TCP");
	*o.p = 0;
	return (size_t)(o.p - out);
}
