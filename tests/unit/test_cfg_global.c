/* test_cfg_global.c: global keywords whose values the process applies —
 * nbthread (accepted, one thread runs), cpu-map (thread 1's CPUs), the
 * privilege and limit settings — with HAProxy 2.6's messages. */
#include <unistd.h>

#include "tests/unit/unit.h"
#include "engine/cfg.h"
#include "engine/log.h"

static char out[1 << 16];     /* what the last parse printed on stderr */

/* Parses <text> as "t.cfg" into <cfg> (zeroed first), capturing stderr
 * into <out>. Returns what cfg_parse_string() returns. */
static int parse(struct config *cfg, const char *text)
{
	FILE *tmp = tmpfile();
	int saved, r;
	size_t n;

	memset(cfg, 0, sizeof(*cfg));
	log_set_quiet(0);
	fflush(stderr);
	saved = dup(2);
	dup2(fileno(tmp), 2);
	r = cfg_parse_string(cfg, "t.cfg", text);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(tmp);
	n = fread(out, 1, sizeof(out) - 1, tmp);
	out[n] = 0;
	fclose(tmp);
	return r;
}

#define EXPECT_OUT(s) do { if (!strstr(out, (s))) { char _m[700]; \
	snprintf(_m, sizeof(_m), "stderr lacks \"%.200s\"; got: %.400s", (s), out); \
	unit_fail(_m, __FILE__, __LINE__); } } while (0)
#define EXPECT_NO_OUT(s) do { if (strstr(out, (s))) { char _m[700]; \
	snprintf(_m, sizeof(_m), "stderr has \"%.200s\"", (s)); unit_fail(_m, __FILE__, __LINE__); } } while (0)

/* Parses "global\n  <line>\n" and expects one error with <msg>. */
static void expect_error(const char *line, const char *msg)
{
	struct config cfg;
	char text[512];

	snprintf(text, sizeof(text), "global\n  %s\n", line);
	if (parse(&cfg, text) != 1) {
		char m[600];
		snprintf(m, sizeof(m), "no error for: %.300s", line);
		unit_fail(m, __FILE__, __LINE__);
	}
	EXPECT_OUT(msg);
	cfg_free(&cfg);
}

static int cpu_isset(const struct config *cfg, int cpu)
{
	return !!(cfg->g.cpu_map[cpu / 64] & (1ULL << (cpu % 64)));
}

static int cpu_count(const struct config *cfg)
{
	int n = 0;

	for (int i = 0; i < 1024; i++)
		n += cpu_isset(cfg, i);
	return n;
}

static void t_nbthread(void)
{
	struct config cfg;

	EXPECT_INT(parse(&cfg, "global\n  nbthread 4\n"), 0);
	EXPECT_INT(cfg.g.nbthread, 1);        /* what runs */
	EXPECT_INT(cfg.g.nbthread_req, 4);    /* what was asked */
	EXPECT_OUT("[NOTICE]   (");
	EXPECT_OUT("parsing [t.cfg:2] : 'nbthread 4': ringproxy runs one worker thread for now");
	EXPECT_NO_OUT("ALERT");
	EXPECT_NO_OUT("WARNING");
	cfg_free(&cfg);

	EXPECT_INT(parse(&cfg, "global\n  nbthread 1\n"), 0);
	EXPECT_INT(cfg.g.nbthread, 1);
	EXPECT_NO_OUT("NOTICE");
	cfg_free(&cfg);

	expect_error("nbthread 0", "parsing [t.cfg:2] : 'nbthread' value must be between 1 and 64 (was 0)");
	expect_error("nbthread 65", "parsing [t.cfg:2] : 'nbthread' value must be between 1 and 64 (was 65)");
	expect_error("nbthread abc", "parsing [t.cfg:2] : 'nbthread' passed a missing or unparsable integer value in 'abc'");
}

static void t_cpu_map(void)
{
	struct config cfg;

	/* thread 1 of process 1 */
	EXPECT_INT(parse(&cfg, "global\n  nbthread 4\n  cpu-map 1/1 1\n"), 0);
	EXPECT_INT(cfg.g.cpu_map_set, 1);
	EXPECT(cpu_isset(&cfg, 1));
	EXPECT_INT(cpu_count(&cfg), 1);
	EXPECT_NO_OUT("ALERT");
	cfg_free(&cfg);

	/* auto: thread 1 takes the first CPU of the set */
	EXPECT_INT(parse(&cfg, "global\n  cpu-map auto:1/1-4 4-7\n"), 0);
	EXPECT(cpu_isset(&cfg, 4));
	EXPECT_INT(cpu_count(&cfg), 1);
	cfg_free(&cfg);

	/* whole process, lists and ranges; the last matching line wins */
	EXPECT_INT(parse(&cfg, "global\n  cpu-map 1/1 9\n  cpu-map all 0,2 5-6\n"), 0);
	EXPECT(cpu_isset(&cfg, 0) && cpu_isset(&cfg, 2) && cpu_isset(&cfg, 5) && cpu_isset(&cfg, 6));
	EXPECT_INT(cpu_count(&cfg), 4);
	cfg_free(&cfg);

	/* other threads or processes: accepted, nothing for thread 1 */
	EXPECT_INT(parse(&cfg, "global\n  cpu-map 1/2-4 3\n  cpu-map 2 0\n  cpu-map 1/even 1\n"), 0);
	EXPECT_INT(cfg.g.cpu_map_set, 0);
	cfg_free(&cfg);

	expect_error("cpu-map", "parsing [t.cfg:2] : cpu-map expects a process number  ('all', 'odd', 'even', a number from 1 to 64 or a range),  followed by a list of CPU ranges with numbers from 0 to 63.");
	expect_error("cpu-map 1", "cpu-map expects a process number");
	expect_error("cpu-map 1 x", "parsing [t.cfg:2] : cpu-map : 'x' is not a CPU range.");
	expect_error("cpu-map 1/70 0", "parsing [t.cfg:2] : cpu-map : '70' is not a valid number/range. It supports numbers from 1 to 64.");
	expect_error("cpu-map 0 0", "cpu-map : '0' is not a valid number/range.");
	expect_error("cpu-map auto:1/1-2 0-3", "cpu-map : PROC/THREAD range and CPU sets must have the same size to be automatically bound");
}

static void t_user_group(void)
{
	struct config cfg;

	EXPECT_INT(parse(&cfg, "global\n  user nobody\n  group nogroup\n"), 0);
	EXPECT_INT(cfg.g.uid, 65534);
	EXPECT_STR(cfg.g.user, "nobody");
	EXPECT(cfg.g.gid >= 0);
	EXPECT_NO_OUT("NOTICE");
	cfg_free(&cfg);
	EXPECT_INT(parse(&cfg, "global\n  uid 100\n  gid 101\n"), 0);
	EXPECT_INT(cfg.g.uid, 100);
	EXPECT_INT(cfg.g.gid, 101);
	cfg_free(&cfg);
	EXPECT_INT(parse(&cfg, "global\n"), 0);
	EXPECT_INT(cfg.g.uid, -1);     /* unset: no setuid */
	EXPECT_INT(cfg.g.gid, -1);
	cfg_free(&cfg);
	expect_error("user no-such-user-x", "parsing [t.cfg:2] : cannot find user id for 'no-such-user-x' (0:Success)");
	expect_error("group no-such-group-x", "parsing [t.cfg:2] : cannot find group id for 'no-such-group-x' (0:Success)");
	expect_error("user", "parsing [t.cfg:2] : cannot find user id for '' (0:Success)");
}

static void t_limits_stop(void)
{
	struct config cfg;

	EXPECT_INT(parse(&cfg, "global\n  ulimit-n 3000\n  maxconn 1000\n  hard-stop-after 2s\n"), 0);
	EXPECT_INT(cfg.g.ulimit_n, 3000);
	EXPECT_INT(cfg.g.maxconn, 1000);
	EXPECT_INT(cfg.g.maxconn_set, 1);
	EXPECT_INT(cfg.g.hard_stop_after, 2000);
	EXPECT_NO_OUT("NOTICE");
	cfg_free(&cfg);
	EXPECT_INT(parse(&cfg, "global\n"), 0);
	EXPECT_INT(cfg.g.maxconn_set, 0);    /* the default may be lowered to fit the fd limit */
	cfg_free(&cfg);
	expect_error("hard-stop-after", "parsing [t.cfg:2] : 'hard-stop-after' expects <time> as argument.");
}

int main(void)
{
	RUN(t_user_group);
	RUN(t_limits_stop);
	RUN(t_nbthread);
	RUN(t_cpu_map);
	return unit_end();
}
