/*
 * icmpv6nd.c - IPv6 neighbour discovery messages (RFC 4861 4): router
 * solicitation and advertisement, neighbour solicitation and
 * advertisement, redirect, with Scapy's names and defaults.  Like
 * Scapy, an unset IPv6 destination and hop limit under them become the
 * all-nodes (all-routers for a solicitation) group and 255.  Their
 * options follow as layers (icmpv6ndopt.c).
 */
#include <string.h>

#include "icmpv6.h"

static const struct pk_name prefs[] = {
    { 0, "Medium (default)" }, { 1, "High" }, { 2, "Reserved" }, { 3, "Low" },
    { 0, NULL },
};

static const struct pk_field rs_fields[] = {
    PK_ICMPV6_HEAD(133, NULL),
    { .name = "res", .type = PK_INT, .bits = 32 },
};

static const struct pk_field ra_fields[] = {
    PK_ICMPV6_HEAD(134, NULL),
    { .name = "chlim", .type = PK_INT, .bits = 8 },
    { .name = "M", .type = PK_INT, .bits = 1 },
    { .name = "O", .type = PK_INT, .bits = 1 },
    { .name = "H", .type = PK_INT, .bits = 1 },
    { .name = "prf", .type = PK_INT, .bits = 2, .def = 1, .names = prefs },
    { .name = "P", .type = PK_INT, .bits = 1 },
    { .name = "res", .type = PK_INT, .bits = 2 },
    { .name = "routerlifetime", .type = PK_INT, .bits = 16, .def = 1800 },
    { .name = "reachabletime", .type = PK_INT, .bits = 32 },
    { .name = "retranstimer", .type = PK_INT, .bits = 32 },
};

enum { NS_TGT = 4, NA_TGT = 7 };

static const struct pk_field ns_fields[] = {
    PK_ICMPV6_HEAD(135, NULL),
    { .name = "res", .type = PK_INT, .bits = 32 },
    { .name = "tgt", .type = PK_IPV6, .bits = 128, .defp = PK_V6DEF(pk_ipv6_unspecified) },
};

static const struct pk_field na_fields[] = {
    PK_ICMPV6_HEAD(136, NULL),
    { .name = "R", .type = PK_INT, .bits = 1, .def = 1 },
    { .name = "S", .type = PK_INT, .bits = 1 },
    { .name = "O", .type = PK_INT, .bits = 1, .def = 1 },
    { .name = "res", .type = PK_INT, .bits = 29, .flags = PK_FF_HEX },
    { .name = "tgt", .type = PK_IPV6, .bits = 128, .defp = PK_V6DEF(pk_ipv6_unspecified) },
};

static const struct pk_field redirect_fields[] = {
    PK_ICMPV6_HEAD(137, NULL),
    { .name = "res", .type = PK_INT, .bits = 32, .flags = PK_FF_HEX },
    { .name = "tgt", .type = PK_IPV6, .bits = 128, .defp = PK_V6DEF(pk_ipv6_unspecified) },
    { .name = "dst", .type = PK_IPV6, .bits = 128, .defp = PK_V6DEF(pk_ipv6_unspecified) },
};

extern struct pk_proto pk_proto_icmpv6nd_rs, pk_proto_icmpv6nd_ns;

static const uint8_t all_nodes[16] = { 0xff, 2, [15] = 1 };
static const uint8_t all_routers[16] = { 0xff, 2, [15] = 2 };

/* Scapy's overload of the IPv6 header right below: the group and a hop
 * limit of 255, which receivers require (RFC 4861 6.1.1, 7.1.1). */
static void prepare(struct pk_layer *ls, int i, int n)
{
    struct pk_layer *ip;
    int dst, hlim;
    (void)n;
    if (i == 0 || ls[i - 1].proto != &pk_proto_ipv6)
        return;
    ip = &ls[i - 1];
    dst = pk_field_find(ip->proto, "dst");
    hlim = pk_field_find(ip->proto, "hlim");
    if (dst >= 0 && !(ip->set >> dst & 1))
        pk_layer_setp(ip, dst, ls[i].proto == &pk_proto_icmpv6nd_rs ? all_routers : all_nodes, 16);
    if (hlim >= 0 && !(ip->set >> hlim & 1))
        pk_layer_setu(ip, hlim, 255);
}

static const uint8_t *tgt(const struct pk_layer *l, int f)
{
    struct pk_val v = pk_layer_p(l, f);
    return v.len == 16 ? v.p : pk_ipv6_unspecified;
}

/* A solicitation and its advertisement share the target. */
static size_t tgt_key(const struct pk_layer *l, int f, uint8_t *key, size_t cap)
{
    if (cap < 16)
        return 0;
    memcpy(key, tgt(l, f), 16);
    return 16;
}

static size_t ns_hashret(const struct pk_layer *ls, int i, int n, uint8_t *key,
                         size_t cap)
{
    (void)n;
    return tgt_key(&ls[i], NS_TGT, key, cap);
}

static size_t na_hashret(const struct pk_layer *ls, int i, int n, uint8_t *key,
                         size_t cap)
{
    (void)n;
    return tgt_key(&ls[i], NA_TGT, key, cap);
}

/* An advertisement answers a solicitation for its target. */
static int na_answers(const struct pk_layer *req, int i, int nreq,
                      const struct pk_layer *rep, int j, int nrep)
{
    (void)nreq, (void)nrep;
    return req[i].proto == &pk_proto_icmpv6nd_ns &&
           memcmp(tgt(&req[i], NS_TGT), tgt(&rep[j], NA_TGT), 16) == 0;
}

static int ra_answers(const struct pk_layer *req, int i, int nreq,
                      const struct pk_layer *rep, int j, int nrep)
{
    (void)nreq, (void)nrep, (void)rep, (void)j;
    return req[i].proto == &pk_proto_icmpv6nd_rs;
}

static const struct pk_sumfmt ra_summary[] = {
    { -1, 0, "ICMPv6 Neighbor Discovery - Router Advertisement Lifetime %routerlifetime% "
             "Hop Limit %chlim% Preference %prf% Managed %M% Other %O% Home %H%" },
    { -1, 0, NULL },
};
static const struct pk_sumfmt ns_summary[] = {
    { -1, 0, "ICMPv6 Neighbor Discovery - Neighbor Solicitation (tgt: %tgt%)" },
    { -1, 0, NULL },
};
static const struct pk_sumfmt na_summary[] = {
    { -1, 0, "ICMPv6 Neighbor Discovery - Neighbor Advertisement (tgt: %tgt%)" },
    { -1, 0, NULL },
};

#define ND(id, nm, lnm, flds, nf, ...)                                      \
    struct pk_proto pk_proto_##id = {                                       \
        .name = nm, .longname = lnm, .fields = flds, .nfields = nf,         \
        .binds = pk_icmpv6_binds, .nbinds = 1, .quotable = 1,               \
        .dispatch = pk_icmpv6_dispatch, .prepare = prepare,                 \
        .peek = "icmpv6.ndopt", __VA_ARGS__                                 \
    }

ND(icmpv6nd_rs, "ICMPv6ND_RS", "ICMPv6 Neighbor Discovery - Router Solicitation",
   rs_fields, PK_NFIELDS(rs_fields), .summary = NULL);
ND(icmpv6nd_ra, "ICMPv6ND_RA", "ICMPv6 Neighbor Discovery - Router Advertisement",
   ra_fields, PK_NFIELDS(ra_fields), .summary = ra_summary, .answers = ra_answers);
ND(icmpv6nd_ns, "ICMPv6ND_NS", "ICMPv6 Neighbor Discovery - Neighbor Solicitation",
   ns_fields, PK_NFIELDS(ns_fields), .summary = ns_summary, .hashret = ns_hashret);
ND(icmpv6nd_na, "ICMPv6ND_NA", "ICMPv6 Neighbor Discovery - Neighbor Advertisement",
   na_fields, PK_NFIELDS(na_fields), .summary = na_summary, .hashret = na_hashret, .answers = na_answers);
ND(icmpv6nd_redirect, "ICMPv6ND_Redirect", "ICMPv6 Neighbor Discovery - Redirect",
   redirect_fields, PK_NFIELDS(redirect_fields), .summary = NULL);

int pk_icmpv6_is_nd(const struct pk_proto *p)
{
    return p == &pk_proto_icmpv6nd_rs || p == &pk_proto_icmpv6nd_ra ||
           p == &pk_proto_icmpv6nd_ns || p == &pk_proto_icmpv6nd_na;
}

int pk_icmpv6_sets_dst(const struct pk_proto *p)
{
    return pk_icmpv6_is_nd(p) || p == &pk_proto_icmpv6nd_redirect;
}
