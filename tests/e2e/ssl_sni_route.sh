#!/usr/bin/env bash
# SNI routing without terminating TLS: a TCP-mode frontend waits for the
# ClientHello (tcp-request inspect-delay, accept if req.ssl_hello_type 1),
# then picks the backend with req.ssl_sni -m end .a.test / req_ssl_sni -i;
# the TLS servers are two `openssl s_server -www`, each with its own
# certificate, so the certificate the client sees tells which one it
# reached. Also: the same choice made through a map (use_backend
# %[req.ssl_sni,lower,map_dom(...)]) and by a Lua action through txn.f
# (req_ssl_sni), a hello sent in pieces 150 ms apart (the inspect-delay
# waits for all of it), a client that speaks plain text (rejected once the
# delay is over: not a hello), and a client that never sends a byte.
# Expected values are HAProxy 2.6's: PROXY=/usr/sbin/haproxy runs this
# script unchanged.
. "$(dirname "$0")/lib.sh"
[ -n "${E2E_DEBUG:-}" ] && set -x

command -v openssl >/dev/null || skip "no openssl command"
command -v curl >/dev/null || skip "no curl command"
command -v python3 >/dev/null || skip "no python3"
cd "$T" || fail "cd $T"

cert_ca ca /CN=TestCA
for n in srv-a srv-b; do
	cert_sign $n /CN=$n 'DNS:a.test,DNS:*.a.test,DNS:b.test,DNS:*.b.test'
done

start_s_server srv-a.log srv-a.crt srv-a.key -www
PORT_srv_a=$S_SERVER_PORT
start_s_server srv-b.log srv-b.crt srv-b.key -www
PORT_srv_b=$S_SERVER_PORT

cat >route.lua <<'LUA'
core.register_action("pick", { "tcp-req" }, function(txn)
	local sni = txn.f:req_ssl_sni()
	txn:set_var("txn.sni", sni or "none")
	-- HAProxy hands booleans to Lua as integers: ssl_fc is 0 here
	local fc = tostring(txn.f:ssl_fc())
	if fc ~= "0" then txn:set_var("txn.bad", "ssl_fc is " .. fc .. " on a plain connection") end
end)
LUA

FE_PORT=$(free_port)
FE2_PORT=$(free_port)
FE3_PORT=$(free_port)
printf 'a.test be_a\n' >sni.map
cat >p.cfg <<CFG
global
    maxconn 100
    lua-load $T/route.lua
defaults
    mode tcp
    timeout connect 2s
    timeout client 5s
    timeout server 5s
frontend fe
    bind 127.0.0.1:$FE_PORT
    tcp-request inspect-delay 2s
    tcp-request content accept if { req.ssl_hello_type 1 }
    tcp-request content reject
    use_backend be_a if { req.ssl_sni -m end .a.test }
    use_backend be_a if { req_ssl_sni -i a.test }
    default_backend be_b
frontend fe_lua
    bind 127.0.0.1:$FE2_PORT
    tcp-request inspect-delay 2s
    tcp-request content reject unless { req.ssl_hello_type 1 }
    tcp-request content lua.pick
    tcp-request content reject if { var(txn.bad) -m found }
    use_backend be_a if { var(txn.sni) -m end .a.test }
    default_backend be_b
frontend fe_map
    bind 127.0.0.1:$FE3_PORT
    tcp-request inspect-delay 2s
    tcp-request content accept if { req.ssl_hello_type 1 }
    use_backend %[req.ssl_sni,lower,map_dom($T/sni.map,be_b)]
    default_backend be_b
backend be_a
    server a 127.0.0.1:$PORT_srv_a
backend be_b
    server b 127.0.0.1:$PORT_srv_b
CFG
"$PROXY" -c -f p.cfg >check.txt 2>&1 || fail "configuration refused: $(grep -m1 ALERT check.txt)"
start_proxy p.cfg
wait_listen "$FE2_PORT" 10 || fail "second frontend not listening"
wait_listen "$FE3_PORT" 10 || fail "third frontend not listening"

# who <port> <servername|-> [curl args]: the CN of the certificate the client got
who() {
	local port=$1 name=$2
	shift 2
	if [ "$name" = - ]; then
		timeout 10 curl -sv -k "$@" "https://127.0.0.1:$port/" -o body.txt 2>curl.err
	else
		timeout 10 curl -sv -k "$@" --resolve "$name:$port:127.0.0.1" "https://$name:$port/" -o body.txt 2>curl.err
	fi
	sed -n 's/.*subject: CN=\([a-z-]*\).*/\1/p' curl.err | head -1
}

for p in $FE_PORT $FE2_PORT $FE3_PORT; do
	[ "$(who $p www.a.test)" = srv-a ] || fail "port $p: www.a.test did not reach srv-a: $(grep -i -m3 'subject\|error\|reset' curl.err)"
	grep -q 'Ciphers supported' body.txt || fail "port $p: s_server's page did not come through: $(head -c 200 body.txt)"
	[ "$(who $p x.y.a.test --http1.1 --tls-max 1.2)" = srv-a ] || fail "port $p: TLS 1.2 hello for x.y.a.test did not reach srv-a"
	[ "$(who $p www.b.test)" = srv-b ] || fail "port $p: www.b.test did not reach srv-b"
	[ "$(who $p - )" = srv-b ] || fail "port $p: a hello without SNI did not reach the default backend"
done
# req_ssl_sni -i a.test (exact, case-insensitive); ".a.test" suffix does not match "xa.test"
[ "$(who $FE_PORT A.TEST)" = srv-a ] || fail "A.TEST did not reach srv-a (req_ssl_sni -i)"
[ "$(who $FE_PORT xa.test)" = srv-b ] || fail "xa.test reached srv-a: -m end .a.test matched too much"
[ "$(who $FE2_PORT xa.test)" = srv-b ] || fail "lua: xa.test reached srv-a"
[ "$(who $FE3_PORT xa.test)" = srv-b ] || fail "map_dom: xa.test reached srv-a"
[ "$(who $FE3_PORT A.TEST)" = srv-a ] || fail "map_dom: A.TEST (lowered) did not reach srv-a"

# a hello sent in three pieces, 150 ms apart: the inspect-delay waits for it
cat >split.py <<'PY'
import socket, ssl, sys, time
port, ca = int(sys.argv[1]), sys.argv[2]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.load_verify_locations(ca)
ctx.check_hostname = False
inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
obj = ctx.wrap_bio(inc, out, server_hostname="split.a.test")
s = socket.create_connection(("127.0.0.1", port), timeout=5)
try:
    obj.do_handshake()
except ssl.SSLWantReadError:
    pass
hello = out.read()
for a, b in ((0, 3), (3, 60), (60, len(hello))):
    s.sendall(hello[a:b]); time.sleep(0.15)
while True:
    try:
        obj.do_handshake(); break
    except ssl.SSLWantReadError:
        d = out.read()
        if d: s.sendall(d)
        r = s.recv(65536)
        if not r: print("closed"); sys.exit(0)
        inc.write(r)
d = out.read()
if d: s.sendall(d)
print(dict(x[0] for x in obj.getpeercert()["subject"])["commonName"])
PY
got=$(timeout 10 python3 split.py "$FE_PORT" ca.pem 2>&1 | tail -1)
[ "$got" = srv-a ] || fail "hello in pieces: got '$got', expected srv-a"

# plain text is not a hello: rejected (closed without a byte from a server)
got=$(printf 'GET / HTTP/1.0\r\n\r\n' | timeout 10 python3 -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(sys.stdin.buffer.read())
try:
    print(len(s.recv(100)))
except Exception as e:
    print(type(e).__name__)' "$FE_PORT")
case $got in 0|ConnectionResetError) ;; *) fail "plain text: got '$got', expected a close with no data" ;; esac
proxy_alive

# silent client: the connection closes once the inspect-delay ran out (2 s)
t0=$(date +%s%N)
got=$(timeout 10 python3 -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=8)
try:
    print(len(s.recv(100)))
except Exception as e:
    print(type(e).__name__)' "$FE_PORT")
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
case $got in 0|ConnectionResetError) ;; *) fail "silent client: got '$got', expected a close" ;; esac
[ $ms -ge 1500 ] && [ $ms -le 4500 ] || fail "silent client closed after $ms ms, expected about 2000"
proxy_alive
stop_proxy
exit 0
