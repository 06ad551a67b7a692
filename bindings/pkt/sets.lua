-- pkt/sets.lua - implicit packet sets, as Scapy's: a field given several
-- values (range(lo, hi), each{...}, or an IPv4 network "a.b.c.d/len")
-- makes a set of packets, the product of every such field's values;
-- it is counted, indexed and iterated without building them all.
return function(M, I)
  local P = I.P
  local ValuesMT = { __name = "pkt.Values" }
  local SetMT = { __name = "pkt.PacketSet" }
  local Set = {}

  local function is_values(v) return getmetatable(v) == ValuesMT end
  local function is_set(v) return getmetatable(v) == SetMT end
  M.is_set, I.is_set = is_set, is_set

  -- An error at the script's line, past the pkt modules' frames and C's
  -- (a set is made when the core calls back).
  local libsrc = I.helpers.libsrc
  local function raise(msg)
    for level = 2, math.huge do
      local info = debug.getinfo(level, "Sl")
      if not info then break end
      if info.currentline > 0 and info.source:sub(1, #libsrc) ~= libsrc then
        error(("%s:%d: %s"):format(info.short_src, info.currentline, msg), 0)
      end
    end
    error(msg, 0)
  end

  local function int2ip(n)
    return ("%d.%d.%d.%d"):format(n >> 24 & 255, n >> 16 & 255, n >> 8 & 255, n & 255)
  end

  -- range(lo, hi): every whole number from lo to hi, both included, as
  -- Scapy's (lo, hi) and Lua's `for i = lo, hi`.
  function M.range(lo, hi)
    if math.type(lo) ~= "integer" or math.type(hi) ~= "integer" then
      error(("range(lo, hi) takes two whole numbers, got %s and %s"):format(type(lo), type(hi)), 2)
    end
    if lo > hi then
      error(("range(%d, %d): the low end is above the high end"):format(lo, hi), 2)
    end
    return setmetatable({ false, range = { lo, hi } }, ValuesMT)
  end

  -- each{a, b, ...}: each of these values in turn, as Scapy's [a, b]
  -- (an item may itself be a range or, in an address field, a network).
  function M.each(t)
    if type(t) ~= "table" or getmetatable(t) or #t == 0 then
      error("each{...} takes a list of one value or more, like each{22, 80}", 2)
    end
    return setmetatable({ false, items = table.move(t, 1, #t, 1, {}) }, ValuesMT)
  end

  I.docs.range = { "Every whole number from lo to hi, as a field's values: a packet set",
    "range(lo, hi): both ends included, as Scapy's (lo, hi); IP{ttl=range(1, 30)} is 30 packets" }
  I.docs.each = { "Each of some values, as a field's values: a packet set",
    "each{a, b, ...}, as Scapy's [a, b]; TCP{dport=each{22, 80}} is 2 packets" }

  ValuesMT.__tostring = function(v)
    if v.range then return ("range(%d, %d)"):format(v.range[1], v.range[2]) end
    local t = {}
    for i, x in ipairs(v.items) do t[i] = type(x) == "string" and ("%q"):format(x) or tostring(x) end
    return "each{" .. table.concat(t, ", ") .. "}"
  end

  -- An IPv4 network a.b.c.d/len: its first address and its size.
  local function network(s)
    local a, b, c, d, len = s:match("^(%d+)%.(%d+)%.(%d+)%.(%d+)/(%d+)$")
    a, b, c, d, len = tonumber(a), tonumber(b), tonumber(c), tonumber(d), tonumber(len)
    if not (a and a < 256 and b < 256 and c < 256 and d < 256 and len <= 32) then return nil end
    local mask = len == 0 and 0 or (0xffffffff << (32 - len)) & 0xffffffff
    return ((a << 24) | (b << 16) | (c << 8) | d) & mask, 1 << (32 - len)
  end

  -- Whether value v of field fd makes a set: a values object, or a
  -- network written in an address field.
  local function several(fd, v)
    if is_values(v) then return true end
    return type(v) == "string" and fd and fd.type == "ipv4" and v:find("/", 1, true) ~= nil
  end

  -- The values v stands for in field fd, as segments {n, at(k)} (k from
  -- 0), so a /16 or range(1, 65535) is never listed.
  local function segments(fd, v, out)
    out = out or {}
    if is_values(v) and v.range then
      local lo, hi = v.range[1], v.range[2]
      out[#out + 1] = { n = hi - lo + 1, at = function(k) return lo + k end }
    elseif is_values(v) then
      for _, x in ipairs(v.items) do segments(fd, x, out) end
    elseif type(v) == "string" and fd.type == "ipv4" and v:find("/", 1, true) then
      local base, n = network(v)
      if not base then
        error(("%s: '%s' is not an IPv4 network a.b.c.d/len"):format(fd.name, v), 0)
      end
      out[#out + 1] = { n = n, at = function(k) return int2ip(base + k) end }
    else
      out[#out + 1] = { n = 1, at = function() return v end }
    end
    return out
  end

  -- Value k (from 0) of a field's segments.
  local function value_at(var, k)
    for _, s in ipairs(var.segs) do
      if k < s.n then return s.at(k) end
      k = k - s.n
    end
  end

  local learn_div
  local function new_set(template, vars)
    learn_div()
    local n = 1
    for _, v in ipairs(vars) do n = n * v.n end
    return setmetatable({ template = template, vars = vars, n = n }, SetMT)
  end

  -- Packet k (from 0) of s.  As Scapy iterates, the first layer's last
  -- field turns slowest and the top layer's first field fastest: vars
  -- are kept in that order, slowest first.
  local function packet_at(s, k)
    local q = s.template:copy()
    for j = #s.vars, 1, -1 do
      local var = s.vars[j]
      q[var.layer][var.field] = value_at(var, k % var.n)
      k = k // var.n
    end
    return q
  end

  -- Cls{...} with several values in a field: a set over a template
  -- built of the other fields.  Each segment's first and last value is
  -- set once here, so a bad value is named at the constructor's line.
  local function make_set(cls, t, construct)
    local d, plain, vars = rawget(cls, "_desc"), {}, {}
    for k, v in pairs(t) do
      local fd = d.fmap[k]
      if several(fd, v) then
        local pos
        for i, f in ipairs(d.fields) do if f.name == k then pos = i end end
        local ok, segs = pcall(segments, fd, v)
        if not ok then raise(("%s.%s"):format(d.name, segs)) end
        local n = 0
        for _, s in ipairs(segs) do n = n + s.n end
        vars[#vars + 1] = { layer = 1, field = k, pos = pos, segs = segs, n = n, shown = v }
      else
        plain[k] = v
      end
    end
    table.sort(vars, function(a, b) return a.pos > b.pos end)
    local template = construct(cls, plain)
    for _, var in ipairs(vars) do
      for _, s in ipairs(var.segs) do
        local q = template:copy()
        q[var.field] = s.at(0)
        q[var.field] = s.at(s.n - 1)
      end
    end
    return new_set(template, vars)
  end

  -- a / b where either is a set: the template stacked, b's fields moved
  -- up by the layers a brings.
  local function set_div(a, b)
    local at, bt = is_set(a) and a.template or a, is_set(b) and b.template or b
    local template = at / bt
    local vars = {}
    for _, v in ipairs(is_set(a) and a.vars or {}) do vars[#vars + 1] = v end
    if is_set(b) then
      local shift = P.nlayers(template) - P.nlayers(bt)
      for _, v in ipairs(b.vars) do
        local moved = setmetatable({ layer = v.layer + shift }, { __index = v })
        vars[#vars + 1] = moved
      end
    end
    return new_set(template, vars)
  end

  -- The core refuses a values object, or a network in an address field
  -- (a values object's first item, false, is no option or record
  -- either), and then asks here: the common case costs nothing.
  local ClassMT, PacketMT = I.ClassMT, I.PacketMT
  local construct, cdiv, pdiv = ClassMT.__call, ClassMT.__div, PacketMT.__div
  function I.helpers.several(cls, t)
    if type(t) ~= "table" or getmetatable(t) ~= nil then return nil end
    local d = rawget(cls, "_desc")
    local fmap, named = d.fmap, nil
    for k, v in pairs(t) do      -- a port by its service name
      local n = I.helpers.named(d.name, k, v)
      if n then
        if not named then
          named = {}
          for k2, v2 in pairs(t) do named[k2] = v2 end
        end
        named[k] = n
      end
    end
    if named then return construct(cls, named) end
    for k, v in pairs(t) do
      if several(fmap[k], v) then return make_set(cls, t, construct) end
    end
  end

  -- `/` of a class or packet and a set on its right: installed with the
  -- first set, so a script that makes none pays nothing for it.
  learn_div = function()
    learn_div = function() end
    ClassMT.__div = function(a, b)
      if getmetatable(b) == SetMT then return set_div(a, b) end
      return cdiv(a, b)
    end
    PacketMT.__div = function(a, b)
      if getmetatable(b) == SetMT then return set_div(a, b) end
      return pdiv(a, b)
    end
  end
  SetMT.__div = set_div

  ------------------------------------------------------------ the set

  SetMT.__len = function(s) return s.n end

  SetMT.__index = function(s, k)
    if math.type(k) == "float" then k = math.tointeger(k) or k end
    if math.type(k) == "integer" then
      if k < 1 or k > s.n then return nil end
      return packet_at(s, k - 1)
    end
    local m = Set[k]
    if m then return m end
    error(("a set of %d packets has no field '%s': take one packet, s[1].%s, or "
      .. "each in turn, for p in s:each()"):format(s.n, tostring(k), tostring(k)), 2)
  end

  SetMT.__newindex = function()
    error("a packet set cannot be changed: build it again, or change one packet, s[i]", 2)
  end

  -- for p in s:each() do ... end: the packets in Scapy's order
  function Set.each(s)
    local k = 0
    return function()
      if k >= s.n then return nil end
      k = k + 1
      return packet_at(s, k - 1)
    end
  end

  -- s:expand() -> a PacketList of every packet (what send and sr use)
  function Set.expand(s)
    local t = {}
    for k = 1, s.n do t[k] = packet_at(s, k - 1) end
    return M.PacketList(t, "Set")
  end

  -- The REPL completes a set's methods after `s:`.
  local complete = M.complete_names
  function M.complete_names(v)
    if not is_set(v) then return complete(v) end
    local names = {}
    for k in pairs(Set) do names[#names + 1] = k end
    table.sort(names)
    return names
  end

  -- One layer as "IP dst=198.51.100.0/29 ttl=range(1, 3)".
  local function described(s)
    local by = {}
    for _, v in ipairs(s.vars) do
      by[v.layer] = by[v.layer] or {}
      table.insert(by[v.layer], 1, v)
    end
    local t = {}
    for i = 1, P.nlayers(s.template) do
      local words = { s.template[i]:name() }
      for _, v in ipairs(by[i] or {}) do words[#words + 1] = v.field .. "=" .. tostring(v.shown) end
      t[i] = table.concat(words, " ")
    end
    return table.concat(t, " / ")
  end

  SetMT.__tostring = function(s)
    return ("<%d packets: %s>"):format(s.n, described(s))
  end
  function Set.summary(s) return tostring(s) end

  -- s:show([dump]): the template's listing, each field with several
  -- values shown as written (dst = 198.51.100.0/29), as Scapy shows one.
  function Set.show(s, dump)
    local text = s.template:show(true)
    local starts, secs = {}, {}
    for pos in text:gmatch("()###%[") do starts[#starts + 1] = pos end
    for i, pos in ipairs(starts) do secs[i] = text:sub(pos, (starts[i + 1] or #text + 1) - 1) end
    if #secs == P.nlayers(s.template) then
      for _, v in ipairs(s.vars) do
        local shown = tostring(v.shown):gsub("%%", "%%%%")
        secs[v.layer] = secs[v.layer]:gsub("(\n%s*" .. v.field .. "%s*= )[^\n]*", "%1" .. shown, 1)
      end
      text = table.concat(secs)
    end
    if dump then return text end
    io.write(text)
  end
end
