/*
 * dname.c - domain names (RFC 1035 3.1 and 4.1.4): reading a name out of
 * a whole message, following compression pointers within bounds, text
 * with Scapy's trailing dot, and writing with compression against names
 * already in the message.
 */
#include <stdio.h>

#include "codec.h"

int pk_dname_decode(const uint8_t *msg, size_t len, size_t off,
                    uint8_t name[PK_DNAME_MAX], size_t *used)
{
    uint16_t seen[PK_DNAME_MAXHOPS];
    int hops = 0;
    size_t nlen = 0;
    struct pk_rd r;

    *used = 0;
    if (off >= len)
        return PK_ETRUNC;
    pk_rd_init(&r, msg + off, len - off);
    for (;;) {
        uint8_t c = pk_rd_u8(&r);
        if (r.err)
            return PK_ETRUNC;
        if ((c & 0xc0) == 0xc0) {
            size_t to = (size_t)(c & 0x3f) << 8 | pk_rd_u8(&r);
            if (r.err)
                return PK_ETRUNC;
            if (hops == 0)                  /* the name ends at its first pointer */
                *used = (size_t)(r.p - (msg + off));
            if (to >= len)
                return PK_EPOINTER;
            /* a target seen before is a loop, whichever way it points */
            for (int i = 0; i < hops; i++)
                if (seen[i] == to)
                    return PK_ELOOP;
            if (hops == PK_DNAME_MAXHOPS)
                return PK_ELOOP;
            seen[hops++] = (uint16_t)to;
            pk_rd_init(&r, msg + to, len - to);
            continue;
        }
        if (c & 0xc0)
            return PK_ELABEL;
        if (nlen + 1 + c > PK_DNAME_MAX)
            return PK_ETOOLONG;
        name[nlen++] = c;
        if (c == 0)
            break;
        const uint8_t *label = pk_rd_bytes(&r, c);
        if (!label)
            return PK_ETRUNC;
        memcpy(name + nlen, label, c);
        nlen += c;
    }
    if (hops == 0)
        *used = (size_t)(r.p - (msg + off));
    return (int)nlen;
}

/* Whether name[0, nlen) is a well-formed wire name ending with the root. */
static int wire_ok(const uint8_t *name, size_t nlen)
{
    size_t pos = 0;
    if (nlen == 0 || nlen > PK_DNAME_MAX)
        return 0;
    while (pos < nlen && name[pos] != 0) {
        if (name[pos] > PK_DNAME_MAXLABEL)
            return 0;
        pos += 1u + name[pos];
    }
    return pos == nlen - 1;
}

int pk_dname_format(const uint8_t *name, size_t nlen, char *buf, size_t n)
{
    size_t pos = 0, out = 0;
    if (!wire_ok(name, nlen))
        return PK_EINVAL;
    if (name[0] == 0) {
        if (n < 2)
            return PK_ENOSPC;
        memcpy(buf, ".", 2);
        return 1;
    }
    while (name[pos] != 0) {
        size_t l = name[pos++];
        for (size_t i = 0; i < l; i++, pos++) {
            uint8_t c = name[pos];
            char esc[5];
            int k;
            if (c == '.' || c == '\\')
                k = snprintf(esc, sizeof esc, "\\%c", c);
            else if (c > 0x20 && c < 0x7f)
                k = snprintf(esc, sizeof esc, "%c", c);
            else
                k = snprintf(esc, sizeof esc, "\\%03u", c);
            if (out + (size_t)k + 1 > n)
                return PK_ENOSPC;
            memcpy(buf + out, esc, (size_t)k);
            out += (size_t)k;
        }
        if (out + 2 > n)
            return PK_ENOSPC;
        buf[out++] = '.';
    }
    buf[out] = '\0';
    return (int)out;
}

int pk_dname_parse(const char *s, uint8_t name[PK_DNAME_MAX])
{
    size_t nlen = 0, lab = 0;       /* lab: where the current label's length goes */

    if (s[0] == '.' && s[1] == '\0')
        s++;                        /* the root */
    name[0] = 0;
    while (*s) {
        unsigned c = (unsigned char)*s++;
        if (c == '.') {
            if (nlen == lab)        /* an empty label: "a..b", ".a" */
                return PK_EINVAL;
            if (*s == '\0')
                break;              /* the trailing dot is optional */
            lab = nlen;
            continue;
        }
        if (c == '\\') {
            if (s[0] >= '0' && s[0] <= '9') {
                if (!(s[1] >= '0' && s[1] <= '9' && s[2] >= '0' && s[2] <= '9'))
                    return PK_EINVAL;
                c = (unsigned)(s[0] - '0') * 100 + (unsigned)(s[1] - '0') * 10 +
                    (unsigned)(s[2] - '0');
                if (c > 255)
                    return PK_EINVAL;
                s += 3;
            } else if (*s) {
                c = (unsigned char)*s++;
            } else {
                return PK_EINVAL;
            }
        }
        if (nlen == lab)            /* a label starts */
            nlen++;
        /* the label, its byte, and the root's 0 must still fit */
        if (nlen - lab > PK_DNAME_MAXLABEL || nlen + 2 > PK_DNAME_MAX)
            return PK_ETOOLONG;
        name[nlen++] = (uint8_t)c;
        name[lab] = (uint8_t)(nlen - lab - 1);
    }
    name[nlen++] = 0;
    return (int)nlen;
}

/* Whether the name at msg[off] (the message written so far) is exactly
 * the wire name s[0, slen).  Byte for byte: matching case-insensitively
 * would change how a later name is spelled. */
static int same_name(const uint8_t *msg, size_t len, size_t off,
                     const uint8_t *s, size_t slen)
{
    uint8_t other[PK_DNAME_MAX];
    size_t used;
    int n = pk_dname_decode(msg, len, off, other, &used);
    return n >= 0 && (size_t)n == slen && memcmp(other, s, slen) == 0;
}

void pk_dname_encode(struct pk_wr *w, const uint8_t *name, size_t nlen,
                     struct pk_dname_comp *comp)
{
    size_t pos = 0;
    if (w->err)
        return;
    if (!wire_ok(name, nlen)) {
        w->err = PK_EINVAL;
        return;
    }
    while (name[pos] != 0) {
        for (int i = 0; comp && i < comp->n; i++)
            if (same_name(w->buf, w->len, comp->off[i], name + pos, nlen - pos)) {
                pk_wr_uint(w, 0xc000u | comp->off[i], 2);
                return;
            }
        size_t here = w->len;
        pk_wr_bytes(w, name + pos, 1u + name[pos]);
        if (comp && !w->err && here < 0x4000 && comp->n < PK_DNAME_MAXCOMP)
            comp->off[comp->n++] = (uint16_t)here;
        pos += 1u + name[pos];
    }
    pk_wr_uint(w, 0, 1);
}

long pk_dname_span(const uint8_t *msg, size_t mlen, size_t off)
{
    size_t at = off;
    while (at < mlen) {
        uint8_t c = msg[at];
        if ((c & 0xc0) == 0xc0)
            return at + 2 <= mlen ? (long)(at + 2 - off) : PK_ETRUNC;
        if (c & 0xc0)
            return PK_ELABEL;
        at += 1u + c;
        if (c == 0)
            return at - off > PK_DNAME_MAX ? PK_ETOOLONG : (long)(at - off);
    }
    return PK_ETRUNC;
}
