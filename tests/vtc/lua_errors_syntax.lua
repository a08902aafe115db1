-- lua_errors.vtc: a syntax error at line 3.
function f(
