-- Capture and injection on a real virtual network: two namespaces
-- joined by a veth pair (198.51.100.1 and .2), made and torn down here.
-- Each check runs pktlua, ping, nc or tcpdump inside the namespaces and
-- asserts exact results.
local netlab = require "netlab"
local pkt = require "pkt"
local sh = H.shquote

local missing = H.lab_missing()
if missing then
  describe("capture and injection", function() pending(missing) end)
  return
end

describe("capture and injection", function()
  local lab

  setup(function()
    lab = netlab.pair()
    -- Linux lets out a burst of 6 ICMP errors per destination, then one a
    -- second: the datagrams to closed ports below would use it up and
    -- make the port-unreachable check depend on timing
    lab:run("b", "sysctl -qw net.ipv4.icmp_ratelimit=0")
  end)
  teardown(function() if lab then lab:down() end end)

  -- Runs a pktlua chunk in a host; returns output (stdout+stderr), status.
  local function pl(host, code)
    local out, status, err = lab:run(host, H.pktlua .. " -e " .. sh(code))
    return out .. (err or ""), status
  end

  local function spawn_pl(host, code)
    return lab:spawn(host, H.pktlua .. " -e " .. sh(code))
  end

  it("sends a packet that tcpdump in the other namespace captures byte for byte", function()
    local file = os.tmpname()
    local job = lab:spawn("b", "tcpdump -i eth0 -U -c 1 -w " .. file .. " udp port 7777")
    assert.is_true(job:expect("listening on", 5))
    local _, status = pl("a", [[send(IP{dst="198.51.100.2", id=77}/UDP{sport=1234, dport=7777}/"exact bytes", {verbose=false})]])
    assert.equal(0, status)
    local _, st = job:wait(5)
    assert.equal(0, st)
    local got = pkt.rdpcap(file)
    os.remove(file)
    assert.equal(1, #got)
    local want = pkt.IP{src="198.51.100.1", dst="198.51.100.2", id=77}
      / pkt.UDP{sport=1234, dport=7777} / "exact bytes"
    assert.equal(H.hex(want:bytes()), H.hex(got[1]:bytes():sub(15)))
    assert.equal("02:00:00:00:00:01", got[1][pkt.Ether].src)
  end)

  it("sends frames with sendp, filling in the source MAC and resolving the destination", function()
    local file = os.tmpname()
    local job = lab:spawn("b", "tcpdump -i eth0 -U -c 1 -w " .. file .. " icmp")
    assert.is_true(job:expect("listening on", 5))
    local out = pl("a", [[
      local n = sendp(Ether()/IP{dst="198.51.100.2"}/ICMP{id=5, seq=1}, {iface="eth0", verbose=false})
      print(n)]])
    assert.equal("1\n", out)
    job:wait(5)
    local got = pkt.rdpcap(file)[1]
    os.remove(file)
    assert.equal("02:00:00:00:00:01", got[pkt.Ether].src)
    assert.equal("02:00:00:00:00:02", got[pkt.Ether].dst)
    assert.equal("198.51.100.1", got[pkt.IP].src)
  end)

  it("fills an unset IP source in sendp even when both MACs are given", function()
    local file = os.tmpname()
    local job = lab:spawn("b", "tcpdump -i eth0 -U -c 1 -w " .. file .. " icmp")
    assert.is_true(job:expect("listening on", 5))
    pl("a", [[sendp(Ether{src="02:00:00:00:00:01", dst="02:00:00:00:00:02"}/IP{dst="198.51.100.2"}/ICMP(),
                    {iface="eth0", verbose=false})]])
    job:wait(5)
    local got = pkt.rdpcap(file)[1]
    os.remove(file)
    assert.equal("198.51.100.1", got[pkt.IP].src)
    assert.equal(0, pkt.checksum(got:bytes():sub(15, 34)))
  end)

  it("sends a list of packets, count times, in one call", function()
    local out = pl("a", [[
      print(send({IP{dst="198.51.100.2"}/UDP{dport=9}, IP{dst="198.51.100.2"}/UDP{dport=10}}, {count=3, verbose=false}))]])
    assert.equal("6\n", out)
  end)

  it("sends a list in turn, count times, paced, in order, at layer 3 and 2", function()
    local job = spawn_pl("b", [[
      local l = sniff{iface="eth0", filter="udp and dst port 20001 or dst port 20002 or dst port 20003",
                      count=9, timeout=8,
                      started_callback=function() print("listening") io.stdout:flush() end}
      local t = {}
      for i, p in ipairs(l) do t[i] = p[UDP].dport - 20000 end
      print(table.concat(t, ","))]])
    assert.is_truthy(job:expect("listening", 5))
    local out = pl("a", [[
      local l3, l2 = {}, {}
      for i = 1, 3 do
        l3[i] = IP{dst="198.51.100.2"}/UDP{dport=20000 + i}
        l2[i] = Ether()/l3[i]
      end
      print(send(l3, {count=2, inter=0.001, verbose=false}), sendp(l2, {iface="eth0", verbose=false}))
      print(pcall(send, {l3[1], Ether()/ARP()}, {verbose=false}))]])
    assert.matches("^6\t3\nfalse\t[^\n]*send%(%) sends IPv4 packets", out)
    assert.matches("\n1,2,3,1,2,3,1,2,3\n$", job:wait(10))
  end)

  it("sniffs on the any interface, with cooked headers, times and interfaces", function()
    local job = spawn_pl("b", [[
      local seen
      local l = sniff{iface="any", filter="icmp", count=1, timeout=8,
                      prn=function(p) seen = p; return "prn: " .. p[ICMP].type end,
                      started_callback=function() print("listening") io.stdout:flush() end}
      print(l[1]:layers()[1].name, l[1].iface, math.type(l[1].time), l[1].time > 1.6e9)
      l[1][ICMP].seq = 4242
      print("kept", rawequal(l[1], seen), seen[ICMP].seq)]])
    assert.is_truthy(job:expect("listening", 5))
    lab:run("a", "ping -c 1 -W 1 198.51.100.2")
    local out = job:wait(10)
    assert.matches("prn: 8\n", out, 1, true)
    assert.matches("\nCookedLinux%w*\tany\tfloat\ttrue\n", out)
    -- the list gives back the packet the callback was handed
    assert.matches("\nkept\ttrue\t4242\n$", out)
  end)

  -- Runs code in b from a script file (so the job is pktlua itself and
  -- gets the signal); once it prints "listening", a pings it twice and
  -- it gets Ctrl-C. Returns its output and exit status.
  local function interrupted_capture(code)
    local script = H.tmpfile(code)
    local job = lab:spawn("b", H.pktlua .. " " .. script)
    assert.is_truthy(job:expect("listening", 5))
    lab:run("a", "ping -c 2 -i 0.2 -W 1 198.51.100.2")
    os.execute("sleep 0.3; kill -INT " .. job.pid)
    local out, status = job:wait(5)
    os.remove(script)
    return out, status
  end

  it("stops a capture on Ctrl-C and returns what was caught", function()
    local out, status = interrupted_capture([[
      local l = sniff{iface="eth0", filter="icmp",
                      started_callback=function() print("listening") io.stdout:flush() end}
      print("caught", #l)]])
    assert.equal(0, status, out)
    assert.matches("caught\t4\n", out, 1, true)
  end)

  it("stops a counting capture (store=false) on Ctrl-C and returns its count", function()
    local out, status = interrupted_capture([[
      local l, st = sniff{iface="eth0", filter="icmp", store=false,
                          started_callback=function() print("listening") io.stdout:flush() end}
      print("counted", #l, st.captured)]])
    assert.equal(0, status, out)
    assert.matches("counted\t0\t4\n", out, 1, true)
  end)

  it("stops a looping send and a waiting sr on Ctrl-C, with a count of what left", function()
    local script = H.tmpfile([[
      print("sending") io.stdout:flush()
      local n = send(IP{dst="198.51.100.2"}/UDP{dport=9}, {loop=true, pps=2000, verbose=false})
      print("sent", n > 0, n < 2000 * 10) io.stdout:flush()
      n = send({IP{dst="198.51.100.2"}/UDP{dport=9}, IP{dst="198.51.100.2"}/UDP{dport=10}},
               {loop=true, pps=2000, verbose=false})
      print("list", n > 0, n < 2000 * 10) io.stdout:flush()
      local a, u = sr(IP{dst="198.51.100.77"}/ICMP(), {timeout=30, verbose=false})
      print("sr", #a, #u)]])
    local job = lab:spawn("a", H.pktlua .. " " .. script)
    assert.is_truthy(job:expect("sending", 5))
    os.execute("sleep 0.5; kill -INT " .. job.pid)
    assert.is_truthy(job:expect("sent", 5))
    os.execute("sleep 0.5; kill -INT " .. job.pid)
    assert.is_truthy(job:expect("list", 5))
    os.execute("sleep 0.5; kill -INT " .. job.pid)
    local out, status = job:wait(5)
    os.remove(script)
    assert.equal(0, status, out)
    assert.matches("sent\ttrue\ttrue\nlist\ttrue\ttrue\nsr\t0\t1\n", out)
  end)

  it("stops a capture cleanly when a callback raises, and propagates the error", function()
    local job = spawn_pl("b", [[
      local ok, err = pcall(sniff, {iface="eth0", filter="icmp", timeout=8,
        prn=function(p) error("boom in prn") end,
        started_callback=function() print("listening") io.stdout:flush() end})
      print(ok, err)
      -- the capture is closed: a new one on the same interface works
      print(#sniff{iface="eth0", timeout=0.2})]])
    assert.is_truthy(job:expect("listening", 5))
    lab:run("a", "ping -c 1 -W 1 198.51.100.2")
    local out, status = job:wait(10)
    assert.equal(0, status, out)
    assert.matches("false\t[^\n]*boom in prn\n", out)
  end)

  it("sniffs what ping and nc send, with a BPF filter that excludes the rest", function()
    local job = spawn_pl("b", [[
      local l = sniff{iface="eth0", filter="icmp[icmptype] == icmp-echo or udp port 5555", count=4, timeout=8,
                      started_callback=function() print("listening") io.stdout:flush() end}
      io.write(#l, "\n", l:nsummary(true))
      print(l[4][Raw].load)]])
    assert.is_truthy(job:expect("listening", 5))
    lab:run("a", "ping -c 3 -i 0.2 -W 1 198.51.100.2")
    lab:run("a", "echo nc-datagram | nc -u -w 1 198.51.100.2 6666")   -- excluded
    lab:run("a", "echo nc-datagram | nc -u -w 1 198.51.100.2 5555")
    local out, status = job:wait(10)
    assert.equal(0, status, out)
    local lines = {}
    for l in out:gmatch("[^\n]+") do lines[#lines + 1] = l end
    table.remove(lines, 1)
    assert.equal("4", lines[1])
    for i = 2, 4 do
      assert.matches("^%d+ Ether / IP / ICMP 198%.51%.100%.1 > 198%.51%.100%.2 echo%-request 0 / Raw$", lines[i])
    end
    -- the port by its service name where it has one, as Scapy prints it
    local port = require("pkt.services").name("udp", 5555) or "5555"
    assert.matches("UDP 198.51.100.1:%d+ > 198.51.100.2:" .. port .. " / Raw$", lines[5])
    assert.equal("nc-datagram", lines[6])
  end)

  it("gets the kernel's echo reply with sr1", function()
    local out, status = pl("a", [[
      local r = sr1(IP{dst="198.51.100.2"}/ICMP{id=4242, seq=7}/"ping me", {timeout=2, verbose=false})
      print(r[ICMP].type, r[ICMP].id, r[ICMP].seq, r[Raw].load, r[IP].src)]])
    assert.equal(0, status)
    assert.equal("0\t4242\t7\tping me\t198.51.100.2\n", out)
  end)

  it("gets replies from this host's own addresses, through lo", function()
    local out = pl("a", [[
      for _, dst in ipairs{"127.0.0.1", "198.51.100.1"} do
        local r = sr1(IP{dst=dst}/ICMP{id=8, seq=9}, {timeout=2, verbose=false})
        print(dst, r and r[ICMP].type, r and r[IP].src)
      end]])
    assert.equal("127.0.0.1\t0\t127.0.0.1\n198.51.100.1\t0\t198.51.100.1\n", out)
  end)

  it("gets all 1000 answers to 1000 echo requests with sr", function()
    local out, status = pl("a", [[
      local t = {}
      for i = 1, 1000 do t[i] = IP{dst="198.51.100.2"}/ICMP{id=99, seq=i} end
      local a, u = sr(t, {timeout=2})
      local ok = 0
      for _, pair in ipairs(a) do
        if pair[1][ICMP].seq == pair[2][ICMP].seq then ok = ok + 1 end
      end
      print(#a, #u, ok)]])
    assert.equal(0, status)
    assert.matches("Received %d+ packets, got 1000 answers, remaining 0 packets", out)
    assert.matches("1000\t0\t1000\n$", out)
  end)

  it("gets the other host's MAC with srp1 of an ARP who-has", function()
    local out = pl("a", [[
      local r = srp1(Ether{dst="ff:ff:ff:ff:ff:ff"}/ARP{pdst="198.51.100.2"}, {iface="eth0", timeout=2, verbose=false})
      print(r[ARP].op, r[ARP].hwsrc, r[ARP].psrc)]])
    assert.equal("2\t02:00:00:00:00:02\t198.51.100.2\n", out)
  end)

  it("sends an ARP alone as Scapy does: framed, its sender the interface, a reply to the target's MAC", function()
    local file = os.tmpname()
    -- the two frames the script sends: a reply whose hwdst is left
    -- zero (the kernel's own replies name the asker), and a request for
    -- 198.51.100.9, which nothing else asks for
    local job = lab:spawn("b", "tcpdump -i eth0 -U -c 2 -w " .. file
      .. " 'arp and ((arp[7] = 2 and arp[18:4] = 0) or arp[24:4] = 0xc6336409)'")
    assert.is_true(job:expect("listening on", 5))
    local _, status = pl("a", [[
      send(ARP{op="is-at", pdst="198.51.100.2"}, {verbose=false})
      send(ARP{pdst="198.51.100.9"}, {verbose=false})]])
    assert.equal(0, status)
    local _, st = job:wait(5)
    assert.equal(0, st)
    local got = pkt.rdpcap(file)
    os.remove(file)
    assert.equal(2, #got)
    local reply, ask = got[1], got[2]
    assert.same({ "02:00:00:00:00:02", 2, "02:00:00:00:00:01", "198.51.100.1" },
      { reply.dst, reply[pkt.ARP].op, reply[pkt.ARP].hwsrc, reply[pkt.ARP].psrc })
    assert.same({ "ff:ff:ff:ff:ff:ff", 1, "02:00:00:00:00:01", "198.51.100.1", "198.51.100.9" },
      { ask.dst, ask[pkt.ARP].op, ask[pkt.ARP].hwsrc, ask[pkt.ARP].psrc, ask[pkt.ARP].pdst })
  end)

  it("gets RST from a closed port and SYN-ACK from a listening one", function()
    local listener = lab:spawn("b", "nc -l -p 8080")
    assert.is_truthy(lab:wait_for("b", "ss -ltn | grep -q ':8080 '", 5))
    local out = pl("a", [[
      local closed = sr1(IP{dst="198.51.100.2"}/TCP{sport=40001, dport=8081, flags="S", seq=1000}, {timeout=2, verbose=false})
      local open = sr1(IP{dst="198.51.100.2"}/TCP{sport=40002, dport=8080, flags="S", seq=2000}, {timeout=2, verbose=false})
      print(closed[TCP].flags, closed[TCP].ack, open[TCP].flags, open[TCP].ack)]])
    listener:kill()
    assert.equal("RA\t1001\tSA\t2001\n", out)
  end)

  it("matches an ICMP port unreachable to the UDP datagram that caused it", function()
    local out = pl("a", [[
      local a, u = sr(IP{dst="198.51.100.2"}/UDP{sport=3333, dport=4444}/"x", {timeout=2, verbose=false})
      print(#a, #u, a[1][2][ICMP].type, a[1][2][ICMP].code, a[1][2][UDPerror].dport)]])
    assert.equal("1\t0\t3\t3\t4444\n", out)
  end)

  it("ends a capture at its timeout, and at its count", function()
    local out = pl("b", [[
      local t0 = require("pkt.core").now()
      local l = sniff{iface="eth0", filter="udp port 9", timeout=0.5}
      local dt = require("pkt.core").now() - t0
      print(#l, dt >= 0.5 and dt < 1.5)]])
    assert.equal("0\ttrue\n", out)
    local job = spawn_pl("b", [[print(#sniff{iface="eth0", filter="icmp[icmptype] == icmp-echo", count=2, timeout=10,
      started_callback=function() io.stderr:write("listening\n") end})]])
    assert.is_truthy(job:expect("listening", 5))
    lab:run("a", "ping -c 5 -i 0.2 -W 1 198.51.100.2")
    local res = job:wait(10)
    assert.equal("listening\n2\n", res)
  end)

  it("returns capture statistics", function()
    local out = pl("b", [[
      local l, st = sniff{iface="eth0", timeout=0.2}
      print(type(st.received), st.dropped, st.ifdropped)]])
    assert.equal("number\t0\t0\n", out)
  end)

  it("gives the documented errors: bad filter, missing interface, no privileges", function()
    local out, status = pl("a", [[sniff{iface="eth0", filter="udp prot 53", timeout=1}]])
    assert.equal(1, status)
    assert.matches("sniff: invalid filter 'udp prot 53'", out, 1, true)
    out = pl("a", [[sniff{iface="nope0", timeout=1}]])
    assert.matches("sniff: no interface 'nope0'", out, 1, true)
    out = pl("a", [[send(IP{dst="198.51.100.2"}/ICMP(), {iface="nope0"})]])
    assert.matches("send: no interface 'nope0'", out, 1, true)
    out = pl("a", [[sniff{iokk=1}]])
    assert.matches("sniff: unknown option 'iokk'", out, 1, true)
    local drop = "capsh --drop=cap_net_raw -- -c "
    out = lab:run("a", drop .. sh(H.pktlua .. " -e 'send(IP{dst=\"198.51.100.2\"}/ICMP())' 2>&1"))
    assert.matches("send: no permission to send: need CAP_NET_RAW (run with sudo, or `make setcap`)", out, 1, true)
    out = lab:run("a", drop .. sh(H.pktlua .. " -e 'sniff{iface=\"eth0\", timeout=1}' 2>&1"))
    assert.matches("sniff: no permission to capture on eth0: need CAP_NET_RAW", out, 1, true)
    -- offline work needs no privileges
    out = lab:run("a", drop .. sh(H.pktlua .. " -e 'print(#(IP{}/UDP{}))' 2>&1"))
    assert.equal("28\n", out)
  end)

  it("varies fields of a template in C, checksums updated (tshark verifies)", function()
    local file = os.tmpname()
    local job = lab:spawn("b", "tcpdump -i eth0 -U -c 20 -w " .. file .. " udp port 9 or udp portrange 30000-30100")
    assert.is_true(job:expect("listening on", 5))
    local out = pl("a", [[
      local p = IP{dst="198.51.100.2", id=7}/UDP{sport=5000, dport=9}/"template"
      print(send(p, {count=10, verbose=false, vary={["IP.src"]="203.0.113.0/28", ["UDP.sport"]={30000, 30100},
        ["IP.id"]={100, 104, "inc"}}}))
      print(send(p, {count=1000, verbose=false, vary={["UDP.dport"]={30000, 30100}, ["IP.ttl"]="random"}}))]])
    assert.equal("10\n1000\n", out)
    job:wait(10)
    local lines = H.run("tshark -r " .. file .. " -o ip.check_checksum:TRUE -o udp.check_checksum:TRUE"
      .. " -T fields -e ip.src -e ip.id -e udp.srcport -e udp.dstport -e ip.checksum.status"
      .. " -e udp.checksum.status -e data.data 2>/dev/null")
    os.remove(file)
    local n, ids = 0, {}
    for src, id, sport, dport, ipck, udpck, data in lines:gmatch("(%S+)\t(%S+)\t(%d+)\t(%d+)\t(%d)\t(%d)\t(%x+)\n") do
      n = n + 1
      assert.equal("1", ipck); assert.equal("1", udpck)
      assert.equal(H.hex("template"), data)
      if n <= 10 then
        local last = tonumber(src:match("%d+$"))
        assert.truthy(src:match("^203%.0%.113%.") and last <= 15, src)
        assert.truthy(tonumber(sport) >= 30000 and tonumber(sport) <= 30100)
        assert.equal("9", dport)
        ids[#ids + 1] = tonumber(id)
      else
        assert.equal("198.51.100.1", src)
        assert.truthy(tonumber(dport) >= 30000 and tonumber(dport) <= 30100)
      end
    end
    assert.equal(20, n)
    -- "inc" counts from the range's start (the template's 7 is outside) and wraps
    assert.same({ 100, 101, 102, 103, 104, 100, 101, 102, 103, 104 }, ids)
    out = pl("a", [[send(IP{dst="198.51.100.2"}/UDP{}, {count=2, vary={["TCP.sport"]="inc"}})]])
    assert.matches('send: vary["TCP.sport"]: the packet has no TCP layer', out, 1, true)
    out = pl("a", [[send(IP{dst="198.51.100.2"}/UDP{}, {count=2, vary={["IP.flags"]="inc"}})]])
    assert.matches("only whole 8, 16 or 32-bit fields can vary", out, 1, true)
  end)

  it("refuses a packet larger than the MTU, sending nothing", function()
    local out, status = pl("a", [[send(IP{dst="198.51.100.2"}/UDP{dport=9}/("x"):rep(3000), {iface="eth0"})]])
    assert.equal(1, status)
    assert.matches("send: packet of 3028 bytes is larger than the MTU of eth0 allows; nothing was sent", out, 1, true)
    out, status = pl("a", [[sendp(Ether{dst="02:00:00:00:00:02"}/IP{dst="198.51.100.2"}/("x"):rep(1600), {iface="eth0"})]])
    assert.equal(1, status)
    assert.matches("sendp: packet of 1634 bytes is larger than the MTU of eth0 allows", out, 1, true)
  end)

  it("lists interfaces with their addresses", function()
    local out = pl("a", [[
      for _, i in ipairs(ifaces()) do
        if i.name == "eth0" then print(i.mac, i.ipv4[1], i.up, i.loopback, i.mtu) end
      end
      print(get_if_hwaddr("eth0"), get_if_addr("eth0"))]])
    assert.equal("02:00:00:00:00:01\t198.51.100.1\ttrue\tfalse\t1500\n02:00:00:00:00:01\t198.51.100.1\n", out)
  end)
end)
