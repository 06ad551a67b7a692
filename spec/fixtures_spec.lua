-- Every capture file under spec/fixtures, each packet cut at every snap
-- length from 0 to its full length (tcpdump's habit): dissection never
-- fails, keeps every byte, and marks the layer a cut falls in.
local pkt = require "pkt"

local function pcaps()
  local t = {}
  local f = io.popen("find spec/fixtures -name '*.pcap' -o -name '*.pcapng' 2>/dev/null | sort")
  for line in f:lines() do t[#t + 1] = line end
  f:close()
  return t
end

describe("fixture captures cut at every length", function()
  local files = pcaps()
  it("has fixture captures to cut", function()
    assert.is_true(#files > 0)
  end)
  for _, path in ipairs(files) do
    it(path, function()
      local first, n = nil, 0
      local packets = pkt.rdpcap(path)
      for _, p in ipairs(packets) do
        local whole = p:bytes()
        first = first or p:layers()[1]
        local cls = p:layers()[1]
        for cut = 0, #whole do
          local q = cls(whole:sub(1, cut))
          assert.equal(whole:sub(1, cut), q:bytes())
          assert.is_string(q:summary())
          assert.is_string(q:show(true))
          n = n + 1
        end
        -- a cut inside a header's fields is marked on the packet it leaves
        -- (a cut inside the bytes it ends with, ICMPv6's message body or
        -- echo data, shortens them as a cut payload is)
        local full = cls(whole)
        local nl = #full:layers()
        for i = 1, nl do
          local l = full[i]
          -- a dissected packet seen from a layer is its bytes from there
          local off = #whole - #l:bytes()
          local hlen = (i < nl and #whole - #full[i + 1]:bytes() or #whole) - off
          local name = l:name()
          local fds = pkt[name] and pkt[name].fields_desc
          local last = fds and fds[#fds]
          local tail = last and last.bits == 0 and last.type == "bytes" and l[last.name]
          if type(tail) == "string" then hlen = hlen - #tail end
          -- (a quoted header is cut short by design and is not marked)
          if name ~= "Raw" and name ~= "Padding" and not name:match("error$") and hlen > 1 then
            local q = cls(whole:sub(1, off + hlen - 1))
            local marked = false
            for j = 1, #q:layers() do
              local st, cut = q[j]:status()
              if st == "truncated" or cut then marked = true end
            end
            assert.is_true(marked, ("%s cut inside %s at %d"):format(path, name, off + hlen - 1))
          end
        end
      end
      assert.is_true(n > 0)
    end)
  end
end)
