/* http_errsec.c: http-errors sections and errorfiles imports
 * (http_errsec.h). A section is a list of (status, file) kept until the
 * configuration is freed; an import copies its entries into the proxy's
 * errorfile slots (cfg_px_errorfile()), the pages themselves being loaded
 * once per file by http_err.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/http_errsec.h"
#include "engine/cfg.h"
#include "engine/cfg_proxy.h"
#include "engine/http_err.h"
#include "engine/log.h"
#include "engine/proxy.h"

#define ES_MAX_CODES 32

struct es_page {
	int code;
	char *file;
};

struct errsec {
	struct errsec *next;
	char *name;
	const char *file; int line;
	struct es_page *pages;
	int nb;
};

/* An import waiting for its section. */
struct es_pending {
	struct es_pending *next;
	struct proxy *px;
	char *name;
	int codes[ES_MAX_CODES], nb_codes;
	const char *file; int line;
};

static struct errsec *es_head, *es_cur;
static struct es_pending *es_pending;

static struct errsec *es_find(const char *name)
{
	for (struct errsec *e = es_head; e; e = e->next)
		if (!strcmp(e->name, name))
			return e;
	return NULL;
}

static int es_code_ok(int code)
{
	return code == 200 || http_err_known(code);
}

int http_errsec_section(struct cfg_ctx *c, char **args, int nargs)
{
	struct errsec *e, **pp;

	es_cur = NULL;
	if (nargs < 2 || !*args[1])
		return cfg_set_err(c, "missing name for http-errors section.");
	if ((e = es_find(args[1])))
		return cfg_set_err(c, "http-errors section '%s' already exists (declared at %s:%d).",
		                   args[1], e->file, e->line);
	if (!(e = calloc(1, sizeof(*e))) || !(e->name = strdup(args[1]))) {
		free(e);
		return cfg_set_err(c, "out of memory.");
	}
	e->file = c->file;
	e->line = c->line;
	for (pp = &es_head; *pp; pp = &(*pp)->next)
		;
	*pp = e;
	es_cur = e;
	return 0;
}

int http_errsec_kw(struct cfg_ctx *c, char **args, int nargs)
{
	struct es_page *np;
	int code;

	if (!es_cur)
		return 0;                             /* the header failed: skip the body */
	if (strcmp(args[0], "errorfile"))
		return cfg_set_err(c, "unknown keyword '%s' in 'http-errors' section", args[0]);
	if (nargs < 3)
		return cfg_set_err(c, "errorfile : expects <status_code> and <file> as arguments.");
	code = atoi(args[1]);
	if (!es_code_ok(code))
		return cfg_set_err(c, "errorfile : status code '%s' not handled.", args[1]);
	if (access(args[2], R_OK) < 0)
		return cfg_set_err(c, "errorfile : error opening file '%s'.", args[2]);
	for (int i = 0; i < es_cur->nb; i++)
		if (es_cur->pages[i].code == code) {      /* the last one wins */
			char *f = strdup(args[2]);

			if (!f)
				return cfg_set_err(c, "out of memory.");
			free(es_cur->pages[i].file);
			es_cur->pages[i].file = f;
			return 0;
		}
	if (!(np = realloc(es_cur->pages, (size_t)(es_cur->nb + 1) * sizeof(*np))))
		return cfg_set_err(c, "out of memory.");
	es_cur->pages = np;
	if (!(np[es_cur->nb].file = strdup(args[2])))
		return cfg_set_err(c, "out of memory.");
	np[es_cur->nb++].code = code;
	return 0;
}

/* Copies the pages of <e> (those of <codes> when <nb> > 0) into <px>. */
static int es_apply(struct cfg_ctx *c, struct proxy *px, const struct errsec *e, const int *codes, int nb)
{
	for (int i = 0; i < e->nb; i++) {
		int want = !nb;

		for (int k = 0; k < nb && !want; k++)
			want = codes[k] == e->pages[i].code;
		if (want && cfg_px_errorfile(c, px, e->pages[i].code, e->pages[i].file) < 0)
			return -1;
	}
	return 0;
}

int http_errsec_import(struct cfg_ctx *c, char **args, int nargs)
{
	int codes[ES_MAX_CODES], nb = 0;
	const struct errsec *e;
	struct es_pending *p;

	if (nargs < 2 || !*args[1])
		return cfg_set_err(c, "%s : expects <name> as argument.", args[0]);
	for (int i = 2; i < nargs; i++) {
		int code = atoi(args[i]);

		if (!es_code_ok(code))
			return cfg_set_err(c, "%s : status code '%s' not handled.", args[0], args[i]);
		if (nb < ES_MAX_CODES)
			codes[nb++] = code;
	}
	if ((e = es_find(args[1])))
		return es_apply(c, c->px, e, codes, nb);
	if (!(p = calloc(1, sizeof(*p))) || !(p->name = strdup(args[1]))) {
		free(p);
		return cfg_set_err(c, "out of memory.");
	}
	p->px = c->px;
	memcpy(p->codes, codes, sizeof(codes));
	p->nb_codes = nb;
	p->file = c->file;
	p->line = c->line;
	p->next = es_pending;
	es_pending = p;
	return 0;
}

const char *http_errsec_file(const char *name, int code, int *known)
{
	const struct errsec *e = es_find(name);

	*known = e != NULL;
	for (int i = 0; e && i < e->nb; i++)
		if (e->pages[i].code == code)
			return e->pages[i].file;
	return NULL;
}

int http_errsec_resolve(struct config *cfg)
{
	int errors = 0;

	(void)cfg;
	while (es_pending) {
		struct es_pending *p = es_pending;
		const struct errsec *e = es_find(p->name);

		es_pending = p->next;
		if (!e) {
			rp_alert("config : proxy '%s': unknown http-errors section '%s' (at %s:%d).",
			         p->px->name ? p->px->name : "", p->name, p->file, p->line);
			errors++;
		} else {
			struct cfg_ctx c;

			memset(&c, 0, sizeof(c));
			c.cfg = cfg;
			c.file = p->file;
			c.line = p->line;
			if (es_apply(&c, p->px, e, p->codes, p->nb_codes) < 0) {
				rp_alert("config : parsing [%s:%d] : %s", p->file, p->line, c.err);
				errors++;
			}
		}
		free(p->name);
		free(p);
	}
	return errors;
}

void http_errsec_free_all(void)
{
	while (es_head) {
		struct errsec *e = es_head;

		es_head = e->next;
		for (int i = 0; i < e->nb; i++)
			free(e->pages[i].file);
		free(e->pages);
		free(e->name);
		free(e);
	}
	while (es_pending) {
		struct es_pending *p = es_pending;

		es_pending = p->next;
		free(p->name);
		free(p);
	}
	es_cur = NULL;
}
