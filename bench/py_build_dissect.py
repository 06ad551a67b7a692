"""Scapy's and dpkt's build and dissect rates for what bench/run.lua
measures: build IP/UDP/11-byte payload to bytes; dissect it and read
UDP dport and IP src.  Prints "build N" and "dissect N" (packets per
second).  Usage: py_build_dissect.py scapy|dpkt COUNT"""
import logging, socket, sys, time

which = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 20000

if which == "scapy":
    logging.getLogger("scapy").setLevel(logging.ERROR)
    from scapy.all import IP, UDP, raw

    def build(i):
        return raw(IP(src="1.2.3.4", dst="198.51.100.5")
                   / UDP(sport=8888, dport=9090 + (i & 7)) / b"Hello UDP!\n")

    def dissect(b):
        p = IP(b)
        return p[UDP].dport, p[IP].src
else:
    import dpkt

    src, dst = socket.inet_aton("1.2.3.4"), socket.inet_aton("198.51.100.5")

    def build(i):
        u = dpkt.udp.UDP(sport=8888, dport=9090 + (i & 7), data=b"Hello UDP!\n")
        u.ulen = len(u)
        ip = dpkt.ip.IP(src=src, dst=dst, p=dpkt.ip.IP_PROTO_UDP, ttl=64, data=u)
        ip.len = len(ip)
        return bytes(ip)        # dpkt fills both checksums here

    def dissect(b):
        ip = dpkt.ip.IP(b)
        return ip.data.dport, socket.inet_ntoa(ip.src)

t0 = time.perf_counter()
for i in range(n):
    b = build(i)
t1 = time.perf_counter()
print("build %.0f" % (n / (t1 - t0)))

t0 = time.perf_counter()
for i in range(n):
    dissect(b)
t1 = time.perf_counter()
print("dissect %.0f" % (n / (t1 - t0)))
