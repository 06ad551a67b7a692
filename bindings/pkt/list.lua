-- pkt/list.lua - packet lists, as sniff, rdpcap and sr return them
-- (Scapy's PacketList): indexed, counted, summarized and shown whole.
-- A captured list keeps each packet as its bytes and time, little more
-- than the captured size; the packet object is made when the script
-- indexes it, and kept in the list once the script changes it.
return function(M, I)
  local P = I.P
  local ListMT = { __name = "pkt.PacketList" }
  local List = {}

  -- Packet i of a captured list: the object kept there, or one made now
  -- from the bytes.  Its time, iface and wire length stay in the list
  -- (see attr) until it is kept.  While a script holds it, l[i] gives
  -- the same object again (_o, weak), so two edits of l[i] both stay.
  local function made(l, i)
    local b = rawget(l, "_b")[i]
    if type(b) ~= "string" then return b or nil end
    local o = rawget(l, "_o")
    local p = o[i]
    if p then return p end
    p = P.captured(rawget(l, "_first").id, b, rawget(l, "_t")[i], rawget(l, "_iface"),
      rawget(l, "_w")[i])
    P.setowner(p, l, i)       -- an edit keeps it in l (List._keep)
    o[i] = p
    return p
  end

  -- The packet made from slot i, if a script holds it, becomes a packet
  -- of its own (it has its time and the rest) before the slot changes.
  local function detach(l, i)
    local o = rawget(l, "_o")
    local p = o[i]
    if not p then return end
    o[i] = nil
    if P.owner(p) == l then P.setowner(p, nil) end
  end

  -- Packet i made from l's bytes, edited: it takes its slot.  A slot
  -- holds bytes until it is kept or set; one set since is not p's any
  -- more (a packet made from it and still held was detached then).
  function List._keep(l, i, p)
    local b, o = rawget(l, "_b"), rawget(l, "_o")
    if type(b[i]) ~= "string" then return end
    if not rawequal(o[i], p) then detach(l, i) end
    o[i] = nil
    b[i] = p
  end

  -- l[2.0] is l[2], as in a table (a key like #l / 2 is a float)
  local function key(k)
    return math.type(k) == "float" and math.tointeger(k) or k
  end

  ListMT.__index = function(l, k)
    k = key(k)
    if math.type(k) == "integer" then
      return rawget(l, "_b") and made(l, k) or nil
    end
    return List[k]
  end

  ListMT.__len = function(l)
    local b = rawget(l, "_b")
    return b and #b or rawlen(l)
  end

  -- l[#l + 1] = p appends, l[#l] = nil drops the last, l[i] = p
  -- replaces, as with a table; a captured list has no holes.
  ListMT.__newindex = function(l, k, v)
    local b = rawget(l, "_b")
    k = key(k)
    if not (b and math.type(k) == "integer") then return rawset(l, k, v) end
    local n = #b
    if v ~= nil and not M.is_packet(v) then
      error(("a captured packet list holds packets, not a %s"):format(type(v)), 2)
    end
    if v == nil and k == n then
      detach(l, k)
      b[k], rawget(l, "_t")[k], rawget(l, "_w")[k] = nil, nil, nil
    elseif v ~= nil and k >= 1 and k <= n + 1 then
      -- a packet made from a list's bytes (table.remove, insert and sort
      -- move them) is kept in its own slot first, with its time
      I.pin(v)
      detach(l, k)
      b[k] = v
    else
      error(("a packet list has %d packets: set one of 1..%d, or the last to nil")
        :format(n, n + 1), 2)
    end
  end
  ListMT.__pairs = function(l)
    return function(_, i)
      i = i + 1
      local p = l[i]
      if p ~= nil then return i, p end
    end, l, 0
  end

  -- A list of packet objects (sr's answers, a script's own list).
  function I.new_list(t, name)
    t.name = name or "PacketList"
    return setmetatable(t, ListMT)
  end
  M.PacketList = function(t, name) return I.new_list(t or {}, name) end

  local weak = { __mode = "v" }

  -- An empty list for captured packets that start with protocol first.
  function I.captured_list(first, iface, name)
    return setmetatable({ name = name or "Sniffed", _first = first, _iface = iface,
      _b = {}, _t = {}, _w = {}, _o = setmetatable({}, weak) }, ListMT)
  end

  -- Appends a captured packet; returns its index.  p, when given, is the
  -- object already made of it (for a sniff callback): l[i] gives it back
  -- while it is held, and it is kept in l if the callback edits it.
  function I.list_add(l, bytes, time, wirelen, p)
    local b = rawget(l, "_b")
    local n = #b + 1
    b[n], rawget(l, "_t")[n] = bytes, time
    if wirelen ~= #bytes then rawget(l, "_w")[n] = wirelen end
    if p then
      P.setowner(p, l, n)
      rawget(l, "_o")[n] = p
    end
    return n
  end

  function I.is_list(x) return getmetatable(x) == ListMT end
  I.list_methods = List

  -- One line a packet ("sent ==> received" for a pair), numbered or not.
  local function lines(l, dump, numbered)
    local t = {}
    for i, p in ipairs(l) do
      local s = M.is_packet(p) and p:summary() or (p[1]:summary() .. " ==> " .. p[2]:summary())
      t[i] = numbered and ("%04d %s"):format(i, s) or s
    end
    local s = table.concat(t, "\n") .. (#t > 0 and "\n" or "")
    if dump then return s end
    io.write(s)
  end

  function List.summary(l, dump) return lines(l, dump, false) end
  function List.nsummary(l, dump) return lines(l, dump, true) end

  function List.show(l, dump)
    local t = {}
    for i, p in ipairs(l) do
      local q = M.is_packet(p) and p or p[2]
      t[#t + 1] = ("---- packet %d ----\n%s"):format(i, q:show(true))
    end
    local s = table.concat(t)
    if dump then return s end
    io.write(s)
  end

  -- The exchange as a ladder diagram (pkt/diagram.lua).
  function List.flow(l, opts) return require("pkt.diagram").flow(l, opts) end

  -- <Sniffed: TCP:3 UDP:1 ICMP:0 Other:2>, as Scapy prints a list.
  ListMT.__tostring = function(l)
    local c = { TCP = 0, UDP = 0, ICMP = 0, Other = 0 }
    for _, p in ipairs(l) do
      if not M.is_packet(p) then p = p[2] end
      local k = (p:haslayer(M.TCP) and "TCP") or (p:haslayer(M.UDP) and "UDP")
        or (p:haslayer(M.ICMP) and "ICMP") or "Other"
      c[k] = c[k] + 1
    end
    return ("<%s: TCP:%d UDP:%d ICMP:%d Other:%d>"):format(l.name, c.TCP, c.UDP, c.ICMP, c.Other)
  end
end
