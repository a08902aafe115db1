/* h1.h: a resumable HTTP/1.0 and 1.1 message parser with no I/O and no
 * allocation. It is fed the message's bytes in as many pieces as the
 * channel holds segments, and records every span (method, URI, header name
 * and value...) as an offset from the start of the message, so a header
 * block split across segments needs no copy: callers read a span back with
 * chan_copy_in() or directly when it lies in one segment.
 *
 * Policy (what to do with a message carrying both Content-Length and
 * Transfer-Encoding, obs-fold...) is the caller's: the parser reports such
 * shapes in <flags> and fails only on what no HTTP/1 peer may send. */
#ifndef RP_H1_H
#define RP_H1_H

#include <stddef.h>
#include <stdint.h>

#define H1_ERR   (-1)

/* A span of the message: <off> bytes from its first byte, <len> long. */
struct h1_span {
	uint32_t off, len;
};

struct h1_hdr {
	struct h1_span n, v;        /* value without leading and trailing blanks */
};

enum h1_meth { H1_M_OTHER = 0, H1_M_GET, H1_M_HEAD, H1_M_POST, H1_M_PUT, H1_M_DELETE,
               H1_M_OPTIONS, H1_M_CONNECT, H1_M_TRACE, H1_M_PATCH };

/* Message flags: H1_MF_RESP and H1_MF_HEAD are set by the caller before the
 * first byte, every other one by the parser. */
#define H1_MF_RESP        0x00000001  /* parse a response */
#define H1_MF_HEAD        0x00000002  /* (response) the request was HEAD: no body */
#define H1_MF_VER_11      0x00000004  /* HTTP/1.1 or above */
#define H1_MF_CLEN        0x00000008  /* Content-Length seen (body_len holds it) */
#define H1_MF_XFER_ENC    0x00000010  /* Transfer-Encoding seen */
#define H1_MF_CHNK        0x00000020  /* chunked is the final transfer coding */
#define H1_MF_CL_TE       0x00000040  /* both Content-Length and Transfer-Encoding */
#define H1_MF_CONN_CLOSE  0x00000080  /* Connection: close */
#define H1_MF_CONN_KAL    0x00000100  /* Connection: keep-alive */
#define H1_MF_CONN_UPG    0x00000200  /* Connection: upgrade */
#define H1_MF_UPGRADE     0x00000400  /* an Upgrade header is present */
#define H1_MF_EXPECT_100  0x00000800  /* Expect: 100-continue */
#define H1_MF_HOST        0x00001000  /* a Host header is present */
#define H1_MF_OBS_FOLD    0x00002000  /* a header value was folded (obs-fold) */
#define H1_MF_NO_BODY     0x00004000  /* the message has no body (HEAD, 1xx, 204, 304, no CL/TE request) */
#define H1_MF_CLOSE_DELIM 0x00008000  /* response body ends when the server closes */
#define H1_MF_BARE_LF     0x00010000  /* a line ended with LF alone */
#define H1_MF_MULTI_HOST  0x00020000  /* several Host headers */
#define H1_MF_TE_OTHER    0x00040000  /* Transfer-Encoding names a coding other than chunked */

/* Why parsing failed (h1_msg.err). */
enum h1_err {
	H1_E_NONE = 0, H1_E_METHOD, H1_E_URI, H1_E_VERSION, H1_E_STATUS, H1_E_HDR_NAME,
	H1_E_HDR_VALUE, H1_E_BARE_CR, H1_E_CLEN, H1_E_XFER_ENC, H1_E_CHUNK, H1_E_TOO_LARGE,
	H1_E_TOO_MANY_HDRS, H1_E_FOLD_START, H1_E_TRAILER,
};

/* Parser phases (h1_msg.phase), in the order a message goes through them. */
enum h1_phase { H1_P_START = 0, H1_P_HEADERS, H1_P_BODY, H1_P_TRAILERS, H1_P_DONE, H1_P_ERROR };

struct h1_msg {
	/* set by the caller (h1_init) */
	struct h1_hdr *hdrs;        /* where header spans go */
	uint16_t max_hdrs;
	uint32_t max_hdr_len;       /* start line + headers may not exceed this */
	/* results */
	uint32_t flags;             /* H1_MF_* */
	uint8_t phase;              /* enum h1_phase */
	uint8_t err;                /* enum h1_err when phase == H1_P_ERROR */
	uint16_t nb_hdrs;
	uint32_t pos;               /* bytes consumed since the message start */
	uint32_t err_pos;           /* offset of the offending byte */
	uint32_t hdr_len;           /* start line + headers + blank line, once known */
	struct h1_span meth, uri, ver;        /* request line */
	struct h1_span code, reason;          /* status line (ver above) */
	enum h1_meth meth_id;
	uint16_t status;
	uint8_t ver_major, ver_minor;
	uint64_t body_len;          /* Content-Length when H1_MF_CLEN */
	uint64_t remain;            /* body or chunk bytes still to come */
	/* private scanner state */
	uint8_t st;                 /* fine-grained state */
	uint8_t kh;                 /* known header being read */
	uint8_t tok_len;            /* bytes in tok[], 255 when a token overflowed */
	uint8_t ws;                 /* pending blanks in a value */
	uint32_t mark;              /* start offset of the token being scanned */
	uint32_t val_end;           /* end of the value's last non-blank byte */
	uint64_t acc;               /* number being accumulated (chunk size) */
	char tok[24];               /* lowercase copy of a header name or value token */
};

/* Prepares <m> to parse one message. <flags> may hold H1_MF_RESP and
 * H1_MF_HEAD. Header spans go to <hdrs> (at most <max_hdrs>). */
void h1_init(struct h1_msg *m, uint32_t flags, struct h1_hdr *hdrs, uint16_t max_hdrs,
             uint32_t max_hdr_len);

/* Feeds the next <len> bytes of the message. Returns the number of bytes
 * consumed, or H1_ERR with m->err and m->err_pos set. It consumes less
 * than <len> only at two places: right after the blank line ending the
 * headers (phase becomes H1_P_BODY, or H1_P_DONE for a bodyless message),
 * so that the caller can analyse the headers before any body byte, and at
 * the end of the message (H1_P_DONE): the rest belongs to the next one.
 * Body bytes of a Content-Length or chunk are skipped without being read. */
int h1_parse(struct h1_msg *m, const char *p, size_t len);

/* Returns the method named by the <len> bytes at <p>. */
enum h1_meth h1_meth_id(const char *p, size_t len);
/* Returns a short English reason for <err>. */
const char *h1_err_str(enum h1_err err);

#endif
