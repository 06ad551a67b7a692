/*
 * dhcp.c - BOOTP (RFC 951, RFC 1542) and the DHCP options it carries
 * (RFC 2131 3, RFC 2132), laid out as Scapy's BOOTP and DHCP layers:
 * the magic cookie is BOOTP's last field, `options`, and DHCP is bound
 * to its value, so DHCP holds the option list alone.
 */
#include <string.h>

#include "../pk.h"
#include "../codec.h"
#include "names.h"

enum { OP, HTYPE, HLEN, HOPS, XID, SECS, FLAGS, CIADDR, YIADDR, SIADDR,
       GIADDR, CHADDR, SNAME, FILE_, MAGIC };

#define DHCP_MAGIC 0x63825363u  /* RFC 2131 3: 99.130.83.99 */
#define PORT_SERVER 67
#define PORT_CLIENT 68

static const struct pk_name ops[] = {
    { 1, "BOOTREQUEST" }, { 2, "BOOTREPLY" }, { 0, NULL },
};

/* Bit 15 is the broadcast flag (RFC 1542 3.1.1); Scapy names the rest "?". */
static const struct pk_name bootpflags[] = {
    { 0, "?" }, { 1, "?" }, { 2, "?" }, { 3, "?" }, { 4, "?" }, { 5, "?" },
    { 6, "?" }, { 7, "?" }, { 8, "?" }, { 9, "?" }, { 10, "?" }, { 11, "?" },
    { 12, "?" }, { 13, "?" }, { 14, "?" }, { 15, "B" }, { 0, NULL },
};

static const struct pk_name magics[] = {
    { DHCP_MAGIC, "DHCP magic" }, { 0, NULL },
};

static const struct pk_field bootp_fields[] = {
    { .name = "op", .type = PK_INT, .bits = 8, .def = 1, .names = ops },
    { .name = "htype", .type = PK_INT, .bits = 8, .def = 1, .names = pk_hwtypes },
    { .name = "hlen", .type = PK_INT, .bits = 8, .def = 6 },
    { .name = "hops", .type = PK_INT, .bits = 8 },
    { .name = "xid", .type = PK_INT, .bits = 32, .flags = PK_FF_HEX },
    { .name = "secs", .type = PK_INT, .bits = 16 },
    { .name = "flags", .type = PK_FLAGS, .bits = 16, .names = bootpflags },
    { .name = "ciaddr", .type = PK_IPV4, .bits = 32 },
    { .name = "yiaddr", .type = PK_IPV4, .bits = 32 },
    { .name = "siaddr", .type = PK_IPV4, .bits = 32 },
    { .name = "giaddr", .type = PK_IPV4, .bits = 32 },
    { .name = "chaddr", .type = PK_FIXED, .bits = 16 * 8 },
    { .name = "sname", .type = PK_FIXED, .bits = 64 * 8 },
    { .name = "file", .type = PK_FIXED, .bits = 128 * 8 },
    /* the first four bytes of the vendor area: DHCP's cookie when the
     * options follow (filled in under DHCP), else zeros */
    { .name = "options", .type = PK_INT, .bits = 32, .flags = PK_FF_HEX,
      .names = magics, .role = PK_ROLE_NEXT, .cls = "bootp.options" },
};

/* UDP{}/BOOTP{} goes from port 67 to port 68, as Scapy builds it (of
 * its two bind_layers(UDP, BOOTP, ...) the later, sport=67 dport=68,
 * fills the ports): the bind fills the destination port, this the
 * source port of the layer below when it is a port the binds select by
 * and left unset. */
static void prepare(struct pk_layer *ls, int i, int n)
{
    struct pk_layer *u = i > 0 ? &ls[i - 1] : NULL;
    (void)n;
    for (int f = 0; u && f < u->proto->nfields; f++) {
        const struct pk_field *fd = &u->proto->fields[f];
        if (fd->role == PK_ROLE_NEXT && (fd->flags & PK_FF_ALT) && fd->cls &&
            strcmp(fd->cls, "udp.port") == 0 && !(u->set >> f & 1))
            pk_layer_setu(u, f, PORT_SERVER);
    }
}

/* A reply carries the transaction id of its request (RFC 2131 4.1). */
static size_t hashret(const struct pk_layer *ls, int i, int n, uint8_t *key,
                      size_t cap)
{
    (void)n;
    return pk_key_put(key, cap, pk_layer_u(&ls[i], XID), 4);
}

static int answers(const struct pk_layer *req, int i, int nreq,
                   const struct pk_layer *rep, int j, int nrep)
{
    if (req[i].proto != rep[j].proto ||
        pk_layer_u(&req[i], XID) != pk_layer_u(&rep[j], XID))
        return 0;
    return pk_answers_from(req, i + 1, nreq, rep, j + 1, nrep);
}

static const struct pk_bind bootp_binds[] = {
    { "udp.port", PORT_CLIENT, 0 },     /* the first fills an unset dport */
    { "udp.port", PORT_SERVER, 0 },
};

struct pk_proto pk_proto_bootp = {
    .name = "BOOTP", .longname = "BOOTP",
    .fields = bootp_fields, .nfields = 15,
    .binds = bootp_binds, .nbinds = 2,
    .prepare = prepare,
    .hashret = hashret, .answers = answers,
};

/* ---- DHCP options (RFC 2132) -------------------------------------------
 * The length counts the value only; pad (0) and end (255) are single
 * bytes, and what follows end is read on, as Scapy does.  A value of a
 * fixed-size type may hold several, as Scapy reads them (two routers,
 * or two lease times); param_req_list is one list. */

#define ITEMS(a) (a), (uint8_t)(sizeof(a) / sizeof((a)[0]))

static const struct pk_name dhcp_types[] = {
    { 1, "discover" }, { 2, "offer" }, { 3, "request" }, { 4, "decline" },
    { 5, "ack" }, { 6, "nak" }, { 7, "release" }, { 8, "inform" },
    { 9, "force_renew" }, { 10, "lease_query" }, { 11, "lease_unassigned" },
    { 12, "lease_unknown" }, { 13, "lease_active" }, { 0, NULL },
};

static const struct pk_tlvitem msgtype[] = { { NULL, PK_TLVT_UINT, 1, 1, dhcp_types } };
static const struct pk_tlvitem u16s[] = { { NULL, PK_TLVT_UINT, 2, 1, NULL } };
static const struct pk_tlvitem u32s[] = { { NULL, PK_TLVT_UINT, 4, 1, NULL } };
static const struct pk_tlvitem ipv4s[] = { { NULL, PK_TLVT_IPV4, 0, 1, NULL } };
static const struct pk_tlvitem codes[] = { { NULL, PK_TLVT_UINT, 1, 2, NULL } };
static const struct pk_tlvitem bytes[] = { { NULL, PK_TLVT_BYTES, 0, 0, NULL } };
static const struct pk_tlvitem text[] = { { NULL, PK_TLVT_STRING, 0, 0, NULL } };

static const struct pk_tlvkind dhcp_kinds[] = {
    { 0, PK_TLVK_SINGLE, "pad", NULL, 0, 0, 0 },
    { 1, 0, "subnet_mask", ITEMS(ipv4s), 4, 0 },
    { 3, 0, "router", ITEMS(ipv4s), 4, 0 },
    { 6, 0, "name_server", ITEMS(ipv4s), 4, 0 },
    { 12, 0, "hostname", ITEMS(text), 1, 0 },
    { 15, 0, "domain", ITEMS(text), 1, 0 },
    { 28, 0, "broadcast_address", ITEMS(ipv4s), 4, 0 },
    { 42, 0, "NTP_server", ITEMS(ipv4s), 4, 0 },
    { 50, 0, "requested_addr", ITEMS(ipv4s), 4, 0 },
    { 51, 0, "lease_time", ITEMS(u32s), 4, 0 },
    { 53, 0, "message-type", ITEMS(msgtype), 1, 0 },
    { 54, 0, "server_id", ITEMS(ipv4s), 4, 0 },
    { 55, 0, "param_req_list", ITEMS(codes), 0, 0 },
    { 56, 0, "error_message", ITEMS(text), 0, 0 },
    { 57, 0, "max_dhcp_size", ITEMS(u16s), 2, 0 },
    { 58, 0, "renewal_time", ITEMS(u32s), 4, 0 },
    { 59, 0, "rebinding_time", ITEMS(u32s), 4, 0 },
    { 60, 0, "vendor_class_id", ITEMS(bytes), 0, 0 },
    { 61, 0, "client_id", ITEMS(bytes), 2, 0 },
    { 255, PK_TLVK_SINGLE, "end", NULL, 0, 0, 0 },
    { 0, 0, NULL, NULL, 0, 0, 0 },
};

const struct pk_tlvfam pk_tlv_dhcp = {
    .name = "DHCP options", .type_bytes = 1, .len_bytes = 1, .unit = 1,
    .len_hdr = 0, .end_kind = 255, .fill = PK_TLV_FILL_NONE,
    .kinds = dhcp_kinds,
};

static const struct pk_field dhcp_fields[] = {
    { .name = "options", .type = PK_TLV, .bits = 0, .fam = &pk_tlv_dhcp },
};

/* Scapy's: "DHCP Discover" by the first message-type option; without
 * one, the layers below summarise. */
static const struct pk_sumfmt dhcp_summary[] = {
    { -1, 0, "DHCP %^options.message-type%" },
    { -1, 0, NULL },
};

static const struct pk_bind dhcp_binds[] = {
    { "bootp.options", DHCP_MAGIC, 0 },
};

struct pk_proto pk_proto_dhcp = {
    .name = "DHCP", .longname = "DHCP options",
    .fields = dhcp_fields, .nfields = 1,
    .binds = dhcp_binds, .nbinds = 1,
    .summary = dhcp_summary,
};
