/*
 * pcapfile.c - writing capture files: classic pcap with microsecond or
 * nanosecond timestamps, or pcapng (blocks in pcapng.c); and what an
 * existing file is, to read it or to append to it.
 * Classic format: draft-ietf-opsawg-pcap (section 4, file header;
 * section 5, packet record).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pknet.h"

#define MAGIC_US 0xa1b2c3d4u
#define MAGIC_NS 0xa1b23c4du
#define MAGIC_NG 0x0a0d0d0au
/* libpcap's "modified" pcap: 24-byte records (read by libpcap only) */
#define MAGIC_KUZ 0xa1b2cd34u

struct pk_pcapw {
    FILE *f;
    int format, nano, swap;
    int niface;             /* pcapng: interfaces described so far */
};

static uint32_t sw32(uint32_t v, int swap) { return swap ? __builtin_bswap32(v) : v; }

int pk_pcap_header(const uint8_t *h, size_t n, struct pk_file_info *fi, int *swap)
{
    uint32_t m;
    if (n < 24)
        return -1;
    memcpy(&m, h, 4);
    *swap = 0;
    if (m != MAGIC_US && m != MAGIC_NS && m != MAGIC_KUZ) {
        m = __builtin_bswap32(m);
        *swap = 1;
        if (m != MAGIC_US && m != MAGIC_NS && m != MAGIC_KUZ)
            return -1;
    }
    memset(fi, 0, sizeof *fi);
    fi->format = PK_FMT_PCAP;
    fi->nano = m == MAGIC_NS;
    memcpy(&m, h + 20, 4);
    /* the upper 16 bits may carry an FCS length and reserved bits */
    fi->linktype = (int)(sw32(m, *swap) & 0xFFFF);
    return 0;
}

int pk_pcapfile_probe(const char *path, struct pk_file_info *fi, char *err)
{
    uint8_t h[24];
    uint32_t m = 0;
    int swap;
    size_t n;
    FILE *f = fopen(path, "rb");
    memset(fi, 0, sizeof *fi);
    if (!f) {
        if (errno == ENOENT)
            return 0;
        snprintf(err, PK_ERRLEN, "%s", strerror(errno));
        return PK_EIO;
    }
    n = fread(h, 1, sizeof h, f);
    if (n >= 4)
        memcpy(&m, h, 4);
    if (m == MAGIC_NG) {
        struct pk_ngr *r;
        rewind(f);
        if (pk_ngr_open(&r, f, err) < 0)
            return PK_EIO;      /* f is closed */
        pk_ngr_info(r, fi);
        pk_ngr_close(r);
        return 1;
    }
    fclose(f);
    if (n == 0)
        return 0;
    if (pk_pcap_header(h, n, fi, &swap) < 0) {
        snprintf(err, PK_ERRLEN, "not a pcap or pcapng file");
        return PK_EIO;
    }
    return 1;
}

static int io_error(char *err)
{
    snprintf(err, PK_ERRLEN, "%s", strerror(errno ? errno : EIO));
    return PK_EIO;
}

static int classic_header(struct pk_pcapw *w, int linktype)
{
    uint32_t h[6] = { w->nano ? MAGIC_NS : MAGIC_US, 2 | 4u << 16, 0, 0,
                      PK_MAXSNAP, (uint32_t)linktype };
    return fwrite(h, 1, sizeof h, w->f) == sizeof h ? 0 : PK_EIO;
}

/* Opens path to go on with it: checks it is what o asks for. */
static int open_append(struct pk_pcapw *w, const char *path,
                       const struct pk_pcapw_opts *o, int *fresh, char *err)
{
    struct pk_file_info fi;
    int rc = pk_pcapfile_probe(path, &fi, err);
    FILE *f;
    *fresh = rc == 0;
    if (rc < 0)
        return rc;
    if (rc > 0 && fi.format == PK_FMT_PCAP) {
        if (o->format != PK_FMT_PCAP || fi.nano != o->nano || fi.linktype != o->linktype) {
            snprintf(err, PK_ERRLEN, "cannot append: the file is pcap with link type "
                     "%d and %s timestamps", fi.linktype, fi.nano ? "nanosecond" : "microsecond");
            return PK_EINVAL;
        }
        /* records go in the file's byte order */
        if (!(f = fopen(path, "rb")))
            return io_error(err);
        uint8_t h[24];
        size_t n = fread(h, 1, sizeof h, f);
        fclose(f);
        if (pk_pcap_header(h, n, &fi, &w->swap) < 0) {
            snprintf(err, PK_ERRLEN, "cannot append: unreadable file header");
            return PK_EIO;
        }
        if (memcmp(h, "\x34\xcd\xb2\xa1", 4) == 0 || memcmp(h, "\xa1\xb2\xcd\x34", 4) == 0) {
            snprintf(err, PK_ERRLEN, "cannot append to a modified-pcap file");
            return PK_EINVAL;
        }
    } else if (rc > 0 && o->format != PK_FMT_PCAPNG) {
        snprintf(err, PK_ERRLEN, "cannot append: the file is pcapng");
        return PK_EINVAL;
    }
    if (!(w->f = fopen(path, "ab")))
        return io_error(err);
    return 0;
}

int pk_pcapw_open(struct pk_pcapw **out, const char *path, const struct pk_pcapw_opts *o,
                  char *err)
{
    struct pk_pcapw *w = calloc(1, sizeof *w);
    int fresh = 1, rc = 0;
    *out = NULL;
    if (!w) {
        snprintf(err, PK_ERRLEN, "out of memory");
        return PK_EIO;
    }
    w->format = o->format;
    w->nano = o->nano;
    errno = 0;
    if (o->append)
        rc = open_append(w, path, o, &fresh, err);
    else if (!(w->f = fopen(path, "wb")))
        rc = io_error(err);
    if (rc == 0) {
        setvbuf(w->f, NULL, _IOFBF, 1 << 16);
        /* appending to pcapng starts a section of its own */
        if (w->format == PK_FMT_PCAPNG)
            rc = pk_ng_write_shb(w->f, o->comment);
        else if (fresh)
            rc = classic_header(w, o->linktype);
        if (rc < 0)
            io_error(err);
    }
    if (rc < 0) {
        if (w->f)
            fclose(w->f);
        free(w);
        return rc;
    }
    *out = w;
    return 0;
}

int pk_pcapw_iface(struct pk_pcapw *w, const struct pk_iface_desc *d, char *err)
{
    if (w->format != PK_FMT_PCAPNG) {
        snprintf(err, PK_ERRLEN, "a pcap file has no interface descriptions");
        return PK_EINVAL;
    }
    errno = 0;
    if (pk_ng_write_idb(w->f, d) < 0)
        return io_error(err);
    return w->niface++;
}

int pk_pcapw_write(struct pk_pcapw *w, const struct pk_frame *f, char *err)
{
    uint32_t len = f->len > f->caplen ? f->len : f->caplen;
    if (f->caplen > PK_MAXSNAP) {
        snprintf(err, PK_ERRLEN, "a frame of %u bytes is longer than capture files "
                 "hold (%d bytes, the largest snap length libpcap reads)", f->caplen,
                 PK_MAXSNAP);
        return PK_ERANGE;
    }
    if (f->nsec < 0 || f->nsec >= 1000000000) {
        snprintf(err, PK_ERRLEN, "nanoseconds %d out of range", (int)f->nsec);
        return PK_EINVAL;
    }
    if (f->sec < 0) {
        snprintf(err, PK_ERRLEN, "a time of %lld s is before 1970, which capture files "
                 "do not hold", (long long)f->sec);
        return PK_ERANGE;
    }
    errno = 0;
    if (w->format == PK_FMT_PCAPNG) {
        struct pk_frame g = *f;
        if (f->sec > (int64_t)(UINT64_MAX / 1000000000u) - 1) {
            snprintf(err, PK_ERRLEN, "a time of %lld s is past what pcapng holds "
                     "in nanoseconds (2^64 ns, in 2554)", (long long)f->sec);
            return PK_ERANGE;
        }
        if (f->ifid >= (uint32_t)w->niface) {
            snprintf(err, PK_ERRLEN, "no interface %u", f->ifid);
            return PK_EINVAL;
        }
        g.len = len;
        if (pk_ng_write_epb(w->f, &g, (uint64_t)f->sec * 1000000000u + (uint64_t)f->nsec) < 0)
            return io_error(err);
        return 0;
    }
    if (f->sec > (int64_t)UINT32_MAX) {
        snprintf(err, PK_ERRLEN, "a time of %lld s is past what pcap holds "
                 "(2^32 - 1 s, 2106-02-07 06:28:15); pcapng holds it",
                 (long long)f->sec);
        return PK_ERANGE;
    }
    uint32_t h[4] = { sw32((uint32_t)f->sec, w->swap),
                      sw32((uint32_t)(w->nano ? f->nsec : f->nsec / 1000), w->swap),
                      sw32(f->caplen, w->swap), sw32(len, w->swap) };
    if (fwrite(h, 1, sizeof h, w->f) != sizeof h ||
        fwrite(f->data, 1, f->caplen, w->f) != f->caplen)
        return io_error(err);
    return 0;
}

int pk_pcapw_flush(struct pk_pcapw *w, char *err)
{
    errno = 0;
    return fflush(w->f) == 0 ? 0 : io_error(err);
}

int pk_pcapw_close(struct pk_pcapw *w, char *err)
{
    int rc = 0;
    if (!w)
        return 0;
    errno = 0;
    if (ferror(w->f) | fclose(w->f))
        rc = io_error(err);
    free(w);
    return rc;
}
