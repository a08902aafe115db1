#!/usr/bin/env bash
# %sslv and %sslc in log formats: the client connection's TLS version and
# cipher (OpenSSL names), "-" on a plain connection; "option httpslog", the
# httplog line with HAProxy's TLS fields (fc_err, ssl_fc_err, ssl_c_err,
# ssl_c_ca_err, ssl_fc_is_resumed, ssl_fc_sni). PROXY=/usr/sbin/haproxy
# runs this script against HAProxy 2.6 unchanged.
. "$(dirname "$0")/lib.sh"

command -v openssl >/dev/null || skip "no openssl command"
command -v curl >/dev/null || skip "no curl command"
cd "$T" || fail "cd $T"

cert_self k.pem c.pem /CN=log.test
cat c.pem k.pem >site.pem

FE_PORT=$(free_port)
PLAIN_PORT=$(free_port)
HS_PORT=$(free_port)
HSP_PORT=$(free_port)
cat >p.cfg <<CFG
global
    log stdout format raw local0
defaults
    mode http
    log global
    timeout connect 2s
    timeout client 5s
    timeout server 5s
    log-format "%ft v=%sslv c=%sslc"
frontend tls
    bind 127.0.0.1:$FE_PORT ssl crt $T/site.pem
    http-request return status 200
frontend plain
    bind 127.0.0.1:$PLAIN_PORT
    http-request return status 200
frontend hs
    bind 127.0.0.1:$HS_PORT ssl crt $T/site.pem
    option httpslog
    http-request return status 200
frontend hsplain
    bind 127.0.0.1:$HSP_PORT
    option httpslog
    http-request return status 200
CFG
start_proxy p.cfg

curl -sk --tls-max 1.2 --ciphers ECDHE-ECDSA-AES128-GCM-SHA256 "https://127.0.0.1:$FE_PORT/" >/dev/null ||
	fail "TLS 1.2 request: curl exit $?"
curl -sk --tlsv1.3 "https://127.0.0.1:$FE_PORT/" >/dev/null || fail "TLS 1.3 request: curl exit $?"
curl -s "http://127.0.0.1:$PLAIN_PORT/" >/dev/null || fail "plain request: curl exit $?"
curl -sk --tls-max 1.2 --ciphers ECDHE-ECDSA-AES128-GCM-SHA256 "https://127.0.0.1:$HS_PORT/hs" >/dev/null ||
	fail "httpslog TLS request: curl exit $?"
curl -s "http://127.0.0.1:$HSP_PORT/hsp" >/dev/null || fail "httpslog plain request: curl exit $?"

wait_count 3 "$T/proxy.log" ' v='
grep -q "^tls~ v=TLSv1.2 c=ECDHE-ECDSA-AES128-GCM-SHA256$" "$T/proxy.log" ||
	fail "no TLS 1.2 line: $(grep ' v=' "$T/proxy.log")"
grep -Eq "^tls~ v=TLSv1.3 c=TLS_[A-Z0-9_]+$" "$T/proxy.log" ||
	fail "no TLS 1.3 line: $(grep ' v=' "$T/proxy.log")"
grep -q "^plain v=- c=-$" "$T/proxy.log" || fail "no plain line: $(grep ' v=' "$T/proxy.log")"
wait_count 2 "$T/proxy.log" 'GET /hs'
grep -q ' hs~ hs/<NOSRV> .* "GET /hs HTTP/1.1" 0/0000000000000000/0/0/0 -/TLSv1.2/ECDHE-ECDSA-AES128-GCM-SHA256$' "$T/proxy.log" ||
	fail "no httpslog TLS line: $(grep 'GET /hs' "$T/proxy.log")"
grep -q ' hsplain hsplain/<NOSRV> .* "GET /hsp HTTP/1.1" 0/-/-/-/0 -/-/-$' "$T/proxy.log" ||
	fail "no httpslog plain line: $(grep 'GET /hs' "$T/proxy.log")"
proxy_alive
stop_proxy
exit 0
