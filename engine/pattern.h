/* pattern.h: pattern lists — one object per ACL/map file (or per inline
 * list of ACL patterns): entries in file order, each a key and an optional
 * value. A list is matched through a compiled view for one match kind
 * (struct pat_expr: hash set for str, prefix tables for ip, ranges for int
 * and len, one Hyperscan pattern set for beg/end/sub/dir/dom/reg), so the
 * same file can serve "-m str" and "-m beg" ACLs, map_* converters, the Lua
 * Map class and core.add_acl/set_map. The first entry in file order that
 * matches wins, except where HAProxy uses trees: ip and case-sensitive beg
 * return the longest matching prefix.
 *
 * Threads: lookups take no lock and may run on any thread while another
 * changes the list (CLI, Lua): a change builds new compiled views aside
 * and publishes each with one pointer store; what it replaces or removes
 * (views, entries, old values) is freed through engine/epoch.h once every
 * worker thread has ended the loop turn it was in. So an entry or value a
 * lookup returned stays valid until the end of the caller's loop turn.
 * Changes to one list are serialised by its own lock. Worker threads are
 * online for engine/epoch.h and look up without any lock; another thread
 * (start-up, Lua's body, tests) looks up under the list's lock, as a
 * background build (pat_set_background()) may replace a view meanwhile. */
#ifndef RP_PATTERN_H
#define RP_PATTERN_H

#include <stddef.h>
#include <stdint.h>
#include "engine/sample.h"

/* Match kinds, HAProxy's "-m" names. */
enum pat_match {
	PAT_MATCH_FOUND = 0,  /* the fetch returned something; no pattern */
	PAT_MATCH_BOOL,       /* the sample, as a boolean, is true; no pattern */
	PAT_MATCH_INT,        /* integer equal to a value or within a range "a:b", "a:", ":b"
	                       * (HAProxy also reads '-' as the separator: "1-3", "-3") */
	PAT_MATCH_IP,         /* address within a v4/v6 network "a.b.c.d[/m]", "x::y[/m]" */
	PAT_MATCH_BIN,        /* binary equality, pattern written in hex */
	PAT_MATCH_LEN,        /* string length within an integer range */
	PAT_MATCH_STR,        /* exact string */
	PAT_MATCH_BEG,        /* string starts with the pattern */
	PAT_MATCH_SUB,        /* pattern appears in the string */
	PAT_MATCH_DIR,        /* pattern is one of the '/'-delimited parts ('?' too) */
	PAT_MATCH_DOM,        /* pattern is one of the '.'-delimited parts ('/', '?', ':' too) */
	PAT_MATCH_END,        /* string ends with the pattern */
	PAT_MATCH_REG,        /* regular expression (regex/) */
	PAT_MATCH_KINDS
};

/* Pattern flags for pat_expr_get() */
#define PAT_F_ICASE   0x1     /* "-i": case-insensitive str/beg/sub/dir/dom/end/reg */

struct pat_list;             /* the entries, private to pattern.c */
struct pat_expr;             /* a list compiled for one match kind, private */
struct pat_entry;            /* one entry: key and value */

/* Returns the match kind named <name> ("str", "beg", ..., "reg"), or -1. */
int pat_match_parse(const char *name);
const char *pat_match_name(enum pat_match m);

/* Returns the registered list named <name> (a file name, or the name given
 * to pat_list_new()), or NULL. */
struct pat_list *pat_list_find(const char *name);
/* Returns a new empty list, or NULL (ENOMEM). <name> is its file name, or
 * NULL for inline ACL patterns (owned by the ACL that frees it with
 * pat_list_free()). Every list is registered with a unique id (creation
 * order) for the management socket; a named list lives until
 * pat_list_free_all(). <is_map> selects how files are read: a map line
 * is "key value...", an ACL line is one whole pattern. */
struct pat_list *pat_list_new(const char *name, int is_map);
/* Returns the list for file <path>, loading it on first use: one entry per
 * line (ending at CR/LF), leading blanks skipped, empty lines and lines
 * starting with "#" skipped; map lines split at the first blanks into key
 * and value (trailing blanks trimmed; an ACL pattern keeps them).
 * Returns NULL with a message in <err> when the file cannot be read. A
 * pattern invalid for a kind is reported by pat_expr_get() with its line. */
struct pat_list *pat_list_load(const char *path, int is_map, char *err, size_t errlen);
/* Unregisters and frees <l> and its compiled expressions. */
void pat_list_free(struct pat_list *l);
/* Returns the list <ref> names: "#<id>" or a file name (HAProxy's CLI
 * syntax), or NULL. */
struct pat_list *pat_list_lookup(const char *ref);
/* Calls <cb> for every list, named and inline, in creation order; stops
 * when <cb> returns non-zero. <cb> may free the list it is given. */
void pat_list_foreach_list(int (*cb)(struct pat_list *l, void *arg), void *arg);
unsigned pat_list_id(const struct pat_list *l);
/* The description "show acl"/"show map" print ("acl 'src' file 'x.cfg'
 * line 3", "pattern loaded from file 'f' used by acl at file 'x.cfg' line
 * 3"), or NULL when none was set. pat_list_set_desc() copies <desc>:
 * returns 0 or -ENOMEM. */
const char *pat_list_desc(const struct pat_list *l);
int pat_list_set_desc(struct pat_list *l, const char *desc);
/* Returns the first expression compiled from <l> (its kind is what "get
 * acl"/"get map" match with), or NULL. */
struct pat_expr *pat_list_first_expr(const struct pat_list *l);
/* Frees every named list (process exit, tests). */
void pat_list_free_all(void);
const char *pat_list_name(const struct pat_list *l);
int pat_list_is_map(const struct pat_list *l);
/* Returns the number of entries. */
size_t pat_list_count(const struct pat_list *l);

/* Appends the entry <key> (<value> may be NULL) to <l> and to every
 * expression compiled from it. Returns 0, -EINVAL when <key> is not valid
 * for one of those expressions' match kinds (then nothing is added), or
 * -ENOMEM. pat_list_add_err() also says why in <err>. */
int pat_list_add(struct pat_list *l, const char *key, const char *value);
int pat_list_add_err(struct pat_list *l, const char *key, const char *value,
                     char *err, size_t errlen);
/* Removes every entry whose key is exactly <key>. Returns the number removed. */
int pat_list_del(struct pat_list *l, const char *key);
/* Removes the entry <e> of <l> only (the CLI's "del map <m> #<id>").
 * Returns 1, 0 when <e> is not an entry of <l>, or -ENOMEM. */
int pat_list_del_entry(struct pat_list *l, const struct pat_entry *e);
/* Sets the value of entry <e> of <l> only ("set map <m> #<id> <v>").
 * Returns 0, -ENOENT when <e> is not an entry of <l>, or -ENOMEM. */
int pat_list_set_entry(struct pat_list *l, const struct pat_entry *e, const char *value);
/* Replaces every entry of <l> by the <n> keys <keys> (and values
 * <values>, NULL for an ACL) in one publication: a lookup sees the old
 * entries or the new ones, never a mix ("commit map"). Returns 0, or
 * -EINVAL / -ENOMEM with <err> and then <l> is unchanged. */
int pat_list_replace(struct pat_list *l, const char *const *keys, const char *const *values,
                     size_t n, char *err, size_t errlen);
/* Sets the value of every entry keyed <key> (Lua core.set_map, "set map");
 * adds one when there is none. Returns 0 or -errno as pat_list_add(). */
int pat_list_set(struct pat_list *l, const char *key, const char *value);
/* Removes every entry (in one publication). */
void pat_list_clear(struct pat_list *l);
/* Calls <cb> for each entry in file order (show map / show acl); stops
 * early when <cb> returns non-zero. The list is locked meanwhile: <cb>
 * must not change it. */
void pat_list_foreach(const struct pat_list *l,
                      int (*cb)(const struct pat_entry *e, void *arg), void *arg);

/* Returns the expression compiling <l> for match kind <m> with <flags>
 * (PAT_F_*), shared by every user asking the same (owned by <l>). Returns
 * NULL with a message in <err> when an entry is not a valid pattern of that
 * kind (HAProxy's wording: "'x' is not a number", "'x' is not a valid IPv4
 * or IPv6 address", ...). */
struct pat_expr *pat_expr_get(struct pat_list *l, enum pat_match m, unsigned flags,
                              char *err, size_t errlen);
enum pat_match pat_expr_kind(const struct pat_expr *e);
struct pat_list *pat_expr_list(const struct pat_expr *e);

/* Returns the entry of <e> matching <smp> (first in file order; ip and
 * case-sensitive beg: longest prefix), or NULL. <smp> is converted to the kind's input type as needed
 * (a copy: <smp> is unchanged). FOUND and BOOL kinds have no entries:
 * use pat_match_sample() for them. */
const struct pat_entry *pat_expr_lookup(const struct pat_expr *e, const struct sample *smp);
/* Returns 1 if <smp> matches kind <m> with no list (FOUND: always, BOOL:
 * the sample is true), else 0. */
int pat_match_sample(enum pat_match m, const struct sample *smp);

const char *pat_entry_key(const struct pat_entry *e);
/* Returns the value (NULL for ACL entries). */
const char *pat_entry_value(const struct pat_entry *e);

/* Regex lists of more than 64 entries start on PCRE2 alone and get their
 * Hyperscan set from a background thread (on by default); off, the set is
 * built before pat_expr_get() or a change returns (tests). */
void pat_set_background(int on);
/* Returns how many entries of <x> are matched one by one rather than by
 * its pattern set (beg..reg kinds; 0 for the others). */
size_t pat_expr_pending(const struct pat_expr *x);

/* Checks that <key> is a valid pattern for kind <m>. Returns 0 or -1 with
 * a message in <err>. */
int pat_check_key(enum pat_match m, const char *key, char *err, size_t errlen);

#endif
