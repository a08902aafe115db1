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

-- perf_redis_kept: the same count over connections kept across requests
-- in a pool: a request takes an idle client, or connects a new one, and
-- gives it back after its answer. A socket lives as long as the script
-- keeps it (on HAProxy, on the thread that made it only: with more than
-- one thread another thread's use fails, and a new connection is made).
local idle = {}   -- lua-redis clients no request uses now

core.register_action("perf_redis_kept", { "http-req" }, function(txn, port)
	for _ = 1, 2 do   -- a second try on a new connection when a kept one is gone
		local client = table.remove(idle)
		if not client then
			local tcp = core.tcp()
			tcp:settimeout(1)
			if not tcp:connect("127.0.0.1", tonumber(port)) then
				break
			end
			client = redis.connect({ socket = tcp })
		end
		local ok, n = pcall(client.incr, client, "perf:hits")
		if ok then
			idle[#idle + 1] = client
			txn:set_var("txn.hits", n)
			return
		end
	end
	txn:set_var("txn.hits", -1)
end, 1)
