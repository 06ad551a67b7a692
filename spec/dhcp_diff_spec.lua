-- BOOTP/DHCP against Scapy and tshark: packets drawn from a printed seed
-- (PKTLUA_SEED, as spec/random_diff_spec.lua) are built in pktlua and in
-- Scapy (one python3 run for all), each side's bytes dissected by the
-- other's rules, and pktlua's packets read by tshark (one run over a pcap).
-- PKTLUA_DHCP_N sets the number of packets (default 60).
local pkt = require "pkt"
local json = require "dkjson"
local dhcp_tshark = require "dhcp_tshark"
local Ether, IP, UDP, BOOTP, DHCP = pkt.Ether, pkt.IP, pkt.UDP, pkt.BOOTP, pkt.DHCP

local seed = math.tointeger(tonumber(os.getenv("PKTLUA_SEED") or "")) or os.time()
local N = math.tointeger(tonumber(os.getenv("PKTLUA_DHCP_N") or "")) or 60

------------------------------------------------------------ the cases

-- Options pktlua types, with a maker of values; kinds it keeps raw,
-- which Scapy names or not (43 vendor_specific, 200 none).
local TYPED = {
  { "message-type", function(r) return r(2) == 1 and r(1, 13) or ({ "discover", "offer", "request", "ack", "nak", "release" })[r(6)] end },
  { "subnet_mask", "ip" }, { "router", "ips" }, { "name_server", "ips" },
  { "hostname", "text" }, { "domain", "text" }, { "requested_addr", "ip" },
  { "lease_time", "u32" }, { "renewal_time", "u32" }, { "rebinding_time", "u32" },
  { "server_id", "ip" }, { "broadcast_address", "ip" }, { "NTP_server", "ips" },
  { "max_dhcp_size", "u16" }, { "error_message", "text" }, { "vendor_class_id", "bytes" },
  { "client_id", "cid" }, { "param_req_list", "codes" },
}
local STR_OPTS = {}
for _, o in ipairs(TYPED) do STR_OPTS[o[1]] = o[2] == "ip" or o[2] == "ips" end
-- (not 77, 81, 82, 119, 124: tshark reads their structure and stops at
-- random bytes)
local RAW_KINDS = { 43, 200, 224, 240, 250 }

local function draw_cases(n)
  local rng = math.random
  local function bytes(lo, hi)
    local t = {}
    for i = 1, rng(lo, hi) do t[i] = string.char(rng(0, 255)) end
    return table.concat(t)
  end
  local function text(lo, hi)
    local t = {}
    for i = 1, rng(lo, hi) do t[i] = string.char(rng(97, 122)) end
    return table.concat(t)
  end
  local function ip() return ("198.51.100.%d"):format(rng(0, 255)) end
  local values = {
    ip = function() return { ip() } end,
    ips = function() local t = {} for i = 1, rng(1, 3) do t[i] = ip() end return t end,
    text = function() return { text(1, 20) } end,
    u32 = function() return { rng(0, 0xffffffff) } end,
    u16 = function() return { rng(0, 0xffff) } end,
    bytes = function() return { bytes(2, 12) } end,
    -- not 255 first: tshark reads an RFC 4361 IAID and DUID there, and
    -- stops at random bytes
    cid = function() return { string.char(rng(0, 254)) .. bytes(1, 11) } end,
    codes = function() local t = {} for i = 1, rng(1, 10) do t[i] = rng(1, 254) end return { t } end,
  }
  local cases = {}
  for i = 1, n do
    local c = {
      op = rng(1, 2), htype = rng(4) == 1 and 6 or 1, hlen = 6, hops = rng(0, 3),
      xid = rng(0, 0xffffffff), secs = rng(0, 0xffff), flags = rng(2) == 1 and 0x8000 or 0,
      ciaddr = ip(), yiaddr = ip(), siaddr = ip(), giaddr = rng(3) == 1 and ip() or "0.0.0.0",
      chaddr = bytes(6, 6), sname = rng(3) == 1 and text(1, 63) or "",
      file = rng(3) == 1 and text(1, 127) or "", options = {},
    }
    c.ports = c.op == 1 and { 68, 67 } or { 67, 68 }
    local opts = c.options
    for _ = 1, rng(0, 8) do
      local r = rng(20)
      if r <= 15 then
        local o = TYPED[rng(#TYPED)]
        local v = type(o[2]) == "function" and { o[2](rng) } or values[o[2]]()
        opts[#opts + 1] = { o[1], table.unpack(v) }
      elseif r <= 17 then
        opts[#opts + 1] = { RAW_KINDS[rng(#RAW_KINDS)], bytes(0, 10) }
      else
        opts[#opts + 1] = "pad"
      end
    end
    if rng(5) > 1 then opts[#opts + 1] = "end" end
    if rng(6) == 1 then opts[#opts + 1] = "pad" end
    -- a last option whose length runs past the end: kept as bytes
    if rng(8) == 1 then c.tail = string.char(RAW_KINDS[rng(#RAW_KINDS)], 40) .. bytes(0, 5) end
    cases[i] = c
  end
  return cases
end

------------------------------------------------------------ both sides

local function hex(s) return H.hex(s) end

-- The case as a pktlua packet.
local function build(c)
  local b = {}
  for _, k in ipairs({ "op", "htype", "hlen", "hops", "xid", "secs", "flags", "ciaddr",
                       "yiaddr", "siaddr", "giaddr", "chaddr", "sname", "file" }) do
    b[k] = c[k]
  end
  local p = Ether{ src = "02:00:00:00:00:01", dst = "ff:ff:ff:ff:ff:ff" }
    / IP{ src = "198.51.100.1", dst = "198.51.100.2" }
    / UDP{ sport = c.ports[1], dport = c.ports[2] } / BOOTP(b) / DHCP{ options = c.options }
  if c.tail then p = p / c.tail end
  return p
end

-- The cases as Python literals, for Scapy to build the same.
local function pylit(v)
  if type(v) == "number" then return tostring(v) end
  if type(v) == "string" then return "bytes.fromhex('" .. hex(v) .. "')" end
  local t = {}
  for i, x in ipairs(v) do t[i] = pylit(x) end
  return "[" .. table.concat(t, ", ") .. "]"
end

local function pycase(c)
  local opts = {}
  for i, o in ipairs(c.options) do
    if type(o) == "string" then
      opts[i] = ("'%s'"):format(o)
    else
      local t = { type(o[1]) == "string" and ("'%s'"):format(o[1]) or tostring(o[1]) }
      for j = 2, #o do
        local v = o[j]
        -- Scapy takes addresses and names as str, byte values as bytes
        if type(v) == "string" and (STR_OPTS[o[1]] or o[1] == "message-type") then
          t[j] = ("'%s'"):format(v)
        else
          t[j] = pylit(v)
        end
      end
      opts[i] = "(" .. table.concat(t, ", ") .. ")"
    end
  end
  return ("Ether(src='02:00:00:00:00:01', dst='ff:ff:ff:ff:ff:ff')"
    .. "/IP(src='198.51.100.1', dst='198.51.100.2')/UDP(sport=%d, dport=%d)"
    .. "/BOOTP(op=%d, htype=%d, hlen=%d, hops=%d, xid=%d, secs=%d, flags=%d, ciaddr='%s',"
    .. " yiaddr='%s', siaddr='%s', giaddr='%s', chaddr=%s, sname=%s, file=%s)"
    .. "/DHCP(options=[%s])%s"):format(c.ports[1], c.ports[2], c.op, c.htype, c.hlen, c.hops,
    c.xid, c.secs, c.flags, c.ciaddr, c.yiaddr, c.siaddr, c.giaddr, pylit(c.chaddr),
    pylit(c.sname), pylit(c.file), table.concat(opts, ", "),
    c.tail and ("/Raw(%s)"):format(pylit(c.tail)) or "")
end

-- Scapy builds every case and dissects the bytes pktlua built: its
-- bytes, and the fields, options as [kind, values...] (bytes in hex).
local PY = [==[
import sys, json, logging
logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import *
from scapy.layers.dhcp import DHCPRevOptions
def canon(v):
    if isinstance(v, bytes): return "hex:" + v.hex()
    if isinstance(v, list): return [canon(x) for x in v]
    return v
def fields(raw):
    p = Ether(raw)
    b, out = p[BOOTP], {}
    for f in ("op", "htype", "hlen", "hops", "xid", "secs", "flags", "ciaddr", "yiaddr",
              "siaddr", "giaddr", "chaddr", "sname", "file", "options"):
        v = b.getfieldval(f)
        out[f] = canon(int(v) if f == "flags" else v)
    opts = []
    for o in (p[DHCP].options if DHCP in p else []):
        if isinstance(o, bytes):
            opts.append(["raw", canon(o)])
        elif isinstance(o, str):
            opts.append([o])
        else:
            k = o[0] if isinstance(o[0], int) else DHCPRevOptions[o[0]][0]
            opts.append([k] + [canon(x) for x in o[1:]])
    out["dhcp"] = opts
    return out
for line in sys.stdin:
    expr, theirs = line.rstrip("\n").split("\t")
    mine = bytes(eval(expr))
    print(json.dumps({"bytes": mine.hex(), "fields": fields(bytes.fromhex(theirs))}))
]==]

-- pktlua's dissection in the same form as the Python above.
local function my_fields(p)
  local b, out = p[BOOTP], {}
  for _, f in ipairs({ "op", "htype", "hlen", "hops", "xid", "secs", "flags", "ciaddr", "yiaddr",
                       "siaddr", "giaddr", "chaddr", "sname", "file" }) do
    local v = b:getfieldval(f)
    out[f] = type(v) == "string" and not v:match("^%d+%.%d+%.%d+%.%d+$") and "hex:" .. hex(v) or v
  end
  out.options = "hex:" .. ("%08x"):format(b.options)
  local kinds = {}
  for k, n in pairs(pkt.DHCP.fields_desc[1].optnames) do kinds[n] = k end
  local opts = {}
  for i, o in ipairs(p[DHCP] and p[DHCP].options or {}) do
    if type(o) == "string" then
      opts[i] = { o }
    elseif o.malformed then
      opts[i] = { "raw", "hex:" .. hex(o[2]) }
    else
      local t = { kinds[o[1]] or o[1] }
      for j = 2, #o do
        local v = o[j]
        t[j] = type(v) == "string" and not v:match("^%d+%.%d+%.%d+%.%d+$") and "hex:" .. hex(v) or v
      end
      opts[i] = t
    end
  end
  out.dhcp = opts
  return out
end

local function canon(v)
  if v == nil or v == json.null then return "None" end
  if type(v) == "table" then
    local t = {}
    for i = 1, #v do t[i] = canon(v[i]) end
    return "[" .. table.concat(t, ", ") .. "]"
  end
  if math.type(v) == "float" and v == math.floor(v) then return ("%d"):format(v) end
  return tostring(v)
end

------------------------------------------------------------ the spec

-- Fails listing the first n disagreements, if there are any.
local function none(bad, n)
  assert(#bad == 0, #bad .. " differ:\n" .. table.concat(bad, "\n", 1, math.min(#bad, n)))
end

describe("BOOTP/DHCP against Scapy and tshark, seed " .. seed, function()
  math.randomseed(seed)
  local cases = draw_cases(N)
  local pkts = {}
  for i, c in ipairs(cases) do pkts[i] = build(c) end

  local theirs = {}
  do
    local lines = {}
    for i, c in ipairs(cases) do lines[i] = pycase(c) .. "\t" .. hex(pkts[i]:bytes()) end
    local script = H.tmpfile(PY)
    local input = H.tmpfile(table.concat(lines, "\n") .. "\n")
    local out, status = H.run(H.python .. " " .. script .. " < " .. input .. " 2>&1")
    os.remove(script)
    os.remove(input)
    assert(status == 0, "python3-scapy failed: " .. out:sub(-2000))
    for line in out:gmatch("[^\n]+") do theirs[#theirs + 1] = json.decode(line, 1, json.null) end
    assert(#theirs == N, "python3-scapy answered " .. #theirs .. " of " .. N .. ": " .. out:sub(-500))
  end

  it("builds the bytes Scapy builds (" .. N .. " packets)", function()
    local bad = {}
    for i, p in ipairs(pkts) do
      if hex(p:bytes()) ~= theirs[i].bytes then
        bad[#bad + 1] = ("case %d: %s\n  pktlua %s\n  scapy  %s"):format(i, pycase(cases[i]),
          hex(p:bytes()), theirs[i].bytes)
      end
    end
    none(bad, 5)
  end)

  it("dissects its packets into the fields and options Scapy reads", function()
    local bad = {}
    for i, p in ipairs(pkts) do
      local q = Ether(p:bytes())
      local mine, sc = my_fields(q), theirs[i].fields
      for k, v in pairs(sc) do
        if canon(v) ~= canon(mine[k]) then
          bad[#bad + 1] = ("case %d %s: pktlua %s, scapy %s"):format(i, k, canon(mine[k]), canon(v))
        end
      end
    end
    none(bad, 10)
  end)

  it("summarises as Scapy does", function()
    local exprs = {}
    for i, c in ipairs(cases) do exprs[i] = ("print(Ether(bytes.fromhex('%s')).summary())"):format(hex(pkts[i]:bytes())) end
    local script = H.tmpfile("import logging\nlogging.getLogger('scapy.runtime').setLevel(logging.ERROR)\n"
      .. "from scapy.all import *\n" .. table.concat(exprs, "\n") .. "\n")
    local out = H.run(H.python .. " " .. script .. " 2>&1")
    os.remove(script)
    local i, bad = 0, {}
    for line in out:gmatch("[^\n]*\n") do
      i = i + 1
      -- a message type Scapy has no name for is blank
      local want = line:gsub("\n$", "")
      local got = Ether(pkts[i]:bytes()):summary():gsub("DHCP %d+$", "DHCP ")
      if want ~= got then bad[#bad + 1] = ("case %d: pktlua %q, scapy %q"):format(i, got, want) end
    end
    assert.equal(N, i)
    none(bad, 10)
  end)

  it("shows tshark's fields", function()
    local path = os.tmpname()
    pkt.wrpcap(path, pkts)
    local frames = dhcp_tshark.read(path)
    os.remove(path)
    assert.equal(N, #frames)
    local bad = {}
    for i, p in ipairs(pkts) do
      for _, d in ipairs(dhcp_tshark.differences(Ether(p:bytes()), frames[i])) do
        bad[#bad + 1] = ("case %d %s\n  %s"):format(i, d, pycase(cases[i]))
      end
    end
    none(bad, 10)
  end)
end)
