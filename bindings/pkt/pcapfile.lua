-- pkt/pcapfile.lua - capture files: rdpcap, wrpcap and the streaming
-- pcap_reader and pcap_writer (libpcap reads pcap and pcapng; files are
-- written as classic pcap, which tcpdump, tshark and Scapy all read).
return function(M, I)
  local core, dissect_as, check_opts = I.core, I.dissect_as, I.check_opts
  local as_list, class_of = I.as_list, I.class_of
  local captured_list, list_add = I.captured_list, I.list_add

  local linktypes = { ether = 1, ethernet = 1, raw = 101, ip = 101, sll = 113, sll2 = 276 }

  local function linktype_for(p, lt)
    if type(lt) == "string" then
      local v = linktypes[lt:lower()]
      if not v then
        error(("unknown linktype '%s' (use ether, raw, sll, sll2 or a number)"):format(lt), 4)
      end
      return v
    end
    if lt then return lt end
    local v = p and core.linktype_of(I.P.proto(p))
    if not v then
      error("cannot tell the link type of a packet starting with "
        .. (p and p:name() or "nothing") .. "; give {linktype=...}", 4)
    end
    return v
  end

  local WriterMT = { __name = "pkt.PcapFile" }
  WriterMT.__index = WriterMT

  function WriterMT.write(w, x)
    for _, p in ipairs(as_list(x, "write")) do
      if not w.h then
        local h, msg = core.pcap_writer(w.path, linktype_for(p, w.linktype), 262144, w.append)
        if not h then error("pcap_writer: " .. msg, 3) end
        w.h = h
      end
      local t = p.time or core.walltime()
      local sec = math.floor(t)
      local usec = math.floor((t - sec) * 1e6 + 0.5)
      if usec >= 1000000 then sec, usec = sec + 1, usec - 1000000 end
      w.h:write(p:bytes(), sec, usec, p.wirelen)
    end
  end

  function WriterMT.flush(w) if w.h then w.h:flush() end end
  function WriterMT.close(w)
    if not w.h and w.linktype then   -- an empty file still gets its header
      local h, msg = core.pcap_writer(w.path, linktype_for(nil, w.linktype), 262144, w.append)
      if not h then error("pcap_writer: " .. msg, 2) end
      w.h = h
    end
    if w.h then w.h:close() end
  end
  WriterMT.__close = WriterMT.close
  WriterMT.__gc = function(w) if w.h then w.h:close() end end

  -- pcap_writer(path [, {linktype=, append=}]) -> w:write(p), w:close()
  function M.pcap_writer(path, o)
    o = check_opts("pcap_writer", o, { linktype = "name", append = "flag" })
    if type(path) ~= "string" then error("pcap_writer: expected a file path", 2) end
    return setmetatable({ path = path, linktype = o.linktype, append = o.append }, WriterMT)
  end

  -- wrpcap(path, pkts [, {linktype=, append=}])
  function M.wrpcap(path, x, o)
    local pkts = as_list(x, "wrpcap")
    local w = M.pcap_writer(path, o)
    if #pkts == 0 and not w.linktype then w.linktype = 1 end
    local ok, err = pcall(w.write, w, pkts)
    w:close()
    if not ok then error(err, 0) end
  end

  -- The frames of a capture file: an iterator of bytes, time, wire
  -- length, and the protocol its frames start with.
  local function frames(fname, path, filter)
    local cap, msg = core.capture_file(path, filter)
    if not cap then error(fname .. ": " .. msg, 3) end
    local _, pid = cap:info()
    return function()
      local data, sec, usec, wirelen = cap:next()
      if not data then            -- sec, usec are the message and its kind
        cap:close()
        -- level 3: the script, past this and the rdpcap or pcap_reader loop
        if usec ~= "eof" then error(fname .. ": " .. tostring(sec), 3) end
        return nil
      end
      return data, sec + usec / 1e6, wirelen
    end, class_of(pid), cap
  end

  -- for p in pcap_reader(path [, {filter=}]) do ... end
  function M.pcap_reader(path, o)
    o = check_opts("pcap_reader", o, { filter = "string" })
    local nextf, first, cap = frames("pcap_reader", path, o.filter)
    local function nextp()
      local data, time, wirelen = nextf()
      if not data then return nil end
      local p = dissect_as(first, data)
      p.time = time
      if wirelen ~= #data then p.wirelen = wirelen end
      return p
    end
    return nextp, nil, nil, cap
  end

  -- rdpcap(path [, count]) -> packets, kept as their bytes until used
  function M.rdpcap(path, count)
    local nextf, first, cap = frames("rdpcap", path)
    local l = captured_list(first, nil, path)
    if count and count < 1 then cap:close(); return l end
    for data, time, wirelen in nextf do
      if list_add(l, data, time, wirelen) == count then cap:close(); break end
    end
    return l
  end
end
