/*
 * names.h - value names shared by several protocols.
 */
#ifndef PK_NAMES_H
#define PK_NAMES_H

#include "../pk.h"

extern const struct pk_name pk_ethertypes[];    /* IEEE EtherType registry */
extern const struct pk_name pk_ipprotos[];      /* IANA protocol numbers */
extern const struct pk_name pk_hwtypes[];       /* ARP hardware types (ARP, BOOTP) */

#endif
