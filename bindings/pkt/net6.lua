-- pkt/net6.lua - IPv6 in the sending path: its family beside IP's in
-- pkt/net.lua's table (route, neighbour resolution, an interface's
-- addresses), and get_if_addr6.  A destination may carry a zone
-- (fe80::1%eth0): the link it is on.
return function(M, I, families, lookups)
  local core, need_iface = I.core, lookups.need_iface

  local function split_zone(a)
    local addr, zone = a:match("^([^%%]+)%%(.+)$")
    return addr or a, zone
  end

  -- The 16 bytes of an address, as the IPv6 field encodes it.
  local function bytes16(a) return M.IPv6{ dst = a }:bytes():sub(25, 40) end

  local route = lookups.routes(function(dst)
    local a, zone = split_zone(dst)
    return core.route6(a, zone)
  end)

  local function link_local(a) return a:match("^[fF][eE][89aAbB]%x:") ~= nil end

  -- Of an interface's addresses, the one to send to dst from: link-local
  -- towards link-local and multicast destinations, else global.
  local function source_for(info, dst)
    local want_ll = dst and (link_local(dst) or dst:match("^[fF][fF]")) ~= nil
    for _, a in ipairs(info.ipv6) do
      if link_local(a) == want_ll then return a end
    end
    return info.ipv6[1]
  end

  local fam = { route = route, none = "::",
    addrs = function(info) return info.ipv6 end }

  -- by a neighbour solicitation to the address's solicited-node group
  -- (RFC 4861 7.2.2), with our link-layer address (4.6.1), so the
  -- target answers without asking back
  local ask = lookups.neighbours(core.neigh6, function(me, a, iface)
    local b = bytes16(a)
    local group = ("ff02::1:ff%02x:%02x%02x"):format(b:byte(14, 16))
    local rep = M.srp1(M.Ether{ src = me.mac, dst = fam.resolve(iface, group) }
      / M.IPv6{ src = source_for(me, a) or "::", dst = group }
      / M.ICMPv6ND_NS{ tgt = a } / M.ICMPv6NDOptSrcLLAddr{ lladdr = me.mac },
      { iface = iface, timeout = 1, retry = 1, verbose = false })
    return rep and rep[M.Ether].src
  end, "no neighbour advertisement")

  -- The MAC of ip on iface: a multicast group's (33:33 and its last 32
  -- bits, RFC 2464 7), else the neighbour's.
  function fam.resolve(iface, ip, fname)
    local a = split_zone(ip)
    local b = bytes16(a)
    if b:byte(1) == 0xff then return ("33:33:%02x:%02x:%02x:%02x"):format(b:byte(13, 16)) end
    return ask(iface, a, fname)     -- a tail call: errors name the same caller
  end
  families.IPv6 = fam

  -- get_if_addr6(iface [, dst]) -> the address iface sends to dst from
  -- (without dst, its first global one), or nil; Scapy's get_if_addr6.
  function M.get_if_addr6(name, dst)
    if type(name) ~= "string" then error("get_if_addr6: takes an interface name", 2) end
    for _, info in ipairs(M.ifaces()) do
      if info.name == name then return source_for(info, dst and split_zone(dst)) end
    end
    error(("get_if_addr6: no interface '%s' (ifaces() lists them)"):format(name), 2)
  end
end
