/* check.c: TCP health checks (check.h): a connect, or the backend's
 * tcp-check rules (connect, send, expect). One context per checked server,
 * allocated at start-up: a timer, a ring op and a receive buffer. Every
 * interval the timer starts a non-blocking connect through the thread's
 * ring, then the rules run one op at a time (send, receive); the same
 * timer, re-armed to the check timeout, cancels the op in flight when the
 * check takes too long. The outcome feeds HAProxy's health state machine:
 *
 *   health in [0, rise + fall - 1]; the server is UP when health >= rise.
 *   A success raises health, and once it reaches rise the server is UP at
 *   full health (rise + fall - 1); a failure lowers it while above rise,
 *   and at or below rise drops it to 0 (DOWN).
 *   Servers start UP with health = rise, so the first failed check after
 *   start-up takes a server DOWN, as HAProxy does. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "engine/cfg.h"
#include "engine/check.h"
#include "engine/lb.h"
#include "engine/log.h"
#include "engine/proxy.h"
#include "engine/ring.h"
#include "engine/thread.h"
#include "engine/timer.h"
#include "regex/rx.h"

#define CHECK_BUFSIZE 4096     /* what an expect rule may look at */

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

struct check {
	struct check *next;
	struct server *srv;
	struct thr *thr;
	struct timer timer;
	struct ring_op op;
	struct addr addr;           /* the server's check address */
	struct addr conn_addr;      /* where this check connects; kept alive for the ring */
	int fd;                     /* -1 when idle */
	unsigned timed_out:1;       /* the timer cancelled the connect in flight */
	unsigned stopped:1;         /* check_stop() ran: free on the last completion */
	uint64_t start_ms;          /* when the connect was submitted */
	uint32_t timeout;           /* ms: the connect (the whole check without "timeout check") */
	uint32_t read_timeout;      /* ms: the rules after the connect, 0 = same deadline */
	const struct tc_rules *rules; /* the backend's tcp-check rules, or NULL */
	int step;                   /* rule being run (index into rules) */
	enum { CK_IDLE = 0, CK_CONNECT, CK_SEND, CK_RECV } phase;
	uint32_t txoff;             /* bytes of the current send already sent */
	uint32_t rxlen;             /* bytes in <buf> */
	int code;                   /* the HTTP status of the response, 0 otherwise */
	char *buf;                  /* CHECK_BUFSIZE bytes when there are rules */
};

/* Invariant: a check is either idle (fd == -1, phase CK_IDLE, timer armed
 * for the next check) or running (fd >= 0, exactly one op in flight for
 * <phase>, timer armed for the timeout). Every context is on <checks> until check_stop(), which frees
 * the idle ones and moves those with a connect in flight to <zombies>,
 * freed by their last completion (or never, if the ring goes first). */
static struct check *checks, *zombies;

static const char *const check_reason[] = {
	[CHECK_OK] = "Layer4 check passed",
	[CHECK_L4_REFUSED] = "Layer4 connection problem",
	[CHECK_L4_TIMEOUT] = "Layer4 timeout",
	[CHECK_L4_ERROR] = "Layer4 connection problem",
	[CHECK_L7_OK] = "Layer7 check passed",
	[CHECK_L7_STS] = "Layer7 wrong status",
	[CHECK_L7_RSP] = "Layer7 invalid response",
	[CHECK_L7_TIMEOUT] = "Layer7 timeout",
	[CHECK_SOCK_ERR] = "Socket error",
};

static int check_res_ok(enum check_result res)
{
	return res == CHECK_OK || res == CHECK_L7_OK;
}

/* Counts the UP servers of <be>, active and backup. */
static void count_up(const struct proxy *be, int *active, int *backup)
{
	*active = *backup = 0;
	for (const struct server *s = be->srv; s; s = s->next)
		if (s->state == SRV_UP || s->state == SRV_DRAIN) {
			if (s->backup)
				(*backup)++;
			else
				(*active)++;
		}
}

/* Writes ", reason: <why>[, code: <code>][, info: "<info>"], check duration:
 * <d>ms" into <out>; <code> < 0: none. */
static void check_reason_text(char *out, size_t sz, enum check_result res, int code,
                              const char *info, unsigned dur_ms)
{
	char why[64];

	/* Layer7 results name the status code (0 for a tcp-check) */
	if (code >= 0)
		snprintf(why, sizeof(why), "%s, code: %d", check_reason[res], code);
	else
		snprintf(why, sizeof(why), "%s", check_reason[res]);
	if (info)
		snprintf(out, sz, ", reason: %s, info: \"%s\", check duration: %ums", why, info, dur_ms);
	else
		snprintf(out, sz, ", reason: %s, check duration: %ums", why, dur_ms);
}

/* With "option log-health-checks": logs one check whose result changed the
 * health or the status, as HAProxy does, with the health after it. */
static void check_log_result(struct server *srv, enum check_result res, int code,
                             const char *info, unsigned dur_ms)
{
	struct proxy *be = srv->px;
	char msg[640], reason[384];
	int n, up = srv->health >= srv->rise;

	check_reason_text(reason, sizeof(reason), res, code, info, dur_ms);
	n = snprintf(msg, sizeof(msg), "Health check for %sserver %s/%s %s%s, status: %d/%d %s.",
	             srv->backup ? "backup " : "", be->name, srv->name,
	             check_res_ok(res) ? "succeeded" : "failed", reason,
	             up ? srv->health - srv->rise + 1 : srv->health, up ? srv->fall : srv->rise,
	             up ? "UP" : "DOWN");
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(msg))
		n = sizeof(msg) - 1;
	rp_warning("%s", msg);
	log_send_targets(LOG_LVL_NOTICE, msg, (size_t)n, be);
}

/* Logs a state change of <srv> to stderr ([WARNING]) and to its backend's
 * log targets, HAProxy's wording. */
static void check_log_change(struct server *srv, enum check_result res, int code,
                             const char *info, unsigned dur_ms)
{
	struct proxy *be = srv->px;
	char msg[640], reason[384];
	int act, bck, n;

	count_up(be, &act, &bck);
	if (be->options & PXO_LOG_HEALTH_CHECKS)
		reason[0] = 0;      /* the check's own line already gave it */
	else
		check_reason_text(reason, sizeof(reason), res, code, info, dur_ms);
	if (srv->state == SRV_UP)
		n = snprintf(msg, sizeof(msg),
		             "%sServer %s/%s is UP%s. %d active and %d backup servers online. %d sessions requeued, %u total in queue.",
		             srv->backup ? "Backup " : "", be->name, srv->name, reason,
		             act, bck, 0, be->nb_queued + srv->nb_queued);
	else
		n = snprintf(msg, sizeof(msg),
		             "%sServer %s/%s is DOWN%s. %d active and %d backup servers left. %u sessions active, %d requeued, %u remaining in queue.",
		             srv->backup ? "Backup " : "", be->name, srv->name, reason,
		             act, bck, srv->cur_conn, 0, srv->nb_queued);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(msg))
		n = sizeof(msg) - 1;
	rp_warning("%s", msg);
	log_send_targets(srv->state == SRV_UP ? LOG_LVL_NOTICE : LOG_LVL_ALERT, msg, (size_t)n, be);

	if (srv->state != SRV_UP && act == 0 && bck == 0) {
		rp_alert("backend '%s' has no server available!", be->name);
		n = snprintf(msg, sizeof(msg), "backend %s has no server available!", be->name);
		if (n > 0)
			log_send_targets(LOG_LVL_EMERG, msg, (size_t)n, be);
	}
}

/* check_report() with the status <code> (< 0: none) and the info text
 * (NULL: none) of the message given. */
static int check_report_info(struct server *srv, enum check_result res, int code,
                             const char *info, unsigned dur_ms)
{
	int max = srv->rise + srv->fall - 1;
	enum srv_state prev = srv->state;
	int prev_health = srv->health, changed_status;

	if (srv->state == SRV_MAINT)
		return 0;       /* an administrative state: checks do not change it */
	/* the first result always differs from the initial status */
	changed_status = srv->check_last != (int)res + 1;
	srv->check_last = (int)res + 1;
	if (check_res_ok(res)) {
		if (srv->health < max) {
			srv->health++;
			/* once at <rise>, the server is fully healthy at once */
			if (srv->health >= srv->rise)
				srv->health = max;
		}
		if (srv->health >= srv->rise && srv->state == SRV_DOWN)
			srv->state = SRV_UP;
	} else {
		if (srv->health > srv->rise)
			srv->health--;
		else {
			srv->health = 0;
			if (srv->state == SRV_UP || srv->state == SRV_DRAIN)
				srv->state = SRV_DOWN;
		}
	}
	if ((srv->px->options & PXO_LOG_HEALTH_CHECKS) &&
	    (changed_status || (check_res_ok(res) ? prev_health != max : prev_health != 0)))
		check_log_result(srv, res, code, info, dur_ms);
	if (srv->state == prev)
		return 0;
	lb_server_changed(srv);
	check_log_change(srv, res, code, info, dur_ms);
	return 1;
}

int check_report(struct server *srv, enum check_result res, int errnum, unsigned dur_ms)
{
	/* Layer4 errors name the errno; a timeout or a success says nothing more */
	const char *info = (res == CHECK_L4_REFUSED || res == CHECK_L4_ERROR) && errnum ?
	                   strerror(errnum) : NULL;

	return check_report_info(srv, res, res == CHECK_L7_OK ? 0 : -1, info, dur_ms);
}

/* Returns the interval until the next check of <srv>: downinter while
 * DOWN, fastinter while changing state, inter when settled UP. */
static uint32_t check_next_interval(const struct server *srv)
{
	uint32_t inter = srv->inter ? srv->inter : 2000;

	if (srv->health == 0)
		return srv->downinter ? srv->downinter : inter;
	if (srv->health < srv->rise + srv->fall - 1)
		return srv->fastinter ? srv->fastinter : inter;
	return inter;
}

static void check_timer_cb(struct timer *t);

/* Ends the check in flight of <c> with <res> and the message's <info>
 * (NULL: none), closes the socket and schedules the next check. */
static void check_done(struct check *c, enum check_result res, const char *info)
{
	uint64_t now = timer_now_ms();
	unsigned dur = now > c->start_ms ? (unsigned)(now - c->start_ms) : 0;

	timer_cancel(&c->thr->timers, &c->timer);
	if (c->fd >= 0) {
		if (ring_close(c->thr->ring, NULL, c->fd) < 0)
			close(c->fd);
		c->fd = -1;
	}
	c->phase = CK_IDLE;
	check_report_info(c->srv, res, res == CHECK_L7_OK || res == CHECK_L7_STS ? c->code : -1,
	                  info, dur);
	timer_arm(&c->thr->timers, &c->timer, now + check_next_interval(c->srv));
}

/* Describes rule <r> for messages: "connect", "send", "expect string 'x'"... */
static const char *tc_rule_desc(const struct tc_rule *r, char *buf, size_t sz)
{
	switch (r->kind) {
	case TC_CONNECT: return "connect";
	case TC_SEND: return "send";
	case TC_EXPECT_STR: snprintf(buf, sz, "expect string '%s'", r->text); return buf;
	case TC_EXPECT_BIN: snprintf(buf, sz, "expect binary '%s'", r->text); return buf;
	case TC_EXPECT_RX: return "expect regex";
	case TC_COMMENT: return "comment";
	case TC_HTTP_STATUS: return "expect http status";
	}
	return "?";
}

/* Ends <c> on error <err> (a positive errno) of the op of its current
 * step, HAProxy's words for where it happened. */
static void check_fail_errno(struct check *c, int err)
{
	char info[320], d[200];

	if (c->rules && c->rules->is_http) {
		/* httpchk: HAProxy names the errno only, never the step */
		if (err == ETIMEDOUT || err == ECANCELED)
			check_done(c, c->phase == CK_CONNECT ? CHECK_L4_TIMEOUT : CHECK_L7_TIMEOUT, NULL);
		else if (c->phase == CK_CONNECT)
			check_done(c, err == ECONNREFUSED ? CHECK_L4_REFUSED : CHECK_L4_ERROR, strerror(err));
		else
			check_done(c, CHECK_SOCK_ERR, strerror(err));
		return;
	}
	if (err == ETIMEDOUT || err == ECANCELED) {
		if (c->phase == CK_CONNECT && !c->rules) {
			check_done(c, CHECK_L4_TIMEOUT, NULL);
			return;
		}
		if (c->phase == CK_CONNECT && !(c->rules->nb && c->rules->r[0].kind == TC_CONNECT)) {
			check_done(c, CHECK_L4_TIMEOUT, " at initial connection step of tcp-check");
			return;
		}
		snprintf(info, sizeof(info), " at step %d of tcp-check (%s)", c->step + 1,
		         tc_rule_desc(&c->rules->r[c->step], d, sizeof(d)));
		check_done(c, c->phase == CK_CONNECT ? CHECK_L4_TIMEOUT : CHECK_L7_TIMEOUT, info);
		return;
	}
	if (!c->rules) {
		check_done(c, err == ECONNREFUSED ? CHECK_L4_REFUSED : CHECK_L4_ERROR, strerror(err));
		return;
	}
	if (c->phase == CK_CONNECT) {
		if (c->rules->nb && c->rules->r[0].kind == TC_CONNECT)
			snprintf(info, sizeof(info), "%s at step 1 of tcp-check (connect)", strerror(err));
		else
			snprintf(info, sizeof(info), "%s at initial connection step of tcp-check", strerror(err));
		check_done(c, err == ECONNREFUSED ? CHECK_L4_REFUSED : CHECK_L4_ERROR, info);
		return;
	}
	snprintf(info, sizeof(info), "%s at step %d of tcp-check (%s)", strerror(err), c->step + 1,
	         tc_rule_desc(&c->rules->r[c->step], d, sizeof(d)));
	check_done(c, CHECK_SOCK_ERR, info);
}

/* Returns 1 if expect rule <r> finds its pattern in <buf>/<len>. */
static int tc_match(const struct tc_rule *r, const char *buf, size_t len)
{
	if (r->kind == TC_EXPECT_RX)
		return rx_match(r->rx, buf, len);
	return r->len <= len && memmem(buf, len, r->data, r->len) != NULL;
}

/* Ends <c> because expect rule <r> failed on <len> bytes (<eof>: the server
 * closed or the buffer is full). */
static void tc_expect_failed(struct check *c, const struct tc_rule *r, size_t len)
{
	char info[320];

	if (r->neg)
		snprintf(info, sizeof(info), "TCPCHK matched unwanted content '%s' at step %d",
		         r->text, c->step + 1);
	else if (!len)
		snprintf(info, sizeof(info), "TCPCHK got an empty response at step %d", c->step + 1);
	else if (r->kind == TC_EXPECT_STR)
		snprintf(info, sizeof(info), "TCPCHK did not match content '%s' at step %d", r->text,
		         c->step + 1);
	else
		snprintf(info, sizeof(info), "TCPCHK did not match content (%s) at step %d",
		         r->kind == TC_EXPECT_RX ? "regex" : "binary", c->step + 1);
	check_done(c, CHECK_L7_RSP, info);
}

/* Returns 1 if status <code> is in the list <spec> ("200,301-302"). */
static int http_status_in(const char *spec, int code)
{
	const char *p = spec;

	while (*p) {
		char *end;
		long lo = strtol(p, &end, 10), hi = lo;

		if (end == p)
			return 0;
		p = end;
		if (*p == '-') {
			hi = strtol(p + 1, &end, 10);
			if (end == p + 1)
				return 0;
			p = end;
		}
		if (code >= lo && code <= hi)
			return 1;
		if (*p == ',')
			p++;
		else if (*p)
			return 0;
	}
	return 0;
}

/* The status line of an HTTP check arrived in c->buf: decides, HAProxy's
 * words ("Layer7 wrong status, code: 503, info: "Service Unavailable""). */
static void http_status_done(struct check *c, const struct tc_rules *rs)
{
	const struct tc_http *h = rs->http;
	const char *b = c->buf, *eol = memmem(b, c->rxlen, "\r\n", 2);
	char reason[128], codes[4];
	size_t rl;
	int ok;

	/* "HTTP/1.x SSS reason" */
	if ((size_t)(eol - b) < 12 || memcmp(b, "HTTP/", 5) || b[8] != ' ' ||
	    !isdigit((unsigned char)b[9]) || !isdigit((unsigned char)b[10]) ||
	    !isdigit((unsigned char)b[11]) || (eol - b > 12 && b[12] != ' ')) {
		check_done(c, CHECK_L7_RSP, NULL);
		return;
	}
	c->code = (b[9] - '0') * 100 + (b[10] - '0') * 10 + (b[11] - '0');
	rl = eol - b > 13 ? (size_t)(eol - b - 13) : 0;
	if (rl >= sizeof(reason))
		rl = sizeof(reason) - 1;
	memcpy(reason, b + 13, rl);
	reason[rl] = 0;
	memcpy(codes, b + 9, 3);
	codes[3] = 0;
	if (h && h->rstatus)
		ok = rx_match(h->rstatus, codes, 3);
	else if (h && h->status)
		ok = http_status_in(h->status, c->code);
	else
		ok = c->code >= 200 && c->code < 400;
	if (h && h->neg)
		ok = !ok;
	if (ok)
		check_done(c, CHECK_L7_OK, NULL);
	else
		check_done(c, CHECK_L7_STS, rl ? reason : NULL);
}

/* Runs the rules of <c> from c->step until one needs to wait (an op is
 * submitted) or the last one passed (the check succeeds). */
static void tc_run(struct check *c)
{
	const struct tc_rules *rs = c->rules;

	while (c->step < rs->nb) {
		const struct tc_rule *r = &rs->r[c->step];

		switch (r->kind) {
		case TC_CONNECT:
		case TC_COMMENT:
			c->step++;     /* a connect can only be the first rule: done already */
			continue;
		case TC_SEND:
			c->phase = CK_SEND;
			if (c->txoff >= r->len) {
				c->txoff = 0;
				c->step++;
				continue;
			}
			if (ring_send(c->thr->ring, &c->op, c->fd, r->data + c->txoff, r->len - c->txoff) < 0)
				check_fail_errno(c, EBUSY);
			return;
		case TC_HTTP_STATUS:
			c->phase = CK_RECV;
			if (c->rxlen && memmem(c->buf, c->rxlen, "\r\n", 2)) {
				http_status_done(c, rs);
				return;
			}
			if (c->rxlen >= CHECK_BUFSIZE) {
				check_done(c, CHECK_L7_RSP, NULL);
				return;
			}
			if (ring_recv(c->thr->ring, &c->op, c->fd, c->buf + c->rxlen,
			              CHECK_BUFSIZE - c->rxlen) < 0)
				check_fail_errno(c, EBUSY);
			return;
		case TC_EXPECT_STR:
		case TC_EXPECT_BIN:
		case TC_EXPECT_RX:
			c->phase = CK_RECV;
			if (c->rxlen && tc_match(r, c->buf, c->rxlen)) {
				if (r->neg) {
					tc_expect_failed(c, r, c->rxlen);
					return;
				}
				/* what matched is consumed: later rules look at what follows */
				c->rxlen = 0;
				c->step++;
				continue;
			}
			/* a negated expect passes as soon as enough data arrived
			 * without the pattern, as HAProxy decides it */
			if (r->neg && c->rxlen && (r->kind == TC_EXPECT_RX || c->rxlen >= r->len)) {
				c->rxlen = 0;
				c->step++;
				continue;
			}
			if (c->rxlen >= CHECK_BUFSIZE) {
				if (r->neg) {
					c->rxlen = 0;
					c->step++;
					continue;
				}
				tc_expect_failed(c, r, c->rxlen);
				return;
			}
			if (ring_recv(c->thr->ring, &c->op, c->fd, c->buf + c->rxlen,
			              CHECK_BUFSIZE - c->rxlen) < 0)
				check_fail_errno(c, EBUSY);
			return;
		}
	}
	check_done(c, CHECK_L7_OK, "(tcp-check)");
}

/* The completion of the op in flight of <c>: connect, send or receive. */
static void check_op_cb(struct ring_op *op, int res, uint32_t flags)
{
	struct check *c = container_of(op, struct check, op);

	if (c->stopped) {
		struct check **p = &zombies;

		while (*p && *p != c)
			p = &(*p)->next;
		if (*p)
			*p = c->next;
		if (c->fd >= 0)
			close(c->fd);
		free(c->buf);
		free(c);
		return;
	}
	if (c->timed_out) {
		check_fail_errno(c, ETIMEDOUT);
		return;
	}
	if (res < 0) {
		check_fail_errno(c, -res);
		return;
	}
	switch (c->phase) {
	case CK_CONNECT:
		if (!c->rules) {
			check_done(c, CHECK_OK, NULL);
			return;
		}
		if (c->rules->nb && c->rules->r[0].kind == TC_CONNECT)
			c->step = 1;
		if (c->read_timeout)
			timer_arm(&c->thr->timers, &c->timer, timer_now_ms() + c->read_timeout);
		tc_run(c);
		return;
	case CK_SEND:
		c->txoff += (uint32_t)res;
		tc_run(c);
		return;
	case CK_RECV: {
		const struct tc_rule *r = &c->rules->r[c->step];

		if (res == 0 && r->kind == TC_HTTP_STATUS) {
			/* closed before a whole status line: not HTTP */
			check_done(c, CHECK_L7_RSP, NULL);
			return;
		}
		if (res == 0) {
			/* the server closed: a negated expect passes, others failed */
			if (r->neg && !(c->rxlen && tc_match(r, c->buf, c->rxlen))) {
				c->step++;
				c->rxlen = 0;
				tc_run(c);
			} else
				tc_expect_failed(c, r, c->rxlen);
			return;
		}
		c->rxlen += (uint32_t)res;
		tc_run(c);
		return;
	}
	case CK_IDLE:
		return;
	}
}

/* Starts one check of <c>: the connect. */
static void check_launch(struct check *c)
{
	struct addr a = c->addr;
	int fd, rc;

	c->start_ms = timer_now_ms();
	c->timed_out = 0;
	c->step = 0;
	c->txoff = 0;
	c->rxlen = 0;
	c->code = 0;
	c->phase = CK_CONNECT;
	/* "tcp-check connect port N" as first rule overrides the port */
	if (c->rules && c->rules->nb && c->rules->r[0].kind == TC_CONNECT && c->rules->r[0].port) {
		if (a.u.sa.sa_family == AF_INET)
			a.u.in4.sin_port = htons((uint16_t)c->rules->r[0].port);
		else if (a.u.sa.sa_family == AF_INET6)
			a.u.in6.sin6_port = htons((uint16_t)c->rules->r[0].port);
	}
	c->conn_addr = a;
	fd = socket(a.u.sa.sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		check_fail_errno(c, errno);
		return;
	}
	c->fd = fd;
	rc = ring_connect(c->thr->ring, &c->op, fd, &c->conn_addr);
	if (rc < 0) {
		/* submission queue full: not the server's fault, try again soon */
		close(fd);
		c->fd = -1;
		c->phase = CK_IDLE;
		timer_arm(&c->thr->timers, &c->timer, c->start_ms + 100);
		return;
	}
	timer_arm(&c->thr->timers, &c->timer, c->start_ms + c->timeout);
}

static void check_timer_cb(struct timer *t)
{
	struct check *c = container_of(t, struct check, timer);

	if (c->fd < 0) {
		check_launch(c);
		return;
	}
	/* the check outlived its timeout: cancel the op in flight, its
	 * completion (-ECANCELED or its real result) reports the timeout */
	c->timed_out = 1;
	if (ring_cancel(c->thr->ring, &c->op) < 0)
		timer_arm(&c->thr->timers, &c->timer, timer_now_ms() + 10);
}

/* Fills <c>->addr for <srv>: "addr"/"port" overrides, else the server's. */
static int check_addr(struct check *c, const struct server *srv)
{
	c->addr = srv->has_check_addr ? srv->check_addr : srv->addr;
	if (srv->check_port) {
		if (c->addr.u.sa.sa_family == AF_INET)
			c->addr.u.in4.sin_port = htons((uint16_t)srv->check_port);
		else if (c->addr.u.sa.sa_family == AF_INET6)
			c->addr.u.in6.sin6_port = htons((uint16_t)srv->check_port);
	}
	if (c->addr.u.sa.sa_family == AF_INET && c->addr.u.in4.sin_port)
		return 0;
	if (c->addr.u.sa.sa_family == AF_INET6 && c->addr.u.in6.sin6_port)
		return 0;
	if (c->addr.u.sa.sa_family == AF_UNIX)
		return 0;
	return -1;
}

/* ---- configuration: "tcp-check" rules ---- */

static void tc_http_free(struct tc_http *h)
{
	if (!h)
		return;
	free(h->meth);
	free(h->uri);
	free(h->ver);
	for (int i = 0; i < h->nb_hdrs; i++)
		free(h->hdrs[i]);
	free(h->hdrs);
	free(h->status);
	rx_free(h->rstatus);
	free(h);
}

static void tc_rules_free(struct tc_rules *rs)
{
	if (!rs)
		return;
	for (int i = 0; i < rs->nb; i++) {
		free(rs->r[i].data);
		free(rs->r[i].text);
		rx_free(rs->r[i].rx);
	}
	free(rs->r);
	if (rs->http_prog) {
		rs->http_prog->http = NULL;     /* borrowed from <rs> */
		tc_rules_free(rs->http_prog);
	}
	tc_http_free(rs->http);
	free(rs);
}

/* Returns <px>'s rules, created empty if needed, or NULL (out of memory). */
static struct tc_rules *tc_rules_get(struct proxy *px)
{
	if (!px->check_rules)
		px->check_rules = calloc(1, sizeof(struct tc_rules));
	return px->check_rules;
}

/* Returns <px>'s HTTP check settings, created empty if needed, or NULL. */
static struct tc_http *tc_http_get(struct proxy *px)
{
	struct tc_rules *rs = tc_rules_get(px);

	if (rs && !rs->http)
		rs->http = calloc(1, sizeof(*rs->http));
	return rs ? rs->http : NULL;
}

/* Replaces the string at <dst> by a copy of <s>. Returns 0 or -1. */
static int tc_strset(char **dst, const char *s)
{
	char *n = strdup(s);

	if (!n)
		return -1;
	free(*dst);
	*dst = n;
	return 0;
}

/* Appends header <name>: <value> (name lowercased, as HAProxy sends it). */
static int tc_http_add_hdr(struct tc_http *h, const char *name, size_t nlen, const char *value,
                           size_t vlen)
{
	char **n = realloc(h->hdrs, (size_t)(h->nb_hdrs + 2) * sizeof(*n));

	if (!n)
		return -1;
	h->hdrs = n;
	if (!(n[h->nb_hdrs] = strndup(name, nlen)))
		return -1;
	for (char *p = n[h->nb_hdrs]; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	if (!(n[h->nb_hdrs + 1] = strndup(value, vlen))) {
		free(n[h->nb_hdrs]);
		return -1;
	}
	h->nb_hdrs += 2;
	return 0;
}

int check_cfg_httpchk(struct cfg_ctx *c, char **args, int nargs)
{
	struct proxy *px = c->px;
	struct tc_http *h;
	const char *meth = NULL, *uri = NULL, *ver = NULL;

	if (!px) {
		snprintf(c->err, sizeof(c->err), "'option httpchk' is only valid in a proxy or defaults section.");
		return -1;
	}
	if (nargs == 3)
		uri = args[2];
	else if (nargs >= 4) {
		meth = args[2];
		uri = args[3];
		ver = nargs > 4 ? args[4] : NULL;
	}
	if (nargs > 5) {
		snprintf(c->err, sizeof(c->err), "'option httpchk' : cannot handle unexpected argument '%s'.", args[5]);
		return -1;
	}
	if (!(h = tc_http_get(px)) ||
	    (meth && tc_strset(&h->meth, meth) < 0) || (uri && tc_strset(&h->uri, uri) < 0) ||
	    (ver && tc_strset(&h->ver, ver) < 0)) {
		snprintf(c->err, sizeof(c->err), "out of memory.");
		return -1;
	}
	px->options |= PXO_HTTPCHK;
	px->options &= ~PXO_TCP_CHECK;
	return 0;
}

int check_cfg_http_check(struct cfg_ctx *c, char **args, int nargs)
{
	struct proxy *px = c->px;
	struct tc_http *h;
	char rerr[256];
	int i = 2;

	if (!px) {
		snprintf(c->err, sizeof(c->err), "'http-check' is only valid in a proxy or defaults section.");
		return -1;
	}
	if (nargs < 2) {
		snprintf(c->err, sizeof(c->err), "'http-check' expects 'expect' or 'send'.");
		return -1;
	}
	if (!(h = tc_http_get(px)))
		goto nomem;
	if (!strcmp(args[1], "expect")) {
		int neg = 0;

		if (i < nargs && !strcmp(args[i], "!")) {
			neg = 1;
			i++;
		}
		if (i + 1 >= nargs || (strcmp(args[i], "status") && strcmp(args[i], "rstatus"))) {
			snprintf(c->err, sizeof(c->err), "'http-check expect' : only 'status <codes>' and 'rstatus <regex>' are supported by ringproxy.");
			return -1;
		}
		if (i + 2 < nargs) {
			snprintf(c->err, sizeof(c->err), "'http-check expect' : option '%s' is not supported by ringproxy.", args[i + 2]);
			return -1;
		}
		free(h->status);
		h->status = NULL;
		rx_free(h->rstatus);
		h->rstatus = NULL;
		h->neg = neg;
		if (!strcmp(args[i], "status")) {
			const char *p = args[i + 1];

			if (!*p || strspn(p, "0123456789,-") != strlen(p)) {
				snprintf(c->err, sizeof(c->err), "'http-check expect status' : invalid status list '%s'.", p);
				return -1;
			}
			if (!(h->status = strdup(p)))
				goto nomem;
		} else if (!(h->rstatus = rx_compile(args[i + 1], strlen(args[i + 1]), 0, rerr, sizeof(rerr)))) {
			snprintf(c->err, sizeof(c->err), "'http-check expect rstatus' : regex '%s' : %s.", args[i + 1], rerr);
			return -1;
		}
		return 0;
	}
	if (!strcmp(args[1], "send")) {
		for (; i < nargs; i += 2) {
			if (!strcmp(args[i], "hdr") && i + 2 < nargs) {
				if (tc_http_add_hdr(h, args[i + 1], strlen(args[i + 1]), args[i + 2],
				                    strlen(args[i + 2])) < 0)
					goto nomem;
				i++;
				continue;
			}
			if (i + 1 >= nargs) {
				snprintf(c->err, sizeof(c->err), "'http-check send' : '%s' expects an argument.", args[i]);
				return -1;
			}
			if (!strcmp(args[i], "meth")) {
				if (tc_strset(&h->meth, args[i + 1]) < 0)
					goto nomem;
			} else if (!strcmp(args[i], "uri")) {
				if (tc_strset(&h->uri, args[i + 1]) < 0)
					goto nomem;
			} else if (!strcmp(args[i], "ver")) {
				if (tc_strset(&h->ver, args[i + 1]) < 0)
					goto nomem;
			} else {
				snprintf(c->err, sizeof(c->err), "'http-check send' : option '%s' is not supported by ringproxy.", args[i]);
				return -1;
			}
		}
		return 0;
	}
	snprintf(c->err, sizeof(c->err), "'http-check %s' is not supported by ringproxy (expect, send).", args[1]);
	return -1;
nomem:
	snprintf(c->err, sizeof(c->err), "out of memory.");
	return -1;
}

int check_cfg_inherit(struct proxy *px, const struct proxy *def)
{
	const struct tc_rules *drs = def->check_rules;
	const struct tc_http *d = drs ? drs->http : NULL;
	struct tc_http *h;

	if (!d)
		return 0;
	if (!(h = tc_http_get(px)))
		return -1;
	if ((d->meth && tc_strset(&h->meth, d->meth) < 0) || (d->uri && tc_strset(&h->uri, d->uri) < 0) ||
	    (d->ver && tc_strset(&h->ver, d->ver) < 0) || (d->status && tc_strset(&h->status, d->status) < 0))
		return -1;
	for (int i = 0; i + 1 < d->nb_hdrs; i += 2)
		if (tc_http_add_hdr(h, d->hdrs[i], strlen(d->hdrs[i]), d->hdrs[i + 1], strlen(d->hdrs[i + 1])) < 0)
			return -1;
	if (d->rstatus) {
		char err[256];

		if (!(h->rstatus = rx_compile(rx_pattern(d->rstatus), strlen(rx_pattern(d->rstatus)), 0,
		                              err, sizeof(err))))
			return -1;
	}
	h->neg = d->neg;
	return 0;
}

/* Builds the program of <px>'s HTTP check (once): the request, then the
 * status line. Returns it, or NULL (out of memory). */
static struct tc_rules *tc_http_program(struct proxy *px)
{
	struct tc_http *h = tc_http_get(px);
	struct tc_rules *rs = px->check_rules, *prog;
	const char *ver = h && h->ver ? h->ver : "HTTP/1.0", *crlf;
	size_t vlen, cap, len = 0;
	char *req;

	if (!h)
		return NULL;
	if (rs->http_prog)
		return rs->http_prog;
	/* "HTTP/1.1\r\nHost: x": headers written into the version, the old way */
	crlf = strstr(ver, "\r\n");
	vlen = crlf ? (size_t)(crlf - ver) : strlen(ver);
	while (crlf) {
		const char *line = crlf + 2, *next = strstr(line, "\r\n"), *colon;
		size_t ll = next ? (size_t)(next - line) : strlen(line);

		colon = memchr(line, ':', ll);
		if (colon) {
			const char *v = colon + 1;

			while (v < line + ll && *v == ' ')
				v++;
			if (tc_http_add_hdr(h, line, (size_t)(colon - line), v, (size_t)(line + ll - v)) < 0)
				return NULL;
		}
		crlf = next;
	}
	if (crlf == NULL && vlen != strlen(ver)) {
		/* keep only the version itself from now on */
		char *v = strndup(ver, vlen);

		if (!v)
			return NULL;
		free(h->ver);
		h->ver = v;
		ver = v;
	}
	cap = strlen(h->meth ? h->meth : "OPTIONS") + strlen(h->uri ? h->uri : "/") + vlen + 64;
	for (int i = 0; i < h->nb_hdrs; i++)
		cap += strlen(h->hdrs[i]) + 4;
	if (!(req = malloc(cap)))
		return NULL;
	len += (size_t)snprintf(req + len, cap - len, "%s %s %.*s\r\n", h->meth ? h->meth : "OPTIONS",
	                        h->uri ? h->uri : "/", (int)vlen, ver);
	for (int i = 0; i + 1 < h->nb_hdrs; i += 2)
		len += (size_t)snprintf(req + len, cap - len, "%s: %s\r\n", h->hdrs[i], h->hdrs[i + 1]);
	if (vlen == 8 && !memcmp(ver, "HTTP/1.1", 8))
		len += (size_t)snprintf(req + len, cap - len, "connection: close\r\n");
	len += (size_t)snprintf(req + len, cap - len, "\r\n");

	if (!(prog = calloc(1, sizeof(*prog))) || !(prog->r = calloc(2, sizeof(*prog->r)))) {
		free(prog);
		free(req);
		return NULL;
	}
	prog->nb = prog->size = 2;
	prog->is_http = 1;
	prog->http = h;
	prog->r[0].kind = TC_SEND;
	prog->r[0].data = req;
	prog->r[0].len = len;
	prog->r[1].kind = TC_HTTP_STATUS;
	rs->http_prog = prog;
	return prog;
}

void check_cfg_free(struct config *cfg)
{
	for (struct proxy *px = cfg->proxies; px; px = px->next) {
		tc_rules_free(px->check_rules);
		px->check_rules = NULL;
	}
}

/* Decodes the hex string <hex> into a new buffer. Returns its length, or -1. */
static long tc_unhex(const char *hex, char **out)
{
	size_t n = strlen(hex);
	char *b;

	if (!n || n % 2 || !(b = malloc(n / 2)))
		return -1;
	for (size_t i = 0; i < n; i += 2) {
		int hi = hex[i], lo = hex[i + 1];

		if (!isxdigit(hi) || !isxdigit(lo)) {
			free(b);
			return -1;
		}
		hi = isdigit(hi) ? hi - '0' : (tolower(hi) - 'a' + 10);
		lo = isdigit(lo) ? lo - '0' : (tolower(lo) - 'a' + 10);
		b[i / 2] = (char)(hi << 4 | lo);
	}
	*out = b;
	return (long)(n / 2);
}

/* Skips the options HAProxy allows after a rule that do not change what a
 * check does here ("comment <text>"). Returns 0, or -1 with c->err set for
 * one that would. */
static int tc_options(struct cfg_ctx *c, char **args, int nargs, int i, const char *what)
{
	for (; i < nargs; i++) {
		if (!strcmp(args[i], "comment") && i + 1 < nargs) {
			i++;
			continue;
		}
		snprintf(c->err, sizeof(c->err), "'tcp-check %s' : option '%s' is not supported by ringproxy.",
		         what, args[i]);
		return -1;
	}
	return 0;
}

int check_cfg_tcp_check(struct cfg_ctx *c, char **args, int nargs)
{
	struct proxy *px = c->px;
	struct tc_rules *rs;
	struct tc_rule r;
	char rerr[256];
	int i = 2;

	memset(&r, 0, sizeof(r));
	if (!px || c->sec == CFG_SEC_DEFAULTS || !(px->cap & PX_CAP_BE)) {
		snprintf(c->err, sizeof(c->err), "'%s' is only supported in a backend or listen section by ringproxy.",
		         args[0]);
		return -1;
	}
	if (nargs < 2) {
		snprintf(c->err, sizeof(c->err), "'%s' expects 'comment', 'connect', 'send', 'send-binary' or 'expect'.",
		         args[0]);
		return -1;
	}
	rs = px->check_rules;
	if (!strcmp(args[1], "comment"))
		return 0;           /* a comment for the next rule: nothing to run */
	if (!strcmp(args[1], "connect")) {
		if (rs && rs->nb) {
			snprintf(c->err, sizeof(c->err), "'tcp-check connect' is only supported as the first rule by ringproxy.");
			return -1;
		}
		r.kind = TC_CONNECT;
		if (i + 1 < nargs && !strcmp(args[i], "port")) {
			char *end;
			long port = strtol(args[i + 1], &end, 10);

			if (*end || port < 1 || port > 65535) {
				snprintf(c->err, sizeof(c->err), "'tcp-check connect' : invalid port '%s'.", args[i + 1]);
				return -1;
			}
			r.port = (int)port;
			i += 2;
		}
		if (tc_options(c, args, nargs, i, "connect") < 0)
			return -1;
	} else if (!strcmp(args[1], "send") || !strcmp(args[1], "send-binary")) {
		int bin = args[1][4] == '-';

		if (nargs < 3) {
			snprintf(c->err, sizeof(c->err), "'tcp-check %s' expects a %s as argument.", args[1],
			         bin ? "binary string" : "string");
			return -1;
		}
		r.kind = TC_SEND;
		if (bin) {
			long n = tc_unhex(args[2], &r.data);

			if (n < 0) {
				snprintf(c->err, sizeof(c->err), "'tcp-check send-binary' : invalid hexadecimal string '%s'.", args[2]);
				return -1;
			}
			r.len = (size_t)n;
		} else {
			r.len = strlen(args[2]);
			if (!(r.data = strdup(args[2])))
				goto nomem;
		}
		if (tc_options(c, args, nargs, 3, args[1]) < 0)
			goto fail;
	} else if (!strcmp(args[1], "expect")) {
		if (i < nargs && !strcmp(args[i], "!")) {
			r.neg = 1;
			i++;
		}
		if (i + 1 >= nargs) {
			snprintf(c->err, sizeof(c->err), "'tcp-check expect' expects a match type and a pattern.");
			return -1;
		}
		if (!strcmp(args[i], "string")) {
			r.kind = TC_EXPECT_STR;
			r.len = strlen(args[i + 1]);
			if (!(r.data = strdup(args[i + 1])))
				goto nomem;
		} else if (!strcmp(args[i], "binary")) {
			long n = tc_unhex(args[i + 1], &r.data);

			r.kind = TC_EXPECT_BIN;
			if (n < 0) {
				snprintf(c->err, sizeof(c->err), "'tcp-check expect binary' : invalid hexadecimal string '%s'.",
				         args[i + 1]);
				return -1;
			}
			r.len = (size_t)n;
		} else if (!strcmp(args[i], "rstring")) {
			r.kind = TC_EXPECT_RX;
			if (!(r.rx = rx_compile(args[i + 1], strlen(args[i + 1]), 0, rerr, sizeof(rerr)))) {
				snprintf(c->err, sizeof(c->err), "'tcp-check expect rstring' : regex '%s' : %s.",
				         args[i + 1], rerr);
				return -1;
			}
		} else {
			snprintf(c->err, sizeof(c->err), "'tcp-check expect' : match '%s' is not supported by ringproxy (string, binary, rstring).",
			         args[i]);
			return -1;
		}
		if (!(r.text = strdup(args[i + 1])))
			goto nomem;
		if (tc_options(c, args, nargs, i + 2, "expect") < 0)
			goto fail;
	} else {
		snprintf(c->err, sizeof(c->err), "'tcp-check %s' is not supported by ringproxy (connect, send, send-binary, expect, comment).",
		         args[1]);
		return -1;
	}

	if (!rs) {
		if (!(rs = calloc(1, sizeof(*rs))))
			goto nomem;
		px->check_rules = rs;
	}
	if (rs->nb == rs->size) {
		int ns = rs->size ? rs->size * 2 : 4;
		struct tc_rule *nr = realloc(rs->r, (size_t)ns * sizeof(*nr));

		if (!nr)
			goto nomem;
		rs->r = nr;
		rs->size = ns;
	}
	rs->r[rs->nb++] = r;
	return 0;
nomem:
	snprintf(c->err, sizeof(c->err), "out of memory.");
fail:
	free(r.data);
	free(r.text);
	rx_free(r.rx);
	return -1;
}

int check_cfg_validate(struct config *cfg)
{
	int nerr = 0;

	for (struct proxy *px = cfg->proxies; px; px = px->next) {
		if (!(px->cap & PX_CAP_BE))
			continue;
		for (struct server *s = px->srv; s; s = s->next) {
			struct check c;

			if (!s->check || s->disabled || check_addr(&c, s) == 0)
				continue;
			rp_alert("config : config: %s '%s': server '%s' has neither service port nor check port.",
			         (px->cap & PX_CAP_FE) ? "proxy" : "backend", px->name, s->name);
			nerr++;
		}
	}
	return nerr;
}

int check_start(struct config *cfg, struct thr *t)
{
	int n = 0, nb = 0, k = 0;

	for (struct proxy *px = cfg->proxies; px; px = px->next)
		for (struct server *s = px->srv; s; s = s->next)
			if (s->check && !s->disabled)
				nb++;
	for (struct proxy *px = cfg->proxies; px; px = px->next) {
		if (!(px->cap & PX_CAP_BE) || px->disabled)
			continue;
		for (struct server *s = px->srv; s; s = s->next) {
			struct check *c;
			uint32_t inter;

			if (!s->check || s->disabled)
				continue;
			if (!(c = calloc(1, sizeof(*c))))
				return -ENOMEM;
			c->srv = s;
			c->thr = t;
			c->fd = -1;
			if (check_addr(c, s) < 0) {
				rp_warning("config : backend '%s', server '%s': no port to check, health check disabled.",
				           px->name, s->name);
				free(c);
				continue;
			}
			inter = s->inter ? s->inter : 2000;
			/* HAProxy's rule: with "timeout check", the connect gets
			 * min(timeout connect, inter) and the rules after it get
			 * "timeout check"; without it, inter bounds the whole check */
			if (px->to.check) {
				c->timeout = px->to.connect && px->to.connect < inter ? px->to.connect : inter;
				c->read_timeout = px->to.check;
			} else {
				c->timeout = inter;
				c->read_timeout = 0;
			}
			if (px->options & PXO_HTTPCHK) {
				if (!(c->rules = tc_http_program(px))) {
					free(c);
					return -ENOMEM;
				}
			} else if ((px->options & PXO_TCP_CHECK) && px->check_rules)
				c->rules = px->check_rules;
			if (c->rules) {
				if (!(c->buf = malloc(CHECK_BUFSIZE))) {
					free(c);
					return -ENOMEM;
				}
			}
			ring_op_init(&c->op, check_op_cb);
			timer_init(&c->timer, check_timer_cb);
			s->check_ctx = c;
			c->next = checks;
			checks = c;
			/* spread the first checks over the first interval */
			timer_arm(&t->timers, &c->timer, timer_now_ms() + (uint64_t)inter * k / (nb ? nb : 1));
			k++;
			n++;
		}
	}
	return n;
}

void check_stop(void)
{
	while (checks) {
		struct check *c = checks;

		checks = c->next;
		if (c->thr)
			timer_cancel(&c->thr->timers, &c->timer);
		if (c->srv)
			c->srv->check_ctx = NULL;
		if (c->op.inflight) {
			/* never free with an op in flight: its completion frees it */
			c->stopped = 1;
			ring_cancel(c->thr->ring, &c->op);
			c->next = zombies;
			zombies = c;
			continue;
		}
		if (c->fd >= 0)
			close(c->fd);
		free(c->buf);
		free(c);
	}
}
