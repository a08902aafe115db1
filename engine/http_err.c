/* http_err.c: HAProxy 2.6's built-in error pages (captured byte for byte
 * from /usr/sbin/haproxy: "http-request deny deny_status N" for the stream
 * shape, a garbage request and an idle client for the parser's own 400 and
 * 408) and the errorfiles of proxies, loaded once and kept in memory. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/stat.h>

#include "engine/http.h"
#include "engine/http_err.h"
#include "engine/proxy.h"
#include "proto/h1.h"

struct errpage {
	int status;
	const char *text;
};

/* What a rule or the backend side answers (HTTP_ERR_STREAM). */
static const struct errpage err_stream[] = {
	{ 200,
	"HTTP/1.1 200 OK\r\n"
	"content-length: 58\r\n"
	"cache-control: no-cache\r\n"
	"content-type: text/html\r\n"
	"\r\n"
	"<html><body><h1>200 OK</h1>\n"
	"Service ready.\n"
	"</body></html>\n" },
	{ 400,
	"HTTP/1.1 400 Bad request\r\n"
	"content-length: 90\r\n"
	"cache-control: no-cache\r\n"
	"content-type: text/html\r\n"
	"connection: close\r\n"
	"\r\n"
	"<html><body><h1>400 Bad request</h1>\n"
	"Your browser sent an invalid request.\n"
	"</body></html>\n" },
	{ 401,
	"HTTP/1.1 401 Unauthorized\r\n"
	"content-length: 112\r\n"
	"cache-control: no-cache\r\n"
	"content-type: text/html\r\n"
	"\r\n"
	"<html><body><h1>401 Unauthorized</h1>\n"
	"You need a valid user and password to access this content.\n"
	"</body></html>\n" },
	{ 403,
	"HTTP/1.1 403 Forbidden\r\n"
	"content-length: 93\r\n"
	"cache-control: no-cache\r\n"
	"content-type: text/html\r\n"
	"\r\n"
	"<html><body><h1>403 Forbidden</h1>\n"
	"Request forbidden by administrative rules.\n"
	"</body></html>\n" },
	{ 404,
	"HTTP/1.1 404 Not Found\r\n"
	"content-length: 83\r\n"
	"cache-control: no-cache\r\n"
	"content-type: text/html\r\n"
	"\r\n"
	"<html><body><h1>404 Not Found</h1>\n"
	"The resource could not be found.\n"
	"</body></html>\n" },
	{ 405,
	"HTTP/1.1 405 Method Not Allowed\r\n"
	"content-length: 146\r\n"
	"cache-control: no-cache\r\n"
	"content-type: text/html\r\n"
	"\r\n"
	"<html><body><h1>405 Method Not Allowed</h1>\n"
	"A request was made of a resource using a request method not supported by that resource\n"
	"</body></html>\n" },
	{ 407,
	"HTTP/1.1 407 Unauthorized\r\n"
	"content-length: 112\r\n"
	"cache-control: no-cache\r\n"
	"content-type: text/html\r\n"
	"\r\n"
	"<html><body><h1>407 Unauthorized</h1>\n"
	"You need a valid user and password to access this content.\n"
	"</body></html>\n" },
	{ 408,
	"HTTP/1.1 408 Request Time-out\r\n"
	"content-length: 110\r\n"
	"cache-control: no-cache\r\n"
	"content-type: text/html\r\n"
	"connection: close\r\n"
	"\r\n"
	"<html><body><h1>408 Request Time-out</h1>\n"
	"Your browser didn't send a complete request in time.\n"
	"</body></html>\n" },
	{ 410,
	"HTTP/1.1 410 Gone\r\n"
	"content-length: 114\r\n"
	"cache-control: no-cache\r\n"
	"content-type: text/html\r\n"
	"\r\n"
	"<html><body><h1>410 Gone</h1>\n"
	"The resource is no longer available and will not be available again.\n"
	"</body></html>\n" },
	{ 413,
	"HTTP/1.1 413 Payload Too Large\r\n"
	"content-length: 106\r\n"
	"cache-control: no-cache\r\n"
	"content-type: text/html\r\n"
	"\r\n"
	"<html><body><h1>413 Payload Too Large</h1>\n"
	"The request entity exceeds the maximum allowed.\n"
	"</body></html>\n" },
	{ 421,
	"HTTP/1.1 421 Misdirected Request\r\n"
	"content-length: 104\r\n"
	"cache-control: no-cache\r\n"
	"content-type: text/html\r\n"
	"\r\n"
	"<html><body><h1>421 Misdirected Request</h1>\n"
	"Request sent to a non-authoritative server.\n"
	"</body></html>\n" },
	{ 422,
	"HTTP/1.1 422 Unprocessable Content\r\n"
	"content-length: 116\r\n"
	"cache-control: no-cache\r\n"
	"content-type: text/html\r\n"
	"\r\n"
	"<html><body><h1>422 Unprocessable Content</h1>\n"
	"The server cannot process the contained instructions.\n"
	"</body></html>\n" },
	{ 425,
	"HTTP/1.1 425 Too Early\r\n"
	"content-length: 80\r\n"
	"cache-control: no-cache\r\n"
	"content-type: text/html\r\n"
	"\r\n"
	"<html><body><h1>425 Too Early</h1>\n"
	"Your browser sent early data.\n"
	"</body></html>\n" },
	{ 429,
	"HTTP/1.1 429 Too Many Requests\r\n"
	"content-length: 117\r\n"
	"cache-control: no-cache\r\n"
	"content-type: text/html\r\n"
	"\r\n"
	"<html><body><h1>429 Too Many Requests</h1>\n"
	"You have sent too many requests in a given amount of time.\n"
	"</body></html>\n" },
	{ 500,
	"HTTP/1.1 500 Internal Server Error\r\n"
	"content-length: 97\r\n"
	"cache-control: no-cache\r\n"
	"content-type: text/html\r\n"
	"\r\n"
	"<html><body><h1>500 Internal Server Error</h1>\n"
	"An internal server error occurred.\n"
	"</body></html>\n" },
	{ 501,
	"HTTP/1.1 501 Not Implemented\r\n"
	"content-length: 136\r\n"
	"cache-control: no-cache\r\n"
	"content-type: text/html\r\n"
	"\r\n"
	"<html><body><h1>501 Not Implemented</h1>\n"
	".The server does not support the functionality required to fulfill the request.\n"
	"</body></html>\n" },
	{ 502,
	"HTTP/1.1 502 Bad Gateway\r\n"
	"content-length: 107\r\n"
	"cache-control: no-cache\r\n"
	"content-type: text/html\r\n"
	"\r\n"
	"<html><body><h1>502 Bad Gateway</h1>\n"
	"The server returned an invalid or incomplete response.\n"
	"</body></html>\n" },
	{ 503,
	"HTTP/1.1 503 Service Unavailable\r\n"
	"content-length: 107\r\n"
	"cache-control: no-cache\r\n"
	"content-type: text/html\r\n"
	"\r\n"
	"<html><body><h1>503 Service Unavailable</h1>\n"
	"No server is available to handle this request.\n"
	"</body></html>\n" },
	{ 504,
	"HTTP/1.1 504 Gateway Time-out\r\n"
	"content-length: 92\r\n"
	"cache-control: no-cache\r\n"
	"content-type: text/html\r\n"
	"\r\n"
	"<html><body><h1>504 Gateway Time-out</h1>\n"
	"The server didn't respond in time.\n"
	"</body></html>\n" },
};

/* What the client-side parser answers itself (HTTP_ERR_MUX). */
static const struct errpage err_mux[] = {
	{ 400,
	"HTTP/1.1 400 Bad request\r\n"
	"Content-length: 90\r\n"
	"Cache-Control: no-cache\r\n"
	"Connection: close\r\n"
	"Content-Type: text/html\r\n"
	"\r\n"
	"<html><body><h1>400 Bad request</h1>\n"
	"Your browser sent an invalid request.\n"
	"</body></html>\n" },
	{ 408,
	"HTTP/1.1 408 Request Time-out\r\n"
	"Content-length: 110\r\n"
	"Cache-Control: no-cache\r\n"
	"Connection: close\r\n"
	"Content-Type: text/html\r\n"
	"\r\n"
	"<html><body><h1>408 Request Time-out</h1>\n"
	"Your browser didn't send a complete request in time.\n"
	"</body></html>\n" },
	{ 422,
	"HTTP/1.1 422 Unprocessable Content\r\n"
	"Content-length: 116\r\n"
	"Cache-Control: no-cache\r\n"
	"Content-Type: text/html\r\n"
	"\r\n"
	"<html><body><h1>422 Unprocessable Content</h1>\n"
	"The server cannot process the contained instructions.\n"
	"</body></html>\n" },
};

#define NB(a) (sizeof(a) / sizeof((a)[0]))

static const char *page_find(const struct errpage *tab, size_t nb, int status, size_t *len)
{
	for (size_t i = 0; i < nb; i++)
		if (tab[i].status == status) {
			*len = strlen(tab[i].text);
			return tab[i].text;
		}
	return NULL;
}

/* Each shape falls back to the other one for a code it lacks (422 exists
 * only on the parser side, 403 only on the stream side). */
const char *http_err_builtin(int status, enum http_err_shape shape, size_t *len)
{
	const char *p;

	if (shape == HTTP_ERR_MUX) {
		if (!(p = page_find(err_mux, NB(err_mux), status, len)))
			p = page_find(err_stream, NB(err_stream), status, len);
	} else {
		if (!(p = page_find(err_stream, NB(err_stream), status, len)))
			p = page_find(err_mux, NB(err_mux), status, len);
	}
	if (!p)
		*len = 0;
	return p;
}

int http_err_known(int status)
{
	for (size_t i = 0; i < NB(err_stream); i++)
		if (err_stream[i].status == status)
			return 1;
	return 0;
}

/* Loaded errorfiles, one per path (proxies inheriting from a defaults
 * section share it). Built at configuration time, read-only afterwards. */
struct errfile {
	struct errfile *next;
	char *path;
	char *data;         /* the page in the stream shape */
	size_t len;
};
static struct errfile *errfiles;

static struct errfile *errfile_lookup(const char *path)
{
	for (struct errfile *e = errfiles; e; e = e->next)
		if (!strcmp(e->path, path))
			return e;
	return NULL;
}

static int is_hdr(const char *n, size_t len, const char *want)
{
	return strlen(want) == len && !strncasecmp(n, want, len);
}

/* Returns 1 when the <len> bytes at <v> hold the token "close". */
static int val_has_close(const char *v, size_t len)
{
	for (size_t i = 0; i + 5 <= len; i++)
		if (!strncasecmp(v + i, "close", 5) && (i == 0 || v[i - 1] == ' ' || v[i - 1] == ',') &&
		    (i + 5 == len || v[i + 5] == ' ' || v[i + 5] == ','))
			return 1;
	return 0;
}

/* Rebuilds the raw file <raw>/<len> in the stream shape (header names
 * lowercase, Connection headers dropped, "connection: close" last when one
 * said close), as HAProxy re-serialises an errorfile. Returns a malloc'ed
 * copy (length in *<outlen>), or NULL with the parse error offset in
 * *<errpos> (or -1 for no memory). */
static char *errfile_convert(const char *raw, size_t len, size_t *outlen, long *errpos)
{
	struct h1_hdr hdrs[101];
	struct h1_msg m;
	char *out, *p;
	int r, close = 0;
	size_t hl;

	h1_init(&m, H1_MF_RESP, hdrs, 101, (uint32_t)(len < UINT32_MAX ? len + 1 : UINT32_MAX));
	r = h1_parse(&m, raw, len);
	if (r < 0 || m.phase < H1_P_BODY) {
		*errpos = r < 0 ? (long)m.err_pos : -2;     /* incomplete: HAProxy says -2 */
		return NULL;
	}
	hl = m.hdr_len;
	/* room: the same bytes plus "connection: close\r\n" and CRLF fixes */
	if (!(out = malloc(len + 64 + 2 * (size_t)m.nb_hdrs + 1)))
		goto nomem;
	p = out;
	/* status line without its line end, then CRLF */
	{
		size_t sl = (size_t)(memchr(raw, '\n', hl) ? (const char *)memchr(raw, '\n', hl) - raw : 0);

		if (sl && raw[sl - 1] == '\r')
			sl--;
		memcpy(p, raw, sl);
		p += sl;
		*p++ = '\r';
		*p++ = '\n';
	}
	for (int i = 0; i < m.nb_hdrs; i++) {
		const char *n = raw + hdrs[i].n.off, *v = raw + hdrs[i].v.off;
		size_t nl = hdrs[i].n.len, vl = hdrs[i].v.len;

		if (is_hdr(n, nl, "connection")) {
			close |= val_has_close(v, vl);
			continue;
		}
		for (size_t k = 0; k < nl; k++)
			*p++ = (n[k] >= 'A' && n[k] <= 'Z') ? (char)(n[k] + 32) : n[k];
		*p++ = ':';
		*p++ = ' ';
		memcpy(p, v, vl);
		p += vl;
		*p++ = '\r';
		*p++ = '\n';
	}
	if (close) {
		memcpy(p, "connection: close\r\n", 19);
		p += 19;
	}
	*p++ = '\r';
	*p++ = '\n';
	memcpy(p, raw + hl, len - hl);
	p += len - hl;
	*p = 0;                /* not sent: a convenience for debugging and tests */
	*outlen = (size_t)(p - out);
	return out;
nomem:
	*errpos = -1;
	return NULL;
}

int http_err_add_page(const char *key, const char *raw, size_t len, char *err, size_t errlen)
{
	struct errfile *e;
	long errpos;

	if (errfile_lookup(key))
		return 0;
	if (!(e = calloc(1, sizeof(*e))) || !(e->path = strdup(key))) {
		free(e);
		snprintf(err, errlen, "out of memory.");
		return -1;
	}
	if (len && !(e->data = errfile_convert(raw, len, &e->len, &errpos))) {
		if (errpos == -1)
			snprintf(err, errlen, "out of memory.");
		else
			snprintf(err, errlen, "unable to parse headers (error offset: %ld)", errpos);
		free(e->path);
		free(e);
		return -1;
	}
	e->next = errfiles;
	errfiles = e;
	return 0;
}

int http_err_load(const char *path, int status, char *err, size_t errlen)
{
	struct errfile *e;
	struct stat st;
	char *raw = NULL;
	long errpos;
	int fd;
	size_t got = 0;

	(void)status;
	if (errfile_lookup(path))
		return 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, &st) < 0)
		goto open_fail;
	if (!(raw = malloc((size_t)st.st_size + 1)))
		goto nomem_fd;
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, raw + got, (size_t)st.st_size - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	if (!(e = calloc(1, sizeof(*e))) || !(e->path = strdup(path)))
		goto nomem_e;
	if (got) {
		e->data = errfile_convert(raw, got, &e->len, &errpos);
		if (!e->data) {
			if (errpos == -1)
				goto nomem_path;
			snprintf(err, errlen, "errorfile : '%s': unable to parse headers (error offset: %ld)",
			         path, errpos);
			free(e->path);
			free(e);
			free(raw);
			return -1;
		}
	}
	free(raw);
	e->next = errfiles;
	errfiles = e;
	return 0;
nomem_path:
	free(e->path);
nomem_e:
	free(e);
	free(raw);
	snprintf(err, errlen, "errorfile : out of memory loading '%s'.", path);
	return -1;
nomem_fd:
	close(fd);
	snprintf(err, errlen, "errorfile : out of memory loading '%s'.", path);
	return -1;
open_fail:
	if (fd >= 0)
		close(fd);
	snprintf(err, errlen, "errorfile : error opening file '%s'.", path);
	return -1;
}

/* <px>'s own page for <status>, or NULL. */
static const char *errfile_of(const struct proxy *px, int status, size_t *len)
{
	for (int i = 0; px && i < PX_MAX_ERRORFILES; i++) {
		struct errfile *e;

		if (px->errorfile_codes[i] != status || !px->errorfiles[i])
			continue;
		if ((e = errfile_lookup(px->errorfiles[i]))) {
			*len = e->len;
			return e->data ? e->data : "";
		}
	}
	return NULL;
}

const char *http_err_get(const struct proxy *px, int status, enum http_err_shape shape, size_t *len)
{
	return http_err_get_for(px, NULL, status, shape, len);
}

const char *http_err_get_for(const struct proxy *be, const struct proxy *fe, int status,
                             enum http_err_shape shape, size_t *len)
{
	const char *p;

	if (shape == HTTP_ERR_STREAM && ((p = errfile_of(be, status, len)) || (p = errfile_of(fe, status, len))))
		return p;
	return http_err_builtin(status, shape, len);
}

int http_err_load_config(struct config *cfg)
{
	char err[512];
	int errors = 0;

	for (struct proxy *px = cfg->proxies; px; px = px->next)
		for (int i = 0; i < PX_MAX_ERRORFILES; i++) {
			if (!px->errorfile_codes[i] || !px->errorfiles[i])
				continue;
			if (http_err_load(px->errorfiles[i], px->errorfile_codes[i], err, sizeof(err)) < 0) {
				fprintf(stderr, "[ALERT]    (%d) : config : parsing [%s:%d] : %s\n",
				        (int)getpid(), px->file ? px->file : "?", px->line, err);
				errors++;
			}
		}
	return errors;
}

/* A string literal and its length, for put(). */
#define LIT(s) s, sizeof(s) - 1

/* Appends <n> bytes of <s> to <out>/<outsz> at *<pos>; returns 0 or -1. */
static int put(char *out, size_t outsz, size_t *pos, const char *s, size_t n)
{
	if (n > outsz - *pos)
		return -1;
	memcpy(out + *pos, s, n);
	*pos += n;
	return 0;
}

static int put_status_line(char *out, size_t outsz, size_t *pos, int status, const char *reason)
{
	char line[64];
	int n = snprintf(line, sizeof(line), "HTTP/1.1 %03d ", status);

	return put(out, outsz, pos, line, (size_t)n) || put(out, outsz, pos, reason, strlen(reason)) ||
	       put(out, outsz, pos, "\r\n", 2);
}

long http_reply_build(char *out, size_t outsz, int status, const char *reason,
                      const struct http_reply_hdr *hdrs, int nhdrs, const char *ctype,
                      const char *body, size_t blen)
{
	size_t pos = 0;
	char num[32];

	if (put_status_line(out, outsz, &pos, status, reason ? reason : http_status_reason(status)))
		return -ENOSPC;
	for (int i = 0; i < nhdrs; i++) {
		if (hdrs[i].nl > outsz - pos)
			return -ENOSPC;
		for (size_t k = 0; k < hdrs[i].nl; k++) {
			char c = hdrs[i].n[k];

			out[pos++] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
		}
		if (put(out, outsz, &pos, LIT(": ")) || put(out, outsz, &pos, hdrs[i].v, hdrs[i].vl) ||
		    put(out, outsz, &pos, LIT("\r\n")))
			return -ENOSPC;
	}
	if (status >= 200 && status != 204) {
		int n = snprintf(num, sizeof(num), "content-length: %zu\r\n", body ? blen : 0);

		if (put(out, outsz, &pos, num, (size_t)n))
			return -ENOSPC;
	}
	if (ctype && (put(out, outsz, &pos, LIT("content-type: ")) || put(out, outsz, &pos, ctype, strlen(ctype)) ||
	              put(out, outsz, &pos, LIT("\r\n"))))
		return -ENOSPC;
	if (put(out, outsz, &pos, LIT("\r\n")) || (body && put(out, outsz, &pos, body, blen)))
		return -ENOSPC;
	return (long)pos;
}

long http_redirect_build(char *out, size_t outsz, int code, const char *loc, size_t llen,
                         const char *cookie, size_t clen)
{
	static const struct { int code; const char *reason; int nocache; } codes[] = {
		{ 301, "Moved Permanently", 0 }, { 302, "Found", 1 }, { 303, "See Other", 1 },
		{ 307, "Temporary Redirect", 1 }, { 308, "Permanent Redirect", 0 },
	};
	size_t pos = 0;
	int k = -1;

	for (int i = 0; i < (int)(sizeof(codes) / sizeof(codes[0])); i++)
		if (codes[i].code == code)
			k = i;
	if (k < 0)
		return -EINVAL;
	if (put_status_line(out, outsz, &pos, code, codes[k].reason) ||
	    put(out, outsz, &pos, LIT("content-length: 0\r\nlocation: ")) || put(out, outsz, &pos, loc, llen) ||
	    put(out, outsz, &pos, LIT("\r\n")))
		return -ENOSPC;
	if (codes[k].nocache && put(out, outsz, &pos, LIT("cache-control: no-cache\r\n")))
		return -ENOSPC;
	if (cookie && (put(out, outsz, &pos, LIT("set-cookie: ")) || put(out, outsz, &pos, cookie, clen) ||
	               put(out, outsz, &pos, LIT("; path=/;\r\n"))))
		return -ENOSPC;
	if (put(out, outsz, &pos, LIT("\r\n")))
		return -ENOSPC;
	return (long)pos;
}

long http_auth_reply_build(char *out, size_t outsz, const struct proxy *px, int status,
                           const char *realm, size_t rlen)
{
	size_t len, pos = 0, hl;
	const char *page = http_err_get(px, status, HTTP_ERR_STREAM, &len);
	const char *eoh = page ? memmem(page, len, "\r\n\r\n", 4) : NULL;

	if (!eoh)
		return -EINVAL;
	hl = (size_t)(eoh - page) + 2;          /* up to the last header's CRLF */
	if (put(out, outsz, &pos, page, hl) ||
	    put(out, outsz, &pos, status == 407 ? "proxy-authenticate" : "www-authenticate",
	        status == 407 ? 18 : 16) ||
	    put(out, outsz, &pos, LIT(": Basic realm=\"")) || put(out, outsz, &pos, realm, rlen) ||
	    put(out, outsz, &pos, LIT("\"\r\n")) || put(out, outsz, &pos, page + hl, len - hl))
		return -ENOSPC;
	return (long)pos;
}

void http_err_free_all(void)
{
	while (errfiles) {
		struct errfile *e = errfiles;

		errfiles = e->next;
		free(e->data);
		free(e->path);
		free(e);
	}
}
