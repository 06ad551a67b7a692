-- demo.lua - `make demo`: bring up the lecture's LAN in network namespaces
-- (victim, attacker and server on a hub; a router to 203.0.113.0/24 where
-- the remote host lives), run each demo there with a line saying what
-- happens, show the real output, and take the lab down again.
--   usage: lua5.4 scripts/demo.lua PKTLUA   (LUA_PATH with scripts/?.lua)
local netlab = require "netlab"

local pktlua = assert(arg[1], "usage: demo.lua /path/to/pktlua")
local ok, why = netlab.available()
if not ok then
  io.stderr:write("make demo needs root and network namespaces: ", tostring(why), "\n")
  os.exit(1)
end

local step, nsteps, failures = 0, 18, 0
local bold, plain = "", ""
if os.execute("test -t 1") then bold, plain = "\27[1m", "\27[0m" end

local function say(text)
  step = step + 1
  io.write(("\n%s[%d/%d] %s%s\n"):format(bold, step, nsteps, text, plain))
end

local function show(host, out)
  for line in out:gmatch("[^\n]+") do io.write(("    %-8s| %s\n"):format(host, line)) end
  io.flush()
end

-- A check a student would make; a failed one is reported and counted.
local function expect(cond, what)
  if not cond then
    failures = failures + 1
    io.write("    !! expected: ", what, "\n")
  end
end

local function pl(script, args)
  return ("%s scripts/%s %s"):format(pktlua, script, args or "")
end

-- The victim's command alone, then again while the attacker's spoofer
-- (which prints "waiting" when it listens) runs; -> both outputs.
local function spoofed(lab, cmd, who, spoofer)
  local before = lab:run("victim", cmd)
  show("victim", before)
  io.write("    ... and again with " .. who .. ":\n")
  local sp = lab:spawn("attacker", spoofer)
  sp:expect("waiting", 5)
  local out = lab:run("victim", cmd)
  show("victim", out)
  show("attacker", sp:wait(5) or "")
  return before, out
end

local function demo(lab)
  -- Linux limits ICMP errors per destination (a burst of 6, then one a
  -- second); the unreachables of the ping-a-down-host demo would use them
  -- up and hide the traceroute's first hop.
  lab:run("router", "sysctl -qw net.ipv4.icmp_ratelimit=0")
  say("the lab: " .. "victim .10, attacker .11, server .12 on a hub (198.51.100.0/24); "
    .. "router .1 to remote 203.0.113.20")
  show("lab", select(1, lab:run("victim", "ip -br addr show eth0; ip route | head -1")))

  say("sniff.lua: the attacker sniffs 'icmp or udp' on the shared LAN while the victim pings the server")
  local sn = lab:spawn("attacker", pl("sniff.lua", "-c 2 -t 10"))
  sn:expect("sniffing", 5)
  os.execute("sleep 0.3")
  lab:run("victim", "ping -c 1 -W 1 198.51.100.12")
  local out = sn:wait(10) or ""
  show("attacker", out)
  expect(out:find("src       = 198.51.100.10", 1, true), "the victim's echo request in the listing")

  say("receive_udp.lua / send_udp.lua: socket basics, the server prints ip:port message")
  local rx = lab:spawn("server", pl("receive_udp.lua", "-c 1 -t 5"))
  rx:expect("listening", 5)
  show("victim", (lab:run("victim", pl("send_udp.lua", "-m 'hi from the victim\\n'"))))
  out = rx:wait(6) or ""
  show("server", out)
  expect(out:find("198.51.100.10:%d+ hi from the victim"), "the victim's real address")

  say("spoof_udp.lua: the attacker spoofs a UDP datagram from 1.2.3.4; the server prints what it received:")
  rx = lab:spawn("server", pl("receive_udp.lua", "-c 1 -t 5"))
  rx:expect("listening", 5)
  show("attacker", (lab:run("attacker", pl("spoof_udp.lua"))))
  out = rx:wait(6) or ""
  show("server", out)
  expect(out:find("1.2.3.4:8888 Hello UDP!", 1, true), "the server to see 1.2.3.4:8888")

  say("udp_chat: the server answers each line in upper case; then it stops and the client times out")
  local chat = lab:spawn("server", pl("udp_chat_server.lua"))
  chat:expect("upper-case server", 5)
  out = lab:run("victim", "printf 'hello server\\nnetworks are fun\\n' | " .. pl("udp_chat_client.lua", "-t 1"))
  show("victim", out)
  expect(out:find("NETWORKS ARE FUN", 1, true), "the reply in upper case")
  chat:kill()
  out = lab:run("victim", "printf 'anyone there?\\n' | " .. pl("udp_chat_client.lua", "-t 1"))
  show("victim", out)
  expect(out:find("no reply", 1, true), "a timeout message")

  say("sniff_spoof_icmp.lua: the victim pings 203.0.113.20, which is down: no replies ...")
  lab:link("remote", "down")
  local before
  before, out = spoofed(lab, "ping -c 3 -i 0.3 -W 1 203.0.113.20", "the attacker answering for it",
    pl("sniff_spoof_icmp.lua", "-v 198.51.100.10 -c 3 -t 10"))
  expect(before:find(" 0 received", 1, true), "no replies while remote is down")
  expect(out:find(" 3 received", 1, true), "3 forged replies")
  lab:link("remote", "up")

  say("phantom_host.lua: 198.51.100.66 does not exist, yet it answers ARP and ping")
  local ph = lab:spawn("attacker", pl("phantom_host.lua", "-t 10"))
  ph:expect("is up", 5)
  -- the victim records the exchange, for the pictures of the next step
  local pcap = lab:_dir() .. "/phantom.pcap"
  local rec = lab:spawn("victim", ("%s -e %q"):format(pktlua, ("io.write('recording\\n') io.stdout:flush() "
    .. "local l = sniff{filter='host 198.51.100.66', count=8, timeout=6} wrpcap(%q, l)"):format(pcap)))
  rec:expect("recording", 5)
  os.execute("sleep 0.3")
  out = lab:run("victim", "ping -c 3 -i 0.3 -W 1 198.51.100.66; ip neigh show 198.51.100.66")
  show("victim", out)
  ph:kill()
  show("attacker", ph:output())
  expect(out:find("3 received", 1, true) and out:find("02:de:ad:be:ef:66", 1, true),
    "replies, and the made-up MAC in the victim's ARP table")

  say("diagram and flow: the phantom's forged ARP reply as its RFC header diagram, and the exchange as a ladder")
  local recout = rec:wait(8)
  local f = io.popen(("%s -e %q 2>&1"):format(pktlua, ("local l = rdpcap(%q) "
    .. "for _, p in ipairs(l) do if p[ARP] and p[ARP].op == 2 then p[ARP]:diagram() break end end "
    .. "print() l:flow()"):format(pcap)))
  out = f:read("a")
  f:close()
  -- what the recorder said besides its start line is worth seeing (an error)
  show("victim", (recout or ""):gsub("^recording\n", "") .. out)
  expect(out:find("02:de:ad:be:ef:66", 1, true) and out:find("198.51.100.66", 1, true)
    and out:find("ICMP echo-reply", 1, true), "the forged MAC in the diagram and the replies in the ladder")

  say("traceroute.lua: the victim traces the route to 203.0.113.20")
  out = lab:run("victim", pl("traceroute.lua", "-m 5 203.0.113.20"))
  show("victim", out)
  expect(out:find(" 1  198.51.100.1 ", 1, true) and out:find(" 2  203.0.113.20 ", 1, true),
    "the router, then the target")

  say("arp_scan.lua: the attacker asks every address of 198.51.100.0/24 who is there")
  out = lab:run("attacker", pl("arp_scan.lua", "198.51.100.0/24"))
  show("attacker", out)
  expect(out:find("3 hosts", 1, true), "the router, the victim and the server")

  say("syn_scan.lua: the attacker scans the server, which listens on 8080")
  local srv = lab:spawn("server", "nc -lk -p 8080")
  lab:wait_for("server", "ss -ltn | grep -q ':8080 '", 5)
  out = lab:run("attacker", pl("syn_scan.lua", "-p 22,80,8080,9090 198.51.100.12"))
  show("attacker", out)
  srv:kill()
  expect(out:find("8080/tcp open", 1, true) and out:find("22/tcp   closed", 1, true),
    "8080 open, the others closed")

  say("dhcp_rogue.lua: the server runs dnsmasq (DNS, DHCP); the attacker's rogue DHCP server "
    .. "answers the victim's client (udhcpc) first")
  lab:dnsmasq()
  local rogue = lab:spawn("attacker", pl("dhcp_rogue.lua", "-c 1 -t 15"))
  rogue:expect("rogue DHCP server", 5)
  out = lab:run("victim", "udhcpc -i eth0 -n -q -t 3 -s scripts/udhcpc-hook.sh 2>&1; ip route show default")
  show("victim", out)
  show("attacker", rogue:wait(5) or "")
  expect(out:find("default via 198.51.100.11 ", 1, true), "the attacker as the victim's router")
  lab:run("victim", "ip addr del 198.51.100.200/24 dev eth0; ip route replace default via 198.51.100.1")

  say("dhcp_client.lua: the victim asks the real server for a lease: discover, offer, request, ack")
  out = lab:run("victim", pl("dhcp_client.lua"))
  show("victim", out)
  expect(out:find("lease: 198%.51%.100%.1%d%d for 600 s from 198%.51%.100%.12"), "a lease from the server's pool")

  say("dns_query.lua: the victim asks the server's DNS (dnsmasq) about example.com, as dig does")
  out = lab:run("victim", pl("dns_query.lua", "-s 198.51.100.12 -t MX example.com") .. "; "
    .. pl("dns_query.lua", "-s 198.51.100.12 web.example.com"))
  show("victim", out)
  expect(out:find("10 mail.example.com.", 1, true) and out:find("198.51.100.80", 1, true),
    "the MX record, and the A record behind the CNAME")

  say("dns_spoof.lua: www.example.net lives at the remote site, 200 ms away; the attacker "
    .. "answers the victim's dig first")
  local far = lab:spawn("remote", pl("far_dns.lua", "-d 0.2"))
  far:expect("answering", 5)
  before, out = spoofed(lab, "dig +tries=1 @198.51.100.12 www.example.net | grep -E 'IN|time'",
    "the attacker spoofing", pl("dns_spoof.lua", "-v 198.51.100.10 -c 1 -t 10"))
  far:kill()
  expect(before:find("203.0.113.80", 1, true), "the real address first")
  expect(out:find("198.51.100.66", 1, true), "the forged address in dig's answer")

  say("ping6.lua: over IPv6 (2001:db8::/64) the attacker solicits the victim's MAC, then pings it")
  out = lab:run("attacker", pl("ping6.lua", "-c 2 2001:db8::10"))
  show("attacker", out)
  expect(out:find("2 sent, 2 received", 1, true), "two replies from the victim's kernel")

  say("nd_spoof.lua: forged neighbour advertisements point the victim's entry for the router at the attacker")
  lab:run("victim", "ping -6 -c 1 -W 1 2001:db8::1")
  show("victim", (lab:run("victim", "ip -6 neigh show 2001:db8::1")))
  show("attacker", (lab:run("attacker", pl("nd_spoof.lua", "-c 2 -n 0.2 2001:db8::10 2001:db8::1"))))
  out = lab:run("victim", "ip -6 neigh show 2001:db8::1")
  show("victim", out)
  expect(out:find("02:00:00:00:00:0b", 1, true), "the attacker's MAC for the router's address")

  say("ra_spoof.lua: a rogue router advertisement gives the victim a prefix and a default router")
  lab:run("victim", "sysctl -qw net.ipv6.conf.eth0.accept_ra=1")
  show("attacker", (lab:run("attacker", pl("ra_spoof.lua", "-c 2 -n 0.2"))))
  lab:wait_for("victim", "ip -6 addr show dev eth0 | grep -q 2001:db8:bad:", 5)
  out = lab:run("victim", "ip -6 -br addr show dev eth0; ip -6 route show default")
  show("victim", out)
  expect(out:find("2001:db8:bad:", 1, true) and out:find("proto ra", 1, true),
    "an address in 2001:db8:bad::/64 and a default route from the advertisement")
end

local t0 = os.time()
io.write("bringing up the lab (network namespaces; nothing leaves this machine) ...\n")
local done, err = pcall(netlab.with, "lan", { remote = true }, demo)
io.write(("\nlab torn down; %d demos in %d s"):format(step - 1, os.time() - t0))
if not done then
  io.write("\nthe demo stopped: ", tostring(err), "\n")
  os.exit(1)
end
io.write(failures == 0 and ", all as expected\n" or (", %d checks failed\n"):format(failures))
os.exit(failures == 0 and 0 or 1)
