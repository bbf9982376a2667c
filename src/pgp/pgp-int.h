/* pgp-int.h - internal interfaces between the pgp-*.c files
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef OCA_PGP_INT_H
#define OCA_PGP_INT_H

#include "pgp.h"
#include "brd.h"

/* Cap for membufs holding one packet or one cert.  */
#define PGP_MAX_OUTPUT (PGP_MAX_INPUT * 2u)

/* What a signature is computed over (RFC 4880 5.2.4).  */
typedef struct pgp_target
{
  const pgp_key_t *primary;    /* Key packet hashed first (or NULL).  */
  const pgp_uid_t *uid;        /* User ID / attribute (or NULL).  */
  const pgp_key_t *subkey;     /* Subkey (or NULL).  */
  const unsigned char *data;   /* Document data (binary sig) ...  */
  size_t datalen;
  pgp_read_fn_t read;          /* ... or read piece by piece (once).  */
  void *read_opaque;
} pgp_target_t;

/*-- pgp-packet.c --*/
gpg_error_t _pgp_read_packet (brd_t *r, int *r_tag, brd_t *r_body,
                              const unsigned char **r_raw, size_t *r_rawlen);
void _pgp_write_header (membuf_t *mb, int tag, size_t len);
gpg_error_t _pgp_read_mpi (brd_t *r, const unsigned char **r_p,
                           size_t *r_len);
void _pgp_write_mpi (membuf_t *mb, const unsigned char *p, size_t len);
gpg_error_t _pgp_make_packet (int tag, const unsigned char *body,
                              size_t len, int secure,
                              unsigned char **r_raw, size_t *r_rawlen,
                              size_t *r_hdrlen);
void _pgp_put_subpkt (membuf_t *mb, int type, int critical,
                      const void *data, size_t len);
void _pgp_put_revoc_reason (membuf_t *mb, int reason, const char *text);
gpg_error_t _pgp_memdup (const void *p, size_t n, int secure,
                         unsigned char **r);
uint32_t _pgp_now (uint32_t t);
void _pgp_rawpkt_release (pgp_rawpkt_t *p);
/* OUT = the new-format header of a packet TAG with body length LEN (as
 * _pgp_write_header writes it); returns its length, 2, 3 or 6.  */
size_t _pgp_header_bytes (int tag, size_t len, unsigned char out[6]);
/* Put PTR/LEN into IOV[*N] (for gcry_md_hash_buffers) and count it.  */
void _pgp_iov_add (gcry_buffer_t *iov, int *n, const void *ptr, size_t len);
/* The key as hashed for signatures and fingerprints (0x99, two-octet
 * length, public body), as the next two of IOV (*N used); the first
 * points to HDR.  */
void _pgp_key_hash_parts (const pgp_key_t *key, unsigned char hdr[3],
                          gcry_buffer_t *iov, int *n);

/*-- pgp-armor.c --*/
/* An armor block decoded line by line (pgp-armor.c; the stream reader
 * of pgp-stream.c feeds it).  */
typedef struct pgp_armor_dec
{
  int state;                   /* 0 before BEGIN, 1 headers, 2 data,
                                * 3 after the checksum, 4 done.  */
  int type;                    /* enum pgp_armor_type.  */
  const char *label;
  size_t labellen;
  unsigned int acc, nacc, npad, padseen;
  int have_crc;
  uint32_t want_crc, crc;
} pgp_armor_dec_t;
void _pgp_armor_dec_init (pgp_armor_dec_t *d);
/* Feed LINE/N (without its line end and trailing white space): the
 * bytes it decodes are appended to OUT.  Returns 0 (more), GPG_ERR_EOF
 * when the END line completed the block (checksum checked), or an
 * error (GPG_ERR_INV_ARMOR, GPG_ERR_CHECKSUM).  */
gpg_error_t _pgp_armor_dec_line (pgp_armor_dec_t *d,
                                 const unsigned char *line, size_t n,
                                 membuf_t *out);

/*-- pgp-key.c --*/
gpg_error_t _pgp_parse_key (int tag, const unsigned char *raw,
                            size_t rawlen, brd_t *body, pgp_key_t **r_key);
void _pgp_key_write (const pgp_key_t *key, int secret, membuf_t *mb);
gpg_error_t _pgp_key_build_packet (pgp_key_t *key);

/*-- pgp-sig.c --*/
gpg_error_t _pgp_parse_sig (const unsigned char *raw, size_t rawlen,
                            size_t hdrlen, int depth, pgp_sig_t **r_sig);
gpg_error_t _pgp_sig_verify_target (const pgp_sig_t *sig,
                                    const pgp_target_t *t,
                                    const pk_key_t *key);
gpg_error_t _pgp_sig_create (const pgp_signer_t *signer, int sigclass,
                             int hashalgo, uint32_t created,
                             const unsigned char *hashed, size_t hashedlen,
                             const pgp_target_t *t, pgp_sig_t **r_sig);
int _pgp_sig_same (const pgp_sig_t *a, const pgp_sig_t *b);
void _pgp_sig_append (pgp_sig_t **list, pgp_sig_t *sig);
int _pgp_sig_by (const pgp_sig_t *sig, const unsigned char fpr[20]);
/* Bytes of a memo's identity (pgp_sig_t.vmemo_) kept in a record.  */
#define PGP_MEMO_ID_LEN 8
/* Set the verification memo of SIG over the component (UID, SUBKEY, or
 * neither) of CERT for SIGNER_KEY: GOOD or bad, as if pgp_sig_verify
 * had found so - if ID is the start of the memo's identity for exactly
 * this signature, component and key (returns 1; else 0, nothing set).  */
int _pgp_sig_memo_set (const pgp_cert_t *cert, const pgp_uid_t *uid,
                       const pgp_key_t *subkey, pgp_sig_t *sig,
                       const pk_key_t *signer_key, int good,
                       const unsigned char id[PGP_MEMO_ID_LEN]);
/* The memo of SIG for that component and key: PGP_SIGSTAT_GOOD,
 * PGP_SIGSTAT_BAD (R_ID gets the start of its identity), or 0 (none
 * for exactly these).  */
int _pgp_sig_memo_get (const pgp_cert_t *cert, const pgp_uid_t *uid,
                       const pgp_key_t *subkey, const pgp_sig_t *sig,
                       const pk_key_t *signer_key,
                       unsigned char r_id[PGP_MEMO_ID_LEN]);

/*-- pgp-cert.c --*/
/* Parse binary DATA/LEN into a chain of certs (pgp_read_certs after
 * the armor).  */
gpg_error_t _pgp_parse_certs (const unsigned char *data, size_t len,
                              pgp_cert_t **r_certs);
void _pgp_uid_release (pgp_uid_t *uid);
gpg_error_t _pgp_uid_new (const char *name, pgp_uid_t **r_uid);
gpg_error_t _pgp_uid_new_mem (const void *body, size_t n, pgp_uid_t **r_uid);
int _pgp_uid_same (const pgp_uid_t *a, const pgp_uid_t *b);

#endif /*OCA_PGP_INT_H*/
