-- pkt/pyport.lua - Python spellings a lab's Scapy script brings: bytes(p)
-- for the bytes of a packet, and Scapy's random field values (RandIP(),
-- RandShort(), ...), which stop with the pktlua line that does the same.
return function(M, I)
  -- bytes(p) -> p's bytes, as Python's bytes(p); a string is its own bytes
  function M.bytes(x)
    if type(x) == "string" then return x end
    if M.is_packet(x) then return x:bytes() end
    error(("bytes() takes a packet (bytes(p[IP])) or a string, got %s"):format(type(x)), 2)
  end
  I.docs.bytes = { "The bytes of a packet, as Python's bytes(p)", "bytes(p) -> string" }

  -- Scapy's volatile values draw again each time the packet is built.  A
  -- pktlua packet holds plain values; send draws per packet with vary, so
  -- each maker names the vary that does what it meant.
  local function volatile(name, field, how, arg)
    return function(a)
      local what = how
      if name == "RandIP" and a ~= nil then
        if type(a) ~= "string" or not a:match("^%d+%.%d+%.%d+%.%d+/%d+$") then
          error(("RandIP(net) takes a network \"a.b.c.d/len\", got %s"):format(tostring(a)), 2)
        end
        what = ("%q"):format(a)
      end
      error(("%s(%s): pktlua has no random field values; leave the field out and let send "
        .. "draw it for each packet: send(p, {count=N, vary={[\"%s\"]=%s}})%s"):format(
        name, a == nil and "" or ("%q"):format(tostring(a)), field, what, arg), 2)
    end
  end
  M.RandIP = volatile("RandIP", "IP.src", '"0.0.0.0/0"', "")
  M.RandShort = volatile("RandShort", "TCP.sport", '"random"', " (any 16-bit field)")
  M.RandInt = volatile("RandInt", "TCP.seq", '"random"', " (any 32-bit field)")
  M.RandByte = volatile("RandByte", "IP.ttl", '"random"', " (any 8-bit field)")
end
