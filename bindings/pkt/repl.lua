-- pkt/repl.lua - what the pktlua host shows a person: values as the REPL
-- prints them (a table's contents, a layer's fields, bytes escaped), and
-- error messages with the script's own position first and a hint for
-- the spellings a Python hand brings (IP(dst=...), ICMP in p, p.show()).
local M = {}

local MAXITEMS, MAXBYTES = 20, 256

-- A string as Lua would read it back, control and non-ASCII bytes as
-- \xHH, so no raw byte reaches the terminal; long ones cut.
local function quote(s)
  local body = s:sub(1, MAXBYTES):gsub('[%c"\\\128-\255]', function(c)
    local named = { ["\n"] = "\\n", ["\t"] = "\\t", ["\r"] = "\\r", ['"'] = '\\"', ["\\"] = "\\\\" }
    return named[c] or ("\\x%02x"):format(c:byte())
  end)
  local more = #s > MAXBYTES and ("...(%d bytes)"):format(#s) or ""
  return '"' .. body .. '"' .. more
end

-- Text a terminal shows as it is: printable ASCII and UTF-8, newlines
-- and tabs.
local function printable(s)
  return utf8.len(s) ~= nil and not s:find("[%z\1-\8\11-\31\127]")
end

local function mtname(v)
  local mt = getmetatable(v)
  return type(mt) == "table" and rawget(mt, "__name") or nil
end

local function is_ident(k)
  return type(k) == "string" and k:match("^[%a_][%w_]*$") ~= nil
end

-- A layer as Scapy's repr shows one: the fields it has values for (set,
-- or read off the wire), <IP  flags=DF ttl=5 dst=198.51.100.1 |>.
local function layer_line(l)
  local set, t = l.fields or {}, {}
  for _, name in ipairs(l:fieldnames()) do
    local v = set[name] ~= nil and l[name]
    if v ~= false then
      if type(v) == "string" and (v == "" or not printable(v)) then v = quote(v)
      elseif type(v) == "table" then v = "[...]" end
      t[#t + 1] = ("%s=%s"):format(name, tostring(v))
    end
  end
  return ("<%s  %s|>"):format(l:name(), #t > 0 and table.concat(t, " ") .. " " or "")
end

local show

-- A table's contents, one level deep and at most MAXITEMS entries.
local function table_line(t)
  local parts, n, seen = {}, 0, {}
  for i, v in ipairs(t) do
    n = n + 1
    seen[i] = true
    if n <= MAXITEMS then parts[n] = show(v, true) end
  end
  local keys = {}
  for k in pairs(t) do if not seen[k] then keys[#keys + 1] = k end end
  table.sort(keys, function(a, b)
    if type(a) == type(b) and (type(a) == "string" or type(a) == "number") then return a < b end
    return type(a) < type(b)
  end)
  for _, k in ipairs(keys) do
    n = n + 1
    if n <= MAXITEMS then
      local ks = is_ident(k) and k or "[" .. show(k, true) .. "]"
      parts[n] = ks .. " = " .. show(t[k], true)
    end
  end
  if n > MAXITEMS then parts[#parts + 1] = ("...(%d more)"):format(n - MAXITEMS) end
  return "{" .. table.concat(parts, ", ") .. "}"
end

-- One value as the REPL prints it; inner: inside a table (no nesting,
-- strings always quoted).
local pkt_module
local function pkt()
  pkt_module = pkt_module or require "pkt"
  return pkt_module
end

function show(v, inner)
  local ty, name = type(v), mtname(v)
  if ty == "userdata" and pkt().is_packet(v) then
    -- p[IP], a packet seen from one of its layers, shows its fields
    name = pkt().is_layer(v) and "pkt.Layer" or "pkt.Packet"
  end
  if ty == "string" then
    return (inner or not printable(v)) and quote(v) or v
  elseif name == "pkt.Layer" then
    return inner and ("<%s layer>"):format(v:name()) or layer_line(v)
  elseif name == "pkt.PacketList" then
    if inner then return tostring(v) end
    local s, n = v:nsummary(true), #v
    if n > MAXITEMS then
      local cut = 0
      for _ = 1, MAXITEMS do cut = s:find("\n", cut + 1, true) end
      s = s:sub(1, cut) .. ("...(%d more)\n"):format(n - MAXITEMS)
    end
    return tostring(v) .. (n > 0 and "\n" .. s:gsub("\n$", "") or "")
  elseif name == "pkt.Packet" then
    return inner and "<" .. tostring(v) .. ">" or tostring(v)
  elseif ty == "table" and not (getmetatable(v) and getmetatable(v).__tostring) then
    return inner and "{...}" or table_line(v)
  end
  return tostring(v)
end

-- display(...): the REPL's print of a line's values.
function M.display(...)
  local t = table.pack(...)
  for i = 1, t.n do t[i] = show(t[i]) end
  print(table.unpack(t, 1, t.n))
end

---------------------------------------------------------------- errors

-- Line n of a chunk's text, or of the file a position names.
local function source_line(text, where, n)
  if not text and where then
    local f = io.open(where)
    if f then
      text = f:read("a")
      f:close()
    end
  end
  if not text or not n then return nil end
  local i = 0
  for line in (text .. "\n"):gmatch("([^\n]*)\n") do
    i = i + 1
    if i == n then return line end
  end
end

local function is_class(name)
  local ok, m = pcall(pkt)
  return ok and m.is_class(m[name])
end

-- Whether name is a method of packets (show, summary, haslayer, ...).
local function is_method(name)
  local ok, m = pcall(function() return pkt().Raw()[name] end)
  return ok and type(m) == "function"
end

-- Hints for what a Python hand writes, by the error and the line.
local function hint(msg, line)
  if not line then return nil end
  if msg:find("near '='", 1, true) then
    local f, k = line:match("([%a_][%w_]*)%s*%(%s*([%a_][%w_]*)%s*=")
    if f then return ("use braces: %s{%s=...}"):format(f, k) end
  end
  if msg:find("near 'in'", 1, true) and not line:find("%f[%w_]for%f[^%w_]") then
    local a, b = line:match("([%a_][%w_]*)%s+in%s+([%a_][%w_]*)")
    if a then return ("use %s[%s] or %s:haslayer(%s)"):format(b, a, b, a) end
  end
  -- Scapy's top layer has an empty payload (NoPayload: false, len 0); ours is nil
  local nil_what = msg:match("attempt to [%a ]- a nil value %(field 'payload'%)")
  if nil_what then
    local x = line:match("([%a_][%w_]*%[[%a_][%w_]*%])%.payload") or "p[TCP]"
    return ("%s.payload is nil: the layer is the packet's top; test it first "
      .. "(if %s.payload then ... end), and count it as (%s.payload and #%s.payload or 0)")
      :format(x, x, x, x)
  end
  if msg:find("syntax error", 1, true) and line:find("^%s*del%s") or msg:find("(global 'del')", 1, true) then
    return "Lua has no del: set the field to nil (p[IP].chksum = nil), and it is computed when built"
  end
  if msg:find("(global 'len')", 1, true) then return "the length of x is #x (#p, #p[TCP].payload)" end
  if msg:find("(global 'b')", 1, true) and line:find("%f[%w_]b[\"']") then
    return "Lua strings are bytes: write \"hello\", not b\"hello\""
  end
  if msg:find("'replace')", 1, true) then
    return "Lua's replace is gsub: data:gsub(\"old\", \"new\") (a pattern: write %. for a dot)"
  end
  if msg:find("attempt to index a nil value", 1, true) and not msg:find("(field '[^?]") then
    for p, cls in line:gmatch("([%a_][%w_]*)%[([%a_][%w_]*)%]%s*[%.:]") do
      if is_class(cls) then
        return ("this packet has no %s layer (%s[%s] is nil; test with %s:haslayer(%s))")
          :format(cls, p, cls, p, cls)
      end
    end
  end
  -- whatever the library says of p.show() (a nil self), the dot is why
  for obj, meth in line:gmatch("([%a_][%w_%]%[]*)%.([%a_][%w_]*)%s*%(") do
    if is_method(meth) then return ("call methods with a colon: %s:%s(...)"):format(obj, meth) end
  end
end

-- explain(msg, source, line, text) -> msg: a runtime error with the
-- position of the script's own code first (source, line: its frame;
-- text: the chunk, for the REPL and -e) and a hint when one fits.
function M.explain(msg, source, line, text)
  local file = source and source:match("^@(.*)")
  local name = source and (file or (source:gsub("^=", "")))
  if name and line and line > 0 then
    -- Lua shortens long chunk names to "...tail"
    local p, l = msg:match("^(.-):(%d+): ")
    local mine = p and tonumber(l) == line
      and (p == name or (p:sub(1, 3) == "..." and name:sub(-(#p - 3)) == p:sub(4)))
    if not mine then
      local own = ("%s:%d:"):format(name, line)
      -- a library's position goes to the end: the script's line first
      local lib, rest = msg:match("^([^%s:]+%.lua:%d+): (.*)$")
      msg = lib and ("%s %s (in %s)"):format(own, rest, lib) or own .. " " .. msg
    end
  end
  local h = hint(msg, source_line(text, file, line))
  return h and ("%s\n  hint: %s"):format(msg, h) or msg
end

-- syntax(msg, text) -> msg: a syntax error with a hint when one fits.
function M.syntax(msg, text)
  local where, n = msg:match("^(.-):(%d+):")
  local file = where and not text and where or nil
  local h = hint(msg, source_line(text, file, tonumber(n)))
  return h and ("%s\n  hint: %s"):format(msg, h) or msg
end

return M
