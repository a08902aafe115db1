/* sample.h: the one registry of sample fetches and converters, with
 * HAProxy's names, argument types and result types, and compiled sample
 * expressions "fetch(args),conv1(args),conv2". Configuration (rules, ACLs,
 * log-format %[...]) and Lua (TXN.f / TXN.c) call the same functions. */
#ifndef RP_SAMPLE_H
#define RP_SAMPLE_H

#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

struct stream;
struct proxy;
struct server;
struct config;

enum smp_type {
	SMP_T_ANY = 0,   /* for argument/input declarations only */
	SMP_T_BOOL,
	SMP_T_SINT,
	SMP_T_IPV4,
	SMP_T_IPV6,
	SMP_T_STR,
	SMP_T_BIN,
	SMP_T_METH,      /* HTTP method: stored as a string */
	SMP_T_ADDR,      /* for converter input declarations only: IPv4 or IPv6 */
	SMP_TYPES
};

/* Sample flags */
#define SMP_F_CONST       0x01   /* u.str points to storage the sample does not own: copy before writing */
#define SMP_F_MAY_CHANGE  0x02   /* not found yet, but may be with more data (inspect-delay waits) */
#define SMP_F_VOL_TXN     0x04   /* value may change within the transaction */
#define SMP_F_NOT_LAST    0x08   /* more values follow (several header occurrences...):
                                  * evaluating again with the same smp_ctx gives the
                                  * next one; ACLs test each value (HAProxy's NOT_LAST) */

/* A sample value. Strings are not NUL-terminated unless stated; <size> is
 * the writable capacity (0 for SMP_F_CONST data). Result strings of
 * fetches and converters live in per-thread scratch chunks (smp_trash())
 * and stay valid until the next expression evaluation on this thread. */
struct sample {
	enum smp_type type;
	uint32_t flags;
	union {
		int64_t sint;
		struct in_addr ipv4;
		struct in6_addr ipv6;
		struct { char *ptr; size_t len; size_t size; } str;  /* STR, BIN, METH */
	} u;
};

/* Argument types, as HAProxy's ARGT_* */
enum arg_type { ARGT_STOP = 0, ARGT_SINT, ARGT_STR, ARGT_IPV4, ARGT_MSK4, ARGT_IPV6,
                ARGT_MSK6, ARGT_TIME, ARGT_SIZE, ARGT_FE, ARGT_BE, ARGT_SRV, ARGT_VAR,
                ARGT_REG, ARGT_USR, ARGT_MAP,
                ARGT_TAB };   /* a proxy with a stick table (stick.h): u.px once resolved */

/* An argument. ARGT_FE/BE/SRV arguments are parsed as names (u.str, owned)
 * with <unresolved> set; sample_resolve() replaces them by u.px / u.srv.
 * A "backend/server" pair for ARGT_SRV is kept whole until resolution. */
struct arg {
	enum arg_type type;
	uint8_t unresolved;
	union {
		int64_t sint;
		struct { char *ptr; size_t len; } str;
		struct in_addr ipv4;
		struct in6_addr ipv6;
		struct proxy *px;
		struct server *srv;
		void *ptr;            /* ARGT_VAR (struct var_ref *), ARGT_REG (struct rx *), ARGT_MAP */
	} u;
};

#define SMP_MAX_ARGS 6

/* Where an evaluation happens. <strm> may be NULL (e.g. a converter called
 * from a Lua task, or log-format at start-up); fetches that need it fail. */
enum smp_dir { SMP_DIR_REQ = 0, SMP_DIR_RES = 1 };
struct smp_ctx {
	struct stream *strm;
	struct proxy *px;           /* the proxy whose rule is being evaluated */
	enum smp_dir dir;
	unsigned final:1;           /* no more data will come: MAY_CHANGE becomes "not found" */
	const void *priv;           /* the running fetch's or converter's <priv>, set by the evaluator */
	unsigned iterate:1;         /* set by ACLs (HAProxy's SMP_OPT_ITERATE): a multi-value
	                             * fetch without an occurrence argument returns each value
	                             * in turn with SMP_F_NOT_LAST, instead of the last one */
	uint32_t iter;              /* multi-value fetches (SMP_F_NOT_LAST): 0 for the first
	                             * value; the fetch keeps its position here between calls */
};

/* Returns 1 and fills <smp> when the fetch found a value, 0 otherwise. */
typedef int (*smp_fetch_fn)(const struct arg *args, struct sample *smp, struct smp_ctx *ctx);
/* Returns 1 and transforms <smp> in place, 0 when the conversion fails. */
typedef int (*smp_conv_fn)(const struct arg *args, struct sample *smp, struct smp_ctx *ctx);
/* Optional argument validation at configuration time: returns 0 or -1
 * with a message in <err> (size <errlen>). */
typedef int (*smp_check_fn)(struct arg *args, char *err, size_t errlen);

/* Argument mask: up to SMP_MAX_ARGS types, 4 bits each, plus the number of
 * mandatory ones. ARG1(1, STR) = one mandatory string; ARG2(0, SINT, STR) =
 * two optional. Built with the macros below, as HAProxy's ARG*() macros. */
typedef uint64_t arg_mask;
#define ARGM_BITS 5
#define ARGT_M(t, n) ((uint64_t)(t) << (ARGM_BITS * ((n) + 1)))
#define ARG0 ((arg_mask)0)
#define ARG1(m, t1)             ((arg_mask)(m) | ARGT_M(ARGT_##t1, 0))
#define ARG2(m, t1, t2)         (ARG1(m, t1) | ARGT_M(ARGT_##t2, 1))
#define ARG3(m, t1, t2, t3)     (ARG2(m, t1, t2) | ARGT_M(ARGT_##t3, 2))
#define ARG4(m, t1, t2, t3, t4) (ARG3(m, t1, t2, t3) | ARGT_M(ARGT_##t4, 3))
#define ARG5(m, t1, t2, t3, t4, t5) (ARG4(m, t1, t2, t3, t4) | ARGT_M(ARGT_##t5, 4))

/* Where a fetch is usable (HAProxy's SMP_USE_* summarised). */
#define SMP_USE_L4   0x01   /* connection-level: usable in tcp-request connection */
#define SMP_USE_L5   0x02   /* session */
#define SMP_USE_L6   0x04   /* needs channel contents (req.payload...) */
#define SMP_USE_L7   0x08   /* needs HTTP */
#define SMP_USE_INT  0x10   /* internal state, usable anywhere */
#define SMP_USE_RES  0x20   /* response side only */
#define SMP_USE_ANYDIR 0x40 /* HTTP, readable from request and response rules alike */

struct sample_fetch {
	const char *name;
	smp_fetch_fn fn;
	arg_mask args;
	smp_check_fn check;
	enum smp_type out;
	unsigned use;               /* SMP_USE_* */
	const void *priv;           /* opaque, handed to <fn> as ctx->priv (Lua: the function ref) */
};

struct sample_conv {
	const char *name;
	smp_conv_fn fn;
	arg_mask args;
	smp_check_fn check;
	enum smp_type in, out;
	const void *priv;           /* as for fetches */
};

/* One step of an expression: a fetch, then converters. */
struct sample_conv_step {
	const struct sample_conv *conv;
	struct arg args[SMP_MAX_ARGS];
	int nb_args;
};

struct sample_expr {
	const struct sample_fetch *fetch;
	struct arg args[SMP_MAX_ARGS];
	int nb_args;
	struct sample_conv_step *convs;
	int nb_convs;
};

/* Registry. Built-in tables are static arrays; Lua adds lua.* entries at
 * start-up with sample_register_*(). Lookups by exact name. */
const struct sample_fetch *sample_fetch_find(const char *name, size_t len);
const struct sample_conv *sample_conv_find(const char *name, size_t len);
int sample_register_fetch(const struct sample_fetch *f);   /* 0 or -EEXIST/-ENOMEM */
int sample_register_conv(const struct sample_conv *c);
/* Calls <cb> for every registered fetch (resp. converter), built-ins first. */
void sample_fetch_foreach(void (*cb)(const struct sample_fetch *f, void *arg), void *arg);
void sample_conv_foreach(void (*cb)(const struct sample_conv *c, void *arg), void *arg);

/* Parses an expression from <str>, stopping at the first character that
 * cannot continue it (returned through <end>, may be NULL). Returns the
 * expression or NULL with a message in <err> (HAProxy's wording where it has one). */
struct sample_expr *sample_expr_parse(const char *str, const char **end, struct proxy *px,
                                      char *err, size_t errlen);
/* Parses an expression starting at configuration word words[*idx], where
 * the converter list may continue in the following words as HAProxy 2.6
 * still accepts ("set-var(txn.a) str(a) lower if TRUE"): a following word
 * is taken when it starts with a known converter name. On success *idx is
 * the index of the first word not used (nwords at the end). Returns the
 * expression or NULL with a message in <err>. */
struct sample_expr *sample_expr_parse_words(char *const *words, int nwords, int *idx,
                                            struct proxy *px, char *err, size_t errlen);
void sample_expr_free(struct sample_expr *e);
/* Returns 1 with the result in <smp>, 0 when not found (check SMP_F_MAY_CHANGE). */
int sample_expr_eval(const struct sample_expr *e, struct smp_ctx *ctx, struct sample *smp);
/* Parses and checks fetch/converter arguments "a,b" (without parentheses)
 * against <mask>: used by the expression parser and by Lua's TXN.f/TXN.c.
 * Returns the number of arguments or -1 with a message in <err>. */
int sample_args_parse(const char *s, size_t len, arg_mask mask, struct arg *out,
                      struct proxy *px, char *err, size_t errlen);

/* Converts <smp> to <type> in place. Returns 1 on success, 0 if impossible. */
int sample_cast(struct sample *smp, enum smp_type type);
/* Makes <smp>'s string writable (copies SMP_F_CONST data to scratch). Returns 1 or 0. */
int sample_make_rw(struct sample *smp);
/* Returns a per-thread scratch buffer of at least tune.bufsize bytes; a
 * small ring of them, so a converter may read one and write the next. */
char *smp_trash(size_t *size);
/* Releases args owned by a parsed argument array. */
void sample_args_free(struct arg *args, int n);

const char *smp_type_name(enum smp_type t);
/* Writes the dotted-quad text of <a> (network order) and a NUL into <buf>
 * (at least 16 bytes): the text inet_ntop(AF_INET) gives, without printf
 * (which costs ~1,600 instructions per address). Returns its length. */
size_t smp_ipv4_str(const struct in_addr *a, char *buf);

/* --- additions (engineer D) --- */

/* Built-in tables: the registry starts with these (fetch.c, conv.c). A
 * module with its own table (HTTP fetches...) adds it at start-up with
 * sample_register_fetch_table(); the table must stay alive (static). */
extern const struct sample_fetch smp_fetch_l4_table[];    /* fetch.c, ends with a NULL name */
extern const struct sample_fetch smp_fetch_payload_table[]; /* payload.c */
extern const struct sample_fetch smp_fetch_http_table[];  /* http_fetch.c (engineer I) */
/* req.len / res.len on an HTTP stream (payload.c asks): the size HAProxy
 * 2.6 gives the message in its internal form so far, head then body
 * (de-chunked). Returns 1 with *<len>, or 0 when the message of direction
 * <dir> is not parsed (the channel's bytes count then). http_fetch.c. */
int http_fetch_htx_len(struct smp_ctx *ctx, int dir, int64_t *len);
extern const struct sample_fetch smp_fetch_userlist_table[]; /* userlist.c: http_auth, http_auth_group */
extern const struct sample_fetch smp_fetch_cap_table[];   /* http_cap.c: capture.req.hdr, capture.res.hdr */
extern const struct sample_fetch smp_fetch_ssl_table[];   /* fetch_ssl.c: ssl_fc*, ssl_bc*, ssl_c_* */
extern const struct sample_fetch smp_fetch_sc_table[];    /* fetch_sc.c: sc_*, sc0_*..sc2_*, src_* (stick tables) */
extern const struct sample_fetch smp_fetch_uid_table[];   /* unique_id.c: unique-id */
extern const struct sample_conv smp_conv_table[];         /* conv.c, ends with a NULL name */
extern const struct sample_conv smp_conv_arith_table[];   /* arith.c */
extern const struct sample_conv smp_conv_map_table[];     /* map.c */
extern const struct sample_conv smp_conv_json_table[];    /* json.c */
extern const struct sample_conv smp_conv_table_table[];   /* fetch_sc.c: table_*, in_table */
int sample_register_fetch_table(const struct sample_fetch *tab);   /* NULL-name terminated; 0 or -ENOMEM */
int sample_register_conv_table(const struct sample_conv *tab);

/* Names the place of the expressions parsed next (configuration time
 * only): "<file>:<line>" and what they are, e.g. "tcp-request content
 * expression". Used in the messages of sample_resolve(). <file> and
 * <where> must stay valid until sample_resolve() ran. */
void sample_parse_where(const char *file, int line, const char *where);
/* Resolves every frontend/backend/server argument parsed so far against
 * <cfg>, printing one "[ALERT] ... : config : parsing [file:line]: ..."
 * line per failure to stderr. Returns the number of errors. Afterwards,
 * sample_args_parse() resolves such arguments at once against <cfg>
 * (Lua calls at run time): <cfg> must outlive the registry's users. */
int sample_resolve(struct config *cfg);
/* Returns the configuration given to sample_resolve(), or NULL before:
 * what converters naming proxies at run time (nbsrv, srv_queue) look in. */
struct config *sample_config(void);

/* Builds arguments from separate strings, one per argument, taken
 * verbatim (no quote or escape processing): what Lua's TXN.f / TXN.c do
 * with their Lua string arguments. Same return and messages as
 * sample_args_parse(). */
int sample_args_from_strings(const char *const *strs, const size_t *lens, int n, arg_mask mask,
                             struct arg *out, struct proxy *px, char *err, size_t errlen);

/* Returns the number of arguments <mask> allows (resp. requires). */
int arg_mask_max(arg_mask mask);
int arg_mask_min(arg_mask mask);
static inline enum arg_type arg_mask_type(arg_mask mask, int pos)
{
	return (enum arg_type)((mask >> (ARGM_BITS * (pos + 1))) & 0x1f);
}

/* Argument check shared by var() and the converters taking a variable:
 * turns string argument 0 "<scope>.<name>" into ARGT_VAR. Returns 0 or -1
 * with HAProxy's message in <err>. */
int sample_check_var(struct arg *args, char *err, size_t errlen);

/* Sets the size of the scratch buffers (tune.bufsize, default 16384).
 * Call before the first evaluation on any thread. */
void sample_set_bufsize(uint32_t size);

/* Helpers for fetches and converters: set <smp> to a value. They keep
 * the stability flags (SMP_F_MAY_CHANGE, SMP_F_VOL_TXN) that a fetch set
 * and converters pass on, as HAProxy's converters leave them alone; a
 * converter that knows better (a complete message was parsed) clears
 * SMP_F_MAY_CHANGE itself. The evaluator starts fetches on a zeroed sample. */
#define SMP_F_KEEP (SMP_F_MAY_CHANGE | SMP_F_VOL_TXN | SMP_F_NOT_LAST)
static inline void smp_set_sint(struct sample *smp, int64_t v)
{
	smp->type = SMP_T_SINT; smp->flags &= SMP_F_KEEP; smp->u.sint = v;
}
static inline void smp_set_bool(struct sample *smp, int v)
{
	smp->type = SMP_T_BOOL; smp->flags &= SMP_F_KEEP; smp->u.sint = !!v;
}
/* Sets <smp> to the <len> bytes at <ptr>, a writable buffer of <size>
 * bytes (a trash buffer; 0: not to be written). */
static inline void smp_set_str(struct sample *smp, char *ptr, size_t len, size_t size)
{
	smp->type = SMP_T_STR; smp->flags &= SMP_F_KEEP;
	smp->u.str.ptr = ptr; smp->u.str.len = len; smp->u.str.size = size;
}
/* Points <smp> at <len> bytes of <ptr> that it does not own (SMP_F_CONST). */
static inline void smp_set_const_str(struct sample *smp, const char *ptr, size_t len)
{
	smp->type = SMP_T_STR; smp->flags = (smp->flags & SMP_F_KEEP) | SMP_F_CONST;
	smp->u.str.ptr = (char *)ptr; smp->u.str.len = len; smp->u.str.size = 0;
}

#endif
