#!/usr/bin/env bash
# HTTP mode: a client that shuts its write side right after an HTTP/1.1
# request (printf ... | nc style) still receives the whole 4 MB response,
# and the proxy logs it once.
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null || skip "python3 not installed"
SRV_PORT=$(free_port)
FE_PORT=$(free_port)
mkdir -p "$T/www"
head -c 4000000 /dev/urandom >"$T/www/big.bin"
(cd "$T/www" && exec python3 -m http.server --bind 127.0.0.1 "$SRV_PORT" >"$T/server.log" 2>&1) &
E2E_PIDS+=($!)
wait_listen "$SRV_PORT" 10 || fail "python server did not start"

cat >"$T/rp.cfg" <<EOF2
global
    log stdout format raw local0
defaults
    mode http
    log global
    option httplog
    timeout connect 2s
    timeout client 10s
    timeout server 10s
frontend fe
    bind 127.0.0.1:$FE_PORT
    default_backend be
backend be
    server s 127.0.0.1:$SRV_PORT
EOF2
start_proxy "$T/rp.cfg"

got=$(timeout 20 python3 - "$FE_PORT" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
s.shutdown(socket.SHUT_WR)
data = b""
while True:
    b = s.recv(65536)
    if not b:
        break
    data += b
head, _, body = data.partition(b"\r\n\r\n")
print(head.split(b"\r\n")[0].decode(), len(body))
PY
) || fail "client failed"
[ "$got" = "HTTP/1.0 200 OK 4000000" ] || fail "got '$got' instead of the whole response"
proxy_alive
grep -c '"GET /big.bin HTTP/1.1"' "$T/proxy.log" | grep -qx 1 || fail "expected one log line"
stop_proxy
echo "OK"
