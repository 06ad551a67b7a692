/*
 * icmpv6.c - ICMPv6 (RFC 4443): the fallback for unknown types, echo
 * request and reply, and the four error messages, each a descriptor of
 * its own as Scapy has them.  Errors quote the offending packet: IPv6
 * binds itself, as a quote, to their types, and is dissected as
 * IPv6error with the layers it carries in quoted form.
 */
#include <string.h>

#include "icmpv6.h"

const struct pk_name pk_icmpv6_types[] = {
    { 1, "Destination unreachable" }, { 2, "Packet too big" },
    { 3, "Time exceeded" }, { 4, "Parameter problem" },
    { 100, "Private Experimentation" }, { 101, "Private Experimentation" },
    { 128, "Echo Request" }, { 129, "Echo Reply" }, { 130, "MLD Query" },
    { 131, "MLD Report" }, { 132, "MLD Done" },
    { 133, "Router Solicitation" }, { 134, "Router Advertisement" },
    { 135, "Neighbor Solicitation" }, { 136, "Neighbor Advertisement" },
    { 137, "Redirect Message" }, { 138, "Router Renumbering" },
    { 143, "MLD Report Version 2" }, { 0, NULL },
};

const struct pk_bind pk_icmpv6_binds[] = {
    { "ipv6.nh", 58, 0 },
};

extern struct pk_proto pk_proto_icmpv6unknown, pk_proto_icmpv6echorequest,
    pk_proto_icmpv6echoreply, pk_proto_icmpv6destunreach,
    pk_proto_icmpv6packettoobig, pk_proto_icmpv6timeexceeded,
    pk_proto_icmpv6paramproblem, pk_proto_icmpv6nd_rs, pk_proto_icmpv6nd_ra,
    pk_proto_icmpv6nd_ns, pk_proto_icmpv6nd_na, pk_proto_icmpv6nd_redirect;

const struct pk_proto *pk_icmpv6_bytype(uint64_t t)
{
    switch (t) {
    case 1: return &pk_proto_icmpv6destunreach;
    case 2: return &pk_proto_icmpv6packettoobig;
    case 3: return &pk_proto_icmpv6timeexceeded;
    case 4: return &pk_proto_icmpv6paramproblem;
    case 128: return &pk_proto_icmpv6echorequest;
    case 129: return &pk_proto_icmpv6echoreply;
    case 133: return &pk_proto_icmpv6nd_rs;
    case 134: return &pk_proto_icmpv6nd_ra;
    case 135: return &pk_proto_icmpv6nd_ns;
    case 136: return &pk_proto_icmpv6nd_na;
    case 137: return &pk_proto_icmpv6nd_redirect;
    default: return &pk_proto_icmpv6unknown;
    }
}

/* The message a type says, in quoted form inside a quote. */
const struct pk_proto *pk_icmpv6_dispatch(const struct pk_layer *l)
{
    const struct pk_proto *p = pk_icmpv6_bytype(l->v[ICMPV6_TYPE].u);
    return l->proto->quoted ? p->as_quote : p;
}

/* ---- fallback ------------------------------------------------------- */

static const struct pk_field unknown_fields[] = {
    PK_ICMPV6_HEAD(1, NULL),
    { .name = "msgbody", .type = PK_BYTES },
};

struct pk_proto pk_proto_icmpv6unknown = {
    .name = "ICMPv6Unknown", .longname = "Scapy6 ICMPv6 fallback class",
    .fields = unknown_fields, .nfields = PK_NFIELDS(unknown_fields),
    .binds = pk_icmpv6_binds, .nbinds = 1,
    .quotable = 1,
    .dispatch = pk_icmpv6_dispatch,
};

/* ---- echo (RFC 4443 4) ---------------------------------------------- */

enum { ID = 3, SEQ, DATA };

#define ECHO_FIELDS(t)                                                      \
    PK_ICMPV6_HEAD(t, NULL),                                                \
    { .name = "id", .type = PK_INT, .bits = 16, .flags = PK_FF_HEX },      \
    { .name = "seq", .type = PK_INT, .bits = 16, .flags = PK_FF_HEX },     \
    { .name = "data", .type = PK_BYTES }

static const struct pk_field echo_request_fields[] = { ECHO_FIELDS(128) };
static const struct pk_field echo_reply_fields[] = { ECHO_FIELDS(129) };

static size_t echo_hashret(const struct pk_layer *ls, int i, int n, uint8_t *key,
                           size_t cap)
{
    (void)n;
    if (cap < 4)
        return 0;
    pk_key_put(key, 2, ls[i].v[ID].u, 2);
    return 2 + pk_key_put(key + 2, 2, ls[i].v[SEQ].u, 2);
}

static int same_data(const struct pk_layer *a, const struct pk_layer *b)
{
    uint32_t la = (a->set >> DATA & 1) ? a->v[DATA].len : 0;
    uint32_t lb = (b->set >> DATA & 1) ? b->v[DATA].len : 0;
    return la == lb && (la == 0 || memcmp(a->v[DATA].p, b->v[DATA].p, la) == 0);
}

/* As Scapy: the reply has the request's id, seq and data. */
static int echo_answers(const struct pk_layer *req, int i, int nreq,
                        const struct pk_layer *rep, int j, int nrep)
{
    const struct pk_layer *q = &req[i], *r = &rep[j];
    (void)nreq, (void)nrep;
    return q->proto == &pk_proto_icmpv6echorequest && r->proto == &pk_proto_icmpv6echoreply &&
           pk_layer_u(q, ID) == pk_layer_u(r, ID) && pk_layer_u(q, SEQ) == pk_layer_u(r, SEQ) &&
           same_data(q, r);
}

/* A quoted message is the request itself. */
static int quoted_answers(const struct pk_layer *req, int i, int nreq,
                          const struct pk_layer *rep, int j, int nrep)
{
    const struct pk_layer *q = &req[i], *r = &rep[j];
    (void)nreq, (void)nrep;
    return q->proto == r->proto->quoted &&
           pk_layer_u(q, ICMPV6_CODE) == pk_layer_u(r, ICMPV6_CODE);
}

static int quoted_echo_answers(const struct pk_layer *req, int i, int nreq,
                               const struct pk_layer *rep, int j, int nrep)
{
    const struct pk_layer *q = &req[i], *r = &rep[j];
    return quoted_answers(req, i, nreq, rep, j, nrep) &&
           (!(r->present >> ID & 1) || pk_layer_u(q, ID) == r->v[ID].u) &&
           (!(r->present >> SEQ & 1) || pk_layer_u(q, SEQ) == r->v[SEQ].u);
}

static const struct pk_sumfmt echo_request_summary[] = {
    { -1, 0, "ICMPv6 Echo Request (id: %id% seq: %seq%)" },
    { -1, 0, NULL },
};
static const struct pk_sumfmt echo_reply_summary[] = {
    { -1, 0, "ICMPv6 Echo Reply (id: %id% seq: %seq%)" },
    { -1, 0, NULL },
};

struct pk_proto pk_proto_icmpv6echorequest = {
    .name = "ICMPv6EchoRequest", .longname = "ICMPv6 Echo Request",
    .fields = echo_request_fields, .nfields = PK_NFIELDS(echo_request_fields),
    .binds = pk_icmpv6_binds, .nbinds = 1,
    .summary = echo_request_summary,
    .quotable = 1,
    .dispatch = pk_icmpv6_dispatch,
    .hashret = echo_hashret, .quote_answers = quoted_echo_answers,
};

struct pk_proto pk_proto_icmpv6echoreply = {
    .name = "ICMPv6EchoReply", .longname = "ICMPv6 Echo Reply",
    .fields = echo_reply_fields, .nfields = PK_NFIELDS(echo_reply_fields),
    .binds = pk_icmpv6_binds, .nbinds = 1,
    .summary = echo_reply_summary,
    .quotable = 1,
    .dispatch = pk_icmpv6_dispatch,
    .hashret = echo_hashret, .answers = echo_answers,
    .quote_answers = quoted_echo_answers,
};

/* ---- errors (RFC 4443 3) -------------------------------------------- */

static const struct pk_name unreach_codes[] = {
    { 0, "No route to destination" },
    { 1, "Communication with destination administratively prohibited" },
    { 2, "Beyond scope of source address" }, { 3, "Address unreachable" },
    { 4, "Port unreachable" }, { 0, NULL },
};
static const struct pk_name exceeded_codes[] = {
    { 0, "hop limit exceeded in transit" },
    { 1, "fragment reassembly time exceeded" }, { 0, NULL },
};
static const struct pk_name problem_codes[] = {
    { 0, "erroneous header field encountered" },
    { 1, "unrecognized Next Header type encountered" },
    { 2, "unrecognized IPv6 option encountered" },
    { 3, "first fragment has incomplete header chain" }, { 0, NULL },
};

/* RFC 4884's length of the quote, then what is unused. */
#define LENGTH_UNUSED                                                       \
    { .name = "length", .type = PK_INT, .bits = 8 },                        \
    { .name = "unused", .type = PK_INT, .bits = 24, .flags = PK_FF_HEX }

static const struct pk_field unreach_fields[] = {
    PK_ICMPV6_HEAD(1, unreach_codes), LENGTH_UNUSED,
};
static const struct pk_field toobig_fields[] = {
    PK_ICMPV6_HEAD(2, NULL),
    { .name = "mtu", .type = PK_INT, .bits = 32, .def = 1280 },
};
static const struct pk_field exceeded_fields[] = {
    PK_ICMPV6_HEAD(3, exceeded_codes), LENGTH_UNUSED,
};
static const struct pk_field problem_fields[] = {
    PK_ICMPV6_HEAD(4, problem_codes),
    /* by default the offset of the quoted header's next header field */
    { .name = "ptr", .type = PK_INT, .bits = 32, .def = 6 },
};

#define ICMPV6_ERROR(id, nm, lnm, flds, nf)                                 \
    struct pk_proto pk_proto_##id = {                                       \
        .name = nm, .longname = lnm, .fields = flds, .nfields = nf,         \
        .binds = pk_icmpv6_binds, .nbinds = 1, .quotable = 1,               \
        .dispatch = pk_icmpv6_dispatch, .quote_answers = quoted_answers,    \
    }

ICMPV6_ERROR(icmpv6destunreach, "ICMPv6DestUnreach", "ICMPv6 Destination Unreachable",
             unreach_fields, PK_NFIELDS(unreach_fields));
ICMPV6_ERROR(icmpv6packettoobig, "ICMPv6PacketTooBig", "ICMPv6 Packet Too Big",
             toobig_fields, PK_NFIELDS(toobig_fields));
ICMPV6_ERROR(icmpv6timeexceeded, "ICMPv6TimeExceeded", "ICMPv6 Time Exceeded",
             exceeded_fields, PK_NFIELDS(exceeded_fields));
ICMPV6_ERROR(icmpv6paramproblem, "ICMPv6ParamProblem", "ICMPv6 Parameter Problem",
             problem_fields, PK_NFIELDS(problem_fields));
