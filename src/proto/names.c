/*
 * names.c - names of EtherTypes, IP protocol numbers and hardware types,
 * spelled as Scapy prints them so that show() output reads the same.
 */
#include "names.h"

const struct pk_name pk_ethertypes[] = {
    { 0x0800, "IPv4" }, { 0x0806, "ARP" }, { 0x8035, "RARP" },
    { 0x8100, "n_802_1Q" }, { 0x86dd, "IPv6" }, { 0x8847, "MPLS" },
    { 0x88a8, "n_802_1AD" }, { 0x88cc, "LLDP" },
    { 0, NULL },
};

const struct pk_name pk_ipprotos[] = {
    { 0, "hopopt" }, { 1, "icmp" }, { 2, "igmp" }, { 4, "ipencap" },
    { 6, "tcp" }, { 17, "udp" }, { 41, "ipv6" }, { 47, "gre" },
    { 50, "esp" }, { 51, "ah" }, { 58, "ipv6_icmp" }, { 89, "ospf" },
    { 103, "pim" }, { 112, "vrrp" }, { 132, "sctp" },
    { 0, NULL },
};

const struct pk_name pk_hwtypes[] = {
    { 1, "Ethernet (10Mb)" }, { 6, "IEEE 802" }, { 0, NULL },
};
