"""Scapy's build and dissect rates for the packet bench/run.lua measures.
Prints "build N" and "dissect N" (packets per second)."""
import logging, sys, time
logging.getLogger("scapy").setLevel(logging.ERROR)
from scapy.all import IP, UDP, raw

n = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
t0 = time.perf_counter()
for i in range(n):
    b = raw(IP(src="1.2.3.4", dst="198.51.100.5") / UDP(sport=8888, dport=9090 + (i & 7)) / b"Hello UDP!\n")
t1 = time.perf_counter()
print("build %.0f" % (n / (t1 - t0)))

t0 = time.perf_counter()
for i in range(n):
    p = IP(b)
    p[UDP].dport
t1 = time.perf_counter()
print("dissect %.0f" % (n / (t1 - t0)))
