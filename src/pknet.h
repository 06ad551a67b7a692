/*
 * pknet.h - the network half of the core: capture (libpcap), injection
 * (raw and packet sockets), interfaces and routes, pcap files.  Plain C.
 */
#ifndef PKNET_H
#define PKNET_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

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
#define PK_ETRUNC   (-17)   /* a capture file ends inside a record */
#define PK_ERANGE   (-18)   /* a value the file format cannot hold */

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
    int32_t nsec;           /* the same fraction of a second, in ns */
    uint32_t ifid;          /* pcapng: the packet's interface, from 0 */
    int linktype;           /* files: LINKTYPE_ of the packet's interface */
    const char *comment;    /* pcapng: its first comment, or NULL */
    size_t comment_len;
};

struct pk_capture_stats {
    unsigned received, dropped, ifdropped;
};

int pk_capture_open(struct pk_capture **c, const struct pk_capture_opts *o,
                    char *err) PK_MUSTCHECK;
/* Files are pcap (libpcap reads them) or pcapng (pcapng.c).  mixed: a
 * pcapng file's interfaces may have other link types than the first
 * (never with a filter, which is compiled for one). */
int pk_capture_open_file(struct pk_capture **c, const char *path,
                         const char *filter, int mixed, char *err) PK_MUSTCHECK;
/* 1: a frame; 0: nothing within the timeout; PK_EOF, PK_EBREAK, PK_ETRUNC
 * (a file's tail is cut: the frames before it were good) or < 0.  A file's
 * errors name the file and the record. */
int pk_capture_next(struct pk_capture *c, struct pk_frame *f) PK_MUSTCHECK;
int pk_capture_linktype(const struct pk_capture *c);
const char *pk_capture_iface(const struct pk_capture *c);
int pk_capture_fd(const struct pk_capture *c);
int pk_capture_stats(struct pk_capture *c, struct pk_capture_stats *s);
const char *pk_capture_error(const struct pk_capture *c);
void pk_capture_close(struct pk_capture *c);
/* Async-signal-safe: ends the waits of every open capture. */
void pk_capture_interrupt(void);
/* Signal-safe: live captures deliver what their rings hold, then end
 * (PK_EOF) instead of waiting for more; pk_capture_draining() says so. */
void pk_capture_drain(void);
int pk_capture_draining(void);

/* What a capture file is: the fields the writer needs to go on with it. */
enum pk_fileformat { PK_FMT_PCAP = 1, PK_FMT_PCAPNG = 2 };

struct pk_iface_desc {
    int linktype;           /* LINKTYPE_* */
    uint32_t snaplen;
    const char *name, *description, *comment;   /* NULL when absent */
};

struct pk_file_info {
    int format;             /* enum pk_fileformat */
    int nano;               /* timestamps in nanoseconds (pcap) or finer
                             * than microseconds (a pcapng interface) */
    int linktype;           /* LINKTYPE_* of the file (its first interface);
                             * -1 when a pcapng file has none */
    const char *comment;    /* pcapng: the first section's comment */
    int niface;             /* pcapng: interfaces read so far */
};

/* For a file being read: its format, and its interfaces (pcapng). */
void pk_capture_file_info(const struct pk_capture *c, struct pk_file_info *fi);
const struct pk_iface_desc *pk_capture_file_iface(const struct pk_capture *c, int i);

/* The protocol a link type's frames start with (NULL if unknown); link
 * types are the LINKTYPE_ numbers of capture files. */
const struct pk_proto *pk_linktype_proto(int linktype);
int pk_proto_linktype(const struct pk_proto *p);   /* LINKTYPE_*, -1 if none */
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

struct pk_route6 {
    char iface[32];
    uint8_t src[16];        /* the address the kernel would send from */
    int has_gateway;
    uint8_t gateway[16];    /* when dst is not on the link */
};

/* The route to dst (only over iface, when given: a link-local address's
 * zone), and the MAC of ip in the IPv6 neighbour table (0: not there). */
int pk_route6_get(const uint8_t dst[16], const char *iface, struct pk_route6 *r,
                  char *err) PK_MUSTCHECK;
int pk_neigh6_get(const char *iface, const uint8_t ip[16], uint64_t *mac);

/* ---- writing capture files --------------------------------------- */

/* The largest frame written: libpcap refuses longer records on reading. */
#define PK_MAXSNAP 262144

struct pk_pcapw;

struct pk_pcapw_opts {
    int format;             /* enum pk_fileformat */
    int nano;               /* pcap: nanosecond timestamps (magic 0xa1b23c4d) */
    int linktype;           /* pcap: the file's LINKTYPE_ */
    int append;             /* go on with an existing file of the same kind
                             * (pcapng: a new section) */
    const char *comment;    /* pcapng: the section's comment, or NULL */
};

int pk_pcapw_open(struct pk_pcapw **w, const char *path,
                  const struct pk_pcapw_opts *o, char *err) PK_MUSTCHECK;
/* pcapng: describes the next interface; returns its id (from 0). */
int pk_pcapw_iface(struct pk_pcapw *w, const struct pk_iface_desc *d,
                   char *err) PK_MUSTCHECK;
/* Writes f (pcapng: on interface f->ifid, with f->comment); PK_ERANGE
 * when its time or length does not fit the format. */
int pk_pcapw_write(struct pk_pcapw *w, const struct pk_frame *f,
                   char *err) PK_MUSTCHECK;
int pk_pcapw_flush(struct pk_pcapw *w, char *err) PK_MUSTCHECK;
/* Closes w (safe on NULL); < 0 when the last writes failed. */
int pk_pcapw_close(struct pk_pcapw *w, char *err);
/* What path holds: 1 and fi filled for a pcap or pcapng file, 0 when it
 * is missing or empty, < 0 (err set) for anything else. */
int pk_pcapfile_probe(const char *path, struct pk_file_info *fi, char *err) PK_MUSTCHECK;

/* A classic pcap file header (24 bytes): fi and its byte order; < 0 if
 * it is not one. */
int pk_pcap_header(const uint8_t *h, size_t n, struct pk_file_info *fi, int *swap);

/* pcapng (pcapng.c), for capture.c and pcapfile.c. */
struct pk_ngr;
/* Reads the section header at the start of f and looks ahead to the first
 * interface; f stays open and is the reader's, closed with it. */
int pk_ngr_open(struct pk_ngr **r, FILE *f, char *err) PK_MUSTCHECK;
int pk_ngr_next(struct pk_ngr *r, struct pk_frame *fr, char *err) PK_MUSTCHECK;
void pk_ngr_mixed(struct pk_ngr *r);    /* allow several link types */
void pk_ngr_info(const struct pk_ngr *r, struct pk_file_info *fi);
const struct pk_iface_desc *pk_ngr_iface(const struct pk_ngr *r, int i);
void pk_ngr_close(struct pk_ngr *r);
int pk_ng_write_shb(FILE *f, const char *comment);
int pk_ng_write_idb(FILE *f, const struct pk_iface_desc *d);
int pk_ng_write_epb(FILE *f, const struct pk_frame *fr, uint64_t ts_ns);

/* ---- reply matching ----------------------------------------------- */

/* A key equal for a request and its replies (Scapy's hashret), and the
 * check that rep answers req; both from the protocols' descriptors. */
size_t pk_match_key(const struct pk_layer *ls, int n, uint8_t *key, size_t cap);
int pk_answers(const struct pk_layer *req, int nreq, const struct pk_layer *rep,
               int nrep);

#endif
