/*
 * lpkt.c - the Lua binding of the packet core, module "pkt.core".
 * Thin on purpose: it converts Lua values to and from the core's field
 * values and exposes the descriptors as data; packets, printing and
 * defaults are Lua (bindings/pkt.lua).
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <lua.h>
#include <lauxlib.h>

#include "lpkt.h"

#define PKMOD_API __attribute__((visibility("default")))

/* Room for what build converts: IPv6 addresses and encoded options. */
struct scratch {
    uint8_t buf[8192];
    size_t used;
};

static uint8_t *scratch_get(struct scratch *s, size_t n)
{
    if (n > sizeof s->buf - s->used)
        return NULL;
    s->used += n;
    return s->buf + s->used - n;
}

const struct pk_proto *pk_lua_checkproto(lua_State *L, int arg)
{
    lua_Integer id = luaL_checkinteger(L, arg);
    const struct pk_proto *p = id >= 1 && id <= INT_MAX ? pk_proto_byid((int)id) : NULL;
    luaL_argcheck(L, p != NULL, arg, "no such protocol id");
    return p;
}

int pk_lua_protoid(const struct pk_proto *p)
{
    return pk_proto_id(p);
}

/* ---- Lua value -> field value -------------------------------------- */

/* Pushes "Proto.field: " so error messages name what was wrong. */
static const char *where(lua_State *L, const struct pk_layer *l, int f)
{
    return lua_pushfstring(L, "%s.%s: ", l->proto->name, l->proto->fields[f].name);
}

static int bad(lua_State *L, const struct pk_layer *l, int f, const char *fmt,
               const char *what)
{
    where(L, l, f);
    lua_pushfstring(L, fmt, what);
    lua_concat(L, 2);
    return -1;
}

/* Lists the names of field f for an error message. */
static void push_names(lua_State *L, const struct pk_layer *l, int f)
{
    const struct pk_field *fd = &l->proto->fields[f];
    const struct pk_name *n = fd->names;
    luaL_Buffer b;
    if (fd->depnames) {
        n = NULL;
        for (const struct pk_depnames *d = fd->depnames; d->names; d++)
            if (d->key == pk_layer_u(l, fd->dep))
                n = d->names;
    }
    luaL_buffinit(L, &b);
    for (int k = 0; n && n[k].name; k++) {
        if (k)
            luaL_addstring(&b, fd->type == PK_FLAGS ? " " : ", ");
        luaL_addstring(&b, n[k].name);
    }
    luaL_pushresult(&b);
}

static int int_value(lua_State *L, struct pk_layer *l, int f, int idx)
{
    const struct pk_field *fd = &l->proto->fields[f];
    uint64_t u;
    if (lua_isinteger(L, idx) || (lua_type(L, idx) == LUA_TNUMBER &&
                                  lua_tointegerx(L, idx, NULL) == lua_tonumber(L, idx))) {
        lua_Integer i = lua_tointeger(L, idx);
        u = (uint64_t)i;
        if ((i < 0 && fd->bits < 64) || u > pk_field_max(fd)) {
            char msg[80];
            snprintf(msg, sizeof msg, "%lld is out of range (0..%llu)",
                     (long long)i, (unsigned long long)pk_field_max(fd));
            return bad(L, l, f, "%s", msg);
        }
    } else if (lua_type(L, idx) == LUA_TSTRING && fd->type == PK_FLAGS) {
        if (pk_flags_parse(fd, lua_tostring(L, idx), &u) < 0) {
            push_names(L, l, f);
            lua_pushfstring(L, "'%s' is not a combination of the flags %s",
                            lua_tostring(L, idx), lua_tostring(L, -1));
            return bad(L, l, f, "%s", lua_tostring(L, -1));
        }
    } else if (lua_type(L, idx) == LUA_TSTRING) {
        if (pk_field_namedval(l, f, lua_tostring(L, idx), &u) < 0) {
            push_names(L, l, f);
            if (lua_rawlen(L, -1) == 0)
                lua_pushfstring(L, "'%s' is a string; this field takes a number",
                                lua_tostring(L, idx));
            else
                lua_pushfstring(L, "'%s' is not a known name (use a number, or one of: %s)",
                                lua_tostring(L, idx), lua_tostring(L, -1));
            return bad(L, l, f, "%s", lua_tostring(L, -1));
        }
    } else {
        return bad(L, l, f, "expected an integer, got %s", luaL_typename(L, idx));
    }
    pk_layer_setu(l, f, u);
    return 0;
}

/* One option item: {name, value} or a bare name string. */
static int opt_value(lua_State *L, struct pk_layer *l, int f, int idx,
                     struct pk_opt *o)
{
    const struct pk_optkind *kinds = l->proto->fields[f].opts, *k = NULL;
    int t;
    memset(o, 0, sizeof *o);
    idx = lua_absindex(L, idx);
    if (lua_type(L, idx) == LUA_TSTRING) {
        lua_newtable(L);
        lua_pushvalue(L, idx);
        lua_rawseti(L, -2, 1);
        lua_replace(L, idx);
    }
    if (lua_type(L, idx) != LUA_TTABLE)
        return bad(L, l, f, "an option is {name, value}, got %s", luaL_typename(L, idx));
    lua_rawgeti(L, idx, 1);
    if (lua_type(L, -1) == LUA_TSTRING) {
        k = pk_opt_named(kinds, lua_tostring(L, -1));
        if (!k)
            return bad(L, l, f, "unknown option '%s' (use a kind number for others)",
                       lua_tostring(L, -1));
        o->kind = k->kind;
    } else if (lua_isinteger(L, -1) && lua_tointeger(L, -1) >= 0 &&
               lua_tointeger(L, -1) <= 255) {
        o->kind = (uint8_t)lua_tointeger(L, -1);
        k = pk_opt_kind(kinds, o->kind);
    } else {
        return bad(L, l, f, "an option's first item is its name or kind (0..255), got %s",
                   luaL_typename(L, -1));
    }
    lua_pop(L, 1);
    t = lua_rawgeti(L, idx, 2);
    lua_getfield(L, idx, "malformed");
    if (lua_toboolean(L, -1) && t == LUA_TSTRING)
        o->raw = PK_OPTRAW_MALFORMED;
    lua_pop(L, 1);
    if (t == LUA_TSTRING && (!k || k->shape != PK_OPT_EMPTY ||
                             lua_rawlen(L, -1) > 0)) {
        size_t len;
        o->data = (const uint8_t *)lua_tolstring(L, -1, &len);
        o->len = (uint32_t)len;
        if (!o->raw)
            o->raw = PK_OPTRAW_VALUE;
        if (len > 253)
            return bad(L, l, f, "option value of %s bytes is too long (at most 253)",
                       lua_pushfstring(L, "%d", (int)len));
    } else if (k && (k->shape == PK_OPT_U8 || k->shape == PK_OPT_U16)) {
        uint64_t max = k->shape == PK_OPT_U8 ? 255 : 65535;
        if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 0 ||
            (uint64_t)lua_tointeger(L, -1) > max)
            return bad(L, l, f, "option %s needs an integer value in range", k->name);
        o->nvals = 1;
        o->vals[0] = (uint32_t)lua_tointeger(L, -1);
    } else if (k && k->shape == PK_OPT_U32S) {
        int n;
        if (t != LUA_TTABLE)
            return bad(L, l, f, "option %s needs a list of 32-bit integers", k->name);
        n = (int)lua_rawlen(L, -1);
        if (n > PK_OPT_MAXVALS || (k->nvals && n != k->nvals))
            return bad(L, l, f, "option %s has the wrong number of values", k->name);
        for (int i = 0; i < n; i++) {
            lua_rawgeti(L, -1, i + 1);
            if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 0 ||
                lua_tointeger(L, -1) > 0xffffffff)
                return bad(L, l, f, "option %s values are 32-bit integers", k->name);
            o->vals[i] = (uint32_t)lua_tointeger(L, -1);
            lua_pop(L, 1);
        }
        o->nvals = (uint8_t)n;
    } else if (!k && t != LUA_TSTRING) {
        return bad(L, l, f, "option kind %s needs its value as a byte string",
                   lua_pushfstring(L, "%d", o->kind));
    }
    lua_pop(L, 1);
    return 0;
}

/* Converts the Lua value at idx into field f of l.  Returns 0, or -1
 * with an error message pushed. */
static int to_field(lua_State *L, struct pk_layer *l, int f, int idx,
                    struct scratch *s)
{
    const struct pk_field *fd = &l->proto->fields[f];
    const char *str;
    size_t len;

    idx = lua_absindex(L, idx);
    switch (fd->type) {
    case PK_INT:
    case PK_FLAGS:
        return int_value(L, l, f, idx);
    case PK_MAC: {
        uint64_t m;
        if (lua_type(L, idx) != LUA_TSTRING)
            return bad(L, l, f, "expected a MAC address string, got %s", luaL_typename(L, idx));
        if (pk_mac_parse(lua_tostring(L, idx), &m) < 0)
            return bad(L, l, f, "'%s' is not a MAC address (write aa:bb:cc:dd:ee:ff)",
                       lua_tostring(L, idx));
        pk_layer_setu(l, f, m);
        return 0;
    }
    case PK_IPV4: {
        uint32_t a;
        if (lua_type(L, idx) != LUA_TSTRING)
            return bad(L, l, f, "expected an IPv4 address string, got %s", luaL_typename(L, idx));
        if (pk_ipv4_parse(lua_tostring(L, idx), &a) < 0)
            return bad(L, l, f, "'%s' is not an IPv4 address", lua_tostring(L, idx));
        pk_layer_setu(l, f, a);
        return 0;
    }
    case PK_IPV6: {
        uint8_t *a = scratch_get(s, 16);
        if (lua_type(L, idx) != LUA_TSTRING)
            return bad(L, l, f, "expected an IPv6 address string, got %s", luaL_typename(L, idx));
        if (!a)
            return bad(L, l, f, "%s", "packet too large");
        if (pk_ipv6_parse(lua_tostring(L, idx), a) < 0)
            return bad(L, l, f, "'%s' is not an IPv6 address", lua_tostring(L, idx));
        pk_layer_setp(l, f, a, 16);
        return 0;
    }
    case PK_BYTES:
        if (lua_type(L, idx) != LUA_TSTRING)
            return bad(L, l, f, "expected a string of bytes, got %s", luaL_typename(L, idx));
        str = lua_tolstring(L, idx, &len);
        if ((fd->flags & PK_FF_PAD4) && len > 40)
            return bad(L, l, f, "%s bytes of options do not fit (at most 40)",
                       lua_pushfstring(L, "%d", (int)len));
        if (len > PK_MAXPKT)
            return bad(L, l, f, "%s bytes do not fit in a packet (at most 65535)",
                       lua_pushfstring(L, "%d", (int)len));
        pk_layer_setp(l, f, (const uint8_t *)str, (uint32_t)len);
        return 0;
    case PK_LIST: {
        struct pk_opt opts[PK_MAXOPTS];
        int n, w;
        uint8_t *out;
        if (lua_type(L, idx) != LUA_TTABLE)
            return bad(L, l, f, "expected a list of options, got %s", luaL_typename(L, idx));
        n = (int)lua_rawlen(L, idx);
        if (n > PK_MAXOPTS)
            return bad(L, l, f, "%s options are too many", lua_pushfstring(L, "%d", n));
        for (int i = 0; i < n; i++) {
            lua_rawgeti(L, idx, i + 1);
            if (opt_value(L, l, f, -1, &opts[i]) < 0)
                return -1;
            /* its strings stay reachable through the list itself */
            lua_pop(L, 1);
        }
        out = s->buf + s->used;
        w = pk_opts_encode(fd->opts, opts, n, out, sizeof s->buf - s->used);
        if (w < 0)
            return bad(L, l, f, "%s", "options too long to encode");
        if ((fd->flags & PK_FF_PAD4) && w > 40)
            return bad(L, l, f, "%s bytes of options do not fit (at most 40)",
                       lua_pushfstring(L, "%d", w));
        s->used += (size_t)w;
        pk_layer_setp(l, f, out, (uint32_t)w);
        return 0;
    }
    }
    return bad(L, l, f, "%s", "unsupported field type");
}

/* ---- field value -> Lua value -------------------------------------- */

static void push_opts(lua_State *L, const struct pk_field *fd,
                      const uint8_t *p, size_t len)
{
    struct pk_opt o[PK_MAXOPTS];
    int n = pk_opts_decode(fd->opts, p, len, o, PK_MAXOPTS);
    lua_createtable(L, n, 0);
    for (int i = 0; i < n; i++) {
        const struct pk_optkind *k = pk_opt_kind(fd->opts, o[i].kind);
        lua_createtable(L, 2, 0);
        if (k && o[i].raw != PK_OPTRAW_MALFORMED)
            lua_pushstring(L, k->name);
        else
            lua_pushinteger(L, o[i].kind);
        lua_rawseti(L, -2, 1);
        if (o[i].raw) {
            lua_pushlstring(L, (const char *)o[i].data, o[i].len);
            lua_rawseti(L, -2, 2);
            if (o[i].raw == PK_OPTRAW_MALFORMED) {
                lua_pushboolean(L, 1);
                lua_setfield(L, -2, "malformed");
            }
        } else if (k && (k->shape == PK_OPT_U8 || k->shape == PK_OPT_U16)) {
            lua_pushinteger(L, o[i].vals[0]);
            lua_rawseti(L, -2, 2);
        } else if (k && k->shape == PK_OPT_U32S) {
            lua_createtable(L, o[i].nvals, 0);
            for (int j = 0; j < o[i].nvals; j++) {
                lua_pushinteger(L, o[i].vals[j]);
                lua_rawseti(L, -2, j + 1);
            }
            lua_rawseti(L, -2, 2);
        }
        lua_rawseti(L, -2, i + 1);
    }
    if (n == PK_MAXOPTS)    /* more than the limit: keep the rest raw */
        lua_pushboolean(L, 1), lua_setfield(L, -2, "truncated");
}

static void push_field(lua_State *L, const struct pk_layer *l, int f)
{
    const struct pk_field *fd = &l->proto->fields[f];
    const struct pk_val *v = &l->v[f];
    char buf[64];

    switch (fd->type) {
    case PK_MAC:
        pk_mac_format(v->u, buf);
        lua_pushstring(L, buf);
        break;
    case PK_IPV4:
        pk_ipv4_format((uint32_t)v->u, buf);
        lua_pushstring(L, buf);
        break;
    case PK_IPV6:
        pk_ipv6_format(v->p, buf);
        lua_pushstring(L, buf);
        break;
    case PK_BYTES:
        lua_pushlstring(L, (const char *)v->p, v->len);
        break;
    case PK_LIST:
        push_opts(L, fd, v->p, v->len);
        break;
    default:
        lua_pushinteger(L, (lua_Integer)v->u);
        break;
    }
}

/* ---- layers between Lua and C -------------------------------------- */

static int conditional(const struct pk_proto *p)
{
    for (int f = 0; f < p->nfields; f++)
        if (p->fields[f].present)
            return 1;
    return 0;
}

/* Fills l from the Lua fields table at idx (field name -> value).  A
 * layer whose fields depend on others (ICMP's on its type) is read in
 * descriptor order, only the fields present given those before them;
 * others by walking just the fields that are set, the common fast case. */
static int fill_layer(lua_State *L, struct pk_layer *l, int idx, struct scratch *s)
{
    const struct pk_proto *p = l->proto;
    idx = lua_absindex(L, idx);
    if (!conditional(p)) {
        lua_pushnil(L);
        while (lua_next(L, idx)) {
            const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "";
            int f = pk_field_find(p, k);
            if (f < 0)
                return luaL_error(L, "%s has no field '%s'", p->name, k), -1;
            if (to_field(L, l, f, -1, s) < 0)
                return -1;
            lua_pop(L, 1);
        }
        return 0;
    }
    for (int f = 0; f < p->nfields; f++) {
        if (!pk_field_present(l, f))
            continue;
        if (lua_getfield(L, idx, p->fields[f].name) != LUA_TNIL) {
            if (to_field(L, l, f, -1, s) < 0)
                return -1;
        }
        lua_pop(L, 1);
    }
    return 0;
}

/* norm(proto_id, field_name, value, fields) -> value in canonical form
 * (integer, address string, byte string, option list).  Raises with a
 * message naming the layer, the field and the value. */
static int l_norm(lua_State *L)
{
    struct scratch s;
    s.used = 0;   /* not the buffer: zeroing 8 KiB per call costs more than the call */
    struct pk_layer l;
    const struct pk_proto *p = pk_lua_checkproto(L, 1);
    const char *name = luaL_checkstring(L, 2);
    int f = -1;

    luaL_checkany(L, 3);
    pk_layer_init(&l, p);
    if (lua_istable(L, 4) && fill_layer(L, &l, 4, &s) < 0)
        lua_pop(L, 1);  /* other fields' errors are theirs, not this one's */
    for (int i = 0; i < p->nfields && f < 0; i++)
        if (strcmp(p->fields[i].name, name) == 0 && pk_field_present(&l, i))
            f = i;
    if (f < 0)
        f = pk_field_find(p, name);
    if (f < 0)
        return luaL_error(L, "%s has no field '%s'", p->name, name);
    lua_settop(L, 3);
    if (to_field(L, &l, f, 3, &s) < 0)
        return lua_error(L);
    push_field(L, &l, f);
    return 1;
}

/* Fills ls[n..] from one (protocol id, fields) pair of a flat packet:
 * fields is a table, or a string that dissects as that protocol (a Raw
 * load, or the bytes of a dissected packet stacked as they are).
 * Returns the new layer count. */
static int fill_pair(lua_State *L, struct pk_layer *ls, int n, int idx,
                     struct scratch *s)
{
    const struct pk_proto *p = pk_lua_checkproto(L, idx);
    if (lua_type(L, idx + 1) == LUA_TSTRING) {
        struct pk_layer d[PK_MAXLAYERS];
        size_t len;
        const uint8_t *b = (const uint8_t *)lua_tolstring(L, idx + 1, &len);
        int m;
        if (len > PK_MAXPKT)
            return luaL_error(L, "%s%s: %d bytes do not fit in a packet (at most %d)",
                              p->name, p == &pk_proto_raw ? ".load" : "", (int)len,
                              PK_MAXPKT);
        m = pk_dissect(p, b, len, d, PK_MAXLAYERS);
        if (n + m > PK_MAXLAYERS)
            return luaL_error(L, "a packet has at most %d layers, this one has %d",
                              PK_MAXLAYERS, n + m);
        memcpy(ls + n, d, (size_t)m * sizeof d[0]);
        return n + m;
    }
    luaL_checktype(L, idx + 1, LUA_TTABLE);
    if (n >= PK_MAXLAYERS)
        return luaL_error(L, "a packet has at most %d layers", PK_MAXLAYERS);
    pk_layer_init(&ls[n], p);
    if (fill_layer(L, &ls[n], idx + 1, s) < 0)
        lua_error(L);
    return n + 1;
}

/* Flat packets keep their (protocol id, fields) pairs at keys -1, -2,
 * -3, ...: the positive indexes are the layers, as p[1] in Lua. */
static lua_Integer flat_pairs(lua_State *L, int idx)
{
    lua_Integer n = 0;
    while (lua_rawgeti(L, idx, -2 * n - 1) != LUA_TNIL) {
        lua_pop(L, 1);
        n++;
    }
    lua_pop(L, 1);
    return n;
}

/* build(packet) -> bytes of a flat packet {[-1] = id1, [-2] = fields1,
 * ...} (see fill_pair).  Strings stay referenced by the packet while the
 * layers point into them. */
static int l_build(lua_State *L)
{
    static uint8_t out[PK_MAXPKT];
    struct pk_layer ls[PK_MAXLAYERS];
    struct scratch s;
    s.used = 0;   /* not the buffer: zeroing 8 KiB per call costs more than the call */
    size_t len;
    int n = 0, rc, top;
    lua_Integer npairs;

    luaL_checktype(L, 1, LUA_TTABLE);
    npairs = flat_pairs(L, 1);
    if (npairs > PK_MAXLAYERS)
        return luaL_error(L, "a packet has at most %d layers, this one has %d",
                          PK_MAXLAYERS, (int)npairs);
    top = lua_gettop(L);
    for (lua_Integer i = 0; i < npairs; i++) {
        lua_rawgeti(L, 1, -2 * i - 1);
        lua_rawgeti(L, 1, -2 * i - 2);
        n = fill_pair(L, ls, n, top + 1, &s);
        lua_settop(L, top);
    }
    rc = pk_build(ls, n, out, sizeof out, &len);
    if (rc == PK_ENOSPC)
        return luaL_error(L, "packet larger than %d bytes", PK_MAXPKT);
    if (rc == PK_ETOOMANY)
        return luaL_error(L, "a packet has at most %d layers", PK_MAXLAYERS);
    if (rc < 0)     /* a header whose fields do not fill whole bytes */
        return luaL_error(L, "cannot build this packet: a layer's fields do not end on a byte");
    lua_pushlstring(L, (const char *)out, len);
    return 1;
}

/* Appends the m pairs of operand idx to t after its first n pairs; a
 * string is a Raw load (m is 1). */
static void cat_one(lua_State *L, int t, lua_Integer n, int idx, lua_Integer m,
                    lua_Integer raw)
{
    if (lua_type(L, idx) == LUA_TSTRING) {
        lua_pushinteger(L, raw);
        lua_rawseti(L, t, -2 * n - 1);
        lua_pushvalue(L, idx);
        lua_rawseti(L, t, -2 * n - 2);
        return;
    }
    for (lua_Integer i = 0; i < m; i++, n++) {
        lua_rawgeti(L, idx, -2 * i - 1);
        lua_rawseti(L, t, -2 * n - 1);
        lua_rawgeti(L, idx, -2 * i - 2);
        lua_rawseti(L, t, -2 * n - 2);
    }
}

/* Pushes the flat packet of a's na pairs then b's nb, with metatable mt:
 * stacking with `/` is this one table. */
static void cat(lua_State *L, int mt, int a, lua_Integer na, int b, lua_Integer nb,
                lua_Integer raw)
{
    int t;
    lua_createtable(L, 0, (int)(2 * (na + nb)));
    t = lua_gettop(L);
    cat_one(L, t, 0, a, na, raw);
    cat_one(L, t, na, b, nb, raw);
    lua_pushvalue(L, mt);
    lua_setmetatable(L, t);
}

static lua_Integer operand_pairs(lua_State *L, int idx)
{
    return lua_type(L, idx) == LUA_TSTRING ? 1 : flat_pairs(L, idx);
}

/* cat(mt, a, b, raw_id) -> flat packet a then b; a and b are flat
 * packets or strings (Raw loads). */
static int l_cat(lua_State *L)
{
    lua_Integer raw = luaL_checkinteger(L, 4);
    for (int i = 2; i <= 3; i++)
        if (lua_type(L, i) != LUA_TSTRING)
            luaL_checktype(L, i, LUA_TTABLE);
    cat(L, 1, 2, operand_pairs(L, 2), 3, operand_pairs(L, 3), raw);
    return 1;
}

/* ---- constructors and `/` without Lua in the common case ----------- */

/* Whether a protocol's fields must be read in order (ICMP's code names
 * and fields depend on its type); those take the Lua path. */
static int ordered(const struct pk_proto *p)
{
    for (int f = 0; f < p->nfields; f++)
        if (p->fields[f].present || p->fields[f].depnames)
            return 1;
    return 0;
}

/* Whether the value at idx is field f's canonical form already: an
 * integer, or the string push_field gives back. */
static int canonical(lua_State *L, const struct pk_layer *l, int f, int idx)
{
    int same;
    idx = lua_absindex(L, idx);
    switch (l->proto->fields[f].type) {
    case PK_INT:
    case PK_FLAGS:
        return lua_isinteger(L, idx);
    case PK_BYTES:
        return 1;
    case PK_LIST:
        return 0;
    case PK_IPV4:
    case PK_MAC: {     /* compared as text: no string made for it */
        char buf[32];
        if (l->proto->fields[f].type == PK_IPV4)
            pk_ipv4_format((uint32_t)l->v[f].u, buf);
        else
            pk_mac_format(l->v[f].u, buf);
        return strcmp(buf, lua_tostring(L, idx)) == 0;
    }
    default:
        push_field(L, l, f);
        same = lua_rawequal(L, idx, -1);
        lua_pop(L, 1);
        return same;
    }
}

static void push_flat(lua_State *L, lua_Integer id, int fields, int mt)
{
    lua_createtable(L, 0, 2);
    lua_pushinteger(L, id);
    lua_rawseti(L, -2, -1);
    lua_pushvalue(L, fields);
    lua_rawseti(L, -2, -2);
    lua_pushvalue(L, mt);
    lua_setmetatable(L, -2);
}

/* The Lua function in upvalue up called with the two arguments: where
 * a C fast path hands over what it does not handle. */
static int to_lua(lua_State *L, int up)
{
    lua_settop(L, 2);
    lua_pushvalue(L, lua_upvalueindex(up));
    lua_insert(L, 1);
    lua_call(L, 2, 1);
    return 1;
}

/* The fields of an ordered protocol, in descriptor order so that those
 * a field depends on are known before it (ICMP's type before its code
 * names and the fields it selects), put in canonical form in place, as
 * the Lua constructor does.  Pushes the packet, or returns 0 when a key
 * is not a field (the Lua path says so). */
static int construct_ordered(lua_State *L, struct pk_layer *l, lua_Integer id,
                             struct scratch *s)
{
    const struct pk_proto *p = l->proto;
    lua_pushnil(L);
    while (lua_next(L, 2)) {
        if (lua_type(L, -2) != LUA_TSTRING || pk_field_find(p, lua_tostring(L, -2)) < 0)
            return lua_settop(L, 2), 0;
        lua_pop(L, 1);
    }
    for (int f = 0; f < p->nfields; f++) {
        const char *name = p->fields[f].name;
        int g = f;
        if (pk_field_find(p, name) != f)    /* a repeated name: done at its first */
            continue;
        if (lua_getfield(L, 2, name) == LUA_TNIL) {
            lua_pop(L, 1);
            continue;
        }
        for (int h = f; h < p->nfields; h++)    /* the one this header has */
            if (strcmp(p->fields[h].name, name) == 0 && pk_field_present(l, h)) {
                g = h;
                break;
            }
        if (to_field(L, l, g, -1, s) < 0)
            lua_error(L);
        if (!canonical(L, l, g, -1)) {
            push_field(L, l, g);
            lua_setfield(L, 2, name);
        }
        lua_pop(L, 1);
    }
    push_flat(L, id, 2, lua_upvalueindex(1));
    return 1;
}

/* Class __call(cls, arg): IP(), IP(bytes), IP{fields}.  The fields
 * table becomes the layer's, its values put in canonical form in place.
 * Upvalues: the packet metatable, the shared empty fields table, the
 * Lua constructor, which takes what is not handled here (every error but
 * a bad value, for its messages), and the key "_id". */
static int l_construct(lua_State *L)
{
    struct scratch s;
    s.used = 0;   /* not the buffer: zeroing 8 KiB per call costs more than the call */
    struct pk_layer l;
    const struct pk_proto *p;
    lua_Integer id;

    lua_settop(L, 2);
    lua_pushvalue(L, lua_upvalueindex(4));     /* "_id" */
    if (!lua_istable(L, 1) || lua_rawget(L, 1) != LUA_TNUMBER)
        goto lua;
    id = lua_tointeger(L, -1);
    p = pk_lua_checkproto(L, -1);
    lua_pop(L, 1);
    switch (lua_type(L, 2)) {
    case LUA_TNIL:
        push_flat(L, id, lua_upvalueindex(2), lua_upvalueindex(1));
        return 1;
    case LUA_TSTRING:
        push_flat(L, id, 2, lua_upvalueindex(1));
        return 1;
    case LUA_TTABLE:
        if (lua_getmetatable(L, 2))
            goto lua;
        break;
    default:
        goto lua;
    }
    pk_layer_init(&l, p);
    if (ordered(p))
        return construct_ordered(L, &l, id, &s) ? 1 : to_lua(L, 3);
    lua_pushnil(L);
    while (lua_next(L, 2)) {
        int f = lua_type(L, -2) == LUA_TSTRING ? pk_field_find(p, lua_tostring(L, -2)) : -1;
        if (f < 0)
            goto lua;
        if (to_field(L, &l, f, -1, &s) < 0)
            return lua_error(L);
        if (!canonical(L, &l, f, -1)) {
            lua_pushvalue(L, -2);
            push_field(L, &l, f);
            lua_rawset(L, 2);       /* an existing key: the traversal goes on */
        }
        lua_pop(L, 1);
    }
    push_flat(L, id, 2, lua_upvalueindex(1));
    return 1;
lua:
    return to_lua(L, 3);
}

/* The pair count of operand i of `/` as cat takes it, or -1 when only
 * the Lua path knows (a packet made of layer objects, or dissected bytes
 * on the left, which must end a flat packet). */
static lua_Integer div_operand(lua_State *L, int i)
{
    int t = lua_type(L, i), top = lua_gettop(L), tail;
    lua_Integer n;
    if (t == LUA_TSTRING)
        return 1;
    if (t != LUA_TTABLE || !lua_getmetatable(L, i))
        return -1;
    if (lua_rawequal(L, -1, lua_upvalueindex(3))) {         /* a class */
        lua_pushliteral(L, "_flat");
        if (lua_rawget(L, i) != LUA_TTABLE)
            return lua_settop(L, top), -1;
        lua_replace(L, i);
        lua_settop(L, top);
        return 1;
    }
    t = lua_rawequal(L, -1, lua_upvalueindex(1));
    lua_pushliteral(L, "_l");
    if (!t || lua_rawget(L, i) != LUA_TNIL)
        return lua_settop(L, top), -1;
    lua_settop(L, top);
    n = flat_pairs(L, i);
    if (i != 1 || n == 0)
        return n;
    lua_rawgeti(L, 1, -2 * n + 1);
    tail = lua_tointeger(L, -1) != lua_tointeger(L, lua_upvalueindex(2))
        && lua_rawgeti(L, 1, -2 * n) == LUA_TSTRING;
    lua_settop(L, top);
    return tail ? -1 : n;
}

/* a / b.  Upvalues: the packet metatable, Raw's id, the class metatable
 * and the Lua `/` for the other cases (and their errors). */
static int l_div(lua_State *L)
{
    lua_Integer na, nb;
    lua_settop(L, 2);
    lua_pushvalue(L, 1);    /* the operands as given, for the Lua path */
    lua_pushvalue(L, 2);
    if ((na = div_operand(L, 1)) < 0 || (nb = div_operand(L, 2)) < 0) {
        lua_rotate(L, 1, 2);
        return to_lua(L, 4);
    }
    cat(L, lua_upvalueindex(1), 1, na, 2, nb, lua_tointeger(L, lua_upvalueindex(2)));
    return 1;
}

/* fastpaths(packet_mt, class_mt, empty, raw_id, construct, div) ->
 * the class __call and the `/` as C closures over these. */
static int l_fastpaths(lua_State *L)
{
    lua_settop(L, 6);
    lua_pushvalue(L, 1);
    lua_pushvalue(L, 3);
    lua_pushvalue(L, 5);
    lua_pushliteral(L, "_id");
    lua_pushcclosure(L, l_construct, 4);
    lua_pushvalue(L, 1);
    lua_pushvalue(L, 4);
    lua_pushvalue(L, 2);
    lua_pushvalue(L, 6);
    lua_pushcclosure(L, l_div, 4);
    return 2;
}

/* dissect(proto_id, bytes [, layer_mt, descs]) -> layers, each
 * {_off, _hlen, _status, _cut, _first, _i, _b}.  Field values are not
 * pushed here: a layer's table of them is made when first needed
 * (layerfields) and a single field can be read alone (getfield), since
 * most scripts read a field or two of most packets they dissect.  With
 * layer_mt and descs, each layer gets its metatable and _d, its
 * protocol's descriptor. */
static int l_dissect(lua_State *L)
{
    struct pk_layer ls[PK_MAXLAYERS];
    static const char *const status[] = { "ok", "truncated", "invalid" };
    const struct pk_proto *p = pk_lua_checkproto(L, 1);
    size_t len;
    const uint8_t *data = (const uint8_t *)luaL_checklstring(L, 2, &len);
    int n = pk_dissect(p, data, len, ls, PK_MAXLAYERS);
    int decorate = lua_istable(L, 3) && lua_istable(L, 4);

    lua_createtable(L, n, 0);
    for (int i = 0; i < n; i++) {
        const struct pk_layer *l = &ls[i];
        int id = pk_lua_protoid(l->proto);
        lua_createtable(L, 0, 9);
        lua_pushinteger(L, (lua_Integer)l->off);
        lua_setfield(L, -2, "_off");
        lua_pushinteger(L, (lua_Integer)l->hlen);
        lua_setfield(L, -2, "_hlen");
        lua_pushstring(L, status[l->status]);
        lua_setfield(L, -2, "_status");
        if (l->cut) {
            lua_pushstring(L, l->cut->name);
            lua_setfield(L, -2, "_cut");
        }
        lua_pushvalue(L, 1);
        lua_setfield(L, -2, "_first");
        lua_pushinteger(L, i + 1);
        lua_setfield(L, -2, "_i");
        lua_pushvalue(L, 2);
        lua_setfield(L, -2, "_b");
        if (decorate) {
            lua_rawgeti(L, 4, id);
            lua_setfield(L, -2, "_d");
            lua_pushvalue(L, 3);
            lua_setmetatable(L, -2);
        }
        lua_rawseti(L, -2, i + 1);
    }
    return 1;
}

/* The last dissection made for a field read, kept by content: reading
 * p[UDP].dport, then p[IP].src, of one captured packet dissects it
 * once.  Its layers point into the copy, never into a Lua string that
 * may be gone by the next call. */
static struct {
    const struct pk_proto *first;
    size_t len;
    int n;
    int busy;       /* values are being pushed from it (see push_kept) */
    struct pk_layer ls[PK_MAXLAYERS];
    uint8_t data[PK_MAXPKT];
} last;

/* The dissection of data from p: the cached one, or a new one in ls
 * for what does not fit the cache or comes while it is in use. */
static const struct pk_layer *dissect_kept(const struct pk_proto *p, const uint8_t *data,
                                           size_t len, struct pk_layer *ls, int *n)
{
    if (len > sizeof last.data || last.busy) {
        *n = pk_dissect(p, data, len, ls, PK_MAXLAYERS);
        return ls;
    }
    if (last.first != p || last.len != len || memcmp(last.data, data, len) != 0) {
        memcpy(last.data, data, len);
        last.first = p;
        last.len = len;
        last.n = pk_dissect(p, last.data, len, last.ls, PK_MAXLAYERS);
    }
    *n = last.n;
    return last.ls;
}

/* The same for the protocol id and bytes at arguments 1 and 2. */
static const struct pk_layer *dissected(lua_State *L, struct pk_layer *ls, int *n)
{
    const struct pk_proto *p = pk_lua_checkproto(L, 1);
    size_t len;
    const uint8_t *data = (const uint8_t *)luaL_checklstring(L, 2, &len);
    return dissect_kept(p, data, len, ls, n);
}

/* Layer i (argument 3, from 1) of the dissection. */
static const struct pk_layer *layer_at(lua_State *L, struct pk_layer *ls)
{
    int n;
    const struct pk_layer *l = dissected(L, ls, &n);
    lua_Integer i = luaL_checkinteger(L, 3);
    luaL_argcheck(L, i >= 1 && i <= n, 3, "no such layer");
    return &l[i - 1];
}

/* Pushes field f of l, which may point into the kept dissection: the
 * allocations on the way can run a finalizer that reads another packet,
 * which must not replace the bytes these values point into.  (An error
 * on the way leaves busy set: the cache is then only bypassed.) */
static void push_kept(lua_State *L, const struct pk_layer *l, int f)
{
    last.busy++;
    push_field(L, l, f);
    last.busy--;
}

/* Index (from 1) of the nth layer of protocol want among n, or 0. */
static int nth_layer(const struct pk_layer *l, int n, const struct pk_proto *want,
                     lua_Integer nth)
{
    for (int i = 0; i < n; i++)
        if (l[i].proto == want && --nth == 0)
            return i + 1;
    return 0;
}

/* Index of the present field called name in l, or -1. */
static int present_field(const struct pk_layer *l, const char *name)
{
    for (int f = 0; f < l->proto->nfields; f++)
        if ((l->present >> f & 1) && l->proto->fields[f].name[0] == name[0]
            && strcmp(l->proto->fields[f].name, name) == 0)
            return f;
    return -1;
}

/* ---- reading captured packets without Lua in the common case ------- */

/* The readers' last upvalues: the keys they look up, interned once
 * rather than per call. */
enum { KEY_L = 6, KEY_ID, KEY_DESC };

/* The dissected bytes of packet idx when it is still flat and nothing
 * else ({[-1] = id, [-2] = bytes}); pushes nothing.  For the readers
 * only: "_l" is their upvalue. */
static const uint8_t *flat_bytes(lua_State *L, int idx, lua_Integer raw,
                                 const struct pk_proto **p, size_t *len)
{
    const uint8_t *b = NULL;
    int top = lua_gettop(L);
    lua_pushvalue(L, lua_upvalueindex(KEY_L));
    if (lua_rawget(L, idx) == LUA_TNIL && lua_rawgeti(L, idx, -3) == LUA_TNIL
        && lua_rawgeti(L, idx, -1) == LUA_TNUMBER && lua_tointeger(L, -1) != raw
        && lua_rawgeti(L, idx, -2) == LUA_TSTRING) {
        *p = pk_lua_checkproto(L, -2);
        b = (const uint8_t *)lua_tolstring(L, -1, len);   /* the packet keeps it */
    }
    lua_settop(L, top);
    return b;
}

/* Packet __index(p, k).  A method, or p[UDP] of a flat dissected packet
 * (a view {packet, layer index, descriptor}, or nil), here; the rest in
 * Lua.  Upvalues: the methods, the class metatable, the view metatable,
 * Raw's id, the Lua __index, then the keys (KEY_*). */
static int l_pindex(lua_State *L)
{
    struct pk_layer ls[PK_MAXLAYERS];
    const struct pk_proto *p, *want;
    const struct pk_layer *l;
    const uint8_t *b;
    size_t len;
    int n, i, isclass;

    lua_settop(L, 2);
    if (lua_type(L, 2) == LUA_TSTRING) {
        lua_pushvalue(L, 2);
        if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TNIL)
            return 1;
        goto lua;
    }
    if (!lua_istable(L, 2) || !lua_getmetatable(L, 2))
        goto lua;
    isclass = lua_rawequal(L, -1, lua_upvalueindex(2));
    lua_settop(L, 2);
    if (!isclass)
        goto lua;
    b = flat_bytes(L, 1, lua_tointeger(L, lua_upvalueindex(4)), &p, &len);
    lua_pushvalue(L, lua_upvalueindex(KEY_ID));
    if (!b || lua_rawget(L, 2) != LUA_TNUMBER)
        goto lua;
    want = pk_lua_checkproto(L, -1);
    l = dissect_kept(p, b, len, ls, &n);
    if ((i = nth_layer(l, n, want, 1)) == 0)
        return 0;
    lua_createtable(L, 3, 0);
    lua_pushvalue(L, 1);
    lua_rawseti(L, -2, 1);
    lua_pushinteger(L, i);
    lua_rawseti(L, -2, 2);
    lua_pushvalue(L, lua_upvalueindex(KEY_DESC));
    lua_rawget(L, 2);
    lua_rawseti(L, -2, 3);
    lua_pushvalue(L, lua_upvalueindex(3));
    lua_setmetatable(L, -2);
    return 1;
lua:
    return to_lua(L, 5);
}

/* View __index(v, k): a field the layer has, read from the bytes, when
 * the packet is still flat; flags, defaults, methods and the rest in
 * Lua.  Upvalues as l_pindex's, the fifth being the Lua view __index. */
static int l_vindex(lua_State *L)
{
    struct pk_layer ls[PK_MAXLAYERS];
    const struct pk_proto *p;
    const struct pk_layer *l;
    const uint8_t *b;
    size_t len;
    lua_Integer i;
    int n, f;

    lua_settop(L, 2);
    if (lua_type(L, 2) != LUA_TSTRING)
        goto lua;
    if (lua_rawgeti(L, 1, 1) != LUA_TTABLE)
        goto lua;
    b = flat_bytes(L, 3, lua_tointeger(L, lua_upvalueindex(4)), &p, &len);
    lua_rawgeti(L, 1, 2);
    i = lua_tointeger(L, -1);
    if (!b)
        goto lua;
    l = dissect_kept(p, b, len, ls, &n);
    if (i < 1 || i > n)
        goto lua;
    l = &l[i - 1];
    f = present_field(l, lua_tostring(L, 2));
    if (f < 0 || l->proto->fields[f].type == PK_FLAGS)
        goto lua;
    push_kept(L, l, f);
    return 1;
lua:
    return to_lua(L, 5);
}

/* readers(methods, class_mt, view_mt, raw_id, packet_index, view_index)
 * -> the packet and view __index as C closures over these. */
static int l_readers(lua_State *L)
{
    static const char *const keys[] = { "_l", "_id", "_desc" };
    lua_settop(L, 6);
    for (int k = 0; k < 2; k++) {
        for (int i = 1; i <= 4; i++)
            lua_pushvalue(L, i);
        lua_pushvalue(L, k == 0 ? 5 : 6);
        for (int i = 0; i < 3; i++)
            lua_pushstring(L, keys[i]);
        lua_pushcclosure(L, k == 0 ? l_pindex : l_vindex, KEY_DESC);
    }
    return 2;
}

/* layerfields(first_proto_id, bytes, i) -> {name = value...} of layer i */
static int l_layerfields(lua_State *L)
{
    struct pk_layer ls[PK_MAXLAYERS];
    const struct pk_layer *l = layer_at(L, ls);
    last.busy++;        /* as in push_kept, for the whole table */
    lua_createtable(L, 0, l->proto->nfields);
    for (int f = 0; f < l->proto->nfields; f++) {
        if (!(l->present >> f & 1))
            continue;
        push_field(L, l, f);
        lua_setfield(L, -2, l->proto->fields[f].name);
    }
    last.busy--;
    return 1;
}

/* getfield(first_proto_id, bytes, i, name) -> value | nil (not present) */
static int l_getfield(lua_State *L)
{
    struct pk_layer ls[PK_MAXLAYERS];
    const struct pk_layer *l = layer_at(L, ls);
    int f = present_field(l, luaL_checkstring(L, 4));
    if (f < 0)
        return 0;
    push_kept(L, l, f);
    return 1;
}

/* find(first_proto_id, bytes, proto_id [, nth]) -> index of the nth
 * layer of that protocol in the dissection of bytes, or nothing: a
 * script's p[UDP] on a captured packet makes no layer objects. */
static int l_find(lua_State *L)
{
    struct pk_layer ls[PK_MAXLAYERS];
    int n;
    const struct pk_layer *l = dissected(L, ls, &n);
    int i = nth_layer(l, n, pk_lua_checkproto(L, 3), luaL_optinteger(L, 4, 1));
    if (i == 0)
        return 0;
    lua_pushinteger(L, i);
    return 1;
}

/* present(proto_id, fields) -> {name = true...}: the fields this header
 * has with these values (ICMP's depend on its type). */
static int l_present(lua_State *L)
{
    struct scratch s;
    s.used = 0;   /* not the buffer: zeroing 8 KiB per call costs more than the call */
    struct pk_layer l;
    pk_layer_init(&l, pk_lua_checkproto(L, 1));
    luaL_checktype(L, 2, LUA_TTABLE);
    if (fill_layer(L, &l, 2, &s) < 0)
        return lua_error(L);
    lua_newtable(L);
    for (int f = 0; f < l.proto->nfields; f++) {
        if (!pk_field_present(&l, f))
            continue;
        lua_pushboolean(L, 1);
        lua_setfield(L, -2, l.proto->fields[f].name);
    }
    return 1;
}

/* cksum(bytes) -> the Internet checksum of bytes */
static int l_cksum(lua_State *L)
{
    size_t len;
    const uint8_t *p = (const uint8_t *)luaL_checklstring(L, 1, &len);
    lua_pushinteger(L, pk_cksum(p, len));
    return 1;
}

static const luaL_Reg funcs[] = {
    { "protos", pk_lua_protos },
    { "norm", l_norm },
    { "build", l_build },
    { "cat", l_cat },
    { "fastpaths", l_fastpaths },
    { "dissect", l_dissect },
    { "layerfields", l_layerfields },
    { "getfield", l_getfield },
    { "find", l_find },
    { "readers", l_readers },
    { "cksum", l_cksum },
    { "present", l_present },
    { NULL, NULL },
};

PKMOD_API int luaopen_pkt_core(lua_State *L)
{
    luaL_newlib(L, funcs);
    pk_open_net(L);
    lua_pushstring(L, PK_VERSION);
    lua_setfield(L, -2, "version");
    return 1;
}
