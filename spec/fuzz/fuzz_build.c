/*
 * fuzz_build.c - libFuzzer target for pk_build: the input chooses a stack
 * of 1..6 protocols, which fields are set and to what, and the buffer's
 * size; what builds must stay inside that buffer and dissect cleanly.
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reads the input front to back; past its end every read gives zeros. */
struct reader {
    const uint8_t *p;
    size_t n;
};

static uint8_t rd_u8(struct reader *r)
{
    if (r->n == 0)
        return 0;
    r->n--;
    return *r->p++;
}

static uint64_t rd_be(struct reader *r, unsigned bytes)
{
    uint64_t v = 0;
    while (bytes--)
        v = v << 8 | rd_u8(r);
    return v;
}

/* Up to want bytes pointing into the input (fewer near its end). */
static const uint8_t *rd_bytes(struct reader *r, size_t want, uint32_t *got)
{
    const uint8_t *p = r->p;
    if (want > r->n)
        want = r->n;
    r->p += want;
    r->n -= want;
    *got = (uint32_t)want;
    return p;
}

/* Long payloads without a long input: a fixed pattern. */
static uint8_t filler[PK_MAXPKT];

static void fill_layer(struct reader *r, struct pk_layer *l)
{
    const struct pk_proto *p = l->proto;

    for (int f = 0; f < p->nfields; f++) {
        const struct pk_field *fd = &p->fields[f];
        uint8_t c = rd_u8(r);
        uint32_t len;
        const uint8_t *v;

        if (!(c & 1))
            continue;                       /* left unset: default or computed */
        if (fd->type == PK_IPV6) {
            /* mostly 16 bytes; sometimes another length, which must be ignored */
            v = rd_bytes(r, (c & 0x80) ? (c >> 1) % 20 : 16, &len);
            pk_layer_setp(l, f, v, len);
        } else if (fd->bits == 0 && fd->type != PK_TLV &&
                   !(fd->flags & PK_FF_PAD4) && (c & 0x02)) {
            /* a payload of up to 64 KiB from the pattern */
            len = (uint32_t)(rd_be(r, 2) % (PK_MAXPKT + 1));
            pk_layer_setp(l, f, filler, len);
        } else if (fd->bits == 0) {
            size_t want = (size_t)rd_be(r, 2);
            if (fd->flags & PK_FF_PAD4)
                want %= 41;                 /* what the binding accepts */
            v = rd_bytes(r, want, &len);
            pk_layer_setp(l, f, v, len);
        } else {
            uint64_t u = rd_be(r, (unsigned)(fd->bits + 7) / 8);
            pk_layer_setu(l, f, u & pk_field_max(fd));
        }
    }
}

/* No built-in protocol has an integer wider than 64 bits (layers
 * declared from Lua may): one that has, among the others. */
static const struct pk_field wide_fields[] = {
    { .name = "a", .type = PK_INT, .bits = 8 },
    { .name = "cookie", .type = PK_WIDE, .bits = 128 },
    { .name = "k", .type = PK_WIDE, .bits = 72 },
    { .name = "rest", .type = PK_BYTES },
};
static struct pk_proto wide_proto = { .name = "FuzzWide", .longname = "wide integers",
                                      .fields = wide_fields, .nfields = 4 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct reader r = { data, size };
    struct pk_layer ls[6], again[6], out[PK_MAXLAYERS];
    const char *why;
    int nprotos;

    if (!wide_proto.id)
        FUZZ_CHECK(pk_proto_register(&wide_proto, &why) > 0);
    nprotos = pk_proto_count();

    if (filler[1] == 0)
        for (size_t i = 0; i < sizeof filler; i++)
            filler[i] = (uint8_t)(i * 7 + 1);

    /* the buffer: usually the full 65535, else a small one for ENOSPC */
    uint8_t capsel = rd_u8(&r);
    size_t cap = capsel >= 0x40 ? PK_MAXPKT : (size_t)(rd_be(&r, 2) % 2048);
    uint8_t fill = rd_u8(&r);
    int n = 1 + rd_u8(&r) % 6;
    for (int i = 0; i < n; i++)
        pk_layer_init(&ls[i], pk_proto_byid(1 + rd_u8(&r) % nprotos));
    for (int i = 0; i < n; i++)
        fill_layer(&r, &ls[i]);
    memcpy(again, ls, sizeof ls);

    /* exactly cap bytes on the heap: any write past it is an ASan report */
    uint8_t *buf = malloc(cap ? cap : 1);
    FUZZ_CHECK(buf != NULL);
    memset(buf, fill, cap);
    size_t len = 0;
    int rc = pk_build(ls, n, buf, cap, &len);
    FUZZ_CHECK(rc == 0 || rc == PK_EINVAL || rc == PK_ENOSPC || rc == PK_ETOOMANY);
    if (rc == 0) {
        FUZZ_CHECK(len <= cap);
        size_t pos = 0;
        for (int i = 0; i < n; i++) {
            FUZZ_CHECK(ls[i].off == pos);
            pos += ls[i].hlen;
        }
        FUZZ_CHECK(pos == len);

        /* the bytes do not depend on what the buffer held before */
        uint8_t *buf2 = malloc(cap ? cap : 1);
        FUZZ_CHECK(buf2 != NULL);
        memset(buf2, (uint8_t)~fill, cap);
        size_t len2 = 0;
        FUZZ_CHECK(pk_build(again, n, buf2, cap, &len2) == 0);
        FUZZ_CHECK(len2 == len && (len == 0 || memcmp(buf, buf2, len) == 0));
        free(buf2);

        /* and they dissect, from the first layer's protocol, cleanly
         * (from a copy of exactly len bytes, so reads past it show) */
        uint8_t *pkt = malloc(len ? len : 1);
        FUZZ_CHECK(pkt != NULL);
        if (len)
            memcpy(pkt, buf, len);
        int m = pk_dissect(ls[0].proto, pkt, len, out, PK_MAXLAYERS);
        fuzz_check_layers(pkt, len, out, m, PK_MAXLAYERS, 1 + fill % 24);
        free(pkt);
    }
    free(buf);
    return 0;
}
