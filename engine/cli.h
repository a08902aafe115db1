/* cli.h: the management socket ("stats socket" in the global section),
 * speaking HAProxy's text protocol so that socat scripts and HAProxy
 * tooling work unchanged: by default the lines received together are run
 * and the connection closes after their answers; "prompt" toggles the
 * interactive mode ("> " after each answer, commands until "quit" or the
 * peer closes). Several commands on one line are separated by ';' ('\'
 * escapes the next character), a line ending with "<<" opens a payload
 * (lines up to an empty one), and each answer ends with an empty line.
 * Sockets are unix (a stale file is replaced atomically, "mode" applied),
 * IPv4/IPv6 TCP, or an inherited fd@N. All I/O goes through the thread's
 * ring; "stats timeout" closes idle clients. A soft stop closes the
 * sockets; a client still connected holds the process, as in HAProxy.
 * Files: cli.c (sockets, protocol, dispatch), cli_cmds.c (the command
 * table, maps/ACLs, servers, sessions), cli_stat.c (show info/stat),
 * cli_ver.c (map/ACL versions).
 *
 * The protocol itself (struct cli_sess) does no I/O, so that tests can
 * feed it bytes and read the answer back:
 *
 *     struct cli_sess *s = cli_sess_new(cfg, CLI_LVL_ADMIN);
 *     rc = cli_sess_feed(s, "show info\n", 10);   // 1: close after output
 *     out = cli_sess_output(s, &len);
 *     cli_sess_free(s);
 */
#ifndef RP_CLI_H
#define RP_CLI_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

struct config;
struct thr;
struct cli_sess;

/* Access levels, as struct stats_socket.level numbers them. */
enum cli_level { CLI_LVL_USER = 0, CLI_LVL_OPER = 1, CLI_LVL_ADMIN = 2 };

/* Binds every "stats socket" of <cfg> (unix sockets: a stale file is
 * replaced, then "mode" is applied; fd@N: adopted). Returns 0, or -errno
 * with HAProxy's message in <err> (the caller prefixes "[ALERT] (pid) : ").
 * Sockets already bound stay bound: call cli_close() on failure. */
int cli_bind(struct config *cfg, char *err, size_t errlen);
/* Arms accepting on the bound sockets from thread <t>. Returns 0 or -errno. */
int cli_attach(struct thr *t);
/* Closes every client and the sockets (a unix socket file is unlinked only
 * if it is still ours: a newer process may have replaced it). Call it after
 * the thread's ring was freed (no completion can arrive any more), or
 * before anything was attached. Safe to call twice. */
void cli_close(void);

/* What main.c calls: cli_bind() then cli_attach(). Returns 0 (also when
 * <cfg> has no stats socket) or -errno with a message in <err>. */
int cli_start(struct config *cfg, struct thr *t, char *err, size_t errlen);
/* Same as cli_close(). */
void cli_stop(void);

/* Returns a new session on <cfg> at <level> (CLI_LVL_*), not interactive,
 * or NULL (ENOMEM). The caller owns it. */
struct cli_sess *cli_sess_new(struct config *cfg, int level);
void cli_sess_free(struct cli_sess *s);
/* Feeds <len> received bytes; the complete lines are run and their answers
 * appended to the output. Returns 0 (wants more input), 1 (the session is
 * over: send the output, then close), or -ENOMEM. A line longer than the
 * input buffer ends the session. Not interactive, the session is over once
 * the lines received end with a complete line and were answered. */
int cli_sess_feed(struct cli_sess *s, const char *buf, size_t len);
/* Returns 1 if <s> is over because a non-interactive batch of lines was
 * answered (then feeding it more input that arrived in the same batch
 * runs it), 0 otherwise. */
int cli_sess_answered(const struct cli_sess *s);
/* Returns the pending output and its length in <*len> (owned by <s>). */
const char *cli_sess_output(const struct cli_sess *s, size_t *len);
/* Drops the first <n> bytes of the pending output (sent). */
void cli_sess_consume(struct cli_sess *s, size_t n);
/* Returns the idle timeout "set timeout cli" gave the session, in ms, or 0
 * when it uses "stats timeout". */
uint32_t cli_sess_timeout(const struct cli_sess *s);

/* Between cli.c (protocol) and the commands (cli_cmds.c, cli_stat.c,
 * cli_ver.c). */

/* A growing answer buffer. After an allocation failure <failed> is set and
 * further writes are dropped. */
struct cli_out {
	char *p;
	size_t len, cap;
	int failed;
};
void cli_out_add(struct cli_out *o, const char *s, size_t n);
void cli_out_str(struct cli_out *o, const char *s);
void cli_out_printf(struct cli_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* What a command sees. <level> may be lowered by "user"/"operator". */
struct cli_ctx {
	struct config *cfg;
	struct cli_out *out;
	int *level;
	int *prompt;
	int *quit;
	const char *payload;        /* lines after a "<<" line, each ending with LF, or NULL */
	uint32_t *timeout_ms;       /* this session's idle timeout, 0: "stats timeout" */
	int *no_eol;                /* set: the answer goes without its closing empty line
	                             * (HAProxy 2.6's add/del server answers) */
	int *experimental;          /* "experimental-mode on" in this session */
};

/* One command: up to 3 leading words, the level it needs, and its usage
 * line for "help" (NULL: not listed). <fn> gets every word of the command
 * (<args>[0] is the first keyword) and writes its answer; the empty line
 * that ends every answer is added by the caller. */
struct cli_kw {
	const char *words[3];
	int level;
	const char *usage;
	void (*fn)(struct cli_ctx *c, char **args, int nargs);
};
/* Or'ed into cli_kw.level: the command runs and is listed only after
 * "experimental-mode on". */
#define CLI_EXPERIMENTAL 0x100
/* Returns the level (CLI_LVL_*) <kw> needs. */
static inline int cli_kw_level(const struct cli_kw *kw) { return kw->level & 0xff; }
/* The table, sorted as "help" lists it, ending with an entry whose
 * words[0] is NULL. */
extern const struct cli_kw cli_kws[];

/* Shared by cli_cmds.c and cli_stat.c. */
#define CLI_VERSION      "0.1.0"
#define CLI_VERSION_DATE "2026/11/26"
struct proxy;
struct server;
struct addr;
/* Seconds since the sockets were bound (0 when they were not). */
uint64_t cli_uptime_sec(void);
/* Writes <sec> as HAProxy's "0d00h00m01s". */
void cli_fmt_uptime(char *buf, size_t len, uint64_t sec);
/* The proxy id HAProxy shows (iid, be_id). */
int cli_px_id(const struct proxy *px);
/* Writes the IP of <a> (no port) into <buf>, "-" for other families. */
void cli_addr_ip(const struct addr *a, char *buf, size_t len);
/* Returns the port of <a>, 0 for other families. */
int cli_addr_port(const struct addr *a);
/* Finds "<backend>/<server>" in <arg> (may be NULL); writes HAProxy's
 * message and returns NULL when it is not there. */
struct server *cli_find_server(struct cli_ctx *c, const char *arg);
/* Puts <s> in <state> (enum srv_state), tells the load balancer and logs
 * entering or leaving maintenance. Leaving maintenance, a checked server
 * that had not reached <rise> successes is DOWN. */
void cli_srv_state(struct server *s, int state);
/* Commands of cli_srv.c. */
void cli_cmd_frontend(struct cli_ctx *c, char **args, int nargs);
void cli_cmd_health(struct cli_ctx *c, char **args, int nargs);
void cli_cmd_agent(struct cli_ctx *c, char **args, int nargs);
void cli_cmd_add_server(struct cli_ctx *c, char **args, int nargs);
void cli_cmd_del_server(struct cli_ctx *c, char **args, int nargs);
/* Frees the servers "del server" removed (cli_close()). */
void cli_srv_free_deleted(void);
/* How HAProxy shows a check result: status name, description and its
 * numbers (enum healthcheck_status, CHK_RES_*). */
struct cli_chk {
	const char *name, *desc;
	int status, result;
};
/* Returns the description of <s>'s last check ("INI" before the first). */
const struct cli_chk *cli_chk_of(const struct server *s);
extern const struct cli_chk cli_chk_ini;
/* Commands of cli_stat.c. */
void cli_cmd_show_info(struct cli_ctx *c, char **args, int nargs);
void cli_cmd_show_stat(struct cli_ctx *c, char **args, int nargs);
void cli_cmd_show_backend(struct cli_ctx *c, char **args, int nargs);
/* Commands of cli_table.c (stick tables). */
void cli_cmd_show_table(struct cli_ctx *c, char **args, int nargs);
void cli_cmd_clear_table(struct cli_ctx *c, char **args, int nargs);
void cli_cmd_set_table(struct cli_ctx *c, char **args, int nargs);
void cli_cmd_clear_counters(struct cli_ctx *c, char **args, int nargs);

/* Map and ACL lists (cli_cmds.c). */
struct pat_list;
/* Returns the list <ref> names ("#<id>" or a file), or NULL after writing
 * HAProxy's "Unknown map|ACL identifier" answer (<maps>: map wording). */
struct pat_list *cli_find_list(struct cli_ctx *c, const char *ref, int maps);
/* Writes the entries of <l> as "show map" does ("0x... key value"). */
void cli_show_list_entries(struct cli_ctx *c, const struct pat_list *l);
/* Versions of lists (cli_ver.c): "prepare", "commit", and the "@<ver>"
 * forms of add/clear/show (args[2] starts with '@'). */
void cli_cmd_prepare(struct cli_ctx *c, char **args, int nargs);
void cli_cmd_commit(struct cli_ctx *c, char **args, int nargs);
void cli_ver_cmd(struct cli_ctx *c, char **args, int nargs);
/* The current and last prepared versions of <l>, and its pending entries. */
void cli_ver_get(const struct pat_list *l, unsigned *curr, unsigned *next, size_t *pending);
/* Frees every pending version (exit, tests). */
void cli_ver_free_all(void);

/* Process-wide facts for "show info" (set by cli_bind / cli_start). */
struct cli_info {
	uint64_t start_ms;          /* CLOCK_MONOTONIC ms at start */
	uint64_t start_sec;         /* wall clock at start */
	uint64_t cum_cli_conns;     /* CLI connections accepted */
	uint32_t cur_cli_conns;
	int nb_sockets;
	int hard_maxconn;           /* global maxconn at start ("set maxconn global" limit) */
};
extern struct cli_info cli_info;

#endif
