/* http_fetch.c: HTTP sample fetches (method, path, hdr, cook, urlp,
 * status, res.hdr...) with HAProxy's names, arguments and result types,
 * reading the transaction's messages through http.h. Values lying in one
 * channel segment are returned in place (SMP_F_CONST); split ones are
 * copied to scratch. A stream without HTTP state (TCP mode) has its
 * request parsed on the fly from the request channel, read-only, so that
 * "tcp-request content ... if { path /x }" works as in HAProxy. */
#include <ctype.h>
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/hash.h"
#include "engine/http.h"
#include "engine/sample.h"
#include "engine/stream.h"
#include "proto/varint.h"

static const int dir_req = SMP_DIR_REQ, dir_res = SMP_DIR_RES;

/* The request parsed on the fly for a TCP-mode stream (per thread). */
static __thread struct http_msg tcp_req;

/* Returns the message of direction <dir> ready to be read, or NULL (then
 * <smp>'s flags say SMP_F_MAY_CHANGE when it may become ready). */
static const struct http_msg *fetch_msg(struct smp_ctx *ctx, int dir, struct sample *smp)
{
	struct http_txn *txn;
	const struct http_msg *msg;

	if (!ctx->strm)
		return NULL;
	txn = ctx->strm->http;
	if (txn) {
		msg = dir == SMP_DIR_RES ? &txn->rsp : &txn->req;
		if (http_msg_ready(msg) && !msg->fwd)
			return msg;     /* headers forwarded: gone, as in HAProxy */
		if (msg->state == HTTP_MSG_HDRS && !ctx->final)
			smp->flags |= SMP_F_MAY_CHANGE;
		return NULL;
	}
	if (dir != SMP_DIR_REQ)
		return NULL;
	http_msg_init(&tcp_req, &ctx->strm->req, 0, 0, 0);
	tcp_req.ro = 1;
	switch (http_msg_parse(&tcp_req)) {
	case HTTP_PARSE_DONE:
		return &tcp_req;
	case HTTP_PARSE_AGAIN:
		if (!ctx->final && !(ctx->strm->req.flags & (CHAN_SHUTR | CHAN_EOI)))
			smp->flags |= SMP_F_MAY_CHANGE;
		return NULL;
	}
	return NULL;
}

static int msg_dir(const struct smp_ctx *ctx)
{
	return ctx->priv ? *(const int *)ctx->priv : (int)ctx->dir;
}

/* Sets <smp> to the bytes of span <sp> of <msg> (in place or copied). */
static int set_span(const struct http_msg *msg, struct h1_span sp, struct sample *smp)
{
	size_t sz, len;
	char *t = smp_trash(&sz);
	const char *p = http_span(msg, sp, t, sz, &len);

	if (!p)
		return 0;
	if (p == t) {
		smp_set_str(smp, t, len, sz);
	} else {
		smp_set_const_str(smp, p, len);
	}
	return 1;
}

static int f_method(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const struct http_msg *msg = fetch_msg(ctx, SMP_DIR_REQ, smp);
	const struct http_txn *txn = ctx->strm ? ctx->strm->http : NULL;

	if (!msg && txn && (txn->flags & HTTP_TXN_REQ_PARSED) && txn->rl_meth) {
		/* the request left: the method stays known for the response, as
		 * HAProxy keeps it in its transaction (from the captured line) */
		smp_set_const_str(smp, txn->rl, txn->rl_meth);
		smp->type = SMP_T_METH;
		return 1;
	}
	if (!msg || !set_span(msg, msg->h1.meth, smp))
		return 0;
	smp->type = SMP_T_METH;
	return 1;
}

static int f_path(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const struct http_msg *msg = fetch_msg(ctx, SMP_DIR_REQ, smp);
	struct h1_span sp;

	return msg && http_uri_path(msg, &sp) && set_span(msg, sp, smp);
}

static int f_query(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const struct http_msg *msg = fetch_msg(ctx, SMP_DIR_REQ, smp);
	struct h1_span sp;

	return msg && http_uri_query(msg, &sp) && set_span(msg, sp, smp);
}

static int f_url(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const struct http_msg *msg = fetch_msg(ctx, SMP_DIR_REQ, smp);

	return msg && set_span(msg, msg->h1.uri, smp);
}

/* base: the Host header's value followed by the path (the path alone
 * without Host); baseq (<priv> set): with the query string too. */
static int f_base(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const struct http_msg *msg = fetch_msg(ctx, SMP_DIR_REQ, smp);
	struct http_val host;
	struct h1_span path;
	size_t sz, hl = 0, pl;
	char *t;
	int nh;

	if (!msg || !http_uri_path(msg, &path))
		return 0;
	if (ctx->priv)
		path.len = msg->h1.uri.off + msg->h1.uri.len - path.off;
	nh = http_val_find(msg, "host", 4, 1, 1, &host);
	if (!nh)
		return set_span(msg, path, smp);
	if (!(t = smp_trash(&sz)) || (size_t)host.v.len + path.len > sz)
		return 0;
	hl = chan_copy_in(msg->chan, host.v.off, t, host.v.len);
	pl = chan_copy_in(msg->chan, path.off, t + hl, path.len);
	smp_set_str(smp, t, hl + pl, sz);
	return 1;
}

/* req.ver / res.ver: "1.1" (the version without "HTTP/"). */
static int f_ver(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const struct http_msg *msg = fetch_msg(ctx, msg_dir(ctx), smp);
	struct h1_span v;

	if (!msg || msg->h1.ver.len < 5)
		return 0;
	v.off = msg->h1.ver.off + 5;
	v.len = msg->h1.ver.len - 5;
	return set_span(msg, v, smp);
}

static int f_status(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const struct http_msg *msg = fetch_msg(ctx, SMP_DIR_RES, smp);

	if (!msg)
		return 0;
	smp_set_sint(smp, http_get_status(msg));
	return 1;
}

/* The header name argument: NULL/0 when absent or empty. */
static const char *arg_name(const struct arg *args, size_t *len)
{
	if (args[0].type != ARGT_STR || !args[0].u.str.len) {
		*len = 0;
		return NULL;
	}
	*len = args[0].u.str.len;
	return args[0].u.str.ptr;
}

/* For an ACL (ctx->iterate): the occurrence number ctx->iter, with
 * SMP_F_NOT_LAST when more follow, so that each one is tested. */
static int next_value(const struct http_msg *msg, const char *name, size_t nlen, int full,
                      struct sample *smp, struct smp_ctx *ctx)
{
	struct http_val v;
	int n = http_val_find(msg, name, nlen, full, (int)ctx->iter + 1, &v);

	if ((uint32_t)n <= ctx->iter)
		return 0;
	ctx->iter++;
	smp->flags |= SMP_F_VOL_TXN;
	if ((uint32_t)n > ctx->iter)
		smp->flags |= SMP_F_NOT_LAST;
	return set_span(msg, v.v, smp);
}

/* hdr/fhdr(name[,occ]): occurrence <occ> (default: the last one; each in
 * turn for an ACL). */
static int hdr_common(const struct arg *args, struct sample *smp, struct smp_ctx *ctx, int full)
{
	const struct http_msg *msg = fetch_msg(ctx, msg_dir(ctx), smp);
	struct http_val v;
	size_t nlen;
	const char *name = arg_name(args, &nlen);
	int occ = -1, n;

	if (!msg || !name)
		return 0;               /* HAProxy 2.6 finds nothing without a name */
	if (args[1].type == ARGT_SINT && args[1].u.sint)
		occ = (int)args[1].u.sint;
	else if (ctx->iterate)
		return next_value(msg, name, nlen, full, smp, ctx);
	n = http_val_find(msg, name, nlen, full, occ, &v);
	if (n < (occ < 0 ? -occ : occ))
		return 0;
	smp->flags |= SMP_F_VOL_TXN;
	return set_span(msg, v.v, smp);
}

static int f_hdr(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	return hdr_common(args, smp, ctx, 0);
}

static int f_fhdr(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	return hdr_common(args, smp, ctx, 1);
}

static int cnt_common(const struct arg *args, struct sample *smp, struct smp_ctx *ctx, int full)
{
	const struct http_msg *msg = fetch_msg(ctx, msg_dir(ctx), smp);
	size_t nlen;
	const char *name = arg_name(args, &nlen);

	if (!msg)
		return 0;
	smp_set_sint(smp, http_val_find(msg, name, nlen, full, 0, NULL));
	return 1;
}

static int f_hdr_cnt(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	return cnt_common(args, smp, ctx, 0);
}

static int f_fhdr_cnt(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	return cnt_common(args, smp, ctx, 1);
}

/* hdr_ip(name[,occ]): the occurrence as an address (IPv4 or IPv6). */
static int f_hdr_ip(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	char buf[64];

	if (!hdr_common(args, smp, ctx, 0) || smp->u.str.len >= sizeof(buf))
		return 0;
	memcpy(buf, smp->u.str.ptr, smp->u.str.len);
	buf[smp->u.str.len] = 0;
	if (inet_pton(AF_INET, buf, &smp->u.ipv4) == 1) {
		smp->type = SMP_T_IPV4;
		smp->flags &= SMP_F_KEEP;
		return 1;
	}
	if (inet_pton(AF_INET6, buf, &smp->u.ipv6) == 1) {
		smp->type = SMP_T_IPV6;
		smp->flags &= SMP_F_KEEP;
		return 1;
	}
	return 0;
}

/* hdr_val(name[,occ]): the occurrence as an integer (leading digits). */
static int f_hdr_val(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	int64_t v = 0;
	size_t i = 0;
	int neg = 0;

	if (!hdr_common(args, smp, ctx, 0))
		return 0;
	if (i < smp->u.str.len && (smp->u.str.ptr[i] == '-' || smp->u.str.ptr[i] == '+'))
		neg = smp->u.str.ptr[i++] == '-';
	for (; i < smp->u.str.len && smp->u.str.ptr[i] >= '0' && smp->u.str.ptr[i] <= '9'; i++)
		v = v * 10 + (smp->u.str.ptr[i] - '0');
	smp_set_sint(smp, neg ? -v : v);
	return 1;
}

/* req.hdrs / res.hdrs: the header block as received after edits, from
 * the first header line to the blank line included. */
static int f_hdrs(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const struct http_msg *msg = fetch_msg(ctx, msg_dir(ctx), smp);
	struct h1_span sp;

	if (!msg)
		return 0;
	sp.off = msg->h1.nb_hdrs ? msg->hdrs[0].n.off : msg->h1.hdr_len - 2;
	if (!msg->h1.nb_hdrs && sp.off && sp.off < msg->h1.hdr_len) {
		size_t l;
		char b[2];
		const char *p;
		struct h1_span last = { msg->h1.hdr_len - 2, 2 };

		if ((p = http_span(msg, last, b, 2, &l)) && p[0] != '\r')
			sp.off = msg->h1.hdr_len - 1;
	}
	sp.len = msg->h1.hdr_len - sp.off;
	return set_span(msg, sp, smp);
}

/* req.hdrs_bin / res.hdrs_bin: the headers in HAProxy's binary list form,
 * for each its name (lower case, as HAProxy keeps names) then its value,
 * each a varint length and the bytes, ended by two empty strings. */
static int f_hdrs_bin(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const struct http_msg *msg = fetch_msg(ctx, msg_dir(ctx), smp);
	size_t sz, n = 0;
	char *t = smp_trash(&sz);

	(void)args;
	if (!msg || !t)
		return 0;
	for (int i = 0; i < http_hdr_count(msg); i++) {
		const struct h1_span sp[2] = { msg->hdrs[i].n, msg->hdrs[i].v };

		for (int k = 0; k < 2; k++) {
			size_t len;
			const char *p;

			if (n + VARINT_MAX + sp[k].len + 2 > sz)
				return 0;
			n += varint_put((unsigned char *)t + n, sp[k].len);
			if (!(p = http_span(msg, sp[k], t + n, sz - n, &len)))
				return 0;
			if (p != t + n)
				memcpy(t + n, p, len);
			for (size_t j = 0; !k && j < len; j++)
				t[n + j] = (char)tolower((unsigned char)t[n + j]);
			n += len;
		}
	}
	t[n++] = 0;
	t[n++] = 0;
	smp_set_str(smp, t, n, sz);
	smp->type = SMP_T_BIN;
	return 1;
}

/* req.hdr_names([delim]): the header names, in order, joined by <delim>
 * (default ','). */
static int f_hdr_names(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const struct http_msg *msg = fetch_msg(ctx, msg_dir(ctx), smp);
	char delim = (args[0].type == ARGT_STR && args[0].u.str.len) ? args[0].u.str.ptr[0] : ',';
	size_t sz, n = 0;
	char *t = smp_trash(&sz);

	if (!msg || !t)
		return 0;
	for (int i = 0; i < http_hdr_count(msg); i++) {
		struct h1_span nm = msg->hdrs[i].n;

		if (n + nm.len + 1 > sz)
			return 0;
		if (i)
			t[n++] = delim;
		for (size_t k = n, e = n + chan_copy_in(msg->chan, nm.off, t + n, nm.len); k < e; k++)
			if (t[k] >= 'A' && t[k] <= 'Z')
				t[k] += 32;     /* lowercase already, except in TCP mode (read-only) */
		n += nm.len;
	}
	smp_set_str(smp, t, n, sz);
	return 1;
}

/* cook(name): the last value of cookie <name> (without name: the first
 * cookie's value). */
static int f_cook(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const struct http_msg *msg = fetch_msg(ctx, msg_dir(ctx), smp);
	struct h1_span v;
	size_t nlen;
	const char *name = arg_name(args, &nlen);
	int occ = name ? -1 : 1, n;

	if (!msg)
		return 0;
	if (ctx->iterate && name) {
		/* an ACL tests each cookie of that name */
		n = http_cookie_find(msg, name, nlen, (int)ctx->iter + 1, &v);
		if ((uint32_t)n <= ctx->iter)
			return 0;
		ctx->iter++;
		if ((uint32_t)n > ctx->iter)
			smp->flags |= SMP_F_NOT_LAST;
		smp->flags |= SMP_F_VOL_TXN;
		return set_span(msg, v, smp);
	}
	n = http_cookie_find(msg, name, nlen, occ, &v);
	if (n < (occ < 0 ? -occ : occ))
		return 0;
	smp->flags |= SMP_F_VOL_TXN;
	return set_span(msg, v, smp);
}

static int f_cook_cnt(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const struct http_msg *msg = fetch_msg(ctx, msg_dir(ctx), smp);
	size_t nlen;
	const char *name = arg_name(args, &nlen);

	if (!msg)
		return 0;
	smp_set_sint(smp, http_cookie_find(msg, name, nlen, 0, NULL));
	return 1;
}

/* cook_val(name): the cookie's value as an integer. */
static int f_cook_val(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	int64_t v = 0;

	if (!f_cook(args, smp, ctx))
		return 0;
	for (size_t i = 0; i < smp->u.str.len && smp->u.str.ptr[i] >= '0' && smp->u.str.ptr[i] <= '9'; i++)
		v = v * 10 + (smp->u.str.ptr[i] - '0');
	smp_set_sint(smp, v);
	return 1;
}

/* url_param/urlp(name[,delim]) */
static int f_url_param(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const struct http_msg *msg = fetch_msg(ctx, SMP_DIR_REQ, smp);
	char delim = (args[1].type == ARGT_STR && args[1].u.str.len) ? args[1].u.str.ptr[0] : '&';
	struct h1_span v;
	size_t nlen;
	const char *name = arg_name(args, &nlen);

	return msg && http_url_param(msg, name, nlen, delim, &v) && set_span(msg, v, smp);
}

static int f_urlp_val(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	int64_t v = 0;

	if (!f_url_param(args, smp, ctx))
		return 0;
	for (size_t i = 0; i < smp->u.str.len && smp->u.str.ptr[i] >= '0' && smp->u.str.ptr[i] <= '9'; i++)
		v = v * 10 + (smp->u.str.ptr[i] - '0');
	smp_set_sint(smp, v);
	return 1;
}

/* url_ip / url_port: the address and port of an absolute URI "http://a.b.c.d:p/". */
/* Returns 1 with the IPv4 literal host and port of an absolute URI (a
 * name is not resolved: nothing is found, as HAProxy). */
static int url_host(const struct http_msg *msg, char *host, size_t hsz, int *port)
{
	struct in_addr a;

	char buf[128];
	size_t len;
	const char *u = http_get_uri(msg, buf, sizeof(buf), &len);
	const char *h, *e, *c;

	if (!u || len < 8 || strncasecmp(u, "http://", 7))
		return 0;
	h = u + 7;
	e = memchr(h, '/', len - 7);
	if (!e)
		e = u + len;
	c = memchr(h, ':', (size_t)(e - h));
	*port = 80;
	if (c) {
		*port = 0;
		for (const char *p = c + 1; p < e && *p >= '0' && *p <= '9'; p++)
			*port = *port * 10 + (*p - '0');
		e = c;
	}
	if ((size_t)(e - h) >= hsz)
		return 0;
	memcpy(host, h, (size_t)(e - h));
	host[e - h] = 0;
	return inet_pton(AF_INET, host, &a) == 1;
}

static int f_url_ip(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const struct http_msg *msg = fetch_msg(ctx, SMP_DIR_REQ, smp);
	char host[64];
	int port;

	if (!msg || !url_host(msg, host, sizeof(host), &port) || inet_pton(AF_INET, host, &smp->u.ipv4) != 1)
		return 0;
	smp->type = SMP_T_IPV4;
	smp->flags &= SMP_F_KEEP;
	return 1;
}

static int f_url_port(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const struct http_msg *msg = fetch_msg(ctx, SMP_DIR_REQ, smp);
	char host[64];
	int port;

	if (!msg || !url_host(msg, host, sizeof(host), &port))
		return 0;
	smp_set_sint(smp, port);
	return 1;
}

/* Copies the body bytes received so far into <out> (de-chunked for a
 * chunked message). Returns the length, or -1 when it does not fit. */
static long body_copy(const struct http_msg *msg, char *out, size_t outsz, int *complete)
{
	uint32_t off = msg->h1.hdr_len;
	const struct chan *c = msg->chan;
	size_t avail = c->in > off ? c->in - off : 0, n = 0;

	*complete = 0;
	if (msg->h1.flags & H1_MF_NO_BODY) {
		*complete = 1;
		return 0;
	}
	if (!(msg->h1.flags & H1_MF_CHNK)) {
		size_t want = (msg->h1.flags & H1_MF_CLEN) ? (size_t)msg->h1.body_len : avail;

		if (want > avail)
			want = avail;
		else if (msg->h1.flags & H1_MF_CLEN)
			*complete = 1;
		if (want > outsz)
			return -1;
		return (long)chan_copy_in(c, off, out, want);
	}
	/* chunked: size line, data, CRLF ... */
	for (;;) {
		uint64_t sz = 0;
		char ch;
		int digits = 0;

		while (chan_copy_in(c, off, &ch, 1) == 1) {
			int d = (ch >= '0' && ch <= '9') ? ch - '0' : (ch >= 'a' && ch <= 'f') ? ch - 'a' + 10 :
			        (ch >= 'A' && ch <= 'F') ? ch - 'A' + 10 : -1;
			if (d < 0)
				break;
			sz = sz * 16 + (uint64_t)d;
			digits++;
			off++;
		}
		if (!digits)
			return (long)n;
		{
			long lf = chan_find_in(c, off, '\n');

			if (lf < 0)
				return (long)n;
			off = (uint32_t)lf + 1;
		}
		if (!sz) {
			*complete = 1;
			return (long)n;
		}
		{
			size_t got = c->in > off ? c->in - off : 0;

			if (got > sz)
				got = (size_t)sz;
			if (n + got > outsz)
				return -1;
			n += chan_copy_in(c, off, out + n, got);
			if (got < sz)
				return (long)n;
			off += (uint32_t)sz;
		}
		{
			long lf = chan_find_in(c, off, '\n');

			if (lf < 0)
				return (long)n;
			off = (uint32_t)lf + 1;
		}
	}
}

int http_fetch_htx_len(struct smp_ctx *ctx, int dir, int64_t *len)
{
	struct sample tmp = { 0 };
	const struct http_msg *msg = ctx->strm && ctx->strm->http ? fetch_msg(ctx, dir, &tmp) : NULL;
	size_t sz;
	char *t = smp_trash(&sz);
	int complete;
	long n;

	if (!msg || !t)
		return 0;
	if ((n = body_copy(msg, t, sz, &complete)) < 0)
		n = (long)(msg->chan->in - msg->h1.hdr_len);   /* too large to de-chunk: near enough */
	/* a chunked message that ended has one more block (its trailers' end) */
	*len = (int64_t)(http_msg_htx_head_size(msg) + (uint64_t)n +
	                 ((msg->h1.flags & H1_MF_CHNK) && complete));
	return 1;
}

static int f_body(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const struct http_msg *msg = fetch_msg(ctx, msg_dir(ctx), smp);
	size_t sz;
	char *t = smp_trash(&sz);
	int complete;
	long n;

	if (!msg || !t || (n = body_copy(msg, t, sz, &complete)) < 0)
		return 0;
	smp->type = SMP_T_BIN;
	smp->flags &= SMP_F_KEEP;
	if (!complete && !ctx->final)
		smp->flags |= SMP_F_MAY_CHANGE;
	smp->u.str.ptr = t;
	smp->u.str.len = (size_t)n;
	smp->u.str.size = sz;
	return 1;
}

static int f_body_len(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	if (!f_body(args, smp, ctx))
		return 0;
	smp_set_sint(smp, (int64_t)smp->u.str.len);
	return 1;
}

/* req.body_size: the announced Content-Length (or the body so far). */
static int f_body_size(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const struct http_msg *msg = fetch_msg(ctx, msg_dir(ctx), smp);

	if (!msg)
		return 0;
	if (msg->h1.flags & H1_MF_CLEN) {
		smp_set_sint(smp, (int64_t)msg->h1.body_len);
		return 1;
	}
	return f_body_len(args, smp, ctx);
}

/* req.proto_http: true when the request parses as HTTP (always in HTTP
 * mode); not found while more bytes may complete it. */
static int f_proto_http(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const struct http_msg *msg = fetch_msg(ctx, SMP_DIR_REQ, smp);

	if (!msg && (smp->flags & SMP_F_MAY_CHANGE))
		return 0;
	smp_set_bool(smp, msg != NULL);
	return 1;
}

/* capture.req.method/uri/ver: the request line as received, before any
 * rewrite (the copy kept for the log). HTTP mode only. */
static int f_cap_req(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const struct http_txn *txn = ctx->strm ? ctx->strm->http : NULL;
	int part = *(const int *)ctx->priv;

	if (!txn || !(txn->flags & HTTP_TXN_REQ_PARSED) || !txn->rl_len)
		return 0;
	if (part == 0)
		smp_set_const_str(smp, txn->rl, txn->rl_meth);
	else if (part == 1) {
		/* from the first slash, without "scheme://authority" */
		const char *u = txn->rl + txn->rl_uri_off, *e = u + txn->rl_uri_len, *p = u;
		const char *ss = memmem(u, txn->rl_uri_len, "://", 3);

		if (*u != '/') {
			if (!ss)
				return 0;
			p = memchr(ss + 3, '/', (size_t)(e - ss - 3));
			if (!p)
				return 0;
		}
		smp_set_const_str(smp, p, (size_t)(e - p));
	}
	else
		smp_set_const_str(smp, txn->rl + txn->rl_ver_off, (size_t)(txn->rl_len - txn->rl_ver_off));
	return 1;
}
static const int cap_meth = 0, cap_uri = 1, cap_ver = 2;

/* cur_server_timeout / cur_tunnel_timeout: the timeout the stream uses
 * now, in ms: the backend's, or what "http-request set-timeout" set. */
static const int tmo_srv = 0, tmo_tun = 1;
static int f_cur_tmo(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const struct stream *s = ctx->strm;
	const struct proxy *be;
	int tun = *(const int *)ctx->priv;

	if (!s || !(be = s->be ? s->be : s->fe))
		return 0;
	if (tun)
		smp_set_sint(smp, s->http && s->to_tunnel ? s->to_tunnel : be->to.tunnel);
	else
		smp_set_sint(smp, s->http && s->to_server ? s->to_server : be->to.server);
	return 1;
}

/* http_first_req: 1 for the first request of the client connection. */
static int f_first_req(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const struct http_txn *txn = ctx->strm ? ctx->strm->http : NULL;

	if (!txn)
		return 0;
	smp_set_bool(smp, !(txn->flags & HTTP_TXN_NOT_FIRST));
	return 1;
}

/* capture.res.ver: the response's version ("HTTP/1.1"). */
static int f_cap_res_ver(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const struct http_msg *msg = fetch_msg(ctx, SMP_DIR_RES, smp);

	return msg && set_span(msg, msg->h1.ver, smp);
}

/* pathq: the path and the query string, without scheme and authority. */
static int f_pathq(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const struct http_msg *msg = fetch_msg(ctx, SMP_DIR_REQ, smp);
	struct h1_span p;

	if (!msg || !http_uri_path(msg, &p))
		return 0;
	p.len = msg->h1.uri.off + msg->h1.uri.len - p.off;
	return set_span(msg, p, smp);
}

/* Feeds span <sp> of <msg> to the sdbm hash <h>. */
static uint32_t sdbm_span(const struct http_msg *msg, struct h1_span sp, uint32_t h)
{
	char buf[256];

	for (uint32_t done = 0; done < sp.len;) {
		size_t n = chan_copy_in(msg->chan, sp.off + done, buf,
		                        sp.len - done < sizeof(buf) ? sp.len - done : sizeof(buf));

		if (!n)
			break;
		for (size_t i = 0; i < n; i++)
			h = (uint32_t)(unsigned char)buf[i] + (h << 6) + (h << 16) - h;
		done += (uint32_t)n;
	}
	return h;
}

/* base32 (Host + path) and url32 (Host + path and query): HAProxy's sdbm
 * hash with the avalanche mixer. Returns 1 and the hash in *<out>. */
static int hash32(struct smp_ctx *ctx, struct sample *smp, int with_query, uint32_t *out)
{
	const struct http_msg *msg = fetch_msg(ctx, SMP_DIR_REQ, smp);
	struct http_val host;
	struct h1_span p;
	uint32_t h = 0;

	if (!msg)
		return 0;
	if (http_val_find(msg, "host", 4, 1, 1, &host))
		h = sdbm_span(msg, host.v, h);
	if (http_uri_path(msg, &p)) {
		if (with_query)
			p.len = msg->h1.uri.off + msg->h1.uri.len - p.off;
		h = sdbm_span(msg, p, h);
	}
	*out = hash_avalanche(h);
	return 1;
}

static int f_base32(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	uint32_t h;

	if (!hash32(ctx, smp, *(const int *)ctx->priv, &h))
		return 0;
	smp_set_sint(smp, h);
	return 1;
}

/* base32+src / url32+src: the hash, big-endian, then the client address
 * (4 or 16 bytes), as binary. */
static int f_base32_src(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const struct addr *a;
	size_t sz, n = 4;
	uint8_t *t = (uint8_t *)smp_trash(&sz);
	uint32_t h;

	if (!t || !hash32(ctx, smp, *(const int *)ctx->priv, &h))
		return 0;
	a = &ctx->strm->cli_addr;
	t[0] = (uint8_t)(h >> 24);
	t[1] = (uint8_t)(h >> 16);
	t[2] = (uint8_t)(h >> 8);
	t[3] = (uint8_t)h;
	if (a->u.sa.sa_family == AF_INET) {
		memcpy(t + 4, &a->u.in4.sin_addr, 4);
		n += 4;
	} else if (a->u.sa.sa_family == AF_INET6) {
		memcpy(t + 4, &a->u.in6.sin6_addr, 16);
		n += 16;
	} else {
		return 0;
	}
	smp->type = SMP_T_BIN;
	smp->flags &= SMP_F_KEEP;
	smp->u.str.ptr = (char *)t;
	smp->u.str.len = n;
	smp->u.str.size = sz;
	return 1;
}
static const int hash_base = 0, hash_url = 1;

/* Decodes standard base64 <in>/<n> into <out>. Returns the length, or -1. */
static long b64_decode(const char *in, size_t n, char *out, size_t outsz)
{
	uint32_t acc = 0;
	int bits = 0, pad = 0;
	size_t o = 0;

	if (n % 4)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)in[i], v;

		if (c >= 'A' && c <= 'Z') v = c - 'A';
		else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
		else if (c >= '0' && c <= '9') v = c - '0' + 52;
		else if (c == '+') v = 62;
		else if (c == '/') v = 63;
		else if (c == '=' && i >= n - 2) { pad++; continue; }
		else return -1;
		if (pad)
			return -1;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o >= outsz)
				return -1;
			out[o++] = (char)(acc >> bits);
		}
	}
	return (long)o;
}

/* http_auth_type / http_auth_user / http_auth_pass: the Authorization
 * header's scheme, and for "Basic" the decoded user and password. A Basic
 * credential that does not decode to "user:pass" gives nothing at all. */
static int f_http_auth(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const struct http_msg *msg = fetch_msg(ctx, SMP_DIR_REQ, smp);
	int part = *(const int *)ctx->priv;
	struct http_val v;
	char raw[1024];
	size_t sz, len;
	char *t = smp_trash(&sz);
	const char *p, *sp, *colon;
	long dl;

	if (!msg || !t || !http_val_find(msg, "authorization", 13, 1, -1, &v))
		return 0;
	if (!(p = http_span(msg, v.v, raw, sizeof(raw), &len)))
		return 0;
	sp = memchr(p, ' ', len);
	if (!sp)
		return 0;
	if ((size_t)(sp - p) == 5 && !strncasecmp(p, "basic", 5)) {
		const char *c = sp + 1, *e = p + len;

		while (c < e && *c == ' ')
			c++;
		dl = b64_decode(c, (size_t)(e - c), t, sz);
		if (dl < 0 || !(colon = memchr(t, ':', (size_t)dl)))
			return 0;
		if (part == 1) {
			smp_set_str(smp, t, (size_t)(colon - t), sz);
			return 1;
		}
		if (part == 2) {
			smp_set_str(smp, (char *)colon + 1, (size_t)(t + dl - colon - 1), 0);
			return 1;
		}
	} else if (part) {
		return 0;
	}
	memcpy(t, p, (size_t)(sp - p));
	smp_set_str(smp, t, (size_t)(sp - p), sz);
	return 1;
}
static const int auth_type = 0, auth_user = 1, auth_pass = 2;

/* http_auth_bearer([header]): the token of a "Bearer" credential in the
 * Authorization header, or in <header>. */
static int f_http_auth_bearer(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const struct http_msg *msg = fetch_msg(ctx, SMP_DIR_REQ, smp);
	const char *name = "authorization", *p, *e;
	size_t nlen = 13, len, sz;
	struct http_val v;
	char *t = smp_trash(&sz);

	if (args[0].type == ARGT_STR && args[0].u.str.len) {
		name = args[0].u.str.ptr;
		nlen = args[0].u.str.len;
	}
	if (!msg || !t || !http_val_find(msg, name, nlen, 1, -1, &v) ||
	    !(p = http_span(msg, v.v, t, sz, &len)) || len < 7 || strncasecmp(p, "bearer ", 7))
		return 0;
	e = p + len;
	for (p += 7; p < e && *p == ' '; p++)
		;
	if (p != t)
		memmove(t, p, (size_t)(e - p));
	smp_set_str(smp, t, (size_t)(e - p), sz);
	return 1;
}

/* res.comp, res.cache_hit: false; res.comp_algo, res.cache_name: not
 * found. Compression and the cache are accepted without effect
 * (cache_cfg.h): no response is compressed or served from a cache. */
static int f_res_false(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	smp_set_bool(smp, 0);
	return 1;
}

static int f_res_none(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	return 0;
}

/* req.body_param([name]): the value of parameter <name> (the first one
 * without a name) in an application/x-www-form-urlencoded body buffered
 * so far ('&' separated). */
static int f_body_param(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	size_t nlen;
	const char *name = arg_name(args, &nlen);
	const char *b, *e, *p;

	if (!f_body(args, smp, ctx))
		return 0;
	b = smp->u.str.ptr;
	e = b + smp->u.str.len;
	for (p = b; p < e;) {
		const char *amp = memchr(p, '&', (size_t)(e - p)), *end = amp ? amp : e;
		const char *eq = memchr(p, '=', (size_t)(end - p));

		if (eq && (!name || ((size_t)(eq - p) == nlen && !memcmp(p, name, nlen)))) {
			smp->type = SMP_T_STR;
			smp->u.str.ptr = (char *)eq + 1;
			smp->u.str.len = (size_t)(end - eq - 1);
			smp->u.str.size = 0;
			return 1;
		}
		p = end + 1;
	}
	return 0;
}

#define L7  (SMP_USE_L7)
#define L7R (SMP_USE_L7 | SMP_USE_RES)
#define L7A (SMP_USE_L7 | SMP_USE_ANYDIR)
#define S   SMP_T_STR
#define I   SMP_T_SINT

/* The ACL shortcuts (path_beg, hdr_sub, cook_reg...) are acl.c's aliases of these names. */
const struct sample_fetch smp_fetch_http_table[] = {
	{ "base",           f_base,       ARG0,                0, S,           L7,  NULL },
	{ "baseq",          f_base,       ARG0,                0, S,           L7,  "q" },
	{ "base32",         f_base32,     ARG0,                0, I,           L7,  &hash_base },
	{ "base32+src",     f_base32_src, ARG0,                0, SMP_T_BIN,   L7,  &hash_base },
	{ "capture.req.method", f_cap_req, ARG0,               0, S,           L7A, &cap_meth },
	{ "capture.req.uri",    f_cap_req, ARG0,               0, S,           L7A, &cap_uri },
	{ "capture.req.ver",    f_cap_req, ARG0,               0, S,           L7A, &cap_ver },
	{ "capture.res.ver",    f_cap_res_ver, ARG0,           0, S,           L7A, &dir_res },
	{ "cook",           f_cook,       ARG1(0, STR),        0, S,           L7,  &dir_req },
	{ "cookie",         f_cook,       ARG1(0, STR),        0, S,           L7A, NULL },    /* Cookie or Set-Cookie, by the rule's side */
	{ "cook_cnt",       f_cook_cnt,   ARG1(0, STR),        0, I,           L7,  &dir_req },
	{ "cook_val",       f_cook_val,   ARG1(0, STR),        0, I,           L7,  &dir_req },
	{ "hdr",            f_hdr,        ARG2(0, STR, SINT),  0, S,           L7A, NULL },    /* the rule's side, as cookie */
	{ "hdr_cnt",        f_hdr_cnt,    ARG1(0, STR),        0, I,           L7,  &dir_req },
	{ "hdr_ip",         f_hdr_ip,     ARG2(0, STR, SINT),  0, SMP_T_IPV4,  L7,  &dir_req },
	{ "hdr_val",        f_hdr_val,    ARG2(0, STR, SINT),  0, I,           L7,  &dir_req },
	{ "http_auth_bearer", f_http_auth_bearer, ARG1(0, STR), 0, S,          L7,  NULL },
	{ "http_auth_pass", f_http_auth,  ARG0,                0, S,           L7,  &auth_pass },
	{ "http_first_req", f_first_req,  ARG0,                0, SMP_T_BOOL,  L7A, NULL },
	{ "cur_server_timeout", f_cur_tmo, ARG0,               0, I,           SMP_USE_L5, &tmo_srv },
	{ "cur_tunnel_timeout", f_cur_tmo, ARG0,               0, I,           SMP_USE_L5, &tmo_tun },
	{ "http_auth_type", f_http_auth,  ARG0,                0, S,           L7,  &auth_type },
	{ "http_auth_user", f_http_auth,  ARG0,                0, S,           L7,  &auth_user },
	{ "method",         f_method,     ARG0,                0, SMP_T_METH,  L7A, NULL },
	{ "path",           f_path,       ARG0,                0, S,           L7,  NULL },
	{ "pathq",          f_pathq,      ARG0,                0, S,           L7,  NULL },
	{ "query",          f_query,      ARG0,                0, S,           L7,  NULL },
	{ "req.body",       f_body,       ARG0,                0, SMP_T_BIN,   L7,  &dir_req },
	{ "req.body_len",   f_body_len,   ARG0,                0, I,           L7,  &dir_req },
	{ "req.body_param", f_body_param, ARG1(0, STR),        0, S,           L7,  &dir_req },
	{ "req.body_size",  f_body_size,  ARG0,                0, I,           L7,  &dir_req },
	{ "req.cook",       f_cook,       ARG1(0, STR),        0, S,           L7,  &dir_req },
	{ "req.cook_cnt",   f_cook_cnt,   ARG1(0, STR),        0, I,           L7,  &dir_req },
	{ "req.cook_val",   f_cook_val,   ARG1(0, STR),        0, I,           L7,  &dir_req },
	{ "req.fhdr",       f_fhdr,       ARG2(0, STR, SINT),  0, S,           L7,  &dir_req },
	{ "req.fhdr_cnt",   f_fhdr_cnt,   ARG1(0, STR),        0, I,           L7,  &dir_req },
	{ "req.hdr",        f_hdr,        ARG2(0, STR, SINT),  0, S,           L7,  &dir_req },
	{ "req.hdr_cnt",    f_hdr_cnt,    ARG1(0, STR),        0, I,           L7,  &dir_req },
	{ "req.hdr_ip",     f_hdr_ip,     ARG2(0, STR, SINT),  0, SMP_T_IPV4,  L7,  &dir_req },
	{ "req.hdr_names",  f_hdr_names,  ARG1(0, STR),        0, S,           L7,  &dir_req },
	{ "req.hdr_val",    f_hdr_val,    ARG2(0, STR, SINT),  0, I,           L7,  &dir_req },
	{ "req.hdrs",       f_hdrs,       ARG0,                0, S,           L7,  &dir_req },
	{ "req.hdrs_bin",   f_hdrs_bin,   ARG0,                0, SMP_T_BIN,   L7,  &dir_req },
	{ "req.proto_http", f_proto_http, ARG0,                0, SMP_T_BOOL,  L7A, NULL },
	{ "req_proto_http", f_proto_http, ARG0,                0, SMP_T_BOOL,  L7A, NULL },
	{ "req.ver",        f_ver,        ARG0,                0, S,           L7,  &dir_req },
	{ "req_ver",        f_ver,        ARG0,                0, S,           L7,  &dir_req },
	{ "res.body",       f_body,       ARG0,                0, SMP_T_BIN,   L7R, &dir_res },
	{ "res.body_len",   f_body_len,   ARG0,                0, I,           L7R, &dir_res },
	{ "res.body_size",  f_body_size,  ARG0,                0, I,           L7R, &dir_res },
	{ "res.cook",       f_cook,       ARG1(0, STR),        0, S,           L7R, &dir_res },
	{ "res.cache_hit",  f_res_false,  ARG0,                0, SMP_T_BOOL,  L7R, NULL },
	{ "res.cache_name", f_res_none,   ARG0,                0, S,           L7R, NULL },
	{ "res.comp",       f_res_false,  ARG0,                0, SMP_T_BOOL,  L7R, NULL },
	{ "res.comp_algo",  f_res_none,   ARG0,                0, S,           L7R, NULL },
	{ "res.cook_cnt",   f_cook_cnt,   ARG1(0, STR),        0, I,           L7R, &dir_res },
	{ "res.cook_val",   f_cook_val,   ARG1(0, STR),        0, I,           L7R, &dir_res },
	{ "res.fhdr",       f_fhdr,       ARG2(0, STR, SINT),  0, S,           L7R, &dir_res },
	{ "res.fhdr_cnt",   f_fhdr_cnt,   ARG1(0, STR),        0, I,           L7R, &dir_res },
	{ "res.hdr",        f_hdr,        ARG2(0, STR, SINT),  0, S,           L7R, &dir_res },
	{ "res.hdr_cnt",    f_hdr_cnt,    ARG1(0, STR),        0, I,           L7R, &dir_res },
	{ "res.hdr_ip",     f_hdr_ip,     ARG2(0, STR, SINT),  0, SMP_T_IPV4,  L7R, &dir_res },
	{ "res.hdr_names",  f_hdr_names,  ARG1(0, STR),        0, S,           L7R, &dir_res },
	{ "res.hdr_val",    f_hdr_val,    ARG2(0, STR, SINT),  0, I,           L7R, &dir_res },
	{ "res.hdrs",       f_hdrs,       ARG0,                0, S,           L7R, &dir_res },
	{ "res.hdrs_bin",   f_hdrs_bin,   ARG0,                0, SMP_T_BIN,   L7R, &dir_res },
	{ "res.ver",        f_ver,        ARG0,                0, S,           L7R, &dir_res },
	{ "resp_ver",       f_ver,        ARG0,                0, S,           L7R, &dir_res },
	{ "scook",          f_cook,       ARG1(0, STR),        0, S,           L7R, &dir_res },
	{ "scook_cnt",      f_cook_cnt,   ARG1(0, STR),        0, I,           L7R, &dir_res },
	{ "scook_val",      f_cook_val,   ARG1(0, STR),        0, I,           L7R, &dir_res },
	{ "shdr",           f_hdr,        ARG2(0, STR, SINT),  0, S,           L7R, &dir_res },
	{ "shdr_cnt",       f_hdr_cnt,    ARG1(0, STR),        0, I,           L7R, &dir_res },
	{ "shdr_ip",        f_hdr_ip,     ARG2(0, STR, SINT),  0, SMP_T_IPV4,  L7R, &dir_res },
	{ "shdr_val",       f_hdr_val,    ARG2(0, STR, SINT),  0, I,           L7R, &dir_res },
	{ "status",         f_status,     ARG0,                0, I,           L7R, NULL },
	{ "url",            f_url,        ARG0,                0, S,           L7,  NULL },
	{ "url32",          f_base32,     ARG0,                0, I,           L7,  &hash_url },
	{ "url32+src",      f_base32_src, ARG0,                0, SMP_T_BIN,   L7,  &hash_url },
	{ "url_ip",         f_url_ip,     ARG0,                0, SMP_T_IPV4,  L7,  NULL },
	{ "url_param",      f_url_param,  ARG2(0, STR, STR),   0, S,           L7,  NULL },
	{ "url_port",       f_url_port,   ARG0,                0, I,           L7,  NULL },
	{ "urlp",           f_url_param,  ARG2(0, STR, STR),   0, S,           L7,  NULL },
	{ "urlp_val",       f_urlp_val,   ARG2(0, STR, STR),   0, I,           L7,  NULL },
	{ NULL, NULL, 0, 0, 0, 0, NULL }
};
