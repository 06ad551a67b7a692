-- receive_udp.lua - socket basics: a UDP server that prints who sent what,
-- "ip:port message", and gives up after a quiet while.
--   Python: sock.bind(("0.0.0.0", 9090)); data, (ip, port) = sock.recvfrom(1024)
local socket = require "socket"     -- LuaSocket (Debian: lua-socket)
local o = require("pkt.cli").parse(arg, "Receive UDP datagrams and print ip:port message.", {
  { "port", "p", "UDP port to listen on", default = 9090, number = true },
  { "timeout", "t", "seconds to wait for a datagram (0: never)", default = 5, number = true },
  { "count", "c", "stop after this many datagrams (0: never)", default = 0, number = true },
})

local sock = assert(socket.udp())
assert(sock:setsockname("0.0.0.0", o.port))
sock:settimeout(o.timeout > 0 and o.timeout or nil)   -- LuaSocket's 0 would not wait
print(("listening on 0.0.0.0:%d"):format(o.port))
io.stdout:flush()
local n = 0
while o.count == 0 or n < o.count do
  local data, ip, port = sock:receivefrom(1024)
  if not data then          -- ip holds the error: "timeout"
    print(("nothing received for %g s (%s); stopping"):format(o.timeout, ip))
    break
  end
  n = n + 1
  io.write(("%s:%d %s"):format(ip, port, data))
  if data:sub(-1) ~= "\n" then io.write("\n") end
  io.stdout:flush()
end
sock:close()
