/* lmap.c: the Map class — lookups in a map file through the same pattern
 * lists as the map_* converters, ACL files, core.set_map/del_map and the
 * management socket (engine/pattern.h), so an update by any of them is seen
 * by all. Map.new() loads the file (body or init: start-up); lookups are
 * allowed everywhere. */
#include <stdio.h>
#include <string.h>

#include "engine/pattern.h"
#include "engine/sample.h"
#include "lua/hlua.h"

#define MAP_MT "ringproxy.Map"

struct hlua_map {
	struct pat_expr *expr;      /* owned by its pattern list (process lifetime) */
};

/* The match methods, as HAProxy names them: Map.<name> (seed) and
 * Map._<name> (HAProxy 2.x, the plain names being deprecated there). */
static const struct { const char *name; enum pat_match m; } map_kinds[] = {
	{ "int", PAT_MATCH_INT }, { "ip", PAT_MATCH_IP }, { "str", PAT_MATCH_STR },
	{ "beg", PAT_MATCH_BEG }, { "sub", PAT_MATCH_SUB }, { "dir", PAT_MATCH_DIR },
	{ "dom", PAT_MATCH_DOM }, { "end", PAT_MATCH_END }, { "reg", PAT_MATCH_REG },
};

/* Map.new(file [, method]): loads <file> (once per process: shared with
 * every other user of that file) for <method> (default Map._str). */
static int map_new(lua_State *L)
{
	const char *file = luaL_checkstring(L, 1);
	lua_Integer m = luaL_optinteger(L, 2, PAT_MATCH_STR);
	struct hlua_map *map;
	struct pat_list *l;
	char err[512];

	hlua_check_ctx(L, HLUA_M_INITMODE, "Map.new");
	if (m < 0 || m >= PAT_MATCH_KINDS || m == PAT_MATCH_FOUND || m == PAT_MATCH_BOOL)
		return luaL_argerror(L, 2, "unknown match method");
	if (!(l = pat_list_load(file, 1, err, sizeof(err))))
		return luaL_error(L, "'new': %s", err);
	map = lua_newuserdatauv(L, sizeof(*map), 0);
	map->expr = pat_expr_get(l, (enum pat_match)m, 0, err, sizeof(err));
	if (!map->expr)
		return luaL_error(L, "'new': %s", err);
	luaL_setmetatable(L, MAP_MT);
	return 1;
}

/* Returns the value for the key at index 2, or NULL. */
static const char *map_find(lua_State *L)
{
	struct hlua_map *map = luaL_checkudata(L, 1, MAP_MT);
	const struct pat_entry *e;
	struct sample smp;
	size_t len;
	const char *key;

	if (lua_isinteger(L, 2) && pat_expr_kind(map->expr) == PAT_MATCH_INT) {
		memset(&smp, 0, sizeof(smp));
		smp.type = SMP_T_SINT;
		smp.u.sint = lua_tointeger(L, 2);
	} else {
		key = luaL_checklstring(L, 2, &len);
		memset(&smp, 0, sizeof(smp));
		smp.type = SMP_T_STR;
		smp.flags = SMP_F_CONST;
		smp.u.str.ptr = (char *)key;
		smp.u.str.len = len;
	}
	e = pat_expr_lookup(map->expr, &smp);
	return e ? pat_entry_value(e) : NULL;
}

/* Map.lookup(map, key): the value, or nil when nothing matches. */
static int map_lookup(lua_State *L)
{
	const char *v = map_find(L);

	if (v)
		lua_pushstring(L, v);
	else
		lua_pushnil(L);
	return 1;
}

/* Map.slookup(map, key): the value, or "" when nothing matches. */
static int map_slookup(lua_State *L)
{
	const char *v = map_find(L);

	lua_pushstring(L, v ? v : "");
	return 1;
}

static int map_tostring(lua_State *L)
{
	lua_pushstring(L, "HAProxy class Map");
	return 1;
}

void hlua_map_open(lua_State *L)
{
	static const luaL_Reg methods[] = {
		{ "lookup", map_lookup }, { "slookup", map_slookup }, { NULL, NULL }
	};
	char name[16];

	luaL_newmetatable(L, MAP_MT);
	luaL_newlib(L, methods);
	lua_setfield(L, -2, "__index");
	lua_pushcfunction(L, map_tostring);
	lua_setfield(L, -2, "__tostring");
	lua_pop(L, 1);

	lua_newtable(L);
	lua_pushcfunction(L, map_new);
	lua_setfield(L, -2, "new");
	lua_pushcfunction(L, map_lookup);
	lua_setfield(L, -2, "lookup");
	lua_pushcfunction(L, map_slookup);
	lua_setfield(L, -2, "slookup");
	for (size_t i = 0; i < sizeof(map_kinds) / sizeof(map_kinds[0]); i++) {
		lua_pushinteger(L, map_kinds[i].m);
		lua_setfield(L, -2, map_kinds[i].name);
		snprintf(name, sizeof(name), "_%s", map_kinds[i].name);
		lua_pushinteger(L, map_kinds[i].m);
		lua_setfield(L, -2, name);
	}
	lua_setglobal(L, "Map");
}
