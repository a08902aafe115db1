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

#define CHECK_BUFSIZE 4096      /* what a check reads of a response, and its requests' room */

/* tcp-check rules of a backend (px->check_rules), built at configuration
 * time, read-only afterwards. */
enum tc_kind { TC_CONNECT = 0, TC_SEND, TC_EXPECT_STR, TC_EXPECT_BIN, TC_EXPECT_RX, TC_COMMENT,
               TC_HTTP_SEND, TC_EXPECT_RBIN, TC_EXPECT_CUSTOM, TC_HTTP_EXPECT,
               TC_SET_VAR, TC_UNSET_VAR, TC_SEND_LF };

/* An HTTP check request: "option httpchk" and an "http-check send". */
struct tc_http_req {
	char *meth, *uri, *ver;     /* NULL: not given (OPTIONS, /, HTTP/1.0 by default) */
	char **hdrs;                /* name, value, name, value... (names lowercase) */
	int nb_hdrs;
	char *body;                 /* NULL: none */
	size_t body_len;
	/* log-format parts ("uri-lf", "body-lf", a header value with %[...]),
	 * built at each send; hdr_lf[i] goes with header i (NULL: plain) */
	struct tc_fmt *uri_lf, *body_lf, **hdr_lf;
	int lf_borrowed;            /* a merged request: the formats are another's */
};

/* How an "http-check expect hdr" name or value pattern matches. */
enum tc_hm { TC_HM_STR = 0, TC_HM_BEG, TC_HM_END, TC_HM_SUB, TC_HM_REG };
/* What an HTTP expect looks at. */
enum tc_hx { TC_HX_STATUS = 0, TC_HX_RSTATUS, TC_HX_STRING, TC_HX_RSTRING, TC_HX_HDR };

struct tc_http_exp {
	enum tc_hx type;
	char *codes;                /* TC_HX_STATUS: "200,301-302" */
	int full;                   /* "fhdr": whole values, not their comma-separated parts */
	enum tc_hm nm, vm;          /* name / value match methods */
	char *name, *value;         /* the patterns; <value> NULL: any value */
	struct rx *name_rx, *value_rx;
	struct tc_fmt *name_lf, *value_lf; /* "name-lf", "value-lf": the patterns are built at each check */
};

/* The expect functions of the protocol checks (TC_EXPECT_CUSTOM). */
enum tc_custom { TC_CUSTOM_NONE = 0, TC_CUSTOM_MYSQL_INIT, TC_CUSTOM_MYSQL_OK, TC_CUSTOM_LDAP,
                 TC_CUSTOM_AGENT, TC_CUSTOM_SPOP };

/* An on-success / on-error message: literal text and %[res.payload(o,l)]
 * pieces, each optionally cut at the first CR/LF and trimmed. */
struct sample_expr;

struct tc_fmt_part {
	char *lit;                  /* literal text, or NULL for a computed piece */
	size_t len;
	char *var;                  /* %[var(check.<var>)], or NULL */
	struct sample_expr *expr;   /* another %[expression] (no stream: constants, env...), or NULL */
	int name;                   /* %[srv_name] (1) or %[be_name] (2): the check's server's */
	char *hdr;                  /* %[res.hdr(<hdr>)] (%[res.fhdr(<hdr>)] with <full>), or NULL */
	unsigned full:1;
	int off, plen;              /* else res.payload(<off>,<plen>), plen 0 = to the end */
	unsigned cut_crlf:1, hex:1;
	char ltrim, rtrim;          /* characters to trim, 0 = none */
};

/* The check.* variables of one running check ("tcp-check set-var"):
 * a few short values, kept with the check, reset at each run. */
#define CKVAR_MAX 8
#define CKVAR_LEN 128
struct ckvars {
	int nb;
	struct { const char *name; uint16_t len; char v[CKVAR_LEN]; } e[CKVAR_MAX];
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
	struct tc_http_req *req;    /* TC_HTTP_SEND */
	struct tc_http_exp *hexp;   /* TC_HTTP_EXPECT (body patterns in data/rx) */
	int borrowed;               /* an HTTP program's copy: owns nothing */
	struct sample_expr *expr;   /* TC_SET_VAR: the value (the name in <text>) */
	struct tc_fmt *lf;          /* TC_SEND_LF: the log-format; <len> 1 = send-binary-lf;
	                             * TC_SET_VAR: a fetch of the response instead of <expr> */
	unsigned ssl:1;             /* TC_CONNECT "ssl": over TLS */
	unsigned send_proxy:1;      /* TC_CONNECT "send-proxy": a PROXY header first */
	unsigned dflt:1;            /* TC_CONNECT "default": the server's check-ssl, check-sni, check-alpn */
	char *sni, *alpn;           /* TC_CONNECT "sni", "alpn", or NULL */
};

/* The protocol checks ("option redis-check"...): which one and its
 * arguments, kept so a backend can inherit them from its defaults. */
enum tc_proto { TC_PROTO_NONE = 0, TC_PROTO_REDIS, TC_PROTO_SSL_HELLO, TC_PROTO_SMTP, TC_PROTO_PGSQL,
                TC_PROTO_MYSQL, TC_PROTO_LDAP, TC_PROTO_SPOP };

struct tc_rules {
	int nb, size;
	struct tc_rule *r;
	int is_http;                /* an HTTP check program: HAProxy's httpchk messages */
	int is_proto;               /* a protocol check: no generic tcp-check messages */
	/* HTTP checks: what this section declared ("option httpchk", "http-check"
	 * lines); a backend that declares none uses its defaults section's */
	int http_own;               /* this section declared its HTTP check */
	struct tc_http_req *http_req; /* "option httpchk"'s request, or NULL */
	struct tc_rules *hrules;    /* the "http-check" rules, or NULL */
	int send_state, disable_404; /* "http-check send-state", "disable-on-404" */
	struct tc_rules *http_prog; /* the HTTP check to run, built at start (rules borrowed) */
	struct tc_http_req *merged; /* http_prog's request: option httpchk + first send */
	enum tc_proto proto;        /* the last protocol check option, or NONE */
	char *proto_arg;            /* its user name or SMTP command */
	int proto_flag;             /* mysql: 1 = "pre-41" */
	struct tc_rules *proto_prog; /* its rules */
};

/* Returns the program of <px>'s HTTP check (built once from its own or
 * its defaults' settings), or NULL (out of memory). check_http.c. */
struct tc_rules *tc_http_program(struct proxy *px);
void tc_http_req_free(struct tc_http_req *q);
void tc_http_exp_free(struct tc_http_exp *e);

/* Parses the expect options and patterns of <args> (from <args>[2]) into
 * <r>: tcp-check's match types, or with <http> the HTTP ones. Returns 0 or
 * -1 with c->err set. check_cfg.c. */
int tc_parse_expect(struct cfg_ctx *c, struct tc_rule *r, char **args, int nargs, int http);
/* Parses "<kw> set-var(check.<name>) <expr>" / "unset-var(check.<name>)"
 * into <r>. Returns 0 or -1 with c->err set. */
int tc_parse_var(struct cfg_ctx *c, struct tc_rule *r, char **args, int nargs);
/* Parses the rule of "<kw> <rule> ..." (tcp-check, http-check) into a new
 * rule appended to <rs>: comment (a rule, and the comment of the next one),
 * connect (after nothing but variables and comments, or another connect),
 * set-var/unset-var, expect (<http>: HTTP's match types), and through
 * <other> the section's own rules (their sends). Returns 0 or -1 with
 * c->err set. check_cfg.c. */
int tc_parse_rule(struct cfg_ctx *c, struct tc_rules *rs, char **args, int nargs, int http,
                  int (*other)(struct cfg_ctx *c, struct tc_rule *r, char **args, int nargs));
/* Parses "<kw> connect [options]". Returns 0 or -1 with c->err set. */
int tc_parse_connect(struct cfg_ctx *c, struct tc_rule *r, char **args, int nargs);
/* Returns <px>'s rules, created empty if needed, or NULL (out of memory). */
struct tc_rules *tc_rules_get(struct proxy *px);

/* The global "node" name shown by "http-check send-state" (NULL: the host's). */
void check_http_set_node(const char *node);

/* The response of an HTTP check, as far as it arrived. */
struct tc_hrsp {
	int code;
	const char *reason, *hdrs, *body;
	size_t rlen, hlen, blen;    /* <hdrs>: the header lines, each ending with CRLF */
	int complete;               /* the whole body is there */
};
/* Parses the response in <buf>/<len> (<last>: nothing more will come).
 * Returns 1 (head parsed), 0 (more is needed) or -1 (not HTTP). A chunked
 * body is decoded into <tmp> (<tmpsz> bytes). check_http.c. */
int tc_http_parse(const char *buf, size_t len, int last, char *tmp, size_t tmpsz, struct tc_hrsp *rsp);
/* Returns 1 if HTTP expect <r> matches <rsp> (before its "!"). */
int tc_http_match(const struct tc_rule *r, const struct tc_hrsp *rsp);
/* The same, building the log-format patterns of <r> ("name-lf",
 * "value-lf") with the response <buf>/<len>, the check's variables <v> and
 * its server <s> first. */
int tc_http_match_vars(const struct tc_rule *r, const struct tc_hrsp *rsp, const char *buf, size_t len,
                       const struct ckvars *v, const struct server *s);
/* Returns the value of header <name> in the HTTP response head at
 * <buf>/<len> (its last occurrence; without <full>, the last of its
 * comma-separated values, as res.hdr), its length in *<vl>, or NULL. */
const char *tc_http_hdr(const char *buf, size_t len, const char *name, size_t nl, int full, size_t *vl);
/* Writes into <out> the request of send rule <r> for server <s> (with
 * the X-Haproxy-Server-State header when <send_state>). Returns its
 * length, or 0 when it does not fit. */
size_t tc_http_build(const struct tc_rule *r, const struct server *s, int send_state, char *out,
                     size_t sz);
/* The same with the check's variables <v> for the log-format parts. */
size_t tc_http_build_vars(const struct tc_rule *r, const struct server *s, int send_state,
                          const struct ckvars *v, char *out, size_t sz);

/* Frees a rule set and what it owns (NULL is fine). check_cfg.c. */
void tc_rules_free(struct tc_rules *rs);
/* Appends <r> to <rs> (which takes what <r> owns). Returns 0 or -1. */
int tc_rules_add(struct tc_rules *rs, const struct tc_rule *r);
/* Frees what rule <r> owns. */
void tc_rule_clear(struct tc_rule *r);

/* Parses an on-success/on-error message <s> into a new format. Returns
 * it, or NULL with <err> set. check_proto.c. */
struct tc_fmt *tc_fmt_parse(const char *s, char *err, size_t errlen);
/* The same with %[var(check.<name>)] and, given <px>, other sample
 * expressions (evaluated without a stream). */
struct tc_fmt *tc_fmt_parse_px(const char *s, struct proxy *px, char *err, size_t errlen);
void tc_fmt_free(struct tc_fmt *f);
/* Writes <f> evaluated on the response <buf>/<len> into <out> (always
 * NUL-terminated). */
void tc_fmt_build(const struct tc_fmt *f, const char *buf, size_t len, char *out, size_t sz);
/* The same, with the check's variables <v> (NULL: none) and server <srv>
 * (its backend for the expressions, srv_name/be_name). Returns the length
 * written. */
size_t tc_fmt_build_vars(const struct tc_fmt *f, const char *buf, size_t len, const struct ckvars *v,
                         const struct server *srv, char *out, size_t sz);
/* Returns the value of check.<name> in <v> (length in *<len>), or NULL. */
const char *ckvars_get(const struct ckvars *v, const char *name, size_t *len);
/* Sets check.<name> (a name owned by a rule) to <val>/<len> (cut to
 * CKVAR_LEN). Returns 0, or -1 when the table is full. */
int ckvars_set(struct ckvars *v, const char *name, const char *val, size_t len);
void ckvars_unset(struct ckvars *v, const char *name);

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

/* ---- SPOP (check_spop.c) ---- */

/* Writes the HAPROXY-HELLO frame of a health check into <b> (room for 128
 * bytes). Returns its length. */
size_t check_spop_hello(unsigned char *b);
/* Judges the agent's answer <buf>/<len>: TC_EVAL_WAIT for more (unless
 * <last>), TC_EVAL_DONE ("SPOA server is ok") or TC_EVAL_FAIL with
 * HAProxy's reason in <info>; <res> the result. */
enum tc_eval check_spop_reply(const char *buf, size_t len, int last, enum check_result *res,
                              char *info, size_t sz);

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

/* ---- the health state of servers (check_state.c) ---- */

/* Returns 1 if <res> is a pass (L4OK, L6OK, L7OK, L7OKC), else 0. */
int check_res_ok(enum check_result res);
/* check_report() with the status <code> (< 0: none) and the info text
 * (NULL: none) of the message given. Returns 1 if <srv> changed state. */
int check_report_info(struct server *srv, enum check_result res, int code, const char *info,
                      unsigned dur_ms);
/* The result of an agent check of <srv>; <neutral>: the reply announced
 * no health (nothing to count or log). */
void check_agent_report(struct server *srv, enum check_result res, int code, const char *info,
                        unsigned dur_ms, int neutral);
/* Returns the interval until the next check of <srv>: downinter while
 * DOWN, fastinter while changing state, inter when settled UP. */
uint32_t check_next_interval(const struct server *srv);
/* disable-on-404 after a result of <srv>'s check: an L7OKC drains an UP
 * server, a plain pass brings back one this check drained (*<nolb>). */
void check_nolb(struct server *srv, int *nolb, enum check_result res, int code, const char *info,
                unsigned dur);

/* ---- TLS under a check (check_tls.c) ---- */

struct ck_tls;
struct tls_ctx;

/* Returns a check's TLS state (its session memory, allocated once at
 * start-up) or NULL; ck_tls_free() frees it (NULL is fine). */
struct ck_tls *ck_tls_new(void);
void ck_tls_free(struct ck_tls *t);
/* Starts a client session from <ctx> offering <sni> and <alpn> (NULL: the
 * context's), checking the certificate against <sni>, else <verifyhost>.
 * Returns 0 or -1 (no memory). ck_tls_end() ends it (idempotent). */
int ck_tls_start(struct ck_tls *t, struct tls_ctx *ctx, const char *sni, const char *alpn,
                 const char *verifyhost);
void ck_tls_end(struct ck_tls *t);
/* Predicates: a session exists; its handshake completed. */
int ck_tls_active(const struct ck_tls *t);
int ck_tls_hs_done(const struct ck_tls *t);

enum ck_tls_op { CKT_HANDSHAKE = 0, CKT_WRITE, CKT_READ };
enum ck_tls_next { CKT_SEND = 0, CKT_RECV, CKT_DONE, CKT_FAIL };
/* Moves the session toward the end of <op> (CKT_WRITE: encrypt <buf>/<len>;
 * CKT_READ: decrypt into <buf>/<len>). Returns CKT_SEND (send the <*iolen>
 * bytes at <*io>) or CKT_RECV (receive into them), then report the op's
 * result with ck_tls_io_done() and call again with the same arguments;
 * CKT_DONE with <*res> = the plaintext bytes written or read (a read: 0 at
 * the end of the stream, -errno after a socket error); or CKT_FAIL (the
 * session failed: ck_tls_error() says how, in HAProxy's words). */
enum ck_tls_next ck_tls_next(struct ck_tls *t, enum ck_tls_op op, void *buf, size_t len,
                             void **io, size_t *iolen, int *res);
/* Takes the result <res> of the send or receive ck_tls_next() asked for.
 * Returns 0, or -1 when a send failed (the connection is lost). */
int ck_tls_io_done(struct ck_tls *t, int res);
const char *ck_tls_error(const struct ck_tls *t);
/* Returns 1 if the implicit connect of <s>'s checks (and "connect
 * default") is made over TLS: "check-ssl", or "ssl" without "no-check-ssl"
 * nor a check "port" or "addr" (HAProxy's rule), else 0. */
int check_srv_default_tls(const struct server *s);

#endif
