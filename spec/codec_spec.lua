-- The core's field codecs (src/codec.h) beside Scapy: option lists of
-- four families, domain names and DNS messages.  Scapy (python3-scapy,
-- run by this spec) builds each case and dissects its own bytes; the C
-- driver build/codec_tool encodes the same values, decodes Scapy's bytes
-- into the same values and encodes them back to the same bytes.
local json = require "dkjson"

local TOOL = os.getenv("PKTLUA_CODEC_TOOL") or "build/codec_tool"

-- Runs the driver with `input` on stdin; returns its stdout and status.
local function tool(args, input)
  local path = H.tmpfile(input)
  local out, status = H.run(("%s %s < %s 2>&1"):format(TOOL, args, H.shquote(path)))
  os.remove(path)
  return out, status
end

-- Python helpers: an option as the driver prints it (name, then values:
-- integers in decimal, addresses as text, bytes in hex).
local PRELUDE = [[
import json, socket, logging
logging.getLogger('scapy').setLevel(logging.ERROR)
from scapy.all import *
from scapy.layers.dns import dns_compress, dns_encode

def val(v):
    if isinstance(v, (bytes, bytearray)): return [bytes(v).hex()] if v else []
    if isinstance(v, (list, tuple)): return [x for e in v for x in val(e)]
    if v is None: return []
    return [str(v)]

def line(name, *vals):
    return ' '.join([name] + [x for v in vals for x in val(v)])

def dhcp_lines(b):
    return [o if isinstance(o, str) else line(*o) for o in DHCP(b).options]

def ipopt_lines(opts):
    out = []
    for o in opts:
        if isinstance(o, IPOption_NOP): out.append('nop')
        elif isinstance(o, IPOption_EOL):
            # Scapy lists each zero of the fill after an EOL as one more
            # EOL; the family drops that fill, as pktlua's IPv4 does
            out.append('end_of_list')
            break
        elif isinstance(o, IPOption_Router_Alert): out.append(line('router_alert', o.alert))
        else: out.append(line(o.sprintf('%option%'), o.pointer, o.routers))
    return out

def nd_lines(opts):
    out = []
    for o in opts:
        n = type(o).__name__
        if n == 'ICMPv6NDOptSrcLLAddr': out.append(line('src_lladdr', o.lladdr))
        elif n == 'ICMPv6NDOptDstLLAddr': out.append(line('dst_lladdr', o.lladdr))
        elif n == 'ICMPv6NDOptMTU': out.append(line('mtu', o.res, o.mtu))
        elif n == 'ICMPv6NDOptPrefixInfo':
            out.append(line('prefix_info', o.prefixlen, o.L << 7 | o.A << 6 | o.R << 5 | o.res1,
                            o.validlifetime, o.preferredlifetime, o.res2, o.prefix))
        elif n == 'ICMPv6NDOptRDNSS': out.append(line('rdnss', o.res, o.lifetime, o.dns))
        else: out.append('? ' + n)
    return out

def nd_case(opts):
    b = b''.join(bytes(o) for o in opts)
    p = ICMPv6ND_RA(bytes(ICMPv6ND_RA()) + b)   # Scapy dissects the options it built
    got, l = [], p.payload
    while l and not isinstance(l, (NoPayload, Raw, Padding)):
        got.append(l)
        l = l.payload
    return {'hex': b.hex(), 'lines': nd_lines(got)}

def rdata_hex(rr):
    if rr.type == 1: return socket.inet_aton(rr.rdata).hex()
    if rr.type == 28: return socket.inet_pton(socket.AF_INET6, rr.rdata).hex()
    return bytes(rr.rdata).hex()

def dns_lines(b):
    d, out = DNS(b), []
    for tag, count in (('qd', d.qdcount), ('an', d.ancount), ('ns', d.nscount), ('ar', d.arcount)):
        for i in range(count):
            r = getattr(d, tag)[i]
            if tag == 'qd': out.append('qd %s %d %d' % (r.qname.decode(), r.qtype, r.qclass))
            else: out.append('%s %s %d %d %d %d %s' % (tag, r.rrname.decode(), r.type, r.rclass, r.ttl, r.rdlen, rdata_hex(r)))
    return out
]]

local function scapy(body)
  local path = H.tmpfile(PRELUDE .. "\nres = {}\n" .. body .. "\nprint(json.dumps(res))\n")
  local out, status = H.run(H.python .. " " .. path .. " 2>/dev/null")
  os.remove(path)
  assert(status == 0, "python3-scapy failed to run this spec's script")
  return assert(json.decode(out))
end

local function lines_of(s)
  local t = {}
  for l in s:gmatch("[^\n]+") do t[#t + 1] = l end
  return t
end

-- For each case: the driver decodes Scapy's bytes to Scapy's values and
-- those bytes again, and encodes Scapy's values to Scapy's bytes.
local function family_cases(family, cases, res)
  for i, c in ipairs(cases) do
    local want = res[i]
    it(("%s: %s"):format(family, c), function()
      local out, status = tool("tlv-decode " .. family, want.hex)
      assert.equal(0, status, out)
      local got = lines_of(out)
      local bytes = table.remove(got)
      assert.same(want.lines, got)
      assert.equal("bytes " .. want.hex, bytes)
      out, status = tool("tlv-encode " .. family, table.concat(want.lines, "\n") .. "\n")
      assert.equal(0, status, out)
      assert.equal(want.hex, out:match("^(%x*)\n$"))
    end)
  end
end

describe("option families beside Scapy", function()
  local dhcp = {
    '[("message-type", "discover"), ("client_id", b"\\x01\\x02\\x00\\x00\\x00\\x00\\x01"), ("requested_addr", "198.51.100.10"), ("hostname", b"lab-host"), ("param_req_list", [1, 3, 6, 15, 51, 54]), "end"]',
    '[("message-type", "offer"), ("server_id", "198.51.100.1"), ("lease_time", 3600), ("renewal_time", 1800), ("rebinding_time", 3150), ("subnet_mask", "255.255.255.0"), ("router", "198.51.100.1"), ("name_server", "198.51.100.53", "203.0.113.53"), ("domain", b"example.com"), "end", "pad", "pad", "pad"]',
    '[("message-type", "ack"), ("router", "198.51.100.1", "198.51.100.2", "198.51.100.3"), "pad", "end"]',
  }
  local nd = {
    '[ICMPv6NDOptSrcLLAddr(lladdr="02:00:00:00:00:01")]',
    '[ICMPv6NDOptSrcLLAddr(lladdr="02:00:00:00:00:01"), ICMPv6NDOptMTU(mtu=1280), ICMPv6NDOptPrefixInfo(prefixlen=64, prefix="2001:db8:1::", validlifetime=86400, preferredlifetime=14400, A=0)]',
    '[ICMPv6NDOptRDNSS(lifetime=600, dns=["2001:db8::53", "2001:db8::54", "2001:db8:ffff::1"]), ICMPv6NDOptDstLLAddr(lladdr="02:00:00:00:00:02")]',
  }
  local tcp = {
    '[("MSS", 1460), ("SAckOK", b""), ("Timestamp", (12345, 0)), ("NOP", None), ("WScale", 7)]',
    '[("NOP", None), ("NOP", None), ("SAck", (100, 200, 300, 400))]',
    '[("MSS", 536)]',
    '[("MSS", 1460), ("WScale", 7)]',
  }
  local ipv4 = {
    '[IPOption_RR(routers=["198.51.100.1", "198.51.100.2"]), IPOption_Router_Alert(), IPOption_NOP()]',
    '[IPOption_LSRR(routers=["203.0.113.1"]), IPOption_NOP(), IPOption_EOL()]',
  }
  local py = {}
  local function add(fmt, list, name)
    py[#py + 1] = ("res['%s'] = []"):format(name)
    for _, c in ipairs(list) do
      py[#py + 1] = ("res['%s'].append(%s)"):format(name, fmt:format(c))
    end
  end
  add("(lambda b: {'hex': b.hex(), 'lines': dhcp_lines(b)})(bytes(DHCP(options=%s)))", dhcp, "dhcp")
  add("nd_case(%s)", nd, "nd")
  add("(lambda b: {'hex': b[20:].hex(), 'lines': [line(*o) for o in TCP(b).options]})(bytes(TCP(options=%s)))", tcp, "tcp")
  add("(lambda b: {'hex': b[20:].hex(), 'lines': ipopt_lines(IP(b).options)})(bytes(IP(options=%s)))", ipv4, "ipv4")
  local ok, res = pcall(scapy, table.concat(py, "\n"))

  it("runs Scapy for every case", function()
    assert.is_true(ok, tostring(res))
  end)
  if not ok then return end
  family_cases("dhcp", dhcp, res.dhcp)
  family_cases("nd", nd, res.nd)
  family_cases("tcp", tcp, res.tcp)
  family_cases("ipv4", ipv4, res.ipv4)

  it("nd: lengths count 8-octet units", function()
    -- the RDNSS option with three addresses is 56 bytes: length 7
    assert.equal("1907", res.nd[3].hex:sub(1, 4))
  end)
end)

describe("domain names beside Scapy", function()
  local l63 = ("a"):rep(63)
  local n255 = table.concat({ ("b"):rep(63), ("c"):rep(63), ("d"):rep(63), ("e"):rep(61) }, ".")
  local names = { "www.example.com", "www.example.com.", l63 .. ".example.org", n255, "." }
  local py = { "res['enc'] = []" }
  for _, n in ipairs(names) do
    py[#py + 1] = ("res['enc'].append(dns_encode(%q.encode()).hex())"):format(n)
  end
  -- a message with names sharing suffixes, compressed by Scapy
  py[#py + 1] = [[
d = DNS(id=0x1234, qr=1, rd=1, ra=1, qd=DNSQR(qname="www.example.com"),
        an=DNSRR(rrname="www.example.com", rdata="198.51.100.7", ttl=3600)
           / DNSRR(rrname="mail.example.com", type="AAAA", rdata="2001:db8::7", ttl=60)
           / DNSRR(rrname="example.com", rdata="203.0.113.5", ttl=7))
res['plain'] = bytes(d).hex()
res['compressed'] = bytes(dns_compress(d)).hex()
res['lines'] = dns_lines(bytes(dns_compress(d)))
res['plain_lines'] = dns_lines(bytes(d))
]]
  local ok, res = pcall(scapy, table.concat(py, "\n"))

  it("runs Scapy", function()
    assert.is_true(ok, tostring(res))
  end)
  if not ok then return end

  for i, n in ipairs(names) do
    it(("encodes %s as Scapy's dns_encode"):format(#n > 40 and (#n .. " characters") or n), function()
      local out, status = tool("dname-encode", n .. "\n")
      assert.equal(0, status, out)
      assert.equal(res.enc[i], out:match("^(%x*)\n$"))
      -- and reads it back as text with the trailing dot
      out = tool("dname-decode 0", res.enc[i])
      local text = n:sub(-1) == "." and n or n .. "."
      assert.equal(text .. " " .. #res.enc[i] // 2 .. "\n", out)
    end)
  end

  it("refuses a name of 256 bytes and a label of 64", function()
    local out = tool("dname-encode", n255 .. "x\n")
    assert.matches("^error name longer than 255", out)
    out = tool("dname-encode", l63 .. "a.com\n")
    assert.matches("^error name longer than 255 bytes or label longer than 63", out)
  end)

  it("compresses a message as Scapy's dns_compress", function()
    local out, status = tool("dns-compress", res.plain)
    assert.equal(0, status, out)
    assert.equal(res.compressed, out:match("^(%x*)\n$"))
    assert.is_true(#res.compressed < #res.plain)
  end)

  it("reads Scapy's compressed message into Scapy's questions and answers", function()
    local out, status = tool("dns-decode", res.compressed)
    assert.equal(0, status, out)
    local got = lines_of(out)
    assert.equal("status 0", table.remove(got, 1))
    -- the driver prints rdlen as a field; so does dns_lines
    assert.same(res.lines, got)
    -- the uncompressed message holds the same records
    got = lines_of((tool("dns-decode", res.plain)))
    table.remove(got, 1)
    assert.same(res.plain_lines, got)
  end)

  it("follows pointers and stops loops and pointers past the end with a clear error", function()
    -- Scapy's dns_get_str returns what it read so far here; these fail
    assert.equal("error name compression pointers loop or hop too many times\n", (tool("dname-decode 0", "c000")))
    assert.equal("error name compression pointers loop or hop too many times\n", (tool("dname-decode 0", "0161c00401 62c000")))
    assert.equal("error name compression pointer points past the end of the message\n", (tool("dname-decode 0", "0161c009")))
    assert.equal("error bytes end inside an item\n", (tool("dname-decode 0", "036162")))
    assert.equal("a.a. 4\n", (tool("dname-decode 3", "016100 0161c000")))
  end)
end)

describe("records beside Scapy", function()
  local ok, res = pcall(scapy, [[
res['ip'] = [bytes(IP(options=o))[:IP(bytes(IP(options=o))).ihl * 4].hex() for o in (
    [IPOption_Router_Alert()],
    [IPOption_RR(routers=["198.51.100.1", "198.51.100.2"]), IPOption_NOP()],
    [IPOption_LSRR(routers=["203.0.113.1"])],
    [])]
]])
  it("runs Scapy", function()
    assert.is_true(ok, tostring(res))
  end)
  if not ok then return end
  for i, h in ipairs(res.ip) do
    it(("computes IPv4 ihl from the options' length as Scapy (case %d)"):format(i), function()
      local out, status = tool("ip-reencode", h)
      assert.equal(0, status, out)
      assert.equal(h, out:match("^(%x*)\n$"))
    end)
  end
end)
