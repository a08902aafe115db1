/* fetch.c: the layer-4/5 and internal sample fetches (addresses, proxy
 * and server names and counters, constants, environment, time, random,
 * variables). Channel contents are read by payload.c; HTTP fetches live
 * with the HTTP code. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/time.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/tcp.h>

#include "engine/sample.h"
#include "engine/stream.h"
#include "engine/vars.h"
#include "engine/conn.h"
#include "engine/listener.h"
#include "engine/thread.h"

/* Fills <smp> with the address of <a>; 0 for AF_UNIX / unset. */
static int smp_from_addr(const struct addr *a, struct sample *smp)
{
	smp->flags = 0;
	if (a->u.sa.sa_family == AF_INET) {
		smp->type = SMP_T_IPV4;
		smp->u.ipv4 = a->u.in4.sin_addr;
		return 1;
	}
	if (a->u.sa.sa_family == AF_INET6) {
		smp->type = SMP_T_IPV6;
		smp->u.ipv6 = a->u.in6.sin6_addr;
		return 1;
	}
	return 0;
}

static int smp_from_port(const struct addr *a, struct sample *smp)
{
	if (a->u.sa.sa_family == AF_INET)
		smp_set_sint(smp, ntohs(a->u.in4.sin_port));
	else if (a->u.sa.sa_family == AF_INET6)
		smp_set_sint(smp, ntohs(a->u.in6.sin6_port));
	else
		return 0;
	return 1;
}

static int f_src(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	return ctx->strm && smp_from_addr(&ctx->strm->cli_addr, smp);
}

static int f_src_port(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	return ctx->strm && smp_from_port(&ctx->strm->cli_addr, smp);
}

static int f_dst(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	return ctx->strm && smp_from_addr(&ctx->strm->fe_addr, smp);
}

static int f_dst_port(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	return ctx->strm && smp_from_port(&ctx->strm->fe_addr, smp);
}

/* bc_src/bc_src_port: our address on the server side, once connected. */
static int f_bc_src(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const struct addr *a = ctx->strm ? stream_srv_local(ctx->strm) : NULL;

	return a && smp_from_addr(a, smp);
}

static int f_bc_src_port(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const struct addr *a = ctx->strm ? stream_srv_local(ctx->strm) : NULL;

	return a && smp_from_port(a, smp);
}

/* bc_dst/bc_dst_port: the server's address; a server declared without a
 * port takes the port the client connected to. */
static int f_bc_dst(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	return ctx->strm && ctx->strm->srv && smp_from_addr(&ctx->strm->srv->addr, smp);
}

static int f_bc_dst_port(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	if (!ctx->strm || !ctx->strm->srv || !smp_from_port(&ctx->strm->srv->addr, smp))
		return 0;
	if (!smp->u.sint)
		return smp_from_port(&ctx->strm->fe_addr, smp);
	return 1;
}

/* Returns 1 if <a> is an address of this host (it can be bound), 0 if not,
 * -1 when it cannot be told (HAProxy's addr_is_local). A syscall pair,
 * no allocation. */
static int addr_is_local(const struct addr *a)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, ret;

	if (a->u.sa.sa_family != AF_INET && a->u.sa.sa_family != AF_INET6)
		return -1;
	memset(&ss, 0, sizeof(ss));
	if (a->u.sa.sa_family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)&ss;

		*in = a->u.in4;
		in->sin_port = 0;
		len = sizeof(*in);
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

		*in6 = a->u.in6;
		in6->sin6_port = 0;
		len = sizeof(*in6);
	}
	fd = socket(a->u.sa.sa_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	ret = bind(fd, (struct sockaddr *)&ss, len) == 0 ? 1 : errno == EADDRNOTAVAIL ? 0 : -1;
	close(fd);
	return ret;
}

static int f_src_is_local(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	int r;

	if (!ctx->strm || (r = addr_is_local(&ctx->strm->cli_addr)) < 0)
		return 0;
	smp_set_bool(smp, r);
	return 1;
}

static int f_dst_is_local(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	int r;

	if (!ctx->strm || (r = addr_is_local(&ctx->strm->fe_addr)) < 0)
		return 0;
	smp_set_bool(smp, r);
	return 1;
}

/* fc_* (client side) TCP_INFO fields; priv says which. */
enum { TI_RTT, TI_RTTVAR, TI_UNACKED, TI_SACKED, TI_LOST, TI_RETRANS, TI_FACKETS, TI_REORDERING };
static const int ti_rtt = TI_RTT, ti_rttvar = TI_RTTVAR, ti_unacked = TI_UNACKED, ti_sacked = TI_SACKED,
	ti_lost = TI_LOST, ti_retrans = TI_RETRANS, ti_fackets = TI_FACKETS, ti_reordering = TI_REORDERING;

static int f_fc_tcpinfo(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);
	int64_t v;

	if (!ctx->strm || !ctx->strm->cli || ctx->strm->cli->fd < 0 ||
	    getsockopt(ctx->strm->cli->fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0)
		return 0;
	switch (*(const int *)ctx->priv) {
	case TI_RTT:        v = ti.tcpi_rtt; break;
	case TI_RTTVAR:     v = ti.tcpi_rttvar; break;
	case TI_UNACKED:    v = ti.tcpi_unacked; break;
	case TI_SACKED:     v = ti.tcpi_sacked; break;
	case TI_LOST:       v = ti.tcpi_lost; break;
	case TI_RETRANS:    v = ti.tcpi_retrans; break;
	case TI_FACKETS:    v = ti.tcpi_fackets; break;
	default:            v = ti.tcpi_reordering; break;
	}
	/* rtt/rttvar are in microseconds; milliseconds (rounded) unless "us" */
	if ((*(const int *)ctx->priv == TI_RTT || *(const int *)ctx->priv == TI_RTTVAR) &&
	    !(args[0].type == ARGT_SINT && args[0].u.sint == 1))
		v = (v + 500) / 1000;
	smp_set_sint(smp, v);
	smp->flags = SMP_F_VOL_TXN;
	return 1;
}

/* The fc_* counters take no argument; HAProxy accepts one and ignores it. */
static int chk_no_arg(struct arg *args, char *err, size_t errlen)
{
	if (args[0].type == ARGT_STR)
		free(args[0].u.str.ptr);
	args[0].type = ARGT_STOP;
	args[0].u.ptr = NULL;
	return 0;
}

/* fc_rtt/fc_rttvar unit: "ms" (default) or "us" (stored as 1). */
static int chk_time_unit_ms_us(struct arg *args, char *err, size_t errlen)
{
	if (args[0].type == ARGT_STR) {
		int us = !strcmp(args[0].u.str.ptr, "us");

		if (!us && strcmp(args[0].u.str.ptr, "ms")) {
			snprintf(err, errlen, "expects 'us' or 'ms', got '%s'", args[0].u.str.ptr);
			return -1;
		}
		free(args[0].u.str.ptr);
		args[0].type = ARGT_SINT;
		args[0].u.sint = us;
	}
	return 0;
}

/* Returns the stream's frontend, else the evaluating proxy. */
static struct proxy *ctx_fe(const struct smp_ctx *ctx)
{
	return ctx->strm ? ctx->strm->fe : ctx->px;
}

/* Returns the stream's backend; before one is chosen, the frontend (as
 * HAProxy, whose stream starts with be = fe). */
static struct proxy *ctx_be(const struct smp_ctx *ctx)
{
	if (ctx->strm)
		return ctx->strm->be ? ctx->strm->be : ctx->strm->fe;
	return ctx->px;
}

static int smp_set_name(struct sample *smp, const struct proxy *px)
{
	if (!px || !px->name)
		return 0;
	smp_set_const_str(smp, px->name, strlen(px->name));
	return 1;
}

static int f_fe_name(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	return smp_set_name(smp, ctx_fe(ctx));
}

/* so_name: the "name" of the bind line that accepted the connection; not
 * found when it has none (HAProxy 2.6). */
static int f_so_name(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const struct bind_conf *b = ctx->strm ? ctx->strm->bind : NULL;

	(void)args;
	if (!b || !b->named || !b->name)
		return 0;
	smp_set_const_str(smp, b->name, strlen(b->name));
	return 1;
}

/* fc_pp_unique_id: the unique id TLV of the PROXY v2 header the client
 * connection started with ("accept-proxy"); not found without one. */
static int f_fc_pp_unique_id(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const struct stream *s = ctx->strm;

	(void)args;
	if (!s || !s->pp_uid_len)
		return 0;
	smp_set_const_str(smp, s->pp_uid, s->pp_uid_len);
	return 1;
}

/* so_id: the 1-based position of that bind line in its frontend. */
static int f_so_id(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const struct stream *s = ctx->strm;
	int id = 1;

	(void)args;
	if (!s || !s->fe || !s->bind)
		return 0;
	for (const struct bind_conf *b = s->fe->binds; b && b != s->bind; b = b->next)
		id++;
	smp_set_sint(smp, id);
	return 1;
}

static int f_fe_id(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	struct proxy *px = ctx_fe(ctx);

	if (!px)
		return 0;
	smp_set_sint(smp, px->id);
	return 1;
}

static int f_be_name(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	return smp_set_name(smp, ctx_be(ctx));
}

static int f_be_id(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	struct proxy *px = ctx_be(ctx);

	if (!px)
		return 0;
	smp_set_sint(smp, px->id);
	return 1;
}

static int f_srv_name(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	if (!ctx->strm || !ctx->strm->srv || !ctx->strm->srv->name)
		return 0;
	smp_set_const_str(smp, ctx->strm->srv->name, strlen(ctx->strm->srv->name));
	return 1;
}

static int f_srv_id(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	if (!ctx->strm || !ctx->strm->srv)
		return 0;
	smp_set_sint(smp, ctx->strm->srv->id);
	return 1;
}

/* Returns the proxy named by optional argument 0, else <dflt>. A name
 * not (or not successfully) resolved gives NULL: the fetch finds nothing. */
static struct proxy *arg_px(const struct arg *args, struct proxy *dflt)
{
	if (args[0].type == ARGT_FE || args[0].type == ARGT_BE)
		return args[0].unresolved ? NULL : args[0].u.px;
	return dflt;
}

static int f_be_conn(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	struct proxy *px = arg_px(args, ctx_be(ctx));

	if (!px)
		return 0;
	smp_set_sint(smp, px->be_cur_conn);
	smp->flags = SMP_F_VOL_TXN;
	return 1;
}

static int f_fe_conn(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	struct proxy *px = arg_px(args, ctx_fe(ctx));

	if (!px)
		return 0;
	smp_set_sint(smp, px->fe_cur_conn);
	smp->flags = SMP_F_VOL_TXN;
	return 1;
}

/* Counts usable servers of <px>: active ones, or 1 when only backups are
 * left (the first backup takes the traffic), as HAProxy's nbsrv. */
static int px_nbsrv(const struct proxy *px, int *nb_act_out)
{
	int act = 0, bck = 0;

	for (const struct server *s = px->srv; s; s = s->next) {
		if (!server_is_usable(s))
			continue;
		if (s->backup)
			bck++;
		else
			act++;
	}
	if (nb_act_out)
		*nb_act_out = act ? act : bck;
	if (act)
		return act;
	return bck ? 1 : 0;
}

static int f_nbsrv(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	struct proxy *px = arg_px(args, ctx_be(ctx));

	if (!px)
		return 0;
	smp_set_sint(smp, px_nbsrv(px, NULL));
	smp->flags = SMP_F_VOL_TXN;
	return 1;
}

static int64_t px_totpend(const struct proxy *px)
{
	int64_t n = px->nb_queued;

	for (const struct server *s = px->srv; s; s = s->next)
		n += s->nb_queued;
	return n;
}

static int f_queue(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	struct proxy *px = arg_px(args, ctx_be(ctx));

	if (!px)
		return 0;
	smp_set_sint(smp, px_totpend(px));
	smp->flags = SMP_F_VOL_TXN;
	return 1;
}

static int f_avg_queue(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	struct proxy *px = arg_px(args, ctx_be(ctx));
	int nbact;
	int64_t pend;

	if (!px)
		return 0;
	px_nbsrv(px, &nbact);
	pend = px_totpend(px);
	smp_set_sint(smp, nbact ? (pend + nbact - 1) / nbact : pend);
	smp->flags = SMP_F_VOL_TXN;
	return 1;
}

/* Free connection slots plus queue slots over usable servers; -1 when one
 * of them is unlimited (no maxconn or no maxqueue), as HAProxy. */
static int f_connslots(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	struct proxy *px = arg_px(args, ctx_be(ctx));
	int64_t n = 0;

	if (!px)
		return 0;
	for (const struct server *s = px->srv; s; s = s->next) {
		if (!server_is_usable(s))
			continue;
		if (!s->maxconn || !s->maxqueue) {
			n = -1;
			break;
		}
		n += (int64_t)s->maxconn - s->cur_conn + (int64_t)s->maxqueue - s->nb_queued;
	}
	smp_set_sint(smp, n);
	smp->flags = SMP_F_VOL_TXN;
	return 1;
}

/* be_conn_free([backend]): free connection slots over the servers that
 * may take traffic now (active ones, or the first usable backup when no
 * active one is left); -1 when one of them has no maxconn. */
static int f_be_conn_free(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	struct proxy *px = arg_px(args, ctx_be(ctx));
	const struct server *s, *first_bck = NULL;
	int nb_act = 0;
	int64_t n = 0;

	if (!px)
		return 0;
	for (s = px->srv; s; s = s->next) {
		if (server_is_usable(s) && !s->backup)
			nb_act++;
		else if (server_is_usable(s) && !first_bck)
			first_bck = s;
	}
	for (s = px->srv; s; s = s->next) {
		if (!server_is_usable(s) || (s->backup && (nb_act || s != first_bck)))
			continue;
		if (!s->maxconn) {
			n = -1;
			break;
		}
		if ((uint32_t)s->maxconn > s->cur_conn)
			n += s->maxconn - s->cur_conn;
	}
	smp_set_sint(smp, n);
	smp->flags = SMP_F_VOL_TXN;
	return 1;
}

/* Returns the server of argument 0, or NULL when it is not resolved. */
static const struct server *arg_srv(const struct arg *args)
{
	if (args[0].type != ARGT_SRV || args[0].unresolved)
		return NULL;
	return args[0].u.srv;
}

static int f_srv_conn(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const struct server *s = arg_srv(args);

	if (!s)
		return 0;
	smp_set_sint(smp, s->cur_conn);
	smp->flags = SMP_F_VOL_TXN;
	return 1;
}

static int f_srv_conn_free(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const struct server *s = arg_srv(args);

	if (!s)
		return 0;
	if (!s->maxconn)
		smp_set_sint(smp, -1);
	else
		smp_set_sint(smp, (uint32_t)s->maxconn > s->cur_conn ? s->maxconn - s->cur_conn : 0);
	smp->flags = SMP_F_VOL_TXN;
	return 1;
}

/* srv_is_up(backend/server): not in maintenance and not seen down by a
 * health check (a server without checks counts as up). */
static int f_srv_is_up(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const struct server *s = arg_srv(args);

	if (!s)
		return 0;
	smp_set_bool(smp, s->state == SRV_UP || s->state == SRV_DRAIN);
	smp->flags = SMP_F_VOL_TXN;
	return 1;
}

static int f_srv_queue(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const struct server *s = arg_srv(args);

	if (!s)
		return 0;
	smp_set_sint(smp, s->nb_queued);
	smp->flags = SMP_F_VOL_TXN;
	return 1;
}

/* fe_sess_rate / fe_req_rate / be_sess_rate([proxy]), srv_sess_rate(be/srv):
 * events of the last second (sessions accepted, HTTP requests received,
 * streams sent to the backend, connections to the server). */
static uint32_t rate_now(const struct smp_ctx *ctx)
{
	return (uint32_t)(ctx->strm ? ctx->strm->thr->now_ms : timer_now_ms());
}

static int f_px_rate(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const char *which = ctx->priv;
	struct proxy *px = arg_px(args, *which == 'b' ? ctx_be(ctx) : ctx_fe(ctx));
	const struct freq_ctr *f;

	if (!px)
		return 0;
	f = *which == 'b' ? &px->be_sess_rate : *which == 'r' ? &px->req_rate : &px->sess_rate;
	smp_set_sint(smp, freq_ctr_read(f, 1000, rate_now(ctx)));
	smp->flags = SMP_F_VOL_TXN;
	return 1;
}

static int f_srv_sess_rate(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const struct server *s = arg_srv(args);

	if (!s)
		return 0;
	smp_set_sint(smp, freq_ctr_read(&s->sess_rate, 1000, rate_now(ctx)));
	smp->flags = SMP_F_VOL_TXN;
	return 1;
}

/* dst_conn: the streams of the listening socket the connection came in by
 * (itself included); fc_rcvd_proxy: a PROXY header was read from the
 * client; fc_http_major / bc_http_major: 1 on an HTTP/1 stream. */
static int f_dst_conn(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	if (!ctx->strm || !ctx->strm->li)
		return 0;
	smp_set_sint(smp, ctx->strm->li->cur_conn);
	smp->flags = SMP_F_VOL_TXN;
	return 1;
}

static int f_fc_rcvd_proxy(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const struct stream *s = ctx->strm;

	if (!s || !s->bind)
		return 0;
	smp_set_bool(smp, s->bind->accept_proxy && !(s->req_ana & STRM_AN_REQ_PROXY));
	return 1;
}

static int f_http_major(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	if (!ctx->strm || !ctx->strm->http)
		return 0;
	smp_set_sint(smp, 1);
	return 1;
}

/* wait_end: true once the inspect-delay is over (the evaluation is final),
 * else "not yet" with the promise that it may change, as HAProxy. */
static int f_wait_end(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	if (!ctx->final) {
		smp->flags |= SMP_F_MAY_CHANGE;
		return 0;
	}
	smp_set_bool(smp, 1);
	return 1;
}

/* srv_weight: effective weight; srv_iweight: the configured one;
 * srv_uweight: the one set by the user ("set server weight"). */
static int f_srv_weight(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const struct server *s = arg_srv(args);

	if (!s)
		return 0;
	smp_set_sint(smp, s->state == SRV_MAINT || s->state == SRV_DOWN ? 0 : s->cur_weight);
	smp->flags = SMP_F_VOL_TXN;
	return 1;
}

static int f_srv_iweight(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const struct server *s = arg_srv(args);

	if (!s)
		return 0;
	smp_set_sint(smp, s->weight);
	return 1;
}

static int f_srv_uweight(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const struct server *s = arg_srv(args);

	if (!s)
		return 0;
	smp_set_sint(smp, s->cur_weight);
	smp->flags = SMP_F_VOL_TXN;
	return 1;
}

/* Timeouts of the stream's proxies, in milliseconds. */
static int f_be_server_timeout(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	struct proxy *px = ctx_be(ctx);

	if (!px)
		return 0;
	smp_set_sint(smp, px->to.server);
	return 1;
}

static int f_be_tunnel_timeout(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	struct proxy *px = ctx_be(ctx);

	if (!px)
		return 0;
	smp_set_sint(smp, px->to.tunnel);
	return 1;
}

static int f_fe_client_timeout(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	struct proxy *px = ctx_fe(ctx);

	if (!px)
		return 0;
	smp_set_sint(smp, px->to.client);
	return 1;
}

/* fe_defbe: the name of the frontend's default backend. */
static int f_fe_defbe(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	struct proxy *px = ctx_fe(ctx);

	if (!px || !px->defbe)
		return 0;
	return smp_set_name(smp, px->defbe);
}

static int f_true(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	smp_set_bool(smp, 1);
	return 1;
}

static int f_false(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	smp_set_bool(smp, 0);
	return 1;
}

static int f_env(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const char *v;

	if (args[0].type != ARGT_STR)
		return 0;
	v = getenv(args[0].u.str.ptr);
	if (!v)
		return 0;
	smp_set_const_str(smp, v, strlen(v));
	return 1;
}

/* date([offset[,unit]]): the current time in seconds (or ms/us) plus
 * <offset> in that unit. */
static int f_date(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	struct timeval tv;
	int64_t v, off = args[0].type == ARGT_SINT ? args[0].u.sint : 0;
	const char *unit = args[1].type == ARGT_STR ? args[1].u.str.ptr : "s";

	gettimeofday(&tv, NULL);
	if (!strcmp(unit, "ms"))
		v = (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
	else if (!strcmp(unit, "us"))
		v = (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
	else
		v = tv.tv_sec;
	smp_set_sint(smp, v + off);
	smp->flags = SMP_F_VOL_TXN;
	return 1;
}

static int chk_date(struct arg *args, char *err, size_t errlen)
{
	if (args[1].type == ARGT_STR) {
		const char *u = args[1].u.str.ptr;

		if (strcmp(u, "s") && strcmp(u, "ms") && strcmp(u, "us")) {
			snprintf(err, errlen, "expects 's', 'ms' or 'us', got '%s'", u);
			return -1;
		}
	}
	return 0;
}

/* Per-thread pseudo-random generator (xorshift64*): rand() and uuid(). */
static __thread uint64_t prng_state;

static uint32_t prng32(void)
{
	uint64_t x = prng_state;

	if (!x) {
		struct timeval tv;

		gettimeofday(&tv, NULL);
		x = ((uint64_t)tv.tv_sec << 20) ^ tv.tv_usec ^ ((uint64_t)(uintptr_t)&prng_state << 7) ^ 0x9e3779b97f4a7c15ull;
	}
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	prng_state = x;
	return (uint32_t)((x * 0x2545f4914f6cdd1dull) >> 32);
}

static int f_rand(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	uint64_t v = prng32();

	if (args[0].type == ARGT_SINT)
		v = (v * (uint64_t)args[0].u.sint) >> 32;
	smp_set_sint(smp, (int64_t)v);
	smp->flags = SMP_F_VOL_TXN;
	return 1;
}

static int f_uuid(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	uint32_t r[4] = { prng32(), prng32(), prng32(), prng32() };
	size_t size;
	char *p = smp_trash(&size);
	int n;

	if (!p || size < 40)
		return 0;
	/* version 4: bits 12-15 of time_hi = 0100, variant 10xx */
	n = snprintf(p, size, "%8.8x-%4.4x-%4.4x-%4.4x-%12.12llx",
	             r[0], r[1] >> 16, (r[1] & 0x0fff) | 0x4000, ((r[2] >> 16) & 0x3fff) | 0x8000,
	             (unsigned long long)(r[2] & 0xffff) << 32 | r[3]);
	smp->type = SMP_T_STR;
	smp->flags = SMP_F_VOL_TXN;
	smp->u.str.ptr = p;
	smp->u.str.len = n;
	smp->u.str.size = size;
	return 1;
}

static int chk_uuid(struct arg *args, char *err, size_t errlen)
{
	if (args[0].type == ARGT_SINT && args[0].u.sint != 4) {
		snprintf(err, errlen, "Unsupported UUID version: '%lld'", (long long)args[0].u.sint);
		return -1;
	}
	return 0;
}

static int f_nbproc(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	smp_set_sint(smp, 1);
	return 1;
}

/* last_rule_file / last_rule_line: where the last final rule that ran
 * (accept, reject, deny, return, redirect...) was written; not found when
 * none ran yet. */
static int f_last_rule(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const struct stream *s = ctx->strm;

	(void)args;
	if (!s || !s->last_rule_file)
		return 0;
	if (ctx->priv)
		smp_set_const_str(smp, s->last_rule_file, strlen(s->last_rule_file));
	else
		smp_set_sint(smp, s->last_rule_line);
	return 1;
}

/* nbthread: the number of worker threads (global nbthread). */
static int f_nbthread(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const struct config *cfg = ctx->strm && ctx->strm->thr ? ctx->strm->thr->cfg : sample_config();

	smp_set_sint(smp, cfg && cfg->g.nbthread > 0 ? cfg->g.nbthread : 1);
	return 1;
}

/* thread: the 0-based id of the worker thread evaluating (0 outside a
 * stream). */
static int f_thread(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	smp_set_sint(smp, ctx->strm && ctx->strm->thr ? ctx->strm->thr->id : 0);
	return 1;
}

/* var(name[,default]) — argument 0 is converted to ARGT_VAR by chk_var. */
static int f_var(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const struct var_ref *ref = args[0].u.ptr;

	if (args[0].type != ARGT_VAR || !ref)
		return 0;
	if (vars_get(vars_of(ctx->strm, ref->scope), ref, smp))
		return 1;
	if (args[1].type == ARGT_STR) {
		smp_set_const_str(smp, args[1].u.str.ptr, args[1].u.str.len);
		return 1;
	}
	return 0;
}

/* Turns argument 0 from a string into a parsed variable reference.
 * Shared with conv.c through sample_check_var(). */
int sample_check_var(struct arg *args, char *err, size_t errlen)
{
	struct var_ref *ref;

	if (args[0].type == ARGT_VAR)
		return 0;
	if (args[0].type != ARGT_STR) {
		snprintf(err, errlen, "missing variable name");
		return -1;
	}
	ref = calloc(1, sizeof(*ref));
	if (!ref) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (vars_parse_ref(args[0].u.str.ptr, args[0].u.str.len, ref, err, errlen) < 0) {
		free(ref);
		return -1;
	}
	vars_declare(ref);
	free(args[0].u.str.ptr);
	args[0].type = ARGT_VAR;
	args[0].u.ptr = ref;
	return 0;
}

static int f_str(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	if (args[0].type != ARGT_STR)
		return 0;
	smp_set_const_str(smp, args[0].u.str.ptr, args[0].u.str.len);
	return 1;
}

static int f_int(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	smp_set_sint(smp, args[0].u.sint);
	return 1;
}

/* bool(b): argument checked and turned into 0/1 by chk_bool. */
static int f_bool(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	smp_set_bool(smp, args[0].u.sint);
	return 1;
}

static int chk_bool(struct arg *args, char *err, size_t errlen)
{
	const char *s = args[0].type == ARGT_STR ? args[0].u.str.ptr : "";
	int v;

	if (!strcmp(s, "true") || !strcmp(s, "1"))
		v = 1;
	else if (!strcmp(s, "false") || !strcmp(s, "0"))
		v = 0;
	else {
		snprintf(err, errlen, "Expects 'true', 'false', '0' or '1'");
		return -1;
	}
	free(args[0].u.str.ptr);
	args[0].type = ARGT_SINT;
	args[0].u.sint = v;
	return 0;
}

static int f_ipv4(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	smp->type = SMP_T_IPV4;
	smp->flags = 0;
	smp->u.ipv4 = args[0].u.ipv4;
	return 1;
}

static int f_ipv6(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	smp->type = SMP_T_IPV6;
	smp->flags = 0;
	smp->u.ipv6 = args[0].u.ipv6;
	return 1;
}

/* bin(hex): argument converted to raw bytes by chk_bin (kept as ARGT_STR). */
static int f_bin(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	smp_set_const_str(smp, args[0].u.str.ptr, args[0].u.str.len);
	smp->type = SMP_T_BIN;
	return 1;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

static int chk_bin(struct arg *args, char *err, size_t errlen)
{
	char *s = args[0].u.str.ptr;
	size_t n = args[0].u.str.len;

	if (!n || n & 1) {
		/* HAProxy refuses an empty bin() too */
		snprintf(err, errlen, "an even, non-zero number of hexadecimal digits is expected");
		return -1;
	}
	for (size_t i = 0; i < n; i += 2) {
		int h = hexval(s[i]), l = hexval(s[i + 1]);

		if (h < 0 || l < 0) {
			snprintf(err, errlen, "'%c' is not a hexadecimal digit", h < 0 ? s[i] : s[i + 1]);
			return -1;
		}
		s[i / 2] = (char)(h << 4 | l);
	}
	args[0].u.str.len = n / 2;
	return 0;
}

/* meth(m): a constant HTTP method (a token). */
static int f_meth(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	smp_set_const_str(smp, args[0].u.str.ptr, args[0].u.str.len);
	smp->type = SMP_T_METH;
	return 1;
}

static int chk_meth(struct arg *args, char *err, size_t errlen)
{
	const char *s = args[0].u.str.ptr;
	size_t n = args[0].u.str.len;

	for (size_t i = 0; i < n; i++) {
		if (!strchr("!#$%&'*+-.^_`|~", s[i]) &&
		    !((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z')))
			n = 0;
	}
	if (!n) {
		snprintf(err, errlen, "expects valid method.");
		return -1;
	}
	return 0;
}

/* date_us: the microsecond part of the current time. */
static int f_date_us(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	smp_set_sint(smp, tv.tv_usec);
	smp->flags = SMP_F_VOL_TXN;
	return 1;
}

/* stopping: 1 once a soft stop began. Soft stop does not exist yet. */
static int f_stopping(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	smp_set_bool(smp, 0);
	return 1;
}

/* hostname: the system's host name, read on each call (a syscall, no
 * allocation) into scratch. */
static int f_hostname(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	size_t size;
	char *p = smp_trash(&size);

	if (!p || gethostname(p, size - 1) < 0)
		return 0;
	p[size - 1] = 0;
	smp->type = SMP_T_STR;
	smp->flags = 0;
	smp->u.str.ptr = p;
	smp->u.str.len = strlen(p);
	smp->u.str.size = size;
	return 1;
}

#define L4  (SMP_USE_L4)
#define INT (SMP_USE_INT)
#define L5  (SMP_USE_L5)

const struct sample_fetch smp_fetch_l4_table[] = {
	{ "always_false", f_false,      ARG0,                0,              SMP_T_BOOL, INT, NULL },
	{ "always_true",  f_true,       ARG0,                0,              SMP_T_BOOL, INT, NULL },
	{ "avg_queue",    f_avg_queue,  ARG1(0, BE),         0,              SMP_T_SINT, INT, NULL },
	{ "bc_dst",       f_bc_dst,     ARG0,                0,              SMP_T_IPV4, L4, NULL },
	{ "bc_dst_port",  f_bc_dst_port, ARG0,               0,              SMP_T_SINT, L4, NULL },
	{ "bc_src",       f_bc_src,     ARG0,                0,              SMP_T_IPV4, L4, NULL },
	{ "bc_src_port",  f_bc_src_port, ARG0,               0,              SMP_T_SINT, L4, NULL },
	{ "be_conn",      f_be_conn,    ARG1(0, BE),         0,              SMP_T_SINT, INT, NULL },
	{ "be_conn_free", f_be_conn_free, ARG1(0, BE),       0,              SMP_T_SINT, INT, NULL },
	{ "be_sess_rate", f_px_rate,    ARG1(0, BE),         0,              SMP_T_SINT, INT, "b" },
	{ "be_id",        f_be_id,      ARG0,                0,              SMP_T_SINT, L5, NULL },
	{ "be_name",      f_be_name,    ARG0,                0,              SMP_T_STR,  L5, NULL },
	{ "be_server_timeout", f_be_server_timeout, ARG0,    0,              SMP_T_SINT, L5, NULL },
	{ "be_tunnel_timeout", f_be_tunnel_timeout, ARG0,    0,              SMP_T_SINT, L5, NULL },
	{ "bin",          f_bin,        ARG1(1, STR),        chk_bin,        SMP_T_BIN,  INT, NULL },
	{ "bool",         f_bool,       ARG1(1, STR),        chk_bool,       SMP_T_BOOL, INT, NULL },
	{ "connslots",    f_connslots,  ARG1(0, BE),         0,              SMP_T_SINT, INT, NULL },
	{ "date",         f_date,       ARG2(0, SINT, STR),  chk_date,       SMP_T_SINT, INT, NULL },
	{ "date_us",      f_date_us,    ARG0,                0,              SMP_T_SINT, INT, NULL },
	{ "dst",          f_dst,        ARG0,                0,              SMP_T_IPV4, L4, NULL },
	{ "dst_conn",     f_dst_conn,   ARG0,                0,              SMP_T_SINT, L4, NULL },
	{ "dst_is_local", f_dst_is_local, ARG0,              0,              SMP_T_BOOL, L4, NULL },
	{ "fc_rcvd_proxy", f_fc_rcvd_proxy, ARG0,            0,              SMP_T_BOOL, L4, NULL },
	{ "fc_http_major", f_http_major, ARG0,               0,              SMP_T_SINT, L4, NULL },
	{ "bc_http_major", f_http_major, ARG0,               0,              SMP_T_SINT, L5, NULL },
	{ "dst_port",     f_dst_port,   ARG0,                0,              SMP_T_SINT, L4, NULL },
	{ "env",          f_env,        ARG1(1, STR),        0,              SMP_T_STR,  INT, NULL },
	{ "fc_dst",       f_dst,        ARG0,                0,              SMP_T_IPV4, L4, NULL },
	{ "fc_dst_is_local", f_dst_is_local, ARG0,           0,              SMP_T_BOOL, L4, NULL },
	{ "fc_dst_port",  f_dst_port,   ARG0,                0,              SMP_T_SINT, L4, NULL },
	{ "fc_fackets",   f_fc_tcpinfo, ARG1(0, STR),         chk_no_arg,        SMP_T_SINT, L4, &ti_fackets },
	{ "fc_lost",      f_fc_tcpinfo, ARG1(0, STR),         chk_no_arg,        SMP_T_SINT, L4, &ti_lost },
	{ "fc_pp_unique_id", f_fc_pp_unique_id, ARG0,         0,              SMP_T_STR,  L4, NULL },
	{ "fc_reordering", f_fc_tcpinfo, ARG1(0, STR),        chk_no_arg,        SMP_T_SINT, L4, &ti_reordering },
	{ "fc_retrans",   f_fc_tcpinfo, ARG1(0, STR),         chk_no_arg,        SMP_T_SINT, L4, &ti_retrans },
	{ "fc_rtt",       f_fc_tcpinfo, ARG1(0, STR),        chk_time_unit_ms_us, SMP_T_SINT, L4, &ti_rtt },
	{ "fc_rttvar",    f_fc_tcpinfo, ARG1(0, STR),        chk_time_unit_ms_us, SMP_T_SINT, L4, &ti_rttvar },
	{ "fc_sacked",    f_fc_tcpinfo, ARG1(0, STR),         chk_no_arg,        SMP_T_SINT, L4, &ti_sacked },
	{ "fc_src",       f_src,        ARG0,                0,              SMP_T_IPV4, L4, NULL },
	{ "fc_src_is_local", f_src_is_local, ARG0,           0,              SMP_T_BOOL, L4, NULL },
	{ "fc_src_port",  f_src_port,   ARG0,                0,              SMP_T_SINT, L4, NULL },
	{ "fc_unacked",   f_fc_tcpinfo, ARG1(0, STR),         chk_no_arg,        SMP_T_SINT, L4, &ti_unacked },
	{ "fe_client_timeout", f_fe_client_timeout, ARG0,    0,              SMP_T_SINT, L5, NULL },
	{ "fe_conn",      f_fe_conn,    ARG1(0, FE),         0,              SMP_T_SINT, INT, NULL },
	{ "fe_defbe",     f_fe_defbe,   ARG0,                0,              SMP_T_STR,  L5, NULL },
	{ "fe_req_rate",  f_px_rate,    ARG1(0, FE),         0,              SMP_T_SINT, INT, "r" },
	{ "fe_sess_rate", f_px_rate,    ARG1(0, FE),         0,              SMP_T_SINT, INT, "s" },
	{ "fe_id",        f_fe_id,      ARG0,                0,              SMP_T_SINT, L5, NULL },
	{ "so_id",        f_so_id,      ARG0,                0,              SMP_T_SINT, L4, NULL },
	{ "so_name",      f_so_name,    ARG0,                0,              SMP_T_STR,  L4, NULL },
	{ "fe_name",      f_fe_name,    ARG0,                0,              SMP_T_STR,  L5, NULL },
	{ "hostname",     f_hostname,   ARG0,                0,              SMP_T_STR,  INT, NULL },
	{ "int",          f_int,        ARG1(1, SINT),       0,              SMP_T_SINT, INT, NULL },
	{ "ipv4",         f_ipv4,       ARG1(1, IPV4),       0,              SMP_T_IPV4, INT, NULL },
	{ "ipv6",         f_ipv6,       ARG1(1, IPV6),       0,              SMP_T_IPV6, INT, NULL },
	{ "meth",         f_meth,       ARG1(1, STR),        chk_meth,       SMP_T_METH, INT, NULL },
	{ "nbproc",       f_nbproc,     ARG0,                0,              SMP_T_SINT, INT, NULL },
	{ "proc",         f_nbproc,     ARG0,                0,              SMP_T_SINT, INT, NULL },
	{ "wait_end",     f_wait_end,   ARG0,                0,              SMP_T_BOOL, INT, NULL },
	{ "nbthread",     f_nbthread,   ARG0,                0,              SMP_T_SINT, INT, NULL },
	{ "last_rule_file", f_last_rule, ARG0,               0,              SMP_T_STR,  L4, "file" },
	{ "last_rule_line", f_last_rule, ARG0,               0,              SMP_T_SINT, L4, NULL },
	{ "nbsrv",        f_nbsrv,      ARG1(0, BE),         0,              SMP_T_SINT, INT, NULL },
	{ "queue",        f_queue,      ARG1(0, BE),         0,              SMP_T_SINT, INT, NULL },
	{ "rand",         f_rand,       ARG1(0, SINT),       0,              SMP_T_SINT, INT, NULL },
	{ "src",          f_src,        ARG0,                0,              SMP_T_IPV4, L4, NULL },
	{ "src_is_local", f_src_is_local, ARG0,              0,              SMP_T_BOOL, L4, NULL },
	{ "src_port",     f_src_port,   ARG0,                0,              SMP_T_SINT, L4, NULL },
	{ "srv_conn",     f_srv_conn,   ARG1(1, SRV),        0,              SMP_T_SINT, INT, NULL },
	{ "srv_conn_free", f_srv_conn_free, ARG1(1, SRV),    0,              SMP_T_SINT, INT, NULL },
	{ "srv_id",       f_srv_id,     ARG0,                0,              SMP_T_SINT, L5, NULL },
	{ "srv_is_up",    f_srv_is_up,  ARG1(1, SRV),        0,              SMP_T_BOOL, INT, NULL },
	{ "srv_iweight",  f_srv_iweight, ARG1(1, SRV),       0,              SMP_T_SINT, INT, NULL },
	{ "srv_name",     f_srv_name,   ARG0,                0,              SMP_T_STR,  L5, NULL },
	{ "srv_queue",    f_srv_queue,  ARG1(1, SRV),        0,              SMP_T_SINT, INT, NULL },
	{ "srv_sess_rate", f_srv_sess_rate, ARG1(1, SRV),    0,              SMP_T_SINT, INT, NULL },
	{ "srv_uweight",  f_srv_uweight, ARG1(1, SRV),       0,              SMP_T_SINT, INT, NULL },
	{ "srv_weight",   f_srv_weight, ARG1(1, SRV),        0,              SMP_T_SINT, INT, NULL },
	{ "stopping",     f_stopping,   ARG0,                0,              SMP_T_BOOL, INT, NULL },
	{ "str",          f_str,        ARG1(1, STR),        0,              SMP_T_STR,  INT, NULL },
	{ "thread",       f_thread,     ARG0,                0,              SMP_T_SINT, INT, NULL },
	{ "uuid",         f_uuid,       ARG1(0, SINT),       chk_uuid,       SMP_T_STR,  INT, NULL },
	{ "var",          f_var,        ARG2(1, STR, STR),   sample_check_var, SMP_T_ANY, INT, NULL },
	{ NULL, NULL, 0, 0, 0, 0, NULL }
};
