/*
 * capture.c - live capture through libpcap, and reading capture files:
 * pcap through libpcap, pcapng through pcapng.c (which keeps interface
 * names and comments).  Live handles are set up with pcap_create/activate
 * so the ring size, snap length and immediate mode can be chosen per call
 * (PERF-NOTES: bulk capture wants TPACKET_V3 with a large ring; a reacting
 * sniffer wants immediate delivery).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "pknet.h"

struct pk_capture {
    pcap_t *p;              /* live, or a pcap file; for pcapng a dead
                             * handle, to compile filters for */
    struct pk_ngr *ng;      /* a pcapng file */
    struct bpf_program prog;    /* a file's filter, run here so that */
    int has_prog;               /* records are counted filtered or not */
    uint64_t nrec;          /* a file's records read */
    struct pk_file_info fi;
    int linktype;
    int offline;
    int timeout_ms;
    int fd;                 /* to poll on; -1 for files */
    char iface[64];
    char path[256];
    char err[PK_ERRLEN];
};

/* Open live handles, so a signal handler can break their waits. */
#define MAXOPEN 64
static pcap_t *volatile open_handles[MAXOPEN];
static volatile sig_atomic_t interrupted;

static void track(pcap_t *p, int add)
{
    for (int i = 0; i < MAXOPEN; i++) {
        if (add ? open_handles[i] == NULL : open_handles[i] == p) {
            open_handles[i] = add ? p : NULL;
            return;
        }
    }
}

/* Set by pk_capture_drain: a background sniffer told to stop reads
 * its ring to the end first, so packets already caught are kept. */
static volatile sig_atomic_t draining;

void pk_capture_drain(void) { draining = 1; }
int pk_capture_draining(void) { return draining; }

void pk_capture_interrupt(void)
{
    interrupted = 1;
    pk_interrupt();
    for (int i = 0; i < MAXOPEN; i++)
        if (open_handles[i])
            pcap_breakloop(open_handles[i]);
}

/* LINKTYPE_ numbers the file code names. */
#define LT_ETHERNET 1
#define LT_RAW 101

/* Link types are a bind class: each protocol a capture may start with
 * declares the LINKTYPE_ numbers it is carried under
 * (https://www.tcpdump.org/linktypes.html; raw IP under several). */
const struct pk_proto *pk_linktype_proto(int linktype)
{
    const struct pk_bindclass *c = pk_bindclass_find("linktype");
    uint64_t v;
    for (int i = 0; c && i < pk_bindclass_count(c); i++) {
        const struct pk_proto *p = pk_bindclass_get(c, i, &v);
        if (linktype >= 0 && v == (uint64_t)linktype)
            return p;
    }
    return NULL;
}

/* The first link type p declares: the one its frames are written as. */
int pk_proto_linktype(const struct pk_proto *p)
{
    const struct pk_bindclass *c = pk_bindclass_find("linktype");
    uint64_t v;
    for (int i = 0; c && i < pk_bindclass_count(c); i++)
        if (pk_bindclass_get(c, i, &v) == p)
            return (int)v;
    return -1;
}

/* The DLT libpcap compiles filters for, of a file's LINKTYPE_: they
 * differ where BSDs had numbered DLTs differently (libpcap's table). */
static int dlt_of(int linktype)
{
    switch (linktype) {
    case 50: return DLT_PPP_SERIAL;
    case 51: return DLT_PPP_ETHER;
    case 100: return DLT_ATM_RFC1483;
    case LT_RAW: return DLT_RAW;
    case 102: return DLT_SLIP_BSDOS;
    case 103: return DLT_PPP_BSDOS;
    case 106: return DLT_ATM_CLIP;
    default: return linktype;
    }
}

/* The first interface that is up, running and not loopback, skipping
 * libpcap's pseudo-devices. */
int pk_default_iface(char *name, size_t n, char *err)
{
    char ebuf[PCAP_ERRBUF_SIZE];
    pcap_if_t *all, *d;
    int found = 0;

    if (pcap_findalldevs(&all, ebuf) < 0) {
        snprintf(err, PK_ERRLEN, "cannot list interfaces: %s", ebuf);
        return PK_EIO;
    }
    for (d = all; d && !found; d = d->next) {
        if ((d->flags & PCAP_IF_LOOPBACK) || !(d->flags & PCAP_IF_UP) ||
            !(d->flags & PCAP_IF_RUNNING) || strcmp(d->name, "any") == 0 ||
            strncmp(d->name, "nf", 2) == 0 || strncmp(d->name, "dbus", 4) == 0 ||
            strncmp(d->name, "bluetooth", 9) == 0)
            continue;
        snprintf(name, n, "%s", d->name);
        found = 1;
    }
    pcap_freealldevs(all);
    if (!found) {
        snprintf(err, PK_ERRLEN, "no interface is up (other than loopback); "
                 "name one with iface=");
        return PK_ENODEV;
    }
    return 0;
}

static int set_filter(struct pk_capture *c, const char *filter, char *err)
{
    struct bpf_program prog;
    if (!filter || !*filter)
        return 0;
    if (pcap_compile(c->p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) < 0) {
        snprintf(err, PK_ERRLEN, "invalid filter '%s': %s (see man pcap-filter)",
                 filter, pcap_geterr(c->p));
        return PK_EFILTER;
    }
    if (pcap_setfilter(c->p, &prog) < 0) {
        snprintf(err, PK_ERRLEN, "cannot set filter '%s': %s", filter,
                 pcap_geterr(c->p));
        pcap_freecode(&prog);
        return PK_EFILTER;
    }
    pcap_freecode(&prog);
    return 0;
}

static int activate_error(struct pk_capture *c, int rc, char *err)
{
    const char *msg = pcap_geterr(c->p);
    switch (rc) {
    case PCAP_ERROR_PERM_DENIED:
        snprintf(err, PK_ERRLEN, "no permission to capture on %s: need "
                 "CAP_NET_RAW (run with sudo, or `make setcap`)", c->iface);
        return PK_EPERM;
    case PCAP_ERROR_NO_SUCH_DEVICE:
        snprintf(err, PK_ERRLEN, "no interface '%s' (ifaces() lists them)",
                 c->iface);
        return PK_ENODEV;
    case PCAP_ERROR_IFACE_NOT_UP:
        snprintf(err, PK_ERRLEN, "interface '%s' is down (ip link set %s up)",
                 c->iface, c->iface);
        return PK_ENODEV;
    default:
        snprintf(err, PK_ERRLEN, "cannot capture on %s: %s", c->iface,
                 msg && *msg ? msg : pcap_statustostr(rc));
        return PK_EIO;
    }
}

static struct pk_capture *new_capture(char *err)
{
    struct pk_capture *c = calloc(1, sizeof *c);
    if (!c)
        snprintf(err, PK_ERRLEN, "out of memory");
    return c;
}

/* What live captures and files share once libpcap has a handle. */
static int finish_open(struct pk_capture *c, const char *filter, char *err)
{
    int rc;
    c->linktype = pcap_datalink(c->p);
    if ((rc = set_filter(c, filter, err)) < 0)
        pk_capture_close(c);
    return rc;
}

int pk_capture_open(struct pk_capture **out, const struct pk_capture_opts *o,
                    char *err)
{
    char ebuf[PCAP_ERRBUF_SIZE] = "";
    struct pk_capture *c;
    int rc;

    *out = NULL;
    if (!(c = new_capture(err)))
        return PK_EIO;
    if (o->iface)
        snprintf(c->iface, sizeof c->iface, "%s", o->iface);
    else if ((rc = pk_default_iface(c->iface, sizeof c->iface, err)) < 0) {
        free(c);
        return rc;
    }
    c->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : 50;
    c->p = pcap_create(c->iface, ebuf);
    if (!c->p) {
        snprintf(err, PK_ERRLEN, "cannot capture on %s: %s", c->iface, ebuf);
        free(c);
        return PK_EIO;
    }
    pcap_set_snaplen(c->p, o->snaplen > 0 ? o->snaplen : 262144);
    pcap_set_promisc(c->p, o->promisc);
    pcap_set_timeout(c->p, c->timeout_ms);
    pcap_set_buffer_size(c->p, (o->buffer_kb > 0 ? o->buffer_kb : 32768) * 1024);
    if (o->immediate)
        pcap_set_immediate_mode(c->p, 1);
    rc = pcap_activate(c->p);
    if (rc < 0) {
        rc = activate_error(c, rc, err);
        pcap_close(c->p);
        free(c);
        return rc;
    }
    if ((rc = finish_open(c, o->filter, err)) < 0)
        return rc;
    /* pk_capture_next waits in poll() itself: libpcap's own wait has no
     * timeout in immediate mode */
    if (pcap_setnonblock(c->p, 1, ebuf) < 0) {
        snprintf(err, PK_ERRLEN, "cannot capture on %s: %s", c->iface, ebuf);
        pk_capture_close(c);
        return PK_EIO;
    }
    c->fd = pcap_get_selectable_fd(c->p);
    if (o->inbound_only && pcap_setdirection(c->p, PCAP_D_IN) < 0) {
        snprintf(err, PK_ERRLEN, "cannot capture inbound only on %s: %s",
                 c->iface, pcap_geterr(c->p));
        pk_capture_close(c);
        return PK_EIO;
    }
    track(c->p, 1);
    interrupted = 0;
    *out = c;
    return 0;
}

/* f from libpcap's record.  A file's is opened in nanoseconds, and its
 * seconds are unsigned 32 bits, which libpcap reads signed: times from
 * 2038 on would go back to 1901. */
static void frame_of(struct pk_frame *f, const struct pcap_pkthdr *h, const u_char *data,
                     int file)
{
    memset(f, 0, sizeof *f);
    f->data = data;
    f->caplen = h->caplen;
    f->len = h->len;
    f->sec = file ? (int64_t)(uint32_t)h->ts.tv_sec : (int64_t)h->ts.tv_sec;
    f->nsec = (int32_t)(file ? h->ts.tv_usec : h->ts.tv_usec * 1000);
    f->usec = f->nsec / 1000;
}

/* A file's filter is compiled here and run in pk_capture_next. */
static int file_filter(struct pk_capture *c, const char *filter, char *err)
{
    if (!filter || !*filter)
        return 0;
    if (pcap_compile(c->p, &c->prog, filter, 1, PCAP_NETMASK_UNKNOWN) < 0) {
        snprintf(err, PK_ERRLEN, "invalid filter '%s': %s (see man pcap-filter)",
                 filter, pcap_geterr(c->p));
        return PK_EFILTER;
    }
    c->has_prog = 1;
    return 0;
}

int pk_capture_open_file(struct pk_capture **out, const char *path,
                         const char *filter, int mixed, char *err)
{
    char ebuf[PCAP_ERRBUF_SIZE] = "", why[PK_ERRLEN];
    struct pk_capture *c;
    uint8_t h[24];
    size_t n;
    int rc, swap;
    FILE *f;

    *out = NULL;
    if (!(f = fopen(path, "rb"))) {
        snprintf(err, PK_ERRLEN, "cannot read capture file %s: %s", path, strerror(errno));
        return PK_EIO;
    }
    if (!(c = new_capture(err))) {
        fclose(f);
        return PK_EIO;
    }
    c->offline = 1;
    c->fd = -1;
    snprintf(c->path, sizeof c->path, "%s", path);
    n = fread(h, 1, sizeof h, f);
    rewind(f);
    if (n >= 4 && memcmp(h, "\x0a\x0d\x0d\x0a", 4) == 0) {
        if ((rc = pk_ngr_open(&c->ng, f, why)) < 0) {
            snprintf(err, PK_ERRLEN, "cannot read capture file %.200s: %.280s", path, why);
            free(c);
            return rc;
        }
        pk_ngr_info(c->ng, &c->fi);
        if (mixed && !(filter && *filter))
            pk_ngr_mixed(c->ng);
        c->p = pcap_open_dead(dlt_of(c->fi.linktype < 0 ? LT_ETHERNET : c->fi.linktype),
                              PK_MAXSNAP);
    } else {
        /* nanoseconds: times are kept as the file has them */
        c->p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, ebuf);
        if (!c->p) {
            snprintf(err, PK_ERRLEN, "cannot read capture file %s: %s", path, ebuf);
            fclose(f);
            free(c);
            return PK_EIO;
        }
        if (pk_pcap_header(h, n, &c->fi, &swap) < 0)
            c->fi.linktype = pcap_datalink(c->p);
    }
    if (!c->p) {
        snprintf(err, PK_ERRLEN, "out of memory");
        pk_capture_close(c);
        return PK_EIO;
    }
    c->linktype = c->fi.linktype;
    if ((rc = file_filter(c, filter, err)) < 0) {
        pk_capture_close(c);
        return rc;
    }
    *out = c;
    return 0;
}

void pk_capture_file_info(const struct pk_capture *c, struct pk_file_info *fi)
{
    if (c->ng)
        pk_ngr_info(c->ng, fi);     /* interfaces read so far */
    else
        *fi = c->fi;
}

const struct pk_iface_desc *pk_capture_file_iface(const struct pk_capture *c, int i)
{
    return c->ng ? pk_ngr_iface(c->ng, i) : NULL;
}

/* The next record of a file, filtered: its errors name the file and the
 * record; a file cut inside a record is PK_ETRUNC. */
static int file_next(struct pk_capture *c, struct pk_frame *f)
{
    char why[PK_ERRLEN];
    for (;;) {
        int rc;
        if (c->ng) {
            rc = pk_ngr_next(c->ng, f, why);
            if (rc < 0 && rc != PK_EOF)
                snprintf(c->err, sizeof c->err, "%s: %.240s", c->path, why);
        } else {
            struct pcap_pkthdr *h;
            const u_char *data;
            rc = pcap_next_ex(c->p, &h, &data);
            if (rc == 1) {
                frame_of(f, h, data, 1);
                f->linktype = c->fi.linktype;
            } else if (rc == PCAP_ERROR_BREAK) {
                rc = PK_EOF;
            } else {
                /* libpcap says "truncated" only in its message; a read that
                 * stopped at the end of the file is the sure sign */
                int cut = feof(pcap_file(c->p));
                snprintf(c->err, sizeof c->err, "%s: record %llu%s: %s", c->path,
                         (unsigned long long)c->nrec + 1, cut ? " is cut short" : "",
                         pcap_geterr(c->p));
                rc = cut ? PK_ETRUNC : PK_EIO;
            }
        }
        if (rc != 1)
            return rc;
        c->nrec++;
        if (!c->has_prog) 
            return 1;
        struct pcap_pkthdr ph = { .caplen = f->caplen, .len = f->len };
        if (pcap_offline_filter(&c->prog, &ph, f->data))
            return 1;
    }
}

int pk_capture_next(struct pk_capture *c, struct pk_frame *f)
{
    struct pcap_pkthdr *h;
    const u_char *data;
    int rc;

    if (c->offline)
        return file_next(c, f);
    if (interrupted) {
        interrupted = 0;
        return PK_EBREAK;
    }
    rc = pcap_next_ex(c->p, &h, &data);
    if (rc == 0 && c->fd >= 0 && !draining) {
        struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
        int pr = poll(&pfd, 1, c->timeout_ms);
        if (pr < 0 && errno == EINTR && interrupted) {
            interrupted = 0;
            return PK_EBREAK;
        }
        if (pr > 0 || draining)
            rc = pcap_next_ex(c->p, &h, &data);
    }
    if (rc == 0 && draining)
        return PK_EOF;          /* the ring is read to its end */
    if (rc == 1) {
        frame_of(f, h, data, 0);
        return 1;
    }
    if (rc == 0)
        return 0;
    if (rc == PCAP_ERROR_BREAK) {
        interrupted = 0;
        return PK_EBREAK;
    }
    snprintf(c->err, sizeof c->err, "%s", pcap_geterr(c->p));
    return PK_EIO;
}

int pk_capture_linktype(const struct pk_capture *c) { return c->linktype; }
const char *pk_capture_iface(const struct pk_capture *c) { return c->iface; }
const char *pk_capture_error(const struct pk_capture *c) { return c->err; }

int pk_capture_fd(const struct pk_capture *c)
{
    return c->fd;
}

int pk_capture_stats(struct pk_capture *c, struct pk_capture_stats *s)
{
    struct pcap_stat st;
    memset(s, 0, sizeof *s);
    if (c->offline || pcap_stats(c->p, &st) < 0)
        return PK_EIO;
    s->received = st.ps_recv;
    s->dropped = st.ps_drop;
    s->ifdropped = st.ps_ifdrop;
    return 0;
}

void pk_capture_close(struct pk_capture *c)
{
    if (!c)
        return;
    if (c->has_prog)
        pcap_freecode(&c->prog);
    if (c->p) {
        track(c->p, 0);
        pcap_close(c->p);
    }
    pk_ngr_close(c->ng);
    free(c);
}
