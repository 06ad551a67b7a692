/*
 * sll.c - Linux "cooked" capture headers, what libpcap gives for the
 * "any" interface: SLL (16 bytes) and SLL2 (20 bytes, libpcap >= 1.10).
 * Layout: https://www.tcpdump.org/linktypes/LINKTYPE_LINUX_SLL.html
 */
#include "../pk.h"
#include "names.h"

static const struct pk_name pkttypes[] = {
    { 0, "unicast" }, { 1, "broadcast" }, { 2, "multicast" },
    { 3, "unicast-to-another-host" }, { 4, "sent-by-us" }, { 0, NULL },
};

static const struct pk_field sll_fields[] = {
    { .name = "pkttype", .type = PK_INT, .bits = 16, .names = pkttypes },
    { .name = "lladdrtype", .type = PK_INT, .bits = 16, .def = 1, .flags = PK_FF_HEX },
    { .name = "lladdrlen", .type = PK_INT, .bits = 16, .def = 6 },
    { .name = "src", .type = PK_INT, .bits = 64, .flags = PK_FF_HEX },
    { .name = "proto", .type = PK_INT, .bits = 16, .flags = PK_FF_AUTO | PK_FF_HEX,
      .names = pk_ethertypes, .role = PK_ROLE_NEXT, .cls = "ethertype" },
};

static const struct pk_bind sll_binds[] = {
    { "linktype", 113, 0 },     /* LINKTYPE_LINUX_SLL */
};

static const struct pk_sumfmt sll_summary[] = {
    { -1, 0, "SLL %pkttype% (%proto%)" },
    { -1, 0, NULL },
};

struct pk_proto pk_proto_sll = {
    .name = "CookedLinux", .longname = "cooked linux",
    .fields = sll_fields, .nfields = 5,
    .binds = sll_binds, .nbinds = 1,
    .summary = sll_summary,
};

static const struct pk_field sll2_fields[] = {
    { .name = "proto", .type = PK_INT, .bits = 16, .flags = PK_FF_AUTO | PK_FF_HEX,
      .names = pk_ethertypes, .role = PK_ROLE_NEXT, .cls = "ethertype" },
    { .name = "reserved", .type = PK_INT, .bits = 16 },
    { .name = "ifindex", .type = PK_INT, .bits = 32 },
    { .name = "lladdrtype", .type = PK_INT, .bits = 16, .def = 1, .flags = PK_FF_HEX },
    { .name = "pkttype", .type = PK_INT, .bits = 8, .names = pkttypes },
    { .name = "lladdrlen", .type = PK_INT, .bits = 8, .def = 6 },
    { .name = "src", .type = PK_INT, .bits = 64, .flags = PK_FF_HEX },
};

static const struct pk_bind sll2_binds[] = {
    { "linktype", 276, 0 },     /* LINKTYPE_LINUX_SLL2 */
};

struct pk_proto pk_proto_sll2 = {
    .name = "CookedLinuxV2", .longname = "cooked linux v2",
    .fields = sll2_fields, .nfields = 7,
    .binds = sll2_binds, .nbinds = 1,
    .summary = sll_summary,
};
