#!/usr/bin/env bash
# tcp-check rules (send / expect) against three peers — one answers +PONG,
# one -ERR, one refuses — and a connect-only check: the servers' states and
# the log lines are HAProxy 2.6's, compared line by line with
# /usr/sbin/haproxy on the same configuration (check durations masked).
. "$(dirname "$0")/lib.sh"

cd "$T" || fail "cd $T"
command -v python3 >/dev/null || skip "python3 is needed for the peers"

OK=$(free_port); ERR=$(free_port); DEAD=$(free_port); FE=$(free_port)
cat >peers.py <<'PY'
import socket, sys, threading, time
# peers.py <secs> <port:reply>...: each port answers <reply> to the first
# bytes received, then closes
def serve(port, reply):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port)); s.listen(64)
    while True:
        c, _ = s.accept()
        def h(c):
            try:
                c.settimeout(2)
                if c.recv(100):
                    c.sendall(reply.encode())
                time.sleep(0.05)
            except Exception:
                pass
            c.close()
        threading.Thread(target=h, args=(c,), daemon=True).start()
for a in sys.argv[2:]:
    p, r = a.split(":", 1)
    threading.Thread(target=serve, args=(int(p), r.replace("\\r\\n", "\r\n")), daemon=True).start()
time.sleep(float(sys.argv[1]))
PY
python3 peers.py 60 "$OK:+PONG\r\n" "$ERR:-ERR unknown\r\n" &
E2E_PIDS+=($!)
wait_listen "$ERR" 10 || fail "peers did not start"

cat >chk.cfg <<CFG
global
    log stdout format raw local0
defaults
    mode tcp
    log global
    timeout connect 1s
    timeout client 5s
    timeout server 5s
    timeout check 500ms
frontend fe
    bind 127.0.0.1:$FE
    default_backend redis
backend redis
    option tcp-check
    option log-health-checks
    tcp-check send PING\r\n
    tcp-check expect string +PONG
    server ok 127.0.0.1:$OK check inter 200 rise 1 fall 1
    server err 127.0.0.1:$ERR check inter 200 rise 1 fall 1
    server dead 127.0.0.1:$DEAD check inter 200 rise 1 fall 1
backend plain
    server ok 127.0.0.1:$OK check inter 200
    server dead 127.0.0.1:$DEAD check inter 200
CFG

"$PROXY" -c -f chk.cfg >c.txt 2>&1
if grep -q "tcp-check.*not supported" c.txt; then
	skip "the configuration parser does not route 'tcp-check' to the checks yet: $(grep tcp-check c.txt | head -1)"
fi
grep -q '^Configuration file is valid$' c.txt || fail "-c: $(cat c.txt)"

# run <binary> <out>: checks until every server has its state (redis's
# three at their first check, plain/dead after 3 failed checks), at most
# 10 s (a loaded machine runs them late), then a soft stop
run() {
	"$1" -db -f chk.cfg >"$2" 2>"$2.err" &
	local pid=$!
	E2E_PIDS+=("$pid")
	wait_count 3 "$2" 'Health check for server redis/'
	wait_grep "$2" 'Server plain/dead is DOWN'
	kill -USR1 "$pid"
	wait "$pid"
}
mask() { sed -E 's/check duration: [0-9]+ms/check duration: Dms/' "$1" | grep -v '<HTTPCLIENT>' | sort -u; }

run "$PROXY" rp.out
cp rp.out.err "$T/proxy.log"
check_sanitizer
grep -q 'Health check for server redis/ok succeeded, reason: Layer7 check passed, code: 0, info: "(tcp-check)"' rp.out ||
	fail "no tcp-check success line: $(cat rp.out)"
grep -q "Health check for server redis/err failed, reason: Layer7 invalid response, info: \"TCPCHK did not match content '+PONG' at step 2\"" rp.out ||
	fail "no mismatch line: $(cat rp.out)"
grep -q 'Health check for server redis/dead failed, reason: Layer4 connection problem, info: "Connection refused at initial connection step of tcp-check"' rp.out ||
	fail "no refused line: $(cat rp.out)"
grep -q '^Server plain/dead is DOWN, reason: Layer4 connection problem, info: "Connection refused"' rp.out ||
	fail "no connect-only DOWN line: $(cat rp.out)"
grep -q 'redis/ok is DOWN\|plain/ok is DOWN' rp.out && fail "a healthy server went DOWN: $(cat rp.out)"

if [ -x /usr/sbin/haproxy ]; then
	run /usr/sbin/haproxy hap.out
	mask hap.out >hap.m
	mask rp.out >rp.m
	diff hap.m rp.m >diff.txt || fail "check lines differ from HAProxy's: $(cat diff.txt)"
fi
exit 0
