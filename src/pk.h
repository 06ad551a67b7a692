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
#else
#define PK_MUSTCHECK
#endif

/* Error codes: functions return >= 0 on success, one of these on failure. */
#define PK_EINVAL   (-1)    /* a value does not fit its field */
#define PK_ENOSPC   (-2)    /* the output buffer is too small */
#define PK_ETOOMANY (-3)    /* more layers or options than the limits below */

#define PK_MAXFIELDS 20     /* fields of one protocol */
#define PK_MAXLAYERS 16     /* layers of one packet */
#define PK_MAXPKT    65535  /* bytes of one built packet */

/* Field types. */
enum pk_type {
    PK_INT,     /* unsigned integer of 1..64 bits, optionally with names */
    PK_FLAGS,   /* bit set, each bit named */
    PK_MAC,     /* 48-bit hardware address */
    PK_IPV4,    /* 32-bit IPv4 address */
    PK_IPV6,    /* 128-bit IPv6 address (value in bytes) */
    PK_BYTES,   /* byte string: the variable tail of a header, or a payload */
    PK_LIST     /* option list: kind/length/value items, bytes on the wire */
};

/* Field flags. */
#define PK_FF_AUTO  0x01    /* computed at build time when left unset */
#define PK_FF_HEX   0x02    /* shown in hexadecimal */
#define PK_FF_PAD4  0x04    /* variable tail padded with zeros to 4 bytes */
#define PK_FF_PSEUDO 0x08   /* in the pseudo-header the layer above sums */
#define PK_FF_ZERO_NONE 0x10 /* a checksum where 0 means "none" (UDP) */

struct pk_layer;

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

/* Option kinds and the shape of their values (PK_LIST fields). */
enum pk_optshape {
    PK_OPT_SINGLE,  /* one byte, no length (EOL, NOP) */
    PK_OPT_EMPTY,   /* kind and length 2, no value (SAckOK) */
    PK_OPT_U8,      /* one 8-bit value (WScale) */
    PK_OPT_U16,     /* one 16-bit value (MSS) */
    PK_OPT_U32S,    /* any number of 32-bit values (SAck, Timestamp) */
    PK_OPT_RAW      /* unknown kind: bytes kept as they are */
};

struct pk_optkind {
    uint8_t kind;
    uint8_t shape;          /* enum pk_optshape */
    uint8_t nvals;          /* PK_OPT_U32S: exact count, 0 = any */
    const char *name;       /* NULL ends the table */
};

#define PK_OPT_MAXVALS 8

/* One option, decoded. */
struct pk_opt {
    uint8_t kind;
    uint8_t nvals;
    uint8_t raw;            /* PK_OPTRAW_*: how data holds the value */
    uint32_t vals[PK_OPT_MAXVALS];
    const uint8_t *data;    /* raw value bytes */
    uint32_t len;           /* their count */
};

#define PK_OPTRAW_NO        0   /* value decoded into vals by the shape */
#define PK_OPTRAW_VALUE     1   /* unknown kind or odd size: data is the value */
#define PK_OPTRAW_MALFORMED 2   /* bad length: data is everything after kind */

#define PK_MAXOPTS 40

/* One field of a protocol header. */
struct pk_field {
    const char *name;
    uint8_t type;           /* enum pk_type */
    uint8_t bits;           /* width of a fixed field; 0 for the variable tail */
    uint8_t flags;          /* PK_FF_* */
    uint64_t def;           /* default of an integer-like field */
    const struct pk_name *names;        /* PK_INT names, PK_FLAGS bit names */
    const struct pk_depnames *depnames; /* names keyed by field `dep` */
    int dep;                            /* index of that field */
    const struct pk_optkind *opts;      /* PK_LIST option kinds */
    /* NULL when always present; else says whether it is, given the
     * fields before it (ICMP's fields depend on the type). */
    int (*present)(const struct pk_layer *l);
};

/* How a lower layer selects the one above it, and the value a computed
 * next-protocol field takes when that upper layer is stacked on it. */
struct pk_bind {
    int field;                  /* field index in the lower protocol */
    uint64_t value;
    const struct pk_proto *upper;
    int alt_field;              /* also match on this field (UDP dport), -1 */
};

/* One-line summary: the first entry whose condition holds is used.
 * In fmt, %name% is a field of this layer, %<name% the nearest field of
 * that name in a layer below. */
struct pk_sumfmt {
    int field;                  /* -1: always */
    uint64_t value;
    const char *fmt;
};

struct pk_proto {
    const char *name;           /* constructor name, as in Scapy: "Ether" */
    const char *longname;       /* shown by show(): "Ethernet" */
    const struct pk_field *fields;
    int nfields;
    const struct pk_bind *binds;
    int nbinds;
    const struct pk_sumfmt *summary;    /* ends with fmt == NULL */
    int quoted;     /* inside an ICMP error: lengths are not enforced */

    /* Hooks, all optional. */
    /* Header length once the fixed fields are read (IP: ihl * 4);
     * negative when the header is invalid. */
    long (*hdr_len)(const struct pk_layer *l);
    /* Where this layer's payload ends (IP: the total length), given
     * where the header ends and the captured end. */
    size_t (*payload_end)(const struct pk_layer *l, size_t hdr_end, size_t end);
    /* The protocol above, where the bind table is not enough. */
    const struct pk_proto *(*next)(const struct pk_layer *l, int *decided);
    /* Before building: fill unset fields whose value depends on others. */
    void (*prepare)(struct pk_layer *ls, int i, int n);
    /* After the layers above are built: write computed fields. */
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
};

int pk_answers_from(const struct pk_layer *req, int i, int nreq,
                    const struct pk_layer *rep, int j, int nrep);
size_t pk_key_put(uint8_t *key, size_t cap, uint64_t v, int bytes);

/* A field's value. */
struct pk_val {
    uint64_t u;             /* integer-like fields */
    const uint8_t *p;       /* PK_IPV6 (16 bytes), PK_BYTES, PK_LIST */
    uint32_t len;
};

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
    const struct pk_proto *cut;   /* Raw layer: the protocol that was cut short */
    struct pk_val v[PK_MAXFIELDS];
};

/* Protocols. */
extern const struct pk_proto pk_proto_ether, pk_proto_dot1q, pk_proto_arp,
    pk_proto_ip, pk_proto_icmp, pk_proto_udp, pk_proto_tcp, pk_proto_raw,
    pk_proto_padding, pk_proto_iperror, pk_proto_icmperror,
    pk_proto_udperror, pk_proto_tcperror, pk_proto_sll, pk_proto_sll2;

extern const struct pk_proto *const pk_protos[];   /* NULL-terminated */
const struct pk_proto *pk_proto_find(const char *name);
int pk_field_find(const struct pk_proto *p, const char *name);

/* Layers and fields. */
void pk_layer_init(struct pk_layer *l, const struct pk_proto *p);
uint64_t pk_layer_u(const struct pk_layer *l, int f);   /* value or default */
void pk_layer_setu(struct pk_layer *l, int f, uint64_t u);
void pk_layer_setp(struct pk_layer *l, int f, const uint8_t *p, uint32_t len);
int pk_field_present(const struct pk_layer *l, int f);
uint64_t pk_field_max(const struct pk_field *f);
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

/* Options (kind/length/value lists). */
int pk_opts_encode(const struct pk_optkind *kinds, const struct pk_opt *o,
                   int n, uint8_t *buf, size_t cap) PK_MUSTCHECK;
int pk_opts_decode(const struct pk_optkind *kinds, const uint8_t *p,
                   size_t len, struct pk_opt *o, int max);
const struct pk_optkind *pk_opt_kind(const struct pk_optkind *kinds, int kind);
const struct pk_optkind *pk_opt_named(const struct pk_optkind *kinds,
                                      const char *name);

/* Addresses. */
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
