/*
 * fuzz_values.c - libFuzzer target for the values a script reads off the
 * wire: after pk_dissect from any protocol, every list of records is
 * walked as the binding walks it (names resolved against the message the
 * value says), every name decoded and formatted, every option list
 * decoded by its family.  The first byte picks the protocol.
 */
#include "fuzz_common.h"
#include "codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_value(const struct pk_layer *l, int f, const uint8_t *lo,
                        const uint8_t *hi, int depth);

static void check_layer(const struct pk_layer *l, const uint8_t *lo, const uint8_t *hi,
                        int depth)
{
    for (int f = 0; f < l->proto->nfields; f++)
        if (l->present >> f & 1)
            check_value(l, f, lo, hi, depth);
}

static void check_value(const struct pk_layer *l, int f, const uint8_t *lo,
                        const uint8_t *hi, int depth)
{
    const struct pk_field *fd = &l->proto->fields[f];
    const struct pk_val *v = &l->v[f];
    struct pk_msg msg;

    if (!pk_field_isptr(fd))
        return;
    msg = pk_val_msg(v);
    FUZZ_CHECK(fuzz_inside(v->p, v->len, lo, hi));
    if (fd->type == PK_DNAME || fd->type == PK_RECORDS)
        FUZZ_CHECK(fuzz_inside(msg.p, msg.len, lo, hi) && v->p >= msg.p);
    if (fd->type == PK_DNAME && v->p) {
        uint8_t name[PK_DNAME_MAX];
        char text[PK_DNAME_TEXTMAX];
        size_t used;
        int n = pk_dname_decode(msg.p, msg.len, (size_t)(v->p - msg.p), name, &used);
        if (n >= 0)
            FUZZ_CHECK(pk_dname_format(name, (size_t)n, text, sizeof text) >= 0);
    } else if (fd->type == PK_RECORDS && depth < 2) {
        const uint8_t *p = v->p;
        size_t len = v->len, k;
        struct pk_layer r;
        while (len > 0 && (k = pk_record_read(fd->rec, p, len, &msg, &r)) > 0) {
            FUZZ_CHECK(k <= len);
            check_layer(&r, lo, hi, depth + 1);
            p += k;
            len -= k;
        }
    } else if (fd->type == PK_TLV) {
        static struct pk_tlv o[128];
        int n = pk_tlv_decode(fd->fam, v->p, v->len, o, 128);
        for (int i = 0; i < n; i++)
            for (unsigned j = 0; o[i].status == PK_TLV_OK && j < o[i].nvals; j++) {
                struct pk_val x;
                if (pk_tlv_value(fd->fam, &o[i], j, &x) == 0 && x.len)
                    FUZZ_CHECK(fuzz_inside(x.p, x.len, lo, hi));
            }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pk_layer ls[PK_MAXLAYERS];

    if (size < 1)
        return 0;
    pk_registry_init();
    const struct pk_proto *first = pk_proto_byid(1 + data[0] % pk_proto_count());
    size_t len = size - 1;
    uint8_t *pkt = fuzz_copy(data + 1, len);
    int n = pk_dissect(first, pkt, len, ls, PK_MAXLAYERS);
    for (int i = 0; i < n; i++)
        check_layer(&ls[i], pkt, pkt + len, 0);
    free(pkt);
    return 0;
}
