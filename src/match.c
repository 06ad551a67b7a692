/*
 * match.c - pairing replies with requests for sr(): a key both share,
 * to find candidates fast, and the per-protocol answers() check, both
 * driven by the descriptors' hooks (the rules follow Scapy's).
 */
#include <string.h>

#include "pknet.h"

size_t pk_key_put(uint8_t *key, size_t cap, uint64_t v, int bytes)
{
    if ((size_t)bytes > cap)
        return 0;
    for (int k = bytes - 1; k >= 0; k--, v >>= 8)
        key[k] = (uint8_t)v;
    return (size_t)bytes;
}

size_t pk_match_key(const struct pk_layer *ls, int n, uint8_t *key, size_t cap)
{
    size_t len = 0;
    for (int i = 0; i < n; i++)
        if (ls[i].proto->hashret)
            len += ls[i].proto->hashret(ls, i, n, key + len, cap - len);
    return len;
}

static int is_payload(const struct pk_proto *p)
{
    return p == &pk_proto_raw || p == &pk_proto_padding;
}

int pk_answers_from(const struct pk_layer *req, int i, int nreq,
                    const struct pk_layer *rep, int j, int nrep)
{
    if (i >= nreq || j >= nrep || is_payload(req[i].proto) || is_payload(rep[j].proto))
        return 1;
    if (rep[j].proto->answers)
        return rep[j].proto->answers(req, i, nreq, rep, j, nrep);
    if (req[i].proto != rep[j].proto)
        return 0;
    return pk_answers_from(req, i + 1, nreq, rep, j + 1, nrep);
}

/* The reply is matched from its first layer of the request's first
 * protocol: a layer-3 request against a captured frame skips Ether. */
int pk_answers(const struct pk_layer *req, int nreq, const struct pk_layer *rep,
               int nrep)
{
    if (nreq == 0)
        return 0;
    for (int j = 0; j < nrep; j++)
        if (rep[j].proto == req[0].proto)
            return pk_answers_from(req, 0, nreq, rep, j, nrep);
    return 0;
}
