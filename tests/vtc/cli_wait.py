#!/usr/bin/env python3
# cli_wait.py <addr> <port> <command> <regex> [secs]: sends <command> to the
# stats socket at <addr>:<port> every 50 ms until its answer matches <regex>
# (Python re, searched), for up to <secs> (10) seconds. Exits 0 once it
# matched, else prints the last answer and exits 1. For vtcs that must wait
# for the proxy to have processed something (a close, a check) before an
# exact "haproxy -cli" expectation: a loaded machine takes its time.
import re, socket, sys, time

addr, port, cmd, rx = sys.argv[1], int(sys.argv[2]), sys.argv[3], re.compile(sys.argv[4])
end = time.time() + (float(sys.argv[5]) if len(sys.argv) > 5 else 10)
last = ""
while True:
    try:
        s = socket.create_connection((addr, port), timeout=5)
        s.sendall(cmd.encode() + b"\n")
        chunks = []
        while True:
            d = s.recv(65536)
            if not d:
                break
            chunks.append(d)
        s.close()
        last = b"".join(chunks).decode(errors="replace")
        if rx.search(last):
            sys.exit(0)
    except OSError as e:
        last = str(e)
    if time.time() > end:
        print("cli_wait: no match for %r in the answer to %r:\n%s" % (sys.argv[4], cmd, last))
        sys.exit(1)
    time.sleep(0.05)
