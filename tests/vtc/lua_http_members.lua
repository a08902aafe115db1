-- lua_http_members.vtc: each call's txn.f, txn.sf and txn.http act for its
-- own request, across keep-alive requests and while other calls sleep.
core.register_action("members", { "http-req" }, function(txn)
	local f, h = txn.f, txn.http
	core.msleep(tonumber(txn.sf:req_hdr("x-sleep")) or 0)
	h:req_set_header("x-p", f:path() .. "|" .. txn.sf:path() .. "|" .. h:req_get_headers()["host"][0])
end)
