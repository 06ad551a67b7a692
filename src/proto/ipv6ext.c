/*
 * ipv6ext.c - the IPv6 extension headers with options and the routing
 * header (RFC 8200 4.3, 4.4, 4.6), with Scapy's names and defaults.  Their
 * length counts 8-octet units after the first; options are a TLV list
 * whose lengths exclude the option's two header bytes, padded with Pad1
 * or PadN to a multiple of 8 as Scapy's autopad does; unknown options
 * are kept raw.  A type 0 routing header lists addresses; the
 * pseudo-header of the transport above uses its last (ipv6.c).
 */
#include "ipv6.h"
#include "../codec.h"

/* ---- options of hop-by-hop and destination options headers ------------- */

static const struct pk_tlvitem u16[] = { { NULL, PK_TLVT_UINT, 2, 0, NULL } };
static const struct pk_tlvitem u32[] = { { NULL, PK_TLVT_UINT, 4, 0, NULL } };
static const struct pk_tlvitem addr[] = { { NULL, PK_TLVT_IPV6, 0, 0, NULL } };
static const struct pk_tlvitem pad[] = { { NULL, PK_TLVT_BYTES, 0, 0, NULL } };

static const struct pk_tlvkind kinds[] = {
    { 0, PK_TLVK_SINGLE, "Pad1", NULL, 0, 0, 0 },
    { 1, 0, "PadN", pad, 1, 0, 0 },
    { 5, 0, "RouterAlert", u16, 1, 0, 0 },          /* RFC 2711 */
    { 0xc2, 0, "Jumbo", u32, 1, 0, 0 },             /* RFC 2675 */
    { 0xc9, 0, "HAO", addr, 1, 0, 0 },              /* RFC 6275 6.3 */
    { 0, 0, NULL, NULL, 0, 0, 0 },
};

/* Their alignment, which Scapy's autopad keeps too. */
static const struct pk_tlvalign align[] = {
    { 5, 2, 0 }, { 0xc2, 4, 2 }, { 0xc9, 8, 6 }, { 0, 0, 0 },
};

static const struct pk_tlvfam options = {
    .name = "IPv6 options", .type_bytes = 1, .len_bytes = 1, .unit = 1,
    .len_hdr = 0, .end_kind = -1, .fill = PK_TLV_FILL_PAD8, .kinds = kinds,
    .align = align,
};

/* No options: the header padded to 8 bytes by a PadN of 4 zeros. */
static const uint8_t padn4[] = { 1, 4, 0, 0, 0, 0 };

enum { NH, LEN, OPTIONS };

#define NEXT_HEADER                                                           \
    { .name = "nh", .type = PK_INT, .bits = 8, .def = 59,                     \
      .flags = PK_FF_AUTO | PK_FF_PSEUDO, .names = pk_ipv6_nhs, .role = PK_ROLE_NEXT, \
      .cls = "ipv6.nh" }
#define LENGTH                                                                \
    { .name = "len", .type = PK_INT, .bits = 8, .flags = PK_FF_AUTO,          \
      .role = PK_ROLE_LEN, .cover = PK_COVER_HDR, .unit = 8, .adj = -1 }

static const struct pk_field opt_fields[] = {
    NEXT_HEADER,
    LENGTH,
    { .name = "options", .type = PK_TLV, .fam = &options, .defp = padn4,
      .deflen = sizeof padn4 },
};

/* The upper-layer protocol in the pseudo-header is this header's next
 * header (its first byte). */
static uint32_t pseudo_sum(const struct pk_layer *l, const uint8_t *pkt, size_t seglen)
{
    return pk_ipv6_pseudo(l, pkt, seglen, pkt[l->off]);
}

static const struct pk_bind hbh_binds[] = { { "ipv6.nh", 0, 0 } };
static const struct pk_bind dst_binds[] = { { "ipv6.nh", 60, 0 } };
static const struct pk_bind rt_binds[] = { { "ipv6.nh", 43, 0 } };

struct pk_proto pk_proto_ipv6hopbyhop = {
    .name = "IPv6ExtHdrHopByHop", .longname = "IPv6 Extension Header - Hop-by-Hop Options Header",
    .fields = opt_fields, .nfields = PK_NFIELDS(opt_fields),
    .binds = hbh_binds, .nbinds = 1, .quotable = 1, .pseudo_sum = pseudo_sum,
};

struct pk_proto pk_proto_ipv6destopt = {
    .name = "IPv6ExtHdrDestOpt", .longname = "IPv6 Extension Header - Destination Options Header",
    .fields = opt_fields, .nfields = PK_NFIELDS(opt_fields),
    .binds = dst_binds, .nbinds = 1, .quotable = 1, .pseudo_sum = pseudo_sum,
};

/* ---- the routing header ------------------------------------------------- */

enum { RNH, RLEN, TYPE, SEGLEFT, RESERVED, ADDRESSES };

static const struct pk_field rt_fields[] = {
    NEXT_HEADER,
    LENGTH,
    { .name = "type", .type = PK_INT, .bits = 8 },
    { .name = "segleft", .type = PK_INT, .bits = 8, .flags = PK_FF_AUTO },
    { .name = "reserved", .type = PK_INT, .bits = 32 },
    { .name = "addresses", .type = PK_IPV6S },
};

/* Unset, segments left is the number of addresses, as Scapy builds it. */
static void rt_prepare(struct pk_layer *ls, int i, int n)
{
    struct pk_layer *l = &ls[i];
    (void)n;
    if (!(l->set >> SEGLEFT & 1))
        pk_layer_setu(l, SEGLEFT, pk_layer_p(l, ADDRESSES).len / 16);
}

struct pk_proto pk_proto_ipv6routing = {
    .name = "IPv6ExtHdrRouting", .longname = "IPv6 Option Header Routing",
    .fields = rt_fields, .nfields = PK_NFIELDS(rt_fields),
    .binds = rt_binds, .nbinds = 1, .quotable = 1,
    .prepare = rt_prepare, .pseudo_sum = pseudo_sum,
};

/* The home address a destination options header l gives, Scapy's
 * rule for the pseudo-header's source (RFC 6275 6.3): its only option
 * besides padding is a Home Address; else NULL. */
const uint8_t *pk_ipv6_home_addr(const struct pk_layer *l)
{
    struct pk_tlv o[8];
    struct pk_val v;
    const uint8_t *home = NULL;
    int n;
    if (l->proto != &pk_proto_ipv6destopt && l->proto->quoted != &pk_proto_ipv6destopt)
        return NULL;
    v = pk_layer_p(l, OPTIONS);
    n = pk_tlv_decode(&options, v.p, v.len, o, 8);
    for (int i = 0; i < n; i++) {
        if (o[i].kind == 0 || o[i].kind == 1)
            continue;
        if (home || o[i].kind != 0xc9 || o[i].status != PK_TLV_OK || o[i].len != 16)
            return NULL;
        home = o[i].data;
    }
    return home;
}

/* The final destination a routing header l names, for the
 * pseudo-header (RFC 8200 8.1): its last address while segments are
 * left; NULL when it names none. */
const uint8_t *pk_ipv6_final_dst(const struct pk_layer *l)
{
    struct pk_val a;
    if (l->proto != &pk_proto_ipv6routing && l->proto->quoted != &pk_proto_ipv6routing)
        return NULL;
    a = pk_layer_p(l, ADDRESSES);
    return pk_layer_u(l, SEGLEFT) && a.len >= 16 ? a.p + a.len - 16 : NULL;
}
