/* pattern.c: pattern lists (the entries of one ACL/map file, in file order)
 * and their compiled views per match kind: a hash set for str, prefix hash
 * tables for ip, ranges for int/len, one pattern set (regex/patset.h, one
 * pass over the subject) for beg/end/sub/dir/dom/reg.
 *
 * Publication: lookups take no lock. Each expression points to one view
 * (struct pat_view), replaced by one atomic pointer store; the view it
 * replaces goes to epoch_retire() and is freed once no thread can still
 * read it (engine/epoch.h). Writers (CLI, Lua core.add_acl/set_map...)
 * serialise on the list's mutex. A removal, a clear or a commit builds new
 * views aside from the remaining entries; an addition is cheap: the new
 * view shares the old one's arrays and writes the new item past the old
 * view's count (an old reader never looks there: hash slots naming an item
 * at or past its view's count are skipped), and copies an array only when
 * it must grow (amortised O(1)). Added beg..reg entries are matched one by
 * one until they are numerous enough to rebuild the pattern set (a
 * geometric threshold, so N additions cost O(N) rebuilt entries overall).
 * Entries are freed, and "set map" values replaced, the same deferred way:
 * a value a lookup returned stays valid until the reader's loop turn ends.
 *
 * Files: this one keeps the lists (registry, entries, changes, files);
 * pattern_view.c the compiled views and lookups; pattern_int.h is theirs. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "engine/epoch.h"
#include "engine/pattern_int.h"

/* Named lists: registered at start-up, then read by every thread. */
static struct pat_list *pat_registry, **pat_registry_tail = &pat_registry;
static unsigned pat_next_id;

static const char *const pat_names[PAT_MATCH_KINDS] = {
	[PAT_MATCH_FOUND] = "found", [PAT_MATCH_BOOL] = "bool", [PAT_MATCH_INT] = "int",
	[PAT_MATCH_IP] = "ip", [PAT_MATCH_BIN] = "bin", [PAT_MATCH_LEN] = "len",
	[PAT_MATCH_STR] = "str", [PAT_MATCH_BEG] = "beg", [PAT_MATCH_SUB] = "sub",
	[PAT_MATCH_DIR] = "dir", [PAT_MATCH_DOM] = "dom", [PAT_MATCH_END] = "end",
	[PAT_MATCH_REG] = "reg",
};

int pat_match_parse(const char *name)
{
	for (int i = 0; i < PAT_MATCH_KINDS; i++)
		if (!strcmp(name, pat_names[i]))
			return i;
	return -1;
}

const char *pat_match_name(enum pat_match m)
{
	return (unsigned)m < PAT_MATCH_KINDS ? pat_names[m] : "?";
}

/* ---- lists ---- */

static void entry_free(void *p)
{
	struct pat_entry *e = p;

	if (!e)
		return;
	free(e->key);
	free(atomic_load_explicit(&e->value, memory_order_relaxed));
	free(e);
}

struct pat_list *pat_list_find(const char *name)
{
	for (struct pat_list *l = pat_registry; l; l = l->next)
		if (l->name && !strcmp(l->name, name))
			return l;
	return NULL;
}

struct pat_list *pat_list_lookup(const char *ref)
{
	if (ref[0] == '#' && ref[1]) {
		char *end;
		unsigned long id = strtoul(ref + 1, &end, 10);
		if (*end)
			return NULL;
		for (struct pat_list *l = pat_registry; l; l = l->next)
			if (l->id == id)
				return l;
		return NULL;
	}
	return pat_list_find(ref);
}

void pat_list_foreach_list(int (*cb)(struct pat_list *l, void *arg), void *arg)
{
	for (struct pat_list *l = pat_registry, *n; l; l = n) {
		n = l->next;
		if (cb(l, arg))
			return;
	}
}

struct pat_list *pat_list_new(const char *name, int is_map)
{
	struct pat_list *l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	l->is_map = is_map;
	if (name && !(l->name = strdup(name))) {
		free(l);
		return NULL;
	}
	pthread_mutex_init(&l->lock, NULL);
	l->id = pat_next_id++;
	*pat_registry_tail = l;
	pat_registry_tail = &l->next;
	return l;
}

unsigned pat_list_id(const struct pat_list *l) { return l->id; }
const char *pat_list_desc(const struct pat_list *l) { return l->desc; }

int pat_list_set_desc(struct pat_list *l, const char *desc)
{
	char *d = strdup(desc);
	if (!d)
		return -ENOMEM;
	free(l->desc);
	l->desc = d;
	return 0;
}

struct pat_expr *pat_list_first_expr(const struct pat_list *l)
{
	struct pat_expr *x = l->exprs;
	while (x && x->next)        /* views are pushed in front: the first is last */
		x = x->next;
	return x;
}

/* Frees <l> at once: no reader may be left (exit, an ACL's inline list
 * freed with its configuration). */
static void list_release(struct pat_list *l)
{
	struct pat_expr *x, *nx;
	for (x = l->exprs; x; x = x->next)
		pat_expr_join(x);
	for (x = l->exprs; x; x = nx) {
		nx = x->next;
		pat_view_free(atomic_load(&x->cur));
		free(x);
	}
	for (size_t i = 0; i < l->nb; i++)
		entry_free(l->ent[i]);
	for (size_t i = 0; i < l->ndead; i++)
		entry_free(l->dead[i]);
	free(l->dead);
	free(l->ent);
	free(l->name);
	free(l->desc);
	pthread_mutex_destroy(&l->lock);
	free(l);
}

void pat_list_free(struct pat_list *l)
{
	struct pat_list **p;
	if (!l)
		return;
	for (p = &pat_registry; *p && *p != l; p = &(*p)->next)
		;
	if (*p) {
		*p = l->next;
		if (pat_registry_tail == &l->next)
			pat_registry_tail = p;
	}
	list_release(l);
}

void pat_list_free_all(void)
{
	epoch_drain();
	while (pat_registry) {
		struct pat_list *l = pat_registry;
		pat_registry = l->next;
		list_release(l);
	}
	pat_registry_tail = &pat_registry;
}

const char *pat_list_name(const struct pat_list *l) { return l->name; }
int pat_list_is_map(const struct pat_list *l) { return l->is_map; }
size_t pat_list_count(const struct pat_list *l) { return l->nb; }

static struct pat_entry *entry_new(const char *key, size_t klen, const char *value, size_t vlen)
{
	struct pat_entry *e = calloc(1, sizeof(*e));
	char *v = NULL;
	if (!e)
		return NULL;
	if (!(e->key = strndup(key, klen)))
		goto fail;
	if (value && !(v = strndup(value, vlen)))
		goto fail;
	atomic_init(&e->value, v);
	return e;
fail:
	free(e->key);
	free(e);
	return NULL;
}

/* Appends <e> (owned by the list on success) to <l> and publishes views
 * that have it, all or none. Called with the list locked. Returns 0,
 * -EINVAL or -ENOMEM with <err>. */
static int list_append(struct pat_list *l, struct pat_entry *e, char *err, size_t errlen)
{
	struct pat_expr *x;
	struct pat_view *nv[PAT_MATCH_KINDS * 2];
	unsigned take[PAT_MATCH_KINDS * 2];
	int n = 0, rc = 0;

	if (l->nb == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct pat_entry **ent = realloc(l->ent, cap * sizeof(*ent));
		if (!ent) {
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
		l->ent = ent;
		l->cap = cap;
	}
	/* every view must take the entry before any is published */
	for (x = l->exprs; x; x = x->next, n++) {
		if (!(nv[n] = pat_view_add(atomic_load(&x->cur), e, &take[n], &rc, err, errlen)))
			goto abort;
	}
	l->ent[l->nb++] = e;
	n = 0;
	for (x = l->exprs; x; x = x->next, n++) {
		struct pat_view *old = atomic_load(&x->cur);

		old->own &= ~take[n];
		nv[n]->own |= take[n];
		pat_expr_publish(x, nv[n]);
		pat_expr_schedule(x);
	}
	return 0;
abort:
	n = 0;
	for (struct pat_expr *y = l->exprs; y != x; y = y->next, n++)
		pat_view_abort(nv[n], atomic_load(&y->cur));
	return rc;
}

int pat_list_add_err(struct pat_list *l, const char *key, const char *value,
                     char *err, size_t errlen)
{
	char dummy[8];
	if (!err) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	struct pat_entry *e = entry_new(key, strlen(key), value, value ? strlen(value) : 0);
	if (!e) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	pthread_mutex_lock(&l->lock);
	int ret = list_append(l, e, err, errlen);
	pthread_mutex_unlock(&l->lock);
	if (ret < 0)
		entry_free(e);
	return ret;
}

int pat_list_add(struct pat_list *l, const char *key, const char *value)
{
	return pat_list_add_err(l, key, value, NULL, 0);
}

/* Replaces the entries of <l> by the <n> at <ent> (owned by the list on
 * success; <ent> may be <l>'s own array): builds every view aside, then
 * publishes them and retires the old views and the entries of <l> for
 * which <drop> says 1 (NULL: all). Called with the list locked. Returns 0
 * or -ENOMEM / -EINVAL with <err>, and then nothing changed. */
static int list_replace(struct pat_list *l, struct pat_entry **ent, size_t n,
                        int (*drop)(const struct pat_entry *e, const void *arg), const void *arg,
                        char *err, size_t errlen)
{
	struct pat_view *nv[PAT_MATCH_KINDS * 2];
	struct pat_entry **old_ent = l->ent;
	size_t old_nb = l->nb, i;
	struct pat_expr *x;
	int k = 0;

	for (x = l->exprs; x; x = x->next, k++) {
		if (!(nv[k] = pat_view_build(x->kind, x->flags, ent, n, NULL, err, errlen))) {
			while (k--)
				pat_view_free(nv[k]);
			return strstr(err, "out of memory") ? -ENOMEM : -EINVAL;
		}
	}
	l->gen++;
	k = 0;
	for (x = l->exprs; x; x = x->next, k++) {
		pat_expr_publish(x, nv[k]);
		pat_expr_schedule(x);
	}
	for (i = 0; i < old_nb; i++)
		if (!drop || drop(old_ent[i], arg))
			epoch_retire(entry_free, old_ent[i]);
	/* the new views no longer point to the removed entries */
	for (i = 0; i < l->ndead; i++)
		epoch_retire(entry_free, l->dead[i]);
	l->ndead = 0;
	if (ent != old_ent) {
		free(old_ent);
		l->ent = ent;
		l->cap = n;
	}
	l->nb = n;
	return 0;
}

static int drop_by_key(const struct pat_entry *e, const void *key)
{
	return !strcmp(e->key, key);
}

static int drop_one(const struct pat_entry *e, const void *which)
{
	return e == which;
}

/* Removing entries without rebuilding the views: the entries are marked
 * dead (lookups skip them and find the next match) and kept until the
 * list is compacted, which happens when they outnumber a quarter of the
 * live ones (amortised O(1) per removal). Not for regex views: their
 * pattern set cannot look past a dead first match. Returns 0 when done
 * (list locked), -1 when the caller must rebuild. */
#define PAT_DEAD_MIN 64
static int list_tombstone(struct pat_list *l, int (*drop)(const struct pat_entry *e, const void *arg),
                          const void *arg, size_t n)
{
	size_t live = l->nb - n, j = 0;

	for (struct pat_expr *x = l->exprs; x; x = x->next)
		if (x->kind == PAT_MATCH_REG)
			return -1;
	if (l->ndead + n > (live / 4 > PAT_DEAD_MIN ? live / 4 : PAT_DEAD_MIN))
		return -1;          /* compact now */
	if (l->ndead + n > l->dead_cap) {
		size_t cap = (l->ndead + n) * 2;
		struct pat_entry **d = realloc(l->dead, cap * sizeof(*d));

		if (!d)
			return -1;
		l->dead = d;
		l->dead_cap = cap;
	}
	for (size_t i = 0; i < l->nb; i++) {
		struct pat_entry *e = l->ent[i];

		if (drop(e, arg)) {
			atomic_store(&e->dead, 1);
			l->dead[l->ndead++] = e;
		} else
			l->ent[j++] = e;
	}
	l->nb = j;
	return 0;
}

/* Removes the entries of <l> <drop> selects. Returns how many, or -ENOMEM
 * (nothing removed). */
static int list_remove(struct pat_list *l, int (*drop)(const struct pat_entry *e, const void *arg),
                       const void *arg)
{
	struct pat_entry **keep;
	size_t j = 0;
	char err[64];
	int n;

	pthread_mutex_lock(&l->lock);
	for (size_t i = 0; i < l->nb; i++)
		if (!drop(l->ent[i], arg))
			j++;
	n = (int)(l->nb - j);
	if (!n)
		goto out;
	if (list_tombstone(l, drop, arg, (size_t)n) == 0)
		goto out;
	/* a new array: the current one stays intact if a view cannot be built */
	if (!(keep = malloc((j ? j : 1) * sizeof(*keep)))) {
		n = -ENOMEM;
		goto out;
	}
	j = 0;
	for (size_t i = 0; i < l->nb; i++)
		if (!drop(l->ent[i], arg))
			keep[j++] = l->ent[i];
	if (list_replace(l, keep, j, drop, arg, err, sizeof(err)) < 0) {
		free(keep);
		n = -ENOMEM;
	}
out:
	pthread_mutex_unlock(&l->lock);
	return n;
}

int pat_list_del(struct pat_list *l, const char *key)
{
	int n = list_remove(l, drop_by_key, key);

	return n < 0 ? 0 : n;
}

int pat_list_del_entry(struct pat_list *l, const struct pat_entry *e)
{
	int n = list_remove(l, drop_one, e);

	return n < 0 ? n : n > 0;
}

/* Sets the value of <e> to a copy of <value> and retires the old one. */
static int entry_set_value(struct pat_entry *e, const char *value)
{
	char *v = strdup(value ? value : "");

	if (!v)
		return -ENOMEM;
	epoch_retire(free, atomic_exchange_explicit(&e->value, v, memory_order_acq_rel));
	return 0;
}

int pat_list_set(struct pat_list *l, const char *key, const char *value)
{
	int found = 0, rc = 0;

	pthread_mutex_lock(&l->lock);
	for (size_t i = 0; i < l->nb && rc == 0; i++) {
		if (strcmp(l->ent[i]->key, key))
			continue;
		rc = entry_set_value(l->ent[i], value);
		found = 1;
	}
	pthread_mutex_unlock(&l->lock);
	if (rc < 0 || found)
		return rc;
	return pat_list_add(l, key, value ? value : "");
}

int pat_list_set_entry(struct pat_list *l, const struct pat_entry *e, const char *value)
{
	int rc = -ENOENT;

	pthread_mutex_lock(&l->lock);
	for (size_t i = 0; i < l->nb; i++) {
		if (l->ent[i] == e) {
			rc = entry_set_value(l->ent[i], value);
			break;
		}
	}
	pthread_mutex_unlock(&l->lock);
	return rc;
}

void pat_list_clear(struct pat_list *l)
{
	char err[64];

	pthread_mutex_lock(&l->lock);
	if (l->nb)      /* the array is kept for the next additions */
		list_replace(l, l->ent, 0, NULL, NULL, err, sizeof(err));
	pthread_mutex_unlock(&l->lock);
}

int pat_list_replace(struct pat_list *l, const char *const *keys, const char *const *values,
                     size_t n, char *err, size_t errlen)
{
	struct pat_entry **ent = malloc((n ? n : 1) * sizeof(*ent));
	size_t i;
	int rc;

	if (!ent) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		if (!(ent[i] = entry_new(keys[i], strlen(keys[i]), values ? values[i] : NULL,
		                         values && values[i] ? strlen(values[i]) : 0))) {
			snprintf(err, errlen, "out of memory");
			rc = -ENOMEM;
			goto fail;
		}
	}
	pthread_mutex_lock(&l->lock);
	rc = list_replace(l, ent, n, NULL, NULL, err, errlen);
	pthread_mutex_unlock(&l->lock);
	if (rc == 0)
		return 0;
fail:
	while (i--)
		entry_free(ent[i]);
	free(ent);
	return rc;
}

void pat_list_foreach(const struct pat_list *cl,
                      int (*cb)(const struct pat_entry *e, void *arg), void *arg)
{
	struct pat_list *l = (struct pat_list *)cl;

	pthread_mutex_lock(&l->lock);
	for (size_t i = 0; i < l->nb; i++)
		if (cb(l->ent[i], arg))
			break;
	pthread_mutex_unlock(&l->lock);
}

const char *pat_entry_key(const struct pat_entry *e) { return e->key; }
const char *pat_entry_value(const struct pat_entry *e)
{
	return atomic_load_explicit(&((struct pat_entry *)e)->value, memory_order_acquire);
}

/* Reads <path> into <l>. Returns 0 or -1 with <err>. */
static int list_read_file(struct pat_list *l, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int lineno = 0, ret = 0;

	if (!f) {
		snprintf(err, errlen, "failed to open pattern file <%s>", path);
		return -1;
	}
	while ((n = getline(&line, &cap, f)) >= 0) {
		/* As HAProxy 2.6: a line starting with '#' is a comment (a '#'
		 * after blanks is part of the pattern); leading blanks are
		 * skipped; the line ends at CR/LF. An ACL pattern keeps its
		 * trailing blanks, a map value does not. */
		char *s = line, *e;
		lineno++;
		if (*s == '#')
			continue;
		while (*s == ' ' || *s == '\t')
			s++;
		for (e = s; e < line + n && *e != '\n' && *e != '\r'; e++)
			;
		if (l->is_map)
			while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
				e--;
		if (s == e)
			continue;
		struct pat_entry *ent;
		if (l->is_map) {
			char *k = s, *v;
			while (s < e && *s != ' ' && *s != '\t')
				s++;
			size_t klen = s - k;
			while (s < e && (*s == ' ' || *s == '\t'))
				s++;
			v = s;
			ent = entry_new(k, klen, v, e - v);
		} else
			ent = entry_new(s, e - s, NULL, 0);
		if (!ent) {
			snprintf(err, errlen, "out of memory reading <%s>", path);
			ret = -1;
			break;
		}
		char why[256];
		ent->line = lineno;
		pthread_mutex_lock(&l->lock);
		int rc = list_append(l, ent, why, sizeof(why));
		pthread_mutex_unlock(&l->lock);
		if (rc < 0) {
			entry_free(ent);
			snprintf(err, errlen, "%s at line %d of file '%s'", why, lineno, path);
			ret = -1;
			break;
		}
	}
	free(line);
	fclose(f);
	return ret;
}

struct pat_list *pat_list_load(const char *path, int is_map, char *err, size_t errlen)
{
	struct pat_list *l = pat_list_find(path);
	if (l)
		return l;
	if (!(l = pat_list_new(path, is_map))) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (list_read_file(l, path, err, errlen) < 0) {
		pat_list_free(l);
		return NULL;
	}
	return l;
}
