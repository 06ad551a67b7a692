-- loops.lua - one of bench/run.lua's loops, N times, for counting
-- instructions per packet (bench/instructions.sh), which unlike times do
-- not drift with the machine's load.
-- Usage: lua5.4 bench/loops.lua build|dissect|dissect2 N
local pkt = require "pkt"
local IP, UDP = pkt.IP, pkt.UDP
local what, n = arg[1], tonumber(arg[2])
local b = (IP{src="1.2.3.4", dst="198.51.100.5"} / UDP{sport=8888, dport=9090} / "Hello UDP!\n"):bytes()
local loops = {
  build = function(i)
    local p = IP{src="1.2.3.4", dst="198.51.100.5"} / UDP{sport=8888, dport=9090 + (i & 7)} / "Hello UDP!\n"
    p:bytes()
  end,
  dissect = function() local p = IP(b); local _ = p[UDP].dport end,
  dissect2 = function() local p = IP(b); local _, _ = p[UDP].dport, p[IP].src end,
}
local f = assert(loops[what], "build, dissect or dissect2")
for i = 1, n do f(i) end
