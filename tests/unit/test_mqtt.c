/* test_mqtt.c: MQTT packet parsing (proto/mqtt.c) through the
 * mqtt_is_valid and mqtt_field_value converters, on CONNECT (3.1, 3.1.1,
 * 5.0 with connect and will properties) and CONNACK (3.1.1, 5.0) packets
 * and broken ones (reserved bits, protocol name/version, repeated or
 * out-of-range properties, lengths, truncation, other packet types).
 * Expected results are HAProxy 2.6's for the same bytes; the packets were
 * built by a small encoder following the MQTT specifications. */
#include "tests/unit/unit.h"
#include "engine/sample.h"
#include "proto/mqtt.h"

static const struct { const char *name, *hex; } packets[] = {
	{ "c311", "102300044d51545404c2003c0008636c69656e742d310005616c6963650006736563726574" },
	{ "c311will", "101800044d515454040e003c000277310003742f770003627965" },
	{ "c5", "107700044d51545405ce003c29110000007821000a2700000400220005190117002600016b000176150005534352414d16000378797a0008636c69656e742d312518000000070101020000006303000a746578742f706c61696e080003722f740900036369640003742f7700036279650003626f6200027077" },
	{ "c5min", "100d00044d5154540502003c000000" },
	{ "c31", "101100064d51497364700302003c00036f6c64" },
	{ "ack311", "20020105" },
	{ "ack5", "203b000038110000001e1200066175746f2d311300141f00026f6b24012500220008280129002a011a000272691c00056f74686572270000080021000f" },
	{ "reserved", "101400044d5154540403003c0008636c69656e742d31" },
	{ "name", "10140004585154540402003c0008636c69656e742d31" },
	{ "ver6", "101400044d5154540602003c0008636c69656e742d31" },
	{ "dup", "101f00044d5154540502003c0a110000000111000000020008636c69656e742d31" },
	{ "rmax0", "101800044d5154540502003c032100000008636c69656e742d31" },
	{ "authdata", "101900044d5154540502003c04160001780008636c69656e742d31" },
	{ "badprop", "101700044d5154540502003c0224010008636c69656e742d31" },
	{ "extra", "101500044d5154540402003c0008636c69656e742d3100" },
	{ "publish", "30070003612f626869" },
	{ "trunc", "101b00044d5154540482" },
	{ "one", "10" },
	{ "qosnowill", "101400044d5154540418003c0008636c69656e742d31" },
	{ "ackflags", "20020200" },
	{ "pingreq", "c000" },
};

static const struct { const char *name, *conv, *want; } vectors[] = {
	{ "c311", "mqtt_is_valid", "1" },
	{ "c311", "mqtt_field_value(connect,flags)", "194" },
	{ "c311", "mqtt_field_value(connect,protocol_name)", "MQTT" },
	{ "c311", "mqtt_field_value(connect,protocol_version)", "4" },
	{ "c311", "mqtt_field_value(connect,client_identifier)", "client-1" },
	{ "c311", "mqtt_field_value(connect,username)", "alice" },
	{ "c311", "mqtt_field_value(connect,password)", "secret" },
	{ "c311", "mqtt_field_value(connect,keepalive)", "60" },
	{ "c311", "mqtt_field_value(connect,21)", "" },
	{ "c311", "mqtt_field_value(connack,flags)", "" },
	{ "c311", "mqtt_field_value(connack,28)", "" },
	{ "c311", "mqtt_field_value(connack,42)", "" },
	{ "c311will", "mqtt_is_valid", "1" },
	{ "c311will", "mqtt_field_value(connect,flags)", "14" },
	{ "c311will", "mqtt_field_value(connect,protocol_name)", "MQTT" },
	{ "c311will", "mqtt_field_value(connect,protocol_version)", "4" },
	{ "c311will", "mqtt_field_value(connect,client_identifier)", "w1" },
	{ "c311will", "mqtt_field_value(connect,will_topic)", "t/w" },
	{ "c311will", "mqtt_field_value(connect,will_payload)", "bye" },
	{ "c311will", "mqtt_field_value(connect,keepalive)", "60" },
	{ "c311will", "mqtt_field_value(connect,21)", "" },
	{ "c311will", "mqtt_field_value(connack,flags)", "" },
	{ "c311will", "mqtt_field_value(connack,28)", "" },
	{ "c311will", "mqtt_field_value(connack,42)", "" },
	{ "c5", "mqtt_is_valid", "1" },
	{ "c5", "mqtt_field_value(connect,flags)", "206" },
	{ "c5", "mqtt_field_value(connect,protocol_name)", "MQTT" },
	{ "c5", "mqtt_field_value(connect,protocol_version)", "5" },
	{ "c5", "mqtt_field_value(connect,client_identifier)", "client-1" },
	{ "c5", "mqtt_field_value(connect,will_topic)", "t/w" },
	{ "c5", "mqtt_field_value(connect,will_payload)", "bye" },
	{ "c5", "mqtt_field_value(connect,username)", "bob" },
	{ "c5", "mqtt_field_value(connect,password)", "pw" },
	{ "c5", "mqtt_field_value(connect,keepalive)", "60" },
	{ "c5", "mqtt_field_value(connect,17)", "120" },
	{ "c5", "mqtt_field_value(connect,33)", "10" },
	{ "c5", "mqtt_field_value(connect,39)", "1024" },
	{ "c5", "mqtt_field_value(connect,34)", "5" },
	{ "c5", "mqtt_field_value(connect,25)", "1" },
	{ "c5", "mqtt_field_value(connect,23)", "0" },
	{ "c5", "mqtt_field_value(connect,21)", "SCRAM" },
	{ "c5", "mqtt_field_value(connect,22)", "xyz" },
	{ "c5", "mqtt_field_value(connect,24)", "7" },
	{ "c5", "mqtt_field_value(connect,1)", "1" },
	{ "c5", "mqtt_field_value(connect,2)", "99" },
	{ "c5", "mqtt_field_value(connect,3)", "text/plain" },
	{ "c5", "mqtt_field_value(connect,8)", "r/t" },
	{ "c5", "mqtt_field_value(connect,9)", "cid" },
	{ "c5", "mqtt_field_value(connack,22)", "" },
	{ "c5", "mqtt_field_value(connack,40)", "" },
	{ "c5min", "mqtt_is_valid", "1" },
	{ "c5min", "mqtt_field_value(connect,flags)", "2" },
	{ "c5min", "mqtt_field_value(connect,protocol_name)", "MQTT" },
	{ "c5min", "mqtt_field_value(connect,protocol_version)", "5" },
	{ "c5min", "mqtt_field_value(connect,keepalive)", "60" },
	{ "c5min", "mqtt_field_value(connect,17)", "0" },
	{ "c5min", "mqtt_field_value(connect,33)", "0" },
	{ "c5min", "mqtt_field_value(connect,39)", "0" },
	{ "c5min", "mqtt_field_value(connect,34)", "0" },
	{ "c5min", "mqtt_field_value(connect,25)", "0" },
	{ "c5min", "mqtt_field_value(connect,23)", "0" },
	{ "c5min", "mqtt_field_value(connect,22)", "" },
	{ "c5min", "mqtt_field_value(connack,reason_code)", "" },
	{ "c5min", "mqtt_field_value(connack,31)", "" },
	{ "c31", "mqtt_is_valid", "1" },
	{ "c31", "mqtt_field_value(connect,flags)", "2" },
	{ "c31", "mqtt_field_value(connect,protocol_name)", "MQIsdp" },
	{ "c31", "mqtt_field_value(connect,protocol_version)", "3" },
	{ "c31", "mqtt_field_value(connect,client_identifier)", "old" },
	{ "c31", "mqtt_field_value(connect,will_topic)", "" },
	{ "c31", "mqtt_field_value(connect,keepalive)", "60" },
	{ "c31", "mqtt_field_value(connect,23)", "" },
	{ "c31", "mqtt_field_value(connect,38)", "" },
	{ "c31", "mqtt_field_value(connack,26)", "" },
	{ "c31", "mqtt_field_value(connack,41)", "" },
	{ "ack311", "mqtt_is_valid", "1" },
	{ "ack311", "mqtt_field_value(connect,password)", "" },
	{ "ack311", "mqtt_field_value(connect,22)", "" },
	{ "ack311", "mqtt_field_value(connack,flags)", "1" },
	{ "ack311", "mqtt_field_value(connack,reason_code)", "5" },
	{ "ack311", "mqtt_field_value(connack,protocol_version)", "4" },
	{ "ack311", "mqtt_field_value(connack,18)", "" },
	{ "ack311", "mqtt_field_value(connack,36)", "" },
	{ "ack5", "mqtt_is_valid", "1" },
	{ "ack5", "mqtt_field_value(connect,client_identifier)", "" },
	{ "ack5", "mqtt_field_value(connect,34)", "" },
	{ "ack5", "mqtt_field_value(connect,8)", "" },
	{ "ack5", "mqtt_field_value(connack,flags)", "0" },
	{ "ack5", "mqtt_field_value(connack,reason_code)", "0" },
	{ "ack5", "mqtt_field_value(connack,protocol_version)", "5" },
	{ "ack5", "mqtt_field_value(connack,17)", "30" },
	{ "ack5", "mqtt_field_value(connack,18)", "auto-1" },
	{ "ack5", "mqtt_field_value(connack,19)", "20" },
	{ "ack5", "mqtt_field_value(connack,26)", "ri" },
	{ "ack5", "mqtt_field_value(connack,28)", "other" },
	{ "ack5", "mqtt_field_value(connack,31)", "ok" },
	{ "ack5", "mqtt_field_value(connack,33)", "15" },
	{ "ack5", "mqtt_field_value(connack,34)", "8" },
	{ "ack5", "mqtt_field_value(connack,36)", "1" },
	{ "ack5", "mqtt_field_value(connack,37)", "0" },
	{ "ack5", "mqtt_field_value(connack,39)", "2048" },
	{ "ack5", "mqtt_field_value(connack,40)", "1" },
	{ "ack5", "mqtt_field_value(connack,41)", "0" },
	{ "ack5", "mqtt_field_value(connack,42)", "1" },
	{ "reserved", "mqtt_is_valid", "0" },
	{ "reserved", "mqtt_field_value(connect,will_topic)", "" },
	{ "reserved", "mqtt_field_value(connect,25)", "" },
	{ "reserved", "mqtt_field_value(connect,9)", "" },
	{ "reserved", "mqtt_field_value(connack,22)", "" },
	{ "reserved", "mqtt_field_value(connack,40)", "" },
	{ "name", "mqtt_is_valid", "0" },
	{ "name", "mqtt_field_value(connect,username)", "" },
	{ "name", "mqtt_field_value(connect,21)", "" },
	{ "name", "mqtt_field_value(connack,flags)", "" },
	{ "name", "mqtt_field_value(connack,28)", "" },
	{ "name", "mqtt_field_value(connack,42)", "" },
	{ "ver6", "mqtt_is_valid", "0" },
	{ "ver6", "mqtt_field_value(connect,keepalive)", "" },
	{ "ver6", "mqtt_field_value(connect,24)", "" },
	{ "ver6", "mqtt_field_value(connack,protocol_version)", "" },
	{ "ver6", "mqtt_field_value(connack,33)", "" },
	{ "dup", "mqtt_is_valid", "0" },
	{ "dup", "mqtt_field_value(connect,protocol_name)", "" },
	{ "dup", "mqtt_field_value(connect,33)", "" },
	{ "dup", "mqtt_field_value(connect,2)", "" },
	{ "dup", "mqtt_field_value(connack,18)", "" },
	{ "dup", "mqtt_field_value(connack,36)", "" },
	{ "rmax0", "mqtt_is_valid", "0" },
	{ "rmax0", "mqtt_field_value(connect,client_identifier)", "" },
	{ "rmax0", "mqtt_field_value(connect,34)", "" },
	{ "rmax0", "mqtt_field_value(connect,8)", "" },
	{ "rmax0", "mqtt_field_value(connack,21)", "" },
	{ "rmax0", "mqtt_field_value(connack,39)", "" },
	{ "authdata", "mqtt_is_valid", "0" },
	{ "authdata", "mqtt_field_value(connect,will_payload)", "" },
	{ "authdata", "mqtt_field_value(connect,23)", "" },
	{ "authdata", "mqtt_field_value(connect,38)", "" },
	{ "authdata", "mqtt_field_value(connack,26)", "" },
	{ "authdata", "mqtt_field_value(connack,41)", "" },
	{ "badprop", "mqtt_is_valid", "0" },
	{ "badprop", "mqtt_field_value(connect,password)", "" },
	{ "badprop", "mqtt_field_value(connect,22)", "" },
	{ "badprop", "mqtt_field_value(connack,reason_code)", "" },
	{ "badprop", "mqtt_field_value(connack,31)", "" },
	{ "extra", "mqtt_is_valid", "0" },
	{ "extra", "mqtt_field_value(connect,flags)", "" },
	{ "extra", "mqtt_field_value(connect,17)", "" },
	{ "extra", "mqtt_field_value(connect,1)", "" },
	{ "extra", "mqtt_field_value(connack,17)", "" },
	{ "extra", "mqtt_field_value(connack,34)", "" },
	{ "publish", "mqtt_is_valid", "0" },
	{ "publish", "mqtt_field_value(connect,protocol_version)", "" },
	{ "publish", "mqtt_field_value(connect,39)", "" },
	{ "publish", "mqtt_field_value(connect,3)", "" },
	{ "publish", "mqtt_field_value(connack,19)", "" },
	{ "publish", "mqtt_field_value(connack,37)", "" },
	{ "trunc", "mqtt_is_valid", "" },
	{ "trunc", "mqtt_field_value(connect,will_topic)", "" },
	{ "trunc", "mqtt_field_value(connect,25)", "" },
	{ "trunc", "mqtt_field_value(connect,9)", "" },
	{ "trunc", "mqtt_field_value(connack,22)", "" },
	{ "trunc", "mqtt_field_value(connack,40)", "" },
	{ "one", "mqtt_is_valid", "" },
	{ "one", "mqtt_field_value(connect,username)", "" },
	{ "one", "mqtt_field_value(connect,21)", "" },
	{ "one", "mqtt_field_value(connack,flags)", "" },
	{ "one", "mqtt_field_value(connack,28)", "" },
	{ "one", "mqtt_field_value(connack,42)", "" },
	{ "qosnowill", "mqtt_is_valid", "0" },
	{ "qosnowill", "mqtt_field_value(connect,keepalive)", "" },
	{ "qosnowill", "mqtt_field_value(connect,24)", "" },
	{ "qosnowill", "mqtt_field_value(connack,protocol_version)", "" },
	{ "qosnowill", "mqtt_field_value(connack,33)", "" },
	{ "ackflags", "mqtt_is_valid", "0" },
	{ "ackflags", "mqtt_field_value(connect,protocol_name)", "" },
	{ "ackflags", "mqtt_field_value(connect,33)", "" },
	{ "ackflags", "mqtt_field_value(connect,2)", "" },
	{ "ackflags", "mqtt_field_value(connack,18)", "" },
	{ "ackflags", "mqtt_field_value(connack,36)", "" },
	{ "pingreq", "mqtt_is_valid", "0" },
	{ "pingreq", "mqtt_field_value(connect,client_identifier)", "" },
	{ "pingreq", "mqtt_field_value(connect,34)", "" },
	{ "pingreq", "mqtt_field_value(connect,8)", "" },
	{ "pingreq", "mqtt_field_value(connack,21)", "" },
	{ "pingreq", "mqtt_field_value(connack,39)", "" },
};

static const char *packet(const char *name)
{
	for (size_t i = 0; i < sizeof(packets) / sizeof(*packets); i++)
		if (!strcmp(packets[i].name, name))
			return packets[i].hex;
	return "";
}

static int ev(const char *expr, char *out, size_t n, uint32_t *fl)
{
	char err[512];
	struct sample_expr *e = sample_expr_parse(expr, NULL, NULL, err, sizeof(err));
	struct smp_ctx ctx = { .final = 1 };
	struct sample smp = { 0 };
	int r;

	out[0] = 0;
	if (!e) {
		snprintf(out, n, "ERR %.200s", err);
		return -1;
	}
	r = sample_expr_eval(e, &ctx, &smp);
	if (fl)
		*fl = smp.flags;
	if (r && sample_cast(&smp, SMP_T_STR))
		snprintf(out, n, "%.*s", (int)smp.u.str.len, smp.u.str.ptr);
	sample_expr_free(e);
	return r;
}

static void t_haproxy_vectors(void)
{
	static char expr[4096];
	char got[256], msg[1024];

	for (size_t i = 0; i < sizeof(vectors) / sizeof(*vectors); i++) {
		snprintf(expr, sizeof(expr), "bin(%s),%s", packet(vectors[i].name), vectors[i].conv);
		ev(expr, got, sizeof(got), NULL);
		if (strcmp(got, vectors[i].want)) {
			snprintf(msg, sizeof(msg), "%s: %s -> \"%s\", expected \"%s\"",
			         vectors[i].name, vectors[i].conv, got, vectors[i].want);
			unit_case_failed = 0;
			unit_fail(msg, __FILE__, __LINE__);
		}
	}
}

static int unhex(const char *h, uint8_t *out)
{
	int n = 0;

	for (; h[0] && h[1]; h += 2)
		out[n++] = (uint8_t)((h[0] <= '9' ? h[0] - '0' : h[0] - 'a' + 10) << 4 |
		                     (h[1] <= '9' ? h[1] - '0' : h[1] - 'a' + 10));
	return n;
}

static void t_prefixes(void)
{
	uint8_t b[512] = { 0 };
	const uint8_t *v;
	size_t vl;
	uint32_t num;
	int n = unhex(packet("c5"), b), is_num;

	EXPECT_INT(mqtt_validate(b, n), MQTT_VALID);
	/* every strict prefix of a valid packet: more data needed */
	for (int i = 0; i < n; i++)
		EXPECT_INT(mqtt_validate(b, i), MQTT_AGAIN);
	EXPECT_INT(mqtt_field(b, 5, MQTT_T_CONNECT, mqtt_field_id(MQTT_T_CONNECT, "username", 8),
	                      &v, &vl, &num, &is_num), MQTT_FIELD_AGAIN);
	EXPECT_INT(mqtt_field(b, n, MQTT_T_CONNECT, mqtt_field_id(MQTT_T_CONNECT, "username", 8),
	                      &v, &vl, &num, &is_num), 1);
	EXPECT_INT(vl, 3);
	EXPECT_MEM(v, "bob", 3);
	/* a 5-byte remaining length is malformed */
	memcpy(b, "\x10\xff\xff\xff\xff\x01", 6);
	EXPECT_INT(mqtt_validate(b, 6), MQTT_INVALID);
}

static void t_names_and_flags(void)
{
	char out[256], expr[256];
	uint32_t fl;

	EXPECT_INT(mqtt_type_id("connect", 7), MQTT_T_CONNECT);
	EXPECT_INT(mqtt_type_id("2", 1), MQTT_T_CONNACK);
	EXPECT_INT(mqtt_type_id("16", 2), 0);
	EXPECT_INT(mqtt_type_id("0", 1), 0);
	EXPECT(mqtt_field_id(MQTT_T_CONNECT, "client_identifier", 17) != 0);
	EXPECT_INT(mqtt_field_id(MQTT_T_CONNACK, "client_identifier", 17), 0);
	EXPECT_INT(mqtt_field_id(MQTT_T_PINGREQ, "flags", 5), 0);
	EXPECT_INT(ev("str(x),mqtt_field_value(nope,flags)", out, sizeof(out), NULL), -1);
	EXPECT_STR(out, "ERR invalid args in converter 'mqtt_field_value' : Unknown MQTT type 'nope'");
	EXPECT_INT(ev("str(x),mqtt_field_value(connack,username)", out, sizeof(out), NULL), -1);
	EXPECT_STR(out, "ERR invalid args in converter 'mqtt_field_value' : Unknown MQTT field name 'username' for packet type 'connack'");
	/* incomplete: not found, may change; invalid: a definitive false */
	snprintf(expr, sizeof(expr), "bin(%.20s),mqtt_is_valid", packet("c311"));
	EXPECT_INT(ev(expr, out, sizeof(out), &fl), 0);
	EXPECT(fl & SMP_F_MAY_CHANGE);
	snprintf(expr, sizeof(expr), "bin(%.20s),mqtt_field_value(connect,client_identifier)", packet("c311"));
	EXPECT_INT(ev(expr, out, sizeof(out), &fl), 0);
	EXPECT(fl & SMP_F_MAY_CHANGE);
	EXPECT_INT(ev("bin(30050003612f62),mqtt_is_valid", out, sizeof(out), &fl), 1);
	EXPECT_STR(out, "0");
	EXPECT(!(fl & SMP_F_MAY_CHANGE));
	/* a PUBLISH whose flags are not all set is refused from its first
	 * byte, even when it announces more bytes than there are (HAProxy) */
	EXPECT_INT(ev("bin(383d464958),mqtt_is_valid", out, sizeof(out), &fl), 1);
	EXPECT_STR(out, "0");
	EXPECT_INT(ev("bin(3f3d464958),mqtt_is_valid", out, sizeof(out), &fl), 0);
	EXPECT(fl & SMP_F_MAY_CHANGE);
}

int main(void)
{
	RUN(t_haproxy_vectors);
	RUN(t_prefixes);
	RUN(t_names_and_flags);
	return unit_end();
}
