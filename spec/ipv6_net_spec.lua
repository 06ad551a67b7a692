-- IPv6 on a real virtual network: two namespaces joined by a veth pair
-- (2001:db8::1 and ::2), made and torn down here.  The kernel answers
-- what pktlua sends (echo, neighbour solicitation, TCP, UDP), tcpdump
-- captures what it sends, and tshark reads the kernel's own IPv6 traffic
-- as pktlua does.
local netlab = require "netlab"
local pkt = require "pkt"
local T = require "tshark"
local sh = H.shquote

local missing = H.lab_missing({ "tcpdump", "tshark", "nc" })
if missing then
  describe("IPv6 on the network", function() pending(missing) end)
  return
end

describe("IPv6 on the network", function()
  local lab

  setup(function()
    lab = netlab.pair()
    -- no rate limit on ICMPv6 errors: the checks below ask for several
    lab:run("b", "sysctl -qw net.ipv6.icmp.ratelimit=0")
  end)
  teardown(function() if lab then lab:down() end end)

  local function pl(host, code) return H.lab_pktlua(lab, host, code) end

  local function mac_of(host)
    return (lab:run(host, "cat /sys/class/net/eth0/address")):gsub("%s+$", "")
  end

  -- Captures one packet in host b while the pktlua chunk runs in a.
  local function capture(filter, code)
    local file = os.tmpname()
    local job = lab:spawn("b", ("tcpdump -i eth0 -U -c 1 -w %s %s"):format(file, sh(filter)))
    assert.is_true(job:expect("listening on", 5))
    local out, status = pl("a", code)
    assert.equal(0, status, out)
    local _, st = job:wait(5)
    assert.equal(0, st)
    local got = pkt.rdpcap(file)
    os.remove(file)
    return got[1]
  end

  it("sr1 of an ICMPv6 echo request gets the kernel's echo reply", function()
    local out, status = pl("a", [[
      local r = sr1(IPv6{dst="2001:db8::2"}/ICMPv6EchoRequest{id=0x77, seq=3, data="pktlua"}, {timeout=2, verbose=false})
      print(r:name(), r.src, r.dst, r[ICMPv6EchoReply].id, r[ICMPv6EchoReply].seq, r[ICMPv6EchoReply].data)]])
    assert.equal(0, status, out)
    assert.equal("IPv6\t2001:db8::2\t2001:db8::1\t119\t3\tpktlua\n", out)
  end)

  it("srp1 of a neighbour solicitation gets the kernel's advertisement with its MAC", function()
    local out, status = pl("a", [[
      local r = srp1(Ether{dst="33:33:ff:00:00:02"}/IPv6{dst="ff02::1:ff00:2"}/ICMPv6ND_NS{tgt="2001:db8::2"},
        {iface="eth0", timeout=2, verbose=false})
      local na = r[ICMPv6ND_NA]
      print(r[Ether].src, r[IPv6].hlim, na.tgt, na.S, na.R)]])
    assert.equal(0, status, out)
    assert.equal(mac_of("b") .. "\t255\t2001:db8::2\t1\t0\n", out)
  end)

  it("a TCP SYN over IPv6 gets a SYN-ACK from a listening port and a RST from a closed one", function()
    local srv = lab:spawn("b", "nc -6 -l -p 8080")
    assert.is_truthy(lab:wait_for("b", "ss -ltn | grep -q ':8080 '", 5))
    local out, status = pl("a", [[
      for _, port in ipairs{8080, 8081} do
        local r = sr1(IPv6{dst="2001:db8::2"}/TCP{sport=40000, dport=port, flags="S", seq=1000}, {timeout=2, verbose=false})
        print(port, r[TCP].flags, r[TCP].ack)
      end]])
    srv:kill()
    assert.equal(0, status, out)
    assert.equal("8080\tSA\t1001\n8081\tRA\t1001\n", out)
  end)

  it("sr pairs a UDP datagram to a closed port with the ICMPv6 error quoting it", function()
    local out, status = pl("a", [[
      local ans, unans = sr(IPv6{dst="2001:db8::2"}/UDP{sport=5353, dport=9}/"ping?", {timeout=2, verbose=false})
      local r = ans[1][2]
      print(#ans, #unans, r[ICMPv6DestUnreach].code, r[IPerror6].src, r[UDPerror].sport, r[UDPerror].dport)]])
    assert.equal(0, status, out)
    assert.equal("1\t0\t4\t2001:db8::1\t5353\t9\n", out)
  end)

  it("send() puts an IPv6 packet on the wire as built, with the route's source", function()
    local got = capture("ip6 and udp", [[send(IPv6{dst="2001:db8::2", hlim=3, fl=5, plen=99}/UDP{sport=1, dport=2}/"as built", {verbose=false})]])
    local want = pkt.IPv6{src="2001:db8::1", dst="2001:db8::2", hlim=3, fl=5, plen=99}
      / pkt.UDP{sport=1, dport=2} / "as built"
    assert.equal(H.hex(want:bytes()), H.hex(got:bytes():sub(15)))
  end)

  it("send() reaches a link-local address on the interface given", function()
    local got = capture("ip6 and udp", [[send(IPv6{dst="fe80::ff:fe00:2"}/UDP{sport=1, dport=2}/"ll", {iface="eth0", verbose=false})]])
    assert.equal("fe80::ff:fe00:1", got[pkt.IPv6].src)
    assert.equal("fe80::ff:fe00:2", got[pkt.IPv6].dst)
  end)

  it("sendp resolves the next hop by a neighbour solicitation when the table has none", function()
    lab:run("a", "ip -6 neigh flush dev eth0")
    local got = capture("ip6 and udp", [[sendp(Ether()/IPv6{dst="2001:db8::2"}/UDP{sport=1, dport=2}, {iface="eth0", verbose=false})]])
    assert.equal(mac_of("b"), got[pkt.Ether].dst)
    assert.equal(mac_of("a"), got[pkt.Ether].src)
  end)

  it("sends to a multicast group at its 33:33 MAC", function()
    local got = capture("ip6 and udp", [[sendp(Ether()/IPv6{dst="ff02::1"}/UDP{sport=1, dport=2}, {iface="eth0", verbose=false})]])
    assert.equal("33:33:00:00:00:01", got[pkt.Ether].dst)
  end)

  it("sniffs the kernel's IPv6 traffic: ping -6, neighbour discovery, fragments, TCP and UDP, as tshark reads it", function()
    lab:run("a", "ip -6 neigh flush dev eth0")
    local file = os.tmpname()
    local job = lab:spawn("b", "tcpdump -i eth0 --immediate-mode -U -w " .. file .. " ip6")
    assert.is_true(job:expect("listening on", 5))
    assert.equal(0, select(2, lab:run("a", "ping -6 -c 2 -i 0.2 -W 2 2001:db8::2")))
    assert.equal(0, select(2, lab:run("a", "ping -6 -c 1 -s 3000 -W 2 2001:db8::2")))
    local srv = lab:spawn("b", "nc -6 -l -p 8080")
    assert.is_truthy(lab:wait_for("b", "ss -ltn | grep -q ':8080 '", 5))
    lab:run("a", "echo hello | nc -6 -N -w 2 2001:db8::2 8080")
    srv:kill()
    lab:run("a", "echo datagram | nc -6 -u -w 1 2001:db8::2 9999")
    os.execute("sleep 0.5")
    job:kill()
    local r = T.compare(file)
    os.remove(file)
    local names = {}
    for _, p in ipairs(r.packets) do
      for _, c in ipairs(p:layers()) do names[c.name] = true end
    end
    for _, n in ipairs { "ICMPv6ND_NS", "ICMPv6ND_NA", "ICMPv6EchoRequest", "ICMPv6EchoReply",
        "IPv6ExtHdrFragment", "TCP", "UDP" } do
      assert.is_true(names[n] ~= nil, n .. " not seen in " .. table.concat((function() local t = {} for _, p in ipairs(r.packets) do t[#t + 1] = p:summary() end return t end)(), "\n"))
    end
    assert.equal(0, #r.diffs, table.concat(r.diffs, "\n"))
  end)
end)

describe("IPv6 through a router", function()
  local lab
  setup(function()
    lab = netlab.lan{ remote = true }
    -- the remote link is narrower than the LAN: the router reports it
    lab:run("router", "ip link set eth1 mtu 1280")
  end)
  teardown(function() if lab then lab:down() end end)

  it("reads the router's packet-too-big as tshark does", function()
    local file = os.tmpname()
    local job = lab:spawn("victim", "tcpdump -i eth0 --immediate-mode -U -w " .. file .. " icmp6")
    assert.is_true(job:expect("listening on", 5))
    lab:run("victim", "ping -6 -c 1 -W 1 -s 1400 -M do 2001:db8:1::20")
    os.execute("sleep 0.3")
    job:kill()
    local r = T.compare(file)
    os.remove(file)
    local ptb
    for _, p in ipairs(r.packets) do
      if p:haslayer(pkt.ICMPv6PacketTooBig) then ptb = p end
    end
    assert.is_truthy(ptb, "no packet-too-big")
    assert.equal(1280, ptb[pkt.ICMPv6PacketTooBig].mtu)
    assert.equal("2001:db8::1", ptb[pkt.IPv6].src)
    assert.equal("2001:db8:1::20", ptb[pkt.IPerror6].dst)
    assert.equal(0, #r.diffs, table.concat(r.diffs, "\n"))
  end)
end)
