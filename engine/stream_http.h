/* stream_http.h: the HTTP analysers of a stream in "mode http" — waiting
 * for the request headers (timeout http-request, 400/408), http-request
 * rules, option forwardfor, the Connection header per keep-alive mode,
 * the response headers (502, 504), http-response rules, the bodies
 * (Content-Length, chunked, close-delimited) followed to the end of each
 * message, one log line per transaction, keep-alive between requests and
 * the switch to a tunnel (101, CONNECT). stream.c calls these; they work on
 * the stream's channels and connections through stream.h. */
#ifndef RP_STREAM_HTTP_H
#define RP_STREAM_HTTP_H

#include <stdint.h>

struct stream;

/* Gives <s> (accepted by an HTTP frontend) its per-transaction state from
 * the thread's pool and starts its first transaction. Returns 0 or
 * -ENOMEM (then s->http stays NULL). */
int stream_http_attach(struct stream *s);
/* Returns the state of <s> to the pool (stream end). NULL-safe. */
void stream_http_detach(struct stream *s);

/* Request analyser STRM_AN_REQ_HTTP: waits for the request headers.
 * Returns 0 when they are parsed (the analyser bit is cleared), -1 to wait
 * or when the stream ended / an error page is on its way. */
int stream_http_wait_req(struct stream *s);
/* Request analyser STRM_AN_REQ_HTTP_RULES: the http-request rules of the
 * current proxy (s->be once chosen, else s->fe). Same return shape. */
int stream_http_req_rules(struct stream *s);
/* Request analyser STRM_AN_REQ_HTTP_FINAL, after backend selection:
 * forwardfor, Connection header, the balance key. Returns 0. */
int stream_http_req_final(struct stream *s);
/* Picks a server of s->be for "balance uri" / "balance hdr(name)" (NULL
 * for other algorithms or without a key: lb_pick decides). */
struct server *stream_http_pick(struct stream *s);

/* A Lua service (use-service) answers the current transaction: the log
 * shows <name> ("<lua.svc>", static) as the server, 0 for the queue and
 * connect times and, as HAProxy 2.6, the time the service took to start
 * its response as %Tr. */
void stream_http_service(struct stream *s, const char *name);
/* The service's response head <head>/<len> is ready (the end of %Tr, the
 * start of %Td), then <n> more bytes of its body: counted in %B as
 * HAProxy counts an applet's response (body data without chunk framing). */
void stream_http_service_head(struct stream *s, const char *head, size_t len);
void stream_http_service_body(struct stream *s, size_t n);

/* Returns the idle server connection kept from the previous transaction
 * when it goes to s->srv (it becomes the stream's again), else NULL (an
 * idle connection to another server is closed). */
struct conn *stream_http_take_idle(struct stream *s);

/* Data phase of an HTTP stream: follows both messages, answers 502 on a
 * bad response, ends the transaction. Returns 0 when done for now, 1
 * when the stream became a tunnel (the caller forwards as in TCP mode). */
int stream_http_forward(struct stream *s);
/* Returns 1 while <s> is an HTTP stream not yet switched to a tunnel. */
int stream_http_active(const struct stream *s);
/* Returns 1 when the stream waits for the response headers (fin 'H'). */
int stream_http_wait_rsp(const struct stream *s);
/* Returns 1 if <s> waits for the next request of a kept-alive connection
 * and none of it came yet (its end is not logged), 0 otherwise. */
int stream_http_idle(const struct stream *s);

/* Failure paths that answer an error page instead of closing:
 * the request timed out (408, or a silent close when nothing was received
 * on a keep-alive connection), the server connection could not be made
 * (503), the server timed out or failed before the response headers (504 /
 * 502). Each ends the stream after the page is sent. <err>/<fin> are the
 * termination codes to log. */
void stream_http_req_timeout(struct stream *s);
void stream_http_error(struct stream *s, int status, char err, char fin);

/* Queues <len> bytes of <resp>, a whole response the proxy built (deny,
 * return, redirect, auth, an error page, the statistics page), for the
 * client as the transaction's response with <status>: edited by the
 * http-after-response rules first, with the "Connection" header HAProxy's
 * HTTP/1 output adds. <flags>: STREAM_HTTP_REPLY_RAW skips the rules (the
 * client parser's own errors), STREAM_HTTP_REPLY_CLOSE adds no Connection
 * header (the page carries its own, the connection closes). When a server
 * response is parsed in s->res, the reply replaces it (its rest is for the
 * caller to drop). Returns 0, or -1 when nothing was queued (no room, or
 * a rule's rewrite failed: HAProxy answers 500 instead). */
#define STREAM_HTTP_REPLY_RAW   0x1
#define STREAM_HTTP_REPLY_CLOSE 0x2
int stream_http_reply(struct stream *s, const char *resp, size_t len, int status, unsigned flags);

/* Returns the client timeout that applies now to an HTTP stream waiting
 * for a request (http-request, http-keep-alive), or 0 when none does. */
uint32_t stream_http_cli_tmo(const struct stream *s);

#endif
