/*
 * udp.c - User Datagram Protocol (RFC 768).  The checksum covers the
 * IPv4 pseudo-header; a computed 0 is sent as 0xffff, since 0 means
 * "no checksum".
 */
#include "../pk.h"

enum { SPORT, DPORT, LEN, CHKSUM };

static const struct pk_field fields[] = {
    { .name = "sport", .type = PK_INT, .bits = 16, .def = 53 },
    { .name = "dport", .type = PK_INT, .bits = 16, .def = 53 },
    { .name = "len", .type = PK_INT, .bits = 16, .flags = PK_FF_AUTO },
    { .name = "chksum", .type = PK_INT, .bits = 16,
      .flags = PK_FF_AUTO | PK_FF_HEX | PK_FF_ZERO_NONE },
};

static void post_build(struct pk_layer *ls, int i, int n, uint8_t *pkt,
                       size_t len)
{
    struct pk_layer *l = &ls[i];
    uint8_t *h = pkt + l->off;
    (void)n;
    if (!(l->set >> LEN & 1))
        pk_put16(h + 4, (uint16_t)(len - l->off));
    if (!(l->set >> CHKSUM & 1)) {
        int c;
        pk_put16(h + 6, 0);
        c = pk_cksum_l4(ls, i, pkt, h, len - l->off);
        if (c >= 0)
            pk_put16(h + 6, c ? (uint16_t)c : 0xffff);
    }
}

/* RFC 768: the length field is the datagram's; bytes past it are
 * padding (a quoted datagram is not held to it). */
static size_t payload_end(const struct pk_layer *l, size_t hdr_end, size_t end)
{
    size_t len = (size_t)l->v[LEN].u;
    if (l->proto->quoted || len < 8 || l->off + len >= end)
        return end;
    return l->off + len > hdr_end ? l->off + len : hdr_end;
}

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
    if (q->proto != &pk_proto_udp || r->v[SPORT].u != q->v[DPORT].u ||
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
    return q->proto == &pk_proto_udp && r->v[SPORT].u == q->v[SPORT].u &&
           r->v[DPORT].u == q->v[DPORT].u;
}

static const struct pk_sumfmt summary[] = {
    { -1, 0, "UDP %<src%:%sport% > %<dst%:%dport%" },
    { -1, 0, NULL },
};

const struct pk_proto pk_proto_udp = {
    .name = "UDP", .longname = "UDP",
    .fields = fields, .nfields = 4,
    .summary = summary,
    .payload_end = payload_end, .post_build = post_build,
    .hashret = hashret, .answers = answers,
};

const struct pk_proto pk_proto_udperror = {
    .name = "UDPerror", .longname = "UDP in ICMP",
    .fields = fields, .nfields = 4,
    .quoted = 1,
    .post_build = post_build,
    .hashret = hashret, .answers = quoted_answers,
};
