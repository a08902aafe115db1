/* patset.c: pattern sets. Whole-span literal entries (str/beg/end/dir/dom)
 * go to a hash looked up by candidate spans (spanset.c). Substring entries
 * (sub, and regexes that are plain literals) go to one Hyperscan
 * pure-literal database whose ids are the entry indexes; the match
 * callback checks where each occurrence sits, which the literal's length
 * tells. Regex entries go to
 * Hyperscan regex databases of at most PATSET_CHUNK expressions each,
 * because Hyperscan's compile time grows faster than linearly with the
 * number of regexes. Entries Hyperscan refuses (or would match differently
 * from PCRE2) go to a PCRE2 side list. A lookup keeps the best ranked match
 * (the rank is the index, unless an option ranks prefixes by length) and
 * skips every database that cannot beat it. */
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "regex/patset.h"
#include "regex/rx.h"
#include "regex/rxint.h"
#include "regex/spanset.h"

#define PATSET_CHUNK 128        /* regexes per Hyperscan database */
#define PATSET_MAX_THREADS 8    /* parallel chunk compiles */
#define RANK_NONE UINT64_MAX

/* Per-entry data the literal callback needs. <len> is the literal's length
 * once word delimiters are stripped. */
struct patset_lit {
	uint32_t len;
	uint8_t kind;           /* enum patset_kind, or one of LIT_RE_* */
};

/* Regex entries that are plain literals ("^/api/", "\\.php$") join the
 * literal database with PCRE's anchor rules: "$" also matches before a
 * final newline. */
enum { LIT_RE_SUB = PATSET_REG + 1, LIT_RE_BEG, LIT_RE_END, LIT_RE_STR };

struct patset_chunk {
	hs_database_t *db;
	uint64_t min_rank;      /* lowest rank of its entries */
};

struct patset_side {
	uint64_t rank;
	int idx;                /* entry index */
	pcre2_code *re;
};

/* A built set. A lower rank wins. Invariants: <chunks> and <side> are
 * sorted by rank, and a chunk's entries rank above those of the previous
 * chunk; no entry of <lit> ranks below <lit_floor>; no entry that can
 * match ranks above <always>. <rank> is NULL when the rank is the index. */
struct patset {
	size_t n;               /* entries the set was built from */
	uint64_t *rank;         /* per entry, or NULL */
	struct spanset *spans;  /* str/beg/end/dir/dom entries, or NULL */
	hs_database_t *lit;     /* sub entries and literal regexes, or NULL */
	uint64_t lit_floor;
	struct patset_lit *li;  /* per entry (literal ones only meaningful) */
	struct patset_chunk *chunks;
	size_t nchunks;
	struct patset_side *side;
	size_t nside;
	uint64_t always;        /* best rank among entries matching every subject */
	int always_idx;
	uint64_t empty_rank;    /* best rank among entries matching only "" (str "") */
	int empty_idx;
};

static inline uint64_t entry_rank(const struct patset *ps, size_t i)
{
	return ps->rank ? ps->rank[i] : (uint64_t)i;
}

/* Returns the rank of entry <e> (index <i>) under <opts>: by default the
 * index; with PATSET_O_BEG_LONGEST, case-sensitive prefixes come first,
 * longest first, then everything else in file order. */
static uint64_t rank_of(const struct patset_entry *e, size_t i, unsigned opts)
{
	if ((opts & PATSET_O_BEG_LONGEST) && e->kind == PATSET_BEG && !(e->flags & PATSET_ICASE)) {
		uint64_t l = e->len < 0x7fffffff ? e->len : 0x7fffffff;

		return ((0x7fffffffULL - l) << 32) | i;
	}
	return opts ? (1ULL << 63) | i : (uint64_t)i;
}

static int side_cmp(const void *a, const void *b)
{
	const struct patset_side *x = a, *y = b;

	return x->rank < y->rank ? -1 : x->rank > y->rank;
}

/* Returns 1 when <c> delimits words for <kind> (HAProxy's dir: '/' '?';
 * dom: '/' '?' '.' ':'). */
static inline int is_delim(unsigned char c, unsigned kind)
{
	if (c == '/' || c == '?')
		return 1;
	return kind == PATSET_DOM && (c == '.' || c == ':');
}

static void set_err(char *err, size_t errlen, size_t *err_index, size_t idx, const char *msg)
{
	if (err && errlen)
		snprintf(err, errlen, "%s", msg);
	if (err_index)
		*err_index = idx;
}

void patset_free(struct patset *ps)
{
	size_t i;

	if (!ps)
		return;
	if (ps->lit)
		hs_free_database(ps->lit);
	spanset_free(ps->spans);
	for (i = 0; i < ps->nchunks; i++)
		hs_free_database(ps->chunks[i].db);
	for (i = 0; i < ps->nside; i++)
		pcre2_code_free(ps->side[i].re);
	free(ps->chunks);
	free(ps->side);
	free(ps->li);
	free(ps->rank);
	free(ps);
}

/* Working state of one build. The compile arrays (<hx>...) serve the
 * literal database; chunk compiles, possibly in parallel threads, use
 * their own. */
struct build {
	const struct patset_entry *e;
	size_t n;
	struct patset *ps;
	pcre2_code **re;            /* per REG entry */
	char **text;                /* per REG entry: NUL-terminated copy */
	unsigned char *on_side;     /* per entry; chunks touch disjoint entries */
	unsigned char *litre;       /* per REG entry: its LIT_RE_* kind when a literal, or 0 */
	size_t *litlen;             /* per REG entry: the literal's length (in <text>) */
	const char **hx;
	unsigned *hflags, *hids;
	size_t *hlens;
	char *err;
	size_t errlen, *err_index;
	/* chunk jobs */
	const unsigned *regs;       /* live regex entries, rank order */
	size_t nregs;
	size_t njobs;
	atomic_size_t next_job;
};

/* Compiles the literal entries into ps->lit. Returns 0 or -1 (error set). */
static int build_literals(struct build *b)
{
	struct patset *ps = b->ps;
	hs_compile_error_t *cerr = NULL;
	size_t i, nh = 0;

	for (i = 0; i < b->n; i++) {
		const struct patset_entry *e = &b->e[i];
		const char *p = e->pat;
		size_t len = e->len;
		unsigned kind = e->kind;

		if (entry_rank(ps, i) > ps->always)
			continue;
		if (kind == PATSET_REG) {
			if (!b->litre[i])
				continue;
			kind = b->litre[i];
			p = b->text[i];
			len = b->litlen[i];
		} else if (kind == PATSET_DIR || kind == PATSET_DOM) {
			/* HAProxy strips delimiters around a word. An empty
			 * word matches nothing here; HAProxy 2.6 compares it
			 * with the byte after the sample, so its answer for a
			 * subject ending with a delimiter depends on memory
			 * it does not own (seen both ways on the same map). */
			while (len && is_delim((unsigned char)*p, e->kind))
				p++, len--;
			while (len && is_delim((unsigned char)p[len - 1], e->kind))
				len--;
			if (!len)
				continue;
		} else if (!len) {
			if (e->kind == PATSET_STR) {
				if (entry_rank(ps, i) < ps->empty_rank) {
					ps->empty_rank = entry_rank(ps, i);
					ps->empty_idx = (int)i;
				}
			} else if (entry_rank(ps, i) < ps->always) {
				ps->always = entry_rank(ps, i);
				ps->always_idx = (int)i;
			}
			continue;
		}
		if (len > UINT32_MAX) {
			set_err(b->err, b->errlen, b->err_index, i, "pattern too long");
			return -1;
		}
		if (kind != PATSET_SUB && kind < PATSET_REG) {
			/* whole-span kinds: hash lookups, see spanset.h */
			if ((!ps->spans && !(ps->spans = spanset_new(b->n))) ||
			    spanset_add(ps->spans, kind, !!(e->flags & PATSET_ICASE), p, len,
			                entry_rank(ps, i), (int)i) < 0) {
				set_err(b->err, b->errlen, b->err_index, (size_t)-1, "out of memory");
				return -1;
			}
			continue;
		}
		ps->li[i].kind = (uint8_t)kind;
		ps->li[i].len = (uint32_t)len;
		b->hx[nh] = p;
		b->hlens[nh] = len;
		b->hflags[nh] = (e->flags & PATSET_ICASE) ? HS_FLAG_CASELESS : 0;
		b->hids[nh] = (unsigned)i;
		nh++;
	}
	/* drop those an always-matching entry made unreachable */
	for (i = 0; i < nh; ) {
		if (entry_rank(ps, b->hids[i]) > ps->always) {
			nh--;
			b->hx[i] = b->hx[nh], b->hlens[i] = b->hlens[nh];
			b->hflags[i] = b->hflags[nh], b->hids[i] = b->hids[nh];
			continue;
		}
		if (entry_rank(ps, b->hids[i]) < ps->lit_floor)
			ps->lit_floor = entry_rank(ps, b->hids[i]);
		i++;
	}
	if (!nh)
		return 0;
	if (hs_compile_lit_multi(b->hx, b->hflags, b->hids, b->hlens, (unsigned)nh, HS_MODE_BLOCK,
	                         NULL, &ps->lit, &cerr) != HS_SUCCESS) {
		ps->lit = NULL;
		set_err(b->err, b->errlen, b->err_index,
		        cerr && cerr->expression >= 0 ? b->hids[cerr->expression] : (size_t)-1,
		        cerr ? cerr->message : "Hyperscan literal compile failed");
		hs_free_compile_error(cerr);
		return -1;
	}
	return 0;
}

/* Compiles the regex entries <ids>[0..<cnt>) (rank order) into chunk <c>,
 * (c->db stays NULL when none is left); those Hyperscan rejects go to the
 * side list. Returns 0, or -1 when out of memory. */
static int build_chunk(struct build *b, struct patset_chunk *c, const unsigned *ids, size_t cnt)
{
	const char *hx[PATSET_CHUNK];
	unsigned hflags[PATSET_CHUNK], hids[PATSET_CHUNK];
	size_t i, nh;

	c->db = NULL;
	for (;;) {
		hs_compile_error_t *cerr = NULL;
		hs_error_t rc;

		nh = 0;
		for (i = 0; i < cnt; i++) {
			if (b->on_side[ids[i]])
				continue;
			hx[nh] = b->text[ids[i]];
			hflags[nh] = rxi_hs_flags(b->e[ids[i]].flags & PATSET_ICASE);
			hids[nh] = ids[i];
			nh++;
		}
		if (!nh)
			return 0;
		rc = hs_compile_multi(hx, hflags, hids, (unsigned)nh, HS_MODE_BLOCK, NULL, &c->db, &cerr);
		if (rc == HS_SUCCESS)
			break;
		c->db = NULL;
		if (rc == HS_NOMEM) {
			hs_free_compile_error(cerr);
			return -1;
		}
		if (cerr && cerr->expression >= 0) {
			b->on_side[hids[cerr->expression]] = 1;
		} else {
			/* whole-database failure (size limits): PCRE2 for all */
			for (i = 0; i < nh; i++)
				b->on_side[hids[i]] = 1;
		}
		hs_free_compile_error(cerr);
	}
	c->min_rank = entry_rank(b->ps, hids[0]);
	return 0;
}

/* Thread body: takes chunk jobs until none is left. Returns NULL, or a
 * non-NULL pointer when a compile ran out of memory. */
static void *chunk_worker(void *opaque)
{
	struct build *b = opaque;
	size_t j;
	void *ret = NULL;

	while ((j = atomic_fetch_add(&b->next_job, 1)) < b->njobs) {
		size_t k = j * PATSET_CHUNK;
		size_t cnt = b->nregs - k < PATSET_CHUNK ? b->nregs - k : PATSET_CHUNK;

		if (build_chunk(b, &b->ps->chunks[j], b->regs + k, cnt) < 0)
			ret = b;
	}
	return ret;
}

/* Compiles every chunk, in parallel when there are several and the
 * machine has cores, then drops empty ones. Returns 0 or -1. */
static int build_chunks(struct build *b)
{
	struct patset *ps = b->ps;
	pthread_t th[PATSET_MAX_THREADS];
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t nth = 0, i, k;
	int ret = 0;

	b->njobs = (b->nregs + PATSET_CHUNK - 1) / PATSET_CHUNK;
	if (!b->njobs)
		return 0;
	if (!(ps->chunks = calloc(b->njobs, sizeof(*ps->chunks))))
		return -1;
	atomic_store(&b->next_job, 0);
	if (cpus > 1 && b->njobs > 1) {
		size_t want = (size_t)cpus < b->njobs ? (size_t)cpus : b->njobs;

		if (want > PATSET_MAX_THREADS)
			want = PATSET_MAX_THREADS;
		for (nth = 0; nth + 1 < want; nth++)
			if (pthread_create(&th[nth], NULL, chunk_worker, b) != 0)
				break;
	}
	if (chunk_worker(b))
		ret = -1;
	for (i = 0; i < nth; i++) {
		void *r;

		pthread_join(th[i], &r);
		if (r)
			ret = -1;
	}
	for (i = k = 0; i < b->njobs; i++)
		if (ps->chunks[i].db)
			ps->chunks[k++] = ps->chunks[i];
	ps->nchunks = k;
	return ret;
}

struct patset *patset_build(const struct patset_entry *e, size_t n,
                            char *err, size_t errlen, size_t *err_index)
{
	return patset_build_opts(e, n, 0, err, errlen, err_index);
}

struct patset *patset_build_opts(const struct patset_entry *e, size_t n, unsigned opts,
                                 char *err, size_t errlen, size_t *err_index)
{
	struct build b = { .e = e, .n = n, .err = err, .errlen = errlen, .err_index = err_index };
	struct patset *ps;
	unsigned *regs = NULL;
	size_t i, nregs = 0;
	char tmp[256];

	if (err_index)
		*err_index = (size_t)-1;
	if (n > INT_MAX - 1) {
		set_err(err, errlen, err_index, (size_t)-1, "too many patterns");
		return NULL;
	}
	if (!(ps = calloc(1, sizeof(*ps))))
		goto fail_nomem;
	b.ps = ps;
	ps->n = n;
	ps->always = ps->empty_rank = ps->lit_floor = RANK_NONE;
	ps->always_idx = ps->empty_idx = -1;
	if (!n)
		return ps;

	b.re = calloc(n, sizeof(*b.re));
	b.text = calloc(n, sizeof(*b.text));
	b.on_side = calloc(n, 1);
	b.litre = calloc(n, 1);
	b.litlen = calloc(n, sizeof(*b.litlen));
	b.hx = calloc(n, sizeof(*b.hx));
	b.hflags = calloc(n, sizeof(*b.hflags));
	b.hids = calloc(n, sizeof(*b.hids));
	b.hlens = calloc(n, sizeof(*b.hlens));
	regs = calloc(n, sizeof(*regs));
	ps->li = calloc(n, sizeof(*ps->li));
	if (!b.re || !b.text || !b.on_side || !b.litre || !b.litlen || !b.hx || !b.hflags || !b.hids || !b.hlens || !regs || !ps->li)
		goto fail_nomem_b;
	if (opts) {
		if (!(ps->rank = malloc(n * sizeof(*ps->rank))))
			goto fail_nomem_b;
		for (i = 0; i < n; i++)
			ps->rank[i] = rank_of(&e[i], i, opts);
	}

	/* Regexes: PCRE2 defines the syntax and its messages, so every one
	 * is compiled there first, even those that can never win. */
	for (i = 0; i < n; i++) {
		const char *why;
		hs_expr_info_t *info = NULL;
		hs_compile_error_t *cerr = NULL;

		if (e[i].kind > PATSET_REG) {
			set_err(err, errlen, err_index, i, "unknown match kind");
			goto fail;
		}
		if (e[i].kind != PATSET_REG)
			continue;
		/* compiled as HAProxy compiles ACL and map regexes: without
		 * numbered captures, so "(a)\\1" is an error there too */
		b.re[i] = rxi_pcre_compile(e[i].pat, e[i].len,
		                           RX_NO_CAPTURE | ((e[i].flags & PATSET_ICASE) ? RX_ICASE : 0),
		                           tmp, sizeof(tmp));
		if (!b.re[i]) {
			set_err(err, errlen, err_index, i, tmp);
			goto fail;
		}
		if (!(b.text[i] = malloc(e[i].len + 1)))
			goto fail_nomem_b;
		{
			int bol, eol;

			if (rxi_literal(e[i].pat, e[i].len, b.text[i], &b.litlen[i], &bol, &eol)) {
				b.litre[i] = bol ? (eol ? LIT_RE_STR : LIT_RE_BEG) : (eol ? LIT_RE_END : LIT_RE_SUB);
				continue;
			}
		}
		regs[nregs++] = (unsigned)i;
		if (!rxi_hs_agrees(e[i].pat, e[i].len, &why)) {
			b.on_side[i] = 1;
			continue;
		}
		memcpy(b.text[i], e[i].pat, e[i].len);
		b.text[i][e[i].len] = 0;
		/* cheap pre-check, so that one unsupported regex does not cost
		 * a whole chunk compile */
		if (hs_expression_info(b.text[i], rxi_hs_flags(e[i].flags & PATSET_ICASE),
		                       &info, &cerr) != HS_SUCCESS) {
			hs_free_compile_error(cerr);
			b.on_side[i] = 1;
			continue;
		}
		free(info);
	}

	if (build_literals(&b) < 0)
		goto fail;
	if (ps->lit && rxi_scratch_reserve(ps->lit, tmp, sizeof(tmp)) < 0) {
		set_err(err, errlen, err_index, (size_t)-1, tmp);
		goto fail;
	}

	/* Regex chunks, in rank order (file order: options only move BEG). */
	{
		size_t live = 0;

		for (i = 0; i < nregs; i++)
			if (!b.on_side[regs[i]] && entry_rank(ps, regs[i]) < ps->always)
				regs[live++] = regs[i];
		b.regs = regs;
		b.nregs = live;
		if (build_chunks(&b) < 0)
			goto fail_nomem_b;
		for (i = 0; i < ps->nchunks; i++) {
			if (rxi_scratch_reserve(ps->chunks[i].db, tmp, sizeof(tmp)) < 0) {
				set_err(err, errlen, err_index, (size_t)-1, tmp);
				goto fail;
			}
		}
	}

	/* Side list, in rank order; the PCRE2 code of the others is freed. */
	for (i = 0; i < n; i++)
		if (b.on_side[i] && entry_rank(ps, i) < ps->always)
			ps->nside++;
	if (ps->nside && !(ps->side = calloc(ps->nside, sizeof(*ps->side))))
		goto fail_nomem_b;
	ps->nside = 0;
	for (i = 0; i < n; i++) {
		if (b.on_side[i] && entry_rank(ps, i) < ps->always) {
			ps->side[ps->nside].rank = entry_rank(ps, i);
			ps->side[ps->nside].idx = (int)i;
			ps->side[ps->nside].re = b.re[i];
			ps->nside++;
			b.re[i] = NULL;
		}
	}
	if (ps->rank && ps->nside > 1)
		qsort(ps->side, ps->nside, sizeof(*ps->side), side_cmp);
	goto done;

fail_nomem_b:
	set_err(err, errlen, err_index, (size_t)-1, "out of memory");
fail:
	patset_free(ps);
	ps = NULL;
done:
	for (i = 0; i < n; i++) {
		if (b.text)
			free(b.text[i]);
		if (b.re && b.re[i])
			pcre2_code_free(b.re[i]);
	}
	free(b.re);
	free(b.text);
	free(b.on_side);
	free(b.litre);
	free(b.litlen);
	free(b.hx);
	free(b.hflags);
	free(b.hids);
	free(b.hlens);
	free(regs);
	return ps;
fail_nomem:
	set_err(err, errlen, err_index, (size_t)-1, "out of memory");
	return NULL;
}

size_t patset_count(const struct patset *ps)
{
	return ps ? ps->n : 0;
}

size_t patset_fallback_count(const struct patset *ps)
{
	return ps ? ps->nside : 0;
}

/* ---- lookup ------------------------------------------------------------- */

struct first_ctx {
	const struct patset *ps;
	const unsigned char *s;
	size_t n;
	uint64_t best;
	int best_idx;
	uint64_t floor;         /* no better rank can come from this database */
};

static inline int take(struct first_ctx *c, unsigned id)
{
	uint64_t r = c->ps->rank ? c->ps->rank[id] : id;

	if (r < c->best) {
		c->best = r;
		c->best_idx = (int)id;
	}
	return c->best <= c->floor;   /* nothing better can come: stop */
}

/* A literal occurred in [to - len, to): keep it when it sits where its
 * kind wants it. */
static int on_literal(unsigned id, unsigned long long from, unsigned long long to,
                      unsigned fl, void *opaque)
{
	struct first_ctx *c = opaque;
	const struct patset_lit *l = &c->ps->li[id];
	size_t start = (size_t)to - l->len;

	switch (l->kind) {
	case PATSET_STR:
		if (start != 0 || to != c->n)
			return 0;
		break;
	case PATSET_BEG:
		if (start != 0)
			return 0;
		break;
	case PATSET_END:
		if (to != c->n)
			return 0;
		break;
	case PATSET_SUB:
	case LIT_RE_SUB:
		break;
	case LIT_RE_BEG:
		if (start != 0)
			return 0;
		break;
	case LIT_RE_END:   /* "$": at the end or before a final newline */
		if (to != c->n && !(to + 1 == c->n && c->s[to] == '\n'))
			return 0;
		break;
	case LIT_RE_STR:
		if (start != 0 || (to != c->n && !(to + 1 == c->n && c->s[to] == '\n')))
			return 0;
		break;
	default:   /* DIR, DOM */
		if (start && !is_delim(c->s[start - 1], l->kind))
			return 0;
		if (to != c->n && !is_delim(c->s[to], l->kind))
			return 0;
		break;
	}
	return take(c, id);
}

static int on_regex(unsigned id, unsigned long long from, unsigned long long to,
                    unsigned fl, void *opaque)
{
	return take(opaque, id);
}

/* Scans <c>'s subject with <db>. Returns 0, or -1 when Hyperscan failed
 * even with a fresh scratch. */
static int scan(const hs_database_t *db, struct first_ctx *c, hs_scratch_t **scr,
                match_event_handler cb)
{
	hs_error_t e = hs_scan(db, (const char *)c->s, (unsigned)c->n, 0, *scr, cb, c);

	if (e == HS_INVALID && (*scr = rxi_scratch_refresh()))
		e = hs_scan(db, (const char *)c->s, (unsigned)c->n, 0, *scr, cb, c);
	return e == HS_SUCCESS || e == HS_SCAN_TERMINATED ? 0 : -1;
}

int patset_first(const struct patset *ps, const char *s, size_t n)
{
	struct first_ctx c;
	hs_scratch_t *scr = NULL;
	size_t i;

	if (!ps)
		return -1;
	if (!s)
		s = "";
	c.ps = ps;
	c.s = (const unsigned char *)s;
	c.n = n;
	c.best = ps->always;
	c.best_idx = ps->always_idx;
	if (!n && ps->empty_rank < c.best) {
		c.best = ps->empty_rank;
		c.best_idx = ps->empty_idx;
	}
	if (ps->spans && spanset_floor(ps->spans) < c.best)
		spanset_lookup(ps->spans, s, n, &c.best, &c.best_idx);
	if ((ps->lit && ps->lit_floor < c.best) || (ps->nchunks && ps->chunks[0].min_rank < c.best)) {
		/* No scratch (out of memory): this lookup fails closed
		 * rather than guessing. */
		if (!(scr = rxi_scratch()))
			return -1;
	}
	if (n > UINT_MAX)   /* beyond Hyperscan's reach: fail closed */
		return -1;
	if (ps->lit && ps->lit_floor < c.best) {
		c.floor = ps->lit_floor;
		if (scan(ps->lit, &c, &scr, on_literal) < 0)
			return -1;
	}
	for (i = 0; i < ps->nchunks && ps->chunks[i].min_rank < c.best; i++) {
		c.floor = ps->chunks[i].min_rank;
		if (scan(ps->chunks[i].db, &c, &scr, on_regex) < 0)
			return -1;
	}
	for (i = 0; i < ps->nside && ps->side[i].rank < c.best; i++) {
		if (rxi_pcre_match(ps->side[i].re, s, n, 0) >= 0) {
			c.best = ps->side[i].rank;
			c.best_idx = ps->side[i].idx;
			break;
		}
	}
	return c.best_idx;
}
