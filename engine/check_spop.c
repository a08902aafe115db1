/* check_spop.c: "option spop-check": the HAPROXY-HELLO frame of the SPOP
 * protocol (version 2.0, our frame size, no capabilities, "healthcheck"
 * true) and the judgement of the agent's AGENT-HELLO (or AGENT-DISCONNECT)
 * answer, with HAProxy 2.6's reasons ("unsupported version"...). Written
 * from the SPOP specification; frames are: 4-byte length, type, 4-byte
 * flags, stream-id and frame-id varints, then key/value items. */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "proto/varint.h"
#include "engine/check.h"
#include "engine/check_int.h"

enum { SPOP_HAPROXY_HELLO = 1, SPOP_AGENT_HELLO = 101, SPOP_AGENT_DISCON = 102 };
enum { SPOP_T_BOOL = 1, SPOP_T_INT32, SPOP_T_UINT32, SPOP_T_INT64, SPOP_T_UINT64, SPOP_T_IPV4,
       SPOP_T_IPV6, SPOP_T_STR, SPOP_T_BIN };
#define SPOP_FL_FIN       1u
#define SPOP_MAX_FRAME    16380     /* HAProxy's: tune.bufsize - 4 */
#define SPOP_MIN_FRAME    256

/* The reasons of SPOP status codes, HAProxy's words. */
static const char *const spop_reasons[] = {
	"normal", "I/O error", "a timeout occurred", "frame is too big", "invalid frame received",
	"version value not found", "max-frame-size value not found", "capabilities value not found",
	"unsupported version", "max-frame-size too big or too small", "fragmentation not supported",
	"invalid interlaced frames", "frame-id not found", "resource allocation error",
	"an unknown error occurred",
};
enum { SPOP_ERR_INVALID = 4, SPOP_ERR_NO_VSN = 5, SPOP_ERR_NO_FRAME_SIZE = 6, SPOP_ERR_BAD_VSN = 8,
       SPOP_ERR_BAD_FRAME_SIZE = 9, SPOP_ERR_FRAG = 10, SPOP_ERR_UNKNOWN = 14 };

/* Reads a length-prefixed string. Returns 0 with <s>/<n>, or -1. */
static int spop_get_str(const unsigned char **p, const unsigned char *end, const char **s, uint64_t *n)
{
	if (varint_get(p, end, n) < 0 || *n > (uint64_t)(end - *p))
		return -1;
	*s = (const char *)*p;
	*p += *n;
	return 0;
}

/* Writes a length-prefixed string. Returns the bytes written. */
static size_t spop_put_str(unsigned char *p, const char *s)
{
	size_t l = strlen(s), n = varint_put(p, l);

	memcpy(p + n, s, l);
	return n + l;
}

size_t check_spop_hello(unsigned char *b)
{
	size_t n = 4;
	uint32_t len;

	b[n++] = SPOP_HAPROXY_HELLO;
	b[n++] = 0; b[n++] = 0; b[n++] = 0; b[n++] = SPOP_FL_FIN;
	b[n++] = 0;                         /* stream-id */
	b[n++] = 0;                         /* frame-id */
	n += spop_put_str(b + n, "supported-versions");
	b[n++] = SPOP_T_STR;
	n += spop_put_str(b + n, "2.0");
	n += spop_put_str(b + n, "max-frame-size");
	b[n++] = SPOP_T_UINT32;
	n += varint_put(b + n, SPOP_MAX_FRAME);
	n += spop_put_str(b + n, "capabilities");
	b[n++] = SPOP_T_STR;
	n += spop_put_str(b + n, "");
	n += spop_put_str(b + n, "healthcheck");
	b[n++] = SPOP_T_BOOL | 0x10;        /* true */
	len = (uint32_t)(n - 4);
	b[0] = (unsigned char)(len >> 24);
	b[1] = (unsigned char)(len >> 16);
	b[2] = (unsigned char)(len >> 8);
	b[3] = (unsigned char)len;
	return n;
}

/* Skips a typed value at *<p>. Returns 0 or -1. */
static int spop_skip(const unsigned char **p, const unsigned char *end)
{
	uint64_t v;
	const char *s;

	if (*p >= end)
		return -1;
	switch (*(*p)++ & 0x0f) {
	case SPOP_T_INT32: case SPOP_T_UINT32: case SPOP_T_INT64: case SPOP_T_UINT64:
		return varint_get(p, end, &v);
	case SPOP_T_IPV4:
		if (end - *p < 4)
			return -1;
		*p += 4;
		return 0;
	case SPOP_T_IPV6:
		if (end - *p < 16)
			return -1;
		*p += 16;
		return 0;
	case SPOP_T_STR: case SPOP_T_BIN:
		return spop_get_str(p, end, &s, &v);
	default:
		return 0;           /* NULL, BOOL: no data */
	}
}

/* Returns the SPOP status code the AGENT-HELLO or AGENT-DISCONNECT frame
 * <f>/<n> means: 0 for a good hello, else a code of spop_reasons. */
static int spop_judge(const unsigned char *f, size_t n)
{
	const unsigned char *p = f, *end = f + n;
	int discon, vsn = 0, mfs = 0, code = SPOP_ERR_UNKNOWN;
	uint32_t flags;

	if (!n || (*p != SPOP_AGENT_HELLO && *p != SPOP_AGENT_DISCON))
		return SPOP_ERR_INVALID;
	discon = *p++ == SPOP_AGENT_DISCON;
	if (n < 7)
		return SPOP_ERR_INVALID;
	flags = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	p += 4;
	if (!(flags & SPOP_FL_FIN))
		return SPOP_ERR_FRAG;
	if (p[0] || p[1])               /* stream-id and frame-id are 0 */
		return SPOP_ERR_INVALID;
	p += 2;
	while (p < end) {
		const char *k, *s;
		uint64_t kl, sl, v;

		if (spop_get_str(&p, end, &k, &kl) < 0 || !kl)
			return SPOP_ERR_INVALID;
		if (discon && kl == 11 && !memcmp(k, "status-code", 11)) {
			int t = p < end ? *p++ & 0x0f : 0;

			if ((t != SPOP_T_INT32 && t != SPOP_T_UINT32 && t != SPOP_T_INT64 && t != SPOP_T_UINT64) ||
			    varint_get(&p, end, &v) < 0)
				return SPOP_ERR_INVALID;
			code = v < sizeof(spop_reasons) / sizeof(spop_reasons[0]) ? (int)v : SPOP_ERR_UNKNOWN;
		} else if (!discon && kl == 7 && !memcmp(k, "version", 7)) {
			int major = 0, minor = 0, i = 0;

			if (p >= end || (*p++ & 0x0f) != SPOP_T_STR || spop_get_str(&p, end, &s, &sl) < 0)
				return SPOP_ERR_INVALID;
			/* "<major>.<minor>": only 2.0 is spoken */
			while ((uint64_t)i < sl && isspace((unsigned char)s[i]))
				i++;
			if ((uint64_t)i >= sl || !isdigit((unsigned char)s[i]))
				return SPOP_ERR_BAD_VSN;
			while ((uint64_t)i < sl && isdigit((unsigned char)s[i]))
				major = major * 10 + (s[i++] - '0');
			if ((uint64_t)i >= sl || s[i++] != '.' || (uint64_t)i >= sl || !isdigit((unsigned char)s[i]))
				return SPOP_ERR_BAD_VSN;
			while ((uint64_t)i < sl && isdigit((unsigned char)s[i]))
				minor = minor * 10 + (s[i++] - '0');
			if (major * 1000 + minor != 2000)
				return SPOP_ERR_BAD_VSN;
			vsn = 1;
		} else if (!discon && kl == 14 && !memcmp(k, "max-frame-size", 14)) {
			int t = p < end ? *p++ & 0x0f : 0;

			if ((t != SPOP_T_INT32 && t != SPOP_T_UINT32 && t != SPOP_T_INT64 && t != SPOP_T_UINT64) ||
			    varint_get(&p, end, &v) < 0)
				return SPOP_ERR_INVALID;
			if (v < SPOP_MIN_FRAME || v > SPOP_MAX_FRAME)
				return SPOP_ERR_BAD_FRAME_SIZE;
			mfs = 1;
		} else if (!discon && kl == 12 && !memcmp(k, "capabilities", 12)) {
			if (p >= end || (*p++ & 0x0f) != SPOP_T_STR || spop_get_str(&p, end, &s, &sl) < 0)
				return SPOP_ERR_INVALID;
		} else if (spop_skip(&p, end) < 0)
			return SPOP_ERR_INVALID;
	}
	if (discon)
		return code ? code : SPOP_ERR_UNKNOWN;
	if (!vsn)
		return SPOP_ERR_NO_VSN;
	if (!mfs)
		return SPOP_ERR_NO_FRAME_SIZE;
	return 0;
}

enum tc_eval check_spop_reply(const char *buf, size_t len, int last, enum check_result *res,
                              char *info, size_t sz)
{
	const unsigned char *b = (const unsigned char *)buf;
	uint32_t fl;
	int code;

	if (len < 4) {
		if (!last)
			return TC_EVAL_WAIT;
		*res = CHECK_L7_RSP;
		snprintf(info, sz, "%s", spop_reasons[SPOP_ERR_INVALID]);
		return TC_EVAL_FAIL;
	}
	fl = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
	if (!last && len - 4 < fl)
		return TC_EVAL_WAIT;
	if (fl > len - 4)
		fl = (uint32_t)(len - 4);
	code = spop_judge(b + 4, fl);
	if (code) {
		*res = CHECK_L7_RSP;
		snprintf(info, sz, "%s", spop_reasons[code]);
		return TC_EVAL_FAIL;
	}
	*res = CHECK_L7_OK;
	snprintf(info, sz, "SPOA server is ok");
	return TC_EVAL_DONE;
}
