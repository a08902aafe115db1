/* fetch_sc.c: the stick-table fetches and converters — sc_*(<ctr>[,<table>]),
 * sc0_* / sc1_* / sc2_*([<table>]) on the entries a stream tracks,
 * src_*([<table>]) on the entry of the client's address, and the
 * table_*(<table>) / in_table(<table>) converters on the entry of any key.
 * One function per form; the table row's <priv> says which value. */
#include <string.h>
#include "engine/stick.h"
#include "engine/stream.h"

/* What a row reads or does. */
enum sc_op {
	OP_READ = 0,        /* value of <dt> */
	OP_KBYTES,          /* value of <dt> / 1024 */
	OP_INC,             /* gpc<n> (+ its rate) incremented, new value */
	OP_CLR,             /* gpc<n> cleared, previous value */
	OP_TRACKED,         /* bool: the counter is tracked */
	OP_TRACKERS,        /* how many trackers hold the entry */
	OP_UPDT_CONN,       /* conn_cnt incremented, new value */
	OP_IN_TABLE,        /* converter: bool, the key is in the table */
};

struct sc_desc {
	enum sc_op op;
	int dt;             /* data type read, incremented or cleared */
	int rate;           /* OP_INC: the rate incremented with <dt>, -1: none */
	int sc;             /* scN_* form: N; sc_* form: -1; src_*: -2; converters: -3 */
	int arr;            /* 1: the first argument is the array index (sc_get_gpc(<idx>,...)) */
};

/* Returns the entry with the same key as <ts> in table <t> (NULL if none;
 * <create>: created). */
static struct stksess *same_key(struct stksess *ts, struct stktable *t, int create)
{
	struct sample k;
	char buf[1100];

	if (!ts || stick_entry_table(ts) == t)
		return ts;
	if (!stick_entry_key(ts, &k, buf, sizeof(buf)))
		return NULL;
	return create ? stick_get(t, &k) : stick_lookup(t, &k);
}

static int client_addr(const struct stream *s, struct sample *smp)
{
	const struct addr *a = &s->cli_addr;

	memset(smp, 0, sizeof(*smp));
	if (a->u.sa.sa_family == AF_INET) {
		smp->type = SMP_T_IPV4;
		smp->u.ipv4 = a->u.in4.sin_addr;
		return 1;
	}
	if (a->u.sa.sa_family == AF_INET6) {
		smp->type = SMP_T_IPV6;
		smp->u.ipv6 = a->u.in6.sin6_addr;
		return 1;
	}
	return 0;
}

/* Applies <d> to element <idx> of entry <ts> of table <t> (<ts> may be
 * NULL: a key not in the table reads as 0). Returns 1 with <smp> set, 0
 * when the table does not store what is asked. */
static int apply(const struct sc_desc *d, unsigned idx, struct stktable *t, struct stksess *ts,
                 struct sample *smp)
{
	enum stk_dt dt = (enum stk_dt)d->dt;
	int64_t v = 0;

	smp->flags = SMP_F_VOL_TXN;
	switch (d->op) {
	case OP_READ:
	case OP_KBYTES:
		if (!stick_table_has_at(t, dt, idx))
			return 0;
		if (ts)
			v = stick_read_at(ts, dt, idx);
		if (d->op == OP_KBYTES)
			v >>= 10;
		break;
	case OP_INC:
		if (!stick_table_has_at(t, dt, idx) && !stick_table_has_at(t, (enum stk_dt)d->rate, idx))
			return 0;
		if (ts) {
			stick_add_at(ts, dt, idx, 1);
			stick_add_at(ts, (enum stk_dt)d->rate, idx, 1);
			stick_touch(ts);
			v = stick_table_has_at(t, dt, idx) ? stick_read_at(ts, dt, idx) :
			    stick_read_at(ts, (enum stk_dt)d->rate, idx);
		}
		break;
	case OP_CLR:
		if (!stick_table_has_at(t, dt, idx))
			return 0;
		if (ts) {
			v = stick_read_at(ts, dt, idx);
			stick_set_at(ts, dt, idx, 0);
			stick_touch(ts);
		}
		break;
	case OP_UPDT_CONN:
		if (!stick_table_has(t, STK_DT_CONN_CNT))
			return 0;
		if (ts) {
			stick_add(ts, STK_DT_CONN_CNT, 1);     /* the rate is left alone, as HAProxy */
			stick_touch(ts);
			v = stick_read(ts, STK_DT_CONN_CNT);
		}
		break;
	case OP_TRACKERS:
		v = ts ? stick_refs(ts) : 0;
		break;
	case OP_TRACKED:
	case OP_IN_TABLE:
		smp_set_bool(smp, ts != NULL);
		return 1;
	}
	smp_set_sint(smp, v);
	return 1;
}

/* Takes the array index in front of the arguments of an "arr" row.
 * Returns 1 with *<idx> set and *<args> moved past it, 0 when it is bad. */
static int take_idx(const struct sc_desc *d, const struct arg **args, unsigned *idx)
{
	*idx = 0;
	if (!d->arr)
		return 1;
	if ((*args)[0].type != ARGT_SINT || (*args)[0].u.sint < 0 || (*args)[0].u.sint > 99)
		return 0;
	*idx = (unsigned)(*args)[0].u.sint;
	(*args)++;
	return 1;
}

/* Operations that create the src_* entry when it is missing, as HAProxy. */
static int op_creates(enum sc_op op)
{
	return op == OP_INC || op == OP_CLR || op == OP_UPDT_CONN;
}

/* sc_*(<ctr>[,<table>]) and scN_*([<table>]) */
static int f_sc(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const struct sc_desc *d = ctx->priv;
	struct stream *s = ctx->strm;
	const struct arg *targ;
	struct stktable *t;
	struct stksess *ts;
	int sc = d->sc;
	unsigned idx;

	if (!s || !take_idx(d, &args, &idx))
		return 0;
	targ = args;
	if (sc < 0) {
		if (args[0].type != ARGT_SINT || args[0].u.sint < 0 || args[0].u.sint >= STK_NB_SC)
			return 0;
		sc = (int)args[0].u.sint;
		targ = &args[1];
	}
	ts = stick_stream_tracked(s, sc);
	if (d->op == OP_TRACKED) {
		smp->flags = SMP_F_VOL_TXN;
		smp_set_bool(smp, ts != NULL);
		return 1;
	}
	if (!ts)
		return 0;
	t = stick_entry_table(ts);
	if (targ->type == ARGT_TAB && targ->u.px) {
		t = stick_table_of(targ->u.px);
		ts = same_key(ts, t, 0);
	}
	return apply(d, idx, t, ts, smp);
}

/* src_*([<table>]) */
static int f_src(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const struct sc_desc *d = ctx->priv;
	struct stktable *t;
	struct stksess *ts;
	struct sample key;
	unsigned idx;

	if (!ctx->strm || !take_idx(d, &args, &idx) || !client_addr(ctx->strm, &key))
		return 0;
	t = args[0].type == ARGT_TAB && args[0].u.px ? stick_table_of(args[0].u.px) : stick_table_of(ctx->px);
	if (!t)
		return 0;
	ts = op_creates(d->op) ? stick_get(t, &key) : stick_lookup(t, &key);
	return apply(d, idx, t, ts, smp);
}

/* table_*(<table>) and in_table(<table>): the input sample is the key. */
static int c_table(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const struct sc_desc *d = ctx->priv;
	struct stktable *t;
	struct stksess *ts;
	unsigned idx;

	if (!take_idx(d, &args, &idx))
		return 0;
	t = args[0].type == ARGT_TAB && args[0].u.px ? stick_table_of(args[0].u.px) : NULL;
	if (!t)
		return 0;
	ts = stick_lookup(t, smp);
	if (d->op == OP_IN_TABLE) {
		smp_set_bool(smp, ts != NULL);
		return 1;
	}
	return apply(d, idx, t, ts, smp);
}

/* table_expire(<table>[,<default>]) / table_idle(...): milliseconds left
 * before the input key's entry expires, or since it was last updated; <default>
 * (else not found) when there is no such entry or the table has no expire. */
static int c_table_time(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	struct stktable *t = args[0].type == ARGT_TAB && args[0].u.px ? stick_table_of(args[0].u.px) : NULL;
	struct stksess *ts = t ? stick_lookup(t, smp) : NULL;
	int64_t ms = !ts ? -1 : *(const char *)ctx->priv == 'e' ? stick_entry_expire_ms(ts) : stick_entry_idle_ms(ts);

	if (ms < 0) {
		if (args[1].type != ARGT_SINT)
			return 0;
		smp_set_sint(smp, args[1].u.sint);
		return 1;
	}
	smp_set_sint(smp, ms);
	return 1;
}

/* The descriptors: one per value, shared by the four fetch forms. */
#define D(name, op, dt, rate) \
	static const struct sc_desc __attribute__((unused)) sc_##name = { op, dt, rate, -1, 0 }, \
		sc0_##name = { op, dt, rate, 0, 0 }, sc1_##name = { op, dt, rate, 1, 0 }, \
		sc2_##name = { op, dt, rate, 2, 0 }, src_##name = { op, dt, rate, -2, 0 };
D(bytes_in_rate,  OP_READ, STK_DT_BYTES_IN_RATE, -1)
D(bytes_out_rate, OP_READ, STK_DT_BYTES_OUT_RATE, -1)
D(clr_gpc0,       OP_CLR, STK_DT_GPC0, -1)
D(clr_gpc1,       OP_CLR, STK_DT_GPC1, -1)
D(conn_cnt,       OP_READ, STK_DT_CONN_CNT, -1)
D(conn_cur,       OP_READ, STK_DT_CONN_CUR, -1)
D(conn_rate,      OP_READ, STK_DT_CONN_RATE, -1)
D(get_gpc0,       OP_READ, STK_DT_GPC0, -1)
D(get_gpc1,       OP_READ, STK_DT_GPC1, -1)
D(get_gpt0,       OP_READ, STK_DT_GPT0, -1)
D(gpc0_rate,      OP_READ, STK_DT_GPC0_RATE, -1)
D(gpc1_rate,      OP_READ, STK_DT_GPC1_RATE, -1)
D(http_err_cnt,   OP_READ, STK_DT_HTTP_ERR_CNT, -1)
D(http_err_rate,  OP_READ, STK_DT_HTTP_ERR_RATE, -1)
D(http_fail_cnt,  OP_READ, STK_DT_HTTP_FAIL_CNT, -1)
D(http_fail_rate, OP_READ, STK_DT_HTTP_FAIL_RATE, -1)
D(http_req_cnt,   OP_READ, STK_DT_HTTP_REQ_CNT, -1)
D(http_req_rate,  OP_READ, STK_DT_HTTP_REQ_RATE, -1)
D(inc_gpc0,       OP_INC, STK_DT_GPC0, STK_DT_GPC0_RATE)
D(inc_gpc1,       OP_INC, STK_DT_GPC1, STK_DT_GPC1_RATE)
D(kbytes_in,      OP_KBYTES, STK_DT_BYTES_IN_CNT, -1)
D(kbytes_out,     OP_KBYTES, STK_DT_BYTES_OUT_CNT, -1)
D(sess_cnt,       OP_READ, STK_DT_SESS_CNT, -1)
D(sess_rate,      OP_READ, STK_DT_SESS_RATE, -1)
D(tracked,        OP_TRACKED, 0, -1)
D(trackers,       OP_TRACKERS, 0, -1)
D(updt_conn_cnt,  OP_UPDT_CONN, 0, -1)
#undef D
/* the gpc/gpt arrays: sc_<name>(<idx>,<ctr>[,<table>]), src_<name>(<idx>[,<table>]) */
#define DA(name, op, dt, rate) \
	static const struct sc_desc sc_##name = { op, dt, rate, -1, 1 }, src_##name = { op, dt, rate, -2, 1 };
DA(get_gpc,  OP_READ, STK_DT_GPC, -1)
DA(gpc_rate, OP_READ, STK_DT_GPC_RATE, -1)
DA(get_gpt,  OP_READ, STK_DT_GPT, -1)
DA(inc_gpc,  OP_INC, STK_DT_GPC, STK_DT_GPC_RATE)
DA(clr_gpc,  OP_CLR, STK_DT_GPC, -1)
#undef DA

#define L4 (SMP_USE_L4 | SMP_USE_INT)
#define SC(name, out) \
	{ "sc_" #name,  f_sc, ARG2(1, SINT, TAB), 0, out, L4, &sc_##name }, \
	{ "sc0_" #name, f_sc, ARG1(0, TAB),       0, out, L4, &sc0_##name }, \
	{ "sc1_" #name, f_sc, ARG1(0, TAB),       0, out, L4, &sc1_##name }, \
	{ "sc2_" #name, f_sc, ARG1(0, TAB),       0, out, L4, &sc2_##name }
#define SCS(name, out) SC(name, out), \
	{ "src_" #name, f_src, ARG1(0, TAB),      0, out, L4, &src_##name }
#define SCA(name) \
	{ "sc_" #name,  f_sc,  ARG3(2, SINT, SINT, TAB), 0, SMP_T_SINT, L4, &sc_##name }, \
	{ "src_" #name, f_src, ARG2(2, SINT, TAB),       0, SMP_T_SINT, L4, &src_##name }

/* table_avl([<table>]) / table_cnt([<table>]): the free entries and the
 * entries in use of a table (the proxy's own without an argument). */
static int f_table_use(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const struct proxy *px = args[0].type == ARGT_TAB && args[0].u.px ? args[0].u.px : ctx->px;
	struct stktable *t = px ? stick_table_of(px) : NULL;
	uint32_t used;

	if (!t)
		return 0;
	used = stick_table_used(t);
	smp_set_sint(smp, *(const char *)ctx->priv == 'a' ? (int64_t)stick_table_size(t) - used : used);
	smp->flags = SMP_F_VOL_TXN;
	return 1;
}

const struct sample_fetch smp_fetch_sc_table[] = {
	{ "table_avl", f_table_use, ARG1(0, TAB), 0, SMP_T_SINT, SMP_USE_INT, "a" },
	{ "table_cnt", f_table_use, ARG1(0, TAB), 0, SMP_T_SINT, SMP_USE_INT, "c" },
	SCS(bytes_in_rate, SMP_T_SINT),
	SCS(bytes_out_rate, SMP_T_SINT),
	SCS(clr_gpc0, SMP_T_SINT),
	SCS(clr_gpc1, SMP_T_SINT),
	SCS(conn_cnt, SMP_T_SINT),
	SCS(conn_cur, SMP_T_SINT),
	SCS(conn_rate, SMP_T_SINT),
	SCS(get_gpc0, SMP_T_SINT),
	SCS(get_gpc1, SMP_T_SINT),
	SCS(get_gpt0, SMP_T_SINT),
	SCS(gpc0_rate, SMP_T_SINT),
	SCS(gpc1_rate, SMP_T_SINT),
	SCS(http_err_cnt, SMP_T_SINT),
	SCS(http_err_rate, SMP_T_SINT),
	SCS(http_fail_cnt, SMP_T_SINT),
	SCS(http_fail_rate, SMP_T_SINT),
	SCS(http_req_cnt, SMP_T_SINT),
	SCS(http_req_rate, SMP_T_SINT),
	SCS(inc_gpc0, SMP_T_SINT),
	SCS(inc_gpc1, SMP_T_SINT),
	SCS(kbytes_in, SMP_T_SINT),
	SCS(kbytes_out, SMP_T_SINT),
	SCS(sess_cnt, SMP_T_SINT),
	SCS(sess_rate, SMP_T_SINT),
	SC(tracked, SMP_T_BOOL),
	SC(trackers, SMP_T_SINT),
	SCA(get_gpc), SCA(gpc_rate), SCA(get_gpt), SCA(inc_gpc), SCA(clr_gpc),
	{ "src_updt_conn_cnt", f_src, ARG1(0, TAB), 0, SMP_T_SINT, L4, &src_updt_conn_cnt },
	{ NULL, NULL, 0, 0, 0, 0, NULL }
};

static const struct sc_desc tb_in_table = { OP_IN_TABLE, 0, -1, -3, 0 };
#define TB(name, op, dt) static const struct sc_desc tb_##name = { op, dt, -1, -3, 0 };
TB(bytes_in_rate,  OP_READ, STK_DT_BYTES_IN_RATE)
TB(bytes_out_rate, OP_READ, STK_DT_BYTES_OUT_RATE)
TB(conn_cnt,       OP_READ, STK_DT_CONN_CNT)
TB(conn_cur,       OP_READ, STK_DT_CONN_CUR)
TB(conn_rate,      OP_READ, STK_DT_CONN_RATE)
TB(gpt0,           OP_READ, STK_DT_GPT0)
TB(gpc0,           OP_READ, STK_DT_GPC0)
TB(gpc0_rate,      OP_READ, STK_DT_GPC0_RATE)
TB(gpc1,           OP_READ, STK_DT_GPC1)
TB(gpc1_rate,      OP_READ, STK_DT_GPC1_RATE)
TB(http_err_cnt,   OP_READ, STK_DT_HTTP_ERR_CNT)
TB(http_err_rate,  OP_READ, STK_DT_HTTP_ERR_RATE)
TB(http_fail_cnt,  OP_READ, STK_DT_HTTP_FAIL_CNT)
TB(http_fail_rate, OP_READ, STK_DT_HTTP_FAIL_RATE)
TB(http_req_cnt,   OP_READ, STK_DT_HTTP_REQ_CNT)
TB(http_req_rate,  OP_READ, STK_DT_HTTP_REQ_RATE)
TB(kbytes_in,      OP_KBYTES, STK_DT_BYTES_IN_CNT)
TB(kbytes_out,     OP_KBYTES, STK_DT_BYTES_OUT_CNT)
TB(server_id,      OP_READ, STK_DT_SERVER_ID)
TB(sess_cnt,       OP_READ, STK_DT_SESS_CNT)
TB(sess_rate,      OP_READ, STK_DT_SESS_RATE)
TB(trackers,       OP_TRACKERS, 0)
#undef TB
/* table_gpc(<idx>,<table>), table_gpc_rate(<idx>,<table>), table_gpt(<idx>,<table>) */
static const struct sc_desc tb_gpc = { OP_READ, STK_DT_GPC, -1, -3, 1 };
static const struct sc_desc tb_gpc_rate = { OP_READ, STK_DT_GPC_RATE, -1, -3, 1 };
static const struct sc_desc tb_gpt = { OP_READ, STK_DT_GPT, -1, -3, 1 };

#define TC(name) { "table_" #name, c_table, ARG1(1, TAB), 0, SMP_T_ANY, SMP_T_SINT, &tb_##name }
#define TCA(name) { "table_" #name, c_table, ARG2(2, SINT, TAB), 0, SMP_T_ANY, SMP_T_SINT, &tb_##name }
const struct sample_conv smp_conv_table_table[] = {
	{ "in_table", c_table, ARG1(1, TAB), 0, SMP_T_ANY, SMP_T_BOOL, &tb_in_table },
	TC(bytes_in_rate), TC(bytes_out_rate), TC(conn_cnt), TC(conn_cur), TC(conn_rate),
	TC(gpt0), TC(gpc0), TC(gpc0_rate), TC(gpc1), TC(gpc1_rate),
	TCA(gpc), TCA(gpc_rate), TCA(gpt),
	TC(http_err_cnt), TC(http_err_rate), TC(http_fail_cnt), TC(http_fail_rate),
	TC(http_req_cnt), TC(http_req_rate), TC(kbytes_in), TC(kbytes_out),
	TC(server_id), TC(sess_cnt), TC(sess_rate), TC(trackers),
	{ "table_expire", c_table_time, ARG2(1, TAB, SINT), 0, SMP_T_ANY, SMP_T_SINT, "e" },
	{ "table_idle", c_table_time, ARG2(1, TAB, SINT), 0, SMP_T_ANY, SMP_T_SINT, "i" },
	{ NULL, NULL, 0, 0, 0, 0, NULL }
};
