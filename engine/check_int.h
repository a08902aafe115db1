/* check_int.h: what check.c (running checks) and check_cfg.c (parsing
 * tcp-check / httpchk / http-check) share: the compiled rules of a
 * backend. Private to those two files. */
#ifndef RP_CHECK_INT_H
#define RP_CHECK_INT_H

#include <stddef.h>

struct proxy;
struct rx;

/* tcp-check rules of a backend (px->check_rules), built at configuration
 * time, read-only afterwards. */
enum tc_kind { TC_CONNECT = 0, TC_SEND, TC_EXPECT_STR, TC_EXPECT_BIN, TC_EXPECT_RX, TC_COMMENT,
               TC_HTTP_STATUS };

struct tc_rule {
	enum tc_kind kind;
	int neg;                    /* "expect !": the pattern must not appear */
	int port;                   /* TC_CONNECT "port N", 0 = the server's */
	char *data;                 /* bytes to send, or the pattern */
	size_t len;
	char *text;                 /* the pattern as written (messages) */
	struct rx *rx;              /* TC_EXPECT_RX */
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

struct tc_rules {
	int nb, size;
	struct tc_rule *r;
	int is_http;                /* an HTTP check program: HAProxy's httpchk messages */
	struct tc_http *http;       /* the HTTP check's settings, or NULL */
	struct tc_rules *http_prog; /* the HTTP check as rules (send, status), built at start */
};

/* Returns the program of <px>'s HTTP check (built once: the request, then
 * the status line), or NULL (out of memory). check_cfg.c. */
struct tc_rules *tc_http_program(struct proxy *px);

#endif
