-- helper.lua - loaded before the specs: where the built pieces are, and
-- small tools the specs share.
local H = {}

H.pktlua = os.getenv("PKTLUA") or "./pktlua"
H.python = "/usr/bin/python3"

function H.hex(s)
  return (s:gsub(".", function(c) return ("%02x"):format(c:byte()) end))
end

function H.unhex(h)
  h = h:gsub("%s", "")
  return (h:gsub("..", function(x) return string.char(tonumber(x, 16)) end))
end

-- Runs a shell command; returns its stdout, and its exit status.
function H.run(cmd)
  local f = assert(io.popen(cmd, "r"))
  local out = f:read("a")
  local ok, how, code = f:close()
  return out, (how == "exit" and code or 128 + (code or 0)), ok
end

-- Writes s to a fresh temporary file; returns the path.
function H.tmpfile(s)
  local path = os.tmpname()
  local f = assert(io.open(path, "wb"))
  f:write(s)
  f:close()
  return path
end

function H.shquote(s)
  return "'" .. s:gsub("'", "'\\''") .. "'"
end

-- Types keys into the pktlua REPL through a pseudo-terminal, with HOME
-- at home (pty_drive.py: "<TAB>", "<INT>", "<EOF>"); returns what it
-- showed, ending with its exit status.
function H.repl(home, keys)
  return H.run(H.python .. " spec/support/pty_drive.py " .. H.shquote(home) .. " " .. H.pktlua
    .. " <<'EOF'\n" .. keys .. "\nEOF\n")
end

-- Runs a pktlua chunk in a lab's host; returns its output (stdout and
-- stderr) and exit status.
function H.lab_pktlua(lab, host, code)
  local out, status, err = lab:run(host, H.pktlua .. " -e " .. H.shquote(code))
  return out .. (err or ""), status
end

_G.H = H

-- For specs that need network namespaces and tools: why they cannot run
-- here (not root, a tool missing), or nil when they can.
function H.lab_missing(tools)
  local ok, netlab = pcall(require, "netlab")
  if not ok then return "scripts/netlab.lua is not on LUA_PATH" end
  local avail, why = netlab.available()
  if not avail then return "needs root and network namespaces: " .. tostring(why) end
  for _, tool in ipairs(tools or {}) do
    if select(2, H.run("command -v " .. tool .. " >/dev/null 2>&1")) ~= 0 then
      return tool .. " is not installed"
    end
  end
end

-- Namespaces left by an earlier run that was killed go first.
local ok, netlab = pcall(require, "netlab")
if ok and netlab.available() then netlab.cleanup_stale() end

return H
