/*
 * codec.h - field codecs beyond fixed-width integers: a bounds-checked
 * reader and writer, a TLV option family described by data, domain
 * names (RFC 1035 4.1.4), records with length-from and count-from
 * relations, and values wider than 64 bits or of a fixed byte size.
 * Plain C, usable without Lua.
 *
 * How it plugs into pk.h: a PK_TLV field names its struct pk_tlvfam, a
 * PK_DNAME field is read and written with the name functions, a
 * PK_FIXED field with the fixed-size ones; lengths and counts taken from
 * another field are pk.h's roles (PK_COVER_FIELD, PK_COVER_AFTER,
 * count).  The records engine below (struct pk_rec, pk_arena) is the
 * standalone form the field machinery was drawn from; descriptors use
 * PK_RECORDS instead.  TCP options still use pk.h's older option lists.
 */
#ifndef PK_CODEC_H
#define PK_CODEC_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "pk.h"

/* Error codes of the codecs, apart from pk.h's (which keeps -1..-15). */
#define PK_EMALFORMED (-16) /* bytes that do not follow the format */
#define PK_ETRUNC     (-17) /* the bytes end inside an item */
#define PK_EPOINTER   (-18) /* a name compression pointer leaves the message */
#define PK_ELOOP      (-19) /* name compression pointers loop or hop too often */
#define PK_ETOOLONG   (-20) /* a name or label longer than RFC 1035 allows */
#define PK_ELABEL     (-21) /* a label type other than 0 (length) or 3 (pointer) */

/* What went wrong, in words a user understands; for any code above or
 * pk.h's. */
const char *pk_codec_strerror(int err);

/* ---- The one reader of packet bytes ------------------------------------
 * Every read checks what is left first; a read past the end returns 0 and
 * sets a sticky error, so a parser checks the flag once per item. */
struct pk_rd {
    const uint8_t *p;       /* next byte */
    const uint8_t *end;     /* one past the last byte that may be read */
    unsigned bit;           /* bits of *p already read (bit fields) */
    int err;                /* sticky: some read did not fit */
};

static inline void pk_rd_init(struct pk_rd *r, const uint8_t *p, size_t n)
{
    r->p = p;
    r->end = p + n;
    r->bit = 0;
    r->err = 0;
}

static inline size_t pk_rd_left(const struct pk_rd *r)
{
    return r->err ? 0 : (size_t)(r->end - r->p);
}

/* Whether n more whole bytes can be read; sets the error when not. */
static inline int pk_rd_need(struct pk_rd *r, size_t n)
{
    if (r->err || r->bit || (size_t)(r->end - r->p) < n) {
        r->err = 1;
        return 0;
    }
    return 1;
}

/* A big-endian unsigned integer of n bytes (0..8). */
static inline uint64_t pk_rd_uint(struct pk_rd *r, unsigned n)
{
    uint64_t v = 0;
    if (n > 8 || !pk_rd_need(r, n))
        return 0;
    for (unsigned i = 0; i < n; i++)
        v = v << 8 | r->p[i];
    r->p += n;
    return v;
}

static inline uint8_t pk_rd_u8(struct pk_rd *r)
{
    return (uint8_t)pk_rd_uint(r, 1);
}

static inline uint16_t pk_rd_u16(struct pk_rd *r)
{
    return (uint16_t)pk_rd_uint(r, 2);
}

static inline uint32_t pk_rd_u32(struct pk_rd *r)
{
    return (uint32_t)pk_rd_uint(r, 4);
}

/* n bytes in place: a pointer to them, or NULL (error set) when short. */
static inline const uint8_t *pk_rd_bytes(struct pk_rd *r, size_t n)
{
    const uint8_t *p = r->p;
    if (!pk_rd_need(r, n))
        return NULL;
    r->p += n;
    return p;
}

/* A reader over the next n bytes (clamped to what is left: the caller
 * tells "truncated" by comparing its size); this one moves past them. */
static inline struct pk_rd pk_rd_sub(struct pk_rd *r, size_t n)
{
    struct pk_rd s;
    size_t left;
    if (r->bit)
        r->err = 1;         /* bytes start on a byte boundary */
    left = pk_rd_left(r);
    pk_rd_init(&s, r->p, n < left ? n : left);
    r->p += s.end - s.p;
    return s;
}

/* nbits (1..64) big-endian bits, from where the last bit read stopped. */
uint64_t pk_rd_bits(struct pk_rd *r, unsigned nbits);

/* The load under every read of bits: `bits` (1..64) big-endian at bit
 * offset `bit` of p, whose bounds the caller checked (pk_rd_bits, and
 * dissection's loop over a header's fixed fields, which checks each
 * field against the header's end). */
static inline uint64_t pk_bits_at(const uint8_t *p, size_t bit, unsigned bits)
{
    uint64_t v = 0;
    if ((bit & 7) == 0 && (bits & 7) == 0) {   /* most fields: whole bytes */
        for (const uint8_t *b = p + (bit >> 3), *e = b + (bits >> 3); b < e; b++)
            v = v << 8 | *b;
        return v;
    }
    while (bits > 0) {
        unsigned used = (unsigned)(bit & 7);
        unsigned take = 8 - used < bits ? 8 - used : bits;
        unsigned shift = 8 - used - take;
        v = v << take | ((p[bit >> 3] >> shift) & ((1u << take) - 1));
        bit += take;
        bits -= take;
    }
    return v;
}

/* Positional reads, for a parser that keeps its own bit cursor
 * (dissection's loop over a header's fixed fields): whether nbits at
 * bit `bit` from where the reader stands are within its end, and those
 * bits (after that check).  They do not move the reader. */
static inline int pk_rd_fits(const struct pk_rd *r, size_t bit, size_t nbits)
{
    /* signed: a cursor already past the end gives a negative room */
    return (ptrdiff_t)((size_t)(r->end - r->p) * 8 - bit) >= (ptrdiff_t)nbits;
}

static inline uint64_t pk_rd_bits_at(const struct pk_rd *r, size_t bit, unsigned nbits)
{
    return pk_bits_at(r->p, bit, nbits);
}

/* ---- The writer ---------------------------------------------------------
 * The mirror of the reader: writes that do not fit set a sticky error
 * and write nothing. */
struct pk_wr {
    uint8_t *buf;
    size_t len;             /* bytes written (a partial byte counts) */
    size_t cap;
    unsigned bit;           /* bits of buf[len - 1] still free for bit fields */
    int err;                /* sticky: 0 or a PK_E* code */
};

static inline void pk_wr_init(struct pk_wr *w, uint8_t *buf, size_t cap)
{
    w->buf = buf;
    w->len = 0;
    w->cap = cap;
    w->bit = 0;
    w->err = 0;
}

static inline uint8_t *pk_wr_room(struct pk_wr *w, size_t n)
{
    uint8_t *p;
    if (w->err)
        return NULL;
    if (w->bit || w->cap - w->len < n) {
        w->err = w->bit ? PK_EINVAL : PK_ENOSPC;
        return NULL;
    }
    p = w->buf + w->len;
    w->len += n;
    return p;
}

static inline void pk_wr_uint(struct pk_wr *w, uint64_t v, unsigned n)
{
    uint8_t *p = n <= 8 ? pk_wr_room(w, n) : NULL;
    for (unsigned i = 0; p && i < n; i++)
        p[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

static inline void pk_wr_bytes(struct pk_wr *w, const uint8_t *s, size_t n)
{
    uint8_t *p = pk_wr_room(w, n);
    if (p && n)
        memcpy(p, s, n);
}

static inline void pk_wr_zeros(struct pk_wr *w, size_t n)
{
    uint8_t *p = pk_wr_room(w, n);
    if (p && n)
        memset(p, 0, n);
}

/* nbits (1..64) big-endian bits after the last bits written. */
void pk_wr_bits(struct pk_wr *w, uint64_t v, unsigned nbits);

/* ---- TLV option families ------------------------------------------------
 * One engine for every kind/length/value list; a family says how its
 * lengths are counted and what each kind's value holds. */

/* What one piece of a kind's value is. */
enum pk_tlvt {
    PK_TLVT_UINT,       /* unsigned integer of size 1, 2 or 4 bytes: u */
    PK_TLVT_IPV4,       /* IPv4 address: u */
    PK_TLVT_IPV6,       /* IPv6 address: p/len 16 */
    PK_TLVT_MAC,        /* 48-bit hardware address: u */
    PK_TLVT_BYTES,      /* bytes: p/len; size 0 takes the rest of the value */
    PK_TLVT_STRING      /* text, as BYTES but shown as a string */
};

struct pk_tlvitem {
    const char *name;               /* "prefixlen", or NULL for the only one */
    uint8_t type;                   /* enum pk_tlvt */
    uint8_t size;                   /* bytes; 0: the rest (BYTES, STRING) */
    uint8_t repeat;                 /* the last item repeats to the end */
    const struct pk_name *names;    /* names of UINT values, or NULL */
};

#define PK_TLVK_SINGLE 0x01 /* the type alone: no length, no value (pad, NOP, end) */
#define PK_TLVK_LIST   0x02 /* in Lua the values are one list, {name, {a, b}}
                               (TCP's Timestamp and SAck, as Scapy's tuples) */

/* One kind of a family; a table of them ends with name == NULL. */
struct pk_tlvkind {
    uint16_t kind;
    uint8_t flags;                  /* PK_TLVK_* */
    const char *name;               /* Scapy's name: "MSS", "message-type" */
    const struct pk_tlvitem *items; /* the value, in order */
    uint8_t nitems;
    uint16_t minlen, maxlen;        /* value bytes allowed; 0, 0: no limit */
};

/* Where a kind must start in a PK_TLV_FILL_PAD8 list, counted from the
 * list's 2-byte header: at x * n + y (RFC 8200 4.2's xn+y); padding is
 * put before it when building.  A table ends with x == 0. */
struct pk_tlvalign {
    uint16_t kind;
    uint8_t x, y;
};

/* How zero fill after the list is treated. */
#define PK_TLV_FILL_NONE   0    /* every byte is part of some item */
#define PK_TLV_FILL_ALIGN4 1    /* zeros after the end kind align to 4 bytes */
#define PK_TLV_FILL_PAD8   2    /* a Pad1 (0) or PadN (1) option makes the list
                                   and a 2-byte header a multiple of 8 bytes
                                   (IPv6 extension headers, RFC 8200 4.2) */

/* How a family's options look in Lua. */
#define PK_TLVF_TUPLES 0x01 /* every option reads as a table: a kind without
                               a value as {name} (Scapy's TCP ('NOP', None)) */
#define PK_TLVF_RAWOK  0x02 /* a byte string is any kind's value, sent as it
                               is (Scapy's TCP takes ('MSS', b'..')) */

struct pk_tlvfam {
    const char *name;
    uint8_t flags;          /* PK_TLVF_* */
    uint8_t type_bytes;     /* 1 or 2 */
    uint8_t len_bytes;      /* 1 or 2 */
    uint8_t unit;           /* the length counts bytes (1) or 8-octet units (8) */
    uint8_t len_hdr;        /* the length counts the type and length bytes too */
    int end_kind;           /* the kind that ends the list, or -1 */
    uint8_t fill;           /* PK_TLV_FILL_* */
    uint16_t max_bytes;     /* the encoded list's limit (TCP: 40); 0: none */
    const struct pk_tlvkind *kinds;
    const struct pk_tlvalign *align;    /* PK_TLV_FILL_PAD8, or NULL */
};

/* How an item's bytes were understood. */
#define PK_TLV_OK        0  /* typed: read the values with pk_tlv_value */
#define PK_TLV_RAW       1  /* unknown kind or a value that does not fit the
                             * kind: data/len is the value as it came */
#define PK_TLV_MALFORMED 2  /* bad length or past max: data/len is every byte
                             * from this item's type to the end, kept as is */

/* One option.  Decoding fills kind, status, nvals and data/len (value
 * bytes without unit fill, pointing into the input) and leaves vals
 * NULL.  Encoding reads kind and either vals[0, nvals) (status
 * PK_TLV_OK with vals) or else data/len, so a decoded list encodes back
 * as it is. */
struct pk_tlv {
    uint16_t kind;
    uint8_t status;
    uint16_t nvals;
    const uint8_t *data;
    uint32_t len;
    const struct pk_val *vals;
};

const struct pk_tlvkind *pk_tlv_kind(const struct pk_tlvfam *f, unsigned kind);
const struct pk_tlvkind *pk_tlv_named(const struct pk_tlvfam *f, const char *name);
/* The item that describes value i of a kind with n values. */
const struct pk_tlvitem *pk_tlv_item(const struct pk_tlvkind *k, unsigned i);

/* Decodes len bytes into at most max options; returns how many.  Never
 * fails: an item it cannot read ends the list as PK_TLV_MALFORMED. */
int pk_tlv_decode(const struct pk_tlvfam *f, const uint8_t *p, size_t len,
                  struct pk_tlv *o, int max);
/* Value i (< o->nvals) of a decoded PK_TLV_OK option. */
int pk_tlv_value(const struct pk_tlvfam *f, const struct pk_tlv *o, unsigned i,
                 struct pk_val *v) PK_MUSTCHECK;
/* Encodes n options; returns the bytes written (without fill) or < 0. */
int pk_tlv_encode(const struct pk_tlvfam *f, const struct pk_tlv *o, int n,
                  uint8_t *buf, size_t cap) PK_MUSTCHECK;
/* Adds the family's fill after len encoded bytes; returns the new length
 * or < 0. */
int pk_tlv_fill(const struct pk_tlvfam *f, uint8_t *buf, size_t len,
                size_t cap) PK_MUSTCHECK;

/* Families the codec's own tests and tools use: TCP's, IPv4's and
 * DHCP's live in their descriptor files, ND's in tlv_families.c. */
extern const struct pk_tlvfam pk_tlv_tcp, pk_tlv_ipv4, pk_tlv_dhcp, pk_tlv_nd;

/* ---- Domain names (RFC 1035 3.1, 4.1.4) ---------------------------------
 * A name is kept in its uncompressed wire form: labels with their length
 * bytes, ending with the root's 0. */
#define PK_DNAME_MAX     255    /* bytes of a name in wire form */
#define PK_DNAME_MAXLABEL 63
#define PK_DNAME_MAXHOPS 64     /* compression pointers followed per name */
#define PK_DNAME_TEXTMAX 1024   /* text form, every byte escaped as \DDD */

/* Reads the name at msg[off] of a whole message of len bytes, following
 * compression pointers.  Writes its wire form to name (PK_DNAME_MAX
 * bytes) and how many bytes it takes at off to *used; returns the wire
 * length or < 0 (PK_ETRUNC, PK_EPOINTER, PK_ELOOP, PK_ETOOLONG,
 * PK_ELABEL). */
int pk_dname_decode(const uint8_t *msg, size_t len, size_t off,
                    uint8_t name[PK_DNAME_MAX], size_t *used);
/* Text with Scapy's trailing dot ("www.example.com.", the root is ".");
 * dots, backslashes and bytes outside printable ASCII inside a label are
 * escaped as \. \\ \DDD.  Returns the text length or PK_ENOSPC. */
int pk_dname_format(const uint8_t *name, size_t nlen, char *buf, size_t n);
/* Parses text with or without the trailing dot, with the escapes above;
 * returns the wire length or < 0 (PK_ETOOLONG, PK_EINVAL). */
int pk_dname_parse(const char *s, uint8_t name[PK_DNAME_MAX]);

/* Names already written to a message, for compression: the offsets of
 * every suffix written uncompressed (pointers reach 14 bits). */
#define PK_DNAME_MAXCOMP 128
struct pk_dname_comp {
    uint16_t off[PK_DNAME_MAXCOMP];
    int n;
};

/* Writes a name (wire form) at w's position.  With comp, the longest
 * suffix already in the message becomes a pointer, and the suffixes
 * written out are remembered; w->buf must be the whole message. */
void pk_dname_encode(struct pk_wr *w, const uint8_t *name, size_t nlen,
                     struct pk_dname_comp *comp);

/* ---- Wide values and fixed-size byte strings ----------------------------
 * A value of more than 64 bits is its big-endian bytes, (bits + 7) / 8 of
 * them, in a struct pk_val's p/len; so is a fixed-size byte string. */

/* Reads a wide integer of nbits (any count, any bit position) into out
 * ((nbits + 7) / 8 bytes, right-aligned). */
void pk_wide_read(struct pk_rd *r, unsigned nbits, uint8_t *out);
/* Writes v (len bytes, right-aligned) as nbits bits; PK_EINVAL on the
 * writer when v does not fit. */
void pk_wide_write(struct pk_wr *w, unsigned nbits, const uint8_t *v, size_t len);
/* Text <-> wide value: decimal or 0x-hex in, 0x-hex out. */
int pk_wide_parse(const char *s, unsigned nbits, uint8_t *out) PK_MUSTCHECK;
int pk_wide_format(const uint8_t *v, unsigned nbits, char *buf, size_t n);

/* A fixed-size byte string (BOOTP chaddr 16, sname 64, file 128):
 * shorter values are zero-filled, as Scapy does; longer ones are
 * refused (PK_EINVAL), never cut. */
void pk_fixed_write(struct pk_wr *w, size_t size, const uint8_t *v, size_t len);
/* The value without its zero fill (Scapy shows sname without the
 * trailing NULs): the length up to the last non-zero byte. */
size_t pk_fixed_trim(const uint8_t *v, size_t size);

/* ---- Records, length-from and count-from --------------------------------
 * A record is a sequence of fields like a header's; a field may take its
 * byte length or its item count from an earlier field (DNS qdcount ->
 * qd, rdlength -> rdata, IPv4 ihl -> options), and may be a list whose
 * items are records of another descriptor (DNS questions). */

enum pk_codec {
    PK_C_UINT,      /* bits 1..64, big-endian, packed like pk.h's fields: u */
    PK_C_WIDE,      /* an integer of more than 64 bits: p/len */
    PK_C_FIXED,     /* `size` bytes: p/len */
    PK_C_BYTES,     /* bytes whose length is given (rel) or the rest: p/len */
    PK_C_DNAME,     /* a domain name, compressed in the message: p/len wire form */
    PK_C_RECORDS,   /* a list of records of `rec`: u the first's index in
                     * the arena, len the count; each item's next follows */
    PK_C_TLV        /* an option list of `fam`: p/len bytes */
};

/* Field i's length or count comes from field `from`:
 * length = value * scale + add bytes, or count = value. */
#define PK_REL_NONE   0
#define PK_REL_LENGTH 1
#define PK_REL_COUNT  2

struct pk_rel {
    uint8_t kind;           /* PK_REL_* */
    int8_t from;            /* index of the field that gives it */
    uint8_t scale;          /* IPv4 ihl: 4 */
    int16_t add;            /* IPv4 ihl: -20, the fixed part */
};

struct pk_rec;

struct pk_cfield {
    const char *name;
    uint8_t codec;              /* enum pk_codec */
    uint16_t bits;              /* PK_C_UINT, PK_C_WIDE */
    uint16_t size;              /* PK_C_FIXED */
    uint8_t pad4;               /* zero fill to a 4-byte multiple when built */
    uint64_t def;               /* PK_C_UINT default */
    struct pk_rel rel;          /* where its length or count comes from */
    const struct pk_rec *rec;   /* PK_C_RECORDS: the items' descriptor */
    const struct pk_tlvfam *fam;/* PK_C_TLV */
};

#define PK_REC_MAXFIELDS 24

struct pk_rec {
    const char *name;           /* "DNSQR" */
    const struct pk_cfield *fields;
    int nfields;
    uint16_t maxitems;          /* a list of these holds at most this many */
};

/* Storage the caller owns for one decoded or to-be-encoded message:
 * records (their values), and bytes for names taken out of compression. */
struct pk_recval {
    const struct pk_rec *rec;
    uint32_t set;               /* bit i: field i given (not computed) */
    struct pk_val *v;           /* rec->nfields values */
    int next;                   /* the next item of the same list, or -1 */
    uint8_t status;             /* PK_LAYER_* of pk.h */
};

struct pk_arena {
    struct pk_recval *recs;
    int nrecs, maxrecs;
    struct pk_val *vals;
    int nvals, maxvals;
    uint8_t *bytes;
    size_t nbytes, maxbytes;
};

/* A new record of rec in the arena, its values zero and unset; < 0 when
 * the arena is full.  Returns its index. */
int pk_rec_new(struct pk_arena *a, const struct pk_rec *rec) PK_MUSTCHECK;

/* Field values of record ri, as pk.h's pk_layer_setu/setp: the field
 * counts as given, so encoding keeps it even when it could compute it. */
void pk_rec_setu(struct pk_arena *a, int ri, int f, uint64_t u);
void pk_rec_setp(struct pk_arena *a, int ri, int f, const uint8_t *p, uint32_t len);
/* Appends record child to the list field f of record ri. */
void pk_rec_append(struct pk_arena *a, int ri, int f, int child);

/* Decodes one record of rec from r, names resolved against msg[0, mlen)
 * (the whole message).  Returns its index in the arena, or < 0 when the
 * arena is full.  Bytes that do not fit leave the record PK_LAYER_TRUNCATED
 * or PK_LAYER_INVALID with the fields read so far; never fails on input. */
int pk_rec_decode(const struct pk_rec *rec, struct pk_rd *r, const uint8_t *msg,
                  size_t mlen, struct pk_arena *a);
/* Encodes record ri: unset length and count fields are computed from
 * what they measure; names are compressed against comp when given. */
void pk_rec_encode(const struct pk_arena *a, int ri, struct pk_wr *w,
                   struct pk_dname_comp *comp);

#endif
