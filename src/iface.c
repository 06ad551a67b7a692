/*
 * iface.c - interfaces (getifaddrs), the kernel's route for a
 * destination (/proc/net/route, and a connected UDP socket for the
 * source address: connect sends nothing), and its neighbour table.
 */
#include <errno.h>
#include <ifaddrs.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/if_packet.h>

#include "pknet.h"

static int prefix_len(const struct sockaddr *mask, int v6)
{
    const uint8_t *b = v6 ? ((const struct sockaddr_in6 *)mask)->sin6_addr.s6_addr
                          : (const uint8_t *)&((const struct sockaddr_in *)mask)->sin_addr;
    int n = 0;
    if (!mask)
        return 0;
    for (int i = 0; i < (v6 ? 16 : 4); i++)
        for (int bit = 7; bit >= 0; bit--)
            n += b[i] >> bit & 1;
    return n;
}

static struct pk_iface *slot(struct pk_iface *out, int *n, int max, const char *name)
{
    for (int i = 0; i < *n; i++)
        if (strcmp(out[i].name, name) == 0)
            return &out[i];
    if (*n == max)
        return NULL;
    memset(&out[*n], 0, sizeof out[*n]);
    snprintf(out[*n].name, sizeof out[*n].name, "%s", name);
    out[*n].index = (int)if_nametoindex(name);
    return &out[(*n)++];
}

int pk_iface_list(struct pk_iface *out, int max, char *err)
{
    struct ifaddrs *all, *a;
    int n = 0, fd;

    if (getifaddrs(&all) < 0) {
        snprintf(err, PK_ERRLEN, "cannot list interfaces: %s", strerror(errno));
        return PK_EIO;
    }
    fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    for (a = all; a; a = a->ifa_next) {
        struct pk_iface *i = slot(out, &n, max, a->ifa_name);
        if (!i)
            break;
        i->up = (a->ifa_flags & IFF_UP) != 0;
        i->loopback = (a->ifa_flags & IFF_LOOPBACK) != 0;
        if (!a->ifa_addr)
            continue;
        if (a->ifa_addr->sa_family == AF_PACKET) {
            const struct sockaddr_ll *ll = (const struct sockaddr_ll *)a->ifa_addr;
            if (ll->sll_halen == 6)
                for (int k = 0; k < 6; k++)
                    i->mac = i->mac << 8 | ll->sll_addr[k];
        } else if (a->ifa_addr->sa_family == AF_INET && i->nv4 < PK_MAXADDRS) {
            const struct sockaddr_in *s = (const struct sockaddr_in *)a->ifa_addr;
            i->v4[i->nv4] = ntohl(s->sin_addr.s_addr);
            i->v4prefix[i->nv4++] = (uint8_t)prefix_len(a->ifa_netmask, 0);
        } else if (a->ifa_addr->sa_family == AF_INET6 && i->nv6 < PK_MAXADDRS) {
            const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)a->ifa_addr;
            memcpy(i->v6[i->nv6], s->sin6_addr.s6_addr, 16);
            i->v6prefix[i->nv6++] = (uint8_t)prefix_len(a->ifa_netmask, 1);
        }
    }
    freeifaddrs(all);
    for (int k = 0; k < n && fd >= 0; k++) {
        struct ifreq r;
        memset(&r, 0, sizeof r);
        snprintf(r.ifr_name, sizeof r.ifr_name, "%s", out[k].name);
        if (ioctl(fd, SIOCGIFMTU, &r) == 0)
            out[k].mtu = r.ifr_mtu;
    }
    if (fd >= 0)
        close(fd);
    return n;
}

int pk_iface_get(const char *name, struct pk_iface *out, char *err)
{
    struct pk_iface all[64];
    int n = pk_iface_list(all, 64, err);
    for (int i = 0; i < n; i++)
        if (strcmp(all[i].name, name) == 0) {
            *out = all[i];
            return 0;
        }
    if (n >= 0)
        snprintf(err, PK_ERRLEN, "no interface '%s' (ifaces() lists them)", name);
    return n < 0 ? n : PK_ENODEV;
}

static int is_local(uint32_t dst)
{
    struct ifaddrs *all, *a;
    int local = (dst >> 24) == 127;
    if (local || getifaddrs(&all) < 0)
        return local;
    for (a = all; a && !local; a = a->ifa_next)
        if (a->ifa_addr && a->ifa_addr->sa_family == AF_INET &&
            ntohl(((const struct sockaddr_in *)a->ifa_addr)->sin_addr.s_addr) == dst)
            local = 1;
    freeifaddrs(all);
    return local;
}

/* Longest-prefix match over /proc/net/route for the interface and
 * gateway; the source address from a connected (never used) socket. */
int pk_route_get(uint32_t dst, struct pk_route *r, char *err)
{
    FILE *f = fopen("/proc/net/route", "r");
    char line[256], name[32];
    unsigned d, g, flags, m;
    int best = -1, fd;
    struct sockaddr_in to, me;
    socklen_t ml = sizeof me;

    memset(r, 0, sizeof *r);
    /* the local table first: loopback and this host's own addresses are
     * delivered through lo, whatever the main table says */
    if (is_local(dst)) {
        if (f)
            fclose(f);
        snprintf(r->iface, sizeof r->iface, "lo");
        r->src = dst;
        return 0;
    }
    if (!f) {
        snprintf(err, PK_ERRLEN, "cannot read the routing table: %s", strerror(errno));
        return PK_EIO;
    }
    while (fgets(line, sizeof line, f)) {
        if (sscanf(line, "%31s %x %x %x %*s %*s %*s %x", name, &d, &g, &flags, &m) != 5)
            continue;
        if (!(flags & 1))           /* RTF_UP */
            continue;
        d = ntohl(d), g = ntohl(g), m = ntohl(m);
        if ((dst & m) != d)
            continue;
        int plen = __builtin_popcount(m);
        if (plen > best) {
            best = plen;
            snprintf(r->iface, sizeof r->iface, "%s", name);
            r->gateway = (flags & 2) ? g : 0;   /* RTF_GATEWAY */
        }
    }
    fclose(f);
    if (best < 0) {
        char a[16];
        pk_ipv4_format(dst, a);
        snprintf(err, PK_ERRLEN, "no route to %s", a);
        return PK_ENODEV;
    }
    fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    memset(&to, 0, sizeof to);
    to.sin_family = AF_INET;
    to.sin_port = htons(9);
    to.sin_addr.s_addr = htonl(dst);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&to, sizeof to) == 0 &&
        getsockname(fd, (struct sockaddr *)&me, &ml) == 0)
        r->src = ntohl(me.sin_addr.s_addr);
    if (fd >= 0)
        close(fd);
    return 0;
}

int pk_neigh_get(const char *iface, uint32_t ip, uint64_t *mac)
{
    FILE *f = fopen("/proc/net/arp", "r");
    char line[256], a[64], hw[64], dev[64];
    unsigned flags;
    char want[16];

    *mac = 0;
    if (!f)
        return 0;
    pk_ipv4_format(ip, want);
    while (fgets(line, sizeof line, f)) {
        if (sscanf(line, "%63s %*s %x %63s %*s %63s", a, &flags, hw, dev) != 4)
            continue;
        if (strcmp(a, want) == 0 && (flags & 2) && (!iface || strcmp(dev, iface) == 0) &&
            pk_mac_parse(hw, mac) == 0) {
            fclose(f);
            return 1;
        }
    }
    fclose(f);
    return 0;
}
