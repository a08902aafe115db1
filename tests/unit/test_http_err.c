/* test_http_err.c: the error pages against HAProxy 2.6's bytes, captured
 * with socat from /usr/sbin/haproxy in the situation that produces each
 * (garbage request, idle client with "timeout http-request", "http-request
 * deny", a server answering garbage, a backend without server, a server
 * slower than "timeout server"), and errorfile loading: accepted files
 * served as HAProxy re-serialises them, and its configuration errors. */
#include <stdlib.h>
#include <unistd.h>

#include "tests/unit/unit.h"
#include <errno.h>

#include "engine/http.h"
#include "engine/http_err.h"
#include "engine/proxy.h"

static const char cap_mux_400[] =
	"HTTP/1.1 400 Bad request\r\n"
	"Content-length: 90\r\n"
	"Cache-Control: no-cache\r\n"
	"Connection: close\r\n"
	"Content-Type: text/html\r\n"
	"\r\n"
	"<html><body><h1>400 Bad request</h1>\n"
	"Your browser sent an invalid request.\n"
	"</body></html>\n";

static const char cap_mux_408[] =
	"HTTP/1.1 408 Request Time-out\r\n"
	"Content-length: 110\r\n"
	"Cache-Control: no-cache\r\n"
	"Connection: close\r\n"
	"Content-Type: text/html\r\n"
	"\r\n"
	"<html><body><h1>408 Request Time-out</h1>\n"
	"Your browser didn't send a complete request in time.\n"
	"</body></html>\n";

static const char cap_deny_403[] =
	"HTTP/1.1 403 Forbidden\r\n"
	"content-length: 93\r\n"
	"cache-control: no-cache\r\n"
	"content-type: text/html\r\n"
	"\r\n"
	"<html><body><h1>403 Forbidden</h1>\n"
	"Request forbidden by administrative rules.\n"
	"</body></html>\n";

static const char cap_badsrv_502[] =
	"HTTP/1.1 502 Bad Gateway\r\n"
	"content-length: 107\r\n"
	"cache-control: no-cache\r\n"
	"content-type: text/html\r\n"
	"\r\n"
	"<html><body><h1>502 Bad Gateway</h1>\n"
	"The server returned an invalid or incomplete response.\n"
	"</body></html>\n";

static const char cap_nosrv_503[] =
	"HTTP/1.1 503 Service Unavailable\r\n"
	"content-length: 107\r\n"
	"cache-control: no-cache\r\n"
	"content-type: text/html\r\n"
	"\r\n"
	"<html><body><h1>503 Service Unavailable</h1>\n"
	"No server is available to handle this request.\n"
	"</body></html>\n";

static const char cap_slow_504[] =
	"HTTP/1.1 504 Gateway Time-out\r\n"
	"content-length: 92\r\n"
	"cache-control: no-cache\r\n"
	"content-type: text/html\r\n"
	"\r\n"
	"<html><body><h1>504 Gateway Time-out</h1>\n"
	"The server didn't respond in time.\n"
	"</body></html>\n";

static void expect_page(int status, enum http_err_shape shape, const char *want)
{
	size_t len;
	const char *p = http_err_builtin(status, shape, &len);

	EXPECT(p != NULL);
	if (!p)
		return;
	EXPECT_INT(len, strlen(want));
	EXPECT(len == strlen(want) && !memcmp(p, want, len));
}

static void t_captured(void)
{
	expect_page(400, HTTP_ERR_MUX, cap_mux_400);
	expect_page(408, HTTP_ERR_MUX, cap_mux_408);
	expect_page(403, HTTP_ERR_STREAM, cap_deny_403);
	expect_page(502, HTTP_ERR_STREAM, cap_badsrv_502);
	expect_page(503, HTTP_ERR_STREAM, cap_nosrv_503);
	expect_page(504, HTTP_ERR_STREAM, cap_slow_504);
	/* 422 exists in both shapes: the parser's own (a bad Transfer-Encoding)
	 * and "deny_status 422", captured separately */
	{
		size_t l1, l2;
		const char *a = http_err_builtin(422, HTTP_ERR_MUX, &l1), *b = http_err_builtin(422, HTTP_ERR_STREAM, &l2);

		EXPECT(a && b && !strncmp(a, "HTTP/1.1 422 Unprocessable Content\r\nContent-length: 116\r\n", 55));
		EXPECT(b && !strncmp(b, "HTTP/1.1 422 Unprocessable Content\r\ncontent-length: 116\r\n", 55));
	}
	/* a code without a parser-side page falls back to the stream shape */
	expect_page(403, HTTP_ERR_MUX, cap_deny_403);
}

/* Every built-in page: the status line names its code, content-length
 * counts the body exactly, and only 400/408 close the connection. */
static void t_all_pages(void)
{
	static const int codes[] = { 200, 400, 401, 403, 404, 405, 407, 408, 410, 413, 421, 422, 425, 429,
	                             500, 501, 502, 503, 504 };
	size_t len;

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		const char *p = http_err_builtin(codes[i], HTTP_ERR_STREAM, &len);
		char line[32];
		const char *body, *cl;

		EXPECT(p != NULL);
		if (!p)
			continue;
		EXPECT(http_err_known(codes[i]));
		snprintf(line, sizeof(line), "HTTP/1.1 %d ", codes[i]);
		EXPECT(!strncmp(p, line, strlen(line)));
		body = strstr(p, "\r\n\r\n");
		cl = strstr(p, "content-length: ");
		EXPECT(body && cl);
		if (body && cl)
			EXPECT_INT(atoi(cl + 16), (long long)(len - (size_t)(body + 4 - p)));
		EXPECT_INT(strstr(p, "connection: close") != NULL, codes[i] == 400 || codes[i] == 408);
	}
	EXPECT(http_err_builtin(418, HTTP_ERR_STREAM, &len) == NULL);
	EXPECT(!http_err_known(418));
}

static const char *write_tmp(const char *name, const char *text)
{
	static char path[8][256];
	static int k;
	char *p = path[k++ & 7];
	FILE *f;

	snprintf(p, 256, "/tmp/test_http_err.%d.%s", (int)getpid(), name);
	f = fopen(p, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
	return p;
}

/* Files served as HAProxy 2.6 served them ("errorfile 403 <f>" + deny). */
static void t_errorfile(void)
{
	static struct proxy px;
	char err[512];
	size_t len;
	const char *p;
	const char *f403 = write_tmp("403", "HTTP/1.1 403 Nope\r\nContent-Type: text/plain\r\nConnection: close\r\n"
	                                    "X-Foo: Bar\r\nContent-Length: 5\r\n\r\nnope\n");
	const char *fnocl = write_tmp("nocl", "HTTP/1.0 403 NoCL\r\nX-Foo: Bar\r\n\r\nbody here\n");
	const char *fempty = write_tmp("empty", "");

	EXPECT_INT(http_err_load(f403, 403, err, sizeof(err)), 0);
	EXPECT_INT(http_err_load(fnocl, 403, err, sizeof(err)), 0);
	EXPECT_INT(http_err_load(fempty, 503, err, sizeof(err)), 0);
	px.errorfile_codes[0] = 403;
	px.errorfiles[0] = (char *)f403;
	px.errorfile_codes[1] = 503;
	px.errorfiles[1] = (char *)fempty;
	p = http_err_get(&px, 403, HTTP_ERR_STREAM, &len);
	EXPECT(p && len == strlen(p));
	EXPECT_STR(p, "HTTP/1.1 403 Nope\r\ncontent-type: text/plain\r\nx-foo: Bar\r\ncontent-length: 5\r\n"
	              "connection: close\r\n\r\nnope\n");
	/* the parser's own 400 ignores errorfiles, as HAProxy */
	p = http_err_get(&px, 400, HTTP_ERR_MUX, &len);
	EXPECT(p && len == strlen(cap_mux_400) && !memcmp(p, cap_mux_400, len));
	/* an empty file sends nothing */
	p = http_err_get(&px, 503, HTTP_ERR_STREAM, &len);
	EXPECT(p != NULL);
	EXPECT_INT(len, 0);
	/* no errorfile for 502: the built-in page */
	p = http_err_get(&px, 502, HTTP_ERR_STREAM, &len);
	EXPECT(p && len == strlen(cap_badsrv_502) && !memcmp(p, cap_badsrv_502, len));
	px.errorfiles[0] = (char *)fnocl;
	p = http_err_get(&px, 403, HTTP_ERR_STREAM, &len);
	EXPECT_STR(p, "HTTP/1.0 403 NoCL\r\nx-foo: Bar\r\n\r\nbody here\n");
	unlink(f403);
	unlink(fnocl);
	unlink(fempty);
	http_err_free_all();
}

/* HAProxy's messages for files it refuses. */
static void t_errorfile_errors(void)
{
	char err[512], want[512];
	const char *bad = write_tmp("bad", "garbage file\n");
	const char *first = bad;

	EXPECT_INT(http_err_load(bad, 403, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "errorfile : '%s': unable to parse headers (error offset: 0)", bad);
	EXPECT_STR(err, want);
	/* the offending byte's offset, -2 for headers without their end, as HAProxy */
	bad = write_tmp("bad3", "HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n");
	EXPECT_INT(http_err_load(bad, 403, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "errorfile : '%s': unable to parse headers (error offset: 20)", bad);
	EXPECT_STR(err, want);
	unlink(bad);
	bad = write_tmp("bad4", "HTTP/1.1 200 OK\r\nX: y\r\n");
	EXPECT_INT(http_err_load(bad, 403, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "errorfile : '%s': unable to parse headers (error offset: -2)", bad);
	EXPECT_STR(err, want);
	unlink(bad);
	EXPECT_INT(http_err_load("/nonexistent/x.http", 403, err, sizeof(err)), -1);
	EXPECT_STR(err, "errorfile : error opening file '/nonexistent/x.http'.");
	unlink(first);
	http_err_free_all();
}

/* Loading a configuration's errorfiles: one ALERT line per bad file, in
 * HAProxy's layout, with the proxy's file and line. */
static void t_load_config(void)
{
	static struct config cfg;
	static struct proxy a, b;
	char out[1024] = "", want[1024];
	const char *good = write_tmp("good", "HTTP/1.1 503 Down\r\nContent-Length: 0\r\n\r\n");
	const char *bad = write_tmp("bad2", "not http\n");
	int fds[2], saved;
	ssize_t n;

	a.name = "fe";
	a.file = "h.cfg";
	a.line = 7;
	a.errorfile_codes[0] = 503;
	a.errorfiles[0] = (char *)good;
	a.next = &b;
	b.name = "be";
	b.file = "h.cfg";
	b.line = 12;
	b.errorfile_codes[0] = 403;
	b.errorfiles[0] = (char *)bad;
	cfg.proxies = &a;
	if (pipe(fds) < 0) {
		SKIP("pipe() failed");
		return;
	}
	fflush(stderr);
	saved = dup(2);
	dup2(fds[1], 2);
	EXPECT_INT(http_err_load_config(&cfg), 1);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	close(fds[1]);
	n = read(fds[0], out, sizeof(out) - 1);
	close(fds[0]);
	out[n > 0 ? n : 0] = 0;
	snprintf(want, sizeof(want), "[ALERT]    (%d) : config : parsing [h.cfg:12] : errorfile : '%s': "
	         "unable to parse headers (error offset: 0)\n", (int)getpid(), bad);
	EXPECT_STR(out, want);
	{
		size_t len;
		const char *p = http_err_get(&a, 503, HTTP_ERR_STREAM, &len);

		EXPECT_STR(p, "HTTP/1.1 503 Down\r\ncontent-length: 0\r\n\r\n");
	}
	unlink(good);
	unlink(bad);
	http_err_free_all();
}

/* "http-request return" and "redirect" as HAProxy 2.6 answered them. */
static void t_reply_build(void)
{
	static const struct http_reply_hdr xa = { "X-A", "b", 3, 1 };
	char out[512];
	long n;

	n = http_reply_build(out, sizeof(out), 200, NULL, NULL, 0, "text/plain", "hello", 5);
	EXPECT(n > 0 && (size_t)n == strlen("HTTP/1.1 200 OK\r\ncontent-length: 5\r\ncontent-type: text/plain\r\n\r\nhello"));
	out[n > 0 ? n : 0] = 0;
	EXPECT_STR(out, "HTTP/1.1 200 OK\r\ncontent-length: 5\r\ncontent-type: text/plain\r\n\r\nhello");
	n = http_reply_build(out, sizeof(out), 404, NULL, NULL, 0, NULL, NULL, 0);
	out[n > 0 ? n : 0] = 0;
	EXPECT_STR(out, "HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n");
	n = http_reply_build(out, sizeof(out), 200, NULL, &xa, 1, "text/plain", "hi", 2);
	out[n > 0 ? n : 0] = 0;
	EXPECT_STR(out, "HTTP/1.1 200 OK\r\nx-a: b\r\ncontent-length: 2\r\ncontent-type: text/plain\r\n\r\nhi");
	n = http_reply_build(out, sizeof(out), 204, NULL, NULL, 0, NULL, NULL, 0);
	out[n > 0 ? n : 0] = 0;
	EXPECT_STR(out, "HTTP/1.1 204 No Content\r\n\r\n");
	n = http_reply_build(out, sizeof(out), 304, NULL, NULL, 0, NULL, NULL, 0);
	out[n > 0 ? n : 0] = 0;
	EXPECT_STR(out, "HTTP/1.1 304 Not Modified\r\ncontent-length: 0\r\n\r\n");
	n = http_reply_build(out, sizeof(out), 500, NULL, NULL, 0, "text/html", "<b>x</b>", 8);
	out[n > 0 ? n : 0] = 0;
	EXPECT_STR(out, "HTTP/1.1 500 Internal Server Error\r\ncontent-length: 8\r\ncontent-type: text/html\r\n\r\n<b>x</b>");
	EXPECT_INT(http_reply_build(out, 20, 200, NULL, NULL, 0, NULL, NULL, 0), -ENOSPC);

	n = http_redirect_build(out, sizeof(out), 302, "/new", 4, NULL, 0);
	out[n > 0 ? n : 0] = 0;
	EXPECT_STR(out, "HTTP/1.1 302 Found\r\ncontent-length: 0\r\nlocation: /new\r\ncache-control: no-cache\r\n\r\n");
	n = http_redirect_build(out, sizeof(out), 301, "http://x.com/y", 14, NULL, 0);
	out[n > 0 ? n : 0] = 0;
	EXPECT_STR(out, "HTTP/1.1 301 Moved Permanently\r\ncontent-length: 0\r\nlocation: http://x.com/y\r\n\r\n");
	n = http_redirect_build(out, sizeof(out), 308, "/a", 2, NULL, 0);
	out[n > 0 ? n : 0] = 0;
	EXPECT_STR(out, "HTTP/1.1 308 Permanent Redirect\r\ncontent-length: 0\r\nlocation: /a\r\n\r\n");
	n = http_redirect_build(out, sizeof(out), 307, "/a", 2, NULL, 0);
	out[n > 0 ? n : 0] = 0;
	EXPECT_STR(out, "HTTP/1.1 307 Temporary Redirect\r\ncontent-length: 0\r\nlocation: /a\r\ncache-control: no-cache\r\n\r\n");
	n = http_redirect_build(out, sizeof(out), 302, "/a", 2, "X=1", 3);
	out[n > 0 ? n : 0] = 0;
	EXPECT_STR(out, "HTTP/1.1 302 Found\r\ncontent-length: 0\r\nlocation: /a\r\ncache-control: no-cache\r\n"
	                "set-cookie: X=1; path=/;\r\n\r\n");
	EXPECT_INT(http_redirect_build(out, sizeof(out), 200, "/a", 2, NULL, 0), -EINVAL);
}

/* "http-request auth realm MyRealm" as HAProxy 2.6 answered it. */
static void t_auth_reply(void)
{
	char out[512];
	long n = http_auth_reply_build(out, sizeof(out), NULL, 401, "MyRealm", 7);

	out[n > 0 ? n : 0] = 0;
	EXPECT_STR(out, "HTTP/1.1 401 Unauthorized\r\ncontent-length: 112\r\ncache-control: no-cache\r\n"
	                "content-type: text/html\r\nwww-authenticate: Basic realm=\"MyRealm\"\r\n\r\n"
	                "<html><body><h1>401 Unauthorized</h1>\n"
	                "You need a valid user and password to access this content.\n</body></html>\n");
	n = http_auth_reply_build(out, sizeof(out), NULL, 407, "P R", 3);
	out[n > 0 ? n : 0] = 0;
	EXPECT(n > 0 && strstr(out, "\r\nproxy-authenticate: Basic realm=\"P R\"\r\n\r\n<html>"));
	EXPECT_INT(http_auth_reply_build(out, 100, NULL, 401, "x", 1), -ENOSPC);
	EXPECT_INT(http_auth_reply_build(out, sizeof(out), NULL, 418, "x", 1), -EINVAL);
}

/* The reason phrases HAProxy 2.6 sends with "return status N". */
static void t_reasons(void)
{
	static const struct { int code; const char *reason; } r[] = {
		{ 208, "Success" }, { 302, "Moved Temporarily" }, { 408, "Request Time-out" },
		{ 413, "Request Entity Too Large" }, { 416, "Requested range unsatisfiable" },
		{ 424, "Method failure" }, { 450, "Blocked by Windows Parental Controls" },
		{ 499, "client has closed connection" }, { 502, "Bad Gateway or Proxy Error" },
		{ 504, "Gateway Time-out" }, { 506, "Variant also negotiate" }, { 509, "Bandwidth Limit Exceeded" },
		{ 250, "Success" }, { 350, "Redirection" }, { 460, "Client Error" }, { 598, "Server Error" },
		{ 599, "Server Error" }, { 299, "Success" },
	};

	for (size_t i = 0; i < sizeof(r) / sizeof(r[0]); i++)
		EXPECT_STR(http_status_reason(r[i].code), r[i].reason);
}

int main(void)
{
	RUN(t_captured);
	RUN(t_all_pages);
	RUN(t_errorfile);
	RUN(t_errorfile_errors);
	RUN(t_load_config);
	RUN(t_reply_build);
	RUN(t_auth_reply);
	RUN(t_reasons);
	return unit_end();
}
