/* stream.h: a stream joins a client connection, a server connection and
 * two channels (req: client to server, res: server to client), and runs
 * the analysers on them: tcp-request rules, backend selection, connect
 * with retries, tcp-response rules, forwarding. The fields below are read
 * by samples, rules, logs and Lua; only stream.c changes the state ones. */
#ifndef RP_STREAM_H
#define RP_STREAM_H

#include <stdint.h>
#include "engine/proxy.h"
#include "engine/chan.h"
#include "engine/vars.h"
#include "engine/timer.h"

struct thr;
struct conn;
struct listener;
struct http_cap_vals;
struct stksess;
struct spipe;

/* Termination cause and state, HAProxy's two-letter code in logs
 * ("--", "CD", "SC", "sC", "cD", "PR"...): first letter who/why, second
 * the stream state at that time. */
#define STRM_ERR_NONE     '-'
#define STRM_ERR_CLICL    'C'   /* client closed */
#define STRM_ERR_CLITO    'c'   /* client timeout */
#define STRM_ERR_SRVCL    'S'   /* server closed/refused */
#define STRM_ERR_SRVTO    's'   /* server timeout */
#define STRM_ERR_PRXCOND  'P'   /* proxy condition (deny, reject) */
#define STRM_ERR_RESOURCE 'R'   /* resource exhausted */
#define STRM_ERR_INTERNAL 'I'   /* internal error */
#define STRM_ERR_DOWN     'D'   /* server down (killed) */
#define STRM_ERR_KILLED   'K'   /* killed by admin */
#define STRM_ERR_LOCAL    'L'   /* answered locally (http-request return, redirect) */
#define STRM_FIN_NONE     '-'
#define STRM_FIN_R        'R'   /* waiting for the request */
#define STRM_FIN_Q        'Q'   /* queued */
#define STRM_FIN_C        'C'   /* connecting */
#define STRM_FIN_H        'H'   /* waiting for response headers */
#define STRM_FIN_D        'D'   /* data phase */
#define STRM_FIN_L        'L'   /* last data */
#define STRM_FIN_T        'T'   /* tarpit */

struct stream {
	struct thr *thr;
	uint32_t uniq_id;           /* per-process counter, as %ID / %rt */
	struct proxy *fe;           /* frontend that accepted it */
	struct proxy *be;           /* backend once chosen (== fe for a listen section) */
	struct server *srv;         /* server once chosen, else NULL */
	struct bind_conf *bind;     /* the bind line it came on */
	struct addr cli_addr;       /* client (src) address */
	struct addr fe_addr;        /* local address it was accepted on (dst) */
	struct addr srv_local;      /* our address on the server side: read through
	                             * stream_srv_local(), len 0 until first read */
	struct conn *cli;           /* client connection */
	struct conn *srvc;          /* server connection, or NULL */
	struct chan req, res;
	struct vars vars_sess, vars_txn, vars_req, vars_res;
	uint32_t flags;             /* STRM_F_* (stream.c) */
	int conn_retries;           /* retries left */
	uint32_t queue_idx0;        /* be->queue_idx - 1 when it was queued */
	uint32_t prx_queue_pos;     /* %bq: 1 + the streams served from the queue before it, 0 if never queued */
	int loglevel;               /* -1 = proxy default; set by TXN.set_loglevel */
	char err, fin;              /* termination code, see above */
	/* timestamps, microseconds since the epoch (log %t, %Tw/%Tc/%Tt) */
	uint64_t t_accept, t_queue, t_connect, t_close;
	void *lua;                  /* per-stream Lua state, private to lua/ */
	void *http;                 /* per-transaction HTTP state, HTTP issue */
	struct http_cap_vals *caps; /* captured values of the transaction, NULL = none (http_cap.h) */
	uint32_t gen;               /* generation, for Lua handles (index + generation) */
	const char *last_rule_file; /* the last final rule that ran (rules.c), NULL = none */
	int last_rule_line;
	const char *svc_name;       /* TCP mode: the use-service answering, as the log names it
	                             * ("<lua.x>", the rule's), else NULL */
	uint8_t pp_uid_len;         /* "accept-proxy": the v2 header's unique id TLV (fc_pp_unique_id) */
	char pp_uid[128];           /* its bytes (HAProxy keeps at most 128) */
	uint32_t to_server, to_tunnel; /* mode http "set-timeout": the backend's timeouts overridden
	                             * (ms, 0 = not), read only when <http> is set (stream_http.c
	                             * resets them for each transaction) */
	struct stksess *stkctr[3];  /* entries tracked by track-sc0/1/2, or NULL (stick.c) */
	uint8_t stkctr_flags;       /* private to stick.c */

	/* private to stream.c / backend.c from here */
	uint32_t idx;               /* slot in thr->strm_tab: stream_from_ref(idx, gen) */
	uint8_t state;              /* STRM_ST_* */
	uint8_t req_ana, res_ana;   /* analysers still to run, STRM_AN_* */
	uint8_t shut_how;           /* STRM_SHUT_* requested by stream_shutdown() */
	struct listener *li;
	struct addr srv_addr;       /* where the server connection goes (port 0 resolved) */
	struct timer exp;           /* the earliest of the deadlines below */
	uint64_t exp_cli, exp_srv;  /* inactivity deadlines (ms), 0 = none */
	uint64_t exp_conn;          /* connect deadline */
	uint64_t exp_req_inspect, exp_res_inspect;  /* tcp-request/response inspect-delay */
	uint64_t exp_retry;         /* turn-around before retrying a refused connect */
	uint64_t exp_queue;         /* "timeout queue" while waiting for a server slot */
	struct stream *next_queued; /* thr->queue_head list (backend.c) */
	uint32_t req_rule_pos, res_rule_pos;  /* where a suspended rule list resumes (rules.c) */
	struct stream *next_run;    /* thr->runq */
	struct stream *next_free;   /* pool */
	int in_runq;
	int connects;               /* connect attempts made (for %rc-like stats) */
	uint64_t counted_in, counted_out;  /* bytes already added to the proxy/server counters */
	uint32_t proxy_hdr_len;     /* PROXY header queued at the front of req (send-proxy) */
	struct spipe *spl[2];       /* STRM_DIR_*: the direction is spliced (splice.h), else NULL */
	uint64_t req_early_in;      /* client bytes received by the time the server connection
	                             * was up, 2 ms of slack (equal timeouts: who is blamed) */
};

/* Stream flags (STRM_F_*) */
#define STRM_F_ALIVE       0x0001   /* in use (not in the pool) */
#define STRM_F_LOGGED      0x0002
#define STRM_F_REDISPATCH  0x0004   /* redispatched to another server (log: "+" before the retries) */
#define STRM_F_SRV_TAKEN   0x0040   /* lb_take() done for strm->srv */
#define STRM_F_NOLOG       0x0080   /* ends without a log line (tcp-request connection reject) */
#define STRM_F_REQ_FINAL   0x0100   /* tcp-request inspect-delay expired */
#define STRM_F_RES_FINAL   0x0200   /* tcp-response inspect-delay expired */
#define STRM_F_QUEUED      0x0800   /* waiting in the thread's queue for a server slot */
#define STRM_F_PROXY_HDR   0x1000   /* a PROXY header for the server is queued in req (send-proxy) */
#define STRM_F_BE_COUNTED  0x2000   /* counted in be->be_cur_conn (stream.c) */
#define STRM_F_CLI_RTO     0x4000   /* TCP: client read timeout: no longer read (stream.c) */
#define STRM_F_SRV_RTO     0x8000   /* TCP: server read timeout: no longer read (stream.c) */

/* States */
enum { STRM_ST_INIT = 0, STRM_ST_REQ, STRM_ST_CONN, STRM_ST_DATA, STRM_ST_DEAD };

/* Analysers */
#define STRM_AN_REQ_INSPECT  0x01   /* tcp-request content rules */
#define STRM_AN_REQ_SWITCH   0x02   /* backend selection then connect */
#define STRM_AN_RES_INSPECT  0x04   /* tcp-response content rules */
#define STRM_AN_REQ_CONNECT  0x08   /* connect to a server of the chosen backend */
#define STRM_AN_REQ_PROXY    0x10   /* "accept-proxy": PROXY protocol header first */
#define STRM_AN_REQ_HTTP     0x20   /* mode http: wait for the request headers */
#define STRM_AN_REQ_HTTP_RULES 0x40 /* mode http: http-request rules of the current proxy */
#define STRM_AN_REQ_HTTP_FINAL 0x80 /* mode http: forwardfor, Connection, before connecting */
#define STRM_AN_RES_HTTP     0x20   /* mode http (res_ana): wait for the response headers */

/* stream_shutdown() modes */
#define STRM_SHUT_DONE   1   /* send what is queued to the client, then close both sides */
#define STRM_SHUT_ABORT  2   /* close both sides now */

/* Directions, as smp_dir: 0 = request (client to server), 1 = response. */
#define STRM_DIR_REQ 0
#define STRM_DIR_RES 1

/* Returns the stream at <idx> if it is alive and its generation is <gen>,
 * else NULL: what Lua handles use instead of pointers. */
struct stream *stream_from_ref(struct thr *t, uint32_t idx, uint32_t gen);
/* Schedules the analysers of <strm> to re-run at the end of this loop
 * turn (a suspended action's completion or timer arrived). Safe to call
 * several times. */
void stream_wakeup(struct stream *strm);
/* Sends now what the output part of <dir>'s channel holds (after Lua's
 * Channel.send/forward). Returns 0 or -errno. */
int stream_flush(struct stream *strm, int dir);
/* Ends <strm>: STRM_SHUT_DONE sends the response channel's output (and
 * the request channel's output if a server is connected) then closes
 * both sides; STRM_SHUT_ABORT closes now. The stream is freed later, by
 * the loop; <strm> stays valid until the caller returns to it. */
void stream_shutdown(struct stream *strm, int how);
/* Accepts client <fd> on listener <l> (listener.c). Returns the stream or
 * NULL (out of memory: fd is closed). */
struct stream *stream_accept(struct listener *l, int fd);
/* Closes every stream of <t> now (stop). */
void streams_kill_all(struct thr *t);
/* The connection event handler of streams (backend.c connects with it). */
void stream_conn_event(struct conn *c, unsigned ev);
/* Returns the next request number of the process (%rt, %ID): each stream
 * takes one, and each HTTP request after the first of a connection too, as
 * HAProxy's one stream per request does. */
uint32_t stream_next_uniq_id(void);
/* The server connection s->srvc is established (or reused): the data
 * phase starts. */
void stream_srv_connected(struct stream *strm);
/* Returns our address on the server side, or NULL without a server
 * connection (or when the socket cannot tell). Read from the socket on the
 * first call per connection and kept in strm->srv_local: <strm> is const
 * for the log renderer, the cache inside it is not. */
const struct addr *stream_srv_local(const struct stream *strm);
/* Reads that address now, before strm->srvc is let go (parked, closed),
 * when the frontend's log line will print it. */
void stream_keep_srv_local(struct stream *strm);
/* Returns 1 if the client shut its side while its request waits for a
 * server ("option abortonclose" in the backend): the request is given up
 * (HAProxy's CC, CQ, CH), 0 otherwise. */
int stream_client_gave_up(const struct stream *strm);
/* Re-arms the stream's timer on the earliest of its deadlines. */
void stream_update_timer(struct stream *strm);
/* Ends <strm> now with termination code <err>/<fin> (kept if already set):
 * closes both connections; freed at the end of the loop turn. */
void stream_abort(struct stream *strm, char err, char fin);
/* Runs the analysers and forwarding of <strm> (after any event). */
void stream_process(struct stream *strm);
/* Runs the streams woken up by stream_wakeup() (the loop, once per turn). */
void streams_run_queue(struct thr *t);
/* Mode http, for stream_http.c: logs the transaction that just ended
 * (bytes counted first) without ending the stream. */
void stream_log_txn(struct stream *strm);
/* "option logasap": logs <strm> now (once per transaction), before its
 * end: once connected in TCP mode, once the response head is out in HTTP. */
void stream_log_asap(struct stream *strm);
/* Mode http, for stream_http.c: the stream starts over for the next
 * request on the same client connection: backend, server, termination
 * codes, timers, byte counts and txn/req/res variables are reset and the
 * request analysers re-armed (the server connection is already closed). */
void stream_txn_reset(struct stream *strm);
/* Frees <t>'s pool of streams (at exit). */
void streams_pool_free(struct thr *t);

#endif
