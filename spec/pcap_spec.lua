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
    assert.equal("Ether / IP / TCP 198.51.100.1:40000 > 198.51.100.2:80 S", r[1]:summary())
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
    -- a file cut inside a record: the error names the script's loop
    pkt.wrpcap(path, frames())
    f = io.open(path, "rb"); local whole = f:read("a"); f:close()
    f = io.open(path, "wb"); f:write(whole:sub(1, -10)); f:close()
    ok, err = pcall(function() for _ in pkt.pcap_reader(path) do end end)
    assert.is_false(ok)
    assert.matches("^[^\n]*pcap_spec%.lua:%d+: pcap_reader: [^\n]*truncated", err)
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
