#!/usr/bin/env python3
"""lua_client.py: a raw TCP client for the lua_*.vtc tests, which need to
check exact bytes (varnishtest's raw client can only count them).

  lua_client.py HOST PORT [--send S] [--shut] [--expect S | --expect-len N]
                [--contains S] [--min-time SEC] [--max-time SEC] [--pause SEC]

Sends S (Python escapes allowed: \\n, \\x00...), optionally shuts its write
side, reads until the server closes (5 s at most), then checks what it got
and how long it took. Exits 0 when every check holds, 1 otherwise (saying
why on stdout), 2 when it cannot connect."""
import argparse
import socket
import sys
import time


def unescape(s):
    return s.encode("latin1").decode("unicode_escape").encode("latin1")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("host")
    p.add_argument("port", type=int)
    p.add_argument("--send", default="")
    p.add_argument("--send-repeat", type=int, default=1)
    p.add_argument("--shut", action="store_true")
    p.add_argument("--pause", type=float, default=0.0)
    p.add_argument("--expect")
    p.add_argument("--expect-len", type=int)
    p.add_argument("--contains", action="append", default=[])
    p.add_argument("--min-time", type=float)
    p.add_argument("--max-time", type=float)
    a = p.parse_args()

    t0 = time.monotonic()
    try:
        s = socket.create_connection((a.host, a.port), timeout=5)
    except OSError as e:
        print("connect: %s" % e)
        return 2
    data = unescape(a.send) * a.send_repeat
    if a.pause:
        time.sleep(a.pause)
    # the server may answer and close before we are done sending: what it
    # sent is still checked below
    try:
        if data:
            s.sendall(data)
        if a.shut:
            s.shutdown(socket.SHUT_WR)
    except OSError as e:
        print("note: send/shutdown: %s" % e)
    got = b""
    closed = False
    deadline = t0 + 5
    while time.monotonic() < deadline:
        s.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            d = s.recv(65536)
        except socket.timeout:
            break
        except OSError:
            closed = True
            break
        if not d:
            closed = True
            break
        got += d
    el = time.monotonic() - t0
    ok = True
    print("got %d bytes in %.3fs%s: %r" % (len(got), el, "" if closed else " (not closed)", got[:300]))
    if not closed:
        print("FAIL: the server did not close the connection")
        ok = False
    if a.expect is not None and got != unescape(a.expect):
        print("FAIL: expected %r" % unescape(a.expect))
        ok = False
    if a.expect_len is not None and len(got) != a.expect_len:
        print("FAIL: expected %d bytes" % a.expect_len)
        ok = False
    for c in a.contains:
        if unescape(c) not in got:
            print("FAIL: %r not found" % unescape(c))
            ok = False
    if a.min_time is not None and el < a.min_time:
        print("FAIL: answered in %.3fs, sooner than %.3fs" % (el, a.min_time))
        ok = False
    if a.max_time is not None and el > a.max_time:
        print("FAIL: answered in %.3fs, later than %.3fs" % (el, a.max_time))
        ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
