/* test_vars.c: variable names and scopes, typed copies, overwrite between
 * inline and heap storage, self-assignment, unset/clear, accounting, and
 * the per-thread proc scope. */
#include <pthread.h>
#include <arpa/inet.h>
#include "tests/unit/unit.h"
#include "engine/vars.h"
#include "engine/stream.h"

static int ref(const char *name, struct var_ref *r, char *err, size_t n)
{
	return vars_parse_ref(name, strlen(name), r, err, n);
}

static void t_parse_ref(void)
{
	struct var_ref r;
	char err[512];

	EXPECT_INT(ref("txn.foo", &r, err, sizeof(err)), 0);
	EXPECT_INT(r.scope, VAR_SCOPE_TXN);
	EXPECT_STR(r.name, "foo");
	EXPECT_INT(r.len, 3);
	vars_ref_free(&r);
	EXPECT_INT(ref("proc.a.b_c9", &r, err, sizeof(err)), 0);
	EXPECT_INT(r.scope, VAR_SCOPE_PROC);
	EXPECT_STR(r.name, "a.b_c9");
	vars_ref_free(&r);
	EXPECT_INT(ref("sess.x", &r, err, sizeof(err)), 0);
	EXPECT_INT(r.scope, VAR_SCOPE_SESS);
	vars_ref_free(&r);
	EXPECT_INT(ref("req.x", &r, err, sizeof(err)), 0);
	EXPECT_INT(r.scope, VAR_SCOPE_REQ);
	vars_ref_free(&r);
	EXPECT_INT(ref("res.x", &r, err, sizeof(err)), 0);
	EXPECT_INT(r.scope, VAR_SCOPE_RES);
	vars_ref_free(&r);
	EXPECT_INT(ref("", &r, err, sizeof(err)), -1);
	EXPECT_STR(err, "Empty variable name cannot be accepted");
	EXPECT_INT(ref("txn.", &r, err, sizeof(err)), -1);   /* scope alone */
	EXPECT_INT(ref("foo", &r, err, sizeof(err)), -1);
	EXPECT_STR(err, "invalid variable name 'foo'. A variable name must be start by its scope. "
	           "The scope can be 'proc', 'sess', 'txn', 'req', 'res' or 'check'");
	EXPECT_INT(ref("txn.a b", &r, err, sizeof(err)), -1);
	EXPECT_STR(err, "invalid syntax at char ' b'");
	EXPECT_INT(ref("txn.é", &r, err, sizeof(err)), -1);
	EXPECT_INT(ref("check.x", &r, err, sizeof(err)), -1);
}

static void t_set_get_types(void)
{
	struct vars v = { 0 };
	struct var_ref a, b, c, d;
	struct sample s = { 0 }, g = { 0 };
	char err[128];

	ref("txn.a", &a, err, sizeof(err));
	ref("txn.b", &b, err, sizeof(err));
	ref("txn.c", &c, err, sizeof(err));
	ref("txn.d", &d, err, sizeof(err));
	smp_set_sint(&s, -77);
	EXPECT_INT(vars_set(&v, &a, &s), 0);
	smp_set_const_str(&s, "hello", 5);
	EXPECT_INT(vars_set(&v, &b, &s), 0);
	s.type = SMP_T_IPV4;
	s.flags = 0;
	inet_pton(AF_INET, "10.1.2.3", &s.u.ipv4);
	EXPECT_INT(vars_set(&v, &c, &s), 0);
	smp_set_bool(&s, 1);
	EXPECT_INT(vars_set(&v, &d, &s), 0);

	EXPECT_INT(vars_get(&v, &a, &g), 1);
	EXPECT_INT(g.type, SMP_T_SINT);
	EXPECT_INT(g.u.sint, -77);
	EXPECT_INT(vars_get(&v, &b, &g), 1);
	EXPECT_INT(g.type, SMP_T_STR);
	EXPECT(g.flags & SMP_F_CONST);
	EXPECT_INT(g.u.str.len, 5);
	EXPECT_MEM(g.u.str.ptr, "hello", 5);
	EXPECT_INT(vars_get(&v, &c, &g), 1);
	EXPECT_INT(g.type, SMP_T_IPV4);
	EXPECT_INT(ntohl(g.u.ipv4.s_addr), 0x0a010203);
	EXPECT_INT(vars_get(&v, &d, &g), 1);
	EXPECT_INT(g.type, SMP_T_BOOL);
	/* the stored copy does not depend on the source buffer */
	{
		char buf[8] = "abc";

		smp_set_const_str(&s, buf, 3);
		vars_set(&v, &b, &s);
		buf[0] = 'X';
		vars_get(&v, &b, &g);
		EXPECT_MEM(g.u.str.ptr, "abc", 3);
	}
	/* binary with NUL bytes is kept whole */
	smp_set_const_str(&s, "a\0b", 3);
	s.type = SMP_T_BIN;
	vars_set(&v, &b, &s);
	vars_get(&v, &b, &g);
	EXPECT_INT(g.type, SMP_T_BIN);
	EXPECT_INT(g.u.str.len, 3);
	EXPECT_MEM(g.u.str.ptr, "a\0b", 3);
	/* empty string is a value, not an absence */
	smp_set_const_str(&s, "", 0);
	vars_set(&v, &b, &s);
	EXPECT_INT(vars_get(&v, &b, &g), 1);
	EXPECT_INT(g.u.str.len, 0);
	vars_clear(&v);
	EXPECT_INT(vars_get(&v, &a, &g), 0);
	EXPECT_INT(v.size, 0);
	EXPECT(v.first == NULL);
	vars_ref_free(&a); vars_ref_free(&b); vars_ref_free(&c); vars_ref_free(&d);
}

static void t_overwrite_sizes(void)
{
	struct vars v = { 0 };
	struct var_ref a;
	struct sample s = { 0 }, g = { 0 };
	char err[128], *big = malloc(5000), *big2 = malloc(9000);

	memset(big, 'b', 5000);
	memset(big2, 'c', 9000);
	ref("txn.a", &a, err, sizeof(err));
	smp_set_const_str(&s, "small", 5);
	vars_set(&v, &a, &s);
	EXPECT_INT(v.size, 5);
	smp_set_const_str(&s, big, 5000);       /* inline -> heap */
	vars_set(&v, &a, &s);
	EXPECT_INT(v.size, 5000);
	vars_get(&v, &a, &g);
	EXPECT_INT(g.u.str.len, 5000);
	EXPECT(g.u.str.ptr[4999] == 'b');
	smp_set_const_str(&s, big2, 9000);      /* heap -> bigger heap */
	vars_set(&v, &a, &s);
	vars_get(&v, &a, &g);
	EXPECT_INT(g.u.str.len, 9000);
	EXPECT(g.u.str.ptr[8999] == 'c');
	smp_set_const_str(&s, big, 100);        /* fits the existing heap block */
	vars_set(&v, &a, &s);
	vars_get(&v, &a, &g);
	EXPECT_INT(g.u.str.len, 100);
	EXPECT(g.u.str.ptr[0] == 'b');
	smp_set_const_str(&s, "x", 1);          /* back inline */
	vars_set(&v, &a, &s);
	vars_get(&v, &a, &g);
	EXPECT_INT(g.u.str.len, 1);
	EXPECT(g.u.str.ptr[0] == 'x');
	EXPECT_INT(v.size, 1);
	smp_set_sint(&s, 3);                    /* string -> int */
	vars_set(&v, &a, &s);
	vars_get(&v, &a, &g);
	EXPECT_INT(g.type, SMP_T_SINT);
	EXPECT_INT(g.u.sint, 3);
	/* self-assignment: the source points into the variable itself */
	smp_set_const_str(&s, big2, 7000);
	vars_set(&v, &a, &s);
	vars_get(&v, &a, &g);
	g.u.str.ptr += 10;
	g.u.str.len = 6000;
	EXPECT_INT(vars_set(&v, &a, &g), 0);
	vars_get(&v, &a, &g);
	EXPECT_INT(g.u.str.len, 6000);
	EXPECT(g.u.str.ptr[0] == 'c' && g.u.str.ptr[5999] == 'c');
	vars_get(&v, &a, &g);
	g.u.str.ptr += 1;
	g.u.str.len = 20;                        /* heap -> inline from itself */
	EXPECT_INT(vars_set(&v, &a, &g), 0);
	vars_get(&v, &a, &g);
	EXPECT_INT(g.u.str.len, 20);
	EXPECT(g.u.str.ptr[19] == 'c');
	vars_clear(&v);
	vars_ref_free(&a);
	free(big);
	free(big2);
}

static void t_unset_and_long_names(void)
{
	struct vars v = { 0 };
	struct var_ref a, b, l;
	struct sample s = { 0 }, g = { 0 };
	char err[128];

	ref("req.a", &a, err, sizeof(err));
	ref("req.b", &b, err, sizeof(err));
	ref("req.a_really_long_variable_name_over_32_bytes", &l, err, sizeof(err));
	smp_set_sint(&s, 1);
	vars_set(&v, &a, &s);
	vars_set(&v, &b, &s);
	vars_set(&v, &l, &s);
	vars_unset(&v, &a);
	EXPECT_INT(vars_get(&v, &a, &g), 0);
	EXPECT_INT(vars_get(&v, &b, &g), 1);
	EXPECT_INT(vars_get(&v, &l, &g), 1);
	vars_unset(&v, &a);                      /* twice: no effect */
	vars_unset(NULL, &a);                    /* no set: no crash */
	EXPECT_INT(vars_get(NULL, &a, &g), 0);
	/* a prefix of a name is another name */
	{
		struct var_ref p;

		ref("req.a_really", &p, err, sizeof(err));
		EXPECT_INT(vars_get(&v, &p, &g), 0);
		vars_ref_free(&p);
	}
	vars_clear(&v);
	vars_ref_free(&a); vars_ref_free(&b); vars_ref_free(&l);
}

static void t_scopes(void)
{
	struct stream st;
	struct var_ref r;
	char err[128];

	memset(&st, 0, sizeof(st));
	EXPECT(vars_of(&st, VAR_SCOPE_SESS) == &st.vars_sess);
	EXPECT(vars_of(&st, VAR_SCOPE_TXN) == &st.vars_txn);
	EXPECT(vars_of(&st, VAR_SCOPE_REQ) == &st.vars_req);
	EXPECT(vars_of(&st, VAR_SCOPE_RES) == &st.vars_res);
	EXPECT(vars_of(NULL, VAR_SCOPE_TXN) == NULL);
	EXPECT(vars_of(NULL, VAR_SCOPE_PROC) != NULL);
	EXPECT(vars_of(&st, VAR_SCOPE_PROC) == vars_of(NULL, VAR_SCOPE_PROC));
	ref("txn.same", &r, err, sizeof(err));
	{
		struct sample s = { 0 }, g = { 0 };
		struct var_ref r2 = r;

		smp_set_sint(&s, 5);
		vars_set(vars_of(&st, VAR_SCOPE_TXN), &r, &s);
		r2.scope = VAR_SCOPE_SESS;
		EXPECT_INT(vars_get(vars_of(&st, r2.scope), &r2, &g), 0);
		EXPECT_INT(vars_get(vars_of(&st, r.scope), &r, &g), 1);
	}
	vars_clear(&st.vars_txn);
	vars_ref_free(&r);
}

static void *other_thread(void *arg)
{
	struct var_ref *r = arg;
	struct sample g = { 0 };

	/* proc variables are per worker thread */
	return (void *)(intptr_t)vars_get(vars_of(NULL, VAR_SCOPE_PROC), r, &g);
}

static void t_proc_per_thread(void)
{
	struct var_ref r;
	struct sample s = { 0 }, g = { 0 };
	char err[128];
	pthread_t th;
	void *ret;

	ref("proc.counter", &r, err, sizeof(err));
	smp_set_sint(&s, 9);
	vars_set(vars_of(NULL, VAR_SCOPE_PROC), &r, &s);
	EXPECT_INT(vars_get(vars_of(NULL, VAR_SCOPE_PROC), &r, &g), 1);
	EXPECT_INT(g.u.sint, 9);
	pthread_create(&th, NULL, other_thread, &r);
	pthread_join(th, &ret);
	EXPECT_INT((intptr_t)ret, 0);
	vars_clear(vars_of(NULL, VAR_SCOPE_PROC));
	vars_ref_free(&r);
}

static void t_many(void)
{
	/* many variables, set, overwrite and clear repeatedly: the node free
	 * list is reused (ASan/LSan catch leaks and use-after-free) */
	struct vars v = { 0 };
	char name[32], err[128];
	struct var_ref refs[200];
	struct sample s = { 0 }, g = { 0 };

	for (int i = 0; i < 200; i++) {
		snprintf(name, sizeof(name), "txn.v%d", i);
		ref(name, &refs[i], err, sizeof(err));
	}
	for (int round = 0; round < 5; round++) {
		for (int i = 0; i < 200; i++) {
			smp_set_sint(&s, i * round);
			vars_set(&v, &refs[i], &s);
		}
		for (int i = 0; i < 200; i += 7)
			EXPECT(vars_get(&v, &refs[i], &g) && g.u.sint == i * round);
		vars_clear(&v);
	}
	for (int i = 0; i < 200; i++)
		vars_ref_free(&refs[i]);
}

/* A proc name the configuration uses exists with no value: "ifexists"
 * and "ifnotset" see it, var() does not; other scopes are not declared. */
static void t_declared(void)
{
	struct vars *pv = vars_of(NULL, VAR_SCOPE_PROC);
	struct var_ref r, t;
	struct sample s = { 0 }, g = { 0 };
	char err[128];
	uint32_t size0 = pv->size;

	ref("proc.decl_x", &r, err, sizeof(err));
	ref("txn.decl_y", &t, err, sizeof(err));
	EXPECT_INT(vars_exists(pv, &r), 0);
	EXPECT_INT(vars_declare(&r), 0);
	EXPECT_INT(vars_declare(&r), 0);              /* twice: still one */
	EXPECT_INT(vars_declare(&t), 0);              /* no effect */
	EXPECT_INT(vars_exists(pv, &r), 1);
	EXPECT_INT(vars_get(pv, &r, &g), 0);
	smp_set_sint(&s, 7);
	EXPECT_INT(vars_set_cond(pv, &r, &s, VARS_IFNOTEXISTS), 0);
	EXPECT_INT(vars_set_cond(pv, &r, &s, VARS_IFSET), 0);
	EXPECT_INT(vars_set_cond(pv, &r, &s, VARS_IFEXISTS | VARS_IFNOTSET), 1);
	EXPECT_INT(vars_get(pv, &r, &g), 1);
	EXPECT_INT(g.u.sint, 7);
	EXPECT_INT(vars_set_cond(pv, &r, &s, VARS_IFNOTSET), 0);
	vars_unset(pv, &r);
	EXPECT_INT(vars_exists(pv, &r), 0);
	EXPECT_INT(pv->size, size0);                  /* the accounting is back */
	vars_ref_free(&r);
	vars_ref_free(&t);
}

int main(void)
{
	RUN(t_declared);
	RUN(t_parse_ref);
	RUN(t_set_get_types);
	RUN(t_overwrite_sizes);
	RUN(t_unset_and_long_names);
	RUN(t_scopes);
	RUN(t_proc_per_thread);
	RUN(t_many);
	return unit_end();
}
