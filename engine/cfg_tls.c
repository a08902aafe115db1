/* cfg_tls.c: TLS contexts of the configuration (cfg_tls.h). A bind line's
 * settings (crt, crt-list, alpn, ciphers, versions, tickets, strict-sni,
 * client-certificate verification) and the global ssl-default-bind-*
 * defaults make one server context; a server line's (verify, ca-file, crt,
 * alpn, ciphers, versions, reuse) and ssl-default-server-* make one client
 * context per thread. Messages follow HAProxy 2.6's wording. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/cfg.h"
#include "engine/cfg_srv.h"
#include "engine/cfg_tls.h"
#include "engine/check.h"
#include "engine/log.h"
#include "engine/sample.h"
#include "proto/tls.h"

static const char *const tls_vers[] = { "SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3" };
#define TLS_NVERS 5

int cfg_tls_ver_index(const char *s)
{
	for (int i = 0; i < TLS_NVERS; i++)
		if (!strcmp(s, tls_vers[i]))
			return i;
	return -1;
}

const char *cfg_tls_ver_name(int i)
{
	return i >= 0 && i < TLS_NVERS ? tls_vers[i] : "";
}

int cfg_tls_global_kw(struct cfg_ctx *c, char **args, int nargs)
{
	if (nargs < 2 || (strcmp(args[1], "none") && strcmp(args[1], "required")))
		return cfg_set_err(c, "'%s' expects 'none' or 'required' as argument.", args[0]);
	c->cfg->g.ssl_server_verify_none = !strcmp(args[1], "none");
	return 0;
}

/* Version limits being worked out: indexes into tls_vers, and the
 * versions switched off by no-sslv3/no-tlsv1x (bit i = tls_vers[i]). */
struct vers {
	int lo, hi;
	unsigned off;
};

/* Applies one word of a version option. Returns 1 if <k> is one (taking
 * <v> for ssl-min-ver/ssl-max-ver: *<used> = 1), 0 if not, -1 with <err>
 * set for a bad version. */
static int vers_opt(struct vers *vs, const char *k, const char *v, int *used, char *err, size_t errlen)
{
	static const char *const no[] = { "no-sslv3", "no-tlsv10", "no-tlsv11", "no-tlsv12", "no-tlsv13" };
	static const char *const force[] = { "force-sslv3", "force-tlsv10", "force-tlsv11", "force-tlsv12",
	                                     "force-tlsv13" };
	int i;

	*used = 0;
	for (i = 0; i < TLS_NVERS; i++) {
		if (!strcmp(k, no[i])) {
			vs->off |= 1u << i;
			return 1;
		}
		if (!strcmp(k, force[i])) {
			vs->lo = vs->hi = i;
			return 1;
		}
	}
	if (strcmp(k, "ssl-min-ver") && strcmp(k, "ssl-max-ver"))
		return 0;
	*used = 1;
	if (!v || (i = cfg_tls_ver_index(v)) < 0) {
		snprintf(err, errlen, "'%s' : unknown ssl/tls version", v ? v : "");
		return -1;
	}
	if (k[8] == 'i')
		vs->lo = i;
	else
		vs->hi = i;
	return 1;
}

/* Applies the words of a global ssl-default-*-options line. Returns 0 or -1
 * with <err> set. <no_tickets> takes "no-tls-tickets". */
static int vers_defaults(struct vers *vs, const char *opts, int *no_tickets, char *err, size_t errlen)
{
	char buf[512], *save = NULL, *w, *v;
	int used;

	if (!opts)
		return 0;
	snprintf(buf, sizeof(buf), "%s", opts);
	for (w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		if (!strcmp(w, "no-tls-tickets")) {
			*no_tickets = 1;
			continue;
		}
		if (!strcmp(w, "prefer-client-ciphers") || !strcmp(w, "no-ca-names") ||
		    !strcmp(w, "ssl-reuse") || !strcmp(w, "tls-tickets") || !strcmp(w, "no-ssl-reuse"))
			continue;   /* no effect here (or the default) */
		v = NULL;
		if (!strcmp(w, "ssl-min-ver") || !strcmp(w, "ssl-max-ver"))
			v = strtok_r(NULL, " ", &save);
		switch (vers_opt(vs, w, v, &used, err, errlen)) {
		case 1:
			continue;
		case 0:
			snprintf(err, errlen, "unknown option '%s'", w);
			/* fall through */
		default:
			return -1;
		}
	}
	return 0;
}

/* Narrows <vs> by its switched-off versions. Returns 0, or -1 when none is left. */
static int vers_final(struct vers *vs)
{
	while (vs->lo <= vs->hi && (vs->off & (1u << vs->lo)))
		vs->lo++;
	while (vs->hi >= vs->lo && (vs->off & (1u << vs->hi)))
		vs->hi--;
	return vs->lo <= vs->hi ? 0 : -1;
}

/* Writes <path> prefixed by <base> (crt-base, ca-base) when relative. */
static const char *with_base(char *out, size_t outsz, const char *base, const char *path)
{
	if (!base || !*base || path[0] == '/')
		return path;
	snprintf(out, outsz, "%s/%s", base, path);
	return out;
}

/* Writes into <out> the ALPN list <alpn> without "h2" when <px> is in
 * HTTP mode: the HTTP engine speaks HTTP/1.x only, so negotiating h2
 * would break the connection (a TCP proxy passes h2 through untouched).
 * Returns the list to use (NULL when nothing is left), and notices once. */
static const char *alpn_filter(const struct proxy *px, const char *alpn, char *out, size_t outsz,
                               const char *file, int line)
{
	char buf[256], *save = NULL, *w;
	size_t len = 0;
	int dropped = 0;

	if (!alpn || px->mode != PX_MODE_HTTP)
		return alpn;
	snprintf(buf, sizeof(buf), "%s", alpn);
	out[0] = 0;
	for (w = strtok_r(buf, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		if (!strcmp(w, "h2")) {
			dropped = 1;
			continue;
		}
		len += (size_t)snprintf(out + len, len < outsz ? outsz - len : 0, "%s%s", len ? "," : "", w);
	}
	if (!dropped)
		return alpn;
	rp_notice("config : parsing [%s:%d] : ALPN 'h2' is not offered: HTTP/2 is not supported in 'mode http' by ringproxy yet.",
	          file, line);
	return out[0] && len < outsz ? out : NULL;
}

/* Returns HAProxy's name of the cipher list tls_ctx_new() refused with
 * <err> ("SSL cipher list", "TLS 1.3 cipher suites"), with the list of <o>
 * in <*list>; NULL for another error. */
static const char *cipher_err(const struct tls_ctx_opts *o, const char *err, const char **list)
{
	if (!strncmp(err, "unable to set cipher list", 25)) {
		*list = o->ciphers ? o->ciphers : "";
		return "SSL cipher list";
	}
	if (!strncmp(err, "unable to set TLS 1.3 cipher suites", 35)) {
		*list = o->ciphersuites ? o->ciphersuites : "";
		return "TLS 1.3 cipher suites";
	}
	return NULL;
}

static void bind_alert(const struct bind_conf *b, const char *msg)
{
	rp_alert("config : parsing [%s:%d] : 'bind %s' in section '%s' : %s", b->file, b->line,
	         b->name, cfg_px_type(b->px), msg);
}

/* Loads the crt-list <path> into <ctx>: lines "<crt> [[<options>]] [<sni> ...]".
 * Returns the number of errors (printed). */
static int crt_list_load(struct config *cfg, struct bind_conf *b, struct tls_ctx *ctx, const char *path)
{
	char line[4096], msg[1024], pbuf[PATH_MAX], *w[64], *save;
	const char *sni[64];
	int nl = 0, errors = 0;
	FILE *f = fopen(path, "r");

	if (!f) {
		snprintf(msg, sizeof(msg), "'crt-list' : cannot open file '%.600s' : %s", path, strerror(errno));
		bind_alert(b, msg);
		return 1;
	}
	while (fgets(line, sizeof(line), f)) {
		int nw = 0, nsni = 0, inopt = 0;
		char err[512];

		nl++;
		save = NULL;
		for (char *t = strtok_r(line, " \t\r\n", &save); t && nw < 64; t = strtok_r(NULL, " \t\r\n", &save))
			w[nw++] = t;
		if (!nw || w[0][0] == '#')
			continue;
		for (int i = 1; i < nw; i++) {
			size_t l = strlen(w[i]);
			if (inopt) {
				inopt = w[i][l - 1] != ']';
				continue;
			}
			if (w[i][0] == '[') {
				/* per-certificate options: one context holds every
				 * certificate of the bind line here, with the line's options */
				inopt = w[i][l - 1] != ']';
				if (strcmp(w[i], "[]"))
					rp_notice("config : crt-list '%s' line %d : per-certificate options have no effect in ringproxy (the bind line's apply).",
					          path, nl);
				continue;
			}
			if (w[i][0] == '!')
				continue;   /* negative filter: the certificate is not chosen for that name anyway
				             * unless it is the default one */
			if (nsni < 64)
				sni[nsni++] = w[i];
		}
		if (tls_ctx_add_crt(ctx, with_base(pbuf, sizeof(pbuf), cfg->g.crt_base, w[0]), sni, nsni,
		                    err, sizeof(err)) < 0) {
			snprintf(msg, sizeof(msg), "'crt-list' : %.400s (at '%.400s:%d').", err, path, nl);
			bind_alert(b, msg);
			errors++;
			break;    /* the context is only good for freeing now */
		}
	}
	fclose(f);
	return errors;
}

/* Builds the server context of bind line <b> (and of the lines' other
 * addresses, which share it). Returns the number of errors (printed). */
static int bind_build(struct config *cfg, struct bind_conf *b)
{
	const struct global *g = &cfg->g;
	struct tls_ctx_opts o = { .is_server = 1 };
	struct vers vs = { 3, 4, b->tls_no_vers };
	struct tls_ctx *ctx;
	char err[512], msg[1024], pbuf[PATH_MAX], cabuf[PATH_MAX], alpnbuf[256];
	int no_tickets = b->no_tls_tickets, errors = 0, used;

	if (vers_defaults(&vs, g->ssl_bind_options, &no_tickets, err, sizeof(err)) < 0) {
		rp_alert("config : ssl-default-bind-options : %s.", err);
		return 1;
	}
	/* a version range on the line replaces the defaults' (HAProxy 2.6) */
	if (b->ssl_min_ver || b->ssl_max_ver)
		vs = (struct vers){ 3, 4, 0 };
	vs.off |= b->tls_no_vers;
	if (b->ssl_min_ver && vers_opt(&vs, "ssl-min-ver", b->ssl_min_ver, &used, err, sizeof(err)) < 0)
		goto bad;
	if (b->ssl_max_ver && vers_opt(&vs, "ssl-max-ver", b->ssl_max_ver, &used, err, sizeof(err)) < 0)
		goto bad;
	if (vers_final(&vs) < 0) {
		snprintf(err, sizeof(err), "all SSL/TLS versions are disabled");
		goto bad;
	}
	if (!b->crt && !b->crt_list) {
		rp_alert("config : Proxy '%s': no SSL certificate specified for bind '%s' at [%s:%d] (use 'crt').",
		         b->px->name, b->name, b->file, b->line);
		return 1;
	}
	o.min_ver = tls_vers[vs.lo];
	o.max_ver = tls_vers[vs.hi];
	o.no_tickets = no_tickets;
	o.strict_sni = b->strict_sni;
	o.alpn = alpn_filter(b->px, b->alpn, alpnbuf, sizeof(alpnbuf), b->file, b->line);
	o.ciphers = b->ciphers ? b->ciphers : g->ssl_bind_ciphers;
	o.ciphersuites = b->ciphersuites ? b->ciphersuites : g->ssl_bind_ciphersuites;
	if (b->ca_file)
		o.ca_file = with_base(cabuf, sizeof(cabuf), g->ca_base, b->ca_file);
	/* no client certificate is asked unless "verify" says so, ca-file or not */
	o.verify = !b->verify ? TLS_VERIFY_NONE :
	           !strcmp(b->verify, "required") ? TLS_VERIFY_REQUIRED :
	           !strcmp(b->verify, "optional") ? TLS_VERIFY_OPTIONAL : TLS_VERIFY_NONE;
	if (o.verify != TLS_VERIFY_NONE && !b->ca_file) {
		rp_alert("config : Proxy '%s': verify is enabled but no CA file specified for bind '%s' at [%s:%d].",
		         b->px->name, b->name, b->file, b->line);
		return 1;
	}
	if (b->crt)
		o.crt = with_base(pbuf, sizeof(pbuf), g->crt_base, b->crt);
	if (!(ctx = tls_ctx_new(&o, err, sizeof(err)))) {
		const char *list, *kind = cipher_err(&o, err, &list);

		if (kind) {
			rp_alert("config : Proxy '%s': unable to set %s to '%s' for bind '%s' at [%s:%d].",
			         b->px->name, kind, list, b->name, b->file, b->line);
			return 1;
		}
		goto bad;
	}
	for (int i = 0; i < b->nb_crt_more && !errors; i++) {
		if (tls_ctx_add_crt(ctx, with_base(pbuf, sizeof(pbuf), g->crt_base, b->crt_more[i]), NULL, 0,
		                    err, sizeof(err)) < 0) {
			snprintf(msg, sizeof(msg), "%s.", err);
			bind_alert(b, msg);
			errors++;
		}
	}
	if (!errors && b->crt_list)
		errors += crt_list_load(cfg, b, ctx, with_base(pbuf, sizeof(pbuf), g->crt_base, b->crt_list));
	if (!errors && !tls_ctx_crt_count(ctx)) {
		rp_alert("config : Proxy '%s': no SSL certificate specified for bind '%s' at [%s:%d] (use 'crt').",
		         b->px->name, b->name, b->file, b->line);
		errors++;
	}
	if (errors) {
		tls_ctx_free(ctx);
		return errors;
	}
	/* "bind a,b ssl ...": the addresses of one line share its context */
	for (struct bind_conf *o2 = b; o2 && o2->line == b->line && o2->file == b->file; o2 = o2->next) {
		if (!o2->ssl)
			break;
		o2->tls_ctx = ctx;
		o2->tls_ctx_owner = o2 == b;
	}
	return 0;
bad:
	snprintf(msg, sizeof(msg), "%s.", err);
	bind_alert(b, msg);
	return 1;
}

/* Frees a NULL-terminated array of contexts (NULL is fine). */
static void ctxs_free(struct tls_ctx **v)
{
	for (int i = 0; v && v[i]; i++)
		tls_ctx_free(v[i]);
	free(v);
}

static int srv_alert(const struct server *s, const char *fmt, const char *arg)
{
	char msg[1024];

	snprintf(msg, sizeof(msg), fmt, arg);
	rp_alert("config : [%s:%d] : 'server %s/%s' : %s", s->file, s->line, s->px->name, s->name, msg);
	return 1;
}

/* Builds the client contexts of server <s> and its "sni" expression.
 * Returns the number of errors (printed). */
static int srv_build(struct config *cfg, struct server *s)
{
	const struct global *g = &cfg->g;
	struct tls_ctx_opts o = { .is_server = 0 };
	struct vers vs = { 3, 4, 0 };
	char err[512], cabuf[PATH_MAX], crtbuf[PATH_MAX], alpnbuf[256];
	struct tls_ctx **ctxs;
	int nthr = g->nbthread > 0 ? g->nbthread : 1, no_tickets = 0, used;

	if (s->sni) {
		const char *end = NULL;
		sample_parse_where(s->file, s->line, "sni expression");
		s->sni_expr = sample_expr_parse(s->sni, &end, s->px, err, sizeof(err));
		if (!s->sni_expr)
			return srv_alert(s, "error detected while parsing sni expression : %s", err);
		if (end && *end) {
			snprintf(err, sizeof(err), "unexpected '%.400s' after the expression", end);
			return srv_alert(s, "error detected while parsing sni expression : %s", err);
		}
		/* only a constant name lets other clients reuse a connection
		 * (HAProxy 2.6 keys idle connections by their SNI) */
		s->sni_varies = !(s->sni_expr->fetch->use & SMP_USE_INT) || s->sni_expr->nb_convs > 0 ||
		                strncmp(s->sni_expr->fetch->name, "str", 4) != 0;
	}
	if (!s->ssl && !check_srv_uses_tls(s))
		return 0;
	o.verify = s->verify ? (!strcmp(s->verify, "none") ? TLS_VERIFY_NONE : TLS_VERIFY_REQUIRED) :
	           g->ssl_server_verify_none ? TLS_VERIFY_NONE : TLS_VERIFY_REQUIRED;
	if (o.verify != TLS_VERIFY_NONE && !s->ca_file) {
		if (!s->verify && !g->ssl_server_verify_none)
			return srv_alert(s, "%s", "verify is enabled by default but no CA file specified. If you're running on a LAN where you're certain to trust the server's certificate, please set an explicit 'verify none' statement on the 'server' line, or use 'ssl-server-verify none' in the global section to disable server-side verifications by default.");
		return srv_alert(s, "%s", "verify is enabled but no CA file specified.");
	}
	if (vers_defaults(&vs, g->ssl_server_options, &no_tickets, err, sizeof(err)) < 0) {
		rp_alert("config : ssl-default-server-options : %s.", err);
		return 1;
	}
	if (s->ssl_min_ver || s->ssl_max_ver)
		vs = (struct vers){ 3, 4, 0 };
	if ((s->ssl_min_ver && vers_opt(&vs, "ssl-min-ver", s->ssl_min_ver, &used, err, sizeof(err)) < 0) ||
	    (s->ssl_max_ver && vers_opt(&vs, "ssl-max-ver", s->ssl_max_ver, &used, err, sizeof(err)) < 0))
		return srv_alert(s, "%s", err);
	if (vers_final(&vs) < 0)
		return srv_alert(s, "%s", "all SSL/TLS versions are disabled.");
	o.min_ver = tls_vers[vs.lo];
	o.max_ver = tls_vers[vs.hi];
	o.no_tickets = no_tickets || s->no_ssl_reuse || s->no_tls_tickets;
	o.alpn = alpn_filter(s->px, s->alpn, alpnbuf, sizeof(alpnbuf), s->file, s->line);
	o.ciphers = s->ciphers ? s->ciphers : g->ssl_server_ciphers;
	o.ciphersuites = s->ciphersuites ? s->ciphersuites : g->ssl_server_ciphersuites;
	if (s->ca_file) {
		o.ca_file = with_base(cabuf, sizeof(cabuf), g->ca_base, s->ca_file);
		if (access(o.ca_file, R_OK) < 0) {
			snprintf(err, sizeof(err), "Couldn't open the ca-file '%.400s' (%s).", o.ca_file, strerror(errno));
			return srv_alert(s, "%s", err);
		}
	}
	if (s->crt)
		o.crt = with_base(crtbuf, sizeof(crtbuf), g->crt_base, s->crt);
	/* NULL-terminated: freed without knowing the thread count. A server
	 * without "ssl" gets contexts for its TLS health checks only. */
	if (!(ctxs = calloc((size_t)nthr + 1, sizeof(*ctxs))))
		return srv_alert(s, "%s", "out of memory.");
	s->check_tls_ctx = ctxs;
	if (s->ssl)
		s->tls_ctx = ctxs;
	for (int i = 0; i < nthr; i++) {
		if (!(ctxs[i] = tls_ctx_new(&o, err, sizeof(err)))) {
			const char *list, *kind = cipher_err(&o, err, &list);

			ctxs_free(ctxs);
			s->tls_ctx = s->check_tls_ctx = NULL;
			if (kind)
				snprintf(err, sizeof(err), "unable to set %s to '%.400s'.", kind, list);
			return srv_alert(s, "%s", err);
		}
	}
	return 0;
}

int cfg_tls_build(struct config *cfg, struct proxy *px)
{
	int errors = 0;

	for (struct bind_conf *b = px->binds; b; b = b->next)
		if (b->ssl && !b->tls_ctx)
			errors += bind_build(cfg, b);
	for (struct server *s = px->srv; s; s = s->next) {
		errors += srv_build(cfg, s);
	}
	return errors;
}

void cfg_tls_bind_free(struct bind_conf *b)
{
	if (b->tls_ctx && b->tls_ctx_owner)
		tls_ctx_free(b->tls_ctx);
	b->tls_ctx = NULL;
	for (int i = 0; i < b->nb_crt_more; i++)
		free(b->crt_more[i]);
	free(b->crt_more);
	b->crt_more = NULL;
	b->nb_crt_more = 0;
	free(b->ssl_max_ver);
	free(b->ca_file);
	free(b->verify);
	b->ssl_max_ver = b->ca_file = b->verify = NULL;
}

void cfg_tls_server_free(struct server *s)
{
	/* <check_tls_ctx> is <tls_ctx> on an "ssl" server, else the checks' own */
	if (s->check_tls_ctx != s->tls_ctx)
		ctxs_free(s->check_tls_ctx);
	ctxs_free(s->tls_ctx);
	s->tls_ctx = s->check_tls_ctx = NULL;
	sample_expr_free(s->sni_expr);
	s->sni_expr = NULL;
	free(s->ciphersuites);
	free(s->ssl_min_ver);
	free(s->ssl_max_ver);
	free(s->verifyhost);
	free(s->check_sni);
	free(s->check_alpn);
	s->ciphersuites = s->ssl_min_ver = s->ssl_max_ver = s->verifyhost = NULL;
	s->check_sni = s->check_alpn = NULL;
}
