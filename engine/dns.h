/* dns.h: "resolvers" sections and the run-time resolution of server
 * names (HAProxy's "server ... resolvers <id>"). A server whose address is
 * a host name and names a resolvers section is resolved again every
 * "hold valid" over UDP to the section's name servers; a changed answer
 * moves the server to the new address, a failure held long enough puts
 * it in maintenance until a valid answer brings it back.
 *
 * Configuration: dns_cfg_section()/dns_cfg_kw() parse the section,
 * dns_cfg_resolve() links the servers once every file is read. Run time:
 * dns_start() on the thread that resolves; dns_free_all() at exit, after
 * that thread's ring is gone. */
#ifndef RP_DNS_H
#define RP_DNS_H

#include <stddef.h>
#include <stdint.h>

struct cfg_ctx;
struct config;
struct thr;
struct addr;

/* "resolvers <id>": opens a section. Returns 0 or -1 with c->err set. */
int dns_cfg_section(struct cfg_ctx *c, char **args, int nargs);
/* A keyword inside the section. Returns 0 or -1 with c->err set. */
int dns_cfg_kw(struct cfg_ctx *c, char **args, int nargs);
/* Links every server naming a resolvers section to it; prints an alert per
 * error and returns their count. */
int dns_cfg_resolve(struct config *cfg);

/* Opens the name servers' sockets on <t> and starts resolving. Returns the
 * number of resolutions started, or -errno. */
int dns_start(struct thr *t);
/* Frees every section and its run-time state; the thread that ran them
 * must be stopped and its ring freed (nothing is cancelled here). */
void dns_free_all(void);

/* Wire format, exposed for the unit test. dns_build_query() writes a
 * query for <name> of <qtype> (1 = A, 28 = AAAA) with an EDNS payload size
 * of <payload> into <buf>; returns its length or -1 (bad name, no room).
 * dns_parse_answer() reads the response <p>/<n> to query <id>/<qtype>:
 * returns the DNS rcode (0 = NOERROR, 3 = NXDOMAIN, 5 = REFUSED...) and
 * fills <out> with up to <max> addresses of that type (port 0), setting
 * <*nb>; -1 for a malformed or foreign response, -2 for a truncated one. */
int dns_build_query(uint8_t *buf, size_t cap, uint16_t id, const char *name, int qtype, int payload);
int dns_parse_answer(const uint8_t *p, size_t n, uint16_t id, int qtype, struct addr *out, int max, int *nb);

#endif
