#!/usr/bin/env bash
# 256 MiB of pseudo-random bytes each way through the proxy at the same time;
# both peers check every byte they receive against the expected stream.
. "$(dirname "$0")/lib.sh"

N=$(e2e_scale $((256 << 20)) $((32 << 20)))
start_sink srv -m gen -n "$N" -s 2002 -r 1001
FE_PORT=$(free_port)
write_cfg "$T/p.cfg" "server s1 127.0.0.1:$SINK_PORT"
start_proxy "$T/p.cfg"

run_blast -a "127.0.0.1:$FE_PORT" -n "$N" -s 1001 -r 2002 -R "$N" -X -S -t 50
note "$BLAST_OUT"
[ $BLAST_RC -eq 0 ] || fail "client: exit $BLAST_RC: $BLAST_OUT $(cat "$T/blast.log")"
case "$BLAST_OUT" in "ok conns=1 tx=$N rx=$N "*) ;; *) fail "client: $BLAST_OUT" ;; esac
wait_line "$T/srv.out" "close rx=$N tx=$N verify=ok" || fail "server side: $(cat "$T/srv.out")"
proxy_alive
stop_proxy
exit 0
