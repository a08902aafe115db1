/* test_map.c: the map converters on map files written to a temporary
 * directory: every match kind, the three output types, defaults, value
 * checks and load errors. Expected values are HAProxy 2.6's for the same
 * files and expressions. */
#include <unistd.h>
#include "tests/unit/unit.h"
#include "engine/sample.h"
#include "engine/pattern.h"

static char dir[64];

static void write_file(const char *name, const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

/* Replaces "%D" in <in> by the temporary directory. */
static void expand(const char *in, char *out, size_t n)
{
	const char *p = strstr(in, "%D");

	if (p)
		snprintf(out, n, "%.*s%s%s", (int)(p - in), in, dir, p + 2);
	else
		snprintf(out, n, "%s", in);
}

static int ev(const char *expr, char *out, size_t n)
{
	char err[512], x[512];
	struct sample_expr *e;
	struct smp_ctx ctx = { .final = 1 };
	struct sample smp = { 0 };
	int r;

	expand(expr, x, sizeof(x));
	e = sample_expr_parse(x, NULL, NULL, err, sizeof(err));
	out[0] = 0;
	if (!e) {
		snprintf(out, n, "ERR %.400s", err);
		return -1;
	}
	r = sample_expr_eval(e, &ctx, &smp);
	if (r && sample_cast(&smp, SMP_T_STR))
		snprintf(out, n, "%.*s", (int)smp.u.str.len, smp.u.str.ptr);
	sample_expr_free(e);
	return r;
}

static const struct { const char *expr, *want; } vectors[] = {
	{ "str(example.com),map(%D/ms.map)", "be_example" },
	{ "str(example.com),map_str(%D/ms.map)", "be_example" },
	{ "str(nope),map(%D/ms.map,dflt)", "dflt" },
	{ "str(nope),map(%D/ms.map)", "" },
	{ "str(www.example.com),map_end(%D/ms.map)", "be_example" },
	{ "str(a.example.com),map_dom(%D/ms.map)", "be_example" },
	{ "str(sub.www.example.com),map_dom(%D/ms.map)", "be_example" },
	{ "str(/api/v1),map_beg(%D/ms.map)", "be_api" },
	{ "str(/x/api/v1),map_dir(%D/ms.map)", "be_api" },
	{ "str(xxfooxx),map_sub(%D/ms.map)", "be_foo" },
	{ "str(/static/a.css),map_reg(%D/mr.map)", "static" },
	{ "str(/a/b.php),map_reg(%D/mr.map)", "php" },
	{ "str(/a/b.html),map_reg(%D/mr.map,none)", "none" },
	{ "int(20),map_int(%D/mn.map)", "200" },
	{ "int(3),map_int_int(%D/mn.map,7)", "7" },
	{ "str(20),map_int(%D/mn.map)", "200" },
	{ "ipv4(10.1.2.3),map_ip(%D/mi.map)", "10.9.9.9" },
	{ "ipv4(192.168.1.7),map_ip(%D/mi.map)", "2001:db8::1" },
	{ "ipv4(192.168.2.7),map_ip(%D/mi.map)", "192.168.0.1" },
	{ "ipv4(192.168.1.7),map_ip_ip(%D/mi.map)", "2001:db8::1" },
	{ "ipv4(10.1.1.1),map_ip_ip(%D/mi.map)", "10.9.9.9" },
	{ "ipv4(11.1.1.1),map_ip_ip(%D/mi.map,1.2.3.4)", "1.2.3.4" },
	{ "str(10.1.2.3),map_ip(%D/mi.map)", "10.9.9.9" },
	{ "ipv6(::ffff:10.1.2.3),map_ip(%D/mi.map)", "10.9.9.9" },
	{ "str(example.com),map_str_int(%D/mn.map,9)", "9" },
};

static void t_haproxy_vectors(void)
{
	char got[512], msg[1024];

	for (size_t i = 0; i < sizeof(vectors) / sizeof(*vectors); i++) {
		ev(vectors[i].expr, got, sizeof(got));
		if (strcmp(got, vectors[i].want)) {
			snprintf(msg, sizeof(msg), "%s -> \"%s\", expected \"%s\"", vectors[i].expr, got, vectors[i].want);
			unit_case_failed = 0;
			unit_fail(msg, __FILE__, __LINE__);
		}
	}
}

static void t_types(void)
{
	char out[256], err[512];
	struct sample_expr *e;
	struct smp_ctx ctx = { .final = 1 };
	struct sample smp = { 0 };

	EXPECT_INT(ev("int(20),map_int_int(%D/mn.map)", out, sizeof(out)), 1);
	expand("int(20),map_int_int(%D/mn.map)", out, sizeof(out));
	e = sample_expr_parse(out, NULL, NULL, err, sizeof(err));
	EXPECT_INT(sample_expr_eval(e, &ctx, &smp), 1);
	EXPECT_INT(smp.type, SMP_T_SINT);
	EXPECT_INT(smp.u.sint, 200);
	sample_expr_free(e);
	expand("ipv4(192.168.1.7),map_ip_ip(%D/mi.map)", out, sizeof(out));
	e = sample_expr_parse(out, NULL, NULL, err, sizeof(err));
	EXPECT_INT(sample_expr_eval(e, &ctx, &smp), 1);
	EXPECT_INT(smp.type, SMP_T_IPV6);
	sample_expr_free(e);
	/* the result chains into further converters */
	EXPECT_INT(ev("str(example.com),map(%D/ms.map),upper,length", out, sizeof(out)), 1);
	EXPECT_STR(out, "10");
	EXPECT_INT(ev("ipv4(10.0.0.1),map_ip_int(%D/mi2.map),add(1)", out, sizeof(out)), 1);
	EXPECT_STR(out, "43");
}

static void t_errors(void)
{
	char out[600];

	EXPECT_INT(ev("str(a),map(%D/nonexistent.map)", out, sizeof(out)), -1);
	EXPECT(strncmp(out, "ERR invalid args in converter 'map' : ", 38) == 0);
	EXPECT_INT(ev("str(a),map_str_int(%D/ms.map)", out, sizeof(out)), -1);
	EXPECT(strstr(out, "unable to parse 'be_example'") != NULL);
	EXPECT_INT(ev("str(a),map_str_ip(%D/ms.map)", out, sizeof(out)), -1);
	EXPECT(strstr(out, "unable to parse 'be_example'") != NULL);
	EXPECT_INT(ev("ipv4(1.2.3.4),map_ip(%D/ms.map)", out, sizeof(out)), -1);   /* keys are not addresses */
	EXPECT_INT(ev("int(1),map_int(%D/ms.map)", out, sizeof(out)), -1);         /* keys are not numbers */
	EXPECT_INT(ev("str(a),map_str_int(%D/mn.map,x)", out, sizeof(out)), -1);
	EXPECT_STR(out, "ERR invalid arg 2 in converter 'map_str_int' : failed to parse 'x' as type 'integer' at position 2");
	EXPECT_INT(ev("str(a),map_str_ip(%D/mi.map,zz)", out, sizeof(out)), -1);
	EXPECT_STR(out, "ERR invalid args in converter 'map_str_ip' : map: cannot parse default ip <zz>.");
	EXPECT_INT(ev("str(a),map", out, sizeof(out)), -1);
	/* map_regm: groups of the key in the value; no match gives the default */
	EXPECT_INT(ev("str(/v2/users/42),map_regm(%D/mg.map)", out, sizeof(out)), 1);
	EXPECT_STR(out, "users:42@v2");
	EXPECT_INT(ev("str(/x),map_regm(%D/mg.map,dflt)", out, sizeof(out)), 1);
	EXPECT_STR(out, "dflt");
	EXPECT_INT(ev("str(/x),map_regm(%D/mg.map)", out, sizeof(out)), 0);
}

static void t_runtime_update(void)
{
	/* the Lua Map class and the management socket change the same list */
	char out[256], path[128];
	struct pat_list *l;

	EXPECT_INT(ev("str(new.example),map(%D/ms.map,none)", out, sizeof(out)), 1);
	EXPECT_STR(out, "none");
	snprintf(path, sizeof(path), "%s/ms.map", dir);
	l = pat_list_find(path);
	EXPECT(l != NULL);
	if (!l)
		return;
	EXPECT_INT(pat_list_add(l, "new.example", "be_new"), 0);
	EXPECT_INT(ev("str(new.example),map(%D/ms.map,none)", out, sizeof(out)), 1);
	EXPECT_STR(out, "be_new");
}

int main(void)
{
	snprintf(dir, sizeof(dir), "/tmp/rp-map-XXXXXX");
	if (!mkdtemp(dir))
		return 2;
	write_file("ms.map", "# comment\nexample.com   be_example\nwww.example.com be_www\n/api          be_api\nfoo           be_foo\n");
	write_file("mi.map", "10.0.0.0/8      10.9.9.9\n192.168.1.0/24  2001:db8::1\n192.168.0.0/16  192.168.0.1\n");
	write_file("mi2.map", "10.0.0.0/8 42\n");
	/* (HAProxy reads "-5" in an int pattern as the range ":5", so
	 * negative keys are left out of these vectors) */
	write_file("mn.map", "1 100\n20 200\n");
	write_file("mr.map", "^/static/  static\n\\.php$     php\n");
	write_file("mg.map", "^/(v[0-9]+)/([a-z]+)/([0-9]+)$ \\2:\\3@\\1\n");
	RUN(t_haproxy_vectors);
	RUN(t_types);
	RUN(t_errors);
	RUN(t_runtime_update);
	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd)) { /* best effort */ }
	}
	return unit_end();
}
