/* userlist.h: "userlist" sections (users with crypt(3) or plain passwords,
 * groups) and the fetches that check a request's Basic credentials
 * against them: http_auth(<userlist>) and http_auth_group(<userlist>).
 * Built at configuration time, read-only afterwards. */
#ifndef RP_USERLIST_H
#define RP_USERLIST_H

#include <stddef.h>
#include "engine/cfg.h"
#include "engine/sample.h"

struct userlist;            /* private to userlist.c */

/* The section header "userlist <name>": starts a new list (a duplicated
 * name is warned about and its lines go to the first list). Returns 0 or
 * -1 with c->err set. */
int userlist_cfg_section(struct cfg_ctx *c, char **args, int nargs);
/* A line of the current userlist section: "user <name> [password <hash>|
 * insecure-password <pw>] [groups <g1,g2>]" or "group <name> [users
 * <u1,u2>]". Returns 0 or -1 with c->err set. */
int userlist_cfg_kw(struct cfg_ctx *c, char **args, int nargs);
/* After parsing: links users and groups ("no such group 'g' specified in
 * user 'a'"...). Prints an [ALERT] line per error and returns their number. */
int userlist_cfg_resolve(void);

/* Returns the list named <name>, or NULL. */
const struct userlist *userlist_find(const char *name);
/* Returns 1 when <user> exists in <ul> and <pass> is its password (crypt(3)
 * for "password", a plain comparison for "insecure-password"), else 0. */
int userlist_check(const struct userlist *ul, const char *user, size_t ulen, const char *pass,
                   size_t plen);
/* Returns the name of the <n>-th (0-based) group of <user> in <ul>, or NULL. */
const char *userlist_user_group(const struct userlist *ul, const char *user, size_t ulen, int n);

/* Frees every list (cfg_free()). */
void userlist_free_all(void);

/* http_auth and http_auth_group, registered by sample.c. */
extern const struct sample_fetch smp_fetch_userlist_table[];

#endif
