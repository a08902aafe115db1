#!/usr/bin/env bash
# "resolvers" and "server ... resolvers <id>": a server declared by name
# with "init-addr none" starts in maintenance, comes up at the address the
# name server gives, follows a changed answer, goes to maintenance once an
# NXDOMAIN lasted longer than "hold nx", and comes back with the next valid
# answer. The name server is a small UDP responder started here whose
# answer the test changes; the two web servers sit on 127.0.0.1 and
# 127.0.0.2 with the same port. Messages are HAProxy 2.6's:
# PROXY=/usr/sbin/haproxy runs this script against it unchanged.
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null || skip "no python3"
command -v curl >/dev/null || skip "no curl"
cd "$T" || fail "cd $T"

cat >dns.py <<'PY'
import socket, struct, sys
# answers A queries for any name with the address in the file "answer"
# ("nx" for NXDOMAIN), AAAA queries with no record; logs each query
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
open("dns.port", "w").write(str(s.getsockname()[1]))
while True:
    q, peer = s.recvfrom(4096)
    if len(q) < 12:
        continue
    qid, flags, qd = struct.unpack(">HHH", q[:6])
    o = 12
    while q[o]:
        o += 1 + q[o]
    qend = o + 5
    qtype = struct.unpack(">H", q[o + 1:o + 3])[0]
    ans = open("answer").read().strip()
    with open("queries", "a") as f:
        f.write("%d %s\n" % (qtype, ans))
    rcode, an = 0, b""
    if ans == "nx":
        rcode = 3
    elif qtype == 1:
        an = b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 1, 4) + socket.inet_aton(ans)
    hdr = struct.pack(">HHHHHH", qid, 0x8180 | rcode, 1, 1 if an else 0, 0, 0)
    s.sendto(hdr + q[12:qend] + an, peer)
PY
echo 127.0.0.1 >answer
timeout 60 python3 dns.py &
E2E_PIDS+=($!)
wait_for 10 test -s dns.port || fail "the DNS responder did not start"
DNS_PORT=$(cat dns.port)

WEB_PORT=$(free_port)
for ip in 1 2; do
	mkdir -p "w$ip" && echo "web$ip" >"w$ip/who" && echo ok >"w$ip/chk"
	timeout 60 python3 -m http.server --bind "127.0.0.$ip" --directory "w$ip" "$WEB_PORT" >"w$ip.log" 2>&1 &
	E2E_PIDS+=($!)
done
wait_listen "$WEB_PORT" 10 || fail "web server did not start"

FE_PORT=$(free_port)
cat >p.cfg <<CFG
resolvers dns
    nameserver ns1 127.0.0.1:$DNS_PORT
    resolve_retries 2
    timeout resolve 100ms
    timeout retry 200ms
    hold valid 200ms
    hold nx 500ms
    hold other 500ms

defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s

listen fe
    bind 127.0.0.1:$FE_PORT
    option httpchk GET /chk
    server s1 app.test:$WEB_PORT resolvers dns resolve-prefer ipv4 init-addr none check inter 100ms
CFG
start_proxy p.cfg

# get_who <expected> <what>: polls (10 s) until the proxy serves <expected>
serves() { [ "$(curl -s -m 2 "http://127.0.0.1:$FE_PORT/who")" = "$1" ]; }
get_who() {
	wait_for 10 serves "$1" && return 0
	fail "$2: expected '$1', got '$(curl -s -m 2 "http://127.0.0.1:$FE_PORT/who")' (log: $(tail -5 "$T/proxy.log"))"
}
# log_has <text>: the proxy printed <text> (fixed string), polled for 10 s
log_has() {
	wait_for 10 grep -qF -- "$1" "$T/proxy.log" && return 0
	fail "no '$1' in the proxy's messages: $(cat "$T/proxy.log")"
}

get_who web1 "first valid answer"
log_has "fe/s1 changed its IP from (none) to 127.0.0.1 by dns/ns1."
log_has "Server fe/s1 administratively READY thanks to valid DNS answer."

echo 127.0.0.2 >answer
get_who web2 "changed answer"
log_has "fe/s1 changed its IP from 127.0.0.1 to 127.0.0.2 by dns/ns1."
# the health check follows: it reaches the new address
wait_grep w2.log "GET /chk" || fail "no health check reached the new address: $(tail -3 w2.log)"

echo nx >answer
log_has "Server fe/s1 is going DOWN for maintenance (DNS NX status)."
code=$(curl -s -o /dev/null -w '%{http_code}' -m 2 "http://127.0.0.1:$FE_PORT/who")
[ "$code" = 503 ] || fail "server in maintenance: expected 503, got $code"

echo 127.0.0.1 >answer
get_who web1 "valid answer after NX"
[ "$(grep -c "administratively READY" "$T/proxy.log")" = 2 ] ||
	fail "expected a second READY message: $(cat "$T/proxy.log")"
# the preferred type is asked first: A (1) queries were sent
grep -q '^1 ' queries || fail "no A query seen: $(head queries)"
proxy_alive
stop_proxy
exit 0
