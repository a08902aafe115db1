/* main.c: the command line (HAProxy's flags), the start-up order and the
 * process's life: signals, limits, pidfile, daemon, chroot and identity,
 * -sf/-st. Start-up order: Lua hooks, configuration, Lua bodies and
 * inits, logs, RLIMIT_NOFILE, listeners (so bind errors show on the
 * terminal), daemon, the thread and its ring (created in the process that
 * runs it: io_uring SINGLE_ISSUER), cpu-map, pidfile, old processes,
 * checks, management sockets, chroot, setgid/setuid, Lua tasks, the loop. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <grp.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/utsname.h>

#include "engine/cfg.h"
#include "engine/cfg_cond.h"
#include "engine/check.h"
#include "engine/dns.h"
#include "engine/cli.h"
#include "engine/hooks.h"
#include "engine/listener.h"
#include "engine/log.h"
#include "engine/proxy.h"
#include "engine/ring.h"
#include "engine/thread.h"
#include "engine/program.h"
#include "proto/tls.h"
#include "regex/rx.h"

#define RP_VERSION      "0.1.0"
#define RP_VERSION_DATE "2026/11/26"
#if defined(__clang__)
#define RP_CC_VERSION "clang " __clang_version__
#elif defined(__GNUC__)
#define RP_CC_VERSION "gcc " __VERSION__
#else
#define RP_CC_VERSION "cc"
#endif

/* What the command line asked for. */
struct opts {
	char **files;
	int nb_files;
	int check;              /* -c */
	int debug;              /* -d: foreground, debug output */
	int foreground;         /* -db (and -d) */
	int daemon;             /* -D */
	int quiet;              /* -q */
	int verbose;            /* -V: cancels -q and "quiet" */
	int master_worker;      /* -W / -Ws: accepted; the process is its own worker */
	const char *pidfile;    /* -p */
	pid_t *old_pids;        /* -sf / -st */
	int nb_old_pids;
	int old_sig;            /* SIGUSR1 (-sf) or SIGTERM (-st) */
	const char *chdir;      /* -C */
	const char *master_cli; /* -S <addr>[,<option>...] */
};

static struct thr *main_thr;
static volatile sig_atomic_t main_sigint, main_soft_stop;

/* -cc <expr>: evaluates a .if condition, as HAProxy's reg-tests use it in
 * their "feature cmd" lines. Returns the exit status: 0 true, 1 false, 2
 * error (after an alert). <expr> is split into words as a configuration
 * line is (quotes, escapes, environment variables). */
static int check_condition(const char *expr)
{
	static char buf[8192];
	char *words[64], err[512];
	int n;

	err[0] = 0;
	n = cfg_tokenize(expr, buf, sizeof(buf), words, 64, err, sizeof(err));
	if (n < 0) {
		rp_alert("config : Failed to evaluate condition: %s", err);
		return 2;
	}
	n = n ? cfg_cond_eval(words, n, err, sizeof(err)) : -1;
	if (n < 0) {
		rp_alert("config : Failed to evaluate condition: %s", err[0] ? err : "empty condition");
		return 2;
	}
	return n ? 0 : 1;
}

static void usage(const char *prog)
{
	fprintf(stderr,
	        "Usage : %s [-f <cfgfile|cfgdir>]* [ -vdVD ] [ -p <pidfile> ] [ -C <dir> ] [-- <cfgfile>*]\n"
	        "        -v displays version ; -vv shows known build options.\n"
	        "        -d enters debug mode ; -db only disables background mode.\n"
	        "        -V enters verbose mode (disables quiet mode)\n"
	        "        -D goes daemon ; -C changes to <dir> before loading files.\n"
	        "        -W master-worker mode (accepted: one process serves).\n"
	        "        -q quiet mode : don't display messages\n"
	        "        -c check mode : only check config files and exit\n"
	        "        -p writes the pid to this file\n"
	        "        -sf/-st [pid ]* finishes/terminates old pids.\n",
	        prog);
	exit(1);
}

static void print_version(void)
{
	printf("ringproxy version " RP_VERSION " " RP_VERSION_DATE "\n");
}

static void print_build(void)
{
	struct utsname u;

	print_version();
	if (uname(&u) == 0)
		printf("Running on: %s %s %s %s\n", u.sysname, u.release, u.version, u.machine);
	printf("Build options :\n"
	       "  TARGET  = linux-io_uring\n"
	       "  CC      = " RP_CC_VERSION "\n"
#ifdef RP_DEBUG
	       "  DEBUG   = -DRP_DEBUG=1\n"
#endif
	       "\n");
	printf("Feature list : +IO_URING +LUA +WOLFSSL +HYPERSCAN +PCRE2\n\n");
	printf("Default settings :\n  bufsize = 16384, maxrewrite = 1024\n\n");
	printf("Built with Hyperscan/PCRE2 : %s\n", rx_version());
	lua_hooks_install();
	printf("Built with Lua version : %s\n", lua_hooks.version ? lua_hooks.version() : "Lua 5.4");
	printf("Built with SSL library version : %s\n", tls_version());
	printf("\n");
	/* HAProxy lists its pollers here; ringproxy has one: io_uring */
	printf("Event loop : io_uring (one ring per thread, completion based)\n");
	ring_probe_report(stdout);
}

static void on_stop_now(int sig)
{
	if (sig == SIGINT)
		main_sigint = 1;
	if (main_thr)
		thr_request_stop(main_thr);
	else
		_exit(sig == SIGINT ? 0 : 1);
}

static void on_soft_stop(int sig)
{
	main_soft_stop = 1;
	if (main_thr)
		thr_soft_stop(main_thr);
	else
		_exit(0);
}

static int set_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop_now;
	if (sigaction(SIGTERM, &sa, NULL) < 0 || sigaction(SIGINT, &sa, NULL) < 0)
		return -errno;
	sa.sa_handler = on_soft_stop;
	if (sigaction(SIGUSR1, &sa, NULL) < 0)
		return -errno;
	/* HAProxy pauses/resumes its listeners on SIGTTOU/SIGTTIN; here they are
	 * ignored rather than left to stop the process (their default action) */
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGPIPE, &sa, NULL) < 0 || sigaction(SIGHUP, &sa, NULL) < 0 ||
	    sigaction(SIGTTOU, &sa, NULL) < 0 || sigaction(SIGTTIN, &sa, NULL) < 0)
		return -errno;
	return 0;
}

/* Parses "-sf"/"-st" pids following argv[*i]. */
static void parse_old_pids(struct opts *o, int argc, char **argv, int *i, int sig)
{
	o->old_sig = sig;
	while (*i + 1 < argc && argv[*i + 1][0] != '-') {
		char *end;
		long pid = strtol(argv[*i + 1], &end, 10);

		if (*end || pid <= 0) {
			rp_alert("-sf/-st: invalid pid '%s'", argv[*i + 1]);
			exit(1);
		}
		o->old_pids[o->nb_old_pids++] = (pid_t)pid;
		(*i)++;
	}
}

static void parse_args(struct opts *o, int argc, char **argv)
{
	int i;

	o->files = calloc((size_t)argc + 1, sizeof(*o->files));
	o->old_pids = calloc((size_t)argc + 1, sizeof(*o->old_pids));
	if (!o->files || !o->old_pids) {
		rp_alert("out of memory");
		exit(1);
	}
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (a[0] != '-' || !a[1]) {
			o->files[o->nb_files++] = argv[i];
			continue;
		}
		if (!strcmp(a, "--")) {
			while (++i < argc)
				o->files[o->nb_files++] = argv[i];
			break;
		}
		if (!strcmp(a, "-v")) {
			print_version();
			exit(0);
		} else if (!strcmp(a, "-vv")) {
			print_build();
			exit(0);
		} else if (!strcmp(a, "-c"))
			o->check = 1;
		else if (!strcmp(a, "-d")) {
			o->debug = 1;
			o->foreground = 1;
		} else if (!strcmp(a, "-db"))
			o->foreground = 1;
		else if (!strcmp(a, "-D"))
			o->daemon = 1;
		else if (!strcmp(a, "-q"))
			o->quiet = 1;
		else if (!strcmp(a, "-V")) {
			o->quiet = 0;
			o->verbose = 1;
		}
		else if (!strcmp(a, "-W") || !strcmp(a, "-Ws"))
			o->master_worker = 1;
		else if (!strcmp(a, "-sf"))
			parse_old_pids(o, argc, argv, &i, SIGUSR1);
		else if (!strcmp(a, "-st"))
			parse_old_pids(o, argc, argv, &i, SIGTERM);
		else if (!strcmp(a, "-cc")) {
			if (i + 1 >= argc)
				usage(argv[0]);
			exit(check_condition(argv[i + 1]));
		} else if (!strncmp(a, "-d", 2)) {
			/* -de, -dp, -dS, -dG, -dR, -dr, -dV, -dW, -dD, -dM..., -dK...: tuning
			 * and diagnostics of HAProxy's pollers and allocators: no effect here */
		} else if (strchr("fpCnNmLSx", a[1]) && !a[2]) {
			if (i + 1 >= argc)
				usage(argv[0]);
			const char *v = argv[++i];

			switch (a[1]) {
			case 'f': o->files[o->nb_files++] = argv[i]; break;
			case 'p': o->pidfile = v; break;
			case 'C': o->chdir = v; break;
			case 'S': o->master_cli = v; break;
			default: break;    /* -n -N -m -L -x: accepted, no effect */
			}
		} else
			usage(argv[0]);
	}
	if (!o->nb_files)
		usage(argv[0]);
}

/* Writes "<pid>\n" to <path>. Returns 0 or -1 after an alert. */
static int write_pidfile(const char *path, pid_t pid)
{
	char buf[32];
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int n;

	if (fd < 0) {
		rp_alert("[%s.main()] Cannot create pidfile %s", "ringproxy", path);
		return -1;
	}
	n = snprintf(buf, sizeof(buf), "%d\n", (int)pid);
	if (write(fd, buf, (size_t)n) != n) {
		close(fd);
		rp_alert("[%s.main()] Cannot write pidfile %s", "ringproxy", path);
		return -1;
	}
	close(fd);
	return 0;
}

/* Forks: the parent waits until the child reports its start-up through a
 * pipe, then exits with the child's verdict (0 started, 1 failed), so that
 * errors after daemonising (io_uring unusable) still give exit code 1.
 * Returns the write end of the pipe in the child (or -1 on failure). */
static int daemonize(void)
{
	int p[2];
	pid_t pid;
	char c = 1;

	if (pipe(p) < 0) {
		rp_alert("[ringproxy.main()] Cannot create a pipe : %s", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		rp_alert("[ringproxy.main()] Cannot fork : %s", strerror(errno));
		return -1;
	}
	if (pid > 0) {
		close(p[1]);
		if (read(p[0], &c, 1) != 1)
			c = 1;
		_exit(c ? 1 : 0);
	}
	close(p[0]);
	setsid();
	log_after_fork();
	return p[1];
}

/* In the daemon, tells the waiting parent how start-up went and detaches
 * from the terminal. */
static void daemon_ready(int fd, int ok)
{
	char c = ok ? 0 : 1;
	int null;

	if (fd < 0)
		return;
	if (ok && (null = open("/dev/null", O_RDWR)) >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		if (null > 2)
			close(null);
	}
	if (write(fd, &c, 1) < 0) {
		/* the parent is gone: nothing to tell */
	}
	close(fd);
}

/* Binds the calling thread (the worker) to the CPUs "cpu-map" gave thread
 * 1. A set the kernel refuses (CPUs absent or offline) is a warning, as the
 * process can serve anyway. */
static void apply_cpu_map(const struct config *cfg)
{
	cpu_set_t set;

	if (!cfg->g.cpu_map_set)
		return;
	CPU_ZERO(&set);
	for (int i = 0; i < 1024 && i < CPU_SETSIZE; i++)
		if (cfg->g.cpu_map[i / 64] & (1ULL << (i % 64)))
			CPU_SET(i, &set);
	if (sched_setaffinity(0, sizeof(set), &set) < 0)
		rp_warning("[ringproxy.main()] Cannot set the CPU affinity of thread 1 (cpu-map) : %s.",
		           strerror(errno));
}

/* Returns the number of sockets the process needs for <cfg>, HAProxy's
 * "maxsock": two per connection (client and server side), one per
 * listening socket, and a margin for logs, checks and the ring. */
static long main_maxsock(const struct config *cfg)
{
	long n = 2L * cfg->g.maxconn + 16;

	for (const struct proxy *px = cfg->proxies; px; px = px->next)
		if ((px->cap & PX_CAP_FE) && !px->disabled)
			for (const struct bind_conf *b = px->binds; b; b = b->next)
				n++;
	for (const struct stats_socket *ss = cfg->g.stats; ss; ss = ss->next)
		n++;
	return n;
}

/* Sets RLIMIT_NOFILE as HAProxy does: to "ulimit-n" if given, else to what
 * maxconn needs; a limit already higher is kept. When neither "ulimit-n"
 * nor "maxconn" was given and the hard limit is too low, maxconn is
 * lowered to fit (HAProxy derives its default maxconn from the limit).
 * Returns 0, or -1 after an alert (HAProxy's strict-limits, its default). */
static int set_fd_limit(struct config *cfg)
{
	struct rlimit rl, want;
	long maxsock = main_maxsock(cfg);
	long target = cfg->g.ulimit_n > 0 ? cfg->g.ulimit_n : maxsock;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return 0;
	if ((long)rl.rlim_cur < target) {
		want.rlim_cur = (rlim_t)target;
		want.rlim_max = rl.rlim_max > want.rlim_cur ? rl.rlim_max : want.rlim_cur;
		if (setrlimit(RLIMIT_NOFILE, &want) < 0) {
			if (!cfg->g.ulimit_n && !cfg->g.maxconn_set) {
				/* the default maxconn: take what the hard limit allows */
				want.rlim_cur = rl.rlim_max;
				want.rlim_max = rl.rlim_max;
				if (setrlimit(RLIMIT_NOFILE, &want) == 0)
					rl = want;
				maxsock -= 2L * cfg->g.maxconn;
				cfg->g.maxconn = (int)(((long)rl.rlim_cur - maxsock) / 2);
				if (cfg->g.maxconn < 1)
					cfg->g.maxconn = 1;
				return 0;
			}
			rp_alert("[ringproxy.main()] Cannot raise FD limit to %ld, limit is %ld.",
			         target, (long)rl.rlim_cur);
			return -1;
		}
		rl = want;
	}
	if ((long)rl.rlim_cur < maxsock) {
		rp_alert("[ringproxy.main()] FD limit (%ld) too low for maxconn=%d/maxsock=%ld. "
		         "Please raise 'ulimit-n' to %ld or more to avoid any trouble.",
		         (long)rl.rlim_cur, cfg->g.maxconn, maxsock, maxsock);
		return -1;
	}
	return 0;
}

/* Returns 1 if a bind or server line of <cfg> speaks TLS. */
static int uses_tls(const struct config *cfg)
{
	for (const struct proxy *px = cfg->proxies; px; px = px->next) {
		for (const struct bind_conf *b = px->binds; b; b = b->next)
			if (b->ssl)
				return 1;
		for (const struct server *srv = px->srv; srv; srv = srv->next)
			if (srv->ssl)
				return 1;
	}
	return 0;
}

/* "chroot <dir>": after the configuration, the listeners, the management
 * sockets and the pidfile, before serving. Returns 0 or -1 after an alert. */
static int enter_chroot(const struct config *cfg)
{
	if (!cfg->g.chroot)
		return 0;
	if (chroot(cfg->g.chroot) < 0 || chdir("/") < 0) {
		rp_alert("[ringproxy.main()] Cannot chroot(%s).", cfg->g.chroot);
		return -1;
	}
	/* wolfSSL (as packaged) seeds every TLS session from /dev/urandom,
	 * opened by path: HAProxy's OpenSSL does not need it in the jail */
	if (uses_tls(cfg) && access("/dev/urandom", R_OK) < 0)
		rp_warning("[ringproxy.main()] chroot(%s) has no /dev/urandom: TLS handshakes will fail "
		           "(wolfSSL opens it for every session). Create it: mkdir -p %s/dev && "
		           "mknod -m 444 %s/dev/urandom c 1 9.", cfg->g.chroot, cfg->g.chroot, cfg->g.chroot);
	return 0;
}

/* "user"/"uid", "group"/"gid": drops privileges after binding, group
 * first. Supplementary groups are dropped with a gid, as HAProxy does.
 * Returns 0 or -1 after an alert. */
static int set_identity(const struct config *cfg)
{
	if (cfg->g.gid >= 0) {
		if (getgroups(0, NULL) > 0 && setgroups(0, NULL) < 0)
			rp_warning("[ringproxy.main()] Failed to drop supplementary groups. "
			           "Using 'gid'/'group' without 'uid'/'user' is generally useless.");
		if (setgid((gid_t)cfg->g.gid) < 0) {
			rp_alert("[ringproxy.main()] Cannot set gid %d.", cfg->g.gid);
			return -1;
		}
	}
	if (cfg->g.uid >= 0 && setuid((uid_t)cfg->g.uid) < 0) {
		rp_alert("[ringproxy.main()] Cannot set uid %d.", cfg->g.uid);
		return -1;
	}
	return 0;
}

/* Returns 1 if <cfg> has something to listen on: a bind line of an
 * enabled frontend or a stats socket. */
static int has_listener(const struct config *cfg)
{
	if (cfg->g.stats)
		return 1;
	for (const struct proxy *px = cfg->proxies; px; px = px->next)
		if ((px->cap & PX_CAP_FE) && !px->disabled && px->binds)
			return 1;
	return 0;
}

/* -S <addr>[,<option>...]: the master CLI, an admin-level CLI socket where
 * "@1 <command>" (or "@!<pid>") runs a command of the worker, which this
 * process is. The options after the address are accepted. Returns 0, or
 * -1 after an alert. */
static int add_master_cli(struct config *cfg, const char *spec)
{
	struct stats_socket *ss, **pp;
	char addr[256], aerr[256], *end;
	size_t n = strcspn(spec, ",");

	if (n >= sizeof(addr) || !(ss = calloc(1, sizeof(*ss)))) {
		rp_alert("-S : invalid master CLI address '%s'.", spec);
		return -1;
	}
	memcpy(addr, spec, n);
	addr[n] = 0;
	ss->fd = -1;
	ss->level = 2;
	ss->master = 1;
	if (!strncmp(addr, "fd@", 3)) {
		long fd = strtol(addr + 3, &end, 10);

		if (*end || end == addr + 3 || fd < 0)
			goto bad;
		ss->fd = (int)fd;
	} else if (cfg_parse_addr(addr, &ss->addr, 1, aerr, sizeof(aerr)) < 0) {
		rp_alert("-S : %s", aerr);
		free(ss);
		return -1;
	}
	for (pp = &cfg->g.stats; *pp; pp = &(*pp)->next)
		;
	*pp = ss;
	return 0;
bad:
	rp_alert("-S : invalid master CLI address '%s'.", spec);
	free(ss);
	return -1;
}

/* Frees what start-up built, so that leak checkers see a clean exit. */
static void main_cleanup(struct config *cfg, struct opts *o)
{
	free(o->files);
	free(o->old_pids);
	o->files = NULL;
	o->old_pids = NULL;
	log_deinit(cfg);
	check_cfg_free(cfg);
	if (lua_hooks.deinit)
		lua_hooks.deinit();
	cfg_free(cfg);
	tls_pubkeys_free();
}

int main(int argc, char **argv)
{
	static struct config cfg;
	struct opts o;
	char err[1024];
	int rc, nerr, dfd = -1;
	const char *pidfile;

	memset(&o, 0, sizeof(o));
	log_set_starting(1, RP_VERSION);
	parse_args(&o, argc, argv);
	log_set_quiet(o.quiet);
	log_set_debug(o.debug);
	if (o.chdir && chdir(o.chdir) < 0) {
		rp_alert("Cannot chdir to %s : %s", o.chdir, strerror(errno));
		return 1;
	}
	if (set_signals() < 0) {
		rp_alert("cannot install signal handlers : %s", strerror(errno));
		return 1;
	}

	lua_hooks_install();
	nerr = cfg_parse_files(&cfg, o.files);
	if (nerr == 0)
		nerr = check_cfg_validate(&cfg);
	if (nerr == 0 && lua_hooks.load && lua_hooks.load(&cfg) < 0)
		nerr = 1;
	if (nerr == 0 && log_init(&cfg) < 0)
		nerr = 1;
	if (nerr == 0 && o.master_cli && add_master_cli(&cfg, o.master_cli) < 0)
		nerr = 1;
	if (nerr == 0)
		nerr = program_cfg_check(o.master_worker || cfg.g.master_worker);
	if (nerr) {
		rp_alert("config : Fatal errors found in configuration.");
		main_cleanup(&cfg, &o);
		return 1;
	}
	/* "quiet" in the global section is -q */
	cfg.g.quiet = o.quiet || (cfg.g.quiet && !o.verbose);
	log_set_quiet(cfg.g.quiet);
	cfg.g.debug = o.debug;
	cfg.g.daemon = (o.daemon || cfg.g.daemon) && !o.foreground;
	if (o.check) {
		if (!has_listener(&cfg)) {
			if (!cfg.g.quiet)
				printf("Configuration file has no error but will not start (no listener) => exit(2).\n");
			main_cleanup(&cfg, &o);
			return 2;
		}
		if (!cfg.g.quiet) {
			if (log_warning_count())
				printf("Warnings were found.\n");
			printf("Configuration file is valid\n");
		}
		main_cleanup(&cfg, &o);
		return 0;
	}
	if (lua_hooks.run_inits && lua_hooks.run_inits(&cfg) < 0) {
		main_cleanup(&cfg, &o);
		return 1;
	}

	pidfile = o.pidfile ? o.pidfile : cfg.g.pidfile;
	if (!has_listener(&cfg)) {
		rp_alert("[ringproxy.main()] No enabled listener found (check for 'bind' directives) ! Exiting.");
		main_cleanup(&cfg, &o);
		return 1;
	}
	if (set_fd_limit(&cfg) < 0)
		goto fail_listeners;
	if (listeners_bind(&cfg, err, sizeof(err)) < 0) {
		rp_alert("%s", err);
		rp_alert("[ringproxy.main()] Some protocols failed to start their listeners! Exiting.");
		goto fail_listeners;
	}

	if (cfg.g.daemon) {
		if ((dfd = daemonize()) < 0)
			goto fail_listeners;
	}

	main_thr = thr_new(&cfg, 0, &rc, err, sizeof(err));
	if (!main_thr) {
		rp_alert("%s", err);
		goto fail_daemon;
	}
	log_set_actconn(&main_thr->cur_conn);
	apply_cpu_map(&cfg);

	/* as HAProxy: a pidfile in daemon and master-worker modes only */
	if (!(cfg.g.daemon || o.master_worker || cfg.g.master_worker))
		pidfile = NULL;
	if (pidfile && write_pidfile(pidfile, getpid()) < 0)
		goto fail_thr;
	for (int i = 0; i < o.nb_old_pids; i++)
		kill(o.old_pids[i], o.old_sig);

	if ((rc = check_start(&cfg, main_thr)) < 0 && rc != -ENOSYS)
		rp_warning("health checks could not start : %s", strerror(-rc));
	if ((rc = dns_start(main_thr)) < 0)
		rp_warning("name resolution could not start : %s", strerror(-rc));
	if (cli_start(&cfg, main_thr, err, sizeof(err)) < 0) {
		rp_alert("%s", err);
		goto fail_thr;
	}
	if (program_start_all() < 0)
		goto fail_programs;
	/* everything that opens a path or binds is done: confine, then drop */
	if (enter_chroot(&cfg) < 0 || set_identity(&cfg) < 0)
		goto fail_thr;
	if (cfg.g.chroot)
		pidfile = NULL;     /* its path is outside the jail now */
	if (lua_hooks.start_tasks)
		lua_hooks.start_tasks();

	daemon_ready(dfd, 1);
	dfd = -1;
	log_set_starting(0, NULL);

	rc = thr_run(main_thr);
	program_stop_all();
	if (main_soft_stop && !main_sigint)
		log_proxies_stopped(&cfg);
	check_stop();
	/* Lua's collector closes the sockets scripts forgot: while the ring
	 * and the pools of their thread still exist (deinit is idempotent) */
	if (lua_hooks.deinit)
		lua_hooks.deinit();
	thr_free(main_thr);
	main_thr = NULL;
	cli_stop();
	listeners_close(&cfg);
	if (pidfile)
		unlink(pidfile);    /* may fail after a privilege drop: no matter */
	main_cleanup(&cfg, &o);
	if (rc < 0) {
		rp_alert("event loop failed : %s", strerror(-rc));
		return 1;
	}
	/* a master-worker master stopped by SIGINT exits 128 + SIGINT, as HAProxy */
	if (o.master_worker && main_sigint && !o.daemon)
		return 128 + SIGINT;
	return 0;

fail_programs:
	program_stop_all();
fail_thr:
	thr_free(main_thr);
	main_thr = NULL;
	cli_stop();
fail_daemon:
	daemon_ready(dfd, 0);
fail_listeners:
	listeners_close(&cfg);
	main_cleanup(&cfg, &o);
	return 1;
}
