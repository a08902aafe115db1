-- lua_task.vtc: an init function and a task that loops forever with sleeps.
local ticks = 0
local init_ran = "no"

core.register_init(function()
	init_ran = "yes"
end)

core.register_task(function()
	while true do
		ticks = ticks + 1
		core.msleep(50)
	end
end)

-- a task that ends, and one that fails: neither disturbs the others
core.register_task(function()
	core.msleep(10)
end)
core.register_task(function()
	core.msleep(10)
	error("task failure on purpose")
end)

core.register_action("report", { "tcp-req" }, function(txn)
	txn.res:send("init=" .. init_ran .. " ticking=" .. tostring(ticks >= 5) .. "\n")
	txn:done()
end)
