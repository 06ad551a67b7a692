-- The core paths run under valgrind by `make valgrind`: build, dissect,
-- show, summary, options, matching keys and pcap files, from the host.
local path = os.tmpname()
local pkts = {}
for i = 1, 50 do
  local p = Ether{src="02:00:00:00:00:01", dst="02:00:00:00:00:02"}
    / IP{src="198.51.100.1", dst="198.51.100.2", options="\148\4\0\0"}
    / TCP{sport=40000 + i, dport=80, flags="S", options={{"MSS", 1460}, "NOP", {"WScale", 7}, {"SAckOK"}, {"Timestamp", {i, 0}}}}
    / ("x"):rep(i)
  local q = Ether(p:bytes())
  assert(q[TCP].options[1][2] == 1460)
  q:show(true); q:show2(true); q:summary(); q:hexdump(true)
  for cut = 0, #p:bytes(), 7 do Ether(p:bytes():sub(1, cut)):summary() end
  pkts[#pkts + 1] = q
  local e = IP{src="198.51.100.2", dst="198.51.100.1"} / ICMP{type=3, code=3} / p:bytes():sub(15, 42)
  IP(e:bytes()):summary()
  require("pkt.core").match_key(4, e:bytes(), 4)
  require("pkt.core").answers(4, p:bytes():sub(15), 4, e:bytes())
end
wrpcap(path, pkts)
assert(#rdpcap(path) == 50)
for p in pcap_reader(path, {filter="tcp"}) do p:summary() end
pkts.comments = { [2] = "second" }
wrpcap(path, pkts, {format="pcapng"})
local l = rdpcap(path)
assert(#l == 50 and l.comments[2] == "second")
wrpcap(path, l)
for p in pcap_reader(path, {filter="tcp"}) do p:summary() end
os.remove(path)
print("valgrind paths: ok")
