/*
 * pcapng.c - the pcapng capture file format, read and written here
 * rather than through libpcap, which keeps neither interface names nor
 * comments and cannot write it.
 * Format: draft-ietf-opsawg-pcapng (sections 3 and 4: block structure and
 * options; 4.1 SHB, 4.2 IDB, 4.3 EPB, 4.4 SPB; appendix A, the obsolete
 * Packet Block).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pknet.h"

#define BT_SHB 0x0A0D0D0Au
#define BT_IDB 1u
#define BT_PB 2u            /* obsolete Packet Block (appendix A) */
#define BT_SPB 3u
#define BT_EPB 6u
#define BOM 0x1A2B3C4Du

#define OPT_END 0
#define OPT_COMMENT 1
#define IF_NAME 2
#define IF_DESCRIPTION 3
#define IF_TSRESOL 9
#define IF_TSOFFSET 14
#define SHB_USERAPPL 4

/* A bound on one block, so a corrupt length cannot ask for gigabytes. */
#define MAXBLOCK (64u << 20)

struct ng_iface {
    struct pk_iface_desc d;
    uint8_t resol;          /* if_tsresol: 10^-n s, or 2^-n s with bit 7 */
    int64_t tsoffset;       /* if_tsoffset: seconds added to every time */
};

struct pk_ngr {
    FILE *f;
    int swap;               /* the section is in the other byte order */
    uint8_t *buf;           /* the block just read */
    size_t cap;
    uint64_t off;           /* byte offset of the next block */
    uint64_t nblock;        /* blocks read */
    uint64_t boff;          /* offset of the block just read */
    struct ng_iface *ifs;   /* every section's interfaces, in file order */
    int nifs, capifs;
    int base;               /* index of the current section's interface 0 */
    char *comment;          /* the first section's comment */
    int linktype;           /* the first interface's, -1 before it */
    int nano;
    int mixed;              /* packets of other link types are let through */
    int pending;            /* an error met while looking ahead at open */
    char pending_err[PK_ERRLEN];
};

static uint32_t u32(const struct pk_ngr *r, const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return r->swap ? __builtin_bswap32(v) : v;
}

static uint16_t u16(const struct pk_ngr *r, const uint8_t *p)
{
    uint16_t v;
    memcpy(&v, p, 2);
    return r->swap ? __builtin_bswap16(v) : v;
}

static char *dup_n(const uint8_t *p, size_t n)
{
    char *s = malloc(n + 1);
    if (s) {
        memcpy(s, p, n);
        s[n] = 0;
    }
    return s;
}

/* The reader's error prefix: which block, where. */
static int fail(struct pk_ngr *r, int rc, char *err, const char *what)
{
    snprintf(err, PK_ERRLEN, "block %llu (byte %llu): %s", (unsigned long long)r->nblock,
             (unsigned long long)r->boff, what);
    return rc;
}

static int need(struct pk_ngr *r, size_t n)
{
    if (n <= r->cap)
        return 0;
    uint8_t *b = realloc(r->buf, n);
    if (!b)
        return -1;
    r->buf = b;
    r->cap = n;
    return 0;
}

/* Reads the next block whole into r->buf: 1, PK_EOF at a clean end,
 * PK_ETRUNC when the file ends inside it, PK_EIO when it is invalid. */
static int read_block(struct pk_ngr *r, uint32_t *type, uint32_t *len, char *err)
{
    uint8_t h[12];
    char what[160];
    size_t got = fread(h, 1, 8, r->f);
    uint32_t n;

    r->boff = r->off;
    r->nblock++;
    if (got == 0 && !ferror(r->f)) {
        r->nblock--;
        return PK_EOF;
    }
    if (got < 8) {
        snprintf(what, sizeof what, "the file ends inside the block's header "
                 "(%zu of 8 bytes)", got);
        return fail(r, ferror(r->f) ? PK_EIO : PK_ETRUNC, err, what);
    }
    *type = u32(r, h);
    if (*type == BT_SHB) {
        /* a section says its own byte order, before its length is read */
        uint32_t bom;
        if ((got = fread(h + 8, 1, 4, r->f)) < 4) {
            snprintf(what, sizeof what, "the file ends inside a section header "
                     "(%zu of 12 bytes)", got + 8);
            return fail(r, PK_ETRUNC, err, what);
        }
        memcpy(&bom, h + 8, 4);
        if (bom == BOM)
            r->swap = 0;
        else if (__builtin_bswap32(bom) == BOM)
            r->swap = 1;
        else
            return fail(r, PK_EIO, err, "a section header without the byte-order "
                        "magic 0x1A2B3C4D");
        got = 12;
    }
    n = u32(r, h + 4);
    if (n < 12 || n % 4 || n > MAXBLOCK || (*type == BT_SHB && n < 28)) {
        snprintf(what, sizeof what, "invalid block length %u (a multiple of 4, "
                 "from %d to %u)", n, *type == BT_SHB ? 28 : 12, MAXBLOCK);
        return fail(r, PK_EIO, err, what);
    }
    if (need(r, n) < 0)
        return fail(r, PK_EIO, err, "out of memory");
    memcpy(r->buf, h, got);
    size_t rest = fread(r->buf + got, 1, n - got, r->f);
    if (rest < n - got) {
        snprintf(what, sizeof what, "the file ends inside the block (%zu of %u bytes)",
                 got + rest, n);
        return fail(r, ferror(r->f) ? PK_EIO : PK_ETRUNC, err, what);
    }
    r->off += n;
    if (u32(r, r->buf + n - 4) != n) {
        snprintf(what, sizeof what, "its length at the end (%u) differs from "
                 "the one at the start (%u)", u32(r, r->buf + n - 4), n);
        return fail(r, PK_EIO, err, what);
    }
    *len = n;
    return 1;
}

/* Calls fn for each option in [p, end); a malformed option ends the list
 * (tshark and libpcap both read the block's other fields on). */
static void options(struct pk_ngr *r, const uint8_t *p, const uint8_t *end,
                    void (*fn)(struct pk_ngr *, void *, int, const uint8_t *, size_t),
                    void *ctx)
{
    while (end - p >= 4) {
        uint16_t code = u16(r, p), len = u16(r, p + 2);
        size_t padded = ((size_t)len + 3) & ~(size_t)3;
        if (code == OPT_END || (size_t)(end - p - 4) < padded)
            return;
        fn(r, ctx, code, p + 4, len);
        p += 4 + padded;
    }
}

static void shb_option(struct pk_ngr *r, void *ctx, int code, const uint8_t *v, size_t n)
{
    (void)ctx;
    if (code == OPT_COMMENT && !r->comment && r->nblock == 1)
        r->comment = dup_n(v, n);
}

static void idb_option(struct pk_ngr *r, void *ctx, int code, const uint8_t *v, size_t n)
{
    struct ng_iface *i = ctx;
    const char **s = code == IF_NAME ? &i->d.name
        : code == IF_DESCRIPTION ? &i->d.description
        : code == OPT_COMMENT ? &i->d.comment : NULL;
    if (s && !*s)
        *s = dup_n(v, n);
    else if (code == IF_TSRESOL && n >= 1)
        i->resol = v[0];
    else if (code == IF_TSOFFSET && n >= 8) {
        uint64_t x;         /* a signed 64-bit count of seconds */
        memcpy(&x, v, 8);
        i->tsoffset = (int64_t)(r->swap ? __builtin_bswap64(x) : x);
    }
}

static void packet_option(struct pk_ngr *r, void *ctx, int code, const uint8_t *v, size_t n)
{
    struct pk_frame *f = ctx;
    (void)r;
    if (code == OPT_COMMENT && !f->comment) {
        f->comment = (const char *)v;
        f->comment_len = n;
    }
}

static int add_iface(struct pk_ngr *r, uint32_t len, char *err)
{
    struct ng_iface *i;
    if (len < 20)
        return fail(r, PK_EIO, err, "an interface description shorter than 20 bytes");
    if (r->nifs == r->capifs) {
        int cap = r->capifs ? 2 * r->capifs : 4;
        struct ng_iface *t = realloc(r->ifs, (size_t)cap * sizeof *t);
        if (!t)
            return fail(r, PK_EIO, err, "out of memory");
        r->ifs = t;
        r->capifs = cap;
    }
    i = &r->ifs[r->nifs++];
    memset(i, 0, sizeof *i);
    i->d.linktype = u16(r, r->buf + 8);
    i->d.snaplen = u32(r, r->buf + 12);
    i->resol = 6;
    options(r, r->buf + 16, r->buf + len - 4, idb_option, i);
    if (r->linktype < 0)
        r->linktype = i->d.linktype;
    /* finer than microseconds: 10^-7 s and below, 2^-20 s and below */
    if ((i->resol & 0x80) ? (i->resol & 0x7f) >= 20 : i->resol > 6)
        r->nano = 1;
    return 0;
}

static int section(struct pk_ngr *r, uint32_t len, char *err)
{
    uint16_t major = u16(r, r->buf + 12), minor = u16(r, r->buf + 14);
    char what[96];
    /* 1.2 was written by old tools; libpcap reads it as 1.0 */
    if (major != 1 || (minor != 0 && minor != 2)) {
        snprintf(what, sizeof what, "pcapng version %u.%u (pktlua reads 1.0)", major, minor);
        return fail(r, PK_EIO, err, what);
    }
    r->base = r->nifs;
    options(r, r->buf + 24, r->buf + len - 4, shb_option, NULL);
    return 0;
}

static uint64_t pow10u(unsigned n)
{
    uint64_t v = 1;
    while (n--)
        v *= 10;
    return v;
}

/* A timestamp in an interface's units as seconds and nanoseconds. */
static int split_time(const struct ng_iface *i, uint64_t ts, struct pk_frame *f)
{
    unsigned n = i->resol & 0x7f;
    uint64_t s, ns;
    if (i->resol & 0x80) {              /* units of 2^-n s */
        uint64_t frac;
        if (n >= 64)
            return -1;
        s = n ? ts >> n : ts;
        frac = n ? ts & ((UINT64_C(1) << n) - 1) : 0;
        if (n > 34) {                   /* keep frac * 1e9 within 64 bits */
            frac >>= n - 34;
            n = 34;
        }
        ns = (frac * 1000000000u) >> n;
    } else if (n <= 19) {               /* units of 10^-n s */
        uint64_t u = pow10u(n), frac = ts % u;
        s = ts / u;
        ns = n <= 9 ? frac * pow10u(9 - n) : frac / pow10u(n - 9);
    } else {
        return -1;
    }
    if (s > INT64_MAX / 2 || (i->tsoffset < 0 && i->tsoffset < -(INT64_MAX / 2)) ||
        i->tsoffset > INT64_MAX / 2)
        return -1;
    f->sec = (int64_t)s + i->tsoffset;
    f->nsec = (int32_t)ns;
    f->usec = (int32_t)(ns / 1000);
    return 0;
}

/* The interface a packet of this section names, checked. */
static struct ng_iface *packet_iface(struct pk_ngr *r, uint32_t id, char *err, int *rc)
{
    char what[200];
    struct ng_iface *i;
    if (id >= (uint32_t)(r->nifs - r->base)) {
        snprintf(what, sizeof what, "a packet of interface %u, but its section "
                 "describes %d", id, r->nifs - r->base);
        *rc = fail(r, PK_EIO, err, what);
        return NULL;
    }
    i = &r->ifs[r->base + id];
    if (i->d.linktype != r->linktype && !r->mixed) {
        snprintf(what, sizeof what, "a packet of link type %d in a file whose first "
                 "interface has %d, where one link type is read (a filter is compiled "
                 "for one)", i->d.linktype, r->linktype);
        *rc = fail(r, PK_EIO, err, what);
        return NULL;
    }
    return i;
}

/* An EPB, or an obsolete PB (16-bit interface id and drop count). */
static int enhanced(struct pk_ngr *r, uint32_t type, uint32_t len, struct pk_frame *f,
                    char *err)
{
    const uint8_t *b = r->buf;
    struct ng_iface *i;
    uint32_t id;
    uint64_t ts;
    size_t room;
    int rc;
    if (len < 32)
        return fail(r, PK_EIO, err, "a packet block shorter than 32 bytes");
    id = type == BT_EPB ? u32(r, b + 8) : u16(r, b + 8);
    ts = (uint64_t)u32(r, b + 12) << 32 | u32(r, b + 16);
    room = len - 32;
    f->caplen = u32(r, b + 20);
    f->len = u32(r, b + 24);
    if (f->caplen > room) {
        char what[120];
        snprintf(what, sizeof what, "a captured length of %u in a block with room "
                 "for %zu", f->caplen, room);
        return fail(r, PK_EIO, err, what);
    }
    if (!(i = packet_iface(r, id, err, &rc)))
        return rc;
    if (split_time(i, ts, f) < 0)
        return fail(r, PK_EIO, err, "a time the interface's resolution cannot express");
    f->data = b + 28;
    f->ifid = (uint32_t)(i - r->ifs);
    f->linktype = i->d.linktype;
    size_t padded = ((size_t)f->caplen + 3) & ~(size_t)3;
    if (padded <= room)
        options(r, b + 28 + padded, b + len - 4, packet_option, f);
    return 1;
}

static int simple(struct pk_ngr *r, uint32_t len, struct pk_frame *f, char *err)
{
    struct ng_iface *i;
    int rc;
    if (len < 16)
        return fail(r, PK_EIO, err, "a simple packet block shorter than 16 bytes");
    if (!(i = packet_iface(r, 0, err, &rc)))
        return rc;
    f->len = u32(r, r->buf + 8);
    f->caplen = f->len < len - 16 ? f->len : len - 16;
    if (i->d.snaplen && f->caplen > i->d.snaplen)
        f->caplen = i->d.snaplen;
    f->data = r->buf + 12;
    f->ifid = (uint32_t)(i - r->ifs);
    f->linktype = i->d.linktype;
    return 1;      /* no time: 0 */
}

int pk_ngr_next(struct pk_ngr *r, struct pk_frame *f, char *err)
{
    uint32_t type, len;
    int rc;
    if (r->pending) {
        snprintf(err, PK_ERRLEN, "%s", r->pending_err);
        rc = r->pending;
        r->pending = 0;
        return rc;
    }
    for (;;) {
        if ((rc = read_block(r, &type, &len, err)) != 1)
            return rc;
        memset(f, 0, sizeof *f);
        switch (type) {
        case BT_SHB:
            if ((rc = section(r, len, err)) < 0)
                return rc;
            break;
        case BT_IDB:
            if ((rc = add_iface(r, len, err)) < 0)
                return rc;
            break;
        case BT_EPB:
        case BT_PB:
            return enhanced(r, type, len, f, err);
        case BT_SPB:
            return simple(r, len, f, err);
        default:            /* name resolution, statistics, custom: skipped */
            break;
        }
    }
}

int pk_ngr_open(struct pk_ngr **out, FILE *f, char *err)
{
    struct pk_ngr *r = calloc(1, sizeof *r);
    uint32_t type, len;
    int rc;
    *out = NULL;
    if (!r) {
        fclose(f);
        snprintf(err, PK_ERRLEN, "out of memory");
        return PK_EIO;
    }
    r->f = f;
    r->linktype = -1;
    rc = read_block(r, &type, &len, err);
    if (rc == 1 && type != BT_SHB)
        rc = fail(r, PK_EIO, err, "not a pcapng section header");
    if (rc == 1)
        rc = section(r, len, err);
    if (rc < 0 || rc == PK_EOF) {
        if (rc == PK_EOF)
            snprintf(err, PK_ERRLEN, "empty file");
        pk_ngr_close(r);
        return rc < 0 && rc != PK_EOF ? rc : PK_EIO;
    }
    /* the file's link type is its first interface's, described before any
     * packet: look ahead to it, keeping what is found on the way */
    while (r->linktype < 0) {
        uint64_t off = r->off, nb = r->nblock;
        rc = read_block(r, &type, &len, r->pending_err);
        if (rc == PK_EOF)
            break;
        if (rc < 0) {
            r->pending = rc;
            break;
        }
        if (type == BT_IDB) {
            if ((rc = add_iface(r, len, r->pending_err)) < 0)
                r->pending = rc;
        } else if (type == BT_SHB) {
            if ((rc = section(r, len, r->pending_err)) < 0)
                r->pending = rc;
        } else {
            /* a packet or another block: read again by pk_ngr_next */
            if (fseek(f, (long)off, SEEK_SET) == 0) {
                r->off = off;
                r->nblock = nb;
            } else {
                snprintf(r->pending_err, PK_ERRLEN, "cannot seek back in the file");
                r->pending = PK_EIO;
            }
            break;
        }
        if (r->pending)
            break;
    }
    *out = r;
    return 0;
}

void pk_ngr_mixed(struct pk_ngr *r) { r->mixed = 1; }

void pk_ngr_info(const struct pk_ngr *r, struct pk_file_info *fi)
{
    fi->format = PK_FMT_PCAPNG;
    fi->nano = r->nano;
    fi->linktype = r->linktype;
    fi->comment = r->comment;
    fi->niface = r->nifs;
}

const struct pk_iface_desc *pk_ngr_iface(const struct pk_ngr *r, int i)
{
    return i >= 0 && i < r->nifs ? &r->ifs[i].d : NULL;
}

void pk_ngr_close(struct pk_ngr *r)
{
    if (!r)
        return;
    for (int i = 0; i < r->nifs; i++) {
        free((char *)r->ifs[i].d.name);
        free((char *)r->ifs[i].d.description);
        free((char *)r->ifs[i].d.comment);
    }
    free(r->ifs);
    free(r->comment);
    free(r->buf);
    if (r->f)
        fclose(r->f);
    free(r);
}

/* ---- writing: in this machine's byte order, as libpcap writes pcap ---- */

static int put(FILE *f, const void *p, size_t n)
{
    return fwrite(p, 1, n, f) == n ? 0 : PK_EIO;
}

static int put32(FILE *f, uint32_t v) { return put(f, &v, 4); }

static size_t opt_size(const char *s, size_t n)
{
    return s ? 4 + ((n + 3) & ~(size_t)3) : 0;
}

static int put_opt(FILE *f, uint16_t code, const void *v, size_t n)
{
    static const uint8_t zero[4];
    uint16_t h[2] = { code, (uint16_t)n };
    if (!v)
        return 0;
    if (put(f, h, 4) < 0 || put(f, v, n) < 0)
        return PK_EIO;
    return put(f, zero, ((n + 3) & ~(size_t)3) - n);
}

static size_t slen(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    return n > 65535 ? 65535 : n;   /* an option's length is 16 bits */
}

/* Writes the block's options and end-of-options, then its trailing length. */
static int end_block(FILE *f, size_t with_opts, uint32_t total)
{
    static const uint16_t endopt[2];
    if (with_opts && put(f, endopt, 4) < 0)
        return PK_EIO;
    return put32(f, total);
}

int pk_ng_write_shb(FILE *f, const char *comment)
{
    static const char appl[] = "pktlua " PK_VERSION;
    size_t nc = slen(comment);
    size_t opts = opt_size(comment, nc) + opt_size(appl, sizeof appl - 1) + 4;
    uint32_t total = (uint32_t)(28 + opts);
    uint16_t ver[2] = { 1, 0 };
    int64_t seclen = -1;    /* not given: the section runs to the next one */
    if (put32(f, BT_SHB) < 0 || put32(f, total) < 0 || put32(f, BOM) < 0 ||
        put(f, ver, 4) < 0 || put(f, &seclen, 8) < 0 ||
        put_opt(f, OPT_COMMENT, comment, nc) < 0 ||
        put_opt(f, SHB_USERAPPL, appl, sizeof appl - 1) < 0)
        return PK_EIO;
    return end_block(f, 1, total);
}

int pk_ng_write_idb(FILE *f, const struct pk_iface_desc *d)
{
    static const uint8_t nanos = 9;     /* if_tsresol: 10^-9 s */
    size_t nn = slen(d->name), nd = slen(d->description), nc = slen(d->comment);
    size_t opts = opt_size(d->name, nn) + opt_size(d->description, nd) +
        opt_size(d->comment, nc) + opt_size("", 1) + 4;
    uint32_t total = (uint32_t)(20 + opts);
    uint16_t lt[2] = { (uint16_t)d->linktype, 0 };
    if (put32(f, BT_IDB) < 0 || put32(f, total) < 0 || put(f, lt, 4) < 0 ||
        put32(f, d->snaplen) < 0 ||
        put_opt(f, OPT_COMMENT, d->comment, nc) < 0 ||
        put_opt(f, IF_NAME, d->name, nn) < 0 ||
        put_opt(f, IF_DESCRIPTION, d->description, nd) < 0 ||
        put_opt(f, IF_TSRESOL, &nanos, 1) < 0)
        return PK_EIO;
    return end_block(f, 1, total);
}

int pk_ng_write_epb(FILE *f, const struct pk_frame *fr, uint64_t ts_ns)
{
    static const uint8_t zero[4];
    size_t nc = fr->comment ? (fr->comment_len > 65535 ? 65535 : fr->comment_len) : 0;
    size_t pad = ((fr->caplen + 3u) & ~3u) - fr->caplen;
    size_t opts = fr->comment ? opt_size(fr->comment, nc) + 4 : 0;
    uint32_t total = (uint32_t)(32 + fr->caplen + pad + opts);
    uint32_t h[5] = { fr->ifid, (uint32_t)(ts_ns >> 32), (uint32_t)ts_ns,
                      fr->caplen, fr->len };
    if (put32(f, BT_EPB) < 0 || put32(f, total) < 0 || put(f, h, sizeof h) < 0 ||
        put(f, fr->data, fr->caplen) < 0 || put(f, zero, pad) < 0 ||
        put_opt(f, OPT_COMMENT, fr->comment, nc) < 0)
        return PK_EIO;
    return end_block(f, opts, total);
}
