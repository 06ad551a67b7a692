/*
 * cksum.c - the Internet checksum (RFC 1071) and the transport
 * transport checksum over the pseudo-header the layer below gives.
 */
#include <string.h>

#include "pk.h"

uint32_t pk_cksum_add(uint32_t sum, const uint8_t *p, size_t len)
{
    /* 32-bit words in the machine's order into a 64-bit accumulator:
     * their sum folds to the sum of the 16-bit words, byte-swapped on a
     * little-endian machine (RFC 1071 2(B)), in a quarter of the work;
     * the accumulator is folded every GiB so it cannot overflow */
    static const uint16_t one = 1;
    uint64_t w = 0;
    while (len >= 4) {
        size_t chunk = len > ((size_t)1 << 30) ? (size_t)1 << 30 : len & ~(size_t)3;
        for (size_t i = 0; i < chunk; i += 4) {
            uint32_t x;
            memcpy(&x, p + i, 4);
            w += x;
        }
        w = (w & 0xffffffff) + (w >> 32);
        p += chunk;
        len -= chunk;
    }
    w = (w & 0xffffffff) + (w >> 32);
    w = (w & 0xffffffff) + (w >> 32);
    w = (w & 0xffff) + (w >> 16);
    w = (w & 0xffff) + (w >> 16);
    if (*(const uint8_t *)&one)         /* little-endian */
        w = (w >> 8 | w << 8) & 0xffff;
    uint64_t s = (uint64_t)sum + w;
    if (len >= 2) {
        s += (uint32_t)(p[0] << 8 | p[1]);
        p += 2;
        len -= 2;
    }
    if (len)
        s += (uint32_t)p[0] << 8;
    s = (s & 0xffffffff) + (s >> 32);
    s = (s & 0xffff) + (s >> 16);
    s = (s & 0xffff) + (s >> 16);
    return (uint32_t)s;
}

uint16_t pk_cksum_fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

uint16_t pk_cksum(const uint8_t *p, size_t len)
{
    return pk_cksum_fold(pk_cksum_add(0, p, len));
}

/* Checksum of a TCP/UDP segment at ls[i] with the pseudo-header of the
 * layer below it.  Without one there is no pseudo-header to sum:
 * returns -1 and the field stays 0, as Scapy leaves it. */
int pk_cksum_l4(const struct pk_layer *ls, int i, const uint8_t *pkt,
                const uint8_t *seg, size_t seglen)
{
    if (i == 0 || !ls[i - 1].proto->pseudo_sum)
        return -1;
    return pk_cksum_fold(pk_cksum_add(ls[i - 1].proto->pseudo_sum(&ls[i - 1], pkt, seglen),
                                      seg, seglen));
}
