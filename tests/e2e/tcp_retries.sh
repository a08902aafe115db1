#!/usr/bin/env bash
# Connecting to the server fails: the proxy retries ("retries 3"), then
# closes the client without sending anything; it keeps serving afterwards.
# With a server that starts listening between two attempts, a retry succeeds.
. "$(dirname "$0")/lib.sh"

DEAD=$(free_port)
FE_PORT=$(free_port)
write_cfg "$T/p.cfg" "retries 3" "server s1 127.0.0.1:$DEAD"
start_proxy "$T/p.cfg"

t0=$(date +%s%N)
run_blast -a "127.0.0.1:$FE_PORT" -n 10 -R 0 -X -t 15
t1=$(date +%s%N)
[ $BLAST_RC -eq 0 ] || fail "client was not closed with nothing received: exit $BLAST_RC: $BLAST_OUT $(cat "$T/blast.log")"
note "closed after $(( (t1 - t0) / 1000000 )) ms"
proxy_alive

# A retry reaches the server once it listens: start it 300 ms after the
# client connected (the first attempt is refused, HAProxy waits up to 1 s
# before retrying the same server; the retries at 1, 2 and 3 s leave room
# for a slow start of that server on a loaded machine).
timeout 20 "$TOOLS/blast" -a "127.0.0.1:$FE_PORT" -n 100 -E -R 100 -t 10 >"$T/late.out" 2>"$T/late.log" &
BPID=$!
E2E_PIDS+=("$BPID")
sleep 0.3
start_sink late -m echo -l "127.0.0.1:$DEAD"
wait "$BPID" || fail "retry did not reach the late server: $(cat "$T/late.out" "$T/late.log")"
proxy_alive
stop_proxy
exit 0
