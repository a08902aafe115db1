/* unique_id.h: HAProxy's "unique-id-format <log-format>" and
 * "unique-id-header <name>" (frontend): each HTTP request gets an
 * identifier built from the format, sent to the server in that header,
 * logged as %ID and read by the "unique-id" fetch. It is built once per
 * request, when first asked for, and at the latest when the request is
 * about to be forwarded. */
#ifndef RP_UNIQUE_ID_H
#define RP_UNIQUE_ID_H

#include <stddef.h>

struct cfg_ctx;
struct proxy;
struct stream;

/* "unique-id-format" / "unique-id-header". Returns 0 or -1 with c->err set. */
int unique_id_cfg(struct cfg_ctx *c, char **args, int nargs);
/* Copies a defaults section's settings into <px>. Returns 0 or -1 (ENOMEM,
 * or a format that does not compile for <px>, with <err> set). */
int unique_id_inherit(struct proxy *px, const struct proxy *def, char *err, size_t errlen);
void unique_id_free(struct proxy *px);

/* Returns the identifier of <s>'s current request, building it if needed,
 * with its length in <*len>; NULL when the frontend has no format (or the
 * stream no HTTP transaction). */
const char *unique_id_get(struct stream *s, size_t *len);
/* Before the request of <s> is forwarded: builds the identifier and adds
 * the "unique-id-header" when configured. */
void unique_id_req(struct stream *s);

/* The "unique-id" fetch is smp_fetch_uid_table (sample.h). */

#endif
