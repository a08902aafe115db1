#!/usr/bin/env bash
# Bulk TLS both ways at once, through both ends of the TLS code in one
# process: blast -> listen "enc" (plain bind, server ... ssl) -> listen
# "dec" (bind ... ssl) -> sink. Every byte is checked by both peers, in
# several concurrent connections and with a stalled reader (backpressure
# on decrypted data). The client's half-close crosses the TLS hop as
# close_notify + FIN and comes out as a FIN while the other direction
# goes on. Passes on HAProxy too (PROXY=/usr/sbin/haproxy).
. "$(dirname "$0")/lib.sh"

command -v openssl >/dev/null || skip "no openssl command"
cd "$T" || fail "cd $T"
cert_self k.pem c.pem /CN=bulk.test DNS:bulk.test
cat c.pem k.pem >srv.pem

N=$(e2e_scale $((64 << 20)) $((8 << 20)))
start_sink srv -m gen -n "$N" -s 2002 -r 1001
FE_PORT=$(free_port)
MID_PORT=$(free_port)
cat >p.cfg <<CFG
global
    maxconn 200
defaults
    mode tcp
    timeout connect 2s
    timeout client 30s
    timeout server 30s
listen enc
    bind 127.0.0.1:$FE_PORT
    server dec 127.0.0.1:$MID_PORT ssl verify required ca-file $T/c.pem sni str(bulk.test)
listen dec
    bind 127.0.0.1:$MID_PORT ssl crt $T/srv.pem
    server sink 127.0.0.1:$SINK_PORT
CFG
start_proxy p.cfg

run_blast -a "127.0.0.1:$FE_PORT" -n "$N" -s 1001 -r 2002 -R "$N" -X -S -t 50
note "one connection: $BLAST_OUT"
[ $BLAST_RC -eq 0 ] || fail "client: exit $BLAST_RC: $BLAST_OUT $(cat blast.log)"
case "$BLAST_OUT" in "ok conns=1 tx=$N rx=$N "*) ;; *) fail "client: $BLAST_OUT" ;; esac
wait_line srv.out "close rx=$N tx=$N verify=ok" || fail "server side: $(cat srv.out)"
stop_proxy

# several connections at once through an echo server, with a client that
# reads nothing for 1 s: decrypted bytes pile up to the channel limits
M=$(e2e_scale $((4 << 20)) $((1 << 20)))
kill "$SINK_PID" 2>/dev/null
start_sink echo -m echo
sed -i "s/server sink 127.0.0.1:[0-9]*/server sink 127.0.0.1:$SINK_PORT/" p.cfg
start_proxy p.cfg
run_blast -a "127.0.0.1:$FE_PORT" -C 8 -n "$M" -E -R "$M" -P 1000 -t 50
note "8 connections, echo, stalled reader: $(tail -n 1 blast.out)"
[ $BLAST_RC -eq 0 ] || fail "8 connections: exit $BLAST_RC: $BLAST_OUT $(cat blast.log)"
case "$(tail -n 1 blast.out)" in "ok conns=8 tx=$((8 * M)) rx=$((8 * M)) "*) ;; *) fail "8 connections: $BLAST_OUT" ;; esac
proxy_alive
stop_proxy
exit 0
