/*
 * tcp.c - Transmission Control Protocol (RFC 9293).  Options (RFC 9293
 * 3.2, RFC 7323 window scale and timestamps, RFC 2018 selective
 * acknowledgment) are a list; unknown ones are kept raw.  The option
 * bytes are padded with zeros to a 32-bit boundary, as Scapy does.
 */
#include "../pk.h"
#include "../codec.h"

enum { SPORT, DPORT, SEQ, ACK, DATAOFS, RESERVED, FLAGS, WINDOW, CHKSUM,
       URGPTR, OPTIONS };

static const struct pk_name tcpflags[] = {
    { 0, "F" }, { 1, "S" }, { 2, "R" }, { 3, "P" }, { 4, "A" }, { 5, "U" },
    { 6, "E" }, { 7, "C" }, { 8, "N" }, { 0, NULL },
};

#define ITEMS(a) (a), (uint8_t)(sizeof(a) / sizeof((a)[0]))

static const struct pk_tlvitem u8[] = { { NULL, PK_TLVT_UINT, 1, 0, NULL } };
static const struct pk_tlvitem u16[] = { { NULL, PK_TLVT_UINT, 2, 0, NULL } };
static const struct pk_tlvitem u32s[] = { { NULL, PK_TLVT_UINT, 4, 1, NULL } };
static const struct pk_tlvitem u32x2[] = {
    { NULL, PK_TLVT_UINT, 4, 0, NULL }, { NULL, PK_TLVT_UINT, 4, 0, NULL },
};

/* SAck holds one to four blocks of two edges (RFC 2018 3). */
static const struct pk_tlvkind kinds[] = {
    { 0, PK_TLVK_SINGLE, "EOL", NULL, 0, 0, 0 },
    { 1, PK_TLVK_SINGLE, "NOP", NULL, 0, 0, 0 },
    { 2, 0, "MSS", ITEMS(u16), 0, 0 },
    { 3, 0, "WScale", ITEMS(u8), 0, 0 },
    { 4, 0, "SAckOK", NULL, 0, 0, 0 },
    { 5, PK_TLVK_LIST, "SAck", ITEMS(u32s), 8, 32 },
    { 8, PK_TLVK_LIST, "Timestamp", ITEMS(u32x2), 0, 0 },
    { 0, 0, NULL, NULL, 0, 0, 0 },
};

/* The length counts kind and length; zeros after EOL align the header
 * to 32 bits; at most 40 bytes (data offset 15).  In Lua, Scapy's
 * form: {"NOP"}, {"MSS", 1460}, {"Timestamp", {tsval, tsecr}}. */
const struct pk_tlvfam pk_tlv_tcp = {
    .name = "TCP options", .flags = PK_TLVF_TUPLES | PK_TLVF_RAWOK,
    .type_bytes = 1, .len_bytes = 1, .unit = 1, .len_hdr = 1, .end_kind = 0,
    .fill = PK_TLV_FILL_ALIGN4, .max_bytes = 40, .kinds = kinds,
};

static const struct pk_field fields[] = {
    { .name = "sport", .type = PK_INT, .bits = 16, .def = 20, .flags = PK_FF_ALT,
      .role = PK_ROLE_NEXT, .cls = "tcp.port" },
    { .name = "dport", .type = PK_INT, .bits = 16, .def = 80,
      .role = PK_ROLE_NEXT, .cls = "tcp.port" },
    { .name = "seq", .type = PK_INT, .bits = 32 },
    { .name = "ack", .type = PK_INT, .bits = 32 },
    { .name = "dataofs", .type = PK_INT, .bits = 4, .flags = PK_FF_AUTO,
      .role = PK_ROLE_LEN, .cover = PK_COVER_HDR, .unit = 4 },
    { .name = "reserved", .type = PK_INT, .bits = 3 },
    { .name = "flags", .type = PK_FLAGS, .bits = 9, .def = 2, .names = tcpflags },
    { .name = "window", .type = PK_INT, .bits = 16, .def = 8192 },
    { .name = "chksum", .type = PK_INT, .bits = 16, .flags = PK_FF_AUTO | PK_FF_HEX,
      .role = PK_ROLE_CHKSUM, .cover = PK_COVER_HDR | PK_COVER_PAYLOAD | PK_COVER_PSEUDO },
    { .name = "urgptr", .type = PK_INT, .bits = 16 },
    { .name = "options", .type = PK_TLV, .bits = 0, .flags = PK_FF_PAD4,
      .fam = &pk_tlv_tcp },
};

static size_t hashret(const struct pk_layer *ls, int i, int n, uint8_t *key,
                      size_t cap)
{
    (void)n;
    return pk_key_put(key, cap, ls[i].v[SPORT].u ^ ls[i].v[DPORT].u, 2);
}

static size_t payload_len(const struct pk_layer *ls, int i, int n)
{
    size_t len = 0;
    for (int k = i + 1; k < n; k++)
        if (ls[k].proto != &pk_proto_padding)
            len += ls[k].hlen;
    return len;
}

static uint32_t dist(uint64_t a, uint64_t b)
{
    uint32_t d = (uint32_t)(a - b);
    return d > 0x80000000u ? (uint32_t)-d : d;
}

/* Swapped ports, and sequence numbers that fit: the reply acknowledges
 * what the request sent (Scapy's rule, with its slack of 2). */
static int answers(const struct pk_layer *req, int i, int nreq,
                   const struct pk_layer *rep, int j, int nrep)
{
    const struct pk_layer *q = &req[i], *r = &rep[j];
    uint64_t qf = q->v[FLAGS].u, rf = r->v[FLAGS].u;
    (void)nrep;
    if (q->proto != r->proto || r->v[SPORT].u != q->v[DPORT].u ||
        r->v[DPORT].u != q->v[SPORT].u)
        return 0;
    if (!((qf & 0x02) && !(qf & 0x10)) && dist(q->v[ACK].u, r->v[SEQ].u) > 2)
        return 0;
    if ((rf & 0x04) && !(rf & 0x10))
        return 1;
    return dist(q->v[SEQ].u, r->v[ACK].u) <= 2 + payload_len(req, i, nreq);
}

static int quoted_answers(const struct pk_layer *req, int i, int nreq,
                          const struct pk_layer *rep, int j, int nrep)
{
    const struct pk_layer *q = &req[i], *r = &rep[j];
    (void)nreq, (void)nrep;
    return q->proto == r->proto->quoted && r->v[SPORT].u == q->v[SPORT].u &&
           r->v[DPORT].u == q->v[DPORT].u &&
           (!(r->present >> SEQ & 1) || r->v[SEQ].u == q->v[SEQ].u);
}

static const struct pk_sumfmt summary[] = {
    { -1, 0, "TCP %<src%:%sport% > %<dst%:%dport% %flags%" },
    { -1, 0, "TCP %sport% > %dport% %flags%" },     /* with no IP under it, as Scapy */
    { -1, 0, NULL },
};

static const struct pk_bind binds[] = {
    { "ip.proto", 6, 0 },
    { "ipv6.nh", 6, 0 },
};

struct pk_proto pk_proto_tcp = {
    .name = "TCP", .longname = "TCP",
    .fields = fields, .nfields = 11,
    .binds = binds, .nbinds = 2,
    .summary = summary,
    .quotable = 1,
    .hashret = hashret, .answers = answers, .quote_answers = quoted_answers,
};
