/* pattern.c: pattern lists and their compiled match views (first cut:
 * every entry point exists; matching comes next). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "engine/pattern.h"

int pat_match_parse(const char *name) { (void)name; return -1; }
const char *pat_match_name(enum pat_match m) { (void)m; return "?"; }
struct pat_list *pat_list_find(const char *name) { (void)name; return NULL; }
struct pat_list *pat_list_new(const char *name, int is_map) { (void)name; (void)is_map; return NULL; }
struct pat_list *pat_list_load(const char *path, int is_map, char *err, size_t errlen)
{
	(void)is_map;
	snprintf(err, errlen, "failed to open pattern file <%s>", path);
	return NULL;
}
void pat_list_free(struct pat_list *l) { (void)l; }
void pat_list_free_all(void) { }
const char *pat_list_name(const struct pat_list *l) { (void)l; return NULL; }
int pat_list_is_map(const struct pat_list *l) { (void)l; return 0; }
size_t pat_list_count(const struct pat_list *l) { (void)l; return 0; }
int pat_list_add(struct pat_list *l, const char *key, const char *value) { (void)l; (void)key; (void)value; return -ENOSYS; }
int pat_list_add_err(struct pat_list *l, const char *key, const char *value, char *err, size_t errlen)
{ (void)l; (void)key; (void)value; snprintf(err, errlen, "not implemented"); return -ENOSYS; }
int pat_list_del(struct pat_list *l, const char *key) { (void)l; (void)key; return 0; }
int pat_list_set(struct pat_list *l, const char *key, const char *value) { (void)l; (void)key; (void)value; return -ENOSYS; }
void pat_list_clear(struct pat_list *l) { (void)l; }
void pat_list_foreach(const struct pat_list *l, int (*cb)(const struct pat_entry *e, void *arg), void *arg)
{ (void)l; (void)cb; (void)arg; }
struct pat_expr *pat_expr_get(struct pat_list *l, enum pat_match m, unsigned flags, char *err, size_t errlen)
{ (void)l; (void)m; (void)flags; snprintf(err, errlen, "not implemented"); return NULL; }
enum pat_match pat_expr_kind(const struct pat_expr *e) { (void)e; return PAT_MATCH_FOUND; }
struct pat_list *pat_expr_list(const struct pat_expr *e) { (void)e; return NULL; }
const struct pat_entry *pat_expr_lookup(const struct pat_expr *e, const struct sample *smp) { (void)e; (void)smp; return NULL; }
int pat_match_sample(enum pat_match m, const struct sample *smp) { (void)m; (void)smp; return 0; }
const char *pat_entry_key(const struct pat_entry *e) { (void)e; return NULL; }
const char *pat_entry_value(const struct pat_entry *e) { (void)e; return NULL; }
int pat_check_key(enum pat_match m, const char *key, char *err, size_t errlen)
{ (void)m; (void)key; snprintf(err, errlen, "not implemented"); return -1; }
