#!/usr/bin/env bash
# perf/lua_callgrind.sh: instructions a Lua action adds per connection or
# request, in HAProxy 2.6 and in ringproxy, counted by callgrind (deterministic,
# unlike CPU time on a shared machine).
#   perf/lua_callgrind.sh [-n N] [-p haproxy|ringproxy] [scenario...]
# Scenarios (default: all): tcp (tcp-request content lua.perf_src reading
# txn.f:src(), perf/lua/src_action.lua, N connections of 16 echoed bytes),
# var and hdr (mode http, N keep-alive GETs to nginx through
# http-request lua.perf_var: txn:set_var("txn.a", txn.sf:src()), or
# lua.perf_hdr: txn.http:req_set_header(); perf/lua/http_action.lua);
# srchdr as hdr with lua.perf_srchdr, the httplua action of perf/run.sh
# (txn.http:req_set_header("x-src", txn.f:src())).
# Each proxy runs under callgrind twice, without and with the action; the
# counters are zeroed after a warm-up of N/4 (at least 250) and dumped after N more, so
# start-up is not counted. Prints instructions per unit for both runs, their
# difference (the action's cost) and ringproxy's difference / HAProxy's.
# Environment: HAPROXY, RINGPROXY as perf/run.sh; KEEP=<dir> keeps the
# callgrind files (<proxy>.<scenario>.<0|1>.cg) for callgrind_annotate;
# VG_OPTS adds valgrind options (e.g. --cache-sim=yes: then read the miss
# counts in the kept files).
# A benchmark, not a test.
set -u
cd "$(dirname "$0")/.." || exit 2
TOP=$PWD
HAPROXY=${HAPROXY:-/usr/sbin/haproxy}
RINGPROXY=${RINGPROXY:-$TOP/ringproxy}
N=2000 ONLY=""
while getopts "n:p:" o; do
	case $o in
	n) N=$OPTARG ;;
	p) ONLY=$OPTARG ;;
	*) sed -n '2,18p' "$0"; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
SCEN=("$@")
[ ${#SCEN[@]} -eq 0 ] && SCEN=(tcp var hdr srchdr)
PROXIES=(haproxy ringproxy)
[ -n "$ONLY" ] && PROXIES=("$ONLY")

make -s tools >/dev/null || { echo "cannot build the tools" >&2; exit 1; }
TOOLS=$TOP/build/tools
T=$(mktemp -d /tmp/rp-cg.XXXXXX)
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill -0 "$p" 2>/dev/null && kill -KILL "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' TERM INT HUP

free_port() {
	local p
	while :; do
		p=$((20000 + RANDOM % 40000))
		ss -Htan "( sport = :$p or dport = :$p )" | grep -q . || { echo "$p"; return; }
	done
}
wait_listen() {
	local i
	for i in $(seq 1 600); do
		ss -Hltn "sport = :$1" | grep -q . && return 0
		sleep 0.1
	done
	return 1
}

# peer_start <tcp|http>: the server side; sets PEER_PORT PEER_PID
peer_start() {
	if [ "$1" = tcp ]; then
		rm -f "$T/sink.port"
		"$TOOLS/sink" -P "$T/sink.port" -m echo >/dev/null 2>&1 &
		PEER_PID=$!
		local i
		for i in $(seq 1 100); do [ -s "$T/sink.port" ] && break; sleep 0.05; done
		PEER_PORT=$(cat "$T/sink.port")
	else
		local ng=$T/ng
		PEER_PORT=$(free_port)
		mkdir -p "$ng/www" && chmod 755 "$T" "$ng" "$ng/www"
		printf 'hello\n' >"$ng/www/index.html" && chmod 644 "$ng/www/index.html"
		printf 'daemon off;\nworker_processes 1;\nerror_log %s/error.log crit;\npid %s/nginx.pid;\nevents { worker_connections 1024; }\nhttp { access_log off; keepalive_requests 1000000; server { listen 127.0.0.1:%s; root %s/www; } }\n' \
			"$ng" "$ng" "$PEER_PORT" "$ng" >"$ng/nginx.conf"
		nginx -c "$ng/nginx.conf" -p "$ng" >/dev/null 2>&1 &
		PEER_PID=$!
		wait_listen "$PEER_PORT"
	fi
	PIDS+=("$PEER_PID")
}

# write_cfg <file> <scenario> <with action 0|1>
write_cfg() {
	local f=$1 sc=$2 act=$3
	{
		printf 'global\n    nbthread 1\n    maxconn 5000\n'
		case $sc in
		tcp) [ "$act" = 1 ] && printf '    lua-load %s/perf/lua/src_action.lua\n' "$TOP" ;;
		*) [ "$act" = 1 ] && printf '    lua-load %s/perf/lua/http_action.lua\n' "$TOP" ;;
		esac
		if [ "$sc" = tcp ]; then
			printf 'defaults\n    mode tcp\n'
		else
			printf 'defaults\n    mode http\n'
		fi
		printf '    timeout connect 5s\n    timeout client 60s\n    timeout server 60s\n'
		printf 'listen fe\n    bind 127.0.0.1:%s\n' "$FE_PORT"
		if [ "$act" = 1 ]; then
			case $sc in
			tcp) printf '    tcp-request content lua.perf_src\n' ;;
			var) printf '    http-request lua.perf_var\n' ;;
			hdr) printf '    http-request lua.perf_hdr\n' ;;
			srchdr) printf '    http-request lua.perf_srchdr\n' ;;
			esac
		fi
		printf '    server s1 127.0.0.1:%s\n' "$PEER_PORT"
	} >"$f"
}

# load <scenario> <count>: drives <count> connections (tcp) or requests
load() {
	local sc=$1 n=$2
	if [ "$sc" = tcp ]; then
		local done=0 b
		while [ "$done" -lt "$n" ]; do
			b=$((n - done > 250 ? 250 : n - done))
			timeout 300 "$TOOLS/blast" -a "127.0.0.1:$FE_PORT" -C "$b" -n 16 -E -R 16 -t 280 >/dev/null 2>&1 ||
				{ echo "load failed" >&2; return 1; }
			done=$((done + b))
		done
	else
		timeout 600 python3 "$TOP/perf/lua/hclient.py" "$FE_PORT" "$n" 4 >/dev/null ||
			{ echo "load failed" >&2; return 1; }
	fi
}

# measure <proxy> <scenario> <act>: prints instructions per unit
measure() {
	local px=$1 sc=$2 act=$3 bin out
	bin=$RINGPROXY
	[ "$px" = haproxy ] && bin=$HAPROXY
	FE_PORT=$(free_port)
	write_cfg "$T/cfg" "$sc" "$act"
	rm -f "$T"/cg.out*
	# shellcheck disable=SC2086
	valgrind --tool=callgrind ${VG_OPTS:-} --callgrind-out-file="$T/cg.out" "$bin" -db -f "$T/cfg" \
		>"$T/px.log" 2>&1 &
	local vp=$!
	PIDS+=("$vp")
	wait_listen "$FE_PORT" || { echo "error: $px did not start" >&2; kill -KILL "$vp"; return 1; }
	# warm-up: at least one full batch, so that every pool has grown
	load "$sc" $((N / 4 > 250 ? N / 4 : 250)) || { kill -KILL "$vp"; return 1; }
	callgrind_control -z "$vp" >/dev/null 2>&1
	load "$sc" "$N" || { kill -KILL "$vp"; return 1; }
	callgrind_control -d "$vp" >/dev/null 2>&1
	sleep 1
	# valgrind 3.19 trips on SIGTERM inside io_uring_enter: dumped already
	kill -KILL "$vp" 2>/dev/null
	wait "$vp" 2>/dev/null
	out=$(ls "$T"/cg.out.* 2>/dev/null | sort | tail -1)
	[ -n "$out" ] || { echo "error: no dump" >&2; return 1; }
	[ -n "${KEEP:-}" ] && mkdir -p "$KEEP" && cp "$out" "$KEEP/$px.$sc.$act.cg"
	awk -v n="$N" '/^(summary|totals):/ { print int($2 / n); exit }' "$out"
}

printf '%-6s %-10s %12s %12s %12s\n' scen proxy base/unit lua/unit action
declare -A act_cost
for sc in "${SCEN[@]}"; do
	peer_start "$( [ "$sc" = tcp ] && echo tcp || echo http)"
	for px in "${PROXIES[@]}"; do
		b=$(measure "$px" "$sc" 0) || b=0
		l=$(measure "$px" "$sc" 1) || l=0
		act_cost[$sc$px]=$((l - b))
		printf '%-6s %-10s %12s %12s %12s\n' "$sc" "$px" "$b" "$l" $((l - b))
	done
	kill "$PEER_PID" 2>/dev/null
	wait "$PEER_PID" 2>/dev/null
	if [ ${#PROXIES[@]} -eq 2 ]; then
		awk -v h="${act_cost[${sc}haproxy]}" -v r="${act_cost[${sc}ringproxy]}" -v s="$sc" \
			'BEGIN { if (h > 0) printf "%-6s ringproxy/HAProxy (action cost): %.2f\n", s, r / h }'
	fi
done
