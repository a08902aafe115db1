/* vars.h: HAProxy variables — set-var(<scope>.<name>), var(<scope>.<name>).
 * Scopes: proc (process-wide, per thread for now), sess (the client
 * connection), txn (one transaction), req / res (one direction of it).
 * A value is a copied sample (bool, int, ip, str, bin). */
#ifndef RP_VARS_H
#define RP_VARS_H

#include <stddef.h>
#include <stdint.h>
#include "engine/sample.h"

enum var_scope { VAR_SCOPE_PROC = 0, VAR_SCOPE_SESS, VAR_SCOPE_TXN, VAR_SCOPE_REQ,
                 VAR_SCOPE_RES, VAR_SCOPES };

struct var;                 /* private to vars.c */

/* A set of variables of one scope. Zero-initialised is empty. */
struct vars {
	struct var *first;
	uint32_t size;             /* bytes held, for accounting */
};

/* A parsed variable name "txn.foo": scope and name, resolved once at
 * configuration time (or once per Lua call). */
struct var_ref {
	enum var_scope scope;
	char *name;
	size_t len;
};

/* Parses "<scope>.<name>" from <s>/<len> into <ref> (name copied).
 * Returns 0 or -1 with a message in <err>. */
int vars_parse_ref(const char *s, size_t len, struct var_ref *ref, char *err, size_t errlen);
void vars_ref_free(struct var_ref *ref);

/* Returns the variable set for <scope> in the context of <strm> (NULL
 * stream: only proc), or NULL. Implemented by vars.c with stream.h. */
struct vars *vars_of(struct stream *strm, enum var_scope scope);

/* Declares <ref> at configuration time: a proc-scope name the configuration
 * uses exists from the start, with no value (HAProxy's "ifexists" and
 * Lua's set_var(..., ifexist) see it). Other scopes: nothing. Returns 0 or
 * -ENOMEM. */
int vars_declare(const struct var_ref *ref);
/* Returns 1 when <ref> exists in <v> (with or without a value), else 0. */
int vars_exists(const struct vars *v, const struct var_ref *ref);
/* Stores a copy of <smp>. Returns 0 or -ENOMEM. */
int vars_set(struct vars *v, const struct var_ref *ref, const struct sample *smp);
/* Returns 1 and points <smp> at the stored value (SMP_F_CONST), or 0. */
int vars_get(const struct vars *v, const struct var_ref *ref, struct sample *smp);
void vars_unset(struct vars *v, const struct var_ref *ref);

/* set-var conditions (HAProxy 2.6: set-var(<name>[,<cond>...])). */
#define VARS_IFEXISTS     0x01   /* only if the variable exists */
#define VARS_IFNOTEXISTS  0x02   /* only if it does not exist yet */
#define VARS_IFEMPTY      0x04   /* only if the sample is an empty string/binary */
#define VARS_IFNOTEMPTY   0x08   /* only if the sample is not empty */
#define VARS_IFSET        0x10   /* only if it holds a value (= exists here) */
#define VARS_IFNOTSET     0x20   /* only if it holds none (= does not exist) */
#define VARS_IFGT         0x40   /* only if its integer value is greater than the sample's */
#define VARS_IFLT         0x80   /* only if its integer value is less than the sample's */
/* Parses one condition name ("ifexists"...) into *<flags> (ORed). Returns
 * 0, or -1 with 'unknown condition "<s>"' in <err>. */
int vars_parse_cond(const char *s, size_t len, unsigned *flags, char *err, size_t errlen);
/* vars_set() subject to <conds> (VARS_IF*). Returns 1 if stored, 0 if a
 * condition prevented it, -ENOMEM. */
int vars_set_cond(struct vars *v, const struct var_ref *ref, const struct sample *smp, unsigned conds);
/* Frees every variable of <v>. */
void vars_clear(struct vars *v);

/* Sets process-wide variable <ref> (scope proc) with no stream, as the
 * global section and the CLI's "set var" do: from <fmt> when it is not
 * NULL (its text, "%%" as '%', each %[expr] block evaluated now), else
 * from the expression in <words>[*<idx>...] (<nwords> words). Only
 * internal fetches (int, str, var(proc.x)...) work there. An expression
 * that finds nothing leaves the variable as it was; in a format it adds
 * nothing. Returns 0, -1 with the reason in <err>, or -2 when the
 * expression's fetch needs a stream (its name in <err>). */
int vars_set_proc_now(const struct var_ref *ref, const char *fmt, char *const *words, int nwords,
                      int *idx, char *err, size_t errlen);

#endif
