-- Implicit packet sets (pkt/sets.lua) beside Scapy's: the same packets,
-- in the same order, byte for byte, counted without being built; sent
-- and sr'd in a lab as Scapy sends them.
local pkt = require "pkt"
local netlab = require "netlab"
local sh = H.shquote

local PRELUDE = "import logging\nlogging.getLogger('scapy').setLevel(logging.ERROR)\n"
  .. "from scapy.all import *\n"

local function py(code, run)
  local path = H.tmpfile(PRELUDE .. code)
  local out, st = (run or H.run)(H.python .. " " .. path .. " 2>&1")
  os.remove(path)
  assert.equal(0, st, out)
  return out
end

local function lua(code, run)
  local out, st = (run or H.run)(H.pktlua .. " -e " .. sh(code) .. " 2>&1")
  assert.equal(0, st, out)
  return out
end

-- Each case: a Scapy packet with implicit sets and its pktlua spelling.
local cases = {
  { 'IP(src="198.51.100.1", dst="198.51.100.0/30", ttl=(1,2))/TCP(sport=1234, dport=[22,80])',
    'IP{src="198.51.100.1", dst="198.51.100.0/30", ttl=range(1,2)}/TCP{sport=1234, dport=each{22,80}}' },
  { 'IP(src="198.51.100.1", dst=["198.51.100.9", "198.51.100.0/31"])/ICMP(id=(5,7))',
    'IP{src="198.51.100.1", dst=each{"198.51.100.9", "198.51.100.0/31"}}/ICMP{id=range(5,7)}' },
  { 'Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IP(src="198.51.100.1", dst="198.51.100.2", tos=[0,16], id=[1,2])/UDP(sport=(1000,1002), dport=53)/"x"',
    'Ether{src="02:00:00:00:00:01", dst="02:00:00:00:00:02"}/IP{src="198.51.100.1", dst="198.51.100.2", tos=each{0,16}, id=each{1,2}}/UDP{sport=range(1000,1002), dport=53}/"x"' },
  -- a network in the source field turns it too
  { 'IP(src="203.0.113.0/28", dst="198.51.100.1")',
    'IP{src="203.0.113.0/28", dst="198.51.100.1"}' },
}

describe("implicit packet sets", function()
  it("iterate the packets Scapy iterates, in its order, byte for byte, and count them", function()
    local pyc, luac = {}, {}
    for i, c in ipairs(cases) do
      pyc[i] = ('s = %s\nprint(len(list(s)))\nfor q in s: print(raw(q).hex())\nprint("--")'):format(c[1])
      luac[i] = ('do local s = %s\nprint(#s)\nfor q in s:each() do print(H(q:bytes())) end\nprint("--") end')
        :format(c[2])
    end
    local want = py(table.concat(pyc, "\n"))
    local got = lua('local function H(b) return (b:gsub(".", function(c) return ("%02x"):format(c:byte()) end)) end\n'
      .. table.concat(luac, "\n"))
    assert.equal(want, got)
    assert.matches("^16\n", want)
  end)

  it("count without building: a /8 of ports is known at once", function()
    local s = pkt.IP{ dst = "198.51.0.0/16" } / pkt.TCP{ dport = pkt.range(1, 1024) }
    assert.equal(65536 * 1024, #s)
    assert.equal("198.51.255.255", s[#s].dst)
    assert.equal(1024, s[#s].dport)
    assert.equal("198.51.0.1", s[1025].dst)
    assert.is_nil(s[#s + 1])
  end)

  it("keep every other spelling: a table of options, a plain address, a string", function()
    local p = pkt.TCP{ options = { { "MSS", 1460 } } }
    assert.is_true(pkt.is_packet(p))
    assert.is_true(pkt.is_packet(pkt.IP{ dst = "198.51.100.7" }))
    assert.is_true(pkt.is_packet(pkt.IP{ options = "ab/cd" }))
    -- a set of option lists is one on purpose
    assert.equal(2, #pkt.TCP{ options = pkt.each{ { { "MSS", 1460 } }, {} } })
  end)

  it("name a bad value at the script's line", function()
    local cases_ = {
      { 'IP{dst="198.51.100.0/33"}', "IP.dst: '198.51.100.0/33' is not an IPv4 network" },
      { 'TCP{dport=each{"x"}}', "TCP.dport" },
      { 'TCP{dport=range(3, 1)}', "low end is above the high end" },
      { 'TCP{dport=range(1, 70000)}', "TCP.dport" },
      { 'local s = IP{dst="198.51.100.0/30"}; print(s.dst)', "take one packet, s[1].dst" },
      { 'each{}', "each{...} takes a list" },
    }
    for _, c in ipairs(cases_) do
      local out, st = H.run(H.pktlua .. " -e " .. sh(c[1]) .. " 2>&1")
      assert.is_not.equal(0, st, c[1])
      assert.matches("%(command line%):1: ", out, 1)
      assert.matches(c[2], out, 1, true)
    end
  end)

  it("complete a set's methods in the REPL", function()
    assert.same({ "each", "expand", "show", "summary" }, pkt.complete_names(pkt.IP{ dst = "198.51.100.0/30" }))
    assert.is_truthy(#pkt.complete_names(pkt.IP()) > 10)
  end)

  it("show the fields as written, as Scapy shows them", function()
    local out = lua('IP{dst="198.51.100.0/29", ttl=range(1, 3)}:show()')
    assert.matches("\n  ttl%s+= range%(1, 3%)\n", out)
    assert.matches("\n  dst%s+= 198.51.100.0/29\n", out)
    assert.equal("<16 packets: IP dst=198.51.100.0/29 / TCP dport=each{22, 80}>\n",
      lua('print(IP{dst="198.51.100.0/29"}/TCP{dport=each{22, 80}})'))
  end)
end)

local missing = H.lab_missing({ "tcpdump" })
if missing then
  describe("implicit packet sets on a network", function() pending(missing) end)
  return
end

describe("implicit packet sets on a network", function()
  local lab
  setup(function() lab = netlab.pair() end)
  teardown(function() if lab then lab:down() end end)
  local function in_a(cmd) local out, st, err = lab:run("a", cmd); return out .. (err or ""), st end

  it("send() sends the product, as tcpdump in the peer sees; sr() pairs each reply", function()
    local cap = os.tmpname()
    local dump = lab:spawn("b", "tcpdump -U -n -c 6 -i eth0 -w " .. cap .. " 'udp dst port 7010 or udp dst port 7011'")
    assert.is_truthy(dump:expect("listening on", 5))
    local out = lua('print(send(IP{dst="198.51.100.2", ttl=range(60, 62)}/UDP{sport=5000, dport=each{7010, 7011}}, {verbose=0}))', in_a)
    dump:wait(5)
    local got = pkt.rdpcap(cap)
    os.remove(cap)
    assert.equal("6\n", out)
    assert.equal(6, #got)
    local seen = {}
    for _, p in ipairs(got) do seen[#seen + 1] = p[pkt.IP].ttl .. ":" .. p[pkt.UDP].dport end
    assert.equal("60:7010 60:7011 61:7010 61:7011 62:7010 62:7011", table.concat(seen, " "))
    -- sr of a set: the kernel in b answers each echo, as Scapy finds
    local want = py('a, u = sr(IP(dst="198.51.100.2")/ICMP(id=(1,4), seq=9), timeout=2, verbose=0)\n'
      .. 'print(len(a), len(u), sorted(r[ICMP].id for s, r in a))', in_a)
    local have = lua('local a, u = sr(IP{dst="198.51.100.2"}/ICMP{id=range(1,4), seq=9}, {timeout=2, verbose=0})\n'
      .. 'local ids = {} for _, x in ipairs(a) do ids[#ids + 1] = x[2][ICMP].id end table.sort(ids)\n'
      .. 'print(#a, #u, "[" .. table.concat(ids, ", ") .. "]")', in_a)
    assert.equal(want:gsub("%s+", " "), have:gsub("%s+", " "))
  end)
end)
