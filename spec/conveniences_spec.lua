-- Scapy's everyday conveniences in pktlua: sprintf, command, the three
-- spellings of a TCP flags test, hexdiff, conversations, show2 and the
-- summaries of stacks that make no sense, port names.  Each result is
-- compared with what Scapy itself gives for the same packet, computed
-- here by /usr/bin/python3 (one process for every case).
local pkt = require "pkt"
local IP, TCP, UDP, ICMP, Ether, ARP, Raw = pkt.IP, pkt.TCP, pkt.UDP, pkt.ICMP, pkt.Ether, pkt.ARP, pkt.Raw
local fuzz = pkt.fuzz

local HEAD = [[
import logging
logging.getLogger('scapy').setLevel(logging.ERROR)
from scapy.all import *
import scapy.plist
# Scapy prints a load's bytes over 0x7f with a doubled backslash (its repr
# of a backslash-escaped str); pktlua with one, as Python's repr of bytes
def one_backslash(s):
    return s.replace("\\\\x", "\\x")
]]

-- Each Python snippet prints its answer, then this line.
local CUT = "--8<-- case end"

local function scapy_answers(snippets)
  local prog = { HEAD }
  for _, s in ipairs(snippets) do
    prog[#prog + 1] = s
    prog[#prog + 1] = ("print(%q)"):format(CUT)
  end
  local path = H.tmpfile(table.concat(prog, "\n") .. "\n")
  local out, status = H.run(H.python .. " " .. path .. " 2>&1")
  os.remove(path)
  assert(status == 0, "Scapy failed: " .. out)
  local t = {}
  for block in out:gmatch("(.-)" .. CUT:gsub("%p", "%%%0") .. "\n") do t[#t + 1] = block end
  return t
end

-- One describe's cases: {what, python snippet, lua function returning
-- the same text}; Scapy runs once for all of them.
local function against_scapy(cases)
  local answers
  setup(function()
    local s = {}
    for i, c in ipairs(cases) do s[i] = c[2] end
    answers = scapy_answers(s)
  end)
  for i, c in ipairs(cases) do
    it(c[1], function()
      assert.equal(#cases, #answers)
      assert.is_true(#answers[i] > 0, "Scapy printed nothing")
      assert.equal(answers[i], c[3]())
    end)
  end
end

-- The same packets on both sides: a Python expression and its Lua port.
local TCP_PY = 'Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IP(src="198.51.100.1", '
  .. 'dst="198.51.100.2", ttl=5, flags="DF")/TCP(sport=1234, dport=80, flags="SA", '
  .. 'options=[("MSS", 1460), ("NOP", None), ("WScale", 7)])/b"hi\\x00\\xff\\"q\\\\"'
local function tcp_lua()
  return Ether{src="02:00:00:00:00:01", dst="02:00:00:00:00:02"} / IP{src="198.51.100.1",
    dst="198.51.100.2", ttl=5, flags="DF"} / TCP{sport=1234, dport=80, flags="SA",
    options={{"MSS", 1460}, "NOP", {"WScale", 7}}} / 'hi\0\255"q\\'
end
local UDP_PY = 'IP(src="198.51.100.1", dst="198.51.100.2")/UDP(sport=37, dport=7)/"q"'
local function udp_lua() return IP{src="198.51.100.1", dst="198.51.100.2"} / UDP{sport=37, dport=7} / "q" end

local FORMAT = "%IP.src%:%TCP.sport% -> %-15s,IP.dst%|%TCP.dport%|%r,TCP.dport%|%r,TCP.flags%|"
  .. "%TCP.flags%|%dr,TCP.window%|%IP.chksum%|%IP.proto%|%03xr,IP.proto%|%IP.flags%|%IP.len%|"
  .. "{UDP:udp}{TCP:tcp %TCP.window%}{!ICMP:no icmp}{IP:%IP.dst% {ICMP:%ICMP.type%}{TCP:%TCP.dport%}}|"
  .. "%%|%(%)|%Raw.load%|%dst%|%Ether.type%|%UDP.dport%|%IP:2.src%|%10s,Ether.src%|%ttl%"
local UFORMAT = "%UDP.sport% > %UDP.dport% (%r,UDP.dport%) %IP.ttl% %5dr,IP.ttl% {UDP:%UDP.len%}"

describe("p:sprintf(fmt), as Scapy's", function()
  against_scapy({
    { "fills a built packet's directives, widths, raw values, conditions and escapes",
      ("print(one_backslash((%s).sprintf(%q)))"):format(TCP_PY, FORMAT),
      function() return tcp_lua():sprintf(FORMAT) .. "\n" end },
    { "fills a dissected packet's, computed fields included",
      ("print(one_backslash(Ether(raw(%s)).sprintf(%q)))"):format(TCP_PY, FORMAT),
      function() return Ether(tcp_lua():bytes()):sprintf(FORMAT) .. "\n" end },
    { "names ports as Scapy does, with numbers under %r and %d",
      ("p = %s\nprint(p.sprintf(%q))\nprint(IP(raw(p)).sprintf(%q))"):format(UDP_PY, UFORMAT, UFORMAT),
      function()
        return udp_lua():sprintf(UFORMAT) .. "\n" .. IP(udp_lua():bytes()):sprintf(UFORMAT) .. "\n"
      end },
    { "counts layers of a class: %IP:2.src% is the inner IP's",
      'print((IP(src="198.51.100.1", dst="198.51.100.2")/IP(src="203.0.113.1", dst="203.0.113.2")/ICMP())'
        .. '.sprintf("%IP.src% %IP:2.src% %IP:3.src% %ICMP.type%"))',
      function()
        return (IP{src="198.51.100.1", dst="198.51.100.2"} / IP{src="203.0.113.1", dst="203.0.113.2"}
          / ICMP()):sprintf("%IP.src% %IP:2.src% %IP:3.src% %ICMP.type%") .. "\n"
      end },
    { "reads an ARP packet's fields by name",
      'print((Ether(src="02:00:00:00:00:01")/ARP(op=2, psrc="198.51.100.1", hwsrc="02:00:00:00:00:01", '
        .. 'pdst="198.51.100.2")).sprintf("%ARP.op% %ARP.psrc% %ARP.hwsrc% %r,ARP.op% {ARP:arp}{IP:ip}"))',
      function()
        return (Ether{src="02:00:00:00:00:01"} / ARP{op=2, psrc="198.51.100.1", hwsrc="02:00:00:00:00:01",
          pdst="198.51.100.2"}):sprintf("%ARP.op% %ARP.psrc% %ARP.hwsrc% %r,ARP.op% {ARP:arp}{IP:ip}") .. "\n"
      end },
  })

  it("names a bad directive or condition instead of guessing", function()
    local p = udp_lua()
    for _, f in ipairs({ "%IP.src", "%a.b.c%", "{IP no colon}", "{IP:open", "%1,2,3%" }) do
      local ok, err = pcall(p.sprintf, p, f)
      assert.is_false(ok, f)
      assert.matches("sprintf: ", err)
    end
    local ok, err = pcall(p.sprintf, p, 5)
    assert.is_false(ok)
    assert.matches("the format is a string", err)
    ok, err = pcall(function() local s = p:sprintf("%d,IP.src%"); return s end)
    assert.is_false(ok)
    assert.matches("conveniences_spec.lua:%d+: sprintf: %%d takes a number", err)
  end)
end)

-- What Scapy's command() keeps of each layer: the fields it has values
-- of its own for (command() leaves out empty lists), as "Name:a,b,c".
local SET_FIELDS = [[
def set_fields(p):
    out = []
    while not isinstance(p, NoPayload):
        ks = sorted(k for k, v in p.fields.items() if not (isinstance(v, (list, dict, set)) and len(v) == 0) and k != "unused")
        out.append(p.__class__.__name__ + ":" + ",".join(ks))
        p = p.payload
    print(" ".join(out))
]]

local function set_fields(p)
  local out = {}
  for i = 1, #p:layers() do
    local ks = {}
    local types = {}
    for _, fd in ipairs(p[i]:layers()[1].fields_desc) do types[fd.name] = fd.type end
    for k, v in pairs(p[i].fields) do
      -- an empty list or string is left out, flags of none are not;
      -- ICMP's unused has two layouts here, one in Scapy (a design difference)
      local none = (v == "" and types[k] ~= "flags") or (type(v) == "table" and next(v) == nil)
      if not none and k ~= "unused" then ks[#ks + 1] = k end
    end
    table.sort(ks)
    out[i] = p[i]:name() .. ":" .. table.concat(ks, ",")
  end
  return table.concat(out, " ") .. "\n"
end

-- p rebuilt from its command, in the module's names
local function rebuilt(p)
  local f = assert(load("return " .. p:command(), "command", "t", pkt))
  return f()
end

local ICMP_ERR_PY = 'IP(raw(IP(src="198.51.100.2", dst="198.51.100.1")/ICMP(type=3, code=3)'
  .. '/IP(src="198.51.100.1", dst="198.51.100.2", id=7)/UDP(sport=4000, dport=53)))'
local function icmp_err_lua()
  return IP((IP{src="198.51.100.2", dst="198.51.100.1"} / ICMP{type=3, code=3}
    / IP{src="198.51.100.1", dst="198.51.100.2", id=7} / UDP{sport=4000, dport=53}):bytes())
end
local PADDED_PY = 'Ether(raw(Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")'
  .. '/IP(src="198.51.100.1", dst="198.51.100.2")/ICMP()) + b"\\x00" * 18)'
local function padded_lua()
  return Ether((Ether{src="02:00:00:00:00:01", dst="02:00:00:00:00:02"}
    / IP{src="198.51.100.1", dst="198.51.100.2"} / ICMP()):bytes() .. ("\0"):rep(18))
end
local ARP_PY = 'Ether(raw(Ether(src="02:00:00:00:00:01")/ARP(psrc="198.51.100.1", hwsrc="02:00:00:00:00:01", pdst="198.51.100.2")))'
local function arp_lua()
  return Ether((Ether{src="02:00:00:00:00:01"} / ARP{psrc="198.51.100.1", hwsrc="02:00:00:00:00:01",
    pdst="198.51.100.2"}):bytes())
end

describe("p:command(), as Scapy's", function()
  local cases = {
    { "a built packet: the fields set, options and a binary load", TCP_PY, tcp_lua },
    { "a dissected packet: every field read", "Ether(raw(" .. TCP_PY .. "))",
      function() return Ether(tcp_lua():bytes()) end },
    { "an ICMP error quoting a datagram", ICMP_ERR_PY, icmp_err_lua },
    { "a frame with padding", PADDED_PY, padded_lua },
    { "an ARP reply read off the wire", ARP_PY, arp_lua },
    { "a packet with nothing set", "IP()/TCP()", function() return IP() / TCP() end },
  }
  local t = {}
  for i, c in ipairs(cases) do
    t[i] = { c[1] .. " keeps the fields Scapy's keeps", SET_FIELDS .. ("set_fields(%s)"):format(c[2]),
      function() return set_fields(rebuilt(c[3]())) end }
  end
  against_scapy(t)

  for _, c in ipairs(cases) do
    it(c[1] .. " is built again with the same bytes", function()
      local p = c[3]()
      local q = rebuilt(p)
      assert.equal(H.hex(p:bytes()), H.hex(q:bytes()))
      assert.equal(p:summary(), q:summary())
    end)
  end

  it("is one printable line, bytes escaped", function()
    local s = tcp_lua():command()
    assert.is_nil(s:find("[^\32-\126]"))
    assert.matches('Raw{load="hi\\x00\\xff\\"q\\\\"}', s, 1, true)
    assert.matches('TCP{sport=1234, dport=80, flags="SA", options={{"MSS", 1460}, "NOP", {"WScale", 7}}}', s, 1, true)
  end)

  it("runs in the pktlua host as it prints", function()
    local out = H.run(H.pktlua .. " -e " .. H.shquote('local p = IP{dst="198.51.100.2", ttl=3}/UDP{dport=53}/"\\1"\n'
      .. 'print(p:command())\nprint(load("return " .. p:command())():bytes() == p:bytes())'))
    assert.equal('IP{ttl=3, dst="198.51.100.2"}/UDP{dport=53}/Raw{load="\\x01"}\ntrue\n', out)
  end)
end)

describe("TCP flags: the three Scapy tests, each with its Lua spelling", function()
  local values = { "S", "SA", "A", "FPU", "", "RA", "SEC" }
  local py, lua = {}, {}
  for _, v in ipairs(values) do
    py[#py + 1] = ("f = TCP(flags=%q).flags\nprint('S' in f, f.S, f == 'SA', bool(f & 0x12), f.SA, str(f))"):format(v)
    lua[#lua + 1] = function()
      local p = TCP{flags=v}
      return ("%s %s %s %s %s %s\n"):format(p:hasflag("S"), p:hasflag("S"), p.flags == "SA",
        p:getfieldval("flags") & 0x12 ~= 0, p:hasflag("SA"), p.flags)
    end
  end
  local cases = {}
  for i, v in ipairs(values) do
    cases[i] = { ("flags %q: 'S' in f, f.S, f == 'SA', f & 0x12, f.SA"):format(v),
      py[i] .. "\n", function() return (lua[i]():gsub("true", "True"):gsub("false", "False")) end }
  end
  cases[#cases + 1] = { "IP flags: 'DF' in f and 'MF' in f, dissected",
    ("f = Ether(raw(%s))[IP].flags\nprint('DF' in f, 'MF' in f, f.DF)"):format(TCP_PY),
    function()
      local p = Ether(tcp_lua():bytes())
      return ("%s %s %s\n"):format(p:hasflag("DF"), p:hasflag("MF"), p[IP]:hasflag("DF"))
        :gsub("true", "True"):gsub("false", "False")
    end }
  against_scapy(cases)

  it("hasflag finds the layer whose flags name the bit, and names a bad one", function()
    local p = Ether(tcp_lua():bytes())
    assert.is_true(p:hasflag("SA"))      -- TCP's, past IP's MF and DF
    assert.is_true(p:hasflag("DF"))      -- IP's
    local ok, err = pcall(function() local r = p:hasflag("X"); return r end)
    assert.is_false(ok)
    assert.matches("conveniences_spec.lua:%d+: hasflag: no layer of this packet %(Ether / IP / TCP / Raw%) "
      .. "has a flag 'X'; its flags are: .*DF.*S", err)
    ok, err = pcall(function() return p:hasflag(2) end)
    assert.is_false(ok)
    assert.matches("takes a flag's name", err)
  end)
end)

describe("hexdiff(a, b), as Scapy's", function()
  local pairs_ = {
    { '(b"hello world, this is a test of it all", b"hello there world, this was a test of all")',
      function() return "hello world, this is a test of it all", "hello there world, this was a test of all" end },
    { '(IP(src="198.51.100.1", dst="198.51.100.2")/ICMP(), IP(src="198.51.100.1", dst="198.51.100.3", ttl=5)/ICMP(seq=3)/"xy")',
      function() return IP{src="198.51.100.1", dst="198.51.100.2"} / ICMP(),
        IP{src="198.51.100.1", dst="198.51.100.3", ttl=5} / ICMP{seq=3} / "xy" end },
    { "(" .. TCP_PY .. ", " .. PADDED_PY .. ")", function() return tcp_lua(), padded_lua() end },
    { '(b"", b"abc")', function() return "", "abc" end },
    { '(b"abc" * 20, b"abc" * 20)', function() return ("abc"):rep(20), ("abc"):rep(20) end },
    { '(b"\\x00\\x01\\x02" * 12 + b"tail", b"head" + b"\\x00\\x01\\x02" * 11)',
      function() return ("\0\1\2"):rep(12) .. "tail", "head" .. ("\0\1\2"):rep(11) end },
  }
  local cases = {}
  for i, c in ipairs(pairs_) do
    cases[i] = { "prints the same lines, case " .. i, "hexdiff" .. c[1],
      function() local a, b = c[2](); return pkt.hexdiff(a, b, true) end }
  end
  against_scapy(cases)

  it("prints them without dump, and names a bad argument", function()
    local out = H.run(H.pktlua .. " -e " .. H.shquote('hexdiff("ab", "ac")'))
    assert.equal(pkt.hexdiff("ab", "ac", true), out)
    local ok, err = pcall(pkt.hexdiff, "ab", 5)
    assert.is_false(ok)
    assert.matches("hexdiff: the second is a packet or a string of bytes, got number", err)
  end)
end)

describe("l:conversations(), the edges of Scapy's graph as text", function()
  -- Scapy draws with graphviz; its graph's text is caught instead
  local CAPTURE = [[
edges = []
def grab(gr, **kargs):
    for line in gr.splitlines():
        m = re.match(r'\s*"(.*)" -> "(.*)" \[label="(.*)"\]', line)
        if m:
            edges.append("%s -> %s  %s" % m.groups())
scapy.plist.do_graph = grab
l = PacketList([p for p in rdpcap("spec/fixtures/real/lab-traffic.pcap") if p.type != 0x86dd])
]]
  local function lab_list()
    local l = pkt.PacketList()
    for _, p in ipairs(pkt.rdpcap("spec/fixtures/real/lab-traffic.pcap")) do
      if p[Ether].type ~= 0x86dd then l[#l + 1] = p end
    end
    return l
  end
  against_scapy({
    { "lists who talked to whom, by IP or ARP address, with counts",
      "import re\n" .. CAPTURE .. "l.conversations()\nprint('\\n'.join(edges))",
      function() return lab_list():conversations(true) end },
    { "takes a function giving the source, the destination and a label",
      "import re\n" .. CAPTURE .. "edges.clear()\n"
        .. "l.conversations(getsrcdst=lambda p: (p[UDP].sport, p[UDP].dport, len(p[UDP].payload)))\n"
        .. "print('\\n'.join(sorted(edges)))",
      function()
        local t = {}
        local s = lab_list():conversations(function(p) return p[UDP].sport, p[UDP].dport, #p[UDP].payload end, true)
        for line in s:gmatch("[^\n]+") do t[#t + 1] = line end
        table.sort(t)
        return table.concat(t, "\n") .. "\n"
      end },
  })
end)

describe("show2() and summary() of any stack", function()
  local stacks = {
    { "TCP()/IP()", function() return TCP() / IP() end },
    { "Raw()/Ether()", function() return Raw() / Ether() end },
    { "IP()/UDP()/ICMP()", function() return IP() / UDP() / ICMP() end },
    { "UDP()/TCP()", function() return UDP() / TCP() end },
    { "ICMP()/TCP()/UDP()", function() return ICMP() / TCP() / UDP() end },
  }
  -- each " / " part of a summary is one layer: as many as Scapy's, and
  -- the parts that name a layer name the same one
  local cases = {}
  for i, s in ipairs(stacks) do
    cases[i] = { "summarizes " .. s[1] .. " as the layers it has",
      ("print(' / '.join(x.split(' ')[0] if x.split(' ')[0] in ('TCP', 'UDP', 'ICMP', 'Raw', 'Ether', 'IP') "
        .. "else '*' for x in (%s).summary().split(' / ')))"):format(s[1]),
      function()
        local t = {}
        for part in (s[2]():summary() .. " / "):gmatch("(.-) / ") do
          local w = part:match("^(%S+)")
          local named = ({ TCP = 1, UDP = 1, ICMP = 1, Raw = 1, Ether = 1, IP = 1 })[w]
          t[#t + 1] = named and w or "*"
        end
        return table.concat(t, " / ") .. "\n"
      end }
  end
  cases[#cases + 1] = { "show2() fills lengths, checksums and ports' names as Scapy's",
    ("(%s).show2()"):format(UDP_PY), function() return udp_lua():show2(true) end }
  cases[#cases + 1] = { "show2() of a nonsense stack shows what its bytes dissect as",
    'p = TCP(sport=1, dport=2)/IP(src="198.51.100.1", dst="198.51.100.2")\n'
      .. 'print(one_backslash(p.show2(dump=True)))',
    function() return (TCP{sport=1, dport=2} / IP{src="198.51.100.1", dst="198.51.100.2"}):show2(true) end }
  cases[#cases + 1] = { "summary() of a TCP segment under no IP is Scapy's",
    'print(TCP(sport=1234, dport=22, flags="PA").summary(), UDP(sport=53, dport=1024).summary())',
    function()
      return TCP{sport=1234, dport=22, flags="PA"}:summary() .. " " .. UDP{sport=53, dport=1024}:summary() .. "\n"
    end }
  against_scapy(cases)

  it("never fails on them: show, show2, summary, bytes, command", function()
    for _, s in ipairs(stacks) do
      local p = s[2]()
      for _, m in ipairs({ "show", "show2", "summary", "bytes", "command" }) do
        local ok, err = pcall(p[m], p, true)
        assert.is_true(ok, s[1] .. ":" .. m .. ": " .. tostring(err))
      end
    end
  end)
end)

describe("ports by their service names in show()", function()
  against_scapy({
    { "show() prints TCP's and UDP's well-known ports by name, others as numbers",
      'print(TCP(sport=22, dport=8888).show(dump=True).split("\\n")[1:3])\nUDP(sport=67, dport=5555).show()',
      function()
        local t = TCP{sport=22, dport=8888}:show(true)
        return ("['%s', '%s']\n"):format(t:match("\n([^\n]*)\n([^\n]*)")) .. UDP{sport=67, dport=5555}:show(true)
      end },
  })

  it("reads a port as its number", function()
    assert.equal(53, UDP{dport=53}.dport)
    assert.equal(53, IP((IP() / UDP{dport=53}):bytes())[UDP].dport)
  end)
end)

-- The byte offsets (from 0) at which a packet's builds differ: which
-- fields fuzz draws, seen the same way in both.
local VARYING_PY = [[
def varying(p, n=30):
    bs = [raw(p) for _ in range(n)]
    print(" ".join(str(i) for i in range(min(len(b) for b in bs)) if len(set(b[i] for b in bs)) > 1))
]]
local function varying(p, n)
  local bs, shortest = {}, math.huge
  for i = 1, n or 30 do bs[i] = p:bytes(); shortest = math.min(shortest, #bs[i]) end
  local t = {}
  for at = 1, shortest do
    for i = 2, #bs do
      if bs[i]:byte(at) ~= bs[1]:byte(at) then t[#t + 1] = tostring(at - 1); break end
    end
  end
  return table.concat(t, " ") .. "\n"
end

describe("fuzz(p), as Scapy's", function()
  against_scapy({
    -- (frag given: Scapy 2.5 builds a fuzzed IP's frag as 0 when its
    -- flags are drawn too, a quirk of its bit fields, not a choice)
    { "draws IP's unset fields at each build; addresses, proto, lengths and checksums as built",
      VARYING_PY .. 'varying(fuzz(IP(src="198.51.100.1", dst="198.51.100.2", frag=0)/UDP(sport=1, dport=7)))',
      function()
        return varying(fuzz(IP{src="198.51.100.1", dst="198.51.100.2", frag=0} / UDP{sport=1, dport=7}))
      end },
    { "keeps the fields set and the layers below it: IP/fuzz(UDP(dport=7)) varies the sport only",
      VARYING_PY .. 'varying(IP(src="198.51.100.1", dst="198.51.100.2")/fuzz(UDP(dport=7)))',
      function() return varying(IP{src="198.51.100.1", dst="198.51.100.2"} / fuzz(UDP{dport=7})) end },
    { "draws a Raw load of 0 to 1200 bytes, lengths and checksums following",
      VARYING_PY .. 'p = IP(src="198.51.100.1", dst="198.51.100.2")/fuzz(UDP(sport=1, dport=7)/Raw())\n'
        .. 'ls = [len(raw(p)) for _ in range(200)]\nprint(min(ls) >= 28, max(ls) <= 1228, len(set(ls)) > 100)',
      function()
        local p = IP{src="198.51.100.1", dst="198.51.100.2"} / fuzz(UDP{sport=1, dport=7} / Raw())
        local lo, hi, seen, n = math.huge, 0, {}, 0
        for _ = 1, 200 do
          local len = #p:bytes()
          lo, hi = math.min(lo, len), math.max(hi, len)
          if not seen[len] then seen[len], n = true, n + 1 end
        end
        return ("%s %s %s\n"):format(lo >= 28, hi <= 1228, n > 100):gsub("true", "True"):gsub("false", "False")
      end },
  })

  it("builds valid UDP each time: the length and checksum fit the drawn payload", function()
    local p = IP{src="198.51.100.1", dst="198.51.100.2"} / fuzz(UDP{dport=7} / Raw())
    for _ = 1, 20 do
      local b = p:bytes()
      local q = IP(b)
      assert.equal(#b - 20, q[UDP].len)
      q[UDP].chksum = nil            -- computed again: the same if it was right
      assert.equal(H.hex(b), H.hex(q:bytes()))
      assert.equal(7, q[UDP].dport)
    end
  end)

  it("leaves the packet it was given as it was, and takes only packets", function()
    local p = IP{dst="198.51.100.2"} / UDP{dport=7}
    local f = fuzz(p)
    assert.equal(p:bytes(), p:bytes())
    assert.are_not.equal(f:bytes(), f:bytes())
    local ok, err = pcall(pkt.fuzz, "x")
    assert.is_false(ok)
    assert.matches("fuzz: takes a packet", err)
  end)
end)

local missing = H.lab_missing()
if missing then
  describe("send() of a fuzzed packet", function() pending(missing) end)
  return
end

describe("send() of a fuzzed packet", function()
  local netlab = require "netlab"
  local lab
  setup(function() lab = netlab.pair() end)
  teardown(function() if lab then lab:down() end end)

  it("builds each copy again, as Scapy sends a fuzzed packet count times", function()
    local file = os.tmpname()
    local script = H.tmpfile(("wrpcap(%q, (sniff{iface='eth0', filter='udp port 7010 or udp port 7011', "
      .. "count=10, timeout=15, started_callback=function() print('listening') io.stdout:flush() end}))")
      :format(file))
    local job = lab:spawn("b", H.pktlua .. " " .. script)
    assert.is_truthy(job:expect("listening", 5))
    local py = H.tmpfile(HEAD .. 'send(IP(dst="198.51.100.2")/fuzz(UDP(dport=7010)/Raw()), count=5, verbose=0)\n')
    local _, s1, e1 = lab:run("a", H.python .. " " .. py)
    local _, s2, e2 = lab:run("a", H.pktlua .. " -e " .. H.shquote(
      'send(IP{dst="198.51.100.2"}/fuzz(UDP{dport=7011}/Raw()), {count=5, verbose=0})'))
    local _, status = job:wait(15)
    os.remove(script)
    os.remove(py)
    assert.equal(0, s1, e1)
    assert.equal(0, s2, e2)
    assert.equal(0, status, job:output())
    local got = pkt.rdpcap(file)
    os.remove(file)
    assert.equal(10, #got)
    -- in each, five different datagrams with right lengths and checksums
    local seen = { [7010] = {}, [7011] = {} }
    for _, p in ipairs(got) do
      local u = p[UDP]
      local q = IP(p[IP]:bytes())
      q[UDP].chksum = nil
      assert.equal(H.hex(p[IP]:bytes()), H.hex(q:bytes()))
      seen[u.dport][H.hex(u:bytes())] = true
    end
    for port, t in pairs(seen) do
      local n = 0
      for _ in pairs(t) do n = n + 1 end
      assert.equal(5, n, "distinct datagrams to port " .. port)
    end
  end)
end)

describe("ports given by their service names, as Scapy takes them", function()
  against_scapy {
    { "UDP(sport='bootpc', dport='domain') and TCP(dport='http')",
      [[print(bytes(UDP(sport='bootpc', dport='domain')).hex(), bytes(TCP(dport='http')).hex())]],
      function()
        return H.hex(pkt.UDP{ sport = "bootpc", dport = "domain" }:bytes()) .. " "
          .. H.hex(pkt.TCP{ dport = "http" }:bytes()) .. "\n"
      end },
    { "a port set by name after the packet is made",
      [[p = IP()/UDP(); p[UDP].dport = 'ntp'; print(p[UDP].dport)]],
      function()
        local p = pkt.IP() / pkt.UDP()
        p[pkt.UDP].dport = "ntp"
        return tostring(p[pkt.UDP].dport) .. "\n"
      end },
  }

  it("still refuses a name no service has, saying the field takes a number", function()
    local ok, err = pcall(pkt.UDP, { dport = "no-such-service" })
    assert.is_false(ok)
    assert.matches("UDP.dport: 'no-such-service'", err, 1, true)
  end)
end)
