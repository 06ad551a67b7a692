/*
 * route6.c - the kernel's IPv6 route for a destination
 * (/proc/net/ipv6_route, and a connected UDP socket for the source
 * address: connect sends nothing) and its IPv6 neighbour table (a
 * netlink dump, RFC 3549: Linux keeps no /proc file of it).
 */
#include <errno.h>
#include <ifaddrs.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "pknet.h"

static int is_local6(const uint8_t dst[16])
{
    static const uint8_t loop[16] = { [15] = 1 };
    struct ifaddrs *all, *a;
    int local = memcmp(dst, loop, 16) == 0;
    if (local || getifaddrs(&all) < 0)
        return local;
    for (a = all; a && !local; a = a->ifa_next)
        if (a->ifa_addr && a->ifa_addr->sa_family == AF_INET6 &&
            memcmp(((const struct sockaddr_in6 *)a->ifa_addr)->sin6_addr.s6_addr, dst, 16) == 0)
            local = 1;
    freeifaddrs(all);
    return local;
}

static int hex16(const char *s, uint8_t a[16])
{
    for (int i = 0; i < 16; i++) {
        int h = pk_hexdigit(s[2 * i]), l = pk_hexdigit(s[2 * i + 1]);
        if (h < 0 || l < 0)
            return -1;
        a[i] = (uint8_t)(h << 4 | l);
    }
    return 0;
}

static int prefix_match(const uint8_t *a, const uint8_t *net, int plen)
{
    for (int b = 0; b < plen; b++)
        if ((a[b / 8] ^ net[b / 8]) >> (7 - b % 8) & 1)
            return 0;
    return 1;
}

/* The longest prefix that holds dst, on iface when one is named (a
 * link-local or multicast destination is on every link). */
int pk_route6_get(const uint8_t dst[16], const char *iface, struct pk_route6 *r,
                  char *err)
{
    FILE *f;
    char line[512], d[33], g[33], name[32];
    unsigned plen, flags;
    int best = -1, fd;
    struct sockaddr_in6 to, me;
    socklen_t ml = sizeof me;

    memset(r, 0, sizeof *r);
    if (is_local6(dst)) {
        snprintf(r->iface, sizeof r->iface, "lo");
        memcpy(r->src, dst, 16);
        return 0;
    }
    if (!(f = fopen("/proc/net/ipv6_route", "r"))) {
        snprintf(err, PK_ERRLEN, "cannot read the IPv6 routing table: %s", strerror(errno));
        return PK_EIO;
    }
    while (fgets(line, sizeof line, f)) {
        uint8_t net[16], gw[16];
        if (sscanf(line, "%32s %x %*s %*s %32s %*s %*s %*s %x %31s", d, &plen, g, &flags,
                   name) != 5 || hex16(d, net) < 0 || hex16(g, gw) < 0 || plen > 128)
            continue;
        /* up, not a reject route, not the loopback's (its own addresses) */
        if (!(flags & 0x1) || (flags & 0x200) || strcmp(name, "lo") == 0 ||
            (iface && strcmp(name, iface) != 0) || !prefix_match(dst, net, (int)plen) ||
            (int)plen <= best)
            continue;
        best = (int)plen;
        snprintf(r->iface, sizeof r->iface, "%s", name);
        r->has_gateway = (flags & 0x2) != 0;     /* RTF_GATEWAY */
        memcpy(r->gateway, gw, 16);
    }
    fclose(f);
    if (best < 0) {
        char a[46];
        pk_ipv6_format(dst, a);
        snprintf(err, PK_ERRLEN, "no IPv6 route to %s%s%s", a, iface ? " on " : "",
                 iface ? iface : "");
        return PK_ENODEV;
    }
    fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    memset(&to, 0, sizeof to);
    to.sin6_family = AF_INET6;
    to.sin6_port = htons(9);
    memcpy(to.sin6_addr.s6_addr, dst, 16);
    to.sin6_scope_id = if_nametoindex(r->iface);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&to, sizeof to) == 0 &&
        getsockname(fd, (struct sockaddr *)&me, &ml) == 0)
        memcpy(r->src, me.sin6_addr.s6_addr, 16);
    if (fd >= 0)
        close(fd);
    return 0;
}

/* Neighbour states with a usable link-layer address. */
#define USABLE (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | NUD_PERMANENT | NUD_NOARP)

int pk_neigh6_get(const char *iface, const uint8_t ip[16], uint64_t *mac)
{
    struct {
        struct nlmsghdr h;
        struct ndmsg nd;
    } req;
    static uint8_t buf[32768];
    int fd, found = 0, done = 0;
    unsigned idx = iface ? if_nametoindex(iface) : 0;

    *mac = 0;
    if (iface && idx == 0)
        return 0;
    if ((fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE)) < 0)
        return 0;
    memset(&req, 0, sizeof req);
    req.h.nlmsg_len = sizeof req;
    req.h.nlmsg_type = RTM_GETNEIGH;
    req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    req.nd.ndm_family = AF_INET6;
    if (send(fd, &req, sizeof req, 0) < 0) {
        close(fd);
        return 0;
    }
    while (!done) {
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n <= 0)
            break;
        for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n);
             h = NLMSG_NEXT(h, n)) {
            const struct ndmsg *nd = NLMSG_DATA(h);
            const uint8_t *dst = NULL, *ll = NULL;
            int len;
            if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR) {
                done = 1;
                break;
            }
            if (h->nlmsg_type != RTM_NEWNEIGH || h->nlmsg_len < NLMSG_LENGTH(sizeof *nd))
                continue;
            len = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof *nd));
            for (struct rtattr *a = (struct rtattr *)((uint8_t *)nd + NLMSG_ALIGN(sizeof *nd));
                 RTA_OK(a, len); a = RTA_NEXT(a, len)) {
                if (a->rta_type == NDA_DST && RTA_PAYLOAD(a) == 16)
                    dst = RTA_DATA(a);
                else if (a->rta_type == NDA_LLADDR && RTA_PAYLOAD(a) == 6)
                    ll = RTA_DATA(a);
            }
            if (found || !dst || !ll || !(nd->ndm_state & USABLE) ||
                (idx && (unsigned)nd->ndm_ifindex != idx) || memcmp(dst, ip, 16) != 0)
                continue;
            for (int k = 0; k < 6; k++)
                *mac = *mac << 8 | ll[k];
            found = 1;
        }
    }
    close(fd);
    return found;
}
