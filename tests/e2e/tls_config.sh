#!/usr/bin/env bash
# TLS configuration: the errors HAProxy 2.6 gives for bad bind/server TLS
# lines (checked with -c, one per file), then a crt-list whose SNI filters
# replace the certificates' names, strict-sni refusing unknown names,
# ssl-max-ver and ssl-default-bind-options limiting the version, and
# ssl-server-verify none. PROXY=/usr/sbin/haproxy runs this script unchanged.
. "$(dirname "$0")/lib.sh"

command -v openssl >/dev/null || skip "no openssl command"
command -v curl >/dev/null || skip "no curl command"
cd "$T" || fail "cd $T"
cert_ca ca /CN=TestCA
for n in a b; do
	cert_sign $n /CN=$n.test DNS:$n.test,DNS:alias.$n.test
done

DEF='defaults
    mode http
    timeout connect 2s
    timeout client 5s
    timeout server 5s'
# bad <name> <expected message part> <config lines...>: -c must fail with it
bad() {
	local name=$1 want=$2
	shift 2
	{ echo "$DEF"; printf '%s\n' "$@"; } >"$name.cfg"
	"$PROXY" -c -f "$name.cfg" >"$name.out" 2>&1 && fail "$name: -c accepted it"
	grep -q '\[ALERT\]' "$name.out" || fail "$name: no [ALERT]: $(cat "$name.out")"
	grep -qF -- "$want" "$name.out" || fail "$name: wanted '$want', got: $(grep ALERT "$name.out" | head -2)"
}
bad noca "[noca.cfg:7] : 'server be/s1' : verify is enabled by default but no CA file specified. If you're running on a LAN" \
	'backend be' '    server s1 127.0.0.1:1 ssl'
bad noca2 "[noca2.cfg:9] : 'server be/s1' : verify is enabled but no CA file specified." \
	'global' '    ssl-server-verify none' 'backend be' '    server s1 127.0.0.1:1 ssl verify required'
bad nocrt "Proxy 'fe': no SSL certificate specified for bind '127.0.0.1:1' at [nocrt.cfg:7] (use 'crt')." \
	'frontend fe' '    bind 127.0.0.1:1 ssl'
bad nofile "parsing [nofile.cfg:7] : 'bind 127.0.0.1:1' in section 'frontend' : unable to stat SSL certificate from file '$T/none.pem' : No such file or directory." \
	'frontend fe' "    bind 127.0.0.1:1 ssl crt $T/none.pem"
bad keyonly "parsing [keyonly.cfg:7] : 'bind 127.0.0.1:1' in section 'frontend' : unable to load certificate from file '$T/a.key'." \
	'frontend fe' "    bind 127.0.0.1:1 ssl crt $T/a.key"
bad nolist "parsing [nolist.cfg:7] : 'bind 127.0.0.1:1' in section 'frontend' : 'crt-list' : cannot open file '$T/none.lst' : No such file or directory" \
	'frontend fe' "    bind 127.0.0.1:1 ssl crt-list $T/none.lst"
bad badver "parsing [badver.cfg:7] : 'bind 127.0.0.1:1' in section 'frontend' : 'TLSv9' : unknown ssl/tls version" \
	'frontend fe' "    bind 127.0.0.1:1 ssl crt $T/a.pem ssl-min-ver TLSv9"
bad verifynoca "Proxy 'fe': verify is enabled but no CA file specified for bind '127.0.0.1:1' at [verifynoca.cfg:7]." \
	'frontend fe' "    bind 127.0.0.1:1 ssl crt $T/a.pem verify required"
# TLS health checks verify as the server does: the same error without a CA
bad checkssl "[checkssl.cfg:7] : 'server be/s1' : verify is enabled by default but no CA file specified." \
	'backend be' '    server s1 127.0.0.1:1 check check-ssl'
bad connssl "[connssl.cfg:9] : 'server be/s1' : verify is enabled by default but no CA file specified." \
	'backend be' '    option tcp-check' '    tcp-check connect ssl' '    server s1 127.0.0.1:1 check'
# a cipher list naming no cipher at all (HAProxy's messages); one unknown
# name among known ones is accepted, as OpenSSL does
bad badciph "Proxy 'fe': unable to set SSL cipher list to 'FOO:BAR' for bind '127.0.0.1:1' at [badciph.cfg:7]." \
	'frontend fe' "    bind 127.0.0.1:1 ssl crt $T/a.pem ciphers FOO:BAR"
bad badsuite "Proxy 'fe': unable to set TLS 1.3 cipher suites to 'TLS_FOO' for bind '127.0.0.1:1' at [badsuite.cfg:7]." \
	'frontend fe' "    bind 127.0.0.1:1 ssl crt $T/a.pem ciphersuites TLS_FOO"
bad srvciph "[srvciph.cfg:7] : 'server be/s1' : unable to set SSL cipher list to 'FOO'." \
	'backend be' '    server s1 127.0.0.1:1 ssl verify none ciphers FOO'
bad srvsuite "[srvsuite.cfg:7] : 'server be/s1' : unable to set TLS 1.3 cipher suites to 'FOO'." \
	'backend be' '    server s1 127.0.0.1:1 ssl verify none ciphersuites FOO'
bad defciph "Proxy 'fe': unable to set SSL cipher list to 'FOO' for bind '127.0.0.1:1' at [defciph.cfg:9]." \
	'global' '    ssl-default-bind-ciphers FOO' 'frontend fe' "    bind 127.0.0.1:1 ssl crt $T/a.pem"
{ echo "$DEF"; echo 'frontend fe'; echo "    bind 127.0.0.1:1 ssl crt $T/a.pem ciphers FOO:ECDHE-ECDSA-AES128-GCM-SHA256 ciphersuites TLS_AES_128_GCM_SHA256:FOO"; } >okciph.cfg
"$PROXY" -c -f okciph.cfg >okciph.out 2>&1 || fail "okciph: -c refused it: $(grep ALERT okciph.out)"
bad badsni "[badsni.cfg:7] : 'server be/s1' : error detected while parsing sni expression : unknown fetch method 'bogus'" \
	'backend be' '    server s1 127.0.0.1:1 ssl verify none sni bogus(1)'

# a crt-list: the filters replace the names (b.pem answers for "other.test"
# only), strict-sni refuses names nobody has; TLS 1.2 at most on one port
printf '%s\n' "# comment" "$T/a.pem" "$T/b.pem other.test" >list.txt
FE_PORT=$(free_port)
P12=$(free_port)
BE_PORT=$(free_port)
cat >p.cfg <<CFG
global
    ssl-server-verify none
    ssl-default-bind-options no-tlsv13
    log stdout format raw local0
$DEF
    log global
    option httplog
frontend fe
    bind 127.0.0.1:$FE_PORT ssl crt-list $T/list.txt strict-sni ssl-max-ver TLSv1.3 force-tlsv13
    http-request return status 200 content-type text/plain lf-string "sni=%[ssl_fc_sni] proto=%[ssl_fc_protocol]\n"
frontend fe12
    bind 127.0.0.1:$P12 ssl crt $T/a.pem ca-file $T/ca.pem
    http-request return status 200 content-type text/plain lf-string "proto=%[ssl_fc_protocol]\n"
frontend front
    bind 127.0.0.1:$BE_PORT
    default_backend be
backend be
    server s1 127.0.0.1:$P12 ssl
CFG
"$PROXY" -c -f p.cfg >check.txt 2>&1 || fail "p.cfg refused: $(grep ALERT check.txt)"
start_proxy p.cfg
get() { # get <port> <name> [curl args]
	local port=$1 name=$2
	shift 2
	timeout 10 curl -s --cacert ca.pem --resolve "$name:$port:127.0.0.1" "$@" "https://$name:$port/"
}
out=$(get "$FE_PORT" a.test) || fail "a.test: curl exit $?"
[ "$out" = "sni=a.test proto=TLSv1.3" ] || fail "a.test: got '$out'"
out=$(get "$FE_PORT" alias.a.test) || fail "alias.a.test: curl exit $?"
[ "$out" = "sni=alias.a.test proto=TLSv1.3" ] || fail "alias.a.test: got '$out'"
# b.pem is chosen for other.test (curl then refuses it: the name is not in it)
get "$FE_PORT" other.test >/dev/null
rc=$?
[ $rc = 60 ] || fail "other.test: curl exit $rc, expected 60 (b.test's certificate)"
out=$(get "$FE_PORT" other.test -k) || fail "other.test -k: curl exit $?"
[ "$out" = "sni=other.test proto=TLSv1.3" ] || fail "other.test -k: got '$out'"
# b.test is not among the names any more: strict-sni refuses it
get "$FE_PORT" b.test -k >/dev/null && fail "b.test: strict-sni let it in"
# ssl-default-bind-options no-tlsv13: TLS 1.2 here; a ca-file without
# "verify" asks for no client certificate
out=$(get "$P12" a.test) || fail "fe12: curl exit $?"
[ "$out" = "proto=TLSv1.2" ] || fail "fe12: got '$out', expected TLSv1.2"
# ssl-server-verify none: a server line without verify nor CA connects
out=$(timeout 10 curl -s "http://127.0.0.1:$BE_PORT/") || fail "ssl-server-verify none: curl exit $?: $(cat proxy.log)"
[ "$out" = "proto=TLSv1.2" ] || fail "ssl-server-verify none: got '$out'"
proxy_alive
stop_proxy
exit 0
