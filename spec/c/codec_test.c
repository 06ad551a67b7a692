/*
 * codec_test.c - unit tests of the codecs (src/codec.h) in plain C: the
 * reader's bounds, the TLV families against their RFC rules, domain names that loop or leave the message, records with
 * count-from and length-from, wide and fixed-size values.  Byte-exact
 * agreement with Scapy is checked by spec/codec_spec.lua.
 */
#include <stdio.h>
#include <stdlib.h>

#include "test_descs.h"

static int checks, failed;

#define CHECK(cond) do { checks++; if (!(cond)) { failed++; \
    fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); } } while (0)

/* Bytes from a C string literal with its length (it may hold NULs). */
#define B(s) (const uint8_t *)(s), sizeof(s) - 1

static void test_reader(void)
{
    static const uint8_t d[] = { 0x12, 0x34, 0x56, 0x78, 0x9a };
    struct pk_rd r, s;

    pk_rd_init(&r, d, sizeof d);
    CHECK(pk_rd_u16(&r) == 0x1234);
    CHECK(pk_rd_u32(&r) == 0 && r.err);         /* 3 left: refused, sticky */
    CHECK(pk_rd_u8(&r) == 0 && pk_rd_left(&r) == 0);

    pk_rd_init(&r, d, sizeof d);
    s = pk_rd_sub(&r, 2);
    CHECK(pk_rd_left(&s) == 2 && pk_rd_left(&r) == 3);
    CHECK(pk_rd_u16(&s) == 0x1234 && pk_rd_u8(&s) == 0 && s.err && !r.err);
    s = pk_rd_sub(&r, 9);                       /* clamped to what is left */
    CHECK(pk_rd_left(&s) == 3 && pk_rd_left(&r) == 0);

    pk_rd_init(&r, d, sizeof d);
    CHECK(pk_rd_bits(&r, 4) == 0x1 && pk_rd_bits(&r, 12) == 0x234);
    CHECK(pk_rd_bits(&r, 3) == 0x2 && pk_rd_bits(&r, 21) == 0x16789a);
    CHECK(!r.err && pk_rd_bits(&r, 1) == 0 && r.err);

    pk_rd_init(&r, d, sizeof d);
    pk_rd_bits(&r, 4);
    CHECK(pk_rd_u8(&r) == 0 && r.err);          /* bytes only on a byte boundary */
}

static void test_writer(void)
{
    uint8_t buf[4];
    struct pk_wr w;

    pk_wr_init(&w, buf, sizeof buf);
    pk_wr_bits(&w, 4, 4);
    pk_wr_bits(&w, 6, 4);
    pk_wr_uint(&w, 0x0203, 2);
    CHECK(!w.err && w.len == 3 && buf[0] == 0x46 && buf[1] == 2 && buf[2] == 3);
    pk_wr_uint(&w, 0x0405, 2);                  /* one byte of room */
    CHECK(w.err == PK_ENOSPC && w.len == 3);
    pk_wr_init(&w, buf, sizeof buf);
    pk_wr_bits(&w, 16, 4);                      /* does not fit 4 bits */
    CHECK(w.err == PK_EINVAL);
}

/* ---- TLV ---- */

/* The TCP family reads options and writes them back as they came. */
static void test_tcp_options(void)
{
    static const uint8_t inputs[][40] = {
        { 2, 4, 0x05, 0xb4, 1, 3, 3, 7, 4, 2, 8, 10, 0, 0, 0x30, 0x39, 0, 0, 0, 0, 0, 0 },
        { 1, 1, 5, 10, 0, 0, 0, 100, 0, 0, 0, 200 },
        { 1, 0, 0, 0 },
        { 254, 6, 1, 2, 3, 4, 0, 0 },
        { 2, 3, 1, 1, 1, 1 },                   /* MSS of a wrong size: raw */
        { 3, 9, 1 },                            /* length past the end */
        { 8, 10, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0 },
    };
    static const size_t lens[] = { 24, 12, 4, 8, 6, 3, 12 };
    static const int counts[] = { 6, 3, 2, 2, 4, 1, 2 };
    static const uint8_t status[][6] = {
        { PK_TLV_OK, PK_TLV_OK, PK_TLV_OK, PK_TLV_OK, PK_TLV_OK, PK_TLV_OK },
        { PK_TLV_OK, PK_TLV_OK, PK_TLV_OK }, { PK_TLV_OK, PK_TLV_OK },
        { PK_TLV_RAW, PK_TLV_OK }, { PK_TLV_RAW, PK_TLV_OK, PK_TLV_OK, PK_TLV_OK },
        { PK_TLV_MALFORMED }, { PK_TLV_OK, PK_TLV_OK },
    };
    for (size_t c = 0; c < sizeof lens / sizeof lens[0]; c++) {
        struct pk_tlv o[16];
        struct pk_val vals[16][8];
        uint8_t b[64];
        int n = pk_tlv_decode(&pk_tlv_tcp, inputs[c], lens[c], o, 16);
        CHECK(n == counts[c]);
        for (int i = 0; i < n && i < counts[c]; i++) {
            CHECK(o[i].status == status[c][i]);
            for (unsigned j = 0; o[i].status == PK_TLV_OK && j < o[i].nvals && j < 8; j++)
                CHECK(pk_tlv_value(&pk_tlv_tcp, &o[i], j, &vals[i][j]) == 0);
            if (o[i].status == PK_TLV_OK)
                o[i].vals = vals[i];
        }
        int w = pk_tlv_encode(&pk_tlv_tcp, o, n, b, sizeof b);
        if (w >= 0 && lens[c] % 4 == 0)     /* a whole header: the fill is back */
            w = pk_tlv_fill(&pk_tlv_tcp, b, (size_t)w, sizeof b);
        CHECK(w == (int)lens[c] && memcmp(b, inputs[c], lens[c]) == 0);
    }
    /* and from values: MSS, SAckOK, Timestamp, NOP, WScale */
    struct pk_val mss = { .u = 1460 }, ts[2] = { { .u = 12345 }, { .u = 0 } }, ws = { .u = 7 };
    struct pk_tlv t[] = {
        { .kind = 2, .nvals = 1, .vals = &mss }, { .kind = 4 },
        { .kind = 8, .nvals = 2, .vals = ts }, { .kind = 1 },
        { .kind = 3, .nvals = 1, .vals = &ws },
    };
    static const uint8_t want[] = { 2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0x30, 0x39,
                                    0, 0, 0, 0, 1, 3, 3, 7 };  /* RFC 9293, 7323, 2018 */
    uint8_t b2[64];
    int w2 = pk_tlv_encode(&pk_tlv_tcp, t, 5, b2, sizeof b2);
    CHECK(w2 == 20 && memcmp(b2, want, 20) == 0);
    CHECK(pk_tlv_fill(&pk_tlv_tcp, b2, 20, sizeof b2) == 20);
    b2[37] = 0xaa;
    CHECK(pk_tlv_fill(&pk_tlv_tcp, b2, 37, sizeof b2) == 40 && b2[37] == 0 && b2[39] == 0);
    CHECK(pk_tlv_fill(&pk_tlv_tcp, b2, 41, sizeof b2) == PK_EINVAL);
    CHECK(pk_tlv_fill(&pk_tlv_dhcp, b2, 41, sizeof b2) == 41);

    /* limits live in the family: more than 40 bytes is refused */
    struct pk_tlv many[12];
    for (int i = 0; i < 12; i++)
        many[i] = (struct pk_tlv){ .kind = 2, .nvals = 1, .vals = &mss };
    CHECK(pk_tlv_encode(&pk_tlv_tcp, many, 12, b2, sizeof b2) == PK_EINVAL);
    CHECK(pk_tlv_encode(&pk_tlv_tcp, many, 10, b2, sizeof b2) == 40);
    CHECK(pk_tlv_encode(&pk_tlv_tcp, many, 10, b2, 39) == PK_ENOSPC);
    struct pk_val big = { .u = 70000 };
    struct pk_tlv bad = { .kind = 2, .nvals = 1, .vals = &big };
    CHECK(pk_tlv_encode(&pk_tlv_tcp, &bad, 1, b2, sizeof b2) == PK_EINVAL);
}

static void test_dhcp(void)
{
    struct pk_tlv o[16];
    struct pk_val v;
    uint8_t out[64];

    /* message-type discover, a router with 3 bytes (too short: raw),
     * then a hostname whose length runs past the end */
    int n = pk_tlv_decode(&pk_tlv_dhcp, B("\x35\x01\x01\x03\x03\x01\x02\x03\x0c\x09" "ab"), o, 16);
    CHECK(n == 3);
    CHECK(o[0].kind == 53 && o[0].status == PK_TLV_OK && o[0].nvals == 1);
    CHECK(pk_tlv_value(&pk_tlv_dhcp, &o[0], 0, &v) == 0 && v.u == 1);
    CHECK(o[1].kind == 3 && o[1].status == PK_TLV_RAW && o[1].len == 3);
    CHECK(o[2].status == PK_TLV_MALFORMED && o[2].len == 4 && o[2].data[0] == 12);
    CHECK(pk_tlv_encode(&pk_tlv_dhcp, o, n, out, sizeof out) == 12);
    CHECK(memcmp(out, "\x35\x01\x01\x03\x03\x01\x02\x03\x0c\x09" "ab", 12) == 0);

    /* pad and end are single bytes; more items than room: the rest is kept */
    n = pk_tlv_decode(&pk_tlv_dhcp, B("\x00\x00\xff\x00"), o, 2);
    CHECK(n == 2 && o[0].kind == 0 && o[1].status == PK_TLV_MALFORMED && o[1].len == 3);

    /* routers: a list of addresses */
    n = pk_tlv_decode(&pk_tlv_dhcp, B("\x03\x08\xc6\x33\x64\x01\xcb\x00\x71\x01\xff"), o, 16);
    CHECK(n == 2 && o[0].nvals == 2 && o[1].kind == 255);
    CHECK(pk_tlv_value(&pk_tlv_dhcp, &o[0], 1, &v) == 0 && v.u == 0xcb007101);
    CHECK(pk_tlv_value(&pk_tlv_dhcp, &o[0], 2, &v) == PK_EINVAL);

    /* a value longer than the 1-byte length can say is refused, not cut */
    static uint8_t longname[300];
    memset(longname, 'a', sizeof longname);
    struct pk_val hn = { .p = longname, .len = 256 };
    struct pk_tlv h = { .kind = 12, .nvals = 1, .vals = &hn };
    static uint8_t big[512];
    CHECK(pk_tlv_encode(&pk_tlv_dhcp, &h, 1, big, sizeof big) == PK_EINVAL);
    hn.len = 255;
    CHECK(pk_tlv_encode(&pk_tlv_dhcp, &h, 1, big, sizeof big) == 257 && big[1] == 255);
    /* a kind's limits: an empty hostname is refused */
    hn.len = 0;
    CHECK(pk_tlv_encode(&pk_tlv_dhcp, &h, 1, big, sizeof big) == PK_EINVAL);
    /* a value of a size its kind does not allow */
    struct pk_val m300 = { .u = 300 };
    struct pk_tlv mt = { .kind = 53, .nvals = 1, .vals = &m300 };
    CHECK(pk_tlv_encode(&pk_tlv_dhcp, &mt, 1, big, sizeof big) == PK_EINVAL);
    CHECK(strcmp(pk_tlv_named(&pk_tlv_dhcp, "message-type")->items[0].names[0].name,
                 "discover") == 0);
}

static void test_nd(void)
{
    struct pk_tlv o[8];
    struct pk_val v;
    uint8_t out[64];

    /* a source link-layer address: 1 unit of 8 bytes */
    int n = pk_tlv_decode(&pk_tlv_nd, B("\x01\x01\x02\x00\x00\x00\x00\x01"), o, 8);
    CHECK(n == 1 && o[0].status == PK_TLV_OK && o[0].len == 6);
    CHECK(pk_tlv_value(&pk_tlv_nd, &o[0], 0, &v) == 0 && v.u == UINT64_C(0x020000000001));
    /* length 0 is invalid (RFC 4861 4.6): the rest is kept as it came */
    n = pk_tlv_decode(&pk_tlv_nd, B("\x01\x00\x02\x00\x00\x00\x00\x01"), o, 8);
    CHECK(n == 1 && o[0].status == PK_TLV_MALFORMED && o[0].len == 8);
    /* two units where one holds the address: raw, so the bytes come back */
    n = pk_tlv_decode(&pk_tlv_nd, B("\x01\x02\x02\x00\x00\x00\x00\x01\0\0\0\0\0\0\0\0"), o, 8);
    CHECK(n == 1 && o[0].status == PK_TLV_RAW && o[0].len == 14);
    CHECK(pk_tlv_encode(&pk_tlv_nd, o, n, out, sizeof out) == 16 && out[1] == 2);
    /* encoding fills to the unit: an MTU option is 8 bytes */
    struct pk_val mtu[2] = { { .u = 0 }, { .u = 1280 } };
    struct pk_tlv m = { .kind = 5, .nvals = 2, .vals = mtu };
    CHECK(pk_tlv_encode(&pk_tlv_nd, &m, 1, out, sizeof out) == 8);
    CHECK(memcmp(out, "\x05\x01\x00\x00\x00\x00\x05\x00", 8) == 0);
    /* a raw value of 3 bytes takes one unit, zero-filled */
    struct pk_tlv r = { .kind = 99, .status = PK_TLV_RAW, .data = (const uint8_t *)"xyz", .len = 3 };
    CHECK(pk_tlv_encode(&pk_tlv_nd, &r, 1, out, sizeof out) == 8);
    CHECK(memcmp(out, "\x63\x01xyz\0\0\0", 8) == 0);
    /* RDNSS needs an address (its kind's minimum) */
    struct pk_tlv rd = { .kind = 25, .nvals = 2, .vals = mtu };
    CHECK(pk_tlv_encode(&pk_tlv_nd, &rd, 1, out, sizeof out) == PK_EINVAL);
}

/* A 2-byte type and 2-byte length that excludes the header and counts
 * 4-byte units: the engine is not tied to the four families. */
static void test_wide_tlv(void)
{
    struct pk_tlv o[4];
    uint8_t out[16];
    struct pk_val v;
    int n = pk_tlv_decode(&test_tlv, B("\x01\x02\x00\x01\x1f\x90\x00\x35\xff\xff\x00"), o, 4);
    CHECK(n == 3 && o[0].kind == 0x0102 && o[0].nvals == 2 && o[1].kind == 0xffff);
    CHECK(pk_tlv_value(&test_tlv, &o[0], 0, &v) == 0 && v.u == 8080);
    CHECK(pk_tlv_value(&test_tlv, &o[0], 1, &v) == 0 && v.u == 53);
    CHECK(o[2].status == PK_TLV_MALFORMED && o[2].len == 1);   /* half a type */
    CHECK(pk_tlv_encode(&test_tlv, o, n, out, sizeof out) == 11);
    CHECK(memcmp(out, "\x01\x02\x00\x01\x1f\x90\x00\x35\xff\xff\x00", 11) == 0);
    /* one port: zero-filled to the 4-byte unit */
    struct pk_val port = { .u = 8080 };
    struct pk_tlv t = { .kind = 0x0102, .nvals = 1, .vals = &port };
    CHECK(pk_tlv_encode(&test_tlv, &t, 1, out, sizeof out) == 8);
    CHECK(memcmp(out, "\x01\x02\x00\x01\x1f\x90\x00\x00", 8) == 0);
}

/* ---- Domain names ---- */

static int decode_at(const uint8_t *m, size_t len, size_t off, char *text, size_t *used)
{
    uint8_t name[PK_DNAME_MAX];
    int n = pk_dname_decode(m, len, off, name, used);
    return n < 0 ? n : pk_dname_format(name, (size_t)n, text, PK_DNAME_TEXTMAX);
}

static void test_dname(void)
{
    char text[PK_DNAME_TEXTMAX];
    size_t used;
    uint8_t name[PK_DNAME_MAX], msg[600];

    /* "www.example.com" at 0, "mail" + pointer to "example.com" at 17 */
    static const uint8_t m[] = "\x03www\x07" "example\x03" "com\x00\x04mail\xc0\x04";
    CHECK(decode_at(m, sizeof m - 1, 0, text, &used) == 16 && strcmp(text, "www.example.com.") == 0 && used == 17);
    CHECK(decode_at(m, sizeof m - 1, 17, text, &used) > 0 && strcmp(text, "mail.example.com.") == 0 && used == 7);

    /* loops: to itself, between two pointers, forward then back */
    CHECK(decode_at(B("\xc0\x00"), 0, text, &used) == PK_ELOOP);
    CHECK(decode_at(B("\x01" "a\xc0\x04\x01" "b\xc0\x00"), 0, text, &used) == PK_ELOOP);
    CHECK(decode_at(B("\xc0\x02\xc0\x00"), 0, text, &used) == PK_ELOOP);
    /* a pointer past the end, and a name cut short */
    CHECK(decode_at(B("\x01" "a\xc0\x09"), 0, text, &used) == PK_EPOINTER);
    CHECK(decode_at(B("\x03" "ab"), 0, text, &used) == PK_ETRUNC);
    CHECK(decode_at(B("\x01" "a\xc0"), 0, text, &used) == PK_ETRUNC);
    CHECK(decode_at(B("\x00"), 1, text, &used) == PK_ETRUNC);
    CHECK(decode_at(B("\x41" "a\x00"), 0, text, &used) == PK_ELABEL);
    /* more hops than allowed, each to a new target: pointer i -> i - 2 */
    size_t ml = 0;
    msg[ml++] = 0;
    for (int i = 0; i <= PK_DNAME_MAXHOPS; i++) {
        size_t to = ml == 1 ? 0 : ml - 2;
        msg[ml++] = (uint8_t)(0xc0 | to >> 8);
        msg[ml++] = (uint8_t)to;
    }
    CHECK(decode_at(msg, ml, ml - 2, text, &used) == PK_ELOOP);
    CHECK(decode_at(msg, ml, ml - 4, text, &used) == 1 && strcmp(text, ".") == 0);

    /* the 255-byte limit: 3 labels of 63 and one of 61 make exactly 255 */
    char e[300];
    memset(e, 'x', sizeof e);
    e[63] = e[127] = e[191] = '.';
    e[253] = '\0';
    CHECK(pk_dname_parse(e, name) == 255);
    CHECK(pk_dname_format(name, 255, text, sizeof text) == 254 && text[253] == '.');
    struct pk_wr w;
    pk_wr_init(&w, msg, sizeof msg);
    pk_dname_encode(&w, name, 255, NULL);
    CHECK(!w.err && w.len == 255);
    CHECK(decode_at(msg, w.len, 0, text, &used) == 254 && used == 255);
    e[253] = 'x';
    e[254] = '\0';
    CHECK(pk_dname_parse(e, name) == PK_ETOOLONG);
    /* 4 labels of 63 in a message: past 255 while decoding */
    ml = 0;
    memset(msg, 'q', sizeof msg);
    for (int i = 0; i < 4; i++) {
        msg[ml] = 63;
        ml += 64;
    }
    msg[ml++] = 0;
    CHECK(decode_at(msg, ml, 0, text, &used) == PK_ETOOLONG);
    char l63[80];
    memset(l63, 'k', 63);
    l63[63] = '\0';
    CHECK(pk_dname_parse(l63, name) == 65 && name[0] == 63);
    l63[63] = 'k';
    l63[64] = '\0';
    CHECK(pk_dname_parse(l63, name) == PK_ETOOLONG);
    int n;

    /* text: with or without the trailing dot, escapes both ways */
    CHECK(pk_dname_parse("www.example.com", name) == 17);
    uint8_t name2[PK_DNAME_MAX];
    CHECK(pk_dname_parse("www.example.com.", name2) == 17 && memcmp(name, name2, 17) == 0);
    CHECK(pk_dname_parse(".", name) == 1 && name[0] == 0);
    CHECK(pk_dname_parse("", name) == 1);
    CHECK(pk_dname_parse("a..b", name) == PK_EINVAL);
    CHECK(pk_dname_parse(".a", name) == PK_EINVAL);
    CHECK(pk_dname_parse("a\\1", name) == PK_EINVAL);
    CHECK(pk_dname_parse("a\\256", name) == PK_EINVAL);
    n = pk_dname_parse("a\\.b\\\\c\\000\\032.d", name);
    CHECK(n == 11 && name[0] == 7 && memcmp(name + 1, "a.b\\c\0 ", 7) == 0);
    CHECK(pk_dname_format(name, (size_t)n, text, sizeof text) > 0 &&
          strcmp(text, "a\\.b\\\\c\\000\\032.d.") == 0);
    CHECK(pk_dname_format(name, (size_t)n, text, 5) == PK_ENOSPC);

    /* compression: a suffix already written becomes a pointer */
    struct pk_dname_comp comp = { .n = 0 };
    pk_wr_init(&w, msg, sizeof msg);
    const char *names[] = { "www.example.com", "mail.example.com.", "www.example.com",
                            "com", "WWW.example.com", "." };
    for (size_t i = 0; i < 6; i++) {
        n = pk_dname_parse(names[i], name);
        pk_dname_encode(&w, name, (size_t)n, &comp);
    }
    static const uint8_t want[] = "\x03www\x07" "example\x03" "com\x00"
        "\x04mail\xc0\x04" "\xc0\x00" "\xc0\x0c" "\x03WWW\xc0\x04" "\x00";
    CHECK(!w.err && w.len == sizeof want - 1 && memcmp(msg, want, w.len) == 0);
    /* without a table nothing is compressed */
    pk_wr_init(&w, msg, sizeof msg);
    n = pk_dname_parse("www.example.com", name);
    pk_dname_encode(&w, name, (size_t)n, NULL);
    pk_dname_encode(&w, name, (size_t)n, NULL);
    CHECK(w.len == 34);
    /* a malformed wire name is refused */
    pk_wr_init(&w, msg, sizeof msg);
    pk_dname_encode(&w, (const uint8_t *)"\x05" "ab\x00", 4, NULL);
    CHECK(w.err == PK_EINVAL);
}

/* ---- Records ---- */

static struct pk_recval recs[256];
static struct pk_val vals[2048];
static uint8_t bytes[4096];

static void arena(struct pk_arena *a)
{
    *a = (struct pk_arena){ recs, 0, 256, vals, 0, 2048, bytes, 0, sizeof bytes };
}

static void test_records(void)
{
    struct pk_arena a;
    struct pk_rd r;
    struct pk_wr w;
    uint8_t out[512];

    /* a response: 1 question, 2 answers; the second answer's name is a
     * pointer to the question's */
    static const uint8_t m[] =
        "\x12\x34\x81\x80\x00\x01\x00\x02\x00\x00\x00\x00"
        "\x03www\x07" "example\x03" "com\x00\x00\x01\x00\x01"
        "\xc0\x0c\x00\x01\x00\x01\x00\x00\x0e\x10\x00\x04\xc6\x33\x64\x07"
        "\xc0\x10\x00\x01\x00\x01\x00\x00\x0e\x10\x00\x04\xcb\x00\x71\x05";
    size_t ml = sizeof m - 1;
    arena(&a);
    pk_rd_init(&r, m, ml);
    int ri = pk_rec_decode(&dns, &r, m, ml, &a);
    CHECK(ri == 0 && a.recs[0].status == PK_LAYER_OK && pk_rd_left(&r) == 0);
    CHECK(a.recs[0].v[DNS_QR].u == 1 && a.recs[0].v[DNS_RD].u == 1 && a.recs[0].v[DNS_RA].u == 1);
    CHECK(a.recs[0].v[DNS_QD].len == 1 && a.recs[0].v[DNS_AN].len == 2);
    int an = (int)a.recs[0].v[DNS_AN].u, an2 = a.recs[an].next;
    CHECK(an2 >= 0 && a.recs[an2].next == -1);
    CHECK(a.recs[an].v[RR_RDATA].len == 4 && memcmp(a.recs[an].v[RR_RDATA].p, "\xc6\x33\x64\x07", 4) == 0);
    char text[PK_DNAME_TEXTMAX];
    CHECK(pk_dname_format(a.recs[an2].v[RR_NAME].p, a.recs[an2].v[RR_NAME].len, text, sizeof text) > 0);
    CHECK(strcmp(text, "example.com.") == 0);
    /* as decoded, every field is given: the same bytes come back */
    struct pk_dname_comp comp = { .n = 0 };
    pk_wr_init(&w, out, sizeof out);
    pk_rec_encode(&a, ri, &w, &comp);
    CHECK(!w.err && w.len == ml && memcmp(out, m, ml) == 0);
    /* with the counts and rdlen unset they are computed */
    a.recs[0].set &= ~(0xfu << DNS_QDCOUNT);
    a.recs[an].set &= ~(1u << RR_RDLEN);
    a.recs[an].v[RR_RDATA].len = 3;
    comp.n = 0;
    pk_wr_init(&w, out, sizeof out);
    pk_rec_encode(&a, ri, &w, &comp);
    CHECK(!w.err && w.len == ml - 1 && out[5] == 1 && out[7] == 2 && out[11] == 0);
    CHECK(out[43] == 0 && out[44] == 3);
    /* a count that says more than there is: truncated, what was read kept */
    static uint8_t cut[64];
    memcpy(cut, m, 33);
    cut[5] = 3;
    arena(&a);
    pk_rd_init(&r, cut, 33);
    ri = pk_rec_decode(&dns, &r, cut, 33, &a);
    CHECK(ri == 0 && a.recs[0].status == PK_LAYER_TRUNCATED && a.recs[0].v[DNS_QD].len == 1);
    /* an rdlength past the end */
    arena(&a);
    pk_rd_init(&r, m, ml - 2);
    ri = pk_rec_decode(&dns, &r, m, ml - 2, &a);
    CHECK(ri == 0 && a.recs[0].status == PK_LAYER_TRUNCATED);
    /* a looping name: invalid, never a hang */
    static uint8_t loop[64];
    memcpy(loop, m, 12);
    memcpy(loop + 12, "\xc0\x0c\x00\x01\x00\x01", 6);
    arena(&a);
    pk_rd_init(&r, loop, 18);
    ri = pk_rec_decode(&dns, &r, loop, 18, &a);
    CHECK(ri == 0 && a.recs[0].status == PK_LAYER_INVALID);
    /* a list read to the end whose items take no bytes: invalid, no hang */
    static const struct pk_cfield nothing_f[] = { { .name = "x", .codec = PK_C_FIXED, .size = 0 } };
    static const struct pk_rec nothing = { .name = "Nothing", .fields = nothing_f, .nfields = 1 };
    static const struct pk_cfield many_f[] = { { .name = "items", .codec = PK_C_RECORDS, .rec = &nothing } };
    static const struct pk_rec many = { .name = "Many", .fields = many_f, .nfields = 1 };
    arena(&a);
    pk_rd_init(&r, m, 2);
    CHECK(pk_rec_decode(&many, &r, m, 2, &a) == 0 && a.recs[0].status == PK_LAYER_INVALID);
    /* a full arena is an error, not an overrun */
    struct pk_arena small = { recs, 0, 2, vals, 0, 2048, bytes, 0, sizeof bytes };
    pk_rd_init(&r, m, ml);
    CHECK(pk_rec_decode(&dns, &r, m, ml, &small) == PK_ETOOMANY);

    /* building from values: a question list of two, counts computed */
    arena(&a);
    int d = pk_rec_new(&a, &dns);
    uint8_t n1[PK_DNAME_MAX], n2[PK_DNAME_MAX];
    int l1 = pk_dname_parse("example.com", n1), l2 = pk_dname_parse("www.example.com.", n2);
    for (int i = 0; i < 2; i++) {
        int q = pk_rec_new(&a, &dnsqr);
        CHECK(q > 0);
        pk_rec_setp(&a, q, 0, i ? n2 : n1, (uint32_t)(i ? l2 : l1));
        pk_rec_append(&a, d, DNS_QD, q);
    }
    comp.n = 0;
    pk_wr_init(&w, out, sizeof out);
    pk_rec_encode(&a, d, &w, &comp);
    static const uint8_t built[] =
        "\x00\x00\x01\x00\x00\x02\x00\x00\x00\x00\x00\x00"
        "\x07" "example\x03" "com\x00\x00\x01\x00\x01"
        "\x03www\xc0\x0c\x00\x01\x00\x01";
    CHECK(!w.err && w.len == sizeof built - 1 && memcmp(out, built, w.len) == 0);
}

static void test_ipv4_ihl(void)
{
    struct pk_arena a;
    struct pk_rd r;
    struct pk_wr w;
    uint8_t out[80];
    /* ihl 6: a router alert option */
    static const uint8_t h[] = "\x46\x00\x00\x18\x00\x01\x00\x00\x40\x00\x00\x00"
                               "\xc6\x33\x64\x01\xc6\x33\x64\x02\x94\x04\x00\x00";
    arena(&a);
    pk_rd_init(&r, h, 24);
    int ri = pk_rec_decode(&ipv4hdr, &r, h, 24, &a);
    CHECK(ri == 0 && a.recs[0].status == PK_LAYER_OK && a.recs[0].v[IP_OPTIONS].len == 4);
    struct pk_tlv o[4];
    CHECK(pk_tlv_decode(&pk_tlv_ipv4, a.recs[0].v[IP_OPTIONS].p, 4, o, 4) == 1 && o[0].kind == 148);
    /* three option bytes: filled to 4, ihl computed as 6 */
    a.recs[0].set &= ~(1u << IP_IHL);
    a.recs[0].v[IP_OPTIONS].len = 3;
    pk_wr_init(&w, out, sizeof out);
    pk_rec_encode(&a, 0, &w, NULL);
    CHECK(!w.err && w.len == 24 && out[0] == 0x46 && out[23] == 0);
    /* no options: ihl 5 */
    a.recs[0].v[IP_OPTIONS].len = 0;
    pk_wr_init(&w, out, sizeof out);
    pk_rec_encode(&a, 0, &w, NULL);
    CHECK(!w.err && w.len == 20 && out[0] == 0x45);
    /* more than ihl can say */
    static uint8_t opts[44];
    a.recs[0].v[IP_OPTIONS].p = opts;
    a.recs[0].v[IP_OPTIONS].len = 44;
    pk_wr_init(&w, out, sizeof out);
    pk_rec_encode(&a, 0, &w, NULL);
    CHECK(w.err == PK_EINVAL);
    /* ihl 3 says the header is shorter than its fixed part */
    static uint8_t bad[24];
    memcpy(bad, h, 24);
    bad[0] = 0x43;
    arena(&a);
    pk_rd_init(&r, bad, 24);
    CHECK(pk_rec_decode(&ipv4hdr, &r, bad, 24, &a) == 0 && a.recs[0].status == PK_LAYER_INVALID);
    /* ihl 15 past the bytes: truncated */
    bad[0] = 0x4f;
    arena(&a);
    pk_rd_init(&r, bad, 24);
    CHECK(pk_rec_decode(&ipv4hdr, &r, bad, 24, &a) == 0 && a.recs[0].status == PK_LAYER_TRUNCATED);
}

/* ---- Wide values and fixed-size strings ---- */

static void test_wide_fixed(void)
{
    uint8_t v[17], out[400];
    char text[64];
    struct pk_wr w;
    struct pk_rd r;

    CHECK(pk_wide_parse("0x0102030405060708090a0b0c0d0e0f10", 128, v) == 0);
    CHECK(v[0] == 1 && v[15] == 0x10);
    CHECK(pk_wide_format(v, 128, text, sizeof text) == 33 &&
          strcmp(text, "0x102030405060708090a0b0c0d0e0f10") == 0);
    /* 2^64 in decimal, past what uint64_t holds */
    CHECK(pk_wide_parse("18446744073709551616", 72, v) == 0 && v[0] == 1 && v[1] == 0 && v[8] == 0);
    CHECK(pk_wide_parse("340282366920938463463374607431768211455", 128, v) == 0 && v[0] == 0xff);
    CHECK(pk_wide_parse("340282366920938463463374607431768211456", 128, v) == PK_EINVAL);
    CHECK(pk_wide_parse("0x1fffffffffffffffff", 68, v) == PK_EINVAL);
    CHECK(pk_wide_parse("0xfffffffffffffffff", 68, v) == 0 && v[0] == 0x0f);
    CHECK(pk_wide_parse("12a", 80, v) == PK_EINVAL && pk_wide_parse("", 80, v) == PK_EINVAL);
    CHECK(pk_wide_format(v, 68, text, 4) == PK_ENOSPC);
    memset(v, 0, sizeof v);
    CHECK(pk_wide_format(v, 128, text, sizeof text) == 3 && strcmp(text, "0x0") == 0);

    /* BOOTP's fixed part: strings zero-filled, a wide value, 68 bits */
    struct pk_arena a;
    arena(&a);
    int ri = pk_rec_new(&a, &bootp_part);
    uint8_t wide[16], odd[9];
    CHECK(pk_wide_parse("0xfedcba98765432100123456789abcdef", 128, wide) == 0);
    CHECK(pk_wide_parse("0xabcdef0123456789a", 68, odd) == 0);
    pk_rec_setp(&a, ri, BP_CHADDR, (const uint8_t *)"\x02\0\0\0\0\x01", 6);
    pk_rec_setp(&a, ri, BP_SNAME, (const uint8_t *)"server", 6);
    pk_rec_setp(&a, ri, BP_WIDE, wide, 16);
    pk_rec_setp(&a, ri, BP_ODD, odd, 9);
    pk_wr_init(&w, out, sizeof out);
    pk_rec_encode(&a, ri, &w, NULL);
    CHECK(!w.err && w.len == 1 + 16 + 64 + 128 + 16 + 9);
    CHECK(out[0] == 1 && out[1] == 2 && out[6] == 1 && out[7] == 0 && out[16] == 0);
    CHECK(memcmp(out + 17, "server\0", 7) == 0 && out[80] == 0);
    CHECK(out[209] == 0xfe && out[224] == 0xef && out[225] == 0xab && out[233] == 0xa0);
    CHECK(pk_fixed_trim(out + 17, 64) == 6);
    size_t blen = w.len;
    arena(&a);
    pk_rd_init(&r, out, blen);
    ri = pk_rec_decode(&bootp_part, &r, out, blen, &a);
    CHECK(ri == 0 && a.recs[0].status == PK_LAYER_OK);
    CHECK(a.recs[0].v[BP_SNAME].len == 64 && a.recs[0].v[BP_FILE].len == 128);
    CHECK(a.recs[0].v[BP_WIDE].len == 16 && memcmp(a.recs[0].v[BP_WIDE].p, wide, 16) == 0);
    CHECK(a.recs[0].v[BP_ODD].len == 9 && memcmp(a.recs[0].v[BP_ODD].p, odd, 9) == 0);
    /* too long for its size: refused, never cut */
    static uint8_t longer[65];
    pk_wr_init(&w, out, sizeof out);
    pk_fixed_write(&w, 64, longer, 65);
    CHECK(w.err == PK_EINVAL && w.len == 0);
    /* a wide value too big for its bits */
    pk_wr_init(&w, out, sizeof out);
    pk_wide_write(&w, 68, wide, 16);
    CHECK(w.err == PK_EINVAL);
    /* cut short: the record is truncated */
    arena(&a);
    pk_rd_init(&r, out, 100);
    CHECK(pk_rec_decode(&bootp_part, &r, out, 100, &a) == 0 && a.recs[0].status == PK_LAYER_TRUNCATED);
}

int main(void)
{
    test_reader();
    test_writer();
    test_tcp_options();
    test_dhcp();
    test_nd();
    test_wide_tlv();
    test_dname();
    test_records();
    test_ipv4_ihl();
    test_wide_fixed();
    printf("codec_test: %d checks, %d failed\n", checks, failed);
    return failed ? 1 : 0;
}
