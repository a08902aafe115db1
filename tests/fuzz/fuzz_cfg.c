/* fuzz_cfg.c: libFuzzer target for the configuration parser. The input is
 * parsed as one configuration file, then freed: the parser must neither
 * crash nor leak, whatever the bytes (NULs, unterminated quotes, huge
 * lines, every keyword with every arity). Run with -close_fd_mask=2 to
 * silence the [ALERT] lines. */
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "engine/cfg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config cfg;
	char *text = malloc(size + 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;      /* cfg_parse_string() stops at the first NUL */
	memset(&cfg, 0, sizeof(cfg));
	cfg_parse_string(&cfg, "fuzz.cfg", text);
	cfg_free(&cfg);
	free(text);
	return 0;
}
