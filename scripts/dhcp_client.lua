-- dhcp_client.lua - get an address as a DHCP client does (RFC 2131 3.1):
-- broadcast a discover, take the first offer, request it, and print the
-- lease the server acknowledges.  Nothing is configured: it only asks.
--   Scapy: conf.checkIPaddr = False
--          offer = srp1(Ether(dst="ff:ff:ff:ff:ff:ff")/IP(src="0.0.0.0", dst="255.255.255.255")
--                       /UDP(sport=68, dport=67)/BOOTP(chaddr=mac2str(mac), xid=x, flags="B")
--                       /DHCP(options=[("message-type", "discover"), "end"]))
local o = require("pkt.cli").parse(arg, "Ask the LAN's DHCP server for an address; print the lease.", {
  { "iface", "i", "interface to ask on (default: the first one up)" },
  { "timeout", "t", "seconds to wait for each answer", default = 5, number = true },
})

local iface = o.iface or conf.iface     -- Scapy's default: the default route's
local mac = get_if_hwaddr(iface)
local chaddr = mac:gsub(":", ""):gsub("..", function(h) return string.char(tonumber(h, 16)) end)
local xid = math.random(0, 0x7fffffff)

-- The value(s) of a DHCP option of a reply, by name.
local function option(p, name)
  for _, opt in ipairs(p[DHCP].options) do
    if type(opt) == "table" and opt[1] == name then return table.unpack(opt, 2) end
  end
end

-- One broadcast request of the exchange; the reply with our xid, or nil.
local function ask(kind, extra)
  local opts = { { "message-type", kind } }
  for _, x in ipairs(extra) do opts[#opts + 1] = x end
  opts[#opts + 1] = { "param_req_list", { 1, 3, 6, 15, 51, 54 } }
  opts[#opts + 1] = "end"
  local req = Ether{dst="ff:ff:ff:ff:ff:ff", src=mac} / IP{src="0.0.0.0", dst="255.255.255.255"}
    / UDP{sport=68, dport=67} / BOOTP{chaddr=chaddr, xid=xid, flags="B"} / DHCP{options=opts}
  print("> " .. req:summary() .. (" xid 0x%08x"):format(xid))
  local rep = srp1(req, {iface=iface, timeout=o.timeout, verbose=false})
  if rep and rep[DHCP] then print("< " .. rep:summary() .. " from " .. rep[IP].src) end
  return rep
end

local offer = ask("discover", {})
if not offer then
  print(("no offer in %g s: is there a DHCP server on %s's LAN?"):format(o.timeout, iface))
  os.exit(1)
end
local addr, server = offer[BOOTP].yiaddr, option(offer, "server_id")
local ack = ask("request", { { "requested_addr", addr }, { "server_id", server } })
if not ack or option(ack, "message-type") ~= 5 then
  print(ack and "the server refused (" .. ack:summary() .. ")" or "no answer to the request")
  os.exit(1)
end
print(("lease: %s for %d s from %s"):format(ack[BOOTP].yiaddr, option(ack, "lease_time") or 0, server))
print(("  subnet mask %s, router %s, name server %s, domain %s"):format(option(ack, "subnet_mask"),
  option(ack, "router"), option(ack, "name_server"), option(ack, "domain")))
