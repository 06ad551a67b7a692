-- pkt/pyport.lua - Python spellings a lab's Scapy script brings: bytes(p)
-- for the bytes of a packet, and Scapy's random field values (RandIP(),
-- RandShort(), ...), drawn anew each time the packet is built.
return function(M, I)
  -- bytes(p) -> p's bytes, as Python's bytes(p); a string is its own bytes
  function M.bytes(x)
    if type(x) == "string" then return x end
    if M.is_packet(x) then return x:bytes() end
    error(("bytes() takes a packet (bytes(p[IP])) or a string, got %s"):format(type(x)), 2)
  end
  I.docs.bytes = { "The bytes of a packet, as Python's bytes(p)", "bytes(p) -> string" }

  -- Scapy's volatile values: a field given RandIP(), RandShort(), ...
  -- draws a new value each time the packet is built (bytes, each packet
  -- send sends); it reads as its default meanwhile.  A value is a table
  -- the binding knows by its metatable: base | (random & rnd).
  local Volatile = { __name = "pkt.Volatile" }
  Volatile.__index = Volatile
  -- tostring draws one, as Python's str() of a volatile value does
  function Volatile.__tostring(v)
    local x = v.base | (math.random(0, math.maxinteger) & v.rnd)
    if v.kind == "RandIP" then
      return ("%d.%d.%d.%d"):format(x >> 24 & 255, x >> 16 & 255, x >> 8 & 255, x & 255)
    elseif v.kind == "RandMAC" then
      local t = {}
      for i = 5, 0, -1 do t[#t + 1] = ("%02x"):format(x >> (8 * i) & 255) end
      return table.concat(t, ":")
    end
    return tostring(x)
  end

  local function volatile(kind, bits)
    local rnd = bits == 64 and -1 or (1 << bits) - 1
    return function(...)
      if select("#", ...) > 0 then
        error(("%s() takes no arguments (its range is the %d-bit one)"):format(kind, bits), 2)
      end
      return setmetatable({ kind = kind, base = 0, rnd = rnd }, Volatile)
    end
  end
  M.RandShort, M.RandInt, M.RandByte = volatile("RandShort", 16), volatile("RandInt", 32), volatile("RandByte", 8)
  M.RandLong, M.RandMAC = volatile("RandLong", 64), volatile("RandMAC", 48)

  -- RandIP() draws any address; RandIP("a.b.c.d/len") one of that network.
  function M.RandIP(net)
    if net == nil then return setmetatable({ kind = "RandIP", base = 0, rnd = 0xffffffff }, Volatile) end
    local a, b, c, d, len = tostring(net):match("^(%d+)%.(%d+)%.(%d+)%.(%d+)/(%d+)$")
    a, b, c, d, len = tonumber(a), tonumber(b), tonumber(c), tonumber(d), tonumber(len)
    if type(net) ~= "string" or not a or a > 255 or b > 255 or c > 255 or d > 255 or len > 32 then
      error(("RandIP(net) takes a network \"a.b.c.d/len\", got %s"):format(
        type(net) == "string" and ("%q"):format(net) or tostring(net)), 2)
    end
    local host = (1 << (32 - len)) - 1
    return setmetatable({ kind = "RandIP", base = (a << 24 | b << 16 | c << 8 | d) & ~host & 0xffffffff,
      rnd = host }, Volatile)
  end
  for _, name in ipairs({ "RandShort", "RandInt", "RandByte", "RandLong", "RandMAC", "RandIP" }) do
    I.docs[name] = { "A field value drawn anew at each build, as Scapy's " .. name .. "()",
      name == "RandIP" and "RandIP([\"a.b.c.d/len\"]) -> value for IP{src=...}"
      or name .. "() -> value for a field" }
  end
end
