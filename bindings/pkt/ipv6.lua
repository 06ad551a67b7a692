-- pkt/ipv6.lua - IPv6 conveniences over the public packet API:
-- fragment6() and defragment6() as Scapy has them (RFC 8200 4.5), and
-- IPerror6, Scapy's name for the quoted IPv6 header of an ICMPv6 error.
return function(M, I)
  -- The core names a quoted form <name>error; Scapy has IPerror6 for
  -- IPv6's and no name for the quoted ICMPv6 messages and Fragment
  -- header (a quote of them is written and read in their plain names).
  M.IPerror6, M.IPv6error = M.IPv6error, nil
  for name, v in pairs(M) do
    if M.is_class(v) and name:match("^I[CP][MPv]*6.*error$") then M[name] = nil end
  end
  -- ls() lists IPerror6 with Scapy's long name (the core's says ICMP)
  local ls = M.ls
  function M.ls(x, dump)
    if x ~= nil then return ls(x, dump) end
    local s = ls(nil, true):gsub("(\nIPerror6%s+: IPv6 in ICMP)\n", "%1v6\n")
    if dump then return s end
    io.write(s)
  end

  local FRAG = 44

  -- The bytes of p, where its IPv6 header starts in them (1-based), and
  -- its fixed header's next header and payload length.
  local function locate(p, who)
    if not (M.is_packet(p) and p:haslayer(M.IPv6)) then
      error(who .. ": takes IPv6 packets (IPv6 / ...)", 3)
    end
    local b = p:bytes()
    local at = #b - #p[M.IPv6]:bytes() + 1
    return b, at, b:byte(at + 6), string.unpack(">I2", b, at + 4)
  end

  local function ipv6_header(b, at, nh, plen)
    return b:sub(at, at + 3) .. string.pack(">I2B", plen, nh) .. b:sub(at + 7, at + 39)
  end

  local function frag_header(nh, offset, m, id)
    return string.pack(">BBI2I4", nh, 0, offset << 3 | m, id)
  end

  -- fragment6(p, size) -> list: p cut into fragments of at most size
  -- bytes each (the whole frame, as Scapy counts it), behind a Fragment
  -- header (added after the IPv6 header when p has none, with a random
  -- id); the pieces but the last are multiples of 8 bytes.  A packet
  -- that fits comes back whole, with its Fragment header.
  function M.fragment6(p, size)
    if math.type(size) ~= "integer" or size < 1 then
      error("fragment6: the size is a whole number of bytes (the largest fragment)", 2)
    end
    local b, at, nh, plen = locate(p, "fragment6")
    local first = p:layers()[1]
    local prefix, data, id = b:sub(1, at - 1)
    if nh == FRAG and p:haslayer(M.IPv6ExtHdrFragment) then
      local f = p[M.IPv6ExtHdrFragment]
      nh, id = b:byte(at + 40), f.id
      data = b:sub(at + 48, at + 39 + plen)
    else
      id = math.random(0, 0xffffffff)
      data = b:sub(at + 40, at + 39 + plen)
    end
    local unfrag = #prefix + 40 + 8
    if unfrag + #data <= size then
      return M.PacketList({ first(prefix .. ipv6_header(b, at, FRAG, 8 + #data)
                                  .. frag_header(nh, 0, 0, id) .. data) }, "Fragmented")
    end
    local last = size - unfrag
    local step = last - last % 8
    if step <= 0 then
      error(("fragment6: a size of %d leaves no room for data; give more than %d"):format(size, unfrag + 7), 2)
    end
    local out, pos = {}, 1
    while true do
      local tail = #data - pos + 1 <= last
      local piece = data:sub(pos, tail and #data or pos + step - 1)
      local q = first(prefix .. ipv6_header(b, at, FRAG, 8 + #piece)
                      .. frag_header(nh, (pos - 1) // 8, tail and 0 or 1, id) .. piece)
      q.time = p.time
      out[#out + 1] = q
      if tail then break end
      pos = pos + step
    end
    return M.PacketList(out, "Fragmented")
  end

  -- defragment6(list) -> packet: the fragments in list with the id of the
  -- first one, put in order of offset and joined behind the first one's
  -- headers, its Fragment header removed, as Scapy's defragment6(); a
  -- gap is filled with "X" as Scapy fills it.  nil when list holds no
  -- fragment.
  function M.defragment6(list)
    if type(list) ~= "table" then error("defragment6: takes a list of packets", 2) end
    local frags = {}
    for _, p in ipairs(list) do
      if M.is_packet(p) and p:haslayer(M.IPv6ExtHdrFragment) then
        local f = p[M.IPv6ExtHdrFragment]
        if #frags == 0 or f.id == frags[1].id then
          frags[#frags + 1] = { p = p, id = f.id, offset = f.offset }
        end
      end
    end
    if #frags == 0 then return nil end
    table.sort(frags, function(a, b) return a.offset < b.offset end)
    local parts, len = {}, 0
    for _, e in ipairs(frags) do
      local b, at, _, plen = locate(e.p, "defragment6")
      local want = e.offset * 8
      if want > len then parts[#parts + 1] = ("X"):rep(want - len); len = want end
      local piece = b:sub(at + 48, at + 39 + plen)
      parts[#parts + 1] = piece
      len = len + #piece
    end
    local b, at = locate(frags[1].p, "defragment6")
    local body = table.concat(parts)
    local q = frags[1].p:layers()[1](b:sub(1, at - 1) .. ipv6_header(b, at, b:byte(at + 40), #body) .. body)
    q.time = frags[#frags].p.time
    return q
  end

end
