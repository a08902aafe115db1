/* hooks.c: the table through which the engine enters Lua (see hooks.h).
 * Empty until lua/ fills it at start-up. */
#include <stddef.h>
#include "engine/hooks.h"

struct lua_hooks lua_hooks;
