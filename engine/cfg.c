/* cfg.c: HAProxy-syntax configuration files. Reads files and directories,
 * splits lines into words (quotes, backslash escapes, "${VAR}" expansion),
 * tracks sections, runs the "global" keywords, and hands proxy sections to
 * cfg_proxy.c. Every error is printed as HAProxy prints it and parsing goes
 * on, so that one run reports every error of a file. */
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
#include "engine/cfg_proxy.h"
#include "engine/lb.h"
#include "engine/log.h"

#define CFG_MAX_ARGS 64

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
static int cfg_time_parse(const char *s, uint32_t *ms, const char **bad)
{
	uint64_t v = 0, mul_num = 1, mul_den = 1;
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
	case '\0':                          break;
	case 'u': if (p[1] != 's') { *bad = p + 1; return -1; }
	          mul_den = 1000; p += 2;   break;
	case 'm': if (p[1] == 's') { p += 2; break; }
	          mul_num = 60000; p++;     break;
	case 's': mul_num = 1000; p++;      break;
	case 'h': mul_num = 3600000; p++;   break;
	case 'd': mul_num = 86400000; p++;  break;
	default:  *bad = p;                 return -1;
	}
	if (*p) {
		*bad = p;
		return -1;
	}
	v = v * mul_num;
	if (mul_den > 1)
		v = (v + mul_den - 1) / mul_den;   /* 1us..999us round up to 1ms */
	if (v > INT32_MAX)
		return -2;
	*ms = (uint32_t)v;
	return 0;
}

int cfg_parse_time(const char *s, uint32_t *ms)
{
	const char *bad;

	return cfg_time_parse(s, ms, &bad) == 0 ? 0 : -1;
}

int cfg_time_arg(struct cfg_ctx *c, const char *kw, const char *s, uint32_t *ms)
{
	const char *bad;
	int r;

	if (!s || !*s)
		return cfg_set_err(c, "'%s' expects an integer value (in milliseconds)", kw);
	r = cfg_time_parse(s, ms, &bad);
	if (r == -2)
		return cfg_set_err(c, "timer overflow in argument '%s' to '%s' (maximum value is 2147483647 ms or ~24.8 days)", s, kw);
	if (r < 0)
		return cfg_set_err(c, "unexpected character '%c' in '%s'", *bad ? *bad : ' ', kw);
	return 0;
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
static int cfg_put_env(const char *name, size_t nlen, int split, char *out, size_t outsz,
                       size_t *o, char **args, int *nargs)
{
	char vname[256];
	const char *v;

	if (nlen >= sizeof(vname))
		nlen = sizeof(vname) - 1;
	memcpy(vname, name, nlen);
	vname[nlen] = 0;
	v = getenv(vname);
	for (; v && *v; v++) {
		if (*o + 2 >= outsz)
			return -1;
		if (split && (*v == ' ' || *v == '\t')) {
			out[(*o)++] = 0;
			if (*nargs >= CFG_MAX_ARGS)
				return -1;
			args[(*nargs)++] = out + *o;
			while (v[1] == ' ' || v[1] == '\t')
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
static int cfg_tok_err(char *err, size_t errlen, const char *what, const char *line, size_t pos)
{
	size_t len = strcspn(line, "\r\n");

	snprintf(err, errlen, "%s at position %zu:\n  %.*s\n  %*s^", what, pos + 1, (int)len, line,
	         (int)pos, "");
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
			case ' ': case '#': case '\\': case '"': case '\'':
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
			const char *n = p + 1, *ne;
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
				if (*p != '}')
					return cfg_tok_err(err, errlen, "unmatched brace in environment variable name",
					                   line, (size_t)(n - 2 - line));
			} else {
				p--;
			}
			if (cfg_put_env(n, (size_t)(ne - n), split, out, outsz, &o, args, &nargs) < 0)
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

/* ---- global section ---- */

static int kw_g_flag(struct cfg_ctx *c, char **args, int nargs)
{
	struct global *g = &c->cfg->g;

	if (cfg_no_extra(c, args, nargs, 1))
		return -1;
	if (!strcmp(args[0], "daemon"))                              g->daemon = 1;
	else if (!strcmp(args[0], "quiet")) {
		g->quiet = 1;
		log_set_quiet(1);      /* same as -q: silences the notices and warnings that follow */
	}
	else if (!strcmp(args[0], "debug"))                          g->debug = 1;
	else if (!strcmp(args[0], "master-worker"))                  g->master_worker = 1;
	else if (!strcmp(args[0], "insecure-fork-wanted"))           g->insecure_fork_wanted = 1;
	else if (!strcmp(args[0], "expose-experimental-directives")) g->expose_experimental = 1;
	else if (!strcmp(args[0], "h1-case-adjust-bogus-client"))    g->h1_case_adjust_bogus_client = 1;
	else if (!strcmp(args[0], "h1-case-adjust-bogus-server"))    g->h1_case_adjust_bogus_server = 1;
	return 0;
}

/* Sets string <*dst> from the single argument of the keyword. */
static int kw_g_str1(struct cfg_ctx *c, char **args, int nargs, char **dst, const char *what)
{
	if (nargs < 2 || !*args[1])
		return cfg_set_err(c, "'%s' expects %s.", args[0], what);
	if (cfg_no_extra(c, args, nargs, 2))
		return -1;
	free(*dst);
	*dst = cfg_strdup(c, args[1]);
	return *dst ? 0 : -1;
}

static int kw_g_string(struct cfg_ctx *c, char **args, int nargs)
{
	struct global *g = &c->cfg->g;
	const char *k = args[0];

	if (!strcmp(k, "pidfile"))    return kw_g_str1(c, args, nargs, &g->pidfile, "a file name as an argument");
	if (!strcmp(k, "log-tag"))    return kw_g_str1(c, args, nargs, &g->log_tag, "a tag for use in syslog");
	if (!strcmp(k, "chroot"))     return kw_g_str1(c, args, nargs, &g->chroot, "a directory as an argument");
	if (!strcmp(k, "user"))       return kw_g_str1(c, args, nargs, &g->user, "a user name as an argument");
	if (!strcmp(k, "group"))      return kw_g_str1(c, args, nargs, &g->group, "a group name as an argument");
	if (!strcmp(k, "ca-base"))    return kw_g_str1(c, args, nargs, &g->ca_base, "a directory path as an argument");
	if (!strcmp(k, "crt-base"))   return kw_g_str1(c, args, nargs, &g->crt_base, "a directory path as an argument");
	if (!strcmp(k, "ssl-default-bind-ciphers"))      return kw_g_str1(c, args, nargs, &g->ssl_bind_ciphers, "a cipher suite as an argument");
	if (!strcmp(k, "ssl-default-bind-ciphersuites")) return kw_g_str1(c, args, nargs, &g->ssl_bind_ciphersuites, "a cipher suite as an argument");
	if (!strcmp(k, "ssl-default-server-ciphers"))    return kw_g_str1(c, args, nargs, &g->ssl_server_ciphers, "a cipher suite as an argument");
	if (!strcmp(k, "ssl-default-server-ciphersuites")) return kw_g_str1(c, args, nargs, &g->ssl_server_ciphersuites, "a cipher suite as an argument");
	if (!strcmp(k, "ssl-dh-param-file"))             return kw_g_str1(c, args, nargs, &g->ssl_dh_param_file, "a file path as an argument");
	return cfg_set_err(c, "internal error: '%s'", k);
}

/* "node" and "description": the rest of the line, words joined by one space. */
static int kw_g_joined(struct cfg_ctx *c, char **args, int nargs)
{
	struct global *g = &c->cfg->g;
	char **dst = !strcmp(args[0], "node") ? &g->node : &g->desc;
	size_t len = 0;
	char *s;

	if (nargs < 2 || !*args[1]) {
		if (dst == &g->node)
			return cfg_set_err(c, "'node' requires valid node name - non-empty string with digits(0-9), letters(A-Z, a-z), dot(.), hyphen(-) or underscode(_).");
		return cfg_set_err(c, "'description' expects a string argument.");
	}
	for (int i = 1; i < nargs; i++)
		len += strlen(args[i]) + 1;
	if (!(s = malloc(len)))
		return cfg_set_err(c, "out of memory.");
	s[0] = 0;
	for (int i = 1; i < nargs; i++) {
		if (i > 1)
			strcat(s, " ");
		strcat(s, args[i]);
	}
	if (dst == &g->node) {
		for (char *q = s; *q; q++)
			if (!isalnum((unsigned char)*q) && *q != '.' && *q != '-' && *q != '_') {
				free(s);
				return cfg_set_err(c, "'node' requires valid node name - non-empty string with digits(0-9), letters(A-Z, a-z), dot(.), hyphen(-) or underscode(_).");
			}
	}
	free(*dst);
	*dst = s;
	return 0;
}

/* Integer keywords of the global section. */
static int kw_g_int(struct cfg_ctx *c, char **args, int nargs)
{
	struct global *g = &c->cfg->g;
	const char *k = args[0];
	long long v;

	if (nargs < 2 || !*args[1])
		return cfg_set_err(c, "'%s' expects an integer argument.", k);
	if (cfg_no_extra(c, args, nargs, 2))
		return -1;
	if (!strcmp(k, "nbthread")) {
		char *end;
		v = strtoll(args[1], &end, 10);
		if (*end || end == args[1] || v < 1)
			return cfg_set_err(c, "'nbthread' passed a missing or unparsable integer value in '%s'", args[1]);
		if (v != 1)
			return cfg_set_err(c, "'nbthread %lld': only 1 thread is supported for now.", v);
		g->nbthread = 1;
		return 0;
	}
	if (!strcmp(k, "tune.lua.forced-yield") || !strcmp(k, "tune.lua.maxmem")) {
		char *end;
		v = strtoll(args[1], &end, 10);
		if (*end || end == args[1] || v < 0 || v > INT_MAX) {
			if (!strcmp(k, "tune.lua.maxmem"))
				return cfg_set_err(c, "%s: invalid number %s (error at '%s')", k, args[1],
				                   end == args[1] || !*end ? args[1] : end);
			return cfg_set_err(c, "%s: invalid number", k);
		}
		if (!strcmp(k, "tune.lua.maxmem")) {
			g->lua_maxmem = (uint64_t)v << 20;   /* megabytes, as HAProxy */
			return 0;
		}
	} else if (cfg_int_arg(c, k, args[1], 0, INT_MAX, &v))
		return -1;
	if (!strcmp(k, "maxconn")) {
		if (v < 1)
			return cfg_set_err(c, "'maxconn' expects a positive integer argument.");
		g->maxconn = (int)v;
	} else if (!strcmp(k, "uid"))          g->uid = (int)v;
	else if (!strcmp(k, "gid"))            g->gid = (int)v;
	else if (!strcmp(k, "ulimit-n"))       g->ulimit_n = (int)v;
	else if (!strcmp(k, "maxsslconn"))     g->maxsslconn = (int)v;
	else if (!strcmp(k, "tune.maxaccept")) g->tune_maxaccept = (uint32_t)v;
	else if (!strcmp(k, "tune.http.maxhdr")) {
		if (v < 1 || v > 32767)
			return cfg_set_err(c, "'%s' expects a numeric value between 1 and 32767", k);
		g->tune_http_maxhdr = (uint32_t)v;
	} else if (!strcmp(k, "tune.ssl.default-dh-param")) g->tune_ssl_default_dh_param = (uint32_t)v;
	else if (!strcmp(k, "tune.lua.forced-yield")) {
		if (v < 1)
			return cfg_set_err(c, "'%s' expects a positive integer argument.", k);
		g->lua_forced_yield = (uint32_t)v;
	} else if (!strcmp(k, "spread-checks")) {
		if (v > 50)
			return cfg_set_err(c, "'spread-checks' needs a positive value in range 0..50.");
		g->spread_checks = (uint32_t)v;
	}
	return 0;
}

/* Size keywords: tune.bufsize, tune.maxrewrite, tune.recv_enough. */
static int kw_g_size(struct cfg_ctx *c, char **args, int nargs)
{
	struct global *g = &c->cfg->g;
	const char *k = args[0];
	uint64_t v;

	if (nargs < 2 || cfg_parse_size(args[1], &v) < 0)
		return cfg_set_err(c, "'%s' expects a positive integer argument.", k);
	if (cfg_no_extra(c, args, nargs, 2))
		return -1;
	if (!strcmp(k, "tune.bufsize")) {
		if (v < 1024 || v > (1U << 30))
			return cfg_set_err(c, "'%s' expects a positive integer argument between 1024 and 1073741824.", k);
		g->bufsize = (uint32_t)v;
	} else if (!strcmp(k, "tune.maxrewrite")) {
		if (v > (1U << 30))
			return cfg_set_err(c, "'%s' expects a positive integer argument.", k);
		g->maxrewrite = (uint32_t)v;
	} else if (!strcmp(k, "tune.recv_enough")) {
		g->tune_recv_enough = (uint32_t)v;
	}
	return 0;
}

static int kw_g_time(struct cfg_ctx *c, char **args, int nargs)
{
	struct global *g = &c->cfg->g;
	const char *k = args[0];
	uint32_t *dst;

	if (!strcmp(k, "hard-stop-after"))                dst = &g->hard_stop_after;
	else if (!strcmp(k, "tune.lua.session-timeout"))  dst = &g->lua_session_timeout;
	else if (!strcmp(k, "tune.lua.task-timeout"))     dst = &g->lua_task_timeout;
	else if (!strcmp(k, "tune.lua.service-timeout"))  dst = &g->lua_service_timeout;
	else                                              return cfg_set_err(c, "internal error: '%s'", k);
	if (nargs < 2)
		return cfg_set_err(c, "'%s' expects <time> as argument.", k);
	if (cfg_no_extra(c, args, nargs, 2))
		return -1;
	if (strncmp(k, "tune.lua.", 9) == 0 && cfg_parse_time(args[1], dst) < 0)
		return cfg_set_err(c, "%s: invalid timeout", k);
	return cfg_time_arg(c, k, args[1], dst);
}

/* Appends a copy of <s> to the NULL-terminated array <*arr> of <*n> entries. */
static int cfg_strv_push(struct cfg_ctx *c, char ***arr, int *n, const char *s)
{
	char **a = realloc(*arr, (size_t)(*n + 2) * sizeof(*a));

	if (!a)
		return cfg_set_err(c, "out of memory.");
	*arr = a;
	if (!(a[*n] = cfg_strdup(c, s)))
		return -1;
	a[++*n] = NULL;
	return 0;
}

static int kw_g_lua_load(struct cfg_ctx *c, char **args, int nargs)
{
	struct global *g = &c->cfg->g;

	if (nargs < 2 || !*args[1])
		return cfg_set_err(c, "'lua-load' expects a file name as parameter.");
	if (cfg_no_extra(c, args, nargs, 2))
		return -1;
	return cfg_strv_push(c, &g->lua_load, &g->nb_lua_load, args[1]);
}

/* "lua-prepend-path <path> [path|cpath]": stored as "path:<p>" or "cpath:<p>". */
static int kw_g_lua_prepend(struct cfg_ctx *c, char **args, int nargs)
{
	struct global *g = &c->cfg->g;
	const char *type = nargs > 2 ? args[2] : "path";
	char buf[PATH_MAX + 8];

	if (nargs < 2 || !*args[1])
		return cfg_set_err(c, "'lua-prepend-path' expects a path as parameter.");
	if (strcmp(type, "path") && strcmp(type, "cpath"))
		return cfg_set_err(c, "'lua-prepend-path' expects 'path' or 'cpath' as second parameter (got '%s').", type);
	if (cfg_no_extra(c, args, nargs, 3))
		return -1;
	snprintf(buf, sizeof(buf), "%s:%s", type, args[1]);
	return cfg_strv_push(c, &g->lua_prepend_path, &g->nb_lua_prepend, buf);
}

static int kw_g_h1_case(struct cfg_ctx *c, char **args, int nargs)
{
	struct global *g = &c->cfg->g;

	if (nargs != 3)
		return cfg_set_err(c, "'%s' expects exactly 2 arguments <from> and <to>.", args[0]);
	if (strcasecmp(args[1], args[2]))
		return cfg_set_err(c, "'%s': header '%s' and '%s' differ by more than case.", args[0], args[1], args[2]);
	if (cfg_strv_push(c, &g->h1_case_adjust, &g->nb_h1_case_adjust, args[1]))
		return -1;
	return cfg_strv_push(c, &g->h1_case_adjust, &g->nb_h1_case_adjust, args[2]);
}

/* "stats socket <addr> [level L] [mode M] [user U] [group G] [expose-fd listeners]",
 * "stats timeout <t>", "stats maxconn <n>". */
static int kw_g_stats(struct cfg_ctx *c, char **args, int nargs)
{
	struct global *g = &c->cfg->g;
	struct stats_socket *ss, **pp;
	char aerr[256];

	if (nargs >= 2 && !strcmp(args[1], "timeout")) {
		if (nargs < 3)
			return cfg_set_err(c, "'stats timeout' expects a positive value.");
		if (cfg_no_extra(c, args, nargs, 3))
			return -1;
		if (cfg_time_arg(c, "stats timeout", args[2], &g->stats_timeout)) {
			const char *bad = args[2];
			while (*bad >= '0' && *bad <= '9')
				bad++;
			return cfg_set_err(c, "'stats timeout' : unexpected character '%c'", *bad ? *bad : ' ');
		}
		if (!g->stats_timeout)
			return cfg_set_err(c, "'stats timeout' expects a positive value.");
		return 0;
	}
	if (nargs >= 2 && !strcmp(args[1], "maxconn")) {
		long long v;
		return cfg_int_arg(c, "stats maxconn", nargs > 2 ? args[2] : NULL, 1, INT_MAX, &v);
	}
	if (nargs < 2 || strcmp(args[1], "socket"))
		return cfg_set_err(c, "'stats' only supports 'socket', 'maxconn', 'bind-process' and 'timeout' (got '%s').",
		                   nargs > 1 ? args[1] : "");
	if (nargs < 3)
		return cfg_set_err(c, "'stats socket' in global section expects an address or a path to a UNIX socket");
	if (!(ss = calloc(1, sizeof(*ss))))
		return cfg_set_err(c, "out of memory.");
	ss->fd = -1;
	ss->level = 1;   /* "operator", HAProxy's default */
	ss->file = c->file;
	ss->line = c->line;
	if (!strncmp(args[2], "fd@", 3)) {
		char *end;
		long fd = strtol(args[2] + 3, &end, 10);
		if (*end || end == args[2] + 3 || fd < 0) {
			cfg_set_err(c, "'stats socket' : invalid file descriptor '%s'.", args[2]);
			goto fail;
		}
		ss->fd = (int)fd;
	} else if (cfg_parse_addr(args[2], &ss->addr, 1, aerr, sizeof(aerr)) < 0) {
		cfg_set_err(c, "'stats socket' : %s", aerr);
		goto fail;
	}
	for (int i = 3; i < nargs; i++) {
		const char *k = args[i], *v = i + 1 < nargs ? args[i + 1] : NULL;
		if (!strcmp(k, "expose-fd")) {
			if (!v || strcmp(v, "listeners")) {
				cfg_set_err(c, "'stats socket' : 'expose-fd' only supports 'listeners'.");
				goto fail;
			}
			ss->expose_fd = 1;
			i++;
			continue;
		}
		if (!v) {
			cfg_set_err(c, "'stats socket' : '%s' : missing value.", k);
			goto fail;
		}
		i++;
		if (!strcmp(k, "level")) {
			if (!strcmp(v, "user"))          ss->level = 0;
			else if (!strcmp(v, "operator")) ss->level = 1;
			else if (!strcmp(v, "admin"))    ss->level = 2;
			else {
				cfg_set_err(c, "'stats socket' : ''level' only supports 'user', 'operator', and 'admin' (got '%s')'", v);
				goto fail;
			}
		} else if (!strcmp(k, "mode")) {
			char *end;
			unsigned long m = strtoul(v, &end, 8);
			if (*end || m > 07777) {
				cfg_set_err(c, "'stats socket' : 'mode' : invalid mode '%s' (octal expected).", v);
				goto fail;
			}
			ss->mode = (uint32_t)m;
		} else if (!strcmp(k, "user") || !strcmp(k, "uid")) {
			free(ss->user);
			if (!(ss->user = cfg_strdup(c, v)))
				goto fail;
		} else if (!strcmp(k, "group") || !strcmp(k, "gid")) {
			free(ss->group);
			if (!(ss->group = cfg_strdup(c, v)))
				goto fail;
		} else {
			cfg_set_err(c, "'stats socket' : unknown keyword '%s'. Registered keywords : level, mode, user, uid, group, gid, expose-fd.", k);
			goto fail;
		}
	}
	for (pp = &g->stats; *pp; pp = &(*pp)->next)
		;
	*pp = ss;
	return 0;
fail:
	free(ss->user);
	free(ss->group);
	free(ss);
	return -1;
}

static int kw_g_env(struct cfg_ctx *c, char **args, int nargs)
{
	const char *k = args[0];

	if (!strcmp(k, "setenv") || !strcmp(k, "presetenv")) {
		if (nargs < 3)
			return cfg_set_err(c, "'%s' expects a name and a value.", k);
		if (cfg_no_extra(c, args, nargs, 3))
			return -1;
		if (setenv(args[1], args[2], !strcmp(k, "setenv")) < 0)
			return cfg_set_err(c, "'%s': cannot set variable '%s': %s.", k, args[1], strerror(errno));
		return 0;
	}
	if (!strcmp(k, "unsetenv")) {
		if (nargs < 2)
			return cfg_set_err(c, "'%s' expects at least one variable name.", k);
		for (int i = 1; i < nargs; i++)
			unsetenv(args[i]);
		return 0;
	}
	/* resetenv [name...]: keep only the names given */
	{
		extern char **environ;
		char **keep = NULL;
		int nkeep = 0, ret = 0;
		for (int i = 1; i < nargs; i++) {
			const char *v = getenv(args[i]);
			char *kv;
			if (!v)
				continue;
			if (asprintf(&kv, "%s=%s", args[i], v) < 0) {
				ret = cfg_set_err(c, "out of memory.");
				break;
			}
			if (cfg_strv_push(c, &keep, &nkeep, kv)) {
				free(kv);
				ret = -1;
				break;
			}
			free(kv);
		}
		if (!ret) {
			clearenv();
			for (int i = 0; i < nkeep; i++) {
				char *eq = strchr(keep[i], '=');
				*eq = 0;
				setenv(keep[i], eq + 1, 1);
			}
		}
		for (int i = 0; i < nkeep; i++)
			free(keep[i]);
		free(keep);
		return ret;
	}
}

/* "no <kw>" in global: the few negations HAProxy has there. */
static int kw_g_no(struct cfg_ctx *c, char **args, int nargs)
{
	const char *k = nargs > 1 ? args[1] : "";

	if (!strcmp(k, "log")) {
		if (cfg_no_extra(c, args, nargs, 2))
			return -1;
		log_targets_free(c->cfg->g.logs);
		c->cfg->g.logs = NULL;
		return 0;
	}
	if (!strcmp(k, "insecure-fork-wanted")) {
		c->cfg->g.insecure_fork_wanted = 0;
		return 0;
	}
	if (!strcmp(k, "busy-polling") || !strcmp(k, "set-dumpable") || !strcmp(k, "strict-limits") ||
	    !strcmp(k, "numa-cpu-mapping"))
		return 0;     /* their positive form has no effect here either */
	return cfg_set_err(c, "negation/default currently supported only for options, log, busy-polling, set-dumpable, strict-limits, insecure-fork-wanted and numa-cpu-mapping.");
}

/* Keywords HAProxy accepts that have no effect here: a notice, once per line. */
static int kw_g_noeffect(struct cfg_ctx *c, char **args, int nargs)
{
	cfg_notice(c, "'%s' has no effect in ringproxy (ignored).", args[0]);
	return 0;
}

static int kw_g_removed(struct cfg_ctx *c, char **args, int nargs)
{
	if (!strcmp(args[0], "nbproc"))
		return cfg_set_err(c, "nbproc is not supported any more since HAProxy 2.5. Threads will automatically be used on multi-processor machines if available.");
	return cfg_set_err(c, "'%s' is not supported by ringproxy yet.", args[0]);
}

static int kw_g_ssl_options(struct cfg_ctx *c, char **args, int nargs)
{
	struct global *g = &c->cfg->g;
	char **dst = strstr(args[0], "-server-") ? &g->ssl_server_options : &g->ssl_bind_options;
	size_t len = 1;

	if (nargs < 2)
		return cfg_set_err(c, "'%s' expects at least one option.", args[0]);
	for (int i = 1; i < nargs; i++)
		len += strlen(args[i]) + 1;
	free(*dst);
	if (!(*dst = calloc(1, len)))
		return cfg_set_err(c, "out of memory.");
	for (int i = 1; i < nargs; i++) {
		if (i > 1)
			strcat(*dst, " ");
		strcat(*dst, args[i]);
	}
	return 0;
}

static const struct cfg_kw {
	const char *name;
	cfg_kw_fn fn;
} cfg_global_kws[] = {
	{ "daemon",                          kw_g_flag },
	{ "quiet",                           kw_g_flag },
	{ "debug",                           kw_g_flag },
	{ "master-worker",                   kw_g_flag },
	{ "insecure-fork-wanted",            kw_g_flag },
	{ "expose-experimental-directives",  kw_g_flag },
	{ "h1-case-adjust-bogus-client",     kw_g_flag },
	{ "h1-case-adjust-bogus-server",     kw_g_flag },
	{ "pidfile",                         kw_g_string },
	{ "log-tag",                         kw_g_string },
	{ "chroot",                          kw_g_string },
	{ "user",                            kw_g_string },
	{ "group",                           kw_g_string },
	{ "ca-base",                         kw_g_string },
	{ "crt-base",                        kw_g_string },
	{ "ssl-default-bind-ciphers",        kw_g_string },
	{ "ssl-default-bind-ciphersuites",   kw_g_string },
	{ "ssl-default-server-ciphers",      kw_g_string },
	{ "ssl-default-server-ciphersuites", kw_g_string },
	{ "ssl-dh-param-file",               kw_g_string },
	{ "ssl-default-bind-options",        kw_g_ssl_options },
	{ "ssl-default-server-options",      kw_g_ssl_options },
	{ "node",                            kw_g_joined },
	{ "description",                     kw_g_joined },
	{ "nbthread",                        kw_g_int },
	{ "maxconn",                         kw_g_int },
	{ "uid",                             kw_g_int },
	{ "gid",                             kw_g_int },
	{ "ulimit-n",                        kw_g_int },
	{ "maxsslconn",                      kw_g_int },
	{ "spread-checks",                   kw_g_int },
	{ "tune.maxaccept",                  kw_g_int },
	{ "tune.http.maxhdr",                kw_g_int },
	{ "tune.ssl.default-dh-param",       kw_g_int },
	{ "tune.lua.forced-yield",           kw_g_int },
	{ "tune.bufsize",                    kw_g_size },
	{ "tune.maxrewrite",                 kw_g_size },
	{ "tune.recv_enough",                kw_g_size },
	{ "tune.lua.maxmem",                 kw_g_int },
	{ "hard-stop-after",                 kw_g_time },
	{ "tune.lua.session-timeout",        kw_g_time },
	{ "tune.lua.task-timeout",           kw_g_time },
	{ "tune.lua.service-timeout",        kw_g_time },
	{ "lua-load",                        kw_g_lua_load },
	{ "lua-prepend-path",                kw_g_lua_prepend },
	{ "h1-case-adjust",                  kw_g_h1_case },
	{ "stats",                           kw_g_stats },
	{ "setenv",                          kw_g_env },
	{ "presetenv",                       kw_g_env },
	{ "unsetenv",                        kw_g_env },
	{ "resetenv",                        kw_g_env },
	{ "log",                             log_cfg_kw },
	{ "no",                              kw_g_no },
	{ "log-send-hostname",               kw_g_noeffect },
	{ "nosplice",                        kw_g_noeffect },
	{ "noepoll",                         kw_g_noeffect },
	{ "nopoll",                          kw_g_noeffect },
	{ "noreuseport",                     kw_g_noeffect },
	{ "busy-polling",                    kw_g_noeffect },
	{ "set-dumpable",                    kw_g_noeffect },
	{ "strict-limits",                   kw_g_noeffect },
	{ "cpu-map",                         kw_g_noeffect },
	{ "tune.ssl.cachesize",              kw_g_noeffect },
	{ "tune.ssl.lifetime",               kw_g_noeffect },
	{ "tune.ssl.maxrecord",              kw_g_noeffect },
	{ "tune.ssl.capture-buffer-size",    kw_g_noeffect },
	{ "tune.ssl.capture-cipherlist-size", kw_g_noeffect },
	{ "tune.rcvbuf.client",              kw_g_noeffect },
	{ "tune.rcvbuf.server",              kw_g_noeffect },
	{ "tune.sndbuf.client",              kw_g_noeffect },
	{ "tune.sndbuf.server",              kw_g_noeffect },
	{ "tune.idletimer",                  kw_g_noeffect },
	{ "tune.pipesize",                   kw_g_noeffect },
	{ "tune.runqueue-depth",             kw_g_noeffect },
	{ "tune.h2.initial-window-size",     kw_g_noeffect },
	{ "tune.h2.max-concurrent-streams",  kw_g_noeffect },
	{ "grace",                           kw_g_noeffect },
	{ "max-spread-checks",               kw_g_noeffect },
	{ "mworker-max-reloads",             kw_g_noeffect },
	{ "fd-hard-limit",                   kw_g_noeffect },
	{ "tune.vars.global-max-size",       kw_g_noeffect },
	{ "tune.vars.proc-max-size",         kw_g_noeffect },
	{ "tune.vars.reqres-max-size",       kw_g_noeffect },
	{ "tune.vars.sess-max-size",         kw_g_noeffect },
	{ "tune.vars.txn-max-size",          kw_g_noeffect },
	{ "tune.http.cookielen",             kw_g_noeffect },
	{ "tune.http.logurilen",             kw_g_noeffect },
	{ "tune.pattern.cache-size",         kw_g_noeffect },
	{ "tune.buffers.limit",              kw_g_noeffect },
	{ "tune.buffers.reserve",            kw_g_noeffect },
	{ "tune.sched.low-latency",          kw_g_noeffect },
	{ "tune.maxpollevents",              kw_g_noeffect },
	{ "tune.fd.edge-triggered",          kw_g_noeffect },
	{ "tune.idle-pool.shared",           kw_g_noeffect },
	{ "tune.pool-high-fd-ratio",         kw_g_noeffect },
	{ "tune.pool-low-fd-ratio",          kw_g_noeffect },
	{ "tune.comp.maxlevel",              kw_g_noeffect },
	{ "tune.zlib.memlevel",              kw_g_noeffect },
	{ "tune.zlib.windowsize",            kw_g_noeffect },
	{ "no-memory-trimming",              kw_g_noeffect },
	{ "nogetaddrinfo",                   kw_g_noeffect },
	{ "nokqueue",                        kw_g_noeffect },
	{ "noevports",                       kw_g_noeffect },
	{ "profiling.tasks",                 kw_g_noeffect },
	{ "insecure-setuid-wanted",          kw_g_noeffect },
	{ "numa-cpu-mapping",                kw_g_noeffect },
	{ "ssl-default-bind-curves",         kw_g_noeffect },
	{ "ssl-default-server-curves",       kw_g_noeffect },
	{ "ssl-skip-self-issued-ca",         kw_g_noeffect },
	{ "issuers-chain-path",              kw_g_noeffect },
	{ "httpclient.resolvers.id",         kw_g_noeffect },
	{ "httpclient.resolvers.prefer",     kw_g_noeffect },
	{ "httpclient.ssl.ca-file",          kw_g_noeffect },
	{ "httpclient.ssl.verify",           kw_g_noeffect },
	{ "cluster-secret",                  kw_g_noeffect },
	{ "h1-accept-payload-with-any-method", kw_g_noeffect },
	{ "h2-workaround-bogus-websocket-clients", kw_g_noeffect },
	{ "tune.h2.header-table-size",       kw_g_noeffect },
	{ "tune.ssl.hard-maxrecord",         kw_g_noeffect },
	{ "tune.ssl.keylog",                 kw_g_noeffect },
	{ "tune.ssl.ssl-ctx-cache-size",     kw_g_noeffect },
	{ "tune.fail-alloc",                 kw_g_noeffect },
	{ "tune.peers.max-updates-at-once",  kw_g_noeffect },
	{ "pp2-never-send-local",            kw_g_noeffect },
	{ "zero-warning",                    kw_g_noeffect },
	{ "maxconnrate",                     kw_g_removed },
	{ "maxsessrate",                     kw_g_removed },
	{ "maxsslrate",                      kw_g_removed },
	{ "maxcomprate",                     kw_g_removed },
	{ "maxpipes",                        kw_g_removed },
	{ "maxzlibmem",                      kw_g_removed },
	{ "maxcompcpuusage",                 kw_g_removed },
	{ "set-var",                         kw_g_removed },
	{ "default-path",                    kw_g_removed },
	{ "h1-case-adjust-file",             kw_g_removed },
	{ "ssl-provider",                    kw_g_removed },
	{ "ssl-provider-path",               kw_g_removed },
	{ "ssl-propquery",                   kw_g_removed },
	{ "nbproc",                          kw_g_removed },
	{ "server-state-file",               kw_g_removed },
	{ "server-state-base",               kw_g_removed },
	{ "localpeer",                       kw_g_removed },
	{ "lua-load-per-thread",             kw_g_removed },
	{ "unix-bind",                       kw_g_removed },
	{ "external-check",                  kw_g_removed },
	{ "ssl-engine",                      kw_g_removed },
	{ "ssl-mode-async",                  kw_g_removed },
	{ "ssl-server-verify",               kw_g_removed },
	{ "tune.ssl.force-private-cache",    kw_g_removed },
	{ NULL, NULL }
};

/* ---- sections and files ---- */

/* Sections HAProxy has and ringproxy does not: the header is an error and
 * the section's lines are skipped without further messages. */
static const char *const cfg_unsupported_sections[] = {
	"userlist", "peers", "resolvers", "cache", "ring", "program", "mailers",
	"http-errors", "fcgi-app", "crt-store", "traces", "dynamic-update", NULL
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
	cfg_alert(&r->c, "%s", r->c.err);
	r->c.err[0] = 0;
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
		for (const struct cfg_kw *kw = cfg_global_kws; kw->name; kw++)
			if (!strcmp(kw->name, k)) {
				c->err[0] = 0;
				if (kw->fn(c, args, nargs) < 0)
					cfg_error(r);
				return;
			}
		cfg_set_err(c, "unknown keyword '%s' in 'global' section", k);
		cfg_error(r);
		return;
	case CFG_SEC_DEFAULTS:
	case CFG_SEC_FRONTEND:
	case CFG_SEC_BACKEND:
	case CFG_SEC_LISTEN:
		c->err[0] = 0;
		switch (cfg_proxy_kw(c, args, nargs)) {
		case 0:  break;
		case -2: r->errors++; break;   /* printed by the keyword itself */
		default: cfg_error(r); break;
		}
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
			if (!(o2 = realloc(out, n * 4 + 256)))
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
		/* 4x the line plus room for environment values */
		nargs = cfg_tokenize(line, out, n * 4 + 256, args, CFG_MAX_ARGS, c->err, sizeof(c->err));
		if (nargs < 0) {
			rp_alert("config : parsing [%s:%d]: %s", c->file, c->line, c->err);
			c->err[0] = 0;
			r->errors++;
			continue;
		}
		if (nargs == 0 || !*args[0])
			continue;
		args[nargs] = NULL;
		/* "no option x" / "default option x" keep args[0] for the proxy parser */
		cfg_line(r, args, nargs);
	}
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
	g->nbthread = 1;
	g->maxconn = 4096;
	g->bufsize = 16384;
	g->maxrewrite = 1024;
	g->lua_forced_yield = 10000;
	g->lua_session_timeout = 4000;
	g->lua_task_timeout = 0;
	g->lua_service_timeout = 4000;
	g->stats_timeout = 10000;
	g->uid = g->gid = -1;
	g->tune_http_maxhdr = 101;
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
	errors += cfg_proxy_resolve(cfg);
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
	for (struct stats_socket *ss = g->stats, *sn; ss; ss = sn) {
		sn = ss->next;
		free(ss->user);
		free(ss->group);
		free(ss);
	}
	log_targets_free(g->logs);
	for (int i = 0; i < g->nb_lua_load; i++)
		free(g->lua_load[i]);
	free(g->lua_load);
	for (int i = 0; i < g->nb_lua_prepend; i++)
		free(g->lua_prepend_path[i]);
	free(g->lua_prepend_path);
	for (int i = 0; i < g->nb_h1_case_adjust; i++)
		free(g->h1_case_adjust[i]);
	free(g->h1_case_adjust);
	free(g->pidfile);
	free(g->log_tag);
	free(g->node);
	free(g->desc);
	free(g->chroot);
	free(g->user);
	free(g->group);
	free(g->ca_base);
	free(g->crt_base);
	free(g->ssl_bind_ciphers);
	free(g->ssl_bind_ciphersuites);
	free(g->ssl_bind_options);
	free(g->ssl_server_ciphers);
	free(g->ssl_server_ciphersuites);
	free(g->ssl_server_options);
	free(g->ssl_dh_param_file);
	memset(cfg, 0, sizeof(*cfg));
}
