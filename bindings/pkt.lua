-- pkt.lua - the pkt module: layer constructors made from the core's
-- protocol descriptors, packet objects (stack, index, edit, build,
-- dissect) and the Scapy-style helpers around them.
local core = require "pkt.core"
local fmt = require "pkt.format"

local M = { version = core.version }
-- What pkt.lua shares with its other modules (pkt/net.lua, pkt/list.lua).
local I = {}

local PacketMT = { __name = "pkt.Packet" }
local LayerMT = { __name = "pkt.Layer" }
local ClassMT = { __name = "pkt.Class" }
local Packet, Layer = {}, {}

-- Descriptors, by id and by name; fmap maps a field name to its entry.
-- max: the largest value an integer field holds, for the fast check.
local descs, classes = core.protos(), {}
for _, d in ipairs(descs) do
  d.fmap, d.fnames = {}, {}
  for _, fd in ipairs(d.fields) do
    if not d.fmap[fd.name] then
      d.fmap[fd.name] = fd
      d.fnames[#d.fnames + 1] = fd.name
    end
    if (fd.type == "int" or fd.type == "flags") and fd.bits < 63 then
      fd.max = (1 << fd.bits) - 1
    end
    fd.cache, fd.ncache = {}, 0
    -- a value whose meaning depends on another field's must come after it
    if fd.depnames or fd.conditional then d.ordered = true end
  end
end

-- A value in canonical form, or an error naming layer, field and value.
-- Integers in range need no C call; a string (address, name, flags) is
-- checked by C once, then remembered: scripts reuse the same few.
local function norm(d, fd, v, fields)
  local mt = math.type(v)
  if mt == "integer" then
    local max = fd.max
    if max and v >= 0 and v <= max then return v end
  elseif type(v) == "string" and not fd.depnames and fd.type ~= "bytes" then
    local c = fd.cache[v]
    if c ~= nil then return c end
    c = core.norm(d.id, fd.name, v, fields)
    if fd.ncache >= 256 then fd.cache, fd.ncache = {}, 0 end
    fd.cache[v], fd.ncache = c, fd.ncache + 1
    return c
  elseif fd.type == "bytes" and type(v) == "string" and #v <= 40 then
    return v
  end
  return core.norm(d.id, fd.name, v, fields)
end

local ViewMT = { __name = "pkt.Layer" }
local function is_packet(v) return getmetatable(v) == PacketMT end
local function is_layer(v)
  local mt = getmetatable(v)
  return mt == LayerMT or mt == ViewMT
end
local function is_class(v) return getmetatable(v) == ClassMT end
M.is_packet, M.is_layer, M.is_class = is_packet, is_layer, is_class

local function deepcopy(v)
  if type(v) ~= "table" then return v end
  local t = {}
  for k, x in pairs(v) do t[k] = deepcopy(x) end
  return t
end

-- Edit distance, for "did you mean" in error messages.
local function distance(a, b)
  local prev = {}
  for j = 0, #b do prev[j] = j end
  for i = 1, #a do
    local cur = { [0] = i }
    for j = 1, #b do
      local cost = a:sub(i, i) == b:sub(j, j) and 0 or 1
      cur[j] = math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
    end
    prev = cur
  end
  return prev[#b]
end

local function suggest(word, candidates)
  local best, bestd
  for _, c in ipairs(candidates) do
    local d = distance(word:lower(), c:lower())
    if d <= 2 and (not bestd or d < bestd) then best, bestd = c, d end
  end
  return best and (" (did you mean '%s'?)"):format(best) or ""
end

local function no_field(d, name, level)
  error(("%s has no field '%s'%s; its fields are: %s"):format(d.name, tostring(name),
    suggest(tostring(name), d.fnames), table.concat(d.fnames, ", ")), level)
end

---------------------------------------------------------------- layers

-- A layer object: _d its descriptor, _f its fields (name -> canonical
-- value), _p its packet.  _f may be shared with other packets (after
-- `/` or copy): only a layer with _own set writes it in place, any
-- other copies it first, so stacking copies nothing.
local function new_layer(d, fields, own)
  return setmetatable({ _d = d, _f = fields, _own = own }, LayerMT)
end

local function writable(l)
  local f = l._f
  if not rawget(l, "_own") then
    f = deepcopy(f)
    rawset(l, "_f", f)
    rawset(l, "_own", true)
  end
  return f
end

local function invalidate(l)
  local p = rawget(l, "_p")
  if p then rawset(p, "_raw", nil) end
end

-- Field value as a script sees it: flags as their letters, lists copied,
-- unset computed fields nil (Scapy's None), others their default.
local function shown(fd, v)
  if v == nil then
    if fd.auto then return nil end
    v = fd.default
  end
  if fd.type == "flags" then return fmt.flags(fd, v) end
  if type(v) == "table" then return deepcopy(v) end
  return v
end

local function get_field(l, name)
  local f = rawget(l, "_f")
  if f then return shown(l._d.fmap[name], f[name]) end
  -- a dissected layer not yet unpacked: read the one field in C
  return shown(l._d.fmap[name], core.getfield(l._first, l._b, l._i, name))
end

function Layer.fieldnames(l) return l._d.fnames end
function Layer.name(l) return l._d.name end
function Layer.show(l, dump)
  local p = rawget(l, "_p")
  local layers, from = { l }, 1
  if p then
    layers = p._l
    for i, x in ipairs(layers) do if x == l then from = i end end
  end
  return fmt.show(layers, from, dump)
end

LayerMT.__index = function(l, k)
  local m = Layer[k]
  if m then return m end
  if k == "_f" then         -- unpack a dissected layer's fields on first use
    local b = rawget(l, "_b")
    local f = b and core.layerfields(l._first, b, l._i) or {}
    rawset(l, "_f", f)
    rawset(l, "_own", true)
    return f
  end
  if type(k) == "string" and k:sub(1, 1) == "_" then return nil end
  if type(k) ~= "string" or not l._d.fmap[k] then no_field(l._d, k, 2) end
  return get_field(l, k)
end

-- Lengths and checksums a dissected layer read off the wire, dropped at
-- its packet's first edit so they are computed again: "checksums follow"
-- holds for captured packets too.  Set one explicitly afterwards to keep it.
local recomputed = { len = true, chksum = true, ihl = true, dataofs = true }

local function first_edit(p)
  rawset(p, "_edited", true)
  for _, m in ipairs(p._l) do
    if rawget(m, "_b") then
      for name in pairs(recomputed) do
        local fd = m._d.fmap[name]
        if fd and fd.auto and m._f[name] ~= nil then writable(m)[name] = nil end
      end
    end
  end
end

-- A packet made from a captured list's bytes is kept in it once changed
-- (pkt/list.lua).
local function pin(p)
  local owner = rawget(p, "_owner")
  if owner then
    rawset(p, "_owner", nil)
    owner:_keep(rawget(p, "_oi"), p)
  end
end

LayerMT.__newindex = function(l, k, v)
  local d = l._d
  if type(k) ~= "string" or not d.fmap[k] then no_field(d, k, 2) end
  local p = rawget(l, "_p")
  if p then pin(p) end
  if p and rawget(p, "_dissected") and not rawget(p, "_edited") then first_edit(p) end
  local f = writable(l)
  if v == nil then
    f[k] = nil
  else
    f[k] = norm(d, d.fmap[k], v, f)
  end
  invalidate(l)
end

LayerMT.__tostring = function(l) return "<" .. l._d.name .. " layer>" end

local function copy_layer(l)
  local f = l._f     -- first: a dissected layer's fields are made (and owned) here
  rawset(l, "_own", nil)
  return new_layer(l._d, f)
end

--------------------------------------------------------------- packets

-- A packet is flat until a script wants one of its layers as an object:
-- (protocol id, fields) pairs at keys -1, -2, -3, ..., which the core's
-- build reads as they are.  The fields are a table no one writes in
-- place (a copy is made at the first edit), or a string: a Raw load, or
-- the bytes of a dissected packet, which stay bytes until a layer is
-- wanted, so stored captures cost little more than their size.  p._l,
-- the list of layer objects, is made on first use; from then on it is
-- the packet.  Building a packet with constructors and `/` makes one
-- table per constructor and one per `/`.
local RAW
for _, d in ipairs(descs) do if d.name == "Raw" then RAW = d.id end end
local empty = {}    -- fields of a layer made from its class alone

local function flat(id, f) return setmetatable({ [-1] = id, [-2] = f }, PacketMT) end

local function npairs(p)
  local n = 0
  while rawget(p, -2 * n - 1) ~= nil do n = n + 1 end
  return n
end

-- The fields of the first layer of protocol id in a flat packet: that
-- table, nil when there is none, false when the packet is not flat or
-- that layer may be inside dissected bytes.
function I.flat_fields(p, id)
  local n = npairs(p)
  if rawget(p, "_l") or n == 0 then return false end
  for i = 1, n do
    local pid, f = rawget(p, -2 * i + 1), rawget(p, -2 * i)
    if type(f) ~= "table" then
      if pid ~= RAW then return false end
    elseif pid == id then
      return f
    end
  end
  return nil
end

local function dissect_as(d, bytes) return flat(d.id, bytes) end

-- A captured packet with its attributes, made as one table: a sniff
-- callback gets one per frame.
local function captured(d, bytes, time, iface, wirelen)
  return setmetatable({ [-1] = d.id, [-2] = bytes, time = time, iface = iface,
    wirelen = wirelen }, PacketMT)
end

local function new_packet(layers, raw)
  local p = setmetatable({ _l = layers, _raw = raw }, PacketMT)
  for _, l in ipairs(layers) do rawset(l, "_p", p) end
  return p
end

-- The layer objects of a flat packet, which becomes them.
local function unpack_layers(p)
  local layers, n = {}, npairs(p)
  for i = 1, n do
    local id, f = rawget(p, -2 * i + 1), rawget(p, -2 * i)
    rawset(p, -2 * i + 1, nil)
    rawset(p, -2 * i, nil)
    if type(f) ~= "string" then
      layers[#layers + 1] = new_layer(descs[id], f)
    elseif id == RAW then
      layers[#layers + 1] = new_layer(descs[id], { load = f }, true)
    else
      for _, l in ipairs(core.dissect(id, f, LayerMT, descs)) do layers[#layers + 1] = l end
      rawset(p, "_dissected", true)
      if n == 1 and rawget(p, "_raw") == nil then rawset(p, "_raw", f) end
    end
  end
  for _, l in ipairs(layers) do rawset(l, "_p", p) end
  rawset(p, "_l", layers)
  return layers
end

-- Layer objects as pairs for the core's build (and for `/`): share
-- marks their fields shared from now on.
local function flat_of(layers, share)
  local t = {}
  for i, l in ipairs(layers) do
    local f = l._f   -- before _own is cleared: making a dissected layer's fields sets it
    if share then rawset(l, "_own", nil) end
    t[-2 * i + 1], t[-2 * i] = l._d.id, f
  end
  return t
end

-- The pairs of a packet unpacked from dissected bytes and not edited
-- since: its other layers' fields, then those bytes again, so that a
-- copy of it or a stack ending with it drops the lengths and checksums
-- read off the wire at its first edit, as the packet itself would.
local function dissected_pairs(p, layers)
  if not rawget(p, "_dissected") or rawget(p, "_edited") then return nil end
  local t = {}
  for i, l in ipairs(layers) do
    local b = rawget(l, "_b")
    if b then
      t[-2 * i + 1], t[-2 * i] = rawget(l, "_first"), b
      return t
    end
    local f = l._f
    rawset(l, "_own", nil)
    t[-2 * i + 1], t[-2 * i] = l._d.id, f
  end
  return t
end

-- x as an operand of `/`: a flat packet or a string (a Raw load).
local function operand(x, side)
  if getmetatable(x) == PacketMT then
    local layers = rawget(x, "_l")
    if layers then
      return side == "right" and dissected_pairs(x, layers) or flat_of(layers, true)
    end
    -- a dissected packet's bytes can only end a flat packet
    local n = npairs(x)
    if side == "left" and n > 0 and rawget(x, -2 * n + 1) ~= RAW
        and type(rawget(x, -2 * n)) == "string" then
      return flat_of(x._l, true)
    end
    return x
  elseif type(x) == "string" then
    return x
  elseif is_class(x) then
    return rawget(x, "_flat")
  elseif is_layer(x) then
    -- p[IP] / x, as in Scapy: that layer and those above it in its packet
    local l = x
    if getmetatable(x) == ViewMT then l = rawget(x, 1)._l[rawget(x, 2)] end
    local p, b = rawget(l, "_p"), rawget(l, "_b")
    if b and not (p and rawget(p, "_edited")) then
      -- still as read: its bytes, so an edit computes lengths and
      -- checksums again, as dissected packets do (dissected_pairs)
      return { [-1] = l._d.id, [-2] = b:sub(rawget(l, "_off") + 1) }
    end
    local layers, from = p and p._l or { l }, 1
    for i, m in ipairs(layers) do if m == l then from = i end end
    return flat_of(table.move(layers, from, #layers, 1, {}), true)
  end
  -- level 4: operand, div, the C `/` (l_div), then the script
  error(("cannot stack %s on the %s of a packet (stack packets, layers, classes or strings)")
    :format(type(x), side), 4)
end

local function div(a, b)
  return core.cat(PacketMT, operand(a, "left"), operand(b, "right"), RAW)
end
PacketMT.__div, ClassMT.__div = div, div

-- p[UDP] of a dissected packet not yet unpacked is a view of that
-- layer: its fields are read from the bytes in C.  Anything else done
-- with it (an edit, a method) unpacks the packet and goes to the layer.
-- A view is {packet, layer index, descriptor}: an array, the cheapest
-- table to make.
local view_methods = {}

local function real(v) return rawget(v, 1)._l[rawget(v, 2)] end

local function view_index(v, k)
  local p, d = rawget(v, 1), rawget(v, 3)
  local fd = type(k) == "string" and d.fmap[k]
  if fd and not rawget(p, "_l") then
    return shown(fd, core.getfield(rawget(p, -1), rawget(p, -2), rawget(v, 2), k))
  end
  local m = Layer[k]
  if m then
    local f = view_methods[k]
    if not f then
      f = function(self, ...) return m(real(self), ...) end
      view_methods[k] = f
    end
    return f
  end
  -- level 4: no_field, this, the C __index (l_vindex), then the script
  if not fd and not (type(k) == "string" and k:sub(1, 1) == "_") then no_field(d, k, 4) end
  return real(v)[k]
end
ViewMT.__newindex = function(v, k, x)
  local d = rawget(v, 3)
  if type(k) ~= "string" or not d.fmap[k] then no_field(d, k, 3) end
  real(v)[k] = x
end
ViewMT.__tostring = function(v) return tostring(real(v)) end
-- p[UDP] == p[UDP] as with layer objects: the same layer of one packet.
ViewMT.__eq = function(a, b)
  local va, vb = getmetatable(a) == ViewMT, getmetatable(b) == ViewMT
  if va and vb and not rawget(rawget(a, 1), "_l") then
    return rawequal(rawget(a, 1), rawget(b, 1)) and rawget(a, 2) == rawget(b, 2)
  end
  return rawequal(va and real(a) or a, vb and real(b) or b)
end

local function find_layer(p, d, nth)
  if not rawget(p, "_l") and rawget(p, -3) == nil then
    local id, b = rawget(p, -1), rawget(p, -2)
    if type(b) == "string" and id ~= RAW then
      local i = core.find(id, b, d.id, nth)
      return i and setmetatable({ p, i, d }, ViewMT)
    end
  end
  nth = nth or 1
  for _, l in ipairs(p._l) do
    if l._d == d then
      nth = nth - 1
      if nth == 0 then return l end
    end
  end
end

local function layer_with_field(p, name)
  for _, l in ipairs(p._l) do
    if l._d.fmap[name] then return l end
  end
end

-- Settable attributes of a packet besides its fields.
local packet_attrs = { time = true, iface = true, sent_time = true, wirelen = true }

local function packet_index(p, k)
  if k == "_l" then return unpack_layers(p) end
  if k == nil then
    -- level 3: below this, the C __index (l_pindex), then the script
    error("p[nil]: the index is nil; is the layer name spelled right (p[ICMP], p[UDP])?", 3)
  end
  if is_class(k) then return find_layer(p, rawget(k, "_desc")) end
  if math.type(k) == "integer" then return p._l[k] end
  local m = Packet[k]
  if m then return m end
  if type(k) == "string" then
    if packet_attrs[k] then
      local owner = rawget(p, "_owner")
      return owner and I.list_attr(owner, rawget(p, "_oi"), k)
    end
    if k:sub(1, 1) == "_" then return nil end
    local l = layer_with_field(p, k)
    if l then return get_field(l, k) end
  end
  error(("no layer of this packet (%s) has a field '%s'"):format(
    p:summary_names(), tostring(k)), 3)
end

PacketMT.__newindex = function(p, k, v)
  pin(p)
  if type(k) == "string" and (packet_attrs[k] or k:sub(1, 1) == "_") then
    return rawset(p, k, v)
  end
  local l = type(k) == "string" and layer_with_field(p, k)
  if not l then
    error(("no layer of this packet (%s) has a field '%s'"):format(
      p:summary_names(), tostring(k)), 2)
  end
  l[k] = v
end

function Packet.summary_names(p)
  local t = {}
  for i, l in ipairs(p._l) do t[i] = l._d.name end
  return table.concat(t, " / ")
end

-- The bytes are kept until an edit (invalidate): sending one packet
-- again and again builds it once.
function Packet.bytes(p)
  local raw = rawget(p, "_raw")
  if raw then return raw end
  local layers = rawget(p, "_l")
  if not layers then
    local f = rawget(p, -2)
    if type(f) == "string" and rawget(p, -3) == nil then return f end
    raw = core.build(p)
  else
    raw = core.build(flat_of(layers))
  end
  rawset(p, "_raw", raw)
  return raw
end

function Packet.haslayer(p, cls)
  return find_layer(p, rawget(cls, "_desc")) ~= nil
end

function Packet.getlayer(p, cls, nth)
  return find_layer(p, rawget(cls, "_desc"), nth)
end

function Packet.layers(p)
  local t = {}
  for i, l in ipairs(p._l) do t[i] = classes[l._d.name] end
  return t
end

function Packet.copy(p)
  local q
  local layers = rawget(p, "_l")
  local kept = layers and dissected_pairs(p, layers)
  if kept then
    q = setmetatable(kept, PacketMT)
  elseif layers then
    local t = {}
    for i, l in ipairs(layers) do t[i] = copy_layer(l) end
    q = new_packet(t, rawget(p, "_raw"))
  else
    q = core.cat(PacketMT, p, empty, RAW)
  end
  for k in pairs(packet_attrs) do rawset(q, k, p[k]) end
  return q
end

-- The packet as it goes on the wire, dissected again: computed fields
-- filled in (Scapy's show2 view).
function Packet.built(p)
  local id = rawget(p, -1)
  if not id then
    local l = p._l[1]
    if not l then return p end
    id = l._d.id
  end
  return flat(id, p:bytes())
end

function Packet.show(p, dump) return fmt.show(p._l, 1, dump) end
function Packet.show2(p, dump) return fmt.show(p:built()._l, 1, dump) end
function Packet.summary(p) return fmt.summary(p:built()._l) end
function Packet.hexdump(p, dump) return fmt.hexdump(p:bytes(), dump) end

-- Methods and p[UDP] of captured packets in C, the rest in Lua.
PacketMT.__index, ViewMT.__index = core.readers(Packet, ClassMT, ViewMT, RAW,
  packet_index, view_index)

PacketMT.__len = function(p) return #p:bytes() end
PacketMT.__tostring = function(p) return p:summary() end
PacketMT.__eq = function(a, b) return a:bytes() == b:bytes() end

--------------------------------------------------------------- classes

-- IP{...} takes the table it is given as the layer's fields, as
-- setmetatable takes its table: values are put in canonical form in
-- place, and the table must not be changed afterwards (edit the packet).
local function construct(cls, arg)
  local d = rawget(cls, "_desc")
  if arg == nil then return flat(d.id, empty) end
  if type(arg) == "string" then return flat(d.id, arg) end
  if type(arg) ~= "table" or getmetatable(arg) then
    -- level 3: below this, the C __call (l_construct), then the script
    error(("%s{...} takes a table of fields or a string of bytes to dissect, got %s")
      :format(d.name, type(arg)), 3)
  end
  local fmap = d.fmap
  if d.ordered then
    -- fields in descriptor order, so ICMP's type is known before its code
    for k in pairs(arg) do
      if type(k) ~= "string" or not fmap[k] then no_field(d, k, 4) end
    end
    for _, name in ipairs(d.fnames) do
      local v = arg[name]
      if v ~= nil then arg[name] = norm(d, fmap[name], v, arg) end
    end
  else
    for k, v in pairs(arg) do
      local fd = fmap[k]
      if not fd then no_field(d, k, 4) end
      local c = norm(d, fd, v, arg)
      if c ~= v then arg[k] = c end
    end
  end
  return flat(d.id, arg)
end

-- The same two in C for the common cases, falling back to these.
ClassMT.__call, PacketMT.__div = core.fastpaths(PacketMT, ClassMT, empty, RAW, construct, div)
ClassMT.__div, LayerMT.__div, ViewMT.__div = PacketMT.__div, PacketMT.__div, PacketMT.__div
ClassMT.__tostring = function(c) return "<class " .. rawget(c, "_desc").name .. ">" end
ClassMT.__index = function(c, k)
  local d = rawget(c, "_desc")
  if k == "name" then return d.name end
  if k == "fields" then return d.fnames end
  return nil
end

for _, d in ipairs(descs) do
  local cls = setmetatable({ _desc = d, _id = d.id, _flat = { [-1] = d.id, [-2] = empty } },
    ClassMT)
  classes[d.name] = cls
  M[d.name] = cls
end

------------------------------------------------------------- functions

-- ls(IP) lists a layer's fields; ls(p) a packet's, with values.
function M.ls(x, dump)
  if is_class(x) then return fmt.ls(rawget(x, "_desc"), nil, dump) end
  if is_packet(x) then
    local out = {}
    for _, l in ipairs(x._l) do out[#out + 1] = fmt.ls(l._d, l, true) end
    local s = table.concat(out, "--\n")
    if dump then return s end
    io.write(s)
    return
  end
  error("ls() takes a layer class (ls(IP)) or a packet", 2)
end

function M.hexdump(x, dump)
  if is_packet(x) then return x:hexdump(dump) end
  if type(x) == "string" then return fmt.hexdump(x, dump) end
  error("hexdump() takes a packet or a string of bytes", 2)
end

-- raw(p) -> the bytes of p, as Scapy's raw()
function M.raw(p)
  if not is_packet(p) then error("raw() takes a packet", 2) end
  return p:bytes()
end

M.checksum = core.cksum

-- Names the REPL offers after `x.` or `x:`.
function M.complete_names(v)
  local names = {}
  local function add(t) for k in pairs(t) do names[#names + 1] = k end end
  if is_class(v) then
    add({ name = true, fields = true })
    for _, n in ipairs(rawget(v, "_desc").fnames) do names[#names + 1] = n end
  elseif is_layer(v) then
    add(Layer)
    for _, n in ipairs(v._d.fnames) do names[#names + 1] = n end
  elseif is_packet(v) then
    add(Packet)
    local seen = {}
    for _, l in ipairs(v._l) do
      for _, n in ipairs(l._d.fnames) do
        if not seen[n] then seen[n] = true; names[#names + 1] = n end
      end
    end
  elseif I.is_list(v) then
    -- its __index is a function (pkt/list.lua), which the REPL cannot list
    names[1] = "name"
    for k in pairs(I.list_methods) do
      if k:sub(1, 1) ~= "_" then names[#names + 1] = k end
    end
  else
    return nil
  end
  table.sort(names)
  return names
end

fmt.init(core, descs)
I.core, I.descs, I.dissect_as, I.suggest, I.pin = core, descs, dissect_as, suggest, pin
I.captured = captured
require("pkt.net")(M, I)
return M
