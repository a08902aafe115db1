/* http.h: the HTTP/1 message layer over a channel — parsing with HAProxy's
 * policy, accessors (start line, headers, cookies, query parameters) and
 * editors (header and start-line rewrites) for rules, fetches and Lua.
 * No I/O here: the stream feeds the channel and calls http_msg_parse().
 *
 * A message starts at the first byte of its channel's input part and its
 * headers stay there until the stream forwards them (after the rules ran):
 * every span is an offset from that byte (see proto/h1.h), so a header
 * block split across segments is never copied. An edit writes in place
 * when its bytes are no longer than those it replaces, else splices a new
 * segment with chan_replace_in(); either way the spans after it shift, so
 * the message stays consistent for further lookups and edits. */
#ifndef RP_HTTP_H
#define RP_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "proto/h1.h"
#include "engine/chan.h"

struct rx;

/* Header slots per message, as HAProxy's default tune.http.maxhdr: the
 * parser accepts 100 (HAProxy answers 400 from the 101st), edits may add one. */
#define HTTP_MAX_HDRS 101

/* http_msg_parse() results */
#define HTTP_PARSE_DONE   1    /* headers complete, policy applied: rules may run */
#define HTTP_PARSE_AGAIN  0    /* need more bytes */
#define HTTP_PARSE_ERR   -1    /* bad message: msg->err_status says what to answer */

/* http_msg state (msg->state) */
enum http_msg_state { HTTP_MSG_HDRS = 0, HTTP_MSG_BODY, HTTP_MSG_DONE, HTTP_MSG_ERROR };

/* One direction of a transaction. Invariant while state >= HTTP_MSG_BODY:
 * h1.hdr_len bytes at the start of chan's input part hold the start line
 * and headers, and every span in h1 (meth, uri, ver, code, reason, hdrs[])
 * lies inside them; header i+1 starts where header i's line ends. */
struct http_msg {
	struct h1_msg h1;                    /* parser state and spans */
	struct h1_hdr hdrs[HTTP_MAX_HDRS];
	struct chan *chan;                   /* holds the message (not owned) */
	uint8_t state;                       /* enum http_msg_state */
	uint8_t is_resp;
	uint8_t ro;                          /* read-only: check, never normalise (TCP-mode fetches) */
	uint16_t err_status;                 /* on error: 400 (422 for a request Transfer-Encoding
	                                      * with codings besides chunked) or 502 (response) */
	uint32_t max_hdr_len;                /* tune.bufsize - tune.maxrewrite */
	uint32_t body_fed;                   /* body bytes given to the parser (http_msg_body_parse) */
	uint32_t fwd;                        /* bytes of this message forwarded (left the input part) */
};

/* Bytes of the request line kept for the log (%r, %HM, %HU, %HV), as
 * HAProxy's default tune.http.logurilen. */
#define HTTP_REQ_LINE_MAX 1024

/* Per-transaction state: what stream.h's <void *http> points to. Owned by
 * the stream (pooled by the stream code), initialised by http_txn_init(). */
struct http_txn {
	struct http_msg req, rsp;
	uint16_t status;                     /* status sent to the client, 0 until known (%ST) */
	uint32_t flags;                      /* HTTP_TXN_* */
	uint8_t uid_len;                     /* unique_id.c: the request's id in <uid>, 0 = not built */
	char uid[128];
	char ck_req, ck_res;                 /* persistence cookie's fate for %tsc, 0 = '-' (http_cookie.c) */
	/* the request line as received, before any rewrite (http_txn_capture()) */
	uint16_t rl_len, rl_meth, rl_uri_off, rl_uri_len, rl_ver_off;
	char rl[HTTP_REQ_LINE_MAX];
};
#define HTTP_TXN_REQ_PARSED  0x0001      /* the request line was captured (http_txn_capture()) */
#define HTTP_TXN_BADREQ      0x0004      /* the request was invalid: logs show "<BADREQ>" */
#define HTTP_TXN_NOT_FIRST   0x0008      /* set by the stream: not the connection's first request
                                          * (http_first_req) */
#define HTTP_TXN_NOSTRICT    0x0400      /* "strict-mode off": a failed rewrite is ignored (http_rules.c) */
#define HTTP_TXN_CK_IGNORE   0x0200      /* ignore-persist held: no persistence cookie is set (http_cookie.c) */
#define HTTP_TXN_LUA         0x0100      /* lua/: this transaction's Lua TXN data exists; a new
                                          * transaction (flags reset) gets fresh TXN objects */

/* Prepares <msg> for a new message held in <chan>. <is_resp> selects the
 * status-line grammar; <head_req> (responses) says the request was HEAD.
 * <max_hdr_len> bounds start line + headers (0 = 16384 - 1024). */
void http_msg_init(struct http_msg *msg, struct chan *chan, int is_resp, int head_req,
                   uint32_t max_hdr_len);
void http_txn_init(struct http_txn *txn, struct chan *req, struct chan *res, uint32_t max_hdr_len);

/* Keeps a copy of the request line of <txn>'s request (call it when
 * http_msg_parse() returned DONE, before the rules rewrite it), or marks
 * the transaction <BADREQ> when the request failed to parse. A HEAD
 * request also tells the response parser that no body follows. (A 1xx
 * interim response parses as a whole bodyless message: the stream
 * forwards it and re-inits txn->rsp for the final one.) */
void http_txn_capture(struct http_txn *txn);

struct logfmt_http;
/* Fills the HTTP message fields of <h> for the log line — req_line,
 * method, uri, version (pointing into <txn>) and status — as HAProxy
 * prints them ("<BADREQ>" for an invalid request). The timers (Ti, TR,
 * Tr, Ta), captures and cookies are the stream's to fill. */
void http_txn_log_fill(const struct http_txn *txn, struct logfmt_http *h);

/* Feeds the bytes of <msg>'s channel not parsed yet to the parser, up to
 * the end of the headers. Returns HTTP_PARSE_DONE once the headers are
 * complete (then, once only, HAProxy's normalisations are applied: header
 * names are lowercased in place, as HAProxy stores and forwards them; obs-fold
 * becomes spaces, Content-Length is removed when Transfer-Encoding is
 * present, "Content-Length: 3, 3" becomes one value, and a block not in
 * HAProxy's output shape — extra blanks, "name:value", bare LF — is
 * rewritten in it; see docs/architecture.md for what is rejected), HTTP_PARSE_AGAIN, or
 * HTTP_PARSE_ERR (msg->h1.err, msg->err_status). Calling it again after
 * DONE returns DONE. When the channel has shut its read side, incomplete
 * headers are an error (err_status 400/502, h1.err H1_E_NONE). */
int http_msg_parse(struct http_msg *msg);
/* Feeds body bytes received after the headers (those at input offsets
 * from <msg>'s end of parsed data) to the parser, to find the end of the
 * message. Returns HTTP_PARSE_DONE at the end of the message (msg->h1.pos
 * = message length; a close-delimited response ends when its channel has
 * shut its read side and every byte was parsed), HTTP_PARSE_AGAIN, or
 * HTTP_PARSE_ERR (bad chunk). */
int http_msg_body_parse(struct http_msg *msg);
/* The stream moved <n> more bytes of this message to the output part
 * (chan_forward()): http_msg_body_parse() reads from the right place. The
 * accessors and editors need the headers still in the input part. */
void http_msg_fwd(struct http_msg *msg, uint32_t n);
/* Lowercases every header name in place, as HAProxy 2.6 sends them on
 * (it rebuilds HTTP/1 messages from its internal form): http_msg_parse()
 * does it; for names added by edits later. Returns the number of names
 * changed. */
int http_msg_lower_names(struct http_msg *msg);
/* Returns the status to answer for a parse error of <msg>: 400 (or 422)
 * for a request, sent in the HTTP_ERR_MUX shape (http_err.h); 502 for a
 * response. */
static inline int http_msg_err_status(const struct http_msg *msg) { return msg->err_status; }
/* Returns 1 when the message's headers are parsed (accessors usable). */
static inline int http_msg_ready(const struct http_msg *msg) { return msg->state >= HTTP_MSG_BODY && msg->state != HTTP_MSG_ERROR; }
/* Returns the size HAProxy 2.6 gives the head of <m> in its internal form
 * (what its %B and req.len count): 20 bytes for the start line plus its
 * three words, each header's name and value, one byte for the end of
 * headers. */
uint64_t http_msg_htx_head_size(const struct http_msg *m);
/* "option http-restrict-req-hdr-names": returns how many headers of <m>
 * have a name with other characters than letters, digits and '-'; with
 * <del> they are removed. */
int http_msg_restrict_names(struct http_msg *m, int del);

/* ---- reading ----
 * Accessors return a pointer to the bytes, either into a channel segment
 * (the span lies in one) or into <buf> (size <bufsz>) where they were
 * copied; NULL when the part is absent or longer than <bufsz> while split.
 * *<len> receives the length. Pointers stay valid until the channel changes. */
const char *http_span(const struct http_msg *msg, struct h1_span sp, char *buf, size_t bufsz,
                      size_t *len);
const char *http_get_method(const struct http_msg *msg, char *buf, size_t bufsz, size_t *len);
const char *http_get_uri(const struct http_msg *msg, char *buf, size_t bufsz, size_t *len);
const char *http_get_version(const struct http_msg *msg, char *buf, size_t bufsz, size_t *len);
const char *http_get_reason(const struct http_msg *msg, char *buf, size_t bufsz, size_t *len);
/* The start line without its line end ("GET / HTTP/1.1"). */
const char *http_get_start_line(const struct http_msg *msg, char *buf, size_t bufsz, size_t *len);
/* Returns the response status, or 0. */
static inline int http_get_status(const struct http_msg *msg) { return msg->h1.status; }
/* Method as enum (H1_M_OTHER for an unknown or lowercase one). */
enum h1_meth http_get_meth_id(const struct http_msg *msg);

/* Spans of the URI's parts, computed from its bytes as HAProxy does:
 * path: from the first '/' after an absolute-form "scheme://authority"
 * (or the start) up to '?' or the end; query: after the first '?'.
 * Each returns 1 and fills <sp> (offsets from the message start), or 0
 * when the part is absent. */
int http_uri_path(const struct http_msg *msg, struct h1_span *sp);
int http_uri_query(const struct http_msg *msg, struct h1_span *sp);

/* Header iteration by index, 0 .. http_hdr_count()-1 in message order. */
static inline int http_hdr_count(const struct http_msg *msg) { return msg->h1.nb_hdrs; }
const char *http_hdr_name(const struct http_msg *msg, int idx, char *buf, size_t bufsz, size_t *len);
const char *http_hdr_value(const struct http_msg *msg, int idx, char *buf, size_t bufsz, size_t *len);
/* Returns 1 when header <idx>'s name is <name>/<nlen> (case-insensitive). */
int http_hdr_is(const struct http_msg *msg, int idx, const char *name, size_t nlen);
/* Returns the index of the first header at or after <from> named <name>
 * (case-insensitive; <name> NULL = any), or -1. */
int http_hdr_find(const struct http_msg *msg, const char *name, size_t nlen, int from);

/* A header value occurrence: a whole value (full) or one comma-delimited
 * element of it (trimmed, commas inside quoted strings do not split), as
 * HAProxy's fhdr() and hdr() see them. */
struct http_val {
	int hdr;                  /* header index */
	struct h1_span v;         /* the occurrence, offsets from the message start */
};
/* Returns the number of occurrences of <name> (NULL = every header) and,
 * when <occ> != 0 and <out> != NULL, stores the <occ>-th one in <out>
 * (1 = first, -1 = last, -2 = the one before...). Returns the count; the
 * caller compares it with |occ| to know whether <out> was filled. */
int http_val_find(const struct http_msg *msg, const char *name, size_t nlen, int full, int occ,
                  struct http_val *out);
/* Iterates occurrences: starts with it->hdr = -1; returns 1 with the next
 * occurrence in <it> or 0 at the end. */
int http_val_next(const struct http_msg *msg, const char *name, size_t nlen, int full,
                  struct http_val *it);

/* Cookies: the pairs "name=value" of "Cookie" (request) or "Set-Cookie"
 * (response) headers, separated by ';' or ',' (as HAProxy 2.6, attributes
 * such as "Path=/" count as pairs); a name is matched case-sensitively.
 * Returns the number of cookies named <name> (<name> NULL = every cookie)
 * and stores the <occ>-th (as http_val_find; HAProxy's cook() uses -1, and 1
 * with no name) value span in <out>. */
int http_cookie_find(const struct http_msg *msg, const char *name, size_t nlen, int occ,
                     struct h1_span *out);

/* Finds parameter <name> (NULL = the first one) in the query string of the
 * URI (<delim> separates parameters, '&' usually; ';' too when '&').
 * Returns 1 and fills <out> with the value span, or 0. */
int http_url_param(const struct http_msg *msg, const char *name, size_t nlen, char delim,
                   struct h1_span *out);

/* ---- editing ----
 * Each edit is one rewrite of the header block (in place when the new
 * bytes are no longer than the old ones, else chan_replace_in()) and
 * returns 0, -EINVAL (bad index, headers not parsed or already forwarded),
 * -ENOSPC (beyond tune.maxrewrite, or too many headers) or -ENOMEM.
 * Header indexes after a deleted one move down by one. Names added are
 * lowercased, as HAProxy stores them. */
/* Appends "<name>: <value>" at the end of the headers. */
int http_hdr_add(struct http_msg *msg, const char *name, size_t nlen, const char *val, size_t vlen);
/* Deletes header <idx>, its whole line. */
int http_hdr_del_idx(struct http_msg *msg, int idx);
/* Deletes every header named <name>. Returns the number deleted, or -errno. */
int http_hdr_del(struct http_msg *msg, const char *name, size_t nlen);
/* The same for the stream's own head edits, where no pointer into the
 * message is held: the bytes before a deleted line may move within their
 * buffer so that the head stays in one piece (chan_cut_front_in). */
int http_hdr_drop(struct http_msg *msg, const char *name, size_t nlen);
/* del-header <pattern> -m <kind>: deletes every header whose name matches
 * <pat>/<plen> (case-insensitively) exactly, at its beginning, end, or
 * anywhere; HTTP_MATCH_REG matches the name with <re> (<pat> unused).
 * Returns the number deleted, or -errno. */
enum http_match { HTTP_MATCH_STR = 0, HTTP_MATCH_BEG, HTTP_MATCH_END, HTTP_MATCH_SUB, HTTP_MATCH_REG };
int http_hdr_del_match(struct http_msg *msg, const char *pat, size_t plen, enum http_match kind,
                       const struct rx *re);
/* set-header: deletes every <name> then adds one. */
int http_hdr_set(struct http_msg *msg, const char *name, size_t nlen, const char *val, size_t vlen);
/* Replaces header <idx>'s whole value. */
int http_hdr_set_value(struct http_msg *msg, int idx, const char *val, size_t vlen);
/* Replaces occurrence <v> (a header value or one element of it, from
 * http_val_*) by <val>; an element's surrounding blanks go with it, as in
 * HAProxy ("a, b, c" with c replaced by C: "a, b,C"). <v> is updated to
 * the new bytes, so that http_val_next() goes on after them. */
int http_val_replace(struct http_msg *msg, struct http_val *v, const char *val, size_t vlen);
/* replace-header (<per_value> 0: the whole value of each <name> header) and
 * replace-value (<per_value> 1: each comma-delimited element): where <re>
 * matches, the value becomes the expansion of <fmt> ("\1"...). Returns the
 * number of replacements or -errno. */
int http_hdr_replace_rx(struct http_msg *msg, const char *name, size_t nlen, const struct rx *re,
                        const char *fmt, size_t fmtlen, int per_value);

/* Start line rewrites: set-method, set-uri, set-path (keeps the query),
 * set-query (<q> without '?'; NULL removes the query and its '?'),
 * set-status (request-side spans unchanged; <reason> NULL = the standard
 * reason of <status>). */
int http_set_method(struct http_msg *msg, const char *m, size_t len);
int http_set_uri(struct http_msg *msg, const char *u, size_t len);
int http_set_path(struct http_msg *msg, const char *p, size_t len);
/* set-pathq: replaces the path and the query together. */
int http_set_pathq(struct http_msg *msg, const char *p, size_t len);
int http_set_query(struct http_msg *msg, const char *q, size_t len);
int http_set_status(struct http_msg *msg, int status, const char *reason, size_t rlen);

/* Returns HAProxy 2.6's reason phrase for <status> ("OK", "Not Found",
 * "Moved Temporarily"...; "Success", "Client Error"... for codes it does
 * not name), as "return" and "set-status" send it. */
const char *http_status_reason(int status);

#endif
