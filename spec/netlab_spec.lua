-- The throw-away network lab (scripts/netlab.lua): namespaces, veths, the
-- hub LAN and router, jobs and teardown, each checked against the kernel's
-- own view (ip, ping, nc, tcpdump run inside the namespaces).
local netlab = require "netlab"

local missing = H.lab_missing()
if missing then
  describe("netlab", function() pending(missing) end)
  return
end

local function listed(ns)
  for line in (H.run("ip netns list 2>/dev/null")):gmatch("[^\n]+") do
    if line:match("^%S+") == ns then return true end
  end
  return false
end

local function exists(pid)
  return (select(2, H.run(("kill -0 %d 2>/dev/null"):format(pid)))) == 0
end

-- Live members of a process group; zombies left to an init that does not
-- reap (as in some containers) do not count.
local function group_alive(pgid)
  for g, stat in (H.run("ps -e -o pgid=,stat=")):gmatch("(%d+)%s+(%S+)") do
    if tonumber(g) == pgid and not stat:find("^Z") then return true end
  end
  return false
end

describe("netlab.pair", function()
  local lab
  setup(function() lab = netlab.pair() end)
  teardown(function() lab:down() end)

  it("joins a and b so that each pings the other over IPv4 and IPv6", function()
    assert.equal(0, select(2, lab:run("a", "ping -c 1 -W 2 198.51.100.2")))
    assert.equal(0, select(2, lab:run("b", "ping -c 1 -W 2 198.51.100.1")))
    assert.equal(0, select(2, lab:run("a", "ping -6 -c 1 -W 2 2001:db8::2")))
  end)

  it("reports the names, addresses and MACs that ip shows inside each namespace", function()
    assert.same({ "198.51.100.1", "2001:db8::1", "198.51.100.2", "2001:db8::2" },
      { lab.a.ip, lab.a.ip6, lab.b.ip, lab.b.ip6 })
    for _, h in ipairs({ lab.a, lab.b }) do
      assert.is_true(listed(h.ns))
      assert.equal("eth0", h.ifname)
      assert.equal("eth0\nlo\n", (lab:run(h.name, "ls /sys/class/net")))
      local inet = lab:run(h.name, "ip -o -4 addr show dev eth0")
      assert.equal(h.ip .. "/24", inet:match("inet (%S+)"))
      local inet6 = lab:run(h.name, "ip -o -6 addr show dev eth0 scope global")
      assert.equal(h.ip6 .. "/64", inet6:match("inet6 (%S+)"))
      assert.equal(h.mac .. "\n", (lab:run(h.name, "cat /sys/class/net/eth0/address")))
    end
    assert.are_not.equal(lab.a.ns, lab.b.ns)
  end)

  it("runs a command and returns its stdout, exit status and stderr apart", function()
    local out, status, err = lab:run("a", "echo out; echo err >&2; exit 3")
    assert.same({ "out\n", 3, "err\n" }, { out, status, err })
  end)

  it("delivers what nc -u in a sends to nc -u -l spawned in b", function()
    local job = lab:spawn("b", "nc -u -l 9999")
    assert.is_true(lab:wait_for("b", "ss -Hlun | grep -q '198.51.100.2:9999\\|\\*:9999\\|0.0.0.0:9999'", 3))
    assert.equal(0, select(2, lab:run("a", "printf 'hello netlab\\n' | nc -u -w 1 -q 0 198.51.100.2 9999")))
    assert.is_true(job:expect("hello netlab\n", 3))
    job:kill()
    assert.equal("hello netlab\n", job:output())
  end)

  it("gives a job's real pid and, once it ends, its output and exit status", function()
    local job = lab:spawn("b", "echo $$; echo oops >&2; exit 7")
    local out, status = job:wait(3)
    assert.same({ job.pid .. "\noops\n", 7 }, { out, status })
    assert.is_false(exists(job.pid))
    local sleeper = lab:spawn("b", "sleep 30")
    assert.is_true(lab:wait_for("b", "test \"$(cat /proc/" .. sleeper.pid .. "/comm)\" = sleep", 2))
    sleeper:kill()
    assert.equal(128 + 15, sleeper.status)
  end)

  it("kills a job that outlives its wait, with all it forked", function()
    local job = lab:spawn("b", "sleep 30 & sleep 30; wait")
    assert.same({ nil, "timeout" }, { job:wait(0.3) })
    assert.is_true(exists(job.pid))
    job:kill()
    assert.equal(128 + 15, job.status)
    assert.is_false(exists(job.pid))
    assert.is_false(group_alive(job.pid))
    job:kill() -- a second kill is a no-op
  end)

  it("can run beside a second lab without a collision", function()
    local other = netlab.pair()
    assert.are_not.equal(lab.a.ns, other.a.ns)
    assert.equal(0, select(2, other:run("a", "ping -c 1 -W 2 198.51.100.2")))
    assert.equal(0, select(2, lab:run("a", "ping -c 1 -W 2 198.51.100.2")))
    other:down()
  end)
end)

describe("netlab teardown", function()
  it("down() removes the namespaces and kills the jobs, and is idempotent", function()
    local lab = netlab.pair()
    local job = lab:spawn("a", "echo started; sleep 30")
    assert.is_true(job:expect("started\n", 2))
    lab:down()
    assert.is_false(listed(lab.a.ns))
    assert.is_false(listed(lab.b.ns))
    assert.is_false(exists(job.pid))
    assert.equal("started\n", job:output())
    lab:down()
    assert.has_error(function() lab:run("a", "true") end, "netlab: this lab is down")
  end)

  it("netlab.with returns fn's results and tears the lab down", function()
    local ns
    local out = netlab.with("pair", function(lab) ns = lab.a.ns; return (lab:run("a", "echo hi")) end)
    assert.equal("hi\n", out)
    assert.is_false(listed(ns))
  end)

  it("netlab.with tears down even when fn raises, and rethrows the error", function()
    local ns
    local ok, err = pcall(netlab.with, "pair", function(lab) ns = lab.a.ns; error({ code = 42 }) end)
    assert.is_false(ok)
    assert.same({ code = 42 }, err)
    assert.is_false(listed(ns))
  end)

  it("cleanup_stale() removes namespaces of dead processes and keeps live labs", function()
    local dead = tonumber((H.run("sh -c 'echo $$'")))
    local stale = ("pkl%d_1_stale"):format(dead)
    assert.equal(0, select(2, H.run("ip netns add " .. stale)))
    local lab = netlab.pair()
    local removed = netlab.cleanup_stale()
    local live = listed(lab.a.ns)
    lab:down()
    assert.is_true(live)
    assert.is_false(listed(stale))
    assert.is_table(removed) -- may lack stale if a lab run beside us took it first
  end)
end)

describe("netlab.lan", function()
  local lab
  setup(function() lab = netlab.lan() end)
  teardown(function() lab:down() end)

  it("names its hosts and addresses as the lecture does", function()
    assert.same({ "198.51.100.10", "198.51.100.11", "198.51.100.12", "198.51.100.1", "203.0.113.1", "203.0.113.20" },
      { lab.victim.ip, lab.attacker.ip, lab.server.ip, lab.router.ip, lab.router.ifaces[2].ip, lab.remote.ip })
    assert.equal("2001:db8::10", lab.victim.ip6)
    assert.equal(lab.server.mac .. "\n", (lab:run("server", "cat /sys/class/net/eth0/address")))
  end)

  it("lets the victim ping the server", function()
    assert.equal(0, select(2, lab:run("victim", "ping -c 1 -W 2 198.51.100.12")))
  end)

  it("floods like a hub: the attacker's tcpdump sees the victim's ping to the server", function()
    local job = lab:spawn("attacker", "tcpdump -n -l -i eth0 -c 1 'icmp and src 198.51.100.10 and dst 198.51.100.12'")
    assert.is_true(job:expect("listening on eth0", 3))
    assert.equal(0, select(2, lab:run("victim", "ping -c 1 -W 2 198.51.100.12")))
    local out, status = job:wait(3)
    assert.equal(0, status)
    assert.matches("\n%d+:%d+:[%d.]+ IP 198%.51%.100%.10 > 198%.51%.100%.12: ICMP echo request, id %d+, seq 1, length 64\n", out)
  end)

  it("routes the victim to remote 203.0.113.20 through the router, one hop away", function()
    local out, status = lab:run("victim", "ping -c 1 -W 2 203.0.113.20")
    assert.equal(0, status)
    assert.matches("from 203.0.113.20: icmp_seq=1 ttl=63 ", out, 1, true)
    out, status = lab:run("victim", "ping -6 -c 1 -W 2 2001:db8:1::20")
    assert.equal(0, status)
    assert.matches("from 2001:db8:1::20: icmp_seq=1 ttl=63 ", out, 1, true)
  end)
end)

describe("netlab.lan with remote = \"down\"", function()
  it("leaves remote unreachable until lab:link plugs it in", function()
    netlab.with("lan", { hosts = { "victim" }, remote = "down" }, function(lab)
      assert.equal(1, select(2, lab:run("victim", "ping -c 1 -W 1 203.0.113.20")))
      lab:link("remote", "up")
      assert.equal(0, select(2, lab:run("victim", "ping -c 1 -W 2 203.0.113.20")))
    end)
  end)
end)
