-- Bad input, table-driven: each entry is something a script might do
-- wrong and the exact error it gets, naming the layer and field (or the
-- resource) and, where there is one, the remedy.
local pkt = require "pkt"
local IP, UDP, TCP, ICMP, Ether, ARP, Dot1Q, Raw =
  pkt.IP, pkt.UDP, pkt.TCP, pkt.ICMP, pkt.Ether, pkt.ARP, pkt.Dot1Q, pkt.Raw

local cases = {
  -- malformed IPv4 addresses
  { function() return IP{dst="10.0.0.300"} end, "IP.dst: '10.0.0.300' is not an IPv4 address" },
  { function() return IP{dst="10.0.0"} end, "IP.dst: '10.0.0' is not an IPv4 address" },
  { function() return IP{dst="10.0.0.1.2"} end, "IP.dst: '10.0.0.1.2' is not an IPv4 address" },
  { function() return IP{src=""} end, "IP.src: '' is not an IPv4 address" },
  { function() return IP{src="a.b.c.d"} end, "IP.src: 'a.b.c.d' is not an IPv4 address" },
  { function() return IP{src=" 1.2.3.4"} end, "IP.src: ' 1.2.3.4' is not an IPv4 address" },
  { function() return IP{src="1.2.3.4 "} end, "IP.src: '1.2.3.4 ' is not an IPv4 address" },
  { function() return IP{src="1..2.3"} end, "IP.src: '1..2.3' is not an IPv4 address" },
  { function() return IP{src="0001.2.3.4"} end, "IP.src: '0001.2.3.4' is not an IPv4 address" },
  { function() return ARP{pdst="198.51.100.256"} end, "ARP.pdst: '198.51.100.256' is not an IPv4 address" },
  { function() return ICMP{type=5, gw="gateway"} end, "ICMP.gw: 'gateway' is not an IPv4 address" },
  { function() return IP{dst="2001:db8::1"} end, "IP.dst: '2001:db8::1' is not an IPv4 address" },
  -- malformed MAC addresses
  { function() return Ether{src="aa:bb:cc:dd:ee"} end, "Ether.src: 'aa:bb:cc:dd:ee' is not a MAC address (write aa:bb:cc:dd:ee:ff)" },
  { function() return Ether{dst="aa:bb:cc:dd:ee:ff:00"} end, "Ether.dst: 'aa:bb:cc:dd:ee:ff:00' is not a MAC address" },
  { function() return Ether{dst="gg:bb:cc:dd:ee:ff"} end, "Ether.dst: 'gg:bb:cc:dd:ee:ff' is not a MAC address" },
  { function() return Ether{dst="aabbccddeeff"} end, "Ether.dst: 'aabbccddeeff' is not a MAC address" },
  { function() return Ether{dst="a:b:c:d:e:f"} end, "Ether.dst: 'a:b:c:d:e:f' is not a MAC address" },
  { function() return ARP{hwsrc="02:00:00:00:00:0x"} end, "ARP.hwsrc: '02:00:00:00:00:0x' is not a MAC address" },
  -- integers out of range, for every field width
  { function() return Dot1Q{id=2} end, "Dot1Q.id: 2 is out of range (0..1)" },
  { function() return Dot1Q{prio=8} end, "Dot1Q.prio: 8 is out of range (0..7)" },
  { function() return IP{version=16} end, "IP.version: 16 is out of range (0..15)" },
  { function() return IP{ttl=256} end, "IP.ttl: 256 is out of range (0..255)" },
  { function() return TCP{flags=512} end, "TCP.flags: 512 is out of range (0..511)" },
  { function() return Dot1Q{vlan=4096} end, "Dot1Q.vlan: 4096 is out of range (0..4095)" },
  { function() return IP{frag=8192} end, "IP.frag: 8192 is out of range (0..8191)" },
  { function() return UDP{sport=65536} end, "UDP.sport: 65536 is out of range (0..65535)" },
  { function() return TCP{seq=1 << 32} end, "TCP.seq: 4294967296 is out of range (0..4294967295)" },
  { function() return IP{flags=8} end, "IP.flags: 8 is out of range (0..7)" },
  -- negative integers
  { function() return IP{ttl=-1} end, "IP.ttl: -1 is out of range (0..255)" },
  { function() return UDP{dport=-80} end, "UDP.dport: -80 is out of range (0..65535)" },
  { function() return TCP{ack=-1} end, "TCP.ack: -1 is out of range (0..4294967295)" },
  { function() return Dot1Q{vlan=-1} end, "Dot1Q.vlan: -1 is out of range (0..4095)" },
  -- wrong types
  { function() return IP{ttl=1.5} end, "IP.ttl: expected an integer, got number" },
  { function() return IP{ttl={}} end, "IP.ttl: expected an integer, got table" },
  { function() return IP{ttl=true} end, "IP.ttl: expected an integer, got boolean" },
  { function() return IP{src=7} end, "IP.src: expected an IPv4 address string, got number" },
  { function() return Ether{src=true} end, "Ether.src: expected a MAC address string, got boolean" },
  { function() return Raw{load=42} end, "Raw.load: expected a string of bytes, got number" },
  { function() return IP{options={}} end, "IP.options: expected a string of bytes, got table" },
  { function() return TCP{options="MSS"} end, "TCP.options: expected a list of options, got string" },
  { function() return UDP{sport="http"} end, "UDP.sport: 'http' is a string; this field takes a number" },
  -- unknown names
  { function() return IP{tll=3} end, "IP has no field 'tll' (did you mean 'ttl'?)" },
  { function() return TCP{dprot=80} end, "TCP has no field 'dprot' (did you mean 'dport'?)" },
  { function() return ICMP{typ=8} end, "ICMP has no field 'typ' (did you mean 'type'?)" },
  { function() return IP{[1]=5} end, "IP has no field '1'" },
  { function() local p = IP{}; p[IP].chksm = 1 end, "IP has no field 'chksm' (did you mean 'chksum'?)" },
  { function() local p = IP{}; return p[IP].foo end, "IP has no field 'foo'" },
  { function() local p = IP{} / UDP{}; p.window = 5 end, "no layer of this packet (IP / UDP) has a field 'window'" },
  { function() return IP{proto="udpp"} end, "IP.proto: 'udpp' is not a known name (use a number, or one of: hopopt, icmp" },
  { function() return ICMP{type="echo"} end, "ICMP.type: 'echo' is not a known name (use a number, or one of: echo-reply" },
  { function() return ICMP{type=3, code="port-unreach"} end, "ICMP.code: 'port-unreach' is not a known name (use a number, or one of: network-unreachable" },
  { function() return ARP{op="who_has"} end, "ARP.op: 'who_has' is not a known name (use a number, or one of: who-has, is-at" },
  { function() return TCP{flags="SX"} end, "TCP.flags: 'SX' is not a combination of the flags F S R P A U E C N" },
  { function() return IP{flags="DF+XF"} end, "IP.flags: 'DF+XF' is not a combination of the flags MF DF evil" },
  -- options
  { function() return TCP{options={{"MSSS", 1}}} end, "TCP.options: unknown option 'MSSS' (use a kind number for others)" },
  { function() return TCP{options={{"MSS", 70000}}} end, "TCP.options: option MSS needs an integer value in range" },
  { function() return TCP{options={{"WScale", {7}}}} end, "TCP.options: option WScale needs an integer value in range" },
  { function() return TCP{options={{"Timestamp", {1}}}} end, "TCP.options: option Timestamp has the wrong number of values" },
  { function() return TCP{options={{"SAck", 5}}} end, "TCP.options: option SAck needs a list of 32-bit integers" },
  { function() return TCP{options={{300, "x"}}} end, "TCP.options: an option's first item is its name or kind (0..255), got number" },
  { function() return TCP{options={42}} end, "TCP.options: an option is {name, value}, got number" },
  { function() return TCP{options={{"MSS", 1460}, {"MSS", 1460}, {"MSS", 1460}, {"MSS", 1460}, {"MSS", 1460},
    {"MSS", 1460}, {"MSS", 1460}, {"MSS", 1460}, {"MSS", 1460}, {"MSS", 1460}, {"MSS", 1460}}} end,
    "TCP.options: 44 bytes of options do not fit (at most 40)" },
  { function() return IP{options=("\1"):rep(41)} end, "IP.options: 41 bytes of options do not fit (at most 40)" },
  -- sizes and shapes
  { function() return (IP() / ("x"):rep(70000)):bytes() end, "Raw.load: 70000 bytes do not fit in a packet (at most 65535)" },
  { function() return (IP() / ("x"):rep(40000) / ("y"):rep(40000)):bytes() end, "packet larger than 65535 bytes" },
  { function() return IP(42) end, "IP{...} takes a table of fields or a string of bytes to dissect, got number" },
  { function() return IP{} / 42 end, "cannot stack number on the right of a packet" },
  { function() return 42 / IP{} end, "cannot stack number on the left of a packet" },
  { function() return IP{} / {} end, "cannot stack table on the right of a packet" },
  { function() local p = IP{}; return p[nil] end, "the index is nil; is the layer name spelled right" },
  { function() local l = {}; for i = 1, 17 do l[i] = "x" end
      local p = IP{}; for _, s in ipairs(l) do p = p / Raw{load=s} end; return p:bytes() end,
    "a packet has at most 16 layers, this one has 18" },
  -- functions and their options
  { function() return pkt.ls(42) end, "ls() takes a layer class (ls(IP)) or a packet" },
  { function() return pkt.hexdump(42) end, "hexdump() takes a packet or a string of bytes" },
  { function() return pkt.raw("x") end, "raw() takes a packet" },
  { function() return pkt.sniff{cont=1} end, "sniff: unknown option 'cont' (did you mean 'count'?)" },
  { function() return pkt.sniff(5) end, "sniff: options are a table" },
  { function() return pkt.send(IP{}, {cuont=1}) end, "send: unknown option 'cuont' (did you mean 'count'?)" },
  { function() return pkt.send("x") end, "send: expected a packet or a list of packets, got string" },
  { function() return pkt.send({IP{}, 5}) end, "send: item 2 is a number, not a packet" },
  { function() return pkt.send(Ether{} / ARP{}) end, "send: send() sends IPv4 packets (IP / ...) and ARP; use sendp() for frames" },
  { function() return pkt.send(IP{}, {count=-1}) end, "send: option count takes a whole number, 0 or more, got number -1" },
  { function() return pkt.send(IP{}, {count=1.5}) end, "send: option count takes a whole number, 0 or more, got number 1.5" },
  { function() return pkt.send(IP{}, {verbose="no"}) end, "send: option verbose takes true or false (or a number, 0 for off), got string \"no\"" },
  { function() return pkt.sniff{prn="print"} end, "sniff: option prn takes a function, got string \"print\"" },
  { function() return pkt.sr(IP{}, {timeout="2"}) end, "sr: option timeout takes a number, got string \"2\"" },
  { function() return pkt.send({IP{}, IP{}}, {vary={["IP.id"]="inc"}}) end, "send: vary takes one packet (a template), not a list of 2" },
  { function() return TCP{options={{"MSS", ("x"):rep(300)}}} end, "TCP.options: option value of 300 bytes is too long (at most 253)" },
  { function() return pkt.sr(IP{}, {timeuot=1}) end, "sr: unknown option 'timeuot' (did you mean 'timeout'?)" },
  { function() return pkt.get_if_hwaddr("nope0") end, "get_if_hwaddr: no interface 'nope0' (ifaces() lists them)" },
  { function() return pkt.pcap_writer("/tmp/x.pcap", {linktype="token-ring"}):write(IP{}) end,
    "unknown linktype 'token-ring' (use ether, raw, sll, sll2 or a number)" },
  { function() return pkt.wrpcap("/tmp/x.pcap", {pkt.Padding{}}) end, "cannot tell the link type of a packet starting with Padding; give {linktype=...}" },
}

describe("bad input", function()
  it("has at least 60 cases", function()
    assert.is_true(#cases >= 60, #cases .. " cases")
  end)
  for i, c in ipairs(cases) do
    it(("%02d raises: %s"):format(i, c[2]), function()
      local ok, err = pcall(c[1])
      assert.is_false(ok, "no error")
      assert.matches(c[2], tostring(err), 1, true)
    end)
  end
end)
