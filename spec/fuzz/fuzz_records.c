/*
 * fuzz_records.c - libFuzzer target for records (src/records.c) with the
 * descriptors of spec/c/test_descs.h: a DNS message, an IPv4 header and
 * BOOTP's fixed part.  The first byte picks one and the arena's size.
 * Values point inside the input or the arena, lists hold what their
 * counts say, and what decodes whole encodes to something that decodes
 * to the same values (DNS) or to the same bytes (the others).
 */
#include "fuzz_common.h"
#include "../c/test_descs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct pk_rec *const recs_of[] = { &dns, &ipv4hdr, &bootp_part };

#define MAXRECS 512

static struct pk_recval recs1[MAXRECS], recs2[MAXRECS];
static struct pk_val vals1[MAXRECS * 8], vals2[MAXRECS * 8];
static uint8_t bytes1[1 << 16], bytes2[1 << 16];

static int in_arena(const struct pk_arena *a, const uint8_t *p, size_t n)
{
    return fuzz_inside(p, n, a->bytes, a->bytes + a->nbytes);
}

/* Checks record ri and its lists; returns how many records it spans. */
static int check_rec(const struct pk_arena *a, int ri, const uint8_t *in, size_t len)
{
    const struct pk_recval *r = &a->recs[ri];
    int spans = 1;
    FUZZ_CHECK(r->status <= PK_LAYER_INVALID);
    for (int f = 0; f < r->rec->nfields; f++) {
        const struct pk_cfield *fd = &r->rec->fields[f];
        const struct pk_val *v = &r->v[f];
        if (!(r->set >> f & 1))
            continue;
        switch (fd->codec) {
        case PK_C_UINT:
            FUZZ_CHECK(fd->bits == 64 || v->u >> fd->bits == 0);
            break;
        case PK_C_DNAME:
        case PK_C_WIDE:
            FUZZ_CHECK(in_arena(a, v->p, v->len));
            break;
        case PK_C_RECORDS: {
            int c = v->len ? (int)v->u : -1;
            for (uint32_t k = 0; k < v->len; k++) {
                FUZZ_CHECK(c > ri && c < a->nrecs && a->recs[c].rec == fd->rec);
                spans += check_rec(a, c, in, len);
                c = a->recs[c].next;
            }
            FUZZ_CHECK(c == -1);
            break;
        }
        default:
            FUZZ_CHECK(fuzz_inside(v->p, v->len, in, in + len));
            break;
        }
    }
    return spans;
}

/* Same values, field by field and item by item. */
static void same_rec(const struct pk_arena *a, int i, const struct pk_arena *b, int j)
{
    const struct pk_recval *x = &a->recs[i], *y = &b->recs[j];
    FUZZ_CHECK(x->rec == y->rec && x->status == y->status && x->set == y->set);
    for (int f = 0; f < x->rec->nfields; f++) {
        const struct pk_val *u = &x->v[f], *v = &y->v[f];
        if (!(x->set >> f & 1))
            continue;
        if (x->rec->fields[f].codec == PK_C_UINT) {
            FUZZ_CHECK(u->u == v->u);
        } else if (x->rec->fields[f].codec == PK_C_RECORDS) {
            FUZZ_CHECK(u->len == v->len);
            for (int c = (int)u->u, d = (int)v->u, k = 0; k < (int)u->len; k++) {
                same_rec(a, c, b, d);
                c = a->recs[c].next;
                d = b->recs[d].next;
            }
        } else {
            FUZZ_CHECK(u->len == v->len && (u->len == 0 || memcmp(u->p, v->p, u->len) == 0));
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const struct pk_rec *rec = recs_of[data[0] % 3];
    int maxrecs = data[0] & 0x80 ? 1 + data[0] % 8 : MAXRECS;
    size_t len = size - 1;
    uint8_t *in = malloc(len ? len : 1);
    FUZZ_CHECK(in != NULL);
    memcpy(in, data + 1, len);

    struct pk_arena a = { recs1, 0, maxrecs, vals1, 0, MAXRECS * 8, bytes1, 0, sizeof bytes1 };
    struct pk_rd r;
    pk_rd_init(&r, in, len);
    int ri = pk_rec_decode(rec, &r, in, len, &a);
    if (ri < 0) {
        FUZZ_CHECK(ri == PK_ETOOMANY);
        free(in);
        return 0;
    }
    FUZZ_CHECK(ri == 0 && check_rec(&a, 0, in, len) == a.nrecs);
    size_t consumed = len - pk_rd_left(&r);

    if (a.recs[0].status == PK_LAYER_OK) {
        /* every field was read, so every field is given: built as it came */
        static uint8_t out[1 << 17];
        struct pk_dname_comp comp = { .n = 0 };
        struct pk_wr w;
        pk_wr_init(&w, out, sizeof out);
        pk_rec_encode(&a, 0, &w, rec == &dns ? &comp : NULL);
        FUZZ_CHECK(!w.err);
        if (rec != &dns) {
            /* a last field that ends inside a byte: its bits, not the rest */
            FUZZ_CHECK(w.len == consumed + (r.bit ? 1 : 0));
            FUZZ_CHECK(memcmp(out, in, consumed) == 0);
            FUZZ_CHECK(!r.bit || out[consumed] >> (8 - r.bit) == in[consumed] >> (8 - r.bit));
        } else {
            /* names may be compressed differently: compare the values */
            struct pk_arena b = { recs2, 0, MAXRECS, vals2, 0, MAXRECS * 8, bytes2, 0, sizeof bytes2 };
            pk_rd_init(&r, out, w.len);
            FUZZ_CHECK(pk_rec_decode(rec, &r, out, w.len, &b) == 0 && pk_rd_left(&r) == 0);
            same_rec(&a, 0, &b, 0);
        }
    }
    free(in);
    return 0;
}
