/*
 * lpacket.c - the packet object, implemented once, here.  A packet is a
 * userdata holding its layers as the core's records; p[IP] is a view of
 * the same packet from that layer on, so every method works on it and an
 * edit through it changes the packet.  Captured bytes stay bytes until a
 * field is read; built bytes are kept until an edit.  Printing and the
 * other policy are Lua (bindings/pkt.lua, pkt/format.lua), over the
 * accessors this file exports.
 */
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <lua.h>
#include <lauxlib.h>

#include "lpkt.h"

/* A layer record: the core's layer less its values, which a packet
 * keeps in one array (vals[vi, vi + nfields)), so that a packet is a
 * few hundred bytes, not 528 per layer; and whether its values are
 * still as read off the wire (then lengths and checksums are dropped at
 * the packet's first edit, so that they follow it). */
struct rec {
    const struct pk_proto *proto;
    const char *why;
    uint32_t set, present;
    uint32_t off, hlen;
    uint32_t vi;
    uint16_t cut;               /* the protocol's id */
    uint8_t status, wire;
    /* (which fields fuzz() draws at random is kept apart, in the anchors
     * under key -(layer + 1): a record stays 40 bytes) */
};

/* A packet (root == itself) or a view of one from layer `from`.  A view
 * is only the first three members. */
struct packet {
    struct packet *root;
    int from;
    int isview;
    uint32_t cgen;              /* root's gen of the bytes in UV_BYTES */
    /* a root's own */
    int n;                      /* layers; -1 until UV_RAW is dissected */
    int cap;                    /* room in ls */
    uint32_t nv, vcap;          /* values in vals, room there */
    uint32_t gen;               /* bumped by every change */
    const struct pk_proto *first;   /* what UV_RAW starts with */
    unsigned pristine : 1;      /* the layers are UV_RAW's, unchanged */
    unsigned captured : 1;      /* some layers were read off the wire: it
                                   may be as large as a captured frame */
    unsigned wired : 1;         /* some record has wire set */
    unsigned has_time : 1, has_sent : 1, has_wirelen : 1;
    unsigned fuzzy : 1;         /* some record has fuzz set: built anew
                                   each time its bytes are asked for */
    unsigned hasraw : 1;        /* UV_RAW holds bytes */
    unsigned anchored : 1;      /* UV_ANCH holds something */
    double time, sent_time;
    lua_Integer wirelen, oi;
    lua_Integer a1;             /* the key of UV_ANCH when it is one string */
    struct rec *ls;
    struct pk_val *vals;
    struct rec inl[];           /* cap records, then vcap values */
};

#define VIEW_SIZE offsetof(struct packet, n)

/* Room a packet of captured bytes has for the layers it dissects into
 * before it needs more: most captures have up to four. */
#define LAZY_CAP 4
#define LAZY_VCAP 24

/* User values.  A view has its bytes and its packet; a packet its
 * bytes, the captured bytes, the strings its records point into
 * (slot -> string, and a raw string's address -> it), a larger record
 * array once it grows, the list it came from and its interface. */
enum { UV_BYTES = 1, UV_ROOT = 2, UV_RAW = 2, UV_ANCH, UV_STORE, UV_OWNER,
       UV_IFACE, NUV_ROOT = UV_IFACE };

/* Upvalues of every function here. */
#define MT      lua_upvalueindex(1)     /* the packet metatable */
#define CLASSMT lua_upvalueindex(2)     /* the layer classes' metatable */
#define HELP    lua_upvalueindex(3)     /* Lua helpers: messages, keep */
#define METHODS lua_upvalueindex(4)     /* packet methods */

static const char *const status_names[] = { "ok", "truncated", "invalid" };

/* ---- objects ------------------------------------------------------- */

static struct packet *topacket(lua_State *L, int idx)
{
    struct packet *p = lua_touserdata(L, idx);
    if (p && lua_getmetatable(L, idx)) {
        int same = lua_rawequal(L, -1, MT);
        lua_pop(L, 1);
        if (same)
            return p;
    }
    return NULL;
}

static struct packet *checkpacket(lua_State *L, int idx)
{
    struct packet *p = topacket(L, idx);
    if (!p)
        luaL_typeerror(L, idx, "packet");
    return p;
}

/* Raises the message on top at the script's line: the first Lua frame
 * outside the pkt modules (whose sources start with helpers.libsrc, as
 * "@bindings/pkt"), so that an error met inside p:summary() names the
 * line that called it. */
static int raise_here(lua_State *L)
{
    lua_Debug ar;
    size_t n = 0;
    const char *lib;
    lua_getfield(L, HELP, "libsrc");
    lib = lua_tolstring(L, -1, &n);
    lua_pop(L, 1);      /* a constant string the helpers keep */
    for (int level = 1; lua_getstack(L, level, &ar); level++) {
        lua_getinfo(L, "Sl", &ar);
        if (ar.currentline <= 0 || (lib && strncmp(ar.source, lib, n) == 0))
            continue;
        lua_pushfstring(L, "%s:%d: ", ar.short_src, ar.currentline);
        lua_insert(L, -2);
        lua_concat(L, 2);
        break;
    }
    return lua_error(L);
}

/* The same with a formatted message. */
static int raise_fmt(lua_State *L, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    lua_pushvfstring(L, fmt, ap);
    va_end(ap);
    return raise_here(L);
}

static struct packet *new_root(lua_State *L, int cap, int vcap)
{
    struct packet *r = lua_newuserdatauv(L, sizeof *r + (size_t)cap * sizeof(struct rec) +
                                         (size_t)vcap * sizeof(struct pk_val), NUV_ROOT);
    memset(r, 0, sizeof *r);
    r->root = r;
    r->cap = cap;
    r->vcap = (uint32_t)vcap;
    r->gen = 1;
    r->ls = r->inl;
    r->vals = (struct pk_val *)(r->inl + cap);
    lua_pushvalue(L, MT);
    lua_setmetatable(L, -2);
    return r;
}

/* Pushes the packet that object idx belongs to; returns its index. */
static int push_root(lua_State *L, int idx, struct packet *p)
{
    if (p->isview)
        lua_getiuservalue(L, idx, UV_ROOT);
    else
        lua_pushvalue(L, idx);
    return lua_gettop(L);
}

/* Room for `need` records and `vneed` values, keeping those there. */
static void reserve(lua_State *L, int ridx, struct packet *r, int need, uint32_t vneed)
{
    struct rec *s;
    if (need <= r->cap && vneed <= r->vcap)
        return;
    if (need < 2 * r->cap)
        need = 2 * r->cap;
    if (vneed < 2 * r->vcap)
        vneed = 2 * r->vcap;
    s = lua_newuserdatauv(L, (size_t)need * sizeof *s + vneed * sizeof(struct pk_val), 0);
    if (r->n > 0)
        memcpy(s, r->ls, (size_t)r->n * sizeof *s);
    if (r->nv > 0)
        memcpy(s + need, r->vals, r->nv * sizeof(struct pk_val));
    lua_setiuservalue(L, ridx, UV_STORE);
    r->ls = s;
    r->vals = (struct pk_val *)(s + need);
    r->cap = need;
    r->vcap = vneed;
}

static int nf(const struct rec *x) { return x->proto->nfields; }

/* Layer i of r as the core's layer, in l. */
static struct pk_layer *to_layer(struct pk_layer *l, const struct packet *r, int i)
{
    const struct rec *x = &r->ls[i];
    l->proto = x->proto;
    l->cut = x->cut ? pk_proto_byid(x->cut) : NULL;
    l->why = x->why;
    l->set = x->set;
    l->present = x->present;
    l->off = x->off;
    l->hlen = x->hlen;
    l->status = x->status;
    l->below = i ? r->ls[i - 1].proto : NULL;
    memcpy(l->v, r->vals + x->vi, (size_t)nf(x) * sizeof(struct pk_val));
    return l;
}

/* Appends the core's layer l to r's records (room reserved). */
static void add_layer(struct packet *r, const struct pk_layer *l, int wire)
{
    struct rec *x = &r->ls[r->n++];
    x->proto = l->proto;
    x->cut = l->cut ? (uint16_t)pk_proto_id(l->cut) : 0;
    x->why = l->why;
    x->set = l->set;
    x->present = l->present;
    x->off = (uint32_t)l->off;
    x->hlen = (uint32_t)l->hlen;
    x->status = (uint8_t)l->status;
    x->wire = (uint8_t)wire;
    x->vi = r->nv;
    memcpy(r->vals + x->vi, l->v, (size_t)nf(x) * sizeof(struct pk_val));
    r->nv += (uint32_t)nf(x);
}

/* Appends layer i of s to r's records (room reserved). */
static void add_rec(struct packet *r, const struct packet *s, int i)
{
    const struct rec *y = &s->ls[i];
    struct rec *x = &r->ls[r->n++];
    *x = *y;
    x->vi = r->nv;
    memcpy(r->vals + x->vi, s->vals + y->vi, (size_t)nf(y) * sizeof(struct pk_val));
    r->nv += (uint32_t)nf(y);
    r->wired |= y->wire;
    r->captured |= s->captured;
}

/* Values layers [from, from + n) of r have. */
static uint32_t nvals(const struct packet *r, int from, int n)
{
    uint32_t v = 0;
    for (int i = from; i < from + n; i++)
        v += (uint32_t)nf(&r->ls[i]);
    return v;
}

/* The records of root ridx, dissecting its captured bytes on first use. */
static struct rec *records(lua_State *L, int ridx, struct packet *r)
{
    if (r->n < 0) {
        struct pk_layer tmp[PK_MAXLAYERS];
        size_t len;
        const uint8_t *b;
        int n;
        lua_getiuservalue(L, ridx, UV_RAW);
        b = (const uint8_t *)lua_tolstring(L, -1, &len);
        lua_pop(L, 1);      /* the packet keeps it */
        uint32_t nv = 0;
        n = pk_dissect(r->first, b, len, tmp, PK_MAXLAYERS);
        for (int i = 0; i < n; i++)
            nv += (uint32_t)tmp[i].proto->nfields;
        r->n = 0;
        r->nv = 0;
        reserve(L, ridx, r, n, nv);
        for (int i = 0; i < n; i++)
            add_layer(r, &tmp[i], 1);
        r->pristine = 1;
        r->wired = 1;
        r->captured = 1;
    }
    return r->ls;
}

/* Layers of object idx from its first; raises when they were removed. */
static int span(lua_State *L, struct packet *p, int ridx)
{
    struct packet *r = p->root;
    records(L, ridx, r);
    if (p->from >= r->n && p->isview)
        raise_fmt(L, "this layer is no longer in its packet (its payload was removed)");
    return r->n - p->from;
}

/* Pushes a view of root ridx from layer i. */
static void push_view(lua_State *L, int ridx, struct packet *r, int i)
{
    struct packet *v = lua_newuserdatauv(L, VIEW_SIZE, 2);
    v->root = r;
    v->from = i;
    v->isview = 1;
    v->cgen = 0;
    lua_pushvalue(L, MT);
    lua_setmetatable(L, -2);
    lua_pushvalue(L, ridx);
    lua_setiuservalue(L, -2, UV_ROOT);
}

/* ---- strings the records point into -------------------------------- */

/* A packet keeps the strings its values point into in UV_ANCH: by slot
 * (layer, field) for a value, by address for captured bytes (key 0
 * here).  The first is kept alone, without a table, since most packets
 * have one (a payload string): r->a1 says which key it is. */
static lua_Integer slot(int i, int f) { return (lua_Integer)i * 32 + f + 1; }

static void push_key(lua_State *L, lua_Integer k, int sidx)
{
    if (k == 0)
        lua_pushlightuserdata(L, (void *)lua_tostring(L, sidx));
    else
        lua_pushinteger(L, k);
}

/* Pushes root ridx's table of anchors, making it. */
static int push_anchors(lua_State *L, int ridx, struct packet *r)
{
    int t = lua_getiuservalue(L, ridx, UV_ANCH);
    if (t == LUA_TTABLE)
        return lua_gettop(L);
    lua_createtable(L, 4, 1);
    if (t == LUA_TSTRING) {
        push_key(L, r->a1, -2);
        lua_pushvalue(L, -3);
        lua_rawset(L, -3);
    }
    lua_replace(L, -2);
    lua_pushvalue(L, -1);
    lua_setiuservalue(L, ridx, UV_ANCH);
    r->anchored = 1;
    return lua_gettop(L);
}

/* Keeps the string at sidx alive under key k (a slot, or 0 for bytes). */
static void anchor_key(lua_State *L, int ridx, struct packet *r, lua_Integer k, int sidx)
{
    int t;
    sidx = lua_absindex(L, sidx);
    t = lua_getiuservalue(L, ridx, UV_ANCH);
    lua_pop(L, 1);
    if (t == LUA_TNIL || (t == LUA_TSTRING && r->a1 == k && k != 0)) {
        lua_pushvalue(L, sidx);
        lua_setiuservalue(L, ridx, UV_ANCH);
        r->anchored = 1;
        r->a1 = k;
        return;
    }
    t = push_anchors(L, ridx, r);
    push_key(L, k, sidx);
    lua_pushvalue(L, sidx);
    lua_rawset(L, t);
    lua_pop(L, 1);
}

/* Keeps the string at sidx alive while field f of layer i points into it. */
static void anchor(lua_State *L, int ridx, struct packet *r, int i, int f, int sidx)
{
    anchor_key(L, ridx, r, slot(i, f), sidx);
}


/* Field f of l was converted from the Lua value at vidx: make what it
 * points to a Lua string the packet keeps (an option list or an IPv6
 * address was encoded on the C stack). */
static void keep_value(lua_State *L, int ridx, struct packet *r, int i, struct pk_layer *l,
                       int f, int vidx)
{
    struct pk_val *v = &l->v[f];
    if (!pk_field_isptr(&l->proto->fields[f]))
        return;
    if (v->len == 0) {
        v->p = NULL;
        return;
    }
    if (lua_type(L, vidx) == LUA_TSTRING && (const uint8_t *)lua_tostring(L, vidx) == v->p) {
        anchor(L, ridx, r, i, f, vidx);
        return;
    }
    lua_pushlstring(L, (const char *)v->p, v->len);
    v->p = (const uint8_t *)lua_tostring(L, -1);
    anchor(L, ridx, r, i, f, -1);
    lua_pop(L, 1);
}

/* d keeps the anchor k (value at -1) of s, whose layers [from, from + n)
 * are d's from `at`; a negative k is layer -k - 1's fuzz() fields. */
static void copy_anchor(lua_State *L, int didx, struct packet *d, lua_Integer k, int from,
                        int n, int at)
{
    if (k < 0) {
        int i = (int)(-k - 1);
        if (i >= from && i < from + n) {
            int t = push_anchors(L, didx, d);
            lua_pushvalue(L, -2);
            lua_rawseti(L, t, -(lua_Integer)(at + i - from) - 1);
            lua_pop(L, 1);
            d->fuzzy = 1;
        }
    } else if (k == 0) {
        anchor_key(L, didx, d, 0, -1);
    } else {
        int i = (int)((k - 1) / 32);
        if (i >= from && i < from + n)
            anchor_key(L, didx, d, k + (lua_Integer)(at - from) * 32, -1);
    }
}

/* Root d (at didx) keeps what layers [from, from + n) of root s (at
 * sidx) point into, now d's layers from `at`. */
static void copy_anchors(lua_State *L, int didx, struct packet *d, int sidx,
                         struct packet *s, int from, int n, int at)
{
    int t, st;
    if (s->hasraw) {
        lua_getiuservalue(L, sidx, UV_RAW);
        anchor_key(L, didx, d, 0, -1);
        lua_pop(L, 1);
    }
    if (!s->anchored)       /* most built packets: nothing to look up */
        return;
    t = lua_getiuservalue(L, sidx, UV_ANCH);
    if (t == LUA_TSTRING)
        copy_anchor(L, didx, d, s->a1, from, n, at);
    if (t != LUA_TTABLE) {
        lua_pop(L, 1);
        return;
    }
    st = lua_gettop(L);
    lua_pushnil(L);
    while (lua_next(L, st)) {
        if (lua_type(L, -2) == LUA_TLIGHTUSERDATA)
            copy_anchor(L, didx, d, 0, from, n, at);
        else if (lua_isinteger(L, -2))
            copy_anchor(L, didx, d, lua_tointeger(L, -2), from, n, at);
        lua_pop(L, 1);
    }
    lua_settop(L, st - 1);
}

/* ---- fields -------------------------------------------------------- */

/* Whether layer i of r has field f: a dissected header those it read;
 * else as its descriptor says, given its other values (ICMP's type). */
static int has_field(const struct packet *r, int i, int f)
{
    const struct rec *x = &r->ls[i];
    struct pk_layer l;
    if (x->wire)
        return (int)(x->present >> f & 1);
    if (!x->proto->fields[f].present)
        return 1;
    return pk_field_present(to_layer(&l, r, i), f);
}

/* The field called k of layer i: the one its header has when a name has
 * two layouts (ICMP's unused), else the first; -1 when none. */
static int field_of(const struct packet *r, int i, const char *k)
{
    const struct pk_proto *p = r->ls[i].proto;
    int any = -1;
    for (int f = 0; f < p->nfields; f++) {
        const char *name = p->fields[f].name;
        if (name[0] != k[0] || strcmp(name, k) != 0)
            continue;
        if (has_field(r, i, f))
            return f;
        if (any < 0)
            any = f;
    }
    return any;
}

/* Whether field f is computed again after an edit of a layer read off
 * the wire: a length or a checksum. */
static int recomputed(const struct pk_field *fd)
{
    return (fd->flags & PK_FF_AUTO) && (fd->role == PK_ROLE_LEN || fd->role == PK_ROLE_CHKSUM ||
                                        (fd->flags & PK_FF_COUNT));
}

/* The value an unset next-protocol field of layer i takes given the
 * layer above it (IP's proto under UDP is 17). */
static int bound(const struct packet *r, int i, int f, uint64_t *v)
{
    return i + 1 < r->n && pk_bind_fill(r->ls[i].proto, f, r->ls[i + 1].proto, v);
}

/* Pushes an integer-like value of field f as a script reads it: flags
 * as their letters ("SA"), everything else as push_field does. */
static void push_u(lua_State *L, const struct pk_field *fd, uint64_t u)
{
    char buf[128];
    switch (fd->type) {
    case PK_FLAGS:
        if (pk_flags_format(fd, u, buf, sizeof buf) < 0)
            buf[0] = '\0';
        lua_pushstring(L, buf);
        break;
    case PK_MAC:
        pk_mac_format(u, buf);
        lua_pushstring(L, buf);
        break;
    case PK_IPV4:
        pk_ipv4_format((uint32_t)u, buf);
        lua_pushstring(L, buf);
        break;
    case PK_IPV6:
        lua_pushliteral(L, "::");
        break;
    case PK_BYTES:
        lua_pushliteral(L, "");
        break;
    case PK_RECORDS:
    case PK_TLV:
        lua_newtable(L);
        break;
    default:
        lua_pushinteger(L, (lua_Integer)u);
        break;
    }
}

/* Pushes field f of layer i as it will be built: its value, or when
 * unset the value the stack decides (a next-protocol field), nil for a
 * computed length or checksum (Scapy's None), else the default.  raw:
 * flags as their number, for printing. */
static void push_value(lua_State *L, const struct packet *r, int i, int f, int raw)
{
    const struct rec *x = &r->ls[i];
    const struct pk_field *fd = &x->proto->fields[f];
    const struct pk_val *v = &r->vals[x->vi + f];
    uint64_t u;
    if (x->set >> f & 1) {
        if (fd->type == PK_INT || (fd->type == PK_FLAGS && raw)) {
            lua_pushinteger(L, (lua_Integer)v->u);
        } else if (fd->type == PK_FLAGS) {
            push_u(L, fd, v->u);
        } else {
            struct pk_layer l;      /* what pushfield reads of it */
            l.proto = x->proto;
            l.v[f] = *v;
            pk_lua_pushfield(L, &l, f);
        }
    } else if (fd->role == PK_ROLE_NEXT && bound(r, i, f, &u)) {
        lua_pushinteger(L, (lua_Integer)u);
    } else if (!(fd->flags & PK_FF_AUTO) && pk_field_isptr(fd)) {
        struct pk_layer l;          /* the default, as a value */
        l.proto = x->proto;
        l.v[f].u = 0;
        l.v[f].p = fd->defp;
        l.v[f].len = fd->deflen;
        pk_lua_pushfield(L, &l, f);
    } else if (!(fd->flags & PK_FF_AUTO)) {
        if (raw && fd->type == PK_FLAGS)
            lua_pushinteger(L, (lua_Integer)fd->def);
        else
            push_u(L, fd, fd->def);
    } else {
        lua_pushnil(L);
    }
}

/* A Lua helper (pkt.lua) called with the arguments on top; pushes its
 * one result. */
static void help(lua_State *L, const char *name, int nargs)
{
    lua_getfield(L, HELP, name);
    lua_insert(L, -1 - nargs);
    lua_call(L, nargs, 1);
}

/* "no field" errors, worded by pkt.lua (with a suggestion): a layer
 * (p[UDP]) names its class, a packet its layers. */
static int no_field(lua_State *L, int idx, int kidx)
{
    struct packet *p = topacket(L, idx);
    lua_pushvalue(L, idx);
    lua_pushvalue(L, kidx);
    lua_pushboolean(L, p && p->isview);
    help(L, "nofield", 3);
    return raise_here(L);
}

static void kept(lua_State *L, int ridx, struct packet *r);

/* The packet's first change: lengths and checksums read off the wire
 * are dropped so they are computed again ("checksums follow"), except in
 * a header quoted inside an ICMP error, which describes the datagram as
 * it was, and above a fragment, where they describe the whole datagram.
 * A packet made from a captured list is kept in it from now on. */
static void touch(lua_State *L, int ridx, struct packet *r)
{
    if (r->wired) {
        int part = 0;       /* above a fragment */
        for (int i = 0; i < r->n; i++) {
            struct rec *x = &r->ls[i];
            const struct pk_proto *p = x->proto;
            int was = part;
            if (!x->wire)
                continue;
            x->wire = 0;
            if (p->fragment) {
                struct pk_layer l;
                part |= p->fragment(to_layer(&l, r, i));
            }
            if (p->quoted || was)
                continue;
            for (int f = 0; f < p->nfields; f++)
                if (recomputed(&p->fields[f]))
                    x->set &= ~(1u << f);
        }
        r->wired = 0;
    }
    r->pristine = 0;
    r->gen++;
    kept(L, ridx, r);
}

/* A packet made from a captured list is kept in it once it changes. */
static void kept(lua_State *L, int ridx, struct packet *r)
{
    if (lua_getiuservalue(L, ridx, UV_OWNER) != LUA_TNIL) {
        lua_pushinteger(L, r->oi);
        lua_pushvalue(L, ridx);
        lua_pushnil(L);
        lua_setiuservalue(L, ridx, UV_OWNER);
        help(L, "keep", 3);
    }
    lua_pop(L, 1);
}

/* Sets field f of layer i of root ridx to the value at vidx (nil: unset). */
/* The core refused the value at vidx for field f of p, its message on
 * top: when it is a name for a value the field takes (a port by its
 * service name), that value replaces the message on top, and 1. */
static int named(lua_State *L, const struct pk_proto *p, int f, int vidx)
{
    if (lua_type(L, vidx) != LUA_TSTRING)
        return 0;
    lua_getfield(L, HELP, "named");
    lua_pushstring(L, p->name);
    lua_pushstring(L, p->fields[f].name);
    lua_pushvalue(L, vidx);
    lua_call(L, 3, 1);
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        return 0;
    }
    lua_remove(L, -2);
    return 1;
}

/* The index of the lowest bit set in m (not 0). */
static int lowest_bit(uint32_t m)
{
#if defined(__GNUC__)
    return __builtin_ctz(m);
#else
    int f = 0;
    while (!(m >> f & 1))
        f++;
    return f;
#endif
}

/* Layer i's random fields are anchors[-(i + 1)]: the mask of the fields
 * drawn at each build (fuzz()), or, when some draw from a range of their
 * own (RandIP("203.0.113.0/24")), a table {mask, [2 + f] = base,
 * [2 + PK_MAXFIELDS + f] = rnd}.  Such a table is shared by the copies
 * of the packet, so it is replaced, never changed. */
#define DRAW_BASE(f) (2 + (f))
#define DRAW_RND(f) (2 + PK_MAXFIELDS + (f))

/* Replaces layer i's draws: those it had, less the fields in drop, with
 * the fields in mask drawn over their range and s's from theirs. */
static void set_draws(lua_State *L, int ridx, struct packet *r, int i, uint32_t mask,
                      uint32_t drop, const struct pk_scratch *s)
{
    int t = push_anchors(L, ridx, r), old;
    lua_createtable(L, 2 + 2 * PK_MAXFIELDS, 0);
    old = lua_rawgeti(L, t, -(lua_Integer)i - 1);
    if (old == LUA_TTABLE) {    /* the draws it had stay */
        for (int f = 0; f < PK_MAXFIELDS; f++) {
            if (drop >> f & 1)
                continue;
            lua_rawgeti(L, -1, DRAW_BASE(f));
            lua_rawseti(L, -3, DRAW_BASE(f));
            lua_rawgeti(L, -1, DRAW_RND(f));
            lua_rawseti(L, -3, DRAW_RND(f));
        }
        lua_rawgeti(L, -1, 1);
    }
    mask = (mask | (uint32_t)lua_tointeger(L, -1)) & ~drop;    /* 0 for none */
    lua_settop(L, t + 1);
    for (uint32_t m = s ? s->vol : 0; m; m &= m - 1) {
        int f = lowest_bit(m);
        lua_pushinteger(L, (lua_Integer)s->vbase[f]);
        lua_rawseti(L, -2, DRAW_BASE(f));
        lua_pushinteger(L, (lua_Integer)s->vrnd[f]);
        lua_rawseti(L, -2, DRAW_RND(f));
        mask |= 1u << f;
    }
    lua_pushinteger(L, mask);
    lua_rawseti(L, -2, 1);
    lua_rawseti(L, t, -(lua_Integer)i - 1);
    lua_settop(L, t - 1);
    r->fuzzy |= mask != 0;
}

/* Field f of layer i is no longer drawn from a range of its own (a
 * value was set, or it was unset to its default). */
static void drop_draw(lua_State *L, int ridx, struct packet *r, int i, int f)
{
    int t = push_anchors(L, ridx, r);
    int ruled = lua_rawgeti(L, t, -(lua_Integer)i - 1) == LUA_TTABLE &&
                lua_rawgeti(L, -1, DRAW_BASE(f)) == LUA_TNUMBER;
    lua_settop(L, t - 1);
    if (ruled)
        set_draws(L, ridx, r, i, 0, 1u << f, NULL);
}

static void set_field(lua_State *L, int ridx, struct packet *r, int i, int f, int vidx)
{
    struct pk_layer tmp;
    struct pk_scratch s;
    s.used = 0;
    s.vol = 0;
    vidx = lua_absindex(L, vidx);
    if (lua_isnil(L, vidx)) {
        touch(L, ridx, r);
        r->ls[i].set &= ~(1u << f);
        if (r->fuzzy)
            drop_draw(L, ridx, r, i, f);
        return;
    }
    to_layer(&tmp, r, i);   /* converted apart, so a bad value changes nothing */
    if (pk_lua_tofield(L, &tmp, f, vidx, &s) < 0) {
        if (!named(L, r->ls[i].proto, f, vidx))
            raise_here(L);
        vidx = lua_gettop(L);   /* a name for a value it takes: that value */
        s.used = 0;
        s.vol = 0;
    }
    if (pk_lua_tofield(L, &tmp, f, vidx, &s) < 0)
        raise_here(L);
    touch(L, ridx, r);
    if (s.vol)                  /* drawn at each build from now on */
        set_draws(L, ridx, r, i, 0, 0, &s);
    else if (r->fuzzy)
        drop_draw(L, ridx, r, i, f);
    keep_value(L, ridx, r, i, &tmp, f, vidx);
    r->vals[r->ls[i].vi + f] = tmp.v[f];
    r->ls[i].set |= 1u << f;
}

/* ---- building ------------------------------------------------------ */

/* Pushes the bytes of layers [from, from + n) of r: at most PK_MAXPKT,
 * or a captured frame's size when it was read off the wire. */
/* The fields drawn for layer i of root ridx (0: none), and their ranges. */
static uint32_t fuzz_mask(lua_State *L, int ridx, struct packet *r, int i, struct pk_draws *d)
{
    uint32_t m;
    d->ruled = 0;
    if (!r->fuzzy || lua_getiuservalue(L, ridx, UV_ANCH) != LUA_TTABLE) {
        if (r->fuzzy)
            lua_pop(L, 1);
        return 0;
    }
    if (lua_rawgeti(L, -1, -(lua_Integer)i - 1) == LUA_TTABLE) {
        lua_rawgeti(L, -1, 1);
        m = (uint32_t)lua_tointeger(L, -1);
        lua_pop(L, 1);
        for (uint32_t k = m; k; k &= k - 1) {
            int f = lowest_bit(k);
            if (lua_rawgeti(L, -1, DRAW_BASE(f)) == LUA_TNUMBER) {
                d->ruled |= 1u << f;
                d->base[f] = (uint64_t)lua_tointeger(L, -1);
                lua_rawgeti(L, -2, DRAW_RND(f));
                d->rnd[f] = (uint64_t)lua_tointeger(L, -1);
                lua_pop(L, 1);
            }
            lua_pop(L, 1);
        }
    } else {
        m = (uint32_t)lua_tointeger(L, -1);
    }
    lua_pop(L, 2);
    return m;
}

static void build(lua_State *L, int ridx, struct packet *r, int from, int n)
{
    struct pk_layer b[PK_MAXLAYERS];
    uint8_t small[2048], *buf = small;
    size_t cap = sizeof small, len, most = r->captured ? PK_MAXFRAME : PK_MAXPKT;
    int rc;
    if (n > PK_MAXLAYERS)
        raise_fmt(L, "a packet has at most %d layers, this one has %d", PK_MAXLAYERS, n);
    for (;;) {
        for (int i = 0; i < n; i++) {
            to_layer(&b[i], r, from + i);
            struct pk_draws d;
            uint32_t m = fuzz_mask(L, ridx, r, from + i, &d);
            if (m)
                pk_lua_fuzz(L, &b[i], m, from + i + 1 < r->n ? r->ls[from + i + 1].proto : NULL,
                            &d);
        }
        rc = pk_build(b, n, buf, cap, &len);
        if (rc != PK_ENOSPC || buf != small)
            break;
        cap = most;
        buf = lua_newuserdatauv(L, cap, 0);
    }
    if (rc == PK_ENOSPC)
        raise_fmt(L, "packet larger than %d bytes", (int)most);
    if (rc == PK_ETOOMANY)
        raise_fmt(L, "a packet has at most %d layers", PK_MAXLAYERS);
    if (rc < 0)     /* a header whose fields do not fill whole bytes */
        raise_fmt(L, "cannot build this packet: a layer's fields do not end on a byte");
    lua_pushlstring(L, (const char *)buf, len);
}

/* Pushes the bytes of object idx: as it goes on the wire, kept until
 * an edit. */
static void push_bytes(lua_State *L, int idx)
{
    struct packet *p = checkpacket(L, idx), *r = p->root;
    int top = lua_gettop(L), ridx;
    idx = lua_absindex(L, idx);
    if (p->cgen == r->gen && !r->fuzzy &&
        lua_getiuservalue(L, idx, UV_BYTES) == LUA_TSTRING)
        return;
    lua_settop(L, top);
    ridx = push_root(L, idx, p);
    if (r->n < 0 && !p->isview) {       /* captured, never read */
        lua_getiuservalue(L, ridx, UV_RAW);
        lua_replace(L, top + 1);
        return;
    }
    span(L, p, ridx);
    if (r->pristine) {
        size_t len;
        const char *b;
        lua_getiuservalue(L, ridx, UV_RAW);
        if (p->from == 0) {
            lua_replace(L, top + 1);
            return;
        }
        b = lua_tolstring(L, -1, &len);
        lua_pushlstring(L, b + r->ls[p->from].off, len - r->ls[p->from].off);
    } else {
        build(L, ridx, r, p->from, r->n - p->from);
    }
    lua_pushvalue(L, -1);
    lua_setiuservalue(L, idx, UV_BYTES);
    p->cgen = r->gen;
    lua_replace(L, top + 1);
    lua_settop(L, top + 1);
}

/* p:bytes() -> the packet as it goes on the wire */
static int l_bytes(lua_State *L)
{
    push_bytes(L, 1);
    return 1;
}

/* ---- making packets ------------------------------------------------ */

/* One operand of `/`: records [from, from + n) of a root, or one record
 * made here (a class's empty layer, a string's Raw layer). */
struct operand {
    int ridx;                   /* its root's stack index, 0 when made here */
    struct packet *r;
    int from, n;
    struct pk_layer one;
};

/* The protocol of the layer class at idx, or NULL: a class keeps its
 * protocol id at [1], the cheapest key to read. */
static const struct pk_proto *class_proto(lua_State *L, int idx)
{
    const struct pk_proto *p = NULL;
    int top = lua_gettop(L), isnum;
    if (lua_type(L, idx) != LUA_TTABLE || !lua_getmetatable(L, idx))
        return NULL;
    /* every constructor call asks: the cheapest API calls that tell */
    if (lua_topointer(L, -1) == lua_topointer(L, CLASSMT) &&
        lua_rawgeti(L, idx, 1) == LUA_TNUMBER) {
        lua_Integer id = lua_tointegerx(L, -1, &isnum);
        p = isnum && id >= 1 && id <= INT_MAX ? pk_proto_byid((int)id) : NULL;
        if (!p)
            p = pk_lua_checkproto(L, -1);       /* raises, naming the id */
    }
    lua_settop(L, top);
    return p;
}

static int operand(lua_State *L, int idx, struct operand *o)
{
    struct packet *p = topacket(L, idx);
    const struct pk_proto *cls;
    memset(o, 0, offsetof(struct operand, one));
    if (p) {
        o->ridx = p->isview ? push_root(L, idx, p) : idx;   /* idx is 1 or 2 */
        o->r = p->root;
        o->from = p->from;
        o->n = span(L, p, o->ridx);
        return 1;
    }
    if (lua_type(L, idx) == LUA_TSTRING) {
        size_t len;
        const char *s = lua_tolstring(L, idx, &len);
        if (len > PK_MAXPKT)
            raise_fmt(L, "Raw.load: %d bytes do not fit in a packet (at most %d)",
                       (int)len, PK_MAXPKT);
        pk_layer_init(&o->one, &pk_proto_raw);
        if (len)
            pk_layer_setp(&o->one, 0, (const uint8_t *)s, (uint32_t)len);
        o->n = 1;
        return 1;
    }
    if ((cls = class_proto(L, idx)) != NULL) {
        pk_layer_init(&o->one, cls);
        o->n = 1;
        return 1;
    }
    return 0;
}

/* The values operand o has. */
static uint32_t operand_vals(const struct operand *o)
{
    return o->r ? nvals(o->r, o->from, o->n) : (uint32_t)o->one.proto->nfields;
}

/* Appends operand o (argument idx) to root didx (room reserved). */
static void append(lua_State *L, int didx, struct packet *d, struct operand *o, int idx)
{
    int at = d->n;
    if (o->r) {
        for (int k = 0; k < o->n; k++)
            add_rec(d, o->r, o->from + k);
        copy_anchors(L, didx, d, o->ridx, o->r, o->from, o->n, at);
    } else {
        add_layer(d, &o->one, 0);
        if (o->one.set)         /* a string's Raw layer points into it */
            anchor(L, didx, d, at, 0, idx);
    }
}

/* Stacking may go past what one packet can be built of (the build says
 * so), but not without bound. */
#define MAXSTACK 256

static int too_many(lua_State *L, int n)
{
    return raise_fmt(L, "a packet has at most %d layers, this one has %d", PK_MAXLAYERS, n);
}

/* a / b: a new packet of a's layers then b's; neither operand changes. */
static int l_div(lua_State *L)
{
    struct operand a, b;
    struct packet *d;
    int didx;
    lua_settop(L, 2);
    if (!operand(L, 1, &a) || !operand(L, 2, &b)) {
        int bad = operand(L, 1, &a) ? 2 : 1;
        lua_pushfstring(L, "cannot stack %s on the %s of a packet (stack packets, layers, "
                        "classes or strings)", luaL_typename(L, bad),
                        bad == 1 ? "left" : "right");
        return raise_here(L);
    }
    if (a.n + b.n > MAXSTACK)
        return too_many(L, a.n + b.n);
    d = new_root(L, a.n + b.n, (int)(operand_vals(&a) + operand_vals(&b)));
    didx = lua_gettop(L);
    append(L, didx, d, &a, 1);
    append(L, didx, d, &b, 2);
    return 1;
}

/* A value the core refused may stand for several values (a range, a
 * network): helpers.several(cls, fields) makes a packet set of them
 * (pkt/sets.lua), or returns nil and the error stands. */
static int several(lua_State *L)
{
    lua_getfield(L, HELP, "several");
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        return 0;
    }
    lua_pushvalue(L, 1);
    lua_pushvalue(L, 2);
    lua_call(L, 2, 1);
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        return 0;
    }
    return 1;
}

/* Class __call(cls, arg): IP(), IP(bytes) to dissect, IP{fields}.  The
 * table is read, never kept: the packet has its own copy of the values. */
static int l_construct(lua_State *L)
{
    const struct pk_proto *p = class_proto(L, 1);
    struct packet *r;
    struct pk_scratch s;
    struct pk_layer l;
    int ridx;
    s.used = 0;
    s.vol = 0;
    if (!p)     /* a class table a script changed */
        return raise_fmt(L, "not a layer class (a class's own fields cannot be changed)");
    switch (lua_type(L, 2)) {
    case LUA_TNONE:
    case LUA_TNIL:
        r = new_root(L, 1, p->nfields);
        pk_layer_init(&l, p);
        add_layer(r, &l, 0);
        return 1;
    case LUA_TSTRING:
        lua_settop(L, 2);
        r = new_root(L, LAZY_CAP, LAZY_VCAP);
        r->n = -1;
        r->first = p;
        r->hasraw = 1;
        lua_pushvalue(L, 2);
        lua_setiuservalue(L, 3, UV_RAW);
        return 1;
    case LUA_TTABLE:
        if (!topacket(L, 2) && !lua_getmetatable(L, 2))
            break;
        /* fall through */
    default:
        lua_pushfstring(L, "%s{...} takes a table of fields or a string of bytes to dissect, "
                        "got %s", p->name, luaL_typename(L, 2));
        return raise_here(L);
    }
    lua_settop(L, 2);
    r = new_root(L, 1, p->nfields);
    ridx = 3;
    pk_layer_init(&l, p);
    switch (pk_lua_filllayer(L, &l, 2, &s)) {
    case 0:
        break;
    case PK_LUA_NOFIELD:            /* the key is on top */
        add_layer(r, &l, 0);        /* for the message, which names it */
        lua_pushvalue(L, ridx);
        lua_insert(L, -2);
        lua_pushboolean(L, 1);
        help(L, "nofield", 3);
        return raise_here(L);
    default:
        return several(L) ? 1 : raise_here(L);
    }
    /* what the values point into, now that they are all converted (the
     * fields given only: a table names few of a protocol's) */
    for (uint32_t m = l.set; m; m &= m - 1) {
        int f = lowest_bit(m);
        if (pk_field_isptr(&p->fields[f])) {
            lua_getfield(L, 2, p->fields[f].name);
            keep_value(L, ridx, r, 0, &l, f, -1);
            lua_pop(L, 1);
        }
    }
    add_layer(r, &l, 0);
    if (s.vol)
        set_draws(L, ridx, r, 0, 0, 0, &s);
    lua_settop(L, ridx);
    return 1;
}

/* dissect(proto_id, bytes) -> a packet of those bytes, read when needed */
static int l_dissect(lua_State *L)
{
    const struct pk_proto *p = pk_lua_checkproto(L, 1);
    struct packet *r;
    luaL_checktype(L, 2, LUA_TSTRING);
    r = new_root(L, LAZY_CAP, LAZY_VCAP);
    r->n = -1;
    r->first = p;
    r->hasraw = 1;
    lua_pushvalue(L, 2);
    lua_setiuservalue(L, -2, UV_RAW);
    return 1;
}

/* captured(proto_id, bytes, time [, iface [, wirelen]]) -> a packet, as
 * sniff gives its callback */
static int l_captured(lua_State *L)
{
    struct packet *r;
    lua_settop(L, 5);
    l_dissect(L);
    r = lua_touserdata(L, -1);
    if (!lua_isnil(L, 3)) {
        r->time = luaL_checknumber(L, 3);
        r->has_time = 1;
    }
    if (!lua_isnil(L, 4)) {
        lua_pushvalue(L, 4);
        lua_setiuservalue(L, 6, UV_IFACE);
    }
    if (!lua_isnil(L, 5)) {
        r->wirelen = luaL_checkinteger(L, 5);
        r->has_wirelen = 1;
    }
    return 1;
}

/* p:copy() -> a packet of its own with p's layers (from p's first), an
 * edit of either leaves the other as it was. */
static int l_copy(lua_State *L)
{
    struct packet *p = checkpacket(L, 1), *r = p->root, *d;
    int ridx, didx, n;
    lua_settop(L, 1);
    ridx = push_root(L, 1, p);
    if (r->n < 0) {     /* never read: share the bytes */
        d = new_root(L, LAZY_CAP, LAZY_VCAP);
        d->n = -1;
        d->first = r->first;
        didx = lua_gettop(L);
        lua_getiuservalue(L, ridx, UV_RAW);
        lua_setiuservalue(L, didx, UV_RAW);
        d->hasraw = r->hasraw;
    } else {
        n = span(L, p, ridx);
        d = new_root(L, n, (int)nvals(r, p->from, n));
        didx = lua_gettop(L);
        for (int i = 0; i < n; i++)
            add_rec(d, r, p->from + i);
        copy_anchors(L, didx, d, ridx, r, p->from, n, 0);
        if (r->pristine && p->from == 0) {      /* the same bytes, kept */
            lua_getiuservalue(L, ridx, UV_RAW);
            lua_setiuservalue(L, didx, UV_RAW);
            d->hasraw = r->hasraw;
            d->pristine = 1;
        }
    }
    d->time = r->time;
    d->sent_time = r->sent_time;
    d->wirelen = r->wirelen;
    d->has_time = r->has_time;
    d->has_sent = r->has_sent;
    d->has_wirelen = r->has_wirelen;
    lua_getiuservalue(L, ridx, UV_IFACE);
    lua_setiuservalue(L, didx, UV_IFACE);
    lua_settop(L, didx);
    return 1;
}

/* Replaces the layers above object idx's first with the operand at xidx
 * (nil: none). */
static void set_payload(lua_State *L, int idx, struct packet *p, int xidx)
{
    struct operand o;
    struct packet *r = p->root;
    int ridx = push_root(L, idx, p), at;
    const struct rec *last;
    span(L, p, ridx);
    at = p->from + 1;
    xidx = lua_absindex(L, xidx);
    if (lua_isnil(L, xidx)) {
        o.n = 0;
        o.r = NULL;
    } else if (!operand(L, xidx, &o)) {
        lua_pushfstring(L, "a payload is a packet, a layer class or a string, got %s",
                        luaL_typename(L, xidx));
        raise_here(L);
    } else if (o.r == r) {
        lua_pushliteral(L, "a packet cannot be its own payload (stack a copy: p:copy())");
        raise_here(L);
    }
    if (at + o.n > MAXSTACK)
        too_many(L, at + o.n);
    touch(L, ridx, r);
    last = &r->ls[at - 1];
    r->n = at;
    r->nv = last->vi + (uint32_t)nf(last);
    if (o.n) {
        reserve(L, ridx, r, at + o.n, r->nv + operand_vals(&o));
        append(L, ridx, r, &o, xidx);
    }
}

/* p:remove_payload(): drops the layers above p's first (Scapy's name). */
static int l_remove_payload(lua_State *L)
{
    struct packet *p = checkpacket(L, 1);
    lua_settop(L, 1);
    lua_pushnil(L);
    set_payload(L, 1, p, 2);
    return 0;
}

/* p:clear_cache(): build the bytes from the fields from now on, not as
 * read (a dissected packet keeps its captured bytes until an edit). */
static int l_clear_cache(lua_State *L)
{
    struct packet *p = checkpacket(L, 1), *r = p->root;
    int ridx = push_root(L, 1, p);
    records(L, ridx, r);
    r->pristine = 0;
    r->gen++;
    return 0;
}

/* ---- reading and writing ------------------------------------------- */

/* Object idx's nth (from 1) layer of class proto, from its first. */
static int find_layer(lua_State *L, int idx, const struct pk_proto *want, lua_Integer nth)
{
    struct packet *p = checkpacket(L, idx), *r = p->root;
    int ridx = push_root(L, idx, p), n = span(L, p, ridx);
    for (int i = p->from; i < p->from + n; i++)
        if (r->ls[i].proto == want && --nth == 0) {
            push_view(L, ridx, r, i);
            return 1;
        }
    return 0;
}

static void push_fields(lua_State *L, int idx, struct packet *p);

/* Attributes a packet has besides its fields. */
static int get_attr(lua_State *L, struct packet *p, int idx, const char *k)
{
    struct packet *r = p->root;
    int ridx;
    if (strcmp(k, "payload") == 0 || strcmp(k, "underlayer") == 0) {
        int up = k[0] == 'p', i = p->from + (up ? 1 : -1);
        ridx = push_root(L, idx, p);
        span(L, p, ridx);
        if (i < 0 || i >= r->n)
            return 0;
        push_view(L, ridx, r, i);
        return 1;
    }
    if (strcmp(k, "time") == 0) {
        if (!r->has_time)
            return 0;
        lua_pushnumber(L, r->time);
    } else if (strcmp(k, "sent_time") == 0) {
        if (!r->has_sent)
            return 0;
        lua_pushnumber(L, r->sent_time);
    } else if (strcmp(k, "wirelen") == 0) {
        if (!r->has_wirelen)
            return 0;
        lua_pushinteger(L, r->wirelen);
    } else if (strcmp(k, "iface") == 0) {
        ridx = push_root(L, idx, p);
        lua_getiuservalue(L, ridx, UV_IFACE);
    } else if (strcmp(k, "fields") == 0) {
        push_fields(L, idx, p);
    } else {
        return -1;
    }
    return 1;
}

/* A number for attribute k, or a clear error at the script's line. */
static lua_Number attr_number(lua_State *L, const char *k, int vidx, int integer)
{
    if (integer ? !lua_isinteger(L, vidx) : lua_type(L, vidx) != LUA_TNUMBER) {
        lua_pushfstring(L, "%s: a packet's %s must be %s, got %s %s", k, k,
                        integer ? "a whole number of bytes" : "a number of seconds",
                        luaL_typename(L, vidx), luaL_tolstring(L, vidx, NULL));
        lua_remove(L, -2);
        raise_here(L);
    }
    return lua_tonumber(L, vidx);
}

static int set_attr(lua_State *L, struct packet *p, int idx, const char *k, int vidx)
{
    struct packet *r = p->root;
    int isnil = lua_isnil(L, vidx), ridx;
    if (strcmp(k, "payload") == 0) {
        set_payload(L, idx, p, vidx);
        return 1;
    }
    if (strcmp(k, "time") == 0) {
        r->has_time = !isnil;
        r->time = isnil ? 0 : attr_number(L, k, vidx, 0);
    } else if (strcmp(k, "sent_time") == 0) {
        r->has_sent = !isnil;
        r->sent_time = isnil ? 0 : attr_number(L, k, vidx, 0);
    } else if (strcmp(k, "wirelen") == 0) {
        r->has_wirelen = !isnil;
        r->wirelen = isnil ? 0 : (lua_Integer)attr_number(L, k, vidx, 1);
    } else if (strcmp(k, "iface") == 0) {
        if (!isnil && lua_type(L, vidx) != LUA_TSTRING) {
            lua_pushfstring(L, "iface: a packet's interface is its name, got %s",
                            luaL_typename(L, vidx));
            raise_here(L);
        }
        ridx = push_root(L, idx, p);
        lua_pushvalue(L, vidx);
        lua_setiuservalue(L, ridx, UV_IFACE);
    } else {
        return 0;
    }
    return 1;
}

/* __index(p, k): a method, a field of the first layer from p's that has
 * it, an attribute, p[Class] (nil when absent) or p[i] (from 1). */
static int l_index(lua_State *L)
{
    struct packet *p = lua_touserdata(L, 1), *r = p->root;  /* its own metamethod */
    const struct pk_proto *want;
    int ridx, n;
    lua_settop(L, 2);
    switch (lua_type(L, 2)) {
    case LUA_TSTRING: {
        const char *k = lua_tostring(L, 2);
        lua_pushvalue(L, 2);
        if (lua_rawget(L, METHODS) != LUA_TNIL)
            return 1;
        lua_pop(L, 1);
        ridx = push_root(L, 1, p);
        n = span(L, p, ridx);
        for (int i = p->from; i < p->from + n; i++) {
            int f = field_of(r, i, k);
            if (f >= 0) {
                push_value(L, r, i, f, 0);
                return 1;
            }
        }
        if ((n = get_attr(L, p, 1, k)) >= 0)
            return n;
        return no_field(L, 1, 2);
    }
    case LUA_TNUMBER: {
        lua_Integer i;
        if (!lua_isinteger(L, 2)) {
            lua_Number x = lua_tonumber(L, 2);
            if (x != (lua_Number)(lua_Integer)x)
                return 0;
        }
        i = lua_tointeger(L, 2);
        ridx = push_root(L, 1, p);
        n = span(L, p, ridx);
        if (i < 1 || i > n)
            return 0;
        push_view(L, ridx, r, p->from + (int)i - 1);
        return 1;
    }
    case LUA_TTABLE:
        if ((want = class_proto(L, 2)) != NULL)
            return find_layer(L, 1, want, 1);
        break;
    case LUA_TNIL:
        lua_pushliteral(L, "p[nil]: the index is nil; is the layer name spelled right "
                        "(p[ICMP], p[UDP])?");
        return raise_here(L);
    }
    lua_pushfstring(L, "a packet is indexed by a layer class, a number or a field name, "
                    "not a %s", luaL_typename(L, 2));
    return raise_here(L);
}

/* __newindex(p, k, v): a field of the first layer from p's that has it,
 * an attribute, or the payload. */
static int l_newindex(lua_State *L)
{
    struct packet *p = lua_touserdata(L, 1), *r = p->root;  /* its own metamethod */
    const char *k;
    int ridx, n;
    lua_settop(L, 3);
    if (lua_type(L, 2) != LUA_TSTRING)
        return no_field(L, 1, 2);
    k = lua_tostring(L, 2);
    ridx = push_root(L, 1, p);
    n = span(L, p, ridx);
    for (int i = p->from; i < p->from + n; i++) {
        int f = field_of(r, i, k);
        if (f >= 0) {
            set_field(L, ridx, r, i, f, 3);
            return 0;
        }
    }
    if (set_attr(L, p, 1, k, 3)) {
        kept(L, ridx, r);       /* a list keeps a packet whose time was set */
        return 0;
    }
    return no_field(L, 1, 2);
}

static int l_len(lua_State *L)
{
    push_bytes(L, 1);
    lua_pushinteger(L, (lua_Integer)lua_rawlen(L, -1));
    return 1;
}

/* Equal when the same layer of one packet, or when their bytes are. */
static int l_eq(lua_State *L)
{
    struct packet *a = topacket(L, 1), *b = topacket(L, 2);
    if (!a || !b || (a->root == b->root && a->from == b->from)) {
        lua_pushboolean(L, a && b);
        return 1;
    }
    lua_settop(L, 2);
    push_bytes(L, 1);
    push_bytes(L, 2);
    lua_pushboolean(L, lua_rawequal(L, 3, 4));
    return 1;
}

static int l_tostring(lua_State *L)
{
    lua_settop(L, 1);
    help(L, "tostring", 1);
    return 1;
}

/* ---- accessors for the Lua side (printing, sending, lists) --------- */

/* nlayers(p) -> layers from p's first */
static int l_nlayers(lua_State *L)
{
    struct packet *p = checkpacket(L, 1);
    lua_pushinteger(L, span(L, p, push_root(L, 1, p)));
    return 1;
}

/* proto(p [, i]) -> protocol id of p's first layer (or its ith, from 1) */
static int l_proto(lua_State *L)
{
    struct packet *p = checkpacket(L, 1), *r = p->root;
    lua_Integer i = luaL_optinteger(L, 2, 1);
    int ridx = push_root(L, 1, p), n;
    if (r->n < 0 && i == 1 && !p->isview) {    /* no need to dissect */
        lua_pushinteger(L, pk_lua_protoid(r->first));
        return 1;
    }
    n = span(L, p, ridx);
    if (i < 1 || i > n)
        return 0;
    lua_pushinteger(L, pk_lua_protoid(r->ls[p->from + i - 1].proto));
    return 1;
}

/* The record of object idx's first layer, dissecting it if need be. */
static const struct rec *first_rec(lua_State *L, int idx, struct packet *p)
{
    int top = lua_gettop(L);
    span(L, p, push_root(L, idx, p));
    lua_settop(L, top);     /* the object keeps its packet */
    return &p->root->ls[p->from];
}

/* status(p) -> "ok" | "truncated" | "invalid", the protocol cut short
 * or that the bytes are not (a Raw layer), and why it is invalid */
static int l_status(lua_State *L)
{
    struct packet *p = checkpacket(L, 1);
    const struct rec *x = first_rec(L, 1, p);
    lua_pushstring(L, status_names[x->status]);
    if (x->cut)
        lua_pushstring(L, pk_proto_byid(x->cut)->name);
    else
        lua_pushnil(L);
    lua_pushstring(L, x->why);
    return 3;
}

/* Field `name` of object idx's first layer, or raise. */
static int first_field(lua_State *L, int idx, struct packet *p, int kidx)
{
    int f;
    first_rec(L, idx, p);
    f = field_of(p->root, p->from, luaL_checkstring(L, kidx));
    if (f < 0)
        no_field(L, idx, kidx);
    return f;
}

/* value(p, name) -> field name of p's first layer as it will be built,
 * flags as their number; nil for a computed field not yet computed */
static int l_value(lua_State *L)
{
    struct packet *p = checkpacket(L, 1);
    int f = first_field(L, 1, p, 2);
    push_value(L, p->root, p->from, f, 1);
    return 1;
}

/* isset(p, name) -> whether the field has a value of its own (set by
 * the script or read off the wire) */
static int l_isset(lua_State *L)
{
    struct packet *p = checkpacket(L, 1);
    int f = first_field(L, 1, p, 2);
    lua_pushboolean(L, p->root->ls[p->from].set >> f & 1);
    return 1;
}

/* present(p) -> {name = true...}: the fields p's first layer has (ICMP's
 * depend on its type; a dissected header those it read) */
static int l_present(lua_State *L)
{
    struct packet *p = checkpacket(L, 1), *r = p->root;
    const struct rec *x = first_rec(L, 1, p);
    lua_newtable(L);
    for (int f = 0; f < x->proto->nfields; f++)
        if (has_field(r, p->from, f)) {
            lua_pushboolean(L, 1);
            lua_setfield(L, -2, x->proto->fields[f].name);
        }
    return 1;
}

/* fields(p) -> {name = value...}: the fields of p's first layer that
 * have values of their own, as Scapy's p.fields */
static void push_fields(lua_State *L, int idx, struct packet *p)
{
    struct packet *r = p->root;
    const struct rec *x = first_rec(L, idx, p);
    lua_newtable(L);
    for (int f = 0; f < x->proto->nfields; f++)
        if ((x->set >> f & 1) && has_field(r, p->from, f)) {
            push_value(L, r, p->from, f, 0);
            lua_setfield(L, -2, x->proto->fields[f].name);
        }
}

static int l_fields(lua_State *L)
{
    push_fields(L, 1, checkpacket(L, 1));
    return 1;
}

/* fieldpos(p, name) -> byte offset of the field in the packet's bytes,
 * when the packet is as dissected and the field starts on a byte;
 * else nil.  For vary, which patches sent frames in C. */
static int l_fieldpos(lua_State *L)
{
    struct packet *p = checkpacket(L, 1);
    size_t bit = 0;
    int f = first_field(L, 1, p, 2);
    const struct rec *x = &p->root->ls[p->from];
    if (!x->wire)
        return 0;
    struct pk_layer l;
    to_layer(&l, p->root, p->from);
    for (int i = 0; i < f; i++)
        if (x->present >> i & 1)
            bit += pk_field_width(&l, i);
    if (bit % 8)
        return 0;
    lua_pushinteger(L, (lua_Integer)(x->off + bit / 8));
    return 1;
}

/* fuzz(p, i, mask): the fields in mask of p's ith layer (from 1) take
 * random values at each build while unset; fuzzy(p) -> whether any do */
static int l_fuzz(lua_State *L)
{
    struct packet *p = checkpacket(L, 1), *r = p->root;
    lua_Integer i = luaL_checkinteger(L, 2);
    uint32_t mask = (uint32_t)luaL_checkinteger(L, 3);
    int ridx = push_root(L, 1, p);
    if (i < 1 || i > span(L, p, ridx))
        return luaL_argerror(L, 2, "no such layer");
    touch(L, ridx, r);
    set_draws(L, ridx, r, (int)(p->from + i - 1), mask, 0, NULL);
    return 0;
}

static int l_fuzzy(lua_State *L)
{
    lua_pushboolean(L, checkpacket(L, 1)->root->fuzzy);
    return 1;
}

/* setowner(p, list, i): p was made from slot i of a captured list, which
 * keeps it once it changes (pkt/list.lua); owner(p) -> list, i */
static int l_setowner(lua_State *L)
{
    struct packet *p = checkpacket(L, 1), *r = p->root;
    lua_Integer oi = luaL_optinteger(L, 3, 0);
    int ridx;
    lua_settop(L, 3);
    ridx = push_root(L, 1, p);
    lua_pushvalue(L, 2);
    lua_setiuservalue(L, ridx, UV_OWNER);
    r->oi = oi;
    return 0;
}

static int l_owner(lua_State *L)
{
    struct packet *p = checkpacket(L, 1);
    int ridx = push_root(L, 1, p);
    lua_getiuservalue(L, ridx, UV_OWNER);
    lua_pushinteger(L, p->root->oi);
    return 2;
}

/* isview(p) -> whether p is a layer of a packet (p[IP]) */
static int l_isview(lua_State *L)
{
    lua_pushboolean(L, checkpacket(L, 1)->isview);
    return 1;
}

/* root(p) -> the whole packet p is a layer of, and p's index in it */
static int l_root(lua_State *L)
{
    struct packet *p = checkpacket(L, 1);
    push_root(L, 1, p);
    lua_pushinteger(L, p->from + 1);
    return 2;
}

/* getlayer(p, cls [, nth]) -> the nth layer of that class, or nil */
static int l_getlayer(lua_State *L)
{
    const struct pk_proto *want = class_proto(L, 2);
    if (!want)
        return raise_fmt(L, "getlayer() takes a layer class (IP, UDP, ...), got %s",
                         luaL_typename(L, 2));
    return find_layer(L, 1, want, luaL_optinteger(L, 3, 1));
}

static int l_is_packet(lua_State *L)
{
    lua_pushboolean(L, topacket(L, 1) != NULL);
    return 1;
}

static const luaL_Reg methods[] = {
    { "bytes", l_bytes },
    { "copy", l_copy },
    { "remove_payload", l_remove_payload },
    { "clear_cache", l_clear_cache },
    { "status", l_status },
    { "getfieldval", l_value },
    { NULL, NULL },
};

static const luaL_Reg metamethods[] = {
    { "__index", l_index },
    { "__newindex", l_newindex },
    { "__div", l_div },
    { "__len", l_len },
    { "__eq", l_eq },
    { "__tostring", l_tostring },
    { NULL, NULL },
};

static const luaL_Reg accessors[] = {
    { "construct", l_construct },
    { "div", l_div },
    { "dissect", l_dissect },
    { "captured", l_captured },
    { "nlayers", l_nlayers },
    { "proto", l_proto },
    { "status", l_status },
    { "value", l_value },
    { "isset", l_isset },
    { "present", l_present },
    { "fields", l_fields },
    { "fieldpos", l_fieldpos },
    { "fuzz", l_fuzz },
    { "fuzzy", l_fuzzy },
    { "setowner", l_setowner },
    { "owner", l_owner },
    { "isview", l_isview },
    { "root", l_root },
    { "getlayer", l_getlayer },
    { "is_packet", l_is_packet },
    { NULL, NULL },
};

/* packets(methods, class_mt, helpers) -> the packet metatable, and the
 * accessors above.  The C methods are added to methods; helpers holds
 * the Lua functions the object calls: nofield(p, key) -> message,
 * keep(list, i, p), tostring(p). */
int pk_lua_packets(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    luaL_checktype(L, 2, LUA_TTABLE);
    luaL_checktype(L, 3, LUA_TTABLE);
    lua_settop(L, 3);
    luaL_newmetatable(L, "pkt.Packet");                     /* 4 */
    /* getmetatable(p) gives this name, not the table: the metamethods
     * are then only ever called with a packet first */
    lua_pushliteral(L, "pkt.Packet");
    lua_setfield(L, 4, "__metatable");
#define UPVALUES() (lua_pushvalue(L, 4), lua_pushvalue(L, 2), lua_pushvalue(L, 3), \
                    lua_pushvalue(L, 1))
    UPVALUES();
    luaL_setfuncs(L, metamethods, 4);
    lua_pushvalue(L, 1);
    UPVALUES();
    luaL_setfuncs(L, methods, 4);
    lua_pop(L, 1);
    lua_newtable(L);                                        /* 5 */
    UPVALUES();
    luaL_setfuncs(L, accessors, 4);
#undef UPVALUES
    return 2;
}
