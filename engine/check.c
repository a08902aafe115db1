/* check.c: TCP connect health checks (check.h). One context per checked
 * server, allocated at start-up: a timer and a ring op. Every interval the
 * timer fires a non-blocking connect through the thread's ring; the same
 * timer, re-armed to the check timeout, cancels the connect if it is still
 * in flight. The completion feeds check_report(), which runs HAProxy's
 * health state machine:
 *
 *   health in [0, rise + fall - 1]; the server is UP when health >= rise.
 *   A success raises health (UP when it reaches rise from below); a failure
 *   lowers it while above rise, and at or below rise drops it to 0 (DOWN).
 *   Servers start UP with health = rise, so the first failed check after
 *   start-up takes a server DOWN, as HAProxy does. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "engine/check.h"
#include "engine/lb.h"
#include "engine/log.h"
#include "engine/proxy.h"
#include "engine/ring.h"
#include "engine/thread.h"
#include "engine/timer.h"

struct check {
	struct check *next;
	struct server *srv;
	struct thr *thr;
	struct timer timer;
	struct ring_op op;
	struct addr addr;           /* where to connect; kept alive for the ring */
	int fd;                     /* -1 when idle */
	unsigned timed_out:1;       /* the timer cancelled the connect in flight */
	unsigned stopped:1;         /* check_stop() ran: free on the last completion */
	uint64_t start_ms;          /* when the connect was submitted */
	uint32_t timeout;           /* ms */
};

/* Invariant: a check is either idle (fd == -1, timer armed for the next
 * check) or connecting (fd >= 0, op.inflight == 1, timer armed for the
 * timeout). Every context is on <checks> until check_stop(), which frees
 * the idle ones and moves those with a connect in flight to <zombies>,
 * freed by their last completion (or never, if the ring goes first). */
static struct check *checks, *zombies;

static const char *const check_reason[] = {
	[CHECK_OK] = "Layer4 check passed",
	[CHECK_L4_REFUSED] = "Layer4 connection problem",
	[CHECK_L4_TIMEOUT] = "Layer4 timeout",
	[CHECK_L4_ERROR] = "Layer4 connection problem",
};

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

/* Writes "<lead> reason: <why>[, info: "<strerror>"], check duration: <d>ms"
 * into <out>. */
static void check_reason_text(char *out, size_t sz, enum check_result res, int errnum,
                              unsigned dur_ms, const char *lead)
{
	char info[160] = "";

	if (res != CHECK_OK && res != CHECK_L4_TIMEOUT && errnum)
		snprintf(info, sizeof(info), ", info: \"%s\"", strerror(errnum));
	snprintf(out, sz, "%s reason: %s%s, check duration: %ums", lead, check_reason[res], info, dur_ms);
}

/* With "option log-health-checks": logs one check whose result changed the
 * health or the status, as HAProxy does, with the health after it. */
static void check_log_result(struct server *srv, enum check_result res, int errnum, unsigned dur_ms)
{
	struct proxy *be = srv->px;
	char msg[512], reason[256];
	int n, up = srv->health >= srv->rise;

	check_reason_text(reason, sizeof(reason), res, errnum, dur_ms, ",");
	n = snprintf(msg, sizeof(msg), "Health check for %sserver %s/%s %s%s, status: %d/%d %s.",
	             srv->backup ? "backup " : "", be->name, srv->name,
	             res == CHECK_OK ? "succeeded" : "failed", reason,
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
static void check_log_change(struct server *srv, enum check_result res, int errnum, unsigned dur_ms)
{
	struct proxy *be = srv->px;
	char msg[512], reason[256];
	int act, bck, n;

	count_up(be, &act, &bck);
	if (be->options & PXO_LOG_HEALTH_CHECKS)
		reason[0] = 0;      /* the check's own line already gave it */
	else
		check_reason_text(reason, sizeof(reason), res, errnum, dur_ms, ",");
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

int check_report(struct server *srv, enum check_result res, int errnum, unsigned dur_ms)
{
	int max = srv->rise + srv->fall - 1;
	enum srv_state prev = srv->state;

	int prev_health = srv->health, changed_status;

	if (srv->state == SRV_MAINT)
		return 0;       /* an administrative state: checks do not change it */
	/* the first result always differs from the initial status */
	changed_status = srv->check_last != (int)res + 1;
	srv->check_last = (int)res + 1;
	if (res == CHECK_OK) {
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
	    (changed_status || (res == CHECK_OK ? prev_health != max : prev_health != 0)))
		check_log_result(srv, res, errnum, dur_ms);
	if (srv->state == prev)
		return 0;
	lb_server_changed(srv);
	check_log_change(srv, res, errnum, dur_ms);
	return 1;
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

/* Ends the connect in flight of <c> with <res>/<err>, closes the socket and
 * schedules the next check. */
static void check_done(struct check *c, enum check_result res, int err)
{
	uint64_t now = timer_now_ms();
	unsigned dur = now > c->start_ms ? (unsigned)(now - c->start_ms) : 0;

	if (c->fd >= 0) {
		if (ring_close(c->thr->ring, NULL, c->fd) < 0)
			close(c->fd);
		c->fd = -1;
	}
	check_report(c->srv, res, err, dur);
	timer_arm(&c->thr->timers, &c->timer, now + check_next_interval(c->srv));
}

static void check_connect_cb(struct ring_op *op, int res, uint32_t flags)
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
		free(c);
		return;
	}

	timer_cancel(&c->thr->timers, &c->timer);
	if (c->timed_out)
		check_done(c, CHECK_L4_TIMEOUT, ETIMEDOUT);
	else if (res == 0)
		check_done(c, CHECK_OK, 0);
	else if (res == -ECONNREFUSED)
		check_done(c, CHECK_L4_REFUSED, ECONNREFUSED);
	else if (res == -ETIMEDOUT || res == -ECANCELED)
		check_done(c, CHECK_L4_TIMEOUT, ETIMEDOUT);
	else
		check_done(c, CHECK_L4_ERROR, -res);
}

/* Starts one connect of <c>. */
static void check_launch(struct check *c)
{
	int fd, rc;

	c->start_ms = timer_now_ms();
	c->timed_out = 0;
	fd = socket(c->addr.u.sa.sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		check_done(c, CHECK_L4_ERROR, errno);
		return;
	}
	c->fd = fd;
	rc = ring_connect(c->thr->ring, &c->op, fd, &c->addr);
	if (rc < 0) {
		/* submission queue full: not the server's fault, try again soon */
		close(fd);
		c->fd = -1;
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
	/* the connect outlived the check timeout: cancel it, the completion
	 * (-ECANCELED or its real result) reports the timeout */
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
			/* a pure connect check: "timeout check" bounds it when set,
			 * else the connect timeout, else the interval */
			c->timeout = px->to.check ? (px->to.connect && px->to.connect < px->to.check ?
			                             px->to.connect : px->to.check)
			           : px->to.connect ? (px->to.connect < inter ? px->to.connect : inter) : inter;
			ring_op_init(&c->op, check_connect_cb);
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
		free(c);
	}
}
