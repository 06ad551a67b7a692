/*
 * lpkt.h - what the two halves of the binding (lpkt.c, lnet.c) share:
 * protocols are named to Lua by their index in pk_protos, from 1.
 */
#ifndef LPKT_H
#define LPKT_H

#include <lua.h>

#include "../src/pk.h"

const struct pk_proto *pk_lua_checkproto(lua_State *L, int arg);
int pk_lua_protoid(const struct pk_proto *p);
void pk_open_net(lua_State *L);
int pk_lua_protos(lua_State *L);   /* protos() -> descriptors */

#endif
