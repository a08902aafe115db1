/* cfg_srv.c: "bind", "server" and "default-server" lines, and the socket
 * addresses they take ("ip:port", "[v6]:port", ":port", "*:port",
 * "unix@/path", "/path", "ipv4@", "ipv6@", "fd@N", port ranges on bind).
 * Host names are resolved once here, at start-up, as HAProxy does with
 * its default "init-addr libc". */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/cfg.h"
#include "engine/cfg_srv.h"
#include "engine/check.h"
#include "engine/cfg_tls.h"
#include "engine/log.h"

/* ---- addresses ---- */

/* Parses port <p> (<plen> bytes). Returns the port or -1 with <err> set. */
static int cfg_port(const char *p, size_t plen, const char *whole, char *err, size_t errlen)
{
	long v = 0;

	if (!plen) {
		snprintf(err, errlen, "missing port specification in '%s'", whole);
		return -1;
	}
	for (size_t i = 0; i < plen; i++) {
		if (!isdigit((unsigned char)p[i])) {
			snprintf(err, errlen, "invalid character '%c' in port number '%.*s' in '%s'", p[i],
			         (int)plen, p, whole);
			return -1;
		}
		v = v * 10 + (p[i] - '0');
		if (v > 65535)
			break;
	}
	if (v < 1 || v > 65535) {
		snprintf(err, errlen, "invalid port '%.*s'", (int)plen, p);
		return -1;
	}
	return (int)v;
}

const char *cfg_addr_env_expand(const char *s, char *buf, size_t len)
{
	size_t o = 0;

	if (!strstr(s, "${"))
		return s;
	while (*s && o + 1 < len) {
		const char *e = s[0] == '$' && s[1] == '{' ? strchr(s + 2, '}') : NULL;

		if (e) {
			char name[128];
			const char *v;
			size_t n = (size_t)(e - s - 2);

			snprintf(name, sizeof(name), "%.*s", (int)n, s + 2);
			for (v = getenv(name); v && *v && o + 1 < len; v++)
				buf[o++] = *v;
			s = e + 1;
			continue;
		}
		buf[o++] = *s++;
	}
	buf[o] = 0;
	return buf;
}

int cfg_parse_addr(const char *s, struct addr *a, int need_port, char *err, size_t errlen)
{
	int family = AF_UNSPEC, port = 0;
	const char *host, *hend, *colon = NULL;
	char hbuf[256], ebuf[512];
	size_t hlen;

	s = cfg_addr_env_expand(s, ebuf, sizeof(ebuf));
	memset(a, 0, sizeof(*a));
	if (!strncmp(s, "unix@", 5) || s[0] == '/') {
		const char *path = s[0] == '/' ? s : s + 5;
		if (!*path || strlen(path) >= sizeof(a->u.un.sun_path)) {
			snprintf(err, errlen, "invalid UNIX socket path '%s' (empty or too long)", path);
			return -1;
		}
		a->u.un.sun_family = AF_UNIX;
		memcpy(a->u.un.sun_path, path, strlen(path) + 1);
		a->len = (socklen_t)sizeof(a->u.un);
		return 0;
	}
	if (!strncmp(s, "ipv4@", 5)) {
		family = AF_INET;
		s += 5;
	} else if (!strncmp(s, "ipv6@", 5)) {
		family = AF_INET6;
		s += 5;
	} else if (!strncmp(s, "fd@", 3) || !strncmp(s, "sockpair@", 9) || !strncmp(s, "abns@", 5) ||
	           !strncmp(s, "udp@", 4) || !strncmp(s, "udp4@", 5) || !strncmp(s, "udp6@", 5) ||
	           !strncmp(s, "tcp@", 4) || !strncmp(s, "tcp4@", 5) || !strncmp(s, "tcp6@", 5) ||
	           !strncmp(s, "quic4@", 6) || !strncmp(s, "quic6@", 6)) {
		if (!strncmp(s, "tcp@", 4) || !strncmp(s, "tcp4@", 5) || !strncmp(s, "tcp6@", 5)) {
			family = s[3] == '6' ? AF_INET6 : s[3] == '4' ? AF_INET : AF_UNSPEC;
			s = strchr(s, '@') + 1;
		} else {
			snprintf(err, errlen, "address family '%.*s' not supported here in '%s'",
			         (int)(strchr(s, '@') - s + 1), s, s);
			return -1;
		}
	}

	if (s[0] == '[') {
		const char *rb = strchr(s, ']');
		if (!rb) {
			snprintf(err, errlen, "invalid address: missing ']' in '%s'", s);
			return -1;
		}
		host = s + 1;
		hend = rb;
		if (rb[1] == ':')
			colon = rb + 1;
		else if (rb[1]) {
			snprintf(err, errlen, "invalid address: unexpected '%s' after ']' in '%s'", rb + 1, s);
			return -1;
		}
		if (family == AF_UNSPEC)
			family = AF_INET6;
	} else {
		host = s;
		colon = strrchr(s, ':');
		hend = colon ? colon : s + strlen(s);
	}
	if (colon) {
		port = cfg_port(colon + 1, strlen(colon + 1), s, err, errlen);
		if (port < 0)
			return -1;
	} else if (need_port) {
		snprintf(err, errlen, "missing port specification in '%s'", s);
		return -1;
	}
	hlen = (size_t)(hend - host);
	if (hlen >= sizeof(hbuf)) {
		snprintf(err, errlen, "invalid address: host name too long in '%s'", s);
		return -1;
	}
	memcpy(hbuf, host, hlen);
	hbuf[hlen] = 0;

	if (!hlen || !strcmp(hbuf, "*")) {
		if (family == AF_INET6) {
			a->u.in6.sin6_family = AF_INET6;
			a->u.in6.sin6_addr = in6addr_any;
			a->u.in6.sin6_port = htons((uint16_t)port);
			a->len = sizeof(a->u.in6);
		} else {
			a->u.in4.sin_family = AF_INET;
			a->u.in4.sin_addr.s_addr = htonl(INADDR_ANY);
			a->u.in4.sin_port = htons((uint16_t)port);
			a->len = sizeof(a->u.in4);
		}
		return 0;
	}
	if (family != AF_INET6 && inet_pton(AF_INET, hbuf, &a->u.in4.sin_addr) == 1) {
		a->u.in4.sin_family = AF_INET;
		a->u.in4.sin_port = htons((uint16_t)port);
		a->len = sizeof(a->u.in4);
		return 0;
	}
	if (family != AF_INET && inet_pton(AF_INET6, hbuf, &a->u.in6.sin6_addr) == 1) {
		a->u.in6.sin6_family = AF_INET6;
		a->u.in6.sin6_port = htons((uint16_t)port);
		a->len = sizeof(a->u.in6);
		return 0;
	}
	/* a host name: resolved now, first answer of the wanted family */
	{
		struct addrinfo hints, *res = NULL;
		memset(&hints, 0, sizeof(hints));
		hints.ai_family = family;
		hints.ai_socktype = SOCK_STREAM;
		if (getaddrinfo(hbuf, NULL, &hints, &res) != 0 || !res) {
			if (strspn(hbuf, "0123456789.") == hlen || strchr(hbuf, ':'))
				snprintf(err, errlen, "invalid address: '%s' in '%s'", hbuf, s);
			else
				snprintf(err, errlen, "could not resolve address '%s'", hbuf);
			return -1;
		}
		/* prefer IPv4 when the family is free, as libc's default order mostly does */
		struct addrinfo *pick = res;
		for (struct addrinfo *ai = res; family == AF_UNSPEC && ai; ai = ai->ai_next)
			if (ai->ai_family == AF_INET) {
				pick = ai;
				break;
			}
		memcpy(&a->u.ss, pick->ai_addr, pick->ai_addrlen);
		a->len = pick->ai_addrlen;
		freeaddrinfo(res);
		if (a->u.sa.sa_family == AF_INET)
			a->u.in4.sin_port = htons((uint16_t)port);
		else if (a->u.sa.sa_family == AF_INET6)
			a->u.in6.sin6_port = htons((uint16_t)port);
		return 0;
	}
}

/* ---- bind ---- */

/* Appends to <px> one bind_conf per address/port of <item> ("addr:p" or
 * "addr:p1-p2"), "fd@N", or a unix path. Returns 0 or -1 with <err>. */
static int cfg_bind_item(struct cfg_ctx *c, const char *item, struct bind_conf **first,
                         int *nb, char *err, size_t errlen)
{
	struct proxy *px = c->px;
	char buf[512];
	int lo = 0, hi = 0, fd = -1;
	struct addr base;

	if (!strncmp(item, "fd@", 3)) {
		char *end;
		long v = strtol(item + 3, &end, 10);
		if (end == item + 3 || *end || v < 0 || v > INT_MAX) {
			snprintf(err, errlen, "invalid file descriptor in '%s'", item);
			return -1;
		}
		fd = (int)v;
		memset(&base, 0, sizeof(base));
	} else {
		const char *colon = item[0] == '[' ? strstr(item, "]:") : strrchr(item, ':');
		const char *dash;
		if (!strncmp(item, "unix@", 5) || item[0] == '/')
			colon = NULL;     /* a path: no port, no range */
		if (colon && item[0] == '[')
			colon++;
		snprintf(buf, sizeof(buf), "%s", item);
		if (colon && (dash = strchr(colon, '-'))) {
			/* "addr:p1-p2": a port range */
			char lobuf[512];
			int p2;
			snprintf(lobuf, sizeof(lobuf), "%.*s", (int)(dash - item), item);
			if (cfg_parse_addr(lobuf, &base, 1, err, errlen) < 0)
				return -1;
			p2 = atoi(dash + 1);
			for (const char *q = dash + 1; *q; q++)
				if (!isdigit((unsigned char)*q))
					p2 = 0;
			lo = ntohs(base.u.sa.sa_family == AF_INET6 ? base.u.in6.sin6_port : base.u.in4.sin_port);
			if (p2 < 1 || p2 > 65535 || p2 < lo) {
				snprintf(err, errlen, "invalid port range '%s'", colon + 1);
				return -1;
			}
			hi = p2;
		} else if (cfg_parse_addr(buf, &base, 1, err, errlen) < 0) {
			return -1;
		}
	}
	if (hi - lo > 1024) {
		snprintf(err, errlen, "port range too large in '%s'", item);
		return -1;
	}
	for (int port = lo; port <= hi; port++) {
		struct bind_conf *b = calloc(1, sizeof(*b)), **pp;
		if (!b || !(b->name = strdup(item))) {
			free(b);
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		b->px = px;
		b->fd = fd;
		b->addr = base;
		if (hi) {
			if (base.u.sa.sa_family == AF_INET6)
				b->addr.u.in6.sin6_port = htons((uint16_t)port);
			else
				b->addr.u.in4.sin_port = htons((uint16_t)port);
		}
		b->file = c->file;
		b->line = c->line;
		for (pp = &px->binds; *pp; pp = &(*pp)->next)
			;
		*pp = b;
		if (!*first)
			*first = b;
		(*nb)++;
	}
	return 0;
}

/* Bind options: those taking a value and those that are flags. */
static int cfg_bind_opt(struct cfg_ctx *c, struct bind_conf *b, const char *k, const char *v)
{
	char **dst = NULL;

	if (!strcmp(k, "name"))              dst = NULL;
	else if (!strcmp(k, "crt"))          dst = &b->crt;
	else if (!strcmp(k, "crt-list"))     dst = &b->crt_list;
	else if (!strcmp(k, "alpn"))         dst = &b->alpn;
	else if (!strcmp(k, "ciphers"))      dst = &b->ciphers;
	else if (!strcmp(k, "ciphersuites")) dst = &b->ciphersuites;
	else if (!strcmp(k, "ssl-min-ver"))  dst = &b->ssl_min_ver;
	else if (!strcmp(k, "ssl-max-ver"))  dst = &b->ssl_max_ver;
	else if (!strcmp(k, "ca-file"))      dst = &b->ca_file;
	else if (!strcmp(k, "verify"))       dst = &b->verify;
	if ((dst == &b->ssl_min_ver || dst == &b->ssl_max_ver) && cfg_tls_ver_index(v) < 0)
		return cfg_set_err(c, "'bind %s' in section '%s' : '%s' : unknown ssl/tls version", b->name,
		                   cfg_px_type(b->px), v);
	if (dst == &b->verify && strcmp(v, "none") && strcmp(v, "optional") && strcmp(v, "required"))
		return cfg_set_err(c, "'bind %s' in section '%s' : 'verify' : unknown verify method '%s', only 'none', 'optional', and 'required' are supported",
		                   b->name, cfg_px_type(b->px), v);
	if (dst == &b->crt && b->crt) {
		/* several "crt" on a line: each adds its certificate(s) */
		char **n = realloc(b->crt_more, sizeof(*n) * (size_t)(b->nb_crt_more + 1));
		if (!n)
			return cfg_set_err(c, "out of memory");
		b->crt_more = n;
		if (!(n[b->nb_crt_more] = cfg_strdup(c, v)))
			return -1;
		b->nb_crt_more++;
		return 0;
	}
	if (!strcmp(k, "backlog")) {
		long long n;
		if (cfg_int_arg(c, k, v, 1, INT_MAX, &n))
			return -1;
		b->backlog = (int)n;
		return 0;
	}
	if (!strcmp(k, "mode")) {
		char *end;
		unsigned long m = strtoul(v, &end, 8);
		if (*end || m > 07777)
			return cfg_set_err(c, "'mode' : invalid mode '%s' (octal expected)", v);
		b->mode = (uint32_t)m;
		return 0;
	}
	if (!strcmp(k, "name")) {
		free(b->name);
		b->name = cfg_strdup(c, v);
		b->named = 1;
		return b->name ? 0 : -1;
	}
	if (!dst)
		return cfg_set_err(c, "internal error on '%s'", k);
	free(*dst);
	*dst = cfg_strdup(c, v);
	return *dst ? 0 : -1;
}

static const char *const bind_val_kws[] = {
	"name", "backlog", "mode", "crt", "crt-list", "alpn", "ciphers", "ciphersuites",
	"ssl-min-ver", "ssl-max-ver", "ca-file", "verify", NULL
};
/* Accepted, stored nowhere: no effect here (a notice says so). */
static const char *const bind_noeffect_val_kws[] = {
	"process", "thread", "nice", "id", "maxconn", "interface", "tcp-ut", "user", "group",
	"uid", "gid", "level", "severity-output", "curves", "ecdhe", "npn",
	"crl-file", "ca-ignore-err", "crt-ignore-err", "ca-sign-file",
	"ca-sign-pass", "ca-verify-file", "tls-ticket-keys", "mss", "namespace", "nbconn", "proto",
	"shards", "quic-cc-algo", NULL
};
static const char *const bind_noeffect_flag_kws[] = {
	"tfo", "defer-accept", "prefer-client-ciphers", "allow-0rtt", "expose-fd", "no-ca-names",
	"generate-certificates", "quic-force-retry", NULL
};
/* TLS version switches of a bind line: bit i of tls_no_vers / forced version i. */
static const char *const bind_no_vers[] = { "no-sslv3", "no-tlsv10", "no-tlsv11", "no-tlsv12", "no-tlsv13", NULL };
static const char *const bind_force_vers[] = { "force-sslv3", "force-tlsv10", "force-tlsv11", "force-tlsv12",
                                               "force-tlsv13", NULL };

static int cfg_in(const char *const *list, const char *k)
{
	for (int i = 0; list[i]; i++)
		if (!strcmp(list[i], k))
			return 1;
	return 0;
}

int cfg_bind_kw_noeffect(const char *kw)
{
	if (cfg_in(bind_noeffect_val_kws, kw))
		return 1;
	return cfg_in(bind_noeffect_flag_kws, kw) ? 2 : 0;
}

/* "bind <addr>[,<addr>...] [options]". Returns 0 or -1 / -2. */
int cfg_srv_bind(struct cfg_ctx *c, char **args, int nargs)
{
	struct proxy *px = c->px;
	struct bind_conf *first = NULL;
	char aerr[512], list[1024], *save = NULL, *item;
	int nb = 0;

	if (nargs < 2 || !*args[1])
		return cfg_set_err(c, "'bind' expects {<path>|[addr1]:port1[-end1]}{,[addr]:port[-end]}... as arguments.");
	if (strlen(args[1]) >= sizeof(list))
		return cfg_set_err(c, "'bind' : address list too long.");
	snprintf(list, sizeof(list), "%s", args[1]);
	for (item = strtok_r(list, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		if (cfg_bind_item(c, item, &first, &nb, aerr, sizeof(aerr)) < 0)
			return cfg_set_err(c, "'bind' : %s", aerr);
	}
	if (!first)
		return cfg_set_err(c, "'bind' expects {<path>|[addr1]:port1[-end1]}{,[addr]:port[-end]}... as arguments.");
	for (int i = 2; i < nargs; i++) {
		const char *k = args[i];
		int isval = cfg_in(bind_val_kws, k), nev = cfg_in(bind_noeffect_val_kws, k);
		if (isval || nev) {
			if (!strcmp(k, "name") && (i + 1 >= nargs || !*args[i + 1]))
				return cfg_set_err(c, "'bind %s' in section '%s' : 'name' : missing name", args[1],
				                   cfg_px_type(px));
			if (i + 1 >= nargs || !*args[i + 1])
				return cfg_set_err(c, "'bind %s' in section '%s' : '%s' : missing value", args[1],
				                   cfg_px_type(px), k);
			if (nev)
				cfg_notice(c, "'bind %s' : '%s' has no effect in ringproxy (ignored).", args[1], k);
			for (struct bind_conf *b = first; b && isval; b = b->next)
				if (cfg_bind_opt(c, b, k, args[i + 1]) < 0)
					return -1;
			i++;
			continue;
		}
		if (cfg_in(bind_noeffect_flag_kws, k)) {
			cfg_notice(c, "'bind %s' : '%s' has no effect in ringproxy (ignored).", args[1], k);
			continue;
		}
		for (struct bind_conf *b = first; b; b = b->next) {
			int vi;
			for (vi = 0; bind_no_vers[vi] && strcmp(k, bind_no_vers[vi]); vi++)
				;
			if (bind_no_vers[vi]) {
				b->tls_no_vers |= (uint8_t)(1u << vi);
				continue;
			}
			for (vi = 0; bind_force_vers[vi] && strcmp(k, bind_force_vers[vi]); vi++)
				;
			if (bind_force_vers[vi]) {
				if (cfg_bind_opt(c, b, "ssl-min-ver", cfg_tls_ver_name(vi)) < 0 ||
				    cfg_bind_opt(c, b, "ssl-max-ver", cfg_tls_ver_name(vi)) < 0)
					return -1;
				continue;
			}
			if (!strcmp(k, "ssl"))               b->ssl = 1;
			else if (!strcmp(k, "no-tls-tickets")) b->no_tls_tickets = 1;
			else if (!strcmp(k, "strict-sni"))   b->strict_sni = 1;
			else if (!strcmp(k, "v4v6"))         b->v4v6 = 1;
			else if (!strcmp(k, "v6only"))       b->v6only = 1;
			else if (!strcmp(k, "accept-proxy")) b->accept_proxy = 1;
			else if (!strcmp(k, "transparent"))  b->transparent = 1;
			else
				return cfg_set_err(c, "'bind %s' in section '%s': unknown keyword '%s'.", args[1],
				                   cfg_px_type(px), k);
		}
	}
	return 0;
}

/* ---- server ---- */

#define CFG_SRV_MAX_ARGS 65

/* Prints "[file:line] : <msg>" as HAProxy does for server lines; returns -2. */
static int srv_alert(struct cfg_ctx *c, const char *fmt, ...)
{
	char msg[CFG_ERR_SIZE];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	rp_alert("config : [%s:%d] : %s", c->file, c->line, msg);
	return -2;
}

static int srv_dupstr(char **dst, const char *src)
{
	if (!src) {
		*dst = NULL;
		return 0;
	}
	*dst = strdup(src);
	return *dst ? 0 : -1;
}

struct server *cfg_srv_dup(const struct server *t)
{
	struct server *s = malloc(sizeof(*s));

	if (!s)
		return NULL;
	*s = *t;
	s->next = NULL;
	s->name = s->verify = s->sni = s->ca_file = s->crt = s->alpn = s->ciphers = NULL;
	s->cookie = s->addr_text = s->resolvers_id = NULL;
	s->ciphersuites = s->ssl_min_ver = s->ssl_max_ver = s->verifyhost = NULL;
	s->check_sni = s->check_alpn = NULL;
	s->tls_ctx = s->check_tls_ctx = NULL;
	s->sni_expr = NULL;
	if (srv_dupstr(&s->ciphersuites, t->ciphersuites) || srv_dupstr(&s->ssl_min_ver, t->ssl_min_ver) ||
	    srv_dupstr(&s->ssl_max_ver, t->ssl_max_ver) || srv_dupstr(&s->verifyhost, t->verifyhost) ||
	    srv_dupstr(&s->name, t->name) || srv_dupstr(&s->verify, t->verify) ||
	    srv_dupstr(&s->sni, t->sni) || srv_dupstr(&s->ca_file, t->ca_file) ||
	    srv_dupstr(&s->crt, t->crt) || srv_dupstr(&s->alpn, t->alpn) ||
	    srv_dupstr(&s->ciphers, t->ciphers) || srv_dupstr(&s->cookie, t->cookie) ||
	    srv_dupstr(&s->addr_text, t->addr_text) || srv_dupstr(&s->resolvers_id, t->resolvers_id) ||
	    srv_dupstr(&s->check_sni, t->check_sni) || srv_dupstr(&s->check_alpn, t->check_alpn)) {
		server_free(s);
		return NULL;
	}
	return s;
}

/* A fresh template with HAProxy's defaults. */
static struct server *srv_new_template(void)
{
	struct server *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->weight = 1;
	s->inter = 2000;
	s->pool_max_conn = -1;
	s->pool_purge_delay = 5000;
	s->rise = 2;
	s->fall = 3;
	return s;
}

static const char *const srv_str_kws[] = { "verify", "sni", "ca-file", "crt", "alpn", "ciphers", "cookie",
	"ciphersuites", "ssl-min-ver", "ssl-max-ver", "verifyhost", "check-sni", "check-alpn", NULL };
static const char *const srv_noeffect_val_kws[] = {
	"pool-max-conn", "pool-purge-delay", "pool-low-conn", "max-reuse", "tcp-ut",
	"curves", "namespace", "proto",
	"resolve-opts", "resolve-net", "crl-file",
	"npn", "check-proto", NULL
};
static const char *const srv_noeffect_flag_kws[] = {
	"tfo", "no-tfo", "no-sslv3", "no-tlsv10", "no-tlsv11",
	"no-send-proxy", "allow-0rtt", "non-stick", "stick", "no-tlsv12", "no-tlsv13", "force-sslv3", "force-tlsv10",
	"force-tlsv11", "force-tlsv12", "force-tlsv13", "no-agent-check", "no-send-proxy-v2",
	"no-send-proxy-v2-ssl", "no-send-proxy-v2-ssl-cn", NULL
};
static const char *const srv_unsupported_kws[] = {
	"observe", "error-limit", "on-error", "on-marked-down", "on-marked-up", "track", "redir",
	"send-proxy-v2", "send-proxy-v2-ssl", "send-proxy-v2-ssl-cn", "usesrc",
	"socks4", "ws", "pool-conn-name", "set-proxy-v2-tlv-fmt", "shard", "log-proto",
	"check-via-socks4", "proxy-v2-options", NULL
};

/* Parses the server options in <args>[<i>..] into <s>. Returns 0 or -1
 * with c->err set (without the "'server x/y' : " prefix). */
static int srv_params(struct cfg_ctx *c, struct server *s, char **args, int i, int nargs)
{
	for (; i < nargs; i++) {
		const char *k = args[i], *v = i + 1 < nargs ? args[i + 1] : NULL;
		long long n;
		uint32_t t;

		if (!strcmp(k, "backup"))             { s->backup = 1; continue; }
		if (!strcmp(k, "no-backup"))          { s->backup = 0; continue; }
		if (!strcmp(k, "disabled"))           { s->disabled = 1; continue; }
		if (!strcmp(k, "enabled"))            { s->disabled = 0; continue; }
		if (!strcmp(k, "check"))              { s->check = 1; continue; }
		if (!strcmp(k, "no-check"))           { s->check = 0; continue; }
		if (!strcmp(k, "ssl"))                { s->ssl = 1; continue; }
		if (!strcmp(k, "no-ssl"))             { s->ssl = 0; continue; }
		if (!strcmp(k, "check-ssl"))          { s->check_ssl = 1; s->no_check_ssl = 0; continue; }
		if (!strcmp(k, "no-check-ssl"))       { s->check_ssl = 0; s->no_check_ssl = 1; continue; }
		if (!strcmp(k, "send-proxy"))         { s->send_proxy = 1; continue; }
		if (!strcmp(k, "check-send-proxy"))   { s->check_send_proxy = 1; continue; }
		if (!strcmp(k, "no-ssl-reuse"))       { s->no_ssl_reuse = 1; continue; }
		if (!strcmp(k, "ssl-reuse"))          { s->no_ssl_reuse = 0; continue; }
		if (!strcmp(k, "no-tls-tickets"))     { s->no_tls_tickets = 1; continue; }
		if (!strcmp(k, "tls-tickets"))        { s->no_tls_tickets = 0; continue; }
		if (!strcmp(k, "no-verifyhost"))      { free(s->verifyhost); s->verifyhost = NULL; continue; }
		if ((n = check_cfg_srv_kw(c, s, args, i, nargs)) != 0) {     /* agent-* (check_agent.c) */
			if (n < 0)
				return -1;
			i += (int)n - 1;
			continue;
		}
		if (cfg_in(srv_noeffect_flag_kws, k)) {
			cfg_notice(c, "server option '%s' has no effect in ringproxy (ignored).", k);
			continue;
		}
		if (cfg_in(srv_unsupported_kws, k))
			return cfg_set_err(c, "'%s' is not supported by ringproxy yet.", k);
		if (!cfg_in(srv_noeffect_val_kws, k) && !cfg_in(srv_str_kws, k) && strcmp(k, "init-addr") &&
		    strcmp(k, "weight") && strcmp(k, "maxconn") && strcmp(k, "minconn") &&
		    strcmp(k, "maxqueue") && strcmp(k, "inter") && strcmp(k, "fastinter") &&
		    strcmp(k, "downinter") && strcmp(k, "slowstart") && strcmp(k, "rise") &&
		    strcmp(k, "fall") && strcmp(k, "port") && strcmp(k, "addr") && strcmp(k, "id") &&
		    strcmp(k, "resolvers") && strcmp(k, "resolve-prefer") && strcmp(k, "source"))
			return cfg_set_err(c, "unknown keyword '%s'.", k);
		/* every remaining keyword takes one value */
		if (!v || !*v) {
			if (!strcmp(k, "inter") || !strcmp(k, "fastinter") || !strcmp(k, "downinter") ||
			    !strcmp(k, "slowstart"))
				return cfg_set_err(c, "'%s' expects a delay as argument.", k);
			if (!strcmp(k, "addr"))
				return cfg_set_err(c, "'addr' expects <ipv4|ipv6> as argument.");
			if (cfg_in(srv_str_kws, k) || cfg_in(srv_noeffect_val_kws, k))
				return cfg_set_err(c, "'%s' expects an argument.", k);
			return cfg_set_err(c, "'%s' expects an integer argument.", k);
		}
		i++;
		if (!strcmp(k, "pool-max-conn")) {      /* http_idle.c */
			if (cfg_int_arg(c, k, v, -1, INT_MAX, &n) < 0)
				return -1;
			s->pool_max_conn = (int)n;
			continue;
		}
		if (!strcmp(k, "pool-purge-delay")) {   /* http_idle.c */
			if (cfg_parse_time(v, &t) < 0)
				return cfg_set_err(c, "'%s' : invalid time value '%s'.", k, v);
			s->pool_purge_delay = t;
			continue;
		}
		if (cfg_in(srv_noeffect_val_kws, k)) {
			cfg_notice(c, "server option '%s' has no effect in ringproxy (ignored).", k);
			continue;
		}
		if (!strcmp(k, "source")) {             /* the connections' local address */
			char aerr[256];

			if (cfg_parse_addr(v, &s->src_addr, 0, aerr, sizeof(aerr)) < 0)
				return cfg_set_err(c, "'source %s' : %s", v, aerr);
			continue;
		}
		if (!strcmp(k, "resolvers")) {          /* dns.c */
			free(s->resolvers_id);
			if (!(s->resolvers_id = cfg_strdup(c, v)))
				return -1;
			continue;
		}
		if (!strcmp(k, "resolve-prefer")) {
			if (strcmp(v, "ipv4") && strcmp(v, "ipv6"))
				return cfg_set_err(c, "'resolve-prefer' expects either ipv4 or ipv6 as argument.");
			s->resolve_prefer = !strcmp(v, "ipv4") ? AF_INET : AF_INET6;
			continue;
		}
		if (!strcmp(k, "init-addr")) {
			/* a list of methods tried in order; "none" lets the server start
			 * in maintenance when its name does not resolve */
			char list[256], *save = NULL, *m;
			snprintf(list, sizeof(list), "%s", v);
			s->init_addr_none = 0;
			for (m = strtok_r(list, ",", &save); m; m = strtok_r(NULL, ",", &save)) {
				struct addr tmp;
				char aerr[128];
				if (!strcmp(m, "none"))
					s->init_addr_none = 1;
				else if (strcmp(m, "last") && strcmp(m, "libc") &&
				         cfg_parse_addr(m, &tmp, 0, aerr, sizeof(aerr)) < 0)
					return cfg_set_err(c, "'init-addr' : unknown init-addr method '%s', supported methods are 'libc', 'last', 'none'.", m);
			}
			continue;
		}
		if (cfg_in(srv_str_kws, k)) {
			char **dst = !strcmp(k, "verify") ? &s->verify : !strcmp(k, "sni") ? &s->sni :
			             !strcmp(k, "ca-file") ? &s->ca_file : !strcmp(k, "crt") ? &s->crt :
			             !strcmp(k, "alpn") ? &s->alpn : !strcmp(k, "ciphers") ? &s->ciphers :
			             !strcmp(k, "ciphersuites") ? &s->ciphersuites :
			             !strcmp(k, "ssl-min-ver") ? &s->ssl_min_ver :
			             !strcmp(k, "ssl-max-ver") ? &s->ssl_max_ver :
			             !strcmp(k, "verifyhost") ? &s->verifyhost :
			             !strcmp(k, "check-sni") ? &s->check_sni :
			             !strcmp(k, "check-alpn") ? &s->check_alpn : &s->cookie;
			if ((dst == &s->ssl_min_ver || dst == &s->ssl_max_ver) && cfg_tls_ver_index(v) < 0)
				return cfg_set_err(c, "'%s' : unknown ssl/tls version '%s'.", k, v);
			if (dst == &s->verify && strcmp(v, "none") && strcmp(v, "required"))
				return cfg_set_err(c, "'verify' : unknown verify method '%s', only 'none' and 'required' are supported.", v);
			free(*dst);
			if (!(*dst = cfg_strdup(c, v)))
				return -1;
			continue;
		}
		if (!strcmp(k, "inter") || !strcmp(k, "fastinter") || !strcmp(k, "downinter") ||
		    !strcmp(k, "slowstart")) {
			const char *bad = NULL;
			if (cfg_parse_time(v, &t) < 0) {
				for (bad = v; isdigit((unsigned char)*bad); bad++)
					;
				if (*bad == 'm' && bad[1] == 's') bad += 2;
				else if (*bad == 'u' && bad[1] == 's') bad += 2;
				else if (strchr("smhd", *bad) && *bad) bad++;
				return cfg_set_err(c, "unexpected character '%c' in '%s' argument of server %s.",
				                   *bad ? *bad : *v, k, s->name ? s->name : "");
			}
			if (!t && strcmp(k, "slowstart"))
				return cfg_set_err(c, "invalid value 0 for argument '%s' of server %s.", k,
				                   s->name ? s->name : "");
			if (!strcmp(k, "inter"))          s->inter = t;
			else if (!strcmp(k, "fastinter")) s->fastinter = t;
			else if (!strcmp(k, "downinter")) s->downinter = t;
			else                              s->slowstart = t;
			continue;
		}
		if (!strcmp(k, "addr")) {
			char aerr[256];
			int keep = s->check_port;
			if (cfg_parse_addr(v, &s->check_addr, 0, aerr, sizeof(aerr)) < 0)
				return cfg_set_err(c, "'addr' : %s", aerr);
			s->has_check_addr = 1;
			s->check_port = keep;
			continue;
		}
		if (cfg_int_arg(c, k, v, 0, INT_MAX, &n) < 0)
			return -1;
		if (!strcmp(k, "weight")) {
			if (n > 256)
				return cfg_set_err(c, "weight of server %s is not within 0 and 256 (%lld).",
				                   s->name ? s->name : "", n);
			s->weight = (int)n;
		} else if (!strcmp(k, "maxconn"))  s->maxconn = (int)n;
		else if (!strcmp(k, "minconn"))    s->minconn = (int)n;
		else if (!strcmp(k, "maxqueue"))   s->maxqueue = (int)n;
		else if (!strcmp(k, "rise") || !strcmp(k, "fall")) {
			if (n < 1)
				return cfg_set_err(c, "'%s' has to be > 0.", k);
			if (!strcmp(k, "rise"))
				s->rise = (int)n;
			else
				s->fall = (int)n;
		} else if (!strcmp(k, "port")) {
			if (n < 1 || n > 65535)
				return cfg_set_err(c, "invalid port '%s'.", v);
			s->check_port = (int)n;
		} else if (!strcmp(k, "id")) {
			if (n < 1)
				return cfg_set_err(c, "custom id has to be > 0.");
			s->id = (int)n;
		}
	}
	return 0;
}

int cfg_srv_default(struct cfg_ctx *c, char **args, int nargs)
{
	struct proxy *px = c->px;

	if (!px->defsrv && !(px->defsrv = srv_new_template()))
		return cfg_set_err(c, "out of memory.");
	if (srv_params(c, px->defsrv, args, 1, nargs) < 0)
		return srv_alert(c, "%s", c->err);
	return 0;
}

int cfg_srv_server(struct cfg_ctx *c, char **args, int nargs)
{
	struct proxy *px = c->px;
	struct server *s, *o, **pp;
	char aerr[512];
	int bad, n = 0, custom_id, unresolved;

	if (nargs < 3 || !*args[1] || !*args[2])
		return srv_alert(c, "'server' expects <name> and <addr>[:<port>] as arguments.");
	if ((bad = cfg_bad_name_char(args[1])))
		return srv_alert(c, "character '%c' is not permitted in server name '%s'.", bad, args[1]);
	if ((o = server_find(px, args[1])))
		return cfg_set_err(c, "%s '%s', another server named '%s' was already defined at line %d, please use distinct names.",
		                   cfg_px_type(px), px->name, args[1], o->line);
	s = px->defsrv ? cfg_srv_dup(px->defsrv) : srv_new_template();
	if (!s)
		return cfg_set_err(c, "out of memory.");
	s->id = 0;
	free(s->name);
	s->name = strdup(args[1]);
	free(s->addr_text);
	s->addr_text = strdup(args[2]);
	if (!s->name || !s->addr_text) {
		server_free(s);
		return cfg_set_err(c, "out of memory.");
	}
	s->px = px;
	s->file = c->file;
	s->line = c->line;
	if (!strncmp(args[2], "fd@", 3) || !strncmp(args[2], "sockpair@", 9)) {
		server_free(s);
		return srv_alert(c, "'server %s/%s' : address family '%.*s' not supported for servers.",
		                 px->name, args[1], (int)(strchr(args[2], '@') - args[2] + 1), args[2]);
	}
	if (args[2][0] == '+' || args[2][0] == '-' || strstr(args[2], ":+") || strstr(args[2], ":-")) {
		server_free(s);
		return srv_alert(c, "'server %s/%s' : port offsets are not supported by ringproxy yet in '%s'.",
		                 px->name, args[1], args[2]);
	}
	unresolved = 0;
	if (cfg_parse_addr(args[2], &s->addr, 0, aerr, sizeof(aerr)) < 0) {
		unresolved = !strncmp(aerr, "could not resolve", 17);
		if (!unresolved) {
			server_free(s);
			return srv_alert(c, "'server %s/%s' : %s", px->name, args[1], aerr);
		}
	}
	if (srv_params(c, s, args, 3, nargs) < 0) {
		server_free(s);
		return srv_alert(c, "'server %s/%s' : %s", px->name, args[1], c->err);
	}
	if (unresolved && !s->init_addr_none) {
		server_free(s);
		return srv_alert(c, "'server %s/%s' : %s.", px->name, args[1], aerr);
	}
	custom_id = s->id;
	for (pp = &px->srv; *pp; pp = &(*pp)->next) {
		n++;
		if (custom_id && (*pp)->id == custom_id) {
			int l = (*pp)->line;
			const char *nm = (*pp)->name;
			server_free(s);
			return srv_alert(c, "'server %s/%s' : 'id' : custom id %d already used at %s:%d ('server %s').",
			                 px->name, args[1], custom_id, c->file, l, nm);
		}
	}
	*pp = s;
	if (!custom_id)
		s->id = n + 1;
	px->nb_srv++;
	if (!s->fastinter)
		s->fastinter = s->inter;
	if (!s->downinter)
		s->downinter = s->inter;
	s->cur_weight = s->weight;
	s->state = s->disabled ? SRV_MAINT : SRV_UP;
	if (unresolved && s->resolvers_id) {
		/* "init-addr none" with resolvers: in maintenance until a valid answer */
		memset(&s->addr, 0, sizeof(s->addr));
		s->state = SRV_MAINT;
		s->dns_maint = 1;
	} else if (unresolved) {
		/* "init-addr none": no address yet, the server waits in maintenance */
		memset(&s->addr, 0, sizeof(s->addr));
		s->state = SRV_MAINT;
		s->disabled = 1;      /* no check either: there is nothing to connect to */
		c->warnings++;
		rp_warning("config : [%s:%d] : 'server %s/%s' : %s, disabling server.",
		           c->file, c->line, px->name, s->name, aerr);
	}
	s->health = s->rise;     /* starts UP: a failing check takes <fall> tries to bring it down */
	return 0;
}

/* "server-template <prefix> <n | from-to> <addr>[:<port>] [params]": the
 * servers <prefix><i> for i in the range, each as a "server" line with the
 * same address and parameters (without resolvers, every one resolves the
 * name once at start-up, as HAProxy does with libc). */
int cfg_srv_template(struct cfg_ctx *c, char **args, int nargs)
{
	char *sargs[CFG_SRV_MAX_ARGS], name[256], *end;
	long lo = 1, hi;
	int ret = 0;

	if (nargs < 4 || !*args[1] || !*args[2] || !*args[3])
		return srv_alert(c, "'server-template' expects <prefix> <nb | range> <addr>[:<port>] as arguments.");
	if (nargs > CFG_SRV_MAX_ARGS)
		return srv_alert(c, "'server-template' : too many arguments.");
	hi = strtol(args[2], &end, 10);
	if (*end == '-') {
		lo = hi;
		hi = strtol(end + 1, &end, 10);
	}
	if (*end || end == args[2] || lo < 1 || hi < lo || hi - lo >= 10000)
		return srv_alert(c, "Wrong server-template number or range arg '%s'.", args[2]);
	sargs[0] = "server";
	sargs[1] = name;
	for (int i = 3; i < nargs; i++)
		sargs[i - 1] = args[i];
	for (long i = lo; i <= hi && ret == 0; i++) {
		snprintf(name, sizeof(name), "%s%ld", args[1], i);
		ret = cfg_srv_server(c, sargs, nargs - 1);
	}
	return ret;
}
