-- pkt/async.lua - sniffing beside the script, as Scapy's AsyncSniffer,
-- sniff's IP session (fragments put back together) and arp_mitm.
-- Lua has no threads: a background sniffer is a forked copy of the
-- script that runs sniff() and writes what it catches to a file, which
-- stop() reads back.
return function(M, I)
  local core = I.core

  local function has_mf(flags) return tostring(flags):find("MF", 1, true) ~= nil end

  ------------------------------------------------------ sniff sessions

  -- session="ip": a fragment is held until its datagram is whole, then
  -- the datagram is delivered in its place (Scapy's IPSession); other
  -- packets pass as they are.  At most 1024 datagrams wait at once: the
  -- oldest gives way.
  I.sessions = { ip = function()
    local groups, order = {}, {}
    return function(p)
      local ip = p[M.IP]
      if not ip or (ip.frag == 0 and not has_mf(ip.flags)) then return p end
      local key = ("%d %s %s %d"):format(ip.id, ip.src, ip.dst, ip.proto)
      local g = groups[key]
      if not g then
        g = {}
        groups[key] = g
        order[#order + 1] = key
        if #order > 1024 then groups[table.remove(order, 1)] = nil end
      end
      g[#g + 1] = p
      local whole = M.defragment(g)
      local q = #whole == 1 and whole[1][M.IP]
      if not q or q.frag ~= 0 or has_mf(q.flags) then return nil end
      groups[key] = nil
      for i, k in ipairs(order) do
        if k == key then table.remove(order, i); break end
      end
      whole[1].iface = p.iface
      return whole[1]
    end
  end }

  ------------------------------------------------------ AsyncSniffer

  I.docs.AsyncSniffer = { "Sniff in the background while the script goes on",
    "s = AsyncSniffer{sniff's options}; s:start(); ...; packets = s:stop() (or s:join([seconds])); "
      .. "s.results, s.running" }
  I.docs.arp_mitm = { "ARP man in the middle between two hosts, until Ctrl-C",
    "arp_mitm(ip1, ip2 [, {mac1=, mac2=, target_mac=, iface=, inter=3, count=}])" }

  local Sniffer = {}
  local SnifferMT = { __name = "pkt.AsyncSniffer" }

  -- The packets a child wrote to path (pcapng), each with its time and
  -- interface.
  local function read_back(path)
    local cap = core.capture_file(path, nil, true)
    local out = M.PacketList({}, "Sniffed")
    if not cap then return out end
    local names = {}
    while true do
      local data, sec, _, wirelen, nsec, ifid, _, lt = cap:next()
      if not data then break end
      if not names[ifid] then
        local d = cap:fileinfo().interfaces[ifid + 1]
        names[ifid] = d and d.name or false
      end
      local pid = core.linktype_proto(lt)
      local first = I.descs[pid] or M.Raw._desc
      out[#out + 1] = I.captured(first, data, sec + nsec / 1e9, names[ifid] or nil,
        wirelen ~= #data and wirelen or nil)
    end
    cap:close()
    return out
  end

  -- The child: sniff() with the options given, each packet it keeps
  -- written to the file, then a word on the pipe ("R" once listening,
  -- "D" when done, "E" and the message on an error).  It never returns
  -- to the script.
  local function child(o, path, wfd)
    local ok, err = pcall(function()
      local w = o.store ~= false and M.pcap_writer(path, { format = "pcapng" })
      local so = {}
      for k, v in pairs(o) do so[k] = v end
      so.store = false
      if not o.offline and o.immediate == nil then so.immediate = true end  -- see start()
      so.started_callback = function() core.fdwrite(wfd, "R") end
      local prn = o.prn
      so.prn = function(p)
        if w then w:write(p) end
        if prn then return prn(p) end
      end
      M.sniff(so)
      if w then w:close() end
    end)
    if not ok then core.fdwrite(wfd, "E" .. tostring(err)) end
    core.fdwrite(wfd, "D")
    core.exit(ok and 0 or 1)
  end

  -- AsyncSniffer{...} -> a sniffer, not yet started; its options are
  -- sniff's.  started_callback runs in the script once it listens.
  function M.AsyncSniffer(o)
    o = I.check_opts("AsyncSniffer", o, I.sniff_opts)
    return setmetatable({ _o = o, results = nil }, SnifferMT)
  end

  SnifferMT.__index = function(s, k)
    if k == "running" then
      local pid = rawget(s, "_pid")
      if not pid then return false end
      if not rawget(s, "_status") then
        local ended, code = core.reap(pid)
        if ended then rawset(s, "_status", code) end
      end
      return rawget(s, "_status") == nil
    end
    return Sniffer[k]
  end

  -- A sniffer the script forgot to stop ends with it, its file removed.
  SnifferMT.__gc = function(s)
    local pid = rawget(s, "_pid")
    if not pid then return end
    core.terminate(pid)
    if not rawget(s, "_status") then core.reap(pid, true) end
    core.fdclose(s._rfd)
    os.remove(s._path)
  end

  SnifferMT.__tostring = function(s)
    return ("<AsyncSniffer %s>"):format(s.running and "running"
      or rawget(s, "results") and "stopped" or "not started")
  end

  -- s:start(): the capture is open (its filter set) when this returns,
  -- so packets the script sends next are caught.  Immediate delivery
  -- (the default here) lets stop() read the ring to its end at once.
  function Sniffer.start(s)
    if rawget(s, "_pid") then error("AsyncSniffer: already started (stop() it first)", 2) end
    local path = os.tmpname()
    local rfd, wfd = core.pipe()
    if not rfd then error("AsyncSniffer: " .. tostring(wfd), 2) end
    local pid, msg = core.fork()
    if pid == 0 then child(s._o, path, wfd) end
    core.fdclose(wfd)
    if not pid then
      core.fdclose(rfd)
      os.remove(path)
      error("AsyncSniffer: " .. tostring(msg), 2)
    end
    s._pid, s._path, s._rfd, s._said, s.results = pid, path, rfd, "", nil
    -- wait until it listens, or says why it cannot
    local deadline = core.now() + 30
    while not s._said:find("^[RE]") and core.now() < deadline do
      local got = core.fdread(rfd, 0.1)
      if got == nil then break end
      if got then s._said = s._said .. got end
    end
    if not s._said:find("^R") then
      local err = s:_finish()
      error("AsyncSniffer: " .. (err or "the sniffer did not start"), 2)
    end
    if s._o.started_callback then s._o.started_callback() end
    return s
  end

  -- Waits for the child's end and reads what it caught; the error it
  -- reported, if any.
  function Sniffer._finish(s)
    while true do
      local got = core.fdread(s._rfd, -1)
      if got == nil then break end
      if got then s._said = s._said .. got end
    end
    core.fdclose(s._rfd)
    if not rawget(s, "_status") then
      local _, code = core.reap(s._pid, true)
      s._status = code
    end
    s.results = read_back(s._path)
    os.remove(s._path)
    s._pid = nil
    local err = s._said:match("E(.-)D?$")
    if err and err ~= "" then return err end
  end

  -- s:stop() -> the packets caught (also s.results).  What the capture
  -- holds when stop() is called is kept.
  function Sniffer.stop(s)
    if not rawget(s, "_pid") then
      error("AsyncSniffer: not running (start() it first)", 2)
    end
    core.terminate(s._pid)
    local err = s:_finish()
    if err then error("AsyncSniffer: " .. err, 2) end
    return s.results
  end

  -- s:join([seconds]) -> the packets, once the sniffer ends by itself
  -- (count, timeout, stop_filter), or nil if it still runs after seconds.
  function Sniffer.join(s, timeout)
    if not rawget(s, "_pid") then return s.results end
    local deadline = timeout and core.now() + timeout
    while s.running do
      if deadline and core.now() >= deadline then return nil end
      core.sleep(0.02)
    end
    local err = s:_finish()
    if err then error("AsyncSniffer: " .. err, 2) end
    return s.results
  end

  ------------------------------------------------------------ arp_mitm

  local function is_interrupt(e)
    return type(e) == "string" and e:find("interrupted!", 1, true) ~= nil
  end

  local mitm_opts = { mac1 = "string", mac2 = "string", target_mac = "string", iface = "string",
    inter = "number", count = "count", verbose = "flag" }

  -- The MAC address of ip on iface, asked with an ARP request.
  local function mac_of(ip, iface)
    local r = M.srp1(M.Ether{ dst = "ff:ff:ff:ff:ff:ff" } / M.ARP{ pdst = ip },
      { iface = iface, timeout = 2, retry = 1, verbose = false })
    if not r then
      error(("arp_mitm: cannot find the MAC address of %s on %s (no ARP reply; is it up? "
        .. "or give mac1=/mac2=)"):format(ip, iface), 3)
    end
    return r[M.ARP].hwsrc
  end

  -- arp_mitm(ip1, ip2 [, {mac1=, mac2=, target_mac=, iface=, inter=3,
  -- count=}]): tells ip1 that ip2 is at our MAC and ip2 that ip1 is, by
  -- ARP who-has requests every inter seconds, as Scapy's arp_mitm, until
  -- Ctrl-C (or count rounds); then gives both their true MACs back.
  -- Forwarding between them is the kernel's (sysctl net.ipv4.ip_forward=1).
  function M.arp_mitm(ip1, ip2, o)
    o = I.check_opts("arp_mitm", o, mitm_opts)
    if type(ip1) ~= "string" or type(ip2) ~= "string" then
      error("arp_mitm(ip1, ip2 [, opts]): the victims are two IPv4 address strings", 2)
    end
    local iface = o.iface or M.conf.route:route(ip1)
    local me = o.target_mac or M.get_if_hwaddr(iface)
    local mac1, mac2 = o.mac1 or mac_of(ip1, iface), o.mac2 or mac_of(ip2, iface)
    local say = o.verbose ~= false and not (o.verbose == nil and M.conf.verb == 0)
    if say then print(("MITM on %s: %s <--> %s <--> %s"):format(iface, mac1, me, mac2)) end
    local function tell(dst, ip, about, mac)
      return M.Ether{ dst = dst, src = me } / M.ARP{ op = "who-has", psrc = about, pdst = ip,
        hwsrc = mac, hwdst = "ff:ff:ff:ff:ff:ff" }
    end
    local poison = { tell(mac1, ip1, ip2, me), tell(mac2, ip2, ip1, me) }
    local ok, err = pcall(function()
      local round = 0
      while not (o.count and round >= o.count) do
        round = round + 1
        M.sendp(poison, { iface = iface, verbose = false })
        if not (o.count and round >= o.count) then core.sleep(o.inter or 3) end
      end
    end)
    if say then print("Restoring...") end
    M.sendp({ tell(mac1, ip1, ip2, mac2), tell(mac2, ip2, ip1, mac1) }, { iface = iface, verbose = false })
    if not ok and not is_interrupt(err) then error(err, 0) end
  end
end
