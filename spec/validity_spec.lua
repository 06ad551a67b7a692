-- Headers that are not what the layer below says they are: an IPv4
-- header of another version, ARP with other address sizes, an Ethernet
-- type that is an 802.3 length, RARP.  Each capture is written by Scapy
-- at test time and read by pktlua and by tshark.
local pkt = require "pkt"
local Ether, IP, ARP, Raw = pkt.Ether, pkt.IP, pkt.ARP, pkt.Raw
local Dot3, LLC = pkt.Dot3, pkt.LLC

local PY = "import logging, struct\nlogging.getLogger('scapy').setLevel(logging.ERROR)\n"
  .. "from scapy.all import *\n"

-- Runs a Scapy script with `path` bound to a fresh file name; returns the
-- path and what the script printed.
local function scapy(script)
  local path = os.tmpname()
  local py = H.tmpfile(PY .. ("path = %q\n"):format(path) .. script)
  local out, status = H.run(H.python .. " " .. py .. " 2>&1")
  os.remove(py)
  assert(status == 0, "Scapy failed: " .. out)
  return path, out
end

-- tshark's values of some fields of the first frame of a capture.
local function tshark_fields(path, fields)
  local cmd = { "tshark -n -r", H.shquote(path), "-T fields -E occurrence=f" }
  for _, f in ipairs(fields) do cmd[#cmd + 1] = "-e " .. f end
  local out = H.run(table.concat(cmd, " ") .. " 2>/dev/null")
  local t, i = {}, 0
  for v in (out:match("^[^\n]*") .. "\t"):gmatch("([^\t]*)\t") do
    i = i + 1
    t[fields[i]] = v
  end
  return t
end

local files = {}

-- A capture Scapy writes (the script writes to `path`), what the script
-- printed, and tshark's values of fields of its first frame.
local function capture(script, fields)
  local path, out = scapy(script)
  files[#files + 1] = path
  return path, out, tshark_fields(path, fields)
end

local function names(p)
  local t = {}
  for i, l in ipairs(p:layers()) do t[i] = l.name end
  return table.concat(t, ",")
end

describe("a header the layer below names wrongly", function()
  after_each(function()
    for _, f in ipairs(files) do os.remove(f) end
    files = {}
  end)

  it("IP of a version other than 4 in a raw-IP capture stays bytes, unchanged", function()
    local path, out, t = capture("wrpcap(path, [IPv6(src='2001:db8::1', dst='2001:db8::2')/ICMPv6EchoRequest(id=7)], linktype=101)\n"
      .. "print(raw(rdpcap(path)[0]).hex())",
      { "frame.protocols" })
    assert.equal("raw:ipv6:icmpv6", t["frame.protocols"])
    local p = pkt.rdpcap(path)[1]
    assert.is_nil(p[IP])
    assert.equal("Raw", names(p))
    assert.not_matches("0%.0%.0%.0", p:summary())
    assert.equal(out:match("%x+"), H.hex(p:bytes()))
    -- edited and written back: nothing rewrites the IPv6 header
    p[Raw].load = p[Raw].load
    assert.equal(out:match("%x+"), H.hex(p:bytes()))
  end)

  it("Ether type 0x0800 with version 5 is not IPv4 (tshark: bogus version)", function()
    local path, out, t = capture("p = Ether(src='02:00:00:00:00:01', dst='02:00:00:00:00:02')"
      .. "/IP(version=5, src='198.51.100.1', dst='198.51.100.2')/ICMP()\n"
      .. "wrpcap(path, [p])\nprint(raw(p).hex())",
      { "ip.version", "_ws.expert.message" })
    assert.equal("5", t["ip.version"])
    assert.matches("Bogus", t["_ws.expert.message"])
    local b = H.unhex(out:match("%x+"))
    local p = Ether(b)
    assert.is_nil(p[IP])
    assert.equal("Ether,Raw", names(p))
    assert.equal(b:sub(15), p[Raw].load)
    assert.equal(b, p:bytes())
    -- and alone: IP(bytes) of another version is Raw as well
    assert.is_nil(IP(b:sub(15))[IP])
    assert.equal(4, IP(IP{}:bytes())[IP].version)
  end)

  it("ARP with 14-byte hardware addresses keeps them as bytes, not read at 6/4 offsets", function()
    local path, out, t = capture("hw, hd = bytes(range(1, 15)), bytes(range(21, 35))\n"
      .. "arp = struct.pack('!HHBBH', 6, 0x0800, 14, 4, 1) + hw + bytes([198, 51, 100, 1]) + hd + bytes([198, 51, 100, 2])\n"
      .. "wrpcap(path, [Ether(src='02:00:00:00:00:01', dst='ff:ff:ff:ff:ff:ff', type=0x0806)/Raw(arp)])",
      { "arp.hw.size", "arp.opcode", "arp.src.proto_ipv4", "arp.dst.proto_ipv4" })
    assert.equal("14", t["arp.hw.size"])
    local p = pkt.rdpcap(path)[1]
    local a = p[ARP]
    assert.is_not_nil(a)
    assert.equal(14, a.hwlen)
    assert.equal(4, a.plen)
    assert.equal(tonumber(t["arp.opcode"]), a.op)
    -- the addresses are kept as bytes, where tshark finds them
    local load = p[Raw].load
    assert.equal(2 * (14 + 4), #load)
    local function dotted(s) return table.concat({ s:byte(1, 4) }, ".") end
    assert.equal(t["arp.src.proto_ipv4"], dotted(load:sub(15, 18)))
    assert.equal(t["arp.dst.proto_ipv4"], dotted(load:sub(33, 36)))
    -- and none is read at Ethernet/IPv4 offsets (a dissected layer's
    -- absent field reads as its default)
    assert.not_equal(dotted(load:sub(7, 10)), a.psrc)
    assert.not_equal(dotted(load:sub(21, 24)), a.pdst)
    assert.equal("00:00:00:00:00:00", a.hwsrc)
    -- the layer says it is invalid
    assert.matches("invalid", p:show(true))
    assert.equal(pkt.rdpcap(path)[1]:bytes(), p:bytes())
  end)

  it("an Ethernet type of 1500 or less is an 802.3 length: Dot3 / LLC, as Scapy dissects", function()
    local path, out, t = capture("p = Dot3(src='02:00:00:00:00:01', dst='01:80:c2:00:00:00')"
      .. "/LLC(dsap=0xe0, ssap=0xe0, ctrl=3)/Raw(b'ipx payload')\n"
      .. "b = raw(p) + b'\\x00' * 10\nwrpcap(path, [Ether(b)])\nq = Ether(b)\n"
      .. "print(b.hex(), ','.join(l.__name__ for l in q.layers()), q.len, q[LLC].dsap, q[LLC].ctrl)",
      { "eth.len", "eth.type", "llc.dsap" })
    local hex, layers, len, dsap, ctrl = out:match("(%x+) (%S+) (%d+) (%d+) (%d+)")
    assert.equal(len, t["eth.len"])
    assert.equal("", t["eth.type"])
    local p = Ether(H.unhex(hex))
    assert.is_nil(p[Ether])
    assert.equal(layers, names(p))
    assert.equal(tonumber(len), p[Dot3].len)
    assert.equal(tonumber(dsap), p[LLC].dsap)
    assert.equal(tonumber(ctrl), p[LLC].ctrl)
    assert.equal("ipx payload", p[Raw].load)
    assert.matches("^802%.3 02:00:00:00:00:01 > 01:80:c2:00:00:00", p:summary())
    assert.equal(hex, H.hex(p:bytes()))
    -- built, the length is the payload's, as Scapy computes it
    assert.equal(hex:sub(1, -21), H.hex((Dot3{src="02:00:00:00:00:01", dst="01:80:c2:00:00:00"}
      / LLC{dsap=0xe0, ssap=0xe0, ctrl=3} / "ipx payload"):bytes()))
  end)

  it("RARP (EtherType 0x8035) dissects as ARP, as tshark does", function()
    local path, out, t = capture("p = Ether(src='02:00:00:00:00:01', dst='ff:ff:ff:ff:ff:ff', type=0x8035)"
      .. "/ARP(op=3, hwsrc='02:00:00:00:00:01', hwdst='02:00:00:00:00:01', psrc='198.51.100.1', pdst='198.51.100.2')\n"
      .. "wrpcap(path, [p])\na = ARP(raw(p)[14:])\nprint(a.op, a.hwsrc, a.psrc, a.pdst)",
      { "frame.protocols", "arp.opcode" })
    local op, hwsrc, psrc, pdst = out:match("(%d+) (%S+) (%S+) (%S+)")
    assert.equal("eth:ethertype:arp", t["frame.protocols"])
    local p = pkt.rdpcap(path)[1]
    assert.equal("Ether,ARP", names(p))
    assert.equal(tonumber(t["arp.opcode"]), p[ARP].op)
    assert.equal(tonumber(op), p[ARP].op)
    assert.equal(hwsrc, p[ARP].hwsrc)
    assert.equal(psrc, p[ARP].psrc)
    assert.equal(pdst, p[ARP].pdst)
    assert.equal(0x8035, p[Ether].type)
    -- building ARP on Ethernet still says ARP's own type
    assert.equal(0x0806, Ether((Ether{} / ARP{}):bytes())[Ether].type)
  end)
end)
