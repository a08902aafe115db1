/* arith.c: the converters on integers, dates and addresses — saturating
 * arithmetic and bit logic (operands may be variables), booleans, date
 * formatting (ltime, utime, http_date), ipmask, and the proxy-state
 * converters taking a backend name (nbsrv, srv_queue). String and binary
 * converters are in conv.c. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <time.h>

#include "engine/sample.h"
#include "engine/stream.h"
#include "engine/vars.h"

/* Starts a result string in a scratch buffer. Returns the buffer or NULL. */
static char *out_begin(size_t *size)
{
	return smp_trash(size);
}

static void out_end(struct sample *smp, char *p, size_t len, size_t size, enum smp_type t)
{
	smp->type = t;
	smp->flags &= ~SMP_F_CONST;
	smp->u.str.ptr = p;
	smp->u.str.len = len;
	smp->u.str.size = size;
}

/* Reads integer argument <a> (an integer, or a variable cast to one) into
 * *<v>. Returns 1, or 0 when the variable is missing or not numeric. */
static int arg_sint(const struct arg *a, const struct smp_ctx *ctx, int64_t *v)
{
	struct sample tmp;
	const struct var_ref *ref;

	if (a->type == ARGT_SINT) {
		*v = a->u.sint;
		return 1;
	}
	if (a->type != ARGT_VAR)
		return 0;
	ref = a->u.ptr;
	if (!vars_get(vars_of(ctx->strm, ref->scope), ref, &tmp) || !sample_cast(&tmp, SMP_T_SINT))
		return 0;
	*v = tmp.u.sint;
	return 1;
}

/* --- arithmetic and logic --- */

static int64_t arith_add(int64_t a, int64_t b)
{
	if ((a ^ b) >= 0) {
		if (a < 0) {
			if (LLONG_MIN - a > b)
				return LLONG_MIN;
		} else if (LLONG_MAX - a < b) {
			return LLONG_MAX;
		}
	}
	return a + b;
}

static int cv_add(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	int64_t v;

	if (!arg_sint(&args[0], ctx, &v))
		return 0;
	smp->u.sint = arith_add(smp->u.sint, v);
	return 1;
}

static int cv_sub(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	int64_t v;

	if (!arg_sint(&args[0], ctx, &v))
		return 0;
	if (v == LLONG_MIN) {
		/* -LLONG_MIN does not exist: add LLONG_MAX, then one more */
		smp->u.sint = arith_add(smp->u.sint, LLONG_MAX);
		if (smp->u.sint < LLONG_MAX)
			smp->u.sint++;
		return 1;
	}
	smp->u.sint = arith_add(smp->u.sint, -v);
	return 1;
}

static int cv_mul(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	int64_t a = smp->u.sint, b, c;

	if (!arg_sint(&args[0], ctx, &b))
		return 0;
	if (!a || !b) {
		smp->u.sint = 0;
		return 1;
	}
	if (__builtin_mul_overflow(a, b, &c))
		c = (a < 0) == (b < 0) ? LLONG_MAX : LLONG_MIN;
	smp->u.sint = c;
	return 1;
}

static int cv_div(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	int64_t b;

	if (!arg_sint(&args[0], ctx, &b))
		return 0;
	if (!b)
		smp->u.sint = LLONG_MAX;
	else if (smp->u.sint == LLONG_MIN && b == -1)
		smp->u.sint = LLONG_MAX;
	else
		smp->u.sint /= b;
	return 1;
}

static int cv_mod(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	int64_t b;

	if (!arg_sint(&args[0], ctx, &b))
		return 0;
	if (!b || (smp->u.sint == LLONG_MIN && b == -1))
		smp->u.sint = 0;
	else
		smp->u.sint %= b;
	return 1;
}

static int cv_neg(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	smp->u.sint = smp->u.sint == LLONG_MIN ? LLONG_MAX : -smp->u.sint;
	return 1;
}

static int cv_and(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	int64_t v;

	if (!arg_sint(&args[0], ctx, &v))
		return 0;
	smp->u.sint &= v;
	return 1;
}

static int cv_or(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	int64_t v;

	if (!arg_sint(&args[0], ctx, &v))
		return 0;
	smp->u.sint |= v;
	return 1;
}

static int cv_xor(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	int64_t v;

	if (!arg_sint(&args[0], ctx, &v))
		return 0;
	smp->u.sint ^= v;
	return 1;
}

static int cv_cpl(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	smp->u.sint = ~smp->u.sint;
	return 1;
}

static int cv_bool(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	smp_set_bool(smp, smp->u.sint != 0);
	return 1;
}

static int cv_not(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	smp_set_bool(smp, smp->u.sint == 0);
	return 1;
}

static int cv_odd(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	smp_set_bool(smp, smp->u.sint & 1);
	return 1;
}

static int cv_even(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	smp_set_bool(smp, !(smp->u.sint & 1));
	return 1;
}

/* Argument 0 is "an integer or a variable name", as HAProxy's operators. */
static int chk_operator(struct arg *args, char *err, size_t errlen)
{
	char tmp[256];
	const char *s;
	char *endp;
	long long v;

	if (sample_check_var(args, tmp, sizeof(tmp)) == 0)
		return 0;
	s = args[0].u.str.ptr;
	v = strtoll(s, &endp, 10);
	if (!*s || isspace((unsigned char)*s) || *endp) {
		snprintf(err, errlen, "expects an integer or a variable name");
		return -1;
	}
	free(args[0].u.str.ptr);
	args[0].type = ARGT_SINT;
	args[0].u.sint = v;
	return 0;
}

/* --- addresses --- */

/* ipmask(mask4[,mask6]): the address with its host bits cleared. A
 * v4-mapped IPv6 address is reduced to IPv4 first; another IPv6 address
 * needs <mask6>. The input was cast to an address (SMP_T_ADDR). */
static int cv_ipmask(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	if (smp->type == SMP_T_IPV6) {
		struct sample t = *smp;

		if (sample_cast(&t, SMP_T_IPV4))
			*smp = t;
	}
	if (smp->type == SMP_T_IPV4) {
		smp->u.ipv4.s_addr &= args[0].u.ipv4.s_addr;
		return 1;
	}
	if (smp->type == SMP_T_IPV6) {
		if (args[1].type != ARGT_IPV6)
			return 0;
		for (int i = 0; i < 16; i++)
			smp->u.ipv6.s6_addr[i] &= args[1].u.ipv6.s6_addr[i];
		return 1;
	}
	return 0;
}

/* --- proxies named at run time --- */

/* nbsrv: the usable servers of the backend named by the input string. */
static int cv_nbsrv(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	struct config *cfg = sample_config();
	char name[256];
	struct proxy *px;
	int act = 0, bck = 0;

	if (!cfg || smp->u.str.len >= sizeof(name))
		return 0;
	memcpy(name, smp->u.str.ptr, smp->u.str.len);
	name[smp->u.str.len] = 0;
	px = proxy_find(cfg, name, PX_CAP_BE);
	if (!px)
		return 0;
	for (const struct server *s = px->srv; s; s = s->next) {
		if (server_is_usable(s))
			s->backup ? bck++ : act++;
	}
	smp_set_sint(smp, act ? act : bck ? 1 : 0);
	return 1;
}

/* srv_queue: the queue length of the server named "backend/server". */
static int cv_srv_queue(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	struct config *cfg = sample_config();
	char name[512], *slash;
	struct proxy *px;
	struct server *srv;

	if (!cfg || smp->u.str.len >= sizeof(name))
		return 0;
	memcpy(name, smp->u.str.ptr, smp->u.str.len);
	name[smp->u.str.len] = 0;
	slash = strchr(name, '/');
	if (!slash)
		return 0;
	*slash = 0;
	px = proxy_find(cfg, name, PX_CAP_BE);
	srv = px ? server_find(px, slash + 1) : NULL;
	if (!srv)
		return 0;
	smp_set_sint(smp, srv->nb_queued);
	return 1;
}

/* --- time --- */

static int time_fmt(const struct arg *args, struct sample *smp, int local)
{
	time_t t = (time_t)(smp->u.sint & 0x007fffffffffffffLL);
	struct tm tm;
	size_t size, n;
	char *p;

	if (args[1].type == ARGT_SINT)
		t += args[1].u.sint;
	if (local ? !localtime_r(&t, &tm) : !gmtime_r(&t, &tm))
		return 0;
	p = out_begin(&size);
	if (!p)
		return 0;
	n = strftime(p, size, args[0].u.str.ptr, &tm);
	out_end(smp, p, n, size, SMP_T_STR);
	return 1;
}

static int cv_ltime(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	return time_fmt(args, smp, 1);
}

static int cv_utime(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	return time_fmt(args, smp, 0);
}

/* http_date([offset[,unit]]): an IMF-fixdate (RFC 7231) of the input
 * time in seconds, or ms/us with the fraction appended as HAProxy does. */
static int cv_http_date(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	static const char day[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char mon[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	int64_t v = smp->u.sint, frac = 0;
	int unit = args[1].type == ARGT_SINT ? (int)args[1].u.sint : 0;   /* 0 s, 1 ms, 2 us */
	time_t t;
	struct tm tm;
	size_t size;
	char *p;
	int n;

	if (args[0].type == ARGT_SINT)
		v += args[0].u.sint;
	if (unit == 1) {
		frac = v % 1000;
		v /= 1000;
	} else if (unit == 2) {
		frac = v % 1000000;
		v /= 1000000;
	}
	t = (time_t)(v & 0x007fffffffffffffLL);
	if (!gmtime_r(&t, &tm) || !(p = out_begin(&size)))
		return 0;
	if (unit)
		n = snprintf(p, size, "%s, %02d %s %04d %02d:%02d:%02d.%lld GMT", day[tm.tm_wday], tm.tm_mday,
		             mon[tm.tm_mon], 1900 + tm.tm_year, tm.tm_hour, tm.tm_min, tm.tm_sec, (long long)frac);
	else
		n = snprintf(p, size, "%s, %02d %s %04d %02d:%02d:%02d GMT", day[tm.tm_wday], tm.tm_mday,
		             mon[tm.tm_mon], 1900 + tm.tm_year, tm.tm_hour, tm.tm_min, tm.tm_sec);
	out_end(smp, p, n, size, SMP_T_STR);
	return 1;
}

static int chk_time_unit(struct arg *args, char *err, size_t errlen)
{
	if (args[1].type == ARGT_STR) {
		const char *u = args[1].u.str.ptr;
		int unit = !strcmp(u, "s") ? 0 : !strcmp(u, "ms") ? 1 : !strcmp(u, "us") ? 2 : -1;

		if (unit < 0) {
			snprintf(err, errlen, "expects 's', 'ms' or 'us', got '%s'", u);
			return -1;
		}
		free(args[1].u.str.ptr);
		args[1].type = ARGT_SINT;
		args[1].u.sint = unit;
	}
	return 0;
}

#define S SMP_T_STR
#define I SMP_T_SINT
#define A SMP_T_ANY

const struct sample_conv smp_conv_arith_table[] = {
	{ "add",       cv_add,       ARG1(1, STR),            chk_operator, I, I, NULL },
	{ "and",       cv_and,       ARG1(1, STR),            chk_operator, I, I, NULL },
	{ "bool",      cv_bool,      ARG0,                    0,            I, SMP_T_BOOL, NULL },
	{ "cpl",       cv_cpl,       ARG0,                    0,            I, I, NULL },
	{ "div",       cv_div,       ARG1(1, STR),            chk_operator, I, I, NULL },
	{ "even",      cv_even,      ARG0,                    0,            I, SMP_T_BOOL, NULL },
	{ "http_date", cv_http_date, ARG2(0, SINT, STR),      chk_time_unit, I, S, NULL },
	{ "ipmask",    cv_ipmask,    ARG2(1, MSK4, MSK6),    0,            SMP_T_ADDR, SMP_T_IPV4, NULL },
	{ "ltime",     cv_ltime,     ARG2(1, STR, SINT),      0,            I, S, NULL },
	{ "mod",       cv_mod,       ARG1(1, STR),            chk_operator, I, I, NULL },
	{ "mul",       cv_mul,       ARG1(1, STR),            chk_operator, I, I, NULL },
	{ "nbsrv",     cv_nbsrv,     ARG0,                    0,            S, I, NULL },
	{ "neg",       cv_neg,       ARG0,                    0,            I, I, NULL },
	{ "not",       cv_not,       ARG0,                    0,            I, SMP_T_BOOL, NULL },
	{ "odd",       cv_odd,       ARG0,                    0,            I, SMP_T_BOOL, NULL },
	{ "or",        cv_or,        ARG1(1, STR),            chk_operator, I, I, NULL },
	{ "srv_queue", cv_srv_queue, ARG0,                    0,            S, I, NULL },
	{ "sub",       cv_sub,       ARG1(1, STR),            chk_operator, I, I, NULL },
	{ "utime",     cv_utime,     ARG2(1, STR, SINT),      0,            I, S, NULL },
	{ "xor",       cv_xor,       ARG1(1, STR),            chk_operator, I, I, NULL },
	{ NULL, NULL, 0, 0, 0, 0, NULL }
};
