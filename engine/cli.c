/* cli.c: the management socket (cli.h): listening sockets, clients served
 * through the thread's ring, and the line protocol (split, escape,
 * dispatch, levels, prompt, help). The commands are in cli_cmds.c.
 * The CLI belongs to the thread it is attached to (thread 0); its state
 * is process-wide because there is one set of stats sockets per process. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include "engine/cli.h"
#include "engine/log.h"
#include "engine/proxy.h"
#include "engine/ring.h"
#include "engine/thread.h"
#include "engine/timer.h"

#define CLI_INBUF    16384     /* longest command line accepted */
#define CLI_MAXARGS  64        /* words per command, as HAProxy's MAX_CLI_ARGS */
#define CLI_STOP_POLL_MS 500   /* how often a soft stop is looked for */
#define CLI_RETRY_MS     100   /* accept again after an error */
#define CLI_PAYLOAD_MAX  (1 << 20) /* largest "<<" payload */

struct cli_info cli_info;

/* ---- the protocol, no I/O ---- */

struct cli_sess {
	struct config *cfg;
	int level;                 /* CLI_LVL_*, lowered by "user"/"operator" */
	int prompt;                /* interactive mode */
	int over;                  /* quit, or a non-interactive session answered */
	int answered;              /* over because non-interactive lines were answered:
	                            * more input that was already there continues it */
	int in_payload;            /* a "<<" line was read: lines up to an empty one */
	int master;                /* the master CLI (-S) */
	int in_master;             /* the running command is the master's */
	int experimental;          /* "experimental-mode on" */
	uint32_t timeout_ms;       /* "set timeout cli", 0: "stats timeout" */
	size_t inlen;
	struct cli_out out;
	struct cli_out pl_cmd;     /* the command line that opened the payload */
	struct cli_out payload;    /* its lines, each ending with LF */
	char in[CLI_INBUF];
};

void cli_out_add(struct cli_out *o, const char *s, size_t n)
{
	if (o->failed)
		return;
	if (o->len + n + 1 > o->cap) {
		size_t cap = o->cap ? o->cap : 1024;
		char *p;

		while (cap < o->len + n + 1)
			cap *= 2;
		if (!(p = realloc(o->p, cap))) {
			o->failed = 1;
			return;
		}
		o->p = p;
		o->cap = cap;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
	o->p[o->len] = 0;
}

void cli_out_str(struct cli_out *o, const char *s)
{
	cli_out_add(o, s, strlen(s));
}

void cli_out_printf(struct cli_out *o, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(buf)) {
		cli_out_add(o, buf, (size_t)n);
		return;
	}
	/* longer than the stack buffer: format again, whole */
	{
		char *big = malloc((size_t)n + 1);

		if (!big) {
			o->failed = 1;
			return;
		}
		va_start(ap, fmt);
		vsnprintf(big, (size_t)n + 1, fmt, ap);
		va_end(ap);
		cli_out_add(o, big, (size_t)n);
		free(big);
	}
}

struct cli_sess *cli_sess_new(struct config *cfg, int level)
{
	struct cli_sess *s = malloc(sizeof(*s));

	if (!s)
		return NULL;
	s->cfg = cfg;
	s->level = level;
	s->experimental = 0;
	s->prompt = 0;
	s->over = 0;
	s->answered = 0;
	s->in_payload = 0;
	s->master = s->in_master = 0;
	s->timeout_ms = 0;
	s->inlen = 0;
	memset(&s->out, 0, sizeof(s->out));
	memset(&s->pl_cmd, 0, sizeof(s->pl_cmd));
	memset(&s->payload, 0, sizeof(s->payload));
	return s;
}

void cli_sess_free(struct cli_sess *s)
{
	if (!s)
		return;
	free(s->out.p);
	free(s->pl_cmd.p);
	free(s->payload.p);
	free(s);
}

const char *cli_sess_output(const struct cli_sess *s, size_t *len)
{
	*len = s->out.len;
	return s->out.p ? s->out.p : "";
}

uint32_t cli_sess_timeout(const struct cli_sess *s)
{
	return s->timeout_ms;
}

void cli_sess_consume(struct cli_sess *s, size_t n)
{
	if (n >= s->out.len) {
		s->out.len = 0;
		return;
	}
	memmove(s->out.p, s->out.p + n, s->out.len - n);
	s->out.len -= n;
}

/* Writes one "help" line for <kw>. */
static void cli_usage_line(struct cli_out *o, const struct cli_kw *kw)
{
	const char *colon = strstr(kw->usage, " : ");
	int w = colon ? (int)(colon - kw->usage) : (int)strlen(kw->usage);

	cli_out_printf(o, "  %-40.*s: %s\n", w, kw->usage, colon ? colon + 3 : "");
}

/* Returns 1 when <kw> is one of the master's commands (master CLI). */
static int cli_kw_master(const struct cli_kw *kw)
{
	static const char *const cmds[] = { "help", "prompt", "quit", "operator", "user", "show proc",
	                                    "show version", "show cli" };
	char name[64];

	snprintf(name, sizeof(name), "%s%s%s", kw->words[0], kw->words[1] ? " " : "",
	         kw->words[1] ? kw->words[1] : "");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(*cmds); i++)
		if (!strcmp(name, cmds[i]))
			return 1;
	return 0;
}

/* Returns 1 when <kw> can run in <s> now: listed, allowed at its level,
 * and the master's command for the master, a worker's for a worker
 * ("show proc" is the master's only). */
static int cli_kw_usable(const struct cli_sess *s, const struct cli_kw *kw)
{
	if (!kw->usage || cli_kw_level(kw) > s->level || ((kw->level & CLI_EXPERIMENTAL) && !s->experimental))
		return 0;
	if (s->in_master)
		return cli_kw_master(kw);
	return strcmp(kw->words[0], "show") || !kw->words[1] || strcmp(kw->words[1], "proc");
}

/* Returns 1 if the first words of <args> are those of <kw>. */
static int cli_kw_match(const struct cli_kw *kw, char **args, int nargs)
{
	for (int i = 0; i < 3 && kw->words[i]; i++)
		if (i >= nargs || strcmp(kw->words[i], args[i]))
			return 0;
	return 1;
}

/* Returns the number of bigrams of <a> also found in <b> (each pair of
 * <b> counts once), how "help" ranks commands close to a mistyped one. */
static int cli_bigram_score(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned char used[128];
	int score = 0;

	if (lb > sizeof(used))
		lb = sizeof(used);
	memset(used, 0, sizeof(used));
	for (size_t i = 0; i + 1 < la; i++)
		for (size_t j = 0; j + 1 < lb; j++)
			if (!used[j] && a[i] == b[j] && a[i + 1] == b[j + 1]) {
				used[j] = 1;
				score++;
				break;
			}
	return score;
}

/* The answer to an unknown command: the commands closest to what was typed
 * (at most 5, best first), or every command when nothing is close, then
 * help/prompt/quit, as HAProxy answers. */
static void cli_unknown(struct cli_sess *s, char **args, int nargs)
{
	char typed[256];
	size_t tl = 0;
	const struct cli_kw *best[5] = { 0 };
	int bscore[5] = { 0 };

	typed[0] = 0;
	for (int i = 0; i < nargs && tl + 2 < sizeof(typed); i++)
		tl += (size_t)snprintf(typed + tl, sizeof(typed) - tl, "%s%s", i ? " " : "", args[i]);
	if (tl >= sizeof(typed))
		tl = sizeof(typed) - 1;
	for (const struct cli_kw *kw = cli_kws; nargs && kw->words[0]; kw++) {
		char name[128];
		int sc, i;

		if (!cli_kw_usable(s, kw) || !strcmp(kw->words[0], "help") ||
		    !strcmp(kw->words[0], "prompt") || !strcmp(kw->words[0], "quit"))
			continue;
		snprintf(name, sizeof(name), "%s%s%s%s%s", kw->words[0],
		         kw->words[1] ? " " : "", kw->words[1] ? kw->words[1] : "",
		         kw->words[2] ? " " : "", kw->words[2] ? kw->words[2] : "");
		sc = cli_bigram_score(typed, name);
		if (sc <= 0)
			continue;
		for (i = 0; i < 5 && best[i] && bscore[i] >= sc; i++)
			;
		if (i == 5)
			continue;
		memmove(best + i + 1, best + i, (4 - (size_t)i) * sizeof(*best));
		memmove(bscore + i + 1, bscore + i, (4 - (size_t)i) * sizeof(*bscore));
		best[i] = kw;
		bscore[i] = sc;
	}
	if (!best[0]) {
		cli_out_str(&s->out, "Unknown command. Please enter one of the following commands only:\n");
		for (const struct cli_kw *kw = cli_kws; kw->words[0]; kw++)
			if (cli_kw_usable(s, kw))
				cli_usage_line(&s->out, kw);
		return;
	}
	cli_out_str(&s->out, "Unknown command, but maybe one of the following ones is a better match:\n");
	for (int i = 0; i < 5 && best[i]; i++)
		cli_usage_line(&s->out, best[i]);
	for (const struct cli_kw *kw = cli_kws; kw->words[0]; kw++)
		if (kw->usage && (!strcmp(kw->words[0], "help") || !strcmp(kw->words[0], "prompt") ||
		                  !strcmp(kw->words[0], "quit")))
			cli_usage_line(&s->out, kw);
}

/* "help [<words>]": the commands valid at this level starting with <words>. */
static void cli_help(struct cli_sess *s, char **args, int nargs)
{
	cli_out_str(&s->out, "The following commands are valid at this level:\n");
	for (const struct cli_kw *kw = cli_kws; kw->words[0]; kw++) {
		int ok = cli_kw_usable(s, kw);

		for (int i = 1; ok && i < nargs && i - 1 < 3; i++)
			if (!kw->words[i - 1] || strncmp(kw->words[i - 1], args[i], strlen(args[i])))
				ok = 0;
		if (ok)
			cli_usage_line(&s->out, kw);
	}
}

/* Runs one command of <nargs> words. */
static void cli_run_cmd(struct cli_sess *s, char **args, int nargs, const char *payload, int *no_eol)
{
	struct cli_ctx c = { s->cfg, &s->out, &s->level, &s->prompt, &s->over, payload, &s->timeout_ms,
	                     no_eol, &s->experimental };
	const struct cli_kw *kw;

	/* the master CLI: "@1" or "@!<pid>" (this process, its own worker)
	 * prefix a worker's command; without one, or with "@master", only the
	 * master's commands run */
	s->in_master = s->master;
	if (s->master && nargs && args[0][0] == '@') {
		const char *t = args[0] + 1;

		if (strcmp(t, "master") && strcmp(t, "1") && (t[0] != '!' || atoi(t + 1) != (int)getpid())) {
			cli_out_printf(&s->out, "Can't find the target PID matching the prefix '%s'\n", args[0]);
			return;
		}
		s->in_master = !strcmp(t, "master");
		args++;
		nargs--;
	}
	if (nargs && !strcmp(args[0], "help")) {
		cli_help(s, args, nargs);
		return;
	}
	for (kw = cli_kws; kw->words[0]; kw++)
		if (cli_kw_match(kw, args, nargs))
			break;
	if (kw->words[0] && (kw->level & CLI_EXPERIMENTAL) && !s->experimental) {
		cli_out_str(&s->out, "This command is restricted to experimental mode only.\n");
		return;
	}
	if (!kw->words[0] || (kw->usage && !cli_kw_usable(s, kw) && cli_kw_level(kw) <= s->level)) {
		cli_unknown(s, args, nargs);
		return;
	}
	if (cli_kw_level(kw) > s->level) {
		cli_out_str(&s->out, "Permission denied\n");
		return;
	}
	kw->fn(&c, args, nargs);
}

/* Runs one line (no LF): commands separated by unescaped ';', words by
 * blanks, '\' escaping the next character. Every part is a command, as in
 * HAProxy: an empty one (an empty line, ";;", a trailing ';') answers the
 * list of commands. <payload> (or NULL) goes to the line's last command. */
static void cli_run_line(struct cli_sess *s, char *line, const char *payload)
{
	char *args[CLI_MAXARGS + 1];
	char *p = line, *w = line;
	int nargs = 0, in_word = 0;

	for (;;) {
		char ch = *p;

		if (ch == '\\' && p[1]) {
			if (!in_word && nargs < CLI_MAXARGS)
				args[nargs++] = w;
			in_word = 1;
			*w++ = p[1];
			p += 2;
			continue;
		}
		if (ch == ' ' || ch == '\t' || ch == ';' || ch == 0) {
			if (in_word)
				*w++ = 0;
			in_word = 0;
			if (ch == ';' || ch == 0) {
				int no_eol = 0;

				args[nargs] = NULL;
				cli_run_cmd(s, args, nargs, ch == 0 ? payload : NULL, &no_eol);
				if (s->over)         /* quit: no answer at all */
					break;
				if (s->prompt)
					cli_out_str(&s->out, "\n> ");
				else if (!no_eol)
					cli_out_str(&s->out, "\n");
				nargs = 0;
				if (ch == 0 || s->over)
					break;
			}
			p++;
			w = p;
			continue;
		}
		if (!in_word) {
			if (nargs < CLI_MAXARGS)
				args[nargs++] = w;
			in_word = 1;
		}
		*w++ = ch;
		p++;
	}
}

/* Takes one received line (no LF). A line ending with "<<" opens a
 * payload: the following lines, up to an empty one, are given to that
 * line's command (HAProxy's "add map <map> <<"). In interactive mode each
 * payload line is prompted with "+ ". */
static void cli_line(struct cli_sess *s, char *line)
{
	size_t n;

	if (s->in_payload) {
		if (*line) {
			if (s->payload.len + strlen(line) >= CLI_PAYLOAD_MAX) {
				s->over = 1;       /* no answer: the client is not speaking the protocol */
				return;
			}
			cli_out_str(&s->payload, line);
			cli_out_add(&s->payload, "\n", 1);
			if (s->prompt)
				cli_out_str(&s->out, "+ ");
			return;
		}
		s->in_payload = 0;
		cli_out_add(&s->payload, "", 0);
		cli_out_add(&s->pl_cmd, "", 0);
		if (s->pl_cmd.failed || s->payload.failed)
			return;
		cli_run_line(s, s->pl_cmd.p, s->payload.p ? s->payload.p : "");
		s->pl_cmd.len = s->payload.len = 0;
		return;
	}
	n = strlen(line);
	if (n >= 2 && !strcmp(line + n - 2, "<<")) {
		line[n - 2] = 0;
		s->in_payload = 1;
		s->pl_cmd.len = s->payload.len = 0;
		cli_out_str(&s->pl_cmd, line);
		if (s->prompt)
			cli_out_str(&s->out, "+ ");
		return;
	}
	cli_run_line(s, line, NULL);
}

int cli_sess_answered(const struct cli_sess *s)
{
	return s->over && s->answered;
}

int cli_sess_feed(struct cli_sess *s, const char *buf, size_t len)
{
	size_t start = 0;
	int ran = 0;

	if (s->over) {
		if (!s->answered || !len)
			return 1;
		s->over = s->answered = 0;    /* the client had sent more at once */
	}
	if (len > sizeof(s->in) - s->inlen)
		return (s->over = 1);
	memcpy(s->in + s->inlen, buf, len);
	s->inlen += len;
	for (size_t i = 0; i < s->inlen && !s->over; i++) {
		if (s->in[i] != '\n')
			continue;
		s->in[i] = 0;
		if (i > start && s->in[i - 1] == '\r')
			s->in[i - 1] = 0;
		cli_line(s, s->in + start);
		start = i + 1;
		ran = 1;
	}
	memmove(s->in, s->in + start, s->inlen - start);
	s->inlen -= start;
	/* not interactive: the lines received together are answered, then
	 * the connection closes, as HAProxy does; a partial line means the
	 * client is still sending (a bulk of commands piped in) */
	if (ran && !s->prompt && !s->in_payload && !s->inlen && !s->over)
		s->over = s->answered = 1;
	if (s->out.failed || s->pl_cmd.failed || s->payload.failed)
		return -ENOMEM;
	if (s->inlen == sizeof(s->in))
		s->over = 1;
	return s->over;
}

/* ---- sockets and clients ---- */

struct cli_lsn {
	struct cli_lsn *next;
	struct stats_socket *ss;
	int fd;
	int adopted;               /* fd@N: not ours to unlink */
	dev_t dev; ino_t ino;      /* the unix socket file we created */
	struct ring_op op;
	struct timer retry;        /* re-arm after an accept error (EMFILE...) */
	unsigned armed:1;
};

struct cli_client {
	struct cli_client *next, **pprev;
	int fd;
	struct ring_op op;         /* one recv or send at a time */
	struct timer tmo;          /* stats timeout */
	struct cli_sess *sess;
	unsigned closing:1, sending:1, over:1;
	char rbuf[4096];
};

static struct cli_lsn *cli_lsns;
static struct cli_client *cli_clients;
static struct thr *cli_thr;
static struct timer cli_stop_poll;

static void cli_client_io(struct cli_client *cl);

/* Frees <cl> once nothing is in flight for it; otherwise cancels and lets
 * the last completion come back here. */
static void cli_client_close(struct cli_client *cl)
{
	cl->closing = 1;
	timer_cancel(&cli_thr->timers, &cl->tmo);
	if (cl->op.inflight) {
		ring_cancel(cli_thr->ring, &cl->op);
		return;
	}
	if (ring_close(cli_thr->ring, NULL, cl->fd) < 0)
		close(cl->fd);
	*cl->pprev = cl->next;
	if (cl->next)
		cl->next->pprev = cl->pprev;
	cli_sess_free(cl->sess);
	if (cli_info.cur_cli_conns)
		cli_info.cur_cli_conns--;
	if (cli_thr->nb_streams)
		cli_thr->nb_streams--;
	free(cl);
}

static void cli_client_timeout(struct timer *t)
{
	cli_client_close(container_of(t, struct cli_client, tmo));
}

static void cli_client_cb(struct ring_op *op, int res, uint32_t flags)
{
	struct cli_client *cl = container_of(op, struct cli_client, op);
	int rc;

	(void)flags;
	if (cl->closing) {
		cli_client_close(cl);
		return;
	}
	if (cl->sending) {
		cl->sending = 0;
		if (res <= 0) {
			cli_client_close(cl);
			return;
		}
		cli_sess_consume(cl->sess, (size_t)res);
		cli_client_io(cl);
		return;
	}
	if (res <= 0) {            /* peer closed, or an error: a partial line is dropped */
		cli_client_close(cl);
		return;
	}
	rc = cli_sess_feed(cl->sess, cl->rbuf, (size_t)res);
	/* answered: what the client sent meanwhile is part of the same batch
	 * (HAProxy keeps reading its buffer), what comes later is not */
	while (rc == 1 && cli_sess_answered(cl->sess)) {
		ssize_t n = recv(cl->fd, cl->rbuf, sizeof(cl->rbuf), MSG_DONTWAIT);

		if (n <= 0)
			break;
		rc = cli_sess_feed(cl->sess, cl->rbuf, (size_t)n);
	}
	if (rc != 0)
		cl->over = 1;
	cli_client_io(cl);
}

/* Sends what is pending, else closes a finished session, else receives. */
static void cli_client_io(struct cli_client *cl)
{
	size_t len;
	const char *out = cli_sess_output(cl->sess, &len);
	uint32_t tmo;
	int rc;

	if (len)
		rc = ring_send(cli_thr->ring, &cl->op, cl->fd, out, len);
	else if (cl->over) {
		cli_client_close(cl);
		return;
	} else
		rc = ring_recv(cli_thr->ring, &cl->op, cl->fd, cl->rbuf, sizeof(cl->rbuf));
	if (rc < 0) {
		cli_client_close(cl);
		return;
	}
	cl->sending = len != 0;
	tmo = cli_sess_timeout(cl->sess);
	if (!tmo)
		tmo = cli_thr->cfg->g.stats_timeout ? cli_thr->cfg->g.stats_timeout : 10000;
	timer_arm(&cli_thr->timers, &cl->tmo, cli_thr->now_ms + tmo);
}

static void cli_accept_cb(struct ring_op *op, int res, uint32_t flags)
{
	struct cli_lsn *l = container_of(op, struct cli_lsn, op);
	struct cli_client *cl;

	if (!(flags & RING_F_MORE))
		l->armed = 0;
	if (res >= 0) {
		cl = malloc(sizeof(*cl));
		if (!cl || !(cl->sess = cli_sess_new(cli_thr->cfg, l->ss->level))) {
			free(cl);
			close(res);
		} else {
			cl->sess->master = l->ss->master;
			cl->fd = res;
			ring_op_init(&cl->op, cli_client_cb);
			timer_init(&cl->tmo, cli_client_timeout);
			cl->closing = cl->sending = cl->over = 0;
			cl->next = cli_clients;
			cl->pprev = &cli_clients;
			if (cli_clients)
				cli_clients->pprev = &cl->next;
			cli_clients = cl;
			cli_info.cum_cli_conns++;
			cli_info.cur_cli_conns++;
			/* a CLI client holds the process as a stream does: a soft
			 * stop waits until it leaves (or "stats timeout"), as in HAProxy */
			cli_thr->nb_streams++;
			cli_client_io(cl);
		}
	}
	if (l->armed)
		return;
	if (cli_thr->stopping || cli_thr->stop_req) {
		/* soft stop: stop listening, so that new clients reach the new
		 * process (-sf) instead of waiting in this one's backlog */
		if (l->fd >= 0 && !l->adopted) {
			close(l->fd);
			l->fd = -1;
		}
		return;
	}
	if (res == -ECANCELED)
		return;
	if (res < 0) {             /* out of fds, a bad fd@N: not in a busy loop */
		timer_arm(&cli_thr->timers, &l->retry, cli_thr->now_ms + CLI_RETRY_MS);
		return;
	}
	if (ring_accept_multi(cli_thr->ring, &l->op, l->fd) == 0)
		l->armed = 1;
}

static void cli_accept_retry(struct timer *t)
{
	struct cli_lsn *l = container_of(t, struct cli_lsn, retry);

	if (!l->armed && l->fd >= 0 && !cli_thr->stopping && !cli_thr->stop_req &&
	    ring_accept_multi(cli_thr->ring, &l->op, l->fd) == 0)
		l->armed = 1;
}

/* Soft stop: the old process stops answering on its sockets so that a
 * new one (-sf) gets every new client; clients already in keep going. */
static void cli_stop_poll_cb(struct timer *t)
{
	if (!cli_thr->stopping && !cli_thr->stop_req) {
		timer_arm(&cli_thr->timers, t, cli_thr->now_ms + CLI_STOP_POLL_MS);
		return;
	}
	for (struct cli_lsn *l = cli_lsns; l; l = l->next) {
		timer_cancel(&cli_thr->timers, &l->retry);
		if (l->armed)
			ring_cancel(cli_thr->ring, &l->op);   /* closed by the completion */
		else if (l->fd >= 0 && !l->adopted) {
			close(l->fd);
			l->fd = -1;
		}
	}
}

/* Binds one unix socket: bound under a temporary name, then renamed over
 * <path>, so that a stale file (or an older process's socket) is replaced
 * at once, as HAProxy does. Returns the fd or -errno. */
static int cli_bind_unix(struct cli_lsn *l, const struct stats_socket *ss)
{
	struct sockaddr_un tmp = ss->addr.u.un;
	const char *path = ss->addr.u.un.sun_path;
	struct stat st;
	int fd, n, err;

	n = snprintf(tmp.sun_path, sizeof(tmp.sun_path), "%s.%d.tmp", path, (int)getpid());
	if (n < 0 || (size_t)n >= sizeof(tmp.sun_path))
		return -ENAMETOOLONG;
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -errno;
	unlink(tmp.sun_path);
	if (bind(fd, (struct sockaddr *)&tmp, sizeof(tmp)) < 0)
		goto fail;
	if (ss->mode && chmod(tmp.sun_path, ss->mode) < 0)
		goto fail_unlink;
	if (listen(fd, 10) < 0 || rename(tmp.sun_path, path) < 0)
		goto fail_unlink;
	if (stat(path, &st) == 0) {
		l->dev = st.st_dev;
		l->ino = st.st_ino;
	}
	return fd;
fail_unlink:
	err = errno;
	unlink(tmp.sun_path);
	close(fd);
	return -err;
fail:
	err = errno;
	close(fd);
	return -err;
}

static int cli_bind_inet(const struct stats_socket *ss)
{
	int one = 1, fd, err;

	if ((fd = socket(ss->addr.u.sa.sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
	if (bind(fd, &ss->addr.u.sa, ss->addr.len) < 0 || listen(fd, 10) < 0) {
		err = errno;
		close(fd);
		return -err;
	}
	return fd;
}

/* Writes the socket's address as HAProxy shows it in bind errors. */
static void cli_addr_text(const struct stats_socket *ss, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN];

	if (ss->fd >= 0)
		snprintf(buf, len, "fd@%d", ss->fd);
	else if (ss->addr.u.sa.sa_family == AF_UNIX)
		snprintf(buf, len, "%s", ss->addr.u.un.sun_path);
	else if (ss->addr.u.sa.sa_family == AF_INET) {
		inet_ntop(AF_INET, &ss->addr.u.in4.sin_addr, ip, sizeof(ip));
		snprintf(buf, len, "%s:%d", ip, ntohs(ss->addr.u.in4.sin_port));
	} else {
		inet_ntop(AF_INET6, &ss->addr.u.in6.sin6_addr, ip, sizeof(ip));
		snprintf(buf, len, "[%s]:%d", ip, ntohs(ss->addr.u.in6.sin6_port));
	}
}

int cli_bind(struct config *cfg, char *err, size_t errlen)
{
	struct cli_lsn **tail = &cli_lsns;
	struct timespec ts;

	while (*tail)
		tail = &(*tail)->next;
	clock_gettime(CLOCK_REALTIME, &ts);
	cli_info.start_sec = (uint64_t)ts.tv_sec;
	cli_info.start_ms = timer_now_ms();
	cli_info.hard_maxconn = cfg->g.maxconn;
	for (struct stats_socket *ss = cfg->g.stats; ss; ss = ss->next) {
		struct cli_lsn *l = calloc(1, sizeof(*l));
		char where[128];
		int fd;

		if (!l) {
			snprintf(err, errlen, "out of memory starting the stats socket");
			return -ENOMEM;
		}
		l->ss = ss;
		ring_op_init(&l->op, cli_accept_cb);
		timer_init(&l->retry, cli_accept_retry);
		if (ss->fd >= 0) {
			fd = ss->fd;
			l->adopted = 1;
		} else if (ss->addr.u.sa.sa_family == AF_UNIX)
			fd = cli_bind_unix(l, ss);
		else
			fd = cli_bind_inet(ss);
		if (fd < 0) {
			cli_addr_text(ss, where, sizeof(where));
			if (ss->addr.u.sa.sa_family == AF_UNIX)
				snprintf(err, errlen, "Binding [%s:%d] for frontend GLOBAL: cannot bind UNIX socket (%s) [%s]",
				         ss->file ? ss->file : "?", ss->line, strerror(-fd), where);
			else
				snprintf(err, errlen, "Binding [%s:%d] for frontend GLOBAL: cannot bind socket (%s) for [%s]",
				         ss->file ? ss->file : "?", ss->line, strerror(-fd), where);
			free(l);
			return fd;
		}
		l->fd = fd;
		*tail = l;
		tail = &l->next;
		cli_info.nb_sockets++;
	}
	return 0;
}

int cli_attach(struct thr *t)
{
	cli_thr = t;
	for (struct cli_lsn *l = cli_lsns; l; l = l->next) {
		int rc = ring_accept_multi(t->ring, &l->op, l->fd);

		if (rc < 0)
			return rc;
		l->armed = 1;
	}
	if (cli_lsns) {
		timer_init(&cli_stop_poll, cli_stop_poll_cb);
		timer_arm(&t->timers, &cli_stop_poll, t->now_ms + CLI_STOP_POLL_MS);
	}
	return 0;
}

void cli_close(void)
{
	while (cli_clients) {
		struct cli_client *cl = cli_clients;

		cli_clients = cl->next;
		close(cl->fd);
		cli_sess_free(cl->sess);
		free(cl);
	}
	cli_info.cur_cli_conns = 0;
	while (cli_lsns) {
		struct cli_lsn *l = cli_lsns;
		struct stat st;

		cli_lsns = l->next;
		if (!l->adopted && l->ss->addr.u.sa.sa_family == AF_UNIX &&
		    stat(l->ss->addr.u.un.sun_path, &st) == 0 && st.st_dev == l->dev && st.st_ino == l->ino)
			unlink(l->ss->addr.u.un.sun_path);
		if (l->fd >= 0)
			close(l->fd);
		free(l);
	}
	cli_info.nb_sockets = 0;
	cli_ver_free_all();
	cli_srv_free_deleted();
	cli_thr = NULL;
}

int cli_start(struct config *cfg, struct thr *t, char *err, size_t errlen)
{
	int rc = cli_bind(cfg, err, errlen);

	if (rc < 0) {
		/* HAProxy's two lines: what failed, then why it stops */
		rp_alert("%s", err);
		snprintf(err, errlen, "[ringproxy.main()] Some protocols failed to start their listeners! Exiting.");
		cli_close();
		return rc;
	}
	if ((rc = cli_attach(t)) < 0) {
		snprintf(err, errlen, "cannot start the stats socket : %s", strerror(-rc));
		return rc;
	}
	return 0;
}

void cli_stop(void)
{
	cli_close();
}
