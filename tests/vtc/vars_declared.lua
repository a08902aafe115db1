-- set_var(name, value, true) stores a proc variable only when the
-- configuration names it; other scopes are stored anyway.
core.register_service("setvar", "http", function(applet)
	local name = applet.headers["var"][0]
	local ok = applet:set_var(name, "v", true)
	applet:set_status(ok and 200 or 404)
	applet:add_header("got", tostring(applet:get_var(name)))
	applet:start_response()
	applet:send("")
end)
