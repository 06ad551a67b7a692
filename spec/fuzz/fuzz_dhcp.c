/*
 * fuzz_dhcp.c - libFuzzer target for BOOTP and the DHCP options
 * (src/proto/dhcp.c): the input is a BOOTP message.  Beyond what every
 * dissection must hold (fuzz_common.h), building the dissected layers
 * again gives the input back byte for byte, and each option list
 * encodes again from its typed values to its own bytes.
 */
#include "fuzz_common.h"
#include "codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAXOPTS 256

/* Options from their typed values (not their bytes) encode as they came. */
static void check_typed(const struct pk_tlvfam *fam, const uint8_t *p, size_t len)
{
    static struct pk_tlv o[MAXOPTS];
    static struct pk_val vals[MAXOPTS][256];
    int n = pk_tlv_decode(fam, p, len, o, MAXOPTS);
    FUZZ_CHECK(n >= 0 && n <= MAXOPTS);
    for (int i = 0; i < n; i++) {
        if (o[i].status != PK_TLV_OK)
            continue;
        FUZZ_CHECK(o[i].nvals <= 256);
        for (unsigned j = 0; j < o[i].nvals; j++)
            FUZZ_CHECK(pk_tlv_value(fam, &o[i], j, &vals[i][j]) == 0);
        o[i].vals = vals[i];
    }
    uint8_t *out = malloc(len ? len : 1);   /* exactly len: overruns are reports */
    FUZZ_CHECK(out != NULL);
    /* more options than room: the last keeps the rest as bytes */
    FUZZ_CHECK(pk_tlv_encode(fam, o, n, out, len) == (int)len);
    FUZZ_CHECK(len == 0 || memcmp(out, p, len) == 0);
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct pk_proto *bootp;
    struct pk_layer ls[PK_MAXLAYERS];

    if (!bootp) {
        pk_registry_init();
        bootp = pk_proto_find("BOOTP");
        FUZZ_CHECK(bootp != NULL);
    }
    uint8_t *pkt = malloc(size ? size : 1);
    FUZZ_CHECK(pkt != NULL);
    if (size)
        memcpy(pkt, data, size);
    int n = pk_dissect(bootp, pkt, size, ls, PK_MAXLAYERS);
    fuzz_check_layers(pkt, size, ls, n, PK_MAXLAYERS, 64);

    for (int i = 0; i < n; i++)
        for (int f = 0; f < ls[i].proto->nfields; f++)
            if ((ls[i].present >> f & 1) && ls[i].proto->fields[f].type == PK_TLV)
                check_typed(ls[i].proto->fields[f].fam, ls[i].v[f].p, ls[i].v[f].len);

    /* dissected, then built: the same bytes */
    uint8_t *out = malloc(size ? size : 1);
    size_t len = 0;
    FUZZ_CHECK(out != NULL);
    FUZZ_CHECK(pk_build(ls, n, out, size, &len) == 0);
    FUZZ_CHECK(len == size && (size == 0 || memcmp(out, pkt, size) == 0));
    free(out);
    free(pkt);
    return 0;
}
