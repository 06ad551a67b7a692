/*
 * ldecl.c - protocols declared from Lua: a declaration, already checked
 * and put in canonical form by pkt.lua (pkt.layer), becomes a struct
 * pk_proto in C memory and is registered with the core.  A registered
 * protocol is never freed: packets and binds refer to it for the life
 * of the process.
 */
#include <stdlib.h>
#include <string.h>

#include <lua.h>
#include <lauxlib.h>

#include "lpkt.h"
#include "../src/codec.h"

static const char *const type_opts[] = {
    "int", "flags", "mac", "ipv4", "ipv6", "bytes", "records", "fixed", "dname", "tlv",
    "strings", "ipv6s", "wide", NULL
};
static const char *const role_opts[] = {
    "none", "len", "chksum", "next", "src", "dst", NULL
};
static const char *const cover_opts[] = {
    "header", "payload", "header+payload", NULL
};
/* the other covers, as the core spells them */
static const uint8_t cover_bits[] = { PK_COVER_HDR, PK_COVER_PAYLOAD,
                                      PK_COVER_HDR | PK_COVER_PAYLOAD };

/* Memory for one declaration, freed when registering fails. */
struct decl {
    void **block;
    int n, cap;
};

static void *keep(lua_State *L, struct decl *d, void *m)
{
    if (m && d->n == d->cap) {
        int cap = d->cap ? 2 * d->cap : 32;
        void **b = realloc(d->block, (size_t)cap * sizeof *b);
        if (b) {
            d->block = b;
            d->cap = cap;
        }
    }
    if (!m || d->n == d->cap) {
        free(m);
        luaL_error(L, "out of memory declaring a protocol");
    }
    d->block[d->n++] = m;
    return m;
}

static const char *str_of(lua_State *L, struct decl *d, int t, const char *k)
{
    const char *s;
    if (lua_getfield(L, t, k) != LUA_TSTRING) {
        lua_pop(L, 1);
        return NULL;
    }
    s = keep(L, d, strdup(lua_tostring(L, -1)));
    lua_pop(L, 1);
    return s;
}

static lua_Integer int_of(lua_State *L, int t, const char *k, lua_Integer def)
{
    lua_Integer v = def;
    if (lua_getfield(L, t, k) == LUA_TNUMBER)
        v = lua_tointeger(L, -1);
    lua_pop(L, 1);
    return v;
}

static int bool_of(lua_State *L, int t, const char *k)
{
    int v = (lua_getfield(L, t, k), lua_toboolean(L, -1));
    lua_pop(L, 1);
    return v;
}

static int opt_of(lua_State *L, int t, const char *k, const char *def,
                  const char *const opts[])
{
    int v;
    lua_getfield(L, t, k);
    v = luaL_checkoption(L, -1, def, opts);
    lua_pop(L, 1);
    return v;
}

/* t[k], a table value -> name, as a pk_name table ending with NULL. */
static const struct pk_name *names_of(lua_State *L, struct decl *d, int t, const char *k)
{
    struct pk_name *n;
    int i = 0, count = 0;
    if (lua_getfield(L, t, k) != LUA_TTABLE) {
        lua_pop(L, 1);
        return NULL;
    }
    for (lua_pushnil(L); lua_next(L, -2); lua_pop(L, 1))
        count++;
    n = keep(L, d, calloc((size_t)count + 1, sizeof *n));
    for (lua_pushnil(L); lua_next(L, -2); lua_pop(L, 1)) {
        n[i].value = (uint64_t)lua_tointeger(L, -2);
        n[i++].name = keep(L, d, strdup(luaL_checkstring(L, -1)));
    }
    lua_pop(L, 1);
    /* in value order, as flags print lowest bit first */
    for (int a = 1; a < count; a++)
        for (int b = a; b > 0 && n[b - 1].value > n[b].value; b--) {
            struct pk_name x = n[b];
            n[b] = n[b - 1];
            n[b - 1] = x;
        }
    return n;
}

/* The field described by the table on top of the stack. */
static void field_of(lua_State *L, struct decl *d, struct pk_field *fd)
{
    int t = lua_gettop(L), cover;
    const char *s;
    fd->name = str_of(L, d, t, "name");
    fd->type = (uint8_t)opt_of(L, t, "type", NULL, type_opts);
    fd->bits = (uint16_t)int_of(L, t, "bits", 0);
    fd->role = (uint8_t)opt_of(L, t, "role", "none", role_opts);
    fd->flags = (bool_of(L, t, "auto") ? PK_FF_AUTO : 0) | (bool_of(L, t, "hex") ? PK_FF_HEX : 0) |
                (bool_of(L, t, "counts") ? PK_FF_COUNT | PK_FF_AUTO : 0);
    fd->names = names_of(L, d, t, fd->type == PK_FLAGS ? "flagnames" : "names");
    fd->cls = str_of(L, d, t, "class");
    fd->unit = (uint8_t)int_of(L, t, "unit", 0);
    fd->count = (int)int_of(L, t, "count", 0);
    if (fd->role == PK_ROLE_LEN || fd->role == PK_ROLE_CHKSUM) {
        fd->flags |= PK_FF_AUTO;
        if (lua_getfield(L, t, "covers") == LUA_TSTRING && strcmp(lua_tostring(L, -1), "rest") == 0)
            cover = PK_COVER_AFTER;
        else if (lua_getfield(L, t, "measures") != LUA_TNIL)
            cover = PK_COVER_FIELD;
        else
            cover = cover_bits[opt_of(L, t, "covers", "header+payload", cover_opts)];
        lua_settop(L, t);
        fd->cover = (uint8_t)(cover | (bool_of(L, t, "pseudo_header") ? PK_COVER_PSEUDO : 0));
        fd->adj = (int8_t)int_of(L, t, "adj", 0);
    }
    if (fd->role == PK_ROLE_NEXT)
        fd->flags |= PK_FF_AUTO;
    if (lua_getfield(L, t, "of") == LUA_TNUMBER && fd->type == PK_RECORDS)
        fd->rec = pk_lua_checkproto(L, -1);
    else if (lua_isinteger(L, -1))
        fd->of = (uint8_t)lua_tointeger(L, -1);     /* the field a length measures */
    lua_pop(L, 1);
    s = lua_getfield(L, t, "default") == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
    if (fd->type == PK_WIDE) {
        if (!lua_isnil(L, -1)) {
            fd->deflen = fd->bits / 8u;
            fd->defp = keep(L, d, malloc(fd->deflen));
            if (pk_lua_towide(L, lua_gettop(L), fd->deflen, (uint8_t *)fd->defp) < 0)
                luaL_error(L, "%s: %s", fd->name, lua_tostring(L, -1));
        }
    } else if (fd->type == PK_MAC && s) {
        if (pk_mac_parse(s, &fd->def) < 0)
            luaL_error(L, "%s: '%s' is not a MAC address", fd->name, s);
    } else if (fd->type == PK_IPV4 && s) {
        uint32_t a;
        if (pk_ipv4_parse(s, &a) < 0)
            luaL_error(L, "%s: '%s' is not an IPv4 address", fd->name, s);
        fd->def = a;
    } else if (fd->type == PK_FIXED && s) {
        fd->deflen = (uint32_t)lua_rawlen(L, -1);
        fd->defp = memcpy(keep(L, d, malloc(fd->deflen + 1)), s, fd->deflen + 1);
    } else if (fd->type == PK_DNAME && s) {
        uint8_t wire[PK_DNAME_MAX];
        int n = s[0] ? pk_dname_parse(s, wire) : (wire[0] = 0, 1);
        if (n < 0)
            luaL_error(L, "%s: '%s' is not a domain name", fd->name, s);
        fd->deflen = (uint32_t)n;
        fd->defp = memcpy(keep(L, d, malloc((size_t)n)), wire, (size_t)n);
    } else if (lua_isinteger(L, -1)) {
        fd->def = (uint64_t)lua_tointeger(L, -1);
    }
    lua_settop(L, t);
}

static void free_decl(struct decl *d)
{
    while (d->n > 0)
        free(d->block[--d->n]);
    free(d->block);
}

static int do_register(lua_State *L)
{
    struct decl *d = lua_touserdata(L, 2);
    struct pk_proto *p = keep(L, d, calloc(1, sizeof *p));
    struct pk_field *fields;
    struct pk_bind *binds;
    struct pk_sumfmt *sum;
    const char *why;
    int n, id;

    luaL_checktype(L, 1, LUA_TTABLE);
    p->name = str_of(L, d, 1, "name");
    p->longname = str_of(L, d, 1, "longname");
    lua_getfield(L, 1, "fields");
    n = (int)luaL_len(L, -1);
    if (n < 1 || n > PK_MAXFIELDS)
        return luaL_error(L, "a protocol has 1 to %d fields, this one %d", PK_MAXFIELDS, n);
    fields = keep(L, d, calloc((size_t)n, sizeof *fields));
    for (int i = 0; i < n; i++) {
        lua_rawgeti(L, -1, i + 1);
        field_of(L, d, &fields[i]);
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    p->fields = fields;
    p->nfields = n;
    lua_getfield(L, 1, "binds");
    n = lua_istable(L, -1) ? (int)luaL_len(L, -1) : 0;
    binds = keep(L, d, calloc((size_t)n + 1, sizeof *binds));
    for (int i = 0; i < n; i++) {
        lua_rawgeti(L, -1, i + 1);
        binds[i].cls = str_of(L, d, lua_gettop(L), "class");
        binds[i].value = (uint64_t)int_of(L, lua_gettop(L), "value", 0);
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    p->binds = binds;
    p->nbinds = n;
    sum = keep(L, d, calloc(2, sizeof *sum));
    sum[0].field = sum[1].field = -1;
    sum[0].fmt = str_of(L, d, 1, "summary");
    p->summary = sum;
    id = pk_proto_register(p, &why);
    if (id < 0) {
        lua_pushnil(L);
        lua_pushstring(L, why);
        return 2;
    }
    d->n = 0;       /* registered: kept for the life of the process */
    lua_pushinteger(L, id);
    return 1;
}

/* register(decl) -> id | nil, why.  Whatever raises half way, the
 * memory of the declaration is freed. */
int pk_lua_register(lua_State *L)
{
    struct decl d = { NULL, 0, 0 };
    int rc;
    lua_settop(L, 1);
    lua_pushcfunction(L, do_register);
    lua_insert(L, 1);
    lua_pushlightuserdata(L, &d);
    rc = lua_pcall(L, 2, 2, 0);
    free_decl(&d);
    if (rc != LUA_OK)
        return lua_error(L);
    if (lua_isnil(L, 1))
        return 2;
    lua_settop(L, 1);
    return 1;
}
