-- The lecture demos in scripts/, each run the way a student runs it in the
-- lab LAN (netlab.lan: victim .10, attacker .11, server .12 on a hub, router
-- .1 to remote 203.0.113.20), checked with what the student would look at:
-- the other host's output, ping's counts, the kernel's ARP table.
local netlab = require "netlab"
local sh = H.shquote

local missing = H.lab_missing()
if missing then
  describe("the lecture demos", function() pending(missing) end)
  return
end

-- The demos by absolute path, so the commands work in any namespace.
local here = debug.getinfo(1, "S").source:match("^@(.-)[^/]*$")
local SCRIPTS = (H.run("realpath " .. sh((here ~= "" and here or "./") .. "../scripts"))):gsub("%s+$", "")

local function demo(name, args)
  return ("%s %s/%s.lua %s"):format(H.pktlua, SCRIPTS, name, args or "")
end

-- Seconds since boot, finer than os.time().
local function now()
  local f = assert(io.open("/proc/uptime"))
  local t = tonumber(f:read("l"):match("^%S+"))
  f:close()
  return t
end

local function lines(s)
  local t = {}
  for l in s:gmatch("[^\n]*") do t[#t + 1] = l end
  if t[#t] == "" then t[#t] = nil end
  return t
end

describe("the lecture demos", function()
  local lab

  setup(function()
    lab = netlab.lan{ remote = true }
    -- Linux limits ICMP errors per destination (a burst of 6, then one a
    -- second): the unreachables of the down-host ping would use them up
    -- and hide the traceroute's first hop (see scripts/demo.lua).
    assert(select(2, lab:run("router", "sysctl -qw net.ipv4.icmp_ratelimit=0")) == 0)
  end)
  teardown(function() if lab then lab:down() end end)

  -- The pkt.cli part every demo shares: --help and a wrong option.
  local function options(name)
    it("prints its usage for --help and exits 0", function()
      local out, status = lab:run("attacker", demo(name, "--help"))
      assert.equal(0, status)
      assert.is_truthy(out:find("\nusage: pktlua " .. name .. ".lua [options]", 1, true), out)
    end)

    it("exits 2 with a message on an unknown option", function()
      local out, status, err = lab:run("attacker", demo(name, "--no-such-option"))
      assert.equal(2, status)
      assert.equal("", out)
      assert.matches("^" .. name .. "%.lua: unknown option %-%-no%-such%-option\n", err)
    end)
  end

  -- Starts receive_udp.lua on the server for one datagram; -> job.
  local function receiver()
    local rx = lab:spawn("server", demo("receive_udp", "-c 1 -t 5"))
    assert.is_truthy(rx:expect("listening on 0.0.0.0:9090\n", 5), rx:output())
    return rx
  end

  describe("sniff.lua", function()
    it("shows the victim's echo request and the server's echo reply, then counts them", function()
      local job = lab:spawn("attacker", demo("sniff", "-c 2 -f icmp -t 10"))
      assert.is_truthy(job:expect("sniffing", 5), job:output())
      os.execute("sleep 0.3")
      assert.equal(0, select(2, lab:run("victim", "ping -c 1 -W 1 198.51.100.12")))
      local out, status = job:wait(10)
      assert.equal(0, status, out)
      assert.equal("sniffing the default interface for 'icmp' ...\n", out:match("^[^\n]*\n"))
      local one, two = out:match("\n%-%-%-%- packet 1 %-%-%-%-\n(.*)\n%-%-%-%- packet 2 %-%-%-%-\n(.*)$")
      assert.is_truthy(one, out)
      assert.matches("\n%s+src%s+= 198%.51%.100%.10\n%s+dst%s+= 198%.51%.100%.12\n", one)
      assert.matches("\n%s+type%s+= echo%-request\n", one)
      assert.matches("\n%s+src%s+= 198%.51%.100%.12\n%s+dst%s+= 198%.51%.100%.10\n", two)
      assert.matches("\n%s+type%s+= echo%-reply\n", two)
      assert.matches("\n2 packets\n$", two)
      assert.is_nil(out:find("---- packet 3", 1, true))
    end)

    options("sniff")
  end)

  describe("spoof_udp.lua", function()
    it("makes the server print the forged source 1.2.3.4:8888", function()
      local rx = receiver()
      local out, status = lab:run("attacker", demo("spoof_udp"))
      assert.equal(0, status, out)
      assert.matches("\nsent IP / UDP 1%.2%.3%.4:8888 > 198%.51%.100%.12:9090 / Raw\n$", out)
      local got, st = rx:wait(6)
      assert.equal(0, st)
      assert.equal("listening on 0.0.0.0:9090\n1.2.3.4:8888 Hello UDP!\n", got)
    end)

    it("forges another source and message with --src, --sport and -m", function()
      local rx = receiver()
      local out, status = lab:run("attacker",
        demo("spoof_udp", "--src 203.0.113.77 --sport 5353 -m " .. sh("not from me\\n")))
      assert.equal(0, status, out)
      local got, st = rx:wait(6)
      assert.equal(0, st)
      assert.equal("listening on 0.0.0.0:9090\n203.0.113.77:5353 not from me\n", got)
    end)

    options("spoof_udp")
  end)

  describe("receive_udp.lua", function()
    it("gives up after -t seconds without traffic, saying so, and exits 0", function()
      local t0 = now()
      local out, status = lab:run("server", demo("receive_udp", "-t 1"))
      local took = now() - t0
      assert.equal(0, status, out)
      assert.equal("listening on 0.0.0.0:9090\nnothing received for 1 s (timeout); stopping\n", out)
      assert.is_true(took >= 0.9 and took < 2.5, ("took %.2f s"):format(took))
    end)

    options("receive_udp")
  end)

  describe("send_udp.lua", function()
    it("sends from the victim's real address, which the server prints with the message", function()
      local rx = receiver()
      local out, status = lab:run("victim", demo("send_udp", "-m " .. sh("hi from the victim\\n")))
      assert.equal(0, status, out)
      assert.equal("sent 19 bytes to 198.51.100.12:9090\n", out)
      local got, st = rx:wait(6)
      assert.equal(0, st)
      assert.matches("^listening on 0%.0%.0%.0:9090\n198%.51%.100%.10:%d+ hi from the victim\n$", got)
    end)

    options("send_udp")
  end)

  describe("udp_chat_server.lua", function()
    it("answers each line in upper case and logs who sent it", function()
      local srv = lab:spawn("server", demo("udp_chat_server"))
      assert.is_truthy(srv:expect("upper-case server on 0.0.0.0:9090\n", 5), srv:output())
      local out, status = lab:run("victim",
        "printf 'hello server\\nnetworks are fun\\n' | " .. demo("udp_chat_client", "-t 1"))
      srv:kill()
      assert.equal(0, status, out)
      assert.equal("HELLO SERVER\nNETWORKS ARE FUN\n", out)
      assert.matches("^upper%-case server on 0%.0%.0%.0:9090\n"
        .. "198%.51%.100%.10:(%d+) hello server\n198%.51%.100%.10:%1 networks are fun\n$", srv:output())
    end)

    options("udp_chat_server")
  end)

  describe("udp_chat_client.lua", function()
    it("prints a no-reply line for each line when the server is down, and exits 0", function()
      local out, status = lab:run("victim", "printf 'anyone there?\\nhello?\\n' | " .. demo("udp_chat_client", "-t 1"))
      assert.equal(0, status, out)
      local got = lines(out)
      assert.equal(2, #got, out)
      for _, l in ipairs(got) do
        assert.matches("^no reply from 198%.51%.100%.12:9090 within 1 s %([%w ]+%)$", l)
      end
    end)

    options("udp_chat_client")
  end)

  describe("sniff_spoof_icmp.lua", function()
    describe("with remote's cable unplugged", function()
      setup(function() lab:link("remote", "down") end)
      teardown(function() lab:link("remote", "up") end)

      local PING = "ping -c 5 -i 0.2 -W 1 203.0.113.20"

      it("the victim's pings get no reply without the demo", function()
        local out = lab:run("victim", PING)
        assert.matches("\n5 packets transmitted, 0 received,", out)
      end)

      it("the victim's pings all get a forged reply while the attacker runs it", function()
        local sp = lab:spawn("attacker", demo("sniff_spoof_icmp", "-v 198.51.100.10 -c 5 -t 15"))
        assert.is_truthy(sp:expect("waiting for echo requests", 5), sp:output())
        local out = lab:run("victim", PING)
        local log, status = sp:wait(5)
        if not log then sp:kill() end
        assert.matches("\n5 packets transmitted, 5 received,", out)
        assert.equal(0, status, log)
        assert.equal("waiting for echo requests: icmp[icmptype] == icmp-echo and src host 198.51.100.10\n"
          .. "spoofed reply 203.0.113.20 > 198.51.100.10 seq 1\n"
          .. "spoofed reply 203.0.113.20 > 198.51.100.10 seq 2\n"
          .. "spoofed reply 203.0.113.20 > 198.51.100.10 seq 3\n"
          .. "spoofed reply 203.0.113.20 > 198.51.100.10 seq 4\n"
          .. "spoofed reply 203.0.113.20 > 198.51.100.10 seq 5\n"
          .. "5 replies spoofed\n", log)
      end)
    end)

    options("sniff_spoof_icmp")
  end)

  describe("phantom_host.lua", function()
    -- Runs the phantom, pings it from the victim; -> ping output, ARP entry.
    local function ping_phantom(args, ip)
      local ph = lab:spawn("attacker", demo("phantom_host", args .. " -t 15"))
      assert.is_truthy(ph:expect("is up", 5), ph:output())
      local out = lab:run("victim", "ping -c 3 -i 0.3 -W 1 " .. ip)
      local neigh = lab:run("victim", "ip neigh show " .. ip)
      ph:kill()
      return out, neigh
    end

    it("answers ARP and ping for 198.51.100.66 with the made-up MAC", function()
      local out, neigh = ping_phantom("", "198.51.100.66")
      assert.matches("\n3 packets transmitted, 3 received,", out)
      assert.matches("^198%.51%.100%.66 dev eth0 lladdr 02:de:ad:be:ef:66 ", neigh)
    end)

    it("takes another address and MAC with --ip and --mac", function()
      local out, neigh = ping_phantom("--ip 198.51.100.77 --mac 02:00:00:be:ef:77", "198.51.100.77")
      assert.matches("\n3 packets transmitted, 3 received,", out)
      assert.matches("^198%.51%.100%.77 dev eth0 lladdr 02:00:00:be:ef:77 ", neigh)
    end)

    options("phantom_host")
  end)

  describe("traceroute.lua", function()
    local function check(out, status)
      assert.equal(0, status, out)
      local l = lines(out)
      assert.equal("traceroute to 203.0.113.20, 10 hops max", l[1])
      assert.matches("^ 1  198%.51%.100%.1 +%d+%.%d%d%d ms$", l[2])
      assert.matches("^ 2  203%.0%.113%.20 +%d+%.%d%d%d ms$", l[3])
      assert.equal(3, #l, out)
    end

    it("finds the router at hop 1 and the target at hop 2, and stops there", function()
      check(lab:run("victim", demo("traceroute", "203.0.113.20")))
    end)

    it("finds the same route with UDP probes (--udp)", function()
      check(lab:run("victim", demo("traceroute", "--udp 203.0.113.20")))
    end)

    options("traceroute")
  end)

  describe("arp_scan.lua", function()
    it("lists exactly the LAN's other hosts with their MACs", function()
      local function mac(host)
        return (lab:run(host, "cat /sys/class/net/eth0/address")):gsub("%s+$", "")
      end
      local want = { "3 hosts on 198.51.100.0/24 (from eth0):" }
      for _, h in ipairs{ { "router", "198.51.100.1" }, { "victim", "198.51.100.10" }, { "server", "198.51.100.12" } } do
        local m = mac(h[1])
        assert.matches("^%x%x:%x%x:%x%x:%x%x:%x%x:%x%x$", m)
        want[#want + 1] = ("  %-15s  %s"):format(h[2], m)
      end
      local out, status = lab:run("attacker", demo("arp_scan", "198.51.100.0/24"))
      assert.equal(0, status, out)
      assert.equal(table.concat(want, "\n") .. "\n", out)
    end)

    options("arp_scan")
  end)

  describe("syn_scan.lua", function()
    it("finds 8080 open on the server and 22 and 9090 closed", function()
      local srv = lab:spawn("server", "nc -lk -p 8080")
      assert.is_truthy(lab:wait_for("server", "ss -ltn | grep -q ':8080 '", 5))
      local out, status = lab:run("attacker", demo("syn_scan", "-p 22,8080,9090 198.51.100.12"))
      srv:kill()
      assert.equal(0, status, out)
      assert.equal("PORT     STATE     (198.51.100.12)\n"
        .. "22/tcp   closed\n"
        .. "8080/tcp open\n"
        .. "9090/tcp closed\n", out)
    end)

    options("syn_scan")
  end)

  -- The server's dnsmasq for the DNS and DHCP demos, stopped after them.
  -- The rogue goes first: to a client it has not seen, dnsmasq offers
  -- only after it pinged the address (to a known one at once).
  describe("with the server's dnsmasq", function()
    local server
    setup(function() server = lab:dnsmasq() end)
    teardown(function() if server then server:kill() end end)

    describe("dhcp_rogue.lua", function()
      it("answers the victim's udhcpc first: its address and default route are the attacker's", function()
        local rogue = lab:spawn("attacker", demo("dhcp_rogue", "-c 1 -t 15"))
        assert.is_truthy(rogue:expect("rogue DHCP server on eth0", 5), rogue:output())
        local out = lab:run("victim", "udhcpc -i eth0 -n -q -t 3 -s " .. SCRIPTS
          .. "/udhcpc-hook.sh 2>&1; ip -4 -br addr show eth0; ip route show default")
        local said = rogue:wait(5) or ""
        -- put the victim back as it was for whatever runs next
        lab:run("victim", "ip addr del 198.51.100.200/24 dev eth0; ip route replace default via 198.51.100.1")
        assert.matches("lease of 198%.51%.100%.200 obtained from 198%.51%.100%.11", out)
        assert.matches("198%.51%.100%.10/24 198%.51%.100%.200/24", out)
        assert.matches("default via 198%.51%.100%.11 dev eth0", out)
        assert.matches("offer 198%.51%.100%.200 for 02:00:00:00:00:0a: .- DHCP Discover", said)
        assert.matches("\nleases given: 1\n$", said)
      end)

      options("dhcp_rogue")
    end)

    describe("dhcp_client.lua", function()
      it("leases the address the server records, in an exchange tshark reads the same", function()
        local cap = lab:spawn("attacker", "tcpdump --immediate-mode -U -n -i eth0 -w "
          .. lab:_dir() .. "/dhcp.pcap udp port 67")
        assert.is_truthy(cap:expect("listening on", 5), cap:output())
        local out, status = lab:run("victim", demo("dhcp_client"))
        os.execute("sleep 0.2")
        cap:kill()
        assert.equal(0, status, out)
        local addr = out:match("\nlease: (198%.51%.100%.%d+) for 600 s from 198%.51%.100%.12\n")
        assert.is_truthy(addr, out)
        assert.matches("subnet mask 255.255.255.0, router 198.51.100.1, name server 198.51.100.12, "
          .. "domain example.com\n$", out)
        -- the server's own record of the lease: the victim's MAC has it
        local leases = lab:run("server", "cat " .. lab:_dir() .. "/dnsmasq.leases")
        assert.matches(" 02:00:00:00:00:0a " .. addr:gsub("%.", "%%.") .. " ", leases)
        -- tshark, on what the hub showed the attacker: discover, offer,
        -- request, ack under the xid printed (the server may still answer
        -- the rogue's victim, under another)
        local xid = out:match("xid (0x%x+)")
        local ts = H.run("tshark -n -r " .. lab:_dir() .. "/dhcp.pcap -Y 'dhcp.id == " .. tostring(xid)
          .. "' -T fields -e dhcp.id "
          .. "-e dhcp.option.dhcp -e dhcp.ip.your 2>/dev/null")
        assert.equal(("%s\t1\t0.0.0.0\n%s\t2\t%s\n%s\t3\t0.0.0.0\n%s\t5\t%s\n")
          :format(xid, xid, addr, xid, xid, addr), ts)
      end)

      options("dhcp_client")
    end)

    describe("dns_query.lua", function()
      it("prints the records dig prints, for each type the server holds", function()
        for _, q in ipairs{ { "A", "www.example.com" }, { "AAAA", "www.example.com" },
                            { "MX", "example.com" }, { "TXT", "example.com" },
                            { "A", "web.example.com" } } do
          local want = lab:run("victim", "dig +short -t " .. q[1] .. " @198.51.100.12 " .. q[2])
          assert.is_truthy(want:find("%S"), "dig has no answer for " .. q[2])
          local out, status = lab:run("victim", demo("dns_query", "-s 198.51.100.12 -t " .. q[1] .. " " .. q[2]))
          assert.equal(0, status, out)
          local l = lines(out)
          assert.matches("^;; DNS Ans.* from 198%.51%.100%.12: id %d+, rcode ok, %d answer%(s%)$", l[1])
          local got = {}
          for i = 2, #l do got[#got + 1] = l[i]:match("^%S+%s+%d+%s+IN %S+%s+(.-)$") end
          assert.equal(want, table.concat(got, "\n") .. "\n")
        end
      end)

      options("dns_query")
    end)

    describe("dns_spoof.lua", function()
      it("answers the victim's dig first; the real answer, 200 ms away, comes too late", function()
        local far = lab:spawn("remote", demo("far_dns", "-d 0.2"))
        assert.is_truthy(far:expect("answering", 5), far:output())
        local dig = "dig +short +tries=1 @198.51.100.12 www.example.net"
        assert.equal("203.0.113.80\n", (lab:run("victim", dig)))
        local spoof = lab:spawn("attacker", demo("dns_spoof", "-v 198.51.100.10 -c 1 -t 10"))
        assert.is_truthy(spoof:expect("waiting for DNS queries", 5), spoof:output())
        local cap = lab:spawn("victim", "tcpdump --immediate-mode -U -n -i eth0 -w "
          .. lab:_dir() .. "/dns.pcap udp src port 53")
        assert.is_truthy(cap:expect("listening on", 5), cap:output())
        local out = lab:run("victim", dig)
        os.execute("sleep 0.4")
        cap:kill()
        far:kill()
        local said = spoof:wait(5) or ""
        assert.equal("198.51.100.66\n", out)
        assert.matches("spoofed www%.example%.net%. A 198%.51%.100%.66 for 198%.51%.100%.10", said)
        -- both answers reached the victim, the forged one first (the
        -- resolver may pass on the real one more than once)
        local seen = H.run("tshark -n -r " .. lab:_dir() .. "/dns.pcap -T fields -e dns.a 2>/dev/null")
        assert.matches("^198%.51%.100%.66\n203%.0%.113%.80\n", seen)
      end)

      options("dns_spoof")
      options("far_dns")
    end)
  end)

  -- IPv6 (2001:db8::/64 beside the IPv4 addresses)
  local function mac6(host)
    return (lab:run(host, "cat /sys/class/net/eth0/address")):gsub("%s+$", "")
  end

  -- The victim kernel's count of echo requests it answered.
  local function echoes_out(host)
    return tonumber((lab:run(host, "cat /proc/net/snmp6")):match("Icmp6OutEchoReplies%s+(%d+)"))
  end

  describe("ping6.lua", function()
    it("finds the victim's MAC by a solicitation and gets a reply to each echo from its kernel", function()
      local before = echoes_out("victim")
      local out, status = lab:run("attacker", demo("ping6", "-c 3 2001:db8::10"))
      assert.equal(0, status, out)
      local lines = {}
      for l in out:gmatch("[^\n]+") do lines[#lines + 1] = l end
      assert.equal(5, #lines, out)
      assert.matches("^2001:db8::10 is at " .. mac6("victim") .. " %(neighbour advertisement in [%d.]+ ms%)$", lines[1])
      for seq = 1, 3 do
        assert.matches(("^56 bytes from 2001:db8::10: icmp_seq=%d hlim=64 time=[%%d.]+ ms$"):format(seq), lines[seq + 1])
      end
      assert.equal("3 sent, 3 received", lines[5])
      assert.equal(before + 3, echoes_out("victim"))
    end)

    it("pings a link-local address in the zone given", function()
      local out, status = lab:run("attacker", demo("ping6", "-c 1 fe80::ff:fe00:a%eth0"))
      assert.equal(0, status, out)
      assert.matches("1 sent, 1 received\n$", out)
    end)

    options("ping6")
  end)

  describe("nd_spoof.lua", function()
    it("makes the victim's neighbour entry for the router point at the attacker's MAC", function()
      assert.equal(0, select(2, lab:run("victim", "ping -6 -c 1 -W 1 2001:db8::1")))
      local before = lab:run("victim", "ip -6 neigh show 2001:db8::1")
      assert.is_truthy(before:find(mac6("router"), 1, true), before)
      local out, status = lab:run("attacker", demo("nd_spoof", "-c 2 -n 0.2 2001:db8::10 2001:db8::1"))
      assert.equal(0, status, out)
      local after = lab:run("victim", "ip -6 neigh show 2001:db8::1")
      assert.is_truthy(after:find("lladdr " .. mac6("attacker"), 1, true), after)
    end)

    options("nd_spoof")
  end)

  describe("ra_spoof.lua", function()
    it("gives the victim a prefix address and a default router it did not have", function()
      lab:run("victim", "sysctl -qw net.ipv6.conf.eth0.accept_ra=1")
      local attacker_ll = (lab:run("attacker", "ip -6 -o addr show dev eth0 scope link")):match("inet6 ([%x:]+)/")
      assert.is_nil((lab:run("victim", "ip -6 route")):find(attacker_ll, 1, true))
      local out, status = lab:run("attacker", demo("ra_spoof", "-c 2 -n 0.2 -p 2001:db8:bad::"))
      assert.equal(0, status, out)
      assert.is_truthy(lab:wait_for("victim", "ip -6 addr show dev eth0 | grep -q 'inet6 2001:db8:bad:'", 5))
      local routes = lab:run("victim", "ip -6 route")
      assert.is_truthy(routes:find("default via " .. attacker_ll .. " dev eth0 proto ra", 1, true), routes)
    end)

    options("ra_spoof")
  end)
end)
