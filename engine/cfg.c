/* cfg.c: HAProxy-syntax configuration files. Reads files and directories,
 * splits lines into words (quotes, backslash escapes, "${VAR}" expansion),
 * tracks sections and hands their lines to cfg_global.c and cfg_proxy.c;
 * also the number/time/size helpers every keyword parser uses. Every error
 * is printed as HAProxy prints it and parsing goes on, so that one run
 * reports every error of a file. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/cfg.h"
#include "engine/cfg_cond.h"
#include "engine/check.h"
#include "engine/cfg_global.h"
#include "engine/cfg_proxy.h"
#include "engine/lb.h"
#include "engine/log.h"
#include "engine/userlist.h"
#include "engine/dns.h"
#include "engine/http_errsec.h"
#include "engine/cache_cfg.h"
#include "engine/program.h"
#include "engine/persist.h"
#include "engine/stick.h"

#define CFG_MAX_ARGS 64
#define CFG_ENV_ROOM 65536   /* bytes that "${VAR}" values may add to a line */

/* What the parser keeps besides the model: names of the files read (the
 * <file> pointers of servers, binds and messages point into it) and the
 * defaults sections. Owned by struct config, freed by cfg_free(). */
struct cfg_store {
	char **files;
	int nb_files;
	struct proxy *defaults;     /* every defaults section, newest first */
	struct proxy *last_def;     /* the one an unnamed "from" uses */
};

/* ---- messages ---- */

/* Formats "config : parsing [file:line] : <msg>" (or "config : <msg>"
 * without a line) into <buf>. */
static void cfg_fmt(char *buf, size_t size, const struct cfg_ctx *c, const char *fmt, va_list ap)
{
	char msg[CFG_ERR_SIZE + 256];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (c && c->file)
		snprintf(buf, size, "config : parsing [%s:%d] : %s", c->file, c->line, msg);
	else
		snprintf(buf, size, "config : %s", msg);
}

/* Messages go through log.c's printers: one layout for the whole process,
 * and "-q" / "quiet" silence warnings and notices there. */
void cfg_alert(const struct cfg_ctx *c, const char *fmt, ...)
{
	char buf[CFG_ERR_SIZE + 512];
	va_list ap;

	va_start(ap, fmt);
	cfg_fmt(buf, sizeof(buf), c, fmt, ap);
	va_end(ap);
	rp_alert("%s", buf);
}

void cfg_warning(struct cfg_ctx *c, const char *fmt, ...)
{
	char buf[CFG_ERR_SIZE + 512];
	va_list ap;

	if (c)
		c->warnings++;
	va_start(ap, fmt);
	cfg_fmt(buf, sizeof(buf), c, fmt, ap);
	va_end(ap);
	rp_warning("%s", buf);
}

void cfg_notice(struct cfg_ctx *c, const char *fmt, ...)
{
	char buf[CFG_ERR_SIZE + 512];
	va_list ap;

	va_start(ap, fmt);
	cfg_fmt(buf, sizeof(buf), c, fmt, ap);
	va_end(ap);
	rp_notice("%s", buf);
}

int cfg_set_err(struct cfg_ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	return -1;
}

/* ---- numbers, times, sizes ---- */

/* Returns 0 and the time in <ms>, -1 with <*bad> on the first unexpected
 * character, or -2 on overflow. */
/* Parses a HAProxy time ("10s", "500" in ms, "1m", "2h", "1d", "100ms",
 * "10us") into *<out> units of <unit_us> microseconds (1000: ms, 1: us),
 * rounding a fraction up. Returns 0, -1 (*<bad> at the faulty character)
 * or -2 (above INT32_MAX units). */
static int cfg_time_parse(const char *s, uint64_t unit_us, uint32_t *out, const char **bad)
{
	uint64_t v = 0, mul;
	const char *p = s;

	*bad = s;
	if (!isdigit((unsigned char)*p))
		return -1;
	while (isdigit((unsigned char)*p)) {
		v = v * 10 + (uint64_t)(*p - '0');
		if (v > 0xffffffffULL * 1000)
			return -2;
		p++;
	}
	switch (*p) {
	case '\0': mul = 1000;                               break;
	case 'u': if (p[1] != 's') { *bad = p + 1; return -1; }
	          mul = 1; p += 2;                            break;
	case 'm': if (p[1] == 's') { mul = 1000; p += 2; break; }
	          mul = 60000000; p++;                        break;
	case 's': mul = 1000000; p++;                         break;
	case 'h': mul = 3600000000ULL; p++;                   break;
	case 'd': mul = 86400000000ULL; p++;                  break;
	default:  *bad = p;                                   return -1;
	}
	if (*p) {
		*bad = p;
		return -1;
	}
	if (v > (UINT64_MAX - unit_us) / mul)
		return -2;
	v = (v * mul + unit_us - 1) / unit_us;   /* 1us..999us is 1ms */
	if (v > INT32_MAX)
		return -2;
	*out = (uint32_t)v;
	return 0;
}

int cfg_parse_time(const char *s, uint32_t *ms)
{
	const char *bad;

	return cfg_time_parse(s, 1000, ms, &bad) == 0 ? 0 : -1;
}

/* cfg_time_arg() in units of <unit_us> microseconds. */
static int cfg_time_arg_unit(struct cfg_ctx *c, const char *kw, const char *s, uint64_t unit_us,
                             uint32_t *out)
{
	const char *bad;
	int r;

	if (!s || !*s)
		return cfg_set_err(c, "'%s' expects an integer value (in milliseconds)", kw);
	r = cfg_time_parse(s, unit_us, out, &bad);
	if (r == -2)
		return cfg_set_err(c, "timer overflow in argument '%s' to '%s' (maximum value is 2147483647 %s)", s, kw,
		                   unit_us == 1000 ? "ms or ~24.8 days" : "us or ~35.8 minutes");
	if (r < 0)
		return cfg_set_err(c, "unexpected character '%c' in '%s'", *bad ? *bad : ' ', kw);
	return 0;
}

int cfg_time_arg(struct cfg_ctx *c, const char *kw, const char *s, uint32_t *ms)
{
	return cfg_time_arg_unit(c, kw, s, 1000, ms);
}

int cfg_time_arg_us(struct cfg_ctx *c, const char *kw, const char *s, uint32_t *us)
{
	return cfg_time_arg_unit(c, kw, s, 1, us);
}

int cfg_parse_size(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	const char *p = s;

	if (!isdigit((unsigned char)*p))
		return -1;
	while (isdigit((unsigned char)*p)) {
		if (v > UINT64_MAX / 10 - 9)
			return -1;
		v = v * 10 + (uint64_t)(*p++ - '0');
	}
	switch (*p) {
	case '\0':           break;
	case 'k': case 'K':  if (v > UINT64_MAX >> 10) return -1; v <<= 10; p++; break;
	case 'm': case 'M':  if (v > UINT64_MAX >> 20) return -1; v <<= 20; p++; break;
	case 'g': case 'G':  if (v > UINT64_MAX >> 30) return -1; v <<= 30; p++; break;
	default:             return -1;
	}
	if (*p)
		return -1;
	*out = v;
	return 0;
}

int cfg_int_arg(struct cfg_ctx *c, const char *kw, const char *s, long long min, long long max,
                long long *out)
{
	char *end;
	long long v;

	if (!s || !*s)
		return cfg_set_err(c, "'%s' expects an integer argument.", kw);
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end || errno)
		return cfg_set_err(c, "'%s' expects an integer argument (got '%s').", kw, s);
	if (v < min || v > max)
		return cfg_set_err(c, "'%s' value %lld is out of range (%lld..%lld).", kw, v, min, max);
	*out = v;
	return 0;
}

int cfg_no_extra(struct cfg_ctx *c, char **args, int nargs, int max)
{
	if (nargs > max)
		return cfg_set_err(c, "'%s' cannot handle unexpected argument '%s'.", args[0], args[max]);
	return 0;
}

char *cfg_strdup(struct cfg_ctx *c, const char *s)
{
	char *d = strdup(s);

	if (!d)
		cfg_set_err(c, "out of memory.");
	return d;
}

/* ---- tokenizer ---- */

/* Appends the value of environment variable <name> (length <nlen>) to the
 * word being built. With <split>, each blank in the value ends a word
 * ("${VAR[*]}"). Returns 0 or -1 when <out> is full. */
static int cfg_put_env(const char *name, size_t nlen, const char *def, size_t dlen, int split,
                       char *out, size_t outsz, size_t *o, char **args, int *nargs)
{
	char vname[256];
	const char *v, *end;

	if (nlen >= sizeof(vname))
		nlen = sizeof(vname) - 1;
	memcpy(vname, name, nlen);
	vname[nlen] = 0;
	v = getenv(vname);
	/* "${NAME-default}": the default stands for an unset variable only */
	if (!v && def) {
		v = def;
		end = def + dlen;
	} else
		end = v ? v + strlen(v) : NULL;
	for (; v && v < end; v++) {
		if (*o + 2 >= outsz)
			return -1;
		if (split && (*v == ' ' || *v == '\t')) {
			out[(*o)++] = 0;
			if (*nargs >= CFG_MAX_ARGS)
				return -1;
			args[(*nargs)++] = out + *o;
			while (v + 1 < end && (v[1] == ' ' || v[1] == '\t'))
				v++;
			continue;
		}
		out[(*o)++] = *v;
	}
	return 0;
}

/* Returns the value of hexadecimal digit <c>, or -1. */
static int cfg_hex(int c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

/* Formats a tokenizer error at column <pos> of <line>, HAProxy style. */
/* The position counts from the start of the line; the line is shown
 * without its indentation, the caret under the culprit, as HAProxy does. */
static int cfg_tok_err(char *err, size_t errlen, const char *what, const char *line, size_t pos)
{
	size_t ind = strspn(line, " \t"), len;

	if (ind > pos)
		ind = pos;
	len = strcspn(line + ind, "\r\n");
	snprintf(err, errlen, "%s at position %zu:\n  %.*s\n  %*s^", what, pos + 1, (int)len,
	         line + ind, (int)(pos - ind), "");
	return -1;
}

int cfg_tokenize(const char *line, char *out, size_t outsz, char **args, int maxargs,
                 char *err, size_t errlen)
{
	const char *p = line;
	size_t o = 0;
	int nargs = 0, sq = 0, dq = 0, inword = 0;

	if (maxargs > CFG_MAX_ARGS)
		maxargs = CFG_MAX_ARGS;
	while (*p == ' ' || *p == '\t')
		p++;
	for (; *p && *p != '\n' && *p != '\r'; p++) {
		if (o + 8 >= outsz)
			return cfg_tok_err(err, errlen, "line too long", line, (size_t)(p - line));
		if (!sq && !dq && (*p == ' ' || *p == '\t')) {
			if (inword) {
				out[o++] = 0;
				inword = 0;
			}
			continue;
		}
		if (!sq && !dq && *p == '#')
			break;
		if (!inword) {
			if (nargs >= maxargs)
				return cfg_tok_err(err, errlen, "too many words, truncating after word", line,
				                   (size_t)(p - line));
			args[nargs++] = out + o;
			inword = 1;
		}
		if (!sq && *p == '"') {
			dq = !dq;
			continue;
		}
		if (!dq && *p == '\'') {
			sq = !sq;
			continue;
		}
		if (sq) {
			out[o++] = *p;
			continue;
		}
		if (*p == '\\') {
			char e = p[1];
			int h1, h2;
			switch (e) {
			case ' ': case '#': case '\\': case '"': case '\'': case '$':
				out[o++] = e; p++; continue;
			case 'n': out[o++] = '\n'; p++; continue;
			case 'r': out[o++] = '\r'; p++; continue;
			case 't': out[o++] = '\t'; p++; continue;
			case 'x':
				h1 = cfg_hex(p[2]);
				h2 = h1 >= 0 ? cfg_hex(p[3]) : -1;
				if (h1 < 0 || h2 < 0)
					return cfg_tok_err(err, errlen, "truncated or invalid hexadecimal sequence",
					                   line, (size_t)(p - line));
				out[o++] = (char)(h1 * 16 + h2);
				p += 3;
				continue;
			default:
				out[o++] = '\\';   /* not an escape: kept as written */
				continue;
			}
		}
		if (dq && *p == '$') {
			const char *n = p + 1, *ne, *def = NULL;
			size_t dlen = 0;
			int braces = 0, split = 0;
			if (*n == '{') {
				braces = 1;
				n++;
			}
			if (!isalpha((unsigned char)*n) && *n != '_')
				return cfg_tok_err(err, errlen, "forbidden first char in environment variable name",
				                   line, (size_t)(n - line));
			for (ne = n; isalnum((unsigned char)*ne) || *ne == '_'; ne++)
				;
			p = ne;
			if (braces) {
				if (strncmp(p, "[*]", 3) == 0) {
					split = 1;
					p += 3;
				}
				if (*p == '-') {
					def = ++p;
					while (*p && *p != '}')
						p++;
					dlen = (size_t)(p - def);
				}
				if (*p != '}')
					return cfg_tok_err(err, errlen, "unmatched brace in environment variable name",
					                   line, (size_t)(n - 1 - line));
			} else {
				p--;
			}
			if (cfg_put_env(n, (size_t)(ne - n), def, dlen, split, out, outsz, &o, args, &nargs) < 0)
				return cfg_tok_err(err, errlen, "line too long", line, (size_t)(n - line));
			continue;
		}
		out[o++] = *p;
	}
	if (sq || dq) {
		/* point at the opening quote */
		const char *q = NULL, *s = line;
		int isq = 0, idq = 0;
		for (; s < p; s++) {
			if (*s == '\\' && !isq && s[1]) { s++; continue; }
			if (!isq && *s == '"') { idq = !idq; if (idq) q = s; }
			else if (!idq && *s == '\'') { isq = !isq; if (isq) q = s; }
		}
		return cfg_tok_err(err, errlen, "unmatched quote", line, q ? (size_t)(q - line) : 0);
	}
	if (inword)
		out[o++] = 0;
	return nargs;
}


/* ---- sections and files ---- */

/* Sections HAProxy has and ringproxy does not: the header is an error and
 * the section's lines are skipped without further messages. */
static const char *const cfg_unsupported_sections[] = {
	"ring", "mailers",
	"fcgi-app", "crt-store", "traces", "dynamic-update", NULL
};

/* Per-run state of one cfg_parse_*() call. */
struct cfg_run {
	struct cfg_ctx c;
	int errors;
	int skip_section;           /* inside an unsupported section */
};

static struct cfg_store *cfg_store_get(struct config *cfg)
{
	if (!cfg->store)
		cfg->store = calloc(1, sizeof(*cfg->store));
	return cfg->store;
}

/* Returns a stable copy of <name> kept until cfg_free(), or NULL. */
static const char *cfg_keep_name(struct config *cfg, const char *name)
{
	struct cfg_store *st = cfg_store_get(cfg);
	char **f;

	if (!st)
		return NULL;
	for (int i = 0; i < st->nb_files; i++)
		if (!strcmp(st->files[i], name))
			return st->files[i];
	if (!(f = realloc(st->files, (size_t)(st->nb_files + 1) * sizeof(*f))))
		return NULL;
	st->files = f;
	if (!(f[st->nb_files] = strdup(name)))
		return NULL;
	return f[st->nb_files++];
}

struct proxy *cfg_defaults_find(struct config *cfg, const char *name)
{
	struct cfg_store *st = cfg->store;

	for (struct proxy *d = st ? st->defaults : NULL; d; d = d->next)
		if (d->name && !strcmp(d->name, name))
			return d;
	return NULL;
}

struct proxy *cfg_defaults_last(struct config *cfg)
{
	return cfg->store ? cfg->store->last_def : NULL;
}

int cfg_defaults_add(struct config *cfg, struct proxy *def)
{
	struct cfg_store *st = cfg_store_get(cfg);

	if (!st)
		return -1;
	def->next = st->defaults;
	st->defaults = def;
	st->last_def = def;
	return 0;
}

static void cfg_error(struct cfg_run *r)
{
	if (r->c.err_tight)
		rp_alert("config : parsing [%s:%d]: %s", r->c.file, r->c.line, r->c.err);
	else
		cfg_alert(&r->c, "%s", r->c.err);
	r->c.err[0] = 0;
	r->c.err_tight = 0;
	r->errors++;
}

/* Runs one tokenized line. */
static void cfg_line(struct cfg_run *r, char **args, int nargs)
{
	struct cfg_ctx *c = &r->c;
	const char *k = args[0];

	if (!strcmp(k, "global")) {
		if (cfg_no_extra(c, args, nargs, 1)) {
			cfg_error(r);
		}
		c->sec = CFG_SEC_GLOBAL;
		c->px = c->defpx = NULL;
		r->skip_section = 0;
		return;
	}
	if (!strcmp(k, "defaults") || !strcmp(k, "frontend") || !strcmp(k, "backend") ||
	    !strcmp(k, "listen")) {
		int ret;
		r->skip_section = 0;
		if ((ret = cfg_proxy_section(c, args, nargs)) < 0) {
			if (ret == -1)
				cfg_error(r);
			else
				r->errors++;
			/* a broken header: skip its body rather than flood errors */
			c->sec = CFG_SEC_OTHER;
			c->px = NULL;
			r->skip_section = 1;
		}
		return;
	}
	if (!strcmp(k, "userlist")) {
		r->skip_section = 0;
		c->sec = CFG_SEC_USERLIST;
		c->px = c->defpx = NULL;
		c->err[0] = 0;
		c->err_tight = 0;
		if (userlist_cfg_section(c, args, nargs) < 0) {
			cfg_error(r);
			r->skip_section = 1;
		}
		return;
	}
	if (!strcmp(k, "cache")) {
		r->skip_section = 0;
		c->sec = CFG_SEC_CACHE;
		c->px = c->defpx = NULL;
		c->err[0] = 0;
		c->err_tight = 0;
		if (cache_cfg_section(c, args, nargs) < 0)
			cfg_error(r);
		return;
	}
	if (!strcmp(k, "http-errors")) {
		r->skip_section = 0;
		c->sec = CFG_SEC_HTTP_ERRORS;
		c->px = c->defpx = NULL;
		c->err[0] = 0;
		c->err_tight = 0;
		if (http_errsec_section(c, args, nargs) < 0)
			cfg_error(r);
		return;
	}
	if (!strcmp(k, "program")) {
		r->skip_section = 0;
		c->sec = CFG_SEC_PROGRAM;
		c->px = c->defpx = NULL;
		c->err[0] = 0;
		c->err_tight = 0;
		if (program_cfg_section(c, args, nargs) < 0)
			cfg_error(r);
		return;
	}
	if (!strcmp(k, "resolvers")) {
		r->skip_section = 0;
		c->sec = CFG_SEC_RESOLVERS;
		c->px = c->defpx = NULL;
		c->err[0] = 0;
		c->err_tight = 0;
		if (dns_cfg_section(c, args, nargs) < 0)
			cfg_error(r);
		return;
	}
	if (!strcmp(k, "peers")) {
		/* accepted without synchronisation; "table" lines refused (stick.c) */
		r->skip_section = 0;
		c->sec = CFG_SEC_PEERS;
		c->px = c->defpx = NULL;
		if (stick_cfg_peers(c, args, nargs) < 0)
			cfg_error(r);
		return;
	}
	for (int i = 0; cfg_unsupported_sections[i]; i++)
		if (!strcmp(k, cfg_unsupported_sections[i])) {
			cfg_set_err(c, "'%s' sections are not supported by ringproxy yet.", k);
			cfg_error(r);
			c->sec = CFG_SEC_OTHER;
			c->px = NULL;
			r->skip_section = 1;
			return;
		}
	if (r->skip_section)
		return;

	switch (c->sec) {
	case CFG_SEC_NONE:
		rp_alert("config : parsing [%s:%d]: unknown keyword '%s' out of section.",
		        c->file, c->line, k);
		r->errors++;
		return;
	case CFG_SEC_GLOBAL:
		c->err[0] = 0;
		c->err_tight = 0;
		if (cfg_global_kw(c, args, nargs) < 0)
			cfg_error(r);
		return;
	case CFG_SEC_DEFAULTS:
	case CFG_SEC_FRONTEND:
	case CFG_SEC_BACKEND:
	case CFG_SEC_LISTEN:
		c->err[0] = 0;
		c->err_tight = 0;
		switch (cfg_proxy_kw(c, args, nargs)) {
		case 0:  break;
		case -2: r->errors++; break;   /* printed by the keyword itself */
		default: cfg_error(r); break;
		}
		return;
	case CFG_SEC_USERLIST:
		c->err[0] = 0;
		c->err_tight = 0;
		if (userlist_cfg_kw(c, args, nargs) < 0)
			cfg_error(r);
		return;
	case CFG_SEC_CACHE:
		c->err[0] = 0;
		c->err_tight = 0;
		if (cache_cfg_kw(c, args, nargs) < 0)
			cfg_error(r);
		return;
	case CFG_SEC_HTTP_ERRORS:
		c->err[0] = 0;
		c->err_tight = 0;
		if (http_errsec_kw(c, args, nargs) < 0)
			cfg_error(r);
		return;
	case CFG_SEC_RESOLVERS:
		c->err[0] = 0;
		c->err_tight = 0;
		if (dns_cfg_kw(c, args, nargs) < 0)
			cfg_error(r);
		return;
	case CFG_SEC_PROGRAM:
		c->err[0] = 0;
		c->err_tight = 0;
		if (program_cfg_kw(c, args, nargs) < 0)
			cfg_error(r);
		return;
	case CFG_SEC_PEERS:
		if (stick_cfg_peers(c, args, nargs) < 0)
			cfg_error(r);
		return;
	default:
		return;
	}
}

/* Parses <text> (<len> bytes, any line endings) as file <name>. */
static void cfg_parse_text(struct cfg_run *r, const char *name, const char *text, size_t len)
{
	struct cfg_ctx *c = &r->c;
	char *line = NULL, *out = NULL;
	size_t cap = 0;
	char *args[CFG_MAX_ARGS + 1];
	const char *p = text, *end = text + len;
	int errors_before = r->errors;
	struct cfg_cond_stack cond;

	memset(&cond, 0, sizeof(cond));

	c->file = cfg_keep_name(c->cfg, name);
	if (!c->file)
		c->file = "(out of memory)";
	c->line = 0;
	c->sec = CFG_SEC_NONE;
	c->px = c->defpx = NULL;
	r->skip_section = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		int nargs;

		c->line++;
		if (n + 1 > cap) {
			char *l2 = realloc(line, n + 1), *o2;
			if (!l2)
				break;
			line = l2;
			if (!(o2 = realloc(out, n + 1 + CFG_ENV_ROOM)))
				break;
			out = o2;
			cap = n + 1;
		}
		memcpy(line, p, n);
		line[n] = 0;
		p += n + 1;
		if (memchr(line, 0, n)) {
			cfg_set_err(c, "NUL character at position %zu.", strlen(line) + 1);
			cfg_error(r);
			continue;
		}
		/* words are never longer than the line, except for environment values */
		nargs = cfg_tokenize(line, out, cap + CFG_ENV_ROOM, args, CFG_MAX_ARGS, c->err, sizeof(c->err));
		if (nargs < 0) {
			rp_alert("config : parsing [%s:%d]: %s", c->file, c->line, c->err);
			c->err[0] = 0;
			r->errors++;
			continue;
		}
		if (nargs == 0 || !*args[0])
			continue;
		args[nargs] = NULL;
		if (args[0][0] == '.') {
			if (cfg_cond_directive(&cond, args, nargs, c->file, c->line) < 0)
				r->errors++;
			continue;
		}
		if (!cfg_cond_active(&cond))
			continue;
		/* "no option x" / "default option x" keep args[0] for the proxy parser */
		cfg_line(r, args, nargs);
	}
	if (cfg_cond_end(&cond, c->file) < 0)
		r->errors++;
	cfg_proxy_section_end(c);
	free(line);
	free(out);
	if (r->errors > errors_before)
		rp_alert("config : Error(s) found in configuration file : %s",
		        name);
}

/* Reads file <path> and parses it. */
static void cfg_parse_file(struct cfg_run *r, const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0, cap = 0;

	if (!f) {
		rp_alert("config : Could not open configuration file %s : %s",
		        path, strerror(errno));
		r->errors++;
		return;
	}
	for (;;) {
		if (len + 4096 > cap) {
			char *b = realloc(buf, cap ? cap * 2 : 65536);
			if (!b)
				break;
			buf = b;
			cap = cap ? cap * 2 : 65536;
		}
		size_t n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	fclose(f);
	cfg_parse_text(r, path, buf ? buf : "", len);
	free(buf);
}

static int cfg_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Parses every "*.cfg" regular file of directory <dir>, in lexical order. */
static void cfg_parse_dir(struct cfg_run *r, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	int n = 0;

	if (!d) {
		rp_alert("config : Cannot open configuration directory %s : %s",
		        dir, strerror(errno));
		r->errors++;
		return;
	}
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		char **nn;
		if (l < 5 || strcmp(de->d_name + l - 4, ".cfg") || de->d_name[0] == '.')
			continue;
		if (!(nn = realloc(names, (size_t)(n + 1) * sizeof(*nn))))
			break;
		names = nn;
		if (asprintf(&names[n], "%s/%s", dir, de->d_name) < 0)
			break;
		n++;
	}
	closedir(d);
	qsort(names, (size_t)n, sizeof(*names), cfg_name_cmp);
	for (int i = 0; i < n; i++) {
		struct stat stb;
		if (stat(names[i], &stb) == 0 && S_ISREG(stb.st_mode))
			cfg_parse_file(r, names[i]);
		free(names[i]);
	}
	free(names);
}

static void cfg_defaults_init(struct config *cfg)
{
	struct global *g = &cfg->g;

	if (cfg->store)
		return;      /* already initialised by an earlier call */
	cfg_global_init(g);
	cfg_store_get(cfg);
}

/* Checks and resolutions once every file is read. Returns the error count. */
static int cfg_finish(struct cfg_run *r)
{
	struct config *cfg = r->c.cfg;
	int errors = 0;

	if (cfg->g.maxrewrite >= cfg->g.bufsize / 2) {
		cfg_warning(NULL, "tune.maxrewrite (%u) is too large for tune.bufsize (%u): using %u.",
		            cfg->g.maxrewrite, cfg->g.bufsize, cfg->g.bufsize / 2);
		cfg->g.maxrewrite = cfg->g.bufsize / 2;
	}
	errors += http_errsec_resolve(cfg);     /* before the pages are loaded */
	errors += cfg_proxy_resolve(cfg);
	errors += userlist_cfg_resolve();
	errors += stick_cfg_resolve(cfg);
	errors += dns_cfg_resolve(cfg);
	errors += persist_resolve(cfg);
	errors += cache_cfg_resolve(cfg);
	return errors;
}

static int cfg_run(struct config *cfg, char *const *paths, const char *name, const char *text)
{
	struct cfg_run r;

	memset(&r, 0, sizeof(r));
	cfg_defaults_init(cfg);
	if (!cfg->store) {
		rp_alert("config : out of memory.");
		return 1;
	}
	r.c.cfg = cfg;
	if (text) {
		cfg_parse_text(&r, name, text, strlen(text));
	} else {
		for (int i = 0; paths && paths[i]; i++) {
			struct stat stb;
			if (stat(paths[i], &stb) < 0) {
				rp_alert("config : Cannot open configuration file/directory %s : %s", paths[i],
				         strerror(errno));
				r.errors++;
			} else if (S_ISDIR(stb.st_mode)) {
				cfg_parse_dir(&r, paths[i]);
			} else {
				cfg_parse_file(&r, paths[i]);
			}
		}
	}
	if (r.errors)
		return r.errors;
	return cfg_finish(&r);
}

int cfg_parse_files(struct config *cfg, char *const *paths)
{
	return cfg_run(cfg, paths, NULL, NULL);
}

int cfg_parse_string(struct config *cfg, const char *name, const char *text)
{
	return cfg_run(cfg, NULL, name, text);
}

void cfg_free(struct config *cfg)
{
	struct global *g = &cfg->g;
	struct cfg_store *st = cfg->store;
	struct proxy *px, *next;

	check_cfg_free(cfg);     /* tcp-check rules (safe if main already did it) */
	for (px = cfg->proxies; px; px = next) {
		next = px->next;
		cfg_proxy_free(px);
	}
	cfg->proxies = NULL;
	if (st) {
		for (px = st->defaults; px; px = next) {
			next = px->next;
			cfg_proxy_free(px);
		}
		for (int i = 0; i < st->nb_files; i++)
			free(st->files[i]);
		free(st->files);
		free(st);
		cfg->store = NULL;
	}
	cfg_global_free(g);
	userlist_free_all();
	dns_free_all();
	http_errsec_free_all();
	cache_cfg_free_all();
	program_free_all();
	memset(cfg, 0, sizeof(*cfg));
}
