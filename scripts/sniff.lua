-- sniff.lua - the lecture's sniffing demo: catch packets that match a BPF
-- filter and print each one, field by field.
--   Scapy:  sniff(iface=..., filter='icmp or udp', prn=lambda p: p.show())
local o = require("pkt.cli").parse(arg, "Sniff packets matching a BPF filter and show() each one.", {
  { "iface", "i", "interface to sniff on (default: the first one up)" },
  { "filter", "f", "BPF filter, as tcpdump takes", default = "icmp or udp" },
  { "count", "c", "how many packets to show (0: no limit)", default = 5, number = true },
  { "timeout", "t", "give up after this many seconds (0: never)", default = 30, number = true },
})

local n = 0
local function print_pkt(p)
  n = n + 1
  print(("---- packet %d ----"):format(n))
  p:show()
end

print(("sniffing %s for '%s' ..."):format(o.iface or "the default interface", o.filter))
io.stdout:flush()
-- count=0 is no limit in sniff itself; a timeout of 0 would end at once
sniff{iface=o.iface, filter=o.filter, count=o.count, timeout=o.timeout > 0 and o.timeout or nil,
      prn=print_pkt, store=false}
print(("%d packets"):format(n))
