-- Service for http_rules_service.vtc.
core.register_service("hello", "http", function(applet)
    local body = "hello from lua " .. applet.path
    applet:set_status(201)
    applet:add_header("content-type", "text/plain")
    applet:add_header("content-length", string.len(body))
    applet:start_response()
    applet:send(body)
end)
