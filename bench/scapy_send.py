"""Scapy's send rates for bench/send_bench.lua, run inside the sending namespace.
  scapy_send.py loop N BUDGET   send() once per packet, N or BUDGET seconds
  scapy_send.py list N          one send() of a list of N packets
Prints "rate <pkt/s>" and "sent <n>"; startup and the first send are not timed."""
import logging, sys, time
logging.getLogger("scapy").setLevel(logging.ERROR)
from scapy.all import IP, UDP, send

mode, n = sys.argv[1], int(sys.argv[2])
budget = float(sys.argv[3]) if len(sys.argv) > 3 else 1e9


def pkt(sport=1234):
    return IP(src="198.51.100.1", dst="198.51.100.2") / UDP(sport=sport, dport=9090) / b"Hello UDP!\n"


send(pkt(), verbose=False)  # warm up: routes, ARP cache, lazy imports
if mode == "loop":
    # a new packet per call, like a script that crafts as it goes
    sent, t0 = 0, time.perf_counter()
    while sent < n and time.perf_counter() - t0 < budget:
        send(pkt(1024 + sent % 60000), verbose=False)
        sent += 1
else:
    pkts = [pkt() for _ in range(n)]  # built before timing: only sending counts
    t0 = time.perf_counter()
    send(pkts, verbose=False)
    sent = n
t = time.perf_counter() - t0
print("rate %.0f\nsent %d" % (sent / t, sent))
