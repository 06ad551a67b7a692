-- DNS against Scapy and tshark: messages drawn at random from a printed
-- seed (PKTLUA_SEED replays a run) are built in pktlua and in Scapy (one
-- python3 run for all), byte for byte; Scapy's bytes, and the same
-- messages with their names compressed by dnspython (Scapy builds names
-- whole, and its dns_compress writes pointers into the middle of labels),
-- are dissected by pktlua and compared field by field with Scapy's
-- dissection; tshark reads pktlua's bytes and its DNS fields are
-- compared with pktlua's values.
local pkt = require "pkt"
local json = require "dkjson"

local seed = math.tointeger(tonumber(os.getenv("PKTLUA_SEED") or "")) or os.time()
local N = math.tointeger(tonumber(os.getenv("PKTLUA_DNS_N") or "")) or 120

------------------------------------------------------------ generator

local R = math.random
local function chance(p) return R() < p end
local function pick(t) return t[R(1, #t)] end

local function label()
  local t = {}
  for i = 1, R(1, 12) do t[i] = pick { "a", "b", "c", "x", "y", "z", "0", "7", "-" } end
  if t[1] == "-" then t[1] = "q" end
  return table.concat(t)
end

-- Names share suffixes often, so that compression has work to do.
local SUFFIXES = { "example.com", "example.org", "test", "lab.example.com" }
local function name()
  if chance(0.05) then return "." end
  local t = {}
  for i = 1, R(0, 2) do t[i] = label() end
  t[#t + 1] = pick(SUFFIXES)
  local s = table.concat(t, ".")
  return chance(0.5) and s .. "." or s
end

local function ipv4() return ("%d.%d.%d.%d"):format(pick { 198, 203 }, R(0, 255), R(0, 255), R(1, 254)) end
local function ipv6()
  return ("2001:db8:%x::%x"):format(R(0, 0xffff), R(1, 0xffff))
end
local function bytes(n)
  local t = {}
  for i = 1, n do t[i] = string.char(R(0, 255)) end
  return table.concat(t)
end

local KINDS = { "A", "AAAA", "CNAME", "NS", "PTR", "TXT", "MX", "SOA", "SRV", "RAW" }

-- One resource record: {class, fields (pktlua's), type}.
local function rr(kind)
  local f = { rrname = name(), ttl = R(0, 2 ^ 31 - 1), rclass = chance(0.9) and 1 or pick { 3, 255 } }
  local class = "DNSRR"
  if kind == "A" then f.type, f.rdata = 1, ipv4()
  elseif kind == "AAAA" then f.type, f.rdata = 28, ipv6()
  elseif kind == "CNAME" or kind == "NS" or kind == "PTR" then
    f.type, f.rdata = ({ CNAME = 5, NS = 2, PTR = 12 })[kind], name()
  elseif kind == "TXT" then
    f.type, f.rdata = 16, {}
    for i = 1, R(1, 3) do f.rdata[i] = label() .. (chance(0.3) and " " .. label() or "") end
  elseif kind == "MX" then
    class, f.type, f.preference, f.exchange = "DNSRRMX", 15, R(0, 65535), name()
  elseif kind == "SOA" then
    class, f.type, f.mname, f.rname = "DNSRRSOA", 6, name(), name()
    for _, k in ipairs { "serial", "refresh", "retry", "expire", "minimum" } do f[k] = R(0, 2 ^ 31) end
  elseif kind == "SRV" then
    class, f.type, f.priority, f.weight, f.port, f.target = "DNSRRSRV", 33, R(0, 65535), R(0, 65535),
      R(1, 65535), name()
  else
    -- types whose data neither side reads (tshark stops at a HINFO or URI
    -- of random bytes)
    f.type, f.rdata = pick { 10, 65280 }, bytes(R(1, 12))    -- Scapy fails on b''
  end
  return { class = class, f = f }
end

local function opt()
  local opts = {}
  for i = 1, R(0, 2) do
    opts[i] = pick { { "COOKIE", bytes(8) }, { "NSID", bytes(R(0, 6)) }, { 65001, bytes(R(1, 4)) } }
  end
  return { class = "DNSRROPT", f = { rrname = name(), type = 41, rclass = pick { 512, 1232, 4096 }, z = pick { 0, 32768 },
    rdata = opts } }
end

local function case(i)
  local c = { i = i, tcp = chance(0.2), sport = R(1024, 65535) }
  c.compress = not c.tcp and chance(0.5)
  c.dns = { id = R(0, 65535), qr = R(0, 1), opcode = R(0, 2), aa = R(0, 1), tc = R(0, 1), rd = R(0, 1),
    ra = R(0, 1), z = R(0, 1), ad = R(0, 1), cd = R(0, 1), rcode = R(0, 5) }
  c.qd = {}
  -- Scapy reads a TCP segment of a bare 14-byte DNS header as Raw
  for k = 1, R(c.tcp and 1 or 0, 2) do
    c.qd[k] = { qname = name(), qtype = pick { 1, 28, 15, 16, 2, 5, 6, 33, 12, 255 }, qclass = 1 }
  end
  for _, sec in ipairs { "an", "ns", "ar" } do
    c[sec] = {}
    for k = 1, R(0, sec == "an" and 4 or 2) do c[sec][k] = rr(pick(KINDS)) end
  end
  if chance(0.3) then c.ar[#c.ar + 1] = opt() end
  return c
end

------------------------------------------------------------ both builds

local function lua_packet(c)
  local d = {}
  for k, v in pairs(c.dns) do d[k] = v end
  d.qd = c.qd
  for _, sec in ipairs { "an", "ns", "ar" } do
    d[sec] = {}
    for k, r in ipairs(c[sec]) do d[sec][k] = r.f end
  end
  local l4 = c.tcp and pkt.TCP { sport = c.sport, dport = 53, flags = "PA", seq = 1000 }
    or pkt.UDP { sport = c.sport, dport = 53 }
  return pkt.IP { src = "198.51.100.10", dst = "198.51.100.12" } / l4 / pkt.DNS(d)
end

local function py_str(s)
  return "b'" .. s:gsub(".", function(ch) return ("\\x%02x"):format(ch:byte()) end) .. "'"
end

local function py_value(v)
  if type(v) == "string" then return py_str(v) end
  if type(v) == "table" then
    local t = {}
    for i, x in ipairs(v) do t[i] = py_value(x) end
    return "[" .. table.concat(t, ", ") .. "]"
  end
  return tostring(v)
end

local EDNS = { COOKIE = 10, NSID = 3 }

local function py_record(class, f)
  local args = {}
  for k, v in pairs(f) do
    if class == "DNSRROPT" and k == "rdata" then
      local o = {}
      for i, x in ipairs(v) do
        o[i] = ("EDNS0TLV(optcode=%d, optdata=%s)"):format(EDNS[x[1]] or x[1], py_str(x[2]))
      end
      v = "[" .. table.concat(o, ", ") .. "]"
      args[#args + 1] = k .. "=" .. v
    elseif (k == "rdata" and (f.type == 1 or f.type == 28)) then
      args[#args + 1] = ("%s='%s'"):format(k, v)
    else
      args[#args + 1] = k .. "=" .. py_value(v)
    end
  end
  table.sort(args)
  return class .. "(" .. table.concat(args, ", ") .. ")"
end

local function py_chain(list, class_of)
  if #list == 0 then return "None" end
  local t = {}
  for i, r in ipairs(list) do t[i] = py_record(class_of(r), class_of(r) == "DNSQR" and r or r.f) end
  return table.concat(t, "/")
end

local function py_packet(c)
  local args = {}
  for k, v in pairs(c.dns) do args[#args + 1] = ("%s=%d"):format(k, v) end
  table.sort(args)
  args[#args + 1] = "qd=" .. py_chain(c.qd, function() return "DNSQR" end)
  for _, sec in ipairs { "an", "ns", "ar" } do
    args[#args + 1] = sec .. "=" .. py_chain(c[sec], function(r) return r.class end)
  end
  local l4 = c.tcp and ("TCP(sport=%d, dport=53, flags='PA', seq=1000)"):format(c.sport)
    or ("UDP(sport=%d, dport=53)"):format(c.sport)
  return ("IP(src='198.51.100.10', dst='198.51.100.12')/%s/DNS(%s)"):format(l4, table.concat(args, ", "))
end

-- Scapy's side: its bytes, its compressed bytes, and its dissection of
-- each, as JSON lines.
local PY = [[
import json, sys
from scapy.all import *
import dns.message

def compress(raw):
    ip = IP(raw)
    wire = dns.message.from_wire(bytes(ip[DNS])).to_wire()
    ip[UDP].remove_payload()
    del ip[IP].len, ip[IP].chksum, ip[UDP].len, ip[UDP].chksum
    return bytes(ip / Raw(wire))

def val(v):
    if isinstance(v, bytes):
        return v.decode() if all(32 <= b < 127 for b in v) else 'hex:' + v.hex()
    if isinstance(v, list): return [val(x) for x in v]
    if isinstance(v, Packet): return [v.optcode, val(v.optdata)]
    return v

def records(x, cls):
    out = []
    while isinstance(x, cls):
        d = {'class': x.__class__.__name__}
        for f in x.fields_desc:
            d[f.name] = val(x.getfieldval(f.name))
        out.append(d)
        x = x.payload
    return out

def dissect(raw, tcp):
    d = IP(raw)[DNS]
    out = {k: d.getfieldval(k) for k in ('id','qr','opcode','aa','tc','rd','ra','z','ad','cd','rcode',
                                          'qdcount','ancount','nscount','arcount')}
    # a section with no records reads as its default (a question) in
    # Scapy; what was dissected is in fields
    out['qd'] = records(d.fields.get('qd'), DNSQR)
    for s in ('an', 'ns', 'ar'):
        out[s] = records(d.fields.get(s), (DNSRR, DNSRRMX, DNSRRSOA, DNSRRSRV, DNSRROPT))
    return out

for line in sys.stdin:
    c = json.loads(line)
    try:
        p = eval(c['expr'])
        raw = bytes(p)
        res = {'hex': raw.hex(), 'dis': dissect(raw, c['tcp'])}
        if c['compress']:
            try:
                craw = compress(raw)
            except Exception:
                craw = None     # a message dnspython does not take
            if craw:
                res['chex'] = craw.hex()
                res['cdis'] = dissect(craw, c['tcp'])
    except Exception as e:
        res = {'err': repr(e)}
    print(json.dumps(res))
]]

local function run_scapy(cases)
  local lines = {}
  for i, c in ipairs(cases) do
    lines[i] = json.encode { expr = py_packet(c), tcp = c.tcp, compress = c.compress }
  end
  local script = H.tmpfile(PY)
  local input = H.tmpfile(table.concat(lines, "\n") .. "\n")
  local out, status = H.run(H.python .. " " .. script .. " < " .. input .. " 2>&1")
  os.remove(script)
  os.remove(input)
  assert(status == 0, "Scapy failed: " .. out)
  local res = {}
  for l in out:gmatch("[^\n]+") do
    if l:sub(1, 1) == "{" then res[#res + 1] = json.decode(l) end
  end
  assert(#res == #cases, "Scapy answered " .. #res .. " of " .. #cases .. ":\n" .. out:sub(1, 2000))
  return res
end

------------------------------------------------------------ comparing

-- Where the two differ by design: skipped, counted, and named here.
local WHY = {
  ["no question"] = "Scapy dissects a message without questions with its default question " ..
    "(qd reads DNSQR() though qdcount is 0); pktlua reads no questions",
  ["record cut"] = "the bytes end inside a record: Scapy reads the part there is, pktlua keeps it Raw",
}
local skipped = {}
local function skip(why) skipped[why] = (skipped[why] or 0) + 1 end

local function canon(v)
  if v == nil or v == json.null then return "None" end
  if type(v) == "table" then
    local t = {}
    for i, x in ipairs(v) do t[i] = canon(x) end
    return "[" .. table.concat(t, ", ") .. "]"
  end
  if type(v) == "number" then return ("%d"):format(v) end
  if v:find("[^\32-\126]") then v = "hex:" .. H.hex(v) end
  return ("%q"):format(v)
end

-- Scapy reads the root as "." in an owner name and "" in rdata; both
-- are the root, which pktlua reads as ".".
local NAMES = { qname = true, rrname = true, exchange = true, mname = true, rname = true,
  target = true }
local function canon_field(r, k, v)
  if (NAMES[k] or (k == "rdata" and (r.type == 2 or r.type == 5 or r.type == 12))) and v == "" then
    v = "."
  end
  return canon(v)
end

-- pktlua's text of a name escapes odd bytes as \DDD (RFC 1035 5.1);
-- Scapy's is the bytes.
local function unescape(r, k, v)
  if type(v) == "string" and (NAMES[k] or (k == "rdata" and (r.type == 2 or r.type == 5 or r.type == 12))) then
    v = v:gsub("\\(%d%d%d)", function(d) return string.char(tonumber(d)) end)
  end
  return v
end

local EDNS_CODE = { COOKIE = 10, NSID = 3, LLQ = 1, UL = 2, PING = 5, ["edns-client-subnet"] = 8 }

-- pktlua's value of one record field, in the form Scapy's dump has.
local function ours(r, k)
  local v = r[k]
  if getmetatable(r).__name == "DNSRROPT" and k == "rdata" then
    local t = {}
    for i, o in ipairs(v) do t[i] = { EDNS_CODE[o[1]] or o[1], o[2] } end
    return t
  end
  return v
end

-- Differences between pktlua's dissection of raw and Scapy's dump d.
local function compare(raw, d, tcp)
  local p = pkt.IP(raw)
  local l = p[pkt.DNS]
  local diffs = {}
  if not l then return { "no DNS layer: " .. p:summary() } end
  for k, v in pairs(d) do
    if type(v) ~= "table" then
      if canon(l[k]) ~= canon(v) then diffs[#diffs + 1] = ("%s: %s ~= Scapy %s"):format(k, canon(l[k]), canon(v)) end
    end
  end
  for _, sec in ipairs { "qd", "an", "ns", "ar" } do
    local mine, theirs = l[sec], d[sec]
    if sec == "qd" and d.qdcount == 0 and #mine == 0 then
      skip("no question")
    elseif #mine < #theirs and p:lastlayer():name() ~= "DNS" and #mine == l[sec .. "count"] - 1 then
      skip("record cut")
    elseif #mine ~= #theirs then
      diffs[#diffs + 1] = ("%s: %d records ~= Scapy %d"):format(sec, #mine, #theirs)
    else
      for i, t in ipairs(theirs) do
        local r = mine[i]
        if sec ~= "qd" and getmetatable(r).__name ~= t.class then
          diffs[#diffs + 1] = ("%s[%d] is %s ~= Scapy %s"):format(sec, i, getmetatable(r).__name, t.class)
        end
        for k, v in pairs(t) do
          local mine_v = canon(unescape(r, k, ours(r, k)))
          if k ~= "class" and mine_v ~= canon_field(t, k, v) then
            diffs[#diffs + 1] = ("%s[%d].%s: %s ~= Scapy %s"):format(sec, i, k, mine_v, canon_field(t, k, v))
          end
        end
      end
    end
  end
  return diffs
end

-- tshark's DNS fields of each frame of path.
local TS = { "dns.id", "dns.flags.response", "dns.count.queries", "dns.count.answers",
  "dns.count.auth_rr", "dns.count.add_rr", "dns.qry.name", "dns.a", "dns.aaaa", "dns.cname",
  "dns.ns", "dns.ptr.domain_name", "dns.mx.mail_exchange", "dns.srv.target", "dns.soa.mname",
  "dns.txt" }

local function tshark(path)
  local cmd = { "tshark -n -r", H.shquote(path), "-o tcp.desegment_tcp_streams:FALSE",
    "-T fields -E separator=/t -E occurrence=a -E aggregator='|'" }
  for _, f in ipairs(TS) do cmd[#cmd + 1] = "-e " .. f end
  local out, status = H.run(table.concat(cmd, " ") .. " 2>/dev/null")
  assert(status == 0, "tshark failed")
  local frames = {}
  for line in out:gmatch("[^\n]*\n") do
    local f, k = {}, 0
    for v in (line:sub(1, -2) .. "\t"):gmatch("([^\t]*)\t") do
      k = k + 1
      f[TS[k]] = v
    end
    frames[#frames + 1] = f
  end
  return frames
end

-- What tshark should show for pktlua's dissection of p: names without
-- the trailing dot ("<Root>" for the root), lists joined by '|'.
local function expected(p)
  local d = p[pkt.DNS]
  local function bare(n) return n == "." and "<Root>" or n:gsub("%.$", "") end
  local function collect(secs, type_, key, fn)
    local t = {}
    for _, sec in ipairs(secs) do
      for _, r in ipairs(d[sec]) do
        if r.type == type_ and r[key] ~= nil then t[#t + 1] = fn and fn(r[key]) or tostring(r[key]) end
      end
    end
    return table.concat(t, "|")
  end
  local all = { "an", "ns", "ar" }
  local qn = {}
  for _, q in ipairs(d.qd) do qn[#qn + 1] = bare(q.qname) end
  return {
    ["dns.id"] = ("0x%04x"):format(d.id), ["dns.flags.response"] = tostring(d.qr),
    ["dns.count.queries"] = tostring(d.qdcount), ["dns.count.answers"] = tostring(d.ancount),
    ["dns.count.auth_rr"] = tostring(d.nscount), ["dns.count.add_rr"] = tostring(d.arcount),
    ["dns.qry.name"] = table.concat(qn, "|"),
    ["dns.a"] = collect(all, 1, "rdata"), ["dns.aaaa"] = collect(all, 28, "rdata"),
    ["dns.cname"] = collect(all, 5, "rdata", bare), ["dns.ns"] = collect(all, 2, "rdata", bare),
    ["dns.ptr.domain_name"] = collect(all, 12, "rdata", bare),
    ["dns.mx.mail_exchange"] = collect(all, 15, "exchange", bare),
    ["dns.srv.target"] = collect(all, 33, "target", bare),
    ["dns.soa.mname"] = collect(all, 6, "mname", bare),
    ["dns.txt"] = collect(all, 16, "rdata", function(v) return table.concat(v, "|") end),
  }
end

------------------------------------------------------------ the spec

describe("DNS against Scapy and tshark", function()
  math.randomseed(seed)
  local cases = {}
  for i = 1, N do cases[i] = case(i) end
  local built, scapy = {}, nil
  print(("\ndns seed %d: %d messages"):format(seed, N))

  it("builds every message and Scapy does too", function()
    local errs = {}
    for i, c in ipairs(cases) do
      local ok, p = pcall(lua_packet, c)
      if ok then built[i] = p else errs[#errs + 1] = ("case %d: %s"):format(i, p) end
    end
    scapy = run_scapy(cases)
    for i, r in ipairs(scapy) do
      if r.err then errs[#errs + 1] = ("case %d, Scapy: %s\n  %s"):format(i, r.err, py_packet(cases[i])) end
    end
    assert.are.equal("", table.concat(errs, "\n"))
  end)

  it("gives Scapy's bytes for the same fields", function()
    local diffs = {}
    for i, p in ipairs(built) do
      local mine = H.hex(p:bytes())
      if mine ~= scapy[i].hex then
        diffs[#diffs + 1] = ("case %d (seed %d):\n  %s\n  pktlua %s\n  Scapy  %s"):format(i, seed,
          py_packet(cases[i]), mine, scapy[i].hex)
      end
      if #diffs >= 5 then break end
    end
    assert.are.equal("", table.concat(diffs, "\n"))
  end)

  it("dissects Scapy's bytes, and its compressed names, to Scapy's values", function()
    local diffs, compressed, shorter = {}, 0, 0
    for i, r in ipairs(scapy) do
      for _, form in ipairs { { r.hex, r.dis }, { r.chex, r.cdis } } do
        if form[1] then
          local d = compare(H.unhex(form[1]), form[2], cases[i].tcp)
          if #d > 0 then
            diffs[#diffs + 1] = ("case %d%s (seed %d): %s\n  %s\n  %s"):format(i,
              form[1] == r.chex and " compressed" or "", seed, table.concat(d, "; "), py_packet(cases[i]),
              form[1])
          end
        end
      end
      if r.chex then
        compressed = compressed + 1
        if #r.chex < #r.hex then shorter = shorter + 1 end
      end
    end
    local sk = {}
    for why, n in pairs(skipped) do sk[#sk + 1] = ("%s %d"):format(why, n) end
    table.sort(sk)
    print(("dns: %d messages compressed by dnspython, %d of them shorter; skipped as design differences: %s")
      :format(compressed, shorter, #sk > 0 and table.concat(sk, ", ") or "none"))
    assert.is_true(shorter > 0, "no message was compressed: the compression checks checked nothing")
    assert.are.equal("", table.concat({ table.unpack(diffs, 1, 10) }, "\n"))
  end)

  it("agrees with tshark on every message's DNS fields", function()
    local path = os.tmpname()
    local frames = {}
    for i, p in ipairs(built) do frames[i] = pkt.Ether { src = "02:00:00:00:00:01" } / p end
    pkt.wrpcap(path, frames)
    local ts = tshark(path)
    os.remove(path)
    assert.are.equal(#frames, #ts)
    local diffs = {}
    for i, p in ipairs(built) do
      local want = expected(pkt.IP(p:bytes()))
      for k, v in pairs(want) do
        if (ts[i][k] or "") ~= v then
          diffs[#diffs + 1] = ("case %d %s: pktlua %q, tshark %q"):format(i, k, v, ts[i][k] or "")
        end
      end
    end
    assert.are.equal("", table.concat({ table.unpack(diffs, 1, 10) }, "\n"))
  end)
end)

describe("DNS as a script uses it", function()
  local core = require "pkt.core"
  local IP, UDP, TCP, DNS = pkt.IP, pkt.UDP, pkt.TCP, pkt.DNS

  local function query(id, qname)
    return IP { src = "198.51.100.10", dst = "198.51.100.12" } / UDP { sport = 33333, dport = 53 }
      / DNS { id = id, qd = { { qname = qname } } }
  end
  local function reply(id, qname)
    return IP { src = "198.51.100.12", dst = "198.51.100.10" } / UDP { sport = 53, dport = 33333 }
      / DNS { id = id, qr = 1, qd = { { qname = qname } }, an = { { rrname = qname, rdata = "198.51.100.99" } } }
  end

  it("reads the first question as pkt[DNS].qd.qname and each answer as an[i]", function()
    local r = IP(reply(1, "www.example.com"):bytes())
    assert.are.equal("www.example.com.", r[DNS].qd.qname)
    assert.are.equal("www.example.com.", r[DNS].qd[1].qname)
    assert.are.equal("198.51.100.99", r[DNS].an[1].rdata)
    assert.is_nil(r[DNS].an[2])
    assert.are.equal(1, r[DNS].ancount)
    assert.are.equal('IP / UDP / DNS Ans "198.51.100.99"', r:summary())
    assert.are.equal('IP / UDP / DNS Qry "www.example.com."', query(1, "www.example.com"):summary())
  end)

  it("pairs a reply with its query by id and question, as sr does", function()
    local q = query(7, "www.example.com")
    local function ok(r) return core.answers(IP[1], q:bytes(), IP[1], r:bytes()) end
    assert.is_true(ok(reply(7, "www.example.com")))
    assert.is_true(ok(reply(7, "WWW.Example.COM.")), "names compare without case")
    assert.is_false(ok(reply(8, "www.example.com")), "another id")
    assert.is_false(ok(reply(7, "www.example.org")), "another question")
    assert.is_false(ok(q), "a query answers nothing")
  end)

  it("carries a length first over TCP, and reads it back", function()
    local p = IP() / TCP { sport = 40000, dport = 53 } / DNS { id = 3 }
    local b = p[DNS]:bytes()
    assert.are.equal(#b - 2, b:byte(1) * 256 + b:byte(2))
    local q = IP(p:bytes())
    assert.are.equal(#b - 2, q[DNS].length)
    assert.are.equal(3, q[DNS].id)
    assert.is_nil((IP() / UDP() / DNS()):getlayer(DNS).length)
  end)

  it("dissects names that loop or point past the message as far as they go", function()
    -- header, one answer whose owner name is a pointer: to itself, then
    -- past the end; the record is kept, its name as its bytes
    local head = "\0\1\129\128\0\0\0\1\0\0\0\0"
    local rest = "\0\1\0\1\0\0\0\60\0\4\198\51\100\99"
    for _, ptr in ipairs { "\192\12", "\192\250" } do
      local p = IP((IP { src = "198.51.100.12", dst = "198.51.100.10" } / UDP { sport = 53 }
        / (head .. ptr .. rest)):bytes())
      local d = p[DNS]
      assert.is_truthy(d, p:summary())
      assert.are.equal(ptr, d.an[1].rrname)
      assert.are.equal("198.51.100.99", d.an[1].rdata)
      assert.is_string(p:show(true))
    end
  end)

  it("refuses a name that is not one, saying why", function()
    local long = ("a"):rep(64)
    local ok, err = pcall(DNS, { qd = { { qname = long .. ".example" } } })
    assert.is_false(ok)
    assert.matches("DNSQR.qname: '" .. long, err, 1, true)
    assert.matches("63", err, 1, true)
  end)
end)
