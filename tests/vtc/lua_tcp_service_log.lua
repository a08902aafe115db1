core.register_service("hello", "tcp", function(applet)
    applet:send("hello\n")
end)
