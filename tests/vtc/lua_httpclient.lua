-- core.httpclient() from an action: POST a body and report what came back
-- (status, reason, a repeated header, a chunked body) in variables.
core.register_action("hc", { "http-req" }, function(txn, port, path)
	local hc = core.httpclient()
	local r = hc:post{ url = "http://127.0.0.1:" .. port .. path,
	                   headers = { ["x-token"] = { "abc" } }, body = "ping" }
	txn:set_var("txn.status", r.status)
	txn:set_var("txn.reason", r.reason)
	local v = r.headers["x-multi"]
	txn:set_var("txn.multi", v and (v[0] .. "," .. v[1]) or "none")
	txn:set_var("txn.body", r.body)
end, 2)

core.register_action("hcfail", { "http-req" }, function(txn, port)
	local r = core.httpclient():get{ url = "http://127.0.0.1:" .. port .. "/", timeout = 1000 }
	txn:set_var("txn.status", r.status)
end, 1)

-- HEAD: the answer's Content-Length announces no body to read
core.register_action("hchead", { "http-req" }, function(txn, port)
	local h = core.httpclient():head{ url = "http://127.0.0.1:" .. port .. "/head" }
	txn:set_var("txn.head", h.status .. ":" .. #h.body)
end, 1)

-- dst: the connection goes to that address whatever the URL says
core.register_action("hcunix", { "http-req" }, function(txn, sock)
	local r = core.httpclient():get{ url = "http://127.0.0.1/", dst = "unix@" .. sock,
	                                 headers = { ["Host"] = { "unix.test" } } }
	txn:set_var("txn.unix", r.status .. ":" .. r.body)
end, 1)
