/* pgp.h - OpenPGP v4 packets, armor, signatures and certificates
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * This module parses and writes OpenPGP v4 certificates (RFC 4880,
 * RFC 6637 and the EdDSA draft as GnuPG implements it), ASCII armor,
 * and creates and verifies signatures through pk.h.
 *
 * Model.  A certificate (pgp_cert_t) is
 *
 *   primary key (pgp_key_t) + its signatures (direct-key 0x1F, key
 *                             revocations 0x20)
 *   user IDs and user attributes (pgp_uid_t, in file order) + their
 *                             signatures (0x10..0x13, 0x30)
 *   subkeys (pgp_key_t)     + their signatures (0x18, 0x28)
 *
 * Packets we do not understand (unknown tags, v3 or unknown-version
 * signatures, marker packets) are kept byte-for-byte, attached to the
 * component they follow.  Every packet keeps the exact bytes it was
 * read from; a packet that is not modified is written back
 * byte-identically, so parse + export of a canonical keyring returns
 * the input.  Trust packets (tag 12) are dropped as they are local.
 *
 * Structures are exposed so callers can walk them; treat all fields as
 * read-only and change certificates only through the functions below.
 *
 * Input is untrusted: every byte is read through brd_t, sizes are
 * capped (PGP_MAX_INPUT, PGP_MAX_PACKETS, PGP_MAX_MPI_BITS).  Functions
 * never print or exit.  Functions working on different certificates
 * may run in parallel threads; one certificate must not be changed by
 * two threads at once.
 *
 * Times are seconds since the epoch (uint32_t, as OpenPGP stores
 * them).  A NOW/CREATED argument of 0 means "the current time".
 */
#ifndef OCA_PGP_H
#define OCA_PGP_H

#include "oca-common.h"
#include "membuf.h"
#include "pk.h"

/* Caps on untrusted input.  */
#define PGP_MAX_INPUT     (64u * 1024 * 1024)  /* Bytes of one input.  */
#define PGP_MAX_PACKETS   10000                /* Packets per cert.  */
#define PGP_MAX_MPI_BITS  16384

/* Packet tags (RFC 4880 4.3).  */
enum pgp_tag
  {
    PGP_PKT_SIGNATURE   = 2,
    PGP_PKT_SECRET_KEY  = 5,
    PGP_PKT_PUBLIC_KEY  = 6,
    PGP_PKT_SECRET_SUBKEY = 7,
    PGP_PKT_MARKER      = 10,
    PGP_PKT_TRUST       = 12,
    PGP_PKT_USER_ID     = 13,
    PGP_PKT_PUBLIC_SUBKEY = 14,
    PGP_PKT_ATTRIBUTE   = 17
  };

/* Signature types (RFC 4880 5.2.1).  */
enum pgp_sigclass
  {
    PGP_SIG_BINARY        = 0x00,
    PGP_SIG_GENERIC_CERT  = 0x10,
    PGP_SIG_PERSONA_CERT  = 0x11,
    PGP_SIG_CASUAL_CERT   = 0x12,
    PGP_SIG_POSITIVE_CERT = 0x13,
    PGP_SIG_SUBKEY_BIND   = 0x18,
    PGP_SIG_PRIMARY_BIND  = 0x19,
    PGP_SIG_DIRECT_KEY    = 0x1F,
    PGP_SIG_KEY_REVOKE    = 0x20,
    PGP_SIG_SUBKEY_REVOKE = 0x28,
    PGP_SIG_CERT_REVOKE   = 0x30
  };

/* Signature subpacket types (RFC 4880 5.2.3.1, rfc4880bis).  */
enum pgp_subpkt
  {
    PGP_SUB_CREATED        = 2,
    PGP_SUB_SIG_EXPIRE     = 3,
    PGP_SUB_EXPORTABLE     = 4,
    PGP_SUB_TRUST          = 5,
    PGP_SUB_REGEX          = 6,
    PGP_SUB_REVOCABLE      = 7,
    PGP_SUB_KEY_EXPIRE     = 9,
    PGP_SUB_PREF_SYM       = 11,
    PGP_SUB_REVOKER        = 12,
    PGP_SUB_ISSUER         = 16,
    PGP_SUB_NOTATION       = 20,
    PGP_SUB_PREF_HASH      = 21,
    PGP_SUB_PREF_COMPR     = 22,
    PGP_SUB_KS_PREFS       = 23,
    PGP_SUB_PREF_KS        = 24,
    PGP_SUB_PRIMARY_UID    = 25,
    PGP_SUB_POLICY         = 26,
    PGP_SUB_KEY_FLAGS      = 27,
    PGP_SUB_SIGNER_UID     = 28,
    PGP_SUB_REVOC_REASON   = 29,
    PGP_SUB_FEATURES       = 30,
    PGP_SUB_SIG_TARGET     = 31,
    PGP_SUB_EMBEDDED_SIG   = 32,
    PGP_SUB_ISSUER_FPR     = 33
  };

/* Key flags (first octet of subpacket 27).  */
#define PGP_KF_CERTIFY      0x01
#define PGP_KF_SIGN         0x02
#define PGP_KF_ENC_COMMS    0x04
#define PGP_KF_ENC_STORAGE  0x08
#define PGP_KF_AUTH         0x20

/* Revocation reason codes (RFC 4880 5.2.3.23).  */
#define PGP_REVOC_UNSPECIFIED  0
#define PGP_REVOC_SUPERSEDED   1
#define PGP_REVOC_COMPROMISED  2
#define PGP_REVOC_RETIRED      3
#define PGP_REVOC_UID_INVALID  32

/* The notation the CA puts on its own key.  */
#define PGP_CA_NOTATION_NAME "openpgp-ca@notations.sequoia-pgp.org"

/* Armor block types.  */
enum pgp_armor_type
  {
    PGP_ARMOR_NONE = 0,        /* Input was binary (pgp_dearmor).  */
    PGP_ARMOR_PUBKEY,          /* PGP PUBLIC KEY BLOCK  */
    PGP_ARMOR_SECKEY,          /* PGP PRIVATE KEY BLOCK  */
    PGP_ARMOR_SIGNATURE,       /* PGP SIGNATURE  */
    PGP_ARMOR_MESSAGE          /* PGP MESSAGE  */
  };

/* Result of verifying one signature (pgp_sig_t.status).  */
enum pgp_sig_status
  {
    PGP_SIGSTAT_UNCHECKED = 0,
    PGP_SIGSTAT_GOOD,          /* Verified against the issuer key.  */
    PGP_SIGSTAT_BAD,           /* Does not verify, or is malformed.  */
    PGP_SIGSTAT_UNSUPPORTED    /* v3/unknown version, unknown algorithm,
                                * unknown critical subpacket.  */
  };

/* A notation (subpacket 20).  */
typedef struct pgp_notation
{
  struct pgp_notation *next;
  int human_readable;          /* Flag 0x80 of the first flag octet.  */
  int critical;
  char *name;                  /* NUL-terminated.  */
  unsigned char *value;        /* VALUELEN bytes, NUL-terminated too.  */
  size_t valuelen;
} pgp_notation_t;

/* A signature packet.  For version 4 the fields below are parsed (from
 * the hashed area unless noted).  For other versions only VERSION,
 * RAW/RAWLEN are set and STATUS is PGP_SIGSTAT_UNSUPPORTED.  */
typedef struct pgp_sig
{
  struct pgp_sig *next;
  int version;
  int sigclass;                /* enum pgp_sigclass.  */
  int pkalgo;                  /* enum pk_algo.  */
  int hashalgo;                /* enum pk_hash.  */
  uint32_t created;            /* 0 if missing (then invalid).  */
  uint32_t sig_expire;         /* Validity in seconds after CREATED;
                                * 0 = does not expire.  */
  uint32_t key_expire;         /* Key validity in seconds after the key's
                                * creation; 0 = none.  */
  int has_key_expire;
  int has_key_flags;
  unsigned int key_flags;      /* PGP_KF_* (first octet).  */
  int has_features;
  unsigned int features;       /* First octet (0x01 = MDC).  */
  unsigned char pref_sym[16];  size_t n_pref_sym;
  unsigned char pref_hash[16]; size_t n_pref_hash;
  unsigned char pref_compr[16]; size_t n_pref_compr;
  int exportable;              /* 1 unless subpacket 4 says 0.  */
  int revocable;               /* 1 unless subpacket 7 says 0.  */
  int primary_uid;             /* Subpacket 25 set and non-zero.  */
  int trust_level;             /* Subpacket 5; 0/0 when absent.  */
  int trust_amount;
  int has_trust;               /* Subpacket 5 present (a tsig).  */
  char *regex;                 /* Subpacket 6 (NUL-terminated), or NULL. */
  char *signer_uid;            /* Subpacket 28, or NULL.  */
  int has_revoc_reason;
  int revoc_reason;            /* Subpacket 29 code.  */
  char *revoc_text;            /* Subpacket 29 text, or NULL.  */
  pgp_notation_t *notations;
  int has_issuer;              /* Issuer key ID (hashed or unhashed).  */
  unsigned char issuer[8];
  int has_issuer_fpr;          /* Issuer fingerprint (v4; hashed or
                                * unhashed).  */
  unsigned char issuer_fpr[20];
  struct pgp_sig *embedded;    /* Embedded signature (0x19 back-sig),
                                * from either area, or NULL.  */
  int unknown_critical;        /* A critical subpacket we don't know.  */
  unsigned char hash_prefix[2];
  pk_mpi_t mpi[PK_MAX_SIG];
  unsigned int nmpi;
  int status;                  /* enum pgp_sig_status, set by verify.  */
  unsigned char *raw;          /* The whole packet as read/written.  */
  size_t rawlen;
  /* Private.  */
  /* The subpacket areas (bodies only), inside RAW.  */
  const unsigned char *hashed_;
  size_t hashedlen_;
  const unsigned char *unhashed_;
  size_t unhashedlen_;
  size_t hdrlen_;              /* Packet header length in RAW.  */
  /* What pgp_sig_verify found last (a cache written through const
   * pointers; a signature is used by one thread at a time): the result
   * for the SHA-256 of the digest it signs and the signer's public key
   * (vmemo_), so the same check is never made twice in a run, and no
   * other key or component ever gets that result.  A signature's
   * packet and what was parsed from it never change once read (a
   * changed signature is a new one, pgp_sig_copy).  */
  unsigned char vmemo_[32];
  int vmemo_res_;              /* 0 none, PGP_SIGSTAT_GOOD or _BAD.  */
  /* The serials (pk_serial) of the primary key, User ID, subkey and
   * signer's key VMEMO_ was computed for (0 where there was none, all
   * 0: not known): for exactly those, VMEMO_ is that identity without
   * computing it again.  */
  uint64_t vmemo_for_[4];
} pgp_sig_t;

/* An unknown packet kept verbatim.  */
typedef struct pgp_rawpkt
{
  struct pgp_rawpkt *next;
  int tag;
  unsigned char *raw;          /* Whole packet incl. header.  */
  size_t rawlen;
} pgp_rawpkt_t;

/* Secret-part states of a key.  */
enum pgp_secret_state
  {
    PGP_SECRET_NONE = 0,       /* Public key only.  */
    PGP_SECRET_PLAIN,          /* Secret numbers in PK (S2K usage 0 or
                                * decrypted).  */
    PGP_SECRET_ENCRYPTED,      /* Protected; PK holds only the public
                                * part until pgp_cert_unprotect.  */
    PGP_SECRET_GNU_DUMMY       /* GnuPG stub (gnu-dummy / divert-to-card):
                                * secret not available.  */
  };

/* A primary key or subkey.  */
typedef struct pgp_key
{
  struct pgp_key *next;
  int is_subkey;
  int version;                 /* 4.  */
  uint32_t created;
  pk_key_t *pk;                /* Algorithm, numbers; secret if PLAIN.  */
  unsigned char fpr[20];       /* v4 fingerprint.  */
  unsigned char keyid[8];      /* Low 64 bits of FPR.  */
  int secret;                  /* enum pgp_secret_state.  */
  pgp_sig_t *sigs;             /* Signatures on this key (direct-key and
                                * key revocations for the primary; binding
                                * and revocations for a subkey).  */
  pgp_rawpkt_t *unknown;       /* Unknown packets following it.  */
  /* Private.  */
  unsigned char *pubraw_;      /* Public-key packet as read or built.  */
  size_t pubrawlen_;
  size_t pubhdrlen_;           /* Header length in PUBRAW_.  */
  unsigned char *secraw_;      /* Secret-key packet (secure memory),
                                * NULL if none.  */
  size_t secrawlen_;
  /* The serial of the public-key packet PUBRAW_ (pk_serial): set when
   * first asked for, reset by every change of PUBRAW_.  */
  _Atomic uint64_t serial_;
} pgp_key_t;

/* A user ID or user attribute with its signatures.  */
typedef struct pgp_uid
{
  struct pgp_uid *next;
  int is_attribute;            /* User attribute packet (tag 17).  */
  char *name;                  /* User ID as a NUL-terminated string (not
                                * checked for UTF-8); for an attribute
                                * "[attribute]".  */
  unsigned char *body;         /* Packet body.  */
  size_t bodylen;
  pgp_sig_t *sigs;
  pgp_rawpkt_t *unknown;
  /* Private.  */
  unsigned char *raw_;
  size_t rawlen_;
  _Atomic uint64_t serial_;    /* Of BODY (pk_serial); BODY never changes
                                * after the packet is read.  */
} pgp_uid_t;

/* A certificate (transferable public or secret key).  Certificates
 * read from one keyring are chained through NEXT.  */
typedef struct pgp_cert
{
  struct pgp_cert *next;
  pgp_key_t *primary;
  pgp_uid_t *uids;
  pgp_key_t *subkeys;
} pgp_cert_t;

/* The signer abstraction: a key that can make signatures.  The CA key
 * may be a softkey (pgp_signer_from_key) or live on an OpenPGP card
 * (the caller fills the struct with a function that talks to the
 * card).  SIGN gets the digest of HASHALGO (enum pk_hash) and returns
 * the signature MPIs as pk_sign does (freshly allocated, released by
 * the caller with pk_mpi_release).  SIGN must be thread-safe if the
 * signer is used from several threads.  */
typedef gpg_error_t (*pgp_sign_fn_t) (void *ctx, int hashalgo,
                                      const unsigned char *digest,
                                      size_t digestlen,
                                      pk_mpi_t sig[PK_MAX_SIG],
                                      unsigned int *r_nsig);
typedef struct pgp_signer
{
  const pk_key_t *pub;         /* Public part (algorithm, curve).  */
  unsigned char fpr[20];       /* Fingerprint of the signing key.  */
  unsigned char keyid[8];
  uint32_t created;            /* Creation time of the signing key.  */
  pgp_sign_fn_t sign;
  void *ctx;
  int hashalgo;                /* Hash when the caller names none;
                                  0 = SHA-512.  */
} pgp_signer_t;

/* Options for pgp_cert_certify_uid.  Zero-initialise, then set.  */
typedef struct pgp_certify_opts
{
  int sigclass;                /* 0 = PGP_SIG_GENERIC_CERT (0x10).  */
  int hashalgo;                /* 0 = SHA-512.  */
  uint32_t created;            /* 0 = now.  */
  uint32_t validity;           /* Signature lifetime in s; 0 = none.  */
  const char *signer_uid;      /* Signer's User ID subpacket, or NULL.  */
  int trust_level;             /* Trust signature if LEVEL or AMOUNT.  */
  int trust_amount;
  const char *regex;           /* Regular expression subpacket, or NULL. */
  int non_exportable;          /* Add Exportable=0.  */
} pgp_certify_opts_t;

/* Flags for pgp_cert_export.  */
#define PGP_EXPORT_SECRET      1  /* Write secret-key packets.  */
#define PGP_EXPORT_ARMOR       2  /* ASCII armor (with Comment lines).  */
#define PGP_EXPORT_ALL         4  /* Write the whole NEXT chain.  */
#define PGP_EXPORT_NO_LOCAL    8  /* Drop non-exportable signatures.  */
#define PGP_EXPORT_NO_COMMENTS 16 /* No Comment: armor headers.  */

/* Algorithms for key generation.  */
enum pgp_gen_algo
  {
    PGP_GEN_RSA4096 = 1,
    PGP_GEN_RSA3072,
    PGP_GEN_RSA2048,
    PGP_GEN_ED25519,           /* Ed25519 / Cv25519.  */
    PGP_GEN_NISTP256,
    PGP_GEN_NISTP384,
    PGP_GEN_NISTP521
  };

/* Status of a certificate from its self-signatures.  */
typedef struct pgp_cert_info
{
  int revoked;                 /* A valid key revocation exists.  */
  int revoc_reason;
  uint32_t created;            /* Primary key creation time.  */
  uint32_t expires;            /* Absolute expiration time, 0 = never. */
  int expired;                 /* EXPIRES <= NOW.  */
} pgp_cert_info_t;


/*-- pgp-armor.c --*/

/* CRC-24 of RFC 4880 6.1 over LEN bytes at DATA.  */
uint32_t pgp_crc24 (const void *data, size_t len);

/* A writer of output: LEN bytes at BUF; an error stops the output.  */
typedef gpg_error_t (*pgp_write_fn_t) (void *opaque, const void *buf,
                                       size_t len);

/* Armor written piece by piece, for output of any size in little
 * memory: pgp_armor_open writes the header (TYPE, COMMENTS as for
 * pgp_armor) through WRITE, pgp_armor_put armors more data,
 * pgp_armor_close writes the rest, the checksum and the END line and
 * releases it (the text is the same as pgp_armor's of all the data);
 * pgp_armor_cancel releases it without finishing.  */
typedef struct pgp_armor_out pgp_armor_out_t;
gpg_error_t pgp_armor_open (int type, const char *const *comments,
                            pgp_write_fn_t write, void *opaque,
                            pgp_armor_out_t **r_out);
gpg_error_t pgp_armor_put (pgp_armor_out_t *a, const void *data, size_t len);
gpg_error_t pgp_armor_close (pgp_armor_out_t *a);
void pgp_armor_cancel (pgp_armor_out_t *a);

/* Armor LEN bytes at DATA as TYPE (enum pgp_armor_type, not NONE) with
 * the optional NULL-terminated list of COMMENTS as "Comment:" header
 * lines.  *R_STR gets a NUL-terminated string (xfree); *R_LEN, if not
 * NULL, its length.  */
gpg_error_t pgp_armor (int type, const void *data, size_t len,
                       const char *const *comments,
                       char **r_str, size_t *r_len);

/* If BUF/LEN is ASCII armor (leading white space allowed), decode the
 * first armor block: *R_TYPE gets its enum pgp_armor_type, *R_DATA (xfree)
 * and *R_LEN the binary.  Binary input is copied with *R_TYPE =
 * PGP_ARMOR_NONE.  Release *R_DATA with wipe_and_free (it may be in
 * secure memory).  Errors: GPG_ERR_CHECKSUM ("bad armor checksum"),
 * GPG_ERR_INV_ARMOR (malformed), GPG_ERR_TOO_LARGE.  */
gpg_error_t pgp_dearmor (const void *buf, size_t len, int *r_type,
                         unsigned char **r_data, size_t *r_len);

/* Same, but decodes and concatenates every armor block in BUF (so
 * several armored keys in one file work).  */
gpg_error_t pgp_dearmor_all (const void *buf, size_t len, int *r_type,
                             unsigned char **r_data, size_t *r_len);


/*-- pgp-cert.c --*/

/* Read all certificates from BUF/LEN (binary or armored, public or
 * secret keys, one or many).  *R_CERTS gets the first, the others
 * chained via NEXT (release with pgp_cert_release).  No certificate at
 * all is GPG_ERR_NO_PUBKEY; malformed input an error (GPG_ERR_INV_PACKET,
 * GPG_ERR_TOO_SHORT, GPG_ERR_INV_ARMOR, GPG_ERR_CHECKSUM, ...).  Over
 * the caps: GPG_ERR_TOO_LARGE (input, a packet or an MPI) and
 * GPG_ERR_TOO_MANY (more than PGP_MAX_PACKETS packets in one cert).  */
gpg_error_t pgp_read_certs (const void *buf, size_t len,
                            pgp_cert_t **r_certs);

/* Reading certificates one at a time from a stream of any size:
 * binary, or armor blocks (decoded as they come).  READ puts up to
 * SIZE bytes at BUF and their number in *R_N (0: the end).  Each
 * pgp_cert_reader_next hands out the next certificate (capped as one
 * whole input of pgp_read_certs); GPG_ERR_EOF after the last,
 * GPG_ERR_NO_PUBKEY if there was none, and the errors of
 * pgp_read_certs for bad input (which may come after good
 * certificates).  Memory holds one certificate and a chunk of input.  */
typedef gpg_error_t (*pgp_read_fn_t) (void *opaque, void *buf, size_t size,
                                      size_t *r_n);
typedef struct pgp_cert_reader pgp_cert_reader_t;
gpg_error_t pgp_cert_reader_new (pgp_read_fn_t read, void *opaque,
                                 pgp_cert_reader_t **r_rd);
gpg_error_t pgp_cert_reader_next (pgp_cert_reader_t *rd,
                                  pgp_cert_t **r_cert);
void pgp_cert_reader_release (pgp_cert_reader_t *rd);

/* Like pgp_read_certs but exactly one certificate is expected
 * (several: GPG_ERR_AMBIGUOUS).  */
gpg_error_t pgp_read_cert (const void *buf, size_t len, pgp_cert_t **r_cert);

/* Release CERT and every certificate chained after it (NULL ok).  */
void pgp_cert_release (pgp_cert_t *cert);

/* Deep copy of CERT only (not its NEXT chain); with PUBLIC_ONLY the
 * secret parts are dropped.  */
gpg_error_t pgp_cert_copy (const pgp_cert_t *cert, int public_only,
                           pgp_cert_t **r_copy);

/* Merge SRC (another copy of the same certificate) into DST: the union
 * of user IDs, subkeys, signatures and unknown packets; identical
 * signatures are not duplicated.  Secret material of SRC is taken only
 * where DST has none.  Different primary fingerprints:
 * GPG_ERR_CONFLICT.  *R_ADDED (may be NULL) gets the number of
 * packets added.  */
gpg_error_t pgp_cert_merge (pgp_cert_t *dst, const pgp_cert_t *src,
                            int *r_added);

/* Serialise CERT (and with PGP_EXPORT_ALL its NEXT chain) according to
 * FLAGS (PGP_EXPORT_*).  Armored output uses "PUBLIC KEY BLOCK" (or
 * "PRIVATE KEY BLOCK" with PGP_EXPORT_SECRET) and, for a single cert,
 * Comment lines with the fingerprint and the user IDs, as Sequoia does.
 * *R_BUF (xfree; NUL-terminated) and *R_LEN get the result.  Secret
 * output is in secure memory; release it with wipe_and_free.  */
gpg_error_t pgp_cert_export (const pgp_cert_t *cert, unsigned int flags,
                             unsigned char **r_buf, size_t *r_len);

/* Append the binary serialisation of CERT (not its chain) to MB.  */
void pgp_cert_write (const pgp_cert_t *cert, unsigned int flags,
                     membuf_t *mb);

/* Whether CERT has secret key material for its primary key (PLAIN or
 * ENCRYPTED).  */
int pgp_cert_has_secret (const pgp_cert_t *cert);

/* Uppercase hex fingerprint of CERT's primary key into OUT (41 bytes).
 * Returns OUT.  */
char *pgp_cert_fpr_hex (const pgp_cert_t *cert, char out[41]);
/* Same for any key.  */
char *pgp_key_fpr_hex (const pgp_key_t *key, char out[41]);
/* Uppercase hex key ID into OUT (17 bytes).  */
char *pgp_key_keyid_hex (const pgp_key_t *key, char out[17]);
/* Keygrip (libgcrypt's, as gpg shows it) of KEY.  */
gpg_error_t pgp_key_keygrip (const pgp_key_t *key, unsigned char grip[20]);

/* Find the user ID whose string equals NAME (not attributes), or
 * NULL.  */
pgp_uid_t *pgp_cert_find_uid (const pgp_cert_t *cert, const char *name);

/* Find the key (primary or subkey) with fingerprint FPR, or NULL.  */
pgp_key_t *pgp_cert_find_key (const pgp_cert_t *cert,
                              const unsigned char fpr[20]);

/*-- User IDs and email addresses (pgp-uid.c) --*/

/* Parse the User ID BUF/LEN under the strict rule the CA certifies by
 * (see pgp-uid.c): valid UTF-8 without control, invisible or look-alike
 * characters, and either a bare ASCII address or "display <address>"
 * with one '<', one '>' as the last byte and no '@' in the display
 * part.  Returns 0 with the address, ASCII letters lowercased, in
 * *R_EMAIL (xfree; R_EMAIL may be NULL); GPG_ERR_NO_DATA for a clean
 * User ID without '@', '<' and '>' (a plain name); GPG_ERR_INV_USER_ID
 * for anything else, with a short static reason in *R_WHY (may be
 * NULL).  R_NAME (may be NULL) gets the display part of a clean User
 * ID trimmed of spaces (xfree), or NULL if it has none.  */
gpg_error_t pgp_uid_parse (const void *buf, size_t len, char **r_email,
                           char **r_name, const char **r_why);
/* Check the bare address ADDR under the same rule and return it
 * lowercased in *R_ADDR (xfree); GPG_ERR_INV_USER_ID (reason in *R_WHY,
 * may be NULL) if it is not one.  */
gpg_error_t pgp_mail_normalize (const char *addr, char **r_addr,
                                const char **r_why);
/* Whether DOMAIN/LEN is a host name as the rule wants one: LDH labels
 * of 1..63 bytes, at least two, at most 253 bytes, the last label not
 * all digits (either case).  */
int pgp_mail_domain_valid (const char *domain, size_t len);
/* A printable copy of the User ID BUF/LEN for messages (xfree; NULL if
 * out of core): control, invisible and invalid UTF-8 bytes as \xNN, a
 * backslash doubled, cut with "..." after about 200 bytes.  */
char *pgp_uid_escape (const void *buf, size_t len);


/*-- Signatures on certificates (pgp-certsig.c) --*/

/* Verify every signature in CERT and set each sig's STATUS:
 * self-signatures (issuer = CERT's primary; subkey bindings including
 * their back-signatures) and signatures by ISSUER's primary key or
 * subkeys (ISSUER may be NULL or CERT itself).  Signatures by other
 * keys stay PGP_SIGSTAT_UNCHECKED.  Returns an error only for internal
 * failures (out of core), not for bad signatures.  */
gpg_error_t pgp_cert_verify (pgp_cert_t *cert, const pgp_cert_t *issuer);

/* The verification record of CERT: per signature, in a fixed order
 * (the primary key's, each User ID's, each subkey's), whether this run
 * verified it (pgp_sig_verify's memo) good or bad against the key
 * pgp_cert_verify with ISSUER would use, with a short hash of exactly
 * what was verified (signature packet, what it signs, the key); or
 * that it did not.  *R_REC (text) is xfree'd by the caller.  */
gpg_error_t pgp_cert_verify_record (const pgp_cert_t *cert,
                                    const pgp_cert_t *issuer, char **r_rec);
/* Take the results in REC, a record pgp_cert_verify_record made with
 * ISSUER, as verified (no public-key operation) for each signature of
 * CERT whose hash matches; the others are verified when asked, as
 * always.  GPG_ERR_INV_VALUE if REC does not fit CERT's signatures
 * (some may have been taken).  A record is a cache, not a proof: the
 * caller keeps it where it keeps the certificate (src/ca/ca-verified.c
 * ties it to the stored text too).  */
gpg_error_t pgp_cert_apply_record (pgp_cert_t *cert, const pgp_cert_t *issuer,
                                   const char *rec);

/* Check whether UID of CERT carries a valid, unexpired (at NOW)
 * certification (0x10..0x13) made by the primary key of ISSUER that is
 * not superseded by a newer certification revocation (0x30) of the
 * same issuer.  Returns 0 if so, with *R_EXPIRES (may be NULL) set to
 * the absolute expiration time of the longest-lived such certification
 * (0 = never); GPG_ERR_NOT_FOUND if none.  */
gpg_error_t pgp_uid_certified_by (const pgp_cert_t *cert,
                                  const pgp_uid_t *uid,
                                  const pgp_cert_t *issuer, uint32_t now,
                                  uint32_t *r_expires);

/* Whether UID has any signature whose issuer fingerprint (or, lacking
 * that, issuer key ID) is FPR, without verifying it.  */
int pgp_uid_has_sig_by (const pgp_uid_t *uid, const unsigned char fpr[20]);

/* Certify UID (which must belong to CERT) with SIGNER according to
 * OPTS (NULL = defaults: 0x10, SHA-512, now, no expiry).  The new
 * signature is appended to UID->sigs; *R_SIG (may be NULL) gets a
 * borrowed pointer to it.  */
gpg_error_t pgp_cert_certify_uid (pgp_cert_t *cert, pgp_uid_t *uid,
                                  const pgp_signer_t *signer,
                                  const pgp_certify_opts_t *opts,
                                  pgp_sig_t **r_sig);

/* Revoke a certification on UID: a 0x30 signature by SIGNER with
 * revocation REASON and TEXT (may be NULL), created at CREATED.
 * Appended to UID->sigs; *R_SIG (may be NULL) borrowed.  */
gpg_error_t pgp_cert_revoke_uid (pgp_cert_t *cert, pgp_uid_t *uid,
                                 const pgp_signer_t *signer, int reason,
                                 const char *text, uint32_t created,
                                 pgp_sig_t **r_sig);

/* Merge from SRC (a copy of the CA cert DST, e.g. after a user
 * tsigned it) only the third-party certifications on DST's user IDs
 * that carry a Trust Signature subpacket and verify against a key in
 * the chain SIGNERS (may be NULL: then they are taken unverified).
 * Different primary fingerprints: GPG_ERR_CONFLICT.  *R_ADDED (may be
 * NULL) gets the number added.  */
gpg_error_t pgp_cert_merge_tsigs (pgp_cert_t *dst, const pgp_cert_t *src,
                                  const pgp_cert_t *signers, int *r_added);

/* Whether some user ID of CERT has a trust signature (Trust subpacket
 * present) whose issuer fingerprint is FPR (not verified).  */
int pgp_cert_has_tsig_by (const pgp_cert_t *cert,
                          const unsigned char fpr[20]);

/* Revocation and expiration of CERT at NOW from its verified
 * self-signatures (the newest valid direct-key or primary-UID binding
 * gives the key expiration).  */
gpg_error_t pgp_cert_get_info (const pgp_cert_t *cert, uint32_t now,
                               pgp_cert_info_t *r_info);

/* Add SIG (a key revocation 0x20 by CERT's primary, e.g. read from a
 * stored revocation certificate) to CERT after verifying it.  A
 * signature already present is not added twice (*R_ADDED = 0).
 * GPG_ERR_BAD_SIGNATURE if it does not verify, GPG_ERR_INV_VALUE if it
 * is not a key revocation.  */
gpg_error_t pgp_cert_add_revocation (pgp_cert_t *cert, const pgp_sig_t *sig,
                                     int *r_added);

/* The first valid signing-capable subkey of CERT (key flag SIGN in a
 * good binding with a good back-signature), or NULL.  Calls
 * pgp_cert_verify on CERT.  */
pgp_key_t *pgp_cert_signing_subkey (pgp_cert_t *cert);


/*-- Filters (pgp-filter.c) --*/

/* Remove from CERT every User ID (and attribute) for which KEEP
 * (called with OPAQUE) returns 0.  *R_KEPT (may be NULL) gets the
 * number left.  */
gpg_error_t pgp_cert_keep_uids (pgp_cert_t *cert,
                                int (*keep) (const pgp_uid_t *uid,
                                             void *opaque),
                                void *opaque, int *r_kept);

/* Verify the signatures of CERT (pgp_cert_verify with ISSUER) and keep
 * only those that verify: self-signatures and signatures by ISSUER's
 * keys.  User IDs and subkeys left without a signature go too, and so
 * do unknown packets.  *R_DROPPED (may be NULL) gets the number of
 * packets removed.  For what comes from a server before a merge.  */
gpg_error_t pgp_cert_keep_verified (pgp_cert_t *cert,
                                    const pgp_cert_t *issuer,
                                    int *r_dropped);


/*-- pgp-sig.c --*/

/* Parse signature packets from BUF/LEN (binary or armored; a revocation
 * certificate is typically armored as PUBLIC KEY BLOCK).  All packets
 * must be signatures, at most PGP_MAX_PACKETS (else GPG_ERR_TOO_MANY).
 * *R_SIGS gets a list (release with pgp_sig_release).  */
gpg_error_t pgp_read_sigs (const void *buf, size_t len, pgp_sig_t **r_sigs);

/* Release SIG and the list chained after it (NULL ok).  */
void pgp_sig_release (pgp_sig_t *sig);

/* Whether A and B are the same signature: the same hashed data and
 * signature values, whatever their unhashed subpackets and packet
 * headers.  */
int pgp_sig_same (const pgp_sig_t *a, const pgp_sig_t *b);

/* SHA-256 over SIG as the packet oca and Sequoia write it: a
 * new-format header, whatever header it was read with, then its
 * body.  */
gpg_error_t pgp_sig_sha256 (const pgp_sig_t *sig, unsigned char digest[32]);

/* Deep copy of one signature (not its chain).  */
gpg_error_t pgp_sig_copy (const pgp_sig_t *sig, pgp_sig_t **r_copy);

/* The packet bytes of SIG (borrowed; valid as long as SIG).  */
static inline const unsigned char *
pgp_sig_raw (const pgp_sig_t *sig, size_t *r_len)
{ *r_len = sig->rawlen; return sig->raw; }

/* Armor SIG (and with ALL its chain) as TYPE (PGP_ARMOR_SIGNATURE,
 * PGP_ARMOR_MESSAGE or PGP_ARMOR_PUBKEY for revocations) with optional
 * COMMENTS.  *R_STR (xfree).  */
gpg_error_t pgp_sig_armor (const pgp_sig_t *sig, int all, int type,
                           const char *const *comments, char **r_str);

/* Make a detached binary-document signature (0x00) over DATA/LEN with
 * SIGNER, hash HASHALGO (0 = SHA-512), time CREATED (0 = now).  */
gpg_error_t pgp_sign_detached (const pgp_signer_t *signer,
                               const void *data, size_t len, int hashalgo,
                               uint32_t created, pgp_sig_t **r_sig);

/* The same over a document of any size that READ (pgp_read_fn_t, with
 * OPAQUE) hands out a piece at a time until it says 0; an error of
 * READ is returned.  */
gpg_error_t pgp_sign_detached_stream (const pgp_signer_t *signer,
                                      pgp_read_fn_t read, void *opaque,
                                      int hashalgo, uint32_t created,
                                      pgp_sig_t **r_sig);

/* Verify a detached binary-document signature SIG over DATA/LEN with
 * KEY.  0 or GPG_ERR_BAD_SIGNATURE (GPG_ERR_WRONG_PUBKEY_ALGO etc. for
 * mismatches).  */
gpg_error_t pgp_verify_detached (const pgp_key_t *key, const void *data,
                                 size_t len, const pgp_sig_t *sig);

/* Make a key revocation (0x20) on CERT's primary key with SIGNER (the
 * primary itself, normally), REASON (PGP_REVOC_*), TEXT (may be NULL),
 * at CREATED.  The signature is returned, not added to CERT.  */
gpg_error_t pgp_make_key_revocation (const pgp_cert_t *cert,
                                     const pgp_signer_t *signer, int reason,
                                     const char *text, uint32_t created,
                                     pgp_sig_t **r_sig);

/* Verify SIG over the given component of CERT with the public key
 * SIGNER_KEY: for UID != NULL a certification/revocation over the
 * primary + UID; for SUBKEY != NULL a subkey binding/revocation (with
 * its back-signature checked for signing subkeys when SIGCLASS 0x18);
 * otherwise a direct-key signature or key revocation over the primary.
 * Returns 0 or GPG_ERR_BAD_SIGNATURE / GPG_ERR_NOT_SUPPORTED.  Does not
 * look at times.  The result is kept on SIG for exactly this digest and
 * key: asked again, the answer comes without a public-key operation.  */
gpg_error_t pgp_sig_verify (const pgp_cert_t *cert, const pgp_uid_t *uid,
                            const pgp_key_t *subkey, const pgp_sig_t *sig,
                            const pk_key_t *signer_key);

/* Absolute expiration time of SIG (0 = never).  */
uint32_t pgp_sig_expires (const pgp_sig_t *sig);


/*-- pgp-key.c --*/

/* Release a key (not its chain; NULL ok).  */
void pgp_key_release (pgp_key_t *key);

/* Build a v4 key (primary unless IS_SUBKEY) from PK (copied; with its
 * secret if it has one) created at CREATED.  Computes the fingerprint.
 * Used for keys that come from a card.  */
gpg_error_t pgp_key_from_pk (const pk_key_t *pk, uint32_t created,
                             int is_subkey, pgp_key_t **r_key);

/* Encrypt the secret parts of every key of CERT with PASSPHRASE for
 * export (iterated+salted S2K SHA-256, AES-256 CFB, usage 254).  The
 * keys stay usable for signing in this process.  */
gpg_error_t pgp_cert_protect (pgp_cert_t *cert, const char *passphrase);

/* Decrypt the secret parts of CERT's ENCRYPTED keys with PASSPHRASE.
 * GPG_ERR_BAD_PASSPHRASE if wrong.  */
gpg_error_t pgp_cert_unprotect (pgp_cert_t *cert, const char *passphrase);


/*-- pgp-gen.c --*/

/* Parse an algorithm (case-insensitive): openpgp-ca 0.14's cipher
 * suites "cv25519", "rsa2k", "rsa3k", "rsa4k", "p256", "p384", "p521"
 * or the names "ed25519", "rsa2048", "rsa3072", "rsa4096", "nistp256",
 * "nistp384", "nistp521".  Returns enum pgp_gen_algo or 0.  */
int pgp_gen_algo_from_string (const char *s);

/* Make a softkey signer from KEY (must have a PLAIN secret).  The
 * signer borrows KEY; keep KEY alive while using it.  */
gpg_error_t pgp_signer_from_key (const pgp_key_t *key,
                                 pgp_signer_t *r_signer);

/* Generate a CA certificate (spec 3.1/3.2): certify-only primary and a
 * signing subkey of ALGO (enum pgp_gen_algo), user ID
 * "NAME <openpgp-ca@DOMAIN>" (NAME NULL = "OpenPGP CA") with a positive
 * certification and a direct-key signature both carrying the notation
 * PGP_CA_NOTATION_NAME = "domain=DOMAIN", created at CREATED.  The
 * result holds the secrets.  */
gpg_error_t pgp_generate_ca (int algo, const char *name, const char *domain,
                             uint32_t created, pgp_cert_t **r_cert);

/* Build a CA certificate from existing keys: PRIMARY (public; e.g. the
 * card's AUT key) signed through PSIGNER, and optionally SIGSUB (public
 * signing subkey) whose back-signature is made through SSIGNER.  Both
 * keys are copied.  */
gpg_error_t pgp_build_ca_cert (const pgp_key_t *primary,
                               const pgp_signer_t *psigner,
                               const pgp_key_t *sigsub,
                               const pgp_signer_t *ssigner,
                               const char *name, const char *domain,
                               uint32_t created, pgp_cert_t **r_cert);

/* Set the expiration of the CA certificate CERT (made by
 * pgp_build_ca_cert) to EXPIRES (absolute; 0: none): a new direct-key
 * signature and new User ID bindings by PSIGNER (the primary key) with
 * the CA's subpackets (DOMAIN's notation) and a key expiration, made at
 * CREATED (0 = now), replace the old self-signatures of those kinds.
 * All are made before CERT changes.  An EXPIRES not after the key's
 * creation is GPG_ERR_INV_VALUE.  */
gpg_error_t pgp_ca_set_expiration (pgp_cert_t *cert,
                                   const pgp_signer_t *psigner,
                                   const char *domain, uint32_t expires,
                                   uint32_t created);

/* Generate a user key as `user add` does (spec 3.5): certify-only
 * primary, encryption subkey (ECDH for ECC, RSA for RSA), signing
 * subkey, one user ID per entry of UIDS (NUIDS > 0) bound with
 * positive certifications, created at CREATED.  *R_REVOCATION gets a
 * key revocation (0x20, reason 0, text "Unspecified") that is not
 * part of the cert.  The result holds the secrets (unprotected; see
 * pgp_cert_protect).  */
gpg_error_t pgp_generate_user (int algo, const char *const *uids,
                               size_t nuids, uint32_t created,
                               pgp_cert_t **r_cert,
                               pgp_sig_t **r_revocation);

/* The same with the subkeys SUBKEYS: any of PGP_KF_ENC_COMMS (an
 * encryption subkey for communications and storage), PGP_KF_SIGN and
 * PGP_KF_AUTH (an authentication subkey), made in that order; 0: a
 * certify-only primary key alone.  */
gpg_error_t pgp_generate_user_ext (int algo, unsigned int subkeys,
                                   const char *const *uids, size_t nuids,
                                   uint32_t created, pgp_cert_t **r_cert,
                                   pgp_sig_t **r_revocation);

#endif /*OCA_PGP_H*/
