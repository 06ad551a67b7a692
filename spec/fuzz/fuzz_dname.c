/*
 * fuzz_dname.c - libFuzzer target for domain names (src/dname.c).  The
 * first two bytes give an offset into the rest, a whole message; a name
 * read there formats to text that parses back to it, and writes back
 * (plain and compressed) to something that reads as the same name.  The
 * input as text goes through parse, format and parse again.
 */
#include "fuzz_common.h"
#include "codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_name(const uint8_t *name, size_t nlen, const uint8_t *msg,
                       size_t mlen)
{
    char text[PK_DNAME_TEXTMAX];
    uint8_t back[PK_DNAME_MAX], out[2 * PK_DNAME_MAX + 8];
    size_t used;

    FUZZ_CHECK(nlen >= 1 && nlen <= PK_DNAME_MAX && name[nlen - 1] == 0);
    int t = pk_dname_format(name, nlen, text, sizeof text);
    FUZZ_CHECK(t > 0 && text[t - 1] == '.' && strlen(text) == (size_t)t);
    /* a buffer of exactly t bytes is one too few */
    char *tight = malloc((size_t)t);
    FUZZ_CHECK(tight && pk_dname_format(name, nlen, tight, (size_t)t) == PK_ENOSPC);
    free(tight);
    FUZZ_CHECK(pk_dname_parse(text, back) == (int)nlen && memcmp(back, name, nlen) == 0);

    /* written twice with compression: the second is one pointer */
    struct pk_dname_comp comp = { .n = 0 };
    struct pk_wr w;
    pk_wr_init(&w, out, sizeof out);
    pk_dname_encode(&w, name, nlen, &comp);
    size_t first = w.len;
    pk_dname_encode(&w, name, nlen, &comp);
    FUZZ_CHECK(!w.err && first == nlen && (nlen == 1 ? w.len == 2 : w.len == first + 2));
    FUZZ_CHECK(pk_dname_decode(out, w.len, first, back, &used) == (int)nlen &&
               memcmp(back, name, nlen) == 0 && used == w.len - first);

    /* after the message, compressed against the names in it */
    uint8_t *big = malloc(mlen + PK_DNAME_MAX);
    FUZZ_CHECK(big != NULL);
    memcpy(big, msg, mlen);
    comp.n = 0;
    for (size_t off = 0; off < mlen && off < 0x4000 && comp.n < PK_DNAME_MAXCOMP; off += 7)
        comp.off[comp.n++] = (uint16_t)off;     /* any offset: a bad one never matches */
    pk_wr_init(&w, big, mlen + PK_DNAME_MAX);
    w.len = mlen;
    pk_dname_encode(&w, name, nlen, &comp);
    FUZZ_CHECK(!w.err);
    FUZZ_CHECK(pk_dname_decode(big, w.len, mlen, back, &used) == (int)nlen &&
               memcmp(back, name, nlen) == 0 && used == w.len - mlen);
    free(big);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t name[PK_DNAME_MAX];
    size_t used;

    if (size < 2)
        return 0;
    size_t mlen = size - 2, off = (size_t)(data[0] << 8 | data[1]);
    uint8_t *msg = malloc(mlen ? mlen : 1);     /* exactly the message */
    FUZZ_CHECK(msg != NULL);
    memcpy(msg, data + 2, mlen);
    if (mlen)
        off %= mlen;

    int n = pk_dname_decode(msg, mlen, off, name, &used);
    if (n >= 0) {
        FUZZ_CHECK(used >= 1 && used <= mlen - off);
        check_name(name, (size_t)n, msg, mlen);
    } else {
        FUZZ_CHECK(n == PK_ETRUNC || n == PK_EPOINTER || n == PK_ELOOP ||
                   n == PK_ETOOLONG || n == PK_ELABEL);
    }

    /* the bytes as text */
    char *s = malloc(mlen + 1);
    FUZZ_CHECK(s != NULL);
    memcpy(s, msg, mlen);
    s[mlen] = '\0';
    n = pk_dname_parse(s, name);
    if (n >= 0)
        check_name(name, (size_t)n, msg, mlen);
    else
        FUZZ_CHECK(n == PK_EINVAL || n == PK_ETOOLONG);
    free(s);
    free(msg);
    return 0;
}
