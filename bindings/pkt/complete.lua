-- pkt.complete: tab completion for the pktlua REPL.
-- complete(line, word) -> sorted array of full replacements for `word`.
-- The prefix of `word` is evaluated without calling any function: only
-- names, .field, [Global], [123] and ["str"] steps, so at most __index runs.

local keywords = {}
for kw in ([[and break do else elseif end false for function goto if in
             local nil not or repeat return then true until while]]):gmatch("%a+") do
    keywords[kw] = true
end

local getmt = debug and debug.getmetatable or getmetatable
local IDENT = "^[%a_][%w_]*$"

-- v[k] without side effects beyond __index, never raising.
local function index(v, k)
    local t = type(v)
    if t == "table" and getmt(v) == nil then return rawget(v, k) end
    if t == "table" or t == "userdata" or t == "string" then
        local ok, r = pcall(function() return v[k] end)
        if ok then return r end
    end
    return nil
end

-- Value of a safe prefix expression such as p[IP].payload or t["x"][2].
local function eval(expr)
    local name, pos = expr:match("^([%a_][%w_]*)()")
    if not name or keywords[name] then return nil end
    local v = index(_G, name)
    while v ~= nil and pos <= #expr do
        local key, nxt = expr:match("^%.([%a_][%w_]*)()", pos)
        if not key then
            local inner
            inner, nxt = expr:match("^%[([^%]]*)%]()", pos)
            if not inner then return nil end
            if inner:match("^%-?%d+$") then
                key = math.tointeger(tonumber(inner))
            elseif inner:match(IDENT) and not keywords[inner] then
                key = index(_G, inner)          -- p[IP]: the global's value
            else
                key = inner:match('^"([^"\\]*)"$') or inner:match("^'([^'\\]*)'$")
            end
            if key == nil then return nil end
        end
        v, pos = index(v, key), nxt
    end
    return v
end

-- String keys of t and of its __index tables, guarded against cycles.
local function table_names(t, out, seen, methods)
    if type(t) ~= "table" or seen[t] then return end
    seen[t] = true
    for k, val in next, t do
        if type(k) == "string" and k:match(IDENT)
                and (not methods or type(val) == "function") then
            out[#out + 1] = k
        end
    end
    local mt = getmt(t)
    if mt then table_names(rawget(mt, "__index"), out, seen, methods) end
end

-- Names that may follow `v.` (or `v:` when methods is true).
local function names_of(v, methods)
    local pkt = package.loaded.pkt
    local cn = type(pkt) == "table" and rawget(pkt, "complete_names")
    if type(cn) == "function" then
        local ok, list = pcall(cn, v)
        if ok and type(list) == "table" then
            if not methods then return list end
            local out = {}
            for _, n in ipairs(list) do
                if type(index(v, n)) == "function" then out[#out + 1] = n end
            end
            return out
        end
    end
    local out, seen = {}, {}
    if type(v) == "table" then
        table_names(v, out, seen, methods)
    elseif type(v) == "string" then
        if methods then table_names(string, out, seen, true) end
    elseif type(v) == "userdata" then
        local mt = getmt(v)
        if mt then table_names(rawget(mt, "__index"), out, seen, methods) end
    end
    return out
end

-- True when the text before the word ends inside a string or a comment.
local function in_string(s)
    local q, i = nil, 1
    while i <= #s do
        local c = s:sub(i, i)
        if q then
            if c == "\\" then i = i + 1 elseif c == q then q = nil end
        elseif c == '"' or c == "'" then q = c
        elseif s:sub(i, i + 1) == "--" then return true end
        i = i + 1
    end
    return q ~= nil
end

return function(line, word)
    if in_string(line:sub(1, #line - #word)) then return {} end
    local head, sep, partial, names
    head, sep, partial = word:match("^(.*)([%.:])([%a_]?[%w_]*)$")
    if head and head ~= "" then
        names = names_of(eval(head), sep == ":")
    else
        head, partial = word:match("^(.*%[)([%a_]?[%w_]*)$")  -- p[UD -> p[UDP
        if head and not eval(head:sub(1, -2)) then return {} end
        if not head and not word:match("^[%a_]?[%w_]*$") then return {} end
        head, sep, partial, names = head or "", "", partial or word, {}
        table_names(_G, names, {}, false)
        for kw in pairs(keywords) do names[#names + 1] = kw end
    end
    local result, dup = {}, {}
    for _, n in ipairs(names) do
        if type(n) == "string" and n:sub(1, #partial) == partial and not dup[n]
                and (n:sub(1, 2) ~= "__" or partial:sub(1, 1) == "_") then
            dup[n] = true
            result[#result + 1] = head .. sep .. n
        end
    end
    table.sort(result)
    return result
end
