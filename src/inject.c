/*
 * inject.c - sending at layer 3 (raw IPv4 socket with IP_HDRINCL) and
 * layer 2 (AF_PACKET).  Sockets are opened once per interface and kind
 * and kept: PERF-NOTES measured ~20 ms to open and close an AF_PACKET
 * socket, the whole cost of a naive per-packet send.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
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
    int l2;
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

/* The cached socket for (kind, iface), opened on first use. */
static int get_sock(int l2, const char *iface, int *ifindex, char *err)
{
    const char *name = iface ? iface : "";
    int fd, idx = 0;

    for (int i = 0; i < nsocks; i++)
        if (socks[i].l2 == l2 && strcmp(socks[i].iface, name) == 0) {
            *ifindex = socks[i].ifindex;
            return socks[i].fd;
        }
    if (strlen(name) >= IF_NAMESIZE)
        return fail(err, ENODEV, "", name);
    if (*name && (idx = (int)if_nametoindex(name)) == 0)
        return fail(err, ENODEV, "", name);
    if (l2 && !*name) {
        snprintf(err, PK_ERRLEN, "sending a frame needs an interface (iface=)");
        return PK_ENODEV;
    }
    if (nsocks == MAXSOCKS) {
        snprintf(err, PK_ERRLEN, "too many interfaces in use");
        return PK_EIO;
    }
    /* protocol 0: a send-only packet socket, so nothing queues to it */
    fd = l2 ? socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0)
            : socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
    if (fd < 0)
        return fail(err, errno, "cannot open a raw socket", name);
    if (l2) {
        struct sockaddr_ll sll;
        memset(&sll, 0, sizeof sll);
        sll.sll_family = AF_PACKET;
        sll.sll_ifindex = idx;
        if (bind(fd, (struct sockaddr *)&sll, sizeof sll) < 0) {
            int e = errno;
            close(fd);
            return fail(err, e, "cannot bind a packet socket", name);
        }
    } else {
        int one = 1;
        /* a broadcast destination needs this, as ping -b does */
        setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof one);
        if (*name && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, name,
                                (socklen_t)strlen(name) + 1) < 0) {
            int e = errno;
            close(fd);
            return fail(err, e, "cannot bind to interface", name);
        }
    }
    socks[nsocks].fd = fd;
    socks[nsocks].l2 = l2;
    socks[nsocks].ifindex = idx;
    snprintf(socks[nsocks].iface, IF_NAMESIZE, "%s", name);
    nsocks++;
    *ifindex = idx;
    return fd;
}

int pk_send_l3(const char *iface, const uint8_t *pkt, size_t len, char *err)
{
    struct sockaddr_in to;
    int idx, fd;

    if (len < 20 || (pkt[0] >> 4) != 4) {
        snprintf(err, PK_ERRLEN, "send() takes an IPv4 packet; use sendp() for frames");
        return PK_EINVAL;
    }
    fd = get_sock(0, iface, &idx, err);
    if (fd < 0)
        return fd;
    memset(&to, 0, sizeof to);
    to.sin_family = AF_INET;
    memcpy(&to.sin_addr, pkt + 16, 4);
    if (sendto(fd, pkt, len, 0, (struct sockaddr *)&to, sizeof to) < 0)
        return too_big(err, errno, len, iface) ? PK_EMSGSIZE
               : fail(err, errno, "send failed", iface ? iface : "");
    return 0;
}

int pk_send_l2(const char *iface, const uint8_t *frame, size_t len, char *err)
{
    int idx, fd = get_sock(1, iface, &idx, err);
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
