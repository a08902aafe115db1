#!/usr/bin/env bash
# Process control as HAProxy does it: "-D -p pidfile" daemonises after binding
# and writes the pid; "-sf <pid>" starts a new process on the same address
# and soft-stops the old one, which finishes its in-flight transfer first.
. "$(dirname "$0")/lib.sh"

start_sink srv -m gen -n $((8 << 20)) -s 3 -r 4
FE_PORT=$(free_port)
write_cfg "$T/p.cfg" "server s1 127.0.0.1:$SINK_PORT"

# -D returns once the daemon is up; its pid is in the pidfile
timeout 10 "$PROXY" -D -p "$T/old.pid" -f "$T/p.cfg" >"$T/proxy.log" 2>&1
rc=$?
[ $rc -eq 0 ] || fail "-D exited $rc"
[ -s "$T/old.pid" ] || fail "no pidfile"
OLD=$(head -1 "$T/old.pid")
E2E_PIDS+=("$OLD")
kill -0 "$OLD" 2>/dev/null || fail "pid $OLD from the pidfile is not running"
wait_listen "$FE_PORT" 10 || fail "daemon does not listen"

# a transfer in flight on the old process (the client pauses half-way)
timeout 30 "$TOOLS/blast" -a "127.0.0.1:$FE_PORT" -n $((8 << 20)) -s 4 -r 3 -R $((8 << 20)) -X -S -M 1500 -t 20 \
	>"$T/blast.out" 2>"$T/blast.log" &
BPID=$!
E2E_PIDS+=("$BPID")
wait_grep "$T/blast.out" '^paused' || fail "transfer did not start: $(cat "$T/blast.out" "$T/blast.log")"

# the new process takes over the port and tells the old one to finish
start_sink echo -m echo
write_cfg "$T/p2.cfg" "server s1 127.0.0.1:$SINK_PORT"
timeout 10 "$PROXY" -D -p "$T/new.pid" -f "$T/p2.cfg" -sf "$OLD" >>"$T/proxy.log" 2>&1
rc=$?
[ $rc -eq 0 ] || fail "new process with -sf exited $rc"
NEW=$(head -1 "$T/new.pid")
E2E_PIDS+=("$NEW")
[ "$NEW" != "$OLD" ] || fail "same pid for the new process"

# new connections reach the new configuration (the echo server) once the
# old process has closed its listener
old_listens() { ss -Hltnp "sport = :$FE_PORT" | grep -q "pid=$OLD,"; }
wait_for 10 not old_listens || fail "the old process still listens 10 s after -sf"
run_blast -a "127.0.0.1:$FE_PORT" -n 1000 -E -R 1000 -t 10
[ $BLAST_RC -eq 0 ] || fail "new process does not serve: $BLAST_OUT $(cat "$T/blast.log")"

# the old transfer completes byte-exact, then the old process exits
wait "$BPID" || fail "in-flight transfer broken by the reload: $(cat "$T/blast.out" "$T/blast.log")"
wait_gone "$OLD" 10 || fail "old process still running 10 s after its last transfer"
kill -0 "$NEW" 2>/dev/null || fail "new process died"
kill -TERM "$NEW"
wait_gone "$NEW" 10 || fail "new process ignores SIGTERM"
grep -Eq 'AddressSanitizer|runtime error:' "$T/proxy.log" && fail "sanitizer report"
exit 0
