/* stream_http.c: the HTTP analysers of a stream (stream_http.h). One
 * transaction at a time: the request headers are parsed in place at the
 * front of s->req's input part, the rules run, the headers and then each
 * body byte the parser has seen are forwarded (never copied); the response
 * goes the same way in s->res. When both messages are complete the
 * transaction is logged and, in keep-alive, the next one starts on the
 * bytes already received (pipelining: a request is not parsed before the
 * previous response is done). A reusable server connection is parked
 * between transactions: in the thread's pool of its server (http_idle.c)
 * when "http-reuse" lets other clients take it, else kept for this
 * client's next request. A request sent on a reused connection keeps its
 * bytes referenced until the response's first byte: if the connection
 * turns out closed before that, the request goes again on a new one. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include "engine/stats_page.h"
#include "engine/http_cookie.h"
#include "engine/unique_id.h"
#include "engine/stream_http.h"
#include "engine/stream.h"
#include "engine/thread.h"
#include "engine/conn.h"
#include "engine/backend.h"
#include "engine/http.h"
#include "engine/check.h"
#include "engine/http_err.h"
#include "engine/http_rules.h"
#include "engine/http_idle.h"
#include "engine/logfmt.h"
#include "engine/log.h"
#include "engine/lb.h"
#include "engine/stick.h"
#include "engine/rules.h"
#include "engine/http_reply.h"

/* K2's rules may not be linked yet: called only when present */
#pragma weak http_rules_exec_req
#pragma weak http_rules_exec_res
#pragma weak http_rules_exec_after_res
#pragma weak http_rules_has_after

/* Per-transaction flags (hs->flags) */
#define HS_F_CLI_CLOSE   0x0001   /* close the client connection after this transaction */
#define HS_F_SRV_CLOSE   0x0002   /* ask the server to close ("connection: close" sent) */
#define HS_F_TUNNEL      0x0004   /* 101 / CONNECT 2xx: bytes flow as in TCP mode */
#define HS_F_REQ_HDRS    0x0008   /* request headers forwarded */
#define HS_F_RSP_HDRS    0x0010   /* response headers analysed and forwarded */
#define HS_F_REPLIED     0x0020   /* our own response replaced the server's */
#define HS_F_REQ_SEEN    0x0040   /* a byte of this request arrived */
#define HS_F_FIRST       0x0080   /* first transaction of the connection */
#define HS_F_CONNECT     0x0100   /* the request is CONNECT */
#define HS_F_DRAIN_REQ   0x0200   /* a rule answered: the request is read and dropped */
#define HS_F_DRAIN_RSP   0x0400   /* a rule replaced the response: the server's is dropped */
#define HS_F_HDRS_DONE   0x0800   /* request headers parsed and captured */
#define HS_F_RSP_COUNTED 0x1000   /* the final response head is counted in %B */
#define HS_F_REUSED      0x2000   /* s->srvc was reused and no response byte came yet */
#define HS_F_KEEP_OVF    0x4000   /* the request sent on it is not all in keep[]: no replay */
#define HS_F_NO_REUSE    0x8000   /* the reused connection failed: connect anew */
#define HS_F_TCP_RES     0x10000  /* the tcp-response content rules ran on this response */
#define HS_F_CLI_HEAD    0x20000  /* the client sent HEAD: no response body goes to it */

#define HS_KEEP_MAX 16

/* Request bytes sent on a reused server connection: a reference to the
 * chunk they sit in, so that they can be sent again. */
struct hs_keep {
	struct chunk *chk;
	uint32_t off, len;
};

/* A chunked body's framing, scanned as it is forwarded: %B and %U count
 * its data (and trailers) only, as HAProxy's internal message size does. */
struct hs_ck {
	uint64_t remain, acc;       /* data left in this chunk; size being read */
	uint8_t st, ext;            /* CK_* state; in an extension / where in a trailer line */
};

/* What stream->http points to: the transaction (first, as fetches and Lua
 * read it as a struct http_txn) and the stream side's own state. */
struct http_strm {
	struct http_txn txn;
	struct stream *s;
	uint32_t flags;             /* HS_F_* */
	uint64_t t_start;           /* µs: start of the transaction (accept or previous end) */
	uint64_t t_first;           /* µs: first byte of the request */
	uint64_t t_hdrs;            /* µs: request headers complete */
	uint64_t t_rsp;             /* µs: response headers complete */
	uint64_t ms_start, ms_first; /* t_start and t_first on the monotonic clock (ms) */
	uint64_t bytes_out;         /* %B: the response's size as HAProxy counts it */
	uint64_t bytes_in;          /* %U: the request's, the same way */
	struct hs_ck ck_rsp, ck_req; /* chunk framing scanners (%B, %U count data only) */
	struct conn *idle;          /* private server connection kept for this client's next request */
	struct server *idle_srv;    /* its server */
	uint32_t idle_uses;         /* transactions it served */
	const char *svc_name;       /* the Lua service that answers this transaction, or NULL */
	uint32_t srv_uses;          /* transactions s->srvc served before this one */
	uint64_t res_in0;           /* s->res.total_in when s->srvc was reused */
	uint32_t nkeep;             /* keep[] entries in use (HS_F_REUSED) */
	struct hs_keep keep[HS_KEEP_MAX];
	struct http_strm *next_free;
};

static __thread struct http_strm *hs_free;

static inline struct http_strm *hs_of(const struct stream *s)
{
	return (struct http_strm *)s->http;
}

static inline uint64_t deadline(uint64_t now, uint32_t tmo)
{
	return tmo ? now + tmo + 1 : 0;
}

static int64_t ms_between(uint64_t from, uint64_t to)
{
	if (!from || !to || to < from)
		return -1;
	return (int64_t)((to - from) / 1000);
}

/* -- log ------------------------------------------------------------------ */

static int hs_log_get(const struct stream *s, struct logfmt_http *h)
{
	const struct http_strm *hs = hs_of(s);
	uint64_t end = s->t_close ? s->t_close : s->thr->now_us;

	if (!hs)
		return -1;
	http_txn_log_fill(&hs->txn, h);
	h->status = hs->txn.status ? hs->txn.status : h->status;
	/* HAProxy logs a request the client cut before the end of its head as a 400 */
	if (!h->status && !(hs->flags & HS_F_HDRS_DONE) && s->err == STRM_ERR_CLICL &&
	    (hs->flags & (HS_F_REQ_SEEN | HS_F_FIRST)))
		h->status = 400;
	if (!h->status && s->err != STRM_ERR_LOCAL && !(hs->flags & HS_F_RSP_COUNTED))
		h->status = -1;         /* no response: HAProxy logs -1, but 0 after a
		                         * Lua txn:done() (LR), which answers nothing */
	h->srv_name = hs->svc_name;
	h->Ti = hs->t_first ? ms_between(hs->t_start, hs->t_first) : ms_between(hs->t_start, end);
	if (h->Ti < 0)
		h->Ti = 0;
	h->TR = hs->t_hdrs ? ms_between(hs->t_first, hs->t_hdrs) : -1;
	h->Tr = hs->t_rsp && s->t_connect ? ms_between(s->t_connect, hs->t_rsp) : -1;
	if (hs->t_rsp && s->t_connect && h->Tr < 0)
		h->Tr = 0;
	h->bytes_out_set = 1;
	h->bytes_out = hs->bytes_out;
	h->bytes_in = hs->bytes_in;
	h->Ta = ms_between(hs->t_first ? hs->t_first : hs->t_start, end);
	if (h->Ta < 0)
		h->Ta = 0;
	return 0;
}

/* HAProxy 2.6 logs the size of a message in its internal form
 * (http_msg_htx_head_size(), then the body): a start line of 20 bytes plus
 * its three words, each header's name and value, one byte for the end of
 * headers. */
#define HTX_SL_SIZE 20

/* The same for a response we built: "<ver> <code> <reason>" then "name: value" lines. */
static uint64_t htx_page_size(const char *p, size_t len)
{
	const char *end = p + len, *eol;
	uint64_t n = HTX_SL_SIZE;
	int first = 1;

	while (p < end && (eol = memchr(p, '\n', (size_t)(end - p)))) {
		size_t l = (size_t)(eol - p);

		if (l && p[l - 1] == '\r')
			l--;
		if (!l) {
			p = eol + 1;
			return n + 1 + (uint64_t)(end - p);
		}
		n += first ? l - 2 : l >= 2 ? l - 2 : l;
		first = 0;
		p = eol + 1;
	}
	return n;
}

static const char *reply_conn_hdr(struct stream *s);

/* Returns the size HAProxy logs for the response a rule queued in <s>'s
 * response output part after its first <before> bytes. The "connection"
 * header stream_http_reply() added does not count: HAProxy's HTTP/1
 * output adds it after the log's count. */
static uint64_t reply_size(struct stream *s, uint32_t before)
{
	static __thread char buf[16384];
	const struct chan *c = &s->res;
	const char *conn = reply_conn_hdr(s);
	struct iovec iov[64];
	int n = chan_out_iov(c, iov, 64);
	size_t len = 0, skip = before;

	for (int i = 0; i < n && len < sizeof(buf); i++) {
		size_t l = iov[i].iov_len, o = 0;

		if (skip >= l) {
			skip -= l;
			continue;
		}
		o = skip;
		skip = 0;
		if (l - o > sizeof(buf) - len)
			l = sizeof(buf) - len + o;
		memcpy(buf + len, (const char *)iov[i].iov_base + o, l - o);
		len += l - o;
	}
	if (!len)
		return 0;
	return htx_page_size(buf, len) - (conn ? 10 + strlen(conn) : 0);
}

/* -- pool and transactions ------------------------------------------------ */

static void hs_txn_start(struct http_strm *hs)
{
	struct stream *s = hs->s;

	http_txn_init(&hs->txn, &s->req, &s->res, 0);
	s->to_server = s->to_tunnel = 0;        /* "set-timeout" is per transaction */
	hs->svc_name = NULL;
	hs->flags &= HS_F_FIRST;
	if (!(hs->flags & HS_F_FIRST)) {
		hs->txn.flags |= HTTP_TXN_NOT_FIRST;
		s->uniq_id = stream_next_uniq_id();
		s->last_rule_file = NULL;          /* a new request: no final rule yet */
		s->last_rule_line = 0;
	}
	hs->t_start = s->thr->now_us;
	hs->ms_start = hs->ms_first = s->thr->now_ms;
	hs->t_first = hs->t_hdrs = hs->t_rsp = 0;
	hs->bytes_out = hs->bytes_in = 0;
	memset(&hs->ck_rsp, 0, sizeof(hs->ck_rsp));
	memset(&hs->ck_req, 0, sizeof(hs->ck_req));
	if (chan_in_len(&s->req)) {
		hs->flags |= HS_F_REQ_SEEN;
		hs->t_first = hs->t_start;
	}
}

int stream_http_attach(struct stream *s)
{
	struct http_strm *hs = hs_free;

	if (hs)
		hs_free = hs->next_free;
	else if (!(hs = malloc(sizeof(*hs))))
		return -ENOMEM;
	logfmt_http_get = hs_log_get;
	hs->s = s;
	hs->flags = HS_F_FIRST;
	hs->idle = NULL;
	hs->idle_srv = NULL;
	hs->idle_uses = hs->srv_uses = 0;
	hs->nkeep = 0;
	s->http = &hs->txn;
	hs_txn_start(hs);
	return 0;
}

static void hs_keep_release(struct http_strm *hs);

void stream_http_detach(struct stream *s)
{
	struct http_strm *hs = hs_of(s);

	if (!hs)
		return;
	hs_keep_release(hs);
	conn_close(hs->idle);
	hs->idle = NULL;
	s->http = NULL;
	hs->next_free = hs_free;
	hs_free = hs;
}

int stream_http_active(const struct stream *s)
{
	return s->http && !(hs_of(s)->flags & HS_F_TUNNEL);
}

int stream_http_idle(const struct stream *s)
{
	const struct http_strm *hs = hs_of(s);

	return hs && !(hs->flags & (HS_F_REQ_SEEN | HS_F_FIRST)) && !chan_in_len(&s->req);
}

int stream_http_wait_rsp(const struct stream *s)
{
	const struct http_strm *hs = hs_of(s);

	return hs && !(hs->flags & (HS_F_RSP_HDRS | HS_F_TUNNEL | HS_F_REPLIED));
}

uint32_t stream_http_cli_tmo(const struct stream *s)
{
	const struct http_strm *hs = hs_of(s);
	const struct proxy *fe = s->fe;

	if (!hs || !(s->req_ana & STRM_AN_REQ_HTTP))
		return 0;
	if (!(hs->flags & (HS_F_REQ_SEEN | HS_F_FIRST)) && fe->to.http_keep_alive)
		return fe->to.http_keep_alive;
	return fe->to.http_request ? fe->to.http_request : fe->to.client;
}

/* -- errors --------------------------------------------------------------- */

/* Drops what the input part of <c> holds (a partial message we will not forward). */
static void drop_in(struct chan *c)
{
	if (chan_in_len(c))
		chan_replace_in(c, 0, chan_in_len(c), NULL, 0);
}

/* Returns 1 if the request of <s> has arrived whole (its body parsed to
 * the end as far as the input goes), 0 if more of it is still to come. A
 * response the proxy builds keeps the client connection alive only then:
 * HAProxy closes rather than wait for the rest of a request it answered. */
static int hs_req_whole(struct stream *s)
{
	struct http_msg *m = &hs_of(s)->txn.req;

	if (m->state == HTTP_MSG_BODY)
		http_msg_body_parse(m);
	return m->state == HTTP_MSG_DONE;
}

/* Returns 1 if the client connection of <s> closes after this transaction
 * by the request's own terms or the frontend's "option httpclose" (a
 * backend's closes only the server side, as in HAProxy 2.6). */
static int hs_req_wants_close(const struct stream *s)
{
	uint32_t f = hs_of(s)->txn.req.h1.flags;

	return (s->fe->options & PXO_HTTPCLOSE) || (f & (H1_MF_CONN_CLOSE | H1_MF_CL_TE)) ||
	       (!(f & H1_MF_VER_11) && !(f & H1_MF_CONN_KAL));
}

/* The "connection" header value HAProxy's HTTP/1 output adds to a reply
 * (an HTTP/1.1 response) for the request of <s>: "close" when the client
 * connection ends after it, "keep-alive" for an HTTP/1.0 client that keeps
 * it, NULL otherwise. */
static const char *reply_conn_hdr(struct stream *s)
{
	const struct http_txn *txn = s->http;

	if (!txn)
		return NULL;
	if (hs_req_wants_close(s) || (hs_of(s)->flags & HS_F_CLI_CLOSE) ||
	    (http_msg_ready(&txn->req) && !hs_req_whole(s)))
		return "close";
	return (txn->req.h1.flags & H1_MF_VER_11) ? NULL : "keep-alive";
}

/* Queues <resp> in <c>'s output with "connection: <conn>" as its last
 * header (<conn> NULL: as it is). Returns 0 or -1. */
static int put_with_conn(struct chan *c, const char *resp, size_t len, const char *conn)
{
	const char *end = conn ? memmem(resp, len, "\r\n\r\n", 4) : NULL;
	size_t head = end ? (size_t)(end - resp) + 2 : len;

	if (chan_put_out(c, resp, head) < 0)
		return -1;
	if (!end)
		return 0;
	if (chan_put_out(c, "connection: ", 12) < 0 || chan_put_out(c, conn, strlen(conn)) < 0 ||
	    chan_put_out(c, "\r\n", 2) < 0)
		return -1;
	return chan_put_out(c, resp + head, len - head);
}

/* Returns 1 if the head of response <resp>/<len> has a Connection header. */
static int has_conn_hdr(const char *resp, size_t len)
{
	const char *end = memmem(resp, len, "\r\n\r\n", 4), *p = resp;

	if (!end)
		end = resp + len;
	while ((p = memchr(p, '\n', (size_t)(end - p))) && (size_t)(end - ++p) >= 11)
		if (!strncasecmp(p, "connection:", 11))
			return 1;
	return 0;
}

int stream_http_reply(struct stream *s, const char *resp, size_t len, int status, unsigned flags)
{
	static __thread char edited[16384];
	struct http_txn *txn = s->http;
	const char *conn = (flags & STREAM_HTTP_REPLY_CLOSE) || has_conn_hdr(resp, len) ? NULL :
	                   reply_conn_hdr(s);
	int after = txn && !(flags & STREAM_HTTP_REPLY_RAW) && http_rules_has_after &&
	            http_rules_has_after(s);

	/* before the server's response: parsed as the transaction's response
	 * in s->res's (empty) input, edited there, then moved to the output */
	if (after && !chan_in_len(&s->res) && !http_msg_ready(&txn->rsp)) {
		http_msg_init(&txn->rsp, &s->res, 1, txn->req.h1.meth_id == H1_M_HEAD, 0);
		if (chan_put_data(&s->res, resp, len) < 0)
			return -1;
		if (http_msg_parse(&txn->rsp) == HTTP_PARSE_DONE &&
		    http_rules_exec_after_res(s) == RULE_ERR) {
			chan_reset(&s->res);
			return -1;
		}
		txn->status = http_get_status(&txn->rsp) ? http_get_status(&txn->rsp) : status;
		if (conn && http_msg_ready(&txn->rsp))
			http_hdr_add(&txn->rsp, "connection", 10, conn, strlen(conn));
		chan_forward(&s->res, chan_in_len(&s->res));
		return 0;
	}
	/* replacing the server's response (http-response deny, return...):
	 * parsed in a channel of its own while the server's stays parsed (the
	 * rest of its body is dropped by the stream) */
	if (after && http_msg_ready(&txn->rsp) && chan_in_len(&s->res)) {
		static __thread struct http_msg save;   /* too large for the stack */
		struct chan tmp;
		enum rule_res ar = RULE_ERR;
		int st = 0;
		size_t n = 0;

		save = txn->rsp;
		chan_init(&tmp, s->res.pool, s->res.limit);
		http_msg_init(&txn->rsp, &tmp, 1, txn->req.h1.meth_id == H1_M_HEAD, 0);
		if (chan_put_data(&tmp, resp, len) == 0 && http_msg_parse(&txn->rsp) == HTTP_PARSE_DONE) {
			ar = http_rules_exec_after_res(s);
			if (conn)
				http_hdr_add(&txn->rsp, "connection", 10, conn, strlen(conn));
			st = http_get_status(&txn->rsp);
			n = chan_copy_in(&tmp, 0, edited, sizeof(edited));
		}
		chan_reset(&tmp);
		txn->rsp = save;
		if (ar == RULE_ERR || !n || n == sizeof(edited) || chan_put_out(&s->res, edited, n) < 0)
			return -1;
		txn->status = st ? st : status;
		return 0;
	}
	if (put_with_conn(&s->res, resp, len, conn) < 0)
		return -1;
	if (txn)
		txn->status = status;
	return 0;
}

/* An error page rendered for the stream ("http-error" with log-format
 * parts) before stream_http_reply() copies it. */
static __thread char err_page[16384];

static void hs_txn_end(struct stream *s);
static void stream_http_req_final_flags(struct stream *s);
static int hs_drain_req(struct stream *s);
static int hs_fwd_msg(struct http_strm *hs, struct http_msg *m, uint64_t *count, int drop);

/* Queues the page for <status> (the MUX shape for the client parser's own
 * errors, which always close). HAProxy keeps the client connection alive
 * after its other pages (503, 502, 504, 500...) when the request arrived
 * whole and nothing else asks to close: the server side is dropped, the
 * transaction logged and the next request read. Otherwise the stream ends
 * once the page is sent. */
static void hs_reply_err(struct stream *s, int status, enum http_err_shape shape, char err, char fin)
{
	struct http_strm *hs = hs_of(s);
	size_t len = 0;
	const char *page = shape == HTTP_ERR_MUX ? http_err_builtin(status, shape, &len) :
	                   http_reply_err_page(s, status, err_page, sizeof(err_page), &len);

	drop_in(&s->res);
	hs->txn.status = (uint16_t)status;
	if (shape == HTTP_ERR_MUX) {
		hs->flags |= HS_F_CLI_CLOSE;
	} else {
		stream_http_req_final_flags(s);
		if (!hs_req_whole(s))
			hs->flags |= HS_F_CLI_CLOSE;
	}
	/* HAProxy runs http-after-response on its own pages, not on the
	 * client parser's errors, whose pages carry "connection: close" */
	if (page && len && stream_http_reply(s, page, len, status, shape == HTTP_ERR_MUX ?
	                                     STREAM_HTTP_REPLY_CLOSE | STREAM_HTTP_REPLY_RAW : 0) < 0)
		chan_put_out(&s->res, page, len);
	hs->bytes_out = shape == HTTP_ERR_MUX || !page ? 0 : htx_page_size(page, len);
	hs->flags |= HS_F_REPLIED;
	if (s->err == STRM_ERR_NONE || !s->err)
		s->err = err;
	if (s->fin == STRM_FIN_NONE || !s->fin)
		s->fin = fin;
	if (hs->flags & HS_F_CLI_CLOSE) {
		if (shape != HTTP_ERR_MUX)     /* what came of the request counts in %U */
			hs_fwd_msg(hs, &hs->txn.req, &hs->bytes_in, 1);
		stream_shutdown(s, STRM_SHUT_DONE);
		return;
	}
	/* keep-alive: the server connection is not reused (its response,
	 * if any, is abandoned); the rest of the request is dropped */
	hs->flags |= HS_F_SRV_CLOSE | HS_F_DRAIN_REQ;
	hs->flags &= ~(HS_F_RSP_HDRS | HS_F_DRAIN_RSP | HS_F_REUSED);
	stream_keep_srv_local(s);
	conn_close(s->srvc);
	s->srvc = NULL;
	s->state = STRM_ST_REQ;
	s->req_ana = STRM_AN_REQ_HTTP_RULES;
	s->res_ana = 0;
	s->exp_srv = s->exp_conn = s->exp_retry = s->exp_queue = 0;
	hs_drain_req(s);
}

void stream_http_error(struct stream *s, int status, char err, char fin)
{
	if (s->state == STRM_ST_DEAD)
		return;
	hs_reply_err(s, status, HTTP_ERR_STREAM, err, fin);
}

void stream_http_req_timeout(struct stream *s)
{
	struct http_strm *hs = hs_of(s);

	if (!(hs->flags & HS_F_REQ_SEEN) && !chan_in_len(&s->req)) {
		/* an idle keep-alive connection closes quietly */
		if (!(hs->flags & HS_F_FIRST))
			s->flags |= STRM_F_NOLOG;
	}
	http_txn_capture(&hs->txn);
	if (!(hs->flags & HS_F_REQ_SEEN) && !(hs->flags & HS_F_FIRST)) {
		stream_abort(s, STRM_ERR_CLITO, STRM_FIN_R);
		return;
	}
	if (!(hs->flags & HS_F_REQ_SEEN) && (s->fe->options & PXO_HTTP_IGNORE_PROBES)) {
		/* "option http-ignore-probes": a connection that sent nothing
		 * (a browser's pre-connect) ends without 408 and without a log */
		s->flags |= STRM_F_NOLOG;
		stream_abort(s, STRM_ERR_CLITO, STRM_FIN_R);
		return;
	}
	/* waiting for the body (option http-buffer-request): HAProxy says "D" */
	hs_reply_err(s, 408, HTTP_ERR_MUX, STRM_ERR_CLITO,
	               (hs->flags & HS_F_HDRS_DONE) ? STRM_FIN_D : STRM_FIN_R);
}

/* -- request -------------------------------------------------------------- */

/* The client closed before (the rest of) a request: quietly on
 * keep-alive, after the previous response is all sent. */
static void hs_cli_gone(struct stream *s)
{
	struct http_strm *hs = hs_of(s);

	if (!(hs->flags & HS_F_REQ_SEEN) &&
	    (!(hs->flags & HS_F_FIRST) || (s->fe->options & PXO_HTTP_IGNORE_PROBES)))
		s->flags |= STRM_F_NOLOG;
	http_txn_capture(&hs->txn);
	if (!(s->cli->flags & (CONN_F_RX_ERR | CONN_F_TX_ERR)) && chan_out_len(&s->res)) {
		s->err = STRM_ERR_CLICL;
		s->fin = STRM_FIN_R;
		stream_shutdown(s, STRM_SHUT_DONE);
	} else {
		stream_abort(s, STRM_ERR_CLICL, STRM_FIN_R);
	}
}

int stream_http_wait_req(struct stream *s)
{
	struct http_strm *hs = hs_of(s);
	struct http_txn *txn = &hs->txn;
	uint64_t now = s->thr->now_ms;
	int r;

	if (chan_in_len(&s->req) && !(hs->flags & HS_F_REQ_SEEN)) {
		hs->flags |= HS_F_REQ_SEEN;
		hs->t_first = s->thr->now_us;
		hs->ms_first = now;
	}
	r = http_msg_parse(&txn->req);
	if (r == HTTP_PARSE_AGAIN) {
		uint32_t tmo = stream_http_cli_tmo(s);

		if (s->cli->flags & (CONN_F_RX_ERR | CONN_F_RX_EOF)) {
			hs_cli_gone(s);
			return -1;
		}
		/* the http-request timeout counts from the first byte */
		if (hs->flags & HS_F_REQ_SEEN)
			s->exp_cli = deadline(hs->ms_first, tmo);
		else
			s->exp_cli = deadline(hs->ms_start, tmo);
		if (s->exp_cli && s->exp_cli <= now)
			s->exp_cli = now + 1;
		return -1;
	}
	if (r == HTTP_PARSE_ERR) {
		/* nothing, or a head cut by the client's close: "CR" */
		if (!(hs->flags & HS_F_REQ_SEEN) || ((s->req.flags & CHAN_SHUTR) &&
		    (!chan_in_len(&s->req) || txn->req.h1.phase != H1_P_ERROR))) {
			hs_cli_gone(s);
			return -1;
		}
		http_txn_capture(txn);
		hs_reply_err(s, http_msg_err_status(&txn->req), HTTP_ERR_MUX, STRM_ERR_PRXCOND,
		               STRM_FIN_R);
		return -1;
	}
	if (!(hs->flags & HS_F_HDRS_DONE)) {
		hs->flags |= HS_F_HDRS_DONE;
		hs->t_hdrs = s->thr->now_us;
		hs->bytes_in = http_msg_htx_head_size(&txn->req);    /* %U, as received */
		freq_ctr_add(&s->fe->req_rate, 1000, (uint32_t)s->thr->now_ms, 1);
		http_txn_capture(txn);
		stick_stream_http_req(s);       /* http_req_* of the tracked counters */
		if (txn->req.h1.meth_id == H1_M_CONNECT)
			hs->flags |= HS_F_CONNECT;
		if (txn->req.h1.meth_id == H1_M_HEAD)
			hs->flags |= HS_F_CLI_HEAD;
	}
	/* "option http-buffer-request": the whole body (or a full buffer)
	 * before the rules, still under timeout http-request */
	if ((s->fe->options & PXO_HTTP_BUFFER_REQ) && txn->req.state == HTTP_MSG_BODY) {
		r = http_msg_body_parse(&txn->req);
		if (r == HTTP_PARSE_ERR) {
			hs_reply_err(s, 400, HTTP_ERR_MUX, STRM_ERR_PRXCOND, STRM_FIN_R);
			return -1;
		}
		if (r == HTTP_PARSE_AGAIN && (s->req.flags & CHAN_SHUTR)) {
			/* the client left before the end of the body: nothing
			 * goes to a server ("CR--", as HAProxy) */
			hs_cli_gone(s);
			return -1;
		}
		if (r == HTTP_PARSE_AGAIN && !chan_is_full(&s->req)) {
			s->exp_cli = deadline(hs->ms_first, stream_http_cli_tmo(s));
			if (s->exp_cli && s->exp_cli <= now)
				s->exp_cli = now + 1;
			return -1;
		}
	}
	s->req_ana &= ~STRM_AN_REQ_HTTP;
	s->exp_cli = deadline(now, s->fe->to.client);
	return 0;
}


/* A rule answered the request: its bytes (headers, then body as it
 * arrives) are dropped, then the next transaction starts. Returns -1. */
static int hs_drain_req(struct stream *s)
{
	struct http_strm *hs = hs_of(s);
	int r = hs_fwd_msg(hs, &hs->txn.req, &hs->bytes_in, 1);

	if (r == HTTP_PARSE_ERR || (r == HTTP_PARSE_AGAIN && (s->req.flags & CHAN_SHUTR))) {
		hs->flags |= HS_F_CLI_CLOSE;
		stream_shutdown(s, STRM_SHUT_DONE);
		return -1;
	}
	conn_recv_start(s->cli);
	if (r == HTTP_PARSE_DONE)
		hs_txn_end(s);
	return -1;
}

/* "option http-restrict-req-hdr-names delete|reject" of <px>: the request
 * headers whose names have other characters than letters, digits and '-'
 * are removed, or make a 403 answered as a deny rule's. Returns
 * RULE_CONTINUE, RULE_REPLY (the 403 is queued) or RULE_ERR. */
static enum rule_res hs_restrict_names(struct stream *s, const struct proxy *px)
{
	int reject = px->hdr_names == PX_HDR_NAMES_REJECT;
	size_t len = 0;
	const char *page;

	if (!http_msg_restrict_names(&hs_of(s)->txn.req, !reject) || !reject)
		return RULE_CONTINUE;
	page = http_reply_err_page(s, 403, err_page, sizeof(err_page), &len);
	if (!page || stream_http_reply(s, page, len, 403, 0) < 0)
		return RULE_ERR;
	return RULE_REPLY;
}

int stream_http_req_rules(struct stream *s)
{
	struct http_strm *hs = hs_of(s);
	uint32_t out0 = chan_out_len(&s->res);
	enum rule_res r;
	int st;

	if (hs->flags & HS_F_DRAIN_REQ)
		return hs_drain_req(s);
	s->req_ana &= ~STRM_AN_REQ_HTTP_RULES;
	/* "monitor-uri": answered before the frontend's first rule (check_monitor.c) */
	if (!s->be && !s->req_rule_pos && s->fe->monitor && check_monitor_req(s))
		return -1;
	if (!http_rules_exec_req)
		return 0;
	r = http_rules_exec_req(s);
	if (s->shut_how || s->state == STRM_ST_DEAD) {
		/* a service whose body ends with the close: "LR" as any reply */
		if (hs->svc_name && (s->fin == STRM_FIN_NONE || !s->fin))
			s->fin = STRM_FIN_R;
		stream_wakeup(s);
		return -1;
	}
	/* "option http-restrict-req-hdr-names", after the proxy's rules as in HAProxy */
	if (r == RULE_CONTINUE && (s->be ? s->be : s->fe)->hdr_names)
		r = hs_restrict_names(s, s->be ? s->be : s->fe);
	/* "stats uri": the statistics page answers after the proxy's rules (stats_page.c) */
	if (r == RULE_CONTINUE && (st = stats_page_req(s, s->be ? s->be : s->fe)))
		r = st < 0 ? RULE_ERR : RULE_REPLY;
	switch ((int)r) {
	case RULE_CONTINUE:
		return 0;
	case RULE_YIELD:
	case RULE_WAIT:
		s->req_ana |= STRM_AN_REQ_HTTP_RULES;
		return -1;
	case RULE_REJECT:
	case RULE_CLOSE:
		/* reject, silent-drop: the connection closes without a
		 * response; HAProxy logs no TR (-1) for them */
		hs->t_hdrs = 0;
		stream_abort(s, STRM_ERR_PRXCOND, STRM_FIN_R);
		return -1;
	case RULE_ERR:
		hs_reply_err(s, 500, HTTP_ERR_STREAM, STRM_ERR_INTERNAL, STRM_FIN_R);
		return -1;
	default:
		/* a reply (deny, return, redirect) is queued in s->res's output:
		 * the request is dropped and the connection stays alive, as
		 * HAProxy 2.6 does */
		hs->flags |= HS_F_REPLIED | HS_F_DRAIN_REQ;
		if (!hs->svc_name)      /* a service's is counted as it goes */
			hs->bytes_out = reply_size(s, out0);
		if (s->err == STRM_ERR_NONE || !s->err)
			s->err = STRM_ERR_PRXCOND;
		if (s->fin == STRM_FIN_NONE || !s->fin)
			s->fin = STRM_FIN_R;
		s->req_ana = STRM_AN_REQ_HTTP_RULES;
		stream_http_req_final_flags(s);
		if (!hs_req_whole(s)) {
			/* the reply said "connection: close": the rest of the
			 * request is not waited for (what came counts in %U) */
			hs->flags |= HS_F_CLI_CLOSE;
			hs_fwd_msg(hs, &hs->txn.req, &hs->bytes_in, 1);
			stream_shutdown(s, STRM_SHUT_DONE);
			return -1;
		}
		return hs_drain_req(s);
	}
}

/* Returns 1 if address <a> is in the "except" network of <h>. */
static int addr_excepted(const struct px_addr_hdr *h, const struct addr *a)
{
	if (a->u.sa.sa_family == AF_INET)
		return h->except_mask && (a->u.in4.sin_addr.s_addr & h->except_mask) == h->except_net;
	if (a->u.sa.sa_family == AF_INET6) {
		const uint8_t *b = a->u.in6.sin6_addr.s6_addr;
		unsigned full = h->except6_bits / 8, rest = h->except6_bits % 8;

		return h->except6_bits && !memcmp(b, h->except6, full) &&
		       (!rest || !((b[full] ^ h->except6[full]) & (uint8_t)(0xff << (8 - rest))));
	}
	return 0;
}

/* "option forwardfor" and "option originalto" of the frontend (<fe>, on
 * when <fe_on>) and the backend (<be>, <be_on>), as HAProxy 2.6 combines
 * them: appends the header (the backend's name, else the frontend's, else
 * <defname>) with address <a> (the client's, resp. the one it connected
 * to), unless <a> is in either proxy's "except" network, or the header is
 * already there and every proxy that asks for it says "if-none". */
static void hs_addr_hdr(struct http_msg *m, const struct px_addr_hdr *fe, int fe_on,
                        const struct px_addr_hdr *be, int be_on, const char *defname,
                        const struct addr *a)
{
	const char *name = be && be->hdr[0] ? be->hdr : fe->hdr[0] ? fe->hdr : defname;
	size_t nlen = strlen(name);
	int ifnone = !(fe_on && !fe->ifnone) && !(be_on && !be->ifnone);
	char ip[INET6_ADDRSTRLEN];

	if (addr_excepted(fe, a) || (be && addr_excepted(be, a)))
		return;
	if (a->u.sa.sa_family == AF_INET)
		inet_ntop(AF_INET, &a->u.in4.sin_addr, ip, sizeof(ip));
	else if (a->u.sa.sa_family == AF_INET6)
		inet_ntop(AF_INET6, &a->u.in6.sin6_addr, ip, sizeof(ip));
	else
		return;
	if (ifnone && http_hdr_find(m, name, nlen, 0) >= 0)
		return;
	http_hdr_add(m, name, nlen, ip, strlen(ip));
}

/* Decides whether each side closes after this transaction. */
static void stream_http_req_final_flags(struct stream *s)
{
	struct http_strm *hs = hs_of(s);
	uint32_t opts = s->fe->options | (s->be ? s->be->options : 0);

	if (hs_req_wants_close(s))
		hs->flags |= HS_F_CLI_CLOSE;
	if (opts & (PXO_HTTPCLOSE | PXO_HTTP_SERVER_CLOSE))
		hs->flags |= HS_F_SRV_CLOSE;
}

int stream_http_req_final(struct stream *s)
{
	struct http_strm *hs = hs_of(s);
	struct http_msg *m = &hs->txn.req;
	int v11 = !!(m->h1.flags & H1_MF_VER_11);
	const struct proxy *be;

	s->req_ana &= ~STRM_AN_REQ_HTTP_FINAL;
	if (s->fe->unique_id)
		unique_id_req(s);           /* "unique-id-header" (unique_id.c) */
	be = s->be != s->fe ? s->be : NULL;
	if ((s->fe->options | (be ? be->options : 0)) & PXO_FORWARDFOR)
		hs_addr_hdr(m, &s->fe->fwdfor, !!(s->fe->options & PXO_FORWARDFOR),
		            be ? &be->fwdfor : NULL, be && (be->options & PXO_FORWARDFOR),
		            "x-forwarded-for", &s->cli_addr);
	if (s->fe->origto.on || (be && be->origto.on))
		hs_addr_hdr(m, &s->fe->origto, s->fe->origto.on, be ? &be->origto : NULL,
		            be && be->origto.on, "x-original-to", &s->fe_addr);
	stream_http_req_final_flags(s);
	/* the server answers the method it gets ("set-method" may have
	 * changed it): a body follows unless it is HEAD; the client who sent
	 * HEAD gets none of it (HS_F_CLI_HEAD) */
	if (hs->txn.rsp.state == HTTP_MSG_HDRS && !hs->txn.rsp.h1.pos) {
		if (m->h1.meth_id == H1_M_HEAD)
			hs->txn.rsp.h1.flags |= H1_MF_HEAD;
		else
			hs->txn.rsp.h1.flags &= ~H1_MF_HEAD;
	}
	/* upgrade requests keep their Connection header as sent */
	if (m->h1.flags & H1_MF_CONN_UPG)
		return 0;
	/* as HAProxy 2.6: the header is rebuilt, saying only what the
	 * version does not imply */
	http_hdr_drop(m, "connection", 10);
	/* the server side follows the proxy's mode, not the client's wish */
	if (hs->flags & HS_F_SRV_CLOSE) {
		if (v11)
			http_hdr_add(m, "connection", 10, "close", 5);
	} else if (!v11) {
		http_hdr_add(m, "connection", 10, "keep-alive", 10);
	}
	return 0;
}

struct server *stream_http_pick(struct stream *s)
{
	struct http_strm *hs = hs_of(s);
	const struct http_msg *m;
	char buf[1024];
	size_t len, klen;
	const char *p, *key;

	if (!hs || !s->be || (s->be->lb != LB_URI && s->be->lb != LB_HDR))
		return NULL;
	m = &hs->txn.req;
	if (!http_msg_ready(m) || m->fwd)
		return NULL;
	if (s->be->lb == LB_URI) {
		if (!(p = http_get_uri(m, buf, sizeof(buf), &len)))
			return NULL;
		klen = lb_uri_key(s->be, p, len, &key);
	} else {
		struct http_val v;
		const char *name = s->be->lb_arg;

		if (!name || http_val_find(m, name, strlen(name), 1, 1, &v) < 1)
			return NULL;
		if (!(p = http_span(m, v.v, buf, sizeof(buf), &len)))
			return NULL;
		klen = lb_hdr_key(s->be, p, len, &key);
	}
	return lb_pick_hash(s->be, lb_hash_key(key, klen));
}

/* -- data phase ----------------------------------------------------------- */

enum { CK_SIZE = 0, CK_DATA, CK_CRLF, CK_TRAIL };

/* Returns how many of the <n> chunked-body bytes at input offset <off> of
 * <c> are chunk data (HAProxy's %B leaves the framing out, and counts one
 * byte for the end of the message). Size lines are
 * read byte by byte; data is skipped by count. */
static uint64_t ck_data(struct hs_ck *ck, const struct chan *c, uint32_t off, uint32_t n)
{
	uint64_t data = 0;
	uint32_t pos = off, end = off + n;
	char ch;

	while (pos < end) {
		if (ck->st == CK_DATA) {
			uint64_t k = ck->remain < end - pos ? ck->remain : end - pos;

			data += k;
			pos += (uint32_t)k;
			ck->remain -= k;
			if (!ck->remain)
				ck->st = CK_CRLF;
			continue;
		}
		if (chan_copy_in(c, pos++, &ch, 1) != 1)
			break;
		if (ck->st == CK_TRAIL) {
			/* a trailer counts its name and value, as a header
			 * does (ck_ext: 0 name, 1 blanks after ':', 2 value) */
			if (ch == '\n') {
				ck->ext = 0;
			} else if (ch == '\r' || (ck->ext == 1 && (ch == ' ' || ch == '\t'))) {
				continue;
			} else if (ch == ':' && !ck->ext) {
				ck->ext = 1;
			} else {
				if (ck->ext)
					ck->ext = 2;
				data++;
			}
			continue;
		}
		if (ck->st == CK_CRLF) {
			if (ch == '\n')
				ck->st = CK_SIZE;
		} else if (ck->st == CK_SIZE) {
			if (ch == '\n') {
				ck->st = ck->acc ? CK_DATA : CK_TRAIL;
				if (!ck->acc)
					data++;     /* HAProxy's end-of-trailers block */
				ck->remain = ck->acc;
				ck->acc = 0;
				ck->ext = 0;
			} else if (ch == ';') {
				ck->ext = 1;
			} else if (!ck->ext && isxdigit((unsigned char)ch)) {
				ck->acc = ck->acc * 16 + (uint64_t)(isdigit((unsigned char)ch) ? ch - '0' :
				                                          (tolower((unsigned char)ch) - 'a' + 10));
			}
		}
	}
	return data;
}

/* -- reuse: keeping a request to send it again ----------------------------- */

static void hs_keep_release(struct http_strm *hs)
{
	for (uint32_t i = 0; i < hs->nkeep; i++)
		chunk_unref(hs->keep[i].chk);
	hs->nkeep = 0;
}

/* The last <n> bytes of <c>'s output part were just forwarded on a reused
 * connection: references them in keep[]. The first ones must be all the
 * output part holds (nothing else went out on that connection); past
 * HS_KEEP_MAX pieces the request cannot be replayed (HS_F_KEEP_OVF). */
static void hs_keep_add(struct http_strm *hs, const struct chan *c, uint32_t n)
{
	uint32_t start = c->out - n, pos = 0;

	if (hs->flags & HS_F_KEEP_OVF)
		return;
	if (!hs->nkeep && c->out != n)
		goto ovf;
	for (const struct chan_seg *seg = c->head; seg && pos < c->out; pos += seg->len, seg = seg->next) {
		uint32_t end = pos + seg->len, from, to;

		if (end <= start)
			continue;
		from = start > pos ? start - pos : 0;
		to = (end > c->out ? c->out : end) - pos;
		if (hs->nkeep == HS_KEEP_MAX)
			goto ovf;
		chunk_ref(seg->chk);
		hs->keep[hs->nkeep].chk = seg->chk;
		hs->keep[hs->nkeep].off = seg->off + from;
		hs->keep[hs->nkeep].len = to - from;
		hs->nkeep++;
	}
	return;
ovf:
	hs_keep_release(hs);
	hs->flags |= HS_F_KEEP_OVF;
}

/* Forwards what the parser has seen of <m>: its headers once <hdrs_ok>,
 * then each body byte parsed. Returns HTTP_PARSE_DONE at the end of the
 * message, HTTP_PARSE_AGAIN or HTTP_PARSE_ERR. */
static int hs_fwd_msg(struct http_strm *hs, struct http_msg *m, uint64_t *count, int drop)
{
	int r = HTTP_PARSE_AGAIN;
	uint32_t n;

	if (m->state == HTTP_MSG_BODY)
		r = http_msg_body_parse(m);
	else if (m->state == HTTP_MSG_DONE)
		r = HTTP_PARSE_DONE;
	if (r == HTTP_PARSE_ERR)
		return r;
	n = m->h1.pos - m->fwd;
	if (n > chan_in_len(m->chan))
		n = chan_in_len(m->chan);
	if (n) {
		if (count) {
			/* the head was counted apart, when it arrived: the
			 * body counts, a chunked one its data only */
			uint32_t head = m->fwd < m->h1.hdr_len ? m->h1.hdr_len - m->fwd : 0;

			if (head > n)
				head = n;
			if (m->h1.flags & H1_MF_CHNK)
				*count += ck_data(m->is_resp ? &hs->ck_rsp : &hs->ck_req, m->chan, head, n - head);
			else
				*count += n - head;
		}
		if (drop) {
			chan_replace_in(m->chan, 0, n, NULL, 0);
		} else {
			chan_forward(m->chan, n);
			if (hs && !m->is_resp && (hs->flags & HS_F_REUSED))
				hs_keep_add(hs, m->chan, n);
		}
		http_msg_fwd(m, n);
	}
	if (r == HTTP_PARSE_DONE && m->fwd < m->h1.pos)
		r = HTTP_PARSE_AGAIN;
	return r;
}

/* The "Connection" header towards the client for the decision made. */
static void hs_rsp_conn_hdr(struct http_strm *hs)
{
	struct http_msg *r = &hs->txn.rsp, *q = &hs->txn.req;
	int req11 = !!(q->h1.flags & H1_MF_VER_11), rsp11 = !!(r->h1.flags & H1_MF_VER_11);

	if (r->h1.status == 101)
		return;
	http_hdr_drop(r, "connection", 10);
	if (hs->flags & HS_F_CLI_CLOSE) {
		if (rsp11)
			http_hdr_add(r, "connection", 10, "close", 5);
	} else if (!req11 || !rsp11) {
		http_hdr_add(r, "connection", 10, "keep-alive", 10);
	}
}

/* "tcp-response content" rules in HTTP mode: HAProxy runs them on the
 * whole response head, before the http-response rules, as final (WAIT_END
 * true). "close" keeps the response but not the server connection;
 * "reject" ends the stream with nothing sent ("PD", no Tr).
 * Returns 0 to go on, -1 when the stream ended or waits (a yield). */
static int hs_tcp_res_rules(struct stream *s)
{
	struct http_strm *hs = hs_of(s);
	enum rule_res r = rules_exec_tcp_res_content(s, 1);

	if (s->shut_how || s->state == STRM_ST_DEAD)
		return -1;
	switch (r) {
	case RULE_YIELD:
	case RULE_WAIT:
		return -1;
	case RULE_CONTINUE:
		break;
	case RULE_CLOSE:
		hs->flags |= HS_F_SRV_CLOSE;
		break;
	case RULE_REJECT:
		hs->t_rsp = 0;
		stream_abort(s, STRM_ERR_PRXCOND, STRM_FIN_D);
		return -1;
	default:
		hs_reply_err(s, 502, HTTP_ERR_STREAM, STRM_ERR_INTERNAL, STRM_FIN_H);
		return -1;
	}
	hs->flags |= HS_F_TCP_RES;
	return 0;
}

/* Response headers parsed: 1xx, rules, connection mode, forward.
 * Returns 0 to go on, -1 when the stream ended or replied. */
static int hs_rsp_headers(struct stream *s)
{
	struct http_strm *hs = hs_of(s);
	struct http_txn *txn = &hs->txn;
	struct http_msg *r = &txn->rsp;
	int status = r->h1.status;

	if (!hs->t_rsp)
		hs->t_rsp = s->thr->now_us;
	if (status >= 100 && status < 200 && status != 101) {
		/* interim response: forward as is, then wait for the final one */
		chan_forward(&s->res, r->h1.hdr_len);
		hs->bytes_out += http_msg_htx_head_size(r);
		http_msg_init(r, &s->res, 1, txn->req.h1.meth_id == H1_M_HEAD, 0);
		return 1;
	}
	txn->status = (uint16_t)status;
	/* counted as received, before the rules and the Connection header
	 * (once: a yielding rule brings us back here) */
	if (!(hs->flags & HS_F_RSP_COUNTED)) {
		hs->flags |= HS_F_RSP_COUNTED;
		hs->bytes_out += http_msg_htx_head_size(r);
		stick_persist_store(s, 1);      /* "stick store-response" */
		stick_stream_http_status(s, status);    /* http_err/http_fail of the trackers */
	}
	if (!(hs->flags & HS_F_TCP_RES) && hs_tcp_res_rules(s) < 0)
		return -1;
	if (http_rules_exec_res) {
		uint32_t out0 = chan_out_len(&s->res);
		enum rule_res rr = http_rules_exec_res(s);

		if (s->shut_how || s->state == STRM_ST_DEAD)
			return -1;
		switch ((int)rr) {
		case RULE_CONTINUE:
			break;
		case RULE_YIELD:
		case RULE_WAIT:
			return -1;
		case RULE_ERR:
			hs_reply_err(s, 502, HTTP_ERR_STREAM, STRM_ERR_INTERNAL, STRM_FIN_H);
			return -1;
		case RULE_CLOSE:
			stream_abort(s, STRM_ERR_PRXCOND, STRM_FIN_H);
			return -1;
		default:
			/* the server's response is dropped, ours goes instead */
			hs->flags |= HS_F_REPLIED | HS_F_DRAIN_RSP | HS_F_RSP_HDRS;
			hs->bytes_out = reply_size(s, out0);
			if (r->h1.flags & H1_MF_CLOSE_DELIM)
				hs->flags |= HS_F_CLI_CLOSE;
			s->res_ana &= ~STRM_AN_RES_HTTP;
			return 0;
		}
		txn->status = (uint16_t)r->h1.status;
	}
	/* "cookie <name> insert|rewrite|prefix" (http_cookie.c) */
	if (s->be && s->be->cookie_cfg && http_cookie_rsp(s) < 0) {
		hs_reply_err(s, 500, HTTP_ERR_STREAM, STRM_ERR_INTERNAL, STRM_FIN_H);
		return -1;
	}
	if (http_rules_exec_after_res) {
		/* http-after-response: on the response about to leave */
		if (http_rules_exec_after_res(s) == RULE_ERR) {
			hs_reply_err(s, 500, HTTP_ERR_STREAM, STRM_ERR_INTERNAL, STRM_FIN_H);
			return -1;
		}
		if (s->shut_how || s->state == STRM_ST_DEAD)
			return -1;
		txn->status = (uint16_t)r->h1.status;
	}
	if (status == 101 || ((hs->flags & HS_F_CONNECT) && status >= 200 && status < 300)) {
		hs->flags |= HS_F_TUNNEL;
	} else if (r->state == HTTP_MSG_BODY && http_msg_body_parse(r) == HTTP_PARSE_ERR) {
		/* a body that does not parse in what came with the head:
		 * HAProxy sees it before forwarding anything and answers 502 */
		hs_reply_err(s, 502, HTTP_ERR_STREAM, STRM_ERR_PRXCOND, STRM_FIN_H);
		return -1;
	} else {
		if (r->h1.flags & H1_MF_CLOSE_DELIM)
			hs->flags |= HS_F_CLI_CLOSE;
		hs_rsp_conn_hdr(hs);
		/* HAProxy's HTTP/1 output gives a final status below 200 (a
		 * server's 99...) or a 204 no framing header; a body still
		 * follows as it came */
		if (r->h1.status < 200 || r->h1.status == 204) {
			http_hdr_drop(r, "content-length", 14);
			http_hdr_drop(r, "transfer-encoding", 17);
		}
	}
	hs->flags |= HS_F_RSP_HDRS;
	s->res_ana &= ~STRM_AN_RES_HTTP;
	chan_forward(&s->res, r->h1.hdr_len);
	http_msg_fwd(r, r->h1.hdr_len);
	return 0;
}

/* An event on this client's private idle server connection: whatever it
 * is (close, reset, unexpected bytes), the connection is no longer
 * reusable. It received into the thread's drain channel, not into s->res. */
static void hs_idle_event(struct conn *c, unsigned ev)
{
	struct http_strm *hs = c->owner;

	(void)ev;
	if (hs->idle == c)
		hs->idle = NULL;
	conn_close(c);
	http_idle_drain_reset();
}

/* Returns 1 if the server connection of <s> may be shared with other
 * clients: "http-reuse" is not "never" and nothing on it depends on this
 * client (a PROXY header carries its address). */
static int hs_may_share(const struct stream *s)
{
	return s->be->http_reuse != PX_REUSE_NEVER && !s->srv->send_proxy && !s->srv->send_proxy_v2 &&
	       !s->srv->sni_varies;   /* a TLS name taken from this request */
}

static int meth_idempotent(int m)
{
	return m == H1_M_GET || m == H1_M_HEAD || m == H1_M_PUT || m == H1_M_DELETE ||
	       m == H1_M_OPTIONS || m == H1_M_TRACE;
}

/* The reused server connection of <s> closed (or failed) before the first
 * byte of the response. An idempotent request whose bytes are all kept
 * goes again on a new connection; otherwise the client connection closes
 * without a response (HAProxy 2.6 does that in every case, and logs
 * nothing), so that the client may decide to retry. */
static void hs_reuse_failed(struct stream *s)
{
	struct http_strm *hs = hs_of(s);
	uint64_t kept = 0;

	conn_close(s->srvc);
	s->srvc = NULL;
	hs->flags &= ~HS_F_REUSED;
	hs->flags |= HS_F_NO_REUSE;
	s->res.flags &= ~(CHAN_SHUTR | CHAN_READ_ERROR);
	drop_in(&s->res);
	s->req.flags &= ~(CHAN_SHUTW | CHAN_SHUTW_NOW | CHAN_WRITE_ERROR);
	if (!meth_idempotent(hs->txn.req.h1.meth_id) || (hs->flags & HS_F_KEEP_OVF)) {
		hs_keep_release(hs);
		hs->flags |= HS_F_CLI_CLOSE;
		s->flags |= STRM_F_NOLOG;
		stream_abort(s, STRM_ERR_SRVCL, STRM_FIN_H);
		return;
	}
	/* what went out is sent again, then whatever follows */
	chan_skip_out(&s->req, chan_out_len(&s->req));
	for (uint32_t i = 0; i < hs->nkeep; i++) {
		const struct hs_keep *k = &hs->keep[i];

		if (chan_put_out(&s->req, k->chk->data + k->off, k->len) < 0) {
			hs_keep_release(hs);
			stream_abort(s, STRM_ERR_RESOURCE, STRM_FIN_H);
			return;
		}
		kept += k->len;
	}
	hs_keep_release(hs);
	/* the bytes count once in the logs */
	s->req.total_in -= kept;
	s->req.total_out -= kept < s->req.total_out ? kept : s->req.total_out;
	s->state = STRM_ST_CONN;
	if (backend_connect(s) < 0) {
		stream_http_error(s, 503, STRM_ERR_SRVCL, STRM_FIN_C);
		return;
	}
	stream_update_timer(s);
}

/* Events of a reused server connection: its failure before any response
 * byte is handled here, everything else as for any server connection. */
static void hs_srv_event(struct conn *c, unsigned ev)
{
	struct stream *s = c->owner;
	struct http_strm *hs = hs_of(s);

	if (hs && s->srvc == c && (hs->flags & HS_F_REUSED)) {
		if (s->res.total_in != hs->res_in0) {
			/* the response started: nothing will be sent again */
			hs->flags &= ~HS_F_REUSED;
			hs_keep_release(hs);
		} else if ((ev & CONN_EV_ERROR) || (c->flags & (CONN_F_RX_EOF | CONN_F_RX_ERR))) {
			hs_reuse_failed(s);
			return;
		}
	}
	stream_conn_event(c, ev);
}

/* The service accounting below is for logs: a stream driven outside a
 * thread's loop (no s->thr: the Lua unit tests, whose s->http is a bare
 * http_txn) has none. */
void stream_http_service(struct stream *s, const char *name)
{
	struct http_strm *hs = s->thr ? hs_of(s) : NULL;
	uint64_t now;

	if (!hs || hs->svc_name)
		return;
	now = s->thr->now_us;
	hs->svc_name = name;
	if (!s->t_queue)
		s->t_queue = now;
	if (!s->t_connect)
		s->t_connect = now;
}

void stream_http_service_head(struct stream *s, const char *head, size_t len)
{
	struct http_strm *hs = s->thr ? hs_of(s) : NULL;

	if (!hs || hs->t_rsp)
		return;
	hs->t_rsp = s->thr->now_us;
	hs->bytes_out = htx_page_size(head, len);
}

void stream_http_service_body(struct stream *s, size_t n)
{
	struct http_strm *hs = s->thr ? hs_of(s) : NULL;

	if (hs)
		hs->bytes_out += n;
}

struct conn *stream_http_take_idle(struct stream *s)
{
	struct http_strm *hs = hs_of(s);
	struct conn *c = NULL;
	uint32_t uses = 0;

	if (!hs)
		return NULL;
	hs->srv_uses = 0;
	if (hs->idle) {
		/* this client's private connection, to the same server only */
		if (hs->idle_srv == s->srv && !(hs->flags & HS_F_NO_REUSE) &&
		    !(hs->idle->flags & (CONN_F_RX_EOF | CONN_F_RX_ERR))) {
			c = hs->idle;
			uses = hs->idle_uses;
			http_idle_drain_reset();
		} else {
			conn_close(hs->idle);
		}
		hs->idle = NULL;
	}
	if (!c && !(hs->flags & HS_F_NO_REUSE) && hs_may_share(s)) {
		int not_first = !(hs->flags & HS_F_FIRST);

		/* HAProxy 2.6: "safe" never sends a connection's first request
		 * over another client's connection; "aggressive" does on one
		 * proven reusable; "always" on any */
		switch (s->be->http_reuse) {
		case PX_REUSE_ALWAYS:
			c = http_idle_get(s->thr, s->srv, 0, &uses);
			break;
		case PX_REUSE_AGGR:
			c = http_idle_get(s->thr, s->srv, !not_first, &uses);
			break;
		default:
			if (not_first)
				c = http_idle_get(s->thr, s->srv, 0, &uses);
			break;
		}
	}
	if (!c)
		return NULL;
	c->owner = s;
	c->event = hs_srv_event;
	c->rx = &s->res;
	c->tx = &s->req;
	hs->srv_uses = uses;
	hs->flags |= HS_F_REUSED;
	hs->flags &= ~HS_F_KEEP_OVF;
	hs->nkeep = 0;
	hs->res_in0 = s->res.total_in;
	return c;
}

/* Parks the server connection of <s> at the end of a transaction: in
 * the thread's pool of its server, or, when it may not be shared, for
 * this client's next request. */
static void hs_park(struct stream *s)
{
	struct http_strm *hs = hs_of(s);
	struct conn *c = s->srvc;
	uint32_t uses = hs->srv_uses + 1;

	if (hs_may_share(s)) {
		c->owner = NULL;
		if (http_idle_put(s->thr, s->srv, c, uses) < 0)
			conn_close(c);
		return;
	}
	hs->idle = c;
	hs->idle_srv = s->srv;
	hs->idle_uses = uses;
	c->owner = hs;
	c->event = hs_idle_event;
	c->rx = http_idle_drain(s->thr);
	c->tx = NULL;
	conn_recv_start(c);
}

/* Both messages are complete: log, then close or start the next
 * transaction. */
static void hs_txn_end(struct stream *s)
{
	struct http_strm *hs = hs_of(s);
	struct thr *t = s->thr;
	int reuse;

	hs_keep_release(hs);
	stream_keep_srv_local(s);
	/* the server connection is parked for a next request unless either
	 * side asked to close it (or a send is still in flight on it); a
	 * client that closes leaves it to others when it may be shared */
	reuse = s->srvc && !(hs->flags & HS_F_SRV_CLOSE) && !(s->res.flags & CHAN_SHUTR) &&
	        !(s->srvc->flags & (CONN_F_RX_EOF | CONN_F_RX_ERR | CONN_F_TX_ERR | CONN_F_SHUTW |
	                            CONN_F_TX_BUSY)) &&
	        !chan_in_len(&s->res) && !(hs->txn.rsp.h1.flags & H1_MF_CONN_CLOSE) &&
	        ((hs->txn.rsp.h1.flags & H1_MF_VER_11) || (hs->txn.rsp.h1.flags & H1_MF_CONN_KAL));
	if (hs->flags & HS_F_CLI_CLOSE) {
		if (reuse && hs_may_share(s)) {
			hs_park(s);
			s->srvc = NULL;
		}
		/* what follows the response (a body to HEAD...) is not sent */
		drop_in(&s->res);
		stream_shutdown(s, STRM_SHUT_DONE);
		return;
	}
	if (reuse)
		hs_park(s);
	else
		conn_close(s->srvc);
	/* bytes after the response (a body to HEAD...) came from a
	 * connection now closed: none of the next response's */
	drop_in(&s->res);
	s->srvc = NULL;
	backend_release(s);
	/* count and log this transaction, then start over */
	s->t_close = t->now_us;
	stream_log_txn(s);
	s->t_close = 0;
	if (chan_out_len(&s->req))
		chan_skip_out(&s->req, chan_out_len(&s->req));
	s->req.flags &= ~(CHAN_SHUTW | CHAN_SHUTW_NOW | CHAN_WRITE_ERROR | CHAN_EOI);
	s->res.flags = 0;
	stream_txn_reset(s);
	hs->flags &= ~HS_F_FIRST;
	hs_txn_start(hs);
	s->exp_cli = deadline(t->now_ms, stream_http_cli_tmo(s));
	conn_recv_start(s->cli);
	stream_wakeup(s);
}

int stream_http_forward(struct stream *s)
{
	struct http_strm *hs = hs_of(s);
	struct http_txn *txn = &hs->txn;
	struct conn *cli = s->cli, *srv = s->srvc;
	int rq = HTTP_PARSE_AGAIN, rs = HTTP_PARSE_AGAIN;

	if (hs->flags & HS_F_TUNNEL)
		return 1;
	/* request: headers then the body, up to the end of the message */
	if (srv && !(s->req.flags & CHAN_SHUTW)) {
		rq = hs_fwd_msg(hs, &txn->req, &hs->bytes_in, 0);
		if (rq == HTTP_PARSE_ERR) {
			hs_reply_err(s, 400, HTTP_ERR_MUX, STRM_ERR_PRXCOND, STRM_FIN_D);
			return 0;
		}
		if (conn_send(srv) < 0) {
			stream_abort(s, STRM_ERR_INTERNAL, STRM_FIN_D);
			return 0;
		}
	} else if (txn->req.state == HTTP_MSG_DONE && txn->req.fwd >= txn->req.h1.pos) {
		rq = HTTP_PARSE_DONE;
	}
	/* response */
	if (!(hs->flags & HS_F_RSP_HDRS)) {
		int r;

		while ((r = http_msg_parse(&txn->rsp)) == HTTP_PARSE_DONE) {
			int h = hs_rsp_headers(s);

			if (h < 0)
				return 0;
			if (h == 0)
				break;
		}
		if (r == HTTP_PARSE_ERR) {
			char err = STRM_ERR_PRXCOND;

			/* closed before a whole head (a bad one is "P") */
			if ((s->res.flags & CHAN_SHUTR) &&
			    (!chan_in_len(&s->res) || txn->rsp.h1.phase != H1_P_ERROR))
				err = STRM_ERR_SRVCL;
			hs_reply_err(s, 502, HTTP_ERR_STREAM, err, STRM_FIN_H);
			return 0;
		}
		if (hs->flags & HS_F_TUNNEL) {
			conn_send(cli);
			return 1;
		}
		/* "option abortonclose": the whole request went and the client
		 * shut its side before the response: HAProxy answers 400 */
		if (rq == HTTP_PARSE_DONE && !(hs->flags & HS_F_RSP_HDRS) && !chan_in_len(&s->res) &&
		    stream_client_gave_up(s)) {
			hs->flags |= HS_F_CLI_CLOSE;
			hs_reply_err(s, 400, HTTP_ERR_STREAM, STRM_ERR_CLICL, STRM_FIN_H);
			return 0;
		}
	}
	if (hs->flags & HS_F_RSP_HDRS) {
		rs = hs_fwd_msg(hs, &txn->rsp, (hs->flags & HS_F_DRAIN_RSP) ? NULL : &hs->bytes_out,
		                !!(hs->flags & (HS_F_DRAIN_RSP | HS_F_CLI_HEAD)));
		if (rs == HTTP_PARSE_ERR) {
			stream_abort(s, STRM_ERR_SRVCL, STRM_FIN_D);
			return 0;
		}
		/* "option logasap": the line is written once the response
		 * head is out (with the body bytes that came with it) */
		stream_log_asap(s);
	}
	if (conn_send(cli) < 0) {
		stream_abort(s, STRM_ERR_INTERNAL, STRM_FIN_D);
		return 0;
	}
	conn_recv_start(cli);
	if (s->srvc)
		conn_recv_start(s->srvc);
	if (cli->flags & (CONN_F_RX_ERR | CONN_F_TX_ERR)) {
		stream_abort(s, STRM_ERR_CLICL, (hs->flags & HS_F_RSP_HDRS) ? STRM_FIN_D : STRM_FIN_H);
		return 0;
	}
	/* the server closed before the end of the response */
	if (srv && (s->res.flags & CHAN_SHUTR) && rs != HTTP_PARSE_DONE &&
	    (hs->flags & HS_F_RSP_HDRS)) {
		hs->flags |= HS_F_CLI_CLOSE;
		stream_abort(s, STRM_ERR_SRVCL, STRM_FIN_D);
		return 0;
	}
	if (rs == HTTP_PARSE_DONE && rq != HTTP_PARSE_DONE) {
		/* the response ended before the request: close after it */
		hs->flags |= HS_F_CLI_CLOSE;
		if (txn->req.state != HTTP_MSG_DONE) {
			stream_shutdown(s, STRM_SHUT_DONE);
			return 0;
		}
	}
	if (rs == HTTP_PARSE_DONE && rq == HTTP_PARSE_DONE)
		hs_txn_end(s);
	return 0;
}
