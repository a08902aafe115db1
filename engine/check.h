/* check.h: health checks ("check" on a server line): a connect, with
 * "option tcp-check" the backend's tcp-check rules, with a protocol option
 * (redis-check, smtpchk, mysql-check...) that protocol's rules, with
 * "option httpchk" the HTTP check's rules; "agent-check" adds an agent
 * whose answers change the server. monitor-uri lives here too.
 * Every inter/fastinter/downinter ms a check of each checked server runs
 * through the ring, bounded by HAProxy's timeouts (see check_start()).
 * <rise> consecutive successes bring a DOWN server UP, <fall> consecutive
 * failures take an UP server DOWN; each transition is logged as HAProxy
 * logs it and the load balancer is told. */
#ifndef RP_CHECK_H
#define RP_CHECK_H

struct config;
struct proxy;
struct server;
struct thr;

/* Result of one check, exposed for tests. */
enum check_result { CHECK_OK = 0, CHECK_L4_REFUSED, CHECK_L4_TIMEOUT, CHECK_L4_ERROR,
                    CHECK_L7_OK, CHECK_L7_RSP, CHECK_L7_TIMEOUT, CHECK_SOCK_ERR,
                    CHECK_L7_STS, CHECK_L6_OK, CHECK_L6_TIMEOUT, CHECK_L6_RSP, CHECK_L7_OKC };

struct cfg_ctx;

/* The proxy keyword "tcp-check <rule>" (backend/listen): "connect [port N]"
 * (first rule only), "send <string>", "send-binary <hex>", "expect [!]
 * string|binary|rstring <pattern>", "comment <text>"; "comment <text>" is
 * accepted after a rule. With "option tcp-check", each check runs them in
 * order after connecting. Returns 0 or -1 with c->err set. */
int check_cfg_tcp_check(struct cfg_ctx *c, char **args, int nargs);
/* "option httpchk [<method> <uri> [<version>]]" (<args>[0] is "option"):
 * an HTTP check, "OPTIONS / HTTP/1.0" by default; a version written as
 * "HTTP/1.1\r\nHost: x" carries headers, as HAProxy accepts. 2xx and 3xx
 * statuses pass unless "http-check expect" says otherwise. Returns 0 or -1
 * with c->err set. */
int check_cfg_httpchk(struct cfg_ctx *c, char **args, int nargs);
/* The proxy keyword "http-check": "expect [!] status <codes>" (a list of
 * codes and ranges, "200,301-302"), "expect [!] rstatus <regex>", and
 * "send [meth <m>] [uri <u>] [ver <v>] [hdr <name> <value>]...". Returns 0
 * or -1 with c->err set. */
int check_cfg_http_check(struct cfg_ctx *c, char **args, int nargs);
/* "option redis-check", "option ssl-hello-chk", "option smtpchk [HELO|EHLO
 * <domain>]", "option pgsql-check user <u>", "option mysql-check [user <u>
 * [post-41|pre-41]]", "option ldap-check" (<args>[0] is "option"): the
 * backend's checks run HAProxy's rules for that protocol; the last check
 * option given wins. Returns 0 or -1 with c->err set. */
int check_cfg_option(struct cfg_ctx *c, char **args, int nargs);
/* "monitor-uri <uri>" (frontend, listen, defaults): a request for <uri>
 * (its path when <uri> starts with '/') is answered 200 by the frontend,
 * not forwarded, not logged. Returns 0 or -1 with c->err set. */
int check_cfg_monitor_uri(struct cfg_ctx *c, char **args, int nargs);
/* "monitor fail if|unless <cond>" (frontend, listen): the monitor-uri
 * answer is 503 when a condition holds. Returns 0 or -1 with c->err set. */
int check_cfg_monitor(struct cfg_ctx *c, char **args, int nargs);
/* Copies a defaults section's monitor-uri into <px>. Returns 0 or -1. */
int check_monitor_inherit(struct proxy *px, const struct proxy *def);
/* Frees <px>'s monitor settings. */
void check_monitor_free(struct proxy *px);
struct stream;
/* Called by the HTTP request path before the frontend's http-request
 * rules: when the request is for the frontend's monitor-uri, queues the
 * 200/503 answer, ends the stream without a log line and returns 1;
 * else returns 0 and does nothing. */
int check_monitor_req(struct stream *s);

/* The agent keywords of a server line at <args>[<i>]: "agent-check",
 * "no-agent-check", "agent-port <port>", "agent-inter <time>", "agent-addr
 * <ip>", "agent-send <string>". Returns the words used (1 or 2), 0 when
 * <args>[<i>] is not one of them, or -1 with c->err set. check_agent.c. */
int check_cfg_srv_kw(struct cfg_ctx *c, struct server *s, char **args, int i, int nargs);

/* Copies the HTTP check settings ("option httpchk", "http-check") of the
 * defaults section <def> into <px> (cfg's inheritance). Returns 0 or -1. */
int check_cfg_inherit(struct proxy *px, const struct proxy *def);
/* Frees the tcp-check rules of every proxy of <cfg> (before cfg_free()). */
void check_cfg_free(struct config *cfg);
/* Frees the check rules and HTTP check settings of one proxy (a defaults
 * section too: "option httpchk" there keeps its settings on it). */
void check_proxy_free(struct proxy *px);

/* Returns 1 if a health check of <s> may be made over TLS (the implicit
 * connect, or a "tcp-check connect ssl" / "http-check connect ssl" rule of
 * its backend): cfg_tls.c then gives it a client context. Else 0. */
int check_srv_uses_tls(const struct server *s);

/* Checks the "check" servers of <cfg> after parsing: a server without a
 * port to check (no service port, no "port") is an error, as in HAProxy.
 * Returns the number of errors, each printed as an [ALERT] line. */
int check_cfg_validate(struct config *cfg);
/* Starts the checks of every server with "check" in <cfg> on thread <t>
 * (the first checks are spread evenly over the first interval, as HAProxy
 * spreads them). Timeouts are HAProxy's: with "timeout check", the connect
 * gets min(timeout connect, inter) and the tcp-check rules after it get
 * "timeout check"; without it, inter bounds the whole check. Returns the
 * number of checked servers or -errno. */
int check_start(struct config *cfg, struct thr *t);
/* Stops every check (cancels the ops in flight; a check is freed by its
 * last completion, never before); safe to call twice. */
void check_stop(void);

/* Feeds one check result into <srv>'s state machine: updates health and
 * state, logs a transition, tells the load balancer. <errnum> is the
 * connect error (0 on success), <dur_ms> the check duration. Returns 1 if
 * the server changed state, else 0. Used by check.c and the tests. */
int check_report(struct server *srv, enum check_result res, int errnum, unsigned dur_ms);

/* Logs, as HAProxy does, <srv> entering (<entering> = 1) or leaving forced
 * maintenance, to stderr and to its backend's log targets; call it after
 * the state changed. Entering may add "backend <b> has no server
 * available!". Used by the management socket. */
void check_log_maint(struct server *srv, int entering);
/* The address of <srv> changed (DNS): its check connects there from now on. */
void check_server_moved(struct server *srv);
/* A health check of <srv> is running now ("show stat" marks it "* "). */
int check_in_progress(const struct server *srv);

#endif
