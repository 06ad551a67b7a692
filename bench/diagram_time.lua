-- diagram_time.lua - how long the pictures take: a header diagram of an
-- Ether/IP/TCP/Raw packet, and the ladder of a 1,000-packet exchange,
-- whole, folded to a 80x24 terminal, and as SVG (CPU time, os.clock).
--   usage: ./pktlua bench/diagram_time.lua
local p = Ether{src="02:00:00:00:00:01"} / IP{src="198.51.100.1", dst="198.51.100.2"}
  / TCP{options={{"MSS", 1460}}} / ("x"):rep(100)
local N = 200
local t = os.clock()
for _ = 1, N do p:diagram{dump=true} end
print(("diagram, Ether/IP/TCP/Raw:          %6.2f ms"):format((os.clock() - t) / N * 1000))

-- a TCP exchange between two hosts, as a capture gives it: bytes and times
local l = PacketList()
for i = 1, 1000 do
  local a, b = "198.51.100.1", "198.51.100.2"
  if i % 2 == 0 then a, b = b, a end
  local q = Ether(( Ether() / IP{src=a, dst=b} / TCP{sport=40000, dport=80, seq=i} ):bytes())
  q.time = 1000 + i / 1000
  l[#l + 1] = q
end
local function time(what, opts)
  local t0 = os.clock()
  l:flow(opts)
  print(("%-36s%6.0f ms"):format(what, (os.clock() - t0) * 1000))
end
time("flow, 1,000 packets, whole:", {dump=true})
time("flow, 1,000 packets, folded 80x24:", {dump=true, width=80, height=24})
local svg = os.tmpname()
time("flow, 1,000 packets, SVG:", {svg=svg})
os.remove(svg)
