#!/usr/bin/env bash
# HTTP mode under bad input: 3000 connections carrying mutated requests
# (bytes flipped, inserted, deleted, truncated; pipelined; half-closed;
# reset) against a python backend. The proxy must stay up, answer a valid
# request afterwards and, under the sanitizer build, report nothing.
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null || skip "python3 not installed"
N=$(e2e_scale 1500 300)
SRV_PORT=$(free_port)
FE_PORT=$(free_port)
mkdir -p "$T/www"
echo "fine" >"$T/www/index.html"
(cd "$T/www" && exec python3 -m http.server --bind 127.0.0.1 "$SRV_PORT" >"$T/server.log" 2>&1) &
E2E_PIDS+=($!)
wait_listen "$SRV_PORT" 10 || fail "python server did not start"
cat >"$T/rp.cfg" <<EOF2
defaults
    mode http
    timeout connect 1s
    timeout client 1s
    timeout server 1s
    timeout http-request 300ms
frontend fe
    bind 127.0.0.1:$FE_PORT
    default_backend be
backend be
    server s 127.0.0.1:$SRV_PORT
EOF2
start_proxy "$T/rp.cfg"
cat >"$T/fuzz.py" <<'PY'
import socket, random, sys, time
port = int(sys.argv[1]); random.seed(int(sys.argv[2]))
base = [b"GET / HTTP/1.1\r\nHost: a\r\n\r\n", b"POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello",
        b"POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
        b"GET / HTTP/1.0\r\n\r\n", b"HEAD / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n\r\n"]
for i in range(int(sys.argv[3])):
    m = b"".join(random.choice(base) for _ in range(random.randint(1, 4)))
    m = bytearray(m)
    for _ in range(random.randint(0, 4)):
        op = random.random()
        p = random.randrange(len(m) + 1)
        if op < 0.3 and m: m[p % len(m)] = random.randrange(256)
        elif op < 0.6: m[p:p] = bytes(random.randrange(256) for _ in range(random.randint(1, 8)))
        else: del m[p:p + random.randint(1, 8)]
    if random.random() < 0.3: m = m[:random.randrange(len(m) + 1)]
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=2)
        s.sendall(bytes(m))
        if random.random() < 0.5: s.shutdown(socket.SHUT_WR)
        if random.random() < 0.7:
            try: s.recv(65536)
            except Exception: pass
        if random.random() < 0.2:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        s.close()
    except Exception as e:
        pass
print("done")
PY
for seed in 1 2; do
	timeout 120 python3 "$T/fuzz.py" "$FE_PORT" "$seed" "$N" >/dev/null || fail "fuzz client failed (seed $seed)"
	proxy_alive
done
out=$(timeout 10 curl -sS "http://127.0.0.1:$FE_PORT/index.html") || fail "no answer after the bad input"
[ "$out" = fine ] || fail "unexpected answer '$out'"
stop_proxy
echo "OK"
