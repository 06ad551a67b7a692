/*
 * cksum.c - the Internet checksum (RFC 1071) and the transport
 * transport checksum over the pseudo-header the layer below gives.
 */
#include "pk.h"

uint32_t pk_cksum_add(uint32_t sum, const uint8_t *p, size_t len)
{
    /* 32-bit accumulator folded every so often so it cannot overflow */
    while (len >= 2) {
        size_t chunk = len > 65536 ? 65536 : len & ~(size_t)1;
        uint64_t s = sum;
        for (size_t i = 0; i < chunk; i += 2)
            s += (uint32_t)(p[i] << 8 | p[i + 1]);
        while (s >> 32)
            s = (s & 0xffffffff) + (s >> 32);
        s = (s & 0xffff) + (s >> 16);
        s = (s & 0xffff) + (s >> 16);
        sum = (uint32_t)s;
        p += chunk;
        len -= chunk;
    }
    if (len)
        sum += (uint32_t)p[0] << 8;
    return sum;
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
