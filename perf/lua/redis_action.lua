-- perf/lua/redis_action.lua: the "redis" scenario's two HTTP actions. Both
-- store a value in a variable; perf_redis first counts the request in a
-- real redis-server through lua-redis over core.tcp() (connect, INCR,
-- close: one round trip per request, as the seed's example does), so the
-- difference between the two is the cost of that round trip.
local redis = require("redis")

core.register_action("perf_noredis", { "http-req" }, function(txn, port)
	txn:set_var("txn.hits", 0)
end, 1)

core.register_action("perf_redis", { "http-req" }, function(txn, port)
	local tcp = core.tcp()
	tcp:settimeout(1)
	local ok = tcp:connect("127.0.0.1", tonumber(port))
	if not ok then
		txn:set_var("txn.hits", -1)
		return
	end
	local client = redis.connect({ socket = tcp })
	txn:set_var("txn.hits", client:incr("perf:hits"))
	tcp:close()
end, 1)
