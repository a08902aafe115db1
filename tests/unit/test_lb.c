/* test_lb.c: server selection — distributions per algorithm with weights,
 * down and maintenance servers, backups, maxconn, runtime weight changes. */
#include <arpa/inet.h>

#include "tests/unit/unit.h"
#include "engine/lb.h"
#include "engine/stream.h"

#define MAXS 8

static struct proxy be;
static struct server srv[MAXS];

/* Builds backend <be> with <n> servers of weights <w>[]. */
static void setup(enum lb_algo algo, int n, const int *w)
{
	memset(&be, 0, sizeof(be));
	memset(srv, 0, sizeof(srv));
	be.name = "be";
	be.cap = PX_CAP_BE;
	be.lb = algo;
	for (int i = 0; i < n; i++) {
		srv[i].px = &be;
		srv[i].id = i + 1;
		srv[i].weight = srv[i].cur_weight = w[i];
		srv[i].state = SRV_UP;
		srv[i].next = i + 1 < n ? &srv[i + 1] : NULL;
	}
	be.srv = n ? &srv[0] : NULL;
	be.nb_srv = n;
	EXPECT_INT(lb_init(&be), 0);
}

static int idx(const struct server *s)
{
	return s ? (int)(s - srv) : -1;
}

/* Picks <n> times with hash <h> (0 = plain pick), counting per server. */
static void count(int n, int *cnt)
{
	for (int i = 0; i < MAXS; i++)
		cnt[i] = 0;
	for (int i = 0; i < n; i++) {
		struct server *s = lb_pick(&be, NULL);
		EXPECT(s != NULL);
		if (s)
			cnt[idx(s)]++;
	}
}

static void t_rr_equal(void)
{
	int w[] = { 1, 1, 1 }, seq[6];
	setup(LB_ROUNDROBIN, 3, w);
	for (int i = 0; i < 6; i++)
		seq[i] = idx(lb_pick(&be, NULL));
	/* strict rotation, each server once per round */
	EXPECT(seq[0] != seq[1] && seq[1] != seq[2] && seq[0] != seq[2]);
	EXPECT_INT(seq[3], seq[0]);
	EXPECT_INT(seq[4], seq[1]);
	EXPECT_INT(seq[5], seq[2]);
	lb_free(&be);
}

static void t_rr_weights(void)
{
	int w[] = { 5, 1, 1 }, cnt[MAXS], seq[7];
	setup(LB_ROUNDROBIN, 3, w);
	count(700, cnt);
	EXPECT_INT(cnt[0], 500);
	EXPECT_INT(cnt[1], 100);
	EXPECT_INT(cnt[2], 100);
	/* smooth: the heavy server is never picked 5 times in a row */
	for (int i = 0; i < 7; i++)
		seq[i] = idx(lb_pick(&be, NULL));
	int run = 0, maxrun = 0;
	for (int i = 0; i < 7; i++) {
		run = seq[i] == 0 ? run + 1 : 0;
		if (run > maxrun)
			maxrun = run;
	}
	EXPECT(maxrun <= 3);
	lb_free(&be);
}

static void t_rr_zero_weight_and_down(void)
{
	int w[] = { 1, 0, 1, 1 }, cnt[MAXS];
	setup(LB_ROUNDROBIN, 4, w);
	srv[2].state = SRV_DOWN;
	lb_server_changed(&srv[2]);
	count(100, cnt);
	EXPECT_INT(cnt[0], 50);
	EXPECT_INT(cnt[1], 0);   /* weight 0 */
	EXPECT_INT(cnt[2], 0);   /* down */
	EXPECT_INT(cnt[3], 50);
	srv[3].state = SRV_MAINT;
	lb_server_changed(&srv[3]);
	count(10, cnt);
	EXPECT_INT(cnt[0], 10);
	lb_free(&be);
}

static void t_rr_runtime_weight(void)
{
	int w[] = { 1, 1 }, cnt[MAXS];
	setup(LB_ROUNDROBIN, 2, w);
	srv[1].cur_weight = 3;      /* "set server be/s2 weight 3" */
	lb_server_changed(&srv[1]);
	count(400, cnt);
	EXPECT_INT(cnt[0], 100);
	EXPECT_INT(cnt[1], 300);
	lb_free(&be);
}

static void t_static_rr_ignores_runtime_weight(void)
{
	int w[] = { 2, 1 }, cnt[MAXS];
	setup(LB_STATIC_RR, 2, w);
	srv[1].cur_weight = 50;
	lb_server_changed(&srv[1]);
	count(300, cnt);
	EXPECT_INT(cnt[0], 200);
	EXPECT_INT(cnt[1], 100);
	/* weight 0 at runtime still takes the server out */
	srv[1].cur_weight = 0;
	lb_server_changed(&srv[1]);
	count(30, cnt);
	EXPECT_INT(cnt[0], 30);
	lb_free(&be);
}

static void t_backup(void)
{
	int w[] = { 1, 1, 1, 1 }, cnt[MAXS];
	setup(LB_ROUNDROBIN, 4, w);
	srv[2].backup = srv[3].backup = 1;
	lb_init(&be);
	count(20, cnt);
	EXPECT_INT(cnt[0] + cnt[1], 20);     /* backups unused while actives are up */
	srv[0].state = srv[1].state = SRV_DOWN;
	lb_server_changed(&srv[0]);
	count(20, cnt);
	EXPECT_INT(cnt[2], 20);              /* only the first backup */
	be.options |= PXO_ALLBACKUPS;
	lb_server_changed(&srv[0]);
	count(20, cnt);
	EXPECT_INT(cnt[2], 10);
	EXPECT_INT(cnt[3], 10);
	srv[1].state = SRV_UP;               /* one active back: backups idle again */
	lb_server_changed(&srv[1]);
	count(10, cnt);
	EXPECT_INT(cnt[1], 10);
	srv[0].state = srv[1].state = srv[2].state = srv[3].state = SRV_DOWN;
	lb_server_changed(&srv[0]);
	EXPECT(lb_pick(&be, NULL) == NULL);
	lb_free(&be);
}

static void t_maxconn(void)
{
	int w[] = { 1, 1 };
	struct server *s;
	setup(LB_ROUNDROBIN, 2, w);
	srv[0].maxconn = 1;
	srv[1].maxconn = 2;
	for (int i = 0; i < 3; i++) {
		s = lb_pick(&be, NULL);
		EXPECT(s != NULL);
		if (s)
			lb_take(s);
	}
	EXPECT_INT(srv[0].cur_conn, 1);
	EXPECT_INT(srv[1].cur_conn, 2);
	EXPECT_INT(be.be_cur_conn, 0);       /* server slots are not backend streams (stream.c counts those) */
	EXPECT(lb_pick(&be, NULL) == NULL);  /* all full: the caller queues */
	lb_release(&srv[1]);
	EXPECT(lb_pick(&be, NULL) == &srv[1]);
	EXPECT_INT(srv[1].cum_conn, 2);
	EXPECT_INT(srv[1].max_conn_seen, 2);
	/* a full active server does not open the backups */
	srv[1].maxconn = 1;
	lb_take(&srv[1]);
	lb_free(&be);
}

static void t_maxconn_no_backup_spill(void)
{
	int w[] = { 1, 1 };
	setup(LB_ROUNDROBIN, 2, w);
	srv[1].backup = 1;
	srv[0].maxconn = 1;
	lb_init(&be);
	lb_take(lb_pick(&be, NULL));
	EXPECT(lb_pick(&be, NULL) == NULL);
	lb_free(&be);
}

static void t_leastconn(void)
{
	int w[] = { 1, 1, 2 };
	setup(LB_LEASTCONN, 3, w);
	srv[0].cur_conn = 5;
	srv[1].cur_conn = 1;
	srv[2].cur_conn = 3;   /* (3+1)/2 = 2 vs (1+1)/1 = 2 vs 6: tie s1/s2 */
	struct server *a = lb_pick(&be, NULL), *b;
	EXPECT(a == &srv[1] || a == &srv[2]);
	b = lb_pick(&be, NULL);
	EXPECT(b == &srv[1] || b == &srv[2]);
	EXPECT(a != b);        /* ties rotate */
	/* with counting, connections spread by weight */
	memset(&srv[0].cur_conn, 0, sizeof(srv[0].cur_conn));
	srv[0].cur_conn = srv[1].cur_conn = srv[2].cur_conn = 0;
	for (int i = 0; i < 40; i++)
		lb_take(lb_pick(&be, NULL));
	EXPECT_INT(srv[0].cur_conn, 10);
	EXPECT_INT(srv[1].cur_conn, 10);
	EXPECT_INT(srv[2].cur_conn, 20);
	/* releases go back to the least loaded */
	lb_release(&srv[0]);
	lb_release(&srv[0]);
	EXPECT(lb_pick(&be, NULL) == &srv[0]);
	lb_free(&be);
}

static void t_first(void)
{
	int w[] = { 1, 1, 1 };
	setup(LB_FIRST, 3, w);
	srv[0].maxconn = srv[1].maxconn = 2;
	for (int i = 0; i < 2; i++) {
		struct server *s = lb_pick(&be, NULL);
		EXPECT(s == &srv[0]);
		lb_take(s);
	}
	EXPECT(lb_pick(&be, NULL) == &srv[1]);
	srv[1].state = SRV_DOWN;
	lb_server_changed(&srv[1]);
	EXPECT(lb_pick(&be, NULL) == &srv[2]);
	lb_release(&srv[0]);
	EXPECT(lb_pick(&be, NULL) == &srv[0]);
	lb_free(&be);
}

static void t_first_by_id(void)
{
	int w[] = { 1, 1, 1 };
	setup(LB_FIRST, 3, w);
	srv[0].id = 30;     /* "id 30": config order is not id order */
	srv[1].id = 10;
	srv[2].id = 20;
	EXPECT_INT(lb_init(&be), 0);
	EXPECT(lb_pick(&be, NULL) == &srv[1]);
	srv[1].state = SRV_MAINT;
	lb_server_changed(&srv[1]);
	EXPECT(lb_pick(&be, NULL) == &srv[2]);
	lb_free(&be);
}

static struct addr v4(const char *ip)
{
	struct addr a;
	memset(&a, 0, sizeof(a));
	a.u.in4.sin_family = AF_INET;
	inet_pton(AF_INET, ip, &a.u.in4.sin_addr);
	a.len = sizeof(a.u.in4);
	return a;
}

static void t_source(void)
{
	int w[] = { 1, 1, 2 }, cnt[MAXS] = { 0 };
	struct stream st;
	char ip[32];
	struct server *first[200];

	setup(LB_SOURCE, 3, w);
	memset(&st, 0, sizeof(st));
	for (int i = 0; i < 200; i++) {
		snprintf(ip, sizeof(ip), "10.0.%d.%d", i / 250, i % 250 + 1);
		st.cli_addr = v4(ip);
		first[i] = lb_pick(&be, &st);
		EXPECT(first[i] != NULL);
		cnt[idx(first[i])]++;
		/* stable: the same address gets the same server */
		EXPECT(lb_pick(&be, &st) == first[i]);
		EXPECT(lb_pick_hash(&be, lb_hash_addr(&st.cli_addr)) == first[i]);
	}
	/* weights: s3 (w=2) gets about half */
	EXPECT(cnt[2] > 70 && cnt[2] < 130);
	EXPECT(cnt[0] > 25 && cnt[1] > 25);
	/* a down server: its clients move, the others stay */
	srv[0].state = SRV_DOWN;
	lb_server_changed(&srv[0]);
	for (int i = 0; i < 200; i++) {
		snprintf(ip, sizeof(ip), "10.0.%d.%d", i / 250, i % 250 + 1);
		st.cli_addr = v4(ip);
		struct server *s = lb_pick(&be, &st);
		EXPECT(s != &srv[0] && s != NULL);
	}
	/* v4-mapped v6 hashes like v4 */
	struct addr m;
	memset(&m, 0, sizeof(m));
	m.u.in6.sin6_family = AF_INET6;
	inet_pton(AF_INET6, "::ffff:10.0.0.1", &m.u.in6.sin6_addr);
	struct addr a4 = v4("10.0.0.1");
	EXPECT_INT(lb_hash_addr(&m), lb_hash_addr(&a4));
	lb_free(&be);
}

static void t_consistent(void)
{
	int w[] = { 1, 1, 1, 2 }, cnt[MAXS] = { 0 };
	struct server *before[1000];

	setup(LB_SOURCE, 4, w);
	be.hash_consistent = 1;
	EXPECT_INT(lb_init(&be), 0);
	for (int i = 0; i < 1000; i++) {
		before[i] = lb_pick_hash(&be, lb_hash_key((const char *)&i, sizeof(i)));
		EXPECT(before[i] != NULL);
		if (before[i])
			cnt[idx(before[i])]++;
	}
	/* weights: the heavy server gets about 2/5 */
	EXPECT(cnt[3] > 300 && cnt[3] < 500);
	EXPECT(cnt[0] > 120 && cnt[1] > 120 && cnt[2] > 120);
	/* a server going down: only its keys move */
	srv[1].state = SRV_DOWN;
	lb_server_changed(&srv[1]);
	int moved = 0;
	for (int i = 0; i < 1000; i++) {
		struct server *s = lb_pick_hash(&be, lb_hash_key((const char *)&i, sizeof(i)));
		EXPECT(s != &srv[1]);
		if (before[i] != &srv[1] && s != before[i])
			moved++;
	}
	EXPECT_INT(moved, 0);
	/* and back: every key returns where it was */
	srv[1].state = SRV_UP;
	lb_server_changed(&srv[1]);
	for (int i = 0; i < 1000; i++)
		EXPECT(lb_pick_hash(&be, lb_hash_key((const char *)&i, sizeof(i))) == before[i]);
	lb_free(&be);
}

static void t_hash_key(void)
{
	int w[] = { 1, 1, 1, 1 };
	setup(LB_URI, 4, w);
	uint32_t h1 = lb_hash_key("/index.html", 11), h2 = lb_hash_key("/index.html", 11);
	EXPECT_INT(h1, h2);
	EXPECT(lb_hash_key("/a", 2) != lb_hash_key("/b", 2));
	EXPECT(lb_pick_hash(&be, h1) == lb_pick_hash(&be, h2));
	/* a full server spills over to the next one of the map */
	struct server *s = lb_pick_hash(&be, h1);
	s->maxconn = 1;
	lb_take(s);
	struct server *o = lb_pick_hash(&be, h1);
	EXPECT(o != NULL && o != s);
	/* without a key, uri falls back to round robin */
	EXPECT(lb_pick(&be, NULL) != NULL);
	lb_free(&be);
}

static void t_random(void)
{
	int w[] = { 1, 3, 0 }, cnt[MAXS];
	setup(LB_RANDOM, 3, w);
	be.lb_arg = "1";        /* one draw: pure weighted random */
	count(4000, cnt);
	EXPECT_INT(cnt[2], 0);  /* weight 0 */
	EXPECT(cnt[0] > 800 && cnt[0] < 1200);
	EXPECT(cnt[1] > 2800 && cnt[1] < 3200);
	/* two draws with counting: loads stay balanced by weight */
	be.lb_arg = "2";
	for (int i = 0; i < 400; i++)
		lb_take(lb_pick(&be, NULL));
	EXPECT(srv[0].cur_conn > 70 && srv[0].cur_conn < 130);
	/* full and down servers are never drawn */
	srv[1].state = SRV_DOWN;
	lb_server_changed(&srv[1]);
	srv[0].maxconn = srv[0].cur_conn;
	EXPECT(lb_pick(&be, NULL) == NULL);
	be.lb_arg = NULL;
	lb_free(&be);
}

static void t_uri_hdr_keys(void)
{
	struct proxy p;
	const char *k;
	size_t n;

	memset(&p, 0, sizeof(p));
	p.lb = LB_URI;
	n = lb_uri_key(&p, "/a/b/c?x=1", 10, &k);
	EXPECT_INT(n, 6);
	EXPECT_MEM(k, "/a/b/c", 6);
	p.lb_arg = "whole";
	EXPECT_INT(lb_uri_key(&p, "/a/b/c?x=1", 10, &k), 10);
	p.lb_arg = "depth 2";
	n = lb_uri_key(&p, "/a/b/c?x=1", 10, &k);
	EXPECT_INT(n, 4);                       /* "/a/b" */
	p.lb_arg = "len 3 depth 5";
	EXPECT_INT(lb_uri_key(&p, "/a/b/c", 6, &k), 3);
	p.lb_arg = "path-only";
	n = lb_uri_key(&p, "http://example.com:80/x/y?q", 27, &k);
	EXPECT_INT(n, 4);
	EXPECT_MEM(k, "/x/y", 4);
	/* same key for an origin-form URI */
	n = lb_uri_key(&p, "/x/y?q", 6, &k);
	EXPECT_INT(n, 4);

	p.lb = LB_HDR;
	p.lb_arg = "Host";
	n = lb_hdr_key(&p, "haproxy.1wt.eu", 14, &k);
	EXPECT_INT(n, 14);
	p.lb_hdr_domain_only = 1;
	n = lb_hdr_key(&p, "haproxy.1wt.eu", 14, &k);
	EXPECT_INT(n, 3);
	EXPECT_MEM(k, "1wt", 3);
	n = lb_hdr_key(&p, "www.haproxy.1wt.eu:8080", 23, &k);
	EXPECT_INT(n, 3);
	EXPECT_MEM(k, "1wt", 3);
	n = lb_hdr_key(&p, "1wt.eu", 6, &k);
	EXPECT_INT(n, 3);
	EXPECT_MEM(k, "1wt", 3);
	n = lb_hdr_key(&p, "localhost:80", 12, &k);
	EXPECT_INT(n, 9);
}

static void t_map_static_weights(void)
{
	int w[] = { 1, 3 }, cnt[MAXS] = { 0 };
	setup(LB_SOURCE, 2, w);
	srv[0].cur_weight = 3;          /* ignored by map-based hashing */
	lb_server_changed(&srv[0]);
	for (uint32_t h = 0; h < 4000; h++)
		cnt[idx(lb_pick_hash(&be, lb_hash_key((const char *)&h, sizeof(h))))]++;
	EXPECT(cnt[1] > 2700 && cnt[1] < 3300);
	lb_free(&be);
}

static void t_set_weight(void)
{
	int w[] = { 4, 4 }, cnt[MAXS];
	char err[128];

	setup(LB_ROUNDROBIN, 2, w);
	EXPECT_INT(lb_set_weight(&srv[0], "50%", err, sizeof(err)), 0);
	EXPECT_INT(srv[0].cur_weight, 2);
	EXPECT_INT(lb_set_weight(&srv[1], "6", err, sizeof(err)), 0);
	count(80, cnt);
	EXPECT_INT(cnt[0], 20);
	EXPECT_INT(cnt[1], 60);
	EXPECT_INT(lb_set_weight(&srv[0], "300", err, sizeof(err)), -1);
	EXPECT_STR(err, "Absolute weight can only be between 0 and 256 inclusive.");
	EXPECT_INT(lb_set_weight(&srv[0], "-5%", err, sizeof(err)), -1);
	EXPECT_STR(err, "Relative weight must be positive.");
	EXPECT_INT(lb_set_weight(&srv[0], "x", err, sizeof(err)), -1);
	EXPECT_STR(err, "Require <weight> or <weight%>.");
	EXPECT_INT(lb_set_weight(&srv[0], "3x", err, sizeof(err)), -1);
	EXPECT_INT(lb_set_weight(&srv[0], "1000%", err, sizeof(err)), 0);
	EXPECT_INT(srv[0].cur_weight, 40);
	EXPECT_INT(lb_set_weight(&srv[0], "0", err, sizeof(err)), 0);
	count(10, cnt);
	EXPECT_INT(cnt[1], 10);
	lb_free(&be);

	/* static algorithms: only 0 and 100% */
	setup(LB_STATIC_RR, 2, w);
	EXPECT_INT(lb_set_weight(&srv[0], "2", err, sizeof(err)), -1);
	EXPECT_STR(err, "Backend is using a static LB algorithm and only accepts weights '0%' and '100%'.");
	EXPECT_INT(lb_set_weight(&srv[0], "0%", err, sizeof(err)), 0);
	EXPECT_INT(lb_set_weight(&srv[0], "100%", err, sizeof(err)), 0);
	EXPECT_INT(srv[0].cur_weight, 4);
	lb_free(&be);
}

static void t_empty(void)
{
	setup(LB_ROUNDROBIN, 0, NULL);
	EXPECT(lb_pick(&be, NULL) == NULL);
	EXPECT(lb_pick_hash(&be, 42) == NULL);
	lb_free(&be);
	lb_free(&be);   /* twice is safe */
	struct proxy never;
	memset(&never, 0, sizeof(never));
	EXPECT(lb_pick(&never, NULL) == NULL);
}

int main(void)
{
	RUN(t_rr_equal);
	RUN(t_rr_weights);
	RUN(t_rr_zero_weight_and_down);
	RUN(t_rr_runtime_weight);
	RUN(t_static_rr_ignores_runtime_weight);
	RUN(t_backup);
	RUN(t_maxconn);
	RUN(t_maxconn_no_backup_spill);
	RUN(t_leastconn);
	RUN(t_first);
	RUN(t_first_by_id);
	RUN(t_source);
	RUN(t_consistent);
	RUN(t_hash_key);
	RUN(t_random);
	RUN(t_uri_hdr_keys);
	RUN(t_map_static_weights);
	RUN(t_set_weight);
	RUN(t_empty);
	return unit_end();
}
