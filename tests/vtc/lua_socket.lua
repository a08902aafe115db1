-- lua_socket.vtc: core.tcp() from actions and from a task.
core.register_action("ask", { "tcp-req" }, function(txn, host, port)
	local s = core.tcp()
	s:settimeout(2)
	local ok, err = s:connect(host, tonumber(port))
	if not ok then
		txn.res:send("connect failed: " .. tostring(err) .. "\n")
		txn:done()
		return
	end
	local sent = s:send("ping\r\n")
	local line = s:receive("*l")
	local four = s:receive(4)
	local rest = s:receive("*a")
	-- the peer has closed and everything was read: "closed", not "" again
	local again = s:receive("*a")
	s:close()
	txn.res:send("sent=" .. tostring(sent) .. " line=" .. tostring(line) .. " four=" .. tostring(four)
		.. " rest=" .. tostring(rest) .. " again=" .. tostring(again) .. "\n")
	txn:done()
end, 2)

-- the seed's example: lua-redis over core.tcp()
local redis = require("redis")
core.register_action("redis_ping", { "tcp-req" }, function(txn, host, port)
	local tcp = core.tcp()
	tcp:settimeout(2)
	tcp:connect(host, tonumber(port))
	local client = redis.connect({ socket = tcp })
	local pong = client:ping()
	local v = client:get("k")
	tcp:close()
	txn.res:send("ping=" .. tostring(pong) .. " get=" .. tostring(v) .. "\n")
	txn:done()
end, 2)

-- every value returned, comma-separated
local function all(...)
	local t = table.pack(...)
	for i = 1, t.n do t[i] = tostring(t[i]) end
	return table.concat(t, ",", 1, t.n)
end

-- failures, as LuaSocket reports them
core.register_action("fail", { "tcp-req" }, function(txn, host, port, closed_port)
	local r = {}
	local s = core.tcp()
	s:settimeout(0.3)
	r[#r + 1] = "refused=" .. all(s:connect(host, tonumber(closed_port)))
	s = core.tcp()
	s:settimeout(0.3)
	s:connect(host, tonumber(port))
	local d, e, partial = s:receive("*l")
	r[#r + 1] = "timeout=" .. tostring(d) .. "," .. tostring(e) .. "," .. tostring(partial)
	s:settimeout(3)
	d, e, partial = s:receive(100)
	r[#r + 1] = "closed=" .. tostring(d) .. "," .. tostring(e) .. "," .. tostring(partial)
	s:close()
	r[#r + 1] = "after_close=" .. all(s:receive()) .. " " .. all(s:send("x")) .. " " .. all(s:close())
	r[#r + 1] = "badaddr=" .. all(core.tcp():connect("not-an-ip", 80))
	r[#r + 1] = "badport=" .. all(core.tcp():connect("127.0.0.1", 0))
	txn.res:send(table.concat(r, "\n") .. "\n")
	txn:done()
end, 3)

-- a task talks to the server too
local task_result = "pending"
core.register_task(function()
	-- wait for the action to tell where the server is
	while not TASK_TARGET do core.msleep(20) end
	local s = core.tcp()
	s:settimeout(2)
	s:connect(TASK_TARGET.host, TASK_TARGET.port)
	s:send("task\n")
	task_result = tostring(s:receive("*l"))
	s:close()
end)
core.register_action("task_go", { "tcp-req" }, function(txn, host, port)
	TASK_TARGET = { host = host, port = tonumber(port) }
	while task_result == "pending" do core.msleep(20) end
	txn.res:send("task got " .. task_result .. "\n")
	txn:done()
end, 2)
