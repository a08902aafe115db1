/* sample.c: the registry of sample fetches and converters, the cast table
 * between sample types, argument parsing ("a,'b c',3" with HAProxy's
 * quoting rules) and compiled expressions "fetch(args),conv(args),...".
 * Fetches live in fetch.c, converters in conv.c; this file only knows
 * their tables. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <arpa/inet.h>

#include "engine/sample.h"
#include "engine/proxy.h"
#include "engine/vars.h"
#include "engine/stream.h"
#include "engine/thread.h"
#include "engine/log.h"
#include "regex/rx.h"

/* ------------------------------------------------------------------ */
/* Registry                                                             */
/* ------------------------------------------------------------------ */

/* The registry is built at start-up (configuration parsing, lua-load) on
 * the main thread, before worker threads exist, and only read afterwards:
 * a sorted array of pointers searched by bsearch, plus the list of tables
 * in registration order for the foreach walks. */
struct reg {
	const void **sorted;        /* fetch or conv pointers, sorted by name */
	size_t nb, cap;
	const void **order;         /* same pointers, registration order */
};

static struct reg fetch_reg, conv_reg;
static int reg_ready;

static const char *reg_name(const void *e, int is_conv)
{
	return is_conv ? ((const struct sample_conv *)e)->name : ((const struct sample_fetch *)e)->name;
}

/* Compares <name>/<len> with the NUL-terminated <kw>, like strcmp. */
static int name_cmp(const char *name, size_t len, const char *kw)
{
	int r = strncmp(name, kw, len);

	if (r)
		return r;
	return kw[len] ? -1 : 0;
}

/* Returns the index where <name> is or would be inserted; *found set. */
static size_t reg_search(const struct reg *r, int is_conv, const char *name, size_t len, int *found)
{
	size_t lo = 0, hi = r->nb;

	*found = 0;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = name_cmp(name, len, reg_name(r->sorted[mid], is_conv));

		if (!c) {
			*found = 1;
			return mid;
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* Returns 0, -EEXIST or -ENOMEM. */
static int reg_add(struct reg *r, int is_conv, const void *e)
{
	const char *name = reg_name(e, is_conv);
	int found;
	size_t pos = reg_search(r, is_conv, name, strlen(name), &found);

	if (found)
		return -EEXIST;
	if (r->nb == r->cap) {
		size_t ncap = r->cap ? r->cap * 2 : 256;
		const void **s = realloc(r->sorted, ncap * sizeof(*s));

		if (!s)
			return -ENOMEM;
		r->sorted = s;
		s = realloc(r->order, ncap * sizeof(*s));
		if (!s)
			return -ENOMEM;
		r->order = s;
		r->cap = ncap;
	}
	memmove(r->sorted + pos + 1, r->sorted + pos, (r->nb - pos) * sizeof(*r->sorted));
	r->sorted[pos] = e;
	r->order[r->nb] = e;
	r->nb++;
	return 0;
}

static int reg_add_fetch_table(const struct sample_fetch *tab)
{
	for (; tab->name; tab++) {
		int ret = reg_add(&fetch_reg, 0, tab);

		if (ret == -ENOMEM)
			return ret;
	}
	return 0;
}

static int reg_add_conv_table(const struct sample_conv *tab)
{
	for (; tab->name; tab++) {
		int ret = reg_add(&conv_reg, 1, tab);

		if (ret == -ENOMEM)
			return ret;
	}
	return 0;
}

static void reg_init(void)
{
	if (reg_ready)
		return;
	reg_ready = 1;
	reg_add_fetch_table(smp_fetch_l4_table);
	reg_add_fetch_table(smp_fetch_payload_table);
	reg_add_fetch_table(smp_fetch_http_table);
	reg_add_fetch_table(smp_fetch_userlist_table);
	reg_add_fetch_table(smp_fetch_cap_table);
	reg_add_fetch_table(smp_fetch_ssl_table);
	reg_add_fetch_table(smp_fetch_sc_table);
	reg_add_fetch_table(smp_fetch_uid_table);
	reg_add_conv_table(smp_conv_table);
	reg_add_conv_table(smp_conv_arith_table);
	reg_add_conv_table(smp_conv_map_table);
	reg_add_conv_table(smp_conv_json_table);
	reg_add_conv_table(smp_conv_table_table);
}

const struct sample_fetch *sample_fetch_find(const char *name, size_t len)
{
	int found;
	size_t pos;

	reg_init();
	pos = reg_search(&fetch_reg, 0, name, len, &found);
	return found ? fetch_reg.sorted[pos] : NULL;
}

const struct sample_conv *sample_conv_find(const char *name, size_t len)
{
	int found;
	size_t pos;

	reg_init();
	pos = reg_search(&conv_reg, 1, name, len, &found);
	return found ? conv_reg.sorted[pos] : NULL;
}

int sample_register_fetch(const struct sample_fetch *f)
{
	reg_init();
	return reg_add(&fetch_reg, 0, f);
}

int sample_register_conv(const struct sample_conv *c)
{
	reg_init();
	return reg_add(&conv_reg, 1, c);
}

int sample_register_fetch_table(const struct sample_fetch *tab)
{
	reg_init();
	return reg_add_fetch_table(tab);
}

int sample_register_conv_table(const struct sample_conv *tab)
{
	reg_init();
	return reg_add_conv_table(tab);
}

void sample_fetch_foreach(void (*cb)(const struct sample_fetch *f, void *arg), void *arg)
{
	reg_init();
	for (size_t i = 0; i < fetch_reg.nb; i++)
		cb(fetch_reg.order[i], arg);
}

void sample_conv_foreach(void (*cb)(const struct sample_conv *c, void *arg), void *arg)
{
	reg_init();
	for (size_t i = 0; i < conv_reg.nb; i++)
		cb(conv_reg.order[i], arg);
}

/* ------------------------------------------------------------------ */
/* Scratch buffers                                                      */
/* ------------------------------------------------------------------ */

/* Per-thread state: a ring of scratch buffers, allocated on a thread's
 * first evaluation. Eight of them so that a converter chain, its casts
 * and the caller's copy of the previous result never share one. Their
 * size is <trash_size> (tune.bufsize), set at start-up; a thread whose
 * buffers are smaller replaces them on its next call. */
#define SMP_TRASH_NB 8
static uint32_t trash_size = 16384;
static __thread char *trash_buf[SMP_TRASH_NB];
static __thread uint32_t trash_have;    /* size of this thread's buffers */
static __thread unsigned trash_idx;

void sample_set_bufsize(uint32_t size)
{
	if (size >= 1024)
		trash_size = size;
}

char *smp_trash(size_t *size)
{
	unsigned i;

	if (trash_have != trash_size) {
		/* first use on this thread, or tune.bufsize changed at
		 * start-up: the only allocations, kept for the thread's life */
		for (i = 0; i < SMP_TRASH_NB; i++) {
			free(trash_buf[i]);
			trash_buf[i] = NULL;
		}
		trash_have = trash_size;
	}
	i = trash_idx++ % SMP_TRASH_NB;
	if (!trash_buf[i]) {
		/* falling back to a static area would be shared between
		 * threads: fail the sample instead */
		trash_buf[i] = malloc(trash_size);
		if (!trash_buf[i]) {
			*size = 0;
			return NULL;
		}
	}
	*size = trash_size;
	return trash_buf[i];
}

int sample_make_rw(struct sample *smp)
{
	size_t size;
	char *p;

	if (smp->type != SMP_T_STR && smp->type != SMP_T_BIN && smp->type != SMP_T_METH)
		return 1;
	if (!(smp->flags & SMP_F_CONST) && smp->u.str.size)
		return 1;
	p = smp_trash(&size);
	if (!p || smp->u.str.len >= size)
		return 0;
	memcpy(p, smp->u.str.ptr, smp->u.str.len);
	p[smp->u.str.len] = 0;
	smp->u.str.ptr = p;
	smp->u.str.size = size;
	smp->flags &= ~SMP_F_CONST;
	return 1;
}

/* ------------------------------------------------------------------ */
/* Casts                                                                */
/* ------------------------------------------------------------------ */

static const char *const type_names[SMP_TYPES] = {
	[SMP_T_ANY] = "any", [SMP_T_BOOL] = "bool", [SMP_T_SINT] = "sint",
	[SMP_T_IPV4] = "ipv4", [SMP_T_IPV6] = "ipv6", [SMP_T_STR] = "str",
	[SMP_T_BIN] = "bin", [SMP_T_METH] = "meth", [SMP_T_ADDR] = "addr",
};

const char *smp_type_name(enum smp_type t)
{
	return (unsigned)t < SMP_TYPES ? type_names[t] : "?";
}

/* Parses a signed decimal integer as HAProxy's read_int64: optional sign,
 * digits, stopping at the first non-digit, saturating. *<s> is advanced. */
static int64_t read_int64(const char **s, const char *end)
{
	uint64_t v = 0;
	int neg = 0;

	if (*s < end && (**s == '-' || **s == '+')) {
		neg = **s == '-';
		(*s)++;
	}
	while (*s < end && **s >= '0' && **s <= '9') {
		unsigned d = **s - '0';

		if (v > (UINT64_MAX - d) / 10)
			v = UINT64_MAX;
		else
			v = v * 10 + d;
		(*s)++;
	}
	if (neg)
		return v > (uint64_t)INT64_MAX + 1 ? INT64_MIN : (int64_t)(0 - v);
	return v > INT64_MAX ? INT64_MAX : (int64_t)v;
}

/* Parses <len> bytes of <s> as a dotted-quad IPv4 address into <a>.
 * Returns 1 or 0. */
static int buf2ip4(const char *s, size_t len, struct in_addr *a)
{
	char tmp[16];

	if (len == 0 || len >= sizeof(tmp))
		return 0;
	memcpy(tmp, s, len);
	tmp[len] = 0;
	return inet_pton(AF_INET, tmp, a) == 1;
}

static int buf2ip6(const char *s, size_t len, struct in6_addr *a)
{
	char tmp[INET6_ADDRSTRLEN + 1];

	if (len == 0 || len >= sizeof(tmp))
		return 0;
	memcpy(tmp, s, len);
	tmp[len] = 0;
	return inet_pton(AF_INET6, tmp, a) == 1;
}

static void v4tov6(struct in6_addr *d, const struct in_addr *s)
{
	memset(d, 0, sizeof(*d));
	d->s6_addr[10] = d->s6_addr[11] = 0xff;
	memcpy(&d->s6_addr[12], s, 4);
}

/* Returns 1 if <s> is v4-mapped (::ffff:a.b.c.d) and fills <d>, else 0,
 * as HAProxy's v6tov4() (6to4 addresses are not converted). */
static int v6tov4(struct in_addr *d, const struct in6_addr *s)
{
	static const uint8_t mapped[12] = { 0,0,0,0,0,0,0,0,0,0,0xff,0xff };

	if (!memcmp(s->s6_addr, mapped, 12)) {
		memcpy(d, &s->s6_addr[12], 4);
		return 1;
	}
	return 0;
}

static int str_into_trash(struct sample *smp, const char *s, size_t len, enum smp_type t)
{
	size_t size;
	char *p = smp_trash(&size);

	if (!p || len >= size)
		return 0;
	memcpy(p, s, len);
	p[len] = 0;
	smp->type = t;
	smp->flags &= ~SMP_F_CONST;
	smp->u.str.ptr = p;
	smp->u.str.len = len;
	smp->u.str.size = size;
	return 1;
}

static int c_none(struct sample *smp) { (void)smp; return 1; }

static int c_int2str(struct sample *smp)
{
	char tmp[24];
	int n = snprintf(tmp, sizeof(tmp), "%lld", (long long)smp->u.sint);

	return str_into_trash(smp, tmp, n, SMP_T_STR);
}

static int c_int2bin(struct sample *smp)
{
	uint8_t tmp[8];
	uint64_t v = (uint64_t)smp->u.sint;

	for (int i = 7; i >= 0; i--, v >>= 8)
		tmp[i] = v & 0xff;
	return str_into_trash(smp, (char *)tmp, 8, SMP_T_BIN);
}

static int c_int2ip(struct sample *smp)
{
	smp->u.ipv4.s_addr = htonl((uint32_t)smp->u.sint);
	smp->type = SMP_T_IPV4;
	return 1;
}

static int c_int2ipv6(struct sample *smp)
{
	struct in_addr a;

	a.s_addr = htonl((uint32_t)smp->u.sint);
	v4tov6(&smp->u.ipv6, &a);
	smp->type = SMP_T_IPV6;
	return 1;
}

/* A boolean to binary: 8 big-endian bytes of 0 or 1, as HAProxy 2.6. */
static int c_bool2bin(struct sample *smp)
{
	smp->u.sint = !!smp->u.sint;
	return c_int2bin(smp);
}

static int c_ip2int(struct sample *smp)
{
	smp->u.sint = ntohl(smp->u.ipv4.s_addr);
	smp->type = SMP_T_SINT;
	return 1;
}

static int c_ip2ipv6(struct sample *smp)
{
	struct in_addr a = smp->u.ipv4;

	v4tov6(&smp->u.ipv6, &a);
	smp->type = SMP_T_IPV6;
	return 1;
}

static int c_ipv62ip(struct sample *smp)
{
	struct in_addr a;

	if (!v6tov4(&a, &smp->u.ipv6))
		return 0;
	smp->u.ipv4 = a;
	smp->type = SMP_T_IPV4;
	return 1;
}

size_t smp_ipv4_str(const struct in_addr *a, char *buf)
{
	const uint8_t *b = (const uint8_t *)&a->s_addr;
	char *p = buf;

	for (int i = 0; i < 4; i++) {
		unsigned v = b[i];

		if (i)
			*p++ = '.';
		if (v >= 100)
			*p++ = (char)('0' + v / 100);
		if (v >= 10)
			*p++ = (char)('0' + v / 10 % 10);
		*p++ = (char)('0' + v % 10);
	}
	*p = 0;
	return (size_t)(p - buf);
}

static int c_ip2str(struct sample *smp)
{
	char tmp[INET_ADDRSTRLEN];
	size_t n = smp_ipv4_str(&smp->u.ipv4, tmp);

	return str_into_trash(smp, tmp, n, SMP_T_STR);
}

static int c_ipv62str(struct sample *smp)
{
	char tmp[INET6_ADDRSTRLEN];

	if (!inet_ntop(AF_INET6, &smp->u.ipv6, tmp, sizeof(tmp)))
		return 0;
	return str_into_trash(smp, tmp, strlen(tmp), SMP_T_STR);
}

static int c_addr2bin(struct sample *smp)
{
	if (smp->type == SMP_T_IPV4) {
		struct in_addr a = smp->u.ipv4;

		return str_into_trash(smp, (char *)&a, 4, SMP_T_BIN);
	} else {
		struct in6_addr a = smp->u.ipv6;

		return str_into_trash(smp, (char *)&a, 16, SMP_T_BIN);
	}
}

static int c_str2int(struct sample *smp)
{
	const char *s = smp->u.str.ptr;

	if (!smp->u.str.len)
		return 0;
	smp->u.sint = read_int64(&s, smp->u.str.ptr + smp->u.str.len);
	smp->type = SMP_T_SINT;
	smp->flags &= ~SMP_F_CONST;
	return 1;
}

static int c_str2ip(struct sample *smp)
{
	struct in_addr a;

	if (!buf2ip4(smp->u.str.ptr, smp->u.str.len, &a))
		return 0;
	smp->u.ipv4 = a;
	smp->type = SMP_T_IPV4;
	smp->flags &= ~SMP_F_CONST;
	return 1;
}

static int c_str2ipv6(struct sample *smp)
{
	struct in6_addr a;

	if (!buf2ip6(smp->u.str.ptr, smp->u.str.len, &a))
		return 0;
	smp->u.ipv6 = a;
	smp->type = SMP_T_IPV6;
	smp->flags &= ~SMP_F_CONST;
	return 1;
}

/* A string to an address: IPv4, else IPv6. */
static int c_str2addr(struct sample *smp)
{
	struct in_addr a4;
	struct in6_addr a6;

	if (buf2ip4(smp->u.str.ptr, smp->u.str.len, &a4)) {
		smp->u.ipv4 = a4;
		smp->type = SMP_T_IPV4;
	} else if (buf2ip6(smp->u.str.ptr, smp->u.str.len, &a6)) {
		smp->u.ipv6 = a6;
		smp->type = SMP_T_IPV6;
	} else {
		return 0;
	}
	smp->flags &= ~SMP_F_CONST;
	return 1;
}

/* Binary to string stops at the first NUL byte, as HAProxy does. */
static int c_bin2str(struct sample *smp)
{
	const char *z = memchr(smp->u.str.ptr, 0, smp->u.str.len);

	if (z)
		smp->u.str.len = z - smp->u.str.ptr;
	smp->type = SMP_T_STR;
	return 1;
}

static int c_str2meth(struct sample *smp)
{
	if (!smp->u.str.len)
		return 0;
	smp->type = SMP_T_METH;
	return 1;
}

static int c_meth2str(struct sample *smp)
{
	smp->type = SMP_T_STR;
	return 1;
}

typedef int (*cast_fn)(struct sample *smp);

/* sample_casts[from][to]; NULL = impossible. HAProxy 2.6's matrix; ADDR
 * is only a target (an input declaration). c_none leaves the sample as it
 * is, type included, as in HAProxy: a converter taking an integer applied
 * to a boolean returns a boolean unless it sets the type itself. */
static const cast_fn sample_casts[SMP_TYPES][SMP_TYPES] = {
/*            to: ANY     BOOL       SINT       IPV4       IPV6        STR         BIN         METH        ADDR */
/* ANY  */ { c_none, c_none,    c_none,    c_none,    c_none,     c_none,     c_none,     c_none,     c_none     },
/* BOOL */ { c_none, c_none,    c_none,    NULL,      NULL,       c_int2str,  c_bool2bin, NULL,       NULL       },
/* SINT */ { c_none, c_none,    c_none,    c_int2ip,  c_int2ipv6, c_int2str,  c_int2bin,  NULL,       c_int2ip   },
/* IPV4 */ { c_none, NULL,      c_ip2int,  c_none,    c_ip2ipv6,  c_ip2str,   c_addr2bin, NULL,       c_none     },
/* IPV6 */ { c_none, NULL,      NULL,      c_ipv62ip, c_none,     c_ipv62str, c_addr2bin, NULL,       c_none     },
/* STR  */ { c_none, c_str2int, c_str2int, c_str2ip,  c_str2ipv6, c_none,     c_none,     c_str2meth, c_str2addr },
/* BIN  */ { c_none, NULL,      NULL,      NULL,      NULL,       c_bin2str,  c_none,     c_str2meth, NULL       },
/* METH */ { c_none, NULL,      NULL,      NULL,      NULL,       c_meth2str, c_meth2str, c_none,     NULL       },
/* ADDR */ { c_none, NULL,      NULL,      NULL,      NULL,       NULL,       NULL,       NULL,       NULL       },
};

/* Returns 1 if a <from> sample may be cast to <to> (at configuration time). */
static int cast_possible(enum smp_type from, enum smp_type to)
{
	return sample_casts[from][to] != NULL;
}

int sample_cast(struct sample *smp, enum smp_type type)
{
	cast_fn fn;

	if ((unsigned)smp->type >= SMP_TYPES || (unsigned)type >= SMP_TYPES)
		return 0;
	if (type == SMP_T_ANY || smp->type == type)
		return 1;
	fn = sample_casts[smp->type][type];
	if (!fn)
		return 0;
	if (fn == c_none) {
		/* the caller asked for this type: say so (unlike the
		 * evaluator's casts, see cast_conv()) */
		if (type == SMP_T_ADDR)
			return 1;
		if (type == SMP_T_BOOL)
			smp->u.sint = !!smp->u.sint;
		smp->type = type;
		return 1;
	}
	if (!fn(smp))
		return 0;
	if (type == SMP_T_BOOL) {
		smp->u.sint = !!smp->u.sint;
		smp->type = SMP_T_BOOL;
	}
	return 1;
}

/* The cast before a converter, exactly as HAProxy's sample_process(): a
 * c_none cast changes nothing, not even the type. Returns 1 or 0. */
static int cast_conv(struct sample *smp, enum smp_type type)
{
	cast_fn fn;

	if ((unsigned)smp->type >= SMP_TYPES || (unsigned)type >= SMP_TYPES)
		return 0;
	fn = sample_casts[smp->type][type];
	if (!fn)
		return 0;
	return fn == c_none ? 1 : fn(smp);
}

/* ------------------------------------------------------------------ */
/* Arguments                                                            */
/* ------------------------------------------------------------------ */

static const char *const arg_type_names[] = {
	[ARGT_STOP] = "end of arguments", [ARGT_SINT] = "integer", [ARGT_STR] = "string",
	[ARGT_IPV4] = "IPv4 address", [ARGT_MSK4] = "IPv4 mask", [ARGT_IPV6] = "IPv6 address",
	[ARGT_MSK6] = "IPv6 mask", [ARGT_TIME] = "delay", [ARGT_SIZE] = "size",
	[ARGT_FE] = "frontend", [ARGT_BE] = "backend", [ARGT_SRV] = "server",
	[ARGT_VAR] = "variable", [ARGT_REG] = "regex", [ARGT_USR] = "user list",
	[ARGT_MAP] = "map", [ARGT_TAB] = "table",
};

static const char *argt_name(enum arg_type t)
{
	return (unsigned)t < sizeof(arg_type_names) / sizeof(*arg_type_names) && arg_type_names[t]
	       ? arg_type_names[t] : "?";
}

int arg_mask_max(arg_mask mask)
{
	int n = 0;

	while (n < SMP_MAX_ARGS && arg_mask_type(mask, n) != ARGT_STOP)
		n++;
	return n;
}

int arg_mask_min(arg_mask mask)
{
	return (int)(mask & ((1u << ARGM_BITS) - 1));
}

/* Pending unresolved arguments (frontend, backend, server names), with
 * the place they were parsed at for messages. Configuration-time state. */
struct pending_arg {
	struct pending_arg *next;
	struct arg *arg;
	int pos;                    /* 0-based argument position */
	const char *kw;             /* fetch or converter name */
	int is_conv;
	struct proxy *px;
	const char *file, *where;
	int line;
};

static struct pending_arg *pending;
static const char *where_file = "?", *where_what = "sample expression";
static int where_line, where_set;
static struct config *resolved_cfg;
/* the keyword being parsed, for pending entries (set by the expression parser) */
static const char *cur_kw;
static int cur_is_conv;

void sample_parse_where(const char *file, int line, const char *where)
{
	where_set = 1;
	where_file = file ? file : "?";
	where_line = line;
	where_what = where ? where : "sample expression";
}

/* Returns 1 if <s> of <len> is a whole time with an optional unit, in ms. */
static int parse_time_ms(const char *s, int64_t *out)
{
	uint64_t v = 0;
	const char *p = s;

	if (!isdigit((unsigned char)*p))
		return 0;
	while (isdigit((unsigned char)*p)) {
		v = v * 10 + (*p - '0');
		if (v > UINT32_MAX)
			return 0;
		p++;
	}
	if (!*p || !strcmp(p, "ms"))
		;
	else if (!strcmp(p, "us"))
		v /= 1000;
	else if (!strcmp(p, "s"))
		v *= 1000;
	else if (!strcmp(p, "m"))
		v *= 60000;
	else if (!strcmp(p, "h"))
		v *= 3600000;
	else if (!strcmp(p, "d"))
		v *= 86400000;
	else
		return 0;
	if (v > UINT32_MAX)
		return 0;
	*out = (int64_t)v;
	return 1;
}

static int parse_size(const char *s, int64_t *out)
{
	uint64_t v = 0;
	const char *p = s;

	if (!isdigit((unsigned char)*p))
		return 0;
	while (isdigit((unsigned char)*p)) {
		v = v * 10 + (*p - '0');
		if (v > UINT32_MAX)
			return 0;
		p++;
	}
	switch (*p) {
	case 0: break;
	case 'k': case 'K': v <<= 10; p++; break;
	case 'm': case 'M': v <<= 20; p++; break;
	case 'g': case 'G': v <<= 30; p++; break;
	default: return 0;
	}
	if (*p || v > UINT32_MAX)
		return 0;
	*out = (int64_t)v;
	return 1;
}

/* Parses a mask, dotted ("255.255.0.0") or a prefix length ("16"). */
static int str2mask4(const char *s, struct in_addr *m)
{
	if (strchr(s, '.'))
		return inet_pton(AF_INET, s, m) == 1;
	{
		const char *p = s;
		int64_t n = read_int64(&p, s + strlen(s));

		if (!*s || *p || n < 0 || n > 32)
			return 0;
		m->s_addr = n ? htonl(~0u << (32 - n)) : 0;
		return 1;
	}
}

static int str2mask6(const char *s, struct in6_addr *m)
{
	if (strchr(s, ':'))
		return inet_pton(AF_INET6, s, m) == 1;
	{
		const char *p = s;
		int64_t n = read_int64(&p, s + strlen(s));

		if (!*s || *p || n < 0 || n > 128)
			return 0;
		memset(m, 0, sizeof(*m));
		for (int i = 0; i < 16 && n > 0; i++, n -= 8)
			m->s6_addr[i] = n >= 8 ? 0xff : (uint8_t)(0xff << (8 - n));
		return 1;
	}
}

void sample_args_free(struct arg *args, int n)
{
	for (int i = 0; i < n; i++) {
		struct arg *a = &args[i];

		if (a->unresolved) {
			struct pending_arg **pp = &pending;

			while (*pp) {
				if ((*pp)->arg == a) {
					struct pending_arg *d = *pp;

					*pp = d->next;
					free(d);
					break;
				}
				pp = &(*pp)->next;
			}
			free(a->u.str.ptr);
		} else if (a->type == ARGT_STR) {
			free(a->u.str.ptr);
		} else if (a->type == ARGT_VAR && a->u.ptr) {
			vars_ref_free(a->u.ptr);
			free(a->u.ptr);
		} else if (a->type == ARGT_REG && a->u.ptr) {
			rx_free(a->u.ptr);   /* compiled by the converter's check */
		}
		a->type = ARGT_STOP;
		a->unresolved = 0;
		a->u.ptr = NULL;
	}
}

/* Resolves one name argument against <cfg>. Returns 0 or -1 with a short
 * reason in <err>. */
static int arg_resolve(struct arg *a, struct proxy *px, struct config *cfg, char *err, size_t errlen)
{
	char *name = a->u.str.ptr;
	struct proxy *p;

	switch (a->type) {
	case ARGT_FE:
	case ARGT_BE: {
		unsigned cap = a->type == ARGT_FE ? PX_CAP_FE : PX_CAP_BE;
		const char *what = a->type == ARGT_FE ? "frontend" : "backend";

		p = proxy_find(cfg, name, cap);
		if (!p) {
			if (proxy_find(cfg, name, 0))
				snprintf(err, errlen, "proxy '%s' has no %s capability,", name, what);
			else
				snprintf(err, errlen, "unable to find %s '%s'", what, name);
			return -1;
		}
		a->u.px = p;
		break;
	}
	case ARGT_TAB:
		/* any proxy, as long as it declares a stick table */
		if (!(p = proxy_find(cfg, name, 0)) || !p->stktable) {
			snprintf(err, errlen, "unable to find table '%s'", name);
			return -1;
		}
		a->u.px = p;
		break;
	case ARGT_SRV: {
		char *slash = strchr(name, '/');
		const char *sname = name;
		struct server *s;

		p = px;
		if (slash) {
			*slash = 0;
			p = proxy_find(cfg, name, PX_CAP_BE);
			sname = slash + 1;
			if (!p) {
				snprintf(err, errlen, "unable to find proxy '%s'", name);
				*slash = '/';
				return -1;
			}
		}
		if (!p) {
			snprintf(err, errlen, "backend name must be set");
			if (slash)
				*slash = '/';
			return -1;
		}
		s = server_find(p, sname);
		if (!s) {
			snprintf(err, errlen, "unable to find server '%s' in proxy '%s',", sname, p->name);
			if (slash)
				*slash = '/';
			return -1;
		}
		a->u.srv = s;
		break;
	}
	default:
		return 0;
	}
	free(name);
	a->unresolved = 0;
	return 0;
}

/* Stores one argument of type <t> from the NUL-terminated <buf>/<n>.
 * Returns 0, -1 with <err> set (HAProxy's words) at position <pos>. */
static int arg_store(struct arg *a, enum arg_type t, const char *buf, size_t n, int pos,
                     struct proxy *px, char *err, size_t errlen)
{
	const char *p;

	memset(a, 0, sizeof(*a));
	a->type = t;
	switch (t) {
	case ARGT_SINT:
		p = buf;
		a->u.sint = read_int64(&p, buf + n);
		if (p < buf + n || n == 0)
			goto parse_err;
		break;
	case ARGT_TIME:
		if (!parse_time_ms(buf, &a->u.sint))
			goto parse_err;
		a->type = ARGT_SINT;
		break;
	case ARGT_SIZE:
		if (!parse_size(buf, &a->u.sint))
			goto parse_err;
		a->type = ARGT_SINT;
		break;
	case ARGT_IPV4:
		if (inet_pton(AF_INET, buf, &a->u.ipv4) != 1)
			goto parse_err;
		break;
	case ARGT_MSK4:
		if (!str2mask4(buf, &a->u.ipv4))
			goto parse_err;
		a->type = ARGT_IPV4;
		break;
	case ARGT_IPV6:
		if (inet_pton(AF_INET6, buf, &a->u.ipv6) != 1)
			goto parse_err;
		break;
	case ARGT_MSK6:
		if (!str2mask6(buf, &a->u.ipv6))
			goto parse_err;
		a->type = ARGT_IPV6;
		break;
	case ARGT_VAR: {
		struct var_ref *ref = calloc(1, sizeof(*ref));

		if (!ref)
			goto nomem;
		if (vars_parse_ref(buf, n, ref, err, errlen) < 0) {
			free(ref);
			a->type = ARGT_STOP;
			return -1;
		}
		vars_declare(ref);
		a->u.ptr = ref;
		break;
	}
	case ARGT_FE: case ARGT_BE: case ARGT_SRV: case ARGT_TAB: {
		struct pending_arg *pa;

		a->u.str.ptr = strndup(buf, n);
		if (!a->u.str.ptr)
			goto nomem;
		a->u.str.len = n;
		a->unresolved = 1;
		if (resolved_cfg) {
			/* run time (Lua): resolve at once */
			if (arg_resolve(a, px, resolved_cfg, err, errlen) < 0) {
				free(a->u.str.ptr);
				a->unresolved = 0;
				a->type = ARGT_STOP;
				return -1;
			}
			break;
		}
		pa = calloc(1, sizeof(*pa));
		if (!pa) {
			free(a->u.str.ptr);
			goto nomem;
		}
		pa->arg = a;
		pa->pos = pos;
		pa->kw = cur_kw ? cur_kw : "?";
		pa->is_conv = cur_is_conv;
		pa->px = px;
		/* without sample_parse_where(), name the proxy's declaration */
		pa->file = where_set ? where_file : px && px->file ? px->file : "?";
		pa->line = where_set ? where_line : px ? px->line : 0;
		pa->where = where_what;
		pa->next = pending;
		pending = pa;
		break;
	}
	case ARGT_STR:
	case ARGT_REG:
	case ARGT_USR:
	case ARGT_MAP:
	default:
		/* REG/USR/MAP are kept as strings: their owners compile them */
		a->u.str.ptr = malloc(n + 1);
		if (!a->u.str.ptr)
			goto nomem;
		memcpy(a->u.str.ptr, buf, n);
		a->u.str.ptr[n] = 0;
		a->u.str.len = n;
		a->type = ARGT_STR;
		break;
	}
	return 0;
 parse_err:
	snprintf(err, errlen, "failed to parse '%s' as type '%s' at position %d", buf, argt_name(t), pos + 1);
	a->type = ARGT_STOP;
	return -1;
 nomem:
	snprintf(err, errlen, "out of memory");
	a->type = ARGT_STOP;
	return -1;
}

static int arg_needs_value(enum arg_type t)
{
	return t != ARGT_STR && t != ARGT_FE && t != ARGT_BE && t != ARGT_SRV && t != ARGT_TAB &&
	       t != ARGT_REG && t != ARGT_USR && t != ARGT_MAP;
}

/* The argument list parser, as HAProxy's make_arg_list(). <in>/<len> starts
 * at '(' when <paren> (then the list ends at the matching ')' which must
 * be there), or is the whole list when !<paren>. Returns the number of
 * arguments, or -1 with <err> set and *<err_arg> the 0-based position.
 * *<end> receives the first character after the list. */
static int args_parse(const char *in, size_t len, int paren, arg_mask mask, struct arg *out,
                      const char **end, int *err_arg, struct proxy *px, char *err, size_t errlen)
{
	int nbarg = arg_mask_max(mask), min_arg = arg_mask_min(mask);
	int pos = 0, empty = 0;
	size_t n, bufsize;
	char *buf = smp_trash(&bufsize);   /* scratch: arguments are copied out */

	for (int i = 0; i < SMP_MAX_ARGS; i++) {
		out[i].type = ARGT_STOP;
		out[i].unresolved = 0;
		out[i].u.ptr = NULL;
	}
	*err_arg = 0;
	if (!buf) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (paren) {
		if (!len || *in != '(') {
			empty = 1;
			len = 0;
		} else {
			in++;
			len--;
		}
	} else if (!len) {
		empty = 1;
	}

	if (!nbarg || (empty && !min_arg))
		goto end_parse;

	while (pos < nbarg) {
		int sq = 0, dq = 0;
		enum arg_type t = arg_mask_type(mask, pos);

		n = 0;
		while (len && *in && n < bufsize - 1) {
			if (*in == '"' && !sq) {
				dq = !dq;
				in++; len--;
				continue;
			} else if (*in == '\'' && !dq) {
				sq = !sq;
				in++; len--;
				continue;
			} else if (*in == '\\' && !sq && len != 1) {
				char c = in[1];

				if (c == '\\' || c == ' ' || c == '"' || c == '\'') {
					in++; len--;
					buf[n++] = *in;
				} else if (c == 'r' || c == 'n' || c == 't') {
					in++; len--;
					buf[n++] = c == 'r' ? '\r' : c == 'n' ? '\n' : '\t';
				} else {
					buf[n++] = '\\';
				}
				in++; len--;
			} else {
				if (!sq && !dq && (*in == ',' || (paren && *in == ')')))
					break;
				buf[n++] = *in++;
				len--;
			}
		}
		if (len && *in && *in != ',' && *in != ')') {
			snprintf(err, errlen, "too small buffer size to store decoded argument %d, increase bufsize ?", pos + 1);
			goto fail;
		}
		buf[n] = 0;

		if (!n && arg_needs_value(t)) {
			/* "()" with nothing in it: no argument at all */
			if (pos >= min_arg)
				goto end_parse;
			snprintf(err, errlen, "expected type '%s' at position %d, but got nothing", argt_name(t), pos + 1);
			goto fail;
		}
		if (arg_store(&out[pos], t, buf, n, pos, px, err, errlen) < 0)
			goto fail;
		pos++;
		if (!len || !*in || *in == ')' || pos >= nbarg)
			break;
		in++; len--;   /* the comma */
	}

 end_parse:
	if (pos < min_arg) {
		snprintf(err, errlen, "missing arguments (got %d/%d), type '%s' expected",
		         pos, min_arg, argt_name(arg_mask_type(mask, pos)));
		goto fail;
	}
	if (paren && !empty) {
		if (len && *in == ')') {
			in++;
			len--;
		} else {
			if (len && *in)
				snprintf(err, errlen, "expected ')' before '%.*s'", (int)(len > 200 ? 200 : len), in);
			else
				snprintf(err, errlen, "expected ')'");
			if (pos > 1)
				pos--;
			goto fail;
		}
	} else if (!paren && len && *in) {
		snprintf(err, errlen, "end of arguments expected before '%.*s'", (int)(len > 200 ? 200 : len), in);
		goto fail;
	}
	if (end)
		*end = in;
	*err_arg = pos;
	return pos;
 fail:
	sample_args_free(out, SMP_MAX_ARGS);
	*err_arg = pos;
	if (end)
		*end = in;
	return -1;
}

int sample_args_parse(const char *s, size_t len, arg_mask mask, struct arg *out,
                      struct proxy *px, char *err, size_t errlen)
{
	int err_arg;

	return args_parse(s, len, 0, mask, out, NULL, &err_arg, px, err, errlen);
}

int sample_args_from_strings(const char *const *strs, const size_t *lens, int n, arg_mask mask,
                             struct arg *out, struct proxy *px, char *err, size_t errlen)
{
	int nbarg = arg_mask_max(mask), min_arg = arg_mask_min(mask);
	size_t bufsize;
	char *buf = smp_trash(&bufsize);
	int pos;

	for (int i = 0; i < SMP_MAX_ARGS; i++) {
		out[i].type = ARGT_STOP;
		out[i].unresolved = 0;
		out[i].u.ptr = NULL;
	}
	if (n > nbarg) {
		snprintf(err, errlen, "expects at most %d argument(s)", nbarg);
		return -1;
	}
	for (pos = 0; pos < n; pos++) {
		size_t l = lens[pos];

		if (!buf || l >= bufsize) {
			snprintf(err, errlen, "argument %d too long", pos + 1);
			goto fail;
		}
		memcpy(buf, strs[pos], l);
		buf[l] = 0;
		if (!l && arg_needs_value(arg_mask_type(mask, pos))) {
			snprintf(err, errlen, "expected type '%s' at position %d, but got nothing",
			         argt_name(arg_mask_type(mask, pos)), pos + 1);
			goto fail;
		}
		if (arg_store(&out[pos], arg_mask_type(mask, pos), buf, l, pos, px, err, errlen) < 0)
			goto fail;
	}
	if (pos < min_arg) {
		snprintf(err, errlen, "missing arguments (got %d/%d), type '%s' expected",
		         pos, min_arg, argt_name(arg_mask_type(mask, pos)));
		goto fail;
	}
	return pos;
 fail:
	sample_args_free(out, SMP_MAX_ARGS);
	return -1;
}

struct config *sample_config(void)
{
	return resolved_cfg;
}

int sample_resolve(struct config *cfg)
{
	int errors = 0;
	char err[512];

	while (pending) {
		struct pending_arg *pa = pending;

		pending = pa->next;
		if (arg_resolve(pa->arg, pa->px, cfg, err, sizeof(err)) < 0) {
			rp_alert("config : parsing [%s:%d]: %s referenced in arg %d of %s '%s' in %s%s%s%s.\n",
			        pa->file, pa->line, err, pa->pos + 1,
			        pa->is_conv ? "converter" : "sample fetch keyword", pa->kw, pa->where,
			        pa->px ? " in proxy '" : "", pa->px ? pa->px->name : "", pa->px ? "'" : "");
			/* keep the argument well-formed: an unresolved name that
			 * fetches treat as "no proxy" */
			free(pa->arg->u.str.ptr);
			pa->arg->u.ptr = NULL;
			pa->arg->unresolved = 0;
			errors++;
		}
		free(pa);
	}
	resolved_cfg = cfg;
	return errors;
}

/* ------------------------------------------------------------------ */
/* Expressions                                                          */
/* ------------------------------------------------------------------ */

static int is_idchar(char c)
{
	return isalnum((unsigned char)c) || c == '.' || c == '_' || c == '-' || c == '+' ||
	       c == '$' || c == ':';
}

void sample_expr_free(struct sample_expr *e)
{
	if (!e)
		return;
	sample_args_free(e->args, SMP_MAX_ARGS);
	for (int i = 0; i < e->nb_convs; i++)
		sample_args_free(e->convs[i].args, SMP_MAX_ARGS);
	free(e->convs);
	free(e);
}

/* The parser behind sample_expr_parse() and sample_expr_parse_words():
 * with <words>, <str> is words[*idx] and the converter list may go on in
 * the next words, as HAProxy still allows ("str(a) lower"). */
static struct sample_expr *expr_parse(const char *str, const char **end, char *const *words,
                                      int nwords, int *idx, struct proxy *px, char *err, size_t errlen)
{
	const char *begw = str, *endw, *endt;
	struct sample_expr *e = NULL;
	enum smp_type prev;
	char msg[1024], fkw[128], ckw[128];
	int err_arg, cap = 0, new_word = 0;

	ckw[0] = 0;
	for (endw = begw; is_idchar(*endw); endw++)
		;
	if (endw == begw) {
		snprintf(err, errlen, "missing fetch method");
		goto fail;
	}
	snprintf(fkw, sizeof(fkw), "%.*s", (int)(endw - begw), begw);
	e = calloc(1, sizeof(*e));
	if (!e) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	e->fetch = sample_fetch_find(begw, endw - begw);
	if (!e->fetch) {
		snprintf(err, errlen, "unknown fetch method '%s'", fkw);
		goto fail;
	}
	prev = e->fetch->out;
	cur_kw = e->fetch->name;
	cur_is_conv = 0;
	e->nb_args = args_parse(endw, strlen(endw), 1, e->fetch->args, e->args, &endt, &err_arg,
	                        px, msg, sizeof(msg));
	if (e->nb_args < 0) {
		e->nb_args = 0;
		snprintf(err, errlen, "fetch method '%s' : %s", fkw, msg);
		goto fail;
	}
	if (e->fetch->check && e->fetch->check(e->args, msg, sizeof(msg)) < 0) {
		snprintf(err, errlen, "invalid args in fetch method '%s' : %s", fkw, msg);
		goto fail;
	}

	while (1) {
		const struct sample_conv *conv;
		struct sample_conv_step *st;
		int n;

		if (*endt && *endt != ',') {
			if (end)
				break;
			if (ckw[0])
				snprintf(err, errlen, "missing comma after converter '%s'", ckw);
			else
				snprintf(err, errlen, "missing comma after fetch keyword '%s'", fkw);
			goto fail;
		}
		while (*endt == ',')
			endt++;
		begw = endt;
		new_word = 0;
		if (!*begw) {
			/* end of this word: the list may go on in the next one */
			if (!words)
				break;
			(*idx)++;
			if (*idx >= nwords || !words[*idx] || !*words[*idx])
				break;
			begw = words[*idx];
			new_word = 1;
		}
		for (endw = begw; is_idchar(*endw); endw++)
			;
		snprintf(ckw, sizeof(ckw), "%.*s", (int)(endw - begw), begw);
		conv = sample_conv_find(begw, endw - begw);
		if (!conv) {
			if (new_word)
				break;        /* a word that is not ours ("if"...) */
			snprintf(err, errlen, "unknown converter '%s'", ckw);
			goto fail;
		}
		if (!cast_possible(prev, conv->in)) {
			snprintf(err, errlen, "converter '%s' cannot be applied", ckw);
			goto fail;
		}
		prev = conv->out;
		if (e->nb_convs == cap) {
			int ncap = cap ? cap * 2 : 4;
			struct sample_conv_step *s = realloc(e->convs, ncap * sizeof(*s));

			if (!s) {
				snprintf(err, errlen, "out of memory");
				goto fail;
			}
			e->convs = s;
			cap = ncap;
		}
		st = &e->convs[e->nb_convs];
		memset(st, 0, sizeof(*st));
		st->conv = conv;
		e->nb_convs++;
		cur_kw = conv->name;
		cur_is_conv = 1;
		n = args_parse(endw, strlen(endw), 1, conv->args, st->args, &endt, &err_arg,
		               px, msg, sizeof(msg));
		if (n < 0) {
			snprintf(err, errlen, "invalid arg %d in converter '%s' : %s", err_arg + 1, ckw, msg);
			goto fail;
		}
		st->nb_args = n;
		if (conv->check && conv->check(st->args, msg, sizeof(msg)) < 0) {
			snprintf(err, errlen, "invalid args in converter '%s' : %s", ckw, msg);
			goto fail;
		}
	}
	if (end)
		*end = endt;
	cur_kw = NULL;
	return e;
 fail:
	cur_kw = NULL;
	sample_expr_free(e);
	if (end)
		*end = str;
	return NULL;
}

struct sample_expr *sample_expr_parse(const char *str, const char **end, struct proxy *px,
                                      char *err, size_t errlen)
{
	return expr_parse(str, end, NULL, 0, NULL, px, err, errlen);
}

struct sample_expr *sample_expr_parse_words(char *const *words, int nwords, int *idx, struct proxy *px,
                                            char *err, size_t errlen)
{
	if (*idx >= nwords || !words[*idx]) {
		snprintf(err, errlen, "missing fetch method");
		return NULL;
	}
	return expr_parse(words[*idx], NULL, words, nwords, idx, px, err, errlen);
}

int sample_expr_eval(const struct sample_expr *e, struct smp_ctx *ctx, struct sample *smp)
{
	/* Start-up did not call sample_resolve(): resolve the names left
	 * pending now against the stream's configuration (failures are
	 * reported, those arguments find nothing), which also lets later
	 * run-time arguments (Lua) resolve at once. Single-threaded start
	 * only: with several worker threads, start-up must call
	 * sample_resolve() first. */
	if (!resolved_cfg && ctx->strm && ctx->strm->thr && ctx->strm->thr->cfg)
		sample_resolve(ctx->strm->thr->cfg);
	/* likewise for tune.bufsize */
	if (ctx->strm && ctx->strm->thr && ctx->strm->thr->bufsize > trash_size)
		sample_set_bufsize(ctx->strm->thr->bufsize);
	memset(smp, 0, sizeof(*smp));
	ctx->priv = e->fetch->priv;
	if (!e->fetch->fn(e->args, smp, ctx))
		return 0;
	/* Converters pass the fetch's SMP_F_MAY_CHANGE on (an ACL then
	 * waits) unless they clear it: see smp_set_sint(). */
	for (int i = 0; i < e->nb_convs; i++) {
		const struct sample_conv *c = e->convs[i].conv;

		if (!cast_conv(smp, c->in))
			return 0;
		ctx->priv = c->priv;
		if (!c->fn(e->convs[i].args, smp, ctx))
			return 0;
	}
	return 1;
}
