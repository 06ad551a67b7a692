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
      .flags = PK_FF_AUTO | PK_FF_HEX, .names = pk_ethertypes,
      .role = PK_ROLE_NEXT, .cls = "ethertype" },
};

static const struct pk_sumfmt summary[] = {
    { -1, 0, "802.1q (%type%) vlan %vlan%" },
    { -1, 0, NULL },
};

/* A tag stacks under Ethernet or another tag (QinQ); a frame starting
 * with one is written as Ethernet. */
static const struct pk_bind binds[] = {
    { "ethertype", 0x8100, 0 },
    { "linktype", 1, 0 },
};

struct pk_proto pk_proto_dot1q = {
    .name = "Dot1Q", .longname = "802.1Q",
    .fields = fields, .nfields = 4,
    .binds = binds, .nbinds = 2,
    .summary = summary,
};
