/* brd.h - bounded reader for every untrusted byte oca reads
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A brd_t is a cursor over a caller-owned buffer.  Every getter clears
 * its outputs first, checks the remaining length before reading and
 * returns GPG_ERR_TOO_SHORT instead of reading past the end.  Children
 * (brd_sub, brd_get_tlv) carve a length-prefixed part out of their
 * parent and advance the parent past it.  brd_end reports leftover bytes
 * as GPG_ERR_INV_LENGTH.  There is no unchecked variant.
 *
 * All of APDU responses, BER-TLV data objects, OpenPGP packets, Assuan
 * data and database blobs go through this reader.
 */
#ifndef OCA_BRD_H
#define OCA_BRD_H

#include "oca-common.h"

/* Maximum nesting depth of constructed BER-TLV objects brd_find_tlv
 * descends into.  */
#define BRD_MAX_DEPTH 8

typedef struct brd
{
  const unsigned char *p;   /* Cursor.  */
  size_t left;              /* Bytes remaining after the cursor.  */
  unsigned int depth;       /* Nesting depth (children get depth+1).  */
} brd_t;

/* Start reading LEN bytes at BUF.  */
void brd_init (brd_t *r, const void *buf, size_t len);
/* Bytes left to read.  */
static inline size_t brd_left (const brd_t *r) { return r->left; }
/* Pointer to the cursor (valid for brd_left bytes).  */
static inline const unsigned char *brd_ptr (const brd_t *r) { return r->p; }

gpg_error_t brd_get_u8 (brd_t *r, unsigned int *r_val);
gpg_error_t brd_peek_u8 (const brd_t *r, unsigned int *r_val);
/* Big-endian integers.  */
gpg_error_t brd_get_u16 (brd_t *r, unsigned int *r_val);
gpg_error_t brd_get_u24 (brd_t *r, uint32_t *r_val);
gpg_error_t brd_get_u32 (brd_t *r, uint32_t *r_val);
/* Zero-copy: *R_PTR points into the buffer, N bytes.  */
gpg_error_t brd_get_bytes (brd_t *r, size_t n, const unsigned char **r_ptr);
/* Copy N bytes to OUT.  */
gpg_error_t brd_copy (brd_t *r, void *out, size_t n);
gpg_error_t brd_skip (brd_t *r, size_t n);
/* Take everything that is left.  */
void brd_rest (brd_t *r, const unsigned char **r_ptr, size_t *r_len);
/* Carve a child reader of exactly N bytes and advance R past it.  */
gpg_error_t brd_sub (brd_t *r, size_t n, brd_t *r_child);
/* 0 if R is fully consumed, else GPG_ERR_INV_LENGTH.  */
gpg_error_t brd_end (const brd_t *r);

/* BER-TLV (ISO 7816-4 / OpenPGP card): tags of 1-3 bytes, definite
 * lengths of up to 3 length bytes (81 xx, 82 xx xx, 83 xx xx xx).  */
gpg_error_t brd_get_ber_tag (brd_t *r, unsigned int *r_tag,
                             int *r_constructed);
gpg_error_t brd_get_ber_len (brd_t *r, size_t *r_len);
/* Read one TLV: *R_TAG, and a child reader over its value.  */
gpg_error_t brd_get_tlv (brd_t *r, unsigned int *r_tag, int *r_constructed,
                         brd_t *r_value);
/* Search the TLVs in R (not advancing R) for TAG; when RECURSE, descend
 * into constructed objects up to BRD_MAX_DEPTH.  GPG_ERR_NOT_FOUND if
 * absent; a malformed encoding on the path is an error.  */
gpg_error_t brd_find_tlv (const brd_t *r, unsigned int tag, int recurse,
                          brd_t *r_value);

#endif /*OCA_BRD_H*/
