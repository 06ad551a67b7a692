/*
 * ipv6.h - what the IPv6 family's descriptor files share: the
 * pseudo-header an extension header gives the transport above it, and
 * which ICMPv6 messages are neighbour discovery (keyed apart in sr).
 */
#ifndef PK_PROTO_IPV6_H
#define PK_PROTO_IPV6_H

#include "../pk.h"

extern struct pk_proto pk_proto_ipv6;

/* The unspecified address (::) and the loopback (::1): the defaults of
 * address fields, with .defp = PK_V6DEF(...). */
extern const uint8_t pk_ipv6_unspecified[16], pk_ipv6_loopback[16];
#define PK_V6DEF(a) (a), .deflen = 16

/* Entries of a descriptor's array. */
#define PK_NFIELDS(a) ((int)(sizeof (a) / sizeof (a)[0]))

/* The pseudo-header sum (RFC 8200 8.1) for a segment of seglen bytes of
 * protocol nh carried by l: the IPv6 header l is, or the nearest one
 * below the extension header l is. */
uint32_t pk_ipv6_pseudo(const struct pk_layer *l, const uint8_t *pkt,
                        size_t seglen, uint8_t nh);

/* The home address a destination options header gives the pseudo-header
 * as its source, or NULL (ipv6ext.c). */
const uint8_t *pk_ipv6_home_addr(const struct pk_layer *l);

/* Names of next-header values, as Scapy's ipv6nh. */
extern const struct pk_name pk_ipv6_nhs[];

/* The final destination a routing header l names (its last address
 * while segments are left), or NULL: l is no routing header, or names
 * none (ipv6ext.c). */
const uint8_t *pk_ipv6_final_dst(const struct pk_layer *l);

/* Whether p is a neighbour discovery message keyed apart in sr (RFC
 * 4861 4: router and neighbour solicitations and advertisements), and
 * whether p gives the IPv6 header below it its destination (all five). */
int pk_icmpv6_is_nd(const struct pk_proto *p);
int pk_icmpv6_sets_dst(const struct pk_proto *p);

#endif
