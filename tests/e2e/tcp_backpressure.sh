#!/usr/bin/env bash
# Backpressure: a client that reads nothing for 4 s while the server streams
# 256 MiB. The proxy must stop reading from the server instead of buffering:
# its memory stays bounded; then the client reads everything, byte-exact.
. "$(dirname "$0")/lib.sh"

N=$(e2e_scale $((256 << 20)) $((64 << 20)))
start_sink srv -m gen -n "$N" -s 21
FE_PORT=$(free_port)
write_cfg "$T/p.cfg" "server s1 127.0.0.1:$SINK_PORT"
start_proxy "$T/p.cfg"
sleep 0.3
rss0=$(awk '/^VmRSS:/ { print $2 }' "/proc/$PROXY_PID/status")

# the client reads nothing for 4 s; its memory is sampled after 1.5 s
timeout 60 "$TOOLS/blast" -a "127.0.0.1:$FE_PORT" -n 0 -r 21 -R "$N" -X -P 4000 -t 40 \
	>"$T/blast.out" 2>"$T/blast.log" &
BPID=$!
E2E_PIDS+=("$BPID")
sleep 1.5
rss1=$(awk '/^VmRSS:/ { print $2 }' "/proc/$PROXY_PID/status")
grep -q '^reading' "$T/blast.out" && fail "the client started reading too early"
growth=$((rss1 - rss0))
note "proxy RSS $rss0 KiB -> $rss1 KiB while the client stalls"
# socket buffers live in the kernel; the proxy itself may hold a few MiB
[ "$growth" -lt $((32 * 1024)) ] || fail "proxy RSS grew by $growth KiB while the client was not reading"

wait "$BPID"
rc=$?
[ $rc -eq 0 ] || fail "client: exit $rc: $(cat "$T/blast.out" "$T/blast.log")"
grep -q "^ok conns=1 tx=0 rx=$N " "$T/blast.out" || fail "client: $(cat "$T/blast.out")"
proxy_alive
stop_proxy
exit 0
