#!/usr/bin/env bash
# The process and its logs, as HAProxy 2.6 does them: -v/-vv, tcplog and
# log-format lines byte for byte against /usr/sbin/haproxy on the same
# traffic (timings and ports masked), the "Connect from" line of a proxy
# without a log format, dontlognull, syslog framing over UDP, health check
# messages, SIGINT exit 0, -W + SIGINT exit 130, -D with a pidfile, -sf.
. "$(dirname "$0")/lib.sh"

cd "$T" || fail "cd $T"
command -v python3 >/dev/null || skip "python3 is needed for the client and the syslog receiver"

"$PROXY" -v >v.txt 2>&1 || fail "-v: exit $?"
grep -Eq '^ringproxy version [0-9]+\.[0-9]+\.[0-9]+' v.txt || fail "-v: $(cat v.txt)"
"$PROXY" -vv >vv.txt 2>&1 || fail "-vv: exit $?"
grep -q '^Built with' vv.txt || fail "-vv lists no library: $(cat vv.txt)"

# no listener: "-c" exits 2, a start exits 1, HAProxy's words
printf 'defaults\n    mode tcp\nbackend b\n    server s 127.0.0.1:1\n' >nol.cfg
"$PROXY" -c -f nol.cfg >c.txt 2>&1
rc=$?
[ $rc -eq 2 ] || fail "-c without listener: exit $rc, expected 2: $(cat c.txt)"
grep -qx 'Configuration file has no error but will not start (no listener) => exit(2).' c.txt || fail "-c without listener: $(cat c.txt)"
"$PROXY" -db -f nol.cfg >c.txt 2>&1
rc=$?
[ $rc -eq 1 ] || fail "start without listener: exit $rc, expected 1"
grep -Eq "^\[ALERT\]    \([0-9]+\) : \[ringproxy.main\(\)\] No enabled listener found \(check for 'bind' directives\) ! Exiting.\$" c.txt ||
	fail "start without listener: $(cat c.txt)"
# a checked server with no port to check is a configuration error
printf 'listen l\n    bind 127.0.0.1:1\n    server s 127.0.0.1 check\n' >np.cfg
"$PROXY" -c -f np.cfg >c.txt 2>&1
rc=$?
[ $rc -eq 1 ] || fail "check without port: exit $rc, expected 1"
grep -q "config : config: proxy 'l': server 's' has neither service port nor check port.\$" c.txt || fail "check without port: $(cat c.txt)"

start_sink srv -m echo
DEAD=$(free_port)
P1=$(free_port); P2=$(free_port); P3=$(free_port); P4=$(free_port); P5=$(free_port)
UDP=$(free_port)

cat >client.py <<'PY'
import socket, sys
# client.py <port> <payload>: sends, half-closes, reads until EOF
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
if sys.argv[2]:
    s.sendall(sys.argv[2].encode())
s.shutdown(socket.SHUT_WR)
while s.recv(4096):
    pass
s.close()
PY
cat >udp.py <<'PY'
import socket, sys, time
# udp.py <port> <secs> <out>: writes every datagram received, one per line
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("127.0.0.1", int(sys.argv[1])))
u.settimeout(0.1)
end = time.time() + float(sys.argv[2])
with open(sys.argv[3], "wb") as f:
    while time.time() < end:
        try:
            f.write(u.recv(65536)); f.flush()
        except socket.timeout:
            pass
PY

write_logcfg() { # write_logcfg <file> <with udp target: 0|1>
	{
		echo "global"
		echo "    log stdout format raw local0"
		[ "$2" = 1 ] && echo "    log 127.0.0.1:$UDP local1"
		cat <<CFG
defaults
    mode tcp
    log global
    timeout connect 1s
    timeout client 5s
    timeout server 5s
    retries 1
frontend fe_tcp
    bind 127.0.0.1:$P1
    option tcplog
    default_backend be
frontend fe_dead
    bind 127.0.0.1:$P2
    option tcplog
    default_backend be_dead
frontend fe_fmt
    bind 127.0.0.1:$P3
    log-format "%ci|%fi|%fp|%si|%sp|%ft|%f|%b|%s|%B|%U|%ts|%tsc|%ac|%fc|%bc|%sc|%rc|%sq|%bq|%ID|%{+Q}ID|%{+Q}b|%{+X}fp|%ST|%hr|%hs|%%|x  y"
    default_backend be
frontend fe_def
    bind 127.0.0.1:$P4
    default_backend be
frontend fe_null
    bind 127.0.0.1:$P5
    option tcplog
    option dontlognull
    default_backend be
backend be
    server s1 127.0.0.1:$SINK_PORT
backend be_dead
    server s9 127.0.0.1:$DEAD
CFG
	} >"$1"
}

# traffic <outfile> <signal> <binary> [args]: runs <binary> on log.cfg, one
# connection per frontend, then <signal>; sets RC to its exit status.
traffic() {
	local out=$1 sig=$2 bin=$3
	shift 3
	"$bin" -db -f log.cfg "$@" >"$out" 2>"$out.err" &
	local pid=$!
	E2E_PIDS+=("$pid")
	wait_listen "$P5" 10 || fail "$bin did not listen"
	python3 client.py "$P1" hi || fail "client to fe_tcp"
	python3 client.py "$P2" hi 2>/dev/null
	python3 client.py "$P3" abc || fail "client to fe_fmt"
	python3 client.py "$P4" x || fail "client to fe_def"
	python3 client.py "$P5" "" || fail "client to fe_null (empty)"
	python3 client.py "$P5" y || fail "client to fe_null"
	sleep 0.5
	kill -"$sig" "$pid"
	wait "$pid"
	RC=$?
}
# mask: timings and ephemeral ports vary from run to run
mask() {
	sed -E 's/^127\.0\.0\.1:[0-9]+ /127.0.0.1:P /; s/\[[0-9]{2}\/[A-Z][a-z]{2}\/[0-9]{4}:[0-9:.]+\]/[DATE]/;
	        s/ -?[0-9]+\/-?[0-9]+\/-?[0-9]+ / Tw\/Tc\/Tt /; s/from 127\.0\.0\.1:[0-9]+ /from 127.0.0.1:P /' "$1"
}

write_logcfg log.cfg 0
traffic rp.out USR1 "$PROXY"
[ "$RC" -eq 0 ] || fail "exit status $RC after SIGUSR1 (expected 0): $(cat rp.out.err)"
grep -qx 'Proxy fe_tcp stopped (cumulated conns: FE: 1, BE: 0).' rp.out || fail "soft stop lines: $(cat rp.out)"
grep -qx 'Proxy be stopped (cumulated conns: FE: 0, BE: 5).' rp.out || fail "soft stop lines: $(cat rp.out)"
cp rp.out.err "$T/proxy.log"
check_sanitizer
# the lines themselves, whatever the reference says
grep -Eq "^127\.0\.0\.1:[0-9]+ \[[0-9]{2}/[A-Z][a-z]{2}/[0-9]{4}:[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}\] fe_tcp be/s1 [0-9]+/[0-9]+/[0-9]+ 2 -- 1/1/0/0/0 0/0\$" rp.out ||
	fail "tcplog line: $(cat rp.out)"
grep -Eq "fe_dead be_dead/s9 [0-9]+/-1/[0-9]+ 0 SC 1/1/0/0/1 0/0\$" rp.out || fail "refused server line: $(cat rp.out)"
grep -Eq "^127\.0\.0\.1\|127\.0\.0\.1\|$P3\|127\.0\.0\.1\|$SINK_PORT\|fe_fmt\|fe_fmt\|be\|s1\|3\|3\|--\|----\|1\|1\|0\|0\|0\|0\|0\|-\|\"\"\|\"be\"\|$(printf '%04X' "$P3")\|0\|\|\|%\|x y\$" rp.out ||
	fail "log-format line: $(cat rp.out)"
grep -Eq "^Connect from 127\.0\.0\.1:[0-9]+ to 127\.0\.0\.1:$P4 \(fe_def/TCP\)\$" rp.out || fail "Connect from line: $(cat rp.out)"
[ "$(grep -c ' fe_null be/' rp.out)" -eq 1 ] || fail "dontlognull: $(grep fe_null rp.out)"

if [ -x /usr/sbin/haproxy ]; then
	# (HAProxy started in the background of a script ignores SIGINT)
	traffic hap.out USR1 /usr/sbin/haproxy
	# HAProxy's internal proxy for its HTTP client has no equivalent here
	mask hap.out | grep -v '<HTTPCLIENT>' | sort >hap.m
	mask rp.out | sort >rp.m
	diff hap.m rp.m >diff.txt || fail "log lines differ from HAProxy's: $(cat diff.txt)"
else
	note "no /usr/sbin/haproxy: lines checked against captured shapes only"
fi

# syslog over UDP: RFC 3164 framing, facility local1, level info
write_logcfg log.cfg 1
timeout 30 python3 udp.py "$UDP" 20 udp.out &
E2E_PIDS+=($!)
udp_bound() { ss -Hlun "sport = :$UDP" | grep -q .; }
wait_for 10 udp_bound || fail "the syslog receiver did not start"
traffic rp2.out INT "$PROXY"
wait_for 10 grep -aEq "^<142>[A-Z][a-z]{2} [ 0-9][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2} ringproxy\[[0-9]+\]: 127\.0\.0\.1:[0-9]+ \[[^]]+\] fe_tcp be/s1 " udp.out ||
	fail "no RFC 3164 datagram: $(cat udp.out)"

# health checks: the first failed check takes a server DOWN, HAProxy's words
cat >chk.cfg <<CFG
global
    log stdout format raw local0
defaults
    mode tcp
    log global
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe
    bind 127.0.0.1:$P1
    default_backend be
backend be
    server s1 127.0.0.1:$DEAD check inter 100
    server s2 127.0.0.1:$SINK_PORT check inter 100
CFG
"$PROXY" -db -f chk.cfg >chk.out 2>chk.err &
CP=$!
E2E_PIDS+=("$CP")
# s1 goes DOWN after 3 failed checks (polled: a loaded machine runs them late)
wait_grep chk.out '^Server be/s1 is DOWN'
kill -TERM "$CP"
wait "$CP"
rc=$?
[ $rc -eq 0 ] || fail "exit status $rc after SIGTERM"
grep -q "^Server be/s1 is DOWN, reason: Layer4 connection problem, info: \"Connection refused\", check duration: [0-9]*ms. 1 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.\$" chk.out ||
	fail "DOWN line: $(cat chk.out)"
grep -Eq '^\[WARNING\]  \([0-9]+\) : Server be/s1 is DOWN' chk.err || fail "DOWN warning: $(cat chk.err)"
grep -q "s2" chk.out && fail "a healthy server changed state: $(cat chk.out)"

# -W: a master stopped by SIGINT exits 128 + 2
"$PROXY" -W -d -f chk.cfg >w.out 2>&1 &
WP=$!
E2E_PIDS+=("$WP")
wait_listen "$P1" 10 || fail "-W did not listen"
kill -INT "$WP"
wait "$WP"
rc=$?
[ $rc -eq 130 ] || fail "-W + SIGINT: exit $rc, expected 130"

# -D with a pidfile: the command returns 0 once the daemon runs
"$PROXY" -D -f chk.cfg -p "$T/d.pid" >d.out 2>&1
rc=$?
[ $rc -eq 0 ] || fail "-D: exit $rc: $(cat d.out)"
DP=$(cat "$T/d.pid" 2>/dev/null)
[ -n "$DP" ] && kill -0 "$DP" 2>/dev/null || fail "-D: no live pid in the pidfile"
E2E_PIDS+=("$DP")
wait_listen "$P1" 10 || fail "daemon does not listen"

# -sf: a new process takes over, the old one finishes and exits
"$PROXY" -db -f chk.cfg -sf "$DP" >n.out 2>&1 &
NP=$!
E2E_PIDS+=("$NP")
wait_gone "$DP" 10 || fail "-sf: the old process is still running 10 s later"
[ -e "$T/d.pid" ] && fail "the daemon left its pidfile behind"
wait_listen "$P1" 10 || fail "the new process does not listen"
python3 client.py "$P1" hi || fail "the new process does not serve"
kill -TERM "$NP"
wait "$NP"
exit 0
