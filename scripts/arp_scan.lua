-- arp_scan.lua - who is on this LAN? Ask every address of the subnet with
-- an ARP who-has and list the hosts that answer.
--   Scapy: ans, unans = srp(Ether(dst="ff:ff:ff:ff:ff:ff")/ARP(pdst="net/24"), timeout=2)
local o = require("pkt.cli").parse(arg, "List the hosts of a /24 that answer ARP.", {
  { "iface", "i", "interface to scan from (default: the first one up)" },
  { "timeout", "t", "seconds to wait for answers", default = 2, number = true },
}, " [NET.0/24]")

local iface = o.iface
if not iface then
  for _, i in ipairs(ifaces()) do
    if i.up and not i.loopback and i.ipv4[1] then iface = i.name; break end
  end
end
local net = (o[1] or (get_if_addr(iface) .. "/24")):match("^(%d+%.%d+%.%d+)%.%d+/24$")
assert(net, "give the network as a.b.c.0/24")

local me = { mac = get_if_hwaddr(iface), ip = get_if_addr(iface) }
local asks = {}
for host = 1, 254 do
  asks[#asks + 1] = Ether{dst="ff:ff:ff:ff:ff:ff", src=me.mac}
    / ARP{hwsrc=me.mac, psrc=me.ip, pdst=("%s.%d"):format(net, host)}
end
local ans = srp(asks, {iface=iface, timeout=o.timeout, verbose=false})

table.sort(ans, function(a, b)
  return tonumber(a[2][ARP].psrc:match("%d+$")) < tonumber(b[2][ARP].psrc:match("%d+$"))
end)
print(("%d hosts on %s.0/24 (from %s):"):format(#ans, net, iface))
for _, pair in ipairs(ans) do
  print(("  %-15s  %s"):format(pair[2][ARP].psrc, pair[2][ARP].hwsrc))
end
