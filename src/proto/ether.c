/*
 * ether.c - Ethernet II (IEEE 802.3 with an EtherType >= 0x0600).
 */
#include "../pk.h"
#include "names.h"

enum { DST, SRC, TYPE };

static const struct pk_field fields[] = {
    { .name = "dst", .type = PK_MAC, .bits = 48, .def = UINT64_C(0xffffffffffff) },
    { .name = "src", .type = PK_MAC, .bits = 48 },
    { .name = "type", .type = PK_INT, .bits = 16, .def = 0x9000,
      .flags = PK_FF_AUTO | PK_FF_HEX, .names = pk_ethertypes },
};

static const struct pk_bind binds[] = {
    { TYPE, 0x0800, &pk_proto_ip, -1 },
    { TYPE, 0x0806, &pk_proto_arp, -1 },
    { TYPE, 0x8100, &pk_proto_dot1q, -1 },
};

static size_t hashret(const struct pk_layer *ls, int i, int n, uint8_t *key,
                      size_t cap)
{
    (void)n;
    return pk_key_put(key, cap, ls[i].v[TYPE].u, 2);
}

static const struct pk_sumfmt summary[] = {
    { -1, 0, "%src% > %dst% (%type%)" },
    { -1, 0, NULL },
};

const struct pk_proto pk_proto_ether = {
    .name = "Ether", .longname = "Ethernet",
    .fields = fields, .nfields = 3,
    .binds = binds, .nbinds = 3,
    .summary = summary,
    .hashret = hashret,
};
