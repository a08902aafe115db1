#!/usr/bin/env bash
# "rate-limit sessions <n>" holds a frontend's accepted connections to about
# <n> per second (the others wait in the kernel's backlog and are served
# later, none refused); the global "maxconnrate" does the same for the
# process. Without a limit the same load goes much faster. PROXY=/usr/sbin/haproxy
# runs this script against HAProxy 2.6 unchanged.
. "$(dirname "$0")/lib.sh"

start_sink echo -m echo
FE_PORT=$(free_port)
FREE_PORT=$(free_port)
GLOBAL_PORT=$(free_port)
cat >"$T/p.cfg" <<CFG
defaults
    mode tcp
    timeout connect 2s
    timeout client 10s
    timeout server 10s
listen limited
    bind 127.0.0.1:$FE_PORT
    rate-limit sessions 20
    server s1 127.0.0.1:$SINK_PORT
listen free
    bind 127.0.0.1:$FREE_PORT
    server s1 127.0.0.1:$SINK_PORT
CFG
start_proxy "$T/p.cfg"

# cps <port>: connections per second that 8 busy clients get in 3 s
cps() {
	run_blast -a "127.0.0.1:$1" -C 8 -n 16 -E -R 16 -T 3 -t 20
	[ $BLAST_RC -eq 0 ] || fail "port $1: exit $BLAST_RC: $BLAST_OUT $(head -3 "$T/blast.log")"
	sed -n 's/^rate conns=[0-9]* secs=[0-9.]* cps=\([0-9]*\) .*/\1/p' <<<"$BLAST_OUT"
}
limited=$(cps "$FE_PORT")
free=$(cps "$FREE_PORT")
note "rate-limit sessions 20: $limited conn/s; no limit: $free conn/s"
[ -n "$limited" ] && [ "$limited" -ge 10 ] && [ "$limited" -le 32 ] ||
	fail "rate-limit sessions 20 gave $limited connections/s"
[ -n "$free" ] && [ "$free" -ge 100 ] || fail "without a limit only $free connections/s"
proxy_alive
stop_proxy

# the global limit
cat >"$T/g.cfg" <<CFG
global
    maxconnrate 20
defaults
    mode tcp
    timeout connect 2s
    timeout client 10s
    timeout server 10s
listen any
    bind 127.0.0.1:$GLOBAL_PORT
    server s1 127.0.0.1:$SINK_PORT
CFG
FE_PORT=$GLOBAL_PORT
start_proxy "$T/g.cfg"
global=$(cps "$GLOBAL_PORT")
note "maxconnrate 20: $global conn/s"
[ -n "$global" ] && [ "$global" -ge 10 ] && [ "$global" -le 32 ] || fail "maxconnrate 20 gave $global connections/s"
stop_proxy
exit 0
