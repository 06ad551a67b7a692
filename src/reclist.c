/*
 * reclist.c - fields that hold records of another protocol, one after
 * another (PK_RECORDS): each record is read as one layer of that
 * protocol by the dissector, so it is bounds-checked the same way, and
 * a record cut short ends the list.
 */
#include <string.h>

#include "pk.h"

size_t pk_record_read(const struct pk_proto *rec, const uint8_t *p, size_t len,
                      const struct pk_msg *msg, struct pk_layer *l)
{
    /* pk_dissect wants room for a layer and what may follow it */
    struct pk_layer ls[3];
    int n = pk_dissect_msg(rec, p, len, ls, 3, msg);
    if (n < 1 || (ls[0].proto != rec && ls[0].proto->variant_of != rec) ||
        ls[0].status != PK_LAYER_OK ||
        ls[0].hlen == 0 || ls[0].hlen > len)
        return 0;
    if (l)
        *l = ls[0];
    return ls[0].hlen;
}

int pk_records_walk(const struct pk_proto *rec, const uint8_t *p, size_t len,
                    uint64_t max, const struct pk_msg *msg, size_t *used)
{
    size_t pos = 0, k;
    int n = 0;
    while ((uint64_t)n < max && n < PK_MAXPKT && pos < len &&
           (k = pk_record_read(rec, p + pos, len - pos, msg, NULL)) > 0) {
        pos += k;
        n++;
    }
    *used = pos;
    return n;
}
