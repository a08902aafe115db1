/* check.c: running health checks (check.h): a connect, or a rule program
 * (the backend's tcp-check rules, a protocol check's, the HTTP check's,
 * an agent's; check_int.h) run one rule at a time: connect, send, read,
 * judge. One context per checked server (and one per agent), allocated at
 * start-up: a timer, a ring op, a buffer for what is read and the HTTP
 * requests built, nothing allocated per run. Every interval the timer
 * starts a non-blocking connect through the thread's ring; the same timer,
 * re-armed to the check timeout, cancels the op in flight when the check
 * takes too long. The outcome feeds the server's health state machine
 * (check_state.c). */
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
#include "engine/log.h"
#include "engine/proxy.h"
#include "engine/ring.h"
#include "engine/thread.h"
#include "engine/timer.h"
#include "engine/check_int.h"
#include "engine/listener.h"
#include "engine/sample.h"
#include "regex/rx.h"


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
	enum { CK_IDLE = 0, CK_CONNECT, CK_PROXY_HDR, CK_TLS_HS, CK_SEND, CK_RECV } phase;
	uint32_t txoff;             /* bytes of the current send already sent */
	uint32_t rxlen;             /* bytes in <buf> */
	uint32_t txlen;             /* an HTTP request's length (built in <buf>) */
	char pp[108];               /* CK_PROXY_HDR: the PROXY header, <pplen> bytes, <ppoff> sent */
	uint8_t pplen, ppoff;
	unsigned cond404:1;         /* disable-on-404: the response was a 404 */
	int nolb;                   /* this check put the server in NOLB (DRAIN) */
	int code;                   /* the HTTP status of the response, 0 otherwise */
	int conn_step;              /* connect rule in progress or done, -1: the implicit one */
	unsigned must_read:1;       /* an expect must read before judging (after a send) */
	unsigned last_read:1;       /* the server closed: nothing more will come */
	unsigned connected:1;       /* a connection of this check was established */
	unsigned agent:1;           /* the server's agent check, not its health check */
	unsigned neutral:1;         /* the agent's reply announced no health */
	struct tc_rules *own_rules; /* the agent's rules, freed with the check */
	struct ckvars *vars;        /* check.* variables (rules with set-var only) */
	char *buf;                  /* CHECK_BUFSIZE bytes when there are rules */
	struct ck_tls *tls;         /* when a check of the server may use TLS, else NULL */
};

/* Invariant: a check is either idle (fd == -1, phase CK_IDLE, timer armed
 * for the next check) or running (fd >= 0, exactly one op in flight for
 * <phase>, timer armed for the timeout). Every context is on <checks> until check_stop(), which frees
 * the idle ones and moves those with a connect in flight to <zombies>,
 * freed by their last completion (or never, if the ring goes first). */
static struct check *checks, *zombies;
static uint32_t check_spread;           /* global "spread-checks", percent */
static uint32_t check_rand = 2463534242u;

/* Returns <ms> moved randomly by up to +/- spread-checks percent, as
 * HAProxy spreads the checks of many servers over time. */
static uint64_t check_jitter(uint32_t ms)
{
	uint32_t span;

	if (!check_spread || !ms)
		return ms;
	/* xorshift32: the checks need spread, not cryptography */
	check_rand ^= check_rand << 13;
	check_rand ^= check_rand >> 17;
	check_rand ^= check_rand << 5;
	span = (uint32_t)((uint64_t)ms * check_spread / 100);
	return (uint64_t)ms - span + (span ? check_rand % (2 * span + 1) : 0);
}

static void check_timer_cb(struct timer *t);


/* Ends the check in flight of <c> with <res> and the message's <info>
 * (NULL: none), closes the socket and schedules the next check. */
static void check_done(struct check *c, enum check_result res, const char *info)
{
	uint64_t now = timer_now_ms();
	unsigned dur = now > c->start_ms ? (unsigned)(now - c->start_ms) : 0;
	uint32_t next;
	int code;

	timer_cancel(&c->thr->timers, &c->timer);
	if (c->fd >= 0) {
		if (ring_close(c->thr->ring, NULL, c->fd) < 0)
			close(c->fd);
		c->fd = -1;
	}
	ck_tls_end(c->tls);
	c->phase = CK_IDLE;
	/* HAProxy names the code of Layer7 results that judged a response */
	code = res == CHECK_L7_OK || res == CHECK_L7_STS || res == CHECK_L7_OKC ? c->code : -1;
	if (c->agent) {
		check_agent_report(c->srv, res, code, info, dur, c->neutral);
		c->neutral = 0;
		next = c->srv->agent_inter ? c->srv->agent_inter : (c->srv->inter ? c->srv->inter : 2000);
	} else {
		check_report_info(c->srv, res, code, info, dur);
		check_nolb(c->srv, &c->nolb, res, code, info, dur);
		next = check_next_interval(c->srv);
	}
	timer_arm(&c->thr->timers, &c->timer, now + check_jitter(next));
}

/* Describes rule <r> for timeout and error messages, as HAProxy does. */
static const char *tc_rule_desc(const struct tc_rule *r, char *buf, size_t sz)
{
	switch (r->kind) {
	case TC_CONNECT:
		if (!r->port)
			return "connect";
		snprintf(buf, sz, "connect port %d", r->port);
		return buf;
	case TC_SEND: return "send";
	case TC_EXPECT_STR: snprintf(buf, sz, "expect string '%s'", r->text); return buf;
	case TC_EXPECT_BIN: snprintf(buf, sz, "expect binary '%s'", r->text); return buf;
	case TC_EXPECT_RX: return "expect regex";
	case TC_EXPECT_RBIN: return "expect binary regex";
	case TC_EXPECT_CUSTOM: return "expect custom function";
	case TC_COMMENT: return "comment";
	case TC_HTTP_SEND: return "send";
	case TC_SEND_LF: return "send";
	case TC_SET_VAR: case TC_UNSET_VAR: return "action";
	case TC_HTTP_EXPECT: return "expect HTTP";
	}
	return "?";
}

/* Returns 1 if <c> runs a user's tcp-check rules (HAProxy names the step
 * of an error then), 0 for a plain connect, HTTP or protocol check. */
static int check_is_tcpchk(const struct check *c)
{
	return c->rules && !c->rules->is_http && !c->rules->is_proto;
}

/* Ends <c> on error <err> (a positive errno) of the op of its current
 * step, HAProxy's words for where it happened. */
static void check_fail_errno(struct check *c, int err)
{
	const struct tc_rule *r = c->rules && c->step < c->rules->nb ? &c->rules->r[c->step] : NULL;
	int tout = err == ETIMEDOUT || err == ECANCELED;
	enum check_result res;
	char info[400], d[200];
	size_t n = 0;

	if (c->phase == CK_CONNECT)
		res = tout ? CHECK_L4_TIMEOUT : err == ECONNREFUSED ? CHECK_L4_REFUSED : CHECK_L4_ERROR;
	else if (c->phase == CK_TLS_HS)
		res = tout ? CHECK_L6_TIMEOUT : CHECK_L6_RSP;
	else if (tout)
		res = r && r->tout_status && c->phase == CK_RECV ? (enum check_result)(r->tout_status - 1) :
		      CHECK_L7_TIMEOUT;
	else
		res = CHECK_SOCK_ERR;
	info[0] = 0;
	/* errors a connect() reports at once: HAProxy names them a socket error */
	if (c->phase == CK_CONNECT && (err == ENETUNREACH || err == EACCES || err == EPERM))
		n = (size_t)snprintf(info, sizeof(info), "General socket error (%s)", strerror(err));
	else if (c->phase == CK_TLS_HS && !tout)
		n = (size_t)snprintf(info, sizeof(info), "%s", ck_tls_error(c->tls));
	else if (!tout)
		n = (size_t)snprintf(info, sizeof(info), "%s", strerror(err));
	if (check_is_tcpchk(c)) {
		if ((c->phase == CK_CONNECT || c->phase == CK_TLS_HS) && c->conn_step < 0)
			snprintf(info + n, sizeof(info) - n, " at initial connection step of tcp-check");
		else if (r) {
			n += (size_t)snprintf(info + n, sizeof(info) - n, " at step %d of tcp-check (%s)",
			                      c->step + 1, tc_rule_desc(r, d, sizeof(d)));
			if (r->comment && n < sizeof(info))
				snprintf(info + n, sizeof(info) - n, " comment: '%s'", r->comment);
		}
	}
	c->code = 0;
	check_done(c, res, info[0] ? info : NULL);
}

/* Returns 1 if expect rule <r> finds its pattern in <buf>/<len>. */
static int tc_match(const struct tc_rule *r, const char *buf, size_t len)
{
	static __thread char hex[2 * CHECK_BUFSIZE + 1];
	static const char digits[] = "0123456789ABCDEF";

	switch (r->kind) {
	case TC_EXPECT_RX:
		return rx_match(r->rx, buf, len);
	case TC_EXPECT_RBIN:
		/* the regex runs on the bytes written in uppercase hex */
		for (size_t i = 0; i < len; i++) {
			hex[2 * i] = digits[(unsigned char)buf[i] >> 4];
			hex[2 * i + 1] = digits[(unsigned char)buf[i] & 15];
		}
		return rx_match(r->rx, hex, 2 * len);
	default:
		return r->len <= len && memmem(buf, len, r->data, r->len) != NULL;
	}
}

/* Sets c->code from rule <r>'s "status-code res.payload(o,l)", if any. */
static void tc_status_code(struct check *c, const struct tc_rule *r)
{
	char num[16];
	size_t l = (size_t)r->code_len;

	if (!r->code_len || (size_t)r->code_off + l > c->rxlen || l >= sizeof(num))
		return;
	memcpy(num, c->buf + r->code_off, l);
	num[l] = 0;
	c->code = atoi(num);
}

/* Ends <c> because expect rule <r> failed (<matched>: it found a pattern
 * it must not), with <res> and <info> when a custom expect gave them. */
static void tc_expect_failed(struct check *c, const struct tc_rule *r, int matched,
                             enum check_result res, const char *info)
{
	char msg[400];
	size_t n = 0;

	msg[0] = 0;
	if (info && *info)
		n = (size_t)snprintf(msg, sizeof(msg), "%s", info);
	else if (r->on_error) {
		tc_fmt_build_vars(r->on_error, c->buf, c->rxlen, c->vars, c->srv, msg, sizeof(msg));
		n = strlen(msg);
	} else if (!c->rxlen)
		n = (size_t)snprintf(msg, sizeof(msg), "TCPCHK got an empty response at step %d", c->step + 1);
	else if (check_is_tcpchk(c)) {
		const char *what = matched ? "TCPCHK matched unwanted content" : "TCPCHK did not match content";

		switch (r->kind) {
		case TC_EXPECT_STR:
			n = (size_t)snprintf(msg, sizeof(msg), "%s '%s' at step %d", what, r->text, c->step + 1);
			break;
		default:
			n = (size_t)snprintf(msg, sizeof(msg), "%s (%s) at step %d", what,
			                     r->kind == TC_EXPECT_BIN ? "binary" :
			                     r->kind == TC_EXPECT_RX ? "regex" :
			                     r->kind == TC_EXPECT_RBIN ? "binary regex" : "custom function",
			                     c->step + 1);
			break;
		}
	}
	if (r->comment && n < sizeof(msg))
		snprintf(msg + n, sizeof(msg) - n, " comment: %s", r->comment);
	tc_status_code(c, r);
	if (res == CHECK_OK)
		res = r->err_status ? (enum check_result)(r->err_status - 1) : CHECK_L7_RSP;
	check_done(c, res, msg[0] ? msg : NULL);
}

/* Returns 1 if rule <i> of <rs> is an expect with no expect after it. */
static int tc_is_last_expect(const struct tc_rules *rs, int i)
{
	for (i++; i < rs->nb; i++)
		if (rs->r[i].kind != TC_COMMENT && rs->r[i].kind != TC_SET_VAR && rs->r[i].kind != TC_UNSET_VAR)
			return 0;
	return 1;
}

/* Evaluates expect rule <r> on what <c> received. Returns TC_EVAL_NEXT
 * (passed), TC_EVAL_WAIT (needs more data) or TC_EVAL_DONE (the check
 * ended, reported). */
static enum tc_eval tc_expect(struct check *c, const struct tc_rule *r)
{
	int last = c->last_read || c->rxlen >= CHECK_BUFSIZE, match;

	if (!last) {
		if ((r->kind == TC_EXPECT_STR || r->kind == TC_EXPECT_BIN) && c->rxlen < r->len)
			return TC_EVAL_WAIT;
		if (r->min_recv > 0 && c->rxlen < (uint32_t)r->min_recv)
			return TC_EVAL_WAIT;
	}
	if (r->kind == TC_EXPECT_CUSTOM) {
		enum check_result res = CHECK_OK;
		enum tc_eval ev;
		char info[256];

		if (!c->rxlen) {
			if (!last)
				return TC_EVAL_WAIT;
			tc_expect_failed(c, r, 0, CHECK_OK, NULL);
			return TC_EVAL_DONE;
		}
		info[0] = 0;
		if (r->custom == TC_CUSTOM_AGENT) {
			int neutral;

			if (check_agent_reply(c->srv, c->buf, c->rxlen, last, &res, &neutral, info,
			                      sizeof(info)) == TC_EVAL_WAIT)
				return TC_EVAL_WAIT;
			c->neutral = neutral;
			c->code = 0;
			check_done(c, res, info[0] ? info : NULL);
			return TC_EVAL_DONE;
		}
		ev = tc_custom_eval(r->custom, c->buf, c->rxlen, last, tc_is_last_expect(c->rules, c->step),
		                    &res, &c->code, info, sizeof(info));
		if (ev == TC_EVAL_FAIL) {
			tc_expect_failed(c, r, 0, res, info);
			return TC_EVAL_DONE;
		}
		if (ev == TC_EVAL_DONE) {
			check_done(c, r->ok_status ? (enum check_result)(r->ok_status - 1) : res,
			           info[0] ? info : NULL);
			return TC_EVAL_DONE;
		}
		return ev;
	}
	match = c->rxlen ? tc_match(r, c->buf, c->rxlen) : 0;
	/* no minimum: a mismatch may still become a match with more data */
	if (!match && !last && r->min_recv == -1)
		return TC_EVAL_WAIT;
	if (match != r->neg)
		return TC_EVAL_NEXT;
	tc_expect_failed(c, r, match, CHECK_OK, NULL);
	return TC_EVAL_DONE;
}

/* Returns the step to resume a waiting expect <i> from: the first negated
 * expect of the run of expects it ends, or <i> (HAProxy's rule: a negated
 * expect is judged again with the data that arrives later). */
static int tc_expect_head(const struct tc_rules *rs, int i)
{
	int head = i;

	for (int k = i - 1; k >= 0; k--) {
		const struct tc_rule *p = &rs->r[k];

		if (p->kind == TC_COMMENT || p->kind == TC_SET_VAR || p->kind == TC_UNSET_VAR)
			continue;
		if (p->kind != TC_EXPECT_STR && p->kind != TC_EXPECT_BIN && p->kind != TC_EXPECT_RX &&
		    p->kind != TC_EXPECT_RBIN && p->kind != TC_EXPECT_CUSTOM)
			break;
		if (p->neg)
			head = k;
	}
	return head;
}

/* Ends <c> because HTTP expect <r> failed with <res>; <desc> is HAProxy's
 * description when the rule gives no on-error message. */
static void http_expect_failed(struct check *c, const struct tc_rule *r, enum check_result res,
                               const char *desc, size_t dlen)
{
	char msg[400];
	size_t n = 0;

	msg[0] = 0;
	if (r->on_error) {
		tc_fmt_build_vars(r->on_error, c->buf, c->rxlen, c->vars, c->srv, msg, sizeof(msg));
		n = strlen(msg);
	} else if (desc)
		n = (size_t)snprintf(msg, sizeof(msg), "%.*s", (int)dlen, desc);
	if (r->comment && n < sizeof(msg))
		snprintf(msg + n, sizeof(msg) - n, " comment: %s", r->comment);
	tc_status_code(c, r);
	check_done(c, r->err_status ? (enum check_result)(r->err_status - 1) : res, msg[0] ? msg : NULL);
}

/* Evaluates HTTP expect rule <r> on the response <c> received. Returns
 * TC_EVAL_NEXT (passed), TC_EVAL_WAIT (needs more) or TC_EVAL_DONE (the
 * check ended, reported). */
static enum tc_eval http_expect(struct check *c, const struct tc_rule *r)
{
	static __thread char body[CHECK_BUFSIZE];
	int last = c->last_read || c->rxlen >= CHECK_BUFSIZE, match, rc;
	const struct tc_http_exp *e = r->hexp;
	int is_body = e->type == TC_HX_STRING || e->type == TC_HX_RSTRING;
	struct tc_hrsp rsp;

	rc = tc_http_parse(c->buf, c->rxlen, last, body, sizeof(body), &rsp);
	if (rc == 0)
		return TC_EVAL_WAIT;
	if (rc < 0) {
		http_expect_failed(c, r, CHECK_L7_RSP, NULL, 0);
		return TC_EVAL_DONE;
	}
	c->code = rsp.code;
	/* disable-on-404: a 404 from a server still up passes, conditionally */
	if (c->rules->disable_404 && rsp.code == 404 && c->srv->state != SRV_DOWN) {
		c->cond404 = 1;
		return TC_EVAL_NEXT;
	}
	if (is_body) {
		if (!rsp.blen) {
			if (!rsp.complete)
				return TC_EVAL_WAIT;
			http_expect_failed(c, r, CHECK_L7_RSP, "HTTP content check could not find a response body", 50);
			return TC_EVAL_DONE;
		}
		if (!rsp.complete && ((e->type == TC_HX_STRING && rsp.blen < r->len) ||
		                      (r->min_recv > 0 && rsp.blen < (size_t)r->min_recv)))
			return TC_EVAL_WAIT;
	}
	match = tc_http_match_vars(r, &rsp, c->buf, c->rxlen, c->vars, c->srv);
	if (is_body && !match && !rsp.complete && r->min_recv == -1)
		return TC_EVAL_WAIT;
	if (match != r->neg)
		return TC_EVAL_NEXT;
	if (is_body)
		http_expect_failed(c, r, CHECK_L7_RSP, r->neg ? "HTTP check matched unwanted content" :
		                   "HTTP content check did not match", r->neg ? 35 : 32);
	else
		http_expect_failed(c, r, CHECK_L7_STS, rsp.rlen ? rsp.reason : NULL, rsp.rlen);
	return TC_EVAL_DONE;
}

/* Ends <c>: the server closed with nothing to judge for expect rule <r>
 * (HAProxy 2.6 says so before looking at the rule's patterns). */
static void tc_empty_response(struct check *c, const struct tc_rule *r)
{
	char msg[400];
	int n = snprintf(msg, sizeof(msg), "TCPCHK got an empty response at step %d", c->step + 1);

	if (r->comment && n > 0 && (size_t)n < sizeof(msg))
		snprintf(msg + n, sizeof(msg) - (size_t)n, " comment: '%s'", r->comment);
	c->code = 0;
	check_done(c, r->err_status ? (enum check_result)(r->err_status - 1) : CHECK_L7_RSP, msg);
}

/* The rules of <c> all passed: the result is the last rule's. */
static void tc_passed(struct check *c)
{
	const struct tc_rules *rs = c->rules;
	const struct tc_rule *r = NULL;
	char msg[400];

	for (int i = rs->nb - 1; i >= 0 && !r; i--)
		if (rs->r[i].kind != TC_COMMENT && rs->r[i].kind != TC_SET_VAR && rs->r[i].kind != TC_UNSET_VAR)
			r = &rs->r[i];
	if (rs->is_http && c->cond404 && c->code == 404) {
		check_done(c, CHECK_L7_OKC, NULL);
		return;
	}
	if (!rs->is_http)
		c->code = 0;    /* an HTTP check keeps the response's status */
	if (r && r->kind == TC_CONNECT) {
		check_done(c, ck_tls_active(c->tls) ? CHECK_L6_OK : CHECK_OK, "(tcp-check)");
		return;
	}
	if (!r || r->kind == TC_SEND || r->kind == TC_SEND_LF) {
		check_done(c, CHECK_L7_OK, "(tcp-check)");
		return;
	}
	msg[0] = 0;
	if (r->on_success)
		tc_fmt_build_vars(r->on_success, c->buf, c->rxlen, c->vars, c->srv, msg, sizeof(msg));
	else if (check_is_tcpchk(c))
		snprintf(msg, sizeof(msg), "(tcp-check)");
	tc_status_code(c, r);
	check_done(c, r->ok_status ? (enum check_result)(r->ok_status - 1) : CHECK_L7_OK,
	           msg[0] ? msg : NULL);
}

static void check_connect(struct check *c, const struct tc_rule *r);
static void check_free(struct check *c);

/* Runs "set-var(check.x) <expr>" / "unset-var(check.x)" rule <r>: the
 * expression is evaluated without a stream (constants, env, the backend's
 * state); not found leaves the variable as it is, as HAProxy does. */
static void tc_var_rule(struct check *c, const struct tc_rule *r)
{
	struct smp_ctx ctx;
	struct sample smp;

	if (!c->vars)
		return;
	if (r->kind == TC_UNSET_VAR) {
		ckvars_unset(c->vars, r->text);
		return;
	}
	if (r->lf) {
		/* a fetch of the response: nothing found leaves the variable */
		char v[CKVAR_LEN];
		size_t n = tc_fmt_build_vars(r->lf, c->buf, c->rxlen, c->vars, c->srv, v, sizeof(v));

		if (n)
			ckvars_set(c->vars, r->text, v, n);
		return;
	}
	memset(&ctx, 0, sizeof(ctx));
	ctx.px = c->srv->px;
	ctx.final = 1;
	if (sample_expr_eval(r->expr, &ctx, &smp) && sample_cast(&smp, SMP_T_STR))
		ckvars_set(c->vars, r->text, smp.u.str.ptr, smp.u.str.len);
}

/* Builds the bytes of send-lf rule <r> in c->buf (c->txlen); with
 * send-binary-lf, the text is hex decoded. Returns 0 or -1. */
static int tc_send_lf_build(struct check *c, const struct tc_rule *r)
{
	size_t n = tc_fmt_build_vars(r->lf, NULL, 0, c->vars, c->srv, c->buf, CHECK_BUFSIZE);

	if (r->len) {
		size_t o = 0;

		if (n % 2)
			return -1;
		for (size_t i = 0; i < n; i += 2) {
			int hi = c->buf[i], lo = c->buf[i + 1];

			if (!isxdigit(hi) || !isxdigit(lo))
				return -1;
			hi = isdigit(hi) ? hi - '0' : (tolower(hi) - 'a' + 10);
			lo = isdigit(lo) ? lo - '0' : (tolower(lo) - 'a' + 10);
			c->buf[o++] = (char)(hi << 4 | lo);
		}
		n = o;
	}
	c->txlen = (uint32_t)n;
	return 0;
}
static enum tc_eval http_expect(struct check *c, const struct tc_rule *r);
static int check_send(struct check *c);
static int check_recv(struct check *c);

/* Returns how many bytes of the send rule being run are left to send,
 * and in <*p> (when not NULL) where they are: the rule's own (send,
 * send-binary), or built into c->buf when the step started (send-lf,
 * http-check send). */
static uint32_t check_tx(const struct check *c, const char **p)
{
	const struct tc_rule *r = &c->rules->r[c->step];
	uint32_t len = r->kind == TC_SEND ? (uint32_t)r->len : c->txlen;

	if (p)
		*p = (r->kind == TC_SEND ? r->data : c->buf) + c->txoff;
	return len > c->txoff ? len - c->txoff : 0;
}

/* Runs the rules of <c> from c->step until one needs to wait (an op is
 * submitted) or the check ends. */
static void tc_run(struct check *c)
{
	const struct tc_rules *rs = c->rules;

	while (c->step < rs->nb) {
		const struct tc_rule *r = &rs->r[c->step];

		switch (r->kind) {
		case TC_COMMENT:
			c->step++;
			continue;
		case TC_CONNECT:
			if (c->conn_step == c->step) {
				c->step++;     /* this rule's connection is up */
				continue;
			}
			/* a new connection replaces the current one */
			if (c->fd >= 0) {
				if (ring_close(c->thr->ring, NULL, c->fd) < 0)
					close(c->fd);
				c->fd = -1;
			}
			ck_tls_end(c->tls);
			check_connect(c, r);
			return;
		case TC_SET_VAR:
		case TC_UNSET_VAR:
			tc_var_rule(c, r);
			c->step++;
			continue;
		case TC_SEND_LF:
		case TC_SEND:
		case TC_HTTP_SEND:
			if (c->phase != CK_SEND) {
				/* a new request: what came before is forgotten */
				c->phase = CK_SEND;
				c->txoff = 0;
				c->rxlen = 0;
				c->last_read = 0;
				if (r->kind == TC_SEND_LF && tc_send_lf_build(c, r) < 0) {
					char msg[96];

					snprintf(msg, sizeof(msg), "tcp-check send : failed to build log-format string at step %d",
					         c->step + 1);
					check_done(c, CHECK_L7_RSP, msg);
					return;
				}
				if (r->kind == TC_HTTP_SEND) {
					c->txlen = (uint32_t)tc_http_build_vars(r, c->srv, rs->send_state, c->vars, c->buf,
					                                        CHECK_BUFSIZE);
					if (!c->txlen) {
						check_done(c, CHECK_SOCK_ERR, "tcp-check send : failed to build HTTP request");
						return;
					}
				}
			}
			if (!check_tx(c, NULL)) {
				c->txoff = 0;
				c->must_read = 1;
				c->phase = CK_RECV;
				c->step++;
				continue;
			}
			if (check_send(c))
				continue;
			return;
		case TC_HTTP_EXPECT: {
			enum tc_eval ev;

			c->phase = CK_RECV;
			if (c->must_read && !c->last_read)
				break;
			ev = http_expect(c, r);
			if (ev == TC_EVAL_DONE)
				return;
			if (ev == TC_EVAL_NEXT) {
				c->step++;
				continue;
			}
			break;
		}
		case TC_EXPECT_STR:
		case TC_EXPECT_BIN:
		case TC_EXPECT_RX:
		case TC_EXPECT_RBIN:
		case TC_EXPECT_CUSTOM: {
			enum tc_eval ev;

			c->phase = CK_RECV;
			if (c->must_read && !c->last_read)
				break;
			if (c->last_read && !c->rxlen) {
				tc_empty_response(c, r);
				return;
			}
			ev = tc_expect(c, r);
			if (ev == TC_EVAL_DONE)
				return;
			if (ev == TC_EVAL_NEXT) {
				c->step++;
				continue;
			}
			c->step = tc_expect_head(rs, c->step);
			break;
		}
		}
		/* read more, then run this step again (a full buffer was judged
		 * as final by every expect: this is only a safety net) */
		if (c->rxlen >= CHECK_BUFSIZE) {
			check_done(c, CHECK_L7_RSP, NULL);
			return;
		}
		if (check_recv(c))
			continue;
		return;
	}
	tc_passed(c);
}

/* Takes the result <res> of a receive (plaintext bytes, 0 at the end,
 * -errno): an error after some data lets the data be judged, as HAProxy
 * does. Returns 1, or 0 when the check ended. */
static int check_got(struct check *c, int res)
{
	if (res < 0 && !c->rxlen) {
		check_fail_errno(c, -res);
		return 0;
	}
	if (res <= 0)
		c->last_read = 1;
	else
		c->rxlen += (uint32_t)res;
	c->must_read = 0;
	return 1;
}

/* Over TLS: moves the session of <c> toward the end of its phase's
 * operation (handshake, sending check_tx(), receiving into <buf>).
 * Returns 1 when it ended at once with <*res> (bytes, as a ring op would
 * return them), else 0: an op is in flight or the check ended. */
static int check_tls_step(struct check *c, int *res)
{
	enum ck_tls_op op = c->phase == CK_TLS_HS ? CKT_HANDSHAKE : c->phase == CK_SEND ? CKT_WRITE : CKT_READ;
	const char *tx;
	void *buf = c->buf + c->rxlen, *io;
	size_t len = CHECK_BUFSIZE - c->rxlen, n;
	int rc;

	if (op == CKT_WRITE) {
		len = check_tx(c, &tx);
		buf = (void *)tx;
	}
	switch (ck_tls_next(c->tls, op, buf, len, &io, &n, res)) {
	case CKT_DONE:
		return 1;
	case CKT_SEND:
		rc = ring_send(c->thr->ring, &c->op, c->fd, io, n);
		break;
	case CKT_RECV:
		rc = ring_recv(c->thr->ring, &c->op, c->fd, io, n);
		break;
	default:
		/* a failed handshake is named by check_fail_errno() */
		check_fail_errno(c, EPROTO);
		return 0;
	}
	if (rc < 0)
		check_fail_errno(c, EBUSY);
	return 0;
}

/* Sends what is left of the current send rule on <c>'s connection.
 * Returns 1 when bytes were taken at once (c->txoff moved), else 0 (the
 * op's completion goes on, or the check ended). */
static int check_send(struct check *c)
{
	const char *p;
	uint32_t n = check_tx(c, &p);
	int res;

	if (!ck_tls_active(c->tls)) {
		if (ring_send(c->thr->ring, &c->op, c->fd, p, n) < 0)
			check_fail_errno(c, EBUSY);
		return 0;
	}
	if (!check_tls_step(c, &res))
		return 0;
	c->txoff += (uint32_t)res;
	return 1;
}

/* Receives into c->buf after what it holds. Returns 1 when data (or the
 * end) was there at once (decrypted already), else 0 as check_send(). */
static int check_recv(struct check *c)
{
	int res;

	if (!ck_tls_active(c->tls)) {
		if (ring_recv(c->thr->ring, &c->op, c->fd, c->buf + c->rxlen, CHECK_BUFSIZE - c->rxlen) < 0)
			check_fail_errno(c, EBUSY);
		return 0;
	}
	return check_tls_step(c, &res) && check_got(c, res);
}

/* Starts TLS on the new connection of <c> when its connect rule (or the
 * server, for the implicit connect and "connect default") asks for it.
 * Returns 1 (started), 0 (in clear) or -1 (no memory). */
static int check_tls_begin(struct check *c)
{
	const struct tc_rule *r = c->conn_step >= 0 ? &c->rules->r[c->conn_step] : NULL;
	const struct server *s = c->srv;
	int dflt = !r || r->dflt;
	const char *sni, *alpn;

	if (!c->tls || !((r && r->ssl) || (dflt && check_srv_default_tls(s))))
		return 0;
	sni = r && r->sni ? r->sni : dflt ? s->check_sni : NULL;
	alpn = r && r->alpn ? r->alpn : dflt ? s->check_alpn : NULL;
	return ck_tls_start(c->tls, s->check_tls_ctx[c->thr->id], sni, alpn, s->verifyhost) < 0 ? -1 : 1;
}

/* The connection of <c> is up (its TLS handshake done): runs the rules. */
static void check_connected(struct check *c)
{
	if (!c->rules) {
		check_done(c, ck_tls_active(c->tls) ? CHECK_L6_OK : CHECK_OK, NULL);
		return;
	}
	if (!c->connected && c->read_timeout)
		timer_arm(&c->thr->timers, &c->timer, timer_now_ms() + c->read_timeout);
	c->connected = 1;
	c->rxlen = 0;
	c->last_read = 0;
	c->must_read = 1;
	c->phase = CK_RECV;
	tc_run(c);
}

/* The connection of <c> is up, its PROXY header sent: starts TLS when
 * it is asked for, else runs the rules. */
static void check_tls_then_rules(struct check *c)
{
	int res;

	switch (check_tls_begin(c)) {
	case 1:
		c->phase = CK_TLS_HS;
		if (check_tls_step(c, &res))
			check_connected(c);
		return;
	case -1:
		check_fail_errno(c, ENOMEM);
		return;
	}
	check_connected(c);
}

/* Sends a PROXY header on the new connection of <c> when its connect rule
 * ("send-proxy") or the server ("check-send-proxy", or "send-proxy" without
 * a check port or address, HAProxy's rule) asks for one: version 2 when the
 * server has "send-proxy-v2" (a LOCAL header, as HAProxy's checks send),
 * else version 1 with the check connection's own addresses. Returns 1
 * when the send is in flight (or the check ended), 0 when none is sent. */
static int check_proxy_hdr(struct check *c)
{
	const struct tc_rule *r = c->conn_step >= 0 ? &c->rules->r[c->conn_step] : NULL;
	const struct server *s = c->srv;
	struct addr local;
	size_t n;

	if (c->agent || !((r && r->send_proxy) ||
	                  ((!r || r->dflt) && (s->check_send_proxy ||
	                                       ((s->send_proxy || s->send_proxy_v2) && !s->check_port &&
	                                        !s->has_check_addr)))))
		return 0;
	if (s->send_proxy_v2) {
		struct addr none;

		memset(&none, 0, sizeof(none));
		n = listener_proxy_hdr_build_v2(c->pp, sizeof(c->pp), &none, &none);
		if (n > 12)
			c->pp[12] = 0x20;   /* version 2, LOCAL: no client behind a check */
	} else {
		memset(&local, 0, sizeof(local));
		local.len = sizeof(local.u);
		if (getsockname(c->fd, &local.u.sa, &local.len) < 0)
			local.u.sa.sa_family = AF_UNSPEC;
		n = listener_proxy_hdr_build(c->pp, sizeof(c->pp), &local, &c->conn_addr);
	}
	c->pplen = (uint8_t)n;
	c->ppoff = 0;
	c->phase = CK_PROXY_HDR;
	if (!n || ring_send(c->thr->ring, &c->op, c->fd, c->pp, n) < 0)
		check_fail_errno(c, EBUSY);
	return 1;
}

/* The end of the operation of <c>'s phase with <res> (as a ring op
 * returns it; over TLS, in plaintext bytes). */
static void check_io_done(struct check *c, int res)
{
	if (res < 0 && c->phase != CK_RECV) {
		check_fail_errno(c, -res);
		return;
	}
	switch (c->phase) {
	case CK_CONNECT:
		if (!check_proxy_hdr(c))
			check_tls_then_rules(c);
		return;
	case CK_PROXY_HDR:
		c->ppoff += (uint8_t)res;
		if (c->ppoff < c->pplen) {
			if (ring_send(c->thr->ring, &c->op, c->fd, c->pp + c->ppoff, c->pplen - c->ppoff) < 0)
				check_fail_errno(c, EBUSY);
			return;
		}
		check_tls_then_rules(c);
		return;
	case CK_TLS_HS:
		check_connected(c);
		return;
	case CK_SEND:
		c->txoff += (uint32_t)res;
		tc_run(c);
		return;
	case CK_RECV:
		if (check_got(c, res))
			tc_run(c);
		return;
	case CK_IDLE:
		return;
	}
}

/* The completion of the op in flight of <c>: connect, send or receive
 * (over TLS: of ciphertext, turned into the end of the phase's operation
 * when there is one). */
static void check_op_cb(struct ring_op *op, int res, uint32_t flags)
{
	struct check *c = container_of(op, struct check, op);

	(void)flags;
	if (c->stopped) {
		struct check **p = &zombies;

		while (*p && *p != c)
			p = &(*p)->next;
		if (*p)
			*p = c->next;
		check_free(c);
		return;
	}
	if (c->timed_out) {
		check_fail_errno(c, ETIMEDOUT);
		return;
	}
	if (ck_tls_active(c->tls) && c->phase != CK_CONNECT) {
		if (ck_tls_io_done(c->tls, res) < 0) {
			check_fail_errno(c, res < 0 ? -res : EPIPE);
			return;
		}
		if (!check_tls_step(c, &res))
			return;
	}
	check_io_done(c, res);
}

/* Starts the connection of <c> for connect rule <r> (NULL: the implicit
 * connect to the server's check address). */
static void check_connect(struct check *c, const struct tc_rule *r)
{
	struct addr a = r && r->has_addr ? r->addr : c->addr;
	int fd, rc, port = r ? r->port : 0;

	if (r && (r->text || r->expr)) {
		/* "port <expr>": a variable of the check or an expression */
		char num[16];
		size_t n = 0;
		const char *v = NULL;
		struct sample smp;
		struct smp_ctx ctx;

		if (r->text)
			v = ckvars_get(c->vars, r->text, &n);
		else {
			memset(&ctx, 0, sizeof(ctx));
			ctx.px = c->srv->px;
			ctx.final = 1;
			if (sample_expr_eval(r->expr, &ctx, &smp) && sample_cast(&smp, SMP_T_STR)) {
				v = smp.u.str.ptr;
				n = smp.u.str.len;
			}
		}
		if (v && n && n < sizeof(num)) {
			memcpy(num, v, n);
			num[n] = 0;
			port = atoi(num);
		}
		if (port < 1 || port > 65535)
			port = 0;       /* not found or invalid: the server's port */
	}

	if (r && r->has_addr && !r->port && !(a.u.sa.sa_family == AF_INET ? a.u.in4.sin_port :
	                                      a.u.sa.sa_family == AF_INET6 ? a.u.in6.sin6_port : 1))
		port = ntohs(c->addr.u.sa.sa_family == AF_INET6 ? c->addr.u.in6.sin6_port :
		             c->addr.u.in4.sin_port);
	c->phase = CK_CONNECT;
	c->conn_step = r ? c->step : -1;
	if (port) {
		if (a.u.sa.sa_family == AF_INET)
			a.u.in4.sin_port = htons((uint16_t)port);
		else if (a.u.sa.sa_family == AF_INET6)
			a.u.in6.sin6_port = htons((uint16_t)port);
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
		timer_cancel(&c->thr->timers, &c->timer);
		timer_arm(&c->thr->timers, &c->timer, timer_now_ms() + 100);
		return;
	}
}

/* Starts one check of <c>. */
static void check_launch(struct check *c)
{
	const struct tc_rules *rs = c->rules;
	int first = 0;

	c->start_ms = timer_now_ms();
	c->timed_out = 0;
	c->step = 0;
	c->txoff = 0;
	c->rxlen = 0;
	c->code = 0;
	c->must_read = 1;
	c->last_read = 0;
	c->connected = 0;
	c->cond404 = 0;
	if (c->vars)
		c->vars->nb = 0;
	/* comments and variables may come before the first connect */
	while (rs && first < rs->nb && (rs->r[first].kind == TC_COMMENT || rs->r[first].kind == TC_SET_VAR ||
	                                rs->r[first].kind == TC_UNSET_VAR)) {
		if (rs->r[first].kind != TC_COMMENT)
			tc_var_rule(c, &rs->r[first]);
		first++;
	}
	timer_arm(&c->thr->timers, &c->timer, c->start_ms + c->timeout);
	if (rs && first < rs->nb && rs->r[first].kind == TC_CONNECT) {
		c->step = first;
		check_connect(c, &rs->r[first]);
	} else
		check_connect(c, NULL);
}

static void check_timer_cb(struct timer *t)
{
	struct check *c = container_of(t, struct check, timer);

	if (c->phase == CK_IDLE) {
		/* "disable health" / "disable agent": look again later */
		if (c->agent ? c->srv->agent_paused : c->srv->check_paused)
			timer_arm(&c->thr->timers, &c->timer, timer_now_ms() + check_next_interval(c->srv));
		else
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

void check_server_moved(struct server *srv)
{
	struct check *c = srv->check_ctx;

	if (c)
		check_addr(c, srv);
}

int check_in_progress(const struct server *srv)
{
	const struct check *c = srv->check_ctx;

	return c && c->fd >= 0;
}

int check_cfg_validate(struct config *cfg)
{
	int nerr = 0;

	for (struct proxy *px = cfg->proxies; px; px = px->next) {
		if (!(px->cap & PX_CAP_BE))
			continue;
		for (struct server *s = px->srv; s; s = s->next) {
			struct check c;

			nerr += check_agent_validate(s);
			if (!s->check || s->disabled || check_addr(&c, s) == 0)
				continue;
			/* waiting for DNS: a name has no ':', so one means a port */
			if (s->dns_maint && (s->check_port || strchr(s->addr_text, ':')))
				continue;
			rp_alert("config : config: %s '%s': server '%s' has neither service port nor check port.",
			         (px->cap & PX_CAP_FE) ? "proxy" : "backend", px->name, s->name);
			nerr++;
		}
	}
	return nerr;
}

/* Frees <c> (no op in flight). */
static void check_free(struct check *c)
{
	if (c->fd >= 0)
		close(c->fd);
	tc_rules_free(c->own_rules);
	ck_tls_free(c->tls);
	free(c->vars);
	free(c->buf);
	free(c);
}

/* Starts the agent check of <s> on thread <t>, its first run after
 * <first> ms. Returns 1 (started), 0 (no agent port) or -ENOMEM. */
static int check_start_agent(struct server *s, struct thr *t, uint64_t first)
{
	struct proxy *px = s->px;
	struct check *c;
	uint32_t inter = s->agent_inter ? s->agent_inter : (s->inter ? s->inter : 2000);

	s->agent_health = s->rise;
	if (!s->agent_port)
		return 0;
	if (!(c = calloc(1, sizeof(*c))))
		return -ENOMEM;
	c->srv = s;
	c->thr = t;
	c->fd = -1;
	c->agent = 1;
	c->addr = s->has_agent_addr ? s->agent_addr : s->addr;
	if (c->addr.u.sa.sa_family == AF_INET)
		c->addr.u.in4.sin_port = htons((uint16_t)s->agent_port);
	else if (c->addr.u.sa.sa_family == AF_INET6)
		c->addr.u.in6.sin6_port = htons((uint16_t)s->agent_port);
	c->timeout = px->to.check && px->to.connect && px->to.connect < inter ? px->to.connect : inter;
	c->read_timeout = px->to.check;
	if (!(c->own_rules = check_agent_program(s)) || !(c->buf = malloc(CHECK_BUFSIZE))) {
		check_free(c);
		return -ENOMEM;
	}
	c->rules = c->own_rules;
	ring_op_init(&c->op, check_op_cb);
	timer_init(&c->timer, check_timer_cb);
	c->next = checks;
	checks = c;
	timer_arm(&t->timers, &c->timer, timer_now_ms() + first);
	return 1;
}

int check_start(struct config *cfg, struct thr *t)
{
	int n = 0, nb = 0, k = 0;

	check_spread = cfg->g.spread_checks <= 50 ? cfg->g.spread_checks : 50;
	check_http_set_node(cfg->g.node);
	check_rand ^= (uint32_t)timer_now_ms();
	if (!check_rand)
		check_rand = 1;

	for (struct proxy *px = cfg->proxies; px; px = px->next)
		for (struct server *s = px->srv; s; s = s->next)
			if ((s->check || s->agent_check) && !s->disabled)
				nb++;
	for (struct proxy *px = cfg->proxies; px; px = px->next) {
		if (!(px->cap & PX_CAP_BE) || px->disabled)
			continue;
		for (struct server *s = px->srv; s; s = s->next) {
			struct check *c;
			uint32_t inter;

			if (s->agent_check && !s->disabled) {
				int rc = check_start_agent(s, t, (uint64_t)(s->inter ? s->inter : 2000) * k /
				                                 (nb ? nb : 1));

				if (rc < 0)
					return rc;
				n += rc;
			}
			if (!s->check || s->disabled)
				continue;
			if (!(c = calloc(1, sizeof(*c))))
				return -ENOMEM;
			c->srv = s;
			c->thr = t;
			c->fd = -1;
			/* a server waiting for its first DNS answer gets its address later */
			if (check_addr(c, s) < 0 && !s->dns_maint) {
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
			} else if ((px->options & PXO_TCP_CHECK) && px->check_rules) {
				const struct tc_rules *rs = px->check_rules;

				c->rules = rs->nb ? rs : NULL;
			} else if (px->check_rules && ((struct tc_rules *)px->check_rules)->proto_prog)
				c->rules = ((struct tc_rules *)px->check_rules)->proto_prog;
			if (c->rules) {
				if (!(c->buf = malloc(CHECK_BUFSIZE))) {
					free(c);
					return -ENOMEM;
				}
				for (int i = 0; i < c->rules->nb; i++)
					if (c->rules->r[i].kind == TC_SET_VAR && !c->vars &&
					    !(c->vars = calloc(1, sizeof(*c->vars)))) {
						check_free(c);
						return -ENOMEM;
					}
			}
			if (s->check_tls_ctx && check_srv_uses_tls(s) && !(c->tls = ck_tls_new())) {
				check_free(c);
				return -ENOMEM;
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
		if (c->srv && !c->agent)
			c->srv->check_ctx = NULL;
		if (c->op.inflight) {
			/* never free with an op in flight: its completion frees it */
			c->stopped = 1;
			ring_cancel(c->thr->ring, &c->op);
			c->next = zombies;
			zombies = c;
			continue;
		}
		check_free(c);
	}
}
