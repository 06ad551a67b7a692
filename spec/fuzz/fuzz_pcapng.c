/*
 * fuzz_pcapng.c - libFuzzer target for the pcapng reader: the input is a
 * file.  Every frame it gives lies in range, and what it read, written
 * back with the pcapng writer, reads back the same (bytes, lengths, times,
 * interfaces and comments).
 */
#define _GNU_SOURCE     /* fmemopen, open_memstream */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pknet.h"

#define FUZZ_CHECK(cond) do { if (!(cond)) abort(); } while (0)
#define MAXFRAMES 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct copy {
    uint8_t *data;
    struct pk_frame f;
    char *comment;
};

/* Reads the file in buf; keeps up to MAXFRAMES frames (copies) in out.
 * Returns how many, and the reader's interface count in *nif. */
static int read_all(const uint8_t *buf, size_t size, struct copy *out, int keep,
                    struct pk_iface_desc **ifs, int *nif)
{
    char err[PK_ERRLEN] = "";
    struct pk_ngr *r;
    struct pk_frame f;
    struct pk_file_info fi;
    int n = 0, rc;
    FILE *fp = fmemopen((void *)buf, size, "rb");

    *nif = 0;
    if (!fp)
        return -1;
    if (pk_ngr_open(&r, fp, err) < 0)
        return -1;
    while ((rc = pk_ngr_next(r, &f, err)) == 1) {
        FUZZ_CHECK(f.nsec >= 0 && f.nsec < 1000000000 && f.usec == f.nsec / 1000);
        pk_ngr_info(r, &fi);
        FUZZ_CHECK(f.ifid < (uint32_t)fi.niface);
        FUZZ_CHECK(f.linktype == pk_ngr_iface(r, (int)f.ifid)->linktype);
        FUZZ_CHECK(f.caplen <= size && (f.comment == NULL || f.comment_len <= size));
        if (n < keep) {
            struct copy *c = &out[n];
            c->f = f;
            c->data = malloc(f.caplen ? f.caplen : 1);
            FUZZ_CHECK(c->data != NULL);
            memcpy(c->data, f.data, f.caplen);
            c->comment = NULL;
            if (f.comment) {
                size_t cl = f.comment_len > 65535 ? 65535 : f.comment_len;
                c->comment = malloc(cl + 1);
                FUZZ_CHECK(c->comment != NULL);
                memcpy(c->comment, f.comment, cl);
                c->comment[cl] = 0;
                c->f.comment_len = cl;
            }
        }
        n++;
    }
    FUZZ_CHECK(rc == PK_EOF || rc == PK_ETRUNC || rc == PK_EIO);
    FUZZ_CHECK(strlen(err) < PK_ERRLEN);
    pk_ngr_info(r, &fi);
    if (ifs) {
        *ifs = calloc((size_t)fi.niface + 1, sizeof **ifs);
        FUZZ_CHECK(*ifs != NULL);
        for (int i = 0; i < fi.niface; i++) {
            const struct pk_iface_desc *d = pk_ngr_iface(r, i);
            (*ifs)[i] = *d;
            /* copies: the reader frees its own */
            (*ifs)[i].name = d->name ? strdup(d->name) : NULL;
            (*ifs)[i].description = d->description ? strdup(d->description) : NULL;
            (*ifs)[i].comment = d->comment ? strdup(d->comment) : NULL;
        }
    }
    *nif = fi.niface;
    pk_ngr_close(r);
    return n < keep ? n : keep;
}

static void free_ifs(struct pk_iface_desc *ifs, int n)
{
    for (int i = 0; i < n; i++) {
        free((char *)ifs[i].name);
        free((char *)ifs[i].description);
        free((char *)ifs[i].comment);
    }
    free(ifs);
}

static int same_str(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct copy in[MAXFRAMES], back[MAXFRAMES];
    struct pk_iface_desc *ifs = NULL, *ifs2 = NULL;
    int nif, nif2;
    char *out = NULL;
    size_t outlen = 0;

    if (size == 0)
        return 0;
    int n = read_all(data, size, in, MAXFRAMES, &ifs, &nif);
    if (n < 0)
        return 0;
    /* written back: a section, the interfaces, the frames kept */
    FILE *w = open_memstream(&out, &outlen);
    FUZZ_CHECK(w != NULL);
    int ok = pk_ng_write_shb(w, NULL) == 0;
    for (int i = 0; ok && i < nif; i++)
        ok = pk_ng_write_idb(w, &ifs[i]) == 0;
    int written = 0;
    for (int i = 0; ok && i < n; i++) {
        struct pk_frame f = in[i].f;
        f.data = in[i].data;
        f.comment = in[i].comment;
        /* a time before 1970 or past 2554 is refused by the writer */
        if (f.sec < 0 || f.sec >= (int64_t)(UINT64_MAX / 1000000000u)) {
            free(in[i].data);
            free(in[i].comment);
            in[i].data = NULL;
            in[i].comment = NULL;
            continue;
        }
        if (written != i) {         /* kept frames move to the front */
            in[written] = in[i];
            in[i].data = NULL;
            in[i].comment = NULL;
        }
        ok = pk_ng_write_epb(w, &f, (uint64_t)f.sec * 1000000000u + (uint64_t)f.nsec) == 0;
        written++;
    }
    for (int i = written; i < n; i++) {
        free(in[i].data);
        free(in[i].comment);
    }
    FUZZ_CHECK(fclose(w) == 0 && ok);
    int m = read_all((const uint8_t *)out, outlen, back, MAXFRAMES, &ifs2, &nif2);
    FUZZ_CHECK(m == written && nif2 == nif);
    for (int i = 0; i < nif; i++) {
        FUZZ_CHECK(ifs2[i].linktype == ifs[i].linktype && ifs2[i].snaplen == ifs[i].snaplen);
        FUZZ_CHECK(same_str(ifs2[i].name, ifs[i].name) && same_str(ifs2[i].comment, ifs[i].comment) &&
                   same_str(ifs2[i].description, ifs[i].description));
    }
    for (int i = 0; i < m; i++) {
        const struct pk_frame *a = &in[i].f, *b = &back[i].f;
        FUZZ_CHECK(a->caplen == b->caplen && memcmp(in[i].data, back[i].data, a->caplen) == 0);
        FUZZ_CHECK(a->len == b->len);
        FUZZ_CHECK(a->sec == b->sec && a->nsec == b->nsec && a->ifid == b->ifid);
        FUZZ_CHECK(same_str(in[i].comment, back[i].comment));
        free(back[i].data);
        free(back[i].comment);
    }
    for (int i = 0; i < written; i++) {
        free(in[i].data);
        free(in[i].comment);
    }
    free_ifs(ifs, nif);
    free_ifs(ifs2, nif2);
    free(out);
    return 0;
}
