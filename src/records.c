/*
 * records.c - records described by data: fields whose byte length or
 * item count another field gives (DNS qdcount -> qd, rdlength -> rdata,
 * IPv4 ihl -> options), and lists whose items are records of another
 * descriptor.  Values live in a struct pk_arena the caller owns, so
 * decoding allocates nothing.
 */
#include "codec.h"

int pk_rec_new(struct pk_arena *a, const struct pk_rec *rec)
{
    if (a->nrecs >= a->maxrecs || rec->nfields > PK_REC_MAXFIELDS ||
        a->maxvals - a->nvals < rec->nfields)
        return PK_ETOOMANY;
    struct pk_recval *rv = &a->recs[a->nrecs];
    rv->rec = rec;
    rv->set = 0;
    rv->v = &a->vals[a->nvals];
    rv->next = -1;
    rv->status = PK_LAYER_OK;
    memset(rv->v, 0, sizeof *rv->v * (size_t)rec->nfields);
    a->nvals += rec->nfields;
    return a->nrecs++;
}

void pk_rec_setu(struct pk_arena *a, int ri, int f, uint64_t u)
{
    a->recs[ri].v[f].u = u;
    a->recs[ri].set |= 1u << f;
}

void pk_rec_setp(struct pk_arena *a, int ri, int f, const uint8_t *p, uint32_t len)
{
    a->recs[ri].v[f].p = p;
    a->recs[ri].v[f].len = len;
    a->recs[ri].set |= 1u << f;
}

void pk_rec_append(struct pk_arena *a, int ri, int f, int child)
{
    struct pk_val *v = &a->recs[ri].v[f];
    if (v->len == 0) {
        v->u = (uint64_t)child;
    } else {
        int last = (int)v->u;
        while (a->recs[last].next >= 0)
            last = a->recs[last].next;
        a->recs[last].next = child;
    }
    a->recs[child].next = -1;
    v->len++;
    a->recs[ri].set |= 1u << f;
}

static uint8_t *arena_bytes(struct pk_arena *a, size_t n)
{
    if (a->maxbytes - a->nbytes < n)
        return NULL;
    a->nbytes += n;
    return a->bytes + a->nbytes - n;
}

/* The bytes or items field f may take, from the field its relation
 * names; SIZE_MAX when it has none.  -1: the relation gives nonsense. */
static int64_t rel_limit(const struct pk_recval *rv, const struct pk_cfield *fd)
{
    const struct pk_rel *rl = &fd->rel;
    uint64_t from;
    if (rl->kind == PK_REL_NONE)
        return -2;
    from = rv->v[rl->from].u;
    if (rl->kind == PK_REL_COUNT)
        return from > INT32_MAX ? -1 : (int64_t)from;
    if (from > INT32_MAX)
        return -1;
    int64_t l = (int64_t)from * rl->scale + rl->add;
    return l < 0 ? -1 : l;
}

/* A list of records: count items (or as many as the bytes hold, when
 * count < 0).  Returns 0, or < 0 when the arena is full; a bad item
 * sets the parent's status and ends the list. */
static int decode_list(int ri, int f, struct pk_rd *r, int64_t count,
                       const uint8_t *msg, size_t mlen, struct pk_arena *a)
{
    const struct pk_cfield *fd = &a->recs[ri].rec->fields[f];
    for (int64_t k = 0; count < 0 ? pk_rd_left(r) > 0 : k < count; k++) {
        if (fd->rec->maxitems && k >= fd->rec->maxitems) {
            a->recs[ri].status = PK_LAYER_INVALID;
            return 0;
        }
        if (pk_rd_left(r) == 0) {
            a->recs[ri].status = PK_LAYER_TRUNCATED;
            return 0;
        }
        const uint8_t *before = r->p;
        unsigned bit = r->bit;
        int c = pk_rec_decode(fd->rec, r, msg, mlen, a);
        if (c < 0)
            return c;
        if (count < 0 && r->p == before && r->bit == bit) {
            /* an item of no bytes would repeat to no end */
            a->recs[ri].status = PK_LAYER_INVALID;
            return 0;
        }
        pk_rec_append(a, ri, f, c);
        if (a->recs[c].status != PK_LAYER_OK) {
            a->recs[ri].status = a->recs[c].status;
            return 0;
        }
    }
    return 0;
}

/* One field of record ri; false when the record ends here. */
static int decode_field(int ri, int f, struct pk_rd *r, const uint8_t *msg,
                        size_t mlen, struct pk_arena *a, int *err)
{
    struct pk_recval *rv = &a->recs[ri];
    const struct pk_cfield *fd = &rv->rec->fields[f];
    struct pk_val *v = &rv->v[f];
    int64_t lim = rel_limit(rv, fd);
    struct pk_rd sub;
    uint8_t *out;

    if (lim == -1) {
        rv->status = PK_LAYER_INVALID;
        return 0;
    }
    /* a length clamps the reader; what it says past the bytes is a cut */
    if (lim >= 0 && fd->rel.kind == PK_REL_LENGTH) {
        if ((uint64_t)lim > pk_rd_left(r))
            rv->status = PK_LAYER_TRUNCATED;
        sub = pk_rd_sub(r, (size_t)lim);
        r = &sub;
    }
    switch (fd->codec) {
    case PK_C_UINT:
        v->u = (fd->bits % 8 || r->bit) ? pk_rd_bits(r, fd->bits)
                                        : pk_rd_uint(r, fd->bits / 8u);
        break;
    case PK_C_WIDE:
        v->len = (fd->bits + 7u) / 8u;
        if (!(out = arena_bytes(a, v->len))) {
            *err = PK_ETOOMANY;
            return 0;
        }
        pk_wide_read(r, fd->bits, out);
        v->p = out;
        break;
    case PK_C_FIXED:
        v->len = fd->size;
        v->p = pk_rd_bytes(r, fd->size);
        break;
    case PK_C_BYTES:
    case PK_C_TLV:
        v->len = (uint32_t)pk_rd_left(r);
        v->p = pk_rd_bytes(r, v->len);
        break;
    case PK_C_DNAME: {
        uint8_t name[PK_DNAME_MAX];
        size_t used = 0;
        int n = PK_EINVAL;
        if (r->p >= msg && r->p <= msg + mlen && !r->bit && !r->err)
            n = pk_dname_decode(msg, mlen, (size_t)(r->p - msg), name, &used);
        if (n < 0 || !(out = arena_bytes(a, (size_t)n))) {
            if (n >= 0)
                *err = PK_ETOOMANY;
            rv->status = n == PK_ETRUNC ? PK_LAYER_TRUNCATED : PK_LAYER_INVALID;
            return 0;
        }
        memcpy(out, name, (size_t)n);
        v->p = out;
        v->len = (uint32_t)n;
        pk_rd_bytes(r, used);
        break;
    }
    case PK_C_RECORDS:
        *err = decode_list(ri, f, r, fd->rel.kind == PK_REL_COUNT ? lim : -1,
                           msg, mlen, a);
        rv = &a->recs[ri];
        if (*err < 0 || rv->status != PK_LAYER_OK)
            return 0;
        break;
    default:
        rv->status = PK_LAYER_INVALID;
        return 0;
    }
    if (r->err) {
        rv->status = PK_LAYER_TRUNCATED;
        return 0;
    }
    rv->set |= 1u << f;
    return rv->status == PK_LAYER_OK;
}

int pk_rec_decode(const struct pk_rec *rec, struct pk_rd *r, const uint8_t *msg,
                  size_t mlen, struct pk_arena *a)
{
    int ri = pk_rec_new(a, rec), err = 0;
    if (ri < 0)
        return ri;
    for (int f = 0; f < rec->nfields; f++)
        if (!decode_field(ri, f, r, msg, mlen, a, &err))
            break;
    return err < 0 ? err : ri;
}

/* Writes v into nbits bits at bit position pos of buf, over what is
 * there: a computed length goes back where its placeholder was. */
static void put_bits_at(uint8_t *buf, size_t pos, uint64_t v, unsigned nbits)
{
    while (nbits > 0) {
        unsigned used = (unsigned)(pos & 7);
        unsigned take = 8 - used < nbits ? 8 - used : nbits;
        unsigned shift = 8 - used - take;
        unsigned mask = ((1u << take) - 1) << shift;
        unsigned chunk = (unsigned)(v >> (nbits - take)) & ((1u << take) - 1);
        buf[pos >> 3] = (uint8_t)((buf[pos >> 3] & ~mask) | (chunk << shift));
        pos += take;
        nbits -= take;
    }
}

static size_t bitpos(const struct pk_wr *w)
{
    return w->len * 8 - w->bit;
}

/* The value an unset length or count field takes for field fd, which
 * took `bytes` bytes and holds `items` items. */
static int rel_value(const struct pk_cfield *fd, const struct pk_cfield *from,
                     size_t bytes, uint32_t items, uint64_t *out)
{
    const struct pk_rel *rl = &fd->rel;
    if (rl->kind == PK_REL_COUNT) {
        *out = items;
    } else {
        int64_t l = (int64_t)bytes - rl->add;
        if (l < 0 || rl->scale == 0 || l % rl->scale)
            return PK_EINVAL;   /* no value of the field says this length */
        *out = (uint64_t)(l / rl->scale);
    }
    if (from->codec != PK_C_UINT || (from->bits < 64 && *out >> from->bits))
        return PK_EINVAL;
    return 0;
}

void pk_rec_encode(const struct pk_arena *a, int ri, struct pk_wr *w,
                   struct pk_dname_comp *comp)
{
    const struct pk_recval *rv = &a->recs[ri];
    const struct pk_rec *rec = rv->rec;
    size_t at[PK_REC_MAXFIELDS];        /* bit position of each field */

    for (int f = 0; f < rec->nfields && !w->err; f++) {
        const struct pk_cfield *fd = &rec->fields[f];
        const struct pk_val *v = &rv->v[f];
        int given = rv->set >> f & 1;
        size_t start = w->len;

        at[f] = bitpos(w);
        switch (fd->codec) {
        case PK_C_UINT:
            /* an unset length or count is written as 0, then patched */
            pk_wr_bits(w, given ? v->u : fd->def, fd->bits);
            break;
        case PK_C_WIDE:
            pk_wide_write(w, fd->bits, v->p, v->len);
            break;
        case PK_C_FIXED:
            pk_fixed_write(w, fd->size, v->p, v->len);
            break;
        case PK_C_BYTES:
        case PK_C_TLV:
            pk_wr_bytes(w, v->p, v->len);
            if (fd->pad4)
                pk_wr_zeros(w, (4 - v->len % 4) % 4);
            break;
        case PK_C_DNAME: {
            static const uint8_t root[1] = { 0 };
            if (v->len)
                pk_dname_encode(w, v->p, v->len, comp);
            else
                pk_dname_encode(w, root, 1, comp);
            break;
        }
        case PK_C_RECORDS: {
            int c = v->len ? (int)v->u : -1;
            for (uint32_t k = 0; k < v->len && c >= 0 && !w->err; k++) {
                pk_rec_encode(a, c, w, comp);
                c = a->recs[c].next;
            }
            break;
        }
        default:
            w->err = PK_EINVAL;
            break;
        }
        if (w->err || fd->rel.kind == PK_REL_NONE)
            continue;
        int from = fd->rel.from;
        if (from < 0 || from >= f) {
            w->err = PK_EINVAL;         /* the descriptor is wrong */
        } else if (!(rv->set >> from & 1)) {
            uint64_t x;
            int e = rel_value(fd, &rec->fields[from], w->len - start, v->len, &x);
            if (e < 0)
                w->err = e;
            else
                put_bits_at(w->buf, at[from], x, rec->fields[from].bits);
        }
    }
}
