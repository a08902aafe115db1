#!/usr/bin/env bash
# "-c" checks a configuration: exit 0 and "Configuration file is valid" for a
# good one; exit 1 and one HAProxy-shaped [ALERT] line per error, with the
# file and line, for a bad one; never a crash, whatever the input.
. "$(dirname "$0")/lib.sh"

cd "$T" || fail "cd $T"
ALERT='^\[ALERT\] +\([0-9]+\) : config : '

# check <file> <expected exit>: runs "-c", output in out.txt
check() {
	"$PROXY" -c -f "$1" >out.txt 2>&1
	rc=$?
	[ $rc -eq "$2" ] || fail "-c -f $1: exit $rc, expected $2: $(cat out.txt)"
	grep -Eq 'AddressSanitizer|runtime error:' out.txt && fail "sanitizer report for $1"
	return 0
}
expect_line() { # expect_line <ERE> <what>
	grep -Eq "$1" out.txt || fail "missing $2: wanted /$1/ in: $(cat out.txt)"
}

cat >good.cfg <<'CFG'
global
    maxconn 100
defaults
    mode tcp
    timeout connect 1s
    timeout client 1s
    timeout server 1s
frontend fe
    bind 127.0.0.1:1
    default_backend be
backend be
    balance roundrobin
    server s1 127.0.0.1:2 weight 10
    server s2 127.0.0.1:3 backup
CFG
check good.cfg 0
expect_line '^Configuration file is valid$' "the validity line"

# The configuration Debian's haproxy package installs must be accepted.
if [ -r /etc/haproxy/haproxy.cfg ]; then
	check /etc/haproxy/haproxy.cfg 0
	expect_line '^Configuration file is valid$' "the validity line for /etc/haproxy/haproxy.cfg"
fi

# Several files, and a directory of *.cfg files read in name order: the
# backend is defined in a later file than the frontend using it.
mkdir -p conf.d
printf 'defaults\n    mode tcp\n    timeout connect 1s\n    timeout client 1s\n    timeout server 1s\n' >conf.d/10-defaults.cfg
printf 'frontend fe\n    bind 127.0.0.1:1\n    default_backend be\n' >conf.d/20-fe.cfg
printf 'backend be\n    server s1 127.0.0.1:2\n' >conf.d/30-be.cfg
printf 'this is not a config\n' >conf.d/README
"$PROXY" -c -f conf.d >out.txt 2>&1 || fail "-c -f conf.d: exit $?: $(cat out.txt)"
"$PROXY" -c -f conf.d/10-defaults.cfg -f conf.d/20-fe.cfg -f conf.d/30-be.cfg >out.txt 2>&1 ||
	fail "-c with three -f: exit $?: $(cat out.txt)"
"$PROXY" -c -f conf.d/10-defaults.cfg -f conf.d/20-fe.cfg >out.txt 2>&1 &&
	fail "-c without the backend file: accepted"

cat >bad.cfg <<'CFG'
global
    bogus 1
defaults
    mode tcp
    timeout connect 1s
listen fe
    bind 127.0.0.1:80000
    balance nonsense
    timeout client 10xs
    retries
CFG
check bad.cfg 1
# every error of the file is reported, each with its file:line
expect_line "${ALERT}parsing \\[bad.cfg:2\\] : unknown keyword 'bogus' in 'global' section\$" "line 2 alert"
expect_line "${ALERT}parsing \\[bad.cfg:7\\] : 'bind' : invalid port '80000'\$" "line 7 alert"
expect_line "${ALERT}parsing \\[bad.cfg:8\\] : .*balance" "line 8 alert"
expect_line "${ALERT}parsing \\[bad.cfg:9\\] : unexpected character 'x' in 'timeout client'\$" "line 9 alert"
expect_line "${ALERT}parsing \\[bad.cfg:10\\] : 'retries' expects an integer" "line 10 alert"
expect_line "${ALERT}Fatal errors found in configuration\\.\$" "the final alert"

cat >noback.cfg <<'CFG'
defaults
    mode tcp
    timeout connect 1s
    timeout client 1s
    timeout server 1s
frontend fe
    bind 127.0.0.1:1
    default_backend missing
CFG
check noback.cfg 1
expect_line "${ALERT}Proxy 'fe': unable to find required default_backend: 'missing'\\.\$" "unknown backend alert"

printf 'listen fe\n    bind "127.0.0.1:1\n' >quote.cfg
check quote.cfg 1
expect_line "${ALERT}parsing \\[quote.cfg:2\\] ?: unmatched quote" "unmatched quote alert"

check /nonexistent/x.cfg 1
expect_line "${ALERT}Cannot open configuration file/directory /nonexistent/x.cfg : No such file or directory\$" \
	"missing file alert"

# Garbage never crashes the parser: exit 1 (not a signal), alerts only.
for seed in 1 2 3 4 5; do
	head -c 4000 /dev/urandom >garbage.cfg
	check garbage.cfg 1
	expect_line "$ALERT" "an alert for random bytes"
done
# Keyword soup: valid words in invalid places and arities.
words=(global defaults frontend backend listen bind server mode tcp http timeout connect
	client 1s maxconn retries balance roundrobin use_backend default_backend acl if unless
	tcp-request content accept reject inspect-delay '{' '}' src 127.0.0.1:1 '"' "'" '#' '\')
for seed in $(seq 1 20); do
	RANDOM=$seed
	{
		echo "listen x$seed"
		for l in $(seq 1 30); do
			n=$((RANDOM % 6))
			line=""
			for w in $(seq 0 $n); do line="$line ${words[RANDOM % ${#words[@]}]}"; done
			echo "$line"
		done
	} >soup.cfg
	"$PROXY" -c -f soup.cfg >out.txt 2>&1
	rc=$?
	[ $rc -le 2 ] || fail "keyword soup $seed: exit $rc (crash?): $(tail -5 out.txt)"
	grep -Eq 'AddressSanitizer|runtime error:' out.txt && fail "sanitizer report for soup $seed"
done
exit 0
