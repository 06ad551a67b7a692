-- The pktlua host: lua-compatible command line, globals, exit status,
-- tracebacks, and the REPL driven through a pseudo-terminal; and
-- require "pkt" from a stock lua5.4.
local sh = H.shquote

local function pktlua(args, stdin)
  local cmd = H.pktlua .. " " .. args .. " 2>&1"
  if stdin then cmd = "printf %s " .. sh(stdin) .. " | " .. cmd end
  return H.run(cmd)
end

describe("pktlua command line", function()
  it("runs -e with the API as globals and prints the Scapy layout", function()
    local out, status = pktlua("-e " .. sh('p = IP{src="1.2.3.4", dst="198.51.100.5"}/UDP{sport=8888, dport=9090}/"Hello UDP!\\n"; p:show2(); print(#p)'))
    assert.equal(0, status)
    assert.matches("  len       = 39\n", out, 1, true)
    assert.matches("  chksum    = 0x4c87\n", out, 1, true)
    assert.matches("     chksum    = 0xb7f7\n", out, 1, true)
    assert.matches("\n39\n$", out)
  end)

  it("prints its version with -v", function()
    local out, status = pktlua("-v")
    assert.equal(0, status)
    assert.matches("^pktlua %d+%.%d+%.%d+", out)
  end)

  it("passes script arguments as ... and in the arg table", function()
    local path = H.tmpfile('print(select("#", ...), arg[0] ~= nil, arg[1], arg[2], ...)\n')
    local out, status = pktlua(sh(path) .. " one two")
    os.remove(path)
    assert.equal(0, status)
    assert.equal("2\ttrue\tone\ttwo\tone\ttwo\n", out)
  end)

  it("reads a script from standard input with -", function()
    local out, status = pktlua("- x", 'print(arg[1], #(IP{}/TCP{}))')
    assert.equal(0, status)
    assert.equal("x\t40\n", out)
  end)

  it("loads a library with -l", function()
    local out = pktlua("-l string -e " .. sh('print(string.rep("a", 3))'))
    assert.equal("aaa\n", out)
  end)

  it("exits 1 with the message and a traceback on an error", function()
    local out, status = pktlua("-e " .. sh('local function f() IP{ttl=300} end f()'))
    assert.equal(1, status)
    assert.matches("IP.ttl: 300 is out of range (0..255)", out, 1, true)
    assert.matches("stack traceback:", out, 1, true)
  end)

  it("passes os.exit status through", function()
    local _, status = pktlua("-e " .. sh("os.exit(3)"))
    assert.equal(3, status)
  end)

  it("reports a bad option with its usage", function()
    local out, status = pktlua("-Z")
    assert.equal(1, status)
    assert.matches("usage: pktlua", out, 1, true)
  end)
end)

describe("require 'pkt' from stock lua5.4", function()
  it("returns the API as a table and sets no globals", function()
    local code = [[
      local before = {}
      for k in pairs(_G) do before[k] = true end
      local pkt = require "pkt"
      for k in pairs(_G) do
        if not before[k] then print("new global", k) end
      end
      print(type(pkt.IP), type(pkt.sniff), IP, #(pkt.IP{} / pkt.UDP{}))
    ]]
    -- a sanitized module needs the ASan runtime in a stock interpreter
    local pre = os.getenv("PKTLUA_PRELOAD")
    pre = pre and ("LD_PRELOAD=" .. sh(pre) .. " ") or ""
    local out, status = H.run(pre .. "lua5.4 -e " .. sh(code) .. " 2>&1")
    assert.equal(0, status)
    assert.equal("table\tfunction\tnil\t28\n", out)
  end)
end)

describe("the REPL", function()
  local home

  setup(function()
    home = H.run("mktemp -d"):gsub("%s+$", "")
  end)

  teardown(function()
    os.execute("rm -rf " .. sh(home))
  end)

  local function session(keys) return H.repl(home, keys) end

  it("prints expression values, a packet as its summary", function()
    local out = session('1 + 2\nIP{src="198.51.100.1", dst="198.51.100.2"}/ICMP{}\n<EOF>')
    assert.matches("\n3\n", out, 1, true)
    assert.matches("IP / ICMP 198.51.100.1 > 198.51.100.2 echo-request 0", out, 1, true)
    assert.matches("[exit 0]", out, 1, true)
  end)

  it("continues multi-line input until the chunk is complete", function()
    local out = session('for i = 1, 3 do\nio.write(i * 11, " ")\nend\n<EOF>')
    assert.matches("11 22 33", out, 1, true)
  end)

  it("reports an error and keeps going", function()
    local out = session('IP{dst="10.0.0.300"}\nprint("still" .. "here")\n<EOF>')
    assert.matches("is not an IPv4 address", out, 1, true)
    assert.matches("stillhere", out, 1, true)
  end)

  it("completes globals and fields with Tab", function()
    local out = session('p = IP{}/UDP{}\np[IP].tt<TAB>\nsniffxyz = 1\nsniffx<TAB>\n<EOF>')
    assert.matches("p[IP].ttl", out, 1, true)
    assert.matches("64", out, 1, true)
    assert.matches("sniffxyz", out, 1, true)
  end)

  it("keeps a history file", function()
    session('x = 42\n<EOF>')
    local f = io.open(home .. "/.pktlua_history")
    assert.is_truthy(f)
    assert.matches("x = 42", f:read("a"), 1, true)
    f:close()
  end)
end)
