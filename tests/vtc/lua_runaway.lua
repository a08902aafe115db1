-- lua_runaway.vtc: a runaway action, a runaway fetch, a memory hog.
core.register_action("spin", { "tcp-req" }, function(txn)
	while true do end
end)
core.register_action("hello", { "tcp-req" }, function(txn)
	txn.res:send("hello\n")
	txn:done()
end)
core.register_action("hog", { "tcp-req" }, function(txn)
	local t = {}
	for i = 1, 1e9 do t[i] = string.rep("x", 1 << 20) .. i end
end)
core.register_fetches("spin", function(txn)
	while true do end
end)
