/*
 * fuzz_parse.c - libFuzzer target for the string parsers (IPv4, MAC,
 * IPv6, flag sets) on NUL-terminated copies of the input, with format
 * and parse round trips.
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_flags(const struct pk_proto *p, const char *name,
                        const char *s, size_t fmtsize)
{
    const struct pk_field *fd = &p->fields[pk_field_find(p, name)];
    uint64_t v, v2;
    char buf[128];

    if (pk_flags_parse(fd, s, &v) < 0)
        return;
    FUZZ_CHECK((v & ~pk_field_max(fd)) == 0);
    /* what it formats to parses back to the same set */
    FUZZ_CHECK(pk_flags_format(fd, v, buf, sizeof buf) >= 0);
    FUZZ_CHECK(pk_flags_parse(fd, buf, &v2) == 0 && v2 == v);
    /* a short buffer: cut off, never overrun (heap, exactly fmtsize) */
    char *small = malloc(fmtsize);
    FUZZ_CHECK(small != NULL);
    int r = pk_flags_format(fd, v, small, fmtsize);
    FUZZ_CHECK(r == PK_ENOSPC || (r >= 0 && (size_t)r < fmtsize &&
                                  strcmp(small, buf) == 0));
    free(small);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    char buf[64];
    uint32_t a4, b4;
    uint64_t m, m2;
    uint8_t a6[16], b6[16];

    FUZZ_CHECK(s != NULL);
    memcpy(s, data, size);
    s[size] = '\0';

    if (pk_ipv4_parse(s, &a4) == 0) {
        pk_ipv4_format(a4, buf);
        FUZZ_CHECK(pk_ipv4_parse(buf, &b4) == 0 && b4 == a4);
    }
    if (pk_mac_parse(s, &m) == 0) {
        FUZZ_CHECK(m <= UINT64_C(0xffffffffffff));
        pk_mac_format(m, buf);
        FUZZ_CHECK(pk_mac_parse(buf, &m2) == 0 && m2 == m);
    }
    if (pk_ipv6_parse(s, a6) == 0) {
        pk_ipv6_format(a6, buf);
        FUZZ_CHECK(pk_ipv6_parse(buf, b6) == 0 && memcmp(a6, b6, 16) == 0);
    }
    size_t fmtsize = 1 + (size ? data[0] % 16 : 0);
    check_flags(pk_proto_find("TCP"), "flags", s, fmtsize);
    check_flags(pk_proto_find("IP"), "flags", s, fmtsize);

    /* the other way: any value formats to something that parses back */
    if (size >= 6) {
        a4 = (uint32_t)data[0] << 24 | (uint32_t)data[1] << 16 |
             (uint32_t)data[2] << 8 | data[3];
        pk_ipv4_format(a4, buf);
        FUZZ_CHECK(pk_ipv4_parse(buf, &b4) == 0 && b4 == a4);
        m = 0;
        for (int i = 0; i < 6; i++)
            m = m << 8 | data[i];
        pk_mac_format(m, buf);
        FUZZ_CHECK(pk_mac_parse(buf, &m2) == 0 && m2 == m);
    }
    if (size >= 16) {
        pk_ipv6_format(data, buf);
        FUZZ_CHECK(pk_ipv6_parse(buf, b6) == 0 && memcmp(data, b6, 16) == 0);
    }
    free(s);
    return 0;
}
