#!/usr/bin/env bash
# Health checks over TLS against OpenSSL (`openssl s_server -www`): an "ssl"
# server's HTTP check goes over TLS, verified against the CA for its
# check-sni, and passes (Layer7); check-ssl against an unknown CA fails the
# handshake (Layer6); "no-check-ssl" sends the check in clear to the TLS
# port, which fails; after a check in clear the server still serves TLS
# traffic. The expected lines are HAProxy 2.6's: PROXY=/usr/sbin/haproxy runs
# this script against it unchanged.
. "$(dirname "$0")/lib.sh"

command -v openssl >/dev/null || skip "no openssl command"
command -v curl >/dev/null || skip "no curl command"
cd "$T" || fail "cd $T"

cert_ca ca /CN=TestCA
cert_ca other /CN=OtherCA
cert_sign a /CN=a.test DNS:a.test

start_s_server srv.log a.crt a.key -www
SRV_PORT=$S_SERVER_PORT

FE_PORT=$(free_port)
cat >p.cfg <<CFG
defaults
    mode http
    timeout connect 2s
    timeout client 5s
    timeout server 5s
    option log-health-checks
    default-server inter 300ms rise 1 fall 1
frontend fe
    bind 127.0.0.1:$FE_PORT
    default_backend https
backend https
    option httpchk GET /
    http-check expect string s_server
    server s1 127.0.0.1:$SRV_PORT ssl verify required ca-file $T/ca.pem sni str(a.test) check check-sni a.test
backend wrongca
    server s1 127.0.0.1:$SRV_PORT check check-ssl verify required ca-file $T/other.pem
backend clear
    option httpchk GET /
    server s1 127.0.0.1:$SRV_PORT ssl verify none check no-check-ssl
CFG
if ! "$PROXY" -c -f p.cfg >check.txt 2>&1; then
	fail "the proxy refuses this configuration: $(grep -m1 ALERT check.txt)"
fi
start_proxy p.cfg

# log_line <regex>: waits up to 10 s for a line of proxy.log
log_line() { wait_grep proxy.log "$1" || fail "no line matching '$1' in proxy.log"; }
log_line 'Health check for server https/s1 succeeded, reason: Layer7 check passed, code: 200, check duration: [0-9]+ms, status: 1/1 UP'
log_line 'Health check for server wrongca/s1 failed, reason: Layer6 invalid response, info: "SSL handshake failure", check duration: [0-9]+ms, status: 0/1 DOWN'
log_line 'Health check for server clear/s1 failed, reason: Layer7 (invalid response|wrong status)'
note "checks: $(grep -c 'Health check' proxy.log) result lines"

# the server checked over TLS serves traffic over TLS
got=$(timeout 10 curl -s "http://127.0.0.1:$FE_PORT/" | grep -c 's_server')
[ "$got" -ge 1 ] || fail "no s_server page through the checked server"
proxy_alive
stop_proxy
echo PASS
