/*
 * udp.c - User Datagram Protocol (RFC 768).  The checksum covers the
 * pseudo-header of the layer below; a computed 0 is sent as 0xffff,
 * since 0 means "no checksum".  The length says where the datagram ends
 * (bytes past it are padding).  Payloads bind to either port, the
 * destination port first.
 */
#include "../pk.h"

enum { SPORT, DPORT, LEN, CHKSUM };

static const struct pk_field fields[] = {
    { .name = "sport", .type = PK_INT, .bits = 16, .def = 53, .flags = PK_FF_ALT,
      .role = PK_ROLE_NEXT, .cls = "udp.port" },
    { .name = "dport", .type = PK_INT, .bits = 16, .def = 53,
      .role = PK_ROLE_NEXT, .cls = "udp.port" },
    { .name = "len", .type = PK_INT, .bits = 16, .flags = PK_FF_AUTO,
      .role = PK_ROLE_LEN, .cover = PK_COVER_HDR | PK_COVER_PAYLOAD },
    { .name = "chksum", .type = PK_INT, .bits = 16,
      .flags = PK_FF_AUTO | PK_FF_HEX | PK_FF_ZERO_NONE,
      .role = PK_ROLE_CHKSUM, .cover = PK_COVER_HDR | PK_COVER_PAYLOAD | PK_COVER_PSEUDO },
};

static size_t hashret(const struct pk_layer *ls, int i, int n, uint8_t *key,
                      size_t cap)
{
    (void)n;
    return pk_key_put(key, cap, ls[i].v[SPORT].u ^ ls[i].v[DPORT].u, 2);
}

static int answers(const struct pk_layer *req, int i, int nreq,
                   const struct pk_layer *rep, int j, int nrep)
{
    const struct pk_layer *q = &req[i], *r = &rep[j];
    if (q->proto != r->proto || r->v[SPORT].u != q->v[DPORT].u ||
        r->v[DPORT].u != q->v[SPORT].u)
        return 0;
    return pk_answers_from(req, i + 1, nreq, rep, j + 1, nrep);
}

/* A quoted datagram has the request's own ports. */
static int quoted_answers(const struct pk_layer *req, int i, int nreq,
                          const struct pk_layer *rep, int j, int nrep)
{
    const struct pk_layer *q = &req[i], *r = &rep[j];
    (void)nreq, (void)nrep;
    return q->proto == r->proto->quoted && r->v[SPORT].u == q->v[SPORT].u &&
           r->v[DPORT].u == q->v[DPORT].u;
}

static const struct pk_sumfmt summary[] = {
    { -1, 0, "UDP %<src%:%sport% > %<dst%:%dport%" },
    { -1, 0, "UDP %sport% > %dport%" },     /* with no IP under it, as Scapy */
    { -1, 0, NULL },
};

static const struct pk_bind binds[] = {
    { "ip.proto", 17, 0 },
    { "ipv6.nh", 17, 0 },
};

struct pk_proto pk_proto_udp = {
    .name = "UDP", .longname = "UDP",
    .fields = fields, .nfields = 4,
    .binds = binds, .nbinds = 2,
    .summary = summary,
    .quotable = 1,
    .hashret = hashret, .answers = answers, .quote_answers = quoted_answers,
};
