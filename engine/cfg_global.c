/* cfg_global.c: the "global" section — process settings, tunables, Lua
 * files, management sockets, environment changes — and which HAProxy
 * global keywords are accepted without effect or refused. */
#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/cfg.h"
#include "engine/cfg_global.h"
#include "engine/cfg_srv.h"
#include "engine/cfg_tls.h"
#include "engine/hooks.h"
#include "engine/log.h"
#include "engine/sample.h"
#include "engine/vars.h"

/* Keywords stored in struct global that nothing applies yet: the user is
 * told once per line. */
static void kw_g_not_applied(struct cfg_ctx *c, const char *kw)
{
	static const char *const not_applied[] = {
		"master-worker", NULL
	};

	for (int i = 0; not_applied[i]; i++)
		if (!strcmp(kw, not_applied[i]))
			cfg_notice(c, "'%s' is stored but not applied by ringproxy yet.", kw);
}

/* Flags of the global section: "daemon", "quiet"... */
static int kw_g_flag(struct cfg_ctx *c, char **args, int nargs)
{
	struct global *g = &c->cfg->g;

	if (cfg_no_extra(c, args, nargs, 1))
		return -1;
	if (!strcmp(args[0], "daemon"))                              g->daemon = 1;
	else if (!strcmp(args[0], "quiet")) {
		g->quiet = 1;
		log_set_quiet(1);      /* same as -q: silences the notices and warnings that follow */
	}
	else if (!strcmp(args[0], "debug"))                          g->debug = 1;
	else if (!strcmp(args[0], "nosplice"))                       g->nosplice = 1;
	else if (!strcmp(args[0], "master-worker")) {
		g->master_worker = 1;
		kw_g_not_applied(c, args[0]);
	}
	else if (!strcmp(args[0], "insecure-fork-wanted"))           g->insecure_fork_wanted = 1;
	else if (!strcmp(args[0], "expose-experimental-directives")) g->expose_experimental = 1;
	else if (!strcmp(args[0], "h1-case-adjust-bogus-client"))    g->h1_case_adjust_bogus_client = 1;
	else if (!strcmp(args[0], "h1-case-adjust-bogus-server"))    g->h1_case_adjust_bogus_server = 1;
	return 0;
}

/* Sets string <*dst> from the single argument of the keyword. */
static int kw_g_str1(struct cfg_ctx *c, char **args, int nargs, char **dst, const char *what)
{
	if (nargs < 2 || !*args[1])
		return cfg_set_err(c, "'%s' expects %s.", args[0], what);
	if (cfg_no_extra(c, args, nargs, 2))
		return -1;
	free(*dst);
	*dst = cfg_strdup(c, args[1]);
	if (!*dst)
		return -1;
	kw_g_not_applied(c, args[0]);
	return 0;
}

/* "user <name>" / "group <name>": resolved now, as HAProxy does, into the
 * uid / gid that main.c switches to after binding. */
static int kw_g_user(struct cfg_ctx *c, char **args, int nargs)
{
	struct global *g = &c->cfg->g;
	int is_user = !strcmp(args[0], "user");
	const char *name = nargs > 1 ? args[1] : "";

	if (cfg_no_extra(c, args, nargs, 2))
		return -1;
	errno = 0;
	if (is_user) {
		struct passwd *pw = getpwnam(name);

		if (!pw)
			return cfg_set_err(c, "cannot find user id for '%s' (%d:%s)", name, errno, strerror(errno));
		g->uid = (int)pw->pw_uid;
	} else {
		struct group *gr = getgrnam(name);

		if (!gr)
			return cfg_set_err(c, "cannot find group id for '%s' (%d:%s)", name, errno, strerror(errno));
		g->gid = (int)gr->gr_gid;
	}
	free(is_user ? g->user : g->group);
	if (!(*(is_user ? &g->user : &g->group) = cfg_strdup(c, name)))
		return -1;
	return 0;
}

static int kw_g_string(struct cfg_ctx *c, char **args, int nargs)
{
	struct global *g = &c->cfg->g;
	const char *k = args[0];

	if (!strcmp(k, "pidfile"))    return kw_g_str1(c, args, nargs, &g->pidfile, "a file name as an argument");
	if (!strcmp(k, "log-tag"))    return kw_g_str1(c, args, nargs, &g->log_tag, "a tag for use in syslog");
	if (!strcmp(k, "chroot"))     return kw_g_str1(c, args, nargs, &g->chroot, "a directory as an argument");
	if (!strcmp(k, "user"))       return kw_g_user(c, args, nargs);
	if (!strcmp(k, "group"))      return kw_g_user(c, args, nargs);
	if (!strcmp(k, "ca-base"))    return kw_g_str1(c, args, nargs, &g->ca_base, "a directory path as an argument");
	if (!strcmp(k, "crt-base"))   return kw_g_str1(c, args, nargs, &g->crt_base, "a directory path as an argument");
	if (!strcmp(k, "ssl-default-bind-ciphers"))      return kw_g_str1(c, args, nargs, &g->ssl_bind_ciphers, "a cipher suite as an argument");
	if (!strcmp(k, "ssl-default-bind-ciphersuites")) return kw_g_str1(c, args, nargs, &g->ssl_bind_ciphersuites, "a cipher suite as an argument");
	if (!strcmp(k, "ssl-default-server-ciphers"))    return kw_g_str1(c, args, nargs, &g->ssl_server_ciphers, "a cipher suite as an argument");
	if (!strcmp(k, "ssl-default-server-ciphersuites")) return kw_g_str1(c, args, nargs, &g->ssl_server_ciphersuites, "a cipher suite as an argument");
	if (!strcmp(k, "ssl-dh-param-file"))             return kw_g_str1(c, args, nargs, &g->ssl_dh_param_file, "a file path as an argument");
	return cfg_set_err(c, "internal error: '%s'", k);
}

/* "node" and "description": the rest of the line, words joined by one space. */
static int kw_g_joined(struct cfg_ctx *c, char **args, int nargs)
{
	struct global *g = &c->cfg->g;
	char **dst = !strcmp(args[0], "node") ? &g->node : &g->desc;
	size_t len = 0;
	char *s;

	if (nargs < 2 || !*args[1]) {
		c->err_tight = 1;
		if (dst == &g->node)
			return cfg_set_err(c, "'node' requires valid node name - non-empty string with digits(0-9), letters(A-Z, a-z), dot(.), hyphen(-) or underscode(_).");
		return cfg_set_err(c, "'description' expects a string argument.");
	}
	for (int i = 1; i < nargs; i++)
		len += strlen(args[i]) + 1;
	if (!(s = malloc(len)))
		return cfg_set_err(c, "out of memory.");
	s[0] = 0;
	for (int i = 1; i < nargs; i++) {
		if (i > 1)
			strcat(s, " ");
		strcat(s, args[i]);
	}
	if (dst == &g->node) {
		for (char *q = s; *q; q++)
			if (!isalnum((unsigned char)*q) && *q != '.' && *q != '-' && *q != '_') {
				free(s);
				c->err_tight = 1;
				return cfg_set_err(c, "'node' requires valid node name - non-empty string with digits(0-9), letters(A-Z, a-z), dot(.), hyphen(-) or underscode(_).");
			}
	}
	free(*dst);
	*dst = s;
	return 0;
}

/* Integer keywords of the global section. */
static int kw_g_int(struct cfg_ctx *c, char **args, int nargs)
{
	struct global *g = &c->cfg->g;
	const char *k = args[0];
	long long v;

	if (nargs < 2 || !*args[1])
		return cfg_set_err(c, "'%s' expects an integer argument.", k);
	if (cfg_no_extra(c, args, nargs, 2))
		return -1;
	if (!strcmp(k, "nbthread")) {
		char *end;
		v = strtoll(args[1], &end, 10);
		if (*end || end == args[1])
			return cfg_set_err(c, "'nbthread' passed a missing or unparsable integer value in '%s'", args[1]);
		if (v < 1)
			return cfg_set_err(c, "'nbthread' value must be between 1 and 64 (was %lld)", v);
		if (v > 64)
			return cfg_set_err(c, "'nbthread' value must be between 1 and 64 (was %lld)", v);
		g->nbthread_req = (int)v;
		g->nbthread = 1;
		if (v > 1)
			cfg_notice(c, "'nbthread %lld': ringproxy runs one worker thread for now "
			           "(accepted; see 'nbthread' in docs/configuration.md).", v);
		return 0;
	}
	if (!strcmp(k, "tune.lua.forced-yield") || !strcmp(k, "tune.lua.maxmem")) {
		char *end;
		v = strtoll(args[1], &end, 10);
		if (*end || end == args[1] || v < 0 || v > INT_MAX) {
			if (!strcmp(k, "tune.lua.maxmem"))
				return cfg_set_err(c, "%s: invalid number %s (error at '%s')", k, args[1],
				                   end == args[1] || !*end ? args[1] : end);
			return cfg_set_err(c, "%s: invalid number", k);
		}
		if (!strcmp(k, "tune.lua.maxmem")) {
			g->lua_maxmem = (uint64_t)v << 20;   /* megabytes, as HAProxy */
			return 0;
		}
	} else if (cfg_int_arg(c, k, args[1], 0, INT_MAX, &v))
		return -1;
	if (!strcmp(k, "maxconn")) {
		if (v < 1)
			return cfg_set_err(c, "'maxconn' expects a positive integer argument.");
		g->maxconn = (int)v;
		g->maxconn_set = 1;
	} else if (!strcmp(k, "uid"))          g->uid = (int)v;
	else if (!strcmp(k, "gid"))            g->gid = (int)v;
	else if (!strcmp(k, "ulimit-n"))       g->ulimit_n = (int)v;
	else if (!strcmp(k, "maxsslconn"))     g->maxsslconn = (int)v;
	else if (!strcmp(k, "maxconnrate") || !strcmp(k, "maxsessrate")) {
		/* one worker thread: a session is its connection once accepted */
		if (!g->maxconnrate || (uint32_t)v < g->maxconnrate)
			g->maxconnrate = (uint32_t)v;
	}
	else if (!strcmp(k, "tune.maxaccept")) g->tune_maxaccept = (uint32_t)v;
	else if (!strcmp(k, "maxpipes"))       g->maxpipes = (uint32_t)v;
	else if (!strcmp(k, "tune.http.maxhdr")) {
		if (v < 1 || v > 32767)
			return cfg_set_err(c, "'%s' expects a numeric value between 1 and 32767", k);
		g->tune_http_maxhdr = (uint32_t)v;
	} else if (!strcmp(k, "tune.ssl.default-dh-param")) g->tune_ssl_default_dh_param = (uint32_t)v;
	else if (!strcmp(k, "tune.lua.forced-yield")) {
		if (v < 1)
			return cfg_set_err(c, "'%s' expects a positive integer argument.", k);
		g->lua_forced_yield = (uint32_t)v;
	} else if (!strcmp(k, "spread-checks")) {
		if (v > 50)
			return cfg_set_err(c, "'spread-checks' needs a positive value in range 0..50.");
		g->spread_checks = (uint32_t)v;
	}
	kw_g_not_applied(c, k);
	return 0;
}

/* Size keywords: tune.bufsize, tune.maxrewrite, tune.recv_enough. */
static int kw_g_size(struct cfg_ctx *c, char **args, int nargs)
{
	struct global *g = &c->cfg->g;
	const char *k = args[0];
	uint64_t v;

	if (nargs < 2 || cfg_parse_size(args[1], &v) < 0)
		return cfg_set_err(c, "'%s' expects a positive integer argument.", k);
	if (cfg_no_extra(c, args, nargs, 2))
		return -1;
	if (!strcmp(k, "tune.bufsize")) {
		if (v < 1024 || v > (1U << 30))
			return cfg_set_err(c, "'%s' expects a positive integer argument between 1024 and 1073741824.", k);
		g->bufsize = (uint32_t)v;
	} else if (!strcmp(k, "tune.maxrewrite")) {
		if (v > (1U << 30))
			return cfg_set_err(c, "'%s' expects a positive integer argument.", k);
		g->maxrewrite = (uint32_t)v;
	} else if (!strcmp(k, "tune.recv_enough")) {
		g->tune_recv_enough = (uint32_t)v;
	} else if (!strcmp(k, "tune.pipesize")) {
		g->pipesize = v > (1U << 30) ? 1U << 30 : (uint32_t)v;
	}
	return 0;
}

static int kw_g_time(struct cfg_ctx *c, char **args, int nargs)
{
	struct global *g = &c->cfg->g;
	const char *k = args[0];
	uint32_t *dst;

	if (!strcmp(k, "hard-stop-after"))                dst = &g->hard_stop_after;
	else if (!strcmp(k, "tune.lua.session-timeout"))  dst = &g->lua_session_timeout;
	else if (!strcmp(k, "tune.lua.task-timeout"))     dst = &g->lua_task_timeout;
	else if (!strcmp(k, "tune.lua.service-timeout"))  dst = &g->lua_service_timeout;
	else                                              return cfg_set_err(c, "internal error: '%s'", k);
	if (nargs < 2)
		return cfg_set_err(c, "'%s' expects <time> as argument.", k);
	if (cfg_no_extra(c, args, nargs, 2))
		return -1;
	if (strncmp(k, "tune.lua.", 9) == 0 && cfg_parse_time(args[1], dst) < 0)
		return cfg_set_err(c, "%s: invalid timeout", k);
	if (cfg_time_arg(c, k, args[1], dst))
		return -1;
	kw_g_not_applied(c, k);
	return 0;
}

/* "tune.ring.min-wait <time>": ringproxy's own (ring.h, ring_wait_batch()). */
static int kw_g_ring_min_wait(struct cfg_ctx *c, char **args, int nargs)
{
	if (nargs < 2)
		return cfg_set_err(c, "'%s' expects <time> as argument.", args[0]);
	if (cfg_no_extra(c, args, nargs, 2))
		return -1;
	return cfg_time_arg_us(c, args[0], args[1], &c->cfg->g.ring_min_wait_us);
}

/* Appends a copy of <s> to the NULL-terminated array <*arr> of <*n> entries. */
static int cfg_strv_push(struct cfg_ctx *c, char ***arr, int *n, const char *s)
{
	char **a = realloc(*arr, (size_t)(*n + 2) * sizeof(*a));

	if (!a)
		return cfg_set_err(c, "out of memory.");
	*arr = a;
	if (!(a[*n] = cfg_strdup(c, s)))
		return -1;
	a[++*n] = NULL;
	return 0;
}

/* "lua-load <file>", and "lua-load-per-thread <file>", the same with one
 * worker thread (HAProxy says so of a process without threads). */
static int kw_g_lua_load(struct cfg_ctx *c, char **args, int nargs)
{
	struct global *g = &c->cfg->g;

	if (nargs < 2 || !*args[1])
		return cfg_set_err(c, "'%s' expects a file name as parameter.", args[0]);
	if (cfg_no_extra(c, args, nargs, 2))
		return -1;
	if (cfg_strv_push(c, &g->lua_load, &g->nb_lua_load, args[1]))
		return -1;
	/* run the file now, as HAProxy does: the lua.* fetches, converters and
	 * actions it registers must exist when the proxies below are parsed */
	if (lua_hooks.load_file &&
	    lua_hooks.load_file(c->cfg, args[1], c->err, sizeof(c->err)) < 0)
		return -1;
	return 0;
}

/* "lua-prepend-path <path> [path|cpath]": stored as "path:<p>" or "cpath:<p>". */
static int kw_g_lua_prepend(struct cfg_ctx *c, char **args, int nargs)
{
	struct global *g = &c->cfg->g;
	const char *type = nargs > 2 ? args[2] : "path";
	char buf[PATH_MAX + 8];

	if (nargs < 2 || !*args[1])
		return cfg_set_err(c, "'lua-prepend-path' expects a path as parameter.");
	if (strcmp(type, "path") && strcmp(type, "cpath"))
		return cfg_set_err(c, "'lua-prepend-path' expects 'path' or 'cpath' as second parameter (got '%s').", type);
	if (cfg_no_extra(c, args, nargs, 3))
		return -1;
	snprintf(buf, sizeof(buf), "%s:%s", type, args[1]);
	if (cfg_strv_push(c, &g->lua_prepend_path, &g->nb_lua_prepend, buf))
		return -1;
	/* applies to the lua-load lines that follow */
	if (lua_hooks.prepend_path &&
	    lua_hooks.prepend_path(c->cfg, args[1], !strcmp(type, "cpath")) < 0)
		return cfg_set_err(c, "'lua-prepend-path' : cannot set the Lua path to '%s'.", args[1]);
	return 0;
}

static int kw_g_h1_case(struct cfg_ctx *c, char **args, int nargs)
{
	struct global *g = &c->cfg->g;

	if (nargs != 3)
		return cfg_set_err(c, "'%s' expects exactly 2 arguments <from> and <to>.", args[0]);
	if (strcasecmp(args[1], args[2]))
		return cfg_set_err(c, "'%s': header '%s' and '%s' differ by more than case.", args[0], args[1], args[2]);
	if (cfg_strv_push(c, &g->h1_case_adjust, &g->nb_h1_case_adjust, args[1]))
		return -1;
	return cfg_strv_push(c, &g->h1_case_adjust, &g->nb_h1_case_adjust, args[2]);
}

/* "stats socket <addr> [level L] [mode M] [user U] [group G] [expose-fd listeners]",
 * "stats timeout <t>", "stats maxconn <n>". */
static int kw_g_stats(struct cfg_ctx *c, char **args, int nargs)
{
	struct global *g = &c->cfg->g;
	struct stats_socket *ss, **pp;
	char aerr[256];

	if (nargs >= 2 && !strcmp(args[1], "timeout")) {
		if (nargs < 3)
			return cfg_set_err(c, "'stats timeout' expects a positive value.");
		if (cfg_no_extra(c, args, nargs, 3))
			return -1;
		if (cfg_time_arg(c, "stats timeout", args[2], &g->stats_timeout)) {
			const char *bad = args[2];
			while (*bad >= '0' && *bad <= '9')
				bad++;
			return cfg_set_err(c, "'stats timeout' : unexpected character '%c'", *bad ? *bad : ' ');
		}
		if (!g->stats_timeout)
			return cfg_set_err(c, "'stats timeout' expects a positive value.");
		return 0;
	}
	if (nargs >= 2 && !strcmp(args[1], "maxconn")) {
		long long v;
		return cfg_int_arg(c, "stats maxconn", nargs > 2 ? args[2] : NULL, 1, INT_MAX, &v);
	}
	if (nargs < 2 || strcmp(args[1], "socket"))
		return cfg_set_err(c, "'stats' only supports 'socket', 'maxconn', 'bind-process' and 'timeout' (got '%s').",
		                   nargs > 1 ? args[1] : "");
	if (nargs < 3)
		return cfg_set_err(c, "'stats socket' in global section expects an address or a path to a UNIX socket");
	if (!(ss = calloc(1, sizeof(*ss))))
		return cfg_set_err(c, "out of memory.");
	ss->fd = -1;
	ss->level = 1;   /* "operator", HAProxy's default */
	ss->file = c->file;
	ss->line = c->line;
	if (!strncmp(args[2], "fd@", 3)) {
		char *end;
		long fd = strtol(args[2] + 3, &end, 10);
		if (*end || end == args[2] + 3 || fd < 0) {
			cfg_set_err(c, "'stats socket' : invalid file descriptor '%s'.", args[2]);
			goto fail;
		}
		ss->fd = (int)fd;
	} else if (cfg_parse_addr(args[2], &ss->addr, 1, aerr, sizeof(aerr)) < 0) {
		cfg_set_err(c, "'stats socket' : %s", aerr);
		goto fail;
	}
	for (int i = 3; i < nargs; i++) {
		const char *k = args[i], *v = i + 1 < nargs ? args[i + 1] : NULL;
		if (!strcmp(k, "expose-fd")) {
			if (!v || strcmp(v, "listeners")) {
				cfg_set_err(c, "'stats socket' : 'expose-fd' only supports 'listeners'.");
				goto fail;
			}
			ss->expose_fd = 1;
			i++;
			continue;
		}
		if (cfg_bind_kw_noeffect(k) == 2) {
			cfg_notice(c, "'stats socket' : '%s' has no effect in ringproxy (ignored).", k);
			continue;
		}
		if (!v) {
			cfg_set_err(c, "'stats socket' : '%s' : missing value.", k);
			goto fail;
		}
		i++;
		if (!strcmp(k, "level")) {
			if (!strcmp(v, "user"))          ss->level = 0;
			else if (!strcmp(v, "operator")) ss->level = 1;
			else if (!strcmp(v, "admin"))    ss->level = 2;
			else {
				cfg_set_err(c, "'stats socket' : ''level' only supports 'user', 'operator', and 'admin' (got '%s')'", v);
				goto fail;
			}
		} else if (!strcmp(k, "mode")) {
			char *end;
			unsigned long m = strtoul(v, &end, 8);
			if (*end || m > 07777) {
				cfg_set_err(c, "'stats socket' : 'mode' : invalid mode '%s' (octal expected).", v);
				goto fail;
			}
			ss->mode = (uint32_t)m;
		} else if (!strcmp(k, "user") || !strcmp(k, "uid")) {
			free(ss->user);
			if (!(ss->user = cfg_strdup(c, v)))
				goto fail;
		} else if (!strcmp(k, "group") || !strcmp(k, "gid")) {
			free(ss->group);
			if (!(ss->group = cfg_strdup(c, v)))
				goto fail;
		} else if (cfg_bind_kw_noeffect(k) == 1) {
			cfg_notice(c, "'stats socket' : '%s' has no effect in ringproxy (ignored).", k);
		} else {
			cfg_set_err(c, "'stats socket' : unknown keyword '%s'. Registered keywords : level, mode, user, uid, group, gid, expose-fd.", k);
			goto fail;
		}
	}
	for (pp = &g->stats; *pp; pp = &(*pp)->next)
		;
	*pp = ss;
	return 0;
fail:
	free(ss->user);
	free(ss->group);
	free(ss);
	return -1;
}

static int kw_g_env(struct cfg_ctx *c, char **args, int nargs)
{
	const char *k = args[0];

	if (!strcmp(k, "setenv") || !strcmp(k, "presetenv")) {
		if (nargs < 3) {
			c->err_tight = 1;
			return cfg_set_err(c, "'%s' expects a name and a value.", k);
		}
		if (cfg_no_extra(c, args, nargs, 3))
			return -1;
		if (setenv(args[1], args[2], !strcmp(k, "setenv")) < 0)
			return cfg_set_err(c, "'%s': cannot set variable '%s': %s.", k, args[1], strerror(errno));
		return 0;
	}
	if (!strcmp(k, "unsetenv")) {
		if (nargs < 2) {
			c->err_tight = 1;
			return cfg_set_err(c, "'%s' expects at least one variable name.", k);
		}
		for (int i = 1; i < nargs; i++)
			unsetenv(args[i]);
		return 0;
	}
	/* resetenv [name...]: keep only the names given */
	{
		char **keep = NULL;
		int nkeep = 0, ret = 0;
		for (int i = 1; i < nargs; i++) {
			const char *v = getenv(args[i]);
			char *kv;
			if (!v)
				continue;
			if (asprintf(&kv, "%s=%s", args[i], v) < 0) {
				ret = cfg_set_err(c, "out of memory.");
				break;
			}
			if (cfg_strv_push(c, &keep, &nkeep, kv)) {
				free(kv);
				ret = -1;
				break;
			}
			free(kv);
		}
		if (!ret) {
			clearenv();
			for (int i = 0; i < nkeep; i++) {
				char *eq = strchr(keep[i], '=');
				*eq = 0;
				setenv(keep[i], eq + 1, 1);
			}
		}
		for (int i = 0; i < nkeep; i++)
			free(keep[i]);
		free(keep);
		return ret;
	}
}

/* "no <kw>" in global: the few negations HAProxy has there. */
static int kw_g_no(struct cfg_ctx *c, char **args, int nargs)
{
	const char *k = nargs > 1 ? args[1] : "";

	if (!strcmp(k, "log")) {
		if (cfg_no_extra(c, args, nargs, 2))
			return -1;
		log_targets_free(c->cfg->g.logs);
		c->cfg->g.logs = NULL;
		return 0;
	}
	if (!strcmp(k, "insecure-fork-wanted")) {
		c->cfg->g.insecure_fork_wanted = 0;
		return 0;
	}
	if (!strcmp(k, "busy-polling") || !strcmp(k, "set-dumpable") || !strcmp(k, "strict-limits") ||
	    !strcmp(k, "numa-cpu-mapping"))
		return 0;     /* their positive form has no effect here either */
	c->err_tight = 1;
	return cfg_set_err(c, "negation/default currently supported only for options, log, busy-polling, set-dumpable, strict-limits, insecure-fork-wanted and numa-cpu-mapping.");
}

/* Keywords HAProxy accepts that have no effect here: a notice, once per line. */
static int kw_g_noeffect(struct cfg_ctx *c, char **args, int nargs)
{
	cfg_notice(c, "'%s' has no effect in ringproxy (ignored).", args[0]);
	return 0;
}

static int kw_g_removed(struct cfg_ctx *c, char **args, int nargs)
{
	if (!strcmp(args[0], "nbproc"))
		return cfg_set_err(c, "nbproc is not supported any more since HAProxy 2.5. Threads will automatically be used on multi-processor machines if available.");
	return cfg_set_err(c, "'%s' is not supported by ringproxy yet.", args[0]);
}

/* set-var proc.<name> <expr> and set-var-fmt proc.<name> "<format>":
 * evaluated once, now, with no stream (vars_set_proc_now()): only internal
 * fetches (int, str, var(proc.x)...) are allowed, as in HAProxy. Extra
 * words after the expression are ignored, as HAProxy 2.6 does. */
static int g_set_var(struct cfg_ctx *c, char **args, int nargs, int fmt)
{
	struct var_ref ref;
	char err[256];
	int idx = 2, ret = 0;

	if (nargs < 3)
		return cfg_set_err(c, "'%s' requires a process-wide variable name ('proc.<name>') and %s.",
		                   args[0], fmt ? "a format string" : "a sample expression");
	if (vars_parse_ref(args[1], strlen(args[1]), &ref, err, sizeof(err)) < 0)
		return cfg_set_err(c, "'%s' : %s", args[0], err);
	if (ref.scope != VAR_SCOPE_PROC)
		ret = cfg_set_err(c, "'%s': cannot set variable '%s', only scope 'proc' is permitted in the global section.",
		                  args[0], args[1]);
	else if ((ret = vars_set_proc_now(&ref, fmt ? args[2] : NULL, args, nargs, &idx, err, sizeof(err))) == -2)
		ret = cfg_set_err(c, "fetch method '%s(%s)' extracts information from '%s', none of which is available here",
		                  args[0], args[1], err);
	else if (ret < 0)
		ret = cfg_set_err(c, "'%s' : %s", args[0], err);
	vars_ref_free(&ref);
	return ret;
}

static int kw_g_set_var(struct cfg_ctx *c, char **args, int nargs)
{
	return g_set_var(c, args, nargs, 0);
}

static int kw_g_set_var_fmt(struct cfg_ctx *c, char **args, int nargs)
{
	return g_set_var(c, args, nargs, 1);
}

/* Parses a process or thread set: "all", "odd", "even", "<n>" or "<n>-<m>"
 * with numbers in 1..64. Returns 0 with *<has1> = 1 if 1 is a member and
 * *<size> the number of members, or -1 if malformed. */
static int cpu_map_set_parse(const char *s, int *has1, int *size)
{
	char *end;
	long a, b;

	if (!strcmp(s, "all"))  { *has1 = 1; *size = 64; return 0; }
	if (!strcmp(s, "odd"))  { *has1 = 1; *size = 32; return 0; }
	if (!strcmp(s, "even")) { *has1 = 0; *size = 32; return 0; }
	a = strtol(s, &end, 10);
	if (end == s || a < 1 || a > 64)
		return -1;
	b = a;
	if (*end == '-') {
		const char *t = end + 1;
		b = strtol(t, &end, 10);
		if (end == t || b < 1 || b > 64)
			return -1;
	}
	if (*end)
		return -1;
	if (b < a) {
		long x = a; a = b; b = x;
	}
	*has1 = a == 1;
	*size = (int)(b - a + 1);
	return 0;
}

/* Adds the CPUs of one "cpu-map" CPU word ("3", "0-3", "4-", "0,2,5-7") to
 * <mask> (bits 0..1023) and counts them in *<n>. Returns 0 or -1. */
static int cpu_map_cpus_parse(const char *s, uint64_t *mask, int *n)
{
	while (*s) {
		char *end;
		long a = strtol(s, &end, 10), b;

		if (end == s || a < 0 || a > 1023)
			return -1;
		b = a;
		if (*end == '-') {
			const char *t = end + 1;
			if (!*t || *t == ',') {
				b = 1023;       /* "4-": up to the last CPU, as HAProxy */
				end = (char *)t;
			} else {
				b = strtol(t, &end, 10);
				if (end == t || b < 0 || b > 1023)
					return -1;
			}
		}
		if (b < a) {
			long x = a; a = b; b = x;
		}
		for (long i = a; i <= b; i++) {
			if (!(mask[i / 64] & (1ULL << (i % 64))))
				(*n)++;
			mask[i / 64] |= 1ULL << (i % 64);
		}
		if (*end == ',')
			end++;
		else if (*end)
			return -1;
		s = end;
	}
	return 0;
}

/* "cpu-map [auto:]<process-set>[/<thread-set>] <cpu-set>...": HAProxy's
 * syntax. ringproxy runs one process with one thread, so only the CPUs a
 * line gives to process 1 / thread 1 are kept (with "auto:", the first CPU
 * of the set, as thread 1 is the first of any range holding it). */
static int kw_g_cpu_map(struct cfg_ctx *c, char **args, int nargs)
{
	struct global *g = &c->cfg->g;
	uint64_t mask[16] = { 0 };
	char set[64], *slash;
	const char *spec;
	int autoinc = 0, has1 = 0, size = 0, thr_has1 = 1, thr_size = 1, ncpu = 0;

	if (nargs < 3)
		return cfg_set_err(c, "cpu-map expects a process number  ('all', 'odd', 'even', a number from 1 to 64 or a range),  followed by a list of CPU ranges with numbers from 0 to 63.");
	spec = args[1];
	if (!strncmp(spec, "auto:", 5)) {
		autoinc = 1;
		spec += 5;
	}
	snprintf(set, sizeof(set), "%s", spec);
	if ((slash = strchr(set, '/')))
		*slash++ = 0;
	if (cpu_map_set_parse(set, &has1, &size) < 0)
		return cfg_set_err(c, "cpu-map : '%s' is not a valid number/range. It supports numbers from 1 to 64.", set);
	if (slash && cpu_map_set_parse(slash, &thr_has1, &thr_size) < 0)
		return cfg_set_err(c, "cpu-map : '%s' is not a valid number/range. It supports numbers from 1 to 64.", slash);
	for (int i = 2; i < nargs; i++)
		if (cpu_map_cpus_parse(args[i], mask, &ncpu) < 0)
			return cfg_set_err(c, "cpu-map : '%s' is not a CPU range.", args[i]);
	if (autoinc && ncpu > 1 && ncpu != (slash ? thr_size : size))
		return cfg_set_err(c, "cpu-map : PROC/THREAD range and CPU sets must have the same size to be automatically bound");
	if (!has1 || !thr_has1)
		return 0;          /* another process or thread: none here */
	if (autoinc) {
		/* thread 1 takes the lowest CPU of the set */
		for (int i = 0; i < 1024; i++)
			if (mask[i / 64] & (1ULL << (i % 64))) {
				memset(mask, 0, sizeof(mask));
				mask[i / 64] = 1ULL << (i % 64);
				break;
			}
	}
	memcpy(g->cpu_map, mask, sizeof(mask));
	g->cpu_map_set = 1;
	return 0;
}

static int kw_g_ssl_options(struct cfg_ctx *c, char **args, int nargs)
{
	struct global *g = &c->cfg->g;
	char **dst = strstr(args[0], "-server-") ? &g->ssl_server_options : &g->ssl_bind_options;
	size_t len = 1;

	if (nargs < 2)
		return cfg_set_err(c, "'%s' expects at least one option.", args[0]);
	for (int i = 1; i < nargs; i++)
		len += strlen(args[i]) + 1;
	free(*dst);
	if (!(*dst = calloc(1, len)))
		return cfg_set_err(c, "out of memory.");
	for (int i = 1; i < nargs; i++) {
		if (i > 1)
			strcat(*dst, " ");
		strcat(*dst, args[i]);
	}
	return 0;
}

static const struct cfg_kw {
	const char *name;
	cfg_kw_fn fn;
} cfg_global_kws[] = {
	{ "daemon",                          kw_g_flag },
	{ "quiet",                           kw_g_flag },
	{ "debug",                           kw_g_flag },
	{ "master-worker",                   kw_g_flag },
	{ "insecure-fork-wanted",            kw_g_flag },
	{ "expose-experimental-directives",  kw_g_flag },
	{ "h1-case-adjust-bogus-client",     kw_g_flag },
	{ "h1-case-adjust-bogus-server",     kw_g_flag },
	{ "pidfile",                         kw_g_string },
	{ "log-tag",                         kw_g_string },
	{ "chroot",                          kw_g_string },
	{ "user",                            kw_g_string },
	{ "group",                           kw_g_string },
	{ "ca-base",                         kw_g_string },
	{ "crt-base",                        kw_g_string },
	{ "ssl-default-bind-ciphers",        kw_g_string },
	{ "ssl-default-bind-ciphersuites",   kw_g_string },
	{ "ssl-default-server-ciphers",      kw_g_string },
	{ "ssl-default-server-ciphersuites", kw_g_string },
	{ "ssl-dh-param-file",               kw_g_string },
	{ "ssl-default-bind-options",        kw_g_ssl_options },
	{ "ssl-default-server-options",      kw_g_ssl_options },
	{ "node",                            kw_g_joined },
	{ "description",                     kw_g_joined },
	{ "nbthread",                        kw_g_int },
	{ "maxconn",                         kw_g_int },
	{ "uid",                             kw_g_int },
	{ "gid",                             kw_g_int },
	{ "ulimit-n",                        kw_g_int },
	{ "maxsslconn",                      kw_g_int },
	{ "spread-checks",                   kw_g_int },
	{ "tune.maxaccept",                  kw_g_int },
	{ "tune.http.maxhdr",                kw_g_int },
	{ "tune.ssl.default-dh-param",       kw_g_int },
	{ "tune.lua.forced-yield",           kw_g_int },
	{ "tune.bufsize",                    kw_g_size },
	{ "tune.maxrewrite",                 kw_g_size },
	{ "tune.recv_enough",                kw_g_size },
	{ "tune.lua.maxmem",                 kw_g_int },
	{ "hard-stop-after",                 kw_g_time },
	{ "tune.lua.session-timeout",        kw_g_time },
	{ "tune.lua.task-timeout",           kw_g_time },
	{ "tune.lua.service-timeout",        kw_g_time },
	{ "lua-load",                        kw_g_lua_load },
	{ "lua-prepend-path",                kw_g_lua_prepend },
	{ "h1-case-adjust",                  kw_g_h1_case },
	{ "stats",                           kw_g_stats },
	{ "setenv",                          kw_g_env },
	{ "presetenv",                       kw_g_env },
	{ "unsetenv",                        kw_g_env },
	{ "resetenv",                        kw_g_env },
	{ "log",                             log_cfg_kw },
	{ "no",                              kw_g_no },
	{ "log-send-hostname",               log_cfg_send_hostname },
	{ "nosplice",                        kw_g_flag },
	{ "noepoll",                         kw_g_noeffect },
	{ "nopoll",                          kw_g_noeffect },
	{ "noreuseport",                     kw_g_noeffect },
	{ "busy-polling",                    kw_g_noeffect },
	{ "set-dumpable",                    kw_g_noeffect },
	{ "strict-limits",                   kw_g_noeffect },
	{ "cpu-map",                         kw_g_cpu_map },
	{ "tune.ssl.cachesize",              kw_g_noeffect },
	{ "tune.ssl.lifetime",               kw_g_noeffect },
	{ "tune.ssl.maxrecord",              kw_g_noeffect },
	{ "tune.ssl.capture-buffer-size",    kw_g_noeffect },
	{ "tune.ssl.capture-cipherlist-size", kw_g_noeffect },
	{ "tune.rcvbuf.client",              kw_g_noeffect },
	{ "tune.rcvbuf.server",              kw_g_noeffect },
	{ "tune.sndbuf.client",              kw_g_noeffect },
	{ "tune.sndbuf.server",              kw_g_noeffect },
	{ "tune.idletimer",                  kw_g_noeffect },
	{ "tune.pipesize",                   kw_g_size },
	{ "tune.ring.min-wait",              kw_g_ring_min_wait },
	{ "tune.runqueue-depth",             kw_g_noeffect },
	{ "tune.h2.initial-window-size",     kw_g_noeffect },
	{ "tune.h2.max-concurrent-streams",  kw_g_noeffect },
	{ "grace",                           kw_g_noeffect },
	{ "max-spread-checks",               kw_g_noeffect },
	{ "mworker-max-reloads",             kw_g_noeffect },
	{ "fd-hard-limit",                   kw_g_noeffect },
	{ "tune.vars.global-max-size",       kw_g_noeffect },
	{ "tune.vars.proc-max-size",         kw_g_noeffect },
	{ "tune.vars.reqres-max-size",       kw_g_noeffect },
	{ "tune.vars.sess-max-size",         kw_g_noeffect },
	{ "tune.vars.txn-max-size",          kw_g_noeffect },
	{ "tune.http.cookielen",             kw_g_noeffect },
	{ "tune.http.logurilen",             kw_g_noeffect },
	{ "tune.pattern.cache-size",         kw_g_noeffect },
	{ "tune.buffers.limit",              kw_g_noeffect },
	{ "tune.buffers.reserve",            kw_g_noeffect },
	{ "tune.sched.low-latency",          kw_g_noeffect },
	{ "tune.maxpollevents",              kw_g_noeffect },
	{ "tune.fd.edge-triggered",          kw_g_noeffect },
	{ "tune.idle-pool.shared",           kw_g_noeffect },
	{ "tune.pool-high-fd-ratio",         kw_g_noeffect },
	{ "tune.pool-low-fd-ratio",          kw_g_noeffect },
	{ "tune.comp.maxlevel",              kw_g_noeffect },
	{ "tune.zlib.memlevel",              kw_g_noeffect },
	{ "tune.zlib.windowsize",            kw_g_noeffect },
	{ "no-memory-trimming",              kw_g_noeffect },
	{ "nogetaddrinfo",                   kw_g_noeffect },
	{ "nokqueue",                        kw_g_noeffect },
	{ "noevports",                       kw_g_noeffect },
	{ "profiling.tasks",                 kw_g_noeffect },
	{ "insecure-setuid-wanted",          kw_g_noeffect },
	{ "numa-cpu-mapping",                kw_g_noeffect },
	{ "ssl-default-bind-curves",         kw_g_noeffect },
	{ "ssl-default-server-curves",       kw_g_noeffect },
	{ "ssl-skip-self-issued-ca",         kw_g_noeffect },
	{ "issuers-chain-path",              kw_g_noeffect },
	{ "httpclient.resolvers.id",         kw_g_noeffect },
	{ "httpclient.resolvers.prefer",     kw_g_noeffect },
	{ "httpclient.ssl.ca-file",          kw_g_noeffect },
	{ "httpclient.ssl.verify",           kw_g_noeffect },
	{ "cluster-secret",                  kw_g_noeffect },
	{ "h1-accept-payload-with-any-method", kw_g_noeffect },
	{ "h2-workaround-bogus-websocket-clients", kw_g_noeffect },
	{ "tune.h2.header-table-size",       kw_g_noeffect },
	{ "tune.ssl.hard-maxrecord",         kw_g_noeffect },
	{ "tune.ssl.keylog",                 kw_g_noeffect },
	{ "tune.ssl.ssl-ctx-cache-size",     kw_g_noeffect },
	{ "tune.fail-alloc",                 kw_g_noeffect },
	{ "tune.peers.max-updates-at-once",  kw_g_noeffect },
	{ "pp2-never-send-local",            kw_g_noeffect },
	{ "zero-warning",                    kw_g_noeffect },
	{ "maxconnrate",                     kw_g_int },
	{ "maxsessrate",                     kw_g_int },
	{ "maxsslrate",                      kw_g_removed },
	{ "maxcomprate",                     kw_g_removed },
	{ "maxpipes",                        kw_g_int },
	{ "maxzlibmem",                      kw_g_removed },
	{ "maxcompcpuusage",                 kw_g_removed },
	{ "set-var",                         kw_g_set_var },
	{ "set-var-fmt",                     kw_g_set_var_fmt },
	{ "default-path",                    kw_g_removed },
	{ "h1-case-adjust-file",             kw_g_removed },
	{ "ssl-provider",                    kw_g_removed },
	{ "ssl-provider-path",               kw_g_removed },
	{ "ssl-propquery",                   kw_g_removed },
	{ "nbproc",                          kw_g_removed },
	{ "server-state-file",               kw_g_noeffect },
	{ "server-state-base",               kw_g_noeffect },
	{ "localpeer",                       kw_g_noeffect },
	{ "lua-load-per-thread",             kw_g_lua_load },
	{ "unix-bind",                       kw_g_removed },
	{ "external-check",                  kw_g_removed },
	{ "ssl-engine",                      kw_g_removed },
	{ "ssl-mode-async",                  kw_g_removed },
	{ "ssl-server-verify",               cfg_tls_global_kw },
	{ "tune.ssl.force-private-cache",    kw_g_removed },
	{ NULL, NULL }
};

int cfg_global_kw(struct cfg_ctx *c, char **args, int nargs)
{
	for (const struct cfg_kw *kw = cfg_global_kws; kw->name; kw++)
		if (!strcmp(kw->name, args[0]))
			return kw->fn(c, args, nargs);
	return cfg_set_err(c, "unknown keyword '%s' in 'global' section", args[0]);
}

void cfg_global_init(struct global *g)
{
	g->nbthread = 1;
	g->maxconn = 4096;
	g->bufsize = 16384;
	g->maxrewrite = 1024;
	g->lua_forced_yield = 10000;
	g->lua_session_timeout = 4000;
	g->lua_task_timeout = 0;
	g->lua_service_timeout = 4000;
	g->stats_timeout = 10000;
	g->uid = g->gid = -1;
	g->tune_http_maxhdr = 101;
	g->ring_min_wait_us = 50;
}

void cfg_global_free(struct global *g)
{
	for (struct stats_socket *ss = g->stats, *sn; ss; ss = sn) {
		sn = ss->next;
		free(ss->user);
		free(ss->group);
		free(ss);
	}
	log_targets_free(g->logs);
	for (int i = 0; i < g->nb_lua_load; i++)
		free(g->lua_load[i]);
	free(g->lua_load);
	for (int i = 0; i < g->nb_lua_prepend; i++)
		free(g->lua_prepend_path[i]);
	free(g->lua_prepend_path);
	for (int i = 0; i < g->nb_h1_case_adjust; i++)
		free(g->h1_case_adjust[i]);
	free(g->h1_case_adjust);
	free(g->pidfile);
	free(g->log_tag);
	free(g->node);
	free(g->desc);
	free(g->chroot);
	free(g->user);
	free(g->group);
	free(g->ca_base);
	free(g->crt_base);
	free(g->ssl_bind_ciphers);
	free(g->ssl_bind_ciphersuites);
	free(g->ssl_bind_options);
	free(g->ssl_server_ciphers);
	free(g->ssl_server_ciphersuites);
	free(g->ssl_server_options);
	free(g->ssl_dh_param_file);
}
