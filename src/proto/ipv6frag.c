/*
 * ipv6frag.c - the IPv6 Fragment extension header (RFC 8200 4.5), with
 * Scapy's names.  A fragment other than the first carries no transport
 * header; the lengths and checksums above a first fragment describe the
 * whole packet, summed with the IPv6 header's addresses.
 */
#include "ipv6.h"

enum { NH, RES1, OFFSET, RES2, M, ID };

static const struct pk_field fields[] = {
    { .name = "nh", .type = PK_INT, .bits = 8, .def = 59,
      .flags = PK_FF_AUTO | PK_FF_PSEUDO, .role = PK_ROLE_NEXT, .cls = "ipv6.nh" },
    { .name = "res1", .type = PK_INT, .bits = 8 },
    { .name = "offset", .type = PK_INT, .bits = 13 },
    { .name = "res2", .type = PK_INT, .bits = 2 },
    { .name = "m", .type = PK_INT, .bits = 1 },
    { .name = "id", .type = PK_INT, .bits = 32 },
};

static int fragment(const struct pk_layer *l)
{
    return pk_layer_u(l, M) || pk_layer_u(l, OFFSET) != 0;
}

static const struct pk_proto *next(const struct pk_layer *l, int *decided)
{
    if (l->v[OFFSET].u != 0) {
        *decided = 1;
        return &pk_proto_raw;
    }
    return NULL;
}

/* The upper-layer protocol in the pseudo-header is this header's next
 * header, not the IPv6 header's (44). */
static uint32_t pseudo_sum(const struct pk_layer *l, const uint8_t *pkt,
                           size_t seglen)
{
    return pk_ipv6_pseudo(l, pkt, seglen, pkt[l->off]);
}

static const struct pk_bind binds[] = {
    { "ipv6.nh", 44, 0 },
};

struct pk_proto pk_proto_ipv6frag = {
    .name = "IPv6ExtHdrFragment", .longname = "IPv6 Extension Header - Fragmentation header",
    .fields = fields, .nfields = PK_NFIELDS(fields),
    .binds = binds, .nbinds = PK_NFIELDS(binds),
    .quotable = 1,
    .fragment = fragment, .next = next, .pseudo_sum = pseudo_sum,
};
