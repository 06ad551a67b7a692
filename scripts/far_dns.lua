-- far_dns.lua - a name server far away, for the lab's remote site: it
-- answers every A query with one address, but only after a delay, as a
-- server across the Internet does.  (The lab's resolver forwards names
-- under example.net to it; dns_spoof.lua shows what that delay allows.)
local socket = require "socket"     -- LuaSocket (Debian: lua-socket)
local o = require("pkt.cli").parse(arg, "A slow name server: every A query gets one address, late.", {
  { "address", "a", "the address every name has", default = "203.0.113.80" },
  { "delay", "d", "seconds before each answer", default = 0.2, number = true },
  { "timeout", "t", "stop after this many quiet seconds (0: never)", default = 0, number = true },
})

local sock = assert(socket.udp())
assert(sock:setsockname("0.0.0.0", 53))
sock:settimeout(o.timeout > 0 and o.timeout or nil)
print(("answering on 0.0.0.0:53, %g s late"):format(o.delay))
io.stdout:flush()
while true do
  local data, ip, port = sock:receivefrom(4096)
  if not data then break end
  local q = DNS(data)
  local qd = q.qr == 0 and q.qd[1]
  if qd then
    socket.sleep(o.delay)
    local an = qd.qtype == 1 and { { rrname = qd.qname, type = "A", ttl = 300, rdata = o.address } } or {}
    sock:sendto(DNS{id=q.id, qr=1, aa=1, rd=q.rd, ra=1, qd={qd}, an=an}:bytes(), ip, port)
    print(("%s:%d asked %s; answered %s"):format(ip, port, qd.qname, #an > 0 and o.address or "nothing"))
    io.stdout:flush()
  end
end
