-- BOOTP and DHCP beside Scapy where the random differential does not go:
-- ports and the cookie filled in by the stack, BOOTP alone, and the
-- errors a script gets for options it got wrong.
local pkt = require "pkt"
local IP, UDP, BOOTP, DHCP = pkt.IP, pkt.UDP, pkt.BOOTP, pkt.DHCP

-- Scapy's bytes of each expression, in one python3 run.
local function scapy(exprs)
  local src = { "import logging", "logging.getLogger('scapy.runtime').setLevel(logging.ERROR)",
    "from scapy.all import *" }
  for _, e in ipairs(exprs) do src[#src + 1] = "print(bytes(" .. e .. ").hex())" end
  local path = H.tmpfile(table.concat(src, "\n") .. "\n")
  local out, status = H.run(H.python .. " " .. path .. " 2>&1")
  os.remove(path)
  assert(status == 0, out)
  local t = {}
  for line in out:gmatch("[^\n]+") do t[#t + 1] = line end
  return t
end

describe("BOOTP and DHCP", function()
  it("fill in UDP's ports and the magic cookie as Scapy's binds do", function()
    local mine = {
      IP() / UDP() / BOOTP() / DHCP{options={{"message-type", "discover"}, "end"}},
      IP() / UDP{sport=67} / BOOTP{op=2} / DHCP{options={{"message-type", "offer"}, "end"}},
      IP() / UDP{dport=68} / BOOTP() / DHCP{options={"end"}},
    }
    local theirs = scapy{
      "IP()/UDP()/BOOTP()/DHCP(options=[('message-type', 'discover'), 'end'])",
      "IP()/UDP(sport=67)/BOOTP(op=2)/DHCP(options=[('message-type', 'offer'), 'end'])",
      "IP()/UDP(dport=68)/BOOTP()/DHCP(options=['end'])",
    }
    for i, p in ipairs(mine) do assert.equal(theirs[i], H.hex(p:bytes())) end
  end)

  it("keep BOOTP alone as Scapy's but for the four bytes of the cookie field", function()
    local theirs = scapy{ "BOOTP(xid=7, chaddr=b'\\x02\\x00\\x00\\x00\\x00\\x0a', sname=b'boot')" }[1]
    local mine = BOOTP{xid=7, chaddr="\2\0\0\0\0\10", sname="boot"}
    assert.equal(240, #mine)
    assert.equal(theirs .. "00000000", H.hex(mine:bytes()))
    local q = BOOTP(mine:bytes())
    assert.equal(0, q.options)
    assert.is_nil(q[DHCP])
    assert.equal("\2\0\0\0\0\10" .. ("\0"):rep(10), q.chaddr)
  end)

  it("summarise the message type, or leave it to the layers below", function()
    local function sum(opts) return (IP() / UDP() / BOOTP() / DHCP{options=opts}):summary() end
    assert.equal("IP / UDP / BOOTP / DHCP Force_renew", sum{{"message-type", "force_renew"}})
    assert.equal("IP / UDP / BOOTP / DHCP 99", sum{{"message-type", 99}})
    assert.equal("IP / UDP 127.0.0.1:bootps > 127.0.0.1:bootpc / BOOTP / DHCP", sum{"end"})
  end)

  it("name the option and the value a script got wrong", function()
    local function err(opts)
      local ok, e = pcall(DHCP, {options=opts})
      assert.is_false(ok)
      return e
    end
    assert.matches("option lease_time needs an integer value in range 0..4294967295, got x", err{{"lease_time", "x"}})
    assert.matches("option router takes an IPv4 address, got 1%.2%.3", err{{"router", "1.2.3"}})
    assert.matches("unknown option 'lease' %(use a kind number for others%): DHCP options are pad, subnet_mask, ", err{{"lease", 5}})
    assert.matches("option message%-type needs an integer value in range 0..255 or one of its names, got hello", err{{"message-type", "hello"}})
    local ok, e = pcall(BOOTP, {chaddr = "02:00:00:00:00:0a"})
    assert.is_false(ok)
    assert.matches("chaddr.*17 bytes do not fit in 16", e)
  end)
end)
