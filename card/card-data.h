/* card-data.h - what the OpenPGP card's data objects mean
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The card-data module: pure functions and tables (no card I/O, no
 * PC/SC), linked by every process that reads or writes OpenPGP card
 * data -- oca-scd (through card/'s application layer), and oca: its
 * Assuan client and src/pk.c (curve OIDs):
 *
 *  - status words and the ISO 7816 command encoding (short and
 *    extended APDUs) that every route to a card uses;
 *  - BER-TLV writing and DigestInfo prefixes (what RSA signs);
 *  - key attributes (DO C1..C3), algorithm information (DO FA) and the
 *    curve table (names, OIDs, sizes);
 *  - the canonical public key S-expression, its keygrip, the v4
 *    fingerprint the host writes to C7..C9, and the key import
 *    templates (4D).
 *
 * Two files: card-data.c (status words, APDUs, DigestInfo, curves, key
 * attributes, DO FA) and card-keys.c (key material).  Built into
 * libocacarddata.a; libocacard.a (transport, ISO 7816, application)
 * sits on top of it.
 */
#ifndef OCA_CARD_DATA_H
#define OCA_CARD_DATA_H

#include "oca-common.h"
#include "membuf.h"

/* Status words of interest.  */
#define SW_SUCCESS            0x9000
#define SW_EOF_REACHED        0x6282
#define SW_TERM_STATE         0x6285
#define SW_EEPROM_FAILURE     0x6581
#define SW_ACK_TIMEOUT        0x6600
#define SW_WRONG_LENGTH       0x6700
#define SW_SM_NOT_SUP         0x6882
#define SW_CC_NOT_SUP         0x6884
#define SW_CHV_WRONG          0x6982
#define SW_CHV_BLOCKED        0x6983
#define SW_USE_CONDITIONS     0x6985
#define SW_BAD_PARAMETER      0x6A80
#define SW_FILE_NOT_FOUND     0x6A82
#define SW_REF_NOT_FOUND      0x6A88
#define SW_BAD_P0_P1          0x6B00
#define SW_INS_NOT_SUP        0x6D00
#define SW_CLA_NOT_SUP        0x6E00

/* Host-side pseudo status words (never produced by a card).  */
#define SW_HOST_OUT_OF_CORE          0x10001
#define SW_HOST_INV_VALUE            0x10002
#define SW_HOST_INCOMPLETE_RESPONSE  0x10003
#define SW_HOST_NOT_SUPPORTED        0x10005
#define SW_HOST_LOCKING_FAILED       0x10006
#define SW_HOST_BUSY                 0x10007
#define SW_HOST_NO_CARD              0x10008
#define SW_HOST_CARD_INACTIVE        0x10009
#define SW_HOST_CARD_IO_ERROR        0x1000A
#define SW_HOST_GENERAL_ERROR        0x1000B
#define SW_HOST_NO_READER            0x1000C
#define SW_HOST_CARD_RESET           0x1000D  /* Reset by another client;
                                                 already reconnected.  */
#define SW_HOST_CARD_REMOVED         0x1000E
#define SW_HOST_SCRIPT_MISMATCH      0x1000F  /* Scripted backend only.  */

/* Map the status word (or host pseudo status word) SW to an error
 * (0 for 9000).  The one place where status words become errors: the
 * ISO 7816 layer and the Assuan client's APDU route both call it.  */
gpg_error_t card_map_sw (int sw);

/* Encode the command APDU CLA INS P1 P2 into BUF, which has room for
 * 4 + 3 + LC + 3 bytes.  LC is the length of DATA (0: no data field);
 * LE is the expected response length (-1: no Le field; 256 or more:
 * "00" in short form; up to 65536 with EXT).  EXT selects the extended
 * length encoding.  Returns the length of the APDU.  */
size_t card_build_apdu (unsigned char *buf, int cla, int ins, int p1, int p2,
                        size_t lc, const unsigned char *data, int le,
                        int ext);

/* BER-TLV writing: the bytes of the length field of LEN (1..3; LEN
 * below 65536), the length field itself, and a tag (1 to 3 bytes, as
 * its value needs) followed by the length field.  Errors are MB's.  */
size_t card_ber_len_size (size_t len);
void card_put_ber_len (membuf_t *mb, size_t len);
void card_put_tl (membuf_t *mb, unsigned int tag, size_t len);

/* Hash algorithms of card signatures, by libgcrypt id (GCRY_MD_SHA256
 * ...): SHA-1, RIPEMD-160, SHA-224/256/384/512 and MD5.  */
/* The algorithm named NAME ("sha256", case-insensitive), or 0.  */
int card_hash_from_name (const char *name);
/* The digest length of ALGO, or 0 for an algorithm not listed.  */
size_t card_hash_len (int algo);
/* The DER DigestInfo prefix of ALGO (*R_LEN bytes; the digest follows
 * it), or NULL (and 0).  */
const unsigned char *card_digestinfo_prefix (int algo, size_t *r_len);
/* Analyse DATA/LEN, the input of a signature: a DigestInfo of a listed
 * algorithm gives *R_ALGO and *R_DIGEST (pointing into DATA) and
 * *R_DIGESTLEN; a bare digest of the length of HASHALGO (or of any
 * listed length when HASHALGO is 0) is taken too.  A DigestInfo of
 * another algorithm than a non-zero HASHALGO is GPG_ERR_DIGEST_ALGO,
 * anything else GPG_ERR_INV_VALUE.  */
gpg_error_t card_strip_digestinfo (const unsigned char *data, size_t len,
                                   int hashalgo, int *r_algo,
                                   const unsigned char **r_digest,
                                   size_t *r_digestlen);

/* Algorithm ids (OpenPGP).  */
#define CARD_ALGO_RSA    1
#define CARD_ALGO_ECDH   18
#define CARD_ALGO_ECDSA  19
#define CARD_ALGO_EDDSA  22

/* One elliptic curve a card may use.  */
typedef struct card_curve_s
{
  const char *name;          /* Canonical libgcrypt / GnuPG name:
                              * "Ed25519", "NIST P-256", ...  */
  const char *algostr;       /* scdaemon's algorithm string: "ed25519",
                              * "cv25519", "nistp256", ...  */
  const unsigned char *oid;  /* DER content of the OID.  */
  size_t oidlen;
  unsigned int nbits;        /* Curve size as GnuPG reports it.  */
  unsigned int eddsa;        /* Signing curve with (flags eddsa).  */
  unsigned int djb;          /* ECDH curve with (flags djb-tweak).  */
} card_curve_t;

/* The curve with the OID content bytes OID/OIDLEN (without tag and
 * length; an OpenPGP OID or the RFC 8410 one of the 25519 and 448
 * curves), or NULL.  */
const card_curve_t *card_curve_by_oid (const unsigned char *oid,
                                       size_t oidlen);

/* The curve named NAME (canonical name, or an alias such as
 * "nistp256", "secp256r1", "cv25519"; case-insensitive), or NULL.  Its
 * OID is the OpenPGP one.  */
const card_curve_t *card_curve_by_name (const char *name);

/* Key attributes of one slot (DO C1/C2/C3).  */
typedef struct card_keyattr_s
{
  int algo;                /* 0 = unknown/absent, else CARD_ALGO_*.  */
  unsigned int nbits;      /* RSA modulus bits, or curve bits.  */
  unsigned int ebits;      /* RSA exponent bits.  */
  int rsa_format;          /* Card byte: 0 std, 1 std+n, 2 crt, 3 crt+n.  */
  const char *curve;       /* Canonical libgcrypt/gnupg name or NULL.  */
  unsigned char oid[12];   /* ECC curve OID (DER content).  */
  size_t oidlen;
  int with_pubkey;         /* ECC: import wants tag 99 (FF flag).  */
  int eddsa;               /* Ed25519/Ed448: (flags eddsa).  */
  int djb;                 /* Curve25519/X448: (flags djb-tweak).  */
  char algostr[24];        /* "rsa2048", "ed25519", "cv25519", ...  */
  unsigned char raw[16];   /* The value as the card has it (parsed   */
  size_t rawlen;           /* attributes only; 0 when built here).   */
} card_keyattr_t;

/* One entry of DO FA (algorithm information): an attribute value the
 * card accepts for slot KEYNO.  */
typedef struct card_algoinfo_s
{
  int keyno;               /* 1..3, from the C1/C2/C3 tag.  */
  card_keyattr_t attr;
} card_algoinfo_t;

/* Parse the key attributes BUF of LEN bytes (the value of DO C1..C3 of
 * slot KEYNO) into *ATTR (cleared first; RAW keeps the bytes).  An
 * algorithm other than RSA, ECDH, ECDSA, EdDSA is GPG_ERR_PUBKEY_ALGO,
 * a curve not in the table GPG_ERR_UNKNOWN_CURVE, anything malformed
 * GPG_ERR_INV_OBJ or a length error; *ATTR is then cleared.  */
gpg_error_t card_parse_keyattr (const unsigned char *buf, size_t len,
                                int keyno, card_keyattr_t *attr);
/* Parse the value of DO FA (BUF, LEN; an outer FA tag is stripped)
 * into *R_LIST / *R_COUNT as app_openpgp_algoinfo does.  DA entries,
 * other tags and unknown algorithms or curves are skipped.  */
gpg_error_t card_parse_algoinfo (const unsigned char *buf, size_t len,
                                 card_algoinfo_t **r_list, size_t *r_count);
/* Encode into BUF (BUFSIZE >= 16 bytes, length in *R_LEN) the
 * attribute value for slot KEYNO that lets the card take a key like
 * WANT (algorithm and RSA size or curve; its import format fields are
 * ignored), in the card's own import format:
 *
 *  - with algorithm information (INFO/NINFO, DO FA entries): the entry
 *    of KEYNO for that algorithm and size or curve, preferring the
 *    import format the slot has now (CURRENT[KEYNO-1]); no such entry
 *    is GPG_ERR_UNSUPPORTED_ALGORITHM;
 *  - without (NINFO 0): RSA keeps the exponent size and import format
 *    of the slot (or of another RSA slot; else 32-bit e, standard
 *    format, as GnuPG writes); ECC keeps the "with public key" flag FF
 *    of the slot or another ECC slot.
 *
 * CURRENT is the array of the three slots' attributes.  */
gpg_error_t card_keyattr_encode (int keyno, const card_keyattr_t *want,
                                 const card_keyattr_t *current,
                                 const card_algoinfo_t *info, size_t ninfo,
                                 unsigned char *buf, size_t bufsize,
                                 size_t *r_len);
/* Fill *ATTR (cleared first) for the curve NAME (canonical name or
 * alias, card_curve_by_name) in slot KEYNO: ECDH for slot 2, else
 * EdDSA or ECDSA.  GPG_ERR_UNKNOWN_CURVE for an unknown NAME,
 * GPG_ERR_WRONG_PUBKEY_ALGO for a curve the slot can't use (an EdDSA
 * curve for decryption, a djb curve for signing).  */
gpg_error_t card_keyattr_from_curve (const char *name, int keyno,
                                     card_keyattr_t *attr);
/* Fill *ATTR from the algorithm string NAME as scdaemon's KEY-ATTR-INFO
 * and GENKEY --algo write it: "rsa" and the modulus size in bits
 * (512..16384; exponent and import format left 0), or a curve name
 * or alias as card_keyattr_from_curve takes it for slot KEYNO.
 * GPG_ERR_INV_VALUE for a bad RSA size, else the errors of
 * card_keyattr_from_curve.  */
gpg_error_t card_keyattr_from_algostr (const char *name, int keyno,
                                       card_keyattr_t *attr);
/* Build the canonical public key S-expression (B.6) of a key with
 * attributes ATTR into *R_SEXP (xfree) and *R_LEN and, when R_GRIP is
 * not NULL, its keygrip (41 bytes: 40 hex digits and NUL).  For RSA
 * pass N/E, for ECC pass Q (raw from the card, without 0x40 for 25519
 * curves); a value missing is GPG_ERR_INV_VALUE, an unknown algorithm
 * GPG_ERR_PUBKEY_ALGO.  */
gpg_error_t card_build_pubkey_sexp (const card_keyattr_t *attr,
                                    const unsigned char *n, size_t nlen,
                                    const unsigned char *e, size_t elen,
                                    const unsigned char *q, size_t qlen,
                                    unsigned char **r_sexp, size_t *r_len,
                                    char *r_grip);
/* The keygrip of the canonical S-expression SEXP (LEN bytes) as 40 hex
 * digits and a NUL into R_GRIP (41 bytes); libgcrypt's error for a
 * malformed one.  */
gpg_error_t card_keygrip_from_sexp (const unsigned char *sexp, size_t len,
                                    char *r_grip);
/* The OpenPGP v4 fingerprint (20 bytes into R_FPR) of the public key
 * with attributes ATTR created at CREATED: RSA from N/E, ECC from Q.
 * KDF (4 bytes, ECDH only) may be NULL for card_default_kdf's.  An
 * unknown algorithm is GPG_ERR_PUBKEY_ALGO.  */
gpg_error_t card_compute_fpr (const card_keyattr_t *attr, uint32_t created,
                              const unsigned char *n, size_t nlen,
                              const unsigned char *e, size_t elen,
                              const unsigned char *q, size_t qlen,
                              const unsigned char *kdf,
                              unsigned char *r_fpr);
/* Default ECDH KDF parameters for ATTR into KDF[4].  */
void card_default_kdf (const card_keyattr_t *attr, unsigned char *kdf);
/* Build the 4D extended header list for an RSA import into slot KEYNO
 * (1..3) with attributes ATTR (import format, sizes) from the key's
 * parts: *R_TMPL is secure memory (wipe_and_free), *R_TMPLLEN its
 * length.  A part too large for the format, primes not of half the
 * modulus size or ATTR not RSA is GPG_ERR_INV_VALUE.  */
gpg_error_t card_build_rsa_template (int keyno, const card_keyattr_t *attr,
                                     const unsigned char *n, size_t nlen,
                                     const unsigned char *e, size_t elen,
                                     const unsigned char *p, size_t plen,
                                     const unsigned char *q, size_t qlen,
                                     const unsigned char *d, size_t dlen,
                                     unsigned char **r_tmpl,
                                     size_t *r_tmpllen);
/* Same for ECC: D is the secret scalar, Q the public point (needed when
 * ATTR->with_pubkey: else GPG_ERR_NO_PUBKEY).  */
gpg_error_t card_build_ecc_template (int keyno, const card_keyattr_t *attr,
                                     const unsigned char *d, size_t dlen,
                                     const unsigned char *q, size_t qlen,
                                     unsigned char **r_tmpl,
                                     size_t *r_tmpllen);
/* Strip an outer TAG from the DO answer *BUF / *LEN (both advanced)
 * when it is there and spans the whole answer; else leave them.  */
void card_strip_outer_tag (int tag, const unsigned char **buf, size_t *len);

#endif /*OCA_CARD_DATA_H*/
