/* proxy.c: lookups and lifetime of the configuration model (proxies,
 * servers, bind lines) that cfg.c builds. Everything here runs at start-up
 * or from the management socket, never per connection. */
#include <stdlib.h>
#include <string.h>

#include "engine/proxy.h"
#include "engine/cfg_tls.h"

struct proxy *proxy_find(const struct config *cfg, const char *name, unsigned cap)
{
	for (struct proxy *px = cfg->proxies; px; px = px->next)
		if ((px->cap & cap) == cap && px->name && strcmp(px->name, name) == 0)
			return px;
	return NULL;
}

struct server *server_find(const struct proxy *px, const char *name)
{
	for (struct server *s = px->srv; s; s = s->next)
		if (s->name && strcmp(s->name, name) == 0)
			return s;
	return NULL;
}

void server_free(struct server *s)
{
	if (!s)
		return;
	free(s->name);
	free(s->verify);
	free(s->sni);
	free(s->ca_file);
	free(s->crt);
	free(s->alpn);
	free(s->ciphers);
	free(s->cookie);
	free(s->addr_text);
	free(s->resolvers_id);
	cfg_tls_server_free(s);
	free(s);
}

void bind_conf_free(struct bind_conf *b)
{
	if (!b)
		return;
	free(b->name);
	free(b->crt);
	free(b->alpn);
	free(b->ciphers);
	free(b->ciphersuites);
	free(b->ssl_min_ver);
	free(b->crt_list);
	cfg_tls_bind_free(b);
	free(b);
}
