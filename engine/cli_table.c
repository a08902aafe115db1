/* cli_table.c: the stick-table commands of the management socket —
 * "show table [<name> [data.<type> <op> <value>]* [key <key>]]",
 * "clear table <name> [data.<type> <op> <value>]* [key <key>]" and
 * "set table <name> key <key> [data.<type> <value>]*" — with HAProxy
 * 2.6's output and messages. They are listed at every level, as HAProxy
 * lists them; "set table" and "clear table ... key" need operator. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "engine/cli.h"
#include "engine/proxy.h"
#include "engine/stick.h"

#define MAX_FILTERS 4

enum flt_op { OP_EQ = 0, OP_NE, OP_LE, OP_GE, OP_LT, OP_GT };

struct tbl_filter {
	int dt;
	enum flt_op op;
	long long v;
};

struct tbl_walk {
	struct cli_ctx *c;
	struct tbl_filter flt[MAX_FILTERS];
	int nb_flt;
	int clear;
	struct stksess **list;      /* show: the matching entries, sorted before the dump */
	size_t nb, cap;
	int failed;
};

static struct stktable *find_table(struct cli_ctx *c, const char *name)
{
	struct proxy *px = proxy_find(c->cfg, name, 0);

	return stick_table_of(px);
}

static void dump_head(struct cli_out *o, struct stktable *t)
{
	static const char *const types[] = { "ip", "ipv6", "integer", "string", "binary" };

	cli_out_printf(o, "# table: %s, type: %s, size:%u, used:%u\n", stick_table_name(t),
	               types[stick_table_type(t)], stick_table_size(t), stick_table_used(t));
}

/* Returns 1 when <s> is a whole decimal integer (into <v>). */
static int parse_ll(const char *s, long long *v)
{
	char *end;

	if (!s || !*s)
		return 0;
	errno = 0;
	*v = strtoll(s, &end, 10);
	return !*end && !errno;
}

/* Parses the optional arguments from args[3]: filters and "key". Returns 0,
 * 1 with <*key> set, or -1 after writing the error. */
static int parse_opts(struct cli_ctx *c, struct stktable *t, struct tbl_walk *w, char **args,
                      int nargs, const char **key)
{
	static const char *const ops[] = { "eq", "ne", "le", "ge", "lt", "gt" };

	*key = NULL;
	for (int i = 3; i < nargs; ) {
		if (!strcmp(args[i], "key")) {
			if (i + 1 >= nargs || !*args[i + 1]) {
				cli_out_str(c->out, "Key value expected\n");
				return -1;
			}
			*key = args[i + 1];
			return 1;
		}
		if (!strncmp(args[i], "data.", 5) && w->nb_flt < MAX_FILTERS) {
			struct tbl_filter *f = &w->flt[w->nb_flt];
			int n = w->nb_flt + 1, k;

			f->dt = stick_dt_lookup(args[i] + 5, strlen(args[i] + 5));
			if (f->dt < 0) {
				cli_out_printf(c->out, "Filter entry #%d: Unknown data type\n", n);
				return -1;
			}
			if (!stick_table_has(t, (enum stk_dt)f->dt)) {
				cli_out_printf(c->out, "Filter entry #%d: Data type not stored in this table\n", n);
				return -1;
			}
			for (k = 0; k < 6; k++)
				if (i + 1 < nargs && !strcmp(args[i + 1], ops[k]))
					break;
			if (k == 6) {
				cli_out_printf(c->out, "Filter entry #%d: Require and operator among \"eq\", \"ne\", \"le\", \"ge\", \"lt\", \"gt\"\n", n);
				return -1;
			}
			f->op = (enum flt_op)k;
			if (!parse_ll(i + 2 < nargs ? args[i + 2] : NULL, &f->v)) {
				cli_out_printf(c->out, "Filter entry #%d: Require a valid integer value to compare against\n", n);
				return -1;
			}
			w->nb_flt++;
			i += 3;
			continue;
		}
		cli_out_str(c->out, "Optional argument only supports \"data.<store_data_type>\" <operator> <value> and key <key>\n");
		return -1;
	}
	return 0;
}

static int filter_match(const struct tbl_walk *w, const struct stksess *ts)
{
	for (int i = 0; i < w->nb_flt; i++) {
		long long v = stick_read(ts, (enum stk_dt)w->flt[i].dt);
		long long r = w->flt[i].v;
		int ok = 0;

		switch (w->flt[i].op) {
		case OP_EQ: ok = v == r; break;
		case OP_NE: ok = v != r; break;
		case OP_LE: ok = v <= r; break;
		case OP_GE: ok = v >= r; break;
		case OP_LT: ok = v < r; break;
		case OP_GT: ok = v > r; break;
		}
		if (!ok)
			return 0;
	}
	return 1;
}

static void walk_cb(struct stksess *ts, void *arg)
{
	struct tbl_walk *w = arg;

	if (!filter_match(w, ts))
		return;
	if (w->clear) {
		stick_remove(ts);
		return;
	}
	if (w->nb == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 64;
		struct stksess **l = realloc(w->list, cap * sizeof(*l));
		if (!l) {
			w->failed = 1;
			return;
		}
		w->list = l;
		w->cap = cap;
	}
	w->list[w->nb++] = ts;
}

static int entry_cmp(const void *a, const void *b)
{
	return stick_key_cmp(*(struct stksess *const *)a, *(struct stksess *const *)b);
}

/* Builds the lookup sample for <key>. Returns 1, or 0 after "Invalid key". */
static int key_sample(struct cli_ctx *c, struct stktable *t, const char *key, struct sample *smp,
                      char *buf, size_t len)
{
	if (stick_table_type(t) == STK_KEY_INT) {
		long long v;
		if (!parse_ll(key, &v) || v < 0 || v > 0xffffffffLL) {
			cli_out_str(c->out, "Invalid key\n");
			return 0;
		}
	}
	if (!stick_key_parse(t, key, smp, buf, len)) {
		cli_out_str(c->out, "Invalid key\n");
		return 0;
	}
	return 1;
}

void cli_cmd_show_table(struct cli_ctx *c, char **args, int nargs)
{
	struct tbl_walk w = { .c = c };
	struct stktable *t;
	const char *key;
	struct sample smp;
	char buf[1100];
	int r;

	if (nargs < 3) {
		/* every table, the last declared first, as HAProxy lists them */
		struct stktable *tabs[256];
		int n = 0;

		for (struct proxy *px = c->cfg->proxies; px && n < 256; px = px->next)
			if (stick_table_of(px))
				tabs[n++] = stick_table_of(px);
		while (n--)
			dump_head(c->out, tabs[n]);
		return;
	}
	if (!(t = find_table(c, args[2]))) {
		cli_out_str(c->out, "No such table\n");
		return;
	}
	if ((r = parse_opts(c, t, &w, args, nargs, &key)) < 0)
		return;
	if (r == 1) {
		struct stksess *ts;

		if (!key_sample(c, t, key, &smp, buf, sizeof(buf)))
			return;
		if (!(ts = stick_lookup(t, &smp)))
			return;
		dump_head(c->out, t);
		stick_dump_entry(c->out, ts);
		cli_out_str(c->out, "\n");
		return;
	}
	dump_head(c->out, t);
	stick_foreach(t, walk_cb, &w);
	if (w.failed) {
		cli_out_str(c->out, "Out of memory\n");
		free(w.list);
		return;
	}
	/* in key order, as HAProxy walks its tree */
	if (w.nb)
		qsort(w.list, w.nb, sizeof(*w.list), entry_cmp);
	for (size_t i = 0; i < w.nb; i++) {
		stick_dump_entry(c->out, w.list[i]);
		cli_out_str(c->out, "\n");
	}
	free(w.list);
}

void cli_cmd_clear_table(struct cli_ctx *c, char **args, int nargs)
{
	struct tbl_walk w = { .c = c, .clear = 1 };
	struct stktable *t;
	const char *key;
	struct sample smp;
	char buf[1100];
	int r;

	if (nargs < 3) {
		cli_out_str(c->out, "Required arguments: <table> \"data.<store_data_type>\" <operator> <value> or <table> key <key>\n");
		return;
	}
	if (!(t = find_table(c, args[2]))) {
		cli_out_str(c->out, "No such table\n");
		return;
	}
	if ((r = parse_opts(c, t, &w, args, nargs, &key)) < 0)
		return;
	if (r == 1) {
		struct stksess *ts;

		if (*c->level < CLI_LVL_OPER) {
			cli_out_str(c->out, "Permission denied\n");
			return;
		}
		if (!key_sample(c, t, key, &smp, buf, sizeof(buf)))
			return;
		if ((ts = stick_lookup(t, &smp)) && !stick_remove(ts))
			cli_out_str(c->out, "Entry currently in use, cannot remove\n");
		return;
	}
	stick_foreach(t, walk_cb, &w);
}

void cli_cmd_set_table(struct cli_ctx *c, char **args, int nargs)
{
	struct stktable *t;
	struct stksess *ts;
	struct sample smp;
	char buf[1100];
	int dts[STK_DT_NB];
	long long vals[STK_DT_NB];
	int nb = 0;

	if (nargs < 3) {
		cli_out_str(c->out, "Required arguments: <table> \"data.<store_data_type>\" <operator> <value> or <table> key <key>\n");
		return;
	}
	if (!(t = find_table(c, args[2]))) {
		cli_out_str(c->out, "No such table\n");
		return;
	}
	if (nargs < 4 || strcmp(args[3], "key"))
		return;     /* HAProxy answers nothing */
	if (*c->level < CLI_LVL_OPER) {
		cli_out_str(c->out, "Permission denied\n");
		return;
	}
	if (nargs < 5 || !*args[4]) {
		cli_out_str(c->out, "Key value expected\n");
		return;
	}
	if (stick_table_type(t) == STK_KEY_BIN) {
		cli_out_str(c->out, "Inserting keys into tables of type other than ip, ipv6, string and integer is not supported\n");
		return;
	}
	if (!key_sample(c, t, args[4], &smp, buf, sizeof(buf)))
		return;
	/* the entry exists from here on, even when a data argument is wrong */
	if (!(ts = stick_get(t, &smp))) {
		cli_out_str(c->out, "Unable to allocate a new entry\n");
		return;
	}
	for (int i = 5; i < nargs; i += 2) {
		int dt;

		if (strncmp(args[i], "data.", 5)) {
			cli_out_str(c->out, "\"data.<type>\" followed by a value expected\n");
			return;
		}
		if ((dt = stick_dt_lookup(args[i] + 5, strlen(args[i] + 5))) < 0) {
			cli_out_str(c->out, "Unknown data type\n");
			return;
		}
		if (!stick_table_has(t, (enum stk_dt)dt)) {
			cli_out_str(c->out, "Data type not stored in this table\n");
			return;
		}
		if (!parse_ll(i + 1 < nargs ? args[i + 1] : NULL, &vals[nb])) {
			cli_out_str(c->out, "Require a valid integer value to store\n");
			return;
		}
		if (nb < STK_DT_NB)
			dts[nb++] = dt;
	}
	for (int i = 0; i < nb; i++)
		stick_set(ts, (enum stk_dt)dts[i], vals[i]);
	stick_touch(ts);
}
