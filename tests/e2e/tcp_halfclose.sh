#!/usr/bin/env bash
# Half-close: the client shuts its write side after sending; the server
# answers only once it has seen that EOF, and the client still receives the
# answer, then the close. Then a server streaming long after the client shut
# its side: every byte still reaches the client.
. "$(dirname "$0")/lib.sh"

start_sink srv -m eof
FE_PORT=$(free_port)
write_cfg "$T/p.cfg" "server s1 127.0.0.1:$SINK_PORT"
start_proxy "$T/p.cfg"

for n in 1 100000; do
	run_blast -a "127.0.0.1:$FE_PORT" -n $n -S -e "rx=$n
" -t 10
	[ $BLAST_RC -eq 0 ] || fail "client ($n bytes): exit $BLAST_RC: $BLAST_OUT $(cat "$T/blast.log")"
done
# Without the shutdown the server never answers: the client times out.
run_blast -a "127.0.0.1:$FE_PORT" -n 10 -e "rx=10
" -t 1
[ $BLAST_RC -eq 3 ] || fail "without half-close, expected a client timeout (3), got $BLAST_RC: $BLAST_OUT"
proxy_alive
stop_proxy

# The other way round: the client has sent everything and shut its side long
# before the server finishes streaming; the server's bytes keep coming.
N=$(e2e_scale $((64 << 20)) $((16 << 20)))
start_sink gen -m gen -n "$N" -s 9 -r 8
FE_PORT=$(free_port)
write_cfg "$T/p2.cfg" "server s1 127.0.0.1:$SINK_PORT"
start_proxy "$T/p2.cfg"
run_blast -a "127.0.0.1:$FE_PORT" -n 1000 -s 8 -S -r 9 -R "$N" -X -t 30
[ $BLAST_RC -eq 0 ] || fail "server stream after the client's shutdown: exit $BLAST_RC: $BLAST_OUT $(cat "$T/blast.log")"
wait_line "$T/gen.out" "close rx=1000 tx=$N verify=ok" || fail "server side: $(cat "$T/gen.out")"
proxy_alive
stop_proxy
exit 0
