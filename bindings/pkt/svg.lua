-- pkt/svg.lua - the diagrams of pkt/diagram.lua as standalone SVG files
-- for slides and lab reports: the same boxes, text and arrows, with only
-- generic font names (no external fonts, no scripts).
local M = {}

local fills = { "#d8f3f6", "#fbf1c7", "#ddf5d8", "#f3ddf3", "#dde6fb", "#f9dcdc" }
local inks = { "#1b7f8a", "#8a6d00", "#2d7d2d", "#8a2d8a", "#2d4f9a", "#9a2d2d" }
local function pick(t, i) return t[(i - 1) % #t + 1] end

local function esc(s)
  return (tostring(s):gsub("[&<>\"]", { ["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;", ['"'] = "&quot;" }))
end

local FONT = 'font-family="DejaVu Sans Mono, Menlo, Consolas, monospace"'

local function text(t, x, y, s, attrs)
  t[#t + 1] = ('<text x="%g" y="%g" %s%s>%s</text>'):format(x, y, FONT, attrs or "", esc(s))
end

local function line(t, x1, y1, x2, y2, attrs)
  t[#t + 1] = ('<line x1="%g" y1="%g" x2="%g" y2="%g"%s/>'):format(x1, y1, x2, y2, attrs or "")
end

local function write(path, w, h, body)
  local f, why = io.open(path, "w")
  if not f then
    error(("cannot write the SVG file: %s; give svg= a path in a directory you can write"):format(why), 4)
  end
  f:write(('<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" '
    .. 'width="%d" height="%d" viewBox="0 0 %d %d">\n'):format(w, h, w, h))
  f:write(('<rect x="0" y="0" width="%d" height="%d" fill="#ffffff"/>\n'):format(w, h))
  f:write(table.concat(body, "\n"), "\n</svg>\n")
  f:close()
  return path
end

local BIT, ROWH, MARGIN = 16, 36, 12

-- diagram(path, geoms, row): each layer's geometry (pkt/diagram.lua) as
-- boxes on a grid of bits, its heading and bit ruler above.
function M.diagram(path, geoms, row)
  local t, y = {}, MARGIN
  local width = 2 * MARGIN + row * BIT
  for i, g in ipairs(geoms) do
    local ink = pick(inks, i)
    text(t, MARGIN, y + 14, g.heading, (' font-size="14" font-weight="bold" fill="%s"'):format(ink))
    y = y + 22
    for c = 0, row - 1 do
      text(t, MARGIN + c * BIT + BIT / 2, y + 10, tostring(c % 10),
        ' font-size="9" text-anchor="middle" fill="#666666"')
    end
    y = y + 16
    for _, sg in ipairs(g.segs) do
      t[#t + 1] = ('<rect x="%g" y="%g" width="%g" height="%g" fill="%s"/>'):format(
        MARGIN + sg.c0 * BIT, y + (sg.r - 1) * ROWH, (sg.c1 - sg.c0 + 1) * BIT, ROWH, pick(fills, i))
    end
    local stroke = (' stroke="%s" stroke-width="1.5"'):format(ink)
    for s = 0, g.rows do
      local c = 0
      while c < row do
        if g.hz[s][c] then
          local c1 = c
          while g.hz[s][c1 + 1] do c1 = c1 + 1 end
          line(t, MARGIN + c * BIT, y + s * ROWH, MARGIN + (c1 + 1) * BIT, y + s * ROWH, stroke)
          c = c1 + 1
        else
          c = c + 1
        end
      end
    end
    for r = 1, g.rows do
      for c, v in pairs(g.vt[r]) do
        line(t, MARGIN + c * BIT, y + (r - 1) * ROWH, MARGIN + c * BIT, y + r * ROWH,
          stroke .. (v == "~" and ' stroke-dasharray="4 3"' or ""))
      end
    end
    for _, tx in ipairs(g.texts) do
      local x = MARGIN + (tx.c0 + tx.c1 + 1) / 2 * BIT
      local y0 = y + (tx.r - 1) * ROWH
      text(t, x, y0 + 15, (tx[1]:gsub("^%s+", ""):gsub("%s+$", "")),
        ' font-size="11" text-anchor="middle" fill="#000000"')
      text(t, x, y0 + 30, (tx[2]:gsub("^%s+", ""):gsub("%s+$", "")),
        (' font-size="11" text-anchor="middle" fill="%s"'):format(ink))
    end
    y = y + g.rows * ROWH + 6
    for _, n in ipairs(g.notes) do
      text(t, MARGIN + 8, y + 12, n, ' font-size="11" fill="#333333"')
      y = y + 16
    end
    y = y + 14
  end
  return write(path, width, y + MARGIN, t)
end

local LANE, STEP, TIMEW, LABELW = 150, 26, 90, 380

-- flow(path, model): one lane a host, one arrow a packet, its relative
-- time on the left and its label on the right.
function M.flow(path, m)
  local t = {}
  t[#t + 1] = '<defs><marker id="head" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" '
    .. 'markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#333333"/></marker></defs>'
  local function lx(k) return MARGIN + TIMEW + (k - 0.5) * LANE end
  local top = MARGIN + 40
  local bottom = top + (#m.arrows + 1) * STEP
  for k, h in ipairs(m.hosts) do
    text(t, lx(k), MARGIN + 14, h.name,
      (' font-size="13" font-weight="bold" text-anchor="middle" fill="%s"'):format(pick(inks, k)))
    if h.mac then text(t, lx(k), MARGIN + 30, h.mac, ' font-size="10" text-anchor="middle" fill="#555555"') end
    line(t, lx(k), top, lx(k), bottom, (' stroke="%s" stroke-width="2"'):format(pick(inks, k)))
  end
  for i, a in ipairs(m.arrows) do
    local y = top + i * STEP
    if a.t then
      text(t, MARGIN + TIMEW - 8, y + 4, ("%.6f"):format(a.t), ' font-size="11" text-anchor="end" fill="#333333"')
    end
    local x1, x2 = lx(a.from), lx(a.to)
    local ink = (' stroke="%s" stroke-width="1.5"'):format(pick(inks, a.from))
    if x1 == x2 then
      t[#t + 1] = ('<path d="M%g,%g h24 v10 h-24" fill="none"%s marker-end="url(#head)"/>'):format(x1, y - 5, ink)
    else
      line(t, x1, y, x2, y, ink .. ' marker-end="url(#head)"')
    end
    text(t, MARGIN + TIMEW + #m.hosts * LANE + 10, y + 4, a.label, ' font-size="11" fill="#000000"')
  end
  return write(path, MARGIN * 2 + TIMEW + #m.hosts * LANE + LABELW, bottom + MARGIN, t)
end

return M
