-- netlab.lua - throw-away network labs in Linux network namespaces, for the
-- specs and the lecture demos: two hosts on a veth pair (pair) or a hub-like
-- LAN with a router to a second subnet (lan). Needs root; nothing is created
-- outside its own namespaces, addresses come only from 198.51.100.0/24,
-- 203.0.113.0/24 and 2001:db8::/32.
local M = {}
local Lab, Job = {}, {}
Lab.__index, Job.__index = Lab, Job

local function sh(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

-- Runs a shell command; returns its stdout and exit status (128+signal).
local function exec(cmd)
  local f = assert(io.popen(cmd, "r"))
  local out = f:read("a")
  local _, how, code = f:close()
  return out, how == "exit" and code or 128 + code
end

-- Seconds since boot: os.time() is too coarse for sub-second timeouts.
local function now()
  local f = assert(io.open("/proc/uptime"))
  local t = f:read("n")
  f:close()
  return t
end

local function sleep(s) os.execute("sleep " .. s) end

local function readfile(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local s = f:read("a")
  f:close()
  return s
end

-- A zombie counts as gone: it has exited and only waits to be reaped.
local function alive(pid)
  local s = readfile("/proc/" .. pid .. "/stat")
  return s ~= nil and s:match(".*%) (%a)") ~= "Z"
end

local PID = tonumber(readfile("/proc/self/stat"):match("^%d+"))
local counter = 0

-- Kills whatever still runs inside the namespaces (it would keep them, and
-- their veths, alive), then deletes them.
local function destroy(names)
  local script = {}
  for _, ns in ipairs(names) do
    script[#script + 1] = ("ip netns pids %s 2>/dev/null | xargs -r /bin/kill -s KILL 2>/dev/null; ip netns del %s 2>/dev/null"):format(ns, ns)
  end
  os.execute(table.concat(script, "\n") .. "\ntrue")
end

-- available() -> true | false, reason. Probes with a real namespace, since
-- being root is not enough inside some containers.
local avail
function M.available()
  if not avail then
    local uid = exec("id -u"):match("%d+")
    if uid ~= "0" then
      avail = { false, "needs root and network namespaces (running as uid " .. tostring(uid) .. ")" }
    else
      local probe = ("pkl%d_0_probe"):format(PID)
      local out, st = exec(("{ ip netns add %s && ip netns exec %s ip link set lo up; } 2>&1; r=$?; ip netns del %s 2>/dev/null; exit $r"):format(probe, probe, probe))
      avail = st == 0 and { true } or { false, "needs root and network namespaces: " .. out:gsub("%s+$", "") }
    end
  end
  return table.unpack(avail)
end

-- cleanup_stale() -> {names}. Removes namespaces and temp dirs of labs whose
-- creating process has died (a crash, kill -9): their names embed its pid.
function M.cleanup_stale()
  local dead = {}
  for line in exec("ip netns list 2>/dev/null"):gmatch("[^\n]+") do
    local ns, pid = line:match("^(pkl(%d+)_%S+)")
    if pid and not alive(pid) then dead[#dead + 1] = ns end
  end
  destroy(dead)
  for dir in exec("ls -d /tmp/pkl*_*_* 2>/dev/null"):gmatch("[^\n]+") do
    local pid = dir:match("^/tmp/pkl(%d+)_")
    if pid and not alive(pid) then os.execute("rm -rf " .. sh(dir)) end
  end
  return dead
end

-- Labs named by the caller (the CLI) outlive the process, so their names
-- carry no pid and cleanup_stale leaves them alone.
local function new_lab(kind, opts)
  counter = counter + 1
  local prefix = ("pkl%d_%d_"):format(PID, counter)
  if opts.name then
    assert(tostring(opts.name):match("^%w+$"), "netlab: lab name must be alphanumeric")
    prefix = "pkln_" .. opts.name .. "_"
  end
  return setmetatable({ kind = kind, hosts = {},
    _ = { prefix = prefix, order = {}, jobs = {}, seq = 0, cmds = {}, waits = {}, keep = opts.name ~= nil } }, Lab)
end

-- Declares a host: its namespace and ifaces; the first iface's fields are
-- copied onto the host (host.ip, host.mac, ...) for the common case.
function Lab:_host(name, ifaces)
  assert(type(name) == "string" and name:match("^%a%w*$") and #name <= 13, "netlab: bad host name " .. tostring(name))
  assert(Lab[name] == nil and name ~= "hosts" and name ~= "kind" and name ~= "_" and not self.hosts[name], "netlab: host name taken: " .. name)
  local h = { name = name, ns = self._.prefix .. name, ifaces = ifaces or {} }
  for k, v in pairs(h.ifaces[1] or {}) do h[k] = v end
  self.hosts[name], self[name] = h, h
  table.insert(self._.order, h)
  local c = self._.cmds
  c[#c + 1] = "ip netns add " .. h.ns
  -- No router solicitations, RAs or DAD delays: addresses work at once and
  -- captures stay quiet. Set on "default" before any iface exists.
  c[#c + 1] = ("ip netns exec %s sysctl -qw net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0 net.ipv6.conf.default.router_solicitations=0 net.ipv6.conf.default.dad_transmits=0 net.ipv6.conf.default.keep_addr_on_down=1"):format(h.ns)
  c[#c + 1] = ("ip -n %s link set lo up"):format(h.ns)
  return h
end

-- Both ends are made straight inside their namespaces, so no interface ever
-- appears in the root namespace and names need only be unique per namespace.
function Lab:_veth(h1, if1, mac1, h2, if2, mac2)
  local function addr(mac) return mac and " address " .. mac or "" end
  table.insert(self._.cmds, ("ip -n %s link add %s%s type veth peer name %s%s netns %s")
    :format(h1.ns, if1, addr(mac1), if2, addr(mac2), h2.ns))
end

-- Addresses and up for each of a host's ifaces (those with up == false stay
-- down: a host that is "down"), plus routes through its gateway.
function Lab:_config(h)
  local c = self._.cmds
  for _, i in ipairs(h.ifaces) do
    c[#c + 1] = ("ip -n %s addr add %s/24 dev %s"):format(h.ns, i.ip, i.ifname)
    c[#c + 1] = ("ip -n %s addr add %s/64 dev %s nodad"):format(h.ns, i.ip6, i.ifname)
    c[#c + 1] = ("ip -n %s link set %s up"):format(h.ns, i.ifname)
    if h.up ~= false then table.insert(self._.waits, h.ns .. ":" .. i.ifname) end
  end
  if h.gw then
    c[#c + 1] = ("ip -n %s route add default via %s"):format(h.ns, h.gw)
    c[#c + 1] = ("ip -n %s -6 route add default via %s"):format(h.ns, h.gw6)
  end
end

-- Runs the collected commands in one shell, then polls until every link is
-- operationally up, so the first test packet does not race the carrier.
-- On failure it removes what it made and raises.
function Lab:_up()
  local c = self._.cmds
  c[#c + 1] = ("for x in %s; do n=0; until ip -n ${x%%%%:*} -o link show ${x#*:} | grep -q 'state UP'; do n=$((n+1)); [ $n -lt 250 ] || { echo \"link $x not up\"; exit 1; }; sleep 0.02; done; done")
    :format(table.concat(self._.waits, " "))
  local out, st = exec("sh -ec " .. sh(table.concat(c, "\n")) .. " 2>&1")
  if st ~= 0 then
    self:down()
    error("netlab: bring-up failed: " .. out:gsub("%s+$", ""), 3)
  end
  return self
end

local function mac(net, n) return ("02:00:00:00:%02x:%02x"):format(net, n) end

-- pair([opts]) -> lab: hosts a (198.51.100.1, 2001:db8::1) and b (.2, ::2),
-- each with eth0 on one veth pair. Raises if the lab cannot be made.
function M.pair(opts)
  local lab = new_lab("pair", opts or {})
  local a = lab:_host("a", { { ifname = "eth0", ip = "198.51.100.1", ip6 = "2001:db8::1", mac = mac(0, 1) } })
  local b = lab:_host("b", { { ifname = "eth0", ip = "198.51.100.2", ip6 = "2001:db8::2", mac = mac(0, 2) } })
  lab:_veth(a, "eth0", a.mac, b, "eth0", b.mac)
  lab:_config(a); lab:_config(b)
  return opts and opts.attach and lab or lab:_up()
end

local OCTET = { victim = 10, attacker = 11, server = 12 }

-- lan{hosts=, router=, remote=, hub=, name=, attach=} -> lab. Hosts (default
-- victim .10, attacker .11, server .12; others .13 up) on a Linux bridge in
-- namespace "switch". hub (default true): ageing 0 and no learning, so every
-- frame floods to every port and any host can sniff the others. router
-- (default true): router .1 / 203.0.113.1 forwards to a second bridge with
-- remote 203.0.113.20; remote = "down" leaves that host's link down.
-- name: a persistent lab the CLI can find again (attach: describe it only).
function M.lan(opts)
  opts = opts or {}
  local lab = new_lab("lan", opts)
  local hub = opts.hub ~= false
  local router = opts.router ~= false
  local remote = router and opts.remote ~= false
  local sw = lab:_host("switch")
  local c = lab._.cmds
  c[#c + 1] = ("ip netns exec %s sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 net.ipv4.igmp_link_local_mcast_reports=0"):format(sw.ns)
  local function bridge(br)
    c[#c + 1] = ("ip -n %s link add %s type bridge stp_state 0%s"):format(sw.ns, br, hub and " ageing_time 0 mcast_snooping 0" or "")
    c[#c + 1] = ("ip -n %s link set %s up"):format(sw.ns, br)
    table.insert(lab._.waits, sw.ns .. ":" .. br)
  end
  local function plug(h, br)
    local port = (br == "br0" and "v-" or "w-") .. h.name
    lab:_veth(sw, port, nil, h, h.ifaces[#h.ifaces].ifname, h.ifaces[#h.ifaces].mac)
    h.port = h.port or { ns = sw.ns, ifname = port }
    c[#c + 1] = ("ip -n %s link set %s master %s%s"):format(sw.ns, port, br, h.up == false and "" or " up")
    if hub then c[#c + 1] = ("bridge -n %s link set dev %s learning off"):format(sw.ns, port) end
    if h.up ~= false then table.insert(lab._.waits, sw.ns .. ":" .. port) end
  end
  bridge("br0")
  if router then bridge("br1") end
  local used, next_octet = {}, 13
  for _, name in ipairs(opts.hosts or { "victim", "attacker", "server" }) do
    local n = OCTET[name]
    if not n or used[n] then
      while used[next_octet] do next_octet = next_octet + 1 end
      n = next_octet
    end
    used[n] = true
    local h = lab:_host(name, { { ifname = "eth0", ip = "198.51.100." .. n, ip6 = "2001:db8::" .. n, mac = mac(0, n) } })
    if router then h.gw, h.gw6 = "198.51.100.1", "2001:db8::1" end
    plug(h, "br0"); lab:_config(h)
  end
  if router then
    local r = lab:_host("router", { { ifname = "eth0", ip = "198.51.100.1", ip6 = "2001:db8::1", mac = mac(0, 1) } })
    c[#c + 1] = ("ip netns exec %s sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1"):format(r.ns)
    plug(r, "br0")
    table.insert(r.ifaces, { ifname = "eth1", ip = "203.0.113.1", ip6 = "2001:db8:1::1", mac = mac(1, 1) })
    plug(r, "br1"); lab:_config(r)
  end
  if remote then
    local h = lab:_host("remote", { { ifname = "eth0", ip = "203.0.113.20", ip6 = "2001:db8:1::20", mac = mac(1, 20) } })
    h.gw, h.gw6, h.up = "203.0.113.1", "2001:db8:1::1", opts.remote ~= "down"
    plug(h, "br1"); lab:_config(h)
  end
  return opts.attach and lab or lab:_up()
end

function Lab:_ns(host)
  if self._.down then error("netlab: this lab is down", 3) end
  local h = type(host) == "table" and host or self.hosts[host]
  if not h then error(("netlab: no host %q in this lab"):format(tostring(host)), 3) end
  return h.ns
end

-- Lazily made, so a CLI that only attaches leaves nothing in /tmp.
function Lab:_dir()
  if not self._.dir then
    self._.dir = exec("mktemp -d /tmp/" .. self._.prefix .. "XXXXXX"):gsub("%s+$", "")
  end
  return self._.dir
end

-- lab:run(host, cmd) -> stdout, status, stderr. Waits for cmd (a shell
-- command run with sh -c inside the host, stdin /dev/null); status is the
-- exit code, or 128+signal.
function Lab:run(host, cmd)
  local ns, err = self:_ns(host), self:_dir() .. "/stderr"
  local out, st = exec(("ip netns exec %s sh -c %s 2>%s </dev/null"):format(ns, sh(cmd), err))
  return out, st, readfile(err) or ""
end

-- lab:wait_for(host, cmd [, timeout=5]) -> true | nil, "timeout". Polls
-- until cmd exits 0, e.g. until a listener shows in `ss -l`.
function Lab:wait_for(host, cmd, timeout)
  local deadline = now() + (timeout or 5)
  repeat
    if select(2, self:run(host, cmd)) == 0 then return true end
    sleep(0.05)
  until now() >= deadline
  return nil, "timeout"
end

-- lab:spawn(host, cmd) -> job. popen's child execs through setsid, sh and
-- ip netns exec, so job.pid is our direct child (close() reaps it and gives
-- its status) and leads a new process group (kill reaches all it forks).
-- stdout and stderr go to one temp file.
function Lab:spawn(host, cmd)
  local ns = self:_ns(host)
  self._.seq = self._.seq + 1
  local out = ("%s/job%d"):format(self:_dir(), self._.seq)
  local f = assert(io.popen(("exec setsid sh -c 'echo $$; exec ip netns exec \"$1\" sh -c \"$2\" >\"$3\" 2>&1 </dev/null' sh %s %s %s")
    :format(ns, sh(cmd), sh(out))))
  local job = setmetatable({ pid = tonumber(f:read("l")), cmd = cmd, host = host, _file = f, _out = out }, Job)
  -- Made after the popen handle, so finalized before it: kills a forgotten
  -- job at exit instead of letting Lua's pclose block on it forever.
  job._guard = setmetatable({}, { __gc = function() if job._file then job:_reap() end end })
  table.insert(self._.jobs, job)
  return job
end

-- Kills stragglers the job forked while its leader, a zombie, still holds
-- the group id (so it cannot be reused), then reaps the leader.
function Job:_reap()
  os.execute(("/bin/kill -s KILL -- -%d 2>/dev/null"):format(self.pid))
  local _, how, code = self._file:close()
  self._file, self.status = nil, how == "exit" and code or 128 + code
end

-- job:wait([timeout]) -> output, status | nil, "timeout"
function Job:wait(timeout)
  local deadline = now() + (timeout or math.huge)
  while self._file and alive(self.pid) do
    if now() >= deadline then return nil, "timeout" end
    sleep(0.02)
  end
  if self._file then self:_reap() end
  return self:output(), self.status
end

-- job:kill(): SIGTERM to its process group, SIGKILL after 1 s; safe twice.
function Job:kill()
  if not self._file then return end
  os.execute(("/bin/kill -s TERM -- -%d 2>/dev/null"):format(self.pid))
  self:wait(1)
  if self._file then self:_reap() end
end

-- job:output() -> everything the job wrote so far (kept after lab:down()).
function Job:output()
  return self._kept or readfile(self._out) or ""
end

-- job:expect(text [, timeout=5]) -> true | nil, "timeout": waits until the
-- output contains text (plain), e.g. tcpdump's "listening on".
function Job:expect(text, timeout)
  local deadline = now() + (timeout or 5)
  while not self:output():find(text, 1, true) do
    if now() >= deadline then return nil, "timeout" end
    sleep(0.02)
  end
  return true
end

-- lab:link(host, "up" | "down"): plugs or unplugs a host's cable. On a lan
-- this is its switch port, so the host keeps its addresses and routes.
function Lab:link(host, state)
  local ns = self:_ns(host)
  assert(state == "up" or state == "down", "netlab: link state must be \"up\" or \"down\"")
  local h = self.hosts[host] or host
  local p = h.port or { ns = ns, ifname = "eth0" }
  local _, st = exec(("ip -n %s link set %s %s 2>&1"):format(p.ns, p.ifname, state))
  if st ~= 0 then error("netlab: cannot set link " .. state .. " for " .. h.name, 2) end
  if state == "up" then
    assert(self:wait_for(h, "ip -o link show eth0 | grep -q 'state UP'"), "netlab: link not up in " .. ns)
  end
end

-- lab:down(): kills its jobs and whatever else runs in its namespaces,
-- deletes the namespaces (their veths and bridges go with them) and temp
-- files. Safe to call twice; also the lab's __close and __gc.
function Lab:down()
  if self._.down then return end
  self._.down = true
  for _, job in ipairs(self._.jobs) do
    job:kill()
    job._kept = job:output()
  end
  local names = {}
  for _, h in ipairs(self._.order) do names[#names + 1] = h.ns end
  destroy(names)
  if self._.dir then os.execute("rm -rf " .. sh(self._.dir)) end
end
Lab.__close = Lab.down
function Lab:__gc() if not self._.keep then self:down() end end

-- with(kind, [opts,] fn) -> fn's results. Makes a lab, calls fn(lab), and
-- tears the lab down however fn ends; fn's error is rethrown unchanged.
function M.with(kind, opts, fn)
  if fn == nil then opts, fn = nil, opts end
  assert(kind == "pair" or kind == "lan", "netlab.with: kind must be \"pair\" or \"lan\"")
  local lab = M[kind](opts)
  local res = table.pack(pcall(fn, lab))
  lab:down()
  if not res[1] then error(res[2], 0) end
  return table.unpack(res, 2, res.n)
end

return M
