#!/usr/bin/env bash
# 1,000 connections proxied at the same time: every one exchanges 4 KiB with
# an echo server and checks it back; the server sees 1,000 open together.
# Then 200 concurrent 2 MiB echo transfers.
. "$(dirname "$0")/lib.sh"

C=$(e2e_scale 1000 300)
raise_nofile $((C * 3 + 100))
start_sink echo -m echo -b 4096
FE_PORT=$(free_port)
CFG_MAXCONN=$((C + 100)) BIND_OPTS="backlog 4096" write_cfg "$T/p.cfg" "server s1 127.0.0.1:$SINK_PORT"
start_proxy "$T/p.cfg"

# -w: every connection stays open until all of them have completed
run_blast -a "127.0.0.1:$FE_PORT" -C "$C" -n 4096 -E -R 4096 -w 0.3 -t 30
note "$BLAST_OUT"
[ $BLAST_RC -eq 0 ] || fail "client: exit $BLAST_RC: $BLAST_OUT $(head -5 "$T/blast.log")"
grep -q "^ok conns=$C tx=$((C * 4096)) rx=$((C * 4096)) " "$T/blast.out" || fail "client: $BLAST_OUT"
proxy_alive

# Many bulk transfers at once (more data in flight than the proxy's receive
# buffers can hold: its buffer pool runs dry and must recover): each
# connection gets its own bytes back, byte-exact.
BC=$(e2e_scale 200 50)
BN=$(e2e_scale $((2 << 20)) $((1 << 20)))
run_blast -a "127.0.0.1:$FE_PORT" -C "$BC" -n "$BN" -E -R "$BN" -t 50
note "$BLAST_OUT"
[ $BLAST_RC -eq 0 ] || fail "concurrent bulk: exit $BLAST_RC: $BLAST_OUT $(head -5 "$T/blast.log")"
proxy_alive
kill -TERM "$SINK_PID"
wait "$SINK_PID" 2>/dev/null
grep -qx "exit conns=$((C + BC)) maxconc=$C" "$T/echo.out" ||
	fail "server did not see $C concurrent connections: $(tail -1 "$T/echo.out")"
stop_proxy
exit 0
