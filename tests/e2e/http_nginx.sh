#!/usr/bin/env bash
# HTTP mode against a real nginx: curl GETs with keep-alive (several URLs on
# one connection), HEAD, a 404 passed through, a chunked download
# (nginx's addition module makes it chunked) and a chunked upload (WebDAV
# PUT) of 256 MiB each by default (HTTP_E2E_MB; 32 MiB under the sanitizer)
# with checksums, then wrk
# with keep-alive; the proxy must stay up and log one line per request.
. "$(dirname "$0")/lib.sh"

command -v nginx >/dev/null || skip "nginx not installed"
command -v curl >/dev/null || skip "curl not installed"

# 1 GiB each way passes (about 55 s here, mostly checksums and disk): HTTP_E2E_MB=1024
SIZE_MB=${HTTP_E2E_MB:-$(e2e_scale 256 32)}
NG_PORT=$(free_port)
FE_PORT=$(free_port)
mkdir -p "$T/www" "$T/up" "$T/ng"
head -c $((SIZE_MB * 1024 * 1024)) /dev/urandom >"$T/www/big.bin" || fail "cannot make the payload"
echo "tail-of-body" >"$T/www/tail.txt"
echo "hello from nginx" >"$T/www/small.txt"
# nginx's workers may run as another user
chmod 755 "$T" "$T/www" && chmod 644 "$T/www"/* && chmod 777 "$T/up" "$T/ng"

cat >"$T/nginx.conf" <<EOF
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
    keepalive_requests 100000;
    server {
        listen 127.0.0.1:$NG_PORT;
        root $T/www;
        location /chunked/ {
            alias $T/www/;
            add_after_body /tail.txt;
            addition_types *;
        }
        location /up/ {
            root $T;
            dav_methods PUT;
            client_max_body_size 0;
            client_body_buffer_size 1m;
        }
    }
}
EOF
nginx -c "$T/nginx.conf" -p "$T/ng" >"$T/nginx.out.log" 2>&1 &
E2E_PIDS+=($!)
wait_listen "$NG_PORT" 10 || fail "nginx did not start"

cat >"$T/rp.cfg" <<EOF
global
    log stdout format raw local0
defaults
    mode http
    log global
    option httplog
    timeout connect 2s
    timeout client 20s
    timeout server 20s
frontend fe
    bind 127.0.0.1:$FE_PORT
    default_backend be
backend be
    server ng 127.0.0.1:$NG_PORT
EOF
start_proxy "$T/rp.cfg"
U=http://127.0.0.1:$FE_PORT

# keep-alive: three URLs on one connection (curl reuses it)
out=$(timeout 20 curl -sS -v "$U/small.txt" "$U/small.txt" "$U/nope" 2>"$T/curl1.log") ||
	fail "curl keep-alive run failed"
[ "$(printf '%s' "$out" | grep -c 'hello from nginx')" = 2 ] || fail "small.txt not served twice: $out"
grep -q 'Re-using existing connection' "$T/curl1.log" || fail "curl did not reuse the connection"
code=$(timeout 10 curl -s -o /dev/null -w '%{http_code}' "$U/nope") || fail "curl 404"
[ "$code" = 404 ] || fail "expected 404, got $code"
hdr=$(timeout 10 curl -sS -I "$U/small.txt") || fail "HEAD failed"
printf '%s' "$hdr" | grep -qi '^content-length: 17' || fail "HEAD lost Content-Length: $hdr"

# chunked download, checksum
want=$(cat "$T/www/big.bin" "$T/www/tail.txt" | sha256sum | cut -d' ' -f1)
timeout 60 curl -sS -D "$T/dl.hdr" -o "$T/dl.bin" "$U/chunked/big.bin" || fail "chunked download failed"
grep -qi '^transfer-encoding: chunked' "$T/dl.hdr" || fail "download was not chunked: $(cat "$T/dl.hdr")"
got=$(sha256sum <"$T/dl.bin" | cut -d' ' -f1)
[ "$got" = "$want" ] || fail "chunked download checksum differs"
rm -f "$T/dl.bin"

# chunked upload, checksum of what nginx stored
want=$(sha256sum <"$T/www/big.bin" | cut -d' ' -f1)
code=$(timeout 60 curl -sS -o /dev/null -w '%{http_code}' -H 'Transfer-Encoding: chunked' \
	-T "$T/www/big.bin" "$U/up/big.bin") || fail "chunked upload failed"
case $code in 201|204) ;; *) fail "upload answered $code" ;; esac
got=$(sha256sum <"$T/up/big.bin" | cut -d' ' -f1)
[ "$got" = "$want" ] || fail "chunked upload checksum differs"
rm -f "$T/up/big.bin" "$T/www/big.bin"

# wrk: keep-alive GETs, no error
if command -v wrk >/dev/null; then
	timeout 20 wrk -t1 -c8 -d2s "$U/small.txt" >"$T/wrk.log" 2>&1 || fail "wrk failed"
	grep -q 'Non-2xx\|Socket errors' "$T/wrk.log" && fail "wrk saw errors: $(cat "$T/wrk.log")"
	reqs=$(awk '/requests in/ {print $1}' "$T/wrk.log")
	[ "${reqs:-0}" -gt 100 ] || fail "wrk made only ${reqs:-0} requests"
	note "wrk: $reqs requests in 2 s"
fi
proxy_alive
# one httplog line per request, the 404 and the upload among them
grep -q ' 404 [0-9]* - - ---- .*"GET /nope HTTP/1.1"' "$T/proxy.log" || fail "no log line for the 404"
grep -q '"PUT /up/big.bin HTTP/1.1"' "$T/proxy.log" || fail "no log line for the upload"
stop_proxy
echo "OK"
