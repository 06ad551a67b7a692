-- pkt/diagram.lua - pictures of packets: each layer as an RFC-style bit
-- diagram (p:diagram()) and an exchange as a ladder, one column a host
-- (pkts:flow()); as text (ASCII, or box drawing and colour on a
-- terminal) or as a standalone SVG file (pkt/svg.lua).  The boxes come
-- from the descriptors' fields, so any layer draws without code of its own.
local fmt = require "pkt.format"
local colour = require "pkt.colour"
local svg = require "pkt.svg"

local M = {}
local P, descs

function M.init(p, d) P, descs = p, d end

local ROW = 32                  -- bits a row, as the RFCs draw them

-- Boxes of one layer -------------------------------------------------

-- The fields a layer has, one entry a name; a name with two layouts
-- (ICMP's unused) keeps them all as alternatives.
local function present_fields(l, d)
  local has, out, seen = P.present(l), {}, {}
  for _, fd in ipairs(d.fields) do
    if has[fd.name] then
      local e = seen[fd.name]
      if e then
        e.alts[#e.alts + 1] = fd
      else
        e = { fd = fd, alts = { fd } }
        seen[fd.name], out[#out + 1] = e, e
      end
    end
  end
  return out
end

-- Byte length of a variable field when the value says it (a byte
-- string); nil for other kinds, whose wire form only the core knows.
local function known_len(l, fd)
  if fd.type == "bytes" then
    local v = P.value(l, fd.name)
    return type(v) == "string" and #v or 0
  end
end

-- The layout of the alternatives that makes the fields fill the header.
local function choose(l, entries, nbits)
  local function total()
    local fixed, unknown = 0, 0
    for _, e in ipairs(entries) do
      if e.fd.bits > 0 then fixed = fixed + e.fd.bits
      else
        local n = known_len(l, e.fd)
        if n then fixed = fixed + 8 * n else unknown = unknown + 1 end
      end
    end
    return fixed, unknown
  end
  for _, e in ipairs(entries) do
    if #e.alts > 1 then
      for _, alt in ipairs(e.alts) do
        e.fd = alt
        local fixed, unknown = total()
        if fixed == nbits or (unknown > 0 and fixed <= nbits) then break end
      end
    end
  end
  return total()
end

-- A value as one line of text: control bytes, and bytes that are not
-- UTF-8 (a name off the wire may hold any), as \xNN.
local function printable(v)
  local function hex(c) return ("\\x%02x"):format(c:byte()) end
  v = v:gsub("[%z\1-\31\127]", hex)
  if not utf8.len(v) then v = v:gsub("[\128-\255]", hex) end
  return v
end

-- boxes(l, d, nbytes) -> list of {name, value, bits, bytes}: the
-- fields of layer l (descriptor d, nbytes of header) in wire order.
-- bits is the field's width; a variable part has bits 0 and its length
-- in bytes (nil when it cannot be told apart from another variable part).
local function boxes(l, d, nbytes)
  local entries = present_fields(l, d)
  local fixed, unknown = choose(l, entries, nbytes * 8)
  local rest = nbytes * 8 - fixed
  -- where the core read each field on the wire: a variable part's length
  -- is the distance to the next field (or the header's end)
  local start = entries[1] and P.fieldpos(l, entries[1].fd.name)
  local function wire_len(k)
    local a, nxt = P.fieldpos(l, entries[k].fd.name), entries[k + 1]
    local b = nxt and P.fieldpos(l, nxt.fd.name) or (not nxt and start and start + nbytes)
    if a and b and b >= a then return b - a end
  end
  local out = {}
  for k, e in ipairs(entries) do
    local fd, b = e.fd, { name = e.fd.name }
    if fd.bits > 0 then
      b.bits, b.value = fd.bits, fmt.value(l, fd)
    else
      b.bits = 0
      b.bytes = wire_len(k) or known_len(l, fd)
      if not b.bytes and unknown == 1 and rest >= 0 then b.bytes = rest // 8 end
      local v = P.value(l, fd.name)
      b.value = v ~= nil and fmt.value(l, fd) or ""
      -- records as <Item a=1>: Scapy's "|>" would read as a box's edge
      if fd.type == "records" then b.value = b.value:gsub("%s*|>", ">"):gsub("  +", " ") end
    end
    b.value = printable(b.value)
    if b.bits > 0 or b.bytes ~= 0 then out[#out + 1] = b end
  end
  return out
end

-- The layers of p, each with its header length (its bytes less the
-- next layer's), from the packet as built.  A layer of a packet (p[UDP])
-- is drawn as it is on the wire in that packet: its checksum covers the
-- IP addresses below it.
function M.layers(p)
  local root, from = P.root(p)
  local b = root:built()
  local n = P.nlayers(b)
  local t, lens = {}, {}
  for i = from, n do lens[i] = #b[i] end
  for i = from, n do
    local l = b[i]
    local d = descs[P.proto(l)]
    local nbytes = lens[i] - (lens[i + 1] or 0)
    local st, cut = P.status(l)
    t[#t + 1] = { name = d.name, longname = d.longname, bytes = nbytes, boxes = boxes(l, d, nbytes), index = i,
      note = cut and (st == "truncated" and "a truncated %s header" or "not a valid %s header"):format(cut) }
  end
  return t
end

-- Geometry ------------------------------------------------------------

-- A variable part's drawn width: its own when it fits in two rows, else
-- squeezed to between one and two rows ending at the column where its
-- real end falls, so what follows stays on its true bit.
local function drawn_width(b, col)
  if b.bits > 0 then return b.bits, false end
  if not b.bytes then return ROW - col, true end
  local w = 8 * b.bytes
  if w <= 2 * ROW then return w, false end
  return (w - 1) % ROW + ROW + 1, true
end

function M.nbytes(n) return n == 1 and "1 byte" or ("%d bytes"):format(n) end

local function fit(s, width, mark)
  local n = utf8.len(s) or #s
  if n <= width then
    local left = (width - n) // 2
    return (" "):rep(left) .. s .. (" "):rep(width - n - left), false
  end
  if width <= 0 then return "", true end
  local cut = s:sub(1, utf8.offset(s, width) - 1)
  return cut .. mark, true
end

-- geometry(layer, mark) -> {rows, hz, vt, texts, notes}: the box edges
-- on a grid of bits (hz[s][c]: a line under bit c at row boundary s;
-- vt[r][c]: "|" or "~" left of bit c in row r) and each box's text.
local function geometry(layer, mark)
  local owner, segs, squeezed, at = {}, {}, {}, 0
  for bi, b in ipairs(layer.boxes) do
    local w, sq = drawn_width(b, at % ROW)
    squeezed[bi] = sq
    segs[bi] = {}
    for bit = at, at + w - 1 do
      local r, c = bit // ROW + 1, bit % ROW
      owner[r] = owner[r] or {}
      owner[r][c] = bi
      local sg = segs[bi][#segs[bi]]
      if sg and sg.r == r then sg.c1 = c else segs[bi][#segs[bi] + 1] = { r = r, c0 = c, c1 = c } end
    end
    at = at + w
  end
  local rows = #owner
  local g = { rows = rows, hz = {}, vt = {}, texts = {}, notes = {}, name = layer.name,
    heading = ("%s (%s)%s"):format(layer.longname, M.nbytes(layer.bytes),
      layer.note and ": " .. layer.note or "") }
  for s = 0, rows do
    local up, down, line = owner[s] or {}, owner[s + 1] or {}, {}
    for c = 0, ROW - 1 do
      if up[c] ~= down[c] then line[c] = true end
    end
    g.hz[s] = line
  end
  for r = 1, rows do
    local o, line = owner[r], {}
    for c = 0, ROW do
      local a, b = o[c - 1], o[c]
      if a ~= b then line[c] = ((a and squeezed[a]) or (b and squeezed[b])) and "~" or "|" end
    end
    g.vt[r] = line
  end
  g.segs = {}
  for _, list in ipairs(segs) do
    for _, sg in ipairs(list) do g.segs[#g.segs + 1] = sg end
  end
  for bi, b in ipairs(layer.boxes) do
    local best
    for _, sg in ipairs(segs[bi]) do
      if not best or sg.c1 - sg.c0 > best.c1 - best.c0 then best = sg end
    end
    local width = 2 * (best.c1 - best.c0) + 1
    local name, value = b.name, b.value
    if b.bits == 0 then
      name = b.bytes and ("%s (%s)"):format(b.name, M.nbytes(b.bytes)) or b.name
    end
    local n, cut1 = fit(name, width, mark)
    local v, cut2 = fit(value, width, mark)
    g.texts[#g.texts + 1] = { r = best.r, c0 = best.c0, c1 = best.c1, n, v }
    -- a part that wrapped to another row without touching the rest of
    -- the box (ARP's psrc) is named again
    for _, sg in ipairs(segs[bi]) do
      local joined = sg == best
      for _, o in ipairs(segs[bi]) do
        if math.abs(o.r - sg.r) == 1 and o.c0 <= sg.c1 and sg.c0 <= o.c1 then joined = true end
      end
      if not joined then
        g.texts[#g.texts + 1] = { r = sg.r, c0 = sg.c0, c1 = sg.c1,
          (fit(b.name, 2 * (sg.c1 - sg.c0) + 1, mark)), "" }
      end
    end
    if (cut1 or cut2) and b.bits > 0 then
      g.notes[#g.notes + 1] = ("%s = %s"):format(b.name, b.value)
    end
  end
  return g
end

-- Text ------------------------------------------------------------------

local ascii = { h = "-", v = "|", sq = "~", mark = "." }
local boxch = { h = "─", v = "│", sq = "┆", mark = "…" }
-- corners by the lines that meet there: up, down, left, right
local corners = {
  ["0011"] = "─", ["0010"] = "─", ["0001"] = "─", ["1100"] = "│", ["1000"] = "│", ["0100"] = "│",
  ["0101"] = "┌", ["0110"] = "┐", ["1001"] = "└", ["1010"] = "┘", ["1101"] = "├", ["1110"] = "┤",
  ["0111"] = "┬", ["1011"] = "┴", ["1111"] = "┼",
}

local function corner(ch, up, down, left, right)
  if not (left or right) and (up == "~" or down == "~") then return ch.sq end
  if ch == ascii then
    if left or right then return "+" end
    return (up or down) and "|" or " "
  end
  local k = (up and "1" or "0") .. (down and "1" or "0") .. (left and "1" or "0") .. (right and "1" or "0")
  return corners[k] or " "
end

-- Cells are {char, is_edge}; edges take the layer's colour.
local function cells_to_string(cells, paint)
  while #cells > 0 and cells[#cells][1] == " " do cells[#cells] = nil end
  local t, run, edge = {}, {}, nil
  local function flush()
    if #run > 0 then
      local s = table.concat(run)
      t[#t + 1] = edge and paint(s) or s
      run = {}
    end
  end
  for _, cell in ipairs(cells) do
    if cell[2] ~= edge then flush(); edge = cell[2] end
    run[#run + 1] = cell[1]
  end
  flush()
  return table.concat(t)
end

local RULER = " 0                   1                   2                   3\n"
  .. " 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1"

local function layer_text(g, ch, paint, head)
  local out = { head(g.heading), RULER }
  local width = 2 * ROW
  for s = 0, g.rows do
    local cells, hz = {}, g.hz[s]
    local up, down = g.vt[s] or {}, g.vt[s + 1] or {}
    for x = 0, width do
      local c = x // 2
      if x % 2 == 0 then
        cells[#cells + 1] = { corner(ch, up[c], down[c], hz[c - 1], hz[c]), true }
      else
        cells[#cells + 1] = { hz[c] and ch.h or " ", true }
      end
    end
    out[#out + 1] = cells_to_string(cells, paint)
    if s < g.rows then
      local r = s + 1
      for k = 1, 2 do
        cells = {}
        for x = 0, width do cells[x + 1] = { " ", false } end
        for c, v in pairs(g.vt[r]) do cells[2 * c + 1] = { v == "~" and ch.sq or ch.v, true } end
        for _, tx in ipairs(g.texts) do
          if tx.r == r then
            local x = 2 * tx.c0 + 1
            for _, code in utf8.codes(tx[k]) do
              cells[x + 1] = { utf8.char(code), false }
              x = x + 1
            end
          end
        end
        out[#out + 1] = cells_to_string(cells, paint)
      end
    end
  end
  for _, n in ipairs(g.notes) do out[#out + 1] = "  " .. n end
  return table.concat(out, "\n") .. "\n"
end

local function out(s, dump)
  if dump then return s end
  io.write(s)
end

local function check_opts(opts, what, allowed)
  if opts == nil then return {} end
  if type(opts) ~= "table" then
    error(("%s takes an option table, e.g. %s{svg=\"x.svg\"}, got %s"):format(what, what, type(opts)), 4)
  end
  for k in pairs(opts) do
    if not allowed[k] then
      local names = {}
      for n in pairs(allowed) do names[#names + 1] = n end
      table.sort(names)
      error(("%s: unknown option '%s'; the options are: %s"):format(what, tostring(k),
        table.concat(names, ", ")), 4)
    end
  end
  if opts.svg ~= nil and type(opts.svg) ~= "string" then
    error(("%s: svg= takes a file name, got %s"):format(what, type(opts.svg)), 4)
  end
  return opts
end

local function style(opts)
  local dump = opts.dump or opts.svg
  local ch = colour.boxes(dump, opts.boxes) and boxch or ascii
  return ch, colour.on(dump, opts.color)
end

local DIAGRAM_OPTS = { svg = true, dump = true, color = true, boxes = true }

-- p:diagram{svg=, dump=, color=, boxes=}: the packet's layers as bit
-- diagrams; svg writes a file instead, dump returns the text.
function M.packet(p, opts)
  opts = check_opts(opts, "diagram", DIAGRAM_OPTS)
  local layers = M.layers(p)
  local ch, paint_on = style(opts)
  local geoms = {}
  for i, layer in ipairs(layers) do geoms[i] = geometry(layer, ch.mark) end
  if opts.svg then return svg.diagram(opts.svg, geoms, ROW) end
  local t = {}
  for i, g in ipairs(geoms) do
    local code = paint_on and colour.layer(layers[i].index)
    local function paint(s) return colour.paint(code, s) end
    local function head(s) return colour.paint(code and "1;" .. code, s) end
    t[i] = layer_text(g, ch, paint, head)
  end
  return out(table.concat(t, "\n"), opts.dump)
end

-- Flows ---------------------------------------------------------------

-- The two ends of a packet: the first layer whose source and
-- destination roles are not link addresses (IP, ARP's protocol
-- addresses), else the link layer's; and the link source.
local function ends(p)
  local net, link
  for i = 1, P.nlayers(p) do
    local l = p[i]
    local d = descs[P.proto(l)]
    local s, t = d.roles.src, d.roles.dst
    if s and t then
      local pair = { fmt.value(l, s), fmt.value(l, t), i }
      if s.type == "mac" then link = link or pair
      else net = pair; break end
    end
  end
  return net or link, link
end

-- The summary without what the ladder shows already: the bare names of
-- the layers up to the one giving the ends, and "src > dst" (ports stay).
local function label(p, e)
  local parts = {}
  for s in (p:summary() .. " / "):gmatch("(.-) / ") do parts[#parts + 1] = s end
  local first = 1
  for i = 1, math.min(e and e[3] or 0, #parts) do
    if parts[i]:find("^[%w_]+$") then first = i + 1 else break end
  end
  local s = table.concat(parts, " / ", math.min(first, #parts))
  if e then
    local a, b = e[1]:gsub("%p", "%%%0"), e[2]:gsub("%p", "%%%0")
    s = s:gsub(a .. "(:?)(%S*) > " .. b .. ":?(%S*)", function(colon, sp, dp)
      return colon ~= "" and (sp .. " > " .. dp) or ""
    end)
  end
  return (s:gsub("%s+", " "):gsub("^ ", ""):gsub(" $", ""))
end

-- The packets of a list in time order: an sr answer's pairs give both.
local function flatten(l)
  local t = {}
  for _, x in ipairs(l) do
    if P.is_packet(x) then t[#t + 1] = x
    elseif type(x) == "table" and P.is_packet(x[1]) then
      t[#t + 1] = x[1]
      if P.is_packet(x[2]) then t[#t + 1] = x[2] end
    end
  end
  -- a packet sr sent is placed when it left, a captured one when it came
  for i, p in ipairs(t) do t[i] = { p = p, t = p.sent_time or p.time, i = i } end
  table.sort(t, function(a, b)
    if a.t and b.t and a.t ~= b.t then return a.t < b.t end
    return a.i < b.i
  end)
  return t
end

-- flow_model(l) -> hosts {name, mac}, arrows {t, from, to, label}
function M.flow_model(l)
  local hosts, index, arrows, t0 = {}, {}, {}, nil
  local function host(addr)
    local h = index[addr]
    if not h then
      h = { name = addr }
      hosts[#hosts + 1] = h
      h.n = #hosts
      index[addr] = h
    end
    return h
  end
  -- a host known by its address elsewhere in the exchange is one
  -- column, also for the frames that show only its MAC
  local packets, ip_of = flatten(l), {}
  for _, x in ipairs(packets) do
    x.b = x.p:built()      -- addresses as sent: an unset source is filled in
    x.e, x.link = ends(x.b)
    if x.link and x.e ~= x.link and not ip_of[x.link[1]] then ip_of[x.link[1]] = x.e[1] end
  end
  for _, x in ipairs(packets) do
    local e, link = x.e, x.link
    local a, b
    if e == link and e then
      a, b = host(ip_of[e[1]] or e[1]), host(ip_of[e[2]] or e[2])
    elseif e then
      a, b = host(e[1]), host(e[2])
    else
      a, b = host("?"), host("?")
    end
    if link and e ~= link and not a.mac and ip_of[link[1]] == e[1] then a.mac = link[1] end
    t0 = t0 or x.t
    arrows[#arrows + 1] = { t = x.t and t0 and x.t - t0, from = a.n, to = b.n, label = printable(label(x.b, e)) }
  end
  return { hosts = hosts, arrows = arrows }
end

-- Hosts beyond what the width holds share the last column.
local function fold_hosts(m, width, lane)
  local fit = math.max(2, (width - 12 - 16) // lane)
  if #m.hosts <= fit then return end
  local others = { name = ("%d others"):format(#m.hosts - fit + 1), n = fit }
  for k = fit, #m.hosts do m.hosts[k] = nil end
  m.hosts[fit] = others
  for _, a in ipairs(m.arrows) do
    a.from, a.to = math.min(a.from, fit), math.min(a.to, fit)
  end
end

-- Rows that fit the height: the first and last ones, and a fold between.
local function fold_rows(arrows, height)
  if not height or #arrows <= height then return arrows end
  local keep = math.max(2, height - 1)
  local head = (keep + 1) // 2
  local tail = keep - head
  local t = {}
  for i = 1, head do t[#t + 1] = arrows[i] end
  t[#t + 1] = { fold = #arrows - head - tail }
  for i = #arrows - tail + 1, #arrows do t[#t + 1] = arrows[i] end
  return t
end

local function arrow_cells(a, lanes, ch, total)
  local cells = {}
  for x = 1, total do cells[x] = " " end
  for _, x in ipairs(lanes) do cells[x] = ch.v end
  local x1, x2 = lanes[a.from], lanes[a.to]
  if x1 == x2 then
    cells[x1] = ch.self
  else
    local lo, hi = math.min(x1, x2), math.max(x1, x2)
    for x = lo + 1, hi - 1 do cells[x] = ch.h end
    if x2 > x1 then cells[hi - 1] = ch.right else cells[lo + 1] = ch.left end
  end
  return table.concat(cells)
end

local FLOW_OPTS = { svg = true, dump = true, color = true, boxes = true, width = true, height = true }
local flow_ascii = { v = "|", h = "-", right = ">", left = "<", self = "@", more = "... %d more ..." }
local flow_box = { v = "│", h = "─", right = "▶", left = "◀", self = "↻", more = "… %d more …" }

local function pad_center(s, w)
  local n = utf8.len(s) or #s
  if n >= w then return s end
  local left = (w - n) // 2
  return (" "):rep(left) .. s .. (" "):rep(w - n - left)
end

-- pkts:flow{svg=, dump=, width=, height=, color=, boxes=}: the exchange as
-- a ladder; on a terminal it folds to the terminal's size.
function M.flow(l, opts)
  opts = check_opts(opts, "flow", FLOW_OPTS)
  for _, k in ipairs({ "width", "height" }) do
    if opts[k] ~= nil and (math.type(opts[k]) ~= "integer" or opts[k] < 1) then
      error(("flow: %s= takes a whole number of characters, got %s"):format(k, tostring(opts[k])), 3)
    end
  end
  local m = M.flow_model(l)
  if opts.svg then return svg.flow(opts.svg, m) end
  if #m.arrows == 0 then return out("(no packets)\n", opts.dump) end
  local ch = colour.boxes(opts.dump, opts.boxes) and flow_box or flow_ascii
  local paint_on = colour.on(opts.dump, opts.color)
  local tw, th = nil, nil
  if not opts.dump then tw, th = colour.size() end
  -- height counts every line of the picture; a terminal keeps one for the prompt
  local width, height = opts.width or tw, opts.height or (th and th - 1)
  local lane = 8
  for _, h in ipairs(m.hosts) do
    lane = math.max(lane, #h.name + 2, h.mac and #h.mac + 2 or 0)
  end
  if width then fold_hosts(m, width, lane) end
  local tcol = 10
  for _, a in ipairs(m.arrows) do
    if a.t then tcol = math.max(tcol, #("%.6f"):format(a.t) + 2) end
  end
  local lanes, total = {}, 0
  for k = 1, #m.hosts do lanes[k] = (k - 1) * lane + lane // 2 + 1; total = k * lane end
  local t = {}
  -- the label gives way when the line is too long for the width
  local room = width and math.max(0, width - tcol - total - 2)
  local function row(left, mid, right)
    if room and (utf8.len(right) or #right) > room then
      right = right:sub(1, utf8.offset(right, room + 1) - 1)
    end
    local s = (" "):rep(tcol - #left) .. left .. mid .. (right ~= "" and "  " .. right or "")
    t[#t + 1] = (s:gsub("%s+$", ""))
  end
  local names, macs = {}, {}
  for k, h in ipairs(m.hosts) do
    names[k] = pad_center(h.name, lane)
    macs[k] = pad_center(h.mac or "", lane)
  end
  local head = table.concat(names)
  row("", paint_on and colour.paint("1", head) or head, "")
  if next(macs) and table.concat(macs):find("%S") then row("", table.concat(macs), "") end
  local idle = arrow_cells({ from = 1, to = 1 }, lanes, { v = ch.v, self = ch.v }, total)
  row("", idle, "")
  for _, a in ipairs(fold_rows(m.arrows, height and math.max(3, height - #t))) do
    if a.fold then
      row("", idle, (ch.more):format(a.fold))
    else
      local cells = arrow_cells(a, lanes, ch, total)
      if paint_on then cells = colour.paint(colour.layer(a.from), cells) end
      row(a.t and ("%.6f"):format(a.t) or "", cells, a.label)
    end
  end
  return out(table.concat(t, "\n") .. "\n", opts.dump)
end

return M
