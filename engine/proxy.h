/* proxy.h: the configuration model shared by every module — proxies
 * (frontend/backend/listen/defaults), their servers and bind lines.
 * Built once by cfg.c at start-up, read-mostly afterwards: the data path
 * reads these structs and changes only the counters and states marked
 * "runtime" below (per-thread counters come when nbthread > 1). */
#ifndef RP_PROXY_H
#define RP_PROXY_H

#include <stdint.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <sys/un.h>
#include "engine/freq_ctr.h"

struct rule_list;          /* rules.h: tcp-request/tcp-response/http rules */
struct http_reply;         /* http_reply.h */
struct acl_list;           /* acl.h: the proxy's named ACLs */
struct logfmt;             /* logfmt.h: a compiled log-format string */
struct sample_expr;        /* sample.h */
struct log_target;         /* log.h */
struct http_cap_list;      /* http_cap.h: capture declarations */
struct tls_ctx;           /* proto/tls.h: a TLS context (cfg_tls.c builds them) */

/* One socket address, IPv4, IPv6 or AF_UNIX; <len> is what bind/connect take. */
struct addr {
	union {
		struct sockaddr sa;
		struct sockaddr_in in4;
		struct sockaddr_in6 in6;
		struct sockaddr_un un;
		struct sockaddr_storage ss;
	} u;
	socklen_t len;
};

enum px_mode { PX_MODE_TCP = 0, PX_MODE_HTTP = 1 };

/* Proxy capabilities: a listen section is both. */
#define PX_CAP_FE   0x1
#define PX_CAP_BE   0x2
#define PX_CAP_DEF  0x4    /* a defaults section */

enum lb_algo {
	LB_ROUNDROBIN = 0, LB_LEASTCONN, LB_SOURCE, LB_FIRST,
	LB_URI, LB_HDR,         /* http mode (issue: HTTP) */
	LB_STATIC_RR,           /* weights fixed at start-up (no runtime weight changes) */
	LB_RANDOM,              /* "random [<draws>]": best of <draws> weighted random picks */
};

/* Timeouts in milliseconds; 0 means "not set" (infinite), as in HAProxy. */
struct px_timeouts {
	uint32_t connect, client, server, tunnel, queue, check;
	uint32_t http_request, http_keep_alive, client_fin, server_fin, tarpit;
};

/* "option http-restrict-req-hdr-names": what becomes of a request header
 * whose name has other characters than letters, digits and '-'. */
#define PX_HDR_NAMES_PRESERVE 0
#define PX_HDR_NAMES_DELETE   1
#define PX_HDR_NAMES_REJECT   2

/* Proxy options (PXO_*), set by "option <name>" / "no option <name>". */
#define PXO_REDISPATCH         0x0001
#define PXO_TCPLOG             0x0002
#define PXO_HTTPLOG            0x0004
#define PXO_DONTLOGNULL        0x0008
#define PXO_FORWARDFOR         0x0010
#define PXO_HTTP_KEEP_ALIVE    0x0020
#define PXO_HTTP_SERVER_CLOSE  0x0040
#define PXO_HTTPCLOSE          0x0080
#define PXO_HTTP_BUFFER_REQ    0x0100
#define PXO_LOGASAP            0x0200
#define PXO_TCP_SMART_ACCEPT   0x0400
#define PXO_TCP_SMART_CONNECT  0x0800
#define PXO_SPLICE_AUTO        0x1000
#define PXO_ABORTONCLOSE       0x2000
#define PXO_DONTLOG_NORMAL     0x4000
#define PXO_TCPKA              0x8000    /* option tcpka = clitcpka + srvtcpka */
#define PXO_CLITCPKA           0x00010000
#define PXO_SRVTCPKA           0x00020000
#define PXO_ALLBACKUPS         0x00040000
#define PXO_LOG_HEALTH_CHECKS  0x00080000
#define PXO_LOG_SEPARATE_ERR   0x00100000
#define PXO_TCP_CHECK          0x00200000    /* option tcp-check */
#define PXO_HTTPCHK            0x00400000    /* option httpchk (HTTP issue) */
#define PXO_NOLINGER           0x00800000
#define PXO_PERSIST            0x01000000
#define PXO_HTTP_IGNORE_PROBES 0x02000000    /* no log, no 408/400 for a connection that sent nothing */
#define PXO_SOCKET_STATS       0x04000000
#define PXO_SPLICE_REQUEST     0x08000000
#define PXO_SPLICE_RESPONSE    0x10000000
#define PXO_INDEPENDENT_STREAMS 0x20000000
#define PXO_HTTP_NO_DELAY      0x40000000
#define PXO_PREFER_LAST_SERVER 0x80000000u

/* "option forwardfor" / "option originalto": a request header carrying the
 * client's (resp. the destination) address. */
struct px_addr_hdr {
	char hdr[64];               /* lowercase header name, "" = the option's default */
	uint32_t except_net, except_mask;  /* IPv4, network order; mask 0 = none */
	uint8_t except6[16];        /* IPv6 "except" network ... */
	uint8_t except6_bits;       /* ... and its prefix length, 0 = none */
	uint8_t ifnone;             /* forwardfor "if-none": only when absent */
	uint8_t on;                 /* originalto given (forwardfor has PXO_FORWARDFOR) */
};

/* "http-reuse" modes; 0 is HAProxy's default. */
#define PX_REUSE_SAFE   0
#define PX_REUSE_NEVER  1
#define PX_REUSE_AGGR   2
#define PX_REUSE_ALWAYS 3

/* Server administrative/operational state (runtime). */
enum srv_state { SRV_UP = 0, SRV_DOWN, SRV_MAINT, SRV_DRAIN };

struct server {
	struct server *next;        /* next server of the same backend, config order */
	struct proxy *px;           /* owning backend */
	char *name;
	int id;                     /* 1-based, config order */
	struct addr addr;           /* where to connect; port 0 = keep client's dst port */
	int weight;                 /* 0..256, default 1 */
	int maxconn;                /* 0 = unlimited */
	unsigned backup:1, disabled:1, check:1, ssl:1;
	unsigned send_proxy:1, agent_check:1, check_ssl:1, no_check_ssl:1;
	unsigned send_proxy_v2:1;   /* "send-proxy-v2": binary PROXY header (backend.c) */
	unsigned check_send_proxy:1; /* "check-send-proxy": health checks send a PROXY header */
	unsigned init_addr_none:1;  /* "init-addr ...,none": an unresolvable address is not fatal */
	unsigned check_paused:1;    /* "disable health": no check runs, the state stays (CLI) */
	unsigned agent_paused:1;    /* "disable agent" (CLI) */
	unsigned dns_maint:1;       /* in maintenance until a valid DNS answer (dns.c) */
	uint32_t inter, fastinter, downinter;   /* check intervals, ms (default 2000) */
	int rise, fall;             /* default 2, 3 */
	struct addr check_addr;     /* "addr"/"port" overrides for checks */
	int check_port;             /* "port N": 0 = the server's port */
	int has_check_addr;         /* "addr" was given: check_addr is set */
	int minconn, maxqueue;      /* stored; 0 = unset */
	uint32_t slowstart;         /* ms, stored */
	char *verify, *sni, *ca_file, *crt, *alpn, *ciphers; /* TLS issue, stored */
	char *ciphersuites, *ssl_min_ver, *ssl_max_ver, *verifyhost; /* TLS (cfg_tls.c) */
	unsigned no_ssl_reuse:1, no_tls_tickets:1;
	struct tls_ctx **tls_ctx;   /* "ssl": one client context per thread (cfg_tls.c) */
	struct tls_ctx **check_tls_ctx; /* TLS health checks: <tls_ctx>, or their own when not "ssl" */
	char *check_sni, *check_alpn;   /* "check-sni", "check-alpn" */
	struct sample_expr *sni_expr; /* "sni <expr>", evaluated per connection */
	unsigned sni_varies:1;      /* <sni_expr> depends on the request: connections are not shared */
	char *cookie;               /* "cookie <value>", stored (HTTP issue) */
	char *addr_text;            /* the address as written, for messages and stats */
	char *resolvers_id;         /* "resolvers <id>": re-resolved at run time (dns.c) */
	struct addr src_addr;       /* "source <addr>[:<port>]": overrides the backend's, family 0 = none */
	int resolve_prefer;         /* "resolve-prefer": AF_INET or AF_INET6 (default) */
	int pool_max_conn;          /* "pool-max-conn": idle connections kept per thread, -1 = no limit (http_idle.c) */
	uint32_t pool_purge_delay;  /* "pool-purge-delay", ms, default 5000 (http_idle.c) */
	/* runtime */
	enum srv_state state;
	int cur_weight;             /* effective weight (set server weight) */
	int health;                 /* 0..rise+fall-1: the check state machine */
	uint32_t cur_conn;          /* connections established or being established */
	uint32_t max_conn_seen;
	uint64_t cum_conn;          /* total connections */
	struct freq_ctr sess_rate;  /* connections per second (lb.c): srv_sess_rate */
	uint64_t bytes_in, bytes_out;
	uint32_t lb_pos;            /* private to lb.c */
	uint32_t nb_queued;
	/* agent-check (check_agent.c): its settings, then its rise/fall counter */
	int agent_port;             /* "agent-port", 0 = none */
	uint32_t agent_inter;       /* "agent-inter" (ms), 0 = the check's inter */
	struct addr agent_addr;     /* "agent-addr", when has_agent_addr */
	int has_agent_addr;
	const char *agent_send;     /* "agent-send" or NULL; the string is owned by check_agent.c */
	int agent_health;           /* 0..rise+fall-1, as <health>, for the agent */
	int agent_last;             /* last agent result + 1 (0: none yet) */
	void *check_ctx;            /* private to check.c */
	int check_last;             /* last check result + 1 (0: none yet), check.c */
	const char *file; int line; /* where it was declared, for messages */
};

/* A "bind" line: one or more addresses (several for "bind a,b") and options. */
struct bind_conf {
	struct bind_conf *next;
	struct proxy *px;
	struct addr addr;           /* resolved address, or AF_UNSPEC with <fd> >= 0 */
	int fd;                     /* "fd@N": inherited listening socket, else -1 */
	char *name;                 /* the text as written, for logs */
	int backlog;                /* 0 = default */
	uint32_t mode;              /* unix socket mode, 0 = umask default */
	unsigned ssl:1, v4v6:1, v6only:1, accept_proxy:1, transparent:1;
	unsigned named:1;           /* <name> comes from a "name" option (so_name) */
	char *crt, *alpn, *ciphers, *ciphersuites, *ssl_min_ver, *crt_list; /* TLS issue */
	char **crt_more;            /* further "crt" arguments of the line, <nb_crt_more> */
	int nb_crt_more;
	char *ssl_max_ver, *ca_file, *verify;   /* TLS (cfg_tls.c) */
	unsigned no_tls_tickets:1, strict_sni:1, tls_vers_set:1;
	unsigned tls_ctx_owner:1;   /* frees <tls_ctx> (the first address of the line) */
	uint8_t tls_no_vers;        /* no-sslv3/no-tlsv1x bits: 1 << (minor + 1), SSLv3 = bit 0 */
	struct tls_ctx *tls_ctx;    /* "ssl": the server context of the line, shared by its addresses */
	void *rx;                   /* private to listener.c */
	const char *file; int line;
};

#define PX_MAX_ERRORFILES 20

struct proxy {
	struct proxy *next;         /* config order */
	char *name;
	int id;                     /* 1-based, config order, as HAProxy's iid */
	unsigned cap;               /* PX_CAP_* */
	enum px_mode mode;
	uint32_t options;           /* PXO_* */
	int maxconn;                /* frontend: 0 = global maxconn */
	int fullconn;
	int retries;                /* default 3 */
	struct px_timeouts to;
	enum lb_algo lb;
	char *lb_arg;               /* hdr(<name>) for LB_HDR; uri options */
	int hash_consistent;        /* "hash-type consistent" (else map-based) */
	int lb_hdr_domain_only;     /* "balance hdr(<name>) use_domain_only" */
	/* "option forwardfor [except <net>] [header <name>] [if-none]" */
	struct px_addr_hdr fwdfor;  /* option forwardfor (on: PXO_FORWARDFOR) */
	uint8_t hdr_names;          /* option http-restrict-req-hdr-names: PX_HDR_NAMES_* */
	struct px_addr_hdr origto;  /* option originalto */
	int backlog;                /* "backlog": default listen() backlog of the binds, 0 = unset */
	int disabled;
	int fe_paused;              /* "disable frontend": its listeners do not accept (CLI) */
	int http_reuse;             /* PX_REUSE_*: "http-reuse" (stream_http.c) */

	/* frontend side */
	struct bind_conf *binds;
	struct proxy *defbe;        /* default_backend (resolved after parsing) */
	char *defbe_name;
	struct rule_list *tcp_req_conn;   /* tcp-request connection */
	struct rule_list *tcp_req_sess;   /* tcp-request session (rules.c) */
	struct rule_list *tcp_req_cont;   /* tcp-request content */
	struct rule_list *tcp_res_cont;   /* tcp-response content */
	struct rule_list *http_req;       /* http-request */
	struct rule_list *http_res;       /* http-response */
	struct rule_list *switching;      /* use_backend rules */
	struct http_cap_list *caps;       /* "capture ... header", "declare capture" (http_cap.c) */
	struct rule_list *redirects;      /* "redirect" rules, run after http-request (http_rules.c) */
	struct rule_list *http_after_res; /* http-after-response (http_rules.c) */
	uint16_t rules_seen;              /* 1 << enum rules_order of each rule set written so far */
	uint32_t tcp_req_inspect_delay;   /* ms */
	uint32_t tcp_res_inspect_delay;   /* ms */
	struct acl_list *acls;
	struct logfmt *logfmt;            /* log-format, or the one option tcplog/httplog picks */
	struct log_target *logs;          /* "log" lines ("log global" copies global's) */
	int log_global;

	/* backend side */
	struct server *srv;               /* config order */
	int nb_srv;
	void *lb_ctx;                     /* private to lb.c */
	void *check_rules;                /* tcp-check rules, private to check.c */
	void *monitor;                    /* monitor-uri / monitor fail, private to check_monitor.c */
	void *stats_page;                 /* "stats ..." settings, private to stats_page.c */
	void *unique_id;                  /* "unique-id-format/-header", private to unique_id.c */
	unsigned httpslog:1;              /* "option httpslog": PXO_HTTPLOG with the TLS fields */
	unsigned httplog_clf:1;           /* "option httplog clf": PXO_HTTPLOG in the Common Log Format */
	unsigned retry_none:1;            /* "retry-on none": a failed connect is not retried */
	void *persist;                    /* use-server / force-persist / ignore-persist, private to persist.c */
	void *cookie_cfg;                 /* "cookie <name> ...", private to http_cookie.c */
	uint32_t sess_rate_lim;           /* "rate-limit sessions": accepted per second, 0 = none */
	struct freq_ctr sess_rate;        /* sessions accepted (listener.c): the limit, fe_sess_rate */
	struct freq_ctr req_rate;         /* HTTP requests received (stream_http.c): fe_req_rate */
	struct freq_ctr be_sess_rate;     /* streams sent to this backend (stream.c): be_sess_rate */
	struct addr src_addr;             /* "source <addr>[:<port>]": local address of server connections, family 0 = none */
	char *srvname_hdr;                /* "http-send-name-header": the header naming the server, NULL = none */
	char *log_tag;                    /* "log-tag": the syslog tag of this proxy's logs, NULL = global */

	/* runtime counters */
	uint32_t fe_cur_conn, be_cur_conn;
	uint64_t fe_cum_conn, be_cum_conn;
	uint64_t bytes_in, bytes_out;
	uint32_t nb_queued;
	uint32_t queue_idx;          /* streams served from its queue so far (%bq positions) */
	uint64_t denied_req, denied_conn;
	uint64_t denied_sess;             /* tcp-request session reject (rules.c) */
	uint64_t denied_resp;             /* tcp-response content reject (rules.c) */
	uint64_t log_count;         /* lines logged by this frontend (%lc), log.c */

	/* stored by cfg.c for later issues / other modules */
	char *desc;                 /* "description" */
	int uuid;                   /* "id N", 0 = automatic */
	struct server *defsrv;      /* "default-server" template (NULL if none) */
	char *errorfiles[PX_MAX_ERRORFILES];  /* "errorfile <code> <file>": path per slot */
	int errorfile_codes[PX_MAX_ERRORFILES]; /* status code of each slot, 0 = free */
	struct http_reply *errorfile_reply[PX_MAX_ERRORFILES]; /* "http-error" page with log-format
	                                                         * parts (http_reply.c), else NULL */
	uint32_t errorfile_reply_own;       /* bit <slot>: that reply is this section's (else its defaults') */
	char *logfmt_str;           /* log-format text as written (inherited from defaults) */
	const struct proxy *from;   /* the defaults it inherited from, or NULL */
	struct stktable *stktable;  /* "stick-table", owned (stick.h), or NULL */
	struct stick_rule *stick_rules; /* "stick on|match|store-*", owned (stick_persist.c) */
	unsigned def_used;          /* defaults only, cfg.c: 1 = used implicitly, 2 = named with "from" */

	const char *file; int line;
};

/* Global section. One per process. */
struct global {
	int daemon;
	int nbthread;               /* worker threads that run: 1 for now */
	int nbthread_req;           /* "nbthread <n>" as configured (1..64), 0 = not set */
	/* "cpu-map" lines naming thread 1 (or its process): CPUs bit by bit,
	 * applied to the worker thread before it serves (0..1023) */
	int cpu_map_set;
	uint64_t cpu_map[16];
	int maxconn;                /* default 4096 (HAProxy default depends on ulimit) */
	uint32_t maxconnrate;       /* "maxconnrate" / "maxsessrate": accepted per second, 0 = none */
	int maxconn_set;            /* "maxconn" given: the fd limit must fit it */
	char *pidfile;
	uint32_t bufsize;           /* tune.bufsize, default 16384 */
	uint32_t maxrewrite;        /* tune.maxrewrite */
	struct log_target *logs;
	char **lua_load;            /* lua-load files, in order, NULL-terminated */
	int nb_lua_load;
	char **lua_prepend_path;    /* "lua-prepend-path <path> [path|cpath]" lines */
	int nb_lua_prepend;
	uint64_t lua_maxmem;        /* bytes, 0 = unlimited */
	uint32_t lua_forced_yield;  /* default 10000 */
	uint32_t lua_session_timeout, lua_task_timeout, lua_service_timeout; /* ms */
	struct stats_socket *stats; /* management sockets (served in a later issue) */
	int quiet, debug;           /* -q / -d */
	char *log_tag;              /* log-tag, default "ringproxy" */
	char *node;
	/* stored, mostly for later issues (see docs/configuration.md) */
	uint32_t stats_timeout;     /* ms, default 10000 */
	uint32_t hard_stop_after;   /* ms, 0 = none */
	int master_worker;
	char *chroot, *user, *group;
	int uid, gid;               /* -1 = unset */
	int ulimit_n;
	int maxsslconn;
	char *ca_base, *crt_base;
	char *ssl_bind_ciphers, *ssl_bind_ciphersuites, *ssl_bind_options;
	char *ssl_server_ciphers, *ssl_server_ciphersuites, *ssl_server_options;
	char *ssl_dh_param_file;
	int ssl_server_verify_none;  /* "ssl-server-verify none" (cfg_tls.c) */
	int expose_experimental;
	int insecure_fork_wanted;
	char *desc;
	int h1_case_adjust_bogus_client, h1_case_adjust_bogus_server;
	char **h1_case_adjust;      /* "h1-case-adjust <lower> <Proper>" pairs, NULL-terminated */
	int nb_h1_case_adjust;
	uint32_t tune_maxaccept;
	uint32_t tune_recv_enough;
	uint32_t tune_http_maxhdr;  /* default 101 */
	uint32_t tune_ssl_default_dh_param;
	uint32_t spread_checks;     /* percent */
	int nosplice;               /* "nosplice": no kernel splicing at all */
	uint32_t maxpipes;          /* "maxpipes", 0 = maxconn / 4 (splice.c pool) */
	uint32_t pipesize;          /* "tune.pipesize", 0 = the default (splice.c) */
	uint32_t ring_min_wait_us;  /* "tune.ring.min-wait" (ring.h), 0 = off */
};

struct stats_socket {
	struct stats_socket *next;
	struct addr addr;
	int fd;                     /* fd@N, else -1 */
	int level;                  /* 0 user, 1 operator (default), 2 admin */
	uint32_t mode;              /* unix socket mode, 0 = umask default */
	int expose_fd;              /* "expose-fd listeners" */
	int master;                 /* -S: the master CLI ("@1 <command>" runs a worker's) */
	char *user, *group;         /* stored */
	const char *file; int line;
};

/* Everything cfg.c builds. */
struct config {
	struct global g;
	struct proxy *proxies;      /* frontends, backends, listens, config order (no defaults) */
	int nb_proxies;
	struct cfg_store *store;    /* private to cfg.c: file names, defaults sections */
};

/* Returns the proxy named <name> with at least the capabilities <cap>, or NULL. */
struct proxy *proxy_find(const struct config *cfg, const char *name, unsigned cap);
/* Returns the server named <name> in backend <px>, or NULL. */
struct server *server_find(const struct proxy *px, const char *name);
/* Free one server / bind line and the strings it owns (not its neighbours). */
void server_free(struct server *s);
void bind_conf_free(struct bind_conf *b);
/* Returns 1 if <srv> may take traffic now (UP or DRAIN-for-persistence excluded). */
static inline int server_is_usable(const struct server *srv)
{
	return srv->state == SRV_UP && srv->cur_weight > 0;
}

#endif
