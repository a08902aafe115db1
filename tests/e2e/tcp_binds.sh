#!/usr/bin/env bash
# Listener address forms: a comma-separated list, ":port" (every IPv4
# address), "[::1]:port" (IPv6), "ipv4@" prefix, a port range; every listener
# forwards to the same echo server.
. "$(dirname "$0")/lib.sh"

start_sink echo -m echo
P1=$(free_port); P2=$(free_port); P3=$(free_port); P4=$(free_port); P5=$(free_port)
for i in $(seq 1 50); do   # two consecutive free ports for the range
	R0=$(free_port)
	R1=$((R0 + 1))
	ss -Htan "( sport = :$R1 or dport = :$R1 )" | grep -q . || break
done
v6=0
[ -f /proc/net/if_inet6 ] && grep -q '^00000000000000000000000000000001 ' /proc/net/if_inet6 && v6=1
FE_PORT=$P1
{
	printf 'defaults\n    mode tcp\n    timeout connect 2s\n    timeout client 10s\n    timeout server 10s\n'
	printf 'listen fe\n'
	printf '    bind 127.0.0.1:%s,127.0.0.1:%s\n' "$P1" "$P2"
	printf '    bind :%s\n' "$P3"
	printf '    bind ipv4@127.0.0.1:%s\n' "$P4"
	printf '    bind 127.0.0.1:%s-%s\n' "$R0" "$R1"
	[ $v6 = 1 ] && printf '    bind [::1]:%s\n' "$P5"
	printf '    server s1 127.0.0.1:%s\n' "$SINK_PORT"
} >"$T/p.cfg"
start_proxy "$T/p.cfg"

for p in "$P1" "$P2" "$P3" "$P4" "$R0" "$R1"; do
	wait_listen "$p" 10 || fail "nothing listens on $p: $(cat "$T/p.cfg")"
	run_blast -a "127.0.0.1:$p" -n 5000 -E -R 5000 -t 5
	[ $BLAST_RC -eq 0 ] || fail "port $p: exit $BLAST_RC: $BLAST_OUT"
done
if [ $v6 = 1 ]; then
	# bash's /dev/tcp resolves ::1 as IPv6
	exec 3<>"/dev/tcp/::1/$P5" || fail "cannot connect to [::1]:$P5"
	printf 'hello-v6' >&3
	IFS= read -r -t 3 -N 8 got <&3
	exec 3>&-
	[ "$got" = hello-v6 ] || fail "[::1]:$P5 echoed '$got'"
else
	note "no IPv6 loopback: [::1] listener not tested"
fi
proxy_alive
stop_proxy
exit 0
