-- dhcp_tshark.lua - what tshark shows of a BOOTP/DHCP packet, stated from
-- pktlua's dissection of it, for the specs that hold the two side by side.
local pkt = require "pkt"
local BOOTP, DHCP = pkt.BOOTP, pkt.DHCP

local M = {}

-- The fields compared, in tshark's names.
M.FIELDS = {
  "dhcp.type", "dhcp.hw.type", "dhcp.hw.len", "dhcp.hops", "dhcp.id", "dhcp.secs",
  "dhcp.flags", "dhcp.ip.client", "dhcp.ip.your", "dhcp.ip.server", "dhcp.ip.relay",
  "dhcp.cookie", "dhcp.option.type", "dhcp.option.dhcp", "dhcp.option.subnet_mask",
  "dhcp.option.router", "dhcp.option.domain_name_server", "dhcp.option.hostname",
  "dhcp.option.domain_name", "dhcp.option.requested_ip_address",
  "dhcp.option.ip_address_lease_time", "dhcp.option.dhcp_server_id",
  "dhcp.option.request_list_item", "dhcp.option.renewal_time_value",
  "dhcp.option.rebinding_time_value", "dhcp.option.broadcast_address",
  "dhcp.option.ntp_server", "dhcp.option.dhcp_max_message_size", "dhcp.option.end",
}

-- The tshark field of each option kind pktlua types.
local OPTFIELD = {
  ["message-type"] = "dhcp.option.dhcp", subnet_mask = "dhcp.option.subnet_mask",
  router = "dhcp.option.router", name_server = "dhcp.option.domain_name_server",
  hostname = "dhcp.option.hostname", domain = "dhcp.option.domain_name",
  requested_addr = "dhcp.option.requested_ip_address",
  lease_time = "dhcp.option.ip_address_lease_time", server_id = "dhcp.option.dhcp_server_id",
  param_req_list = "dhcp.option.request_list_item", renewal_time = "dhcp.option.renewal_time_value",
  rebinding_time = "dhcp.option.rebinding_time_value",
  broadcast_address = "dhcp.option.broadcast_address", NTP_server = "dhcp.option.ntp_server",
  max_dhcp_size = "dhcp.option.dhcp_max_message_size",
}

-- expect(p) -> {field = {values}}: what tshark should show of packet p
-- (with BOOTP and DHCP layers), in its field names: options up to the
-- first end (after it tshark sees padding), each typed one's values.
function M.expect(p)
  local b = p[BOOTP]
  local w = {
    ["dhcp.type"] = { b.op }, ["dhcp.hw.type"] = { ("0x%02x"):format(b.htype) }, ["dhcp.hw.len"] = { b.hlen },
    ["dhcp.hops"] = { b.hops }, ["dhcp.id"] = { ("0x%08x"):format(b.xid) },
    -- a secs whose low byte is 0 tshark takes for little-endian (a
    -- client bug it works around) and shows swapped
    ["dhcp.secs"] = { (b.secs > 0xff and b.secs & 0xff == 0) and b.secs >> 8 or b.secs }, ["dhcp.flags"] = { ("0x%04x"):format(b:getfieldval("flags")) },
    ["dhcp.ip.client"] = { b.ciaddr }, ["dhcp.ip.your"] = { b.yiaddr },
    ["dhcp.ip.server"] = { b.siaddr }, ["dhcp.ip.relay"] = { b.giaddr },
    ["dhcp.cookie"] = { "99.130.83.99" }, ["dhcp.option.type"] = {}, ["dhcp.option.end"] = {},
  }
  for _, f in pairs(OPTFIELD) do w[f] = w[f] or {} end
  local kinds = {}
  for k, n in pairs(pkt.DHCP.fields_desc[1].optnames) do kinds[n] = k end
  local prev
  for _, o in ipairs(p[DHCP] and p[DHCP].options or {}) do
    local name = type(o) == "string" and o or o[1]
    -- tshark gives pad and end the type 0, end its own field
    local t = w["dhcp.option.type"]
    -- and a run of pads is one option
    if name ~= "pad" or prev ~= "pad" then
      t[#t + 1] = (name == "pad" or name == "end") and 0 or kinds[name] or name
    end
    prev = name
    if name == "end" then w["dhcp.option.end"] = { 255 }; break end
    -- a client id of 7 bytes whose first is a hardware type tshark knows
    -- (1 to 47) it reads as that type and an address
    if name == "client_id" and #o[2] == 7 and o[2]:byte() >= 1 and o[2]:byte() <= 47 then
      table.insert(w["dhcp.hw.type"], ("0x%02x"):format(o[2]:byte()))
    end
    local f = type(o) == "table" and OPTFIELD[name]
    for j = 2, f and #o or 1 do
      local vs = type(o[j]) == "table" and o[j] or { o[j] }
      for _, v in ipairs(vs) do w[f][#w[f] + 1] = v end
    end
  end
  return w
end


-- read(path) -> frames: tshark's fields of each frame of a capture file.
function M.read(path)
  local cmd = { "tshark -n -r", path, "-T fields -E separator=/t -E occurrence=a -E aggregator='|'" }
  for _, f in ipairs(M.FIELDS) do cmd[#cmd + 1] = "-e " .. f end
  local f = assert(io.popen(table.concat(cmd, " ") .. " 2>/dev/null"))
  local out = f:read("a")
  f:close()
  return require("tshark").parse(out, M.FIELDS)
end

-- differences(p, frame) -> {"field: pktlua x, tshark y", ...}, tshark
-- printing every value as text.
function M.differences(p, frame)
  local bad = {}
  local function text(v)
    local t = {}
    for i, x in ipairs(v or {}) do t[i] = tostring(math.tointeger(x) or x) end
    return "[" .. table.concat(t, ", ") .. "]"
  end
  for f, want in pairs(M.expect(p)) do
    local w, g = text(want), text(frame[f])
    if w ~= g then bad[#bad + 1] = ("%s: pktlua %s, tshark %s"):format(f, w, g) end
  end
  table.sort(bad)
  return bad
end

return M
