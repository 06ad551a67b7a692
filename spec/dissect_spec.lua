-- Dissecting: binding rules, padding, truncation, lying lengths, and
-- no crash on any cut of a packet.
local pkt = require "pkt"
local IP, UDP, TCP, ICMP, Ether, ARP, Dot1Q = pkt.IP, pkt.UDP, pkt.TCP, pkt.ICMP, pkt.Ether, pkt.ARP, pkt.Dot1Q

local function names(p)
  local t = {}
  for i, c in ipairs(p:layers()) do t[i] = c.name end
  return table.concat(t, " / ")
end

local frame = (Ether{src="02:00:00:00:00:01", dst="02:00:00:00:00:02"}
  / IP{src="198.51.100.1", dst="198.51.100.2", ttl=9}
  / UDP{sport=1111, dport=2222} / "payload"):bytes()

describe("dissecting", function()
  it("follows Ether.type and IP.proto to the layers above", function()
    local p = Ether(frame)
    assert.equal("Ether / IP / UDP / Raw", names(p))
    assert.equal(9, p[IP].ttl)
    assert.equal(2222, p[UDP].dport)
    assert.equal("payload", p[pkt.Raw].load)
    assert.equal(15, p[UDP].len)
  end)

  it("reads every field, computed ones included", function()
    local p = Ether(frame)
    assert.equal(5, p[IP].ihl)
    assert.equal(35, p[IP].len)
    assert.equal(17, p[IP].proto)
    assert.is_number(p[IP].chksum)
    assert.equal("02:00:00:00:00:02", p[Ether].dst)
  end)

  it("keeps bytes past the IP total length as Padding", function()
    local p = Ether(frame .. ("\0"):rep(11))
    assert.equal("Ether / IP / UDP / Raw / Padding", names(p))
    assert.equal(("\0"):rep(11), p[pkt.Padding].load)
    assert.equal(frame .. ("\0"):rep(11), p:bytes())
  end)

  it("keeps bytes past the UDP length as Padding", function()
    local p = IP((IP{} / UDP{sport=1000, dport=2000, len=10} / "abcdef"):bytes())
    assert.equal("IP / UDP / Raw / Padding", names(p))
    assert.equal("ab", p[pkt.Raw].load)
    assert.equal("cdef", p[pkt.Padding].load)
  end)

  it("turns a header cut short into Raw marked truncated", function()
    local p = Ether(frame:sub(1, 14 + 12))
    assert.equal("Ether / Raw", names(p))
    assert.same({ "truncated", "IP" }, { p[2]:status() })
    assert.matches("truncated IP header", p:show(true), 1, true)
  end)

  it("marks an IP header length shorter than 20 bytes invalid", function()
    local b = frame:sub(1, 14) .. string.char(0x43) .. frame:sub(16)
    local p = Ether(b)
    assert.equal("invalid", p[IP]:status())
    assert.equal("Ether / IP / Raw", names(p))
  end)

  it("keeps what follows an unknown EtherType or protocol as Raw", function()
    assert.equal("Ether / Raw", names(Ether((Ether{type=0x88b5} / "zz"):bytes())))
    assert.equal("IP / Raw", names(IP((IP{proto=250} / "zz"):bytes())))
  end)

  it("does not parse the transport header of a later fragment", function()
    local p = IP((IP{frag=10, proto=17} / "\1\2\3\4\5\6\7\8"):bytes())
    assert.equal("IP / Raw", names(p))
  end)

  it("dissects the IP header and 8 bytes quoted in an ICMP error", function()
    local inner = (IP{src="198.51.100.2", dst="203.0.113.5"} / UDP{sport=4000, dport=33434} / ("x"):rep(32)):bytes()
    local err = IP{src="198.51.100.1", dst="198.51.100.2"} / ICMP{type=11, code=0} / inner:sub(1, 28)
    local p = IP(err:bytes())
    assert.equal("IP / ICMP / IPerror / UDPerror", names(p))
    assert.equal("203.0.113.5", p[pkt.IPerror].dst)
    assert.equal(60, p[pkt.IPerror].len)   -- quoted as sent, not enforced
    assert.equal(33434, p[pkt.UDPerror].dport)
    assert.equal("ok", p[pkt.IPerror]:status())
  end)

  it("keeps the fields of a quoted TCP header that fit in 8 bytes", function()
    local inner = (IP{src="198.51.100.2", dst="203.0.113.5"} / TCP{sport=4000, dport=80, seq=77}):bytes()
    local p = IP((IP{} / ICMP{type=3, code=3} / inner:sub(1, 28)):bytes())
    assert.equal("IP / ICMP / IPerror / TCPerror", names(p))
    assert.equal(77, p[pkt.TCPerror].seq)
    assert.is_nil(p[pkt.TCPerror].fields.window)
  end)

  it("dissects 802.1Q tags, stacked", function()
    local b = (Ether{} / Dot1Q{vlan=10} / Dot1Q{vlan=20} / ARP{pdst="198.51.100.7"}):bytes()
    local p = Ether(b)
    assert.equal("Ether / Dot1Q / Dot1Q / ARP", names(p))
    assert.equal(20, p:getlayer(Dot1Q, 2).vlan)
    assert.equal("198.51.100.7", p[ARP].pdst)
  end)

  it("marks ARP for other address sizes invalid rather than misreading it", function()
    local b = (ARP{hwlen=8}):bytes() .. "\0\0\0\0"
    local p = ARP(b)
    assert.equal("invalid", p[ARP]:status())
  end)

  it("reads TCP options, unknown and malformed ones kept raw", function()
    local t = IP((IP{} / TCP{options={{"MSS", 1400}, {77, "ab"}, "NOP"}}):bytes())
    local o = t[TCP].options
    assert.same({ "MSS", 1400 }, o[1])
    assert.same({ 77, "ab" }, o[2])
    assert.same({ "NOP" }, o[3])
    -- an option length running past the header
    local b = (IP{} / TCP{options={{"MSS", 1}}}):bytes()
    b = b:sub(1, 41) .. "\9" .. b:sub(43)
    local m = IP(b)[TCP].options
    assert.equal(2, m[1][1])
    assert.is_true(m[1].malformed)
    local r = IP(b):copy()
    r:clear_cache()   -- rebuild from its fields, not from the bytes read
    assert.equal(b, r:bytes())
  end)

  it("never fails on any prefix of a packet, and keeps every byte", function()
    local samples = {
      frame,
      (Ether{} / IP{options="\148\4\0\0"} / TCP{options={{"MSS", 1460}, {"SAckOK"}, {"Timestamp", {5, 6}}}} / "data"):bytes(),
      (Ether{} / IP{} / ICMP{type=3} / pkt.IPerror{} / pkt.TCPerror{}):bytes(),
      (Ether{} / Dot1Q{} / ARP{}):bytes(),
    }
    for _, s in ipairs(samples) do
      for n = 0, #s do
        local cut = s:sub(1, n)
        local p = Ether(cut)
        assert.equal(cut, p:bytes())
        assert.is_string(p:summary())
        assert.is_string(p:show(true))
      end
    end
  end)

  it("survives random bytes", function()
    math.randomseed(12345)
    for _ = 1, 3000 do
      local t = {}
      for i = 1, math.random(0, 80) do t[i] = string.char(math.random(0, 255)) end
      local s = table.concat(t)
      -- bias towards plausible headers so deeper layers get exercised
      if #s > 14 and math.random() < 0.7 then
        s = s:sub(1, 12) .. "\8\0" .. string.char(0x45 + math.random(0, 3)) .. s:sub(16)
      end
      local p = Ether(s)
      assert.equal(s, p:bytes())
      p:summary()
      IP(s):show(true)
    end
  end)
end)
