/* hlua.h: what the files of lua/ share — the per-thread Lua state, the
 * execution contexts and their enforcement, the coroutine pool, and the
 * class constructors. Private to lua/: the engine sees only engine/hooks.h,
 * so no Lua type leaves this directory. */
#ifndef RP_HLUA_H
#define RP_HLUA_H

#include <stddef.h>
#include <stdint.h>
#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>

struct stream;
struct config;
struct sample;

/* The six contexts of the seed ("body", "init", "task", "action",
 * "sample-fetch", "converter"). Body and init run in initialisation mode,
 * the others in runtime mode. */
enum hlua_ctx { HLUA_BODY = 0, HLUA_INIT, HLUA_TASK, HLUA_ACTION, HLUA_FETCH, HLUA_CONV,
                HLUA_NB_CTX };
#define HLUA_M(c)       (1u << (c))
#define HLUA_M_ALL      0x3fu
#define HLUA_M_INITMODE (HLUA_M(HLUA_BODY) | HLUA_M(HLUA_INIT))
#define HLUA_M_RUNTIME  (HLUA_M(HLUA_TASK) | HLUA_M(HLUA_ACTION) | HLUA_M(HLUA_FETCH) | HLUA_M(HLUA_CONV))
#define HLUA_M_NOBODY   (HLUA_M_ALL & ~HLUA_M(HLUA_BODY))

/* Why a coroutine yielded (hlua_co.wait) */
enum hlua_wait { HLUA_W_NONE = 0, HLUA_W_FORCED, HLUA_W_SLEEP, HLUA_W_DATA, HLUA_W_YIELD,
                 HLUA_W_DONE,
                 HLUA_W_IO };   /* a Socket event, or <wake_at> if set (a timeout) */

/* Outcome of hlua_co_resume() */
enum hlua_res { HLUA_R_OK = 0, HLUA_R_YIELD, HLUA_R_ERR, HLUA_R_TIMEOUT, HLUA_R_NOMEM,
                HLUA_R_GONE };   /* hlua_strm_run(): the stream ended during the call */

/* The objects a TXN hands out, by member name (ltxn.c). */
enum hlua_sub { HLUA_S_F = 0, HLUA_S_SF, HLUA_S_C, HLUA_S_SC, HLUA_S_REQ, HLUA_S_RES, HLUA_S_HTTP,
                HLUA_NB_SUB };
struct hlua_txn_obj;

/* One pooled coroutine. <T> is anchored in the registry by <ref>; a
 * coroutine leaves the pool for one invocation (an action, a fetch, a task)
 * and goes back when it ends, after lua_resetthread(). */
struct hlua_sock;

struct hlua_co {
	lua_State *T;
	int ref;                    /* registry reference keeping <T> alive */
	enum hlua_ctx ctx;
	enum hlua_wait wait;        /* why it is suspended */
	uint64_t wake_at;           /* HLUA_W_SLEEP: monotonic deadline, us */
	uint64_t budget_us;         /* Lua time allowed (0 = unlimited) */
	uint64_t used_us;           /* Lua time spent so far */
	uint64_t slice_start;       /* start of the running slice, us */
	int nres;                   /* results left on <T> by the last resume */
	unsigned done:1;            /* txn:done() / core.done() was called */
	unsigned timed_out:1;
	unsigned in_use:1;
	struct stream *strm;        /* the stream it runs for, or NULL */
	const char *name;           /* function name, for messages */
	struct hlua_co *next;       /* pool free list */
	void *task;                 /* a task's own record (laction.c), or NULL */
	/* Sockets (lsock.c): how many it holds until its call ends, the one
	 * it waits its turn for, and the next coroutine waiting for that one */
	unsigned nb_socks;
	struct hlua_sock *sock_wait;
	struct hlua_co *sock_next;
	/* The f, sf, c, sc, req, res and http objects that the TXN of its
	 * current call hands out (ltxn.c): made with its first TXN, pointed
	 * at each call's TXN, so that a call allocates none of them.
	 * <mt_ref> (LUA_NOREF until made) are the registry references of the
	 * two TXN metatables that hold them, for TCP mode (no http) and HTTP
	 * mode (their __index tables: the members by name, then the
	 * methods); <sub_h> is the handle they all act for. */
	uint64_t call;              /* serial of the current call (hlua_co_get) */
	int mt_ref[2];
	struct hlua_txn_h *sub_h;
};

/* The classes whose objects the per-call path makes or checks: their
 * metatables are found by integer registry reference, so that no lookup by
 * name (string interning, strcmp) runs per call, and their objects are
 * recognised by their first word (struct hlua_obj), without reading the
 * metatable. */
enum hlua_cls { HLUA_C_TXN = 0, HLUA_C_FETCHES, HLUA_C_CONVERTERS, HLUA_C_CHANNEL, HLUA_C_HTTP,
                HLUA_NB_CLS };

/* The first member of every object of those classes: its own address
 * mixed with a random secret of its class and state, written by
 * hlua_cls_new(). No other userdata holds that word at that place (Lua
 * code cannot write raw bytes into a userdata, and the secret is not
 * known outside), so reading it is the whole class check. */
struct hlua_obj {
	uintptr_t tag;
};

struct hlua_slab;

/* Per-thread runtime. One per worker thread: the design's "its own
 * lua_State loaded with every lua-load file". */
struct hlua_thr {
	lua_State *L;
	int cls_ref[HLUA_NB_CLS];   /* registry references of the metatables */
	uintptr_t cls_key[HLUA_NB_CLS];    /* ...and the secrets of their tags */
	uint64_t calls;             /* last call serial given (hlua_co.call) */
	int fns_ref;                /* registry reference of the function table */
	uint64_t serial;            /* last stream serial given (lstrm.h) */
	struct hlua_slab *slab;     /* small-block allocator of this state (hlua.c) */
	size_t mem, maxmem;         /* allocator accounting; maxmem 0 = unlimited */
	enum hlua_ctx ctx;          /* context of what runs now */
	struct hlua_co *cur;        /* coroutine running now, or NULL (body/init) */
	struct hlua_co *free_co;    /* pool */
	unsigned nb_co;             /* coroutines ever created */
	uint32_t forced_yield;      /* instructions between forced yields */
	uint64_t session_timeout_us, task_timeout_us, service_timeout_us;
	struct config *cfg;
	int loaded;                 /* lua_hooks.load ran */
	int nb_loaded;              /* lua-load files run so far (load_file) */
	int nb_prepended;           /* lua-prepend-path lines applied so far */
	int started;                /* the loop runs: runtime mode */
};

extern __thread struct hlua_thr *hlua_thr;

/* hlua.c */
/* Returns the state of this thread, creating it (empty, libraries and
 * classes loaded) on first use; NULL if out of memory. */
struct hlua_thr *hlua_thr_get(void);
/* Raises a Lua error unless the running context is in <mask>: the message
 * names <fn> and the context. Returns only when allowed. */
void hlua_check_ctx(lua_State *L, unsigned mask, const char *fn);
const char *hlua_ctx_name(enum hlua_ctx c);
/* Sends <msg> at syslog <level> (0..7) as HAProxy does for Lua: to the
 * process logs and to stderr unless quiet. <strm> may be NULL. */
void hlua_log(struct stream *strm, int level, const char *msg, size_t len);
/* Prints the "[ALERT]" line of a failed Lua call: "Lua <kind> '<name>':
 * <what>." and logs it. */
void hlua_alert_fn(struct stream *strm, const char *kind, const char *name, const char *what);
/* Monotonic time in microseconds. */
uint64_t hlua_now_us(void);
/* Makes the metatable on top of <L>'s stack the one of class <c> (it
 * stays on the stack). */
void hlua_cls_register(lua_State *L, enum hlua_cls c);
/* Pushes a new object of class <c>: a userdata of <size> bytes (starting
 * with a struct hlua_obj, which it fills; the rest is the caller's to set)
 * with <nuv> user values, and as metatable the one of registry reference
 * <mt_ref> (hlua_cls_new: the class's). Returns its memory; raises a
 * memory error. */
void *hlua_cls_new_mt(lua_State *L, enum hlua_cls c, size_t size, int nuv, int mt_ref);
static inline void *hlua_cls_new(lua_State *L, enum hlua_cls c, size_t size, int nuv)
{
	return hlua_cls_new_mt(L, c, size, nuv, hlua_thr->cls_ref[c]);
}
/* Returns the object at <idx> if it is of class <c>, else NULL. A light
 * userdata has no raw length, so only full userdata are read. */
static inline void *hlua_cls_test(lua_State *L, int idx, enum hlua_cls c)
{
	struct hlua_obj *o = lua_touserdata(L, idx);

	if (!o || lua_rawlen(L, idx) < sizeof(*o))
		return NULL;
	return o->tag == ((uintptr_t)o ^ hlua_thr->cls_key[c]) ? o : NULL;
}
/* Returns the object at <idx> if it is of class <c>, else raises the
 * usual "bad argument (<tname> expected)" error. */
static inline void *hlua_cls_check(lua_State *L, int idx, enum hlua_cls c, const char *tname)
{
	void *p = hlua_cls_test(L, idx, c);

	if (!p)
		luaL_typeerror(L, idx, tname);
	return p;
}
/* Stores the value on top of <L>'s stack in the function table; returns its index. */
int hlua_fn_store(lua_State *L);
/* Pushes the function stored at <idx>. */
void hlua_fn_push(lua_State *L, int idx);

/* lsched.c — coroutine pool and resumption */
/* Returns a coroutine from the pool (or a new one) set up for context
 * <ctx>, or NULL when out of memory. */
struct hlua_co *hlua_co_get(struct hlua_thr *t, enum hlua_ctx ctx, const char *name);
/* Gives <co> back to the pool; a suspended one is reset first. */
void hlua_co_put(struct hlua_thr *t, struct hlua_co *co);
/* Starts or resumes <co> with <nargs> values pushed on co->T (the function
 * below them on a first start). Returns HLUA_R_*; on HLUA_R_ERR/TIMEOUT/NOMEM
 * the message is in <err> ("runtime error: file:line: ..."). */
enum hlua_res hlua_co_resume(struct hlua_thr *t, struct hlua_co *co, int nargs,
                             char *err, size_t errlen);
/* Suspends the running coroutine for <why> (a yield from a C function).
 * Raises an error naming <fn> when the context cannot yield. */
int hlua_co_yield(lua_State *L, enum hlua_wait why, uint64_t wake_at, const char *fn);

/* lcore.c */
void hlua_core_open(lua_State *L);

/* lsock.c: the Socket class and core.tcp() */
void hlua_sock_open(lua_State *L);
/* core.httpclient() (lhttpclient.c), over the Socket class. */
void hlua_httpclient_open(lua_State *L);
/* Closes the calling thread's sockets that still hold a connection (a
 * task or action waiting on one when the loop stops): lua_hooks.thread_stop. */
void hlua_sock_close_all(void);
/* The end of <co>'s call (hlua_co_put): the sockets it holds go to the
 * next coroutine waiting for each, and it stops waiting for one. */
void hlua_sock_co_end(struct hlua_co *co);
/* Frees the calling thread's TLS client contexts of Socket.connect_ssl;
 * every socket connection must be gone (after lua_close()). */
void hlua_sock_free(void);

/* lmap.c: the Map class (global "Map") */
void hlua_map_open(lua_State *L);

/* lproxy.c */
/* Sets core.proxies, core.frontends and core.backends (name -> Proxy) for
 * the parsed configuration <cfg>. */
void hlua_proxies_open(lua_State *L, struct config *cfg);

/* ltxn.c */
/* What a TXN holds, copied into the objects that act on its stream
 * (Fetches, Converters, Channel, HTTP), so that they check it without the
 * TXN object. <strm> is dereferenced only once proven alive
 * (hlua_txn_h_stream). */
struct hlua_txn_h {
	struct stream *strm;
	struct thr *thr;            /* the stream's thread (NULL in unit tests) */
	uint32_t idx, gen;          /* stream_from_ref() handle */
	uint64_t serial;            /* hlua_strm.serial when made (lstrm.h) */
	int dir;                    /* 0: request, 1: response */
};
/* How the objects a TXN hands out begin: their class tag, then the handle
 * of the TXN they act for: <hp> points to their own copy <h>, or for the
 * members of a pooled coroutine, which serve its calls in turn (ltxn.c),
 * to the copy of the first of them, which the others keep alive (their
 * user value 1): one copy to point at each call's TXN. */
struct hlua_txn_obj {
	struct hlua_obj o;
	const struct hlua_txn_h *hp;
	struct hlua_txn_h h;
};
/* Makes <o> (just made, with one user value) act for <h>, on its own. */
static inline void hlua_txn_obj_init(struct hlua_txn_obj *o, const struct hlua_txn_h *h)
{
	o->h = *h;
	o->hp = &o->h;
}
void hlua_txn_open(lua_State *L);
/* Returns the handle of the TXN at <idx>, or raises an error if it is not one. */
const struct hlua_txn_h *hlua_txn_h_get(lua_State *L, int idx);
/* Returns the live stream of <h>, or raises "TXN: the transaction is over". */
struct stream *hlua_txn_h_stream(lua_State *L, const struct hlua_txn_h *h);
/* Pushes a new TXN object of <strm> for direction <dir> (0 request, 1
 * response), as HAProxy makes one per call; raises an error when out of
 * memory (call it inside a coroutine). <co>, if not NULL, is the pooled
 * coroutine whose call the TXN is the argument of: its members then are
 * <co>'s objects (hlua_co.mt_ref), pointed at it, instead of objects of
 * its own, until hlua_txn_end(). */
void hlua_txn_push(lua_State *L, struct stream *strm, int dir, struct hlua_co *co);
/* Returns the live stream of the TXN at <idx>, or raises a Lua error. */
struct stream *hlua_txn_stream(lua_State *L, int idx, int *dir);
/* Pushes <smp> as a Lua value (boolean, integer, string; addresses as text). */
void hlua_smp_to_lua(lua_State *L, const struct sample *smp);
/* Fills <smp> from the Lua value at <idx> (strings point into Lua:
 * SMP_F_CONST). Returns 1, or 0 for nil/table/function/userdata. */
int hlua_lua_to_smp(lua_State *L, int idx, struct sample *smp);
/* The call of the TXN at <idx> (if a TXN is there: the function's first
 * argument, kept by the caller) has returned: a TXN the script kept no
 * longer hands out the coroutine's members. */
void hlua_txn_end(lua_State *L, int idx);
/* Drops what <co> keeps for its calls' TXNs (before it is freed, or when
 * a call did not return: hlua_txn_end() did not run). */
void hlua_txn_co_free(struct hlua_thr *t, struct hlua_co *co);
/* lstrm.c: invalidates the TXN objects of <strm> and frees its Lua data. */
void hlua_txn_release(struct stream *strm);

/* lchan.c */
void hlua_chan_open(lua_State *L);
/* Pushes a Channel for <dir> (0 request, 1 response) acting for the TXN
 * of handle <h>; returns it (its handle may be pointed at another TXN). */
struct hlua_txn_obj *hlua_chan_push(lua_State *L, const struct hlua_txn_h *h, int dir);

/* lhttp.c: the HTTP class (txn.http) */
void hlua_http_open(lua_State *L);
/* Pushes an HTTP object acting for the TXN of handle <h>; returns it. */
struct hlua_txn_obj *hlua_http_push(lua_State *L, const struct hlua_txn_h *h);
struct http_msg;
/* Pushes the table t[lowercase-name][0..n-1] of <m>'s header values. */
void hlua_http_headers_push(lua_State *L, const struct http_msg *m);
/* TXN.get_headers(txn) */
int hlua_txn_get_headers(lua_State *L);
/* Frees the thread's regex cache (process exit). */
void hlua_http_free(void);

/* lapplet.c: Lua services (AppletHTTP, AppletTCP) */
void hlua_applet_open(lua_State *L);
/* core.register_service(name, "http"|"tcp", fn) */
int hlua_register_service(lua_State *L);
/* Installs lua_hooks.service_resolve/service_run. */
void hlua_applet_hooks(void);
/* Frees the registered services (process exit). */
void hlua_services_free(void);

/* lsample.c */
void hlua_sample_open(lua_State *L);
/* Pushes a Fetches (<conv> 0) or Converters (<conv> 1) object acting for
 * the TXN of handle <h>; <str> selects the always-a-string variant (sf,
 * sc). Returns it. */
struct hlua_txn_obj *hlua_smp_push(lua_State *L, const struct hlua_txn_h *h, int conv, int str);
/* core.register_fetches / register_converters */
int hlua_register_fetch(lua_State *L);
int hlua_register_conv(lua_State *L);
/* Frees the lua.* registry entries (process exit: the registry must not be used after). */
void hlua_sample_free(void);

/* laction.c */
int hlua_register_action(lua_State *L);
int hlua_register_task(lua_State *L);
int hlua_register_init(lua_State *L);
/* Adds core.register_service and core.register_cli to the table on top. */
void hlua_action_core_open(lua_State *L);
/* Binds the actions resolved before the lua-load files ran. Returns 0 or
 * -1 after printing an alert per unknown action. */
int hlua_bind_pending(void);
/* Frees the registered actions (process exit). */
void hlua_actions_free(void);
/* Frees the tasks still running (process exit, before the state closes). */
void hlua_tasks_free(void);
/* Resumes task <task> (a struct hlua_task of laction.c) at the next turn
 * of the loop, if it is still running. */
void hlua_task_wake(void *task);
/* Frees the Lua state, its pooled coroutines and per-stream data pool. */
void hlua_co_free_all(struct hlua_thr *t);
void hlua_strm_pool_free(void);
/* Installs the action, task and init entries of <lua_hooks>. */
void hlua_action_hooks(void);

#endif
