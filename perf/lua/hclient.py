# hclient.py PORT N CONNS: N keep-alive GETs spread over CONNS connections; exits 1 on a non-200
import socket, sys
port, n, c = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
req = b"GET / HTTP/1.1\r\nHost: x\r\nUser-Agent: t\r\n\r\n"
socks = [socket.create_connection(("127.0.0.1", port)) for _ in range(c)]
bufs = [b""] * c
def read_resp(i):
    s = socks[i]
    while True:
        b = bufs[i]
        h = b.find(b"\r\n\r\n")
        if h >= 0:
            head = b[:h].decode()
            cl = 0
            for l in head.split("\r\n")[1:]:
                k, v = l.split(":", 1)
                if k.lower() == "content-length": cl = int(v)
            if len(b) >= h + 4 + cl:
                bufs[i] = b[h + 4 + cl:]
                return head.split(" ")[1]
        d = s.recv(65536)
        if not d: raise SystemExit("eof")
        bufs[i] += d
for k in range(n):
    i = k % c
    socks[i].sendall(req)
    st = read_resp(i)
    if st != "200": raise SystemExit("status " + st)
print("ok", n)
