/*
 * dot1q.c - IEEE 802.1Q VLAN tag: priority, drop eligible, VLAN id,
 * then the EtherType of what it carries.
 */
#include "../pk.h"
#include "names.h"

static const struct pk_field fields[] = {
    { .name = "prio", .type = PK_INT, .bits = 3 },
    { .name = "id", .type = PK_INT, .bits = 1 },
    { .name = "vlan", .type = PK_INT, .bits = 12, .def = 1 },
    { .name = "type", .type = PK_INT, .bits = 16, .def = 0,
      .flags = PK_FF_AUTO | PK_FF_HEX, .names = pk_ethertypes },
};

static const struct pk_sumfmt summary[] = {
    { -1, 0, "802.1q (%type%) vlan %vlan%" },
    { -1, 0, NULL },
};

/* Same EtherType values as Ethernet, the type being field 3 here. */
static const struct pk_bind binds[] = {
    { 3, 0x0800, &pk_proto_ip, -1 },
    { 3, 0x0806, &pk_proto_arp, -1 },
    { 3, 0x8100, &pk_proto_dot1q, -1 },
};

const struct pk_proto pk_proto_dot1q = {
    .name = "Dot1Q", .longname = "802.1Q",
    .fields = fields, .nfields = 4,
    .binds = binds, .nbinds = 3,
    .summary = summary,
};
