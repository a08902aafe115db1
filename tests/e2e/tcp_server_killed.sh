#!/usr/bin/env bash
# The server is killed (SIGKILL) in the middle of a stream: the client gets
# every byte the server sent before, then the close; the proxy lives on.
. "$(dirname "$0")/lib.sh"

N=1000000
start_sink srv -m gen -n $N -s 77 -k
SRV1=$SINK_PID
OUT1=$T/srv.out
FE_PORT=$(free_port)
write_cfg "$T/p.cfg" "server s1 127.0.0.1:$SINK_PORT"
start_proxy "$T/p.cfg"

# The client expects exactly N bytes of stream 77, then EOF.
timeout 30 "$TOOLS/blast" -a "127.0.0.1:$FE_PORT" -n 0 -r 77 -R $N -X -t 20 >"$T/blast.out" 2>"$T/blast.log" &
BPID=$!
E2E_PIDS+=("$BPID")
wait_grep "$OUT1" '^sent'
grep -q "^sent tx=$N" "$OUT1" || fail "server did not send its bytes: $(cat "$OUT1")"
sleep 0.3
kill -KILL "$SRV1"
wait "$BPID"
rc=$?
note "$(cat "$T/blast.out")"
[ $rc -eq 0 ] || fail "client: exit $rc: $(cat "$T/blast.out" "$T/blast.log")"
grep -q "^ok conns=1 tx=0 rx=$N " "$T/blast.out" || fail "client: $(cat "$T/blast.out")"
proxy_alive

# The proxy still works: a new connection to the now dead server is
# accepted and closed cleanly (nothing received).
run_blast -a "127.0.0.1:$FE_PORT" -n 10 -R 0 -X -t 10
[ $BLAST_RC -eq 0 ] || fail "after the kill, a new connection was not closed cleanly: $BLAST_RC $BLAST_OUT $(cat "$T/blast.log")"
proxy_alive
stop_proxy
exit 0
