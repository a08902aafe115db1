-- lua_response.vtc: actions on the response channel.
core.register_action("upper", { "tcp-res" }, function(txn)
	local d = txn.res:get()
	if d then
		txn.res:send(d:upper())
	end
end)
-- rewrites the response in place: set() replaces what was received
core.register_action("rewrite", { "tcp-res" }, function(txn, prefix)
	local d = txn.res:dup()
	txn.res:set(prefix .. d)
end, 1)
