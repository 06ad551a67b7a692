-- udp_chat_server.lua - the exercise's server: answer every datagram with
-- the same text in upper case.
local socket = require "socket"
local o = require("pkt.cli").parse(arg, "UDP server that answers each line in upper case.", {
  { "port", "p", "UDP port to listen on", default = 9090, number = true },
})

local sock = assert(socket.udp())
assert(sock:setsockname("0.0.0.0", o.port))
print(("upper-case server on 0.0.0.0:%d"):format(o.port))
io.stdout:flush()
while true do
  local data, ip, port = sock:receivefrom(2048)
  if data then
    print(("%s:%d %s"):format(ip, port, data:gsub("\n$", "")))
    io.stdout:flush()
    sock:sendto(data:upper(), ip, port)
  end
end
