#!/usr/bin/env bash
# mode tcp, "bind ... ssl": the session starts once the handshake is done,
# so "tcp-request content" rules and use_backend see ssl_fc_sni without an
# inspect-delay (HAProxy creates the session after the handshake too): SNI
# routing, and a client without SNI rejected. The log line of the rejected
# one is the stream's (PR), not a handshake failure.
# PROXY=/usr/sbin/haproxy runs this script unchanged.
. "$(dirname "$0")/lib.sh"

command -v openssl >/dev/null || skip "no openssl command"
command -v curl >/dev/null || skip "no curl command"
cd "$T" || fail "cd $T"
cert_self k.pem c.pem /CN=a.test DNS:a.test,DNS:b.test
cat c.pem k.pem >a.pem

FE_PORT=$(free_port)
A_PORT=$(free_port)
O_PORT=$(free_port)
cat >p.cfg <<CFG
global
    log stdout format raw local0
defaults
    mode tcp
    timeout connect 2s
    timeout client 5s
    timeout server 5s
frontend fe
    log global
    option tcplog
    bind 127.0.0.1:$FE_PORT ssl crt $T/a.pem
    tcp-request content reject if !{ ssl_fc_sni -m found }
    use_backend be_a if { ssl_fc_sni a.test }
    default_backend be_other
backend be_a
    server s 127.0.0.1:$A_PORT
backend be_other
    server s 127.0.0.1:$O_PORT
frontend ha
    mode http
    bind 127.0.0.1:$A_PORT
    http-request return status 200 content-type text/plain string "A"
frontend ho
    mode http
    bind 127.0.0.1:$O_PORT
    http-request return status 200 content-type text/plain string "OTHER"
CFG
start_proxy p.cfg
wait_listen "$O_PORT" 10 || fail "no listener on $O_PORT"
get() { timeout 10 curl -s --cacert c.pem --resolve "$1:$FE_PORT:127.0.0.1" "https://$1:$FE_PORT/"; }
out=$(get a.test) || fail "a.test: curl exit $?"
[ "$out" = A ] || fail "a.test: got '$out', expected A"
out=$(get b.test) || fail "b.test: curl exit $?"
[ "$out" = OTHER ] || fail "b.test: got '$out', expected OTHER"
timeout 10 curl -sk "https://127.0.0.1:$FE_PORT/" >/dev/null && fail "no SNI: not rejected"
wait_grep proxy.log ' fe~ be_a/s [0-9/-]+ [0-9]+ -- ' || fail "no log line for a.test: $(cat proxy.log)"
wait_grep proxy.log ' fe~ fe/<NOSRV> -1/-1/[0-9]+ 0 PR ' || fail "no PR log line for the rejected client: $(cat proxy.log)"
grep -q 'SSL handshake' proxy.log && fail "a handshake failure was logged: $(grep 'SSL handshake' proxy.log)"
proxy_alive
stop_proxy
exit 0
