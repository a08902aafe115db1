/* log.c: the process's messages on stderr and the "log" targets (log.h).
 * Targets are built at configuration time; log_init() opens their sockets.
 * A send is one write()/sendto(MSG_DONTWAIT): a full socket drops the
 * message (counted in t->drops) instead of blocking the loop. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include "engine/log.h"
#include "engine/logfmt.h"
#include "engine/cfg.h"
#include "engine/proxy.h"
#include "engine/stream.h"

#define LOG_DEFAULT_MAXLEN 1024
#define LOG_MAX_LINE       65535    /* largest "len" accepted, as HAProxy */

/* Process identity, set once at boot and read-only afterwards. */
static char log_host[256];
static char log_tag[64] = "ringproxy";
static int log_quiet, log_debug;
static const struct config *log_cfg;   /* for "log global" and the global targets */
static struct logfmt_globals log_globals;
static char log_hostname[256];         /* %H: always the real host name */

static const char *const facility_names[24] = {
	"kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news",
	"uucp", "cron", "auth2", "ftp", "ntp", "audit", "alert", "cron2",
	"local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7",
};

static const char *const level_names[8] = {
	"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug",
};

static const char *const month_names[12] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};

/* ---- messages of the process ---- */

static int log_starting, log_notices_done, log_nb_warnings;
static char log_version[64];

void log_set_quiet(int quiet) { log_quiet = quiet; }

void log_set_starting(int starting, const char *version)
{
	log_starting = starting;
	if (version)
		snprintf(log_version, sizeof(log_version), "%s", version);
}

int log_warning_count(void)
{
	return log_nb_warnings;
}

/* At start-up, the first warning or alert is preceded by two notices
 * naming the version and the executable, as HAProxy prints them. */
static void log_startup_notices(void)
{
	char exe[512];
	ssize_t n;

	if (!log_starting || log_notices_done)
		return;
	log_notices_done = 1;
	if (log_quiet)
		return;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = 0;
	rp_notice("ringproxy version is %s", log_version[0] ? log_version : "?");
	if (n > 0)
		rp_notice("path to executable is %s", exe);
}
void log_set_debug(int debug) { log_debug = debug; }

/* Prints "<tag> (pid) : <fmt...>\n" on stderr in one write(). */
static void rp_vmsg(const char *tag, const char *fmt, va_list ap)
{
	char buf[4096];
	int n = snprintf(buf, sizeof(buf), "%-10s (%d) : ", tag, (int)getpid());
	int m;

	if (n < 0)
		return;
	m = vsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
	if (m < 0)
		return;
	n += m;
	if (n > (int)sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	if (n == 0 || buf[n - 1] != '\n')
		buf[n++] = '\n';
	if (write(STDERR_FILENO, buf, n) < 0) {
		/* nowhere else to report it */
	}
}

void rp_alert(const char *fmt, ...)
{
	va_list ap;

	log_startup_notices();
	va_start(ap, fmt);
	rp_vmsg("[ALERT]", fmt, ap);
	va_end(ap);
}

void rp_warning(const char *fmt, ...)
{
	va_list ap;

	log_nb_warnings++;
	if (log_quiet)
		return;
	log_startup_notices();
	va_start(ap, fmt);
	rp_vmsg("[WARNING]", fmt, ap);
	va_end(ap);
}

void rp_notice(const char *fmt, ...)
{
	va_list ap;

	if (log_quiet)
		return;
	va_start(ap, fmt);
	rp_vmsg("[NOTICE]", fmt, ap);
	va_end(ap);
}

/* ---- names ---- */

int log_facility_parse(const char *name)
{
	for (int i = 0; i < 24; i++)
		if (!strcmp(name, facility_names[i]))
			return i;
	return -1;
}

int log_level_parse(const char *name)
{
	for (int i = 0; i < 8; i++)
		if (!strcmp(name, level_names[i]))
			return i;
	return -1;
}

const char *log_level_name(int level)
{
	return level >= 0 && level < 8 ? level_names[level] : "?";
}

const char *log_facility_name(int facility)
{
	return facility >= 0 && facility < 24 ? facility_names[facility] : "?";
}

/* ---- targets ---- */

void log_targets_free(struct log_target *l)
{
	while (l) {
		struct log_target *next = l->next;

		if (l->dest != LOG_DEST_FD && l->fd >= 0)
			close(l->fd);
		free(l->addr);
		free(l->text);
		free(l);
		l = next;
	}
}

/* Parses "[ipv4@|ipv6@]ip[:port]" or "[ipv6]:port" into <a> (port 514 when
 * absent). Returns 0 or -1. */
static int log_parse_ip(const char *s, struct addr *a)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *port = NULL, *colon;
	size_t hl;
	long pn = 514;

	memset(a, 0, sizeof(*a));
	if (!strncmp(s, "ipv4@", 5) || !strncmp(s, "ipv6@", 5))
		s += 5;
	if (*s == '[') {
		const char *e = strchr(s, ']');

		if (!e)
			return -1;
		hl = (size_t)(e - s - 1);
		if (hl >= sizeof(host))
			return -1;
		memcpy(host, s + 1, hl);
		host[hl] = 0;
		if (e[1] == ':')
			port = e + 2;
		else if (e[1])
			return -1;
	} else {
		colon = strrchr(s, ':');
		/* one colon: ipv4:port; several: a bare IPv6 address */
		if (colon && strchr(s, ':') == colon) {
			hl = (size_t)(colon - s);
			port = colon + 1;
		} else
			hl = strlen(s);
		if (hl >= sizeof(host))
			return -1;
		memcpy(host, s, hl);
		host[hl] = 0;
	}
	if (port) {
		char *end;

		pn = strtol(port, &end, 10);
		if (end == port || *end || pn < 1 || pn > 65535)
			return -1;
	}
	if (inet_pton(AF_INET, host, &a->u.in4.sin_addr) == 1) {
		a->u.in4.sin_family = AF_INET;
		a->u.in4.sin_port = htons((uint16_t)pn);
		a->len = sizeof(a->u.in4);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &a->u.in6.sin6_addr) == 1) {
		a->u.in6.sin6_family = AF_INET6;
		a->u.in6.sin6_port = htons((uint16_t)pn);
		a->len = sizeof(a->u.in6);
		return 0;
	}
	return -1;
}

/* Returns the port text of "<ip>:<port>" in <s> when it is not a valid
 * port (for HAProxy's "invalid port" message), else NULL. */
static const char *log_bad_port(const char *s)
{
	const char *c = strrchr(s, ':');
	char *end;
	long pn;

	if (!c || (strchr(s, ':') != c && s[0] != '['))
		return NULL;
	if (s[0] == '[' && (!strchr(s, ']') || strchr(s, ']') > c))
		return NULL;
	pn = strtol(c + 1, &end, 10);
	return end == c + 1 || *end || pn < 1 || pn > 65535 ? c + 1 : NULL;
}


/* Parses the <arg> of "sample <ranges>:<size>" ("1,3-4:5") into <t>.
 * Returns 0, or -1 with HAProxy's message in <err>. */
static int log_parse_sample(struct log_target *t, const char *arg, char *err, size_t errlen)
{
	const char *p = arg, *colon = strchr(arg, ':'), *tok = arg;
	uint32_t maxhigh = 0;
	char *end;
	unsigned long v;

	t->smp_nrg = 0;
	if (!colon) {
		snprintf(err, errlen, "log : Missing sample size");
		return -1;
	}
	while (p < colon) {
		unsigned long low, high;

		tok = p;
		low = strtoul(p, &end, 10);
		high = low;
		if (end == p || low == 0)
			goto bad_range;
		if (*end == '-') {
			p = end + 1;
			high = strtoul(p, &end, 10);
			if (end == p || high < low)
				goto bad_range;
		}
		if (end != colon && *end != ',')
			goto bad_range;
		for (int k = 0; k < t->smp_nrg; k++)
			if (low <= t->smp_rg[k].high && high >= t->smp_rg[k].low) {
				snprintf(err, errlen, "log : ranges are overlapping");
				return -1;
			}
		if (t->smp_nrg == LOG_SMP_MAX_RANGES) {
			snprintf(err, errlen, "log : too many sampling ranges (at most %d)", LOG_SMP_MAX_RANGES);
			return -1;
		}
		/* kept sorted by insertion */
		int k = t->smp_nrg++;
		while (k > 0 && t->smp_rg[k - 1].low > low) {
			t->smp_rg[k] = t->smp_rg[k - 1];
			k--;
		}
		t->smp_rg[k].low = (uint32_t)low;
		t->smp_rg[k].high = (uint32_t)high;
		if (high > maxhigh)
			maxhigh = (uint32_t)high;
		p = *end == ',' ? end + 1 : end;
	}
	if (!t->smp_nrg) {
		snprintf(err, errlen, "log : no sampling ranges given");
		return -1;
	}
	v = strtoul(colon + 1, &end, 10);
	if (!v || *end || end == colon + 1) {
		snprintf(err, errlen, "log : wrong sample size '%s' for sample range '%.*s'", colon + 1,
		         (int)(colon - arg), arg);
		t->smp_nrg = 0;
		return -1;
	}
	if (v < maxhigh) {
		snprintf(err, errlen, "log : sample size %lu should be greater or equal to %u the maximum of the high ranges limits",
		         v, maxhigh);
		t->smp_nrg = 0;
		return -1;
	}
	t->smp_size = (uint32_t)v;
	t->smp_idx = 0;
	t->smp_cur = 0;
	return 0;
bad_range:
	snprintf(err, errlen, "log : wrong sample range '%.*s'", (int)strcspn(tok, ",:"), tok);
	t->smp_nrg = 0;
	return -1;
}

/* Parses the destination word of a log line into <t>. Returns 0 or -1
 * with a message in <err>. */
static int log_parse_dest(struct log_target *t, const char *s, char *err, size_t errlen)
{
	struct addr a;
	char ebuf[512];
	const char *p;

	s = cfg_addr_env_expand(s, ebuf, sizeof(ebuf));
	p = s;
	t->fd = -1;
	if (!strcmp(s, "stdout")) {
		t->dest = LOG_DEST_FD;
		t->fd = STDOUT_FILENO;
		return 0;
	}
	if (!strcmp(s, "stderr")) {
		t->dest = LOG_DEST_FD;
		t->fd = STDERR_FILENO;
		return 0;
	}
	if (!strncmp(s, "fd@", 3)) {
		char *end;
		long fd = strtol(s + 3, &end, 10);

		if (end == s + 3 || *end || fd < 0 || fd > 65535) {
			snprintf(err, errlen, "log : file descriptor '%s' is not a valid integer in '%s'", s + 3, s);
			return -1;
		}
		t->dest = LOG_DEST_FD;
		t->fd = (int)fd;
		return 0;
	}
	if (!strncmp(s, "ring@", 5)) {
		snprintf(err, errlen, "log : log rings ('%s') are not supported by ringproxy", s);
		return -1;
	}
	if (!strncmp(s, "udp@", 4))
		p = s + 4;
	else if (!strncmp(s, "udp4@", 5) || !strncmp(s, "udp6@", 5))
		p = s + 5;

	if (*p == '/' || !strncmp(p, "unix@", 5)) {
		const char *path = *p == '/' ? p : p + 5;
		struct sockaddr_un *un;

		if (strlen(path) >= sizeof(un->sun_path)) {
			snprintf(err, errlen, "log : unix socket path '%s' is too long", path);
			return -1;
		}
		if (!(t->addr = calloc(1, sizeof(*t->addr))))
			goto nomem;
		un = (struct sockaddr_un *)t->addr;
		un->sun_family = AF_UNIX;
		memcpy(un->sun_path, path, strlen(path) + 1);
		t->addrlen = sizeof(*un);
		t->dest = LOG_DEST_UNIX;
		return 0;
	}

	/* an IP address, port 514 when none is given */
	if (log_parse_ip(p, &a) < 0) {
		if (log_bad_port(p))
			snprintf(err, errlen, "log : invalid port '%s'", log_bad_port(p));
		else
			snprintf(err, errlen, "log : invalid address '%s'", s);
		return -1;
	}
	if (!(t->addr = calloc(1, sizeof(*t->addr))))
		goto nomem;
	memcpy(t->addr, &a.u.ss, a.len);
	t->addrlen = a.len;
	t->dest = LOG_DEST_UDP;
	return 0;
nomem:
	snprintf(err, errlen, "log : out of memory");
	return -1;
}

static int log_parse_format(const char *s)
{
	static const struct { const char *name; enum log_format f; } fmts[] = {
		{ "rfc3164", LOG_FMT_RFC3164 }, { "rfc5424", LOG_FMT_RFC5424 },
		{ "raw", LOG_FMT_RAW }, { "short", LOG_FMT_SHORT }, { "priority", LOG_FMT_PRIO },
		{ "timed", LOG_FMT_TIMED }, { "iso", LOG_FMT_ISO }, { "local", LOG_FMT_LOCAL },
	};
	for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++)
		if (!strcmp(s, fmts[i].name))
			return fmts[i].f;
	return -1;
}

struct log_target *log_target_parse(char **args, int nargs, char *err, size_t errlen)
{
	struct log_target *t;
	int i = 2, v;

	if (nargs < 3) {
		snprintf(err, errlen, "log : expects <address> and <facility>  as arguments");
		return NULL;
	}
	if (!(t = calloc(1, sizeof(*t)))) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	t->fd = -1;
	t->level = LOG_LVL_DEBUG;
	t->minlevel = LOG_LVL_EMERG;
	t->maxlen = LOG_DEFAULT_MAXLEN;
	t->format = LOG_FMT_RFC3164;
	if (!(t->text = strdup(args[1])))
		goto nomem;
	if (log_parse_dest(t, args[1], err, errlen) < 0)
		goto fail;

	for (;;) {
		if (i + 1 < nargs && !strcmp(args[i], "len")) {
			char *end;
			long n = strtol(args[i + 1], &end, 10);

			if (*end || n < 80 || n > LOG_MAX_LINE) {
				snprintf(err, errlen, "log : invalid log length '%s', must be between 80 and %d",
				         args[i + 1], LOG_MAX_LINE);
				goto fail;
			}
			t->maxlen = (uint32_t)n;
			i += 2;
		} else if (i + 1 < nargs && !strcmp(args[i], "format")) {
			if ((v = log_parse_format(args[i + 1])) < 0) {
				snprintf(err, errlen, "log : unknown log format '%s'", args[i + 1]);
				goto fail;
			}
			t->format = (enum log_format)v;
			i += 2;
		} else if (i + 1 < nargs && !strcmp(args[i], "sample")) {
			if (log_parse_sample(t, args[i + 1], err, errlen) < 0)
				goto fail;
			i += 2;
		} else
			break;
	}
	if (i >= nargs) {
		snprintf(err, errlen, "log : expects <address> and <facility>  as arguments");
		goto fail;
	}
	if ((t->facility = log_facility_parse(args[i])) < 0) {
		snprintf(err, errlen, "log : unknown log facility '%s'", args[i]);
		goto fail;
	}
	i++;
	if (i < nargs) {
		if ((t->level = log_level_parse(args[i])) < 0) {
			snprintf(err, errlen, "log : unknown optional log level '%s'", args[i]);
			goto fail;
		}
		i++;
	}
	if (i < nargs) {
		if ((t->minlevel = log_level_parse(args[i])) < 0) {
			snprintf(err, errlen, "log : unknown optional minimum log level '%s'", args[i]);
			goto fail;
		}
		i++;
	}
	if (i < nargs) {
		snprintf(err, errlen, "log : cannot handle unexpected argument '%s'", args[i]);
		goto fail;
	}
	return t;
nomem:
	snprintf(err, errlen, "out of memory");
fail:
	log_targets_free(t);
	return NULL;
}

static void log_targets_append(struct log_target **list, struct log_target *t)
{
	while (*list)
		list = &(*list)->next;
	*list = t;
}

int log_cfg_kw(struct cfg_ctx *c, char **args, int nargs)
{
	struct log_target *t;

	if (nargs >= 2 && !strcmp(args[1], "global")) {
		if (c->sec == CFG_SEC_GLOBAL || !c->px) {
			snprintf(c->err, sizeof(c->err), "'log global' is only valid in a proxy or defaults section");
			return -1;
		}
		if (nargs > 2) {
			snprintf(c->err, sizeof(c->err), "'log global' takes no argument");
			return -1;
		}
		c->px->log_global = 1;
		return 0;
	}
	if (nargs < 3 && c->sec != CFG_SEC_GLOBAL) {
		snprintf(c->err, sizeof(c->err), "log : expects <address> and <facility> or global as arguments");
		return -1;
	}
	if (!(t = log_target_parse(args, nargs, c->err, sizeof(c->err))))
		return -1;
	t->file = c->file;
	t->line = c->line;
	if (c->sec == CFG_SEC_GLOBAL)
		log_targets_append(&c->cfg->g.logs, t);
	else if (c->px)
		log_targets_append(&c->px->logs, t);
	else {
		log_targets_free(t);
		snprintf(c->err, sizeof(c->err), "'log' is not valid here");
		return -1;
	}
	return 0;
}

int log_cfg_send_hostname(struct cfg_ctx *c, char **args, int nargs)
{
	char host[256];

	if (c->sec != CFG_SEC_GLOBAL) {
		snprintf(c->err, sizeof(c->err), "'%s' is only valid in the global section", args[0]);
		return -1;
	}
	if (nargs > 2) {
		snprintf(c->err, sizeof(c->err), "'%s' takes at most one argument", args[0]);
		return -1;
	}
	if (nargs == 2) {
		log_set_identity(args[1], NULL);
		return 0;
	}
	if (gethostname(host, sizeof(host) - 1) < 0)
		host[0] = 0;
	host[sizeof(host) - 1] = 0;
	log_set_identity(host, NULL);
	return 0;
}

struct log_target *log_targets_dup(const struct log_target *l)
{
	struct log_target *head = NULL, **tail = &head;

	for (; l; l = l->next) {
		struct log_target *t = malloc(sizeof(*t));

		if (!t)
			goto fail;
		*t = *l;
		t->next = NULL;
		t->addr = NULL;
		t->text = NULL;
		t->drops = 0;
		if (l->dest != LOG_DEST_FD)
			t->fd = -1;
		*tail = t;
		tail = &t->next;
		if (!(t->text = strdup(l->text)))
			goto fail;
		if (l->addr) {
			if (!(t->addr = malloc(sizeof(*t->addr))))
				goto fail;
			memcpy(t->addr, l->addr, sizeof(*t->addr));
		}
	}
	return head;
fail:
	log_targets_free(head);
	return NULL;
}

/* ---- headers and sending ---- */

void log_set_identity(const char *host, const char *tag)
{
	if (host)
		snprintf(log_host, sizeof(log_host), "%s", host);
	if (tag)
		snprintf(log_tag, sizeof(log_tag), "%s", tag);
}

/* Writes the UTC offset <off> (seconds) as "+hh:mm" into <tz>. */
static void log_tz(char *tz, size_t sz, long off)
{
	unsigned a = (unsigned)(off < 0 ? -off : off) % 86400;

	snprintf(tz, sz, "%c%02u:%02u", off < 0 ? '-' : '+', a / 3600, (a % 3600) / 60);
}

size_t log_header(char *out, size_t outsz, enum log_format format, int pri, uint64_t now_us,
                  const char *host, const char *tag, int pid)
{
	/* the broken-down time of the last second seen by this thread */
	static __thread time_t last = -1;
	static __thread struct tm tm;
	time_t sec = (time_t)(now_us / 1000000);
	int n = 0;

	if (!outsz)
		return 0;
	if (format == LOG_FMT_RAW || format == LOG_FMT_SHORT || format == LOG_FMT_PRIO)
		goto no_time;
	if (sec != last) {
		localtime_r(&sec, &tm);
		last = sec;
	}
no_time:
	switch (format) {
	case LOG_FMT_RAW:
		n = 0;
		break;
	case LOG_FMT_SHORT:
		/* the level alone, without the facility */
		n = snprintf(out, outsz, "<%d>", pri & 7);
		break;
	case LOG_FMT_PRIO:
		n = snprintf(out, outsz, "<%d>", pri);
		break;
	case LOG_FMT_TIMED:
	case LOG_FMT_ISO: {
		char tz[16], lvl[8] = "";

		log_tz(tz, sizeof(tz), tm.tm_gmtoff);
		if (format == LOG_FMT_TIMED)
			snprintf(lvl, sizeof(lvl), "<%d>", pri & 7);
		n = snprintf(out, outsz, "%s%04d-%02d-%02dT%02d:%02d:%02d.%06u%s ", lvl,
		             tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
		             tm.tm_sec, (unsigned)(now_us % 1000000), tz);
		break;
	}
	case LOG_FMT_LOCAL:
		n = snprintf(out, outsz, "<%d>%s %2d %02d:%02d:%02d %s[%d]: ", pri,
		             month_names[tm.tm_mon], tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		             tag, pid);
		break;
	case LOG_FMT_RFC5424: {
		char tz[16];

		log_tz(tz, sizeof(tz), tm.tm_gmtoff);
		n = snprintf(out, outsz, "<%d>1 %04d-%02d-%02dT%02d:%02d:%02d.%06u%s %s %s %d - - ",
		             pri, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		             tm.tm_min, tm.tm_sec, (unsigned)(now_us % 1000000), tz,
		             host && *host ? host : "-", tag, pid);
		break;
	}
	case LOG_FMT_RFC3164:
	default:
		n = snprintf(out, outsz, "<%d>%s %2d %02d:%02d:%02d %s%s%s[%d]: ", pri,
		             month_names[tm.tm_mon], tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		             host ? host : "", host && *host ? " " : "", tag, pid);
		break;
	}
	if (n < 0)
		n = 0;
	if ((size_t)n >= outsz)
		n = (int)outsz - 1;
	return (size_t)n;
}

static uint64_t log_now_us(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (uint64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

/* Opens <t>'s socket if it needs one. Returns 0 or -errno. */
static int log_target_open(struct log_target *t)
{
	struct stat st;
	int fd;

	if (t->dest == LOG_DEST_FD) {
		/* a socket never blocks the loop: sent with MSG_DONTWAIT */
		t->fd_is_sock = fstat(t->fd, &st) == 0 && S_ISSOCK(st.st_mode);
		return 0;
	}
	if (t->fd >= 0)
		return 0;
	fd = socket(((struct sockaddr *)t->addr)->sa_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	t->fd = fd;
	return 0;
}

int log_target_send(struct log_target *t, int pri, const char *tag, const char *msg, size_t len)
{
	char hdr[256];
	struct iovec iov[3];
	size_t hlen, max;
	ssize_t r;
	int level = pri & 7;

	if (level > t->level)
		return 0;
	if (level < t->minlevel)
		pri = (pri & ~7) | t->minlevel;
	pri = (t->facility << 3) | (pri & 7);

	hlen = log_header(hdr, sizeof(hdr), t->format, pri, log_now_us(), log_host, tag,
	                  log_globals.pid ? log_globals.pid : (int)getpid());
	/* <maxlen> bounds the line, header included, newline excluded */
	max = t->maxlen > hlen ? t->maxlen - hlen : 0;
	if (len > max)
		len = max;
	iov[0].iov_base = hdr;
	iov[0].iov_len = hlen;
	iov[1].iov_base = (void *)msg;
	iov[1].iov_len = len;
	iov[2].iov_base = "\n";
	iov[2].iov_len = 1;

	if (t->dest == LOG_DEST_FD && !t->fd_is_sock) {
		/* a pipe, terminal or file: one writev(), atomic up to PIPE_BUF */
		r = writev(t->fd, iov, 3);
	} else if (t->dest == LOG_DEST_FD) {
		struct msghdr mh = { 0 };

		mh.msg_iov = iov;
		mh.msg_iovlen = 3;
		r = sendmsg(t->fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
	} else {
		struct msghdr mh = { 0 };
		int e;

		if ((e = log_target_open(t)) < 0) {
			t->drops++;
			return e;
		}
		mh.msg_name = t->addr;
		mh.msg_namelen = t->addrlen;
		mh.msg_iov = iov;
		mh.msg_iovlen = 3;
		r = sendmsg(t->fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
	}
	if (r < 0) {
		t->drops++;
		return -errno;
	}
	return 0;
}

/* Returns 1 if the next message for <t> is to be sent under its "sample"
 * ranges (always when it has none), counting it. */
static int log_sample_take(struct log_target *t)
{
	uint32_t next;
	int in;

	if (!t->smp_nrg)
		return 1;
	next = t->smp_idx + 1;
	in = t->smp_rg[t->smp_cur].low <= next && next <= t->smp_rg[t->smp_cur].high;
	if (in && next == t->smp_rg[t->smp_cur].high)
		t->smp_cur = (t->smp_cur + 1) % t->smp_nrg;
	t->smp_idx = next % t->smp_size;
	return in;
}

/* Sends <msg> to every target of <list> under syslog tag <tag>. Returns
 * how many accepted it. */
static int log_send_list(struct log_target *list, int level, const char *tag, const char *msg, size_t len)
{
	int n = 0;

	for (struct log_target *t = list; t; t = t->next)
		if (level <= t->level && log_sample_take(t) &&
		    log_target_send(t, level, tag, msg, len) == 0)
			n++;
	return n;
}

int log_send_targets(int level, const char *msg, size_t len, const struct proxy *px)
{
	int n = 0;

	if (level < 0)
		level = 0;
	if (level > 7)
		level = 7;
	if (px) {
		const char *tag = px->log_tag ? px->log_tag : log_tag;

		n += log_send_list(px->logs, level, tag, msg, len);
		if (px->log_global && log_cfg)
			n += log_send_list(log_cfg->g.logs, level, tag, msg, len);
	} else if (log_cfg)
		n += log_send_list(log_cfg->g.logs, level, log_tag, msg, len);
	return n;
}

int log_send(int level, const char *msg, size_t len, const struct proxy *px)
{
	if (level < 0)
		level = 0;
	if (level > 7)
		level = 7;
	if (log_debug) {
		char hdr[64];
		struct iovec iov[3];
		struct tm tm;
		time_t now = time(NULL);
		int h;

		/* HAProxy's layout for messages echoed on stderr: "[info] 330/083412 (pid) : " */
		localtime_r(&now, &tm);
		h = snprintf(hdr, sizeof(hdr), "[%s] %03d/%02d%02d%02d (%d) : ", log_level_name(level),
		             tm.tm_yday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)getpid());

		iov[0].iov_base = hdr;
		iov[0].iov_len = h > 0 ? (size_t)h : 0;
		iov[1].iov_base = (void *)msg;
		iov[1].iov_len = len;
		iov[2].iov_base = "\n";
		iov[2].iov_len = 1;
		if (writev(STDERR_FILENO, iov, 3) < 0) {
			/* stderr gone: nothing to do */
		}
	}
	return log_send_targets(level, msg, len, px);
}

void log_stream(struct stream *s)
{
	static __thread char line[LOG_MAX_LINE];
	struct proxy *fe = s->fe;
	size_t len;
	int level;

	if (!fe || (!fe->logs && !(fe->log_global && log_cfg && log_cfg->g.logs)))
		return;
	/* "set-log-level silent": any level past debug (8) means no line */
	if (s->loglevel > LOG_LVL_DEBUG)
		return;
	if (fe->logfmt) {
		if ((fe->options & PXO_DONTLOGNULL) && s->req.total_in == 0)
			return;
		if ((fe->options & PXO_DONTLOG_NORMAL) && (s->err == STRM_ERR_NONE || !s->err))
			return;
		len = logfmt_render(fe->logfmt, s, log_now_us(), line, sizeof(line));
	} else
		len = logfmt_render_connect(s, line, sizeof(line));
	fe->log_count++;
	level = s->loglevel >= 0 ? s->loglevel : LOG_LVL_INFO;
	/* "option log-separate-errors": a stream that ended in error logs at err */
	if ((fe->options & PXO_LOG_SEPARATE_ERR) && s->err && s->err != STRM_ERR_NONE && level > LOG_LVL_ERR)
		level = LOG_LVL_ERR;
	log_send_targets(level, line, len, fe);
}

void log_after_fork(void)
{
	log_globals.pid = (int)getpid();
}

void log_trace_accept(const struct stream *s, int lfd, int cfd)
{
	char ip[64] = "?";
	int port = 0;

	if (!log_debug)
		return;
	if (s->cli_addr.u.sa.sa_family == AF_INET) {
		inet_ntop(AF_INET, &s->cli_addr.u.in4.sin_addr, ip, sizeof(ip));
		port = ntohs(s->cli_addr.u.in4.sin_port);
	} else if (s->cli_addr.u.sa.sa_family == AF_INET6) {
		inet_ntop(AF_INET6, &s->cli_addr.u.in6.sin6_addr, ip, sizeof(ip));
		port = ntohs(s->cli_addr.u.in6.sin6_port);
	} else if (s->cli_addr.u.sa.sa_family == AF_UNIX)
		snprintf(ip, sizeof(ip), "unix");
	dprintf(STDERR_FILENO, "%08x:%s.accept(%04x)=%04x from [%s:%d] ALPN=<none>\n", s->uniq_id,
	        s->fe ? s->fe->name : "-", (unsigned)lfd & 0xffff, (unsigned)cfd & 0xffff, ip, port);
}

void log_trace(const struct stream *s, const char *event, int cfd, int sfd)
{
	if (!log_debug)
		return;
	dprintf(STDERR_FILENO, "%08x:%s.%s[%04x:%04x]\n", s->uniq_id, s->fe ? s->fe->name : "-",
	        event, (unsigned)cfd & 0xffff, (unsigned)sfd & 0xffff);
}

void log_set_actconn(const uint32_t *actconn)
{
	log_globals.actconn = actconn;
}

void log_proxies_stopped(const struct config *cfg)
{
	static int done;
	char msg[256];
	int n;

	if (done)
		return;
	done = 1;
	for (const struct proxy *px = cfg->proxies; px; px = px->next) {
		if (px->disabled)
			continue;
		n = snprintf(msg, sizeof(msg), "Proxy %s stopped (cumulated conns: FE: %llu, BE: %llu).",
		             px->name, (unsigned long long)px->fe_cum_conn,
		             (unsigned long long)px->be_cum_conn);
		if (n < 0)
			continue;
		if ((size_t)n >= sizeof(msg))
			n = sizeof(msg) - 1;
		rp_warning("%s", msg);
		log_send_targets(LOG_LVL_WARNING, msg, (size_t)n, px);
	}
}

/* ---- init ---- */

static int log_open_list(struct log_target *l)
{
	for (; l; l = l->next) {
		int e = log_target_open(l);

		if (e < 0) {
			rp_alert("cannot open a socket for log target '%s' : %s", l->text, strerror(-e));
			return -1;
		}
	}
	return 0;
}

int log_init(struct config *cfg)
{
	char err[512];

	log_cfg = cfg;
	if (gethostname(log_hostname, sizeof(log_hostname) - 1) < 0)
		log_hostname[0] = 0;
	log_globals.pid = (int)getpid();
	log_globals.hostname = log_hostname;
	logfmt_globals = &log_globals;
	if (cfg->g.log_tag && *cfg->g.log_tag)
		log_set_identity(NULL, cfg->g.log_tag);
	if (log_open_list(cfg->g.logs) < 0)
		return -1;
	for (struct proxy *px = cfg->proxies; px; px = px->next) {
		const char *fs = NULL;

		if (log_open_list(px->logs) < 0)
			return -1;
		if (!(px->cap & PX_CAP_FE))
			continue;
		if ((px->logfmt || px->logfmt_str || (px->options & (PXO_TCPLOG | PXO_HTTPLOG))) &&
		    !px->logs && !(px->log_global && cfg->g.logs)) {
			rp_warning("config : log format ignored for %s '%s' since it has no log address.",
			           px->cap & PX_CAP_BE ? "proxy" : "frontend", px->name);
			continue;
		}
		if (px->logfmt) {
			if (logfmt_check_mode(px->logfmt, px, err, sizeof(err)) < 0) {
				rp_alert("config : %s", err);
				return -1;
			}
			continue;
		}
		/* no compiled log-format: the inherited text, else the one the
		 * options pick; with none, log_stream() logs "Connect from" lines */
		if (px->logfmt_str)
			fs = px->logfmt_str;
		else if ((px->options & PXO_HTTPLOG) && px->mode == PX_MODE_HTTP)
			fs = px->httpslog ? logfmt_httpslog_str :
			     px->httplog_clf ? logfmt_httplog_clf_str : logfmt_httplog_str;
		else if (px->options & PXO_HTTPLOG) {
			rp_warning("config : 'option httplog' not usable with %s '%s' (needs 'mode http'). Falling back to 'option tcplog'.",
			           px->cap & PX_CAP_BE ? "proxy" : "frontend", px->name);
			fs = logfmt_tcplog_str;
		} else if (px->options & PXO_TCPLOG)
			fs = logfmt_tcplog_str;
		if (!fs)
			continue;
		if (!(px->logfmt = logfmt_compile(fs, px, err, sizeof(err))) ||
		    logfmt_check_mode(px->logfmt, px, err, sizeof(err)) < 0) {
			rp_alert("config : %s '%s' (%s:%d) : %s", px->cap & PX_CAP_BE ? "proxy" : "frontend",
			         px->name, px->file ? px->file : "?", px->line, err);
			return -1;
		}
	}
	return 0;
}

void log_deinit(struct config *cfg)
{
	for (struct log_target *t = cfg->g.logs; t; t = t->next)
		if (t->dest != LOG_DEST_FD && t->fd >= 0) {
			close(t->fd);
			t->fd = -1;
		}
	for (struct proxy *px = cfg->proxies; px; px = px->next)
		for (struct log_target *t = px->logs; t; t = t->next)
			if (t->dest != LOG_DEST_FD && t->fd >= 0) {
				close(t->fd);
				t->fd = -1;
			}
	log_cfg = NULL;
}
