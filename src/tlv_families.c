/*
 * tlv_families.c - option families the TLV engine (tlv.c) describes
 * that no descriptor uses as a list: IPv4's (RFC 791 3.1, RFC 2113;
 * IPv4 keeps its options as bytes) and IPv6 Neighbor Discovery's (RFC
 * 4861 4.6, RFC 8106 5.1; ND options are layers).  The codec's tests and
 * fuzz target run them.  Names are Scapy's.  TCP's and DHCP's live with
 * their protocols.
 */
#include "codec.h"

#define ITEMS(a) (a), (uint8_t)(sizeof(a) / sizeof((a)[0]))

static const struct pk_tlvitem mac[] = { { "lladdr", PK_TLVT_MAC, 0, 0, NULL } };

/* IPv4: the length counts kind and length; a route is a pointer and
 * addresses. */
static const struct pk_tlvitem route[] = {
    { "pointer", PK_TLVT_UINT, 1, 0, NULL }, { "routers", PK_TLVT_IPV4, 0, 1, NULL },
};
static const struct pk_tlvitem tstamp[] = {
    { "pointer", PK_TLVT_UINT, 1, 0, NULL }, { "oflw_flg", PK_TLVT_UINT, 1, 0, NULL },
    { "timestamps", PK_TLVT_UINT, 4, 1, NULL },
};
static const struct pk_tlvitem alert[] = { { "alert", PK_TLVT_UINT, 2, 0, NULL } };

static const struct pk_tlvkind ipv4_kinds[] = {
    { 0, PK_TLVK_SINGLE, "end_of_list", NULL, 0, 0, 0 },
    { 1, PK_TLVK_SINGLE, "nop", NULL, 0, 0, 0 },
    { 7, 0, "record_route", ITEMS(route), 0, 0 },
    { 68, 0, "timestamp", ITEMS(tstamp), 0, 0 },
    { 131, 0, "loose_source_route", ITEMS(route), 0, 0 },
    { 137, 0, "strict_source_route", ITEMS(route), 0, 0 },
    { 148, 0, "router_alert", ITEMS(alert), 0, 0 },
    { 0, 0, NULL, NULL, 0, 0, 0 },
};

const struct pk_tlvfam pk_tlv_ipv4 = {
    .name = "IPv4 options", .type_bytes = 1, .len_bytes = 1, .unit = 1,
    .len_hdr = 1, .end_kind = 0, .fill = PK_TLV_FILL_ALIGN4, .max_bytes = 40,
    .kinds = ipv4_kinds,
};

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
