/* h1.c: the HTTP/1 message parser (see h1.h). One byte-driven state
 * machine for the start line, headers, chunk framing and trailers; body
 * bytes of known length are skipped in bulk. Spans are offsets from the
 * message start, so the input may arrive in any number of pieces. */
#include <string.h>

#include "proto/h1.h"

/* Fine-grained scanner states (h1_msg.st). */
enum {
	S_RQ_BEFORE = 0, S_RQ_METH, S_RQ_METH_SP, S_RQ_URI, S_RQ_URI_SP, S_RQ_VER, S_LINE_CR,
	S_RS_VER, S_RS_VER_SP, S_RS_CODE, S_RS_CODE_SP, S_RS_REASON,
	S_H_LINE, S_H_NAME, S_H_LWS, S_H_VAL, S_H_VAL_CR, S_H_END_CR,
	S_B_CL, S_B_CLOSE,
	S_C_SIZE, S_C_SIZE_WS, S_C_EXT, S_C_SIZE_CR, S_C_DATA, S_C_DATA_CR, S_C_DATA_LF,
	S_T_LINE, S_T_NAME, S_T_SKIP, S_T_CR, S_T_END_CR,
	S_DONE, S_ERR,
};

/* Known headers whose value the parser interprets. */
enum { KH_NONE = 0, KH_CLEN, KH_TE, KH_CONN, KH_EXPECT, KH_HOST, KH_UPGRADE };

#define TOK_BAD  255   /* the token did not fit tok[] or held an inner blank */

/* Character classes. */
#define C_TCHAR 0x01   /* token character (method, header name) */
#define C_URI   0x02   /* allowed in a request URI */
#define C_VAL   0x04   /* allowed in a header value (besides blanks) */
#define C_HEX   0x08

static unsigned char h1_cls[256];

static void h1_cls_init(void)
{
	static const char tspecial[] = "!#$%&'*+-.^_`|~";

	for (int c = 0; c < 256; c++) {
		unsigned char f = 0;

		if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c && strchr(tspecial, c)))
			f |= C_TCHAR;
		if (c >= 0x21 && c <= 0x7e)
			f |= C_URI | C_VAL;
		if (c == '#')
			f &= ~C_URI;       /* a fragment is never sent: HAProxy answers 400 */
		if (c >= 0x80)
			f |= C_VAL;
		if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))
			f |= C_HEX;
		h1_cls[c] = f;
	}
}

static inline int is_blank(unsigned char c) { return c == ' ' || c == '\t'; }
static inline unsigned char lower(unsigned char c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }

void h1_init(struct h1_msg *m, uint32_t flags, struct h1_hdr *hdrs, uint16_t max_hdrs,
             uint32_t max_hdr_len)
{
	if (!h1_cls['a'])
		h1_cls_init();     /* idempotent: concurrent first calls write the same bytes */
	memset(m, 0, sizeof(*m));
	m->hdrs = hdrs;
	m->max_hdrs = max_hdrs;
	m->max_hdr_len = max_hdr_len;
	m->flags = flags & (H1_MF_RESP | H1_MF_HEAD);
	m->phase = H1_P_START;
	m->st = (flags & H1_MF_RESP) ? S_RS_VER : S_RQ_BEFORE;
}

enum h1_meth h1_meth_id(const char *p, size_t len)
{
	static const struct { const char *s; enum h1_meth id; } tab[] = {
		{ "GET", H1_M_GET }, { "HEAD", H1_M_HEAD }, { "POST", H1_M_POST },
		{ "PUT", H1_M_PUT }, { "DELETE", H1_M_DELETE }, { "OPTIONS", H1_M_OPTIONS },
		{ "CONNECT", H1_M_CONNECT }, { "TRACE", H1_M_TRACE }, { "PATCH", H1_M_PATCH },
	};
	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (strlen(tab[i].s) == len && !memcmp(tab[i].s, p, len))
			return tab[i].id;
	return H1_M_OTHER;
}

const char *h1_err_str(enum h1_err err)
{
	switch (err) {
	case H1_E_NONE:          return "no error";
	case H1_E_METHOD:        return "invalid method";
	case H1_E_URI:           return "invalid character in URI";
	case H1_E_VERSION:       return "invalid HTTP version";
	case H1_E_STATUS:        return "invalid status line";
	case H1_E_HDR_NAME:      return "invalid header name";
	case H1_E_HDR_VALUE:     return "invalid character in header value";
	case H1_E_BARE_CR:       return "CR not followed by LF";
	case H1_E_CLEN:          return "invalid or conflicting Content-Length";
	case H1_E_XFER_ENC:      return "invalid Transfer-Encoding";
	case H1_E_CHUNK:         return "invalid chunk framing";
	case H1_E_TOO_LARGE:     return "headers too large";
	case H1_E_TOO_MANY_HDRS: return "too many headers";
	case H1_E_FOLD_START:    return "folded line without a header";
	case H1_E_TRAILER:       return "invalid trailer";
	}
	return "unknown error";
}

/* Returns 1 if the <len> name bytes at <n> are <s> (lowercase letters and
 * '-') in any case. Exact for token bytes: c | 0x20 gives a lowercase
 * letter only from that letter or its capital, and '-' only from '-' or
 * CR, which is no token byte. */
static inline int name_is(const char *n, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (((unsigned char)n[i] | 0x20) != (unsigned char)s[i])
			return 0;
	return 1;
}

/* Returns the KH_* of the header named by the <len> bytes at <n> (any case). */
static int kh_of(const char *n, size_t len)
{
	switch (len) {
	case 4:  return name_is(n, "host", 4) ? KH_HOST : KH_NONE;
	case 6:  return name_is(n, "expect", 6) ? KH_EXPECT : KH_NONE;
	case 7:  return name_is(n, "upgrade", 7) ? KH_UPGRADE : KH_NONE;
	case 10: return name_is(n, "connection", 10) ? KH_CONN : KH_NONE;
	case 14: return name_is(n, "content-length", 14) ? KH_CLEN : KH_NONE;
	case 17: return name_is(n, "transfer-encoding", 17) ? KH_TE : KH_NONE;
	}
	return KH_NONE;
}

/* Returns the index of the first CR or LF in <p>[<j>, <lim>), or <lim>.
 * Eight bytes per step: header values are the bulk of a message head. */
static inline size_t scan_eol(const char *p, size_t j, size_t lim)
{
	const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;

	while (lim - j >= 8) {
		uint64_t x, a, b;

		memcpy(&x, p + j, 8);
		a = x ^ (ones * '\r');
		b = x ^ (ones * '\n');
		if (((a - ones) & ~a & highs) | ((b - ones) & ~b & highs))
			break;      /* one of these 8 bytes (or a false hit after one) */
		j += 8;
	}
	while (j < lim && p[j] != '\r' && p[j] != '\n')
		j++;
	return j;
}

static inline int tok_is(const struct h1_msg *m, const char *s, uint8_t len)
{
	return m->tok_len == len && !memcmp(m->tok, s, len);
}

/* Interprets one comma-delimited token of a known header's value.
 * Returns 0 or an h1_err. */
static int h1_value_token(struct h1_msg *m)
{
	switch (m->kh) {
	case KH_CLEN: {
		uint64_t v = 0;

		if (m->tok_len == 0 || m->tok_len == TOK_BAD)
			return H1_E_CLEN;
		for (uint8_t i = 0; i < m->tok_len; i++) {
			if (m->tok[i] < '0' || m->tok[i] > '9' || v > (UINT64_MAX - 9) / 10)
				return H1_E_CLEN;
			v = v * 10 + (uint64_t)(m->tok[i] - '0');
		}
		if ((m->flags & H1_MF_CLEN) && v != m->body_len)
			return H1_E_CLEN;
		m->flags |= H1_MF_CLEN;
		m->body_len = v;
		return 0;
	}
	case KH_TE:
		if (m->tok_len == 0)
			return 0;               /* empty list element: ignored, as RFC 9110 allows */
		m->flags |= H1_MF_XFER_ENC;
		if (!tok_is(m, "chunked", 7))
			m->flags |= H1_MF_TE_OTHER;
		if (tok_is(m, "chunked", 7)) {
			if (m->flags & H1_MF_CHNK)
				return H1_E_XFER_ENC;   /* chunked applied twice */
			m->flags |= H1_MF_CHNK;
		} else if (m->flags & H1_MF_CHNK) {
			/* chunked is not the final coding */
			if (!(m->flags & H1_MF_RESP))
				return H1_E_XFER_ENC;
			m->flags &= ~H1_MF_CHNK;
		}
		return 0;
	case KH_CONN:
		if (tok_is(m, "close", 5))
			m->flags |= H1_MF_CONN_CLOSE;
		else if (tok_is(m, "keep-alive", 10))
			m->flags |= H1_MF_CONN_KAL;
		else if (tok_is(m, "upgrade", 7))
			m->flags |= H1_MF_CONN_UPG;
		return 0;
	case KH_EXPECT:
		if (tok_is(m, "100-continue", 12))
			m->flags |= H1_MF_EXPECT_100;
		return 0;
	}
	return 0;
}

/* Feeds one value byte to the token scanner of a known header. */
static inline int h1_value_byte(struct h1_msg *m, unsigned char c)
{
	if (c == ',' && m->kh != KH_HOST && m->kh != KH_UPGRADE) {
		int err = h1_value_token(m);

		m->tok_len = 0;
		m->ws = 0;
		return err;
	}
	if (is_blank(c)) {
		if (m->tok_len)
			m->ws = 1;
		return 0;
	}
	if (m->tok_len == TOK_BAD)
		return 0;
	if (m->ws || m->tok_len >= sizeof(m->tok)) {
		m->tok_len = TOK_BAD;
		return 0;
	}
	m->tok[m->tok_len++] = (char)lower(c);
	return 0;
}

/* A header line ended: records it and finishes its value's last token. */
static int h1_header_done(struct h1_msg *m)
{
	struct h1_hdr *h;

	if (m->kh == KH_CLEN || m->kh == KH_TE || m->kh == KH_CONN || m->kh == KH_EXPECT) {
		int err;

		if (m->kh == KH_CLEN && m->tok_len == 0 && m->val_end == 0)
			return H1_E_CLEN;       /* "Content-Length:" with no value */
		if (m->kh == KH_TE && !(m->flags & H1_MF_XFER_ENC) && m->tok_len == 0)
			return H1_E_XFER_ENC;   /* empty Transfer-Encoding */
		err = h1_value_token(m);
		if (err)
			return err;
	} else if (m->kh == KH_HOST) {
		if (m->flags & H1_MF_HOST)
			m->flags |= H1_MF_MULTI_HOST;
		m->flags |= H1_MF_HOST;
	} else if (m->kh == KH_UPGRADE) {
		m->flags |= H1_MF_UPGRADE;
	}
	if (m->nb_hdrs >= m->max_hdrs)
		return H1_E_TOO_MANY_HDRS;
	h = &m->hdrs[m->nb_hdrs++];
	h->v.off = m->val_end ? m->mark : 0;
	h->v.len = m->val_end ? m->val_end - m->mark : 0;
	return 0;
}

/* The blank line ending the headers was consumed: decides how the body is
 * delimited. Returns 0 or an h1_err. */
static int h1_headers_done(struct h1_msg *m)
{
	m->hdr_len = m->pos;
	if (m->flags & H1_MF_RESP) {
		if ((m->flags & H1_MF_HEAD) || (m->status >= 100 && m->status < 200) || m->status == 204 ||
		    m->status == 304) {
			m->flags |= H1_MF_NO_BODY;
			goto done;
		}
		if (m->flags & H1_MF_XFER_ENC) {
			if (m->flags & H1_MF_CLEN)
				m->flags |= H1_MF_CL_TE;
			if (!(m->flags & H1_MF_CHNK)) {
				m->flags |= H1_MF_CLOSE_DELIM;
				m->st = S_B_CLOSE;
				m->phase = H1_P_BODY;
				return 0;
			}
		} else if (!(m->flags & H1_MF_CLEN)) {
			m->flags |= H1_MF_CLOSE_DELIM;
			m->st = S_B_CLOSE;
			m->phase = H1_P_BODY;
			return 0;
		}
	} else if (m->flags & H1_MF_XFER_ENC) {
		if (!(m->flags & H1_MF_CHNK))
			return H1_E_XFER_ENC;
		if (m->flags & H1_MF_CLEN)
			m->flags |= H1_MF_CL_TE;
	} else if (!(m->flags & H1_MF_CLEN) || m->body_len == 0) {
		m->flags |= H1_MF_NO_BODY;
		goto done;
	}

	m->phase = H1_P_BODY;
	if (m->flags & H1_MF_CHNK) {
		m->st = S_C_SIZE;
		m->acc = 0;
		m->tok_len = 0;
	} else if (m->body_len == 0) {
		goto done;
	} else {
		m->st = S_B_CL;
		m->remain = m->body_len;
	}
	return 0;
done:
	m->phase = H1_P_DONE;
	m->st = S_DONE;
	return 0;
}

/* Validates the version span "HTTP/x.y" held in <p> (the caller's piece
 * may not hold it whole, so it was copied in tok[]). */
static int h1_version_ok(struct h1_msg *m)
{
	if (m->tok_len != 8 || memcmp(m->tok, "HTTP/", 5) || m->tok[5] < '0' || m->tok[5] > '9' ||
	    m->tok[6] != '.' || m->tok[7] < '0' || m->tok[7] > '9')
		return 0;
	m->ver_major = (uint8_t)(m->tok[5] - '0');
	m->ver_minor = (uint8_t)(m->tok[7] - '0');
	if (m->ver_major > 1 || (m->ver_major == 1 && m->ver_minor >= 1))
		m->flags |= H1_MF_VER_11;
	return 1;
}

/* Returns 1 if <c> may appear in a request's version token ("HTTP/1.1"). */
static inline int is_ver_char(unsigned char c)
{
	return (c >= '0' && c <= '9') || c == '.' || c == '/' || c == 'H' || c == 'T' || c == 'P';
}

/* Appends <c> to tok[] as is (the version is case-sensitive), marking overflow. */
static inline void tok_add_raw(struct h1_msg *m, unsigned char c)
{
	if (m->tok_len == TOK_BAD)
		return;
	if (m->tok_len >= sizeof(m->tok)) {
		m->tok_len = TOK_BAD;
		return;
	}
	m->tok[m->tok_len++] = (char)c;
}

/* Appends <c> to tok[] (lowercased), marking overflow. */
static inline void tok_add(struct h1_msg *m, unsigned char c)
{
	if (m->tok_len == TOK_BAD)
		return;
	if (m->tok_len >= sizeof(m->tok)) {
		m->tok_len = TOK_BAD;
		return;
	}
	m->tok[m->tok_len++] = (char)lower(c);
}

/* Appends to tok[] the bytes of the header name being read that lie in the
 * current piece <p>, up to <end>: a name split across pieces is matched
 * from tok[], a whole one in place. */
static void name_spill(struct h1_msg *m, const char *p, size_t end)
{
	uint32_t off = m->hdrs[m->nb_hdrs].n.off;

	for (size_t j = off > m->pos ? off - m->pos : 0; j < end; j++)
		tok_add(m, (unsigned char)p[j]);
}

/* The request line (or status line) ended with the byte at <pos>. */
static int h1_start_line_done(struct h1_msg *m, uint32_t pos)
{
	if (m->flags & H1_MF_RESP) {
		if (m->st == S_RS_REASON)
			m->reason.len = pos - m->reason.off;
		return 0;
	}
	m->ver.len = pos - m->ver.off;
	if (!h1_version_ok(m))
		return H1_E_VERSION;
	return 0;
}

/* Returns where a bulk scan of the current piece (<len> bytes) must stop:
 * its end, or the byte that reaches max_hdr_len (the loop then fails). */
static inline size_t scan_limit(const struct h1_msg *m, size_t len)
{
	uint32_t room = m->max_hdr_len - m->pos;   /* > 0: the loop checked pos < max_hdr_len */

	return room < len ? room : len;
}

static int h1_fail(struct h1_msg *m, int err, uint32_t pos)
{
	m->phase = H1_P_ERROR;
	m->st = S_ERR;
	m->err = (uint8_t)err;
	m->err_pos = pos;
	return H1_ERR;
}

int h1_parse(struct h1_msg *m, const char *p, size_t len)
{
	size_t i = 0;
	int err;

	while (i < len) {
		unsigned char c = (unsigned char)p[i];
		uint32_t pos = m->pos + (uint32_t)i;

		if (m->phase < H1_P_BODY && pos >= m->max_hdr_len)
			return h1_fail(m, H1_E_TOO_LARGE, pos);

		switch (m->st) {
		/* ---- request line ---- */
		case S_RQ_BEFORE:
			if (c == '\r' || c == '\n')
				break;          /* empty lines before a request are ignored */
			m->st = S_RQ_METH;
			m->meth.off = pos;
			/* fall through */
		case S_RQ_METH:
			if (h1_cls[c] & C_TCHAR) {
				size_t j = i + 1, lim = scan_limit(m, len);

				while (j < lim && (h1_cls[(unsigned char)p[j]] & C_TCHAR))
					j++;
				i = j;
				continue;
			}
			if (!is_blank(c) || pos == m->meth.off)
				return h1_fail(m, H1_E_METHOD, pos);   /* a tab separates too, as HAProxy */
			m->meth.len = pos - m->meth.off;
			m->st = S_RQ_METH_SP;
			break;
		case S_RQ_METH_SP:
			if (is_blank(c))
				break;
			if (!(h1_cls[c] & C_URI))
				return h1_fail(m, H1_E_URI, pos);
			m->uri.off = pos;
			m->st = S_RQ_URI;
			break;
		case S_RQ_URI:
			if (h1_cls[c] & C_URI) {
				size_t j = i, lim = scan_limit(m, len);

				while (j < lim && (h1_cls[(unsigned char)p[j]] & C_URI))
					j++;
				i = j;
				continue;
			}
			if (!is_blank(c))
				return h1_fail(m, (c == '\r' || c == '\n') ? H1_E_VERSION : H1_E_URI, pos);
			m->uri.len = pos - m->uri.off;
			m->st = S_RQ_URI_SP;
			break;
		case S_RQ_URI_SP:
			if (is_blank(c))
				break;
			m->ver.off = pos;
			m->tok_len = 0;
			m->st = S_RQ_VER;
			/* fall through */
		case S_RQ_VER:
			if (c == '\r' || c == '\n') {
				if ((err = h1_start_line_done(m, pos)))
					return h1_fail(m, err, m->ver.off);
				if (c == '\n') {
					m->flags |= H1_MF_BARE_LF;
					m->st = S_H_LINE;
					m->phase = H1_P_HEADERS;
				} else {
					m->st = S_LINE_CR;
				}
				break;
			}
			{
				size_t j = i, lim = scan_limit(m, len);

				/* as HAProxy, a byte that cannot be in "HTTP/x.y"
				 * fails the request at once, before its line ends */
				for (; j < lim && p[j] != '\r' && p[j] != '\n'; j++) {
					if (!is_ver_char((unsigned char)p[j]))
						return h1_fail(m, H1_E_VERSION, m->ver.off);
					tok_add_raw(m, (unsigned char)p[j]);
				}
				i = j;
				continue;
			}
		case S_LINE_CR:
			if (c != '\n')
				return h1_fail(m, H1_E_BARE_CR, pos);
			m->st = S_H_LINE;
			m->phase = H1_P_HEADERS;
			break;

		/* ---- status line ---- */
		case S_RS_VER:
			if (c == ' ') {
				if (!h1_version_ok(m))
					return h1_fail(m, H1_E_VERSION, m->ver.off);
				m->ver.len = pos - m->ver.off;
				m->st = S_RS_VER_SP;
				break;
			}
			/* "HTTP/x.y" is 8 bytes: a line end or a longer word
			 * before the space is not a status line */
			if (c == '\r' || c == '\n' || m->tok_len >= 8)
				return h1_fail(m, H1_E_VERSION, pos);
			tok_add_raw(m, c);   /* ver.off is 0: a response starts with it */
			break;
		case S_RS_VER_SP:
			if (c == ' ')
				break;
			m->code.off = pos;
			m->status = 0;
			m->st = S_RS_CODE;
			/* fall through */
		case S_RS_CODE:
			/* any number of digits, as HAProxy forwards "20" or "2000"
			 * (the value is kept modulo 65536, as its 16 bits do) */
			if (c >= '0' && c <= '9') {
				m->status = (uint16_t)(m->status * 10 + (c - '0'));
				break;
			}
			if (pos == m->code.off || (c != ' ' && c != '\r' && c != '\n'))
				return h1_fail(m, H1_E_STATUS, pos);
			m->code.len = pos - m->code.off;
			if (c == ' ') {
				m->st = S_RS_CODE_SP;
				break;
			}
			m->reason.off = pos;
			goto status_line_end;
		case S_RS_CODE_SP:
			if (c == ' ')
				break;          /* blanks before the reason are not part of it */
			m->reason.off = pos;
			m->st = S_RS_REASON;
			/* fall through */
		case S_RS_REASON:
			if (c != '\r' && c != '\n') {
				/* any other byte, control ones included, as HAProxy */
				i = scan_eol(p, i, scan_limit(m, len));
				continue;
			}
			h1_start_line_done(m, pos);
		status_line_end:
			if (c == '\n') {
				m->flags |= H1_MF_BARE_LF;
				m->st = S_H_LINE;
				m->phase = H1_P_HEADERS;
			} else {
				m->st = S_LINE_CR;
			}
			break;

		/* ---- headers ---- */
		case S_H_LINE:
			if (c == '\r') {
				m->st = S_H_END_CR;
				break;
			}
			if (c == '\n') {
				m->flags |= H1_MF_BARE_LF;
				i++;
				goto headers_end;
			}
			if (is_blank(c)) {
				/* obs-fold: the previous value goes on; the caller
				 * decides whether to accept it (H1_MF_OBS_FOLD). */
				if (!m->nb_hdrs)
					return h1_fail(m, H1_E_FOLD_START, pos);
				m->nb_hdrs--;
				m->flags |= H1_MF_OBS_FOLD;
				m->kh = KH_NONE;        /* a folded known header is not interpreted */
				m->st = S_H_VAL;
				break;
			}
			if (!(h1_cls[c] & C_TCHAR))
				return h1_fail(m, H1_E_HDR_NAME, pos);
			if (m->nb_hdrs >= m->max_hdrs)
				return h1_fail(m, H1_E_TOO_MANY_HDRS, pos);
			m->hdrs[m->nb_hdrs].n.off = pos;
			m->tok_len = 0;         /* the name's bytes of earlier pieces (name_spill) */
			m->st = S_H_NAME;       /* <c> is the name's first byte */
			/* fall through */
		case S_H_NAME:
			if (h1_cls[c] & C_TCHAR) {
				size_t j = i, lim = scan_limit(m, len);

				while (j < lim && (h1_cls[(unsigned char)p[j]] & C_TCHAR))
					j++;
				i = j;
				continue;
			}
			if (c != ':')
				return h1_fail(m, H1_E_HDR_NAME, pos);
			m->hdrs[m->nb_hdrs].n.len = pos - m->hdrs[m->nb_hdrs].n.off;
			if (m->hdrs[m->nb_hdrs].n.off >= m->pos) {
				/* the whole name is in this piece: read in place */
				m->kh = (uint8_t)kh_of(p + (m->hdrs[m->nb_hdrs].n.off - m->pos),
				                       m->hdrs[m->nb_hdrs].n.len);
			} else {
				name_spill(m, p, i);
				m->kh = (m->tok_len == TOK_BAD) ? KH_NONE : (uint8_t)kh_of(m->tok, m->tok_len);
			}
			m->tok_len = 0;
			m->ws = 0;
			m->val_end = 0;
			m->st = S_H_LWS;
			{
				/* the blanks after the colon, without a turn each */
				size_t j = i + 1, lim = scan_limit(m, len);

				while (j < lim && is_blank((unsigned char)p[j]))
					j++;
				i = j;
				continue;
			}
		case S_H_LWS:
			if (is_blank(c))
				break;
			m->mark = pos;
			m->st = S_H_VAL;
			/* fall through */
		case S_H_VAL:
			if (c != '\r' && c != '\n') {
				/* the value in one loop, to the line end (or the
				 * size limit, checked above at the next turn) */
				size_t j, lim = scan_limit(m, len);

				if (!m->kh) {
					/* a value nobody interprets: its end only */
					size_t k = j = scan_eol(p, i, lim);

					while (k > i && is_blank((unsigned char)p[k - 1]))
						k--;
					if (k > i)
						m->val_end = m->pos + (uint32_t)k;
				} else {
					/* each byte to the token scanner */
					for (j = i; j < lim && p[j] != '\r' && p[j] != '\n'; j++) {
						unsigned char b = (unsigned char)p[j];

						/* any byte but CR and LF is accepted in a
						 * value, control characters and NUL
						 * included, as HAProxy does */
						if (!is_blank(b))
							m->val_end = m->pos + (uint32_t)j + 1;
						if ((err = h1_value_byte(m, b)))
							return h1_fail(m, err, m->pos + (uint32_t)j);
					}
				}
				if (j + 1 < lim && p[j] == '\r' && p[j + 1] == '\n') {
					/* its CRLF is here too: the header is done
					 * without two more turns */
					if ((err = h1_header_done(m)))
						return h1_fail(m, err, m->pos + (uint32_t)j + 1);
					m->st = S_H_LINE;
					j += 2;
				}
				i = j;
				continue;
			}
			if (c == '\r') {
				m->st = S_H_VAL_CR;
				break;
			}
			m->flags |= H1_MF_BARE_LF;
			goto header_line_end;
		case S_H_VAL_CR:
			if (c != '\n')
				return h1_fail(m, H1_E_BARE_CR, pos);
		header_line_end:
			if ((err = h1_header_done(m)))
				return h1_fail(m, err, pos);
			m->st = S_H_LINE;
			break;
		case S_H_END_CR:
			if (c != '\n')
				return h1_fail(m, H1_E_BARE_CR, pos);
			i++;
		headers_end:
			m->pos += (uint32_t)i;
			if ((err = h1_headers_done(m)))
				return h1_fail(m, err, m->pos - 1);
			return (int)i;

		/* ---- bodies ---- */
		case S_B_CL: {
			size_t n = len - i;

			if (n > m->remain)
				n = (size_t)m->remain;
			m->remain -= n;
			i += n;
			if (!m->remain) {
				m->phase = H1_P_DONE;
				m->st = S_DONE;
				m->pos += (uint32_t)i;
				return (int)i;
			}
			continue;
		}
		case S_B_CLOSE:
			i = len;
			continue;
		case S_C_SIZE:
			if (h1_cls[c] & C_HEX) {
				if (m->acc >> 56)
					return h1_fail(m, H1_E_CHUNK, pos);
				m->acc = m->acc * 16 + (uint64_t)((c <= '9') ? c - '0' : lower(c) - 'a' + 10);
				m->tok_len = 1;         /* at least one digit seen */
				break;
			}
			if (!m->tok_len)
				return h1_fail(m, H1_E_CHUNK, pos);
			m->st = S_C_SIZE_WS;
			/* fall through */
		case S_C_SIZE_WS:
			if (is_blank(c))
				break;
			if (c == ';') {
				m->st = S_C_EXT;
				break;
			}
			/* fall through */
		case S_C_EXT:
			if (c == '\r') {
				m->st = S_C_SIZE_CR;
				break;
			}
			if (c != '\n') {
				if (m->st != S_C_EXT || (!(h1_cls[c] & C_VAL) && !is_blank(c)))
					return h1_fail(m, H1_E_CHUNK, pos);
				break;
			}
			/* fall through */
		case S_C_SIZE_CR:
			if (c != '\n')
				return h1_fail(m, H1_E_CHUNK, pos);
			if (m->acc == 0) {
				m->phase = H1_P_TRAILERS;
				m->st = S_T_LINE;
			} else {
				m->remain = m->acc;
				m->st = S_C_DATA;
			}
			break;
		case S_C_DATA: {
			size_t n = len - i;

			if (n > m->remain)
				n = (size_t)m->remain;
			m->remain -= n;
			i += n;
			if (!m->remain)
				m->st = S_C_DATA_CR;
			continue;
		}
		case S_C_DATA_CR:
			if (c == '\n')
				goto chunk_next;
			if (c != '\r')
				return h1_fail(m, H1_E_CHUNK, pos);
			m->st = S_C_DATA_LF;
			break;
		case S_C_DATA_LF:
			if (c != '\n')
				return h1_fail(m, H1_E_CHUNK, pos);
		chunk_next:
			m->acc = 0;
			m->tok_len = 0;
			m->st = S_C_SIZE;
			break;

		/* ---- trailers (validated, not recorded) ---- */
		case S_T_LINE:
			if (c == '\r') {
				m->st = S_T_END_CR;
				break;
			}
			if (c == '\n') {
				i++;
				goto message_end;
			}
			if (!(h1_cls[c] & C_TCHAR))
				return h1_fail(m, H1_E_TRAILER, pos);
			m->st = S_T_NAME;
			break;
		case S_T_NAME:
			/* a trailer is "name: value", as a header */
			if (h1_cls[c] & C_TCHAR)
				break;
			if (c != ':')
				return h1_fail(m, H1_E_TRAILER, pos);
			m->st = S_T_SKIP;
			break;
		case S_T_SKIP:
			if (c == '\r')
				m->st = S_T_CR;
			else if (c == '\n')
				m->st = S_T_LINE;
			else if (!(h1_cls[c] & C_VAL) && !is_blank(c) && c != ':')
				return h1_fail(m, H1_E_TRAILER, pos);
			break;
		case S_T_CR:
			if (c != '\n')
				return h1_fail(m, H1_E_BARE_CR, pos);
			m->st = S_T_LINE;
			break;
		case S_T_END_CR:
			if (c != '\n')
				return h1_fail(m, H1_E_BARE_CR, pos);
			i++;
		message_end:
			m->phase = H1_P_DONE;
			m->st = S_DONE;
			m->pos += (uint32_t)i;
			return (int)i;

		case S_DONE:
			m->pos += (uint32_t)i;
			return (int)i;
		default:
			return h1_fail(m, m->err ? m->err : H1_E_CHUNK, pos);
		}
		i++;
	}
	if (m->st == S_H_NAME)
		name_spill(m, p, i);    /* the name goes on in the next piece */
	m->pos += (uint32_t)i;
	return (int)i;
}
