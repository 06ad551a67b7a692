-- run.lua - `make bench`, first part: build+serialize and dissect+read
-- rates of pktlua (from Lua, and its C core alone) beside Scapy and
-- dpkt, and what stored captured packets cost in memory, from one run.
-- Prints the table and writes it to BUILD_DIR/bench-core.txt.
-- Usage: lua5.4 bench/run.lua CORE_BENCH_BIN BUILD_DIR [python]
local pkt = require "pkt"
local IP, UDP, Ether = pkt.IP, pkt.UDP, pkt.Ether
local core_bin, bdir, python = arg[1], arg[2] or "build", arg[3] or "/usr/bin/python3"
-- BENCH_QUICK=1: tiny counts, a smoke run that only shows the bench works
local quick = os.getenv("BENCH_QUICK") == "1"
local scale = quick and 0.01 or 1
local REPS = quick and 1 or 5

local function median(t)
  table.sort(t)
  return #t % 2 == 1 and t[(#t + 1) // 2] or (t[#t // 2] + t[#t // 2 + 1]) / 2
end

-- packets per second of f(n), the median of REPS runs
local function rate(n, f)
  local r = {}
  for k = 1, REPS do
    collectgarbage()
    local t0 = os.clock()
    f(n)
    r[k] = n / (os.clock() - t0)
  end
  return median(r)
end

local N = math.ceil(300000 * scale)
local bytes = (IP{src="1.2.3.4", dst="198.51.100.5"} / UDP{sport=8888, dport=9090} / "Hello UDP!\n"):bytes()

local lua = {
  build = rate(N, function(n)
    for i = 1, n do
      local p = IP{src="1.2.3.4", dst="198.51.100.5"} / UDP{sport=8888, dport=9090 + (i & 7)} / "Hello UDP!\n"
      p:bytes()
    end
  end),
  dissect = rate(N, function(n)
    for _ = 1, n do
      local p = IP(bytes)
      local _, _ = p[UDP].dport, p[IP].src
    end
  end),
}
-- What the same loops cost in Lua alone: the two field tables the
-- script writes and a string of the packet's size, no pktlua at all;
-- and for dissect, a table and two field reads.
local floor = {
  build = rate(N, function(n)
    for i = 1, n do
      local a, b = {src="1.2.3.4", dst="198.51.100.5"}, {sport=8888, dport=9090 + (i & 7)}
      local _ = a.src .. b.dport .. "Hello UDP!\n" .. "........"
    end
  end),
  dissect = rate(N, function(n)
    for _ = 1, n do
      local t = { bytes, 1 }
      local _, _ = t[1], t[2]
    end
  end),
}

-- A peer that gives no figures (a broken script, a missing package) is
-- named at the end and fails the run, so the CI smoke run catches it.
local missing = {}
local function measure_cmd(cmd)
  local f = assert(io.popen(cmd))
  local r = {}
  for line in f:lines() do
    local k, v = line:match("^(%a+) (%d+)")
    if k then r[k] = tonumber(v) end
  end
  f:close()
  if not (r.build and r.dissect) then missing[#missing + 1] = cmd end
  return r
end

local c = measure_cmd(core_bin .. " " .. math.ceil(2000000 * scale))
local PY = math.ceil(20000 * scale)
local scapy = measure_cmd(("%s bench/py_build_dissect.py scapy %d 2>/dev/null"):format(python, PY))
local dpkt = measure_cmd(("%s bench/py_build_dissect.py dpkt %d 2>/dev/null"):format(python, PY * 10))

-- Memory: captured packets read back with rdpcap, counted by Lua's
-- allocator after a full collection; 60-byte frames, as a capture of
-- small UDP datagrams holds.
local MEMN = math.ceil(100000 * scale)
local function memory()
  local path = os.tmpname()
  local f = Ether{dst="02:00:00:00:00:02", src="02:00:00:00:00:01"}
    / IP{src="198.51.100.1", dst="198.51.100.2"} / UDP{sport=1, dport=2} / ("x"):rep(18)
  local w = pkt.pcap_writer(path)
  for _ = 1, MEMN do w:write(f) end
  w:close()
  collectgarbage(); collectgarbage()
  local before = collectgarbage("count")
  local pkts = pkt.rdpcap(path)
  collectgarbage(); collectgarbage()
  local per = (collectgarbage("count") - before) * 1024 / #pkts
  local len = #pkts[1]
  os.remove(path)
  return per, len
end
local mem_per, mem_len = memory()

local out = {}
local function say(s) out[#out + 1] = s; print(s) end
local function num(x) return x and ("%.0f"):format(x) or "n/a" end
local function ratio(x, y) return (x and y and y > 0) and ("%.1fx"):format(x / y) or "n/a" end

say(("IP/UDP/11-byte payload, packets per second, one core, median of %d (%s)")
  :format(REPS, quick and "BENCH_QUICK: tiny counts, judged on nothing" or "full counts"))
say(("%-34s %16s %16s"):format("", "build+serialize", "dissect+read 2"))
local rows = {
  { "pktlua (Lua API)", lua },
  { "pktlua C core alone", c },
  { "Scapy (python3-scapy)", scapy },
  { "dpkt (python3-dpkt)", dpkt },
  { "Lua floor (tables+string only)", floor },
}
for _, r in ipairs(rows) do
  say(("%-34s %16s %16s"):format(r[1], num(r[2].build), num(r[2].dissect)))
end
say(("pktlua Lua API / Scapy:  build %s, dissect %s"):format(
  ratio(lua.build, scapy.build), ratio(lua.dissect, scapy.dissect)))
say(("pktlua Lua API / dpkt:   build %s, dissect %s"):format(
  ratio(lua.build, dpkt.build), ratio(lua.dissect, dpkt.dissect)))
say(("pktlua Lua API / target 1M/s: build %.2f, dissect %.2f; of the Lua floor: build %.2f, dissect %.2f")
  :format(lua.build / 1e6, lua.dissect / 1e6, lua.build / floor.build, lua.dissect / floor.dissect))
local target = 1.5 * mem_len + 100
say(("Memory, %d stored %d-byte packets (rdpcap): %.0f bytes each; target 1.5 x %d + 100 = %.0f: %s")
  :format(MEMN, mem_len, mem_per, mem_len, target,
    quick and "not judged in BENCH_QUICK" or (mem_per <= target and "met" or "MISSED")))

local f = io.open(bdir .. "/bench-core.txt", "w")
if f then
  f:write(table.concat(out, "\n"), "\n")
  f:close()
end
if #missing > 0 then
  io.stderr:write("bench: no figures from: ", table.concat(missing, "; "),
    "\n(are the peers installed? make deps installs python3-scapy and python3-dpkt)\n")
  os.exit(1)
end
