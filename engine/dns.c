/* dns.c: resolvers sections and run-time resolution of server names
 * (dns.h).
 *
 * One request per server (struct dns_req) cycles through: idle until its
 * last result's "hold" period passed, then a query of the preferred type
 * goes to every name server of the section. The first valid answer ends
 * the round. When every name server answered with an error, the query is
 * asked once more with the other address type (A <-> AAAA); when that
 * fails too, or when "timeout retry" passes without a valid answer, the
 * round starts again until "resolve_retries" queries were sent, and then
 * ends with the error. A failure that lasts longer than the "hold" of its
 * status puts the server in maintenance; the next valid answer brings it
 * back, at the address the answer gives (the current one is kept when it
 * is among the answers).
 *
 * Queries leave through send() on a connected datagram socket: a datagram
 * is queued at once or refused, there is nothing to wait for. Answers come
 * through one ring receive per name server. The thread that runs
 * dns_start() owns every request; the sections themselves are read-only
 * once parsed. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "engine/dns.h"
#include "engine/cfg.h"
#include "engine/cfg_srv.h"
#include "engine/check.h"
#include "engine/lb.h"
#include "engine/log.h"
#include "engine/proxy.h"
#include "engine/ring.h"
#include "engine/thread.h"
#include "engine/timer.h"

#define DNS_T_A      1
#define DNS_T_CNAME  5
#define DNS_T_AAAA   28
#define DNS_T_OPT    41
#define DNS_MAX_ADDRS 32         /* addresses kept from one answer */

/* Statuses of a finished round, and the index of their "hold" periods. */
enum { DNS_ST_VALID = 0, DNS_ST_NX, DNS_ST_REFUSED, DNS_ST_TIMEOUT, DNS_ST_OTHER,
       DNS_ST_OBSOLETE, DNS_ST_N };
static const char *const dns_st_names[DNS_ST_N] = {
	"valid", "nx", "refused", "timeout", "other", "obsolete"
};
/* The reason given when a failure puts a server in maintenance. */
static const char *const dns_st_reason[DNS_ST_N] = {
	"", "DNS NX status", "DNS refused status", "DNS timeout status", "unspecified DNS error", ""
};

struct resolvers;

struct dns_ns {
	struct dns_ns *next;
	struct resolvers *rs;
	char *name;
	struct addr addr;
	const char *file; int line;
	int fd;                     /* -1 until dns_start() */
	struct ring_op op;
	uint8_t *buf;               /* <rs->payload> bytes */
};

struct dns_req {
	struct dns_req *next;
	struct server *srv;
	struct resolvers *rs;
	char host[256];
	uint16_t port;              /* of the server line, host order */
	uint16_t id;                /* of the query in flight */
	int prefer;                 /* DNS_T_A or DNS_T_AAAA */
	int qtype;                  /* of the query in flight */
	int fallback;               /* the other type was tried this round */
	int tries;                  /* queries left this round */
	int errors;                 /* error answers to the query in flight */
	int err_status;             /* the last of them, DNS_ST_* */
	int status;                 /* of the last finished round */
	uint64_t deadline;          /* ms: retry time of the query in flight, 0 = idle */
	uint64_t last_end, last_valid;
};

struct resolvers {
	struct resolvers *next;
	char *name;
	const char *file; int line;
	struct dns_ns *ns;
	int nb_ns;
	int retries;
	uint32_t t_resolve, t_retry;
	uint32_t hold[DNS_ST_N];
	int payload;
	struct dns_req *reqs;
	struct thr *thr;
	struct timer tm;
};

/* The sections of the configuration, and the one being parsed. */
static struct resolvers *rs_head, *rs_cur;
static uint32_t dns_rand = 0x9e3779b9u;

static uint16_t dns_next_id(void)
{
	dns_rand ^= dns_rand << 13;
	dns_rand ^= dns_rand >> 17;
	dns_rand ^= dns_rand << 5;
	return (uint16_t)dns_rand;
}

/* ---- wire format ---- */

int dns_build_query(uint8_t *buf, size_t cap, uint16_t id, const char *name, int qtype, int payload)
{
	size_t o = 12, nlen = strlen(name);

	if (nlen && name[nlen - 1] == '.')
		nlen--;
	if (!nlen || nlen > 253 || cap < 12 + nlen + 2 + 4 + 11)
		return -1;
	memset(buf, 0, 12);
	buf[0] = id >> 8; buf[1] = id & 0xff;
	buf[2] = 0x01;                            /* RD */
	buf[5] = 1;                               /* one question */
	buf[11] = 1;                              /* one additional: EDNS OPT */
	for (size_t i = 0; i < nlen;) {
		size_t j = i;

		while (j < nlen && name[j] != '.')
			j++;
		if (j == i || j - i > 63)
			return -1;
		buf[o++] = (uint8_t)(j - i);
		memcpy(buf + o, name + i, j - i);
		o += j - i;
		i = j + 1;
	}
	buf[o++] = 0;
	buf[o++] = 0; buf[o++] = (uint8_t)qtype;
	buf[o++] = 0; buf[o++] = 1;               /* IN */
	/* OPT: root name, type 41, class = payload size, ttl 0, no data */
	buf[o++] = 0;
	buf[o++] = 0; buf[o++] = DNS_T_OPT;
	buf[o++] = (uint8_t)(payload >> 8); buf[o++] = (uint8_t)payload;
	memset(buf + o, 0, 6);
	o += 6;
	return (int)o;
}

/* Skips the (possibly compressed) name at <*o>. Returns 0 or -1. */
static int dns_skip_name(const uint8_t *p, size_t n, size_t *o)
{
	while (*o < n) {
		uint8_t l = p[*o];

		if (!l) {
			(*o)++;
			return 0;
		}
		if ((l & 0xc0) == 0xc0) {
			if (*o + 2 > n)
				return -1;
			*o += 2;
			return 0;
		}
		if (l & 0xc0)
			return -1;
		*o += 1 + (size_t)l;
	}
	return -1;
}

int dns_parse_answer(const uint8_t *p, size_t n, uint16_t id, int qtype, struct addr *out, int max, int *nb)
{
	size_t o = 12;
	int qd, an;

	*nb = 0;
	if (n < 12 || ((p[0] << 8) | p[1]) != id || !(p[2] & 0x80))
		return -1;
	if (p[2] & 0x02)
		return -2;                            /* TC: the answer did not fit */
	qd = (p[4] << 8) | p[5];
	an = (p[6] << 8) | p[7];
	if (qd != 1)
		return -1;
	if (dns_skip_name(p, n, &o) < 0 || o + 4 > n || ((p[o] << 8) | p[o + 1]) != qtype)
		return -1;
	o += 4;
	for (int i = 0; i < an; i++) {
		int type, rdlen;

		if (dns_skip_name(p, n, &o) < 0 || o + 10 > n)
			return -1;
		type = (p[o] << 8) | p[o + 1];
		rdlen = (p[o + 8] << 8) | p[o + 9];
		o += 10;
		if (o + (size_t)rdlen > n)
			return -1;
		/* CNAME records lead to the addresses that follow them */
		if (type == qtype && *nb < max && ((type == DNS_T_A && rdlen == 4) ||
		                                   (type == DNS_T_AAAA && rdlen == 16))) {
			struct addr *a = &out[(*nb)++];

			memset(a, 0, sizeof(*a));
			if (type == DNS_T_A) {
				a->u.in4.sin_family = AF_INET;
				memcpy(&a->u.in4.sin_addr, p + o, 4);
				a->len = sizeof(a->u.in4);
			} else {
				a->u.in6.sin6_family = AF_INET6;
				memcpy(&a->u.in6.sin6_addr, p + o, 16);
				a->len = sizeof(a->u.in6);
			}
		}
		o += (size_t)rdlen;
	}
	return p[3] & 0x0f;
}

/* ---- configuration ---- */

static struct resolvers *dns_find(const char *name)
{
	for (struct resolvers *rs = rs_head; rs; rs = rs->next)
		if (!strcmp(rs->name, name))
			return rs;
	return NULL;
}

int dns_cfg_section(struct cfg_ctx *c, char **args, int nargs)
{
	struct resolvers *rs, **pp;

	rs_cur = NULL;
	if (nargs < 2 || !*args[1])
		return cfg_set_err(c, "missing name for resolvers section.");
	if (cfg_no_extra(c, args, nargs, 2))
		return -1;
	if ((rs = dns_find(args[1])))
		return cfg_set_err(c, "resolvers section '%s' has the same name as another resolvers section declared at %s:%d.",
		                   args[1], rs->file, rs->line);
	if (!(rs = calloc(1, sizeof(*rs))) || !(rs->name = strdup(args[1]))) {
		free(rs);
		return cfg_set_err(c, "out of memory.");
	}
	rs->file = c->file;
	rs->line = c->line;
	rs->retries = 3;
	rs->t_resolve = rs->t_retry = 1000;
	for (int i = 0; i < DNS_ST_N; i++)
		rs->hold[i] = 30000;
	rs->hold[DNS_ST_VALID] = 10000;
	rs->hold[DNS_ST_OBSOLETE] = 0;
	rs->payload = 512;
	for (pp = &rs_head; *pp; pp = &(*pp)->next)
		;
	*pp = rs;
	rs_cur = rs;
	return 0;
}

/* Adds name server <name> at <a> to the current section. */
static int dns_add_ns(struct cfg_ctx *c, const char *name, const struct addr *a)
{
	struct dns_ns *ns, **pp;

	for (pp = &rs_cur->ns; *pp; pp = &(*pp)->next)
		if (!strcmp((*pp)->name, name))
			return cfg_set_err(c, "nameserver '%s' has same name as another nameserver (declared at %s:%d).",
			                   name, (*pp)->file, (*pp)->line);
	if (!(ns = calloc(1, sizeof(*ns))) || !(ns->name = strdup(name))) {
		free(ns);
		return cfg_set_err(c, "out of memory.");
	}
	ns->rs = rs_cur;
	ns->addr = *a;
	ns->file = c->file;
	ns->line = c->line;
	ns->fd = -1;
	*pp = ns;
	rs_cur->nb_ns++;
	return 0;
}

/* "parse-resolv-conf": every "nameserver" line of /etc/resolv.conf, port 53. */
static int dns_resolv_conf(struct cfg_ctx *c)
{
	FILE *f = fopen("/etc/resolv.conf", "r");
	char line[512];
	int n = 0;

	if (!f)
		return cfg_set_err(c, "failed to open /etc/resolv.conf: %s.", strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		char ip[64], name[64], txt[80], aerr[128];
		struct addr a;

		if (sscanf(line, " nameserver %63s", ip) != 1)
			continue;
		snprintf(name, sizeof(name), "resolvconf%d", ++n);
		snprintf(txt, sizeof(txt), strchr(ip, ':') ? "[%s]:53" : "%s:53", ip);
		if (cfg_parse_addr(txt, &a, 1, aerr, sizeof(aerr)) < 0)
			continue;                         /* a scoped IPv6 address, say */
		if (dns_add_ns(c, name, &a) < 0) {
			fclose(f);
			return -1;
		}
	}
	fclose(f);
	return 0;
}

int dns_cfg_kw(struct cfg_ctx *c, char **args, int nargs)
{
	const char *k = args[0];
	uint32_t t;

	if (!rs_cur)
		return 0;                                 /* the header failed: skip the body */
	if (!strcmp(k, "nameserver")) {
		struct addr a;
		char aerr[256];

		if (nargs < 3)
			return cfg_set_err(c, "'%s' expects <name> and <addr>[:<port>] as arguments.", k);
		if (!strncmp(args[2], "tcp@", 4))
			return cfg_set_err(c, "'nameserver %s' : TCP name servers are not supported by ringproxy yet.", args[1]);
		if (cfg_parse_addr(!strncmp(args[2], "udp@", 4) ? args[2] + 4 : args[2], &a, 1, aerr, sizeof(aerr)) < 0 ||
		    (a.u.sa.sa_family != AF_INET && a.u.sa.sa_family != AF_INET6))
			return cfg_set_err(c, "'nameserver %s' : %s", args[1], aerr);
		return dns_add_ns(c, args[1], &a);
	}
	if (!strcmp(k, "parse-resolv-conf"))
		return dns_resolv_conf(c);
	if (!strcmp(k, "hold")) {
		int i;

		if (nargs < 3)
			return cfg_set_err(c, "'hold' expects an <event> and a <time> as arguments: <event> can be either 'valid', 'nx', 'refused', 'timeout', 'obsolete' or 'other'.");
		for (i = 0; i < DNS_ST_N && strcmp(args[1], dns_st_names[i]); i++)
			;
		if (i == DNS_ST_N)
			return cfg_set_err(c, "'hold' unknown <event>: '%s', expects either 'nx', 'timeout', 'valid', 'obsolete' or 'other'.", args[1]);
		if (cfg_parse_time(args[2], &t) < 0)
			return cfg_set_err(c, "'hold %s' : invalid time value '%s'.", args[1], args[2]);
		rs_cur->hold[i] = t;
		return 0;
	}
	if (!strcmp(k, "timeout")) {
		if (nargs < 3 || (strcmp(args[1], "retry") && strcmp(args[1], "resolve")))
			return cfg_set_err(c, "'timeout' expects 'retry' or 'resolve' and <time> as arguments got '%s'.",
			                   nargs > 1 ? args[1] : "");
		if (cfg_parse_time(args[2], &t) < 0 || !t)
			return cfg_set_err(c, "'timeout %s' : invalid time value '%s'.", args[1], args[2]);
		*(!strcmp(args[1], "retry") ? &rs_cur->t_retry : &rs_cur->t_resolve) = t;
		return 0;
	}
	if (!strcmp(k, "resolve_retries")) {
		long long n;

		if (cfg_int_arg(c, k, nargs > 1 ? args[1] : "", 0, 1000, &n) < 0)
			return -1;
		rs_cur->retries = n ? (int)n : 1;    /* 0: still one query */
		return 0;
	}
	if (!strcmp(k, "accepted_payload_size")) {
		long long n;

		if (cfg_int_arg(c, k, nargs > 1 ? args[1] : "", 12, 65535, &n) < 0)
			return -1;
		rs_cur->payload = (int)n;
		return 0;
	}
	return cfg_set_err(c, "unknown keyword '%s' in 'resolvers' section", k);
}

/* Host and port of a server line's address "<host>[:<port>]". Returns 0,
 * or -1 for an address that is no host name (an IP literal). */
static int dns_host_of(const struct server *s, char *host, size_t cap, uint16_t *port)
{
	const char *txt = s->addr_text, *colon = strrchr(txt, ':');
	size_t n = colon ? (size_t)(colon - txt) : strlen(txt);
	struct in6_addr tmp;

	if (!n || n >= cap || strchr(txt, '@') || txt[0] == '[' || inet_pton(AF_INET6, txt, &tmp) == 1)
		return -1;
	memcpy(host, txt, n);
	host[n] = 0;
	if (inet_pton(AF_INET, host, &tmp) == 1)
		return -1;
	*port = colon ? (uint16_t)atoi(colon + 1) : 0;
	return 0;
}

int dns_cfg_resolve(struct config *cfg)
{
	int errors = 0;

	for (struct resolvers *rs = rs_head; rs; rs = rs->next)
		if (!rs->ns)
			rp_warning("config : resolvers '%s' [%s:%d] has no nameservers configured!",
			           rs->name, rs->file, rs->line);
	for (struct proxy *px = cfg->proxies; px; px = px->next)
		for (struct server *s = px->srv; s; s = s->next) {
			struct resolvers *rs;
			struct dns_req *q;

			if (!s->resolvers_id)
				continue;
			if (!(rs = dns_find(s->resolvers_id))) {
				rp_alert("config : %s '%s', server '%s': unable to find required resolvers '%s'",
				         cfg_px_type(px), px->name, s->name, s->resolvers_id);
				errors++;
				continue;
			}
			if (!(q = calloc(1, sizeof(*q)))) {
				rp_alert("config : out of memory.");
				errors++;
				continue;
			}
			if (dns_host_of(s, q->host, sizeof(q->host), &q->port) < 0) {
				free(q);                      /* an IP address: nothing to resolve */
				continue;
			}
			q->srv = s;
			q->rs = rs;
			q->prefer = s->resolve_prefer == AF_INET ? DNS_T_A : DNS_T_AAAA;
			q->status = DNS_ST_VALID;
			q->next = rs->reqs;
			rs->reqs = q;
		}
	return errors;
}

void dns_free_all(void)
{
	while (rs_head) {
		struct resolvers *rs = rs_head;

		rs_head = rs->next;
		while (rs->ns) {
			struct dns_ns *ns = rs->ns;

			rs->ns = ns->next;
			if (ns->fd >= 0)
				close(ns->fd);
			free(ns->buf);
			free(ns->name);
			free(ns);
		}
		while (rs->reqs) {
			struct dns_req *q = rs->reqs;

			rs->reqs = q->next;
			free(q);
		}
		free(rs->name);
		free(rs);
	}
	rs_cur = NULL;
}

/* ---- run time ---- */

/* Counts the usable servers of <be> for the state messages. */
static void dns_count_up(const struct proxy *be, int *act, int *bck)
{
	*act = *bck = 0;
	for (const struct server *s = be->srv; s; s = s->next)
		if (s->state == SRV_UP || s->state == SRV_DRAIN)
			(*(s->backup ? bck : act))++;
}

/* Sends <msg> (<n> bytes) to stderr as a warning and to <be>'s logs. */
static void dns_say(const struct proxy *be, int level, const char *msg, int n)
{
	if (n < 0)
		return;
	rp_warning("%s", msg);
	log_send_targets(level, msg, (size_t)n < 512 ? (size_t)n : 511, be);
}

/* Puts <s> in maintenance for the failure <status>. */
static void dns_srv_down(struct server *s, int status)
{
	char msg[512];
	int act, bck, n;

	if (s->dns_maint)
		return;
	s->dns_maint = 1;
	if (s->state == SRV_MAINT)
		return;                               /* already there by the CLI */
	s->state = SRV_MAINT;
	lb_server_changed(s);
	dns_count_up(s->px, &act, &bck);
	n = snprintf(msg, sizeof(msg),
	             "%sServer %s/%s is going DOWN for maintenance (%s). %d active and %d backup servers left. %u sessions active, 0 requeued, %u remaining in queue.",
	             s->backup ? "Backup " : "", s->px->name, s->name, dns_st_reason[status],
	             act, bck, s->cur_conn, s->nb_queued);
	dns_say(s->px, LOG_LVL_ALERT, msg, n);
}

/* Brings <s> back from a DNS maintenance. */
static void dns_srv_up(struct server *s)
{
	char msg[512];
	int n;

	if (!s->dns_maint)
		return;
	s->dns_maint = 0;
	if (s->disabled)
		return;                               /* forced maintenance stays */
	s->state = s->check && s->health < s->rise ? SRV_DOWN : SRV_UP;
	lb_server_changed(s);
	n = snprintf(msg, sizeof(msg), "Server %s/%s administratively READY thanks to valid DNS answer.",
	             s->px->name, s->name);
	dns_say(s->px, LOG_LVL_NOTICE, msg, n);
}

static int addr_same_ip(const struct addr *a, const struct addr *b)
{
	if (a->u.sa.sa_family != b->u.sa.sa_family)
		return 0;
	if (a->u.sa.sa_family == AF_INET)
		return a->u.in4.sin_addr.s_addr == b->u.in4.sin_addr.s_addr;
	return !memcmp(&a->u.in6.sin6_addr, &b->u.in6.sin6_addr, 16);
}

/* A valid answer from <ns> with <nb> addresses: keeps the server's address
 * when it is among them, else moves it to the first. */
static void dns_apply(struct dns_req *q, const struct dns_ns *ns, const struct addr *ips, int nb)
{
	struct server *s = q->srv;
	char from[INET6_ADDRSTRLEN] = "(none)", to[INET6_ADDRSTRLEN], msg[512];
	struct addr na = ips[0];
	int n;

	for (int i = 0; i < nb; i++)
		if (addr_same_ip(&s->addr, &ips[i]))
			goto done;
	if (s->addr.u.sa.sa_family == AF_INET)
		inet_ntop(AF_INET, &s->addr.u.in4.sin_addr, from, sizeof(from));
	else if (s->addr.u.sa.sa_family == AF_INET6)
		inet_ntop(AF_INET6, &s->addr.u.in6.sin6_addr, from, sizeof(from));
	if (na.u.sa.sa_family == AF_INET) {
		na.u.in4.sin_port = htons(q->port);
		inet_ntop(AF_INET, &na.u.in4.sin_addr, to, sizeof(to));
	} else {
		na.u.in6.sin6_port = htons(q->port);
		inet_ntop(AF_INET6, &na.u.in6.sin6_addr, to, sizeof(to));
	}
	s->addr = na;
	check_server_moved(s);
	n = snprintf(msg, sizeof(msg), "%s/%s changed its IP from %s to %s by %s/%s.",
	             s->px->name, s->name, from, to, q->rs->name, ns->name);
	dns_say(s->px, LOG_LVL_NOTICE, msg, n);
done:
	dns_srv_up(s);
}

/* Ends the round of <q> with <status>. */
static void dns_end(struct dns_req *q, int status, uint64_t now)
{
	q->deadline = 0;
	q->status = status;
	q->last_end = now;
	if (status == DNS_ST_VALID)
		q->last_valid = now;
	else if (now >= q->last_valid + q->rs->hold[status])
		dns_srv_down(q->srv, status);
}

/* Sends the query of <q> (a new id) to every name server. */
static void dns_send(struct dns_req *q, uint64_t now)
{
	uint8_t buf[512];
	int n;

	q->id = dns_next_id();
	q->errors = 0;
	q->deadline = now + q->rs->t_retry;
	n = dns_build_query(buf, sizeof(buf), q->id, q->host, q->qtype, q->rs->payload);
	if (n < 0) {
		dns_end(q, DNS_ST_OTHER, now);
		return;
	}
	for (struct dns_ns *ns = q->rs->ns; ns; ns = ns->next)
		if (ns->fd >= 0)
			(void)send(ns->fd, buf, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL);  /* a loss is a timeout */
}

/* Starts a round for <q>. */
static void dns_begin(struct dns_req *q, uint64_t now)
{
	q->tries = q->rs->retries;
	q->qtype = q->prefer;
	q->fallback = 0;
	dns_send(q, now);
}

/* Every name server answered the query in flight with an error: tries the
 * other type, then another round, then gives up. */
static void dns_next_try(struct dns_req *q, int status, uint64_t now)
{
	if (status != DNS_ST_TIMEOUT && !q->fallback) {
		q->fallback = 1;
		q->qtype = q->qtype == DNS_T_A ? DNS_T_AAAA : DNS_T_A;
		dns_send(q, now);
		return;
	}
	if (--q->tries > 0) {
		q->qtype = q->prefer;
		q->fallback = 0;
		dns_send(q, now);
		return;
	}
	dns_end(q, status, now);
}

static void dns_arm(struct resolvers *rs);

static void dns_recv_cb(struct ring_op *op, int res, uint32_t flags);

static int dns_recv_arm(struct dns_ns *ns)
{
	return ring_recv(ns->rs->thr->ring, &ns->op, ns->fd, ns->buf, (size_t)ns->rs->payload);
}

static void dns_recv_cb(struct ring_op *op, int res, uint32_t flags)
{
	struct dns_ns *ns = container_of(op, struct dns_ns, op);
	struct resolvers *rs = ns->rs;
	uint64_t now = rs->thr->now_ms;
	struct addr ips[DNS_MAX_ADDRS];
	struct dns_req *q;
	int rc, nb, status;

	(void)flags;
	if (res == -ECANCELED)
		return;
	if (res < 12)
		goto rearm;                           /* ICMP refusal (-ECONNREFUSED) or a runt */
	for (q = rs->reqs; q; q = q->next)
		if (q->deadline && q->id == ((ns->buf[0] << 8) | ns->buf[1]))
			break;
	if (!q)
		goto rearm;                           /* late or foreign */
	rc = dns_parse_answer(ns->buf, (size_t)res, q->id, q->qtype, ips, DNS_MAX_ADDRS, &nb);
	if (rc == -1)
		goto rearm;
	if (rc == 0 && nb > 0) {
		dns_apply(q, ns, ips, nb);
		dns_end(q, DNS_ST_VALID, now);
		goto rearm;
	}
	status = rc == 3 ? DNS_ST_NX : rc == 5 ? DNS_ST_REFUSED : DNS_ST_OTHER;
	q->err_status = status;
	if (++q->errors >= rs->nb_ns)
		dns_next_try(q, status, now);
rearm:
	if (ns->fd >= 0 && dns_recv_arm(ns) < 0)
		rp_warning("resolvers '%s' : nameserver '%s' : cannot receive any more.", rs->name, ns->name);
	dns_arm(rs);
}

/* Returns when <q> wants attention next (ms). */
static uint64_t dns_due(const struct dns_req *q)
{
	if (q->deadline)
		return q->deadline;
	if (!q->last_end)
		return 0;
	return q->last_end + q->rs->hold[q->status];
}

static void dns_arm(struct resolvers *rs)
{
	uint64_t next = rs->thr->now_ms + rs->t_resolve;

	for (struct dns_req *q = rs->reqs; q; q = q->next) {
		uint64_t d = dns_due(q);

		if (d < next)
			next = d;
	}
	timer_arm(&rs->thr->timers, &rs->tm, next);
}

static void dns_tick(struct timer *tm)
{
	struct resolvers *rs = container_of(tm, struct resolvers, tm);
	uint64_t now = rs->thr->now_ms;

	for (struct dns_req *q = rs->reqs; q; q = q->next) {
		if (now < dns_due(q))
			continue;
		if (!q->deadline)
			dns_begin(q, now);
		else
			dns_next_try(q, q->errors ? q->err_status : DNS_ST_TIMEOUT, now);
	}
	dns_arm(rs);
}

int dns_start(struct thr *t)
{
	int started = 0;

	for (struct resolvers *rs = rs_head; rs; rs = rs->next) {
		if (!rs->reqs || !rs->ns)
			continue;
		rs->thr = t;
		for (struct dns_ns *ns = rs->ns; ns; ns = ns->next) {
			ring_op_init(&ns->op, dns_recv_cb);
			if (!(ns->buf = malloc((size_t)rs->payload)))
				return -ENOMEM;
			ns->fd = socket(ns->addr.u.sa.sa_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
			if (ns->fd < 0 || connect(ns->fd, &ns->addr.u.sa, ns->addr.len) < 0 || dns_recv_arm(ns) < 0) {
				rp_warning("resolvers '%s' : nameserver '%s' : cannot be used : %s.",
				           rs->name, ns->name, strerror(errno));
				if (ns->fd >= 0)
					close(ns->fd);
				ns->fd = -1;
			}
		}
		for (struct dns_req *q = rs->reqs; q; q = q->next) {
			q->last_valid = t->now_ms;
			started++;
		}
		timer_init(&rs->tm, dns_tick);
		timer_arm(&t->timers, &rs->tm, t->now_ms);
	}
	return started;
}
