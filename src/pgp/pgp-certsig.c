/* pgp-certsig.c - signatures on certificates: verify, certify, validity
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What the signatures on a certificate (pgp-cert.c) say: which of them
 * verify, whether a User ID is certified by an issuer, the key's
 * expiration and revocation, its signing subkey; and the signatures
 * the CA adds: certifications, certification revocations, trust
 * signatures merged from a copy, key revocations.
 */
#include <config.h>
#include "oca-common.h"
#include "pgp-int.h"

#include <string.h>


/* Key of the chain CERTS that issued SIG (by fingerprint or key ID).  */
static const pgp_key_t *
find_issuer_key (const pgp_cert_t *certs, const pgp_sig_t *sig)
{
  const pgp_cert_t *c;
  const pgp_key_t *key;

  for (c = certs; c; c = c->next)
    for (key = c->primary; key;
         key = key == c->primary ? c->subkeys : key->next)
      if (_pgp_sig_by (sig, key->fpr))
        return key;
  return NULL;
}


static void
set_status (pgp_sig_t *sig, gpg_error_t err)
{
  if (!err)
    sig->status = PGP_SIGSTAT_GOOD;
  else if (gpg_err_code (err) == GPG_ERR_NOT_SUPPORTED
           || gpg_err_code (err) == GPG_ERR_DIGEST_ALGO)
    sig->status = PGP_SIGSTAT_UNSUPPORTED;
  else
    sig->status = PGP_SIGSTAT_BAD;
}


/* Verify the signatures of CERT made by CERT or ISSUER.  */
gpg_error_t
pgp_cert_verify (pgp_cert_t *cert, const pgp_cert_t *issuer)
{
  gpg_error_t err;
  pgp_sig_t *sig;
  pgp_uid_t *uid;
  pgp_key_t *key;
  const pgp_key_t *ik;

  if (!cert || !cert->primary)
    return gpg_error (GPG_ERR_INV_ARG);
  for (sig = cert->primary->sigs; sig; sig = sig->next)
    if (_pgp_sig_by (sig, cert->primary->fpr))
      {
        err = pgp_sig_verify (cert, NULL, NULL, sig, cert->primary->pk);
        if (gpg_err_code (err) == GPG_ERR_ENOMEM)
          return err;
        set_status (sig, err);
      }
  for (uid = cert->uids; uid; uid = uid->next)
    for (sig = uid->sigs; sig; sig = sig->next)
      {
        ik = _pgp_sig_by (sig, cert->primary->fpr) ? cert->primary
          : issuer ? find_issuer_key (issuer, sig) : NULL;
        if (!ik)
          continue;
        err = pgp_sig_verify (cert, uid, NULL, sig, ik->pk);
        if (gpg_err_code (err) == GPG_ERR_ENOMEM)
          return err;
        set_status (sig, err);
      }
  for (key = cert->subkeys; key; key = key->next)
    for (sig = key->sigs; sig; sig = sig->next)
      if (_pgp_sig_by (sig, cert->primary->fpr))
        {
          err = pgp_sig_verify (cert, NULL, key, sig, cert->primary->pk);
          if (gpg_err_code (err) == GPG_ERR_ENOMEM)
            return err;
          set_status (sig, err);
        }
  return 0;
}


/* Call FN (stopping at its first non-zero return) for every signature
 * of CERT in a fixed order - the primary key's, each User ID's, each
 * subkey's - with its component and the key that verifies it as
 * pgp_cert_verify with ISSUER picks it (NULL: none).  */
typedef int (*sig_walk_fn_t) (void *ctx, const pgp_cert_t *cert,
                              const pgp_uid_t *uid, const pgp_key_t *subkey,
                              pgp_sig_t *sig, const pgp_key_t *ik);

static int
walk_sigs (const pgp_cert_t *cert, const pgp_cert_t *issuer,
           sig_walk_fn_t fn, void *ctx)
{
  pgp_sig_t *sig;
  pgp_uid_t *uid;
  pgp_key_t *key;
  const pgp_key_t *ik;
  int rc;

  for (sig = cert->primary->sigs; sig; sig = sig->next)
    if ((rc = fn (ctx, cert, NULL, NULL, sig,
                  _pgp_sig_by (sig, cert->primary->fpr) ? cert->primary
                  : NULL)))
      return rc;
  for (uid = cert->uids; uid; uid = uid->next)
    for (sig = uid->sigs; sig; sig = sig->next)
      {
        ik = _pgp_sig_by (sig, cert->primary->fpr) ? cert->primary
          : issuer ? find_issuer_key (issuer, sig) : NULL;
        if ((rc = fn (ctx, cert, uid, NULL, sig, ik)))
          return rc;
      }
  for (key = cert->subkeys; key; key = key->next)
    for (sig = key->sigs; sig; sig = sig->next)
      if ((rc = fn (ctx, cert, NULL, key, sig,
                    _pgp_sig_by (sig, cert->primary->fpr) ? cert->primary
                    : NULL)))
        return rc;
  return 0;
}


/* A record holds per signature '-' (not verified) or 'g'/'b' and the
 * start of the memo's identity in hex (RECORD_ENTRY chars).  */
#define RECORD_ENTRY (1 + 2 * PGP_MEMO_ID_LEN)

struct record_ctx
{
  char *rec;                   /* Being written or read.  */
  size_t n;                    /* Position.  */
  size_t len;                  /* Length of REC.  */
  int bad;                     /* REC does not fit.  */
};

/* The room a record may need: RECORD_ENTRY per signature (no memo is
 * looked at: that costs a hash per signature).  */
static int
size_sig (void *ctx, const pgp_cert_t *cert, const pgp_uid_t *uid,
          const pgp_key_t *subkey, pgp_sig_t *sig, const pgp_key_t *ik)
{
  (void)cert;
  (void)uid;
  (void)subkey;
  (void)sig;
  (void)ik;
  ((struct record_ctx *)ctx)->n += RECORD_ENTRY;
  return 0;
}

static int
record_sig (void *ctx, const pgp_cert_t *cert, const pgp_uid_t *uid,
            const pgp_key_t *subkey, pgp_sig_t *sig, const pgp_key_t *ik)
{
  struct record_ctx *rc = ctx;
  unsigned char id[PGP_MEMO_ID_LEN];
  int res = ik ? _pgp_sig_memo_get (cert, uid, subkey, sig, ik->pk, id) : 0;

  if (!res)
    {
      rc->rec[rc->n++] = '-';
      return 0;
    }
  rc->rec[rc->n++] = res == PGP_SIGSTAT_GOOD ? 'g' : 'b';
  oca_bin2hex (id, PGP_MEMO_ID_LEN, rc->rec + rc->n);
  rc->n += 2 * PGP_MEMO_ID_LEN;
  return 0;
}

/* ID = the PGP_MEMO_ID_LEN bytes of the hex digits at HEX; 0 or -1.  */
static int
hex_prefix (const char *hex, unsigned char *id)
{
  size_t i;
  int hi, lo;

  for (i = 0; i < PGP_MEMO_ID_LEN; i++)
    {
      if ((hi = oca_hexval (hex[2 * i])) < 0
          || (lo = oca_hexval (hex[2 * i + 1])) < 0)
        return -1;
      id[i] = hi << 4 | lo;
    }
  return 0;
}

static int
apply_sig (void *ctx, const pgp_cert_t *cert, const pgp_uid_t *uid,
           const pgp_key_t *subkey, pgp_sig_t *sig, const pgp_key_t *ik)
{
  struct record_ctx *rc = ctx;
  unsigned char id[PGP_MEMO_ID_LEN];
  char c;

  if (rc->n >= rc->len)
    {
      rc->bad = 1;
      return 1;
    }
  c = rc->rec[rc->n++];
  if (c == '-')
    return 0;
  if ((c != 'g' && c != 'b') || rc->len - rc->n < 2 * PGP_MEMO_ID_LEN
      || hex_prefix (rc->rec + rc->n, id))
    {
      rc->bad = 1;
      return 1;
    }
  rc->n += 2 * PGP_MEMO_ID_LEN;
  /* Only for exactly the signature, component and key it was made
   * for: a changed byte anywhere in them and it is verified again.  */
  if (ik)
    _pgp_sig_memo_set (cert, uid, subkey, sig, ik->pk, c == 'g', id);
  return 0;
}


/* See pgp.h.  */
gpg_error_t
pgp_cert_verify_record (const pgp_cert_t *cert, const pgp_cert_t *issuer,
                        char **r_rec)
{
  struct record_ctx rc;

  *r_rec = NULL;
  if (!cert || !cert->primary)
    return gpg_error (GPG_ERR_INV_ARG);
  memset (&rc, 0, sizeof rc);
  walk_sigs (cert, issuer, size_sig, &rc);
  rc.rec = xtrymalloc (rc.n + 1);
  if (!rc.rec)
    return oca_error_from_errno ();
  rc.n = 0;
  walk_sigs (cert, issuer, record_sig, &rc);
  rc.rec[rc.n] = 0;
  *r_rec = rc.rec;
  return 0;
}


/* See pgp.h.  */
gpg_error_t
pgp_cert_apply_record (pgp_cert_t *cert, const pgp_cert_t *issuer,
                       const char *rec)
{
  struct record_ctx rc;

  if (!cert || !cert->primary || !rec)
    return gpg_error (GPG_ERR_INV_ARG);
  memset (&rc, 0, sizeof rc);
  rc.rec = (char *)rec;
  rc.len = strlen (rec);
  walk_sigs (cert, issuer, apply_sig, &rc);
  if (rc.bad || rc.n != rc.len)
    return gpg_error (GPG_ERR_INV_VALUE);
  return 0;
}


static int
is_certification (int sigclass)
{
  return sigclass >= PGP_SIG_GENERIC_CERT
    && sigclass <= PGP_SIG_POSITIVE_CERT;
}


/* Whether UID of CERT has a valid certification by ISSUER's primary.  */
gpg_error_t
pgp_uid_certified_by (const pgp_cert_t *cert, const pgp_uid_t *uid,
                      const pgp_cert_t *issuer, uint32_t now,
                      uint32_t *r_expires)
{
  const pgp_sig_t *sig;
  const pgp_key_t *ik;
  uint32_t revtime = 0, best = 0, exp;
  int found = 0, forever = 0, pass;
  gpg_error_t err;

  if (r_expires)
    *r_expires = 0;
  if (!cert || !uid || !issuer || !issuer->primary)
    return gpg_error (GPG_ERR_INV_ARG);
  now = _pgp_now (now);
  ik = issuer->primary;
  /* Pass 0: newest valid revocation; pass 1: certifications.  */
  for (pass = 0; pass < 2; pass++)
    for (sig = uid->sigs; sig; sig = sig->next)
      {
        if (!_pgp_sig_by (sig, ik->fpr) || sig->created > now)
          continue;
        if (pass == 0 ? sig->sigclass != PGP_SIG_CERT_REVOKE
            : !is_certification (sig->sigclass))
          continue;
        if (pass == 1 && sig->created <= revtime)
          continue;
        exp = pgp_sig_expires (sig);
        if (pass == 1 && exp && exp <= now)
          continue;
        err = pgp_sig_verify (cert, uid, NULL, sig, ik->pk);
        if (gpg_err_code (err) == GPG_ERR_ENOMEM)
          return err;
        if (err)
          continue;
        if (pass == 0)
          {
            if (sig->created > revtime)
              revtime = sig->created;
            continue;
          }
        found = 1;
        if (!exp)
          forever = 1;
        else if (exp > best)
          best = exp;
      }
  if (!found)
    return gpg_error (GPG_ERR_NOT_FOUND);
  if (r_expires)
    *r_expires = forever ? 0 : best;
  return 0;
}


/* Whether UID has a signature claiming issuer FPR.  */
int
pgp_uid_has_sig_by (const pgp_uid_t *uid, const unsigned char fpr[20])
{
  const pgp_sig_t *sig;

  for (sig = uid->sigs; sig; sig = sig->next)
    if (is_certification (sig->sigclass) && _pgp_sig_by (sig, fpr))
      return 1;
  return 0;
}


static int
uid_in_cert (const pgp_cert_t *cert, const pgp_uid_t *uid)
{
  const pgp_uid_t *u;

  for (u = cert->uids; u; u = u->next)
    if (u == uid)
      return 1;
  return 0;
}


/* Sign UID of CERT with SIGNER as SIGCLASS over the extra hashed
 * subpackets in H, append the signature to UID and release H.  */
static gpg_error_t
sign_uid (pgp_cert_t *cert, pgp_uid_t *uid, const pgp_signer_t *signer,
          int sigclass, int hashalgo, uint32_t created, membuf_t *h,
          pgp_sig_t **r_sig)
{
  gpg_error_t err;
  pgp_target_t t;
  pgp_sig_t *sig;

  if ((err = membuf_error (h)))
    goto leave;
  memset (&t, 0, sizeof t);
  t.primary = cert->primary;
  t.uid = uid;
  if ((err = _pgp_sig_create (signer, sigclass, hashalgo, created,
                              membuf_data (h), membuf_len (h), &t, &sig)))
    goto leave;
  _pgp_sig_append (&uid->sigs, sig);
  if (r_sig)
    *r_sig = sig;

 leave:
  membuf_release (h);
  return err;
}


/* Certify UID of CERT with SIGNER.  */
gpg_error_t
pgp_cert_certify_uid (pgp_cert_t *cert, pgp_uid_t *uid,
                      const pgp_signer_t *signer,
                      const pgp_certify_opts_t *opts, pgp_sig_t **r_sig)
{
  pgp_certify_opts_t def;
  membuf_t h;
  unsigned char tmp[4];
  int sigclass;

  if (r_sig)
    *r_sig = NULL;
  if (!cert || !uid || !signer || !uid_in_cert (cert, uid))
    return gpg_error (GPG_ERR_INV_ARG);
  if (!opts)
    {
      memset (&def, 0, sizeof def);
      opts = &def;
    }
  sigclass = opts->sigclass ? opts->sigclass : PGP_SIG_GENERIC_CERT;
  if (!is_certification (sigclass))
    return gpg_error (GPG_ERR_INV_ARG);
  if (opts->trust_level < 0 || opts->trust_level > 255
      || opts->trust_amount < 0 || opts->trust_amount > 255)
    return gpg_error (GPG_ERR_INV_ARG);
  membuf_init (&h, 65536, 0);
  if (opts->validity)
    {
      tmp[0] = opts->validity >> 24;
      tmp[1] = opts->validity >> 16;
      tmp[2] = opts->validity >> 8;
      tmp[3] = opts->validity;
      _pgp_put_subpkt (&h, PGP_SUB_SIG_EXPIRE, 0, tmp, 4);
    }
  if (opts->non_exportable)
    {
      tmp[0] = 0;
      _pgp_put_subpkt (&h, PGP_SUB_EXPORTABLE, 1, tmp, 1);
    }
  if (opts->trust_level || opts->trust_amount)
    {
      tmp[0] = opts->trust_level;
      tmp[1] = opts->trust_amount;
      _pgp_put_subpkt (&h, PGP_SUB_TRUST, 0, tmp, 2);
    }
  if (opts->regex)
    _pgp_put_subpkt (&h, PGP_SUB_REGEX, 1, opts->regex,
                     strlen (opts->regex) + 1);
  if (opts->signer_uid)
    _pgp_put_subpkt (&h, PGP_SUB_SIGNER_UID, 0, opts->signer_uid,
                     strlen (opts->signer_uid));
  return sign_uid (cert, uid, signer, sigclass, opts->hashalgo,
                   opts->created, &h, r_sig);
}


/* Revoke a certification on UID (0x30).  */
gpg_error_t
pgp_cert_revoke_uid (pgp_cert_t *cert, pgp_uid_t *uid,
                     const pgp_signer_t *signer, int reason,
                     const char *text, uint32_t created, pgp_sig_t **r_sig)
{
  membuf_t h;

  if (r_sig)
    *r_sig = NULL;
  if (!cert || !uid || !signer || !uid_in_cert (cert, uid))
    return gpg_error (GPG_ERR_INV_ARG);
  membuf_init (&h, 65536, 0);
  _pgp_put_revoc_reason (&h, reason, text);
  return sign_uid (cert, uid, signer, PGP_SIG_CERT_REVOKE, 0, created, &h,
                   r_sig);
}


/* Merge trust signatures on DST's user IDs from SRC.  */
gpg_error_t
pgp_cert_merge_tsigs (pgp_cert_t *dst, const pgp_cert_t *src,
                      const pgp_cert_t *signers, int *r_added)
{
  gpg_error_t err = 0;
  const pgp_uid_t *su;
  pgp_uid_t *du;
  const pgp_sig_t *ss;
  pgp_sig_t *s, *copy;
  const pgp_key_t *ik;
  int added = 0;

  if (r_added)
    *r_added = 0;
  if (!dst || !src)
    return gpg_error (GPG_ERR_INV_ARG);
  if (memcmp (dst->primary->fpr, src->primary->fpr, 20))
    return gpg_error (GPG_ERR_CONFLICT);
  for (su = src->uids; su; su = su->next)
    {
      for (du = dst->uids; du; du = du->next)
        if (_pgp_uid_same (du, su))
          break;
      if (!du)
        continue;
      for (ss = su->sigs; ss; ss = ss->next)
        {
          if (!is_certification (ss->sigclass) || !ss->has_trust
              || _pgp_sig_by (ss, dst->primary->fpr))
            continue;
          for (s = du->sigs; s; s = s->next)
            if (_pgp_sig_same (s, ss))
              break;
          if (s)
            continue;
          if (signers)
            {
              ik = find_issuer_key (signers, ss);
              if (!ik)
                continue;
              err = pgp_sig_verify (dst, du, NULL, ss, ik->pk);
              if (gpg_err_code (err) == GPG_ERR_ENOMEM)
                goto leave;
              if (err)
                {
                  err = 0;
                  continue;
                }
            }
          if ((err = pgp_sig_copy (ss, &copy)))
            goto leave;
          _pgp_sig_append (&du->sigs, copy);
          added++;
        }
    }

 leave:
  if (r_added)
    *r_added = added;
  return err;
}


/* Whether CERT carries a trust signature by FPR.  */
int
pgp_cert_has_tsig_by (const pgp_cert_t *cert, const unsigned char fpr[20])
{
  const pgp_uid_t *uid;
  const pgp_sig_t *sig;

  for (uid = cert->uids; uid; uid = uid->next)
    for (sig = uid->sigs; sig; sig = sig->next)
      if (is_certification (sig->sigclass) && sig->has_trust
          && _pgp_sig_by (sig, fpr))
        return 1;
  return 0;
}


/* Revocation and expiration of CERT.  */
gpg_error_t
pgp_cert_get_info (const pgp_cert_t *cert, uint32_t now,
                   pgp_cert_info_t *r_info)
{
  const pgp_key_t *pk;
  const pgp_sig_t *sig, *best = NULL, *bestdk = NULL;
  const pgp_uid_t *uid;
  int bestprim = 0;
  gpg_error_t err;

  memset (r_info, 0, sizeof *r_info);
  if (!cert || !cert->primary)
    return gpg_error (GPG_ERR_INV_ARG);
  now = _pgp_now (now);
  pk = cert->primary;
  r_info->created = pk->created;
  for (sig = pk->sigs; sig; sig = sig->next)
    {
      if (!_pgp_sig_by (sig, pk->fpr) || sig->created > now)
        continue;
      if (sig->sigclass != PGP_SIG_KEY_REVOKE
          && sig->sigclass != PGP_SIG_DIRECT_KEY)
        continue;
      err = pgp_sig_verify (cert, NULL, NULL, sig, pk->pk);
      if (gpg_err_code (err) == GPG_ERR_ENOMEM)
        return err;
      if (err)
        continue;
      if (sig->sigclass == PGP_SIG_KEY_REVOKE)
        {
          r_info->revoked = 1;
          r_info->revoc_reason = sig->has_revoc_reason ? sig->revoc_reason
            : PGP_REVOC_UNSPECIFIED;
        }
      else if (!bestdk || sig->created > bestdk->created)
        bestdk = sig;
    }
  for (uid = cert->uids; uid; uid = uid->next)
    for (sig = uid->sigs; sig; sig = sig->next)
      {
        if (!is_certification (sig->sigclass) || sig->created > now
            || !_pgp_sig_by (sig, pk->fpr))
          continue;
        if (best && (bestprim > sig->primary_uid
                     || (bestprim == sig->primary_uid
                         && sig->created <= best->created)))
          continue;
        err = pgp_sig_verify (cert, uid, NULL, sig, pk->pk);
        if (gpg_err_code (err) == GPG_ERR_ENOMEM)
          return err;
        if (err)
          continue;
        best = sig;
        bestprim = sig->primary_uid;
      }
  if (bestdk && bestdk->has_key_expire)
    best = bestdk;
  if (best && best->has_key_expire && best->key_expire)
    {
      uint64_t t = (uint64_t)pk->created + best->key_expire;
      r_info->expires = t > 0xffffffffu ? 0xffffffffu : (uint32_t)t;
      r_info->expired = r_info->expires <= now;
    }
  return 0;
}


/* Add a verified key revocation to CERT.  */
gpg_error_t
pgp_cert_add_revocation (pgp_cert_t *cert, const pgp_sig_t *sig,
                         int *r_added)
{
  gpg_error_t err;
  pgp_sig_t *s, *copy;

  if (r_added)
    *r_added = 0;
  if (!cert || !sig)
    return gpg_error (GPG_ERR_INV_ARG);
  if (sig->sigclass != PGP_SIG_KEY_REVOKE)
    return gpg_error (GPG_ERR_INV_VALUE);
  err = pgp_sig_verify (cert, NULL, NULL, sig, cert->primary->pk);
  if (err)
    return gpg_err_code (err) == GPG_ERR_ENOMEM ? err
      : gpg_error (GPG_ERR_BAD_SIGNATURE);
  for (s = cert->primary->sigs; s; s = s->next)
    if (_pgp_sig_same (s, sig))
      return 0;
  if ((err = pgp_sig_copy (sig, &copy)))
    return err;
  copy->status = PGP_SIGSTAT_GOOD;
  _pgp_sig_append (&cert->primary->sigs, copy);
  if (r_added)
    *r_added = 1;
  return 0;
}


/* First valid signing subkey.  */
pgp_key_t *
pgp_cert_signing_subkey (pgp_cert_t *cert)
{
  pgp_key_t *key;
  const pgp_sig_t *sig, *bind;
  int revoked;
  uint32_t now = _pgp_now (0);

  if (!cert || pgp_cert_verify (cert, NULL))
    return NULL;
  for (key = cert->subkeys; key; key = key->next)
    {
      bind = NULL;
      revoked = 0;
      for (sig = key->sigs; sig; sig = sig->next)
        {
          if (sig->status != PGP_SIGSTAT_GOOD)
            continue;
          if (sig->sigclass == PGP_SIG_SUBKEY_REVOKE)
            revoked = 1;
          else if (sig->sigclass == PGP_SIG_SUBKEY_BIND
                   && (!bind || sig->created > bind->created))
            bind = sig;
        }
      if (revoked || !bind || !bind->has_key_flags
          || !(bind->key_flags & PGP_KF_SIGN))
        continue;
      if (bind->has_key_expire && bind->key_expire
          && (uint64_t)key->created + bind->key_expire <= now)
        continue;
      return key;
    }
  return NULL;
}
