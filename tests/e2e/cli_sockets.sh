#!/usr/bin/env bash
# Management socket kinds: an inherited fd@N (a unix socket bound by the
# launcher), IPv6 TCP, a second unix socket at another level; a stale
# file replaced; a soft stop (SIGUSR1) waits for a connected interactive
# client, then ends the process; the socket file is removed at exit; the
# names and order of "show info" fields, "show stat" columns and "show
# servers state" columns, and the typed forms' indexes and tags. The answers are compared with /usr/sbin/haproxy's
# when it is installed.
. "$(dirname "$0")/lib.sh"

cd "$T" || fail "cd $T"
command -v socat >/dev/null || skip "socat is needed"
command -v python3 >/dev/null || skip "python3 is needed for the launcher"

FE=$(free_port); P6=$(free_port)
V6=1
python3 -c 'import socket; s=socket.socket(socket.AF_INET6); s.bind(("::1", 0))' 2>/dev/null || V6=0

cat >launch.py <<'PY'
import os, socket, sys
# launch.py <sock path> <binary> <args...>: binds a unix listening socket
# on fd 3 and runs the binary with it
path = sys.argv[1]
try:
    os.unlink(path)
except FileNotFoundError:
    pass
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path); s.listen(8)
if s.fileno() != 3:
    os.dup2(s.fileno(), 3)
os.set_inheritable(3, True)
os.execv(sys.argv[2], sys.argv[2:])
PY

{
	echo "global"
	echo "    stats socket fd@3 level user"
	[ "$V6" = 1 ] && echo "    stats socket ipv6@[::1]:$P6 level admin"
	echo "    stats socket $T/oper.sock"
	echo "defaults"
	echo "    mode tcp"
	echo "    timeout connect 1s"
	echo "    timeout client 5s"
	echo "    timeout server 5s"
	echo "frontend fe"
	echo "    bind 127.0.0.1:$FE"
	echo "    default_backend be"
	echo "backend be"
	echo "    server s1 127.0.0.1:9"
} >s.cfg

q() { printf '%s\n' "$2" | timeout 5 socat stdio "$1"; }

# transcript <binary>
transcript() {
	local bin=$1 pid
	echo stale >oper.sock
	python3 launch.py "$T/inh.sock" "$bin" -db -f s.cfg >"$T/proxy.log" 2>&1 &
	pid=$!
	E2E_PIDS+=("$pid")
	wait_listen "$FE" 10 || fail "$bin did not start"
	wait_for 10 test -S oper.sock
	echo "--- fd@3"
	q "unix-connect:$T/inh.sock" "show cli level"
	q "unix-connect:$T/inh.sock" "set server be/s1 weight 3"
	echo "--- unix, default level"
	[ -S oper.sock ] && echo "oper.sock is a socket"
	q "unix-connect:$T/oper.sock" "show cli level;get weight be/s1"
	if [ "$V6" = 1 ]; then
		echo "--- ipv6"
		q "tcp6:[::1]:$P6" "show cli level;set server be/s1 weight 3;get weight be/s1"
	fi
	echo "--- field names"
	q "unix-connect:$T/oper.sock" "show info" | cut -d: -f1
	q "unix-connect:$T/oper.sock" "show stat" | head -1
	q "unix-connect:$T/oper.sock" "show servers state" | sed -n 1,2p
	q "unix-connect:$T/oper.sock" "show info typed" | cut -d: -f1-3
	q "unix-connect:$T/oper.sock" "show stat typed" | cut -d: -f1-3
	echo "--- soft stop with an interactive client"
	# the client keeps the process until it leaves (stats timeout 10s): it
	# stays 4 s after its prompt came back, the soft stop is sent then
	rm -f client.out
	(printf 'prompt\n'; sleep 4) | timeout 10 socat stdio "unix-connect:$T/oper.sock" >client.out 2>&1 &
	wait_for 10 test -s client.out
	kill -USR1 "$pid"
	sleep 1
	kill -0 "$pid" 2>/dev/null && echo "running while the client is connected"
	if wait_gone "$pid" 10; then echo "exited"; else echo "still running after the client left"; kill "$pid"; fi
	wait "$pid" 2>/dev/null
	[ -e oper.sock ] && echo "oper.sock left behind" || echo "oper.sock removed"
	check_sanitizer
}

transcript "$PROXY" >rp.txt
note "ringproxy transcript:"
sed 's/^/#   /' rp.txt
grep -qx 'user' rp.txt || fail "fd@3 socket is not at level user"
grep -qx 'Permission denied' rp.txt || fail "user level could change a weight"
grep -qx 'oper.sock is a socket' rp.txt || fail "the stale file was not replaced by the socket"
grep -qx 'operator' rp.txt || fail "the default level is not operator"
[ "$V6" = 1 ] && { grep -qx '3 (initial 1)' rp.txt || fail "the IPv6 admin socket could not set the weight"; }
grep -qx 'running while the client is connected' rp.txt || fail "soft stop did not wait for the CLI client"
grep -qx 'exited' rp.txt || fail "soft stop did not end the process once the client left"

if [ -x /usr/sbin/haproxy ]; then
	transcript /usr/sbin/haproxy >ha.txt
	# HAProxy leaves its unix socket files behind at exit; ringproxy removes its own
	if ! diff <(grep -v '^oper.sock left\|^oper.sock removed' ha.txt) \
	          <(grep -v '^oper.sock left\|^oper.sock removed' rp.txt) >diff.txt; then
		note "differences with HAProxy (< haproxy, > ringproxy):"
		sed 's/^/#   /' diff.txt
		fail "transcript differs from HAProxy 2.6's"
	fi
	note "same answers as /usr/sbin/haproxy"
fi
echo "PASS: cli_sockets"
