-- A socket kept in a global serves later transactions: each request sends
-- its x-id line and answers with the line the server sends back. Requests
-- that arrive while another one uses the socket wait their turn.
local kept

core.register_action("kept", { "http-req" }, function(txn, addr, port)
	if not kept then
		kept = core.tcp()
		kept:settimeout(2)
		local ok, err = kept:connect(addr, tonumber(port))
		if not ok then
			kept = nil
			txn:set_var("txn.r", "connect: " .. err)
			return
		end
	end
	kept:send(txn.http:req_get_headers()["x-id"][0] .. "\n")
	local line, err = kept:receive("*l")
	txn:set_var("txn.r", line or err)
end, 2)
