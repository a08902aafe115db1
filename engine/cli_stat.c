/* cli_stat.c: the management socket's counters views (cli.h): "show
 * info" (HAProxy's Name: value lines), "show stat" (HAProxy 2.6's CSV with
 * its 128 columns, filters), both also "typed", "show backend", "clear
 * counters", and how checks are shown. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "engine/check.h"
#include "engine/cli.h"
#include "engine/proxy.h"
#include "engine/thread.h"

/* ---- show info ---- */

static void info_text(struct cli_ctx *c, char **args, int nargs)
{
	const struct config *cfg = c->cfg;
	struct thr *t = thr_cur;
	uint64_t up = cli_uptime_sec(), cum = cli_info.cum_cli_conns, out = 0;
	struct rlimit rl;
	long ulimit = 0;
	int listeners = cli_info.nb_sockets;
	uint32_t cur = t ? t->cur_conn : 0;
	char host[256];

	(void)args; (void)nargs;
	for (const struct proxy *px = cfg->proxies; px; px = px->next) {
		if (px->cap & PX_CAP_FE) {
			cum += px->fe_cum_conn;
			out += px->bytes_out;
			for (const struct bind_conf *b = px->binds; b; b = b->next)
				listeners++;
		}
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0)
		ulimit = rl.rlim_cur == RLIM_INFINITY ? 0 : (long)rl.rlim_cur;
	if (cfg->g.node)
		snprintf(host, sizeof(host), "%s", cfg->g.node);
	else if (gethostname(host, sizeof(host)) < 0)
		host[0] = 0;
	host[sizeof(host) - 1] = 0;

	cli_out_printf(c->out,
	        "Name: ringproxy\nVersion: %s\nRelease_date: %s\nNbthread: %d\nNbproc: 1\n"
	        "Process_num: 1\nPid: %d\nUptime: %llud %lluh%02llum%02llus\nUptime_sec: %llu\n",
	        CLI_VERSION, CLI_VERSION_DATE, cfg->g.nbthread > 0 ? cfg->g.nbthread : 1, (int)getpid(),
	        (unsigned long long)(up / 86400), (unsigned long long)(up / 3600 % 24),
	        (unsigned long long)(up / 60 % 60), (unsigned long long)(up % 60), (unsigned long long)up);
	cli_out_printf(c->out,
	        "Memmax_MB: %llu\nPoolAlloc_MB: 0\nPoolUsed_MB: 0\nPoolFailed: 0\n"
	        "Ulimit-n: %ld\nMaxsock: %ld\nMaxconn: %d\nHard_maxconn: %d\n"
	        "CurrConns: %u\nCumConns: %llu\nCumReq: %llu\n",
	        (unsigned long long)(cfg->g.lua_maxmem >> 20), ulimit, ulimit, cfg->g.maxconn,
	        cli_info.hard_maxconn ? cli_info.hard_maxconn : cfg->g.maxconn,
	        cur, (unsigned long long)cum, (unsigned long long)cum);
	cli_out_printf(c->out,
	        "MaxSslConns: 0\nCurrSslConns: 0\nCumSslConns: 0\nMaxpipes: %u\nPipesUsed: %u\nPipesFree: %u\n"
	        "ConnRate: 0\nConnRateLimit: %u\nMaxConnRate: 0\nSessRate: 0\nSessRateLimit: %u\nMaxSessRate: 0\n"
	        "SslRate: 0\nSslRateLimit: 0\nMaxSslRate: 0\nSslFrontendKeyRate: 0\nSslFrontendMaxKeyRate: 0\n"
	        "SslFrontendSessionReuse_pct: 0\nSslBackendKeyRate: 0\nSslBackendMaxKeyRate: 0\n"
	        "SslCacheLookups: 0\nSslCacheMisses: 0\nCompressBpsIn: 0\nCompressBpsOut: 0\n"
	        "CompressBpsRateLim: 0\n", t ? t->spipes.max : 0, t ? t->spipes.used : 0,
	        t ? t->spipes.nfree : 0, cfg->g.maxconnrate, cfg->g.maxconnrate);
	cli_out_printf(c->out,
	        "Tasks: %u\nRun_queue: 0\nIdle_pct: 100\nnode: %s\nStopping: %d\nJobs: %u\n"
	        "Unstoppable Jobs: 0\nListeners: %d\nActivePeers: 0\nConnectedPeers: 0\nDroppedLogs: 0\n"
	        "BusyPolling: 0\nFailedResolutions: 0\nTotalBytesOut: %llu\nTotalSplicdedBytesOut: %llu\n"
	        "BytesOutRate: 0\nDebugCommandsIssued: 0\nCumRecvLogs: 0\nBuild info: %s\n"
	        "Memmax_bytes: %llu\nPoolAlloc_bytes: 0\nPoolUsed_bytes: 0\nStart_time_sec: %llu\nTainted: 0\n",
	        t ? t->nb_streams : 0, host, t ? (t->stopping || t->stop_req) : 0,
	        cur + (unsigned)listeners + cli_info.cur_cli_conns, listeners,
	        (unsigned long long)out, (unsigned long long)(t ? t->spipes.spliced_out : 0), CLI_VERSION, (unsigned long long)c->cfg->g.lua_maxmem,
	        (unsigned long long)cli_info.start_sec);
}

/* ---- checks as HAProxy shows them ---- */

/* What "show stat" and "show servers state" say about a check result:
 * HAProxy's status name, description and numbers (enum healthcheck_status,
 * CHK_RES_*). */
const struct cli_chk cli_chk_ini = { "INI", "Initializing", 1, 0 };
static const struct cli_chk cli_chks[] = {
	[CHECK_OK]         = { "L4OK", "Layer4 check passed", 6, 3 },
	[CHECK_L4_REFUSED] = { "L4CON", "Layer4 connection problem", 8, 2 },
	[CHECK_L4_TIMEOUT] = { "L4TOUT", "Layer4 timeout", 7, 2 },
	[CHECK_L4_ERROR]   = { "L4CON", "Layer4 connection problem", 8, 2 },
	[CHECK_L7_OK]      = { "L7OK", "Layer7 check passed", 15, 3 },
	[CHECK_L7_RSP]     = { "L7RSP", "Layer7 invalid response", 13, 2 },
	[CHECK_L7_TIMEOUT] = { "L7TOUT", "Layer7 timeout", 12, 2 },
	[CHECK_SOCK_ERR]   = { "SOCKERR", "Socket error", 5, 2 },
	[CHECK_L7_STS]     = { "L7STS", "Layer7 wrong status", 17, 2 },
	[CHECK_L6_OK]      = { "L6OK", "Layer6 check passed", 9, 3 },
	[CHECK_L6_TIMEOUT] = { "L6TOUT", "Layer6 timeout", 10, 2 },
	[CHECK_L6_RSP]     = { "L6RSP", "Layer6 invalid response", 11, 2 },
	[CHECK_L7_OKC]     = { "L7OKC", "Layer7 check conditionally passed", 16, 4 },
};

/* Returns the description of <s>'s last check (check_last is the result
 * plus one, 0 before the first one). */
const struct cli_chk *cli_chk_of(const struct server *s)
{
	int r = s->check_last - 1;

	if (r < 0 || r >= (int)(sizeof(cli_chks) / sizeof(cli_chks[0])))
		return &cli_chk_ini;
	return &cli_chks[r];
}

/* ---- show stat ---- */

#define ST_NF 128   /* columns in HAProxy 2.6's CSV (the last ones: h1_*) */

static const char cli_stat_hdr[] =
	"# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,"
	"wredis,status,weight,act,bck,chkfail,chkdown,lastchg,downtime,qlimit,pid,iid,sid,throttle,"
	"lbtot,tracked,type,rate,rate_lim,rate_max,check_status,check_code,check_duration,hrsp_1xx,"
	"hrsp_2xx,hrsp_3xx,hrsp_4xx,hrsp_5xx,hrsp_other,hanafail,req_rate,req_rate_max,req_tot,"
	"cli_abrt,srv_abrt,comp_in,comp_out,comp_byp,comp_rsp,lastsess,last_chk,last_agt,qtime,"
	"ctime,rtime,ttime,agent_status,agent_code,agent_duration,check_desc,agent_desc,check_rise,"
	"check_fall,check_health,agent_rise,agent_fall,agent_health,addr,cookie,mode,algo,conn_rate,"
	"conn_rate_max,conn_tot,intercepted,dcon,dses,wrew,connect,reuse,cache_lookups,cache_hits,"
	"srv_icur,src_ilim,qtime_max,ctime_max,rtime_max,ttime_max,eint,idle_conn_cur,safe_conn_cur,"
	"used_conn_cur,need_conn_est,uweight,agg_server_status,agg_server_check_status,"
	"agg_check_status,-,ssl_sess,ssl_reused_sess,ssl_failed_handshake,h2_headers_rcvd,"
	"h2_data_rcvd,h2_settings_rcvd,h2_rst_stream_rcvd,h2_goaway_rcvd,"
	"h2_detected_conn_protocol_errors,h2_detected_strm_protocol_errors,h2_rst_stream_resp,"
	"h2_goaway_resp,h2_open_connections,h2_backend_open_streams,h2_total_connections,"
	"h2_backend_total_streams,h1_open_connections,h1_open_streams,h1_total_connections,"
	"h1_total_streams,h1_bytes_in,h1_bytes_out,h1_spliced_bytes_in,h1_spliced_bytes_out,\n";

/* Which columns HAProxy 2.6 fills for each kind of line in a TCP proxy
 * ('0': a counter or value, '.': left empty), by column index; the values
 * set below replace them. Read from HAProxy's own output. */
static const char st_fe_mask[ST_NF + 1] =
	"....000000000....0........000...0000..........000..0000....................0.000.000..........0........0000000000000000000000000";
static const char st_sv_mask[ST_NF + 1] =
	"..0000.000.0.00000000..0..000.0.00.0.............00....0..0000.............0.......000..0.0000000000...0000.....................";
static const char st_be_mask[ST_NF + 1] =
	"..0000000000.00000000.000.000.0.00.0.............0000000..0000.............0.......000....00000....00000000000000000000000000000";

/* The same in an HTTP proxy (response and request counters). */
static const char st_fe_http_mask[ST_NF + 1] =
	"....000000000....0........000...0000...000000.000..0000....................0.0000000..00......0........0000000000000000000000000";
static const char st_sv_http_mask[ST_NF + 1] =
	"..0000.000.0.00000000..0..000.0.00.0...000000...000....0..0000.............0.......000..0.0000000000...0000.....................";
static const char st_be_http_mask[ST_NF + 1] =
	"..0000000000.00000000.000.000.0.00.0...000000...00000000..0000.............0.......00000..00000....00000000000000000000000000000";

struct st_row {
	char f[ST_NF][64];
	int set[ST_NF];
};

static void st_set(struct st_row *r, int i, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void st_set(struct st_row *r, int i, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->f[i], sizeof(r->f[i]), fmt, ap);
	va_end(ap);
	r->set[i] = 1;
}

static void st_init(struct st_row *r, const char *mask)
{
	for (int i = 0; i < ST_NF; i++) {
		r->set[i] = mask[i] == '0';
		strcpy(r->f[i], "0");
	}
}

static void st_emit(struct cli_out *o, const struct st_row *r, const char *pxname, const char *svname)
{
	cli_out_printf(o, "%s,%s,", pxname, svname);
	for (int i = 2; i < ST_NF; i++) {
		if (r->set[i])
			cli_out_str(o, r->f[i]);
		cli_out_add(o, ",", 1);
	}
	cli_out_add(o, "\n", 1);
}

static const char *st_algo(const struct proxy *px)
{
	switch (px->lb) {
	case LB_ROUNDROBIN: return "roundrobin";
	case LB_LEASTCONN:  return "leastconn";
	case LB_SOURCE:     return "source";
	case LB_FIRST:      return "first";
	case LB_URI:        return "uri";
	case LB_HDR:        return "hdr";
	case LB_STATIC_RR:  return "static-rr";
	case LB_RANDOM:     return "random";
	}
	return "";
}

static const char *st_srv_status(const struct server *s)
{
	switch (s->state) {
	case SRV_UP:    return s->check && !s->check_paused ? "UP" : "no check";
	case SRV_DOWN:  return "DOWN";
	case SRV_MAINT: return "MAINT";
	case SRV_DRAIN: return "DRAIN";
	}
	return "";
}

/* "show stat [{<iid>|<proxy>} <type> <sid>] [up|no-maint]": the lines to
 * print. <type> is a bit set (1 frontends, 2 backends, 4 servers), -1 for
 * all; -1 as <iid> or <sid> means every one. */
struct st_filter {
	const char *pxname;         /* or NULL: by <iid> */
	int iid, type, sid;
	int up, nomaint;
};

static void st_parse_filter(struct st_filter *f, char **args, int nargs)
{
	int i = 2;

	f->pxname = NULL;
	f->iid = f->type = f->sid = -1;
	f->up = f->nomaint = 0;
	if (nargs >= 5 && strcmp(args[2], "up") && strcmp(args[2], "no-maint") &&
	    strcmp(args[2], "typed") && strcmp(args[2], "json") && strcmp(args[2], "desc")) {
		char *end;
		long v = strtol(args[2], &end, 10);

		if (*end)
			f->pxname = args[2];
		else
			f->iid = (int)v;
		f->type = atoi(args[3]);
		f->sid = atoi(args[4]);
		i = 5;
	}
	for (; i < nargs; i++) {
		if (!strcmp(args[i], "up"))
			f->up = 1;
		else if (!strcmp(args[i], "no-maint"))
			f->nomaint = 1;
	}
}

static int st_px_wanted(const struct st_filter *f, const struct proxy *px)
{
	if (f->pxname)
		return !strcmp(f->pxname, px->name);
	return f->iid == -1 || f->iid == cli_px_id(px);
}

static void stat_csv(struct cli_ctx *c, char **args, int nargs)
{
	static struct st_row r;      /* 8 KiB: the CLI runs on one thread */
	const char *mode;
	char ip[INET6_ADDRSTRLEN];
	struct st_filter flt;

	st_parse_filter(&flt, args, nargs);
	cli_out_str(c->out, cli_stat_hdr);
	for (struct proxy *px = c->cfg->proxies; px; px = px->next) {
		int http = px->mode == PX_MODE_HTTP;

		if (!st_px_wanted(&flt, px))
			continue;
		mode = http ? "http" : "tcp";
		if ((px->cap & PX_CAP_FE) && (flt.type & 1)) {
			st_init(&r, http ? st_fe_http_mask : st_fe_mask);
			st_set(&r, 4, "%u", px->fe_cur_conn);
			st_set(&r, 6, "%d", px->maxconn ? px->maxconn : c->cfg->g.maxconn);
			st_set(&r, 7, "%llu", (unsigned long long)px->fe_cum_conn);
			st_set(&r, 8, "%llu", (unsigned long long)px->bytes_in);
			st_set(&r, 9, "%llu", (unsigned long long)px->bytes_out);
			st_set(&r, 10, "%llu", (unsigned long long)px->denied_req);
			st_set(&r, 11, "%llu", (unsigned long long)px->denied_resp);
			st_set(&r, 17, "%s", px->disabled ? "STOP" : px->fe_paused ? "PAUSED" : "OPEN");
			st_set(&r, 26, "1");
			st_set(&r, 27, "%d", cli_px_id(px));
			st_set(&r, 34, "%u", px->sess_rate_lim);          /* rate-limit sessions */
			st_set(&r, 75, "%s", mode);
			st_set(&r, 79, "%llu", (unsigned long long)px->fe_cum_conn);
			st_set(&r, 81, "%llu", (unsigned long long)px->denied_conn);
			st_set(&r, 82, "%llu", (unsigned long long)px->denied_sess);
			st_set(&r, 103, "-");
			st_emit(c->out, &r, px->name, "FRONTEND");
		}
		if (!(px->cap & PX_CAP_BE))
			continue;
		int act = 0, bck = 0, wsum = 0, up = 0;

		for (struct server *s = px->srv; s; s = s->next) {
			int usable = s->state == SRV_UP || s->state == SRV_DRAIN;

			if (usable && s->cur_weight > 0) {
				if (s->backup)
					bck++;
				else
					act++;
				up++;
			}
			if (!(flt.type & 4) || (flt.sid != -1 && flt.sid != s->id) ||
			    (flt.up && !usable) || (flt.nomaint && s->state == SRV_MAINT))
				continue;
			st_init(&r, http ? st_sv_http_mask : st_sv_mask);
			st_set(&r, 2, "%u", s->nb_queued);
			st_set(&r, 4, "%u", s->cur_conn);
			st_set(&r, 5, "%u", s->max_conn_seen);
			if (s->maxconn)
				st_set(&r, 6, "%d", s->maxconn);
			st_set(&r, 7, "%llu", (unsigned long long)s->cum_conn);
			st_set(&r, 8, "%llu", (unsigned long long)s->bytes_in);
			st_set(&r, 9, "%llu", (unsigned long long)s->bytes_out);
			st_set(&r, 17, "%s", st_srv_status(s));
			st_set(&r, 18, "%d", s->cur_weight);
			st_set(&r, 19, "%d", !s->backup);
			st_set(&r, 20, "%d", s->backup);
			st_set(&r, 23, "%llu", (unsigned long long)cli_uptime_sec());
			if (s->maxqueue)
				st_set(&r, 25, "%d", s->maxqueue);
			st_set(&r, 26, "1");
			st_set(&r, 27, "%d", cli_px_id(px));
			st_set(&r, 28, "%d", s->id);
			st_set(&r, 30, "%llu", (unsigned long long)s->cum_conn);
			st_set(&r, 32, "2");
			st_set(&r, 55, "-1");
			if (*c->level >= CLI_LVL_OPER) {
				cli_addr_ip(&s->addr, ip, sizeof(ip));
				st_set(&r, 73, s->addr.u.sa.sa_family == AF_INET6 ? "[%s]:%d" : "%s:%d",
				       ip, cli_addr_port(&s->addr));
			}
			st_set(&r, 75, "%s", mode);
			st_set(&r, 99, "%d", s->cur_weight);
			if (s->check && !s->check_paused) {   /* "disable health": columns left empty */
				const struct cli_chk *k = cli_chk_of(s);

				st_set(&r, 21, "0");
				st_set(&r, 22, "0");
				st_set(&r, 24, "0");
				st_set(&r, 36, "%s%s", check_in_progress(s) ? "* " : "", k->name);
				st_set(&r, 38, "0");
				st_set(&r, 65, "%s", k->desc);
				st_set(&r, 67, "%d", s->rise);
				st_set(&r, 68, "%d", s->fall);
				st_set(&r, 69, "%d", s->health);
			}
			st_set(&r, 103, "-");
			st_emit(c->out, &r, px->name, s->name);
		}
		if (!(flt.type & 2))
			continue;
		/* HAProxy's backend weight: the active servers', or the backups'
		 * when no active server is usable */
		for (struct server *s = px->srv; s; s = s->next)
			if ((s->state == SRV_UP || s->state == SRV_DRAIN) && (act ? !s->backup : s->backup))
				wsum += s->cur_weight;
		st_init(&r, http ? st_be_http_mask : st_be_mask);
		st_set(&r, 2, "%u", px->nb_queued);
		st_set(&r, 4, "%u", px->be_cur_conn);
		st_set(&r, 6, "%d", px->fullconn ? px->fullconn : (c->cfg->g.maxconn + 9) / 10);
		st_set(&r, 7, "%llu", (unsigned long long)px->be_cum_conn);
		/* with "up" or "no-maint", HAProxy shows how many servers are up */
		if (up && (flt.up || flt.nomaint) && up < px->nb_srv)
			st_set(&r, 17, "UP (%d/%d)", up, px->nb_srv);
		else
			st_set(&r, 17, "%s", up ? "UP" : "DOWN");
		st_set(&r, 18, "%d", wsum);
		st_set(&r, 19, "%d", act);
		st_set(&r, 20, "%d", bck);
		st_set(&r, 23, "%llu", (unsigned long long)cli_uptime_sec());
		st_set(&r, 26, "1");
		st_set(&r, 27, "%d", cli_px_id(px));
		st_set(&r, 30, "%llu", (unsigned long long)px->be_cum_conn);
		st_set(&r, 32, "1");
		st_set(&r, 55, "-1");
		st_set(&r, 75, "%s", mode);
		if (*c->level >= CLI_LVL_OPER)
			st_set(&r, 76, "%s", st_algo(px));
		st_set(&r, 99, "%d", wsum);
		st_set(&r, 103, "-");
		st_emit(c->out, &r, px->name, "BACKEND");
	}
}

/* "clear counters [all]": the maximums, or (all) every counter. */
void cli_cmd_clear_counters(struct cli_ctx *c, char **args, int nargs)
{
	int all = nargs > 2 && !strcmp(args[2], "all");

	if (all && *c->level < CLI_LVL_ADMIN) {
		cli_out_str(c->out, "Permission denied\n");
		return;
	}
	for (struct proxy *px = c->cfg->proxies; px; px = px->next) {
		for (struct server *s = px->srv; s; s = s->next) {
			s->max_conn_seen = s->cur_conn;
			if (all)
				s->cum_conn = s->bytes_in = s->bytes_out = 0;
		}
		if (all) {
			px->fe_cum_conn = px->be_cum_conn = px->bytes_in = px->bytes_out = 0;
			px->denied_req = px->denied_conn = px->denied_sess = px->denied_resp = 0;
		}
	}
}

/* ---- typed output ("show info typed", "show stat typed") ---- */

/* HAProxy 2.6's tags and types of each field (origin, nature, scope:
 * type), read from its own typed output; the typed index of a "show stat"
 * column is its CSV index, minus one after the "-" separator (103). */
#define ST_NF_TYPED 127
#define ST_SEP      103

static const char *const st_meta_F[ST_NF_TYPED] = {
	[0] = "KNS:str", [1] = "KNS:str", [4] = "MGP:u32", [5] = "MMP:u32", [6] = "CLP:u32",
	[7] = "MCP:u64", [8] = "MCP:u64", [9] = "MCP:u64", [10] = "MCP:u64", [11] = "MCP:u64",
	[12] = "MCP:u64", [17] = "SGP:str", [26] = "KGP:u32", [27] = "KGS:u32", [28] = "KGS:u32",
	[32] = "CGS:u32", [33] = "MRP:u32", [34] = "CLP:u32", [35] = "MMP:u32", [39] = "MCP:u64",
	[40] = "MCP:u64", [41] = "MCP:u64", [42] = "MCP:u64", [43] = "MCP:u64", [44] = "MCP:u64",
	[46] = "MRP:u32", [47] = "MMP:u32", [48] = "MCP:u64", [51] = "MCP:u64", [52] = "MCP:u64",
	[53] = "MCP:u64", [54] = "MCP:u64", [75] = "CGS:str", [77] = "MRP:u32", [78] = "MMP:u32",
	[79] = "MCP:u64", [80] = "MCP:u64", [81] = "MCP:u64", [82] = "MCP:u64", [83] = "MCP:u64",
	[86] = "MCP:u64", [87] = "MCP:u64", [94] = "MCP:u64", [103] = "MCP:u64", [104] = "MCP:u64",
	[105] = "MCP:u64", [106] = "MCP:u64", [107] = "MCP:u64", [108] = "MCP:u64", [109] = "MCP:u64",
	[110] = "MCP:u64", [111] = "MCP:u64", [112] = "MCP:u64", [113] = "MCP:u64", [114] = "MCP:u64",
	[115] = "MGP:u64", [116] = "MGP:u64", [117] = "MCP:u64", [118] = "MCP:u64", [119] = "MGP:u64",
	[120] = "MGP:u64", [121] = "MCP:u64", [122] = "MCP:u64", [123] = "MCP:u64", [124] = "MCP:u64",
	[125] = "MCP:u64", [126] = "MCP:u64",
};
static const char *const st_meta_B[ST_NF_TYPED] = {
	[0] = "KNS:str", [1] = "KNS:str", [2] = "MGP:u32", [3] = "MMP:u32", [4] = "MGP:u32",
	[5] = "MMP:u32", [6] = "CLP:u32", [7] = "MCP:u64", [8] = "MCP:u64", [9] = "MCP:u64",
	[10] = "MCP:u64", [11] = "MCP:u64", [13] = "MCP:u64", [14] = "MCP:u64", [15] = "MCP:u64",
	[16] = "MCP:u64", [17] = "SGP:str", [18] = "MaP:u32", [19] = "MGP:u32", [20] = "MGP:u32",
	[22] = "MCP:u64", [23] = "MAP:u32", [24] = "MCP:u32", [26] = "KGP:u32", [27] = "KGS:u32",
	[28] = "KGS:u32", [30] = "MCP:u64", [32] = "CGS:u32", [33] = "MGP:u32", [35] = "MGP:u32",
	[39] = "MCP:u64", [40] = "MCP:u64", [41] = "MCP:u64", [42] = "MCP:u64", [43] = "MCP:u64",
	[44] = "MCP:u64", [48] = "MCP:u64", [49] = "MCP:u64", [50] = "MCP:u64", [51] = "MCP:u64",
	[52] = "MCP:u64", [53] = "MCP:u64", [54] = "MCP:u64", [55] = "MAP:s32", [58] = "MaP:u32",
	[59] = "MaP:u32", [60] = "MaP:u32", [61] = "MaP:u32", [75] = "CGS:str", [76] = "CGS:str",
	[83] = "MCP:u64", [84] = "MCP:u64", [85] = "MCP:u64", [86] = "MCP:u64", [87] = "MCP:u64",
	[90] = "MMP:u32", [91] = "MMP:u32", [92] = "MMP:u32", [93] = "MMP:u32", [94] = "MCP:u64",
	[99] = "MaP:u32", [100] = "MGP:u32", [101] = "MGP:u32", [102] = "MGP:u32", [103] = "MCP:u64",
	[104] = "MCP:u64", [105] = "MCP:u64", [106] = "MCP:u64", [107] = "MCP:u64", [108] = "MCP:u64",
	[109] = "MCP:u64", [110] = "MCP:u64", [111] = "MCP:u64", [112] = "MCP:u64", [113] = "MCP:u64",
	[114] = "MCP:u64", [115] = "MGP:u64", [116] = "MGP:u64", [117] = "MCP:u64", [118] = "MCP:u64",
	[119] = "MGP:u64", [120] = "MGP:u64", [121] = "MCP:u64", [122] = "MCP:u64", [123] = "MCP:u64",
	[124] = "MCP:u64", [125] = "MCP:u64", [126] = "MCP:u64",
};
static const char *const st_meta_S[ST_NF_TYPED] = {
	[0] = "KNS:str", [1] = "KNS:str", [2] = "MGP:u32", [3] = "MMP:u32", [4] = "MGP:u32",
	[5] = "MMP:u32", [7] = "MCP:u64", [8] = "MCP:u64", [9] = "MCP:u64", [11] = "MCP:u64",
	[13] = "MCP:u64", [14] = "MCP:u64", [15] = "MCP:u64", [16] = "MCP:u64", [17] = "SGP:str",
	[18] = "MaP:u32", [19] = "SGP:u32", [20] = "SGP:u32", [21] = "MCP:u64", [22] = "MCP:u64",
	[23] = "MAP:u32", [24] = "MCP:u32", [26] = "KGP:u32", [27] = "KGS:u32", [28] = "KGS:u32",
	[30] = "MCP:u64", [32] = "CGS:u32", [33] = "MRP:u32", [35] = "MMP:u32", [36] = "MOP:str",
	[38] = "MDP:u64", [39] = "MCP:u64", [40] = "MCP:u64", [41] = "MCP:u64", [42] = "MCP:u64",
	[43] = "MCP:u64", [44] = "MCP:u64", [48] = "MCP:u64", [49] = "MCP:u64", [50] = "MCP:u64",
	[55] = "MAP:s32", [56] = "MOP:str", [58] = "MaP:u32", [59] = "MaP:u32", [60] = "MaP:u32",
	[61] = "MaP:u32", [65] = "MOP:str", [67] = "CGS:u32", [68] = "CGS:u32", [69] = "CGS:u32",
	[73] = "CGS:str", [75] = "CGS:str", [83] = "MCP:u64", [84] = "MCP:u64", [85] = "MCP:u64",
	[88] = "MGP:u32", [90] = "MMP:u32", [91] = "MMP:u32", [92] = "MMP:u32", [93] = "MMP:u32",
	[94] = "MCP:u64", [95] = "MGP:u32", [96] = "MGP:u32", [97] = "MGP:u32", [98] = "MGP:u32",
	[99] = "MaP:u32", [103] = "MCP:u64", [104] = "MCP:u64", [105] = "MCP:u64",
};
static const struct info_meta { const char *name; int idx; const char *meta; } info_metas[] = {
	{ "Name", 0, "POS:str" },
	{ "Version", 1, "POS:str" },
	{ "Release_date", 2, "POS:str" },
	{ "Nbthread", 3, "CGS:u32" },
	{ "Nbproc", 4, "CGS:u32" },
	{ "Process_num", 5, "KGP:u32" },
	{ "Pid", 6, "SGP:u32" },
	{ "Uptime", 7, "MDP:str" },
	{ "Uptime_sec", 8, "MDP:u32" },
	{ "Memmax_MB", 9, "CLP:u32" },
	{ "PoolAlloc_MB", 10, "MGP:u32" },
	{ "PoolUsed_MB", 11, "MGP:u32" },
	{ "PoolFailed", 12, "MCP:u32" },
	{ "Ulimit-n", 13, "CLP:u32" },
	{ "Maxsock", 14, "CLP:u32" },
	{ "Maxconn", 15, "CLP:u32" },
	{ "Hard_maxconn", 16, "CLP:u32" },
	{ "CurrConns", 17, "MGP:u32" },
	{ "CumConns", 18, "MCP:u32" },
	{ "CumReq", 19, "MCP:u32" },
	{ "MaxSslConns", 20, "MMP:u32" },
	{ "CurrSslConns", 21, "MGP:u32" },
	{ "CumSslConns", 22, "MCP:u32" },
	{ "Maxpipes", 23, "CLP:u32" },
	{ "PipesUsed", 24, "MGP:u32" },
	{ "PipesFree", 25, "MGP:u32" },
	{ "ConnRate", 26, "MRP:u32" },
	{ "ConnRateLimit", 27, "CLP:u32" },
	{ "MaxConnRate", 28, "MMP:u32" },
	{ "SessRate", 29, "MRP:u32" },
	{ "SessRateLimit", 30, "CLP:u32" },
	{ "MaxSessRate", 31, "MRP:u32" },
	{ "SslRate", 32, "MRP:u32" },
	{ "SslRateLimit", 33, "CLP:u32" },
	{ "MaxSslRate", 34, "MMP:u32" },
	{ "SslFrontendKeyRate", 35, "MGP:u32" },
	{ "SslFrontendMaxKeyRate", 36, "MMP:u32" },
	{ "SslFrontendSessionReuse_pct", 37, "MGP:u32" },
	{ "SslBackendKeyRate", 38, "MRP:u32" },
	{ "SslBackendMaxKeyRate", 39, "MMP:u32" },
	{ "SslCacheLookups", 40, "MCP:u32" },
	{ "SslCacheMisses", 41, "MCP:u32" },
	{ "CompressBpsIn", 42, "MRP:u32" },
	{ "CompressBpsOut", 43, "MRP:u32" },
	{ "CompressBpsRateLim", 44, "CLP:u32" },
	{ "Tasks", 47, "MGP:u32" },
	{ "Run_queue", 48, "MGP:u32" },
	{ "Idle_pct", 49, "MaP:u32" },
	{ "node", 50, "COS:str" },
	{ "Stopping", 52, "MGP:u32" },
	{ "Jobs", 53, "MGP:u32" },
	{ "Unstoppable Jobs", 54, "MGP:u32" },
	{ "Listeners", 55, "MGP:u32" },
	{ "ActivePeers", 56, "MGP:u32" },
	{ "ConnectedPeers", 57, "MGP:u32" },
	{ "DroppedLogs", 58, "MGP:u32" },
	{ "BusyPolling", 59, "MGP:u32" },
	{ "FailedResolutions", 60, "MGP:u32" },
	{ "TotalBytesOut", 61, "MGP:u64" },
	{ "TotalSplicdedBytesOut", 62, "MGP:u64" },
	{ "BytesOutRate", 63, "MRP:u64" },
	{ "DebugCommandsIssued", 64, "MGP:u32" },
	{ "CumRecvLogs", 65, "MCP:u32" },
	{ "Build info", 66, "POS:str" },
	{ "Memmax_bytes", 67, "CLP:u32" },
	{ "PoolAlloc_bytes", 68, "MGP:u64" },
	{ "PoolUsed_bytes", 69, "MGP:u64" },
	{ "Start_time_sec", 70, "MDP:u32" },
	{ "Tainted", 71, "SGP:str" },
	{ NULL, 0, NULL }
};

/* Returns 1 if a word of <args> after the command is <word>. */
static int has_word(char **args, int nargs, const char *word)
{
	for (int i = 2; i < nargs; i++)
		if (!strcmp(args[i], word))
			return 1;
	return 0;
}

/* Writes one CSV line of "show stat" (no LF) as typed lines. */
static void stat_typed_line(struct cli_out *o, char *line)
{
	static char names[ST_NF][40];
	static int have_names;
	char *f[ST_NF];
	const char *const *meta;
	char kind;
	int n = 0;

	if (!have_names) {
		const char *p = cli_stat_hdr + 2;

		for (int i = 0; i < ST_NF && *p; i++) {
			size_t l = strcspn(p, ",\n");

			snprintf(names[i], sizeof(names[i]), "%.*s", (int)l, p);
			p += l + (p[l] == ',');
		}
		have_names = 1;
	}
	for (char *p = line; n < ST_NF; n++) {
		f[n] = p;
		if (!(p = strchr(p, ',')))
			break;
		*p++ = 0;
	}
	if (n < 28)
		return;
	kind = !strcmp(f[1], "FRONTEND") ? 'F' : !strcmp(f[1], "BACKEND") ? 'B' : 'S';
	meta = kind == 'F' ? st_meta_F : kind == 'B' ? st_meta_B : st_meta_S;
	for (int i = 0; i < n && i < ST_NF; i++) {
		int ti = i < ST_SEP ? i : i - 1;
		const char *m;

		if (i == ST_SEP || !*f[i] || ti >= ST_NF_TYPED)
			continue;
		if (!(m = meta[ti]) && !(m = st_meta_S[ti]) && !(m = st_meta_B[ti]) && !(m = st_meta_F[ti]))
			continue;
		cli_out_printf(o, "%c.%s.%s.%d.%s.1:%s:%s\n", kind, f[27], kind == 'S' ? f[28] : "0", ti,
		               names[i], m, f[i]);
	}
}

/* Runs <fn> into a scratch buffer and returns it (owned by the caller,
 * free its <p>). */
static struct cli_out run_into(void (*fn)(struct cli_ctx *, char **, int), struct cli_ctx *c,
                               char **args, int nargs)
{
	struct cli_out tmp = { 0 }, *out = c->out;

	c->out = &tmp;
	fn(c, args, nargs);
	c->out = out;
	cli_out_add(&tmp, "", 0);
	return tmp;
}

/* The typed form of "show stat" (one "K.px.sv.pos.name.1:meta:type:value"
 * line per field), for the "typed" and "json" outputs. */
static void stat_typed(struct cli_ctx *c, char **args, int nargs)
{
	struct cli_out tmp;
	char *line, *eol;

	tmp = run_into(stat_csv, c, args, nargs);
	for (line = tmp.p; line && *line; line = eol + 1) {
		if (!(eol = strchr(line, '\n')))
			break;
		*eol = 0;
		if (line[0] != '#')
			stat_typed_line(c->out, line);
	}
	c->out->failed |= tmp.failed;
	free(tmp.p);
}

/* ---- JSON output ("show stat json", "show info json") ---- */

/* HAProxy's names of the typed tags (origin, nature, scope letters). */
static const char *json_tag(int which, char l)
{
	static const char *const origin[] = { "M", "Metric", "S", "Status", "K", "Key", "C", "Config",
	                                      "P", "Product", NULL };
	static const char *const nature[] = { "A", "Age", "a", "Avg", "C", "Counter", "D", "Duration",
	                                      "G", "Gauge", "L", "Limit", "M", "Max", "N", "Name",
	                                      "O", "Output", "R", "Rate", "T", "Time", NULL };
	static const char *const scope[] = { "P", "Process", "S", "Service", "s", "System",
	                                     "C", "Cluster", NULL };
	const char *const *t = which == 0 ? origin : which == 1 ? nature : scope;

	for (; t[0]; t += 2)
		if (t[0][0] == l)
			return t[1];
	return "Unknown";
}

static void json_str(struct cli_out *o, const char *s)
{
	cli_out_add(o, "\"", 1);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			cli_out_printf(o, "\\%c", ch);
		else if (ch < 0x20)
			cli_out_printf(o, "\\u%04x", ch);
		else
			cli_out_add(o, s, 1);
	}
	cli_out_add(o, "\"", 1);
}

/* Writes the "tags" and "value" members from "<meta>:<type>:<value>". */
static void json_tags_value(struct cli_out *o, const char *mtv)
{
	const char *type = strchr(mtv, ':'), *val;
	char tname[16];

	if (!type || type - mtv < 3)
		return;
	val = strchr(type + 1, ':');
	snprintf(tname, sizeof(tname), "%.*s", val ? (int)(val - type - 1) : 0, type + 1);
	cli_out_printf(o, "\"tags\":{\"origin\":\"%s\",\"nature\":\"%s\",\"scope\":\"%s\"},",
	               json_tag(0, mtv[0]), json_tag(1, mtv[1]), json_tag(2, mtv[2]));
	cli_out_printf(o, "\"value\":{\"type\":\"%s\",\"value\":", tname);
	if (!strcmp(tname, "str"))
		json_str(o, val ? val + 1 : "");
	else
		cli_out_str(o, val && val[1] ? val + 1 : "0");
	cli_out_str(o, "}}");
}

/* "show stat json": an array of rows (one per proxy/server line), each an
 * array of field objects, as HAProxy 2.6 prints them. */
static void stat_json(struct cli_ctx *c, char **args, int nargs)
{
	struct cli_out tmp = run_into(stat_typed, c, args, nargs);
	char prev[64] = "", *line, *eol;
	int rows = 0, fields = 0;

	cli_out_add(c->out, "[", 1);
	for (line = tmp.p; line && *line; line = eol + 1) {
		char *f[6], *p = line, *mtv;
		int n = 0;

		if (!(eol = strchr(line, '\n')))
			break;
		*eol = 0;
		if (!(mtv = strchr(line, ':')))
			continue;
		*mtv++ = 0;
		while (n < 6 && p) {
			f[n++] = p;
			if ((p = strchr(p, '.')))
				*p++ = 0;
		}
		if (n < 6)
			continue;
		/* a new row when the object changes */
		char key[64];
		snprintf(key, sizeof(key), "%s.%s.%s", f[0], f[1], f[2]);
		if (strcmp(key, prev)) {
			cli_out_str(c->out, rows ? "]," : "");
			cli_out_add(c->out, "[", 1);
			snprintf(prev, sizeof(prev), "%s", key);
			rows++;
			fields = 0;
		}
		cli_out_printf(c->out, "%s{\"objType\":\"%s\",\"proxyId\":%s,\"id\":%s,"
		               "\"field\":{\"pos\":%s,\"name\":", fields++ ? "," : "",
		               f[0][0] == 'F' ? "Frontend" : f[0][0] == 'B' ? "Backend" : "Server",
		               f[1], f[2], f[3]);
		json_str(c->out, f[4]);
		cli_out_printf(c->out, "},\"processNum\":%s,", f[5]);
		json_tags_value(c->out, mtv);
	}
	cli_out_str(c->out, rows ? "]]\n" : "]\n");
	c->out->failed |= tmp.failed;
	free(tmp.p);
}

void cli_cmd_show_stat(struct cli_ctx *c, char **args, int nargs)
{
	if (has_word(args, nargs, "json"))
		stat_json(c, args, nargs);
	else if (has_word(args, nargs, "typed"))
		stat_typed(c, args, nargs);
	else
		stat_csv(c, args, nargs);
}

static void info_typed(struct cli_ctx *c, char **args, int nargs)
{
	struct cli_out tmp;
	char *line, *eol, *sep;

	tmp = run_into(info_text, c, args, nargs);
	for (line = tmp.p; line && *line; line = eol + 1) {
		if (!(eol = strchr(line, '\n')))
			break;
		*eol = 0;
		if (!(sep = strstr(line, ": ")))
			continue;
		*sep = 0;
		for (const struct info_meta *m = info_metas; m->name; m++)
			if (!strcmp(m->name, line)) {
				cli_out_printf(c->out, "%d.%s.1:%s:%s\n", m->idx, line, m->meta, sep + 2);
				break;
			}
	}
	c->out->failed |= tmp.failed;
	free(tmp.p);
}

/* "show info json": one array of field objects. */
static void info_json(struct cli_ctx *c, char **args, int nargs)
{
	struct cli_out tmp = run_into(info_typed, c, args, nargs);
	char *line, *eol;
	int n = 0;

	cli_out_add(c->out, "[", 1);
	for (line = tmp.p; line && *line; line = eol + 1) {
		char *name, *proc, *mtv;

		if (!(eol = strchr(line, '\n')))
			break;
		*eol = 0;
		/* "<pos>.<name>.<proc>:<meta>:<type>:<value>"; a name may hold
		 * blanks but no '.' or ':' */
		if (!(mtv = strchr(line, ':')) || !(name = strchr(line, '.')))
			continue;
		*mtv++ = 0;
		*name++ = 0;
		if (!(proc = strrchr(name, '.')))
			continue;
		*proc++ = 0;
		cli_out_printf(c->out, "%s{\"field\":{\"pos\":%s,\"name\":", n++ ? "," : "", line);
		json_str(c->out, name);
		cli_out_printf(c->out, "},\"processNum\":%s,", proc);
		json_tags_value(c->out, mtv);
	}
	cli_out_str(c->out, "]\n");
	c->out->failed |= tmp.failed;
	free(tmp.p);
}

void cli_cmd_show_info(struct cli_ctx *c, char **args, int nargs)
{
	if (has_word(args, nargs, "json"))
		info_json(c, args, nargs);
	else if (has_word(args, nargs, "typed"))
		info_typed(c, args, nargs);
	else
		info_text(c, args, nargs);
}

void cli_cmd_show_backend(struct cli_ctx *c, char **args, int nargs)
{
	(void)args; (void)nargs;
	cli_out_str(c->out, "# name\n");
	for (const struct proxy *px = c->cfg->proxies; px; px = px->next)
		if (px->cap & PX_CAP_BE)
			cli_out_printf(c->out, "%s\n", px->name);
}
