-- pkt/net.lua - the network half of the API: sniff, send/sendp,
-- sr/sr1/srp/srp1, pcap files and interfaces.  Policy lives here
-- (defaults, option checking, friendly errors); the work is in C.
return function(M, I)
  local core, descs, dissect_as, captured, P = I.core, I.descs, I.dissect_as, I.captured, I.P
  local suggest = I.suggest

  -- How each option's value is read.  A flag takes true or false, or a
  -- number as Python reads one (verbose=0 is off, any other number on);
  -- the others take one Lua type, and a value of another type is an error
  -- rather than a silent default.
  local kinds = {
    flag = function(v)
      if type(v) == "boolean" then return v end
      if type(v) == "number" then return v ~= 0 end
    end,
    number = function(v) if type(v) == "number" then return v end end,
    count = function(v)
      if type(v) == "number" and v >= 0 and v == math.floor(v) and v < 2^63 then
        return math.tointeger(v)
      end
    end,
    string = function(v) if type(v) == "string" then return v end end,
    name = function(v) if type(v) == "string" or math.type(v) == "integer" then return v end end,
    table = function(v) if type(v) == "table" then return v end end,
    -- an interface, or a list of them (sniff on several)
    ifaces = function(v)
      if type(v) == "string" then return v end
      if type(v) ~= "table" or getmetatable(v) or #v == 0 or #v > 64 then return nil end
      for _, x in ipairs(v) do if type(x) ~= "string" then return nil end end
      return v
    end,
    -- sniff's session: a name pkt/async.lua knows ("ip")
    session = function(v) if I.sessions and I.sessions[v] then return v end end,
    ["function"] = function(v)
      local mt = getmetatable(v)
      if type(v) == "function" or (mt and mt.__call) then return v end
    end,
  }
  local kind_words = { flag = "true or false (or a number, 0 for off)", number = "a number",
    count = "a whole number, 0 or more", string = "a string", table = "a table",
    name = "a name or a number", ifaces = "an interface name or a list of them",
    session = "\"ip\" (fragments put back together)",
    ["function"] = "a function" }

  -- Options a function takes; a misspelt one is an error, not ignored.
  -- Returns the options with flags as booleans (a copy only when a flag
  -- was given as a number: send() is a hot call).
  local function check_opts(fname, opts, known)
    if opts == nil then return {} end
    if type(opts) ~= "table" then
      error(("%s: options are a table, like %s(p, {iface=\"eth0\"}), got %s")
        :format(fname, fname, type(opts)), 3)
    end
    local out = opts
    for k, v in pairs(opts) do
      local kind = known[k]
      if not kind then
        local names = {}   -- only on the error path
        for n in pairs(known) do names[#names + 1] = n end
        table.sort(names)
        error(("%s: unknown option '%s'%s; options are: %s"):format(fname, tostring(k),
          suggest(tostring(k), names), table.concat(names, ", ")), 3)
      end
      local c = kinds[kind](v)
      if c == nil then
        error(("%s: option %s takes %s, got %s %s"):format(fname, k, kind_words[kind],
          type(v), type(v) == "string" and ("%q"):format(v) or tostring(v)), 3)
      end
      if c ~= v then
        if out == opts then
          out = {}
          for k2, v2 in pairs(opts) do out[k2] = v2 end
        end
        out[k] = c
      end
    end
    return out
  end

  -- The interface the script chose with conf.iface (pkt/scapy.lua), for
  -- sniff, sendp and srp when no iface option names one.
  local function conf_iface() return I.conf_iface and I.conf_iface() end

  -- Whether to print the one-line report: the verbose option, else
  -- conf.verb (0 is quiet), as in Scapy.
  local function verbose(o)
    if o.verbose ~= nil then return o.verbose end
    local conf = M.conf
    local v = conf and conf.verb
    return not (v == 0 or v == false)
  end

  -- A failure of the world, raised as one clear error (the core's message
  -- already names the remedy, e.g. sudo or `make setcap`).
  local function raise(fname, msg)
    error(("%s: %s"):format(fname, msg), 3)
  end

  local function is_interrupt(e)
    return type(e) == "string" and e:find("interrupted!", 1, true) ~= nil
  end

  ------------------------------------------------------- packet lists

  require("pkt.list")(M, I)
  local new_list, captured_list, list_add = I.new_list, I.captured_list, I.list_add

  local function as_list(x, fname)
    if M.is_packet(x) then return { x } end
    if I.is_set(x) then return x:expand() end      -- pkt/sets.lua
    if I.is_list(x) and rawget(x, "_b") then return x end   -- captured: all packets
    if type(x) == "table" and not getmetatable(x) or I.is_list(x) then
      for i, p in ipairs(x) do
        if not M.is_packet(p) then
          error(("%s: item %d is a %s, not a packet"):format(fname, i, type(p)), 3)
        end
      end
      return x
    end
    error(("%s: expected a packet or a list of packets, got %s"):format(fname, type(x)), 3)
  end

  -- Interfaces by name, listed once per process, as sockets and routes
  -- are: a sendp loop must not list every interface for each packet.
  local iface_cache = {}
  local function iface_info(name)
    if name and not iface_cache[name] then
      for _, x in ipairs(M.ifaces()) do iface_cache[x.name] = x end
    end
    return iface_cache[name]
  end

  local function need_iface(name, fname)
    return iface_info(name) or
      error(("%s: no interface '%s' (ifaces() lists them)"):format(fname, tostring(name)), 4)
  end

  ------------------------------------------------------------- sniff

  local sniff_opts = { iface = "ifaces", filter = "string", count = "count",
    timeout = "number", prn = "function", lfilter = "function", stop_filter = "function",
    store = "flag", promisc = "flag", offline = "string", immediate = "flag",
    snaplen = "count", buffer_kb = "count", started_callback = "function",
    session = "session" }
  I.sniff_opts = sniff_opts

  local function class_of(pid)
    return descs[pid] or descs[M.Raw._desc.id]
  end

  -- Reads packets from open captures (one, or one per interface of a
  -- list) until count, timeout, a stop filter, the end of a file or
  -- Ctrl-C; returns the list and stats.
  local function capture_loop(fname, caps, o, deadline)
    local cap = caps[1]
    if #caps == 1 and o.store == false and not (o.prn or o.lfilter or o.stop_filter or o.session) then
      -- nothing looks at the packets: count them in C, at capture speed
      local out, msg = {}
      local ok, err = pcall(function()
        local _
        _, msg = cap:count(o.count or 0, deadline and math.max(0, deadline - core.now()), out)
      end)
      local n = out.n
      local rcv, drop, ifdrop = cap:stats()
      cap:close()
      if not ok and not is_interrupt(err) then error(err, 0) end
      if ok and not n then error(("%s: capture failed: %s"):format(fname, tostring(msg)), 0) end
      if ok and msg then io.stderr:write(("%s: warning: %s\n"):format(fname, msg)) end  -- a cut file
      local stats = { received = rcv, dropped = drop, ifdropped = ifdrop, captured = n }
      return new_list({}, "Sniffed"), stats
    end
    local live = o.offline == nil
    local firsts, ifaces, fds = {}, {}, {}
    for i, c in ipairs(caps) do
      local _, pid, iface = c:info()
      firsts[i], ifaces[i], fds[i] = class_of(pid), live and iface or nil, c:fd()
    end
    local first, iface = firsts[1], ifaces[1]
    local store, n = o.store ~= false, 0
    -- one capture's list keeps bytes; several interfaces' keep packets,
    -- each knowing its interface (p.iface)
    local list = #caps == 1 and captured_list(first, iface, "Sniffed") or new_list({}, "Sniffed")
    -- A reply waits for everything between a frame's arrival and the
    -- callback: the options and functions are looked up once, here.
    -- count=0 is no limit, as in Scapy
    local prn, lfilter, stop_filter, count = o.prn, o.lfilter, o.stop_filter, o.count
    local session = o.session and I.sessions[o.session]()
    if count == 0 then count = nil end
    local now, next_frame = core.now, cap.next
    local multi, ready, ri, ended, nended = #caps > 1, {}, 1, {}, 0
    local ok, err = pcall(function()
      while not (deadline and now() >= deadline) do
        local ci = 1
        if multi then     -- the next capture with something to read
          if ri > #ready then ready, ri = core.pollfds(fds, 0.05), 1 end
          ci, ri = ready[ri], ri + 1
          if ci then cap, first, iface = caps[ci], firsts[ci], ifaces[ci] end
        end
        local data, sec, usec, wirelen
        if ci and not ended[ci] then data, sec, usec, wirelen = next_frame(cap) end
        if data then
          local time, p = sec + usec / 1e6, nil
          if lfilter or prn or stop_filter or session or multi then
            p = captured(first, data, time, iface, wirelen ~= #data and wirelen or nil)
          end
          if session then      -- a fragment waits for its datagram
            p = session(p)
            if p then data = p:bytes(); wirelen = #data end
          end
          if p ~= nil or not session then
            if not lfilter or lfilter(p) then
              n = n + 1
              if store and multi then list[#list + 1] = p
              elseif store then list_add(list, data, time, wirelen, p) end  -- as bytes
              if prn then
                local r = prn(p)
                if r ~= nil then print(r) end
              end
              if (stop_filter and stop_filter(p)) or (count and n >= count) then
                break
              end
            end
          end
        elseif data == nil and ci and not ended[ci] then  -- sec, usec: the message and its kind
          if usec == "truncated" then   -- a cut file: the packets before it stand
            io.stderr:write(("%s: warning: %s\n"):format(fname, tostring(sec)))
          end
          if usec == "eof" and multi then     -- one interface drained
            ended[ci], nended = true, nended + 1
            if nended == #caps then break end
          elseif usec == "eof" or usec == "interrupted" or usec == "truncated" then
            break
          else
            error(("%s: capture failed: %s"):format(fname, tostring(sec)), 0)
          end
        end
      end
    end)
    local stats = { received = 0, dropped = 0, ifdropped = 0, captured = n }
    for _, c in ipairs(caps) do
      local rcv, drop, ifdrop = c:stats()
      stats.received = stats.received + (rcv or 0)
      stats.dropped = stats.dropped + (drop or 0)
      stats.ifdropped = stats.ifdropped + (ifdrop or 0)
      c:close()
    end
    if not ok and not is_interrupt(err) then error(err, 0) end
    return list, stats
  end

  -- A live capture on iface as sniff's options ask.
  local function open_live(o, iface)
    -- A callback usually reacts (sniff-then-spoof): deliver each packet
    -- at once, with a snap length that fits the link so the immediate
    -- mode ring stays deep (PERF-NOTES). Bulk capture keeps TPACKET_V3.
    local immediate = o.immediate
    if immediate == nil then immediate = o.prn ~= nil end
    local snaplen = o.snaplen
    if not snaplen and immediate then
      snaplen = 65535
      local i = iface_info(iface)
      if i then snaplen = math.max(i.mtu, 1500) + 64 end
    end
    return core.capture_open{ iface = iface, filter = o.filter,
      promisc = o.promisc ~= false, immediate = immediate, snaplen = snaplen,
      buffer_kb = o.buffer_kb, timeout_ms = 50 }
  end

  -- sniff{iface=, filter=, count=, timeout=, prn=, lfilter=, stop_filter=,
  --       store=, promisc=, offline=, session=} -> packets, stats
  -- (iface: a name, or a list of names to capture on all of them)
  function M.sniff(o)
    o = check_opts("sniff", o, sniff_opts)
    if o.iface == nil and not o.offline and conf_iface() then
      o = setmetatable({ iface = conf_iface() }, { __index = o })
    end
    local caps = {}
    local function give_up(msg)
      for _, c in ipairs(caps) do c:close() end
      raise("sniff", msg)
    end
    if o.offline then
      local cap, msg = core.capture_file(o.offline, o.filter)
      if not cap then give_up(msg) end
      caps[1] = cap
    else
      for _, name in ipairs(type(o.iface) == "table" and o.iface or { o.iface or false }) do
        local cap, msg = open_live(o, name or nil)
        if not cap then give_up(msg) end
        caps[#caps + 1] = cap
      end
    end
    -- listening (filter set) from here: a script may now make traffic
    if o.started_callback then
      local ok, err = pcall(o.started_callback)
      if not ok then
        for _, c in ipairs(caps) do c:close() end
        error(err, 0)
      end
    end
    local deadline = o.timeout and core.now() + o.timeout
    return capture_loop("sniff", caps, o, deadline)
  end

  ------------------------------------------------------------ sending

  local ETHER = M.Ether._desc.id

  -- The network protocols the sending path sends at layer 3, by name:
  -- how a destination is routed (interface, source address, gateway),
  -- how the MAC of a next hop is found, and an interface's addresses of
  -- the family.  Which fields are the addresses comes from each
  -- descriptor's roles and the EtherType from its binds.  Protocols
  -- sent in a frame without a network layer (ARP) are `framed`: what
  -- their unset fields and the frame's destination become.  IPv4 and
  -- ARP plug in from pkt/net4.lua, IPv6 from pkt/net6.lua; nothing
  -- below names a protocol.
  local families, framed_by = {}, {}

  -- What a family's file builds its lookups with: routes(lookup) caches
  -- lookup(dst) -> iface, src, gw; neighbours(kernel, ask, what) finds
  -- the MAC of an address on an interface: our cache, the kernel's table
  -- (kernel(iface, addr)), else a request (ask(me, addr, iface) -> the
  -- reply's MAC), and says `what` did not come when none answers.
  local function routes(lookup)
    local cache = {}
    return function(dst)
      local r = cache[dst]
      if not r then
        local iface, src, gw = lookup(dst)
        if not iface then return nil, src end
        r = { iface = iface, src = src, gw = gw }
        cache[dst] = r
      end
      return r
    end
  end
  local function neighbours(kernel, ask, what)
    local cache = {}
    return function(iface, addr, fname)
      local key = iface .. " " .. addr
      local mac = cache[key] or kernel(iface, addr)
      if not mac then
        mac = ask(need_iface(iface, fname), addr, iface)
        if not mac then
          error(("%s: cannot find the MAC address of %s on %s: %s (is the host up? "
            .. "or set Ether{dst=...})"):format(fname, addr, iface, what), 4)
        end
      end
      cache[key] = mac
      return mac
    end
  end
  local lookups = { need_iface = need_iface, routes = routes, neighbours = neighbours,
    is_interrupt = is_interrupt }
  require("pkt.net4")(M, I, families, framed_by, lookups)
  require("pkt.net6")(M, I, families, lookups)

  local function family_of(name)
    local fam = families[name]
    if fam and not fam.dst then
      local d = M[name]._desc
      fam.id, fam.src, fam.dst = d.id, d.roles.src.name, d.roles.dst.name
      for _, c in ipairs(d.carried) do
        if c.class == "ethertype" then fam.ethertype = c.value end
      end
    end
    return fam
  end

  -- The layer of p a family sends (a view), its family and its index.
  local function netlayer(p)
    for i = 1, P.nlayers(p) do
      local fam = family_of(descs[P.proto(p, i)].name)
      if fam then return p[i], fam, i end
    end
  end

  -- The packet as it leaves at layer 3: an unset source address becomes
  -- the kernel's route source (the checksums cover it, so it is filled
  -- before building, not left for the kernel).
  local function l3_bytes(p, fname)
    local net, fam, i = netlayer(p)
    if not net then return nil end      -- ARP: framed by the caller (framed)
    if not P.isset(net, fam.src) then
      local r = fam.route(net[fam.dst])
      if r and r.src ~= fam.none then
        p = p:copy()
        p[i][fam.src] = r.src
      end
    end
    return p:bytes(), p
  end

  local l3_as_frame

  -- The layer of p sent framed without a network layer (ARP), and
  -- its policy.
  local function framedlayer(p)
    for i = 1, P.nlayers(p) do
      local f = framed_by[descs[P.proto(p, i)].name]
      if f then return p[i], f end
    end
  end

  -- A frame as it leaves at layer 2: unset Ether src is the interface's
  -- MAC; unset dst with a network layer is the next hop's MAC.
  local function l2_bytes(p, iface, fname)
    if P.proto(p) ~= ETHER then return p:bytes(), p end
    local ip, fam, ni = netlayer(p)
    local fl, how = framedlayer(p)
    local link = descs[ETHER].roles
    local fill_src = not P.isset(p, link.src.name)
    local fill_dst = (ip ~= nil or fl ~= nil) and not P.isset(p, link.dst.name)
    local fill_ip = ip ~= nil and not P.isset(ip, fam.src)
    local fill_fl = fl ~= nil and how.unset(fl)
    if not (fill_src or fill_dst or fill_ip or fill_fl) then return p:bytes(), p end
    p = p:copy()                -- the caller's packet stays as it was
    ip, fl = ni and p[ni], fl and framedlayer(p)
    if fill_src then p[link.src.name] = need_iface(iface, fname).mac end
    if fill_dst and ip then
      local r = fam.route(ip[fam.dst])
      p[link.dst.name] = fam.resolve(iface, (r and r.gw) or ip[fam.dst], fname)
    elseif fill_dst then
      p[link.dst.name] = how.dst_mac(fl, iface, fname)
    end
    if fill_ip then ip[fam.src] = fam.addrs(need_iface(iface, fname))[1] or fam.none end
    if fill_fl then how.fill(fl, iface, fname) end
    return p:bytes(), p
  end

  -- The interface a frame leaves by when none is named.
  local function l2_iface(p, o)
    if o.iface or conf_iface() then return o.iface or conf_iface() end
    local net, fam = netlayer(p)
    local fl, how = framedlayer(p)
    local r = (net and fam.route(net[fam.dst])) or (fl and how.route(fl))
    if r then return r.iface end
    local all = M.ifaces()
    for _, i in ipairs(all) do
      if i.up and not i.loopback and i.mac ~= "00:00:00:00:00:00" then return i.name end
    end
    error("sendp: no interface to send on; name one with {iface=...}", 3)
  end

  -- A bulk layer-3 send goes out as frames on the route's interface:
  -- a packet socket sends about twice what the raw IPv4 socket does,
  -- which walks the kernel's IP output path per packet (PERF-NOTES).
  -- Local destinations, and links without MACs, keep the raw socket.
  function l3_as_frame(p, bytes, o)
    local net, fam = netlayer(p)
    local dst = net[fam.dst]
    local r = fam.route(dst)
    if not r or (o.iface and o.iface ~= r.iface) or not fam.ethertype then
      return bytes, o.iface, false
    end
    local info = iface_info(r.iface)
    if not info or info.loopback or info.mac == "00:00:00:00:00:00" then
      return bytes, o.iface, false
    end
    for _, a in ipairs(fam.addrs(info)) do
      if a == dst then return bytes, o.iface, false end
    end
    local okm, mac = pcall(fam.resolve, r.iface, r.gw or dst, "send")
    if not okm then return bytes, o.iface, false end
    local eth = M.Ether{ src = info.mac, dst = mac, type = fam.ethertype }:bytes()
    return eth .. bytes, r.iface, true
  end

  local send_opts = { iface = "string", count = "count", inter = "number", loop = "flag",
    verbose = "flag", pps = "number", vary = "table", seed = "count" }

  local function ipv4_int(s)
    local a, b, c, d = s:match("^(%d+)%.(%d+)%.(%d+)%.(%d+)$")
    return ((tonumber(a) * 256 + tonumber(b)) * 256 + tonumber(c)) * 256 + tonumber(d)
  end

  -- Checksums that cover field `name` of layer i of q, a frame as
  -- dissected (offsets in the frame), from the descriptors' roles: the
  -- layer's own checksum, and the one above it when the field is in the
  -- pseudo-header that layer sums.  A checksum of 0 that means "none"
  -- (UDP) stays 0.  nil: a quoted header, whose change would need the
  -- enclosing ICMP checksum.
  local function covering(q, i, name, frame)
    local d = descs[P.proto(q, i)]
    if d.quoted then return nil end
    local t = {}
    local function own(j)
      local l = q[j]
      local fd = l and descs[P.proto(l)].roles.chksum
      if not fd or not P.isset(l, fd.name) then return end
      local at = P.fieldpos(l, fd.name)
      if fd.zero_none and frame:byte(at + 1) == 0 and frame:byte(at + 2) == 0 then return end
      t[#t + 1] = { at, fd.zero_none }
    end
    own(i)
    if d.fmap[name].pseudo then own(i + 1) end
    return t
  end

  -- vary={["IP.src"]="198.51.100.0/24", ["UDP.sport"]={1024, 65535},
  --       ["IP.id"]="inc", ["UDP.dport"]="random"} -> what send_bulk takes
  local function vary_spec(fname, q, frame, spec)
    local out = {}
    for key, how in pairs(spec) do
      local lname, fname_ = tostring(key):match("^(%w+)%.([%w_]+)$")
      local bad = function(why)
        error(("%s: vary[\"%s\"]: %s"):format(fname, tostring(key), why), 5)
      end
      if not lname then bad("name a field as \"Layer.field\", like \"IP.src\"") end
      local idx
      for i = 1, P.nlayers(q) do
        if descs[P.proto(q, i)].name == lname then idx = i; break end
      end
      if not idx then bad(("the packet has no %s layer"):format(lname)) end
      local l = q[idx]
      local fd = descs[P.proto(l)].fmap[fname_]
      if not fd then bad(("%s has no field '%s'"):format(lname, fname_)) end
      local at = P.fieldpos(l, fname_)
      if not at or not (fd.bits == 8 or fd.bits == 16 or fd.bits == 32)
          or fd.type == "mac" or fd.type == "bytes" or fd.type == "tlv" then
        bad("only whole 8, 16 or 32-bit fields can vary")
      end
      local cks = covering(q, idx, fname_, frame)
      if not cks then bad(("%s is quoted inside an ICMP error; its fields cannot vary"):format(lname)) end
      local max = (1 << fd.bits) - 1
      local v = { off = at, width = fd.bits // 8, cks = cks,
                  lo = 0, hi = max, random = true }
      local function num(x)
        if type(x) == "string" and fd.type == "ipv4" then
          local okv, n = pcall(ipv4_int, x)
          if okv then return n end
        end
        if math.type(x) ~= "integer" or x < 0 or x > max then
          bad(("%s is not a value of this %d-bit field"):format(tostring(x), fd.bits))
        end
        return x
      end
      if how == "inc" then v.random = false
      elseif how == "random" then v.random = true
      elseif type(how) == "string" and fd.type == "ipv4" and how:find("/") then
        local a, plen = how:match("^([%d.]+)/(%d+)$")
        plen = tonumber(plen)
        if not a or plen > 32 then bad("write a network as a.b.c.d/len") end
        local mask = plen == 0 and 0 or ((0xffffffff << (32 - plen)) & 0xffffffff)
        v.lo = num(a) & mask
        v.hi = v.lo | (~mask & 0xffffffff)
      elseif type(how) == "table" then
        v.lo, v.hi = num(how[1]), num(how[2])
        v.random = how[3] ~= "inc"
        if v.lo > v.hi then bad("the range's low end is above its high end") end
      else
        bad("say \"inc\", \"random\", {lo, hi}, {lo, hi, \"inc\"} or an a.b.c.d/len network")
      end
      out[#out + 1] = v
    end
    table.sort(out, function(a, b) return a.off < b.off end)
    return out
  end

  -- send() and sr() of packets that have no IP layer but ride in
  -- Ethernet (ARP), as Scapy sends them: framed, Ether() / p, and sent
  -- at layer 2.  Level 4: this, the caller, do_send or do_sr, the script.
  local function framed(pkts, fname)
    local t = {}
    for i, p in ipairs(pkts) do
      if not netlayer(p) and not framed_by[descs[P.proto(p)].name] then
        error(fname .. ": send() sends IPv4 packets (IP / ...) and ARP; use sendp() for frames", 4)
      end
      t[i] = M.Ether() / p
    end
    return t
  end

  -- Without a seed option, vary's random values differ from run to run:
  -- a seed from the kernel (Lua's own start value is the time in
  -- seconds and an address, the same twice in a second without ASLR).
  local function fresh_seed()
    local f = io.open("/dev/urandom", "rb")
    local b = f and f:read(8)
    if f then f:close() end
    local n = b and #b == 8 and string.unpack("<i8", b) or math.random(math.mininteger, -1)
    return n ~= 0 and n or 1
  end

  -- Repeats of fuzzed packets (fuzz()), each built again, as Scapy
  -- builds every packet it sends: send1(p) sends one, once.
  local function send_fuzzed(pkts, o, send1)
    local count, loop = o.count or 1, o.loop and o.count == nil
    local gap, sent, round = o.inter or (o.pps and 1 / o.pps) or 0, 0, 0
    local ok, err = pcall(function()
      repeat
        round = round + 1
        for _, p in ipairs(pkts) do
          if round > count and not loop then break end
          sent = sent + send1(p)
          if gap > 0 then core.sleep(gap) end
        end
      until round >= count and not loop
    end)
    if not ok and not is_interrupt(err) then error(err, 0) end
    if verbose(o) then print(("Sent %d packets."):format(sent)) end
    return sent
  end

  local function do_send(fname, x, o, l2)
    o = check_opts(fname, o, send_opts)
    if (o.count or o.loop or o.inter or o.pps) and not o.vary then
      local pkts, fuzzed = as_list(x, fname), false
      for _, p in ipairs(pkts) do fuzzed = fuzzed or P.fuzzy(p) end
      if fuzzed then
        return send_fuzzed(pkts, o, function(p) return do_send(fname, p, { iface = o.iface,
          verbose = false }, l2) end)
      end
    end
    if M.is_packet(x) and o.count == nil and o.inter == nil and o.loop == nil
        and o.pps == nil and o.vary == nil then
      -- One packet once, as a callback answering a sniffed one sends:
      -- straight out, without the lists and closures repeats need.
      local bytes = not l2 and l3_bytes(x, fname)
      if not bytes and not l2 then x, l2 = framed({ x }, fname)[1], true end
      local iface = l2 and l2_iface(x, o) or o.iface
      if l2 then bytes = l2_bytes(x, iface, fname) end
      local n, msg = (l2 and core.send_l2 or core.send_l3)(bytes, iface)
      if not n then raise(fname, msg) end
      if verbose(o) then print("Sent 1 packets.") end
      return 1
    end
    local pkts = as_list(x, fname)
    local frames, ifaces = {}, {}
    for i, p in ipairs(not l2 and pkts or {}) do
      frames[i], ifaces[i] = l3_bytes(p, fname), o.iface
      if not frames[i] then
        pkts, l2, frames, ifaces = framed(pkts, fname), true, {}, {}
        break
      end
    end
    for i, p in ipairs(l2 and pkts or {}) do
      ifaces[i] = l2_iface(p, o)
      frames[i] = l2_bytes(p, ifaces[i], fname)
    end
    -- as in Scapy, a count wins over loop, and count=0 sends nothing
    local count, inter = o.count or 1, o.inter or 0
    local loop = o.loop and o.count == nil
    if o.vary and #frames ~= 1 then
      error(("%s: vary takes one packet (a template), not a list of %d"):format(fname, #frames), 3)
    end
    local sender = l2 and core.send_l2 or core.send_l3
    local sent = 0
    local function one(i)
      local n, msg = sender(frames[i], ifaces[i])
      if not n then raise(fname, msg) end
      sent = sent + n
    end
    local bulk      -- C leaves its count here, even when Ctrl-C cuts in
    local ok, err = pcall(function()
      if #frames == 1 and (o.vary or o.pps or loop or inter > 0 or count > 1) then
        -- one template: the copies, the variation and the pacing are C's
        local frame, iface, as_l2 = frames[1], ifaces[1], l2
        if not l2 and (loop or count >= 1000) then
          frame, iface, as_l2 = l3_as_frame(pkts[1], frame, o)
        end
        local q = P.dissect(as_l2 and (l2 and P.proto(pkts[1]) or ETHER) or P.proto(pkts[1]), frame)
        local pps = o.pps or (inter > 0 and 1 / inter or nil)
        bulk = { bytes = frame, l2 = as_l2, iface = iface, count = loop and 0 or count,
          loop = loop, pps = pps, seed = o.seed or (o.vary and fresh_seed()),
          vary = o.vary and vary_spec(fname, q, frame, o.vary) }
        local n, msg, kind = core.send_bulk(bulk)
        if not n then raise(fname, msg) end
        return
      end
      local same = #frames > 0
      for i = 2, #frames do same = same and ifaces[i] == ifaces[1] end
      if same then
        -- a list for one interface: C sends it in turn, count times, paced
        bulk = { list = frames, l2 = l2, iface = ifaces[1], loop = loop,
          count = loop and 0 or count * #frames, pps = o.pps or (inter > 0 and 1 / inter or nil) }
        local n, msg = core.send_bulk(bulk)
        if not n then raise(fname, msg) end
        return
      end
      -- frames for several interfaces: a call each
      local round = 0
      while loop or round < count do
        round = round + 1
        for i = 1, #frames do
          one(i)
          if inter > 0 then core.sleep(inter) end
        end
      end
    end)
    if bulk then sent = sent + (bulk.sent or 0) end
    if not ok and not is_interrupt(err) then error(err, 0) end
    if verbose(o) then print(("Sent %d packets."):format(sent)) end
    return sent
  end

  -- send(p [, {iface=, count=, inter=, loop=, verbose=}]) -> packets sent
  function M.send(x, o) return do_send("send", x, o, false) end
  -- sendp(frame [, opts]) -> frames sent
  function M.sendp(x, o) return do_send("sendp", x, o, true) end

  ----------------------------------------------------- send and receive

  local sr_opts = { iface = "string", timeout = "number", retry = "number", inter = "number",
    multi = "flag", verbose = "flag", filter = "string" }

  local function pair_list(t)
    return new_list(t, "Results")
  end

  -- Sends the requests with a capture already listening (so no early
  -- reply is lost), then pairs each captured packet with the requests it
  -- answers by the descriptors' matching rules.  Ctrl-C ends the wait
  -- and returns what came; with chain it is raised after the summary
  -- line (Scapy's chainCC, for loops of sr such as srloop).
  local function do_sr(fname, x, o, l2, chain)
    o = check_opts(fname, o, sr_opts)
    local pkts = as_list(x, fname)
    if #pkts == 0 then return pair_list({}), new_list({}, "Unanswered") end
    -- a negative timeout waits until every request is answered (or
    -- Ctrl-C), as Scapy's does
    local timeout = o.timeout or 2
    if timeout < 0 then timeout = math.huge end
    local iface
    local reqs = {}
    -- At layer 3 a reply is handed back from its layer-3 header on, as
    -- Scapy's sr() does (r.src is an address, not a MAC); ARP requests
    -- go out framed (see framed) and their replies come back as ARP.
    local l3 = not l2
    for i, p in ipairs(l3 and pkts or {}) do
      local b, q = l3_bytes(p, fname)
      if not b then
        pkts, l2, reqs, iface = framed(pkts, fname), true, {}, nil
        break
      end
      if not iface then
        local net, fam = netlayer(q)
        local r = o.iface and { iface = o.iface } or fam.route(net[fam.dst])
        iface = r and r.iface
      end
      reqs[i] = { bytes = b, pkt = q, pid = P.proto(q), from = P.proto(q) }
    end
    for i, p in ipairs(l2 and pkts or {}) do
      iface = iface or l2_iface(p, o)
      local b, q = l2_bytes(p, iface, fname)
      reqs[i] = { bytes = b, pkt = q, pid = P.proto(q), from = l3 and P.proto(q, 2) or nil }
    end
    -- Immediate mode for latency; its ring slots are sized by the snap
    -- length, so a snap length that fits the link keeps the ring deep
    -- enough for every reply of a large sr() (PERF-NOTES).
    local mtu = 1500
    local info = iface_info(iface)
    if info then mtu = info.mtu end
    local cap, msg, kind = core.capture_open{ iface = iface, filter = o.filter,
      immediate = true, snaplen = math.max(mtu, 1500) + 64,
      buffer_kb = math.min(math.max(#reqs * 8, 4096), 131072), timeout_ms = 20,
      inbound_only = true }
    if not cap then raise(fname, msg) end
    local _, linkpid = cap:info()
    local start = reqs[1].pid
    local index = {}
    for i, r in ipairs(reqs) do
      r.key = core.match_key(r.pid, r.bytes, r.pid) or ""
      local l = index[r.key]
      if not l then l = {}; index[r.key] = l end
      l[#l + 1] = i
    end
    local answered, got = {}, {}
    local received, nanswered = 0, 0
    local sender = l2 and core.send_l2 or core.send_l3
    local send_iface = l2 and iface or o.iface
    local retries = o.retry or 0
    -- conf.checkIPaddr = false: a reply from another address than the
    -- one asked may answer (a broadcast ping), as in Scapy: the reply is
    -- matched as if it came from each destination asked.  Where the
    -- addresses are, the network layer's descriptor says (its src and
    -- dst roles).
    local dsts, srcat, width
    local roles = descs[start].roles
    if M.conf and M.conf.checkIPaddr == false and roles.src and roles.dst
      and roles.src.bits % 8 == 0 and roles.src.bits == roles.dst.bits then
      dsts, width = {}, roles.src.bits // 8
      for _, r in ipairs(reqs) do
        local q = dissect_as(descs[start], r.bytes)
        local at, from = P.fieldpos(q, roles.dst.name), P.fieldpos(q, roles.src.name)
        if at and from then
          dsts[r.bytes:sub(at + 1, at + width)] = true
          srcat = from
        end
      end
      if not srcat then dsts = nil end
    end
    local function poll_until(deadline)
      while core.now() < deadline do
        local data, sec, usec = cap:next()
        if data then
          received = received + 1
          local key, at = core.match_key(linkpid, data, start)
          local seen = data
          if dsts and at then
            for d in pairs(dsts) do
              local v = data:sub(1, at + srcat) .. d .. data:sub(at + srcat + width + 1)
              if index[core.match_key(linkpid, v, start)] then seen = v; break end
            end
            key = core.match_key(linkpid, seen, start)
          end
          for _, i in ipairs(key and index[key] or {}) do
            if (o.multi or not got[i]) and core.answers(reqs[i].pid, reqs[i].bytes, linkpid, seen) then
              local p, from = nil, reqs[i].from
              local off = from and select(2, core.match_key(linkpid, data, from))
              if off then
                p = dissect_as(descs[from], data:sub(off + 1))
              else
                p = dissect_as(descs[linkpid], data)
              end
              p.time = sec + usec / 1e6
              p.iface = iface
              if not got[i] then nanswered = nanswered + 1 end
              got[i] = true
              answered[#answered + 1] = { reqs[i].pkt, p, sent = reqs[i].pkt, received = p }
              if not o.multi then break end
            end
          end
          if not o.multi and nanswered == #reqs then return end
        elseif data == nil then     -- sec, usec are the message and its kind
          if usec == "interrupted" then error("interrupted!", 0) end
          error(("%s: capture failed: %s"):format(fname, tostring(sec)), 0)
        end
      end
    end
    local ok, err = pcall(function()
      local todo = {}
      for i = 1, #reqs do todo[i] = i end
      repeat
        for _, i in ipairs(todo) do
          -- stamped before it leaves: the reply's capture time may
          -- otherwise come before the stamp
          reqs[i].pkt.sent_time = core.walltime()
          local n, m = sender(reqs[i].bytes, send_iface)
          if not n then raise(fname, m) end
          if o.inter and o.inter > 0 then
            poll_until(core.now() + o.inter)
          end
        end
        poll_until(core.now() + timeout)
        local left = {}
        for i = 1, #reqs do if not got[i] then left[#left + 1] = i end end
        todo = left
        retries = retries - 1
      until #todo == 0 or retries < 0
    end)
    cap:close()
    if not ok and not is_interrupt(err) then error(err, 0) end
    local unans = {}
    for i, r in ipairs(reqs) do if not got[i] then unans[#unans + 1] = r.pkt end end
    if verbose(o) then
      print(("Received %d packets, got %d answers, remaining %d packets")
        :format(received, nanswered, #unans))
    end
    if chain and not ok then error(err, 0) end
    return pair_list(answered), new_list(unans, "Unanswered")
  end
  I.do_sr, I.check_opts = do_sr, check_opts

  -- sr(pkts [, {timeout=2, retry=0, inter=, multi=, iface=, filter=, verbose=}])
  -- -> answered ({sent, received} pairs), unanswered
  function M.sr(x, o) return do_sr("sr", x, o, false) end
  function M.srp(x, o) return do_sr("srp", x, o, true) end

  -- sr1(p [, opts]) -> the first reply, or nil
  function M.sr1(x, o)
    local a = do_sr("sr1", x, o, false)
    return a[1] and a[1][2] or nil
  end
  function M.srp1(x, o)
    local a = do_sr("srp1", x, o, true)
    return a[1] and a[1][2] or nil
  end

  require("pkt.pcapfile")(M, { core = core, dissect_as = dissect_as, check_opts = check_opts,
    as_list = as_list, new_list = new_list, class_of = class_of,
    captured_list = captured_list, list_add = list_add, P = P })

  --------------------------------------------------------- interfaces

  function M.ifaces()
    local t, msg = core.ifaces()
    if not t then error("ifaces: " .. msg, 2) end
    return t
  end

  local function iface_named(name, fname)
    for _, i in ipairs(M.ifaces()) do
      if i.name == name then return i end
    end
    error(("%s: no interface '%s' (ifaces() lists them)"):format(fname, tostring(name)), 3)
  end

  function M.get_if_hwaddr(name) return iface_named(name, "get_if_hwaddr").mac end
  function M.get_if_addr(name) return iface_named(name, "get_if_addr").ipv4[1] or "0.0.0.0" end
end
