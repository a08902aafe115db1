-- The seed's HTTP names (HAProxy 1.6 document): HTTP.req_get_header,
-- req_replace_header/value, res_get_header, res_replace_*, TXN.get_headers,
-- called through the seed's "http-request lua <function>" syntax.
function seed_req(txn)
    local h = txn.http
    local t = h:req_get_header()
    local g = txn:get_headers()
    h:req_set_header("x-count", tostring(#t["x-m"] + 1) .. "/" .. g["x-m"][1])
    h:req_replace_header("x-rep", "^(\\w+) (\\w+)$", "\\2 \\1")
    h:req_replace_value("x-val", "^(\\d+)$", "n\\1")
    h:req_set_uri("/seed?ok=1")
end

function seed_res(txn)
    local h = txn.http
    local t = h:res_get_header()
    h:res_set_header("x-first", t["x-s"][0])
    h:res_replace_header("x-s", "^(b)$", "\\1\\1")
    h:res_replace_value("x-v", "^z$", "Z")
end

core.register_action("done_req", { "http-req" }, function(txn) txn:done() end)
core.register_action("done_res", { "http-res" }, function(txn)
    txn.http:res_add_header("x-d", "1")
    txn:done()
end)
