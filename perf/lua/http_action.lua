-- perf/lua/http_action.lua: the Lua actions of the HTTP-mode callgrind
-- scenarios (perf/lua_callgrind.sh) and of perf/run.sh httplua: one stores
-- the client address in a variable through the string fetches, one adds a
-- request header, one sends the client address in a request header.
core.register_action("perf_var", { "http-req" }, function(txn)
	txn:set_var("txn.a", txn.sf:src())
end)
core.register_action("perf_hdr", { "http-req" }, function(txn)
	txn.http:req_set_header("x-perf", "1")
end)
-- perf_srchdr: the "httplua" scenario of perf/run.sh (and "srchdr" here):
-- reads the client address through the fetch bridge and sends it to the
-- server in a request header.
core.register_action("perf_srchdr", { "http-req" }, function(txn)
	txn.http:req_set_header("x-src", txn.f:src())
end)
