#!/usr/bin/env bash
# Half-close: the client shuts its write side after sending; the server
# answers only once it has seen that EOF, and the client still receives the
# answer, then the close.
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
exit 0
