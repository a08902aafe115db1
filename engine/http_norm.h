/* http_norm.h: the URI normalizers of "http-request normalize-uri", as
 * HAProxy 2.6 defines them. Pure string functions, no I/O, no allocation:
 * each writes the normalized form of <in>[<len>] into <out> (at most <max>
 * bytes) and returns its length, HTTP_NORM_ROOM when <out> is too small or
 * the input has too many segments, or HTTP_NORM_BAD for an invalid
 * percent-encoding in strict mode (the request gets a 400). */
#ifndef RP_HTTP_NORM_H
#define RP_HTTP_NORM_H

#include <stddef.h>

#define HTTP_NORM_ROOM  (-1)
#define HTTP_NORM_BAD   (-2)

/* On a path: "//" -> "/". */
int http_norm_merge_slashes(const char *in, size_t len, char *out, size_t max);
/* On a path: drops "." segments ("/a/./b" -> "/a/b", "/a/." -> "/a/"). */
int http_norm_strip_dot(const char *in, size_t len, char *out, size_t max);
/* On a path: a ".." segment removes the one before it ("/a/b/../c" ->
 * "/a/c"); one with nothing before it stays, or goes with <full>. */
int http_norm_strip_dotdot(const char *in, size_t len, int full, char *out, size_t max);
/* On a URI: "%aa" -> "%AA"; with <strict>, a '%' not followed by two hex
 * digits is HTTP_NORM_BAD (else kept as is). */
int http_norm_pct_upper(const char *in, size_t len, int strict, char *out, size_t max);
/* On a URI: "%61" -> "a" for the unreserved characters (ALPHA DIGIT - . _ ~). */
int http_norm_pct_unreserved(const char *in, size_t len, int strict, char *out, size_t max);
/* On a query string (after the '?'): its '&'-separated parameters sorted
 * by name, a stable sort (same names keep their order). */
int http_norm_sort_query(const char *in, size_t len, char *out, size_t max);
/* On a URI: the fragment ("#..." to the end) is removed, or with <encode>
 * each '#' becomes "%23". */
int http_norm_fragment(const char *in, size_t len, int encode, char *out, size_t max);

#endif
