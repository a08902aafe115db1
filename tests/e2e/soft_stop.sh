#!/usr/bin/env bash
# SIGUSR1 (soft stop) during a transfer: the proxy stops listening at once,
# lets the in-flight transfer finish byte-exact, then exits with status 0.
# SIGTERM during a transfer: the proxy exits at once.
. "$(dirname "$0")/lib.sh"

N=$(e2e_scale $((16 << 20)) $((4 << 20)))
start_sink srv -m gen -n "$N" -s 31 -r 13
FE_PORT=$(free_port)
write_cfg "$T/p.cfg" "server s1 127.0.0.1:$SINK_PORT"
start_proxy "$T/p.cfg"

# the client sends half its bytes, pauses 3 s, then sends the rest
timeout 30 "$TOOLS/blast" -a "127.0.0.1:$FE_PORT" -n "$N" -s 13 -r 31 -R "$N" -X -S -M 3000 -t 20 \
	>"$T/blast.out" 2>"$T/blast.log" &
BPID=$!
E2E_PIDS+=("$BPID")
wait_grep "$T/blast.out" '^paused' || fail "transfer did not start: $(cat "$T/blast.out" "$T/blast.log")"

kill -USR1 "$PROXY_PID"
# the listener goes away while the transfer is still paused (3 s: room
# for a slow machine, far less than the transfer's end)
wait_for 10 not listening "$FE_PORT" || fail "still listening 10 s after SIGUSR1"
grep -q '^ok' "$T/blast.out" && fail "the listener went away only once the transfer was over"
proxy_alive

wait "$BPID"
rc=$?
note "$(tail -1 "$T/blast.out")"
[ $rc -eq 0 ] || fail "in-flight transfer broken by the soft stop: exit $rc: $(cat "$T/blast.out" "$T/blast.log")"
wait_line "$T/srv.out" "close rx=$N tx=$N verify=ok" || fail "server side: $(cat "$T/srv.out")"

# with its last stream done, the proxy exits by itself, status 0
wait_gone "$PROXY_PID" 10 || fail "proxy still running 10 s after its last stream ended"
wait "$PROXY_PID"
rc=$?
[ $rc -eq 0 ] || fail "proxy exit status $rc after a soft stop"
check_sanitizer

# SIGTERM, by contrast, stops at once, open transfers or not.
start_sink srv2 -m gen -n "$N" -s 31
FE_PORT=$(free_port)
write_cfg "$T/p2.cfg" "server s1 127.0.0.1:$SINK_PORT"
start_proxy "$T/p2.cfg"
# the client reads nothing for 8 s: the proxy holds the transfer open
to_server() { ss -Htn state connected "dport = :$SINK_PORT" | grep -q .; }
timeout 30 "$TOOLS/blast" -a "127.0.0.1:$FE_PORT" -n 0 -r 31 -R "$N" -X -P 8000 -t 20 \
	>"$T/blast2.out" 2>"$T/blast2.log" &
BPID=$!
E2E_PIDS+=("$BPID")
wait_for 10 to_server || fail "the transfer did not reach the server"
kill -TERM "$PROXY_PID"
wait_gone "$PROXY_PID" 4 || fail "proxy still running 4 s after SIGTERM with a transfer open"
wait "$PROXY_PID"
rc=$?
case $rc in 0|143) ;; *) fail "proxy exit status $rc after SIGTERM" ;; esac
check_sanitizer
exit 0
