/* stick.h: stick tables ("stick-table" in a proxy), their entries and data
 * types with HAProxy's frequency counters, and the per-stream trackers of
 * "track-sc0/1/2" (HAProxy's rate limiting). A table belongs to its proxy
 * (px->stktable) and to the thread that reads it: one thread today, so no
 * locks, and no state outside the table. Files: stick.c (tables,
 * entries, "stick-table", "peers"), stick_track.c (track-sc and sc-*
 * actions, stream hooks), stick_persist.c ("stick" rules), fetch_sc.c
 * (sc_* / src_* fetches, table_* converters), cli_table.c (CLI). */
#ifndef RP_STICK_H
#define RP_STICK_H

#include <stddef.h>
#include <stdint.h>
#include "engine/cfg.h"
#include "engine/sample.h"

struct stream;
struct stktable;        /* opaque: one per "stick-table" line */
struct stksess;         /* opaque: one entry (key + data) */
struct cli_out;

/* Key types, as "stick-table type ..." names them. */
enum stk_key_type { STK_KEY_IP = 0, STK_KEY_IPV6, STK_KEY_INT, STK_KEY_STR, STK_KEY_BIN };

/* Data types, in HAProxy 2.6's order: "show table" prints them in it. */
enum stk_dt {
	STK_DT_SERVER_ID = 0, STK_DT_GPT0, STK_DT_GPC0, STK_DT_GPC0_RATE,
	STK_DT_CONN_CNT, STK_DT_CONN_RATE, STK_DT_CONN_CUR,
	STK_DT_SESS_CNT, STK_DT_SESS_RATE,
	STK_DT_HTTP_REQ_CNT, STK_DT_HTTP_REQ_RATE, STK_DT_HTTP_ERR_CNT, STK_DT_HTTP_ERR_RATE,
	STK_DT_BYTES_IN_CNT, STK_DT_BYTES_IN_RATE, STK_DT_BYTES_OUT_CNT, STK_DT_BYTES_OUT_RATE,
	STK_DT_GPC1, STK_DT_GPC1_RATE,
	STK_DT_SERVER_KEY, STK_DT_HTTP_FAIL_CNT, STK_DT_HTTP_FAIL_RATE,
	STK_DT_GPT, STK_DT_GPC, STK_DT_GPC_RATE,    /* arrays: "gpt(<n>)", "gpc(<n>)", "gpc_rate(<n>,<p>)" */
	STK_DT_NB
};

#include "engine/freq_ctr.h"     /* HAProxy's frequency counters */

/* Configuration: "stick-table ..." in a frontend/backend/listen section
 * (sets c->px's table). Returns 0 or -1 with c->err (HAProxy's wording). */
int stick_cfg_table(struct cfg_ctx *c, char **args, int nargs);
/* A "peers" section: its header and its lines (c->sec == CFG_SEC_PEERS).
 * Peers are accepted and ignored (no synchronisation: a notice says so);
 * a "table" line is refused. Returns 0 or -1 with c->err. */
int stick_cfg_peers(struct cfg_ctx *c, char **args, int nargs);
/* Frees a table and its entries (NULL is accepted). */
void stick_table_free(struct stktable *t);

/* Persistence (stick_persist.c): "stick on|match|store-request|
 * store-response <expr> [table <t>] [if|unless <cond>]" in a backend.
 * Returns 0 or -1 with c->err. */
int stick_cfg_stick(struct cfg_ctx *c, char **args, int nargs);
/* Resolves the tables of the "stick" rules (the tables then store
 * server_id and server_key). Returns the number of errors (printed). */
int stick_persist_resolve(struct config *cfg);
/* Frees what "stick-table" and "stick" gave <px>. */
void stick_proxy_free(struct proxy *px);
/* Returns the server the "stick match"/"stick on" rules of s->be find for
 * <s> (UP or DRAIN), or NULL to let the balancer choose. */
struct server *stick_persist_pick(struct stream *s);
/* Records s->srv under the keys of the "stick store-request"/"stick on"
 * (<res> = 0) or "stick store-response" (<res> = 1) rules of s->be. */
void stick_persist_store(struct stream *s, int res);

/* Returns <px>'s table or NULL. */
struct stktable *stick_table_of(const struct proxy *px);
/* Table properties. */
const char *stick_table_name(const struct stktable *t);
enum stk_key_type stick_table_type(const struct stktable *t);
uint32_t stick_table_size(const struct stktable *t);     /* max entries */
uint32_t stick_table_used(const struct stktable *t);     /* current entries (expired ones purged) */
/* Returns 1 when <t> stores data type <dt>. gpt0, gpc0, gpc1, gpc0_rate
 * and gpc1_rate fall back to elements 0/1 of the gpt/gpc/gpc_rate arrays
 * when the table stores those instead, as HAProxy does; here and in
 * stick_read/add/set. */
int stick_table_has(const struct stktable *t, enum stk_dt dt);
/* Same for element <idx> of an array type (0 for the others). */
int stick_table_has_at(const struct stktable *t, enum stk_dt dt, unsigned idx);
/* Returns the data type named <name> ("gpc0", "http_req_rate"...) or -1. */
int stick_dt_lookup(const char *name, size_t len);
const char *stick_dt_name(enum stk_dt dt);
/* Returns 1 for a rate type (read with a period, shown "name(period)"). */
int stick_dt_is_rate(enum stk_dt dt);

/* Entries. A key is the sample converted to the table's type (a string
 * key is cut at "len"). Returns the entry, or NULL when the key cannot be
 * converted or (stick_get only) the table is full of entries in use.
 * stick_get() creates a missing entry, evicting the least recently used
 * unused one when the table is full; both purge expired entries on the
 * way. Entries are owned by the table; hold one with stick_ref(). */
struct stksess *stick_lookup(struct stktable *t, const struct sample *key);
struct stksess *stick_get(struct stktable *t, const struct sample *key);
/* Holds / releases <ts> (a tracker, a CLI dump): a held entry is neither
 * evicted nor purged; it expires once released and idle. */
void stick_ref(struct stksess *ts);
void stick_unref(struct stksess *ts);
struct stktable *stick_entry_table(const struct stksess *ts);
/* Persistence: <t> stores server_id and server_key (what "stick" rules
 * need; configuration time). stick_set_server() records server <id>
 * named <name> (which must outlive the table) in <ts>. */
void stick_table_store_server(struct stktable *t);
void stick_set_server(struct stksess *ts, int id, const char *name);
/* Returns 1 when <t> records servers by address ("srvkey addr"), 0 by name. */
int stick_table_srvkey_addr(const struct stktable *t);
/* Returns how many holders <ts> has (its trackers). */
uint32_t stick_refs(const struct stksess *ts);
/* Fills <smp> with the key of <ts> (strings and binaries copied into
 * <buf>, <len> bytes) so that it can be looked up in another table.
 * Returns 1, or 0 when <buf> is too small. */
int stick_entry_key(const struct stksess *ts, struct sample *smp, char *buf, size_t len);
/* Milliseconds left before <ts> expires, and since it was last touched
 * (its table's "expire" minus that); -1 when the table has no expire. */
int64_t stick_entry_expire_ms(const struct stksess *ts);
int64_t stick_entry_idle_ms(const struct stksess *ts);
/* Refreshes the expiry date of <ts> and moves it to the LRU head. */
void stick_touch(struct stksess *ts);
/* Returns the value of <dt> (rates read over the table's period), or -1
 * when the table does not store it. */
int64_t stick_read(const struct stksess *ts, enum stk_dt dt);
/* Adds <inc> to counter or rate <dt> (no effect when not stored). */
void stick_add(struct stksess *ts, enum stk_dt dt, uint32_t inc);
/* Sets <dt> to <v> (counters, gpt0, server_id; a rate restarts with <v>
 * events in its current period). Returns 0, or -1 when not stored. */
int stick_set(struct stksess *ts, enum stk_dt dt, int64_t v);
/* The same on element <idx> of an array type. */
int64_t stick_read_at(const struct stksess *ts, enum stk_dt dt, unsigned idx);
void stick_add_at(struct stksess *ts, enum stk_dt dt, unsigned idx, uint32_t inc);
int stick_set_at(struct stksess *ts, enum stk_dt dt, unsigned idx, int64_t v);
/* Removes <ts> now if it is not held. Returns 1 if removed. */
int stick_remove(struct stksess *ts);
/* Calls <cb> on every live entry of <t> (expired ones purged first), in
 * no particular order; <cb> may remove the entry it is given. */
void stick_foreach(struct stktable *t, void (*cb)(struct stksess *ts, void *arg), void *arg);
/* Writes HAProxy's "show table" line for <ts> (without the LF):
 * "0x...: key=<k> use=<n> exp=<ms> <dt>=<v>...". */
void stick_dump_entry(struct cli_out *o, const struct stksess *ts);
/* Orders entries of one table by key bytes, as HAProxy's trees list them
 * (addresses numerically, strings as strcmp(), integers by their bytes in
 * memory). Returns <0, 0 or >0. */
int stick_key_cmp(const struct stksess *a, const struct stksess *b);
/* Writes the key of <ts> as "show table" shows it into <buf>; returns its length. */
size_t stick_key_str(const struct stksess *ts, char *buf, size_t len);
/* Builds a sample from the text <s> for a lookup in <t> ("key <k>" on the
 * CLI). Returns 1, or 0 when <s> does not parse as the table's type. */
int stick_key_parse(const struct stktable *t, const char *s, struct sample *smp, char *buf, size_t len);

/* Resolves "table <name>" references of track-sc actions and checks the
 * tables (after parsing). Returns the number of errors (each printed). */
int stick_cfg_resolve(struct config *cfg);

/* --- trackers: track-sc0/1/2 and sc-* actions --- */

#define STK_NB_SC 3
struct stick_act;       /* a parsed track-sc / sc-inc-gpc* / sc-set-gpt0 action */
/* Parses the action at args[i] if it is one of ours, for rule list <kind>
 * ("tcp-request connection", ..., "http-request", "http-response").
 * Returns the index of the first word after it with *<out> set, 0 when
 * args[i] is not a stick action, or -1 with c->err. */
int stick_act_parse(struct cfg_ctx *c, const char *kind, char **args, int nargs, int i,
                    struct stick_act **out);
/* Runs <a> for <s> (<ctx> evaluates its expression). Never fails the
 * stream: an unusable key skips the action, as HAProxy. */
void stick_act_exec(const struct stick_act *a, struct stream *s, struct smp_ctx *ctx);
void stick_act_free(struct stick_act *a);

/* Stream hooks. init: before any rule (the pool does not zero). http_req:
 * an HTTP request was received (http_req_cnt/rate of every tracker).
 * http_status: the response status is known (4xx: http_err; 5xx except 501
 * and 505 once a server connection was made: http_fail). txn_end: an HTTP transaction ends on a keep-alive
 * connection (bytes counted, content trackers released). end: the stream
 * ends (bytes counted, every tracker released: conn_cur goes down). */
void stick_stream_init(struct stream *s);
void stick_stream_http_req(struct stream *s);
/* The "tcp-request connection" rules accepted the connection: the session
 * starts (sess_cnt/sess_rate of the connection-level trackers). */
void stick_stream_session(struct stream *s);
void stick_stream_http_status(struct stream *s, int status);
void stick_stream_txn_end(struct stream *s);
void stick_stream_end(struct stream *s);
/* Returns the entry tracked by counter <sc> of <s>, or NULL. */
struct stksess *stick_stream_tracked(const struct stream *s, int sc);

/* Fetches of fetch_sc.c, registered by fetch.c's table list. */
extern const struct sample_fetch smp_fetch_sc_table[];
extern const struct sample_conv smp_conv_table_table[];

#endif
