-- lua_errors.vtc: an unknown action environment.
core.register_action("a", { "tcp-request" }, function(txn) end)
