#!/usr/bin/env bash
# Connection churn: tens of thousands of short proxied connections (connect,
# 16 bytes echoed, close). None may fail, and the proxy's memory after the
# third burst must not exceed what it held after the first one by more than
# a little (pools are reused, nothing leaks per connection).
. "$(dirname "$0")/lib.sh"

SECS=$(e2e_scale 3 2)
raise_nofile 10000
start_sink echo -m echo
FE_PORT=$(free_port)
write_cfg "$T/p.cfg" "server s1 127.0.0.1:$SINK_PORT"
start_proxy "$T/p.cfg"

rss=()
total=0
for round in 1 2 3; do
	run_blast -a "127.0.0.1:$FE_PORT" -C 32 -n 16 -E -R 16 -T "$SECS" -t $((SECS + 10))
	note "round $round: $BLAST_OUT"
	[ $BLAST_RC -eq 0 ] || fail "round $round: exit $BLAST_RC: $BLAST_OUT $(head -3 "$T/blast.log")"
	n=$(sed -n 's/^rate conns=\([0-9]*\) .*/\1/p' <<<"$BLAST_OUT")
	[ "${n:-0}" -gt 500 ] || fail "round $round: only ${n:-0} connections in ${SECS}s"
	total=$((total + n))
	sleep 0.3
	rss+=("$(awk '/^VmRSS:/ { print $2 }' "/proc/$PROXY_PID/status")")
	proxy_alive
done
note "$total connections; RSS after each round (KiB): ${rss[*]}"
# 2 MiB of slack for allocator noise; a leak of even 100 bytes per
# connection over the last two rounds would exceed it
[ $((rss[2] - rss[0])) -lt 2048 ] || fail "proxy RSS grew from ${rss[0]} to ${rss[2]} KiB over $total connections"
stop_proxy
exit 0
