"""Scapy's phantom host for bench/net_bench.lua's reaction time: sniff with
prn, answering ARP who-has and ICMP echo for one address on one L2 socket
opened once (conf.L2socket), the fast way to use Scapy for this.
  scapy_responder.py IFACE IP MAC      prints "ready" once it listens"""
import logging, sys
logging.getLogger("scapy").setLevel(logging.ERROR)
from scapy.all import ARP, ICMP, IP, Ether, Raw, conf, sniff

iface, my_ip, my_mac = sys.argv[1:4]
sock = conf.L2socket(iface=iface)


def answer(p):
    if ARP in p and p[ARP].op == 1 and p[ARP].pdst == my_ip:
        a = p[ARP]
        sock.send(Ether(src=my_mac, dst=a.hwsrc)
                  / ARP(op=2, hwsrc=my_mac, psrc=my_ip, hwdst=a.hwsrc, pdst=a.psrc))
    elif ICMP in p and p[ICMP].type == 8 and p[IP].dst == my_ip:
        r = (Ether(src=my_mac, dst=p[Ether].src)
             / IP(src=my_ip, dst=p[IP].src) / ICMP(type=0, id=p[ICMP].id, seq=p[ICMP].seq))
        if Raw in p:
            r = r / p[Raw].load
        sock.send(r)


sniff(iface=iface, store=False, prn=answer,
      filter="(arp and arp dst host %s) or (icmp and dst host %s)" % (my_ip, my_ip),
      started_callback=lambda: print("ready", flush=True))
