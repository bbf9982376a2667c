/* pgp-sig.c - OpenPGP v4 signature packets: parse, hash, create, verify
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Hashing follows RFC 4880 5.2.4: the key (0x99, 2-octet length, body),
 * then a user ID (0xB4, 4-octet length, body) or user attribute (0xD1)
 * or a subkey (0x99 ...), then the v4 trailer: the signature from the
 * version octet to the end of the hashed subpackets, followed by 0x04
 * 0xFF and the 4-octet length of that part.
 *
 * A version 4 signature with a malformed body (bad subpacket lengths,
 * wrong MPI count) is kept byte-for-byte but marked BAD; other versions
 * are kept and marked UNSUPPORTED.  Neither ever verifies.
 */
#include <config.h>
#include "oca-common.h"
#include "pgp-int.h"

#include <string.h>
#include <time.h>


/* Number of signature MPIs per algorithm (-1 = unknown).  */
static int
nsig_mpis (int algo)
{
  switch (algo)
    {
    case 1: case 2: case 3: return 1;
    case 16: case 17: case 19: case 22: return 2;
    default: return -1;
    }
}


static void
notations_release (pgp_notation_t *n)
{
  while (n)
    {
      pgp_notation_t *next = n->next;
      xfree (n->name);
      xfree (n->value);
      xfree (n);
      n = next;
    }
}


/* Free the parsed contents of SIG (not RAW).  */
static void
sig_clear_parsed (pgp_sig_t *sig)
{
  unsigned int i;

  xfree (sig->regex);
  sig->regex = NULL;
  xfree (sig->signer_uid);
  sig->signer_uid = NULL;
  xfree (sig->revoc_text);
  sig->revoc_text = NULL;
  notations_release (sig->notations);
  sig->notations = NULL;
  pgp_sig_release (sig->embedded);
  sig->embedded = NULL;
  for (i = 0; i < PK_MAX_SIG; i++)
    pk_mpi_release (&sig->mpi[i]);
  sig->nmpi = 0;
  sig->hashed_ = NULL;
  sig->unhashed_ = NULL;
}


/* Release SIG and its chain.  */
void
pgp_sig_release (pgp_sig_t *sig)
{
  while (sig)
    {
      pgp_sig_t *next = sig->next;
      sig_clear_parsed (sig);
      xfree (sig->raw);
      xfree (sig);
      sig = next;
    }
}


static gpg_error_t
dup_string (const unsigned char *p, size_t n, char **r)
{
  const unsigned char *z = memchr (p, 0, n);

  xfree (*r);
  *r = NULL;
  if (z)
    n = z - p;
  return _pgp_memdup (p, n, 0, (unsigned char **)r);
}


static gpg_error_t
get_subpkt_len (brd_t *r, size_t *r_len)
{
  gpg_error_t err;
  unsigned int c, c2;
  uint32_t v;

  *r_len = 0;
  if ((err = brd_get_u8 (r, &c)))
    return err;
  if (c < 192)
    *r_len = c;
  else if (c < 255)
    {
      if ((err = brd_get_u8 (r, &c2)))
        return err;
      *r_len = ((size_t)(c - 192) << 8) + c2 + 192;
    }
  else
    {
      if ((err = brd_get_u32 (r, &v)))
        return err;
      *r_len = v;
    }
  if (!*r_len)
    return gpg_error (GPG_ERR_INV_PACKET);
  return 0;
}


static gpg_error_t
exact_u32 (brd_t *sp, uint32_t *r)
{
  gpg_error_t err = brd_get_u32 (sp, r);
  return err ? err : brd_end (sp);
}


/* Parse a subpacket area into SIG.  */
static gpg_error_t
parse_subpackets (const unsigned char *area, size_t arealen, int hashed,
                  int depth, pgp_sig_t *sig)
{
  gpg_error_t err = 0;
  brd_t r, sp;
  size_t len, n;
  unsigned int type, v, v2;
  int critical;
  const unsigned char *p;

  brd_init (&r, area, arealen);
  while (brd_left (&r))
    {
      if ((err = get_subpkt_len (&r, &len))
          || (err = brd_sub (&r, len, &sp))
          || (err = brd_get_u8 (&sp, &type)))
        return err;
      critical = !!(type & 0x80);
      type &= 0x7f;
      if (!hashed)
        {
          /* Only self-authenticating data from the unhashed area.  */
          if (type != PGP_SUB_ISSUER && type != PGP_SUB_ISSUER_FPR
              && type != PGP_SUB_EMBEDDED_SIG)
            continue;
        }
      switch (type)
        {
        case PGP_SUB_CREATED:
          if ((err = exact_u32 (&sp, &sig->created)))
            return err;
          break;
        case PGP_SUB_SIG_EXPIRE:
          if ((err = exact_u32 (&sp, &sig->sig_expire)))
            return err;
          break;
        case PGP_SUB_KEY_EXPIRE:
          if ((err = exact_u32 (&sp, &sig->key_expire)))
            return err;
          sig->has_key_expire = 1;
          break;
        case PGP_SUB_EXPORTABLE:
          if ((err = brd_get_u8 (&sp, &v)) || (err = brd_end (&sp)))
            return err;
          sig->exportable = !!v;
          break;
        case PGP_SUB_REVOCABLE:
          if ((err = brd_get_u8 (&sp, &v)) || (err = brd_end (&sp)))
            return err;
          sig->revocable = !!v;
          break;
        case PGP_SUB_PRIMARY_UID:
          if ((err = brd_get_u8 (&sp, &v)) || (err = brd_end (&sp)))
            return err;
          sig->primary_uid = !!v;
          break;
        case PGP_SUB_TRUST:
          if ((err = brd_get_u8 (&sp, &v)) || (err = brd_get_u8 (&sp, &v2))
              || (err = brd_end (&sp)))
            return err;
          sig->trust_level = v;
          sig->trust_amount = v2;
          sig->has_trust = 1;
          break;
        case PGP_SUB_REGEX:
          brd_rest (&sp, &p, &n);
          if ((err = dup_string (p, n, &sig->regex)))
            return err;
          break;
        case PGP_SUB_SIGNER_UID:
          brd_rest (&sp, &p, &n);
          if ((err = dup_string (p, n, &sig->signer_uid)))
            return err;
          break;
        case PGP_SUB_REVOC_REASON:
          if ((err = brd_get_u8 (&sp, &v)))
            return err;
          brd_rest (&sp, &p, &n);
          sig->has_revoc_reason = 1;
          sig->revoc_reason = v;
          if ((err = dup_string (p, n, &sig->revoc_text)))
            return err;
          break;
        case PGP_SUB_KEY_FLAGS:
          brd_rest (&sp, &p, &n);
          sig->has_key_flags = 1;
          sig->key_flags = n ? p[0] : 0;
          break;
        case PGP_SUB_FEATURES:
          brd_rest (&sp, &p, &n);
          sig->has_features = 1;
          sig->features = n ? p[0] : 0;
          break;
        case PGP_SUB_PREF_SYM:
        case PGP_SUB_PREF_HASH:
        case PGP_SUB_PREF_COMPR:
          {
            unsigned char *dst = type == PGP_SUB_PREF_SYM ? sig->pref_sym
              : type == PGP_SUB_PREF_HASH ? sig->pref_hash : sig->pref_compr;
            size_t *dstn = type == PGP_SUB_PREF_SYM ? &sig->n_pref_sym
              : type == PGP_SUB_PREF_HASH ? &sig->n_pref_hash
              : &sig->n_pref_compr;
            brd_rest (&sp, &p, &n);
            if (n > 16)
              n = 16;
            memcpy (dst, p, n);
            *dstn = n;
          }
          break;
        case PGP_SUB_ISSUER:
          if ((err = brd_copy (&sp, sig->issuer, 8)) || (err = brd_end (&sp)))
            return err;
          sig->has_issuer = 1;
          break;
        case PGP_SUB_ISSUER_FPR:
          if ((err = brd_get_u8 (&sp, &v)))
            return err;
          if (v == 4)
            {
              if ((err = brd_copy (&sp, sig->issuer_fpr, 20))
                  || (err = brd_end (&sp)))
                return err;
              sig->has_issuer_fpr = 1;
            }
          break;
        case PGP_SUB_NOTATION:
          {
            pgp_notation_t *nt, **tail;
            const unsigned char *flags, *name, *value;
            unsigned int nlen, vlen;

            if ((err = brd_get_bytes (&sp, 4, &flags))
                || (err = brd_get_u16 (&sp, &nlen))
                || (err = brd_get_u16 (&sp, &vlen))
                || (err = brd_get_bytes (&sp, nlen, &name))
                || (err = brd_get_bytes (&sp, vlen, &value))
                || (err = brd_end (&sp)))
              return err;
            nt = xtrycalloc (1, sizeof *nt);
            if (!nt)
              return oca_error_from_errno ();
            for (tail = &sig->notations; *tail; tail = &(*tail)->next)
              ;
            *tail = nt;
            nt->human_readable = !!(flags[0] & 0x80);
            nt->critical = critical;
            if ((err = _pgp_memdup (name, nlen, 0,
                                    (unsigned char **)&nt->name))
                || (err = _pgp_memdup (value, vlen, 0, &nt->value)))
              return err;
            nt->valuelen = vlen;
          }
          break;
        case PGP_SUB_EMBEDDED_SIG:
          if (depth < 1 && !sig->embedded)
            {
              unsigned char *raw = NULL;
              size_t rawlen, hdrlen;

              brd_rest (&sp, &p, &n);
              if ((err = _pgp_make_packet (PGP_PKT_SIGNATURE, p, n, 0,
                                           &raw, &rawlen, &hdrlen)))
                return err;
              err = _pgp_parse_sig (raw, rawlen, hdrlen, depth + 1,
                                    &sig->embedded);
              xfree (raw);
              if (err)
                return err;
            }
          break;
        case 10: case PGP_SUB_REVOKER: case PGP_SUB_KS_PREFS:
        case PGP_SUB_PREF_KS: case PGP_SUB_POLICY: case PGP_SUB_SIG_TARGET:
        case 34: case 35: case 37: case 39:
          break;  /* Known; not needed.  */
        default:
          if (critical && hashed)
            sig->unknown_critical = 1;
          break;
        }
    }
  return 0;
}


/* Parse the v4 body in R into SIG.  */
static gpg_error_t
parse_v4 (brd_t *r, int depth, pgp_sig_t *sig)
{
  gpg_error_t err;
  unsigned int v, hlen, ulen;
  const unsigned char *p;
  int k, n;

  if ((err = brd_get_u8 (r, &v)))
    return err;
  sig->sigclass = v;
  if ((err = brd_get_u8 (r, &v)))
    return err;
  sig->pkalgo = v;
  if ((err = brd_get_u8 (r, &v)))
    return err;
  sig->hashalgo = v;
  /* R reads SIG->raw: the areas stay where they are.  */
  if ((err = brd_get_u16 (r, &hlen)) || (err = brd_get_bytes (r, hlen, &p)))
    return err;
  sig->hashed_ = p;
  sig->hashedlen_ = hlen;
  if ((err = brd_get_u16 (r, &ulen)) || (err = brd_get_bytes (r, ulen, &p)))
    return err;
  sig->unhashed_ = p;
  sig->unhashedlen_ = ulen;
  if ((err = brd_copy (r, sig->hash_prefix, 2)))
    return err;
  sig->exportable = 1;
  sig->revocable = 1;
  if ((err = parse_subpackets (sig->hashed_, hlen, 1, depth, sig))
      || (err = parse_subpackets (sig->unhashed_, ulen, 0, depth, sig)))
    return err;
  n = nsig_mpis (sig->pkalgo);
  if (n < 0)
    {
      sig->status = PGP_SIGSTAT_UNSUPPORTED;
      return 0;
    }
  for (k = 0; k < n; k++)
    {
      size_t len;

      if ((err = _pgp_read_mpi (r, &p, &len)))
        return err;
      while (len && !*p)
        {
          p++;
          len--;
        }
      if ((err = _pgp_memdup (p, len, 0, &sig->mpi[k].data)))
        return err;
      sig->mpi[k].len = len;
      sig->nmpi = k + 1;
    }
  if ((err = brd_end (r)))
    return err;
  if (sig->unknown_critical || !sig->created)
    sig->status = PGP_SIGSTAT_UNSUPPORTED;
  return 0;
}


/* Parse a signature packet RAW/RAWLEN whose header is HDRLEN bytes.
 * DEPTH counts embedded-signature nesting.  */
gpg_error_t
_pgp_parse_sig (const unsigned char *raw, size_t rawlen, size_t hdrlen,
                int depth, pgp_sig_t **r_sig)
{
  gpg_error_t err;
  pgp_sig_t *sig;
  brd_t r;
  unsigned int version;

  *r_sig = NULL;
  sig = xtrycalloc (1, sizeof *sig);
  if (!sig)
    return oca_error_from_errno ();
  if ((err = _pgp_memdup (raw, rawlen, 0, &sig->raw)))
    goto leave;
  sig->rawlen = rawlen;
  sig->hdrlen_ = hdrlen;
  brd_init (&r, sig->raw + hdrlen, rawlen - hdrlen);
  if ((err = brd_get_u8 (&r, &version)))
    goto leave;
  sig->version = version;
  sig->sigclass = -1;
  if (version != 4)
    sig->status = PGP_SIGSTAT_UNSUPPORTED;
  else
    {
      err = parse_v4 (&r, depth, sig);
      if (err && gpg_err_code (err) != GPG_ERR_ENOMEM)
        {
          /* Malformed: keep the bytes, never trust it.  */
          sig_clear_parsed (sig);
          sig->status = PGP_SIGSTAT_BAD;
          sig->sigclass = -1;
          err = 0;
        }
      if (err)
        goto leave;
    }
  *r_sig = sig;
  sig = NULL;

 leave:
  pgp_sig_release (sig);
  return err;
}


/* Deep copy of one signature.  */
gpg_error_t
pgp_sig_copy (const pgp_sig_t *sig, pgp_sig_t **r_copy)
{
  gpg_error_t err;

  *r_copy = NULL;
  err = _pgp_parse_sig (sig->raw, sig->rawlen, sig->hdrlen_, 0, r_copy);
  if (!err)
    (*r_copy)->status = sig->status;
  return err;
}


/* Append SIG at the end of *LIST.  */
void
_pgp_sig_append (pgp_sig_t **list, pgp_sig_t *sig)
{
  while (*list)
    list = &(*list)->next;
  *list = sig;
}


/* Whether A and B are the same signature (ignoring the unhashed area
 * and the packet header).  */
int
_pgp_sig_same (const pgp_sig_t *a, const pgp_sig_t *b)
{
  unsigned int i;

  if (a->version != 4 || b->version != 4 || a->sigclass < 0
      || b->sigclass < 0)
    return (a->rawlen - a->hdrlen_ == b->rawlen - b->hdrlen_
            && !memcmp (a->raw + a->hdrlen_, b->raw + b->hdrlen_,
                        a->rawlen - a->hdrlen_));
  if (a->sigclass != b->sigclass || a->pkalgo != b->pkalgo
      || a->hashalgo != b->hashalgo || a->hashedlen_ != b->hashedlen_
      || memcmp (a->hashed_, b->hashed_, a->hashedlen_)
      || memcmp (a->hash_prefix, b->hash_prefix, 2) || a->nmpi != b->nmpi)
    return 0;
  for (i = 0; i < a->nmpi; i++)
    if (a->mpi[i].len != b->mpi[i].len
        || memcmp (a->mpi[i].data, b->mpi[i].data, a->mpi[i].len))
      return 0;
  return 1;
}


/* See pgp.h.  */
int
pgp_sig_same (const pgp_sig_t *a, const pgp_sig_t *b)
{
  return _pgp_sig_same (a, b);
}


/* See pgp.h.  */
gpg_error_t
pgp_sig_sha256 (const pgp_sig_t *sig, unsigned char digest[32])
{
  size_t bodylen = sig->rawlen - sig->hdrlen_;
  unsigned char hdr[6];
  gcry_buffer_t iov[2];
  int n = 0;

  _pgp_iov_add (iov, &n, hdr,
                _pgp_header_bytes (PGP_PKT_SIGNATURE, bodylen, hdr));
  _pgp_iov_add (iov, &n, sig->raw + sig->hdrlen_, bodylen);
  return gcry_md_hash_buffers (GCRY_MD_SHA256, 0, digest, iov, n);
}


/* Whether SIG names FPR as its issuer (fingerprint, else key ID).  */
int
_pgp_sig_by (const pgp_sig_t *sig, const unsigned char fpr[20])
{
  if (sig->has_issuer_fpr)
    return !memcmp (sig->issuer_fpr, fpr, 20);
  if (sig->has_issuer)
    return !memcmp (sig->issuer, fpr + 12, 8);
  return 0;
}


/* Absolute expiration time of SIG (0 = never).  */
uint32_t
pgp_sig_expires (const pgp_sig_t *sig)
{
  uint64_t t;

  if (!sig->sig_expire)
    return 0;
  t = (uint64_t)sig->created + sig->sig_expire;
  return t > 0xffffffffu ? 0xffffffffu : (uint32_t)t;
}


/* Parts of a signature's hashed data: key, User ID, subkey (two each),
 * the header and hashed area, the trailer.  */
#define DIGEST_PARTS 9

/* Compute the digest for a v4 signature with the given header fields
 * over target T into DIGEST (64 bytes room).  Without a reader, in
 * one call of gcry_md_hash_buffers, which allocates nothing
 * (gcry_md_open allocates its context: a bulk run hashes several times
 * per certificate).  */
static gpg_error_t
compute_digest (int sigclass, int pkalgo, int hashalgo,
                const unsigned char *hashed, size_t hashedlen,
                const pgp_target_t *t, unsigned char *digest,
                size_t *r_dlen)
{
  gpg_error_t err;
  int galgo = pk_hash_to_gcry (hashalgo);
  gcry_md_hd_t md;
  gcry_buffer_t iov[DIGEST_PARTS];
  unsigned char khdr[3], uhdr[5], shdr[3], head[6], trail[6];
  size_t n;
  int niov = 0;

  *r_dlen = 0;
  if (!galgo)
    return gpg_error (GPG_ERR_DIGEST_ALGO);
  if (hashedlen > 0xffff)
    return gpg_error (GPG_ERR_TOO_LARGE);
  head[0] = 4;
  head[1] = sigclass;
  head[2] = pkalgo;
  head[3] = hashalgo;
  head[4] = hashedlen >> 8;
  head[5] = hashedlen;
  n = 6 + hashedlen;
  trail[0] = 4;
  trail[1] = 0xff;
  trail[2] = n >> 24;
  trail[3] = n >> 16;
  trail[4] = n >> 8;
  trail[5] = n;
  n = gcry_md_get_algo_dlen (galgo);
  if (!n || n > 64)
    return gpg_error (GPG_ERR_DIGEST_ALGO);

  if (t->read && !t->data)
    {
      unsigned char chunk[4096];
      size_t got;

      if ((err = gcry_md_open (&md, galgo, 0)))
        return err;
      do
        {
          if ((err = t->read (t->read_opaque, chunk, sizeof chunk, &got)))
            {
              gcry_md_close (md);
              return err;
            }
          if (got > sizeof chunk)
            {
              gcry_md_close (md);
              return gpg_error (GPG_ERR_INTERNAL);
            }
          gcry_md_write (md, chunk, got);
        }
      while (got);
      gcry_md_write (md, head, 6);
      gcry_md_write (md, hashed, hashedlen);
      gcry_md_write (md, trail, 6);
      memcpy (digest, gcry_md_read (md, galgo), n);
      gcry_md_close (md);
      *r_dlen = n;
      return 0;
    }

  if (t->data)
    _pgp_iov_add (iov, &niov, t->data, t->datalen);
  else
    {
      if (t->primary)
        _pgp_key_hash_parts (t->primary, khdr, iov, &niov);
      if (t->uid)
        {
          uhdr[0] = t->uid->is_attribute ? 0xD1 : 0xB4;
          uhdr[1] = t->uid->bodylen >> 24;
          uhdr[2] = t->uid->bodylen >> 16;
          uhdr[3] = t->uid->bodylen >> 8;
          uhdr[4] = t->uid->bodylen;
          _pgp_iov_add (iov, &niov, uhdr, 5);
          _pgp_iov_add (iov, &niov, t->uid->body, t->uid->bodylen);
        }
      if (t->subkey)
        _pgp_key_hash_parts (t->subkey, shdr, iov, &niov);
    }
  _pgp_iov_add (iov, &niov, head, 6);
  _pgp_iov_add (iov, &niov, hashed, hashedlen);
  _pgp_iov_add (iov, &niov, trail, 6);
  if ((err = gcry_md_hash_buffers (galgo, 0, digest, iov, niov)))
    return err;
  *r_dlen = n;
  return 0;
}


static gpg_error_t memo_id (const pgp_sig_t *sig, const pgp_target_t *t,
                            const pk_key_t *key, unsigned char out[32]);
static void memo_for (const pgp_target_t *t, const pk_key_t *key,
                      uint64_t out[4]);
static gpg_error_t memo_finish (const pgp_sig_t *sig,
                                const unsigned char *digest, size_t dlen,
                                const pk_key_t *key, unsigned char out[32]);


/* Verify SIG over target T with public KEY.  */
gpg_error_t
_pgp_sig_verify_target (const pgp_sig_t *sig, const pgp_target_t *t,
                        const pk_key_t *key)
{
  gpg_error_t err;
  unsigned char digest[64];
  size_t dlen;

  if (sig->version != 4 || sig->status == PGP_SIGSTAT_BAD
      || sig->status == PGP_SIGSTAT_UNSUPPORTED || sig->sigclass < 0)
    return gpg_error (GPG_ERR_NOT_SUPPORTED);
  if (!key || !key->npub || key->algo != sig->pkalgo)
    return gpg_error (GPG_ERR_WRONG_PUBKEY_ALGO);
  if ((err = compute_digest (sig->sigclass, sig->pkalgo, sig->hashalgo,
                             sig->hashed_, sig->hashedlen_, t, digest,
                             &dlen)))
    return err;
  if (memcmp (digest, sig->hash_prefix, 2))
    return gpg_error (GPG_ERR_BAD_SIGNATURE);
  err = pk_verify (key, sig->hashalgo, digest, dlen, sig->mpi, sig->nmpi);
  if (err && gpg_err_code (err) != GPG_ERR_ENOMEM)
    err = gpg_error (GPG_ERR_BAD_SIGNATURE);
  return err;
}


/* Create a signature of SIGCLASS with SIGNER over T.  HASHED/HASHEDLEN
 * are extra hashed subpackets; creation time and issuer fingerprint
 * are added in front, the issuer key ID goes unhashed.  */
gpg_error_t
_pgp_sig_create (const pgp_signer_t *signer, int sigclass, int hashalgo,
                 uint32_t created, const unsigned char *hashed,
                 size_t hashedlen, const pgp_target_t *t,
                 pgp_sig_t **r_sig)
{
  gpg_error_t err;
  membuf_t h, body;
  unsigned char tmp[21], digest[64];
  size_t dlen, hdrlen, rawlen;
  pk_mpi_t mpi[PK_MAX_SIG];
  unsigned int nmpi = 0, i;
  unsigned char *raw = NULL;
  int pkalgo;

  *r_sig = NULL;
  memset (mpi, 0, sizeof mpi);
  membuf_init (&h, PGP_MAX_OUTPUT, 0);
  membuf_init (&body, PGP_MAX_OUTPUT, 0);
  if (!signer || !signer->pub || !signer->sign)
    {
      err = gpg_error (GPG_ERR_INV_ARG);
      goto leave;
    }
  if (!hashalgo)
    hashalgo = signer->hashalgo ? signer->hashalgo : PK_HASH_SHA512;
  pkalgo = signer->pub->algo;
  created = _pgp_now (created);
  tmp[0] = created >> 24;
  tmp[1] = created >> 16;
  tmp[2] = created >> 8;
  tmp[3] = created;
  _pgp_put_subpkt (&h, PGP_SUB_CREATED, 0, tmp, 4);
  tmp[0] = 4;
  memcpy (tmp + 1, signer->fpr, 20);
  _pgp_put_subpkt (&h, PGP_SUB_ISSUER_FPR, 0, tmp, 21);
  membuf_put (&h, hashed, hashedlen);
  if ((err = membuf_error (&h)))
    goto leave;
  if ((err = compute_digest (sigclass, pkalgo, hashalgo, membuf_data (&h),
                             membuf_len (&h), t, digest, &dlen)))
    goto leave;
  if ((err = signer->sign (signer->ctx, hashalgo, digest, dlen, mpi, &nmpi)))
    goto leave;
  if (!nmpi || nmpi > PK_MAX_SIG)
    {
      err = gpg_error (GPG_ERR_INTERNAL);
      goto leave;
    }
  membuf_put_u8 (&body, 4);
  membuf_put_u8 (&body, sigclass);
  membuf_put_u8 (&body, pkalgo);
  membuf_put_u8 (&body, hashalgo);
  membuf_put_u16 (&body, membuf_len (&h));
  membuf_put (&body, membuf_data (&h), membuf_len (&h));
  membuf_put_u16 (&body, 10);
  _pgp_put_subpkt (&body, PGP_SUB_ISSUER, 0, signer->keyid, 8);
  membuf_put (&body, digest, 2);
  for (i = 0; i < nmpi; i++)
    _pgp_write_mpi (&body, mpi[i].data, mpi[i].len);
  if ((err = membuf_error (&body)))
    goto leave;
  if ((err = _pgp_make_packet (PGP_PKT_SIGNATURE, membuf_data (&body),
                               membuf_len (&body), 0, &raw, &rawlen,
                               &hdrlen)))
    goto leave;
  if ((err = _pgp_parse_sig (raw, rawlen, hdrlen, 0, r_sig)))
    goto leave;
  (*r_sig)->status = PGP_SIGSTAT_GOOD;
  /* Made here: never verified again in this run (a card's signature
   * is checked by its backend before it is handed back).  The digest
   * just signed is the one its memo identity covers: the packet parsed
   * back has the hashed area it was made from (checked, not assumed).  */
  if (!t->data && !t->read
      && (*r_sig)->hashedlen_ == membuf_len (&h)
      && !memcmp ((*r_sig)->hashed_, membuf_data (&h), membuf_len (&h))
      && !memo_finish (*r_sig, digest, dlen, signer->pub,
                       (*r_sig)->vmemo_))
    {
      (*r_sig)->vmemo_res_ = PGP_SIGSTAT_GOOD;
      memo_for (t, signer->pub, (*r_sig)->vmemo_for_);
    }

 leave:
  for (i = 0; i < PK_MAX_SIG; i++)
    pk_mpi_release (&mpi[i]);
  xfree (raw);
  membuf_release (&h);
  membuf_release (&body);
  return err;
}


/* Make a detached binary-document signature.  */
gpg_error_t
pgp_sign_detached (const pgp_signer_t *signer, const void *data, size_t len,
                   int hashalgo, uint32_t created, pgp_sig_t **r_sig)
{
  pgp_target_t t;

  memset (&t, 0, sizeof t);
  t.data = data ? data : (const unsigned char *)"";
  t.datalen = len;
  return _pgp_sig_create (signer, PGP_SIG_BINARY, hashalgo, created,
                          NULL, 0, &t, r_sig);
}


/* See pgp.h.  */
gpg_error_t
pgp_sign_detached_stream (const pgp_signer_t *signer, pgp_read_fn_t read,
                          void *opaque, int hashalgo, uint32_t created,
                          pgp_sig_t **r_sig)
{
  pgp_target_t t;

  *r_sig = NULL;
  if (!read)
    return gpg_error (GPG_ERR_INV_ARG);
  memset (&t, 0, sizeof t);
  t.read = read;
  t.read_opaque = opaque;
  return _pgp_sig_create (signer, PGP_SIG_BINARY, hashalgo, created,
                          NULL, 0, &t, r_sig);
}


/* Verify a detached binary-document signature.  */
gpg_error_t
pgp_verify_detached (const pgp_key_t *key, const void *data, size_t len,
                     const pgp_sig_t *sig)
{
  pgp_target_t t;

  if (!key || !sig)
    return gpg_error (GPG_ERR_INV_ARG);
  if (sig->sigclass != PGP_SIG_BINARY)
    return gpg_error (GPG_ERR_BAD_SIGNATURE);
  memset (&t, 0, sizeof t);
  t.data = data ? data : (const unsigned char *)"";
  t.datalen = len;
  return _pgp_sig_verify_target (sig, &t, key->pk);
}


/* Make a key revocation for CERT's primary key.  */
gpg_error_t
pgp_make_key_revocation (const pgp_cert_t *cert, const pgp_signer_t *signer,
                         int reason, const char *text, uint32_t created,
                         pgp_sig_t **r_sig)
{
  gpg_error_t err;
  membuf_t h;
  pgp_target_t t;

  *r_sig = NULL;
  if (!cert || !cert->primary)
    return gpg_error (GPG_ERR_INV_ARG);
  membuf_init (&h, 65536, 0);
  _pgp_put_revoc_reason (&h, reason, text);
  if ((err = membuf_error (&h)))
    goto leave;
  memset (&t, 0, sizeof t);
  t.primary = cert->primary;
  err = _pgp_sig_create (signer, PGP_SIG_KEY_REVOKE, 0, created,
                         membuf_data (&h), membuf_len (&h), &t, r_sig);
 leave:
  membuf_release (&h);
  return err;
}


/* Put LEN as four bytes big-endian into HDR, then HDR and the LEN bytes
 * at P into the next two of IOV.  */
static void
iov_add_counted (gcry_buffer_t *iov, int *n, unsigned char hdr[4],
                 const void *p, size_t len)
{
  hdr[0] = len >> 24;
  hdr[1] = len >> 16;
  hdr[2] = len >> 8;
  hdr[3] = len;
  _pgp_iov_add (iov, n, hdr, 4);
  _pgp_iov_add (iov, n, p, len);
}


/* The key of SIG's memo (see pgp_sig_t.vmemo_) for target T and KEY:
 * SHA-256 over the digest SIG signs, SIG's packet and numbers (as
 * parsed) and KEY's public numbers.  */
static gpg_error_t
memo_id (const pgp_sig_t *sig, const pgp_target_t *t, const pk_key_t *key,
         unsigned char out[32])
{
  gpg_error_t err;
  unsigned char digest[64];
  size_t dlen;

  /* As _pgp_sig_verify_target: a malformed one is refused at once.  */
  if (sig->version != 4 || sig->status == PGP_SIGSTAT_BAD
      || sig->status == PGP_SIGSTAT_UNSUPPORTED || sig->sigclass < 0
      || !sig->raw || !key || !key->npub)
    return gpg_error (GPG_ERR_NOT_SUPPORTED);
  if ((err = compute_digest (sig->sigclass, sig->pkalgo, sig->hashalgo,
                             sig->hashed_, sig->hashedlen_, t, digest,
                             &dlen)))
    return err;
  return memo_finish (sig, digest, dlen, key, out);
}


/* The memo identity of SIG from DIGEST/DLEN, the digest it signs (one
 * gcry_md_hash_buffers call, as compute_digest).  */
static gpg_error_t
memo_finish (const pgp_sig_t *sig, const unsigned char *digest, size_t dlen,
             const pk_key_t *key, unsigned char out[32])
{
  /* Header, digest, then packet, numbers and key numbers counted.  */
  gcry_buffer_t iov[2 + 2 * (1 + PK_MAX_SIG + PK_MAX_PUB)];
  unsigned char hdr[4], lens[1 + PK_MAX_SIG + PK_MAX_PUB][4];
  unsigned int i, k = 0;
  int niov = 0;

  if (!sig->raw || !key || !key->npub || key->npub > PK_MAX_PUB)
    return gpg_error (GPG_ERR_NOT_SUPPORTED);
  hdr[0] = sig->hashalgo;
  hdr[1] = dlen;
  hdr[2] = key->algo;
  hdr[3] = key->curve;
  _pgp_iov_add (iov, &niov, hdr, 4);
  _pgp_iov_add (iov, &niov, digest, dlen);
  /* The whole packet: its numbers and unhashed area (a back-signature)
   * are part of what was verified.  */
  iov_add_counted (iov, &niov, lens[k++], sig->raw, sig->rawlen);
  for (i = 0; i < sig->nmpi && i < PK_MAX_SIG; i++)
    iov_add_counted (iov, &niov, lens[k++], sig->mpi[i].data,
                     sig->mpi[i].len);
  for (i = 0; i < key->npub; i++)
    iov_add_counted (iov, &niov, lens[k++], key->pub[i].data,
                     key->pub[i].len);
  return gcry_md_hash_buffers (GCRY_MD_SHA256, 0, out, iov, niov);
}


/* OUT = what T and KEY are, as serials (pk_serial): the primary key,
 * the User ID, the subkey and KEY; all 0 when T is not a component of
 * a certificate.  */
static void
memo_for (const pgp_target_t *t, const pk_key_t *key, uint64_t out[4])
{
  memset (out, 0, 4 * sizeof *out);
  if (!t->primary || t->data || t->read || !key)
    return;
  /* A serial is a cache written through const pointers, atomically.  */
  out[0] = pk_serial ((_Atomic uint64_t *)&t->primary->serial_);
  if (t->uid)
    out[1] = pk_serial ((_Atomic uint64_t *)&t->uid->serial_);
  if (t->subkey)
    out[2] = pk_serial ((_Atomic uint64_t *)&t->subkey->serial_);
  out[3] = pk_serial ((_Atomic uint64_t *)&key->serial_);
}


/* memo_id of SIG for T and KEY, whose serials are FOR (memo_for).
 * When SIG's memo was computed for exactly those serials, it is that
 * identity: a serial names one content of one object for the whole
 * run, and SIG's own packet never changes.  Otherwise it is computed
 * (two hashes, the cost this saves: up to six times per certificate
 * in a bulk run).  */
static gpg_error_t
memo_id_for (const pgp_sig_t *sig, const pgp_target_t *t,
             const pk_key_t *key, const uint64_t f[4], unsigned char out[32])
{
  if (sig->vmemo_res_ && f[0] && sig->status != PGP_SIGSTAT_BAD
      && sig->status != PGP_SIGSTAT_UNSUPPORTED
      && !memcmp (sig->vmemo_for_, f, sizeof sig->vmemo_for_))
    {
      memcpy (out, sig->vmemo_, 32);
      return 0;
    }
  return memo_id (sig, t, key, out);
}


/* Verify SIG over a component of CERT with SIGNER_KEY (no memo).  */
static gpg_error_t
sig_verify (const pgp_cert_t *cert, const pgp_uid_t *uid,
            const pgp_key_t *subkey, const pgp_sig_t *sig,
            const pk_key_t *signer_key)
{
  gpg_error_t err;
  pgp_target_t t;

  if (!cert || !cert->primary || !sig)
    return gpg_error (GPG_ERR_INV_ARG);
  memset (&t, 0, sizeof t);
  t.primary = cert->primary;
  t.uid = uid;
  t.subkey = uid ? NULL : subkey;
  switch (sig->sigclass)
    {
    case PGP_SIG_GENERIC_CERT: case PGP_SIG_PERSONA_CERT:
    case PGP_SIG_CASUAL_CERT: case PGP_SIG_POSITIVE_CERT:
    case PGP_SIG_CERT_REVOKE:
      if (!uid)
        return gpg_error (GPG_ERR_BAD_SIGNATURE);
      break;
    case PGP_SIG_SUBKEY_BIND: case PGP_SIG_SUBKEY_REVOKE:
    case PGP_SIG_PRIMARY_BIND:
      if (!subkey || uid)
        return gpg_error (GPG_ERR_BAD_SIGNATURE);
      break;
    case PGP_SIG_DIRECT_KEY: case PGP_SIG_KEY_REVOKE:
      if (uid || subkey)
        return gpg_error (GPG_ERR_BAD_SIGNATURE);
      break;
    default:
      return gpg_error (GPG_ERR_BAD_SIGNATURE);
    }
  if ((err = _pgp_sig_verify_target (sig, &t, signer_key)))
    return err;
  if (sig->sigclass == PGP_SIG_SUBKEY_BIND && sig->has_key_flags
      && (sig->key_flags & (PGP_KF_SIGN | PGP_KF_CERTIFY)))
    {
      /* A signing subkey must cross-certify its primary.  */
      if (!sig->embedded || sig->embedded->sigclass != PGP_SIG_PRIMARY_BIND)
        return gpg_error (GPG_ERR_BAD_SIGNATURE);
      if ((err = _pgp_sig_verify_target (sig->embedded, &t, subkey->pk)))
        return gpg_error (GPG_ERR_BAD_SIGNATURE);
    }
  return 0;
}


/* Verify SIG over a component of CERT with SIGNER_KEY, once: the
 * result is kept on SIG for this digest and key (pgp_sig_t.vmemo_).  */
gpg_error_t
pgp_sig_verify (const pgp_cert_t *cert, const pgp_uid_t *uid,
                const pgp_key_t *subkey, const pgp_sig_t *sig,
                const pk_key_t *signer_key)
{
  gpg_error_t err;
  pgp_target_t t;
  unsigned char id[32];
  uint64_t f[4];
  int have_id;
  pgp_sig_t *memo = (pgp_sig_t *)sig;  /* The cache only.  */

  if (!cert || !cert->primary || !sig)
    return gpg_error (GPG_ERR_INV_ARG);
  memset (&t, 0, sizeof t);
  t.primary = cert->primary;
  t.uid = uid;
  t.subkey = uid ? NULL : subkey;
  memo_for (&t, signer_key, f);
  have_id = !memo_id_for (sig, &t, signer_key, f, id);
  if (have_id && sig->vmemo_res_ && !memcmp (sig->vmemo_, id, 32))
    return sig->vmemo_res_ == PGP_SIGSTAT_GOOD ? 0
      : gpg_error (GPG_ERR_BAD_SIGNATURE);
  err = sig_verify (cert, uid, subkey, sig, signer_key);
  if (have_id && (!err || gpg_err_code (err) == GPG_ERR_BAD_SIGNATURE))
    {
      memcpy (memo->vmemo_, id, 32);
      memo->vmemo_res_ = err ? PGP_SIGSTAT_BAD : PGP_SIGSTAT_GOOD;
      memcpy (memo->vmemo_for_, f, sizeof f);
    }
  return err;
}


/* See pgp-int.h.  */
int
_pgp_sig_memo_set (const pgp_cert_t *cert, const pgp_uid_t *uid,
                   const pgp_key_t *subkey, pgp_sig_t *sig,
                   const pk_key_t *signer_key, int good,
                   const unsigned char id[PGP_MEMO_ID_LEN])
{
  pgp_target_t t;
  unsigned char full[32];
  uint64_t f[4];

  memset (&t, 0, sizeof t);
  t.primary = cert->primary;
  t.uid = uid;
  t.subkey = uid ? NULL : subkey;
  memo_for (&t, signer_key, f);
  if (memo_id_for (sig, &t, signer_key, f, full)
      || memcmp (full, id, PGP_MEMO_ID_LEN))
    return 0;
  memcpy (sig->vmemo_, full, 32);
  sig->vmemo_res_ = good ? PGP_SIGSTAT_GOOD : PGP_SIGSTAT_BAD;
  memcpy (sig->vmemo_for_, f, sizeof f);
  return 1;
}


/* See pgp-int.h.  */
int
_pgp_sig_memo_get (const pgp_cert_t *cert, const pgp_uid_t *uid,
                   const pgp_key_t *subkey, const pgp_sig_t *sig,
                   const pk_key_t *signer_key,
                   unsigned char r_id[PGP_MEMO_ID_LEN])
{
  pgp_target_t t;
  unsigned char id[32];
  uint64_t f[4];

  if (!sig->vmemo_res_)
    return 0;
  memset (&t, 0, sizeof t);
  t.primary = cert->primary;
  t.uid = uid;
  t.subkey = uid ? NULL : subkey;
  memo_for (&t, signer_key, f);
  if (memo_id_for (sig, &t, signer_key, f, id)
      || memcmp (sig->vmemo_, id, 32))
    return 0;
  memcpy (r_id, id, PGP_MEMO_ID_LEN);
  return sig->vmemo_res_;
}


/* Parse signature packets.  */
gpg_error_t
pgp_read_sigs (const void *buf, size_t len, pgp_sig_t **r_sigs)
{
  gpg_error_t err;
  unsigned char *data = NULL;
  size_t datalen = 0, rawlen, count = 0;
  const unsigned char *raw;
  pgp_sig_t *list = NULL, *sig;
  brd_t r, body;
  int type, tag;

  *r_sigs = NULL;
  if ((err = pgp_dearmor_all (buf, len, &type, &data, &datalen)))
    goto leave;
  brd_init (&r, data, datalen);
  while (brd_left (&r))
    {
      if ((err = _pgp_read_packet (&r, &tag, &body, &raw, &rawlen)))
        goto leave;
      if (tag == PGP_PKT_MARKER)
        continue;
      if (tag != PGP_PKT_SIGNATURE)
        {
          err = gpg_error (GPG_ERR_INV_PACKET);
          goto leave;
        }
      if (++count > PGP_MAX_PACKETS)
        {
          err = gpg_error (GPG_ERR_TOO_MANY);
          goto leave;
        }
      if ((err = _pgp_parse_sig (raw, rawlen, rawlen - brd_left (&body),
                                 0, &sig)))
        goto leave;
      _pgp_sig_append (&list, sig);
    }
  if (!list)
    {
      err = gpg_error (GPG_ERR_NO_DATA);
      goto leave;
    }
  *r_sigs = list;
  list = NULL;

 leave:
  pgp_sig_release (list);
  wipe_and_free (data, datalen);
  return err;
}


/* Armor SIG (and with ALL its chain).  */
gpg_error_t
pgp_sig_armor (const pgp_sig_t *sig, int all, int type,
               const char *const *comments, char **r_str)
{
  gpg_error_t err;
  membuf_t mb;
  unsigned char *buf = NULL;
  size_t len;

  *r_str = NULL;
  membuf_init (&mb, PGP_MAX_OUTPUT, 0);
  for (; sig; sig = all ? sig->next : NULL)
    membuf_put (&mb, sig->raw, sig->rawlen);
  if ((err = membuf_take (&mb, &buf, &len)))
    return err;
  err = pgp_armor (type, buf, len, comments, r_str, NULL);
  xfree (buf);
  return err;
}
