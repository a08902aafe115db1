#!/usr/bin/env bash
# TLS termination (bind ... ssl crt <dir> alpn ...): the client's SNI picks the
# certificate (curl verifies it against the test CA), a one-label wildcard
# matches, an unknown name gets the first certificate, TLS 1.2 and 1.3 both
# work, the ssl_fc* fetches say what was negotiated, and plain HTTP sent to
# the TLS port ends that connection only. The expected values are HAProxy
# 2.6's: PROXY=/usr/sbin/haproxy runs this script against it unchanged.
. "$(dirname "$0")/lib.sh"

command -v openssl >/dev/null || skip "no openssl command"
command -v curl >/dev/null || skip "no curl command"
cd "$T" || fail "cd $T"

# certificates, made here and removed with $T
mkdir -p crt
cert_ca ca /CN=TestCA
cert_sign a /CN=a.test 'DNS:a.test,DNS:*.wild.test' && cp a.pem crt/a.pem
cert_sign b /CN=b.test DNS:b.test && cp b.crt crt/b.pem && cp b.key crt/b.pem.key

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
    bind 127.0.0.1:$FE_PORT ssl crt $T/crt alpn h2,http/1.1
    http-request return status 200 content-type text/plain lf-string "ssl=%[ssl_fc] sni=%[ssl_fc_sni] proto=%[ssl_fc_protocol] alpn=%[ssl_fc_alpn] cipher=%[ssl_fc_cipher]\n"
CFG
if ! "$PROXY" -c -f p.cfg >check.txt 2>&1; then
	skip "the proxy refuses this configuration: $(grep -m1 ALERT check.txt)"
fi
start_proxy p.cfg

# get <name> [curl args]: a GET over TLS with SNI <name>; body on stdout
get() {
	local name=$1
	shift
	timeout 10 curl -s --http1.1 --cacert ca.pem --resolve "$name:$FE_PORT:127.0.0.1" "$@" \
		"https://$name:$FE_PORT/"
}
expect() { # expect <what> <ERE> <text>
	[[ $3 =~ $2 ]] || fail "$1: got '$3', wanted /$2/"
}

out=$(get a.test) || fail "a.test: curl exit $?"
expect "a.test" '^ssl=1 sni=a\.test proto=TLSv1\.3 alpn=http/1\.1 cipher=TLS_[A-Z0-9_]+$' "$out"

# b.test is only valid for the second certificate: curl's verification
# proves the SNI choice
out=$(get b.test) || fail "b.test: curl exit $? (wrong certificate?)"
expect "b.test" '^ssl=1 sni=b\.test proto=TLSv1\.3 ' "$out"
out=$(get x.wild.test) || fail "x.wild.test: curl exit $?"
expect "wildcard" ' sni=x\.wild\.test ' "$out"

# an unknown name gets the default (first) certificate, which curl refuses
get unknown.test >/dev/null
rc=$?
[ $rc -eq 60 ] || fail "unknown.test: curl exit $rc, expected 60 (certificate refused)"
out=$(get unknown.test -k) || fail "unknown.test -k: curl exit $?"
expect "unknown.test -k" ' sni=unknown\.test ' "$out"

# TLS 1.2: OpenSSL-style cipher names
out=$(get a.test --tls-max 1.2) || fail "TLS 1.2: curl exit $?"
expect "TLS 1.2" '^ssl=1 sni=a\.test proto=TLSv1\.2 alpn=http/1\.1 cipher=ECDHE-ECDSA-[A-Z0-9-]+$' "$out"

# plain HTTP on the TLS port: that connection ends, no HTTP answer
reply=$(timeout 10 curl -s --max-time 5 "http://127.0.0.1:$FE_PORT/")
rc=$?
[ $rc -ne 0 ] || fail "plain HTTP on the TLS port: curl exit 0 ('$reply')"
[[ $reply == *ssl=* ]] && fail "plain HTTP got an answer: $reply"
proxy_alive
out=$(get a.test) || fail "after the plain-HTTP connection: curl exit $?"

stop_proxy
exit 0
