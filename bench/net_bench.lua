-- net_bench.lua - `make bench`, third part: pktlua on the wire beside its
-- peers from the same run on one veth pair (a = .1, b = .2): bulk sending
-- beside trafgen, vary's cost, pps accuracy, capture beside tcpdump,
-- sniff-then-spoof reaction beside C and Scapy, and startup beside lua5.4.
-- Appends its tables to BUILD_DIR/bench-send.txt. Needs root.
-- Usage: lua5.4 bench/net_bench.lua ROOT BUILD_DIR   (BENCH_QUICK=1: tiny counts)
local netlab = require "netlab"
local pkt = require "pkt"
local root, bdir = arg[1] or ".", arg[2] or "build"
local quick = os.getenv("BENCH_QUICK") == "1"
local N = quick
  and { bulk = 20000, rounds = 1, runs = 1, pps_secs = 0.1, cap = 20000, cap_secs = 1.5, pings = 20, starts = 5,
        react_rounds = 1 }
  or { bulk = 1000000, rounds = 7, runs = 3, pps_secs = 1, cap = 1000000, cap_secs = 5, pings = 200, starts = 20,
       react_rounds = 3 }
local PHANTOM = { ip = "198.51.100.66", mac = "02:de:ad:be:ef:66" }

local ok, why = netlab.available()
if not ok then print("network bench skipped: " .. why) return end

local function sh(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end
local function median(t, key)
  local v = {}
  for _, x in ipairs(t) do v[#v + 1] = key and x[key] or x end
  if #v == 0 then return nil end
  table.sort(v)
  return #v % 2 == 1 and v[(#v + 1) // 2] or (v[#v // 2] + v[#v // 2 + 1]) / 2
end
local function ratio(x, y)
  if not (x and y) or y == 0 then return "n/a" end
  return ("%.2f"):format(x / y)
end
local function num(x, fmt) return x and (fmt or "%.0f"):format(x) or "n/a" end
local function sleep(s) os.execute(("sleep %g"):format(s)) end
-- ": met" / ": MISSED" for a target; tiny counts judge nothing
local function verdict(met)
  if met == nil then return "" end
  if quick then return ", not judged in BENCH_QUICK" end
  return met and ": met" or ": MISSED"
end

local function which(cmd)
  local f = io.popen("command -v " .. cmd .. " 2>/dev/null")
  local path = f:read("l")
  f:close()
  return path
end
local trafgen = which("trafgen")
local pktlua_bin = ("%s/%s/pktlua"):format(root, bdir)

-- The one frame every bulk sender sends: what send_bench.lua sends, with
-- the Ethernet header a bulk send(p) puts on it (b's MAC is permanent in
-- a's neighbour table).
local P_EXPR = [[IP{src="198.51.100.1", dst="198.51.100.2"}/UDP{sport=1234, dport=9090}/"Hello UDP!\n"]]

-- Each pktlua sender first sends one untimed packet with send() and one
-- with sendp(): the sockets are opened and cached, which a long-running
-- script pays once. WARM is how many packets that puts on the wire.
local WARM = 2
local function pktlua(lab, n, body)
  local head = ([[
local now = require("pkt.core").now
local p = %s
local frame = Ether{src="%s", dst="%s"}/p
send(p, {verbose=false}); sendp(frame, {iface="eth0", verbose=false})
local n = %d
local t0 = now()
]]):format(P_EXPR, lab.a.mac, lab.b.mac, n)
  local tail = [[
local t = now() - t0
print(("rate %.0f\nsent %d\nsecs %.6f"):format(sent / t, sent, t))
]]
  return pktlua_bin .. " -e " .. sh(head .. body .. tail)
end

-- IPv4 packets b's tc ingress filter has dropped: what really arrived.
local function arrived(lab)
  local out = lab:run("b", "tc -s qdisc show dev eth0")
  return tonumber(out:match("qdisc ingress.-dropped (%d+)")) or 0
end

local function must(lab, host, cmd)
  local out, st, err = lab:run(host, cmd)
  assert(st == 0, ("network bench: `%s` in %s failed: %s"):format(cmd, host, err .. out))
  return out
end

local function run_sender(lab, s)
  local before = arrived(lab)
  local out, st, err = lab:run("a", s.cmd)
  local r = s.parse(out .. err)
  if st ~= 0 or not r then
    io.stderr:write(("network bench: %s failed (status %d): %s\n"):format(s.name, st, (err .. out):sub(-400)))
    return nil
  end
  r.arrived = arrived(lab) - before - (s.warm or 0)
  return r
end

local function parse_pktlua(out)
  local rate = tonumber(out:match("rate (%d+)"))
  return rate and { rate = rate, sent = tonumber(out:match("sent (%d+)")), secs = tonumber(out:match("secs ([%d.]+)")) }
end

-- trafgen's own timing ("0 sec, 982070 usec on CPU0 (1000000 packets)")
-- leaves out its start-up, as pktlua's rate leaves out its own.
local function parse_trafgen(out)
  local s, us, n = out:match("(%d+) sec, (%d+) usec on CPU%d+ %((%d+) packets%)")
  if not s then return nil end
  local secs = tonumber(s) + tonumber(us) / 1e6
  return { rate = tonumber(n) / secs, sent = tonumber(n), secs = secs }
end

-- Other work on the machine (a 2-vCPU VM) moves every rate here: the
-- tables say how loaded it was when they began.
local function loadavg()
  local f = io.open("/proc/loadavg")
  local s = f and f:read("l") or "?"
  if f then f:close() end
  return s:match("^(%S+ %S+ %S+)") or s
end
local out_text = {
  ("Network bench, %s; load average at start: %s\n\n"):format(os.date("!%Y-%m-%d %H:%M UTC"), loadavg()) }
io.write(out_text[1])
local function emit(lines)
  local text = table.concat(lines, "\n") .. "\n\n"
  io.write(text)
  io.stdout:flush()
  out_text[#out_text + 1] = text
end

local VARY = [[{["IP.src"]="198.51.100.0/24", ["UDP.sport"]={1024,65535}, ["IP.id"]="inc"}]]

---------------------------------------------- 1, 2: bulk sending, vary

local function bench_bulk(lab, tmp)
  local frame = (pkt.Ether{src=lab.a.mac, dst=lab.b.mac} / pkt.IP{src="198.51.100.1", dst="198.51.100.2"}
    / pkt.UDP{sport=1234, dport=9090} / "Hello UDP!\n"):bytes()
  local cfg = tmp .. ".trafgen.cfg"
  local hex = {}
  for i = 1, #frame do hex[i] = ("0x%02x"):format(frame:byte(i)) end
  local f = assert(io.open(cfg, "w"))
  f:write("/* ", #frame, "-byte frame: Ether / IPv4 / UDP / \"Hello UDP!\\n\", as pktlua builds it */\n{ ",
    table.concat(hex, ", "), " }\n")
  f:close()
  local senders = {
    { key = "trafgen", name = "trafgen --cpu 1 (TX ring)", parse = parse_trafgen,
      cmd = trafgen and ("%s --dev eth0 --conf %s --num %d --cpu 1"):format(trafgen, cfg, N.bulk) },
    { key = "sendp", name = "pktlua sendp(frame, {count=N})", parse = parse_pktlua, warm = WARM,
      cmd = pktlua(lab, N.bulk, 'local sent = sendp(frame, {count=n, iface="eth0", verbose=false})\n') },
    { key = "send", name = "pktlua send(p, {count=N})", parse = parse_pktlua, warm = WARM,
      cmd = pktlua(lab, N.bulk, "local sent = send(p, {count=n, verbose=false})\n") },
    { key = "vary", name = "pktlua send(p, {count=N, vary=3})", parse = parse_pktlua, warm = WARM,
      cmd = pktlua(lab, N.bulk, ("local sent = send(p, {count=n, verbose=false, vary=%s})\n"):format(VARY)) },
  }
  -- Round-robin, so a slow spell of the VM falls on every sender alike.
  -- One sender's rate swings by +-20% from run to run here (the CPU it
  -- gets, not what it does: its CPU time per packet swings alike), more
  -- than vary could cost: vary is judged by the median of each round's
  -- vary/plain ratio, two runs next to each other in time.
  local runs, pairs_ = {}, {}
  for _ = 1, N.rounds do
    local round = {}
    for _, s in ipairs(senders) do
      runs[s.key] = runs[s.key] or {}
      round[s.key] = s.cmd and run_sender(lab, s)
      table.insert(runs[s.key], round[s.key])
    end
    if round.vary and round.send then pairs_[#pairs_ + 1] = round.vary.rate / round.send.rate end
  end
  local r = {}
  for _, s in ipairs(senders) do
    r[s.key] = { rate = median(runs[s.key], "rate"), arrived = median(runs[s.key], "arrived"),
      sent = median(runs[s.key], "sent"), n = #runs[s.key] }
  end
  local lines = {
    ("Bulk sending, the same %d-byte IPv4/UDP frame a -> b, N=%d%s"):format(#frame, N.bulk,
      N.rounds > 1 and (", median of %d runs"):format(N.rounds) or " (BENCH_QUICK)"),
    ("%-38s %10s %9s %15s"):format("sender", "pkt/s", "at b", "pktlua/trafgen"),
  }
  for _, s in ipairs(senders) do
    local x = r[s.key]
    lines[#lines + 1] = ("%-38s %10s %9s %15s"):format(s.name, num(x.rate),
      x.n > 0 and num(x.arrived) or "-", s.key == "trafgen" and (x.rate and "1.00" or "n/a") or ratio(x.rate, r.trafgen.rate))
  end
  if not trafgen then lines[#lines + 1] = "  trafgen not installed (netsniff-ng; `make deps`)" end
  local vr = median(pairs_)
  lines[#lines + 1] = ("  vary=%s"):format(VARY)
  local each = {}
  for i, x in ipairs(pairs_) do each[i] = ("%.2f"):format(x) end
  lines[#lines + 1] = ("  vary / plain send: %s, the median of the rounds' ratios (target >= 0.90%s)")
    :format(num(vr, "%.3f"), verdict(vr and vr >= 0.9))
  lines[#lines + 1] = ("    each round: %s; of the medians: %s"):format(#each > 0 and table.concat(each, " ") or "n/a",
    ratio(r.vary.rate, r.send.rate))
  lines[#lines + 1] = "  at b: IPv4 packets b's tc ingress dropped in that run, warm-up packets left out"
  emit(lines)
  os.remove(cfg)
  return r
end

------------------------------------------------------- 3: rate accuracy

local function bench_pps(lab, max_rate)
  local rows = {}
  local asked = { 1000, 10000, 100000 }
  if max_rate then asked[#asked + 1] = math.floor(max_rate) end
  for i, R in ipairs(asked) do
    local n = math.max(1, math.floor(R * N.pps_secs + 0.5))
    local s = { name = ("pps=%d"):format(R), parse = parse_pktlua, warm = WARM,
      cmd = pktlua(lab, n, ("local sent = send(p, {count=n, pps=%d, verbose=false})\n"):format(R)) }
    local r = run_sender(lab, s) or {}
    rows[#rows + 1] = { label = i == #asked and max_rate and ("%d (max)"):format(R) or tostring(R),
      R = R, n = n, rate = r.rate, arrived = r.arrived, secs = r.secs }
  end
  local lines = {
    ("Rate accuracy, send(p, {count=R*%gs, pps=R}); achieved = count / time of the call (pkt.core.now)"):format(N.pps_secs),
    ("%-14s %8s %14s %9s %9s"):format("pps asked", "count", "achieved pkt/s", "error %", "at b"),
  }
  for _, x in ipairs(rows) do
    local err = x.rate and (x.rate - x.R) / x.R * 100
    lines[#lines + 1] = ("%-14s %8d %14s %9s %9s"):format(x.label, x.n, num(x.rate),
      err and ("%+.2f"):format(err) or "n/a", num(x.arrived))
  end
  lines[#lines + 1] = "  max: the median unpaced rate of send(p, {count=N}) above, itself +-20% from run to run"
  emit(lines)
end

----------------------------------------------------------- 4: capture

-- A pktlua capturer in b: pre, then sniff on eth0 with opts (fields of
-- its table) until the timeout, then its statistics and post's lines.
local function pktlua_sniff(opts, pre, post)
  return pktlua_bin .. " -e " .. sh(([[
%s
local pkts, st = sniff{iface="eth0", timeout=%g, %s
  started_callback=function() print("ready") io.stdout:flush() end}
print(("received %%d\ndropped %%d\nifdropped %%d"):format(st.received, st.dropped, st.ifdropped))
%s
]]):format(pre or "", N.cap_secs, opts, post or ""))
end

-- b captures while a sends N frames with one bulk sendp at full rate.
-- The tc ingress filter drops them after the capture tap: AF_PACKET taps
-- are served in __netif_receive_skb_core before tc ingress runs, which
-- "at b" beside the capturers' received counts shows.
local function bench_capture(lab)
  local send_cmd = pktlua(lab, N.cap, 'local sent = sendp(frame, {count=n, iface="eth0", verbose=false})\n')
  local read = "prn=function(p) if p[UDP].dport then n = n + 1 end end,"
  local count = 'print(n .. " packets captured")'
  local capturers = {
    { key = "pktlua", name = "pktlua sniff{store=false}", cmd = pktlua_sniff("store=false,"), ready = "ready" },
    { key = "prn", name = "pktlua sniff{prn=read dport}",
      cmd = pktlua_sniff("store=false, " .. read, "local n = 0", count), ready = "ready" },
    { key = "prnv3", name = " same, immediate=false",
      cmd = pktlua_sniff("store=false, immediate=false, buffer_kb=262144, " .. read, "local n = 0", count),
      ready = "ready" },
    -- stored: what the list costs, counted by Lua's allocator
    { key = "store", name = "pktlua sniff{store=true}", ready = "ready",
      cmd = pktlua_sniff("buffer_kb=262144,", 'collectgarbage(); collectgarbage()\nlocal m0 = collectgarbage("count")', [[
collectgarbage(); collectgarbage()
print(("%d packets captured\nmembytes %.0f\nlen %d"):format(#pkts,
  (collectgarbage("count") - m0) * 1024 / math.max(#pkts, 1), pkts[1] and #pkts[1] or 0))]]) },
    { key = "tcpdump", name = "tcpdump -w /dev/null",
      cmd = "tcpdump -i eth0 -w /dev/null", ready = "listening on" },
  }
  local res = {}
  for _, c in ipairs(capturers) do
    local runs = {}
    for _ = 1, N.runs do
      local before = arrived(lab)
      local job = lab:spawn("b", c.cmd)
      local r
      if job:expect(c.ready, 10) then
        local out = lab:run("a", send_cmd)
        local snd = parse_pktlua(out)
        local text
        if c.key == "tcpdump" then
          -- tcpdump reads TPACKET_V3 blocks, retired when full or after
          -- its 1 s buffer timeout: wait for the last, then stop it as
          -- Ctrl-C would (SIGINT by pid)
          sleep(1.3)
          os.execute(("/bin/kill -s INT %d"):format(job.pid))
          text = job:wait(5)
        else
          text = job:wait(N.cap_secs + 5)
        end
        text = text or job:output()
        job:kill()
        r = { received = tonumber(text:match("received (%d+)") or text:match("(%d+) packets? received by filter")),
              dropped = tonumber(text:match("dropped (%d+)") or text:match("(%d+) packets? dropped by kernel")),
              ifdropped = tonumber(text:match("ifdropped (%d+)") or text:match("(%d+) packets? dropped by interface")),
              captured = tonumber(text:match("(%d+) packets? captured")),
              arrived = arrived(lab) - before, send_rate = snd and snd.rate,
              membytes = tonumber(text:match("membytes (%d+)")), len = tonumber(text:match("len (%d+)")) }
        if r.received and r.dropped and not r.captured then r.captured = r.received - r.dropped end
        r.captured = r.captured or 0
        if not r.received then
          io.stderr:write(("network bench: %s gave no statistics: %s\n"):format(c.name, text:sub(-400)))
          r = nil
        end
      else
        io.stderr:write(("network bench: %s did not start: %s\n"):format(c.name, job:output():sub(-400)))
        job:kill()
      end
      runs[#runs + 1] = r
    end
    -- the run with the median captured count, whole
    table.sort(runs, function(x, y) return x.captured < y.captured end)
    res[c.key] = runs[(#runs + 1) // 2] or {}
  end
  local lines = {
    ("Capture: b captures while a sends N=%d frames with one bulk sendp%s"):format(N.cap,
      N.runs > 1 and "; the median of 3 runs" or " (BENCH_QUICK)"),
    ("%-28s %9s %9s %9s %9s %9s %7s %12s"):format("capturer", "at b", "received", "dropped", "ifdropped",
      "captured", "lost %", "sender pkt/s"),
  }
  for _, c in ipairs(capturers) do
    local x = res[c.key]
    local lost = x.arrived and x.captured and x.arrived > 0 and (x.arrived - x.captured) / x.arrived * 100
    lines[#lines + 1] = ("%-28s %9s %9s %9s %9s %9s %7s %12s"):format(c.name, num(x.arrived), num(x.received),
      num(x.dropped), num(x.ifdropped), num(x.captured), lost and ("%.1f"):format(lost) or "n/a", num(x.send_rate))
  end
  lines[#lines + 1] = ("  captured: pktlua/tcpdump %s. received/dropped: pcap_stats (tcpdump's exit lines);")
    :format(ratio(res.pktlua.captured, res.tcpdump.captured))
  local st = res.store
  if st.membytes and st.len then
    local target = 1.5 * st.len + 100
    lines[#lines + 1] = ("  store=true: %s packets kept, %d bytes each for %d-byte frames; target 1.5 x %d + 100 = %.0f%s")
      :format(num(st.captured), st.membytes, st.len, st.len, target, verdict(st.membytes <= target))
  end
  lines[#lines + 1] = ("  at b: IPv4 packets b's tc ingress dropped, after the capture tap, incl. the sender's %d warm-ups"):format(WARM)
  emit(lines)
end

---------------------------------------------------- 5: reaction time

-- A phantom 198.51.100.66 answered by a responder in a; b pings it. b's
-- ingress filter is gone by now: the replies must reach b's stack. The
-- responders take turns for N.react_rounds rounds and each one's times
-- are pooled: this machine's latency drifts by tens of percent within
-- minutes, and a ratio of two runs minutes apart would measure that.
local function bench_reaction(lab)
  must(lab, "b", "tc qdisc del dev eth0 ingress")
  local args = ("eth0 %s %s"):format(PHANTOM.ip, PHANTOM.mac)
  local responders = {
    { key = "kernel", name = "kernel (a's own 198.51.100.1)", target = lab.a.ip },
    { key = "c", name = "C libpcap + AF_PACKET", cmd = ("%s/%s/c_responder %s"):format(root, bdir, args), ready = "ready" },
    { key = "pktlua", name = "pktlua phantom_host.lua",
      cmd = ("%s %s/scripts/phantom_host.lua --ip %s --mac %s -i eth0"):format(pktlua_bin, root, PHANTOM.ip, PHANTOM.mac),
      ready = "is up" },
    { key = "floor", name = "pktlua pkt.core only (floor)",
      cmd = ("%s %s/bench/min_responder.lua %s"):format(pktlua_bin, root, args), ready = "ready" },
    { key = "scapy", name = "Scapy sniff(prn)+L2socket",
      cmd = ("/usr/bin/python3 %s/bench/scapy_responder.py %s"):format(root, args), ready = "ready" },
  }
  local times, sent = {}, N.pings * N.react_rounds
  for _ = 1, N.react_rounds do
    for _, r in ipairs(responders) do
      local target, job = r.target or PHANTOM.ip, nil
      lab:run("b", "ip neigh del " .. target .. " dev eth0")   -- each answers ARP itself
      if r.cmd then
        job = lab:spawn("a", r.cmd)
        if not job:expect(r.ready, 15) then
          io.stderr:write(("network bench: %s did not start: %s\n"):format(r.name, job:output():sub(-400)))
          job:kill()
          goto next
        end
      end
      do
        -- warm-up: ARP, and the responder's first packet
        lab:run("b", ("ping -c 2 -i 0.1 -W 1 -q %s"):format(target))
        local out = lab:run("b", ("ping -c %d -i 0.01 -W 1 %s"):format(N.pings, target))
        local t = times[r.key] or {}
        for ms in out:gmatch("time=([%d.]+) ms") do t[#t + 1] = tonumber(ms) end
        times[r.key] = t
      end
      if job then job:kill() end
      ::next::
    end
  end
  local res = {}
  for key, t in pairs(times) do
    local sum = 0
    for _, ms in ipairs(t) do sum = sum + ms end
    res[key] = { median = median(t), n = #t, avg = #t > 0 and sum / #t or nil }
  end
  local lines = {
    ("Reaction time: b runs ping -c %d -i 0.01 to %s, a phantom answered by a responder in a%s")
      :format(N.pings, PHANTOM.ip, N.react_rounds > 1
        and ("; %d rounds, the responders in turn, times pooled"):format(N.react_rounds) or ""),
    ("%-32s %10s %8s %8s %12s"):format("responder", "median ms", "avg ms", "replies", "pktlua/this"),
  }
  local p = res.pktlua and res.pktlua.median
  for _, r in ipairs(responders) do
    local x = res[r.key] or {}
    lines[#lines + 1] = ("%-32s %10s %8s %8s %12s"):format(r.name, num(x.median, "%.3f"), num(x.avg, "%.3f"),
      x.n and ("%d/%d"):format(x.n, sent) or "n/a", ratio(p, x.median))
  end
  local pc = p and res.c and res.c.median and p / res.c.median
  lines[#lines + 1] = ("  pktlua/C %s (target <= 1.5%s), pktlua/Scapy %s; floor/C %s"):format(ratio(p, res.c and res.c.median),
    verdict(pc and pc <= 1.5), ratio(p, res.scapy and res.scapy.median),
    ratio(res.floor and res.floor.median, res.c and res.c.median))
  lines[#lines + 1] = "  pktlua = scripts/phantom_host.lua (sniff{prn=} + dissect + build + sendp);"
  lines[#lines + 1] = "  floor = bench/min_responder.lua: the same on pkt.core, replies made from the request's bytes"
  lines[#lines + 1] = "  10 ms apart, each ping finds the responder's CPU idle and its caches cold: per-packet work costs"
  lines[#lines + 1] = "  several times what it does in a busy loop here, so every table and call on the path shows"
  emit(lines)
end

---------------------------------------------------------- 6: startup

local function bench_startup()
  local spawn = ("%s/%s/spawn_time %d "):format(root, bdir, N.starts)
  local cmds = {
    { name = "pktlua -e ''", cmd = spawn .. pktlua_bin .. " -e ''" },
    { name = "lua5.4 -e ''", cmd = spawn .. "lua5.4 -e ''" },
    { name = "lua5.4 -e 'require \"pkt\"'", cmd = spawn .. "lua5.4 -e 'require \"pkt\"'" },
  }
  for _, c in ipairs(cmds) do
    local f = io.popen(c.cmd .. " 2>&1")
    local out = f:read("a")
    f:close()
    c.median, c.min = tonumber(out:match("median ([%d.]+)")), tonumber(out:match("min ([%d.]+)"))
    c.cpu = tonumber(out:match("cpu ([%d.]+)"))
  end
  local lines = {
    ("Startup: one run, posix_spawn to exit (bench/spawn_time.c), median of %d"):format(N.starts),
    ("%-30s %10s %8s %8s %12s"):format("command", "median ms", "min ms", "cpu ms", "pktlua/this"),
  }
  for _, c in ipairs(cmds) do
    lines[#lines + 1] = ("%-30s %10s %8s %8s %12s"):format(c.name, num(c.median and c.median * 1e3, "%.2f"),
      num(c.min and c.min * 1e3, "%.2f"), num(c.cpu and c.cpu * 1e3, "%.2f"), ratio(cmds[1].median, c.median))
  end
  lines[#lines + 1] = "  cpu: the child's user+system time (median); pktlua/this: of the wall medians"
  emit(lines)
end

--------------------------------------------------------------- main

local function run_all(lab, tmp)
  must(lab, "a", ("ip neigh replace 198.51.100.2 lladdr %s dev eth0 nud permanent"):format(lab.b.mac))
  -- cls_bpf "return 2" (TC_ACT_SHOT) drops IPv4 at b's ingress, as in
  -- send_bench.lua: b's stack would otherwise slow every sender.
  must(lab, "b", "tc qdisc add dev eth0 ingress && tc filter add dev eth0 ingress protocol ip bpf da bytecode '1,6 0 0 2,'")
  local bulk = bench_bulk(lab, tmp)
  bench_pps(lab, bulk.send.rate)
  bench_capture(lab)
  bench_reaction(lab)
end

local tmp = os.tmpname()
local lab = netlab.pair()
local fine, err = pcall(run_all, lab, tmp)
lab:down()
os.remove(tmp)
if not fine then error(err, 0) end
bench_startup()

local f = assert(io.open(("%s/%s/bench-send.txt"):format(root, bdir), "a"))
f:write("\n", table.concat(out_text))
f:close()
