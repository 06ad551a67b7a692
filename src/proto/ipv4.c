/*
 * ipv4.c - Internet Protocol version 4 (RFC 791).  Options are kept as
 * bytes, padded to a 32-bit boundary when built.  IPerror is the same
 * header quoted inside an ICMP error (RFC 792), where the datagram is
 * cut short by design and its length is not enforced.
 */
#include <string.h>

#include "../pk.h"
#include "names.h"

enum { VERSION, IHL, TOS, LEN, ID, FLAGS, FRAG, TTL, PROTO, CHKSUM, SRC,
       DST, OPTIONS };

static const struct pk_name ipflags[] = {
    { 0, "MF" }, { 1, "DF" }, { 2, "evil" }, { 0, NULL },
};

static const struct pk_field fields[] = {
    { .name = "version", .type = PK_INT, .bits = 4, .def = 4 },
    { .name = "ihl", .type = PK_INT, .bits = 4, .flags = PK_FF_AUTO },
    { .name = "tos", .type = PK_INT, .bits = 8, .flags = PK_FF_HEX },
    { .name = "len", .type = PK_INT, .bits = 16, .flags = PK_FF_AUTO },
    { .name = "id", .type = PK_INT, .bits = 16, .def = 1 },
    { .name = "flags", .type = PK_FLAGS, .bits = 3, .names = ipflags },
    { .name = "frag", .type = PK_INT, .bits = 13 },
    { .name = "ttl", .type = PK_INT, .bits = 8, .def = 64 },
    { .name = "proto", .type = PK_INT, .bits = 8, .flags = PK_FF_AUTO | PK_FF_PSEUDO,
      .names = pk_ipprotos },
    { .name = "chksum", .type = PK_INT, .bits = 16,
      .flags = PK_FF_AUTO | PK_FF_HEX },
    { .name = "src", .type = PK_IPV4, .bits = 32, .flags = PK_FF_PSEUDO },
    { .name = "dst", .type = PK_IPV4, .bits = 32, .def = 0x7f000001, .flags = PK_FF_PSEUDO },
    { .name = "options", .type = PK_BYTES, .bits = 0, .flags = PK_FF_PAD4 },
};

static long hdr_len(const struct pk_layer *l)
{
    return (long)l->v[IHL].u * 4;
}

/* Bytes past the total length are link-layer padding. */
static size_t payload_end(const struct pk_layer *l, size_t hdr_end, size_t end)
{
    size_t total = (size_t)l->v[LEN].u;
    if (l->proto->quoted || total < hdr_end - l->off)
        return end;
    return l->off + total < end ? l->off + total : end;
}

/* A fragment other than the first carries no transport header. */
static const struct pk_proto *next(const struct pk_layer *l, int *decided)
{
    if (l->v[FRAG].u != 0) {
        *decided = 1;
        return &pk_proto_raw;
    }
    return NULL;
}

/* Offline, an unset source is the loopback address when the destination
 * is loopback, like Scapy's route lookup without a network. */
static void prepare(struct pk_layer *ls, int i, int n)
{
    struct pk_layer *l = &ls[i];
    (void)n;
    if (!(l->set >> SRC & 1))
        pk_layer_setu(l, SRC, (pk_layer_u(l, DST) >> 24) == 127 ? 0x7f000001 : 0);
}

static void post_build(struct pk_layer *ls, int i, int n, uint8_t *pkt,
                       size_t len)
{
    struct pk_layer *l = &ls[i];
    uint8_t *h = pkt + l->off;
    (void)n;
    if (!(l->set >> IHL & 1))
        h[0] = (uint8_t)((h[0] & 0xf0) | ((l->hlen / 4) & 0x0f));
    if (!(l->set >> LEN & 1))
        pk_put16(h + 2, (uint16_t)(len - l->off));
    if (!(l->set >> CHKSUM & 1)) {
        pk_put16(h + 10, 0);
        pk_put16(h + 10, pk_cksum(h, l->hlen));
    }
}

static int is_icmp_error(const struct pk_layer *ls, int i, int n)
{
    return i + 2 < n && ls[i + 1].proto == &pk_proto_icmp &&
           ls[i + 2].proto == &pk_proto_iperror;
}

/* An ICMP error is keyed by the datagram it quotes, so it meets the
 * request that caused it: the outer header adds nothing. */
static size_t hashret(const struct pk_layer *ls, int i, int n, uint8_t *key,
                      size_t cap)
{
    const struct pk_layer *l = &ls[i];
    if (is_icmp_error(ls, i, n) || cap < 5)
        return 0;
    pk_key_put(key, 4, l->v[SRC].u ^ l->v[DST].u, 4);
    return 4 + pk_key_put(key + 4, 1, l->v[PROTO].u, 1);
}

static int answers(const struct pk_layer *req, int i, int nreq,
                   const struct pk_layer *rep, int j, int nrep)
{
    const struct pk_layer *q = &req[i], *r = &rep[j];
    if (q->proto != &pk_proto_ip)
        return 0;
    if (is_icmp_error(rep, j, nrep)) {
        const struct pk_layer *e = &rep[j + 2];     /* the quoted header */
        if (e->v[SRC].u != q->v[SRC].u || e->v[DST].u != q->v[DST].u ||
            e->v[PROTO].u != q->v[PROTO].u)
            return 0;
        return pk_answers_from(req, i + 1, nreq, rep, j + 3, nrep);
    }
    if (r->v[SRC].u != q->v[DST].u || r->v[PROTO].u != q->v[PROTO].u)
        return 0;
    return pk_answers_from(req, i + 1, nreq, rep, j + 1, nrep);
}

/* The destination the pseudo-header holds: with a loose or strict
 * source route (RFC 791 3.1) the last address of the route, the final
 * destination (RFC 1122 4.1.3.4, as Scapy and Wireshark compute it). */
static const uint8_t *final_dst(const uint8_t *ip, size_t hlen)
{
    const uint8_t *dst = ip + 16;
    size_t pos = 20;
    while (pos < hlen) {
        uint8_t type = ip[pos], len;
        if (type == 0)
            break;
        if (type == 1) {
            pos++;
            continue;
        }
        if (pos + 1 >= hlen || (len = ip[pos + 1]) < 2 || pos + len > hlen)
            break;
        if ((type == 0x83 || type == 0x89) && len >= 7)
            dst = ip + pos + len - 4;
        pos += len;
    }
    return dst;
}

/* Source, final destination, zero, protocol, segment length. */
static uint32_t pseudo_sum(const struct pk_layer *l, const uint8_t *pkt,
                           size_t seglen)
{
    const uint8_t *ip = pkt + l->off;
    uint8_t ph[4] = { 0, ip[9], (uint8_t)(seglen >> 8), (uint8_t)seglen };
    uint32_t sum = pk_cksum_add(0, ip + 12, 4);
    sum = pk_cksum_add(sum, final_dst(ip, l->hlen), 4);
    return pk_cksum_add(sum, ph, 4);
}

static const struct pk_sumfmt summary[] = {
    { -1, 0, "%src% > %dst% %proto%" },
    { -1, 0, NULL },
};

static const struct pk_bind binds[] = {
    { PROTO, 1, &pk_proto_icmp, -1 },
    { PROTO, 6, &pk_proto_tcp, -1 },
    { PROTO, 17, &pk_proto_udp, -1 },
};

static const struct pk_bind error_binds[] = {
    { PROTO, 1, &pk_proto_icmperror, -1 },
    { PROTO, 6, &pk_proto_tcperror, -1 },
    { PROTO, 17, &pk_proto_udperror, -1 },
};

const struct pk_proto pk_proto_ip = {
    .name = "IP", .longname = "IP",
    .fields = fields, .nfields = 13,
    .binds = binds, .nbinds = 3,
    .summary = summary,
    .hdr_len = hdr_len, .payload_end = payload_end, .next = next,
    .prepare = prepare, .post_build = post_build, .pseudo_sum = pseudo_sum,
    .hashret = hashret, .answers = answers,
};

const struct pk_proto pk_proto_iperror = {
    .name = "IPerror", .longname = "IP in ICMP",
    .fields = fields, .nfields = 13,
    .binds = error_binds, .nbinds = 3,
    .quoted = 1,
    .hdr_len = hdr_len, .payload_end = payload_end, .next = next,
    .prepare = prepare, .post_build = post_build, .pseudo_sum = pseudo_sum,
    .hashret = hashret,
};
