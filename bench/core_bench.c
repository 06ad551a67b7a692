/*
 * core_bench.c - build and dissect rates of the C core alone, for
 * `make bench`: an IP/UDP packet with a 11-byte payload, as in the
 * lecture's spoofing demo.  Prints "build N" and "dissect N" (per second).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../src/pk.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    static const uint8_t payload[] = "Hello UDP!\n";
    struct pk_layer ls[PK_MAXLAYERS];
    uint8_t buf[2048];
    size_t len = 0;
    unsigned long sink = 0;
    long n = argc > 1 ? atol(argv[1]) : 2000000;
    double t0, t1;
    const struct pk_proto *ip = pk_proto_find("IP"), *udp = pk_proto_find("UDP");

    t0 = now();
    for (long i = 0; i < n; i++) {
        pk_layer_init(&ls[0], ip);
        pk_layer_setu(&ls[0], 10, 0x01020304);          /* src */
        pk_layer_setu(&ls[0], 11, 0xc6336405);          /* dst */
        pk_layer_init(&ls[1], udp);
        pk_layer_setu(&ls[1], 0, 8888);
        pk_layer_setu(&ls[1], 1, (uint64_t)(9090 + (i & 7)));
        pk_layer_init(&ls[2], &pk_proto_raw);
        pk_layer_setp(&ls[2], 0, payload, 11);
        if (pk_build(ls, 3, buf, sizeof buf, &len) < 0)
            return 1;
        sink += buf[27];
    }
    t1 = now();
    printf("build %.0f\n", n / (t1 - t0));

    t0 = now();
    for (long i = 0; i < n; i++) {
        int k = pk_dissect(ip, buf, len, ls, PK_MAXLAYERS);
        sink += (unsigned long)k + ls[1].v[1].u;
    }
    t1 = now();
    printf("dissect %.0f\n", n / (t1 - t0));
    return sink == 42;  /* keeps the loops from being optimised away */
}
