#!/usr/bin/env bash
# Health check keywords refused as HAProxy 2.6 refuses them: "-c" on a
# configuration with one mistake per line gives, line for line, the
# [ALERT] HAProxy prints (checked with /usr/sbin/haproxy when installed),
# and a good one with every check form loads.
. "$(dirname "$0")/lib.sh"

cd "$T" || fail "cd $T"

cat >bad.cfg <<'CFG'
defaults
    mode http
    timeout connect 1s
    timeout client 1s
    timeout server 1s
frontend f
    bind 127.0.0.1:8080
    monitor-uri
    monitor fail
    monitor fail if { nosuch }
    default_backend b
backend b
    option pgsql-check
    option mysql-check user
    option mysql-check user x post-99
    option redis-check extra
    tcp-check expect
    tcp-check expect string
    tcp-check expect min-recv 3
    tcp-check set-var(check.x)
    http-check send hdr
    http-check expect hdr
    http-check expect status
    server s1 127.0.0.1:9 check agent-check agent-port 1 agent-inter 0
CFG

cat >want.txt <<'TXT'
parsing [bad.cfg:8] : 'monitor-uri' expects an URI.
parsing [bad.cfg:9] : 'monitor fail' requires either 'if' or 'unless' followed by a condition.
parsing [bad.cfg:10] : error detected while parsing a 'monitor fail' condition : unknown fetch method 'nosuch' in ACL expression 'nosuch'.
parsing [bad.cfg:13] : 'option pgsql-check' expects 'user <username>' as argument.
parsing [bad.cfg:14] : 'option mysql-check user' expects <username> as argument.
parsing [bad.cfg:15] : keyword 'user' only supports 'post-41' and 'pre-41' (got 'post-99').
parsing [bad.cfg:16] : 'option redis-check' cannot handle unexpected argument 'extra'.
parsing [bad.cfg:17] : 'tcp-check expect' : expects at least a matching pattern as arguments.
parsing [bad.cfg:18] : 'tcp-check expect' : 'string' expects a <pattern> as argument.
parsing [bad.cfg:19] : 'tcp-check expect' : pattern not found.
parsing [bad.cfg:20] : 'tcp-check set-var(check.x)' : 'set-var' : missing fetch method.
parsing [bad.cfg:21] : 'http-check send' : 'hdr' expects <name> and <value> as arguments.
parsing [bad.cfg:22] : 'http-check expect' : 'hdr' expects at the name keyword as first argument followed by a pattern.
parsing [bad.cfg:23] : 'http-check expect' : 'status' expects a <pattern> as argument.
[bad.cfg:24] : 'server b/s1' : invalid value 0 for argument 'agent-inter' of server s1.
TXT

# the alerts of <binary> on bad.cfg, without the pid and the final summary
alerts() {
	"$1" -c -f bad.cfg 2>&1 | sed -n 's/^\[ALERT\] *([0-9]*) : config : //p' |
		grep -v -e '^Error(s) found' -e '^Fatal errors' -e '^Errors found'
}

alerts "$PROXY" >got.txt
grep -Eq 'AddressSanitizer|runtime error:' got.txt && fail "sanitizer report"
diff want.txt got.txt >diff.log || fail "alerts differ: $(cat diff.log)"
"$PROXY" -c -f bad.cfg >/dev/null 2>&1 && fail "-c accepted bad.cfg"

if [ -x /usr/sbin/haproxy ]; then
	# HAProxy ends the agent-inter line with "..": compare the rest
	alerts /usr/sbin/haproxy | sed 's/s1\.\.$/s1./' >ref.txt
	diff want.txt ref.txt >ref.log || fail "HAProxy's alerts are not the expected ones: $(cat ref.log)"
fi

cat >good.cfg <<'CFG'
defaults
    mode tcp
    timeout connect 1s
    timeout client 1s
    timeout server 1s
frontend f
    mode http
    bind 127.0.0.1:8080
    monitor-uri /alive
    monitor fail unless { nbsrv(b1) gt 0 }
    default_backend b1
backend b1
    mode http
    option tcp-check
    tcp-check comment "redis with auth"
    tcp-check set-var(check.pw) str(secret)
    tcp-check connect port 6379
    tcp-check send-lf "AUTH %[var(check.pw)]\r\n"
    tcp-check expect min-recv 3 error-status L7STS on-error "%[res.payload(0,0),cut_crlf]" string +OK
    tcp-check send-binary 50494e470d0a
    tcp-check expect ! rbinary ^2d
    server s1 127.0.0.1:9 check agent-check agent-port 9999 agent-send "ready?\n" agent-inter 1s
backend b2
    option smtpchk EHLO a.example
    server s 127.0.0.1:9 check
backend b3
    mode http
    option httpchk GET /health HTTP/1.1
    http-check send hdr Host a.example body "x"
    http-check send-state
    http-check disable-on-404
    http-check expect status 200-299
    http-check expect hdr name -m beg x-app value -m reg ^v[0-9]+$
    http-check expect ! string error
    server s 127.0.0.1:9 check
backend b4
    option mysql-check user probe post-41
    server s 127.0.0.1:9 check
backend b5
    option spop-check
    server s 127.0.0.1:9 check
CFG
"$PROXY" -c -f good.cfg >good.out 2>&1 || fail "good.cfg refused: $(cat good.out)"
grep -q 'Configuration file is valid' good.out || fail "no 'Configuration file is valid': $(cat good.out)"
if [ -x /usr/sbin/haproxy ]; then
	/usr/sbin/haproxy -c -f good.cfg >ref.out 2>&1 || fail "HAProxy refuses good.cfg: $(cat ref.out)"
fi
echo "PASS"
