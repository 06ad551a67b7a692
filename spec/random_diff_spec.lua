-- Random differential testing: packets drawn by spec/support/gen.lua from
-- a printed seed are built in pktlua and in Scapy (one python3 run for
-- all of them), dissected both ways, and read by tshark (one run over a
-- pcap pktlua writes).  PKTLUA_SEED replays a run, PKTLUA_DIFF_N sets the
-- number of packets, PKTLUA_DIFF_CASE=i keeps only case i of the run,
-- PKTLUA_DIFF_SHOW=n lists n disagreements per check (default 20).
local pkt = require "pkt"
local gen = require "gen"
local json = require "dkjson"

local seed = math.tointeger(tonumber(os.getenv("PKTLUA_SEED") or "")) or os.time()  -- "random": the clock
local N = math.tointeger(tonumber(os.getenv("PKTLUA_DIFF_N") or "")) or 2000
local only = math.tointeger(tonumber(os.getenv("PKTLUA_DIFF_CASE") or ""))
local SHOW = math.tointeger(tonumber(os.getenv("PKTLUA_DIFF_SHOW") or "")) or 20

-- Where the two designs legitimately differ: skipped, counted in the
-- output, and each named here with its reason.
local WHY = {
  ["ICMP unused"] = "Scapy has an empty 'unused' (b'') in ICMP types without one; pktlua has no such field",
  ["empty tail"] = "Scapy stops reading where the bytes end: empty IP/TCP options at the end are None, pktlua's empty",
  ["after EOL"] = "Scapy's TCP option list ends at EOL; pktlua reads on past an EOL that is not the zero fill",
  ["malformed option"] = "a TCP option with length < 2 or past the header: pktlua keeps kind + rest raw, Scapy reads on",
  ["truncated header"] = "bytes that end inside a header: pktlua keeps Raw marked truncated, Scapy a partial layer",
  ["quoted header cut"] = "a quote that ends inside a field: pktlua keeps the fields that fit, Scapy falls back to Raw",
  ["option names"] = "TCP option kinds pktlua has no name for (MD5, UTO, TFO...): Scapy names them, pktlua numbers them",
  ["invalid header length"] = "ihl or dataofs < 5: pktlua marks the header invalid and keeps the rest Raw, Scapy reads on",
  ["quoted length"] = "bytes past the IP/UDP len of a datagram quoted in an ICMP error: Scapy Padding, pktlua no limit",
  ["application layer"] = "a lying ihl shifts UDP onto port 53: Scapy dissects DNS, pktlua has no such layer",
  ["pseudo-header length"] = "IP len set to a lie: Scapy sums len - 4*ihl into the pseudo-header, pktlua the segment's length",
  ["len below header"] = "IP len shorter than the IP header: Scapy slices a negative payload length (drops bytes from the end), pktlua ignores the len",
}

------------------------------------------------------------ canonical values

local function hex(s) return H.hex(s) end

-- One string per value, the same for pktlua's and Scapy's (decoded JSON)
-- forms: integers, quoted strings ("hex:..." for bytes), [lists].
local function canon(v)
  if v == nil or v == json.null then return "None" end
  local t = type(v)
  if t == "number" then
    return math.type(v) == "float" and v == math.floor(v) and ("%d"):format(v) or tostring(v)
  elseif t == "string" then
    return ('"%s"'):format(v)
  elseif t == "table" then
    local parts = {}
    for i = 1, #v do parts[i] = canon(v[i]) end
    return "[" .. table.concat(parts, ", ") .. "]"
  end
  return tostring(v)
end

-- TCP options: an empty value (NOP, EOL, SAckOK) is None on both sides.
local function canon_opts(list)
  local t = {}
  for i, o in ipairs(list) do
    local v = o[2]
    if v == "" or v == "hex:" or v == json.null then v = nil end
    if type(v) == "string" and v:sub(1, 4) ~= "hex:" then v = "hex:" .. hex(v) end
    t[i] = { o[1], v }
  end
  return canon(t)
end

-- A layer's field description, from its class.
local function fdesc(l, name)
  for _, fd in ipairs(pkt[l:name()].fields_desc) do
    if fd.name == name then return fd end
  end
end

-- The fields a dissected layer read, flags as numbers.
local function read_fields(l)
  local t = {}
  for name in pairs(l.fields) do t[name] = l:getfieldval(name) end
  return t
end

-- A pktlua layer's field as a canonical string (nil when absent).
local function lua_field(l, name)
  if l.fields[name] == nil then return nil end
  local v = l:getfieldval(name)
  local fd = fdesc(l, name)
  if fd.tuples then return canon_opts(v) end
  if type(v) == "string" and (fd.type == "bytes") then return canon("hex:" .. hex(v)) end
  return canon(v)
end

local function scapy_field(fields, name)
  local v = fields[name]
  if v == nil or v == json.null then return nil end
  if name == "options" and type(v) == "table" then return canon_opts(v) end
  return canon(v)
end

----------------------------------------------------------------- Scapy

local PY_HEAD = [[
import sys, json, logging
logging.getLogger('scapy').setLevel(logging.CRITICAL)
from scapy.all import *
conf.verb = 0

def nv(v):
    if v is None: return None
    if isinstance(v, (bytes, bytearray)): return "hex:" + bytes(v).hex()
    if isinstance(v, str): return v
    if isinstance(v, (list, tuple)): return [nv(x) for x in v]
    if isinstance(v, Packet): return "hex:" + raw(v).hex()
    return int(v)

def fields(l):
    d = {}
    for f in l.fields_desc:
        v = l.fields.get(f.name)
        if f.name == "options" and isinstance(l, IP) and v is not None:
            d[f.name] = "hex:" + b"".join(raw(o) for o in v).hex()
        else:
            d[f.name] = nv(v)
    return d

def layers(q):
    out = []
    while q is not None and not isinstance(q, NoPayload):
        out.append([q.__class__.__name__, fields(q)])
        q = q.payload
    return out

import scapy.layers.inet as inet
pseudoheader = inet.in4_pseudoheader

# The pseudo-header as it would be without an explicit IP len: the
# length of the segment built (Scapy's rule when len is None).
def pseudoheader_built_len(proto, u, plen):
    saved = u.len
    u.len = None
    try:
        return pseudoheader(proto, u, plen)
    finally:
        u.len = saved

def run(i, first, f):
    try:
        p = f()
        b = raw(p)
        q = (Ether if first == "Ether" else IP)(b)
        out = {"i": i, "hex": b.hex(), "layers": layers(q)}
        l = p
        while not isinstance(l, NoPayload):
            if isinstance(l, IP) and l.len is not None:
                inet.in4_pseudoheader = pseudoheader_built_len
                try:
                    alt = raw(f())
                finally:
                    inet.in4_pseudoheader = pseudoheader
                if alt != b:
                    out["alt"] = alt.hex()
                break
            l = l.payload
    except Exception as e:
        out = {"i": i, "err": "%s: %s" % (type(e).__name__, e)}
    print(json.dumps(out))
]]

-- Runs every case's Scapy expression in one python3; returns a table
-- index -> {hex =, layers =} or {err =}.
local function run_scapy(cases)
  local py = { PY_HEAD }
  for _, c in ipairs(cases) do
    py[#py + 1] = ("run(%d, %q, lambda: %s)"):format(c.index, c.first, c.py)
  end
  local path = H.tmpfile(table.concat(py, "\n") .. "\n")
  local out, status = H.run(H.python .. " " .. path .. " 2>&1")
  os.remove(path)
  local res = {}
  for line in out:gmatch("[^\n]+") do
    local r = json.decode(line, 1, json.null)
    if type(r) == "table" and r.i then res[r.i] = r end
  end
  assert(status == 0, "python3-scapy failed: " .. out:sub(-2000))
  return res
end

----------------------------------------------------------------- tshark

local TS_FIELDS = {
  "frame.protocols", "_ws.malformed", "_ws.expert.severity", "_ws.expert.message",
  "eth.src", "eth.dst", "eth.type", "vlan.priority", "vlan.dei", "vlan.id", "vlan.etype",
  "arp.hw.type", "arp.proto.type", "arp.opcode", "arp.src.hw_mac", "arp.src.proto_ipv4",
  "arp.dst.hw_mac", "arp.dst.proto_ipv4",
  "ip.version", "ip.hdr_len", "ip.dsfield", "ip.len", "ip.id", "ip.flags", "ip.frag_offset",
  "ip.ttl", "ip.proto", "ip.checksum", "ip.checksum.status", "ip.src", "ip.dst",
  "icmp.type", "icmp.code", "icmp.checksum", "icmp.checksum.status", "icmp.ident", "icmp.seq",
  "icmp.redir_gw", "icmp.pointer", "icmp.address_mask", "icmp.originate_timestamp",
  "icmp.receive_timestamp", "icmp.transmit_timestamp",
  "udp.srcport", "udp.dstport", "udp.length", "udp.checksum", "udp.checksum.status",
  "tcp.srcport", "tcp.dstport", "tcp.seq", "tcp.ack", "tcp.hdr_len", "tcp.flags",
  "tcp.window_size_value", "tcp.checksum", "tcp.checksum.status", "tcp.urgent_pointer",
}

-- Reads the pcap with every checksum checked, no reassembly or TCP
-- analysis across packets, and every port's payload as plain data (no
-- application dissector guessing at random bytes).  Returns one table per
-- frame: field -> list of values.
local function run_tshark(path)
  local cmd = { "tshark -n -r", path, "-T fields -E separator=/t -E occurrence=a -E aggregator='|'",
    "-o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE -o udp.check_checksum:TRUE",
    "-o ip.defragment:FALSE -o tcp.analyze_sequence_numbers:FALSE",
    "-o tcp.relative_sequence_numbers:FALSE",
    "-d udp.port==1-65535,data -d tcp.port==1-65535,data" }
  for _, f in ipairs(TS_FIELDS) do cmd[#cmd + 1] = "-e " .. f end
  local out, status = H.run(table.concat(cmd, " ") .. " 2>/dev/null")
  assert(status == 0, "tshark failed")
  return require("tshark").parse(out, TS_FIELDS)
end

-- The address an IPv4 header's loose or strict source route ends at
-- (RFC 791 3.1): what the transport pseudo-header and tshark's ip.dst use.
local function route_end(opts)
  local i = 1
  while i <= #opts do
    local k = opts:byte(i)
    if k == 0 then break end
    if k == 1 then
      i = i + 1
    else
      local n = opts:byte(i + 1) or 0
      if n < 2 then break end
      if (k == 0x83 or k == 0x89) and n >= 7 and i + n - 1 <= #opts then
        local a = { opts:byte(i + n - 4, i + n - 1) }
        return ("%d.%d.%d.%d"):format(a[1], a[2], a[3], a[4])
      end
      i = i + n
    end
  end
end

-- What tshark should show for each field, from pktlua's own dissection
-- of the bytes: field -> list over the layers that carry it, in order.
local function expected_tshark(p, wrong)
  local e, partial = {}, false
  local function add(f, v) e[f] = e[f] or {}; e[f][#e[f] + 1] = v end
  for i = 1, #p:layers() do
    local l = p[i]
    local name, f = l:name(), read_fields(l)
    if l:status() ~= "ok" and name ~= "Raw" and name ~= "Padding" then break end
    if name == "Ether" and i == 1 then
      add("eth.src", f.src); add("eth.dst", f.dst); add("eth.type", f.type)
    elseif name == "Dot1Q" then
      add("vlan.priority", f.prio); add("vlan.dei", f.id); add("vlan.id", f.vlan); add("vlan.etype", f.type)
    elseif name == "ARP" then
      add("arp.hw.type", f.hwtype); add("arp.proto.type", f.ptype); add("arp.opcode", f.op)
      add("arp.src.hw_mac", f.hwsrc); add("arp.src.proto_ipv4", f.psrc)
      add("arp.dst.hw_mac", f.hwdst); add("arp.dst.proto_ipv4", f.pdst)
    elseif name == "IP" or name == "IPerror" then
      if f.dst == nil then break end       -- a quote cut inside the header
      add("ip.version", f.version); add("ip.hdr_len", f.ihl * 4); add("ip.dsfield", f.tos)
      add("ip.len", f.len); add("ip.id", f.id); add("ip.flags", f.flags)
      add("ip.frag_offset", f.frag); add("ip.ttl", f.ttl); add("ip.proto", f.proto)
      add("ip.checksum", f.chksum); add("ip.src", f.src)
      -- tshark shows a source route's final destination as ip.dst; from
      -- option bytes that are not what we generated it may not
      local fin = route_end(f.options or "")
      add("ip.dst", fin and wrong and { fin, f.dst } or fin or f.dst)
    elseif name == "ICMP" or name == "ICMPerror" then
      -- tshark cuts a quote to an RFC 4884 length, how far depends on the
      -- length (pktlua, like Scapy, ignores it): compare what it shows
      if (f.length or 0) > 0 then partial = true end
      add("icmp.type", f.type); add("icmp.code", f.code); add("icmp.checksum", f.chksum)
      if f.id and f.type ~= 15 and f.type ~= 16 then add("icmp.ident", f.id); add("icmp.seq", f.seq) end
      if f.gw then add("icmp.redir_gw", f.gw) end
      if f.ptr then add("icmp.pointer", f.ptr) end
      if f.addr_mask then add("icmp.address_mask", f.addr_mask) end
      if f.ts_ori then
        add("icmp.originate_timestamp", f.ts_ori); add("icmp.receive_timestamp", f.ts_rx)
        add("icmp.transmit_timestamp", f.ts_tx)
      end
    elseif name == "UDP" or name == "UDPerror" then
      add("udp.srcport", f.sport); add("udp.dstport", f.dport); add("udp.length", f.len)
      add("udp.checksum", f.chksum)
    elseif name == "TCP" or name == "TCPerror" then
      add("tcp.srcport", f.sport); add("tcp.dstport", f.dport); add("tcp.seq", f.seq)
      -- tshark reads only 8 bytes of the TCP header a redirect quotes
      if f.urgptr == nil or (name == "TCPerror" and p[i - 2]:getfieldval("type") == 5) then break end
      add("tcp.ack", f.ack); add("tcp.hdr_len", f.dataofs * 4)
      add("tcp.flags", f.reserved << 9 | f.flags); add("tcp.window_size_value", f.window)
      add("tcp.checksum", f.chksum); add("tcp.urgent_pointer", f.urgptr)
    end
  end
  return e, partial
end

local function show_vals(vals)
  local t = {}
  for i, v in ipairs(vals) do
    t[i] = type(v) == "table" and table.concat(v, " or ") or tostring(v)
  end
  return table.concat(t, "|")
end

local function same_value(want, got)
  if type(want) == "table" then
    for _, w in ipairs(want) do if same_value(w, got) then return true end end
    return false
  end
  if type(want) == "number" then return tonumber(got) == want end
  return tostring(want):lower() == got:lower()
end

------------------------------------------------------------------- run

local function summary_of(c)
  return ("case %d (%s%s) %s%s\n      pktlua: %s\n      Scapy:  %s"):format(c.index, c.class,
    c.faults ~= "" and " " .. c.faults or "", c.stack, c.srcroute and " [IP source route]" or "",
    c.lua, c.py)
end

-- Which fields of the dissection of a differ from those of b.
local function field_diffs(first, a, b)
  local pa, pb = first(a), first(b)
  local t = {}
  for i = 1, math.max(#pa:layers(), #pb:layers()) do
    local la, lb = pa[i], pb[i]
    if not la or not lb or la:name() ~= lb:name() then
      t[#t + 1] = ("layer %d: %s vs %s"):format(i, la and la:name() or "-", lb and lb:name() or "-")
      break
    end
    for _, name in ipairs(la:fieldnames()) do
      local va, vb = lua_field(la, name), lua_field(lb, name)
      if va ~= vb then t[#t + 1] = ("%s.%s pktlua %s, Scapy %s"):format(la:name(), name, va, vb) end
    end
  end
  return table.concat(t, "; ")
end

local OPT_KINDS = { EOL = 0, NOP = 1, MSS = 2, WScale = 3, SAckOK = 4, SAck = 5, Timestamp = 8,
  AltChkSum = 14, AltChkSumOpt = 15, MD5 = 19, Mood = 25, UTO = 28, AO = 29, TFO = 34 }
local function kind_of(k) return OPT_KINDS[k] or k end

-- Which of WHY explains a field where pktlua's value lv and Scapy's sv
-- differ (canonical strings), or nil.
local function field_skip(l, name, lv, sv, sf)
  if name == "unused" and lv == nil and sv == '"hex:"' then return "ICMP unused" end
  if name == "options" and sv == nil and (lv == "[]" or lv == '"hex:"') then return "empty tail" end
  if name == "options" and fdesc(l, "options").tuples and type(sf.options) == "table" then
    local mine, theirs, renamed = l:getfieldval("options"), {}, false
    for i, t in ipairs(sf.options) do     -- kinds pktlua has no name for, by number
      local k = OPT_KINDS[t[1]]
      if k and not fdesc(l, "options").optnames[k] then t, renamed = { k, t[2] }, true end
      theirs[i] = t
    end
    if renamed and canon_opts(mine) == canon_opts(theirs) then return "option names" end
    sv = canon_opts(theirs)
    for i, o in ipairs(mine) do
      if o.malformed then
        local t = theirs[i]
        if t and kind_of(t[1]) == o[1] and canon_opts({ table.unpack(mine, 1, i - 1) })
            == canon_opts({ table.unpack(theirs, 1, i - 1) }) then
          return "malformed option"
        end
        return nil
      end
      if o[1] == "EOL" then
        if canon_opts({ table.unpack(mine, 1, i) }) == sv and i < #mine then return "after EOL" end
        return nil
      end
    end
  end
end

-- pktlua's bytes as they would be with the transport checksum over the
-- final destination of the IP header's loose or strict source route, as
-- Scapy builds it and tshark verifies it (IP dst changes at each hop of
-- the route, the final destination does not); nil without a route.
local function srcroute_variant(p)
  local off = 0
  for i = 1, #p:layers() do
    local l = p[i]
    local name = l:name()
    if name == "IP" then
      local opts = l.fields.options or ""
      local dst = route_end(opts)
      if not dst then return nil end
      local q = p:copy()
      q[i].dst = dst
      local hl = off + 20 + #opts + (-#opts) % 4
      return p:bytes():sub(1, hl) .. q:bytes():sub(hl + 1), dst
    end
    off = off + (name == "Ether" and 14 or name == "Dot1Q" and 4 or 0)
  end
end

-- Where pktlua's layers become Scapy's with a quoted datagram's IP len
-- enforced: the index k from which Scapy has Raw/Padding ending in
-- Padding above an IPerror, pktlua Raw/Padding with the same bytes; or nil.
local function quoted_cut(q, theirs)
  local k
  for j, t in ipairs(theirs) do
    if t[1] == "IPerror" then k = nil end
    if not k and (t[1] == "Raw" or t[1] == "Padding") and j > 1 then k = j end
  end
  local below = false
  for j = 1, (k or 1) - 1 do if theirs[j][1] == "IPerror" then below = true end end
  if not k or not below or theirs[#theirs][1] ~= "Padding" then return nil end
  local a, b = {}, {}
  for j = k, #q:layers() do
    local l = q[j]
    if l:name() ~= "Raw" and l:name() ~= "Padding" then return nil end
    a[#a + 1] = l.load
  end
  for j = k, #theirs do b[#b + 1] = (theirs[j][2].load or "?"):gsub("^hex:", "") end
  return H.hex(table.concat(a)) == table.concat(b) and k or nil
end

describe(("random packets against Scapy and tshark (seed %d)"):format(seed), function()
  local env = setmetatable({}, { __index = function(_, k) return pkt[k] or _G[k] end })
  local cases = gen.cases(seed, N)
  if only then cases = { cases[only] } end
  local ncases = #cases
  local counts = { valid = 0, edge = 0, wrong = 0 }
  for _, c in ipairs(cases) do counts[c.class] = counts[c.class] + 1 end
  local t0 = os.time()

  -- pktlua builds every case
  local built, build_errs = {}, {}
  for _, c in ipairs(cases) do
    local ok, p = pcall(function()
      local p = assert(load("return " .. c.lua, "=case", "t", env))()
      p:bytes()
      return p
    end)
    if ok then built[c.index] = p else build_errs[#build_errs + 1] = summary_of(c) .. "\n      error: " .. tostring(p) end
  end

  local sok, scapy = pcall(run_scapy, cases)

  local function report(list, what)
    local t = { ("%d %s"):format(#list, what) }
    for i = 1, math.min(#list, SHOW) do t[#t + 1] = "  " .. list[i] end
    if #list > SHOW then t[#t + 1] = ("  ... and %d more (PKTLUA_DIFF_SHOW=n lists n)"):format(#list - SHOW) end
    return table.concat(t, "\n")
  end

  it(("%d random packets (%d valid, %d edge, %d wrong): pktlua and Scapy build every one (seed %d)")
      :format(ncases, counts.valid, counts.edge, counts.wrong, seed), function()
    assert.is_true(sok, tostring(scapy))
    local errs = {}
    for _, e in ipairs(build_errs) do errs[#errs + 1] = "pktlua " .. e end
    for _, c in ipairs(cases) do
      local r = scapy[c.index]
      if not r then errs[#errs + 1] = "no Scapy output for " .. summary_of(c)
      elseif r.err then errs[#errs + 1] = "Scapy " .. summary_of(c) .. "\n      error: " .. r.err end
    end
    if #errs > 0 then error(report(errs, "cases failed to build"), 0) end
  end)

  local skipped = {}
  local function skip(why)
    assert(WHY[why], why)
    skipped[why] = (skipped[why] or 0) + 1
  end

  -- a. bytes
  local byte_diffs, srcroute_diffs, nbytes = {}, {}, 0
  if sok then
    for _, c in ipairs(cases) do
      local p, r = built[c.index], scapy[c.index]
      if p and r and r.hex then
        nbytes = nbytes + 1
        local mine = H.hex(p:bytes())
        if mine ~= r.hex and mine == r.alt then
          skip("pseudo-header length")
        elseif mine ~= r.hex then
          local v, dst = srcroute_variant(p)
          local msg = summary_of(c) .. "\n      differ: " .. field_diffs(pkt[c.first], p:bytes(), H.unhex(r.hex))
          if v and (H.hex(v) == r.hex or H.hex(v) == r.alt) then
            srcroute_diffs[#srcroute_diffs + 1] = msg .. ("\n      the same bytes once the checksum covers the"
              .. " route's final destination %s instead of IP dst"):format(dst)
          else
            byte_diffs[#byte_diffs + 1] = msg
          end
        end
      end
    end
  end

  it(("%d random packets: bytes equal Scapy's (seed %d)"):format(ncases, seed), function()
    assert.is_true(sok and nbytes > 0, "nothing compared")
    local msg = {}
    if #byte_diffs > 0 then msg[#msg + 1] = report(byte_diffs, "packets differ from Scapy's bytes") end
    if #srcroute_diffs > 0 then
      msg[#msg + 1] = report(srcroute_diffs, "packets differ from Scapy's bytes only in the transport"
        .. " checksum under an IP source route: pktlua sums IP dst into the pseudo-header, Scapy and"
        .. " tshark the route's final destination")
    end
    if #msg > 0 then error(table.concat(msg, "\n"), 0) end
  end)

  -- b. dissection of Scapy's bytes
  local diss_diffs, nfields, nlayers = {}, 0, 0
  if sok then
    for _, c in ipairs(cases) do
      local r = scapy[c.index]
      if r and r.hex then
        local q = pkt[c.first](H.unhex(r.hex))
        local mine, theirs, problems = {}, {}, {}
        for i = 1, #q:layers() do mine[i] = q[i]:name() end
        for i, l in ipairs(r.layers) do theirs[i] = l[1] end
        local cut = quoted_cut(q, r.layers)
        for i = 1, math.max(#mine, #theirs) do
          local l = q[i]
          if i == cut then
            skip("quoted length")
            break
          end
          if l and mine[i] == "Raw" and select(2, l:status()) == theirs[i] then
            skip("truncated header")
            break
          end
          local function payload_after(t)
            for j = i + 1, #t do
              if t[j] ~= "Raw" and t[j] ~= "Padding" then return false end
            end
            return true
          end
          if l and theirs[i] == "Raw" and l:name():match("error$") and payload_after(theirs)
              and payload_after(mine) then
            skip("quoted header cut")
            break
          end
          if mine[i] == "Raw" and theirs[i] and not pkt[theirs[i]] then
            skip("application layer")
            break
          end
          if l and mine[i] ~= theirs[i] and theirs[i] == "Raw" and l:status() == "invalid" then
            skip("invalid header length")
            break
          end
          local ipl = l and (l:name() == "IP" or l:name() == "IPerror") and read_fields(l)
          if mine[i] == theirs[i] and ipl and ipl.len and ipl.ihl
              and ipl.len < 4 * ipl.ihl then
            skip("len below header")
            break
          end
          if mine[i] ~= theirs[i] then
            problems[#problems + 1] = ("layers: pktlua %s, Scapy %s"):format(
              table.concat(mine, "/"), table.concat(theirs, "/"))
            break
          end
          local sf = r.layers[i][2]
          nlayers = nlayers + 1
          local names, seen = {}, {}
          for _, n in ipairs(l:fieldnames()) do names[#names + 1] = n; seen[n] = true end
          for n in pairs(sf) do if not seen[n] then names[#names + 1] = n end end
          local invalid = l:status() == "invalid"
          for _, n in ipairs(names) do
            local fd = fdesc(l, n)
            local lv = fd and lua_field(l, n) or nil
            local sv = scapy_field(sf, n)
            if invalid and fd and fd.bits == 0 then
              lv, sv = nil, nil                  -- the options of a header whose length is invalid
            end
            if lv ~= nil or sv ~= nil then
              nfields = nfields + 1
              if lv ~= sv then
                local why = field_skip(l, n, lv, sv, sf)
                if why then
                  skip(why)
                else
                  problems[#problems + 1] = ("%s.%s pktlua %s, Scapy %s"):format(l:name(), n, lv, sv)
                end
              end
            end
          end
          if invalid then
            skip("invalid header length")
            break
          end
        end
        if #problems > 0 then
          diss_diffs[#diss_diffs + 1] = summary_of(c) .. "\n      differ: " .. table.concat(problems, "; ")
        end
      end
    end
  end

  it(("%d random packets: pktlua dissects Scapy's bytes to Scapy's layers and fields (seed %d)")
      :format(ncases, seed), function()
    assert.is_true(sok and nfields > 0, "nothing compared")
    if #diss_diffs > 0 then
      error(report(diss_diffs, ("of %d packets dissect differently from Scapy (%d layers, %d fields compared)")
        :format(ncases, nlayers, nfields)), 0)
    end
  end)

  -- c. tshark over pktlua's pcap; IP-first packets get an Ethernet header
  local ts_diffs, ts_bad, nts, nvalues = {}, {}, 0, 0
  local tok, frames = pcall(function()
    local list, idx = {}, {}
    for _, c in ipairs(cases) do
      local p = built[c.index]
      if p then
        if c.first ~= "Ether" then
          p = pkt.Ether{src="02:00:00:00:00:01", dst="02:00:00:00:00:02"} / p
        end
        list[#list + 1] = p
        idx[#idx + 1] = c
      end
    end
    local path = os.tmpname()
    pkt.wrpcap(path, list)
    local fr = run_tshark(path)
    os.remove(path)
    assert(#fr == #list, ("tshark read %d frames of %d"):format(#fr, #list))
    return { frames = fr, cases = idx, pkts = list }
  end)
  if tok then
    for k, c in ipairs(frames.cases) do
      local fr = frames.frames[k]
      local q = pkt.Ether(frames.pkts[k]:bytes())
      local want, partial = expected_tshark(q, c.class == "wrong")
      local problems = {}
      nts = nts + 1
      for field, vals in pairs(want) do
        local got = fr[field] or {}
        local n = (c.class == "wrong" or partial) and math.min(#vals, #got) or math.max(#vals, #got)
        for i = 1, n do
          nvalues = nvalues + 1
          if vals[i] == nil or got[i] == nil or not same_value(vals[i], got[i]) then
            problems[#problems + 1] = ("%s pktlua %s, tshark %s"):format(field,
              show_vals(vals), table.concat(got, "|"))
            break
          end
        end
      end
      table.sort(problems)
      if #problems > 0 then
        ts_diffs[#ts_diffs + 1] = summary_of(c) .. "\n      differ: " .. table.concat(problems, "; ")
      end
      if c.class == "valid" then
        local bad = {}
        if #fr["_ws.malformed"] > 0 then bad[#bad + 1] = "malformed" end
        for _, f in ipairs { "ip", "icmp", "udp", "tcp" } do
          for i, s in ipairs(fr[f .. ".checksum.status"]) do
            if s == "0" then bad[#bad + 1] = ("%s.checksum #%d bad"):format(f, i) end
          end
        end
        for i, sev in ipairs(fr["_ws.expert.severity"]) do
          if tonumber(sev) == 0x00800000 then    -- PI_ERROR
            bad[#bad + 1] = "expert error: " .. tostring(fr["_ws.expert.message"][i])
          end
        end
        if #bad > 0 then
          ts_bad[#ts_bad + 1] = summary_of(c) .. "\n      tshark: " .. table.concat(bad, "; ")
        end
      end
    end
  end

  it(("%d random packets: tshark reads pktlua's addresses, ports, lengths, flags and checksums (seed %d)")
      :format(ncases, seed), function()
    assert.is_true(tok, tostring(frames))
    if #ts_diffs > 0 then error(report(ts_diffs, "packets read differently by tshark"), 0) end
  end)

  it(("%d valid random packets: tshark finds none malformed and no bad checksum (seed %d)")
      :format(counts.valid, seed), function()
    assert.is_true(tok, tostring(frames))
    if #ts_bad > 0 then error(report(ts_bad, "valid packets tshark flags"), 0) end
  end)

  local t = {}
  for k, n in pairs(skipped) do t[#t + 1] = ("%s %d"):format(k, n) end
  table.sort(t)
  io.stderr:write(("\nrandom_diff seed %d: %d cases (%d valid, %d edge, %d wrong); %d byte strings, "
    .. "%d layers / %d fields, %d tshark frames / %d values compared; skipped as design differences: %s;"
    .. " %d s\n")
    :format(seed, ncases, counts.valid, counts.edge, counts.wrong, nbytes, nlayers, nfields, nts, nvalues,
      #t > 0 and table.concat(t, ", ") or "none", os.time() - t0))
end)
