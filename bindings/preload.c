/*
 * preload.c - makes "pkt.core" and the Lua modules compiled into the
 * host (build/embed.c) loadable by require, so pktlua needs no files.
 */
#include <lua.h>
#include <lauxlib.h>

int luaopen_pkt_core(lua_State *L);
int pk_preload(lua_State *L);

extern const struct pk_embedded {
    const char *name, *chunk, *src;
    size_t len;
} pk_embedded[];

static int load_embedded(lua_State *L)
{
    const struct pk_embedded *m = lua_touserdata(L, lua_upvalueindex(1));
    if (luaL_loadbuffer(L, m->src, m->len, m->chunk) != LUA_OK)
        return lua_error(L);
    lua_pushvalue(L, 1);    /* module name, as require passes it */
    lua_call(L, 1, 1);
    return 1;
}

int pk_preload(lua_State *L)
{
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
    lua_pushcfunction(L, luaopen_pkt_core);
    lua_setfield(L, -2, "pkt.core");
    for (const struct pk_embedded *m = pk_embedded; m->name; m++) {
        lua_pushlightuserdata(L, (void *)m);
        lua_pushcclosure(L, load_embedded, 1);
        lua_setfield(L, -2, m->name);
    }
    lua_pop(L, 1);
    return 0;
}
