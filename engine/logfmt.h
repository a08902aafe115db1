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

/* HAProxy's documented formats of "option tcplog" and "option httplog",
 * and the one used when a proxy logs with neither. */
extern const char logfmt_tcplog_str[];
extern const char logfmt_httplog_str[];
extern const char logfmt_default_str[];

/* Compiles <str> for proxy <px> (which %[expr] resolves against; may be
 * NULL). Returns the compiled format (caller owns it, logfmt_free) or NULL
 * with a message in <err>. An unknown %variable is an error, as HAProxy. */
struct logfmt *logfmt_compile(const char *str, struct proxy *px, char *err, size_t errlen);
void logfmt_free(struct logfmt *f);
/* The configuration keyword "log-format <string>": compiles it into
 * c->px->logfmt (replacing what was there). Returns 0 or -1 with c->err set. */
int logfmt_cfg_kw(struct cfg_ctx *c, char **args, int nargs);

/* Renders <f> for stream <s> into <out> (capacity <outsz>, always
 * NUL-terminated when outsz > 0). Returns the length written (truncated
 * output stops at outsz - 1). <now_us> is the time of logging. */
size_t logfmt_render(const struct logfmt *f, const struct stream *s, uint64_t now_us,
                     char *out, size_t outsz);

#endif
