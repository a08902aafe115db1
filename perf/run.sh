#!/usr/bin/env bash
# perf/run.sh: HAProxy 2.6 and ringproxy under the same load, A/B alternated.
#   perf/run.sh [-r rounds] [-d secs] [-p haproxy|ringproxy] [-o file] [scenario...]
# Scenarios: bulk down conn idle acl lua http httplua httpclose httpbig rewrite
# redis noredis rediskept tls map (default: bulk down conn idle; bulk is
# client->server, down server->client; acl and lua are
# the connection-rate load with a 10-rule ACL chain / a Lua action added; http is
# keep-alive GETs with wrk through mode http to nginx, httplua the same with a
# Lua action per request, httpbig with 1 MiB responses; tls is TLS termination:
# full handshakes, bulk HTTPS download, keep-alive HTTPS; map is map_reg and
# map_beg lookups with start-up time and memory, and 10k "add map" on the
# management socket). Environment: HAPROXY (default
# /usr/sbin/haproxy), RINGPROXY (default ./ringproxy), PROXY_CPU (default 0),
# LOAD_CPU (default 1), IDLE_PAIRS (default 5000), BULK_CONNS (default 1),
# LISTEN_EXTRA and GLOBAL_EXTRA (lines added to the listen, resp. global,
# section of the TCP scenarios, for both proxies: e.g. "    option
# splice-auto", "    tune.pipesize 262144").
# Each proxy runs one thread pinned to PROXY_CPU; the load generator and the
# server peer share LOAD_CPU. Every round runs both proxies (the order flips
# each round); the table reports medians over the rounds and the ratio
# ringproxy / HAProxy. Results go to stdout and to perf/results/<date>.md.
# This is a benchmark, never a test: it does not fail on slow numbers.
set -u
cd "$(dirname "$0")/.." || exit 2
TOP=$PWD
HAPROXY=${HAPROXY:-/usr/sbin/haproxy}
RINGPROXY=${RINGPROXY:-$TOP/ringproxy}
PROXY_CPU=${PROXY_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
IDLE_PAIRS=${IDLE_PAIRS:-5000}
BULK_CONNS=${BULK_CONNS:-1}
ROUNDS=5 SECS=10 ONLY="" OUT=""
while getopts "r:d:p:o:" o; do
	case $o in
	r) ROUNDS=$OPTARG ;;
	d) SECS=$OPTARG ;;
	p) ONLY=$OPTARG ;;
	o) OUT=$OPTARG ;;
	*) sed -n '2,17p' "$0"; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
SCENARIOS=("$@")
[ ${#SCENARIOS[@]} -eq 0 ] && SCENARIOS=(bulk down conn idle)
GLOBAL_EXTRA=${GLOBAL_EXTRA:-}
GLOBAL_EXTRA_ENV=$GLOBAL_EXTRA

make -s tools >/dev/null || { echo "perf: cannot build the tools" >&2; exit 1; }
TOOLS=$TOP/build/tools
T=$(mktemp -d /tmp/rp-perf.XXXXXX)
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill -0 "$p" 2>/dev/null && kill -KILL "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' TERM INT HUP
ulimit -n "$(ulimit -Hn)" 2>/dev/null
HZ=$(getconf CLK_TCK)

PROXIES=()
[ -z "$ONLY" ] || [ "$ONLY" = haproxy ] && PROXIES+=(haproxy)
if [ -z "$ONLY" ] || [ "$ONLY" = ringproxy ]; then
	if [ -x "$RINGPROXY" ]; then PROXIES+=(ringproxy); else echo "perf: no $RINGPROXY, HAProxy only" >&2; fi
fi
bin_of() { if [ "$1" = haproxy ]; then echo "$HAPROXY"; else echo "$RINGPROXY"; fi; }

free_port() {
	local p
	while :; do
		p=$((20000 + RANDOM % 40000))
		ss -Htan "( sport = :$p or dport = :$p )" | grep -q . || { echo "$p"; return; }
	done
}
wait_listen() {
	local i
	for i in $(seq 1 200); do
		ss -Hltn "sport = :$1" | grep -q . && return 0
		sleep 0.05
	done
	return 1
}
# cpu_ticks <pid>: utime+stime of <pid> in clock ticks
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
# context switches of <pid> so far (each is a sleep and a wake-up, or a preemption)
ctx_switches() { awk '/ctxt_switches:/ { n += $2 } END { print n + 0 }' "/proc/$1/status" 2>/dev/null || echo 0; }

start_sink() { # start_sink <args...>: sets SINK_PID SINK_PORT
	rm -f "$T/sink.port"
	taskset -c "$LOAD_CPU" "$TOOLS/sink" -P "$T/sink.port" -b 8192 "$@" >/dev/null 2>&1 &
	SINK_PID=$!
	PIDS+=("$SINK_PID")
	local i
	for i in $(seq 1 100); do [ -s "$T/sink.port" ] && break; sleep 0.05; done
	SINK_PORT=$(cat "$T/sink.port")
}
start_proxy() { # start_proxy <name> <cfg>: sets PX_PID; returns 1 if it does not listen
	taskset -c "$PROXY_CPU" "$(bin_of "$1")" -db -f "$2" >"$T/$1.log" 2>&1 &
	PX_PID=$!
	PIDS+=("$PX_PID")
	wait_listen "$FE_PORT" && kill -0 "$PX_PID" 2>/dev/null
}
stop_all() {
	kill -TERM "$PX_PID" "$SINK_PID" 2>/dev/null
	wait "$PX_PID" "$SINK_PID" 2>/dev/null
}
write_cfg() { # write_cfg <file> <maxconn> [extra lines for the listen section]
	local f=$1 mc=$2
	shift 2
	{
		printf 'global\n    nbthread 1\n    maxconn %s\n%s\n' "$mc" "$GLOBAL_EXTRA"
		printf 'defaults\n    mode tcp\n    timeout connect 5s\n    timeout client 60s\n    timeout server 60s\n\n'
		printf 'listen fe\n    bind 127.0.0.1:%s backlog 8192\n' "$FE_PORT"
		local l
		for l in "$@"; do printf '    %s\n' "$l"; done
		[ -n "${LISTEN_EXTRA:-}" ] && printf '%s\n' "$LISTEN_EXTRA"
		printf '    server s1 127.0.0.1:%s\n' "$SINK_PORT"
	} >"$f"
}

# Each scenario prints "metric=value" lines for one run of one proxy.
run_bulk() { # client -> proxy -> server, one direction, fast data
	start_sink -m gen
	FE_PORT=$(free_port)
	write_cfg "$T/cfg" 1000
	start_proxy "$1" "$T/cfg" || { echo "error=proxy did not start"; stop_all; return; }
	local c0 out c1
	c0=$(cpu_ticks "$PX_PID")
	out=$(taskset -c "$LOAD_CPU" timeout $((SECS + 30)) "$TOOLS/blast" -a "127.0.0.1:$FE_PORT" -F \
		-C "$BULK_CONNS" -D "$SECS" -t $((SECS + 20)) 2>&1)
	c1=$(cpu_ticks "$PX_PID")
	stop_all
	case "$out" in
	ok*) ;;
	*) echo "error=$(tr "\n" " " <<<"$out")"; return ;;
	esac
	local tx secs
	tx=$(sed -n 's/.* tx=\([0-9]*\) .*/\1/p' <<<"$out")
	secs=$(sed -n 's/.* secs=\([0-9.]*\) .*/\1/p' <<<"$out")
	awk -v tx="$tx" -v s="$secs" -v c=$((c1 - c0)) -v hz="$HZ" 'BEGIN {
		printf "MB/s=%.1f\n", tx / s / 1e6
		printf "CPU-s/GB=%.3f\n", (c / hz) / (tx / 1e9) }'
}

run_down() { # server -> proxy -> client, one direction, fast data
	start_sink -m gen -F
	FE_PORT=$(free_port)
	write_cfg "$T/cfg" 1000
	start_proxy "$1" "$T/cfg" || { echo "error=proxy did not start"; stop_all; return; }
	local c0 out c1
	c0=$(cpu_ticks "$PX_PID")
	out=$(taskset -c "$LOAD_CPU" timeout $((SECS + 30)) "$TOOLS/blast" -a "127.0.0.1:$FE_PORT" \
		-C "$BULK_CONNS" -G "$SECS" -t $((SECS + 20)) 2>&1)
	c1=$(cpu_ticks "$PX_PID")
	stop_all
	case "$out" in
	ok*) ;;
	*) echo "error=$(tr "\n" " " <<<"$out")"; return ;;
	esac
	local rx secs
	rx=$(sed -n 's/.* rx=\([0-9]*\) .*/\1/p' <<<"$out")
	secs=$(sed -n 's/.* secs=\([0-9.]*\) .*/\1/p' <<<"$out")
	awk -v rx="$rx" -v s="$secs" -v c=$((c1 - c0)) -v hz="$HZ" 'BEGIN {
		printf "MB/s=%.1f\n", rx / s / 1e6
		printf "CPU-s/GB=%.3f\n", (c / hz) / (rx / 1e9) }'
}

run_conn() { # connection rate: 16 bytes echoed per connection, 64 in parallel
	start_sink -m echo
	FE_PORT=$(free_port)
	write_cfg "$T/cfg" 5000 "${CONN_EXTRA[@]}"
	start_proxy "$1" "$T/cfg" || { echo "error=proxy did not start"; stop_all; return; }
	local c0 out c1
	c0=$(cpu_ticks "$PX_PID")
	out=$(taskset -c "$LOAD_CPU" timeout $((SECS + 30)) "$TOOLS/blast" -a "127.0.0.1:$FE_PORT" \
		-C 64 -n 16 -E -R 16 -T "$SECS" 2>&1)
	c1=$(cpu_ticks "$PX_PID")
	stop_all
	case "$out" in
	rate*) ;;
	*) echo "error=$(tr "\n" " " <<<"$out")"; return ;;
	esac
	local n secs errs
	n=$(sed -n 's/.* conns=\([0-9]*\) .*/\1/p' <<<"$out")
	secs=$(sed -n 's/.* secs=\([0-9.]*\) .*/\1/p' <<<"$out")
	errs=$(sed -n 's/.* errors=\([0-9]*\).*/\1/p' <<<"$out")
	[ "${errs:-0}" = 0 ] || echo "note=$errs connection errors"
	awk -v n="$n" -v s="$secs" -v c=$((c1 - c0)) -v hz="$HZ" 'BEGIN {
		printf "conn/s=%.0f\n", n / s
		printf "CPU-us/conn=%.2f\n", (c / hz) * 1e6 / n }'
}

# acl: the "conn" load through a chain of 10 rules evaluated per connection
# (the last one decides); every rule reads a fetch and compares it.
run_acl() {
	CONN_EXTRA=(
		"tcp-request inspect-delay 1s"
		"acl a1 src 10.0.0.0/8" "acl a2 src 192.168.0.0/16" "acl a3 dst_port 1 2 3"
		"acl a4 src_port 1" "acl a5 req.payload(4,4) -m str ZZZZ" "acl a6 src 172.16.0.0/12"
		"acl a7 dst 10.1.2.3" "acl a8 req.payload(0,4) -m str QUIT" "acl a9 src_port 2"
		"acl a10 req.len ge 1"
		"tcp-request content reject if a1" "tcp-request content reject if a2"
		"tcp-request content reject if a3" "tcp-request content reject if a4"
		"tcp-request content reject if a5" "tcp-request content reject if a6"
		"tcp-request content reject if a7" "tcp-request content reject if a8"
		"tcp-request content reject if a9" "tcp-request content accept if a10")
	run_conn "$1"
	CONN_EXTRA=()
}

# lua: the "conn" load with a Lua action per connection reading txn.f:src()
run_lua() {
	GLOBAL_EXTRA="    lua-load $TOP/perf/lua/src_action.lua"
	CONN_EXTRA=("tcp-request content lua.perf_src")
	run_conn "$1"
	CONN_EXTRA=()
	GLOBAL_EXTRA=$GLOBAL_EXTRA_ENV
}

run_idle() { # RSS growth per idle proxied connection pair
	start_sink -m echo
	FE_PORT=$(free_port)
	write_cfg "$T/cfg" $((IDLE_PAIRS + 1000))
	start_proxy "$1" "$T/cfg" || { echo "error=proxy did not start"; stop_all; return; }
	sleep 0.5
	local r0 r1 i
	r0=$(rss_kb "$PX_PID")
	taskset -c "$LOAD_CPU" timeout 120 "$TOOLS/blast" -a "127.0.0.1:$FE_PORT" -C "$IDLE_PAIRS" \
		-n 1 -E -R 1 -w 60 -t 60 >"$T/idle.out" 2>&1 &
	local bp=$!
	PIDS+=("$bp")
	for i in $(seq 1 1200); do
		grep -q '^ready' "$T/idle.out" && break
		kill -0 "$bp" 2>/dev/null || break
		sleep 0.05
	done
	if ! grep -q '^ready' "$T/idle.out"; then
		echo "error=$(head -c 200 "$T/idle.out")"
		kill "$bp" 2>/dev/null
		stop_all
		return
	fi
	sleep 1
	r1=$(rss_kb "$PX_PID")
	kill -TERM "$bp" 2>/dev/null
	wait "$bp" 2>/dev/null
	stop_all
	awk -v a="$r0" -v b="$r1" -v n="$IDLE_PAIRS" 'BEGIN {
		printf "RSS-base-KiB=%d\n", a
		printf "bytes/pair=%.0f\n", (b - a) * 1024 / n }'
}

# http: small keep-alive GETs (wrk, 32 connections) through "mode http" to
# nginx serving a 612-byte file; nginx shares LOAD_CPU with wrk.
# httpclose: the same with one request per client connection ("Connection:
# close") and "http-reuse always": server connections are shared between
# clients (a proxy without that connects to nginx for every request).
run_httpclose() { HTTP_CLOSE=1 run_http "$@"; }
# httplua: the http scenario plus "http-request lua.perf_srchdr", a Lua action
# that reads txn.f:src() and sends it in a request header
# (perf/lua/http_action.lua).
run_httplua() {
	HTTP_GLOBAL="    lua-load $TOP/perf/lua/http_action.lua\n" \
	HTTP_EXTRA='    http-request lua.perf_srchdr\n' run_http "$@"
}
# httpbig: keep-alive GETs of a 1 MiB file (HTTP_BIG_CONNS, default 8,
# connections; nginx sends it with sendfile): CPU per request and MB/s.
run_httpbig() { HTTP_SIZE=1048576 HTTP_CONNS=${HTTP_BIG_CONNS:-8} run_http "$@"; }
# rewrite: the http scenario plus one header rewrite with back-references
# per request (regex capture groups), the cost of replace-header.
run_rewrite() {
	HTTP_EXTRA='    http-request replace-header x-client ([a-z]+)/([0-9.]+) \\2-\\1\n' \
	HTTP_REQ_HDR="x-client: wrk/4.2.0" run_http "$@"
}
# redis / noredis / rediskept: the http load with a Lua action per request
# that does (redis) or does not (noredis) count the request in a
# redis-server through lua-redis over core.tcp(): the pair gives the cost
# of one Redis round trip from a Lua action; rediskept does it over one
# connection kept across requests (perf/lua/redis_action.lua).
run_redis_common() { # <proxy> <action>
	command -v redis-server >/dev/null || { echo "error=needs redis-server"; return; }
	local rp
	rp=$(free_port)
	taskset -c "$LOAD_CPU" timeout $((SECS * 4 + 60)) redis-server --port "$rp" --bind 127.0.0.1 \
		--save '' --appendonly no >/dev/null 2>&1 &
	PIDS+=($!)
	wait_listen "$rp" || { echo "error=redis-server did not start"; return; }
	HTTP_GLOBAL="    lua-load $TOP/perf/lua/redis_action.lua\n" \
	HTTP_EXTRA="    http-request lua.$2 $rp\n" run_http "$1"
}
run_redis() { run_redis_common "$1" perf_redis; }
run_noredis() { run_redis_common "$1" perf_noredis; }
run_rediskept() { run_redis_common "$1" perf_redis_kept; }
run_http() {
	command -v nginx >/dev/null && command -v wrk >/dev/null || { echo "error=needs nginx and wrk"; return; }
	local ng=$T/ng np
	np=$(free_port)
	mkdir -p "$ng/www" && chmod 755 "$T" "$ng" "$ng/www"
	head -c "${HTTP_SIZE:-612}" /dev/zero | tr '\0' x >"$ng/www/index.html" && chmod 644 "$ng/www/index.html"
	cat >"$ng/nginx.conf" <<EOF2
daemon off;
worker_processes 1;
error_log $ng/error.log crit;
pid $ng/nginx.pid;
events { worker_connections 1024; }
http {
    access_log off;
    $([ "${HTTP_SIZE:-612}" -gt 65536 ] && echo 'sendfile on;')
    keepalive_requests 1000000;
    server { listen 127.0.0.1:$np; root $ng/www; }
}
EOF2
	taskset -c "$LOAD_CPU" nginx -c "$ng/nginx.conf" -p "$ng" >/dev/null 2>&1 &
	SINK_PID=$!
	PIDS+=("$SINK_PID")
	wait_listen "$np" || { echo "error=nginx did not start"; kill "$SINK_PID"; return; }
	FE_PORT=$(free_port)
	local reuse="${HTTP_EXTRA:-}" hdr=()
	if [ "${HTTP_CLOSE:-0}" = 1 ]; then
		reuse='    http-reuse always\n'
		hdr=(-H "Connection: close")
	fi
	[ -n "${HTTP_REQ_HDR:-}" ] && hdr+=(-H "$HTTP_REQ_HDR")
	printf 'global\n    nbthread 1\n    maxconn 1000\n'"${HTTP_GLOBAL:-}"'defaults\n    mode http\n    timeout connect 5s\n    timeout client 60s\n    timeout server 60s\nlisten fe\n    bind 127.0.0.1:%s\n'"$reuse"'    server s1 127.0.0.1:%s\n' \
		"$FE_PORT" "$np" >"$T/cfg"
	start_proxy "$1" "$T/cfg" || { echo "error=proxy did not start"; stop_all; return; }
	local c0 c1 s0 s1 out
	c0=$(cpu_ticks "$PX_PID")
	s0=$(ctx_switches "$PX_PID")
	out=$(taskset -c "$LOAD_CPU" timeout $((SECS + 30)) wrk -t1 -c"${HTTP_CONNS:-32}" -d"${SECS}s" --latency "${hdr[@]}" \
		"http://127.0.0.1:$FE_PORT/" 2>&1)
	c1=$(cpu_ticks "$PX_PID")
	s1=$(ctx_switches "$PX_PID")
	stop_all
	local reqs rps p99
	reqs=$(awk '/requests in/ { print $1 }' <<<"$out")
	rps=$(awk '/^Requests\/sec/ { print $2 }' <<<"$out")
	p99=$(awk '$1 == "99%" { v = $2; if (v ~ /us$/) { sub(/us/, "", v); v /= 1000 }
		else if (v ~ /ms$/) sub(/ms/, "", v); else if (v ~ /s$/) { sub(/s/, "", v); v *= 1000 }
		print v }' <<<"$out")
	if [ -z "$reqs" ] || grep -q 'Non-2xx\|Socket errors' <<<"$out"; then
		echo "error=$(tr '\n' ' ' <<<"$out" | head -c 300)"
		return
	fi
	awk -v r="$reqs" -v rps="$rps" -v p="$p99" -v c=$((c1 - c0)) -v hz="$HZ" -v sz="${HTTP_SIZE:-612}" \
		-v cs=$((s1 - s0)) 'BEGIN {
		printf "req/s=%.0f\n", rps
		printf "CPU-us/req=%.2f\n", (c / hz) * 1e6 / r
		printf "p99-ms=%.2f\n", p
		printf "ctxsw/req=%.3f\n", cs / r
		if (sz > 65536) printf "MB/s=%.1f\n", rps * sz / 1e6 }'
}

# start_nginx <root>: nginx on LOAD_CPU serving <root>; sets SINK_PID NGINX_PORT
start_nginx() {
	local ng=$T/ng
	NGINX_PORT=$(free_port)
	mkdir -p "$ng" && chmod 755 "$T" "$ng" "$1"
	cat >"$ng/nginx.conf" <<EOF2
daemon off;
worker_processes 1;
error_log $ng/error.log crit;
pid $ng/nginx.pid;
events { worker_connections 1024; }
http {
    access_log off;
    sendfile on;
    keepalive_requests 1000000;
    server { listen 127.0.0.1:$NGINX_PORT; root $1; }
}
EOF2
	taskset -c "$LOAD_CPU" nginx -c "$ng/nginx.conf" -p "$ng" >/dev/null 2>&1 &
	SINK_PID=$!
	PIDS+=("$SINK_PID")
	wait_listen "$NGINX_PORT"
}

# tls: TLS termination ("bind ... ssl crt", ECDSA P-256 certificate, each
# proxy's default suites and groups) in mode http, three loads one after the
# other on the same proxy process, CPU measured for each:
#  - handshakes: TLS_HS_CLIENTS (4) `openssl s_time -new` loops, each a full
#    handshake (no resumption) and one GET answered by the proxy itself
#    (http-request return), so the cost is the handshake's;
#  - bulk: `curl` downloads of a TLS_BULK_MB (256) MB file from nginx through
#    the proxy, one after the other, for the scenario's seconds;
#  - keep-alive: wrk -c32 HTTPS GETs of a 612-byte file from nginx.
run_tls() {
	command -v nginx >/dev/null && command -v wrk >/dev/null && command -v curl >/dev/null &&
		command -v openssl >/dev/null || { echo "error=needs nginx, wrk, curl and openssl"; return; }
	local www=$T/www crt=$T/tls.pem
	mkdir -p "$www"
	if [ ! -s "$crt" ]; then
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/tls.key" \
			-out "$T/tls.crt" -days 30 -subj /CN=perf.test >/dev/null 2>&1 &&
			cat "$T/tls.crt" "$T/tls.key" >"$crt" || { echo "error=openssl could not make a certificate"; return; }
	fi
	[ -s "$www/big" ] || head -c $((${TLS_BULK_MB:-256} << 20)) /dev/urandom >"$www/big"
	[ -s "$www/index.html" ] || head -c 612 /dev/zero | tr '\0' x >"$www/index.html"
	chmod 644 "$www"/*
	start_nginx "$www" || { echo "error=nginx did not start"; return; }
	FE_PORT=$(free_port)
	printf 'global\n    nbthread 1\n    maxconn 1000\n%s\ndefaults\n    mode http\n    timeout connect 5s\n    timeout client 60s\n    timeout server 60s\nlisten fe\n    bind 127.0.0.1:%s ssl crt %s\n    http-request return status 200 content-type text/plain string ok if { path /hs }\n    server s1 127.0.0.1:%s\n' \
		"$GLOBAL_EXTRA" "$FE_PORT" "$crt" "$NGINX_PORT" >"$T/cfg"
	start_proxy "$1" "$T/cfg" || { echo "error=proxy did not start"; stop_all; return; }
	local c0 c1 secs=$SECS n i t0 t1 bytes out st=()

	# full handshakes: parallel s_time clients for the scenario's seconds
	c0=$(cpu_ticks "$PX_PID")
	t0=$(date +%s%N)
	for i in $(seq 1 "${TLS_HS_CLIENTS:-4}"); do
		taskset -c "$LOAD_CPU" timeout $((secs + 30)) openssl s_time -connect "127.0.0.1:$FE_PORT" \
			-new -www /hs -time "$secs" >"$T/st.$i" 2>&1 &
		st+=($!)
	done
	wait "${st[@]}" 2>/dev/null
	t1=$(date +%s%N)
	c1=$(cpu_ticks "$PX_PID")
	n=$(cat "$T"/st.* | awk '/connections in .* real seconds/ { s += $1 } END { print s + 0 }')
	rm -f "$T"/st.*
	if [ "$n" -gt 0 ]; then
		awk -v n="$n" -v ns=$((t1 - t0)) -v c=$((c1 - c0)) -v hz="$HZ" 'BEGIN {
			printf "hs/s=%.0f\n", n / (ns / 1e9)
			printf "CPU-us/hs=%.1f\n", (c / hz) * 1e6 / n }'
	else
		echo "error=no handshake completed"
	fi
	kill -0 "$PX_PID" 2>/dev/null || { echo "error=proxy died during handshakes"; stop_all; return; }

	# bulk: back-to-back downloads of the big file
	bytes=0
	c0=$(cpu_ticks "$PX_PID")
	t0=$(date +%s%N)
	while [ $(( ($(date +%s%N) - t0) / 1000000000 )) -lt "$secs" ]; do
		out=$(taskset -c "$LOAD_CPU" timeout $((secs + 60)) curl -sk -o /dev/null -w '%{http_code} %{size_download}' \
			"https://127.0.0.1:$FE_PORT/big")
		[ "${out%% *}" = 200 ] || { echo "error=bulk download: $out"; break; }
		bytes=$((bytes + ${out#* }))
	done
	t1=$(date +%s%N)
	c1=$(cpu_ticks "$PX_PID")
	[ "$bytes" -gt 0 ] && awk -v b="$bytes" -v ns=$((t1 - t0)) -v c=$((c1 - c0)) -v hz="$HZ" 'BEGIN {
		printf "bulk-MB/s=%.1f\n", b / (ns / 1e9) / 1e6
		printf "bulk-CPU-s/GB=%.3f\n", (c / hz) / (b / 1e9) }'

	# keep-alive HTTPS requests
	c0=$(cpu_ticks "$PX_PID")
	out=$(taskset -c "$LOAD_CPU" timeout $((secs + 30)) wrk -t1 -c32 -d"${secs}s" \
		"https://127.0.0.1:$FE_PORT/index.html" 2>&1)
	c1=$(cpu_ticks "$PX_PID")
	stop_all
	local reqs rps
	reqs=$(awk '/requests in/ { print $1 }' <<<"$out")
	rps=$(awk '/^Requests\/sec/ { print $2 }' <<<"$out")
	if [ -z "$reqs" ] || grep -q 'Non-2xx\|Socket errors' <<<"$out"; then
		echo "error=wrk: $(tr '\n' ' ' <<<"$out" | head -c 300)"
		return
	fi
	awk -v r="$reqs" -v rps="$rps" -v c=$((c1 - c0)) -v hz="$HZ" 'BEGIN {
		printf "ka-req/s=%.0f\n", rps
		printf "ka-CPU-us/req=%.2f\n", (c / hz) * 1e6 / r }'
}

# map: HTTP requests answered by the proxy itself ("http-request return"),
# each looking its path up in one map: map_reg over MAP_REG_SIZES regexes,
# map_beg over MAP_BEG_SIZE prefixes. wrk asks for random paths, each
# matching a random entry (HAProxy tries regexes in order; its pattern
# cache, tune.pattern.cache-size, rarely hits on such paths). Per map: start-up time (launch to listening)
# and CPU, CPU until it settles (background compiles) and RSS then,
# requests/s and CPU per request (wrk, 32 connections). Then
# 10k "add map" commands on the management socket, on one connection and
# on one connection each, then 10k "del map" on one connection, with the
# proxy's CPU for them.
gen_map() { # gen_map <reg|beg> <n>: one key and value per line
	awk -v k="$1" -v n="$2" 'BEGIN { for (i = 0; i < n; i++)
		if (k == "reg") printf "^/svc%d/[a-z]+/[0-9]+$ v%d\n", i, i
		else printf "/p%d/ v%d\n", i, i }'
}
map_wait_listen() { # like wait_listen, for up to 120 s (regex compiles)
	local i
	for i in $(seq 1 2400); do
		ss -Hltn "sport = :$1" | grep -q . && return 0
		kill -0 "$PX_PID" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}
run_map() {
	command -v wrk >/dev/null && command -v curl >/dev/null || { echo "error=needs wrk and curl"; return; }
	local spec kind n f t0 t1 c0 c1 out path want got
	for spec in ${MAP_REG_SIZES:-10 1000 10000} beg:${MAP_BEG_SIZE:-100000}; do
		case $spec in beg:*) kind=beg n=${spec#beg:} ;; *) kind=reg n=$spec ;; esac
		f=$T/$kind$n.map
		[ -s "$f" ] || gen_map "$kind" "$n" >"$f"
		FE_PORT=$(free_port)
		printf 'global\n    nbthread 1\n    maxconn 1000\n    stats socket %s level admin\n%s\ndefaults\n    mode http\n    timeout connect 5s\n    timeout client 60s\n    timeout server 60s\nfrontend fe\n    bind 127.0.0.1:%s\n    http-request set-var(txn.v) path,map_%s(%s,none)\n    http-request return status 200 hdr x-v %%[var(txn.v)]\n' \
			"$T/map.sock" "$GLOBAL_EXTRA" "$FE_PORT" "$kind" "$f" >"$T/cfg"
		t0=$(date +%s%N)
		taskset -c "$PROXY_CPU" "$(bin_of "$1")" -db -f "$T/cfg" >"$T/$1.log" 2>&1 &
		PX_PID=$!
		PIDS+=("$PX_PID")
		if ! map_wait_listen "$FE_PORT"; then
			echo "error=$kind$n: proxy did not start: $(head -c 200 "$T/$1.log")"
			kill -KILL "$PX_PID" 2>/dev/null; wait "$PX_PID" 2>/dev/null
			continue
		fi
		t1=$(date +%s%N)
		c0=$(cpu_ticks "$PX_PID")
		echo "$kind$n-start-ms=$(( (t1 - t0) / 1000000 ))"
		echo "$kind$n-start-CPU-ms=$(awk -v c="$c0" -v hz="$HZ" 'BEGIN { printf "%.0f", c * 1000 / hz }')"
		# background work after listening (ringproxy compiles big regex
		# sets in a thread): wait until the CPU use settles, then report
		# the total and the memory
		local prev i
		for i in $(seq 1 240); do
			prev=$c0
			sleep 0.5
			c0=$(cpu_ticks "$PX_PID")
			[ "$c0" = "$prev" ] && break
		done
		echo "$kind$n-settled-CPU-ms=$(awk -v c="$c0" -v hz="$HZ" 'BEGIN { printf "%.0f", c * 1000 / hz }')"
		echo "$kind$n-RSS-KiB=$(rss_kb "$PX_PID")"
		if [ "$kind" = reg ]; then path=/svc$((n - 1))/items/42; else path=/p$((n - 1))/x; fi
		want=v$((n - 1))
		got=$(curl -s -D - -o /dev/null "http://127.0.0.1:$FE_PORT$path" | tr -d '\r' | awk -F': ' 'tolower($1) == "x-v" { print $2 }')
		if [ "$got" != "$want" ]; then
			echo "error=$kind$n: $path gave x-v '$got', expected '$want'"
		else
			printf 'math.randomseed(42)\nrequest = function()\n  local i = math.random(0, %d)\n  return wrk.format(nil, string.format("%s", i, math.random(1, 1000000)))\nend\n' \
				$((n - 1)) "$([ "$kind" = reg ] && echo '/svc%d/items/%d' || echo '/p%d/x%d')" >"$T/paths.lua"
			out=$(taskset -c "$LOAD_CPU" timeout $((SECS + 30)) wrk -t1 -c32 -d"${SECS}s" -s "$T/paths.lua" \
				"http://127.0.0.1:$FE_PORT$path" 2>&1)
			c1=$(cpu_ticks "$PX_PID")
			awk -v k="$kind$n" -v c=$((c1 - c0)) -v hz="$HZ" '
				/requests in/ { r = $1 } /^Requests\/sec/ { rps = $2 }
				END { if (r > 0) { printf "%s-req/s=%.0f\n", k, rps
				                   printf "%s-CPU-us/req=%.2f\n", k, (c / hz) * 1e6 / r } }' <<<"$out"
		fi
		if [ "$spec" = beg:${MAP_BEG_SIZE:-100000} ]; then
			# 10k single additions over the socket, to the map in use
			c0=$(cpu_ticks "$PX_PID")
			python3 - "$T/map.sock" "$f" <<'PY'
import socket, sys, time
path, mapf = sys.argv[1], sys.argv[2]
def batch(lines):
    s = socket.socket(socket.AF_UNIX); s.connect(path); s.sendall(lines.encode())
    while s.recv(65536):
        pass
    s.close()
t = time.time()
batch("".join("add map %s /n%d/ n%d\n" % (mapf, i, i) for i in range(10000)))
print("cli-add10k-1conn-ms=%.0f" % ((time.time() - t) * 1000))
t = time.time()
for i in range(10000):
    batch("add map %s /m%d/ m%d\n" % (mapf, i, i))
print("cli-add10k-10kconns-ms=%.0f" % ((time.time() - t) * 1000))
t = time.time()
batch("".join("del map %s /n%d/\n" % (mapf, i) for i in range(10000)))
print("cli-del10k-1conn-ms=%.0f" % ((time.time() - t) * 1000))
PY
			c1=$(cpu_ticks "$PX_PID")
			echo "cli-20k-add-10k-del-CPU-ms=$(awk -v c=$((c1 - c0)) -v hz="$HZ" 'BEGIN { printf "%.0f", c * 1000 / hz }')"
			got=$(curl -s -D - -o /dev/null "http://127.0.0.1:$FE_PORT/m9999/x" | tr -d '\r' | awk -F': ' 'tolower($1) == "x-v" { print $2 }')
			[ "$got" = m9999 ] || echo "error=after the adds /m9999/x gave x-v '$got'"
		fi
		kill -TERM "$PX_PID" 2>/dev/null
		wait "$PX_PID" 2>/dev/null
	done
}

CONN_EXTRA=()
# results[<scenario>|<metric>|<proxy>] = space-separated values over rounds
declare -A results
metrics_order=()
for sc in "${SCENARIOS[@]}"; do
	declare -F "run_$sc" >/dev/null || { echo "perf: unknown scenario $sc" >&2; exit 2; }
done
for r in $(seq 1 "$ROUNDS"); do
	order=("${PROXIES[@]}")
	if [ $((r % 2)) -eq 0 ] && [ ${#PROXIES[@]} -eq 2 ]; then order=("${PROXIES[1]}" "${PROXIES[0]}"); fi
	for sc in "${SCENARIOS[@]}"; do
		for px in "${order[@]}"; do
			out=$("run_$sc" "$px")
			echo "round $r $sc $px: $(tr '\n' ' ' <<<"$out")" >&2
			while IFS='=' read -r k v; do
				[ -n "$k" ] || continue
				key="$sc|$k"
				[[ " ${metrics_order[*]} " == *" $key "* ]] || metrics_order+=("$key")
				results["$key|$px"]="${results["$key|$px"]:-} $v"
			done <<<"$out"
		done
	done
done

median() { tr ' ' '\n' <<<"$1" | grep -E '^[0-9.]+$' | sort -g | awk '{ a[NR] = $1 }
	END { if (NR == 0) print "-"; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

date_s=$(date -u +%Y-%m-%d-%H%M)
[ -n "$OUT" ] || OUT=perf/results/$date_s.md
mkdir -p "$(dirname "$OUT")"
{
	echo "# ringproxy vs HAProxy — $date_s UTC"
	echo
	echo "- machine: $(nproc) CPUs, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), kernel $(uname -r)"
	echo "- HAProxy: $("$HAPROXY" -v 2>/dev/null | head -1)"
	[ -x "$RINGPROXY" ] && echo "- ringproxy: $("$RINGPROXY" -v 2>/dev/null | head -1) (git $(git rev-parse --short HEAD 2>/dev/null))"
	echo "- rounds: $ROUNDS x ${SECS}s, proxy pinned to CPU $PROXY_CPU, load and server on CPU $LOAD_CPU, one thread"
	echo
	echo "| scenario | metric | HAProxy | ringproxy | ringproxy/HAProxy | all runs (HAProxy; ringproxy) |"
	echo "|---|---|---:|---:|---:|---|"
	for key in "${metrics_order[@]}"; do
		sc=${key%%|*} m=${key#*|}
		[ "$m" = error ] || [ "$m" = note ] && continue
		h=$(median "${results["$key|haproxy"]:-}")
		g=$(median "${results["$key|ringproxy"]:-}")
		ratio=$(awk -v a="$h" -v b="$g" 'BEGIN { if (a + 0 > 0 && b != "-") printf "%.2f", b / a; else print "-" }')
		echo "| $sc | $m | $h | $g | $ratio | ${results["$key|haproxy"]:-} ;${results["$key|ringproxy"]:-} |"
	done
	for key in "${metrics_order[@]}"; do
		case "$key" in *'|error'|*'|note')
			for px in "${PROXIES[@]}"; do
				[ -n "${results["$key|$px"]:-}" ] && echo "- $px ${key%%|*}: ${key#*|}:${results["$key|$px"]}"
			done ;;
		esac
	done
} | tee "$OUT"
echo "written: $OUT" >&2
