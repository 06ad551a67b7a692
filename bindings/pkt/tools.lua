-- pkt/tools.lua - more of Scapy's conveniences, over the public packet
-- API: p:sprintf(fmt), p:command(), p:hasflag(name), fuzz(p),
-- hexdiff(a, b) and the packet lists' conversations().
return function(M, I)
  local P, descs, Packet = I.P, I.descs, I.Packet
  local fmt = require "pkt.format"

  local function desc_of(l) return descs[P.proto(l)] end

  -------------------------------------------------------------- sprintf

  -- Python's %-conversions that string.format shares: flags, width,
  -- precision and one conversion letter (Python's %u is %d).
  local function conversion(f)
    local spec, conv = f:match("^([-+ #0]*%d*%.?%d*)([diouxXeEfFgGcs])$")
    if not spec then return nil end
    return "%" .. spec .. (conv == "u" and "d" or conv), conv
  end

  -- The layer a directive names: the num-th from p's first named cls
  -- (any, when nil) that has the field (Scapy counts only those), or nil.
  local function find_layer(p, cls, num, fld)
    for i = 1, P.nlayers(p) do
      local l = p[i]
      local d = desc_of(l)
      if (cls == nil or d.name == cls) and d.fmap[fld] and P.present(l)[fld] then
        if num == 1 then return l, d.fmap[fld] end
        num = num - 1
      end
    end
  end

  local function clock(t)
    t = t or os.time()
    local whole = math.floor(t)
    return os.date("%H:%M:%S", whole) .. (".%06d"):format(math.floor((t - whole) * 1e6))
  end

  -- One %[fmt,][cls[:num].]field% directive, as Scapy's sprintf reads it.
  local function directive(p, body)
    local parts, f, clsfld = {}, "s", nil
    for x in (body .. ","):gmatch("([^,]*),") do parts[#parts + 1] = x end
    if #parts == 1 then clsfld = parts[1]
    elseif #parts == 2 then f, clsfld = parts[1], parts[2]
    else return nil end
    local cls, fld = clsfld:match("^([^.]*)%.([^.]*)$")
    if not cls then
      if clsfld:find(".", 1, true) then return nil end
      -- no class: the first layer that has the field (Scapy asks each
      -- layer from p's first in its own name)
      fld = clsfld
    end
    local num = 1
    local c, n = (cls or ""):match("^([^:]*):(%d+)$")
    if c then cls, num = c, tonumber(n) end
    local raw = f:sub(-1) == "r"
    if raw then f = f:sub(1, -2) end
    if f == "" then f = "s" end
    local spec, conv = conversion(f)
    if not spec then return nil end
    local val
    if fld == "time" then
      val = clock(p.time)
    else
      local l, fd = find_layer(p, cls, num, fld)
      if not l then
        val = "??"
      elseif raw then
        -- the value itself: numbers as numbers, flags as their letters
        -- under %s and their number under a numeric conversion
        val = P.value(l, fld)
        if fd.type == "flags" and conv == "s" then val = fmt.flags(fd, val) end
        if val == nil then val = "None" end
      else
        val = fmt.value(l, fd)
      end
    end
    if conv ~= "s" and conv ~= "c" and math.type(val) == nil then
      val = tonumber(val)
      if not val then
        error(("sprintf: %%%s takes a number, and %s is not one here; write %%%sr,%s%% for the "
          .. "raw value"):format(f, clsfld, f, clsfld), 3)
      end
    end
    if conv:find("[dioxXc]") then val = math.tointeger(val) or val end
    -- Python's %c takes a one-letter string too
    if conv == "c" and type(val) == "string" then spec = spec:sub(1, -2) .. "s" end
    return spec:format(type(val) == "table" and tostring(val) or val)
  end

  local escapes = { ["%"] = "%", ["("] = "{", [")"] = "}" }

  -- p:sprintf(fmt) -> string, as Scapy's: %IP.src%, %field% (of the
  -- first layer that has it), %-15s,IP.dst% (a printf format),
  -- %xr,IP.proto% (r: the raw value), %IP:2.src% (the second IP),
  -- %.time%, %% %( %) for % { }, and {TCP:...} / {!TCP:...} kept only
  -- when TCP is there / is not.  A field no layer has prints ??.
  function Packet.sprintf(p, f)
    if type(f) ~= "string" then
      error(("sprintf: the format is a string, got %s"):format(type(f)), 2)
    end
    local names = {}
    for i = 1, P.nlayers(p) do names[desc_of(p[i]).name] = true end
    -- conditions first, the innermost (last opened) first
    while f:find("{", 1, true) do
      local i = #f - f:reverse():find("{", 1, true) + 1
      local j = f:find("}", i + 1, true)
      if not j then error("sprintf: a '{' without its '}' (write %( and %) for braces)", 2) end
      local cond, text = f:sub(i + 1, j - 1):match("^([^:]*):(.*)$")
      if not cond then
        error(("sprintf: bad condition {%s}: write {Layer:text} or {!Layer:text}")
          :format(f:sub(i + 1, j - 1)), 2)
      end
      local want = cond:sub(1, 1) ~= "!"
      if not want then cond = cond:sub(2) end
      if (names[cond] ~= nil) ~= want then text = "" end
      f = f:sub(1, i - 1) .. text .. f:sub(j + 1)
    end
    local out, at = {}, 1
    while true do
      local i = f:find("%", at, true)
      if not i then break end
      out[#out + 1] = f:sub(at, i - 1)
      local e = escapes[f:sub(i + 1, i + 1)]
      if e then
        out[#out + 1] = e
        at = i + 2
      else
        local j = f:find("%", i + 1, true)
        local s = j and directive(p, f:sub(i + 1, j - 1))
        if not s then
          error(("sprintf: bad directive %%%s: write %%[format,][Layer[:n].]field%%")
            :format(f:sub(i + 1, (j or #f + 1) - 1)), 2)
        end
        out[#out + 1] = s
        at = j + 1
      end
    end
    out[#out + 1] = f:sub(at)
    return table.concat(out)
  end

  -------------------------------------------------------------- command

  local keywords = {}
  for w in ([[and break do else elseif end false for function goto if in local nil not
    or repeat return then true until while]]):gmatch("%a+") do keywords[w] = true end

  -- A string as a Lua literal that shows every byte: printable ASCII as
  -- itself, the rest escaped, so binary loads print safely.
  local named = { ["\n"] = "\\n", ["\t"] = "\\t", ["\r"] = "\\r", ['"'] = '\\"', ["\\"] = "\\\\" }
  local function quote(s)
    return '"' .. s:gsub('[%c"\\\127-\255]', function(c)
      return named[c] or ("\\x%02x"):format(c:byte())
    end) .. '"'
  end

  local function key(k)
    if type(k) == "string" and k:match("^[%a_][%w_]*$") and not keywords[k] then return k end
    return "[" .. (type(k) == "string" and quote(k) or tostring(k)) .. "]"
  end

  -- A value as a Lua expression: strings quoted, tables (option lists,
  -- records) as constructors, their list part first.
  local function literal(v)
    local ty = type(v)
    if ty == "string" then return quote(v) end
    if ty == "number" then return math.type(v) == "integer" and ("%d"):format(v) or ("%.17g"):format(v) end
    if ty ~= "table" then return tostring(v) end
    local t, n = {}, #v
    for i = 1, n do t[i] = literal(v[i]) end
    local ks = {}
    for k in pairs(v) do
      if not (math.type(k) == "integer" and k >= 1 and k <= n) then ks[#ks + 1] = k end
    end
    table.sort(ks, function(a, b) return tostring(a) < tostring(b) end)
    for _, k in ipairs(ks) do t[#t + 1] = key(k) .. "=" .. literal(v[k]) end
    return "{" .. table.concat(t, ", ") .. "}"
  end

  local function empty(v) return v == "" or (type(v) == "table" and next(v) == nil) end

  -- p:command() -> a Lua expression that builds p again: each layer with
  -- the fields it has values of its own for (set, or read off the wire),
  -- as Scapy's command().  load("return " .. p:command())() gives the
  -- same bytes (with require "pkt", load it with the module as its
  -- environment: load(s, "cmd", "t", pkt)).
  function Packet.command(p)
    local out = {}
    for i = 1, P.nlayers(p) do
      local l = p[i]
      local d = desc_of(l)
      local vals, t, seen = P.fields(l), {}, {}
      for _, fd in ipairs(d.fields) do
        local v = vals[fd.name]
        -- flags by their letters when every bit set has a name
        if fd.type == "flags" and v ~= nil and (v == "" or v:find("0x", 1, true)) then
          v = P.value(l, fd.name)
        elseif fd.type == "tlv" and fd.tuples and type(v) == "table" then
          -- an option with no value by its name alone, as written ("NOP")
          local t2 = {}
          for j, o in ipairs(v) do t2[j] = (type(o) == "table" and #o == 1) and o[1] or o end
          v = t2
        end
        if v ~= nil and not seen[fd.name] and not empty(v) then
          seen[fd.name] = true
          t[#t + 1] = key(fd.name) .. "=" .. literal(v)
        end
      end
      out[i] = d.name .. (#t > 0 and "{" .. table.concat(t, ", ") .. "}" or "()")
    end
    return table.concat(out, "/")
  end

  ---------------------------------------------------------------- flags

  -- p:hasflag(name) -> whether the flag is set, in the first layer from
  -- p with a flags field that has a bit of that name: Scapy's
  -- 'S' in p[TCP].flags, p[TCP].flags.S, and flags.SA (both set) as
  -- p:hasflag("SA").
  function Packet.hasflag(p, name)
    if type(name) ~= "string" or name == "" then
      error(("hasflag: takes a flag's name, as \"S\" or \"DF\", got %s"):format(type(name)), 2)
    end
    local known = {}
    for i = 1, P.nlayers(p) do
      local l = p[i]
      for _, fd in ipairs(desc_of(l).fields) do
        if fd.type == "flags" and P.present(l)[fd.name] then
          local bit = {}
          for b, n in pairs(fd.flagnames) do bit[n] = b; known[#known + 1] = n end
          -- one name, or single-letter names run together ("SA")
          local want = bit[name] and { name } or {}
          if not bit[name] then
            for c in name:gmatch(".") do
              if not bit[c] then want = nil; break end
              want[#want + 1] = c
            end
          end
          if want then
            local v = P.value(l, fd.name) or 0
            for _, n in ipairs(want) do
              if v >> bit[n] & 1 == 0 then return false end
            end
            return true
          end
        end
      end
    end
    table.sort(known)
    error(("hasflag: no layer of this packet (%s) has a flag '%s'; its flags are: %s")
      :format(p:summary_names(), name, #known > 0 and table.concat(known, " ") or "none"), 2)
  end

  ----------------------------------------------------------------- fuzz

  -- Kinds of field fuzz draws: numbers and addresses, and a byte string
  -- that is its layer's one field (Raw's load), as Scapy's randval.
  local drawn = { int = true, flags = true, mac = true, ipv4 = true, ipv6 = true, wide = true }

  -- fuzz(p) -> a copy of p whose fields left unset take random values
  -- each time it is built, so each p:bytes() (and each packet sent)
  -- differs, as Scapy's fuzz(): the fields set stay; lengths and
  -- checksums are computed; the addresses the sender fills (IP's and
  -- Ether's src and dst) are left to it; a next-protocol field keeps
  -- the value a layer above it is bound by (IP's proto under UDP).
  function M.fuzz(p)
    if not M.is_packet(p) then
      error(("fuzz: takes a packet, as fuzz(UDP()) or IP{dst=...}/fuzz(UDP()), got %s")
        :format(type(p)), 2)
    end
    local q = p:copy()
    for i = 1, P.nlayers(q) do
      local l = q[i]
      local d, mask = desc_of(l), 0
      for f, fd in ipairs(d.fields) do
        if (drawn[fd.type] or (fd.type == "bytes" and #d.fields == 1))
            and fd.role ~= "src" and fd.role ~= "dst" and (not fd.auto or fd.role == "next")
            and not P.isset(l, fd.name) then
          mask = mask | 1 << (f - 1)
        end
      end
      if mask ~= 0 then P.fuzz(q, i, mask) end
    end
    return q
  end

  -------------------------------------------------------------- hexdiff

  -- The opcodes of Python's difflib.SequenceMatcher (no junk), which
  -- Scapy's hexdiff aligns the bytes with: the longest common block
  -- (earliest in a, then in b), then the same on each side of it.
  local function matching_blocks(a, b)
    local b2j = {}
    for j = 1, #b do
      local c = b:byte(j)
      local t = b2j[c]
      if not t then t = {}; b2j[c] = t end
      t[#t + 1] = j
    end
    local function longest(alo, ahi, blo, bhi)
      local besti, bestj, bestsize = alo, blo, 0
      local j2len = {}
      for i = alo, ahi - 1 do
        local new = {}
        for _, j in ipairs(b2j[a:byte(i)] or {}) do
          if j >= blo then
            if j >= bhi then break end
            local k = (j2len[j - 1] or 0) + 1
            new[j] = k
            if k > bestsize then besti, bestj, bestsize = i - k + 1, j - k + 1, k end
          end
        end
        j2len = new
      end
      return besti, bestj, bestsize
    end
    local blocks, queue = {}, { { 1, #a + 1, 1, #b + 1 } }
    while #queue > 0 do
      local alo, ahi, blo, bhi = table.unpack(table.remove(queue))
      local i, j, k = longest(alo, ahi, blo, bhi)
      if k > 0 then
        blocks[#blocks + 1] = { i, j, k }
        if alo < i and blo < j then queue[#queue + 1] = { alo, i, blo, j } end
        if i + k < ahi and j + k < bhi then queue[#queue + 1] = { i + k, ahi, j + k, bhi } end
      end
    end
    table.sort(blocks, function(x, y) return x[1] < y[1] or (x[1] == y[1] and x[2] < y[2]) end)
    blocks[#blocks + 1] = { #a + 1, #b + 1, 0 }
    return blocks
  end

  -- The two byte strings aligned: a list of pairs of one-byte strings,
  -- "" where a byte is on one side only.
  local function align(a, b)
    local xs, ys = {}, {}
    local i, j = 1, 1
    local function add(x, y) xs[#xs + 1], ys[#ys + 1] = x, y end
    for _, blk in ipairs(matching_blocks(a, b)) do
      local bi, bj, k = blk[1], blk[2], blk[3]
      -- what precedes the block: replaced (a and b), deleted or inserted
      local na, nb = bi - i, bj - j
      if na > 0 and nb > 0 then
        for x = i, bi - 1 do xs[#xs + 1] = a:sub(x, x) end
        for y = j, bj - 1 do ys[#ys + 1] = b:sub(y, y) end
      elseif na > 0 then
        for x = i, bi - 1 do add(a:sub(x, x), "") end
      elseif nb > 0 then
        for y = j, bj - 1 do add("", b:sub(y, y)) end
      end
      for x = 0, k - 1 do add(a:sub(bi + x, bi + x), b:sub(bj + x, bj + x)) end
      i, j = bi + k, bj + k
    end
    return xs, ys
  end

  local function bytes_of(x, what)
    if M.is_packet(x) then return x:bytes() end
    if type(x) == "string" then return x end
    error(("hexdiff: %s is a packet or a string of bytes, got %s"):format(what, type(x)), 3)
  end

  -- hexdiff(a, b [, dump]): the two packets' (or strings') bytes side by
  -- side, a's line above b's where they differ, aligned as Scapy's
  -- hexdiff aligns them; returns the text instead when dump is true.
  function M.hexdiff(a, b, dump)
    local xs, ys = align(bytes_of(a, "the first"), bytes_of(b, "the second"))
    local out, line = {}, {}
    local function put(s) line[#line + 1] = s end
    local function slice(t, i) return { table.unpack(t, i, math.min(i + 15, #t)) } end
    local function len(t) local n = 0 for _, c in ipairs(t) do n = n + #c end return n end
    local function same(s, t)
      if #s ~= #t then return false end
      for k = 1, #s do if s[k] ~= t[k] then return false end end
      return true
    end
    -- negative too, as Python's %04x prints it
    local function offset(d) return d < 0 and ("-%03x "):format(-d) or ("%04x "):format(d) end
    local y, i = 0, 1
    local dox, doy = true, false
    local n, both = #xs, math.min(#xs, #ys)
    while i <= n do
      local lx, ly = slice(xs, i), slice(ys, i)
      local xx, yy = len(lx), len(ly)
      local show
      if dox and xx == 0 then dox, doy = false, true end
      if dox and same(lx, ly) then doy = true end
      -- a side's offset, when its line shows: b's so far, less the
      -- line's leading gaps, for either side (Scapy's)
      local function side(on, t)
        if not on then return put("     ") end
        local d, j = y, 1
        while (t[j] or "") == "" and j <= #t do j = j + 1; d = d - 1 end
        put(offset(d))
        show = t
      end
      side(dox, lx)
      side(doy, ly)
      if doy then y = y + yy end
      put("  ")
      local cl = {}
      for j = 1, 16 do
        if i + j - 1 <= both and show[j] and show[j] ~= "" then
          put(("%02X "):format(show[j]:byte()))
          cl[#cl + 1] = show[j]:gsub("[^\32-\126]", ".")
        elseif i + j - 1 <= both then
          put("   ")
          cl[#cl + 1] = " "
        else
          put("   ")
        end
        if j == 8 then put(" ") end
      end
      out[#out + 1] = table.concat(line) .. "  " .. table.concat(cl)
      line = {}
      if doy or yy == 0 then
        doy, dox = false, true
        i = i + 16
      else
        dox, doy = false, true
      end
    end
    local s = table.concat(out, "\n") .. (#out > 0 and "\n" or "")
    if dump then return s end
    io.write(s)
  end

  -------------------------------------------------------- conversations

  -- Scapy's default: the network addresses of the first layer that has
  -- them by its roles (IP's, IPv6's, ARP's psrc and pdst), not a MAC.
  local network = { ipv4 = true, ipv6 = true }
  local function srcdst(p)
    for i = 1, P.nlayers(p) do
      local l = p[i]
      local roles = desc_of(l).roles
      if roles.src and roles.dst and network[roles.src.type] and network[roles.dst.type] then
        return l[roles.src.name], l[roles.dst.name]
      end
    end
  end

  -- l:conversations([fn [, dump]]): who talked to whom, one line for
  -- each source and destination, "src -> dst  count", in the order
  -- first seen (Scapy draws the same edges as a graph).  fn(p) returns
  -- the source and the destination, and a label to list instead of the
  -- count; a packet it raises on or returns nil for is left out, as in
  -- Scapy.  Printed, or returned as text when dump is true.
  function I.list_methods.conversations(l, fn, dump)
    if type(fn) == "boolean" then fn, dump = nil, fn end
    if fn ~= nil and type(fn) ~= "function" then
      error(("conversations: takes a function of a packet, got %s"):format(type(fn)), 2)
    end
    fn = fn or srcdst
    local order, edges = {}, {}
    for _, x in ipairs(l) do
      local p = M.is_packet(x) and x or x[2]
      local ok, s, d, label = pcall(fn, p)
      if ok and s ~= nil and d ~= nil then
        local k = tostring(s) .. "\0" .. tostring(d)
        local e = edges[k]
        if not e then
          e = { src = tostring(s), dst = tostring(d), count = 0, labels = {}, seen = {} }
          edges[k] = e
          order[#order + 1] = e
        end
        e.count = e.count + 1
        if label ~= nil and not e.seen[tostring(label)] then
          e.seen[tostring(label)] = true
          e.labels[#e.labels + 1] = tostring(label)
        end
      end
    end
    local t = {}
    for i, e in ipairs(order) do
      t[i] = ("%s -> %s  %s"):format(e.src, e.dst,
        #e.labels > 0 and table.concat(e.labels, ", ") or tostring(e.count))
    end
    local s = table.concat(t, "\n") .. (#t > 0 and "\n" or "")
    if dump then return s end
    io.write(s)
  end
end
