-- Layers declared from Lua (pkt.layer): a protocol with a length, a
-- checksum and a list of records, checked against the same protocol
-- declared in Scapy at test time (Packet, fields_desc, PacketListField
-- with count_from, bind_layers), both ways; bad declarations; printing.
local pkt = require "pkt"
local IP, UDP = pkt.IP, pkt.UDP

local LItem = pkt.layer{ name = "LItem", fields = {
  { "a", "int", 8 },
  { "b", "int", 16, default = 2 },
} }
-- A declared layer stays bound for the life of the process, and the
-- other specs run in it: the port is one no other spec sends to.
local LFoo = pkt.layer{ name = "LFoo", longname = "Lab Foo", fields = {
  { "type", "int", 8, default = 1, names = { [1] = "hello", [2] = "bye" } },
  { "flags", "flags", 8, names = { "A", "B" } },
  { "len", "int", 16, role = "len", covers = "header+payload" },
  { "chksum", "int", 16, role = "chksum", covers = "header+payload", hex = true },
  { "src", "ipv4", role = "src" },
  { "mac", "mac" },
  { "n", "int", 8 },
  { "items", "records", of = LItem, count = "n" },
}, bind = { UDP = { dport = 7321 } }, summary = "LFoo %type% n=%n%" }

-- The same protocols in Scapy: the length and checksum are filled by
-- post_build over the header and what follows, as pktlua's roles do.
local PY_COMMON = [[
import sys, struct, logging
logging.getLogger('scapy').setLevel(logging.ERROR)
from scapy.all import *
class Record(Packet):
    def extract_padding(self, s):
        return b"", s
class LenSum(Packet):
    # bytes 2-3 the length of the header and payload, 4-5 their checksum
    def post_build(self, p, pay):
        p += pay
        if self.len is None:
            p = p[:2] + struct.pack("!H", len(p)) + p[4:]
        if self.chksum is None:
            p = p[:4] + struct.pack("!H", checksum(p)) + p[6:]
        return p
]]
local SCAPY_DECL = PY_COMMON .. [[
class LItem(Record):
    name = "LItem"
    fields_desc = [ByteField("a", 0), ShortField("b", 2)]
class LFoo(LenSum):
    name = "Lab Foo"
    fields_desc = [ByteEnumField("type", 1, {1: "hello", 2: "bye"}),
                   FlagsField("flags", 0, 8, "AB"),
                   ShortField("len", None), XShortField("chksum", None),
                   IPField("src", "0.0.0.0"), MACField("mac", "00:00:00:00:00:00"),
                   FieldLenField("n", None, count_of="items", fmt="B"),
                   PacketListField("items", [], LItem, count_from=lambda p: p.n)]
bind_layers(UDP, LFoo, dport=7321)
def fields(q):
    f = q[LFoo]
    items = ";".join("%d/%d" % (i.a, i.b) for i in f.items)
    rest = bytes(f.payload).hex()
    return "%d %d %d %d %s %s %d %s %s" % (f.type, int(f.flags), f.len, f.chksum, f.src,
                                           f.mac, f.n, items or "-", rest or "-")
]]

local function scapy(lines)
  local path = H.tmpfile(SCAPY_DECL .. table.concat(lines, "\n") .. "\n")
  local out, status = H.run(H.python .. " " .. path .. " 2>&1")
  os.remove(path)
  assert(status == 0, "python3-scapy failed: " .. out)
  local t = {}
  for line in out:gmatch("[^\n]+") do t[#t + 1] = line end
  return t
end

-- The same fields from pktlua's dissection, in the form fields() prints.
local function fields(q)
  local f = q[LFoo]
  local items = {}
  for i, it in ipairs(f.items) do items[i] = ("%d/%d"):format(it.a, it.b) end
  local rest = f.payload and H.hex(f.payload:bytes()) or ""
  local flags = ({ [""] = 0, A = 1, B = 2, AB = 3 })[f.flags]
  return ("%d %d %d %d %s %s %d %s %s"):format(f.type, flags, f.len, f.chksum, f.src, f.mac, f.n,
    #items > 0 and table.concat(items, ";") or "-", rest ~= "" and rest or "-")
end

local function layer_names(p)
  local names = {}
  for j, l in ipairs(p:layers()) do names[j] = l.name end
  return table.concat(names, ",")
end

local IPH = 'src="198.51.100.1", dst="198.51.100.2"'
local cases = {
  { 'LFoo{flags="B", src="203.0.113.7", mac="02:00:00:00:00:09", items={{a=1, b=2}, {a=3}}}/"hi"',
    'LFoo(flags="B", src="203.0.113.7", mac="02:00:00:00:00:09", items=[LItem(a=1, b=2), LItem(a=3)])/"hi"' },
  { 'LFoo{type="bye"}', 'LFoo(type="bye")' },
  { 'LFoo{flags="AB", items={{a=255, b=65535}, {a=0, b=0}, {a=7, b=7}}}',
    'LFoo(flags="AB", items=[LItem(a=255, b=65535), LItem(a=0, b=0), LItem(a=7, b=7)])' },
  -- a count that says less than the list holds: the rest is payload
  { 'LFoo{n=1, items={{a=1}, {a=2}}}/"tail"', 'LFoo(n=1, items=[LItem(a=1), LItem(a=2)])/"tail"' },
  { 'LFoo{len=99, chksum=0xbeef, items={{a=9}}}', 'LFoo(len=99, chksum=0xbeef, items=[LItem(a=9)])' },
}

describe("a layer declared from Lua", function()
  local env = setmetatable({ LFoo = LFoo, LItem = LItem, IP = IP, UDP = UDP }, { __index = _G })
  local function build(expr)
    return assert(load(("return IP{%s}/UDP{sport=5000, dport=7321}/%s"):format(IPH, expr),
      "=case", "t", env))()
  end
  local lines = {}
  for i, c in ipairs(cases) do
    local p = build(c[1])
    lines[#lines + 1] = ('p = IP(%s)/UDP(sport=5000, dport=7321)/%s'):format(IPH, c[2])
    lines[#lines + 1] = 'print(raw(p).hex()); print(fields(IP(raw(p))))'
    lines[#lines + 1] = ('print(fields(IP(bytes.fromhex("%s"))))'):format(H.hex(p:bytes()))
  end
  local ok, out = pcall(scapy, lines)

  it("runs Scapy's declaration of the same protocol", function()
    assert.is_true(ok, tostring(out))
    assert.equal(3 * #cases, #out)
  end)

  for i, c in ipairs(cases) do
    it(("builds %s byte for byte as Scapy, and each dissects the other's bytes alike"):format(c[1]), function()
      assert(ok, tostring(out))
      local want_hex, want_fields, scapy_reads_ours = out[3 * i - 2], out[3 * i - 1], out[3 * i]
      local p = build(c[1])
      assert.equal(want_hex, H.hex(p:bytes()))
      -- pktlua reads Scapy's bytes as Scapy does, and Scapy reads pktlua's
      local q = IP(H.unhex(want_hex))
      assert.equal(want_fields, fields(q))
      assert.equal(want_fields, scapy_reads_ours)
      -- and its bytes come back unchanged
      assert.equal(want_hex, H.hex(q:bytes()))
    end)
  end

  it("dissects as its layers, under the port it binds to", function()
    local q = IP(build('LFoo{items={{a=1}}}/"x"'):bytes())
    assert.equal("IP,UDP,LFoo,Raw", layer_names(q))
    assert.is_true(q:haslayer(LFoo))
    assert.equal(1, q[LFoo].n)
    -- another port: not this protocol
    local r = (IP{ src = "198.51.100.1", dst = "198.51.100.2" }
      / UDP{ sport = 5000, dport = 7322 } / LFoo{}):bytes()
    assert.is_false(IP(r):haslayer(LFoo))
  end)

  it("fills the port it binds to when UDP's is left unset, as Scapy's bind_layers does", function()
    local p = IP{ src = "198.51.100.1", dst = "198.51.100.2" } / UDP{} / LFoo{}
    assert.equal(7321, p[UDP].dport)
    assert.equal(53, p[UDP].sport)
    local want = scapy{ 'print(raw(IP(src="198.51.100.1", dst="198.51.100.2")/UDP()/LFoo()).hex())' }
    assert.equal(want[1], H.hex(p:bytes()))
    -- a default that the stack does not decide stays as it was
    assert.equal(8, (IP{} / pkt.ICMP{} / pkt.IPerror{}).type)
  end)

  it("fills its length, checksum and count again after an edit", function()
    local q = IP(build('LFoo{items={{a=1}}}'):bytes())
    q[LFoo].items = { { a = 1 }, { a = 2, b = 3 } }
    local r = IP(q:bytes())
    assert.equal(2, r[LFoo].n)
    assert.equal(6 + 4 + 6 + 1 + 6, r[LFoo].len)
    assert.equal(2, r[LFoo].items[2].a)
    assert.equal(3, r[LFoo].items[2].b)
    -- the checksum over the header and payload comes out 0 when checked
    local foo = r[LFoo]:bytes()
    assert.equal(0, pkt.checksum(foo))
  end)

  it("sums the pseudo-header of the IP layer below when its checksum says so, as Scapy's in4_chksum", function()
    local LSeg = pkt.layer{ name = "LSeg", fields = {
      { "sport", "int", 16 }, { "dport", "int", 16 },
      { "len", "int", 16, role = "len" },
      { "chksum", "int", 16, role = "chksum", pseudo_header = true },
    } }
    -- left unbound: a declared layer stays for the life of the process,
    -- and the other specs' IP payloads of protocol 253 must stay Raw
    local p = IP{ src = "198.51.100.1", dst = "203.0.113.9", proto = 253 } / LSeg{ sport = 1, dport = 2 } / "pseudo"
    local b = p:bytes()
    local seg = LSeg(b:sub(21))
    assert.equal(14, seg.len)
    local out, status = H.run(H.python .. " -c " .. H.shquote(([[
import logging
logging.getLogger('scapy').setLevel(logging.ERROR)
from scapy.all import *
ip = IP(bytes.fromhex("%s"))
seg = bytes(ip.payload)
print(in4_chksum(253, ip, seg[:6] + b"\0\0" + seg[8:]))]]):format(H.hex(b))) .. " 2>&1")
    assert.equal(0, status, out)
    assert.equal(tonumber(out), seg.chksum)
  end)

  it("takes records as packets of their layer too, as Scapy's items=[Item(...)]", function()
    local a = LFoo{ items = { { a = 1 }, LItem{ a = 2, b = 9 } } }
    local b = LFoo{ items = { { a = 1 }, { a = 2, b = 9 } } }
    assert.equal(H.hex(b:bytes()), H.hex(a:bytes()))
  end)

  it("binds by bind class as well, and holds records of a built-in layer or nested records", function()
    local Pair = pkt.layer{ name = "LPair", fields = {
      { "tag", "int", 8 }, { "k", "int", 8 }, { "ports", "records", of = pkt.UDP, count = "k" },
    } }
    local Outer = pkt.layer{ name = "LOuter", fields = {
      { "m", "int", 8 }, { "pairs", "records", of = Pair, count = "m" },
    }, bind = { { "udp.port", 7323 } } }
    local p = IP{ src = "198.51.100.1", dst = "198.51.100.2" } / UDP{ sport = 5000, dport = 7323 }
      / Outer{ pairs = { { tag = 1, ports = { { sport = 10, dport = 11 } } },
                         { tag = 2, ports = { { sport = 12 }, { sport = 13, dport = 14 } } } } } / "end"
    local q = IP(p:bytes())
    assert.equal("IP,UDP,LOuter,Raw", layer_names(q))
    local o = q[Outer]
    assert.equal(2, o.m)
    assert.equal(1, o.pairs[1].k)
    assert.equal(11, o.pairs[1].ports[1].dport)
    assert.equal(2, o.pairs[2].k)
    assert.equal(13, o.pairs[2].ports[2].sport)
    assert.equal(8, o.pairs[2].ports[2].len)
    assert.equal("end", q[pkt.Raw].load)
    -- a record list with no count fills the header: the rest is records
    local R = pkt.layer{ name = "LRest", fields = { { "x", "int", 8 }, { "rest", "records", of = LItem } } }
    local r = R(R{ x = 1, rest = { { a = 1 }, { a = 2 } } }:bytes() .. "\0")
    assert.equal(2, #r.rest)
    assert.equal("LRest,Raw", layer_names(r))
  end)

  it("reads unset computed fields as nil until built, as Scapy's None", function()
    local p = LFoo{ items = { { a = 1 } } }
    assert.is_nil(p.len)
    assert.is_nil(p.chksum)
    assert.is_nil(p.n)
    assert.equal(1, LFoo(p:bytes()).n)
  end)

  it("keeps a record list cut short as far as whole records go", function()
    local b = build('LFoo{items={{a=1}, {a=2}}}'):bytes()
    local q = IP(b:sub(1, #b - 2))
    assert.equal(1, #q[LFoo].items)
    assert.equal(2, q[LFoo].n)
  end)

  it("shows, lists and summarises like a built-in", function()
    local p = build('LFoo{type=2, items={{a=5}}}')
    local s = p:show2(true)
    assert.truthy(s:find("###[ Lab Foo ]###", 1, true))
    assert.truthy(s:find("type      = bye", 1, true))
    assert.truthy(s:find("\\items     \\", 1, true))
    assert.truthy(s:find("|###[ LItem ]###", 1, true))
    assert.truthy(s:find("|  a         = 5", 1, true))
    assert.truthy(s:find("|  b         = 2", 1, true))
    assert.truthy(s:find("n         = 1", 1, true))
    assert.equal("IP / UDP / LFoo bye n=1", p:summary())
    local ls = pkt.ls(LFoo, true)
    assert.truthy(ls:find("len        : int (16 bits)          = None (computed)", 1, true))
    assert.truthy(ls:find("items      : records of LItem       = []", 1, true))
    assert.truthy(ls:find("flags      : flags (A B)", 1, true))
    assert.truthy(pkt.ls(IP(p:bytes()), true):find("items      : records of LItem       = [<LItem  a=5 b=2 |>]", 1, true))
    assert.equal("LFoo", LFoo.name)
    local names = table.concat(pkt.complete_names(LFoo{}), " ")
    assert.truthy(names:find("items", 1, true))
  end)

end)

-- The field kinds a DNS or BOOTP message needs, declared from Lua: a
-- name, a length of the rest of a record, a fixed-size byte string, a
-- length of one field in the middle of a header, character-strings.
describe("a layer declared from Lua with names, fixed sizes and lengths of a field", function()
  local LRec = pkt.layer{ name = "LRec", fields = {
    { "owner", "dname", default = "lab.example" },
    { "kind", "int", 8, default = 1 },
    { "rdlen", "int", 16, role = "len", covers = "rest" },
    { "data", "bytes" },
  } }
  local LMsg = pkt.layer{ name = "LMsg", fields = {
    { "tag", "fixed", 6, default = "PKT" },
    { "n", "int", 8 },
    { "recs", "records", of = LRec, count = "n" },
    { "tlen", "int", 8, role = "len", measures = "text" },
    { "text", "bytes" },
    { "notes", "strings" },
  }, bind = { UDP = { dport = 7322 } } }
  local DECL = PY_COMMON .. [[
from scapy.layers.dns import DNSStrField, DNSTextField
class LRec(Record):
    fields_desc = [DNSStrField("owner", "lab.example"), ByteField("kind", 1),
                   FieldLenField("rdlen", None, length_of="data", fmt="H"),
                   StrLenField("data", "", length_from=lambda p: p.rdlen)]
class LMsg(Packet):
    fields_desc = [StrFixedLenField("tag", b"PKT", 6),
                   FieldLenField("n", None, count_of="recs", fmt="B"),
                   PacketListField("recs", [], LRec, count_from=lambda p: p.n),
                   FieldLenField("tlen", None, length_of="text", fmt="B"),
                   StrLenField("text", "", length_from=lambda p: p.tlen),
                   DNSTextField("notes", [])]
bind_layers(UDP, LMsg, dport=7322)
]]
  local cases = {
    { 'LMsg{recs={{owner="a.b", data="xyz"}, {kind=2}}, text="hello", notes={"one", "two"}}',
      'LMsg(recs=[LRec(owner="a.b", data=b"xyz"), LRec(kind=2)], text=b"hello", notes=[b"one", b"two"])' },
    { 'LMsg{tag="ABCDEF", notes={"x"}}', 'LMsg(tag=b"ABCDEF", notes=[b"x"])' },
    { 'LMsg{recs={{owner="."}}}', 'LMsg(recs=[LRec(owner=".")])' },
  }
  local env = setmetatable({ LMsg = LMsg, IP = IP, UDP = UDP }, { __index = _G })

  it("builds as Scapy's declaration with DNSStrField, StrFixedLenField and length_from", function()
    local lines = {}
    for _, c in ipairs(cases) do
      lines[#lines + 1] = ("print(raw(IP(%s)/UDP(sport=5000, dport=7322)/%s).hex())"):format(IPH, c[2])
    end
    local path = H.tmpfile(DECL .. table.concat(lines, "\n") .. "\n")
    local out, status = H.run(H.python .. " " .. path .. " 2>&1")
    os.remove(path)
    assert.equal(0, status, out)
    local i = 0
    for want in out:gmatch("[^\n]+") do
      i = i + 1
      local p = assert(load(("return IP{%s}/UDP{sport=5000, dport=7322}/%s"):format(IPH, cases[i][1]),
        "=case", "t", env))()
      assert.equal(want, H.hex(p:bytes()), cases[i][1])
      local q = IP(H.unhex(want))
      assert.equal(want, H.hex(q:bytes()))
    end
    assert.equal(#cases, i)
  end)

  it("reads its fields back", function()
    local q = IP((IP{ dst = "198.51.100.2" } / UDP{ sport = 5000, dport = 7322 } / LMsg{
      recs = { { owner = "a.b", data = "xyz" }, { kind = 2 } }, text = "hello", notes = { "one", "two" } }):bytes())
    local m = q[LMsg]
    assert.equal("PKT\0\0\0", m.tag)
    assert.equal(2, m.n)
    assert.equal("a.b.", m.recs[1].owner)
    assert.equal(3, m.recs[1].rdlen)
    assert.equal("lab.example.", m.recs[2].owner)
    assert.equal(5, m.tlen)
    assert.equal("hello", m.text)
    assert.same({ "one", "two" }, m.notes)
  end)

  it("says what is wrong with a fixed size, a measured field or a name", function()
    local function bad(fields) return select(2, pcall(pkt.layer, { name = "LBad", fields = fields })) end
    assert.matches("size in bytes", bad{ { "t", "fixed" } })
    assert.matches("names no variable field after it",
      bad{ { "l", "int", 8, role = "len", measures = "x" }, { "y", "bytes" } })
    assert.matches("comes last", bad{ { "x", "bytes" }, { "y", "int", 8 } })
    assert.matches("not a domain name", bad{ { "o", "dname", default = ("a"):rep(70) } })
    local ok, err = pcall(LMsg, { tag = "TOOLONG" })
    assert.is_false(ok)
    assert.matches("7 bytes do not fit in 6", err)
  end)
end)

describe("a bad declaration", function()
  local function err(decl)
    local ok, e = pcall(pkt.layer, decl)
    assert.is_false(ok)
    return e
  end
  local function one(field) return err{ name = "LBad", fields = { field } } end

  it("names an unknown kind", function()
    assert.matches("field 1 %('x'%): unknown kind 'integer' %(kinds: int, flags", one{ "x", "integer", 8 })
  end)
  it("names a missing width", function()
    assert.matches("field 1 %('x'%): an int field needs its width in bits", one{ "x", "int" })
    assert.matches("needs its width", one{ "x", "flags", nil, names = { "A" } })
  end)
  it("refuses a role on a field that is no integer", function()
    assert.matches("role 'len' needs an int field, not bytes", one{ "x", "bytes", role = "len" })
    assert.matches("a checksum is 16 bits wide", one{ "x", "int", 8, role = "chksum" })
  end)
  it("refuses a field name a packet method or attribute has", function()
    assert.matches("field 1 %('copy'%): the name is a packet method or attribute %(p.copy%)",
      one{ "copy", "int", 8 })
    assert.matches("the name is a packet method or attribute %(p.payload%)", one{ "payload", "bytes" })
  end)
  it("refuses a name that is taken", function()
    assert.matches("pkt.layer UDP: the name is taken", err{ name = "UDP", fields = { { "x", "int", 8 } } })
    assert.matches("the name is taken", err{ name = "LFoo", fields = { { "x", "int", 8 } } })
  end)
  it("refuses fields that are not whole bytes, a tail that is not last, a count that is not there", function()
    assert.matches("take 12 bits", err{ name = "LBad", fields = { { "x", "int", 12 } } })
    assert.matches("comes last", err{ name = "LBad", fields = { { "d", "bytes" }, { "x", "int", 8 } } })
    assert.matches("count= names an int field before it",
      err{ name = "LBad", fields = { { "r", "records", of = pkt.UDP, count = "n" } } })
    assert.matches("of=Item", one{ "r", "records" })
  end)
  it("refuses a default that does not fit, and what the core refuses", function()
    assert.matches("default 'zz' is not a MAC address", one{ "m", "mac", default = "zz" })
    assert.matches("default '1.2.3.256' is not an IPv4 address", one{ "a", "ipv4", default = "1.2.3.256" })
    assert.matches("default 256 does not fit in 8 bits", one{ "x", "int", 8, default = 256 })
    assert.matches("pkt.layer LBad: a protocol has at most one header length and one total length",
      err{ name = "LBad", fields = { { "a", "int", 16, role = "len" }, { "b", "int", 16, role = "len" } } })
  end)
  it("refuses a bind on a field that selects nothing", function()
    assert.matches("UDP.len does not select the layer above %(its next%-protocol fields: sport, dport%)",
      err{ name = "LBad", fields = { { "x", "int", 8 } }, bind = { UDP = { len = 1 } } })
  end)
  it("refuses a bad record value when a packet is made", function()
    local ok, e = pcall(LFoo, { items = { { c = 1 } } })
    assert.is_false(ok)
    assert.matches("LFoo.items: record 1: LItem has no field 'c'", e)
    ok, e = pcall(LFoo, { items = { 5 } })
    assert.matches("LFoo.items: record 1 is a number, not a table of LItem's fields nor a packet LItem{...}", e)
    ok, e = pcall(LFoo, { items = { UDP{} } })
    assert.matches("LFoo.items: record 1 is a UDP, not a table of LItem's fields", e)
    ok, e = pcall(LFoo, { items = { { a = 300 } } })
    assert.matches("record 1: LItem.a: 300 is out of range", e)
  end)
  it("leaves no trace: a failed declaration can be made again, right", function()
    err{ name = "LRetry", fields = { { "x", "int", 12 } } }
    local C = pkt.layer{ name = "LRetry", fields = { { "x", "int", 8, default = 7 } } }
    assert.equal(7, C{}.x)
  end)
end)

describe("scripts/myproto.lua", function()
  local SCAPY_POLL = PY_COMMON .. [[
class Answer(Record):
    fields_desc = [ByteField("id", 0), ShortField("votes", 0)]
class Poll(LenSum):
    fields_desc = [BitField("version", 1, 4), BitEnumField("op", 1, 4, {1: "ask", 2: "result"}),
                   ByteField("question", 0), ShortField("len", None), XShortField("chksum", None),
                   FieldLenField("count", None, count_of="answers", fmt="B"),
                   PacketListField("answers", [], Answer, count_from=lambda p: p.count)]
bind_layers(UDP, Poll, dport=7777)
p = IP(src="198.51.100.1", dst="198.51.100.2")/UDP(sport=40000, dport=7777)/Poll(op="result", question=9,
    answers=[Answer(id=3, votes=1), Answer(id=4, votes=2), Answer(id=5, votes=65535)])
print("bytes: " + raw(p).hex())
q = IP(raw(p))
for i, a in enumerate(q[Poll].getfieldval("answers")):
    print("answer %d: id %d, %d votes" % (i + 1, a.id, a.votes))
]]

  it("builds the poll Scapy builds from the same declaration, and reads its answers back", function()
    local out, status = H.run(H.pktlua .. " scripts/myproto.lua -q 9 -a 3=1,4=2,5=65535 2>&1")
    assert.equal(0, status, out)
    local path = H.tmpfile(SCAPY_POLL)
    local want, st = H.run(H.python .. " " .. path .. " 2>&1")
    os.remove(path)
    assert.equal(0, st, want)
    assert.truthy(out:find("###[ Lab poll ]###", 1, true))
    assert.truthy(out:find("IP / UDP / Poll result question 9", 1, true))
    local got = {}
    for line in out:gmatch("[^\n]+") do
      if line:match("^bytes: ") or line:match("^answer ") then got[#got + 1] = line end
    end
    assert.equal(want, table.concat(got, "\n") .. "\n")
  end)

  it("prints its usage for --help and exits 0; exits 2 on an unknown option", function()
    local out, status = H.run(H.pktlua .. " scripts/myproto.lua --help 2>&1")
    assert.equal(0, status)
    assert.truthy(out:find("usage: pktlua myproto.lua", 1, true))
    local _, st = H.run(H.pktlua .. " scripts/myproto.lua --bogus 2>&1")
    assert.equal(2, st)
  end)
end)

describe("an int field wider than 64 bits", function()
  local LWide = pkt.layer{ name = "LWide", fields = {
    { "a", "int", 8 },
    { "cookie", "int", 128, default = "0x0102" },
    { "k", "int", 72 },
  } }
  -- random values from a printed seed, as hex strings: Lua's integers
  -- stop at 64 bits, Python's do not
  local seed = os.time()
  math.randomseed(seed)
  local function hexval(nbytes)
    local t = {}
    for i = 1, nbytes do t[i] = ("%02x"):format(math.random(0, 255)) end
    if math.random() < 0.3 then for i = 1, math.random(1, nbytes) do t[i] = "00" end end
    return "0x" .. table.concat(t)
  end
  local vals = {}
  for i = 1, 20 do vals[i] = { hexval(16), hexval(9), math.random(0, 255) } end

  it(("builds and reads 20 random values as Scapy's BitField of 128 and 72 bits (seed %d)"):format(seed), function()
    local py = { [[
import logging
logging.getLogger('scapy').setLevel(logging.ERROR)
from scapy.all import *
class LWide(Packet):
    fields_desc = [ByteField("a", 0), BitField("cookie", 0x0102, 128), BitField("k", 0, 72)]
print(raw(LWide()).hex())]] }
    for _, v in ipairs(vals) do
      py[#py + 1] = ("w = LWide(raw(LWide(a=%d, cookie=%s, k=%s)))"):format(v[3], v[1], v[2])
      py[#py + 1] = 'print(raw(w).hex(), "0x%032x" % w.cookie, "0x%018x" % w.k)'
    end
    local out, status = H.run(H.python .. " -c " .. H.shquote(table.concat(py, "\n")) .. " 2>&1")
    assert.equal(0, status, out)
    local lines = {}
    for line in out:gmatch("[^\n]+") do lines[#lines + 1] = line end
    assert.equal(#vals + 1, #lines)
    assert.equal(lines[1], H.hex(LWide{}:bytes()))
    for i, v in ipairs(vals) do
      local hex, cookie, k = lines[i + 1]:match("^(%x+) (0x%x+) (0x%x+)$")
      local p = LWide{ a = v[3], cookie = v[1], k = v[2] }
      assert.equal(hex, H.hex(p:bytes()))
      local q = LWide(H.unhex(hex))
      assert.same({ cookie, k }, { q.cookie, q.k })
    end
  end)

  it("takes an integer or a hex string, and says why it refuses one", function()
    assert.equal("0x" .. ("0"):rep(30) .. "2a", LWide{ cookie = 42 }.cookie)
    assert.equal("0x" .. ("0"):rep(16) .. "ff", LWide{ k = "0xFF" }.k)
    for _, c in ipairs({
      { "0x1" .. ("0"):rep(32), "does not fit in 128 bits" },
      { -1, "a negative integer" },
      { "12", "is not a hex number" },
      { {}, "got table" },
    }) do
      local ok, err = pcall(LWide, { cookie = c[1] })
      assert.is_false(ok)
      assert.matches(c[2], err, 1, true)
    end
    local ok, err = pcall(pkt.layer, { name = "LBad", fields = { { "x", "int", 100 } } })
    assert.is_false(ok)
    assert.matches("a multiple of 8 bits, at most 1024", err, 1, true)
  end)
end)
