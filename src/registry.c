/*
 * registry.c - the protocols the core knows, registered at run time: the
 * built-ins of proto/builtin.def on first use, others when a program
 * declares them.  Registering gives a protocol its id, enters the binds
 * it declares in their bind classes, and makes the quoted form of a
 * protocol an ICMP error may quote (IPerror from IP).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bind.h"

#define PK_PROTO(x) extern struct pk_proto pk_proto_##x;
#include "proto/builtin.def"
#undef PK_PROTO

static struct {
    const struct pk_proto **byid;   /* id - 1 -> protocol */
    int n, cap;
    struct pk_bindclass **cls;
    int ncls, capcls;
    int ready;
} R;

/* Array a of *cap items of `size` bytes with room for `need`: a itself,
 * or a larger copy (and *cap updated), or NULL when memory runs out. */
static void *grow(void *a, int *cap, int need, size_t size)
{
    int c = *cap ? *cap : 8;
    if (need <= *cap)
        return a;
    while (c < need)
        c *= 2;
    if ((a = realloc(a, (size_t)c * size)) != NULL)
        *cap = c;
    return a;
}

static void builtins(void)
{
    const char *why = NULL;
    R.ready = 1;
#define PK_PROTO(x)                                                         \
    if (pk_proto_register(&pk_proto_##x, &why) < 0) {                      \
        fprintf(stderr, "pktlua: built-in protocol %s: %s\n",              \
                pk_proto_##x.name, why);                                    \
        abort();                                                            \
    }
#include "proto/builtin.def"
#undef PK_PROTO
}

void pk_registry_init(void)
{
    if (!R.ready)
        builtins();
}

struct pk_bindclass *pk_bindclass_find(const char *name)
{
    pk_registry_init();
    for (int i = 0; i < R.ncls; i++)
        if (strcmp(R.cls[i]->name, name) == 0)
            return R.cls[i];
    return NULL;
}

/* The class called name, made when it is first named (by a lower
 * layer's field or an upper layer's bind, whichever comes first). */
static struct pk_bindclass *intern(const char *name)
{
    struct pk_bindclass *c = pk_bindclass_find(name), **cls;
    if (c)
        return c;
    if ((cls = grow(R.cls, &R.capcls, R.ncls + 1, sizeof *R.cls)) == NULL)
        return NULL;
    R.cls = cls;
    if ((c = calloc(1, sizeof *c)) == NULL)
        return NULL;
    if ((c->name = strdup(name)) == NULL) {
        free(c);
        return NULL;
    }
    R.cls[R.ncls++] = c;
    return c;
}

const char *pk_bindclass_name(const struct pk_bindclass *c) { return c->name; }
int pk_bindclass_count(const struct pk_bindclass *c) { return c->n; }

const struct pk_proto *pk_bindclass_get(const struct pk_bindclass *c, int i,
                                        uint64_t *value)
{
    if (i < 0 || i >= c->n)
        return NULL;
    *value = c->e[i].value;
    return c->e[i].upper;
}

const struct pk_proto *pk_proto_byid(int id)
{
    pk_registry_init();
    return id >= 1 && id <= R.n ? R.byid[id - 1] : NULL;
}

int pk_proto_count(void)
{
    pk_registry_init();
    return R.n;
}

int pk_proto_id(const struct pk_proto *p)
{
    pk_registry_init();
    return p->id;
}

const struct pk_proto *pk_proto_find(const char *name)
{
    pk_registry_init();
    for (int i = 0; i < R.n; i++)
        if (strcmp(R.byid[i]->name, name) == 0)
            return R.byid[i];
    return NULL;
}

int pk_field_find(const struct pk_proto *p, const char *name)
{
    for (int i = 0; i < p->nfields; i++)
        if (p->fields[i].name[0] == name[0] && strcmp(p->fields[i].name, name) == 0)
            return i;
    return -1;
}

/* ---- binds --------------------------------------------------------- */

const struct pk_proto *pk_bind_carried(const struct pk_proto *lower,
                                       const struct pk_bindclass *c, int i,
                                       uint64_t *value)
{
    if (i < 0 || i >= c->n)
        return NULL;
    *value = c->e[i].value;
    return pk_bind_carry(lower, &c->e[i]);
}

const struct pk_proto *pk_bind_upper(const struct pk_layer *l)
{
    return pk_bind_next(l);
}

int pk_bind_key(const struct pk_proto *lower, const struct pk_sel *s,
                const struct pk_proto *upper, uint64_t *v)
{
    const struct pk_bindclass *c = s->cls;
    for (int k = 0; k < c->n; k++)
        if (pk_bind_carry(lower, &c->e[k]) == upper) {
            *v = c->e[k].value;
            return 1;
        }
    return 0;
}

int pk_bind_fill(const struct pk_proto *lower, int f, const struct pk_proto *upper,
                 uint64_t *v)
{
    int fl = lower->fields[f].flags;
    if ((fl & PK_FF_ALT) || (!(fl & PK_FF_AUTO) && upper->quoted))
        return 0;
    for (int s = 0; s < lower->nsel; s++)
        if (lower->sel[s].field == f)
            return pk_bind_key(lower, &lower->sel[s], upper, v);
    return 0;
}

/* ---- registration -------------------------------------------------- */

static const char *check_field(const struct pk_field *fd)
{
    if (!fd->name || !fd->name[0])
        return "a field has no name";
    if (fd->type > PK_WIDE)
        return "a field has an unknown type";
    if (fd->type == PK_IPV6 ? fd->bits != 128
        : fd->type == PK_FIXED ? fd->bits == 0 || fd->bits % 8 != 0 || fd->bits > 8 * 1024
        : fd->type == PK_WIDE ? fd->bits <= 64 || fd->bits % 8 != 0 || fd->bits > 1024
        : fd->bits > 64 || (fd->bits == 0) != (fd->type == PK_BYTES ||
                                               fd->type == PK_RECORDS || fd->type == PK_DNAME ||
                                               fd->type == PK_TLV || fd->type == PK_STRS ||
                                               fd->type == PK_IPV6S))
        return "a field's width does not fit its type";
    if ((fd->type == PK_RECORDS) != (fd->rec != NULL) || (fd->rec && !fd->rec->id))
        return "a list of records names a registered protocol, and only it does";
    if ((fd->type == PK_TLV) != (fd->fam != NULL))
        return "an option list names its TLV family, and only it does";
    if (fd->defp && !pk_field_isptr(fd))
        return "a byte default belongs to a field of bytes";
    switch (fd->role) {
    case PK_ROLE_NONE:
    case PK_ROLE_SRC:
    case PK_ROLE_DST:
        return NULL;
    case PK_ROLE_LEN:
        if (fd->type != PK_INT || fd->bits == 0)
            return "a length is an integer field";
        if ((fd->cover & (PK_COVER_FIELD | PK_COVER_AFTER))
            ? (fd->cover != PK_COVER_FIELD && fd->cover != PK_COVER_AFTER) ||
              ((fd->cover & PK_COVER_FIELD) && fd->of == 0) || fd->bits % 8
            : !(fd->cover & (PK_COVER_HDR | PK_COVER_PAYLOAD)) || (fd->cover & PK_COVER_PSEUDO))
            return "a length covers the header, the payload, both, or one field";
        return NULL;
    case PK_ROLE_CHKSUM:
        if (fd->type != PK_INT || fd->bits != 16)
            return "a checksum is a 16-bit integer field";
        if (!(fd->cover & PK_COVER_HDR))
            return "a checksum covers its own header";
        return NULL;
    case PK_ROLE_NEXT:
        if (fd->type != PK_INT || fd->bits == 0 || !fd->cls)
            return "a next-protocol field is an integer with a bind class";
        return NULL;
    default:
        return "a field has an unknown role";
    }
}

/* Whether undelimited variable field f may stand before the last: it
 * and the fields after it are variants of which a header has one. */
static int after_tail(const struct pk_proto *p, int f)
{
    for (int g = f; g < p->nfields; g++)
        if (!p->fields[g].present && g != p->nfields - 1)
            return 0;
    return f == p->nfields - 1 || p->fields[f].present != NULL;
}

static const char *check_proto(const struct pk_proto *p)
{
    const char *why;
    int hdr = 0, tot = 0;
    unsigned bit = 0;           /* where a field starts, until a variable one */
    if (!p->name || !p->name[0] || !p->longname)
        return "a protocol needs a name and a long name";
    if (p->nfields < 1 || p->nfields > PK_MAXFIELDS || !p->fields)
        return "a protocol has 1 to 20 fields";
    if (p->message < 0 || p->message > p->nfields)
        return "a message starts at one of the protocol's fields";
    if (p->id || p->quoted)
        return "this descriptor is registered already";
    for (int f = 0; f < p->nfields; f++) {
        const struct pk_field *fd = &p->fields[f];
        if ((why = check_field(fd)) != NULL)
            return why;
        if (fd->bits == 0 && !pk_field_delimited(p, f) && !after_tail(p, f))
            return "a variable field that takes the rest of its header comes last, "
                   "or it and every field after it are conditional";
        if (pk_field_measures(p, f) >= 0 &&
            (fd->of - 1 <= f || fd->of > p->nfields || p->fields[fd->of - 1].bits != 0 ||
             pk_field_measured_by(p, fd->of - 1) != f))
            return "a length of one field measures one variable field after it";
        if (fd->role == PK_ROLE_LEN && !(fd->cover & PK_COVER_FIELD) &&
            (fd->cover == PK_COVER_HDR || fd->cover == PK_COVER_AFTER ? ++hdr : ++tot) > 1)
            return "a protocol has at most one header length and one total length";
        if (f == p->message - 1 && fd->bits % 8)
            return "a message starts on a byte";
        if (pk_field_isptr(fd) && bit % 8)
            return "a field of bytes (an address, a fixed size, a wide integer) starts on a byte";
        bit = fd->bits ? bit + fd->bits : 0;
        if (fd->type == PK_RECORDS && fd->count &&
            (fd->count > f || p->fields[fd->count - 1].type != PK_INT ||
             p->fields[fd->count - 1].bits == 0 ||
             !(p->fields[fd->count - 1].flags & PK_FF_COUNT)))
            return "a count of records is an integer field before them, marked as a count";
    }
    for (int b = 0; b < p->nbinds; b++)
        if (!p->binds[b].cls)
            return "a bind names no class";
    return NULL;
}

/* Next-protocol selectors: its fields in order, then the class of a
 * payload no field selects, then the PK_FF_ALT fields. */
static struct pk_sel *make_sel(const struct pk_proto *p, int *n)
{
    struct pk_sel *s = calloc((size_t)p->nfields + 1, sizeof *s);
    *n = 0;
    if (!s)
        return NULL;
    for (int pass = 0; pass < 3; pass++) {
        if (pass == 1) {
            if (p->payload_cls && (s[*n].cls = intern(p->payload_cls)) == NULL)
                return free(s), NULL;
            if (p->payload_cls)
                s[(*n)++].field = -1;
            continue;
        }
        for (int f = 0; f < p->nfields; f++) {
            const struct pk_field *fd = &p->fields[f];
            if (fd->role != PK_ROLE_NEXT || !(fd->flags & PK_FF_ALT) != (pass == 0))
                continue;
            if ((s[*n].cls = intern(fd->cls)) == NULL)
                return free(s), NULL;
            s[(*n)++].field = f;
        }
    }
    return s;
}

/* Lengths first, then checksums, which cover them; each with its bit
 * offset when no conditional field comes before it.  Also notes which
 * fields give the header's length, the total length and the tail. */
static struct pk_rolefield *make_roles(struct pk_proto *p, int *n)
{
    struct pk_rolefield *r = calloc((size_t)p->nfields, sizeof *r);
    *n = 0;
    p->hdrlen = p->totlen = p->tail = 0;
    /* the tail: a variable field that nothing else delimits */
    p->delimited = 0;
    for (int f = 0; f < p->nfields; f++) {
        if (p->fields[f].bits == 0 && pk_field_delimited(p, f))
            p->delimited |= UINT32_C(1) << f;
        else if (p->fields[f].bits == 0 && !p->tail)
            p->tail = f + 1;
    }
    if (!r)
        return NULL;
    for (int pass = 0; pass < 2; pass++) {
        int bit = 0;
        for (int f = 0; f < p->nfields; f++) {
            const struct pk_field *fd = &p->fields[f];
            if (fd->role == (pass ? PK_ROLE_CHKSUM : PK_ROLE_LEN)) {
                r[*n].field = f;
                r[(*n)++].bitoff = bit;
                if (fd->role == PK_ROLE_LEN &&
                    (fd->cover == PK_COVER_HDR || fd->cover == PK_COVER_AFTER))
                    p->hdrlen = f + 1;
                else if (fd->role == PK_ROLE_LEN && !(fd->cover & PK_COVER_FIELD))
                    p->totlen = f + 1;
            }
            bit = (bit < 0 || fd->present || fd->bits == 0) ? -1 : bit + fd->bits;
        }
    }
    return r;
}

/* The quoted form of p: the same descriptor under Scapy's name for it
 * (IPerror, "IP in ICMP"), without a summary, answering as a quote. */
static struct pk_proto *make_quoted(const struct pk_proto *p)
{
    size_t nl = strlen(p->name), ll = strlen(p->longname);
    struct pk_proto *q = calloc(1, sizeof *q + nl + 6 + ll + 9);
    char *name = (char *)(q + 1), *longname = name + nl + 6;
    if (!q)
        return NULL;
    *q = *p;
    memcpy(name, p->name, nl);
    memcpy(name + nl, "error", 6);
    memcpy(longname, p->longname, ll);
    memcpy(longname + ll, " in ICMP", 9);
    q->name = name;
    q->longname = longname;
    q->summary = NULL;
    q->binds = NULL;
    q->nbinds = 0;
    q->quotable = 0;
    q->answers = p->quote_answers;
    q->quote_answers = NULL;
    q->quoted = p;
    return q;
}

static void enter(struct pk_proto *p)
{
    R.byid[R.n++] = p;
    p->id = R.n;
}

int pk_proto_register(struct pk_proto *p, const char **why)
{
    const char *dummy;
    struct pk_sel *sel = NULL;
    struct pk_rolefield *roles = NULL;
    struct pk_proto *quoted = NULL;
    const struct pk_proto **byid;
    int nsel, nroles;

    if (!why)
        why = &dummy;
    pk_registry_init();
    if ((*why = check_proto(p)) != NULL)
        return PK_EINVAL;
    if (pk_proto_find(p->name)) {
        *why = "a protocol of that name is registered";
        return PK_EEXIST;
    }
    /* everything that can fail first, so a failure leaves no trace but
     * classes named and empty */
    *why = "out of memory";
    for (int b = 0; b < p->nbinds; b++) {
        struct pk_bindclass *c = intern(p->binds[b].cls);
        struct pk_bindent *e = c ? grow(c->e, &c->cap, c->n + p->nbinds, sizeof *c->e) : NULL;
        if (!e)
            return PK_EINVAL;
        c->e = e;
    }
    byid = grow(R.byid, &R.cap, R.n + 2, sizeof *R.byid);
    if (byid)
        R.byid = byid;
    if (p->peek && (p->peekcls = intern(p->peek)) == NULL)
        return PK_EINVAL;
    if (!byid || (sel = make_sel(p, &nsel)) == NULL ||
        (roles = make_roles(p, &nroles)) == NULL ||
        (p->quotable && (quoted = make_quoted(p)) == NULL)) {
        free(sel);
        free(roles);
        return PK_EINVAL;
    }
    if (quoted && pk_proto_find(quoted->name)) {
        free(sel);
        free(roles);
        free(quoted);
        *why = "the name of its quoted form is taken";
        return PK_EEXIST;
    }
    *why = NULL;
    p->sel = sel;
    p->nsel = nsel;
    p->roles = roles;
    p->nroles = nroles;
    for (int b = 0; b < p->nbinds; b++) {
        struct pk_bindclass *c = intern(p->binds[b].cls);
        struct pk_bindent *e = &c->e[c->n++];
        e->value = p->binds[b].value;
        e->upper = p;
        e->quote = p->binds[b].quote;
    }
    enter(p);
    if (quoted) {
        quoted->sel = sel;
        quoted->nsel = nsel;
        quoted->roles = roles;
        quoted->nroles = nroles;
        quoted->hdrlen = p->hdrlen;
        quoted->totlen = p->totlen;
        quoted->tail = p->tail;
        quoted->delimited = p->delimited;
        enter(quoted);
        p->as_quote = quoted;
    }
    return p->id;
}
