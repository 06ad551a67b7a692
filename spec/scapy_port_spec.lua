-- A lecture's Scapy lines beside their pktlua ports: each pair runs, and
-- pktlua's values, bytes and printed text are compared with what Scapy
-- itself gives, computed here.  The lines that send run in a lab of
-- network namespaces (scripts/netlab.lua), Scapy and pktlua in the same
-- host against the same peers.
local pkt = require "pkt"
local netlab = require "netlab"
local sh = H.shquote

local PRELUDE = "import logging\nlogging.getLogger('scapy').setLevel(logging.ERROR)\n"
  .. "from scapy.all import *\n"

-- Each case's line runs in one process (Python with Scapy, or pktlua),
-- here or through run (a lab host's), and prints one block; blocks are
-- split on a marker line.
local MARK = "----8<----"
local function blocks(prog, head, wrap, lines, run)
  local code = { head }
  for _, l in ipairs(lines) do
    code[#code + 1] = wrap:format(l)
    code[#code + 1] = ("print(%q)"):format(MARK)
  end
  local path = H.tmpfile(table.concat(code, "\n") .. "\n")
  local out, status = (run or H.run)(prog .. " " .. path .. " 2>&1")
  os.remove(path)
  assert(status == 0, prog .. " failed: " .. out)
  local t = {}
  for b in out:gmatch("(.-)" .. MARK:gsub("%p", "%%%0") .. "\n") do t[#t + 1] = b end
  return t
end

local function scapy_blocks(lines, run) return blocks("/usr/bin/python3", PRELUDE, "%s", lines, run) end
local function pktlua_blocks(lines, run) return blocks(H.pktlua, "", "do %s end", lines, run) end

-- Python's True/False/None printed as Lua prints them, to compare values,
-- and print's tabs as Python's spaces.
local function lua_words(s)
  return (s:gsub("%f[%w]True%f[%W]", "true"):gsub("%f[%w]False%f[%W]", "false")
    :gsub("%f[%w]None%f[%W]", "nil"):gsub("\t", " "))
end

-- Runs a table of cases {what, scapy line, pktlua line [, normalize]}
-- (or check = function(scapy's output, pktlua's) for other comparisons):
-- one Scapy and one pktlua process for all (in the describe's setup, so
-- after a lab is up), then one `it` per case.
local function compare_cases(cases, run)
  local sl, ll = {}, {}
  for i, c in ipairs(cases) do sl[i], ll[i] = c[2], c[3] end
  local ok, sb, ok2, lb
  setup(function()
    ok, sb = pcall(scapy_blocks, sl, run and function(cmd) return run(cmd) end)
    ok2, lb = pcall(pktlua_blocks, ll, run and function(cmd) return run(cmd) end)
  end)
  it("runs Scapy and pktlua on every line", function()
    assert.is_true(ok, tostring(sb))
    assert.is_true(ok2, tostring(lb))
    assert.equal(#cases, #sb)
    assert.equal(#cases, #lb)
  end)
  for i, c in ipairs(cases) do
    it(c[1], function()
      assert.is_truthy(ok and ok2 and sb[i] and lb[i], "no output")
      assert.is_true(#sb[i] > 0, "Scapy printed nothing to compare")
      if c.check then return c.check(sb[i], lb[i]) end
      local norm = c[4] or lua_words
      assert.equal(norm(sb[i]), norm(lb[i]))
    end)
  end
end

local frag_src = 'IP(src="198.51.100.1", dst="198.51.100.2", id=4242)/UDP(sport=1000, dport=2000)/("x"*3000)'
local frag_lua = 'IP{src="198.51.100.1", dst="198.51.100.2", id=4242}/UDP{sport=1000, dport=2000}/("x"):rep(3000)'
local frame_src = 'Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/' .. frag_src
local frame_lua = 'Ether{src="02:00:00:00:00:01", dst="02:00:00:00:00:02"}/' .. frag_lua
local hexes_py = 'print("\\n".join(raw(p).hex() for p in %s))'
local hexes_lua = 'for _, p in ipairs(%s) do print((raw(p):gsub(".", function(c) return ("%%02x"):format(c:byte()) end))) end'

describe("Scapy lines ported to pktlua, without a network", function()
  compare_cases({
    { "fragment(p, 1000) of a 3000-byte UDP payload: 4 fragments at offsets 0, 125, 250, 375",
      'print(",".join(str(f.frag) for f in fragment(' .. frag_src .. ', 1000)))',
      'local t = {} for i, f in ipairs(fragment(' .. frag_lua .. ', 1000)) do t[i] = f[IP].frag end print(table.concat(t, ","))' },
    { "fragment(p, 1000) gives Scapy's bytes",
      hexes_py:format('fragment(' .. frag_src .. ', 1000)'),
      hexes_lua:format('fragment(' .. frag_lua .. ', 1000)') },
    { "fragment of a frame, at a size that is not a multiple of 8, gives Scapy's bytes",
      hexes_py:format('fragment(' .. frame_src .. ', 1001)'),
      hexes_lua:format('fragment(' .. frame_lua .. ', 1001)') },
    { "fragment of a list of packets, DF kept, gives Scapy's bytes",
      hexes_py:format('fragment([IP(src="198.51.100.1", dst="198.51.100.9", flags="DF")/ICMP()/("a"*100), IP(src="198.51.100.1", dst="198.51.100.9")/("b"*30)], 48)'),
      hexes_lua:format('fragment({IP{src="198.51.100.1", dst="198.51.100.9", flags="DF"}/ICMP()/("a"):rep(100), IP{src="198.51.100.1", dst="198.51.100.9"}/("b"):rep(30)}, 48)') },
    { "defragment of shuffled fragments among other packets gives Scapy's list",
      'f = fragment(' .. frame_src .. ', 1000)\n' .. hexes_py:format('defragment([f[2], f[0], Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IP(src="198.51.100.1", dst="198.51.100.7")/ICMP(), f[3], f[1]])'),
      'local f = fragment(' .. frame_lua .. ', 1000)\n' .. hexes_lua:format('defragment({f[3], f[1], Ether{src="02:00:00:00:00:01", dst="02:00:00:00:00:02"}/IP{src="198.51.100.1", dst="198.51.100.7"}/ICMP(), f[4], f[2]})') },
    { "defragment keeps a datagram with a fragment missing as it was",
      'f = fragment(' .. frag_src .. ', 1000)\n' .. hexes_py:format('defragment([f[0], f[1], f[3]])'),
      'local f = fragment(' .. frag_lua .. ', 1000)\n' .. hexes_lua:format('defragment({f[1], f[2], f[4]})') },
    { "the list defragment returns is named as Scapy names it",
      'print(defragment(PacketList([IP(src="127.0.0.1")], name="Sniffed")).listname)',
      'print(defragment(PacketList({IP{src="127.0.0.1"}}, "Sniffed")).name)' },
    { "sniff(offline=..., count=0) reads every packet (0 is no limit)",
      'wrpcap("/tmp/pktlua-port-3.pcap", [Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IP(src="127.0.0.1")/ICMP(seq=i) for i in range(3)])\n'
        .. 'print(len(sniff(offline="/tmp/pktlua-port-3.pcap", count=0)))',
      'print(#sniff{offline="/tmp/pktlua-port-3.pcap", count=0})' },
    { "sniff(offline=..., count=2) stops at 2",
      'print(len(sniff(offline="/tmp/pktlua-port-3.pcap", count=2)))',
      'print(#sniff{offline="/tmp/pktlua-port-3.pcap", count=2})' },
    { "conf.verb and conf.checkIPaddr start as Scapy's",
      'print(conf.verb, conf.checkIPaddr)', 'print(conf.verb, conf.checkIPaddr)' },
    { "True and False are the booleans",
      'print(True, False, True == (1 == 1))', 'print(True, False, True == (1 == 1))' },
    { "help(IP) lists the fields ls(IP) lists in Scapy",
      'print(" ".join(f.name for f in IP.fields_desc))',
      'local t = {} for name in help(IP, true):gmatch("\\n(%w+)%s+:") do t[#t + 1] = name end print(table.concat(t, " "))' },
    { "the hinted port of IP(dst=...) builds Scapy's bytes",
      'print(raw(IP(src="198.51.100.1", dst="198.51.100.3")/ICMP()).hex())',
      'print((raw(IP{src="198.51.100.1", dst="198.51.100.3"}/ICMP()):gsub(".", function(c) return ("%02x"):format(c:byte()) end)))' },
    -- service names from the pinned registry, as Scapy's own reader takes them
    { "port names from vendor/services are the names Scapy reads from it",
      'from scapy.data import load_services\nt, u, _ = load_services("vendor/services")\n'
        .. 'print("\\n".join("tcp %d %s" % (p, t[p]) for p in sorted(t.keys())))\n'
        .. 'print("\\n".join("udp %d %s" % (p, u[p]) for p in sorted(u.keys())))',
      'local s = require "pkt.services"\nfor _, proto in ipairs({"tcp", "udp"}) do for port = 0, 65535 do '
        .. 'local n = s.name(proto, port) if n then print(proto, port, n) end end end',
      function(x) return (x:gsub("[ \t]+", " ")) end },
    -- IPv6 frames left out: pktlua has no IPv6 layer yet
    { "l.sessions() groups a capture's packets under Scapy's keys",
      'l = PacketList([p for p in rdpcap("spec/fixtures/real/lab-traffic.pcap") if p.type != 0x86dd])\n'
        .. 'print("\\n".join(sorted("%s %d" % (k, len(v)) for k, v in l.sessions().items())))',
      'local l = PacketList()\nfor _, p in ipairs(rdpcap("spec/fixtures/real/lab-traffic.pcap")) do '
        .. 'if p[Ether].type ~= 0x86dd then l[#l + 1] = p end end\n'
        .. 'local t = {} for k, v in pairs(l:sessions()) do t[#t + 1] = k .. " " .. #v end\n'
        .. 'table.sort(t) print(table.concat(t, "\\n"))' },
    { "l.filter(fn) keeps the packets fn is true of, in a list named as Scapy's",
      'l = PacketList(rdpcap("spec/fixtures/real/lab-traffic.pcap"), name="lab")\n'
        .. 'f = l.filter(lambda p: ICMP in p)\nprint(f.listname, len(f), f)\n'
        .. 'a, u = SndRcvList([(p, p) for p in l]), None\nprint(len(a.filter(lambda s, r: TCP in r)))',
      'local l = PacketList({}, "lab")\nfor _, p in ipairs(rdpcap("spec/fixtures/real/lab-traffic.pcap")) do l[#l + 1] = p end\n'
        .. 'local f = l:filter(function(p) return p:haslayer(ICMP) end)\nprint(f.name, #f, f)\n'
        .. 'local a = PacketList({}) for i, p in ipairs(l) do a[i] = {p, p} end\n'
        .. 'print(#a:filter(function(s, r) return r:haslayer(TCP) end))' },
    { "ls() lists each layer as Scapy's ls() does", "ls()", "ls()", check = function(out, mine)
      out = "\n" .. out
      local n = 0
      for line in mine:gmatch("[^\n]+") do
        n = n + 1
        assert.is_truthy(out:find("\n" .. line:gsub("%p", "%%%0") .. "\n"), line)
      end
      assert.is_true(n >= 10)
    end },
    { "lsc() lists every command of Scapy's lsc() that pktlua has, in Scapy's layout",
      "lsc()", "lsc()", check = function(out, mine)
      local shared = 0
      for line in out:gmatch("[^\n]+") do
        local name = line:match("^(%S+)%s*: ")
        if name and type(pkt[name]) == "function" then
          shared = shared + 1
          assert.matches("\n?" .. ("%-22s: "):format(name):gsub("%p", "%%%0"), mine)
        end
      end
      assert.is_true(shared >= 15, shared .. " commands shared")
    end },
  })

end)

describe("the REPL and the host, against Python's and lua's own", function()
  local home
  setup(function() home = H.run("mktemp -d"):gsub("%s+$", "") end)
  teardown(function() os.execute("rm -rf " .. sh(home)) end)
  local function session(keys) return H.repl(home, keys) end

  it("prints bytes escaped as Python's repr escapes them, never raw", function()
    local bytes = '\\0\\1abc\\t\\255\\127\\n'
    local py = H.run(H.python .. " -c " .. sh('print(repr(b"\\x00\\x01abc\\t\\xff\\x7f\\n")[2:-1])'))
    local out = session(('"%s"\n<EOF>'):format(bytes))
    assert.matches('\n"' .. py:gsub("%s+$", ""):gsub("%p", "%%%0") .. '"\n', out)
    assert.is_nil(out:find("\0", 1, true))
  end)

  it("prints a table's contents one level deep, a layer as Scapy's repr, a list's summary", function()
    local layer = 'IP(ttl=5, dst="198.51.100.1", flags="DF")'
    local want = H.run(H.python .. " -c " .. sh("import logging; logging.getLogger('scapy').setLevel(40)\n"
      .. "from scapy.all import *\nprint(repr((Ether(src='02:00:00:00:00:01', dst='02:00:00:00:00:02')/"
      .. layer .. ")[IP]))")):gsub("%s+$", "")
    local out = session('{1, "two", x=3, {4}}\n(Ether()/' .. layer:gsub("%((.*)%)$", "{%1}") .. ')[IP]\n'
      .. 'l = PacketList({IP{dst="198.51.100.1"}/ICMP(), IP{dst="198.51.100.2"}/UDP()})\nl\n<EOF>')
    assert.matches('{1, "two", {...}, x = 3}', out, 1, true)
    assert.matches("\n" .. want .. "\n", out, 1, true)
    assert.matches("<PacketList: TCP:0 UDP:1 ICMP:1 Other:0>\n0001 IP / ICMP", out, 1, true)
  end)

  it("shows an error as one line, the user's position first, the stack on request", function()
    local out = session('sniff{count="x"}\ntraceback()\n<EOF>')
    assert.matches('\nstdin:1: sniff: option count takes a whole number, 0 or more, got string "x"\npktlua> ', out, 1, true)
    assert.matches("stack traceback:", out, 1, true)
  end)

  it("gives a hint for Python spellings: IP(...), in, a missing Raw layer, p.show()", function()
    local out = session('IP(dst="198.51.100.3")\np = IP()/ICMP()\nif ICMP in p then end\n'
      .. 'p[Raw].load\np.show()\n<EOF>')
    assert.matches("hint: use braces: IP{dst=...}", out, 1, true)
    assert.matches("hint: use p[ICMP] or p:haslayer(ICMP)", out, 1, true)
    assert.matches("hint: this packet has no Raw layer", out, 1, true)
    assert.matches("hint: call methods with a colon: p:show(...)", out, 1, true)
  end)

  it("starts the prompt on a fresh line after Ctrl-C stops a running line", function()
    local out = session('while true do end\n<INT>\n<EOF>')
    assert.matches("\nstdin:1: interrupted!\npktlua> ", out, 1, true)
  end)

  it("pktlua --help lists every option lua5.4's usage lists, and exits 0", function()
    local usage = H.run("lua5.4 -Z 2>&1")
    local out, status = H.run(H.pktlua .. " --help")
    assert.equal(0, status)
    local n = 0
    for opt in usage:gmatch("\n%s+(%-%S*)") do
      n = n + 1
      assert.matches("\n%s+" .. opt:gsub("%p", "%%%0") .. "[%s,]", out)
    end
    assert.is_true(n >= 8)
    assert.equal(out, (H.run(H.pktlua .. " -h")))
  end)
end)

describe("the project's own word", function()
  it("make help lists every target the Makefile declares", function()
    local mk = assert(io.open("Makefile")):read("a")
    local help = H.run("make -s help")
    local n = 0
    for list in mk:gmatch("\n%.PHONY:([^\n]*)") do
      for target in list:gmatch("%S+") do
        n = n + 1
        assert.matches("make " .. target:gsub("%p", "%%%0") .. "%f[%s,):]", help)
      end
    end
    assert.is_true(n >= 15)
  end)

  it("names in the README's layout exist", function()
    local readme = assert(io.open("README.md")):read("a")
    local block = readme:match("\n## Layout\n\n(.-)\n\n")
    local tops = { src = 1, bindings = 1, spec = 1, bench = 1, scripts = 1, vendor = 1 }
    local dir, n = nil, 0
    for line in block:gmatch("[^\n]+") do
      dir = line:match("^    (%w+/)") or dir
      for tok in line:gmatch("[%w_][%w_./*-]*") do
        tok = tok:gsub("%.$", "")
        local path
        if tops[tok:match("^(%w+)/") or ""] then path = tok
        elseif tok:find("%.[ch]$") or tok:find("%.lua$") then
          path = tok:find("^" .. dir:gsub("%p", "%%%0")) and tok or dir .. tok
        end
        if path then
          n = n + 1
          assert.equal(0, select(2, H.run("ls -d " .. path .. " >/dev/null 2>&1")), path)
        end
      end
    end
    assert.is_true(n >= 15, n .. " names")
  end)
end)

local missing = H.lab_missing({ "tcpdump" })
if missing then
  describe("Scapy lines ported to pktlua, on a network", function() pending(missing) end)
  return
end

describe("Scapy lines ported to pktlua, on a network", function()
  local lab
  setup(function() lab = netlab.pair() end)
  teardown(function() if lab then lab:down() end end)

  local function in_a(cmd) local out, st, err = lab:run("a", cmd); return out .. (err or ""), st end

  describe("sending and sr", function()
    compare_cases({
      { "send(p, verbose=0) prints nothing; verbose=1 the count",
        'send(IP(dst="198.51.100.2")/ICMP(), verbose=0)\nprint("--")\nsend(IP(dst="198.51.100.2")/ICMP(), verbose=1)',
        'send(IP{dst="198.51.100.2"}/ICMP(), {verbose=0})\nprint("--")\nsend(IP{dst="198.51.100.2"}/ICMP(), {verbose=1})',
        function(s) return (s:gsub("^%.\n", ""):gsub("\n%.\n", "\n")) end },
      { "conf.verb = 0 quiets send",
        'conf.verb = 0\nsend(IP(dst="198.51.100.2")/ICMP())\nconf.verb = 2\nprint("--")',
        'conf.verb = 0\nsend(IP{dst="198.51.100.2"}/ICMP())\nconf.verb = 2\nprint("--")' },
      { "send(p, count=0) sends nothing",
        'send(IP(dst="198.51.100.2")/ICMP(), count=0)',
        'send(IP{dst="198.51.100.2"}/ICMP(), {count=0})',
        function(s) return (s:gsub("^\n", "")) end },
      { "sr1 at layer 3 returns the IP packet: r.src an address, r.type the ICMP type",
        'r = sr1(IP(dst="198.51.100.2")/ICMP(id=7, seq=1), timeout=2, verbose=0)\nprint(r.src, r.type, r.summary())',
        'local r = sr1(IP{dst="198.51.100.2"}/ICMP{id=7, seq=1}, {timeout=2, verbose=0})\nprint(r.src, r.type, r:summary())',
        function(s) return (s:gsub("\t", " ")) end },
      { "sr at layer 3 pairs the request with the IP packet; srp keeps the frame",
        'a, u = sr(IP(dst="198.51.100.2")/ICMP(id=8), timeout=2, verbose=0)\nprint(a[0][1].summary())\n'
          .. 'a, u = srp(Ether()/IP(dst="198.51.100.2")/ICMP(id=9), iface="eth0", timeout=2, verbose=0)\nprint(a[0][1].summary())',
        'local a = sr(IP{dst="198.51.100.2"}/ICMP{id=8}, {timeout=2, verbose=0})\nprint(a[1][2]:summary())\n'
          .. 'a = srp(Ether()/IP{dst="198.51.100.2"}/ICMP{id=9}, {iface="eth0", timeout=2, verbose=0})\nprint(a[1][2]:summary())' },
      { "sr1(ARP(pdst=...)) frames the request and returns the ARP reply",
        'r = sr1(ARP(pdst="198.51.100.2"), timeout=2, verbose=0)\nprint(r.summary(), r.hwsrc, r.psrc)',
        'local r = sr1(ARP{pdst="198.51.100.2"}, {timeout=2, verbose=0})\nprint(r:summary(), r.hwsrc, r.psrc)',
        function(s) return (s:gsub("\t", " ")) end },
      { "sr(..., timeout=-1) waits until every request is answered",
        'a, u = sr(IP(dst="198.51.100.2")/ICMP(id=10), timeout=-1, verbose=0)\nprint(len(a), len(u))',
        'local a, u = sr(IP{dst="198.51.100.2"}/ICMP{id=10}, {timeout=-1, verbose=0})\nprint(#a, #u)',
        function(s) return (s:gsub("\t", " ")) end },
    }, in_a)
  end)

  local function run_py(code) return in_a("/usr/bin/python3 " .. H.tmpfile(PRELUDE .. code) .. " 2>&1") end
  local function run_pl(code) return in_a(H.pktlua .. " -e " .. sh(code) .. " 2>&1") end

  -- The frames matching filter that b sees while fn runs in a (a
  -- pktlua sniff in b, stopped with Ctrl-C once fn is done).
  local function seen_in_b(filter, fn)
    -- from a script file, so the job is pktlua itself and gets the signal
    local file = os.tmpname()
    local script = H.tmpfile(("wrpcap(%q, (sniff{iface='eth0', filter=%q, "
      .. "started_callback=function() print('listening') io.stdout:flush() end}))"):format(file, filter))
    local job = lab:spawn("b", H.pktlua .. " " .. script)
    assert.is_truthy(job:expect("listening", 5))
    local out, st = fn()
    os.execute("sleep 0.3; kill -INT " .. job.pid)
    local _, status = job:wait(5)
    os.remove(script)
    assert.equal(0, st, out)
    assert.equal(0, status, job:output())
    local got = pkt.rdpcap(file)
    os.remove(file)
    return got
  end

  it("send(ARP(...)) frames it and fills hwsrc, psrc and Ether as Scapy does", function()
    -- a's ARP replies only (Scapy asks for b's MAC first, on its own),
    -- and the kernels know each other, so neither asks nor answers
    lab:run("a", "ip neigh replace 198.51.100.2 lladdr 02:00:00:00:00:02 dev eth0 nud permanent")
    lab:run("b", "ip neigh replace 198.51.100.1 lladdr 02:00:00:00:00:01 dev eth0 nud permanent")
    local py = [[
send(ARP(op=2, pdst="198.51.100.2", psrc="198.51.100.99"), verbose=0)
send(ARP(op="is-at", pdst="198.51.100.2"), verbose=0)
sendp(Ether()/ARP(op=2, pdst="198.51.100.2"), iface="eth0", verbose=0)]]
    local pl = [[
send(ARP{op=2, pdst="198.51.100.2", psrc="198.51.100.99"}, {verbose=0})
send(ARP{op="is-at", pdst="198.51.100.2"}, {verbose=0})
sendp(Ether()/ARP{op=2, pdst="198.51.100.2"}, {iface="eth0", verbose=0})]]
    local got = seen_in_b("arp and arp[6:2] = 2 and ether src 02:00:00:00:00:01", function()
      local o1, s1 = run_py(py)
      if s1 ~= 0 then return o1, s1 end
      return run_pl(pl)
    end)
    assert.equal(6, #got)
    for i = 1, 3 do
      local s, p = got[i], got[i + 3]
      for _, f in ipairs({ "src", "dst" }) do
        assert.equal(s[pkt.Ether][f], p[pkt.Ether][f], i .. ": Ether." .. f)
      end
      for _, f in ipairs({ "op", "hwsrc", "psrc", "hwdst", "pdst" }) do
        assert.equal(s[pkt.ARP][f], p[pkt.ARP][f], i .. ": ARP." .. f)
      end
    end
  end)

  it("send(p, loop=1, count=3) sends 3 from each, a count winning over loop as in Scapy", function()
    local got = seen_in_b("udp port 7003 or udp port 7005", function()
      local o1, s1 = run_py('send(IP(dst="198.51.100.2")/UDP(dport=7003), loop=1, count=3, verbose=0)')
      if s1 ~= 0 then return o1, s1 end
      return run_pl('send(IP{dst="198.51.100.2"}/UDP{dport=7005}, {loop=True, count=3, verbose=0})')
    end)
    local n = { [7003] = 0, [7005] = 0 }
    for _, p in ipairs(got) do n[p[pkt.UDP].dport] = n[p[pkt.UDP].dport] + 1 end
    assert.equal(n[7003], n[7005])
    assert.is_true(n[7003] > 0)
  end)

  it("sniff(count=0, timeout=...) catches everything until the timeout, as Scapy; so does sniff.lua -c 0 -t 0", function()
    -- sniff.lua -t 0 never times out: Ctrl-C ends it once the others are done
    local demo = lab:spawn("b", H.pktlua .. " scripts/sniff.lua -i eth0 -f icmp -c 0 -t 0")
    assert.is_truthy(demo:expect("sniffing", 10))
    local jobs = {
      lab:spawn("b", "/usr/bin/python3 -u " .. H.tmpfile(PRELUDE .. 'print(len(sniff(iface="eth0", '
        .. 'filter="icmp", count=0, timeout=3, started_callback=lambda: print("listening", flush=True))))')),
      lab:spawn("b", H.pktlua .. " -e " .. sh('print(#sniff{iface="eth0", filter="icmp", count=0, '
        .. 'timeout=4, started_callback=function() print("listening") io.stdout:flush() end})')),
    }
    for _, job in ipairs(jobs) do assert.is_truthy(job:expect("listening", 10)) end
    lab:run("a", "ping -c 3 -i 0.2 -W 1 198.51.100.2")
    local counts = {}
    for i, job in ipairs(jobs) do counts[i] = (job:wait(10) or ""):match("(%d+)%s*$") end
    os.execute("kill -INT " .. demo.pid)
    counts[3] = (demo:wait(5) or ""):match("(%d+) packets%s*$")
    assert.equal(counts[1], counts[2])
    assert.equal(counts[1], counts[3])
    assert.is_true(tonumber(counts[2]) > 1)
  end)

  it("conf.checkIPaddr = False takes a reply from another address, as Scapy", function()
    -- b's kernel keeps quiet; a responder answers a's pings from
    -- 198.51.100.99, an address a did not ask
    lab:run("b", "sysctl -qw net.ipv4.icmp_echo_ignore_all=1")
    local responder = lab:spawn("b", H.pktlua .. " -e " .. sh([[
      sniff{iface="eth0", filter="icmp[icmptype] == icmp-echo", timeout=20,
        started_callback=function() print("listening") io.stdout:flush() end,
        prn=function(p) send(IP{src="198.51.100.99", dst=p[IP].src}
          / ICMP{type="echo-reply", id=p[ICMP].id, seq=p[ICMP].seq}, {verbose=0}) end}]]))
    assert.is_truthy(responder:expect("listening", 5))
    local py = run_py([[
for check in (True, False):
    conf.checkIPaddr = check
    r = sr1(IP(dst="198.51.100.2")/ICMP(id=11, seq=1), timeout=0.5, verbose=0)
    print(check, r and r.src)]])
    local pl = run_pl([[
for _, check in ipairs({True, False}) do
  conf.checkIPaddr = check
  local r = sr1(IP{dst="198.51.100.2"}/ICMP{id=11, seq=1}, {timeout=0.5, verbose=0})
  print(check, r and r.src)
end]])
    responder:kill()
    lab:run("b", "sysctl -qw net.ipv4.icmp_echo_ignore_all=0")
    assert.equal(lua_words(py), lua_words(pl))
    assert.matches("false 198.51.100.99", lua_words(py), 1, true)
  end)

  it("vary draws new values each run, the same ones for a seed", function()
    local code = 'send(IP{dst="198.51.100.2"}/UDP{dport=7004}, {count=5, verbose=0, '
      .. 'vary={["IP.id"]="random"}%s})'
    local got = seen_in_b("udp port 7004", function()
      for _, seed in ipairs({ "", "", ", seed=7", ", seed=7" }) do
        local out, st = run_pl(code:format(seed))
        if st ~= 0 then return out, st end
      end
      return "", 0
    end)
    assert.equal(20, #got)
    local runs = {}
    for r = 1, 4 do
      local t = {}
      for i = 1, 5 do t[i] = got[(r - 1) * 5 + i][pkt.IP].id end
      runs[r] = table.concat(t, ",")
    end
    assert.are_not.equal(runs[1], runs[2])
    assert.equal(runs[3], runs[4])
  end)
end)

describe("Scapy's tools ported to pktlua, on the lecture's LAN", function()
  local lab
  setup(function()
    lab = netlab.lan{}
    lab:run("router", "sysctl -qw net.ipv4.icmp_ratelimit=0")
  end)
  teardown(function() if lab then lab:down() end end)

  local function in_victim(cmd) local out, st, err = lab:run("victim", cmd); return out .. (err or ""), st end

  -- srloop's and traceroute's printed text, without Scapy's carriage
  -- returns, its progress marks and its own sr() lines
  local function printed(s)
    local t = {}
    for line in s:gsub("\r", "\n"):gmatch("[^\n]+") do
      line = line:gsub("%s+$", ""):gsub("^%s+", "")
      if line ~= "" and line ~= "send..." and not line:find("^%**$")
          and not line:find("^Begin emission") and not line:find("^Finished sending") then
        t[#t + 1] = line
      end
    end
    return table.concat(t, "\n")
  end

  compare_cases({
    { "traceroute(host, maxttl=4) prints Scapy's table",
      'traceroute("203.0.113.20", maxttl=4)', 'traceroute("203.0.113.20", {maxttl=4})', printed },
    { "srloop(p, count=2) prints RECV lines and the hit rate",
      'srloop(IP(dst="198.51.100.12")/ICMP(), count=2, inter=0.2)',
      'srloop(IP{dst="198.51.100.12"}/ICMP(), {count=2, inter=0.2})', printed },
    { "srloop of an unanswered request prints a fail line",
      'srloop(IP(dst="198.51.100.99")/ICMP(), count=1, timeout=0.3)',
      'srloop(IP{dst="198.51.100.99"}/ICMP(), {count=1, timeout=0.3})', printed },
    { "conf.route lists the routes as Scapy's table",
      'print(conf.route)', 'print(conf.route)', function(s) return (s:gsub("%s+\n", "\n")) end },
    { "conf.route.route(dst) gives the interface, source and gateway",
      'print(*conf.route.route("203.0.113.20"))\nprint(*conf.route.route("198.51.100.12"))',
      'print(conf.route:route("203.0.113.20"))\nprint(conf.route:route("198.51.100.12"))',
      function(s) return (s:gsub("[ \t]+", " ")) end },
    { "conf.iface is the default route's interface",
      'print(conf.iface)', 'print(conf.iface)' },
    { "arping(net) finds the hosts Scapy finds",
      'arping("198.51.100.0/28", timeout=0.5, verbose=1)', 'arping("198.51.100.0/28", {timeout=0.5, verbose=1})',
      function(s)
        local t = {}
        for line in s:gmatch("[^\n]+") do
          local mac, ip = line:match("^%s+(%x%x:%x%x:%x%x:%x%x:%x%x:%x%x)%s.-(%d+%.%d+%.%d+%.%d+)%s*$")
          if mac then t[#t + 1] = mac .. " " .. ip end
        end
        table.sort(t)
        return table.concat(t, "\n")
      end },
  }, in_victim)
end)

describe("the README's steps by hand", function()
  -- unique between runs at the same time (Lua's own random start value
  -- can repeat under ASan)
  local f = assert(io.open("/dev/urandom", "rb"))
  local name = ("t%d"):format(string.unpack("<I4", f:read(4)) % 900000 + 100000)
  f:close()
  teardown(function() H.run("scripts/lab -n " .. name .. " down >/dev/null 2>&1") end)

  it("reproduce the spoofing demo: no replies, then 3 forged ones", function()
    local readme = assert(io.open("README.md")):read("a")
    local block = readme:match("Try them by hand in the lab[^\n]*\n\n(.-)\n\n")
    local steps = {}
    for line in block:gmatch("[^\n]+") do
      line = line:gsub("^%s+", ""):gsub("%s+#.*$", "")
      -- the lab stays up for the next check; teardown takes it down
      if not (line:find("lab shell") or line:find("lab down")) then
        line = line:gsub("^scripts/lab ", "scripts/lab -n " .. name .. " "):gsub("%./pktlua", H.pktlua)
        steps[#steps + 1] = line
      end
    end
    local script = H.tmpfile(table.concat(steps, "\n") .. "\nwait\n")
    local out = H.run("sh " .. script .. " 2>&1")
    os.remove(script)
    local first, second = out:match("(%d+) received.-(%d+) received")
    assert.equal("0", first, out)
    assert.equal("3", second, out)
  end)

  it("scripts/lab run passes its arguments as they are", function()
    local out = H.run("scripts/lab -n " .. name .. [[ run victim printf '[%s]\n' 'a b' 'c"d' '$HOME' 2>&1]])
    assert.equal('[a b]\n[c"d]\n[$HOME]\n', out)
  end)
end)
