#!/usr/bin/env bash
# HTTP over TLS against a real nginx, both ends of the TLS code: curl
# https -> "bind ... ssl" (mode http) -> nginx, and curl http -> mode http
# -> "server ... ssl" -> "bind ... ssl" (mode tcp) -> nginx. Through each:
# a download and a WebDAV PUT of HTTP_E2E_MB (64 MiB; 16 under the
# sanitizer) checked by checksum, and keep-alive (several URLs on one
# connection). PROXY=/usr/sbin/haproxy runs this script unchanged.
. "$(dirname "$0")/lib.sh"

command -v nginx >/dev/null || skip "nginx not installed"
command -v curl >/dev/null || skip "curl not installed"
command -v openssl >/dev/null || skip "no openssl command"
cd "$T" || fail "cd $T"

SIZE_MB=${HTTP_E2E_MB:-$(e2e_scale 64 16)}
NG_PORT=$(free_port)
TLS_PORT=$(free_port)
FE_PORT=$(free_port)
DEC_PORT=$(free_port)
mkdir -p www up ng
head -c $((SIZE_MB * 1024 * 1024)) /dev/urandom >www/big.bin || fail "cannot make the payload"
echo "hello from nginx" >www/small.txt
chmod 755 "$T" www && chmod 644 www/* && chmod 777 up ng
cert_self k.pem c.pem /CN=a.test DNS:a.test
cat c.pem k.pem >a.pem

cat >nginx.conf <<EOF
daemon off;
worker_processes 1;
error_log $T/nginx.log warn;
pid $T/ng/nginx.pid;
events { worker_connections 256; }
http {
    access_log off;
    client_body_temp_path $T/ng/body;
    proxy_temp_path $T/ng/proxy;
    fastcgi_temp_path $T/ng/fcgi;
    uwsgi_temp_path $T/ng/uwsgi;
    scgi_temp_path $T/ng/scgi;
    server {
        listen 127.0.0.1:$NG_PORT;
        root $T/www;
        location /up/ {
            root $T;
            dav_methods PUT;
            client_max_body_size 0;
            client_body_buffer_size 1m;
        }
    }
}
EOF
nginx -c "$T/nginx.conf" -p "$T/ng" >nginx.out.log 2>&1 &
E2E_PIDS+=($!)
wait_listen "$NG_PORT" 10 || fail "nginx did not start"

cat >p.cfg <<CFG
global
    maxconn 100
defaults
    mode http
    timeout connect 2s
    timeout client 30s
    timeout server 30s
frontend tlsfe
    bind 127.0.0.1:$TLS_PORT ssl crt $T/a.pem
    default_backend nginx
frontend plainfe
    bind 127.0.0.1:$FE_PORT
    default_backend viatls
backend nginx
    server ng 127.0.0.1:$NG_PORT
backend viatls
    server dec 127.0.0.1:$DEC_PORT ssl verify required ca-file $T/c.pem sni str(a.test)
listen dec
    mode tcp
    bind 127.0.0.1:$DEC_PORT ssl crt $T/a.pem
    server ng 127.0.0.1:$NG_PORT
CFG
start_proxy p.cfg
wait_listen "$TLS_PORT" 10 || fail "no listener on $TLS_PORT"
want=$(sha256sum <www/big.bin | cut -d' ' -f1)

# through <base URL>: download, upload, keep-alive
through() {
	local base=$1 name=$2 got
	shift 2
	got=$(timeout 60 curl -sf "$@" "$base/big.bin" | sha256sum | cut -d' ' -f1)
	[ "$got" = "$want" ] || fail "$name: download checksum differs"
	rm -f up/big.bin
	timeout 60 curl -sf "$@" -T www/big.bin "$base/up/big.bin" -o /dev/null ||
		fail "$name: upload: curl exit $?"
	got=$(sha256sum <up/big.bin | cut -d' ' -f1)
	[ "$got" = "$want" ] || fail "$name: uploaded file checksum differs"
	got=$(timeout 20 curl -sf "$@" "$base/small.txt" "$base/small.txt" "$base/small.txt" | tr '\n' ' ')
	[ "$got" = "hello from nginx hello from nginx hello from nginx " ] || fail "$name: keep-alive: got '$got'"
}
through "https://a.test:$TLS_PORT" termination --cacert c.pem --resolve "a.test:$TLS_PORT:127.0.0.1"
through "http://127.0.0.1:$FE_PORT" origination
proxy_alive
stop_proxy
exit 0
