/*
 * registry_test.c - the protocol registry from C: the built-ins and their
 * bind classes, and protocols registered at run time that bind, build and
 * dissect like built-ins (lengths and checksums from their roles, binds
 * declared by the upper layer, a quoted form).  Run by `make test`.
 */
#include <stdio.h>
#include <string.h>

#include "pk.h"
#include "pknet.h"

static int failed, passed;

#define CHECK(c) do {                                                       \
        if (c) passed++;                                                    \
        else { failed++; fprintf(stderr, "%s:%d: failed: %s\n",            \
                                 __FILE__, __LINE__, #c); }                 \
    } while (0)

/* RFC 1071 by hand, apart from the core's pk_cksum. */
static uint16_t sum16(const uint8_t *p, size_t n)
{
    uint32_t s = 0;
    for (size_t i = 0; i < n; i++)
        s += (i & 1) ? p[i] : (uint32_t)p[i] << 8;
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

static void builtins(void)
{
    int n = pk_proto_count();
    const struct pk_proto *ip = pk_proto_find("IP"), *ipe = pk_proto_find("IPerror");
    uint64_t v;

    CHECK(n >= 15);
    for (int id = 1; id <= n; id++) {
        const struct pk_proto *p = pk_proto_byid(id);
        CHECK(p && pk_proto_id(p) == id && pk_proto_find(p->name) == p);
    }
    CHECK(pk_proto_byid(0) == NULL && pk_proto_byid(n + 1) == NULL);
    CHECK(pk_proto_find("NoSuch") == NULL);
    /* the quoted forms are made from their bases */
    CHECK(ip && ipe && ipe->quoted == ip && ip->as_quote == ipe);
    CHECK(strcmp(ipe->longname, "IP in ICMP") == 0);
    CHECK(ipe->fields == ip->fields && ipe->summary == NULL);
    for (const char *const *s = (const char *const[]){ "ICMPerror", "UDPerror", "TCPerror", NULL }; *s; s++)
        CHECK(pk_proto_find(*s) && pk_proto_find(*s)->quoted);
    /* one EtherType table, whichever lower layer asks */
    struct pk_bindclass *et = pk_bindclass_find("ethertype");
    CHECK(et != NULL);
    int ip_in_et = 0;
    for (int i = 0; et && i < pk_bindclass_count(et); i++)
        ip_in_et += pk_bindclass_get(et, i, &v) == ip && v == 0x0800;
    CHECK(ip_in_et == 1);
    for (const char *const *s = (const char *const[]){ "Ether", "Dot1Q", "CookedLinux", "CookedLinuxV2", NULL }; *s; s++) {
        const struct pk_proto *p = pk_proto_find(*s);
        CHECK(p && p->nsel == 1 && p->sel[0].cls == et);
    }
    /* link types are binds too */
    CHECK(pk_linktype_proto(1) == pk_proto_find("Ether"));
    CHECK(pk_linktype_proto(101) == ip && pk_linktype_proto(12) == ip);
    CHECK(pk_proto_linktype(pk_proto_find("CookedLinux")) == 113);
    CHECK(pk_proto_linktype(pk_proto_find("Dot1Q")) == 1);
    CHECK(pk_linktype_proto(9999) == NULL && pk_proto_linktype(ipe) == -1);
}

/* A lab's protocol over UDP port 7777: a type that selects what follows
 * it in its own class, a length of header and payload, and a checksum
 * over both. */
enum { FTYPE, FLEN, FCK, FVAL };
static const struct pk_field foo_fields[] = {
    { .name = "type", .type = PK_INT, .bits = 8, .flags = PK_FF_AUTO,
      .role = PK_ROLE_NEXT, .cls = "foo.type" },
    { .name = "len", .type = PK_INT, .bits = 8, .flags = PK_FF_AUTO,
      .role = PK_ROLE_LEN, .cover = PK_COVER_HDR | PK_COVER_PAYLOAD },
    { .name = "chksum", .type = PK_INT, .bits = 16, .flags = PK_FF_AUTO,
      .role = PK_ROLE_CHKSUM, .cover = PK_COVER_HDR | PK_COVER_PAYLOAD },
    { .name = "val", .type = PK_INT, .bits = 32 },
};
static const struct pk_bind foo_binds[] = { { "udp.port", 7777, 0 } };
static struct pk_proto foo = {
    .name = "Foo", .longname = "Foo",
    .fields = foo_fields, .nfields = 4,
    .binds = foo_binds, .nbinds = 1,
    .quotable = 1,
};

/* Bound in Foo's class only: Foo's type is 9 when it is stacked on it. */
static const struct pk_field bar_fields[] = {
    { .name = "hlen", .type = PK_INT, .bits = 8, .flags = PK_FF_AUTO,
      .role = PK_ROLE_LEN, .cover = PK_COVER_HDR, .unit = 4 },
    { .name = "pad", .type = PK_INT, .bits = 24 },
    { .name = "opts", .type = PK_BYTES, .bits = 0 },
};
static const struct pk_bind bar_binds[] = { { "foo.type", 9, 0 } };
static struct pk_proto bar = {
    .name = "Bar", .longname = "Bar",
    .fields = bar_fields, .nfields = 3,
    .binds = bar_binds, .nbinds = 1,
};

static void runtime(void)
{
    static const uint8_t opts[4] = { 1, 2, 3, 4 }, load[5] = "hello";
    const struct pk_proto *ip = pk_proto_find("IP"), *udp = pk_proto_find("UDP");
    const char *why = NULL;
    int before = pk_proto_count();
    struct pk_layer ls[5], d[PK_MAXLAYERS];
    uint8_t buf[256];
    size_t len = 0;

    CHECK(pk_proto_register(&foo, &why) == before + 1 && why == NULL);
    CHECK(pk_proto_register(&bar, &why) == before + 3);     /* Fooerror between */
    CHECK(pk_proto_find("Fooerror") && pk_proto_find("Fooerror")->quoted == &foo);
    CHECK(pk_proto_register(&foo, &why) == PK_EINVAL && why != NULL);
    {
        struct pk_proto again = foo;
        again.id = 0;
        again.quoted = NULL;
        CHECK(pk_proto_register(&again, &why) == PK_EEXIST);
    }
    {
        static const struct pk_field bad[] = {
            { .name = "ck", .type = PK_INT, .bits = 8, .role = PK_ROLE_CHKSUM,
              .cover = PK_COVER_HDR },
        };
        struct pk_proto p = { .name = "Bad", .longname = "Bad", .fields = bad, .nfields = 1 };
        CHECK(pk_proto_register(&p, &why) == PK_EINVAL && strstr(why, "16-bit"));
        CHECK(pk_proto_find("Bad") == NULL);
    }

    /* IP / UDP(dport 7777) / Foo(val) / Bar(opts) / payload */
    pk_layer_init(&ls[0], ip);
    pk_layer_setu(&ls[0], 10, 0xc6336401);      /* 198.51.100.1 */
    pk_layer_setu(&ls[0], 11, 0xc6336402);
    pk_layer_init(&ls[1], udp);
    pk_layer_setu(&ls[1], 0, 40000);
    pk_layer_setu(&ls[1], 1, 7777);
    pk_layer_init(&ls[2], &foo);
    pk_layer_setu(&ls[2], FVAL, 0xdeadbeef);
    pk_layer_init(&ls[3], &bar);
    pk_layer_setp(&ls[3], 2, opts, 4);
    pk_layer_init(&ls[4], &pk_proto_raw);
    pk_layer_setp(&ls[4], 0, load, 5);
    CHECK(pk_build(ls, 5, buf, sizeof buf, &len) == 0);
    CHECK(len == 20 + 8 + 8 + 8 + 5);
    const uint8_t *f = buf + 28;
    CHECK(f[0] == 9);                           /* the next-protocol key */
    CHECK(f[1] == 8 + 8 + 5);                   /* header and payload */
    CHECK(buf[36] == 2);                        /* Bar: 8 bytes in words */
    CHECK(sum16(f, len - 28) == 0);             /* the checksum verifies */
    CHECK(buf[9] == 17 && sum16(buf, 20) == 0); /* IP filled as usual */

    /* and back: dissection finds Foo by the port, Bar by Foo's type */
    int n = pk_dissect(ip, buf, len, d, PK_MAXLAYERS);
    CHECK(n == 5);
    CHECK(n == 5 && d[2].proto == &foo && d[3].proto == &bar && d[4].proto == &pk_proto_raw);
    CHECK(d[2].v[FVAL].u == 0xdeadbeef && d[2].v[FLEN].u == 21);
    CHECK(d[3].hlen == 8 && d[3].v[2].len == 4 && memcmp(d[3].v[2].p, opts, 4) == 0);
    CHECK(d[4].hlen == 5);

    /* a source port binds when the destination port does not */
    buf[22] = 0x1e, buf[23] = 0x61;             /* sport 7777 */
    buf[24] = 0x9c, buf[25] = 0x40;             /* dport 40000 */
    n = pk_dissect(ip, buf, len, d, PK_MAXLAYERS);
    CHECK(n >= 3 && d[2].proto == &foo);

    /* Foo's length says where it ends: bytes past it are padding */
    uint8_t pad[256];
    memcpy(pad, buf, len);
    memset(pad + len, 0, 6);
    n = pk_dissect(ip, pad, len + 6, d, PK_MAXLAYERS);
    CHECK(n == 6 && d[5].proto == &pk_proto_padding);  /* past IP's length */
    pad[29] = 16;                               /* Foo and Bar only */
    n = pk_dissect(ip, pad, len, d, PK_MAXLAYERS);
    CHECK(n == 5 && d[3].proto == &bar && d[4].proto == &pk_proto_padding &&
          d[4].hlen == 5);
}

/* Records of another protocol: Lst { n (count), items: Itm records }. */
static const struct pk_field itm_fields[] = {
    { .name = "a", .type = PK_INT, .bits = 8 },
    { .name = "b", .type = PK_INT, .bits = 16 },
};
static struct pk_proto itm = { .name = "Itm", .longname = "Itm", .fields = itm_fields, .nfields = 2 };
static const struct pk_field lst_fields[] = {
    { .name = "n", .type = PK_INT, .bits = 8, .flags = PK_FF_AUTO | PK_FF_COUNT },
    { .name = "items", .type = PK_RECORDS, .rec = &itm, .count = 1 },
};
static struct pk_proto lst = { .name = "Lst", .longname = "Lst", .fields = lst_fields, .nfields = 2 };

static void records(void)
{
    static const uint8_t two[] = { 1, 0, 2, 3, 0, 4 };
    const char *why;
    struct pk_layer l, d[PK_MAXLAYERS];
    uint8_t buf[64];
    size_t len, used;
    int n;

    /* the record protocol must be registered first */
    CHECK(pk_proto_register(&lst, &why) == PK_EINVAL && strstr(why, "registered protocol"));
    CHECK(pk_proto_register(&itm, &why) > 0);
    {
        static const struct pk_field nocount[] = {
            { .name = "n", .type = PK_INT, .bits = 8 },
            { .name = "items", .type = PK_RECORDS, .rec = &itm, .count = 1 },
        };
        struct pk_proto p = { .name = "NoCount", .longname = "NoCount", .fields = nocount,
                              .nfields = 2 };
        CHECK(pk_proto_register(&p, &why) == PK_EINVAL && strstr(why, "marked as a count"));
    }
    CHECK(pk_proto_register(&lst, &why) > 0);

    /* the count is computed when unset */
    pk_layer_init(&l, &lst);
    pk_layer_setp(&l, 1, two, sizeof two);
    CHECK(pk_build(&l, 1, buf, sizeof buf, &len) == 0);
    CHECK(len == 7 && buf[0] == 2 && memcmp(buf + 1, two, 6) == 0);
    CHECK(pk_records_walk(&itm, two, sizeof two, UINT64_MAX, NULL, &used) == 2 && used == 6);
    CHECK(pk_records_walk(&itm, two, 5, UINT64_MAX, NULL, &used) == 1 && used == 3);

    /* dissection reads as many records as the count says; the rest is Raw */
    buf[0] = 1;
    n = pk_dissect(&lst, buf, len, d, PK_MAXLAYERS);
    CHECK(n == 2 && d[0].hlen == 4 && d[0].v[1].len == 3 && d[1].proto == &pk_proto_raw);
    /* more than there are: the layer is truncated after the whole ones */
    buf[0] = 3;
    n = pk_dissect(&lst, buf, len, d, PK_MAXLAYERS);
    CHECK(n == 1 && d[0].status == PK_LAYER_TRUNCATED && d[0].v[1].len == 6);
}

int main(void)
{
    builtins();
    runtime();
    records();
    printf("registry_test: %d passed, %d failed\n", passed, failed);
    return failed != 0;
}
