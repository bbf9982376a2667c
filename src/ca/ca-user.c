/* ca-user.c - user certificates: create, import, update, walk, export
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The `user' commands and `ca import-tsig' in the CA core.  A user is
 * a row of table users with one certificate (certs), its addresses
 * (certs_emails) and revocation certificates; every certification the
 * CA makes is also recorded in the audit table (ca-db.c).  Stored
 * certificates are walked one at a time (db_cert_next).
 */
#include <config.h>
#include "ca-int.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>


/* The generation algorithm matching the CA key's kind.  */
static int
ca_gen_algo (ca_t *ca)
{
  const pk_key_t *pk = ca->cert->primary->pk;

  switch (pk->algo)
    {
    case PK_RSA:
      {
        unsigned int nbits = pk_key_nbits (pk);

        if (nbits > 3072)
          return PGP_GEN_RSA4096;
        if (nbits > 2048)
          return PGP_GEN_RSA3072;
        return PGP_GEN_RSA2048;
      }
    case PK_EDDSA:
      return PGP_GEN_ED25519;
    case PK_ECDSA:
      return pk->curve == PK_CURVE_NISTP256 ? PGP_GEN_NISTP256
        : pk->curve == PK_CURVE_NISTP521 ? PGP_GEN_NISTP521
        : PGP_GEN_NISTP384;
    default:
      return PGP_GEN_RSA4096;
    }
}


/* Certify CERT for the NEMAILS EMAILS as the CA; with WANT_NAME find
 * the user's name.  */
static gpg_error_t
certify_for_emails (ca_t *ca, pgp_cert_t *cert, const char *const *emails,
                    size_t nemails, int want_name, ca_certify_result_t *res)
{
  ca_policy_t policy;

  memset (&policy, 0, sizeof policy);
  policy.emails = emails;
  policy.nemails = nemails;
  policy.want_name = want_name;
  return ca_certify (ca, cert, &policy, res);
}


/* Store CERT as a new user NAME with EMAILS and the certifications of
 * RES; *R_CERT_ID gets its row.  */
static gpg_error_t
store_user (ca_t *ca, const pgp_cert_t *cert, const char *fpr,
            const char *name, const char *const *emails, size_t nemails,
            const ca_certify_result_t *res, int64_t *r_cert_id)
{
  gpg_error_t err;
  char *pub = NULL;

  *r_cert_id = 0;
  err = ca_armor_public (cert, &pub);
  if (err)
    return err;
  err = db_user_add (ca->db, name, fpr, pub, emails, nemails, NULL,
                     r_cert_id);
  if (err)
    ca_db_errmsg (ca, err, "storing the user");
  else
    err = ca_record_certifications (ca, *r_cert_id, fpr, res->made);
  if (!err)
    err = ca_verified_keep (ca, *r_cert_id, cert, pub);
  xfree (pub);
  return err;
}


/* Store the revocation SIG for cert CERT_ID; a known one is skipped.  */
static gpg_error_t
store_revocation (ca_t *ca, int64_t cert_id, const pgp_sig_t *sig)
{
  int added;

  return ca_revocation_store (ca, cert_id, sig, &added);
}


/* The user key USIGNER trust-signs the CA's User IDs (FPR is the
 * user's); the CA certificate is stored.  */
static gpg_error_t
tsign_ca (ca_t *ca, const pgp_signer_t *usigner, const char *fpr)
{
  gpg_error_t err;
  pgp_certify_opts_t topts;
  pgp_uid_t *cauid;
  pgp_sig_t *tsig;

  memset (&topts, 0, sizeof topts);
  topts.sigclass = PGP_SIG_GENERIC_CERT;
  topts.trust_level = CA_TSIG_LEVEL;
  topts.trust_amount = CA_TSIG_AMOUNT;
  for (cauid = ca->cert->uids; cauid; cauid = cauid->next)
    {
      if (cauid->is_attribute)
        continue;
      err = pgp_cert_certify_uid (ca->cert, cauid, usigner, &topts, &tsig);
      if (err)
        return ca_set_errmsg (err, "error making the trust signature: %s",
                              gpg_strerror (err));
      err = ca_record_sig (ca, 0, ca->fpr, cauid->name, tsig, fpr,
                           DB_CERTIFICATION_TSIG);
      if (err)
        return err;
    }
  return ca_store_cacert (ca);
}


/* See ca.h.  */
void
ca_new_user_release (ca_new_user_t *u)
{
  if (!u)
    return;
  wipe_and_free_string (u->passphrase);
  if (u->key)
    wipe_and_free (u->key, u->keylen);
  memset (u, 0, sizeof *u);
}


/* See ca.h.  */
gpg_error_t
ca_user_create (ca_t *ca, const char *name, const char *const *emails,
                size_t nemails, int algo, ca_new_user_t *r_user)
{
  ca_user_spec_t spec;

  memset (&spec, 0, sizeof spec);
  spec.name = name;
  spec.emails = emails;
  spec.nemails = nemails;
  spec.algo = algo;
  spec.subkeys = CA_SUBKEYS_DEFAULT;
  return ca_user_create_ex (ca, &spec, r_user);
}


/* See ca.h.  */
gpg_error_t
ca_user_create_ex (ca_t *ca, const ca_user_spec_t *spec,
                   ca_new_user_t *r_user)
{
  const char *name = spec->name;
  const char *const *emails = spec->emails;
  size_t nemails = spec->nemails;
  int algo = spec->algo;
  unsigned int subkeys = 0;
  gpg_error_t err;
  char **uids = NULL;
  pgp_cert_t *cert = NULL;
  pgp_sig_t *rev = NULL;
  pgp_signer_t usigner;
  ca_certify_result_t res;
  int64_t cert_id = 0;
  size_t i;

  memset (r_user, 0, sizeof *r_user);
  memset (&res, 0, sizeof res);
  /* The new key trust-signs the CA certificate as stored now, under
   * the write lock, not only the copy loaded at ca_open: trust
   * signatures other processes stored since then are kept.  */
  err = ca_refresh_cacert (ca);
  if (err)
    return err;
  uids = xtrycalloc (nemails + 1, sizeof *uids);
  if (!uids)
    return oca_error_from_errno ();
  for (i = 0; i < nemails; i++)
    {
      uids[i] = name ? gpgrt_bsprintf ("%s <%s>", name, emails[i])
        : gpgrt_bsprintf ("<%s>", emails[i]);
      if (!uids[i])
        {
          err = oca_error_from_errno ();
          goto leave;
        }
    }
  if (!algo)
    algo = ca_gen_algo (ca);
  if ((spec->subkeys & CA_SUBKEY_ENCRYPT))
    subkeys |= PGP_KF_ENC_COMMS;
  if ((spec->subkeys & CA_SUBKEY_SIGN))
    subkeys |= PGP_KF_SIGN;
  if ((spec->subkeys & CA_SUBKEY_AUTH))
    subkeys |= PGP_KF_AUTH;

  err = pgp_generate_user_ext (algo, subkeys, (const char *const *)uids,
                               nemails, 0, &cert, &rev);
  if (err)
    {
      ca_set_errmsg (err, "error generating the user key: %s",
                     gpg_strerror (err));
      goto leave;
    }
  pgp_cert_fpr_hex (cert, r_user->fpr);

  /* The CA certifies the new User IDs.  */
  err = certify_for_emails (ca, cert, emails, nemails, 0, &res);
  if (err)
    goto leave;
  if (res.nmatched != nemails)
    {
      err = ca_set_errmsg (gpg_error (GPG_ERR_INV_USER_ID),
                           "the new User IDs could not be certified");
      goto leave;
    }

  /* The user key trust-signs the CA's User ID(s).  */
  err = pgp_signer_from_key (cert->primary, &usigner);
  if (!err)
    err = tsign_ca (ca, &usigner, r_user->fpr);
  if (err)
    goto leave;

  /* The public key, its emails, certifications and revocation.  */
  err = store_user (ca, cert, r_user->fpr, name, emails, nemails, &res,
                    &cert_id);
  if (!err)
    err = store_revocation (ca, cert_id, rev);
  if (err)
    goto leave;

  /* The private key for the user, protected (unless the passphrase
   * given is empty).  */
  if (!spec->passphrase)
    err = ca_passphrase_new (&r_user->passphrase);
  else if (*spec->passphrase)
    {
      size_t n = strlen (spec->passphrase);

      r_user->passphrase = xtrymalloc_secure (n + 1);
      if (!r_user->passphrase)
        err = oca_error_from_errno ();
      else
        memcpy (r_user->passphrase, spec->passphrase, n + 1);
    }
  if (err)
    goto leave;
  if (r_user->passphrase)
    err = pgp_cert_protect (cert, r_user->passphrase);
  if (!err)
    err = pgp_cert_export (cert, PGP_EXPORT_ARMOR | PGP_EXPORT_SECRET,
                           &r_user->key, &r_user->keylen);
  if (err)
    ca_set_errmsg (err, "error protecting the user key: %s",
                   gpg_strerror (err));

 leave:
  if (err)
    ca_new_user_release (r_user);
  for (i = 0; i < nemails; i++)
    gpgrt_free (uids[i]);
  xfree (uids);
  ca_certify_result_release (&res);
  pgp_sig_release (rev);
  pgp_cert_release (cert);
  return err;
}


/* See ca.h.  */
gpg_error_t
ca_user_import (ca_t *ca, pgp_cert_t *cert, const char *name,
                const char *const *emails, size_t nemails,
                ca_certify_result_t *res)
{
  gpg_error_t err;
  db_cert_t *known = NULL;
  char fpr[41];
  int64_t cert_id;

  memset (res, 0, sizeof *res);
  pgp_cert_fpr_hex (cert, fpr);
  if (!strcmp (fpr, ca->fpr))
    return ca_set_errmsg (gpg_error (GPG_ERR_CONFLICT),
                          "this is the CA's own key");
  err = db_cert_get (ca->db, fpr, &known);
  db_cert_release (known);
  if (!err)
    return ca_set_errmsg (gpg_error (GPG_ERR_DUP_KEY),
                          "A key with this fingerprint already exists in "
                          "the DB. To update it, use the 'user update' "
                          "command.");
  if (gpg_err_code (err) != GPG_ERR_NOT_FOUND)
    return ca_db_errmsg (ca, err, "reading the database");

  err = certify_for_emails (ca, cert, emails, nemails, !name, res);
  if (err)
    return err;
  if (!res->nmatched)
    /* Nothing certified: the key is not stored.  */
    return ca_set_errmsg (gpg_error (res->refused ? GPG_ERR_INV_USER_ID
                                     : GPG_ERR_NOT_FOUND),
                          "no User ID of %s can be certified; "
                          "the key was not imported", fpr);
  return store_user (ca, cert, fpr, name ? name : res->name, emails, nemails,
                     res, &cert_id);
}


/* See ca.h.  */
gpg_error_t
ca_user_add_revocations (ca_t *ca, const pgp_cert_t *cert, const char *what,
                         const void *buf, size_t len)
{
  gpg_error_t err;
  pgp_sig_t *sigs = NULL, *sig;
  db_cert_t *row = NULL;
  char fpr[41];

  err = pgp_read_sigs (buf, len, &sigs);
  if (err)
    return ca_key_errmsg (err, what);
  err = db_cert_get (ca->db, pgp_cert_fpr_hex (cert, fpr), &row);
  if (err)
    {
      ca_db_errmsg (ca, err, "reading the database");
      goto leave;
    }
  for (sig = sigs; sig; sig = sig->next)
    {
      if (sig->version != 4 || sig->sigclass != PGP_SIG_KEY_REVOKE)
        {
          err = ca_set_errmsg (gpg_error (GPG_ERR_INV_VALUE),
                               "%s: not a key revocation", what);
          goto leave;
        }
      if (pgp_sig_verify (cert, NULL, NULL, sig, cert->primary->pk))
        {
          err = ca_set_errmsg (gpg_error (GPG_ERR_BAD_SIGNATURE),
                               "%s: revocation does not verify against "
                               "the key", what);
          goto leave;
        }
      err = store_revocation (ca, row->id, sig);
      if (err)
        goto leave;
    }

 leave:
  db_cert_release (row);
  pgp_sig_release (sigs);
  return err;
}


/* See ca.h.  */
gpg_error_t
ca_user_update (ca_t *ca, const pgp_cert_t *cert, const char *what,
                int *r_added)
{
  gpg_error_t err;
  db_cert_t *known = NULL;
  pgp_cert_t *stored = NULL;
  char *pub = NULL;
  char fpr[41];

  *r_added = 0;
  pgp_cert_fpr_hex (cert, fpr);
  err = db_cert_get (ca->db, fpr, &known);
  if (gpg_err_code (err) == GPG_ERR_NOT_FOUND)
    return ca_set_errmsg (err, "No certificate with fingerprint %s found in "
                          "the DB. To add it, use the 'user import' "
                          "command.", fpr);
  if (err)
    return ca_db_errmsg (ca, err, "reading the database");
  err = ca_parse_stored_cert (known->pub_cert, known->fingerprint, &stored);
  if (err)
    goto leave;
  ca_verified_apply (ca, stored, known->pub_cert, known->verified);
  err = pgp_cert_merge (stored, cert, r_added);
  if (err)
    {
      ca_set_errmsg (err, "error merging %s: %s", what, gpg_strerror (err));
      goto leave;
    }
  if (!*r_added)
    goto leave;
  err = ca_armor_public (stored, &pub);
  if (err)
    goto leave;
  err = db_cert_update (ca->db, known->id, pub);
  if (err)
    ca_db_errmsg (ca, err, "storing the certificate");
  else
    err = ca_verified_keep (ca, known->id, stored, pub);

 leave:
  xfree (pub);
  db_cert_release (known);
  pgp_cert_release (stored);
  return err;
}



/*
 * Walking the stored certificates.
 */

struct ca_user_iter
{
  ca_t *ca;
  char *email;                 /* The filter, or NULL.  */
  int64_t after;               /* Row id of the last one handed out.  */
  db_cert_t *row;              /* The current one ...  */
  ca_user_t user;              /* ... as handed out.  */
  int by_name;                  /* Walked by name: ...  */
  int64_t *ids;                /* ... the row ids in order, ...  */
  size_t nids, pos;            /* ... their number, the next one.  */
};


/* Drop the current row of IT.  */
static void
iter_clear (ca_user_iter_t *it)
{
  db_cert_release (it->row);
  it->row = NULL;
  pgp_cert_release (it->user.cert);
  memset (&it->user, 0, sizeof it->user);
}


/* See ca.h.  */
gpg_error_t
ca_users_open (ca_t *ca, const char *email, ca_user_iter_t **r_it)
{
  ca_user_iter_t *it;

  *r_it = NULL;
  it = xtrycalloc (1, sizeof *it);
  if (!it)
    return oca_error_from_errno ();
  it->ca = ca;
  if (email && !(it->email = xtrystrdup (email)))
    {
      xfree (it);
      return oca_error_from_errno ();
    }
  *r_it = it;
  return 0;
}


/* See ca.h.  */
gpg_error_t
ca_users_open_by_name (ca_t *ca, ca_user_iter_t **r_it)
{
  gpg_error_t err;
  ca_user_iter_t *it;

  *r_it = NULL;
  it = xtrycalloc (1, sizeof *it);
  if (!it)
    return oca_error_from_errno ();
  it->ca = ca;
  it->by_name = 1;
  err = db_cert_ids_by_name (ca->db, &it->ids, &it->nids);
  if (err)
    {
      xfree (it);
      return ca_db_errmsg (ca, err, "reading the database");
    }
  *r_it = it;
  return 0;
}


/* See ca.h.  */
gpg_error_t
ca_users_next (ca_user_iter_t *it, const ca_user_t **r_user)
{
  gpg_error_t err;
  db_cert_t *row;

  *r_user = NULL;
  iter_clear (it);
  if (it->by_name && it->pos == it->nids)
    return gpg_error (GPG_ERR_EOF);
  if (it->by_name)
    err = db_cert_get_by_id (it->ca->db, it->ids[it->pos++], &row);
  else
    err = db_cert_next (it->ca->db, it->email, it->after, &row);
  if (gpg_err_code (err) == GPG_ERR_EOF)
    return err;
  if (err)
    return ca_db_errmsg (it->ca, err, "reading the database");
  it->row = row;
  it->after = row->id;
  err = ca_parse_stored_cert (row->pub_cert, row->fingerprint,
                              &it->user.cert);
  if (err)
    return err;
  /* What verifying it found when it was stored, if that was this very
   * text (ca-verified.c).  */
  ca_verified_apply (it->ca, it->user.cert, row->pub_cert, row->verified);
  it->user.fpr = row->fingerprint;
  it->user.name = row->user_name;
  it->user.emails = (const char *const *)row->emails;
  it->user.nemails = row->nemails;
  it->user.delisted = row->delisted;
  it->user.inactive = row->inactive;
  *r_user = &it->user;
  return 0;
}


/* See ca.h.  */
void
ca_users_close (ca_user_iter_t *it)
{
  if (!it)
    return;
  iter_clear (it);
  xfree (it->email);
  xfree (it->ids);
  xfree (it);
}


/* See ca.h.  */
void
ca_user_status_release (ca_user_status_t *status)
{
  if (!status)
    return;
  xfree (status->certified);
  memset (status, 0, sizeof *status);
}


/* See ca.h.  */
gpg_error_t
ca_user_status (ca_t *ca, const ca_user_t *user, uint32_t now,
                ca_user_status_t *r_status)
{
  gpg_error_t err;
  pgp_cert_t *cert = user->cert;
  /* USER is the one an iterator handed out: its row is there.  */
  const ca_user_iter_t *it = (const ca_user_iter_t *)
    ((const char *)user - offsetof (ca_user_iter_t, user));
  const pgp_uid_t *uid;
  db_revocation_t *revs = NULL, *r;
  size_t n = 0;

  memset (r_status, 0, sizeof *r_status);
  /* pgp_uid_certified_by and pgp_cert_get_info verify what they need
   * (each signature once: pgp_sig_verify keeps its result).  */
  err = db_revocation_list (ca->db, it->row->id, &revs);
  if (err)
    return ca_db_errmsg (ca, err, "reading the database");
  for (r = revs; r; r = r->next)
    r_status->nrevocations++;
  db_revocation_release (revs);

  for (uid = cert->uids; uid; uid = uid->next)
    n++;
  r_status->certified = xtrycalloc (n + 1, sizeof *r_status->certified);
  if (!r_status->certified)
    return oca_error_from_errno ();
  for (uid = cert->uids; uid; uid = uid->next)
    if (!uid->is_attribute
        && !pgp_uid_certified_by (cert, uid, ca->cert, now, NULL))
      r_status->certified[r_status->ncertified++] = uid;
  r_status->tsigned = pgp_cert_has_tsig_by (ca->cert, cert->primary->fpr);
  r_status->info_err = pgp_cert_get_info (cert, now, &r_status->info);
  if (r_status->info_err)
    memset (&r_status->info, 0, sizeof r_status->info);
  return 0;
}


/* Armor CERT's exportable parts into A.  */
static gpg_error_t
armor_cert (pgp_armor_out_t *a, const pgp_cert_t *cert)
{
  gpg_error_t err;
  membuf_t mb;

  membuf_init (&mb, PGP_MAX_INPUT, 0);
  pgp_cert_write (cert, PGP_EXPORT_NO_LOCAL, &mb);
  err = membuf_error (&mb);
  if (!err)
    err = pgp_armor_put (a, membuf_data (&mb), membuf_len (&mb));
  membuf_release (&mb);
  return err;
}


/* See ca.h.  */
gpg_error_t
ca_export_certs_to (ca_t *ca, const char *email, ca_write_fn_t write,
                    void *opaque)
{
  gpg_error_t err;
  ca_user_iter_t *it = NULL;
  const ca_user_t *user;
  pgp_armor_out_t *a = NULL;
  size_t n = 0;

  /* One certificate at a time: memory stays flat for any number.  */
  err = pgp_armor_open (PGP_ARMOR_PUBKEY, NULL, write, opaque, &a);
  if (!err && !email)
    err = armor_cert (a, ca->cert);
  if (!err)
    err = ca_users_open (ca, email, &it);
  while (!err && !(err = ca_users_next (it, &user)))
    {
      err = armor_cert (a, user->cert);
      n++;
    }
  if (gpg_err_code (err) == GPG_ERR_EOF)
    err = 0;
  if (!err && email && !n)
    err = ca_set_errmsg (gpg_error (GPG_ERR_NOT_FOUND),
                         "No certificates found for '%s'", email);
  if (!err)
    {
      err = pgp_armor_close (a);
      a = NULL;
    }
  pgp_armor_cancel (a);
  ca_users_close (it);
  return err;
}


static gpg_error_t
write_membuf (void *opaque, const void *buf, size_t len)
{
  membuf_put (opaque, buf, len);
  return membuf_error (opaque);
}


/* See ca.h.  */
gpg_error_t
ca_export_certs (ca_t *ca, const char *email, char **r_text)
{
  gpg_error_t err;
  membuf_t mb;
  unsigned char *text = NULL;
  size_t len;

  *r_text = NULL;
  membuf_init (&mb, 1024u * 1024 * 1024, 0);
  err = ca_export_certs_to (ca, email, write_membuf, &mb);
  if (!err)
    membuf_put_u8 (&mb, 0);
  if (!err)
    err = membuf_take (&mb, &text, &len);
  membuf_release (&mb);
  if (!err)
    *r_text = (char *)text;
  return err;
}


/* See ca.h.  */
void
ca_strings_release (char **list)
{
  size_t i;

  if (!list)
    return;
  for (i = 0; list[i]; i++)
    xfree (list[i]);
  xfree (list);
}


static int
cmp_str (const void *a, const void *b)
{
  return strcmp (*(char *const *)a, *(char *const *)b);
}


/* See ca.h.  */
gpg_error_t
ca_user_emails (ca_t *ca, char ***r_list)
{
  gpg_error_t err;
  ca_user_iter_t *it = NULL;
  const ca_user_t *user;
  char **list = NULL, **tmp;
  size_t n = 0, size = 0, i, k;

  *r_list = NULL;
  err = ca_users_open (ca, NULL, &it);
  while (!err && !(err = ca_users_next (it, &user)))
    for (i = 0; !err && i < user->nemails; i++)
      {
        if (n + 1 >= size)
          {
            size = size ? 2 * size : 16;
            tmp = xtryrealloc (list, size * sizeof *list);
            if (!tmp)
              {
                err = oca_error_from_errno ();
                break;
              }
            list = tmp;
          }
        list[n] = xtrystrdup (user->emails[i]);
        if (!list[n])
          err = oca_error_from_errno ();
        else
          list[++n] = NULL;
      }
  ca_users_close (it);
  if (gpg_err_code (err) == GPG_ERR_EOF)
    err = 0;
  if (!err && !list)
    {
      list = xtrycalloc (1, sizeof *list);
      if (!list)
        err = oca_error_from_errno ();
    }
  if (err)
    {
      ca_strings_release (list);
      return err;
    }
  qsort (list, n, sizeof *list, cmp_str);
  for (i = k = 0; i < n; i++)
    if (k && !strcmp (list[k - 1], list[i]))
      xfree (list[i]);
    else
      list[k++] = list[i];
  list[k] = NULL;
  *r_list = list;
  return 0;
}


/* Whether some User ID of COPY has a trust signature naming a key of
 * USER (primary or subkey) as its issuer.  */
static int
tsigned_by (const pgp_cert_t *copy, const pgp_cert_t *user)
{
  const pgp_key_t *key;

  for (key = user->primary; key;
       key = key == user->primary ? user->subkeys : key->next)
    if (pgp_cert_has_tsig_by (copy, key->fpr))
      return 1;
  return 0;
}


/* See ca.h.  */
gpg_error_t
ca_import_tsigs (ca_t *ca, const pgp_cert_t *copy, const char *what,
                 int *r_added)
{
  gpg_error_t err;
  ca_user_iter_t *it = NULL;
  const ca_user_t *user;
  pgp_cert_t *signers = NULL, **tail = &signers, *c;
  size_t nusers = 0;
  char fpr[41];

  *r_added = 0;
  /* Merge into the CA certificate as stored now (see
   * ca_user_create).  */
  err = ca_refresh_cacert (ca);
  if (err)
    return err;
  if (strcmp (pgp_cert_fpr_hex (copy, fpr), ca->fpr))
    return ca_set_errmsg (gpg_error (GPG_ERR_CONFLICT),
                          "The imported cert has an unexpected "
                          "Fingerprint: %s", fpr);

  /* The stored user keys that made a trust signature on COPY verify
   * it; each stored certificate is checked on the way.  */
  err = ca_users_open (ca, NULL, &it);
  while (!err && !(err = ca_users_next (it, &user)))
    {
      nusers++;
      if (!tsigned_by (copy, user->cert))
        continue;
      err = pgp_cert_copy (user->cert, 1, &c);
      if (err)
        break;
      *tail = c;
      tail = &c->next;
    }
  if (gpg_err_code (err) == GPG_ERR_EOF)
    err = 0;
  if (err)
    goto leave;
  if (!nusers)
    {
      err = ca_set_errmsg (gpg_error (GPG_ERR_NOT_FOUND),
                           "no user certificates in the database to "
                           "verify trust signatures with");
      goto leave;
    }
  /* No signer: nothing to verify with (a NULL chain would take the
   * signatures unverified).  */
  if (signers)
    err = pgp_cert_merge_tsigs (ca->cert, copy, signers, r_added);
  if (err)
    {
      ca_set_errmsg (err, "error merging trust signatures: %s",
                     gpg_strerror (err));
      goto leave;
    }
  if (!*r_added)
    {
      err = ca_set_errmsg (gpg_error (GPG_ERR_NOT_FOUND),
                           "%s: no new trust signature by a known user "
                           "key found", what);
      goto leave;
    }
  err = ca_store_cacert (ca);

 leave:
  ca_users_close (it);
  pgp_cert_release (signers);
  return err;
}
