/* userlist.c: "userlist" sections and the http_auth / http_auth_group
 * fetches. Lists are built while parsing and only read afterwards; a
 * "password" is checked with crypt_r(3) (its scratch is per thread), an
 * "insecure-password" by comparison. The credentials come from the
 * http_auth_user / http_auth_pass fetches (http_fetch.c). */
#include <crypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "engine/userlist.h"

#define UL_MAX_GROUPS 32        /* groups per list a user may belong to */

struct ul_group {
	struct ul_group *next;
	char *name;
	char *users;                /* "users a,b" as written, resolved by userlist_cfg_resolve() */
	const char *file; int line;
};

struct ul_user {
	struct ul_user *next;
	char *name;
	char *pass;                 /* NULL: no password (never matches) */
	int insecure;               /* plain text */
	char *groups_txt;           /* "groups g1,g2" as written */
	const struct ul_group *groups[UL_MAX_GROUPS];
	int nb_groups;
	const char *file; int line;
};

struct userlist {
	struct userlist *next;
	char *name;
	struct ul_user *users;
	struct ul_group *groups;
};

/* The lists of the configuration (config time only writes them). */
static struct userlist *ul_head;
/* The list the lines being parsed belong to. */
static struct userlist *ul_cur;

const struct userlist *userlist_find(const char *name)
{
	for (const struct userlist *ul = ul_head; ul; ul = ul->next)
		if (!strcmp(ul->name, name))
			return ul;
	return NULL;
}

static struct ul_user *user_find(const struct userlist *ul, const char *name, size_t len)
{
	for (struct ul_user *u = ul->users; u; u = u->next)
		if (strlen(u->name) == len && !memcmp(u->name, name, len))
			return u;
	return NULL;
}

static struct ul_group *group_find(const struct userlist *ul, const char *name, size_t len)
{
	for (struct ul_group *g = ul->groups; g; g = g->next)
		if (strlen(g->name) == len && !memcmp(g->name, name, len))
			return g;
	return NULL;
}

int userlist_cfg_section(struct cfg_ctx *c, char **args, int nargs)
{
	struct userlist *ul;

	ul_cur = NULL;
	if (nargs < 2 || !*args[1]) {
		c->err_tight = 1;
		return cfg_set_err(c, "'%s' expects <name> as arguments.", args[0]);
	}
	if ((ul = (struct userlist *)userlist_find(args[1]))) {
		c->err_tight = 1;
		cfg_warning(c, "ignoring duplicated userlist '%s'.", args[1]);
		ul_cur = ul;
		return 0;
	}
	if (!(ul = calloc(1, sizeof(*ul))) || !(ul->name = strdup(args[1]))) {
		free(ul);
		return cfg_set_err(c, "out of memory.");
	}
	struct userlist **tail = &ul_head;
	while (*tail)
		tail = &(*tail)->next;
	*tail = ul;
	ul_cur = ul;
	return 0;
}

static int kw_user(struct cfg_ctx *c, char **args, int nargs)
{
	struct userlist *ul = ul_cur;
	struct ul_user *u, **tail;

	c->err_tight = 1;
	if (nargs < 2 || !*args[1])
		return cfg_set_err(c, "'%s' expects <name> as arguments.", args[0]);
	if (user_find(ul, args[1], strlen(args[1]))) {
		cfg_warning(c, "ignoring duplicated user '%s' in userlist '%s'.", args[1], ul->name);
		return 0;
	}
	if (!(u = calloc(1, sizeof(*u))) || !(u->name = strdup(args[1])))
		goto nomem;
	u->file = c->file;
	u->line = c->line;
	for (int i = 2; i < nargs && *args[i]; i += 2) {
		const char *v = i + 1 < nargs ? args[i + 1] : "";
		if (!strcmp(args[i], "password") || !strcmp(args[i], "insecure-password")) {
			free(u->pass);
			if (!(u->pass = strdup(v)))
				goto nomem;
			u->insecure = args[i][0] == 'i';
		} else if (!strcmp(args[i], "groups")) {
			free(u->groups_txt);
			if (!(u->groups_txt = strdup(v)))
				goto nomem;
		} else {
			free(u->pass);
			free(u->groups_txt);
			free(u->name);
			free(u);
			return cfg_set_err(c, "'%s' only supports 'password', 'insecure-password' and 'groups' options.",
			                   args[0]);
		}
	}
	for (tail = &ul->users; *tail; tail = &(*tail)->next)
		;
	*tail = u;
	return 0;
nomem:
	if (u) {
		free(u->pass);
		free(u->groups_txt);
		free(u->name);
		free(u);
	}
	return cfg_set_err(c, "out of memory.");
}

static int kw_group(struct cfg_ctx *c, char **args, int nargs)
{
	struct userlist *ul = ul_cur;
	struct ul_group *g, **tail;

	c->err_tight = 1;
	if (nargs < 2 || !*args[1])
		return cfg_set_err(c, "'%s' expects <name> as arguments.", args[0]);
	if (group_find(ul, args[1], strlen(args[1]))) {
		cfg_warning(c, "ignoring duplicated group '%s' in userlist '%s'.", args[1], ul->name);
		return 0;
	}
	if (!(g = calloc(1, sizeof(*g))) || !(g->name = strdup(args[1]))) {
		free(g);
		return cfg_set_err(c, "out of memory.");
	}
	g->file = c->file;
	g->line = c->line;
	for (int i = 2; i < nargs && *args[i]; i += 2) {
		if (strcmp(args[i], "users")) {
			free(g->users);
			free(g->name);
			free(g);
			return cfg_set_err(c, "'%s' only supports 'users' option.", args[0]);
		}
		free(g->users);
		if (!(g->users = strdup(i + 1 < nargs ? args[i + 1] : ""))) {
			free(g->name);
			free(g);
			return cfg_set_err(c, "out of memory.");
		}
	}
	for (tail = &ul->groups; *tail; tail = &(*tail)->next)
		;
	*tail = g;
	return 0;
}

int userlist_cfg_kw(struct cfg_ctx *c, char **args, int nargs)
{
	if (!ul_cur)
		return 0;               /* a broken header: its body is skipped */
	if (!strcmp(args[0], "user"))
		return kw_user(c, args, nargs);
	if (!strcmp(args[0], "group"))
		return kw_group(c, args, nargs);
	c->err_tight = 1;
	return cfg_set_err(c, "unknown keyword '%s' in 'users' section", args[0]);
}

/* Adds group <g> to user <u> once. */
static void user_add_group(struct ul_user *u, const struct ul_group *g)
{
	for (int i = 0; i < u->nb_groups; i++)
		if (u->groups[i] == g)
			return;
	if (u->nb_groups < UL_MAX_GROUPS)
		u->groups[u->nb_groups++] = g;
}

int userlist_cfg_resolve(void)
{
	int errors = 0;

	ul_cur = NULL;
	for (struct userlist *ul = ul_head; ul; ul = ul->next) {
		for (struct ul_user *u = ul->users; u; u = u->next) {
			const char *p = u->groups_txt;
			u->nb_groups = 0;
			while (p && *p) {
				const char *e = strchr(p, ',');
				size_t len = e ? (size_t)(e - p) : strlen(p);
				struct ul_group *g = group_find(ul, p, len);
				if (len && !g) {
					cfg_alert(NULL, "userlist '%s': no such group '%.*s' specified in user '%s'",
					          ul->name, (int)len, p, u->name);
					errors++;
				} else if (g) {
					user_add_group(u, g);
				}
				p = e ? e + 1 : NULL;
			}
		}
		for (struct ul_group *g = ul->groups; g; g = g->next) {
			const char *p = g->users;
			while (p && *p) {
				const char *e = strchr(p, ',');
				size_t len = e ? (size_t)(e - p) : strlen(p);
				struct ul_user *u = user_find(ul, p, len);
				if (len && !u) {
					cfg_alert(NULL, "userlist '%s': no such user '%.*s' specified in group '%s'",
					          ul->name, (int)len, p, g->name);
					errors++;
				} else if (u) {
					user_add_group(u, g);
				}
				p = e ? e + 1 : NULL;
			}
		}
	}
	return errors;
}

void userlist_free_all(void)
{
	struct userlist *ul, *nul;
	for (ul = ul_head; ul; ul = nul) {
		nul = ul->next;
		for (struct ul_user *u = ul->users, *nu; u; u = nu) {
			nu = u->next;
			free(u->name);
			free(u->pass);
			free(u->groups_txt);
			free(u);
		}
		for (struct ul_group *g = ul->groups, *ng; g; g = ng) {
			ng = g->next;
			free(g->name);
			free(g->users);
			free(g);
		}
		free(ul->name);
		free(ul);
	}
	ul_head = ul_cur = NULL;
}

int userlist_check(const struct userlist *ul, const char *user, size_t ulen, const char *pass,
                   size_t plen)
{
	static __thread struct crypt_data cd;
	char pw[256];
	const struct ul_user *u = ul ? user_find(ul, user, ulen) : NULL;

	if (!u || !u->pass || plen >= sizeof(pw))
		return 0;
	if (u->insecure)
		return strlen(u->pass) == plen && !memcmp(u->pass, pass, plen);
	memcpy(pw, pass, plen);
	pw[plen] = 0;
	cd.initialized = 0;
	const char *h = crypt_r(pw, u->pass, &cd);
	return h && h[0] != '*' && !strcmp(h, u->pass);
}

const char *userlist_user_group(const struct userlist *ul, const char *user, size_t ulen, int n)
{
	const struct ul_user *u = ul ? user_find(ul, user, ulen) : NULL;
	if (!u || n < 0 || n >= u->nb_groups)
		return NULL;
	return u->groups[n]->name;
}


/* ---- fetches ---- */

/* Finds the user list named by args[0] and the request's Basic
 * credentials. Returns the list, the user (copied to <ubuf>) and the
 * password, or NULL. */
static const struct userlist *auth_creds(const struct arg *args, struct smp_ctx *ctx, char *ubuf,
                                         size_t ubufsz, size_t *ulen, struct sample *pass)
{
	static __thread const struct sample_fetch *fu, *fp;
	const struct userlist *ul;
	struct sample u;
	const void *priv = ctx->priv;

	if (args[0].type != ARGT_STR || !(ul = userlist_find(args[0].u.str.ptr)))
		return NULL;
	if (!fu && (!(fu = sample_fetch_find("http_auth_user", 14)) ||
	            !(fp = sample_fetch_find("http_auth_pass", 14))))
		return NULL;
	memset(&u, 0, sizeof(u));
	ctx->priv = fu->priv;
	int ok = fu->fn(NULL, &u, ctx);
	ctx->priv = priv;
	if (!ok || u.u.str.len >= ubufsz)
		return NULL;
	memcpy(ubuf, u.u.str.ptr, u.u.str.len);
	*ulen = u.u.str.len;
	memset(pass, 0, sizeof(*pass));
	ctx->priv = fp->priv;
	ok = fp->fn(NULL, pass, ctx);
	ctx->priv = priv;
	return ok ? ul : NULL;
}

/* http_auth(<userlist>): true when the Basic credentials are those of a
 * user of the list. */
static int f_http_auth(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	char user[256];
	size_t ulen = 0;
	struct sample pass;
	const struct userlist *ul = auth_creds(args, ctx, user, sizeof(user), &ulen, &pass);

	smp_set_bool(smp, ul && userlist_check(ul, user, ulen, pass.u.str.ptr, pass.u.str.len));
	return 1;
}

/* http_auth_group(<userlist>): the user name when the credentials are
 * valid. For an ACL (ctx->iterate) it gives the user's groups one by one
 * instead, so that "acl a http_auth_group(L) admins" matches a member of
 * group "admins", as HAProxy's group matching does. */
static int f_http_auth_group(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	static __thread char user[256];
	size_t ulen = 0;
	struct sample pass;
	const struct userlist *ul = auth_creds(args, ctx, user, sizeof(user), &ulen, &pass);

	if (!ul || !userlist_check(ul, user, ulen, pass.u.str.ptr, pass.u.str.len))
		return 0;
	if (!ctx->iterate) {
		smp_set_const_str(smp, user, ulen);
		return 1;
	}
	const char *g = userlist_user_group(ul, user, ulen, ctx->iter);
	if (!g)
		return 0;
	smp_set_const_str(smp, g, strlen(g));
	ctx->iter++;
	if (userlist_user_group(ul, user, ulen, ctx->iter))
		smp->flags |= SMP_F_NOT_LAST;
	return 1;
}

/* Checks at configuration time that the list exists (a list declared
 * later in the file is found too: lists are resolved by name at run time). */
static int chk_userlist(struct arg *args, char *err, size_t errlen)
{
	if (args[0].type != ARGT_STR || !args[0].u.str.len) {
		snprintf(err, errlen, "missing userlist name");
		return -1;
	}
	return 0;
}

const struct sample_fetch smp_fetch_userlist_table[] = {
	{ "http_auth",       f_http_auth,       ARG1(1, USR), chk_userlist, SMP_T_BOOL, SMP_USE_L7, NULL },
	{ "http_auth_group", f_http_auth_group, ARG1(1, USR), chk_userlist, SMP_T_STR,  SMP_USE_L7, NULL },
	{ NULL, NULL, 0, NULL, 0, 0, NULL },
};
