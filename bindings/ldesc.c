/*
 * ldesc.c - the protocol descriptors as Lua data (fields, types, widths,
 * defaults, names, binds, summaries), for the generic printing, ls(),
 * checks and completion on the Lua side.
 */
#include <lua.h>
#include <lauxlib.h>

#include "lpkt.h"

static const char *const type_names[] = {
    "int", "flags", "mac", "ipv4", "ipv6", "bytes", "list"
};

static void push_names_table(lua_State *L, const struct pk_name *n)
{
    lua_newtable(L);
    for (; n->name; n++) {
        lua_pushstring(L, n->name);
        lua_rawseti(L, -2, (lua_Integer)n->value);
    }
}

static void push_fielddesc(lua_State *L, const struct pk_proto *p, int f)
{
    const struct pk_field *fd = &p->fields[f];
    char buf[64];
    lua_createtable(L, 0, 10);
    lua_pushstring(L, fd->name);
    lua_setfield(L, -2, "name");
    lua_pushstring(L, type_names[fd->type]);
    lua_setfield(L, -2, "type");
    lua_pushinteger(L, fd->bits);
    lua_setfield(L, -2, "bits");
    lua_pushboolean(L, fd->flags & PK_FF_AUTO);
    lua_setfield(L, -2, "auto");
    lua_pushboolean(L, fd->flags & PK_FF_HEX);
    lua_setfield(L, -2, "hex");
    lua_pushboolean(L, fd->flags & PK_FF_PSEUDO);
    lua_setfield(L, -2, "pseudo");
    lua_pushboolean(L, fd->flags & PK_FF_ZERO_NONE);
    lua_setfield(L, -2, "zero_none");
    lua_pushboolean(L, fd->present != NULL);
    lua_setfield(L, -2, "conditional");
    switch (fd->type) {       /* the default, in canonical form */
    case PK_MAC: pk_mac_format(fd->def, buf); lua_pushstring(L, buf); break;
    case PK_IPV4: pk_ipv4_format((uint32_t)fd->def, buf); lua_pushstring(L, buf); break;
    case PK_IPV6: lua_pushstring(L, "::"); break;
    case PK_BYTES: lua_pushstring(L, ""); break;
    case PK_LIST: lua_newtable(L); break;
    default: lua_pushinteger(L, (lua_Integer)fd->def); break;
    }
    lua_setfield(L, -2, "default");
    if (fd->names) {
        push_names_table(L, fd->names);
        lua_setfield(L, -2, fd->type == PK_FLAGS ? "flagnames" : "names");
    }
    if (fd->depnames) {
        lua_newtable(L);
        for (const struct pk_depnames *d = fd->depnames; d->names; d++) {
            push_names_table(L, d->names);
            lua_rawseti(L, -2, (lua_Integer)d->key);
        }
        lua_setfield(L, -2, "depnames");
        lua_pushstring(L, p->fields[fd->dep].name);
        lua_setfield(L, -2, "dep");
    }
    if (fd->opts) {
        lua_newtable(L);
        for (const struct pk_optkind *k = fd->opts; k->name; k++) {
            lua_pushstring(L, k->name);
            lua_rawseti(L, -2, k->kind);
        }
        lua_setfield(L, -2, "optnames");
    }
}

/* protos() -> array of descriptors: {name, longname, fields, summary} */
int pk_lua_protos(lua_State *L)
{
    lua_newtable(L);
    for (int i = 0; pk_protos[i]; i++) {
        const struct pk_proto *p = pk_protos[i];
        lua_createtable(L, 0, 6);
        lua_pushinteger(L, i + 1);
        lua_setfield(L, -2, "id");
        lua_pushstring(L, p->name);
        lua_setfield(L, -2, "name");
        lua_pushstring(L, p->longname);
        lua_setfield(L, -2, "longname");
        lua_pushboolean(L, p->quoted);
        lua_setfield(L, -2, "quoted");
        lua_createtable(L, p->nfields, 0);
        for (int f = 0; f < p->nfields; f++) {
            push_fielddesc(L, p, f);
            lua_rawseti(L, -2, f + 1);
        }
        lua_setfield(L, -2, "fields");
        lua_newtable(L);
        for (int k = 0; p->summary && p->summary[k].fmt; k++) {
            const struct pk_sumfmt *sf = &p->summary[k];
            lua_createtable(L, 0, 3);
            lua_pushstring(L, sf->fmt);
            lua_setfield(L, -2, "fmt");
            if (sf->field >= 0) {
                lua_pushstring(L, p->fields[sf->field].name);
                lua_setfield(L, -2, "field");
                lua_pushinteger(L, (lua_Integer)sf->value);
                lua_setfield(L, -2, "value");
            }
            lua_rawseti(L, -2, k + 1);
        }
        lua_setfield(L, -2, "summary");
        lua_createtable(L, p->nbinds, 0);
        for (int k = 0; k < p->nbinds; k++) {
            const struct pk_bind *bd = &p->binds[k];
            lua_createtable(L, 0, 3);
            lua_pushstring(L, p->fields[bd->field].name);
            lua_setfield(L, -2, "field");
            lua_pushinteger(L, (lua_Integer)bd->value);
            lua_setfield(L, -2, "value");
            lua_pushstring(L, bd->upper->name);
            lua_setfield(L, -2, "upper");
            lua_rawseti(L, -2, k + 1);
        }
        lua_setfield(L, -2, "binds");
        lua_rawseti(L, -2, i + 1);
    }
    return 1;
}

