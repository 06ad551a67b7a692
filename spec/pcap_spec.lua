-- pcap files: what pktlua writes opens identically in pktlua, tshark,
-- tcpdump and Scapy; pcapng and the other link types read back.
local pkt = require "pkt"
local Ether, IP, TCP, UDP, ARP, ICMP = pkt.Ether, pkt.IP, pkt.TCP, pkt.UDP, pkt.ARP, pkt.ICMP
local sh = H.shquote

local function frames()
  local t = {
    Ether{src="02:00:00:00:00:01", dst="02:00:00:00:00:02"} / IP{src="198.51.100.1", dst="198.51.100.2"}
      / TCP{sport=40000, dport=80, flags="S", options={{"MSS", 1460}}},
    Ether{src="02:00:00:00:00:02", dst="ff:ff:ff:ff:ff:ff"} / ARP{hwsrc="02:00:00:00:00:02", psrc="198.51.100.2", pdst="198.51.100.1"},
    Ether{src="02:00:00:00:00:01", dst="02:00:00:00:00:02"} / IP{src="198.51.100.1", dst="198.51.100.2"}
      / UDP{sport=5000, dport=5001} / ("payload"):rep(20),
    Ether{src="02:00:00:00:00:01", dst="02:00:00:00:00:02"} / IP{src="198.51.100.1", dst="203.0.113.9"}
      / ICMP{id=1, seq=2} / "ping",
  }
  for i, p in ipairs(t) do p.time = 1700000000 + i + i / 1000 end
  return t
end

describe("pcap files", function()
  local path

  before_each(function() path = os.tmpname() end)
  after_each(function() os.remove(path); os.remove(path .. "ng") end)

  it("read back in pktlua with the same bytes and times", function()
    local t = frames()
    pkt.wrpcap(path, t)
    local r = pkt.rdpcap(path)
    assert.equal(#t, #r)
    for i = 1, #t do
      assert.equal(t[i]:bytes(), r[i]:bytes())
      assert.near(t[i].time, r[i].time, 1e-6)
    end
    assert.equal("Ether / IP / TCP 198.51.100.1:40000 > 198.51.100.2:http S", r[1]:summary())
  end)

  it("open in tshark with the same fields", function()
    pkt.wrpcap(path, frames())
    local out = H.run("tshark -r " .. path .. " -T fields -e frame.len -e frame.protocols"
      .. " -e ip.src -e ip.dst -e tcp.flags -e ip.checksum.status -e udp.checksum.status"
      .. " -o ip.check_checksum:TRUE -o udp.check_checksum:TRUE 2>/dev/null")
    local lines = {}
    for l in out:gmatch("[^\n]+") do lines[#lines + 1] = l end
    assert.equal(4, #lines)
    assert.matches("^58\teth:ethertype:ip:tcp\t198.51.100.1\t198.51.100.2\t0x0002\t1", lines[1])  -- 1: checksum good
    assert.matches("^42\teth:ethertype:arp", lines[2])
    assert.matches("^182\teth:ethertype:ip:udp:data\t198.51.100.1\t198.51.100.2\t\t1\t1$", lines[3])
    assert.matches("^46\teth:ethertype:ip:icmp:data\t198.51.100.1\t203.0.113.9", lines[4])
  end)

  it("open in Scapy and tcpdump with the same bytes", function()
    local t = frames()
    pkt.wrpcap(path, t)
    local out = H.run(H.python .. " -c " .. sh("import logging; logging.getLogger('scapy').setLevel(40)\n"
      .. "from scapy.all import rdpcap\nfor p in rdpcap('" .. path .. "'): print(bytes(p).hex(), '%.3f' % p.time)") .. " 2>/dev/null")
    local i = 0
    for hex, time in out:gmatch("(%x+) ([%d.]+)") do
      i = i + 1
      assert.equal(H.hex(t[i]:bytes()), hex)
      assert.equal(("%.3f"):format(t[i].time), time)
    end
    assert.equal(4, i)
    local td = H.run("tcpdump -nn -r " .. path .. " 2>/dev/null")
    local n = select(2, td:gsub("\n", ""))
    assert.equal(4, n)
    assert.matches("198.51.100.1.40000 > 198.51.100.2.80: Flags %[S%]", td)
  end)

  it("read pcapng and keep the link type of raw IP files", function()
    pkt.wrpcap(path, frames())
    H.run("tshark -r " .. path .. " -F pcapng -w " .. path .. "ng 2>/dev/null")
    local r = pkt.rdpcap(path .. "ng")
    assert.equal(4, #r)
    assert.equal(frames()[3]:bytes(), r[3]:bytes())
    local ip = IP{src="198.51.100.1", dst="198.51.100.2"} / UDP{sport=40001, dport=40002} / "raw"
    pkt.wrpcap(path, ip)
    local back = pkt.rdpcap(path)
    assert.equal("IP", back[1]:layers()[1].name)
    assert.equal(ip:bytes(), back[1]:bytes())
    local tsh = H.run("tshark -r " .. path .. " -T fields -e frame.protocols 2>/dev/null")
    assert.equal("raw:ip:udp:data\n", tsh)
  end)

  it("round times to the microsecond without overflowing into the seconds", function()
    local p = IP{src="198.51.100.1", dst="198.51.100.2"} / UDP{sport=40000, dport=40001}
    p.time = 1.9999999
    pkt.wrpcap(path, p)
    local t = pkt.rdpcap(path)[1].time
    assert.equal(2.0, t)
  end)

  it("stream with pcap_writer and pcap_reader, appending too", function()
    local w = pkt.pcap_writer(path)
    for _, p in ipairs(frames()) do w:write(p) end
    w:close()
    local w2 = pkt.pcap_writer(path, {append=true})
    w2:write(frames()[1])
    w2:close()
    local n, last = 0
    for p in pkt.pcap_reader(path) do n = n + 1; last = p end
    assert.equal(5, n)
    assert.equal(frames()[1]:bytes(), last:bytes())
    -- a filter on reading, and breaking out early closes the file
    local m = 0
    for _ in pkt.pcap_reader(path, {filter="tcp"}) do m = m + 1 end
    assert.equal(2, m)
    for _ in pkt.pcap_reader(path) do break end
  end)

  it("reads capture files with sniff{offline=}, filter and count", function()
    pkt.wrpcap(path, frames())
    local l = pkt.sniff{offline=path, filter="udp or arp"}
    assert.equal(2, #l)
    assert.equal(1, #pkt.sniff{offline=path, count=1})
    local seen = {}
    pkt.sniff{offline=path, store=false, prn=function(p) seen[#seen + 1] = p:summary() end}
    assert.equal(4, #seen)
    -- store=false and nothing to call: counted in C
    local l, st = pkt.sniff{offline=path, store=false}
    assert.equal(0, #l)
    assert.equal(4, st.captured)
    assert.equal(2, select(2, pkt.sniff{offline=path, store=false, count=2}).captured)
    assert.equal(2, select(2, pkt.sniff{offline=path, filter="tcp or icmp", store=false}).captured)
  end)

  it("gives clear errors for missing, corrupt and unwritable files", function()
    local ok, err = pcall(pkt.rdpcap, "/nonexistent/x.pcap")
    assert.is_false(ok)
    assert.matches("cannot read capture file /nonexistent/x.pcap", err, 1, true)
    local f = io.open(path, "wb"); f:write("not a pcap file at all"); f:close()
    ok, err = pcall(pkt.rdpcap, path)
    assert.is_false(ok)
    assert.matches("cannot read capture file", err, 1, true)
    ok, err = pcall(pkt.wrpcap, "/nonexistent/dir/x.pcap", frames())
    assert.is_false(ok)
    assert.matches("cannot write /nonexistent/dir/x.pcap", err, 1, true)
    -- reading stops at count, before any damage
    pkt.wrpcap(path, frames())
    f = io.open(path, "rb"); local whole = f:read("a"); f:close()
    f = io.open(path, "wb"); f:write(whole:sub(1, -10)); f:close()
    assert.equal(0, #pkt.rdpcap(path, 0))
    assert.equal(2, #pkt.rdpcap(path, 2))
  end)

  it("dissects Linux cooked captures (iface any)", function()
    local sll = pkt.CookedLinux{pkttype=4, lladdrtype=1, lladdrlen=6, src=0x0200000000010000}
      / IP{src="198.51.100.1", dst="198.51.100.2"} / ICMP()
    pkt.wrpcap(path, sll)
    local r = pkt.rdpcap(path)[1]
    assert.equal("CookedLinux / IP / ICMP 198.51.100.1 > 198.51.100.2 echo-request 0", r:summary())
    assert.equal(0x0800, r[pkt.CookedLinux].proto)
    local tsh = H.run("tshark -r " .. path .. " -T fields -e frame.protocols 2>/dev/null")
    assert.equal("sll:ethertype:ip:icmp\n", tsh)
  end)
end)


local C = require "capfiles"

-- Files written by Scapy, once for the specs below (one Python start),
-- and the bytes Scapy reads from each: fixtures[name] = {path, hex...}.
local fixtures = {}
local dir

local function fixture(name) return fixtures[name].path end

setup(function()
  dir = H.run("mktemp -d"):gsub("%s+$", "")
  local out = C.scapy(([==[
import os
from decimal import Decimal
d = %q
udp = [Ether(src='02:00:00:00:00:01', dst='02:00:00:00:00:02')/IP(src='198.51.100.1', dst='198.51.100.%%d' %% i)
       /UDP(sport=4000+i, dport=53)/(b'x'*i*10) for i in range(1, 8)]
wrpcap(d + '/udp.pcap', udp)
wrpcapng(d + '/udp.pcapng', udp)
wrpcap(d + '/dot11.pcap', [RadioTap()/Dot11(addr1='02:00:00:00:00:0%%d' %% i)/Dot11Beacon() for i in range(3)])
wrpcap(d + '/empty-first.pcap', [Raw(b''), Ether(src='02:00:00:00:00:01')/IP(dst='198.51.100.2')/ICMP()], linktype=1)
# a BIG TCP frame: IP total length 0, 80,066 bytes captured
wrpcap(d + '/big.pcap', [Ether(src='02:00:00:00:00:01', dst='02:00:00:00:00:02')
       /IP(src='198.51.100.1', dst='198.51.100.2', len=0)/TCP(sport=1, dport=2, chksum=0x1234)
       /(bytes(range(256))*313)[:80012]], snaplen=262144)
ns = []
for i, t in enumerate(['1700000000.123456789', '1700000000.400000001', '1700000001.000000001']):
    p = IP(src='198.51.100.1', dst='198.51.100.%%d' %% (i + 1))/ICMP(seq=i)
    p.time = Decimal(t)
    ns.append(p)
wrpcap(d + '/nano.pcap', ns, nano=True)
for f in sorted(os.listdir(d)):
    for i, p in enumerate(rdpcap(d + '/' + f)):
        print(f, i + 1, bytes(p).hex())
]==]):format(dir))
  for name, i, hex in out:gmatch("(%S+) (%d+) (%x*)\n") do
    fixtures[name] = fixtures[name] or { path = dir .. "/" .. name }
    fixtures[name][tonumber(i)] = hex
  end
end)

teardown(function() os.execute("rm -rf " .. sh(dir)) end)

-- tshark's view of every frame: times, lengths and bytes.
local function tshark_view(path)
  return H.run("tshark -n -r " .. sh(path) .. " -x -T fields -e frame.time_epoch -e frame.len"
    .. " -e frame.cap_len 2>/dev/null")
end

describe("capture files cut short or damaged", function()
  local cut

  before_each(function() cut = os.tmpname() end)
  after_each(function() os.remove(cut) end)

  -- Reads cut with rdpcap, pcap_reader and sniff: the packets before the
  -- damage, as many as tshark reads, the bytes Scapy read from the whole
  -- file, and a warning naming the file and where it is cut.
  local function check_cut(want, where)
    assert.equal(6, #C.tshark(cut, { "frame.number" }))
    local warned, l = C.stderr_of(function() return pkt.rdpcap(cut) end)
    assert.equal(6, #l)
    for i = 1, #l do assert.equal(want[i], H.hex(l[i]:bytes())) end
    assert.equal(("rdpcap: warning: %s: %s; the 6 packets before it are read\n"):format(cut, where), warned)
    assert.equal(warned:match("^rdpcap: warning: (.-)\n$"), l.warning)
    local n = 0
    warned = C.stderr_of(function() for _ in pkt.pcap_reader(cut) do n = n + 1 end end)
    assert.equal(6, n)
    assert.equal(("pcap_reader: warning: %s: %s; the 6 packets before it are read\n"):format(cut, where), warned)
    warned, l = C.stderr_of(function() return pkt.sniff{offline=cut} end)
    assert.equal(6, #l)
    assert.matches("^sniff: warning: ", warned)
    local stats
    warned, _, stats = C.stderr_of(function() return pkt.sniff{offline=cut, store=false} end)
    assert.equal(6, stats.captured)
    assert.equal(("sniff: warning: %s: %s\n"):format(cut, where), warned)
  end

  it("return the packets before a pcap file's cut tail, as tshark does", function()
    local whole = C.slurp(fixture("udp.pcap"))
    -- the last record is 16 + 112 bytes: cut after 5 bytes of its header,
    -- then after its header and 78 of its bytes
    C.spit(cut, whole:sub(1, #whole - 128 + 5))
    check_cut(fixtures["udp.pcap"],
      "record 7 is cut short: truncated dump file; tried to read 16 header bytes, only got 5")
    C.spit(cut, whole:sub(1, #whole - 34))
    check_cut(fixtures["udp.pcap"],
      "record 7 is cut short: truncated dump file; tried to read 112 captured bytes, only got 78")
  end)

  it("return the packets before a pcapng file's cut tail, as tshark does", function()
    local whole = C.slurp(fixture("udp.pcapng"))
    -- blocks: the section header, the interface, then one of 32 + 112 bytes a frame
    local last = #whole - (32 + 112)
    C.spit(cut, whole:sub(1, -30))
    check_cut(fixtures["udp.pcapng"], ("block 9 (byte %d): the file ends inside the block (%d of 144 bytes)")
      :format(last, 144 - 29))
    C.spit(cut, whole:sub(1, last + 3))
    check_cut(fixtures["udp.pcapng"], ("block 9 (byte %d): the file ends inside the block's header (3 of 8 bytes)")
      :format(last))
  end)

  it("refuse a damaged record mid-file, naming the file and the record", function()
    local whole = C.slurp(fixture("udp.pcap"))
    -- record 3's captured length: past the file header and two records
    local at = 24 + (16 + 52) + (16 + 62) + 8
    C.spit(cut, whole:sub(1, at) .. string.pack("<I4", 0x7fffffff) .. whole:sub(at + 5))
    assert.matches("damaged or corrupt", select(2, C.tshark(cut, { "frame.number" })))
    local ok, err = pcall(function() local l = pkt.rdpcap(cut); return l end)
    assert.is_false(ok)
    assert.matches("^[^\n]*pcap_spec%.lua:%d+: rdpcap: " .. cut:gsub("%p", "%%%0")
      .. ": record 3: invalid packet capture length 2147483647", err)
    ok, err = pcall(function() for _ in pkt.pcap_reader(cut) do end end)
    assert.matches("pcap_spec%.lua:%d+: pcap_reader: [^\n]*: record 3: ", err)
    -- a pcapng block whose two lengths disagree: the first packet's
    whole = C.slurp(fixture("udp.pcapng"))
    local shb = string.unpack("<I4", whole, 5)
    local epb = shb + string.unpack("<I4", whole, shb + 5)
    local len = string.unpack("<I4", whole, epb + 5)
    C.spit(cut, whole:sub(1, epb + len - 4) .. string.pack("<I4", len + 4) .. whole:sub(epb + len + 1))
    assert.matches("damaged or corrupt", select(2, C.tshark(cut, { "frame.number" })))
    ok, err = pcall(function() local l = pkt.rdpcap(cut); return l end)
    assert.matches(("pcap_spec%%.lua:%%d+: rdpcap: %s: block 3 %%(byte %d%%): its length at the end %%(%d%%) differs")
      :format(cut:gsub("%p", "%%%0"), epb, len + 4), err)
  end)
end)

describe("capture file link types", function()
  local path, out

  before_each(function() path, out = os.tmpname(), os.tmpname() end)
  after_each(function() os.remove(path); os.remove(out) end)

  local ip = IP{src="198.51.100.1", dst="198.51.100.2"} / UDP{sport=40001, dport=40002} / "raw"

  it("write raw IP as link type raw, 101 or inferred, and any other number given", function()
    for _, lt in ipairs({ "raw", 101, false }) do
      pkt.wrpcap(path, ip, lt and { linktype = lt } or nil)
      assert.same({ "rawip" }, C.capinfos(path, "-E"))
      assert.equal(101, pkt.rdpcap(path).linktype)
    end
    assert.same({ "raw:ip:udp:data" }, C.tshark(path, { "frame.protocols" }))
    pkt.wrpcap(path, ip, { linktype = 100 })
    assert.same({ "atm-rfc1483" }, C.capinfos(path, "-E"))
    assert.equal(100, pkt.rdpcap(path).linktype)
    assert.has_error(function() pkt.wrpcap(path, ip, { linktype = "token-ring" }) end,
      "wrpcap: unknown linktype 'token-ring' (use ether, raw, sll, sll2 or a number)")
  end)

  it("write back a list read from a file in the file's link type, whatever it is", function()
    local l = pkt.rdpcap(fixture("dot11.pcap"))   -- 802.11 with radiotap: kept as Raw
    assert.equal("Raw", l[1][1]:name())
    assert.equal(127, l.linktype)
    pkt.wrpcap(out, l)
    assert.same(C.capinfos(fixture("dot11.pcap"), "-E"), C.capinfos(out, "-E"))
    assert.equal(tshark_view(fixture("dot11.pcap")), tshark_view(out))
    -- and raw IP read back stays raw IP
    pkt.wrpcap(path, ip)
    pkt.wrpcap(out, pkt.rdpcap(path))
    assert.same({ "rawip" }, C.capinfos(out, "-E"))
  end)

  it("refuse to put packets of another link type in a pcap file", function()
    local eth = Ether{src="02:00:00:00:00:01"} / ip
    local ok, err = pcall(function() pkt.wrpcap(path, { eth, ip }) end)
    assert.is_false(ok)
    assert.matches("^[^\n]*pcap_spec%.lua:%d+: wrpcap: [^\n]*: packet 2: it starts with IP %(link type 101%), "
      .. "but the file's link type is 1", err)
    pkt.wrpcap(path, { eth, ip }, { linktype = 1 })     -- as asked
    assert.equal(2, #C.tshark(path, { "frame.number" }))
  end)

  it("write a list whose first packet has no bytes", function()
    local l = pkt.rdpcap(fixture("empty-first.pcap"))
    assert.equal(0, #l[1])
    assert.equal(fixtures["empty-first.pcap"][2], H.hex(l[2]:bytes()))
    pkt.wrpcap(out, l)
    assert.equal(tshark_view(fixture("empty-first.pcap")), tshark_view(out))
    assert.same({ "ether" }, C.capinfos(out, "-E"))
    -- a script's list: the link type comes from the first packet with layers
    pkt.wrpcap(out, { pkt.Raw(""), ip })
    assert.same({ "rawip" }, C.capinfos(out, "-E"))
  end)

  it("read frames over 65,535 bytes and write them back as captured", function()
    -- (Scapy reads at most 65,535 bytes a frame: tshark is the oracle)
    local fields = { "frame.cap_len", "frame.len", "tcp.srcport", "tcp.payload" }
    local want = table.concat(C.tshark(fixture("big.pcap"), fields))
    assert.equal("80066\t80066\t1\t000102", want:sub(1, 20))
    local l = pkt.rdpcap(fixture("big.pcap"))
    assert.equal(80066, #l[1])
    assert.equal(2, l[1][TCP].dport)
    pkt.wrpcap(out, l)
    assert.is_true(want == table.concat(C.tshark(out, fields)), "tshark reads other bytes")
    pkt.wrpcap(out, l, { format = "pcapng" })
    assert.is_true(want == table.concat(C.tshark(out, fields)), "tshark reads other bytes")
    -- as captured (dissected from bytes), a frame over libpcap's limit
    local ok, err = pcall(pkt.wrpcap, out, Ether(("\2"):rep(300000)))
    assert.is_false(ok)
    assert.matches("wrpcap: [^\n]*: packet 1: a frame of 300000 bytes is longer than capture files hold", err)
  end)
end)

describe("pcapng and nanosecond capture files", function()
  local path, out

  before_each(function() path, out = os.tmpname(), os.tmpname() end)
  after_each(function() os.remove(path); os.remove(out) end)

  local fields = { "frame.time_epoch", "frame.interface_name", "frame.comment", "frame.protocols" }

  -- Three packets on two interfaces, with times in nanoseconds (small
  -- enough for a float to hold them exactly) and a comment on the second.
  local function packets()
    local t = {
      Ether{src="02:00:00:00:00:01", dst="02:00:00:00:00:02"} / IP{src="198.51.100.1", dst="198.51.100.2"}
        / UDP{sport=4000, dport=4001} / "one",
      IP{src="198.51.100.1", dst="203.0.113.9"} / ICMP{id=7, seq=1},
      Ether{src="02:00:00:00:00:02", dst="02:00:00:00:00:01"} / IP{src="198.51.100.2", dst="198.51.100.1"}
        / UDP{sport=4001, dport=4000} / "two",
      comments = { [2] = "a ping, from the tunnel" },
    }
    for i, p in ipairs(t) do p.time = 1000 + i + 0.000000123 * i end
    t[1].iface, t[3].iface, t[2].iface = "veth-a", "veth-b", "tun0"
    return t
  end

  it("write pcapng with interface names, nanosecond times and comments, as tshark reads them", function()
    pkt.wrpcap(path, packets(), { format = "pcapng" })
    assert.same({ "pcapng" }, C.capinfos(path, "-t"))
    assert.same({
      "1001.000000123\tveth-a\t\teth:ethertype:ip:udp:data",
      "1002.000000246\ttun0\ta ping, from the tunnel\traw:ip:icmp",
      "1003.000000369\tveth-b\t\teth:ethertype:ip:udp:data",
    }, C.tshark(path, fields))
    -- wrpcapng is the same, as in Scapy; Scapy reads the bytes and times
    pkt.wrpcapng(out, packets())
    assert.equal(C.slurp(path), C.slurp(out))
    local t = packets()
    local i = 0
    for hex, time in C.scapy(("for p in rdpcap(%q): print(bytes(p).hex(), p.time)"):format(path))
        :gmatch("(%x+) ([%d.]+)") do
      i = i + 1
      assert.equal(H.hex(t[i]:bytes()), hex)
      assert.equal(("%.9f"):format(t[i].time), time)
    end
    assert.equal(3, i)
  end)

  it("hold times from 2^32 s on in pcapng, and refuse them in pcap", function()
    local p = IP{src="198.51.100.1", dst="198.51.100.2"} / ICMP()
    p.time = 2^32 + 0.5
    local ok, err = pcall(function() pkt.wrpcap(path, { IP(), p }) end)
    assert.is_false(ok)
    assert.matches("^[^\n]*pcap_spec%.lua:%d+: wrpcap: [^\n]*: packet 2: a time of 4294967296 s is past what"
      .. " pcap holds %(2%^32 %- 1 s, 2106%-02%-07 06:28:15%); pcapng holds it$", err)
    pkt.wrpcap(path, p, { format = "pcapng" })
    assert.same({ "4294967296.500000000" }, C.tshark(path, { "frame.time_epoch" }))
    assert.equal(2^32 + 0.5, pkt.rdpcap(path)[1].time)
    p.time = -1
    for _, f in ipairs({ "pcap", "pcapng" }) do
      ok, err = pcall(pkt.wrpcap, path, p, { format = f })
      assert.matches("packet 1: a time of %-1 s is before 1970, which capture files do not hold", err)
    end
    ok, err = pcall(function() p.time = "noon" end)
    assert.matches("time: a packet's time must be a number of seconds, got string noon", err, 1, true)
  end)

  it("write nanosecond pcap, read exactly by Scapy and tshark", function()
    pkt.wrpcap(path, packets(), { nano = true, linktype = 1 })
    assert.same({ "nsecpcap" }, C.capinfos(path, "-t"))
    assert.equal("\77\60\178\161", C.slurp(path):sub(1, 4))   -- 0xa1b23c4d
    local times = C.tshark(path, { "frame.time_epoch" })
    assert.same({ "1001.000000123", "1002.000000246", "1003.000000369" }, times)
    local l = pkt.rdpcap(path)
    assert.is_true(l.nano)
    assert.equal("pcap", l.format)
    assert.equal(1001.000000123, l[1].time)
  end)

  it("keep a file's nanosecond times exact through rdpcap and wrpcap", function()
    -- times of 2023: a float holds them to about 240 ns only
    local want = C.tshark(fixture("nano.pcap"), { "frame.time_epoch" })
    assert.same({ "1700000000.123456789", "1700000000.400000001", "1700000001.000000001" }, want)
    local l = pkt.rdpcap(fixture("nano.pcap"))
    pkt.wrpcap(out, l)
    assert.same({ "nsecpcap" }, C.capinfos(out, "-t"))
    assert.same(want, C.tshark(out, { "frame.time_epoch" }))
    pkt.wrpcap(out, l, { format = "pcapng" })
    assert.same(want, C.tshark(out, { "frame.time_epoch" }))
    pkt.wrpcap(path, pkt.rdpcap(out))
    assert.same(want, C.tshark(path, { "frame.time_epoch" }))
    -- a time changed is written as the float says
    l[2].time = 1700000000.5
    pkt.wrpcap(out, l)
    assert.equal("1700000000.500000000", C.tshark(out, { "frame.time_epoch" })[2])
  end)

  it("write a list read from pcapng back as pcapng, with its interfaces and comments", function()
    -- interface names and comments as tshark writes them
    pkt.wrpcap(out, packets(), { format = "pcapng" })
    H.run("tshark -r " .. sh(out) .. " -F pcapng -w " .. sh(path) .. " 2>/dev/null")
    local want = C.tshark(path, fields)
    assert.equal(3, #want)
    local l = pkt.rdpcap(path)
    assert.equal("pcapng", l.format)
    assert.equal("a ping, from the tunnel", l.comments[2])
    assert.same({ "veth-a", "tun0", "veth-b" }, { l.interfaces[1].name, l.interfaces[2].name, l.interfaces[3].name })
    assert.equal(101, l.interfaces[2].linktype)
    -- several link types in one file: each packet starts with its own
    assert.same({ "Ether", "IP", "Ether" }, { l[1][1]:name(), l[2][1]:name(), l[3][1]:name() })
    pkt.wrpcap(out, l)
    assert.same({ "pcapng" }, C.capinfos(out, "-t"))
    assert.same(want, C.tshark(out, fields))
    -- a comment added is written; pcap_reader reads the packets too
    l.comments[3] = "added"
    pkt.wrpcap(out, l)
    assert.equal("added", select(3, C.tshark(out, fields)[3]:match("^(.-)\t(.-)\t(.-)\t")))
    local names = {}
    for p in pkt.pcap_reader(out) do names[#names + 1] = p[1]:name() end
    assert.same({ "Ether", "IP", "Ether" }, names)
  end)

  it("append to pcap and pcapng files as they are", function()
    local t = packets()
    pkt.wrpcap(path, t[1], { nano = true })
    pkt.wrpcap(path, t[3], { append = true })
    assert.same({ "1001.000000123", "1003.000000369" }, C.tshark(path, { "frame.time_epoch" }))
    local ok, err = pcall(pkt.wrpcap, path, t[2], { append = true })
    assert.matches("cannot append to [^\n]*: it holds link type 1, these packets 101", err)
    ok, err = pcall(pkt.wrpcap, path, t[1], { append = true, format = "pcapng" })
    assert.matches("cannot append to [^\n]*: it is pcap", err)
    -- pcapng: a new section
    pkt.wrpcap(out, t, { format = "pcapng" })
    pkt.wrpcap(out, t[1], { append = true })
    local got = C.tshark(out, fields)
    assert.equal(4, #got)
    assert.equal("1001.000000123\tveth-a\t\teth:ethertype:ip:udp:data", got[4])
    assert.equal(4, #pkt.rdpcap(out))
  end)
end)
