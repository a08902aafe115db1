#!/usr/bin/env bash
# TLS towards servers (server ... ssl verify required ca-file <f> sni <expr>):
# a server whose certificate the CA signed for the SNI name answers; one
# checked under another name, or with verify required against an unknown CA,
# gets the client a 503; verify none accepts it; ssl_bc/ssl_bc_protocol say
# what the server connection negotiated. The backend is `openssl s_server
# -www`. The expected values are HAProxy 2.6's: PROXY=/usr/sbin/haproxy runs
# this script against it unchanged.
. "$(dirname "$0")/lib.sh"

command -v openssl >/dev/null || skip "no openssl command"
command -v curl >/dev/null || skip "no curl command"
cd "$T" || fail "cd $T"

cert_ca ca /CN=TestCA
cert_ca other /CN=OtherCA
cert_sign a /CN=a.test DNS:a.test

# the TLS server
start_s_server srv.log a.crt a.key -www
SRV_PORT=$S_SERVER_PORT

FE_PORT=$(free_port)
cat >p.cfg <<CFG
global
    maxconn 100
defaults
    mode http
    timeout connect 2s
    timeout client 5s
    timeout server 5s
frontend fe
    bind 127.0.0.1:$FE_PORT
    use_backend %[req.hdr(x-be)]
    default_backend good
backend good
    http-response set-header x-bc "%[ssl_bc] %[ssl_bc_protocol]"
    server s1 127.0.0.1:$SRV_PORT ssl verify required ca-file $T/ca.pem sni str(a.test)
backend wrongname
    server s1 127.0.0.1:$SRV_PORT ssl verify required ca-file $T/ca.pem sni str(b.test)
backend wrongca
    server s1 127.0.0.1:$SRV_PORT ssl verify required ca-file $T/other.pem sni str(a.test)
backend noverify
    server s1 127.0.0.1:$SRV_PORT ssl verify none sni str(b.test)
CFG
if ! "$PROXY" -c -f p.cfg >check.txt 2>&1; then
	skip "the proxy refuses this configuration: $(grep -m1 ALERT check.txt)"
fi
start_proxy p.cfg

# req <backend>: "<status> <x-bc header>" of a GET through <backend>
req() {
	timeout 10 curl -s -o body.txt -D hdr.txt -H "x-be: $1" "http://127.0.0.1:$FE_PORT/"
	local st bc
	st=$(sed -n '1s/^HTTP\/[0-9.]* \([0-9]*\).*/\1/p' hdr.txt | tr -d '\r')
	bc=$(sed -n 's/^x-bc: //Ip' hdr.txt | tr -d '\r')
	echo "$st $bc"
}

out=$(req good)
[ "$out" = "200 1 TLSv1.3" ] || fail "good: got '$out', expected '200 1 TLSv1.3'"
grep -q 'TLSv1.3' body.txt || fail "s_server's page does not show the session: $(head -c 300 body.txt)"
out=$(req wrongname)
[ "${out%% *}" = 503 ] || fail "wrong SNI name with verify required: got '$out', expected 503"
out=$(req wrongca)
[ "${out%% *}" = 503 ] || fail "unknown CA with verify required: got '$out', expected 503"
out=$(req noverify)
[ "${out%% *}" = 200 ] || fail "verify none: got '$out', expected 200"
proxy_alive
stop_proxy
exit 0
