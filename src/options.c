/*
 * options.c - kind/length/value option lists as TCP (RFC 793, 7323,
 * 2018) and IPv4 (RFC 791) carry them: single-byte kinds, then kinds
 * with a length byte that counts kind and length.
 */
#include <string.h>

#include "pk.h"

const struct pk_optkind *pk_opt_kind(const struct pk_optkind *kinds, int kind)
{
    for (; kinds->name; kinds++)
        if (kinds->kind == kind)
            return kinds;
    return NULL;
}

const struct pk_optkind *pk_opt_named(const struct pk_optkind *kinds,
                                      const char *name)
{
    for (; kinds->name; kinds++)
        if (strcmp(kinds->name, name) == 0)
            return kinds;
    return NULL;
}

static int shape_of(const struct pk_optkind *k, const struct pk_opt *o)
{
    return (!k || o->raw) ? PK_OPT_RAW : k->shape;
}

static size_t value_len(const struct pk_optkind *k, const struct pk_opt *o)
{
    switch (shape_of(k, o)) {
    case PK_OPT_SINGLE: return 0;
    case PK_OPT_EMPTY:  return 0;
    case PK_OPT_U8:     return 1;
    case PK_OPT_U16:    return 2;
    case PK_OPT_U32S:   return 4u * o->nvals;
    default:            return o->len;
    }
}

/* Encodes n options; returns the byte count (unpadded) or < 0. */
int pk_opts_encode(const struct pk_optkind *kinds, const struct pk_opt *o,
                   int n, uint8_t *buf, size_t cap)
{
    size_t pos = 0;
    for (int i = 0; i < n; i++) {
        const struct pk_optkind *k = pk_opt_kind(kinds, o[i].kind);
        size_t vl = value_len(k, &o[i]);
        if (o[i].raw == PK_OPTRAW_MALFORMED) {  /* re-emit as it came */
            if (pos + 1 + o[i].len > cap)
                return PK_ENOSPC;
            buf[pos] = o[i].kind;
            if (o[i].len)
                memcpy(buf + pos + 1, o[i].data, o[i].len);
            pos += 1 + o[i].len;
            continue;
        }
        if (shape_of(k, &o[i]) == PK_OPT_SINGLE) {
            if (pos + 1 > cap)
                return PK_ENOSPC;
            buf[pos++] = o[i].kind;
            continue;
        }
        if (vl + 2 > 255)
            return PK_EINVAL;
        if (pos + 2 + vl > cap)
            return PK_ENOSPC;
        buf[pos] = o[i].kind;
        buf[pos + 1] = (uint8_t)(vl + 2);
        uint8_t *v = buf + pos + 2;
        switch (shape_of(k, &o[i])) {
        case PK_OPT_U8:
            v[0] = (uint8_t)o[i].vals[0];
            break;
        case PK_OPT_U16:
            pk_put16(v, (uint16_t)o[i].vals[0]);
            break;
        case PK_OPT_U32S:
            for (int j = 0; j < o[i].nvals; j++) {
                uint32_t x = o[i].vals[j];
                v[4 * j] = (uint8_t)(x >> 24);
                v[4 * j + 1] = (uint8_t)(x >> 16);
                v[4 * j + 2] = (uint8_t)(x >> 8);
                v[4 * j + 3] = (uint8_t)x;
            }
            break;
        case PK_OPT_RAW:
            if (vl)
                memcpy(v, o[i].data, vl);
            break;
        default:
            break;
        }
        pos += 2 + vl;
    }
    return (int)pos;
}

static int all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return 0;
    return 1;
}

/* Decodes up to max options.  A value of the wrong size for its kind is
 * kept raw; a length that is malformed or runs past the end keeps all
 * the remaining bytes raw and ends the list. */
int pk_opts_decode(const struct pk_optkind *kinds, const uint8_t *p,
                   size_t len, struct pk_opt *o, int max)
{
    size_t pos = 0;
    int n = 0;
    while (pos < len && n < max) {
        const struct pk_optkind *k = pk_opt_kind(kinds, p[pos]);
        struct pk_opt *op = &o[n++];
        memset(op, 0, sizeof *op);
        op->kind = p[pos];
        if (k && k->shape == PK_OPT_SINGLE) {
            pos++;
            /* End of list: what follows is the zero fill that aligns the
             * header, which building pads back; only when it does (a
             * whole header: cut or quoted ones keep every byte) */
            if (op->kind == 0 && len % 4 == 0 && len - pos < 4 &&
                all_zero(p + pos, len - pos))
                return n;
            continue;
        }
        size_t ol = pos + 1 < len ? p[pos + 1] : 0;
        if (ol < 2 || ol > len - pos) {         /* malformed: keep the rest */
            op->raw = PK_OPTRAW_MALFORMED;
            op->data = p + pos + 1;
            op->len = (uint32_t)(len - pos - 1);
            return n;
        }
        const uint8_t *v = p + pos + 2;
        size_t vl = ol - 2;
        int shape = k ? k->shape : PK_OPT_RAW;
        if ((shape == PK_OPT_EMPTY && vl != 0) ||
            (shape == PK_OPT_U8 && vl != 1) ||
            (shape == PK_OPT_U16 && vl != 2) ||
            (shape == PK_OPT_U32S && (vl % 4 || vl / 4 > PK_OPT_MAXVALS ||
                                      (k->nvals && vl / 4 != k->nvals))))
            shape = PK_OPT_RAW;
        switch (shape) {
        case PK_OPT_U8:
            op->nvals = 1;
            op->vals[0] = v[0];
            break;
        case PK_OPT_U16:
            op->nvals = 1;
            op->vals[0] = pk_get16(v);
            break;
        case PK_OPT_U32S:
            op->nvals = (uint8_t)(vl / 4);
            for (size_t j = 0; j < vl / 4; j++)
                op->vals[j] = (uint32_t)v[4 * j] << 24 | (uint32_t)v[4 * j + 1] << 16 |
                              (uint32_t)v[4 * j + 2] << 8 | v[4 * j + 3];
            break;
        case PK_OPT_RAW:
            op->raw = PK_OPTRAW_VALUE;
            op->data = v;
            op->len = (uint32_t)vl;
            break;
        default:
            break;
        }
        pos += ol;
    }
    return n;
}
