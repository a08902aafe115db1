/* cfg_tls.h: the TLS side of the configuration. The bind and server
 * keywords store their TLS settings in struct bind_conf / struct server
 * (cfg_srv.c); once every section is parsed, cfg_tls_build() turns them
 * into contexts: one server context per "bind ... ssl" line, shared by the
 * line's addresses, and one client context per thread per "server ... ssl"
 * line (a client context keeps its server's last session). The contexts
 * are freed with the bind line / server (proxy.c). */
#ifndef RP_CFG_TLS_H
#define RP_CFG_TLS_H

struct cfg_ctx;
struct config;
struct proxy;
struct bind_conf;
struct server;

/* Returns the index of TLS version name <s> ("SSLv3" = 0, "TLSv1.0" = 1 ..
 * "TLSv1.3" = 4), or -1 when unknown. */
int cfg_tls_ver_index(const char *s);
/* Returns the name of TLS version index <i> (0..4). */
const char *cfg_tls_ver_name(int i);

/* Global keyword "ssl-server-verify none|required". Returns 0 or -1 with
 * c->err set. */
int cfg_tls_global_kw(struct cfg_ctx *c, char **args, int nargs);

/* Builds the TLS contexts of <px>'s bind lines and servers that use
 * "ssl", parses the servers' "sni" expressions and refuses what HAProxy
 * refuses (a verifying server without a CA file...). Prints one [ALERT]
 * per problem and returns their number. */
int cfg_tls_build(struct config *cfg, struct proxy *px);

/* Free what cfg_tls_build() attached (NULL-safe, idempotent). */
void cfg_tls_bind_free(struct bind_conf *b);
void cfg_tls_server_free(struct server *s);

#endif
