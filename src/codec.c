/*
 * codec.c - what every codec shares: the bit reads and writes of the
 * reader and writer, error messages, values wider than 64 bits and
 * fixed-size byte strings.
 */
#include "codec.h"

const char *pk_codec_strerror(int err)
{
    switch (err) {
    case PK_EINVAL:     return "value does not fit its field";
    case PK_ENOSPC:     return "output buffer too small";
    case PK_ETOOMANY:   return "more items than the limit";
    case PK_EMALFORMED: return "bytes do not follow the format";
    case PK_ETRUNC:     return "bytes end inside an item";
    case PK_EPOINTER:   return "name compression pointer points past the end of the message";
    case PK_ELOOP:      return "name compression pointers loop or hop too many times";
    case PK_ETOOLONG:   return "name longer than 255 bytes or label longer than 63";
    case PK_ELABEL:     return "unknown label type (neither a length nor a pointer)";
    default:            return err >= 0 ? "no error" : "unknown error";
    }
}

uint64_t pk_rd_bits(struct pk_rd *r, unsigned nbits)
{
    uint64_t v;
    if (nbits == 0 || nbits > 64 || r->err ||
        (size_t)(r->end - r->p) < (r->bit + nbits + 7) / 8) {
        r->err = 1;
        return 0;
    }
    v = pk_bits_at(r->p, r->bit, nbits);
    r->p += (r->bit + nbits) / 8;
    r->bit = (r->bit + nbits) % 8;
    return v;
}

void pk_wr_bits(struct pk_wr *w, uint64_t v, unsigned nbits)
{
    if (w->err)
        return;
    if (nbits == 0 || nbits > 64 || (nbits < 64 && v >> nbits)) {
        w->err = PK_EINVAL;
        return;
    }
    if (nbits > w->bit && w->cap - w->len < (nbits - w->bit + 7) / 8) {
        w->err = PK_ENOSPC;
        return;
    }
    while (nbits > 0) {
        if (w->bit == 0) {
            w->buf[w->len++] = 0;
            w->bit = 8;
        }
        unsigned take = w->bit < nbits ? w->bit : nbits;
        unsigned chunk = (unsigned)(v >> (nbits - take)) & ((1u << take) - 1);
        w->buf[w->len - 1] |= (uint8_t)(chunk << (w->bit - take));
        w->bit -= take;
        nbits -= take;
    }
}

/* ---- Wide values ---- */

void pk_wide_read(struct pk_rd *r, unsigned nbits, uint8_t *out)
{
    size_t n = (nbits + 7) / 8;
    if (nbits % 8 == 0 && r->bit == 0) {
        const uint8_t *p = pk_rd_bytes(r, n);
        if (p)
            memcpy(out, p, n);
        else
            memset(out, 0, n);
        return;
    }
    unsigned first = nbits % 8 ? nbits % 8 : 8;
    out[0] = (uint8_t)pk_rd_bits(r, first);
    for (size_t i = 1; i < n; i++)
        out[i] = (uint8_t)pk_rd_bits(r, 8);
}

void pk_wide_write(struct pk_wr *w, unsigned nbits, const uint8_t *v, size_t len)
{
    size_t n = (nbits + 7) / 8;
    unsigned first = nbits % 8 ? nbits % 8 : 8;
    if (w->err)
        return;
    /* what lies above nbits must be zero: never cut a value */
    for (size_t i = 0; i + n < len; i++)
        if (v[i]) {
            w->err = PK_EINVAL;
            return;
        }
    if (len >= n && first < 8 && v[len - n] >> first) {
        w->err = PK_EINVAL;
        return;
    }
    for (size_t i = 0; i < n; i++) {
        uint8_t b = len + i >= n ? v[len + i - n] : 0;    /* right-aligned */
        if (w->bit == 0 && nbits % 8 == 0)
            pk_wr_uint(w, b, 1);
        else
            pk_wr_bits(w, b, i == 0 ? first : 8);
    }
}

int pk_wide_parse(const char *s, unsigned nbits, uint8_t *out)
{
    size_t n = (nbits + 7) / 8;
    unsigned first = nbits % 8 ? nbits % 8 : 8;
    int hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
    unsigned base = hex ? 16 : 10;

    if (nbits == 0)
        return PK_EINVAL;
    memset(out, 0, n);
    s += hex ? 2 : 0;
    if (!*s)
        return PK_EINVAL;
    for (; *s; s++) {
        int d = pk_hexdigit((unsigned char)*s);
        if (d < 0 || (unsigned)d >= base)
            return PK_EINVAL;
        /* out = out * base + d, from the last byte up */
        unsigned carry = (unsigned)d;
        for (size_t i = n; i-- > 0;) {
            unsigned x = out[i] * base + carry;
            out[i] = (uint8_t)x;
            carry = x >> 8;
        }
        if (carry || (first < 8 && out[0] >> first))
            return PK_EINVAL;
    }
    return 0;
}

int pk_wide_format(const uint8_t *v, unsigned nbits, char *buf, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    size_t nb = (nbits + 7) / 8, i = 0, pos = 2;
    while (i + 1 < nb && v[i] == 0)
        i++;
    if (n < 3 + 2 * (nb - i))
        return PK_ENOSPC;
    buf[0] = '0';
    buf[1] = 'x';
    for (size_t j = i; j < nb; j++) {
        if (j > i || v[j] >> 4)
            buf[pos++] = digits[v[j] >> 4];
        buf[pos++] = digits[v[j] & 15];
    }
    buf[pos] = '\0';
    return (int)pos;
}

/* ---- Fixed-size byte strings ---- */

void pk_fixed_write(struct pk_wr *w, size_t size, const uint8_t *v, size_t len)
{
    if (len > size) {
        if (!w->err)
            w->err = PK_EINVAL;
        return;
    }
    pk_wr_bytes(w, v, len);
    pk_wr_zeros(w, size - len);
}

size_t pk_fixed_trim(const uint8_t *v, size_t size)
{
    while (size > 0 && v[size - 1] == 0)
        size--;
    return size;
}
