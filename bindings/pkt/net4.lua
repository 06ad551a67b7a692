-- pkt/net4.lua - IPv4 and ARP in the sending path: IP's family in
-- pkt/net.lua's table (routes, next hops resolved by ARP, an
-- interface's addresses), and how an ARP sent without a network layer
-- is completed, as Scapy completes it: its sender is the sending
-- interface, and its frame goes to the target's MAC unless it is a
-- request.
return function(M, I, families, framed_by, lookups)
  local core, P, need_iface = I.core, I.P, lookups.need_iface

  local route = lookups.routes(core.route)

  -- The MAC address of an IPv4 address on an interface: ARP's answer.
  local resolve = lookups.neighbours(core.neigh, function(me, ip, iface)
    local rep = M.srp1(M.Ether{ dst = "ff:ff:ff:ff:ff:ff", src = me.mac }
      / M.ARP{ hwsrc = me.mac, psrc = me.ipv4[1] or "0.0.0.0", pdst = ip },
      { iface = iface, timeout = 1, retry = 1, verbose = false })
    return rep and rep[M.ARP].hwsrc
  end, "no ARP reply")

  families.IP = { route = route, resolve = resolve, none = "0.0.0.0",
    addrs = function(info) return info.ipv4 end }

  framed_by.ARP = {
    -- where the interface is found when none is named
    route = function(arp) return route(arp.pdst) end,
    unset = function(arp) return not P.isset(arp, "hwsrc") or not P.isset(arp, "psrc") end,
    fill = function(arp, iface, fname)
      if not P.isset(arp, "hwsrc") then arp.hwsrc = need_iface(iface, fname).mac end
      if not P.isset(arp, "psrc") then
        local r = route(arp.pdst)
        arp.psrc = r and r.iface == iface and r.src ~= "0.0.0.0" and r.src
          or need_iface(iface, fname).ipv4[1] or "0.0.0.0"
      end
    end,
    -- A request keeps the broadcast address; another ARP goes to its
    -- target's MAC (or the gateway's to it), asked for if need be, and
    -- is broadcast when none answers.
    dst_mac = function(arp, iface, fname)
      if arp.op == 1 then return "ff:ff:ff:ff:ff:ff" end
      local r = route(arp.pdst)
      local ok, mac = pcall(resolve, iface, (r and r.iface == iface and r.gw) or arp.pdst, fname)
      if not ok and lookups.is_interrupt(mac) then error(mac, 0) end
      return ok and mac or "ff:ff:ff:ff:ff:ff"
    end,
  }
end
