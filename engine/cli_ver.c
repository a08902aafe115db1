/* cli_ver.c: versions of map and ACL lists on the management socket, as
 * HAProxy 2.6 offers them for atomic replacement (what the Data Plane API
 * uses): "prepare map <map>" opens version N, "add map @N <map> ..." fills
 * it without touching what the traffic sees, "commit map @N <map>"
 * replaces the list's contents by version N in one step, "clear map @N"
 * drops it, "show map @N" shows it. Same for "acl". Pending entries live
 * here, not in the pattern list, so no lookup can see them before the
 * commit, which publishes the new contents at once (pat_list_replace()).
 * The versions themselves are the CLI thread's. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/cli.h"
#include "engine/pattern.h"

/* One pending entry of a version. */
struct cli_staged {
	struct cli_staged *next;
	unsigned ver;
	char *key, *val;            /* <val> NULL for ACL patterns */
};

/* The versions of one list. Invariant: curr <= next; pending entries have
 * curr < ver <= next. */
struct cli_ver {
	struct cli_ver *next;
	const struct pat_list *l;
	unsigned curr, nextv;
	struct cli_staged *head, **tail;
	size_t n;
};

static struct cli_ver *cli_vers;

/* Returns the versions of <l>, creating them when <create> (NULL on ENOMEM
 * or when absent). */
static struct cli_ver *ver_of(const struct pat_list *l, int create)
{
	struct cli_ver *v;

	for (v = cli_vers; v; v = v->next)
		if (v->l == l)
			return v;
	if (!create || !(v = calloc(1, sizeof(*v))))
		return NULL;
	v->l = l;
	v->tail = &v->head;
	v->next = cli_vers;
	cli_vers = v;
	return v;
}

void cli_ver_get(const struct pat_list *l, unsigned *curr, unsigned *next, size_t *pending)
{
	const struct cli_ver *v = ver_of(l, 0);

	*curr = v ? v->curr : 0;
	*next = v ? v->nextv : 0;
	*pending = v ? v->n : 0;
}

/* Drops the pending entries of version <ver>, or of every version up to
 * <ver> when <upto>. */
static void ver_drop(struct cli_ver *v, unsigned ver, int upto)
{
	struct cli_staged **pp = &v->head, *e;

	while ((e = *pp)) {
		if (upto ? e->ver <= ver : e->ver == ver) {
			*pp = e->next;
			free(e->key);
			free(e->val);
			free(e);
			v->n--;
			continue;
		}
		pp = &e->next;
	}
	v->tail = &v->head;
	for (e = v->head; e; e = e->next)
		v->tail = &e->next;
}

/* Parses "@<n>" into <ver>. Returns 0 or -1. */
static int ver_parse(const char *arg, unsigned *ver)
{
	char *end;
	unsigned long n;

	if (arg[0] != '@' || !arg[1])
		return -1;
	n = strtoul(arg + 1, &end, 10);
	if (*end || n > 0xffffffffUL)
		return -1;
	*ver = (unsigned)n;
	return 0;
}

/* "prepare map|acl <list>" */
void cli_cmd_prepare(struct cli_ctx *c, char **args, int nargs)
{
	int maps = !strcmp(args[1], "map");
	struct pat_list *l = cli_find_list(c, nargs > 2 ? args[2] : NULL, maps);
	struct cli_ver *v;

	if (!l)
		return;
	if (!(v = ver_of(l, 1))) {
		cli_out_str(c->out, "Out of memory error.\n");
		return;
	}
	v->nextv++;
	cli_out_printf(c->out, "New version created: %u\n", v->nextv);
}

/* "commit map|acl @<ver> <list>": the list becomes version <ver>. */
void cli_cmd_commit(struct cli_ctx *c, char **args, int nargs)
{
	int maps = !strcmp(args[1], "map");
	struct pat_list *l;
	struct cli_ver *v;
	unsigned ver;
	char err[256];

	if (nargs < 4 || ver_parse(args[2], &ver) < 0) {
		cli_out_str(c->out, "Missing version number.\n");
		return;
	}
	if (!(l = cli_find_list(c, args[3], maps)))
		return;
	v = ver_of(l, 0);
	if (!v || ver <= v->curr || ver > v->nextv) {
		cli_out_str(c->out, "Version number out of range.\n");
		return;
	}
	/* one publication: a lookup on any thread sees the old entries or the
	 * new ones, never a mix */
	size_t n = 0, i = 0;
	const char **kv;

	for (struct cli_staged *e = v->head; e; e = e->next)
		n += e->ver == ver;
	if (!(kv = malloc((n ? n : 1) * 2 * sizeof(*kv)))) {
		cli_out_str(c->out, "Out of memory error.\n");
		return;
	}
	for (struct cli_staged *e = v->head; e; e = e->next) {
		if (e->ver == ver) {
			kv[i] = e->key;
			kv[n + i++] = e->val;
		}
	}
	err[0] = 0;
	if (pat_list_replace(l, kv, pat_list_is_map(l) ? kv + n : NULL, n, err, sizeof(err)) < 0) {
		cli_out_printf(c->out, "%s.\n", err[0] ? err : "Failed to commit");
		free(kv);
		return;
	}
	free(kv);
	ver_drop(v, ver, 1);
	v->curr = ver;
}

/* Handles "<verb> map|acl @<ver> <list> ..." for add, clear and show, where
 * args[2] starts with '@'. */
void cli_ver_cmd(struct cli_ctx *c, char **args, int nargs)
{
	int maps = !strcmp(args[1], "map");
	const char *verb = args[0];
	struct pat_list *l;
	struct cli_ver *v;
	struct cli_staged *e;
	const struct pat_expr *x;
	unsigned ver;
	char err[256];

	if (ver_parse(args[2], &ver) < 0) {
		if (strcmp(verb, "show"))
			cli_out_str(c->out, "Missing version number.\n");
		return;
	}
	if (!(l = cli_find_list(c, nargs > 3 ? args[3] : NULL, maps)))
		return;
	v = ver_of(l, 0);
	if (v && ver == v->curr) {
		/* the current version is the list itself */
		if (!strcmp(verb, "clear"))
			pat_list_clear(l);
		else if (!strcmp(verb, "show"))
			cli_show_list_entries(c, l);
		else if (nargs < (maps ? 6 : 5))
			cli_out_str(c->out, maps ? "'add map' expects three parameters (map identifier, key and value) "
			                           "or one parameter (map identifier) and a payload\n"
			                         : "'add acl' expects two parameters: ACL identifier and pattern.\n");
		else if (pat_list_add_err(l, args[4], maps ? args[5] : NULL, err, sizeof(err)) < 0)
			cli_out_printf(c->out, "%s.\n", err);
		return;
	}
	if (!strcmp(verb, "show")) {
		for (e = v ? v->head : NULL; e; e = e->next)
			if (e->ver == ver)
				cli_out_printf(c->out, "%p %s%s%s\n", (void *)e, e->key, e->val ? " " : "", e->val ? e->val : "");
		return;
	}
	if (!strcmp(verb, "clear")) {
		if (v)
			ver_drop(v, ver, 0);
		return;
	}
	/* add */
	if (!maps && pat_list_is_map(l)) {
		cli_out_str(c->out, "This ACL is shared with a map containing samples. "
		            "You must use the command 'add map' to add values.\n");
		return;
	}
	if (!v || ver > v->nextv) {
		cli_out_printf(c->out, "Version number in the future, please use 'prepare %s' before.\n",
		               maps ? "map" : "acl");
		return;
	}
	if (ver < v->curr) {
		cli_out_str(c->out, "Version number out of range.\n");
		return;
	}
	if (nargs < (maps ? 6 : 5)) {
		cli_out_str(c->out, maps ? "'add map' expects three parameters (map identifier, key and value) "
		                           "or one parameter (map identifier) and a payload\n"
		                         : "'add acl' expects two parameters: ACL identifier and pattern.\n");
		return;
	}
	/* checked now against the way the list is matched, as a live add is */
	if ((x = pat_list_first_expr(l)) && pat_check_key(pat_expr_kind(x), args[4], err, sizeof(err)) < 0) {
		cli_out_printf(c->out, "%s.\n", err);
		return;
	}
	if (!(e = calloc(1, sizeof(*e))) || !(e->key = strdup(args[4])) ||
	    (maps && !(e->val = strdup(args[5])))) {
		if (e)
			free(e->key);
		free(e);
		cli_out_str(c->out, "Out of memory error.\n");
		return;
	}
	e->ver = ver;
	*v->tail = e;
	v->tail = &e->next;
	v->n++;
}

void cli_ver_free_all(void)
{
	while (cli_vers) {
		struct cli_ver *v = cli_vers;

		cli_vers = v->next;
		ver_drop(v, ~0u, 1);
		free(v);
	}
}
