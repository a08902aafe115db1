-- Scripts treat core.tcp()'s socket as a table: they add their own fields
-- and wrap methods, as LuaSocket-based libraries expect (socket.http takes
-- a "create" function returning such a socket).
local http = require("socket.http")

local function wrapped_socket()
	local sock = core.tcp()
	sock.calls = 0
	sock.orig_receive = sock.receive
	sock.receive = function(self, pattern, prefix)
		self.calls = self.calls + 1
		-- HAProxy refuses an explicit nil prefix: pass it only when given
		if prefix == nil then
			return self:orig_receive(pattern or "*l")
		end
		return self:orig_receive(pattern or "*l", prefix)
	end
	sock.orig_settimeout = sock.settimeout
	sock.settimeout = function(self, t)
		self:orig_settimeout(t)
		return 1
	end
	return sock
end

core.register_action("probe", { "http-req" }, function(txn, port)
	local last
	local body, code, headers = http.request {
		url = "http://127.0.0.1:" .. port .. "/check",
		method = "HEAD",
		redirect = false,
		create = function()
			last = wrapped_socket()
			return last
		end,
	}
	txn:set_var("txn.code", code)
	txn:set_var("txn.hdr", headers and headers["x-auth"] or "none")
	txn:set_var("txn.calls", last and last.calls or -1)
end, 1)
