-- Header diagrams, exchange ladders, SVG and colour by layer: the text
-- against golden files checked in by hand, and its structure against
-- oracles computed now: each layer's boxes add up to the header length
-- Scapy reports for the same bytes, a ladder's arrows are tshark's
-- packets in order (source, destination, time), the SVG renders with
-- rsvg-convert, and colour appears on a pty only.
local pkt = require "pkt"
local ladder = require "ladder"
local IP, UDP, TCP, ICMP, Ether = pkt.IP, pkt.UDP, pkt.TCP, pkt.ICMP, pkt.Ether

local GOLDEN = "spec/fixtures/diagram/"
local REAL = "spec/fixtures/real/"
local PY = "/usr/bin/python3"

local function readfile(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("a")
  f:close()
  return s
end

local function writefile(path, s)
  local f = assert(io.open(path, "wb"))
  f:write(s)
  f:close()
end

-- PKTLUA_GOLDEN=write makes the files afresh, to be read before they
-- are committed; otherwise the text must be what was committed.
local function golden(name, text)
  if os.getenv("PKTLUA_GOLDEN") == "write" then writefile(GOLDEN .. name, text) end
  assert.equal(readfile(GOLDEN .. name), text)
end

local function hex(s)
  return (s:gsub(".", function(c) return ("%02x"):format(c:byte()) end))
end

local function sh(cmd)
  local f = assert(io.popen(cmd .. " 2>&1"))
  local out = f:read("a")
  local ok, _, code = f:close()
  return out, ok, code
end

-- A layer declared from Lua, drawn with no code of its own; a port no
-- other spec binds.
local LDiagItem = pkt.layer{ name = "LDiagItem", fields = {
  { "kind", "int", 8 },
  { "value", "int", 16 },
} }
local LDiag = pkt.layer{ name = "LDiag", longname = "Lab diagram", fields = {
  { "version", "int", 4, default = 1 },
  { "op", "int", 4, default = 2, names = { [1] = "ask", [2] = "tell" } },
  { "flags", "flags", 8, names = { "A", "B", "C" } },
  { "len", "int", 16, role = "len", covers = "header+payload" },
  { "src", "ipv4", role = "src" },
  { "mac", "mac" },
  { "n", "int", 8 },
  { "items", "records", of = LDiagItem, count = "n" },
}, bind = { UDP = { dport = 7399 } } }

-- One with the newer kinds: a fixed-size string, a name, a length of one
-- field in the middle, character-strings (several variable parts).
local LDiagName = pkt.layer{ name = "LDiagName", fields = {
  { "tag", "fixed", 6, default = "PKT" },
  { "owner", "dname", default = "lab.example" },
  { "tlen", "int", 8, role = "len", measures = "text" },
  { "text", "bytes" },
  { "notes", "strings" },
}, bind = { UDP = { dport = 7398 } } }

local SCAPY_LDIAG = [[
from scapy.layers.dns import DNSStrField, DNSTextField
class RestText(DNSTextField):
    # character-strings to the end of the layer (DNSTextField reads none
    # without a length_from)
    def getfield(self, pkt, s):
        return b"", self.m2i(pkt, s)
class LDiagName(Packet):
    fields_desc = [StrFixedLenField("tag", b"PKT", 6), DNSStrField("owner", "lab.example"),
                   FieldLenField("tlen", None, length_of="text", fmt="B"),
                   StrLenField("text", "", length_from=lambda p: p.tlen), RestText("notes", [])]
bind_layers(UDP, LDiagName, dport=7398)
class LDiagItem(Packet):
    fields_desc = [ByteField("kind", 0), ShortField("value", 0)]
    def extract_padding(self, s):
        return b"", s
class LDiag(Packet):
    fields_desc = [BitField("version", 1, 4), BitField("op", 2, 4), FlagsField("flags", 0, 8, "ABC"),
                   ShortField("len", None), IPField("src", "0.0.0.0"), MACField("mac", "00:00:00:00:00:00"),
                   FieldLenField("n", None, count_of="items", fmt="B"),
                   PacketListField("items", [], LDiagItem, count_from=lambda p: p.n)]
bind_layers(UDP, LDiag, dport=7399)
]]

local E = Ether{ src = "02:00:00:00:00:01", dst = "02:00:00:00:00:02" }
local A = { src = "198.51.100.1", dst = "198.51.100.2", id = 7 }
local function ip(t)
  local f = { src = A.src, dst = A.dst, id = A.id }
  for k, v in pairs(t or {}) do f[k] = v end
  return IP(f)
end

local function frame(file, i) return pkt.rdpcap(REAL .. file)[i] end

-- { golden file, packet maker, Scapy's class for its first layer }: each
-- built-in protocol at least once, and the Lua-declared one.
local cases = {
  { "ether_ip_icmp", function() return E / ip() / ICMP{ id = 0x1234, seq = 1 } / "ping" end, "Ether" },
  { "dot1q_udp", function() return E / pkt.Dot1Q{ vlan = 42, prio = 5 } / ip() / UDP{ sport = 5000, dport = 53 } / "q" end, "Ether" },
  { "arp", function()
    return E / pkt.ARP{ op = "is-at", hwsrc = "02:00:00:00:00:01", psrc = "198.51.100.1",
      hwdst = "02:00:00:00:00:02", pdst = "198.51.100.2" }
  end, "Ether" },
  { "tcp_options", function()
    return ip{ options = "\148\4\0\0" } / TCP{ sport = 40000, dport = 80, seq = 1000, flags = "S",
      options = { { "MSS", 1460 }, { "NOP" }, { "WScale", 7 } } }
  end, "IP" },
  { "unreach_udp", function()
    return ip() / ICMP{ type = "dest-unreach", code = "port-unreachable" }
      / pkt.IPerror{ src = "198.51.100.2", dst = "198.51.100.1" } / pkt.UDPerror{ sport = 5000, dport = 53 }
  end, "IP" },
  { "frag_needed_tcp", function()
    return ip() / ICMP{ type = 3, code = 4, nexthopmtu = 1400 }
      / pkt.IPerror{ src = "198.51.100.2", dst = "198.51.100.1", flags = "DF" } / pkt.TCPerror{ sport = 80, dport = 4000 }
  end, "IP" },
  { "time_exceeded", function() return frame("time_exceeded.pcap", 4) end, "Ether" },
  { "padding", function() return Ether((E / ip() / ICMP{}):bytes() .. ("\0"):rep(18)) end, "Ether" },
  { "cooked", function() return pkt.CookedLinux{} / ip() / UDP{ sport = 1, dport = 2 } end, "CookedLinux" },
  { "cooked2", function() return pkt.CookedLinuxV2{} / ip() / UDP{ sport = 1, dport = 2 } end, "CookedLinuxV2" },
  { "dot3_llc", function()
    return pkt.Dot3{ src = "02:00:00:00:00:01", dst = "02:00:00:00:00:02" } / pkt.LLC{} / "data"
  end, "Dot3" },
  { "dns_query", function()
    return ip() / UDP{ sport = 33000 } / pkt.DNS{ id = 0x1234, rd = 1, qd = { { qname = "www.example.com" } } }
  end, "IP" },
  { "dns_answer_tcp", function()
    return ip() / TCP{ sport = 53, dport = 33000, flags = "PA" } / pkt.DNS{ id = 0x1234, qr = 1, rd = 1, ra = 1,
      qd = { { qname = "www.example.com" } },
      an = { { rrname = "www.example.com", rdata = "203.0.113.5", ttl = 300 },
        { rrname = "www.example.com", rdata = "203.0.113.6", ttl = 300 } } }
  end, "IP" },
  { "long_payload", function() return ip() / UDP{ sport = 7, dport = 9 } / ("abcdefgh"):rep(40) end, "IP" },
  { "luadecl_names", function()
    return ip() / UDP{ sport = 1234, dport = 7398 }
      / LDiagName{ owner = "www.example.com", text = "hello", notes = { "one", "two" } }
  end, "IP" },
  { "luadecl", function()
    return ip() / UDP{ sport = 1234, dport = 7399 }
      / LDiag{ flags = 5, src = "198.51.100.9", mac = "02:00:00:00:00:09",
        items = { { kind = 1, value = 300 }, { kind = 2, value = 7 } } }
  end, "IP" },
}

-- Scapy's header length of each layer of the same bytes: a layer's
-- length less its payload's.
local function scapy_lengths()
  local py = { "import sys\nfrom scapy.all import *\n" }
  py[#py + 1] = SCAPY_LDIAG
  py[#py + 1] = "for line in sys.stdin:\n    cls, h = line.split()\n"
    .. "    p = globals()[cls](bytes.fromhex(h))\n    out = []\n    while p is not None and not isinstance(p, NoPayload):\n"
    .. "        out.append(str(len(raw(p)) - len(raw(p.payload))))\n        p = p.payload\n"
    .. "    print(' '.join(out))\n"
  local script = os.tmpname()
  writefile(script, table.concat(py))
  local input = os.tmpname()
  local t = {}
  for i, c in ipairs(cases) do t[i] = c[3] .. " " .. hex(c[2]():bytes()) end
  writefile(input, table.concat(t, "\n") .. "\n")
  local out, ok = sh(PY .. " " .. script .. " < " .. input)
  os.remove(script)
  os.remove(input)
  assert(ok, out)
  local res = {}
  for line in out:gmatch("[^\n]+") do
    if line:find("^[%d ]+$") then
      local l = {}
      for n in line:gmatch("%d+") do l[#l + 1] = tonumber(n) end
      res[#res + 1] = l
    end
  end
  return res
end

-- Reads a text diagram back: each layer's heading (its bytes) and the
-- bits of its boxes as drawn, a box being the cells the edges enclose
-- (a field across rows is one box); a variable part counts the length
-- its label gives.
local function read_diagram(text)
  local lines = {}
  for line in text:gmatch("([^\n]*)\n") do lines[#lines + 1] = line end
  local layers, i = {}, 1
  while i <= #lines do
    local bytes = lines[i]:match("^%S.- %((%d+) bytes?%)$") or lines[i]:match("^%S.- %((%d+) bytes?%): ")
    if bytes then
      local grid, j = {}, i + 3
      while lines[j] and lines[j]:find("^[%+|~]") do grid[#grid + 1] = lines[j]; j = j + 1 end
      local rows = (#grid - 1) // 3
      local owner, boxes = {}, {}
      for r = 1, rows do
        owner[r] = {}
        local t1, t2, above = grid[3 * r - 1], grid[3 * r], grid[3 * r - 2]
        local edges = {}
        for c = 0, 32 do
          local ch = t1:sub(2 * c + 1, 2 * c + 1)
          if ch == "|" or ch == "~" then edges[#edges + 1] = c end
        end
        for k = 1, #edges - 1 do
          local c0, c1 = edges[k], edges[k + 1] - 1
          -- the same box as the row above when no line parts them
          local box
          for c = c0, c1 do
            if not box and r > 1 and above:sub(2 * c + 2, 2 * c + 2) == " " then box = owner[r - 1][c] end
          end
          if not box then
            box = { cells = 0, text = "" }
            boxes[#boxes + 1] = box
          end
          for c = c0, c1 do owner[r][c] = box end
          box.cells = box.cells + (c1 - c0 + 1)
          box.text = box.text .. t1:sub(2 * c0 + 2, 2 * c1 + 2) .. " " .. t2:sub(2 * c0 + 2, 2 * c1 + 2)
        end
      end
      local bits = 0
      for _, b in ipairs(boxes) do
        local n = b.text:match("%((%d+) bytes?%)")
        bits = bits + (n and 8 * tonumber(n) or b.cells)
      end
      layers[#layers + 1] = { bytes = tonumber(bytes), bits = bits, boxes = #boxes }
      i = j
    else
      i = i + 1
    end
  end
  return layers
end

describe("p:diagram()", function()
  it("draws each built-in layer and a Lua-declared one as the golden text", function()
    for _, c in ipairs(cases) do
      golden(c[1] .. ".txt", c[2]():diagram{ dump = true })
    end
  end)

  it("gives each layer boxes that add up to the header length Scapy reports", function()
    local scapy = scapy_lengths()
    assert.equal(#cases, #scapy)
    for i, c in ipairs(cases) do
      local p = c[2]()
      local drawn = read_diagram(p:diagram{ dump = true })
      local want = scapy[i]
      assert.equal(#want, #drawn, c[1] .. ": layers")
      for k, l in ipairs(drawn) do
        assert.equal(want[k], l.bytes, ("%s layer %d: bytes in the heading"):format(c[1], k))
        assert.equal(want[k] * 8, l.bits, ("%s layer %d: bits in the boxes"):format(c[1], k))
      end
    end
  end)

  it("draws every packet of the recorded captures with boxes filling each header", function()
    for _, file in ipairs({ "lab-traffic.pcap", "tcp.pcap", "ip_options.pcap", "fragments.pcap",
      "unreachable.pcap", "time_exceeded_nc.pcap" }) do
      for i, p in ipairs(pkt.rdpcap(REAL .. file)) do
        local drawn = read_diagram(p:diagram{ dump = true })
        local total = 0
        for k, l in ipairs(drawn) do
          assert.equal(l.bytes * 8, l.bits, ("%s #%d layer %d"):format(file, i, k))
          total = total + l.bytes
        end
        assert.equal(#p, total, ("%s #%d"):format(file, i))
      end
    end
  end)

  it("draws a header of a layer with a field that only fits in part", function()
    local s = (ip() / TCP{ reserved = 5 }):diagram{ dump = true }
    assert.truthy(s:find("|rese.|", 1, true))
    assert.truthy(s:find("\n  reserved = 5\n", 1, true))
  end)

  it("draws a layer of a packet as it is on the wire in that packet", function()
    local p = ip() / UDP{ sport = 5000, dport = 53 } / "hi"
    local want = ("%x"):format(p:built()[UDP].chksum)
    local s = p[UDP]:diagram{ dump = true }
    assert.truthy(s:find("^UDP %(8 bytes%)"))
    assert.truthy(s:find("|%s+0x" .. want .. "%s+|"), s)
  end)

  it("writes bytes that are not text in a value as escapes, on one line", function()
    local s = (ip() / UDP{ sport = 1, dport = 2 } / "a\nb\255\0"):diagram{ dump = true }
    assert.truthy(s:find("|%s+'a\\nb\\xff\\x00'%s+|"), s)
    for _, l in ipairs(read_diagram(s)) do assert.equal(l.bytes * 8, l.bits) end
    local l = pkt.PacketList({ ip() / UDP{ sport = 1, dport = 2 } / "\255" })
    assert.truthy(utf8.len(l:flow{ dump = true }))
  end)

  it("says in the heading when a header was cut short", function()
    local b = (E / ip() / TCP{}):bytes()
    local s = Ether(b:sub(1, 30)):diagram{ dump = true }
    assert.truthy(s:find("\nRaw (16 bytes): a truncated IP header\n", 1, true), s)
  end)

  it("uses box drawing when asked, with the same boxes", function()
    local p = E / ip() / UDP{}
    local plain = p:diagram{ dump = true }
    local boxes = p:diagram{ dump = true, boxes = true }
    assert.falsy(plain:find("\226", 1, true))
    assert.truthy(boxes:find("┌", 1, true) and boxes:find("┼", 1, true))
    for _, c in ipairs({ "┌", "┐", "└", "┘", "├", "┤", "┬", "┴", "┼", "─", "│" }) do
      boxes = boxes:gsub(c, "")
    end
    assert.equal((plain:gsub("[%+%-|]", "")), boxes)
  end)

  it("says what is wrong with its options", function()
    local p = ip()
    assert.has_error(function() p:diagram("x.svg") end,
      'diagram takes an option table, e.g. diagram{svg="x.svg"}, got string')
    local ok, err = pcall(p.diagram, p, { sgv = "x" })
    assert.falsy(ok)
    assert.truthy(err:find("unknown option 'sgv'; the options are: boxes, color, dump, svg", 1, true))
    assert.has_error(function() p:diagram{ svg = 1 } end, "diagram: svg= takes a file name, got number")
    ok, err = pcall(p.diagram, p, { svg = "/nonexistent/dir/x.svg" })
    assert.falsy(ok)
    assert.truthy(err:find("cannot write the SVG file", 1, true))
  end)
end)


describe("pkts:flow()", function()
  local files = { "lab-traffic.pcap", "tcp.pcap", "arp.pcap", "ping.pcap", "unreachable.pcap",
    "time_exceeded.pcap", "tcp_reset.pcap" }

  it("draws a recorded capture as the golden ladder", function()
    golden("flow_lab.txt", pkt.rdpcap(REAL .. "lab-traffic.pcap"):flow{ dump = true })
    golden("flow_arp_ping.txt", pkt.rdpcap(REAL .. "arp.pcap"):flow{ dump = true })
  end)

  it("folds a long exchange to the width and height it is given", function()
    local text = pkt.rdpcap(REAL .. "lab-traffic.pcap"):flow{ dump = true, width = 72, height = 10 }
    golden("flow_folded.txt", text)
    local n = 0
    for line in text:gmatch("[^\n]+") do
      assert.is_true(utf8.len(line) <= 72, line)
      n = n + 1
    end
    assert.equal(10, n)
    assert.truthy(text:find("... 23 more ...", 1, true))
  end)

  it("has one arrow a packet, from and to the hosts tshark reads, in time order", function()
    for _, file in ipairs(files) do
      ladder.check(REAL .. file, pkt.rdpcap(REAL .. file):flow{ dump = true })
    end
  end)

  it("draws an sr result's pairs and a list of built packets", function()
    local q = ip() / ICMP{}
    local r = IP{ src = A.dst, dst = A.src } / ICMP{ type = "echo-reply" }
    local f = ladder.read(pkt.PacketList({ { q, r } }):flow{ dump = true })
    assert.same({ A.src, A.dst }, f.hosts)
    local text = pkt.PacketList({ q, r }):flow{ dump = true }
    assert.truthy(text:find("|%-+>|%s+ICMP echo%-request 0"), text)
    assert.truthy(text:find("|<%-+|%s+ICMP echo%-reply 0"), text)
  end)

  it("says what is wrong with its options", function()
    local l = pkt.PacketList({ ip() })
    assert.has_error(function() l:flow{ width = 0 } end,
      "flow: width= takes a whole number of characters, got 0")
    assert.has_error(function() l:flow(3) end,
      'flow takes an option table, e.g. flow{svg="x.svg"}, got number')
  end)
end)

-- PNG size from its header, and whether any pixel differs from the
-- first, read with Python's zlib (no imaging library needed).
local PNG_CHECK = [[
import sys, struct, zlib
d = open(sys.argv[1], "rb").read()
assert d[:8] == b"\x89PNG\r\n\x1a\n"
w, h, depth, ctype = struct.unpack(">IIBB", d[16:26])
pos, idat = 8, b""
while pos < len(d):
    n, = struct.unpack(">I", d[pos:pos+4]); kind = d[pos+4:pos+8]
    if kind == b"IDAT": idat += d[pos+8:pos+8+n]
    pos += 12 + n
raw = zlib.decompress(idat)
bpp = {2: 3, 6: 4, 0: 1, 4: 2}[ctype] * depth // 8
stride = w * bpp + 1
prev = bytearray(stride - 1); colours = set()
for y in range(h):
    f = raw[y*stride]; line = bytearray(raw[y*stride+1:(y+1)*stride])
    for i in range(len(line)):
        a = line[i-bpp] if i >= bpp else 0; b = prev[i]; c = prev[i-bpp] if i >= bpp else 0
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c; pa, pb, pc = abs(p-a), abs(p-b), abs(p-c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    for x in range(0, len(line), bpp * 7): colours.add(bytes(line[x:x+bpp]))
    prev = line
print(w, h, len(colours))
]]

-- Scratch directories, removed when the file's tests end.
local scratches = {}
local function scratch(fill)
  local dir = os.tmpname()
  os.remove(dir)
  assert(os.execute("mkdir -p " .. dir))
  scratches[#scratches + 1] = dir
  if fill then fill(dir) end
  return dir
end
teardown(function()
  for _, d in ipairs(scratches) do os.execute("rm -rf " .. d) end
end)

describe("SVG", function()
  local dir
  setup(function()
    dir = scratch(function(d) writefile(d .. "/png.py", PNG_CHECK) end)
  end)

  -- converts with rsvg-convert; returns the SVG's declared size and the
  -- PNG's size and count of distinct colours sampled
  local function render(svg)
    local text = readfile(svg)
    local w, h = text:match('<svg [^>]*width="(%d+)" height="(%d+)"')
    local out, ok = sh("rsvg-convert -o " .. dir .. "/x.png " .. svg)
    assert(ok, out)
    local res = sh(PY .. " " .. dir .. "/png.py " .. dir .. "/x.png")
    local pw, ph, colours = res:match("(%d+) (%d+) (%d+)")
    assert(pw, res)
    return tonumber(w), tonumber(h), tonumber(pw), tonumber(ph), tonumber(colours)
  end

  it("writes a diagram that parses as XML and renders to a picture of its size", function()
    local path = dir .. "/ip.svg"
    local p = E / ip{ options = "\1\1\1\1" } / TCP{ options = { { "MSS", 1460 } } } / ("x"):rep(200)
    assert.equal(path, p:diagram{ svg = path })
    local out, ok = sh(PY .. " -c 'import sys, xml.dom.minidom as m; m.parse(sys.argv[1])' " .. path)
    assert(ok, out)
    assert.falsy(readfile(path):find("<script", 1, true) or readfile(path):find("href", 1, true))
    local w, h, pw, ph, colours = render(path)
    assert.equal(w, pw)
    assert.equal(h, ph)
    assert.is_true(h > 4 * 36 * 4, "four layers of rows")
    assert.is_true(colours >= 4, "more than a blank page: " .. colours)
  end)

  it("writes a ladder with a lane a host and a row a packet", function()
    local path = dir .. "/flow.svg"
    local l = pkt.rdpcap(REAL .. "tcp.pcap")
    l:flow{ svg = path }
    local text = readfile(path)
    local out, ok = sh(PY .. " -c 'import sys, xml.dom.minidom as m; m.parse(sys.argv[1])' " .. path)
    assert(ok, out)
    local arrows = select(2, text:gsub('marker%-end="url%(#head%)"', ""))
    assert.equal(#l, arrows)
    local w, h, pw, ph, colours = render(path)
    assert.equal(w, pw)
    assert.equal(h, ph)
    assert.is_true(colours >= 3, "more than a blank page: " .. colours)
  end)
end)

describe("colour by layer", function()
  local home
  setup(function() home = scratch() end)

  local SCRIPT = "local p = Ether{src='02:00:00:00:00:01', dst='02:00:00:00:00:02'}"
    .. " / IP{src='198.51.100.1', dst='198.51.100.2', id=7} / ICMP{id=1, seq=1} / 'hi'"
    .. " p:hexdump() p:show() p[ICMP]:diagram() rdpcap('spec/fixtures/real/arp.pcap'):flow()"

  -- the program on a pty, as a student at a terminal runs it
  local function on_pty(env)
    local cmd = ("env %s %s spec/support/pty_drive.py %s %s -e %q </dev/null"):format(env, PY, home,
      os.getenv("PKTLUA"), SCRIPT)
    return (sh(cmd):gsub("\n%[exit 0%]\n$", ""))
  end

  it("colours hexdump's bytes, show's headings, a diagram's edges and a ladder's arrows on a terminal", function()
    local out = on_pty("-u NO_COLOR -u COLUMNS -u LINES")
    golden("colour_pty.txt", out)
    assert.truthy(out:find("\27[32m┌───────────────┬", 1, true))
    assert.truthy(out:find("\27[36m         │─────────────────▶│", 1, true))
    assert.truthy(out:find("\27[36mEther\27[0m \27[33mIP\27[0m \27[32mICMP\27[0m \27[35mRaw\27[0m", 1, true))
    assert.truthy(out:find("\27[1;33m###[ IP ]### \27[0m", 1, true))
  end)

  it("leaves the terminal plain ASCII when NO_COLOR is set, as pipes always are", function()
    local out = on_pty("NO_COLOR=1 COLUMNS=200 LINES=50")
    assert.falsy(out:find("\27", 1, true))
    local piped = sh(("env -u NO_COLOR %s -e %q"):format(os.getenv("PKTLUA"), SCRIPT))
    assert.falsy(piped:find("\27", 1, true))
    assert.equal(piped, out)
    local p = pkt.Ether(pkt.Ether{}:bytes())
    assert.falsy(p:show(true):find("\27", 1, true))
    assert.falsy(p:hexdump(true):find("\27", 1, true))
  end)
end)
