-- spoof_udp.lua - send a UDP datagram whose IP source is forged: the
-- receiver cannot tell it did not come from 1.2.3.4.
--   Scapy:  ip = IP(src="1.2.3.4", dst=server); udp = UDP(sport=8888, dport=9090)
--           pkt = ip/udp/"Hello UDP!\n"; pkt.show(); send(pkt, verbose=0)
local cli = require "pkt.cli"
local o = cli.parse(arg, "Send a UDP datagram with a forged source address.", {
  { "src", "s", "forged source address", default = "1.2.3.4" },
  { "sport", nil, "source port", default = 8888, number = true },
  { "dst", "d", "destination (the server)", default = "198.51.100.12" },
  { "dport", nil, "destination port", default = 9090, number = true },
  { "message", "m", "payload (\\n for newline)", default = "Hello UDP!\\n" },
})

local ip = IP{src=o.src, dst=o.dst}
local udp = UDP{sport=o.sport, dport=o.dport}
local data = cli.unescape(o.message)
local pkt = ip / udp / data
pkt:show()
send(pkt, {verbose=false})
print(("sent %s"):format(pkt:summary()))
