-- lua_require.vtc: a module found through lua-prepend-path.
local M = {}
function M.greet(who) return "hi " .. who end
return M
