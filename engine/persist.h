/* persist.h: the server-assignment rules of a backend besides balancing:
 * "use-server <server> if|unless <cond>" (first matching rule names the
 * server; <server> may be a log-format resolving to a name),
 * "force-persist if|unless <cond>" (a down server named by use-server or a
 * cookie still gets the request) and "ignore-persist if|unless <cond>"
 * (the persistence cookie and stick rules are not looked at). */
#ifndef RP_PERSIST_H
#define RP_PERSIST_H

struct cfg_ctx;
struct config;
struct proxy;
struct server;
struct stream;

/* "use-server", "force-persist" or "ignore-persist". Returns 0 or -1 with
 * c->err set. */
int persist_cfg(struct cfg_ctx *c, char **args, int nargs);
/* Resolves the server names of every use-server rule; prints an alert per
 * unknown name and returns their count. */
int persist_resolve(struct config *cfg);
void persist_free(struct proxy *px);

/* The server the first matching use-server rule of <s>'s backend names,
 * when it may take the request; else NULL. */
struct server *persist_use_server(struct stream *s);
/* 1 when a force-persist (resp. ignore-persist) condition holds for <s>. */
int persist_forced(struct stream *s);
int persist_ignored(struct stream *s);

#endif
