-- pkt/scapy.lua - Scapy's everyday conveniences, written over the public
-- packet API so a lecture's script ports line by line: True and False,
-- conf, ls() and lsc(), help(), IPv4 fragment() and defragment(),
-- srloop(), traceroute() and arping().
return function(M, I)
  -- Python's True and False, so {loop=True} and {store=False} mean what
  -- they say.  Scapy's None is Lua's nil: a field left unset is computed,
  -- an option left out takes its default.
  M.True, M.False = true, false

  local function ip2int(s)
    local a, b, c, d = tostring(s):match("^(%d+)%.(%d+)%.(%d+)%.(%d+)$")
    a, b, c, d = tonumber(a), tonumber(b), tonumber(c), tonumber(d)
    if not (a and a < 256 and b < 256 and c < 256 and d < 256) then return nil end
    return ((a * 256 + b) * 256 + c) * 256 + d
  end

  local function int2ip(n)
    return ("%d.%d.%d.%d"):format(n >> 24 & 255, n >> 16 & 255, n >> 8 & 255, n & 255)
  end

  -- Options are checked as send's and sniff's are (pkt/net.lua): a
  -- misspelt name or a value of the wrong type raises; flags become
  -- booleans.
  local opts_of = I.check_opts

  ----------------------------------------------------------------- conf

  -- The IPv4 routes of this network namespace as Scapy lists them: the
  -- kernel's main table (/proc/net/route, the file Scapy reads), the
  -- loopback network added, each with its interface's address.
  local function routes()
    local addr = {}
    for _, i in ipairs(M.ifaces()) do addr[i.name] = i.ipv4[1] end
    local t = {}
    if addr.lo then
      t[1] = { net = ip2int(addr.lo) & 0xff000000, mask = 0xff000000, gw = "0.0.0.0",
               iface = "lo", src = addr.lo, metric = 1 }
    end
    local f = io.open("/proc/net/route")
    if not f then return t end
    f:read("l")
    -- the file's words are little-endian hex
    local function le(h) return string.unpack("<I4", string.pack(">I4", tonumber(h, 16))) end
    for line in f:lines() do
      local iface, dst, gw, flags, metric, mask =
        line:match("^(%S+)%s+(%x+)%s+(%x+)%s+(%x+)%s+%S+%s+%S+%s+(%d+)%s+(%x+)")
      local fl = tonumber(flags or "0", 16)
      -- up (RTF_UP), not a reject route (RTF_REJECT)
      if iface and fl & 1 ~= 0 and fl & 0x200 == 0 then
        t[#t + 1] = { net = le(dst), mask = le(mask), gw = int2ip(le(gw)), iface = iface,
                      src = addr[iface] or "0.0.0.0", metric = tonumber(metric) }
      end
    end
    f:close()
    return t
  end

  local Route = {}
  -- conf.route:route(dst) -> iface, source address, gateway ("0.0.0.0"
  -- on the link), as the kernel routes dst.
  function Route.route(_, dst)
    local iface, src, gw = I.core.route(tostring(dst))
    if not iface then error(("conf.route:route: no route to %s: %s"):format(tostring(dst),
      tostring(src)), 2) end
    return iface, src, gw or "0.0.0.0"
  end
  -- conf.route:routes() -> the table as a list of {net, mask, gw, iface, src, metric}
  function Route.routes()
    local out = {}
    for i, r in ipairs(routes()) do
      out[i] = { net = int2ip(r.net), mask = int2ip(r.mask), gw = r.gw, iface = r.iface,
                 src = r.src, metric = r.metric }
    end
    return out
  end

  -- Columns as wide as their widest cell, two spaces apart, rows sorted
  -- by the first column's text (Scapy's pretty_list).
  local function pretty(header, rows)
    table.sort(rows, function(a, b) return a[1] < b[1] end)
    local w = {}
    for _, r in ipairs({ header, table.unpack(rows) }) do
      for j, c in ipairs(r) do w[j] = math.max(w[j] or 0, #c) end
    end
    local out = {}
    for _, r in ipairs({ header, table.unpack(rows) }) do
      local cells = {}
      for j, c in ipairs(r) do cells[j] = c .. (" "):rep(w[j] - #c) end
      out[#out + 1] = table.concat(cells, "  ")
    end
    return table.concat(out, "\n")
  end

  local RouteMT = { __index = Route, __name = "pkt.Route", __tostring = function()
    local rows = {}
    for _, r in ipairs(Route.routes()) do
      rows[#rows + 1] = { r.net, r.mask, r.gw, r.iface, r.src, tostring(r.metric) }
    end
    return pretty({ "Network", "Netmask", "Gateway", "Iface", "Output IP", "Metric" }, rows)
  end }

  -- The interface Scapy's conf.iface names when none is set: the default
  -- route's, else the first one up that is not loopback.
  local function default_iface()
    local iface = I.core.route("0.0.0.0")
    if iface then return iface end
    for _, i in ipairs(M.ifaces()) do
      if i.up and not i.loopback then return i.name end
    end
    return "lo"
  end

  -- conf.verb: 0 quiet, 1 or more print what send and sr report (2, as
  -- Scapy).  conf.iface: the interface sniff, sendp and srp use when
  -- none is named (set it to choose one).  conf.checkIPaddr: false lets
  -- sr() take a reply from another address than the one asked (a
  -- broadcast ping).  conf.route: the routing table.
  local conf_keys = { verb = "number", iface = "string", checkIPaddr = "boolean" }
  local conf = { verb = 2, checkIPaddr = true, route = setmetatable({}, RouteMT) }
  M.conf = setmetatable({}, {
    __name = "pkt.conf",
    __index = function(_, k)
      if k == "iface" and conf.iface == nil then return default_iface() end
      return conf[k]
    end,
    __newindex = function(_, k, v)
      local want = conf_keys[k]
      if not want then
        local names = { "checkIPaddr", "iface", "route", "verb" }
        error(("conf has no setting '%s'%s; settings: %s"):format(tostring(k),
          I.suggest(tostring(k), names), table.concat(names, ", ")), 2)
      end
      if v ~= nil and type(v) ~= want and not (want == "boolean" and type(v) == "number") then
        error(("conf.%s takes a %s, got %s"):format(k, want, type(v)), 2)
      end
      if want == "boolean" and type(v) == "number" then v = v ~= 0 end
      conf[k] = v
    end,
    __pairs = function() return next, conf, nil end,
    __tostring = function()
      local t = {}
      for _, k in ipairs({ "checkIPaddr", "iface", "verb" }) do
        t[#t + 1] = ("%-12s = %s"):format(k, tostring(M.conf[k]))
      end
      return table.concat(t, "\n")
    end,
  })
  -- the interface set by the script, for net.lua's defaults
  function I.conf_iface() return conf.iface end

  --------------------------------------------------------- listings

  -- Layer classes by name, and a class's long name as show() prints it.
  local function classes()
    local t = {}
    for name, v in pairs(M) do
      if M.is_class(v) then t[#t + 1] = name end
    end
    table.sort(t)
    return t
  end
  local function longname(cls)
    return cls():show(true):match("^###%[ (.-) %]###") or cls.name
  end

  -- ls() lists the layers, as Scapy's; ls(IP) and ls(p) as before.
  local ls = M.ls
  function M.ls(x, dump)
    if x ~= nil then return ls(x, dump) end
    local t = {}
    for _, name in ipairs(classes()) do
      t[#t + 1] = ("%-10s : %s\n"):format(name, longname(M[name]))
    end
    local s = table.concat(t)
    if dump then return s end
    io.write(s)
  end

  -- Each command: what it does (for lsc()) and how it is called (help()).
  local docs = {
    arping = { "Ask a network with ARP who-has and print the hosts that answer",
      "arping(net [, {timeout=2, iface=, verbose=}]) -> answered, unanswered" },
    checksum = { "The Internet checksum of a string of bytes" },
    defragment = { "Put IPv4 fragments back together in a packet list",
      "defragment(packets) -> a list with each datagram whole" },
    fragment = { "Cut an IPv4 packet into fragments of at most size bytes of payload",
      "fragment(p [, size=1480]) -> a list of fragments" },
    fuzz = { "A copy of a packet whose unset fields take random values at each build",
      "fuzz(p) -> a packet; each p:bytes(), and each copy sent, differs" },
    get_if_addr = { "The IPv4 address of an interface" },
    get_if_hwaddr = { "The MAC address of an interface" },
    help = { "Help on a layer, a command or a packet",
      "help(x): x a layer class, a command, a packet or nothing" },
    hexdiff = { "Two packets' or strings' bytes side by side, where they differ",
      "hexdiff(a, b [, dump]) -> nil, or the text when dump is true" },
    hexdump = { "Bytes as offset, hex and ASCII, like tcpdump -X" },
    ifaces = { "The network interfaces, with their addresses" },
    ls = { "The layers, or a layer's fields with their types and defaults" },
    lsc = { "The commands, with what each does" },
    pcap_reader = { "Read a pcap or pcapng file packet by packet" },
    pcap_writer = { "Write packets to a pcap file one by one" },
    raw = { "The bytes of a packet" },
    rdpcap = { "Read a pcap or pcapng file into a packet list" },
    send = { "Send packets at layer 3",
      "send(p [, {iface=, count=, inter=, loop=, pps=, vary=, seed=, verbose=}]) -> sent" },
    sendp = { "Send frames at layer 2",
      "sendp(frame [, {iface=, count=, inter=, loop=, pps=, vary=, seed=, verbose=}]) -> sent" },
    sniff = { "Capture packets and return them as a list",
      "sniff{iface= (one or a list), filter=, count=, timeout=, prn=, lfilter=, stop_filter=, "
        .. "store=, promisc=, session=\"ip\", offline=, started_callback=} -> packets, stats" },
    sr = { "Send packets at layer 3 and match their replies",
      "sr(pkts [, {timeout=2, retry=0, inter=, multi=, iface=, filter=, "
        .. "verbose=}]) -> answered, unanswered" },
    sr1 = { "Send packets at layer 3 and return the first reply",
      "sr1(p [, {timeout=2, retry=0, iface=, filter=, verbose=}]) -> reply or nil" },
    srloop = { "Send packets at layer 3 again and again, printing the replies",
      "srloop(pkts [, {inter=1, count=, timeout=, prn=, prnfail=, store=, "
        .. "verbose=}]) -> answered, unanswered" },
    srp = { "Send frames at layer 2 and match their replies",
      "srp(frames [, {timeout=2, retry=0, inter=, multi=, iface=, filter=, "
        .. "verbose=}]) -> answered, unanswered" },
    srp1 = { "Send frames at layer 2 and return the first reply",
      "srp1(frame [, {timeout=2, retry=0, iface=, filter=, verbose=}]) -> reply or nil" },
    traceroute = { "TCP SYN traceroute: who answers each TTL",
      "traceroute(target [, {dport=80, minttl=1, maxttl=30, timeout=2, iface=, "
        .. "verbose=}]) -> answered, unanswered" },
    wrpcap = { "Write a packet list to a pcap file" },
    wrpcapng = { "Write a packet list to a pcapng file" },
  }

  I.docs = docs     -- other modules add their commands

  function M.lsc(dump)
    local names = {}
    for name in pairs(docs) do
      if M[name] then names[#names + 1] = name end
    end
    table.sort(names)
    local t = {}
    for _, name in ipairs(names) do t[#t + 1] = ("%-22s: %s\n"):format(name, docs[name][1]) end
    local s = table.concat(t)
    if dump then return s end
    io.write(s)
  end

  -- help(x): a layer's fields, a command's use, a packet's layout.
  function M.help(x, dump)
    local s
    if x == nil then
      s = "Layers: ls().  Commands: lsc().  help(IP), help(send) or help(p) tell more.\n"
    elseif M.is_class(x) then
      s = ("%s (%s): %s{field=value, ...} builds one, %s(bytes) dissects; its fields:\n%s")
        :format(x.name, longname(x), x.name, x.name, M.ls(x, true))
    elseif M.is_packet(x) then
      s = x:show(true)
    else
      for name, f in pairs(M) do
        if f == x and docs[name] then
          s = ("%s: %s\n%s"):format(name, docs[name][1], docs[name][2] and docs[name][2] .. "\n" or "")
        end
      end
      if not s then
        error(("help() knows layers (help(IP)), commands (help(send)) and packets, not %s")
          :format(type(x)), 2)
      end
    end
    if dump then return s end
    io.write(s)
  end

  -------------------------------------------------- IPv4 fragments

  -- The bytes of p from its IP header on (with the lengths and
  -- checksums computed): a layer stacked under nothing, "" / p[IP].
  local function from_ip(p)
    local l = p[M.IP]
    if M.is_packet(l) then return l:bytes() end
    return ("" / l):bytes()
  end

  local function has_mf(flags) return tostring(flags):find("MF", 1, true) ~= nil end

  -- What precedes the IP header in p's bytes (an Ether header), its IP
  -- header, and the IP payload without any padding after it.
  local function split_ip(p)
    local b, ipb = p:bytes(), from_ip(p)
    local at = p:layers()[1] == M.IP and 1 or b:find(ipb, 1, true)
    if not at then
      -- built bytes that differ from the packet's (an unset field): the
      -- prefix is what precedes the IP layer when the packet is built
      at = #b - #ipb + 1
    end
    local ip = M.IP(ipb)
    local hl = ip.ihl * 4
    return b:sub(1, at - 1), ipb:sub(1, hl), ipb:sub(hl + 1, math.max(ip.len, hl))
  end

  local function put16(s, at, v)
    return s:sub(1, at - 1) .. string.pack(">I2", v) .. s:sub(at + 2)
  end

  -- An IP header with a new length, fragment field and checksum.
  local function header(h, len, flagfrag)
    h = put16(put16(h, 3, len), 7, flagfrag)
    h = put16(h, 11, 0)
    return put16(h, 11, M.checksum(h))
  end

  -- fragment(p [, size=1480]) -> list: the IP payload cut in pieces of
  -- size bytes rounded down to a multiple of 8, the last one up to size,
  -- each under a copy of the IP header (MF set on all but the last), as
  -- Scapy's fragment().  A list of packets is fragmented packet by packet.
  function M.fragment(x, size)
    size = size or 1480
    if math.type(size) ~= "integer" or size < 8 then
      error("fragment: the size is a whole number of bytes, 8 or more", 2)
    end
    local pkts = M.is_packet(x) and { x } or x
    if type(pkts) ~= "table" then error("fragment: takes a packet or a list of packets", 2) end
    local step, out = size - size % 8, {}
    for _, p in ipairs(pkts) do
      if not (M.is_packet(p) and p:haslayer(M.IP)) then
        error("fragment: takes IPv4 packets (IP / ...)", 2)
      end
      local first = p:layers()[1]
      local prefix, h, data = split_ip(p)
      local ff = string.unpack(">I2", h, 7)
      local n = (#data - size + step - 1) // step + 1
      if n < 1 then n = 1 end
      for i = 0, n - 1 do
        local last = i == n - 1
        local piece = data:sub(i * step + 1, last and i * step + size or (i + 1) * step)
        local f = (ff & 0xe000) | (last and 0 or 0x2000)
        f = f | (((ff & 0x1fff) + i * step // 8) & 0x1fff)
        local q = first(prefix .. header(h, #h + #piece, f) .. piece)
        q.time = p.time
        out[#out + 1] = q
      end
    end
    return M.PacketList(out, "Fragmented")
  end

  -- defragment(packets) -> list: the fragments of each datagram (by IP
  -- id, src, dst and proto) replaced by the whole datagram, at the place
  -- of its last fragment; other packets, and datagrams with a piece
  -- missing or overlapping, kept as they were.  Scapy's defragment().
  function M.defragment(list)
    if type(list) ~= "table" then error("defragment: takes a list of packets", 2) end
    local groups, order, keep = {}, {}, {}
    for i, p in ipairs(list) do
      local ip = M.is_packet(p) and p[M.IP]
      if ip and (ip.frag ~= 0 or has_mf(ip.flags)) then
        local key = ("%d %s %s %d"):format(ip.id, ip.src, ip.dst, ip.proto)
        if not groups[key] then groups[key] = {}; order[#order + 1] = key end
        table.insert(groups[key], { p = p, pos = i, frag = ip.frag })
      else
        keep[#keep + 1] = { p = p, pos = i }
      end
    end
    for _, key in ipairs(order) do
      local g = groups[key]
      table.sort(g, function(a, b) return a.frag < b.frag end)
      local whole = g[1].frag == 0 and not has_mf(g[#g].p[M.IP].flags)
      local prefix, h, data = split_ip(g[1].p)
      local parts, time, pos = { data }, g[1].p.time, g[1].pos
      for j = 2, #g do
        if not whole then break end
        local _, _, more = split_ip(g[j].p)
        if #table.concat(parts) ~= g[j].frag * 8 then whole = false; break end
        parts[#parts + 1] = more
        if g[j].p.time and (not time or g[j].p.time > time) then time = g[j].p.time end
        pos = math.max(pos, g[j].pos)
      end
      if whole then
        local body = table.concat(parts)
        local ff = string.unpack(">I2", h, 7) & ~0x2000 & 0xffff
        local q = g[1].p:layers()[1](prefix .. header(h, #h + #body, ff) .. body)
        q.time = time
        keep[#keep + 1] = { p = q, pos = pos }
      else
        for _, e in ipairs(g) do keep[#keep + 1] = e end
      end
    end
    table.sort(keep, function(a, b) return a.pos < b.pos end)
    local out = {}
    for i, e in ipairs(keep) do out[i] = e.p end
    local name = I.is_list(list) and list.name
    return M.PacketList(out, name and "Defragmented " .. name or "Defragmented")
  end

  ----------------------------------------------------- packet lists

  -- Scapy's PacketList methods, added to the lists' own (pkt/list.lua).
  local List = I.list_methods

  -- l:filter(fn) -> a list of the packets (or {sent, received} pairs,
  -- given to fn as two arguments) for which fn is true, named as Scapy
  -- names it: "filtered <name>".
  function List.filter(l, fn)
    if type(fn) ~= "function" then error("filter: takes a function of a packet", 2) end
    local t = {}
    for _, x in ipairs(l) do
      local keep
      if M.is_packet(x) then keep = fn(x) else keep = fn(x[1], x[2]) end
      if keep then t[#t + 1] = x end
    end
    return I.new_list(t, "filtered " .. tostring(l.name))
  end

  -- A field's value as show() prints it (a protocol's name), from the
  -- layer's own lines.
  local function shown(layer, name)
    local own = layer:show(true):match("^(###%[.-\n)###%[") or layer:show(true)
    return own:match("\n%s*" .. name .. "%s*= ([^\n]*)")
  end

  -- Scapy's default session key: protocol, addresses and ports.
  local function session_of(p)
    if not p:haslayer(M.Ether) then return "Other" end
    local ip = p[M.IP]
    if ip then
      local tcp, udp, icmp = p[M.TCP], p[M.UDP], p[M.ICMP]
      if tcp then return ("TCP %s:%d > %s:%d"):format(ip.src, tcp.sport, ip.dst, tcp.dport) end
      if udp then return ("UDP %s:%d > %s:%d"):format(ip.src, udp.sport, ip.dst, udp.dport) end
      if icmp then
        return ("ICMP %s > %s type=%d code=%d id=0x%x"):format(ip.src, ip.dst, icmp.type,
          icmp.code, icmp.id)
      end
      return ("IP %s > %s proto=%s"):format(ip.src, ip.dst, shown(ip, "proto"))
    end
    local arp = p[M.ARP]
    if arp then return ("ARP %s > %s"):format(arp.psrc, arp.pdst) end
    return ("Ethernet type=%04x"):format(p[M.Ether].type)
  end

  -- l:sessions([fn]) -> {key = list}: the packets grouped by fn(p), by
  -- default Scapy's "TCP src:sport > dst:dport" (one per direction).
  function List.sessions(l, fn)
    fn = fn or session_of
    local t = {}
    for _, x in ipairs(l) do
      local p = M.is_packet(x) and x or x[2]
      local key = fn(p)
      t[key] = t[key] or I.new_list({})
      local s = t[key]
      s[#s + 1] = x
    end
    return t
  end

  ------------------------------------------------- loops and probes

  local function quiet(o)
    if o.verbose ~= nil then return not o.verbose end
    return M.conf.verb == 0
  end

  local srloop_opts = { inter = "number", count = "count", timeout = "number", prn = "function",
    prnfail = "function", store = "flag", verbose = "flag", iface = "string", filter = "string",
    retry = "number", multi = "flag" }

  -- srloop(pkts [, opts]) -> answered, unanswered: sr() every inter
  -- seconds (1), count times or until Ctrl-C, printing "RECV n:" with
  -- each reply's summary and "fail n:" with each unanswered request's,
  -- then the hit rate, as Scapy's srloop.
  function M.srloop(pkts, o)
    o = opts_of("srloop", o, srloop_opts)
    local inter = o.inter or 1
    local sro = { timeout = o.timeout or math.min(2 * inter, 5), verbose = false,
      iface = o.iface, filter = o.filter, retry = o.retry, multi = o.multi }
    local prn = o.prn or function(pair) return pair[2]:summary() end
    local prnfail = o.prnfail or function(p) return p:summary() end
    local store = o.store ~= false
    local say = not quiet(o)
    local ans, unans, n, r = {}, {}, 0, 0
    local count = o.count
    local ok, err = pcall(function()
      while count == nil or count > 0 do
        if count then count = count - 1 end
        local start = I.core.now()
        local a, u = I.do_sr("srloop", pkts, sro, false, true)
        n, r = n + #a + #u, r + #a
        if say then
          if #a > 0 then
            local msg = ("RECV %d:"):format(#a)
            for i, pair in ipairs(a) do
              print((i == 1 and msg or (" "):rep(#msg)) .. " " .. tostring(prn(pair)))
            end
          end
          if #u > 0 then
            local msg = ("fail %d:"):format(#u)
            for i, p in ipairs(u) do
              print((i == 1 and msg or (" "):rep(#msg)) .. " " .. tostring(prnfail(p)))
            end
          end
        end
        if store then
          table.move(a, 1, #a, #ans + 1, ans)
          table.move(u, 1, #u, #unans + 1, unans)
        end
        local left = inter - (I.core.now() - start)
        if left > 0 and (count == nil or count > 0) then I.core.sleep(left) end
      end
    end)
    if not ok and not (type(err) == "string" and err:find("interrupted!", 1, true)) then
      error(err, 0)
    end
    if say and n > 0 then
      print(("\nSent %d packets, received %d packets. %3.1f%% hits."):format(n, r, 100 * r / n))
    end
    return I.new_list(ans, "Results"), M.PacketList(unans, "Unanswered")
  end

  -- Scapy's make_table: one column per target, one row per TTL, each
  -- column as wide as its widest cell.
  local function trace_table(ans)
    local cols, rows, cells, width, ylen = {}, {}, {}, {}, 0
    for _, pair in ipairs(ans) do
      local s, rp = pair[1], pair[2]
      local x = ("%s:tcp%d"):format(s[M.IP].dst, s[M.TCP].dport)
      local y = tostring(s[M.IP].ttl)
      local z
      if rp:haslayer(M.ICMP) then
        z = ("%-15s %d"):format(rp[M.IP].src, rp[M.ICMP].type)
      else
        z = ("%-15s %s"):format(rp[M.IP].src, rp:haslayer(M.TCP) and rp[M.TCP].flags or "")
      end
      if not width[x] then cols[#cols + 1] = x end
      if not cells[y] then rows[#rows + 1] = y; cells[y] = {} end
      width[x] = math.max(width[x] or 0, #x, #z)
      ylen = math.max(ylen, #y)
      cells[y][x] = z
    end
    table.sort(cols)
    table.sort(rows, function(a, b) return tonumber(a) < tonumber(b) end)
    local t = { (" "):rep(ylen) .. " " }
    for _, x in ipairs(cols) do t[1] = t[1] .. x .. (" "):rep(width[x] - #x) .. " " end
    for _, y in ipairs(rows) do
      local line = y .. (" "):rep(ylen - #y) .. " "
      for _, x in ipairs(cols) do
        local z = cells[y][x] or "-"
        line = line .. z .. (" "):rep(width[x] - #z) .. " "
      end
      t[#t + 1] = line
    end
    return table.concat(t, "\n") .. "\n"
  end

  local traceroute_opts = { dport = "count", minttl = "count", maxttl = "count",
    sport = "count", timeout = "number", iface = "string", verbose = "flag", filter = "string" }

  -- traceroute(target [, opts]) -> answered, unanswered: TCP SYNs to
  -- dport 80 with TTL minttl..maxttl (1..30); routers answer with ICMP
  -- time-exceeded, the target with SA or RA.  Prints Scapy's table:
  -- each TTL, who answered and the ICMP type or TCP flags.
  function M.traceroute(target, o)
    o = opts_of("traceroute", o, traceroute_opts)
    if type(target) ~= "string" then error("traceroute: the target is an address string", 2) end
    local probes = {}
    local sport = o.sport or math.random(1024, 65535)
    for ttl = o.minttl or 1, o.maxttl or 30 do
      probes[#probes + 1] = M.IP{ dst = target, ttl = ttl, id = math.random(0, 65535) }
        / M.TCP{ sport = sport, dport = o.dport or 80, flags = "S",
                 seq = math.random(0, 0xffffffff) }
    end
    -- only ICMP errors, and TCP with ACK and SYN or RST, as Scapy's filter
    local filter = o.filter or "(icmp and (icmp[0]=3 or icmp[0]=4 or icmp[0]=5 or icmp[0]=11 "
      .. "or icmp[0]=12)) or (tcp and (tcp[13] & 0x16 > 0x10))"
    local a, u = M.sr(probes, { timeout = o.timeout or 2, iface = o.iface, filter = filter,
      verbose = o.verbose })
    if not quiet(o) then io.write(trace_table(a)) end
    return a, u
  end

  -- Addresses of "a.b.c.d/len" (or one address), for arping's targets.
  local function hosts(net)
    local a, len = tostring(net):match("^([%d.]+)/(%d+)$")
    a, len = ip2int(a or net), tonumber(len or 32)
    if not a or len > 32 then
      error(("arping: %s is not an address or a network a.b.c.d/len"):format(tostring(net)), 3)
    end
    local mask = len == 0 and 0 or (0xffffffff << (32 - len)) & 0xffffffff
    local t = {}
    for n = a & mask, (a & mask) | (~mask & 0xffffffff) do t[#t + 1] = int2ip(n) end
    return t
  end

  local arping_opts = { timeout = "number", iface = "string", verbose = "flag" }

  -- arping(net [, opts]) -> answered, unanswered: an ARP who-has to each
  -- address of net, broadcast; prints "  MAC address" for each host that
  -- answers (Scapy's lines, without its vendor column).
  function M.arping(net, o)
    o = opts_of("arping", o, arping_opts)
    local asks = {}
    for i, ip in ipairs(hosts(net)) do
      asks[i] = M.Ether{ dst = "ff:ff:ff:ff:ff:ff" } / M.ARP{ pdst = ip }
    end
    local a, u = M.srp(asks, { timeout = o.timeout or 2, iface = o.iface, verbose = o.verbose,
      filter = "arp and arp[7] = 2" })
    if not quiet(o) then
      for _, pair in ipairs(a) do
        print(("  %-17s %s"):format(pair[2][M.Ether].src, pair[2][M.ARP].psrc))
      end
    end
    return a, u
  end
end
