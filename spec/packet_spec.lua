-- Packet objects: indexing, field access and assignment, errors, and
-- the printed forms (show, show2, summary, hexdump, ls).
local pkt = require "pkt"
local IP, UDP, TCP, ICMP, Ether, Raw = pkt.IP, pkt.UDP, pkt.TCP, pkt.ICMP, pkt.Ether, pkt.Raw

local function hello()
  return IP{src="1.2.3.4", dst="198.51.100.5"} / UDP{sport=8888, dport=9090} / "Hello UDP!\n"
end

describe("packet objects", function()
  it("index layers by class and by position; nil when absent", function()
    local p = hello()
    assert.equal(9090, p[UDP].dport)
    assert.equal("1.2.3.4", p[1].src)
    assert.is_nil(p[ICMP])
    assert.is_nil(p[4])
  end)

  it("read a field from the first layer that has it", function()
    local p = Ether{dst="02:00:00:00:00:09"} / hello()
    assert.equal("02:00:00:00:00:09", p.dst)
    assert.equal(8888, p.sport)
  end)

  it("write fields, and the bytes follow", function()
    local p = hello()
    local before = p:bytes()
    p[IP].ttl = 5
    assert.equal(5, p:bytes():byte(9))
    assert.not_equal(before:sub(11, 12), p:bytes():sub(11, 12))  -- checksum follows
    assert.equal(0, pkt.checksum(p:bytes():sub(1, 20)))
    p.dport = 53
    assert.equal(53, p[UDP].dport)
    p[IP].ttl = nil
    assert.equal(64, p[IP].ttl)
  end)

  it("recompute a dissected packet's lengths and checksums after an edit", function()
    local b = (IP{src="1.2.3.4", dst="5.6.7.8"} / UDP{sport=1, dport=2} / "hello"):bytes()
    local q = IP(b)
    q[IP].ttl = 5
    q[pkt.Raw].load = "a longer payload"
    local r = IP(q:bytes())
    assert.equal(5, r[IP].ttl)
    assert.equal(0, pkt.checksum(q:bytes():sub(1, 20)))
    assert.equal(44, r[IP].len)
    assert.equal(24, r[UDP].len)
    -- a checksum set explicitly stays, whatever is edited after it
    local z = IP(b)
    z[IP].chksum = 0x1234
    z[IP].ttl = 9
    assert.equal(0x1234, IP(z:bytes())[IP].chksum)
    -- unedited, a dissected packet keeps its bytes, lying fields included
    local lie = (IP{len=99} / "x"):bytes()
    assert.equal(lie, IP(lie):copy():bytes())
  end)

  it("return unset computed fields as nil, as Scapy's None", function()
    local p = hello()
    assert.is_nil(p[IP].chksum)
    assert.is_nil(p[UDP].len)
    assert.equal(19, p:built()[UDP].len)
  end)

  it("give TCP flags as letters", function()
    local t = TCP{flags=0x12}
    assert.equal("SA", t[TCP].flags)
    assert.equal("MF+DF", (IP{flags=3})[IP].flags)
  end)

  it("report has/get layer, the list of layers, length", function()
    local p = hello()
    assert.is_true(p:haslayer(UDP))
    assert.is_false(p:haslayer(TCP))
    local l = p:layers()
    assert.equal(3, #l)
    assert.equal(IP, l[1]); assert.equal(UDP, l[2]); assert.equal(Raw, l[3])
    assert.equal(39, #p)
  end)

  it("copy deeply: editing a copy leaves the original", function()
    local p = IP{} / TCP{options={{"MSS", 1000}}}
    local q = p:copy()
    q[TCP].options = {{"MSS", 1400}}
    q[IP].ttl = 1
    assert.equal(64, p[IP].ttl)
    assert.equal(1000, p[TCP].options[1][2])
    local o = p[TCP].options
    o[1][2] = 9
    assert.equal(1000, p[TCP].options[1][2])
  end)

  it("stack without changing their operands", function()
    local a = IP{}
    local b = a / UDP{}
    b[IP].ttl = 3
    assert.equal(64, a[IP].ttl)
    assert.equal(1, #a:layers())
  end)

  it("stack in every form: classes, built and dissected packets, strings", function()
    local want = (Ether{dst="02:00:00:00:00:09"} / hello()):bytes()
    local objects = hello()
    local _ = objects[UDP]                  -- now made of layer objects
    assert.equal(want, (Ether{dst="02:00:00:00:00:09"} / objects):bytes())
    assert.equal(#want, #(Ether / objects))
    local b = hello():bytes()
    local d = IP(b)
    assert.equal(want, (Ether{dst="02:00:00:00:00:09"} / d):bytes())
    assert.equal(b .. "x", (d / "x"):bytes())
    assert.equal("x" .. b, ("x" / d):bytes())
    assert.equal("Raw", ("x" / d)[1]:name())
    assert.equal("IP / UDP / Raw / Raw", (d / "x"):summary_names())
    -- editing what was stacked leaves the operands as they were
    local e = Ether{} / d
    e[IP].ttl = 1
    e[UDP].dport = 7
    assert.equal(64, d[IP].ttl)
    assert.equal(9090, d[UDP].dport)
    assert.equal(b, d:bytes())
  end)

  it("stack a layer with the layers above it, as Scapy does", function()
    local b = (Ether{src="02:00:00:00:00:01", dst="02:00:00:00:00:02"} / hello()):bytes()
    local p = Ether(b)
    local q = Ether{src="02:00:00:00:00:08", dst="02:00:00:00:00:09"} / p[IP]
    assert.equal("Ether / IP / UDP / Raw", q:summary_names())
    assert.equal(b:sub(15), q:bytes():sub(15))
    q[IP].ttl = 3                       -- checksums follow, p stays as it was
    assert.equal(0, pkt.checksum(q:bytes():sub(15, 34)))
    assert.equal(64, p[IP].ttl)
    assert.equal("UDP / Raw / Raw", (p[UDP] / "x"):summary_names())
    local built = hello()
    assert.equal("Ether / UDP / Raw", (Ether{} / built[UDP]):summary_names())
    assert.equal(#built:bytes() - 20, #(built[UDP] / ""))
  end)

  it("read a dissected packet's layer without unpacking it, and edit through it", function()
    local p = IP(hello():bytes())
    local u = p[UDP]
    assert.equal(9090, u.dport)
    assert.equal("UDP", u:name())
    assert.equal(19, u.len)
    assert.is_nil(p[TCP])
    assert.is_nil(p:getlayer(UDP, 2))
    assert.is_true(pkt.is_layer(u))
    u.dport = 53
    assert.equal(53, p[UDP].dport)
    assert.equal(53, u.dport)
    assert.equal(53, IP(p:bytes())[UDP].dport)
    -- show() prints the port as Scapy's own show() does (by name)
    local scapy = H.run(H.python .. [[ -c 'from scapy.all import UDP; UDP(dport=53).show()' 2>/dev/null]])
    local want = scapy:match("dport%s+= (%S+)")
    assert.is_truthy(want, scapy)
    assert.matches("dport%s+= " .. want:gsub("%p", "%%%0") .. "\n", u:show(true))
    -- a misspelt field names the script's line, reading or writing
    local v = IP(hello():bytes())[UDP]
    local ok, err = pcall(function() return v.dportt end)
    assert.is_false(ok)
    assert.matches("^[^\n]*packet_spec%.lua:%d+: UDP has no field 'dportt' %(did you mean 'dport'%?%)", err)
    ok, err = pcall(function() v.sprot = 1 end)
    assert.matches("^[^\n]*packet_spec%.lua:%d+: UDP has no field 'sprot'", err)
  end)

  it("share a constructor's table until one of them is edited", function()
    local t = {dport=53, sport=1}
    local a, b = UDP(t), UDP(t)
    a[UDP].dport = 1
    assert.equal(1, a[UDP].dport)
    assert.equal(53, b[UDP].dport)
  end)

  it("copy and stack a dissected packet already unpacked as one still bytes", function()
    local b = hello():bytes()
    local p = IP(b)
    local _ = p[1]                          -- its layers as objects
    local q, e = p:copy(), Ether{} / p
    p[IP].ttl = 1
    assert.equal(64, q[IP].ttl)
    assert.equal(64, e[IP].ttl)
    -- and an edit of the copy or the stack computes the checksums again
    local r = IP(b)
    _ = r[1]
    local c, f = r:copy(), Ether{} / r
    c[IP].ttl = 1
    f[IP].ttl = 1
    assert.equal(0, pkt.checksum(c:bytes():sub(1, 20)))
    assert.equal(0, pkt.checksum(f:bytes():sub(15, 34)))
    assert.equal(b, r:bytes())
  end)

  it("compare a dissected packet's layer with itself", function()
    local p = IP(hello():bytes())
    assert.is_true(p[UDP] == p[UDP])
    assert.is_true(p[UDP] == p:getlayer(UDP))
    assert.is_false(p[UDP] == p[IP])
    local _ = p[1]
    assert.is_true(p[UDP] == p[UDP])
  end)

  it("compare equal when their bytes are", function()
    assert.equal(hello(), hello())
    assert.not_equal(hello(), IP{})
  end)
end)

describe("bad values", function()
  local cases = {
    { function() return IP{dst="10.0.0.300"} end, "IP.dst: '10.0.0.300' is not an IPv4 address" },
    { function() return IP{src=7} end, "IP.src: expected an IPv4 address string, got number" },
    { function() return IP{ttl=256} end, "IP.ttl: 256 is out of range (0..255)" },
    { function() return IP{ttl=-1} end, "IP.ttl: -1 is out of range (0..255)" },
    { function() return IP{ttl=1.5} end, "IP.ttl: expected an integer, got number" },
    { function() return IP{proto="udpp"} end, "IP.proto: 'udpp' is not a known name" },
    { function() return IP{tll=3} end, "IP has no field 'tll' (did you mean 'ttl'?)" },
    { function() return TCP{flags="SX"} end, "TCP.flags: 'SX' is not a combination of the flags F S R P A U E C N" },
    { function() return Ether{src="aa:bb:cc:dd:ee"} end, "Ether.src: 'aa:bb:cc:dd:ee' is not a MAC address" },
    { function() return UDP{sport="http"} end, "UDP.sport: 'http' is a string; this field takes a number" },
    { function() return TCP{options={{"MSSS", 1}}} end, "TCP.options: unknown option 'MSSS'" },
    { function() return TCP{options={{"MSS", 70000}}} end, "TCP.options: option MSS needs an integer value in range" },
    { function() return TCP{options={{"Timestamp", {1}}}} end, "TCP.options: option Timestamp has the wrong number of values" },
    { function() return IP{options=("\1"):rep(41)} end, "IP.options: 41 bytes of options do not fit (at most 40)" },
    { function() return IP(42) end, "IP{...} takes a table of fields or a string of bytes to dissect" },
    { function() return IP{} / 42 end, "cannot stack number on the right of a packet" },
    { function() local p = IP{}; p.sport = 1 end, "no layer of this packet (IP) has a field 'sport'" },
    { function() local p = IP{}; return p[IP].foo end, "IP has no field 'foo'" },
  }
  for _, c in ipairs(cases) do
    it("raise: " .. c[2], function()
      local ok, err = pcall(c[1])
      assert.is_false(ok)
      assert.matches(c[2], tostring(err), 1, true)
    end)
  end

  it("name the script's line, through the constructors, `/` and p.field", function()
    local here = debug.getinfo(1, "S").short_src
    for _, f in ipairs({
      function() local p = IP{tll=3}; return p end,
      function() local p = IP(42); return p end,
      function() local p = IP{} / 42; return p end,
      function() local p = 42 / IP{}; return p end,
      function() local v = IP{}.foo; return v end,
      function() local v = IP{}[nil]; return v end,
    }) do
      local ok, err = pcall(f)
      assert.is_false(ok)
      assert.equal(here .. ":", tostring(err):sub(1, #here + 1))
    end
  end)
end)

describe("printing", function()
  it("show2() prints Scapy's layout with computed fields", function()
    local want = table.concat({
      "###[ IP ]### ",
      "  version   = 4",
      "  ihl       = 5",
      "  tos       = 0x0",
      "  len       = 39",
      "  id        = 1",
      "  flags     = ",
      "  frag      = 0",
      "  ttl       = 64",
      "  proto     = udp",
      "  chksum    = 0x4c87",
      "  src       = 1.2.3.4",
      "  dst       = 198.51.100.5",
      "  \\options   \\",
      "###[ UDP ]### ",
      "     sport     = 8888",
      "     dport     = 9090",
      "     len       = 19",
      "     chksum    = 0xb7f7",
      "###[ Raw ]### ",
      "        load      = 'Hello UDP!\\n'",
      "", "" }, "\n")
    assert.equal(want, hello():show2(true))
  end)

  it("show() prints None for computed fields not yet computed", function()
    local s = hello():show(true)
    assert.matches("  len       = None\n", s, 1, true)
    assert.matches("  proto     = udp\n", s, 1, true)   -- bound by the layer above
    assert.matches("     chksum    = None\n", s, 1, true)
  end)

  it("show() names enumerated values and ICMP codes by type", function()
    local s = (IP{} / ICMP{type=3, code=3}):show(true)
    assert.matches("type      = dest-unreach", s, 1, true)
    assert.matches("code      = port-unreachable", s, 1, true)
    assert.matches("nexthopmtu= 0", s, 1, true)
    assert.not_matches("\n     id ", s, 1, true)  -- no id/seq in an error
  end)

  it("summary() reads like Scapy's", function()
    local p = Ether{src="02:00:00:00:00:01", dst="02:00:00:00:00:02"}
      / IP{src="198.51.100.1", dst="198.51.100.2"} / ICMP{} / "x"
    assert.equal("Ether / IP / ICMP 198.51.100.1 > 198.51.100.2 echo-request 0 / Raw", p:summary())
    assert.equal("IP / UDP 1.2.3.4:8888 > 198.51.100.5:9090 / Raw", tostring(hello()))
    -- ports by name, as Scapy prints them
    local scapy = H.run(H.python .. [[ -c 'from scapy.all import IP, TCP; print((IP()/TCP()).summary())' 2>/dev/null]])
    assert.equal(scapy:gsub("\n$", ""), (IP{} / TCP{}):summary())
    assert.equal("02:00:00:00:00:01 > ff:ff:ff:ff:ff:ff (0x9000)", Ether{src="02:00:00:00:00:01"}:summary())
    assert.equal("Ether / ARP who has 198.51.100.2 says 198.51.100.1",
      (Ether{} / pkt.ARP{psrc="198.51.100.1", pdst="198.51.100.2"}):summary())
    assert.equal("127.0.0.1 > 127.0.0.1 hopopt", IP{}:summary())
  end)

  it("hexdump() prints like tcpdump -X", function()
    assert.equal(
      "0x0000:  4500 0027 0001 0000 4011 4c87 0102 0304  E..'....@.L.....\n" ..
      "0x0010:  c633 6405 22b8 2382 0013 b7f7 4865 6c6c  .3d.\".#.....Hell\n" ..
      "0x0020:  6f20 5544 5021 0a                        o UDP!.\n", hello():hexdump(true))
  end)

  it("ls(IP) lists fields, types and defaults", function()
    local s = pkt.ls(IP, true)
    assert.matches("ttl        : int (8 bits)           = 64\n", s, 1, true)
    assert.matches("chksum     : int (16 bits)          = None (computed)\n", s, 1, true)
    assert.matches("flags      : flags (MF DF evil)     = \n", s, 1, true)
    assert.matches("dst        : ipv4                   = 127.0.0.1\n", s, 1, true)
  end)
end)
