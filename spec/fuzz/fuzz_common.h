/*
 * fuzz_common.h - what every fuzz target checks after pk_dissect: the
 * layers tile the input in order, loads and tails point inside it, every
 * present field formats, and option lists re-encode to their own bytes.
 */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stdlib.h>
#include <string.h>

#include "pk.h"
#include "codec.h"

/* abort() with nothing printed: libFuzzer reports the stack and keeps
 * the input; the line number says which invariant broke. */
#define FUZZ_CHECK(cond) do { if (!(cond)) abort(); } while (0)

static inline int fuzz_inside(const uint8_t *p, size_t n, const uint8_t *lo,
                       const uint8_t *hi)
{
    if (n == 0)
        return p == NULL || (p >= lo && p <= hi);
    return p != NULL && p >= lo && p <= hi && n <= (size_t)(hi - p);
}

static inline int fuzz_all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return 0;
    return 1;
}

/* A copy of data[0, n) of exactly that size, so reads past it are
 * caught (a byte for an empty one). */
static inline uint8_t *fuzz_copy(const uint8_t *data, size_t n)
{
    uint8_t *p = malloc(n ? n : 1);
    FUZZ_CHECK(p != NULL);
    if (n)
        memcpy(p, data, n);
    return p;
}

/* Formats into a heap buffer of exactly n bytes, so that a write past
 * n is an ASan report rather than silent. */
static inline void fuzz_format(const struct pk_layer *l, int f, size_t n)
{
    char *buf = malloc(n);
    FUZZ_CHECK(buf != NULL);
    memset(buf, 'x', n);
    int r = pk_field_format(l, f, buf, n);
    /* snprintf-like: terminated within n whenever it reports success */
    if (r >= 0 && (size_t)r < n)
        FUZZ_CHECK(memchr(buf, '\0', n) == buf + r);
    free(buf);
}

/* Decoding an option list and encoding it again gives the same bytes.
 * The one difference allowed is the zero fill after a final end kind,
 * which the decoder drops on purpose: pk_build's PK_FF_PAD4 fill writes
 * it back, so it is allowed only where that fill restores the original
 * length. */
static inline void fuzz_check_opts(const struct pk_field *fd, const uint8_t *p,
                            size_t len)
{
    struct pk_tlv o[128];
    int n = pk_tlv_decode(fd->fam, p, len, o, 128);
    FUZZ_CHECK(n >= 0 && n <= 128);
    for (int i = 0; i < n; i++)
        if (o[i].status != PK_TLV_OK)
            FUZZ_CHECK(fuzz_inside(o[i].data, o[i].len, p, p + len));

    uint8_t *out = malloc(len ? len : 1);   /* cap is exactly len */
    FUZZ_CHECK(out != NULL);
    int w = pk_tlv_encode(fd->fam, o, n, out, len);
    FUZZ_CHECK(w >= 0);                     /* fits where it came from */
    size_t wl = (size_t)w;
    FUZZ_CHECK(wl <= len);
    FUZZ_CHECK(wl == 0 || memcmp(out, p, wl) == 0);
    if (wl < len) {
        FUZZ_CHECK((fd->flags & PK_FF_PAD4) && n > 0 && (int)o[n - 1].kind == fd->fam->end_kind &&
                   o[n - 1].status == PK_TLV_OK && fuzz_all_zero(p + wl, len - wl) &&
                   len == (wl + 3) / 4 * 4);
    }
    free(out);
}

/* The invariants of one dissection of data[0, len) into ls[0, n). */
static inline void fuzz_check_layers(const uint8_t *data, size_t len,
                              const struct pk_layer *ls, int n, int max,
                              unsigned fmtsize)
{
    size_t pos = 0;

    FUZZ_CHECK(n >= 0 && n <= max);
    FUZZ_CHECK(len == 0 || n > 0);
    for (int i = 0; i < n; i++) {
        const struct pk_layer *l = &ls[i];
        const struct pk_proto *p = l->proto;
        const uint8_t *hb = data + l->off;

        FUZZ_CHECK(p != NULL);
        FUZZ_CHECK(l->status >= PK_LAYER_OK && l->status <= PK_LAYER_INVALID);
        /* in order, back to back, within the input */
        FUZZ_CHECK(l->off == pos);
        FUZZ_CHECK(l->off <= len && l->hlen <= len - l->off);
        pos = l->off + l->hlen;
        FUZZ_CHECK(p->nfields <= PK_MAXFIELDS);
        FUZZ_CHECK((l->present >> p->nfields) == 0);

        if (p == &pk_proto_raw || p == &pk_proto_padding) {
            FUZZ_CHECK(l->present & 1);
            FUZZ_CHECK(l->v[0].p == hb && l->v[0].len == l->hlen);
            FUZZ_CHECK(l->status != PK_LAYER_TRUNCATED || l->cut != NULL);
        }
        for (int f = 0; f < p->nfields; f++) {
            const struct pk_field *fd = &p->fields[f];
            if (!(l->present >> f & 1))
                continue;
            if (fd->bits == 0 || fd->type == PK_IPV6)
                FUZZ_CHECK(fuzz_inside(l->v[f].p, l->v[f].len, hb, hb + l->hlen));
            if (fd->type == PK_IPV6)
                FUZZ_CHECK(l->v[f].len == 16);
            fuzz_format(l, f, 256);
            fuzz_format(l, f, fmtsize ? fmtsize : 1);
            if (fd->type == PK_TLV && (fd->flags & PK_FF_PAD4))   /* TCP's */
                fuzz_check_opts(fd, l->v[f].p, l->v[f].len);
        }
    }
    FUZZ_CHECK(pos == len);     /* no byte is dropped */
}

#endif
