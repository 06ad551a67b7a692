-- syn_scan.lua - which ports of a host are open? Send a TCP SYN to each:
-- SYN-ACK means open, RST closed, silence filtered.
--   Scapy: ans, unans = sr(IP(dst=host)/TCP(dport=ports, flags="S"), timeout=2)
local o = require("pkt.cli").parse(arg, "Scan TCP ports of a host with SYN packets.", {
  { "ports", "p", "ports, comma-separated or ranges", default = "22,80,443,8080,9090" },
  { "timeout", "t", "seconds to wait for answers", default = 2, number = true },
}, " HOST")
local host = o[1] or "198.51.100.12"

local ports = {}
for item in o.ports:gmatch("[^,]+") do
  local a, b = item:match("^(%d+)%-(%d+)$")
  for p = tonumber(a or item), tonumber(b or item) do ports[#ports + 1] = p end
end

local probes = {}
for i, port in ipairs(ports) do
  probes[i] = IP{dst=host} / TCP{sport=40000 + i, dport=port, flags="S", seq=1000 + i}
end
local ans = sr(probes, {timeout=o.timeout, verbose=false})

local state = {}
for _, pair in ipairs(ans) do
  local flags = pair[2][TCP] and pair[2][TCP].flags or ""
  state[pair[1][TCP].dport] = flags:find("S") and flags:find("A") and "open"
                              or flags:find("R") and "closed" or "filtered"
end
print(("PORT     STATE     (%s)"):format(host))
for _, port in ipairs(ports) do
  print(("%-8s %s"):format(port .. "/tcp", state[port] or "filtered"))
end
