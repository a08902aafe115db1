-- lua_map.vtc: the Map class, and core.set_map/del_map on the same file.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local geo = Map.new(dir .. "lua_map_ip.map", Map._ip)
local strfile = dir .. "lua_map_str.map"
local names = Map.new(strfile, Map._str)

core.register_action("lookup", { "tcp-req" }, function(txn)
	local r = {}
	r[#r + 1] = "src=" .. tostring(geo:lookup(txn.f:src()))
	r[#r + 1] = "ten=" .. tostring(geo:lookup("10.1.2.3"))
	r[#r + 1] = "none=" .. tostring(geo:lookup("8.8.8.8"))
	r[#r + 1] = "snone='" .. geo:slookup("8.8.8.8") .. "'"
	r[#r + 1] = "alpha=" .. tostring(names:lookup("alpha"))
	core.set_map(strfile, "gamma", "G")
	core.del_map(strfile, "alpha")
	r[#r + 1] = "gamma=" .. tostring(names:lookup("gamma"))
	r[#r + 1] = "alpha2=" .. tostring(names:lookup("alpha"))
	r[#r + 1] = "consts=" .. tostring(Map._str == Map.str) .. "," .. tostring(Map._ip ~= Map._str)
	txn.res:send(table.concat(r, "\n") .. "\n")
	txn:done()
end)
