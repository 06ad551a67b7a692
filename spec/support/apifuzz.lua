-- apifuzz.lua - random calls of the packet API: constructors, field
-- assignment, stacking, indexing, methods and the capture file functions,
-- with random values of random types.  Every outcome must be a value or
-- a Lua error that reads as one: a string that starts with the position
-- of the call in this file (the caller's line, not a line of the library)
-- and is not one of Lua's own complaints about the library's code.
--
--   local fuzz = require "apifuzz"
--   local calls, failures = fuzz.run(seed, ncalls)
--
-- failures: {seed =, step =, op =, call = "what was called", error =}.
-- The same seed gives the same calls.
local pkt = require "pkt"

local M = {}

-- xorshift64*: the same numbers for a seed on every machine, apart from
-- math.random, which other code may use.
local function rng(seed)
  local x = seed ~ 0x2545F4914F6CDD1D
  if x == 0 then x = 1 end
  return function(n)
    x = x ~ (x >> 12)
    x = x ~ (x << 25)
    x = x ~ (x >> 27)
    local r = (x * 0x2545F4914F6CDD1D) >> 11    -- 53 bits, non-negative
    return n and (r % n) + 1 or r
  end
end

-- What a table of the caller's raises when the library reads it: the
-- caller's own error, passed on as it is.
local HOSTILE = "a caller's table refused to be read"

local classes = {}
for _, name in ipairs({ "Ether", "Dot1Q", "ARP", "IP", "ICMP", "UDP", "TCP", "Raw", "Padding",
    "IPerror", "UDPerror", "TCPerror", "ICMPerror", "CookedLinux", "CookedLinuxV2" }) do
  classes[#classes + 1] = pkt[name]
end

local tmp = os.tmpname()

-- Values of every type, edge cases first among their kind.
local strings = { "", "x", "198.51.100.7", "203.0.113.255", "2001:db8::1", "02:00:00:00:00:01",
  "ff:ff:ff:ff:ff:ff", "S", "SA", "FPU", "echo-request", "udp", "tcp", "0x0800", "-1", "1e9",
  "nil", "\0\255\1", "256.1.1.1", "1.2.3", "::", "dst", "ttl", "options", "load", "MSS", "NOP",
  ("A"):rep(300), ("\0"):rep(70000), "%s%n", "IP", "Ether" }
-- Names tried as fields: the strings but the 70,000-byte one (a field
-- name that long takes seconds in the "did you mean" search).
local names = {}
for _, v in ipairs(strings) do if #v < 1000 then names[#names + 1] = v end end
local ints = { 0, 1, -1, 2, 7, 8, 15, 64, 255, 256, 1500, 65535, 65536, 0x7fffffff, 0xffffffff,
  2^32 // 1, math.maxinteger, math.mininteger }
local floats = { 0.5, -0.0, 3.0, 1e300, -1e300, 0 / 0, math.huge, -math.huge, 2^53, 1e-300 }

local function random_value(r, pool, depth)
  depth = depth or 0
  local k = r(14)
  if k == 1 then return nil
  elseif k == 2 then return r(2) == 1
  elseif k <= 4 then return ints[r(#ints)]
  elseif k == 5 then return r(1 << 20) - (1 << 19)
  elseif k == 6 then return floats[r(#floats)]
  elseif k <= 8 then return strings[r(#strings)]
  elseif k == 9 then return classes[r(#classes)]
  elseif k == 10 and #pool > 0 then return pool[r(#pool)]
  elseif k == 11 and #pool > 0 then
    local p = pool[r(#pool)]
    local ok, l = pcall(function() return p[r(4)] end)
    return ok and l or p
  elseif k == 12 and depth < 2 then
    local t = {}
    for i = 1, r(4) - 1 do t[i] = random_value(r, pool, depth + 1) end
    if r(3) == 1 then t[strings[r(#strings)]] = random_value(r, pool, depth + 1) end
    return t
  elseif k == 13 then
    local fns = { print, function() end, io.stdout, coroutine.create(function() end),
      setmetatable({}, { __index = function() error(HOSTILE) end }) }
    return fns[r(#fns)]
  end
  return ints[r(#ints)]
end

-- A table of fields for cls: names of its own mostly, values of any type.
local function random_fields(r, cls, pool)
  local t, fields = {}, cls.fields
  for _ = 1, r(4) - 1 do
    if r(8) == 1 then
      local k = random_value(r, pool, 2)
      if k ~= nil and k == k then t[k] = random_value(r, pool, 1) end
    elseif #fields > 0 then
      t[fields[r(#fields)]] = random_value(r, pool, 1)
    end
  end
  return t
end

local function a_field(r, x)
  local ok, layers = pcall(function() return x:layers() end)
  if ok and type(layers) == "table" and #layers > 0 then
    local f = layers[r(#layers)].fields
    if #f > 0 and r(6) > 1 then return f[r(#f)] end
  end
  return names[r(#names)]
end

-- The operations: each a one-line function, called with pcall, so that
-- an error's position must be that line.  No tail calls: they would
-- hide the line.
local ops = {
  { "construct", function(c, t) local p = c(t) return p end },
  { "construct_empty", function(c) local p = c() return p end },
  { "set_field", function(p, c, f, v) local l = p[c] if l then l[f] = v end return p end },
  { "set_packet_field", function(p, f, v) p[f] = v return p end },
  { "set_layer_n", function(p, i, f, v) local l = p[i] if l then l[f] = v end return p end },
  { "get_field", function(p, f) local v = p[f] return v end },
  { "get_layer_field", function(l, f) local v = l[f] return v end },
  { "stack", function(a, b) local p = a / b return p end },
  { "index", function(p, k) local v = p[k] return v end },
  { "summary", function(p) local s = p:summary() return s end },
  { "show", function(p, v) local s = p:show(v) return s end },
  { "show2", function(p) local s = p:show2(true) return s end },
  { "hexdump", function(p) local s = p:hexdump(true) return s end },
  { "diagram", function(p) local s = p:diagram{dump=true} return s end },
  { "flow", function(p, q) local s = pkt.PacketList({ p, q }):flow{dump=true} return s end },
  { "bytes", function(p) local b = p:bytes() return b end },
  { "len", function(p) local n = #p return n end },
  { "tostring", function(p) local s = tostring(p) return s end },
  { "copy", function(p) local q = p:copy() return q end },
  { "haslayer", function(p, c) local b = p:haslayer(c) return b end },
  { "getlayer", function(p, c, n) local l = p:getlayer(c, n) return l end },
  { "layers", function(p) local t = p:layers() return t end },
  { "eq", function(p, q) local b = p == q return b end },
  { "layer_name", function(l) local s = l:name() return s end },
  { "layer_show", function(l) local s = l:show(true) return s end },
  { "set_attr", function(p, k, v) p[k] = v return p end },
  { "ls", function(x) local s = pkt.ls(x, true) return s end },
  { "raw", function(x) local s = pkt.raw(x) return s end },
  { "hexdump_fn", function(x) local s = pkt.hexdump(x, true) return s end },
  { "checksum", function(x) local s = pkt.checksum(x) return s end },
  { "is_packet", function(x) local b = pkt.is_packet(x) return b end },
  { "class_attr", function(c, k) local v = c[k] return v end },
  { "wrpcap", function(x, o) pkt.wrpcap(tmp, x, o) return true end },
  { "wrpcapng", function(x, o) pkt.wrpcapng(tmp, x, o) return true end },
  { "rdpcap", function(path, n) local l = pkt.rdpcap(path, n) return l end },
  { "pcap_writer", function(x, o) local w = pkt.pcap_writer(tmp, o) w:write(x) w:close() return w end },
}

local source = debug.getinfo(ops[1][2], "S").short_src

-- Arguments for op number i: mostly of the types it wants, sometimes not.
local function arguments(r, name, pool)
  local p = #pool > 0 and pool[r(#pool)] or pkt.IP()
  local any = function() return random_value(r, pool) end
  if r(10) == 1 then return { any(), any(), any(), any() } end
  if name == "construct" then
    local c = classes[r(#classes)]
    return { c, r(5) == 1 and any() or random_fields(r, c, pool) }
  elseif name == "construct_empty" or name == "class_attr" then
    return { classes[r(#classes)], r(2) == 1 and "fields" or any() }
  elseif name == "set_field" then
    local c = classes[r(#classes)]
    local f = #c.fields > 0 and c.fields[r(#c.fields)] or "load"
    return { p, c, r(6) == 1 and any() or f, any() }
  elseif name == "set_packet_field" or name == "get_field" then
    return { p, a_field(r, p), any() }
  elseif name == "set_layer_n" then
    return { p, r(6) - 1, a_field(r, p), any() }
  elseif name == "get_layer_field" or name == "layer_name" or name == "layer_show" then
    local l = p[r(3)] or p[1] or p
    return { l, a_field(r, p) }
  elseif name == "stack" then
    local kinds = { function() return p end, function() return classes[r(#classes)] end,
      function() return p[r(2)] end, function() return strings[r(#strings)] end, any }
    return { kinds[r(#kinds)](), kinds[r(#kinds)]() }
  elseif name == "index" then
    return { p, r(3) == 1 and r(8) - 3 or any() }
  elseif name == "set_attr" then
    local attrs = { "time", "iface", "wirelen", "sent_time" }
    return { p, attrs[r(#attrs)], any() }
  elseif name == "getlayer" or name == "haslayer" then
    return { p, r(3) > 1 and classes[r(#classes)] or any(), r(3) == 1 and any() or r(3) }
  elseif name == "eq" then
    return { p, r(2) == 1 and pool[r(#pool)] or any() }
  elseif name == "wrpcap" or name == "wrpcapng" or name == "pcap_writer" then
    local k = any()
    if k == nil or k ~= k then k = 1 end     -- not a valid table key
    local opts = { nil, { linktype = any() }, { format = any() }, { nano = any() },
      { append = any() }, { [k] = 1 }, any() }
    local x = r(3) == 1 and { p, pool[r(#pool)] } or (r(4) == 1 and any() or p)
    return { x, opts[r(#opts)] }
  elseif name == "rdpcap" then
    return { r(2) == 1 and tmp or any(), r(3) == 1 and any() or nil }
  end
  return { p, any(), any() }
end

-- What a value is, shortly, to reproduce a call by hand.
local function describe(v, depth)
  depth = depth or 0
  local t = type(v)
  if pkt.is_packet(v) then
    local ok, s = pcall(function() return v:summary() end)
    return "<packet " .. (ok and s or "?") .. ">"
  elseif pkt.is_class(v) then return "<class " .. v.name .. ">"
  elseif pkt.is_layer(v) then return "<" .. tostring(v.name and v:name()) .. " layer>"
  elseif t == "string" then
    return #v > 40 and ("%q .. (%d bytes)"):format(v:sub(1, 20), #v) or ("%q"):format(v)
  elseif t == "table" and depth < 2 then
    local parts = {}
    for k, x in pairs(v) do
      parts[#parts + 1] = ("[%s]=%s"):format(describe(k, depth + 1), describe(x, depth + 1))
      if #parts > 5 then parts[#parts + 1] = "..." break end
    end
    return "{" .. table.concat(parts, ", ") .. "}"
  elseif t == "number" then
    return math.type(v) == "integer" and tostring(v) or ("%.17g"):format(v)
  end
  return t == "nil" and "nil" or (t == "boolean" and tostring(v) or "<" .. t .. ">")
end

-- nil when err is a clear error raised at the op's line, else why not.
-- An error from inside the library (Lua's "attempt to index ..." in its
-- code, or luaL_error in C) carries the library's line, or none.
local function unclear(err, line)
  if type(err) ~= "string" then return "an error that is a " .. type(err) .. ", not a message" end
  if err:find(HOSTILE, 1, true) then return nil end
  local pos = ("%s:%d: "):format(source, line)
  if err:sub(1, #pos) ~= pos then
    local where = err:match("^([^%s:]+:%d+): ") or "no position"
    return ("raised at %s, not at the caller's line %d"):format(where, line)
  end
end

function M.run(seed, ncalls)
  local r = rng(seed)
  local pool = { pkt.IP{dst="198.51.100.7"} / pkt.UDP{dport=53} / "q",
    pkt.Ether() / pkt.IP() / pkt.TCP{flags="S", options={{"MSS", 1460}}},
    pkt.Ether(("\2"):rep(6) .. ("\4"):rep(6) .. "\8\0" .. ("E\0\0\28"):rep(7)),
    pkt.Ether() / pkt.ARP(), pkt.IP() / pkt.ICMP{type=3} / pkt.IP() / pkt.UDP() }
  local failures = {}
  -- show(false) prints, a cut file warns: not here
  local write, print_, stderr = io.write, print, io.stderr
  io.write, print = function() end, function() end
  io.stderr = { write = function(self) return self end }
  for step = 1, ncalls do
    local op = ops[r(#ops)]
    local name, fn = op[1], op[2]
    local made, args = pcall(arguments, r, name, pool)
    if not made then
      failures[#failures + 1] = { seed = seed, step = step, op = name, why = "making its arguments",
        call = name, error = tostring(args):match("^[^\n]*") }
      args = {}
    end
    local line = debug.getinfo(fn, "S").linedefined
    local res = table.pack(pcall(fn, table.unpack(args, 1, 4)))
    if res[1] then
      if pkt.is_packet(res[2]) and #pool < 64 then pool[#pool + 1] = res[2] end
    else
      local why = unclear(res[2], line)
      if why then
        local shown = {}
        for i = 1, 4 do
          local ok, d = pcall(describe, args[i])
          shown[i] = ok and d or "<?>"
        end
        while #shown > 0 and shown[#shown] == "nil" do shown[#shown] = nil end
        failures[#failures + 1] = { seed = seed, step = step, op = name, why = why,
          call = ("%s(%s)"):format(name, table.concat(shown, ", ")),
          error = tostring(res[2]):match("^[^\n]*") }
      end
    end
    if #pool >= 64 then table.remove(pool, r(#pool)) end
  end
  io.write, print, io.stderr = write, print_, stderr
  os.remove(tmp)
  return ncalls, failures
end

return M
