-- ping6.lua - ping over IPv6 as the kernel does it: a neighbour
-- solicitation finds the neighbour's MAC (the IPv6 twin of an ARP
-- who-has), then echo requests go to it and each round trip is printed.
--   Scapy: srp1(Ether(dst="33:33:ff:00:00:12")/IPv6(dst="ff02::1:ff00:12")/ICMPv6ND_NS(tgt="2001:db8::12"))
--          srp1(Ether(dst=mac)/IPv6(dst="2001:db8::12")/ICMPv6EchoRequest(seq=1))
local o = require("pkt.cli").parse(arg, "Ping an on-link IPv6 neighbour: a solicitation, then echoes.", {
  { "iface", "i", "interface (default: the address's zone, else the first with IPv6)" },
  { "count", "c", "echo requests to send", default = 3, number = true },
  { "timeout", "t", "seconds to wait for each answer", default = 1, number = true },
}, " ADDRESS[%IFACE]")

local dst, zone = (o[1] or ""):match("^([^%%]+)%%?(.*)$")
if not dst then
  io.stderr:write("ping6.lua: give the address to ping (2001:db8::12, or fe80::1%eth0)\n")
  os.exit(2)
end
local iface = require("pkt.cli").iface(o.iface or (zone ~= "" and zone or nil), "ipv6")
local me = { mac = get_if_hwaddr(iface), ip = get_if_addr6(iface, dst) }

-- The solicited-node group of dst (RFC 4291 2.7.1) and its MAC
-- (RFC 2464 7): both end with dst's last 24 bits.
local a = IPv6{dst=dst}:bytes():sub(25, 40)
local group = ("ff02::1:ff%02x:%02x%02x"):format(a:byte(14, 16))
local group_mac = ("33:33:ff:%02x:%02x:%02x"):format(a:byte(14, 16))

local function ms(pair) return (pair[2].time - pair[1].sent_time) * 1000 end

local ans = srp(Ether{src=me.mac, dst=group_mac} / IPv6{src=me.ip, dst=group}
  / ICMPv6ND_NS{tgt=dst} / ICMPv6NDOptSrcLLAddr{lladdr=me.mac},   -- so it answers without asking back
  {iface=iface, timeout=o.timeout, verbose=false})
if #ans == 0 then
  print(("no neighbour advertisement for %s on %s"):format(dst, iface))
  os.exit(1)
end
local mac = ans[1][2][Ether].src
print(("%s is at %s (neighbour advertisement in %.3f ms)"):format(dst, mac, ms(ans[1])))

local got = 0
for seq = 1, o.count do
  local echo = Ether{src=me.mac, dst=mac} / IPv6{src=me.ip, dst=dst}
    / ICMPv6EchoRequest{id=0x1234, seq=seq, data=("pktlua"):rep(8)}
  ans = srp(echo, {iface=iface, timeout=o.timeout, verbose=false})
  if #ans > 0 then
    got = got + 1
    local r = ans[1][2][IPv6]
    print(("%d bytes from %s: icmp_seq=%d hlim=%d time=%.3f ms"):format(r.plen, r.src, seq, r.hlim, ms(ans[1])))
  else
    print(("no reply for icmp_seq=%d"):format(seq))
  end
end
print(("%d sent, %d received"):format(o.count, got))
os.exit(got > 0 and 0 or 1)
