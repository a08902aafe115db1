-- lua_proxy.vtc: core.proxies / frontends / backends, Proxy and Server.
local names = {}

core.register_init(function()
	for name, _ in pairs(core.backends) do names[#names + 1] = "be:" .. name end
	for name, _ in pairs(core.frontends) do names[#names + 1] = "fe:" .. name end
	table.sort(names)
end)

core.register_action("show", { "tcp-req" }, function(txn)
	local r = {}
	r[#r + 1] = table.concat(names, ",")
	local be = core.backends["be"]
	local fe = core.frontends["fe"]
	r[#r + 1] = "be " .. be.name .. " " .. type(be.uuid) .. " " .. be:get_cap() .. " " .. be:get_mode()
	r[#r + 1] = "fe " .. fe.name .. " " .. fe:get_cap() .. " " .. tostring(core.proxies["fe"] ~= nil)
	local s = be.servers["s1"]
	r[#r + 1] = "srv " .. s.name .. " " .. s.puid .. " " .. s:get_addr() .. " " .. s:get_weight()
	r[#r + 1] = "nosrv " .. tostring(be.servers["nope"])
	r[#r + 1] = "setw " .. tostring(s:set_weight("50%")) .. " " .. s:get_weight() .. " " .. tostring(s:set_weight("x"))
	local st = s:get_stats()
	r[#r + 1] = "stats " .. st.status .. " " .. st.scur
	r[#r + 1] = "drain " .. tostring(s:is_draining())
	s:set_drain()
	r[#r + 1] = "drain " .. tostring(s:is_draining())
	s:set_ready()
	r[#r + 1] = "pxstats " .. type(be:get_stats())
	txn.res:send(table.concat(r, "\n") .. "\n")
	txn:done()
end)
