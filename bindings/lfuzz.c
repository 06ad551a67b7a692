/*
 * lfuzz.c - Scapy's fuzz(): random values for a layer's unset fields,
 * drawn again each time the packet is built.  Which fields is policy
 * (pkt/tools.lua chooses them); drawing a value of each kind is here.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <lua.h>

#include "lpkt.h"

/* xorshift64*, seeded once from the kernel: varied test input, not
 * secrets.  Its state holds no packet data. */
static uint64_t state;

static uint64_t next_random(void)
{
    if (state == 0) {
        FILE *f = fopen("/dev/urandom", "rb");
        if (f == NULL || fread(&state, sizeof state, 1, f) != 1) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            state = (uint64_t)ts.tv_sec * 1000000007u ^ (uint64_t)ts.tv_nsec ^
                    (uint64_t)getpid() << 32;
        }
        if (f != NULL)
            fclose(f);
        if (state == 0)
            state = UINT64_C(0x9e3779b97f4a7c15);
    }
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return state * UINT64_C(0x2545f4914f6cdd1d);
}

/* n random bytes in a buffer left on L's stack, which keeps it until
 * the build that uses it is done. */
static const uint8_t *random_bytes(lua_State *L, size_t n)
{
    uint8_t *b = lua_newuserdatauv(L, n ? n : 1, 0);
    for (size_t i = 0; i < n; i += 8) {
        uint64_t r = next_random();
        memcpy(b + i, &r, n - i < 8 ? n - i : 8);
    }
    return b;
}

/* Gives l's unset fields in mask random values, in order, so that each
 * is drawn only if the fields before it make it present (ICMP's id under
 * a random type).  A next-protocol field that the layer above (`above`,
 * NULL at the top) is bound by keeps that layer's value, as Scapy's
 * overloaded fields do (IP's proto under UDP, UDP's dport under DNS).  A
 * byte string is 0 to 1200 random bytes, Scapy's length for a fuzzed
 * string; option lists and records keep their values. */
void pk_lua_fuzz(lua_State *L, struct pk_layer *l, uint32_t mask, const struct pk_proto *above,
                 const struct pk_draws *d)
{
    const struct pk_proto *p = l->proto;
    for (int f = 0; f < p->nfields; f++) {
        const struct pk_field *fd = &p->fields[f];
        uint64_t bound;
        int ruled = d && (d->ruled >> f & 1);
        if (!(mask >> f & 1) || ((l->set >> f & 1) && !ruled) || !pk_field_present(l, f) ||
            (fd->role == PK_ROLE_NEXT && above && pk_bind_fill(p, f, above, &bound)))
            continue;
        switch (fd->type) {
        case PK_INT:
        case PK_FLAGS:
        case PK_MAC:
        case PK_IPV4:
            if (ruled)
                pk_layer_setu(l, f, (d->base[f] | (next_random() & d->rnd[f])) & pk_field_max(fd));
            else if (fd->bits > 0)
                pk_layer_setu(l, f, next_random() & pk_field_max(fd));
            break;
        case PK_IPV6:
        case PK_WIDE:
            pk_layer_setp(l, f, random_bytes(L, fd->bits / 8u), fd->bits / 8u);
            break;
        case PK_BYTES: {
            uint32_t len = (uint32_t)(next_random() % 1201);
            pk_layer_setp(l, f, random_bytes(L, len), len);
            break;
        }
        default:
            break;
        }
    }
}
