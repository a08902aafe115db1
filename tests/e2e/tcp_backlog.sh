#!/usr/bin/env bash
# A full listen queue: the frontend is at maxconn (connections held open), a
# burst of further connections overflows its small backlog; once the held
# connections go, the proxy serves new connections normally.
. "$(dirname "$0")/lib.sh"

raise_nofile 2000
start_sink echo -m echo
FE_PORT=$(free_port)
CFG_MAXCONN=100 BIND_OPTS="backlog 4" write_cfg "$T/p.cfg" "maxconn 10" \
	"server s1 127.0.0.1:$SINK_PORT"
start_proxy "$T/p.cfg"

# 1) ten connections fill maxconn and stay open 6 s (step 2 must end before)
timeout 30 "$TOOLS/blast" -a "127.0.0.1:$FE_PORT" -C 10 -n 16 -E -R 16 -w 6 -t 12 \
	>"$T/hold.out" 2>"$T/hold.log" &
HOLD=$!
E2E_PIDS+=("$HOLD")
wait_grep "$T/hold.out" '^ready'
grep -q '^ready conns=10' "$T/hold.out" || fail "could not open 10 connections: $(cat "$T/hold.out" "$T/hold.log")"

# 2) 200 more connections: the accept queue overflows; none is served in 1.5 s
run_blast -a "127.0.0.1:$FE_PORT" -C 200 -n 16 -E -R 16 -t 1.5
[ $BLAST_RC -eq 3 ] || fail "connections beyond maxconn were served or failed early (exit $BLAST_RC): $BLAST_OUT"
proxy_alive

# 3) the held connections close; the proxy then serves new connections
wait "$HOLD" || fail "held connections failed: $(cat "$T/hold.out" "$T/hold.log")"
run_blast -a "127.0.0.1:$FE_PORT" -C 20 -n 1000 -E -R 1000 -t 15
[ $BLAST_RC -eq 0 ] || fail "after the overflow: exit $BLAST_RC: $BLAST_OUT $(head -3 "$T/blast.log")"
run_blast -a "127.0.0.1:$FE_PORT" -n 100000 -E -R 100000 -t 10
[ $BLAST_RC -eq 0 ] || fail "after the overflow (bulk): exit $BLAST_RC: $BLAST_OUT"
proxy_alive
stop_proxy
exit 0
