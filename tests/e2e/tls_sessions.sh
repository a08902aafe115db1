#!/usr/bin/env bash
# TLS sessions, both ends, and what is logged when a handshake fails:
# - a client coming back resumes its session (ssl_fc_is_resumed), and so
#   does the proxy towards a TLS server (ssl_bc_is_resumed);
# - a client offering h2 is served (ringproxy answers over http/1.1: it
#   does not offer h2 in mode http);
# - a server whose certificate has expired, with verify required: 503;
# - a failed handshake, a connection closed during the handshake and a
#   client that stays silent are each logged with HAProxy's line
#   "<ip>:<port> [<date>] fe/<bind>: <reason>", "option dontlognull" hiding
#   the silent ones. PROXY=/usr/sbin/haproxy runs this script unchanged.
. "$(dirname "$0")/lib.sh"

command -v openssl >/dev/null || skip "no openssl command"
command -v curl >/dev/null || skip "no curl command"
command -v python3 >/dev/null || skip "no python3 command"
cd "$T" || fail "cd $T"

cert_ca ca /CN=TestCA
cert_sign a /CN=a.test DNS:a.test
# an expired certificate for the same name: "openssl ca" can backdate
printf '[ca]\ndefault_ca=d\n[d]\ndir=.\ndatabase=index.txt\nnew_certs_dir=.\nserial=serial\ndefault_md=sha256\npolicy=p\ncopy_extensions=copy\n[p]\ncommonName=supplied\n' >ca.cnf
touch index.txt && echo 01 >serial
cert_run req $E2E_EC -keyout old.key -out old.csr -subj /CN=a.test -addext subjectAltName=DNS:a.test
cert_run ca -batch -config ca.cnf -cert ca.pem -keyfile ca.key -in old.csr -out old.crt \
	-startdate 20200101000000Z -enddate 20200201000000Z -notext
cat old.crt old.key >old.pem

FE_PORT=$(free_port)
TLS_PORT=$(free_port)
OLD_PORT=$(free_port)
NULL_PORT=$(free_port)
cat >p.cfg <<CFG
global
    maxconn 100
    log stdout format raw local0
defaults
    mode http
    log global
    option httplog
    timeout connect 2s
    timeout client 2s
    timeout server 5s
frontend fe
    bind 127.0.0.1:$FE_PORT
    use_backend %[req.hdr(x-be)]
    default_backend tls
backend tls
    option httpclose
    http-response set-header x-bc "%[ssl_bc] %[ssl_bc_is_resumed]"
    server s1 127.0.0.1:$TLS_PORT ssl verify required ca-file $T/ca.pem sni str(a.test)
backend bysni
    http-reuse always
    http-response set-header x-bc "%[ssl_bc] %[ssl_bc_is_resumed]"
    server s1 127.0.0.1:$TLS_PORT ssl verify none sni req.hdr(x-name)
backend old
    server s1 127.0.0.1:$OLD_PORT ssl verify required ca-file $T/ca.pem sni str(a.test)
frontend tlsfe
    bind 127.0.0.1:$TLS_PORT ssl crt $T/a.pem alpn h2,http/1.1 name tls
    http-request return status 200 content-type text/plain lf-string "resumed=%[ssl_fc_is_resumed] sni=%[ssl_fc_sni]\n"
frontend oldfe
    bind 127.0.0.1:$OLD_PORT ssl crt $T/old.pem
    http-request return status 200
frontend nullfe
    bind 127.0.0.1:$NULL_PORT ssl crt $T/a.pem
    option dontlognull
    http-request return status 200
CFG
if ! "$PROXY" -c -f p.cfg >check.txt 2>&1; then
	skip "the proxy refuses this configuration: $(grep -m1 ALERT check.txt)"
fi
start_proxy p.cfg
wait_listen "$TLS_PORT" 10 || fail "no listener on $TLS_PORT"

# the client resumes: two requests, the server closes after each
out=$(timeout 10 curl -s --http1.1 --cacert ca.pem --resolve "a.test:$TLS_PORT:127.0.0.1" \
	-H 'Connection: close' "https://a.test:$TLS_PORT/" "https://a.test:$TLS_PORT/" | tr '\n' ' ')
[ "$out" = "resumed=0 sni=a.test resumed=1 sni=a.test " ] || fail "client resumption: got '$out'"

# an h2-capable client is served
hdr=$(timeout 10 curl -s --http2 --cacert ca.pem --resolve "a.test:$TLS_PORT:127.0.0.1" \
	-o body.txt -w '%{http_code} %{http_version}' "https://a.test:$TLS_PORT/")
case "$hdr" in 200\ 1.1) ;; 200\ 2) [ "$(basename "$PROXY")" = haproxy ] || fail "h2 negotiated: $hdr" ;;
*) fail "h2-capable client: got '$hdr'" ;; esac
[ "$(cat body.txt)" = "resumed=0 sni=a.test" ] || fail "h2-capable client: body '$(cat body.txt)'"

# the proxy resumes its session with the TLS server on the next connection
get() { # get <backend>: "<status> <x-bc>"
	timeout 10 curl -s -o /dev/null -D hdr.txt -H "x-be: $1" "http://127.0.0.1:$FE_PORT/"
	printf '%s %s' "$(sed -n '1s/^HTTP\/[0-9.]* \([0-9]*\).*/\1/p' hdr.txt | tr -d '\r')" \
		"$(sed -n 's/^x-bc: //Ip' hdr.txt | tr -d '\r')"
}
out=$(get tls)
[ "$out" = "200 1 0" ] || fail "first server connection: got '$out', expected '200 1 0'"
sleep 0.2
out="$(get tls),$(sleep 0.2; get tls),$(sleep 0.2; get tls)"
note "server connections 2-4: $out"
# HAProxy keeps the session it has at the end of the handshake, before the
# TLS 1.3 ticket comes: it resumes from the third connection on
[ "${out##*,}" = "200 1 1" ] || fail "later server connections: got '$out', expected '200 1 1' (resumed)"

# "sni req.hdr(x-name)": each request gets a connection with its own name,
# even with "http-reuse always" (idle connections are not shared across names)
n1=$(timeout 10 curl -s -H 'x-be: bysni' -H 'x-name: a.test' "http://127.0.0.1:$FE_PORT/" | sed 's/.* //')
n2=$(timeout 10 curl -s -H 'x-be: bysni' -H 'x-name: b.test' "http://127.0.0.1:$FE_PORT/" | sed 's/.* //')
[ "$n1,$n2" = "sni=a.test,sni=b.test" ] || fail "sni per request: got '$n1,$n2'"

# the server's certificate expired: verification fails, 503
out=$(get old)
[ "${out%% *}" = 503 ] || fail "expired server certificate: got '$out', expected 503"
# logged as a connection failure after the retries (SC), as HAProxy does
wait_grep proxy.log ' fe old/s1 [0-9/-]+ 503 [0-9]+ - - SC-- ' ||
	fail "no 503 SC-- log line for the expired certificate: $(grep old/ proxy.log)"

# what a failed handshake logs
timeout 5 curl -s "http://127.0.0.1:$TLS_PORT/" >/dev/null          # plain HTTP to a TLS port
timeout 5 curl -s "https://127.0.0.1:$TLS_PORT/" >/dev/null         # unknown CA: the client aborts
python3 -c "import socket; s=socket.create_connection(('127.0.0.1',$TLS_PORT)); s.close()"
python3 -c "import socket; s=socket.create_connection(('127.0.0.1',$NULL_PORT)); s.close()"
# silent for 4 s: "timeout client 2s" ends it first, even on a loaded machine
python3 -c "import socket,time; s=socket.create_connection(('127.0.0.1',$TLS_PORT)); time.sleep(4); s.close()"
L='127\.0\.0\.1:[0-9]+ \[[0-9]{2}/[A-Z][a-z]{2}/[0-9]{4}:[0-9:.]{12}\]'
wait_count 4 proxy.log "^$L tlsfe/tls: "
n=$(grep -Ec "^$L tlsfe/tls: SSL handshake failure$" proxy.log)
[ "$n" = 2 ] || fail "expected 2 'tlsfe/tls: SSL handshake failure' lines, got $n: $(grep tlsfe/ proxy.log)"
grep -Eq "^$L tlsfe/tls: Connection closed during SSL handshake$" proxy.log ||
	fail "no 'Connection closed during SSL handshake' line: $(grep tlsfe/ proxy.log)"
grep -Eq "^$L tlsfe/tls: Timeout during SSL handshake$" proxy.log ||
	fail "no 'Timeout during SSL handshake' line: $(grep tlsfe/ proxy.log)"
grep -q 'nullfe/' proxy.log && fail "dontlognull: a silent connection was logged: $(grep nullfe/ proxy.log)"
proxy_alive
stop_proxy
exit 0
