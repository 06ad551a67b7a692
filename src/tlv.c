/*
 * tlv.c - one engine for kind/length/value option lists, driven by a
 * family descriptor (codec.h): type and length widths, whether the
 * length counts the header, its unit (bytes or ND's 8-octet units),
 * single-byte kinds, the end kind and its fill, and typed values.
 */
#include "codec.h"

const struct pk_tlvkind *pk_tlv_kind(const struct pk_tlvfam *f, unsigned kind)
{
    for (const struct pk_tlvkind *k = f->kinds; k->name; k++)
        if (k->kind == kind)
            return k;
    return NULL;
}

const struct pk_tlvkind *pk_tlv_named(const struct pk_tlvfam *f, const char *name)
{
    for (const struct pk_tlvkind *k = f->kinds; k->name; k++)
        if (strcmp(k->name, name) == 0)
            return k;
    return NULL;
}

const struct pk_tlvitem *pk_tlv_item(const struct pk_tlvkind *k, unsigned i)
{
    if (k->nitems == 0)
        return NULL;
    if (i < k->nitems)
        return &k->items[i];
    return k->items[k->nitems - 1].repeat ? &k->items[k->nitems - 1] : NULL;
}

static size_t item_size(const struct pk_tlvitem *it)
{
    switch (it->type) {
    case PK_TLVT_IPV4: return 4;
    case PK_TLVT_IPV6: return 16;
    case PK_TLVT_MAC:  return 6;
    default:           return it->size;
    }
}

/* The shape of a kind's value: bytes of the items before a repeated or
 * rest-of-value last item, and that last item's size (0: none or rest). */
struct shape {
    size_t fixed;       /* bytes every value has */
    size_t rep;         /* a repeated item's size, or 0 */
    int open;           /* the value may be longer than fixed */
};

static struct shape shape_of(const struct pk_tlvkind *k)
{
    struct shape s = { 0, 0, 0 };
    for (unsigned i = 0; i < k->nitems; i++) {
        size_t sz = item_size(&k->items[i]);
        if (k->items[i].repeat && i == k->nitems - 1u && sz) {
            s.rep = sz;
            s.open = 1;
        } else if (sz == 0) {
            s.open = 1;         /* the rest of the value */
        } else {
            s.fixed += sz;
        }
    }
    return s;
}

static int len_ok(const struct pk_tlvkind *k, size_t vl)
{
    return vl >= k->minlen && (k->maxlen == 0 || vl <= k->maxlen);
}

/* Whether w value bytes (with unit fill) hold a value of kind k; sets
 * the value's length without fill and its count of values.  Fill past a
 * fixed value must be zeros and shorter than a unit, so that encoding it
 * again gives the same bytes. */
static int typed(const struct pk_tlvkind *k, const uint8_t *v, size_t w,
                 unsigned unit, size_t *vl, uint16_t *nvals)
{
    struct shape s = shape_of(k);
    size_t count = k->nitems;
    if (w < s.fixed)
        return 0;
    if (s.open) {
        *vl = w;
        if (s.rep) {
            if ((w - s.fixed) % s.rep)
                return 0;
            count = k->nitems - 1 + (w - s.fixed) / s.rep;
        }
    } else {
        if (w - s.fixed >= unit)
            return 0;
        for (size_t i = s.fixed; i < w; i++)
            if (v[i])
                return 0;
        *vl = s.fixed;
    }
    if (count > UINT16_MAX || !len_ok(k, *vl))
        return 0;
    *nvals = (uint16_t)count;
    return 1;
}

static void malformed(struct pk_tlv *t, const uint8_t *from, const uint8_t *end)
{
    t->status = PK_TLV_MALFORMED;
    t->nvals = 0;
    t->data = from;
    t->len = (uint32_t)(end - from);
}

static int all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return 0;
    return 1;
}

int pk_tlv_decode(const struct pk_tlvfam *f, const uint8_t *p, size_t len,
                  struct pk_tlv *o, int max)
{
    const size_t hdr = (size_t)f->type_bytes + f->len_bytes;
    struct pk_rd r;
    int n = 0;

    pk_rd_init(&r, p, len);
    while (pk_rd_left(&r) > 0 && n < max) {
        struct pk_tlv *t = &o[n++];
        const uint8_t *start = r.p;
        memset(t, 0, sizeof *t);
        t->kind = (uint16_t)pk_rd_uint(&r, f->type_bytes);
        if (r.err) {
            malformed(t, start, r.end);
            break;
        }
        const struct pk_tlvkind *k = pk_tlv_kind(f, t->kind);
        if (k && (k->flags & PK_TLVK_SINGLE)) {
            /* the zero fill after the end kind, when it aligns a whole
             * region (a cut or quoted one keeps every byte) */
            size_t left = pk_rd_left(&r);
            if ((int)t->kind == f->end_kind && f->fill == PK_TLV_FILL_ALIGN4 &&
                len % 4 == 0 && left < 4 && all_zero(r.p, left))
                return n;
        } else {
            size_t l = (size_t)pk_rd_uint(&r, f->len_bytes) * f->unit;
            size_t total = f->len_hdr ? l : l + hdr;
            if (r.err || total < hdr || total - hdr > pk_rd_left(&r)) {
                malformed(t, start, r.end);
                break;
            }
            size_t w = total - hdr, vl = w;
            t->data = pk_rd_bytes(&r, w);
            if (k && typed(k, t->data, w, f->unit, &vl, &t->nvals)) {
                t->status = PK_TLV_OK;
                t->len = (uint32_t)vl;
            } else {
                t->status = PK_TLV_RAW;
                t->len = (uint32_t)w;
            }
        }
        if (n == max && pk_rd_left(&r) > 0) {   /* no room for the rest */
            malformed(t, start, r.end);
            break;
        }
    }
    return n;
}

/* Where value i of k starts, and which item describes it. */
static size_t value_at(const struct pk_tlvkind *k, const struct pk_val *vals,
                       unsigned i, const struct pk_tlvitem **it)
{
    size_t off = 0;
    for (unsigned j = 0; j < i; j++) {
        const struct pk_tlvitem *pj = pk_tlv_item(k, j);
        off += item_size(pj) ? item_size(pj) : (vals ? vals[j].len : 0);
    }
    *it = pk_tlv_item(k, i);
    return off;
}

int pk_tlv_value(const struct pk_tlvfam *f, const struct pk_tlv *o, unsigned i,
                 struct pk_val *v)
{
    const struct pk_tlvkind *k = pk_tlv_kind(f, o->kind);
    const struct pk_tlvitem *it;
    struct pk_rd r;

    if (!k || o->status != PK_TLV_OK || i >= o->nvals)
        return PK_EINVAL;
    size_t off = value_at(k, NULL, i, &it);
    size_t sz = item_size(it);
    memset(v, 0, sizeof *v);
    pk_rd_init(&r, o->data, o->len);
    if (!pk_rd_bytes(&r, off))
        return PK_EINVAL;
    switch (it->type) {
    case PK_TLVT_UINT:
    case PK_TLVT_IPV4:
    case PK_TLVT_MAC:
        v->u = pk_rd_uint(&r, (unsigned)sz);
        break;
    default:
        if (sz == 0)
            sz = pk_rd_left(&r);
        v->len = (uint32_t)sz;
        v->p = pk_rd_bytes(&r, sz);
        break;
    }
    return r.err ? PK_EINVAL : 0;
}

/* Writes a typed value's items; the bytes are checked against the kind. */
static int put_values(struct pk_wr *w, const struct pk_tlvkind *k,
                      const struct pk_tlv *o)
{
    struct shape s = shape_of(k);
    size_t start = w->len;
    unsigned need = k->nitems - (s.rep ? 1u : 0u);

    if (o->nvals < need || (!s.rep && o->nvals > k->nitems))
        return PK_EINVAL;
    for (unsigned i = 0; i < o->nvals; i++) {
        const struct pk_tlvitem *it = pk_tlv_item(k, i);
        const struct pk_val *v = &o->vals[i];
        size_t sz = item_size(it);
        switch (it->type) {
        case PK_TLVT_UINT:
        case PK_TLVT_IPV4:
        case PK_TLVT_MAC:
            if (sz < 8 && v->u >> (8 * sz))
                return PK_EINVAL;
            pk_wr_uint(w, v->u, (unsigned)sz);
            break;
        default:
            if ((sz && v->len != sz) || (v->len && !v->p))
                return PK_EINVAL;
            pk_wr_bytes(w, v->p, v->len);
            break;
        }
    }
    if (!w->err && !len_ok(k, w->len - start))
        return PK_EINVAL;
    return w->err;
}

/* One option with a length: type, length, value, zero fill to the unit. */
static int put_option(struct pk_wr *w, const struct pk_tlvfam *f,
                      const struct pk_tlvkind *k, const struct pk_tlv *o)
{
    const size_t hdr = (size_t)f->type_bytes + f->len_bytes;
    size_t at = w->len, vl, total, field;
    int e;

    pk_wr_uint(w, o->kind, f->type_bytes);
    pk_wr_uint(w, 0, f->len_bytes);        /* written once the value is */
    if (o->status == PK_TLV_OK && o->vals)
        e = k ? put_values(w, k, o) : PK_EINVAL;   /* typed values need a kind */
    else {
        if (o->len && !o->data)
            return PK_EINVAL;
        pk_wr_bytes(w, o->data, o->len);
        e = w->err;
    }
    if (e < 0)
        return e;
    vl = w->len - at - hdr;
    total = f->len_hdr ? vl + hdr : vl;
    total = (total + f->unit - 1) / f->unit * f->unit;
    field = total / f->unit;
    if (field >> (8 * f->len_bytes))
        return PK_EINVAL;               /* too long for the length field */
    pk_wr_zeros(w, (f->len_hdr ? total - hdr : total) - vl);
    if (w->err)
        return w->err;
    for (unsigned i = 0; i < f->len_bytes; i++)
        w->buf[at + f->type_bytes + i] =
            (uint8_t)(field >> (8 * (f->len_bytes - 1 - i)));
    return 0;
}

/* n bytes of IPv6 option padding: Pad1, or PadN and its zeros. */
static void put_pad(struct pk_wr *w, size_t n)
{
    if (n == 1) {
        pk_wr_uint(w, 0, 1);
    } else if (n >= 2) {
        pk_wr_uint(w, 1, 1);
        pk_wr_uint(w, n - 2, 1);
        pk_wr_zeros(w, n - 2);
    }
}

int pk_tlv_encode(const struct pk_tlvfam *f, const struct pk_tlv *o, int n,
                  uint8_t *buf, size_t cap)
{
    struct pk_wr w;
    pk_wr_init(&w, buf, cap);
    for (int i = 0; i < n; i++) {
        const struct pk_tlvkind *k = pk_tlv_kind(f, o[i].kind);
        int e = 0;
        for (const struct pk_tlvalign *a = f->align; a && a->x; a++)
            if (a->kind == o[i].kind) {
                size_t at = w.len + 2, x = a->x, y = a->y;
                put_pad(&w, (x * ((at - y + x - 1) / x) + y - at) % x);
            }
        if (o[i].status == PK_TLV_MALFORMED) {     /* as it came */
            if (o[i].len && !o[i].data)
                return PK_EINVAL;
            pk_wr_bytes(&w, o[i].data, o[i].len);
        } else if (k && (k->flags & PK_TLVK_SINGLE)) {
            pk_wr_uint(&w, o[i].kind, f->type_bytes);
        } else {
            e = put_option(&w, f, k, &o[i]);
        }
        if (e < 0 || w.err)
            return e < 0 ? e : w.err;
        if (f->max_bytes && w.len > f->max_bytes)
            return PK_EINVAL;
    }
    return w.len > (size_t)INT32_MAX ? PK_EINVAL : (int)w.len;
}

int pk_tlv_fill(const struct pk_tlvfam *f, uint8_t *buf, size_t len, size_t cap)
{
    size_t to = len;
    if (f->fill == PK_TLV_FILL_ALIGN4)
        to = (len + 3) / 4 * 4;
    if (f->fill == PK_TLV_FILL_PAD8)
        to = len + (8 - (len + 2) % 8) % 8;
    if (f->max_bytes && to > f->max_bytes)
        return PK_EINVAL;
    if (to > cap)
        return PK_ENOSPC;
    memset(buf + len, 0, to - len);
    if (f->fill == PK_TLV_FILL_PAD8) {
        struct pk_wr w;
        pk_wr_init(&w, buf + len, to - len);
        put_pad(&w, to - len);
    }
    return (int)to;
}
