-- udp_chat_client.lua - the exercise's client: send each line typed to
-- the server and print its answer, or say that none came in time.
local socket = require "socket"
local o = require("pkt.cli").parse(arg, "Send lines to the upper-case server and print the replies.", {
  { "host", "H", "server address", default = "198.51.100.12" },
  { "port", "p", "server port", default = 9090, number = true },
  { "timeout", "t", "seconds to wait for each reply (0: never)", default = 2, number = true },
})

local sock = assert(socket.udp())
assert(sock:setpeername(o.host, o.port))
sock:settimeout(o.timeout > 0 and o.timeout or nil)   -- LuaSocket's 0 would not wait
for line in io.lines() do
  sock:send(line .. "\n")
  local reply, err = sock:receive()
  if reply then
    io.write(reply)
  else
    print(("no reply from %s:%d within %g s (%s)"):format(o.host, o.port, o.timeout, err))
  end
  io.stdout:flush()
end
sock:close()
