/*
 * icmpv6ndopt.c - the options of IPv6 neighbour discovery (RFC 4861
 * 4.6, RFC 8106 5.1), each a layer of its own as Scapy has them:
 * source and target link-layer address, prefix information, MTU and
 * recursive DNS servers.  What follows a message or an option is chosen
 * by its first byte, the option type (peek class "icmpv6.ndopt"); a
 * type without a layer stays Raw.  Lengths count 8-byte units.
 */
#include "icmpv6.h"

/* The type, and the length of the whole option in 8 bytes, computed. */
#define OPT_HEAD(deftype)                                                   \
    { .name = "type", .type = PK_INT, .bits = 8, .def = (deftype) },        \
    { .name = "len", .type = PK_INT, .bits = 8, .flags = PK_FF_AUTO,        \
      .role = PK_ROLE_LEN, .cover = PK_COVER_HDR, .unit = 8 }

static const struct pk_field srcll_fields[] = {
    OPT_HEAD(1),
    { .name = "lladdr", .type = PK_MAC, .bits = 48 },
};
static const struct pk_field dstll_fields[] = {
    OPT_HEAD(2),
    { .name = "lladdr", .type = PK_MAC, .bits = 48 },
};

static const struct pk_field prefix_fields[] = {
    OPT_HEAD(3),
    { .name = "prefixlen", .type = PK_INT, .bits = 8, .def = 64 },
    { .name = "L", .type = PK_INT, .bits = 1, .def = 1 },
    { .name = "A", .type = PK_INT, .bits = 1, .def = 1 },
    { .name = "R", .type = PK_INT, .bits = 1 },
    { .name = "res1", .type = PK_INT, .bits = 5 },
    { .name = "validlifetime", .type = PK_INT, .bits = 32, .def = 0xffffffff,
      .flags = PK_FF_HEX },
    { .name = "preferredlifetime", .type = PK_INT, .bits = 32, .def = 0xffffffff,
      .flags = PK_FF_HEX },
    { .name = "res2", .type = PK_INT, .bits = 32, .flags = PK_FF_HEX },
    { .name = "prefix", .type = PK_IPV6, .bits = 128, .defp = PK_V6DEF(pk_ipv6_unspecified) },
};

static const struct pk_field mtu_fields[] = {
    OPT_HEAD(5),
    { .name = "res", .type = PK_INT, .bits = 16, .flags = PK_FF_HEX },
    { .name = "mtu", .type = PK_INT, .bits = 32, .def = 1280 },
};

/* The servers' addresses fill the rest of the option: a list, as
 * Scapy's. */
static const struct pk_field rdnss_fields[] = {
    OPT_HEAD(25),
    { .name = "res", .type = PK_INT, .bits = 16 },
    { .name = "lifetime", .type = PK_INT, .bits = 32, .def = 0xffffffff },
    { .name = "dns", .type = PK_IPV6S },
};

static const struct pk_sumfmt srcll_summary[] = {
    { -1, 0, "ICMPv6 Neighbor Discovery Option - Source Link-Layer Address %lladdr%" },
    { -1, 0, NULL },
};
static const struct pk_sumfmt dstll_summary[] = {
    { -1, 0, "ICMPv6 Neighbor Discovery Option - Destination Link-Layer Address %lladdr%" },
    { -1, 0, NULL },
};
static const struct pk_sumfmt prefix_summary[] = {
    { -1, 0, "ICMPv6 Neighbor Discovery Option - Prefix Information %prefix%/%prefixlen% "
             "On-link %L% Autonomous Address %A% Router Address %R%" },
    { -1, 0, NULL },
};
static const struct pk_sumfmt mtu_summary[] = {
    { -1, 0, "ICMPv6 Neighbor Discovery Option - MTU %mtu%" },
    { -1, 0, NULL },
};

static const struct pk_bind srcll_binds[] = { { "icmpv6.ndopt", 1, 0 } };
static const struct pk_bind dstll_binds[] = { { "icmpv6.ndopt", 2, 0 } };
static const struct pk_bind prefix_binds[] = { { "icmpv6.ndopt", 3, 0 } };
static const struct pk_bind mtu_binds[] = { { "icmpv6.ndopt", 5, 0 } };
static const struct pk_bind rdnss_binds[] = { { "icmpv6.ndopt", 25, 0 } };

#define NDOPT(id, nm, lnm, flds, bnds, sum)                                 \
    struct pk_proto pk_proto_##id = {                                       \
        .name = nm, .longname = lnm, .fields = flds, .nfields = PK_NFIELDS(flds), \
        .binds = bnds, .nbinds = 1, .summary = sum, .peek = "icmpv6.ndopt", \
    }

NDOPT(icmpv6ndoptsrclladdr, "ICMPv6NDOptSrcLLAddr",
      "ICMPv6 Neighbor Discovery Option - Source Link-Layer Address",
      srcll_fields, srcll_binds, srcll_summary);
NDOPT(icmpv6ndoptdstlladdr, "ICMPv6NDOptDstLLAddr",
      "ICMPv6 Neighbor Discovery Option - Destination Link-Layer Address",
      dstll_fields, dstll_binds, dstll_summary);
NDOPT(icmpv6ndoptprefixinfo, "ICMPv6NDOptPrefixInfo",
      "ICMPv6 Neighbor Discovery Option - Prefix Information",
      prefix_fields, prefix_binds, prefix_summary);
NDOPT(icmpv6ndoptmtu, "ICMPv6NDOptMTU", "ICMPv6 Neighbor Discovery Option - MTU",
      mtu_fields, mtu_binds, mtu_summary);
NDOPT(icmpv6ndoptrdnss, "ICMPv6NDOptRDNSS",
      "ICMPv6 Neighbor Discovery Option - Recursive DNS Server Option",
      rdnss_fields, rdnss_binds, NULL);
