/*
 * ether.c - Ethernet frames (IEEE 802.3 clause 3.2.6): Ethernet II, whose
 * type field is an EtherType (>= 0x0600), and 802.3 frames, where the
 * same field is the length of an 802.2 LLC payload (<= 1500).
 */
#include "../pk.h"
#include "names.h"

enum { DST, SRC, TYPE };

extern struct pk_proto pk_proto_dot3;

static const struct pk_field fields[] = {
    { .name = "dst", .type = PK_MAC, .bits = 48, .def = UINT64_C(0xffffffffffff),
      .role = PK_ROLE_DST },
    { .name = "src", .type = PK_MAC, .bits = 48, .role = PK_ROLE_SRC },
    { .name = "type", .type = PK_INT, .bits = 16, .def = 0x9000,
      .flags = PK_FF_AUTO | PK_FF_HEX, .names = pk_ethertypes,
      .role = PK_ROLE_NEXT, .cls = "ethertype" },
};

/* Both kinds of frame start alike; the type field tells them apart, as
 * Scapy's Ether and Dot3 dispatch hooks do (the field is third in both). */
static const struct pk_proto *dispatch(const struct pk_layer *l)
{
    return l->v[TYPE].u <= 1500 ? &pk_proto_dot3 : NULL;
}

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

static const struct pk_bind binds[] = {
    { "linktype", 1, 0 },       /* LINKTYPE_ETHERNET */
};

struct pk_proto pk_proto_ether = {
    .name = "Ether", .longname = "Ethernet",
    .fields = fields, .nfields = 3,
    .binds = binds, .nbinds = 1,
    .summary = summary,
    .dispatch = dispatch,
    .hashret = hashret,
};

static const struct pk_field dot3_fields[] = {
    { .name = "dst", .type = PK_MAC, .bits = 48, .def = UINT64_C(0xffffffffffff),
      .role = PK_ROLE_DST },
    { .name = "src", .type = PK_MAC, .bits = 48, .role = PK_ROLE_SRC },
    { .name = "len", .type = PK_INT, .bits = 16, .flags = PK_FF_AUTO,
      .role = PK_ROLE_LEN, .cover = PK_COVER_PAYLOAD },
};

static const struct pk_proto *dot3_dispatch(const struct pk_layer *l)
{
    return l->v[TYPE].u > 1500 ? &pk_proto_ether : NULL;
}

static const struct pk_sumfmt dot3_summary[] = {
    { -1, 0, "802.3 %src% > %dst%" },
    { -1, 0, NULL },
};

/* Written as Ethernet; read from it by the dispatch above, so the link
 * type, bound first to Ether, does not select it. */
static const struct pk_bind dot3_binds[] = {
    { "linktype", 1, 0 },
};

struct pk_proto pk_proto_dot3 = {
    .name = "Dot3", .longname = "802.3",
    .fields = dot3_fields, .nfields = 3,
    .binds = dot3_binds, .nbinds = 1,
    .payload_cls = "802.3",
    .summary = dot3_summary,
    .dispatch = dot3_dispatch,
};
