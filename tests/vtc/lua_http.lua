-- HTTP class and Lua services, in HAProxy 2.6's names (lua_http_*.vtc).

-- "name[i]=value" for every header, names sorted, so that the result does
-- not depend on the order of a Lua table
local function dump(h)
    local names, out = {}, {}
    for k in pairs(h) do names[#names + 1] = k end
    table.sort(names)
    for _, k in ipairs(names) do
        local i = 0
        while h[k][i] ~= nil do
            out[#out + 1] = k .. "[" .. i .. "]=" .. h[k][i]
            i = i + 1
        end
    end
    return table.concat(out, "|")
end

core.register_action("hdr_dump", { "http-req" }, function(txn)
    txn.http:req_set_header("x-dump", dump(txn.http:req_get_headers()))
end)

core.register_action("hdr_edit", { "http-req" }, function(txn)
    local h = txn.http
    h:req_add_header("x-added", "one")
    h:req_add_header("x-added", "two")
    h:req_del_header("x-gone")
    h:req_set_header("x-set", "only")
    h:req_rep_header("x-rep", "^(\\w+)-(\\w+)$", "\\2-\\1")
    h:req_rep_value("x-val", "^a(.*)$", "A\\1")
end)

core.register_action("sl_edit", { "http-req" }, function(txn)
    local h = txn.http
    local arg = txn.sf:req_hdr("x-op")
    if arg == "method" then
        h:req_set_method("PUT")
    elseif arg == "path" then
        h:req_set_path("/new/path")
    elseif arg == "query" then
        h:req_set_query("q=1&r=2")
    elseif arg == "uri" then
        h:req_set_uri("/other?x=y")
    end
end)

core.register_action("res_edit", { "http-res" }, function(txn)
    local h = txn.http
    local hdrs = h:res_get_headers()
    h:res_set_status(299, "Fine")
    h:res_add_header("x-srv-count", tostring(#hdrs["x-srv"] + 1))
    h:res_set_header("x-srv", "replaced")
    h:res_del_header("x-drop")
    h:res_rep_value("x-list", "^b$", "B")
end)

-- a response function in a request rule, and the reverse, are errors
core.register_action("wrong_req", { "http-req" }, function(txn)
    local ok = pcall(function() txn.http:res_set_header("x-a", "1") end)
    txn.http:req_set_header("x-wrong", ok and "allowed" or "refused")
end)
core.register_action("wrong_res", { "http-res" }, function(txn)
    local ok = pcall(function() txn.http:req_set_header("x-a", "1") end)
    txn.http:res_set_header("x-wrong", ok and "allowed" or "refused")
end)

core.register_action("tcp_http", { "tcp-req" }, function(txn)
    txn:set_var("txn.http_is_nil", txn.http == nil and "yes" or "no")
end)

-- services
core.register_service("hello", "http", function(applet)
    local body = "hello world\n"
    applet:set_status(200)
    applet:add_header("content-length", #body)
    applet:add_header("x-svc", "hello")
    applet:start_response()
    applet:send(body)
end)

core.register_service("chunked", "http", function(applet)
    applet:add_header("x-svc", "chunked")
    applet:start_response()
    applet:send("part1,")
    applet:send("part2")
end)

core.register_service("status", "http", function(applet)
    applet:set_status(404, "Nowhere")
    applet:add_header("content-length", "4")
    applet:start_response()
    applet:send("gone")
end)

core.register_service("info", "http", function(applet)
    local s = applet.method .. " " .. applet.path .. " " .. applet.qs .. " " ..
              applet.length .. " " .. applet.headers["x-a"][0] .. "/" .. applet.headers["x-a"][1]
    applet:add_header("content-length", #s)
    applet:start_response()
    applet:send(s)
end)

-- the body in one read, in reads of 3 bytes, or line by line
core.register_service("echo", "http", function(applet)
    local mode = applet.headers["x-mode"] and applet.headers["x-mode"][0] or "all"
    local out = {}
    if mode == "all" then
        out[1] = applet:receive()
    elseif mode == "three" then
        while true do
            local d = applet:receive(3)
            if d == nil or d == "" then break end
            out[#out + 1] = "<" .. d .. ">"
        end
    else
        while true do
            local l = applet:getline()
            if l == nil or l == "" then break end
            out[#out + 1] = "[" .. l .. "]"
        end
    end
    local s = table.concat(out)
    applet:add_header("content-length", #s)
    applet:start_response()
    applet:send(s)
end)

-- several MiB in one send, then many small ones
core.register_service("big", "http", function(applet)
    local block = string.rep("0123456789abcdef", 4096)    -- 64 KiB
    applet:add_header("content-length", 4 * 1024 * 1024 + 65536 * 16)
    applet:start_response()
    applet:send(string.rep(block, 64))                     -- 4 MiB
    for i = 1, 16 do applet:send(block) end
end)

core.register_service("vars", "http", function(applet)
    applet:set_var("txn.svc", "from-service")
    local s = applet:get_var("txn.svc") .. " " .. applet.f:fe_name() ..
              " " .. applet.sc:upper("x")
    applet:add_header("content-length", #s)
    applet:start_response()
    applet:send(s)
end)

-- tcp: an echo line by line until "quit"
core.register_service("tcp_echo", "tcp", function(applet)
    while true do
        local l = applet:getline()
        if l == nil or l == "" or l == "quit\n" then break end
        applet:send("echo: " .. l)
    end
    applet:send("bye\n")
end)

-- a runaway service: stopped by tune.lua.service-timeout
core.register_service("spin", "http", function(applet)
    while true do end
end)

-- TXN data lives for one HTTP transaction: the next request on the same
-- connection gets a fresh TXN (no priv, no fields set by the script)
core.register_action("per_txn", { "http-req" }, function(txn)
    local p = txn:get_priv()
    txn:set_priv((p or 0) + 1)
    txn.http:req_set_header("x-pv", tostring(p) .. "/" .. tostring(txn.mine))
    txn.mine = "set"
end)
