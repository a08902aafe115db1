#!/usr/bin/env bash
# The TLS session fetches on live connections: a frontend terminating TLS
# (bind ssl crt, verify optional with a CA, alpn h2,http/1.1) returns its
# ssl_fc* / ssl_c_* values, a plain frontend returns the same fetches
# (HAProxy: ssl_fc 0, has_sni 0, is_resumed 0, the rest not found), and a
# backend originating TLS (server ssl) reports ssl_bc* in a response
# header. Lua's txn.f sees the same values. "server ... sni ssl_fc_sni"
# passes the client's name on, verified against the server's certificate.
# The lines are compared with what HAProxy 2.6 gives:
# PROXY=/usr/sbin/haproxy runs this script unchanged.
. "$(dirname "$0")/lib.sh"
[ -n "${E2E_DEBUG:-}" ] && set -x

command -v openssl >/dev/null || skip "no openssl command"
command -v curl >/dev/null || skip "no curl command"
cd "$T" || fail "cd $T"

cert_ca ca /CN=TestCA
cert_sign a /CN=a.test DNS:a.test
cert_sign client '/C=FR/O=Org/OU=a/OU=b/CN=client2'

cat >f.lua <<'LUA'
core.register_action("lf", { "http-req" }, function(txn)
  local v = { txn.f:ssl_fc(), txn.f:ssl_fc_sni(), txn.f:ssl_fc_protocol(), txn.f:ssl_c_s_dn("CN") }
  for i = 1, 4 do v[i] = tostring(v[i]) end
  txn:set_var("txn.lua", table.concat(v, " "))
end)
LUA

# a value not found is empty in lf-string; Lua shows it as nil
F='fc=%[ssl_fc] sni=%[ssl_fc_sni] hassni=%[ssl_fc_has_sni] proto=%[ssl_fc_protocol] alpn=%[ssl_fc_alpn] keysize=%[ssl_fc_use_keysize] resumed=%[ssl_fc_is_resumed] cused=%[ssl_c_used] crt=%[ssl_fc_has_crt] cverify=%[ssl_c_verify] dn=%[ssl_c_s_dn] cn=%[ssl_c_s_dn(cn)] ou=%[ssl_c_s_dn(OU,-1)] rfc=%[ssl_c_s_dn(,0,rfc2253)] cipherlen=%[ssl_fc_cipher,length] lua=%[var(txn.lua)]'
B='bc=%[ssl_bc] proto=%[ssl_bc_protocol] alpn=%[ssl_bc_alpn] keysize=%[ssl_bc_use_keysize] resumed=%[ssl_bc_is_resumed] cipherlen=%[ssl_bc_cipher,length]'
P1=$(free_port); P2=$(free_port); P3=$(free_port); P4=$(free_port); P5=$(free_port); P6=$(free_port)
FE_PORT=$P1
cat >p.cfg <<CFG
global
    maxconn 100
    lua-load $T/f.lua
defaults
    mode http
    timeout connect 2s
    timeout client 5s
    timeout server 5s
frontend plain
    bind 127.0.0.1:$P1
    http-request lua.lf
    http-request return status 200 content-type text/plain lf-string "$F\n"
frontend tls
    bind 127.0.0.1:$P2 ssl crt $T/a.pem ca-file $T/ca.pem verify optional alpn h2,http/1.1
    http-request lua.lf
    http-request return status 200 content-type text/plain lf-string "$F\n"
frontend to_tls
    bind 127.0.0.1:$P3
    use_backend be_tls
backend be_tls
    http-response set-header x-bc "$B"
    server s1 127.0.0.1:$P5 ssl verify required ca-file $T/ca.pem sni str(a.test) alpn http/1.1
frontend to_plain
    bind 127.0.0.1:$P4
    use_backend be_plain
backend be_plain
    http-response set-header x-bc "$B"
    server s1 127.0.0.1:$P1
frontend origin
    bind 127.0.0.1:$P5 ssl crt $T/a.pem alpn http/1.1
    http-request return status 200 content-type text/plain lf-string "origin sni=%[ssl_fc_sni]\n"
frontend sni_passing
    bind 127.0.0.1:$P6 ssl crt $T/a.pem
    default_backend be_sni
backend be_sni
    server s1 127.0.0.1:$P5 ssl verify required ca-file $T/ca.pem sni ssl_fc_sni
CFG
if ! "$PROXY" -c -f p.cfg >check.txt 2>&1; then
	skip "the proxy refuses this configuration: $(grep -m1 ALERT check.txt)"
fi
start_proxy p.cfg
for p in $P2 $P3 $P4 $P5 $P6; do wait_listen $p 10 || fail "port $p not listening"; done

# expect <what> <got> <expected>
expect() { [ "$2" = "$3" ] || fail "$1:
  got      '$2'
  expected '$3'"; }
# the cipher name's length depends on the suite chosen: checked non-zero, then dropped
nocipher() { sed 's/ cipherlen=[1-9][0-9]*//'; }

got=$(timeout 10 curl -s "http://127.0.0.1:$P1/")
expect plain "$got" "fc=0 sni= hassni=0 proto= alpn= keysize= resumed=0 cused= crt= cverify= dn= cn= ou= rfc= cipherlen= lua=0 nil nil nil"

got=$(timeout 10 curl -s --http1.1 --cacert ca.pem --cert client.pem --resolve "a.test:$P2:127.0.0.1" "https://a.test:$P2/" | nocipher)
expect "TLS 1.3, SNI, http/1.1, client certificate" "$got" "fc=1 sni=a.test hassni=1 proto=TLSv1.3 alpn=http/1.1 keysize=256 resumed=0 cused=1 crt=1 cverify=0 dn=/C=FR/O=Org/OU=a/OU=b/CN=client2 cn=client2 ou=b rfc=CN=client2,OU=b,OU=a,O=Org,C=FR lua=1 a.test TLSv1.3 client2"

got=$(timeout 10 curl -s -k --http1.1 --tls-max 1.2 --ciphers ECDHE-ECDSA-AES128-GCM-SHA256 "https://127.0.0.1:$P2/" | nocipher)
expect "TLS 1.2, no SNI, http/1.1, no certificate" "$got" "fc=1 sni= hassni=0 proto=TLSv1.2 alpn=http/1.1 keysize=128 resumed=0 cused=0 crt=0 cverify=0 dn= cn= ou= rfc= lua=1 nil TLSv1.2 nil"

# a resumed TLS 1.2 session (session id / ticket), through openssl s_client
printf 'GET / HTTP/1.0\r\n\r\n' | timeout 10 openssl s_client -connect "127.0.0.1:$P2" -tls1_2 -noservername -sess_out sess.pem -quiet >/dev/null 2>&1
got=$(printf 'GET / HTTP/1.0\r\n\r\n' | timeout 10 openssl s_client -connect "127.0.0.1:$P2" -tls1_2 -noservername -sess_in sess.pem -quiet 2>/dev/null | grep -o 'resumed=[01]')
expect "TLS 1.2 resumption" "$got" "resumed=1"

got=$(timeout 10 curl -s -D - -o /dev/null "http://127.0.0.1:$P3/" | sed -n 's/^x-bc: //Ip' | tr -d '\r' | nocipher)
expect "backend over TLS" "$got" "bc=1 proto=TLSv1.3 alpn=http/1.1 keysize=256 resumed=0"
got=$(timeout 10 curl -s -D - -o /dev/null "http://127.0.0.1:$P4/" | sed -n 's/^x-bc: //Ip' | tr -d '\r')
expect "plain backend" "$got" "bc=0 proto= alpn= keysize= resumed=0 cipherlen="

# the client's server name passed on to the server (server ... sni
# ssl_fc_sni), checked there against the certificate (verify required)
got=$(timeout 10 curl -s -k --resolve "a.test:$P6:127.0.0.1" "https://a.test:$P6/")
expect "sni ssl_fc_sni" "$got" "origin sni=a.test"
got=$(timeout 10 curl -s -k -o /dev/null -w '%{http_code}' --resolve "b.test:$P6:127.0.0.1" "https://b.test:$P6/")
expect "sni ssl_fc_sni, a name the certificate does not cover" "$got" "503"
proxy_alive
stop_proxy
exit 0
