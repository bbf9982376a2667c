/* pgp-key.c - OpenPGP v4 key packets, fingerprints and S2K protection
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A key packet (RFC 4880 5.5.2, RFC 6637 9, EdDSA draft) is version 4,
 * creation time, algorithm and the public numbers; a secret-key packet
 * continues with the S2K usage octet and the (possibly encrypted)
 * secret numbers.  We keep the public-key packet (PUBRAW_) and the
 * secret-key packet (SECRAW_) bytes; the numbers go into a pk_key_t.
 *
 * Algorithms we cannot compute with (DSA, Elgamal, unknown curves) are
 * still parsed far enough to compute the fingerprint and to keep the
 * packet; their pk_key_t has no numbers.
 *
 * Protection on write: S2K usage 254, AES-256, iterated+salted S2K with
 * SHA-256, CFB over the secret MPIs followed by their SHA-1.
 */
#include <config.h>
#include "oca-common.h"
#include "pgp-int.h"

#include <stdatomic.h>
#include <string.h>

/* S2K iteration count octet we write (RFC 4880 3.7.1.3): 0xF0 is
 * 16 << 21 = 33554432 bytes hashed.  */
#define S2K_COUNT_OCTET 0xF0


/* Number of public MPIs for an algorithm we only need to skip.  */
static int
npub_mpis (int algo)
{
  switch (algo)
    {
    case 1: case 2: case 3: return 2;   /* RSA.  */
    case 16: return 3;                  /* Elgamal.  */
    case 17: return 4;                  /* DSA.  */
    default: return -1;
    }
}

/* Number of secret MPIs.  */
static int
nsec_mpis (int algo)
{
  switch (algo)
    {
    case 1: case 2: case 3: return 4;
    case 16: case 17: case 18: case 19: case 22: return 1;
    default: return -1;
    }
}


/* Map an OpenPGP hash id to libgcrypt's (0 = unsupported).  */
static int
map_hash (int algo)
{
  switch (algo)
    {
    case 1: return GCRY_MD_MD5;
    case 2: return GCRY_MD_SHA1;
    case 3: return GCRY_MD_RMD160;
    case 8: return GCRY_MD_SHA256;
    case 9: return GCRY_MD_SHA384;
    case 10: return GCRY_MD_SHA512;
    case 11: return GCRY_MD_SHA224;
    default: return 0;
    }
}

/* Map an OpenPGP cipher id to libgcrypt's (0 = unsupported).  */
static int
map_cipher (int algo)
{
  switch (algo)
    {
    case 2: return GCRY_CIPHER_3DES;
    case 3: return GCRY_CIPHER_CAST5;
    case 4: return GCRY_CIPHER_BLOWFISH;
    case 7: return GCRY_CIPHER_AES128;
    case 8: return GCRY_CIPHER_AES192;
    case 9: return GCRY_CIPHER_AES256;
    case 10: return GCRY_CIPHER_TWOFISH;
    case 11: return GCRY_CIPHER_CAMELLIA128;
    case 12: return GCRY_CIPHER_CAMELLIA192;
    case 13: return GCRY_CIPHER_CAMELLIA256;
    default: return 0;
    }
}


/* Release a key (not its chain; NULL ok).  */
void
pgp_key_release (pgp_key_t *key)
{
  if (!key)
    return;
  pk_key_release (key->pk);
  pgp_sig_release (key->sigs);
  _pgp_rawpkt_release (key->unknown);
  xfree (key->pubraw_);
  wipe_and_free (key->secraw_, key->secrawlen_);
  xfree (key);
}


/* Compute FPR and KEYID from PUBRAW_.  */
static gpg_error_t
compute_fpr (pgp_key_t *key)
{
  size_t n = key->pubrawlen_ - key->pubhdrlen_;
  unsigned char hdr[3];
  gcry_buffer_t iov[2];
  int niov = 0;
  gpg_error_t err;

  if (n > 0xffff)
    return gpg_error (GPG_ERR_INV_PACKET);
  _pgp_key_hash_parts (key, hdr, iov, &niov);
  err = gcry_md_hash_buffers (GCRY_MD_SHA1, 0, key->fpr, iov, niov);
  if (err)
    return err;
  memcpy (key->keyid, key->fpr + 12, 8);
  return 0;
}


/* Read an OID (1 length octet, not 0 or 0xff) and return the curve.  */
static gpg_error_t
read_curve (brd_t *r, int *r_curve)
{
  gpg_error_t err;
  unsigned int n;
  const unsigned char *oid;

  *r_curve = PK_CURVE_NONE;
  if ((err = brd_get_u8 (r, &n)))
    return err;
  if (!n || n == 0xff)
    return gpg_error (GPG_ERR_INV_PACKET);
  if ((err = brd_get_bytes (r, n, &oid)))
    return err;
  *r_curve = pk_curve_from_oid (oid, n);
  return 0;
}


/* Parse the secret MPIs in R (NSEC of them) into PK (if USE).  */
static gpg_error_t
read_secret_mpis (brd_t *r, pk_key_t *pk, int nsec, int use,
                  int checksum_kind)
{
  gpg_error_t err;
  const unsigned char *start = brd_ptr (r), *p;
  size_t len, n, i;
  unsigned int sum16 = 0, want;
  int k;

  for (k = 0; k < nsec; k++)
    {
      if ((err = _pgp_read_mpi (r, &p, &len)))
        return err;
      if (use && (err = pk_key_set_mpi (pk, 1, k, p, len)))
        return err;
    }
  n = brd_ptr (r) - start;
  if (checksum_kind == 1)  /* Two-octet sum.  */
    {
      for (i = 0; i < n; i++)
        sum16 = (sum16 + start[i]) & 0xffff;
      if ((err = brd_get_u16 (r, &want)))
        return err;
      if (want != sum16)
        return gpg_error (GPG_ERR_CHECKSUM);
    }
  else if (checksum_kind == 2)  /* SHA-1.  */
    {
      unsigned char dig[20];
      const unsigned char *got;

      gcry_md_hash_buffer (GCRY_MD_SHA1, dig, start, n);
      err = brd_get_bytes (r, 20, &got);
      if (!err && memcmp (dig, got, 20))
        err = gpg_error (GPG_ERR_BAD_PASSPHRASE);
      wipememory (dig, sizeof dig);
      if (err)
        return err;
    }
  if (use)
    pk->nsec = nsec;
  return brd_end (r);
}


/* Parse a key packet of TAG (RAW/RAWLEN the whole packet, BODY a
 * reader over its body).  */
gpg_error_t
_pgp_parse_key (int tag, const unsigned char *raw, size_t rawlen,
                brd_t *body, pgp_key_t **r_key)
{
  gpg_error_t err;
  pgp_key_t *key = NULL;
  const unsigned char *pubstart = brd_ptr (body), *p;
  size_t publen, len;
  unsigned int version, algo, usage, n, kdflen;
  uint32_t created;
  int curve = PK_CURVE_NONE, nmpi, k, use, is_secret;
  const unsigned char *kdf = NULL;
  const unsigned char *mpi[4];
  size_t mpilen[4];

  *r_key = NULL;
  is_secret = (tag == PGP_PKT_SECRET_KEY || tag == PGP_PKT_SECRET_SUBKEY);
  if ((err = brd_get_u8 (body, &version)))
    goto leave;
  if (version != 4)
    {
      err = gpg_error (GPG_ERR_UNKNOWN_VERSION);
      goto leave;
    }
  if ((err = brd_get_u32 (body, &created)) || (err = brd_get_u8 (body, &algo)))
    goto leave;

  key = xtrycalloc (1, sizeof *key);
  if (!key)
    {
      err = oca_error_from_errno ();
      goto leave;
    }
  key->is_subkey = (tag == PGP_PKT_PUBLIC_SUBKEY
                    || tag == PGP_PKT_SECRET_SUBKEY);
  key->version = 4;
  key->created = created;
  if ((err = pk_key_new (&key->pk)))
    goto leave;
  key->pk->algo = algo;

  nmpi = 0;
  switch (algo)
    {
    case PK_ECDH:
    case PK_ECDSA:
    case PK_EDDSA:
      if ((err = read_curve (body, &curve)))
        goto leave;
      if ((err = _pgp_read_mpi (body, &mpi[0], &mpilen[0])))
        goto leave;
      nmpi = 1;
      if (algo == PK_ECDH)
        {
          if ((err = brd_get_u8 (body, &kdflen)))
            goto leave;
          if (kdflen < 3 || (err = brd_get_bytes (body, kdflen, &kdf)))
            {
              if (!err)
                err = gpg_error (GPG_ERR_INV_PACKET);
              goto leave;
            }
          if (kdf[0] != 1)
            {
              err = gpg_error (GPG_ERR_INV_PACKET);
              goto leave;
            }
        }
      break;
    default:
      nmpi = npub_mpis (algo);
      if (nmpi < 0)
        {
          if (is_secret)
            {
              err = gpg_error (GPG_ERR_PUBKEY_ALGO);
              goto leave;
            }
          brd_rest (body, &p, &len);  /* Opaque public material.  */
          nmpi = 0;
          break;
        }
      for (k = 0; k < nmpi; k++)
        if ((err = _pgp_read_mpi (body, &mpi[k], &mpilen[k])))
          goto leave;
      break;
    }
  publen = brd_ptr (body) - pubstart;

  /* Load the numbers if we can compute with this key.  */
  use = (algo == PK_RSA
         || ((algo == PK_ECDH || algo == PK_ECDSA || algo == PK_EDDSA)
             && pk_algo_supported (algo, curve)));
  if (use)
    {
      key->pk->curve = curve;
      for (k = 0; k < nmpi; k++)
        if ((err = pk_key_set_mpi (key->pk, 0, k, mpi[k], mpilen[k])))
          goto leave;
      key->pk->npub = nmpi;
      if (kdf)
        {
          key->pk->kdf_hash = kdf[1];
          key->pk->kdf_cipher = kdf[2];
        }
    }

  /* The public-key packet.  */
  if ((err = _pgp_make_packet (key->is_subkey ? PGP_PKT_PUBLIC_SUBKEY
                               : PGP_PKT_PUBLIC_KEY,
                               pubstart, publen, 0, &key->pubraw_,
                               &key->pubrawlen_, &key->pubhdrlen_)))
    goto leave;
  if (!is_secret)
    {
      /* Keep the packet exactly as read.  */
      xfree (key->pubraw_);
      key->pubraw_ = NULL;
      if ((err = _pgp_memdup (raw, rawlen, 0, &key->pubraw_)))
        goto leave;
      key->pubrawlen_ = rawlen;
      key->pubhdrlen_ = rawlen - publen;
      if ((err = brd_end (body)))
        goto leave;
    }
  if ((err = compute_fpr (key)))
    goto leave;
  if (!is_secret)
    goto done;

  /* Secret part.  */
  if ((err = _pgp_memdup (raw, rawlen, 1, &key->secraw_)))
    goto leave;
  key->secrawlen_ = rawlen;
  if ((err = brd_get_u8 (body, &usage)))
    goto leave;
  if (!usage)
    {
      nmpi = nsec_mpis (algo);
      if (nmpi < 0)
        {
          err = gpg_error (GPG_ERR_PUBKEY_ALGO);
          goto leave;
        }
      if ((err = read_secret_mpis (body, key->pk, nmpi, use, 1)))
        goto leave;
      key->secret = use ? PGP_SECRET_PLAIN : PGP_SECRET_ENCRYPTED;
      goto done;
    }
  key->secret = PGP_SECRET_ENCRYPTED;
  if (usage == 254 || usage == 255)
    {
      unsigned int sym, s2k, hash;

      if ((err = brd_get_u8 (body, &sym)) || (err = brd_get_u8 (body, &s2k)))
        goto leave;
      if (s2k == 101)
        {
          /* GNU extension: "GNU" + mode.  */
          if ((err = brd_get_u8 (body, &hash))
              || (err = brd_get_bytes (body, 3, &p)))
            goto leave;
          if (memcmp (p, "GNU", 3) || (err = brd_get_u8 (body, &n)))
            {
              if (!err)
                err = gpg_error (GPG_ERR_INV_PACKET);
              goto leave;
            }
          if (n == 1 || n == 2)
            key->secret = PGP_SECRET_GNU_DUMMY;
          goto done;
        }
      if ((err = brd_get_u8 (body, &hash)))
        goto leave;
      if (s2k == 1 || s2k == 3)
        if ((err = brd_skip (body, 8)))
          goto leave;
      if (s2k == 3 && (err = brd_skip (body, 1)))
        goto leave;
      if (s2k != 0 && s2k != 1 && s2k != 3)
        {
          err = gpg_error (GPG_ERR_INV_PACKET);
          goto leave;
        }
    }
  /* IV and encrypted data: not checked until decrypted.  */

 done:
  *r_key = key;
  key = NULL;
  err = 0;

 leave:
  pgp_key_release (key);
  return err;
}


/* Write KEY's packet: the secret-key packet if SECRET and there is
 * one, else the public-key packet.  */
void
_pgp_key_write (const pgp_key_t *key, int secret, membuf_t *mb)
{
  if (secret && key->secraw_)
    membuf_put (mb, key->secraw_, key->secrawlen_);
  else
    membuf_put (mb, key->pubraw_, key->pubrawlen_);
}


/* Append the public body of KEY (built from KEY->pk) to MB.  */
static void
write_public_body (const pgp_key_t *key, membuf_t *mb)
{
  const pk_key_t *pk = key->pk;
  const unsigned char *oid;
  size_t oidlen;
  unsigned int k;

  membuf_put_u8 (mb, 4);
  membuf_put_u32 (mb, key->created);
  membuf_put_u8 (mb, pk->algo);
  if (pk->algo != PK_RSA)
    {
      oid = pk_curve_oid (pk->curve, &oidlen);
      if (!oid || !oidlen || oidlen > 254)
        {
          if (!mb->err)
            mb->err = gpg_error (GPG_ERR_UNKNOWN_CURVE);
          return;
        }
      membuf_put_u8 (mb, oidlen);
      membuf_put (mb, oid, oidlen);
    }
  for (k = 0; k < pk->npub; k++)
    _pgp_write_mpi (mb, pk->pub[k].data, pk->pub[k].len);
  if (pk->algo == PK_ECDH)
    {
      membuf_put_u8 (mb, 3);
      membuf_put_u8 (mb, 1);
      membuf_put_u8 (mb, pk->kdf_hash);
      membuf_put_u8 (mb, pk->kdf_cipher);
    }
}


/* Append the secret MPIs of PK to MB.  */
static void
write_secret_mpis (const pk_key_t *pk, membuf_t *mb)
{
  unsigned int k;

  for (k = 0; k < pk->nsec; k++)
    _pgp_write_mpi (mb, pk->sec[k].data, pk->sec[k].len);
}


/* (Re)build PUBRAW_, FPR, KEYID and, if KEY->pk has a secret, an
 * unprotected SECRAW_ from KEY->pk and KEY->created.  */
gpg_error_t
_pgp_key_build_packet (pgp_key_t *key)
{
  gpg_error_t err;
  membuf_t body, sec;
  unsigned char *buf = NULL;
  size_t buflen, i, start;
  unsigned int sum = 0;

  membuf_init (&body, PGP_MAX_OUTPUT, 0);
  membuf_init (&sec, PGP_MAX_OUTPUT, 1);
  write_public_body (key, &body);
  if ((err = membuf_take (&body, &buf, &buflen)))
    goto leave;
  atomic_store (&key->serial_, 0);  /* A new packet.  */
  xfree (key->pubraw_);
  key->pubraw_ = NULL;
  if ((err = _pgp_make_packet (key->is_subkey ? PGP_PKT_PUBLIC_SUBKEY
                               : PGP_PKT_PUBLIC_KEY, buf, buflen, 0,
                               &key->pubraw_, &key->pubrawlen_,
                               &key->pubhdrlen_)))
    goto leave;
  if ((err = compute_fpr (key)))
    goto leave;
  wipe_and_free (key->secraw_, key->secrawlen_);
  key->secraw_ = NULL;
  key->secrawlen_ = 0;
  key->secret = PGP_SECRET_NONE;
  if (!pk_key_has_secret (key->pk))
    goto leave;

  membuf_put (&sec, buf, buflen);
  membuf_put_u8 (&sec, 0);
  start = membuf_len (&sec);
  write_secret_mpis (key->pk, &sec);
  if ((err = membuf_error (&sec)))
    goto leave;
  for (i = start; i < membuf_len (&sec); i++)
    sum = (sum + membuf_data (&sec)[i]) & 0xffff;
  membuf_put_u16 (&sec, sum);
  if ((err = membuf_error (&sec)))
    goto leave;
  if ((err = _pgp_make_packet (key->is_subkey ? PGP_PKT_SECRET_SUBKEY
                               : PGP_PKT_SECRET_KEY, membuf_data (&sec),
                               membuf_len (&sec), 1, &key->secraw_,
                               &key->secrawlen_, NULL)))
    goto leave;
  key->secret = PGP_SECRET_PLAIN;

 leave:
  xfree (buf);
  membuf_release (&sec);
  membuf_release (&body);
  return err;
}


/* Build a v4 key from PK created at CREATED.  */
gpg_error_t
pgp_key_from_pk (const pk_key_t *pk, uint32_t created, int is_subkey,
                 pgp_key_t **r_key)
{
  gpg_error_t err;
  pgp_key_t *key;

  *r_key = NULL;
  if (!pk || !pk_algo_supported (pk->algo, pk->curve))
    return gpg_error (GPG_ERR_PUBKEY_ALGO);
  key = xtrycalloc (1, sizeof *key);
  if (!key)
    return oca_error_from_errno ();
  key->version = 4;
  key->is_subkey = !!is_subkey;
  key->created = created;
  if ((err = pk_key_copy (pk, 0, &key->pk)))
    goto leave;
  if ((err = _pgp_key_build_packet (key)))
    goto leave;
  *r_key = key;
  key = NULL;

 leave:
  pgp_key_release (key);
  return err;
}


/* Keygrip of KEY.  */
gpg_error_t
pgp_key_keygrip (const pgp_key_t *key, unsigned char grip[20])
{
  memset (grip, 0, 20);
  if (!key || !key->pk || !key->pk->npub)
    return gpg_error (GPG_ERR_PUBKEY_ALGO);
  return pk_keygrip (key->pk, grip);
}


/* Derive KEYLEN bytes with S2K MODE (0, 1, 3) of HASHALGO (OpenPGP
 * id).  */
static gpg_error_t
s2k_derive (int mode, int hashalgo, const unsigned char *salt,
            unsigned int countoctet, const char *pass,
            unsigned char *out, size_t keylen)
{
  gpg_error_t err;
  int galgo = map_hash (hashalgo);
  gcry_md_hd_t md = NULL;
  size_t passlen = strlen (pass), dlen, used = 0, pass_i, count, done;
  unsigned char zero = 0;
  unsigned int i;

  if (!galgo)
    return gpg_error (GPG_ERR_DIGEST_ALGO);
  dlen = gcry_md_get_algo_dlen (galgo);
  if ((err = gcry_md_open (&md, galgo, GCRY_MD_FLAG_SECURE)))
    return err;
  for (pass_i = 0; used < keylen; pass_i++)
    {
      gcry_md_reset (md);
      for (i = 0; i < pass_i; i++)
        gcry_md_write (md, &zero, 1);
      if (mode == 0)
        gcry_md_write (md, pass, passlen);
      else
        {
          count = mode == 3
            ? (size_t)(16 + (countoctet & 15)) << ((countoctet >> 4) + 6)
            : 0;
          if (count < 8 + passlen)
            count = 8 + passlen;
          for (done = 0; done < count; )
            {
              size_t n = count - done < 8 ? count - done : 8;
              gcry_md_write (md, salt, n);
              done += n;
              n = count - done < passlen ? count - done : passlen;
              gcry_md_write (md, pass, n);
              done += n;
            }
        }
      memcpy (out + used, gcry_md_read (md, galgo),
              keylen - used < dlen ? keylen - used : dlen);
      used += keylen - used < dlen ? keylen - used : dlen;
    }
  gcry_md_close (md);
  return 0;
}


/* Encrypt KEY's secret with PASSPHRASE into a new SECRAW_.  */
static gpg_error_t
protect_key (pgp_key_t *key, const char *passphrase)
{
  gpg_error_t err;
  membuf_t plain, out;
  unsigned char salt[8], iv[16], kek[32], *enc;
  size_t publen = key->pubrawlen_ - key->pubhdrlen_;
  gcry_cipher_hd_t hd = NULL;
  unsigned char *raw = NULL;
  size_t rawlen;

  membuf_init (&plain, PGP_MAX_OUTPUT, 1);
  membuf_init (&out, PGP_MAX_OUTPUT, 1);
  gcry_create_nonce (salt, sizeof salt);
  gcry_create_nonce (iv, sizeof iv);
  if ((err = s2k_derive (3, PK_HASH_SHA256, salt, S2K_COUNT_OCTET,
                         passphrase, kek, sizeof kek)))
    goto leave;
  write_secret_mpis (key->pk, &plain);
  {
    unsigned char dig[20];
    if ((err = membuf_error (&plain)))
      goto leave;
    gcry_md_hash_buffer (GCRY_MD_SHA1, dig, membuf_data (&plain),
                         membuf_len (&plain));
    membuf_put (&plain, dig, 20);
    wipememory (dig, sizeof dig);
  }
  membuf_put (&out, key->pubraw_ + key->pubhdrlen_, publen);
  membuf_put_u8 (&out, 254);
  membuf_put_u8 (&out, PK_CIPHER_AES256);
  membuf_put_u8 (&out, 3);
  membuf_put_u8 (&out, PK_HASH_SHA256);
  membuf_put (&out, salt, 8);
  membuf_put_u8 (&out, S2K_COUNT_OCTET);
  membuf_put (&out, iv, 16);
  if ((err = membuf_error (&plain)))
    goto leave;
  enc = membuf_reserve (&out, membuf_len (&plain));
  if ((err = membuf_error (&out)))
    goto leave;
  if ((err = gcry_cipher_open (&hd, GCRY_CIPHER_AES256, GCRY_CIPHER_MODE_CFB,
                               GCRY_CIPHER_SECURE))
      || (err = gcry_cipher_setkey (hd, kek, sizeof kek))
      || (err = gcry_cipher_setiv (hd, iv, sizeof iv))
      || (err = gcry_cipher_encrypt (hd, enc, membuf_len (&plain),
                                     membuf_data (&plain),
                                     membuf_len (&plain))))
    goto leave;
  if ((err = _pgp_make_packet (key->is_subkey ? PGP_PKT_SECRET_SUBKEY
                               : PGP_PKT_SECRET_KEY, membuf_data (&out),
                               membuf_len (&out), 1, &raw, &rawlen, NULL)))
    goto leave;
  wipe_and_free (key->secraw_, key->secrawlen_);
  key->secraw_ = raw;
  key->secrawlen_ = rawlen;
  raw = NULL;

 leave:
  gcry_cipher_close (hd);
  wipememory (kek, sizeof kek);
  membuf_release (&plain);
  membuf_release (&out);
  return err;
}


/* Encrypt the secret parts of CERT's keys with PASSPHRASE.  */
gpg_error_t
pgp_cert_protect (pgp_cert_t *cert, const char *passphrase)
{
  gpg_error_t err = 0;
  pgp_key_t *key;

  if (!cert || !passphrase || !*passphrase)
    return gpg_error (GPG_ERR_INV_ARG);
  for (key = cert->primary; key;
       key = key == cert->primary ? cert->subkeys : key->next)
    if (pk_key_has_secret (key->pk))
      if ((err = protect_key (key, passphrase)))
        break;
  return err;
}


/* Decrypt KEY's SECRAW_ with PASSPHRASE.  */
static gpg_error_t
unprotect_key (pgp_key_t *key, const char *passphrase)
{
  gpg_error_t err;
  brd_t r, body;
  int tag, galgo, nmpi;
  const unsigned char *raw, *salt = NULL, *iv, *enc;
  size_t rawlen, blk, keylen, enclen = 0;
  unsigned int usage, sym, s2k = 0, hash = 0, count = 0;
  unsigned char kek[32];
  unsigned char *plain = NULL;
  gcry_cipher_hd_t hd = NULL;
  pk_key_t *pk = NULL;

  brd_init (&r, key->secraw_, key->secrawlen_);
  if ((err = _pgp_read_packet (&r, &tag, &body, &raw, &rawlen)))
    goto leave;
  if ((err = brd_skip (&body, key->pubrawlen_ - key->pubhdrlen_))
      || (err = brd_get_u8 (&body, &usage)))
    goto leave;
  if (usage == 254 || usage == 255)
    {
      if ((err = brd_get_u8 (&body, &sym)) || (err = brd_get_u8 (&body, &s2k))
          || (err = brd_get_u8 (&body, &hash)))
        goto leave;
      if (s2k == 1 || s2k == 3)
        if ((err = brd_get_bytes (&body, 8, &salt)))
          goto leave;
      if (s2k == 3 && (err = brd_get_u8 (&body, &count)))
        goto leave;
      if (s2k != 0 && s2k != 1 && s2k != 3)
        {
          err = gpg_error (GPG_ERR_NOT_SUPPORTED);
          goto leave;
        }
    }
  else
    {
      /* Legacy: USAGE is the cipher, key = MD5(passphrase).  */
      sym = usage;
      hash = 1;
    }
  galgo = map_cipher (sym);
  if (!galgo)
    {
      err = gpg_error (GPG_ERR_CIPHER_ALGO);
      goto leave;
    }
  blk = gcry_cipher_get_algo_blklen (galgo);
  keylen = gcry_cipher_get_algo_keylen (galgo);
  if (!blk || !keylen || keylen > sizeof kek)
    {
      err = gpg_error (GPG_ERR_CIPHER_ALGO);
      goto leave;
    }
  if ((err = brd_get_bytes (&body, blk, &iv)))
    goto leave;
  brd_rest (&body, &enc, &enclen);
  if ((err = s2k_derive (s2k, hash, salt, count, passphrase, kek, keylen)))
    goto leave;
  plain = xtrymalloc_secure (enclen + 1);
  if (!plain)
    {
      err = oca_error_from_errno ();
      goto leave;
    }
  if ((err = gcry_cipher_open (&hd, galgo, GCRY_CIPHER_MODE_CFB,
                               GCRY_CIPHER_SECURE))
      || (err = gcry_cipher_setkey (hd, kek, keylen))
      || (err = gcry_cipher_setiv (hd, iv, blk))
      || (err = gcry_cipher_decrypt (hd, plain, enclen, enc, enclen)))
    goto leave;
  if ((err = pk_key_copy (key->pk, 1, &pk)))
    goto leave;
  nmpi = nsec_mpis (pk->algo);
  if (nmpi < 0 || !pk->npub)
    {
      err = gpg_error (GPG_ERR_PUBKEY_ALGO);
      goto leave;
    }
  brd_init (&r, plain, enclen);
  err = read_secret_mpis (&r, pk, nmpi, 1, usage == 254 ? 2 : 1);
  if (err)
    {
      /* Garbage after decryption means a wrong passphrase.  */
      err = gpg_error (GPG_ERR_BAD_PASSPHRASE);
      goto leave;
    }
  if ((err = pk_check_secret (pk)))
    {
      err = gpg_error (GPG_ERR_BAD_PASSPHRASE);
      goto leave;
    }
  pk_key_release (key->pk);
  key->pk = pk;
  pk = NULL;
  /* Rebuild as an unprotected packet.  */
  err = _pgp_key_build_packet (key);

 leave:
  pk_key_release (pk);
  gcry_cipher_close (hd);
  wipememory (kek, sizeof kek);
  wipe_and_free (plain, enclen);
  return err;
}


/* Decrypt CERT's encrypted secret keys with PASSPHRASE.  */
gpg_error_t
pgp_cert_unprotect (pgp_cert_t *cert, const char *passphrase)
{
  gpg_error_t err = 0;
  pgp_key_t *key;

  if (!cert || !passphrase)
    return gpg_error (GPG_ERR_INV_ARG);
  for (key = cert->primary; key;
       key = key == cert->primary ? cert->subkeys : key->next)
    if (key->secret == PGP_SECRET_ENCRYPTED && key->secraw_)
      if ((err = unprotect_key (key, passphrase)))
        break;
  return err;
}
