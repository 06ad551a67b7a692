/*
 * arp.c - ARP for Ethernet and IPv4 (RFC 826), and RARP (RFC 903), which
 * shares its layout.  With other hardware or protocol address sizes the
 * layer is invalid after its sizes and op: the addresses stay raw bytes.
 */
#include "../pk.h"
#include "names.h"

enum { HWTYPE, PTYPE, HWLEN, PLEN, OP, HWSRC, PSRC, HWDST, PDST };

static const struct pk_name ops[] = {
    { 1, "who-has" }, { 2, "is-at" }, { 3, "RARP-req" }, { 4, "RARP-rep" },
    { 8, "InARP-req" }, { 9, "InARP-rep" }, { 0, NULL },
};

static const struct pk_field fields[] = {
    { .name = "hwtype", .type = PK_INT, .bits = 16, .def = 1,
      .flags = PK_FF_HEX, .names = pk_hwtypes },
    { .name = "ptype", .type = PK_INT, .bits = 16, .def = 0x0800,
      .flags = PK_FF_HEX, .names = pk_ethertypes },
    { .name = "hwlen", .type = PK_INT, .bits = 8, .def = 6 },
    { .name = "plen", .type = PK_INT, .bits = 8, .def = 4 },
    { .name = "op", .type = PK_INT, .bits = 16, .def = 1, .names = ops },
    { .name = "hwsrc", .type = PK_MAC, .bits = 48 },
    { .name = "psrc", .type = PK_IPV4, .bits = 32, .role = PK_ROLE_SRC },
    { .name = "hwdst", .type = PK_MAC, .bits = 48 },
    { .name = "pdst", .type = PK_IPV4, .bits = 32, .role = PK_ROLE_DST },
};

/* The addresses are read at the widths hwlen and plen give only when
 * those are Ethernet's and IPv4's. */
static const char *check(const struct pk_layer *l, int *keep)
{
    if (l->v[HWLEN].u == 6 && l->v[PLEN].u == 4)
        return NULL;
    *keep = HWSRC;
    return "address sizes other than 6 and 4 bytes: the addresses are kept as bytes";
}

/* who-has and is-at share (op + 1) / 2, as in Scapy */
/* Nothing rides on ARP: what follows it is the frame's padding. */
static size_t payload_end(const struct pk_layer *l, size_t hdr_end, size_t end)
{
    (void)l, (void)end;
    return hdr_end;
}

static size_t hashret(const struct pk_layer *ls, int i, int n, uint8_t *key,
                      size_t cap)
{
    const struct pk_layer *l = &ls[i];
    (void)n;
    if (cap < 6)
        return 0;
    pk_key_put(key, 2, l->v[HWTYPE].u, 2);
    pk_key_put(key + 2, 2, l->v[PTYPE].u, 2);
    return 4 + pk_key_put(key + 4, 2, (l->v[OP].u + 1) / 2, 2);
}

static int answers(const struct pk_layer *req, int i, int nreq,
                   const struct pk_layer *rep, int j, int nrep)
{
    (void)nreq, (void)nrep;
    return req[i].proto == rep[j].proto && rep[j].v[OP].u == 2 &&
           req[i].v[OP].u == 1 && rep[j].v[PSRC].u == req[i].v[PDST].u;
}

static const struct pk_sumfmt summary[] = {
    { OP, 1, "ARP who has %pdst% says %psrc%" },
    { OP, 2, "ARP is at %hwsrc% says %psrc%" },
    { -1, 0, "ARP %op% %psrc% > %pdst%" },
    { -1, 0, NULL },
};

static const struct pk_bind binds[] = {
    { "ethertype", 0x0806, 0 },
    { "ethertype", 0x8035, 0 },     /* RARP */
};

struct pk_proto pk_proto_arp = {
    .name = "ARP", .longname = "ARP",
    .fields = fields, .nfields = 9,
    .summary = summary,
    .binds = binds, .nbinds = 2,
    .check = check, .payload_end = payload_end,
    .hashret = hashret, .answers = answers,
};
