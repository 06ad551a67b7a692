/*
 * pcapfile.c - writing capture files in the classic pcap format, which
 * tcpdump, tshark and Scapy all read.  Reading goes through capture.c
 * (libpcap reads pcap and pcapng).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "pknet.h"

struct pk_pcapw {
    pcap_t *dead;
    pcap_dumper_t *d;
};

int pk_pcapw_open(struct pk_pcapw **out, const char *path, int linktype,
                  int snaplen, int append, char *err)
{
    struct pk_pcapw *w = calloc(1, sizeof *w);
    *out = NULL;
    if (!w) {
        snprintf(err, PK_ERRLEN, "out of memory");
        return PK_EIO;
    }
    w->dead = pcap_open_dead_with_tstamp_precision(linktype,
                                                   snaplen > 0 ? snaplen : 262144,
                                                   PCAP_TSTAMP_PRECISION_MICRO);
    if (!w->dead) {
        snprintf(err, PK_ERRLEN, "cannot write link type %d", linktype);
        free(w);
        return PK_EIO;
    }
    w->d = append ? pcap_dump_open_append(w->dead, path) : pcap_dump_open(w->dead, path);
    if (!w->d) {
        snprintf(err, PK_ERRLEN, "cannot write %s: %s", path, pcap_geterr(w->dead));
        pcap_close(w->dead);
        free(w);
        return PK_EIO;
    }
    *out = w;
    return 0;
}

int pk_pcapw_write(struct pk_pcapw *w, const struct pk_frame *f)
{
    struct pcap_pkthdr h;
    memset(&h, 0, sizeof h);
    h.ts.tv_sec = (time_t)f->sec;
    h.ts.tv_usec = f->usec;
    h.caplen = f->caplen;
    h.len = f->len > f->caplen ? f->len : f->caplen;
    pcap_dump((u_char *)w->d, &h, f->data);
    return 0;
}

int pk_pcapw_flush(struct pk_pcapw *w)
{
    return pcap_dump_flush(w->d) == 0 ? 0 : PK_EIO;
}

void pk_pcapw_close(struct pk_pcapw *w)
{
    if (!w)
        return;
    if (w->d)
        pcap_dump_close(w->d);
    if (w->dead)
        pcap_close(w->dead);
    free(w);
}
