/*
 * lproc.c - the process half of "pkt.core": a child process for the
 * background sniffer (Lua has no threads: AsyncSniffer captures in a
 * forked copy of the script), the pipe it reports on, and a wait on
 * several captures at once for sniff{iface={...}}.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <lua.h>
#include <lauxlib.h>

#include "../src/pknet.h"
#include "lpkt.h"

static void on_term(int sig)
{
    (void)sig;
    pk_capture_drain();
}

/* fork() -> pid in the parent, 0 in the child | nil, msg.
 * The child has a process group of its own (a Ctrl-C at the terminal
 * is the script's, not its sniffer's), ends when the parent does, and
 * on SIGTERM reads what its capture holds, then stops (drain). */
static int l_fork(lua_State *L)
{
    pid_t parent = getpid(), pid;
    fflush(NULL);               /* nothing buffered is written twice */
    pid = fork();
    if (pid < 0) {
        lua_pushnil(L);
        lua_pushfstring(L, "cannot start a process: %s", strerror(errno));
        return 2;
    }
    if (pid == 0) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_term;        /* no SA_RESTART: poll returns */
        sigemptyset(&sa.sa_mask);
        sigaction(SIGTERM, &sa, NULL);
        signal(SIGINT, SIG_IGN);
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent)        /* the parent ended already */
            pk_capture_drain();
    }
    lua_pushinteger(L, pid);
    return 1;
}

/* exit(code): ends the child at once (no finalizers: the parent's
 * sockets and files are its too), its output flushed */
static int l_exit(lua_State *L)
{
    int code = (int)luaL_optinteger(L, 1, 0);
    fflush(NULL);
    _exit(code);
    return 0;
}

/* terminate(pid): asks a child started by fork() to stop (SIGTERM) */
static int l_terminate(lua_State *L)
{
    pid_t pid = (pid_t)luaL_checkinteger(L, 1);
    if (pid > 0)
        kill(pid, SIGTERM);
    return 0;
}

/* reap(pid [, block]) -> true, exit code (128+signal) | false (running) */
static int l_reap(lua_State *L)
{
    pid_t pid = (pid_t)luaL_checkinteger(L, 1);
    int st = 0, r;
    do
        r = waitpid(pid, &st, lua_toboolean(L, 2) ? 0 : WNOHANG);
    while (r < 0 && errno == EINTR && lua_toboolean(L, 2));
    if (r == 0) {
        lua_pushboolean(L, 0);
        return 1;
    }
    lua_pushboolean(L, 1);
    lua_pushinteger(L, r < 0 ? -1 : WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
    return 2;
}

/* pipe() -> read fd, write fd | nil, msg */
static int l_pipe(lua_State *L)
{
    int fd[2];
    if (pipe(fd) < 0) {
        lua_pushnil(L);
        lua_pushfstring(L, "cannot make a pipe: %s", strerror(errno));
        return 2;
    }
    lua_pushinteger(L, fd[0]);
    lua_pushinteger(L, fd[1]);
    return 2;
}

static int l_fdclose(lua_State *L)
{
    close((int)luaL_checkinteger(L, 1));
    return 0;
}

/* fdwrite(fd, s) -> true | nil, msg */
static int l_fdwrite(lua_State *L)
{
    int fd = (int)luaL_checkinteger(L, 1);
    size_t len, off = 0;
    const char *s = luaL_checklstring(L, 2, &len);
    while (off < len) {
        ssize_t n = write(fd, s + off, len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            lua_pushnil(L);
            lua_pushstring(L, strerror(errno));
            return 2;
        }
        off += (size_t)n;
    }
    lua_pushboolean(L, 1);
    return 1;
}

/* fdread(fd, seconds) -> bytes | false (nothing within the time; a
 * signal cuts the wait short) | nil (the other end closed) */
static int l_fdread(lua_State *L)
{
    int fd = (int)luaL_checkinteger(L, 1);
    lua_Number s = luaL_checknumber(L, 2);
    struct pollfd pfd = { .fd = fd, .events = POLLIN };
    char buf[4096];
    ssize_t n;
    int pr = poll(&pfd, 1, s < 0 ? -1 : (int)(s * 1000));
    if (pr <= 0) {
        lua_pushboolean(L, 0);
        return 1;
    }
    do
        n = read(fd, buf, sizeof buf);
    while (n < 0 && errno == EINTR);
    if (n <= 0) {
        lua_pushnil(L);
        return 1;
    }
    lua_pushlstring(L, buf, (size_t)n);
    return 1;
}

/* pollfds({fd, ...}, seconds) -> {i, ...}: the positions of those ready
 * to read, every one while draining (each then reads its ring to the
 * end); empty on a timeout or a signal */
static int l_pollfds(lua_State *L)
{
    struct pollfd pfd[64];
    int n = (int)luaL_len(L, 1), k = 0;
    lua_Number s = luaL_checknumber(L, 2);
    luaL_argcheck(L, n <= 64, 1, "at most 64 descriptors");
    for (int i = 0; i < n; i++) {
        lua_geti(L, 1, i + 1);
        pfd[i].fd = (int)luaL_checkinteger(L, -1);
        pfd[i].events = POLLIN;
        pfd[i].revents = 0;
        lua_pop(L, 1);
    }
    lua_newtable(L);
    if (!pk_capture_draining() && poll(pfd, (nfds_t)n, (int)(s * 1000)) <= 0)
        return 1;
    for (int i = 0; i < n; i++)
        if (pk_capture_draining() || pfd[i].revents) {
            lua_pushinteger(L, i + 1);
            lua_rawseti(L, -2, ++k);
        }
    return 1;
}

static const luaL_Reg funcs[] = {
    { "fork", l_fork },
    { "exit", l_exit },
    { "terminate", l_terminate },
    { "reap", l_reap },
    { "pipe", l_pipe },
    { "fdclose", l_fdclose },
    { "fdwrite", l_fdwrite },
    { "fdread", l_fdread },
    { "pollfds", l_pollfds },
    { NULL, NULL },
};

/* Adds the process functions to the module table on the stack top. */
void pk_open_proc(lua_State *L)
{
    luaL_setfuncs(L, funcs, 0);
}
