-- Registers the seed's global hello_world (examples/hello_world.lua) as
-- the action lua.hello_world, HAProxy 2.6's syntax.
core.register_action("hello_world", { "tcp-req" }, hello_world)
