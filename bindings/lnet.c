/*
 * lnet.c - the network half of "pkt.core": capture handles, sending,
 * interfaces, routes, pcap writers and reply matching.  Failures of the
 * world return nil, message, kind; pkt/net.lua turns them into errors
 * with remedies where a script would not check.
 */
#include <string.h>
#include <time.h>

#include <lua.h>
#include <lauxlib.h>

#include "../src/pknet.h"
#include "lpkt.h"

#define CAPTURE "pkt.Capture"
#define WRITER "pkt.PcapWriter"

static const char *kind(int rc)
{
    switch (rc) {
    case PK_EPERM: return "perm";
    case PK_ENODEV: return "nodev";
    case PK_EFILTER: return "filter";
    case PK_EMSGSIZE: return "msgsize";
    case PK_EINVAL: return "inval";
    case PK_EBREAK: return "interrupted";
    case PK_EOF: return "eof";
    case PK_ETRUNC: return "truncated";
    case PK_ERANGE: return "range";
    default: return "io";
    }
}

static int fail(lua_State *L, int rc, const char *msg)
{
    lua_pushnil(L);
    lua_pushstring(L, msg);
    lua_pushstring(L, kind(rc));
    return 3;
}

static const char *opt_string(lua_State *L, int t, const char *k)
{
    const char *s;
    lua_getfield(L, t, k);
    s = lua_isnil(L, -1) ? NULL : luaL_checkstring(L, -1);
    lua_pop(L, 1);  /* the table keeps the string alive */
    return s;
}

static int opt_int(lua_State *L, int t, const char *k, int def)
{
    int v;
    lua_getfield(L, t, k);
    v = lua_isnil(L, -1) ? def
        : lua_isboolean(L, -1) ? lua_toboolean(L, -1)
        : (int)luaL_checkinteger(L, -1);
    lua_pop(L, 1);
    return v;
}

/* ---- capture handles ----------------------------------------------- */

struct lcap {
    struct pk_capture *c;
};

static struct lcap *check_cap(lua_State *L)
{
    struct lcap *h = luaL_checkudata(L, 1, CAPTURE);
    if (!h->c)
        luaL_error(L, "capture is closed");
    return h;
}

static struct lcap *new_cap(lua_State *L)
{
    struct lcap *h = lua_newuserdatauv(L, sizeof *h, 0);
    h->c = NULL;    /* "closed" until opened, so __gc is always safe */
    luaL_setmetatable(L, CAPTURE);
    return h;
}

/* capture_open{iface=, filter=, snaplen=, promisc=, immediate=,
 *              buffer_kb=, timeout_ms=} -> capture | nil, msg, kind */
static int l_capture_open(lua_State *L)
{
    struct pk_capture_opts o;
    char err[PK_ERRLEN];
    struct lcap *h;
    int rc;

    luaL_checktype(L, 1, LUA_TTABLE);
    o.iface = opt_string(L, 1, "iface");
    o.filter = opt_string(L, 1, "filter");
    o.snaplen = opt_int(L, 1, "snaplen", 0);
    o.promisc = opt_int(L, 1, "promisc", 1);
    o.immediate = opt_int(L, 1, "immediate", 0);
    o.buffer_kb = opt_int(L, 1, "buffer_kb", 0);
    o.timeout_ms = opt_int(L, 1, "timeout_ms", 0);
    o.inbound_only = opt_int(L, 1, "inbound_only", 0);
    h = new_cap(L);
    if ((rc = pk_capture_open(&h->c, &o, err)) < 0)
        return fail(L, rc, err);
    return 1;
}

/* capture_file(path [, filter [, mixed]]) -> capture | nil, msg, kind
 * (mixed: a pcapng file's packets may have several link types) */
static int l_capture_file(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    const char *filter = luaL_optstring(L, 2, NULL);
    int mixed = lua_toboolean(L, 3);
    char err[PK_ERRLEN];
    struct lcap *h = new_cap(L);
    int rc = pk_capture_open_file(&h->c, path, filter, mixed, err);
    if (rc < 0)
        return fail(L, rc, err);
    return 1;
}

/* cap:next() -> bytes, sec, usec, wirelen, nsec, ifid, comment, linktype |
 *               false (timeout) |
 *               nil, msg, kind ("eof", "interrupted", "truncated", ...)
 * nsec is the whole fraction in nanoseconds; ifid (pcapng's interface,
 * from 0), comment and linktype come from files. */
static int l_cap_next(lua_State *L)
{
    struct lcap *h = check_cap(L);
    struct pk_frame f;
    int rc = pk_capture_next(h->c, &f);
    if (rc == 1) {
        lua_pushlstring(L, (const char *)f.data, f.caplen);
        lua_pushinteger(L, f.sec);
        lua_pushinteger(L, f.usec);
        lua_pushinteger(L, f.len);
        lua_pushinteger(L, f.nsec);
        lua_pushinteger(L, f.ifid);
        if (f.comment)
            lua_pushlstring(L, f.comment, f.comment_len);
        else
            lua_pushnil(L);
        lua_pushinteger(L, f.linktype);
        return 8;
    }
    if (rc == 0) {
        lua_pushboolean(L, 0);
        return 1;
    }
    return fail(L, rc, rc == PK_EOF ? "end of file"
                       : rc == PK_EBREAK ? "interrupted" : pk_capture_error(h->c));
}

/* cap:count(max, seconds, out) -> packets seen [, why a file ended early],
 * stopping at max (0: no limit), after seconds (nil: none), at the end of
 * a file (a cut tail too) or on Ctrl-C;
 * the store=false path: nothing goes through Lua per packet.  The count
 * is also left in out.n: Ctrl-C raises in the caller as soon as this
 * returns, before it can store it. */
static int l_cap_count(lua_State *L)
{
    struct lcap *h = check_cap(L);
    lua_Integer max = luaL_optinteger(L, 2, 0), n = 0;
    int cut = 0;
    lua_Number secs = luaL_optnumber(L, 3, -1);
    luaL_checktype(L, 4, LUA_TTABLE);
    struct timespec t0, t;
    struct pk_frame f;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        int rc = pk_capture_next(h->c, &f);
        if (rc == 1 && ++n == max)
            break;
        if (rc < 0 && rc != PK_EIO) {
            cut = rc == PK_ETRUNC;
            break;
        }
        if (rc < 0) {
            lua_pushnil(L);
            lua_pushstring(L, pk_capture_error(h->c));
            return 2;
        }
        if (secs >= 0) {
            clock_gettime(CLOCK_MONOTONIC, &t);
            if ((t.tv_sec - t0.tv_sec) + (t.tv_nsec - t0.tv_nsec) / 1e9 >= secs)
                break;
        }
    }
    lua_pushinteger(L, n);
    lua_setfield(L, 4, "n");
    lua_pushinteger(L, n);
    if (cut) {
        lua_pushstring(L, pk_capture_error(h->c));
        return 2;
    }
    return 1;
}

/* linktype_proto(linktype) -> protocol id its frames start with | 0 */
static int l_linktype_proto(lua_State *L)
{
    const struct pk_proto *p = pk_linktype_proto((int)luaL_checkinteger(L, 1));
    lua_pushinteger(L, p ? pk_lua_protoid(p) : 0);
    return 1;
}

/* cap:info() -> linktype, first protocol id (0: unknown), iface */
static int l_cap_info(lua_State *L)
{
    struct lcap *h = check_cap(L);
    const struct pk_proto *p = pk_linktype_proto(pk_capture_linktype(h->c));
    lua_pushinteger(L, pk_capture_linktype(h->c));
    lua_pushinteger(L, p ? pk_lua_protoid(p) : 0);
    lua_pushstring(L, pk_capture_iface(h->c));
    return 3;
}

static void set_string(lua_State *L, const char *k, const char *v)
{
    if (v) {
        lua_pushstring(L, v);
        lua_setfield(L, -2, k);
    }
}

/* {format = "pcap" | "pcapng", nano =, linktype =} of fi, on the stack */
static void push_file_info(lua_State *L, const struct pk_file_info *fi)
{
    lua_createtable(L, 0, 5);
    lua_pushstring(L, fi->format == PK_FMT_PCAPNG ? "pcapng" : "pcap");
    lua_setfield(L, -2, "format");
    lua_pushboolean(L, fi->nano);
    lua_setfield(L, -2, "nano");
    if (fi->linktype >= 0) {
        lua_pushinteger(L, fi->linktype);
        lua_setfield(L, -2, "linktype");
    }
}

/* cap:fileinfo() -> {format = "pcap" | "pcapng", nano =, linktype =,
 *   comment =, interfaces = {{linktype =, snaplen =, name =,
 *   description =, comment =}...}} of a file being read (its interfaces
 *   so far), nil for a live capture */
static int l_cap_fileinfo(lua_State *L)
{
    struct lcap *h = check_cap(L);
    struct pk_file_info fi;
    pk_capture_file_info(h->c, &fi);
    if (!fi.format)
        return 0;
    push_file_info(L, &fi);
    set_string(L, "comment", fi.comment);
    lua_createtable(L, fi.niface, 0);
    for (int i = 0; i < fi.niface; i++) {
        const struct pk_iface_desc *d = pk_capture_file_iface(h->c, i);
        lua_createtable(L, 0, 5);
        lua_pushinteger(L, d->linktype);
        lua_setfield(L, -2, "linktype");
        lua_pushinteger(L, d->snaplen);
        lua_setfield(L, -2, "snaplen");
        set_string(L, "name", d->name);
        set_string(L, "description", d->description);
        set_string(L, "comment", d->comment);
        lua_rawseti(L, -2, i + 1);
    }
    lua_setfield(L, -2, "interfaces");
    return 1;
}

/* cap:stats() -> received, dropped, ifdropped | nil */
static int l_cap_stats(lua_State *L)
{
    struct lcap *h = check_cap(L);
    struct pk_capture_stats s;
    if (pk_capture_stats(h->c, &s) < 0)
        return 0;
    lua_pushinteger(L, s.received);
    lua_pushinteger(L, s.dropped);
    lua_pushinteger(L, s.ifdropped);
    return 3;
}

/* cap:fd() -> the descriptor to poll, or -1 (a file) */
static int l_cap_fd(lua_State *L)
{
    lua_pushinteger(L, pk_capture_fd(check_cap(L)->c));
    return 1;
}

static int l_cap_close(lua_State *L)
{
    struct lcap *h = luaL_checkudata(L, 1, CAPTURE);
    pk_capture_close(h->c);
    h->c = NULL;
    return 0;
}

/* ---- sending ------------------------------------------------------- */

/* send_l3(bytes [, iface]) / send_l2(bytes, iface) -> 1 | nil, msg, kind
 * (repeats go through send_bulk) */
static int do_send(lua_State *L, int l2)
{
    size_t len;
    const uint8_t *p = (const uint8_t *)luaL_checklstring(L, 1, &len);
    const char *iface = luaL_optstring(L, 2, NULL);
    char err[PK_ERRLEN];
    int rc = l2 ? pk_send_l2(iface, p, len, err) : pk_send_l3(iface, p, len, err);
    if (rc < 0)
        return fail(L, rc, err);
    lua_pushinteger(L, 1);
    return 1;
}

static int l_send_l3(lua_State *L) { return do_send(L, 0); }

/* Reads send_bulk's list= (packets sent in turn) into b: the pointer
 * and length arrays live in a userdata left on the stack, the strings in
 * the list. */
static void bulk_list(lua_State *L, struct pk_bulk *b)
{
    size_t n = lua_rawlen(L, -1), *lens;
    const uint8_t **pkts;
    luaL_argcheck(L, n > 0, 1, "list: no packets");
    pkts = lua_newuserdatauv(L, n * (sizeof *pkts + sizeof *lens), 0);
    lens = (size_t *)(pkts + n);
    for (size_t i = 0; i < n; i++) {
        lua_rawgeti(L, -2, (lua_Integer)i + 1);
        pkts[i] = (const uint8_t *)luaL_checklstring(L, -1, &lens[i]);
        lua_pop(L, 1);
    }
    b->pkts = pkts;
    b->lens = lens;
    b->npkts = n;
}

/* send_bulk{bytes= | list=, l2=, iface=, count=, loop=, pps=, seed=,
 *           vary={{off=, width=, random=, lo=, hi=, cks={{off, udp}...}}...}}
 * -> sent | nil, msg, kind, sent (offsets 0-based); count is of packets */
static int l_send_bulk(lua_State *L)
{
    struct pk_vary vary[PK_MAXVARY];
    struct pk_bulk b;
    char err[PK_ERRLEN];
    uint64_t sent = 0;
    size_t len;
    int rc;

    luaL_checktype(L, 1, LUA_TTABLE);
    memset(&b, 0, sizeof b);
    memset(vary, 0, sizeof vary);
    if (lua_getfield(L, 1, "list") == LUA_TTABLE) {
        bulk_list(L, &b);       /* its userdata stays on the stack */
    } else {
        lua_getfield(L, 1, "bytes");
        b.pkt = (const uint8_t *)luaL_checklstring(L, -1, &len);
        b.len = len;
        lua_pop(L, 2);      /* the table keeps it alive */
    }
    b.l2 = opt_int(L, 1, "l2", 0);
    b.iface = opt_string(L, 1, "iface");
    lua_getfield(L, 1, "count");
    b.count = lua_isnil(L, -1) ? 1 : (uint64_t)luaL_checkinteger(L, -1);
    lua_pop(L, 1);
    b.loop = opt_int(L, 1, "loop", 0);
    lua_getfield(L, 1, "pps");
    b.pps = lua_isnil(L, -1) ? 0 : luaL_checknumber(L, -1);
    lua_pop(L, 1);
    lua_getfield(L, 1, "seed");
    b.seed = (uint64_t)luaL_optinteger(L, -1, 0);
    lua_pop(L, 1);
    if (lua_getfield(L, 1, "vary") == LUA_TTABLE) {
        int n = (int)lua_rawlen(L, -1);
        if (n > PK_MAXVARY)
            return luaL_error(L, "at most %d fields can vary", PK_MAXVARY);
        for (int i = 0; i < n; i++) {
            struct pk_vary *v = &vary[i];
            lua_rawgeti(L, -1, i + 1);
            int t = lua_gettop(L);
            v->off = (size_t)opt_int(L, t, "off", 0);
            v->width = opt_int(L, t, "width", 0);
            v->mode = opt_int(L, t, "random", 0) ? PK_VARY_RANDOM : PK_VARY_INC;
            lua_getfield(L, t, "lo");
            v->lo = (uint32_t)luaL_checkinteger(L, -1);
            lua_getfield(L, t, "hi");
            v->hi = (uint32_t)luaL_checkinteger(L, -1);
            lua_pop(L, 2);
            if ((v->width != 1 && v->width != 2 && v->width != 4) ||
                v->off + (size_t)v->width > b.len || v->lo > v->hi)
                return luaL_error(L, "vary: bad field %d", i + 1);
            if (lua_getfield(L, t, "cks") == LUA_TTABLE) {
                v->ncks = (int)lua_rawlen(L, -1);
                if (v->ncks > PK_MAXCKS)
                    return luaL_error(L, "vary: too many checksums");
                for (int c = 0; c < v->ncks; c++) {
                    lua_rawgeti(L, -1, c + 1);
                    lua_rawgeti(L, -1, 1);
                    v->cks[c] = (size_t)luaL_checkinteger(L, -1);
                    lua_rawgeti(L, -2, 2);
                    v->ck_udp[c] = lua_toboolean(L, -1);
                    lua_pop(L, 3);
                    if (v->cks[c] + 2 > b.len)
                        return luaL_error(L, "vary: bad checksum offset");
                }
            }
            lua_settop(L, t - 1);
        }
        b.vary = vary;
        b.nvary = n;
    }
    lua_pop(L, 1);
    rc = pk_send_bulk(&b, &sent, err);
    /* also in the table: Ctrl-C raises in the caller as soon as this
     * returns, before it can store the count */
    lua_pushinteger(L, (lua_Integer)sent);
    lua_setfield(L, 1, "sent");
    if (rc < 0) {
        fail(L, rc, err);
        lua_pushinteger(L, (lua_Integer)sent);
        return 4;
    }
    lua_pushinteger(L, (lua_Integer)sent);
    return 1;
}
static int l_send_l2(lua_State *L) { return do_send(L, 1); }

/* ---- interfaces, routes, neighbours -------------------------------- */

static void push_ipv4(lua_State *L, uint32_t a)
{
    char buf[16];
    pk_ipv4_format(a, buf);
    lua_pushstring(L, buf);
}

/* ifaces() -> {{name, index, up, loopback, mtu, mac, ipv4 = {...}, ipv6 = {...}}...} */
static int l_ifaces(lua_State *L)
{
    struct pk_iface all[64];
    char err[PK_ERRLEN], buf[64];
    int n = pk_iface_list(all, 64, err);
    if (n < 0)
        return fail(L, n, err);
    lua_createtable(L, n, 0);
    for (int i = 0; i < n; i++) {
        const struct pk_iface *f = &all[i];
        lua_createtable(L, 0, 8);
        lua_pushstring(L, f->name);
        lua_setfield(L, -2, "name");
        lua_pushinteger(L, f->index);
        lua_setfield(L, -2, "index");
        lua_pushboolean(L, f->up);
        lua_setfield(L, -2, "up");
        lua_pushboolean(L, f->loopback);
        lua_setfield(L, -2, "loopback");
        lua_pushinteger(L, f->mtu);
        lua_setfield(L, -2, "mtu");
        pk_mac_format(f->mac, buf);
        lua_pushstring(L, buf);
        lua_setfield(L, -2, "mac");
        lua_createtable(L, f->nv4, 0);
        for (int k = 0; k < f->nv4; k++) {
            push_ipv4(L, f->v4[k]);
            lua_rawseti(L, -2, k + 1);
        }
        lua_setfield(L, -2, "ipv4");
        lua_createtable(L, f->nv6, 0);
        for (int k = 0; k < f->nv6; k++) {
            pk_ipv6_format(f->v6[k], buf);
            lua_pushstring(L, buf);
            lua_rawseti(L, -2, k + 1);
        }
        lua_setfield(L, -2, "ipv6");
        lua_rawseti(L, -2, i + 1);
    }
    return 1;
}

/* route(dst) -> iface, src, gateway | nil, msg, kind */
static int l_route(lua_State *L)
{
    uint32_t dst;
    struct pk_route r;
    char err[PK_ERRLEN];
    int rc;
    if (pk_ipv4_parse(luaL_checkstring(L, 1), &dst) < 0)
        return luaL_argerror(L, 1, "not an IPv4 address");
    if ((rc = pk_route_get(dst, &r, err)) < 0)
        return fail(L, rc, err);
    lua_pushstring(L, r.iface);
    push_ipv4(L, r.src);
    if (r.gateway)
        push_ipv4(L, r.gateway);
    else
        lua_pushnil(L);
    return 3;
}

/* neigh(iface, ip) -> mac | nil */
static int l_neigh(lua_State *L)
{
    const char *iface = luaL_optstring(L, 1, NULL);
    uint32_t ip;
    uint64_t mac;
    char buf[18];
    if (pk_ipv4_parse(luaL_checkstring(L, 2), &ip) < 0)
        return luaL_argerror(L, 2, "not an IPv4 address");
    if (!pk_neigh_get(iface, ip, &mac))
        return 0;
    pk_mac_format(mac, buf);
    lua_pushstring(L, buf);
    return 1;
}

static void push_ipv6(lua_State *L, const uint8_t a[16])
{
    char buf[46];
    pk_ipv6_format(a, buf);
    lua_pushstring(L, buf);
}

static void check_ipv6(lua_State *L, int arg, uint8_t a[16])
{
    if (pk_ipv6_parse(luaL_checkstring(L, arg), a) < 0)
        luaL_argerror(L, arg, "not an IPv6 address");
}

/* route6(dst [, iface]) -> iface, src, gateway | nil, msg, kind */
static int l_route6(lua_State *L)
{
    uint8_t dst[16];
    struct pk_route6 r;
    char err[PK_ERRLEN];
    int rc;
    check_ipv6(L, 1, dst);
    if ((rc = pk_route6_get(dst, luaL_optstring(L, 2, NULL), &r, err)) < 0)
        return fail(L, rc, err);
    lua_pushstring(L, r.iface);
    push_ipv6(L, r.src);
    if (r.has_gateway)
        push_ipv6(L, r.gateway);
    else
        lua_pushnil(L);
    return 3;
}

/* neigh6(iface, ip) -> mac | nil */
static int l_neigh6(lua_State *L)
{
    const char *iface = luaL_optstring(L, 1, NULL);
    uint8_t ip[16];
    uint64_t mac;
    char buf[18];
    check_ipv6(L, 2, ip);
    if (!pk_neigh6_get(iface, ip, &mac))
        return 0;
    pk_mac_format(mac, buf);
    lua_pushstring(L, buf);
    return 1;
}

/* ---- capture file writer ------------------------------------------- */

struct lwriter {
    struct pk_pcapw *w;
};

/* pcap_writer(path, {format = "pcap" | "pcapng", nano =, linktype =,
 *             append =, comment =}) -> writer | nil, msg, kind */
static int l_pcap_writer(lua_State *L)
{
    static const char *const formats[] = { "pcap", "pcapng", NULL };
    const char *path = luaL_checkstring(L, 1);
    struct pk_pcapw_opts o;
    char err[PK_ERRLEN];
    struct lwriter *h;
    int rc;
    luaL_checktype(L, 2, LUA_TTABLE);
    lua_getfield(L, 2, "format");
    o.format = luaL_checkoption(L, -1, "pcap", formats) + 1;
    lua_pop(L, 1);
    o.nano = opt_int(L, 2, "nano", 0);
    o.linktype = opt_int(L, 2, "linktype", 1);
    o.append = opt_int(L, 2, "append", 0);
    o.comment = opt_string(L, 2, "comment");
    h = lua_newuserdatauv(L, sizeof *h, 0);
    h->w = NULL;
    luaL_setmetatable(L, WRITER);
    if ((rc = pk_pcapw_open(&h->w, path, &o, err)) < 0)
        return fail(L, rc, err);
    return 1;
}

static struct lwriter *check_writer(lua_State *L)
{
    struct lwriter *h = luaL_checkudata(L, 1, WRITER);
    if (!h->w)
        luaL_error(L, "pcap writer is closed");
    return h;
}

/* w:iface{linktype =, snaplen =, name =, description =, comment =}
 * -> id (from 0) | nil, msg, kind */
static int l_w_iface(lua_State *L)
{
    struct lwriter *h = check_writer(L);
    struct pk_iface_desc d;
    char err[PK_ERRLEN];
    int rc;
    luaL_checktype(L, 2, LUA_TTABLE);
    d.linktype = opt_int(L, 2, "linktype", 1);
    d.snaplen = (uint32_t)opt_int(L, 2, "snaplen", PK_MAXSNAP);
    d.name = opt_string(L, 2, "name");
    d.description = opt_string(L, 2, "description");
    d.comment = opt_string(L, 2, "comment");
    if ((rc = pk_pcapw_iface(h->w, &d, err)) < 0)
        return fail(L, rc, err);
    lua_pushinteger(L, rc);
    return 1;
}

/* w:write(bytes, sec, nsec [, wirelen [, ifid [, comment]]])
 * -> true | nil, msg, kind ("range": the format cannot hold a value) */
static int l_w_write(lua_State *L)
{
    struct lwriter *h = check_writer(L);
    char err[PK_ERRLEN];
    size_t len;
    lua_Integer wirelen, nsec;
    struct pk_frame f;
    int rc;
    memset(&f, 0, sizeof f);
    f.data = (const uint8_t *)luaL_checklstring(L, 2, &len);
    f.sec = luaL_checkinteger(L, 3);
    nsec = luaL_checkinteger(L, 4);
    wirelen = luaL_optinteger(L, 5, (lua_Integer)len);
    f.ifid = (uint32_t)luaL_optinteger(L, 6, 0);
    f.comment = luaL_optlstring(L, 7, NULL, &f.comment_len);
    if (len > UINT32_MAX || wirelen < 0 || wirelen > UINT32_MAX || nsec < 0 ||
        nsec >= 1000000000)
        return fail(L, PK_ERANGE, "a length or time out of range");
    f.caplen = (uint32_t)len;
    f.len = (uint32_t)wirelen;
    f.nsec = (int32_t)nsec;
    f.usec = f.nsec / 1000;
    if ((rc = pk_pcapw_write(h->w, &f, err)) < 0)
        return fail(L, rc, err);
    lua_pushboolean(L, 1);
    return 1;
}

static int l_w_flush(lua_State *L)
{
    char err[PK_ERRLEN];
    if (pk_pcapw_flush(check_writer(L)->w, err) < 0)
        return fail(L, PK_EIO, err);
    lua_pushboolean(L, 1);
    return 1;
}

/* w:close() -> true | nil, msg (the last writes failed: disk full) */
static int l_w_close(lua_State *L)
{
    struct lwriter *h = luaL_checkudata(L, 1, WRITER);
    char err[PK_ERRLEN];
    int rc = pk_pcapw_close(h->w, err);
    h->w = NULL;
    if (rc < 0)
        return fail(L, rc, err);
    lua_pushboolean(L, 1);
    return 1;
}

/* pcap_probe(path) -> {format =, nano =, linktype =} | false (missing or
 * empty) | nil, msg, kind */
static int l_pcap_probe(lua_State *L)
{
    struct pk_file_info fi;
    char err[PK_ERRLEN];
    int rc = pk_pcapfile_probe(luaL_checkstring(L, 1), &fi, err);
    if (rc < 0)
        return fail(L, rc, err);
    if (rc == 0) {
        lua_pushboolean(L, 0);
        return 1;
    }
    push_file_info(L, &fi);
    return 1;
}

/* ---- link types and matching --------------------------------------- */

/* linktype_of(class_name) -> the LINKTYPE_ of frames starting with that
 * protocol | nil */
static int l_linktype_of(lua_State *L)
{
    const struct pk_proto *p = pk_proto_find(luaL_checkstring(L, 1));
    int lt = p ? pk_proto_linktype(p) : -1;
    if (lt < 0)
        return 0;
    lua_pushinteger(L, lt);
    return 1;
}

/* Dissects bytes and returns the index of the first layer of proto
 * `start` (or 0), so layer-3 requests meet captured frames. */
static int dissect_from(lua_State *L, int arg, struct pk_layer *ls, int *n,
                        const struct pk_proto *start)
{
    size_t len;
    const uint8_t *b = (const uint8_t *)luaL_checklstring(L, arg + 1, &len);
    *n = pk_dissect(pk_lua_checkproto(L, arg), b, len, ls, PK_MAXLAYERS);
    for (int i = 0; start && i < *n; i++)
        if (ls[i].proto == start)
            return i;
    return start ? -1 : 0;
}

/* match_key(proto_id, bytes [, start_proto_id]) -> key, offset | nil
 * offset: where the start layer begins in bytes, so a layer-3 sr()
 * hands back the reply from its IP header on. */
static int l_match_key(lua_State *L)
{
    struct pk_layer ls[PK_MAXLAYERS];
    uint8_t key[256];
    int n, i;
    const struct pk_proto *start = lua_isnoneornil(L, 3) ? NULL : pk_lua_checkproto(L, 3);
    i = dissect_from(L, 1, ls, &n, start);
    if (i < 0)
        return 0;
    lua_pushlstring(L, (const char *)key, pk_match_key(ls + i, n - i, key, sizeof key));
    lua_pushinteger(L, i < n ? (lua_Integer)ls[i].off : 0);
    return 2;
}

/* answers(req_proto, req_bytes, rep_proto, rep_bytes) -> boolean */
static int l_answers(lua_State *L)
{
    struct pk_layer req[PK_MAXLAYERS], rep[PK_MAXLAYERS];
    int nq, nr;
    dissect_from(L, 1, req, &nq, NULL);
    dissect_from(L, 3, rep, &nr, NULL);
    lua_pushboolean(L, pk_answers(req, nq, rep, nr));
    return 1;
}

/* now() -> seconds from a monotonic clock, with fractions */
static int l_now(lua_State *L)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    lua_pushnumber(L, (lua_Number)ts.tv_sec + ts.tv_nsec / 1e9);
    return 1;
}

/* walltime() -> seconds since the epoch, with fractions (packet times) */
static int l_walltime(lua_State *L)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    lua_pushnumber(L, (lua_Number)ts.tv_sec + ts.tv_nsec / 1e9);
    return 1;
}

/* sleep(seconds): interrupted early by a signal, so Ctrl-C stays prompt */
static int l_sleep(lua_State *L)
{
    lua_Number s = luaL_checknumber(L, 1);
    struct timespec ts;
    if (s <= 0)
        return 0;
    ts.tv_sec = (time_t)s;
    ts.tv_nsec = (long)((s - (lua_Number)ts.tv_sec) * 1e9);
    nanosleep(&ts, NULL);
    return 0;
}

static const luaL_Reg funcs[] = {
    { "now", l_now },
    { "walltime", l_walltime },
    { "sleep", l_sleep },
    { "capture_open", l_capture_open },
    { "capture_file", l_capture_file },
    { "send_l3", l_send_l3 },
    { "send_bulk", l_send_bulk },
    { "send_l2", l_send_l2 },
    { "ifaces", l_ifaces },
    { "route", l_route },
    { "neigh", l_neigh },
    { "route6", l_route6 },
    { "neigh6", l_neigh6 },
    { "pcap_writer", l_pcap_writer },
    { "pcap_probe", l_pcap_probe },
    { "linktype_of", l_linktype_of },
    { "linktype_proto", l_linktype_proto },
    { "match_key", l_match_key },
    { "answers", l_answers },
    { NULL, NULL },
};

static const luaL_Reg cap_methods[] = {
    { "next", l_cap_next },
    { "count", l_cap_count },
    { "info", l_cap_info },
    { "fileinfo", l_cap_fileinfo },
    { "stats", l_cap_stats },
    { "fd", l_cap_fd },
    { "close", l_cap_close },
    { NULL, NULL },
};

static const luaL_Reg writer_methods[] = {
    { "iface", l_w_iface },
    { "write", l_w_write },
    { "flush", l_w_flush },
    { "close", l_w_close },
    { NULL, NULL },
};

static void new_class(lua_State *L, const char *name, const luaL_Reg *methods,
                      lua_CFunction close)
{
    luaL_newmetatable(L, name);
    lua_newtable(L);
    luaL_setfuncs(L, methods, 0);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, close);
    lua_setfield(L, -2, "__gc");
    lua_pushcfunction(L, close);
    lua_setfield(L, -2, "__close");
    lua_pop(L, 1);
}

/* Adds the network functions to the module table on the stack top. */
void pk_open_net(lua_State *L)
{
    new_class(L, CAPTURE, cap_methods, l_cap_close);
    new_class(L, WRITER, writer_methods, l_w_close);
    luaL_setfuncs(L, funcs, 0);
}
