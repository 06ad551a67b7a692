/*
 * icmpv6.h - the head every ICMPv6 message shares (RFC 4443 2.1): type,
 * code and a checksum over the IPv6 pseudo-header, named as Scapy names
 * them; the ICMPv6 descriptor files include it.
 */
#ifndef PK_PROTO_ICMPV6_H
#define PK_PROTO_ICMPV6_H

#include "ipv6.h"

extern const struct pk_name pk_icmpv6_types[];

enum { ICMPV6_TYPE, ICMPV6_CODE, ICMPV6_CKSUM };

/* The type (its bind class lets the errors carry their quote), the code
 * with its names, the checksum. */
#define PK_ICMPV6_HEAD(deftype, codenames)                                   \
    { .name = "type", .type = PK_INT, .bits = 8, .def = (deftype),          \
      .names = pk_icmpv6_types, .role = PK_ROLE_NEXT, .cls = "icmpv6.type" }, \
    { .name = "code", .type = PK_INT, .bits = 8, .names = (codenames) },    \
    { .name = "cksum", .type = PK_INT, .bits = 16, .flags = PK_FF_AUTO | PK_FF_HEX, \
      .role = PK_ROLE_CHKSUM,                                               \
      .cover = PK_COVER_HDR | PK_COVER_PAYLOAD | PK_COVER_PSEUDO }

/* The protocol of an ICMPv6 message of type t; ICMPv6Unknown when none. */
const struct pk_proto *pk_icmpv6_bytype(uint64_t t);
/* Every ICMPv6 message is carried as IPv6 next header 58, and found
 * there by its type. */
const struct pk_proto *pk_icmpv6_dispatch(const struct pk_layer *l);
extern const struct pk_bind pk_icmpv6_binds[];

#endif
