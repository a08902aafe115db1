/* cli_table.c: the stick-table commands of the management socket —
 * "show table", "clear table", "set table" — with HAProxy 2.6's output. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "engine/cli.h"
#include "engine/stick.h"

void cli_cmd_show_table(struct cli_ctx *c, char **args, int nargs)
{
	cli_out_str(c->out, "Not implemented yet.\n");
}

void cli_cmd_clear_table(struct cli_ctx *c, char **args, int nargs)
{
	cli_out_str(c->out, "Not implemented yet.\n");
}

void cli_cmd_set_table(struct cli_ctx *c, char **args, int nargs)
{
	cli_out_str(c->out, "Not implemented yet.\n");
}
