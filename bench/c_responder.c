/*
 * c_responder.c - the C peer of `make bench`'s reaction time: a phantom
 * host written the plain way, libpcap in immediate mode to read and one
 * AF_PACKET socket to answer ARP who-has and ICMP echo for one address.
 * Usage: c_responder IFACE IP MAC; prints "ready" once it listens.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <sys/socket.h>
#include <pcap/pcap.h>

#define SNAPLEN 2048    /* fits the link: keeps immediate mode's ring deep */

static uint8_t my_mac[6], my_ip[4];
static int out_fd;

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static void put16(uint8_t *p, uint16_t v) { p[0] = v >> 8; p[1] = v & 0xff; }

/* The Internet checksum (RFC 1071) of a buffer. */
static uint16_t cksum(const uint8_t *p, size_t n)
{
    uint32_t sum = 0;
    for (; n > 1; p += 2, n -= 2)
        sum += (uint32_t)p[0] << 8 | p[1];
    if (n)
        sum += (uint32_t)p[0] << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

static void reply(const uint8_t *buf, size_t len)
{
    if (send(out_fd, buf, len, 0) < 0)
        perror("c_responder: send");
}

/* ARP request (RFC 826) for our address: "is-at" our MAC, to the asker. */
static void answer_arp(const uint8_t *f, size_t len)
{
    const uint8_t *a = f + 14;
    uint8_t r[42];

    if (len < 42 || get16(a) != 1 || get16(a + 2) != ETH_P_IP || a[4] != 6 || a[5] != 4
        || get16(a + 6) != 1 || memcmp(a + 24, my_ip, 4) != 0)
        return;
    memcpy(r, a + 8, 6);                /* to the asker's MAC */
    memcpy(r + 6, my_mac, 6);
    put16(r + 12, ETH_P_ARP);
    memcpy(r + 14, a, 6);               /* htype, ptype, hlen, plen */
    put16(r + 20, 2);                   /* is-at */
    memcpy(r + 22, my_mac, 6);
    memcpy(r + 28, my_ip, 4);
    memcpy(r + 32, a + 8, 10);          /* its MAC and IP become the target */
    reply(r, sizeof r);
}

/* ICMP echo request (RFC 792) to our address: the same id, seq and data
 * back, from us, with both checksums new. */
static void answer_echo(const uint8_t *f, size_t len)
{
    const uint8_t *ip = f + 14;
    uint8_t r[SNAPLEN];
    size_t ihl, tot;

    if (len < 14 + 20 || (ip[0] >> 4) != 4 || ip[9] != IPPROTO_ICMP || memcmp(ip + 16, my_ip, 4) != 0)
        return;
    ihl = (size_t)(ip[0] & 15) * 4;
    tot = get16(ip + 2);
    if (ihl < 20 || tot < ihl + 8 || 14 + tot > len || (get16(ip + 6) & 0x3fff) != 0
        || ip[ihl] != 8 || ip[ihl + 1] != 0)
        return;
    memcpy(r, f + 6, 6);
    memcpy(r + 6, my_mac, 6);
    memcpy(r + 12, f + 12, 2 + tot);
    uint8_t *rip = r + 14, *icmp = rip + ihl;
    memcpy(rip + 16, ip + 12, 4);       /* back to the sender */
    memcpy(rip + 12, my_ip, 4);
    rip[8] = 64;
    put16(rip + 10, 0);
    put16(rip + 10, cksum(rip, ihl));
    icmp[0] = 0;                        /* echo reply */
    put16(icmp + 2, 0);
    put16(icmp + 2, cksum(icmp, tot - ihl));
    reply(r, 14 + tot);
}

static int parse_mac(const char *s, uint8_t *m)
{
    unsigned v[6];
    if (sscanf(s, "%x:%x:%x:%x:%x:%x", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) != 6)
        return -1;
    for (int i = 0; i < 6; i++)
        m[i] = (uint8_t)v[i];
    return 0;
}

int main(int argc, char **argv)
{
    char errbuf[PCAP_ERRBUF_SIZE], filter[160];
    struct bpf_program prog;
    struct sockaddr_ll ll;
    struct pcap_pkthdr *h;
    const u_char *data;
    pcap_t *p;
    int rc;

    if (argc != 4 || inet_pton(AF_INET, argv[2], my_ip) != 1 || parse_mac(argv[3], my_mac) < 0) {
        fprintf(stderr, "usage: c_responder IFACE IP MAC\n");
        return 2;
    }
    out_fd = socket(AF_PACKET, SOCK_RAW, 0);    /* protocol 0: send only */
    memset(&ll, 0, sizeof ll);
    ll.sll_family = AF_PACKET;
    ll.sll_ifindex = (int)if_nametoindex(argv[1]);
    if (out_fd < 0 || ll.sll_ifindex == 0 || bind(out_fd, (struct sockaddr *)&ll, sizeof ll) < 0) {
        perror("c_responder: packet socket");
        return 1;
    }
    p = pcap_create(argv[1], errbuf);
    if (!p) {
        fprintf(stderr, "c_responder: %s\n", errbuf);
        return 1;
    }
    pcap_set_immediate_mode(p, 1);
    pcap_set_snaplen(p, SNAPLEN);
    pcap_set_promisc(p, 1);
    pcap_set_buffer_size(p, 4 << 20);
    snprintf(filter, sizeof filter, "(arp and arp dst host %s) or (icmp and dst host %s)",
             argv[2], argv[2]);
    if (pcap_activate(p) < 0 || pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) < 0
        || pcap_setfilter(p, &prog) < 0) {
        fprintf(stderr, "c_responder: %s\n", pcap_geterr(p));
        return 1;
    }
    pcap_freecode(&prog);
    printf("ready\n");
    fflush(stdout);
    while ((rc = pcap_next_ex(p, &h, &data)) >= 0) {
        if (rc == 0 || h->caplen < 14)
            continue;
        uint16_t type = get16(data + 12);
        if (type == ETH_P_ARP)
            answer_arp(data, h->caplen);
        else if (type == ETH_P_IP)
            answer_echo(data, h->caplen);
    }
    fprintf(stderr, "c_responder: %s\n", pcap_geterr(p));
    pcap_close(p);
    return 1;
}
