# lib.sh: helpers sourced by every tests/e2e/*.sh script.
# Environment: PROXY (binary under test), TOP (repo root), RP_SAN=1 under the
# sanitizer build (scripts scale their sizes down with e2e_scale).
# A script exits 0 on success, 77 when skipped (last line says why), else 1.
# Everything a script starts is recorded and killed by PID on exit.

set -u
TOP=${TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
PROXY=${PROXY:-$TOP/ringproxy}
RP_SAN=${RP_SAN:-0}
TOOLS=$TOP/build/tools
E2E_PIDS=()
E2E_NAME=$(basename "$0" .sh)
T=$(mktemp -d "/tmp/rp-e2e-$E2E_NAME.XXXXXX")

e2e_cleanup() {
	local p
	for p in "${E2E_PIDS[@]}"; do
		kill -0 "$p" 2>/dev/null && kill -TERM "$p" 2>/dev/null
	done
	sleep 0.1
	for p in "${E2E_PIDS[@]}"; do
		kill -0 "$p" 2>/dev/null && kill -KILL "$p" 2>/dev/null
	done
	rm -rf "$T"
}
trap e2e_cleanup EXIT
trap 'exit 1' TERM INT HUP

skip() { echo "SKIP: $*"; exit 77; }
fail() {
	echo "FAIL: $*"
	local f
	for f in "$T"/*.log; do
		[ -f "$f" ] || continue
		echo "--- $(basename "$f") (last lines)"
		tail -n 15 "$f"
	done
	exit 1
}
note() { echo "# $*"; }

[ -x "$PROXY" ] || skip "no proxy binary at $PROXY"
if [ ! -x "$TOOLS/blast" ] || [ ! -x "$TOOLS/sink" ] ||
   [ -n "$(find "$TOP/tests/tools" -name '*.c' -newer "$TOOLS/blast" 2>/dev/null)" ]; then
	make -s -C "$TOP" tools >/dev/null || fail "cannot build the test tools (make tools)"
fi

# e2e_scale <normal> <sanitizer>: prints the size to use for this build.
e2e_scale() { if [ "$RP_SAN" = 1 ]; then echo "$2"; else echo "$1"; fi; }

# free_port: prints a TCP port on 127.0.0.1 nobody listens on or uses,
# below the kernel's ephemeral range (32768-60999), where no connect() of
# another test can take it as its source port before it is bound.
free_port() {
	local p i
	for i in $(seq 1 200); do
		p=$((20000 + RANDOM % 12700))
		if ! ss -Htan "( sport = :$p or dport = :$p )" 2>/dev/null | grep -q .; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

# wait_for <secs> <cmd...>: runs <cmd> every 50 ms until it succeeds, for
# at least <secs> (whole) seconds; returns 1 if it never did. Tests wait for
# the condition they need this way, never for a fixed time: on a loaded
# machine (CI, the sanitizer build) everything can take seconds.
wait_for() {
	local i n=$(($1 * 20))
	shift
	for i in $(seq 1 $n); do
		"$@" && return 0
		sleep 0.05
	done
	"$@"
}

# not <cmd...>: true when <cmd> fails (for wait_for: wait_for 5 not listening 80).
not() { ! "$@"; }

# listening <port>: true when something listens on TCP <port>.
listening() { ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; }

# wait_listen <port> [secs]: waits up to <secs> (10) seconds until something
# listens on 127.0.0.1:<port>.
wait_listen() { wait_for "${2:-10}" listening "$1"; }

# start_sink <name> <sink args...>: starts tests/tools/sink in the background
# (directly, so that SINK_PID is the sink itself and can be signalled).
# Sets SINK_PORT and SINK_PID; its stdout goes to $T/<name>.out.
start_sink() {
	local name=$1
	shift
	rm -f "$T/$name.port"
	"$TOOLS/sink" -P "$T/$name.port" "$@" >"$T/$name.out" 2>"$T/$name.log" &
	SINK_PID=$!
	E2E_PIDS+=("$SINK_PID")
	wait_for 10 test -s "$T/$name.port" || fail "sink $name did not start"
	SINK_PORT=$(cat "$T/$name.port")
}

# write_cfg <file> <backend-lines...>: writes a TCP-mode configuration with
# one listener on $FE_PORT (plus $BIND_OPTS) and the given lines in the listen
# section. $CFG_MAXCONN (global maxconn) and $CFG_TIMEOUT override defaults.
write_cfg() {
	local f=$1
	shift
	{
		printf 'global\n    maxconn %s\n\n' "${CFG_MAXCONN:-4000}"
		printf 'defaults\n    mode tcp\n    timeout connect 2s\n'
		printf '    timeout client %s\n    timeout server %s\n\n' "${CFG_TIMEOUT:-30s}" "${CFG_TIMEOUT:-30s}"
		printf 'listen fe\n    bind 127.0.0.1:%s %s\n' "$FE_PORT" "${BIND_OPTS:-}"
		local l
		for l in "$@"; do printf '    %s\n' "$l"; done
	} >"$f"
}

# start_proxy <cfg> [extra args]: runs $PROXY in the foreground (-db) in the
# background, waits for $FE_PORT to listen. Sets PROXY_PID; log in $T/proxy.log.
start_proxy() {
	local cfg=$1
	shift
	# not under timeout(1): signals (SIGUSR1...) must reach the proxy itself
	"$PROXY" -db -f "$cfg" "$@" >"$T/proxy.log" 2>&1 &
	PROXY_PID=$!
	E2E_PIDS+=("$PROXY_PID")
	# the proxy itself, not another test that took the port meanwhile
	wait_for 10 proxy_listens "$FE_PORT" || fail "proxy did not listen on $FE_PORT"
}

# proxy_listens <port>: true when $PROXY_PID listens on TCP <port>; fails
# the test when the proxy has exited.
proxy_listens() {
	ss -Hltnp "sport = :$1" 2>/dev/null | grep -q "pid=$PROXY_PID," && return 0
	kill -0 "$PROXY_PID" 2>/dev/null || fail "proxy exited at start"
	return 1
}

# wait_line <file> <line> [secs]: waits until <file> holds exactly <line>
# (a peer's closing report), up to <secs> (10) seconds; returns 1 if not.
wait_line() { wait_for "${3:-10}" grep -qsx -- "$2" "$1"; }

# wait_grep <file> <ERE> [secs]: waits until a line of <file> matches <ERE>,
# up to <secs> (10) seconds; returns 1 if none did.
wait_grep() { wait_for "${3:-10}" grep -qsE -- "$2" "$1"; }

# wait_count <n> <file> <ERE> [secs]: waits until at least <n> lines of
# <file> match <ERE> (count_ge <n> <file> <ERE>), up to <secs> (10) seconds.
count_ge() { [ "$(grep -csE -- "$3" "$2")" -ge "$1" ]; }
wait_count() { wait_for "${4:-10}" count_ge "$1" "$2" "$3"; }

# wait_gone <pid> [secs]: waits until process <pid> has exited, up to
# <secs> (10) seconds; returns 1 if it still runs.
gone() { ! kill -0 "$1" 2>/dev/null; }
wait_gone() { wait_for "${2:-10}" gone "$1"; }

# proxy_alive: fails the test when the proxy process is gone.
proxy_alive() {
	kill -0 "$PROXY_PID" 2>/dev/null || fail "proxy died (see proxy.log)"
}

# check_sanitizer: fails when the proxy log holds a sanitizer report.
check_sanitizer() {
	if grep -Eq 'AddressSanitizer|LeakSanitizer|runtime error:|UndefinedBehaviorSanitizer' "$T/proxy.log"; then
		fail "sanitizer report in proxy.log"
	fi
}

# stop_proxy: SIGTERM, waits up to 10 s (a sanitizer's exit report takes
# time), checks it exited cleanly and left no sanitizer report. Sets
# PROXY_RC to the proxy's exit status.
stop_proxy() {
	proxy_alive
	kill -TERM "$PROXY_PID"
	wait_gone "$PROXY_PID" 10 || fail "proxy still running 10 s after SIGTERM"
	wait "$PROXY_PID" 2>/dev/null
	PROXY_RC=$?
	check_sanitizer
	# 0, or killed by the SIGTERM itself (HAProxy: 143); anything else is a
	# crash (134 abort, 139 segfault) or a sanitizer's exit status
	case $PROXY_RC in
	0|143) ;;
	*) fail "proxy exit status $PROXY_RC after SIGTERM" ;;
	esac
}

# run_blast <args...>: runs the client tool with a time bound; output in $T/blast.out.
run_blast() {
	timeout 60 "$TOOLS/blast" "$@" >"$T/blast.out" 2>"$T/blast.log"
	BLAST_RC=$?
	BLAST_OUT=$(cat "$T/blast.out")
}

# raise_nofile <n>: raises the open-file limit or skips the test.
raise_nofile() {
	ulimit -n "$1" 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null
	[ "$(ulimit -n)" -ge "$1" ] || skip "open-file limit $(ulimit -n) < $1"
}

# Certificates for the TLS scripts: EC P-256, valid 30 days, made in the
# current directory; openssl's output goes to certs.log, an error fails the
# script. cert_self <key> <crt> <subject> [<subjectAltName>]: self-signed.
# cert_ca <name> <subject>: a CA, <name>.key and <name>.pem.
# cert_sign <name> <subject> [<subjectAltName>] [<ca>]: <name>.key,
# <name>.crt signed by <ca> (default "ca"), and <name>.pem (crt then key).
E2E_EC='-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes'
cert_run() {
	openssl "$@" >>certs.log 2>&1 || fail "openssl could not make the certificates: $(tail -n 3 certs.log)"
}
cert_self() {
	cert_run req -x509 $E2E_EC -keyout "$1" -out "$2" -days 30 -subj "$3" ${4:+-addext "subjectAltName=$4"}
}
cert_ca() {
	cert_run req -x509 $E2E_EC -keyout "$1.key" -out "$1.pem" -days 30 -subj "$2"
}
cert_sign() {
	local ca=${4:-ca}
	cert_run req $E2E_EC -keyout "$1.key" -out "$1.csr" -subj "$2"
	if [ -n "${3:-}" ]; then
		printf 'subjectAltName=%s\n' "$3" >"$1.ext"
		cert_run x509 -req -in "$1.csr" -CA "$ca.pem" -CAkey "$ca.key" -days 30 -extfile "$1.ext" -out "$1.crt"
	else
		cert_run x509 -req -in "$1.csr" -CA "$ca.pem" -CAkey "$ca.key" -days 30 -out "$1.crt"
	fi
	cat "$1.crt" "$1.key" >"$1.pem"
}

# start_s_server [-C <dir>] <log> <crt> <key> [<s_server options>...]: runs
# `openssl s_server` on a free port of 127.0.0.1 (in <dir>: -WWW serves its
# files), its output in <log>. Sets S_SERVER_PORT once it listens.
start_s_server() {
	local dir=. log
	if [ "$1" = -C ]; then
		dir=$2
		shift 2
	fi
	log=$PWD/$1
	(cd "$dir" && exec timeout 60 openssl s_server -accept 127.0.0.1:0 -cert "$2" -key "$3" "${@:4}") >"$log" 2>&1 &
	E2E_PIDS+=($!)
	wait_grep "$log" '^ACCEPT' 10
	S_SERVER_PORT=$(sed -n 's/^ACCEPT 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$log")
	[ -n "$S_SERVER_PORT" ] || fail "openssl s_server did not start: $(cat "$log")"
}
