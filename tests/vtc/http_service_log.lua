-- answers without reading the request body, or after reading part of it
core.register_service("noread", "http", function(applet)
    local body = "ok"
    applet:set_status(200)
    applet:add_header("content-length", string.len(body))
    applet:start_response()
    applet:send(body)
end)
core.register_service("part", "http", function(applet)
    local got = applet:receive(4) or ""
    local body = "got " .. string.len(got)
    applet:set_status(201)
    applet:add_header("content-length", string.len(body))
    applet:start_response()
    applet:send(body)
end)
