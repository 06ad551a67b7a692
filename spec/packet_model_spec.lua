-- The packet object as Scapy's: a layer is the packet from that layer
-- down, payloads can be read, removed and replaced, fields the stack
-- decides read as they will be built, constructors copy their table.
-- Each case is checked against Scapy's own answer, computed here.
local pkt = require "pkt"
local IP, UDP, TCP, ICMP, Ether, ARP, Raw = pkt.IP, pkt.UDP, pkt.TCP, pkt.ICMP, pkt.Ether,
  pkt.ARP, pkt.Raw

local A = { src = "198.51.100.1", dst = "198.51.100.2" }
local SA = 'src="198.51.100.1", dst="198.51.100.2"'

-- { what, pktlua function -> value (bytes as hex), Scapy expression }
local cases = {
  { "len(p[TCP]) counts the TCP header and what it carries",
    function() return #(IP(A) / TCP{} / ("x"):rep(13))[TCP] end,
    'len((IP(' .. SA .. ')/TCP()/(b"x"*13))[TCP])' },
  { "raw(p[IP]) is the packet from IP down",
    function() return H.hex((Ether{} / IP(A) / UDP{} / "hi")[IP]:bytes()) end,
    'raw((Ether()/IP(' .. SA .. ')/UDP()/b"hi")[IP]).hex()' },
  { "p[UDP]:copy() is a packet of its own, from UDP down",
    function()
      local p = IP(A) / UDP{dport=7} / "hi"
      local c = p[UDP]:copy()
      c.dport = 8
      return H.hex(p:bytes()) .. " " .. H.hex(c:bytes())
    end,
    'raw(IP(' .. SA .. ')/UDP(dport=7)/b"hi").hex()+" "+raw(UDP(dport=8)/b"hi").hex()' },
  { "IP's proto under ICMP reads as it will be built",
    function() return (IP{} / ICMP{})[IP].proto end, '(IP()/ICMP())[IP].proto' },
  { "Ether's type under IP reads as it will be built",
    function() return (Ether{} / IP{})[Ether].type end, '(Ether()/IP())[Ether].type' },
  { "Ether's type under ARP reads as it will be built",
    function() return (Ether{} / ARP{}).type end, '(Ether()/ARP()).type' },
  { "a computed length reads nil until built, then its value",
    function()
      local p = IP(A) / UDP{} / "abc"
      return tostring(p[UDP].len) .. " " .. p:built()[UDP].len
    end,
    '"nil "+str(IP(raw(IP(' .. SA .. ')/UDP()/b"abc"))[UDP].len)' },
  { "an edit through a layer changes the packet",
    function()
      local p = IP(A) / UDP{} / "x"
      local u = p[UDP]
      u.dport = 4242
      return H.hex(p:bytes())
    end,
    'p=IP(' .. SA .. ')/UDP()/b"x"; u=p[UDP]; u.dport=4242; raw(p).hex()' },
  { "the payload of a layer is the next layer",
    function()
      local p = IP(A) / TCP{} / "data"
      return p[TCP].payload.load .. " " .. p[TCP].payload:name() .. " " .. tostring(p[Raw].payload)
    end,
    'p=IP(' .. SA .. ')/TCP()/b"data"; p[TCP].payload.load.decode()+" "+p[TCP].payload.name+" nil"' },
  { "remove_payload() drops the layers above, lengths follow",
    function()
      local p = IP(A) / UDP{sport=1, dport=2} / "hello"
      p[UDP]:remove_payload()
      return H.hex(p:bytes())
    end,
    'p=IP(' .. SA .. ')/UDP(sport=1, dport=2)/b"hello"; p[UDP].remove_payload(); raw(p).hex()' },
  { "payload = nil does the same",
    function()
      local p = IP(A) / UDP{sport=1, dport=2} / "hello"
      p[UDP].payload = nil
      return H.hex(p:bytes())
    end,
    'p=IP(' .. SA .. ')/UDP(sport=1, dport=2)/b"hello"; p[UDP].remove_payload(); raw(p).hex()' },
  { "a new payload on a captured packet: lengths and checksums computed again",
    function()
      local q = IP((IP(A) / UDP{sport=1, dport=2} / "hello"):bytes())
      q[UDP].payload = "a longer payload"
      return H.hex(q:bytes())
    end,
    'raw(IP(' .. SA .. ')/UDP(sport=1, dport=2)/b"a longer payload").hex()' },
  { "a new payload that is a packet",
    function()
      local p = IP(A) / UDP{sport=1, dport=2} / "old"
      p[IP].payload = TCP{dport=80} / "new"
      return H.hex(p:bytes())
    end,
    'raw(IP(' .. SA .. ')/TCP(dport=80)/b"new").hex()' },
  { "a checksum set after the edit stays as set",
    function()
      local q = IP((IP(A) / UDP{sport=1, dport=2} / "hello"):bytes())
      q[UDP].payload = "other"
      q[UDP].chksum = 0x1234
      return H.hex(q:bytes())
    end,
    'raw(IP(' .. SA .. ')/UDP(sport=1, dport=2, chksum=0x1234)/b"other").hex()' },
  { "a layer stacks on another packet, as Scapy's Ether()/p[IP]",
    function()
      local p = Ether{} / IP(A) / ICMP{} / "ping"
      return H.hex((Ether{src="02:00:00:00:00:08", dst="02:00:00:00:00:09"} / p[IP]):bytes())
    end,
    'p=Ether()/IP(' .. SA .. ')/ICMP()/b"ping"; raw(Ether(src="02:00:00:00:00:08", dst="02:00:00:00:00:09")/p[IP]).hex()' },
  { "the last layer",
    function() return (IP(A) / UDP{} / "z"):lastlayer():name() end,
    '(IP(' .. SA .. ')/UDP()/b"z").lastlayer().name' },
}

local scapy_out
local function scapy()
  if scapy_out then return scapy_out end
  -- a case is statements then an expression, separated by "; "
  local lines = { "from scapy.all import *" }
  for _, c in ipairs(cases) do
    local stmts, last = {}, nil
    for s in (c[3] .. ";"):gmatch("(.-);%s*") do stmts[#stmts + 1] = s end
    last = table.remove(stmts)
    for _, s in ipairs(stmts) do lines[#lines + 1] = s end
    lines[#lines + 1] = "print(" .. last .. ")"
  end
  local path = H.tmpfile(table.concat(lines, "\n") .. "\n")
  local out, st = H.run(H.python .. " " .. path .. " 2>&1")
  os.remove(path)
  assert(st == 0, "Scapy failed: " .. out)
  scapy_out = {}
  for line in out:gmatch("[^\n]+") do
    if not line:match("^WARNING") then scapy_out[#scapy_out + 1] = line end
  end
  return scapy_out
end

describe("the packet model, against Scapy", function()
  for i, c in ipairs(cases) do
    it(c[1], function()
      assert.equal(scapy()[i], tostring(c[2]()))
    end)
  end
end)

describe("constructors", function()
  it("copy the table they are given: a loop reusing one table makes distinct packets", function()
    local f, ps = { dst = "198.51.100.2" }, {}
    for ttl = 1, 3 do
      f.ttl = ttl
      ps[ttl] = IP(f)
    end
    assert.same({ 1, 2, 3 }, { ps[1].ttl, ps[2].ttl, ps[3].ttl })
  end)

  it("leave the caller's table as it was", function()
    local t = { proto = "udp", options = { { "MSS", 1460 } } }
    local p = IP{ proto = t.proto } / TCP{ options = t.options }
    assert.equal("udp", t.proto)
    assert.same({ { "MSS", 1460 } }, t.options)
    t.options[1][2] = 1
    assert.equal(1460, p[TCP].options[1][2])
  end)
end)

describe("a layer of a packet", function()
  it("is a packet: every method works on it", function()
    local p = Ether{} / IP(A) / UDP{sport=5, dport=6} / "x"
    local ip = p[IP]
    assert.is_true(pkt.is_packet(ip))
    assert.equal("IP / UDP / Raw", ip:summary_names())
    assert.equal(#p - 14, #ip)
    assert.matches("^###%[ IP %]###", ip:show(true))
    assert.equal(p:bytes():sub(15), ip:copy():bytes())
    assert.equal(ip, p[2])
    assert.equal(ip, p:getlayer(IP))
    assert.equal(p[UDP], ip[UDP])
    assert.equal(p[UDP], ip.payload)
    assert.equal(ip, p[UDP].underlayer)
  end)

  it("says so when its layer was removed from the packet", function()
    local p = IP(A) / UDP{} / "x"
    local raw = p[Raw]
    p[UDP]:remove_payload()
    local ok, err = pcall(function() return raw.load end)
    assert.is_false(ok)
    assert.matches("no longer in its packet", err)
  end)

  it("cannot be made its own payload", function()
    local p = IP(A) / UDP{}
    assert.has_error(function() p[UDP].payload = p end)
  end)
end)

describe("an edit of a captured ICMP error", function()
  it("computes the outer lengths and checksums again, not the quoted datagram's", function()
    -- the error quotes 28 bytes of a 126-byte datagram, as routers do
    local out = H.run(H.python .. [[ -c 'from scapy.all import *
d = raw(IP(src="198.51.100.2", dst="203.0.113.5")/UDP(sport=4000, dport=53)/(b"x"*98))
e = IP(raw(IP(src="198.51.100.1", dst="198.51.100.2")/ICMP(type=3, code=3)/d[:28]))
print(raw(e).hex(), e[IPerror].len, e[UDPerror].len, e[UDPerror].chksum, e[IPerror].chksum)' 2>/dev/null]])
    local hex, iplen, udplen, udpsum, ipsum = out:match("^(%x+) (%d+) (%d+) (%d+) (%d+)")
    assert.is_truthy(hex, out)
    local q = IP(H.unhex(hex))
    q[IP].ttl = 9
    local r = IP(q:bytes())
    assert.equal(9, r[IP].ttl)
    assert.equal(0, pkt.checksum(q:bytes():sub(1, 20)))
    assert.same({ tonumber(iplen), tonumber(udplen), tonumber(udpsum), tonumber(ipsum) },
      { r[pkt.IPerror].len, r[pkt.UDPerror].len, r[pkt.UDPerror].chksum, r[pkt.IPerror].chksum })
  end)
end)

describe("an edit of a captured first fragment", function()
  it("keeps the transport header, which describes the whole datagram", function()
    -- Scapy cuts a 1710-byte UDP datagram into fragments; pktlua edits
    -- the first, and Scapy reassembles the edited one with the rest
    local prog = [[
import sys
from scapy.all import *
d = IP(src="198.51.100.1", dst="198.51.100.2")/UDP(sport=4000, dport=53)/(b"x"*1702)
fs = fragment(d, 1480)
if len(sys.argv) > 1:
    fs[0] = IP(bytes.fromhex(sys.argv[1]))
    whole = IP(raw(defragment(fs)[0]))
    w2 = whole.copy()
    w2[UDP].chksum = None
    print(whole[IP].ttl, whole[UDP].len, whole[UDP].chksum == IP(raw(w2))[UDP].chksum)
else:
    print(raw(fs[0]).hex())
]]
    local path = H.tmpfile(prog)
    local hex = H.run(H.python .. " " .. path .. " 2>/dev/null"):match("%x+")
    local q = IP(H.unhex(hex))
    assert.equal("UDP", q[2]:name())
    q[IP].ttl = 9
    local out = H.run(H.python .. " " .. path .. " " .. H.hex(q:bytes()) .. " 2>/dev/null")
    os.remove(path)
    assert.equal("9 1710 True", out:match("[^\n]+"))
  end)
end)

describe("a captured frame over 65,535 bytes (GRO, BIG TCP)", function()
  it("is built again after an edit, its IPv4 total length 0 as Linux writes it", function()
    local small = (Ether{src="02:00:00:00:00:01", dst="02:00:00:00:00:02"}
      / IP{src="198.51.100.1", dst="198.51.100.2"} / TCP{dport=80, flags="A"}):bytes()
    -- Linux writes 0 where an IPv4 total length cannot hold the frame's
    local b = small:sub(1, 16) .. "\0\0" .. small:sub(19) .. ("z"):rep(80000)
    local q = Ether(b)
    assert.equal(b, q:bytes())
    q.dst = "02:00:00:00:00:09"
    local r = q:bytes()
    assert.equal(#b, #r)
    assert.equal("02:00:00:00:00:09", Ether(r).dst)
    assert.equal(0, Ether(r)[IP].len)
    assert.equal(0, pkt.checksum(r:sub(15, 34)))
    assert.equal(80000, #Ether(r)[Raw].load)
    -- a packet a script builds stays within what one IPv4 packet holds
    assert.has_error(function() return (IP{} / ("x"):rep(40000) / ("y"):rep(40000)):bytes() end)
  end)
end)
