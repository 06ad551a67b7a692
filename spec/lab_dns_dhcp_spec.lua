-- Real DNS and DHCP traffic in the lab against tshark: dig over UDP and
-- TCP asks the server's dnsmasq about each record type it holds, and
-- udhcpc takes a lease from it; in the capture the victim made, every
-- DNS and DHCP frame dissects in pktlua to what tshark reads of it.
local pkt = require "pkt"
local netlab = require "netlab"
local dhcp_tshark = require "dhcp_tshark"

local missing = H.lab_missing({ "dnsmasq", "dig", "udhcpc", "tcpdump", "tshark" })
if missing then
  describe("DNS and DHCP in the lab against tshark", function() pending(missing) end)
  return
end

local DNS_FIELDS = { "dns.id", "dns.flags.response", "dns.qry.name", "dns.qry.type",
  "dns.count.answers", "dns.a", "dns.aaaa", "dns.cname", "dns.mx.preference",
  "dns.mx.mail_exchange", "dns.txt", "dns.resp.ttl" }

local function nodot(name) return (name:gsub("%.$", "")) end

-- What tshark shows of DNS layer d, in its field names.
local function dns_expect(d)
  local w = {}
  for _, f in ipairs(DNS_FIELDS) do w[f] = {} end
  local function add(f, v) table.insert(w[f], tostring(v)) end
  add("dns.id", ("0x%04x"):format(d.id))
  add("dns.flags.response", d.qr)
  add("dns.count.answers", d.ancount)
  for _, q in ipairs(d.qd) do add("dns.qry.name", nodot(q.qname)); add("dns.qry.type", q.qtype) end
  for _, sec in ipairs({ d.an, d.ns, d.ar }) do
    for _, rr in ipairs(sec) do
      if rr.type ~= 41 then add("dns.resp.ttl", rr.ttl) end   -- OPT's ttl holds flags
      if rr.type == 1 then add("dns.a", rr.rdata)
      elseif rr.type == 28 then add("dns.aaaa", rr.rdata)
      elseif rr.type == 5 then add("dns.cname", nodot(rr.rdata))
      elseif rr.type == 15 then add("dns.mx.preference", rr.preference); add("dns.mx.mail_exchange", nodot(rr.exchange))
      elseif rr.type == 16 then for _, s in ipairs(rr.rdata) do add("dns.txt", s) end
      end
    end
  end
  return w
end

describe("DNS and DHCP in the lab against tshark", function()
  local frames, dns_rows, dhcp_rows

  setup(function()
    local lab = netlab.lan{ remote = false }
    lab:dnsmasq()
    local path = lab:_dir() .. "/real.pcap"
    local cap = lab:spawn("victim", "tcpdump --immediate-mode -U -n -i eth0 -w " .. path
      .. " port 53 or port 67 or port 68")
    assert(cap:expect("listening on", 5), cap:output())
    local dig = "dig +tries=1 @198.51.100.12 "
    lab:run("victim", dig .. "www.example.com; " .. dig .. "+tcp -t MX example.com; "
      .. dig .. "-t TXT example.com; " .. dig .. "+tcp web.example.com; "
      .. dig .. "-t AAAA www.example.com; udhcpc -i eth0 -n -q -t 3 -s /bin/true")
    os.execute("sleep 0.3")
    cap:kill()
    frames = pkt.rdpcap(path)
    dhcp_rows = dhcp_tshark.read(path)
    local out = H.run("tshark -n -r " .. path .. " -T fields -E separator=/t -E occurrence=a "
      .. "-E aggregator='|' -e " .. table.concat(DNS_FIELDS, " -e ") .. " 2>/dev/null")
    dns_rows = require("tshark").parse(out, DNS_FIELDS)
    lab:down()
  end)

  it("reads every DNS message, over UDP and TCP, as tshark does", function()
    assert.equal(#frames, #dns_rows)
    local bad, udp, tcp = {}, 0, 0
    for i = 1, #frames do
      local p = frames[i]
      if p[pkt.DNS] then
        if p[pkt.TCP] then tcp = tcp + 1 else udp = udp + 1 end
        for f, want in pairs(dns_expect(p[pkt.DNS])) do
          local w, g = table.concat(want, "|"), table.concat(dns_rows[i][f], "|")
          if w ~= g then bad[#bad + 1] = ("frame %d %s: pktlua %s, tshark %s"):format(i, f, w, g) end
        end
      elseif #dns_rows[i]["dns.id"] > 0 then
        bad[#bad + 1] = ("frame %d: tshark reads DNS, pktlua %s"):format(i, p:summary())
      end
    end
    assert(#bad == 0, table.concat(bad, "\n"))
    assert.equal(6, udp)    -- three questions and their answers over UDP,
    assert.equal(4, tcp)    -- two over TCP
  end)

  it("reads the DHCP exchange as tshark does", function()
    local bad, types = {}, {}
    for i = 1, #frames do
      local p = frames[i]
      if p[pkt.BOOTP] then
        for _, d in ipairs(dhcp_tshark.differences(p, dhcp_rows[i])) do
          bad[#bad + 1] = ("frame %d %s"):format(i, d)
        end
        types[#types + 1] = p:summary():match("DHCP (%a+)$")
      end
    end
    assert(#bad == 0, table.concat(bad, "\n"))
    -- udhcpc may discover twice while the server pings the address
    local seq = table.concat(types, " "):gsub("^(Discover )+", "Discover ")
    assert.equal("Discover Offer Request Ack", seq:gsub("Offer Discover Offer", "Offer"))
  end)
end)
