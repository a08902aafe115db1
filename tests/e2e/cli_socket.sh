#!/usr/bin/env bash
# The management socket against a running proxy, driven with socat as
# HAProxy users drive it: map edits change the next connection's backend
# (use_backend %[req.payload(0,3),map(file)]), disable server / weight 0
# move traffic to the other server, a map version prepared then committed
# (prepare map / add map @1 / commit map), show sess / shutdown session, levels
# per socket (unix admin, TCP operator), unix socket mode, a stale socket file replaced at start,
# "stats timeout" closing an idle interactive client. The whole transcript
# (answers and routing) is compared with /usr/sbin/haproxy's on the same
# configuration when it is installed.
. "$(dirname "$0")/lib.sh"

cd "$T" || fail "cd $T"
command -v socat >/dev/null || skip "socat is needed"
command -v python3 >/dev/null || skip "python3 is needed for the peers"

PA=$(free_port); PB=$(free_port); PC=$(free_port); PH=$(free_port); FE=$(free_port); FE2=$(free_port)
CLIP=$(free_port)
cat >peers.py <<'PY'
import socket, sys, threading, time
# peers.py <secs> <port:name>...: each port answers its name to the first
# bytes received, then closes
def serve(port, name):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port)); s.listen(64)
    while True:
        c, _ = s.accept()
        def h(c):
            try:
                c.settimeout(2)
                if c.recv(100):
                    if name == "HOLD":
                        time.sleep(30)
                    c.sendall(name.encode())
            except Exception:
                pass
            c.close()
        threading.Thread(target=h, args=(c,), daemon=True).start()
for a in sys.argv[2:]:
    p, n = a.split(":", 1)
    threading.Thread(target=serve, args=(int(p), n), daemon=True).start()
time.sleep(float(sys.argv[1]))
PY
python3 peers.py 90 "$PA:A" "$PB:B" "$PC:C" "$PH:HOLD" &
E2E_PIDS+=($!)
wait_listen "$PC" 10 || fail "peers did not start"

cat >cli.cfg <<CFG
global
    stats socket $T/admin.sock level admin mode 600
    stats socket 127.0.0.1:$CLIP level operator
    stats timeout 1s
defaults
    mode tcp
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe
    bind 127.0.0.1:$FE
    tcp-request inspect-delay 2s
    tcp-request content accept if { req.len ge 3 }
    use_backend %[req.payload(0,3),map($T/route.map)]
    default_backend bA
backend bA
    balance roundrobin
    server a1 127.0.0.1:$PA
    server c1 127.0.0.1:$PC
backend bB
    server b1 127.0.0.1:$PB
frontend fe2
    bind 127.0.0.1:$FE2
    default_backend bH
backend bH
    server h1 127.0.0.1:$PH
CFG

cli() { printf '%s\n' "$1" | timeout 5 socat stdio "unix-connect:$T/admin.sock" | sed -e 's/0x[0-9a-f]*/PTR/g'; }
cli_tcp() { printf '%s\n' "$1" | timeout 5 socat stdio "tcp:127.0.0.1:$CLIP"; }
# held_session: prints the "show sess" line of fe2's session once it has its server
held_session() { printf 'show sess\n' | timeout 5 socat stdio "unix-connect:$T/admin.sock" | grep ' fe=fe2 .* srv=h1 '; }
# send <3 bytes>: prints the name of the peer that answered
send() { printf '%s' "$1" | timeout 5 socat -t 2 - "tcp:127.0.0.1:$FE"; echo; }

# transcript <binary>: runs the scenario against <binary>, prints what was seen
transcript() {
	local bin=$1 i
	printf 'abc bB\n' >route.map
	echo stale >admin.sock          # a stale file where the socket goes
	"$bin" -db -f cli.cfg >"$T/proxy.log" 2>&1 &
	PROXY_PID=$!
	E2E_PIDS+=("$PROXY_PID")
	wait_listen "$FE" 10 || fail "$bin did not listen on $FE"
	wait_listen "$CLIP" 10 || fail "$bin did not listen on the TCP stats socket"
	wait_listen "$FE2" 10 || fail "$bin did not listen on $FE2"
	[ -S admin.sock ] || fail "$bin: admin.sock is not a socket"
	echo "mode $(stat -c %a admin.sock)"
	echo "--- routing"
	send abc; send xyz | tr C A
	echo "--- add map"
	cli "add map $T/route.map xyz bB"
	send xyz
	cli "show map $T/route.map"
	cli "get map $T/route.map xyz"
	echo "--- set map"
	cli "set map $T/route.map xyz bA"
	cli "get map $T/route.map xyz"
	echo "--- del map"
	cli "del map $T/route.map xyz"
	cli "del map $T/route.map xyz"
	send xyz
	echo "--- disable server"
	cli "disable server bA/a1"
	for i in 1 2 3; do send qqq; done
	cli "enable server bA/a1"
	cli "get weight bA/a1"
	echo "--- weight 0"
	cli "set server bA/c1 weight 0"
	for i in 1 2 3; do send qqq; done
	cli "get weight bA/c1"
	cli "set server bA/c1 weight 100%"
	echo "--- state maint"
	cli "set server bA/a1 state maint"
	send qqq; send qqq
	cli "show stat" | cut -d, -f1,2,18,19,20
	cli "set server bA/a1 state ready"
	echo "--- operator socket"
	cli_tcp "show cli sockets"
	cli_tcp "show cli level"
	cli_tcp "disable server bA/a1"
	cli_tcp "get weight bA/a1;show cli level"
	echo "--- versions"
	cli "prepare map $T/route.map"
	cli "add map @1 $T/route.map xyz bB"
	cli "add map @1 $T/route.map abc bB"
	cli "show map @1 $T/route.map"
	send xyz | tr C A
	cli "commit map @1 $T/route.map"
	send xyz
	cli "show map" | grep -o 'curr_ver=.*'
	cli "commit map @1 $T/route.map"
	echo "--- sessions"
	python3 - "$FE2" >hold.out <<'PY' &
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1]))); s.sendall(b"hold")
t0 = time.time(); s.settimeout(8)
try:
    d = s.recv(100)
    print("held connection closed" if not d else "held connection got data")
except Exception:
    print("held connection kept")
PY
	local hp=$!
	local line ptr
	# the held session, once it reached its server
	wait_for 10 held_session >/dev/null
	line=$(held_session)
	echo "$line" | sed -e 's/^0x[0-9a-f]*: //' -e 's/src=127.0.0.1:[0-9]*/src=127.0.0.1:PORT/' -e 's/ ts=.*//'
	ptr=${line%%:*}
	cli "shutdown session $ptr"
	cli "shutdown session 0x1"
	cli "shutdown session"
	wait "$hp"
	cat hold.out
	cli "show sess" | grep -c ' fe=fe2 '
	echo "--- errors"
	cli "add map $T/route.map"
	cli "show map #999"
	cli "get weight bA/zz;get weight zz/a1;set server bA/a1 state foo"
	cli "set server bA/a1 weight 12x"
	echo "--- prompt"
	printf 'prompt\nshow cli level\nquit\n' | timeout 5 socat stdio "unix-connect:$T/admin.sock"
	echo "--- stats timeout"
	python3 - "$T/admin.sock" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(b"prompt\n")
t0 = time.time(); s.settimeout(5)
try:
    while s.recv(100):
        pass
    # "stats timeout 1s", not "timeout client 5s" (4 s: room for a slow machine)
    print("idle client closed" if time.time() - t0 < 4 else "idle client closed late")
except socket.timeout:
    print("idle client kept")
PY
	kill -0 "$PROXY_PID" 2>/dev/null || fail "$bin died (see proxy.log)"
	kill -TERM "$PROXY_PID"
	wait "$PROXY_PID" 2>/dev/null
	check_sanitizer
}

transcript "$PROXY" >rp.txt
note "ringproxy transcript:"
sed 's/^/#   /' rp.txt

# ringproxy's own expectations (hold without HAProxy too)
grep -q '^mode 600$' rp.txt || fail "unix socket mode not applied"
[ "$(sed -n '/^--- routing/,/^--- add map/p' rp.txt | sed -n 2,3p | tr '\n' ' ')" = "B A " ] ||
	fail "initial routing is not abc->B xyz->A"
[ "$(sed -n '/^--- add map/,/^PTR/p' rp.txt | grep -x '[ABC]')" = "B" ] || fail "add map did not route xyz to bB"
sed -n '/^--- del map/,/^--- disable/p' rp.txt | grep -qx '[AC]' || fail "del map did not route xyz back to bA"
[ "$(sed -n '/^--- disable server/,/^--- weight/p' rp.txt | grep -x '[ABC]' | sort -u)" = "C" ] ||
	fail "disabled server still took traffic"
[ "$(sed -n '/^--- weight 0/,/^--- state/p' rp.txt | grep -x '[ABC]' | sort -u)" = "A" ] ||
	fail "weight 0 server still took traffic"
grep -q '^bA,a1,MAINT,' rp.txt || fail "show stat does not show the server in MAINT"
sed -n '/^--- operator socket/,/^--- errors/p' rp.txt | grep -q '^Permission denied$' ||
	fail "operator socket could disable a server"
grep -q '^idle client closed$' rp.txt || fail "stats timeout did not close the idle client"
grep -q '^proto=tcpv4 src=127.0.0.1:PORT fe=fe2 be=bH srv=h1$' rp.txt || fail "show sess does not list the held session"
grep -q '^held connection closed$' rp.txt || fail "shutdown session did not close the held connection"
[ "$(sed -n '/^--- versions/,/^--- sessions/p' rp.txt | grep -x '[ABC]' | tr '\n' ' ')" = "A B " ] ||
	fail "a prepared map version was seen before its commit, or not after"

if [ -x /usr/sbin/haproxy ]; then
	transcript /usr/sbin/haproxy >ha.txt
	# HAProxy 2.6 sometimes keeps the idle prompt client past "stats
	# timeout" (seen 1 run in 2 here): that line is checked on ringproxy only
	if ! diff <(grep -v '^idle client' ha.txt) <(grep -v '^idle client' rp.txt) >diff.txt; then
		note "differences with HAProxy (< haproxy, > ringproxy):"
		sed 's/^/#   /' diff.txt
		fail "transcript differs from HAProxy 2.6's"
	fi
	note "same transcript as /usr/sbin/haproxy"
else
	note "no /usr/sbin/haproxy: compared with the expectations only"
fi
echo "PASS: cli_socket"
