/*
 * ipv4.c - Internet Protocol version 4 (RFC 791).  Options are kept as
 * bytes, padded to a 32-bit boundary when built; their family (below)
 * reads them where a route matters.  ICMP errors quote it (RFC 792): its
 * quoted form, IPerror, is made by the registry.
 */
#include <string.h>

#include "../pk.h"
#include "../codec.h"
#include "names.h"
#include "quote.h"

#define ITEMS(a) (a), (uint8_t)(sizeof(a) / sizeof((a)[0]))

/* IPv4: the length counts kind and length; a route is a pointer and
 * addresses. */
static const struct pk_tlvitem route[] = {
    { "pointer", PK_TLVT_UINT, 1, 0, NULL }, { "routers", PK_TLVT_IPV4, 0, 1, NULL },
};
static const struct pk_tlvitem tstamp[] = {
    { "pointer", PK_TLVT_UINT, 1, 0, NULL }, { "oflw_flg", PK_TLVT_UINT, 1, 0, NULL },
    { "timestamps", PK_TLVT_UINT, 4, 1, NULL },
};
static const struct pk_tlvitem alert[] = { { "alert", PK_TLVT_UINT, 2, 0, NULL } };

static const struct pk_tlvkind ipv4_kinds[] = {
    { 0, PK_TLVK_SINGLE, "end_of_list", NULL, 0, 0, 0 },
    { 1, PK_TLVK_SINGLE, "nop", NULL, 0, 0, 0 },
    { 7, 0, "record_route", ITEMS(route), 0, 0 },
    { 68, 0, "timestamp", ITEMS(tstamp), 0, 0 },
    { 131, 0, "loose_source_route", ITEMS(route), 0, 0 },
    { 137, 0, "strict_source_route", ITEMS(route), 0, 0 },
    { 148, 0, "router_alert", ITEMS(alert), 0, 0 },
    { 0, 0, NULL, NULL, 0, 0, 0 },
};

const struct pk_tlvfam pk_tlv_ipv4 = {
    .name = "IPv4 options", .type_bytes = 1, .len_bytes = 1, .unit = 1,
    .len_hdr = 1, .end_kind = 0, .fill = PK_TLV_FILL_ALIGN4, .max_bytes = 40,
    .kinds = ipv4_kinds,
};

enum { VERSION, IHL, TOS, LEN, ID, FLAGS, FRAG, TTL, PROTO, CHKSUM, SRC,
       DST, OPTIONS };

static const struct pk_name ipflags[] = {
    { 0, "MF" }, { 1, "DF" }, { 2, "evil" }, { 0, NULL },
};

static const struct pk_field fields[] = {
    { .name = "version", .type = PK_INT, .bits = 4, .def = 4 },
    { .name = "ihl", .type = PK_INT, .bits = 4, .flags = PK_FF_AUTO,
      .role = PK_ROLE_LEN, .cover = PK_COVER_HDR, .unit = 4 },
    { .name = "tos", .type = PK_INT, .bits = 8, .flags = PK_FF_HEX },
    { .name = "len", .type = PK_INT, .bits = 16, .flags = PK_FF_AUTO,
      .role = PK_ROLE_LEN, .cover = PK_COVER_HDR | PK_COVER_PAYLOAD },
    { .name = "id", .type = PK_INT, .bits = 16, .def = 1 },
    { .name = "flags", .type = PK_FLAGS, .bits = 3, .names = ipflags },
    { .name = "frag", .type = PK_INT, .bits = 13 },
    { .name = "ttl", .type = PK_INT, .bits = 8, .def = 64 },
    { .name = "proto", .type = PK_INT, .bits = 8, .flags = PK_FF_AUTO | PK_FF_PSEUDO,
      .names = pk_ipprotos, .role = PK_ROLE_NEXT, .cls = "ip.proto" },
    { .name = "chksum", .type = PK_INT, .bits = 16,
      .flags = PK_FF_AUTO | PK_FF_HEX, .role = PK_ROLE_CHKSUM, .cover = PK_COVER_HDR },
    { .name = "src", .type = PK_IPV4, .bits = 32, .flags = PK_FF_PSEUDO,
      .role = PK_ROLE_SRC },
    { .name = "dst", .type = PK_IPV4, .bits = 32, .def = 0x7f000001, .flags = PK_FF_PSEUDO,
      .role = PK_ROLE_DST },
    { .name = "options", .type = PK_BYTES, .bits = 0, .flags = PK_FF_PAD4 },
};

/* Another version is another protocol's header (IPv6's, in a raw-IP
 * capture), or none: nothing of it reads as IPv4. */
static const char *check(const struct pk_layer *l, int *keep)
{
    if (l->v[VERSION].u == 4)
        return NULL;
    *keep = 0;
    return "the version field is not 4";
}

/* More fragments follow (MF), or this one is not the first. */
static int fragment(const struct pk_layer *l)
{
    return (pk_layer_u(l, FLAGS) & 1) || pk_layer_u(l, FRAG) != 0;
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

/* An ICMP error is keyed by the datagram it quotes, so it meets the
 * request that caused it: the outer header adds nothing.  The addresses
 * are left to answers(): a request to everyone (a DHCP discover from
 * 0.0.0.0 to 255.255.255.255) is answered from an address it never
 * named, as Scapy's key is without conf.checkIPsrc. */
static size_t hashret(const struct pk_layer *ls, int i, int n, uint8_t *key,
                      size_t cap)
{
    if (pk_carries_quote(ls, i, n))
        return 0;
    return pk_key_put(key, cap, ls[i].v[PROTO].u, 1);
}

#define BROADCAST 0xffffffffu

static int answers(const struct pk_layer *req, int i, int nreq,
                   const struct pk_layer *rep, int j, int nrep)
{
    const struct pk_layer *q = &req[i], *r = &rep[j];
    if (q->proto != r->proto)
        return 0;
    if (pk_carries_quote(rep, j, nrep)) {
        const struct pk_layer *e = &rep[j + 2];     /* the quoted header */
        if (e->v[SRC].u != q->v[SRC].u || e->v[DST].u != q->v[DST].u ||
            e->v[PROTO].u != q->v[PROTO].u)
            return 0;
        return pk_answers_from(req, i + 1, nreq, rep, j + 3, nrep);
    }
    if ((r->v[SRC].u != q->v[DST].u && q->v[DST].u != BROADCAST) ||
        r->v[PROTO].u != q->v[PROTO].u)
        return 0;
    return pk_answers_from(req, i + 1, nreq, rep, j + 1, nrep);
}

/* The destination the pseudo-header holds: with a loose or strict
 * source route (RFC 791 3.1) the last address of the route, the final
 * destination (RFC 1122 4.1.3.4, as Scapy and Wireshark compute it). */
static const uint8_t *final_dst(const uint8_t *ip, size_t hlen)
{
    struct pk_tlv o[40];        /* 40 bytes of options hold at most 40 */
    const uint8_t *dst = ip + 16;
    int n = hlen > 20 ? pk_tlv_decode(&pk_tlv_ipv4, ip + 20, hlen - 20, o, 40) : 0;
    for (int i = 0; i < n && o[i].kind != 0; i++)      /* up to the end of the list */
        if ((o[i].kind == 0x83 || o[i].kind == 0x89) && o[i].status != PK_TLV_MALFORMED &&
            o[i].len >= 5)      /* a pointer and an address at least */
            dst = o[i].data + o[i].len - 4;
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

/* Carried by Ethernet and the cooked headers, in raw-IP captures, and
 * quoted by the ICMP errors (RFC 792: unreachable, source quench,
 * redirect, time exceeded, parameter problem). */
static const struct pk_bind binds[] = {
    { "ethertype", 0x0800, 0 },
    { "linktype", 101, 0 },     /* LINKTYPE_RAW: files are written with it */
    { "linktype", 228, 0 },     /* LINKTYPE_IPV4 */
    { "linktype", 12, 0 },      /* DLT_RAW, as libpcap gives it on Linux */
    { "icmp.type", 3, 1 },
    { "icmp.type", 4, 1 },
    { "icmp.type", 5, 1 },
    { "icmp.type", 11, 1 },
    { "icmp.type", 12, 1 },
};

struct pk_proto pk_proto_ip = {
    .name = "IP", .longname = "IP",
    .fields = fields, .nfields = 13,
    .binds = binds, .nbinds = 9,
    .summary = summary,
    .quotable = 1,
    .check = check, .next = next, .fragment = fragment,
    .prepare = prepare, .pseudo_sum = pseudo_sum,
    .hashret = hashret, .answers = answers,
};
