/* rxint.c: what rx.c and patset.c share: the per-thread matching state
 * (one Hyperscan scratch grown for every database, one PCRE2 match data),
 * PCRE2 compile/match with the options HAProxy uses, and the checks that
 * decide whether Hyperscan or a literal comparison may stand in for PCRE2. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "regex/rx.h"
#include "regex/rxint.h"

/* Per-thread state. <proto> is a scratch big enough for every database compiled so far; it
 * only grows, under <proto_lock>, and <proto_gen> counts its growths. A
 * thread's scratch is a clone of it, refreshed when the generation moved:
 * one atomic load per scan in the common case. */
static pthread_mutex_t proto_lock = PTHREAD_MUTEX_INITIALIZER;
static hs_scratch_t *proto;
static atomic_uint proto_gen;

static __thread hs_scratch_t *tls_scratch;
static __thread unsigned tls_gen;
static __thread pcre2_match_data *tls_md;

int rxi_scratch_reserve(const hs_database_t *db, char *err, size_t errlen)
{
	hs_scratch_t *before;
	size_t sz_before = 0, sz_after = 0;
	hs_error_t e;

	pthread_mutex_lock(&proto_lock);
	before = proto;
	if (proto)
		hs_scratch_size(proto, &sz_before);
	e = hs_alloc_scratch(db, &proto);
	if (e == HS_SUCCESS) {
		hs_scratch_size(proto, &sz_after);
		/* Threads re-clone only when the prototype really grew: a
		 * regex compiled at run time (Lua) usually fits. */
		if (proto != before || sz_after != sz_before)
			atomic_fetch_add(&proto_gen, 1);
	}
	pthread_mutex_unlock(&proto_lock);
	if (e != HS_SUCCESS) {
		snprintf(err, errlen, "cannot allocate Hyperscan scratch (error %d)", (int)e);
		return -1;
	}
	return 0;
}

hs_scratch_t *rxi_scratch(void)
{
	unsigned gen = atomic_load_explicit(&proto_gen, memory_order_acquire);
	hs_scratch_t *s = NULL;

	if (tls_scratch && tls_gen == gen)
		return tls_scratch;
	pthread_mutex_lock(&proto_lock);
	gen = atomic_load_explicit(&proto_gen, memory_order_relaxed);
	if (proto && hs_clone_scratch(proto, &s) != HS_SUCCESS)
		s = NULL;
	pthread_mutex_unlock(&proto_lock);
	if (!s)
		return NULL;   /* keep the old one: still fine for older databases */
	if (tls_scratch)
		hs_free_scratch(tls_scratch);
	tls_scratch = s;
	tls_gen = gen;
	return s;
}

hs_scratch_t *rxi_scratch_refresh(void)
{
	tls_gen = atomic_load(&proto_gen) - 1;
	return rxi_scratch();
}

pcre2_match_data *rxi_match_data(void)
{
	if (!tls_md)
		tls_md = pcre2_match_data_create(RX_MAX_GROUPS, NULL);
	return tls_md;
}

int rx_thread_init(void)
{
	if (!rxi_match_data())
		return -ENOMEM;
	if (atomic_load(&proto_gen) && !rxi_scratch())
		return -ENOMEM;
	return 0;
}

void rx_thread_exit(void)
{
	if (tls_scratch)
		hs_free_scratch(tls_scratch);
	tls_scratch = NULL;
	tls_gen = 0;
	if (tls_md)
		pcre2_match_data_free(tls_md);
	tls_md = NULL;
}

pcre2_code *rxi_pcre_compile_nojit(const char *pat, size_t len, unsigned flags, char *err, size_t errlen)
{
	pcre2_code *re;
	int ecode;
	PCRE2_SIZE eoff;

	re = pcre2_compile((PCRE2_SPTR)pat, len,
	                   ((flags & RX_ICASE) ? PCRE2_CASELESS : 0) |
	                   ((flags & RX_NO_CAPTURE) ? PCRE2_NO_AUTO_CAPTURE : 0),
	                   &ecode, &eoff, NULL);
	if (!re) {
		PCRE2_UCHAR msg[256];

		if (pcre2_get_error_message(ecode, msg, sizeof(msg)) < 0)
			snprintf((char *)msg, sizeof(msg), "error %d", ecode);
		if (err && errlen)
			snprintf(err, errlen, "%s at offset %zu", (char *)msg, (size_t)eoff);
		return NULL;
	}
	return re;
}

pcre2_code *rxi_pcre_compile(const char *pat, size_t len, unsigned flags, char *err, size_t errlen)
{
	pcre2_code *re = rxi_pcre_compile_nojit(pat, len, flags, err, errlen);

	/* JIT failure (no executable memory, say) is not an error: the
	 * interpreter gives the same answers, slower. */
	if (re && !(flags & RX_NO_JIT))
		pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
	return re;
}

int rxi_pcre_match(const pcre2_code *re, const char *s, size_t n, unsigned opts)
{
	pcre2_match_data *md = rxi_match_data();

	if (!md)
		return PCRE2_ERROR_NOMEMORY;
	return pcre2_match(re, (PCRE2_SPTR)(s ? s : ""), n, 0, opts, md, NULL);
}

unsigned rxi_hs_flags(int icase)
{
	return HS_FLAG_SINGLEMATCH | HS_FLAG_ALLOWEMPTY | (icase ? HS_FLAG_CASELESS : 0);
}

/* Hyperscan parses PCRE syntax itself and accepts a few constructs that
 * change matching in ways it does not follow: start-of-pattern verbs such
 * as (*CR) or (*UTF) (newline convention, UTF-8 subjects) and PCRE2's
 * extended-more option (?xx). The scan is lexical and conservative: a
 * false alarm only costs speed. Escaped characters are skipped. */
int rxi_hs_agrees(const char *pat, size_t len, const char **why)
{
	size_t i;

	if (memchr(pat, 0, len)) {
		*why = "NUL byte in the pattern";
		return 0;
	}
	for (i = 0; i + 1 < len; i++) {
		if (pat[i] == '\\') {
			i++;
			continue;
		}
		if (pat[i] != '(')
			continue;
		if (pat[i + 1] == '*') {
			*why = "PCRE2 verb (*...)";
			return 0;
		}
		if (pat[i + 1] == '?') {
			size_t j;

			for (j = i + 2; j < len && pat[j] != ')' && pat[j] != ':'; j++) {
				if (pat[j] == 'x') {
					*why = "extended syntax option (?x)";
					return 0;
				}
				if (!((pat[j] >= 'a' && pat[j] <= 'z') || (pat[j] >= 'A' && pat[j] <= 'Z') ||
				      pat[j] == '-' || pat[j] == '^'))
					break;
			}
		}
	}
	return 1;
}

int rxi_literal(const char *pat, size_t len, char *out, size_t *outlen, int *bol, int *eol)
{
	size_t i = 0, o = 0;

	*bol = *eol = 0;
	if (len && pat[0] == '^')
		*bol = 1, i = 1;
	for (; i < len; i++) {
		unsigned char c = (unsigned char)pat[i];

		if (c == '\\') {
			/* an escaped non-alphanumeric ASCII character is itself */
			if (i + 1 >= len)
				return 0;
			c = (unsigned char)pat[++i];
			if (c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			    (c >= '0' && c <= '9'))
				return 0;
		} else if (c == '$' && i + 1 == len) {
			*eol = 1;
			break;
		} else if (strchr("^$.[|()?*+{", c) && c) {
			return 0;
		}
		out[o++] = (char)c;
	}
	*outlen = o;
	return o > 0;
}
