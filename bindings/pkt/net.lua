-- pkt/net.lua - the network half of the API: sniff, send/sendp,
-- sr/sr1/srp/srp1, pcap files and interfaces.  Policy lives here
-- (defaults, option checking, friendly errors); the work is in C.
return function(M, I)
  local core, descs, dissect_as, captured = I.core, I.descs, I.dissect_as, I.captured
  local suggest = I.suggest

  -- Options a function takes; a misspelt one is an error, not ignored.
  local function check_opts(fname, opts, known)
    if opts == nil then return {} end
    if type(opts) ~= "table" then
      error(("%s: options are a table, like %s(p, {iface=\"eth0\"}), got %s")
        :format(fname, fname, type(opts)), 3)
    end
    for k in pairs(opts) do
      if not known[k] then
        local names = {}   -- only on the error path: send() is a hot call
        for n in pairs(known) do names[#names + 1] = n end
        table.sort(names)
        error(("%s: unknown option '%s'%s; options are: %s"):format(fname, tostring(k),
          suggest(tostring(k), names), table.concat(names, ", ")), 3)
      end
    end
    return opts
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

  local sniff_opts = { iface = 1, filter = 1, count = 1, timeout = 1, prn = 1,
    lfilter = 1, stop_filter = 1, store = 1, promisc = 1, offline = 1,
    immediate = 1, snaplen = 1, buffer_kb = 1, started_callback = 1 }

  local function class_of(pid)
    return descs[pid] or descs[M.Raw._desc.id]
  end

  -- Reads packets from an open capture until count, timeout, a stop
  -- filter, the end of a file or Ctrl-C; returns the list and stats.
  local function capture_loop(fname, cap, o, deadline)
    if o.store == false and not (o.prn or o.lfilter or o.stop_filter) then
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
    local _, pid, iface = cap:info()
    local first = class_of(pid)
    local store, n = o.store ~= false, 0
    local live = o.offline == nil
    local list = captured_list(first, live and iface or nil, "Sniffed")
    -- A reply waits for everything between a frame's arrival and the
    -- callback: the options and functions are looked up once, here.
    local prn, lfilter, stop_filter, count = o.prn, o.lfilter, o.stop_filter, o.count
    local now, next_frame = core.now, cap.next
    local ok, err = pcall(function()
      while not (deadline and now() >= deadline) do
        local data, sec, usec, wirelen = next_frame(cap)
        if data then
          local time, p = sec + usec / 1e6, nil
          if lfilter or prn or stop_filter then
            p = captured(first, data, time, live and iface or nil,
              wirelen ~= #data and wirelen or nil)
          end
          if not lfilter or lfilter(p) then
            n = n + 1
            if store then list_add(list, data, time, wirelen, p) end  -- as bytes
            if prn then
              local r = prn(p)
              if r ~= nil then print(r) end
            end
            if (stop_filter and stop_filter(p)) or (count and n >= count) then
              break
            end
          end
        elseif data == nil then     -- sec, usec are the message and its kind
          if usec == "truncated" then   -- a cut file: the packets before it stand
            io.stderr:write(("%s: warning: %s\n"):format(fname, tostring(sec)))
          end
          if usec == "eof" or usec == "interrupted" or usec == "truncated" then break end
          error(("%s: capture failed: %s"):format(fname, tostring(sec)), 0)
        end
      end
    end)
    local rcv, drop, ifdrop = cap:stats()
    cap:close()
    if not ok and not is_interrupt(err) then error(err, 0) end
    local stats = { received = rcv, dropped = drop, ifdropped = ifdrop, captured = n }
    return list, stats
  end

  -- sniff{iface=, filter=, count=, timeout=, prn=, lfilter=, stop_filter=,
  --       store=, promisc=, offline=} -> packets, stats
  function M.sniff(o)
    o = check_opts("sniff", o, sniff_opts)
    local cap, msg, kind
    if o.offline then
      cap, msg, kind = core.capture_file(o.offline, o.filter)
    else
      -- A callback usually reacts (sniff-then-spoof): deliver each packet
      -- at once, with a snap length that fits the link so the immediate
      -- mode ring stays deep (PERF-NOTES). Bulk capture keeps TPACKET_V3.
      local immediate = o.immediate
      if immediate == nil then immediate = o.prn ~= nil end
      local snaplen = o.snaplen
      if not snaplen and immediate then
        snaplen = 65535
        local i = iface_info(o.iface)
        if i then snaplen = math.max(i.mtu, 1500) + 64 end
      end
      cap, msg, kind = core.capture_open{ iface = o.iface, filter = o.filter,
        promisc = o.promisc ~= false, immediate = immediate, snaplen = snaplen,
        buffer_kb = o.buffer_kb, timeout_ms = 50 }
    end
    if not cap then raise("sniff", msg) end
    -- listening (filter set) from here: a script may now make traffic
    if o.started_callback then
      local ok, err = pcall(o.started_callback)
      if not ok then cap:close(); error(err, 0) end
    end
    local deadline = o.timeout and core.now() + o.timeout
    return capture_loop("sniff", cap, o, deadline)
  end

  ------------------------------------------------------------ sending

  local route_cache = {}


  local function route(dst)
    local r = route_cache[dst]
    if not r then
      local iface, src, gw = core.route(dst)
      if not iface then return nil, src end
      r = { iface = iface, src = src, gw = gw }
      route_cache[dst] = r
    end
    return r
  end

  -- Whether a field needs filling is read from a flat packet's pairs
  -- (pkt.lua): making its layer objects would be most of the cost of
  -- sending a reply.
  local ETHER, IPV4, flat_fields = M.Ether._desc.id, M.IP._desc.id, I.flat_fields

  -- The packet as it leaves at layer 3: an unset IP source becomes the
  -- kernel's route source (the checksums cover it, so it is filled
  -- before building, not left for the kernel).
  local function l3_bytes(p, fname)
    local f = flat_fields(p, IPV4)
    if f and f.src ~= nil then return p:bytes(), p end
    local ip = p[M.IP]
    if not ip then
      error(fname .. ": send() sends IPv4 packets (IP / ...); use sendp() for frames", 3)
    end
    if ip._f.src == nil then
      local r = route(ip.dst)
      if r and r.src ~= "0.0.0.0" then
        p = p:copy()
        p[M.IP].src = r.src
      end
    end
    return p:bytes(), p
  end

  local arp_cache = {}
  local l3_as_frame

  -- The MAC address of ip on iface: the kernel's neighbour table, our
  -- own cache, or an ARP request.
  local function resolve_mac(iface, ip, fname)
    local key = iface .. " " .. ip
    local mac = arp_cache[key] or core.neigh(iface, ip)
    if mac then
      arp_cache[key] = mac
      return mac
    end
    local me = need_iface(iface, fname)
    local rep = M.srp1(M.Ether{ dst = "ff:ff:ff:ff:ff:ff", src = me.mac }
      / M.ARP{ hwsrc = me.mac, psrc = me.ipv4[1] or "0.0.0.0", pdst = ip },
      { iface = iface, timeout = 1, retry = 1, verbose = false })
    if not rep then
      error(("%s: cannot find the MAC address of %s on %s: no ARP reply (is the host up? "
        .. "or set Ether{dst=...})"):format(fname, ip, iface), 4)
    end
    arp_cache[key] = rep[M.ARP].hwsrc
    return arp_cache[key]
  end

  -- A frame as it leaves at layer 2: unset Ether src is the interface's
  -- MAC; unset dst with an IP payload is the next hop's MAC.
  local function l2_bytes(p, iface, fname)
    local first = rawget(p, -1)
    if first ~= nil and first ~= ETHER then return p:bytes(), p end
    local ef, ipf = flat_fields(p, ETHER), flat_fields(p, IPV4)
    if ef and ef.src ~= nil and ipf ~= false
        and (ipf == nil or (ef.dst ~= nil and ipf.src ~= nil)) then
      return p:bytes(), p
    end
    local e, ip = p[1], p[M.IP]
    if e._d.name ~= "Ether" then return p:bytes(), p end
    local fill_src, fill_dst = e._f.src == nil, e._f.dst == nil and ip ~= nil
    local fill_ip = ip ~= nil and ip._f.src == nil
    if not (fill_src or fill_dst or fill_ip) then return p:bytes(), p end
    p = p:copy()                -- the caller's packet stays as it was
    e, ip = p[1], p[M.IP]
    if fill_src then e.src = need_iface(iface, fname).mac end
    if fill_dst then
      local r = route(ip.dst)
      e.dst = resolve_mac(iface, (r and r.gw) or ip.dst, fname)
    end
    if fill_ip then ip.src = need_iface(iface, fname).ipv4[1] or "0.0.0.0" end
    return p:bytes(), p
  end

  -- The interface a frame leaves by when none is named.
  local function l2_iface(p, o)
    if o.iface then return o.iface end
    local ip = p[M.IP]
    local r = ip and route(ip.dst)
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
    local ip = p[M.IP]
    local r = route(ip.dst)
    if not r or (o.iface and o.iface ~= r.iface) then return bytes, o.iface, false end
    local info = iface_info(r.iface)
    if not info or info.loopback or info.mac == "00:00:00:00:00:00" then
      return bytes, o.iface, false
    end
    for _, a in ipairs(info.ipv4) do
      if a == ip.dst then return bytes, o.iface, false end
    end
    local okm, mac = pcall(resolve_mac, r.iface, r.gw or ip.dst, "send")
    if not okm then return bytes, o.iface, false end
    local eth = M.Ether{ src = info.mac, dst = mac, type = 0x0800 }:bytes()
    return eth .. bytes, r.iface, true
  end

  local send_opts = { iface = 1, count = 1, inter = 1, loop = 1, verbose = 1,
    pps = 1, vary = 1, seed = 1 }

  local function ipv4_int(s)
    local a, b, c, d = s:match("^(%d+)%.(%d+)%.(%d+)%.(%d+)$")
    return ((tonumber(a) * 256 + tonumber(b)) * 256 + tonumber(c)) * 256 + tonumber(d)
  end

  -- Byte offset of a field within its (dissected) layer, or nil when it
  -- does not start on a byte.
  local function field_offset(l, name)
    local bit = 0
    for _, f in ipairs(l._d.fields) do
      if f.name == name then break end
      if l._f[f.name] ~= nil then bit = bit + f.bits end
    end
    return bit % 8 == 0 and bit // 8 or nil
  end

  -- Checksums that cover field `name` of layer i (offsets in the frame),
  -- from the descriptors: the layer's own chksum, and the one above it
  -- when the field is in the pseudo-header that layer sums.  A checksum
  -- of 0 that means "none" (UDP) stays 0.  nil: a quoted header, whose
  -- change would need the enclosing ICMP checksum.
  local function covering(q, i, name, frame)
    if q[i]._d.quoted then return nil end
    local t = {}
    local function own(l)
      local fd = l and l._d.fmap.chksum
      if not fd or l._f.chksum == nil then return end
      local at = rawget(l, "_off") + field_offset(l, "chksum")
      if fd.zero_none and frame:byte(at + 1) == 0 and frame:byte(at + 2) == 0 then return end
      t[#t + 1] = { at, fd.zero_none }
    end
    own(q[i])
    if q[i]._d.fmap[name].pseudo then own(q[i + 1]) end
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
      for i, l in ipairs(q._l) do
        if l._d.name == lname then idx = i; break end
      end
      if not idx then bad(("the packet has no %s layer"):format(lname)) end
      local l = q._l[idx]
      local fd = l._d.fmap[fname_]
      if not fd then bad(("%s has no field '%s'"):format(lname, fname_)) end
      local at = field_offset(l, fname_)
      if not at or not (fd.bits == 8 or fd.bits == 16 or fd.bits == 32)
          or fd.type == "mac" or fd.type == "bytes" or fd.type == "list" then
        bad("only whole 8, 16 or 32-bit fields can vary")
      end
      local cks = covering(q._l, idx, fname_, frame)
      if not cks then bad(("%s is quoted inside an ICMP error; its fields cannot vary"):format(lname)) end
      local max = (1 << fd.bits) - 1
      local v = { off = rawget(l, "_off") + at, width = fd.bits // 8, cks = cks,
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

  local function do_send(fname, x, o, l2)
    o = check_opts(fname, o, send_opts)
    if M.is_packet(x) and o.count == nil and o.inter == nil and o.loop == nil
        and o.pps == nil and o.vary == nil then
      -- One packet once, as a callback answering a sniffed one sends:
      -- straight out, without the lists and closures repeats need.
      local iface = l2 and l2_iface(x, o) or o.iface
      local bytes = l2 and l2_bytes(x, iface, fname) or l3_bytes(x, fname)
      local n, msg = (l2 and core.send_l2 or core.send_l3)(bytes, iface)
      if not n then raise(fname, msg) end
      if o.verbose ~= false then print("Sent 1 packets.") end
      return 1
    end
    local pkts = as_list(x, fname)
    local frames, ifaces = {}, {}
    for i, p in ipairs(pkts) do
      if l2 then
        ifaces[i] = l2_iface(p, o)
        frames[i] = l2_bytes(p, ifaces[i], fname)
      else
        frames[i] = l3_bytes(p, fname)
        ifaces[i] = o.iface
      end
    end
    local count, inter = o.count or 1, o.inter or 0
    if math.type(count) ~= "integer" and not (type(count) == "number" and count == math.floor(count)) or count < 0 then
      error(("%s: count is a whole number of packets, 0 or more, got %s"):format(fname, tostring(o.count)), 3)
    end
    count = math.tointeger(count)
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
      if #frames == 1 and (o.vary or o.pps or o.loop or inter > 0 or count > 1) then
        -- one template: the copies, the variation and the pacing are C's
        local frame, iface, as_l2 = frames[1], ifaces[1], l2
        if not l2 and (o.loop or count >= 1000) then
          frame, iface, as_l2 = l3_as_frame(pkts[1], frame, o)
        end
        local q = dissect_as(as_l2 and (l2 and pkts[1][1]._d or M.Ether._desc) or M.IP._desc, frame)
        local pps = o.pps or (inter > 0 and 1 / inter or nil)
        bulk = { bytes = frame, l2 = as_l2, iface = iface, count = o.loop and 0 or count,
          loop = o.loop, pps = pps, seed = o.seed,
          vary = o.vary and vary_spec(fname, q, frame, o.vary) }
        local n, msg, kind = core.send_bulk(bulk)
        if not n then raise(fname, msg) end
        return
      end
      local same = #frames > 0
      for i = 2, #frames do same = same and ifaces[i] == ifaces[1] end
      if same then
        -- a list for one interface: C sends it in turn, count times, paced
        bulk = { list = frames, l2 = l2, iface = ifaces[1], loop = o.loop,
          count = o.loop and 0 or count * #frames, pps = o.pps or (inter > 0 and 1 / inter or nil) }
        local n, msg = core.send_bulk(bulk)
        if not n then raise(fname, msg) end
        return
      end
      -- frames for several interfaces: a call each
      local round = 0
      while o.loop or round < count do
        round = round + 1
        for i = 1, #frames do
          one(i)
          if inter > 0 then core.sleep(inter) end
        end
      end
    end)
    if bulk then sent = sent + (bulk.sent or 0) end
    if not ok and not is_interrupt(err) then error(err, 0) end
    if o.verbose ~= false then print(("Sent %d packets."):format(sent)) end
    return sent
  end

  -- send(p [, {iface=, count=, inter=, loop=, verbose=}]) -> packets sent
  function M.send(x, o) return do_send("send", x, o, false) end
  -- sendp(frame [, opts]) -> frames sent
  function M.sendp(x, o) return do_send("sendp", x, o, true) end

  ----------------------------------------------------- send and receive

  local sr_opts = { iface = 1, timeout = 1, retry = 1, inter = 1, multi = 1,
    verbose = 1, filter = 1 }

  local function pair_list(t)
    return new_list(t, "Results")
  end

  -- Sends the requests with a capture already listening (so no early
  -- reply is lost), then pairs each captured packet with the requests it
  -- answers by the descriptors' matching rules.
  local function do_sr(fname, x, o, l2)
    o = check_opts(fname, o, sr_opts)
    local pkts = as_list(x, fname)
    if #pkts == 0 then return pair_list({}), new_list({}, "Unanswered") end
    local timeout = o.timeout or 2
    local iface
    local reqs = {}
    for i, p in ipairs(pkts) do
      local b, q
      if l2 then
        iface = iface or l2_iface(p, o)
        b, q = l2_bytes(p, iface, fname)
      else
        b, q = l3_bytes(p, fname)
        if not iface then
          local ip = q[M.IP]
          local r = o.iface and { iface = o.iface } or route(ip.dst)
          iface = r and r.iface
        end
      end
      reqs[i] = { bytes = b, pkt = q, pid = q[1]._d.id }
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
    local function poll_until(deadline)
      while core.now() < deadline do
        local data, sec, usec = cap:next()
        if data then
          received = received + 1
          local key = core.match_key(linkpid, data, start)
          for _, i in ipairs(key and index[key] or {}) do
            if (o.multi or not got[i]) and core.answers(reqs[i].pid, reqs[i].bytes, linkpid, data) then
              local p = dissect_as(descs[linkpid], data)
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
    if o.verbose ~= false then
      print(("Received %d packets, got %d answers, remaining %d packets")
        :format(received, nanswered, #unans))
    end
    return pair_list(answered), new_list(unans, "Unanswered")
  end

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
    captured_list = captured_list, list_add = list_add })

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
