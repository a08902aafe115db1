/* test_dns.c: the DNS wire format of dns.c (queries built, answers read)
 * and the resolvers section's configuration errors. */
#include <arpa/inet.h>
#include "unit.h"
#include "engine/dns.h"
#include "engine/cfg.h"
#include "engine/proxy.h"

static void t_query_bytes(void)
{
	uint8_t b[512];
	static const uint8_t want[] = {
		0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 1,
		3, 'a', 'p', 'p', 4, 't', 'e', 's', 't', 0, 0, 1, 0, 1,
		0, 0, 41, 0x10, 0x00, 0, 0, 0, 0, 0, 0,
	};
	int n = dns_build_query(b, sizeof(b), 0x1234, "app.test.", 1, 4096);

	EXPECT_INT(n, sizeof(want));
	EXPECT(n == (int)sizeof(want) && !memcmp(b, want, sizeof(want)));
	EXPECT_INT(dns_build_query(b, sizeof(b), 1, "a..b", 1, 512), -1);
	EXPECT_INT(dns_build_query(b, sizeof(b), 1, "", 1, 512), -1);
	EXPECT_INT(dns_build_query(b, 20, 1, "app.test", 1, 512), -1);
	char lbl[80];
	memset(lbl, 'x', 64); lbl[64] = 0;           /* a label of 64 bytes */
	EXPECT_INT(dns_build_query(b, sizeof(b), 1, lbl, 1, 512), -1);
}

/* Builds an answer to query <q>/<qn>: header with <rcode>/<flags>, then
 * the question and <an> raw answer bytes counted as <nan> records. */
static size_t answer(uint8_t *out, const uint8_t *q, int qn, int flags, int nan, const uint8_t *an, size_t anl)
{
	size_t ql = (size_t)qn - 11;                 /* question, without the OPT record */

	memcpy(out, q, 12);
	out[2] = (uint8_t)(0x81 | (flags >> 8));
	out[3] = (uint8_t)(0x80 | (flags & 0xff));
	out[6] = 0; out[7] = (uint8_t)nan;
	out[10] = out[11] = 0;
	memcpy(out + 12, q + 12, ql - 12);
	if (anl)
		memcpy(out + ql, an, anl);
	return ql + anl;
}

static void t_parse(void)
{
	uint8_t q[512], r[1024];
	struct addr ips[4];
	int nb, qn = dns_build_query(q, sizeof(q), 7, "app.test", 1, 512);
	/* a CNAME, then two A records, all names compressed to the question */
	static const uint8_t an[] = {
		0xc0, 0x0c, 0, 5, 0, 1, 0, 0, 0, 60, 0, 2, 0xc0, 0x0c,
		0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 0, 0, 1,
		0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 0, 0, 2,
	};
	size_t n = answer(r, q, qn, 0, 3, an, sizeof(an));
	char ip[INET_ADDRSTRLEN];

	EXPECT_INT(dns_parse_answer(r, n, 7, 1, ips, 4, &nb), 0);
	EXPECT_INT(nb, 2);
	inet_ntop(AF_INET, &ips[1].u.in4.sin_addr, ip, sizeof(ip));
	EXPECT_STR(ip, "10.0.0.2");
	EXPECT_INT(ips[0].u.sa.sa_family, AF_INET);
	/* at most <max> addresses */
	EXPECT_INT(dns_parse_answer(r, n, 7, 1, ips, 1, &nb), 0);
	EXPECT_INT(nb, 1);
	/* another id, another type asked: not ours */
	EXPECT_INT(dns_parse_answer(r, n, 8, 1, ips, 4, &nb), -1);
	EXPECT_INT(dns_parse_answer(r, n, 7, 28, ips, 4, &nb), -1);
	/* every truncation of the record section is refused, never read past */
	for (size_t cut = n - sizeof(an) + 1; cut < n; cut++) {
		int rc = dns_parse_answer(r, cut, 7, 1, ips, 4, &nb);
		EXPECT(rc == -1 || (rc == 0 && nb < 2));
	}
	/* NXDOMAIN and REFUSED come back as their rcode, with no address */
	n = answer(r, q, qn, 3, 0, NULL, 0);
	EXPECT_INT(dns_parse_answer(r, n, 7, 1, ips, 4, &nb), 3);
	EXPECT_INT(nb, 0);
	n = answer(r, q, qn, 5, 0, NULL, 0);
	EXPECT_INT(dns_parse_answer(r, n, 7, 1, ips, 4, &nb), 5);
	/* TC set: -2 */
	n = answer(r, q, qn, 0x200, 0, NULL, 0);
	EXPECT_INT(dns_parse_answer(r, n, 7, 1, ips, 4, &nb), -2);
	/* a query (QR clear) is not an answer */
	EXPECT_INT(dns_parse_answer(q, (size_t)qn, 7, 1, ips, 4, &nb), -1);
	/* AAAA */
	qn = dns_build_query(q, sizeof(q), 9, "v6.test", 28, 512);
	static const uint8_t an6[] = {
		0xc0, 0x0c, 0, 28, 0, 1, 0, 0, 0, 60, 0, 16,
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
	};
	n = answer(r, q, qn, 0, 1, an6, sizeof(an6));
	EXPECT_INT(dns_parse_answer(r, n, 9, 28, ips, 4, &nb), 0);
	EXPECT_INT(nb, 1);
	EXPECT_INT(ips[0].u.sa.sa_family, AF_INET6);
}

static void t_cfg_errors(void)
{
	struct config cfg;
	int rc;

	memset(&cfg, 0, sizeof(cfg));
	rc = cfg_parse_string(&cfg, "t.cfg",
		"resolvers d\n nameserver a 127.0.0.1:53\n nameserver a 127.0.0.1:54\n hold foo 1s\n bogus\n"
		"defaults\n mode http\n timeout connect 1s\n timeout client 1s\n timeout server 1s\n"
		"backend b\n server s app.invalid:80 resolvers nope init-addr none\n");
	EXPECT(rc != 0);
	cfg_free(&cfg);
	memset(&cfg, 0, sizeof(cfg));
	rc = cfg_parse_string(&cfg, "t.cfg",
		"resolvers d\n nameserver a 127.0.0.1:53\n parse-resolv-conf\n hold nx 2s\n timeout retry 300ms\n"
		"defaults\n mode http\n timeout connect 1s\n timeout client 1s\n timeout server 1s\n"
		"backend b\n default-server resolvers d resolve-prefer ipv4\n server s app.invalid:80 init-addr none\n"
		" server t 127.0.0.1:80\n");
	EXPECT_INT(rc, 0);
	const struct server *s = cfg.proxies ? cfg.proxies->srv : NULL;
	EXPECT(s && s->resolvers_id && !strcmp(s->resolvers_id, "d"));
	EXPECT(s && s->resolve_prefer == AF_INET && s->state == SRV_MAINT && s->dns_maint && !s->disabled);
	cfg_free(&cfg);
}

int main(void)
{
	RUN(t_query_bytes);
	RUN(t_parse);
	RUN(t_cfg_errors);
	return unit_end();
}
