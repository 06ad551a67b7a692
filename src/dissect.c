/*
 * dissect.c - parse bytes into layers by the descriptors: their fields,
 * length roles and the binds in the registry.
 * Every read goes through the bounds-checked reader (codec.h), the loop
 * over a header's fixed fields by its positional reads.  A header cut
 * short becomes a Raw layer marked truncated, bytes past a length field
 * become Padding, and anything unrecognised stays Raw.
 */
#include <string.h>

#include "bind.h"
#include "codec.h"

static uint64_t length_of(const struct pk_layer *l, int f);
static size_t walk_records(struct pk_layer *l, int f, const uint8_t *p, size_t len,
                           const struct pk_msg *msg);

/* The bytes variable field f takes at data[at, end), when something
 * other than the header's end delimits it: a length field before it, a
 * name's own end, a count of records.  -1: they are not there. */
static long var_len(struct pk_layer *l, int f, const uint8_t *data, size_t at,
                    size_t end, const struct pk_msg *msg)
{
    const struct pk_proto *p = l->proto;
    int m = pk_field_measured_by(p, f);
    if (m >= 0)
        return (l->present >> m & 1) ? (long)length_of(l, m) : 0;
    if (p->fields[f].type == PK_DNAME)
        return pk_dname_span(data, end, at);
    return (long)walk_records(l, f, data + at, end - at, msg);
}

/* Reads the fields of l->proto from data[pos, end) in order, up to a
 * variable field that nothing delimits, which is left to the caller.  Returns
 * the bytes they take, or -1 when they do not fit; *tail is the
 * variable field that takes the rest of the header, or -1.  A header quoted in
 * an ICMP error is often cut after 8 bytes by design: it keeps the
 * fields that fit (*partial). */
/* Variable field f at bit `*bit` of data[pos, end): read, and *bit
 * moved past it; 1 when it is the undelimited tail, left to the
 * caller; -1 when it does not fit.  Apart from read_fields, whose loop
 * over fixed fields stays small. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static int read_var(struct pk_layer *l, int f, const uint8_t *data, size_t pos, size_t end,
                    size_t *bit, struct pk_msg *msg)
{
    const struct pk_proto *p = l->proto;
    const uint8_t *at = data + *bit / 8;
    long n;
    if (!(p->delimited >> f & 1))
        return 1;
    if (p->message && p->message <= f) {
        /* names point into the message from its first field on */
        size_t from = pos + (p->message > 1 ? pk_field_end(l, p->message - 2) / 8 : 0);
        msg->p = data + from;
        msg->len = end - from;
    }
    if (*bit % 8 != 0 || (n = var_len(l, f, data, *bit / 8, end, msg)) < 0 ||
        (size_t)n > end - *bit / 8)
        return -1;                      /* cut short, or no length fits */
    l->present |= 1u << f;
    pk_layer_setp(l, f, at, (uint32_t)n);
    if (p->fields[f].type == PK_DNAME || p->fields[f].type == PK_RECORDS)
        l->v[f].u = pk_msg_ref(msg, at);
    *bit += (size_t)n * 8;
    return 0;
}

static long read_fields(struct pk_layer *l, const uint8_t *data, size_t pos,
                        size_t end, int *partial, struct pk_msg *msg, int *tail)
{
    const struct pk_proto *p = l->proto;
    size_t bit = pos * 8;
    struct pk_rd r;

    pk_rd_init(&r, data, end);
    *tail = -1;
    for (int f = 0; f < p->nfields; f++) {
        const struct pk_field *fd = &p->fields[f];
        if (fd->present && !fd->present(l))
            continue;
        if (fd->bits == 0) {
            int v = read_var(l, f, data, pos, end, &bit, msg);
            if (v > 0) {
                *tail = f;              /* what the header leaves: the caller's */
                break;
            }
            if (v < 0)
                goto cut;
            continue;
        }
        if (!pk_rd_fits(&r, bit, fd->bits))
            goto cut;
        l->present |= 1u << f;
        if (pk_field_isptr(fd)) {
            pk_layer_setp(l, f, data + bit / 8, fd->bits / 8u);
        } else {
            l->v[f].u = pk_rd_bits_at(&r, bit, fd->bits);
            l->set |= 1u << f;
        }
        bit += fd->bits;
    }
    return (long)((bit + 7) / 8 - pos);
cut:
    /* the header ends after the last byte a field touched */
    *partial = 1;
    return l->proto->quoted ? (long)((bit + 7) / 8 - pos) : -1;
}

static void raw_layer(struct pk_layer *l, const struct pk_proto *p,
                      const uint8_t *data, size_t pos, size_t end)
{
    pk_layer_init(l, p);
    l->off = pos;
    l->hlen = end - pos;
    l->present = 1;
    pk_layer_setp(l, 0, data + pos, (uint32_t)(end - pos));
}

/* The bytes the first `keep` fields take; those after them are dropped
 * from the layer (a check found the layout does not hold past them). */
static long keep_fields(struct pk_layer *l, int keep)
{
    size_t bit = 0;
    for (int f = 0; f < l->proto->nfields; f++) {
        if (f < keep) {
            bit += (l->present >> f & 1) ? pk_field_width(l, f) : 0;
        } else {
            l->present &= ~(UINT32_C(1) << f);
            l->set &= ~(UINT32_C(1) << f);
        }
    }
    return (long)(bit / 8);
}

/* The bytes a length field says, in its unit less its adjustment; 0
 * when it says less than nothing. */
static uint64_t length_of(const struct pk_layer *l, int f)
{
    const struct pk_field *fd = &l->proto->fields[f];
    int64_t units = (int64_t)l->v[f].u - fd->adj;
    return units < 0 ? 0 : (uint64_t)units * (fd->unit ? fd->unit : 1);
}

/* Where the payload ends by the layer's total length field: bytes past
 * it are padding.  A length shorter than the header lies and is not
 * believed. */
static size_t covered_end(const struct pk_layer *l, size_t end)
{
    int f = l->proto->totlen - 1;
    uint64_t total = length_of(l, f);
    if (!(l->proto->fields[f].cover & PK_COVER_HDR))
        total += l->hlen;
    else if (total < l->hlen)
        return end;
    return total < end - l->off ? l->off + (size_t)total : end;
}

/* The bytes the records of field f take at p[0, len): as many whole
 * records as its count field says, or as fit when it has none.  Fewer
 * than the count leave the layer truncated. */
static size_t walk_records(struct pk_layer *l, int f, const uint8_t *p, size_t len,
                           const struct pk_msg *msg)
{
    const struct pk_field *fd = &l->proto->fields[f];
    int c = fd->count - 1;
    uint64_t max = c < 0 ? UINT64_MAX : (l->present >> c & 1) ? l->v[c].u : 0;
    size_t used;
    if ((uint64_t)pk_records_walk(fd->rec, p, len, max, msg, &used) < max && c >= 0)
        l->status = PK_LAYER_TRUNCATED;
    return used;
}

/* Dissects data[0, len) starting with protocol `first` into at most
 * `max` layers; returns how many.  Never fails: what cannot be parsed is
 * kept as Raw. */
int pk_dissect(const struct pk_proto *first, const uint8_t *data, size_t len,
               struct pk_layer *ls, int max)
{
    return pk_dissect_msg(first, data, len, ls, max, NULL);
}

int pk_dissect_msg(const struct pk_proto *first, const uint8_t *data, size_t len,
                   struct pk_layer *ls, int max, const struct pk_msg *outer)
{
    struct { size_t from, to; } pad[4];
    int npad = 0, n = 0;
    size_t pos = 0, end = len;
    const struct pk_proto *p = first;

    if (max < 3)
        return 0;
    if (!first->id)         /* a built-in, before anything registered them */
        pk_registry_init();
    while (p && pos < end && n < max - 2 - npad) {
        struct pk_layer *l = &ls[n];
        const struct pk_proto *other = NULL;
        const char *why = NULL;
        long fixed, hlen;
        int tail, rest, decided = 0, partial = 0, keep = 0;
        struct pk_msg msg = { data, len };

        if (outer)
            msg = *outer;
    again:
        pk_layer_init(l, p);
        l->off = pos;
        l->below = n ? ls[n - 1].proto : NULL;
        fixed = read_fields(l, data, pos, end, &partial, &msg, &rest);
        if (fixed >= 0 && !partial && p->dispatch && !other &&
            (other = p->dispatch(l)) != NULL && other != p) {
            p = other;                  /* the header is another's */
            goto again;
        }
        if (fixed < 0) {                /* capture ends inside the header */
            raw_layer(l, &pk_proto_raw, data, pos, end);
            l->status = PK_LAYER_TRUNCATED;
            l->cut = p;
            n++;
            pos = end;
            break;
        }
        if (!partial && p->check && (why = p->check(l, &keep)) != NULL &&
            (fixed = keep_fields(l, keep)) == 0) {
            /* not this protocol at all (an IPv4 header of version 6) */
            raw_layer(l, &pk_proto_raw, data, pos, end);
            l->status = PK_LAYER_INVALID;
            l->cut = p;
            l->why = why;
            n++;
            pos = end;
            break;
        }
        /* a quote cut inside its fixed fields ends there, with an empty
         * tail: the bytes after the last whole field stay raw */
        tail = why ? -1 : rest;
        if (partial && tail < 0 && p->tail && pk_field_present(l, p->tail - 1))
            tail = p->tail - 1;
        if (partial || why)
            hlen = fixed;
        else if (p->hdr_len)
            hlen = p->hdr_len(l);
        else if (p->hdrlen && (l->present >> (p->hdrlen - 1) & 1))
            hlen = (long)length_of(l, p->hdrlen - 1) +
                   ((p->fields[p->hdrlen - 1].cover & PK_COVER_AFTER)
                    ? (long)(pk_field_end(l, p->hdrlen - 1) / 8) : 0);
        else if (tail >= 0 && p->fields[tail].type == PK_RECORDS)
            hlen = fixed + (long)walk_records(l, tail, data + pos + fixed,
                                              end - pos - (size_t)fixed, &msg);
        else
            hlen = tail >= 0 ? (long)(end - pos) : fixed;
        if (why) {                      /* the fields after `keep` do not hold */
            l->status = PK_LAYER_INVALID;
            l->why = why;
        } else if (hlen < fixed) {      /* a header length field lies */
            l->status = PK_LAYER_INVALID;
            hlen = fixed;
        } else if ((size_t)hlen > end - pos) {
            if (!p->quoted)
                l->status = PK_LAYER_TRUNCATED;
            hlen = (long)(end - pos);
        }
        if (tail >= 0) {
            l->present |= 1u << tail;
            pk_layer_setp(l, tail, data + pos + fixed, (uint32_t)(hlen - fixed));
            if (p->fields[tail].type == PK_RECORDS || p->fields[tail].type == PK_DNAME)
                l->v[tail].u = pk_msg_ref(&msg, data + pos + fixed);
        }
        l->hlen = (size_t)hlen;
        pos += (size_t)hlen;
        n++;
        if (l->status != PK_LAYER_OK || partial)
            break;
        /* a quoted datagram is cut short by design: its lengths are not
         * held against the bytes */
        if (!p->quoted && (p->payload_end || p->totlen)) {
            size_t e = p->payload_end ? p->payload_end(l, pos, end)
                     : (l->present >> (p->totlen - 1) & 1) ? covered_end(l, end)
                     : end;
            if (e < end && e >= pos) {
                if (npad < 4) {
                    pad[npad].from = e;
                    pad[npad].to = end;
                    npad++;
                }
                end = e;
            }
        }
        if (p->next) {
            const struct pk_proto *q = p->next(l, &decided);
            if (decided) {
                p = q;
                continue;
            }
        }
        p = pk_bind_next(l);
        if (!p && l->proto->peekcls && pos < end)
            p = pk_bind_peek(l->proto, data[pos]);
    }
    if (pos < end && n < max - npad)
        raw_layer(&ls[n++], &pk_proto_raw, data, pos, end);
    for (int i = npad - 1; i >= 0 && n < max; i--)
        raw_layer(&ls[n++], &pk_proto_padding, data, pad[i].from, pad[i].to);
    return n;
}
