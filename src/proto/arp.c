/*
 * arp.c - ARP for Ethernet and IPv4 (RFC 826).  Other hardware or
 * protocol address sizes are marked invalid and kept as raw bytes.
 */
#include "../pk.h"
#include "names.h"

enum { HWTYPE, PTYPE, HWLEN, PLEN, OP, HWSRC, PSRC, HWDST, PDST };

static const struct pk_name hwtypes[] = {
    { 1, "Ethernet (10Mb)" }, { 6, "IEEE 802" }, { 0, NULL },
};

static const struct pk_name ops[] = {
    { 1, "who-has" }, { 2, "is-at" }, { 3, "RARP-req" }, { 4, "RARP-rep" },
    { 8, "InARP-req" }, { 9, "InARP-rep" }, { 0, NULL },
};

static const struct pk_field fields[] = {
    { .name = "hwtype", .type = PK_INT, .bits = 16, .def = 1,
      .flags = PK_FF_HEX, .names = hwtypes },
    { .name = "ptype", .type = PK_INT, .bits = 16, .def = 0x0800,
      .flags = PK_FF_HEX, .names = pk_ethertypes },
    { .name = "hwlen", .type = PK_INT, .bits = 8, .def = 6 },
    { .name = "plen", .type = PK_INT, .bits = 8, .def = 4 },
    { .name = "op", .type = PK_INT, .bits = 16, .def = 1, .names = ops },
    { .name = "hwsrc", .type = PK_MAC, .bits = 48 },
    { .name = "psrc", .type = PK_IPV4, .bits = 32 },
    { .name = "hwdst", .type = PK_MAC, .bits = 48 },
    { .name = "pdst", .type = PK_IPV4, .bits = 32 },
};

static long hdr_len(const struct pk_layer *l)
{
    if (l->v[HWLEN].u != 6 || l->v[PLEN].u != 4)
        return -1;
    return 28;
}

static const struct pk_sumfmt summary[] = {
    { OP, 1, "ARP who has %pdst% says %psrc%" },
    { OP, 2, "ARP is at %hwsrc% says %psrc%" },
    { -1, 0, "ARP %op% %psrc% > %pdst%" },
    { -1, 0, NULL },
};

const struct pk_proto pk_proto_arp = {
    .name = "ARP", .longname = "ARP",
    .fields = fields, .nfields = 9,
    .summary = summary,
    .hdr_len = hdr_len,
};
