/* mqtt.c: MQTT fixed header, CONNECT and CONNACK parsing (see mqtt.h),
 * written from the MQTT 3.1.1 and 5.0 specifications with the checks
 * HAProxy 2.6 applies (allowed properties per packet, duplicates, value
 * ranges, lengths adding up to the remaining length). */
#include <string.h>
#include <strings.h>

#include "proto/mqtt.h"

#define MQTT_V31   3
#define MQTT_V311  4
#define MQTT_V5    5

#define CF_RESERVED  0x01
#define CF_WILL      0x04
#define CF_WILL_QOS  0x18
#define CF_RETAIN    0x20
#define CF_PASSWORD  0x40
#define CF_USERNAME  0x80

/* the flags nibble each packet type must carry */
static const uint8_t type_flags[MQTT_T_TYPES] = {
	[MQTT_T_PUBLISH] = 0x0f, [MQTT_T_PUBREL] = 0x02, [MQTT_T_SUBSCRIBE] = 0x02,
	[MQTT_T_UNSUBSCRIBE] = 0x02,
};

struct mstr { const uint8_t *p; size_t n; };

/* What CONNECT / CONNACK parsing keeps. Properties are indexed by their
 * identifier (all below 0x2b); numbers of absent properties read 0. */
struct mpkt {
	int type, version;
	uint8_t flags, reason;
	uint16_t keepalive;
	struct mstr proto, client_id, will_topic, will_payload, username, password;
	uint32_t num[0x2b];
	struct mstr str[0x2b];
};

/* A cursor over the packet. Every read fails (returns 0) past the end. */
struct cur { const uint8_t *p, *end; };

static int rd1(struct cur *c, uint32_t *v)
{
	if (c->end - c->p < 1)
		return 0;
	*v = *c->p++;
	return 1;
}

static int rd2(struct cur *c, uint32_t *v)
{
	if (c->end - c->p < 2)
		return 0;
	*v = (uint32_t)c->p[0] << 8 | c->p[1];
	c->p += 2;
	return 1;
}

static int rd4(struct cur *c, uint32_t *v)
{
	if (c->end - c->p < 4)
		return 0;
	*v = (uint32_t)c->p[0] << 24 | (uint32_t)c->p[1] << 16 | (uint32_t)c->p[2] << 8 | c->p[3];
	c->p += 4;
	return 1;
}

/* A string or binary data: 2-byte length then bytes. */
static int rdstr(struct cur *c, struct mstr *s)
{
	uint32_t n;

	if (!rd2(c, &n) || (size_t)(c->end - c->p) < n)
		return 0;
	if (s) {
		s->p = c->p;
		s->n = n;
	}
	c->p += n;
	return 1;
}

/* A variable byte integer: at most 4 bytes (a 4th continuation bit is an
 * error); running out of data stops it where it is. Returns 0 on error. */
static int rdvar(struct cur *c, uint32_t *v)
{
	int i, shift = 0;

	*v = 0;
	for (i = 0; i < 4 && c->p < c->end; i++) {
		uint8_t b = *c->p++;

		*v += (uint32_t)(b & 127) << shift;
		shift += 7;
		if (b <= 127)
			break;
	}
	return i < 4;
}

/* Property kinds and rules */
enum { P1 = 1, P2, P4, PS, PPAIR };
#define R_LE1  1       /* 0 or 1 */
#define R_NZ   2       /* not 0 */
#define R_NE   4       /* string not empty */

static const struct { uint8_t kind, rule; } props[0x2b] = {
	[0x01] = { P1, R_LE1 }, [0x02] = { P4, 0 }, [0x03] = { PS, 0 }, [0x08] = { PS, 0 },
	[0x09] = { PS, 0 }, [0x11] = { P4, 0 }, [0x12] = { PS, R_NE }, [0x13] = { P2, 0 },
	[0x15] = { PS, 0 }, [0x16] = { PS, 0 }, [0x17] = { P1, R_LE1 }, [0x18] = { P4, 0 },
	[0x19] = { P1, R_LE1 }, [0x1a] = { PS, 0 }, [0x1c] = { PS, 0 }, [0x1f] = { PS, 0 },
	[0x21] = { P2, R_NZ }, [0x22] = { P2, 0 }, [0x24] = { P1, R_LE1 }, [0x25] = { P1, R_LE1 },
	[0x26] = { PPAIR, 0 }, [0x27] = { P4, R_NZ }, [0x28] = { P1, R_LE1 }, [0x29] = { P1, R_LE1 },
	[0x2a] = { P1, R_LE1 },
};

static const uint8_t connect_props[] = { 0x11, 0x21, 0x27, 0x22, 0x19, 0x17, 0x26, 0x15, 0x16, 0 };
static const uint8_t will_props[] = { 0x18, 0x01, 0x02, 0x03, 0x08, 0x09, 0x26, 0 };
static const uint8_t connack_props[] = { 0x11, 0x21, 0x24, 0x25, 0x27, 0x12, 0x22, 0x1f, 0x28, 0x29,
                                         0x2a, 0x13, 0x1a, 0x1c, 0x26, 0x15, 0x16, 0 };

/* Reads a property list (its length first) allowing the ids in <allowed>.
 * Returns 1 or 0 (malformed, unknown, repeated or out of range). */
static int rdprops(struct cur *c, const uint8_t *allowed, struct mpkt *m)
{
	uint32_t plen;
	uint64_t seen = 0;
	struct cur pc;

	if (!rdvar(c, &plen) || (size_t)(c->end - c->p) < plen)
		return 0;
	pc.p = c->p;
	pc.end = c->p + plen;
	c->p += plen;
	while (pc.p < pc.end) {
		uint8_t id = *pc.p++;
		uint32_t v = 0;
		int ok = 0;

		if (id >= 0x2b || !memchr(allowed, id, strlen((const char *)allowed)))
			return 0;
		/* each property once, except user properties */
		if (id != 0x26 && (seen >> id & 1))
			return 0;
		seen |= 1ull << id;
		switch (props[id].kind) {
		case P1: ok = rd1(&pc, &v); break;
		case P2: ok = rd2(&pc, &v); break;
		case P4: ok = rd4(&pc, &v); break;
		case PS: ok = rdstr(&pc, &m->str[id]); break;
		case PPAIR: ok = rdstr(&pc, NULL) && rdstr(&pc, NULL); break;
		}
		if (!ok)
			return 0;
		if ((props[id].rule & R_LE1) && v > 1)
			return 0;
		if ((props[id].rule & R_NZ) && !v)
			return 0;
		if ((props[id].rule & R_NE) && !m->str[id].n)
			return 0;
		if (props[id].kind != PS && props[id].kind != PPAIR)
			m->num[id] = v;
	}
	return 1;
}

static int parse_connect(struct cur *c, uint32_t remaining, struct mpkt *m)
{
	const uint8_t *start = c->p;
	uint32_t v;

	if (!rdstr(c, &m->proto) ||
	    !((m->proto.n == 4 && !strncasecmp((const char *)m->proto.p, "MQTT", 4)) ||
	      (m->proto.n == 6 && !strncasecmp((const char *)m->proto.p, "MQIsdp", 6))))
		return MQTT_INVALID;
	if (!rd1(c, &v) || (v != MQTT_V31 && v != MQTT_V311 && v != MQTT_V5))
		return MQTT_INVALID;
	m->version = (int)v;
	if (!rd1(c, &v) || (v & CF_RESERVED))
		return MQTT_INVALID;
	m->flags = (uint8_t)v;
	if ((m->flags & (CF_WILL | CF_WILL_QOS | CF_RETAIN)) == CF_WILL_QOS)
		return MQTT_INVALID;
	if (!rd2(c, &v))
		return MQTT_INVALID;
	m->keepalive = (uint16_t)v;
	if (m->version == MQTT_V5 && !rdprops(c, connect_props, m))
		return MQTT_INVALID;
	if (!m->str[0x15].n && m->str[0x16].n)       /* data without a method */
		return MQTT_INVALID;
	if (!rdstr(c, &m->client_id))
		return MQTT_INVALID;
	if (m->version == MQTT_V5 && (m->flags & CF_WILL) && !rdprops(c, will_props, m))
		return MQTT_INVALID;
	if ((m->flags & CF_WILL) && (!rdstr(c, &m->will_topic) || !rdstr(c, &m->will_payload)))
		return MQTT_INVALID;
	if ((m->flags & CF_USERNAME) && !rdstr(c, &m->username))
		return MQTT_INVALID;
	if ((m->flags & CF_PASSWORD) && !rdstr(c, &m->password))
		return MQTT_INVALID;
	return (uint32_t)(c->p - start) == remaining ? MQTT_VALID : MQTT_INVALID;
}

static int parse_connack(struct cur *c, uint32_t remaining, struct mpkt *m)
{
	const uint8_t *start = c->p;
	size_t rest = (size_t)(c->end - c->p);
	uint32_t v;

	/* HAProxy tells 3.1.1 from 5.0 by what follows the fixed header */
	if (rest < 2)
		return MQTT_INVALID;
	m->version = rest == 2 ? MQTT_V311 : MQTT_V5;
	if (!rd1(c, &v) || (v & 0xfe))
		return MQTT_INVALID;
	m->flags = (uint8_t)v;
	if (!rd1(c, &v))
		return MQTT_INVALID;
	m->reason = (uint8_t)v;
	if (m->version == MQTT_V5 && !rdprops(c, connack_props, m))
		return MQTT_INVALID;
	return (uint32_t)(c->p - start) == remaining ? MQTT_VALID : MQTT_INVALID;
}

/* Parses the packet at <p>; fills <m>. Returns MQTT_VALID/AGAIN/INVALID. */
static int parse(const uint8_t *p, size_t len, struct mpkt *m)
{
	struct cur c = { p, p + len };
	uint32_t remaining;
	int type, fl;

	memset(m, 0, sizeof(*m));
	if (len < 2)
		return MQTT_AGAIN;
	type = p[0] >> 4;
	fl = p[0] & 0x0f;
	/* HAProxy 2.6 compares the flags with its table for every type, so
	 * only a PUBLISH with all four flag bits set passes: kept, since a
	 * PUBLISH is "invalid" for these converters anyway */
	if (type == MQTT_T_INVALID || fl != type_flags[type])
		return MQTT_INVALID;
	m->type = type;
	c.p++;
	if (!rdvar(&c, &remaining))
		return MQTT_INVALID;
	if ((size_t)(c.end - c.p) < remaining)
		return MQTT_AGAIN;
	if (type == MQTT_T_CONNECT)
		return parse_connect(&c, remaining, m);
	if (type == MQTT_T_CONNACK)
		return parse_connack(&c, remaining, m);
	return MQTT_INVALID;
}

int mqtt_validate(const uint8_t *p, size_t len)
{
	struct mpkt m;

	return parse(p, len, &m);
}

static const char *const type_names[MQTT_T_TYPES] = {
	NULL, "CONNECT", "CONNACK", "PUBLISH", "PUBACK", "PUBREC", "PUBREL", "PUBCOMP", "SUBSCRIBE",
	"SUBACK", "UNSUBSCRIBE", "UNSUBACK", "PINGREQ", "PINGRESP", "DISCONNECT", "AUTH",
};

int mqtt_type_id(const char *name, size_t len)
{
	unsigned long n = 0;
	size_t i;

	for (i = 0; i < len && name[i] >= '0' && name[i] <= '9' && n < 1000; i++)
		n = n * 10 + (unsigned)(name[i] - '0');
	if (i == len && len && n >= MQTT_T_CONNECT && n < MQTT_T_TYPES)
		return (int)n;
	for (int t = MQTT_T_CONNECT; t < MQTT_T_TYPES; t++)
		if (strlen(type_names[t]) == len && !strncasecmp(type_names[t], name, len))
			return t;
	return 0;
}

/* Field ids: the named ones, then 100 + a property identifier. */
enum { F_FLAGS = 1, F_REASON_CODE, F_PROTOCOL_NAME, F_PROTOCOL_VERSION, F_CLIENT_IDENTIFIER,
       F_WILL_TOPIC, F_WILL_PAYLOAD, F_USERNAME, F_PASSWORD, F_KEEPALIVE, F_PROP = 100 };

static const struct { const char *name; int id; } field_names[] = {
	{ "flags", F_FLAGS }, { "reason_code", F_REASON_CODE }, { "protocol_name", F_PROTOCOL_NAME },
	{ "protocol_version", F_PROTOCOL_VERSION }, { "client_identifier", F_CLIENT_IDENTIFIER },
	{ "will_topic", F_WILL_TOPIC }, { "will_payload", F_WILL_PAYLOAD }, { "username", F_USERNAME },
	{ "password", F_PASSWORD }, { "keepalive", F_KEEPALIVE },
};

/* Fields each packet type may name (HAProxy's list, properties by id). */
static const uint8_t type_fields[MQTT_T_TYPES][32] = {
	[MQTT_T_CONNECT]     = { F_PROTOCOL_NAME, F_PROTOCOL_VERSION, F_FLAGS, F_KEEPALIVE, F_CLIENT_IDENTIFIER,
	                         F_WILL_TOPIC, F_WILL_PAYLOAD, F_USERNAME, F_PASSWORD,
	                         0x80 | 0x11, 0x80 | 0x21, 0x80 | 0x27, 0x80 | 0x22, 0x80 | 0x19, 0x80 | 0x17,
	                         0x80 | 0x26, 0x80 | 0x15, 0x80 | 0x16, 0x80 | 0x18, 0x80 | 0x01, 0x80 | 0x02,
	                         0x80 | 0x03, 0x80 | 0x08, 0x80 | 0x09 },
	[MQTT_T_CONNACK]     = { F_FLAGS, F_PROTOCOL_VERSION, F_REASON_CODE,
	                         0x80 | 0x11, 0x80 | 0x21, 0x80 | 0x24, 0x80 | 0x25, 0x80 | 0x27, 0x80 | 0x12,
	                         0x80 | 0x22, 0x80 | 0x1f, 0x80 | 0x28, 0x80 | 0x29, 0x80 | 0x2a, 0x80 | 0x13,
	                         0x80 | 0x1a, 0x80 | 0x1c, 0x80 | 0x26, 0x80 | 0x15, 0x80 | 0x16 },
	[MQTT_T_PUBLISH]     = { 0x80 | 0x01, 0x80 | 0x02, 0x80 | 0x03, 0x80 | 0x08, 0x80 | 0x09, 0x80 | 0x0b,
	                         0x80 | 0x23, 0x80 | 0x26 },
	[MQTT_T_PUBACK]      = { F_REASON_CODE, 0x80 | 0x1f, 0x80 | 0x26 },
	[MQTT_T_PUBREC]      = { F_REASON_CODE, 0x80 | 0x1f, 0x80 | 0x26 },
	[MQTT_T_PUBREL]      = { F_REASON_CODE, 0x80 | 0x1f, 0x80 | 0x26 },
	[MQTT_T_PUBCOMP]     = { F_REASON_CODE, 0x80 | 0x1f, 0x80 | 0x26 },
	[MQTT_T_SUBSCRIBE]   = { 0x80 | 0x0b, 0x80 | 0x26 },
	[MQTT_T_SUBACK]      = { 0x80 | 0x1f, 0x80 | 0x26 },
	[MQTT_T_UNSUBSCRIBE] = { 0x80 | 0x26 },
	[MQTT_T_UNSUBACK]    = { 0x80 | 0x1f, 0x80 | 0x26 },
	[MQTT_T_DISCONNECT]  = { F_REASON_CODE, 0x80 | 0x11, 0x80 | 0x1c, 0x80 | 0x1f, 0x80 | 0x26 },
	[MQTT_T_AUTH]        = { 0x80 | 0x15, 0x80 | 0x16, 0x80 | 0x1f, 0x80 | 0x26 },
};

int mqtt_field_id(int type, const char *name, size_t len)
{
	int id = 0;

	if (type <= MQTT_T_INVALID || type >= MQTT_T_TYPES || !len)
		return 0;
	for (size_t i = 0; i < sizeof(field_names) / sizeof(*field_names); i++)
		if (strlen(field_names[i].name) == len && !strncasecmp(field_names[i].name, name, len))
			id = field_names[i].id;
	if (!id) {
		unsigned n = 0;

		for (size_t i = 0; i < len; i++) {
			if (name[i] < '0' || name[i] > '9' || n > 100)
				return 0;
			n = n * 10 + (unsigned)(name[i] - '0');
		}
		if (!n || n >= 0x2b)
			return 0;
		id = 0x80 | (int)n;
	}
	for (int i = 0; i < 32 && type_fields[type][i]; i++)
		if (type_fields[type][i] == id)
			return id < 0x80 ? id : F_PROP + (id & 0x7f);
	return 0;
}

static int give_str(const struct mstr *s, const uint8_t **str, size_t *slen)
{
	if (!s->n)
		return 0;
	*str = s->p;
	*slen = s->n;
	return 1;
}

int mqtt_field(const uint8_t *p, size_t len, int type, int field,
               const uint8_t **str, size_t *slen, uint32_t *num, int *is_num)
{
	struct mpkt m;
	int r = parse(p, len, &m), prop;

	*is_num = 0;
	if (r == MQTT_AGAIN)
		return MQTT_FIELD_AGAIN;
	if (r != MQTT_VALID || m.type != type)
		return 0;
	switch (field) {
	case F_FLAGS:            *num = m.flags; *is_num = 1; return 1;
	case F_PROTOCOL_VERSION: *num = (uint32_t)m.version; *is_num = 1; return 1;
	case F_REASON_CODE:
		if (type != MQTT_T_CONNACK)
			return 0;
		*num = m.reason;
		*is_num = 1;
		return 1;
	}
	if (type == MQTT_T_CONNECT) {
		switch (field) {
		case F_PROTOCOL_NAME:     return give_str(&m.proto, str, slen);
		case F_CLIENT_IDENTIFIER: return give_str(&m.client_id, str, slen);
		case F_WILL_TOPIC:        return give_str(&m.will_topic, str, slen);
		case F_WILL_PAYLOAD:      return give_str(&m.will_payload, str, slen);
		case F_USERNAME:          return give_str(&m.username, str, slen);
		case F_PASSWORD:          return give_str(&m.password, str, slen);
		case F_KEEPALIVE:         *num = m.keepalive; *is_num = 1; return 1;
		}
	}
	if (field < F_PROP || m.version != MQTT_V5)
		return 0;
	prop = field - F_PROP;
	if (type == MQTT_T_CONNECT) {
		/* the will's properties exist only with a will */
		if (strchr("\x18\x01\x02\x03\x08\x09", prop) && !(m.flags & CF_WILL))
			return 0;
		if (!strchr("\x11\x15\x16\x17\x19\x21\x22\x27\x18\x01\x02\x03\x08\x09", prop))
			return 0;
	} else if (type == MQTT_T_CONNACK) {
		if (!strchr("\x11\x12\x13\x15\x16\x1a\x1c\x1f\x21\x22\x24\x25\x27\x28\x29\x2a", prop))
			return 0;
	} else {
		return 0;
	}
	if (props[prop].kind == PS)
		return give_str(&m.str[prop], str, slen);
	*num = m.num[prop];
	*is_num = 1;
	return 1;
}
