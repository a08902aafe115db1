#!/usr/bin/env bash
# Bad input on TLS ports ends one connection, never the process: random
# bytes, truncated and corrupted ClientHellos, a ClientHello followed by
# garbage, an oversized record header, and garbage right after a finished
# handshake, on a mode http and a mode tcp listener; a good request works
# afterwards. PROXY=/usr/sbin/haproxy runs this script unchanged.
. "$(dirname "$0")/lib.sh"

command -v openssl >/dev/null || skip "no openssl command"
command -v curl >/dev/null || skip "no curl command"
command -v python3 >/dev/null || skip "no python3 command"
cd "$T" || fail "cd $T"
cert_self k.pem c.pem /CN=a.test DNS:a.test
cat c.pem k.pem >a.pem

FE_PORT=$(free_port)
TCP_PORT=$(free_port)
BACK_PORT=$(free_port)
cat >p.cfg <<CFG
defaults
    timeout connect 2s
    timeout client 5s
    timeout server 5s
frontend fe
    mode http
    bind 127.0.0.1:$FE_PORT ssl crt $T/a.pem
    http-request return status 200 content-type text/plain lf-string "ok\n"
listen tcpfe
    mode tcp
    bind 127.0.0.1:$TCP_PORT ssl crt $T/a.pem
    server back 127.0.0.1:$BACK_PORT
frontend back
    mode http
    bind 127.0.0.1:$BACK_PORT
    http-request return status 200 content-type text/plain lf-string "ok\n"
CFG
start_proxy p.cfg
wait_listen "$TCP_PORT" 10 || fail "no listener on $TCP_PORT"

N=$(e2e_scale 150 60)
cat >garbage.py <<'PY'
import os, random, socket, ssl, sys
port, n = int(sys.argv[1]), int(sys.argv[2])
random.seed(port)
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
i, o = ssl.MemoryBIO(), ssl.MemoryBIO()
try:
    ctx.wrap_bio(i, o, server_hostname='a.test').do_handshake()
except ssl.SSLWantReadError:
    pass
hello = o.read()

def raw(data):
    try:
        s = socket.create_connection(('127.0.0.1', port), timeout=2)
        s.sendall(data)
        try:
            s.recv(100)
        except OSError:
            pass
        s.close()
    except OSError:
        pass

for _ in range(n):
    k = random.randrange(6)
    if k == 0:
        raw(os.urandom(random.randrange(1, 3000)))
    elif k == 1:
        raw(hello[:random.randrange(1, len(hello))])
    elif k == 2:
        raw(hello + os.urandom(random.randrange(1, 2000)))
    elif k == 3:
        b = bytearray(hello)
        b[random.randrange(len(b))] ^= 0xff
        raw(bytes(b))
    elif k == 4:
        raw(b'\x16\x03\x01\xff\xff' + os.urandom(random.randrange(0, 5000)))
    else:
        try:
            s = socket.create_connection(('127.0.0.1', port), timeout=2)
            t = ctx.wrap_socket(s, server_hostname='a.test')
            t.sendall(b'GET / HTTP/1.1\r\nHost: a\r\n\r\n')
            socket.socket.sendall(t, os.urandom(random.randrange(1, 3000)))
            t.close()
        except (OSError, ssl.SSLError):
            pass
print("sent", n)
PY
for port in "$FE_PORT" "$TCP_PORT"; do
	timeout 120 python3 garbage.py "$port" "$N" >py.log 2>&1 || fail "garbage.py on $port: $(tail -3 py.log)"
	proxy_alive
	out=$(timeout 10 curl -sk "https://127.0.0.1:$port/") || fail "after the garbage on $port: curl exit $?"
	[ "$out" = ok ] || fail "after the garbage on $port: got '$out'"
done
stop_proxy
exit 0
