-- lua_acl.vtc: core.add_acl/del_acl and core.set_map/del_map change what
-- the configuration's ACLs and map converters see.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local acl = dir .. "lua_acl_block.acl"
local map = dir .. "lua_acl_route.map"

core.register_action("block", { "tcp-req" }, function(txn, what)
	if what == "add" then
		core.add_acl(acl, txn.f:src())
	else
		core.del_acl(acl, txn.f:src())
	end
	txn.res:send("acl " .. what .. "\n")
	txn:done()
end, 1)

core.register_action("setmap", { "tcp-req" }, function(txn, key, value)
	if value == "-" then
		core.del_map(map, key)
	else
		core.set_map(map, key, value)
	end
	txn.res:send("map " .. key .. "\n")
	txn:done()
end, 2)

core.register_action("hello", { "tcp-req" }, function(txn)
	txn.res:send("hello " .. tostring(txn:get_var("txn.route")) .. "\n")
	txn:done()
end)
