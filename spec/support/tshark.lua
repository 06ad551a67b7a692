-- tshark.lua - tshark as an independent oracle for the specs: reads a
-- capture file field by field, states from pktlua's dissection of the same
-- file what tshark should show, and lists every field where the two differ.
local pkt = require "pkt"

local M = {}

-- The fields compared, in tshark's names.  frame.protocols gives the layer
-- names; icmp.data_time only says where tshark took a ping timestamp.
M.FIELDS = {
  "frame.len", "frame.cap_len", "frame.protocols",
  "eth.dst", "eth.src", "eth.type", "eth.padding",
  "arp.hw.type", "arp.proto.type", "arp.hw.size", "arp.proto.size", "arp.opcode",
  "arp.src.hw_mac", "arp.src.proto_ipv4", "arp.dst.hw_mac", "arp.dst.proto_ipv4",
  "ip.version", "ip.hdr_len", "ip.dsfield", "ip.len", "ip.id", "ip.flags", "ip.frag_offset",
  "ip.ttl", "ip.proto", "ip.checksum", "ip.src", "ip.dst", "ip.opt.type",
  "icmp.type", "icmp.code", "icmp.checksum", "icmp.unused", "icmp.ident", "icmp.seq",
  "icmp.data_time",
  "ipv6.version", "ipv6.plen", "ipv6.nxt", "ipv6.hlim", "ipv6.src", "ipv6.dst",
  "ipv6.fraghdr.offset", "ipv6.fraghdr.ident", "icmpv6.type", "icmpv6.code", "icmpv6.checksum", "icmpv6.opt.type",
  "udp.srcport", "udp.dstport", "udp.length", "udp.checksum",
  "tcp.srcport", "tcp.dstport", "tcp.seq", "tcp.seq_raw", "tcp.ack", "tcp.ack_raw", "tcp.hdr_len",
  "tcp.flags", "tcp.window_size_value", "tcp.checksum", "tcp.urgent_pointer",
  "tcp.option_kind", "tcp.options.mss_val", "tcp.options.wscale.shift", "tcp.options.sack_perm",
  "tcp.options.timestamp.tsval", "tcp.options.timestamp.tsecr",
  "data.data",
}

-- No IP reassembly (a later fragment stays data), raw TCP sequence numbers,
-- and every port's payload as plain data, not guessed at by an
-- application dissector.
local OPTIONS = "-o ip.defragment:FALSE -o ipv6.defragment:FALSE -o tcp.relative_sequence_numbers:FALSE"
  .. " -o tcp.analyze_sequence_numbers:FALSE -o tcp.desegment_tcp_streams:FALSE"
  .. " -d udp.port==1-65535,data -d tcp.port==1-65535,data"

local function hex(s)
  return (s:gsub(".", function(c) return ("%02x"):format(c:byte()) end))
end

local function shquote(s) return "'" .. s:gsub("'", "'\\''") .. "'" end

-- read(path) -> frames: one table per frame, field -> list of values, one
-- per occurrence (a quoted datagram's IP fields come second).  Raises if
-- tshark fails.
function M.read(path)
  local cmd = { "tshark -n -r", shquote(path), OPTIONS,
    "-T fields -E separator=/t -E occurrence=a -E aggregator='|'" }
  for _, f in ipairs(M.FIELDS) do cmd[#cmd + 1] = "-e " .. f end
  local p = assert(io.popen(table.concat(cmd, " ") .. " 2>&1", "r"))
  local out = p:read("a")
  local ok = p:close()
  -- tshark says it runs as root on stderr; anything else is a failure
  out = out:gsub("[^\n]*Running as user[^\n]*\n", "")
  assert(ok, "tshark failed on " .. path .. ": " .. out)
  return M.parse(out, M.FIELDS)
end

-- layers(frame) -> {"Ether", "IP", "ICMP", "IPerror", "UDPerror", "Raw"},
-- opaque: the layer names pktlua should give, from tshark's
-- frame.protocols.  What an ICMP error quotes takes the *error names;
-- trailing Ethernet padding, which tshark lists only as eth.padding, is
-- Padding.  A protocol pktlua has no layer for (an IPv6 hop-by-hop
-- header) and all after it are one Raw, and opaque is true.  An ICMPv6
-- message is named by its type (tshark's icmpv6.type, in order), and the
-- data of an echo is its field, not a layer; the options after a
-- neighbour discovery message, which tshark shows inside it, are layers
-- of their own up to one pktlua has none for, Raw with the rest.
local NAME = { eth = "Ether", arp = "ARP", ip = "IP", icmp = "ICMP", udp = "UDP", tcp = "TCP",
  data = "Raw", ipv6 = "IPv6", ["ipv6.fraghdr"] = "IPv6ExtHdrFragment",
  ["ipv6.hopopts"] = "IPv6ExtHdrHopByHop", ["ipv6.dstopts"] = "IPv6ExtHdrDestOpt",
  ["ipv6.routing"] = "IPv6ExtHdrRouting" }
local QUOTED = { ip = "IPerror", icmp = "ICMPerror", udp = "UDPerror", tcp = "TCPerror",
  ipv6 = "IPv6error" }
local ICMPV6 = { [1] = "ICMPv6DestUnreach", [2] = "ICMPv6PacketTooBig", [3] = "ICMPv6TimeExceeded",
  [4] = "ICMPv6ParamProblem", [128] = "ICMPv6EchoRequest", [129] = "ICMPv6EchoReply",
  [133] = "ICMPv6ND_RS", [134] = "ICMPv6ND_RA", [135] = "ICMPv6ND_NS", [136] = "ICMPv6ND_NA",
  [137] = "ICMPv6ND_Redirect" }
local NDOPT = { [1] = "ICMPv6NDOptSrcLLAddr", [2] = "ICMPv6NDOptDstLLAddr", [3] = "ICMPv6NDOptPrefixInfo",
  [5] = "ICMPv6NDOptMTU", [25] = "ICMPv6NDOptRDNSS" }

function M.layers(frame)
  local t, quoted, v6, skip_data = {}, false, 0, false
  for proto in ((frame["frame.protocols"] or {})[1] or ""):gmatch("[^:]+") do
    if proto == "icmpv6" then
      v6 = v6 + 1
      local ty = tonumber((frame["icmpv6.type"] or {})[v6])
      t[#t + 1] = (ICMPV6[ty] or "ICMPv6Unknown") .. (quoted and "error" or "")
      skip_data = not ICMPV6[ty] or ty == 128 or ty == 129
      if ty and ty < 128 then quoted = true end
      if ty and ty >= 133 and ty <= 137 then
        for _, o in ipairs(frame["icmpv6.opt.type"] or {}) do
          t[#t + 1] = NDOPT[tonumber(o)] or "Raw"
          if not NDOPT[tonumber(o)] then break end
        end
      end
    elseif proto == "data" and skip_data then
      skip_data = false
    elseif proto ~= "ethertype" then
      local name = quoted and QUOTED[proto] or NAME[proto]
      if not name then
        t[#t + 1] = "Raw"
        return t, true
      end
      t[#t + 1] = name
      if proto == "icmp" then quoted = true end
    end
  end
  if #(frame["eth.padding"] or {}) > 0 then t[#t + 1] = "Padding" end
  return t, false
end

-- The tshark field prefix of each pktlua layer.
local PREFIX = { Ether = "eth.", ARP = "arp.", IP = "ip.", IPerror = "ip.", ICMP = "icmp.",
  ICMPerror = "icmp.", UDP = "udp.", UDPerror = "udp.", TCP = "tcp.", TCPerror = "tcp." }

local PRESENT = {}       -- a field tshark shows with no value to compare

local TCP_FLAG = { F = 1, S = 2, R = 4, P = 8, A = 16, U = 32, E = 64, C = 128, N = 256 }
local IP_FLAG = { MF = 1, DF = 2, evil = 4 }
local OPT_KIND = { EOL = 0, NOP = 1, MSS = 2, WScale = 3, SAckOK = 4, SAck = 5, Timestamp = 8 }

-- The kinds of the IPv4 options in bytes (RFC 791 3.1: EOL and NOP are
-- one byte, the others carry their length), to compare with tshark's list.
local function ip_option_kinds(opts)
  local t, i = {}, 1
  while i <= #opts do
    local k = opts:byte(i)
    t[#t + 1] = k
    if k == 0 then break end
    i = i + ((k == 1 or not opts:byte(i + 1) or opts:byte(i + 1) < 2) and 1 or opts:byte(i + 1))
  end
  return t
end

-- pktlua gives flags as names ("MF+DF", "SA"); tshark as a number.
local function flag_bits(s, names, pattern)
  local n = 0
  for f in s:gmatch(pattern) do n = n | assert(names[f], "unknown flag " .. f) end
  return n
end

-- In a frame cut short (frame.cap_len < frame.len) the two designs
-- differ where the capture ends inside a header, and expect() marks what
-- may differ:
-- * soft values, which tshark may leave out (they come last in their
--   field's list): the fields of a header pktlua keeps although the
--   capture ends inside it (a quote, which keeps the fields that fit, or a
--   header whose options are cut): tshark shows no field of a quoted
--   header shorter than it wants, and no IP options, nor the ip.dst it
--   shows after them, when the options are cut; and the Raw bytes after a
--   quote (the part of a field that did not fit);
-- * extra fields, where tshark may show more values than pktlua: the
--   fields that fit of a header pktlua keeps as Raw marked with the
--   protocol it cut (_cut), and the kind and values of a TCP option cut
--   short, which pktlua keeps as one malformed option, left out here.
-- Options are never soft when a quote ends inside a fixed field: there are
-- none then, and tshark shows none (pktlua keeps the bytes of the field
-- the capture cut as options, so the two differ there).
local LAST_FIXED = { IP = "dst", IPerror = "dst", TCP = "urgptr", TCPerror = "urgptr" }

-- expect(p, frame) -> want, soft, extra: what tshark should show for
-- packet p, from pktlua's dissection: want[field] is the list of values,
-- soft[field][k] marks value k soft, extra[field] allows more tshark
-- values (see above).  Values are read through the public API; only
-- whether a field is there at all is read from the layer's field table.
-- frame is consulted for frame.cap_len, for a protocol pktlua has no
-- layer for, and because tshark reads the first 8 bytes of an echo's data
-- as a timestamp (icmp.data_time) when they look like one, so its
-- data.data then starts 8 bytes into pktlua's Raw load.
function M.expect(p, frame)
  local want, soft, extra = {}, {}, {}
  local is_soft = false
  local function add(f, v, sv)
    want[f] = want[f] or {}; soft[f] = soft[f] or {}
    want[f][#want[f] + 1] = v
    if sv == nil then sv = is_soft end
    soft[f][#want[f]] = sv
  end
  local short = tonumber(frame["frame.cap_len"][1]) < tonumber(frame["frame.len"][1])
  local _, opaque = M.layers(frame)
  local times = #(frame["icmp.data_time"] or {})
  local echo, quoted = false, false
  add("frame.len", p.wirelen or #p)
  add("frame.cap_len", #p)
  local n = #p:layers()
  for i = 1, n do
    local l = p[i]
    local name, f = l:name(), l.fields
    local status, cut = l:status()
    quoted = quoted or name:match("error$") ~= nil
    is_soft = short and (quoted or status == "truncated")
    local fixed = not LAST_FIXED[name] or f[LAST_FIXED[name]] ~= nil
    -- tshark's field tf holds pktlua's field fn (through conv), if there
    local function put(tf, fn, conv)
      if f[fn] ~= nil then add(tf, conv and conv(l[fn]) or l[fn]) end
    end
    if name == "Ether" then
      put("eth.dst", "dst"); put("eth.src", "src"); put("eth.type", "type")
    elseif name == "ARP" then
      put("arp.hw.type", "hwtype"); put("arp.proto.type", "ptype")
      put("arp.hw.size", "hwlen"); put("arp.proto.size", "plen"); put("arp.opcode", "op")
      put("arp.src.hw_mac", "hwsrc"); put("arp.src.proto_ipv4", "psrc")
      put("arp.dst.hw_mac", "hwdst"); put("arp.dst.proto_ipv4", "pdst")
    elseif name == "IP" or name == "IPerror" then
      put("ip.version", "version"); put("ip.hdr_len", "ihl", function(v) return v * 4 end)
      put("ip.dsfield", "tos"); put("ip.len", "len"); put("ip.id", "id")
      put("ip.flags", "flags", function(v) return flag_bits(v, IP_FLAG, "%a+") end)
      put("ip.frag_offset", "frag"); put("ip.ttl", "ttl"); put("ip.proto", "proto")
      put("ip.checksum", "chksum"); put("ip.src", "src"); put("ip.dst", "dst")
      local opts = f.options and l.options or ""
      local opts_cut = short and f.ihl and #opts < l.ihl * 4 - 20
      for _, k in ipairs(ip_option_kinds(opts)) do add("ip.opt.type", k, fixed and opts_cut) end
    elseif name == "ICMP" or name == "ICMPerror" then
      put("icmp.type", "type"); put("icmp.code", "code"); put("icmp.checksum", "chksum")
      echo = l.type == 0 or l.type == 8
      -- the 4 bytes after the checksum of an error without an RFC 4884
      -- length or a next-hop MTU, which tshark shows as one unused field
      local last = l.type == 3 and "nexthopmtu" or "unused"
      if (l.type == 3 and l.code ~= 4 or l.type == 11) and f.length == 0 and f[last] then
        add("icmp.unused", ("%02x%02x%04x"):format(l.reserved, l.length, l[last]))
      end
      if echo then put("icmp.ident", "id"); put("icmp.seq", "seq") end
    elseif name == "IPv6" or name == "IPv6error" then
      -- tshark's ip.version is IPv6's version too
      put("ip.version", "version"); put("ipv6.version", "version")
      put("ipv6.plen", "plen"); put("ipv6.nxt", "nh")
      put("ipv6.hlim", "hlim"); put("ipv6.src", "src"); put("ipv6.dst", "dst")
    elseif name == "IPv6ExtHdrFragment" then
      put("ipv6.fraghdr.offset", "offset"); put("ipv6.fraghdr.ident", "id")
    elseif name:match("^ICMPv6NDOpt") then
      put("icmpv6.opt.type", "type")
    elseif name:match("^ICMPv6") then
      put("icmpv6.type", "type"); put("icmpv6.code", "code"); put("icmpv6.checksum", "cksum")
      local body = f.data and l.data or f.msgbody and l.msgbody or ""
      -- multicast listener queries and reports (RFC 2710, 3810): pktlua
      -- keeps their body, tshark reads it field by field
      local mld = name == "ICMPv6Unknown" and (l.type >= 130 and l.type <= 132 or l.type == 143)
      if #body > 0 and not mld then add("data.data", hex(body)) end
    elseif name == "UDP" or name == "UDPerror" then
      put("udp.srcport", "sport"); put("udp.dstport", "dport")
      put("udp.length", "len"); put("udp.checksum", "chksum")
    elseif name == "TCP" or name == "TCPerror" then
      put("tcp.srcport", "sport"); put("tcp.dstport", "dport")
      -- with relative sequence numbers off tcp.seq and tcp.ack are the raw
      -- values too; in a quote tshark leaves out tcp.seq_raw (not ack_raw)
      put("tcp.seq", "seq")
      if name == "TCP" then put("tcp.seq_raw", "seq") end
      put("tcp.ack", "ack"); put("tcp.ack_raw", "ack")
      put("tcp.hdr_len", "dataofs", function(v) return v * 4 end)
      if f.flags then add("tcp.flags", l.reserved << 9 | flag_bits(l.flags, TCP_FLAG, "%a")) end
      put("tcp.window_size_value", "window"); put("tcp.checksum", "chksum")
      put("tcp.urgent_pointer", "urgptr")
      local opts = f.options and l.options or {}
      if short and fixed and i == n and #opts > 0 and opts[#opts].malformed then
        opts[#opts] = nil           -- an option the capture cut short
        for _, tf in ipairs { "tcp.option_kind", "tcp.options.mss_val", "tcp.options.wscale.shift", "tcp.options.sack_perm",
            "tcp.options.timestamp.tsval", "tcp.options.timestamp.tsecr" } do
          extra[tf] = true
        end
      end
      is_soft = is_soft and fixed
      for _, o in ipairs(opts) do
        local kind, v = o[1], o[2]
        add("tcp.option_kind", OPT_KIND[kind] or kind)
        if kind == "MSS" then add("tcp.options.mss_val", v)
        elseif kind == "WScale" then add("tcp.options.wscale.shift", v)
        elseif kind == "SAckOK" then add("tcp.options.sack_perm", PRESENT)
        elseif kind == "Timestamp" then
          add("tcp.options.timestamp.tsval", v[1]); add("tcp.options.timestamp.tsecr", v[2])
        end
      end
    elseif name == "Raw" and i > 1 and p[i - 1]:name():match("^ICMPv6ND") then
      -- neighbour discovery options (RFC 4861 4.6): type, length in 8 bytes
      local o, at = l.load, 1
      while at < #o do
        add("icmpv6.opt.type", o:byte(at))
        if (o:byte(at + 1) or 0) == 0 then break end
        at = at + o:byte(at + 1) * 8
      end
    elseif name == "Raw" and cut then
      for _, tf in ipairs(M.FIELDS) do
        local pre = PREFIX[cut] or cut:match("^ICMPv6") and "icmpv6." or cut:match("^IPv6") and "ipv6."
        if tf:sub(1, #pre) == pre or pre == "ipv6." and tf == "ip.version" then extra[tf] = true end
      end
    elseif name == "Raw" and opaque and i == n then
      -- the bytes of a protocol pktlua has no layer for: tshark has no
      -- data.data for them, but may show some of its fields (IPv6 sets
      -- ip.version), after pktlua's values
      setmetatable(extra, { __index = function() return true end })
    elseif name == "Raw" then
      is_soft = short and quoted
      local load = l.load
      if echo and times > 0 then
        times = times - 1
        load = load:sub(9)
      end
      if #load > 0 then add("data.data", hex(load)) end
    elseif name == "Padding" then
      add("eth.padding", hex(l.load))
    end
  end
  return want, soft, extra
end

local function same(want, got)
  if want == PRESENT then return got ~= "" end
  if type(want) == "number" then return tonumber(got) == want end
  return tostring(want):lower() == got:lower()
end

-- Values for a message: numbers also in hex, long payloads cut short.
local function show(vals)
  local t = {}
  for i, v in ipairs(vals) do
    v = v == PRESENT and "(present)"
      or math.type(v) == "integer" and v > 9 and ("%d (0x%x)"):format(v, v)
      or tostring(v)
    t[i] = #v > 72 and ("%s... (%d hex digits)"):format(v:sub(1, 64), #v) or v
  end
  return #t == 0 and "(none)" or table.concat(t, ", ")
end

-- pktlua's layer names beside tshark's: equal, or in a frame cut short
-- (see expect()) with a header pktlua keeps as Raw named by the protocol
-- it cut, and one list a prefix of the other: tshark may list a protocol
-- none of whose bytes were captured, pktlua may end with the Raw bytes of
-- a field a quote cut.
local function same_layers(p, theirs, short)
  local mine = {}
  for i = 1, #p:layers() do mine[i] = short and select(2, p[i]:status()) or p[i]:name() end
  local a, b = table.concat(mine, " / "), table.concat(theirs, " / ")
  if a == b or not short then return a == b, a end
  for i = 1, math.min(#mine, #theirs) do
    if mine[i] ~= theirs[i] then return false, a end
  end
  for i = #theirs + 1, #mine do
    if mine[i] ~= "Raw" then return false, a end
  end
  return true, a
end

-- Whether tshark's values g match pktlua's w, leaving out trailing soft
-- values, and with more values in g where extra.
local function matches(w, sv, g, extra)
  local n = #w
  while true do
    local ok = (#g == n or extra and #g > n)
    for k = 1, n do ok = ok and same(w[k], g[k]) end
    if ok then return true end
    if n == 0 or not sv[n] then return false end
    n = n - 1
  end
end

-- compare(path [, label]) -> report: reads path with pktlua and tshark
-- and checks every packet's layer names and every field of M.FIELDS.
-- report.packets is pktlua's packets, report.frames tshark's,
-- report.values the number of values compared, report.diffs one line per
-- disagreement naming the packet ("packet N", 1-based as in tshark's
-- frame.number, or label(N)), the field and both sides.
function M.compare(path, label)
  local pkts, frames = pkt.rdpcap(path), M.read(path)
  local r = { packets = pkts, frames = frames, values = 0, diffs = {} }
  local function diff(i, fmt, ...)
    r.diffs[#r.diffs + 1] = ("%s (%s): " .. fmt):format(label and label(i) or "packet " .. i,
      pkts[i] and pkts[i]:summary_names() or "-", ...)
  end
  if #pkts ~= #frames then diff(0, "pktlua reads %d packets, tshark %d frames", #pkts, #frames) end
  for i = 1, math.min(#pkts, #frames) do
    local p, fr = pkts[i], frames[i]
    local theirs = (M.layers(fr))
    local short = tonumber(fr["frame.cap_len"][1]) < tonumber(fr["frame.len"][1])
    local ok, mine = same_layers(p, theirs, short)
    r.values = r.values + 1
    if not ok then diff(i, "layers: pktlua %s, tshark %s", mine, table.concat(theirs, " / ")) end
    local want, soft, extra = M.expect(p, fr)
    for _, f in ipairs(M.FIELDS) do
      if f ~= "frame.protocols" and f ~= "icmp.data_time" then
        local w, g = want[f] or {}, fr[f] or {}
        r.values = r.values + math.max(#w, #g)
        if not matches(w, soft[f] or {}, g, extra[f]) then
          diff(i, "%s: pktlua %s, tshark %s", f, show(w), show(g))
        end
      end
    end
  end
  return r
end

-- Rows of `tshark -T fields -E occurrence=a -E aggregator='|'` output:
-- one table per frame, each field a list of its occurrences.
function M.parse(out, fields)
  local frames = {}
  for line in out:gmatch("([^\n]*)\n") do
    local fr, i = {}, 0
    for col in (line .. "\t"):gmatch("([^\t]*)\t") do
      i = i + 1
      local vals = {}
      if col ~= "" then for v in (col .. "|"):gmatch("([^|]*)|") do vals[#vals + 1] = v end end
      fr[fields[i]] = vals
    end
    frames[#frames + 1] = fr
  end
  return frames
end

return M
