-- pkt/pcapfile.lua - capture files: rdpcap, wrpcap, wrpcapng and the
-- streaming pcap_reader and pcap_writer.  pcap and pcapng are read and
-- written; a list read from a file remembers its link type, format,
-- timestamps and (pcapng) interfaces and comments, so writing it back
-- needs no options and loses nothing.
return function(M, I)
  local core, dissect_as, check_opts = I.core, I.dissect_as, I.check_opts
  local as_list, class_of = I.as_list, I.class_of
  local captured_list, list_add = I.captured_list, I.list_add

  local NS = 1000000000
  local linktypes = { ether = 1, ethernet = 1, raw = 101, ip = 101, sll = 113, sll2 = 276 }

  -- What a list read from a file keeps beside its packets, by the
  -- packet's index: ns, its exact time in nanoseconds (pcapng and
  -- nanosecond pcap, whose times a float cannot hold), and ifid, its
  -- pcapng interface when not the first.
  local extra = setmetatable({}, { __mode = "k" })

  local function warn(fname, msg)
    io.stderr:write(("%s: warning: %s\n"):format(fname, msg))
  end

  ------------------------------------------------------------ reading

  -- An open file and the class its frames start with; raises (at the
  -- script's line, level 3) when it cannot be read at all.
  local function open(fname, path, filter)
    if type(path) ~= "string" then
      error(("%s: expected a file path, got %s"):format(fname, type(path)), 3)
    end
    local cap, msg = core.capture_file(path, filter, true)
    if not cap then error(fname .. ": " .. msg, 3) end
    local _, pid = cap:info()
    return cap, class_of(pid)
  end

  -- The class frames of link type lt start with, for a pcapng file
  -- whose interfaces have several.
  local classes = {}
  local function class_for(lt)
    local c = classes[lt]
    if not c then
      c = class_of(core.linktype_proto(lt))
      classes[lt] = c
    end
    return c
  end

  -- A packet of its own, with its time and wire length.
  local function packet(d, data, time, wirelen)
    local p = dissect_as(d, data)
    p.time = time
    if wirelen ~= #data then p.wirelen = wirelen end
    return p
  end

  -- A captured list as a list of packet objects, which can start with
  -- different protocols.
  local function objects(l)
    local t = I.new_list({}, l.name)
    for i = 1, #l do
      local p = l[i]
      p.time = p.time     -- its own now, with its time and wire length
      t[i] = p
    end
    return t
  end

  -- A file cut inside a record: what came before it is read, with a
  -- warning naming the record (tcpdump, tshark and Scapy do the same).
  local function cut(fname, msg, n)
    local w = ("%s; the %d packet%s before it are read"):format(msg, n, n == 1 and "" or "s")
    warn(fname, w)
    return w
  end

  -- for p in pcap_reader(path [, {filter=}]) do ... end
  function M.pcap_reader(path, o)
    o = check_opts("pcap_reader", o, { filter = "string" })
    if o.filter ~= nil and type(o.filter) ~= "string" then
      error(("pcap_reader: filter is a BPF expression, got %s"):format(type(o.filter)), 2)
    end
    local cap, first = open("pcap_reader", path, o.filter)
    local lt0 = cap:fileinfo().linktype
    local n = 0
    local function nextp()
      local data, sec, usec, wirelen, nsec, _, _, lt = cap:next()
      if not data then          -- sec, usec: the message and its kind
        cap:close()
        if usec == "truncated" then
          cut("pcap_reader", sec, n)
        elseif usec ~= "eof" then
          error("pcap_reader: " .. tostring(sec), 2)   -- the script's for loop
        end
        return nil
      end
      n = n + 1
      return packet(lt == lt0 and first or class_for(lt), data, sec + nsec / NS, wirelen)
    end
    return nextp, nil, nil, cap
  end

  -- rdpcap(path [, count]) -> packets, kept as their bytes until used,
  -- with the file's linktype, format and nano, and for pcapng its
  -- interfaces, comment (the section's) and comments (by packet index).
  function M.rdpcap(path, count)
    if count ~= nil and math.type(count) ~= "integer" then
      error(("rdpcap: count is a number of packets, got %s"):format(tostring(count)), 2)
    end
    local cap, first = open("rdpcap", path)
    local l = captured_list(first, nil, path)
    local fi = cap:fileinfo()
    local ng, lt0 = fi.format == "pcapng", fi.linktype
    local ex = { ns = (ng or fi.nano) and {} or nil, ifid = {} }
    local comments = ng and {} or nil
    local n, failure, mixed = 0, nil, nil
    while not (count and n >= count) do
      local data, sec, usec, wirelen, nsec, ifid, comment, lt = cap:next()
      if not data then          -- sec, usec: the message and its kind
        if usec == "truncated" then
          l.warning = cut("rdpcap", sec, n)
        elseif usec ~= "eof" then
          failure = sec
        end
        break
      end
      local time = sec + nsec / NS
      if lt ~= lt0 and not mixed then mixed = objects(l) end
      if mixed then
        n = n + 1
        mixed[n] = packet(class_for(lt), data, time, wirelen)
      else
        n = list_add(l, data, time, wirelen)
      end
      if ex.ns and sec < math.maxinteger // NS then ex.ns[n] = sec * NS + nsec end
      if ifid ~= 0 then ex.ifid[n] = ifid end
      if comment then comments[n] = comment end
    end
    fi = cap:fileinfo()     -- with the interfaces read on the way
    cap:close()
    if failure then error("rdpcap: " .. tostring(failure), 2) end
    if mixed then
      mixed.warning, l = l.warning, mixed
    end
    l.linktype, l.format, l.nano = fi.linktype, fi.format, fi.nano
    if ng then
      l.interfaces, l.comment, l.comments = fi.interfaces, fi.comment, comments
    end
    extra[l] = ex
    return l
  end

  ------------------------------------------------------------ writing

  local writer_opts = { linktype = "name", append = "flag", format = "string", nano = "flag" }

  -- A writer's options (checked by check_opts) with the link type as a
  -- number: the table, or nil and what is wrong.
  local function writer_options(o)
    local t = {}
    for k, v in pairs(o) do t[k] = v end
    local lt = t.linktype
    if type(lt) == "string" then
      t.linktype = linktypes[lt:lower()]
      if not t.linktype then
        return nil, ("unknown linktype '%s' (use ether, raw, sll, sll2 or a number)"):format(lt)
      end
    elseif lt ~= nil and (math.type(lt) ~= "integer" or lt < 0 or lt > 65535) then
      return nil, ("linktype is a name or a LINKTYPE_ number (0 to 65535), got %s"):format(tostring(lt))
    end
    if t.format ~= nil and t.format ~= "pcap" and t.format ~= "pcapng" then
      return nil, ("format is \"pcap\" or \"pcapng\", got %s"):format(tostring(t.format))
    end
    for _, k in ipairs({ "append", "nano" }) do
      if t[k] ~= nil and type(t[k]) ~= "boolean" then
        return nil, ("%s is true or false, got %s"):format(k, tostring(t[k]))
      end
    end
    return t
  end

  -- The link type of frames starting with p's first layer, or nil (Raw,
  -- or a packet with no bytes).
  local function packet_linktype(p)
    local l = p[1]
    return l and core.linktype_of(l:name())
  end

  -- Link types whose frames start with the same protocol (raw IP: 101,
  -- 228 and the DLT 12 of old files).
  local function alike(a, b)
    if a == b then return true end
    local pa = a and b and core.linktype_proto(a)
    return pa ~= nil and pa ~= 0 and pa == core.linktype_proto(b)
  end

  -- What list src says it was read from: format, nano, link type and
  -- section comment, each nil unless valid.
  local function origin(src)
    if type(src) ~= "table" then return {} end
    local lt = src.linktype
    return { format = (src.format == "pcap" or src.format == "pcapng") and src.format or nil,
      nano = src.nano == true or nil,
      linktype = math.type(lt) == "integer" and lt >= 0 and lt <= 65535 and lt or nil,
      comment = type(src.comment) == "string" and src.comment or nil }
  end

  -- Describes interface d (a table as rdpcap gives them) of link type lt
  -- in w's pcapng file, known as key: its id, or nil and why.
  local function add_iface(w, key, d, lt)
    local function str(v) return type(v) == "string" and v or nil end
    local snap = math.tointeger(d.snaplen)
    local id, msg = w.h:iface({ linktype = lt, name = str(d.name), description = str(d.description),
      comment = str(d.comment), snaplen = snap and snap >= 0 and snap < 2^32 and snap or nil })
    if id then w.ifs[key] = id end
    return id, msg
  end

  -- "Ether", or "nothing" for a packet without bytes.
  local function first_name(p)
    local l = p[1]
    return l and l:name() or "nothing"
  end

  -- Opens w's file for the packets of list src, p the first (nil: none):
  -- its link type comes from the options, else what src was read from,
  -- else the first packet whose layers tell (w.guess), else Ethernet for
  -- an empty file.
  local function start(w, src, p)
    local o, from = w.o, origin(src)
    local fmt = o.format or from.format or "pcap"
    local nano = o.nano
    if nano == nil then nano = from.nano or false end
    local lt = o.linktype or from.linktype or w.guess or (not p and 1)
    if not lt then
      return nil, ("cannot tell the link type of a packet starting with %s; give {linktype=...}")
        :format(first_name(p))
    end
    if o.append then
      local fi, msg = core.pcap_probe(w.path)
      if fi == nil then return nil, ("cannot append to %s: %s"):format(w.path, msg) end
      if fi then
        local why = (o.format and o.format ~= fi.format and "it is " .. fi.format)
          or (fi.format == "pcap" and o.nano ~= nil and o.nano ~= fi.nano
            and "its timestamps are " .. (fi.nano and "nanoseconds" or "microseconds"))
          or (fi.format == "pcap" and not alike(lt, fi.linktype)
            and ("it holds link type %d, these packets %d"):format(fi.linktype, lt))
        if why then return nil, ("cannot append to %s: %s"):format(w.path, why) end
        fmt, nano = fi.format, fi.nano
        if fmt == "pcap" then lt = fi.linktype end
      end
    end
    local h, msg = core.pcap_writer(w.path, { format = fmt, nano = nano, linktype = lt,
      append = o.append, comment = from.comment })
    if not h then return nil, ("cannot write %s: %s"):format(w.path, msg) end
    w.h, w.format, w.nano, w.linktype, w.ifs = h, fmt, nano, lt, {}
    -- a list read from pcapng: its interfaces, in order, used or not
    local sifs = fmt == "pcapng" and type(src) == "table" and src.interfaces
    for _, d in ipairs(type(sifs) == "table" and sifs or {}) do
      if type(d) == "table" and math.type(d.linktype) == "integer" then
        local ok, why = add_iface(w, d, d, d.linktype)
        if not ok then return nil, why end
      end
    end
    return true
  end

  -- A float time as seconds and nanoseconds, rounded to the file's
  -- precision; nil when it is no time at all.
  local function split_time(t, nano)
    if math.type(t) == "integer" then return t, 0 end
    if type(t) ~= "number" or t ~= t or t == math.huge or t == -math.huge then return nil end
    local sec = math.floor(t)
    if math.type(sec) ~= "integer" then return nil end
    local nsec = nano and math.floor((t - sec) * 1e9 + 0.5)
      or math.floor((t - sec) * 1e6 + 0.5) * 1000
    if nsec >= NS then sec, nsec = sec + 1, nsec - NS end
    return sec, nsec
  end

  -- The pcapng interface id for packet i of src: the interface it was
  -- read from while it keeps its place and time (matched), else the
  -- first of src's with its link type, else one per link type and p.iface.
  local function iface_for(w, p, i, src, lt, matched)
    local d, key
    local sifs = src and src.interfaces
    if type(sifs) == "table" then
      local ex = extra[src]
      local k = matched and ex and ex.ifid and ex.ifid[i] or 0
      d = sifs[k + 1]
      if not (type(d) == "table" and alike(d.linktype, lt)) then
        d = nil
        for _, c in ipairs(sifs) do
          if type(c) == "table" and alike(c.linktype, lt) then d = c; break end
        end
      end
      key = d
      lt = d and d.linktype or lt
    end
    local name = p.iface
    key = key or (lt .. "\0" .. tostring(name or ""))
    local id = w.ifs[key]
    if id then return id end
    if type(d) ~= "table" then d = { name = type(name) == "string" and name or nil } end
    return add_iface(w, key, d, lt)
  end

  -- Writes packet i of src (a list, or nil) to w: true, or nil and why
  -- (and true when the file could not be opened).
  local function put(w, p, i, src, from)
    if not w.h then
      local ok, msg = start(w, src, p)
      if not ok then return nil, msg, true end
    end
    local t = p.time
    local ex = src and extra[src]
    local exact = ex and ex.ns and ex.ns[i]
    local sec, nsec
    local matched = exact ~= nil and t == (exact // NS) + (exact % NS) / NS
    if matched then
      sec, nsec = exact // NS, exact % NS
    else
      if t == nil then t = core.walltime() end
      sec, nsec = split_time(t, w.format == "pcapng" or w.nano)
      if not sec then
        return nil, ("its time must be a number of seconds, got %s"):format(tostring(t))
      end
    end
    local wirelen = p.wirelen
    if wirelen ~= nil and (math.type(wirelen) ~= "integer" or wirelen < 0) then
      return nil, ("its wirelen must be a length in bytes, got %s"):format(tostring(wirelen))
    end
    local data = p:bytes()
    local plt = packet_linktype(p)
    local ok, msg
    if w.format == "pcap" then
      if plt and not alike(plt, w.linktype) and not w.o.linktype then
        return nil, ("it starts with %s (link type %d), but the file's link type is %d:"
          .. " a pcap file holds one (pcapng holds several: {format=\"pcapng\"};"
          .. " {linktype=%d} writes them all as that)")
          :format(first_name(p), plt, w.linktype, w.linktype)
      end
      ok, msg = w.h:write(data, sec, nsec, wirelen)
    else
      local lt = w.o.linktype or (plt and alike(plt, from.linktype) and from.linktype)
        or plt or from.linktype or w.linktype
      local id, why = iface_for(w, p, i, src, lt, matched)
      if not id then return nil, why end
      local comments = src and src.comments
      local c = type(comments) == "table" and comments[i] or nil
      ok, msg = w.h:write(data, sec, nsec, wirelen, id, type(c) == "string" and c or nil)
    end
    if not ok then return nil, msg end
    w.n = w.n + 1
    return true
  end

  -- Writes pkts (x as a list) to w: true, or nil and why, naming the
  -- packet.  An error a packet raises (building it) is caught, so that
  -- wrpcap can close its file, and given back without its position.
  local function write_all(w, x, pkts)
    local src = rawequal(pkts, x) and x or nil
    local from = origin(src)
    if not w.h then
      for _, p in ipairs(pkts) do
        w.guess = packet_linktype(p)
        if w.guess then break end
      end
    end
    for i, p in ipairs(pkts) do
      local ok, res, msg, opening = pcall(put, w, p, i, src, from)
      if opening then return nil, msg end
      if not (ok and res) then
        msg = ok and msg or tostring(res):gsub("^[^\n]-:%d+: ", "")
        return nil, ("%s: packet %d: %s"):format(w.path, src and i or w.n + 1, msg)
      end
    end
    return true
  end

  local WriterMT = { __name = "pkt.PcapFile" }
  WriterMT.__index = WriterMT

  function WriterMT.write(w, x)
    if not w.open then error("pcap_writer: the writer is closed", 2) end
    local ok, msg = write_all(w, x, as_list(x, "pcap_writer"))
    if not ok then error("pcap_writer: " .. msg, 2) end
  end

  function WriterMT.flush(w)
    if w.h then
      local ok, msg = w.h:flush()
      if not ok then error(("pcap_writer: %s: %s"):format(w.path, msg), 2) end
    end
  end

  -- Closes the file; an empty one still gets its header when its link
  -- type or format was given.  Raises when the last writes failed.
  local function close(w, fname, src, always)
    if not w.open then return end
    w.open = false
    if not w.h and (always or w.o.linktype or w.o.format) then
      local ok, msg = start(w, src, nil)
      if not ok then error(fname .. ": " .. msg, 3) end
    end
    if w.h then
      local ok, msg = w.h:close()
      if not ok then error(("%s: %s: %s"):format(fname, w.path, msg), 3) end
    end
  end

  function WriterMT.close(w) close(w, "pcap_writer") end
  WriterMT.__close = WriterMT.close
  WriterMT.__gc = function(w) if w.h then w.h:close() end end

  local function new_writer(path, o)
    local t, msg = writer_options(o)
    if not t then return nil, msg end
    if type(path) ~= "string" then
      return nil, ("expected a file path, got %s"):format(type(path))
    end
    return setmetatable({ path = path, o = t, n = 0, open = true }, WriterMT)
  end

  -- pcap_writer(path [, {linktype=, append=, format=, nano=}]) -> w:write(p), w:close()
  function M.pcap_writer(path, o)
    local w, msg = new_writer(path, check_opts("pcap_writer", o, writer_opts))
    if not w then error("pcap_writer: " .. msg, 2) end
    return w
  end

  -- A whole file at once (called last by wrpcap and wrpcapng, so that
  -- level 2 is their caller).
  local function write_file(fname, path, x, o)
    local w, msg = new_writer(path, check_opts(fname, o, writer_opts))
    if not w then error(fname .. ": " .. msg, 2) end
    local pkts = as_list(x, fname)
    local ok
    ok, msg = write_all(w, x, pkts)
    if not ok then
      if w.h then w.h:close() end
      error(fname .. ": " .. msg, 2)
    end
    close(w, fname, rawequal(pkts, x) and x or nil, true)
  end

  -- wrpcap(path, pkts [, {linktype=, append=, format=, nano=}])
  function M.wrpcap(path, x, o) return write_file("wrpcap", path, x, o) end

  -- wrpcapng(path, pkts [, opts]): wrpcap as pcapng, as in Scapy
  function M.wrpcapng(path, x, o)
    local t = {}
    for k, v in pairs(check_opts("wrpcapng", o, writer_opts)) do t[k] = v end
    t.format = "pcapng"
    return write_file("wrpcapng", path, x, t)
  end
end
