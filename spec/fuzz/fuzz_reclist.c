/*
 * fuzz_reclist.c - libFuzzer target for PK_RECORDS fields: a protocol
 * whose header ends in records of another, which ends in records of a
 * third with a header length and a byte tail, so records nest and vary
 * in size.  Checks that dissection stays inside the input, that records
 * tile the field they are read from, and that a header read whole
 * builds back to its own bytes.
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct pk_field leaf_fields[] = {
    { .name = "x", .type = PK_INT, .bits = 8 },
    { .name = "len", .type = PK_INT, .bits = 8, .flags = PK_FF_AUTO,
      .role = PK_ROLE_LEN, .cover = PK_COVER_HDR },
    { .name = "data", .type = PK_BYTES },
};
static struct pk_proto leaf = {
    .name = "FuzzLeaf", .longname = "FuzzLeaf", .fields = leaf_fields, .nfields = 3,
};

static struct pk_field item_fields[] = {
    { .name = "a", .type = PK_INT, .bits = 4 },
    { .name = "n", .type = PK_INT, .bits = 4, .flags = PK_FF_AUTO | PK_FF_COUNT },
    { .name = "leaves", .type = PK_RECORDS, .rec = &leaf, .count = 2 },
};
static struct pk_proto item = {
    .name = "FuzzItem", .longname = "FuzzItem", .fields = item_fields, .nfields = 3,
};

static struct pk_field top_fields[] = {
    { .name = "t", .type = PK_INT, .bits = 8 },
    { .name = "cnt", .type = PK_INT, .bits = 8, .flags = PK_FF_AUTO | PK_FF_COUNT },
    { .name = "items", .type = PK_RECORDS, .rec = &item, .count = 2 },
};
static struct pk_proto top = {
    .name = "FuzzTop", .longname = "FuzzTop", .fields = top_fields, .nfields = 3,
};

/* The records of rec in p[0, len) read one by one tile what the walk
 * says they take. */
static void check_walk(const struct pk_proto *rec, const uint8_t *p, size_t len)
{
    size_t used, pos = 0, k;
    int n = pk_records_walk(rec, p, len, UINT64_MAX, NULL, &used), m = 0;
    struct pk_layer l;
    FUZZ_CHECK(n >= 0 && used <= len);
    while (pos < len && (k = pk_record_read(rec, p + pos, len - pos, NULL, &l)) > 0) {
        FUZZ_CHECK(k <= len - pos && l.hlen == k);
        pos += k;
        m++;
    }
    FUZZ_CHECK(m == n && pos == used);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    struct pk_layer ls[PK_MAXLAYERS];
    const char *why;

    if (!ready) {
        FUZZ_CHECK(pk_proto_register(&leaf, &why) > 0);
        FUZZ_CHECK(pk_proto_register(&item, &why) > 0);
        FUZZ_CHECK(pk_proto_register(&top, &why) > 0);
        ready = 1;
    }
    /* a copy of exactly the input's size, so reads past it are caught */
    uint8_t *pkt = malloc(size ? size : 1);
    FUZZ_CHECK(pkt != NULL);
    if (size)
        memcpy(pkt, data, size);

    int n = pk_dissect(&top, pkt, size, ls, PK_MAXLAYERS);
    fuzz_check_layers(pkt, size, ls, n, PK_MAXLAYERS, 1 + (size ? pkt[0] % 24 : 0));
    check_walk(&item, pkt, size);
    check_walk(&leaf, pkt, size);
    if (n > 0 && ls[0].proto == &top && ls[0].status == PK_LAYER_OK) {
        const struct pk_val *v = &ls[0].v[2];
        size_t used, len;
        uint8_t *out = malloc(ls[0].hlen ? ls[0].hlen : 1);
        FUZZ_CHECK(out != NULL);
        /* the count read says how many records the field holds */
        FUZZ_CHECK((uint64_t)pk_records_walk(&item, v->p, v->len, UINT64_MAX, NULL, &used) ==
                   ls[0].v[1].u && used == v->len);
        check_walk(&item, v->p, v->len);
        FUZZ_CHECK(pk_build(ls, 1, out, ls[0].hlen, &len) == 0);
        FUZZ_CHECK(len == ls[0].hlen && memcmp(out, pkt, len) == 0);
        free(out);
    }
    free(pkt);
    return 0;
}
