#!/usr/bin/env bash
# HTTP checks (option httpchk, http-check expect/send) against four peers —
# 200, 503, garbage, 302 — in a TCP backend: the servers' states, the request
# bytes and the log lines are HAProxy 2.6's, compared line by line with
# /usr/sbin/haproxy on the same configuration (check durations masked).
. "$(dirname "$0")/lib.sh"

cd "$T" || fail "cd $T"
command -v python3 >/dev/null || skip "python3 is needed for the peers"

OK=$(free_port); BAD=$(free_port); GARB=$(free_port); REDIR=$(free_port); DEAD=$(free_port); FE=$(free_port)
cat >peers.py <<'PY'
import socket, sys, threading, time
# peers.py <secs> <log> <port:reply>...: each port answers <reply> to the
# first bytes received (logged as "<port> <repr>"), then closes
log = open(sys.argv[2], "a")
lock = threading.Lock()
def serve(port, reply):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port)); s.listen(64)
    while True:
        c, _ = s.accept()
        def h(c):
            try:
                c.settimeout(2)
                d = c.recv(1000)
                with lock:
                    log.write("%d %r\n" % (port, d)); log.flush()
                if d:
                    c.sendall(reply.encode())
                time.sleep(0.05)
            except Exception:
                pass
            c.close()
        threading.Thread(target=h, args=(c,), daemon=True).start()
for a in sys.argv[3:]:
    p, r = a.split(":", 1)
    threading.Thread(target=serve, args=(int(p), r.replace("\\r\\n", "\r\n")), daemon=True).start()
time.sleep(float(sys.argv[1]))
PY
python3 peers.py 60 "$T/req.log" "$OK:HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n" \
	"$BAD:HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n" "$GARB:garbage\r\n\r\n" \
	"$REDIR:HTTP/1.1 302 Found\r\nLocation: /x\r\n\r\n" &
E2E_PIDS+=($!)
wait_listen "$REDIR" 10 || fail "peers did not start"

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
    bind 127.0.0.1:$FE
    default_backend web
backend web
    option httpchk
    option log-health-checks
    server ok 127.0.0.1:$OK check inter 200 rise 1 fall 1
    server bad 127.0.0.1:$BAD check inter 200 rise 1 fall 1
    server garb 127.0.0.1:$GARB check inter 200 rise 1 fall 1
    server redir 127.0.0.1:$REDIR check inter 200 rise 1 fall 1
    server dead 127.0.0.1:$DEAD check inter 200 rise 1 fall 1
backend strict
    option httpchk GET /health HTTP/1.1\r\nHost:\ www
    http-check expect status 200
    server redir 127.0.0.1:$REDIR check inter 200
backend head
    option httpchk
    http-check send meth HEAD uri /z ver HTTP/1.1 hdr Host foo
    http-check expect ! rstatus ^5
    server bad 127.0.0.1:$BAD check inter 200
CFG

"$PROXY" -c -f chk.cfg >c.txt 2>&1
if grep -q "httpchk.*not supported\|http-check.*not supported" c.txt; then
	skip "the configuration parser does not route 'option httpchk'/'http-check' to the checks yet: $(grep -m1 'not supported' c.txt)"
fi
grep -q '^Configuration file is valid$' c.txt || fail "-c: $(cat c.txt)"

# run <binary> <out>: checks until every server has its state (the five
# of web at their first check, the two others after 3 failed checks), at
# most 10 s (a loaded machine runs them late), then a soft stop
run() {
	: >"$T/req.log"
	"$1" -db -f chk.cfg >"$2" 2>"$2.err" &
	local pid=$!
	E2E_PIDS+=("$pid")
	wait_count 5 "$2" 'Health check for server web/'
	wait_grep "$2" 'Server strict/redir is DOWN'
	wait_grep "$2" 'Server head/bad is DOWN'
	kill -USR1 "$pid"
	wait "$pid"
	sort -u "$T/req.log" >"$2.req"
}
mask() { sed -E 's/check duration: [0-9]+ms/check duration: Dms/' "$1" | grep -v '<HTTPCLIENT>' | sort -u; }

run "$PROXY" rp.out
cp rp.out.err "$T/proxy.log"
check_sanitizer
grep -q 'Health check for server web/ok succeeded, reason: Layer7 check passed, code: 200, check duration' rp.out ||
	fail "no 200 line: $(cat rp.out)"
grep -q 'Health check for server web/bad failed, reason: Layer7 wrong status, code: 503, info: "Service Unavailable"' rp.out ||
	fail "no 503 line: $(cat rp.out)"
grep -q 'Health check for server web/garb failed, reason: Layer7 invalid response, check duration' rp.out ||
	fail "no invalid-response line: $(cat rp.out)"
grep -q "^$OK b'OPTIONS / HTTP/1.0\\\\r\\\\n\\\\r\\\\n'\$" rp.out.req || fail "default request: $(cat rp.out.req)"

if [ -x /usr/sbin/haproxy ]; then
	run /usr/sbin/haproxy hap.out
	mask hap.out >hap.m
	mask rp.out >rp.m
	diff hap.m rp.m >diff.txt || fail "check lines differ from HAProxy's: $(cat diff.txt)"
	diff hap.out.req rp.out.req >diffr.txt || fail "requests differ from HAProxy's: $(cat diffr.txt)"
fi
exit 0
