/* test_listener.c: the PROXY protocol parser and builder of listener.c
 * ("bind ... accept-proxy", "server ... send-proxy"): v1 and v2, partial
 * input, garbage, LOCAL/UNKNOWN, round trip. */
#include <arpa/inet.h>
#include "tests/unit/unit.h"
#include "engine/listener.h"

static char ipbuf[64];

static const char *ip(const struct addr *a)
{
	if (a->u.sa.sa_family == AF_INET)
		inet_ntop(AF_INET, &a->u.in4.sin_addr, ipbuf, sizeof(ipbuf));
	else if (a->u.sa.sa_family == AF_INET6)
		inet_ntop(AF_INET6, &a->u.in6.sin6_addr, ipbuf, sizeof(ipbuf));
	else
		snprintf(ipbuf, sizeof(ipbuf), "?");
	return ipbuf;
}

static int port(const struct addr *a)
{
	return a->u.sa.sa_family == AF_INET ? ntohs(a->u.in4.sin_port) : ntohs(a->u.in6.sin6_port);
}

static void t_v1(void)
{
	struct addr src, dst;
	size_t need;
	const char *h = "PROXY TCP4 192.168.0.1 10.0.0.2 56324 443\r\nDATA";

	memset(&src, 0, sizeof(src));
	memset(&dst, 0, sizeof(dst));
	EXPECT_INT(listener_proxy_hdr_parse(h, strlen(h), &src, &dst, &need), 43);
	EXPECT_STR(ip(&src), "192.168.0.1");
	EXPECT_INT(port(&src), 56324);
	EXPECT_STR(ip(&dst), "10.0.0.2");
	EXPECT_INT(port(&dst), 443);
	/* partial: every prefix asks for more */
	for (size_t n = 0; n < 43; n++)
		EXPECT_INT(listener_proxy_hdr_parse(h, n, &src, &dst, &need), 0);
	h = "PROXY TCP6 2001:db8::1 ::1 1 65535\r\n";
	EXPECT_INT(listener_proxy_hdr_parse(h, strlen(h), &src, &dst, &need), (long long)strlen(h));
	EXPECT_STR(ip(&src), "2001:db8::1");
	EXPECT_INT(port(&dst), 65535);
	/* UNKNOWN keeps the addresses */
	src.u.in4.sin_port = htons(7);
	h = "PROXY UNKNOWN whatever\r\n";
	EXPECT_INT(listener_proxy_hdr_parse(h, strlen(h), &src, &dst, &need), (long long)strlen(h));
	EXPECT_INT(ntohs(src.u.in4.sin_port), 7);
}

static void t_v1_bad(void)
{
	struct addr src, dst;
	size_t need;
	const char *bad[] = {
		"GET / HTTP/1.1\r\n",
		"PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n",          /* LF without CR */
		"PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n",          /* a field missing */
		"PROXY TCP4 1.2.3.4 5.6.7.8 1 70000\r\n",    /* port out of range */
		"PROXY TCP4 ::1 5.6.7.8 1 2\r\n",            /* v6 in a TCP4 line */
		"PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n",
	};
	char longl[200];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		EXPECT_INT(listener_proxy_hdr_parse(bad[i], strlen(bad[i]), &src, &dst, &need), -1);
	memset(longl, 'x', sizeof(longl));
	memcpy(longl, "PROXY TCP4 ", 11);
	EXPECT_INT(listener_proxy_hdr_parse(longl, sizeof(longl), &src, &dst, &need), -1);
}

static void t_v2(void)
{
	struct addr src, dst;
	size_t need;
	unsigned char h[64] = "\r\n\r\n\0\r\nQUIT\n";

	h[12] = 0x21;                 /* v2, PROXY */
	h[13] = 0x11;                 /* TCP over IPv4 */
	h[14] = 0;
	h[15] = 12 + 5;               /* addresses + a 5-byte TLV */
	memcpy(h + 16, "\x0a\x01\x02\x03" "\x0a\x09\x09\x09" "\x11\x5c" "\x00\x50", 12);
	memcpy(h + 28, "\x04\x00\x02hi", 5);
	memcpy(h + 33, "rest", 4);
	EXPECT_INT(listener_proxy_hdr_parse((char *)h, 37, &src, &dst, &need), 33);
	EXPECT_STR(ip(&src), "10.1.2.3");
	EXPECT_INT(port(&src), 4444);
	EXPECT_STR(ip(&dst), "10.9.9.9");
	EXPECT_INT(port(&dst), 80);
	EXPECT_INT(listener_proxy_hdr_parse((char *)h, 20, &src, &dst, &need), 0);
	EXPECT_INT(need, 33);
	/* LOCAL: accepted, addresses untouched */
	h[12] = 0x20;
	src.u.in4.sin_port = htons(9);
	EXPECT_INT(listener_proxy_hdr_parse((char *)h, 37, &src, &dst, &need), 33);
	EXPECT_INT(ntohs(src.u.in4.sin_port), 9);
	/* bad version, bad command, bad signature */
	h[12] = 0x11;
	EXPECT_INT(listener_proxy_hdr_parse((char *)h, 37, &src, &dst, &need), -1);
	h[12] = 0x2f;
	EXPECT_INT(listener_proxy_hdr_parse((char *)h, 37, &src, &dst, &need), -1);
	h[12] = 0x21;
	h[5] = 'x';
	EXPECT_INT(listener_proxy_hdr_parse((char *)h, 37, &src, &dst, &need), -1);
	/* an IPv6 block too short for its family */
	h[5] = '\r';
	h[13] = 0x21;
	EXPECT_INT(listener_proxy_hdr_parse((char *)h, 37, &src, &dst, &need), -1);
}

static void t_build_roundtrip(void)
{
	struct addr a, b, src, dst;
	char out[128];
	size_t n, need;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.u.in4.sin_family = b.u.in4.sin_family = AF_INET;
	inet_pton(AF_INET, "127.0.0.5", &a.u.in4.sin_addr);
	inet_pton(AF_INET, "127.0.0.1", &b.u.in4.sin_addr);
	a.u.in4.sin_port = htons(40000);
	b.u.in4.sin_port = htons(8080);
	n = listener_proxy_hdr_build(out, sizeof(out), &a, &b);
	out[n] = 0;
	EXPECT_STR(out, "PROXY TCP4 127.0.0.5 127.0.0.1 40000 8080\r\n");
	EXPECT_INT(listener_proxy_hdr_parse(out, n, &src, &dst, &need), (long long)n);
	EXPECT_STR(ip(&src), "127.0.0.5");
	EXPECT_INT(port(&dst), 8080);
	a.u.sa.sa_family = AF_UNIX;
	n = listener_proxy_hdr_build(out, sizeof(out), &a, &b);
	out[n] = 0;
	EXPECT_STR(out, "PROXY UNKNOWN\r\n");
	EXPECT_INT(listener_proxy_hdr_build(out, 5, &a, &b), 0);
}

static void t_build_v2_roundtrip(void)
{
	struct addr a, b, src, dst;
	char out[128];
	size_t n, need;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.u.in6.sin6_family = b.u.in6.sin6_family = AF_INET6;
	inet_pton(AF_INET6, "2001:db8::5", &a.u.in6.sin6_addr);
	inet_pton(AF_INET6, "::1", &b.u.in6.sin6_addr);
	a.u.in6.sin6_port = htons(50000);
	b.u.in6.sin6_port = htons(443);
	n = listener_proxy_hdr_build_v2(out, sizeof(out), &a, &b);
	EXPECT_INT(n, 52);
	EXPECT_INT(listener_proxy_hdr_parse(out, n, &src, &dst, &need), 52);
	EXPECT_STR(ip(&src), "2001:db8::5");
	EXPECT_INT(port(&src), 50000);
	EXPECT_INT(port(&dst), 443);
	a.u.in4.sin_family = b.u.in4.sin_family = AF_INET;
	inet_pton(AF_INET, "10.0.0.1", &a.u.in4.sin_addr);
	inet_pton(AF_INET, "10.0.0.2", &b.u.in4.sin_addr);
	n = listener_proxy_hdr_build_v2(out, sizeof(out), &a, &b);
	EXPECT_INT(n, 28);
	EXPECT_INT(listener_proxy_hdr_parse(out, n, &src, &dst, &need), 28);
	EXPECT_STR(ip(&dst), "10.0.0.2");
	a.u.sa.sa_family = AF_UNIX;
	n = listener_proxy_hdr_build_v2(out, sizeof(out), &a, &b);
	EXPECT_INT(n, 16);                 /* UNSPEC, no address block */
	EXPECT_INT(listener_proxy_hdr_parse(out, n, &src, &dst, &need), 16);
	EXPECT_INT(listener_proxy_hdr_build_v2(out, 20, &a, &b), 16);
	a.u.sa.sa_family = AF_INET;
	EXPECT_INT(listener_proxy_hdr_build_v2(out, 20, &a, &b), 0);   /* too small */
}

int main(void)
{
	RUN(t_v1);
	RUN(t_v1_bad);
	RUN(t_v2);
	RUN(t_build_roundtrip);
	RUN(t_build_v2_roundtrip);
	return unit_end();
}
