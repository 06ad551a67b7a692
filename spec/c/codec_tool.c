/*
 * codec_tool.c - a small driver over the codecs for the specs that
 * compare them with Scapy: reads hex (or option lines) on stdin, prints
 * hex (or option lines) on stdout.
 *
 *   codec_tool tlv-decode FAMILY     hex -> one line per option, then "bytes HEX"
 *   codec_tool tlv-encode FAMILY     option lines -> hex (with the family's fill)
 *   codec_tool dname-decode OFFSET   hex message -> "TEXT USED" or "error MESSAGE"
 *   codec_tool dname-encode [SKIP]   one name per line -> hex of them written
 *                                    one after another with compression
 *   codec_tool dns-decode            hex -> the questions and answers, one per line
 *   codec_tool dns-compress          hex -> decoded, counts unset, built again
 *                                    with compression -> hex
 *   codec_tool ip-reencode           hex IPv4 header -> built again with ihl
 *                                    computed -> hex
 *
 * An option line is its name and values: integers in decimal, addresses
 * in their usual text, bytes and strings in hex; "raw KIND HEX" is a
 * value kept as bytes, "malformed HEX" bytes kept as they came.
 */
#include <stdio.h>
#include <stdlib.h>

#include "test_descs.h"

static int unhex(const char *s, uint8_t *out, size_t cap)
{
    size_t n = 0;
    for (; *s; s++) {
        unsigned v;
        if (*s == ' ' || *s == '\n' || *s == '\r' || *s == '\t')
            continue;
        if (n >= cap || sscanf(s, "%2x", &v) != 1 || !s[1])
            return -1;
        out[n++] = (uint8_t)v;
        s++;
    }
    return (int)n;
}

static void puthex(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        printf("%02x", p[i]);
}

static char *slurp(void)
{
    size_t cap = 1 << 18, n;
    char *s = malloc(cap + 1);
    if (!s)
        exit(2);
    n = fread(s, 1, cap, stdin);
    s[n] = '\0';
    return s;
}

static const struct pk_tlvfam *family(const char *name)
{
    if (strcmp(name, "tcp") == 0) return &pk_tlv_tcp;
    if (strcmp(name, "ipv4") == 0) return &pk_tlv_ipv4;
    if (strcmp(name, "dhcp") == 0) return &pk_tlv_dhcp;
    if (strcmp(name, "nd") == 0) return &pk_tlv_nd;
    fprintf(stderr, "codec_tool: unknown family %s (tcp, ipv4, dhcp, nd)\n", name);
    exit(2);
}

static void print_value(const struct pk_tlvitem *it, const struct pk_val *v)
{
    char buf[64];
    switch (it->type) {
    case PK_TLVT_UINT: printf(" %llu", (unsigned long long)v->u); break;
    case PK_TLVT_IPV4: pk_ipv4_format((uint32_t)v->u, buf); printf(" %s", buf); break;
    case PK_TLVT_MAC:  pk_mac_format(v->u, buf); printf(" %s", buf); break;
    case PK_TLVT_IPV6: pk_ipv6_format(v->p, buf); printf(" %s", buf); break;
    default:           printf(" "); puthex(v->p, v->len); break;
    }
}

static int tlv_decode(const struct pk_tlvfam *f)
{
    static uint8_t in[1 << 16], out[1 << 16];
    static struct pk_tlv o[256];
    static struct pk_val vals[256][64];
    char *s = slurp();
    int len = unhex(s, in, sizeof in);
    if (len < 0)
        return 2;
    int n = pk_tlv_decode(f, in, (size_t)len, o, 256);
    for (int i = 0; i < n; i++) {
        const struct pk_tlvkind *k = pk_tlv_kind(f, o[i].kind);
        if (o[i].status == PK_TLV_MALFORMED) {
            printf("malformed ");
            puthex(o[i].data, o[i].len);
        } else if (o[i].status == PK_TLV_RAW || !k) {
            printf("raw %u ", o[i].kind);
            puthex(o[i].data, o[i].len);
        } else {
            printf("%s", k->name);
            for (unsigned j = 0; j < o[i].nvals && j < 64; j++) {
                if (pk_tlv_value(f, &o[i], j, &vals[i][j]) < 0)
                    return 3;
                print_value(pk_tlv_item(k, j), &vals[i][j]);
            }
            o[i].vals = vals[i];    /* encode again from the values */
        }
        printf("\n");
    }
    int w = pk_tlv_encode(f, o, n, out, sizeof out);
    if (w >= 0)
        w = pk_tlv_fill(f, out, (size_t)w, sizeof out);
    if (w < 0) {
        printf("error %s\n", pk_codec_strerror(w));
        return 1;
    }
    printf("bytes ");
    puthex(out, (size_t)w);
    printf("\n");
    free(s);
    return 0;
}

static int parse_value(const struct pk_tlvitem *it, const char *tok,
                       struct pk_val *v, uint8_t *store)
{
    memset(v, 0, sizeof *v);
    switch (it->type) {
    case PK_TLVT_UINT: {
        char *end;
        v->u = strtoull(tok, &end, 10);
        for (const struct pk_name *nm = it->names; *end && nm && nm->name; nm++)
            if (strcmp(nm->name, tok) == 0) {
                v->u = nm->value;
                return 0;
            }
        return *end ? -1 : 0;
    }
    case PK_TLVT_IPV4: {
        uint32_t a;
        if (pk_ipv4_parse(tok, &a) < 0)
            return -1;
        v->u = a;
        return 0;
    }
    case PK_TLVT_MAC:
        return pk_mac_parse(tok, &v->u) < 0 ? -1 : 0;
    case PK_TLVT_IPV6:
        v->p = store;
        v->len = 16;
        return pk_ipv6_parse(tok, store) < 0 ? -1 : 0;
    default: {
        int n = unhex(tok, store, 256);
        v->p = store;
        v->len = n < 0 ? 0 : (uint32_t)n;
        return n < 0 ? -1 : 0;
    }
    }
}

static int tlv_encode(const struct pk_tlvfam *f)
{
    static uint8_t out[1 << 16], store[256][64][256];
    static struct pk_val vals[256][64];
    struct pk_tlv o[256];
    char line[4096];
    int n = 0;

    while (n < 256 && fgets(line, sizeof line, stdin)) {
        char *save, *tok = strtok_r(line, " \n", &save);
        struct pk_tlv *t = &o[n];
        if (!tok)
            continue;
        memset(t, 0, sizeof *t);
        if (strcmp(tok, "malformed") == 0 || strcmp(tok, "raw") == 0) {
            t->status = tok[0] == 'm' ? PK_TLV_MALFORMED : PK_TLV_RAW;
            if (t->status == PK_TLV_RAW)
                t->kind = (uint16_t)atoi(strtok_r(NULL, " \n", &save));
            tok = strtok_r(NULL, " \n", &save);
            int l = tok ? unhex(tok, store[n][0], 256) : 0;
            if (l < 0)
                return 2;
            t->data = store[n][0];
            t->len = (uint32_t)l;
            if (t->status == PK_TLV_MALFORMED && l > 0)
                t->kind = store[n][0][0];
            n++;
            continue;
        }
        const struct pk_tlvkind *k = pk_tlv_named(f, tok);
        if (!k) {
            fprintf(stderr, "codec_tool: unknown option %s\n", tok);
            return 2;
        }
        t->kind = k->kind;
        t->vals = vals[n];
        while ((tok = strtok_r(NULL, " \n", &save)) && t->nvals < 64) {
            const struct pk_tlvitem *it = pk_tlv_item(k, t->nvals);
            if (!it || parse_value(it, tok, &vals[n][t->nvals], store[n][t->nvals]) < 0) {
                fprintf(stderr, "codec_tool: bad value %s for %s\n", tok, k->name);
                return 2;
            }
            t->nvals++;
        }
        n++;
    }
    int w = pk_tlv_encode(f, o, n, out, sizeof out);
    if (w >= 0)
        w = pk_tlv_fill(f, out, (size_t)w, sizeof out);
    if (w < 0) {
        printf("error %s\n", pk_codec_strerror(w));
        return 1;
    }
    puthex(out, (size_t)w);
    printf("\n");
    return 0;
}

static int dname_decode(size_t off)
{
    static uint8_t in[1 << 16];
    uint8_t name[PK_DNAME_MAX];
    char text[PK_DNAME_TEXTMAX];
    size_t used;
    char *s = slurp();
    int len = unhex(s, in, sizeof in);
    if (len < 0)
        return 2;
    int n = pk_dname_decode(in, (size_t)len, off, name, &used);
    if (n >= 0)
        n = pk_dname_format(name, (size_t)n, text, sizeof text);
    if (n < 0)
        printf("error %s\n", pk_codec_strerror(n));
    else
        printf("%s %zu\n", text, used);
    free(s);
    return 0;
}

static int dname_encode(size_t skip)
{
    static uint8_t out[1 << 16];
    struct pk_dname_comp comp = { .n = 0 };
    struct pk_wr w;
    char line[4096];

    pk_wr_init(&w, out, sizeof out);
    pk_wr_zeros(&w, skip);
    while (fgets(line, sizeof line, stdin)) {
        uint8_t name[PK_DNAME_MAX];
        line[strcspn(line, "\n")] = '\0';
        int n = pk_dname_parse(line, name);
        if (n < 0) {
            printf("error %s\n", pk_codec_strerror(n));
            return 1;
        }
        pk_dname_encode(&w, name, (size_t)n, &comp);
    }
    if (w.err) {
        printf("error %s\n", pk_codec_strerror(w.err));
        return 1;
    }
    puthex(out + skip, w.len - skip);
    printf("\n");
    return 0;
}

static struct pk_recval recs[4096];
static struct pk_val vals[4096 * 8];
static uint8_t names[1 << 18];

static void arena_init(struct pk_arena *a)
{
    *a = (struct pk_arena){ recs, 0, 4096, vals, 0, 4096 * 8, names, 0, sizeof names };
}

static void print_list(const struct pk_arena *a, const char *tag, const struct pk_val *v)
{
    char text[PK_DNAME_TEXTMAX];
    int c = v->len ? (int)v->u : -1;
    for (uint32_t k = 0; k < v->len && c >= 0; k++, c = a->recs[c].next) {
        const struct pk_recval *r = &a->recs[c];
        if (pk_dname_format(r->v[0].p, r->v[0].len, text, sizeof text) < 0)
            strcpy(text, "?");
        printf("%s %s", tag, text);
        for (int f = 1; f < r->rec->nfields; f++) {
            if (r->rec->fields[f].codec == PK_C_UINT)
                printf(" %llu", (unsigned long long)r->v[f].u);
            else {
                printf(" ");
                puthex(r->v[f].p, r->v[f].len);
            }
        }
        printf("\n");
    }
}

static int dns_run(int compress)
{
    static uint8_t in[1 << 16], out[1 << 16];
    struct pk_arena a;
    struct pk_rd r;
    char *s = slurp();
    int len = unhex(s, in, sizeof in);
    if (len < 0)
        return 2;
    arena_init(&a);
    pk_rd_init(&r, in, (size_t)len);
    int ri = pk_rec_decode(&dns, &r, in, (size_t)len, &a);
    if (ri < 0)
        return 3;
    if (!compress) {
        printf("status %d\n", a.recs[ri].status);
        print_list(&a, "qd", &a.recs[ri].v[DNS_QD]);
        print_list(&a, "an", &a.recs[ri].v[DNS_AN]);
        print_list(&a, "ns", &a.recs[ri].v[DNS_NS]);
        print_list(&a, "ar", &a.recs[ri].v[DNS_AR]);
        return 0;
    }
    /* the counts and the lengths are computed again */
    a.recs[ri].set &= ~(0xfu << DNS_QDCOUNT);
    for (int i = 0; i < a.nrecs; i++)
        if (a.recs[i].rec == &dnsrr)
            a.recs[i].set &= ~(1u << RR_RDLEN);
    struct pk_dname_comp comp = { .n = 0 };
    struct pk_wr w;
    pk_wr_init(&w, out, sizeof out);
    pk_rec_encode(&a, ri, &w, &comp);
    if (w.err) {
        printf("error %s\n", pk_codec_strerror(w.err));
        return 1;
    }
    puthex(out, w.len);
    printf("\n");
    return 0;
}

static int ip_reencode(void)
{
    static uint8_t in[1 << 16], out[1 << 16];
    struct pk_arena a;
    struct pk_rd r;
    struct pk_wr w;
    char *s = slurp();
    int len = unhex(s, in, sizeof in);
    if (len < 0)
        return 2;
    arena_init(&a);
    pk_rd_init(&r, in, (size_t)len);
    int ri = pk_rec_decode(&ipv4hdr, &r, in, (size_t)len, &a);
    if (ri < 0 || a.recs[ri].status != PK_LAYER_OK)
        return 3;
    a.recs[ri].set &= ~(1u << IP_IHL);
    pk_wr_init(&w, out, sizeof out);
    pk_rec_encode(&a, ri, &w, NULL);
    if (w.err) {
        printf("error %s\n", pk_codec_strerror(w.err));
        return 1;
    }
    puthex(out, w.len);
    printf("\n");
    return 0;
}

int main(int argc, char **argv)
{
    const char *cmd = argc > 1 ? argv[1] : "";
    if (strcmp(cmd, "tlv-decode") == 0 && argc > 2)
        return tlv_decode(family(argv[2]));
    if (strcmp(cmd, "tlv-encode") == 0 && argc > 2)
        return tlv_encode(family(argv[2]));
    if (strcmp(cmd, "dname-decode") == 0 && argc > 2)
        return dname_decode((size_t)strtoul(argv[2], NULL, 10));
    if (strcmp(cmd, "dname-encode") == 0)
        return dname_encode(argc > 2 ? (size_t)strtoul(argv[2], NULL, 10) : 0);
    if (strcmp(cmd, "dns-decode") == 0)
        return dns_run(0);
    if (strcmp(cmd, "dns-compress") == 0)
        return dns_run(1);
    if (strcmp(cmd, "ip-reencode") == 0)
        return ip_reencode();
    fprintf(stderr, "usage: codec_tool tlv-decode|tlv-encode FAMILY | dname-decode OFFSET |"
            " dname-encode [SKIP] | dns-decode | dns-compress | ip-reencode\n");
    return 2;
}
