#!/usr/bin/env bash
# Clients that reset their connection mid-transfer (RST, not FIN), many at
# once and while the server is streaming to them: each aborted stream ends
# alone; the proxy keeps running, leaks nothing and serves the next clients.
. "$(dirname "$0")/lib.sh"

C=$(e2e_scale 200 50)
raise_nofile $((C * 8 + 200))
start_sink echo -m echo
ECHO_PORT=$SINK_PORT
start_sink srv -m gen -n $((4 << 20)) -s 5
FE_PORT=$(free_port)
FE2_PORT=$(free_port)
CFG_MAXCONN=$((C * 2 + 100)) write_cfg "$T/p.cfg" "server s1 127.0.0.1:$SINK_PORT"
printf '\nlisten fe2\n    bind 127.0.0.1:%s\n    server s1 127.0.0.1:%s\n' "$FE2_PORT" "$ECHO_PORT" >>"$T/p.cfg"
start_proxy "$T/p.cfg"

for round in 1 2 3; do
	run_blast -a "127.0.0.1:$FE_PORT" -C "$C" -n 200000 -K -t 20
	[ $BLAST_RC -eq 0 ] || fail "round $round of resets: exit $BLAST_RC: $BLAST_OUT $(head -3 "$T/blast.log")"
	proxy_alive
done

# the server saw every one of those connections end (no stream left behind)
for i in $(seq 1 100); do
	[ "$(grep -c '^close' "$T/srv.out")" -ge $((C * 3)) ] && break
	sleep 0.05
done
n=$(grep -c '^close' "$T/srv.out")
[ "$n" -ge $((C * 3)) ] || fail "server saw $n of $((C * 3)) connections closed"

# and the same process still forwards byte-exact
run_blast -a "127.0.0.1:$FE2_PORT" -C 10 -n 1000000 -E -R 1000000 -t 20
[ $BLAST_RC -eq 0 ] || fail "after the resets: exit $BLAST_RC: $BLAST_OUT"
stop_proxy
exit 0
