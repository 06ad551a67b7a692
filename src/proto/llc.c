/*
 * llc.c - IEEE 802.2 Logical Link Control, what an 802.3 frame carries:
 * destination and source service access points and a control byte.
 * What follows it is kept as bytes.
 */
#include "../pk.h"

static const struct pk_field fields[] = {
    { .name = "dsap", .type = PK_INT, .bits = 8, .flags = PK_FF_HEX },
    { .name = "ssap", .type = PK_INT, .bits = 8, .flags = PK_FF_HEX },
    { .name = "ctrl", .type = PK_INT, .bits = 8 },
};

static const struct pk_bind binds[] = {
    { "802.3", 0, 0 },          /* every 802.3 payload */
};

struct pk_proto pk_proto_llc = {
    .name = "LLC", .longname = "LLC",
    .fields = fields, .nfields = 3,
    .binds = binds, .nbinds = 1,
};
