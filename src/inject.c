/*
 * inject.c - sending at layer 3 (raw IPv4 socket with IP_HDRINCL, raw
 * IPv6 socket of protocol IPPROTO_RAW, which implies the header is
 * included) and layer 2 (AF_PACKET).  Sockets are opened once per interface and kind
 * and kept: PERF-NOTES measured ~20 ms to open and close an AF_PACKET
 * socket, the whole cost of a naive per-packet send.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/if_packet.h>
#include <linux/if_ether.h>

#include "pknet.h"

#define MAXSOCKS 32

static struct {
    int fd;
    int kind;           /* RAW4, PACKET, RAW6 */
    int ifindex;
    char iface[IF_NAMESIZE];
} socks[MAXSOCKS];
static int nsocks;

static int fail(char *err, int e, const char *what, const char *iface)
{
    if (e == EPERM || e == EACCES) {
        snprintf(err, PK_ERRLEN, "no permission to send: need CAP_NET_RAW "
                 "(run with sudo, or `make setcap`)");
        return PK_EPERM;
    }
    if (e == ENODEV || e == ENXIO) {
        snprintf(err, PK_ERRLEN, "no interface '%s' (ifaces() lists them)", iface);
        return PK_ENODEV;
    }
    snprintf(err, PK_ERRLEN, "%s%s%s: %s", what, *iface ? " on " : "", iface,
             strerror(e));
    return e == EMSGSIZE ? PK_EMSGSIZE : PK_EIO;
}

/* Nothing of an oversized packet leaves: the kernel refuses it whole. */
static int too_big(char *err, int e, size_t len, const char *iface)
{
    if (e != EMSGSIZE)
        return 0;
    snprintf(err, PK_ERRLEN, "packet of %zu bytes is larger than the MTU%s%s allows; "
             "nothing was sent (send less, or fragment it)", len,
             iface && *iface ? " of " : "", iface && *iface ? iface : "");
    return 1;
}

/* Socket kinds. */
enum { RAW4, PACKET, RAW6 };

/* The cached socket for (kind, iface), opened on first use. */
static int get_sock(int kind, const char *iface, int *ifindex, char *err)
{
    const char *name = iface ? iface : "";
    int fd, idx = 0;

    for (int i = 0; i < nsocks; i++)
        if (socks[i].kind == kind && strcmp(socks[i].iface, name) == 0) {
            *ifindex = socks[i].ifindex;
            return socks[i].fd;
        }
    if (strlen(name) >= IF_NAMESIZE)
        return fail(err, ENODEV, "", name);
    if (*name && (idx = (int)if_nametoindex(name)) == 0)
        return fail(err, ENODEV, "", name);
    if (kind == PACKET && !*name) {
        snprintf(err, PK_ERRLEN, "sending a frame needs an interface (iface=)");
        return PK_ENODEV;
    }
    if (nsocks == MAXSOCKS) {
        snprintf(err, PK_ERRLEN, "too many interfaces in use");
        return PK_EIO;
    }
    /* protocol 0: a send-only packet socket, so nothing queues to it */
    fd = socket(kind == PACKET ? AF_PACKET : kind == RAW6 ? AF_INET6 : AF_INET,
                SOCK_RAW | SOCK_CLOEXEC, kind == PACKET ? 0 : IPPROTO_RAW);
    if (fd < 0)
        return fail(err, errno, "cannot open a raw socket", name);
    if (kind == PACKET) {
        struct sockaddr_ll sll;
        memset(&sll, 0, sizeof sll);
        sll.sll_family = AF_PACKET;
        sll.sll_ifindex = idx;
        if (bind(fd, (struct sockaddr *)&sll, sizeof sll) < 0) {
            int e = errno;
            close(fd);
            return fail(err, e, "cannot bind a packet socket", name);
        }
#ifdef PACKET_QDISC_BYPASS
        {   /* frames go straight to the driver: ~5% with a qdisc (PERF-NOTES) */
            int one = 1;
            setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof one);
        }
#endif
    } else {
        int one = 1;
        /* a broadcast destination needs this, as ping -b does */
        if (kind == RAW4)
            setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof one);
        if (*name && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, name,
                                (socklen_t)strlen(name) + 1) < 0) {
            int e = errno;
            close(fd);
            return fail(err, e, "cannot bind to interface", name);
        }
    }
    socks[nsocks].fd = fd;
    socks[nsocks].kind = kind;
    socks[nsocks].ifindex = idx;
    snprintf(socks[nsocks].iface, IF_NAMESIZE, "%s", name);
    nsocks++;
    *ifindex = idx;
    return fd;
}

/* The raw socket kind for a network packet: IPv4 or IPv6 by its version
 * field; -1 when it is neither (or too short to be one). */
static int l3_kind(const uint8_t *pkt, size_t len)
{
    if (len >= 20 && (pkt[0] >> 4) == 4)
        return RAW4;
    if (len >= 40 && (pkt[0] >> 4) == 6)
        return RAW6;
    return -1;
}

/* The address a raw socket sends pkt to: its destination (a link-local
 * one in the zone of the interface the socket is bound to). */
static socklen_t l3_dest(const uint8_t *pkt, int kind, int ifindex,
                         struct sockaddr_storage *ss)
{
    memset(ss, 0, sizeof *ss);
    if (kind == RAW6) {
        struct sockaddr_in6 *to = (struct sockaddr_in6 *)ss;
        to->sin6_family = AF_INET6;
        memcpy(&to->sin6_addr, pkt + 24, 16);
        to->sin6_scope_id = (uint32_t)ifindex;
        return sizeof *to;
    }
    struct sockaddr_in *to = (struct sockaddr_in *)ss;
    to->sin_family = AF_INET;
    memcpy(&to->sin_addr, pkt + 16, 4);
    return sizeof *to;
}

int pk_send_l3(const char *iface, const uint8_t *pkt, size_t len, char *err)
{
    struct sockaddr_storage to;
    int idx, fd, kind = l3_kind(pkt, len);

    if (kind < 0) {
        snprintf(err, PK_ERRLEN, "send() takes an IPv4 or IPv6 packet; use sendp() for frames");
        return PK_EINVAL;
    }
    fd = get_sock(kind, iface, &idx, err);
    if (fd < 0)
        return fd;
    if (sendto(fd, pkt, len, 0, (struct sockaddr *)&to, l3_dest(pkt, kind, idx, &to)) < 0)
        return too_big(err, errno, len, iface) ? PK_EMSGSIZE
               : fail(err, errno, "send failed", iface ? iface : "");
    return 0;
}

int pk_send_l2(const char *iface, const uint8_t *frame, size_t len, char *err)
{
    int idx, fd = get_sock(PACKET, iface, &idx, err);
    if (fd < 0)
        return fd;
    if (send(fd, frame, len, 0) < 0)
        return too_big(err, errno, len, iface) ? PK_EMSGSIZE
               : fail(err, errno, "send failed", iface);
    return 0;
}

void pk_send_close_all(void)
{
    for (int i = 0; i < nsocks; i++)
        close(socks[i].fd);
    nsocks = 0;
}

/* ---- bulk sending ---------------------------------------------------- */

static volatile sig_atomic_t stop_bulk;

void pk_interrupt(void)
{
    stop_bulk = 1;
}

static uint32_t get_be(const uint8_t *p, int w)
{
    uint32_t v = 0;
    for (int i = 0; i < w; i++)
        v = v << 8 | p[i];
    return v;
}

static void put_be(uint8_t *p, int w, uint32_t v)
{
    for (int i = w - 1; i >= 0; i--, v >>= 8)
        p[i] = (uint8_t)v;
}

/* The ones'-complement difference a field's change makes to every
 * checksum covering it (RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m')), summed
 * over the 16-bit words it touches; words are aligned on even offsets of
 * the packet, as every checksummed region here starts on one. */
static uint32_t cksum_delta(const uint8_t *pkt, size_t off, int width,
                            const uint8_t *old)
{
    size_t first = off & ~(size_t)1, end = off + (size_t)width;
    uint32_t d = 0;
    for (size_t w = first; w < end; w += 2) {
        uint8_t before[2];
        for (int k = 0; k < 2; k++) {
            size_t at = w + (size_t)k;
            before[k] = (at >= off && at < end) ? old[at - off] : pkt[at];
        }
        d += (uint16_t)~pk_get16(before);
        d += pk_get16(pkt + w);
    }
    return d;
}

static void cksum_apply(uint8_t *pkt, size_t ck, int udp, uint32_t d)
{
    uint32_t sum = (uint16_t)~pk_get16(pkt + ck) + d;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    sum = (uint16_t)~sum;
    if (udp && sum == 0)
        sum = 0xffff;
    pk_put16(pkt + ck, (uint16_t)sum);
}

static uint64_t xorshift(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * UINT64_C(2685821657736338717);
}

static void apply_vary(uint8_t *pkt, const struct pk_vary *v, uint32_t *cur,
                       uint64_t *rng)
{
    uint8_t old[4];
    uint64_t span = (uint64_t)v->hi - v->lo + 1;
    uint32_t val, d;
    memcpy(old, pkt + v->off, (size_t)v->width);
    if (v->mode == PK_VARY_RANDOM)  /* multiply-shift: no division */
        val = v->lo + (uint32_t)(((xorshift(rng) >> 32) * span) >> 32);
    else {
        val = *cur;
        *cur = (*cur == v->hi) ? v->lo : *cur + 1;
    }
    put_be(pkt + v->off, v->width, val);
    if (v->ncks == 0)
        return;
    d = cksum_delta(pkt, v->off, v->width, old);
    for (int c = 0; c < v->ncks; c++)
        cksum_apply(pkt, v->cks[c], v->ck_udp[c], d);
}

static double mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Waits until t: sleeps while far from it, then spins, so rates up to
 * the maximum stay within a few percent. */
static void wait_until(double t)
{
    for (;;) {
        double left = t - mono_now();
        if (left <= 0 || stop_bulk)
            return;
        if (left > 200e-6) {
            struct timespec ts = { 0, (long)((left - 100e-6) * 1e9) };
            nanosleep(&ts, NULL);
        }
    }
}

int pk_send_bulk(const struct pk_bulk *b, uint64_t *sent, char *err)
{
    uint32_t cur[PK_MAXVARY];
    uint64_t rng = b->seed ? b->seed : UINT64_C(0x9e3779b97f4a7c15), n = 0;
    struct sockaddr_storage to;
    uint8_t *pkt;
    double start, gap = b->pps > 0 ? 1.0 / b->pps : 0;
    int idx, fd, rc = 0, kind = PACKET;

    *sent = 0;
    if (b->nvary > PK_MAXVARY || (b->nvary > 0 && b->npkts > 0)) {
        snprintf(err, PK_ERRLEN, "at most %d fields of one packet can vary", PK_MAXVARY);
        return PK_EINVAL;
    }
    /* one raw socket sends them all: one version */
    for (size_t i = 0; !b->l2 && i < (b->npkts ? b->npkts : 1); i++) {
        const uint8_t *q = b->npkts ? b->pkts[i] : b->pkt;
        int k = l3_kind(q, b->npkts ? b->lens[i] : b->len);
        if (k < 0 || (i > 0 && k != kind)) {
            snprintf(err, PK_ERRLEN, "send() takes IPv4 or IPv6 packets, not both at once; "
                     "use sendp() for frames");
            return PK_EINVAL;
        }
        kind = k;
    }
    fd = get_sock(kind, b->iface, &idx, err);
    if (fd < 0)
        return fd;
    pkt = malloc(b->len ? b->len : 1);
    if (!pkt) {
        snprintf(err, PK_ERRLEN, "out of memory");
        return PK_EIO;
    }
    if (b->len)
        memcpy(pkt, b->pkt, b->len);
    /* counting starts at the template's value when it is in the range */
    for (int i = 0; i < b->nvary; i++) {
        const struct pk_vary *v = &b->vary[i];
        uint32_t t = get_be(pkt + v->off, v->width);
        cur[i] = (t >= v->lo && t <= v->hi) ? t : v->lo;
    }
    stop_bulk = 0;
    start = mono_now();
    int fresh = 1;          /* this copy still needs its varied fields */
    while ((b->loop && b->count == 0) || n < b->count) {
        if (stop_bulk)
            break;
        for (int i = 0; fresh && i < b->nvary; i++)
            apply_vary(pkt, &b->vary[i], &cur[i], &rng);
        fresh = 0;      /* a retried send keeps its values: "inc" skips none */
        if (gap > 0)
            wait_until(start + (double)n * gap);
        const uint8_t *q = b->npkts ? b->pkts[n % b->npkts] : pkt;
        size_t qlen = b->npkts ? b->lens[n % b->npkts] : b->len;
        ssize_t w;
        if (b->l2) {
            w = send(fd, q, qlen, 0);
        } else {
            w = sendto(fd, q, qlen, 0, (struct sockaddr *)&to, l3_dest(q, kind, idx, &to));
        }
        if (w < 0) {
            if (errno == EINTR)
                continue;
            if (errno == ENOBUFS) {     /* queue full: wait for room, retry */
                struct timespec ts = { 0, 20000 };
                nanosleep(&ts, NULL);
                continue;
            }
            rc = too_big(err, errno, qlen, b->iface) ? PK_EMSGSIZE
                 : fail(err, errno, "send failed", b->iface ? b->iface : "");
            break;
        }
        n++;
        fresh = 1;
    }
    stop_bulk = 0;
    free(pkt);
    *sent = n;
    return rc;
}
