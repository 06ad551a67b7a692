-- run.lua - `make bench`: build+serialize and dissect rates of pktlua
-- (from Lua, and its C core alone) beside Scapy's, from one run.
local pkt = require "pkt"
local IP, UDP = pkt.IP, pkt.UDP
local core_bin, python = arg[1], arg[2] or "/usr/bin/python3"
-- BENCH_QUICK=1: tiny counts, a smoke run that only shows the bench works
local scale = os.getenv("BENCH_QUICK") and 0.01 or 1

local function rate(n, f)
  local t0 = os.clock()
  f(n)
  return n / (os.clock() - t0)
end

local function measure_lua()
  local r = {}
  r.build = rate(math.ceil(200000 * scale), function(n)
    for i = 1, n do
      local p = IP{src="1.2.3.4", dst="198.51.100.5"} / UDP{sport=8888, dport=9090 + (i & 7)} / "Hello UDP!\n"
      p:bytes()
    end
  end)
  local b = (IP{src="1.2.3.4", dst="198.51.100.5"} / UDP{sport=8888, dport=9090} / "Hello UDP!\n"):bytes()
  r.dissect = rate(math.ceil(200000 * scale), function(n)
    for _ = 1, n do
      local p = IP(b)
      local _ = p[UDP].dport
    end
  end)
  return r
end

local function measure_cmd(cmd)
  local f = assert(io.popen(cmd))
  local r = {}
  for line in f:lines() do
    local k, v = line:match("^(%a+) (%d+)")
    if k then r[k] = tonumber(v) end
  end
  f:close()
  return r
end

local lua = measure_lua()
local c = measure_cmd(core_bin .. " " .. math.ceil(2000000 * scale))
local scapy = measure_cmd(python .. " bench/scapy_build_dissect.py " .. math.ceil(20000 * scale)
  .. " 2>/dev/null")

print("IP/UDP/11-byte payload, packets per second (one core, no network)")
print(("%-24s %14s %14s"):format("", "build+serialize", "dissect+read"))
local function row(name, r)
  print(("%-24s %14s %14s"):format(name, r.build and ("%.0f"):format(r.build) or "n/a",
    r.dissect and ("%.0f"):format(r.dissect) or "n/a"))
end
row("pktlua (Lua API)", lua)
row("pktlua C core", c)
row("Scapy " .. "(python3-scapy)", scapy)
if scapy.build and scapy.dissect then
  print(("pktlua Lua API / Scapy: build %.1fx, dissect %.1fx"):format(
    lua.build / scapy.build, lua.dissect / scapy.dissect))
  print(("pktlua C core / Scapy:  build %.0fx, dissect %.0fx"):format(
    c.build / scapy.build, c.dissect / scapy.dissect))
end
