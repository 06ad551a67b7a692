-- Ladders of live exchanges in the lab LAN (netlab.lan: victim .10,
-- attacker .11, server .12 on a hub): the victim's ping of the server
-- answered twice, by the server's kernel and by the attacker spoofing
-- it, as the victim recorded it; and sr's answers.  The arrows are
-- checked against tshark's reading of the same capture.
local netlab = require "netlab"
local ladder = require "ladder"
local sh = H.shquote

local missing = H.lab_missing({ "tshark" })
if missing then
  describe("pkts:flow() of a live exchange", function() pending(missing) end)
  return
end

local VICTIM, SERVER = "198.51.100.10", "198.51.100.12"

describe("pkts:flow() of a live exchange", function()
  local lab, pcap

  setup(function()
    lab = netlab.lan{}
    pcap = H.tmpfile("")
  end)
  teardown(function()
    if lab then lab:down() end
    if pcap then os.remove(pcap) end
  end)

  it("draws a spoofed echo reply beside the real one, arrow for arrow as tshark reads them", function()
    local rec = lab:spawn("victim", ("%s -e %s"):format(H.pktlua, sh(("local l = sniff{filter='icmp', "
      .. "count=6, timeout=10, started_callback=function() print('recording') io.stdout:flush() end} "
      .. "wrpcap(%q, l)"):format(pcap))))
    assert.is_truthy(rec:expect("recording", 5), rec:output())
    local sp = lab:spawn("attacker", ("%s scripts/sniff_spoof_icmp.lua -v %s -c 2 -t 10"):format(H.pktlua, VICTIM))
    assert.is_truthy(sp:expect("waiting for echo requests", 5), sp:output())
    local out = lab:run("victim", "ping -c 2 -i 0.3 -W 1 " .. SERVER)
    assert.is_truthy(out:find("DUP!", 1, true), out)
    local _, status = rec:wait(10)
    if status == nil then rec:kill() end
    sp:kill()
    assert.equal(0, status, rec:output())

    local text = H.run(("%s -e %s"):format(H.pktlua, sh(("io.write(rdpcap(%q):flow{dump=true})"):format(pcap))))
    local f = ladder.check(pcap, text)
    assert.same({ VICTIM, SERVER }, f.hosts)
    local _, replies = text:gsub("|<%-+|%s+ICMP echo%-reply 0", "")
    local _, requests = text:gsub("|%-+>|%s+ICMP echo%-request 0", "")
    assert.equal(4, replies, text)
    assert.equal(2, requests, text)
  end)

  it("draws sr's answers: each request, then its reply", function()
    local text = lab:run("victim", ("%s -e %s"):format(H.pktlua,
      sh(("local ans = sr(IP{dst=%q}/ICMP{id=7, seq=1}, {timeout=2, verbose=0}) io.write(ans:flow{dump=true})"):format(SERVER))))
    local f = ladder.read(text)
    assert.same({ VICTIM, SERVER }, f.hosts)
    assert.equal(2, #f.arrows, text)
    assert.same({ 1, 2 }, { f.arrows[1].from, f.arrows[1].to })
    assert.same({ 2, 1 }, { f.arrows[2].from, f.arrows[2].to })
    assert.is_true(f.arrows[1].t == 0 and f.arrows[2].t >= 0, text)
    assert.truthy(text:find("ICMP echo-request 0", 1, true) and text:find("ICMP echo-reply 0", 1, true), text)
  end)
end)
