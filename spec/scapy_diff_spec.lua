-- Byte-exact agreement with Scapy: each case builds the same packet in
-- pktlua and in Scapy (python3-scapy, run by this spec), and pktlua
-- dissects Scapy's bytes into the same layers and back to the same bytes.
local pkt = require "pkt"
for k, v in pairs(pkt) do _ENV[k] = v end

local E = 'Ether{src="02:00:00:00:00:01", dst="02:00:00:00:00:02"}'
local SE = 'Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")'
local I = 'IP{src="198.51.100.1", dst="198.51.100.2"}'
local SI = 'IP(src="198.51.100.1", dst="198.51.100.2")'

-- { pktlua expression, Scapy expression, first layer for dissection }
local cases = {
  { 'Ether{src="02:00:00:00:00:01"}', 'Ether(src="02:00:00:00:00:01")' },
  { E, SE },
  { E .. '/ARP{hwsrc="02:00:00:00:00:01", psrc="198.51.100.1", pdst="198.51.100.2"}',
    SE .. '/ARP(hwsrc="02:00:00:00:00:01", psrc="198.51.100.1", pdst="198.51.100.2")' },
  { E .. '/ARP{op="is-at", hwsrc="02:00:00:00:00:01", psrc="198.51.100.1", hwdst="02:00:00:00:00:02", pdst="198.51.100.2"}',
    SE .. '/ARP(op="is-at", hwsrc="02:00:00:00:00:01", psrc="198.51.100.1", hwdst="02:00:00:00:00:02", pdst="198.51.100.2")' },
  { E .. '/Dot1Q{vlan=42}/' .. I, SE .. '/Dot1Q(vlan=42)/' .. SI },
  { E .. '/Dot1Q{prio=5, id=1, vlan=4095}/ARP{psrc="198.51.100.1", pdst="198.51.100.9"}',
    SE .. '/Dot1Q(prio=5, id=1, vlan=4095)/ARP(hwsrc="00:00:00:00:00:00", psrc="198.51.100.1", pdst="198.51.100.9")' },
  { E .. '/Dot1Q{vlan=1}/Dot1Q{vlan=2}/' .. I .. '/UDP{}', SE .. '/Dot1Q(vlan=1)/Dot1Q(vlan=2)/' .. SI .. '/UDP()' },
  { 'IP()', 'IP()', 'IP' },
  { I, SI, 'IP' },
  { 'IP{src="1.2.3.4", dst="198.51.100.5"}/UDP{sport=8888, dport=9090}/"Hello UDP!\\n"',
    'IP(src="1.2.3.4", dst="198.51.100.5")/UDP(sport=8888, dport=9090)/"Hello UDP!\\n"', 'IP' },
  { E .. '/' .. I .. '/UDP{}', SE .. '/' .. SI .. '/UDP()' },
  { E .. '/' .. I .. '/UDP{sport=1, dport=65535}/("x"):rep(1000)', SE .. '/' .. SI .. '/UDP(sport=1, dport=65535)/("x"*1000)' },
  { I .. '/UDP{chksum=0}/"no checksum"', SI .. '/UDP(chksum=0)/"no checksum"', 'IP' },
  { I .. '/UDP{sport=1234, dport=5678, len=99}/"lying length"', SI .. '/UDP(sport=1234, dport=5678, len=99)/"lying length"', 'IP' },
  { 'IP{src="198.51.100.1", dst="198.51.100.2", ttl=1, id=4242, tos=0xb8}/UDP{dport=33434}',
    'IP(src="198.51.100.1", dst="198.51.100.2", ttl=1, id=4242, tos=0xb8)/UDP(dport=33434)', 'IP' },
  { 'IP{src="198.51.100.1", dst="198.51.100.2", flags="DF"}/TCP{}', 'IP(src="198.51.100.1", dst="198.51.100.2", flags="DF")/TCP()', 'IP' },
  { 'IP{src="198.51.100.1", dst="198.51.100.2", flags="MF", frag=100}/"fragment"',
    'IP(src="198.51.100.1", dst="198.51.100.2", flags="MF", frag=100)/"fragment"', 'IP' },
  { 'IP{src="198.51.100.1", dst="198.51.100.2", flags="MF+DF+evil", frag=8191}', 'IP(src="198.51.100.1", dst="198.51.100.2", flags="MF+DF+evil", frag=8191)', 'IP' },
  { 'IP{src="198.51.100.1", dst="198.51.100.2", chksum=0xdead}/ICMP{}', 'IP(src="198.51.100.1", dst="198.51.100.2", chksum=0xdead)/ICMP()', 'IP' },
  { 'IP{src="198.51.100.1", dst="198.51.100.2", proto=200}/"opaque"', 'IP(src="198.51.100.1", dst="198.51.100.2", proto=200)/"opaque"', 'IP' },
  { 'IP{src="198.51.100.1", dst="198.51.100.2", options="\\148\\4\\0\\0"}/UDP{}',
    'IP(src="198.51.100.1", dst="198.51.100.2", options=IPOption(b"\\x94\\x04\\x00\\x00"))/UDP()', 'IP' },
  { 'IP{src="198.51.100.1", dst="198.51.100.2", options="\\7\\7\\4\\0\\0\\0\\0"}/ICMP{}',
    'IP(src="198.51.100.1", dst="198.51.100.2", options=IPOption(b"\\x07\\x07\\x04\\x00\\x00\\x00\\x00"))/ICMP()', 'IP' },
  { 'IP{src="198.51.100.1", dst="198.51.100.2", len=20, ihl=5}/"trailing"', 'IP(src="198.51.100.1", dst="198.51.100.2", len=20, ihl=5)/"trailing"', 'IP' },
  { I .. '/ICMP{}', SI .. '/ICMP()', 'IP' },
  { E .. '/' .. I .. '/ICMP{type="echo-request", id=0x1234, seq=7}/("a"):rep(56)',
    SE .. '/' .. SI .. '/ICMP(type="echo-request", id=0x1234, seq=7)/("a"*56)' },
  { I .. '/ICMP{type="echo-reply", id=1, seq=65535}/"pong"', SI .. '/ICMP(type="echo-reply", id=1, seq=65535)/"pong"', 'IP' },
  { I .. '/ICMP{type="dest-unreach", code="port-unreachable"}/IPerror{src="198.51.100.2", dst="198.51.100.1"}/UDPerror{sport=5000, dport=53}',
    SI .. '/ICMP(type="dest-unreach", code="port-unreachable")/IPerror(src="198.51.100.2", dst="198.51.100.1")/UDPerror(sport=5000, dport=53)', 'IP' },
  { I .. '/ICMP{type=3, code=4, nexthopmtu=1400}/IPerror{src="198.51.100.2", dst="198.51.100.1", flags="DF"}/TCPerror{sport=80, dport=4000}',
    SI .. '/ICMP(type=3, code=4, nexthopmtu=1400)/IPerror(src="198.51.100.2", dst="198.51.100.1", flags="DF")/TCPerror(sport=80, dport=4000)', 'IP' },
  { I .. '/ICMP{type="time-exceeded", code=0}/IPerror{src="198.51.100.2", dst="203.0.113.9", ttl=1}/ICMPerror{id=9, seq=1}',
    SI .. '/ICMP(type="time-exceeded", code=0)/IPerror(src="198.51.100.2", dst="203.0.113.9", ttl=1)/ICMPerror(id=9, seq=1)', 'IP' },
  { I .. '/ICMP{type="redirect", code=1, gw="198.51.100.254"}/IPerror{src="198.51.100.2", dst="203.0.113.1"}/UDPerror{}',
    SI .. '/ICMP(type="redirect", code=1, gw="198.51.100.254")/IPerror(src="198.51.100.2", dst="203.0.113.1")/UDPerror()', 'IP' },
  { I .. '/ICMP{type="parameter-problem", ptr=8}', SI .. '/ICMP(type="parameter-problem", ptr=8)', 'IP' },
  { I .. '/ICMP{type="source-quench"}', SI .. '/ICMP(type="source-quench")', 'IP' },
  { I .. '/ICMP{type=13, id=1, seq=2, ts_ori=3, ts_rx=4, ts_tx=5}', SI .. '/ICMP(type=13, id=1, seq=2, ts_ori=3, ts_rx=4, ts_tx=5)', 'IP' },
  { I .. '/ICMP{type=17, addr_mask="255.255.255.0"}', SI .. '/ICMP(type=17, addr_mask="255.255.255.0")', 'IP' },
  { I .. '/ICMP{chksum=0}/"bad"', SI .. '/ICMP(chksum=0)/"bad"', 'IP' },
  { I .. '/TCP{}', SI .. '/TCP()', 'IP' },
  { E .. '/' .. I .. '/TCP{sport=40000, dport=80, flags="S", seq=1000}', SE .. '/' .. SI .. '/TCP(sport=40000, dport=80, flags="S", seq=1000)' },
  { I .. '/TCP{flags="SA", seq=1, ack=1001, window=65535}', SI .. '/TCP(flags="SA", seq=1, ack=1001, window=65535)', 'IP' },
  { I .. '/TCP{flags="PA", seq=5, ack=6}/"GET / HTTP/1.0\\r\\n\\r\\n"', SI .. '/TCP(flags="PA", seq=5, ack=6)/"GET / HTTP/1.0\\r\\n\\r\\n"', 'IP' },
  { I .. '/TCP{flags="FPUAERSCN", urgptr=7, reserved=5}', SI .. '/TCP(flags="FPUAERSCN", urgptr=7, reserved=5)', 'IP' },
  { I .. '/TCP{flags=0}', SI .. '/TCP(flags=0)', 'IP' },
  { I .. '/TCP{options={{"MSS", 1460}}}', SI .. '/TCP(options=[("MSS", 1460)])', 'IP' },
  { I .. '/TCP{flags="S", options={{"MSS", 1460}, {"SAckOK"}, {"Timestamp", {12345, 0}}, "NOP", {"WScale", 7}}}',
    SI .. '/TCP(flags="S", options=[("MSS", 1460), ("SAckOK", b""), ("Timestamp", (12345, 0)), ("NOP", None), ("WScale", 7)])', 'IP' },
  { I .. '/TCP{flags="A", options={"NOP", "NOP", {"SAck", {100, 200, 300, 400}}}}',
    SI .. '/TCP(flags="A", options=[("NOP", None), ("NOP", None), ("SAck", (100, 200, 300, 400))])', 'IP' },
  { I .. '/TCP{options={"NOP", {"EOL"}}}', SI .. '/TCP(options=[("NOP", None), ("EOL", None)])', 'IP' },
  { I .. '/TCP{options={{254, "\\1\\2\\3\\4"}}}', SI .. '/TCP(options=[(254, b"\\x01\\x02\\x03\\x04")])', 'IP' },
  { I .. '/TCP{chksum=0xbeef, dataofs=5}/"x"', SI .. '/TCP(chksum=0xbeef, dataofs=5)/"x"', 'IP' },
  { E .. '/' .. I .. '/TCP{flags="R", seq=0, ack=1, window=0}/Padding{load=("\\0"):rep(6)}',
    SE .. '/' .. SI .. '/TCP(flags="R", seq=0, ack=1, window=0)/Padding(load=b"\\x00"*6)' },
  { E .. '/IP{src="203.0.113.7", dst="203.0.113.8"}/UDP{sport=7777, dport=33000}/Raw{load="\\0\\1\\2\\255"}',
    SE .. '/IP(src="203.0.113.7", dst="203.0.113.8")/UDP(sport=7777, dport=33000)/Raw(load=b"\\x00\\x01\\x02\\xff")' },
  -- a source route: the transport checksum covers the final destination
  { 'IP{src="198.51.100.1", dst="198.51.100.2", options="\\131\\7\\4\\203\\0\\113\\9"}/UDP{sport=40000, dport=40001}/"routed"',
    'IP(src="198.51.100.1", dst="198.51.100.2", options=IPOption(b"\\x83\\x07\\x04\\xcb\\x00\\x71\\x09"))/UDP(sport=40000, dport=40001)/"routed"', 'IP' },
  { 'IP{src="198.51.100.1", dst="198.51.100.2", options="\\137\\11\\4\\203\\0\\113\\1\\203\\0\\113\\2"}/TCP{sport=40000, dport=40001}',
    'IP(src="198.51.100.1", dst="198.51.100.2", options=IPOption(b"\\x89\\x0b\\x04\\xcb\\x00\\x71\\x01\\xcb\\x00\\x71\\x02"))/TCP(sport=40000, dport=40001)', 'IP' },
  -- what follows ARP in a frame is padding
  { E .. '/ARP{psrc="198.51.100.1", pdst="198.51.100.2", hwsrc="02:00:00:00:00:01"}/Padding{load=("\\0"):rep(18)}',
    SE .. '/ARP(psrc="198.51.100.1", pdst="198.51.100.2", hwsrc="02:00:00:00:00:01")/Padding(load=b"\\x00"*18)' },
  { 'Ether{type=0x88b5, src="02:00:00:00:00:01"}/"experimental ethertype"', 'Ether(type=0x88b5, src="02:00:00:00:00:01", dst="ff:ff:ff:ff:ff:ff")/"experimental ethertype"' },
}

local function scapy_hex(exprs)
  local py = { "import sys, logging", "logging.getLogger('scapy').setLevel(logging.ERROR)",
               "from scapy.all import *", "conf.verb = 0", "out = []" }
  for _, e in ipairs(exprs) do
    py[#py + 1] = ("p = %s\nb = raw(p)\nq = p.__class__(b)\nout.append(b.hex() + ' ' + ','.join(l.__name__ for l in q.layers()))"):format(e)
  end
  py[#py + 1] = "print('\\n'.join(out))"
  local path = H.tmpfile(table.concat(py, "\n"))
  local out, status = H.run(H.python .. " " .. path .. " 2>/dev/null")
  os.remove(path)
  assert(status == 0, "python3-scapy failed to run")
  local lines = {}
  for line in out:gmatch("[^\n]+") do lines[#lines + 1] = line end
  return lines
end

describe("agreement with Scapy", function()
  local exprs = {}
  for i, c in ipairs(cases) do exprs[i] = c[2] end
  local ok, lines = pcall(scapy_hex, exprs)

  it("runs Scapy for every case", function()
    assert.is_true(ok, tostring(lines))
    assert.equal(#cases, #lines)
  end)

  for i, c in ipairs(cases) do
    local lua_expr = c[1]
    it(("builds %s byte for byte as Scapy"):format(lua_expr), function()
      local p = assert(load("return " .. lua_expr, "=case", "t", _ENV))()
      local want_hex, want_layers = lines[i]:match("^(%x*) (.*)$")
      assert.equal(want_hex, H.hex(p:bytes()))
      -- dissect Scapy's bytes: same layer names, same bytes back
      local first = pkt[c[3] or "Ether"]
      local q = first(H.unhex(want_hex))
      local names = {}
      for j, l in ipairs(q:layers()) do names[j] = l.name end
      assert.equal(want_layers, table.concat(names, ","))
      local r = q:copy()
      r:clear_cache()
      assert.equal(want_hex, H.hex(r:bytes()))
    end)
  end
end)
