/* cli.c: the management socket (cli.h). First version: the entry points
 * exist so that others can link; the protocol follows. */
#include <errno.h>
#include <stdlib.h>
#include "engine/cli.h"

int cli_bind(struct config *cfg, char *err, size_t errlen) { (void)cfg; (void)err; (void)errlen; return 0; }
int cli_attach(struct thr *t) { (void)t; return 0; }
void cli_close(void) { }
int cli_start(struct config *cfg, struct thr *t, char *err, size_t errlen)
{
	int rc = cli_bind(cfg, err, errlen);

	return rc < 0 ? rc : cli_attach(t);
}
void cli_stop(void) { cli_close(); }
struct cli_sess *cli_sess_new(struct config *cfg, int level) { (void)cfg; (void)level; return NULL; }
void cli_sess_free(struct cli_sess *s) { (void)s; }
int cli_sess_feed(struct cli_sess *s, const char *buf, size_t len) { (void)s; (void)buf; (void)len; return -ENOMEM; }
const char *cli_sess_output(const struct cli_sess *s, size_t *len) { (void)s; *len = 0; return ""; }
void cli_sess_consume(struct cli_sess *s, size_t n) { (void)s; (void)n; }
