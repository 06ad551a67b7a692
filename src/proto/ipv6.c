/*
 * ipv6.c - Internet Protocol version 6 (RFC 8200): the fixed 40-byte
 * header, its payload length computed, the next header selecting what
 * follows from the same key space as IPv4's protocol.  ICMPv6 errors
 * quote it (RFC 4443 3): its quoted form is made by the registry.
 */
#include <string.h>

#include "ipv6.h"
#include "quote.h"

const uint8_t pk_ipv6_unspecified[16], pk_ipv6_loopback[16] = { [15] = 1 };

enum { VERSION, TC, FL, PLEN, NH, HLIM, SRC, DST };

const struct pk_name pk_ipv6_nhs[] = {
    { 0, "Hop-by-Hop Option Header" }, { 4, "IP" }, { 6, "TCP" }, { 17, "UDP" },
    { 41, "IPv6" }, { 43, "Routing Header" }, { 44, "Fragment Header" },
    { 47, "GRE" }, { 50, "ESP Header" }, { 51, "AH Header" }, { 58, "ICMPv6" },
    { 59, "No Next Header" }, { 60, "Destination Option Header" },
    { 112, "VRRP" }, { 132, "SCTP" }, { 135, "Mobility Header" }, { 0, NULL },
};

static const struct pk_field fields[] = {
    { .name = "version", .type = PK_INT, .bits = 4, .def = 6 },
    { .name = "tc", .type = PK_INT, .bits = 8 },
    { .name = "fl", .type = PK_INT, .bits = 20 },
    { .name = "plen", .type = PK_INT, .bits = 16, .flags = PK_FF_AUTO,
      .role = PK_ROLE_LEN, .cover = PK_COVER_PAYLOAD },
    { .name = "nh", .type = PK_INT, .bits = 8, .def = 59,
      .flags = PK_FF_AUTO | PK_FF_PSEUDO, .names = pk_ipv6_nhs,
      .role = PK_ROLE_NEXT, .cls = "ipv6.nh" },
    { .name = "hlim", .type = PK_INT, .bits = 8, .def = 64 },
    { .name = "src", .type = PK_IPV6, .bits = 128, .flags = PK_FF_PSEUDO,
      .defp = PK_V6DEF(pk_ipv6_unspecified), .role = PK_ROLE_SRC },
    { .name = "dst", .type = PK_IPV6, .bits = 128, .flags = PK_FF_PSEUDO,
      .defp = PK_V6DEF(pk_ipv6_loopback), .role = PK_ROLE_DST },
};

static const char *check(const struct pk_layer *l, int *keep)
{
    if (l->v[VERSION].u == 6)
        return NULL;
    *keep = 0;
    return "the version field is not 6";
}

static const uint8_t *addr(const struct pk_layer *l, int f)
{
    struct pk_val v = pk_layer_p(l, f);
    return v.len == 16 ? v.p : pk_ipv6_unspecified;
}

/* Offline, Scapy's default source: ::1 towards ::1 (the default
 * destination), else ::.  A neighbour discovery message above names its
 * own destination group first.  A quote carries messages written in
 * their plain form, as Scapy's IPerror6 does (IPerror6 /
 * ICMPv6EchoRequest): its next header is theirs. */
static void prepare(struct pk_layer *ls, int i, int n)
{
    struct pk_layer *l = &ls[i];
    uint64_t v;
    if (l->proto->quoted && !(l->set >> NH & 1) && i + 1 < n && ls[i + 1].proto->as_quote &&
        pk_bind_fill(l->proto, NH, ls[i + 1].proto->as_quote, &v))
        pk_layer_setu(l, NH, v);
    if (!(l->set >> SRC & 1) && !(i + 1 < n && pk_icmpv6_sets_dst(ls[i + 1].proto)))
        pk_layer_setp(l, SRC, memcmp(addr(l, DST), pk_ipv6_loopback, 16) ? pk_ipv6_unspecified
                                                                        : pk_ipv6_loopback, 16);
}

uint32_t pk_ipv6_pseudo(const struct pk_layer *l, const uint8_t *pkt,
                        size_t seglen, uint8_t nh)
{
    uint8_t tail[8] = { (uint8_t)(seglen >> 24), (uint8_t)(seglen >> 16),
                        (uint8_t)(seglen >> 8), (uint8_t)seglen, 0, 0, 0, nh };
    uint32_t sum = pk_cksum_add(0, tail, 8);
    const uint8_t *final = NULL, *home = NULL;
    /* the layers of a packet lie in one array from offset 0: walk down
     * from an extension header to its IPv6 header; a routing header on
     * the way names the final destination, a home address option the
     * source, as Scapy sums them */
    for (;;) {
        const struct pk_proto *p = l->proto;
        if (!final)
            final = pk_ipv6_final_dst(l);
        if (!home)
            home = pk_ipv6_home_addr(l);
        if (p == &pk_proto_ipv6 || p->quoted == &pk_proto_ipv6) {
            sum = pk_cksum_add(sum, home ? home : pkt + l->off + 8, 16);
            return pk_cksum_add(sum, final ? final : pkt + l->off + 24, 16);
        }
        if (l->off == 0)
            return sum;
        l--;
    }
}

static uint32_t pseudo_sum(const struct pk_layer *l, const uint8_t *pkt,
                           size_t seglen)
{
    return pk_ipv6_pseudo(l, pkt, seglen, pkt[l->off + 6]);
}

/* Requests and replies share src xor dst and the next header; an error
 * is keyed by the packet it quotes, and neighbour discovery (sent to a
 * multicast group, answered from the target) by its message alone. */
static size_t hashret(const struct pk_layer *ls, int i, int n, uint8_t *key,
                      size_t cap)
{
    const struct pk_layer *l = &ls[i];
    const uint8_t *s = addr(l, SRC), *d = addr(l, DST);
    if (pk_carries_quote(ls, i, n) || cap < 17)
        return 0;
    key[0] = (uint8_t)l->v[NH].u;
    if (i + 1 < n && pk_icmpv6_is_nd(ls[i + 1].proto))
        return 1;
    for (int k = 0; k < 16; k++)
        key[1 + k] = s[k] ^ d[k];
    return 17;
}

static int same(const struct pk_layer *a, int fa, const struct pk_layer *b, int fb)
{
    return memcmp(addr(a, fa), addr(b, fb), 16) == 0;
}

static int answers(const struct pk_layer *req, int i, int nreq,
                   const struct pk_layer *rep, int j, int nrep)
{
    const struct pk_layer *q = &req[i], *r = &rep[j];
    if (q->proto != r->proto)
        return 0;
    if (pk_carries_quote(rep, j, nrep))     /* the quote decides */
        return pk_answers_from(req, i, nreq, rep, j + 2, nrep);
    /* a request to a multicast group is answered from a member's own
     * address */
    if (addr(q, DST)[0] != 0xff && !same(r, SRC, q, DST))
        return 0;
    return pk_answers_from(req, i + 1, nreq, rep, j + 1, nrep);
}

/* A quoted header is the request's own. */
static int quoted_answers(const struct pk_layer *req, int i, int nreq,
                          const struct pk_layer *rep, int j, int nrep)
{
    const struct pk_layer *q = &req[i], *r = &rep[j];
    return q->proto == r->proto->quoted && same(r, SRC, q, SRC) && same(r, DST, q, DST) &&
           r->v[NH].u == pk_layer_u(q, NH) && pk_answers_from(req, i + 1, nreq, rep, j + 1, nrep);
}

static const struct pk_sumfmt summary[] = {
    { -1, 0, "%src% > %dst% (%nh%)" },
    { -1, 0, NULL },
};

/* Carried by Ethernet and the cooked headers, in raw-IP captures, and
 * quoted by the ICMPv6 errors (RFC 4443: unreachable, too big, time
 * exceeded, parameter problem). */
static const struct pk_bind binds[] = {
    { "ethertype", 0x86dd, 0 },
    { "linktype", 229, 0 },     /* LINKTYPE_IPV6 */
    { "icmpv6.type", 1, 1 },
    { "icmpv6.type", 2, 1 },
    { "icmpv6.type", 3, 1 },
    { "icmpv6.type", 4, 1 },
};

struct pk_proto pk_proto_ipv6 = {
    .name = "IPv6", .longname = "IPv6",
    .fields = fields, .nfields = PK_NFIELDS(fields),
    .binds = binds, .nbinds = PK_NFIELDS(binds),
    .summary = summary,
    .quotable = 1,
    .check = check, .prepare = prepare, .pseudo_sum = pseudo_sum,
    .hashret = hashret, .answers = answers, .quote_answers = quoted_answers,
};
