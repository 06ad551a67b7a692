/*
 * repl.c - pktlua's interactive loop: readline with history and tab
 * completion (by require "pkt.complete"), or plain lines without a terminal;
 * lines are tried as `return <line>` first so values print, as in lua.c.
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

#include "host.h"

#define PROMPT  "pktlua> "
#define PROMPT2 "...> "
#define EOFMARK "<eof>"
#define HISTORY_FILE "/.pktlua_history"
#define HISTORY_MAX 1000

static volatile sig_atomic_t prompt_interrupted = 0;

/* SIGINT at the prompt only discards the line being typed. */
static void prompt_action(int sig)
{
    (void)sig;
    prompt_interrupted = 1;
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
    pk_host_setsignal(SIGINT, prompt_action);
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
    pk_host_setsignal(SIGINT, SIG_DFL);
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
    pk_host_setsignal(SIGINT, prompt_action);
    n = getline(&line, &cap, stdin);
    pk_host_setsignal(SIGINT, SIG_DFL);
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

/* Try the line as an expression first, so values print.  The values
 * pass through a function call rather than `return f(x)`, whose tail
 * call would drop the line's own frame, and with it the position an
 * error inside f reports; a line ending in a comment falls back to the
 * plain form. */
static int addreturn(lua_State *L)
{
    static const char *const forms[] = {
        "return (function(...) return ... end)(%s);", "return %s;" };
    const char *line = lua_tostring(L, -1);
    int status = LUA_ERRSYNTAX;
    for (size_t i = 0; i < sizeof forms / sizeof forms[0] && status != LUA_OK; i++) {
        const char *retline = lua_pushfstring(L, forms[i], line);
        status = luaL_loadbuffer(L, retline, strlen(retline), "=stdin");
        lua_remove(L, -2);          /* the text; leaves the chunk or the error */
        if (status != LUA_OK)
            lua_pop(L, 1);
    }
    if (status == LUA_OK)
        saveline(line);
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
        pk_host_set_chunk(L, lua_tostring(L, 1));
        pk_host_syntax_hint(L, status, lua_tostring(L, 1));
        lua_remove(L, 1);
        return status;
    }
}

/* Print results as pkt.repl shows them: a table's contents, a layer's
 * fields, bytes escaped, a packet as its summary. */
static void l_print(lua_State *L)
{
    int n = lua_gettop(L);
    if (n > 0) {
        luaL_checkstack(L, LUA_MINSTACK, "too many results to print");
        pk_host_display(L, n);
    }
}

/* The caller (pktlua.c) has dropped the program name from messages, as
 * lua.c's doREPL does, so REPL errors read "stdin:1: ..." alone. */
void pk_repl(lua_State *L)
{
    int status;
    pk_host_brief = 1;
    lua_register(L, "traceback", pk_host_traceback);
    use_readline = isatty(STDIN_FILENO);
    if (use_readline)
        init_readline(L);
    printf("pktlua %s \xe2\x80\x94 %s with the pkt packet toolkit; "
           "try: p = IP{dst=\"198.51.100.1\"}/ICMP(); p:show()\n",
           PKTLUA_VERSION, LUA_VER);
    fflush(stdout);
    while ((status = loadline(L)) != -1) {
        if (status == LUA_OK)
            status = pk_host_docall(L, 0, LUA_MULTRET);
        if (pk_host_interrupted()) {
            /* the terminal echoed ^C where the output stood */
            fputc('\n', stdout);
            fflush(stdout);
        }
        if (status == LUA_OK)
            l_print(L);
        else
            pk_host_report(L, status);
    }
    pk_host_brief = 0;
    lua_settop(L, 0);
    fputc('\n', stdout);
    fflush(stdout);
    if (use_readline)
        close_readline();
}
