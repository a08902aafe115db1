/* cfg_cond.c: conditional blocks of configuration files (".if" and
 * friends) and their expressions: integers, predicates (defined, feature,
 * streq, strneq, version_atleast, version_before), '!', '&&', '||' and
 * parentheses, with '&&' binding tighter than '||', as in HAProxy 2.6.
 * ringproxy answers version predicates as HAProxy 2.6.0 would, since
 * that is the behaviour it reproduces. */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/cfg_cond.h"
#include "engine/log.h"

/* What feature(<name>) finds ("ringproxy -vv" lists the same). */
static const char *const cfg_features[] = {
	"IO_URING", "LUA", "WOLFSSL", "HYPERSCAN", "PCRE2", "PCRE2_JIT",
	"OPENSSL",    /* HAProxy's name for "the ssl keywords work": served by wolfSSL here */
	NULL
};

/* HAProxy version whose behaviour ringproxy reproduces. */
static const int cfg_version[4] = { 2, 6, 0, INT_MAX };

/* A recursive-descent parser over the joined condition text. */
struct cond_parser {
	const char *s;      /* whole text */
	const char *p;      /* cursor */
	char *err;
	size_t errlen;
	int failed;
};

static void cond_fail(struct cond_parser *cp, const char *at, const char *fmt, const char *what)
{
	char msg[768];

	if (cp->failed)
		return;
	cp->failed = 1;
	snprintf(msg, sizeof(msg), fmt, what);
	snprintf(cp->err, cp->errlen, "%s in '.if' at position %d:\n  .if %s\n  %*s^", msg,
	         (int)(at - cp->s) + 1, cp->s, (int)(at - cp->s) + 4, "");
}

static void cond_skip(struct cond_parser *cp)
{
	while (*cp->p == ' ' || *cp->p == '\t')
		cp->p++;
}

/* Parses "X.Y.Z[-devN]" into <v>. Returns 0 or -1. */
static int cond_version(const char *s, int v[4])
{
	v[0] = v[1] = v[2] = 0;
	v[3] = INT_MAX;
	if (!isdigit((unsigned char)*s))
		return -1;
	for (int i = 0; i < 3 && isdigit((unsigned char)*s); i++) {
		v[i] = atoi(s);
		while (isdigit((unsigned char)*s))
			s++;
		if (*s != '.')
			break;
		s++;
	}
	if (!strncmp(s, "-dev", 4)) {
		v[3] = atoi(s + 4);
		s += 4;
		while (isdigit((unsigned char)*s))
			s++;
	}
	return *s && *s != '-' ? -1 : 0;
}

static int cond_vcmp(const int a[4], const int b[4])
{
	for (int i = 0; i < 4; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return 0;
}

/* Evaluates predicate <name> on its arguments. Returns 0/1, or -1. */
static int cond_predicate(struct cond_parser *cp, const char *at, const char *name, char args[2][256],
                          int nargs)
{
	static const struct { const char *name; int nargs; } preds[] = {
		{ "defined", 1 }, { "feature", 1 }, { "streq", 2 }, { "strneq", 2 },
		{ "version_atleast", 1 }, { "version_before", 1 },
	};
	int want = -1, v[4];
	char m[640];

	for (size_t i = 0; i < sizeof(preds) / sizeof(preds[0]); i++)
		if (!strcmp(preds[i].name, name))
			want = preds[i].nargs;
	if (want < 0) {
		cond_fail(cp, at, "unparsable conditional expression '%s'", at);
		return -1;
	}
	if (nargs < want) {
		snprintf(m, sizeof(m), "missing arguments (got %d/%d), type 'string' expected in argument %d of predicate '%s' used in conditional expression",
		         nargs, want, nargs, name);
		cond_fail(cp, cp->p - 1, "%s", m);
		return -1;
	}
	if (nargs > want) {
		snprintf(m, sizeof(m), "too many arguments for predicate '%s' used in conditional expression", name);
		cond_fail(cp, at, "%s", m);
		return -1;
	}
	if (!strcmp(name, "defined"))
		return getenv(args[0]) != NULL;
	if (!strcmp(name, "feature")) {
		for (int i = 0; cfg_features[i]; i++)
			if (!strcmp(cfg_features[i], args[0]))
				return 1;
		return 0;
	}
	if (!strcmp(name, "streq"))
		return strcmp(args[0], args[1]) == 0;
	if (!strcmp(name, "strneq"))
		return strcmp(args[0], args[1]) != 0;
	if (cond_version(args[0], v) < 0) {
		cond_fail(cp, at, "unparsable version '%s' in conditional expression", args[0]);
		return -1;
	}
	if (!strcmp(name, "version_atleast"))
		return cond_vcmp(cfg_version, v) >= 0;
	return cond_vcmp(cfg_version, v) < 0;
}

static int cond_expr(struct cond_parser *cp);

/* term := integer | predicate[(args)] | '(' expr ')' | '!' term */
static int cond_term(struct cond_parser *cp)
{
	const char *at;
	char name[64], args[2][256];
	int n = 0, nargs = 0, r;

	cond_skip(cp);
	at = cp->p;
	if (*cp->p == '!') {
		cp->p++;
		r = cond_term(cp);
		return r < 0 ? r : !r;
	}
	if (*cp->p == '(') {
		cp->p++;
		r = cond_expr(cp);
		if (r < 0)
			return r;
		cond_skip(cp);
		if (*cp->p != ')') {
			cond_fail(cp, at, "expected ')' after conditional expression '%s'", at);
			return -1;
		}
		cp->p++;
		return r;
	}
	if (isdigit((unsigned char)*cp->p) || (*cp->p == '-' && isdigit((unsigned char)cp->p[1]))) {
		long v = strtol(cp->p, (char **)&cp->p, 10);
		if (isalpha((unsigned char)*cp->p) || *cp->p == '_') {
			cond_fail(cp, at, "unparsable conditional expression '%s'", at);
			return -1;
		}
		return v != 0;
	}
	while ((isalnum((unsigned char)*cp->p) || *cp->p == '_') && n < (int)sizeof(name) - 1)
		name[n++] = *cp->p++;
	name[n] = 0;
	if (!n || *cp->p != '(') {
		cond_fail(cp, at, "unparsable conditional expression '%s'", at);
		return -1;
	}
	cp->p++;
	/* arguments: raw text separated by ',' up to ')' */
	for (;;) {
		size_t l = 0;
		if (*cp->p == ')' && nargs == 0) {
			cp->p++;
			break;
		}
		if (nargs == 2) {
			nargs++;    /* too many: let the predicate say so */
			break;
		}
		while (*cp->p && *cp->p != ',' && *cp->p != ')' && l < sizeof(args[0]) - 1)
			args[nargs][l++] = *cp->p++;
		args[nargs][l] = 0;
		nargs++;
		if (*cp->p == ',') {
			cp->p++;
			continue;
		}
		if (*cp->p != ')') {
			cond_fail(cp, at, "unterminated arguments in conditional expression '%s'", at);
			return -1;
		}
		cp->p++;
		break;
	}
	return cond_predicate(cp, at, name, args, nargs);
}

/* and := term ('&&' term)* ; both sides are parsed even when the result is known */
static int cond_and(struct cond_parser *cp)
{
	int r = cond_term(cp);

	for (;;) {
		int r2;
		cond_skip(cp);
		if (r < 0 || strncmp(cp->p, "&&", 2))
			return r;
		cp->p += 2;
		cond_skip(cp);
		if (!*cp->p) {
			cond_fail(cp, cp->p - 2, "unparsable conditional expression '%s'", cp->p - 2);
			return -1;
		}
		r2 = cond_term(cp);
		if (r2 < 0)
			return r2;
		r = r && r2;
	}
}

/* expr := and ('||' and)* */
static int cond_expr(struct cond_parser *cp)
{
	int r = cond_and(cp);

	for (;;) {
		int r2;
		cond_skip(cp);
		if (r < 0 || strncmp(cp->p, "||", 2))
			return r;
		cp->p += 2;
		cond_skip(cp);
		if (!*cp->p) {
			cond_fail(cp, cp->p - 2, "unparsable conditional expression '%s'", cp->p - 2);
			return -1;
		}
		r2 = cond_and(cp);
		if (r2 < 0)
			return r2;
		r = r || r2;
	}
}

int cfg_cond_eval(char **args, int nargs, char *err, size_t errlen)
{
	char text[1024];
	size_t len = 0;
	struct cond_parser cp;
	int r;

	text[0] = 0;
	for (int i = 0; i < nargs; i++) {
		int n = snprintf(text + len, sizeof(text) - len, "%s%s", i ? " " : "", args[i]);
		if (n < 0 || (size_t)n >= sizeof(text) - len) {
			snprintf(err, errlen, "conditional expression too long");
			return -1;
		}
		len += (size_t)n;
	}
	cp.s = cp.p = text;
	cp.err = err;
	cp.errlen = errlen;
	cp.failed = 0;
	cond_skip(&cp);
	if (!*cp.p)
		return 0;          /* an empty condition is false */
	r = cond_expr(&cp);
	if (r >= 0) {
		cond_skip(&cp);
		if (*cp.p) {
			cond_fail(&cp, cp.p, "unparsable conditional expression '%s'", cp.p);
			return -1;
		}
	}
	return r;
}

int cfg_cond_active(const struct cfg_cond_stack *st)
{
	return st->depth == 0 || st->lvl[st->depth - 1].active;
}

int cfg_cond_directive(struct cfg_cond_stack *st, char **args, int nargs, const char *file, int line)
{
	const char *k = args[0];
	char err[1536];
	int r;

	if (!strcmp(k, ".if")) {
		int pa = cfg_cond_active(st);
		if (st->depth >= CFG_COND_MAX_DEPTH) {
			rp_alert("config : parsing [%s:%d]: too many nested '.if', max level is %d.", file, line,
			         CFG_COND_MAX_DEPTH);
			return -1;
		}
		st->lvl[st->depth].parent_active = pa;
		st->lvl[st->depth].active = 0;
		st->lvl[st->depth].taken = !pa;    /* an inactive parent: no branch runs */
		st->lvl[st->depth].in_else = 0;
		st->lvl[st->depth].line = line;
		st->depth++;
		if (!pa)
			return 0;
		r = cfg_cond_eval(args + 1, nargs - 1, err, sizeof(err));
		if (r < 0) {
			rp_alert("config : parsing [%s:%d]: %s", file, line, err);
			st->lvl[st->depth - 1].taken = 1;
			return -1;
		}
		st->lvl[st->depth - 1].active = r;
		st->lvl[st->depth - 1].taken = r;
		return 0;
	}
	if (!strcmp(k, ".elif") || !strcmp(k, ".else") || !strcmp(k, ".endif")) {
		if (!st->depth) {
			rp_alert("config : parsing [%s:%d]: lone '%s' with no matching '.if'.", file, line, k);
			return -1;
		}
		if (!strcmp(k, ".endif")) {
			st->depth--;
			return 0;
		}
		if (st->lvl[st->depth - 1].in_else) {
			rp_alert("config : parsing [%s:%d]: '%s' after '.else' is not permitted.", file, line, k);
			return -1;
		}
		if (!strcmp(k, ".else")) {
			st->lvl[st->depth - 1].in_else = 1;
			st->lvl[st->depth - 1].active = !st->lvl[st->depth - 1].taken;
			st->lvl[st->depth - 1].taken = 1;
			return 0;
		}
		st->lvl[st->depth - 1].active = 0;
		if (st->lvl[st->depth - 1].taken)
			return 0;
		r = cfg_cond_eval(args + 1, nargs - 1, err, sizeof(err));
		if (r < 0) {
			rp_alert("config : parsing [%s:%d]: %s", file, line, err);
			st->lvl[st->depth - 1].taken = 1;
			return -1;
		}
		st->lvl[st->depth - 1].active = r;
		st->lvl[st->depth - 1].taken = r;
		return 0;
	}
	if (!cfg_cond_active(st))
		return 0;
	if (!strcmp(k, ".notice") || !strcmp(k, ".warning") || !strcmp(k, ".alert") || !strcmp(k, ".diag")) {
		const char *msg = nargs > 1 ? args[1] : "";
		if (!strcmp(k, ".notice"))
			rp_notice("config : parsing [%s:%d]: '%s'.", file, line, msg);
		else if (!strcmp(k, ".warning"))
			rp_warning("config : parsing [%s:%d]: '%s'.", file, line, msg);
		else if (!strcmp(k, ".alert")) {
			rp_alert("config : parsing [%s:%d]: '%s'.", file, line, msg);
			return -1;
		}
		return 0;          /* .diag: only in diagnostic mode, which ringproxy has not */
	}
	rp_alert("config : parsing [%s:%d]: unknown directive '%s'.", file, line, k);
	return -1;
}

int cfg_cond_end(struct cfg_cond_stack *st, const char *file)
{
	int ret = 0;

	while (st->depth > 0) {
		st->depth--;
		rp_alert("config : parsing [%s:%d]: non-terminated '.if' block.", file, st->lvl[st->depth].line);
		ret = -1;
	}
	return ret;
}
