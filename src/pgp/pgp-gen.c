/* pgp-gen.c - signers and key generation flows (CA key, user keys)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The flows build certificates from keys and signers, so that a CA
 * whose keys live on an OpenPGP card goes through the same code as a
 * softkey CA: only the signer's sign function differs.
 */
#include <config.h>
#include "oca-common.h"
#include "pgp-int.h"

#include <string.h>
#include <strings.h>


/* Parse an algorithm name.  */
int
pgp_gen_algo_from_string (const char *s)
{
  static const struct { const char *name; int algo; } tbl[] =
    {
      { "cv25519", PGP_GEN_ED25519 }, { "rsa2k", PGP_GEN_RSA2048 },
      { "rsa3k", PGP_GEN_RSA3072 }, { "rsa4k", PGP_GEN_RSA4096 },
      { "p256", PGP_GEN_NISTP256 }, { "p384", PGP_GEN_NISTP384 },
      { "p521", PGP_GEN_NISTP521 },
      { "rsa4096", PGP_GEN_RSA4096 }, { "rsa3072", PGP_GEN_RSA3072 },
      { "rsa2048", PGP_GEN_RSA2048 }, { "ed25519", PGP_GEN_ED25519 },
      { "nistp256", PGP_GEN_NISTP256 }, { "nistp384", PGP_GEN_NISTP384 },
      { "nistp521", PGP_GEN_NISTP521 }
    };
  size_t i;

  if (!s)
    return 0;
  for (i = 0; i < DIM (tbl); i++)
    if (!strcasecmp (s, tbl[i].name))
      return tbl[i].algo;
  return 0;
}


static gpg_error_t
soft_sign (void *ctx, int hashalgo, const unsigned char *digest,
           size_t digestlen, pk_mpi_t sig[PK_MAX_SIG], unsigned int *r_nsig)
{
  return pk_sign (ctx, hashalgo, digest, digestlen, sig, r_nsig);
}


/* Make a softkey signer from KEY.  */
gpg_error_t
pgp_signer_from_key (const pgp_key_t *key, pgp_signer_t *r_signer)
{
  memset (r_signer, 0, sizeof *r_signer);
  if (!key || !key->pk)
    return gpg_error (GPG_ERR_INV_ARG);
  if (!pk_key_has_secret (key->pk))
    return gpg_error (GPG_ERR_NO_SECKEY);
  r_signer->pub = key->pk;
  memcpy (r_signer->fpr, key->fpr, 20);
  memcpy (r_signer->keyid, key->keyid, 8);
  r_signer->created = key->created;
  r_signer->sign = soft_sign;
  r_signer->ctx = key->pk;
  return 0;
}


/* Generate a key for ROLE (PGP_KF_*) of generation algorithm ALGO.  */
static gpg_error_t
gen_key (int algo, unsigned int role, uint32_t created, int is_subkey,
         pgp_key_t **r_key)
{
  gpg_error_t err;
  pk_key_t *pk = NULL;
  int pkalgo, curve = PK_CURVE_NONE;
  unsigned int nbits = 0;
  int enc = !!(role & (PGP_KF_ENC_COMMS | PGP_KF_ENC_STORAGE));

  *r_key = NULL;
  switch (algo)
    {
    case PGP_GEN_RSA4096: pkalgo = PK_RSA; nbits = 4096; break;
    case PGP_GEN_RSA3072: pkalgo = PK_RSA; nbits = 3072; break;
    case PGP_GEN_RSA2048: pkalgo = PK_RSA; nbits = 2048; break;
    case PGP_GEN_ED25519:
      pkalgo = enc ? PK_ECDH : PK_EDDSA;
      curve = enc ? PK_CURVE_CV25519 : PK_CURVE_ED25519;
      break;
    case PGP_GEN_NISTP256:
      pkalgo = enc ? PK_ECDH : PK_ECDSA;
      curve = PK_CURVE_NISTP256;
      break;
    case PGP_GEN_NISTP384:
      pkalgo = enc ? PK_ECDH : PK_ECDSA;
      curve = PK_CURVE_NISTP384;
      break;
    case PGP_GEN_NISTP521:
      pkalgo = enc ? PK_ECDH : PK_ECDSA;
      curve = PK_CURVE_NISTP521;
      break;
    default:
      return gpg_error (GPG_ERR_PUBKEY_ALGO);
    }
  if ((err = pk_generate (pkalgo, curve, nbits, &pk)))
    return err;
  err = pgp_key_from_pk (pk, created, is_subkey, r_key);
  pk_key_release (pk);
  return err;
}


/* Subpackets shared by the self-signatures: key flags FLAGS,
 * features, preferences, and (if DOMAIN) the CA notation.  */
static void
put_self_subpkts (membuf_t *h, unsigned int flags, const char *domain,
                  int primary_uid)
{
  static const unsigned char sym[] = { PK_CIPHER_AES256, PK_CIPHER_AES128 };
  static const unsigned char hash[] = { PK_HASH_SHA512, PK_HASH_SHA256 };
  unsigned char c;

  c = flags;
  _pgp_put_subpkt (h, PGP_SUB_KEY_FLAGS, 0, &c, 1);
  c = 0x01;  /* MDC.  */
  _pgp_put_subpkt (h, PGP_SUB_FEATURES, 0, &c, 1);
  _pgp_put_subpkt (h, PGP_SUB_PREF_SYM, 0, sym, sizeof sym);
  _pgp_put_subpkt (h, PGP_SUB_PREF_HASH, 0, hash, sizeof hash);
  if (primary_uid)
    {
      c = 1;
      _pgp_put_subpkt (h, PGP_SUB_PRIMARY_UID, 0, &c, 1);
    }
  if (domain)
    {
      size_t nlen = strlen (PGP_CA_NOTATION_NAME);
      size_t vlen = 7 + strlen (domain);
      membuf_t n;

      membuf_init (&n, 65536, 0);
      membuf_put_u8 (&n, 0x80);  /* Human-readable.  */
      membuf_put_u8 (&n, 0);
      membuf_put_u8 (&n, 0);
      membuf_put_u8 (&n, 0);
      membuf_put_u16 (&n, nlen);
      membuf_put_u16 (&n, vlen);
      membuf_put_str (&n, PGP_CA_NOTATION_NAME);
      membuf_put_str (&n, "domain=");
      membuf_put_str (&n, domain);
      if (membuf_error (&n) && !h->err)
        h->err = membuf_error (&n);
      else
        _pgp_put_subpkt (h, PGP_SUB_NOTATION, 0, membuf_data (&n),
                         membuf_len (&n));
      membuf_release (&n);
    }
}


/* Make a signature of SIGCLASS over T with SIGNER and the subpackets
 * built for FLAGS/DOMAIN/PRIMARY_UID; append it to *LIST.  */
static gpg_error_t
self_sig (const pgp_signer_t *signer, int sigclass, const pgp_target_t *t,
          unsigned int flags, const char *domain, int primary_uid,
          uint32_t created, pgp_sig_t **list)
{
  gpg_error_t err;
  membuf_t h;
  pgp_sig_t *sig;

  membuf_init (&h, 65536, 0);
  put_self_subpkts (&h, flags, domain, primary_uid);
  if (!(err = membuf_error (&h)))
    err = _pgp_sig_create (signer, sigclass, 0, created, membuf_data (&h),
                           membuf_len (&h), t, &sig);
  membuf_release (&h);
  if (!err)
    _pgp_sig_append (list, sig);
  return err;
}


/* Bind SUB to CERT's primary with flags FLAGS; a signing subkey also
 * gets a back-signature made through SSIGNER.  */
static gpg_error_t
bind_subkey (pgp_cert_t *cert, pgp_key_t *sub, const pgp_signer_t *psigner,
             const pgp_signer_t *ssigner, unsigned int flags,
             uint32_t created)
{
  gpg_error_t err;
  pgp_target_t t;
  pgp_sig_t *back = NULL, *sig = NULL;
  membuf_t h;
  unsigned char c = flags;

  memset (&t, 0, sizeof t);
  t.primary = cert->primary;
  t.subkey = sub;
  membuf_init (&h, 65536, 0);
  _pgp_put_subpkt (&h, PGP_SUB_KEY_FLAGS, 0, &c, 1);
  if (flags & (PGP_KF_SIGN | PGP_KF_CERTIFY))
    {
      if (!ssigner)
        {
          err = gpg_error (GPG_ERR_NO_SECKEY);
          goto leave;
        }
      if ((err = _pgp_sig_create (ssigner, PGP_SIG_PRIMARY_BIND, 0, created,
                                  NULL, 0, &t, &back)))
        goto leave;
      _pgp_put_subpkt (&h, PGP_SUB_EMBEDDED_SIG, 0,
                       back->raw + back->hdrlen_,
                       back->rawlen - back->hdrlen_);
    }
  if ((err = membuf_error (&h)))
    goto leave;
  if ((err = _pgp_sig_create (psigner, PGP_SIG_SUBKEY_BIND, 0, created,
                              membuf_data (&h), membuf_len (&h), &t, &sig)))
    goto leave;
  _pgp_sig_append (&sub->sigs, sig);

 leave:
  pgp_sig_release (back);
  membuf_release (&h);
  return err;
}


/* Append SUB to CERT's subkeys.  */
static void
append_subkey (pgp_cert_t *cert, pgp_key_t *sub)
{
  pgp_key_t **p;

  for (p = &cert->subkeys; *p; p = &(*p)->next)
    ;
  *p = sub;
}


/* Build a CA certificate from existing keys.  */
gpg_error_t
pgp_build_ca_cert (const pgp_key_t *primary, const pgp_signer_t *psigner,
                   const pgp_key_t *sigsub, const pgp_signer_t *ssigner,
                   const char *name, const char *domain, uint32_t created,
                   pgp_cert_t **r_cert)
{
  gpg_error_t err;
  pgp_cert_t *cert = NULL;
  pgp_key_t *sub = NULL;
  pgp_uid_t *uid = NULL;
  pgp_target_t t;
  char *uidstr = NULL;

  *r_cert = NULL;
  if (!primary || !psigner || !domain || !*domain
      || memcmp (psigner->fpr, primary->fpr, 20)
      || (sigsub && ssigner && memcmp (ssigner->fpr, sigsub->fpr, 20)))
    return gpg_error (GPG_ERR_INV_ARG);
  created = _pgp_now (created);
  if (!name)
    name = "OpenPGP CA";
  uidstr = gpgrt_bsprintf ("%s <openpgp-ca@%s>", name, domain);
  if (!uidstr)
    return oca_error_from_errno ();
  cert = xtrycalloc (1, sizeof *cert);
  if (!cert)
    {
      err = oca_error_from_errno ();
      goto leave;
    }
  if ((err = pgp_key_from_pk (primary->pk, primary->created, 0,
                              &cert->primary)))
    goto leave;
  if ((err = _pgp_uid_new (uidstr, &uid)))
    goto leave;
  cert->uids = uid;
  memset (&t, 0, sizeof t);
  t.primary = cert->primary;
  if ((err = self_sig (psigner, PGP_SIG_DIRECT_KEY, &t, PGP_KF_CERTIFY,
                       domain, 0, created, &cert->primary->sigs)))
    goto leave;
  t.uid = uid;
  if ((err = self_sig (psigner, PGP_SIG_POSITIVE_CERT, &t, PGP_KF_CERTIFY,
                       domain, 1, created, &uid->sigs)))
    goto leave;
  if (sigsub)
    {
      if ((err = pgp_key_from_pk (sigsub->pk, sigsub->created, 1, &sub)))
        goto leave;
      append_subkey (cert, sub);
      if ((err = bind_subkey (cert, sub, psigner, ssigner, PGP_KF_SIGN,
                              created)))
        goto leave;
    }
  *r_cert = cert;
  cert = NULL;

 leave:
  gpgrt_free (uidstr);
  pgp_cert_release (cert);
  return err;
}


/* Generate a softkey CA certificate.  */
gpg_error_t
pgp_generate_ca (int algo, const char *name, const char *domain,
                 uint32_t created, pgp_cert_t **r_cert)
{
  gpg_error_t err;
  pgp_key_t *primary = NULL, *sub = NULL;
  pgp_signer_t ps, ss;

  *r_cert = NULL;
  created = _pgp_now (created);
  if ((err = gen_key (algo, PGP_KF_CERTIFY, created, 0, &primary))
      || (err = gen_key (algo, PGP_KF_SIGN, created, 1, &sub))
      || (err = pgp_signer_from_key (primary, &ps))
      || (err = pgp_signer_from_key (sub, &ss)))
    goto leave;
  err = pgp_build_ca_cert (primary, &ps, sub, &ss, name, domain, created,
                           r_cert);

 leave:
  pgp_key_release (primary);
  pgp_key_release (sub);
  return err;
}


/* Generate a user key as `user add` does.  */
gpg_error_t
pgp_generate_user (int algo, const char *const *uids, size_t nuids,
                   uint32_t created, pgp_cert_t **r_cert,
                   pgp_sig_t **r_revocation)
{
  return pgp_generate_user_ext (algo, PGP_KF_ENC_COMMS | PGP_KF_SIGN, uids,
                                nuids, created, r_cert, r_revocation);
}


/* Generate a user key with the SUBKEYS chosen.  */
gpg_error_t
pgp_generate_user_ext (int algo, unsigned int subkeys,
                       const char *const *uids, size_t nuids,
                       uint32_t created, pgp_cert_t **r_cert,
                       pgp_sig_t **r_revocation)
{
  gpg_error_t err;
  pgp_cert_t *cert = NULL;
  pgp_key_t *enc = NULL, *sig = NULL, *aut = NULL;
  pgp_uid_t *uid, **ut;
  pgp_signer_t ps, ss;
  pgp_target_t t;
  size_t i;

  *r_cert = NULL;
  if (r_revocation)
    *r_revocation = NULL;
  if (!uids || !nuids)
    return gpg_error (GPG_ERR_INV_ARG);
  created = _pgp_now (created);
  cert = xtrycalloc (1, sizeof *cert);
  if (!cert)
    return oca_error_from_errno ();
  if ((err = gen_key (algo, PGP_KF_CERTIFY, created, 0, &cert->primary))
      || (err = pgp_signer_from_key (cert->primary, &ps)))
    goto leave;
  memset (&t, 0, sizeof t);
  t.primary = cert->primary;
  for (i = 0, ut = &cert->uids; i < nuids; i++, ut = &(*ut)->next)
    {
      if ((err = _pgp_uid_new (uids[i], &uid)))
        goto leave;
      *ut = uid;
      t.uid = uid;
      if ((err = self_sig (&ps, PGP_SIG_POSITIVE_CERT, &t, PGP_KF_CERTIFY,
                           NULL, i == 0, created, &uid->sigs)))
        goto leave;
    }
  if ((subkeys & PGP_KF_ENC_COMMS))
    {
      if ((err = gen_key (algo, PGP_KF_ENC_COMMS, created, 1, &enc)))
        goto leave;
      append_subkey (cert, enc);
      if ((err = bind_subkey (cert, enc, &ps, NULL,
                              PGP_KF_ENC_COMMS | PGP_KF_ENC_STORAGE,
                              created)))
        goto leave;
    }
  if ((subkeys & PGP_KF_SIGN))
    {
      if ((err = gen_key (algo, PGP_KF_SIGN, created, 1, &sig)))
        goto leave;
      append_subkey (cert, sig);
      if ((err = pgp_signer_from_key (sig, &ss))
          || (err = bind_subkey (cert, sig, &ps, &ss, PGP_KF_SIGN, created)))
        goto leave;
    }
  if ((subkeys & PGP_KF_AUTH))
    {
      if ((err = gen_key (algo, PGP_KF_AUTH, created, 1, &aut)))
        goto leave;
      append_subkey (cert, aut);
      if ((err = bind_subkey (cert, aut, &ps, NULL, PGP_KF_AUTH, created)))
        goto leave;
    }
  if (r_revocation
      && (err = pgp_make_key_revocation (cert, &ps, PGP_REVOC_UNSPECIFIED,
                                         "Unspecified", created,
                                         r_revocation)))
    goto leave;
  *r_cert = cert;
  cert = NULL;

 leave:
  pgp_cert_release (cert);
  return err;
}


/* A new self-signature of SIGCLASS over T by PSIGNER with the CA's
 * subpackets and the key expiration KEY_EXPIRE (seconds after the
 * key's creation; 0: none).  */
static gpg_error_t
ca_self_sig (const pgp_signer_t *psigner, int sigclass, const pgp_target_t *t,
             const char *domain, uint32_t key_expire, uint32_t created,
             pgp_sig_t **r_sig)
{
  gpg_error_t err;
  membuf_t h;
  unsigned char b[4];

  *r_sig = NULL;
  membuf_init (&h, 65536, 0);
  put_self_subpkts (&h, PGP_KF_CERTIFY, domain,
                    sigclass == PGP_SIG_POSITIVE_CERT);
  if (key_expire)
    {
      b[0] = key_expire >> 24;
      b[1] = key_expire >> 16;
      b[2] = key_expire >> 8;
      b[3] = key_expire;
      _pgp_put_subpkt (&h, PGP_SUB_KEY_EXPIRE, 0, b, 4);
    }
  if (!(err = membuf_error (&h)))
    err = _pgp_sig_create (psigner, sigclass, 0, created, membuf_data (&h),
                           membuf_len (&h), t, r_sig);
  membuf_release (&h);
  return err;
}


/* Replace in *LIST the signatures by the key FPR of a class from LO to
 * HI with NEWSIG.  */
static void
replace_self_sigs (pgp_sig_t **list, const unsigned char fpr[20], int lo,
                   int hi, pgp_sig_t *newsig)
{
  pgp_sig_t **p = list, *s;

  while ((s = *p))
    {
      if (s->version == 4 && s->sigclass >= lo && s->sigclass <= hi
          && _pgp_sig_by (s, fpr))
        {
          *p = s->next;
          s->next = NULL;
          pgp_sig_release (s);
        }
      else
        p = &s->next;
    }
  _pgp_sig_append (list, newsig);
}


/* See pgp.h.  */
gpg_error_t
pgp_ca_set_expiration (pgp_cert_t *cert, const pgp_signer_t *psigner,
                       const char *domain, uint32_t expires,
                       uint32_t created)
{
  gpg_error_t err;
  pgp_target_t t;
  pgp_sig_t *dks = NULL, **bind = NULL;
  pgp_uid_t *uid;
  uint32_t key_expire = 0;
  size_t n = 0, i;

  if (!cert || !cert->primary || !psigner || !domain
      || memcmp (psigner->fpr, cert->primary->fpr, 20))
    return gpg_error (GPG_ERR_INV_ARG);
  created = _pgp_now (created);
  if (expires)
    {
      if (expires <= cert->primary->created)
        return gpg_error (GPG_ERR_INV_VALUE);
      key_expire = expires - cert->primary->created;
    }
  for (uid = cert->uids; uid; uid = uid->next)
    n++;
  bind = xtrycalloc (n + 1, sizeof *bind);
  if (!bind)
    return oca_error_from_errno ();

  /* Make every new signature before changing CERT.  */
  memset (&t, 0, sizeof t);
  t.primary = cert->primary;
  err = ca_self_sig (psigner, PGP_SIG_DIRECT_KEY, &t, domain, key_expire,
                     created, &dks);
  for (i = 0, uid = cert->uids; !err && uid; uid = uid->next, i++)
    {
      if (uid->is_attribute)
        continue;
      t.uid = uid;
      err = ca_self_sig (psigner, PGP_SIG_POSITIVE_CERT, &t, domain,
                         key_expire, created, &bind[i]);
    }
  if (err)
    goto leave;

  replace_self_sigs (&cert->primary->sigs, cert->primary->fpr,
                     PGP_SIG_DIRECT_KEY, PGP_SIG_DIRECT_KEY, dks);
  dks = NULL;
  for (i = 0, uid = cert->uids; uid; uid = uid->next, i++)
    if (bind[i])
      {
        replace_self_sigs (&uid->sigs, cert->primary->fpr,
                           PGP_SIG_GENERIC_CERT, PGP_SIG_POSITIVE_CERT,
                           bind[i]);
        bind[i] = NULL;
      }

 leave:
  pgp_sig_release (dks);
  for (i = 0; i < n; i++)
    pgp_sig_release (bind[i]);
  xfree (bind);
  return err;
}
