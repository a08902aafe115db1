#!/usr/bin/env bash
# Client certificates: "bind ... ca-file verify required|optional" asks for
# one (ssl_c_used, ssl_c_verify, ssl_c_s_dn, and the certificate's issuer,
# serial, SHA-1, DER, dates and version, checked against openssl's reading
# of the same certificate), "server ... crt" presents one
# to a TLS server; without it a server that requires one refuses the
# session (HAProxy: 502 SH, or 503 when it notices during the connect).
# PROXY=/usr/sbin/haproxy runs this script unchanged.
. "$(dirname "$0")/lib.sh"

command -v openssl >/dev/null || skip "no openssl command"
command -v curl >/dev/null || skip "no curl command"
cd "$T" || fail "cd $T"
cert_ca ca /CN=TestCA
cert_sign a /CN=a.test DNS:a.test
cert_sign cl /O=Org/CN=client1

REQ_PORT=$(free_port)
OPT_PORT=$(free_port)
FE_PORT=$(free_port)
DET_PORT=$(free_port)
cat >p.cfg <<CFG
defaults
    mode http
    timeout connect 2s
    timeout client 5s
    timeout server 5s
frontend req
    bind 127.0.0.1:$REQ_PORT ssl crt $T/a.pem ca-file $T/ca.pem verify required
    http-request return status 200 content-type text/plain lf-string "used=%[ssl_c_used] verify=%[ssl_c_verify] dn=%[ssl_c_s_dn] cn=%[ssl_c_s_dn(CN)]\n"
frontend opt
    bind 127.0.0.1:$OPT_PORT ssl crt $T/a.pem ca-file $T/ca.pem verify optional
    http-request return status 200 content-type text/plain lf-string "used=%[ssl_c_used] verify=%[ssl_c_verify] cn=%[ssl_c_s_dn(CN)]\n"
frontend detail
    bind 127.0.0.1:$DET_PORT ssl crt $T/a.pem ca-file $T/ca.pem verify required
    http-request return status 200 content-type text/plain lf-string "i_dn=%[ssl_c_i_dn] i_cn=%[ssl_c_i_dn(CN)] serial=%[ssl_c_serial,hex] sha1=%[ssl_c_sha1,hex] der=%[ssl_c_der,sha1,hex] nb=%[ssl_c_notbefore] na=%[ssl_c_notafter] v=%[ssl_c_version] f_dn=%[ssl_f_s_dn] f_sha1=%[ssl_f_sha1,hex]\n"
frontend front
    bind 127.0.0.1:$FE_PORT
    use_backend %[req.hdr(x-be)]
backend withcrt
    http-response set-header x-srv-cert "%[ssl_s_s_dn] %[ssl_s_i_dn(CN)] %[ssl_s_sha1,hex] %[ssl_s_version]"
    server s 127.0.0.1:$REQ_PORT ssl verify required ca-file $T/ca.pem sni str(a.test) crt $T/cl.pem
backend nocrt
    server s 127.0.0.1:$REQ_PORT ssl verify required ca-file $T/ca.pem sni str(a.test)
CFG
start_proxy p.cfg
wait_listen "$OPT_PORT" 10 || fail "no listener on $OPT_PORT"
get() { # get <port> [curl args]
	local port=$1
	shift
	timeout 10 curl -s --cacert ca.pem --resolve "a.test:$port:127.0.0.1" "$@" "https://a.test:$port/"
}
out=$(get "$REQ_PORT" --cert cl.crt --key cl.key) || fail "required, with a certificate: curl exit $?"
[ "$out" = "used=1 verify=0 dn=/O=Org/CN=client1 cn=client1" ] || fail "required, with a certificate: got '$out'"
get "$REQ_PORT" >/dev/null && fail "required, without a certificate: accepted"
out=$(get "$OPT_PORT") || fail "optional, without a certificate: curl exit $?"
[ "$out" = "used=0 verify=0 cn=" ] || fail "optional, without a certificate: got '$out'"
out=$(get "$OPT_PORT" --cert cl.crt --key cl.key) || fail "optional, with a certificate: curl exit $?"
[ "$out" = "used=1 verify=0 cn=client1" ] || fail "optional, with a certificate: got '$out'"

# the certificate's details, as openssl reads them
x509() { openssl x509 -in "${CRT:-cl.crt}" -noout "$@" | sed 's/^[^=]*=//'; }
stamp() { date -u -d "$(x509 "$1" | sed 's/ GMT$//')" +%y%m%d%H%M%SZ; }
serial=$(x509 -serial | sed 's/^\(00\)*//')
sha1=$(x509 -fingerprint -sha1 | tr -d :)
want="i_dn=/CN=TestCA i_cn=TestCA serial=$serial sha1=$sha1 der=$sha1 nb=$(stamp -startdate) na=$(stamp -enddate) v=$(openssl x509 -in cl.crt -noout -text | sed -n 's/^ *Version: \([0-9]*\).*/\1/p')"
a_sha1=$(CRT=a.crt x509 -fingerprint -sha1 | tr -d :)
want="$want f_dn=/CN=a.test f_sha1=$a_sha1"
out=$(get "$DET_PORT" --cert cl.crt --key cl.key) || fail "details: curl exit $?"
out=$(printf '%s' "$out" | sed 's/serial=\(00\)*/serial=/')
[ "$out" = "$want" ] || fail "certificate details: got '$out', expected '$want'"

hdr=$(timeout 10 curl -s -o /dev/null -D - -H 'x-be: withcrt' "http://127.0.0.1:$FE_PORT/" | tr -d '\r' | sed -n 's/^x-srv-cert: //p')
[ "$hdr" = "/CN=a.test TestCA $a_sha1 3" ] || fail "server certificate details: got '$hdr'"
out=$(timeout 10 curl -s -H 'x-be: withcrt' "http://127.0.0.1:$FE_PORT/")
[ "$out" = "used=1 verify=0 dn=/O=Org/CN=client1 cn=client1" ] || fail "server crt: got '$out'"
st=$(timeout 10 curl -s -o /dev/null -w '%{http_code}' -H 'x-be: nocrt' "http://127.0.0.1:$FE_PORT/")
case "$st" in 502|503) ;; *) fail "server without crt: status $st, expected 502 or 503" ;; esac
proxy_alive
stop_proxy
exit 0
