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

struct thr;
struct conn;

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
	struct addr srv_local;      /* our address on the server side, once connected */
	struct conn *cli;           /* client connection */
	struct conn *srvc;          /* server connection, or NULL */
	struct chan req, res;
	struct vars vars_sess, vars_txn, vars_req, vars_res;
	uint32_t flags;             /* STRM_F_* (stream.c) */
	int conn_retries;           /* retries left */
	int loglevel;               /* -1 = proxy default; set by TXN.set_loglevel */
	char err, fin;              /* termination code, see above */
	/* timestamps, microseconds since the epoch (log %t, %Tw/%Tc/%Tt) */
	uint64_t t_accept, t_queue, t_connect, t_close;
	void *lua;                  /* per-stream Lua state, private to lua/ */
	void *http;                 /* per-transaction HTTP state, HTTP issue */
	uint32_t gen;               /* generation, for Lua handles (index + generation) */
};

#endif
