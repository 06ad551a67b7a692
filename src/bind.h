/*
 * bind.h - the layout of the bind classes, private to the core: the
 * registry fills them, and dissection looks keys up in them inline, once
 * per layer.
 */
#ifndef PK_BIND_H
#define PK_BIND_H

#include "pk.h"

struct pk_bindent {
    uint64_t value;
    const struct pk_proto *upper;
    int quote;
};

/* A key space of next-protocol fields and what is bound in it, in
 * registration order (the first protocol bound to a key wins, as the
 * first of Scapy's payload guesses does). */
struct pk_bindclass {
    char *name;
    int n, cap;
    struct pk_bindent *e;
};

/* What an entry of lower's class carries over it: inside a quote only
 * the quoted forms of plain binds (a quote does not nest), else the
 * protocol, or its quoted form where the bind begins a quote. */
static inline const struct pk_proto *pk_bind_carry(const struct pk_proto *lower,
                                                   const struct pk_bindent *e)
{
    if (lower->quoted)
        return e->quote ? NULL : e->upper->as_quote;
    return e->quote ? e->upper->as_quote : e->upper;
}

/* pk_bind_upper's work. */
static inline const struct pk_proto *pk_bind_next(const struct pk_layer *l)
{
    const struct pk_proto *p = l->proto;
    for (int s = 0; s < p->nsel; s++) {
        const struct pk_sel *sl = &p->sel[s];
        const struct pk_bindclass *c = sl->cls;
        uint64_t key = 0;
        if (sl->field >= 0) {
            if (!(l->present >> sl->field & 1))
                continue;
            key = l->v[sl->field].u;
        }
        for (int k = 0; k < c->n; k++)
            if (c->e[k].value == key)
                return pk_bind_carry(p, &c->e[k]);
    }
    return NULL;
}

/* What the class `peek` of lower carries under a first byte `key`. */
static inline const struct pk_proto *pk_bind_peek(const struct pk_proto *lower, uint8_t key)
{
    const struct pk_bindclass *c = lower->peekcls;
    for (int k = 0; k < c->n; k++)
        if (c->e[k].value == key)
            return pk_bind_carry(lower, &c->e[k]);
    return NULL;
}

#endif
