/* test_cli.c: the management socket's protocol without a socket — bytes
 * in, bytes out — on a configuration with a map, an ACL file and two
 * backends. Expected answers are HAProxy 2.6's for the same commands
 * (checked with socat against /usr/sbin/haproxy). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/unit/unit.h"
#include "engine/cfg.h"
#include "engine/check.h"
#include "engine/cli.h"
#include "engine/lb.h"
#include "engine/log.h"
#include "engine/pattern.h"
#include "engine/proxy.h"
#include "engine/sample.h"
#include "engine/vars.h"

static struct config cfg;
static char dir[64];
static char outbuf[1 << 16];

/* Feeds <in> to a new session at <level>; returns its whole answer
 * (static buffer) and the feed result in <*rc>. */
static const char *run_rc(int level, const char *in, int *rc)
{
	struct cli_sess *s = cli_sess_new(&cfg, level);
	const char *o;
	size_t len;

	*rc = cli_sess_feed(s, in, strlen(in));
	o = cli_sess_output(s, &len);
	if (len >= sizeof(outbuf))
		len = sizeof(outbuf) - 1;
	memcpy(outbuf, o, len);
	outbuf[len] = 0;
	cli_sess_free(s);
	return outbuf;
}

static const char *run(int level, const char *in)
{
	int rc;

	return run_rc(level, in, &rc);
}

/* Replaces every "0x<hex>" by "PTR" in place (entry references). */
static char *noptr(char *s)
{
	char *r = s, *w = s;

	while (*r) {
		if (r[0] == '0' && r[1] == 'x') {
			r += 2;
			while ((*r >= '0' && *r <= '9') || (*r >= 'a' && *r <= 'f'))
				r++;
			memcpy(w, "PTR", 3);
			w += 3;
			continue;
		}
		*w++ = *r++;
	}
	*w = 0;
	return s;
}

/* Returns 1 if <s> starts with <prefix>. */
static int starts(const char *s, const char *prefix)
{
	return s && !strncmp(s, prefix, strlen(prefix));
}

static int setup(void)
{
	char path[128], text[2048];
	FILE *f;

	snprintf(dir, sizeof(dir), "/tmp/test_cli.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/ip.map", dir);
	if (!(f = fopen(path, "w")))
		return -1;
	fputs("10.0.0.0/8 be2\n127.0.0.1 be1\n", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/a.acl", dir);
	if (!(f = fopen(path, "w")))
		return -1;
	fputs("abc\ndef\n", f);
	fclose(f);
	snprintf(text, sizeof(text),
	         "global\n"
	         "    stats socket %s/x.sock level admin\n"
	         "defaults\n"
	         "    mode tcp\n"
	         "    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\n"
	         "frontend fe\n"
	         "    bind 127.0.0.1:1\n"
	         "    acl bad req.payload(0,3) -m str -f %s/a.acl\n"
	         "    tcp-request content reject if bad\n"
	         "    use_backend %%[src,map_ip(%s/ip.map)]\n"
	         "    default_backend be1\n"
	         "backend be1\n"
	         "    server s1 127.0.0.1:11\n"
	         "    server s2 127.0.0.1:12 weight 50\n"
	         "backend be2\n"
	         "    server s3 127.0.0.1:13\n",
	         dir, dir, dir);
	log_set_quiet(1);
	return cfg_parse_string(&cfg, "t.cfg", text) == 0 ? 0 : -1;
}

static void t_one_command_then_close(void)
{
	int rc;

	EXPECT_STR(run_rc(CLI_LVL_ADMIN, "show cli level\n", &rc), "admin\n\n");
	EXPECT_INT(rc, 1);
	/* the lines received together are all answered */
	EXPECT_STR(run(CLI_LVL_ADMIN, "show cli level\nget weight be1/s1\n"), "admin\n\n1 (initial 1)\n\n");
	/* no line end yet: nothing runs, the session waits */
	EXPECT_STR(run_rc(CLI_LVL_ADMIN, "show cli level", &rc), "");
	EXPECT_INT(rc, 0);
	/* CRLF */
	EXPECT_STR(run(CLI_LVL_OPER, "show cli level\r\n"), "operator\n\n");
}

static void t_prompt_and_quit(void)
{
	int rc;

	EXPECT_STR(run_rc(CLI_LVL_ADMIN, "prompt\nshow cli level\n", &rc), "\n> admin\n\n> ");
	EXPECT_INT(rc, 0);
	EXPECT_STR(run_rc(CLI_LVL_ADMIN, "prompt\nquit\nshow cli level\n", &rc), "\n> ");
	EXPECT_INT(rc, 1);
	/* prompt toggles back: the next line ends the session */
	EXPECT_STR(run_rc(CLI_LVL_ADMIN, "prompt\nprompt\nshow cli level\n", &rc), "\n> \nadmin\n\n");
	EXPECT_INT(rc, 1);
}

static void t_split_and_escape(void)
{
	EXPECT_STR(run(CLI_LVL_ADMIN, "show cli level; get weight be1/s2  \n"),
	           "admin\n\n50 (initial 50)\n\n");
	EXPECT_STR(run(CLI_LVL_ADMIN, "get weight be1/s1\\;x\n"), "No such server.\n\n");
	/* an empty command between ';' answers the help */
	EXPECT(starts(run(CLI_LVL_ADMIN, "show cli level;;\n"),
	              "admin\n\nUnknown command. Please enter one of the following commands only:\n"));
}

static void t_help_and_unknown(void)
{
	const char *o = run(CLI_LVL_ADMIN, "help\n");

	EXPECT(starts(o, "The following commands are valid at this level:\n"));
	EXPECT(strstr(o, "\n  add map [@<ver>] <map> <key> <val>      : ") != NULL);
	EXPECT(strstr(o, "\n  quit                                    : disconnect\n\n") != NULL);
	EXPECT(strstr(o, "disable server") != NULL);
	/* commands above the level are not listed */
	o = run(CLI_LVL_USER, "help\n");
	EXPECT(strstr(o, "disable server") == NULL);
	EXPECT(strstr(o, "show stat") != NULL);
	o = run(CLI_LVL_ADMIN, "shw stat\n");
	EXPECT(starts(o, "Unknown command, but maybe one of the following ones is a better match:\n"));
	EXPECT(strstr(o, "  show stat ") != NULL);
	o = run(CLI_LVL_ADMIN, "\n");
	EXPECT(starts(o, "Unknown command. Please enter one of the following commands only:\n"));
}

static void t_levels(void)
{
	EXPECT_STR(run(CLI_LVL_OPER, "disable server be1/s1\n"), "Permission denied\n\n");
	EXPECT_STR(run(CLI_LVL_USER, "set server be1/s1 weight 3\n"), "Permission denied\n\n");
	EXPECT_STR(run(CLI_LVL_ADMIN, "user;show cli level;disable server be1/s1\n"),
	           "\nuser\n\nPermission denied\n\n");
	EXPECT_STR(run(CLI_LVL_USER, "operator\n"), "Permission denied\n\n");
	EXPECT_STR(run(CLI_LVL_ADMIN, "operator;show cli level\n"), "\noperator\n\n");
	EXPECT_STR(run(CLI_LVL_USER, "get weight be1/s2\n"), "50 (initial 50)\n\n");
}

static void t_maps(void)
{
	char want[512], cmd[256];

	snprintf(cmd, sizeof(cmd), "show map %s/ip.map\n", dir);
	EXPECT_STR(noptr((char *)run(CLI_LVL_USER, cmd)), "PTR 10.0.0.0/8 be2\nPTR 127.0.0.1 be1\n\n");
	EXPECT_STR(run(CLI_LVL_ADMIN, "show map #99\n"), "Unknown map identifier. Please use #<id> or <file>.\n\n");
	snprintf(cmd, sizeof(cmd), "add map %s/ip.map 192.168.0.0/16 be2\n", dir);
	EXPECT_STR(run(CLI_LVL_ADMIN, cmd), "\n");
	snprintf(cmd, sizeof(cmd), "add map %s/ip.map bad be2\n", dir);
	EXPECT_STR(run(CLI_LVL_ADMIN, cmd), "'bad' is not a valid IPv4 or IPv6 address.\n\n");
	snprintf(cmd, sizeof(cmd), "add map %s/ip.map\n", dir);
	EXPECT_STR(run(CLI_LVL_ADMIN, cmd), "'add map' expects three parameters (map identifier, key and value) "
	           "or one parameter (map identifier) and a payload\n\n");
	snprintf(cmd, sizeof(cmd), "get map %s/ip.map 192.168.3.4\n", dir);
	EXPECT_STR(run(CLI_LVL_ADMIN, cmd),
	           "type=ip, case=sensitive, found=yes, idx=tree, key=\"192.168.0.0/16\", value=\"be2\", type=\"str\"\n\n");
	snprintf(cmd, sizeof(cmd), "set map %s/ip.map 127.0.0.1 be2\n", dir);
	EXPECT_STR(run(CLI_LVL_ADMIN, cmd), "\n");
	snprintf(cmd, sizeof(cmd), "set map %s/ip.map 1.2.3.4 be2\n", dir);
	EXPECT_STR(run(CLI_LVL_ADMIN, cmd), "entry not found.\n\n");
	snprintf(cmd, sizeof(cmd), "get map %s/ip.map 127.0.0.1\n", dir);
	EXPECT_STR(run(CLI_LVL_ADMIN, cmd),
	           "type=ip, case=sensitive, found=yes, idx=tree, key=\"127.0.0.1\", value=\"be2\", type=\"str\"\n\n");
	snprintf(cmd, sizeof(cmd), "get map %s/ip.map 8.8.8.8\n", dir);
	EXPECT_STR(run(CLI_LVL_ADMIN, cmd), "type=ip, case=sensitive, found=no\n\n");
	snprintf(cmd, sizeof(cmd), "del map %s/ip.map 192.168.0.0/16\n", dir);
	EXPECT_STR(run(CLI_LVL_ADMIN, cmd), "\n");
	EXPECT_STR(run(CLI_LVL_ADMIN, cmd), "Key not found.\n\n");
	snprintf(want, sizeof(want), "show map %s/ip.map\n", dir);
	EXPECT_STR(noptr((char *)run(CLI_LVL_USER, want)), "PTR 10.0.0.0/8 be2\nPTR 127.0.0.1 be2\n\n");
}

/* "set map <map> #<ref> <value>" with the reference "show map" printed. */
static void t_map_ref(void)
{
	char cmd[256], ref[32];
	const char *o, *sp;

	snprintf(cmd, sizeof(cmd), "show map %s/ip.map\n", dir);
	o = run(CLI_LVL_USER, cmd);
	sp = strchr(o, ' ');
	EXPECT(sp && o[0] == '0' && o[1] == 'x' && (size_t)(sp - o) < sizeof(ref));
	if (!sp)
		return;
	memcpy(ref, o, (size_t)(sp - o));
	ref[sp - o] = 0;
	snprintf(cmd, sizeof(cmd), "set map %s/ip.map #%s be3\n", dir, ref);
	EXPECT_STR(run(CLI_LVL_ADMIN, cmd), "\n");
	snprintf(cmd, sizeof(cmd), "get map %s/ip.map 10.1.2.3\n", dir);
	EXPECT_STR(run(CLI_LVL_ADMIN, cmd),
	           "type=ip, case=sensitive, found=yes, idx=tree, key=\"10.0.0.0/8\", value=\"be3\", type=\"str\"\n\n");
	snprintf(cmd, sizeof(cmd), "set map %s/ip.map #0x1 be3\n", dir);
	EXPECT_STR(run(CLI_LVL_ADMIN, cmd), "entry not found.\n\n");
}

/* "add map <map> <<" with key/value lines up to an empty line; the first
 * refused line stops the additions (HAProxy 2.6's answers). */
static void t_map_payload(void)
{
	char cmd[512];
	int rc;

	snprintf(cmd, sizeof(cmd), "add map %s/ip.map <<\n1.1.1.1 a\n2.2.2.0/24 b\n\n", dir);
	EXPECT_STR(run_rc(CLI_LVL_ADMIN, cmd, &rc), "\n");
	EXPECT_INT(rc, 1);
	snprintf(cmd, sizeof(cmd), "add map %s/ip.map <<\n3.3.3.3 a\nbad b\n4.4.4.4 c\n\n", dir);
	EXPECT_STR(run(CLI_LVL_ADMIN, cmd), "'bad' is not a valid IPv4 or IPv6 address.\n\n");
	snprintf(cmd, sizeof(cmd), "add map %s/ip.map <<\n7.7.7.7\n\n", dir);
	EXPECT_STR(run(CLI_LVL_ADMIN, cmd), "Missing value for key '7.7.7.7'.\n\n");
	snprintf(cmd, sizeof(cmd), "get map %s/ip.map 2.2.2.9;get map %s/ip.map 3.3.3.3;get map %s/ip.map 4.4.4.4\n",
	         dir, dir, dir);
	EXPECT_STR(run(CLI_LVL_ADMIN, cmd),
	           "type=ip, case=sensitive, found=yes, idx=tree, key=\"2.2.2.0/24\", value=\"b\", type=\"str\"\n\n"
	           "type=ip, case=sensitive, found=yes, idx=tree, key=\"3.3.3.3\", value=\"a\", type=\"str\"\n\n"
	           "type=ip, case=sensitive, found=no\n\n");
	/* the payload is not over: the session waits for the empty line */
	snprintf(cmd, sizeof(cmd), "add map %s/ip.map <<\n5.5.5.5 a\n", dir);
	EXPECT_STR(run_rc(CLI_LVL_ADMIN, cmd, &rc), "");
	EXPECT_INT(rc, 0);
	/* interactive: "+ " for each payload line */
	snprintf(cmd, sizeof(cmd), "prompt\nadd map %s/ip.map <<\n8.8.8.8 q\n\nshow cli level\n", dir);
	EXPECT_STR(run(CLI_LVL_ADMIN, cmd), "\n> + + \n> admin\n\n> ");
	snprintf(cmd, sizeof(cmd), "del map %s/ip.map 1.1.1.1;del map %s/ip.map 2.2.2.0/24;"
	         "del map %s/ip.map 3.3.3.3;del map %s/ip.map 8.8.8.8\n", dir, dir, dir, dir);
	EXPECT_STR(run(CLI_LVL_ADMIN, cmd), "\n\n\n\n");
}

/* prepare / add @<ver> / commit: the version is invisible until the
 * commit, then replaces the whole list (HAProxy 2.6's answers). */
static void t_map_versions(void)
{
	char cmd[512], path[128], err[256];
	struct pat_list *l;
	struct pat_expr *e;
	struct sample smp;
	const struct pat_entry *ent;

	snprintf(path, sizeof(path), "%s/ip.map", dir);
	l = pat_list_lookup(path);
	e = l ? pat_expr_get(l, PAT_MATCH_IP, 0, err, sizeof(err)) : NULL;
	EXPECT(e != NULL);
	if (!e)
		return;
	memset(&smp, 0, sizeof(smp));
	smp_set_const_str(&smp, "1.1.1.1", 7);
	snprintf(cmd, sizeof(cmd), "prepare map %s;prepare map %s\n", path, path);
	EXPECT_STR(run(CLI_LVL_ADMIN, cmd), "New version created: 1\n\nNew version created: 2\n\n");
	snprintf(cmd, sizeof(cmd), "add map @1 %s 1.1.1.1 x;add map @2 %s 2.2.2.2 y;add map @1 %s bad x\n",
	         path, path, path);
	EXPECT_STR(run(CLI_LVL_ADMIN, cmd), "\n\n'bad' is not a valid IPv4 or IPv6 address.\n\n");
	snprintf(cmd, sizeof(cmd), "show map @1 %s\n", path);
	EXPECT_STR(noptr((char *)run(CLI_LVL_ADMIN, cmd)), "PTR 1.1.1.1 x\n\n");
	EXPECT(pat_expr_lookup(e, &smp) == NULL);
	snprintf(cmd, sizeof(cmd), "commit map @1 %s\n", path);
	EXPECT_STR(run(CLI_LVL_ADMIN, cmd), "\n");
	ent = pat_expr_lookup(e, &smp);
	EXPECT(ent && !strcmp(pat_entry_value(ent), "x"));
	EXPECT_INT(pat_list_count(l), 1);
	EXPECT_STR(run(CLI_LVL_ADMIN, cmd), "Version number out of range.\n\n");
	snprintf(cmd, sizeof(cmd), "add map @9 %s 3.3.3.3 z\n", path);
	EXPECT_STR(run(CLI_LVL_ADMIN, cmd), "Version number in the future, please use 'prepare map' before.\n\n");
	EXPECT(strstr(run(CLI_LVL_ADMIN, "show map\n"), " curr_ver=1 next_ver=2 entry_cnt=2\n") != NULL);
	EXPECT_STR(run(CLI_LVL_ADMIN, "commit map\n"), "Missing version number.\n\n");
	snprintf(cmd, sizeof(cmd), "commit map @2 %s;show map %s\n", path, path);
	EXPECT_STR(noptr((char *)run(CLI_LVL_ADMIN, cmd)), "\nPTR 2.2.2.2 y\n\n");
	EXPECT(pat_expr_lookup(e, &smp) == NULL);
	/* back to what the other tests expect */
	snprintf(cmd, sizeof(cmd), "clear map %s;add map %s 10.0.0.0/8 be3;add map %s 127.0.0.1 be2\n", path, path, path);
	EXPECT_STR(run(CLI_LVL_ADMIN, cmd), "\n\n\n");
	snprintf(cmd, sizeof(cmd), "add acl @1 %s q\n", path);
	EXPECT_STR(run(CLI_LVL_ADMIN, cmd), "This ACL is shared with a map containing samples. "
	           "You must use the command 'add map' to add values.\n\n");
	cli_ver_free_all();
}

/* A map edit is what the next lookup of the converter sees. */
static void t_map_edit_routes(void)
{
	char path[128], cmd[256], err[256];
	struct pat_list *l;
	struct pat_expr *e;
	struct sample smp;
	const struct pat_entry *ent;

	snprintf(path, sizeof(path), "%s/ip.map", dir);
	l = pat_list_lookup(path);
	EXPECT(l != NULL);
	if (!l)
		return;
	e = pat_expr_get(l, PAT_MATCH_IP, 0, err, sizeof(err));
	EXPECT(e != NULL);
	if (!e)
		return;
	memset(&smp, 0, sizeof(smp));
	smp_set_const_str(&smp, "172.16.1.1", 10);
	EXPECT(pat_expr_lookup(e, &smp) == NULL);
	snprintf(cmd, sizeof(cmd), "add map %s 172.16.0.0/12 be2\n", path);
	EXPECT_STR(run(CLI_LVL_ADMIN, cmd), "\n");
	ent = pat_expr_lookup(e, &smp);
	EXPECT(ent && !strcmp(pat_entry_value(ent), "be2"));
	snprintf(cmd, sizeof(cmd), "del map %s 172.16.0.0/12\n", path);
	EXPECT_STR(run(CLI_LVL_ADMIN, cmd), "\n");
	EXPECT(pat_expr_lookup(e, &smp) == NULL);
}

static void t_acls(void)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "show acl %s/a.acl\n", dir);
	EXPECT_STR(noptr((char *)run(CLI_LVL_USER, cmd)), "PTR abc\nPTR def\n\n");
	snprintf(cmd, sizeof(cmd), "add acl %s/a.acl xyz\n", dir);
	EXPECT_STR(run(CLI_LVL_ADMIN, cmd), "\n");
	snprintf(cmd, sizeof(cmd), "get acl %s/a.acl xyz\n", dir);
	EXPECT_STR(run(CLI_LVL_ADMIN, cmd), "type=str, case=sensitive, match=yes, idx=tree, pattern=\"xyz\"\n\n");
	snprintf(cmd, sizeof(cmd), "get acl %s/a.acl nop\n", dir);
	EXPECT_STR(run(CLI_LVL_ADMIN, cmd), "type=str, case=sensitive, match=no\n\n");
	snprintf(cmd, sizeof(cmd), "del acl %s/a.acl xyz\n", dir);
	EXPECT_STR(run(CLI_LVL_ADMIN, cmd), "\n");
	EXPECT_STR(run(CLI_LVL_ADMIN, cmd), "Key not found.\n\n");
	snprintf(cmd, sizeof(cmd), "add acl %s/ip.map abc\n", dir);
	EXPECT_STR(run(CLI_LVL_ADMIN, cmd), "This ACL is shared with a map containing samples. "
	           "You must use the command 'add map' to add values.\n\n");
	snprintf(cmd, sizeof(cmd), "clear acl %s/a.acl\n", dir);
	EXPECT_STR(run(CLI_LVL_ADMIN, cmd), "\n");
	snprintf(cmd, sizeof(cmd), "show acl %s/a.acl\n", dir);
	EXPECT_STR(run(CLI_LVL_ADMIN, cmd), "\n");
	EXPECT_STR(run(CLI_LVL_ADMIN, "clear acl\n"), "Missing ACL identifier.\n\n");
	EXPECT_STR(run(CLI_LVL_ADMIN, "clear map nofile\n"), "Unknown map identifier. Please use #<id> or <file>.\n\n");
	EXPECT(starts(run(CLI_LVL_ADMIN, "show acl\n"), "# id (file) description\n0 ("));
}

static void t_servers(void)
{
	struct proxy *be1 = proxy_find(&cfg, "be1", PX_CAP_BE);
	struct server *s1 = be1 ? server_find(be1, "s1") : NULL;

	EXPECT(s1 != NULL);
	if (!s1)
		return;
	EXPECT_STR(run(CLI_LVL_ADMIN, "get weight be1/zz\n"), "No such server.\n\n");
	EXPECT_STR(run(CLI_LVL_ADMIN, "get weight nob/s1\n"), "No such backend.\n\n");
	EXPECT_STR(run(CLI_LVL_ADMIN, "get weight be1\n"), "Require 'backend/server'.\n\n");
	EXPECT_STR(run(CLI_LVL_ADMIN, "set server be1/s2 weight 20%\n"), "\n");
	EXPECT_STR(run(CLI_LVL_ADMIN, "get weight be1/s2\n"), "10 (initial 50)\n\n");
	EXPECT_STR(run(CLI_LVL_ADMIN, "set server be1/s2 weight 300\n"),
	           "Absolute weight can only be between 0 and 256 inclusive.\n\n");
	EXPECT_STR(run(CLI_LVL_ADMIN, "set server be1/s2 weight abc\n"),
	           "Empty weight string empty or preceded by garbage\n");
	EXPECT_STR(run(CLI_LVL_ADMIN, "set server be1/s2 weight 5x\n"), "Trailing garbage in weight string\n");
	EXPECT_STR(run(CLI_LVL_ADMIN, "set server be1/s2 weight\n"), "Require <weight> or <weight%>.\n\n");
	EXPECT_STR(run(CLI_LVL_ADMIN, "set server be1/s2 weight -5%\n"), "Relative weight must be positive.\n\n");
	EXPECT_STR(run(CLI_LVL_ADMIN, "set weight be1/s2 50\n"), "\n");
	EXPECT_INT(be1->srv->next->cur_weight, 50);

	EXPECT_STR(run(CLI_LVL_ADMIN, "disable server be1/s1\n"), "\n");
	EXPECT_INT(s1->state, SRV_MAINT);
	/* the balancer skips it now */
	for (int i = 0; i < 10; i++)
		EXPECT(lb_pick_hash(be1, 0) != s1);
	EXPECT_STR(run(CLI_LVL_ADMIN, "enable server be1/s1\n"), "\n");
	EXPECT_INT(s1->state, SRV_UP);
	EXPECT_STR(run(CLI_LVL_ADMIN, "set server be1/s1 state drain\n"), "\n");
	EXPECT_INT(s1->state, SRV_DRAIN);
	EXPECT_STR(run(CLI_LVL_ADMIN, "set server be1/s1 state ready\n"), "\n");
	EXPECT_INT(s1->state, SRV_UP);
	EXPECT_STR(run(CLI_LVL_ADMIN, "set server be1/s1 state foo\n"),
	           "'set server <srv> state' expects 'ready', 'drain' and 'maint'.\n\n");
	EXPECT_STR(run(CLI_LVL_ADMIN, "show servers state nob\n"), "Can't find backend.\n\n");
	EXPECT_STR(run(CLI_LVL_ADMIN, "show servers state be2\n"),
	           "1\n# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight "
	           "srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health "
	           "srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord "
	           "srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port\n"
	           "4 be2 1 s3 127.0.0.1 2 0 1 1 0 1 0 2 0 0 0 0 - 13 - 0 0 - - 0\n\n");
}

static void t_show_stat(void)
{
	const char *o = run(CLI_LVL_ADMIN, "show stat\n");
	const char *l2 = strchr(o, '\n');

	EXPECT(starts(o, "# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,"
	                   "wretr,wredis,status,weight,act,bck,chkfail,chkdown,lastchg,downtime,qlimit,pid,iid,"
	                   "sid,throttle,lbtot,tracked,type,"));
	EXPECT(l2 && starts(l2 + 1, "fe,FRONTEND,,,0,0,4096,0,0,0,0,0,0,,,,,OPEN,,,,,,,,,1,2,0,,,,0,0,0,0,"));
	EXPECT(strstr(o, "\nbe1,s1,0,0,0,0,,0,0,0,,0,,0,0,0,0,no check,1,1,0,,,") != NULL);
	EXPECT(strstr(o, ",127.0.0.1:11,,tcp,,") != NULL);
	EXPECT(strstr(o, "\nbe1,BACKEND,0,0,0,0,") != NULL);
	EXPECT(strstr(o, ",UP,51,2,0,,0,") != NULL);
	EXPECT(strstr(o, ",tcp,roundrobin,") != NULL);
	/* 128 fields: 128 commas on each line */
	for (const char *p = o; p && *p && *p != '\n'; ) {
		const char *e = strchr(p, '\n');
		int commas = 0;

		for (const char *q = p; q < e; q++)
			commas += *q == ',';
		EXPECT_INT(commas, 128);
		p = e + 1;
	}
	/* addresses and algorithms are for operators */
	o = run(CLI_LVL_USER, "show stat\n");
	EXPECT(strstr(o, "127.0.0.1:11") == NULL);
	EXPECT(strstr(o, "roundrobin") == NULL);
}

static void t_show_stat_filters(void)
{
	struct proxy *be1 = proxy_find(&cfg, "be1", PX_CAP_BE);
	struct server *s1 = be1 ? be1->srv : NULL;
	const char *o;

	EXPECT(s1 != NULL);
	if (!s1)
		return;
	/* servers only, of every proxy */
	o = run(CLI_LVL_ADMIN, "show stat -1 4 -1\n");
	EXPECT(strstr(o, "FRONTEND") == NULL && strstr(o, "BACKEND") == NULL);
	EXPECT(strstr(o, "\nbe1,s1,") && strstr(o, "\nbe1,s2,") && strstr(o, "\nbe2,s3,"));
	/* one backend by name, its BACKEND line only */
	o = run(CLI_LVL_ADMIN, "show stat be2 2 -1\n");
	EXPECT(strstr(o, "\nbe2,BACKEND,") && !strstr(o, "be1,") && !strstr(o, "be2,s3"));
	/* by iid (HAProxy's numbering: be1 is 3) and server id */
	o = run(CLI_LVL_ADMIN, "show stat 3 -1 2\n");
	EXPECT(strstr(o, "\nbe1,s2,") && strstr(o, "\nbe1,BACKEND,") && !strstr(o, "be1,s1,"));
	/* up / no-maint drop servers in maintenance; the backend shows the count */
	s1->state = SRV_MAINT;
	o = run(CLI_LVL_ADMIN, "show stat no-maint\n");
	EXPECT(!strstr(o, "be1,s1,") && strstr(o, "be1,s2,"));
	EXPECT(strstr(o, ",UP (1/2),") != NULL);
	o = run(CLI_LVL_ADMIN, "show stat\n");
	EXPECT(strstr(o, "\nbe1,s1,0,0,0,0,,0,0,0,,0,,0,0,0,0,MAINT,") != NULL);
	s1->state = SRV_UP;
	/* a checked server shows its last check as HAProxy does */
	s1->check = 1;
	s1->check_last = CHECK_OK + 1;
	s1->health = s1->rise + s1->fall - 1;
	o = run(CLI_LVL_ADMIN, "show stat\n");
	EXPECT(strstr(o, "\nbe1,s1,0,0,0,0,,0,0,0,,0,,0,0,0,0,UP,1,1,0,0,0,") != NULL);
	EXPECT(strstr(o, ",L4OK,,0,") != NULL);
	EXPECT(strstr(o, ",Layer4 check passed,,2,3,4,") != NULL);
	o = run(CLI_LVL_ADMIN, "show servers state be1\n");
	EXPECT(strstr(o, "\n3 be1 1 s1 127.0.0.1 2 0 1 1 0 6 3 4 6 0 0 0 - 11 - 0 0 - - 0\n") != NULL);
	s1->check = 0;
	s1->check_last = 0;
	EXPECT_STR(run(CLI_LVL_USER, "show backend\n"), "# name\nbe1\nbe2\n\n");
}

static void t_set_maxconn_timeout(void)
{
	struct proxy *fe = proxy_find(&cfg, "fe", PX_CAP_FE);
	struct proxy *be1 = proxy_find(&cfg, "be1", PX_CAP_BE);
	int rc;

	EXPECT(fe && be1);
	if (!fe || !be1)
		return;
	EXPECT_STR(run(CLI_LVL_ADMIN, "set maxconn server be1/s1 10\n"), "\n");
	EXPECT_INT(be1->srv->maxconn, 10);
	EXPECT_STR(run(CLI_LVL_ADMIN, "set maxconn server be1/s1\n"), "Require <maxconn>.\n\n");
	EXPECT_STR(run(CLI_LVL_ADMIN, "set maxconn server be1/s1 x\n"), "maxconn string empty or preceded by garbage\n");
	EXPECT_STR(run(CLI_LVL_ADMIN, "set maxconn server be1/zz 10\n"), "No such server.\n\n");
	EXPECT_STR(run(CLI_LVL_ADMIN, "set maxconn server be1/s1 0\n"), "\n");
	EXPECT_INT(be1->srv->maxconn, 0);
	EXPECT_STR(run(CLI_LVL_ADMIN, "set maxconn frontend fe 100\n"), "\n");
	EXPECT_INT(fe->maxconn, 100);
	EXPECT_STR(run(CLI_LVL_ADMIN, "set maxconn frontend fe\n"), "Integer value expected.\n\n");
	EXPECT_STR(run(CLI_LVL_ADMIN, "set maxconn frontend zz 3\n"), "No such frontend.\n\n");
	EXPECT_STR(run(CLI_LVL_ADMIN, "set maxconn frontend fe 0\n"), "\n");
	EXPECT_STR(run(CLI_LVL_ADMIN, "set maxconn global 50\n"), "\n");
	EXPECT_INT(cfg.g.maxconn, 50);
	EXPECT_STR(run(CLI_LVL_ADMIN, "set maxconn global 99999999\n"), "Value out of range.\n\n");
	EXPECT_STR(run(CLI_LVL_ADMIN, "set maxconn global\n"), "Expects an integer value.\n\n");
	EXPECT_STR(run(CLI_LVL_ADMIN, "set maxconn global 0\n"), "\n");
	EXPECT_INT(cfg.g.maxconn, 4096);
	EXPECT_STR(run(CLI_LVL_OPER, "set maxconn global 10\n"), "Permission denied\n\n");
	EXPECT(starts(run(CLI_LVL_ADMIN, "set maxconn\n"), "Unknown command, but maybe one of the following"));

	EXPECT_STR(run(CLI_LVL_USER, "set timeout foo 5\n"), "'set timeout' only supports 'cli'.\n\n");
	EXPECT_STR(run(CLI_LVL_USER, "set timeout cli\n"), "Expects an integer value.\n\n");
	EXPECT_STR(run(CLI_LVL_USER, "set timeout cli x\n"), "Invalid timeout value.\n\n");
	{
		struct cli_sess *s = cli_sess_new(&cfg, CLI_LVL_USER);

		EXPECT_INT(cli_sess_timeout(s), 0);
		rc = cli_sess_feed(s, "prompt\nset timeout cli 5\n", 25);
		EXPECT_INT(rc, 0);
		EXPECT_INT(cli_sess_timeout(s), 5000);
		rc = cli_sess_feed(s, "set timeout cli 300ms\n", 22);
		EXPECT_INT(cli_sess_timeout(s), 300);
		cli_sess_free(s);
	}
}

static void t_set_server_addr_health(void)
{
	struct proxy *be2 = proxy_find(&cfg, "be2", PX_CAP_BE);
	struct server *s3 = be2 ? be2->srv : NULL;

	EXPECT(s3 != NULL);
	if (!s3)
		return;
	EXPECT_STR(run(CLI_LVL_ADMIN, "set server be2/s3 addr 127.0.0.2\n"),
	           "IP changed from '127.0.0.1' to '127.0.0.2' by 'stats socket command'\n\n");
	EXPECT_STR(run(CLI_LVL_ADMIN, "set server be2/s3 addr 127.0.0.3 port 8080\n"),
	           "IP changed from '127.0.0.2' to '127.0.0.3', port changed from '13' to '8080' by 'stats socket command'\n\n");
	EXPECT_STR(run(CLI_LVL_ADMIN, "set server be2/s3 addr 127.0.0.3 port 8080\n"),
	           "no need to change the addr, no need to change the port by 'stats socket command'\n\n");
	EXPECT_STR(run(CLI_LVL_ADMIN, "set server be2/s3 addr ::1 port 81\n"),
	           "IP changed from '127.0.0.3' to '::1', port changed from '8080' to '81' by 'stats socket command'\n\n");
	EXPECT_INT(s3->addr.u.sa.sa_family, AF_INET6);
	EXPECT_STR(run(CLI_LVL_ADMIN, "set server be2/s3 addr bad\n"), "Invalid addr 'bad' by 'stats socket command'\n\n");
	EXPECT_STR(run(CLI_LVL_ADMIN, "set server be2/s3 addr\n"),
	           "set server <b>/<s> addr requires an address and optionally a port.\n\n");
	EXPECT_STR(run(CLI_LVL_ADMIN, "set server be2/s3 addr 127.0.0.1 port x\n"),
	           "IP changed from '::1' to '127.0.0.1', problem converting port 'x' to an int by 'stats socket command'\n\n");
	EXPECT_STR(run(CLI_LVL_ADMIN, "set server be2/s3 addr 127.0.0.1 port 13\n"),
	           "no need to change the addr, port changed from '81' to '13' by 'stats socket command'\n\n");
	EXPECT_STR(run(CLI_LVL_ADMIN, "set server be2/s3 health down\n"), "\n");
	EXPECT_INT(s3->state, SRV_DOWN);
	EXPECT_STR(run(CLI_LVL_ADMIN, "set server be2/s3 health up\n"), "\n");
	EXPECT_INT(s3->state, SRV_UP);
	EXPECT_STR(run(CLI_LVL_ADMIN, "set server be2/s3 health foo\n"),
	           "'set server <srv> health' expects 'up', 'stopping', or 'down'.\n\n");
	setenv("RP_TEST_CLI", "x=1", 1);
	EXPECT_STR(run(CLI_LVL_OPER, "show env RP_TEST_CLI\n"), "RP_TEST_CLI=x=1\n\n");
	EXPECT_STR(run(CLI_LVL_OPER, "show env RP_TEST_NOPE\n"), "Variable not found\n\n");
	s3->max_conn_seen = 7;
	s3->cum_conn = 9;
	EXPECT_STR(run(CLI_LVL_OPER, "clear counters\n"), "\n");
	EXPECT_INT(s3->max_conn_seen, 0);
	EXPECT_INT(s3->cum_conn, 9);
	EXPECT_STR(run(CLI_LVL_OPER, "clear counters all\n"), "Permission denied\n\n");
	EXPECT_STR(run(CLI_LVL_ADMIN, "clear counters all\n"), "\n");
	EXPECT_INT(s3->cum_conn, 0);
}

static void t_show_cli_sockets(void)
{
	char want[256];

	snprintf(want, sizeof(want), "# socket lvl processes\nunix@%s/x.sock admin all\n\n", dir);
	EXPECT_STR(run(CLI_LVL_USER, "show cli sockets\n"), want);
}

static void t_get_var(void)
{
	struct vars *v = vars_of(NULL, VAR_SCOPE_PROC);
	struct var_ref ref;
	struct sample smp;
	char err[128];

	EXPECT(v != NULL);
	if (!v)
		return;
	EXPECT_INT(vars_parse_ref("proc.foo", 8, &ref, err, sizeof(err)), 0);
	memset(&smp, 0, sizeof(smp));
	smp_set_const_str(&smp, "bar", 3);
	EXPECT_INT(vars_set(v, &ref, &smp), 0);
	vars_ref_free(&ref);
	EXPECT_INT(vars_parse_ref("proc.n", 6, &ref, err, sizeof(err)), 0);
	smp_set_sint(&smp, 42);
	EXPECT_INT(vars_set(v, &ref, &smp), 0);
	vars_ref_free(&ref);
	EXPECT_STR(run(CLI_LVL_OPER, "get var proc.foo\n"), "proc.foo: type=str value=<bar>\n");
	EXPECT_STR(run(CLI_LVL_OPER, "get var proc.n\n"), "proc.n: type=sint value=<42>\n");
	EXPECT_STR(run(CLI_LVL_OPER, "get var proc.nope\n"), "Variable not found.\n\n");
	EXPECT_STR(run(CLI_LVL_OPER, "get var txn.x\n"), "Variable not found.\n\n");
	EXPECT_STR(run(CLI_LVL_OPER, "get var foo\n"), "Variable not found.\n\n");
	EXPECT_STR(run(CLI_LVL_OPER, "get var\n"), "Missing process-wide variable identifier.\n\n");
	vars_clear(v);
}

/* The typed forms, with HAProxy 2.6's tags and indexes. */
static void t_typed(void)
{
	const char *o = run(CLI_LVL_ADMIN, "show info typed\n");

	EXPECT(starts(o, "0.Name.1:POS:str:ringproxy\n1.Version.1:POS:str:"));
	EXPECT(strstr(o, "\n15.Maxconn.1:CLP:u32:4096\n") != NULL);
	EXPECT(strstr(o, "\n54.Unstoppable Jobs.1:MGP:u32:0\n") != NULL);
	EXPECT(strstr(o, "\n71.Tainted.1:SGP:str:0\n\n") != NULL);
	o = run(CLI_LVL_ADMIN, "show stat typed\n");
	EXPECT(starts(o, "F.2.0.0.pxname.1:KNS:str:fe\nF.2.0.1.svname.1:KNS:str:FRONTEND\nF.2.0.4.scur.1:MGP:u32:0\n"));
	EXPECT(strstr(o, "\nS.3.2.1.svname.1:KNS:str:s2\n") != NULL);
	EXPECT(strstr(o, "\nS.3.1.17.status.1:SGP:str:no check\n") != NULL);
	EXPECT(strstr(o, "\nB.4.0.76.algo.1:CGS:str:roundrobin\n") != NULL);
	/* after the "-" separator the typed index is one less than the column */
	EXPECT(strstr(o, "\nB.3.0.103.ssl_sess.1:MCP:u64:0\n") != NULL);
	EXPECT(strstr(o, ".-.1:") == NULL);
	o = run(CLI_LVL_ADMIN, "show stat be2 2 -1 typed\n");
	EXPECT(starts(o, "B.4.0.0.pxname.1:KNS:str:be2\n"));
	EXPECT(strstr(o, "be1") == NULL);
}

static void t_show_info(void)
{
	const char *o = run(CLI_LVL_USER, "show info\n");
	char want[64];

	EXPECT(starts(o, "Name: ringproxy\nVersion: "));
	snprintf(want, sizeof(want), "\nPid: %d\n", (int)getpid());
	EXPECT(strstr(o, want) != NULL);
	EXPECT(strstr(o, "\nNbthread: 1\nNbproc: 1\nProcess_num: 1\n") != NULL);
	EXPECT(strstr(o, "\nMaxconn: 4096\nHard_maxconn: 4096\nCurrConns: 0\n") != NULL);
	EXPECT(strstr(o, "\nTainted: 0\n\n") != NULL);
}

static void t_long_line(void)
{
	static char big[20000];
	int rc;

	memset(big, 'a', sizeof(big) - 1);
	EXPECT_STR(run_rc(CLI_LVL_ADMIN, big, &rc), "");
	EXPECT_INT(rc, 1);
}

/* Random bytes (mostly printable, with LF, ';', '\\', "<<") fed in
 * random pieces: the session answers or closes, never crashes (run under
 * ASan in the sanitizer build). Last: it may edit the lists. */
static void t_random_input(void)
{
	static const char alpha[] = "abcdefghijklmnopqrstuvwxyz /#;\\<\n0123456789.%-";
	unsigned seed = 12345;
	char buf[512];

	for (int round = 0; round < 3000; round++) {
		struct cli_sess *s = cli_sess_new(&cfg, round % 3);
		size_t n, off = 0, len;
		int rc = 0;

		seed = seed * 1103515245u + 12345u;
		n = 1 + (seed >> 16) % sizeof(buf);
		for (size_t i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			buf[i] = (seed >> 24) % 10 == 0 ? (char)(seed >> 16) : alpha[(seed >> 16) % (sizeof(alpha) - 1)];
		}
		while (off < n && rc == 0) {
			seed = seed * 1103515245u + 12345u;
			len = 1 + (seed >> 16) % (n - off);
			rc = cli_sess_feed(s, buf + off, len);
			off += len;
		}
		EXPECT(rc == 0 || rc == 1);
		(void)cli_sess_output(s, &len);
		cli_sess_free(s);
	}
}

/* Not interactive: lines piped in bulk arrive in several reads. A read
 * ending inside a line keeps the session open; one ending on a line end
 * closes it unless more of the same batch is fed (cli.c reads what the
 * socket already holds), as HAProxy answers a whole "socat < file". */
static void t_batch_reads(void)
{
	struct cli_sess *s = cli_sess_new(&cfg, CLI_LVL_ADMIN);
	const char *o;
	size_t len;

	EXPECT(s != NULL);
	if (!s)
		return;
	EXPECT_INT(cli_sess_feed(s, "show cli level\nget weight be1/s1\nshow cli le", 44), 0);
	EXPECT_INT(cli_sess_answered(s), 0);
	EXPECT_INT(cli_sess_feed(s, "vel\n", 4), 1);
	EXPECT_INT(cli_sess_answered(s), 1);
	EXPECT_INT(cli_sess_feed(s, "get weight be1/s1\n", 18), 1);     /* same batch */
	o = cli_sess_output(s, &len);
	EXPECT_INT(len, strlen("admin\n\n1 (initial 1)\n\nadmin\n\n1 (initial 1)\n\n"));
	EXPECT(len > 0 && !memcmp(o, "admin\n\n1 (initial 1)\n\nadmin\n\n1 (initial 1)\n\n", len));
	cli_sess_free(s);
	/* "quit" is not an answered batch: nothing more runs */
	s = cli_sess_new(&cfg, CLI_LVL_ADMIN);
	EXPECT(s != NULL);
	if (!s)
		return;
	EXPECT_INT(cli_sess_feed(s, "quit\n", 5), 1);
	EXPECT_INT(cli_sess_answered(s), 0);
	EXPECT_INT(cli_sess_feed(s, "show cli level\n", 15), 1);
	o = cli_sess_output(s, &len);
	EXPECT_INT(len, 0);
	cli_sess_free(s);
}

int main(void)
{
	if (setup() < 0) {
		printf("FAIL: %s: setup\n", __FILE__);
		return 1;
	}
	RUN(t_one_command_then_close);
	RUN(t_batch_reads);
	RUN(t_prompt_and_quit);
	RUN(t_split_and_escape);
	RUN(t_help_and_unknown);
	RUN(t_levels);
	RUN(t_maps);
	RUN(t_map_ref);
	RUN(t_map_payload);
	RUN(t_map_versions);
	RUN(t_map_edit_routes);
	RUN(t_acls);
	RUN(t_servers);
	RUN(t_show_stat);
	RUN(t_show_stat_filters);
	RUN(t_set_maxconn_timeout);
	RUN(t_set_server_addr_health);
	RUN(t_show_cli_sockets);
	RUN(t_get_var);
	RUN(t_typed);
	RUN(t_show_info);
	RUN(t_long_line);
	RUN(t_random_input);
	cfg_free(&cfg);
	pat_list_free_all();
	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd) != 0)
			printf("# could not remove %s\n", dir);
	}
	return unit_end();
}
