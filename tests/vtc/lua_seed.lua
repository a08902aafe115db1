-- lua_seed.vtc: the seed's names and behaviours that HAProxy 2.6 does not
-- share (global functions called by "lua <function>", get_line, append at
-- the end, nil on a closed channel, lua.* converters through txn.c).
local function show(v)
	if v == nil then return "nil" end
	return "'" .. tostring(v) .. "'"
end

core.register_converters("wrap", function(s, a) return "<" .. s .. (a or "") .. ">" end)
core.register_fetches("hello", function(txn) return "hello" end)

function seed_probe(txn)
	local r = {}
	-- let the client's shutdown arrive after its bytes
	core.msleep(200)
	r[#r + 1] = "in=" .. txn.req:get_in_length() .. " out=" .. txn.req:get_out_length()
	r[#r + 1] = "line=" .. show(txn.req:get_line())
	r[#r + 1] = "append=" .. txn.req:append("+END")
	r[#r + 1] = "dup=" .. show(txn.req:dup())
	r[#r + 1] = "get=" .. show(txn.req:get())
	-- the client shut its side: an empty channel that can never receive more
	r[#r + 1] = "get2=" .. show(txn.req:get())
	r[#r + 1] = "dup2=" .. show(txn.req:dup())
	r[#r + 1] = "line2=" .. show(txn.req:get_line())
	txn.res:send(table.concat(r, "\n") .. "\n")
	txn:close()
end

function seed_samples(txn)
	local r = {}
	r[#r + 1] = "conv=" .. show(txn.c:lua_wrap("in", "!"))
	r[#r + 1] = "fetch=" .. show(txn.f:lua_hello())
	r[#r + 1] = "fetcharg=" .. tostring(pcall(txn.f.int, txn.f, {}))
	r[#r + 1] = "ctx=" .. select(2, pcall(core.register_fetches, "late", function() end))
	r[#r + 1] = "sleepctx=" .. select(2, pcall(core.register_action, "x", { "tcp-req" }, function() end))
	r[#r + 1] = "acl=" .. select(2, pcall(core.add_acl, "/nonexistent.acl", "k"))
	txn.res:send(table.concat(r, "\n") .. "\n")
	txn:done()
end

-- "lua <function>" in tcp-response content: upper-cases what the server sent
function seed_upper(txn)
	local d = txn.res:get()
	if d then
		txn.res:send(d:upper())
	end
end
