/* cli_srv.c: the management socket's commands on frontends and servers
 * beyond their state (cli.h): "enable|disable frontend", "enable|disable
 * health", "enable|disable agent", "add server" and "del server", with
 * HAProxy 2.6's answers. A deleted server is unlinked from its backend and
 * kept until cli_close(): Lua Server objects may still point to it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "engine/cfg.h"
#include "engine/cfg_srv.h"
#include "engine/cli.h"
#include "engine/lb.h"
#include "engine/listener.h"
#include "engine/proxy.h"
#include "engine/thread.h"

/* Servers removed by "del server", freed at exit. */
static struct server *cli_srv_graveyard;

/* Pauses (<pause>) or resumes the listening TCP sockets of frontend <px>
 * as HAProxy does: a paused socket leaves the LISTEN state, so that new
 * clients are refused at once (and those in the backlog reset) rather than
 * left waiting; resuming listens again. */
/* Addresses of the paused sockets: leaving LISTEN may release a port the
 * kernel chose (an inherited fd@ socket bound to port 0), so resuming
 * binds it again to the same address. */
#define CLI_PAUSED_MAX 64
static struct { int fd; socklen_t len; struct sockaddr_storage ss; } cli_paused[CLI_PAUSED_MAX];
static int cli_nb_paused;

static void cli_fe_sockets(const struct config *cfg, struct proxy *px, int pause)
{
	if (!thr_cur)
		return;
	for (struct listener *l = thr_cur->listeners; l; l = l->next) {
		const struct bind_conf *b = l->bind;

		if (l->px != px || l->fd < 0 || b->addr.u.sa.sa_family == AF_UNIX)
			continue;
		if (pause) {
			if (cli_nb_paused < CLI_PAUSED_MAX) {
				cli_paused[cli_nb_paused].fd = l->fd;
				cli_paused[cli_nb_paused].len = sizeof(cli_paused[0].ss);
				if (getsockname(l->fd, (struct sockaddr *)&cli_paused[cli_nb_paused].ss,
				                &cli_paused[cli_nb_paused].len) == 0)
					cli_nb_paused++;
			}
			shutdown(l->fd, SHUT_RD);
			continue;
		}
		for (int i = 0; i < cli_nb_paused; i++) {
			if (cli_paused[i].fd != l->fd)
				continue;
			/* a socket whose port the kernel had chosen lost it (and
			 * getsockname() does not tell): bind again, which fails
			 * harmlessly (EINVAL) where the port was kept */
			bind(l->fd, (struct sockaddr *)&cli_paused[i].ss, cli_paused[i].len);
			cli_paused[i] = cli_paused[--cli_nb_paused];
			break;
		}
		listen(l->fd, b->backlog > 0 ? b->backlog : px->maxconn > 0 ? px->maxconn :
		       cfg->g.maxconn > 0 ? cfg->g.maxconn : 1024);
	}
}

/* "enable frontend <fe>" / "disable frontend <fe>": its listeners stop or
 * resume accepting; while paused, new clients are refused. */
void cli_cmd_frontend(struct cli_ctx *c, char **args, int nargs)
{
	int disable = !strcmp(args[0], "disable");
	struct proxy *px;

	if (nargs < 3) {
		cli_out_str(c->out, "A frontend name is expected.\n");
		return;
	}
	if (!(px = proxy_find(c->cfg, args[2], PX_CAP_FE))) {
		cli_out_str(c->out, "No such frontend.\n");
		return;
	}
	if (px->disabled) {
		cli_out_str(c->out, "Frontend was previously shut down, cannot enable/disable.\n");
		return;
	}
	if (!!px->fe_paused == disable) {
		cli_out_str(c->out, disable ? "All sockets are already disabled.\n"
		                            : "All sockets are already enabled.\n");
		return;
	}
	/* resuming: listen before re-arming the accepts; pausing: stop
	 * accepting, then leave the LISTEN state */
	if (!disable)
		cli_fe_sockets(c->cfg, px, 0);
	px->fe_paused = disable;
	if (thr_cur)
		listeners_update(thr_cur);  /* cancels or re-arms the accepts */
	if (disable)
		cli_fe_sockets(c->cfg, px, 1);
}

/* "enable health <b>/<s>" / "disable health <b>/<s>": a disabled check
 * does not run and the server keeps its state. Silent, as HAProxy. */
void cli_cmd_health(struct cli_ctx *c, char **args, int nargs)
{
	struct server *s = cli_find_server(c, nargs > 2 ? args[2] : NULL);

	if (s)
		s->check_paused = !strcmp(args[0], "disable");
}

/* "enable agent <b>/<s>" / "disable agent <b>/<s>". */
void cli_cmd_agent(struct cli_ctx *c, char **args, int nargs)
{
	struct server *s = cli_find_server(c, nargs > 2 ? args[2] : NULL);
	int disable = !strcmp(args[0], "disable");

	if (!s)
		return;
	if (!disable && !s->agent_check) {
		cli_out_str(c->out, "Agent was not configured on this server, cannot enable.\n");
		return;
	}
	s->agent_paused = disable;
}

/* Keywords of a server line ringproxy cannot honour on a server added at
 * run time (their set-up happens once after parsing). */
static const char *const cli_srv_static_kw[] = {
	"check", "agent-check", "ssl", "track", "resolvers", NULL
};

/* "add server <b>/<s> <addr>[:<port>] [keywords...]": HAProxy 2.6 (no
 * experimental mode needed). The server starts in maintenance, as there;
 * "default-server" does not apply to it. Answers without the closing empty
 * line on errors and success, as HAProxy 2.6 does. */
void cli_cmd_add_server(struct cli_ctx *c, char **args, int nargs)
{
	char name[256], *slash;
	struct cfg_ctx cc;
	struct proxy *px;
	struct server *saved_def, *s;
	int rc;

	*c->no_eol = 1;
	if (nargs < 3 || !(slash = strchr(args[2], '/')) || (size_t)(slash - args[2]) >= sizeof(name)) {
		cli_out_str(c->out, "Require 'backend/server'.\n");
		return;
	}
	memcpy(name, args[2], (size_t)(slash - args[2]));
	name[slash - args[2]] = 0;
	if (!(px = proxy_find(c->cfg, name, PX_CAP_BE))) {
		cli_out_str(c->out, "No such backend.\n");
		return;
	}
	*c->no_eol = 0;
	if (nargs < 4 || !slash[1]) {
		cli_out_str(c->out, "'server' expects <name> and <addr>[:<port>] as arguments.\n");
		return;
	}
	if (server_find(px, slash + 1)) {
		cli_out_str(c->out, "Already exists a server with the same name in backend.\n");
		return;
	}
	for (int i = 4; i < nargs; i++) {
		for (const char *const *k = cli_srv_static_kw; *k; k++) {
			if (!strcmp(args[i], *k)) {
				cli_out_printf(c->out, "'%s' is not supported yet on servers added at run time.\n", *k);
				return;
			}
		}
	}
	/* the configuration's parser, on a line "server <s> <addr> ..." */
	memset(&cc, 0, sizeof(cc));
	cc.cfg = c->cfg;
	cc.file = "stats socket command";
	cc.sec = CFG_SEC_BACKEND;
	cc.px = px;
	args[2] = slash + 1;
	saved_def = px->defsrv;
	px->defsrv = NULL;
	rc = cfg_srv_server(&cc, args + 1, nargs - 1);
	px->defsrv = saved_def;
	if (rc < 0) {
		const char *e = cc.err, *p;

		/* the parser's message without its "'server b/s' : " prefix */
		if (!strncmp(e, "'server ", 8) && (p = strstr(e, "' : ")))
			e = p + 4;
		cli_out_printf(c->out, "%s\n", rc == -1 && *e ? e : "Failed to create the server.");
		return;
	}
	if (!(s = server_find(px, slash + 1)))
		return;
	s->state = SRV_MAINT;
	if (lb_init(px) < 0) {      /* the balancer's list of servers */
		cli_out_str(c->out, "Out of memory error.\n");
		return;
	}
	cli_out_str(c->out, "New server registered.\n");
}

/* "del server <b>/<s>": only a server in maintenance with no connection
 * and nothing queued. */
void cli_cmd_del_server(struct cli_ctx *c, char **args, int nargs)
{
	struct server *s, **pp;

	*c->no_eol = 1;
	if (!(s = cli_find_server(c, nargs > 2 ? args[2] : NULL)))
		return;
	if (s->state != SRV_MAINT) {
		cli_out_str(c->out, "Only servers in maintenance mode can be deleted.\n");
		return;
	}
	if (s->cur_conn || s->nb_queued) {
		cli_out_str(c->out, "Server still has connections attached to it, cannot remove it.\n");
		return;
	}
	if (s->check_ctx) {
		cli_out_str(c->out, "Server has health checks running, disable them first ('disable health').\n");
		return;
	}
	for (pp = &s->px->srv; *pp && *pp != s; pp = &(*pp)->next)
		;
	if (!*pp)
		return;
	*pp = s->next;
	s->px->nb_srv--;
	lb_init(s->px);             /* smaller: cannot fail */
	s->next = cli_srv_graveyard;
	cli_srv_graveyard = s;
	cli_out_str(c->out, "Server deleted.\n");
}

void cli_srv_free_deleted(void)
{
	while (cli_srv_graveyard) {
		struct server *s = cli_srv_graveyard;

		cli_srv_graveyard = s->next;
		s->next = NULL;
		server_free(s);
	}
}
