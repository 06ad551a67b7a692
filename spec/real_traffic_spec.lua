-- Real traffic against tshark: in throw-away network namespaces the
-- kernel, ping and nc make the packets, tcpdump writes them to a file, and
-- every layer and field pktlua dissects from that file must equal tshark's
-- reading of it (spec/support/tshark.lua).  Captures saved from these labs
-- (spec/fixtures/real) are compared too, whole and cut to every snap
-- length, without root.  PKTLUA_REAL_KEEP=dir keeps each lab capture as
-- dir/<name>.pcap: that is how the fixtures were made.
local netlab = require "netlab"
local pkt = require "pkt"
local tshark = require "tshark"
local sh = H.shquote
local IP, ICMP, UDP, TCP, ARP, Raw = pkt.IP, pkt.ICMP, pkt.UDP, pkt.TCP, pkt.ARP, pkt.Raw
local IPerror, UDPerror, ICMPerror = pkt.IPerror, pkt.UDPerror, pkt.ICMPerror

local KEEP = os.getenv("PKTLUA_REAL_KEEP")
local FIXTURES = (debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "fixtures/real/"

------------------------------------------------------------ pcap records

-- read_pcap(path) -> {endian =, head =, records = {{sec, frac, orig, data}}}:
-- a classic pcap file (what tcpdump -w writes) record by record; a record
-- still being written at the end is left out.
local function read_pcap(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("a")
  f:close()
  local t = { records = {} }
  if #s < 24 then return t end
  local magic = string.unpack("<I4", s)
  t.endian = (magic == 0xa1b2c3d4 or magic == 0xa1b23c4d) and "<" or ">"
  t.head = s:sub(1, 24)
  local pos = 25
  while pos + 16 <= #s + 1 do
    local sec, frac, incl, orig = string.unpack(t.endian .. "I4I4I4I4", s, pos)
    if pos + 15 + incl > #s then break end
    t.records[#t.records + 1] = { sec = sec, frac = frac, orig = orig, data = s:sub(pos + 16, pos + 15 + incl) }
    pos = pos + 16 + incl
  end
  return t
end

-- write_pcap(path, like, records): records in the format of like (a
-- read_pcap result), each with its own captured bytes and wire length.
local function write_pcap(path, like, records)
  local t = { like.head }
  for _, r in ipairs(records) do
    t[#t + 1] = string.pack(like.endian .. "I4I4I4I4", r.sec, r.frac, #r.data, r.orig) .. r.data
  end
  local f = assert(io.open(path, "wb"))
  f:write(table.concat(t))
  f:close()
end

-- Compares pktlua's and tshark's readings of path, naming packet i by
-- label(i); raises with every disagreement if there is one, saying where
-- path is kept.  A pktlua error on reading the file is raised the same way.
local function agree(path, what, label)
  local done, r = pcall(tshark.compare, path, label)
  if not done then
    error(("%s: pktlua cannot read the capture (kept at %s): %s"):format(what, path, tostring(r)), 0)
  end
  if #r.diffs > 0 then
    error(("%s: pktlua and tshark disagree on %d values (capture kept at %s):\n  %s")
      :format(what, #r.diffs, path, table.concat(r.diffs, "\n  ")), 0)
  end
  if KEEP then
    io.stderr:write(("\n%s: %d packets, %d values equal\n"):format(what, #r.packets, r.values))
  end
  return r.packets
end

------------------------------------------------------ saved captures

-- Captures of real traffic kept under spec/fixtures/real (those named
-- after the lab tests below were made by them, with PKTLUA_REAL_KEEP), so
-- the comparison runs without root too; cut to every snap length they
-- stand for what tcpdump -s N writes.
describe("saved real traffic (spec/fixtures/real), against tshark", function()
  local files = {}
  for name in H.run("ls " .. sh(FIXTURES) .. " 2>/dev/null"):gmatch("([^\n]+%.pcap)\n") do
    files[#files + 1] = name
  end
  if #files == 0 or select(2, H.run("command -v tshark >/dev/null 2>&1")) ~= 0 then
    pending("needs tshark and the captures in " .. FIXTURES)
    return
  end

  -- All the fixtures in one file, each record cut to each of lengths it
  -- is longer than (all of it when lengths is nil); one tshark run then
  -- reads them all.  Returns the path and a label for each packet.
  local function merged(lengths)
    local like, records, labels = nil, {}, {}
    for _, name in ipairs(files) do
      local t = read_pcap(FIXTURES .. name)
      like = like or t
      assert(t.head and t.head:sub(21) == like.head:sub(21), name .. ": not an Ethernet pcap like the others")
      for _, snap in ipairs(lengths or { false }) do
        for n, r in ipairs(t.records) do
          if not snap or #r.data > snap then
            records[#records + 1] = { sec = r.sec, frac = r.frac, orig = r.orig, data = snap and r.data:sub(1, snap) or r.data }
            labels[#records] = ("%s packet %d%s"):format(name, n, snap and " cut to " .. snap .. " bytes" or "")
          end
        end
      end
    end
    local path = os.tmpname()
    write_pcap(path, like, records)
    return path, function(i) return labels[i] end
  end

  it(("reads %d captures as tshark does, every packet, layer and field"):format(#files), function()
    local path, label = merged()
    agree(path, "saved captures", label)
    os.remove(path)
  end)

  it("reads them cut short at each snap length from 14 to 110 bytes as tshark does", function()
    local lengths = {}
    for n = 14, 110 do lengths[#lengths + 1] = n end
    local path, label = merged(lengths)
    agree(path, "saved captures cut short", label)
    os.remove(path)
  end)
end)

------------------------------------------------------------- live labs

local missing = H.lab_missing({ "tcpdump", "tshark", "nc", "ping" })
if missing then
  describe("real traffic against tshark", function() pending(missing) end)
  return
end

-- Seconds since boot, to 10 ms: os.time() is too coarse.
local function now()
  local f = assert(io.open("/proc/uptime"))
  local t = f:read("n")
  f:close()
  return t
end

-- capture(lab, name, host, filter, min, traffic [, args]) -> packets. Runs
-- tcpdump (with args, e.g. "-s 60") on host's eth0 while traffic() makes
-- packets, until at least min are written and no more come for 0.2 s (so
-- a last ACK is not cut off); then checks that pktlua and tshark read
-- every packet of the file alike, and raises naming each packet, field
-- and both values if not, keeping the file.
local function capture(lab, name, host, filter, min, traffic, args)
  local path = os.tmpname()
  local job = lab:spawn(host, ("tcpdump -i eth0 -nn --immediate-mode -U %s -w %s %s")
    :format(args or "", path, sh(filter)))
  assert(job:expect("listening on", 5), "tcpdump did not start: " .. job:output())
  traffic()
  local deadline, last, since = now() + 5, -1, now()
  repeat
    local n = #read_pcap(path).records
    if n ~= last then last, since = n, now() end
    if n >= min and now() - since >= 0.2 then break end
    os.execute("sleep 0.02")
  until now() > deadline
  job:kill()
  if KEEP and not args then os.execute(("cp %s %s"):format(sh(path), sh(KEEP .. "/" .. name .. ".pcap"))) end
  local pkts = agree(path, name)
  os.remove(path)
  return pkts
end

-- The layer names of each packet: {"Ether / IP / ICMP / Raw", ...}.
local function stacks(pkts)
  local t = {}
  for i, p in ipairs(pkts) do t[i] = p:summary_names() end
  return t
end

-- One field of one layer class over all packets (false where absent).
local function column(pkts, cls, field)
  local t = {}
  for i, p in ipairs(pkts) do
    local l = p[cls]
    t[i] = l and l[field] or false
  end
  return t
end

local function rep(v, n)
  local t = {}
  for i = 1, n do t[i] = v end
  return t
end

describe("real traffic on a veth pair, against tshark", function()
  local lab

  setup(function() lab = netlab.pair() end)
  teardown(function() if lab then lab:down() end end)

  it("ping: echo requests and replies", function()
    local pkts = capture(lab, "ping", "b", "icmp", 4, function()
      lab:run("a", "ping -c 2 -i 0.2 -W 1 198.51.100.2")
    end)
    assert.same(rep("Ether / IP / ICMP / Raw", 4), stacks(pkts))
    assert.same({ 8, 0, 8, 0 }, column(pkts, ICMP, "type"))
    assert.same({ 1, 1, 2, 2 }, column(pkts, ICMP, "seq"))
    assert.equal(56, #pkts[1][Raw].load)
  end)

  it("ping -s 0 -Q 0xb8: an echo with no data, and a TOS", function()
    local pkts = capture(lab, "ping_empty", "b", "icmp", 2, function()
      lab:run("a", "ping -c 1 -s 0 -Q 0xb8 -W 1 198.51.100.2")
    end)
    assert.same(rep("Ether / IP / ICMP", 2), stacks(pkts))
    assert.same({ 0xb8, 0xb8 }, column(pkts, IP, "tos"))
    assert.same({ 28, 28 }, column(pkts, IP, "len"))
  end)

  it("ping -s 2000: IPv4 fragments, a later one kept as Raw", function()
    local pkts = capture(lab, "fragments", "b", "icmp", 4, function()
      lab:run("a", "ping -c 1 -s 2000 -W 1 198.51.100.2")
    end)
    assert.same({ "Ether / IP / ICMP / Raw", "Ether / IP / Raw", "Ether / IP / ICMP / Raw", "Ether / IP / Raw" },
      stacks(pkts))
    assert.same({ "MF", "", "MF", "" }, column(pkts, IP, "flags"))
    assert.same({ 0, 185, 0, 185 }, column(pkts, IP, "frag"))
    assert.same({ 8, false, 0, false }, column(pkts, ICMP, "type"))
    -- the two fragments carry the 2000 bytes of echo data between them
    assert.equal(2000, #pkts[1][Raw].load + #pkts[2][Raw].load)
    assert.equal(pkts[1][Raw].load .. pkts[2][Raw].load, pkts[3][Raw].load .. pkts[4][Raw].load)
  end)

  it("nc over TCP: handshake with the kernel's options, data, FIN both ways", function()
    local server = lab:spawn("b", "nc -l -p 45000")
    assert.is_true(lab:wait_for("b", "ss -ltn | grep -q ':45000 '"))
    local pkts = capture(lab, "tcp", "b", "tcp port 45000", 8, function()
      lab:run("a", "printf hello | nc -q 1 -w 2 198.51.100.2 45000")
    end)
    assert.equal("hello", (server:wait(2)))
    assert.same({ "S", "SA", "A", "PA", "A", "FA", "FA", "A" }, column(pkts, TCP, "flags"))
    local data = rep("Ether / IP / TCP", 8)
    data[4] = "Ether / IP / TCP / Raw"
    assert.same(data, stacks(pkts))
    assert.equal("hello", pkts[4][Raw].load)
    for i = 1, 2 do
      local names = {}
      for k, o in ipairs(pkts[i][TCP].options) do names[k] = o[1] end
      assert.same({ "MSS", "SAckOK", "Timestamp", "NOP", "WScale" }, names)
    end
    assert.equal(pkts[1][TCP].seq + 1, pkts[2][TCP].ack)
  end)

  it("nc to a closed TCP port: a SYN answered by RST", function()
    local pkts = capture(lab, "tcp_reset", "b", "tcp port 45002", 2, function()
      lab:run("a", "nc -w 1 198.51.100.2 45002")
    end)
    assert.same(rep("Ether / IP / TCP", 2), stacks(pkts))
    assert.same({ "S", "RA" }, column(pkts, TCP, "flags"))
    assert.equal(0, pkts[2][TCP].window)
    assert.equal(pkts[1][TCP].seq + 1, pkts[2][TCP].ack)
  end)

  it("nc -u: a datagram and its answer", function()
    lab:spawn("b", "printf pong | nc -u -l -p 45001")
    assert.is_true(lab:wait_for("b", "ss -lun | grep -q ':45001 '"))
    local pkts = capture(lab, "udp", "b", "udp port 45001", 2, function()
      lab:run("a", "printf ping | nc -u -W 1 -w 2 198.51.100.2 45001")
    end)
    assert.same(rep("Ether / IP / UDP / Raw", 2), stacks(pkts))
    assert.same({ "ping", "pong" }, column(pkts, Raw, "load"))
    assert.same({ 45001, pkts[1][UDP].sport }, column(pkts, UDP, "dport"))
  end)

  it("ARP: who-has and is-at before a ping, on empty neighbour tables", function()
    lab:run("a", "ip neigh flush all")
    lab:run("b", "ip neigh flush all")
    local pkts = capture(lab, "arp", "b", "arp or icmp", 4, function()
      lab:run("a", "ping -c 1 -W 1 198.51.100.2")
    end)
    assert.same({ "Ether / ARP", "Ether / ARP", "Ether / IP / ICMP / Raw", "Ether / IP / ICMP / Raw" },
      stacks(pkts))
    assert.same({ 1, 2, false, false }, column(pkts, ARP, "op"))
    assert.equal("ff:ff:ff:ff:ff:ff", pkts[1].dst)
    assert.equal(lab.a.mac, pkts[2][ARP].hwdst)
    assert.equal(lab.b.mac, pkts[2][ARP].hwsrc)
  end)

  it("ICMP port unreachable: nc -u to a closed port, the datagram quoted", function()
    local pkts = capture(lab, "unreachable", "a", "udp or icmp", 2, function()
      lab:run("a", "printf x | nc -u -w 1 198.51.100.2 45009")
    end)
    assert.same({ "Ether / IP / UDP / Raw", "Ether / IP / ICMP / IPerror / UDPerror / Raw" }, stacks(pkts))
    assert.same({ false, 3 }, column(pkts, ICMP, "type"))
    assert.same({ false, 3 }, column(pkts, ICMP, "code"))
    assert.equal(45009, pkts[2][UDPerror].dport)
    -- the quote is the whole datagram sent, byte for byte
    assert.equal(H.hex(pkts[1]:bytes():sub(15)), H.hex(pkts[2]:bytes():sub(14 + 20 + 8 + 1)))
  end)

  it("tcpdump -s 60: packets cut short, a quote cut inside the quoted IP header", function()
    local pkts = capture(lab, "snaplen60", "a", "icmp or udp", 4, function()
      lab:run("a", "ping -c 1 -W 1 198.51.100.2")
      lab:run("a", "printf x | nc -u -w 1 198.51.100.2 45009")
    end, "-s 60")
    assert.same({ "Ether / IP / ICMP / Raw", "Ether / IP / ICMP / Raw", "Ether / IP / UDP / Raw",
      "Ether / IP / ICMP / IPerror" }, stacks(pkts))
    -- (tcpdump -s 60 here writes 58 bytes of each longer frame)
    for _, i in ipairs { 1, 2, 4 } do assert.is_true(#pkts[i] <= 60 and #pkts[i] >= 58, #pkts[i]) end
    assert.equal(43, #pkts[3])
    -- the quote keeps the fields that fit, src but not all of dst
    assert.equal("198.51.100.1", pkts[4][IPerror].src)
  end)
end)

describe("real traffic through a router, against tshark", function()
  local lab

  setup(function() lab = netlab.lan { remote = true } end)
  teardown(function() if lab then lab:down() end end)

  it("ICMP time exceeded from the router: ping -t 1, the echo request quoted", function()
    local pkts = capture(lab, "time_exceeded", "victim", "arp or icmp", 4, function()
      lab:run("victim", "ping -c 1 -t 1 -W 1 203.0.113.20")
    end)
    assert.same({ "Ether / ARP", "Ether / ARP", "Ether / IP / ICMP / Raw",
      "Ether / IP / ICMP / IPerror / ICMPerror / Raw" }, stacks(pkts))
    local req, err = pkts[3], pkts[4]
    assert.same({ 11, 0, "198.51.100.1" }, { err[ICMP].type, err[ICMP].code, err[IP].src })
    assert.equal(1, err[IPerror].ttl)
    assert.same({ req[ICMP].id, req[ICMP].seq }, { err[ICMPerror].id, err[ICMPerror].seq })
    assert.equal(req[Raw].load, err[Raw].load)
  end)

  it("ICMP time exceeded quoting a TCP SYN and a UDP datagram: nc -M 1", function()
    local pkts = capture(lab, "time_exceeded_nc", "victim", "icmp or tcp or udp", 4, function()
      lab:run("victim", "nc -M 1 -w 1 203.0.113.20 45000")
      lab:run("victim", "printf x | nc -u -M 1 -w 1 203.0.113.20 45001")
    end)
    assert.same({ "Ether / IP / TCP", "Ether / IP / ICMP / IPerror / TCPerror",
      "Ether / IP / UDP / Raw", "Ether / IP / ICMP / IPerror / UDPerror / Raw" }, stacks(pkts))
    assert.same({ false, 11, false, 11 }, column(pkts, ICMP, "type"))
    -- each quote is the whole packet sent, byte for byte
    for i = 1, 3, 2 do
      assert.equal(H.hex(pkts[i]:bytes():sub(15)), H.hex(pkts[i + 1]:bytes():sub(14 + 20 + 8 + 1)))
    end
    local names = {}
    for k, o in ipairs(pkts[2][pkt.TCPerror].options) do names[k] = o[1] end
    assert.same({ "MSS", "SAckOK", "Timestamp", "NOP", "WScale" }, names)
  end)

  it("IP options: ping -R and ping -T tsandaddr, filled in on the way", function()
    local pkts = capture(lab, "ip_options", "victim", "icmp", 4, function()
      lab:run("victim", "ping -c 1 -R -W 1 203.0.113.20")
      lab:run("victim", "ping -c 1 -T tsandaddr -W 1 203.0.113.20")
    end)
    assert.same(rep("Ether / IP / ICMP / Raw", 4), stacks(pkts))
    assert.same({ 15, 15, 14, 14 }, column(pkts, IP, "ihl"))
    assert.same({ 7, 7, 68, 68 }, { pkts[1][IP].options:byte(2), pkts[2][IP].options:byte(1),
      pkts[3][IP].options:byte(1), pkts[4][IP].options:byte(1) })
    -- the reply's record route holds the router's and the remote's addresses
    assert.matches("\203\0\113\1", pkts[2][IP].options, 1, true)
    assert.same({ 8, 0, 8, 0 }, column(pkts, ICMP, "type"))
  end)
end)
