/*
 * registry.c - every protocol the core knows, for lookup by name.
 * Adding a protocol: write its descriptor file, then list it here.
 */
#include "../pk.h"

const struct pk_proto *const pk_protos[] = {
    &pk_proto_ether, &pk_proto_dot1q, &pk_proto_arp, &pk_proto_ip,
    &pk_proto_icmp, &pk_proto_udp, &pk_proto_tcp, &pk_proto_raw,
    &pk_proto_padding, &pk_proto_iperror, &pk_proto_icmperror,
    &pk_proto_udperror, &pk_proto_tcperror, &pk_proto_sll, &pk_proto_sll2,
    NULL,
};
