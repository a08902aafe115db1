/* http_msg.c: an HTTP/1 message held in a channel (see http.h). Parsing
 * feeds proto/h1's parser segment by segment; reading returns pointers
 * into segments (or copies when a span crosses one); editing splices new
 * bytes with chan_replace_in() and shifts the spans that follow. */
#include <errno.h>
#include <stdio.h>
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "engine/http.h"
#include "engine/logfmt.h"
#include "engine/sample.h"
#include "regex/rx.h"

#define HTTP_DEF_MAX_HDR_LEN (16384 - 1024)
#define HTTP_MAXREWRITE      1024   /* room edits may add beyond max_hdr_len */

void http_msg_init(struct http_msg *msg, struct chan *chan, int is_resp, int head_req,
                   uint32_t max_hdr_len)
{
	uint32_t f = (is_resp ? H1_MF_RESP : 0) | (head_req ? H1_MF_HEAD : 0);

	msg->chan = chan;
	msg->state = HTTP_MSG_HDRS;
	msg->is_resp = (uint8_t)!!is_resp;
	msg->ro = 0;
	msg->err_status = 0;
	msg->max_hdr_len = max_hdr_len ? max_hdr_len : HTTP_DEF_MAX_HDR_LEN;
	msg->body_fed = 0;
	msg->fwd = 0;
	/* HAProxy answers 400 from the 101st header on: 100 fit */
	h1_init(&msg->h1, f, msg->hdrs, HTTP_MAX_HDRS - 1, msg->max_hdr_len);
}

void http_txn_init(struct http_txn *txn, struct chan *req, struct chan *res, uint32_t max_hdr_len)
{
	http_msg_init(&txn->req, req, 0, 0, max_hdr_len);
	http_msg_init(&txn->rsp, res, 1, 0, max_hdr_len);
	txn->status = 0;
	txn->flags = 0;
	txn->ck_req = txn->ck_res = 0;
	txn->uid_len = 0;
	txn->rl_len = txn->rl_meth = txn->rl_uri_off = txn->rl_uri_len = txn->rl_ver_off = 0;
}

void http_txn_capture(struct http_txn *txn)
{
	const struct http_msg *m = &txn->req;
	struct h1_span sl;
	size_t len;

	if (!http_msg_ready(m)) {
		txn->flags |= HTTP_TXN_BADREQ;
		txn->rl_len = 0;
		return;
	}
	sl.off = m->h1.meth.off;
	sl.len = m->h1.ver.off + m->h1.ver.len - sl.off;
	if (sl.len > HTTP_REQ_LINE_MAX)
		sl.len = HTTP_REQ_LINE_MAX;
	len = chan_copy_in(m->chan, sl.off - m->fwd, txn->rl, sl.len);
	txn->rl_len = (uint16_t)len;
	txn->rl_meth = (uint16_t)(m->h1.meth.len < len ? m->h1.meth.len : len);
	txn->rl_uri_off = (uint16_t)(m->h1.uri.off - sl.off < len ? m->h1.uri.off - sl.off : len);
	txn->rl_uri_len = (uint16_t)(txn->rl_uri_off + m->h1.uri.len <= len ? m->h1.uri.len
	                                                                     : len - txn->rl_uri_off);
	txn->rl_ver_off = (uint16_t)(m->h1.ver.off - sl.off < len ? m->h1.ver.off - sl.off : len);
	txn->flags |= HTTP_TXN_REQ_PARSED;
	/* the response to a HEAD has no body, whatever its headers say */
	if (http_get_meth_id(m) == H1_M_HEAD && txn->rsp.state == HTTP_MSG_HDRS && !txn->rsp.h1.pos)
		txn->rsp.h1.flags |= H1_MF_HEAD;
}

void http_txn_log_fill(const struct http_txn *txn, struct logfmt_http *h)
{
	static const char badreq[] = "<BADREQ>";

	h->status = txn->status;
	h->cookie_req = txn->ck_req;
	h->cookie_res = txn->ck_res;
	if (txn->uid_len && txn->uid[0]) {
		h->unique_id = txn->uid;
		h->unique_id_len = txn->uid_len;
	}
	if (txn->flags & HTTP_TXN_BADREQ || !txn->rl_len) {
		/* HAProxy prints it for %r, %HM, %HU, %HP, %HQ and %HV alike */
		h->req_line = h->method = h->uri = h->version = badreq;
		h->req_line_len = h->method_len = h->uri_len = h->version_len = sizeof(badreq) - 1;
		return;
	}
	h->req_line = txn->rl;
	h->req_line_len = txn->rl_len;
	h->method = txn->rl;
	h->method_len = txn->rl_meth;
	h->uri = txn->rl + txn->rl_uri_off;
	h->uri_len = txn->rl_uri_len;
	h->version = txn->rl + txn->rl_ver_off;
	h->version_len = txn->rl_len - txn->rl_ver_off;
}

/* ---- byte access ---- */

static inline int to_lower(int c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }

/* Returns the segment holding input offset <off> of <c> and the offset in
 * it (*<so>), or NULL when <off> is at or past the end. */
static const struct chan_seg *seg_find(const struct chan *c, size_t off, uint32_t *so)
{
	size_t pos = (size_t)c->out + off;

	for (const struct chan_seg *s = c->head; s; s = s->next) {
		if (pos < s->len) {
			*so = (uint32_t)pos;
			return s;
		}
		pos -= s->len;
	}
	return NULL;
}

const char *http_span(const struct http_msg *msg, struct h1_span sp, char *buf, size_t bufsz,
                      size_t *len)
{
	const struct chan_seg *s;
	uint32_t so;

	*len = sp.len;
	if (!sp.len)
		return buf ? buf : "";
	if (!(s = seg_find(msg->chan, sp.off, &so)))
		return NULL;
	if (s->len - so >= sp.len)
		return s->chk->data + s->off + so;
	if (!buf || bufsz < sp.len)
		return NULL;
	if (chan_copy_in(msg->chan, sp.off, buf, sp.len) != sp.len)
		return NULL;
	return buf;
}

/* A sequential reader over the input part, for scans of values. */
struct rd {
	const struct chan_seg *s;
	uint32_t so;
	uint32_t left;              /* bytes left in the range being read */
};

static void rd_init(struct rd *r, const struct chan *c, uint32_t off, uint32_t len)
{
	r->so = 0;
	r->s = seg_find(c, off, &r->so);
	r->left = r->s ? len : 0;
}

/* Returns the next byte, or -1 at the end of the range. */
static inline int rd_get(struct rd *r)
{
	int c;

	if (!r->left)
		return -1;
	while (r->so >= r->s->len) {
		r->s = r->s->next;
		r->so = 0;
		if (!r->s) {
			r->left = 0;
			return -1;
		}
	}
	c = (unsigned char)r->s->chk->data[r->s->off + r->so];
	r->so++;
	r->left--;
	return c;
}

/* Returns 1 when the <len> bytes at <off> equal <s>/<slen> ignoring case. */
static int span_ieq(const struct http_msg *msg, uint32_t off, uint32_t len, const char *s, size_t slen)
{
	const struct chan_seg *sg;
	uint32_t so;
	struct rd r;

	if (len != slen)
		return 0;
	if (len && (sg = seg_find(msg->chan, off, &so)) && sg->len - so >= len) {
		/* in one segment (the usual case): compared in place, first
		 * as bytes (names are stored lowercase, and callers mostly
		 * ask for lowercase ones) */
		const unsigned char *p = (const unsigned char *)sg->chk->data + sg->off + so;

		if (!memcmp(p, s, len))
			return 1;
		for (size_t i = 0; i < len; i++)
			if (to_lower(p[i]) != to_lower((unsigned char)s[i]))
				return 0;
		return 1;
	}
	rd_init(&r, msg->chan, off, len);
	for (size_t i = 0; i < slen; i++) {
		int c = rd_get(&r), d = (unsigned char)s[i];

		if (c < 0)
			return 0;
		if (c >= 'A' && c <= 'Z')
			c += 32;
		if (d >= 'A' && d <= 'Z')
			d += 32;
		if (c != d)
			return 0;
	}
	return 1;
}

/* Returns the byte at offset <off> of the message, or -1. */
static int byte_at(const struct http_msg *msg, uint32_t off)
{
	uint32_t so;
	const struct chan_seg *s = seg_find(msg->chan, off, &so);

	return s ? (unsigned char)s->chk->data[s->off + so] : -1;
}

/* Returns the header block's bytes when they lie in one segment (the
 * usual case: one receive buffer), else NULL; valid until the next edit. */
static char *flat_block(const struct http_msg *msg)
{
	uint32_t so;
	const struct chan_seg *s = msg->h1.hdr_len ? seg_find(msg->chan, 0, &so) : NULL;

	return s && s->len - so >= msg->h1.hdr_len ? s->chk->data + s->off + so : NULL;
}

/* The byte at <off>, from <blk> (flat_block()) when not NULL. */
static inline int at(const struct http_msg *msg, const char *blk, uint32_t off)
{
	return blk ? (unsigned char)blk[off] : byte_at(msg, off);
}

/* ---- parsing ---- */

static int parse_fail(struct http_msg *msg, int err)
{
	msg->state = HTTP_MSG_ERROR;
	if (err && msg->h1.phase != H1_P_ERROR) {
		msg->h1.phase = H1_P_ERROR;
		msg->h1.err = (uint8_t)err;
	}
	msg->err_status = msg->is_resp ? 502 : 400;
	return HTTP_PARSE_ERR;
}

/* Feeds bytes from input offset h1.pos until the parser stops early
 * (end of headers, end of message) or the input ends. Returns 0 or H1_ERR. */
static int feed(struct http_msg *msg, int stop_at_body)
{
	const struct chan *c = msg->chan;
	const struct chan_seg *s;
	uint32_t so;

	if (msg->h1.pos - msg->fwd >= c->in || !(s = seg_find(c, msg->h1.pos - msg->fwd, &so)))
		return 0;
	for (; s; s = s->next, so = 0) {
		size_t n = s->len - so;
		int r;

		if (msg->h1.pos - msg->fwd + n > c->in)
			n = c->in - (msg->h1.pos - msg->fwd);
		if (!n)
			break;
		r = h1_parse(&msg->h1, s->chk->data + s->off + so, n);
		if (r < 0)
			return H1_ERR;
		if (msg->h1.phase == H1_P_DONE || (stop_at_body && msg->h1.phase >= H1_P_BODY))
			break;
		if ((size_t)r < n)
			break;
	}
	return 0;
}

/* Header lookup on raw spans (used before the message is marked ready). */
static int hdr_find_raw(const struct http_msg *msg, const char *name, size_t nlen, int from)
{
	for (int i = from < 0 ? 0 : from; i < msg->h1.nb_hdrs; i++)
		if (msg->hdrs[i].n.len == nlen &&
		    span_ieq(msg, msg->hdrs[i].n.off, msg->hdrs[i].n.len, name, nlen))
			return i;
	return -1;
}

/* Returns 1 when the two spans hold the same bytes ignoring case. */
static int spans_ieq(const struct http_msg *msg, struct h1_span a, struct h1_span b)
{
	struct rd r;

	if (a.len != b.len)
		return 0;
	rd_init(&r, msg->chan, a.off, a.len);
	for (uint32_t i = 0; i < a.len; i++) {
		int x = rd_get(&r), y = byte_at(msg, b.off + i);

		if (x >= 'A' && x <= 'Z')
			x += 32;
		if (y >= 'A' && y <= 'Z')
			y += 32;
		if (x != y)
			return 0;
	}
	return 1;
}

/* The authority of an absolute-form URI ("scheme://authority/..."), or
 * 0 when the URI is not absolute. */
static int uri_authority(const struct http_msg *msg, struct h1_span *auth)
{
	struct h1_span u = msg->h1.uri;
	struct rd r;
	uint32_t i = 0;
	int c;

	rd_init(&r, msg->chan, u.off, u.len);
	c = rd_get(&r);
	if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
		return 0;
	for (i = 1; (c = rd_get(&r)) >= 0; i++) {
		if (c == ':')
			break;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '+' || c == '-' || c == '.'))
			return 0;
	}
	if (c != ':' || rd_get(&r) != '/' || rd_get(&r) != '/')
		return 0;
	auth->off = u.off + i + 3;
	/* up to the first '/' only: HAProxy takes "a.com?x" whole as the authority */
	for (i += 3; (c = rd_get(&r)) >= 0 && c != '/'; i++)
		;
	auth->len = u.off + i - auth->off;
	return 1;
}

/* Same-length rewrites (obs-fold to spaces, name case) change the received
 * bytes in place: they belong to this message only, and splicing a new
 * segment for each would cost a chunk per edit. Applies <fn> to each byte
 * of the span; returns the number of bytes changed. */
static uint32_t span_map(const struct http_msg *msg, struct h1_span sp, int (*fn)(int c))
{
	uint32_t so, left = sp.len, n = 0;
	const struct chan_seg *s = sp.len ? seg_find(msg->chan, sp.off, &so) : NULL;

	for (; s && left; s = s->next, so = 0) {
		for (; so < s->len && left; so++, left--) {
			char *p = s->chk->data + s->off + so;
			int c = fn((unsigned char)*p);

			if (c != (unsigned char)*p) {
				*p = (char)c;
				n++;
			}
		}
	}
	return n;
}

/* Writes the <n> bytes of <d> over the message bytes at <off>, in place. */
static void span_write(const struct http_msg *msg, uint32_t off, const char *d, size_t n)
{
	uint32_t so;
	const struct chan_seg *s = n ? seg_find(msg->chan, off, &so) : NULL;

	for (; s && n; s = s->next, so = 0) {
		size_t k = s->len - so < n ? s->len - so : n;

		memmove(s->chk->data + s->off + so, d, k);   /* <d> may be the message's own bytes */
		d += k;
		n -= k;
	}
}

static int crlf_to_space(int c) { return (c == '\r' || c == '\n') ? ' ' : c; }

/* Copies the host[:port] of <sp> to <out> (size <outsz>) lowercased,
 * without a userinfo part and without the scheme's default port (<defport>
 * ":80" or ":443") or an empty port, as HAProxy compares an absolute URI's
 * authority with Host. Returns the length, or -1 when it does not fit. */
static int authority_norm(const struct http_msg *msg, struct h1_span sp, const char *defport,
                          char *out, size_t outsz)
{
	size_t n = 0, dl = strlen(defport);
	struct rd r;
	int c;

	rd_init(&r, msg->chan, sp.off, sp.len);
	while ((c = rd_get(&r)) >= 0) {
		if (c == '@') {
			n = 0;             /* drop "user:pass@" */
			continue;
		}
		if (n >= outsz)
			return -1;
		out[n++] = (char)to_lower(c);
	}
	if (n >= dl && !memcmp(out + n - dl, defport, dl))
		n -= dl;
	else if (n && out[n - 1] == ':')
		n--;
	return (int)n;
}

/* Returns 1 when the absolute URI's authority <auth> designates the same
 * host and port as the Host value <host>. */
static int authority_matches(const struct http_msg *msg, struct h1_span auth, struct h1_span host)
{
	char a[256], h[256];
	const char *defport = ":80";
	int al, hl;

	if (byte_at(msg, msg->h1.uri.off + 4) == 's' || byte_at(msg, msg->h1.uri.off + 4) == 'S')
		defport = ":443";
	al = authority_norm(msg, auth, defport, a, sizeof(a));
	hl = authority_norm(msg, host, defport, h, sizeof(h));
	return al >= 0 && al == hl && !memcmp(a, h, (size_t)al);
}

/* Replaces each CR and LF inside header values by a space (obs-fold, as
 * HAProxy does). Same length: no span moves. */
static void unfold(struct http_msg *msg)
{
	for (int i = 0; i < msg->h1.nb_hdrs; i++)
		span_map(msg, msg->hdrs[i].v, crlf_to_space);
}

int http_msg_lower_names(struct http_msg *msg)
{
	int n = 0;

	if (!http_msg_ready(msg))
		return 0;
	for (int i = 0; i < msg->h1.nb_hdrs; i++)
		n += span_map(msg, msg->hdrs[i].n, to_lower) ? 1 : 0;
	return n;
}

static int msg_replace(struct http_msg *msg, uint32_t off, uint32_t len, const char *d, size_t dlen);
static int uri_replace(struct http_msg *msg, uint32_t off, uint32_t len, const char *d, size_t dlen);

#define HTTP_E_422  1000   /* apply_policy(): reject with 422 rather than 400 */

/* Returns 1 when bytes <off>, <off>+1 of the message are CR LF. */
static int crlf_at(const struct http_msg *msg, const char *blk, uint32_t off)
{
	return at(msg, blk, off) == '\r' && at(msg, blk, off + 1) == '\n';
}

/* Returns 1 when the header block already has the shape HAProxy writes:
 * single spaces in the start line, "name: value" lines, CRLF endings. */
static int is_canonical(const struct http_msg *msg)
{
	const struct h1_msg *m = &msg->h1;
	const char *blk = flat_block(msg);
	uint32_t eol;

	if (msg->is_resp) {
		if (m->ver.off || m->code.off != m->ver.len + 1 || at(msg, blk, m->code.off + 3) != ' ')
			return 0;
		eol = m->code.off + 4;
		if (m->reason.len) {
			if (m->reason.off != eol)
				return 0;
			eol += m->reason.len;
		}
	} else {
		if (m->meth.off || m->uri.off != m->meth.len + 1 || m->ver.off != m->uri.off + m->uri.len + 1 ||
		    at(msg, blk, m->meth.len) != ' ' || at(msg, blk, m->ver.off - 1) != ' ')
			return 0;       /* a tab separator is rewritten too */
		eol = m->ver.off + m->ver.len;
	}
	for (int i = 0; i < m->nb_hdrs; i++) {
		const struct h1_hdr *h = &msg->hdrs[i];
		uint32_t colon = h->n.off + h->n.len;

		if (!crlf_at(msg, blk, eol) || h->n.off != eol + 2 || at(msg, blk, colon) != ':' ||
		    at(msg, blk, colon + 1) != ' ' || (h->v.len && h->v.off != colon + 2))
			return 0;
		eol = h->v.len ? h->v.off + h->v.len : colon + 2;
	}
	return crlf_at(msg, blk, eol) && crlf_at(msg, blk, eol + 2) && m->hdr_len == eol + 4;
}

/* Copies span <sp> to <out> + *<n> and returns where it went. */
static uint32_t put_span(const struct http_msg *msg, struct h1_span sp, char *out, size_t *n)
{
	uint32_t at = (uint32_t)*n;

	*n += chan_copy_in(msg->chan, sp.off, out + *n, sp.len);
	return at;
}

static void put_str(const char *s, size_t len, char *out, size_t *n)
{
	memcpy(out + *n, s, len);
	*n += len;
}

/* Rewrites the header block in HAProxy's output shape when it is not in
 * it already (extra blanks in the start line, "name:value", bare LF, empty
 * lines before a request): one replacement of the block, spans rebuilt.
 * Returns 0, -ENOSPC (too large once rebuilt) or -ENOMEM. */
static int canonicalize(struct http_msg *msg)
{
	struct h1_msg *m = &msg->h1;
	size_t sz, n = 0, need;
	char *out;
	uint32_t old_len = m->hdr_len;
	int ret;

	if (is_canonical(msg))
		return 0;
	need = (size_t)m->hdr_len + 4 + 3 * (size_t)m->nb_hdrs;
	if (!(out = smp_trash(&sz)) || need > sz)
		return -ENOSPC;
	if (msg->is_resp) {
		m->ver.off = put_span(msg, m->ver, out, &n);
		put_str(" ", 1, out, &n);
		m->code.off = put_span(msg, m->code, out, &n);
		put_str(" ", 1, out, &n);
		m->reason.off = m->reason.len ? put_span(msg, m->reason, out, &n) : (uint32_t)n;
	} else {
		m->meth.off = put_span(msg, m->meth, out, &n);
		put_str(" ", 1, out, &n);
		m->uri.off = put_span(msg, m->uri, out, &n);
		put_str(" ", 1, out, &n);
		m->ver.off = put_span(msg, m->ver, out, &n);
	}
	put_str("\r\n", 2, out, &n);
	for (int i = 0; i < m->nb_hdrs; i++) {
		struct h1_hdr *h = &msg->hdrs[i];

		h->n.off = put_span(msg, h->n, out, &n);
		put_str(": ", 2, out, &n);
		h->v.off = h->v.len ? put_span(msg, h->v, out, &n) : (uint32_t)n;
		put_str("\r\n", 2, out, &n);
	}
	put_str("\r\n", 2, out, &n);
	if ((ret = chan_replace_in(msg->chan, 0, old_len, out, n)) < 0)
		return ret;
	m->hdr_len = (uint32_t)n;
	m->pos = m->pos - old_len + (uint32_t)n;
	return 0;
}

/* Returns 1 when span <sp> holds byte <ch>. */
/* Returns 1 if an Upgrade header of <msg> lists "websocket". */
static int ws_upgrade(const struct http_msg *msg)
{
	char buf[256];
	const char *p;
	size_t len;

	for (int i = hdr_find_raw(msg, "upgrade", 7, 0); i >= 0; i = hdr_find_raw(msg, "upgrade", 7, i + 1)) {
		if (!(p = http_span(msg, msg->hdrs[i].v, buf, sizeof(buf), &len)))
			continue;
		for (size_t b = 0; b < len;) {
			size_t e = b;

			while (e < len && p[e] != ',')
				e++;
			size_t s0 = b, e0 = e;
			while (s0 < e0 && (p[s0] == ' ' || p[s0] == '\t'))
				s0++;
			while (e0 > s0 && (p[e0 - 1] == ' ' || p[e0 - 1] == '\t'))
				e0--;
			if (e0 - s0 == 9 && !strncasecmp(p + s0, "websocket", 9))
				return 1;
			b = e + 1;
		}
	}
	return 0;
}

static int span_has(const struct http_msg *msg, struct h1_span sp, int ch)
{
	struct rd r;
	int c;

	rd_init(&r, msg->chan, sp.off, sp.len);
	while ((c = rd_get(&r)) >= 0)
		if (c == ch)
			return 1;
	return 0;
}

/* Returns the length of the port suffix of <sp> to drop: ":" alone, or
 * ":<port>" when <port> is <def1> or <def2> (NULL: none); 0 otherwise. */
static uint32_t default_port_len(const struct http_msg *msg, struct h1_span sp, const char *def1,
                                 const char *def2)
{
	char buf[8];
	uint32_t n = 0;

	/* the suffix after the last ':' (an IPv6 literal ends with ']') */
	while (n < sp.len && n < 7) {
		int c = byte_at(msg, sp.off + sp.len - 1 - n);

		if (c == ':')
			break;
		if (c < '0' || c > '9')
			return 0;
		n++;
	}
	if (n >= sp.len || byte_at(msg, sp.off + sp.len - 1 - n) != ':')
		return 0;
	chan_copy_in(msg->chan, sp.off + sp.len - n, buf, n);
	buf[n] = 0;
	if (!n || (def1 && !strcmp(buf, def1)) || (def2 && !strcmp(buf, def2)))
		return n + 1;
	return 0;
}

/* HAProxy 2.6's request normalisations besides the header block's shape:
 * a version above 1.1 is sent as HTTP/1.1; an absolute URI loses its
 * scheme's default (or empty) port, and Host the same port then; CONNECT's
 * Host loses ":80"/":443"; repeated equal Host headers become one.
 * Returns 0 or -errno. */
/* Returns 1 if TE header <idx> of <msg> lists "trailers" (without
 * parameters). */
static int te_trailers(const struct http_msg *msg, int idx)
{
	char buf[256];
	size_t len;
	const char *p = http_span(msg, msg->hdrs[idx].v, buf, sizeof(buf), &len);

	for (size_t b = 0; p && b < len;) {
		size_t e = b, s0, e0;

		while (e < len && p[e] != ',')
			e++;
		for (s0 = b, e0 = e; s0 < e0 && (p[s0] == ' ' || p[s0] == '\t'); s0++)
			;
		while (e0 > s0 && (p[e0 - 1] == ' ' || p[e0 - 1] == '\t'))
			e0--;
		if (e0 - s0 == 8 && !strncasecmp(p + s0, "trailers", 8))
			return 1;
		b = e + 1;
	}
	return 0;
}

static int normalize_request(struct http_msg *msg)
{
	struct h1_msg *m = &msg->h1;
	struct h1_span auth;
	int h, i, ret;

	if (m->ver_major > 1 || (m->ver_major == 1 && m->ver_minor > 1)) {
		if ((ret = msg_replace(msg, m->ver.off, m->ver.len, "HTTP/1.1", 8)) < 0)
			return ret;
		m->ver.len = 8;
		m->ver_major = 1;
		m->ver_minor = 1;
	}
	h = hdr_find_raw(msg, "host", 4, 0);
	if (h >= 0 && (m->flags & H1_MF_MULTI_HOST))
		for (i = hdr_find_raw(msg, "host", 4, h + 1); i >= 0; i = hdr_find_raw(msg, "host", 4, i))
			if ((ret = http_hdr_del_idx(msg, i)) < 0)
				return ret;
	/* TE: HAProxy 2.6 forwards "trailers" alone when it is listed, and
	 * drops the header otherwise */
	for (i = hdr_find_raw(msg, "te", 2, 0); i >= 0;) {
		if (!te_trailers(msg, i)) {
			if ((ret = http_hdr_del_idx(msg, i)) < 0)
				return ret;
			i = hdr_find_raw(msg, "te", 2, i);
			continue;
		}
		if (!span_ieq(msg, msg->hdrs[i].v.off, msg->hdrs[i].v.len, "trailers", 8) &&
		    (ret = http_hdr_set_value(msg, i, "trailers", 8)) < 0)
			return ret;
		i = hdr_find_raw(msg, "te", 2, i + 1);
	}
	if (uri_authority(msg, &auth)) {
		int https = (byte_at(msg, m->uri.off + 4) | 0x20) == 's';
		const char *def = https ? "443" : "80";
		uint32_t drop;

		/* only http:// and https:// have a default port */
		if (!span_ieq(msg, m->uri.off, https ? 5 : 4, https ? "https" : "http", https ? 5 : 4) ||
		    byte_at(msg, m->uri.off + (https ? 5 : 4)) != ':')
			return 0;
		drop = default_port_len(msg, auth, def, NULL);
		if (!drop)
			return 0;
		if ((ret = uri_replace(msg, auth.off + auth.len - drop, drop, NULL, 0)) < 0)
			return ret;
		if (drop > 1 && h >= 0 && default_port_len(msg, msg->hdrs[h].v, def, NULL) == drop) {
			struct h1_span v = msg->hdrs[h].v;

			if ((ret = msg_replace(msg, v.off + v.len - drop, drop, NULL, 0)) < 0)
				return ret;
			msg->hdrs[h].v = v;
			msg->hdrs[h].v.len -= drop;
		}
	} else if (m->meth.len == 7 && span_ieq(msg, m->meth.off, 7, "CONNECT", 7) && h >= 0) {
		uint32_t drop = default_port_len(msg, msg->hdrs[h].v, "80", "443");
		struct h1_span v = msg->hdrs[h].v;

		if (drop > 1) {
			if ((ret = msg_replace(msg, v.off + v.len - drop, drop, NULL, 0)) < 0)
				return ret;
			msg->hdrs[h].v = v;
			msg->hdrs[h].v.len -= drop;
		}
	}
	return 0;
}

/* Lowercases the <n> bytes of a header name at <c> in place, 8 at a time:
 * the parser let only token bytes (ASCII) into a name, so no byte carries
 * into the next one below. */
static void name_lower(char *c, size_t n)
{
	const uint64_t ones = 0x0101010101010101ULL;

	for (; n >= 8; c += 8, n -= 8) {
		uint64_t x, ge_a, gt_z;

		memcpy(&x, c, 8);
		ge_a = x + ones * (0x80 - 'A');         /* high bit: byte >= 'A' */
		gt_z = x + ones * (0x80 - 'Z' - 1);     /* high bit: byte > 'Z' */
		x |= ((ge_a ^ gt_z) & (ones * 0x80)) >> 2;
		memcpy(c, &x, 8);
	}
	for (; n; c++, n--)
		if (*c >= 'A' && *c <= 'Z')
			*c += 32;
}

/* Applies HAProxy's policy once the headers are parsed. Returns 0, an
 * h1_err (reject), or -ENOMEM. */
static int apply_policy(struct http_msg *msg)
{
	struct h1_msg *m = &msg->h1;
	int i;

	if (!msg->is_resp)
		m->meth_id = http_get_meth_id(msg);   /* h1 leaves it to us; the stream reads it */
	/* an empty value has off 0: place it after the colon, where an edit inserts */
	for (i = 0; i < m->nb_hdrs; i++)
		if (!msg->hdrs[i].v.len)
			msg->hdrs[i].v.off = msg->hdrs[i].n.off + msg->hdrs[i].n.len + 1;
	if (!msg->ro) {
		/* HAProxy keeps names lowercase from parsing on: fetches, Lua
		 * and the bytes forwarded all see them so */
		char *blk = flat_block(msg);

		for (i = 0; i < m->nb_hdrs; i++) {
			if (!blk) {
				span_map(msg, msg->hdrs[i].n, to_lower);
				continue;
			}
			name_lower(blk + msg->hdrs[i].n.off, msg->hdrs[i].n.len);
		}
		if (m->flags & H1_MF_OBS_FOLD)
			unfold(msg);
	}

	if (!msg->is_resp) {
		/* several Host headers must agree; an absolute URI's authority must match Host */
		int h = hdr_find_raw(msg, "host", 4, 0);
		struct h1_span auth;

		if (m->flags & H1_MF_MULTI_HOST)
			for (i = hdr_find_raw(msg, "host", 4, h + 1); i >= 0;
			     i = hdr_find_raw(msg, "host", 4, i + 1))
				if (!spans_ieq(msg, msg->hdrs[h].v, msg->hdrs[i].v))
					return H1_E_HDR_VALUE;
		if (h >= 0 && uri_authority(msg, &auth) && !authority_matches(msg, auth, msg->hdrs[h].v))
			return H1_E_URI;
		/* a coding besides chunked: HAProxy 2.6 answers 422 */
		if (m->flags & H1_MF_TE_OTHER)
			return HTTP_E_422;
		/* a WebSocket handshake without its key: 400, as HAProxy 2.6 */
		if ((m->flags & H1_MF_CONN_UPG) && ws_upgrade(msg) &&
		    hdr_find_raw(msg, "sec-websocket-key", 17, 0) < 0)
			return H1_E_HDR_VALUE;
	}

	/* a response coded otherwise than just "chunked": HAProxy 2.6 answers 502 */
	if (msg->is_resp && (m->flags & H1_MF_TE_OTHER))
		return H1_E_XFER_ENC;
	/* a WebSocket handshake answered without Sec-WebSocket-Accept: 502, as HAProxy 2.6 */
	if (msg->is_resp && m->status == 101 && (m->flags & H1_MF_CONN_UPG) && ws_upgrade(msg) &&
	    hdr_find_raw(msg, "sec-websocket-accept", 20, 0) < 0)
		return H1_E_HDR_VALUE;

	if ((m->flags & H1_MF_CLEN) && !msg->ro) {
		/* chunked wins over Content-Length: drop them all; else keep one
		 * "content-length: N" with a single value */
		int keep = (m->flags & H1_MF_CL_TE) ? 0 : 1;

		for (i = hdr_find_raw(msg, "content-length", 14, 0); i >= 0;
		     i = hdr_find_raw(msg, "content-length", 14, i)) {
			if (keep) {
				keep = 0;
				/* a list ("3, 3") becomes its value; "05" stays as sent */
				if (span_has(msg, msg->hdrs[i].v, ',')) {
					char num[24];
					int n = snprintf(num, sizeof(num), "%llu", (unsigned long long)m->body_len);

					if (http_hdr_set_value(msg, i, num, (size_t)n) < 0)
						return -ENOMEM;
				}
				i++;
				continue;
			}
			if (http_hdr_del_idx(msg, i) < 0)
				return -ENOMEM;
		}
	}
	/* HAProxy forwards what it rebuilt from its internal form */
	if (!msg->ro) {
		if (!msg->is_resp && (i = normalize_request(msg)) < 0)
			return i;
		if ((i = canonicalize(msg)) < 0)
			return i;
		/* an empty value now sits after "name: ", where an edit inserts */
		for (i = 0; i < m->nb_hdrs; i++)
			if (!msg->hdrs[i].v.len)
				msg->hdrs[i].v.off = msg->hdrs[i].n.off + msg->hdrs[i].n.len + 2;
	}
	return 0;
}

int http_msg_parse(struct http_msg *msg)
{
	int r;

	if (msg->state == HTTP_MSG_ERROR)
		return HTTP_PARSE_ERR;
	if (msg->state != HTTP_MSG_HDRS)
		return HTTP_PARSE_DONE;
	if (feed(msg, 1) < 0)
		return parse_fail(msg, 0);
	if (msg->h1.phase < H1_P_BODY) {
		if (msg->chan->flags & CHAN_SHUTR)
			return parse_fail(msg, H1_E_NONE);
		return HTTP_PARSE_AGAIN;
	}
	/* ready for the editors used by the policy */
	msg->state = msg->h1.phase == H1_P_DONE ? HTTP_MSG_DONE : HTTP_MSG_BODY;
	r = apply_policy(msg);
	if (r) {
		msg->state = HTTP_MSG_HDRS;
		msg->h1.err_pos = 0;
		parse_fail(msg, r < 0 ? H1_E_TOO_LARGE : r == HTTP_E_422 ? H1_E_XFER_ENC : r);
		if (r == HTTP_E_422)
			msg->err_status = 422;
		return HTTP_PARSE_ERR;
	}
	return HTTP_PARSE_DONE;
}

void http_msg_fwd(struct http_msg *msg, uint32_t n)
{
	msg->fwd += n;
}

int http_msg_body_parse(struct http_msg *msg)
{
	if (msg->state == HTTP_MSG_ERROR)
		return HTTP_PARSE_ERR;
	if (msg->state == HTTP_MSG_HDRS)
		return HTTP_PARSE_AGAIN;
	if (msg->state == HTTP_MSG_DONE)
		return HTTP_PARSE_DONE;
	if (feed(msg, 0) < 0) {
		msg->state = HTTP_MSG_ERROR;
		msg->err_status = msg->is_resp ? 502 : 400;
		return HTTP_PARSE_ERR;
	}
	msg->body_fed = msg->h1.pos - msg->h1.hdr_len;
	/* a body delimited by the close ends with the channel's input */
	if ((msg->h1.flags & H1_MF_CLOSE_DELIM) && (msg->chan->flags & CHAN_SHUTR) &&
	    msg->h1.pos - msg->fwd >= msg->chan->in) {
		msg->h1.phase = H1_P_DONE;
		msg->state = HTTP_MSG_DONE;
		return HTTP_PARSE_DONE;
	}
	if (msg->h1.phase == H1_P_DONE) {
		msg->state = HTTP_MSG_DONE;
		return HTTP_PARSE_DONE;
	}
	return HTTP_PARSE_AGAIN;
}

/* ---- reading ---- */

const char *http_get_method(const struct http_msg *msg, char *buf, size_t bufsz, size_t *len)
{
	return msg->is_resp ? NULL : http_span(msg, msg->h1.meth, buf, bufsz, len);
}

const char *http_get_uri(const struct http_msg *msg, char *buf, size_t bufsz, size_t *len)
{
	return msg->is_resp ? NULL : http_span(msg, msg->h1.uri, buf, bufsz, len);
}

const char *http_get_version(const struct http_msg *msg, char *buf, size_t bufsz, size_t *len)
{
	return http_span(msg, msg->h1.ver, buf, bufsz, len);
}

const char *http_get_reason(const struct http_msg *msg, char *buf, size_t bufsz, size_t *len)
{
	return msg->is_resp ? http_span(msg, msg->h1.reason, buf, bufsz, len) : NULL;
}

const char *http_get_start_line(const struct http_msg *msg, char *buf, size_t bufsz, size_t *len)
{
	struct h1_span sl;

	sl.off = msg->is_resp ? msg->h1.ver.off : msg->h1.meth.off;
	if (msg->is_resp)
		sl.len = msg->h1.reason.len ? msg->h1.reason.off + msg->h1.reason.len - sl.off
		                            : msg->h1.code.off + msg->h1.code.len - sl.off;
	else
		sl.len = msg->h1.ver.off + msg->h1.ver.len - sl.off;
	return http_span(msg, sl, buf, bufsz, len);
}

enum h1_meth http_get_meth_id(const struct http_msg *msg)
{
	char b[16];
	size_t len;
	const char *p = http_get_method(msg, b, sizeof(b), &len);

	return p ? h1_meth_id(p, len) : H1_M_OTHER;
}

int http_uri_path(const struct http_msg *msg, struct h1_span *sp)
{
	struct h1_span u = msg->h1.uri, auth;
	uint32_t start = u.off, end = u.off + u.len;
	struct rd r;
	int c;

	if (msg->is_resp || !u.len)
		return 0;
	if (uri_authority(msg, &auth))
		start = auth.off + auth.len;
	else if (byte_at(msg, u.off) != '/')
		return 0;                   /* "*" or an authority (CONNECT) */
	rd_init(&r, msg->chan, start, end - start);
	for (sp->off = start; (c = rd_get(&r)) >= 0 && c != '?'; start++)
		;
	sp->len = start - sp->off;
	return sp->len > 0;
}

int http_uri_query(const struct http_msg *msg, struct h1_span *sp)
{
	struct h1_span u = msg->h1.uri;
	struct rd r;
	int c;

	if (msg->is_resp)
		return 0;
	rd_init(&r, msg->chan, u.off, u.len);
	for (uint32_t i = 0; (c = rd_get(&r)) >= 0; i++)
		if (c == '?') {
			sp->off = u.off + i + 1;
			sp->len = u.len - i - 1;
			return 1;
		}
	return 0;
}

const char *http_hdr_name(const struct http_msg *msg, int idx, char *buf, size_t bufsz, size_t *len)
{
	if (idx < 0 || idx >= msg->h1.nb_hdrs)
		return NULL;
	return http_span(msg, msg->hdrs[idx].n, buf, bufsz, len);
}

const char *http_hdr_value(const struct http_msg *msg, int idx, char *buf, size_t bufsz, size_t *len)
{
	if (idx < 0 || idx >= msg->h1.nb_hdrs)
		return NULL;
	return http_span(msg, msg->hdrs[idx].v, buf, bufsz, len);
}

int http_hdr_is(const struct http_msg *msg, int idx, const char *name, size_t nlen)
{
	if (idx < 0 || idx >= msg->h1.nb_hdrs)
		return 0;
	return span_ieq(msg, msg->hdrs[idx].n.off, msg->hdrs[idx].n.len, name, nlen);
}

int http_hdr_find(const struct http_msg *msg, const char *name, size_t nlen, int from)
{
	if (!name)
		return from < 0 ? (msg->h1.nb_hdrs ? 0 : -1) : (from < msg->h1.nb_hdrs ? from : -1);
	return hdr_find_raw(msg, name, nlen, from);
}

/* Finds the element of header <hdr>'s value starting at message offset
 * <from> (inside the value): skips leading blanks, stops before a comma
 * outside a quoted string, trims trailing blanks. Returns the offset just
 * past the element's comma (or the value end) and fills <el>. */
static uint32_t next_element(const struct http_msg *msg, int hdr, uint32_t from, struct h1_span *el)
{
	struct h1_span v = msg->hdrs[hdr].v;
	uint32_t end = v.off + v.len, p = from, last = 0;
	int quoted = 0, esc = 0, c = 0;
	struct rd r;

	rd_init(&r, msg->chan, from, end - from);
	while (p < end && ((c = rd_get(&r)) == ' ' || c == '\t'))
		p++;
	el->off = p;
	last = p;
	if (p < end) {
		/* c holds the byte at p */
		for (;;) {
			if (esc)
				esc = 0;
			else if (quoted && c == '\\')
				esc = 1;
			else if (c == '"')
				quoted = !quoted;
			else if (c == ',' && !quoted)
				break;
			if (c != ' ' && c != '\t')
				last = p + 1;
			if (++p >= end)
				break;
			c = rd_get(&r);
		}
	}
	el->len = last - el->off;
	return p < end ? p + 1 : end + 1;
}

/* Fills <v> with header <hdr>'s whole value without its leading and
 * trailing blanks: a rule may have stored "x " (set-header "%[...] "), and
 * HAProxy's fetches trim what the parser would have trimmed on the wire. */
static void full_value(const struct http_msg *msg, int hdr, struct h1_span *v)
{
	struct h1_span raw = msg->hdrs[hdr].v;
	uint32_t end = raw.off + raw.len, p = raw.off, last;
	struct rd r;
	int c;

	rd_init(&r, msg->chan, p, raw.len);
	while (p < end && ((c = rd_get(&r)) == ' ' || c == '\t'))
		p++;
	v->off = last = p;
	if (p < end) {
		/* c holds the byte at p */
		for (;;) {
			if (c != ' ' && c != '\t')
				last = p + 1;
			if (++p >= end)
				break;
			c = rd_get(&r);
		}
	}
	v->len = last - v->off;
}

int http_val_next(const struct http_msg *msg, const char *name, size_t nlen, int full,
                  struct http_val *it)
{
	if (it->hdr >= 0 && !full) {
		struct h1_span v = msg->hdrs[it->hdr].v;
		/* it->v.off + it->v.len is inside the element; resume after its comma */
		uint32_t next = it->v.off;
		struct rd r;
		int c, quoted = 0, esc = 0;

		/* rescan from the element start to its comma */
		rd_init(&r, msg->chan, next, v.off + v.len - next);
		while ((c = rd_get(&r)) >= 0) {
			next++;
			if (esc)
				esc = 0;
			else if (quoted && c == '\\')
				esc = 1;
			else if (c == '"')
				quoted = !quoted;
			else if (c == ',' && !quoted)
				break;
		}
		if (c == ',') {
			next_element(msg, it->hdr, next, &it->v);
			return 1;
		}
	}
	it->hdr = http_hdr_find(msg, name, nlen, it->hdr + 1);
	if (it->hdr < 0)
		return 0;
	if (full) {
		full_value(msg, it->hdr, &it->v);
		return 1;
	}
	next_element(msg, it->hdr, msg->hdrs[it->hdr].v.off, &it->v);
	return 1;
}

int http_val_find(const struct http_msg *msg, const char *name, size_t nlen, int full, int occ,
                  struct http_val *out)
{
	struct http_val it = { .hdr = -1 };
	int n = 0;

	while (http_val_next(msg, name, nlen, full, &it)) {
		n++;
		if (occ > 0 && n == occ && out)
			*out = it;
	}
	if (occ < 0 && out && -occ <= n) {
		/* second pass for the (n + occ + 1)-th */
		int want = n + occ + 1, k = 0;

		it.hdr = -1;
		while (http_val_next(msg, name, nlen, full, &it))
			if (++k == want) {
				*out = it;
				break;
			}
	}
	return n;
}

/* Returns the bytes of span <sp> in memory (in place, or copied to a
 * scratch buffer when split), or NULL. */
static const char *span_view(const struct http_msg *msg, struct h1_span sp)
{
	size_t sz, len;
	char *t = smp_trash(&sz);

	return http_span(msg, sp, t, t ? sz : 0, &len);
}

static inline int is_sp(char c) { return c == ' ' || c == '\t'; }

/* Cookie scanning: every "name=value" pair of the Cookie (request) or
 * Set-Cookie (response) headers, separated by ';' or ',' — HAProxy 2.6
 * reads attributes of Set-Cookie ("Path=/") as pairs too. Names compare
 * case-sensitively. */
int http_cookie_find(const struct http_msg *msg, const char *name, size_t nlen, int occ,
                     struct h1_span *out)
{
	const char *hname = msg->is_resp ? "set-cookie" : "cookie";
	size_t hlen = msg->is_resp ? 10 : 6;
	struct h1_span found[2] = { { 0, 0 }, { 0, 0 } };
	int n = 0;

	/* <occ> < 0 keeps the last ones in a small window: -1 and -2 suffice
	 * for what the fetches ask (the last one); deeper negatives rescan. */
	for (int h = http_hdr_find(msg, hname, hlen, 0); h >= 0; h = http_hdr_find(msg, hname, hlen, h + 1)) {
		struct h1_span v = msg->hdrs[h].v;
		const char *b = span_view(msg, v);
		uint32_t p = 0, end = v.len;

		if (!b)
			continue;
		while (p < end) {
			uint32_t ns, ne, vs, ve;

			while (p < end && is_sp(b[p]))
				p++;
			ns = p;
			while (p < end && b[p] != '=' && b[p] != ';' && b[p] != ',')
				p++;
			ne = p;
			while (ne > ns && is_sp(b[ne - 1]))
				ne--;
			if (p >= end || b[p] != '=') {
				p++;            /* no '=': not a cookie pair */
				continue;
			}
			p++;
			while (p < end && is_sp(b[p]))
				p++;
			vs = p;
			while (p < end && b[p] != ';' && b[p] != ',')
				p++;
			ve = p;
			while (ve > vs && is_sp(b[ve - 1]))
				ve--;
			p++;
			if (name ? (ne - ns == nlen && !memcmp(b + ns, name, nlen)) : ne > ns) {
				n++;
				if (occ > 0 && n == occ && out) {
					out->off = v.off + vs;
					out->len = ve - vs;
				}
				found[0] = found[1];
				found[1].off = v.off + vs;
				found[1].len = ve - vs;
			}
		}
	}
	if (occ < 0 && out && -occ <= n) {
		if (occ >= -2)
			*out = found[2 + occ];
		else
			http_cookie_find(msg, name, nlen, n + occ + 1, out);
	}
	return n;
}

int http_url_param(const struct http_msg *msg, const char *name, size_t nlen, char delim,
                   struct h1_span *out)
{
	struct h1_span q;
	const char *b;
	uint32_t p = 0, end;

	if (!http_uri_query(msg, &q) || !(b = span_view(msg, q)))
		return 0;
	end = q.len;
	while (p <= end) {
		uint32_t s = p, e;
		const char *eq = NULL;

		while (p < end && b[p] != delim && !(delim == '&' && b[p] == ';') && b[p] != '#') {
			if (b[p] == '=' && !eq)
				eq = b + p;
			p++;
		}
		e = p;
		if (eq && (!name || ((size_t)(eq - b - s) == nlen && !memcmp(b + s, name, nlen)))) {
			out->off = q.off + (uint32_t)(eq - b) + 1;
			out->len = e - (uint32_t)(eq - b) - 1;
			return 1;
		}
		if (p < end && b[p] == '#')
			break;
		p++;
	}
	return 0;
}

/* ---- editing ---- */

static void span_shift(struct h1_span *sp, uint32_t off, uint32_t end, int64_t delta)
{
	if (sp->off >= end)
		sp->off = (uint32_t)((int64_t)sp->off + delta);
	else if (sp->off <= off && sp->off + sp->len >= end && (off != end || sp->off + sp->len > off))
		sp->len = (uint32_t)((int64_t)sp->len + delta);   /* holds the range (an insertion
		                                                      * at its very end does not count) */
}

/* Replaces <len> bytes at message offset <off> by <d>/<dlen> and moves the
 * spans after the range (a span holding the range grows or shrinks). With
 * <may_move>, a deletion may move the bytes before it (chan_cut_front_in).
 * Returns 0 or -errno. */
static int msg_edit(struct http_msg *msg, uint32_t off, uint32_t len, const char *d, size_t dlen,
                    int may_move)
{
	struct h1_msg *m = &msg->h1;
	uint32_t end = off + len;
	int64_t delta = (int64_t)dlen - (int64_t)len;
	int ret;

	if (msg->state == HTTP_MSG_HDRS || msg->state == HTTP_MSG_ERROR || end > m->hdr_len || msg->fwd)
		return -EINVAL;         /* the headers must still be in the input part */
	if ((int64_t)m->hdr_len + delta > (int64_t)msg->max_hdr_len + HTTP_MAXREWRITE)
		return -ENOSPC;
	if (dlen <= len) {
		/* no longer than what it replaces: written in place (the bytes
		 * are this message's), the rest deleted, no chunk taken */
		span_write(msg, off, d, dlen);
		if (len > dlen && !(may_move && chan_cut_front_in(msg->chan, off + dlen, len - dlen)) &&
		    (ret = chan_replace_in(msg->chan, off + dlen, len - dlen, NULL, 0)) < 0)
			return ret;
	} else if ((ret = chan_replace_in(msg->chan, off, len, d, dlen)) < 0) {
		return ret;
	}
	span_shift(&m->meth, off, end, delta);
	span_shift(&m->uri, off, end, delta);
	span_shift(&m->ver, off, end, delta);
	span_shift(&m->code, off, end, delta);
	span_shift(&m->reason, off, end, delta);
	for (int i = 0; i < m->nb_hdrs; i++) {
		span_shift(&msg->hdrs[i].n, off, end, delta);
		span_shift(&msg->hdrs[i].v, off, end, delta);
	}
	m->hdr_len = (uint32_t)((int64_t)m->hdr_len + delta);
	m->pos = (uint32_t)((int64_t)m->pos + delta);
	return 0;
}

static int msg_replace(struct http_msg *msg, uint32_t off, uint32_t len, const char *d, size_t dlen)
{
	return msg_edit(msg, off, len, d, dlen, 0);
}

/* Returns the offset of the blank line ending the headers. */
static uint32_t eoh_off(const struct http_msg *msg)
{
	uint32_t e = msg->h1.hdr_len;

	return (e >= 2 && byte_at(msg, e - 2) == '\r') ? e - 2 : e - 1;
}

/* Returns the offset where header <idx>'s line ends (the next line's start). */
static uint32_t line_end(const struct http_msg *msg, int idx)
{
	return idx + 1 < msg->h1.nb_hdrs ? msg->hdrs[idx + 1].n.off : eoh_off(msg);
}

/* Returns a scratch buffer (size in *<sz>) that holds none of the caller's
 * <a>/<an> and <b>/<bn> bytes: a value handed to an editor often lives in
 * a scratch buffer itself (a sample's result), and the ring comes round. */
static char *trash_apart(const char *a, size_t an, const char *b, size_t bn, size_t *sz)
{
	for (int i = 0; i < 3; i++) {
		char *t = smp_trash(sz);

		if (!t)
			return NULL;
		if ((a && a + an > t && a < t + *sz) || (b && b + bn > t && b < t + *sz))
			continue;
		return t;
	}
	return NULL;
}

int http_hdr_add(struct http_msg *msg, const char *name, size_t nlen, const char *val, size_t vlen)
{
	size_t sz, tl = nlen + 2 + vlen + 2;
	char *t = trash_apart(name, nlen, val, vlen, &sz);
	uint32_t at;
	int ret;

	if (msg->state == HTTP_MSG_HDRS || msg->state == HTTP_MSG_ERROR)
		return -EINVAL;
	if (msg->h1.nb_hdrs >= HTTP_MAX_HDRS)
		return -ENOSPC;
	if (!t || tl > sz)
		return -ENOSPC;
	for (size_t k = 0; k < nlen; k++)
		t[k] = (char)to_lower((unsigned char)name[k]);   /* names are kept lowercase */
	memcpy(t + nlen, ": ", 2);
	memcpy(t + nlen + 2, val, vlen);
	memcpy(t + nlen + 2 + vlen, "\r\n", 2);
	at = eoh_off(msg);
	if ((ret = msg_replace(msg, at, 0, t, tl)) < 0)
		return ret;
	msg->hdrs[msg->h1.nb_hdrs].n.off = at;
	msg->hdrs[msg->h1.nb_hdrs].n.len = (uint32_t)nlen;
	msg->hdrs[msg->h1.nb_hdrs].v.off = at + (uint32_t)nlen + 2;
	msg->hdrs[msg->h1.nb_hdrs].v.len = (uint32_t)vlen;
	msg->h1.nb_hdrs++;
	return 0;
}

static int hdr_del_idx(struct http_msg *msg, int idx, int may_move)
{
	uint32_t s, e;
	int ret;

	if (idx < 0 || idx >= msg->h1.nb_hdrs)
		return -EINVAL;
	s = msg->hdrs[idx].n.off;
	e = line_end(msg, idx);
	if ((ret = msg_edit(msg, s, e - s, NULL, 0, may_move)) < 0)
		return ret;
	memmove(&msg->hdrs[idx], &msg->hdrs[idx + 1],
	        (size_t)(msg->h1.nb_hdrs - idx - 1) * sizeof(msg->hdrs[0]));
	msg->h1.nb_hdrs--;
	return 0;
}

int http_hdr_del_idx(struct http_msg *msg, int idx)
{
	return hdr_del_idx(msg, idx, 0);
}

static int hdr_del_all(struct http_msg *msg, const char *name, size_t nlen, int may_move)
{
	int n = 0, ret;

	for (int i = hdr_find_raw(msg, name, nlen, 0); i >= 0; i = hdr_find_raw(msg, name, nlen, i)) {
		if ((ret = hdr_del_idx(msg, i, may_move)) < 0)
			return ret;
		n++;
	}
	return n;
}

int http_hdr_del(struct http_msg *msg, const char *name, size_t nlen)
{
	return hdr_del_all(msg, name, nlen, 0);
}

int http_hdr_drop(struct http_msg *msg, const char *name, size_t nlen)
{
	return hdr_del_all(msg, name, nlen, 1);
}

/* Returns 1 when <n>/<nl> contains <p>/<pl> at <at> (case-insensitive). */
static int ieq_at(const char *n, size_t nl, size_t at, const char *p, size_t pl)
{
	return at + pl <= nl && !strncasecmp(n + at, p, pl);
}

int http_hdr_del_match(struct http_msg *msg, const char *pat, size_t plen, enum http_match kind,
                       const struct rx *re)
{
	char buf[256];
	int n = 0, ret;

	for (int i = 0; i < msg->h1.nb_hdrs;) {
		size_t nl;
		const char *nm = http_hdr_name(msg, i, buf, sizeof(buf), &nl);
		int hit = 0;

		if (nm) {
			switch (kind) {
			case HTTP_MATCH_STR: hit = nl == plen && ieq_at(nm, nl, 0, pat, plen); break;
			case HTTP_MATCH_BEG: hit = ieq_at(nm, nl, 0, pat, plen); break;
			case HTTP_MATCH_END: hit = nl >= plen && ieq_at(nm, nl, nl - plen, pat, plen); break;
			case HTTP_MATCH_SUB:
				for (size_t k = 0; !hit && k + plen <= nl; k++)
					hit = ieq_at(nm, nl, k, pat, plen);
				break;
			case HTTP_MATCH_REG: hit = re && rx_match(re, nm, nl); break;
			}
		}
		if (!hit) {
			i++;
			continue;
		}
		if ((ret = http_hdr_del_idx(msg, i)) < 0)
			return ret;
		n++;
	}
	return n;
}

int http_hdr_set(struct http_msg *msg, const char *name, size_t nlen, const char *val, size_t vlen)
{
	int ret = http_hdr_del(msg, name, nlen);

	return ret < 0 ? ret : http_hdr_add(msg, name, nlen, val, vlen);
}

int http_hdr_set_value(struct http_msg *msg, int idx, const char *val, size_t vlen)
{
	struct h1_span v;
	int ret;

	if (idx < 0 || idx >= msg->h1.nb_hdrs)
		return -EINVAL;
	v = msg->hdrs[idx].v;
	if ((ret = msg_replace(msg, v.off, v.len, val, vlen)) < 0)
		return ret;
	msg->hdrs[idx].v.off = v.off;
	msg->hdrs[idx].v.len = (uint32_t)vlen;
	return 0;
}

int http_val_replace(struct http_msg *msg, struct http_val *v, const char *val, size_t vlen)
{
	struct h1_span hv;
	uint32_t s, e;
	int c, ret;

	if (v->hdr < 0 || v->hdr >= msg->h1.nb_hdrs)
		return -EINVAL;
	hv = msg->hdrs[v->hdr].v;
	if (v->v.off < hv.off || v->v.off + v->v.len > hv.off + hv.len)
		return -EINVAL;
	/* the blanks around an element go with it, as HAProxy replaces them:
	 * "bar, foo, baz" with "baz" rewritten becomes "bar, foo,Baz" */
	s = v->v.off;
	e = v->v.off + v->v.len;
	while (s > hv.off && ((c = byte_at(msg, s - 1)) == ' ' || c == '\t'))
		s--;
	while (e < hv.off + hv.len && ((c = byte_at(msg, e)) == ' ' || c == '\t'))
		e++;
	if ((ret = msg_replace(msg, s, e - s, val, vlen)) < 0)
		return ret;
	/* set by hand: an empty value is a zero-length span that an insertion
	 * at its place would move instead of growing */
	msg->hdrs[v->hdr].v.off = hv.off;
	msg->hdrs[v->hdr].v.len = hv.len + (uint32_t)vlen - (e - s);
	v->v.off = s;
	v->v.len = (uint32_t)vlen;
	return 0;
}

int http_hdr_replace_rx(struct http_msg *msg, const char *name, size_t nlen, const struct rx *re,
                        const char *fmt, size_t fmtlen, int per_value)
{
	struct http_val it = { .hdr = -1 };
	size_t isz = 0, osz, len;
	char *in = trash_apart(fmt, fmtlen, NULL, 0, &isz);
	char *out = trash_apart(fmt, fmtlen, in, isz, &osz);
	int n = 0, ret;

	if (!in || !out)
		return -ENOMEM;
	while (http_val_next(msg, name, nlen, !per_value, &it)) {
		const char *s = http_span(msg, it.v, in, isz, &len);
		int r;

		if (!s)
			return -ENOSPC;
		r = rx_subst(re, s, len, fmt, fmtlen, out, osz);
		if (r == RX_NOMATCH)
			continue;
		if (r < 0)
			return -ENOSPC;
		if ((ret = http_val_replace(msg, &it, out, (size_t)r)) < 0)
			return ret;
		n++;
	}
	return n;
}

/* An edit inside the URI (or at its end): the URI span is set by hand,
 * since an insertion at a span's very end does not grow it in msg_replace(). */
static int uri_replace(struct http_msg *msg, uint32_t off, uint32_t len, const char *d, size_t dlen)
{
	uint32_t ulen = msg->h1.uri.len;
	int ret;

	if ((ret = msg_replace(msg, off, len, d, dlen)) < 0)
		return ret;
	msg->h1.uri.len = ulen + (uint32_t)dlen - len;
	return 0;
}

int http_set_method(struct http_msg *msg, const char *p, size_t len)
{
	struct h1_span s = msg->h1.meth;
	int ret;

	if (msg->is_resp || !len)
		return -EINVAL;
	if ((ret = msg_replace(msg, s.off, s.len, p, len)) < 0)
		return ret;
	msg->h1.meth.len = (uint32_t)len;
	msg->h1.meth_id = h1_meth_id(p, len);
	return 0;
}

int http_set_uri(struct http_msg *msg, const char *p, size_t len)
{
	struct h1_span s = msg->h1.uri;
	int ret;

	if (msg->is_resp || !len)
		return -EINVAL;
	if ((ret = msg_replace(msg, s.off, s.len, p, len)) < 0)
		return ret;
	msg->h1.uri.len = (uint32_t)len;
	return 0;
}

int http_set_path(struct http_msg *msg, const char *p, size_t len)
{
	struct h1_span path, auth;
	uint32_t ulen;
	int ret;

	if (msg->is_resp)
		return -EINVAL;
	if (!http_uri_path(msg, &path)) {
		/* no path: it goes where it would start */
		if (uri_authority(msg, &auth))
			path.off = auth.off + auth.len;
		else if (byte_at(msg, msg->h1.uri.off) == '/')
			path.off = msg->h1.uri.off;
		else
			return -EINVAL;
		path.len = 0;
	}
	ulen = msg->h1.uri.len;
	if ((ret = msg_replace(msg, path.off, path.len, p, len)) < 0)
		return ret;
	msg->h1.uri.len = ulen + (uint32_t)len - path.len;
	return 0;
}

int http_set_pathq(struct http_msg *msg, const char *p, size_t len)
{
	struct h1_span path;
	uint32_t ulen = msg->h1.uri.len, end = msg->h1.uri.off + msg->h1.uri.len;
	int ret;

	if (msg->is_resp)
		return -EINVAL;
	if (!http_uri_path(msg, &path)) {
		struct h1_span auth;

		if (uri_authority(msg, &auth))
			path.off = auth.off + auth.len;
		else if (byte_at(msg, msg->h1.uri.off) == '/')
			path.off = msg->h1.uri.off;
		else
			return -EINVAL;
	}
	path.len = end - path.off;
	if ((ret = msg_replace(msg, path.off, path.len, p, len)) < 0)
		return ret;
	msg->h1.uri.len = ulen + (uint32_t)len - path.len;
	return 0;
}

int http_set_query(struct http_msg *msg, const char *q, size_t len)
{
	struct h1_span qs;
	uint32_t uend = msg->h1.uri.off + msg->h1.uri.len;

	if (msg->is_resp)
		return -EINVAL;
	if (http_uri_query(msg, &qs)) {
		if (!q)
			return uri_replace(msg, qs.off - 1, qs.len + 1, NULL, 0);
		return uri_replace(msg, qs.off, qs.len, q, len);
	}
	if (!q)
		return 0;
	{
		size_t sz;
		char *t = trash_apart(q, len, NULL, 0, &sz);

		if (!t || len + 1 > sz)
			return -ENOSPC;
		t[0] = '?';
		memcpy(t + 1, q, len);
		return uri_replace(msg, uend, 0, t, len + 1);
	}
}

int http_set_status(struct http_msg *msg, int status, const char *reason, size_t rlen)
{
	struct h1_msg *m = &msg->h1;
	char code[4];
	uint32_t roff;
	int ret;

	if (!msg->is_resp || status < 100 || status > 999)
		return -EINVAL;
	if (!reason) {
		reason = http_status_reason(status);
		rlen = strlen(reason);
	}
	code[0] = (char)('0' + status / 100);
	code[1] = (char)('0' + status / 10 % 10);
	code[2] = (char)('0' + status % 10);
	if ((ret = msg_replace(msg, m->code.off, m->code.len, code, 3)) < 0)
		return ret;
	m->status = (uint16_t)status;
	/* the reason follows the code and one space; an absent one is added */
	if (m->reason.len || byte_at(msg, m->code.off + 3) == ' ') {
		roff = m->code.off + 4;
		if ((ret = msg_replace(msg, roff, m->reason.off + m->reason.len - roff, reason, rlen)) < 0)
			return ret;
		m->reason.off = roff;
		m->reason.len = (uint32_t)rlen;
		return 0;
	}
	{
		size_t sz;
		char *t = trash_apart(reason, rlen, NULL, 0, &sz);

		if (!t || rlen + 1 > sz)
			return -ENOSPC;
		t[0] = ' ';
		memcpy(t + 1, reason, rlen);
		roff = m->code.off + 3;
		if ((ret = msg_replace(msg, roff, 0, t, rlen + 1)) < 0)
			return ret;
		m->reason.off = roff + 1;
		m->reason.len = (uint32_t)rlen;
	}
	return 0;
}

const char *http_status_reason(int status)
{
	/* HAProxy 2.6's table (what "http-request return status N" sends),
	 * its oddities included: "302 Moved Temporarily", "502 Bad Gateway or
	 * Proxy Error"; unknown codes get their class's word */
	switch (status) {
	case 100: return "Continue";
	case 101: return "Switching Protocols";
	case 102: return "Processing";
	case 103: return "Early Hints";
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 203: return "Non-Authoritative Information";
	case 204: return "No Content";
	case 205: return "Reset Content";
	case 206: return "Partial Content";
	case 207: return "Multi-Status";
	case 226: return "IM Used";
	case 300: return "Multiple Choices";
	case 301: return "Moved Permanently";
	case 302: return "Moved Temporarily";
	case 303: return "See Other";
	case 304: return "Not Modified";
	case 305: return "Use Proxy";
	case 307: return "Temporary Redirect";
	case 308: return "Permanent Redirect";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 402: return "Payment Required";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 406: return "Not Acceptable";
	case 407: return "Proxy Authentication Required";
	case 408: return "Request Time-out";
	case 409: return "Conflict";
	case 410: return "Gone";
	case 411: return "Length Required";
	case 412: return "Precondition Failed";
	case 413: return "Request Entity Too Large";
	case 414: return "Request-URI Too Long";
	case 415: return "Unsupported Media Type";
	case 416: return "Requested range unsatisfiable";
	case 417: return "Expectation failed";
	case 418: return "I'm a teapot";
	case 421: return "Misdirected Request";
	case 422: return "Unprocessable Content";
	case 423: return "Locked";
	case 424: return "Method failure";
	case 425: return "Too Early";
	case 426: return "Upgrade Required";
	case 428: return "Precondition Required";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 450: return "Blocked by Windows Parental Controls";
	case 451: return "Unavailable For Legal Reasons";
	case 499: return "client has closed connection";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 502: return "Bad Gateway or Proxy Error";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Time-out";
	case 505: return "HTTP Version not supported";
	case 506: return "Variant also negotiate";
	case 507: return "Insufficient storage";
	case 508: return "Loop detected";
	case 509: return "Bandwidth Limit Exceeded";
	case 510: return "Not extended";
	case 511: return "Network authentication required";
	}
	switch (status / 100) {
	case 1: return "Informational";
	case 2: return "Success";
	case 3: return "Redirection";
	case 4: return "Client Error";
	case 5: return "Server Error";
	}
	return "Other";
}

/* Returns what HAProxy's HTX keeps of Connection header <idx> of <m>:
 * its name and value without the "close" and "keep-alive" tokens (the
 * others joined by ", "), 0 when no token is left (the header is gone). */
static uint64_t conn_hdr_htx_size(const struct http_msg *m, int idx)
{
	char buf[256];
	size_t len, kept = 0, ntok = 0;
	const char *p = http_span(m, m->hdrs[idx].v, buf, sizeof(buf), &len);

	if (!p)
		return m->hdrs[idx].n.len + m->hdrs[idx].v.len;
	for (size_t b = 0; b <= len;) {
		size_t e = b, s0, e0;

		while (e < len && p[e] != ',')
			e++;
		for (s0 = b; s0 < e && (p[s0] == ' ' || p[s0] == '\t'); s0++)
			;
		for (e0 = e; e0 > s0 && (p[e0 - 1] == ' ' || p[e0 - 1] == '\t'); e0--)
			;
		if (e0 > s0 && !(e0 - s0 == 5 && !strncasecmp(p + s0, "close", 5)) &&
		    !(e0 - s0 == 10 && !strncasecmp(p + s0, "keep-alive", 10))) {
			kept += e0 - s0;
			ntok++;
		}
		b = e + 1;
	}
	return ntok ? m->hdrs[idx].n.len + kept + 2 * (ntok - 1) : 0;
}

uint64_t http_msg_htx_head_size(const struct http_msg *m)
{
	uint64_t n = 20 + m->h1.ver.len + 1;    /* the start line's fixed part, the end of headers */

	if (m->is_resp)
		n += m->h1.code.len + m->h1.reason.len;
	else
		n += m->h1.meth.len + m->h1.uri.len;
	for (int i = 0; i < m->h1.nb_hdrs; i++)
		n += m->hdrs[i].n.len == 10 && span_ieq(m, m->hdrs[i].n.off, 10, "connection", 10) ?
		     conn_hdr_htx_size(m, i) : m->hdrs[i].n.len + m->hdrs[i].v.len;
	return n;
}

int http_msg_restrict_names(struct http_msg *m, int del)
{
	int n = 0;

	for (int i = 0; i < m->h1.nb_hdrs; i++) {
		char buf[256];
		size_t len;
		const char *name = http_hdr_name(m, i, buf, sizeof(buf), &len);
		size_t k = 0;

		if (!name)
			continue;       /* a name too long for <buf>: left as it is */
		while (k < len && (isalnum((unsigned char)name[k]) || name[k] == '-'))
			k++;
		if (k == len)
			continue;
		n++;
		if (del && http_hdr_del_idx(m, i) == 0)
			i--;            /* the next header took its index */
	}
	return n;
}
