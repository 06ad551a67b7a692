/*
 * lpkt.h - what the parts of the binding share: protocols are named to
 * Lua by their index in pk_protos, from 1; field values convert between
 * Lua and the core's layers here (lpkt.c) for the packet object
 * (lpacket.c) and the network half (lnet.c).
 */
#ifndef LPKT_H
#define LPKT_H

#include <lua.h>

#include "../src/pk.h"

/* Room for what a conversion encodes (option lists, IPv6 addresses);
 * the caller copies what it keeps. */
struct pk_scratch {
    uint8_t buf[8192];
    size_t used;
    /* fields given a random value (Scapy's RandIP(), RandShort()): drawn
     * at each build as base | (random & rnd); left unset meanwhile */
    uint32_t vol;
    uint64_t vbase[PK_MAXFIELDS], vrnd[PK_MAXFIELDS];
};

#define PK_LUA_NOFIELD (-2)

const struct pk_proto *pk_lua_checkproto(lua_State *L, int arg);
int pk_lua_protoid(const struct pk_proto *p);
int pk_lua_towide(lua_State *L, int idx, size_t w, uint8_t *out);
int pk_lua_tofield(lua_State *L, struct pk_layer *l, int f, int idx, struct pk_scratch *s);
void pk_lua_pushfield(lua_State *L, const struct pk_layer *l, int f);
int pk_lua_filllayer(lua_State *L, struct pk_layer *l, int idx, struct pk_scratch *s);
void pk_open_net(lua_State *L);
void pk_open_proc(lua_State *L);
int pk_lua_protos(lua_State *L);   /* protos() -> descriptors */
int pk_lua_proto(lua_State *L);    /* proto(id) -> one descriptor */
int pk_lua_register(lua_State *L); /* register(decl) -> id | nil, why */
int pk_lua_packets(lua_State *L);  /* packets(...) -> the packet object */
/* lfuzz.c: random values for the unset fields in mask of l, under above */
/* A random-value rule per field: base | (random & rnd), for the fields in `ruled`. */
struct pk_draws {
    uint32_t ruled;
    uint64_t base[PK_MAXFIELDS], rnd[PK_MAXFIELDS];
};
void pk_lua_fuzz(lua_State *L, struct pk_layer *l, uint32_t mask, const struct pk_proto *above,
                 const struct pk_draws *d);

#endif
