/* ca-revoke.c - user revocations: store, apply, list (spec 3.10)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A user's revocation certificates are kept in table revocations, each
 * under its id (ca_revocation_hash: the first 8 bytes of SHA-256 over
 * the signature packet, as openpgp-ca names them), until the admin
 * applies one: then it is merged into the stored certificate, which
 * `user export' hands out revoked, and marked published.  Only a key
 * revocation (0x20) that verifies against the primary key of a stored
 * user certificate is stored; one equal to a stored one (the same
 * signature, whatever its unhashed subpackets) is not stored twice.
 */
#include <config.h>
#include "ca-int.h"

#include <string.h>


/* See ca-int.h.  */
gpg_error_t
ca_revocation_store (ca_t *ca, int64_t cert_id, const pgp_sig_t *sig,
                     int *r_added)
{
  gpg_error_t err;
  db_revocation_t *list = NULL, *r;
  pgp_sig_t *old;
  char *text = NULL;
  char hash[17];

  *r_added = 0;
  err = db_revocation_list (ca->db, cert_id, &list);
  if (err)
    return ca_db_errmsg (ca, err, "reading the database");
  for (r = list; r; r = r->next)
    {
      if (pgp_read_sigs (r->revocation, strlen (r->revocation), &old))
        continue;   /* Not ours to judge here; it stays.  */
      err = pgp_sig_same (old, sig) ? gpg_error (GPG_ERR_DUP_KEY) : 0;
      pgp_sig_release (old);
      if (err)
        break;
    }
  db_revocation_release (list);
  if (err)
    return 0;   /* Known.  */

  err = pgp_sig_armor (sig, 0, PGP_ARMOR_PUBKEY, NULL, &text);
  if (err)
    return err;
  ca_revocation_hash (sig, hash);
  err = db_revocation_insert (ca->db, cert_id, hash, text, 0, NULL);
  if (gpg_err_code (err) == GPG_ERR_DUP_KEY)
    err = 0;   /* The same packet, stored for this or another key.  */
  else if (err)
    ca_db_errmsg (ca, err, "storing the revocation");
  else
    *r_added = 1;
  xfree (text);
  return err;
}


/* Find the stored user certificate SIG revokes: by its issuer
 * fingerprint, else by its issuer key ID and a verification.  *R_ROW
 * and *R_CERT get it.  */
static gpg_error_t
find_target (ca_t *ca, const pgp_sig_t *sig, const char *what,
             db_cert_t **r_row, pgp_cert_t **r_cert)
{
  gpg_error_t err;
  db_cert_t *row = NULL;
  pgp_cert_t *cert = NULL;
  int64_t after = 0;
  char hex[41];

  *r_row = NULL;
  *r_cert = NULL;
  if (sig->has_issuer_fpr)
    {
      oca_bin2hex (sig->issuer_fpr, 20, hex);
      err = db_cert_get (ca->db, hex, &row);
      if (gpg_err_code (err) == GPG_ERR_NOT_FOUND || (!err && !row->user_id))
        {
          db_cert_release (row);
          return ca_set_errmsg (gpg_error (GPG_ERR_NOT_FOUND),
                                "%s: Couldn't find cert for this "
                                "fingerprint: %s", what, hex);
        }
      if (err)
        return ca_db_errmsg (ca, err, "reading the database");
      err = ca_parse_stored_cert (row->pub_cert, row->fingerprint, &cert);
      if (err)
        {
          db_cert_release (row);
          return err;
        }
      *r_row = row;
      *r_cert = cert;
      return 0;
    }
  if (!sig->has_issuer)
    return ca_set_errmsg (gpg_error (GPG_ERR_NO_PUBKEY),
                          "%s: Signature has no issuer KeyID", what);

  /* Key ID only: the stored keys with that ID, the one it verifies
   * against.  */
  for (;;)
    {
      err = db_cert_next (ca->db, NULL, after, &row);
      if (gpg_err_code (err) == GPG_ERR_EOF)
        break;
      if (err)
        return ca_db_errmsg (ca, err, "reading the database");
      after = row->id;
      err = ca_parse_stored_cert (row->pub_cert, row->fingerprint, &cert);
      if (err)
        {
          db_cert_release (row);
          return err;
        }
      if (!memcmp (cert->primary->keyid, sig->issuer, 8)
          && !pgp_sig_verify (cert, NULL, NULL, sig, cert->primary->pk))
        {
          *r_row = row;
          *r_cert = cert;
          return 0;
        }
      pgp_cert_release (cert);
      db_cert_release (row);
      cert = NULL;
      row = NULL;
    }
  return ca_set_errmsg (gpg_error (GPG_ERR_NOT_FOUND),
                        "%s: Revocation couldn't be matched to a cert: no "
                        "stored key with ID %s that it verifies against",
                        what, oca_bin2hex (sig->issuer, 8, hex));
}


/* See ca.h.  */
gpg_error_t
ca_revocation_add (ca_t *ca, const void *buf, size_t len, const char *what,
                   char r_fpr[41], int *r_added)
{
  gpg_error_t err;
  pgp_sig_t *sigs = NULL, *sig;
  db_cert_t *row = NULL;
  pgp_cert_t *cert = NULL;
  int added;

  *r_fpr = 0;
  *r_added = 0;
  err = pgp_read_sigs (buf, len, &sigs);
  if (err)
    return ca_key_errmsg (err, what);
  for (sig = sigs; sig; sig = sig->next)
    {
      if (sig->version != 4 || sig->sigclass != PGP_SIG_KEY_REVOKE)
        {
          err = ca_set_errmsg (gpg_error (GPG_ERR_INV_VALUE),
                               "%s: not a key revocation", what);
          goto leave;
        }
      err = find_target (ca, sig, what, &row, &cert);
      if (err)
        goto leave;
      if (pgp_sig_verify (cert, NULL, NULL, sig, cert->primary->pk))
        {
          err = ca_set_errmsg (gpg_error (GPG_ERR_BAD_SIGNATURE),
                               "%s: Revocation couldn't be matched to a "
                               "cert: it does not verify against %s", what,
                               row->fingerprint);
          goto leave;
        }
      if (*r_fpr && strcmp (r_fpr, row->fingerprint))
        {
          err = ca_set_errmsg (gpg_error (GPG_ERR_AMBIGUOUS),
                               "%s: revocations of more than one key",
                               what);
          goto leave;
        }
      strcpy (r_fpr, row->fingerprint);
      err = ca_revocation_store (ca, row->id, sig, &added);
      if (err)
        goto leave;
      *r_added += added;
      pgp_cert_release (cert);
      db_cert_release (row);
      cert = NULL;
      row = NULL;
    }

 leave:
  pgp_cert_release (cert);
  db_cert_release (row);
  pgp_sig_release (sigs);
  return err;
}


/* See ca.h.  */
gpg_error_t
ca_revocation_apply (ca_t *ca, const char *id, char r_fpr[41])
{
  gpg_error_t err;
  db_revocation_t *rev = NULL;
  db_cert_t *row = NULL;
  pgp_cert_t *cert = NULL;
  pgp_sig_t *sig = NULL;
  char *pub = NULL;
  char hash[17];
  size_t i;

  *r_fpr = 0;
  for (i = 0; id[i] && i < 16; i++)
    hash[i] = (id[i] >= 'a' && id[i] <= 'f') ? id[i] - 32 : id[i];
  hash[i] = 0;
  if (id[i] || i != 16 || strspn (hash, "0123456789ABCDEF") != 16)
    return ca_set_errmsg (gpg_error (GPG_ERR_INV_VALUE), "invalid "
                          "revocation id '%s' (16 hex digits, see 'user "
                          "show-revocations')", id);
  err = db_revocation_get (ca->db, hash, &rev);
  if (gpg_err_code (err) == GPG_ERR_NOT_FOUND)
    return ca_set_errmsg (err, "No revocation found for %s", hash);
  if (err)
    return ca_db_errmsg (ca, err, "reading the database");
  err = db_cert_get_by_id (ca->db, rev->cert_id, &row);
  if (err)
    {
      ca_db_errmsg (ca, err, "reading the database");
      goto leave;
    }
  err = ca_parse_stored_cert (row->pub_cert, row->fingerprint, &cert);
  if (err)
    goto leave;
  ca_verified_apply (ca, cert, row->pub_cert, row->verified);
  err = pgp_read_sigs (rev->revocation, strlen (rev->revocation), &sig);
  if (!err && sig->next)
    err = gpg_error (GPG_ERR_AMBIGUOUS);
  if (!err)
    err = pgp_cert_add_revocation (cert, sig, NULL);
  if (err)
    {
      ca_set_errmsg (err, "stored revocation %s can't be applied to %s: %s",
                     hash, row->fingerprint, gpg_strerror (err));
      goto leave;
    }
  err = ca_armor_public (cert, &pub);
  if (err)
    goto leave;
  err = db_cert_update (ca->db, row->id, pub);
  if (!err)
    err = db_revocation_set_published (ca->db, rev->id);
  if (!err)
    err = ca_verified_keep (ca, row->id, cert, pub);
  if (err)
    {
      ca_db_errmsg (ca, err, "storing the revoked certificate");
      goto leave;
    }
  strcpy (r_fpr, row->fingerprint);

 leave:
  xfree (pub);
  pgp_sig_release (sig);
  pgp_cert_release (cert);
  db_cert_release (row);
  db_revocation_release (rev);
  return err;
}


/* See ca.h.  */
void
ca_revocation_release (ca_revocation_t *list)
{
  while (list)
    {
      ca_revocation_t *next = list->next;

      xfree (list->reason_text);
      xfree (list);
      list = next;
    }
}


/* See ca.h.  */
gpg_error_t
ca_user_revocations (ca_t *ca, const ca_user_t *user,
                     ca_revocation_t **r_list)
{
  gpg_error_t err;
  db_cert_t *row = NULL;
  db_revocation_t *revs = NULL, *r;
  ca_revocation_t *list = NULL, **tail = &list, *item;
  pgp_sig_t *sig;

  *r_list = NULL;
  err = db_cert_get (ca->db, user->fpr, &row);
  if (!err)
    err = db_revocation_list (ca->db, row->id, &revs);
  if (err)
    {
      ca_db_errmsg (ca, err, "reading the database");
      goto leave;
    }
  for (r = revs; r; r = r->next)
    {
      item = xtrycalloc (1, sizeof *item);
      if (!item)
        {
          err = oca_error_from_errno ();
          goto leave;
        }
      *tail = item;
      tail = &item->next;
      snprintf (item->hash, sizeof item->hash, "%s", r->hash);
      item->published = r->published;
      err = pgp_read_sigs (r->revocation, strlen (r->revocation), &sig);
      if (err)
        {
          ca_set_errmsg (err, "stored revocation %s is invalid: %s",
                         r->hash, gpg_strerror (err));
          goto leave;
        }
      item->created = sig->created;
      item->has_reason = sig->has_revoc_reason;
      item->reason = sig->revoc_reason;
      if (sig->revoc_text
          && !(item->reason_text = xtrystrdup (sig->revoc_text)))
        err = oca_error_from_errno ();
      pgp_sig_release (sig);
      if (err)
        goto leave;
    }
  *r_list = list;
  list = NULL;

 leave:
  ca_revocation_release (list);
  db_revocation_release (revs);
  db_cert_release (row);
  return err;
}
