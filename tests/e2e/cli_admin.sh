#!/usr/bin/env bash
# Management socket commands that change what a running proxy does, checked
# by their effect on traffic and compared with /usr/sbin/haproxy's
# transcript on the same configuration: disable/enable frontend (new
# clients refused, then served), add server / del server (a new server in
# maintenance, made ready, taking the traffic, refused deletion while
# ready, deleted), disable/enable health (check columns of show stat), show
# stat json (valid JSON, same fields as typed), and "#<id>" map commands
# addressing one entry among entries sharing a key.
. "$(dirname "$0")/lib.sh"

cd "$T" || fail "cd $T"
command -v socat >/dev/null || skip "socat is needed"
command -v python3 >/dev/null || skip "python3 is needed for the peers"

PA=$(free_port); PN=$(free_port); FE=$(free_port); PD=$(free_port)
cat >peers.py <<'PY'
import socket, sys, threading, time
# peers.py <secs> <port:name>...: each port answers its name and closes
def serve(port, name):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port)); s.listen(64)
    while True:
        c, _ = s.accept()
        try:
            c.settimeout(2); c.recv(100); c.sendall(name.encode())
        except Exception:
            pass
        c.close()
for a in sys.argv[2:]:
    p, n = a.split(":", 1)
    threading.Thread(target=serve, args=(int(p), n), daemon=True).start()
time.sleep(float(sys.argv[1]))
PY
python3 peers.py 90 "$PA:A" "$PN:N" &
E2E_PIDS+=($!)
wait_listen "$PN" 10 || fail "peers did not start"

cat >admin.cfg <<CFG
global
    stats socket $T/admin.sock level admin
defaults
    mode tcp
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe
    bind 127.0.0.1:$FE
    use_backend %[str(k),map($T/m.map,bA)]
backend bA
    server a1 127.0.0.1:$PA
    server d1 127.0.0.1:$PD check inter 200ms
CFG

cli() { printf '%s\n' "$1" | timeout 5 socat stdio "unix-connect:$T/admin.sock"; }
# send: prints the name of the peer that answered, or "refused"
send() {
	python3 - "$FE" <<'PY'
import socket, sys
s = socket.socket(); s.settimeout(3)
try:
    s.connect(("127.0.0.1", int(sys.argv[1])))
except OSError:
    print("refused"); sys.exit(0)
s.sendall(b"hello")
try:
    print(s.recv(100).decode() or "closed")
except OSError:
    print("timeout")
PY
}

transcript() {
	local bin=$1 ptr
	printf 'k bA\nk bB\n' >m.map
	"$bin" -db -f admin.cfg >"$T/proxy.log" 2>&1 &
	PROXY_PID=$!
	E2E_PIDS+=("$PROXY_PID")
	wait_listen "$FE" 10 || fail "$bin did not listen on $FE"
	# d1's checks find it down (polled: a loaded machine runs them late)
	for _ in $(seq 50); do
		cli "show stat" | grep -q '^bA,d1,.*,DOWN,' && break
		sleep 0.1
	done
	echo "--- frontend"
	send
	cli "disable frontend fe"
	cli "disable frontend fe"
	send
	cli "enable frontend fe"
	cli "enable frontend fe"
	send
	cli "disable frontend nope"
	echo "--- add server"
	cli "add server bA/n1 127.0.0.1:$PN"
	cli "add server bA/n1 127.0.0.1:$PN"
	cli "show servers state bA" | cut -d' ' -f1-8
	cli "set server bA/n1 state ready"
	cli "set server bA/a1 state maint"
	send; send
	cli "del server bA/n1"
	cli "set server bA/a1 state ready"
	cli "set server bA/n1 state maint"
	cli "del server bA/n1"
	cli "del server bA/n1"
	cli "show servers state bA" | cut -d' ' -f1-8
	send
	echo "--- health"
	# "* " marks a check in flight on both proxies: when is timing, so it goes
	cli "show stat" | grep '^bA,d1,' | cut -d, -f18,37,67-70 | sed 's/,\* /,/'
	cli "disable health bA/d1"
	cli "show stat" | grep '^bA,d1,' | cut -d, -f18,37,67-70 | sed 's/,\* /,/'
	cli "show servers state bA" | grep ' d1 ' | cut -d' ' -f4,14
	cli "enable health bA/d1"
	cli "show stat" | grep '^bA,d1,' | cut -d, -f18,37,67-70 | sed 's/,\* /,/'
	cli "enable agent bA/d1"
	echo "--- json"
	cli "show stat json" >stat.json
	cli "show stat typed" >stat.typed
	python3 - stat.json stat.typed <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))
typed = [l for l in open(sys.argv[2]).read().split("\n") if l]
flat = [o for r in rows for o in r]
print("json rows", len(rows), "fields match typed:", len(flat) == len(typed) and all(
    t.split(":", 1)[0].split(".")[4] == o["field"]["name"] for t, o in zip(typed, flat)))
print(rows[0][0]["objType"], rows[0][0]["field"], rows[0][0]["tags"], rows[0][0]["value"])
PY
	echo "--- #id"
	cli "show map $T/m.map" | sed 's/^0x[0-9a-f]* //'
	ptr=$(cli "show map $T/m.map" | sed -n 2p | cut -d' ' -f1)
	cli "set map $T/m.map #$ptr bC"
	cli "show map $T/m.map" | sed 's/^0x[0-9a-f]* //'
	cli "del map $T/m.map #$ptr"
	echo "--- after del"
	cli "show map $T/m.map" | sed 's/^0x[0-9a-f]* //'
	cli "del map $T/m.map #$ptr"
	kill -0 "$PROXY_PID" 2>/dev/null || fail "$bin died (see proxy.log)"
	kill -TERM "$PROXY_PID"
	wait "$PROXY_PID" 2>/dev/null
	check_sanitizer
}

transcript "$PROXY" >rp.txt
note "ringproxy transcript:"
sed 's/^/#   /' rp.txt

# ringproxy's own expectations
sec() { sed -n "/^--- $1/,/^--- /p" rp.txt; }
[ "$(sec frontend | grep -xE 'A|N|refused|timeout|closed' | tr '\n' ' ')" = "A refused A " ] ||
	fail "disable/enable frontend: expected A refused A"
sec frontend | grep -qx 'All sockets are already disabled.' || fail "second disable not reported"
[ "$(sec 'add server' | grep -xE 'A|N|refused' | tr '\n' ' ')" = "N N A " ] ||
	fail "added server did not take the traffic, or stayed after del"
sec 'add server' | grep -qx 'Only servers in maintenance mode can be deleted.' || fail "ready server deleted"
sec 'add server' | grep -qx 'Server deleted.' || fail "del server did not answer"
sec 'add server' | grep -q '^3 bA 3 n1 127.0.0.1 0 1 1' || fail "added server not in maintenance (show servers state)"
[ "$(sec health | grep -c '^DOWN,L4CON')" = 2 ] || fail "check columns missing before/after disable health"
sec health | grep -qx 'DOWN,,,,,' || fail "disabled health still shows check columns"
sec health | grep -qx 'Agent was not configured on this server, cannot enable.' || fail "enable agent"
sec json | grep -q 'fields match typed: True' || fail "show stat json does not match show stat typed"
[ "$(sec '#id' | grep -cx 'k bA')" = 2 ] || fail "#<id> changed the first entry sharing the key"
sec '#id' | grep -qx 'k bC' || fail "set map #<id> did not change the second entry"
[ "$(sec 'after del' | grep '^k ')" = "k bA" ] || fail "del map #<id> did not leave the first entry alone"
sec 'after del' | grep -qx 'Key not found.' || fail "del map of a deleted #<id> not refused"

if [ -x /usr/sbin/haproxy ]; then
	transcript /usr/sbin/haproxy >ha.txt
	if ! diff -u ha.txt rp.txt >diff.txt; then
		sed 's/^/#   /' diff.txt
		fail "transcript differs from HAProxy 2.6's"
	fi
	note "transcript identical to HAProxy 2.6's"
fi
echo "PASS"
