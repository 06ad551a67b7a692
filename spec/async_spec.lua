-- Sniffing beside the script (AsyncSniffer), on several interfaces, with
-- fragments put back together, and arp_mitm, each in a lab and checked
-- against tcpdump, Scapy and the kernels' own neighbour tables.
local pkt = require "pkt"
local netlab = require "netlab"
local sh = H.shquote

local missing = H.lab_missing({ "tcpdump" })
if missing then
  describe("AsyncSniffer, sniff on several interfaces, IP sessions and arp_mitm", function()
    pending(missing)
  end)
  return
end

-- tcpdump's capture of filter on iface in host, count packets, while fn
-- runs: the packets, and fn's results.
local function tcpdump(lab, host, iface, filter, count, fn)
  local file = os.tmpname()
  local job = lab:spawn(host, ("tcpdump -U -n -i %s -c %d -w %s %s"):format(iface, count, file, sh(filter)))
  assert.is_truthy(job:expect("listening on", 5))
  local r = table.pack(fn())
  job:wait(5)
  local got = pkt.rdpcap(file)
  os.remove(file)
  return got, table.unpack(r, 1, r.n)
end

local function run_pl(lab, host, code)
  local path = H.tmpfile(code)
  local out, st, err = lab:run(host, H.pktlua .. " " .. path .. " 2>&1")
  os.remove(path)
  assert.equal(0, st, out .. (err or ""))
  return out
end

describe("AsyncSniffer and sniff on a pair", function()
  local lab
  setup(function() lab = netlab.pair() end)
  teardown(function() if lab then lab:down() end end)

  it("catches the pings the script sends between start() and stop(), as tcpdump does", function()
    local file = os.tmpname()
    local seen, out = tcpdump(lab, "a", "eth0", "icmp", 10, function()
      return run_pl(lab, "a", ([[
local s = AsyncSniffer{iface="eth0", filter="icmp", started_callback=function() print("started") end}
s:start()
print("running", s.running)
os.execute("ping -c 5 -i 0.2 -q 198.51.100.2 >/dev/null")
local r = s:stop()
print("stopped", s.running, #r, r == s.results)
wrpcap(%q, r)
for _, p in ipairs(r) do assert(p.iface == "eth0") end]]):format(file))
    end)
    local got = pkt.rdpcap(file)
    os.remove(file)
    assert.equal("started\nrunning true\nstopped false 10 true\n", out:gsub("\t", " "))
    assert.equal(10, #seen)
    assert.equal(#seen, #got)
    for i = 1, #seen do assert.equal(H.hex(seen[i]:bytes()), H.hex(got[i]:bytes())) end
  end)

  it("ends by itself at its count; join() gives the packets", function()
    local out = run_pl(lab, "a", [[
local s = AsyncSniffer{iface="eth0", filter="icmp[icmptype] == icmp-echoreply", count=2}
s:start()
os.execute("ping -c 4 -i 0.2 -q 198.51.100.2 >/dev/null")
local r = s:join(5)
print(#r, s.running, r[1][ICMP].type)
local ok, err = pcall(s.stop, s)
print(ok, err)]])
    assert.matches("^2\tfalse\t0\nfalse\t.-not running", out)
  end)

  it("names what is wrong: a bad option, a bad filter", function()
    local out = run_pl(lab, "a", [[
print(pcall(AsyncSniffer, {ifce="eth0"}))
print(pcall(function() AsyncSniffer{iface="eth0", filter="no such filter"}:start() end))]])
    assert.matches("unknown option 'ifce'", out, 1, true)
    assert.matches("AsyncSniffer: .-invalid filter", out)
  end)

  it("sniff{iface={...}} captures on each interface, every packet knowing its own", function()
    local file = os.tmpname()
    local on_eth, on_lo, out
    on_eth, on_lo = tcpdump(lab, "a", "eth0", "icmp", 4, function()
      return tcpdump(lab, "a", "lo", "icmp", 2, function()
        out = run_pl(lab, "a", ([[
local l = sniff{iface={"eth0", "lo"}, filter="icmp", count=6, timeout=10, started_callback=function()
  os.execute("ping -c 2 -i 0.2 -q 198.51.100.2 >/dev/null; ping -c 1 -q 127.0.0.1 >/dev/null")
end}
local eth, lo = {}, {}
for _, p in ipairs(l) do table.insert(p.iface == "lo" and lo or eth, p) end
wrpcap(%q, eth); wrpcap(%q .. ".lo", lo)
print(#eth, #lo)]]):format(file, file))
      end)
    end)
    local eth, lo = pkt.rdpcap(file), pkt.rdpcap(file .. ".lo")
    os.remove(file); os.remove(file .. ".lo")
    assert.equal("4\t2\n", out)
    for i, l in ipairs({ { on_eth, eth }, { on_lo, lo } }) do
      assert.equal(#l[1], #l[2], i)
      for j = 1, #l[1] do assert.equal(H.hex(l[1][j]:bytes()), H.hex(l[2][j]:bytes())) end
    end
  end)

  it("sniff{session=\"ip\"} delivers a fragmented datagram whole, as Scapy's IPSession", function()
    local py = lab:spawn("b", H.python .. " -u " .. H.tmpfile([[
import logging
logging.getLogger('scapy').setLevel(logging.ERROR)
from scapy.all import *
l = sniff(iface="eth0", filter="udp and host 198.51.100.1", session=IPSession, count=2, timeout=10,
          started_callback=lambda: print("listening", flush=True))
for p in l: print(raw(p[IP]).hex())
]]))
    local pl = lab:spawn("b", H.pktlua .. " -e " .. sh([[
local l = sniff{iface="eth0", filter="udp and host 198.51.100.1", session="ip", count=2, timeout=10,
  started_callback=function() print("listening") io.stdout:flush() end}
for _, p in ipairs(l) do print((p[IP]:bytes():gsub(".", function(c) return ("%02x"):format(c:byte()) end))) end]]))
    assert.is_truthy(py:expect("listening", 10))
    assert.is_truthy(pl:expect("listening", 10))
    run_pl(lab, "a", [[
send(fragment(IP{dst="198.51.100.2", id=4242}/UDP{sport=1000, dport=2000}/("x"):rep(3000), 1000), {verbose=0})
send(IP{dst="198.51.100.2"}/UDP{sport=1001, dport=2001}/"whole", {verbose=0})]])
    local want = (py:wait(10) or ""):gsub("^listening\n", "")
    local got = (pl:wait(10) or ""):gsub("^listening\n", "")
    assert.equal(want, got)
    local first = got:match("^(%x+)\n")
    assert.equal(20 + 8 + 3000, #first // 2)
  end)
end)

describe("arp_mitm on the lecture's LAN", function()
  local lab
  setup(function() lab = netlab.lan{ router = false } end)
  teardown(function() if lab then lab:down() end end)

  local function mac(host) return (lab:run(host, "cat /sys/class/net/eth0/address")):match("%S+") end
  local function neigh(host, ip) return (lab:run(host, "ip neigh show " .. ip)):match("lladdr (%S+)") end

  it("poisons both victims with the attacker's MAC, and gives them the true ones after", function()
    lab:run("victim", "ping -c 1 -W 1 198.51.100.12")
    local script = H.tmpfile('arp_mitm("198.51.100.10", "198.51.100.12", {inter=0.3})')
    local job = lab:spawn("attacker", H.pktlua .. " " .. script)
    assert.is_truthy(job:expect("MITM on eth0", 10))
    os.execute("sleep 1")
    local during = { neigh("victim", "198.51.100.12"), neigh("server", "198.51.100.10") }
    os.execute("kill -INT " .. job.pid)
    local out = job:wait(10)
    os.remove(script)
    local after = { neigh("victim", "198.51.100.12"), neigh("server", "198.51.100.10") }
    assert.same({ mac("attacker"), mac("attacker") }, during)
    assert.same({ mac("server"), mac("victim") }, after)
    assert.matches(("MITM on eth0: %s <%%-%%-> %s <%%-%%-> %s\nRestoring...")
      :format(mac("victim"), mac("attacker"), mac("server")), out)
  end)
end)
