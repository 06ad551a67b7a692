/*
 * icmp.c - ICMP for IPv4 (RFC 792, 950, 4884).  What follows the type,
 * code and checksum depends on the type; the layout and names follow
 * Scapy's.  Errors quote the offending IP header and 8 bytes of its
 * payload: IP binds itself, as a quote, to the error types, and is
 * dissected as IPerror and the layer above it as *error.  A quoted ICMP
 * message is ICMPerror, made by the registry.
 */
#include "../pk.h"

enum { TYPE, CODE, CHKSUM };

static const struct pk_name types[] = {
    { 0, "echo-reply" }, { 3, "dest-unreach" }, { 4, "source-quench" },
    { 5, "redirect" }, { 8, "echo-request" }, { 9, "router-advertisement" },
    { 10, "router-solicitation" }, { 11, "time-exceeded" },
    { 12, "parameter-problem" }, { 13, "timestamp-request" },
    { 14, "timestamp-reply" }, { 15, "information-request" },
    { 16, "information-response" }, { 17, "address-mask-request" },
    { 18, "address-mask-reply" }, { 30, "traceroute" }, { 0, NULL },
};

static const struct pk_name unreach[] = {
    { 0, "network-unreachable" }, { 1, "host-unreachable" },
    { 2, "protocol-unreachable" }, { 3, "port-unreachable" },
    { 4, "fragmentation-needed" }, { 5, "source-route-failed" },
    { 6, "network-unknown" }, { 7, "host-unknown" },
    { 9, "network-prohibited" }, { 10, "host-prohibited" },
    { 11, "TOS-network-unreachable" }, { 12, "TOS-host-unreachable" },
    { 13, "communication-prohibited" }, { 14, "host-precedence-violation" },
    { 15, "precedence-cutoff" }, { 0, NULL },
};
static const struct pk_name redirect[] = {
    { 0, "network-redirect" }, { 1, "host-redirect" },
    { 2, "TOS-network-redirect" }, { 3, "TOS-host-redirect" }, { 0, NULL },
};
static const struct pk_name exceeded[] = {
    { 0, "ttl-zero-during-transit" }, { 1, "ttl-zero-during-reassembly" },
    { 0, NULL },
};
static const struct pk_name problem[] = {
    { 0, "ip-header-bad" }, { 1, "required-option-missing" }, { 0, NULL },
};
static const struct pk_depnames codes[] = {
    { 3, unreach }, { 5, redirect }, { 11, exceeded }, { 12, problem },
    { 0, NULL },
};

static int type_in(const struct pk_layer *l, const uint8_t *set, int n)
{
    uint64_t t = pk_layer_u(l, TYPE);
    for (int i = 0; i < n; i++)
        if (t == set[i])
            return 1;
    return 0;
}

static const uint8_t idseq_types[] = { 0, 8, 13, 14, 15, 16, 17, 18, 37, 38 };
static const uint8_t no_unused[] = { 0, 3, 5, 8, 11, 12, 13, 14, 15, 16, 17, 18 };

static int has_idseq(const struct pk_layer *l) { return type_in(l, idseq_types, 10); }
static int has_ts(const struct pk_layer *l) { return type_in(l, (const uint8_t[]){ 13, 14 }, 2); }
static int has_gw(const struct pk_layer *l) { return pk_layer_u(l, TYPE) == 5; }
static int has_ptr(const struct pk_layer *l) { return pk_layer_u(l, TYPE) == 12; }
static int has_reserved(const struct pk_layer *l) { return type_in(l, (const uint8_t[]){ 3, 11 }, 2); }
static int has_length(const struct pk_layer *l) { return type_in(l, (const uint8_t[]){ 3, 11, 12 }, 3); }
static int has_mask(const struct pk_layer *l) { return type_in(l, (const uint8_t[]){ 17, 18 }, 2); }
static int has_mtu(const struct pk_layer *l) { return pk_layer_u(l, TYPE) == 3; }
static int has_unused16(const struct pk_layer *l) { return type_in(l, (const uint8_t[]){ 11, 12 }, 2); }
static int has_unused32(const struct pk_layer *l) { return !type_in(l, no_unused, 12); }

static const struct pk_field fields[] = {
    { .name = "type", .type = PK_INT, .bits = 8, .def = 8, .names = types,
      .role = PK_ROLE_NEXT, .cls = "icmp.type" },
    { .name = "code", .type = PK_INT, .bits = 8, .depnames = codes, .dep = TYPE },
    { .name = "chksum", .type = PK_INT, .bits = 16, .flags = PK_FF_AUTO | PK_FF_HEX,
      .role = PK_ROLE_CHKSUM, .cover = PK_COVER_HDR | PK_COVER_PAYLOAD },
    { .name = "id", .type = PK_INT, .bits = 16, .flags = PK_FF_HEX, .present = has_idseq },
    { .name = "seq", .type = PK_INT, .bits = 16, .flags = PK_FF_HEX, .present = has_idseq },
    { .name = "ts_ori", .type = PK_INT, .bits = 32, .present = has_ts },
    { .name = "ts_rx", .type = PK_INT, .bits = 32, .present = has_ts },
    { .name = "ts_tx", .type = PK_INT, .bits = 32, .present = has_ts },
    { .name = "gw", .type = PK_IPV4, .bits = 32, .present = has_gw },
    { .name = "ptr", .type = PK_INT, .bits = 8, .present = has_ptr },
    { .name = "reserved", .type = PK_INT, .bits = 8, .present = has_reserved },
    { .name = "length", .type = PK_INT, .bits = 8, .present = has_length },
    { .name = "addr_mask", .type = PK_IPV4, .bits = 32, .present = has_mask },
    { .name = "nexthopmtu", .type = PK_INT, .bits = 16, .present = has_mtu },
    { .name = "unused", .type = PK_INT, .bits = 16, .present = has_unused16 },
    { .name = "unused", .type = PK_INT, .bits = 32, .present = has_unused32 },
};

enum { ID = 3, SEQ = 4 };

static size_t hashret(const struct pk_layer *ls, int i, int n, uint8_t *key,
                      size_t cap)
{
    const struct pk_layer *l = &ls[i];
    (void)n;
    if (!has_idseq(l) || cap < 4)
        return 0;
    pk_key_put(key, 2, l->v[ID].u, 2);
    return 2 + pk_key_put(key + 2, 2, l->v[SEQ].u, 2);
}

/* Echo, timestamp, information and mask requests and their replies. */
static int answers(const struct pk_layer *req, int i, int nreq,
                   const struct pk_layer *rep, int j, int nrep)
{
    static const uint8_t pairs[][2] = { { 8, 0 }, { 13, 14 }, { 15, 16 }, { 17, 18 } };
    const struct pk_layer *q = &req[i], *r = &rep[j];
    (void)nreq, (void)nrep;
    if (q->proto != r->proto)
        return 0;
    for (size_t k = 0; k < sizeof pairs / sizeof pairs[0]; k++)
        if (q->v[TYPE].u == pairs[k][0] && r->v[TYPE].u == pairs[k][1])
            return q->v[ID].u == r->v[ID].u && q->v[SEQ].u == r->v[SEQ].u;
    return 0;
}

/* The quoted ICMP message is the request itself. */
static int quoted_answers(const struct pk_layer *req, int i, int nreq,
                          const struct pk_layer *rep, int j, int nrep)
{
    const struct pk_layer *q = &req[i], *r = &rep[j];
    (void)nreq, (void)nrep;
    return q->proto == r->proto->quoted && q->v[TYPE].u == r->v[TYPE].u &&
           (!(r->present >> ID & 1) || q->v[ID].u == r->v[ID].u) &&
           (!(r->present >> SEQ & 1) || q->v[SEQ].u == r->v[SEQ].u);
}

static const struct pk_sumfmt summary[] = {
    { -1, 0, "ICMP %<src% > %<dst% %type% %code%" },
    { -1, 0, "ICMP %type% %code%" },         /* with no IP under it, as Scapy */
    { -1, 0, NULL },
};

static const struct pk_bind binds[] = {
    { "ip.proto", 1, 0 },
};

struct pk_proto pk_proto_icmp = {
    .name = "ICMP", .longname = "ICMP",
    .fields = fields, .nfields = 16,
    .binds = binds, .nbinds = 1,
    .summary = summary,
    .quotable = 1,
    .hashret = hashret, .answers = answers, .quote_answers = quoted_answers,
};
