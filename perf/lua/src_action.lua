-- perf/lua/src_action.lua: the Lua action of the "lua" benchmark scenario.
-- Reads the client address through the sample-fetch bridge on every
-- connection and keeps a count, so the call cannot be optimised away.
local seen = 0
core.register_action("perf_src", { "tcp-req" }, function(txn)
	local src = txn.f:src()
	if src then
		seen = seen + 1
	end
end)
