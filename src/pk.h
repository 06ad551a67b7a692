/*
 * pk.h - the pktlua packet core: protocol descriptors, building,
 * dissection and checksums.  Plain C, usable without Lua.
 */
#ifndef PK_H
#define PK_H

#include <stddef.h>
#include <stdint.h>

#define PK_VERSION "0.1.0"

#if defined(__GNUC__)
#define PK_MUSTCHECK __attribute__((warn_unused_result))
#define PK_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define PK_MUSTCHECK
#define PK_UNLIKELY(x) (x)
#endif

/* Error codes: functions return >= 0 on success, one of these on failure. */
#define PK_EINVAL   (-1)    /* a value does not fit its field */
#define PK_ENOSPC   (-2)    /* the output buffer is too small */
#define PK_ETOOMANY (-3)    /* more layers or options than the limits below */
#define PK_EEXIST   (-4)    /* a protocol of that name is registered */

#define PK_MAXFIELDS 20     /* fields of one protocol */
#define PK_MAXLAYERS 16     /* layers of one packet */
#define PK_MAXPKT    65535  /* bytes of one packet a script builds */
#define PK_MAXFRAME  262144 /* bytes of a captured frame (libpcap's largest
                               snap length), built again after an edit */

/* Field types. */
enum pk_type {
    PK_INT,     /* unsigned integer of 1..64 bits, optionally with names */
    PK_FLAGS,   /* bit set, each bit named */
    PK_MAC,     /* 48-bit hardware address */
    PK_IPV4,    /* 32-bit IPv4 address */
    PK_IPV6,    /* 128-bit IPv6 address (value in bytes) */
    PK_BYTES,   /* byte string: the variable tail of a header, or a payload */
    PK_RECORDS, /* records of another protocol (`rec`), one after another:
                   bytes on the wire, a list of tables in Lua */
    PK_FIXED,   /* a byte string of exactly bits / 8 bytes (BOOTP's chaddr,
                   sname, file): shorter values are zero-filled */
    PK_DNAME,   /* a domain name (RFC 1035 3.1), compressed or not on the
                   wire; text with the trailing dot in Lua (codec.h) */
    PK_TLV,     /* an option list of the TLV family `fam` (codec.h) */
    PK_STRS,    /* character-strings (RFC 1035 3.3), each after its length
                   byte: a list of strings in Lua (DNS TXT) */
    PK_IPV6S,   /* IPv6 addresses one after another: a list in Lua (an
                   IPv6 routing header's) */
    PK_WIDE     /* an unsigned integer wider than 64 bits (a multiple of 8,
                   at most 1024): bits / 8 bytes, big-endian, in C; "0x"
                   and hex digits in Lua */
};

/* How long a variable field (bits 0) is, in the order dissection asks:
 * a length field with cover PK_COVER_FIELD names it (DNS rdlength);
 * it delimits itself (a name; records with a count); else it is the
 * header's last field and takes what the header length leaves, or all
 * that follows.  Only the last field may be undelimited. */

/* Field flags. */
#define PK_FF_AUTO  0x01    /* computed at build time when left unset */
#define PK_FF_HEX   0x02    /* shown in hexadecimal */
#define PK_FF_PAD4  0x04    /* variable tail padded with zeros to 4 bytes */
#define PK_FF_PSEUDO 0x08   /* in the pseudo-header the layer above sums */
#define PK_FF_ZERO_NONE 0x10 /* a checksum where 0 means "none" (UDP) */
#define PK_FF_ALT   0x20    /* a next-protocol field consulted only when the
                               others select nothing (a source port) */
#define PK_FF_COUNT 0x40    /* the number of records of the PK_RECORDS field
                               that names it; counted at build time when unset */

/* Field roles: what generic code may compute or ask of a field. */
enum pk_role {
    PK_ROLE_NONE,
    PK_ROLE_LEN,    /* a length: `cover` says of what, `unit` in what */
    PK_ROLE_CHKSUM, /* an Internet checksum (16 bits) over `cover` */
    PK_ROLE_NEXT,   /* selects the protocol above: a key of bind class `cls` */
    PK_ROLE_SRC,    /* the source address */
    PK_ROLE_DST     /* the destination address */
};

/* What a length or checksum covers (bits). */
#define PK_COVER_HDR     0x01   /* this header */
#define PK_COVER_PAYLOAD 0x02   /* everything above it */
#define PK_COVER_PSEUDO  0x04   /* the pseudo-header of the layer below */
#define PK_COVER_FIELD   0x08   /* one variable field of this header: `of` */
#define PK_COVER_AFTER   0x10   /* the rest of this header after the length
                                   (a DNS record's rdlen): a header length */

struct pk_layer;
struct pk_tlvfam;

/* A value <-> name table entry; tables end with name == NULL. */
struct pk_name {
    uint64_t value;
    const char *name;
};

/* Names of one field that depend on another field's value
 * (ICMP code names depend on the type); ends with names == NULL. */
struct pk_depnames {
    uint64_t key;
    const struct pk_name *names;
};

/* One field of a protocol header. */
struct pk_field {
    const char *name;
    uint8_t type;           /* enum pk_type */
    uint16_t bits;          /* width of a fixed field; 0 for a variable one */
    uint8_t flags;          /* PK_FF_* */
    uint64_t def;           /* default of an integer-like field */
    const void *defp;       /* default of a byte-like field (wire form), */
    uint32_t deflen;        /* and its length; NULL: empty */
    const struct pk_name *names;        /* PK_INT names, PK_FLAGS bit names */
    const struct pk_depnames *depnames; /* names keyed by field `dep` */
    int dep;                            /* index of that field */
    uint8_t role;           /* enum pk_role */
    uint8_t cover;          /* PK_ROLE_LEN, PK_ROLE_CHKSUM: PK_COVER_* */
    uint8_t unit;           /* PK_ROLE_LEN: bytes per unit; 0 means 1 */
    int8_t adj;             /* PK_ROLE_LEN: added to the count of units
                               (an IPv6 extension header's length: -1) */
    uint8_t of;             /* PK_COVER_FIELD: 1 + the field it measures */
    const struct pk_tlvfam *fam;    /* PK_TLV: the option family */
    const char *cls;        /* PK_ROLE_NEXT: the bind class of its values */
    const struct pk_proto *rec;     /* PK_RECORDS: the protocol of each record */
    int count;              /* PK_RECORDS: 1 + the field that gives how many
                               records there are; 0: they fill the header */
    /* NULL when always present; else says whether it is, given the
     * fields before it (ICMP's fields depend on the type). */
    int (*present)(const struct pk_layer *l);
};

/* How a protocol is carried, declared by it (the upper layer), as
 * Scapy's bind_layers: under key `value` of bind class `cls`, a class
 * being the key space of lower layers' next-protocol fields
 * ("ethertype" for Ether, Dot1Q and the cooked headers alike,
 * "ip.proto", "udp.port", "linktype").  Dissection takes the first
 * protocol registered for a key; building fills an unset next-protocol
 * field with the first key the protocol above declares. */
struct pk_bind {
    const char *cls;
    uint64_t value;
    int quote;      /* what follows is a quote of this protocol (an ICMP
                       error's datagram), dissected in quoted form */
};

/* One-line summary: the first entry whose condition holds is used.
 * In fmt, %name% is a field of this layer, %<name% the nearest field of
 * that name in a layer below. */
struct pk_sumfmt {
    int field;                  /* -1: always */
    uint64_t value;
    const char *fmt;
};

struct pk_bindclass;

/* A next-protocol selector of a registered protocol: a field (or -1:
 * always key 0) and the class its keys are looked up in. */
struct pk_sel {
    int field;
    struct pk_bindclass *cls;
};

/* A field with a length or checksum role, in the order build fills
 * them (lengths, then the checksums that cover them). */
struct pk_rolefield {
    int field;
    int bitoff;     /* its bit offset in the header; -1: after a
                       conditional field, found at build time */
};

struct pk_proto {
    const char *name;           /* constructor name, as in Scapy: "Ether" */
    const char *longname;       /* shown by show(): "Ethernet" */
    const struct pk_field *fields;
    int nfields;
    const struct pk_bind *binds;        /* how it is carried */
    int nbinds;
    const char *payload_cls;    /* the class of what it carries when no
                                   field selects it (802.3: 802.2 LLC) */
    const struct pk_sumfmt *summary;    /* ends with fmt == NULL */
    int quotable;   /* an ICMP error may quote it: gets a quoted form */
    /* The class of what follows when the next bytes' first byte says
     * what they are (IPv6 neighbour discovery options), looked up when
     * no field selects it. */
    const char *peek;
    /* 1 + the field where a message starts that compressed names in this
     * header and its records point into (DNS: id); 0: the first byte of
     * what is dissected. */
    int message;
    /* A record variant: dissection chose it over `variant_of` by its
     * dispatch hook (DNS's MX record is a DNSRR by its type), so a list
     * of variant_of's records holds it too. */
    const struct pk_proto *variant_of;

    /* Hooks, all optional: only where a protocol is irregular. */
    /* Dissection: the protocol this header really is, given its fixed
     * fields, when two share a start (Ethernet II and 802.3). */
    const struct pk_proto *(*dispatch)(const struct pk_layer *l);
    /* Dissection: NULL when the fixed fields read agree with the layout;
     * else why not, and in *keep how many leading fields still hold (0:
     * the bytes are not this protocol and stay raw). */
    const char *(*check)(const struct pk_layer *l, int *keep);
    /* Header length once the fixed fields are read, where no length
     * field says it; negative when the header is invalid. */
    long (*hdr_len)(const struct pk_layer *l);
    /* Where this layer's payload ends, where no length field says it,
     * given where the header ends and the captured end. */
    size_t (*payload_end)(const struct pk_layer *l, size_t hdr_end, size_t end);
    /* The protocol above, where binds are not enough. */
    const struct pk_proto *(*next)(const struct pk_layer *l, int *decided);
    /* Whether what this layer carries is one fragment of a larger
     * datagram: the lengths and checksums above it describe the whole,
     * so an edit does not compute them again over the part. */
    int (*fragment)(const struct pk_layer *l);
    /* Before building: fill unset fields whose value depends on others. */
    void (*prepare)(struct pk_layer *ls, int i, int n);
    /* After the layers above are built and the roles filled: write
     * computed fields no role describes. */
    void (*post_build)(struct pk_layer *ls, int i, int n, uint8_t *pkt, size_t len);
    /* The ones'-complement sum of the pseudo-header this layer gives a
     * transport segment of seglen bytes above it (RFC 768, RFC 9293). */
    uint32_t (*pseudo_sum)(const struct pk_layer *l, const uint8_t *pkt,
                           size_t seglen);
    /* Reply matching (sr): append to key what a request and its replies
     * share at this layer (Scapy's hashret); returns bytes appended. */
    size_t (*hashret)(const struct pk_layer *ls, int i, int n, uint8_t *key,
                      size_t cap);
    /* Whether rep (layers from j) answers req (layers from i); calls
     * pk_answers_from for the layers above when they decide. */
    int (*answers)(const struct pk_layer *req, int i, int nreq,
                   const struct pk_layer *rep, int j, int nrep);
    /* The same for the quoted form: whether the quote at rep[j] is the
     * request at req[i]. */
    int (*quote_answers)(const struct pk_layer *req, int i, int nreq,
                         const struct pk_layer *rep, int j, int nrep);

    /* Set by pk_proto_register; left zero in a descriptor. */
    int id;
    const struct pk_proto *quoted;      /* a quoted form: what it quotes */
    const struct pk_proto *as_quote;    /* quotable: its quoted form */
    const struct pk_sel *sel;           /* next-protocol selectors, */
    int nsel;                           /* the PK_FF_ALT ones last */
    struct pk_bindclass *peekcls;       /* `peek`, interned */
    const struct pk_rolefield *roles;   /* lengths and checksums */
    int nroles;
    int tail;               /* 1 + its variable tail field; 0: none */
    int hdrlen;             /* 1 + the field giving this header's length */
    int totlen;             /* 1 + the field giving the length of what it
                               covers with what lies above; 0: none */
    uint32_t delimited;     /* bit f: variable field f ends where a length
                               field, its own form or a count says */
};

int pk_answers_from(const struct pk_layer *req, int i, int nreq,
                    const struct pk_layer *rep, int j, int nrep);
size_t pk_key_put(uint8_t *key, size_t cap, uint64_t v, int bytes);

/* A field's value. */
struct pk_val {
    uint64_t u;             /* integer-like fields; for PK_DNAME and
                               PK_RECORDS read off the wire, where their
                               message is (pk_val_msg) */
    const uint8_t *p;       /* byte-like fields: IPv6, bytes, lists, names */
    uint32_t len;
};

/* The message a name's compression pointers point into: for a value
 * read off the wire, u holds how far before p it starts (high 32 bits)
 * and its length; for a value a script gave (u == 0), the value itself,
 * which holds no pointers. */
struct pk_msg {
    const uint8_t *p;
    size_t len;
};

static inline struct pk_msg pk_val_msg(const struct pk_val *v)
{
    struct pk_msg m = { v->p, v->len };
    if (v->u) {
        m.p = v->p - (v->u >> 32);
        m.len = (size_t)(v->u & 0xffffffffu);
    }
    return m;
}

static inline uint64_t pk_msg_ref(const struct pk_msg *m, const uint8_t *p)
{
    return m && m->p ? (uint64_t)(p - m->p) << 32 | (uint64_t)m->len : 0;
}

/* Layer status after dissection. */
#define PK_LAYER_OK        0
#define PK_LAYER_TRUNCATED 1    /* the capture ends inside the header */
#define PK_LAYER_INVALID   2    /* a length field lies */

struct pk_layer {
    const struct pk_proto *proto;
    uint32_t set;           /* bit i: field i has a value */
    uint32_t present;       /* bit i: field i is in this header */
    size_t off;             /* header start in the packet */
    size_t hlen;            /* header length */
    int status;             /* PK_LAYER_* */
    const struct pk_proto *cut;   /* Raw layer: the protocol that was cut
                                     short, or that the bytes are not */
    const char *why;        /* PK_LAYER_INVALID by a check: the reason */
    const struct pk_proto *below;   /* the layer under it, or NULL: a field's
                                       presence may depend on it (DNS over TCP) */
    struct pk_val v[PK_MAXFIELDS];
};

/* The protocol registry.  The built-in protocols (src/proto/builtin.def)
 * are registered on first use; more may be registered at run time.  Ids
 * run from 1 in registration order.  Not thread-safe. */

/* Registers p (which must outlive the registry): assigns its id, enters
 * its binds in their classes and, when quotable, registers its quoted
 * form too.  Returns the id, or PK_EINVAL / PK_EEXIST with *why. */
int pk_proto_register(struct pk_proto *p, const char **why) PK_MUSTCHECK;
void pk_registry_init(void);    /* registers the built-ins; idempotent */
const struct pk_proto *pk_proto_byid(int id);       /* NULL when none */
int pk_proto_count(void);
int pk_proto_id(const struct pk_proto *p);          /* 0 when unregistered */
const struct pk_proto *pk_proto_find(const char *name);
int pk_field_find(const struct pk_proto *p, const char *name);

/* Raw (bytes no descriptor claims) and Padding (bytes past a length
 * field): the machinery's own. */
extern struct pk_proto pk_proto_raw, pk_proto_padding;

/* Binds.  The protocol above layer l by its selectors' keys, or NULL:
 * the quoted form where a bind begins a quote, or where l is itself a
 * quote (a quote does not nest). */
const struct pk_proto *pk_bind_upper(const struct pk_layer *l);
/* The key that carries upper over lower through selector s; 0 when
 * upper is not bound there (else 1, and *v). */
int pk_bind_key(const struct pk_proto *lower, const struct pk_sel *s,
                const struct pk_proto *upper, uint64_t *v);
/* The key an unset next-protocol field f of lower takes under upper, as
 * Scapy's bind_layers fills it: a computed field (IP's proto) from any
 * bind, a field with a default (UDP's dport) from a bind that is no
 * quote; never a PK_FF_ALT field.  0 when none (else 1, and *v). */
int pk_bind_fill(const struct pk_proto *lower, int f, const struct pk_proto *upper,
                 uint64_t *v);
/* The class called name, or NULL; its binds in registration order:
 * entry i's key and the protocol that declared it, and what it carries
 * over a given lower protocol (NULL: nothing, as a quote does not nest). */
struct pk_bindclass *pk_bindclass_find(const char *name);
const char *pk_bindclass_name(const struct pk_bindclass *c);
int pk_bindclass_count(const struct pk_bindclass *c);
const struct pk_proto *pk_bindclass_get(const struct pk_bindclass *c, int i,
                                        uint64_t *value);
const struct pk_proto *pk_bind_carried(const struct pk_proto *lower,
                                       const struct pk_bindclass *c, int i,
                                       uint64_t *value);

/* Layers and fields. */
void pk_layer_init(struct pk_layer *l, const struct pk_proto *p);

/* Inline: building and dissecting call these for every field. */
static inline uint64_t pk_layer_u(const struct pk_layer *l, int f)   /* value or default */
{
    return (l->set >> f & 1) ? l->v[f].u : l->proto->fields[f].def;
}

static inline void pk_layer_setu(struct pk_layer *l, int f, uint64_t u)
{
    l->v[f].u = u;
    l->set |= 1u << f;
}

static inline void pk_layer_setp(struct pk_layer *l, int f, const uint8_t *p, uint32_t len)
{
    l->v[f].u = 0;          /* bytes a script gave point into no message */
    l->v[f].p = p;
    l->v[f].len = len;
    l->set |= 1u << f;
}

/* Whether a field's value is bytes (p/len) rather than an integer. */
static inline int pk_field_isptr(const struct pk_field *fd)
{
    /* one test: building and dissecting ask it of every field */
    return (1u << fd->type) & (1u << PK_IPV6 | 1u << PK_BYTES | 1u << PK_RECORDS |
                               1u << PK_FIXED | 1u << PK_WIDE | 1u << PK_DNAME | 1u << PK_TLV | 1u << PK_STRS |
                               1u << PK_IPV6S);
}

/* The bytes field f is built from: its value, else its default. */
static inline struct pk_val pk_layer_p(const struct pk_layer *l, int f)
{
    struct pk_val v = { 0, NULL, 0 };
    if (l->set >> f & 1)
        return l->v[f];
    v.p = (const uint8_t *)l->proto->fields[f].defp;
    v.len = l->proto->fields[f].deflen;
    return v;
}

static inline int pk_field_present(const struct pk_layer *l, int f)
{
    const struct pk_field *fd = &l->proto->fields[f];
    return fd->present == NULL || fd->present(l);
}

static inline uint64_t pk_field_max(const struct pk_field *f)
{
    return f->bits >= 64 ? UINT64_MAX : (UINT64_C(1) << f->bits) - 1;
}

/* The bits field f takes in l's header as built or read: its width, or
 * a variable field's bytes with their fill. */
size_t pk_field_width(const struct pk_layer *l, int f);
/* The bits from the start of l's header to the end of field f. */
size_t pk_field_end(const struct pk_layer *l, int f);
/* Whether variable field f ends where a length field, its own form or a
 * count says, rather than where the header does. */
int pk_field_delimited(const struct pk_proto *p, int f);
/* The field whose length field f (PK_COVER_FIELD) gives, or -1; and the
 * length field of variable field f, or -1. */
int pk_field_measures(const struct pk_proto *p, int f);
int pk_field_measured_by(const struct pk_proto *p, int f);
/* The field of f's name that l's header has (f, or a later variant). */
int pk_field_variant(const struct pk_layer *l, int f);

const char *pk_field_valname(const struct pk_layer *l, int f, uint64_t v);
int pk_field_namedval(const struct pk_layer *l, int f, const char *name,
                      uint64_t *v) PK_MUSTCHECK;
int pk_flags_parse(const struct pk_field *f, const char *s, uint64_t *v) PK_MUSTCHECK;
int pk_flags_format(const struct pk_field *f, uint64_t v, char *buf, size_t n);

/* Building and dissecting. */
int pk_build(struct pk_layer *ls, int n, uint8_t *buf, size_t cap,
             size_t *len) PK_MUSTCHECK;
int pk_dissect(const struct pk_proto *first, const uint8_t *data, size_t len,
               struct pk_layer *ls, int max);
int pk_field_format(const struct pk_layer *l, int f, char *buf, size_t n);

/* Records (PK_RECORDS fields): the whole records of rec at the start of
 * p[0, len), at most max of them; returns how many, and in *used the
 * bytes they take.  Reads nothing past len. */
int pk_records_walk(const struct pk_proto *rec, const uint8_t *p, size_t len,
                    uint64_t max, const struct pk_msg *msg, size_t *used);
/* The record at p[0, len) as one layer of rec; returns the bytes it
 * takes, or 0 when it is not a whole record.  Names in it point into
 * msg (NULL: p[0, len)). */
size_t pk_record_read(const struct pk_proto *rec, const uint8_t *p, size_t len,
                      const struct pk_msg *msg, struct pk_layer *l);
/* pk_dissect with names pointing into msg (NULL: data[0, len)). */
int pk_dissect_msg(const struct pk_proto *first, const uint8_t *data, size_t len,
                   struct pk_layer *ls, int max, const struct pk_msg *msg);
/* The wire length of the name at msg[off], following no pointer past
 * the first: the bytes it takes there; < 0 when it is not a name. */
long pk_dname_span(const uint8_t *msg, size_t mlen, size_t off);

/* Addresses. */
int pk_hexdigit(int c);                                /* -1: not one */
int pk_ipv4_parse(const char *s, uint32_t *a) PK_MUSTCHECK;
void pk_ipv4_format(uint32_t a, char *buf);            /* 16 bytes */
int pk_mac_parse(const char *s, uint64_t *m) PK_MUSTCHECK;
void pk_mac_format(uint64_t m, char *buf);             /* 18 bytes */
int pk_ipv6_parse(const char *s, uint8_t a[16]) PK_MUSTCHECK;
void pk_ipv6_format(const uint8_t a[16], char *buf);   /* 46 bytes */

/* Checksums (RFC 1071). */
uint32_t pk_cksum_add(uint32_t sum, const uint8_t *p, size_t len);
uint16_t pk_cksum_fold(uint32_t sum);
uint16_t pk_cksum(const uint8_t *p, size_t len);
int pk_cksum_l4(const struct pk_layer *ls, int i, const uint8_t *pkt,
                const uint8_t *seg, size_t seglen);

/* Big-endian helpers. */
static inline void pk_put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static inline uint16_t pk_get16(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}

#endif
