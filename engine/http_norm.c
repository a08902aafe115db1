/* http_norm.c: URI normalizers (http_norm.h). A path is handled as the
 * list of its '/'-separated segments, rebuilt in <out> with a stack of
 * segment starts (no allocation: at most NORM_SEGS segments). */
#include <string.h>
#include "engine/http_norm.h"

#define NORM_SEGS 256

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int http_norm_merge_slashes(const char *in, size_t len, char *out, size_t max)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		if (in[i] == '/' && o && out[o - 1] == '/')
			continue;
		if (o >= max)
			return HTTP_NORM_ROOM;
		out[o++] = in[i];
	}
	return (int)o;
}

/* Rebuilds path <in> segment by segment: <dot> drops "." segments,
 * <dotdot> makes ".." remove the previous segment (or, with nothing
 * before it, stay unless <full>). A dropped segment at the end leaves
 * the path ending with '/'. */
static int norm_segments(const char *in, size_t len, int dot, int dotdot, int full, char *out,
                         size_t max)
{
	size_t starts[NORM_SEGS];   /* where each kept segment starts in <out> (after its '/') */
	int kept[NORM_SEGS];        /* 1: a ".." kept literally (never removed by another) */
	int n = 0;
	size_t o = 0, i = 0;

	if (!len || in[0] != '/') {
		/* "*" or not a path: unchanged */
		if (len > max)
			return HTTP_NORM_ROOM;
		memcpy(out, in, len);
		return (int)len;
	}
	while (i < len) {
		size_t b = ++i, e;          /* skip the '/' */
		int last;

		while (i < len && in[i] != '/')
			i++;
		e = i;
		last = i >= len;
		if (dot && e - b == 1 && in[b] == '.') {
			if (last) {
				if (o >= max)
					return HTTP_NORM_ROOM;
				out[o++] = '/';
			}
			continue;
		}
		if (dotdot && e - b == 2 && in[b] == '.' && in[b + 1] == '.') {
			if (n && !kept[n - 1]) {
				o = starts[--n] - 1;    /* back to before that segment's '/' */
			} else if (!full) {
				goto copy;              /* nothing to remove: stays */
			}
			if (last) {
				if (o >= max)
					return HTTP_NORM_ROOM;
				out[o++] = '/';
			}
			continue;
		}
	copy:
		if (n >= NORM_SEGS || o + 1 + (e - b) > max)
			return HTTP_NORM_ROOM;
		out[o++] = '/';
		starts[n] = o;
		kept[n] = dotdot && e - b == 2 && in[b] == '.' && in[b + 1] == '.';
		n++;
		memcpy(out + o, in + b, e - b);
		o += e - b;
	}
	if (!o) {
		if (!max)
			return HTTP_NORM_ROOM;
		out[o++] = '/';
	}
	return (int)o;
}

int http_norm_strip_dot(const char *in, size_t len, char *out, size_t max)
{
	return norm_segments(in, len, 1, 0, 0, out, max);
}

int http_norm_strip_dotdot(const char *in, size_t len, int full, char *out, size_t max)
{
	return norm_segments(in, len, 0, 1, full, out, max);
}

int http_norm_pct_upper(const char *in, size_t len, int strict, char *out, size_t max)
{
	size_t o = 0;

	if (len > max)
		return HTTP_NORM_ROOM;
	for (size_t i = 0; i < len; i++) {
		if (in[i] != '%') {
			out[o++] = in[i];
			continue;
		}
		if (i + 2 < len && hexval(in[i + 1]) >= 0 && hexval(in[i + 2]) >= 0) {
			out[o++] = '%';
			for (int k = 1; k <= 2; k++) {
				char c = in[i + k];

				out[o++] = (c >= 'a' && c <= 'f') ? (char)(c - 'a' + 'A') : c;
			}
			i += 2;
			continue;
		}
		if (strict)
			return HTTP_NORM_BAD;
		out[o++] = '%';
	}
	return (int)o;
}

static int unreserved(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_' || c == '~';
}

int http_norm_pct_unreserved(const char *in, size_t len, int strict, char *out, size_t max)
{
	size_t o = 0;

	if (len > max)
		return HTTP_NORM_ROOM;
	for (size_t i = 0; i < len; i++) {
		int h, l;

		if (in[i] != '%') {
			out[o++] = in[i];
			continue;
		}
		if (i + 2 >= len || (h = hexval(in[i + 1])) < 0 || (l = hexval(in[i + 2])) < 0) {
			if (strict)
				return HTTP_NORM_BAD;
			out[o++] = in[i];
			continue;
		}
		if (unreserved(h * 16 + l)) {
			out[o++] = (char)(h * 16 + l);
		} else {
			memcpy(out + o, in + i, 3);
			o += 3;
		}
		i += 2;
	}
	return (int)o;
}

/* The name of query parameter <p>[<n>]: up to its '='. */
static size_t qname_len(const char *p, size_t n)
{
	const char *eq = memchr(p, '=', n);

	return eq ? (size_t)(eq - p) : n;
}

int http_norm_sort_query(const char *in, size_t len, char *out, size_t max)
{
	struct { const char *p; size_t n; } prm[NORM_SEGS];
	int np = 0;
	size_t o = 0, i = 0;

	if (len > max)
		return HTTP_NORM_ROOM;
	if (!len)
		return 0;
	while (i <= len) {
		size_t b = i;

		while (i < len && in[i] != '&')
			i++;
		if (np >= NORM_SEGS)
			return HTTP_NORM_ROOM;
		prm[np].p = in + b;
		prm[np].n = i - b;
		np++;
		i++;
	}
	/* insertion sort: stable, and the lists are short */
	for (int a = 1; a < np; a++) {
		typeof(prm[0]) cur = prm[a];
		size_t cl = qname_len(cur.p, cur.n);
		int b = a - 1;

		for (; b >= 0; b--) {
			size_t bl = qname_len(prm[b].p, prm[b].n);
			int c = memcmp(prm[b].p, cur.p, bl < cl ? bl : cl);

			if (c < 0 || (c == 0 && bl <= cl))
				break;
			prm[b + 1] = prm[b];
		}
		prm[b + 1] = cur;
	}
	for (int a = 0; a < np; a++) {
		if (a)
			out[o++] = '&';
		memcpy(out + o, prm[a].p, prm[a].n);
		o += prm[a].n;
	}
	return (int)o;
}

int http_norm_fragment(const char *in, size_t len, int encode, char *out, size_t max)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		if (in[i] == '#') {
			if (!encode)
				break;
			if (o + 3 > max)
				return HTTP_NORM_ROOM;
			memcpy(out + o, "%23", 3);
			o += 3;
			continue;
		}
		if (o >= max)
			return HTTP_NORM_ROOM;
		out[o++] = in[i];
	}
	return (int)o;
}
