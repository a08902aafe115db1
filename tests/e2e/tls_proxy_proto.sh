#!/usr/bin/env bash
# The PROXY protocol in front of TLS on the same line: "bind ... ssl
# accept-proxy" reads the header in clear, then the handshake (the
# addresses it carries are the client's); "server ... ssl send-proxy"
# sends the header in clear, then the ClientHello. The chain curl -> enc
# -> dec must show curl's own address and port on dec.
# PROXY=/usr/sbin/haproxy runs this script unchanged.
. "$(dirname "$0")/lib.sh"

command -v openssl >/dev/null || skip "no openssl command"
command -v curl >/dev/null || skip "no curl command"
command -v python3 >/dev/null || skip "no python3 command"
cd "$T" || fail "cd $T"
cert_self k.pem c.pem /CN=a.test DNS:a.test
cat c.pem k.pem >a.pem

FE_PORT=$(free_port)
DEC_PORT=$(free_port)
cat >p.cfg <<CFG
defaults
    mode http
    timeout connect 2s
    timeout client 5s
    timeout server 5s
listen enc
    bind 127.0.0.1:$FE_PORT
    server dec 127.0.0.1:$DEC_PORT ssl verify required ca-file $T/c.pem sni str(a.test) send-proxy
frontend dec
    bind 127.0.0.1:$DEC_PORT ssl crt $T/a.pem accept-proxy
    http-request return status 200 content-type text/plain lf-string "src=%[src]:%[src_port] ssl=%[ssl_fc] sni=%[ssl_fc_sni]\n"
CFG
start_proxy p.cfg
wait_listen "$DEC_PORT" 10 || fail "no listener on $DEC_PORT"

# a header from elsewhere, then TLS on the same connection
cat >pp.py <<PY
import socket, ssl
s = socket.create_connection(('127.0.0.1', $DEC_PORT), timeout=5)
s.sendall(b'PROXY TCP4 192.0.2.7 198.51.100.1 4242 443\r\n')
ctx = ssl.create_default_context(cafile='$T/c.pem')
t = ctx.wrap_socket(s, server_hostname='a.test')
t.sendall(b'GET / HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n')
data = b''
while True:
    d = t.recv(4096)
    if not d:
        break
    data += d
print(data.split(b'\r\n\r\n', 1)[1].decode().strip())
PY
out=$(timeout 10 python3 pp.py 2>py.log) || fail "accept-proxy ssl: python exit $?: $(tail -2 py.log)"
[ "$out" = "src=192.0.2.7:4242 ssl=1 sni=a.test" ] || fail "accept-proxy ssl: got '$out'"

# through the proxy: send-proxy before the ClientHello carries curl's address
local=$(timeout 10 curl -s -o body.txt -w '%{local_ip}:%{local_port}' "http://127.0.0.1:$FE_PORT/") ||
	fail "send-proxy ssl: curl exit $?"
out=$(cat body.txt)
[ "$out" = "src=$local ssl=1 sni=a.test" ] || fail "send-proxy ssl: got '$out', expected curl's src=$local"
proxy_alive
stop_proxy
exit 0
