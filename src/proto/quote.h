/*
 * quote.h - for the network-layer descriptors whose packets ICMP errors
 * quote (RFC 792, RFC 4443 3): whether a packet is such an error.
 */
#ifndef PK_PROTO_QUOTE_H
#define PK_PROTO_QUOTE_H

#include "../pk.h"

/* Whether the layer above ls[i] is an error message that quotes a
 * packet of ls[i]'s protocol. */
static inline int pk_carries_quote(const struct pk_layer *ls, int i, int n)
{
    return i + 2 < n && !ls[i + 1].proto->quoted &&
           ls[i + 2].proto->quoted == ls[i].proto;
}

#endif
