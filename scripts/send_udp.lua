-- send_udp.lua - socket basics: send one UDP datagram the ordinary way,
-- through the kernel, which fills in our real address.
--   Python: sock.sendto(b"Hello UDP!\n", ("server", 9090))
local socket = require "socket"
local cli = require "pkt.cli"
local o = cli.parse(arg, "Send one UDP datagram with an ordinary socket.", {
  { "host", "H", "where to send", default = "198.51.100.12" },
  { "port", "p", "destination port", default = 9090, number = true },
  { "message", "m", "payload (\\n for newline)", default = "Hello UDP!\\n" },
})

local sock = assert(socket.udp())
assert(sock:sendto(cli.unescape(o.message), o.host, o.port))
print(("sent %d bytes to %s:%d"):format(#cli.unescape(o.message), o.host, o.port))
sock:close()
