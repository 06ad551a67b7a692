/*
 * host.h - what the pktlua host's two files share: pktlua.c (lua.c's
 * command-line driver) and repl.c (the interactive loop it enters).
 */
#ifndef PK_HOST_H
#define PK_HOST_H

#include <lua.h>

#ifndef PKTLUA_VERSION
#define PKTLUA_VERSION "0.1.0"
#endif

#define LUA_VER "Lua " LUA_VERSION_MAJOR "." LUA_VERSION_MINOR

/* pktlua.c: messages, protected calls and signals, as in lua.c. */
void pk_host_setsignal(int sig, void (*handler)(int));
void pk_host_message(const char *pname, const char *msg);
int pk_host_report(lua_State *L, int status);
int pk_host_docall(lua_State *L, int narg, int nres);

/* pktlua.c: what a person sees, by the Lua module pkt.repl. */
extern int pk_host_brief;
void pk_host_syntax_hint(lua_State *L, int status, const char *text);
void pk_host_set_chunk(lua_State *L, const char *text);
void pk_host_display(lua_State *L, int n);
int pk_host_interrupted(void);
int pk_host_traceback(lua_State *L);

/* repl.c: read-eval-print until end of input. */
void pk_repl(lua_State *L);

#endif
