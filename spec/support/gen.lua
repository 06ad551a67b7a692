-- gen.lua - a seeded random packet generator for the differential specs.
-- Each case is the same packet written twice, as a pktlua expression and
-- as a Scapy one, with the class of its values (valid, edge, wrong).
-- Only math.random is used after math.randomseed(seed): a seed replays.
local M = {}

local R = math.random
local function chance(p) return R() < p end
local function pick(t) return t[R(#t)] end

---------------------------------------------------------------- values
-- A value is {lua = "...", py = "..."}: the same literal in both tongues.

local function num(n) return { lua = ("%d"):format(n), py = ("%d"):format(n) } end
local function str(s) return { lua = ('"%s"'):format(s), py = ('"%s"'):format(s) } end

-- A byte string as a literal both languages read the same way: printable
-- ASCII as is, everything else \xHH (Lua 5.4 and Python agree on it).
local function lit(s)
  return '"' .. s:gsub('[^%w %.,:;!#$&()*+/<=>?@_{}~-]', function(c)
    return ("\\x%02x"):format(c:byte())
  end) .. '"'
end
M.lit = lit
local function bytes(s) return { lua = lit(s), py = "b" .. lit(s), len = #s } end

local function randbytes(n)
  local t = {}
  for i = 1, n do t[i] = string.char(R(0, 255)) end
  return table.concat(t)
end

local function u32() return R(0, 0xffff) << 16 | R(0, 0xffff) end
local function mac() -- unicast, locally administered
  return ("%02x:%02x:%02x:%02x:%02x:%02x"):format(2 + 4 * R(0, 63), R(0, 255), R(0, 255),
    R(0, 255), R(0, 255), R(0, 255))
end
local function addr()
  return (chance(0.5) and "198.51.100.%d" or "203.0.113.%d"):format(R(1, 254))
end
-- 48879 is VXLAN to Scapy
local function port() local p = R(20000, 60000); return p == 48879 and 48880 or p end

-- An integer field of `bits`: in edge cases often 0 or the maximum.
local function ival(bits, edge, lo, hi)
  local max = (1 << bits) - 1
  if edge and chance(0.4) then return chance(0.5) and 0 or max end
  return R(lo or 0, hi or max)
end

---------------------------------------------------------------- layers
-- A layer is {cls, fields = {{name, value}...}, len = bytes it adds}.

local function layer(cls, len) return { cls = cls, fields = {}, len = len or 0 } end
local function set(l, name, v)
  if type(v) == "number" then v = num(v) elseif type(v) == "string" then v = str(v) end
  l.fields[#l.fields + 1] = { name, v }
  return v
end

local function render(l, lang)
  local t = {}
  for i, f in ipairs(l.fields) do t[i] = f[1] .. "=" .. f[2][lang] end
  if lang == "lua" then
    return ("%s{%s}"):format(l.cls, table.concat(t, ", "))
  end
  return ("%s(%s)"):format(l.cls, table.concat(t, ", "))
end

-- A payload of n bytes: random for small n, a repeated pattern for large.
local function payload(n)
  if n <= 64 or chance(0.2) then
    local b = bytes(randbytes(n))
    return { lua = b.lua, py = b.py, len = n }
  end
  local pat = randbytes(R(1, 4))
  local k, tail = n // #pat, randbytes(n % #pat)
  return { lua = ("(%s):rep(%d) .. %s"):format(lit(pat), k, lit(tail)),
           py = ("(b%s * %d + b%s)"):format(lit(pat), k, lit(tail)), len = n }
end

local function raw_layer(n, cls)
  local l = layer(cls or "Raw", n)
  local p = payload(n)
  set(l, "load", { lua = p.lua, py = p.py })
  return l
end

local function payload_size(ctx)
  local r = R()
  if ctx.edge and r < 0.2 then return 0 end
  if r < 0.35 then return 0 end
  if r < 0.8 then return R(1, 64) end
  return R(65, 1400)
end

local function sum_len(ls, from)
  local n = 0
  for i = from or 1, #ls do n = n + ls[i].len end
  return n
end

------------------------------------------------------------ IP options

local function ip_options(ctx)
  local parts, py, len = {}, {}, 0
  local function add(b)
    parts[#parts + 1] = b
    py[#py + 1] = "IPOption(b" .. lit(b) .. ")"
    len = len + #b
  end
  local function route(kind)
    local k = R(1, 3)
    if len + 3 + 4 * k > 40 then return end
    local t, filled = {}, R(0, k)
    for i = 1, k do
      if i <= filled or kind ~= 7 then
        local a = addr()
        local o = {}
        for x in a:gmatch("%d+") do o[#o + 1] = string.char(tonumber(x)) end
        t[i] = table.concat(o)
      else
        t[i] = ("\0"):rep(4)
      end
    end
    local ptr = kind == 7 and 4 + 4 * filled or 4
    add(string.char(kind, 3 + 4 * k, ptr) .. table.concat(t))
  end
  local n = R(1, 4)
  for _ = 1, n do
    local r = R(1, 7)
    if r == 1 and len + 4 <= 40 then add("\x94\x04\x00\x00")             -- router alert
    elseif r == 2 and len + 1 <= 40 then add("\x01")                     -- NOP
    elseif r == 3 then route(7)                                          -- record route
    elseif r == 4 and len + 8 <= 40 then add("\x44\x08\x05\x00" .. ("\0"):rep(4))  -- timestamp, empty
    elseif r == 5 and len + 4 <= 40 then add("\x9e\x04" .. randbytes(2)) -- experimental (RFC 4727)
    elseif r == 6 and not ctx.srcroute and ctx.allow_srcroute then       -- loose/strict source route
      ctx.srcroute = true
      route(pick { 0x83, 0x89 })
    end
  end
  if len == 0 then add("\x01") end
  if chance(0.2) and len < 40 then add("\x00") end                      -- EOL
  local padded = len + (-len) % 4
  return { lua = lit(table.concat(parts)), py = "[" .. table.concat(py, ", ") .. "]" }, padded
end

------------------------------------------------------------ TCP options

local function tcp_options(ctx)
  local lua, py, len = {}, {}, 0
  local function add(l, p, n)
    if len + n > 40 then return end
    lua[#lua + 1], py[#py + 1], len = l, p, len + n
  end
  for _ = 1, R(1, 6) do
    local r = R(1, 8)
    if r == 1 then
      local v = ctx.edge and chance(0.5) and pick { 0, 65535 } or R(536, 1460)
      add(('{"MSS", %d}'):format(v), ('("MSS", %d)'):format(v), 4)
    elseif r == 2 then add('"NOP"', '("NOP", None)', 1)
    elseif r == 3 then
      local v = ctx.edge and chance(0.5) and pick { 0, 255 } or R(0, 14)
      add(('{"WScale", %d}'):format(v), ('("WScale", %d)'):format(v), 3)
    elseif r == 4 then add('{"SAckOK"}', '("SAckOK", b"")', 2)
    elseif r == 5 then
      local n, t = R(1, 4), {}
      for i = 1, 2 * n do t[i] = ("%d"):format(ctx.edge and chance(0.3) and pick { 0, 0xffffffff } or u32()) end
      local s = table.concat(t, ", ")
      add(("{\"SAck\", {%s}}"):format(s), ("(\"SAck\", (%s))"):format(s .. (#t == 1 and "," or "")), 2 + 8 * n)
    elseif r == 6 then
      local a, b = u32(), ctx.edge and chance(0.5) and 0 or u32()
      add(('{"Timestamp", {%d, %d}}'):format(a, b), ('("Timestamp", (%d, %d))'):format(a, b), 10)
    elseif r == 7 then
      local v = randbytes(R(2, 6))    -- experimental kind 254 with an ExID and data
      add(("{254, %s}"):format(lit(v)), ("(254, b%s)"):format(lit(v)), 2 + #v)
    elseif r == 8 and ctx.edge then   -- EOL before other options: Scapy stops reading there
      add('{"EOL"}', '("EOL", None)', 1)
    end
  end
  if chance(0.15) then add('{"EOL"}', '("EOL", None)', 1) end
  if #lua == 0 then add('"NOP"', '("NOP", None)', 1) end
  local padded = len + (-len) % 4
  return { lua = "{" .. table.concat(lua, ", ") .. "}", py = "[" .. table.concat(py, ", ") .. "]" }, padded
end

------------------------------------------------------------ transports

local function udp(ctx, quoted)
  local l = layer(quoted and "UDPerror" or "UDP", 8)
  local edge = ctx.edge
  set(l, "sport", edge and chance(0.3) and pick { 1, 65535 } or port())
  set(l, "dport", edge and chance(0.3) and pick { 1, 65535 } or port())
  if ctx.wrong and not quoted and chance(0.4) then
    set(l, "len", R(0, 65535)); ctx.faults[#ctx.faults + 1] = "udp.len"
  end
  if ctx.wrong and chance(0.4) then
    set(l, "chksum", R(0, 65535)); ctx.faults[#ctx.faults + 1] = "udp.chksum"
  elseif edge and chance(0.2) then
    set(l, "chksum", 0)          -- "no checksum", legal for UDP over IPv4
  end
  return l
end

local function tcp(ctx, quoted)
  local l = layer(quoted and "TCPerror" or "TCP", 20)
  local edge = ctx.edge
  set(l, "sport", edge and chance(0.3) and pick { 1, 65535 } or port())
  set(l, "dport", edge and chance(0.3) and pick { 1, 65535 } or port())
  set(l, "seq", edge and chance(0.3) and pick { 0, 0xffffffff } or u32())
  set(l, "ack", edge and chance(0.3) and pick { 0, 0xffffffff } or u32())
  local flags = R(0, 511)
  if chance(0.3) then
    local letters = {}
    for i, c in ipairs { "F", "S", "R", "P", "A", "U", "E", "C", "N" } do
      if flags >> (i - 1) & 1 == 1 then letters[#letters + 1] = c end
    end
    set(l, "flags", str(table.concat(letters)))
  else
    set(l, "flags", flags)
  end
  if edge and chance(0.3) then set(l, "reserved", R(1, 7)) end
  set(l, "window", ival(16, edge))
  if chance(0.3) then set(l, "urgptr", ival(16, edge)) end
  if chance(0.5) then
    local o, n = tcp_options(ctx)
    set(l, "options", o)
    l.len = l.len + n
  end
  if ctx.wrong and chance(0.4) then
    set(l, "chksum", R(0, 65535)); ctx.faults[#ctx.faults + 1] = "tcp.chksum"
  end
  l.dataofs_room = true
  return l
end

local function icmp_echo(ctx, cls)
  local l = layer(cls or "ICMP", 8)
  set(l, "type", pick { 0, 8, str("echo-request"), str("echo-reply") })
  set(l, "id", ival(16, ctx.edge))
  set(l, "seq", ival(16, ctx.edge))
  return l
end

------------------------------------------------------------------- ICMP

-- ICMP and what it carries; returns the layers after IP.
local function icmp(ctx)
  local edge, ls = ctx.edge, {}
  local r = R()
  local l
  if r < 0.4 then
    l = icmp_echo(ctx)
    ls[1] = l
    local n = payload_size(ctx)
    if n > 0 or chance(0.1) then ls[2] = raw_layer(n) end
  elseif r < 0.75 then
    l = layer("ICMP", 8)
    local t = pick { 3, 11, 5, 12, 3, 4 }
    if t == 3 then
      set(l, "type", chance(0.5) and str("dest-unreach") or num(3))
      set(l, "code", R(0, 15))
      if chance(0.4) then set(l, "nexthopmtu", ival(16, edge, 68, 1500)) end
    elseif t == 11 then
      set(l, "type", chance(0.5) and str("time-exceeded") or num(11))
      set(l, "code", R(0, 1))
    elseif t == 5 then
      set(l, "type", str("redirect"))
      set(l, "code", R(0, 3))
      set(l, "gw", addr())
    elseif t == 12 then
      set(l, "type", str("parameter-problem"))
      set(l, "code", R(0, 2))
      set(l, "ptr", ival(8, edge, 0, 19))
    else
      set(l, "type", str("source-quench"))
      if edge and chance(0.5) then set(l, "unused", u32()) end
    end
    if edge and (t == 3 or t == 11 or t == 12) and chance(0.3) then set(l, "length", R(0, 255)) end
    if edge and (t == 11 or t == 12) and chance(0.3) then set(l, "unused", ival(16, true)) end
    ls[1] = l
    -- the quoted datagram: its header and 8 bytes (or the whole header)
    local q = layer("IPerror", 20)
    set(q, "src", addr())
    set(q, "dst", addr())
    set(q, "ttl", R(0, 64))
    if chance(0.3) then set(q, "id", R(0, 65535)) end
    if chance(0.2) then set(q, "flags", str("DF")) end
    ls[2] = q
    local which = R(1, 3)
    if which == 1 then
      ls[3] = udp({ edge = edge, faults = {} }, true)
    elseif which == 2 then
      ls[3] = tcp({ edge = edge, faults = {} }, true)
    else
      ls[3] = icmp_echo({ edge = edge }, "ICMPerror")
    end
    if chance(0.2) then ls[4] = raw_layer(R(1, 32)) end
    if ctx.wrong and chance(0.3) then
      -- the length of the datagram the router saw: longer than its quote
      set(q, "len", chance(0.5) and 1500 or R(sum_len(ls, 2) + 1, 1500))
      ctx.faults[#ctx.faults + 1] = "iperror.len"
    end
  elseif r < 0.85 then
    l = layer("ICMP", 20)
    set(l, "type", pick { 13, 14, str("timestamp-request"), str("timestamp-reply") })
    set(l, "id", ival(16, edge)); set(l, "seq", ival(16, edge))
    set(l, "ts_ori", edge and chance(0.3) and 0xffffffff or R(0, 86399999))
    set(l, "ts_rx", edge and chance(0.3) and 0 or R(0, 86399999))
    set(l, "ts_tx", R(0, 86399999))
    ls[1] = l
  elseif r < 0.95 or not edge then
    l = layer("ICMP", 12)
    set(l, "type", pick { 17, 18 })
    set(l, "id", ival(16, edge)); set(l, "seq", ival(16, edge))
    set(l, "addr_mask", pick { "255.255.255.0", "255.255.0.0", "255.255.255.252", "0.0.0.0" })
    ls[1] = l
  else                          -- other types: 32 unused bits, then data
    l = layer("ICMP", 8)
    set(l, "type", pick { 9, 10, 30, 40, 255 })
    set(l, "code", ival(8, true))
    if chance(0.5) then set(l, "unused", u32()) end
    ls[1] = l
    if chance(0.5) then ls[2] = raw_layer(R(1, 32)) end
  end
  if ctx.wrong and chance(0.4) then
    set(l, "chksum", R(0, 65535)); ctx.faults[#ctx.faults + 1] = "icmp.chksum"
  end
  return ls
end

--------------------------------------------------------------------- IP

-- IP and everything above it.
local function ip(ctx)
  local edge, wrong = ctx.edge, ctx.wrong
  local l = layer("IP", 20)
  set(l, "src", chance(0.05) and "1.2.3.4" or addr())
  set(l, "dst", addr())
  if chance(0.5) then set(l, "tos", ival(8, edge)) end
  if chance(0.7) then set(l, "id", ival(16, edge)) end
  set(l, "ttl", edge and chance(0.5) and pick { 0, 255 } or R(1, 128))
  local frag = false
  if edge and chance(0.2) then
    set(l, "flags", R(0, 7))
    if chance(0.5) then set(l, "frag", chance(0.3) and 8191 or R(1, 8190)); frag = true end
  elseif chance(0.4) then
    set(l, "flags", pick { num(0), num(2), str("DF") })
  end
  ctx.allow_srcroute = true
  if chance(0.25) then
    local o, n = ip_options(ctx)
    set(l, "options", o)
    l.len = l.len + n
  end
  local ls = { l }
  local above
  local r = R()
  if frag then
    above = { raw_layer(R(0, 64)) }
  elseif r < 0.3 then
    above = icmp(ctx)
  elseif r < 0.62 then
    above = { udp(ctx) }
  elseif r < 0.97 then
    above = { tcp(ctx) }
  else
    set(l, "proto", pick { 253, 254 })
    above = { raw_layer(R(0, 64)) }
  end
  for _, x in ipairs(above) do ls[#ls + 1] = x end
  -- a payload on a transport, and the 1500-byte datagram at the edge
  local top = ls[#ls]
  if top.cls == "UDP" or top.cls == "TCP" then
    if edge and chance(0.15) then
      ls[#ls + 1] = raw_layer(1500 - sum_len(ls))
      ctx.full = true
    else
      local n = payload_size(ctx)
      if n > 0 or chance(0.1) then
        if n == 0 and chance(0.5) then
          ls[#ls + 1] = { cls = "Raw", fields = { { "load", { lua = '""', py = 'b""' } } }, len = 0 }
        else
          ls[#ls + 1] = raw_layer(n)
        end
      end
    end
  end
  -- deliberately wrong: checksums and lengths that lie
  if wrong then
    local total = sum_len(ls)
    if chance(0.3) then set(l, "chksum", R(0, 65535)); ctx.faults[#ctx.faults + 1] = "ip.chksum" end
    if chance(0.3) then
      -- longer than the bytes, or shorter but never inside the headers
      local hdrs = 0
      for _, x in ipairs(ls) do if x.cls ~= "Raw" then hdrs = hdrs + x.len end end
      local v = chance(0.5) and R(total + 1, math.min(65535, total + 1500)) or R(hdrs, total)
      set(l, "len", v); ctx.faults[#ctx.faults + 1] = "ip.len"
    end
    if chance(0.2) then
      local ihl = l.len // 4
      local room = (total - l.len) // 4      -- words of payload it may claim
      if room > 0 and ihl < 15 then
        set(l, "ihl", ihl + R(1, math.min(room, 15 - ihl)))
        ctx.faults[#ctx.faults + 1] = "ip.ihl"
      end
    end
    for i, x in ipairs(ls) do
      if x.dataofs_room and chance(0.3) then
        local off = x.len // 4
        local room = sum_len(ls, i + 1) // 4
        local hi = math.min(15, off + room)
        if hi > off or chance(0.3) then
          set(x, "dataofs", R(math.max(5, off - 3), hi))
          ctx.faults[#ctx.faults + 1] = "tcp.dataofs"
        end
      end
    end
  end
  return ls
end

local function arp(ctx)
  local l = layer("ARP", 28)
  local edge = ctx.edge
  set(l, "op", edge and chance(0.5) and pick { 0, 3, 4, 8, 9, 65535 } or R(1, 2))
  set(l, "hwsrc", mac())
  set(l, "psrc", addr())
  set(l, "hwdst", chance(0.5) and "00:00:00:00:00:00" or mac())
  set(l, "pdst", addr())
  local ls = { l }
  if chance(0.3) then ls[2] = raw_layer(R(1, 18), "Padding") end
  return ls
end

----------------------------------------------------------------- stacks

local function ether(ctx)
  local l = layer("Ether", 14)
  set(l, "src", mac())
  set(l, "dst", chance(0.1) and "ff:ff:ff:ff:ff:ff" or mac())
  local ls = { l }
  local ntags = R() < 0.7 and 0 or R(1, 2)
  for _ = 1, ntags do
    local t = layer("Dot1Q", 4)
    if chance(0.7) then set(t, "prio", R(0, 7)) end
    if chance(0.3) then set(t, "id", R(0, 1)) end
    set(t, "vlan", ctx.edge and chance(0.4) and pick { 0, 4095 } or R(1, 4094))
    ls[#ls + 1] = t
  end
  local r, above = R()
  if r < 0.1 then
    above = arp(ctx)
  elseif r < 0.95 then
    above = ip(ctx)
  else
    -- an EtherType nobody dissects (IEEE local experimental)
    if ntags > 0 then ls[#ls].fields[#ls[#ls].fields + 1] = { "type", num(0x88b5) }
    else set(l, "type", 0x88b5) end
    above = { raw_layer(R(1, 64)) }
  end
  for _, x in ipairs(above) do ls[#ls + 1] = x end
  -- what follows the datagram on the wire
  if chance(0.1) and ls[#ls].cls ~= "Padding" and not ctx.full then
    ls[#ls + 1] = raw_layer(R(1, 20), "Padding")
  end
  return ls
end

-- One case: {lua =, py =, first =, class =, faults =, srcroute =, stack =}.
local function case()
  local class = ({ "valid", "valid", "edge", "wrong" })[R(1, 4)]
  local ctx = { edge = class ~= "valid" and chance(class == "edge" and 1 or 0.3),
                wrong = class == "wrong", faults = {} }
  local ls
  if chance(0.75) then ls = ether(ctx) else ls = ip(ctx) end
  if class == "wrong" and #ctx.faults == 0 then class = "edge" end
  local lua, py, names = {}, {}, {}
  for i, l in ipairs(ls) do
    lua[i] = render(l, "lua")
    py[i] = render(l, "py")
    names[i] = l.cls
  end
  return { lua = table.concat(lua, "/"), py = table.concat(py, "/"), first = ls[1].cls,
           class = class, faults = table.concat(ctx.faults, ","), srcroute = ctx.srcroute,
           stack = table.concat(names, "/") }
end

-- cases(seed, n) -> n cases; the same seed gives the same cases.
function M.cases(seed, n)
  math.randomseed(seed)
  local t = {}
  for i = 1, n do
    t[i] = case()
    t[i].index = i
  end
  return t
end

return M
