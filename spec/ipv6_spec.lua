-- IPv6 without a network: fragment6 and defragment6 against Scapy's own,
-- the overloads neighbour discovery makes on the IPv6 header, and the
-- errors for bad input.
local pkt = require "pkt"

-- Runs Python lines after `from scapy.all import *`; returns stdout.
local function scapy(lines)
  local path = H.tmpfile("import logging\nlogging.getLogger('scapy').setLevel(logging.CRITICAL)\n"
    .. "from scapy.all import *\n" .. lines .. "\n")
  local out, status = H.run(H.python .. " " .. path .. " 2>&1")
  os.remove(path)
  assert.equal(0, status, out)
  return out
end

local function hexes(list)
  local t = {}
  for i, p in ipairs(list) do t[i] = H.hex(p:bytes()) end
  return table.concat(t, "\n") .. "\n"
end

describe("fragment6 and defragment6", function()
  local cases = {
    -- { pktlua, Scapy, fragment size }
    { 'Ether{src="02:00:00:00:00:01", dst="02:00:00:00:00:02"}/IPv6{src="2001:db8::1", dst="2001:db8::2"}'
        .. '/IPv6ExtHdrFragment{id=77}/UDP{sport=1000, dport=2000}/("abcdefghij"):rep(30)',
      'Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IPv6(src="2001:db8::1", dst="2001:db8::2")'
        .. '/IPv6ExtHdrFragment(id=77)/UDP(sport=1000, dport=2000)/("abcdefghij"*30)', 150 },
    { 'IPv6{src="2001:db8::1", dst="2001:db8::2", hlim=9}/IPv6ExtHdrFragment{id=0x12345678}'
        .. '/ICMPv6EchoRequest{id=1, seq=2, data=("\\0\\1\\2\\3"):rep(750)}',
      'IPv6(src="2001:db8::1", dst="2001:db8::2", hlim=9)/IPv6ExtHdrFragment(id=0x12345678)'
        .. '/ICMPv6EchoRequest(id=1, seq=2, data=b"\\0\\1\\2\\3"*750)', 1280 },
    { 'IPv6{src="2001:db8::1", dst="2001:db8::2"}/IPv6ExtHdrFragment{id=5}/TCP{sport=1, dport=2}/"fits"',
      'IPv6(src="2001:db8::1", dst="2001:db8::2")/IPv6ExtHdrFragment(id=5)/TCP(sport=1, dport=2)/"fits"', 1280 },
  }

  for _, c in ipairs(cases) do
    it(("cuts %s as Scapy does and puts it back together"):format(c[1]:sub(1, 60)), function()
      local p = assert(load("return " .. c[1], "=case", "t", pkt))()
      local frags = pkt.fragment6(p, c[3])
      local first = c[2]:match("^(%w+)%(")
      local want = scapy(("fs = fragment6(%s, %d)\nfor f in fs: print(raw(f).hex())\n"
        .. "d = defragment6([%s(raw(f)) for f in fs])\nprint(raw(d).hex())"):format(c[2], c[3], first))
      local whole = pkt.defragment6(frags)
      assert.equal(want, hexes(frags) .. H.hex(whole:bytes()) .. "\n")
      for _, f in ipairs(frags) do assert.is_true(#f:bytes() <= c[3]) end
    end)
  end

  it("adds a Fragment header with a random id to a packet without one", function()
    local p = pkt.IPv6{src="2001:db8::1", dst="2001:db8::2"}/pkt.UDP{sport=1, dport=2}/("x"):rep(3000)
    local frags = pkt.fragment6(p, 1280)
    assert.equal(3, #frags)
    local id = frags[1][pkt.IPv6ExtHdrFragment].id
    for i, f in ipairs(frags) do
      assert.equal(44, f.nh)
      assert.equal(id, f[pkt.IPv6ExtHdrFragment].id)
      assert.equal(17, f[pkt.IPv6ExtHdrFragment].nh)
      assert.equal(i < 3 and 1 or 0, f[pkt.IPv6ExtHdrFragment].m)
    end
    local whole = pkt.defragment6(frags)
    assert.equal(H.hex(p:bytes()), H.hex(whole:bytes()))
  end)

  it("fills a missing piece with X as Scapy does", function()
    local p = pkt.IPv6{src="2001:db8::1", dst="2001:db8::2"}/pkt.IPv6ExtHdrFragment{id=9}/pkt.Raw{load=("a"):rep(200)}
    local frags = pkt.fragment6(p, 100)
    table.remove(frags, 2)
    local want = scapy([[
fs = fragment6(IPv6(src="2001:db8::1", dst="2001:db8::2")/IPv6ExtHdrFragment(id=9)/Raw(load=b"a"*200), 100)
del fs[1]
print(raw(defragment6([IPv6(raw(f)) for f in fs])).hex())]])
    assert.equal(want, H.hex(pkt.defragment6(frags):bytes()) .. "\n")
  end)

  it("says what is wrong with its arguments", function()
    assert.has_error(function() pkt.fragment6(pkt.IP{}, 1280) end, "fragment6: takes IPv6 packets (IPv6 / ...)")
    assert.has_error(function() pkt.fragment6(pkt.IPv6{}, "big") end,
      "fragment6: the size is a whole number of bytes (the largest fragment)")
    assert.has_error(function() pkt.fragment6(pkt.IPv6{}/("x"):rep(100), 50) end,
      "fragment6: a size of 50 leaves no room for data; give more than 55")
    assert.has_error(function() pkt.defragment6("x") end, "defragment6: takes a list of packets")
    assert.is_nil(pkt.defragment6({ pkt.IPv6{} }))
  end)
end)

describe("neighbour discovery under IPv6", function()
  it("sends to the all-nodes group (all-routers for a solicitation) with hop limit 255, as Scapy", function()
    for _, c in ipairs { "ICMPv6ND_NS", "ICMPv6ND_NA", "ICMPv6ND_RA", "ICMPv6ND_RS", "ICMPv6ND_Redirect" } do
      local p = pkt.IPv6{src="fe80::1"} / pkt[c]{}
      local want = scapy(('print(raw(IPv6(src="fe80::1")/%s()).hex())'):format(c))
      assert.equal(want, H.hex(p:bytes()) .. "\n")
    end
  end)

  it("keeps a destination and hop limit that are set", function()
    local p = pkt.IPv6{src="fe80::1", dst="2001:db8::2", hlim=7} / pkt.ICMPv6ND_NS{tgt="2001:db8::2"}
    local q = pkt.IPv6(p:bytes())
    assert.equal("2001:db8::2", q.dst)
    assert.equal(7, q.hlim)
  end)
end)
