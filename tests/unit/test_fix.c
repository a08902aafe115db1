/* test_fix.c: FIX message framing (proto/fix.c) and the fix_is_valid /
 * fix_tag_value converters, on messages built with correct and broken
 * BodyLength, CheckSum, versions and tag ids. Expected converter results
 * are HAProxy 2.6's for the same bytes. */
#include "tests/unit/unit.h"
#include "engine/sample.h"
#include "proto/fix.h"

static const struct { const char *name, *expr, *want; } vectors[] = {
	{ "good", "bin(383d4649582e342e3201393d36340133353d410134393d434c49454e54310135363d5345525645520133343d310135323d32303234303130312d31323a30303a30300139383d30013130383d33300131303d32323801),fix_is_valid", "1" },
	{ "good", "bin(383d4649582e342e3201393d36340133353d410134393d434c49454e54310135363d5345525645520133343d310135323d32303234303130312d31323a30303a30300139383d30013130383d33300131303d32323801),fix_tag_value(MsgType)", "A" },
	{ "good", "bin(383d4649582e342e3201393d36340133353d410134393d434c49454e54310135363d5345525645520133343d310135323d32303234303130312d31323a30303a30300139383d30013130383d33300131303d32323801),fix_tag_value(SenderCompID)", "CLIENT1" },
	{ "good", "bin(383d4649582e342e3201393d36340133353d410134393d434c49454e54310135363d5345525645520133343d310135323d32303234303130312d31323a30303a30300139383d30013130383d33300131303d32323801),fix_tag_value(56)", "SERVER" },
	{ "good", "bin(383d4649582e342e3201393d36340133353d410134393d434c49454e54310135363d5345525645520133343d310135323d32303234303130312d31323a30303a30300139383d30013130383d33300131303d32323801),fix_tag_value(108)", "30" },
	{ "badck", "bin(383d4649582e342e3201393d31350133353d410134393d430135363d530131303d30303101),fix_is_valid", "0" },
	{ "badck", "bin(383d4649582e342e3201393d31350133353d410134393d430135363d530131303d30303101),fix_tag_value(MsgType)", "A" },
	{ "badck", "bin(383d4649582e342e3201393d31350133353d410134393d430135363d530131303d30303101),fix_tag_value(SenderCompID)", "C" },
	{ "badck", "bin(383d4649582e342e3201393d31350133353d410134393d430135363d530131303d30303101),fix_tag_value(56)", "S" },
	{ "badck", "bin(383d4649582e342e3201393d31350133353d410134393d430135363d530131303d30303101),fix_tag_value(108)", "" },
	{ "badlen", "bin(383d4649582e342e3201393d330133353d410134393d430135363d530131303d31353401),fix_is_valid", "0" },
	{ "badlen", "bin(383d4649582e342e3201393d330133353d410134393d430135363d530131303d31353401),fix_tag_value(MsgType)", "A" },
	{ "badlen", "bin(383d4649582e342e3201393d330133353d410134393d430135363d530131303d31353401),fix_tag_value(SenderCompID)", "C" },
	{ "badlen", "bin(383d4649582e342e3201393d330133353d410134393d430135363d530131303d31353401),fix_tag_value(56)", "S" },
	{ "badlen", "bin(383d4649582e342e3201393d330133353d410134393d430135363d530131303d31353401),fix_tag_value(108)", "" },
	{ "trunc", "bin(383d4649582e342e3201393d36340133353d410134393d434c49454e54310135363d534552564552),fix_is_valid", "" },
	{ "trunc", "bin(383d4649582e342e3201393d36340133353d410134393d434c49454e54310135363d534552564552),fix_tag_value(MsgType)", "A" },
	{ "trunc", "bin(383d4649582e342e3201393d36340133353d410134393d434c49454e54310135363d534552564552),fix_tag_value(SenderCompID)", "CLIENT1" },
	{ "trunc", "bin(383d4649582e342e3201393d36340133353d410134393d434c49454e54310135363d534552564552),fix_tag_value(56)", "" },
	{ "trunc", "bin(383d4649582e342e3201393d36340133353d410134393d434c49454e54310135363d534552564552),fix_tag_value(108)", "" },
	{ "badver", "bin(383d4649582e392e3901393d31350133353d410134393d430135363d530131303d32313701),fix_is_valid", "0" },
	{ "badver", "bin(383d4649582e392e3901393d31350133353d410134393d430135363d530131303d32313701),fix_tag_value(MsgType)", "A" },
	{ "badver", "bin(383d4649582e392e3901393d31350133353d410134393d430135363d530131303d32313701),fix_tag_value(SenderCompID)", "C" },
	{ "badver", "bin(383d4649582e392e3901393d31350133353d410134393d430135363d530131303d32313701),fix_tag_value(56)", "S" },
	{ "badver", "bin(383d4649582e392e3901393d31350133353d410134393d430135363d530131303d32313701),fix_tag_value(108)", "" },
	{ "bigtag40", "bin(383d4649582e342e3001393d31360133353d41013134313d780135363d530131303d30343201),fix_is_valid", "0" },
	{ "bigtag40", "bin(383d4649582e342e3001393d31360133353d41013134313d780135363d530131303d30343201),fix_tag_value(MsgType)", "A" },
	{ "bigtag40", "bin(383d4649582e342e3001393d31360133353d41013134313d780135363d530131303d30343201),fix_tag_value(SenderCompID)", "" },
	{ "bigtag40", "bin(383d4649582e342e3001393d31360133353d41013134313d780135363d530131303d30343201),fix_tag_value(56)", "S" },
	{ "bigtag40", "bin(383d4649582e342e3001393d31360133353d41013134313d780135363d530131303d30343201),fix_tag_value(108)", "" },
	{ "usertag40", "bin(383d4649582e342e3001393d31380133353d410131303030313d780135363d530131303d31333601),fix_is_valid", "1" },
	{ "usertag40", "bin(383d4649582e342e3001393d31380133353d410131303030313d780135363d530131303d31333601),fix_tag_value(MsgType)", "A" },
	{ "usertag40", "bin(383d4649582e342e3001393d31380133353d410131303030313d780135363d530131303d31333601),fix_tag_value(SenderCompID)", "" },
	{ "usertag40", "bin(383d4649582e342e3001393d31380133353d410131303030313d780135363d530131303d31333601),fix_tag_value(56)", "S" },
	{ "usertag40", "bin(383d4649582e342e3001393d31380133353d410131303030313d780135363d530131303d31333601),fix_tag_value(108)", "" },
	{ "fixt", "bin(383d464958542e312e3101393d32320133353d4101313132383d390134393d430135363d530131303d30393401),fix_is_valid", "1" },
	{ "fixt", "bin(383d464958542e312e3101393d32320133353d4101313132383d390134393d430135363d530131303d30393401),fix_tag_value(MsgType)", "A" },
	{ "fixt", "bin(383d464958542e312e3101393d32320133353d4101313132383d390134393d430135363d530131303d30393401),fix_tag_value(SenderCompID)", "C" },
	{ "fixt", "bin(383d464958542e312e3101393d32320133353d4101313132383d390134393d430135363d530131303d30393401),fix_tag_value(56)", "S" },
	{ "fixt", "bin(383d464958542e312e3101393d32320133353d4101313132383d390134393d430135363d530131303d30393401),fix_tag_value(108)", "" },
	{ "notfirst", "bin(393d3501383d4649582e342e3201393d36340133353d410134393d434c49454e54310135363d5345525645520133343d310135323d32303234303130312d31323a30303a30300139383d30013130383d33300131303d32323801),fix_is_valid", "0" },
	{ "notfirst", "bin(393d3501383d4649582e342e3201393d36340133353d410134393d434c49454e54310135363d5345525645520133343d310135323d32303234303130312d31323a30303a30300139383d30013130383d33300131303d32323801),fix_tag_value(MsgType)", "A" },
	{ "notfirst", "bin(393d3501383d4649582e342e3201393d36340133353d410134393d434c49454e54310135363d5345525645520133343d310135323d32303234303130312d31323a30303a30300139383d30013130383d33300131303d32323801),fix_tag_value(SenderCompID)", "CLIENT1" },
	{ "notfirst", "bin(393d3501383d4649582e342e3201393d36340133353d410134393d434c49454e54310135363d5345525645520133343d310135323d32303234303130312d31323a30303a30300139383d30013130383d33300131303d32323801),fix_tag_value(56)", "SERVER" },
	{ "notfirst", "bin(393d3501383d4649582e342e3201393d36340133353d410134393d434c49454e54310135363d5345525645520133343d310135323d32303234303130312d31323a30303a30300139383d30013130383d33300131303d32323801),fix_tag_value(108)", "30" },
	{ "emptyval", "bin(383d4649582e342e3201393d31340133353d410134393d0135363d530131303d31333701),fix_is_valid", "1" },
	{ "emptyval", "bin(383d4649582e342e3201393d31340133353d410134393d0135363d530131303d31333701),fix_tag_value(MsgType)", "A" },
	{ "emptyval", "bin(383d4649582e342e3201393d31340133353d410134393d0135363d530131303d31333701),fix_tag_value(SenderCompID)", "" },
	{ "emptyval", "bin(383d4649582e342e3201393d31340133353d410134393d0135363d530131303d31333701),fix_tag_value(56)", "S" },
	{ "emptyval", "bin(383d4649582e342e3201393d31340133353d410134393d0135363d530131303d31333701),fix_tag_value(108)", "" },
};

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
	char got[256], msg[4096];

	for (size_t i = 0; i < sizeof(vectors) / sizeof(*vectors); i++) {
		ev(vectors[i].expr, got, sizeof(got), NULL);
		if (strcmp(got, vectors[i].want)) {
			snprintf(msg, sizeof(msg), "%s: %.60s... -> \"%s\", expected \"%s\"",
			         vectors[i].name, vectors[i].expr, got, vectors[i].want);
			unit_case_failed = 0;
			unit_fail(msg, __FILE__, __LINE__);
		}
	}
}

static const char good[] = "8=FIX.4.2\x01" "9=5\x01" "35=A\x01" "10=";

static void t_parser(void)
{
	char m[256];
	const char *v;
	size_t vl;
	unsigned char sum = 0;
	int n;

	/* a minimal valid message, checksum computed here */
	n = snprintf(m, sizeof(m), "8=FIX.4.4\x01" "9=19\x01" "35=0\x01" "49=AAAA\x01" "56=BB\x01");
	for (int i = 0; i < n; i++)
		sum += (unsigned char)m[i];
	n += snprintf(m + n, sizeof(m) - n, "10=%03u\x01", sum);
	EXPECT_INT(fix_validate(m, n), FIX_VALID);
	/* every strict prefix: not complete yet */
	for (int i = 0; i < n; i++)
		EXPECT_INT(fix_validate(m, i), FIX_AGAIN);
	/* trailing data after the message is not looked at */
	memcpy(m + n, "8=FIX", 5);
	EXPECT_INT(fix_validate(m, n + 5), FIX_VALID);
	EXPECT_INT(fix_tag_value(m, n, 56, &v, &vl), 1);
	EXPECT_INT(vl, 2);
	EXPECT_MEM(v, "BB", 2);
	EXPECT_INT(fix_tag_value(m, n, 57, &v, &vl), 0);            /* after CheckSum: absent */
	EXPECT_INT(fix_tag_value(m, 20, 56, &v, &vl), FIX_TAG_AGAIN); /* not there yet */
	EXPECT_INT(fix_tag_value("x=1\x01", 4, 1, &v, &vl), 0);      /* bad tag id */
	EXPECT_INT(fix_tag_value("=1\x01", 3, 1, &v, &vl), 0);       /* empty tag */
	/* a field without '=' at all: more data may complete it */
	EXPECT_INT(fix_tag_value("35", 2, 35, &v, &vl), FIX_TAG_AGAIN);
	EXPECT_INT(fix_validate(good, strlen(good)), FIX_AGAIN);      /* shorter than any message */
	EXPECT_INT(fix_tag_id("msgtype", 7), 35);
	EXPECT_INT(fix_tag_id("SenderCompID", 12), 49);
	EXPECT_INT(fix_tag_id("1128", 4), 1128);
	EXPECT_INT(fix_tag_id("0", 1), 0);
	EXPECT_INT(fix_tag_id("Nope", 4), 0);
	EXPECT_INT(fix_tag_id("", 0), 0);
}

static void t_converter_flags(void)
{
	char out[128];
	uint32_t fl;

	/* incomplete: not found, may change */
	EXPECT_INT(ev("bin(383d4649582e342e3201393d), fix_is_valid", out, sizeof(out), &fl), -1);
	EXPECT_INT(ev("bin(383d4649582e342e3201393d),fix_is_valid", out, sizeof(out), &fl), 0);
	EXPECT(fl & SMP_F_MAY_CHANGE);
	EXPECT_INT(ev("bin(383d4649582e342e3201393d),fix_tag_value(35)", out, sizeof(out), &fl), 0);
	EXPECT(fl & SMP_F_MAY_CHANGE);
	/* a bad tag id: a definitive "false" */
	EXPECT_INT(ev("bin(6162633d31016162633d31016162633d31016162633d31016162633d3101),fix_is_valid", out, sizeof(out), &fl), 1);
	EXPECT_STR(out, "0");
	EXPECT(!(fl & SMP_F_MAY_CHANGE));
	/* no '=' at all: HAProxy waits for more data */
	EXPECT_INT(ev("str(hello world this is not a FIX message),fix_is_valid", out, sizeof(out), &fl), 0);
	EXPECT(fl & SMP_F_MAY_CHANGE);
	EXPECT_INT(ev("str(x),fix_tag_value(Nope)", out, sizeof(out), &fl), -1);
	EXPECT_STR(out, "ERR invalid args in converter 'fix_tag_value' : Unknown FIX tag name 'Nope'");
}

int main(void)
{
	RUN(t_haproxy_vectors);
	RUN(t_parser);
	RUN(t_converter_flags);
	return unit_end();
}
