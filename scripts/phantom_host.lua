-- phantom_host.lua - a host that does not exist: answer ARP who-has for
-- its address with a made-up MAC, and answer pings to it, so `ping` on the
-- LAN shows replies from nobody.
local o = require("pkt.cli").parse(arg, "Make a non-existent host answer ARP and ping.", {
  { "ip", "a", "the phantom's address", default = "198.51.100.66" },
  { "mac", "m", "the phantom's made-up MAC", default = "02:de:ad:be:ef:66" },
  { "iface", "i", "interface (default: the first one up)" },
  { "timeout", "t", "stop after this many seconds (0: never)", default = 0, number = true },
})

local function answer(pkt)
  local arp = pkt[ARP]
  if arp and arp.op == 1 then                     -- who-has phantom? "is-at" made-up MAC
    sendp(Ether{src=o.mac, dst=arp.hwsrc} / ARP{op="is-at", hwsrc=o.mac, psrc=o.ip,
                                                hwdst=arp.hwsrc, pdst=arp.psrc},
          {iface=pkt.iface, verbose=false})
    return ("ARP: %s is at %s (told %s)"):format(o.ip, o.mac, arp.psrc)
  end
  local ip, icmp = pkt[IP], pkt[ICMP]
  if icmp and icmp.type == 8 then                 -- ping to the phantom: pong
    local reply = Ether{src=o.mac, dst=pkt[Ether].src}
      / IP{src=o.ip, dst=ip.src} / ICMP{type="echo-reply", id=icmp.id, seq=icmp.seq}
    if pkt[Raw] then reply = reply / pkt[Raw].load end
    sendp(reply, {iface=pkt.iface, verbose=false})
    return ("ICMP: echo reply to %s seq %d"):format(ip.src, icmp.seq)
  end
end

local filter = ("(arp and arp dst host %s) or (icmp and dst host %s)"):format(o.ip, o.ip)
sniff{iface=o.iface, filter=filter, prn=answer, store=false,
      timeout=o.timeout > 0 and o.timeout or nil,
      started_callback=function() print(("phantom %s (%s) is up"):format(o.ip, o.mac)) io.stdout:flush() end}
