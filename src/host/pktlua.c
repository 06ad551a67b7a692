/*
 * pktlua.c - the pktlua host: a lua(1)-compatible interpreter that loads the
 * pkt toolkit into the global table and offers a readline REPL with history,
 * tab completion and printing of values. Its shape follows Lua 5.4's lua.c.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <unistd.h>

#include <readline/readline.h>
#include <readline/history.h>

#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>

#ifndef PKTLUA_VERSION
#define PKTLUA_VERSION "0.1.0"
#endif

#define LUA_VER "Lua " LUA_VERSION_MAJOR "." LUA_VERSION_MINOR
#define PROMPT  "pktlua> "
#define PROMPT2 "...> "
#define EOFMARK "<eof>"
#define HISTORY_FILE "/.pktlua_history"
#define HISTORY_MAX 1000

/* Provided by bindings/preload.c: puts pkt.core and the embedded Lua
 * modules into package.preload. */
int pk_preload(lua_State *L);

static const char *progname = "pktlua";
static lua_State *globalL = NULL;       /* the state the SIGINT hook targets */
static volatile sig_atomic_t prompt_interrupted = 0;

/* Option bits collected by collectargs. */
enum { HAS_ERROR = 1, HAS_I = 2, HAS_V = 4, HAS_E = 8, HAS_UPPER_E = 16 };


/* ---- signals ---------------------------------------------------------- */

/* Without SA_RESTART, so that a blocking read or select returns EINTR and
 * the code waiting in it gets to see the interrupt. */
static void setsignal(int sig, void (*handler)(int))
{
    struct sigaction sa;
    sa.sa_handler = handler;
    sa.sa_flags = 0;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

/* Hook set by the signal handler; it runs at the next safe point of the
 * interpreter, where raising an error is allowed. */
static void lstop(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    lua_sethook(L, NULL, 0, 0);
    luaL_error(L, "interrupted!");
}

/* SIGINT while Lua runs: a signal handler may not touch the state beyond
 * lua_sethook, so arm a hook. A second Ctrl-C before the hook fires gets
 * the default action, as in lua.c, so a stuck C call can still be killed. */
static void laction(int sig)
{
    int flag = LUA_MASKCALL | LUA_MASKRET | LUA_MASKCOUNT;
    setsignal(sig, SIG_DFL);
    lua_sethook(globalL, lstop, flag, 1);
}

/* SIGINT at the prompt only discards the line being typed. */
static void prompt_action(int sig)
{
    (void)sig;
    prompt_interrupted = 1;
}


/* ---- messages and protected calls ------------------------------------ */

static void print_usage(const char *badoption)
{
    fprintf(stderr, "%s: ", progname);
    if (badoption[1] == 'e' || badoption[1] == 'l')
        fprintf(stderr, "'%s' needs argument\n", badoption);
    else
        fprintf(stderr, "unrecognized option '%s'\n", badoption);
    fprintf(stderr,
        "usage: %s [options] [script [args]]\n"
        "Available options are:\n"
        "  -e stat   execute string 'stat'\n"
        "  -i        enter interactive mode after executing 'script'\n"
        "  -l mod    require library 'mod' into global 'mod'\n"
        "  -l g=mod  require library 'mod' into global 'g'\n"
        "  -v        show version information\n"
        "  -E        ignore environment variables\n"
        "  -W        turn warnings on\n"
        "  --        stop handling options\n"
        "  -         stop handling options and execute stdin\n",
        progname);
    fflush(stderr);
}

static void l_message(const char *pname, const char *msg)
{
    if (pname)
        fprintf(stderr, "%s: ", pname);
    fprintf(stderr, "%s\n", msg);
    fflush(stderr);
}

/* Print the error on top of the stack, if any, and pop it. */
static int report(lua_State *L, int status)
{
    if (status != LUA_OK) {
        const char *msg = lua_tostring(L, -1);
        l_message(progname, msg ? msg : "(error object is not a string)");
        lua_pop(L, 1);
    }
    return status;
}

/* Message handler: turn the error into a string and add a traceback. */
static int msghandler(lua_State *L)
{
    const char *msg = lua_tostring(L, 1);
    if (msg == NULL) {
        if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
            return 1;
        msg = lua_pushfstring(L, "(error object is a %s value)",
                              luaL_typename(L, 1));
    }
    luaL_traceback(L, L, msg, 1);
    return 1;
}

/* Call the function below the narg arguments with a traceback handler, and
 * with Ctrl-C armed to interrupt it. */
static int docall(lua_State *L, int narg, int nres)
{
    int status;
    int base = lua_gettop(L) - narg;
    lua_pushcfunction(L, msghandler);
    lua_insert(L, base);
    globalL = L;
    setsignal(SIGINT, laction);
    status = lua_pcall(L, narg, nres, base);
    setsignal(SIGINT, SIG_DFL);
    lua_remove(L, base);
    return status;
}

static void print_version(void)
{
    printf("pktlua %s (%s)\n", PKTLUA_VERSION, LUA_VER);
    fflush(stdout);
}

static int dochunk(lua_State *L, int status)
{
    if (status == LUA_OK)
        status = docall(L, 0, 0);
    return report(L, status);
}

static int dofile(lua_State *L, const char *name)
{
    return dochunk(L, luaL_loadfile(L, name));
}

static int dostring(lua_State *L, const char *s, const char *name)
{
    return dochunk(L, luaL_loadbuffer(L, s, strlen(s), name));
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
    status = docall(L, 1, 1);
    if (status == LUA_OK) {
        lua_pushlstring(L, spec, globlen);
        lua_insert(L, -2);
        lua_setglobal(L, lua_tostring(L, -2));
        lua_pop(L, 1);
    }
    return report(L, status);
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
    if (status == LUA_OK) {
        int n = pushargs(L);
        status = docall(L, n, LUA_MULTRET);
    }
    return report(L, status);
}

/* require "pkt" and copy its fields into _G, as `from scapy.all import *`
 * does, so lecture one-liners run unchanged. */
static int load_pkt(lua_State *L)
{
    int status;
    pk_preload(L);
    lua_getglobal(L, "require");
    lua_pushliteral(L, "pkt");
    status = docall(L, 1, 1);
    if (status != LUA_OK)
        return report(L, status);
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


/* ---- line input ------------------------------------------------------- */

static int use_readline = 0;
static char *history_path = NULL;
static char *rl_got_line = NULL;
static int rl_got_done = 0;

static void on_line(char *line)
{
    rl_got_line = line;
    rl_got_done = 1;
    rl_callback_handler_remove();
}

/* Read a line with readline's callback interface, so Ctrl-C at the prompt
 * can discard the line and keep the REPL (the way Python's REPL does)
 * instead of killing it from inside readline(). pselect with SIGINT
 * blocked closes the race between testing the flag and waiting.
 * Returns 1 with *out set (malloc'd), 0 at end of input, -1 on Ctrl-C. */
static int tty_readline(const char *prompt, char **out)
{
    sigset_t block, orig;
    int result = 0;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    rl_got_done = 0;
    rl_got_line = NULL;
    prompt_interrupted = 0;
    sigprocmask(SIG_BLOCK, &block, &orig);
    setsignal(SIGINT, prompt_action);
    rl_callback_handler_install(prompt, on_line);
    while (!rl_got_done) {
        int fd = fileno(rl_instream ? rl_instream : stdin);
        fd_set fds;
        int r;
        FD_ZERO(&fds);
        FD_SET(fd, &fds);
        r = prompt_interrupted ? -1
                               : pselect(fd + 1, &fds, NULL, NULL, NULL, &orig);
        if (prompt_interrupted) {
            rl_free_line_state();
            rl_callback_sigcleanup();
            rl_cleanup_after_signal();
            rl_callback_handler_remove();
            fputc('\n', stdout);
            fflush(stdout);
            result = -1;
            break;
        }
        if (r < 0 && errno != EINTR) {
            rl_callback_handler_remove();
            break;                  /* unreadable input: treat as EOF */
        }
        if (r > 0) {
            /* Ctrl-C during completion code only sets the flag. */
            sigprocmask(SIG_SETMASK, &orig, NULL);
            rl_callback_read_char();
            sigprocmask(SIG_BLOCK, &block, NULL);
        }
    }
    setsignal(SIGINT, SIG_DFL);
    sigprocmask(SIG_SETMASK, &orig, NULL);
    if (rl_got_done) {
        *out = rl_got_line;
        result = rl_got_line != NULL;
    }
    return result;
}

/* Without a terminal (-i with piped input) read plain lines, as lua.c
 * does when built without readline. */
static int plain_readline(const char *prompt, char **out)
{
    size_t cap = 0;
    ssize_t n;
    char *line = NULL;
    fputs(prompt, stdout);
    fflush(stdout);
    prompt_interrupted = 0;
    setsignal(SIGINT, prompt_action);
    n = getline(&line, &cap, stdin);
    setsignal(SIGINT, SIG_DFL);
    if (n < 0) {
        free(line);
        if (prompt_interrupted) {
            clearerr(stdin);
            fputc('\n', stdout);
            return -1;
        }
        return 0;
    }
    if (n > 0 && line[n - 1] == '\n')
        line[n - 1] = '\0';
    *out = line;
    return 1;
}

static void saveline(const char *line)
{
    if (!use_readline || line[0] == '\0')
        return;
    add_history(line);
    if (history_path)
        append_history(1, history_path);
}


/* ---- tab completion --------------------------------------------------- */

static lua_State *complete_L = NULL;
static char **candidates = NULL;       /* copied from the Lua result */
static int ncandidates = 0;

/* complete(line, word) via require "pkt.complete", in protected mode. */
static int l_complete(lua_State *L)
{
    lua_getglobal(L, "require");
    lua_pushliteral(L, "pkt.complete");
    lua_call(L, 1, 1);
    lua_insert(L, 1);
    lua_call(L, 2, 1);
    luaL_checktype(L, -1, LUA_TTABLE);
    return 1;
}

static void free_candidates(void)
{
    int i;
    for (i = 0; i < ncandidates; i++)
        free(candidates[i]);
    free(candidates);
    candidates = NULL;
    ncandidates = 0;
}

/* Generator for rl_completion_matches: hands out the copied candidates. */
static char *candidate_generator(const char *text, int state)
{
    static int next;
    (void)text;
    if (state == 0)
        next = 0;
    if (next < ncandidates) {
        char *c = candidates[next];
        candidates[next++] = NULL;  /* readline takes ownership */
        return c;
    }
    return NULL;
}

/* Candidates are full replacements ("p[IP].ttl"); list only the part after
 * the last '.', ':' or '[', as the user already sees the rest. */
static void short_display(char **matches, int num, int max_length)
{
    const char *lcd = matches[0];
    size_t cut = strlen(lcd);
    char **shown;
    int i;
    while (cut > 0 && !strchr(".:[", lcd[cut - 1]))
        cut--;
    shown = malloc(sizeof *shown * (size_t)(num + 2));
    if (shown == NULL)
        return;
    for (i = 0; i <= num; i++)
        shown[i] = matches[i] + (strlen(matches[i]) >= cut ? cut : 0);
    shown[num + 1] = NULL;
    rl_display_match_list(shown, num, max_length - (int)cut);
    free(shown);
    rl_forced_update_display();
}

/* readline completion entry point. A Lua error must never unwind through
 * readline, so everything runs under lua_pcall, and the stack is restored
 * whatever happens. */
static char **pk_completion(const char *text, int start, int end)
{
    lua_State *L = complete_L;
    char **matches = NULL;
    int top, n, i;
    (void)start;
    rl_attempted_completion_over = 1;   /* no filename fallback */
    rl_completion_append_character = '\0';
    rl_completion_display_matches_hook =
        strpbrk(text, ".:[") ? short_display : NULL;
    if (L == NULL || !lua_checkstack(L, 5))
        return NULL;
    top = lua_gettop(L);
    lua_pushcfunction(L, l_complete);
    lua_pushlstring(L, rl_line_buffer, (size_t)(end > 0 ? end : 0));
    lua_pushstring(L, text);
    if (lua_pcall(L, 2, 1, 0) == LUA_OK) {
        n = (int)lua_rawlen(L, -1);
        candidates = n > 0 ? calloc((size_t)n, sizeof *candidates) : NULL;
        for (i = 1; candidates && i <= n; i++) {
            lua_rawgeti(L, -1, i);
            if (lua_type(L, -1) == LUA_TSTRING) {
                char *s = strdup(lua_tostring(L, -1));
                if (s)
                    candidates[ncandidates++] = s;
            }
            lua_pop(L, 1);
        }
        if (ncandidates > 0)
            matches = rl_completion_matches(text, candidate_generator);
        free_candidates();
    }
    lua_settop(L, top);
    return matches;
}

/* Word breaks leave '.', ':', '[', ']' inside a word, so that p[IP].tt is
 * one word and the completer can evaluate its prefix. */
static void init_readline(lua_State *L)
{
    static char breaks[] = " \t\n\"\\'><=;+-*/%^~#{}(),";
    const char *home = getenv("HOME");
    complete_L = L;
    rl_readline_name = "pktlua";
    rl_catch_signals = 0;           /* our pselect loop handles SIGINT */
    rl_basic_word_break_characters = breaks;
    rl_completer_word_break_characters = breaks;
    rl_attempted_completion_function = pk_completion;
    if (home && home[0]) {
        history_path = malloc(strlen(home) + sizeof HISTORY_FILE);
        if (history_path) {
            strcpy(history_path, home);
            strcat(history_path, HISTORY_FILE);
            /* append_history needs an existing file */
            if (read_history(history_path) == ENOENT)
                write_history(history_path);
        }
    }
}

static void close_readline(void)
{
    if (history_path) {
        history_truncate_file(history_path, HISTORY_MAX);
        free(history_path);
        history_path = NULL;
    }
    complete_L = NULL;
}


/* ---- the REPL --------------------------------------------------------- */

/* _PROMPT and _PROMPT2 override the prompts, as in lua.c. Leaves the
 * prompt string on the stack. */
static const char *get_prompt(lua_State *L, int firstline)
{
    if (lua_getglobal(L, firstline ? "_PROMPT" : "_PROMPT2") == LUA_TNIL) {
        lua_pop(L, 1);
        lua_pushstring(L, firstline ? PROMPT : PROMPT2);
        return lua_tostring(L, -1);
    }
    luaL_tolstring(L, -1, NULL);
    lua_remove(L, -2);
    return lua_tostring(L, -1);
}

/* Push the next input line. Returns 1, 0 at end of input, -1 on Ctrl-C. */
static int pushline(lua_State *L, int firstline)
{
    char *line = NULL;
    const char *prompt = get_prompt(L, firstline);
    int r = use_readline ? tty_readline(prompt, &line)
                         : plain_readline(prompt, &line);
    lua_pop(L, 1);
    if (r <= 0)
        return r;
    if (firstline && line[0] == '=')    /* Lua 5.2's "=expr" */
        lua_pushfstring(L, "return %s", line + 1);
    else
        lua_pushstring(L, line);
    free(line);
    return 1;
}

/* A syntax error that ends at <eof> means the chunk may go on. */
static int incomplete(lua_State *L, int status)
{
    if (status == LUA_ERRSYNTAX) {
        size_t len;
        const char *msg = lua_tolstring(L, -1, &len);
        size_t marklen = sizeof(EOFMARK) - 1;
        if (len >= marklen && strcmp(msg + len - marklen, EOFMARK) == 0) {
            lua_pop(L, 1);
            return 1;
        }
    }
    return 0;
}

/* Try the line as an expression first, so values print. */
static int addreturn(lua_State *L)
{
    const char *line = lua_tostring(L, -1);
    const char *retline = lua_pushfstring(L, "return %s;", line);
    int status = luaL_loadbuffer(L, retline, strlen(retline), "=stdin");
    if (status == LUA_OK) {
        lua_remove(L, -2);
        saveline(line);
    } else {
        lua_pop(L, 2);
    }
    return status;
}

/* Otherwise compile as statements, reading more lines while incomplete.
 * Returns a load status, or -1 on Ctrl-C. */
static int multiline(lua_State *L)
{
    for (;;) {
        size_t len;
        const char *line = lua_tolstring(L, 1, &len);
        int status = luaL_loadbuffer(L, line, len, "=stdin");
        int r = 0;
        if (!incomplete(L, status) || (r = pushline(L, 0)) == 0) {
            saveline(line);
            return status;
        }
        if (r < 0)
            return -1;
        lua_pushliteral(L, "\n");
        lua_insert(L, -2);
        lua_concat(L, 3);
    }
}

/* Leaves the compiled chunk (or an error) on the stack. Returns its
 * status, or -1 at end of input. Ctrl-C drops the chunk and starts over. */
static int loadline(lua_State *L)
{
    for (;;) {
        int status, r;
        lua_settop(L, 0);
        r = pushline(L, 1);
        if (r == 0)
            return -1;
        if (r < 0)
            continue;
        if ((status = addreturn(L)) != LUA_OK)
            status = multiline(L);
        if (status < 0)
            continue;
        lua_remove(L, 1);
        return status;
    }
}

/* Print results through the global print, so __tostring applies. */
static void l_print(lua_State *L)
{
    int n = lua_gettop(L);
    if (n > 0) {
        luaL_checkstack(L, LUA_MINSTACK, "too many results to print");
        lua_getglobal(L, "print");
        lua_insert(L, 1);
        if (lua_pcall(L, n, 0, 0) != LUA_OK)
            l_message(progname, lua_pushfstring(L, "error calling 'print' (%s)",
                                                lua_tostring(L, -1)));
    }
}

static void doREPL(lua_State *L)
{
    int status;
    const char *oldprogname = progname;
    progname = NULL;                /* no program name on REPL errors */
    use_readline = isatty(STDIN_FILENO);
    if (use_readline)
        init_readline(L);
    printf("pktlua %s \xe2\x80\x94 %s with the pkt packet toolkit; "
           "try: p = IP{dst=\"198.51.100.1\"}/ICMP(); p:show()\n",
           PKTLUA_VERSION, LUA_VER);
    fflush(stdout);
    while ((status = loadline(L)) != -1) {
        if (status == LUA_OK)
            status = docall(L, 0, LUA_MULTRET);
        if (status == LUA_OK)
            l_print(L);
        else
            report(L, status);
    }
    lua_settop(L, 0);
    fputc('\n', stdout);
    fflush(stdout);
    if (use_readline)
        close_readline();
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
        l_message(argv[0], "cannot create state: not enough memory");
        return EXIT_FAILURE;
    }
    lua_gc(L, LUA_GCSTOP);          /* no GC while building the state */
    lua_pushcfunction(L, pmain);
    lua_pushinteger(L, argc);
    lua_pushlightuserdata(L, argv);
    status = lua_pcall(L, 2, 1, 0);
    result = lua_toboolean(L, -1);
    report(L, status);
    lua_close(L);
    return (result && status == LUA_OK) ? EXIT_SUCCESS : EXIT_FAILURE;
}
