-- The packet API under random calls (spec/support/apifuzz.lua): every
-- outcome is a value or a clear error at the caller's line.  Defects
-- already reported in the packet object are listed below and shown as
-- pending, with a call that shows each; any other failure fails.
local fuzz = require "apifuzz"

local CALLS = 5000
local seeds = { tonumber(os.getenv("PKTLUA_SEED")) or 20261126, 1, 2 }

-- where: "none" (no position at all) or a pattern of the library file
-- and line the error names; error: a pattern of its message.
local known = {
  { what = "a bad field value raises without a position (from core.norm in C)",
    where = "none", error = "^[%w_]+%.[%w_]+: ",
    example = "seed 1 step 22: set_packet_field(<packet 802.1q (0x0) vlan 1>, \"id\", 403091)" },
  { what = "a field a layer lacks raises at a line of pkt.lua (layer __index and __newindex)",
    where = "pkt%.lua", error = "has no field '",
    example = "seed 1 step 30: get_layer_field(<Raw layer>, \"ihl\")" },
  { what = "haslayer and getlayer of something not a class raise inside pkt.lua",
    where = "pkt%.lua", error = "bad argument #1 to 'rawget'",
    example = "seed 1 step 32: haslayer(<packet Ether / IP / TCP>, nil)" },
  { what = "getlayer with an nth that is not a number raises inside pkt.lua",
    where = "pkt%.lua", error = "attempt to [%w ]+",
    example = "seed 8 step 2834: getlayer(<packet Ether>, <class Ether>, \"::\")" },
  { what = "getlayer of a dissected packet with an nth that is not a number raises inside pkt.lua",
    where = "pkt%.lua", error = "bad argument #4 to 'find'",
    example = "seed 13 step 4099: getlayer(<packet Raw>, <class Dot1Q>, \"dst\")" },
  { what = "building a packet of more than 16 layers raises at a line of pkt.lua",
    where = "pkt%.lua", error = "a packet has at most %d+ layers",
    example = "seed 57 step 805: show2(<packet of 17 layers>)" },
  { what = "a packet compared with a table that is no packet raises inside pkt.lua (__eq)",
    where = "pkt%.lua", error = "method 'bytes'",
    example = "seed 1 step 1648: eq(<packet ICMPerror>, {[1]=\"1e9\"})" },
  { what = "building a packet over 65,535 bytes raises at a line of pkt.lua",
    where = "pkt%.lua", error = "do not fit in a packet",
    example = "seed 6 step 2889: len(<packet Raw of 70000 bytes>)" },
}

local function match(f)
  local where = f.why:match("^raised at (.-), not at") or ""
  for _, k in ipairs(known) do
    local here = k.where == "none" and where == "no position" or where:find(k.where) ~= nil
    if here and f.error:find(k.error) then return k end
  end
end

describe("the API under random calls", function()
  for _, seed in ipairs(seeds) do
    it(("gives values or clear errors at the caller's line (seed %d, %d calls)"):format(seed, CALLS), function()
      local n, failures = fuzz.run(seed, CALLS)
      assert.equal(CALLS, n)
      local new = {}
      for _, f in ipairs(failures) do
        if not match(f) and #new < 10 then
          new[#new + 1] = ("seed %d step %d: %s\n    %s\n    %s"):format(f.seed, f.step, f.call, f.why, f.error)
        end
      end
      assert(#new == 0, "\n" .. table.concat(new, "\n"))
    end)
  end

  it("runs the same calls for the same seed", function()
    local _, a = fuzz.run(seeds[1], 300)
    local _, b = fuzz.run(seeds[1], 300)
    assert.equal(#a, #b)
    for i = 1, #a do assert.equal(a[i].call, b[i].call) end
  end)

  for _, k in ipairs(known) do
    pending(k.what .. " (" .. k.example .. ")")
  end
end)
