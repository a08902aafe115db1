-- lua_sleep.vtc: core.msleep / core.sleep suspend only their own stream.
core.register_action("nap", { "tcp-req" }, function(txn)
	core.msleep(1000)
	txn.res:send("napped\n")
	txn:done()
end)
core.register_action("nap_s", { "tcp-req" }, function(txn)
	core.sleep(1)
	txn.res:send("slept\n")
	txn:done()
end)
core.register_action("hello", { "tcp-req" }, function(txn)
	txn.res:send("hello\n")
	txn:done()
end)
-- core.yield() gives the hand back and comes back
core.register_action("yielder", { "tcp-req" }, function(txn)
	local n = 0
	for i = 1, 100 do
		core.yield()
		n = n + 1
	end
	txn.res:send("yielded " .. n .. "\n")
	txn:done()
end)

-- 1.4 s of sleep under a 1 s session-timeout: sleeping is not Lua time
core.register_action("longnap", { "tcp-req" }, function(txn)
	core.msleep(700)
	core.msleep(700)
	txn.res:send("rested\n")
	txn:done()
end)
