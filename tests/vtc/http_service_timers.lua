-- a service that takes 50 ms to start its response, then 30 ms to send its body
core.register_service("slow", "http", function(applet)
    core.msleep(50)
    local body = "hello"
    applet:set_status(200)
    applet:add_header("content-length", string.len(body))
    applet:start_response()
    core.msleep(30)
    applet:send(body)
end)
-- a chunked response (HTTP/1.1) or one ended by the close (HTTP/1.0), in two sends
core.register_service("parts", "http", function(applet)
    applet:set_status(200)
    applet:start_response()
    applet:send("hello")
    applet:send("world!")
end)
