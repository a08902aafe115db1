-- lua_core.vtc: core.*, TXN, Fetches/Converters, lua.* fetches and
-- converters used from the configuration, runtime errors.

core.register_fetches("twice", function(txn, s) return (s or "") .. (s or "") end)
core.register_fetches("num", function(txn) return 42 end)
core.register_fetches("none", function(txn) return nil end)
core.register_fetches("client", function(txn) return txn.f:src() end)
-- a sample-fetch may not sleep: the fetch fails, the stream goes on
core.register_fetches("sleepy", function(txn) core.msleep(10) return "slept" end)
core.register_converters("wrap", function(s, a, b) return "<" .. s .. (a or "") .. (b or "") .. ">" end)

local function show(v)
	if type(v) == "string" then return "'" .. v .. "'" end
	return tostring(v)
end

-- HAProxy 2.6 sends at most a few hundred bytes per action before
-- txn:done() here: three reports of about 200 bytes each.
local function reply(txn, r)
	txn.res:send(table.concat(r, "\n") .. "\n")
	txn:done()
end

-- lua.* fetches and converters evaluated by set-var rules
core.register_action("report1", { "tcp-req" }, function(txn)
	local r = {}
	for _, v in ipairs({ "twice", "num", "none", "client", "sleepy", "wrap" }) do
		r[#r + 1] = v .. "=" .. show(txn:get_var("txn." .. v))
	end
	reply(txn, r)
end)

-- the registry through TXN.f / sf / c / sc
core.register_action("report2", { "tcp-req" }, function(txn)
	local r = {}
	r[#r + 1] = "f.src=" .. show(txn.f:src())
	r[#r + 1] = "f.int=" .. show(txn.f:int(5))
	r[#r + 1] = "f.str=" .. show(txn.f:str("x"))
	r[#r + 1] = "f.fe_name=" .. show(txn.f:fe_name())
	r[#r + 1] = "f.req_len=" .. show(txn.f:req_len())
	r[#r + 1] = "f.payload=" .. show(txn.f:req_payload(0, 3))
	r[#r + 1] = "f.true=" .. show(txn.f:always_true())
	r[#r + 1] = "sf.int=" .. show(txn.sf:int(5))
	r[#r + 1] = "c.lower=" .. show(txn.c:lower("AbC"))
	r[#r + 1] = "sc.base64=" .. show(txn.sc:base64("hi"))
	r[#r + 1] = "f.unknown=" .. show(txn.f.no_such_fetch)
	reply(txn, r)
end)

-- TXN fields, variables, private data, core
core.register_action("report3", { "tcp-req" }, function(txn)
	local r = {}
	r[#r + 1] = "http=" .. show(txn.http)
	r[#r + 1] = "foo=" .. show(txn.foo)
	txn.foo = "bar"
	r[#r + 1] = "foo2=" .. show(txn.foo)
	txn:set_var("txn.i", 12)
	txn:set_var("txn.s", "str")
	txn:set_var("txn.b", true)
	r[#r + 1] = "vars=" .. show(txn:get_var("txn.i")) .. "," .. show(txn:get_var("txn.s")) .. ","
		.. show(txn:get_var("txn.b")) .. "," .. show(txn:get_var("txn.unset"))
	txn:unset_var("txn.i")
	r[#r + 1] = "unset=" .. show(txn:get_var("txn.i"))
	r[#r + 1] = "priv0=" .. show(txn:get_priv())
	txn:set_priv({ n = 3 })
	r[#r + 1] = "priv=" .. show(txn:get_priv().n)
	local t = core.tokenize("a, b,,c", ", ")
	r[#r + 1] = "tok=" .. #t .. ":" .. table.concat(t, "|")
	t = core.tokenize("a, b,,c", ", ", true)
	r[#r + 1] = "tok2=" .. #t .. ":" .. table.concat(t, "|")
	local now = core.now()
	r[#r + 1] = "now=" .. math.type(now.sec) .. "," .. math.type(now.usec) .. "," .. tostring(now.sec > 1600000000)
	r[#r + 1] = "levels=" .. core.emerg .. core.alert .. core.crit .. core.err .. core.warning
		.. core.notice .. core.info .. core.debug
	r[#r + 1] = "act=" .. act.CONTINUE .. act.STOP .. act.YIELD .. act.ERROR .. act.DONE .. act.DENY
	reply(txn, r)
end)

-- core.concat, core.parse_addr, core.match_addr
core.register_action("report4", { "tcp-req" }, function(txn)
	local r = {}
	local c = core.concat()
	c:add("a")
	c:add("bc")
	r[#r + 1] = "concat=" .. c:dump() .. " " .. tostring(pcall(c.add, c, 12)) .. " "
		.. tostring(pcall(c.add, c, {})) .. " " .. c:dump()
	local net = core.parse_addr("10.0.0.0/8")
	local host = core.parse_addr(txn.f:src())
	r[#r + 1] = "parse=" .. type(net) .. " " .. tostring(core.parse_addr("garbage"))
	r[#r + 1] = "match=" .. tostring(core.match_addr(core.parse_addr("10.1.2.3"), net)) .. " "
		.. tostring(core.match_addr(net, core.parse_addr("10.1.2.3"))) .. " "
		.. tostring(core.match_addr(host, net)) .. " "
		.. tostring(core.match_addr(host, core.parse_addr("127.0.0.0/255.0.0.0"))) .. " "
		.. tostring(core.match_addr(core.parse_addr("::1"), core.parse_addr("::/0"))) .. " "
		.. tostring(core.match_addr(core.parse_addr("::1"), net))
	reply(txn, r)
end)

-- a runtime error is logged and the rule list goes on
core.register_action("boom", { "tcp-req" }, function(txn)
	local x = nil
	x.y = 1
end)
core.register_action("after", { "tcp-req" }, function(txn)
	txn.res:send("after the error\n")
	txn:done()
end)
-- bad arguments: HAProxy's answers (false, nil) or Lua errors
core.register_action("badargs", { "tcp-req" }, function(txn)
	local r = {}
	r[#r + 1] = "set_var=" .. tostring(txn:set_var("nodot", 1)) .. "," .. tostring(txn:set_var("txn.ok", 1))
	r[#r + 1] = "get_var=" .. tostring(txn:get_var("nodot"))
	r[#r + 1] = "unset_var=" .. tostring(txn:unset_var("nodot")) .. "," .. tostring(txn:unset_var("txn.ok"))
	r[#r + 1] = "log=" .. tostring(pcall(txn.log, txn, "x", "msg"))
	r[#r + 1] = "tokenize=" .. tostring(pcall(core.tokenize, nil, ","))
	r[#r + 1] = "send=" .. tostring(pcall(txn.res.send, txn.res, {}))
	r[#r + 1] = "corelog=" .. tostring(pcall(core.log, 9, "x"))
	txn.res:send(table.concat(r, "\n") .. "\n")
	txn:done()
end)
