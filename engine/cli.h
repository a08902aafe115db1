/* cli.h: the management socket ("stats socket" in the global section),
 * speaking HAProxy's text protocol so that socat scripts and HAProxy
 * tooling work unchanged: one command line per connection by default
 * (the connection closes after the answer), "prompt" for interactive mode,
 * several commands on one line separated by ';', each answer ended by an
 * empty line. Sockets are unix (mode applied, a stale file replaced),
 * IPv4/IPv6 TCP, or an inherited fd@N. All I/O goes through the thread's
 * ring; "stats timeout" closes idle clients.
 *
 * The protocol itself (struct cli_sess) does no I/O, so that the tests can
 * feed it bytes and read the answer back:
 *
 *     struct cli_sess *s = cli_sess_new(cfg, CLI_LVL_ADMIN);
 *     rc = cli_sess_feed(s, "show info\n", 10);   // 1: close after output
 *     out = cli_sess_output(s, &len);
 *     cli_sess_free(s);
 */
#ifndef RP_CLI_H
#define RP_CLI_H

#include <stddef.h>

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
/* Cancels accepts, closes every client, closes and unlinks the sockets
 * (a unix socket file is unlinked only if it is still ours). Safe to call
 * when nothing was started, and twice. */
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
/* Feeds <len> received bytes; complete lines are executed and their
 * answers appended to the output. <len> == 0 means the peer shut its side:
 * a last line without LF is executed. Returns 0 (wants more input), 1 (the
 * session is over: send the output, then close), or -ENOMEM. */
int cli_sess_feed(struct cli_sess *s, const char *buf, size_t len);
/* Returns the pending output and its length in <*len> (owned by <s>). */
const char *cli_sess_output(const struct cli_sess *s, size_t *len);
/* Drops the first <n> bytes of the pending output (sent). */
void cli_sess_consume(struct cli_sess *s, size_t n);

#endif
