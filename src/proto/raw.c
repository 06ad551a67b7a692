/*
 * raw.c - Raw (bytes no descriptor claims) and Padding (bytes past a
 * length field, such as the Ethernet minimum-frame fill).
 */
#include "../pk.h"

static const struct pk_field fields[] = {
    { .name = "load", .type = PK_BYTES, .bits = 0 },
};

struct pk_proto pk_proto_raw = {
    .name = "Raw", .longname = "Raw",
    .fields = fields, .nfields = 1,
};

struct pk_proto pk_proto_padding = {
    .name = "Padding", .longname = "Padding",
    .fields = fields, .nfields = 1,
};
