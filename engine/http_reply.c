/* http_reply.c: the responses built from the configuration — "return",
 * "deny", "tarpit" and "http-error" — parsed once (files read, log-formats
 * compiled) and rendered per request without allocating. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "engine/http_reply.h"
#include "engine/cfg.h"
#include "engine/cfg_proxy.h"
#include "engine/http_err.h"
#include "engine/http_errsec.h"
#include "engine/http_rules.h"
#include "engine/logfmt.h"
#include "engine/proxy.h"
#include "engine/stream.h"

static __thread char rp_val[HTTP_REPLY_BUF];   /* rendered header values and body */

static int is_cond_word(const char *w)
{
	return !strcmp(w, "if") || !strcmp(w, "unless");
}

/* Reads file <path> whole into a new buffer (*<out>, *<len>). Returns 0 or
 * -1 with c->err. */
static int read_file(struct cfg_ctx *c, const char *path, char **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long sz;

	if (!f)
		return cfg_set_err(c, "failed to open error file '%s' (%s)", path, strerror(errno));
	if (fseek(f, 0, SEEK_END) < 0 || (sz = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) < 0)
		goto fail;
	if (sz > HTTP_REPLY_BUF) {
		fclose(f);
		return cfg_set_err(c, "file '%s' exceeds the buffer size (%ld > %d)", path, sz, HTTP_REPLY_BUF);
	}
	if (!(buf = malloc(sz + 1)) || fread(buf, 1, sz, f) != (size_t)sz)
		goto fail;
	buf[sz] = 0;
	fclose(f);
	*out = buf;
	*len = sz;
	return 0;
fail:
	free(buf);
	fclose(f);
	return cfg_set_err(c, "failed to read file '%s'", path);
}

int http_reply_parse(struct cfg_ctx *c, struct http_reply *r, int deny, int res, char **args,
                     int nargs, int i)
{
	int has_payload = 0, errfiles = 0;

	r->status = deny ? (res ? 502 : 403) : 200;
	for (; i < nargs && *args[i] && !is_cond_word(args[i]); i++) {
		const char *k = args[i];
		const char *v = i + 1 < nargs ? args[i + 1] : "";
		if (!strcmp(k, "status") || (deny && !strcmp(k, "deny_status"))) {
			char *end;
			long st = strtol(v, &end, 10);
			if (!*v || *end)
				return cfg_set_err(c, "'%s' expects <status_code> as argument", k);
			if (st < 200 || st > 599)
				return cfg_set_err(c, "Unexpected status code '%ld'", st);
			r->status = st;
			i++;
		} else if (!strcmp(k, "content-type")) {
			if (!*v)
				return cfg_set_err(c, "'%s' expects <type> as argument", k);
			free(r->ctype);
			if (!(r->ctype = cfg_strdup(c, v)))
				return -1;
			i++;
		} else if (!strcmp(k, "string") || !strcmp(k, "lf-string") ||
		           !strcmp(k, "file") || !strcmp(k, "lf-file") || !strcmp(k, "errorfile")) {
			if (has_payload++)
				return cfg_set_err(c, "unexpected '%s' argument, '%s' already defined", k, k);
			if (!*v)
				return cfg_set_err(c, "'%s' expects <%s> as argument", k,
				                   strstr(k, "file") ? "file" : k[0] == 's' ? "str" : "fmt");
			if (!strcmp(k, "string")) {
				if (!(r->body = cfg_strdup(c, v)))
					return -1;
				r->blen = strlen(v);
			} else if (!strcmp(k, "lf-string")) {
				if (http_rules_fmt_compile(c, v, &r->body_fmt) < 0)
					return -1;
			} else if (!strcmp(k, "file")) {
				if (read_file(c, v, &r->body, &r->blen) < 0)
					return -1;
			} else if (!strcmp(k, "lf-file")) {
				char *txt;
				size_t tl;
				if (read_file(c, v, &txt, &tl) < 0)
					return -1;
				int rc = http_rules_fmt_compile(c, txt, &r->body_fmt);
				free(txt);
				if (rc < 0)
					return -1;
			} else {
				if (read_file(c, v, &r->raw, &r->rawlen) < 0)
					return -1;
			}
			i++;
		} else if (!strcmp(k, "default-errorfiles")) {
			if (has_payload++)
				return cfg_set_err(c, "unexpected '%s' argument", k);
			errfiles = 1;
		} else if (!strcmp(k, "errorfiles")) {
			/* the status's page of an http-errors section, else the
			 * proxy's own as with default-errorfiles */
			const char *f;
			int known;

			if (has_payload++)
				return cfg_set_err(c, "unexpected '%s' argument", k);
			if (!*v)
				return cfg_set_err(c, "'%s' expects <name> as argument", k);
			f = http_errsec_file(v, r->status, &known);
			if (!known)
				return cfg_set_err(c, "unknown http-errors section '%s'", v);
			if (f && read_file(c, f, &r->raw, &r->rawlen) < 0)
				return -1;
			if (!f)
				errfiles = 1;
			i++;
		} else if (!strcmp(k, "hdr")) {
			if (i + 2 >= nargs || !*args[i + 2])
				return cfg_set_err(c, "'%s' expects <name> and <value> as arguments", k);
			if (r->nhdrs >= HTTP_REPLY_MAX_HDRS)
				return cfg_set_err(c, "too many headers (max %d)", HTTP_REPLY_MAX_HDRS);
			struct http_reply_fmt_hdr *h = &r->hdrs[r->nhdrs];
			if (!(h->name = cfg_strdup(c, v)))
				return -1;
			r->nhdrs++;
			if (http_rules_fmt_compile(c, args[i + 2], &h->fmt) < 0)
				return -1;
			i += 2;
		} else {
			break;      /* the caller reports what follows */
		}

	}
	if ((r->body || r->body_fmt) && !r->ctype && r->blen + !!r->body_fmt)
		return cfg_set_err(c, "a content type must be defined when non-empty payload is configured");
	if (r->ctype && r->body && !r->blen && !r->body_fmt) {
		/* an empty file: HAProxy 2.6 sends no content-type either */
		cfg_warning(c, "content-type '%s' ignored by the http reply when used with an empty payload.",
		            r->ctype);
		free(r->ctype);
		r->ctype = NULL;
	}
	if (r->ctype && !r->body && !r->body_fmt && !r->raw && !errfiles) {
		/* HAProxy 2.6: a warning, and the type is not sent */
		cfg_warning(c, "content-type '%s' ignored by the http reply because neither errorfile nor payload defined.",
		            r->ctype);
		free(r->ctype);
		r->ctype = NULL;
	}
	if ((r->raw || errfiles) && (r->ctype || r->nhdrs))
		return cfg_set_err(c, "content-type or hdr arguments are not allowed with an errorfile");
	/* deny without payload serves the proxy's error page, as does
	 * "default-errorfiles"; the page must exist */
	if (errfiles || (deny && !has_payload)) {
		if (!http_err_known(r->status))
			return cfg_set_err(c, "status code '%d' not handled by default with 'default-errorfiles' argument.",
			                   r->status);
		r->errpage = 1;
	}
	return i;
}

void http_reply_free(struct http_reply *r)
{
	free(r->ctype);
	free(r->body);
	logfmt_free(r->body_fmt);
	free(r->raw);
	for (int i = 0; i < r->nhdrs; i++) {
		free(r->hdrs[i].name);
		logfmt_free(r->hdrs[i].fmt);
	}
}

long http_reply_render(const struct http_reply *r, struct stream *s, const struct proxy *px,
                       char *out, size_t outsz)
{
	struct http_reply_hdr hdrs[HTTP_REPLY_MAX_HDRS];
	const char *body = r->body;
	size_t blen = r->blen, used = 0;

	if (r->raw) {
		if (r->rawlen > outsz)
			return -1;
		memcpy(out, r->raw, r->rawlen);
		return r->rawlen;
	}
	if (r->errpage) {
		size_t len;
		const char *p = s ? http_reply_err_page(s, r->status, out, outsz, &len) :
		                    http_err_get(px, r->status, HTTP_ERR_STREAM, &len);
		if (!p || len > outsz)
			return -1;
		if (p != out)
			memcpy(out, p, len);
		return len;
	}
	/* header values then the body are rendered one after the other in
	 * rp_val; a header whose value renders empty is left out, as HAProxy */
	int nh = 0;
	for (int i = 0; i < r->nhdrs; i++) {
		size_t n = logfmt_render(r->hdrs[i].fmt, s, 0, rp_val + used, sizeof(rp_val) - used);

		if (!n)
			continue;
		hdrs[nh].n = r->hdrs[i].name;
		hdrs[nh].nl = strlen(r->hdrs[i].name);
		hdrs[nh].v = rp_val + used;
		hdrs[nh++].vl = n;
		used += n;
	}
	if (r->body_fmt) {
		body = rp_val + used;
		blen = logfmt_render(r->body_fmt, s, 0, rp_val + used, sizeof(rp_val) - used);
	}
	return http_reply_build(out, outsz, r->status, NULL, hdrs, nh, r->ctype,
	                        body, blen);
}

/* The codes HAProxy has a page for (those "errorfile" accepts). */
static int err_code_known(int code)
{
	static const int codes[] = { 200, 400, 401, 403, 404, 405, 407, 408, 410, 413, 425, 429,
	                             500, 501, 502, 503, 504 };

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (codes[i] == code)
			return 1;
	return 0;
}

/* Makes static reply <r> the page of <code> in c->px: its bytes, built
 * now, registered under a key naming this line. Returns 0 or -1. */
static int err_static(struct cfg_ctx *c, const struct http_reply *r, int code)
{
	static char page[HTTP_REPLY_BUF + 1024];
	char key[512], err[256];
	const char *p = page;
	size_t len;
	long n;

	if (r->errpage) {
		/* default-errorfiles: HAProxy's own page, whatever an errorfile says */
		p = http_err_builtin(code, HTTP_ERR_STREAM, &len);
	} else if ((n = http_reply_render(r, NULL, c->px, page, sizeof(page))) >= 0) {
		len = (size_t)n;
	} else {
		return cfg_set_err(c, "http-error : the page for status %d does not fit in a buffer.", code);
	}
	snprintf(key, sizeof(key), "http-error %s:%d", c->file, c->line);
	if (!p || http_err_add_page(key, p, len, err, sizeof(err)) < 0)
		return cfg_set_err(c, "http-error : %s", p ? err : "no page.");
	return cfg_px_errorfile(c, c->px, code, key);
}

int http_reply_cfg_http_error(struct cfg_ctx *c, char **args, int nargs)
{
	struct http_reply *r;
	int i, slot;

	if (nargs < 2 || strcmp(args[1], "status"))
		return cfg_set_err(c, "http-error : expects at least a <status> as arguments.\n");
	if (!(r = calloc(1, sizeof(*r))))
		return cfg_set_err(c, "out of memory.");
	i = http_reply_parse(c, r, 0, 0, args, nargs, 1);
	if (i < 0) {
		char why[sizeof(c->err)];

		snprintf(why, sizeof(why), "%s", c->err);
		cfg_set_err(c, "http-error : %s", why);
		goto fail;
	}
	if (i < nargs) {
		cfg_set_err(c, "http-error : unknown keyword '%s'.", args[i]);
		goto fail;
	}
	if (!err_code_known(r->status)) {
		cfg_set_err(c, "http-error: status code '%d' not handled.", r->status);
		goto fail;
	}
	if (!r->body_fmt && !r->nhdrs) {
		/* no log-format part: served as an errorfile */
		if (err_static(c, r, r->status) < 0)
			goto fail;
		http_reply_free(r);
		free(r);
		return 0;
	}
	if (cfg_px_errorfile(c, c->px, r->status, NULL) < 0)
		goto fail;
	for (slot = 0; c->px->errorfile_codes[slot] != r->status; slot++)
		;
	c->px->errorfile_reply[slot] = r;
	c->px->errorfile_reply_own |= 1u << slot;
	return 0;
fail:
	http_reply_free(r);
	free(r);
	return -1;
}

void http_reply_err_free(struct proxy *px, int slot)
{
	if (px->errorfile_reply_own & (1u << slot)) {
		http_reply_free(px->errorfile_reply[slot]);
		free(px->errorfile_reply[slot]);
	}
	px->errorfile_reply_own &= ~(1u << slot);
	px->errorfile_reply[slot] = NULL;
}

const char *http_reply_err_page(struct stream *s, int status, char *buf, size_t bufsz, size_t *len)
{
	const struct proxy *px[2] = { s->be, s->fe != s->be ? s->fe : NULL };

	for (int k = 0; k < 2; k++) {
		for (int i = 0; px[k] && i < PX_MAX_ERRORFILES; i++) {
			const struct http_reply *r = px[k]->errorfile_reply[i];
			long n;

			if (px[k]->errorfile_codes[i] != status || (!r && !px[k]->errorfiles[i]))
				continue;
			if (!r)
				return http_err_get(px[k], status, HTTP_ERR_STREAM, len);
			if ((n = http_reply_render(r, s, px[k], buf, bufsz)) < 0)
				return NULL;
			*len = (size_t)n;
			return buf;
		}
	}
	return http_err_builtin(status, HTTP_ERR_STREAM, len);
}
