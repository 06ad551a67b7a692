-- The Internet checksum (RFC 1071) of byte strings of every small length
-- and of a few long ones, against Scapy's checksum() (python3-scapy): the
-- core sums several bytes at a time, so odd lengths, every remainder and
-- strings of ones (where end-around carries pile up) are what to check.
local pkt = require "pkt"
local hex = H.hex

local function strings()
  local list = {}
  math.randomseed(20261202)
  local function add(n, byte)
    local t = {}
    for i = 1, n do t[i] = string.char(byte or math.random(0, 255)) end
    list[#list + 1] = table.concat(t)
  end
  for n = 0, 80 do add(n) end
  for _, n in ipairs{ 1, 2, 3, 4, 5, 40, 41 } do add(n, 0xff) end
  for _, n in ipairs{ 7, 8 } do add(n, 0) end
  for _, n in ipairs{ 1499, 1500, 65535, 65536, 65541 } do add(n) end
  add(70001, 0xff)
  return list
end

describe("checksum", function()
  it("is Scapy's checksum() for every length up to 80 and some long strings", function()
    local list = strings()
    local lines = {}
    for i, s in ipairs(list) do lines[i] = hex(s) end
    local path = H.tmpfile(table.concat(lines, "\n") .. "\n")
    local out, status = H.run(H.python .. " -c " .. H.shquote(
      "import sys, logging; logging.getLogger('scapy').setLevel(40)\n" ..
      "from scapy.utils import checksum\n" ..
      "for line in open(sys.argv[1]):\n" ..
      "    print(checksum(bytes.fromhex(line.strip())))\n") .. " " .. path .. " 2>/dev/null")
    os.remove(path)
    assert(status == 0, "python3-scapy failed to run")
    local i = 0
    for want in out:gmatch("%d+") do
      i = i + 1
      assert.equal(tonumber(want), pkt.checksum(list[i]), ("%d bytes"):format(#list[i]))
    end
    assert.equal(#list, i)
  end)
end)
