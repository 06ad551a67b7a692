-- pkt/cli.lua - command-line options for scripts, so each demo states
-- its options in one table and gets --help, defaults and checks:
--
--   local o = require("pkt.cli").parse(arg, "sniff.lua: print sniffed packets", {
--     { "iface", "i", "interface to sniff on", default = nil },
--     { "count", "c", "packets to catch", default = 5, number = true },
--   })
--   -- o.iface, o.count, and o[1], o[2]... for the arguments that remain
local M = {}

local function usage(prog, about, spec, positional)
  local t = { about, "", ("usage: pktlua %s [options]%s"):format(prog, positional or ""), "", "options:" }
  for _, s in ipairs(spec) do
    local flag = (s[2] and ("-%s, "):format(s[2]) or "    ") .. "--" .. s[1]
    if not s.flag then flag = flag .. (s.number and " N" or " VALUE") end
    local def = s.default ~= nil and (" (default: %s)"):format(tostring(s.default)) or ""
    t[#t + 1] = ("  %-26s %s%s"):format(flag, s[3], def)
  end
  t[#t + 1] = ("  %-26s %s"):format("-h, --help", "show this help")
  return table.concat(t, "\n")
end

function M.parse(argv, about, spec, positional)
  local prog = (argv and argv[0] or "script"):match("[^/]*$")
  local o, byname = {}, {}
  for _, s in ipairs(spec) do
    byname["--" .. s[1]] = s
    if s[2] then byname["-" .. s[2]] = s end
    o[s[1]] = s.default
  end
  local i = 1
  while argv and argv[i] do
    local a = argv[i]
    local name, inline = a:match("^(%-%-?[^=]+)=(.*)$")
    name = name or a
    if a == "-h" or a == "--help" then
      print(usage(prog, about, spec, positional))
      os.exit(0)
    elseif a == "--" then
      for j = i + 1, #argv do o[#o + 1] = argv[j] end
      break
    elseif byname[name] then
      local s = byname[name]
      local v = true
      if not s.flag then
        v = inline
        if v == nil then i = i + 1; v = argv[i] end
        if v == nil then
          io.stderr:write(("%s: option %s needs a value\n%s\n"):format(prog, name, usage(prog, about, spec, positional)))
          os.exit(2)
        end
        if s.number then
          local n = tonumber(v)
          if not n then
            io.stderr:write(("%s: option %s takes a number, got '%s'\n"):format(prog, name, v))
            os.exit(2)
          end
          v = n
        end
      end
      o[s[1]] = v
    elseif a:sub(1, 1) == "-" and #a > 1 and not tonumber(a) then
      io.stderr:write(("%s: unknown option %s\n%s\n"):format(prog, a, usage(prog, about, spec, positional)))
      os.exit(2)
    else
      o[#o + 1] = a
    end
    i = i + 1
  end
  return o
end

-- Backslash escapes typed on a command line ("Hello UDP!\n") made real.
function M.unescape(s)
  local map = { n = "\n", t = "\t", r = "\r", ["\\"] = "\\", ["0"] = "\0" }
  return (s:gsub("\\(.)", function(c) return map[c] or "\\" .. c end))
end

-- iface(name, family) -> name, or else the first interface that is up,
-- not loopback, with an address of the family ("ipv4" or "ipv6").
function M.iface(name, family)
  if name then return name end
  for _, i in ipairs(require("pkt").ifaces()) do
    if i.up and not i.loopback and i[family][1] then return i.name end
  end
  error("no interface is up with an " .. family .. " address; name one with --iface", 2)
end

return M
