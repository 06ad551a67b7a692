-- pkt/services.lua - service names of TCP and UDP ports, as Scapy's show()
-- prints them (dport = telnet), read from the pinned registry
-- vendor/services (Debian netbase's /etc/services, source and date in
-- its header).  Numbers stay numbers everywhere else.
local M = {}

-- The registry's text: embedded in the pktlua host; beside the modules
-- in a source tree (bindings/pkt -> vendor) or an install (pkt/services.txt).
local function registry()
  local ok, text = pcall(require, "pkt.services_db")
  if ok and type(text) == "string" then return text end
  local here = package.searchpath("pkt.services", package.path)
  local dir = here and here:match("^(.*/)") or "./"
  for _, path in ipairs({ dir .. "services.txt", dir .. "../../vendor/services" }) do
    local f = io.open(path)
    if f then
      local s = f:read("a")
      f:close()
      return s
    end
  end
  return ""
end

-- By protocol, port -> name and name -> port.  As Scapy reads the
-- file: a later line for a port wins, a range "a-b" names each port,
-- and a name is made an identifier (ftp-data -> ftp_data).
local by_port, by_name

local function load()
  by_port, by_name = { tcp = {}, udp = {} }, { tcp = {}, udp = {} }
  for line in registry():gmatch("[^\n]+") do
    local name, lo, hi, proto = line:gsub("#.*", ""):match("^%s*(%S+)%s+(%d+)%-?(%d*)/(%a+)")
    if name and by_port[proto] then
      name = name:gsub("[^%w_]", "_"):gsub("^(%d)", "n_%1")
      for port = tonumber(lo), tonumber(hi ~= "" and hi or lo) do
        by_port[proto][port] = name
        by_name[proto][name] = by_name[proto][name] or port
      end
    end
  end
end

-- name("tcp", 23) -> "telnet" | nil
function M.name(proto, port)
  if not by_port then load() end
  local t = by_port[proto]
  return t and t[port]
end

-- port("udp", "domain") -> 53 | nil
function M.port(proto, name)
  if not by_name then load() end
  local t = by_name[proto]
  return t and t[name]
end

-- Which fields hold a port of which registry.
local ports = { TCP = "tcp", TCPerror = "tcp", UDP = "udp", UDPerror = "udp" }
local port_fields = { sport = true, dport = true }

-- field(layer, field, value) -> the service name show() prints for
-- that field's value, or nil to print the number: the one call the
-- printing code makes, field("TCP", "dport", 23) -> "telnet".
function M.field(layer, field, value)
  local proto = ports[layer]
  if proto and port_fields[field] then return M.name(proto, value) end
end

-- number("UDP", "dport", "domain") -> 53 | nil: a port a script gives
-- by its service name, as Scapy takes UDP(dport="domain").
function M.number(layer, field, name)
  local proto = ports[layer]
  if proto and port_fields[field] then return M.port(proto, name) end
end

return M
