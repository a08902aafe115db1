-- txn:done() in an action (TCP: after a reply, HTTP: with nothing sent)
-- and in a lua.* fetch, where it only stops the Lua code
core.register_action("bye", { "tcp-req", "http-req" }, function(txn)
	if txn.http == nil then
		txn.res:send("bye\n")
	end
	txn:done()
	txn.res:send("never\n")
end)
core.register_fetches("stop", function(txn)
	txn:done()
	return "not reached"
end)
