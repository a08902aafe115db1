#!/usr/bin/env bash
# The session fetches ssl_fc_client_random, ssl_fc_server_random,
# ssl_fc_session_key, ssl_fc_session_id, ssl_fc_unique_id on a TLS 1.2
# session, checked against what the client wrote to its key log (the
# client random and the master secret) and against their sizes (the
# session id is empty when the session goes by ticket, as here).
# PROXY=/usr/sbin/haproxy runs this script against HAProxy 2.6 unchanged.
. "$(dirname "$0")/lib.sh"

command -v openssl >/dev/null || skip "no openssl command"
cd "$T" || fail "cd $T"

cert_self k.pem c.pem /CN=sess.test
cat c.pem k.pem >site.pem

FE_PORT=$(free_port)
cat >p.cfg <<CFG
defaults
    mode http
    timeout connect 2s
    timeout client 5s
    timeout server 5s
frontend tls
    bind 127.0.0.1:$FE_PORT ssl crt $T/site.pem ssl-max-ver TLSv1.2
    http-request return status 200 content-type text/plain lf-string "cr=%[ssl_fc_client_random,hex] sr=%[ssl_fc_server_random,hex] key=%[ssl_fc_session_key,hex] id=%[ssl_fc_session_id,hex] uid=%[ssl_fc_unique_id,hex]\n"
CFG
start_proxy p.cfg

printf 'GET / HTTP/1.0\r\nhost: sess.test\r\n\r\n' |
	timeout 10 openssl s_client -quiet -tls1_2 -keylogfile kl.txt -connect "127.0.0.1:$FE_PORT" \
		>out.txt 2>s_client.log || fail "s_client: $(cat s_client.log)"
line=$(grep '^cr=' out.txt) || fail "no answer: $(cat out.txt)"
note "$line"
read -r _ cr key < <(grep '^CLIENT_RANDOM ' kl.txt) || fail "no key log line: $(cat kl.txt)"
upper() { tr 'a-f' 'A-F'; }
get() { printf '%s\n' "$line" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
[ "$(get cr)" = "$(printf %s "$cr" | upper)" ] || fail "client random $(get cr), the client's is $cr"
[ "$(get key)" = "$(printf %s "$key" | upper)" ] || fail "session key $(get key), the client's master secret is $key"
[ "${#cr}" = 64 ] || fail "key log client random of ${#cr} hex digits"
sr=$(get sr)
[ "${#sr}" = 64 ] && [ "$sr" != "$(get cr)" ] || fail "server random '$sr'"
uid=$(get uid)
[ "${#uid}" = 24 ] || fail "tls-unique of a TLS 1.2 handshake is 12 bytes, got '$uid'"
id=$(get id)
case "${#id}" in 0|64) ;; *) fail "session id '$id'" ;; esac
proxy_alive
stop_proxy
exit 0
