-- ladder.lua - reads a ladder diagram (pkts:flow()) back, and checks it
-- against tshark's reading of the same capture: one arrow a packet, in
-- order, from and to the hosts tshark names, at the time it gives.
local tshark = require "tshark"
local assert = require "luassert"

local M = {}

-- Reads a ladder back: the hosts under their lanes, and for each arrow
-- its time and its two ends.
function M.read(text)
  local lines = {}
  for line in text:gmatch("([^\n]*)\n") do lines[#lines + 1] = line end
  local idle
  for k, line in ipairs(lines) do
    if line:find("^%s+|[%s|]*$") then idle = k break end
  end
  local lanes = {}
  for x in lines[idle]:gmatch("()|") do lanes[#lanes + 1] = x end
  -- a word under a lane is that lane's: the one nearest its middle
  local function under(line)
    local t = {}
    for pos, word in line:gmatch("()(%S+)") do
      local mid, best = pos + #word / 2, 1
      for n, x in ipairs(lanes) do
        if math.abs(x - mid) < math.abs(lanes[best] - mid) then best = n end
      end
      t[best] = word
    end
    return t
  end
  local hosts, macs = under(lines[1]), idle > 2 and under(lines[2]) or {}
  local arrows = {}
  for k = idle + 1, #lines do
    local line = lines[k]
    local t = line:match("^%s*(%d+%.%d+)")
    if t then
      local right, left = line:find(">", 1, true), line:find("<", 1, true)
      local ends = {}
      for n, x in ipairs(lanes) do
        local before, after = line:sub(x - 1, x - 1), line:sub(x + 1, x + 1)
        if before:find("[%->]") or after:find("[%-<]") then ends[#ends + 1] = n end
      end
      local a, b = ends[1], ends[#ends]
      if left and (not right or left < right) then a, b = b, a end
      arrows[#arrows + 1] = { t = tonumber(t), from = a, to = b }
    end
  end
  return { hosts = hosts, macs = macs, arrows = arrows }
end


local function first(f, name) return f[name] and f[name][1] end

-- check(pcap, text): asserts text, the ladder of the capture in pcap,
-- has the arrows tshark's addresses and times call for.
function M.check(pcap, text)
  local cmd = "tshark -n -r " .. H.shquote(pcap) .. " -T fields -E separator=/t -E occurrence=f"
    .. " -e frame.time_relative -e ip.src -e ip.dst -e ipv6.src -e ipv6.dst -e arp.src.proto_ipv4"
    .. " -e arp.dst.proto_ipv4 -e eth.src -e eth.dst 2>/dev/null"
  local frames = tshark.parse((H.run(cmd)), { "time", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst",
    "arp.src", "arp.dst", "eth.src", "eth.dst" })
  local f = M.read(text)
  assert.equal(#frames, #f.arrows, pcap .. ": arrows")
  for i, fr in ipairs(frames) do
    local a = f.arrows[i]
    local src = first(fr, "ip.src") or first(fr, "ipv6.src") or first(fr, "arp.src")
    local dst = first(fr, "ip.dst") or first(fr, "ipv6.dst") or first(fr, "arp.dst")
    local what = ("%s #%d"):format(pcap, i)
    if src then
      assert.equal(src, f.hosts[a.from], what .. " source")
      assert.equal(dst, f.hosts[a.to], what .. " destination")
    else
      -- only layer 2: the host by its MAC, or the address it has elsewhere
      local es, ed = first(fr, "eth.src"), first(fr, "eth.dst")
      assert.is_true(f.hosts[a.from] == es or f.macs[a.from] == es, what .. " source " .. es)
      assert.is_true(f.hosts[a.to] == ed or f.macs[a.to] == ed, what .. " destination " .. ed)
    end
    assert.is_true(math.abs(a.t - tonumber(first(fr, "time"))) < 2e-6, what .. " time")
  end
  return f
end

return M
