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
#include "../src/codec.h"

#define PKMOD_API __attribute__((visibility("default")))

/* Room for what build converts: IPv6 addresses and encoded options. */
static uint8_t *scratch_get(struct pk_scratch *s, size_t n)
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

/* Calls method m of the packet on top with no arguments; pushes its
 * one result. */
static void call_method(lua_State *L, const char *m)
{
    lua_getfield(L, -1, m);
    lua_pushvalue(L, -2);
    lua_call(L, 1, 1);
}

/* Record i given as a packet (Item{a=1}, as Scapy's items=[Item(a=1)]):
 * its bytes, when its first layer is of protocol rec; else NULL with a
 * message pushed. */
static const char *record_packet(lua_State *L, int i, const struct pk_proto *rec, size_t *n)
{
    int t = luaL_getmetafield(L, -1, "__name");
    int packet = t == LUA_TSTRING && strcmp(lua_tostring(L, -1), "pkt.Packet") == 0;
    const char *what;
    if (t != LUA_TNIL)
        lua_pop(L, 1);
    if (packet) {
        const struct pk_proto *q;
        call_method(L, "name");
        q = pk_proto_find(lua_tostring(L, -1));
        if (q == rec || (q && q->variant_of == rec)) {
            lua_pop(L, 1);
            call_method(L, "bytes");
            return lua_tolstring(L, -1, n);
        }
    }
    what = packet ? lua_tostring(L, -1) : luaL_typename(L, -1);
    lua_pushfstring(L, "record %d is a %s, not a table of %s's fields nor a packet %s{...}",
                    i, what, rec->name, rec->name);
    return NULL;
}

/* The variant of record protocol r->proto that the table on top
 * describes (an MX record among DNS answers, by its type): r is filled
 * with the fields the table gives that r->proto has, and asked. */
static const struct pk_proto *record_variant(lua_State *L, struct pk_layer *r,
                                             struct pk_scratch *s)
{
    const struct pk_proto *p = r->proto, *v;
    int top = lua_gettop(L);
    for (int f = 0; f < p->nfields; f++) {
        /* a value that does not convert is the real fill's to report */
        if (lua_getfield(L, top, p->fields[f].name) != LUA_TNIL)
            (void)pk_lua_tofield(L, r, f, -1, s);
        lua_settop(L, top);
    }
    s->used = 0;
    v = p->dispatch(r);
    return v ? v : p;
}

/* A list of records: each a table of the record protocol's fields,
 * built with it, or a packet of it, one after another in s. */
static int records_value(lua_State *L, struct pk_layer *l, int f, int idx,
                         struct pk_scratch *s)
{
    const struct pk_proto *rec = l->proto->fields[f].rec;
    uint8_t *out = s->buf + s->used;
    size_t len = 0;
    int n;
    if (lua_type(L, idx) != LUA_TTABLE)
        return bad(L, l, f, "%s", lua_pushfstring(L, "expected a list of %s records "
                   "(tables of its fields), got %s", rec->name, luaL_typename(L, idx)));
    n = (int)lua_rawlen(L, idx);
    for (int i = 1; i <= n; i++) {
        struct pk_scratch is;   /* the record's own values, apart from out */
        struct pk_layer r;
        size_t w;
        int rc;
        is.used = 0;
        is.vol = 0;
        pk_layer_init(&r, rec);
        if (lua_rawgeti(L, idx, i) == LUA_TTABLE && rec->dispatch)
            pk_layer_init(&r, record_variant(L, &r, &is));
        if (lua_type(L, -1) != LUA_TTABLE) {
            const char *b = record_packet(L, i, rec, &w);
            if (!b)
                return bad(L, l, f, "%s", lua_tostring(L, -1));
            if (w > sizeof s->buf - s->used - len)
                return bad(L, l, f, "%s", "records too long to encode (at most 8 kB)");
            memcpy(out + len, b, w);
            len += w;
            lua_pop(L, 2);
            continue;
        }
        rc = pk_lua_filllayer(L, &r, -1, &is);
        if (rc == PK_LUA_NOFIELD)
            return bad(L, l, f, "%s", lua_pushfstring(L, "record %d: %s has no field '%s'", i,
                                                     r.proto->name, luaL_tolstring(L, -1, NULL)));
        if (rc < 0)
            return bad(L, l, f, "%s", lua_pushfstring(L, "record %d: %s", i, lua_tostring(L, -1)));
        if (is.vol)             /* records are bytes once built: nothing draws again */
            return bad(L, l, f, "%s", lua_pushfstring(L, "record %d: a random value (RandShort() "
                       "...) is drawn at each build of a layer's own fields, not inside records", i));
        if (pk_build(&r, 1, out + len, sizeof s->buf - s->used - len, &w) < 0)
            return bad(L, l, f, "%s", "records too long to encode (at most 8 kB)");
        len += w;
        lua_pop(L, 1);
    }
    s->used += len;
    pk_layer_setp(l, f, out, (uint32_t)len);
    return 0;
}

/* ---- TLV option lists (PK_TLV) -------------------------------------
 * In Lua an option is {name or kind, value, ...}: one value per item of
 * the kind, a repeated last item spread over the rest (DHCP's routers)
 * unless it is a list item (param_req_list: {name, {1, 3, 6}}) or the
 * kind takes its values as one list (TCP's {"Timestamp", {a, b}}); a
 * kind without a value may be its name alone ("end", "NOP"); a kind
 * without a description takes one byte string. */

#define TLV_MAXOPTS 128
#define TLV_MAXVALS 512

struct tlv_in {
    struct pk_tlv o[TLV_MAXOPTS];
    struct pk_val v[TLV_MAXVALS];
    int nv;
};

/* What a value of item it is, for messages: "32-bit integers". */
static const char *item_what(lua_State *L, const struct pk_tlvitem *it)
{
    switch (it->type) {
    case PK_TLVT_UINT: return lua_pushfstring(L, "%d-bit integers", 8 * it->size);
    case PK_TLVT_IPV4: return "IPv4 addresses";
    case PK_TLVT_IPV6: return "IPv6 addresses";
    case PK_TLVT_MAC:  return "MAC addresses";
    default:           return "strings";
    }
}

/* A Lua value for a message: numbers and strings as they are. */
static const char *shown(lua_State *L, int idx)
{
    int t = lua_type(L, idx);
    return t == LUA_TNUMBER || t == LUA_TSTRING ? luaL_tolstring(L, idx, NULL)
                                                : luaL_typename(L, idx);
}

/* One value of item `it` from the Lua value at idx into *v. */
static int tlv_item_value(lua_State *L, struct pk_layer *l, int f, const struct pk_tlvkind *k,
                          const struct pk_tlvitem *it, int idx, struct pk_val *v,
                          struct pk_scratch *s)
{
    /* lua_tostring would turn a number on the stack into a string */
    const char *str = lua_type(L, idx) == LUA_TSTRING ? lua_tostring(L, idx) : NULL;
    idx = lua_absindex(L, idx);
    memset(v, 0, sizeof *v);
    switch (it->type) {
    case PK_TLVT_UINT: {
        uint64_t max = it->size >= 8 ? UINT64_MAX : (UINT64_C(1) << (8 * it->size)) - 1;
        if (lua_isinteger(L, idx) && lua_tointeger(L, idx) >= 0 &&
            (uint64_t)lua_tointeger(L, idx) <= max) {
            v->u = (uint64_t)lua_tointeger(L, idx);
            return 0;
        }
        for (const struct pk_name *n = it->names; n && n->name && str; n++)
            if (strcmp(n->name, str) == 0) {
                v->u = n->value;
                return 0;
            }
        return bad(L, l, f, "%s", lua_pushfstring(L, "option %s needs an integer value in "
                   "range 0..%I%s, got %s", k->name, (lua_Integer)max,
                   it->names ? " or one of its names" : "", shown(L, idx)));
    }
    case PK_TLVT_IPV4: {
        uint32_t a;
        if (!str || pk_ipv4_parse(str, &a) < 0)
            return bad(L, l, f, "%s", lua_pushfstring(L, "option %s takes an IPv4 address, got %s",
                       k->name, shown(L, idx)));
        v->u = a;
        return 0;
    }
    case PK_TLVT_MAC:
        if (!str || pk_mac_parse(str, &v->u) < 0)
            return bad(L, l, f, "%s", lua_pushfstring(L, "option %s takes a MAC address, got %s",
                       k->name, shown(L, idx)));
        return 0;
    case PK_TLVT_IPV6: {
        uint8_t *a = scratch_get(s, 16);
        if (!a || !str || pk_ipv6_parse(str, a) < 0)
            return bad(L, l, f, "%s", lua_pushfstring(L, "option %s takes an IPv6 address, got %s",
                       k->name, shown(L, idx)));
        v->p = a;
        v->len = 16;
        return 0;
    }
    default: {
        size_t len;
        if (!str)
            return bad(L, l, f, "%s", lua_pushfstring(L, "option %s takes a string, got %s",
                       k->name, luaL_typename(L, idx)));
        str = lua_tolstring(L, idx, &len);
        v->p = (const uint8_t *)str;
        v->len = (uint32_t)len;
        return 0;
    }
    }
}

/* The values of kind k from table src, entries from..n. */
static int tlv_values(lua_State *L, struct pk_layer *l, int f, const struct pk_tlvkind *k,
                      int src, int from, struct pk_tlv *o, struct tlv_in *in,
                      struct pk_scratch *s)
{
    int n = (int)lua_rawlen(L, src);
    const struct pk_tlvitem *last = &k->items[k->nitems - 1];
    unsigned need = k->nitems - (last->repeat ? 1u : 0u);
    o->vals = &in->v[in->nv];
    o->nvals = 0;
    o->status = PK_TLV_OK;
    for (int j = from; j <= n; j++) {
        const struct pk_tlvitem *it = pk_tlv_item(k, (unsigned)o->nvals);
        int list = it && it->repeat == 2 && lua_rawgeti(L, src, j) == LUA_TTABLE;
        int m = list ? (int)lua_rawlen(L, -1) : 1;
        if (!list && it && it->repeat == 2)
            lua_pop(L, 1);
        if (!it)
            break;              /* more than the kind takes: said below */
        for (int q = 1; q <= m; q++) {
            if (in->nv >= TLV_MAXVALS)
                return bad(L, l, f, "%s", "too many option values");
            if (list)
                lua_rawgeti(L, -1, q);
            else
                lua_rawgeti(L, src, j);
            if (tlv_item_value(L, l, f, k, it, -1, &in->v[in->nv++], s) < 0)
                return -1;
            lua_pop(L, 1);
            o->nvals++;
        }
        if (list)
            lua_pop(L, 1);
    }
    if (o->nvals < need || (!last->repeat && n - from + 1 > (int)k->nitems))
        return bad(L, l, f, "%s", lua_pushfstring(L, "option %s has the wrong number of values "
                   "(it takes %s%d)", k->name, last->repeat ? "at least " : "", (int)need));
    return 0;
}

/* The names of family fam's kinds, for a message. */
static const char *kind_names(lua_State *L, const struct pk_tlvfam *fam)
{
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (const struct pk_tlvkind *k = fam->kinds; k->name; k++) {
        if (k != fam->kinds)
            luaL_addstring(&b, ", ");
        luaL_addstring(&b, k->name);
    }
    luaL_pushresult(&b);
    return lua_tostring(L, -1);
}

/* An option's value given as bytes (at 2 in the table at idx), sent as
 * it is; a malformed one is every byte from its type. */
static int tlv_raw(lua_State *L, struct pk_layer *l, int f, int idx, struct pk_tlv *o,
                   struct tlv_in *in, int malformed)
{
    const struct pk_tlvfam *fam = l->proto->fields[f].fam;
    const struct pk_tlvkind *k = pk_tlv_kind(fam, o->kind);
    size_t len = 0, max = (((size_t)1 << (8 * fam->len_bytes)) - 1) * fam->unit -
                          (fam->len_hdr ? (size_t)fam->type_bytes + fam->len_bytes : 0);
    int t = lua_rawgeti(L, idx, 2);
    if (t != LUA_TSTRING && t != LUA_TNIL)
        return bad(L, l, f, "%s", lua_pushfstring(L, "option kind %d takes its value as a "
                   "byte string", (int)o->kind));
    o->data = (const uint8_t *)lua_tolstring(L, -1, &len);
    o->len = (uint32_t)len;
    if (!malformed && len > max)
        return bad(L, l, f, "%s", lua_pushfstring(L, "option value of %d bytes is too long "
                   "(at most %d)", (int)len, (int)max));
    o->status = malformed ? PK_TLV_MALFORMED : PK_TLV_RAW;
    if (k && k->nitems == 0 && !len && !malformed) {
        o->status = PK_TLV_OK;      /* SAckOK: typed, no value */
        o->vals = &in->v[in->nv];
    }
    lua_pop(L, 1);              /* its string stays in the option's table */
    return 0;
}

/* One option from the Lua value at idx. */
static int tlv_option(lua_State *L, struct pk_layer *l, int f, int idx, struct pk_tlv *o,
                      struct tlv_in *in, struct pk_scratch *s)
{
    const struct pk_tlvfam *fam = l->proto->fields[f].fam;
    const struct pk_tlvkind *k = NULL;
    int t = lua_type(L, idx), kt, vt, malformed;
    memset(o, 0, sizeof *o);
    if (t != LUA_TSTRING && t != LUA_TTABLE)
        return bad(L, l, f, "an option is {name, value}, got %s (or a name alone, for one "
                   "that takes no value)", luaL_typename(L, idx));
    kt = t == LUA_TSTRING ? (lua_pushvalue(L, idx), LUA_TSTRING) : lua_rawgeti(L, idx, 1);
    if (kt == LUA_TSTRING) {
        k = pk_tlv_named(fam, lua_tostring(L, -1));
        if (!k) {
            const char *name = lua_tostring(L, -1), *all = kind_names(L, fam);
            return bad(L, l, f, "%s", lua_pushfstring(L, "unknown option '%s' (use a kind "
                       "number for others): %s are %s", name, fam->name, all));
        }
        o->kind = k->kind;
    } else if (lua_isinteger(L, -1) && lua_tointeger(L, -1) >= 0 &&
               (uint64_t)lua_tointeger(L, -1) >> (8 * fam->type_bytes) == 0) {
        o->kind = (uint16_t)lua_tointeger(L, -1);
        k = pk_tlv_kind(fam, o->kind);
    } else {
        return bad(L, l, f, "%s", lua_pushfstring(L, "an option's first item is its name or "
                   "kind (0..%d), got %s", (1 << (8 * fam->type_bytes)) - 1,
                   luaL_typename(L, -1)));
    }
    lua_pop(L, 1);
    if (t == LUA_TSTRING) {
        if (!(k->flags & PK_TLVK_SINGLE) && k->nitems)
            return bad(L, l, f, "%s", lua_pushfstring(L, "option %s needs a value: "
                       "{\"%s\", value}", k->name, k->name));
        o->status = PK_TLV_OK;
        o->vals = &in->v[in->nv];
        return 0;
    }
    lua_getfield(L, idx, "malformed");
    malformed = lua_toboolean(L, -1);
    lua_pop(L, 1);
    if (k && (k->flags & PK_TLVK_SINGLE) && !malformed)
        return 0;
    vt = lua_rawgeti(L, idx, 2);
    lua_pop(L, 1);
    if (malformed || !k || k->nitems == 0 ||
        ((fam->flags & PK_TLVF_RAWOK) && vt == LUA_TSTRING &&
         k->items[0].type != PK_TLVT_BYTES && k->items[0].type != PK_TLVT_STRING))
        return tlv_raw(L, l, f, idx, o, in, malformed);
    if (k->flags & PK_TLVK_LIST) {
        int r;
        if (vt != LUA_TTABLE)
            return bad(L, l, f, "%s", lua_pushfstring(L, "option %s needs a list of %s, got %s",
                       k->name, item_what(L, &k->items[0]), lua_typename(L, vt)));
        lua_rawgeti(L, idx, 2);
        r = tlv_values(L, l, f, k, lua_gettop(L), 1, o, in, s);
        if (r == 0)
            lua_pop(L, 1);
        return r;
    }
    return tlv_values(L, l, f, k, idx, 2, o, in, s);
}

static int tlv_value(lua_State *L, struct pk_layer *l, int f, int idx, struct pk_scratch *s)
{
    const struct pk_tlvfam *fam = l->proto->fields[f].fam;
    struct pk_tlvfam open = *fam;   /* without the limit: to say by how much */
    struct tlv_in *in;
    uint8_t *out;               /* after the values the scratch holds */
    size_t cap;
    int n, w, top = lua_gettop(L);
    if (lua_type(L, idx) != LUA_TTABLE)
        return bad(L, l, f, "expected a list of options, got %s", luaL_typename(L, idx));
    n = (int)lua_rawlen(L, idx);
    if (n > TLV_MAXOPTS)
        return bad(L, l, f, "%s", lua_pushfstring(L, "%d options are too many (at most %d)",
                   n, TLV_MAXOPTS));
    in = lua_newuserdatauv(L, sizeof *in, 0);   /* too large for the C stack */
    in->nv = 0;
    open.max_bytes = 0;
    for (int i = 0; i < n; i++) {
        lua_rawgeti(L, idx, i + 1);
        if (tlv_option(L, l, f, lua_gettop(L), &in->o[i], in, s) < 0)
            return -1;
        lua_pop(L, 1);
    }
    out = s->buf + s->used;
    cap = sizeof s->buf - s->used;
    w = pk_tlv_encode(&open, in->o, n, out, cap);
    if (w >= 0 && fam->fill == PK_TLV_FILL_PAD8)    /* Scapy's autopad */
        w = pk_tlv_fill(&open, out, (size_t)w, cap);
    for (int i = 0; w < 0 && i < n; i++)            /* which option, to say so */
        if (pk_tlv_encode(&open, &in->o[i], 1, out, cap) < 0) {
            const struct pk_tlvkind *k = pk_tlv_kind(fam, in->o[i].kind);
            if (k && k->maxlen)
                return bad(L, l, f, "%s", lua_pushfstring(L, "option %s's value does not fit "
                           "(it holds %d to %d bytes)", k->name, (int)k->minlen, (int)k->maxlen));
            return bad(L, l, f, "%s", k ? lua_pushfstring(L, "option %s's value does not fit "
                       "the option", k->name) : "an option's value does not fit");
        }
    if (w < 0)
        return bad(L, l, f, "%s", lua_pushfstring(L, "these %s do not fit in a packet",
                   fam->name));
    if (fam->max_bytes && w > fam->max_bytes)
        return bad(L, l, f, "%s", lua_pushfstring(L, "%d bytes of options do not fit (at most %d)",
                   w, (int)fam->max_bytes));
    pk_layer_setp(l, f, out, (uint32_t)w);
    s->used += (size_t)w;
    lua_settop(L, top);
    return 0;
}

/* ---- character-strings (PK_STRS) -----------------------------------
 * A list of strings, or one string; a string of more than 255 bytes
 * goes out as several of 255 and the rest, as Scapy sends it. */
static int strs_add(struct pk_scratch *s, const char *str, size_t len)
{
    do {
        size_t k = len > 255 ? 255 : len;
        uint8_t *out = scratch_get(s, k + 1);
        if (!out)
            return -1;
        out[0] = (uint8_t)k;
        memcpy(out + 1, str, k);
        str += k;
        len -= k;
    } while (len > 0);
    return 0;
}

static int strs_value(lua_State *L, struct pk_layer *l, int f, int idx, struct pk_scratch *s)
{
    size_t start = s->used, len;
    int n = lua_type(L, idx) == LUA_TTABLE ? (int)lua_rawlen(L, idx) : 1;
    if (lua_type(L, idx) != LUA_TTABLE && lua_type(L, idx) != LUA_TSTRING)
        return bad(L, l, f, "expected a string or a list of strings, got %s",
                   luaL_typename(L, idx));
    for (int i = 1; i <= n; i++) {
        const char *str;
        if (lua_type(L, idx) == LUA_TTABLE)
            lua_rawgeti(L, idx, i);
        else
            lua_pushvalue(L, idx);
        if (lua_type(L, -1) != LUA_TSTRING)
            return bad(L, l, f, "%s", lua_pushfstring(L, "item %d is a %s, not a string", i,
                       luaL_typename(L, -1)));
        str = lua_tolstring(L, -1, &len);
        if ((len > 0 || lua_type(L, idx) == LUA_TTABLE) && strs_add(s, str, len) < 0)
            return bad(L, l, f, "%s", "strings too long to encode (at most 8 kB)");
        lua_pop(L, 1);
    }
    pk_layer_setp(l, f, s->buf + start, (uint32_t)(s->used - start));
    return 0;
}

/* A list of IPv6 addresses (PK_IPV6S). */
static int ipv6s_value(lua_State *L, struct pk_layer *l, int f, int idx, struct pk_scratch *s)
{
    size_t start = s->used;
    int n;
    if (lua_type(L, idx) != LUA_TTABLE)
        return bad(L, l, f, "expected a list of IPv6 addresses, got %s", luaL_typename(L, idx));
    n = (int)lua_rawlen(L, idx);
    for (int i = 1; i <= n; i++) {
        uint8_t *a = scratch_get(s, 16);
        lua_rawgeti(L, idx, i);
        if (!a)
            return bad(L, l, f, "%s", "too many addresses");
        if (lua_type(L, -1) != LUA_TSTRING || pk_ipv6_parse(lua_tostring(L, -1), a) < 0)
            return bad(L, l, f, "%s", lua_pushfstring(L, "item %d, %s, is not an IPv6 address", i,
                       luaL_tolstring(L, -1, NULL)));
        lua_pop(L, 1);
    }
    pk_layer_setp(l, f, s->buf + start, (uint32_t)(s->used - start));
    return 0;
}

/* A wide integer (PK_WIDE) of w bytes from a Lua integer (0 or more)
 * or a string "0x" and up to 2w hex digits, into out (w bytes,
 * big-endian).  Returns 0, or -1 with a message pushed. */
int pk_lua_towide(lua_State *L, int idx, size_t w, uint8_t *out)
{
    const char *s;
    size_t len, digits;
    memset(out, 0, w);
    if (lua_isinteger(L, idx) && lua_tointeger(L, idx) >= 0) {
        lua_Unsigned u = (lua_Unsigned)lua_tointeger(L, idx);
        for (size_t i = 0; i < w && i < sizeof u; i++)
            out[w - 1 - i] = (uint8_t)(u >> (8 * i));
        return 0;
    }
    if (lua_type(L, idx) != LUA_TSTRING) {
        lua_pushfstring(L, "expected an integer (0 or more) or a hex string \"0x...\", got %s",
                        lua_isinteger(L, idx) ? "a negative integer" : luaL_typename(L, idx));
        return -1;
    }
    s = lua_tolstring(L, idx, &len);
    digits = len > 2 ? len - 2 : 0;
    if (len < 3 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X') ||
        strspn(s + 2, "0123456789abcdefABCDEF") != digits) {
        lua_pushfstring(L, "'%s' is not a hex number (write \"0x\" and hex digits)", s);
        return -1;
    }
    while (digits > 2 * w && s[len - digits] == '0')   /* leading zeros fit */
        digits--;
    if (digits > 2 * w) {
        lua_pushfstring(L, "'%s' does not fit in %d bits", s, (int)(8 * w));
        return -1;
    }
    for (size_t i = 0; i < digits; i++) {     /* from the last digit */
        char c = s[len - 1 - i];
        unsigned d = c <= '9' ? (unsigned)(c - '0') : (unsigned)((c | 0x20) - 'a' + 10);
        out[w - 1 - i / 2] |= (uint8_t)(d << (4 * (i % 2)));
    }
    return 0;
}

/* A random value (pktlua's RandIP(), RandShort(), ...: a table whose
 * metatable is named "pkt.Volatile", with integers base and rnd) for an
 * integer or address field: recorded in s; the field reads as its base
 * (the network of RandIP("203.0.113.0/24")) between builds. */
static int random_value(lua_State *L, struct pk_layer *l, int f, int idx, struct pk_scratch *s)
{
    int t = luaL_getmetafield(L, idx, "__name");
    int ok = t == LUA_TSTRING && strcmp(lua_tostring(L, -1), "pkt.Volatile") == 0;
    if (t != LUA_TNIL)
        lua_pop(L, 1);
    if (!ok)
        return bad(L, l, f, "expected %s, got table", l->proto->fields[f].type == PK_IPV4
                   ? "an IPv4 address string" : l->proto->fields[f].type == PK_MAC
                   ? "a MAC address string" : "an integer");
    lua_getfield(L, idx, "base");
    lua_getfield(L, idx, "rnd");
    s->vbase[f] = (uint64_t)lua_tointeger(L, -2);
    s->vrnd[f] = (uint64_t)lua_tointeger(L, -1);
    lua_pop(L, 2);
    s->vol |= 1u << f;
    pk_layer_setu(l, f, s->vbase[f]);   /* set, as Scapy's: its base until drawn */
    return 0;
}

/* Converts the Lua value at idx into field f of l.  Returns 0, or -1
 * with an error message pushed. */
int pk_lua_tofield(lua_State *L, struct pk_layer *l, int f, int idx,
                   struct pk_scratch *s)
{
    const struct pk_field *fd = &l->proto->fields[f];
    const char *str;
    size_t len;

    idx = lua_absindex(L, idx);
    if (lua_type(L, idx) == LUA_TTABLE && fd->type <= PK_IPV4 && fd->bits)
        return random_value(L, l, f, idx, s);
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
        if (len > PK_MAXFRAME)      /* a captured frame's may be this large */
            return bad(L, l, f, "%s bytes do not fit in a packet (at most 262144)",
                       lua_pushfstring(L, "%d", (int)len));
        pk_layer_setp(l, f, (const uint8_t *)str, (uint32_t)len);
        return 0;
    case PK_RECORDS:
        return records_value(L, l, f, idx, s);
    case PK_FIXED:
        if (lua_type(L, idx) != LUA_TSTRING)
            return bad(L, l, f, "expected a string of bytes, got %s", luaL_typename(L, idx));
        str = lua_tolstring(L, idx, &len);
        if (len > fd->bits / 8u)
            return bad(L, l, f, "%s", lua_pushfstring(L, "%d bytes do not fit in %d "
                       "(shorter values are filled with zeros)", (int)len, (int)(fd->bits / 8)));
        pk_layer_setp(l, f, (const uint8_t *)str, (uint32_t)len);
        return 0;
    case PK_DNAME: {
        uint8_t *out = scratch_get(s, PK_DNAME_MAX);
        int n;
        if (lua_type(L, idx) != LUA_TSTRING)
            return bad(L, l, f, "expected a domain name string like \"www.example.com.\", got %s",
                       luaL_typename(L, idx));
        if (!out)
            return bad(L, l, f, "%s", "packet too large");
        str = lua_tolstring(L, idx, &len);
        n = len == 0 ? (out[0] = 0, 1) : pk_dname_parse(str, out);
        if (n < 0)
            return bad(L, l, f, "%s", lua_pushfstring(L, "'%s' is not a domain name: %s", str,
                       n == PK_ETOOLONG ? "a label is over 63 bytes or the name over 255"
                                        : "write labels joined by dots, \\. for a dot inside one"));
        s->used -= PK_DNAME_MAX - (size_t)n;
        pk_layer_setp(l, f, out, (uint32_t)n);
        return 0;
    }
    case PK_WIDE: {
        uint8_t *out = scratch_get(s, fd->bits / 8u);
        if (!out)
            return bad(L, l, f, "%s", "packet too large");
        if (pk_lua_towide(L, idx, fd->bits / 8u, out) < 0)
            return bad(L, l, f, "%s", lua_tostring(L, -1));
        pk_layer_setp(l, f, out, fd->bits / 8u);
        return 0;
    }
    case PK_TLV:
        return tlv_value(L, l, f, idx, s);
    case PK_STRS:
        return strs_value(L, l, f, idx, s);
    case PK_IPV6S:
        return ipv6s_value(L, l, f, idx, s);
    }
    return bad(L, l, f, "%s", "unsupported field type");
}

/* ---- field value -> Lua value -------------------------------------- */

/* A list of records reads a field of its first record by name, as
 * Scapy 2.5 scripts write pkt[DNS].qd.qname; lists index from 1. */
#define RECORDS_MT "pkt.records"

static int records_index(lua_State *L)
{
    if (lua_type(L, 2) != LUA_TSTRING || lua_rawgeti(L, 1, 1) != LUA_TTABLE)
        return 0;
    lua_pushvalue(L, 2);
    lua_gettable(L, -2);
    return 1;
}

/* A record's metatable says its class (a variant, such as DNS's MX
 * record, has fields its list's class has not) and which fields it has
 * (DNS's rdata is an address or a name by type): {__name, class = id,
 * present = bits}; one per class and set of fields. */
static void push_record_mt(lua_State *L, const struct pk_layer *r)
{
    lua_Integer key = (lua_Integer)pk_proto_id(r->proto) << 32 | r->present;
    luaL_getsubtable(L, LUA_REGISTRYINDEX, "pkt.recordmt");
    if (lua_rawgeti(L, -1, key) == LUA_TTABLE) {
        lua_remove(L, -2);
        return;
    }
    lua_pop(L, 1);
    lua_createtable(L, 0, 3);
    lua_pushstring(L, r->proto->name);
    lua_setfield(L, -2, "__name");
    lua_pushinteger(L, pk_proto_id(r->proto));
    lua_setfield(L, -2, "class");
    lua_pushinteger(L, r->present);
    lua_setfield(L, -2, "present");
    lua_pushvalue(L, -1);
    lua_rawseti(L, -3, key);
    lua_remove(L, -2);
}

/* The records of field fd as a list of tables, one per whole record;
 * the bytes after the last whole one are left out. */
static void push_records(lua_State *L, const struct pk_field *fd, const struct pk_val *v)
{
    struct pk_layer r;
    struct pk_msg msg = pk_val_msg(v);
    const uint8_t *p = v->p;
    size_t k, len = v->len;
    int n = 0;
    char buf[128];
    lua_newtable(L);
    luaL_setmetatable(L, RECORDS_MT);
    while (len > 0 && (k = pk_record_read(fd->rec, p, len, &msg, &r)) > 0) {
        const struct pk_proto *rp = r.proto;   /* rec, or a variant of it */
        lua_createtable(L, 0, rp->nfields);
        for (int i = 0; i < rp->nfields; i++) {
            if (!(r.present >> i & 1))
                continue;
            if (rp->fields[i].type == PK_FLAGS) {
                if (pk_flags_format(&rp->fields[i], r.v[i].u, buf, sizeof buf) < 0)
                    buf[0] = '\0';
                lua_pushstring(L, buf);
            } else {
                pk_lua_pushfield(L, &r, i);
            }
            lua_setfield(L, -2, rp->fields[i].name);
        }
        push_record_mt(L, &r);
        lua_setmetatable(L, -2);
        lua_rawseti(L, -2, ++n);
        p += k;
        len -= k;
    }
}

/* Character-strings as a list; a last one cut short keeps what is
 * there. */
static void push_strs(lua_State *L, const uint8_t *p, size_t len)
{
    int n = 0;
    lua_newtable(L);
    while (len > 0) {
        size_t k = p[0] < len - 1 ? p[0] : len - 1;
        lua_pushlstring(L, (const char *)p + 1, k);
        lua_rawseti(L, -2, ++n);
        p += k + 1;
        len -= k + 1;
    }
}

/* A name as text with the trailing dot; one that does not decode (a
 * pointer out of the message, a loop) as its bytes. */
static void push_dname(lua_State *L, const struct pk_val *v)
{
    struct pk_msg msg = pk_val_msg(v);
    uint8_t name[PK_DNAME_MAX];
    char text[PK_DNAME_TEXTMAX];
    size_t used;
    int n = v->p ? pk_dname_decode(msg.p, msg.len, (size_t)(v->p - msg.p), name, &used) : -1;
    if (n >= 0 && pk_dname_format(name, (size_t)n, text, sizeof text) >= 0)
        lua_pushstring(L, text);
    else if (!v->p)
        lua_pushliteral(L, ".");
    else
        lua_pushlstring(L, (const char *)v->p, v->len);
}

static void push_tlv_item(lua_State *L, const struct pk_tlvitem *it, const struct pk_val *v)
{
    char buf[64];
    switch (it->type) {
    case PK_TLVT_UINT:
        lua_pushinteger(L, (lua_Integer)v->u);
        break;
    case PK_TLVT_IPV4:
        pk_ipv4_format((uint32_t)v->u, buf);
        lua_pushstring(L, buf);
        break;
    case PK_TLVT_MAC:
        pk_mac_format(v->u, buf);
        lua_pushstring(L, buf);
        break;
    case PK_TLVT_IPV6:
        pk_ipv6_format(v->p, buf);
        lua_pushstring(L, buf);
        break;
    default:
        lua_pushlstring(L, (const char *)v->p, v->len);
        break;
    }
}

/* Option list bytes as Lua: the form tlv_option reads. */
static void push_tlv(lua_State *L, const struct pk_tlvfam *fam, const uint8_t *p, size_t len)
{
    struct pk_tlv o[TLV_MAXOPTS];   /* 4 kB: no allocation for a read */
    int n = pk_tlv_decode(fam, p, len, o, TLV_MAXOPTS);
    lua_createtable(L, n, 0);
    for (int i = 0; i < n; i++) {
        const struct pk_tlvkind *k = pk_tlv_kind(fam, o[i].kind);
        int at = 1, inlist = 0;
        if (k && (k->flags & PK_TLVK_SINGLE) && o[i].status != PK_TLV_MALFORMED) {
            if (fam->flags & PK_TLVF_TUPLES)
                lua_createtable(L, 1, 0);
            lua_pushstring(L, k->name);
            if (fam->flags & PK_TLVF_TUPLES)
                lua_rawseti(L, -2, 1);
            lua_rawseti(L, -2, i + 1);
            continue;
        }
        lua_createtable(L, 2, 0);
        if (k && o[i].status != PK_TLV_MALFORMED)
            lua_pushstring(L, k->name);
        else
            lua_pushinteger(L, o[i].kind);
        lua_rawseti(L, -2, at++);
        if (o[i].status != PK_TLV_OK) {
            lua_pushlstring(L, (const char *)o[i].data, o[i].len);
            lua_rawseti(L, -2, at);
            if (o[i].status == PK_TLV_MALFORMED)
                lua_pushboolean(L, 1), lua_setfield(L, -2, "malformed");
        } else if (k->nitems == 0) {
            lua_pushliteral(L, "");     /* a kind without a value (SAckOK) */
            lua_rawseti(L, -2, at);
        }
        for (unsigned j = 0; o[i].status == PK_TLV_OK && j < o[i].nvals; j++) {
            const struct pk_tlvitem *it = pk_tlv_item(k, j);
            struct pk_val v;
            if (pk_tlv_value(fam, &o[i], j, &v) < 0)
                break;
            if ((it->repeat == 2 || (k->flags & PK_TLVK_LIST)) && !inlist) {
                /* the rest as one list */
                lua_createtable(L, (int)(o[i].nvals - j), 0);
                inlist = 1;
            }
            push_tlv_item(L, it, &v);
            if (inlist)
                lua_rawseti(L, -2, (lua_Integer)(lua_rawlen(L, -2) + 1));
            else
                lua_rawseti(L, -2, at++);
        }
        if (inlist)
            lua_rawseti(L, -2, at);
        lua_rawseti(L, -2, i + 1);
    }
    if (n == TLV_MAXOPTS)
        lua_pushboolean(L, 1), lua_setfield(L, -2, "truncated");
}

void pk_lua_pushfield(lua_State *L, const struct pk_layer *l, int f)
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
    case PK_IPV6:               /* unset with no default: all zeros */
        if (v->p && v->len == 16)
            pk_ipv6_format(v->p, buf);
        else
            strcpy(buf, "::");
        lua_pushstring(L, buf);
        break;
    case PK_BYTES:
        lua_pushlstring(L, (const char *)v->p, v->len);
        break;
    case PK_RECORDS:
        push_records(L, fd, v);
        break;
    case PK_FIXED:
        lua_pushlstring(L, (const char *)v->p, v->len);
        break;
    case PK_DNAME:
        push_dname(L, v);
        break;
    case PK_TLV:
        push_tlv(L, fd->fam, v->p, v->len);
        break;
    case PK_WIDE: {             /* "0x" and two digits a byte */
        char hex[2 + 256 + 1];
        pk_field_format(l, f, hex, sizeof hex);
        lua_pushstring(L, hex);
        break;
    }
    case PK_STRS:
        push_strs(L, v->p, v->len);
        break;
    case PK_IPV6S:
        lua_createtable(L, (int)(v->len / 16), 0);
        for (uint32_t k = 0; k + 16 <= v->len; k += 16) {
            pk_ipv6_format(v->p + k, buf);
            lua_pushstring(L, buf);
            lua_rawseti(L, -2, k / 16 + 1);
        }
        break;
    default:
        lua_pushinteger(L, (lua_Integer)v->u);
        break;
    }
}

/* ---- layers between Lua and C -------------------------------------- */

/* Whether a protocol's fields must be read in descriptor order: those
 * a field depends on first (ICMP's type before its code names and the
 * fields it selects). */
static int ordered(const struct pk_proto *p)
{
    /* asked at every constructor call: the answer is kept per registered
     * protocol (descriptors do not change once registered), 0 unknown */
    static unsigned char known[256];
    int id = p->id > 0 && p->id < 256 && pk_proto_byid(p->id) == p ? p->id : 0;
    int yes = 0;
    if (known[id])
        return known[id] - 1;
    for (int f = 0; f < p->nfields; f++)
        if (p->fields[f].present || p->fields[f].depnames)
            yes = 1;
    if (id)
        known[id] = (unsigned char)(yes + 1);
    return yes;
}

/* The key at idx when it is no field of p: pushed, and PK_LUA_NOFIELD
 * returned, for the caller's message (which suggests a spelling). */
static int check_key(lua_State *L, const struct pk_proto *p, int idx, int *f)
{
    *f = lua_type(L, idx) == LUA_TSTRING ? pk_field_find(p, lua_tostring(L, idx)) : -1;
    if (*f >= 0)
        return 0;
    lua_pushvalue(L, idx);
    return PK_LUA_NOFIELD;
}

/* Fills l from the Lua table at idx (field name -> value).  Returns 0;
 * PK_LUA_NOFIELD with the key pushed; or -1 with a message pushed. */
int pk_lua_filllayer(lua_State *L, struct pk_layer *l, int idx, struct pk_scratch *s)
{
    const struct pk_proto *p = l->proto;
    int f, in_order = ordered(p);
    idx = lua_absindex(L, idx);
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        if (check_key(L, p, -2, &f) < 0)
            return PK_LUA_NOFIELD;
        if (!in_order && pk_lua_tofield(L, l, f, -1, s) < 0)
            return -1;
        lua_pop(L, 1);
    }
    if (!in_order)
        return 0;
    for (f = 0; f < p->nfields; f++) {
        if (!pk_field_present(l, f))
            continue;
        if (lua_getfield(L, idx, p->fields[f].name) != LUA_TNIL &&
            pk_lua_tofield(L, l, f, -1, s) < 0)
            return -1;
        lua_pop(L, 1);
    }
    return 0;
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
    { "proto", pk_lua_proto },
    { "register", pk_lua_register },
    { "cksum", l_cksum },
    { "packets", pk_lua_packets },
    { NULL, NULL },
};

PKMOD_API int luaopen_pkt_core(lua_State *L)
{
    luaL_newlib(L, funcs);
    if (luaL_newmetatable(L, RECORDS_MT)) {
        lua_pushcfunction(L, records_index);
        lua_setfield(L, -2, "__index");
    }
    lua_pop(L, 1);
    pk_open_net(L);
    pk_open_proc(L);
    lua_pushstring(L, PK_VERSION);
    lua_setfield(L, -2, "version");
    return 1;
}
