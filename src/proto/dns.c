/*
 * dns.c - the Domain Name System (RFC 1035 4.1; EDNS0, RFC 6891), over
 * UDP and over TCP (where a two-byte length comes first, RFC 1035
 * 4.2.2).  Questions and resource records are lists of records of their
 * own descriptors; a record's type picks its variant (MX, SOA, SRV, OPT)
 * as Scapy's classes do, and the rdata of the plain record reads as an
 * address or a name by type.  Names read with Scapy's trailing dot and
 * compression pointers resolve against the message; built names are not
 * compressed, as Scapy builds them.  Names and defaults are Scapy's.
 */
#include <string.h>

#include "../pk.h"
#include "../codec.h"

#define NF(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const struct pk_name types[] = {
    { 1, "A" }, { 2, "NS" }, { 3, "MD" }, { 4, "MF" }, { 5, "CNAME" }, { 6, "SOA" },
    { 7, "MB" }, { 8, "MG" }, { 9, "MR" }, { 10, "NULL" }, { 11, "WKS" }, { 12, "PTR" },
    { 13, "HINFO" }, { 14, "MINFO" }, { 15, "MX" }, { 16, "TXT" }, { 17, "RP" },
    { 18, "AFSDB" }, { 28, "AAAA" }, { 29, "LOC" }, { 33, "SRV" }, { 35, "NAPTR" },
    { 39, "DNAME" }, { 41, "OPT" }, { 43, "DS" }, { 46, "RRSIG" }, { 47, "NSEC" },
    { 48, "DNSKEY" }, { 50, "NSEC3" }, { 51, "NSEC3PARAM" }, { 52, "TLSA" },
    { 64, "SVCB" }, { 65, "HTTPS" }, { 99, "SPF" }, { 249, "TKEY" }, { 250, "TSIG" },
    { 251, "IXFR" }, { 252, "AXFR" }, { 253, "MAILB" }, { 254, "MAILA" }, { 255, "ALL" },
    { 256, "URI" }, { 257, "CAA" }, { 32769, "DLV" }, { 0, NULL },
};

static const struct pk_name classes[] = {
    { 1, "IN" }, { 2, "CS" }, { 3, "CH" }, { 4, "HS" }, { 255, "ANY" }, { 0, NULL },
};

static const struct pk_name opcodes[] = {
    { 0, "QUERY" }, { 1, "IQUERY" }, { 2, "STATUS" }, { 0, NULL },
};

static const struct pk_name rcodes[] = {
    { 0, "ok" }, { 1, "format-error" }, { 2, "server-failure" }, { 3, "name-error" },
    { 4, "not-implemented" }, { 5, "refused" }, { 0, NULL },
};

/* The root, and Scapy's default question. */
static const uint8_t root[] = { 0 };
static const uint8_t example[] = "\3www\7example\3com";    /* with its 0 */

/* ---- records ----------------------------------------------------------- */

/* Every record starts rrname, type, rclass, ttl, rdlen; rdlen measures
 * the rest of the record. */
enum { RRNAME, TYPE, RCLASS, TTL, RDLEN, RDATA };

#define RR_HEAD(deftype)                                                        \
    { .name = "rrname", .type = PK_DNAME, .defp = root, .deflen = 1 },          \
    { .name = "type", .type = PK_INT, .bits = 16, .def = (deftype), .names = types }, \
    { .name = "rclass", .type = PK_INT, .bits = 16, .def = 1, .names = classes }, \
    { .name = "ttl", .type = PK_INT, .bits = 32 },                               \
    { .name = "rdlen", .type = PK_INT, .bits = 16, .flags = PK_FF_AUTO,          \
      .role = PK_ROLE_LEN, .cover = PK_COVER_AFTER }

/* rdlen as read, or as it will be built (unset: it fits). */
static int rdlen_is(const struct pk_layer *l, uint64_t n)
{
    return !(l->set >> RDLEN & 1) || l->v[RDLEN].u == n;
}

static int is_name_type(uint64_t t)
{
    return t == 2 || t == 3 || t == 4 || t == 5 || t == 12;
}

static int rdata_a(const struct pk_layer *l)
{
    return pk_layer_u(l, TYPE) == 1 && rdlen_is(l, 4);
}

static int rdata_aaaa(const struct pk_layer *l)
{
    return pk_layer_u(l, TYPE) == 28 && rdlen_is(l, 16);
}

static int rdata_name(const struct pk_layer *l)
{
    return is_name_type(pk_layer_u(l, TYPE));
}

static int rdata_txt(const struct pk_layer *l)
{
    return pk_layer_u(l, TYPE) == 16;
}

static int rdata_bytes(const struct pk_layer *l)
{
    return !rdata_a(l) && !rdata_aaaa(l) && !rdata_name(l) && !rdata_txt(l);
}

static const struct pk_field rr_fields[] = {
    RR_HEAD(1),
    { .name = "rdata", .type = PK_IPV4, .bits = 32, .present = rdata_a },
    { .name = "rdata", .type = PK_IPV6, .bits = 128, .present = rdata_aaaa },
    { .name = "rdata", .type = PK_DNAME, .present = rdata_name, .defp = root, .deflen = 1 },
    { .name = "rdata", .type = PK_STRS, .present = rdata_txt },
    { .name = "rdata", .type = PK_BYTES, .present = rdata_bytes },
};

extern struct pk_proto pk_proto_dnsrrmx, pk_proto_dnsrrsoa, pk_proto_dnsrrsrv,
    pk_proto_dnsrropt;

/* Scapy's classes for the types whose rdata has fields of its own. */
static const struct pk_proto *rr_dispatch(const struct pk_layer *l)
{
    switch (pk_layer_u(l, TYPE)) {
    case 6: return &pk_proto_dnsrrsoa;
    case 15: return &pk_proto_dnsrrmx;
    case 33: return &pk_proto_dnsrrsrv;
    case 41: return &pk_proto_dnsrropt;
    default: return NULL;
    }
}

struct pk_proto pk_proto_dnsrr = {
    .name = "DNSRR", .longname = "DNS Resource Record",
    .fields = rr_fields, .nfields = NF(rr_fields),
    .dispatch = rr_dispatch,
};

/* Scapy's DNSRRMX says type 6 (SOA) by default, surely not meant: an MX
 * record here is of type MX unless set. */
static const struct pk_field mx_fields[] = {
    RR_HEAD(15),
    { .name = "preference", .type = PK_INT, .bits = 16 },
    { .name = "exchange", .type = PK_DNAME, .defp = root, .deflen = 1 },
};

struct pk_proto pk_proto_dnsrrmx = {
    .name = "DNSRRMX", .longname = "DNS MX Resource Record",
    .fields = mx_fields, .nfields = NF(mx_fields),
    .variant_of = &pk_proto_dnsrr,
};

static const struct pk_field soa_fields[] = {
    RR_HEAD(6),
    { .name = "mname", .type = PK_DNAME, .defp = root, .deflen = 1 },
    { .name = "rname", .type = PK_DNAME, .defp = root, .deflen = 1 },
    { .name = "serial", .type = PK_INT, .bits = 32 },
    { .name = "refresh", .type = PK_INT, .bits = 32 },
    { .name = "retry", .type = PK_INT, .bits = 32 },
    { .name = "expire", .type = PK_INT, .bits = 32 },
    { .name = "minimum", .type = PK_INT, .bits = 32 },
};

struct pk_proto pk_proto_dnsrrsoa = {
    .name = "DNSRRSOA", .longname = "DNS SOA Resource Record",
    .fields = soa_fields, .nfields = NF(soa_fields),
    .variant_of = &pk_proto_dnsrr,
};

static const struct pk_field srv_fields[] = {
    RR_HEAD(33),
    { .name = "priority", .type = PK_INT, .bits = 16 },
    { .name = "weight", .type = PK_INT, .bits = 16 },
    { .name = "port", .type = PK_INT, .bits = 16 },
    { .name = "target", .type = PK_DNAME, .defp = root, .deflen = 1 },
};

struct pk_proto pk_proto_dnsrrsrv = {
    .name = "DNSRRSRV", .longname = "DNS SRV Resource Record",
    .fields = srv_fields, .nfields = NF(srv_fields),
    .variant_of = &pk_proto_dnsrr,
};

/* EDNS0 options (RFC 6891 6.1.2): code, length of the data, data. */
static const struct pk_tlvitem optdata[] = { { NULL, PK_TLVT_BYTES, 0, 0, NULL } };
static const struct pk_tlvkind edns0_kinds[] = {
    { 1, 0, "LLQ", optdata, 1, 0, 0 },
    { 2, 0, "UL", optdata, 1, 0, 0 },
    { 3, 0, "NSID", optdata, 1, 0, 0 },
    { 5, 0, "PING", optdata, 1, 0, 0 },
    { 8, 0, "edns-client-subnet", optdata, 1, 0, 0 },
    { 10, 0, "COOKIE", optdata, 1, 0, 0 },
    { 0, 0, NULL, NULL, 0, 0, 0 },
};

static const struct pk_tlvfam edns0 = {
    .name = "EDNS0 options", .type_bytes = 2, .len_bytes = 2, .unit = 1,
    .len_hdr = 0, .end_kind = -1, .fill = PK_TLV_FILL_NONE, .kinds = edns0_kinds,
};

/* The OPT pseudo-record: its class is the sender's UDP payload size,
 * its TTL the extended rcode, version and flags (DO, the top bit). */
static const struct pk_field opt_fields[] = {
    { .name = "rrname", .type = PK_DNAME, .defp = root, .deflen = 1 },
    { .name = "type", .type = PK_INT, .bits = 16, .def = 41, .names = types },
    { .name = "rclass", .type = PK_INT, .bits = 16, .def = 4096 },
    { .name = "extrcode", .type = PK_INT, .bits = 8 },
    { .name = "version", .type = PK_INT, .bits = 8 },
    { .name = "z", .type = PK_INT, .bits = 16, .def = 32768 },
    { .name = "rdlen", .type = PK_INT, .bits = 16, .flags = PK_FF_AUTO,
      .role = PK_ROLE_LEN, .cover = PK_COVER_AFTER },
    { .name = "rdata", .type = PK_TLV, .fam = &edns0 },
};

struct pk_proto pk_proto_dnsrropt = {
    .name = "DNSRROPT", .longname = "DNS OPT Resource Record",
    .fields = opt_fields, .nfields = NF(opt_fields),
    .variant_of = &pk_proto_dnsrr,
};

static const struct pk_field qr_fields[] = {
    { .name = "qname", .type = PK_DNAME, .defp = example, .deflen = sizeof example },
    { .name = "qtype", .type = PK_INT, .bits = 16, .def = 1, .names = types },
    { .name = "qclass", .type = PK_INT, .bits = 16, .def = 1, .names = classes },
};

struct pk_proto pk_proto_dnsqr = {
    .name = "DNSQR", .longname = "DNS Question Record",
    .fields = qr_fields, .nfields = NF(qr_fields),
};

/* ---- the message ------------------------------------------------------- */

enum { LENGTH, ID, QR, OPCODE, AA, TC, RD, RA, Z, AD, CD, RCODE, QDCOUNT, ANCOUNT,
       NSCOUNT, ARCOUNT, QD, AN, NS, AR };

/* Over TCP a message starts with its length (RFC 1035 4.2.2). */
static int over_tcp(const struct pk_layer *l)
{
    return l->below && strcmp(l->below->name, "TCP") == 0;
}

#define COUNT(n) { .name = n, .type = PK_INT, .bits = 16, .flags = PK_FF_AUTO | PK_FF_COUNT }
#define BIT(n, d) { .name = n, .type = PK_INT, .bits = 1, .def = d }

/* Scapy's default message asks for www.example.com's address. */
static const uint8_t question[] = "\3www\7example\3com\0\0\1\0\1";

static const struct pk_field fields[] = {
    { .name = "length", .type = PK_INT, .bits = 16, .flags = PK_FF_AUTO, .present = over_tcp,
      .role = PK_ROLE_LEN, .cover = PK_COVER_AFTER },
    { .name = "id", .type = PK_INT, .bits = 16 },
    BIT("qr", 0),
    { .name = "opcode", .type = PK_INT, .bits = 4, .names = opcodes },
    BIT("aa", 0), BIT("tc", 0), BIT("rd", 1), BIT("ra", 0), BIT("z", 0), BIT("ad", 0),
    BIT("cd", 0),
    { .name = "rcode", .type = PK_INT, .bits = 4, .names = rcodes },
    COUNT("qdcount"), COUNT("ancount"), COUNT("nscount"), COUNT("arcount"),
    { .name = "qd", .type = PK_RECORDS, .rec = &pk_proto_dnsqr, .count = QDCOUNT + 1,
      .defp = question, .deflen = sizeof question - 1 },
    { .name = "an", .type = PK_RECORDS, .rec = &pk_proto_dnsrr, .count = ANCOUNT + 1 },
    { .name = "ns", .type = PK_RECORDS, .rec = &pk_proto_dnsrr, .count = NSCOUNT + 1 },
    { .name = "ar", .type = PK_RECORDS, .rec = &pk_proto_dnsrr, .count = ARCOUNT + 1 },
};

/* A reply answers the query with its id (Scapy's rule). */
static size_t hashret(const struct pk_layer *ls, int i, int n, uint8_t *key, size_t cap)
{
    (void)n;
    return pk_key_put(key, cap, ls[i].v[ID].u, 2);
}

/* The first question of a message: its name in wire form (lower case),
 * type and class; 0 when it has none. */
static int first_question(const struct pk_layer *l, uint8_t name[PK_DNAME_MAX], int *nlen,
                          uint64_t *tc)
{
    struct pk_val v = pk_layer_p(l, QD);
    struct pk_msg msg = pk_val_msg(&v);
    struct pk_layer q;
    struct pk_val qn;
    size_t used;
    if (!v.len || !pk_record_read(&pk_proto_dnsqr, v.p, v.len, &msg, &q))
        return 0;
    qn = q.v[0];
    msg = pk_val_msg(&qn);
    *nlen = pk_dname_decode(msg.p, msg.len, (size_t)(qn.p - msg.p), name, &used);
    for (int k = 0; k < *nlen; k++)
        if (name[k] >= 'A' && name[k] <= 'Z')
            name[k] = (uint8_t)(name[k] - 'A' + 'a');
    *tc = q.v[1].u << 16 | q.v[2].u;
    return *nlen >= 0;
}

/* The reply to a query has its id and, when it repeats the question,
 * the same one (RFC 1035 7.3: a forged answer to another name is no
 * answer); names compare without case (RFC 4343). */
static int answers(const struct pk_layer *req, int i, int nreq,
                   const struct pk_layer *rep, int j, int nrep)
{
    const struct pk_layer *q = &req[i], *r = &rep[j];
    uint8_t qn[PK_DNAME_MAX], rn[PK_DNAME_MAX];
    int ql, rl;
    uint64_t qt, rt;
    (void)nreq, (void)nrep;
    if (q->proto != r->proto || r->v[ID].u != pk_layer_u(q, ID) || !r->v[QR].u ||
        pk_layer_u(q, QR))
        return 0;
    if (!first_question(r, rn, &rl, &rt) || !first_question(q, qn, &ql, &qt))
        return 1;       /* no question to compare: the id decides */
    return ql == rl && qt == rt && memcmp(qn, rn, (size_t)ql) == 0;
}

static const struct pk_sumfmt summary[] = {
    { QR, 0, "DNS Qry{ \"%qd.qname%\"}" },
    { QR, 1, "DNS Ans{ \"%an.rdata%\"}" },
    { -1, 0, NULL },
};

static const struct pk_bind binds[] = {
    { "udp.port", 53, 0 },
    { "udp.port", 5353, 0 },
    { "tcp.port", 53, 0 },
};

struct pk_proto pk_proto_dns = {
    .name = "DNS", .longname = "DNS",
    .fields = fields, .nfields = NF(fields),
    .binds = binds, .nbinds = 3,
    .summary = summary,
    .message = ID + 1,
    .hashret = hashret, .answers = answers,
};
