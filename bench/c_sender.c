/*
 * c_sender.c - the floor for `make bench`'s send rates: a plain C loop of
 * sendto on one raw IPv4 socket, with the same IPv4/UDP packet pktlua sends.
 * Usage: c_sender [count]; prints "rate <pkt/s>" and "sent <n>".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

/* The Internet checksum (RFC 1071) of a buffer, seeded with a partial sum. */
static uint16_t cksum(const uint8_t *p, size_t n, uint32_t sum)
{
    for (; n > 1; p += 2, n -= 2)
        sum += (uint32_t)p[0] << 8 | p[1];
    if (n)
        sum += (uint32_t)p[0] << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

static void put16(uint8_t *p, uint16_t v) { p[0] = v >> 8; p[1] = v & 0xff; }

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Byte for byte what pktlua builds for IP{src,dst}/UDP{sport=1234,dport=9090}
 * / "Hello UDP!\n": id 1, TTL 64, no flags, both checksums. */
static size_t build(uint8_t *pkt)
{
    static const char payload[] = "Hello UDP!\n";
    size_t plen = sizeof payload - 1, ulen = 8 + plen, len = 20 + ulen;
    uint8_t *ip = pkt, *udp = pkt + 20;
    uint32_t pseudo = 0;

    memset(pkt, 0, len);
    ip[0] = 0x45;
    put16(ip + 2, (uint16_t)len);
    put16(ip + 4, 1);
    ip[8] = 64;
    ip[9] = IPPROTO_UDP;
    inet_pton(AF_INET, "198.51.100.1", ip + 12);
    inet_pton(AF_INET, "198.51.100.2", ip + 16);
    put16(ip + 10, cksum(ip, 20, 0));

    put16(udp, 1234);
    put16(udp + 2, 9090);
    put16(udp + 4, (uint16_t)ulen);
    memcpy(udp + 8, payload, plen);
    /* pseudo-header: addresses, protocol, UDP length */
    for (int i = 12; i < 20; i += 2)
        pseudo += (uint32_t)ip[i] << 8 | ip[i + 1];
    pseudo += IPPROTO_UDP + ulen;
    uint16_t c = cksum(udp, ulen, pseudo);
    put16(udp + 6, c ? c : 0xffff);
    return len;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 100000, sent = 0;
    uint8_t pkt[64];
    size_t len = build(pkt);
    struct sockaddr_in to;
    /* IPPROTO_RAW implies IP_HDRINCL: the kernel sends our header as is */
    int fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);

    if (fd < 0) {
        perror("c_sender: socket");
        return 1;
    }
    memset(&to, 0, sizeof to);
    to.sin_family = AF_INET;
    memcpy(&to.sin_addr, pkt + 16, 4);

    /* one untimed packet first, as every sender in the bench does */
    if (sendto(fd, pkt, len, 0, (struct sockaddr *)&to, sizeof to) < 0) {
        perror("c_sender: sendto");
        return 1;
    }
    double t0 = now();
    for (; sent < n; sent++)
        if (sendto(fd, pkt, len, 0, (struct sockaddr *)&to, sizeof to) < 0) {
            perror("c_sender: sendto");
            break;
        }
    double t = now() - t0;
    printf("rate %.0f\nsent %ld\n", t > 0 ? sent / t : 0.0, sent);
    close(fd);
    return sent == n ? 0 : 1;
}
