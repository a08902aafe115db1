/* check_int.h: what the check files share: the compiled rules of a
 * backend (check_cfg.c, check_proto.c build them; check.c runs them) and
 * the expect helpers of the protocol checks. Private to engine/check*.c. */
#ifndef RP_CHECK_INT_H
#define RP_CHECK_INT_H

#include <stddef.h>

#include "engine/check.h"
#include "engine/proxy.h"

struct cfg_ctx;
struct proxy;
struct rx;

/* tcp-check rules of a backend (px->check_rules), built at configuration
 * time, read-only afterwards. */
enum tc_kind { TC_CONNECT = 0, TC_SEND, TC_EXPECT_STR, TC_EXPECT_BIN, TC_EXPECT_RX, TC_COMMENT,
               TC_HTTP_STATUS, TC_EXPECT_RBIN, TC_EXPECT_CUSTOM };

/* The expect functions of the protocol checks (TC_EXPECT_CUSTOM). */
enum tc_custom { TC_CUSTOM_NONE = 0, TC_CUSTOM_MYSQL_INIT, TC_CUSTOM_MYSQL_OK, TC_CUSTOM_LDAP,
                 TC_CUSTOM_AGENT };

/* An on-success / on-error message: literal text and %[res.payload(o,l)]
 * pieces, each optionally cut at the first CR/LF and trimmed. */
struct tc_fmt_part {
	char *lit;                  /* literal text, or NULL for a payload piece */
	size_t len;
	int off, plen;              /* res.payload(<off>,<plen>), plen 0 = to the end */
	unsigned cut_crlf:1, hex:1;
	char ltrim, rtrim;          /* characters to trim, 0 = none */
};

struct tc_fmt {
	int nb;
	struct tc_fmt_part *p;
};

/* Statuses an expect rule may name (ok-status, error-status, tout-status),
 * as check results plus one; 0 = the default. */
struct tc_rule {
	enum tc_kind kind;
	int neg;                    /* "expect !": the pattern must not appear */
	int port;                   /* TC_CONNECT "port N", 0 = the server's */
	char *data;                 /* bytes to send, or the pattern */
	size_t len;
	char *text;                 /* the pattern as written (messages) */
	struct rx *rx;              /* TC_EXPECT_RX, TC_EXPECT_RBIN */
	int min_recv;               /* bytes to wait for before deciding, -1: none */
	int ok_status, err_status, tout_status; /* enum check_result + 1, 0 = default */
	struct tc_fmt *on_success, *on_error;
	int code_off, code_len;     /* "status-code res.payload(o,l)", code_len 0 = none */
	char *comment;              /* "comment <text>" of this rule, or NULL */
	struct addr addr;           /* TC_CONNECT "addr <ip>" when <has_addr> */
	int has_addr;
	enum tc_custom custom;      /* TC_EXPECT_CUSTOM */
};

/* "option httpchk" / "http-check": the request and what its status must be. */
struct tc_http {
	char *meth, *uri, *ver;     /* NULL: OPTIONS, /, HTTP/1.0 */
	char **hdrs;                /* name, value, name, value... */
	int nb_hdrs;
	int neg;                    /* "expect !" */
	char *status;               /* "expect status <codes>", NULL: 200-399 */
	struct rx *rstatus;         /* "expect rstatus <regex>" */
};

/* The protocol checks ("option redis-check"...): which one and its
 * arguments, kept so a backend can inherit them from its defaults. */
enum tc_proto { TC_PROTO_NONE = 0, TC_PROTO_REDIS, TC_PROTO_SSL_HELLO, TC_PROTO_SMTP, TC_PROTO_PGSQL,
                TC_PROTO_MYSQL, TC_PROTO_LDAP };

struct tc_rules {
	int nb, size;
	struct tc_rule *r;
	int is_http;                /* an HTTP check program: HAProxy's httpchk messages */
	int is_proto;               /* a protocol check: no generic tcp-check messages */
	struct tc_http *http;       /* the HTTP check's settings, or NULL */
	struct tc_rules *http_prog; /* the HTTP check as rules (send, status), built at start */
	enum tc_proto proto;        /* the last protocol check option, or NONE */
	char *proto_arg;            /* its user name or SMTP command */
	int proto_flag;             /* mysql: 1 = "pre-41" */
	struct tc_rules *proto_prog; /* its rules */
};

/* Returns the program of <px>'s HTTP check (built once: the request, then
 * the status line), or NULL (out of memory). check_cfg.c. */
struct tc_rules *tc_http_program(struct proxy *px);

/* Frees a rule set and what it owns (NULL is fine). check_cfg.c. */
void tc_rules_free(struct tc_rules *rs);
/* Appends <r> to <rs> (which takes what <r> owns). Returns 0 or -1. */
int tc_rules_add(struct tc_rules *rs, const struct tc_rule *r);
/* Frees what rule <r> owns. */
void tc_rule_clear(struct tc_rule *r);

/* Parses an on-success/on-error message <s> into a new format. Returns
 * it, or NULL with <err> set. check_proto.c. */
struct tc_fmt *tc_fmt_parse(const char *s, char *err, size_t errlen);
void tc_fmt_free(struct tc_fmt *f);
/* Writes <f> evaluated on the response <buf>/<len> into <out> (always
 * NUL-terminated). */
void tc_fmt_build(const struct tc_fmt *f, const char *buf, size_t len, char *out, size_t sz);

/* Builds the rules of protocol check <proto> (arguments <arg>, <flag>)
 * into a new rule set. Returns it or NULL (out of memory). check_proto.c. */
struct tc_rules *tc_proto_build(enum tc_proto proto, const char *arg, int flag);

/* What a custom expect function decided. */
enum tc_eval { TC_EVAL_NEXT = 0, TC_EVAL_WAIT, TC_EVAL_FAIL, TC_EVAL_DONE };

/* Runs custom expect <which> on <buf>/<len> (<last>: nothing more will
 * come; <is_last_rule>: no expect follows). On TC_EVAL_FAIL or
 * TC_EVAL_DONE, <res>, <code> and <info> (NUL-terminated) say the result.
 * check_proto.c. */
enum tc_eval tc_custom_eval(enum tc_custom which, const char *buf, size_t len, int last,
                            int is_last_rule, enum check_result *res, int *code, char *info,
                            size_t infosz);

/* ---- agent checks (check_agent.c) ---- */

/* Parses the agent's reply line in <buf>/<len> for server <s> and applies
 * its admin, weight and maxconn words at once; a health word sets
 * s->agent_health and <res> (L7OK or L7STS) with *<neutral> = 0, else
 * *<neutral> = 1 (no health change). <info> gets HAProxy's description.
 * Returns TC_EVAL_WAIT until a whole line arrived (unless <last>), else
 * TC_EVAL_DONE. */
enum tc_eval check_agent_reply(struct server *s, const char *buf, size_t len, int last,
                               enum check_result *res, int *neutral, char *info, size_t sz);
/* Returns the rules of <s>'s agent check (send agent-send, read the
 * reply), a new set the caller frees with tc_rules_free(), or NULL. */
struct tc_rules *check_agent_program(const struct server *s);
/* Prints HAProxy's alert for an agent-check without agent-port. Returns 1
 * (an error) or 0. */
int check_agent_validate(struct server *s);
/* Frees the agent-send strings (with the configuration). */
void check_agent_free_strings(void);

#endif
