/*
 * tlv_families.c - the option families the TLV engine (tlv.c) is shown
 * to describe: TCP (RFC 9293 3.2, RFC 7323, RFC 2018), IPv4 (RFC 791
 * 3.1, RFC 2113) and IPv6 Neighbor Discovery (RFC 4861 4.6, RFC 8106
 * 5.1).  Names are Scapy's.  DHCP's lives with its protocol (proto/dhcp.c).
 */
#include "codec.h"

#define ITEMS(a) (a), (uint8_t)(sizeof(a) / sizeof((a)[0]))

static const struct pk_tlvitem u8[] = { { NULL, PK_TLVT_UINT, 1, 0, NULL } };
static const struct pk_tlvitem u16[] = { { NULL, PK_TLVT_UINT, 2, 0, NULL } };
static const struct pk_tlvitem u32s[] = { { NULL, PK_TLVT_UINT, 4, 1, NULL } };
static const struct pk_tlvitem u32x2[] = {
    { NULL, PK_TLVT_UINT, 4, 0, NULL }, { NULL, PK_TLVT_UINT, 4, 0, NULL },
};
static const struct pk_tlvitem mac[] = { { "lladdr", PK_TLVT_MAC, 0, 0, NULL } };

/* TCP: the length counts kind and length; zeros after EOL align the
 * header to 32 bits; at most 40 bytes (data offset 15). */
static const struct pk_tlvkind tcp_kinds[] = {
    { 0, PK_TLVK_SINGLE, "EOL", NULL, 0, 0, 0 },
    { 1, PK_TLVK_SINGLE, "NOP", NULL, 0, 0, 0 },
    { 2, 0, "MSS", ITEMS(u16), 0, 0 },
    { 3, 0, "WScale", ITEMS(u8), 0, 0 },
    { 4, 0, "SAckOK", NULL, 0, 0, 0 },
    { 5, 0, "SAck", ITEMS(u32s), 8, 32 },
    { 8, 0, "Timestamp", ITEMS(u32x2), 0, 0 },
    { 0, 0, NULL, NULL, 0, 0, 0 },
};

const struct pk_tlvfam pk_tlv_tcp = {
    .name = "TCP options", .type_bytes = 1, .len_bytes = 1, .unit = 1,
    .len_hdr = 1, .end_kind = 0, .fill = PK_TLV_FILL_ALIGN4, .max_bytes = 40,
    .kinds = tcp_kinds,
};

/* IPv4: the same rule as TCP; a route is a pointer and addresses. */
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
