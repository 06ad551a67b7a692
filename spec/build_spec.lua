-- Building: defaults, computed fields, user-set fields sent as set.
local pkt = require "pkt"
local IP, UDP, TCP, ICMP, Ether, ARP, Dot1Q, Raw =
  pkt.IP, pkt.UDP, pkt.TCP, pkt.ICMP, pkt.Ether, pkt.ARP, pkt.Dot1Q, pkt.Raw
local hex = H.hex

describe("building", function()
  it("stacks IP / UDP / string with lengths and checksums computed", function()
    local p = IP{src="1.2.3.4", dst="198.51.100.5"} / UDP{sport=8888, dport=9090} / "Hello UDP!\n"
    assert.equal(39, #p)
    assert.equal("450000270001000040114c8701020304c6336405" .. "22b823820013b7f7"
                 .. hex("Hello UDP!\n"), hex(p:bytes()))
  end)

  it("computes the IPv4 header checksum so that it verifies", function()
    local b = (IP{src="1.2.3.4", dst="198.51.100.5"} / UDP{}):bytes()
    assert.equal(0, pkt.checksum(b:sub(1, 20)))
  end)

  it("sends a user-set checksum as set, even when wrong", function()
    local p = IP{src="1.2.3.4", dst="5.6.7.8", chksum=0x1234} / UDP{chksum=0}
    local b = p:bytes()
    assert.equal("1234", hex(b:sub(11, 12)))
    assert.equal("0000", hex(b:sub(27, 28)))
  end)

  it("sends a computed UDP checksum of 0 as 0xffff", function()
    -- find a payload whose checksum comes out 0: adjust two bytes
    local base = IP{src="1.2.3.4", dst="5.6.7.8"} / UDP{sport=1, dport=2}
    local b = (base / "\0\0"):bytes()
    local c = b:byte(27) << 8 | b:byte(28)
    -- adding x to the data lowers the folded sum's complement by x
    local p = base / string.char(c >> 8, c & 0xff)
    local u = p:bytes()
    assert.equal("ffff", hex(u:sub(27, 28)))
  end)

  it("fills Ether.type and IP.proto from the layer above", function()
    local b = (Ether{} / IP{} / TCP{}):bytes()
    assert.equal("0800", hex(b:sub(13, 14)))
    assert.equal(6, b:byte(14 + 10))
    assert.equal("8100", hex((Ether{} / Dot1Q{} / ARP{}):bytes():sub(13, 14)))
    assert.equal("0806", hex((Ether{} / Dot1Q{} / ARP{}):bytes():sub(17, 18)))
  end)

  it("keeps a user-set next-protocol number", function()
    local b = (IP{proto=99} / UDP{}):bytes()
    assert.equal(99, b:byte(10))
  end)

  it("uses Scapy's defaults for an empty layer", function()
    assert.equal("ffffffffffff0000000000009000", hex(Ether():bytes()))
    assert.equal("45000014000100004000" .. "7ce7" .. "7f0000017f000001", hex(IP():bytes()))
    -- no IP below: no pseudo-header, checksum left 0 as Scapy does
    assert.equal("0035003500080000", hex(UDP():bytes()))
  end)

  it("pads IP and TCP options to 32 bits and counts them in ihl and dataofs", function()
    local ip = IP{options="\148\4\0\0\1"}
    assert.equal(0x47, ip:bytes():byte(1))
    assert.equal(28, #ip)
    local t = TCP{options={{"MSS", 1460}, "NOP", {"WScale", 7}}}
    local b = t:bytes()
    assert.equal(28, #b)
    assert.equal(7, b:byte(13) >> 4)
    assert.equal("020405b401030307", hex(b:sub(21, 28)))
  end)

  it("encodes every TCP option kind", function()
    local t = TCP{options={{"MSS", 1460}, {"SAckOK"}, {"Timestamp", {1, 2}}, "NOP",
                           {"WScale", 3}, {"SAck", {10, 20}}, {"EOL"}}}
    assert.equal("020405b40402080a00000001000000020103030305"
                 .. "0a0000000a000000140000", hex(t:bytes():sub(21)))
    local u = TCP{options={{99, "ab"}}}
    assert.equal("63046162", hex(u:bytes():sub(21)))
  end)

  it("accepts TCP flags as letters or numbers", function()
    assert.equal(0x12, (TCP{flags="SA"}):bytes():byte(14))
    assert.equal(0x18, (TCP{flags="PA"}):bytes():byte(14))
    assert.equal(0x11, (TCP{flags=17}):bytes():byte(14))
    assert.equal(1, (TCP{flags="N"}):bytes():byte(13) & 1)
  end)

  it("accepts names for enumerated fields", function()
    assert.equal(17, (IP{proto="udp"}):bytes():byte(10))
    local b = (ICMP{type="dest-unreach", code="port-unreachable"}):bytes()
    assert.equal(3, b:byte(1)); assert.equal(3, b:byte(2))
    assert.equal(2, (ARP{op="is-at"}):bytes():byte(8))
  end)

  it("lays ICMP out by type", function()
    assert.equal(8, #ICMP{type="echo-request", id=1, seq=2})
    assert.equal("0000000000010002", hex((ICMP{type=0, id=1, seq=2, chksum=0}):bytes()))
    assert.equal("0500000001020304", hex((ICMP{type=5, gw="1.2.3.4", chksum=0}):bytes()))
    assert.equal("0300000000000578", hex((ICMP{type=3, nexthopmtu=1400, chksum=0}):bytes()))
    assert.equal(20, #ICMP{type=13})
  end)

  it("computes the ICMP checksum over header and payload", function()
    local b = (ICMP{id=7, seq=1} / "abc"):bytes()
    assert.equal(0, pkt.checksum(b))
  end)

  it("stacks an IP header and 8 bytes quoted in an ICMP error", function()
    local p = IP{src="5.6.7.8", dst="1.2.3.4"} / ICMP{type=3, code=3}
            / pkt.IPerror{src="1.2.3.4", dst="5.6.7.8"} / pkt.UDPerror{sport=1, dport=2}
    assert.equal(56, #p)
    assert.equal(17, p:bytes():byte(28 + 10))
  end)

  it("writes and reads back addresses as the bytes say, every octet width", function()
    local seed = 20261127
    local function byte() seed = (seed * 1103515245 + 12345) % 2147483648; return seed >> 16 & 255 end
    for i = 1, 500 do
      local o = { byte(), byte(), i % 10, i % 100, i % 256, byte() }
      local ip = ("%d.%d.%d.%d"):format(o[1], o[2], o[3], o[6])
      local mac = ("%02x:%02x:%02x:%02x:%02x:%02x"):format(o[6], o[5], o[4], o[3], o[2], o[1])
      local b = (pkt.Ether{src=mac:upper()} / IP{dst=ip}):bytes()
      assert.equal(string.char(o[6], o[5], o[4], o[3], o[2], o[1]), b:sub(7, 12))
      assert.equal(string.char(o[1], o[2], o[3], o[6]), b:sub(31, 34))
      local p = pkt.Ether(b)
      assert.equal(mac, p[pkt.Ether].src)
      assert.equal(ip, p[IP].dst)
    end
    assert.equal("255.255.255.255", IP(IP{dst="255.255.255.255"}:bytes()).dst)
    assert.equal("0.0.0.0", IP(IP{dst="0.0.0.0"}:bytes()).dst)
  end)

  it("lets a class stand for its default layer in a stack", function()
    assert.equal((IP() / UDP()):bytes(), (IP / UDP):bytes())
  end)

  it("refuses a packet longer than 65535 bytes", function()
    assert.has_error(function() return (IP() / ("x"):rep(70000)):bytes() end)
  end)
end)
