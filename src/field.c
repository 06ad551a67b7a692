/*
 * field.c - field values of a layer: defaults, names of enumerated
 * values and flags, address parsing and formatting.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include "pk.h"

void pk_layer_init(struct pk_layer *l, const struct pk_proto *p)
{
    /* the values of the protocol's fields only: no code reads past
     * them, and most protocols have far fewer than PK_MAXFIELDS */
    int n = p && p->nfields > 0 && p->nfields <= PK_MAXFIELDS ? p->nfields : PK_MAXFIELDS;
    memset(l, 0, offsetof(struct pk_layer, v) + (size_t)n * sizeof l->v[0]);
    l->proto = p;
}

size_t pk_field_width(const struct pk_layer *l, int f)
{
    const struct pk_field *fd = &l->proto->fields[f];
    size_t len;
    if (fd->bits)
        return fd->bits;
    len = pk_layer_p(l, f).len;
    if (fd->flags & PK_FF_PAD4)
        len += (4 - len % 4) % 4;
    return len * 8;
}

size_t pk_field_end(const struct pk_layer *l, int f)
{
    size_t bit = 0;
    for (int i = 0; i <= f; i++)
        if (l->present >> i & 1)
            bit += pk_field_width(l, i);
    return bit;
}

int pk_field_delimited(const struct pk_proto *p, int f)
{
    const struct pk_field *fd = &p->fields[f];
    return fd->type == PK_DNAME || pk_field_measured_by(p, f) >= 0 ||
           (fd->type == PK_RECORDS && fd->count && f != p->nfields - 1);
}

int pk_field_measures(const struct pk_proto *p, int f)
{
    const struct pk_field *fd = &p->fields[f];
    return fd->role == PK_ROLE_LEN && (fd->cover & PK_COVER_FIELD) ? fd->of - 1 : -1;
}

/* A length measures the field it names and the variants of it: fields
 * of the same name, one of which a header has (DNS's rdata). */
int pk_field_measured_by(const struct pk_proto *p, int f)
{
    for (int m = 0; m < f; m++) {
        int of = pk_field_measures(p, m);
        if (of >= 0 && (of == f || strcmp(p->fields[of].name, p->fields[f].name) == 0))
            return m;
    }
    return -1;
}

int pk_field_variant(const struct pk_layer *l, int f)
{
    const struct pk_proto *p = l->proto;
    for (int g = f; g < p->nfields; g++)
        if ((l->present >> g & 1) && strcmp(p->fields[g].name, p->fields[f].name) == 0)
            return g;
    return f;
}

static const struct pk_name *names_of(const struct pk_layer *l, int f)
{
    const struct pk_field *fd = &l->proto->fields[f];
    if (fd->depnames) {
        uint64_t key = pk_layer_u(l, fd->dep);
        for (const struct pk_depnames *d = fd->depnames; d->names; d++)
            if (d->key == key)
                return d->names;
        return NULL;
    }
    return fd->type == PK_INT ? fd->names : NULL;
}

/* The name of value v of field f, or NULL. */
const char *pk_field_valname(const struct pk_layer *l, int f, uint64_t v)
{
    const struct pk_name *n = names_of(l, f);
    for (; n && n->name; n++)
        if (n->value == v)
            return n->name;
    return NULL;
}

int pk_field_namedval(const struct pk_layer *l, int f, const char *name,
                      uint64_t *v)
{
    const struct pk_name *n = names_of(l, f);
    for (; n && n->name; n++)
        if (strcmp(n->name, name) == 0) {
            *v = n->value;
            return 0;
        }
    return PK_EINVAL;
}

/* Flag names of one character concatenate ("SA"); longer ones join
 * with '+' ("MF+DF"), as Scapy prints them. */
static int flags_short(const struct pk_field *f)
{
    for (const struct pk_name *n = f->names; n->name; n++)
        if (strlen(n->name) != 1)
            return 0;
    return 1;
}

int pk_flags_format(const struct pk_field *f, uint64_t v, char *buf, size_t n)
{
    size_t k = 0;
    int sep = !flags_short(f);
    buf[0] = '\0';
    for (const struct pk_name *nm = f->names; nm->name; nm++) {
        if (!(v >> nm->value & 1))
            continue;
        int w = snprintf(buf + k, n - k, "%s%s", (sep && k) ? "+" : "", nm->name);
        if (w < 0 || (size_t)w >= n - k)
            return PK_ENOSPC;
        k += (size_t)w;
        v &= ~(UINT64_C(1) << nm->value);
    }
    if (v) {    /* bits without a name */
        int w = snprintf(buf + k, n - k, "%s0x%llx", k ? "+" : "",
                         (unsigned long long)v);
        if (w < 0 || (size_t)w >= n - k)
            return PK_ENOSPC;
        k += (size_t)w;
    }
    return (int)k;
}

/* Accepts "SA", "MF+DF", "DF", "" (none). */
int pk_flags_parse(const struct pk_field *f, const char *s, uint64_t *v)
{
    int single = flags_short(f);
    uint64_t r = 0;
    while (*s) {
        const struct pk_name *hit = NULL;
        size_t len = 0;
        if (*s == '+' || *s == ' ' || *s == '|') {
            s++;
            continue;
        }
        for (const struct pk_name *nm = f->names; nm->name; nm++) {
            size_t nl = strlen(nm->name);
            if (single ? *s == nm->name[0]
                       : (strncmp(s, nm->name, nl) == 0 &&
                          (s[nl] == '\0' || s[nl] == '+' || s[nl] == ' ' ||
                           s[nl] == '|'))) {
                hit = nm;
                len = single ? 1 : nl;
                break;
            }
        }
        if (!hit)
            return PK_EINVAL;
        r |= UINT64_C(1) << hit->value;
        s += len;
    }
    *v = r;
    return 0;
}

/* Strict dotted quad: four decimal parts 0..255, nothing else. */
int pk_ipv4_parse(const char *s, uint32_t *a)
{
    uint32_t r = 0;
    for (int part = 0; part < 4; part++) {
        unsigned v = 0;
        int digits = 0;
        while (*s >= '0' && *s <= '9') {
            v = v * 10 + (unsigned)(*s++ - '0');
            if (++digits > 3 || v > 255)
                return PK_EINVAL;
        }
        if (digits == 0)
            return PK_EINVAL;
        r = r << 8 | v;
        if (part < 3 && *s++ != '.')
            return PK_EINVAL;
    }
    if (*s)
        return PK_EINVAL;
    *a = r;
    return 0;
}

/* By hand: dissecting formats addresses often, and snprintf costs ten
 * times this. */
void pk_ipv4_format(uint32_t a, char *buf)
{
    for (int shift = 24; shift >= 0; shift -= 8) {
        unsigned b = a >> shift & 255;
        if (b >= 100)
            *buf++ = (char)('0' + b / 100);
        if (b >= 10)
            *buf++ = (char)('0' + b / 10 % 10);
        *buf++ = (char)('0' + b % 10);
        *buf++ = shift ? '.' : '\0';
    }
}

/* The value of hex digit c, or -1 (shared with codec.c). */
int pk_hexdigit(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Six hex pairs separated by ':' or '-'. */
int pk_mac_parse(const char *s, uint64_t *m)
{
    uint64_t r = 0;
    for (int i = 0; i < 6; i++) {
        int hi = pk_hexdigit(s[0]), lo = hi < 0 ? -1 : pk_hexdigit(s[1]);
        if (hi < 0 || lo < 0)
            return PK_EINVAL;
        r = r << 8 | (uint64_t)(hi << 4 | lo);
        s += 2;
        if (i < 5 && *s != ':' && *s != '-')
            return PK_EINVAL;
        if (i < 5)
            s++;
    }
    if (*s)
        return PK_EINVAL;
    *m = r;
    return 0;
}

void pk_mac_format(uint64_t m, char *buf)
{
    static const char hex[] = "0123456789abcdef";
    for (int i = 0, shift = 40; shift >= 0; shift -= 8, i += 3) {
        buf[i] = hex[m >> (shift + 4) & 15];
        buf[i + 1] = hex[m >> shift & 15];
        buf[i + 2] = shift ? ':' : '\0';
    }
}

int pk_ipv6_parse(const char *s, uint8_t a[16])
{
    return inet_pton(AF_INET6, s, a) == 1 ? 0 : PK_EINVAL;
}

void pk_ipv6_format(const uint8_t a[16], char *buf)
{
    if (!inet_ntop(AF_INET6, a, buf, 46))
        buf[0] = '\0';
}

/* The value as show() prints it: names for enumerations and flags,
 * dotted or colon notation for addresses, hex where the field says. */
int pk_field_format(const struct pk_layer *l, int f, char *buf, size_t n)
{
    const struct pk_field *fd = &l->proto->fields[f];
    uint64_t u = pk_layer_u(l, f);
    const char *nm;
    char tmp[64];

    switch (fd->type) {
    case PK_MAC:
        pk_mac_format(u, tmp);
        return snprintf(buf, n, "%s", tmp);
    case PK_IPV4:
        pk_ipv4_format((uint32_t)u, tmp);
        return snprintf(buf, n, "%s", tmp);
    case PK_IPV6:
        if (l->v[f].p && l->v[f].len == 16)
            pk_ipv6_format(l->v[f].p, tmp);
        else
            snprintf(tmp, sizeof tmp, "::");
        return snprintf(buf, n, "%s", tmp);
    case PK_FLAGS:
        return pk_flags_format(fd, u, buf, n);
    case PK_INT:
        if ((nm = pk_field_valname(l, f, u)) != NULL)
            return snprintf(buf, n, "%s", nm);
        if (fd->flags & PK_FF_HEX)
            return snprintf(buf, n, "0x%llx", (unsigned long long)u);
        return snprintf(buf, n, "%llu", (unsigned long long)u);
    case PK_WIDE: {             /* 0x and every digit: its width shows */
        size_t w = fd->bits / 8, len = l->v[f].len;
        const uint8_t *p = l->v[f].p;
        if (n > 0)
            buf[0] = '\0';
        if (n >= 3)
            memcpy(buf, "0x", 3);
        for (size_t i = 0; i < w && 2 * i + 4 < n; i++)
            snprintf(buf + 2 + 2 * i, 3, "%02x", p && len == w ? p[i] : 0);
        return (int)(2 + 2 * w);
    }
    default:
        return snprintf(buf, n, "<%u bytes>", (unsigned)l->v[f].len);
    }
}
