/* map.c: the map converters — map(file[,default]) and
 * map_<match>[_<output>](file[,default]) — looking the input up in a map
 * file of the pattern module (engine/pattern.c, shared with ACLs, Lua's
 * Map class and the management socket) and returning the value as a
 * string, an integer or an address. The file is loaded and compiled for
 * the match kind when the expression is parsed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "engine/sample.h"
#include "engine/pattern.h"
#include "regex/rx.h"

/* Parses a map value as an integer: optional sign and decimal digits, the
 * whole string. Returns 1 or 0. */
static int value_int(const char *v, int64_t *out)
{
	char *end;
	long long n;

	if (!*v)
		return 0;
	n = strtoll(v, &end, 10);
	if (*end || (*v != '-' && *v != '+' && (*v < '0' || *v > '9')))
		return 0;
	*out = n;
	return 1;
}

/* Parses a map value as an address into <smp>. Returns 1 or 0. */
static int value_ip(const char *v, struct sample *smp)
{
	if (inet_pton(AF_INET, v, &smp->u.ipv4) == 1) {
		smp->type = SMP_T_IPV4;
		return 1;
	}
	if (inet_pton(AF_INET6, v, &smp->u.ipv6) == 1) {
		smp->type = SMP_T_IPV6;
		return 1;
	}
	return 0;
}

/* The converter: args[0] is the compiled map (ARGT_MAP, a struct pat_expr
 * owned by its list), args[1] the default (STR, SINT, IPV4 or IPV6 after
 * the check). The output type comes from ctx->priv. */
static int cv_map(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	enum smp_type out = *(const enum smp_type *)ctx->priv;
	const struct pat_entry *e;
	const char *v;

	if (args[0].type != ARGT_MAP || !args[0].u.ptr)
		return 0;
	e = pat_expr_lookup(args[0].u.ptr, smp);
	if (e) {
		v = pat_entry_value(e);
		if (!v) {
			smp_set_sint(smp, 1);
			return 1;
		}
		switch (out) {
		case SMP_T_SINT: {
			int64_t n;

			if (!value_int(v, &n))
				return 0;
			smp_set_sint(smp, n);
			return 1;
		}
		case SMP_T_IPV4:
			smp->flags &= SMP_F_KEEP;
			return value_ip(v, smp);
		default:
			/* points into the map entry: valid until the map changes,
			 * which the caller's use of the result precedes */
			smp_set_const_str(smp, v, strlen(v));
			return 1;
		}
	}
	switch (args[1].type) {
	case ARGT_STR:
		smp_set_const_str(smp, args[1].u.str.ptr, args[1].u.str.len);
		return 1;
	case ARGT_SINT:
		smp_set_sint(smp, args[1].u.sint);
		return 1;
	case ARGT_IPV4:
		smp->type = SMP_T_IPV4;
		smp->flags &= SMP_F_KEEP;
		smp->u.ipv4 = args[1].u.ipv4;
		return 1;
	case ARGT_IPV6:
		smp->type = SMP_T_IPV6;
		smp->flags &= SMP_F_KEEP;
		smp->u.ipv6 = args[1].u.ipv6;
		return 1;
	default:
		return 0;
	}
}

struct map_chk_ctx {
	enum smp_type out;
	const char *bad;
	const char *file;
};

static int check_value(const struct pat_entry *e, void *arg)
{
	struct map_chk_ctx *c = arg;
	const char *v = pat_entry_value(e);
	struct sample tmp;
	int64_t n;

	if (!v)
		return 0;
	if ((c->out == SMP_T_SINT && !value_int(v, &n)) || (c->out == SMP_T_IPV4 && !value_ip(v, &tmp))) {
		c->bad = v;
		return 1;
	}
	return 0;
}

/* Loads the map file named by args[0] for match kind <m>, checks every
 * value against the output type <out>, converts the default. Returns 0 or
 * -1 with a message in <err>. */
static int map_check(struct arg *args, enum pat_match m, enum smp_type out, char *err, size_t errlen)
{
	struct pat_list *l;
	struct pat_expr *x;
	struct map_chk_ctx c = { .out = out };
	char why[512];

	if (args[0].type != ARGT_STR || !args[0].u.str.len) {
		snprintf(err, errlen, "missing map file name");
		return -1;
	}
	l = pat_list_load(args[0].u.str.ptr, 1, why, sizeof(why));
	if (!l) {
		snprintf(err, errlen, "%s", why);
		return -1;
	}
	x = pat_expr_get(l, m, 0, why, sizeof(why));
	if (!x) {
		snprintf(err, errlen, "%s", why);
		return -1;
	}
	c.file = args[0].u.str.ptr;
	pat_list_foreach(l, check_value, &c);
	if (c.bad) {
		snprintf(err, errlen, "unable to parse '%s' in file '%s'", c.bad, c.file);
		return -1;
	}
	if (out == SMP_T_IPV4 && args[1].type == ARGT_STR) {
		struct sample tmp;

		if (!value_ip(args[1].u.str.ptr, &tmp)) {
			snprintf(err, errlen, "map: cannot parse default ip <%s>.", args[1].u.str.ptr);
			return -1;
		}
		free(args[1].u.str.ptr);
		if (tmp.type == SMP_T_IPV4) {
			args[1].type = ARGT_IPV4;
			args[1].u.ipv4 = tmp.u.ipv4;
		} else {
			args[1].type = ARGT_IPV6;
			args[1].u.ipv6 = tmp.u.ipv6;
		}
	}
	free(args[0].u.str.ptr);
	args[0].type = ARGT_MAP;
	args[0].u.ptr = x;           /* owned by the list, which lives until exit */
	return 0;
}

/* --- map_regm: a regex map whose values may hold \1..\9 --- */

/* The regexes of map_regm keys compiled with their groups, by pattern text:
 * compiled when the converter is parsed, and on first use for an entry
 * added at run time (management socket, Lua), so the lookup path compiles
 * only for entries it has not seen. Read-only once compiled. */
static struct regm_rx { char *pat; struct rx *rx; } *regm_rx;
static size_t regm_nb, regm_cap;

/* Returns the compiled regex for <pat>, compiling it if needed, or NULL. */
static const struct rx *regm_get(const char *pat)
{
	char err[256];
	struct rx *r;

	for (size_t i = 0; i < regm_nb; i++)
		if (!strcmp(regm_rx[i].pat, pat))
			return regm_rx[i].rx;
	if (regm_nb == regm_cap) {
		size_t cap = regm_cap ? regm_cap * 2 : 16;
		struct regm_rx *n = realloc(regm_rx, cap * sizeof(*n));
		if (!n)
			return NULL;
		regm_rx = n;
		regm_cap = cap;
	}
	if (!(r = rx_compile(pat, strlen(pat), RX_NEED_GROUPS, err, sizeof(err))))
		return NULL;
	if (!(regm_rx[regm_nb].pat = strdup(pat))) {
		rx_free(r);
		return NULL;
	}
	regm_rx[regm_nb++].rx = r;
	return r;
}

static int regm_precompile(const struct pat_entry *e, void *arg)
{
	(void)arg;
	regm_get(pat_entry_key(e));
	return 0;
}

/* map_regm(file[,default]): as map_reg, and "\N" in the value is the Nth
 * group of the key's regex on the input (HAProxy's exp_replace syntax). */
static int cv_map_regm(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const struct pat_entry *e;
	const struct rx *r;
	struct rx_groups g;
	const char *v;
	char *out;
	size_t size;
	int n;

	if (args[0].type != ARGT_MAP || !args[0].u.ptr)
		return 0;
	e = pat_expr_lookup(args[0].u.ptr, smp);
	if (!e)
		return cv_map(args, smp, ctx);      /* the default, if any */
	v = pat_entry_value(e);
	if (!v || !(r = regm_get(pat_entry_key(e))) ||
	    !rx_exec(r, smp->u.str.ptr, smp->u.str.len, &g))
		return cv_map(args, smp, ctx);
	out = smp_trash(&size);
	if (!out || (n = rx_expand(smp->u.str.ptr, &g, v, strlen(v), out, size)) < 0)
		return 0;
	smp->type = SMP_T_STR;
	smp->flags &= SMP_F_KEEP;
	smp->u.str.ptr = out;
	smp->u.str.len = (size_t)n;
	smp->u.str.size = size;
	return 1;
}

static int chk_map_regm(struct arg *args, char *err, size_t errlen)
{
	if (map_check(args, PAT_MATCH_REG, SMP_T_STR, err, errlen) < 0)
		return -1;
	pat_list_foreach(pat_expr_list(args[0].u.ptr), regm_precompile, NULL);
	return 0;
}

/* One check function per (match, output) pair: the check API does not say
 * which converter it runs for. */
#define MAP_CHK(kind, m, outname, out) \
	static int chk_map_##kind##_##outname(struct arg *args, char *err, size_t errlen) \
	{ return map_check(args, m, out, err, errlen); }
#define MAP_CHKS(kind, m) \
	MAP_CHK(kind, m, str, SMP_T_STR) MAP_CHK(kind, m, int, SMP_T_SINT) MAP_CHK(kind, m, ip, SMP_T_IPV4)

MAP_CHKS(str, PAT_MATCH_STR)
MAP_CHKS(beg, PAT_MATCH_BEG)
MAP_CHKS(sub, PAT_MATCH_SUB)
MAP_CHKS(dir, PAT_MATCH_DIR)
MAP_CHKS(dom, PAT_MATCH_DOM)
MAP_CHKS(end, PAT_MATCH_END)
MAP_CHKS(reg, PAT_MATCH_REG)
MAP_CHKS(int, PAT_MATCH_INT)
MAP_CHKS(ip, PAT_MATCH_IP)

/* output types, handed to cv_map as priv; IPV4 stands for "an address" */
static const enum smp_type o_str = SMP_T_STR, o_int = SMP_T_SINT, o_ip = SMP_T_IPV4;

#define S SMP_T_STR
#define I SMP_T_SINT
#define A SMP_T_ANY
#define MAP_ROWS(kind, in) \
	{ "map_" #kind,        cv_map, ARG2(1, STR, STR),  chk_map_##kind##_str, in, S, &o_str }, \
	{ "map_" #kind "_int", cv_map, ARG2(1, STR, SINT), chk_map_##kind##_int, in, I, &o_int }, \
	{ "map_" #kind "_ip",  cv_map, ARG2(1, STR, STR),  chk_map_##kind##_ip,  in, SMP_T_IPV4, &o_ip }

const struct sample_conv smp_conv_map_table[] = {
	{ "map", cv_map, ARG2(1, STR, STR), chk_map_str_str, S, S, &o_str },
	MAP_ROWS(str, S),
	MAP_ROWS(beg, S),
	MAP_ROWS(sub, S),
	MAP_ROWS(dir, S),
	MAP_ROWS(dom, S),
	MAP_ROWS(end, S),
	MAP_ROWS(reg, S),
	{ "map_regm", cv_map_regm, ARG2(1, STR, STR), chk_map_regm, S, S, &o_str },
	MAP_ROWS(int, I),
	MAP_ROWS(ip, SMP_T_ADDR),
	{ NULL, NULL, 0, 0, 0, 0, NULL }
};
