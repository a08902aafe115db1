-- lua_require.vtc: require() through lua-prepend-path and the system path.
local greet = require("lua_greet")
local redis_ok, redis = pcall(require, "redis")

core.register_action("req", { "tcp-req" }, function(txn)
	txn.res:send(greet.greet("there") .. " redis=" .. tostring(redis_ok and type(redis.connect)) .. "\n")
	txn:done()
end)
