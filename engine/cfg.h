/* cfg.h: HAProxy-syntax configuration parsing. cfg.c owns the tokenizer
 * (quoting, escapes, "${VAR}"), the sections and the keyword tables; other
 * modules own the keywords that build their objects (acl.c: "acl";
 * rules.c: "tcp-request", "tcp-response", "use_backend"...) and export a
 * cfg_kw_fn that cfg.c lists in its table. */
#ifndef RP_CFG_H
#define RP_CFG_H

#include <stddef.h>
#include "engine/proxy.h"

enum cfg_section { CFG_SEC_NONE = 0, CFG_SEC_GLOBAL, CFG_SEC_DEFAULTS, CFG_SEC_FRONTEND,
                   CFG_SEC_BACKEND, CFG_SEC_LISTEN, CFG_SEC_USERLIST, CFG_SEC_RESOLVERS, CFG_SEC_HTTP_ERRORS, CFG_SEC_CACHE,
                   CFG_SEC_OTHER, CFG_SEC_PEERS /* stick.c */, CFG_SEC_PROGRAM };

#define CFG_ERR_SIZE 1024

/* The state a keyword parser sees for one line. */
struct cfg_ctx {
	struct config *cfg;
	const char *file;           /* file being parsed (stable string, kept for messages) */
	int line;
	enum cfg_section sec;
	struct proxy *px;           /* current proxy (frontend/backend/listen/defaults), or NULL */
	struct proxy *defpx;        /* defaults this proxy inherits from */
	char err[CFG_ERR_SIZE];     /* message for the [ALERT] line when a parser fails */
	int warnings;
	int err_tight;              /* set with c->err: print "parsing [file:line]: <err>" (no
	                             * blank before the colon), as HAProxy does for some keywords */
};

/* A keyword parser: <args>[0] is the keyword, <nargs> counts all words.
 * Returns 0, or -1 with c->err set; cfg.c prints
 * "[ALERT] (pid) : config : parsing [file:line] : <err>" and goes on with
 * the next line, so that every error of a file is reported. */
typedef int (*cfg_kw_fn)(struct cfg_ctx *c, char **args, int nargs);

/* Parses every file or directory in <paths> (NULL-terminated) into <cfg>,
 * then resolves references (backends, servers, ACLs). Returns 0, or the
 * number of errors (each already printed as an [ALERT] line). */
int cfg_parse_files(struct config *cfg, char *const *paths);
/* Parses one configuration held in memory (<name> is used in messages):
 * what the unit tests use. Same return as cfg_parse_files(). */
int cfg_parse_string(struct config *cfg, const char *name, const char *text);
void cfg_free(struct config *cfg);

/* Helpers for keyword parsers. */
/* Parses a HAProxy time ("10s", "500", "1m", "2h", "1d", "100ms", "10us")
 * into milliseconds. Returns 0 or -1. */
int cfg_parse_time(const char *s, uint32_t *ms);
/* Parses a size ("16384", "16k", "1m", "2g"). Returns 0 or -1. */
int cfg_parse_size(const char *s, uint64_t *out);
/* Parses an address "ip:port", "[ipv6]:port", ":port", "*:port",
 * "unix@/path", "/path", "ipv4@", "ipv6@" prefixes. <need_port> makes a
 * missing port an error. Returns 0 or -1 with a message in <err>. */
int cfg_parse_addr(const char *s, struct addr *a, int need_port, char *err, size_t errlen);
/* HAProxy's address parser expands "${NAME}" itself, so that an address
 * written outside double quotes ("server s ${HOST}:${PORT}", "log
 * ${ADDR}:514") still takes the environment's value (cfg_parse_addr does
 * it). Returns <s>, or <buf> (<len> bytes) holding <s> with each "${NAME}"
 * replaced (empty when unset; cut when too long). */
const char *cfg_addr_env_expand(const char *s, char *buf, size_t len);

/* Like cfg_parse_time() for keyword parsers: on error sets c->err with
 * HAProxy's message for keyword <kw> and returns -1. */
int cfg_time_arg(struct cfg_ctx *c, const char *kw, const char *s, uint32_t *ms);
/* The same in microseconds (a time without unit is still in ms). */
int cfg_time_arg_us(struct cfg_ctx *c, const char *kw, const char *s, uint32_t *us);
/* Parses decimal integer <s> within [<min>, <max>] into <out>. Returns 0,
 * or -1 with c->err set ("'<kw>' expects an integer argument."). */
int cfg_int_arg(struct cfg_ctx *c, const char *kw, const char *s, long long min, long long max,
                long long *out);
/* Returns 0 if <nargs> <= <max>, else -1 with c->err set to HAProxy's
 * "'<kw>' cannot handle unexpected argument '<arg>'." */
int cfg_no_extra(struct cfg_ctx *c, char **args, int nargs, int max);
/* Formats c->err and returns -1: "return cfg_set_err(c, "...", ...);". */
int cfg_set_err(struct cfg_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* strdup() that sets c->err on failure. */
char *cfg_strdup(struct cfg_ctx *c, const char *s);
/* Print "[ALERT]/[WARNING]/[NOTICE]    (pid) : config : parsing [file:line] : msg"
 * for the line in <c> (without "parsing [..]" when <c> is NULL). Warnings
 * and notices are silenced by the global "quiet"; warnings are counted. */
void cfg_alert(const struct cfg_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cfg_warning(struct cfg_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cfg_notice(struct cfg_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Splits <line> into words as HAProxy does: blanks separate words, '#'
 * starts a comment, backslash escapes (\  \# \\ \" \' \n \r \t \xHH),
 * "double quotes" (escapes and $VAR / ${VAR} / ${VAR[*]} expanded),
 * 'single quotes' (literal). Words are written NUL-terminated into <out>
 * (<outsz> bytes: the line's length + 8 is enough without env values) and
 * <args> points at them. Returns the number of words, or -1 with HAProxy's
 * message (with the position) in <err>. */
int cfg_tokenize(const char *line, char *out, size_t outsz, char **args, int maxargs,
                 char *err, size_t errlen);

#endif
