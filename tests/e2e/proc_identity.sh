#!/usr/bin/env bash
# Process settings of the global section applied as HAProxy 2.6 applies them,
# each checked on the running process and, where /usr/sbin/haproxy is
# installed, against HAProxy on the same configuration:
#   user/group + chroot: /proc/PID/status Uid/Gid/Groups, /proc/PID/root,
#     and the proxy still forwards;
#   ulimit-n / maxconn: /proc/PID/limits "Max open files", a limit that
#     cannot be raised and one too low for maxconn (alerts, exit 1);
#   chroot to a missing directory (alert, exit 1);
#   hard-stop-after: after SIGUSR1, a connection still open is killed after
#     the delay, with HAProxy's warnings in HAProxy's order;
#   pidfile: written by -D, not by -db.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || skip "needs root (setuid/chroot)"
id nobody >/dev/null 2>&1 || skip "no user nobody"
NOGROUP=$(id -gn nobody)
NOBODY_UID=$(id -u nobody)
NOBODY_GID=$(id -g nobody)
HAP=/usr/sbin/haproxy
[ -x "$HAP" ] || HAP=

cd "$T" || fail "cd $T"
start_sink srv -m echo
FE_PORT=$(free_port)
mkdir -p "$T/jail"

# cfg <file> <global lines...>
cfg() {
	local f=$1 l
	shift
	{
		printf 'global\n'
		for l in "$@"; do printf '    %s\n' "$l"; done
		printf 'defaults\n    mode tcp\n    timeout connect 2s\n    timeout client 30s\n    timeout server 30s\n'
		printf 'listen fe\n    bind 127.0.0.1:%s\n    server s1 127.0.0.1:%s\n' "$FE_PORT" "$SINK_PORT"
	} >"$f"
}

# run_bg <binary> <out> <args...>: starts <binary> -db in a shell whose soft
# open-file limit is 1024 (so that what the proxy sets is visible); sets PID.
run_bg() {
	local bin=$1 out=$2
	shift 2
	( ulimit -Sn 1024 && exec "$bin" -db "$@" ) >"$out" 2>&1 &
	PID=$!
	E2E_PIDS+=("$PID")
	wait_listen "$FE_PORT" 10 || fail "$bin did not listen: $(cat "$out")"
}

# stop_bg: SIGTERM to $PID, waits for it.
stop_bg() {
	kill -TERM "$PID" 2>/dev/null
	wait "$PID" 2>/dev/null
	for i in $(seq 1 40); do ss -Hltn "sport = :$FE_PORT" | grep -q . || break; sleep 0.05; done
}

# identity <pid>: "uid gid groups root nofile" of a running process.
identity() {
	local uid gid groups root nofile
	uid=$(awk '/^Uid:/ {print $2 "/" $3 "/" $4 "/" $5}' "/proc/$1/status")
	gid=$(awk '/^Gid:/ {print $2 "/" $3 "/" $4 "/" $5}' "/proc/$1/status")
	groups=$(awk '/^Groups:/ {$1 = ""; print ($0 ~ /[0-9]/) ? $0 : "none"}' "/proc/$1/status")
	root=$(readlink "/proc/$1/root")
	nofile=$(awk '/^Max open files/ {print $4 "/" $5}' "/proc/$1/limits")
	echo "uid=$uid gid=$gid groups=$groups root=$root nofile=$nofile"
}

# echo_ok: one line through the proxy comes back.
echo_ok() {
	local got
	got=$(printf 'ping-%s\n' "$1" | timeout 5 socat -t 2 - "TCP:127.0.0.1:$FE_PORT" 2>/dev/null)
	[ "$got" = "ping-$1" ]
}

# mask: pids and the program name differ between the proxies
mask() { sed -E 's/\(([0-9]+)\)/(PID)/; s/\[[^] ]*\.main\(\)\]/[PROG.main()]/' "$1" | grep -v '^\[NOTICE\]'; }

# ---- user, group, chroot, ulimit-n ----
cfg id.cfg "user nobody" "group $NOGROUP" "chroot $T/jail" "ulimit-n 3000" "maxconn 1000"
run_bg "$PROXY" rp.out -f id.cfg
RP_ID=$(identity "$PID")
note "ringproxy: $RP_ID"
want="uid=$NOBODY_UID/$NOBODY_UID/$NOBODY_UID/$NOBODY_UID gid=$NOBODY_GID/$NOBODY_GID/$NOBODY_GID/$NOBODY_GID groups=none root=$T/jail nofile=3000/"
case "$RP_ID" in
"$want"*) ;;
*) fail "identity: got '$RP_ID', expected '$want...'" ;;
esac
echo_ok 1 || fail "no echo through the chrooted, unprivileged proxy"
echo_ok 2 || fail "second connection through the chrooted proxy"
kill -0 "$PID" 2>/dev/null || fail "proxy died"
stop_bg
grep -q 'ALERT\|WARNING' rp.out && fail "unexpected messages: $(cat rp.out)"
if [ -n "$HAP" ]; then
	run_bg "$HAP" hap.out -f id.cfg
	HAP_ID=$(identity "$PID")
	stop_bg
	[ "$HAP_ID" = "$RP_ID" ] || fail "identity differs: HAProxy '$HAP_ID', ringproxy '$RP_ID'"
fi

# ---- default limit from maxconn: 2 * maxconn + listeners + margin ----
# nbthread 2: HAProxy adds 3 sockets per thread, and defaults to one per CPU
cfg mc.cfg "maxconn 1000" "nbthread 2"
run_bg "$PROXY" rp.out -f mc.cfg
RP_NF=$(identity "$PID" | sed 's/.*nofile=//')
stop_bg
[ "${RP_NF%%/*}" = 2017 ] || fail "maxconn 1000: soft limit ${RP_NF%%/*}, expected 2017"
if [ -n "$HAP" ]; then
	run_bg "$HAP" hap.out -f mc.cfg
	HAP_NF=$(identity "$PID" | sed 's/.*nofile=//')
	stop_bg
	[ "$HAP_NF" = "$RP_NF" ] || fail "maxconn 1000: HAProxy's limit $HAP_NF, ringproxy's $RP_NF"
fi

# ---- start-up failures: same alert, exit 1 ----
# fails <name> <expected alert> <global lines...>
fails() {
	local name=$1 want=$2 bin rc
	shift 2
	cfg "$name.cfg" "$@"
	for bin in "$PROXY" $HAP; do
		( ulimit -Sn 1024 && exec timeout 5 "$bin" -db -f "$name.cfg" ) >"$name.out" 2>&1
		rc=$?
		[ $rc -eq 1 ] || fail "$name: $bin exited $rc, expected 1: $(cat "$name.out")"
		mask "$name.out" | grep -qxF "$want" || fail "$name: $bin printed: $(cat "$name.out")"
	done
}
HARD=$(ulimit -Hn)
if ( ulimit -Hn $((HARD + 1000)) ) 2>/dev/null; then
	note "the hard open-file limit can be raised here: 'cannot raise' case not run"
else
	fails nofile_high "[ALERT]    (PID) : [PROG.main()] Cannot raise FD limit to $((HARD + 1000)), limit is 1024." \
		"ulimit-n $((HARD + 1000))"
fi
# (nbthread 2 as above)
fails nofile_low "[ALERT]    (PID) : [PROG.main()] FD limit (1024) too low for maxconn=1000/maxsock=2017. Please raise 'ulimit-n' to 2017 or more to avoid any trouble." \
	"ulimit-n 500" "maxconn 1000" "nbthread 2"
fails chroot_missing "[ALERT]    (PID) : [PROG.main()] Cannot chroot($T/nonexistent)." \
	"chroot $T/nonexistent"
ss -Hltn "sport = :$FE_PORT" | grep -q . && fail "a failed start left a listener behind"

# ---- hard-stop-after ----
cfg hs.cfg "hard-stop-after 1s"
# hard_stop <binary> <out>: a connection stays open across SIGUSR1; prints
# how long the process took to exit after the signal (ms)
to_server() { ss -Htn state established "( dport = :$SINK_PORT )" | grep -q .; }
hard_stop() {
	local bin=$1 out=$2 t0 t1 cp
	run_bg "$bin" "$out" -f hs.cfg
	( sleep 8 | timeout 10 socat - "TCP:127.0.0.1:$FE_PORT" >/dev/null 2>&1 ) &
	cp=$!
	E2E_PIDS+=("$cp")
	# the proxy has accepted it and connected to the server (else the soft
	# stop drops it from the backlog and the counts differ)
	wait_for 10 to_server || fail "$bin: the held connection did not reach the server"
	t0=$(date +%s%N)
	kill -USR1 "$PID"
	wait "$PID"
	HS_RC=$?
	t1=$(date +%s%N)
	HS_MS=$(( (t1 - t0) / 1000000 ))
	kill "$cp" 2>/dev/null
}
hard_stop "$PROXY" rp_hs.out
note "ringproxy hard-stopped after ${HS_MS} ms (rc $HS_RC)"
# well before the client's 8 s, with room for a sanitizer's exit report
[ "$HS_MS" -ge 900 ] && [ "$HS_MS" -lt 5000 ] || fail "hard-stop-after 1s: exited ${HS_MS} ms after SIGUSR1: $(cat rp_hs.out)"
[ "$HS_RC" -eq 0 ] || fail "hard stop: exit $HS_RC"
mask rp_hs.out | grep -v '^[0-9]' >rp_hs.m
cat >hs_want.m <<EOF
[WARNING]  (PID) : Proxy fe stopped (cumulated conns: FE: 1, BE: 1).
[WARNING]  (PID) : soft-stop running for too long, performing a hard-stop.
[WARNING]  (PID) : Proxy fe hard-stopped (1 remaining conns will be closed).
EOF
diff hs_want.m rp_hs.m >hs.diff || fail "hard stop messages: $(cat hs.diff)"
if [ -n "$HAP" ]; then
	hard_stop "$HAP" hap_hs.out
	note "HAProxy hard-stopped after ${HS_MS} ms"
	mask hap_hs.out | grep -v '<HTTPCLIENT>' >hap_hs.m
	diff hap_hs.m rp_hs.m >hs2.diff || fail "hard stop messages differ from HAProxy's: $(cat hs2.diff)"
fi

# ---- cpu-map: thread 1 bound to the CPUs given ----
CPU=$(awk '/^Cpus_allowed_list:/ {print $2}' /proc/self/status | cut -d, -f1 | cut -d- -f1)
cfg cm.cfg "nbthread 4" "cpu-map 1/1 $CPU"
run_bg "$PROXY" cm.out -f cm.cfg
[ "$(awk '/^Cpus_allowed_list:/ {print $2}' "/proc/$PID/status")" = "$CPU" ] ||
	fail "cpu-map 1/1 $CPU: $(grep Cpus_allowed_list "/proc/$PID/status")"
grep -q "'nbthread 4': ringproxy runs one worker thread for now" cm.out || fail "no nbthread notice: $(cat cm.out)"
echo_ok 4 || fail "no echo with cpu-map"
stop_bg

# ---- chroot with TLS and no /dev/urandom in the jail: said at start ----
if command -v openssl >/dev/null; then
	openssl req -x509 -newkey rsa:2048 -nodes -keyout k.pem -out c.pem -days 2 -subj /CN=localhost >/dev/null 2>&1
	cat c.pem k.pem >crt.pem
	{
		printf 'global\n    chroot %s\n' "$T/jail"
		printf 'defaults\n    mode http\n    timeout connect 2s\n    timeout client 5s\n    timeout server 5s\n'
		printf 'frontend fe\n    bind 127.0.0.1:%s ssl crt %s\n' "$FE_PORT" "$T/crt.pem"
		printf '    http-request return status 200 content-type text/plain string ok\n'
	} >tls.cfg
	run_bg "$PROXY" tls.out -f tls.cfg
	stop_bg
	grep -q "WARNING.*chroot($T/jail) has no /dev/urandom: TLS handshakes will fail" tls.out ||
		fail "no /dev/urandom warning: $(cat tls.out)"
	# with the device in the jail, TLS works
	mkdir -p "$T/jail/dev" && mknod -m 444 "$T/jail/dev/urandom" c 1 9 2>/dev/null
	if [ -c "$T/jail/dev/urandom" ]; then
		run_bg "$PROXY" tls2.out -f tls.cfg
		got=$(curl -sk --max-time 5 "https://127.0.0.1:$FE_PORT/")
		stop_bg
		[ "$got" = ok ] || fail "TLS in the chroot with /dev/urandom: '$got' $(cat tls2.out)"
		grep -q "urandom" tls2.out && fail "warning with /dev/urandom present: $(cat tls2.out)"
	fi
fi

# ---- pidfile: -D writes it, -db does not ----
cfg pf.cfg "user nobody"
( exec timeout 5 "$PROXY" -db -f pf.cfg -p "$T/fg.pid" ) >pf.out 2>&1 &
PID=$!
E2E_PIDS+=("$PID")
wait_listen "$FE_PORT" 10 || fail "-db -p did not start: $(cat pf.out)"
[ -e "$T/fg.pid" ] && fail "-db wrote a pidfile (HAProxy does not)"
stop_bg
"$PROXY" -D -f pf.cfg -p "$T/d.pid" >d.out 2>&1 || fail "-D: $(cat d.out)"
DP=$(cat "$T/d.pid" 2>/dev/null)
[ -n "$DP" ] || fail "-D: no pidfile"
E2E_PIDS+=("$DP")
wait_listen "$FE_PORT" 10 || fail "daemon does not listen"
[ "$(awk '/^Uid:/ {print $2}' "/proc/$DP/status")" = "$NOBODY_UID" ] || fail "daemon not running as nobody"
echo_ok 3 || fail "the daemon does not forward"
kill -TERM "$DP"
wait_gone "$DP" 10 || fail "daemon still running 10 s after SIGTERM"
exit 0
