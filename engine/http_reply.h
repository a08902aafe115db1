/* http_reply.h: the responses the proxy builds from the configuration —
 * what "return", "deny" and "tarpit" answer and the "http-error" pages of a
 * proxy — parsed once, rendered per request. (http_err.c keeps the bytes
 * of the built-in pages and errorfiles and assembles a response head.) */
#ifndef RP_HTTP_REPLY_H
#define RP_HTTP_REPLY_H

#include <stddef.h>

struct cfg_ctx;
struct logfmt;
struct proxy;
struct stream;

/* Bytes a rendered reply may take, and an argument file. */
#define HTTP_REPLY_BUF 16384

/* A header of a "return"/"deny" reply: "hdr <name> <fmt>". */
struct http_reply_fmt_hdr {
	char *name;
	struct logfmt *fmt;
};

#define HTTP_REPLY_MAX_HDRS 16

/* What "deny" and "return" answer. Either <raw> (an errorfile: the whole
 * response as bytes) or a response built from status, content type, body
 * (<body> static, or <body_fmt> rendered) and headers. <raw> NULL and
 * <errpage> set: the proxy's page for <status> (http_err_get). */
struct http_reply {
	int status;
	int errpage;                /* serve http_err_get(px, status) */
	char *ctype;
	char *body; size_t blen;    /* string/file, owned */
	struct logfmt *body_fmt;    /* lf-string/lf-file */
	char *raw; size_t rawlen;   /* errorfile <file>, owned */
	struct http_reply_fmt_hdr hdrs[HTTP_REPLY_MAX_HDRS];
	int nhdrs;
};

/* Parses the reply options from args[<i>]: status, content-type, string,
 * lf-string, file, lf-file, errorfile, errorfiles, default-errorfiles, hdr;
 * with <deny> also deny_status (<res>: a response rule, 502 by default).
 * Stops at "if"/"unless" or an unknown word. Returns the index of the next
 * word, or -1 with c->err. <r> is zeroed by the caller and owns what it
 * gets (http_reply_free()). */
int http_reply_parse(struct cfg_ctx *c, struct http_reply *r, int deny, int res, char **args,
                     int nargs, int i);
/* Frees what <r> owns (not <r>). */
void http_reply_free(struct http_reply *r);
/* Renders <r> for stream <s> into <out>; an <errpage> reply serves the
 * stream's page for its status (http_reply_err_page()), or <px>'s when
 * <s> is NULL (configuration time). Returns the length, or -1 when it does
 * not fit or there is no page. */
long http_reply_render(const struct http_reply *r, struct stream *s, const struct proxy *px,
                       char *out, size_t outsz);

/* "http-error status <code> [reply options]": the page <px> answers for
 * <code> from now on, in place of an errorfile. */
int http_reply_cfg_http_error(struct cfg_ctx *c, char **args, int nargs);
/* Returns the page for <status> of stream <s> (HTTP_ERR_STREAM shape): the
 * backend's "http-error" or errorfile, else the frontend's, else the
 * built-in one; NULL when there is none. A page with log-format parts is
 * rendered into <buf>. *<len> gets the length. */
const char *http_reply_err_page(struct stream *s, int status, char *buf, size_t bufsz, size_t *len);
/* Frees the "http-error" page of slot <slot> of <px> when <px> owns it. */
void http_reply_err_free(struct proxy *px, int slot);

#endif
