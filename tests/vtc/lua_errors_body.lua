-- lua_errors.vtc: a runtime error in the body, at line 4.
core.Info("body runs")
local x = nil
x.y = 1
