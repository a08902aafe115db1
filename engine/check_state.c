/* check_state.c: the health state of servers (check.h, check_int.h): what
 * one check result does to a server, and HAProxy's log lines for it.
 *
 *   health in [0, rise + fall - 1]; the server is UP when health >= rise.
 *   A success raises health, and once it reaches rise the server is UP at
 *   full health (rise + fall - 1); a failure lowers it while above rise,
 *   and at or below rise drops it to 0 (DOWN).
 *   Servers start UP with health = rise, so the first failed check after
 *   start-up takes a server DOWN, as HAProxy does.
 *
 * An agent's results move agent_health the same way; a server is UP when
 * both agree. disable-on-404 (L7OKC) drains an UP server. */
#include <stdio.h>
#include <string.h>

#include "engine/check.h"
#include "engine/check_int.h"
#include "engine/lb.h"
#include "engine/log.h"
#include "engine/proxy.h"

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
	[CHECK_L6_OK] = "Layer6 check passed",
	[CHECK_L6_TIMEOUT] = "Layer6 timeout",
	[CHECK_L6_RSP] = "Layer6 invalid response",
	[CHECK_L7_OKC] = "Layer7 check conditionally passed",
};

int check_res_ok(enum check_result res)
{
	return res == CHECK_OK || res == CHECK_L7_OK || res == CHECK_L6_OK || res == CHECK_L7_OKC;
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
                             const char *info, unsigned dur_ms, int agent)
{
	struct proxy *be = srv->px;
	char msg[640], reason[384];
	int n, health = agent ? srv->agent_health : srv->health, up = health >= srv->rise;

	check_reason_text(reason, sizeof(reason), res, code, info, dur_ms);
	n = snprintf(msg, sizeof(msg), "%s check for %sserver %s/%s %s%s%s, status: %d/%d %s.",
	             agent ? "Agent" : "Health", srv->backup ? "backup " : "", be->name, srv->name,
	             res == CHECK_L7_OKC ? "conditionally " : "",
	             check_res_ok(res) ? "succeeded" : "failed", reason,
	             up ? health - srv->rise + 1 : health, up ? srv->fall : srv->rise,
	             up ? (srv->cur_weight ? "UP" : "DRAIN") : "DOWN");
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

void check_log_maint(struct server *srv, int entering)
{
	struct proxy *be = srv->px;
	const char *kind = srv->backup ? "Backup Server" : "Server";
	char msg[512];
	int act, bck, n;

	count_up(be, &act, &bck);
	if (entering)
		n = snprintf(msg, sizeof(msg),
		             "%s %s/%s is going DOWN for maintenance. %d active and %d backup servers left. %u sessions active, %d requeued, %u remaining in queue.",
		             kind, be->name, srv->name, act, bck, srv->cur_conn, 0, srv->nb_queued);
	else if (srv->state == SRV_UP || srv->state == SRV_DRAIN)
		n = snprintf(msg, sizeof(msg), "%s %s/%s is UP/READY (leaving forced maintenance).",
		             kind, be->name, srv->name);
	else
		n = snprintf(msg, sizeof(msg), "%s %s/%s is DOWN (leaving forced maintenance).",
		             kind, be->name, srv->name);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(msg))
		n = sizeof(msg) - 1;
	rp_warning("%s", msg);
	log_send_targets(entering ? LOG_LVL_ALERT : LOG_LVL_NOTICE, msg, (size_t)n, be);
	if (entering && act == 0 && bck == 0) {
		rp_alert("backend '%s' has no server available!", be->name);
		n = snprintf(msg, sizeof(msg), "backend %s has no server available!", be->name);
		if (n > 0)
			log_send_targets(LOG_LVL_EMERG, msg, (size_t)n, be);
	}
}

/* check_report() with the status <code> (< 0: none) and the info text
 * (NULL: none) of the message given. */
int check_report_info(struct server *srv, enum check_result res, int code,
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
		/* UP once the agent (if any) agrees too */
		if (srv->health >= srv->rise && srv->state == SRV_DOWN &&
		    (!srv->agent_check || srv->agent_health >= srv->rise))
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
		check_log_result(srv, res, code, info, dur_ms, 0);
	if (srv->state == prev)
		return 0;
	lb_server_changed(srv);
	check_log_change(srv, res, code, info, dur_ms);
	return 1;
}

/* The result of an agent check of <srv> (HAProxy's rules: a failure to
 * reach the agent changes nothing, a "down" reply takes the server DOWN,
 * an "up" one brings it UP if its health check agrees). <neutral>: the
 * reply announced no health (nothing to count or log). */
void check_agent_report(struct server *srv, enum check_result res, int code,
                               const char *info, unsigned dur_ms, int neutral)
{
	int max = srv->rise + srv->fall - 1, report = 0, changed_status;
	enum srv_state prev = srv->state;

	if (neutral)
		return;
	changed_status = srv->agent_last != (int)res + 1;
	srv->agent_last = (int)res + 1;
	if (!check_res_ok(res)) {
		if (res == CHECK_L7_STS && srv->agent_health > 0) {
			report = 1;
			if (--srv->agent_health < srv->rise)
				srv->agent_health = 0;
		}
	} else if (srv->agent_health < max) {
		report = 1;
		if (++srv->agent_health >= srv->rise)
			srv->agent_health = max;
	}
	if ((srv->px->options & PXO_LOG_HEALTH_CHECKS) && (changed_status || report))
		check_log_result(srv, res, code, info, dur_ms, 1);
	if (srv->state == SRV_MAINT)
		return;
	if (res == CHECK_L7_STS && !srv->agent_health && (srv->state == SRV_UP || srv->state == SRV_DRAIN))
		srv->state = SRV_DOWN;
	else if (check_res_ok(res) && srv->state == SRV_DOWN && srv->agent_health >= srv->rise &&
	         (!srv->check || srv->health >= srv->rise))
		srv->state = SRV_UP;
	if (srv->state == prev)
		return;
	lb_server_changed(srv);
	check_log_change(srv, res, code, info, dur_ms);
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
uint32_t check_next_interval(const struct server *srv)
{
	uint32_t inter = srv->inter ? srv->inter : 2000;

	if (srv->health == 0)
		return srv->downinter ? srv->downinter : inter;
	if (srv->health < srv->rise + srv->fall - 1)
		return srv->fastinter ? srv->fastinter : inter;
	return inter;
}

/* disable-on-404: a conditional pass (L7OKC) takes an UP server out of
 * the balancing (NOLB, kept as DRAIN) until a plain pass, HAProxy's
 * "is stopping" / "is UP" lines. */
void check_nolb(struct server *srv, int *nolb, enum check_result res, int code, const char *info,
                unsigned dur)
{
	struct proxy *be = srv->px;
	char msg[640], reason[384];
	int act = 0, bck = 0, n;

	if (srv->state != SRV_DRAIN)
		*nolb = 0;
	if (res == CHECK_L7_OKC && srv->state == SRV_UP) {
		srv->state = SRV_DRAIN;
		*nolb = 1;
		lb_server_changed(srv);
		for (const struct server *s = be->srv; s; s = s->next)
			if (s->state == SRV_UP) {
				if (s->backup)
					bck++;
				else
					act++;
			}
		if (be->options & PXO_LOG_HEALTH_CHECKS)
			reason[0] = 0;
		else
			check_reason_text(reason, sizeof(reason), res, code, info, dur);
		n = snprintf(msg, sizeof(msg),
		             "%sServer %s/%s is stopping%s. %d active and %d backup servers online. %d sessions requeued, %u total in queue.",
		             srv->backup ? "Backup " : "", be->name, srv->name, reason, act, bck, 0,
		             be->nb_queued + srv->nb_queued);
		if (n < 0)
			return;
		if ((size_t)n >= sizeof(msg))
			n = sizeof(msg) - 1;
		rp_warning("%s", msg);
		log_send_targets(LOG_LVL_NOTICE, msg, (size_t)n, be);
	} else if (check_res_ok(res) && res != CHECK_L7_OKC && *nolb && srv->state == SRV_DRAIN) {
		srv->state = SRV_UP;
		*nolb = 0;
		lb_server_changed(srv);
		check_log_change(srv, res, code, info, dur);
	}
}
