-- longrun.lua - `make bench`, last part: memory over long runs.  Ten
-- million packets through sniff{store=false, prn=...}, through a loop that
-- builds and sends, and through rdpcap of a large file read again and
-- again; each reports the process's resident memory and Lua heap after a
-- warm-up and at the end (goal: growth under 1 MB).  The network runs
-- need root (a netlab veth pair); rdpcap runs anywhere.
-- Usage: lua5.4 bench/longrun.lua ROOT BUILD_DIR   (BENCH_QUICK=1: tiny counts)
local root, bdir = arg[1] or ".", arg[2] or "build"
local quick = os.getenv("BENCH_QUICK") == "1"
local N = quick and { pkts = 20000, warm = 2000, file = 2000, loops = 24 }
  or { pkts = 10000000, warm = 1000000, file = 100000, loops = 100 }
local GOAL_KB = 1024
local pktlua_bin = ("%s/%s/pktlua"):format(root, bdir)

local function sh(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

-- What every measured script starts with: resident memory (VmRSS; and
-- RssAnon, the heap without the capture ring and the program's pages)
-- and the Lua heap, after a full collection.
local PROBE = [[
local now = require("pkt.core").now
local function mem()
  collectgarbage("collect")
  local f = io.open("/proc/self/status")
  local s = f:read("a")
  f:close()
  return ("rss %s anon %s lua %.0f t %.6f"):format(s:match("VmRSS:%s*(%d+)"),
    s:match("RssAnon:%s*(%d+)"), collectgarbage("count"), now())
end
]]

local function parse(out, tag)
  local rss, anon, lua, t = out:match(tag .. " rss (%d+) anon (%d+) lua (%d+) t ([%d.]+)")
  return rss and { rss = tonumber(rss), anon = tonumber(anon), lua = tonumber(lua), t = tonumber(t) }
end

local rows = {}

-- One row from a script's "start ..." and "end ..." lines; the rate is
-- its "rate" line's, or the packets between the two.
local function record(name, out, status)
  local a, b = parse(out, "start"), parse(out, "end")
  if status ~= 0 or not (a and b) then
    io.stderr:write(("long run: %s failed (status %s): %s\n"):format(name, tostring(status), out:sub(-600)))
    rows[#rows + 1] = { name = name }
    return
  end
  local n = tonumber(out:match("packets (%d+)"))
  rows[#rows + 1] = { name = name, a = a, b = b,
    rate = tonumber(out:match("rate (%d+)")) or n / math.max(b.t - a.t, 1e-6) }
end

-- A pktlua script run as a shell command; its output and status.
local function run_script(cmd_prefix, body)
  local f = io.popen(cmd_prefix .. sh(pktlua_bin) .. " -e " .. sh(PROBE .. body) .. " 2>&1")
  local out = f:read("a")
  local _, how, code = f:close()
  return out, how == "exit" and code or 128 + code
end

---------------------------------------------------------------- rdpcap

local function rdpcap_loop()
  local path = os.tmpname()
  -- the file is written by a process of its own: what building it leaves
  -- in the heap is not the reader's
  local _, st = run_script("", ([[
local t = {}
for i = 1, %d do
  local p = Ether{src="02:00:00:00:00:01", dst="02:00:00:00:00:02"}
    / IP{src="198.51.100.1", dst="198.51.100." .. (i %% 250 + 1)} / UDP{sport=1024 + i %% 60000, dport=9090} / "payload"
  p.time = 1700000000 + i / 1000
  t[i] = p
end
wrpcap(%q, t)
]]):format(N.file, path))
  assert(st == 0, "long run: cannot write the file to read")
  -- Freed lists leave malloc's heap at anything between one and two
  -- lists' worth from one loop to the next: the highest of ten loops is
  -- compared, after the warm-up and at the end, where a leak would show.
  local body = ([[
local path, loops, warm = %q, %d, 2
local total, seen, highs, t0 = 0, 0, {}, now()
for loop = 1, loops do
  local l = rdpcap(path)
  total = total + #l
  seen = seen + l[#l][UDP].sport         -- one field read, so the list is used
  l = nil
  local m = mem()
  local rss = tonumber(m:match("rss (%%d+)"))
  if loop > warm and (loop <= warm + 10 or loop > loops - 10) then
    local k = loop <= warm + 10 and "start" or "end"
    if not highs[k] or rss > highs[k].rss then highs[k] = { rss = rss, m = m } end
  end
end
print("start " .. highs.start.m)
print("end " .. highs["end"].m)
print(("rate %%.0f"):format(total / (now() - t0)))
]]):format(path, N.loops)
  local out
  out, st = run_script("", body)
  record(("rdpcap of a %d-packet file, %d times"):format(N.file, N.loops), out, st)
  os.remove(path)
end

-------------------------------------------------------- on a veth pair

local FRAME = [[Ether{src="02:00:00:00:00:01", dst="02:00:00:00:00:02"}
  / IP{src="198.51.100.1", dst="198.51.100.2"} / UDP{sport=1234, dport=9090} / "Hello UDP!\n"]]

local function sniff_loop(lab)
  local body = ([[
local n, warm, total = 0, %d, %d
-- the end is measured in the last callback, with the capture ring still there
sniff{iface="eth0", filter="udp", store=false, count=total, immediate=false,
  started_callback=function() io.stderr:write("listening\n") end,
  prn=function(p)
    n = n + 1
    if n == warm then print("start " .. mem()) elseif n == total then print("end " .. mem()) end
  end}
print("packets " .. n - warm)
]]):format(N.warm, N.warm + N.pkts)
  local sniffer = lab:spawn("b", ("%s -e %s"):format(pktlua_bin, sh(PROBE .. body)))
  assert(sniffer:expect("listening", 10), "long run: the sniffer did not start: " .. sniffer:output())
  -- as much as it takes: the sniffer drops what its callback cannot take
  local sender = lab:spawn("a", ("%s -e %s"):format(pktlua_bin,
    sh(("sendp(%s, {iface=\"eth0\", loop=true, verbose=false})"):format(FRAME))))
  local out, st = sniffer:wait(quick and 60 or 900)
  sender:kill()
  record(("sniff{store=false, prn=...}, %d packets"):format(N.pkts), out or sniffer:output(), st or -1)
end

local function send_loop(lab)
  local body = ([[
local total, warm = %d, %d
for i = 1, warm + total do
  local p = IP{src="198.51.100.1", dst="198.51.100.2", id=i %% 65536}
    / UDP{sport=1024 + i %% 60000, dport=9090} / "Hello UDP!\n"
  send(p, {verbose=false})
  if i == warm then print("start " .. mem()) end
end
print("end " .. mem())
print("packets " .. total)
]]):format(N.pkts, N.warm)
  lab:run("a", "ip neigh replace 198.51.100.2 lladdr 02:00:00:00:00:02 dev eth0 nud permanent")
  local out, st = lab:run("a", ("%s -e %s 2>&1"):format(pktlua_bin, sh(PROBE .. body)))
  record(("build and send() in a loop, %d packets"):format(N.pkts), out, st)
end

---------------------------------------------------------------- main

rdpcap_loop()
local ok_lab, netlab = pcall(require, "netlab")
local avail, why = false, "scripts/netlab.lua not found"
if ok_lab then avail, why = netlab.available() end
if avail then
  local lab = netlab.pair()
  -- b drops IPv4 at its ingress (cls_bpf "return 2"), after the capture
  -- tap: its stack does not answer, nor slow the sender down
  lab:run("b", "tc qdisc add dev eth0 ingress && tc filter add dev eth0 ingress protocol ip bpf da bytecode '1,6 0 0 2,'")
  local fine, err = pcall(function() sniff_loop(lab); send_loop(lab) end)
  lab:down()
  if not fine then error(err, 0) end
else
  print("long run on the network skipped: " .. tostring(why))
end

local lines = { ("Long runs: memory at the start (after a warm-up) and the end, in kB; goal: growth under %d kB%s")
  :format(GOAL_KB, quick and " (BENCH_QUICK: tiny counts, not judged)" or ""),
  ("%-46s %8s %8s %8s %8s %8s %8s %8s %9s"):format("run", "rss", "rss end", "growth", "anon", "anon end",
    "lua", "lua end", "pkt/s") }
local failed = false
for _, r in ipairs(rows) do
  if r.a then
    local growth = r.b.rss - r.a.rss
    local verdict = quick and "" or (growth < GOAL_KB and "  met" or "  MISSED")
    lines[#lines + 1] = ("%-46s %8d %8d %8d %8d %8d %8d %8d %9.0f%s"):format(r.name, r.a.rss, r.b.rss, growth,
      r.a.anon, r.b.anon, r.a.lua, r.b.lua, r.rate, verdict)
  else
    lines[#lines + 1] = ("%-46s failed (see above)"):format(r.name)
    failed = true
  end
end
lines[#lines + 1] = "  rss: VmRSS; anon: RssAnon (the heap, without the capture ring); lua: collectgarbage(\"count\")"
local text = table.concat(lines, "\n") .. "\n"
io.write(text)
local f = io.open(("%s/%s/bench-send.txt"):format(root, bdir), "a")
if f then f:write("\n", text) f:close() end
if failed then os.exit(1) end
