-- Packet lists: a captured list (rdpcap, sniff) keeps its packets as
-- bytes and behaves as a list of packet objects all the same.
local pkt = require "pkt"
local Ether, IP, UDP, TCP = pkt.Ether, pkt.IP, pkt.UDP, pkt.TCP

local function captured(n)
  local path = os.tmpname()
  local w = pkt.pcap_writer(path)
  for i = 1, n do
    local p = Ether{src="02:00:00:00:00:01", dst="02:00:00:00:00:02"}
      / IP{src="198.51.100.1", dst="198.51.100.2", id=i} / UDP{sport=1000 + i, dport=53} / "q"
    p.time = 1700000000 + i / 4
    w:write(p)
  end
  w:close()
  local l = pkt.rdpcap(path)
  os.remove(path)
  return l
end

describe("a captured packet list", function()
  it("indexes, counts and iterates as a list of packets", function()
    local l = captured(5)
    assert.equal(5, #l)
    assert.is_true(pkt.is_packet(l[3]))
    assert.equal(1003, l[3][UDP].sport)
    assert.equal(1700000000.75, l[3].time)
    assert.is_nil(l[6])
    local seen = {}
    for i, p in ipairs(l) do seen[#seen + 1] = i .. ":" .. p[IP].id end
    assert.equal("1:1,2:2,3:3,4:4,5:5", table.concat(seen, ","))
    local n = 0
    for i, p in pairs(l) do n = n + 1; assert.equal(i, p[IP].id) end
    assert.equal(5, n)
    assert.matches("^<.*: TCP:0 UDP:5 ICMP:0 Other:0>$", tostring(l))
    assert.equal(5, select(2, l:summary(true):gsub("\n", "")))
  end)

  it("keeps a packet the script changes, and only that one", function()
    local l = captured(3)
    l[2][IP].ttl = 5
    assert.equal(5, l[2][IP].ttl)
    local u = l[3][UDP]
    u.dport = 99
    assert.equal(99, l[3][UDP].dport)
    l[1].time = 7
    assert.equal(7, l[1].time)
    assert.equal(64, captured(3)[2][IP].ttl)
  end)

  it("grows and shrinks as a table does", function()
    local l = captured(2)
    local extra = IP{dst="198.51.100.9"} / TCP{}
    l[#l + 1] = extra
    assert.equal(3, #l)
    assert.equal(extra, l[3])
    table.insert(l, extra:copy())
    assert.equal(4, #l)
    l[#l] = nil
    l[#l] = nil
    assert.equal(2, #l)
    assert.equal(1002, l[2][UDP].sport)
    l[#l + 1] = extra
    assert.equal(3, #l)
  end)

  it("gives the same packet for l[i] while it is held", function()
    local l = captured(2)
    local a, b = l[1], l[1]
    assert.is_true(rawequal(a, b))
    a[IP].ttl = 5
    b[IP].tos = 1
    assert.equal(5, l[1][IP].ttl)
    assert.equal(1, l[1][IP].tos)
  end)

  it("keeps each packet's time and edits through table.remove, insert and sort", function()
    local function ids(l)
      local t = {}
      for _, p in ipairs(l) do t[#t + 1] = p[IP].id .. "@" .. tostring(p.time) end
      return table.concat(t, ",")
    end
    local l = captured(4)
    table.remove(l, 1)
    assert.equal("2@1700000000.5,3@1700000000.75,4@1700000001.0", ids(l))
    l[1][IP].ttl = 9
    assert.equal("2@1700000000.5,3@1700000000.75,4@1700000001.0", ids(l))
    assert.equal(9, l[1][IP].ttl)
    l = captured(3)
    table.insert(l, 1, IP{id=7} / UDP{})
    l[2][IP].ttl = 9
    assert.equal("7@nil,1@1700000000.25,2@1700000000.5,3@1700000000.75", ids(l))
    assert.equal(9, l[2][IP].ttl)
    l = captured(3)
    table.sort(l, function(x, y) return x[IP].id > y[IP].id end)
    l[1][IP].ttl = 9
    assert.equal("3@1700000000.75,2@1700000000.5,1@1700000000.25", ids(l))
    assert.equal(9, l[1][IP].ttl)
    assert.equal(64, l[3][IP].ttl)
  end)

  it("lets go of a held packet whose place is taken or dropped", function()
    local l = captured(3)
    local second, last = l[2], l[3]
    l[2] = IP{id=50} / UDP{}
    l[3] = nil
    second[IP].ttl = 1
    last[IP].ttl = 1
    assert.equal(2, #l)
    assert.equal(50, l[2][IP].id)
    assert.equal(1700000000.5, second.time)
    assert.equal(1700000000.75, last.time)
    assert.has_error(function() l[3] = "not a packet" end,
      "a captured packet list holds packets, not a string")
  end)

  it("takes a float index with an integer value, as a table does", function()
    local l = captured(4)
    assert.equal(1002, l[4 / 2][UDP].sport)
    local extra = IP{dst="198.51.100.9"} / TCP{}
    l[6 / 2] = extra
    assert.equal(extra, l[3])
    assert.is_nil(rawget(l, 3))
    assert.equal(4, #l)
  end)

  it("offers its methods to the REPL's completion, as a plain list does", function()
    local want = "conversations,filter,name,nsummary,sessions,show,summary"
    assert.equal(want, table.concat(pkt.complete_names(captured(1)), ","))
    assert.equal(want, table.concat(pkt.complete_names(pkt.PacketList({IP{}})), ","))
  end)

  it("writes back the bytes it read, and stops at a count", function()
    local l = captured(4)
    local path = os.tmpname()
    pkt.wrpcap(path, l)
    local r = pkt.rdpcap(path)
    local r2 = pkt.rdpcap(path, 2)
    os.remove(path)
    assert.equal(4, #r)
    for i = 1, 4 do
      assert.equal(l[i]:bytes(), r[i]:bytes())
      assert.equal(l[i].time, r[i].time)
    end
    assert.equal(2, #r2)
  end)
end)
