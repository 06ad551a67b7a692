/*
 * test_descs.h - record descriptors the codec tests and the records fuzz
 * target share: a DNS message (RFC 1035 4.1) with its question and
 * resource-record lists, and an IPv4 header (RFC 791 3.1) whose ihl
 * gives the options' length; and a TLV family of wider types.
 */
#ifndef TEST_DESCS_H
#define TEST_DESCS_H

#include "codec.h"

/* A TLV family none of the built-in ones is: 2-byte type and length,
 * the length without the header and in 4-byte units. */
static const struct pk_tlvitem test_u16s[] = { { NULL, PK_TLVT_UINT, 2, 1, NULL } };
static const struct pk_tlvkind test_kinds[] = {
    { 0x0102, 0, "ports", test_u16s, 1, 2, 8 },
    { 0xffff, PK_TLVK_SINGLE, "end", NULL, 0, 0, 0 },
    { 0, 0, NULL, NULL, 0, 0, 0 },
};
static const struct pk_tlvfam test_tlv = {
    .name = "test", .type_bytes = 2, .len_bytes = 2, .unit = 4, .len_hdr = 0,
    .end_kind = 0xffff, .kinds = test_kinds,
};

#define UINT_F(n, b, d) { .name = (n), .codec = PK_C_UINT, .bits = (b), .def = (d) }

static const struct pk_cfield dnsqr_fields[] = {
    { .name = "qname", .codec = PK_C_DNAME },
    UINT_F("qtype", 16, 1),
    UINT_F("qclass", 16, 1),
};

static const struct pk_rec dnsqr = {
    .name = "DNSQR", .fields = dnsqr_fields, .nfields = 3, .maxitems = 256,
};

enum { RR_NAME, RR_TYPE, RR_CLASS, RR_TTL, RR_RDLEN, RR_RDATA };

static const struct pk_cfield dnsrr_fields[] = {
    { .name = "rrname", .codec = PK_C_DNAME },
    UINT_F("type", 16, 1),
    UINT_F("rclass", 16, 1),
    UINT_F("ttl", 32, 0),
    UINT_F("rdlen", 16, 0),
    { .name = "rdata", .codec = PK_C_BYTES,
      .rel = { PK_REL_LENGTH, RR_RDLEN, 1, 0 } },
};

static const struct pk_rec dnsrr = {
    .name = "DNSRR", .fields = dnsrr_fields, .nfields = 6, .maxitems = 256,
};

enum { DNS_ID, DNS_QR, DNS_OPCODE, DNS_AA, DNS_TC, DNS_RD, DNS_RA, DNS_Z,
       DNS_AD, DNS_CD, DNS_RCODE, DNS_QDCOUNT, DNS_ANCOUNT, DNS_NSCOUNT,
       DNS_ARCOUNT, DNS_QD, DNS_AN, DNS_NS, DNS_AR };

static const struct pk_cfield dns_fields[] = {
    UINT_F("id", 16, 0), UINT_F("qr", 1, 0), UINT_F("opcode", 4, 0),
    UINT_F("aa", 1, 0), UINT_F("tc", 1, 0), UINT_F("rd", 1, 1),
    UINT_F("ra", 1, 0), UINT_F("z", 1, 0), UINT_F("ad", 1, 0),
    UINT_F("cd", 1, 0), UINT_F("rcode", 4, 0),
    UINT_F("qdcount", 16, 0), UINT_F("ancount", 16, 0),
    UINT_F("nscount", 16, 0), UINT_F("arcount", 16, 0),
    { .name = "qd", .codec = PK_C_RECORDS, .rec = &dnsqr,
      .rel = { PK_REL_COUNT, DNS_QDCOUNT, 0, 0 } },
    { .name = "an", .codec = PK_C_RECORDS, .rec = &dnsrr,
      .rel = { PK_REL_COUNT, DNS_ANCOUNT, 0, 0 } },
    { .name = "ns", .codec = PK_C_RECORDS, .rec = &dnsrr,
      .rel = { PK_REL_COUNT, DNS_NSCOUNT, 0, 0 } },
    { .name = "ar", .codec = PK_C_RECORDS, .rec = &dnsrr,
      .rel = { PK_REL_COUNT, DNS_ARCOUNT, 0, 0 } },
};

static const struct pk_rec dns = {
    .name = "DNS", .fields = dns_fields, .nfields = 19,
};

enum { IP_VERSION, IP_IHL, IP_TOS, IP_LEN, IP_ID, IP_FLAGS, IP_FRAG, IP_TTL,
       IP_PROTO, IP_CHKSUM, IP_SRC, IP_DST, IP_OPTIONS };

static const struct pk_cfield ip_fields[] = {
    UINT_F("version", 4, 4), UINT_F("ihl", 4, 0), UINT_F("tos", 8, 0),
    UINT_F("len", 16, 20), UINT_F("id", 16, 1), UINT_F("flags", 3, 0),
    UINT_F("frag", 13, 0), UINT_F("ttl", 8, 64), UINT_F("proto", 8, 0),
    UINT_F("chksum", 16, 0), UINT_F("src", 32, 0x7f000001),
    UINT_F("dst", 32, 0x7f000001),
    /* ihl counts 32-bit words of the whole header: options = ihl * 4 - 20 */
    { .name = "options", .codec = PK_C_TLV, .fam = &pk_tlv_ipv4, .pad4 = 1,
      .rel = { PK_REL_LENGTH, IP_IHL, 4, -20 } },
};

static const struct pk_rec ipv4hdr = {
    .name = "IP", .fields = ip_fields, .nfields = 13,
};

/* BOOTP's fixed part (RFC 951): fixed-size strings, and a 128-bit field
 * to carry a wide value through the record codec. */
enum { BP_OP, BP_CHADDR, BP_SNAME, BP_FILE, BP_WIDE, BP_ODD };

static const struct pk_cfield bootp_fields[] = {
    UINT_F("op", 8, 1),
    { .name = "chaddr", .codec = PK_C_FIXED, .size = 16 },
    { .name = "sname", .codec = PK_C_FIXED, .size = 64 },
    { .name = "file", .codec = PK_C_FIXED, .size = 128 },
    { .name = "wide", .codec = PK_C_WIDE, .bits = 128 },
    { .name = "odd", .codec = PK_C_WIDE, .bits = 68 },
};

static const struct pk_rec bootp_part = {
    .name = "BOOTPpart", .fields = bootp_fields, .nfields = 6,
};

#endif
