/* cfg_cond.h: HAProxy 2.6's conditional blocks in configuration files:
 * ".if <cond>", ".elif <cond>", ".else", ".endif", and the ".notice",
 * ".warning", ".alert", ".diag" directives. Used by cfg.c. */
#ifndef RP_CFG_COND_H
#define RP_CFG_COND_H

#include <stddef.h>

#define CFG_COND_MAX_DEPTH 32

/* The nesting state of one file. Zero-initialised is "no block open". */
struct cfg_cond_stack {
	int depth;
	struct {
		unsigned parent_active:1;   /* the enclosing level lets lines through */
		unsigned active:1;          /* this branch lets lines through */
		unsigned taken:1;           /* a branch of this .if was already true */
		unsigned in_else:1;
		int line;                   /* of the .if, for "non-terminated" */
	} lvl[CFG_COND_MAX_DEPTH];
};

/* Returns 1 if lines are currently kept (every open level is active). */
int cfg_cond_active(const struct cfg_cond_stack *st);

/* Handles a line whose first word starts with '.'. <file>/<line> are for
 * messages. Returns 0 when handled, or -1 after printing an [ALERT] (an
 * error, or a ".alert" directive). */
int cfg_cond_directive(struct cfg_cond_stack *st, char **args, int nargs, const char *file, int line);

/* At end of file: returns 0, or -1 after printing an alert for each
 * unterminated ".if". Resets <st>. */
int cfg_cond_end(struct cfg_cond_stack *st, const char *file);

/* Evaluates the condition made of <args>[0..nargs-1] (words joined by one
 * space). Returns 1 (true), 0 (false), or -1 with HAProxy's message in
 * <err>. Exposed for the tests. */
int cfg_cond_eval(char **args, int nargs, char *err, size_t errlen);

#endif
