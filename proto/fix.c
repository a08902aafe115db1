/* fix.c: FIX message framing and tag lookup (see fix.h). A message is a
 * sequence of "<tag>=<value>\x01" fields: 8=<version> 9=<body length>
 * 35=<type> ... 10=<checksum>, where the checksum is the sum modulo 256 of
 * every byte before the "10=" field, written on three digits. */
#include <string.h>
#include <strings.h>

#include "proto/fix.h"

#define FIX_MIN_SIZE 26           /* shortest possible message */

/* Parses a tag id: decimal digits only, not 0, and when <ver> is known
 * within the range that version defines (user tags 10000-19999 always).
 * Returns the id or 0. */
static unsigned tag_check(const char *s, size_t n, const char *ver)
{
	static const struct { const char *v; unsigned max; } vers[] = {
		{ "FIX.4.0", 140 }, { "FIX.4.1", 211 }, { "FIX.4.2", 446 },
		{ "FIX.4.3", 659 }, { "FIX.4.4", 956 }, { "FIXT.1.1", 1621 },
	};
	unsigned long id = 0;

	if (!n)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		id = id * 10 + (unsigned)(s[i] - '0');
		if (id > 0xffffffffUL)
			return 0;
	}
	if (!id)
		return 0;
	if (!ver || (id >= 10000 && id <= 19999))
		return (unsigned)id;
	for (size_t i = 0; i < sizeof(vers) / sizeof(*vers); i++)
		if (!strcmp(ver, vers[i].v))
			return id <= vers[i].max ? (unsigned)id : 0;
	return 0;
}

/* Returns the known version string equal to <s>/<n>, or NULL. */
static const char *version_of(const char *s, size_t n)
{
	static const char *const known[] = { "FIX.4.0", "FIX.4.1", "FIX.4.2", "FIX.4.3", "FIX.4.4", "FIXT.1.1" };

	for (size_t i = 0; i < sizeof(known) / sizeof(*known); i++)
		if (strlen(known[i]) == n && !memcmp(known[i], s, n))
			return known[i];
	return NULL;
}

/* Splits the field at <p> (before <end>): tag in [p, eq), value in
 * (eq, soh). Returns 1, 0 when the field is not complete (no '=', or no
 * SOH after it), -1 when the tag is empty. A tag holding a SOH (a field
 * without '=') is refused by tag_check(). */
static int next_field(const char *p, const char *end, const char **eq, const char **soh)
{
	const char *e = memchr(p, '=', end - p), *d;

	if (!e)
		return 0;
	d = memchr(e, FIX_DELIM, end - e);
	if (!d)
		return 0;
	if (e == p)
		return -1;
	*eq = e;
	*soh = d;
	return 1;
}

static unsigned small_uint(const char *s, size_t n, int *ok)
{
	unsigned long v = 0;

	*ok = n > 0;
	for (size_t i = 0; i < n && *ok; i++) {
		if (s[i] < '0' || s[i] > '9' || v > 100000000UL)
			*ok = 0;
		else
			v = v * 10 + (unsigned)(s[i] - '0');
	}
	return (unsigned)v;
}

int fix_validate(const char *msg, size_t len)
{
	const char *p = msg, *end = msg + len, *body = NULL, *ver = NULL, *eq, *soh;
	unsigned char sum = 0;
	unsigned bodylen = 0, nfield = 0;

	if (len < FIX_MIN_SIZE)
		return FIX_AGAIN;
	while (p < end) {
		unsigned id;
		int ok, r = next_field(p, end, &eq, &soh);

		if (r <= 0)
			return r < 0 ? FIX_INVALID : FIX_AGAIN;
		id = tag_check(p, eq - p, ver);
		if (!id)
			return FIX_INVALID;
		nfield++;
		if (nfield == 1) {
			if (id != FIX_TAG_BEGIN || !(ver = version_of(eq + 1, soh - eq - 1)))
				return FIX_INVALID;
		} else if (nfield == 2) {
			if (id != FIX_TAG_BODYLEN)
				return FIX_INVALID;
			bodylen = small_uint(eq + 1, soh - eq - 1, &ok);
			if (!ok || !bodylen)
				return FIX_INVALID;
			body = soh + 1;
		} else if (nfield == 3) {
			if (id != FIX_TAG_MSGTYPE)
				return FIX_INVALID;
		} else if (id == FIX_TAG_CHECKSUM) {
			unsigned ck;

			if ((size_t)(p - body) != bodylen || soh - eq - 1 != 3)
				return FIX_INVALID;
			ck = small_uint(eq + 1, 3, &ok);
			return ok && ck == sum ? FIX_VALID : FIX_INVALID;
		}
		for (const char *q = p; q <= soh; q++)
			sum += (unsigned char)*q;
		p = soh + 1;
	}
	return FIX_AGAIN;
}

int fix_tag_value(const char *msg, size_t len, unsigned tag, const char **val, size_t *vlen)
{
	const char *p = msg, *end = msg + len, *eq, *soh;

	while (p < end) {
		unsigned id;
		int r = next_field(p, end, &eq, &soh);

		if (r < 0)
			return 0;
		if (r == 0)
			return FIX_TAG_AGAIN;
		id = tag_check(p, eq - p, NULL);
		if (!id)
			return 0;
		if (id == tag) {
			*val = eq + 1;
			*vlen = soh - eq - 1;
			return 1;
		}
		if (id == FIX_TAG_CHECKSUM)
			return 0;
		p = soh + 1;
	}
	return FIX_TAG_AGAIN;
}

unsigned fix_tag_id(const char *name, size_t len)
{
	static const struct { const char *n; unsigned id; } names[] = {
		{ "MsgType", 35 }, { "CheckSum", 10 }, { "BodyLength", 9 },
		{ "TargetCompID", 56 }, { "BeginString", 8 }, { "SenderCompID", 49 },
	};
	unsigned id = tag_check(name, len, NULL);

	if (id)
		return id;
	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++)
		if (strlen(names[i].n) == len && !strncasecmp(names[i].n, name, len))
			return names[i].id;
	return 0;
}
