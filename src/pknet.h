/*
 * pknet.h - the network half of the core: capture (libpcap), injection
 * (raw and packet sockets), interfaces and routes, pcap files.  Plain C.
 */
#ifndef PKNET_H
#define PKNET_H

#include <stddef.h>
#include <stdint.h>

#include "pk.h"

#define PK_ERRLEN 512

/* Failures of the world, beside the PK_E* of pk.h. */
#define PK_EPERM    (-10)   /* no CAP_NET_RAW / CAP_NET_ADMIN */
#define PK_ENODEV   (-11)   /* no such interface */
#define PK_EFILTER  (-12)   /* BPF filter does not compile */
#define PK_EIO      (-13)   /* other system or libpcap error */
#define PK_EMSGSIZE (-14)   /* larger than the interface MTU */
#define PK_EBREAK   (-15)   /* interrupted (pk_capture_interrupt) */
#define PK_EOF      (-16)   /* end of a capture file */

/* ---- capture ------------------------------------------------------ */

struct pk_capture;

struct pk_capture_opts {
    const char *iface;      /* NULL: the first up, non-loopback interface */
    const char *filter;     /* BPF expression, NULL for everything */
    int snaplen;            /* 0: 262144 */
    int promisc;
    int immediate;          /* deliver each packet at once (TPACKET_V2) */
    int buffer_kb;          /* kernel ring size; 0: 32 MiB */
    int timeout_ms;         /* longest wait in pk_capture_next; 0: 50 */
    int inbound_only;       /* skip what this host sends (sr's own requests) */
};

struct pk_frame {
    const uint8_t *data;
    uint32_t caplen, len;   /* captured and on-the-wire lengths */
    int64_t sec;
    int32_t usec;
};

struct pk_capture_stats {
    unsigned received, dropped, ifdropped;
};

int pk_capture_open(struct pk_capture **c, const struct pk_capture_opts *o,
                    char *err) PK_MUSTCHECK;
int pk_capture_open_file(struct pk_capture **c, const char *path,
                         const char *filter, char *err) PK_MUSTCHECK;
/* 1: a frame; 0: nothing within the timeout; PK_EOF, PK_EBREAK or < 0. */
int pk_capture_next(struct pk_capture *c, struct pk_frame *f) PK_MUSTCHECK;
int pk_capture_linktype(const struct pk_capture *c);
const char *pk_capture_iface(const struct pk_capture *c);
int pk_capture_fd(const struct pk_capture *c);
int pk_capture_stats(struct pk_capture *c, struct pk_capture_stats *s);
const char *pk_capture_error(const struct pk_capture *c);
void pk_capture_close(struct pk_capture *c);
/* Async-signal-safe: ends the waits of every open capture. */
void pk_capture_interrupt(void);

/* The protocol a link type's frames start with (NULL if unknown). */
const struct pk_proto *pk_linktype_proto(int linktype);
int pk_proto_linktype(const struct pk_proto *p);   /* -1 if none */
int pk_default_iface(char *name, size_t n, char *err) PK_MUSTCHECK;

/* ---- injection ---------------------------------------------------- */

/* Sockets are opened on first use per interface and kind, then kept
 * for the life of the process: opening and closing one costs ~20 ms. */
int pk_send_l3(const char *iface, const uint8_t *pkt, size_t len,
               char *err) PK_MUSTCHECK;
int pk_send_l2(const char *iface, const uint8_t *frame, size_t len,
               char *err) PK_MUSTCHECK;
void pk_send_close_all(void);

/* Bulk sending: one template, count copies (or until interrupted when
 * loop), each copy's varied fields patched in place and the checksums
 * that cover them updated incrementally (RFC 1624), at a steady rate. */
enum pk_vary_mode { PK_VARY_INC, PK_VARY_RANDOM };

#define PK_MAXVARY 8
#define PK_MAXCKS 3

struct pk_vary {
    size_t off;             /* first byte of the field in the packet */
    int width;              /* 1, 2 or 4 bytes, big-endian */
    int mode;               /* enum pk_vary_mode */
    uint32_t lo, hi;        /* the values it takes */
    int ncks;
    size_t cks[PK_MAXCKS];  /* checksum fields that cover it */
    int ck_udp[PK_MAXCKS];  /* a UDP checksum: 0 is sent as 0xffff */
};

struct pk_bulk {
    int l2;                 /* AF_PACKET frame, else raw IPv4 packet */
    const char *iface;
    const uint8_t *pkt;     /* one template, */
    size_t len;
    const uint8_t *const *pkts;     /* or npkts packets sent in turn */
    const size_t *lens;             /* (no vary with a list) */
    size_t npkts;
    uint64_t count;         /* packets to send; 0 with loop: no limit */
    int loop;
    double pps;             /* 0: as fast as possible */
    const struct pk_vary *vary;
    int nvary;
    uint64_t seed;
};

int pk_send_bulk(const struct pk_bulk *b, uint64_t *sent, char *err) PK_MUSTCHECK;
/* Async-signal-safe: ends a running pk_send_bulk (and capture waits). */
void pk_interrupt(void);

/* ---- interfaces and routes ---------------------------------------- */

#define PK_MAXADDRS 8

struct pk_iface {
    char name[32];
    int index, up, loopback, mtu;
    uint64_t mac;           /* 0 when it has none */
    int nv4, nv6;
    uint32_t v4[PK_MAXADDRS];
    uint8_t v4prefix[PK_MAXADDRS];
    uint8_t v6[PK_MAXADDRS][16];
    uint8_t v6prefix[PK_MAXADDRS];
};

int pk_iface_list(struct pk_iface *out, int max, char *err);
int pk_iface_get(const char *name, struct pk_iface *out, char *err) PK_MUSTCHECK;

struct pk_route {
    char iface[32];
    uint32_t src;           /* the address the kernel would send from */
    uint32_t gateway;       /* 0 when dst is on the link */
};

int pk_route_get(uint32_t dst, struct pk_route *r, char *err) PK_MUSTCHECK;
/* MAC of ip on iface from the kernel's neighbour table; 0 if not there. */
int pk_neigh_get(const char *iface, uint32_t ip, uint64_t *mac);

/* ---- pcap files --------------------------------------------------- */

struct pk_pcapw;

int pk_pcapw_open(struct pk_pcapw **w, const char *path, int linktype,
                  int snaplen, int append, char *err) PK_MUSTCHECK;
int pk_pcapw_write(struct pk_pcapw *w, const struct pk_frame *f) PK_MUSTCHECK;
int pk_pcapw_flush(struct pk_pcapw *w);
void pk_pcapw_close(struct pk_pcapw *w);

/* ---- reply matching ----------------------------------------------- */

/* A key equal for a request and its replies (Scapy's hashret), and the
 * check that rep answers req; both from the protocols' descriptors. */
size_t pk_match_key(const struct pk_layer *ls, int n, uint8_t *key, size_t cap);
int pk_answers(const struct pk_layer *req, int nreq, const struct pk_layer *rep,
               int nrep);

#endif
