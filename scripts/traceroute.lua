-- traceroute.lua - find the routers on the way to a host: send probes
-- with TTL 1, 2, 3... and see who reports "time exceeded".
--   Scapy: ans, unans = sr(IP(dst=host, ttl=(1, 10))/ICMP(), timeout=2)
local o = require("pkt.cli").parse(arg, "Trace the route to a host with rising TTLs.", {
  { "max-hops", "m", "largest TTL to try", default = 10, number = true },
  { "udp", "u", "probe with UDP to port 33434+ instead of ICMP echo", flag = true },
  { "timeout", "t", "seconds to wait for replies", default = 2, number = true },
}, " HOST")
local host = o[1] or "203.0.113.20"

local probes = {}
for ttl = 1, o["max-hops"] do
  local l4 = o.udp and UDP{sport=33000 + ttl, dport=33433 + ttl} or ICMP{id=0x7ace, seq=ttl}
  probes[ttl] = IP{dst=host, ttl=ttl} / l4
end
local ans = sr(probes, {timeout=o.timeout, verbose=false})

local hops = {}
for _, pair in ipairs(ans) do
  local sent, got = pair[1], pair[2]
  hops[sent[IP].ttl] = { ip = got[IP].src, ms = (got.time - sent.sent_time) * 1000,
                         done = got[IP].src == host }
end
print(("traceroute to %s, %d hops max"):format(host, o["max-hops"]))
for ttl = 1, o["max-hops"] do
  local h = hops[ttl]
  print(h and ("%2d  %-15s  %.3f ms"):format(ttl, h.ip, h.ms) or ("%2d  *"):format(ttl))
  if h and h.done then break end
end
