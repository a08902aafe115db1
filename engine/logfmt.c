/* logfmt.c: compiles and renders HAProxy log-format strings (logfmt.h).
 * Minimal first version: compilation is refused until the full one lands. */
#include <stdio.h>
#include <stdlib.h>
#include "engine/logfmt.h"
#include "engine/cfg.h"

const char logfmt_tcplog_str[] =
	"%ci:%cp [%t] %ft %b/%s %Tw/%Tc/%Tt %B %ts %ac/%fc/%bc/%sc/%rc %sq/%bq";
const char logfmt_httplog_str[] =
	"%ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %CC %CS %tsc %ac/%fc/%bc/%sc/%rc %sq/%bq %hr %hs %{+Q}r";
const char logfmt_default_str[] =
	"%ci:%cp [%t] %ft %b/%s %Tw/%Tc/%Tt %B %ts %ac/%fc/%bc/%sc/%rc %sq/%bq";

struct logfmt *logfmt_compile(const char *str, struct proxy *px, char *err, size_t errlen)
{
	snprintf(err, errlen, "log-format is not implemented yet");
	return NULL;
}

void logfmt_free(struct logfmt *f)
{
	free(f);
}

int logfmt_cfg_kw(struct cfg_ctx *c, char **args, int nargs)
{
	snprintf(c->err, sizeof(c->err), "'%s' is not implemented yet", args[0]);
	return -1;
}

size_t logfmt_render(const struct logfmt *f, const struct stream *s, uint64_t now_us,
                     char *out, size_t outsz)
{
	if (outsz)
		out[0] = 0;
	return 0;
}
