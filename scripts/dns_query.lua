-- dns_query.lua - a dig-like query: ask a name server about a name with
-- sr1 and print the records of its answer, one a line as dig does.
--   Scapy: r = sr1(IP(dst=server)/UDP(dport=53)/DNS(rd=1, qd=DNSQR(qname=name, qtype="MX")))
--          for i in range(r[DNS].ancount): print(r[DNS].an[i].rrname, r[DNS].an[i].rdata)
local o = require("pkt.cli").parse(arg, "Ask a name server about a name; print the answer's records.", {
  { "server", "s", "the name server (default: the first of /etc/resolv.conf)" },
  { "type", "t", "the record type: A, AAAA, MX, TXT, CNAME, NS, SOA, ...", default = "A" },
  { "timeout", "w", "seconds to wait for the answer", default = 2, number = true },
}, " NAME")

local name = o[1] or error("give the name to look up, e.g. www.example.com", 0)
local server = o.server
if not server then
  local f = io.open("/etc/resolv.conf")
  server = f and f:read("a"):match("\nnameserver%s+([%d.]+)") or error("no name server: give one with -s", 0)
end

-- A field's value names, from its class (DNSRR's type: 1 is "A").
local function names(class, field)
  for _, fd in ipairs(class.fields_desc) do
    if fd.name == field then return fd.names or {} end
  end
end
local types, rcodes = names(DNSRR, "type"), names(DNS, "rcode")

-- A record's data as dig prints it.
local function rdata(rr)
  if rr.exchange then return ("%d %s"):format(rr.preference, rr.exchange) end
  if type(rr.rdata) == "table" then   -- TXT: character-strings
    local t = {}
    for i, s in ipairs(rr.rdata) do t[i] = ('"%s"'):format(s) end
    return table.concat(t, " ")
  end
  return tostring(rr.rdata)
end

local q = IP{dst=server} / UDP{sport=math.random(1024, 65535)}
  / DNS{id=math.random(0, 65535), rd=1, qd={{qname=name, qtype=o.type:upper()}}}
local r = sr1(q, {timeout=o.timeout, verbose=false})
if not r then
  print(("no answer from %s in %g s"):format(server, o.timeout))
  os.exit(1)
end
local dns = r[DNS]
print((";; %s from %s: id %d, rcode %s, %d answer(s)"):format(dns:summary(), r.src, dns.id,
  rcodes[dns.rcode] or dns.rcode, dns.ancount))
for _, rr in ipairs(dns.an) do
  print(("%-24s %-6d IN %-6s %s"):format(rr.rrname, rr.ttl, types[rr.type] or rr.type, rdata(rr)))
end
