/*
 * build.c - serialize a stack of layers: fixed fields bit-packed in
 * order, the variable tail copied, then the fields with a role filled
 * from the top layer down, so that lengths and checksums cover what lies
 * above: next-protocol keys from the binds, lengths, then checksums.
 */
#include <string.h>

#include "pk.h"

/* Writes the low `bits` of v at bit offset `bit` of buf, big-endian.
 * Inline, with the whole-byte case first: building writes every field
 * through it, and most fields are whole bytes. */
static inline void put_bits(uint8_t *buf, size_t bit, unsigned bits, uint64_t v)
{
    if (((bit | bits) & 7) == 0) {
        uint8_t *b = buf + (bit >> 3) + (bits >> 3);
        switch (bits) {
        case 32: b[-4] = (uint8_t)(v >> 24); b[-3] = (uint8_t)(v >> 16); /* fall through */
        case 16: b[-2] = (uint8_t)(v >> 8); /* fall through */
        case 8: b[-1] = (uint8_t)v; return;
        }
        for (; bits > 0; bits -= 8, v >>= 8)
            *--b = (uint8_t)v;
        return;
    }
    while (bits > 0) {
        size_t byte = bit >> 3;
        unsigned used = (unsigned)(bit & 7);
        unsigned take = 8 - used < bits ? 8 - used : bits;
        unsigned shift = 8 - used - take;
        uint8_t mask = (uint8_t)(((1u << take) - 1) << shift);
        uint8_t part = (uint8_t)((v >> (bits - take)) & ((1u << take) - 1));
        buf[byte] = (uint8_t)((buf[byte] & ~mask) | (part << shift));
        bit += take;
        bits -= take;
    }
}

/* The value field f is built with: a count left unset is the number
 * of records of the field that names it. */
static uint64_t value_of(const struct pk_layer *l, int f)
{
    const struct pk_proto *p = l->proto;
    size_t used;
    if (!(p->fields[f].flags & PK_FF_COUNT) || (l->set >> f & 1))
        return pk_layer_u(l, f);
    for (int r = f + 1; r < p->nfields; r++)
        if (p->fields[r].type == PK_RECORDS && p->fields[r].count == f + 1) {
            struct pk_val v = pk_layer_p(l, r);
            struct pk_msg msg = pk_val_msg(&v);
            return (uint64_t)pk_records_walk(p->fields[r].rec, v.p, v.len, UINT64_MAX,
                                             &msg, &used);
        }
    return pk_layer_u(l, f);
}

/* Writes one layer's header at buf[pos]; returns its length or < 0. */
static long write_header(struct pk_layer *l, uint8_t *buf, size_t pos,
                         size_t cap)
{
    /* in locals: each byte written may alias the layer and descriptor
     * for the compiler, which would otherwise load them again per field */
    const struct pk_field *fields = l->proto->fields;
    const int nfields = l->proto->nfields;
    const uint32_t set = l->set;
    uint32_t present = 0;
    size_t bit = pos * 8;

    for (int f = 0; f < nfields; f++) {
        const struct pk_field *fd = &fields[f];
        if (fd->present) {      /* it sees the fields before it */
            l->present = present;
            if (!fd->present(l))
                continue;
        }
        present |= 1u << f;
        if (pk_field_isptr(fd)) {       /* bytes: variable, or of a fixed size */
            struct pk_val v = pk_layer_p(l, f);
            size_t w = pk_field_width(l, f) / 8;
            if (bit & 7)
                return PK_EINVAL;
            if (v.len > w)              /* more than a fixed size holds */
                return PK_EINVAL;
            if (w > cap - bit / 8)
                return PK_ENOSPC;
            if (fd->type == PK_WIDE) {  /* a shorter integer: zeros first */
                memset(buf + bit / 8, 0, w - v.len);
                if (v.len)
                    memcpy(buf + bit / 8 + w - v.len, v.p, v.len);
            } else {
                if (v.len)
                    memcpy(buf + bit / 8, v.p, v.len);
                memset(buf + bit / 8 + v.len, 0, w - v.len);
            }
            bit += w * 8;
            continue;
        }
        unsigned bits = fd->bits;
        uint64_t v = (fd->flags & PK_FF_COUNT) ? value_of(l, f)
                     : (set >> f & 1) ? l->v[f].u : fd->def;
        if ((bit + bits + 7) / 8 > cap)
            return PK_ENOSPC;
        put_bits(buf, bit, bits, v & pk_field_max(fd));
        bit += bits;
    }
    l->present = present;
    if (bit & 7)
        return PK_EINVAL;
    return (long)(bit / 8 - pos);
}

/* Bit offset of field f within its header. */
static size_t field_bitoff(const struct pk_layer *l, int f)
{
    size_t bit = 0;
    for (int i = 0; i < f; i++)
        if (l->present >> i & 1)
            bit += pk_field_width(l, i);
    return bit;
}

/* An unset next-protocol field takes the key under which the layer
 * above declares itself carried (Ether.type 0x0800 under IP, IP.proto
 * 17 under UDP, UDP.dport under a layer bound to a port). */
static void fill_next_proto(struct pk_layer *ls, int i, int n, uint8_t *buf)
{
    struct pk_layer *l = &ls[i];
    const struct pk_proto *p = l->proto;
    if (i + 1 >= n)
        return;
    for (int s = 0; s < p->nsel; s++) {
        int f = p->sel[s].field;
        uint64_t v;
        if (f < 0 || (l->set >> f & 1) || !(l->present >> f & 1))
            continue;       /* not a next-protocol field left to fill */
        if (pk_bind_fill(p, f, ls[i + 1].proto, &v)) {
            put_bits(buf + l->off, field_bitoff(l, f), p->fields[f].bits, v);
            l->v[f].u = v;
            return;
        }
    }
}

/* Lengths and checksums left unset, from their roles: a length counts
 * this header, what lies above it up to `end`, or both, in its unit; a
 * checksum sums what it covers, with the pseudo-header of the layer
 * below when it says so (none below: it stays 0, as Scapy leaves it). */
static void fill_roles(struct pk_layer *ls, int i, uint8_t *buf, size_t end)
{
    struct pk_layer *l = &ls[i];
    const struct pk_proto *p = l->proto;
    uint8_t *h = buf + l->off;

    for (int r = 0; r < p->nroles; r++) {
        int f = p->roles[r].field;
        const struct pk_field *fd = &p->fields[f];
        size_t bit;
        if ((l->set >> f & 1) || !(l->present >> f & 1))
            continue;
        bit = p->roles[r].bitoff >= 0 ? (size_t)p->roles[r].bitoff : field_bitoff(l, f);
        if (fd->role == PK_ROLE_LEN) {
            int64_t v = (fd->cover & PK_COVER_HDR) ? (int64_t)l->hlen : 0;
            if (fd->cover & PK_COVER_PAYLOAD)
                v += (int64_t)(end - l->off - l->hlen);
            if (fd->cover & PK_COVER_FIELD)
                v = (int64_t)(pk_field_width(l, pk_field_variant(l, fd->of - 1)) / 8);
            if (fd->cover & PK_COVER_AFTER)
                v = (int64_t)l->hlen - (int64_t)(pk_field_end(l, f) / 8);
            v = v / (fd->unit ? fd->unit : 1) + fd->adj;
            if (v < 0)
                v = 0;
            /* a frame larger than its length field can say (GRO, BIG
             * TCP captures) carries 0 there, as Linux writes it */
            put_bits(h, bit, fd->bits, (uint64_t)v > pk_field_max(fd) ? 0 : (uint64_t)v);
        } else if (bit % 8 == 0) {
            size_t len = (fd->cover & PK_COVER_PAYLOAD) ? end - l->off : l->hlen;
            int c;
            pk_put16(h + bit / 8, 0);
            c = (fd->cover & PK_COVER_PSEUDO) ? pk_cksum_l4(ls, i, buf, h, len)
                                             : pk_cksum(h, len);
            if (c == 0 && (fd->flags & PK_FF_ZERO_NONE))
                c = 0xffff;     /* 0 would say "no checksum" */
            if (c >= 0)
                pk_put16(h + bit / 8, (uint16_t)c);
        }
    }
}

int pk_build(struct pk_layer *ls, int n, uint8_t *buf, size_t cap, size_t *len)
{
    size_t pos = 0;

    if (n > PK_MAXLAYERS)
        return PK_ETOOMANY;
    if (cap > PK_MAXFRAME)
        cap = PK_MAXFRAME;
    pk_registry_init();
    /* the first layer's is the caller's: a layer built on its own from a
     * packet (p[DNS]:bytes()) has the header its place there gives it */
    for (int i = 1; i < n; i++)
        ls[i].below = ls[i - 1].proto;
    for (int i = 0; i < n; i++)
        if (ls[i].proto->prepare)
            ls[i].proto->prepare(ls, i, n);
    for (int i = 0; i < n; i++) {
        long h = write_header(&ls[i], buf, pos, cap);
        if (h < 0)
            return (int)h;
        ls[i].off = pos;
        ls[i].hlen = (size_t)h;
        ls[i].status = PK_LAYER_OK;
        pos += (size_t)h;
    }
    /* next-protocol fields first: checksums above read them (the UDP
     * pseudo-header holds IP's protocol number) */
    for (int i = 0; i < n; i++)
        fill_next_proto(ls, i, n, buf);
    /* trailing Padding is outside every length and checksum, as it is
     * outside the datagram it pads */
    size_t end = pos;
    for (int i = n - 1; i >= 0 && ls[i].proto == &pk_proto_padding; i--)
        end = ls[i].off;
    for (int i = n - 1; i >= 0; i--) {
        if (ls[i].proto == &pk_proto_padding)
            continue;
        fill_roles(ls, i, buf, end);
        if (ls[i].proto->post_build)
            ls[i].proto->post_build(ls, i, n, buf, end);
    }
    *len = pos;
    return 0;
}
