/*
 * fuzz_match.c - libFuzzer target for reply matching: two packets from
 * one input, each dissected as IP and as Ether, then pk_match_key and
 * pk_answers on every pairing.
 */
#include "fuzz_common.h"
#include "pknet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct dissected {
    struct pk_layer ls[PK_MAXLAYERS];
    int n;
};

/* The key goes to a heap buffer of exactly cap bytes. */
static void check_key(const struct dissected *d, size_t cap)
{
    uint8_t *key = malloc(cap ? cap : 1);
    FUZZ_CHECK(key != NULL);
    size_t klen = pk_match_key(d->ls, d->n, key, cap);
    FUZZ_CHECK(klen <= cap);
    free(key);
}

static uint8_t *copy(const uint8_t *p, size_t n)
{
    uint8_t *c = malloc(n ? n : 1);
    FUZZ_CHECK(c != NULL);
    if (n)
        memcpy(c, p, n);
    return c;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct dissected d[4];   /* a as IP, a as Ether, b as IP, b as Ether */

    if (size < 3)
        return 0;
    size_t cap = data[0] % 64;      /* key buffer: small ones too */
    size_t alen = data[1] % (size - 1);
    const uint8_t *rest = data + 2;
    size_t blen = size - 2 - alen;
    uint8_t *a = copy(rest, alen), *b = copy(rest + alen, blen);

    d[0].n = pk_dissect(pk_proto_find("IP"), a, alen, d[0].ls, PK_MAXLAYERS);
    d[1].n = pk_dissect(pk_proto_find("Ether"), a, alen, d[1].ls, PK_MAXLAYERS);
    d[2].n = pk_dissect(pk_proto_find("IP"), b, blen, d[2].ls, PK_MAXLAYERS);
    d[3].n = pk_dissect(pk_proto_find("Ether"), b, blen, d[3].ls, PK_MAXLAYERS);
    for (int i = 0; i < 4; i++) {
        fuzz_check_layers(i < 2 ? a : b, i < 2 ? alen : blen, d[i].ls, d[i].n,
                          PK_MAXLAYERS, 64);
        check_key(&d[i], cap);
        check_key(&d[i], 64);
    }
    /* every request/reply pairing, a packet against itself included */
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++) {
            int r = pk_answers(d[i].ls, d[i].n, d[j].ls, d[j].n);
            FUZZ_CHECK(r == 0 || r == 1);
        }
    free(a);
    free(b);
    return 0;
}
