-- loops.lua - one of bench/run.lua's loops, N times, for counting
-- instructions per packet (bench/instructions.sh), which unlike times do
-- not drift with the machine's load.
-- Usage: lua5.4 bench/loops.lua build|dissect|dissect2|edit|dedit|chain N
local pkt = require "pkt"
local IP, UDP, Raw = pkt.IP, pkt.UDP, pkt.Raw
local what, n = arg[1], tonumber(arg[2])
local b = (IP{src="1.2.3.4", dst="198.51.100.5"} / UDP{sport=8888, dport=9090} / "Hello UDP!\n"):bytes()
local built = IP{src="1.2.3.4", dst="198.51.100.5"} / UDP{sport=8888, dport=9090} / "Hello UDP!\n"
local loops = {
  build = function(i)
    local p = IP{src="1.2.3.4", dst="198.51.100.5"} / UDP{sport=8888, dport=9090 + (i & 7)} / "Hello UDP!\n"
    p:bytes()
  end,
  dissect = function() local p = IP(b); local _ = p[UDP].dport end,
  dissect2 = function() local p = IP(b); local _, _ = p[UDP].dport, p[IP].src end,
  -- an edit of a built packet, and of a captured one, then its bytes
  edit = function(i) built[IP].ttl = 1 + (i & 63); built:bytes() end,
  dedit = function(i) local p = IP(b); p[IP].ttl = 1 + (i & 63); p:bytes() end,
  -- sixteen layers stacked one by one
  chain = function()
    local p = Raw{}
    for _ = 2, 16 do p = p / Raw{} end
  end,
}
local f = assert(loops[what], "build, dissect, dissect2, edit, dedit or chain")
for i = 1, n do f(i) end
