-- capfiles.lua - what the capture file specs share: Scapy, tshark and
-- capinfos as oracles, whole-file reads and writes, and a way to see what
-- the library warns on stderr.
local M = {}

local function shquote(s) return "'" .. s:gsub("'", "'\\''") .. "'" end

-- Runs Python code with Scapy imported; returns its stdout (raises with
-- its output if it fails).
function M.scapy(code)
  local out, status = H.run(H.python .. " -c " .. shquote(
    "import logging; logging.getLogger('scapy').setLevel(40)\nfrom scapy.all import *\n"
    .. code) .. " 2>&1")
  assert(status == 0, "Scapy failed: " .. out)
  return out
end

-- tshark's fields for each frame of path: a list of tab-separated lines,
-- and what it said on stderr (a damaged file).
function M.tshark(path, fields)
  local cmd = { "tshark -n -r", shquote(path), "-T fields" }
  for _, f in ipairs(fields) do cmd[#cmd + 1] = "-e " .. f end
  local err = os.tmpname()
  local out = H.run(table.concat(cmd, " ") .. " 2>" .. err)
  local f = io.open(err, "rb")
  local msg = f:read("a"):gsub("[^\n]*Running as user[^\n]*\n", "")
  f:close()
  os.remove(err)
  local lines = {}
  for l in out:gmatch("[^\n]*\n") do lines[#lines + 1] = l:sub(1, -2) end
  return lines, msg
end

-- capinfos' table row for path with the given flags (-E encapsulation,
-- -t file type), as a list of columns after the file name.
function M.capinfos(path, flags)
  local out = H.run("capinfos -T -r " .. flags .. " " .. shquote(path) .. " 2>&1")
  local cols = {}
  for c in out:gsub("\n$", ""):gmatch("[^\t]+") do cols[#cols + 1] = c end
  table.remove(cols, 1)
  return cols
end

function M.slurp(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("a")
  f:close()
  return s
end

function M.spit(path, s)
  local f = assert(io.open(path, "wb"))
  f:write(s)
  f:close()
end

-- Calls fn; returns what it wrote to io.stderr, then its results.
function M.stderr_of(fn)
  local real, got = io.stderr, {}
  io.stderr = { write = function(self, ...)
    for _, s in ipairs({ ... }) do got[#got + 1] = tostring(s) end
    return self
  end }
  local res = table.pack(pcall(fn))
  io.stderr = real
  if not res[1] then error(res[2], 0) end
  return table.concat(got), table.unpack(res, 2, res.n)
end

return M
