-- pkt.lua - the pkt module: layer constructors made from the core's
-- protocol descriptors, packet objects (stack, index, edit, build,
-- dissect) and the Scapy-style helpers around them.
local core = require "pkt.core"
local fmt = require "pkt.format"
local diagram = require "pkt.diagram"

local M = { version = core.version }
-- What pkt.lua shares with its other modules (pkt/net.lua, pkt/list.lua).
local I = {}

local ClassMT = { __name = "pkt.Class" }

-- Descriptors, by id and by name; fmap maps a field name to its entry.
local descs, classes = core.protos(), {}
local function index_desc(d)
  d.fmap, d.fnames, d.roles = {}, {}, {}
  for _, fd in ipairs(d.fields) do
    if not d.fmap[fd.name] then
      d.fmap[fd.name] = fd
      d.fnames[#d.fnames + 1] = fd.name
    end
    -- the field a role names: the sending path asks for it by role
    if fd.role and not d.roles[fd.role] then d.roles[fd.role] = fd end
  end
end
for _, d in ipairs(descs) do index_desc(d) end

local function is_class(v) return getmetatable(v) == ClassMT end

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

--------------------------------------------------------------- packets

-- The packet object is C's (bindings/lpacket.c): a userdata holding its
-- layers; p[IP] is the same packet seen from its IP layer.  What is
-- policy or printing is here, over its accessors (P).
local Packet = {}
-- libsrc: where the pkt modules' own frames come from, skipped when an
-- error names the script's line ("@bindings/pkt.lua" -> "@bindings/pkt")
local helpers = { libsrc = debug.getinfo(1, "S").source:gsub("%.lua$", "") }
-- A value the core refused that names one it takes (a port by its
-- service name): the number, or nil.
function helpers.named(layer, field, v)
  return type(v) == "string" and require("pkt.services").number(layer, field, v) or nil
end
local PacketMT, P = core.packets(Packet, ClassMT, helpers)
local is_packet = P.is_packet
M.is_packet, M.is_class = is_packet, is_class
-- p[IP]: a packet seen from one of its layers (every packet method works on it)
function M.is_layer(x) return is_packet(x) and P.isview(x) end

local function desc_of(p, i) return descs[P.proto(p, i)] end

-- The layers of p from its first, each the packet seen from there.
local function layers_of(p)
  local t = {}
  for i = 1, P.nlayers(p) do t[i] = p[i] end
  return t
end

function Packet.summary_names(p)
  local t = {}
  for i = 1, P.nlayers(p) do t[i] = desc_of(p, i).name end
  return table.concat(t, " / ")
end

function helpers.nofield(p, k, as_layer)
  local name = tostring(k)
  if P.nlayers(p) == 0 then
    return ("this packet has no layers, so no field '%s'; build one first, as IP{...}"):format(name)
  end
  if as_layer then
    local d = desc_of(p)
    return ("%s has no field '%s'%s; its fields are: %s"):format(d.name, name,
      suggest(name, d.fnames), table.concat(d.fnames, ", "))
  end
  local names = {}
  for i = 1, P.nlayers(p) do
    for _, n in ipairs(desc_of(p, i).fnames) do names[#names + 1] = n end
  end
  return ("no layer of this packet (%s) has a field '%s'%s"):format(p:summary_names(), name,
    suggest(name, names))
end

-- A packet made from a captured list's bytes is kept in it once changed
-- (pkt/list.lua).
function helpers.keep(l, i, p) l:_keep(i, p) end
local function pin(p)
  local l, i = P.owner(p)
  if l then
    P.setowner(p, nil)
    l:_keep(i, p)
  end
end

function helpers.tostring(p) return p:summary() end

function Packet.name(p) return desc_of(p).name end
function Packet.fieldnames(p) return desc_of(p).fnames end

function Packet.haslayer(p, cls)
  if not is_class(cls) then error("haslayer() takes a layer class (IP, UDP, ...)", 2) end
  return P.getlayer(p, cls) ~= nil
end

function Packet.getlayer(p, cls, nth)
  if math.type(cls) == "integer" then return p[cls] end
  if not is_class(cls) then error("getlayer() takes a layer class (IP, UDP, ...) or a number", 2) end
  if nth ~= nil and math.type(nth) ~= "integer" then
    error(("getlayer(cls, nth): nth counts layers of that class from 1, got %s"):format(type(nth)), 2)
  end
  return P.getlayer(p, cls, nth)
end

function Packet.layers(p)
  local t = {}
  for i = 1, P.nlayers(p) do t[i] = classes[desc_of(p, i).name] end
  return t
end

function Packet.lastlayer(p) return p[P.nlayers(p)] end

-- The packet as it goes on the wire, dissected again: computed fields
-- filled in (Scapy's show2 view).
function Packet.built(p)
  local id = P.proto(p)
  return id and P.dissect(id, p:bytes()) or p     -- no layers: nothing to build
end

function Packet.show(p, dump) return fmt.show(p, dump) end
function Packet.show2(p, dump) return fmt.show(p:built(), dump) end
-- Summarized as built (lengths and addresses filled in), unless the
-- bytes dissect as other layers (TCP()/IP()): then as its own layers.
function Packet.summary(p)
  local b = p:built()
  if b:summary_names() ~= p:summary_names() then b = p end
  return fmt.summary(layers_of(b))
end
function Packet.hexdump(p, dump) return fmt.hexdump(p:bytes(), dump, p) end
function Packet.diagram(p, opts) return diagram.packet(p, opts) end

-- A method called with a dot (p.show()) gets no packet: say so at the
-- script's line rather than fail inside the library.  (The wrapper
-- tail-calls, so the methods' own error levels still name the script.)
-- Done once every module has added its methods (the end of this file).
local function colon_methods()
  for name, f in pairs(Packet) do
    if debug.getinfo(f, "S").what == "Lua" then
      Packet[name] = function(p, ...)
        if not is_packet(p) then
          error(("%s() is a packet method: call it with a colon, p:%s(...), got %s")
            :format(name, name, type(p)), 2)
        end
        return f(p, ...)
      end
    end
  end
end

--------------------------------------------------------------- classes

ClassMT.__call, ClassMT.__div = P.construct, P.div
ClassMT.__tostring = function(c) return "<class " .. rawget(c, "_desc").name .. ">" end
ClassMT.__index = function(c, k)
  local d = rawget(c, "_desc")
  if k == "name" then return d.name end
  if k == "fields" then return d.fnames end
  if k == "fields_desc" then return d.fields end
  return nil
end

local function make_class(d)
  local cls = setmetatable({ d.id, _desc = d, _id = d.id }, ClassMT)
  classes[d.name] = cls
  M[d.name] = cls
  return cls
end
for _, d in ipairs(descs) do make_class(d) end

-- pkt.layer{...} declares a protocol (pkt/declare.lua checks the
-- declaration); the core registers it, and it gets a class like a
-- built-in's.  The lower layers' binds are read again: they carry it now.
local attrs = { payload = true, underlayer = true, time = true, sent_time = true,
  wirelen = true, iface = true, fields = true }
local function reserved(name) return Packet[name] ~= nil or attrs[name] end
M.layer = require("pkt.declare")(classes, is_class, reserved, function(decl)
  local id, why = core.register(decl)
  if not id then error(("pkt.layer %s: %s"):format(decl.name, why), 3) end
  local d = core.proto(id)
  index_desc(d)
  descs[id] = d
  for i, fresh in ipairs(core.protos()) do descs[i].binds = fresh.binds end
  return make_class(d)
end)

------------------------------------------------------------- functions

-- ls(IP) lists a layer's fields; ls(p) a packet's, with values.
function M.ls(x, dump)
  if is_class(x) then return fmt.ls(rawget(x, "_desc"), nil, dump) end
  if is_packet(x) then
    local out = {}
    for i = 1, P.nlayers(x) do out[i] = fmt.ls(desc_of(x, i), x[i], true) end
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
  elseif is_packet(v) then
    add(Packet)
    local seen = {}
    for i = 1, P.nlayers(v) do
      for _, n in ipairs(desc_of(v, i).fnames) do
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

fmt.init(P, descs)
diagram.init(P, descs)
I.core, I.descs, I.suggest, I.pin, I.P = core, descs, suggest, pin, P
I.ClassMT, I.PacketMT, I.helpers = ClassMT, PacketMT, helpers
function I.dissect_as(d, bytes) return P.dissect(d.id, bytes) end
function I.captured(d, bytes, time, iface, wirelen) return P.captured(d.id, bytes, time, iface, wirelen) end
I.Packet = Packet
require("pkt.net")(M, I)
require("pkt.scapy")(M, I)
require("pkt.sets")(M, I)
require("pkt.async")(M, I)
require("pkt.tools")(M, I)
require("pkt.ipv6")(M, I)
require("pkt.pyport")(M, I)
colon_methods()
return M
