-- min_responder.lua - the floor of a pktlua responder for net_bench.lua's
-- reaction time: phantom_host.lua's job (ARP who-has, ICMP echo) on
-- pkt.core alone, replies made from the request's bytes with string ops
-- and an RFC 1624 checksum update, no dissecting or building. What it
-- gains over phantom_host.lua is the cost of the high-level API.
-- Usage: pktlua bench/min_responder.lua IFACE IP MAC; prints "ready".
local core = require "pkt.core"
local iface, ip, mac = arg[1], arg[2], arg[3]
local my_ip = string.char(ip:match("^(%d+)%.(%d+)%.(%d+)%.(%d+)$"))
local my_mac = (mac:gsub(":", ""):gsub("%x%x", function(h) return string.char(tonumber(h, 16)) end))
local filter = ("(arp and arp dst host %s) or (icmp and dst host %s)"):format(ip, ip)

local cap = assert(core.capture_open{ iface = iface, filter = filter, immediate = true,
  snaplen = 1564, timeout_ms = 50 })
print("ready")
io.stdout:flush()

while true do
  local d = cap:next()
  if d and #d >= 42 then
    local et = d:sub(13, 14)
    if et == "\8\6" and d:sub(21, 22) == "\0\1" and d:sub(39, 42) == my_ip then
      local sha, spa = d:sub(23, 28), d:sub(29, 32)    -- the asker, told we are at my_mac
      core.send_l2(sha .. my_mac .. "\8\6" .. d:sub(15, 20) .. "\0\2" .. my_mac .. my_ip .. sha .. spa, iface, 1)
    elseif et == "\8\0" and d:byte(15) == 0x45 and d:byte(24) == 1 and d:byte(35) == 8 then
      -- echo (8) -> echo reply (0): the ICMP checksum gains 0x0800;
      -- swapping the addresses leaves the IP checksum as it is
      local ck = (d:byte(37) << 8 | d:byte(38)) + 0x0800
      ck = (ck & 0xffff) + (ck >> 16)
      core.send_l2(d:sub(7, 12) .. my_mac .. d:sub(13, 26) .. d:sub(31, 34) .. d:sub(27, 30)
        .. "\0" .. d:sub(36, 36) .. string.char(ck >> 8, ck & 0xff) .. d:sub(39), iface, 1)
    end
  elseif d == nil then
    error("min_responder: capture failed", 0)
  end
end
