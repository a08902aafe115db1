/* program.c: program sections (program.h). */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/cfg.h"
#include "engine/cli.h"
#include "engine/log.h"
#include "engine/program.h"
#include "engine/timer.h"

struct program {
	struct program *next;
	char *name;
	char **argv;                /* the command's words, NULL-terminated; NULL: none yet */
	uid_t uid;
	gid_t gid;
	int has_uid, has_gid;
	pid_t pid;                  /* running, else 0 */
	uint64_t start_ms;
};

static struct program *programs, **programs_tail = &programs, *program_cur;

int program_cfg_section(struct cfg_ctx *c, char **args, int nargs)
{
	struct program *p;

	program_cur = NULL;
	if (nargs < 2 || !*args[1])
		return cfg_set_err(c, "'program' expects an <id> argument");
	for (p = programs; p; p = p->next)
		if (!strcmp(p->name, args[1]))
			return cfg_set_err(c, "'%s' program section already exists in the configuration.", args[1]);
	if (!(p = calloc(1, sizeof(*p))) || !(p->name = strdup(args[1]))) {
		free(p);
		return cfg_set_err(c, "out of memory.");
	}
	*programs_tail = p;
	programs_tail = &p->next;
	program_cur = p;
	return 0;
}

static void argv_free(char **argv)
{
	for (char **a = argv; a && *a; a++)
		free(*a);
	free(argv);
}

int program_cfg_kw(struct cfg_ctx *c, char **args, int nargs)
{
	struct program *p = program_cur;

	if (!p)
		return 0;           /* the header was refused: its body says nothing more */
	if (!strcmp(args[0], "command")) {
		char **argv;

		if (nargs < 2)
			return cfg_set_err(c, "'command' expects a command with optional arguments separated in words.");
		if (!(argv = calloc((size_t)nargs, sizeof(*argv))))
			return cfg_set_err(c, "out of memory.");
		for (int i = 1; i < nargs; i++)
			if (!(argv[i - 1] = strdup(args[i]))) {
				argv_free(argv);
				return cfg_set_err(c, "out of memory.");
			}
		argv_free(p->argv);  /* the last one wins, as in HAProxy */
		p->argv = argv;
		return 0;
	}
	if (!strcmp(args[0], "user")) {
		struct passwd *pw;

		if (nargs < 2)
			return cfg_set_err(c, "'user' expects a user name.");
		errno = 0;
		if (!(pw = getpwnam(args[1])))
			return cfg_set_err(c, "cannot find user id for '%s' (%d:%s)", args[1], errno, strerror(errno));
		p->uid = pw->pw_uid;
		p->has_uid = 1;
		return 0;
	}
	if (!strcmp(args[0], "group")) {
		struct group *gr;

		if (nargs < 2)
			return cfg_set_err(c, "'group' expects a group name.");
		errno = 0;
		if (!(gr = getgrnam(args[1])))
			return cfg_set_err(c, "cannot find group id for '%s' (%d:%s)", args[1], errno, strerror(errno));
		p->gid = gr->gr_gid;
		p->has_gid = 1;
		return 0;
	}
	if (!strcmp(args[0], "option") || (!strcmp(args[0], "no") && nargs > 1 && !strcmp(args[1], "option"))) {
		const char *o = args[0][0] == 'n' ? (nargs > 2 ? args[2] : "") : (nargs > 1 ? args[1] : "");

		if (strcmp(o, "start-on-reload"))
			return cfg_set_err(c, "unknown option '%s' in 'program' section", o);
		return 0;           /* one process, no reload: nothing to start again */
	}
	return cfg_set_err(c, "unknown keyword '%s' in 'program' section", args[0]);
}

int program_cfg_check(int master_worker)
{
	int errors = 0;

	if (programs && !master_worker) {
		rp_alert("config : Can't use a 'program' section without master worker mode.");
		errors++;
	}
	for (struct program *p = programs; p; p = p->next)
		if (!p->argv) {
			rp_alert("config : The program section '%s' lacks a command to launch.", p->name);
			errors++;
		}
	return errors;
}

/* In the child: the program's identity, default signals, then the command. */
static void program_exec(const struct program *p)
{
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if ((p->has_gid && setgid(p->gid) < 0) || (p->has_uid && setuid(p->uid) < 0)) {
		rp_alert("Cannot change the identity of program '%s' : %s", p->name, strerror(errno));
		_exit(1);
	}
	execvp(p->argv[0], p->argv);
	rp_alert("Cannot execute the program '%s' (%s) : %s", p->name, p->argv[0], strerror(errno));
	_exit(1);
}

int program_start_all(void)
{
	for (struct program *p = programs; p; p = p->next) {
		pid_t pid = fork();

		if (pid < 0) {
			rp_alert("Cannot fork the program '%s' : %s", p->name, strerror(errno));
			return -1;
		}
		if (!pid)
			program_exec(p);
		p->pid = pid;
		p->start_ms = timer_now_ms();
	}
	return 0;
}

void program_stop_all(void)
{
	for (struct program *p = programs; p; p = p->next)
		if (p->pid > 0)
			kill(p->pid, SIGTERM);
	for (struct program *p = programs; p; p = p->next)
		if (p->pid > 0) {
			while (waitpid(p->pid, NULL, 0) < 0 && errno == EINTR)
				;
			p->pid = 0;
		}
}

void program_show(struct cli_out *o, uint64_t now_ms)
{
	for (struct program *p = programs; p; p = p->next) {
		char upt[32];

		cli_fmt_uptime(upt, sizeof(upt), p->pid > 0 && now_ms > p->start_ms ? (now_ms - p->start_ms) / 1000 : 0);
		cli_out_printf(o, "%-15d %-15s %-15s %-15s %-15s\n", (int)p->pid, p->name, "0", upt, "-");
	}
}

void program_free_all(void)
{
	struct program *p;

	while ((p = programs)) {
		programs = p->next;
		argv_free(p->argv);
		free(p->name);
		free(p);
	}
	programs_tail = &programs;
	program_cur = NULL;
}
