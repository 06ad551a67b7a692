/*
 * pktlua.c - the pktlua host: a lua(1)-compatible interpreter that loads the
 * pkt toolkit into the global table. Its shape follows Lua 5.4's lua.c; the
 * interactive loop lives in repl.c.
 */
#define _POSIX_C_SOURCE 200809L

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>

#include "host.h"
#include "../pknet.h"

/* Provided by bindings/preload.c: puts pkt.core and the embedded Lua
 * modules into package.preload. */
int pk_preload(lua_State *L);

static const char *progname = "pktlua";
static lua_State *globalL = NULL;       /* the state the SIGINT hook targets */

/* Option bits collected by collectargs. */
enum { HAS_ERROR = 1, HAS_I = 2, HAS_V = 4, HAS_E = 8, HAS_UPPER_E = 16, HAS_HELP = 32 };

/* Set by the REPL: errors print as one line, the traceback on request. */
int pk_host_brief = 0;

/* Set by a Ctrl-C while Lua runs, so the REPL starts a fresh line. */
static volatile sig_atomic_t got_interrupt = 0;

#define TRACEBACK_KEY "pktlua.traceback"
#define CHUNK_KEY "pktlua.chunk"


/* ---- signals ---------------------------------------------------------- */

/* Without SA_RESTART, so that a blocking read or select returns EINTR and
 * the code waiting in it gets to see the interrupt. */
void pk_host_setsignal(int sig, void (*handler)(int))
{
    struct sigaction sa;
    sa.sa_handler = handler;
    sa.sa_flags = 0;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

/* Hook set by the signal handler; it runs at the next safe point of the
 * interpreter, where raising an error is allowed. */
static void laction(int sig);

/* The hook the handler arms.  Re-arming the handler here means that a
 * script which catches the interrupt (sniff returns what it caught) still
 * stops at the next Ctrl-C; while Lua is stuck in C, a second one kills. */
static void lstop(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    lua_sethook(L, NULL, 0, 0);
    pk_host_setsignal(SIGINT, laction);
    luaL_error(L, "interrupted!");
}

/* SIGINT while Lua runs: a signal handler may not touch the state beyond
 * lua_sethook, so arm a hook. A second Ctrl-C before the hook fires gets
 * the default action, as in lua.c, so a stuck C call can still be killed. */
/* The hook cannot fire while C waits inside libpcap, so the captures'
 * waits are broken too; the capture loop then returns to Lua. */
static void laction(int sig)
{
    int flag = LUA_MASKCALL | LUA_MASKRET | LUA_MASKCOUNT;
    got_interrupt = 1;
    pk_host_setsignal(sig, SIG_DFL);
    lua_sethook(globalL, lstop, flag, 1);
    pk_capture_interrupt();
}


/* ---- messages and protected calls ------------------------------------ */

static void print_options(FILE *f)
{
    fprintf(f,
        "usage: %s [options] [script [args]]\n"
        "Available options are:\n"
        "  -e stat   execute string 'stat'\n"
        "  -i        enter interactive mode after executing 'script'\n"
        "  -l mod    require library 'mod' into global 'mod'\n"
        "  -l g=mod  require library 'mod' into global 'g'\n"
        "  -v        show version information\n"
        "  -E        ignore environment variables\n"
        "  -W        turn warnings on\n"
        "  -h, --help  show this help\n"
        "  --        stop handling options\n"
        "  -         stop handling options and execute stdin\n",
        progname);
}

static void print_usage(const char *badoption)
{
    fprintf(stderr, "%s: ", progname);
    if (badoption[1] == 'e' || badoption[1] == 'l')
        fprintf(stderr, "'%s' needs argument\n", badoption);
    else
        fprintf(stderr, "unrecognized option '%s'\n", badoption);
    print_options(stderr);
    fflush(stderr);
}

static void print_help(void)
{
    printf("pktlua %s - %s with the pkt packet toolkit as globals (IP, send, sniff, ...)\n\n",
           PKTLUA_VERSION, LUA_VER);
    print_options(stdout);
    printf("\nWith no script and a terminal, an interactive prompt: values print,\n"
           "Tab completes names and fields, traceback() shows the last error's stack.\n"
           "ls() lists the layers, lsc() the commands, help(x) tells about one.\n");
    fflush(stdout);
}

/* pname is NULL inside the REPL, where errors carry no program name. */
void pk_host_message(const char *pname, const char *msg)
{
    if (pname)
        fprintf(stderr, "%s: ", pname);
    fprintf(stderr, "%s\n", msg);
    fflush(stderr);
}

/* Print the error on top of the stack, if any, and pop it. */
int pk_host_report(lua_State *L, int status)
{
    if (status != LUA_OK) {
        const char *msg = lua_tostring(L, -1);
        pk_host_message(progname,
                        msg ? msg : "(error object is not a string)");
        lua_pop(L, 1);
    }
    return status;
}

/* pkt.repl's fn(...) under lua_pcall, for the messages and the REPL's
 * printing, so a failure there cannot hide the error being reported.
 * Takes the nargs arguments on the stack; leaves the result, or the
 * error of the call. */
static int l_call_repl(lua_State *L)
{
    lua_getglobal(L, "require");
    lua_pushliteral(L, "pkt.repl");
    lua_call(L, 1, 1);
    lua_getfield(L, -1, lua_tostring(L, lua_upvalueindex(1)));
    lua_replace(L, -2);
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

static int call_repl(lua_State *L, const char *fn, int nargs)
{
    lua_pushstring(L, fn);
    lua_pushcclosure(L, l_call_repl, 1);
    lua_insert(L, -(nargs + 1));
    return lua_pcall(L, nargs, 1, 0);
}

/* The message with the position of the script's own code first (the
 * first frame outside the embedded library) and a hint for a Python
 * spelling, by pkt.repl's explain.  Pushes the result. */
static const char *explain(lua_State *L, const char *msg)
{
    lua_Debug ar;
    int level, line = 0;
    lua_pushstring(L, msg);
    lua_pushnil(L);                 /* the frame's source, if found */
    for (level = 1; lua_getstack(L, level, &ar); level++) {
        lua_getinfo(L, "Sl", &ar);
        if (ar.currentline > 0 && strncmp(ar.source, "@bindings/", 10) != 0) {
            lua_pop(L, 1);
            lua_pushstring(L, ar.source);
            line = ar.currentline;
            break;
        }
    }
    lua_pushinteger(L, line);
    lua_getfield(L, LUA_REGISTRYINDEX, CHUNK_KEY);
    if (call_repl(L, "explain", 4) != LUA_OK || !lua_isstring(L, -1)) {
        lua_pop(L, 1);
        lua_pushstring(L, msg);
    }
    return lua_tostring(L, -1);
}

/* Message handler: turn the error into a string and add a traceback,
 * kept for the REPL's traceback(); the REPL shows the message alone. */
static int msghandler(lua_State *L)
{
    const char *msg = lua_tostring(L, 1);
    if (msg == NULL) {
        if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
            return 1;
        msg = lua_pushfstring(L, "(error object is a %s value)",
                              luaL_typename(L, 1));
    }
    msg = explain(L, msg);
    luaL_traceback(L, L, msg, 1);
    lua_pushvalue(L, -1);
    lua_setfield(L, LUA_REGISTRYINDEX, TRACEBACK_KEY);
    if (pk_host_brief)
        lua_pushstring(L, msg);
    return 1;
}

/* A syntax error on top of the stack gets a hint when one fits (text:
 * the chunk, or NULL to read the line from the file it names). */
void pk_host_syntax_hint(lua_State *L, int status, const char *text)
{
    if (status != LUA_ERRSYNTAX || !lua_isstring(L, -1))
        return;
    lua_pushvalue(L, -1);
    if (text)
        lua_pushstring(L, text);
    else
        lua_pushnil(L);
    if (call_repl(L, "syntax", 2) == LUA_OK && lua_isstring(L, -1))
        lua_remove(L, -2);
    else
        lua_pop(L, 1);
}

/* The REPL prints the n values on the stack as pkt.repl's display shows
 * them (a table's contents, bytes escaped); an error there is reported. */
void pk_host_display(lua_State *L, int n)
{
    if (call_repl(L, "display", n) != LUA_OK)
        pk_host_message(NULL, lua_pushfstring(L, "error printing the value (%s)",
                                              lua_tostring(L, -1)));
    lua_settop(L, 0);
}

/* Whether Ctrl-C came since the last call. */
int pk_host_interrupted(void)
{
    int r = got_interrupt;
    got_interrupt = 0;
    return r;
}

/* traceback() prints the stack of the last error (the REPL shows only
 * its message). */
int pk_host_traceback(lua_State *L)
{
    lua_getfield(L, LUA_REGISTRYINDEX, TRACEBACK_KEY);
    if (lua_isstring(L, -1))
        fprintf(stdout, "%s\n", lua_tostring(L, -1));
    else
        fprintf(stdout, "no error so far\n");
    fflush(stdout);
    return 0;
}

/* The text of the chunk about to run, for hints on its lines. */
void pk_host_set_chunk(lua_State *L, const char *text)
{
    if (text)
        lua_pushstring(L, text);
    else
        lua_pushnil(L);
    lua_setfield(L, LUA_REGISTRYINDEX, CHUNK_KEY);
}

/* Call the function below the narg arguments with a traceback handler, and
 * with Ctrl-C armed to interrupt it. */
int pk_host_docall(lua_State *L, int narg, int nres)
{
    int status;
    int base = lua_gettop(L) - narg;
    lua_pushcfunction(L, msghandler);
    lua_insert(L, base);
    globalL = L;
    pk_host_setsignal(SIGINT, laction);
    status = lua_pcall(L, narg, nres, base);
    pk_host_setsignal(SIGINT, SIG_DFL);
    lua_remove(L, base);
    return status;
}

static void print_version(void)
{
    printf("pktlua %s (%s)\n", PKTLUA_VERSION, LUA_VER);
    fflush(stdout);
}

static int dochunk(lua_State *L, int status, const char *text)
{
    pk_host_set_chunk(L, text);
    pk_host_syntax_hint(L, status, text);
    if (status == LUA_OK)
        status = pk_host_docall(L, 0, 0);
    return pk_host_report(L, status);
}

static int dofile(lua_State *L, const char *name)
{
    return dochunk(L, luaL_loadfile(L, name), NULL);
}

static int dostring(lua_State *L, const char *s, const char *name)
{
    return dochunk(L, luaL_loadbuffer(L, s, strlen(s), name), s);
}

/* -l g=mod sets global g; -l mod sets global mod, minus any "-suffix"
 * (lua.c's LUA_IGMARK), so -l foo-1 requires foo-1 into foo. */
static int dolibrary(lua_State *L, const char *spec)
{
    int status;
    const char *eq = strchr(spec, '=');
    const char *modname = eq ? eq + 1 : spec;
    size_t globlen = eq ? (size_t)(eq - spec) : strlen(spec);
    if (!eq) {
        const char *mark = strchr(spec, '-');
        if (mark)
            globlen = (size_t)(mark - spec);
    }
    lua_getglobal(L, "require");
    lua_pushstring(L, modname);
    status = pk_host_docall(L, 1, 1);
    if (status == LUA_OK) {
        lua_pushlstring(L, spec, globlen);
        lua_insert(L, -2);
        lua_setglobal(L, lua_tostring(L, -2));
        lua_pop(L, 1);
    }
    return pk_host_report(L, status);
}


/* ---- arguments -------------------------------------------------------- */

/* Scan options before running anything, as lua.c does, so a bad option
 * is reported before any side effect. *first gets the index of the script
 * (0 if none), or of the bad option on HAS_ERROR. */
static int collectargs(char **argv, int *first)
{
    int args = 0;
    int i;
    *first = 0;
    if (argv[0] == NULL)
        return 0;
    for (i = 1; argv[i] != NULL; i++) {
        *first = i;
        if (argv[i][0] != '-')
            return args;
        switch (argv[i][1]) {
        case '-':
            if (strcmp(argv[i], "--help") == 0)
                return args | HAS_HELP;
            if (argv[i][2] != '\0')
                return HAS_ERROR;
            *first = argv[i + 1] != NULL ? i + 1 : 0;
            return args;
        case '\0':
            return args;            /* "-": the script is stdin */
        case 'E':
            if (argv[i][2] != '\0')
                return HAS_ERROR;
            args |= HAS_UPPER_E;
            break;
        case 'h':
            if (argv[i][2] != '\0')
                return HAS_ERROR;
            return args | HAS_HELP;
        case 'W':
            if (argv[i][2] != '\0')
                return HAS_ERROR;
            break;
        case 'i':
        case 'v':
            if (argv[i][2] != '\0')
                return HAS_ERROR;
            args |= argv[i][1] == 'i' ? HAS_I : HAS_V;
            break;
        case 'e':
        case 'l':
            if (argv[i][1] == 'e')
                args |= HAS_E;
            if (argv[i][2] == '\0') {
                i++;
                if (argv[i] == NULL || argv[i][0] == '-')
                    return HAS_ERROR;
            }
            break;
        default:
            return HAS_ERROR;
        }
    }
    *first = 0;
    return args;
}

/* arg[0] is the script, interpreter and options get negative indices,
 * script arguments positive ones. Without a script arg[0] is argv[0]. */
static void createargtable(lua_State *L, char **argv, int argc, int script)
{
    int i;
    lua_createtable(L, argc - script - 1, script + 1);
    for (i = 0; i < argc; i++) {
        lua_pushstring(L, argv[i]);
        lua_rawseti(L, -2, i - script);
    }
    lua_setglobal(L, "arg");
}

/* Run -e, -l and -W in command-line order. */
static int runargs(lua_State *L, char **argv, int n)
{
    int i;
    for (i = 1; i < n; i++) {
        int option = argv[i][1];
        if (option == 'e' || option == 'l') {
            const char *extra = argv[i] + 2;
            int status;
            if (*extra == '\0')
                extra = argv[++i];
            status = option == 'e' ? dostring(L, extra, "=(command line)")
                                   : dolibrary(L, extra);
            if (status != LUA_OK)
                return 0;
        } else if (option == 'W') {
            lua_warning(L, "@on", 0);
        }
    }
    return 1;
}

static int handle_luainit(lua_State *L)
{
    const char *name = "=LUA_INIT_" LUA_VERSION_MAJOR "_" LUA_VERSION_MINOR;
    const char *init = getenv(name + 1);
    if (init == NULL) {
        name = "=LUA_INIT";
        init = getenv(name + 1);
    }
    if (init == NULL)
        return LUA_OK;
    if (init[0] == '@')
        return dofile(L, init + 1);
    return dostring(L, init, name);
}

static int pushargs(lua_State *L)
{
    int i, n;
    if (lua_getglobal(L, "arg") != LUA_TTABLE)
        luaL_error(L, "'arg' is not a table");
    n = (int)luaL_len(L, -1);
    luaL_checkstack(L, n + 3, "too many arguments to script");
    for (i = 1; i <= n; i++)
        lua_rawgeti(L, -i, i);
    lua_remove(L, -i);
    return n;
}

static int handle_script(lua_State *L, char **argv)
{
    const char *fname = argv[0];
    int status;
    if (strcmp(fname, "-") == 0 && strcmp(argv[-1], "--") != 0)
        fname = NULL;               /* stdin */
    status = luaL_loadfile(L, fname);
    pk_host_set_chunk(L, NULL);
    pk_host_syntax_hint(L, status, NULL);
    if (status == LUA_OK) {
        int n = pushargs(L);
        status = pk_host_docall(L, n, LUA_MULTRET);
    }
    return pk_host_report(L, status);
}

/* require "pkt" and copy its fields into _G, as `from scapy.all import *`
 * does, so lecture one-liners run unchanged. */
static int load_pkt(lua_State *L)
{
    int status;
    pk_preload(L);
    lua_getglobal(L, "require");
    lua_pushliteral(L, "pkt");
    status = pk_host_docall(L, 1, 1);
    if (status != LUA_OK)
        return pk_host_report(L, status);
    if (lua_istable(L, -1)) {
        lua_pushglobaltable(L);
        lua_pushnil(L);
        while (lua_next(L, -3)) {
            lua_pushvalue(L, -2);
            lua_insert(L, -2);
            lua_rawset(L, -4);
        }
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    return LUA_OK;
}


/* ---- the REPL --------------------------------------------------------- */

/* Messages from the REPL carry no program name, as in lua.c; progname is
 * restored only on a normal return, also as in lua.c. */
static void doREPL(lua_State *L)
{
    const char *oldprogname = progname;
    progname = NULL;
    pk_repl(L);
    progname = oldprogname;
}


/* ---- main ------------------------------------------------------------- */

/* Everything that may raise runs here, under the lua_pcall in main. */
static int pmain(lua_State *L)
{
    int argc = (int)lua_tointeger(L, 1);
    char **argv = (char **)lua_touserdata(L, 2);
    int script;
    int args = collectargs(argv, &script);
    int optlim = script > 0 ? script : argc;
    luaL_checkversion(L);
    if (args == HAS_ERROR) {
        print_usage(argv[script]);
        return 0;
    }
    if (args & HAS_HELP) {
        print_help();
        lua_pushboolean(L, 1);
        return 1;
    }
    if (args & HAS_V)
        print_version();
    if (args & HAS_UPPER_E) {       /* tells package to ignore LUA_PATH */
        lua_pushboolean(L, 1);
        lua_setfield(L, LUA_REGISTRYINDEX, "LUA_NOENV");
    }
    luaL_openlibs(L);
    createargtable(L, argv, argc, script);
    lua_gc(L, LUA_GCRESTART);
    lua_gc(L, LUA_GCGEN, 0, 0);
    if (load_pkt(L) != LUA_OK)
        return 0;
    if (!(args & HAS_UPPER_E) && handle_luainit(L) != LUA_OK)
        return 0;
    if (!runargs(L, argv, optlim))
        return 0;
    if (script > 0 && handle_script(L, argv + script) != LUA_OK)
        return 0;
    if (args & HAS_I)
        doREPL(L);
    else if (script < 1 && !(args & (HAS_E | HAS_V))) {
        if (isatty(STDIN_FILENO))
            doREPL(L);
        else if (dofile(L, NULL) != LUA_OK)
            return 0;               /* unlike lua.c, fail like a script */
    }
    lua_pushboolean(L, 1);
    return 1;
}

int main(int argc, char **argv)
{
    int status, result;
    lua_State *L = luaL_newstate();
    if (L == NULL) {
        pk_host_message(argv[0], "cannot create state: not enough memory");
        return EXIT_FAILURE;
    }
    lua_gc(L, LUA_GCSTOP);          /* no GC while building the state */
    lua_pushcfunction(L, pmain);
    lua_pushinteger(L, argc);
    lua_pushlightuserdata(L, argv);
    status = lua_pcall(L, 2, 1, 0);
    result = lua_toboolean(L, -1);
    pk_host_report(L, status);
    lua_close(L);
    return (result && status == LUA_OK) ? EXIT_SUCCESS : EXIT_FAILURE;
}
