#!/usr/bin/env bash
# perf/check_cpu.sh: CPU a health check costs the checking proxy, in clear
# and over TLS (check-ssl: a TLS 1.3 handshake, verify none), for HAProxy 2.6
# and ringproxy.
#   perf/check_cpu.sh [-s SECS] [-n SERVERS]
# SERVERS backends of one server checked every 100 ms (default 20: 200
# checks/s) against a HAProxy origin on 127.0.0.1 (a plain and a TLS port
# that accept and close; ECDSA P-256 certificate made here). Each proxy runs
# each configuration for SECS seconds (default 10) after a 1 s warm-up; its
# user+system CPU time comes from /proc. Prints CPU-µs per check.
# Environment: HAPROXY, RINGPROXY as perf/run.sh. A benchmark, not a test:
# every run holds /tmp/perf.lock.
set -u
cd "$(dirname "$0")/.." || exit 2
TOP=$PWD
HAPROXY=${HAPROXY:-/usr/sbin/haproxy}
RINGPROXY=${RINGPROXY:-$TOP/ringproxy}
SECS=10 NSRV=20
while getopts "s:n:" o; do
	case $o in
	s) SECS=$OPTARG ;;
	n) NSRV=$OPTARG ;;
	*) sed -n '2,12p' "$0"; exit 2 ;;
	esac
done
W=$(mktemp -d /tmp/rp-checkcpu.XXXXXX)
ORIGIN=
trap '[ -n "$ORIGIN" ] && kill "$ORIGIN" 2>/dev/null; rm -rf "$W"' EXIT
cd "$W" || exit 2

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout k.pem -out c.pem \
	-days 2 -subj /CN=origin.test >certs.log 2>&1 || { echo "openssl failed" >&2; exit 1; }
cat c.pem k.pem >origin.pem
port() { echo $((20000 + RANDOM % 40000)); }
PPLAIN=$(port) PTLS=$(port) PFE=$(port)
DEF="defaults
    mode tcp
    timeout connect 2s
    timeout client 5s
    timeout server 5s"
cat >origin.cfg <<CFG
global
    nbthread 1
$DEF
listen tls
    bind 127.0.0.1:$PTLS ssl crt $W/origin.pem
    tcp-request content reject
listen plain
    bind 127.0.0.1:$PPLAIN
    tcp-request content reject
CFG
"$HAPROXY" -db -f origin.cfg >origin.log 2>&1 &
ORIGIN=$!
sleep 0.5

# gen <file> <server address and options>
gen() {
	{
		printf 'global\n    nbthread 1\n%s\nlisten fe\n    bind 127.0.0.1:%s\n' "$DEF" "$PFE"
		for i in $(seq 1 "$NSRV"); do
			printf 'backend b%d\n    server s %s check inter 100ms\n' "$i" "$2"
		done
	} >"$1"
}
gen plain.cfg "127.0.0.1:$PPLAIN"
gen tls.cfg "127.0.0.1:$PTLS check-ssl verify none"

# cpu_ms <proxy> <cfg>: CPU ms <proxy> uses running <cfg> for SECS seconds
cpu_ms() {
	"$1" -db -f "$2" >run.log 2>&1 &
	local pid=$! u1 s1 u2 s2
	sleep 1
	read -r u1 s1 < <(awk '{print $14, $15}' "/proc/$pid/stat")
	sleep "$SECS"
	read -r u2 s2 < <(awk '{print $14, $15}' "/proc/$pid/stat")
	kill "$pid"
	wait "$pid" 2>/dev/null
	echo $(( (u2 - u1 + s2 - s1) * 1000 / $(getconf CLK_TCK) ))
}
checks=$((NSRV * 10 * SECS))
for p in haproxy ringproxy; do
	bin=$HAPROXY
	[ $p = ringproxy ] && bin=$RINGPROXY
	for c in plain tls; do
		ms=$(flock /tmp/perf.lock bash -c "$(declare -f cpu_ms); SECS=$SECS cpu_ms '$bin' $c.cfg")
		echo "$p $c: ${ms} ms CPU for $checks checks, $((ms * 1000 / checks)) µs per check"
	done
done
