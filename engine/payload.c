/* payload.c: layer-6 fetches reading the input part of a channel — raw
 * payload (req.len, req.payload, req.payload_lv), the TLS hello (SNI,
 * ALPN, versions, hello type, extensions) and the RDP cookie. Channels
 * are segmented, so the bytes a fetch needs are copied to scratch first.
 * A fetch that needs more bytes than received says SMP_F_MAY_CHANGE
 * (an inspect-delay then waits) unless no more data can come. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/sample.h"
#include "engine/stream.h"

/* priv of each fetch: the channel it reads; NULL = the rule's direction */
static const int dir_req = SMP_DIR_REQ, dir_res = SMP_DIR_RES;

static struct chan *ctx_chan(const struct smp_ctx *ctx)
{
	int dir;

	if (!ctx->strm)
		return NULL;
	dir = ctx->priv ? *(const int *)ctx->priv : (int)ctx->dir;
	return dir == SMP_DIR_RES ? &ctx->strm->res : &ctx->strm->req;
}

/* Returns 1 if more input may still arrive on <c>. */
static int chan_may_grow(const struct smp_ctx *ctx, const struct chan *c)
{
	return !ctx->final && !(c->flags & (CHAN_SHUTR | CHAN_EOI));
}

/* Returns 0 (not found) with MAY_CHANGE when more data could still come. */
static int too_short(const struct smp_ctx *ctx, const struct chan *c, struct sample *smp)
{
	smp->flags = chan_may_grow(ctx, c) ? SMP_F_MAY_CHANGE : 0;
	return 0;
}

static int not_found(struct sample *smp)
{
	smp->flags = 0;
	return 0;
}

/* Copies the first min(<want>, input) bytes of <c>'s input to scratch.
 * Returns the copy (length in *<got>) or NULL. */
static uint8_t *head_copy(const struct chan *c, size_t want, size_t *got)
{
	size_t size;
	uint8_t *p = (uint8_t *)smp_trash(&size);

	if (!p)
		return NULL;
	if (want > size)
		want = size;
	*got = chan_copy_in(c, 0, p, want);
	return p;
}

static int f_len(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	struct chan *c = ctx_chan(ctx);
	int64_t hl;

	if (!c)
		return 0;
	if (http_fetch_htx_len(ctx, c == &ctx->strm->res ? SMP_DIR_RES : SMP_DIR_REQ, &hl))
		smp_set_sint(smp, hl);          /* HTTP mode: the message as HAProxy holds it */
	else
		smp_set_sint(smp, chan_in_len(c));
	smp->flags = SMP_F_VOL_TXN;
	if (chan_may_grow(ctx, c))
		smp->flags |= SMP_F_MAY_CHANGE;
	return 1;
}

/* Copies <len> bytes at <off> of <c>'s input into scratch as a BIN sample. */
static int payload_copy(const struct chan *c, size_t off, size_t len, struct sample *smp)
{
	size_t size;
	char *p = smp_trash(&size);

	if (!p || len > size)
		return 0;
	if (chan_copy_in(c, off, p, len) != len)
		return 0;
	smp->type = SMP_T_BIN;
	smp->flags = SMP_F_VOL_TXN;
	smp->u.str.ptr = p;
	smp->u.str.len = len;
	smp->u.str.size = size;
	return 1;
}

/* req.payload(off,len): <len> bytes at <off>; len 0 = everything from <off>. */
static int f_payload(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	struct chan *c = ctx_chan(ctx);
	uint64_t off = (uint64_t)args[0].u.sint, len = (uint64_t)args[1].u.sint;
	size_t max, data;

	if (!c)
		return 0;
	smp_trash(&max);
	data = chan_in_len(c);
	if (off > max || len > max || off + len > max)
		return not_found(smp);     /* will never match */
	if (off + len > data)
		return too_short(ctx, c, smp);
	if (!payload_copy(c, off, len ? len : data - off, smp))
		return 0;
	if (!len && chan_may_grow(ctx, c))
		smp->flags |= SMP_F_MAY_CHANGE;
	return 1;
}

/* req.payload_lv(off1,len[,off2]): a block whose big-endian length is the
 * <len> bytes at <off1>; it starts right after, or at <off2> (see
 * chk_payload_lv for its encoding). */
static int f_payload_lv(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	struct chan *c = ctx_chan(ctx);
	uint64_t len_off = (uint64_t)args[0].u.sint, len_size = (uint64_t)args[1].u.sint;
	uint64_t buf_off;
	uint32_t buf_size = 0;      /* 32 bits, as HAProxy: longer fields wrap */
	unsigned char lenb[256];
	size_t max, data;

	if (!c)
		return 0;
	smp_trash(&max);
	data = chan_in_len(c);
	if (len_size > sizeof(lenb) || len_off > max)
		return not_found(smp);
	if (len_off + len_size > data)
		return too_short(ctx, c, smp);
	if (chan_copy_in(c, len_off, lenb, len_size) != len_size)
		return 0;
	for (uint64_t i = 0; i < len_size; i++)
		buf_size = (buf_size << 8) + lenb[i];
	buf_off = len_off + len_size;
	if (args[2].type == ARGT_SINT) {
		if (args[2].u.sint & 1)
			buf_off += args[2].u.sint >> 1;
		else
			buf_off = args[2].u.sint >> 1;
	}
	if (!buf_size || buf_size > max || buf_off > max || buf_off + buf_size > max)
		return not_found(smp);
	if (buf_off + buf_size > data)
		return too_short(ctx, c, smp);
	return payload_copy(c, buf_off, buf_size, smp);
}

/* Validates payload_lv's arguments with HAProxy's messages. Offset 2,
 * when given, becomes an integer: relative ("+n"/"-n") offsets are encoded
 * (n << 1) | 1, absolute ones n << 1. (HAProxy 2.6 stores absolute offsets
 * unshifted, which halves them at run time; the documented meaning is
 * followed here.) */
static int chk_payload_lv(struct arg *args, char *err, size_t errlen)
{
	if (args[0].u.sint < 0) {
		snprintf(err, errlen, "payload offset1 must be positive");
		return -1;
	}
	if (!args[1].u.sint) {
		snprintf(err, errlen, "payload length must be > 0");
		return -1;
	}
	if (args[2].type == ARGT_STR && args[2].u.str.len) {
		const char *s = args[2].u.str.ptr;
		int rel = *s == '+' || *s == '-';
		long long v;
		char *end;

		v = strtoll(s, &end, 10);
		if (*end || end == s) {
			snprintf(err, errlen, "payload offset2 is not a number");
			return -1;
		}
		if (args[0].u.sint + args[1].u.sint + v < 0) {
			snprintf(err, errlen, "payload offset2 too negative");
			return -1;
		}
		free(args[2].u.str.ptr);
		args[2].type = ARGT_SINT;
		args[2].u.sint = (int64_t)((uint64_t)v << 1) | rel;
	}
	return 0;
}

/* --- TLS hello --- */

static inline unsigned be16(const uint8_t *p) { return (unsigned)p[0] << 8 | p[1]; }
static inline unsigned be24(const uint8_t *p) { return (unsigned)p[0] << 16 | (unsigned)p[1] << 8 | p[2]; }

/* Finds the extension block of the TLS ClientHello at the start of <c>'s
 * input. Returns 1 with it in <ext> and <ext_len> (in scratch), 0 if the
 * input is not a well-formed ClientHello, -1 if more bytes are needed. */
static int hello_extensions(const struct chan *c, const uint8_t **ext, size_t *ext_len)
{
	size_t in = chan_in_len(c), got, p, hs_len, n;
	uint8_t hdr[9];
	const uint8_t *b;

	n = chan_copy_in(c, 0, hdr, in < 9 ? in : 9);
	if (n < 1)
		return -1;
	if (hdr[0] != 0x16)                  /* handshake record */
		return 0;
	if (n < 3)
		return -1;
	if (hdr[1] < 0x03)                   /* SSLv3 or later */
		return 0;
	if (n < 5)
		return -1;
	if (be16(hdr + 3) < 49)              /* too short to hold an extension */
		return 0;
	if (n < 6)
		return -1;
	if (hdr[5] != 0x01)                  /* ClientHello */
		return 0;
	if (n < 9)
		return -1;
	hs_len = be24(hdr + 6);
	if (hs_len < 45)
		return 0;
	if (in < 9 + hs_len)                 /* the whole hello is needed */
		return -1;
	b = head_copy(c, 9 + hs_len, &got);
	if (!b || got < 9 + hs_len)
		return 0;                        /* larger than a buffer: give up */
	b += 9;
	if (b[0] < 0x03 || b[1] < 0x01)      /* TLS 1.0 minimum */
		return 0;
	p = 34;
	if (b[p] > 32 || p + 1 + b[p] > hs_len)
		return 0;
	p += 1 + b[p];                        /* session id */
	if (p + 2 > hs_len || be16(b + p) < 2 || p + 2 + be16(b + p) > hs_len)
		return 0;
	p += 2 + be16(b + p);                 /* cipher suites */
	if (p + 1 > hs_len || b[p] < 1 || p + 1 + b[p] > hs_len)
		return 0;
	p += 1 + b[p];                        /* compression methods */
	if (p + 2 > hs_len || p + 2 + be16(b + p) > hs_len)
		return 0;
	*ext = b + p + 2;
	*ext_len = be16(b + p);
	return 1;
}

/* Returns 1 with extension <type>'s data in <d> and <dl>, 0 if absent, -1
 * if the list is malformed. */
static int hello_find_ext(const uint8_t *ext, size_t len, unsigned type, const uint8_t **d, size_t *dl)
{
	while (len >= 4) {
		unsigned t = be16(ext), l = be16(ext + 2);

		if (l > len - 4)
			return -1;
		if (t == type) {
			*d = ext + 4;
			*dl = l;
			return 1;
		}
		ext += 4 + l;
		len -= 4 + l;
	}
	return 0;
}

/* Runs the common part of the hello fetches: returns 1 with the extension
 * <type> found, 0 when there is no such extension, or a "return" code in
 * *<ret> (not a hello / too short) when the caller must stop. */
static int hello_ext(struct smp_ctx *ctx, struct sample *smp, unsigned type,
                     const uint8_t **d, size_t *dl, int *stop)
{
	struct chan *c = ctx_chan(ctx);
	const uint8_t *ext;
	size_t ext_len;
	int r;

	*stop = 1;
	if (!c)
		return not_found(smp);
	r = hello_extensions(c, &ext, &ext_len);
	if (r < 0)
		return too_short(ctx, c, smp);
	if (r == 0)
		return not_found(smp);
	r = hello_find_ext(ext, ext_len, type, d, dl);
	if (r < 0)
		return not_found(smp);
	*stop = 0;
	return r;
}

/* req.ssl_sni: the host name of the server_name extension. */
static int f_ssl_sni(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const uint8_t *d;
	size_t dl, list, pos;
	int stop, r = hello_ext(ctx, smp, 0, &d, &dl, &stop);

	if (stop || !r)
		return stop ? r : not_found(smp);
	if (dl < 2)
		return not_found(smp);
	list = be16(d);
	if (list < 4 || list > dl - 2)
		return not_found(smp);
	for (pos = 2; pos + 3 <= 2 + list; ) {
		unsigned ntype = d[pos], nlen = be16(d + pos + 1);

		if (pos + 3 + nlen > 2 + list)
			return not_found(smp);
		if (ntype == 0) {
			smp->type = SMP_T_STR;
			smp->flags = SMP_F_VOL_TXN;
			smp->u.str.ptr = (char *)d + pos + 3;
			smp->u.str.len = nlen;
			smp->u.str.size = 0;
			return 1;
		}
		pos += 3 + nlen;
	}
	return not_found(smp);
}

/* req.ssl_alpn: the first protocol of the ALPN extension; for an ACL
 * (ctx->iterate) each protocol in turn, with SMP_F_NOT_LAST while more
 * follow, as HAProxy's ACLs test every one. */
static int f_ssl_alpn(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const uint8_t *d;
	size_t dl, list, pos = 2;
	uint32_t want = ctx->iterate ? ctx->iter : 0;
	int stop, r = hello_ext(ctx, smp, 16, &d, &dl, &stop);

	if (stop || !r)
		return stop ? r : not_found(smp);
	if (dl < 3)
		return not_found(smp);
	list = be16(d);
	if (list + 2 > dl)
		list = dl - 2;
	for (uint32_t i = 0; ; i++) {
		size_t n;

		if (pos >= 2 + list || !(n = d[pos]) || pos + 1 + n > 2 + list)
			return not_found(smp);
		if (i == want) {
			smp->type = SMP_T_STR;
			smp->flags = SMP_F_VOL_TXN;
			smp->u.str.ptr = (char *)d + pos + 1;
			smp->u.str.len = n;
			smp->u.str.size = 0;
			if (ctx->iterate) {
				ctx->iter++;
				if (pos + 1 + n < 2 + list)
					smp->flags |= SMP_F_NOT_LAST;
			}
			return 1;
		}
		pos += 1 + n;
	}
}

/* req.ssl_st_ext: 0 no SessionTicket extension, 1 an empty one (the
 * client supports tickets), 2 one carrying a ticket. */
static int f_ssl_st_ext(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const uint8_t *d;
	size_t dl;
	int stop, r = hello_ext(ctx, smp, 35, &d, &dl, &stop);

	if (stop)
		return r;
	smp_set_sint(smp, r ? (dl ? 2 : 1) : 0);
	smp->flags = SMP_F_VOL_TXN;
	return 1;
}

/* req.ssl_ec_ext: whether the hello has the supported elliptic curves
 * (supported groups) extension. */
static int f_ssl_ec_ext(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	const uint8_t *d;
	size_t dl;
	int stop, r = hello_ext(ctx, smp, 10, &d, &dl, &stop);

	if (stop)
		return r;
	smp_set_bool(smp, r);
	smp->flags = SMP_F_VOL_TXN;
	return 1;
}

/* req.ssl_hello_type / res.ssl_hello_type: the handshake type of the
 * first SSLv3+ record (1 ClientHello, 2 ServerHello), once the whole
 * handshake message is there. */
static int f_ssl_hello_type(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	struct chan *c = ctx_chan(ctx);
	uint8_t h[9];
	size_t in;

	if (!c)
		return not_found(smp);
	in = chan_in_len(c);
	if (!in)
		return too_short(ctx, c, smp);
	chan_copy_in(c, 0, h, in < 9 ? in : 9);
	if (!((h[0] >= 0x14 && h[0] <= 0x17) || h[0] == 0xff))
		return not_found(smp);
	if (in < 9)
		return too_short(ctx, c, smp);
	if (((unsigned)h[1] << 16 | h[2]) < 0x030000 || be16(h + 3) < 4)
		return not_found(smp);
	if (in < 9 + (size_t)be24(h + 6))
		return too_short(ctx, c, smp);
	smp_set_sint(smp, h[5]);
	smp->flags = SMP_F_VOL_TXN;
	return 1;
}

/* req.ssl_ver: the protocol version the client offers, major << 16 | minor
 * (0x30001 = TLS 1.0...), from an SSLv3+ ClientHello or an SSLv2 one,
 * once the whole first message is there. */
static int f_ssl_ver(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	struct chan *c = ctx_chan(ctx);
	size_t in, got, bleft, msg_len, max;
	const uint8_t *d;
	unsigned version;

	if (!c)
		return not_found(smp);
	in = chan_in_len(c);
	if (!in)
		return too_short(ctx, c, smp);
	d = head_copy(c, in, &got);
	if (!d)
		return 0;
	smp_trash(&max);
	bleft = got;
	if ((d[0] >= 0x14 && d[0] <= 0x17) || d[0] == 0xff) {
		if (bleft < 11)
			return too_short(ctx, c, smp);
		version = (unsigned)d[1] << 16 | d[2];
		msg_len = be16(d + 3);
		if (version < 0x030000 || msg_len < 6 || msg_len > (1 << 14) + 2048)
			return not_found(smp);
		bleft -= 5;
		d += 5;
		version = (unsigned)d[4] << 16 | d[5];   /* the hello's version */
	} else {
		/* SSLv2 ClientHello */
		size_t rlen, plen, cilen, silen, chlen;

		if (d[0] & 0x80) {
			if (bleft < 3)
				return too_short(ctx, c, smp);
			rlen = (size_t)(d[0] & 0x7f) << 8 | d[1];
			plen = 0;
			bleft -= 2;
			d += 2;
		} else {
			if (bleft < 4)
				return too_short(ctx, c, smp);
			rlen = (size_t)(d[0] & 0x3f) << 8 | d[1];
			plen = d[2];
			bleft -= 3;
			d += 3;
		}
		if (d[0] != 0x01)
			return not_found(smp);
		bleft--;
		d++;
		if (bleft < 8)
			return too_short(ctx, c, smp);
		version = (unsigned)d[0] << 16 | d[1];
		cilen = be16(d + 2);
		silen = be16(d + 4);
		chlen = be16(d + 6);
		bleft -= 8;
		if (cilen % 3 || (silen && silen != 16) || chlen < 16 || chlen > 32 ||
		    rlen != 9 + cilen + silen + chlen)
			return not_found(smp);
		msg_len = cilen + silen + chlen + plen;
	}
	if (msg_len > max)
		msg_len = max;
	if (bleft < msg_len)
		return too_short(ctx, c, smp);
	smp_set_sint(smp, version);
	smp->flags = SMP_F_VOL_TXN;
	return 1;
}

/* --- RDP cookie ("Cookie: mstshash=<name>\r\n" after an 11-byte
 * X.224 header) --- */

/* Returns 1 with the value of cookie <name> (any cookie when <nlen> is 0)
 * in <smp>, 0 not found, -1 too short. */
static int rdp_cookie(const struct chan *c, const char *name, size_t nlen, struct sample *smp)
{
	size_t in = chan_in_len(c), got, bleft;
	const uint8_t *d = head_copy(c, in, &got), *v;

	if (!d)
		return 0;
	if (got <= 11)
		return -1;
	d += 11;
	bleft = got - 11;
	if (bleft <= 7)
		return -1;
	if (strncasecmp((const char *)d, "Cookie:", 7))
		return 0;
	d += 7;
	bleft -= 7;
	while (bleft && *d == ' ') {
		d++;
		bleft--;
	}
	if (nlen) {
		if (bleft <= nlen)
			return -1;
		if (d[nlen] != '=' || strncasecmp(name, (const char *)d, nlen))
			return 0;
		d += nlen + 1;
		bleft -= nlen + 1;
	} else {
		while (bleft && *d != '=') {
			if (*d == '\r' || *d == '\n')
				return 0;
			d++;
			bleft--;
		}
		if (!bleft)
			return -1;
		d++;
		bleft--;
	}
	v = d;
	while (bleft && *d != '\r') {
		d++;
		bleft--;
	}
	if (bleft < 2)
		return -1;
	if (d[1] != '\n')
		return 0;
	smp->type = SMP_T_STR;
	smp->flags = SMP_F_VOL_TXN;
	smp->u.str.ptr = (char *)v;
	smp->u.str.len = d - v;
	smp->u.str.size = 0;
	return 1;
}

static int f_rdp_cookie(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	struct chan *c = ctx->strm ? &ctx->strm->req : NULL;
	int r;

	if (!c)
		return 0;
	r = rdp_cookie(c, args[0].type == ARGT_STR ? args[0].u.str.ptr : NULL,
	               args[0].type == ARGT_STR ? args[0].u.str.len : 0, smp);
	if (r < 0)
		return too_short(ctx, c, smp);
	return r ? 1 : not_found(smp);
}

/* rdp_cookie_cnt: 1 if the cookie is there, else 0 (once decidable). */
static int f_rdp_cookie_cnt(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	int r = f_rdp_cookie(args, smp, ctx);

	if (!r && (smp->flags & SMP_F_MAY_CHANGE))
		return 0;
	if (!ctx->strm)
		return 0;
	smp_set_sint(smp, r);
	smp->flags = SMP_F_VOL_TXN;
	return 1;
}

#define L6   SMP_USE_L6
#define L6R  (SMP_USE_L6 | SMP_USE_RES)

const struct sample_fetch smp_fetch_payload_table[] = {
	{ "payload",            f_payload,        ARG2(2, SINT, SINT),       0,              SMP_T_BIN,  L6,  NULL },
	{ "payload_lv",         f_payload_lv,     ARG3(2, SINT, SINT, STR),  chk_payload_lv, SMP_T_BIN,  L6,  NULL },
	{ "rdp_cookie",         f_rdp_cookie,     ARG1(0, STR),              0,              SMP_T_STR,  L6,  &dir_req },
	{ "rdp_cookie_cnt",     f_rdp_cookie_cnt, ARG1(0, STR),              0,              SMP_T_SINT, L6,  &dir_req },
	{ "rep_ssl_hello_type", f_ssl_hello_type, ARG0,                      0,              SMP_T_SINT, L6R, &dir_res },
	{ "req.len",            f_len,            ARG0,                      0,              SMP_T_SINT, L6,  &dir_req },
	{ "req.payload",        f_payload,        ARG2(2, SINT, SINT),       0,              SMP_T_BIN,  L6,  &dir_req },
	{ "req.payload_lv",     f_payload_lv,     ARG3(2, SINT, SINT, STR),  chk_payload_lv, SMP_T_BIN,  L6,  &dir_req },
	{ "req.rdp_cookie",     f_rdp_cookie,     ARG1(0, STR),              0,              SMP_T_STR,  L6,  &dir_req },
	{ "req.rdp_cookie_cnt", f_rdp_cookie_cnt, ARG1(0, STR),              0,              SMP_T_SINT, L6,  &dir_req },
	{ "req.ssl_alpn",       f_ssl_alpn,       ARG0,                      0,              SMP_T_STR,  L6,  &dir_req },
	{ "req.ssl_ec_ext",     f_ssl_ec_ext,     ARG0,                      0,              SMP_T_BOOL, L6,  &dir_req },
	{ "req.ssl_hello_type", f_ssl_hello_type, ARG0,                      0,              SMP_T_SINT, L6,  &dir_req },
	{ "req.ssl_sni",        f_ssl_sni,        ARG0,                      0,              SMP_T_STR,  L6,  &dir_req },
	{ "req.ssl_st_ext",     f_ssl_st_ext,     ARG0,                      0,              SMP_T_SINT, L6,  &dir_req },
	{ "req.ssl_ver",        f_ssl_ver,        ARG0,                      0,              SMP_T_SINT, L6,  &dir_req },
	{ "req_len",            f_len,            ARG0,                      0,              SMP_T_SINT, L6,  &dir_req },
	{ "req_ssl_hello_type", f_ssl_hello_type, ARG0,                      0,              SMP_T_SINT, L6,  &dir_req },
	{ "req_ssl_sni",        f_ssl_sni,        ARG0,                      0,              SMP_T_STR,  L6,  &dir_req },
	{ "req_ssl_ver",        f_ssl_ver,        ARG0,                      0,              SMP_T_SINT, L6,  &dir_req },
	{ "res.len",            f_len,            ARG0,                      0,              SMP_T_SINT, L6R, &dir_res },
	{ "res.payload",        f_payload,        ARG2(2, SINT, SINT),       0,              SMP_T_BIN,  L6R, &dir_res },
	{ "res.payload_lv",     f_payload_lv,     ARG3(2, SINT, SINT, STR),  chk_payload_lv, SMP_T_BIN,  L6R, &dir_res },
	{ "res.ssl_hello_type", f_ssl_hello_type, ARG0,                      0,              SMP_T_SINT, L6R, &dir_res },
	{ NULL, NULL, 0, 0, 0, 0, NULL }
};
