/*
 * fuzz_tlv.c - libFuzzer target for the TLV engine (src/tlv.c).  The
 * first byte picks a family and how many items the caller has room for;
 * the rest is an option list.  Whatever decodes encodes back to the same
 * bytes, from its bytes and from its typed values alike.
 */
#include "fuzz_common.h"
#include "../c/test_descs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct pk_tlvfam *const fams[] = {
    &pk_tlv_tcp, &pk_tlv_ipv4, &pk_tlv_dhcp, &pk_tlv_nd, &test_tlv,
};

#define MAXITEMS 64

/* Encodes into a heap buffer of exactly cap bytes (overruns are ASan
 * reports) and checks the result is p[0, len) but for the fill. */
static void check_encode(const struct pk_tlvfam *f, const struct pk_tlv *o, int n,
                         const uint8_t *p, size_t len)
{
    uint8_t *out = malloc(len ? len : 1);
    FUZZ_CHECK(out != NULL);
    int w = pk_tlv_encode(f, o, n, out, len);
    if (w == PK_EINVAL && f->max_bytes && len > f->max_bytes) {
        free(out);             /* longer than the family allows: refused */
        return;
    }
    FUZZ_CHECK(w >= 0 && (size_t)w <= len);
    FUZZ_CHECK(w == 0 || memcmp(out, p, (size_t)w) == 0);
    if ((size_t)w < len) {
        /* only the zero fill after a final end kind is left out */
        FUZZ_CHECK(f->fill == PK_TLV_FILL_ALIGN4 && n > 0 &&
                   o[n - 1].kind == f->end_kind && o[n - 1].status == PK_TLV_OK &&
                   fuzz_all_zero(p + w, len - (size_t)w) && len % 4 == 0 &&
                   len - (size_t)w < 4);
        int fl = pk_tlv_fill(f, out, (size_t)w, len);
        FUZZ_CHECK(fl == (int)len && memcmp(out, p, len) == 0);
    }
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct pk_tlv o[MAXITEMS], typed[MAXITEMS];
    static struct pk_val vals[MAXITEMS][512];

    if (size < 1)
        return 0;
    const struct pk_tlvfam *f = fams[data[0] % 5];
    int max = 1 + (data[0] / 5) % MAXITEMS;
    size_t len = size - 1;
    uint8_t *p = malloc(len ? len : 1);         /* exactly the list */
    FUZZ_CHECK(p != NULL);
    memcpy(p, data + 1, len);

    int n = pk_tlv_decode(f, p, len, o, max);
    FUZZ_CHECK(n >= 0 && n <= max && (len == 0) == (n == 0));
    for (int i = 0; i < n; i++) {
        const struct pk_tlvkind *k = pk_tlv_kind(f, o[i].kind);
        FUZZ_CHECK(o[i].status <= PK_TLV_MALFORMED);
        FUZZ_CHECK(o[i].status != PK_TLV_MALFORMED || i == n - 1);
        FUZZ_CHECK(o[i].vals == NULL);
        if (o[i].data || o[i].len)
            FUZZ_CHECK(fuzz_inside(o[i].data, o[i].len, p, p + len));
        typed[i] = o[i];
        if (o[i].status != PK_TLV_OK || !k || (k->flags & PK_TLVK_SINGLE))
            continue;
        /* every typed value reads; encoding from them gives the bytes */
        FUZZ_CHECK(o[i].nvals <= 512 || o[i].len > 512);
        if (o[i].nvals > 512)
            continue;
        for (unsigned j = 0; j < o[i].nvals; j++) {
            FUZZ_CHECK(pk_tlv_value(f, &o[i], j, &vals[i][j]) == 0);
            if (vals[i][j].len)
                FUZZ_CHECK(fuzz_inside(vals[i][j].p, vals[i][j].len, o[i].data,
                                       o[i].data + o[i].len));
        }
        struct pk_val extra;
        FUZZ_CHECK(pk_tlv_value(f, &o[i], o[i].nvals, &extra) == PK_EINVAL);
        typed[i].vals = vals[i];
    }
    check_encode(f, o, n, p, len);
    check_encode(f, typed, n, p, len);
    free(p);
    return 0;
}
