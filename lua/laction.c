/* laction.c: Lua actions ("tcp-request content lua.<name> [args]" and the
 * seed's "lua <function>"), init functions and tasks: registration, the
 * resolution at configuration time, and running them in pooled
 * coroutines that suspend only their own stream (sleeps through the
 * thread's timer wheel, forced yields through stream_wakeup). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/hooks.h"
#include "engine/log.h"
#include "engine/stream.h"
#include "engine/thread.h"
#include "engine/timer.h"
#include "lua/hlua.h"
#include "lua/lstrm.h"

#define container_of(p, type, field) ((type *)((char *)(p) - offsetof(type, field)))

/* Where an action may be used (core.register_action's second argument). */
static const char *const act_where_names[] = { "tcp-req", "tcp-res", "http-req", "http-res" };
#define ACT_NB_WHERE 4

/* A registered action of one environment (HAProxy keeps one keyword list
 * per rule set: the same name may be an http-req and an http-res action
 * with different functions). Built at start-up, read-only afterwards. */
struct hlua_actdef {
	struct hlua_actdef *next;
	unsigned where;             /* one bit: act_where_names[i] */
	int nb_args;
	int fn_idx;
	char name[];
};
static struct hlua_actdef *actdefs;

struct lua_action {
	int fn_idx;                 /* function table index, -1 until resolved */
	int is_global;              /* the seed's "lua <function>" */
	unsigned where;
	int nb_args;
	char **args;
	struct lua_action *next_pending;
	char name[];                /* the function or registered name, for messages */
};
/* Actions resolved before the lua-load files ran (resolved by hook_load).
 * An action belongs to the rule that resolved it: the rule frees it
 * (lua_hooks.action_free), before or after the Lua state closes, since an
 * action holds only an index into the function table. */
static struct lua_action *pending;

static int where_bit(const char *where)
{
	for (int i = 0; i < ACT_NB_WHERE; i++)
		if (!strcmp(where, act_where_names[i]))
			return 1 << i;
	return 0;
}

static struct hlua_actdef *actdef_find(const char *name, unsigned bit);

/* core.register_action(name, {"tcp-req", ...}, fn [, nb_args]) */
int hlua_register_action(lua_State *L)
{
	const char *name = luaL_checkstring(L, 1);
	lua_Integer nb_args = luaL_optinteger(L, 4, 0);
	struct hlua_actdef *a;
	unsigned where = 0;
	size_t len = strlen(name);
	int idx;

	hlua_check_ctx(L, HLUA_M(HLUA_BODY), "core.register_action");
	luaL_checktype(L, 2, LUA_TTABLE);
	luaL_checktype(L, 3, LUA_TFUNCTION);
	if (nb_args < 0 || nb_args > 64)
		return luaL_argerror(L, 4, "invalid number of arguments");
	for (lua_Integer i = 1; ; i++) {
		const char *w;
		int bit;

		if (lua_rawgeti(L, 2, i) == LUA_TNIL) {
			lua_pop(L, 1);
			break;
		}
		w = lua_tostring(L, -1);
		if (!w || !(bit = where_bit(w)))
			return luaL_error(L, "Lua action environment '%s' is unknown. 'tcp-req', "
			                  "'tcp-res', 'http-req' or 'http-res' are expected.", w ? w : "?");
		where |= (unsigned)bit;
		lua_pop(L, 1);
	}
	lua_pushvalue(L, 3);
	idx = hlua_fn_store(L);
	for (unsigned bit = 1; bit < (1u << ACT_NB_WHERE); bit <<= 1) {
		if (!(where & bit))
			continue;
		if ((a = actdef_find(name, bit))) {
			/* registered again for this environment: HAProxy 2.6 warns
			 * and the last one wins */
			rp_warning("config : Trying to register action 'lua.%s' more than once. "
			           "This will become a hard error in version 2.5.", name);
		} else {
			if (!(a = malloc(sizeof(*a) + len + 1)))
				return luaL_error(L, "core.register_action: out of memory");
			memcpy(a->name, name, len + 1);
			a->where = bit;
			a->next = actdefs;
			actdefs = a;
		}
		a->nb_args = (int)nb_args;
		a->fn_idx = idx;
	}
	return 0;
}

/* The action <name> registered for the environment <bit>, or NULL. */
static struct hlua_actdef *actdef_find(const char *name, unsigned bit)
{
	for (struct hlua_actdef *a = actdefs; a; a = a->next)
		if ((a->where & bit) && !strcmp(a->name, name))
			return a;
	return NULL;
}

/* Completes <act> against the loaded state. Returns 0 or -1 with a message. */
static int action_bind(struct lua_action *act, char *err, size_t errlen)
{
	struct hlua_thr *t = hlua_thr;

	if (act->is_global) {
		if (lua_getglobal(t->L, act->name) != LUA_TFUNCTION) {
			lua_pop(t->L, 1);
			snprintf(err, errlen, "Lua function '%s' not found", act->name);
			return -1;
		}
		act->fn_idx = hlua_fn_store(t->L);
		return 0;
	}
	struct hlua_actdef *a = actdef_find(act->name, act->where);
	if (!a && !actdef_find(act->name, (1u << ACT_NB_WHERE) - 1)) {
		snprintf(err, errlen, "unknown Lua action 'lua.%s'", act->name);
		return -1;
	}
	if (!a) {
		snprintf(err, errlen, "Lua action 'lua.%s' is not registered for '%s'", act->name,
		         act->where & 1 ? "tcp-req" : act->where & 2 ? "tcp-res" :
		         act->where & 4 ? "http-req" : "http-res");
		return -1;
	}
	if (act->nb_args < a->nb_args) {
		snprintf(err, errlen, "Lua action 'lua.%s' expects %d argument(s), got %d", act->name,
		         a->nb_args, act->nb_args);
		return -1;
	}
	act->fn_idx = a->fn_idx;
	return 0;
}

static struct lua_action *hook_action_resolve(const char *name, int is_global, const char *where,
                                              char **args, int nb_args, char *err, size_t errlen)
{
	struct hlua_thr *t = hlua_thr;
	struct lua_action *act;
	size_t len;

	if (!strncmp(name, "lua.", 4))
		name += 4;
	len = strlen(name);
	if (!*name) {
		snprintf(err, errlen, "missing Lua function name");
		return NULL;
	}
	if (!(act = calloc(1, sizeof(*act) + len + 1)))
		goto nomem;
	memcpy(act->name, name, len + 1);
	act->is_global = is_global;
	act->fn_idx = -1;
	act->where = (unsigned)where_bit(where);
	if (nb_args > 0) {
		if (!(act->args = calloc((size_t)nb_args, sizeof(char *))))
			goto nomem;
		for (int i = 0; i < nb_args; i++) {
			if (!(act->args[i] = strdup(args[i])))
				goto nomem;
			act->nb_args = i + 1;
		}
	}
	/* lua-load files already ran (the parser loads them as it meets
	 * them, as HAProxy): the action must exist now */
	if (t && (t->loaded || t->nb_loaded)) {
		if (action_bind(act, err, errlen) < 0)
			goto fail;
	} else {
		act->next_pending = pending;
		pending = act;
	}
	return act;
nomem:
	snprintf(err, errlen, "out of memory");
fail:
	/* <act> may be NULL or partly built: nb_args counts the copied strings */
	if (act) {
		for (int i = 0; i < act->nb_args; i++)
			free(act->args[i]);
		free(act->args);
		free(act);
	}
	return NULL;
}

static void hook_action_free(struct lua_action *act)
{
	struct lua_action **pp;

	if (!act)
		return;
	for (pp = &pending; *pp; pp = &(*pp)->next_pending) {
		if (*pp == act) {
			*pp = act->next_pending;
			break;
		}
	}
	for (int i = 0; i < act->nb_args; i++)
		free(act->args[i]);
	free(act->args);
	free(act);
}

/* Frees the registered actions (process exit). The actions of rules are
 * their rules' (hook_action_free). */
void hlua_actions_free(void)
{
	while (actdefs) {
		struct hlua_actdef *a = actdefs;

		actdefs = a->next;
		free(a);
	}
}

/* Binds the actions resolved before the state was loaded. Returns 0 or -1
 * after printing one alert per failure. */
int hlua_bind_pending(void)
{
	char err[256];
	int rc = 0;

	while (pending) {
		struct lua_action *a = pending;

		pending = a->next_pending;
		a->next_pending = NULL;
		if (action_bind(a, err, sizeof(err)) < 0) {
			rp_alert("config : %s.", err);
			rc = -1;
		}
	}
	return rc;
}

/* Continuation of action_start: the function has returned; its results
 * are the stack above the TXN. */
static int action_k(lua_State *L, int status, lua_KContext ctx)
{
	(void)status;
	(void)ctx;
	hlua_txn_end(L, 1);
	return lua_gettop(L) - 1;
}

/* The body of an action's coroutine: (act, strm, dir) as light values;
 * builds the TXN (kept at index 1 until the function returns) and the
 * arguments, then calls the function. */
static int action_start(lua_State *L)
{
	struct lua_action *act = lua_touserdata(L, 1);
	struct stream *strm = lua_touserdata(L, 2);
	int dir = (int)lua_tointeger(L, 3);

	lua_settop(L, 0);
	luaL_checkstack(L, act->nb_args + 5, NULL);
	hlua_txn_push(L, strm, dir, hlua_thr->cur);
	hlua_fn_push(L, act->fn_idx);
	lua_pushvalue(L, 1);
	for (int i = 0; i < act->nb_args; i++)
		lua_pushstring(L, act->args[i]);
	lua_callk(L, 1 + act->nb_args, LUA_MULTRET, 0, action_k);
	return action_k(L, LUA_OK, 0);
}

/* Maps an action function's return value (act.*) to the engine's. */
static enum act_ret act_code(lua_State *T, int nres)
{
	if (nres < 1 || !lua_isinteger(T, -nres))
		return ACT_RET_CONT;
	switch (lua_tointeger(T, -nres)) {
	case 1: return ACT_RET_STOP;
	case 2: return ACT_RET_YIELD;     /* call the action again later */
	case 3: return ACT_RET_ERR;
	case 4: return ACT_RET_DONE;
	case 5: return ACT_RET_DENY;
	case 6: return ACT_RET_ERR;       /* ABORT */
	default: return ACT_RET_CONT;
	}
}

static enum act_ret hook_action_run(struct lua_action *act, struct stream *strm, int dir)
{
	struct hlua_thr *t = hlua_thr;
	struct hlua_strm *hs;
	struct hlua_co *co;
	enum act_ret ret;
	char err[1024];
	int nargs = 0, sleeping;

	if (!t || act->fn_idx < 0)
		return ACT_RET_ERR;
	if (!(hs = hlua_strm_get(strm)))
		return ACT_RET_ERR;
	co = hlua_strm_resumable(hs, act, &sleeping);
	if (sleeping)
		return ACT_RET_YIELD;
	if (!co) {
		if (!(co = hlua_co_get(t, HLUA_ACTION, act->name)))
			return ACT_RET_ERR;
		co->strm = strm;
		/* light values only: the TXN and the argument strings are built
		 * by action_start(), inside the coroutine (memory errors there
		 * fail this action, not the process) */
		lua_pushcfunction(co->T, action_start);
		lua_pushlightuserdata(co->T, act);
		lua_pushlightuserdata(co->T, strm);
		lua_pushinteger(co->T, dir);
		nargs = 3;
	}

	switch (hlua_strm_run(t, hs, co, act, nargs, err, sizeof(err))) {
	case HLUA_R_GONE:
		return ACT_RET_ERR;
	case HLUA_R_YIELD:
		return ACT_RET_YIELD;
	case HLUA_R_OK:
		ret = co->done ? ACT_RET_DONE : act_code(co->T, co->nres);
		break;
	case HLUA_R_ERR:
		/* a runtime error is logged and the rule list goes on, as HAProxy */
		hlua_alert_fn(strm, "function", act->name, err);
		ret = co->done ? ACT_RET_DONE : ACT_RET_CONT;
		break;
	default:
		/* budget overrun (time, memory): that transaction ends */
		hlua_alert_fn(strm, "function", act->name, err);
		ret = ACT_RET_ERR;
		break;
	}
	hlua_co_put(t, co);
	/* act.YIELD: the function ended; it runs again from the start at the
	 * next turn of the loop */
	if (ret == ACT_RET_YIELD)
		stream_wakeup(strm);
	/* txn:done(): what was sent still goes to the client, then the
	 * connection closes (HAProxy: the response is shut once forwarded) */
	if (ret == ACT_RET_DONE) {
		/* HTTP: a response not forwarded yet is dropped, as HAProxy 2.6
		 * does; only what already went to the output part is sent */
		if (strm->http && chan_in_len(&strm->res))
			chan_replace_in(&strm->res, 0, chan_in_len(&strm->res), NULL, 0);
		/* HAProxy 2.6 logs "LR" (ended locally, at the request stage)
		 * unless the stream already had a termination code */
		if (strm->err == STRM_ERR_NONE || !strm->err)
			strm->err = STRM_ERR_LOCAL;
		if (strm->fin == STRM_FIN_NONE || !strm->fin)
			strm->fin = STRM_FIN_R;
		stream_shutdown(strm, STRM_SHUT_DONE);
	}
	return ret;
}

static void hook_stream_release(struct stream *strm)
{
	hlua_txn_release(strm);
}

/* ---- CLI commands: registered, not served yet ---- */

/* core.register_cli(path, usage, fn): the management socket does not run
 * Lua commands yet; the registration is accepted with a warning so that
 * the rest of the script works. */
static int hlua_register_cli(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TTABLE);
	luaL_checkstring(L, 2);
	luaL_checktype(L, 3, LUA_TFUNCTION);
	hlua_check_ctx(L, HLUA_M(HLUA_BODY), "core.register_cli");
	rp_warning("Lua: core.register_cli: Lua commands on the management socket are not supported yet; the command is ignored.");
	return 0;
}

/* Adds register_service and register_cli to the core table at the top. */
void hlua_action_core_open(lua_State *L)
{
	lua_pushcfunction(L, hlua_register_service);
	lua_setfield(L, -2, "register_service");
	lua_pushcfunction(L, hlua_register_cli);
	lua_setfield(L, -2, "register_cli");
}

/* ---- init functions and tasks ---- */

int hlua_register_init(lua_State *L)
{
	hlua_check_ctx(L, HLUA_M(HLUA_BODY), "core.register_init");
	luaL_checktype(L, 1, LUA_TFUNCTION);
	if (lua_getfield(L, LUA_REGISTRYINDEX, "ringproxy.inits") != LUA_TTABLE) {
		lua_pop(L, 1);
		lua_newtable(L);
		lua_pushvalue(L, -1);
		lua_setfield(L, LUA_REGISTRYINDEX, "ringproxy.inits");
	}
	lua_pushvalue(L, 1);
	lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + 1);
	lua_pop(L, 1);
	return 0;
}

/* A running task: its coroutine and the timer that resumes it. */
struct hlua_task {
	struct hlua_co *co;
	struct thr *thr;
	struct timer tmr;
	int started;
	struct hlua_task *next, **pprev;   /* tasks alive, freed at exit */
};
static __thread struct hlua_task *tasks;

static void task_unlink(struct hlua_task *tk)
{
	*tk->pprev = tk->next;
	if (tk->next)
		tk->next->pprev = tk->pprev;
}

void hlua_task_wake(void *task)
{
	for (struct hlua_task *tk = tasks; tk; tk = tk->next) {
		if (tk == task) {
			timer_arm(&tk->thr->timers, &tk->tmr, timer_now_ms());
			return;
		}
	}
}

/* Frees the tasks still running (process exit, before the state closes). */
void hlua_tasks_free(void)
{
	while (tasks) {
		struct hlua_task *tk = tasks;

		task_unlink(tk);
		if (thr_cur && timer_is_armed(&tk->tmr))
			timer_cancel(&thr_cur->timers, &tk->tmr);
		free(tk->co);      /* its thread goes with the state */
		free(tk);
	}
}

static void task_run(struct timer *tm)
{
	struct hlua_task *tk = container_of(tm, struct hlua_task, tmr);
	struct hlua_thr *t = hlua_thr;
	struct hlua_co *co = tk->co;
	char err[1024];
	int nargs = 0;

	if (!t)
		return;
	if (co->wait == HLUA_W_SLEEP && hlua_now_us() < co->wake_at) {
		timer_arm(&tk->thr->timers, &tk->tmr, timer_now_ms() + (co->wake_at - hlua_now_us() + 999) / 1000);
		return;
	}
	if (!tk->started)
		tk->started = 1;   /* the function is already on co->T */
	switch (hlua_co_resume(t, co, nargs, err, sizeof(err))) {
	case HLUA_R_YIELD:
		if (co->wait == HLUA_W_SLEEP || (co->wait == HLUA_W_IO && co->wake_at))
			timer_arm(&tk->thr->timers, &tk->tmr,
			          timer_now_ms() + (co->wake_at > hlua_now_us() ?
			                            (co->wake_at - hlua_now_us() + 999) / 1000 : 0));
		else if (co->wait != HLUA_W_IO)
			timer_arm(&tk->thr->timers, &tk->tmr, timer_now_ms());
		/* HLUA_W_IO without a timeout: hlua_task_wake() resumes it */
		return;
	case HLUA_R_OK:
		break;
	default:
		hlua_alert_fn(NULL, "task", NULL, err);
		break;
	}
	hlua_co_put(t, co);
	task_unlink(tk);
	free(tk);
}

/* Starts the function on top of <L> as a task on the running thread.
 * Returns 0 or -1 (no loop yet, or out of memory). */
static int task_start(struct hlua_thr *t, lua_State *L)
{
	struct hlua_task *tk;
	struct thr *th = thr_cur;

	if (!th || !(tk = calloc(1, sizeof(*tk))))
		return -1;
	if (!(tk->co = hlua_co_get(t, HLUA_TASK, "task"))) {
		free(tk);
		return -1;
	}
	tk->co->task = tk;
	tk->thr = th;
	tk->next = tasks;
	tk->pprev = &tasks;
	if (tasks)
		tasks->pprev = &tk->next;
	tasks = tk;
	lua_xmove(L, tk->co->T, 1);
	timer_init(&tk->tmr, task_run);
	timer_arm(&th->timers, &tk->tmr, timer_now_ms());
	return 0;
}

/* core.register_task(fn): queued until the loop starts, or started at
 * once when the loop already runs. */
int hlua_register_task(lua_State *L)
{
	struct hlua_thr *t = hlua_thr;

	luaL_checktype(L, 1, LUA_TFUNCTION);
	lua_settop(L, 1);
	if (t && t->started) {
		if (task_start(t, L) < 0)
			return luaL_error(L, "core.register_task: cannot start the task");
		return 0;
	}
	if (lua_getfield(L, LUA_REGISTRYINDEX, "ringproxy.tasks") != LUA_TTABLE) {
		lua_pop(L, 1);
		lua_newtable(L);
		lua_pushvalue(L, -1);
		lua_setfield(L, LUA_REGISTRYINDEX, "ringproxy.tasks");
	}
	lua_pushvalue(L, 1);
	lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + 1);
	lua_pop(L, 1);
	return 0;
}

static void hook_start_tasks(void)
{
	struct hlua_thr *t = hlua_thr;
	lua_State *L;
	int n;

	if (!t || t->started)
		return;
	t->started = 1;
	L = t->L;
	if (lua_getfield(L, LUA_REGISTRYINDEX, "ringproxy.tasks") != LUA_TTABLE) {
		lua_pop(L, 1);
		return;
	}
	n = (int)lua_rawlen(L, -1);
	for (int i = 1; i <= n; i++) {
		lua_rawgeti(L, -1, i);
		if (task_start(t, L) < 0) {
			lua_pop(L, 1);
			rp_alert("Lua task: cannot start (no event loop or out of memory).");
		}
	}
	lua_pop(L, 1);
	lua_pushnil(L);
	lua_setfield(L, LUA_REGISTRYINDEX, "ringproxy.tasks");
}

void hlua_action_hooks(void)
{
	lua_hooks.action_resolve = hook_action_resolve;
	lua_hooks.action_run = hook_action_run;
	lua_hooks.action_free = hook_action_free;
	lua_hooks.stream_release = hook_stream_release;
	lua_hooks.start_tasks = hook_start_tasks;
}
