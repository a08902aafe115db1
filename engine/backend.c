/* backend.c: from a stream to a connected server (backend.h): backend
 * selection, server selection through lb.c, connect with "timeout
 * connect", "retries", the turn-around delay HAProxy waits before
 * retrying the same server after a refused connect, and "option
 * redispatch" on the last retry. */
#include <errno.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "engine/http_cookie.h"
#include "engine/persist.h"
#include "engine/backend.h"
#include "engine/stream.h"
#include "engine/thread.h"
#include "engine/conn.h"
#include "engine/rules.h"
#include "engine/lb.h"
#include "engine/listener.h"
#include "engine/stream_http.h"
#include "engine/sample.h"
#include "engine/stick.h"
#include "proto/tls.h"

int backend_select(struct stream *s)
{
	struct proxy *be = rules_pick_backend(s);

	if (!be && (s->fe->cap & PX_CAP_BE))
		be = s->fe;           /* a listen section is its own backend */
	if (!be)
		return -ENOENT;
	s->be = be;
	s->conn_retries = be->retry_none ? 0 : be->retries >= 0 ? be->retries : 3;
	return 0;
}

/* Sets s->srv_addr from the server's address; port 0 means "the port the
 * client connected to", as in HAProxy. */
static void srv_target(struct stream *s)
{
	struct server *srv = s->srv;

	memcpy(&s->srv_addr, &srv->addr, sizeof(s->srv_addr));
	if (srv->addr.u.sa.sa_family == AF_INET && !srv->addr.u.in4.sin_port) {
		if (s->fe_addr.u.sa.sa_family == AF_INET)
			s->srv_addr.u.in4.sin_port = s->fe_addr.u.in4.sin_port;
		else if (s->fe_addr.u.sa.sa_family == AF_INET6)
			s->srv_addr.u.in4.sin_port = s->fe_addr.u.in6.sin6_port;
	} else if (srv->addr.u.sa.sa_family == AF_INET6 && !srv->addr.u.in6.sin6_port) {
		if (s->fe_addr.u.sa.sa_family == AF_INET6)
			s->srv_addr.u.in6.sin6_port = s->fe_addr.u.in6.sin6_port;
		else if (s->fe_addr.u.sa.sa_family == AF_INET)
			s->srv_addr.u.in6.sin6_port = s->fe_addr.u.in4.sin_port;
	}
}

/* Returns 1 if some server of <be> is usable but at its maxconn. */
static int be_has_full_server(const struct proxy *be)
{
	for (const struct server *srv = be->srv; srv; srv = srv->next)
		if (server_is_usable(srv) && srv->maxconn > 0 && srv->cur_conn >= (uint32_t)srv->maxconn)
			return 1;
	return 0;
}

/* Queues <s> until a server of its backend has a free slot. */
static void backend_queue(struct stream *s)
{
	struct thr *t = s->thr;
	uint32_t tmo = s->be->to.queue ? s->be->to.queue : s->be->to.connect;

	s->flags |= STRM_F_QUEUED;
	s->next_queued = NULL;
	if (t->queue_tail)
		t->queue_tail->next_queued = s;
	else
		t->queue_head = s;
	t->queue_tail = s;
	s->be->nb_queued++;
	s->queue_idx0 = s->be->queue_idx - 1;
	s->state = STRM_ST_CONN;
	s->exp_queue = tmo ? t->now_ms + tmo + 1 : 0;
	stream_update_timer(s);
}

void backend_unqueue(struct stream *s)
{
	struct thr *t = s->thr;
	struct stream **pp, *prev = NULL;

	if (!(s->flags & STRM_F_QUEUED))
		return;
	for (pp = &t->queue_head; *pp; prev = *pp, pp = &(*pp)->next_queued) {
		if (*pp == s) {
			*pp = s->next_queued;
			if (t->queue_tail == s)
				t->queue_tail = prev;
			break;
		}
	}
	s->flags &= ~STRM_F_QUEUED;
	s->exp_queue = 0;
	s->be->nb_queued--;
	s->prx_queue_pos += s->be->queue_idx - s->queue_idx0;  /* HAProxy's count */
	if (!s->t_queue)
		s->t_queue = t->now_us;     /* %Tw: the wait ends here, served or not */
}

/* A slot of backend <be> freed up: the first stream queued for it tries again. */
static void backend_dequeue(struct thr *t, struct proxy *be)
{
	for (struct stream *q = t->queue_head; q; q = q->next_queued) {
		if (q->be == be) {
			backend_unqueue(q);
			be->queue_idx++;
			stream_wakeup(q);
			return;
		}
	}
}

/* "server ... send-proxy" / "send-proxy-v2": a PROXY header goes first to
 * the server, queued in front of the request's output part (which holds
 * nothing else before the connection is established); each attempt
 * rebuilds it for its server, or takes it back for a server without, or
 * for a reused connection (<fresh> == 0), which had it already. */
static void backend_proxy_hdr(struct stream *s, int fresh)
{
	char hdr[128];
	size_t n;

	/* a TLS server gets it in clear before the handshake (backend_tls_start) */
	int want = fresh && (s->srv->send_proxy || s->srv->send_proxy_v2) && !s->srv->tls_ctx;

	if (s->flags & STRM_F_PROXY_HDR) {
		/* queued on a previous attempt: this server may want the other
		 * version, or none */
		chan_skip_out(&s->req, s->proxy_hdr_len);
		s->req.total_out -= s->proxy_hdr_len;
		s->flags &= ~STRM_F_PROXY_HDR;
		s->proxy_hdr_len = 0;
	}
	if (want) {
		n = s->srv->send_proxy_v2 ?
		    listener_proxy_hdr_build_v2(hdr, sizeof(hdr), &s->cli_addr, &s->fe_addr) :
		    listener_proxy_hdr_build(hdr, sizeof(hdr), &s->cli_addr, &s->fe_addr);
		if (n && chan_put_head(&s->req, hdr, n) == 0) {
			s->flags |= STRM_F_PROXY_HDR;
			s->proxy_hdr_len = (uint32_t)n;
		}
	}
}

/* "server ... ssl": makes <c> a TLS client of the stream's server, with
 * the "sni" expression evaluated for this stream and "verifyhost". The
 * handshake runs once connected; CONN_EV_CONNECTED comes after it.
 * Returns 0 or -errno. */
static int backend_tls_start(struct stream *s, struct conn *c)
{
	struct server *srv = s->srv;
	char name[256];
	const char *sni = NULL;
	int ret;

	if (srv->sni_expr) {
		struct smp_ctx ctx = { .strm = s, .px = s->be, .dir = SMP_DIR_REQ, .final = 1 };
		struct sample smp;

		memset(&smp, 0, sizeof(smp));
		if (sample_expr_eval(srv->sni_expr, &ctx, &smp) && sample_cast(&smp, SMP_T_STR) &&
		    smp.u.str.len && smp.u.str.len < sizeof(name)) {
			memcpy(name, smp.u.str.ptr, smp.u.str.len);
			name[smp.u.str.len] = 0;
			sni = name;
		}
	}
	ret = conn_tls_start(c, srv->tls_ctx[s->thr->id], sni);
	if (ret == 0 && srv->verifyhost)
		tls_conn_verify_name(c->tls, srv->verifyhost);
	if (ret == 0 && (srv->send_proxy || srv->send_proxy_v2)) {
		char hdr[128];
		size_t n = srv->send_proxy_v2 ?
		           listener_proxy_hdr_build_v2(hdr, sizeof(hdr), &s->cli_addr, &s->fe_addr) :
		           listener_proxy_hdr_build(hdr, sizeof(hdr), &s->cli_addr, &s->fe_addr);
		if (n)
			ret = conn_tls_put_clear(c, hdr, n);
	}
	return ret;
}

int backend_connect(struct stream *s)
{
	struct thr *t = s->thr;
	struct conn *c;
	int ret;

	if (!s->srv) {
		struct server *srv = s->be->persist ? persist_use_server(s) : NULL;   /* "use-server" first */

		if (!srv && !(s->be->persist && persist_ignored(s)))
			srv = stick_persist_pick(s);          /* "stick match|on" */

		if (!srv && s->http && s->be->cookie_cfg)
			srv = http_cookie_pick(s);        /* "cookie <name>" persistence */
		if (!srv && s->http)
			srv = stream_http_pick(s);
		if (!srv)
			srv = lb_pick(s->be, s);

		if (!srv) {
			if (!be_has_full_server(s->be))
				return -EAGAIN;
			backend_queue(s);
			return 1;
		}
		s->srv = srv;
		stick_persist_store(s, 0);
	}
	if (!(s->flags & STRM_F_SRV_TAKEN)) {
		lb_take(s->srv);
		s->flags |= STRM_F_SRV_TAKEN;
	}
	if (s->http && s->be->srvname_hdr)
		http_send_name(s);                    /* "http-send-name-header" */
	srv_target(s);
	/* mode http: an idle connection to this server (http-reuse) */
	c = s->http ? stream_http_take_idle(s) : NULL;
	backend_proxy_hdr(s, !c);
	if (!s->t_queue)
		s->t_queue = t->now_us;
	if (c) {
		s->srvc = c;
		s->connects++;
		stream_srv_connected(s);
		return 0;
	}
	c = conn_new(t, -1, &s->res, &s->req, s, stream_conn_event);
	if (!c)
		return -ENOMEM;
	s->srvc = c;
	s->connects++;
	s->state = STRM_ST_CONN;
	if (s->srv->tls_ctx && (ret = backend_tls_start(s, c)) < 0)
		return backend_retry(s, -ret);
	/* "source": the server's own, else the backend's */
	ret = conn_connect_from(c, &s->srv_addr, s->srv->src_addr.u.sa.sa_family ? &s->srv->src_addr :
	                        s->be->src_addr.u.sa.sa_family ? &s->be->src_addr : NULL);
	if (ret == 0 && (s->be->options & (PXO_TCPKA | PXO_SRVTCPKA))) {
		int one = 1;

		setsockopt(c->fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
	}
	if (ret < 0) {
		/* no socket (EMFILE...) or the ring is full: counts as a failed attempt */
		return backend_retry(s, -ret);
	}
	s->exp_conn = s->be->to.connect ? t->now_ms + s->be->to.connect + 1 : 0;
	stream_update_timer(s);
	return 0;
}

int backend_retry(struct stream *s, int err)
{
	struct thr *t = s->thr;
	uint32_t delay;

	conn_close(s->srvc);
	s->srvc = NULL;
	s->exp_conn = 0;
	if (s->conn_retries <= 0)
		return -err;
	s->conn_retries--;
	if ((s->be->options & PXO_REDISPATCH) && s->conn_retries == 0 && s->be->nb_srv > 1) {
		/* last retry: any server may take it */
		backend_release(s);
		s->srv = NULL;
		s->flags |= STRM_F_REDISPATCH;
		return backend_connect(s);
	}
	if (err == ETIMEDOUT)
		return backend_connect(s);
	/* a refused connect to the same server would likely be refused again
	 * right away: wait min(1s, timeout connect) first, as HAProxy does */
	delay = 1000;
	if (s->be->to.connect && s->be->to.connect < delay)
		delay = s->be->to.connect;
	s->exp_retry = t->now_ms + delay + 1;
	stream_update_timer(s);
	return 0;
}

void backend_release(struct stream *s)
{
	backend_unqueue(s);
	if (s->srv && (s->flags & STRM_F_SRV_TAKEN)) {
		lb_release(s->srv);
		s->flags &= ~STRM_F_SRV_TAKEN;
		if (s->thr->queue_head)
			backend_dequeue(s->thr, s->be);
	}
}
