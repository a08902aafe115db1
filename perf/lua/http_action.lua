-- perf/lua/http_action.lua: the Lua actions of the "lua" callgrind scenarios
-- in HTTP mode (perf/lua_callgrind.sh): one stores the client address in a
-- variable through the string fetches, one adds a request header.
core.register_action("perf_var", { "http-req" }, function(txn)
	txn:set_var("txn.a", txn.sf:src())
end)
core.register_action("perf_hdr", { "http-req" }, function(txn)
	txn.http:req_set_header("x-perf", "1")
end)
