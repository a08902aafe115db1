-- One name, two environments, two functions with different arguments: the
-- request side remembers a header, the response side writes it back with
-- its two arguments and the request's method (known after the request left).
core.register_action("tag", { "http-req" }, function(txn)
	local h = txn.http:req_get_headers()["x-in"]
	txn:set_priv(h and h[0] or "none")
end, 0)

core.register_action("tag", { "http-res" }, function(txn, a, b)
	txn.http:res_add_header("x-out", txn:get_priv() .. "/" .. a .. "/" .. b)
	txn.http:res_add_header("x-method", txn.sf:method())
	txn.http:res_add_header("x-num", 600)
end, 2)
