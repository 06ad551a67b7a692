-- soak.lua - every packet of a directory of capture files through the
-- whole public API: read, summary, show, hexdump, every field of every
-- layer, copy, an edit and a rebuild, and a wrpcap/rdpcap round trip of
-- each file.  Anything but a value, or a refusal naming the file, is a
-- failure; a sanitizer report ends the worker, which counts as one too.
--
--   pktlua spec/support/soak.lua DIR [WORKERS [OUTDIR]]
--
-- Prints files, packets, refusals, failures and time; exits non-zero on a
-- failure.  Failures listed in soak_known.lua (defects known and reported)
-- are counted apart and do not fail the run; one that no longer happens
-- is printed so that the list is kept short.
local pkt = require "pkt"

local function shquote(s) return "'" .. s:gsub("'", "'\\''") .. "'" end

local function first_line(s) return (tostring(s):match("^[^\n]*")) end

------------------------------------------------------------------ worker

-- Every read of one packet, and an edit of a copy: returns nothing, or
-- raises.  k picks the layer and field edited, so the files together edit
-- every kind.
local function packet_ops(p, k)
  assert(type(p:summary()) == "string", "summary is not a string")
  assert(type(p:show(true)) == "string", "show(true) is not a string")
  assert(type(p:hexdump(true)) == "string", "hexdump(true) is not a string")
  assert(type(tostring(p)) == "string")
  local layers = p:layers()
  for i = 1, #layers do
    local l = p[i]
    assert(l ~= nil, "p[" .. i .. "] is nil")
    for _, name in ipairs(layers[i].fields) do local _ = l[name] end
  end
  local before = p:bytes()
  local q = p:copy()
  assert(q:bytes() == before, "a copy has other bytes")
  if #layers == 0 then return end
  local li = 1 + k % #layers
  local fields = layers[li].fields
  if #fields > 0 then
    local name = fields[1 + (k // #layers) % #fields]
    q[li][name] = q[li][name]        -- written back as read
    local b = q:bytes()
    assert(type(b) == "string", "rebuilt bytes are not a string")
    assert(p:bytes() == before, "editing a copy changed the packet")
    local r = layers[1](b)           -- the rebuilt bytes dissect again
    assert(type(r:summary()) == "string")
  end
end

-- A refusal names the file and says why; anything else is a failure.
local function refused(err, path)
  return type(err) == "string" and err:find(path, 1, true) ~= nil
end

-- What a format cannot hold is refused when written back (a frame over
-- libpcap's limit, say): a refusal, not a failure.
local unwritable = { "is before 1970", "is past what pcap", "is longer than capture files hold" }

local function round_trip(l, path, tmp)
  local ok, err = pcall(pkt.wrpcap, tmp, l)
  if not ok then
    for _, why in ipairs(unwritable) do
      if tostring(err):find(why, 1, true) then return "refusal", first_line(err) end
    end
    return "failure", "wrpcap: " .. first_line(err)
  end
  local m = pkt.rdpcap(tmp)
  if #m ~= #l then return "failure", ("round trip: %d packets, read back %d"):format(#l, #m) end
  if m.linktype ~= l.linktype or m.format ~= l.format then
    return "failure", ("round trip: link type %s %s, read back %s %s"):format(
      tostring(l.linktype), tostring(l.format), tostring(m.linktype), tostring(m.format))
  end
  for i = 1, #l do
    if m[i]:bytes() ~= l[i]:bytes() or m[i].time ~= l[i].time then
      return "failure", ("round trip: packet %d reads back other bytes or time"):format(i)
    end
  end
end

-- Writes one packet's bytes as a file of its own, to reproduce a failure.
local function reproducer(outdir, path, i, bytes, linktype)
  local name = ("%s/%s-%d.pcap"):format(outdir, path:match("[^/]+$"), i)
  pcall(pkt.wrpcap, name, pkt.Raw(bytes), { linktype = linktype or 1 })
  return name
end

local function worker(list, outfile, outdir)
  local out = assert(io.open(outfile, "w"))
  out:setvbuf("line")
  local tmp = os.tmpname()
  local files, packets = 0, 0
  for path in io.lines(list) do
    files = files + 1
    out:write("file\t", path, "\n")
    local ok, l = pcall(pkt.rdpcap, path)
    if not ok then
      out:write(refused(l, path) and "refusal\t" or "failure\t", path, "\t0\t", first_line(l), "\n")
    else
      for i = 1, #l do
        packets = packets + 1
        local p = l[i]
        local bytes = p:bytes()
        local fine, err = pcall(packet_ops, p, packets)
        if not fine then
          out:write("failure\t", path, "\t", i, "\t", first_line(err), "\t",
            reproducer(outdir, path, i, bytes, l.linktype), "\n")
        end
      end
      local kind, msg = round_trip(l, path, tmp)
      if kind then out:write(kind, "\t", path, "\t0\t", msg, "\n") end
    end
  end
  os.remove(tmp)
  out:write(("done\t%d\t%d\n"):format(files, packets))
  out:close()
end

------------------------------------------------------------------ driver

local function is_known(known, path, msg)
  for _, k in ipairs(known) do
    if path:find(k.file, 1, true) and msg:find(k.error, 1, true) then
      k.seen = (k.seen or 0) + 1
      return true
    end
  end
end

local function driver(dir, nworkers, outdir)
  local t0 = os.time()
  local host = os.getenv("PKTLUA") or arg[-1]
  local script = arg[0]
  os.execute("mkdir -p " .. shquote(outdir))
  local all = {}
  for f in io.popen("find " .. shquote(dir) .. " -type f | sort"):lines() do all[#all + 1] = f end
  -- interleaved shards: big and small files share out evenly
  local procs = {}
  for w = 1, nworkers do
    local list, res = ("%s/worker%d.list"):format(outdir, w), ("%s/worker%d.out"):format(outdir, w)
    local f = assert(io.open(list, "w"))
    for i = w, #all, nworkers do f:write(all[i], "\n") end
    f:close()
    local cmd = ("%s %s --worker %s %s %s; echo $?"):format(shquote(host), shquote(script),
      shquote(list), shquote(res), shquote(outdir))
    procs[w] = { pipe = assert(io.popen(cmd, "r")), out = res }
  end
  local known = dofile(script:gsub("soak%.lua$", "soak_known.lua"))
  local files, packets, refusals, failures, knowns, crashed = 0, 0, {}, {}, 0, {}
  for _, pr in ipairs(procs) do
    local status = tonumber(pr.pipe:read("a"):match("(%d+)%s*$"))
    pr.pipe:close()
    local current, done = nil, false
    local f = io.open(pr.out, "r")
    for line in f and f:lines() or function() end do
      local kind, a, b, c, d = line:match("^(%w+)\t([^\t]*)\t?([^\t]*)\t?([^\t]*)\t?([^\t]*)")
      if kind == "file" then
        current = a
      elseif kind == "done" then
        done = true
        files, packets = files + tonumber(a), packets + tonumber(b)
      elseif kind == "refusal" then
        refusals[#refusals + 1] = ("%s: %s"):format(a, c)
      elseif kind == "failure" then
        if is_known(known, a, c) then
          knowns = knowns + 1
        else
          failures[#failures + 1] = ("%s packet %s: %s%s"):format(a, b, c,
            d ~= "" and ("\n    reproducer: " .. d) or "")
        end
      end
    end
    if f then f:close() end
    if not done or status ~= 0 then
      crashed[#crashed + 1] = ("a worker ended with status %s %s (see its report above)")
        :format(tostring(status), current and "while reading " .. current or "before any file")
    end
  end
  print(("soak: %d files, %d packets, %d refusals, %d failures (%d known), %d s")
    :format(files, packets, #refusals, #failures + #crashed, knowns, os.time() - t0))
  for _, r in ipairs(refusals) do print("  refused: " .. r) end
  for _, k in ipairs(known) do
    if not k.seen then print(("  known failure no longer seen (remove it from soak_known.lua): %s: %s")
      :format(k.file, k.error)) end
  end
  for _, f in ipairs(failures) do print("  FAILED: " .. f) end
  for _, c in ipairs(crashed) do print("  FAILED: " .. c) end
  os.exit(#failures + #crashed == 0 and 0 or 1)
end

if arg[1] == "--worker" then
  worker(arg[2], arg[3], arg[4])
else
  assert(arg[1], "usage: soak.lua DIR [WORKERS [OUTDIR]]")
  driver(arg[1], tonumber(arg[2]) or 2, arg[3] or "build/soak")
end
