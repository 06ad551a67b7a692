/*
 * fuzz_dissect.c - libFuzzer target for pk_dissect.  The first byte picks
 * the protocol to start from (the link types a capture starts with, then
 * every descriptor directly); the rest is the packet.
 */
#include "fuzz_common.h"
#include "pknet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* 0..3: what captures start with (Ethernet, raw IP, the cooked
 * headers); 4..: every registered protocol by id. */
static const struct pk_proto *start_proto(uint8_t sel)
{
    static const int links[] = { 1, 101, 113, 276 };
    int k = sel % (4 + pk_proto_count());
    return k < 4 ? pk_linktype_proto(links[k]) : pk_proto_byid(k - 3);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pk_layer ls[PK_MAXLAYERS];

    if (size < 1)
        return 0;
    const struct pk_proto *first = start_proto(data[0]);
    size_t len = size - 1;
    uint8_t *pkt = fuzz_copy(data + 1, len);

    int n = pk_dissect(first, pkt, len, ls, PK_MAXLAYERS);
    /* a small format buffer, from the input, for the truncation paths */
    fuzz_check_layers(pkt, len, ls, n, PK_MAXLAYERS,
                      1 + (len ? pkt[len - 1] % 24 : 0));
    free(pkt);
    return 0;
}
