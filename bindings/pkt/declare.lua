-- pkt/declare.lua - pkt.layer{...}: a protocol declared from Lua,
-- checked here and put in the canonical form the core registers
-- (bindings/ldecl.c), so a mistake is named in the script's terms.
--
--   Foo = pkt.layer{name="Foo", fields={
--     {"type", "int", 8, default=1, names={[1]="hello"}},
--     {"len", "int", 16, role="len", covers="header+payload"},
--     {"n", "int", 8},
--     {"items", "records", of=Item, count="n"},
--   }, bind={UDP={dport=7777}}, summary="Foo %type%"}

local kinds = {
  int = true, flags = true, mac = 48, ipv4 = 32, ipv6 = 128, bytes = 0, records = 0,
  fixed = "bytes", dname = 0, strings = 0,
}
local kind_list = "int, flags, mac, ipv4, ipv6, bytes, fixed, dname, strings, records"
local address_ok = {
  mac = function(s) return s:match("^%x%x[:-]%x%x[:-]%x%x[:-]%x%x[:-]%x%x[:-]%x%x$") ~= nil end,
  ipv4 = function(s)
    local t = { s:match("^(%d+)%.(%d+)%.(%d+)%.(%d+)$") }
    if #t ~= 4 then return false end
    for _, x in ipairs(t) do if #x > 3 or tonumber(x) > 255 then return false end end
    return true
  end,
}
local roles = { len = true, chksum = true, next = true, src = true, dst = true }
local covers = { header = true, payload = true, ["header+payload"] = true, rest = true }
local field_opts = {
  default = true, names = true, role = true, covers = true, unit = true, hex = true,
  pseudo_header = true, of = true, count = true, class = true, measures = true, adj = true,
}

return function(classes, is_class, reserved, register)
  local function check_name(s)
    return type(s) == "string" and s:match("^[%a_][%w_]*$") ~= nil
  end

  -- One field spec -> its canonical table; fail(msg) raises naming it.
  local function field(spec, i, seen, out, name)
    local function fail(msg, ...)
      error(("pkt.layer %s: field %d%s: " .. msg):format(name, i,
        type(spec) == "table" and type(spec[1]) == "string" and (" ('%s')"):format(spec[1]) or "",
        ...), 4)
    end
    if type(spec) ~= "table" then fail("is a %s; write {\"name\", \"kind\", width, ...}", type(spec)) end
    local fname, kind, width = spec[1], spec[2], spec[3]
    if not check_name(fname) then fail("its first item is its name (a Lua identifier)") end
    if seen[fname] then fail("the name is used twice") end
    -- p.name would read the method or attribute, never the field
    if reserved(fname) then fail("the name is a packet method or attribute (p.%s); choose another", fname) end
    seen[fname] = true
    for k in pairs(spec) do
      if type(k) == "string" and not field_opts[k] then
        fail("unknown option '%s' (options: default, names, role, covers, unit, adj, measures, " ..
          "hex, pseudo_header, of, count, class)", k)
      end
    end
    local size = kinds[kind]
    if not size then fail("unknown kind %s (kinds: %s)", kind == nil and "(none)" or ("'" .. tostring(kind) .. "'"), kind_list) end
    local fd = { name = fname, type = kind, hex = spec.hex and true or nil }
    if size == "bytes" then
      if math.type(width) ~= "integer" or width < 1 or width > 1024 then
        fail("a fixed field needs its size in bytes, 1 to 1024, as its third item")
      end
      fd.bits = width * 8
    elseif kind == "int" and math.type(width) == "integer" and width > 64 then
      -- wider than Lua's integers: read as "0x" and hex digits
      if width % 8 ~= 0 or width > 1024 then
        fail("an int field wider than 64 bits is a multiple of 8 bits, at most 1024")
      end
      fd.type, fd.bits = "wide", width
    elseif size == true then
      if math.type(width) ~= "integer" or width < 1 or width > 64 then
        fail("a%s field needs its width in bits, 1 to 64 (an int: or a multiple of 8 up to "
          .. "1024), as its third item", kind == "int" and "n int" or " flags")
      end
      fd.bits = width
    else
      if width ~= nil and width ~= size then
        fail("a %s field is %s; leave its width out", kind, size == 0 and "of variable length" or size .. " bits")
      end
      fd.bits = size
    end
    if spec.role ~= nil then
      if not roles[spec.role] then fail("unknown role '%s' (roles: len, chksum, next, src, dst)", tostring(spec.role)) end
      if spec.role ~= "src" and spec.role ~= "dst" and kind ~= "int" then
        fail("role '%s' needs an int field, not %s", spec.role, kind)
      elseif spec.role ~= "src" and spec.role ~= "dst" and fd.type == "wide" then
        fail("role '%s' needs an int field of at most 64 bits", spec.role)
      end
      if spec.role == "chksum" and width ~= 16 then fail("a checksum is 16 bits wide") end
      if spec.role == "next" and type(spec.class) ~= "string" then
        fail("a next-protocol field names its bind class (class=\"foo.type\")")
      end
      fd.role = spec.role
    end
    if spec.covers ~= nil then
      if fd.role ~= "len" and fd.role ~= "chksum" then fail("covers= goes with role len or chksum") end
      if not covers[spec.covers] or (spec.covers == "rest" and fd.role ~= "len") then
        fail("covers is 'header', 'payload', 'header+payload' or, for a length, 'rest' (of the " ..
          "header after it), not '%s'", tostring(spec.covers))
      end
    end
    if spec.measures ~= nil then
      if fd.role ~= "len" or spec.covers ~= nil or type(spec.measures) ~= "string" then
        fail("measures= names the variable field after it that a length (role len, no covers=) gives")
      end
      fd.measures = spec.measures
    end
    if spec.adj ~= nil then
      if fd.role ~= "len" or math.type(spec.adj) ~= "integer" or spec.adj < -128 or spec.adj > 127 then
        fail("adj= (-128..127, added to the count of units) goes with role len")
      end
      fd.adj = spec.adj
    end
    fd.covers, fd.pseudo_header, fd.class = spec.covers, spec.pseudo_header and true or nil, spec.class
    if spec.unit ~= nil then
      if fd.role ~= "len" or math.type(spec.unit) ~= "integer" or spec.unit < 1 or spec.unit > 255 then
        fail("unit= (1..255 bytes) goes with role len")
      end
      fd.unit = spec.unit
    end
    if spec.names ~= nil then
      if type(spec.names) ~= "table" or (kind ~= "int" and kind ~= "flags") or fd.type == "wide" then
        fail("names= is a table, for an int or flags field")
      end
      if kind == "flags" then
        fd.flagnames = {}
        for b, n in ipairs(spec.names) do fd.flagnames[b - 1] = n end
      else
        fd.names = {}
        for v, n in pairs(spec.names) do
          if math.type(v) ~= "integer" or type(n) ~= "string" then fail("names= maps numbers to names") end
          fd.names[v] = n
        end
      end
    elseif kind == "flags" then
      fail("a flags field names its bits, lowest first: names={\"A\", \"B\"}")
    end
    local def = spec.default
    if def ~= nil then
      if kind == "int" and fd.type ~= "wide" and type(def) == "string" then
        for v, n in pairs(fd.names or {}) do if n == def then def = v end end
        if type(def) == "string" then fail("default '%s' is not one of its names", def) end
      end
      if fd.type == "wide" then
        if not (math.type(def) == "integer" and def >= 0 or type(def) == "string") then
          fail("default of a wide int is an integer (0 or more) or a hex string \"0x...\"")
        end
      elseif (kind == "int" or kind == "flags") then
        if math.type(def) ~= "integer" or def < 0 or (width < 64 and def >> width ~= 0) then
          fail("default %s does not fit in %d bits", tostring(def), width)
        end
      elseif kind == "dname" or kind == "fixed" then
        if type(def) ~= "string" then fail("default of a %s field is a string", kind) end
      elseif kind == "mac" or kind == "ipv4" then
        if type(def) ~= "string" or not address_ok[kind](def) then
          fail("default %s is not %s", type(def) == "string" and ("'" .. def .. "'") or tostring(def),
            kind == "mac" and "a MAC address (aa:bb:cc:dd:ee:ff)" or "an IPv4 address")
        end
      else
        fail("the %s kind takes no default", kind)
      end
      fd.default = def
    end
    if kind == "records" then
      if not is_class(spec.of) then fail("a records field names the class of its records: of=Item") end
      fd.of = rawget(spec.of, "_id")
      if spec.count ~= nil then
        local c
        for j, o in ipairs(out) do if o.name == spec.count then c = j end end
        if not c or out[c].type ~= "int" or out[c].role then
          fail("count= names an int field before it with no role; '%s' is not one", tostring(spec.count))
        end
        out[c].counts, fd.count = true, c
      end
    elseif spec.of ~= nil or spec.count ~= nil then
      fail("of= and count= go with a records field")
    end
    return fd
  end

  -- bind={UDP={dport=7777}} or bind={{"udp.port", 7777}} -> {class, value}s
  local function binds(name, spec)
    local out = {}
    local function fail(msg, ...) error(("pkt.layer %s: bind: " .. msg):format(name, ...), 4) end
    if spec == nil then return out end
    if type(spec) ~= "table" then fail("is a table: bind={UDP={dport=7777}}") end
    for k, v in pairs(spec) do
      if math.type(k) == "integer" then
        if type(v) ~= "table" or type(v[1]) ~= "string" or math.type(v[2]) ~= "integer" then
          fail("item %d is {\"class\", value}, as {\"udp.port\", 7777}", k)
        end
        out[#out + 1] = { class = v[1], value = v[2] }
      else
        local lower = is_class(k) and k or classes[k]
        if not lower then fail("no layer called '%s' to bind under", tostring(k)) end
        local d = rawget(lower, "_desc")
        if type(v) ~= "table" then fail("%s={field=value}, as UDP={dport=7777}", d.name) end
        for f, val in pairs(v) do
          local fd = d.fmap[f]
          if not fd or fd.role ~= "next" then
            fail("%s.%s does not select the layer above (its next-protocol fields: %s)", d.name,
              tostring(f), (function()
                local t = {}
                for _, x in ipairs(d.fields) do if x.role == "next" then t[#t + 1] = x.name end end
                return #t > 0 and table.concat(t, ", ") or "none"
              end)())
          end
          if math.type(val) ~= "integer" then fail("%s.%s takes an integer", d.name, f) end
          out[#out + 1] = { class = fd.class, value = val }
        end
      end
    end
    return out
  end

  return function(spec)
    if type(spec) ~= "table" then error("pkt.layer takes a table: pkt.layer{name=\"Foo\", fields={...}}", 2) end
    local name = spec.name
    if not check_name(name) then
      error("pkt.layer: name= is the layer's name, a Lua identifier (\"Foo\")", 2)
    end
    if classes[name] then
      error(("pkt.layer %s: the name is taken by a layer already; choose another"):format(name), 2)
    end
    if type(spec.fields) ~= "table" or #spec.fields == 0 then
      error(("pkt.layer %s: fields= is a list of field specs, at least one"):format(name), 2)
    end
    local fields, seen, bits, measured = {}, {}, 0, {}
    for i, f in ipairs(spec.fields) do
      local fd = field(f, i, seen, fields, name)
      if fd.measures then measured[fd.measures] = i end
      if fd.bits == 0 and i ~= #spec.fields and fd.type ~= "dname" and not measured[fd.name]
        and not (fd.type == "records" and fd.count) then
        error(("pkt.layer %s: field %d ('%s'): a %s field has a variable length and comes last, "
          .. "unless a length field before it measures it (measures=)"):format(name, i, fd.name, fd.type), 2)
      end
      bits = bits + fd.bits
      fields[i] = fd
    end
    for f, i in pairs(measured) do
      local target
      for j, fd in ipairs(fields) do if fd.name == f and j > i and fd.bits == 0 then target = j end end
      if not target then
        error(("pkt.layer %s: field %d ('%s'): measures='%s' names no variable field after it")
          :format(name, i, fields[i].name, f), 2)
      end
      fields[i].of = target
    end
    if bits % 8 ~= 0 then
      error(("pkt.layer %s: the fixed fields take %d bits, not a whole number of bytes"):format(name, bits), 2)
    end
    if spec.summary ~= nil and type(spec.summary) ~= "string" then
      error(("pkt.layer %s: summary= is a string such as \"Foo %%type%%\""):format(name), 2)
    end
    -- not a tail call: register's errors name the script's line
    local cls = register({
      name = name, longname = type(spec.longname) == "string" and spec.longname or name,
      fields = fields, binds = binds(name, spec.bind), summary = spec.summary,
    })
    return cls
  end
end
