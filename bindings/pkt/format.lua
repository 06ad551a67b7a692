-- pkt/format.lua - how packets print: show() in Scapy's layout, the
-- one-line summary, tcpdump -X style hexdumps and ls() listings, all
-- driven by the protocol descriptors.
local services = require "pkt.services"
local colour = require "pkt.colour"

local M = {}
local P, descs     -- the packet accessors (bindings/lpacket.c), descriptors

function M.init(p, d) P, descs = p, d end

local function out(s, dump)
  if dump then return s end
  io.write(s)
end

-- Flag bits as Scapy prints them: "SA", "MF+DF", "" for none.
function M.flags(fd, v)
  local names, single = fd.flagnames, true
  for _, n in pairs(names) do if #n ~= 1 then single = false end end
  local t = {}
  for bit = 0, fd.bits - 1 do
    if v >> bit & 1 == 1 then
      t[#t + 1] = names[bit] or ("0x%x"):format(1 << bit)
    end
  end
  return table.concat(t, single and "" or "+")
end

-- Python's repr of a byte string, without the b prefix (as Scapy shows a load).
local escapes = { ["\\"] = "\\\\", ["\t"] = "\\t", ["\n"] = "\\n", ["\r"] = "\\r" }
function M.pyrepr(s)
  local q = (s:find("'", 1, true) and not s:find('"', 1, true)) and '"' or "'"
  local body = s:gsub("[%z\1-\31\\'\"\127-\255]", function(c)
    if escapes[c] then return escapes[c] end
    if c == "'" or c == '"' then return c == q and "\\" .. c or c end
    return ("\\x%02x"):format(c:byte())
  end)
  return q .. body .. q
end

local function list_repr(v)
  local t = {}
  for i, item in ipairs(v) do
    local name, val = item[1], item[2]
    local ns = type(name) == "string" and ("'%s'"):format(name) or tostring(name)
    local vs
    if val == nil then vs = "None"
    elseif type(val) == "table" then
      local xs = {}
      for j, x in ipairs(val) do xs[j] = tostring(x) end
      vs = "(" .. table.concat(xs, ", ") .. (#xs == 1 and ",)" or ")")
    elseif type(val) == "string" then vs = "b" .. M.pyrepr(val)
    else vs = tostring(val) end
    t[i] = ("(%s, %s)"):format(ns, vs)
  end
  return "[" .. table.concat(t, ", ") .. "]"
end

-- An option list as Scapy prints DHCP's: [message-type=discover
-- router=198.51.100.1,198.51.100.2 param_req_list=[1, 3] end]; a kind
-- without a description shows its number and bytes.
local function tlv_repr(fd, v)
  local kinds, t = {}, {}
  for k, n in pairs(fd.optnames) do kinds[n] = k end
  for i, o in ipairs(v) do
    if type(o) ~= "table" then
      t[i] = tostring(o)
    else
      local info, vs = fd.optvalues[kinds[o[1]]] or {}, {}
      for j = 2, #o do
        local x = o[j]
        if type(x) == "table" then
          local xs = {}
          for q, e in ipairs(x) do xs[q] = tostring(e) end
          x = "[" .. table.concat(xs, ", ") .. "]"
        elseif info.names and info.names[x] then x = info.names[x]
        elseif type(x) == "string" and not info.type then x = "b" .. M.pyrepr(x)
        elseif info.type == "bytes" or info.type == "string" then x = M.pyrepr(x)
        end
        vs[#vs + 1] = tostring(x)
      end
      t[i] = ("%s=%s"):format(o[1], table.concat(vs, ","))
    end
  end
  return "[" .. table.concat(t, " ") .. "]"
end

-- A value v of field fd as it prints, outside any packet: names for
-- enumerations, letters for flags, Python's repr for bytes.
-- names, when given (false: none), stands for the field's own (ICMP's
-- code names depend on its type).
local function plain(fd, v, names)
  local ty = fd.type
  if ty == "int" then
    if names == nil then names = fd.names end
    if names and names[v] then return names[v] end
    return fd.hex and ("0x%x"):format(v) or tostring(v)
  elseif ty == "flags" then return type(v) == "string" and v or M.flags(fd, v)
  elseif ty == "bytes" then return M.pyrepr(v)
  elseif ty == "fixed" then
    -- the zero fill is shown as a count, as Scapy shows chaddr's
    local body = v:gsub("%z+$", "")
    local pad = #v - #body
    return M.pyrepr(body) .. ((pad > 0 and #body > 0) and (" (+ %d nul pad)"):format(pad) or "")
  elseif ty == "tlv" then return fd.tuples and list_repr(v) or tlv_repr(fd, v)
  elseif ty == "records" then return M.records_repr(fd, v)
  elseif ty == "ipv6s" then      -- as Scapy prints a list of addresses
    return "[ " .. table.concat(v, ", ") .. " ]"
  elseif ty == "strings" then
    local t = {}
    for i, s in ipairs(v) do t[i] = "b" .. M.pyrepr(s) end
    return "[" .. table.concat(t, ", ") .. "]"
  end
  return tostring(v)
end

local function desc_named(name)
  for _, d in ipairs(descs) do if d.name == name then return d end end
end

-- The class of record r of a list of fd.of records (its own when it is
-- a variant, DNS's MX record among DNSRRs), and the fields it has, in
-- order: of two of a name (DNS's rdata, an address or a name) the one
-- it holds.
local function record_fields(fd, r)
  local mt = getmetatable(r)
  local d = mt and descs[mt.class] or desc_named(fd.of)
  local t = {}
  for i, rf in ipairs(d.fields) do
    if r[rf.name] ~= nil and (not mt or mt.present >> (i - 1) & 1 == 1) then t[#t + 1] = rf end
  end
  return d, t
end

-- Records as Scapy's repr of a packet list: [<Item  a=1 b=2 |>, ...]
function M.records_repr(fd, v)
  local t = {}
  for i, r in ipairs(v) do
    local d, rfs = record_fields(fd, r)
    local f = {}
    for _, rf in ipairs(rfs) do f[#f + 1] = ("%s=%s"):format(rf.name, plain(rf, r[rf.name])) end
    t[i] = ("<%s  %s |>"):format(d.name, table.concat(f, " "))
  end
  return "[" .. table.concat(t, ", ") .. "]"
end

-- Records as show() lists them, each under the field's name, as Scapy does.
local function show_records(t, ind, fd, v)
  t[#t + 1] = ("%s\\%-10s\\"):format(ind, fd.name)
  for _, r in ipairs(v) do
    local d, rfs = record_fields(fd, r)
    t[#t + 1] = ("%s |###[ %s ]### "):format(ind, d.longname)
    for _, rf in ipairs(rfs) do
      t[#t + 1] = ("%s |  %-10s= %s"):format(ind, rf.name, plain(rf, r[rf.name]))
    end
  end
end

-- A field's value as show() and summaries print it: l is a packet seen
-- from the layer the field is in.  Unset computed fields print None;
-- an unset next-protocol field prints what the layer above decides.
function M.value(l, fd)
  local v = P.value(l, fd.name)
  if v == nil then return "None" end
  -- a port prints as its service name where Scapy's does (dport = domain)
  local svc = math.type(v) == "integer" and services.field(descs[P.proto(l)].name, fd.name, v)
  if svc then return svc end
  return plain(fd, v, fd.depnames and (fd.depnames[P.value(l, fd.dep)] or false))
end

local notes = {
  truncated = "truncated: the capture ends inside this header",
  invalid = "invalid: a length field disagrees with the bytes",
}

-- Scapy's layout, from p's first layer on.
function M.show(p, dump)
  local t = {}
  for i = 1, P.nlayers(p) do
    local l = p[i]
    local d = descs[P.proto(l)]
    local ind = "  " .. ("   "):rep(i - 1)
    t[#t + 1] = ("###[ %s ]### "):format(d.longname)
    local st, cut, why = P.status(l)
    if cut and st == "truncated" then
      t[#t + 1] = ("%s!! truncated %s header, kept as raw bytes"):format(ind, cut)
    elseif cut then
      t[#t + 1] = ("%s!! not a valid %s header (%s), kept as raw bytes"):format(ind, cut,
        why or "its fields disagree")
    elseif why then
      t[#t + 1] = ("%s!! invalid: %s"):format(ind, why)
    elseif notes[st] then
      t[#t + 1] = ind .. "!! " .. notes[st]
    end
    local has, shown = P.present(l), {}
    for _, fd in ipairs(d.fields) do
      -- a name may have two layouts (ICMP's unused): one is shown
      if has[fd.name] and not shown[fd.name] then
        shown[fd.name] = true
        local v = P.value(l, fd.name)
        if fd.type == "bytes" and fd.name ~= "load" and (v == nil or v == "") then
          t[#t + 1] = ("%s\\%-10s\\"):format(ind, fd.name)
        elseif fd.type == "records" then
          show_records(t, ind, fd, v or {})
        else
          t[#t + 1] = ("%s%-10s= %s"):format(ind, fd.name, M.value(l, fd))
        end
      end
    end
  end
  t[#t + 1] = ""
  local text = table.concat(t, "\n") .. "\n"
  if colour.on(dump) then text = colour.show(text, select(2, P.root(p))) end
  return out(text, dump)
end

-- The first value of the first option called oname in option list
-- field fd of l, by its name when it has one; nil when there is none.
local function option_value(l, fd, oname)
  for _, o in ipairs(P.value(l, fd.name) or {}) do
    if type(o) == "table" and o[1] == oname and o[2] ~= nil then
      for k, n in pairs(fd.optnames) do
        local info = n == oname and fd.optvalues[k]
        if info and info.names and info.names[o[2]] then return info.names[o[2]] end
      end
      return tostring(o[2])
    end
  end
end

-- %options.name% of an option list field: the option's value, %^...%
-- capitalised as Python's str.capitalize (DHCP's "Discover"); nil when
-- the option is not there, and then the format does not apply.
local function expand_options(l, f)
  local missing = false
  local s = f:gsub("%%(%^?)(([%w_]+)%.([%w_%-]+))%%", function(cap, whole, name, oname)
    local fd = descs[P.proto(l)].fmap[name]
    if not fd or fd.type ~= "tlv" then return "%" .. cap .. whole .. "%" end
    local v = option_value(l, fd, oname)
    if not v then missing = true; return "" end
    return cap == "" and v or v:sub(1, 1):upper() .. v:sub(2):lower()
  end)
  if not missing then return s end
end

-- Expands %name% (this layer), %<name% (nearest layer below),
-- %list.name% (that field of the first record of a list, DNS's
-- qd.qname) and options (expand_options).  A part in braces is left out
-- when a name in it has no value (a DNS answer without records).  The
-- second result is false when a %<name% found no layer below with it;
-- nil when an option named is not there.
local function expand(layers, i, f)
  local missing, found = nil, true
  f = expand_options(layers[i], f)
  if not f then return nil, false end
  local function field(down, name)
    local from, to = i, i
    local list, sub = name:match("^([%w_]+)%.([%w_]+)$")
    if down == "<" then from, to = i - 1, 1 end
    for j = from, to, -1 do
      local l = layers[j]
      local fd = descs[P.proto(l)].fmap[list or name]
      if fd and list then
        local first = (P.value(l, list) or {})[1]
        local v = type(first) == "table" and first[sub] or nil
        if type(v) == "table" then      -- TXT strings
          local t = {}
          for k, s in ipairs(v) do t[k] = "b" .. M.pyrepr(tostring(s)) end
          v = "[" .. table.concat(t, ", ") .. "]"
        end
        if v ~= nil then return tostring(v) end
      elseif fd and (P.isset(l, name) or P.present(l)[name]) then
        return M.value(l, fd)
      end
    end
    missing = true
    if down == "<" then found = false end
    return "??"
  end
  local function fields(s) return (s:gsub("%%(<?)([%w_%.]+)%%", field)) end
  local s = fields(f:gsub("(%b{})", function(part)
    missing = false
    local s = fields(part:sub(2, -2))
    return missing and "" or s
  end))
  return s, found
end

-- The first of the layer's formats that applies and whose fields from
-- below are there (TCP with no IP under it takes its plainer form).
local function layer_summary(layers, i)
  local l, first = layers[i], nil
  for _, s in ipairs(descs[P.proto(l)].summary) do
    if not s.field or P.value(l, s.field) == s.value then
      local text, found = expand(layers, i, s.fmt)
      if found then return text end
      first = first or text
    end
  end
  return first
end

-- Scapy's rule: the topmost layer with a summary prints it; layers
-- below it print their names, layers above it theirs too.
function M.summary(layers)
  local parts, found = {}, false
  for i = #layers, 1, -1 do
    local s = not found and layer_summary(layers, i)
    if s then found = true end
    table.insert(parts, 1, s or descs[P.proto(layers[i])].name)
  end
  return table.concat(parts, " / ")
end

-- tcpdump -X: offset, 16 bytes in groups of two, then ASCII.
function M.hexdump(s, dump, p)
  local t = {}
  for off = 0, #s - 1, 16 do
    local chunk = s:sub(off + 1, off + 16)
    local hex = chunk:gsub("..?", function(w)
      return (("%02x"):rep(#w)):format(w:byte(1, -1)) .. " "
    end)
    local ascii = chunk:gsub("[^\32-\126]", ".")
    t[#t + 1] = ("0x%04x:  %-40s %s"):format(off, hex, ascii)
  end
  local text = table.concat(t, "\n") .. (#t > 0 and "\n" or "")
  -- on a terminal, each layer of packet p in its colour (pkt/colour.lua)
  if p and #t > 0 and colour.on(dump) then
    local n, starts, names = P.nlayers(p), {}, {}
    for i = 1, n do
      starts[i], names[i] = #s - #p[i], descs[P.proto(p[i])].name
    end
    text = colour.hexdump(text, starts, names, select(2, P.root(p)))
  end
  return out(text, dump)
end

local function type_desc(fd)
  if fd.type == "int" then
    return ("%s (%d bits)"):format((fd.names or fd.depnames) and "enum" or "int", fd.bits)
  elseif fd.type == "flags" then
    local n = {}
    for bit = 0, fd.bits - 1 do n[#n + 1] = fd.flagnames[bit] end
    return ("flags (%s)"):format(table.concat(n, " "))
  elseif fd.type == "wide" then
    return ("int (%d bits)"):format(fd.bits)
  elseif fd.type == "tlv" and fd.tuples then
    return "options"
  elseif fd.type == "records" then
    return ("records of %s"):format(fd.of)
  end
  return fd.type
end

-- ls(IP): the class's fields and defaults; with l (a packet seen from
-- a layer of class d), that layer's values.
function M.ls(d, l, dump)
  local t, shown = {}, {}
  local has = l and P.present(l)
  for _, fd in ipairs(d.fields) do
    local v
    if shown[fd.name] then
      v = nil
    elseif l then
      if has[fd.name] then v = M.value(l, fd) end
    else
      v = fd.auto and "None (computed)" or M.default(fd)
    end
    if v then
      shown[fd.name] = true
      t[#t + 1] = ("%-10s : %-22s = %s%s"):format(fd.name, type_desc(fd), v,
        fd.conditional and "  (depends on other fields)" or "")
    end
  end
  return out(table.concat(t, "\n") .. "\n", dump)
end

-- A field's default as ls() prints it.
function M.default(fd) return plain(fd, fd.default) end

return M
