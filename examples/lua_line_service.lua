-- lua_line_service.lua: a small line protocol answered by Lua, with a
-- registered sample-fetch, a converter and an action taking an argument
-- (see lua_line_service.cfg). Try it:
--   printf 'PING\n' | socat - TCP:127.0.0.1:10002
--   printf 'UPPER hello\n' | socat - TCP:127.0.0.1:10002

-- lua.greeting: a fetch returning a string built from other fetches
core.register_fetches("greeting", function(txn)
	return "hello " .. (txn.f:src() or "stranger")
end)

-- lua.shout: a converter
core.register_converters("shout", function(s)
	return s:upper() .. "!"
end)

-- Reads one complete line: sleeps 10 ms at a time (suspending only this
-- connection) until the LF arrives or the client closes.
local function read_line(txn)
	local line = txn.req:getline()
	while line and not line:find("\n") do
		core.msleep(10)
		local more = txn.req:getline()
		if more == nil then
			break
		end
		line = line .. more
	end
	return line or ""
end

core.register_action("answer", { "tcp-req" }, function(txn, prefix)
	local line = read_line(txn)
	local cmd, arg = line:match("^(%u+)%s*(.-)%s*$")
	local out
	if cmd == "PING" then
		out = "PONG"
	elseif cmd == "TIME" then
		local now = core.now()
		out = string.format("%d.%06d", now.sec, now.usec)
	elseif cmd == "UPPER" then
		out = txn.c:upper(arg)
	elseif cmd == "HELLO" then
		out = tostring(txn:get_var("txn.greeting"))
	elseif cmd == "SHOUT" then
		out = tostring(txn:get_var("txn.shout"))
	else
		out = "ERR unknown command"
	end
	txn.res:send(prefix .. out .. "\n")
	txn:done()
end, 1)
