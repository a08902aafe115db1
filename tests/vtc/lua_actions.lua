-- lua_actions.vtc: arguments from the configuration and the act.* codes.
core.register_action("args", { "tcp-req" }, function(txn, a, b)
	txn:set_var("txn.args", tostring(a) .. "+" .. tostring(b))
end, 2)
core.register_action("ret", { "tcp-req" }, function(txn, code)
	txn:set_var("txn.ret", code)
	return act[code]
end, 1)
core.register_action("say", { "tcp-req" }, function(txn, what)
	txn.res:send(what .. " args=" .. tostring(txn:get_var("txn.args")) .. "\n")
	txn:done()
end, 1)

-- act.YIELD: the action is called again later, from the start
local calls = 0
core.register_action("again", { "tcp-req" }, function(txn)
	calls = calls + 1
	if calls % 3 ~= 0 then
		return act.YIELD
	end
	txn.res:send("called " .. calls .. " times\n")
	txn:done()
end)
