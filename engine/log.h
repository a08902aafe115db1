/* log.h: the process's messages ([NOTICE]/[WARNING]/[ALERT] on stderr, as
 * HAProxy prints them) and the "log" targets: stdout, stderr, fd@N, UDP
 * syslog (ip:port, ipv4@, ipv6@), unix datagram sockets (/dev/log).
 * Datagrams and fd targets that are sockets go with MSG_DONTWAIT: a message
 * that cannot be sent now is dropped and counted. An fd target on a pipe,
 * terminal or file gets one writev() per line (its file status flags are
 * shared with other processes and are left alone). */
#ifndef RP_LOG_H
#define RP_LOG_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct config;
struct proxy;
struct stream;
struct cfg_ctx;

/* Syslog levels, as <syslog.h> numbers them. */
enum log_level { LOG_LVL_EMERG = 0, LOG_LVL_ALERT, LOG_LVL_CRIT, LOG_LVL_ERR, LOG_LVL_WARNING,
                 LOG_LVL_NOTICE, LOG_LVL_INFO, LOG_LVL_DEBUG,
                 LOG_LVL_SILENT };   /* a stream's level only: log nothing */

/* Framing of a message on one target ("format" keyword of a log line). */
enum log_format { LOG_FMT_RFC3164 = 0, LOG_FMT_RFC5424, LOG_FMT_RAW, LOG_FMT_SHORT,
                  LOG_FMT_PRIO, LOG_FMT_TIMED, LOG_FMT_ISO, LOG_FMT_LOCAL };

/* Where a target sends. */
enum log_dest { LOG_DEST_FD = 0,    /* stdout, stderr, fd@N: one write() per message */
                LOG_DEST_UDP,       /* syslog over UDP */
                LOG_DEST_UNIX };    /* unix datagram socket (/dev/log) */

#define LOG_SMP_MAX_RANGES 16

/* One "log" line. Built at configuration time; the runtime part (<fd>,
 * <drops>) is per target and touched only by the thread that sends. */
struct log_target {
	struct log_target *next;
	enum log_dest dest;
	enum log_format format;
	int facility;               /* 0..23 */
	int level;                  /* messages above this level are not sent (default debug) */
	int minlevel;               /* messages are sent at least at this level (default emerg) */
	uint32_t maxlen;            /* "len", default 1024 */
	int fd;                     /* LOG_DEST_FD: the fd; others: our socket, -1 until opened */
	struct sockaddr_storage *addr; /* UDP/UNIX destination */
	uint32_t addrlen;
	uint64_t drops;             /* messages that could not be sent */
	int fd_is_sock;             /* LOG_DEST_FD on a socket: sent with MSG_DONTWAIT */
	char *text;                 /* the target as written, for messages */
	const char *file; int line;
	/* "sample <ranges>:<size>": of every <smp_size> messages, only those
	 * whose number (1-based) falls in a range are sent; smp_nrg = 0: all.
	 * Ranges sorted, disjoint, high <= smp_size. */
	struct { uint32_t low, high; } smp_rg[LOG_SMP_MAX_RANGES];
	int smp_nrg;
	uint32_t smp_size;
	uint32_t smp_idx;           /* messages seen in the current cycle */
	int smp_cur;                /* the range being consumed */
};

/* Messages of the process on stderr, HAProxy's layout:
 *   "[ALERT]    (pid) : message\n", "[WARNING]  (pid) : ...", "[NOTICE]   (pid) : ..."
 * A trailing newline in <fmt> is not doubled. Notices and warnings are
 * silenced by "-q" (log_set_quiet). Thread-safe enough: one write(). */
void rp_alert(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void rp_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void rp_notice(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Quiet (-q): drops notices and warnings; <debug> (-d): log_send() also
 * writes messages to stderr. */
void log_set_quiet(int quiet);
void log_set_debug(int debug);
/* While <starting> (from main() until the loop runs), the first warning or
 * alert is preceded by "[NOTICE] ... ringproxy version is <version>" and
 * "path to executable is ...", as HAProxy does. */
void log_set_starting(int starting, const char *version);
/* Returns how many warnings were emitted (for "-c": "Warnings were found."). */
int log_warning_count(void);

/* Returns the facility number for <name> ("local0", "daemon"...), or -1. */
int log_facility_parse(const char *name);
/* Returns the level number for <name> ("emerg".."debug"), or -1. */
int log_level_parse(const char *name);
const char *log_level_name(int level);
const char *log_facility_name(int facility);

/* Parses the words after "log" of a log line:
 *   <target> [len <n>] [format <fmt>] [sample <r>:<n>] <facility> [<level> [<minlevel>]]
 * <args>[0] is "log". Returns a new target (caller owns it, free with
 * log_targets_free) or NULL with a message in <err>. Does not handle
 * "log global" (see log_cfg_kw). */
struct log_target *log_target_parse(char **args, int nargs, char *err, size_t errlen);
/* The configuration keyword "log": in global, appends a target to the
 * global list; in a proxy or defaults, appends to the proxy's list, or
 * "log global" sets px->log_global; "no log" is handled by the caller
 * (it clears px->logs / log_global). Returns 0 or -1 with c->err set. */
int log_cfg_kw(struct cfg_ctx *c, char **args, int nargs);
/* The global keyword "log-send-hostname [<name>]": rfc3164/rfc5424 headers
 * then carry <name> (default: the system's host name). Returns 0 or -1
 * with c->err set. */
int log_cfg_send_hostname(struct cfg_ctx *c, char **args, int nargs);
/* Returns a deep copy of the list <l> (defaults inheritance), or NULL on
 * allocation failure or for an empty list. */
struct log_target *log_targets_dup(const struct log_target *l);
void log_targets_free(struct log_target *l);

/* Prepares logging after the configuration is parsed: hostname, tag,
 * opens the sockets of every target of <cfg> and resolves each proxy's
 * log format (log-format / option tcplog / httplog). Returns 0 or -1
 * after printing alerts. */
int log_init(struct config *cfg);
/* Closes the targets' sockets. */
void log_deinit(struct config *cfg);

/* Sends <msg> (<len> bytes, no trailing newline) at <level> to the
 * targets of <px> (its own, plus the global ones when "log global"), or to
 * the global targets when <px> is NULL; in debug mode (-d) also to stderr.
 * Returns the number of targets it was sent to. What core.log / TXN.log use. */
int log_send(int level, const char *msg, size_t len, const struct proxy *px);
/* Same without the stderr echo of debug mode: traffic logs and server
 * state changes (which print their own [WARNING]/[ALERT] lines). */
int log_send_targets(int level, const char *msg, size_t len, const struct proxy *px);
/* Sends to one target. Returns 0 or -errno (the message is then dropped). */
int log_target_send(struct log_target *t, int facility_level_pri, const char *tag,
                    const char *msg, size_t len);

/* Renders the end-of-stream line of <s> with its frontend's log format and
 * sends it to the frontend's targets at s->loglevel (info when -1; a value
 * above debug, LOG_LVL_SILENT, logs nothing: "set-log-level silent").
 * Nothing either when the frontend has no target, or with "option
 * dontlognull" when no byte came from the client. Called by stream.c when
 * a stream ends. */
void log_stream(struct stream *s);

/* Soft stop: logs "Proxy <name> stopped (cumulated conns: FE: <n>, BE: <n>)."
 * for every enabled proxy, config order, as a warning on stderr and to
 * the proxy's targets. Only the first call logs (the loop may call it when
 * the soft stop begins; main calls it after the loop in any case). */
void log_proxies_stopped(const struct config *cfg);

/* Debug traces of "-d" on stderr, HAProxy's layout (nothing otherwise):
 *   00000000:fe.accept(0004)=000d from [127.0.0.1:56490] ALPN=<none>
 *   00000000:fe.srvcls[000d:ffff]   (<event>: clicls, srvcls, closed...)
 * <lfd>/<cfd>/<sfd>: listener, client and server fds (-1 prints ffff). */
void log_trace_accept(const struct stream *s, int lfd, int cfd);
void log_trace(const struct stream *s, const char *event, int cfd, int sfd);

/* Builds the syslog header of one message into <out> (size <outsz>) for
 * <format>, as HAProxy 2.6 frames them: rfc3164 "<PRI>Mmm dd hh:mm:ss
 * [host ]tag[pid]: ", rfc5424 "<PRI>1 ISO8601.us host tag pid - - ",
 * local: rfc3164 without host, priority "<PRI>", short "<LEVEL>", timed
 * "<LEVEL>ISO8601.us ", iso "ISO8601.us ", raw "".
 * <now_us> is the time (microseconds since the epoch). Returns its length.
 * Exposed for tests. */
size_t log_header(char *out, size_t outsz, enum log_format format, int pri, uint64_t now_us,
                  const char *host, const char *tag, int pid);

/* Where %ac reads the number of connections alive (the thread's counter;
 * main sets it once the thread exists). */
void log_set_actconn(const uint32_t *actconn);
/* To call in the child after daemonising: refreshes the pid of headers. */
void log_after_fork(void);

/* Process identity used in syslog headers: <host> is empty by default (as
 * HAProxy without log-send-hostname), the tag "ringproxy". NULL keeps one. */
void log_set_identity(const char *host, const char *tag);

#endif
