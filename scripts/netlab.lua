-- netlab.lua - throw-away network labs in Linux network namespaces, for the
-- specs and the lecture demos: two hosts on a veth pair (pair) or a hub-like
-- LAN with a router to a second subnet (lan). Needs root. Nothing is made
-- outside its own namespaces; addresses come only from 198.51.100.0/24,
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

local function readfile(path)
  local f = io.open(path, "rb")
  if f then local s = f:read("a"); f:close(); return s end
end

-- Calls fn every 20 ms until it returns true (-> true) or timeout s pass
-- (-> nil, "timeout"). Seconds since boot: os.time() is too coarse.
local function poll(timeout, fn)
  local function now() return tonumber(readfile("/proc/uptime"):match("^%S+")) end
  local deadline = now() + timeout
  while not fn() do
    if now() >= deadline then return nil, "timeout" end
    os.execute("sleep 0.02")
  end
  return true
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
  local script = { "true" }
  for _, ns in ipairs(names) do
    script[#script + 1] = ("ip netns pids %s 2>/dev/null | xargs -r /bin/kill -s KILL 2>/dev/null; ip netns del %s 2>/dev/null"):format(ns, ns)
  end
  os.execute(table.concat(script, "\n"))
end

-- available() -> true | false, reason. Probes with a real namespace, since
-- being root is not enough inside some containers.
local avail
function M.available()
  if not avail then
    local uid = exec("id -u"):match("%d+")
    local probe = ("pkl%d_0_probe"):format(PID)
    local out, st = exec(("{ ip netns add %s && ip netns exec %s ip link set lo up; } 2>&1; r=$?; ip netns del %s 2>/dev/null; exit $r"):format(probe, probe, probe))
    avail = uid ~= "0" and { false, "needs root and network namespaces (uid is " .. tostring(uid) .. ")" }
      or st ~= 0 and { false, "needs root and network namespaces: " .. out:gsub("%s+$", "") } or { true }
  end
  return table.unpack(avail)
end

-- cleanup_stale() -> {names}. Removes namespaces and temp dirs of labs whose
-- process has died (a crash, kill -9): their names embed its pid.
function M.cleanup_stale()
  local dead = {}
  for ns, pid in exec("ip netns list 2>/dev/null"):gmatch("%f[^\n\0](pkl(%d+)_%S+)") do
    if not alive(pid) then dead[#dead + 1] = ns end
  end
  destroy(dead)
  for dir, pid in exec("ls -d /tmp/pkl*_*_* 2>/dev/null"):gmatch("(/tmp/pkl(%d+)_%S+)") do
    if not alive(pid) then os.execute("rm -rf " .. sh(dir)) end
  end
  return dead
end

-- A lab named by the caller (the CLI) outlives the process: its names carry
-- no pid, so cleanup_stale and __gc leave it alone.
local function new_lab(kind, opts)
  counter = counter + 1
  local prefix = ("pkl%d_%d_"):format(PID, counter)
  if opts.name then
    assert(tostring(opts.name):match("^%w+$"), "netlab: lab name must be alphanumeric")
    prefix = "pkln_" .. opts.name .. "_"
  end
  return setmetatable({ kind = kind, hosts = {}, _ = { prefix = prefix, order = {}, jobs = {},
    seq = 0, cmds = {}, waits = {}, keep = opts.name ~= nil } }, Lab)
end

function Lab:_cmd(fmt, ...) table.insert(self._.cmds, fmt:format(...)) end

-- Declares a host: its namespace and ifaces; the first iface's fields are
-- copied onto the host (host.ip, host.mac, ...) for the common case.
function Lab:_host(name, iface)
  assert(name:match("^%a%w*$") and #name <= 13, "netlab: bad host name " .. name)
  assert(not (Lab[name] or self.hosts[name] or name == "kind"), "netlab: host name taken: " .. name)
  local h = { name = name, ns = self._.prefix .. name, ifaces = { iface } }
  for k, v in pairs(iface or {}) do h[k] = v end
  self.hosts[name], self[name] = h, h
  table.insert(self._.order, h)
  self:_cmd("ip netns add %s", h.ns)
  -- No router solicitations, RAs or DAD delays: addresses work at once and
  -- captures stay quiet. Set on "default" before any iface exists.
  self:_cmd("ip netns exec %s sysctl -qw net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0 net.ipv6.conf.default.router_solicitations=0 net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.default.keep_addr_on_down=1", h.ns)
  self:_cmd("ip -n %s link set lo up", h.ns)
  return h
end

-- Both ends are made straight inside their namespaces, so no interface ever
-- appears in the root namespace and names need only be unique per namespace.
function Lab:_veth(h1, if1, h2, i2)
  self:_cmd("ip -n %s link add %s type veth peer name %s address %s netns %s", h1.ns, if1, i2.ifname, i2.mac, h2.ns)
end

-- Addresses, up and default routes; a host with up == false is one whose
-- cable is unplugged, so its links are not waited for.
function Lab:_config(h)
  for _, i in ipairs(h.ifaces) do
    self:_cmd("ip -n %s addr add %s/24 dev %s", h.ns, i.ip, i.ifname)
    self:_cmd("ip -n %s addr add %s/64 dev %s nodad", h.ns, i.ip6, i.ifname)
    self:_cmd("ip -n %s link set %s up", h.ns, i.ifname)
    if h.up ~= false then table.insert(self._.waits, h.ns .. ":" .. i.ifname) end
  end
  if h.gw then
    self:_cmd("ip -n %s route add default via %s", h.ns, h.gw)
    self:_cmd("ip -n %s -6 route add default via %s", h.ns, h.gw6)
  end
end

-- Runs the collected commands in one shell, then polls until every link is
-- operationally up, so the first test packet does not race the carrier.
-- On failure it removes what it made and raises.
function Lab:_up()
  self:_cmd("for x in %s; do n=0; until ip -n ${x%%%%:*} -o link show ${x#*:} | grep -q 'state UP'; do n=$((n+1)); [ $n -lt 250 ] || { echo \"link $x not up\"; exit 1; }; sleep 0.02; done; done",
    table.concat(self._.waits, " "))
  local out, st = exec("sh -ec " .. sh(table.concat(self._.cmds, "\n")) .. " 2>&1")
  if st ~= 0 then
    self:down()
    error("netlab: bring-up failed: " .. out:gsub("%s+$", ""), 3)
  end
  return self
end

local function iface(ifname, ip, ip6, net, n)
  return { ifname = ifname, ip = ip, ip6 = ip6, mac = ("02:00:00:00:%02x:%02x"):format(net, n) }
end

-- pair([opts]) -> lab: hosts a (198.51.100.1, 2001:db8::1) and b (.2, ::2),
-- each with eth0 on one veth pair. Raises if the lab cannot be made.
function M.pair(opts)
  opts = opts or {}
  local lab = new_lab("pair", opts)
  local a = lab:_host("a", iface("eth0", "198.51.100.1", "2001:db8::1", 0, 1))
  local b = lab:_host("b", iface("eth0", "198.51.100.2", "2001:db8::2", 0, 2))
  lab:_cmd("ip -n %s link add eth0 address %s type veth peer name eth0 address %s netns %s", a.ns, a.mac, b.mac, b.ns)
  lab:_config(a); lab:_config(b)
  return opts.attach and lab or lab:_up()
end

local OCTET = { victim = 10, attacker = 11, server = 12 }

-- lan{hosts=, router=, remote=, hub=, name=, attach=} -> lab. hosts (default
-- victim .10, attacker .11, server .12; other names .13 up) sit on bridge
-- br0 in namespace "switch". hub (default true): no learning, ageing 0, no
-- multicast snooping, so every frame floods and any host can sniff the
-- others. router (default true): .1 and 203.0.113.1, forwarding to bridge
-- br1 with remote 203.0.113.20; remote = "down" leaves its cable unplugged,
-- false leaves it out. name: a lab the CLI finds again; attach: only
-- describe an existing one.
function M.lan(opts)
  opts = opts or {}
  local lab = new_lab("lan", opts)
  local hub, router = opts.hub ~= false, opts.router ~= false
  local sw = lab:_host("switch")
  lab:_cmd("ip netns exec %s sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 net.ipv4.igmp_link_local_mcast_reports=0", sw.ns)
  for _, br in ipairs(router and { "br0", "br1" } or { "br0" }) do
    lab:_cmd("ip -n %s link add %s type bridge stp_state 0%s", sw.ns, br, hub and " ageing_time 0 mcast_snooping 0" or "")
    lab:_cmd("ip -n %s link set %s up", sw.ns, br)
    table.insert(lab._.waits, sw.ns .. ":" .. br)
  end
  -- The cable: a veth from a switch port to the host's newest iface.
  local function plug(h, br)
    local port = (br == "br0" and "v-" or "w-") .. h.name
    h.port = h.port or { ns = sw.ns, ifname = port }
    lab:_veth(sw, port, h, h.ifaces[#h.ifaces])
    lab:_cmd("ip -n %s link set %s master %s%s", sw.ns, port, br, h.up == false and "" or " up")
    if hub then lab:_cmd("bridge -n %s link set dev %s learning off", sw.ns, port) end
    if h.up ~= false then table.insert(lab._.waits, sw.ns .. ":" .. port) end
  end
  local used, free = {}, 13
  for _, name in ipairs(opts.hosts or { "victim", "attacker", "server" }) do
    local n = not used[OCTET[name]] and OCTET[name]
    while not n and used[free] do free = free + 1 end
    n = n or free
    used[n] = true
    local h = lab:_host(name, iface("eth0", "198.51.100." .. n, "2001:db8::" .. n, 0, n))
    if router then h.gw, h.gw6 = "198.51.100.1", "2001:db8::1" end
    plug(h, "br0"); lab:_config(h)
  end
  if router then
    local r = lab:_host("router", iface("eth0", "198.51.100.1", "2001:db8::1", 0, 1))
    lab:_cmd("ip netns exec %s sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1", r.ns)
    plug(r, "br0")
    table.insert(r.ifaces, iface("eth1", "203.0.113.1", "2001:db8:1::1", 1, 1))
    plug(r, "br1"); lab:_config(r)
    if opts.remote ~= false then
      local h = lab:_host("remote", iface("eth0", "203.0.113.20", "2001:db8:1::20", 1, 20))
      h.gw, h.gw6, h.up = "203.0.113.1", "2001:db8:1::1", opts.remote ~= "down"
      plug(h, "br1"); lab:_config(h)
    end
  end
  return opts.attach and lab or lab:_up()
end

function Lab:_host_of(host)
  if self._.down then error("netlab: this lab is down", 3) end
  return type(host) == "table" and host or self.hosts[host]
    or error(("netlab: no host %q in this lab"):format(tostring(host)), 3)
end

-- Made lazily, so a CLI that only attaches leaves nothing in /tmp.
function Lab:_dir()
  self._.dir = self._.dir or exec("mktemp -d /tmp/" .. self._.prefix .. "XXXXXX"):gsub("%s+$", "")
  return self._.dir
end

-- lab:run(host, cmd) -> stdout, status, stderr. Waits for cmd, a shell
-- command run with sh -c inside host (a name or lab.hosts entry) with stdin
-- from /dev/null; status is the exit code, or 128+signal.
function Lab:run(host, cmd)
  local ns, err = self:_host_of(host).ns, self:_dir() .. "/stderr"
  local out, st = exec(("ip netns exec %s sh -c %s 2>%s </dev/null"):format(ns, sh(cmd), err))
  return out, st, readfile(err) or ""
end

-- lab:wait_for(host, cmd [, timeout=5]) -> true | nil, "timeout". Polls
-- until cmd exits 0, e.g. until a listener shows in `ss -l`.
function Lab:wait_for(host, cmd, timeout)
  return poll(timeout or 5, function() return select(2, self:run(host, cmd)) == 0 end)
end

local KEYWORD = { ["if"] = 1, ["while"] = 1, ["until"] = 1, ["for"] = 1, ["case"] = 1, ["{"] = 1, ["!"] = 1, exec = 1 }

-- dash does not exec the last command of sh -c itself, so a simple command
-- gets an explicit exec: job.pid is then the command, not a shell.
local function simple(cmd)
  local first = cmd:match("^%s*(%S+)")
  return first and not KEYWORD[first] and not first:find("=") and not cmd:find("[;&|()`\n]")
end

-- lab:spawn(host, cmd) -> job. popen's child execs through setsid, sh and
-- ip netns exec, so job.pid is our direct child (close() reaps it and gives
-- its status) and leads a new process group (kill reaches all it forks;
-- for a compound command job.pid is the sh that runs it).
-- stdout and stderr go to one temp file.
function Lab:spawn(host, cmd)
  local ns = self:_host_of(host).ns
  self._.seq = self._.seq + 1
  local out = ("%s/job%d"):format(self:_dir(), self._.seq)
  local f = assert(io.popen(("exec setsid sh -c 'echo $$; exec ip netns exec \"$1\" sh -c \"$2\" >\"$3\" 2>&1 </dev/null' sh %s %s %s")
    :format(ns, sh(simple(cmd) and "exec " .. cmd or cmd), sh(out))))
  local job = setmetatable({ pid = tonumber(f:read("l")), cmd = cmd, _file = f, _out = out }, Job)
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
  local done, err = poll(timeout or math.huge, function() return not (self._file and alive(self.pid)) end)
  if not done then return nil, err end
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

-- job:output() -> all the job wrote so far (kept after lab:down()).
function Job:output() return self._kept or readfile(self._out) or "" end

-- job:expect(text [, timeout=5]) -> true | nil, "timeout": waits until the
-- output holds text (plain), e.g. tcpdump's "listening on".
function Job:expect(text, timeout)
  return poll(timeout or 5, function() return self:output():find(text, 1, true) ~= nil end)
end

-- The server's zone and pool: what dnsmasq answers for names under
-- example.com, and the addresses it leases on the LAN.
M.ZONE = {
  { "www.example.com", "A", "198.51.100.80" }, { "www.example.com", "AAAA", "2001:db8::80" },
  { "mail.example.com", "A", "198.51.100.25" }, { "example.com", "MX", "10 mail.example.com." },
  { "example.com", "TXT", "v=spf1 mx -all" }, { "web.example.com", "CNAME", "www.example.com." },
}
M.POOL = { first = "198.51.100.100", last = "198.51.100.150", lease = 600 }
-- Names under example.net the server forwards to the remote site, where
-- scripts/far_dns.lua may answer them (late, as across the Internet).
M.UPSTREAM = { domain = "example.net", server = "203.0.113.20" }

-- The dnsmasq command line for host h: DNS for M.ZONE (and M.UPSTREAM's
-- names, forwarded) and DHCP from M.POOL (router .1, itself as name
-- server), on h's eth0 only
-- (--bind-interfaces: it listens on no other interface, and a namespace
-- shows it no other), no system files read, leases and pid under dir;
-- its log to stderr, or to the file log.
function M.dnsmasq_args(h, dir, log)
  local a = { "dnsmasq", "--conf-file=/dev/null", "--no-hosts", "--no-resolv",
    "--bind-interfaces", "--interface=eth0", "--except-interface=lo", "--user=root",
    "--listen-address=" .. h.ip, "--pid-file=" .. dir .. "/dnsmasq.pid",
    "--dhcp-leasefile=" .. dir .. "/dnsmasq.leases", "--domain=example.com",
    ("--dhcp-range=%s,%s,255.255.255.0,%d"):format(M.POOL.first, M.POOL.last, M.POOL.lease),
    "--dhcp-option=option:router,198.51.100.1", "--dhcp-option=option:dns-server," .. h.ip,
    "--dhcp-authoritative", "--log-facility=" .. (log or "-"),
    ("--server=/%s/%s"):format(M.UPSTREAM.domain, M.UPSTREAM.server),
    -- no cache: every forwarded question goes upstream again
    "--cache-size=0" }
  for _, r in ipairs(M.ZONE) do
    local name, ty, v = table.unpack(r)
    if ty == "A" or ty == "AAAA" then a[#a + 1] = ("--host-record=%s,%s"):format(name, v)
    elseif ty == "MX" then
      local pref, target = v:match("^(%d+) (.-)%.$")
      a[#a + 1] = ("--mx-host=%s,%s,%s"):format(name, target, pref)
    elseif ty == "TXT" then a[#a + 1] = ("--txt-record=%s,%s"):format(name, v)
    elseif ty == "CNAME" then a[#a + 1] = ("--cname=%s,%s"):format(name, v:gsub("%.$", ""))
    end
  end
  for i, x in ipairs(a) do a[i] = sh(x) end
  return table.concat(a, " ")
end

-- lab:dnsmasq([host="server"]) -> job: dnsmasq serving DNS and DHCP on
-- the LAN from host, in the foreground so the job's kill stops it.
-- Raises when it does not start listening.
function Lab:dnsmasq(host)
  local h = self:_host_of(host or "server")
  local job = self:spawn(h, M.dnsmasq_args(h, self:_dir()) .. " --keep-in-foreground")
  if not self:wait_for(h, "ss -lun | grep -q '" .. h.ip .. ":53 '", 5) then
    job:kill()
    error("netlab: dnsmasq did not start: " .. job:output(), 2)
  end
  return job
end

-- lab:link(host, "up" | "down"): plugs or unplugs a host's cable. On a lan
-- that is its switch port, so the host keeps its addresses and routes.
function Lab:link(host, state)
  local h = self:_host_of(host)
  assert(state == "up" or state == "down", "netlab: link state must be \"up\" or \"down\"")
  local p = h.port or { ns = h.ns, ifname = "eth0" }
  if select(2, exec(("ip -n %s link set %s %s 2>&1"):format(p.ns, p.ifname, state))) ~= 0 then
    error("netlab: cannot set the link of " .. h.name .. " " .. state, 2)
  end
  if state == "up" and not self:wait_for(h, "ip -o link show eth0 | grep -q 'state UP'") then
    error("netlab: the link of " .. h.name .. " did not come up", 2)
  end
end

-- lab:down(): kills its jobs and whatever else runs in its namespaces,
-- deletes the namespaces (veths and bridges go with them) and temp files.
-- Safe to call twice; also the lab's __close and __gc.
function Lab:down()
  if self._.down then return end
  self._.down = true
  local names = {}
  for _, job in ipairs(self._.jobs) do job:kill(); job._kept = job:output() end
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
