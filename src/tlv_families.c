/*
 * tlv_families.c - IPv6 Neighbor Discovery's option family (RFC 4861
 * 4.6, RFC 8106 5.1), which the TLV engine (tlv.c) describes though ND
 * options are layers of their own (proto/icmpv6ndopt.c): the codec's
 * tests and fuzz target run it.  Names are Scapy's.  TCP's, IPv4's and
 * DHCP's families live with their protocols.
 */
#include "codec.h"

#define ITEMS(a) (a), (uint8_t)(sizeof(a) / sizeof((a)[0]))

static const struct pk_tlvitem mac[] = { { "lladdr", PK_TLVT_MAC, 0, 0, NULL } };

/* ND: the length counts the whole option in 8-octet units; 0 is
 * invalid; values are zero-filled to the unit. */
static const struct pk_tlvitem prefix[] = {
    { "prefixlen", PK_TLVT_UINT, 1, 0, NULL },
    { "flags", PK_TLVT_UINT, 1, 0, NULL },     /* L 0x80, A 0x40, R 0x20 */
    { "validlifetime", PK_TLVT_UINT, 4, 0, NULL },
    { "preferredlifetime", PK_TLVT_UINT, 4, 0, NULL },
    { "res2", PK_TLVT_UINT, 4, 0, NULL },
    { "prefix", PK_TLVT_IPV6, 0, 0, NULL },
};
static const struct pk_tlvitem mtu[] = {
    { "res", PK_TLVT_UINT, 2, 0, NULL }, { "mtu", PK_TLVT_UINT, 4, 0, NULL },
};
static const struct pk_tlvitem rdnss[] = {
    { "res", PK_TLVT_UINT, 2, 0, NULL }, { "lifetime", PK_TLVT_UINT, 4, 0, NULL },
    { "dns", PK_TLVT_IPV6, 0, 1, NULL },
};

static const struct pk_tlvkind nd_kinds[] = {
    { 1, 0, "src_lladdr", ITEMS(mac), 0, 0 },
    { 2, 0, "dst_lladdr", ITEMS(mac), 0, 0 },
    { 3, 0, "prefix_info", ITEMS(prefix), 0, 0 },
    { 5, 0, "mtu", ITEMS(mtu), 0, 0 },
    { 25, 0, "rdnss", ITEMS(rdnss), 22, 0 },  /* at least one address */
    { 0, 0, NULL, NULL, 0, 0, 0 },
};

const struct pk_tlvfam pk_tlv_nd = {
    .name = "ND options", .type_bytes = 1, .len_bytes = 1, .unit = 8,
    .len_hdr = 1, .end_kind = -1, .fill = PK_TLV_FILL_NONE,
    .kinds = nd_kinds,
};
