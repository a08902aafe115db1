/* hooks.h: the only way the engine enters Lua. lua/ fills <lua_hooks> at
 * start-up; without Lua (unit tests, a build without lua/) every pointer
 * stays NULL and the configuration keywords that need Lua are refused. */
#ifndef RP_HOOKS_H
#define RP_HOOKS_H

#include <stdint.h>

struct stream;
struct proxy;
struct config;
struct sample;
struct arg;
struct smp_ctx;

/* Result of running an action. */
enum act_ret {
	ACT_RET_CONT = 0,   /* go on with the next rule */
	ACT_RET_YIELD,      /* suspended: the stream is resumed by a completion or timer */
	ACT_RET_STOP,       /* stop evaluating this rule list, go on (like "accept") */
	ACT_RET_DONE,       /* the transaction is finished (txn:done(), close) */
	ACT_RET_DENY,       /* reject */
	ACT_RET_ERR,        /* internal error: abort the transaction (HTTP: 500, TCP: close) */
};

struct lua_action;     /* a compiled reference to a Lua action, private to lua/ */

struct lua_hooks {
	/* Loads the global lua-load files and runs their body; then the init
	 * functions. Returns 0 or -1 after printing "[ALERT] ..." lines. */
	int (*load)(struct config *cfg);
	/* Loads and runs one "lua-load" file NOW: cfg.c's "lua-load" keyword
	 * calls it while parsing the global section, as HAProxy does, so
	 * that the lua.* actions, fetches and converters the file registers
	 * exist when the proxies using them are parsed. Returns 0, or -1 with
	 * the text of the [ALERT] line in <err> ("error in Lua file 'f': ..."
	 * or "Lua runtime error: f:3: ..."). load() then skips that file. */
	int (*load_file)(struct config *cfg, const char *file, char *err, size_t errlen);
	/* Applies one "lua-prepend-path <path> [path|cpath]" line now (<cpath>
	 * 1 for cpath), for the lua-load lines that follow. Returns 0 or -1. */
	int (*prepend_path)(struct config *cfg, const char *path, int cpath);
	int (*run_inits)(struct config *cfg);
	/* Starts registered tasks once the loop runs. */
	void (*start_tasks)(void);
	/* Called by a worker thread once its loop has stopped, before it
	 * waits for its connections to come back to their pool: closes the
	 * connections Lua still holds (sockets of waiting tasks). May be NULL. */
	void (*thread_stop)(void);

	/* Resolves an action at configuration time: "lua.<name>" (registered)
	 * or the seed's "lua <function>" (a global function, <is_global> = 1).
	 * <where> is one of "tcp-req", "tcp-res", "http-req", "http-res".
	 * Returns the action or NULL with a message in <err>. */
	struct lua_action *(*action_resolve)(const char *name, int is_global, const char *where,
	                                     char **args, int nb_args, char *err, size_t errlen);
	/* Runs or resumes <act> on <strm>. */
	enum act_ret (*action_run)(struct lua_action *act, struct stream *strm, int dir);
	/* Frees an action returned by action_resolve (when its rule is freed). */
	void (*action_free)(struct lua_action *act);

	/* Per-stream Lua state: released when the stream ends. */
	void (*stream_release)(struct stream *strm);

	/* Lua services (use-service lua.<name>), HTTP issue. */
	void *(*service_resolve)(const char *name, char *err, size_t errlen);
	/* Runs or resumes service <svc> (from service_resolve) for the HTTP
	 * request of <strm> ("http-request use-service"): the response goes to
	 * the output part of strm->res. Returns ACT_RET_YIELD (resume when
	 * woken), ACT_RET_DONE (response complete) or ACT_RET_ERR. NULL: the
	 * configuration refuses use-service. */
	enum act_ret (*service_run)(void *svc, struct stream *strm);
	/* Returns 1 for a service registered as "http", 0 for "tcp", so that
	 * the rule parsers refuse a mismatch as HAProxy does ("Lua TCP
	 * services cannot be used on HTTP proxies." / "Lua HTTP services
	 * cannot be used on TCP proxies."). service_run() refuses it too. */
	int (*service_is_http)(void *svc);

	/* Closes the Lua state of the calling thread and frees what lua/
	 * allocated (process exit, so that leak checkers see a clean exit). */
	void (*deinit)(void);

	/* Returns the Lua release linked in ("Lua 5.4.4"), for "-vv". */
	const char *(*version)(void);
};

extern struct lua_hooks lua_hooks;

/* Fills <lua_hooks> (defined by lua/, called once by main() before the
 * configuration is parsed). Builds without lua/ objects do not call it. */
void lua_hooks_install(void);

#endif
