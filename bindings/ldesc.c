/*
 * ldesc.c - the protocol descriptors as Lua data (fields, types, widths,
 * defaults, names, roles, binds, summaries), for the generic printing,
 * ls(), checks, completion, recomputing and sending on the Lua side.
 */
#include <lua.h>
#include <lauxlib.h>

#include "lpkt.h"
#include "../src/codec.h"

static const char *const type_names[] = {
    "int", "flags", "mac", "ipv4", "ipv6", "bytes", "records", "fixed", "dname",
    "tlv", "strings", "ipv6s", "wide"
};

static const char *const role_names[] = {
    NULL, "len", "chksum", "next", "src", "dst"
};

/* What a length or checksum covers: "header", "payload" or
 * "header+payload". */
static const char *cover_name(int cover)
{
    int c = cover & (PK_COVER_HDR | PK_COVER_PAYLOAD);
    return c == PK_COVER_HDR ? "header" : c == PK_COVER_PAYLOAD ? "payload"
         : "header+payload";
}

/* fd.role and what goes with it: covers, unit and pseudo_header for a
 * length or checksum, class for a next-protocol field. */
static void push_role(lua_State *L, const struct pk_proto *p, const struct pk_field *fd)
{
    if (fd->role == PK_ROLE_NONE || fd->role > PK_ROLE_DST)
        return;
    lua_pushstring(L, role_names[fd->role]);
    lua_setfield(L, -2, "role");
    if (fd->role == PK_ROLE_LEN || fd->role == PK_ROLE_CHKSUM) {
        lua_pushstring(L, (fd->cover & PK_COVER_FIELD) ? "field"
                          : (fd->cover & PK_COVER_AFTER) ? "rest of header" : cover_name(fd->cover));
        lua_setfield(L, -2, "covers");
    }
    if (fd->role == PK_ROLE_LEN) {
        lua_pushinteger(L, fd->unit ? fd->unit : 1);
        lua_setfield(L, -2, "unit");
        lua_pushinteger(L, fd->adj);
        lua_setfield(L, -2, "adj");
        if (fd->cover & PK_COVER_FIELD) {
            lua_pushstring(L, p->fields[fd->of - 1].name);
            lua_setfield(L, -2, "measures");
        }
    }
    if (fd->role == PK_ROLE_CHKSUM) {
        lua_pushboolean(L, fd->cover & PK_COVER_PSEUDO);
        lua_setfield(L, -2, "pseudo_header");
    }
    if (fd->role == PK_ROLE_NEXT) {
        lua_pushstring(L, fd->cls);
        lua_setfield(L, -2, "class");
        lua_pushboolean(L, fd->flags & PK_FF_ALT);
        lua_setfield(L, -2, "alt");
    }
}

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
    push_role(L, p, fd);
    switch (fd->type) {       /* the default, in canonical form */
    case PK_MAC: pk_mac_format(fd->def, buf); lua_pushstring(L, buf); break;
    case PK_IPV4: pk_ipv4_format((uint32_t)fd->def, buf); lua_pushstring(L, buf); break;
    case PK_IPV6: lua_pushstring(L, "::"); break;
    case PK_RECORDS: lua_newtable(L); break;
    case PK_INT: case PK_FLAGS: lua_pushinteger(L, (lua_Integer)fd->def); break;
    default: {                  /* bytes-like: as a value of the field reads */
        struct pk_layer l;
        l.proto = p;
        l.v[f].u = 0;
        l.v[f].p = fd->defp;
        l.v[f].len = fd->deflen;
        pk_lua_pushfield(L, &l, f);
        break;
    }
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
    if (fd->rec) {
        lua_pushstring(L, fd->rec->name);
        lua_setfield(L, -2, "of");
    }
    if (fd->fam) {
        lua_newtable(L);
        for (const struct pk_tlvkind *k = fd->fam->kinds; k->name; k++) {
            lua_pushstring(L, k->name);
            lua_rawseti(L, -2, k->kind);
        }
        lua_setfield(L, -2, "optnames");
        /* what a kind's value holds: {type = "ipv4", names = {...}} of
         * its first item, for printing */
        lua_newtable(L);
        for (const struct pk_tlvkind *k = fd->fam->kinds; k->name; k++)
            if (k->nitems) {
                static const char *const tlvt[] = { "uint", "ipv4", "ipv6", "mac",
                                                    "bytes", "string" };
                lua_createtable(L, 0, 2);
                lua_pushstring(L, tlvt[k->items[0].type]);
                lua_setfield(L, -2, "type");
                if (k->items[0].names) {
                    push_names_table(L, k->items[0].names);
                    lua_setfield(L, -2, "names");
                }
                lua_rawseti(L, -2, k->kind);
            }
        lua_setfield(L, -2, "optvalues");
        lua_pushstring(L, fd->fam->name);
        lua_setfield(L, -2, "family");
        lua_pushboolean(L, fd->fam->flags & PK_TLVF_TUPLES);
        lua_setfield(L, -2, "tuples");
    }
    if (fd->count) {
        lua_pushstring(L, p->fields[fd->count - 1].name);
        lua_setfield(L, -2, "count");
    }
    if (fd->flags & PK_FF_COUNT) {
        lua_pushboolean(L, 1);
        lua_setfield(L, -2, "counts");
    }
}

/* The binds as the lower layer p sees them: {field, value, upper}, one
 * per key that selects a protocol above it, in the order dissection
 * tries them (field nil: what it carries whatever its fields say). */
static void push_binds(lua_State *L, const struct pk_proto *p)
{
    int k = 0;
    lua_newtable(L);
    for (int s = 0; s < p->nsel; s++) {
        const struct pk_sel *sl = &p->sel[s];
        for (int i = 0; i < pk_bindclass_count(sl->cls); i++) {
            uint64_t v;
            const struct pk_proto *u = pk_bind_carried(p, sl->cls, i, &v);
            if (!u)
                continue;
            lua_createtable(L, 0, 3);
            if (sl->field >= 0) {
                lua_pushstring(L, p->fields[sl->field].name);
                lua_setfield(L, -2, "field");
            }
            lua_pushinteger(L, (lua_Integer)v);
            lua_setfield(L, -2, "value");
            lua_pushstring(L, u->name);
            lua_setfield(L, -2, "upper");
            lua_rawseti(L, -2, ++k);
        }
    }
}

/* p's own binds, as declared: {class, value, quote} */
static void push_carried(lua_State *L, const struct pk_proto *p)
{
    lua_createtable(L, p->nbinds, 0);
    for (int k = 0; k < p->nbinds; k++) {
        lua_createtable(L, 0, 3);
        lua_pushstring(L, p->binds[k].cls);
        lua_setfield(L, -2, "class");
        lua_pushinteger(L, (lua_Integer)p->binds[k].value);
        lua_setfield(L, -2, "value");
        lua_pushboolean(L, p->binds[k].quote);
        lua_setfield(L, -2, "quote");
        lua_rawseti(L, -2, k + 1);
    }
}

/* The descriptor of protocol i: {id, name, longname, quoted, quote_of,
 * quotable, fields, summary, binds, carried} */
static void push_desc(lua_State *L, int i)
{
    const struct pk_proto *p = pk_proto_byid(i);
    lua_createtable(L, 0, 10);
    lua_pushinteger(L, i);
    lua_setfield(L, -2, "id");
    lua_pushstring(L, p->name);
    lua_setfield(L, -2, "name");
    lua_pushstring(L, p->longname);
    lua_setfield(L, -2, "longname");
    lua_pushboolean(L, p->quoted != NULL);
    lua_setfield(L, -2, "quoted");
    if (p->quoted) {
        lua_pushstring(L, p->quoted->name);
        lua_setfield(L, -2, "quote_of");
    }
    lua_pushboolean(L, p->as_quote != NULL);
    lua_setfield(L, -2, "quotable");
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
    push_binds(L, p);
    lua_setfield(L, -2, "binds");
    push_carried(L, p);
    lua_setfield(L, -2, "carried");
}

/* protos() -> array of descriptors, by id */
int pk_lua_protos(lua_State *L)
{
    int n = pk_proto_count();
    lua_createtable(L, n, 0);
    for (int i = 1; i <= n; i++) {
        push_desc(L, i);
        lua_rawseti(L, -2, i);
    }
    return 1;
}

/* proto(id) -> the descriptor of one protocol */
int pk_lua_proto(lua_State *L)
{
    push_desc(L, pk_proto_id(pk_lua_checkproto(L, 1)));
    return 1;
}
