#!/usr/bin/env bash
# Lua's Socket.connect_ssl: an http-request action connects over TLS to
# `openssl s_server -www`, sends a request, reads the whole answer and
# hands back the status line and the protocol s_server reports; the
# frontend returns that. HAProxy's form (address, port; no verification,
# no server name) runs on HAProxy 2.6 too (PROXY=/usr/sbin/haproxy). The
# options table (sni, verify, ca_file, alpn) is a ringproxy extension,
# checked only on ringproxy: a good name verifies, a wrong name or an
# unknown CA fails with "SSL handshake failed: ...", a plain-text server
# fails the handshake without taking the process down. A second call on the
# same thread resumes the TLS session (s_server says "Reused"). A server
# that never answers the hello times out (settimeout) and is disconnected.
# Sockets still held by sleeping tasks at exit are closed (no leak).
# Answers larger than the socket's receive channel ("*a" and receive(n) of
# 3 MB, a 100,000-byte line) come through byte-exact.
# Skipped (77) while the connections cannot speak TLS (conn_tls_start).
. "$(dirname "$0")/lib.sh"
[ -n "${E2E_DEBUG:-}" ] && set -x

command -v openssl >/dev/null || skip "no openssl command"
command -v curl >/dev/null || skip "no curl command"
cd "$T" || fail "cd $T"

cert_ca ca /CN=TestCA
cert_ca other /CN=OtherCA
cert_sign a /CN=a.test DNS:a.test

start_s_server srv.log a.crt a.key -www
SRV_PORT=$S_SERVER_PORT
# a file server over TLS (s_server -WWW serves the files of its directory)
mkdir www && awk 'BEGIN { for (i = 0; i < 196608; i++) print "0123456789abcde" }' >www/big.txt
awk 'BEGIN { s = "xxxxxxxxxx"; while (length(s) < 100000) s = s s; printf "%s\r\ntail\n", substr(s, 1, 100000) }' >www/line.txt
start_s_server -C www www.log ../a.crt ../a.key -WWW
WWW_PORT=$S_SERVER_PORT
# a plain-text server: answers a line and closes
start_sink plain -m gen -n 64
PLAIN_PORT=$SINK_PORT
# a server that takes the ClientHello and never answers
start_sink silent -m eof
SILENT_PORT=$SINK_PORT
CLOSED_PORT=$(free_port)

is_rp=0
"$PROXY" -v 2>&1 | grep -qi ringproxy && is_rp=1

cat >sock.lua <<LUA
local opts = {
  sni_ok = { sni = "a.test", verify = "required", ca_file = "$T/ca.pem" },
  sni_bad = { sni = "b.test", verify = "required", ca_file = "$T/ca.pem" },
  ca_bad = { sni = "a.test", verify = "required", ca_file = "$T/other.pem" },
  alpn = { alpn = "http/1.1" },
}
core.register_action("tls_get", { "http-req" }, function(txn)
  local port = tonumber(txn.sf:req_hdr("x-port"))
  local mode = txn.sf:req_hdr("x-mode")
  local s = core.tcp()
  s:settimeout(tonumber(txn.sf:req_hdr("x-timeout")) or 5)
  local ok, err
  if mode and mode ~= "" then
    ok, err = s:connect_ssl("127.0.0.1", port, opts[mode])
  else
    ok, err = s:connect_ssl("127.0.0.1", port)
  end
  if not ok then
    txn:set_var("txn.res", "ERR " .. tostring(err))
    return
  end
  local sent, serr = s:send("GET / HTTP/1.0\r\n\r\n")
  if not sent then
    txn:set_var("txn.res", "ERR send " .. tostring(serr))
    s:close()
    return
  end
  local body, rerr, partial = s:receive("*a")
  s:close()
  body = body or partial or ""
  local status = body:match("^(HTTP/1%.0 %d+)") or ("no status (" .. tostring(rerr) .. ")")
  local proto = body:match("Protocol%s*:%s*(%S+)") or "?"
  local reused = body:match("\n(%a+), TLSv") or "?"
  txn:set_var("txn.res", "OK " .. status .. " " .. proto .. " " .. reused)
end)
-- large answers from "s_server -WWW", more than a receive channel holds:
-- x-mode a: "*a" of a 3 MB file; n: receive(3145728) of it; l: "*l" of a
-- 100,000-byte line ending in CR LF, then the next line
core.register_action("tls_big", { "http-req" }, function(txn)
  local mode = txn.sf:req_hdr("x-mode")
  local s = core.tcp()
  s:settimeout(10)
  local ok, err = s:connect_ssl("127.0.0.1", tonumber(txn.sf:req_hdr("x-port")))
  if not ok then txn:set_var("txn.res", "ERR " .. tostring(err)) return end
  s:send("GET /" .. (mode == "l" and "line.txt" or "big.txt") .. " HTTP/1.0\r\n\r\n")
  local hdr = s:receive("*l")
  repeat local l = s:receive("*l") until not l or l == ""
  local res
  if mode == "l" then
    local l1, e1 = s:receive("*l")
    local l2, e2 = s:receive("*l")
    res = tostring(l1 and #l1) .. " " .. tostring(l1 == string.rep("x", 100000)) .. " " .. tostring(l2)
  else
    local body, rerr, partial
    if mode == "n" then body, rerr, partial = s:receive(3145728)
    else body, rerr, partial = s:receive("*a") end
    body = body or partial or ""
    local want = string.rep("0123456789abcde\n", 196608)
    res = #body .. " " .. (body == want and "same" or "DIFFERENT") .. " " .. tostring(rerr)
  end
  s:close()
  txn:set_var("txn.res", tostring(hdr) .. " " .. res)
end)
LUA

FE_PORT=$(free_port)
cat >p.cfg <<CFG
global
    maxconn 100
    lua-load $T/sock.lua
defaults
    mode http
    timeout connect 2s
    timeout client 10s
    timeout server 10s
frontend fe
    bind 127.0.0.1:$FE_PORT
    http-request lua.tls_big if { path /big }
    http-request lua.tls_get unless { path /big }
    http-request return status 200 content-type text/plain lf-string "%[var(txn.res)]\n"
CFG
"$PROXY" -c -f p.cfg >check.txt 2>&1 || fail "configuration refused: $(grep -m1 ALERT check.txt)"
start_proxy p.cfg

# get <port> [mode]: the action's result line
get() {
	timeout 15 curl -s -H "x-port: $1" -H "x-mode: ${2:-}" -H "x-timeout: ${TMO:-5}" "http://127.0.0.1:$FE_PORT/"
}

out=$(get "$SRV_PORT")
case $out in
*"SSL is not supported by this build's connections"*)
	skip "connections do not speak TLS yet (conn_tls_start returns -ENOTSUP)" ;;
esac
# s_server's page says "New, TLSv1.3..." or "Reused, TLSv1.3..."
[ "$out" = "OK HTTP/1.0 200 TLSv1.3 New" ] || fail "connect_ssl: got '$out', expected 'OK HTTP/1.0 200 TLSv1.3 New'"
# a second one on the same thread resumes the session (HAProxy 2.6 does
# too, but not every time: its TLS 1.3 ticket may come after it saved the
# session)
out=$(get "$SRV_PORT")
if [ $is_rp = 1 ]; then
	[ "$out" = "OK HTTP/1.0 200 TLSv1.3 Reused" ] || fail "second connect_ssl: got '$out', expected a resumed session"
else
	case $out in "OK HTTP/1.0 200 TLSv1.3 "*) ;; *) fail "second connect_ssl: got '$out'" ;; esac
fi

if [ $is_rp = 1 ]; then
	out=$(get "$SRV_PORT" sni_ok)
	[ "$out" = "OK HTTP/1.0 200 TLSv1.3 New" ] || fail "verify required, right name: got '$out'"
	out=$(get "$SRV_PORT" sni_bad)
	[ "$out" = "ERR SSL handshake failed: hostname mismatch" ] || fail "verify required, wrong name: got '$out'"
	out=$(get "$SRV_PORT" ca_bad)
	case $out in "ERR SSL handshake failed: "?*) ;; *) fail "verify required, unknown CA: got '$out'" ;; esac
	out=$(get "$SRV_PORT" alpn)
	[ "$out" = "OK HTTP/1.0 200 TLSv1.3 New" ] || fail "alpn option: got '$out'"
fi
# answers larger than a receive channel, byte-exact (HAProxy 2.6's Lua
# socket stalls on them: ringproxy only)
if [ $is_rp = 1 ]; then
	out=$(timeout 30 curl -s -H "x-port: $WWW_PORT" -H "x-mode: a" "http://127.0.0.1:$FE_PORT/big")
	[ "$out" = "HTTP/1.0 200 ok 3145728 same nil" ] || fail "receive('*a') of 3 MB over connect_ssl: got '$out'"
	out=$(timeout 30 curl -s -H "x-port: $WWW_PORT" -H "x-mode: n" "http://127.0.0.1:$FE_PORT/big")
	[ "$out" = "HTTP/1.0 200 ok 3145728 same nil" ] || fail "receive(3145728) over connect_ssl: got '$out'"
	out=$(timeout 30 curl -s -H "x-port: $WWW_PORT" -H "x-mode: l" "http://127.0.0.1:$FE_PORT/big")
	[ "$out" = "HTTP/1.0 200 ok 100000 true tail" ] || fail "receive('*l') of a 100,000-byte line: got '$out'"
fi
# not TLS on the other side: an error for this call only
out=$(get "$PLAIN_PORT")
case $out in ERR\ ?*) ;; *) fail "plain-text server: got '$out', expected an error" ;; esac
# a server that never answers the hello: the socket's timeout ends the
# handshake, and the connection is closed (the server sees it go)
out=$(TMO=0.5 get "$SILENT_PORT")
# (HAProxy 2.6 says "Can't connect" for every failure, ringproxy "timeout")
if [ $is_rp = 1 ]; then want="ERR timeout"; else want="ERR Can't connect"; fi
[ "$out" = "$want" ] || fail "silent server: got '$out', expected '$want'"
wait_grep silent.out '^close' || fail "the timed-out TLS connection was not closed"
out=$(get "$CLOSED_PORT")
case $out in "ERR "?*) ;; *) fail "closed port: got '$out', expected an error" ;; esac
proxy_alive
out=$(get "$SRV_PORT")
case $out in "OK HTTP/1.0 200 TLSv1.3 "*) ;; *) fail "after the failures: got '$out'" ;; esac
stop_proxy

# sockets still held by tasks when the process stops (one TLS, one plain,
# connected, the tasks asleep): closed with the loop, nothing leaks (the
# sanitizer build checks) and the exit is clean
start_sink held -m eof
cat >hold.lua <<LUA
core.register_task(function()
  local s = core.tcp()
  local ok, err = s:connect_ssl("127.0.0.1", $SRV_PORT)
  core.Alert("held tls: " .. tostring(ok) .. " " .. tostring(err))
  core.sleep(60)
end)
core.register_task(function()
  local s = core.tcp()
  local ok, err = s:connect("127.0.0.1", $SINK_PORT)
  core.Alert("held tcp: " .. tostring(ok) .. " " .. tostring(err))
  core.sleep(60)
end)
LUA
sed -i "s#lua-load $T/sock.lua#&\\n    lua-load $T/hold.lua#" p.cfg
start_proxy p.cfg
wait_count 2 "$T/proxy.log" 'held (tls|tcp): 1 nil' ||
	fail "the tasks did not connect: $(grep held "$T/proxy.log")"
stop_proxy
exit 0
