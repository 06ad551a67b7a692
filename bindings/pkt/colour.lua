-- pkt/colour.lua - colour by layer, only where a person reads it: on a
-- terminal, with NO_COLOR unset (no-color.org).  Pipes, files, tests and
-- strings asked for with dump see plain text.
local M = {}

-- One colour a layer, by its place in the packet, so a layer keeps its
-- colour across show(), hexdump() and diagram().
local palette = { "36", "33", "32", "35", "34", "31" }

function M.layer(i) return palette[(i - 1) % #palette + 1] end

local tty       -- whether stdout is a terminal, asked once
local function stdout_tty()
  if tty == nil then tty = os.execute("test -t 1") == true end
  return tty
end

-- on(dump [, force]): whether what is written now gets colour; force
-- (true or false, a script's option) wins over the rule.
function M.on(dump, force)
  if force ~= nil then return force and true or false end
  if dump then return false end
  local no = os.getenv("NO_COLOR")
  if no and no ~= "" then return false end
  return io.output() == io.stdout and stdout_tty()
end

-- Whether box-drawing characters are used: where colour is, so that
-- NO_COLOR gives the plain ASCII a pipe gets.
M.boxes = M.on

-- The terminal's width and height (COLUMNS and LINES first, then stty on
-- the controlling terminal); nil when output is not a terminal.
local size
function M.size()
  if not stdout_tty() or io.output() ~= io.stdout then return nil end
  if not size then
    local w, h = tonumber(os.getenv("COLUMNS")), tonumber(os.getenv("LINES"))
    if not (w and h) then
      local f = io.popen("stty size </dev/tty 2>/dev/null")
      local s = f and f:read("a") or ""
      if f then f:close() end
      local sh, sw = s:match("(%d+)%s+(%d+)")
      w, h = w or tonumber(sw), h or tonumber(sh)
    end
    if not w or w < 20 then w = 80 end
    if not h or h < 5 then h = 24 end
    size = { w, h }
  end
  return size[1], size[2]
end

-- paint(code, s): s in colour code ("36", "1;33"); "" for none.
function M.paint(code, s)
  if not code or code == "" or s == "" then return s end
  return "\27[" .. code .. "m" .. s .. "\27[0m"
end

-- show()'s text coloured: each layer's heading in its colour, field
-- names in it too, values bold.  Records inside a layer keep its colour.
-- first: the place of the first layer shown in its packet (p[IP] is 2).
function M.show(text, first)
  local t, i = {}, (first or 1) - 1
  for line in text:gmatch("([^\n]*)\n") do
    if line:find("^###%[") then
      i = i + 1
      line = M.paint("1;" .. M.layer(i), line)
    elseif i > 0 then
      local ind, name, value = line:match("^(%s*|?%s*)([%w_]+%s*)= (.*)$")
      if ind then
        line = ind .. M.paint(M.layer(i), name) .. "= " .. M.paint("1", value)
      end
    end
    t[#t + 1] = line
  end
  return table.concat(t, "\n") .. "\n"
end

-- Where byte k (from 0) of a hexdump line sits: its two hex digits in
-- the groups of two bytes, its character after them (format.lua's layout).
local function hexcol(k) return 10 + (k // 2) * 5 + (k % 2) * 2 end
local function asciicol(k) return 51 + k end

-- hexdump's text coloured: each layer's bytes in its colour, as
-- Wireshark marks a header in its byte pane; a legend line first.
-- starts[i] is the offset of layer i's first byte, names[i] its name;
-- first as for show().
function M.hexdump(text, starts, names, first)
  local off = (first or 1) - 1
  local function layer_at(off)
    local li = 1
    for i, st in ipairs(starts) do if off >= st then li = i end end
    return li
  end
  local legend = {}
  for i, n in ipairs(names) do legend[i] = M.paint(M.layer(i + off), n) end
  local t = { table.concat(legend, " ") }
  for line in text:gmatch("([^\n]*)\n") do
    local base = tonumber(line:sub(3, 6), 16) or 0
    local nbytes = #line - 50
    local codes = {}
    for k = 0, nbytes - 1 do
      local code = M.layer(layer_at(base + k) + off)
      codes[hexcol(k)], codes[hexcol(k) + 1], codes[asciicol(k)] = code, code, code
    end
    local out, run, cur = {}, {}, nil
    for x = 1, #line do
      local code = codes[x]
      if code ~= cur then
        out[#out + 1] = M.paint(cur, table.concat(run))
        run, cur = {}, code
      end
      run[#run + 1] = line:sub(x, x)
    end
    out[#out + 1] = M.paint(cur, table.concat(run))
    t[#t + 1] = table.concat(out)
  end
  return table.concat(t, "\n") .. "\n"
end

return M
