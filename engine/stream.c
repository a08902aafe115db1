/* stream.c: streams in TCP mode (stream.h). A stream is accepted by a
 * listener, runs "tcp-request connection" rules, then its request
 * analysers (tcp-request content with inspect-delay, backend selection and
 * connect, via backend.c), then forwards both ways with half-close
 * propagation; "tcp-response content" rules gate the response. Every event
 * (a connection's receive, send or connect, a timer, a wake-up) ends in
 * stream_process(), which is idempotent: it looks at the state and does
 * what can be done now. Streams come from a per-thread pool indexed for
 * stream_from_ref(); an ended stream is freed at the end of the loop turn. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include "engine/stream.h"
#include "engine/thread.h"
#include "engine/conn.h"
#include "engine/listener.h"
#include "engine/backend.h"
#include "engine/rules.h"
#include "engine/hooks.h"
#include "engine/log.h"
#include "engine/logfmt.h"
#include "engine/lb.h"
#include "engine/stream_http.h"
#include "engine/http_cap.h"
#include "engine/stick.h"
#include "engine/splice.h"

/* %ID / %rt: per process, shared by the threads (atomic) */
static uint32_t strm_next_uniq;

uint32_t stream_next_uniq_id(void)
{
	return __atomic_fetch_add(&strm_next_uniq, 1, __ATOMIC_RELAXED);
}

/* -- pool ----------------------------------------------------------------- */

/* Returns a stream slot from <t>'s pool (index and generation set, other
 * fields unset), or NULL. */
static struct stream *strm_alloc(struct thr *t)
{
	struct stream *s;

	if (t->strm_free != UINT32_MAX) {
		s = t->strm_tab[t->strm_free];
		t->strm_free = s->next_free ? s->next_free->idx : UINT32_MAX;
	} else {
		if (t->strm_tab_size % 64 == 0) {
			/* grows by 64 slots: pays only while the pool warms up */
			struct stream **tab = realloc(t->strm_tab, (t->strm_tab_size + 64) * sizeof(*tab));

			if (!tab)
				return NULL;
			t->strm_tab = tab;
		}
		s = malloc(sizeof(*s));
		if (!s)
			return NULL;
		s->idx = t->strm_tab_size;
		s->gen = 0;
		s->caps = NULL;
		t->strm_tab[t->strm_tab_size++] = s;
	}
	s->gen++;
	return s;
}

static void strm_release(struct thr *t, struct stream *s)
{
	s->flags = 0;
	s->next_free = t->strm_free != UINT32_MAX ? t->strm_tab[t->strm_free] : NULL;
	t->strm_free = s->idx;
}

void streams_pool_free(struct thr *t)
{
	for (uint32_t i = 0; i < t->strm_tab_size; i++) {
		http_cap_reset(t->strm_tab[i]);
		free(t->strm_tab[i]);
	}
	free(t->strm_tab);
	t->strm_tab = NULL;
	t->strm_tab_size = 0;
	t->strm_free = UINT32_MAX;
	http_cap_pool_free();
}

struct stream *stream_from_ref(struct thr *t, uint32_t idx, uint32_t gen)
{
	struct stream *s;

	if (idx >= t->strm_tab_size)
		return NULL;
	s = t->strm_tab[idx];
	if (!(s->flags & STRM_F_ALIVE) || s->gen != gen || s->state == STRM_ST_DEAD)
		return NULL;
	return s;
}

static void strm_splice_stop(struct stream *s);

/* -- timers --------------------------------------------------------------- */

/* Returns the deadline <tmo> ms after <now>, or 0 (none) when <tmo> is 0.
 * One more ms: <now> is truncated to the ms, so that a timeout never
 * fires before <tmo> has fully elapsed. */
static inline uint64_t deadline(uint64_t now, uint32_t tmo)
{
	return tmo ? now + tmo + 1 : 0;
}

static inline uint64_t earliest(uint64_t a, uint64_t b)
{
	return !a ? b : !b ? a : a < b ? a : b;
}

void stream_update_timer(struct stream *s)
{
	uint64_t e = 0;

	if (s->state != STRM_ST_CONN)
		e = earliest(e, s->exp_cli);
	e = earliest(e, s->exp_srv);
	e = earliest(e, s->exp_conn);
	e = earliest(e, s->exp_retry);
	e = earliest(e, s->exp_queue);
	if (s->req_ana & STRM_AN_REQ_INSPECT)
		e = earliest(e, s->exp_req_inspect);
	if (s->res_ana & STRM_AN_RES_INSPECT)
		e = earliest(e, s->exp_res_inspect);
	if (e)
		timer_arm(&s->thr->timers, &s->exp, e);
	else
		timer_cancel(&s->thr->timers, &s->exp);
}

/* Inactivity timeouts of each side: "timeout tunnel" replaces both once
 * the server is connected, as HAProxy does in TCP mode. */
static uint32_t tmo_cli(const struct stream *s)
{
	/* "timeout client-fin": once we shut our side towards the client */
	if ((s->res.flags & CHAN_SHUTW) && s->fe->to.client_fin)
		return s->fe->to.client_fin;
	if (s->http && (s->req_ana & STRM_AN_REQ_HTTP))
		return stream_http_cli_tmo(s);
	if (s->state == STRM_ST_DATA && s->be && (s->be->to.tunnel || (s->http && s->to_tunnel)) &&
	    !stream_http_active(s))
		return s->http && s->to_tunnel ? s->to_tunnel : s->be->to.tunnel;
	return s->fe->to.client;
}

static uint32_t tmo_srv(const struct stream *s)
{
	if (!s->be)
		return 0;
	/* "timeout server-fin": once we shut our side towards the server */
	if ((s->req.flags & CHAN_SHUTW) && s->be->to.server_fin)
		return s->be->to.server_fin;
	if ((s->be->to.tunnel || (s->http && s->to_tunnel)) && !stream_http_active(s))
		return s->http && s->to_tunnel ? s->to_tunnel : s->be->to.tunnel;
	return s->http && s->to_server ? s->to_server : s->be->to.server;
}

/* Returns 1 if the client side may time out: it may still send, or bytes
 * wait to be sent to it. Same for the server side. */
static int cli_side_active(const struct stream *s)
{
	return !(s->req.flags & CHAN_SHUTR) || chan_out_len(&s->res) || chan_in_len(&s->res);
}

static int srv_side_active(const struct stream *s)
{
	return s->srvc && (!(s->res.flags & CHAN_SHUTR) || chan_len(&s->req));
}

static char fin_state(const struct stream *s)
{
	switch (s->state) {
	case STRM_ST_INIT:
	case STRM_ST_REQ:  return STRM_FIN_R;
	case STRM_ST_CONN: return STRM_FIN_C;
	default:           return stream_http_wait_rsp(s) ? STRM_FIN_H : STRM_FIN_D;
	}
}

/* TCP data phase: one side's inactivity timeout (<cli>: the client's, else
 * the server's) while the other side is still active. HAProxy closes only
 * that side's reading and passes the close on (a FIN to the other side once
 * what was received is sent); the stream ends when the other side closes
 * or times out too, and the first timeout names the end (cD with the
 * client's 1 s and the server's 2 s, ending at 2 s). Returns 1 if handled,
 * 0 if the stream must end now (HTTP, other states, nothing left). */
static int strm_half_timeout(struct stream *s, int cli)
{
	if (s->state != STRM_ST_DATA || (s->http && stream_http_active(s)) ||
	    !s->srvc || s->shut_how)
		return 0;
	if (cli ? !srv_side_active(s) : !cli_side_active(s))
		return 0;
	if (s->err == STRM_ERR_NONE || !s->err)
		s->err = cli ? STRM_ERR_CLITO : STRM_ERR_SRVTO;
	if (s->fin == STRM_FIN_NONE || !s->fin)
		s->fin = STRM_FIN_D;
	if (cli) {
		s->flags |= STRM_F_CLI_RTO;
		s->req.flags |= CHAN_SHUTR;
		s->exp_cli = 0;
	} else {
		s->flags |= STRM_F_SRV_RTO;
		s->res.flags |= CHAN_SHUTR;
		s->exp_srv = 0;
	}
	return 1;
}

/* Checks the inactivity timeouts of both sides. Returns 1 if the stream
 * ended. Two sides expiring together (within a few ms: both deadlines
 * were set by the same exchange) are blamed as HAProxy 2.6 does in TCP
 * mode (measured): on the server when it never answered a request that
 * was all received with the connection, before the server connection was
 * up (HAProxy re-arms the client's timeout after the server's then: "sD";
 * the connect is faster here, hence 2 ms of slack), else on the client
 * (an idle client, or one that sent after the connect: "cD"). The client
 * timeout does not run while connecting to a server. */
static int strm_check_idle(struct stream *s, uint64_t now)
{
	int cli_x = s->exp_cli && now >= s->exp_cli && s->state != STRM_ST_CONN;
	int srv_x = s->exp_srv && now >= s->exp_srv;

	if (cli_x && !srv_x && s->exp_srv && s->exp_srv <= now + 5 && srv_side_active(s))
		srv_x = 1;
	if (srv_x && !cli_x && s->exp_cli && s->exp_cli <= now + 5 && s->state != STRM_ST_CONN &&
	    cli_side_active(s))
		cli_x = 1;
	if (cli_x && !cli_side_active(s)) {
		s->exp_cli = 0;
		cli_x = 0;
	}
	if (srv_x && !srv_side_active(s)) {
		s->exp_srv = 0;
		srv_x = 0;
	}
	if (!(cli_x && srv_x) && (cli_x || srv_x) && strm_half_timeout(s, cli_x))
		return 0;
	if (cli_x && srv_x) {
		if (s->res.total_in || (s->be && s->be->to.tunnel && !stream_http_active(s)) ||
		    !s->req_early_in || s->req.total_in != s->req_early_in)
			srv_x = 0;
		else
			cli_x = 0;
	}
	if (s->http && stream_http_active(s)) {
		if (cli_x && (s->req_ana & STRM_AN_REQ_HTTP) && s->state == STRM_ST_REQ) {
			stream_http_req_timeout(s);
			return 1;
		}
		if (cli_x && s->state == STRM_ST_DATA && stream_http_wait_rsp(s) && !srv_x) {
			/* the request is sent: the server has the next move */
			s->exp_cli = 0;
			cli_x = 0;
		}
		if (srv_x && stream_http_wait_rsp(s)) {
			stream_http_error(s, 504, STRM_ERR_SRVTO, STRM_FIN_H);
			return 1;
		}
	}
	if (cli_x)
		stream_abort(s, STRM_ERR_CLITO, fin_state(s));
	else if (srv_x)
		stream_abort(s, STRM_ERR_SRVTO, fin_state(s));
	return cli_x || srv_x;
}

/* No server could be reached: HTTP answers 503, TCP closes. */
static void strm_fail(struct stream *s, char err, char fin)
{
	if (s->http && stream_http_active(s))
		stream_http_error(s, 503, err, fin);
	else
		stream_abort(s, err, fin);
}

static void strm_expire(struct timer *tm)
{
	struct stream *s = container_of(tm, struct stream, exp);
	uint64_t now = s->thr->now_ms;

	if (s->state == STRM_ST_DEAD)
		return;
	if (s->exp_req_inspect && now >= s->exp_req_inspect) {
		s->exp_req_inspect = 0;
		s->flags |= STRM_F_REQ_FINAL;
	}
	if (s->exp_res_inspect && now >= s->exp_res_inspect) {
		s->exp_res_inspect = 0;
		s->flags |= STRM_F_RES_FINAL;
	}
	if (s->exp_conn && now >= s->exp_conn && s->state == STRM_ST_CONN) {
		s->exp_conn = 0;
		if (backend_retry(s, ETIMEDOUT) < 0) {
			strm_fail(s, STRM_ERR_SRVTO, STRM_FIN_C);
			return;
		}
	}
	if (s->exp_queue && now >= s->exp_queue && (s->flags & STRM_F_QUEUED)) {
		backend_unqueue(s);
		strm_fail(s, STRM_ERR_SRVTO, STRM_FIN_Q);
		return;
	}
	if (s->exp_retry && now >= s->exp_retry) {
		s->exp_retry = 0;
		if (backend_connect(s) < 0) {
			strm_fail(s, STRM_ERR_SRVCL, STRM_FIN_C);
			return;
		}
	}
	if (strm_check_idle(s, now))
		return;
	stream_process(s);
}

/* -- life ----------------------------------------------------------------- */

static void strm_getaddr(int fd, struct addr *a, int peer)
{
	a->len = sizeof(a->u.ss);
	if ((peer ? getpeername(fd, &a->u.sa, &a->len) : getsockname(fd, &a->u.sa, &a->len)) < 0) {
		a->u.sa.sa_family = AF_UNSPEC;
		a->len = 0;
	}
}

const struct addr *stream_srv_local(const struct stream *strm)
{
	struct stream *s = (struct stream *)strm;   /* the cache only */

	/* kept once read: the log may come after the connection was let go */
	if (!s->srv_local.len && s->srvc && s->srvc->fd >= 0)
		strm_getaddr(s->srvc->fd, &s->srv_local, 0);
	return s->srv_local.len ? &s->srv_local : NULL;
}

void stream_keep_srv_local(struct stream *s)
{
	if (s->srvc && (s->srvc->flags & CONN_F_CONNECTED) && logfmt_reads_srv_local(s->fe->logfmt))
		(void)stream_srv_local(s);
}

/* Returns 1 if <a> is an IPv4/IPv6 wildcard address (or not IP at all:
 * unix sockets report their own path through getsockname). */
static int addr_is_wildcard(const struct addr *a)
{
	if (a->u.sa.sa_family == AF_INET)
		return a->u.in4.sin_addr.s_addr == htonl(INADDR_ANY);
	if (a->u.sa.sa_family == AF_INET6)
		return IN6_IS_ADDR_UNSPECIFIED(&a->u.in6.sin6_addr);
	return 1;
}

/* Returns 1 if <t> or frontend <px> is at its maxconn. */
static int at_maxconn(const struct thr *t, const struct proxy *px)
{
	int gmax = t->cfg->g.maxconn;

	return (gmax > 0 && t->cur_conn >= (uint32_t)gmax) ||
	       (px->maxconn > 0 && px->fe_cur_conn >= (uint32_t)px->maxconn);
}

/* The next close of <c> sends a reset instead of a FIN. */
static void strm_nolinger(struct conn *c)
{
	struct linger nolinger = { .l_onoff = 1, .l_linger = 0 };

	if (c->fd >= 0)
		setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &nolinger, sizeof(nolinger));
}

struct stream *stream_accept(struct listener *l, int fd)
{
	struct thr *t = l->thr;
	struct proxy *fe = l->px;
	struct stream *s;
	uint32_t limit = t->bufsize * 4;

	if (!(s = strm_alloc(t)))
		goto fail;
	s->thr = t;
	s->uniq_id = stream_next_uniq_id();
	s->last_rule_file = NULL;
	s->last_rule_line = 0;
	s->pp_uid_len = 0;
	s->svc_name = NULL;
	s->fe = fe;
	s->be = NULL;
	s->srv = NULL;
	s->bind = l->bind;
	s->li = l;
	strm_getaddr(fd, &s->cli_addr, 1);
	if (l->bind->fd < 0 && !addr_is_wildcard(&l->bind->addr))
		s->fe_addr = l->bind->addr;     /* a specific address: no syscall */
	else
		strm_getaddr(fd, &s->fe_addr, 0);
	memset(&s->srv_local, 0, sizeof(s->srv_local));
	memset(&s->srv_addr, 0, sizeof(s->srv_addr));
	chan_init(&s->req, &t->pool, limit);
	chan_init(&s->res, &t->pool, limit);
	memset(&s->vars_sess, 0, sizeof(s->vars_sess));
	memset(&s->vars_txn, 0, sizeof(s->vars_txn));
	memset(&s->vars_req, 0, sizeof(s->vars_req));
	memset(&s->vars_res, 0, sizeof(s->vars_res));
	s->flags = STRM_F_ALIVE;
	s->conn_retries = 0;
	s->prx_queue_pos = 0;
	s->loglevel = -1;
	s->err = STRM_ERR_NONE;
	s->fin = STRM_FIN_NONE;
	s->t_accept = t->now_us;
	s->t_queue = s->t_connect = s->t_close = 0;
	s->req_early_in = 0;
	s->lua = NULL;
	s->http = NULL;
	s->state = STRM_ST_INIT;
	s->req_ana = s->res_ana = 0;
	s->shut_how = 0;
	timer_init(&s->exp, strm_expire);
	s->exp_cli = s->exp_srv = s->exp_conn = s->exp_retry = s->exp_queue = 0;
	s->next_queued = NULL;
	s->exp_req_inspect = s->exp_res_inspect = 0;
	s->req_rule_pos = s->res_rule_pos = 0;
	s->next_run = NULL;
	s->in_runq = 0;
	s->connects = 0;
	s->counted_in = s->counted_out = 0;
	s->proxy_hdr_len = 0;
	s->spl[STRM_DIR_REQ] = s->spl[STRM_DIR_RES] = NULL;
	stick_stream_init(s);
	s->srvc = NULL;
	s->cli = conn_new(t, fd, &s->req, &s->res, s, stream_conn_event);
	if (!s->cli)
		goto fail_strm;
	if (l->bind->tls_ctx && conn_tls_start(s->cli, l->bind->tls_ctx, NULL) < 0) {
		conn_close(s->cli);          /* closes <fd> */
		strm_release(t, s);
		return NULL;
	}
	if (l->bind->tls_ctx && l->bind->accept_proxy)
		conn_tls_defer(s->cli);      /* the PROXY header comes in clear first */

	if (fe->options & (PXO_TCPKA | PXO_CLITCPKA)) {
		int one = 1;

		setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
	}
	t->cur_conn++;
	t->nb_streams++;
	fe->fe_cur_conn++;
	fe->fe_cum_conn++;
	l->cur_conn++;
	if (at_maxconn(t, fe))
		listeners_update(t);

	switch (rules_exec_tcp_req_conn(s)) {
	case RULE_REJECT:
	case RULE_ERR:
		/* closed before the session exists, with a reset: no log, as HAProxy */
		s->flags |= STRM_F_NOLOG;
		strm_nolinger(s->cli);
		stream_abort(s, s->err != STRM_ERR_NONE ? s->err : STRM_ERR_PRXCOND, STRM_FIN_R);
		return s;
	default:
		break;
	}
	s->state = STRM_ST_REQ;
	s->req_ana = STRM_AN_REQ_INSPECT | STRM_AN_REQ_SWITCH;
	if (fe->mode == PX_MODE_HTTP && stream_http_attach(s) == 0)
		s->req_ana |= STRM_AN_REQ_HTTP | STRM_AN_REQ_HTTP_RULES;
	if (l->bind->accept_proxy)
		s->req_ana |= STRM_AN_REQ_PROXY;
	s->exp_cli = deadline(t->now_ms, tmo_cli(s));
	conn_recv_start(s->cli);
	if (s->cli->tls)
		stream_update_timer(s);   /* the session starts once the handshake is done
		                           * (conn.c reports it as a receive), as HAProxy's */
	else
		stream_process(s);
	return s;
fail_strm:
	s->flags = 0;
	strm_release(t, s);
fail:
	close(fd);
	return NULL;
}

static void runq_push(struct stream *s)
{
	struct thr *t = s->thr;

	if (s->in_runq)
		return;
	s->in_runq = 1;
	s->next_run = t->runq;
	t->runq = s;
}

void stream_wakeup(struct stream *s)
{
	if (s->state != STRM_ST_DEAD)
		runq_push(s);
}

/* Adds the bytes received since the last call to the counters of the
 * stream's proxies and server (kept current for the stats). */
static void strm_count_bytes(struct stream *s)
{
	uint64_t in = s->req.total_in - s->counted_in, out = s->res.total_in - s->counted_out;

	/* before the backend is known, wait: the backend gets them too */
	if ((!in && !out) || (!s->be && s->state != STRM_ST_DEAD))
		return;
	s->counted_in = s->req.total_in;
	s->counted_out = s->res.total_in;
	s->fe->bytes_in += in;
	s->fe->bytes_out += out;
	if (s->be && s->be != s->fe) {
		s->be->bytes_in += in;
		s->be->bytes_out += out;
	}
	if (s->srv) {
		s->srv->bytes_in += in;
		s->srv->bytes_out += out;
	}
}

/* HAProxy's "beconn" (%bc, be_conn, the backend's scur and stot): the
 * streams a backend was chosen for, queued or connected, until their log
 * line, which no longer counts its own stream. <on>: 1 when the backend is
 * chosen, 0 when the stream (or its transaction) ends. */
static void strm_be_count(struct stream *s, int on)
{
	if (on && s->be && !(s->flags & STRM_F_BE_COUNTED)) {
		s->be->be_cur_conn++;
		s->be->be_cum_conn++;
		freq_ctr_add(&s->be->be_sess_rate, 1000, (uint32_t)s->thr->now_ms, 1);
		s->flags |= STRM_F_BE_COUNTED;
	} else if (!on && (s->flags & STRM_F_BE_COUNTED)) {
		if (s->be && s->be->be_cur_conn)
			s->be->be_cur_conn--;
		s->flags &= ~STRM_F_BE_COUNTED;
	}
}

/* Ends <s>: logs it, releases its connections and counters. The slot goes
 * back to the pool at the end of the loop turn. */
static void strm_end(struct stream *s)
{
	struct thr *t = s->thr;
	const char *tls_fail;
	int was_full;

	if (s->state == STRM_ST_DEAD)
		return;
	s->state = STRM_ST_DEAD;
	s->t_close = t->now_us;
	timer_cancel(&t->timers, &s->exp);
	/* "option nolinger": close with a reset, dropping unsent data */
	if ((s->fe->options & PXO_NOLINGER) && s->cli)
		strm_nolinger(s->cli);
	if (s->be && (s->be->options & PXO_NOLINGER) && s->srvc)
		strm_nolinger(s->srvc);
	/* a TLS handshake that never completed, a PROXY header that never
	 * came: HAProxy's connection log line rather than a stream's */
	tls_fail = s->cli ? conn_tls_hs_fail(s->cli) : NULL;
	if (!tls_fail && (s->req_ana & STRM_AN_REQ_PROXY) && s->cli)
		tls_fail = s->err == STRM_ERR_CLITO ? "Timeout while waiting for PROXY protocol header" :
		           (s->cli->flags & CONN_F_RX_ERR) ? "Connection error while waiting for PROXY protocol header" :
		           "Connection closed while waiting for PROXY protocol header";
	strm_count_bytes(s);
	stick_stream_end(s);
	strm_be_count(s, 0);
	if (!(s->flags & (STRM_F_NOLOG | STRM_F_LOGGED))) {
		s->flags |= STRM_F_LOGGED;
		if (tls_fail)
			listener_log_hs_fail(s, tls_fail);
		else
			log_stream(s);
	}
	/* after the log: a closed connection may be freed at once, and the
	 * log reads its TLS session (%sslv, ssl_fc_* in log-format) */
	strm_splice_stop(s);
	conn_close(s->cli);
	conn_close(s->srvc);
	if (lua_hooks.stream_release && s->lua)
		lua_hooks.stream_release(s);
	backend_release(s);
	s->cli = s->srvc = NULL;
	was_full = at_maxconn(t, s->fe);
	t->cur_conn--;
	s->fe->fe_cur_conn--;
	if (s->li)
		s->li->cur_conn--;
	if (was_full || t->stopping)
		listeners_update(t);
	runq_push(s);
}

void stream_abort(struct stream *s, char err, char fin)
{
	if (s->state == STRM_ST_DEAD)
		return;
	if (s->err == STRM_ERR_NONE || !s->err)
		s->err = err;
	if (s->fin == STRM_FIN_NONE || !s->fin)
		s->fin = fin;
	strm_end(s);
}

/* Frees an ended stream: what it still holds goes back to the pools. */
static void strm_free(struct stream *s)
{
	struct thr *t = s->thr;

	vars_clear(&s->vars_sess);
	vars_clear(&s->vars_txn);
	vars_clear(&s->vars_req);
	vars_clear(&s->vars_res);
	chan_reset(&s->req);
	chan_reset(&s->res);
	stream_http_detach(s);
	http_cap_reset(s);
	t->nb_streams--;
	strm_release(t, s);
}

void streams_run_queue(struct thr *t)
{
	struct stream *s = t->runq, *n;

	t->runq = NULL;
	for (; s; s = n) {
		n = s->next_run;
		s->in_runq = 0;
		if (s->state == STRM_ST_DEAD)
			strm_free(s);
		else
			stream_process(s);
	}
}

void streams_kill_all(struct thr *t)
{
	for (uint32_t i = 0; i < t->strm_tab_size; i++) {
		struct stream *s = t->strm_tab[i];

		if ((s->flags & STRM_F_ALIVE) && s->state != STRM_ST_DEAD)
			stream_abort(s, STRM_ERR_KILLED, fin_state(s));
	}
	streams_run_queue(t);
}

/* -- events --------------------------------------------------------------- */

void stream_srv_connected(struct stream *s)
{
	uint64_t now = s->thr->now_ms;

	s->t_connect = s->thr->now_us;
	s->req_early_in = s->req.total_in;
	s->exp_conn = 0;
	s->state = STRM_ST_DATA;
	/* read when asked: a keep-alive connection is "connected" again for
	 * every request, and a getsockname() per request is a syscall nothing
	 * reads unless a log format or a fetch wants %bi/%bp/bc_src */
	s->srv_local.len = 0;
	s->exp_srv = deadline(now, tmo_srv(s));
	/* rules.c answers at once when there are no rules */
	s->res_ana |= s->http ? STRM_AN_RES_HTTP : STRM_AN_RES_INSPECT;
	s->exp_res_inspect = deadline(now, s->be->tcp_res_inspect_delay);
	s->exp_cli = deadline(now, tmo_cli(s));
	/* "option logasap" in TCP mode: logged once connected, as HAProxy */
	if (!s->http)
		stream_log_asap(s);
}

void stream_conn_event(struct conn *c, unsigned ev)
{
	struct stream *s = c->owner;
	uint64_t now = s->thr->now_ms;

	if (ev & CONN_EV_RECV)
		strm_count_bytes(s);
	/* a side whose read timed out is no longer read (strm_half_timeout):
	 * what it still sends is dropped, as HAProxy leaves it unread */
	int rto = (c == s->cli && (s->flags & STRM_F_CLI_RTO)) ||
	          (c == s->srvc && (s->flags & STRM_F_SRV_RTO));

	if ((ev & CONN_EV_RECV) && rto) {
		struct chan *ch = c == s->cli ? &s->req : &s->res;

		if (chan_in_len(ch))
			chan_replace_in(ch, 0, chan_in_len(ch), NULL, 0);
	}
	/* a side's timeout restarts on what it sends us, and on what it takes
	 * from us unless "option independent-streams" */
	unsigned act = CONN_EV_RECV;

	if (!((s->be ? s->be : s->fe)->options & PXO_INDEPENDENT_STREAMS))
		act |= CONN_EV_SENT;
	if (rto)
		act = 0;    /* its timer does not restart */
	if (c == s->cli) {
		if (ev & act)
			s->exp_cli = deadline(now, tmo_cli(s));
		/* a request that came with the connection (strm_check_idle) */
		if ((ev & CONN_EV_RECV) && (s->state < STRM_ST_DATA ||
		    (s->t_connect && s->thr->now_us <= s->t_connect + 2000)))
			s->req_early_in = s->req.total_in;
		if (ev & CONN_EV_ERROR) {
			stream_abort(s, STRM_ERR_CLICL, fin_state(s));
			return;
		}
	} else if (c == s->srvc) {
		if (ev & CONN_EV_CONNECTED)
			stream_srv_connected(s);
		if ((ev & CONN_EV_ERROR) && s->state == STRM_ST_CONN) {
			if (backend_retry(s, c->err ? c->err : ECONNREFUSED) < 0)
				strm_fail(s, STRM_ERR_SRVCL, STRM_FIN_C);
			else
				stream_update_timer(s);
			return;
		}
		if (ev & CONN_EV_ERROR) {
			stream_abort(s, STRM_ERR_SRVCL, fin_state(s));
			return;
		}
		if (ev & act)
			s->exp_srv = deadline(now, tmo_srv(s));
	}
	stream_process(s);
}

/* -- analysers ------------------------------------------------------------ */

/* Runs the request analysers. Returns 0 to go on, -1 when the stream must
 * wait (or ended). */
/* Returns HAProxy 2.6's reason for refusing the start <buf>/<n> of a
 * connection on an "accept-proxy" bind, given the parser's verdict <r>
 * (0: incomplete, -1: invalid). HAProxy decides on the first bytes it
 * receives: a header they do not complete is "truncated". */
static const char *strm_proxy_hdr_err(const char *buf, size_t n, int r)
{
	static const char sig[12] = "\r\n\r\n\0\r\nQUIT\n";
	const char *p;

	if (n < 6)
		return "Truncated PROXY protocol header received";
	if (!memcmp(buf, "PROXY ", 6)) {
		/* HAProxy looks for the CRLF: a bare LF does not end the line */
		if (r == 0 || (n < 107 && !memmem(buf, n, "\r\n", 2)))
			return "Truncated PROXY protocol header received";
		p = buf + 6;
		if ((n >= 10 && (!memcmp(p, "TCP4", 4) || !memcmp(p, "TCP6", 4))) ||
		    (n >= 13 && !memcmp(p, "UNKNOWN", 7)))
			return "Received an invalid PROXY protocol header";
		return "Received an unhandled protocol in the PROXY protocol header";
	}
	if (n < 16)
		return "Truncated PROXY protocol header received";
	if (memcmp(buf, sig, sizeof(sig)) || (buf[12] & 0xf0) != 0x20 || (buf[12] & 0x0f) > 1)
		return "Received something which does not look like a PROXY protocol header";
	if (r == 0)
		return "Truncated PROXY protocol header received";
	return "Received an invalid PROXY protocol header";
}

/* "accept-proxy": takes the PROXY protocol header off the request, the
 * addresses it carries replacing the connection's. Returns 0 when done,
 * -1 to wait for more bytes or when the stream ended. A bad or truncated
 * header resets the connection with HAProxy's connection log line
 * ("<ip>:<port> [date] fe/1: Received an invalid PROXY protocol header"),
 * not a stream log line. */
static int strm_proxy_hdr(struct stream *s)
{
	char buf[512];
	const char *uid;
	size_t n = chan_copy_in(&s->req, 0, buf, sizeof(buf)), need;
	int ul;
	int r = listener_proxy_hdr_parse(buf, n, &s->cli_addr, &s->fe_addr, &need);

	/* a v2 header with TLVs longer than <buf>: the addresses are in it */
	if (r == 0 && need > sizeof(buf) && n >= 52 && chan_in_len(&s->req) >= need)
		r = listener_proxy_hdr_parse(buf, need, &s->cli_addr, &s->fe_addr, &need);
	if (r == 0 && !n && !(s->req.flags & CHAN_SHUTR))
		return -1;
	if (r <= 0) {
		/* HAProxy resets such a connection */
		if (n)
			listener_log_hs_fail(s, strm_proxy_hdr_err(buf, n, r));
		else
			listener_log_hs_fail(s, "Connection closed while waiting for PROXY protocol header");
		s->flags |= STRM_F_NOLOG;
		strm_nolinger(s->cli);
		stream_abort(s, STRM_ERR_PRXCOND, STRM_FIN_R);
		return -1;
	}
	/* fc_pp_unique_id: a v2 header's unique id TLV, when <buf> holds it */
	ul = listener_pp2_tlv(buf, n < (size_t)r ? n : (size_t)r, 0x05, &uid);
	if (ul > 0 && ul <= (int)sizeof(s->pp_uid)) {
		memcpy(s->pp_uid, uid, (size_t)ul);
		s->pp_uid_len = (uint8_t)ul;
	}
	chan_replace_in(&s->req, 0, (size_t)r, NULL, 0);
	s->req.total_in -= (uint64_t)r;     /* not payload: not counted */
	s->req_ana &= ~STRM_AN_REQ_PROXY;
	if (s->cli->tls)
		conn_tls_resume(s->cli);     /* "accept-proxy ssl": TLS from here on */
	return 0;
}

static int strm_req_analyse(struct stream *s)
{
	struct thr *t = s->thr;
	enum rule_res r;

	if ((s->req_ana & STRM_AN_REQ_PROXY) && strm_proxy_hdr(s) < 0)
		return -1;
	if ((s->req_ana & STRM_AN_REQ_HTTP) && stream_http_wait_req(s) < 0)
		return -1;

	if (s->req_ana & STRM_AN_REQ_INSPECT) {
		struct proxy *px = s->be ? s->be : s->fe;
		int final = !!(s->flags & STRM_F_REQ_FINAL);

		if (!s->exp_req_inspect && !final && px->tcp_req_inspect_delay)
			s->exp_req_inspect = deadline(t->now_ms, px->tcp_req_inspect_delay);
		r = rules_exec_tcp_req_content(s, final);
		if (s->shut_how) {
			/* txn:done() / TXN.close: stream_shutdown() took over */
			stream_wakeup(s);
			return -1;
		}
		switch (r) {
		case RULE_CONTINUE:
			s->req_ana &= ~STRM_AN_REQ_INSPECT;
			s->exp_req_inspect = 0;
			s->flags &= ~STRM_F_REQ_FINAL;
			break;
		case RULE_WAIT:
			if (s->cli->flags & (CONN_F_RX_ERR)) {
				stream_abort(s, STRM_ERR_CLICL, STRM_FIN_R);
				return -1;
			}
			return -1;
		case RULE_YIELD:
			return -1;
		case RULE_REJECT:
		case RULE_CLOSE:
		case RULE_REPLY:      /* HTTP rules only */
			stream_abort(s, STRM_ERR_PRXCOND, STRM_FIN_R);
			return -1;
		case RULE_ERR:
			stream_abort(s, STRM_ERR_INTERNAL, STRM_FIN_R);
			return -1;
		}
	}
	if ((s->req_ana & STRM_AN_REQ_HTTP_RULES) && stream_http_req_rules(s) < 0)
		return -1;
	if (s->req_ana & STRM_AN_REQ_SWITCH) {
		s->req_ana &= ~STRM_AN_REQ_SWITCH;
		if (backend_select(s) < 0) {
			/* no backend: HAProxy's TCP mode closes the client, its HTTP
			 * mode answers 503 as a server-side failure to connect (SC) */
			if (s->http)
				stream_http_error(s, 503, STRM_ERR_SRVCL, STRM_FIN_C);
			else
				stream_abort(s, STRM_ERR_PRXCOND, STRM_FIN_R);
			return -1;
		}
		strm_be_count(s, 1);
		if (s->http)
			s->req_ana |= STRM_AN_REQ_HTTP_FINAL;
		if (s->be != s->fe) {
			/* the backend's own tcp-request content rules */
			s->req_ana |= STRM_AN_REQ_INSPECT | STRM_AN_REQ_CONNECT;
			if (s->http)
				s->req_ana |= STRM_AN_REQ_HTTP_RULES;
			s->req_rule_pos = 0;
			return strm_req_analyse(s);
		}
		s->req_ana |= STRM_AN_REQ_CONNECT;
	}
	if (s->req_ana & STRM_AN_REQ_HTTP_FINAL)
		stream_http_req_final(s);
	if (s->req_ana & STRM_AN_REQ_CONNECT) {
		int ret;

		s->req_ana &= ~STRM_AN_REQ_CONNECT;
		s->state = STRM_ST_CONN;
		ret = backend_connect(s);
		if (ret < 0) {
			strm_fail(s, STRM_ERR_SRVCL, STRM_FIN_C);
			return -1;
		}
		(void)ret;
	}
	return 0;
}

/* Runs the response analysers. Returns 0 when the response may be forwarded. */
static int strm_res_analyse(struct stream *s)
{
	enum rule_res r;
	int final;

	if (!(s->res_ana & STRM_AN_RES_INSPECT))
		return 0;
	final = !!(s->flags & STRM_F_RES_FINAL);
	r = rules_exec_tcp_res_content(s, final);
	if (s->shut_how) {
		stream_wakeup(s);
		return -1;
	}
	switch (r) {
	case RULE_CONTINUE:
		s->res_ana &= ~STRM_AN_RES_INSPECT;
		s->exp_res_inspect = 0;
		return 0;
	case RULE_WAIT:
	case RULE_YIELD:
		return -1;
	case RULE_CLOSE:
		/* close the server side; what was received is still forwarded */
		strm_splice_stop(s);
		s->res_ana &= ~STRM_AN_RES_INSPECT;
		s->res.flags |= CHAN_SHUTR;
		s->req.flags |= CHAN_SHUTW;
		conn_close(s->srvc);
		s->srvc = NULL;
		return 0;
	case RULE_REJECT:
		stream_abort(s, STRM_ERR_PRXCOND, STRM_FIN_D);
		return -1;
	default:
		stream_abort(s, STRM_ERR_INTERNAL, STRM_FIN_D);
		return -1;
	}
}

/* -- splicing ------------------------------------------------------------- */

/* Returns 1 if direction <dir> of <s> should move to kernel splicing now:
 * plain TCP forwarding with nothing left to analyse, no Lua, no TLS, and
 * either forced ("option splice-request/response") or bulk traffic with
 * "option splice-auto" (on by default): a receive filled the channel. */
static int strm_splice_wanted(const struct stream *s, int dir)
{
	const struct chan *ch = dir == STRM_DIR_REQ ? &s->req : &s->res;
	uint32_t o = s->fe->options | s->be->options;
	uint32_t force = dir == STRM_DIR_REQ ? PXO_SPLICE_REQUEST : PXO_SPLICE_RESPONSE;

	if (!(o & force) && !((o & PXO_SPLICE_AUTO) && chan_is_full(ch)))
		return 0;
	if (s->http || s->lua || s->shut_how ||
	    s->fe->mode != PX_MODE_TCP || s->be->mode != PX_MODE_TCP)
		return 0;
	if ((dir == STRM_DIR_REQ ? s->req_ana : s->res_ana) || (ch->flags & (CHAN_SHUTR | CHAN_SHUTW)) ||
	    (s->flags & (STRM_F_CLI_RTO | STRM_F_SRV_RTO)))
		return 0;
	return s->srvc && (s->srvc->flags & CONN_F_CONNECTED) && !s->cli->tls && !s->srvc->tls;
}

/* Moves direction <dir> to splicing when wanted and a pipe is free, and
 * drives it once it is. Returns 0 or -errno (ring full). */
static int strm_splice(struct stream *s, int dir)
{
	struct spipe **p = &s->spl[dir];

	if (!*p) {
		if (!strm_splice_wanted(s, dir))
			return 0;
		*p = dir == STRM_DIR_REQ ? spipe_get(s->thr, &s->req, s->cli, s->srvc) :
		                           spipe_get(s->thr, &s->res, s->srvc, s->cli);
		if (!*p)
			return 0;     /* no pipe: the copy path goes on */
	}
	return spipe_pump(*p);
}

/* Returns the bytes of direction <dir> waiting in its pipe. */
static uint32_t strm_spliced_len(const struct stream *s, int dir)
{
	return s->spl[dir] ? spipe_len(s->spl[dir]) : 0;
}

/* Gives the pipes back, before a connection of <s> closes. */
static void strm_splice_stop(struct stream *s)
{
	spipe_put(s->spl[STRM_DIR_REQ]);
	spipe_put(s->spl[STRM_DIR_RES]);
	s->spl[STRM_DIR_REQ] = s->spl[STRM_DIR_RES] = NULL;
}

/* Forwards, propagates half-closes, resumes paused receives and detects
 * the end of the stream in the data phase. */
static void strm_forward(struct stream *s)
{
	struct conn *cli = s->cli, *srv = s->srvc;
	int req_done, res_done;

	/* request: client -> server */
	if (srv && !(s->req.flags & CHAN_SHUTW)) {
		if (!s->req_ana)
			chan_forward(&s->req, chan_in_len(&s->req));
		if (conn_send(srv) < 0 || strm_splice(s, STRM_DIR_REQ) < 0) {
			stream_abort(s, STRM_ERR_INTERNAL, STRM_FIN_D);
			return;
		}
		if ((s->req.flags & CHAN_SHUTR) && !chan_len(&s->req) && !strm_spliced_len(s, STRM_DIR_REQ)) {
			conn_shutw(srv);
			if ((s->req.flags & CHAN_SHUTW) && s->be->to.server_fin)
				s->exp_srv = deadline(s->thr->now_ms, tmo_srv(s));
		}
	} else if (!srv && chan_len(&s->req) && s->state == STRM_ST_DATA) {
		chan_reset(&s->req);      /* the server side is gone: nowhere to send */
	}
	/* response: server -> client */
	if (!(s->res.flags & CHAN_SHUTW)) {
		if (strm_res_analyse(s) < 0 && (s->state == STRM_ST_DEAD || s->shut_how))
			return;
		if (!s->res_ana)
			chan_forward(&s->res, chan_in_len(&s->res));
		if (conn_send(cli) < 0 || strm_splice(s, STRM_DIR_RES) < 0) {
			stream_abort(s, STRM_ERR_INTERNAL, STRM_FIN_D);
			return;
		}
		if ((s->res.flags & CHAN_SHUTR) && !chan_len(&s->res) && !strm_spliced_len(s, STRM_DIR_RES)) {
			conn_shutw(cli);
			if ((s->res.flags & CHAN_SHUTW) && s->fe->to.client_fin)
				s->exp_cli = deadline(s->thr->now_ms, tmo_cli(s));
		}
	}
	/* a producer paused by backpressure resumes once there is room */
	conn_recv_start(cli);
	srv = s->srvc;
	if (srv)
		conn_recv_start(srv);

	/* the client went away abruptly: nothing more can be delivered */
	if (cli->flags & (CONN_F_RX_ERR | CONN_F_TX_ERR)) {
		stream_abort(s, STRM_ERR_CLICL, STRM_FIN_D);
		return;
	}
	/* a reset server ends the stream at once with "SD", as HAProxy: what
	 * it sent before still goes to the client, unsent request bytes are lost */
	if (srv && (srv->flags & CONN_F_RX_ERR)) {
		int req_left = chan_len(&s->req) || strm_spliced_len(s, STRM_DIR_REQ);

		/* what it sent before, in the response's pipe, goes out first */
		if (!req_left && strm_spliced_len(s, STRM_DIR_RES))
			return;
		if (req_left || !chan_out_len(&s->res)) {
			stream_abort(s, STRM_ERR_SRVCL, STRM_FIN_D);
			return;
		}
		if (s->err == STRM_ERR_NONE || !s->err)
			s->err = STRM_ERR_SRVCL;
		if (s->fin == STRM_FIN_NONE || !s->fin)
			s->fin = STRM_FIN_D;
		stream_shutdown(s, STRM_SHUT_DONE);
		return;
	}
	req_done = (s->req.flags & CHAN_SHUTR) && (!srv || (srv->flags & (CONN_F_SHUTW | CONN_F_RX_ERR)));
	res_done = (s->res.flags & CHAN_SHUTR) && (cli->flags & CONN_F_SHUTW);
	if (req_done && res_done)
		strm_end(s);
}

int stream_client_gave_up(const struct stream *s)
{
	return s->be && (s->be->options & PXO_ABORTONCLOSE) && (s->req.flags & CHAN_SHUTR);
}

/* Mode http, outside the data phase: the previous response (or a rule's
 * reply) may still be on its way to the client. */
static void strm_http_flush(struct stream *s)
{
	if (s->http && s->state != STRM_ST_DEAD && s->state != STRM_ST_DATA && !s->shut_how &&
	    chan_out_len(&s->res) && conn_send(s->cli) < 0)
		stream_abort(s, STRM_ERR_CLICL, fin_state(s));
}

void stream_process(struct stream *s)
{
	if (s->state == STRM_ST_DEAD)
		return;
	if (s->shut_how == STRM_SHUT_DONE) {
		/* send what is queued to the client, then close */
		chan_forward(&s->res, 0);
		if (conn_send(s->cli) < 0 || (s->cli->flags & (CONN_F_TX_ERR | CONN_F_RX_ERR))) {
			strm_end(s);
			return;
		}
		/* a large response (mode http keep-alive ending on the client's
		 * close) may need several sends: end once it is all out */
		if (chan_out_len(&s->res) || (s->cli->flags & CONN_F_TX_BUSY)) {
			stream_update_timer(s);
			return;
		}
		conn_shutw(s->cli);
		if (s->cli->flags & CONN_F_SHUTW)
			strm_end(s);
		return;
	}
	if (s->state == STRM_ST_REQ) {
		/* the client aborted before anything was forwarded (quietly
		 * between two requests of a kept-alive connection) */
		if (s->cli->flags & CONN_F_RX_ERR) {
			if (s->http && stream_http_idle(s))
				s->flags |= STRM_F_NOLOG;
			stream_abort(s, STRM_ERR_CLICL, STRM_FIN_R);
			return;
		}
		if (strm_req_analyse(s) < 0) {
			if (s->state != STRM_ST_DEAD && !s->shut_how)
				strm_http_flush(s);
			if (s->state != STRM_ST_DEAD)
				stream_update_timer(s);
			return;
		}
	}
	if (s->state == STRM_ST_CONN) {
		char fin = (s->flags & STRM_F_QUEUED) ? STRM_FIN_Q : STRM_FIN_C;

		if ((s->cli->flags & (CONN_F_RX_ERR | CONN_F_TX_ERR)) || stream_client_gave_up(s)) {
			backend_unqueue(s);     /* before the log: %Tw */
			stream_abort(s, STRM_ERR_CLICL, fin);
			return;
		}
		/* dequeued: a server slot is free, try again */
		if (!s->srvc && !(s->flags & STRM_F_QUEUED) && !s->exp_retry &&
		    backend_connect(s) < 0) {
			stream_abort(s, STRM_ERR_SRVCL, STRM_FIN_Q);
			return;
		}
	}
	if (s->state == STRM_ST_DATA && (!s->http || stream_http_forward(s) == 1) &&
	    s->state == STRM_ST_DATA)
		strm_forward(s);
	strm_http_flush(s);
	if (s->state != STRM_ST_DEAD)
		stream_update_timer(s);
}

void stream_log_asap(struct stream *s)
{
	if ((s->fe->options & PXO_LOGASAP) && !(s->flags & (STRM_F_NOLOG | STRM_F_LOGGED))) {
		strm_count_bytes(s);
		s->flags |= STRM_F_LOGGED;
		log_stream(s);
	}
}

void stream_log_txn(struct stream *s)
{
	strm_count_bytes(s);
	strm_be_count(s, 0);
	if (!(s->flags & (STRM_F_NOLOG | STRM_F_LOGGED)))
		log_stream(s);
	s->flags &= ~STRM_F_LOGGED;
}

void stream_txn_reset(struct stream *s)
{
	struct thr *t = s->thr;

	strm_count_bytes(s);
	stick_stream_txn_end(s);
	/* Lua: a new TXN object for the next transaction, as HAProxy */
	if (lua_hooks.stream_release && s->lua)
		lua_hooks.stream_release(s);
	s->req.total_in = s->res.total_in = 0;
	s->req_early_in = 0;
	s->req.total_out = s->res.total_out = 0;
	s->counted_in = s->counted_out = 0;
	vars_clear(&s->vars_txn);
	vars_clear(&s->vars_req);
	vars_clear(&s->vars_res);
	strm_be_count(s, 0);
	s->be = NULL;
	s->srv = NULL;
	s->srvc = NULL;
	s->flags &= STRM_F_ALIVE;
	s->conn_retries = 0;
	s->prx_queue_pos = 0;
	s->loglevel = -1;
	s->err = STRM_ERR_NONE;
	s->fin = STRM_FIN_NONE;
	s->t_accept = t->now_us;
	s->t_queue = s->t_connect = s->t_close = 0;
	memset(&s->srv_local, 0, sizeof(s->srv_local));
	memset(&s->srv_addr, 0, sizeof(s->srv_addr));
	s->state = STRM_ST_REQ;
	s->req_ana = STRM_AN_REQ_HTTP | STRM_AN_REQ_INSPECT | STRM_AN_REQ_HTTP_RULES | STRM_AN_REQ_SWITCH;
	s->res_ana = 0;
	s->exp_srv = s->exp_conn = s->exp_retry = s->exp_queue = 0;
	s->exp_req_inspect = s->exp_res_inspect = 0;
	s->req_rule_pos = s->res_rule_pos = 0;
	s->connects = 0;
	s->proxy_hdr_len = 0;
}

/* -- Lua and rules helpers ------------------------------------------------ */

int stream_flush(struct stream *s, int dir)
{
	if (s->state == STRM_ST_DEAD)
		return -EPIPE;
	if (dir == STRM_DIR_REQ)
		return s->srvc ? conn_send(s->srvc) : 0;
	return conn_send(s->cli);
}

void stream_shutdown(struct stream *s, int how)
{
	if (s->state == STRM_ST_DEAD)
		return;
	if (how == STRM_SHUT_ABORT) {
		stream_abort(s, s->err, s->fin);
		return;
	}
	/* STRM_SHUT_DONE: the server side is no longer needed; what the
	 * response channel holds still goes to the client */
	s->shut_how = STRM_SHUT_DONE;
	s->req_ana = s->res_ana = 0;
	strm_splice_stop(s);
	stream_keep_srv_local(s);
	conn_close(s->srvc);
	s->srvc = NULL;
	backend_release(s);
	chan_forward(&s->res, chan_in_len(&s->res));
	stream_wakeup(s);
}
