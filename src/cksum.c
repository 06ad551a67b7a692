/*
 * cksum.c - the Internet checksum (RFC 1071) and the transport
 * pseudo-header sum of RFC 768 / RFC 793 over IPv4.
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

/* The destination the pseudo-header holds: with a loose or strict
 * source route (RFC 791 3.1) the last address of the route, the final
 * destination (RFC 1122 4.1.3.4, as Scapy and Wireshark compute it). */
static const uint8_t *final_dst(const uint8_t *ip, size_t hlen)
{
    const uint8_t *dst = ip + 16;
    size_t pos = 20;
    while (pos < hlen) {
        uint8_t type = ip[pos], len;
        if (type == 0)
            break;
        if (type == 1) {
            pos++;
            continue;
        }
        if (pos + 1 >= hlen || (len = ip[pos + 1]) < 2 || pos + len > hlen)
            break;
        if ((type == 0x83 || type == 0x89) && len >= 7)
            dst = ip + pos + len - 4;
        pos += len;
    }
    return dst;
}

/* Checksum of a TCP/UDP segment at ls[i] with the pseudo-header of the
 * IPv4 layer below it.  Without one there is no pseudo-header to sum:
 * returns -1 and the field stays 0, as Scapy leaves it. */
int pk_cksum_l4(const struct pk_layer *ls, int i, const uint8_t *pkt,
                const uint8_t *seg, size_t seglen)
{
    uint32_t sum = 0;
    const uint8_t *ip;
    uint8_t ph[4];

    if (i == 0 || (ls[i - 1].proto != &pk_proto_ip &&
                   ls[i - 1].proto != &pk_proto_iperror))
        return -1;
    ip = pkt + ls[i - 1].off;
    ph[0] = 0;
    ph[1] = ip[9];
    ph[2] = (uint8_t)(seglen >> 8);
    ph[3] = (uint8_t)seglen;
    sum = pk_cksum_add(sum, ip + 12, 4);
    sum = pk_cksum_add(sum, final_dst(ip, ls[i - 1].hlen), 4);
    sum = pk_cksum_add(sum, ph, 4);
    sum = pk_cksum_add(sum, seg, seglen);
    return pk_cksum_fold(sum);
}
