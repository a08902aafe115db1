-- A task opens a socket, reads the whole answer and never closes it: the
-- collector closes it when the process exits.
local port

core.register_service("go", "http", function(applet)
	port = applet.headers["port"][0]
	applet:set_status(200)
	applet:start_response()
end)

core.register_task(function()
	while not port do
		core.msleep(5)
	end
	local s = core.tcp()
	if s:connect("127.0.0.1", port) ~= 1 then
		core.Alert("connect failed")
		return
	end
	s:send("GET / HTTP/1.1\r\nhost: x\r\n\r\n")
	local all = s:receive("*a")
	core.Info("task read " .. #(all or ""))
end)
