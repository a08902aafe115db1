#!/usr/bin/env bash
# Kernel splicing of TCP forwarding (engine/splice.c), seen from outside:
# 1. bulk both ways at once (splice-auto, the default), every byte checked,
#    the client's half-close passed on after the pipe drained; "show info"
#    counts the spliced bytes, every pipe is back once the transfer is
#    over; the log line counts every byte;
# 2. a soft stop (SIGUSR1) while a spliced transfer is paused: it finishes;
# 3. forced splicing ("option splice-request/response") of slow small
#    traffic: the inactivity timeouts are refreshed by the spliced bytes,
#    then fire once the traffic stops;
# 4. a reader that stalls while the server streams, then goes away: the
#    stream ends with bytes in its pipe, the proxy keeps serving;
# 5. "no option splice-auto" and global "nosplice": nothing spliced;
# 6. a server that sends 8 MiB then resets, to a client that reads late:
#    every byte the proxy received before the reset (some of it in the pipe
#    when the reset is read) still reaches the client, as on the copy path.
. "$(dirname "$0")/lib.sh"

cli() { printf '%s\n' "$1" | timeout 5 socat stdio "unix-connect:$T/s.sock"; }
# (HAProxy 2.6 spells it "TotalSplicdedBytesOut": kept for its scripts)
info() { cli "show info" | sed -n "s/^$1: //p"; }

# write_splice_cfg <file> <global lines> <defaults lines> <listen lines>
write_splice_cfg() {
	cat >"$1" <<CFG
global
    maxconn 4000
    stats socket $T/s.sock level admin
$2
defaults
    mode tcp
    log stdout format raw local0 info
    timeout connect 2s
    timeout client ${TMO:-30s}
    timeout server ${TMO:-30s}
$3
listen fe
    bind 127.0.0.1:$FE_PORT
    log-format "U=%U B=%B ts=%ts"
    server s1 127.0.0.1:$SINK_PORT
$4
CFG
}

# 1. both ways, checksummed, half-close
N=$(e2e_scale $((128 << 20)) $((32 << 20)))
start_sink srv -m gen -n "$N" -s 2002 -r 1001
FE_PORT=$(free_port)
write_splice_cfg "$T/p.cfg" "" "" ""
start_proxy "$T/p.cfg"
[ "$(info Maxpipes)" = 1000 ] || fail "Maxpipes: $(info Maxpipes), expected maxconn/4"
run_blast -a "127.0.0.1:$FE_PORT" -n "$N" -s 1001 -r 2002 -R "$N" -X -S -t 50
note "$BLAST_OUT"
[ $BLAST_RC -eq 0 ] || fail "client: exit $BLAST_RC: $BLAST_OUT $(cat "$T/blast.log")"
wait_line "$T/srv.out" "close rx=$N tx=$N verify=ok" || fail "server side: $(cat "$T/srv.out")"
# the stream has ended once it is logged
wait_line "$T/proxy.log" "U=$N B=$N ts=--" || fail "log line: $(grep U= "$T/proxy.log")"
SPL=$(info TotalSplicdedBytesOut)
note "spliced $SPL of $((2 * N)) bytes"
# all but what came before each direction switched: how much that is
# depends on timing (a loaded machine, ASan), so only most of it is required
[ "$SPL" -ge "$N" ] && [ "$SPL" -le $((2 * N)) ] ||
	fail "TotalSplicdedBytesOut $SPL for 2 x $N bytes"
[ "$(info PipesUsed)" = 0 ] || fail "PipesUsed $(info PipesUsed) after the transfer"
# pipes are held only while they hold bytes: back in the pool now
[ "$(info PipesFree)" -ge 1 ] || fail "PipesFree $(info PipesFree), expected the pipes back"
# the proxy's byte counters (show stat bin, bout) count the spliced bytes too
ST=$(cli "show stat" | awk -F, '$1 == "fe" && $2 == "FRONTEND" { print $9, $10 }')
[ "$ST" = "$N $N" ] || fail "show stat FRONTEND bin bout: $ST, expected $N $N"
proxy_alive

# 2. soft stop during a paused spliced transfer (splicing forced: whether
# splice-auto switches before the pause depends on timing, slower under ASan)
N2=$(e2e_scale $((32 << 20)) $((8 << 20)))
kill "$SINK_PID"
start_sink srv2 -m gen -n "$N2" -s 31 -r 13
write_splice_cfg "$T/p.cfg" "" "" "    option splice-request
    option splice-response"
stop_proxy
start_proxy "$T/p.cfg"
timeout 30 "$TOOLS/blast" -a "127.0.0.1:$FE_PORT" -n "$N2" -s 13 -r 31 -R "$N2" -X -S -M 1500 -t 20 \
	>"$T/blast2.out" 2>"$T/blast2.log" &
BPID=$!
E2E_PIDS+=("$BPID")
wait_grep "$T/blast2.out" '^paused' || fail "transfer did not start: $(cat "$T/blast2.out" "$T/blast2.log")"
spliced() { [ "$(info TotalSplicdedBytesOut)" -gt 0 ]; }
wait_for 10 spliced || fail "not spliced before the soft stop"
kill -USR1 "$PROXY_PID"
wait "$BPID"
rc=$?
[ $rc -eq 0 ] || fail "spliced transfer broken by the soft stop: exit $rc: $(cat "$T/blast2.out" "$T/blast2.log")"
wait_line "$T/srv2.out" "close rx=$N2 tx=$N2 verify=ok" || fail "server side: $(cat "$T/srv2.out")"
wait_gone "$PROXY_PID" 10 || fail "proxy still running 10 s after its last stream ended"
wait "$PROXY_PID"
[ $? -eq 0 ] || fail "proxy exit status after the soft stop"

# 3. forced splicing of slow traffic, timeouts of 700 ms: 10 echoes 250 ms
# apart keep the stream alive for 2.5 s, then the idle stream times out
kill "$SINK_PID"
start_sink echo -m echo
FE_PORT=$(free_port)
TMO=700ms write_splice_cfg "$T/p3.cfg" "" "" "    option splice-request
    option splice-response"
start_proxy "$T/p3.cfg"
python3 - "$FE_PORT" >"$T/slow.out" 2>&1 <<'PY' || fail "slow echo: $(cat "$T/slow.out")"
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.settimeout(3)
for i in range(10):
    msg = bytes([65 + i]) * 200
    s.sendall(msg)
    got = b""
    while len(got) < 200:
        d = s.recv(200 - len(got))
        if not d:
            sys.exit("closed after %d messages" % i)
        got += d
    if got != msg:
        sys.exit("message %d: wrong bytes" % i)
    time.sleep(0.25)
t0 = time.time()
if s.recv(1) != b"":
    sys.exit("bytes after the exchange")
idle = time.time() - t0
if not 0.35 < idle < 1.5:
    sys.exit("closed after %.2f s idle, timeouts are 700 ms" % idle)
print("ok idle=%.2f" % idle)
PY
note "$(cat "$T/slow.out")"
wait_for 10 grep -Eqx "U=2000 B=2000 ts=[cs]D" "$T/proxy.log" || fail "log line: $(grep U= "$T/proxy.log")"
SPL=$(info TotalSplicdedBytesOut)
[ "$SPL" -ge 3000 ] || fail "forced splicing: TotalSplicdedBytesOut $SPL of 4000"
stop_proxy

# 4. the client stalls while the server streams, then gives up (its
# unread bytes make its close a reset): the stream ends with a full pipe
kill "$SINK_PID"
start_sink gen4 -m gen -n $((256 << 20)) -s 4
write_splice_cfg "$T/p4.cfg" "" "" ""
start_proxy "$T/p4.cfg"
timeout 30 "$TOOLS/blast" -a "127.0.0.1:$FE_PORT" -n 10 -P 10000 -t 4 >"$T/blast4.out" 2>&1 &
BPID=$!
E2E_PIDS+=("$BPID")
# the stalled direction's pipe holds bytes the client does not take (until
# the client gives up after 4 s)
pipes_used() { [ "$(info PipesUsed)" = "$1" ]; }
wait_for 3 pipes_used 1 || fail "stalled download: PipesUsed $(info PipesUsed), expected its full pipe"
wait "$BPID"
rc=$?
[ $rc -eq 3 ] || fail "stalled reader: expected a client timeout (3), got $rc: $(cat "$T/blast4.out")"
wait_for 10 pipes_used 0 || fail "PipesUsed $(info PipesUsed) after the stream ended"
# the pipe that still held bytes was closed, not kept
[ "$(info PipesFree)" = 0 ] || fail "PipesFree $(info PipesFree) after a stream ended with a full pipe"
proxy_alive
stop_proxy

# 5. splicing turned off: by "no option splice-auto" in defaults, by nosplice
kill "$SINK_PID"
N5=$(e2e_scale $((16 << 20)) $((4 << 20)))
start_sink srv5 -m gen -n "$N5" -s 5 -r 6
write_splice_cfg "$T/p5.cfg" "" "    no option splice-auto" ""
start_proxy "$T/p5.cfg"
run_blast -a "127.0.0.1:$FE_PORT" -n "$N5" -s 6 -r 5 -R "$N5" -X -S -t 30
[ $BLAST_RC -eq 0 ] || fail "no splice-auto: exit $BLAST_RC: $BLAST_OUT"
[ "$(info TotalSplicdedBytesOut)" = 0 ] || fail "no option splice-auto: $(info TotalSplicdedBytesOut) bytes spliced"
[ "$(info PipesFree)" = 0 ] || fail "no option splice-auto: a pipe was made"
stop_proxy
kill "$SINK_PID"
start_sink srv6 -m gen -n "$N5" -s 5 -r 6
write_splice_cfg "$T/p6.cfg" "    nosplice" "" "    option splice-request"
start_proxy "$T/p6.cfg"
[ "$(info Maxpipes)" = 0 ] || fail "nosplice: Maxpipes $(info Maxpipes)"
run_blast -a "127.0.0.1:$FE_PORT" -n "$N5" -s 6 -r 5 -R "$N5" -X -S -t 30
[ $BLAST_RC -eq 0 ] || fail "nosplice: exit $BLAST_RC: $BLAST_OUT"
[ "$(info TotalSplicdedBytesOut)" = 0 ] || fail "nosplice: $(info TotalSplicdedBytesOut) bytes spliced"
stop_proxy

# 6. server reset after its bytes, client reading late
kill "$SINK_PID"
RP=$(free_port)
python3 - "$RP" >"$T/rst.out" 2>&1 <<'PY' &
import socket, struct, sys, time
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("127.0.0.1", int(sys.argv[1]))); l.listen(4)
c, _ = l.accept()
c.sendall(bytes(range(256)) * (8 << 12))      # 8 MiB
time.sleep(0.3)
c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
c.close()                                     # RST
print("sent")
time.sleep(5)
PY
E2E_PIDS+=($!)
wait_listen "$RP" 10 || fail "reset server did not start"
SINK_PORT=$RP
write_splice_cfg "$T/p7.cfg" "" "" ""
start_proxy "$T/p7.cfg"
run_blast -a "127.0.0.1:$FE_PORT" -n 1 -P 1500 -t 10
note "$BLAST_OUT"
[ $BLAST_RC -eq 0 ] || fail "server reset: client exit $BLAST_RC: $BLAST_OUT $(cat "$T/blast.log")"
# the server's kernel drops what it had not sent yet; every byte the proxy
# received (B, in the log) reaches the client
RX=$(sed -n 's/.* rx=\([0-9]*\) .*/\1/p' <<<"$BLAST_OUT")
wait_for 10 grep -Eqx "U=1 B=$RX ts=SD" "$T/proxy.log" || fail "client got $RX bytes; log line: $(grep U= "$T/proxy.log")"
[ "$RX" -gt $((1 << 20)) ] || fail "server reset: only $RX bytes"
[ "$(info TotalSplicdedBytesOut)" -gt 0 ] || fail "the reset server's bytes were not spliced"
proxy_alive
stop_proxy
exit 0
