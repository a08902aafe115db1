#!/usr/bin/env bash
# Termination codes, counters and connection log lines that HAProxy 2.6
# produces in TCP mode, pinned here (measured on /usr/sbin/haproxy; when it
# is installed each case also runs on it and the masked lines must match):
#   equal client/server timeouts: an idle client is blamed (cD), and so is
#     one whose request came after the connect (cD);
#   unequal ones: the first to expire names the end, but only closes its
#     side (a FIN to the other): the stream ends when the other side closes
#     or times out as well;
#   a server that resets (RST after its response, or close with the
#     request unread) ends the stream at once: SD, the response delivered;
#   %bc counts the backend's streams (queued ones too), not its own;
#   accept-proxy: a bad/truncated/missing PROXY header resets the client
#     and logs "<ip>:<port> [date] fe/1: <reason>" instead of a stream line.
#     (A client that resets before sending anything gets HAProxy's
#     "Connection error while waiting..." line too, but its address is lost
#     here: the multishot accept does not return it, so not pinned.)
. "$(dirname "$0")/lib.sh"

cd "$T" || fail "cd $T"
HAP=/usr/sbin/haproxy
[ -x "$HAP" ] || HAP=

cat >srv.py <<'EOF'
# srv.py <mode> <port-file>: silent (reads, never answers), echo,
# rst_after_resp (reads, answers "resp", resets 100 ms later),
# close_unread (waits 300 ms, closes with the request unread: a reset),
# eofclose (reads until the end, then closes)
import socket, struct, sys, threading, time
mode = sys.argv[1]
s = socket.socket()
s.bind(('127.0.0.1', 0))
s.listen(64)
open(sys.argv[2], 'w').write(str(s.getsockname()[1]))
def serve(c):
    if mode == 'eofclose':
        while c.recv(4096): pass
        c.close(); return
    if mode == 'close_unread':
        time.sleep(0.3); c.close(); return
    if mode == 'rst_after_resp':
        c.recv(100); c.sendall(b'resp'); time.sleep(0.1)
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0)); c.close(); return
    while True:
        d = c.recv(4096)
        if not d: break
        if mode == 'echo': c.sendall(d)
    time.sleep(30)
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
EOF

# start_srv <mode>: sets SRV_PORT
start_srv() {
	rm -f "srv_$1.port"
	timeout 120 python3 srv.py "$1" "srv_$1.port" &
	E2E_PIDS+=($!)
	wait_for 10 test -s "srv_$1.port" || fail "srv.py $1 did not start"
	SRV_PORT=$(cat "srv_$1.port")
}

# cfg <file> <bind options> <log-format|""> <backend lines...>
cfg() {
	local f=$1 bopt=$2 lf=$3 l
	shift 3
	{
		printf 'global\n    log stdout format raw local0\n'
		printf 'defaults\n    mode tcp\n    log global\n    option tcplog\n'
		[ -n "$lf" ] && printf '    log-format "%s"\n' "$lf"
		printf '    timeout connect 1s\n    timeout client %s\n    timeout server %s\n    timeout queue 3s\n' \
			"${TCLI:-1s}" "${TSRV:-1s}"
		printf 'frontend fe\n    bind 127.0.0.1:%s %s\n    default_backend be\n' "$FE_PORT" "$bopt"
		printf 'backend be\n'
		for l in "$@"; do printf '    %s\n' "$l"; done
	} >"$f"
}

# run <binary> <cfg> <client python code> <out> <lines>: starts the proxy,
# runs the client (argv[1] = frontend port), stops the proxy once it logged
# <lines> lines (or 10 s later); log lines in <out>
run() {
	local bin=$1 cfg=$2 code=$3 out=$4 lines=$5 pid
	"$bin" -db -f "$cfg" >"$out" 2>"$out.err" &
	pid=$!
	E2E_PIDS+=("$pid")
	wait_listen "$FE_PORT" 10 || fail "$bin did not listen: $(cat "$out.err")"
	timeout 20 python3 -c "$code" "$FE_PORT" >"$out.client" 2>&1 || fail "client failed: $(cat "$out.client")"
	wait_count "$lines" "$out" '.'
	kill -TERM "$pid"
	wait "$pid" 2>/dev/null
}

# mask: client ports, dates and timers vary from run to run
mask() {
	sed -E 's/^127\.0\.0\.1:[0-9]+ /127.0.0.1:P /; s/\[[0-9]{2}\/[A-Z][a-z]{2}\/[0-9]{4}:[0-9:.]+\] //;
	        s/ -?[0-9]+\/-?[0-9]+\/[0-9]+ / T /' "$1"
}

# case_ <name> <cfg> <client code> <expected masked lines (one per line)>
case_() {
	local name=$1 cfg=$2 code=$3 want=$4 bin bins=("$PROXY")
	[ -n "$HAP" ] && [ -z "${RP_ONLY:-}" ] && bins+=("$HAP")
	for bin in "${bins[@]}"; do
		printf '%s\n' "$want" >"$name.want"
		run "$bin" "$cfg" "$code" "$name.out" "$(wc -l <"$name.want")"
		mask "$name.out" >"$name.m"
		diff "$name.want" "$name.m" >"$name.diff" ||
			fail "$name on $bin: $(cat "$name.diff") (client: $(cat "$name.out.client"))"
	done
}

FE_PORT=$(free_port)

# ---- equal timeouts ----
start_srv silent
cfg t.cfg "" "" "server s1 127.0.0.1:$SRV_PORT"
case_ idle t.cfg '
import socket, sys, time
c = socket.create_connection(("127.0.0.1", int(sys.argv[1]))); time.sleep(1.5)
assert c.recv(10) == b""' \
	"127.0.0.1:P fe be/s1 T 0 cD 1/1/0/0/0 0/0"
# (a request that came with the connection and got no answer blames the
# server, sD, in HAProxy as here, but only when it arrives before the
# server connection is up: a race under load, for both, so not pinned)
case_ req_later t.cfg '
import socket, sys, time
c = socket.create_connection(("127.0.0.1", int(sys.argv[1]))); time.sleep(0.5); c.sendall(b"hello"); time.sleep(1.5)
assert c.recv(10) == b""' \
	"127.0.0.1:P fe be/s1 T 0 cD 1/1/0/0/0 0/0"

# ---- unequal timeouts: the first names the end, each only closes its side ----
# the client's 1 s: its side stops being read and the server gets a FIN; a
# server that closes then ends the stream at 1 s, a silent one at its own 3 s
# (the upper bounds leave a loaded machine 1 s, and stay below the other timeout)
TCLI=1s TSRV=3s cfg t2.cfg "" "" "server s1 127.0.0.1:$SRV_PORT"
case_ cli_first_silent t2.cfg '
import socket, sys, time
c = socket.create_connection(("127.0.0.1", int(sys.argv[1]))); t = time.time()
assert c.recv(10) == b""
assert 2.7 < time.time() - t < 4, time.time() - t' \
	"127.0.0.1:P fe be/s1 T 0 cD 1/1/0/0/0 0/0"
start_srv eofclose
TCLI=1s TSRV=3s cfg t3.cfg "" "" "server s1 127.0.0.1:$SRV_PORT"
case_ cli_first_eofclose t3.cfg '
import socket, sys, time
c = socket.create_connection(("127.0.0.1", int(sys.argv[1]))); t = time.time()
assert c.recv(10) == b""
assert 0.8 < time.time() - t < 2.5, time.time() - t' \
	"127.0.0.1:P fe be/s1 T 0 cD 1/1/0/0/0 0/0"
# the server's 1 s: the client gets a FIN then, and the stream ends when it closes
TCLI=3s TSRV=1s cfg t4.cfg "" "" "server s1 127.0.0.1:$SRV_PORT"
case_ srv_first t4.cfg '
import socket, sys, time
c = socket.create_connection(("127.0.0.1", int(sys.argv[1]))); t = time.time()
assert c.recv(10) == b""
assert 0.8 < time.time() - t < 2.5, time.time() - t' \
	"127.0.0.1:P fe be/s1 T 0 sD 1/1/0/0/0 0/0"

# ---- server resets: SD at once (timeouts of 3 s: "at once" is well under) ----
start_srv rst_after_resp
TCLI=3s TSRV=3s cfg r.cfg "" "" "server s1 127.0.0.1:$SRV_PORT"
case_ rst_after_resp r.cfg '
import socket, sys, time
c = socket.create_connection(("127.0.0.1", int(sys.argv[1]))); c.sendall(b"hello"); t0 = time.time()
got = b""
while True:
    d = c.recv(10)
    if not d: break
    got += d
assert got == b"resp", got
assert time.time() - t0 < 2, "not closed at once"' \
	"127.0.0.1:P fe be/s1 T 4 SD 1/1/0/0/0 0/0"
start_srv close_unread
TCLI=3s TSRV=3s cfg u.cfg "" "" "server s1 127.0.0.1:$SRV_PORT"
case_ close_unread u.cfg '
import socket, sys, time
c = socket.create_connection(("127.0.0.1", int(sys.argv[1]))); c.sendall(b"hello"); t0 = time.time()
assert c.recv(10) == b""
assert time.time() - t0 < 2, "not closed at once"' \
	"127.0.0.1:P fe be/s1 T 0 SD 1/1/0/0/0 0/0"

# ---- %bc: the backend's streams, queued ones included, not the logging one ----
start_srv echo
cfg q.cfg "" "%ft %b/%s bc=%bc sc=%sc" "server s1 127.0.0.1:$SRV_PORT maxconn 1"
case_ bc q.cfg '
import socket, subprocess, sys, time
p = int(sys.argv[1])
a = socket.create_connection(("127.0.0.1", p)); a.sendall(b"a"); assert a.recv(1) == b"a"
b = socket.create_connection(("127.0.0.1", p)); b.sendall(b"b")
c = socket.create_connection(("127.0.0.1", p)); c.sendall(b"c")
# b and c accepted (the accept queue empty), then queued behind a
t = time.time()
while subprocess.run(["ss", "-Hltn", "sport = :%d" % p], capture_output=True,
                     text=True).stdout.split()[1:2] != ["0"] and time.time() - t < 10:
    time.sleep(0.05)
time.sleep(0.2); a.close()
assert b.recv(1) == b"b"; b.close()
assert c.recv(1) == b"c"; c.close()
time.sleep(1.5)' \
	"$(printf '%s\n' "fe be/s1 bc=2 sc=0" "fe be/s1 bc=1 sc=0" "fe be/s1 bc=0 sc=0")"
cfg sc.cfg "" "%ft %b/%s %ts bc=%bc" "server dead 127.0.0.1:$(free_port)"
case_ bc_refused sc.cfg '
import socket, sys
c = socket.create_connection(("127.0.0.1", int(sys.argv[1]))); c.sendall(b"x")
assert c.recv(1) == b""' \
	"fe be/dead SC bc=0"

# ---- accept-proxy: HAProxy's connection log lines ----
cfg pp.cfg accept-proxy "" "server s1 127.0.0.1:$SRV_PORT"
case_ proxy_hdr pp.cfg '
import socket, sys, time, struct
p = int(sys.argv[1])
bad = [b"GARBAGE\r\n", b"GET / HTTP/1.0\r\n\r\n", b"PROXY FOO 1 2 3 4\r\n", b"PROXY TCP4 a b c d\r\n",
       b"PROXY TCP4 1.2.3.4 5.6.7.8 1 2", b"\r\n\r\n\x00\r\nQUIT\n\x31\x11\x00\x0c",
       b"\r\n\r\n\x00\r\nQUIT\n\x21\x11\x00\x0c\x01"]
for b in bad:
    c = socket.create_connection(("127.0.0.1", p)); c.sendall(b)
    try:
        c.recv(10); raise SystemExit("no reset for %r" % b)
    except ConnectionResetError:
        pass
    time.sleep(0.05)
c = socket.create_connection(("127.0.0.1", p)); c.close(); time.sleep(0.1)
c = socket.create_connection(("127.0.0.1", p)); time.sleep(1.3); assert c.recv(10) == b""' \
	"$(printf '%s\n' \
	"127.0.0.1:P fe/1: Truncated PROXY protocol header received" \
	"127.0.0.1:P fe/1: Received something which does not look like a PROXY protocol header" \
	"127.0.0.1:P fe/1: Received an unhandled protocol in the PROXY protocol header" \
	"127.0.0.1:P fe/1: Received an invalid PROXY protocol header" \
	"127.0.0.1:P fe/1: Truncated PROXY protocol header received" \
	"127.0.0.1:P fe/1: Received something which does not look like a PROXY protocol header" \
	"127.0.0.1:P fe/1: Truncated PROXY protocol header received" \
	"127.0.0.1:P fe/1: Connection closed while waiting for PROXY protocol header" \
	"127.0.0.1:P fe/1: Timeout while waiting for PROXY protocol header")"
# a good header still works, and the stream is logged with its addresses
case_ proxy_ok pp.cfg '
import socket, sys, time
c = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
c.sendall(b"PROXY TCP4 1.2.3.4 5.6.7.8 1000 2000\r\nhi"); assert c.recv(2) == b"hi"; c.close(); time.sleep(1.3)' \
	"1.2.3.4:1000 fe be/s1 T 2 sD 1/1/0/0/0 0/0"
exit 0
