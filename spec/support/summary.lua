-- summary.lua - busted output handler: a dot per test, the details of
-- each failure, and a closing line "N passed, N failed, N skipped".
return function(options)
  local busted = require "busted"
  local handler = require("busted.outputHandlers.base")()
  local failures = {}

  local function note(kind, element, message, trace)
    failures[#failures + 1] = ("%s: %s\n  %s%s"):format(kind, handler.getFullName(element),
      tostring(message), trace and trace.traceback and ("\n" .. trace.traceback) or "")
  end

  handler.testEnd = function(element, parent, status)
    io.write(({ success = ".", pending = "s", failure = "F", error = "E" })[status] or "?")
    io.flush()
    return nil, true
  end

  handler.failureTest = function(element, parent, message, trace)
    note("FAIL", element, message, trace)
    return nil, true
  end

  handler.errorTest = function(element, parent, message, trace)
    note("ERROR", element, message, trace)
    return nil, true
  end

  handler.error = function(element, parent, message, trace)
    if element.descriptor ~= "it" then note("ERROR", element, message, trace) end
    return nil, true
  end

  handler.suiteEnd = function()
    io.write("\n")
    for _, f in ipairs(failures) do io.write("\n", f, "\n") end
    local failed = handler.failuresCount + handler.errorsCount
    local line = ("%d passed, %d failed"):format(handler.successesCount, failed)
    if handler.pendingsCount > 0 then line = line .. (", %d skipped"):format(handler.pendingsCount) end
    io.write("\n", line, "\n")
    io.flush()
    return nil, true
  end

  busted.subscribe({ "test", "end" }, handler.testEnd, { predicate = handler.cancelOnPending })
  busted.subscribe({ "failure", "it" }, handler.failureTest)
  busted.subscribe({ "error", "it" }, handler.errorTest)
  busted.subscribe({ "failure" }, handler.error)
  busted.subscribe({ "error" }, handler.error)
  busted.subscribe({ "suite", "end" }, handler.suiteEnd)
  return handler
end
