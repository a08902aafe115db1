/* logfmt.h: compiled HAProxy log-format strings ("%ci:%cp [%t] %ft %b/%s
 * %Tw/%Tc/%Tt %B %ts %ac/%fc/%bc/%sc/%rc %sq/%bq", "%{+Q}r", "%[expr]")
 * and their rendering for a stream. Compiled once at configuration time
 * into a node array; rendering allocates nothing. */
#ifndef RP_LOGFMT_H
#define RP_LOGFMT_H

#include <stddef.h>
#include <stdint.h>

struct logfmt;          /* opaque: the compiled nodes */
struct proxy;
struct stream;
struct cfg_ctx;

/* HAProxy's formats of "option tcplog" and "option httplog". A proxy with
 * neither (and no log-format) logs "Connect from" lines instead, see
 * logfmt_render_connect(). */
extern const char logfmt_tcplog_str[];
extern const char logfmt_httplog_str[];
extern const char logfmt_httpslog_str[];   /* option httpslog: httplog plus the TLS fields */
extern const char logfmt_httplog_clf_str[]; /* option httplog clf: the same fields in the Common Log Format */

/* Compiles <str> for proxy <px> (which %[expr] resolves against; may be
 * NULL). Returns the compiled format (caller owns it, logfmt_free) or NULL
 * with a message in <err>. An unknown %variable is an error, as HAProxy;
 * HTTP-only variables are checked later (logfmt_check_mode). */
struct logfmt *logfmt_compile(const char *str, struct proxy *px, char *err, size_t errlen);
void logfmt_free(struct logfmt *f);
/* Marks <f> as the argument of a rule (set-header, return lf-string,
 * set-var-fmt...): a %[expr] that finds nothing renders as nothing, quoted
 * or not, where a log line prints "-" (HAProxy 2.6 does both). */
void logfmt_set_rule_arg(struct logfmt *f);
/* Returns 0, or -1 with HAProxy's message in <err> when <f> uses a
 * variable reserved for HTTP mode (%r, %HM, %Ti, %TR...) and <px> is not
 * in HTTP mode. Run once the proxy's mode is final (after parsing). */
int logfmt_check_mode(const struct logfmt *f, const struct proxy *px, char *err, size_t errlen);
/* Returns 1 if rendering <f> may read the stream's local address towards
 * its server (%bi, %bp, or a %[expr] that may fetch bc_src), 0 otherwise. */
int logfmt_reads_srv_local(const struct logfmt *f);
/* The configuration keyword "log-format <string>": compiles it into
 * c->px->logfmt (replacing what was there). Returns 0 or -1 with c->err set. */
int logfmt_cfg_kw(struct cfg_ctx *c, char **args, int nargs);

/* What the HTTP module tells the log about the transaction of a stream
 * (the HTTP issue sets <logfmt_http_get>; without it HTTP fields render as
 * HAProxy renders them for a TCP stream). Pointers stay valid until the
 * log line is rendered. Times in ms, -1 when the step was not reached. */
struct logfmt_http {
	const char *req_line; size_t req_line_len;   /* "GET /x HTTP/1.1" */
	const char *method; size_t method_len;
	const char *uri; size_t uri_len;
	const char *version; size_t version_len;
	int status;                                  /* %ST, 0 if none */
	int64_t Ti, TR, Tr, Ta;                      /* idle, request, response, active */
	const char *const *req_caps, *const *res_caps; /* captured headers, NULL = empty */
	int nb_req_caps, nb_res_caps;
	const char *cookie_cli, *cookie_srv;         /* %CC %CS, NULL = "-" */
	char cookie_req, cookie_res;                 /* the last 2 chars of %tsc, 0 = '-' */
	const char *unique_id; size_t unique_id_len; /* %ID, NULL = "-" */
	const char *srv_name;                        /* %s when a Lua service answered ("<lua.name>"), else NULL */
	int bytes_out_set; uint64_t bytes_out;       /* %B as HAProxy counts it in HTTP mode
	                                              * (its internal message size), when set */
	uint64_t bytes_in;                           /* %U the same way, when bytes_out_set */
};
/* Returns 0 and fills <h> for stream <s>, or -1 (no HTTP transaction). */
extern int (*logfmt_http_get)(const struct stream *s, struct logfmt_http *h);

/* Process-wide values some variables print, set once by log_init(). */
struct logfmt_globals {
	const uint32_t *actconn;    /* %ac: connections alive in the process */
	int pid;                    /* %pid */
	const char *hostname;       /* %H */
};
extern const struct logfmt_globals *logfmt_globals;

/* Renders <f> for stream <s> into <out> (capacity <outsz>, always
 * NUL-terminated when outsz > 0). Returns the length written (truncated
 * output stops at outsz - 1). <now_us> is the time of logging. */
size_t logfmt_render(const struct logfmt *f, const struct stream *s, uint64_t now_us,
                     char *out, size_t outsz);

/* Renders HAProxy's line for a proxy with no log format (neither
 * log-format nor option tcplog/httplog):
 * "Connect from 127.0.0.1:53538 to 127.0.0.1:19003 (fe/TCP)".
 * Same return as logfmt_render(). */
size_t logfmt_render_connect(const struct stream *s, char *out, size_t outsz);

#endif
