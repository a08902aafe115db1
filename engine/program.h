/* program.h: HAProxy's "program <name>" sections: external commands that
 * the master process starts with the proxy and stops when it exits
 * (master-worker mode). ringproxy is its own master: it starts each
 * command once the listeners are bound and sends it SIGTERM at exit. */
#ifndef RP_PROGRAM_H
#define RP_PROGRAM_H

#include <stdint.h>

struct cfg_ctx;
struct cli_out;

/* "program <name>": opens a section. Returns 0 or -1 with c->err set. */
int program_cfg_section(struct cfg_ctx *c, char **args, int nargs);
/* A line inside the section: command, user, group, [no] option
 * start-on-reload. Returns 0 or -1 with c->err set. */
int program_cfg_kw(struct cfg_ctx *c, char **args, int nargs);
/* Checks the sections once every file is read (a command each, the
 * master-worker mode given by <master_worker>). Prints an alert per
 * problem and returns their count. */
int program_cfg_check(int master_worker);
/* Starts every program. Returns 0, or -1 after an alert. */
int program_start_all(void);
/* Sends SIGTERM to the programs still running and reaps them. */
void program_stop_all(void);
/* Writes the "show proc" line of every program (<now_ms>: timer_now_ms()). */
void program_show(struct cli_out *o, uint64_t now_ms);
void program_free_all(void);

#endif
