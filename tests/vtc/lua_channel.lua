-- Channel tests (lua_channel.vtc): every read and write function of the
-- Channel class on what the client sends; the results go back in the
-- response, one "name=value" per line, strings between quotes.
local function show(v)
	if v == nil then return "nil" end
	return "'" .. v .. "'"
end

-- reads: lengths, dup (keeps), getline (one line), get (the rest)
core.register_action("probe", { "tcp-req" }, function(txn)
	local r = {}
	r[#r + 1] = "in=" .. txn.req:get_in_len() .. " out=" .. txn.req:get_out_len()
	r[#r + 1] = "dup=" .. show(txn.req:dup())
	r[#r + 1] = "line=" .. show(txn.req:getline())
	r[#r + 1] = "get=" .. show(txn.req:get())
	r[#r + 1] = "get2=" .. show(txn.req:get())
	txn.res:send(table.concat(r, "\n") .. "\n")
	txn:done()
end)

-- the bytes come back unchanged, NUL and high bytes included
core.register_action("echo", { "tcp-req" }, function(txn)
	local s = txn.req:get()
	txn.res:send(#s .. ":" .. s)
	txn:done()
end)

-- one line longer than a receive buffer
core.register_action("longline", { "tcp-req" }, function(txn)
	local l = txn.req:getline()
	local rest = txn.req:get()
	txn.res:send(#l .. " " .. (l:sub(-1) == "\n" and "LF" or "noLF") .. " " .. #rest .. "\n")
	txn:done()
end)

-- writes: set, forward, send, and bad arguments
core.register_action("rw", { "tcp-req" }, function(txn)
	local r = {}
	r[#r + 1] = "set=" .. tostring(txn.req:set("NEW"))
	r[#r + 1] = "dup=" .. show(txn.req:dup())
	r[#r + 1] = "fwd=" .. tostring(txn.req:forward(2))
	r[#r + 1] = "in=" .. txn.req:get_in_len() .. " out=" .. txn.req:get_out_len()
	r[#r + 1] = "send=" .. tostring(txn.res:send(""))
	r[#r + 1] = "sendnum=" .. tostring(txn.res:send(12))
	r[#r + 1] = "setnil=" .. tostring(pcall(txn.req.set, txn.req, nil))
	r[#r + 1] = "settbl=" .. tostring(pcall(txn.req.set, txn.req, {}))
	r[#r + 1] = "sendnil=" .. tostring(pcall(txn.res.send, txn.res, nil))
	txn.res:send(table.concat(r, "\n") .. "\n")
	txn:done()
end)

-- HAProxy 2.5+ names: data, line, insert, remove, input, output, is_resp
core.register_action("newapi", { "tcp-req" }, function(txn)
	local c = txn.req
	local r = {}
	r[#r + 1] = "data=" .. show(c:data()) .. show(c:data(3)) .. show(c:data(-2)) .. show(c:data(1, 3))
	r[#r + 1] = "line=" .. show(c:line()) .. show(c:line(3)) .. show(c:line(6))
	r[#r + 1] = "insert=" .. c:insert("X") .. c:insert("Y", -1) .. show(c:data())
	r[#r + 1] = "remove=" .. c:remove(0, 1) .. c:remove(-2, 1) .. show(c:data())
	r[#r + 1] = "io=" .. c:input() .. "," .. c:output() .. "," .. tostring(c:is_resp()) .. ","
		.. tostring(txn.res:is_resp())
	txn.res:send(table.concat(r, "\n") .. "\n")
	txn:done()
end)

-- 4 MiB through Channel.send: more than a channel holds, so the action
-- waits for the client to read (HAProxy: within the inspect-delay)
core.register_action("big", { "tcp-req" }, function(txn)
	local chunk = string.rep("0123456789abcdef", 4096)
	local n = 0
	for i = 1, 64 do
		n = n + txn.res:send(chunk)
	end
	txn.res:send("end " .. n .. "\n")
	txn:done()
end)
