/* ca-softkey.c - the softkey backend and where the CA private key is kept
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The CA certificate (cacerts.priv_cert) is public; the private key of
 * a softkey CA is the row of table cakeys with the same id (binary
 * OpenPGP, unprotected: the database file is the secret), written once
 * when the key is stored and never rewritten (db-key.c explains the
 * page layout).  The key is read only when the CA signs or exports it
 * (the backend's first certifier/signer/export call, or
 * ca_key_unlock): commands that only read the database never touch its
 * pages.  Its secret parts are merged into the loaded certificate, in
 * secure memory; signing goes straight to pk_sign, which is
 * thread-safe, so the bulk import may certify from all cores.
 *
 * Files of schema version 1 kept the armored private key in
 * cacerts.priv_cert.  The first read-write open moves it:
 *   1. one transaction inserts the key into cakeys (new pages; the
 *      journal gets no key byte);
 *   2. the old text is overwritten in place with blanks without a
 *      journal (db_cacert_scrub_cert);
 *   3. one transaction stores the public cert in cacerts.priv_cert.
 * A crash after 1 leaves the key in both places (step 2 and 3 run
 * again); after 2 a blank or partly blanked cert text, which is
 * rebuilt from the key row.  What older versions of oca wrote to
 * journals before that cannot be reached from here (doc/card-backend.md).
 *
 * Migration to a card (ca migrate) switches the backend in one
 * transaction, then ca_key_scrub removes the key row (db_cakey_scrub).
 * A crash in between leaves a card CA with a leftover key row, whose
 * removal the next read-write open finishes.
 */
#include <config.h>
#include "ca-int.h"

#include <string.h>

/* Where the softkey backend finds the private key.  */
typedef struct softkey_store
{
  db_t db;
  int64_t cacert_id;
  int loaded;
} softkey_store_t;


/* Merge the private key stored for the backend's CA into its
 * certificate, once.  */
static gpg_error_t
softkey_unlock (ca_backend_t *be)
{
  gpg_error_t err;
  softkey_store_t *st = be->priv;
  unsigned char *key = NULL;
  size_t keylen = 0;
  pgp_cert_t *keycert = NULL;

  if (be->cacert->primary->secret == PGP_SECRET_PLAIN || !st || st->loaded)
    return 0;
  err = db_cakey_get (st->db, st->cacert_id, &key, &keylen);
  if (gpg_err_code (err) == GPG_ERR_NOT_FOUND)
    return ca_set_errmsg (gpg_error (GPG_ERR_NO_SECKEY),
                          "no CA private key material in the database");
  if (err)
    return ca_set_errmsg (err, "error reading the CA private key: %s",
                          db_errmsg (st->db));
  err = pgp_read_cert (key, keylen, &keycert);
  if (err)
    ca_set_errmsg (err, "the stored CA private key is invalid: %s",
                   gpg_strerror (err));
  else if (memcmp (keycert->primary->fpr, be->cacert->primary->fpr, 20))
    err = ca_set_errmsg (gpg_error (GPG_ERR_BAD_DATA),
                         "the stored CA private key does not belong to the "
                         "CA certificate");
  else
    {
      err = pgp_cert_merge (be->cacert, keycert, NULL);
      if (err)
        ca_set_errmsg (err, "can't use the stored CA private key: %s",
                       gpg_strerror (err));
    }
  if (!err)
    st->loaded = 1;
  pgp_cert_release (keycert);
  wipe_and_free (key, keylen);
  return err;
}


static gpg_error_t
softkey_certifier (ca_backend_t *be, pgp_signer_t *r_signer)
{
  gpg_error_t err;

  memset (r_signer, 0, sizeof *r_signer);
  err = softkey_unlock (be);
  if (err)
    return err;
  if (be->cacert->primary->secret != PGP_SECRET_PLAIN)
    return ca_set_errmsg (gpg_error (GPG_ERR_NO_SECKEY),
                          "no CA private key material in the database");
  err = pgp_signer_from_key (be->cacert->primary, r_signer);
  if (err)
    ca_set_errmsg (err, "can't use the CA key: %s", gpg_strerror (err));
  return err;
}


static gpg_error_t
softkey_signer (ca_backend_t *be, pgp_signer_t *r_signer)
{
  gpg_error_t err;
  pgp_key_t *sub;

  memset (r_signer, 0, sizeof *r_signer);
  err = softkey_unlock (be);
  if (err)
    return err;
  sub = pgp_cert_signing_subkey (be->cacert);
  if (!sub || sub->secret != PGP_SECRET_PLAIN)
    return ca_set_errmsg (gpg_error (GPG_ERR_NO_SECKEY),
                          "the CA has no usable signing subkey");
  err = pgp_signer_from_key (sub, r_signer);
  if (err)
    ca_set_errmsg (err, "can't use the CA signing key: %s",
                   gpg_strerror (err));
  return err;
}


static gpg_error_t
softkey_describe (ca_backend_t *be, char **r_text)
{
  (void)be;
  *r_text = xtrystrdup ("Softkey (private key material in CA database)");
  return *r_text ? 0 : oca_error_from_errno ();
}


static gpg_error_t
softkey_export_private (ca_backend_t *be, char **r_armor, size_t *r_len)
{
  gpg_error_t err;
  unsigned char *buf = NULL;

  *r_armor = NULL;
  *r_len = 0;
  err = softkey_unlock (be);
  if (err)
    return err;
  err = pgp_cert_export (be->cacert, PGP_EXPORT_ARMOR | PGP_EXPORT_SECRET,
                         &buf, r_len);
  if (err)
    return ca_set_errmsg (err, "error exporting the CA key: %s",
                          gpg_strerror (err));
  *r_armor = (char *)buf;
  return 0;
}


static void
softkey_release (ca_backend_t *be)
{
  xfree (be->priv);
  be->priv = NULL;
}


static const struct ca_backend_ops softkey_ops =
  {
    "softkey",
    softkey_certifier,
    softkey_signer,
    softkey_describe,
    softkey_export_private,
    softkey_release,
    1,
    NULL,
    NULL,                      /* No card.  */
    NULL
  };


/* See ca-int.h.  */
gpg_error_t
ca_softkey_new (pgp_cert_t *cacert, db_t db, int64_t cacert_id,
                ca_backend_t **r_be)
{
  ca_backend_t *be;
  softkey_store_t *st = NULL;

  *r_be = NULL;
  if (db)
    {
      st = xtrycalloc (1, sizeof *st);
      if (!st)
        return oca_error_from_errno ();
      st->db = db;
      st->cacert_id = cacert_id;
    }
  be = xtrycalloc (1, sizeof *be);
  if (!be)
    {
      xfree (st);
      return oca_error_from_errno ();
    }
  be->ops = &softkey_ops;
  be->cacert = cacert;
  be->priv = st;
  *r_be = be;
  return 0;
}



/*
 * Storage of the key.
 */

/* See ca-int.h.  */
gpg_error_t
ca_key_store (ca_t *ca, int64_t cacert_id, const pgp_cert_t *cert)
{
  gpg_error_t err;
  unsigned char *key = NULL;
  size_t keylen = 0;

  err = pgp_cert_export (cert, PGP_EXPORT_SECRET, &key, &keylen);
  if (err)
    return ca_set_errmsg (err, "error exporting the CA key: %s",
                          gpg_strerror (err));
  err = db_cakey_insert (ca->db, cacert_id, key, keylen);
  if (err)
    ca_db_errmsg (ca, err, "storing the CA key");
  wipe_and_free (key, keylen);
  return err;
}


/* See ca-int.h.  */
gpg_error_t
ca_key_scrub (ca_t *ca)
{
  gpg_error_t err;

  err = db_cakey_scrub (ca->db, ca->cacert->id);
  if (err)
    ca_set_errmsg (err, "error removing the CA private key from the "
                   "database: %s (any command that writes to the database "
                   "finishes the removal)", db_errmsg (ca->db));
  return err;
}


/* Steps 2 and 3 of the move of an inline key (see the top): blank the
 * stored text, then store CERT's public parts, unless another process
 * has done it meanwhile.  */
static gpg_error_t
finish_move (ca_t *ca, const pgp_cert_t *cert)
{
  gpg_error_t err;
  db_cacert_t *row = NULL;
  pgp_cert_t *stored = NULL;
  unsigned char *pub = NULL;
  size_t publen = 0;

  err = db_cacert_scrub_cert (ca->db, ca->cacert->id);
  if (err)
    return ca_set_errmsg (err, "error removing the CA private key from the "
                          "CA certificate row: %s", db_errmsg (ca->db));
  err = pgp_cert_export (cert, PGP_EXPORT_ARMOR, &pub, &publen);
  if (err)
    return ca_set_errmsg (err, "error exporting the CA certificate: %s",
                          gpg_strerror (err));
  err = ca_begin (ca);
  if (err)
    goto leave;
  err = db_cacert_get_active (ca->db, &row);
  if (!err && row->id == ca->cacert->id
      && (pgp_read_cert (row->priv_cert, strlen (row->priv_cert), &stored)
          || pgp_cert_has_secret (stored)))
    err = db_cacert_update_cert (ca->db, ca->cacert->id, (char *)pub);
  if (!err)
    err = db_commit (ca->db);
  if (err)
    {
      ca_set_errmsg (err, "error storing the CA certificate: %s",
                     db_errmsg (ca->db));
      db_rollback (ca->db);
    }

 leave:
  pgp_cert_release (stored);
  db_cacert_release (row);
  xfree (pub);
  return err;
}


/* Move the private key in CERT, read from cacerts.priv_cert of a
 * schema 1 file, to table cakeys.  */
static gpg_error_t
move_inline_key (ca_t *ca, const pgp_cert_t *cert)
{
  gpg_error_t err;
  int yes = 0;

  err = ca_begin (ca);
  if (err)
    return err;
  /* Another process may have done it meanwhile.  */
  err = db_cakey_exists (ca->db, ca->cacert->id, &yes);
  if (err)
    ca_db_errmsg (ca, err, "reading the database");
  if (!err && !yes)
    err = ca_key_store (ca, ca->cacert->id, cert);
  if (!err)
    err = ca_commit (ca);
  if (err)
    {
      db_rollback (ca->db);
      return err;
    }
  return finish_move (ca, cert);
}


/* See ca-int.h.  */
gpg_error_t
ca_key_load (ca_t *ca, pgp_cert_t **r_cert, int *r_keyrow)
{
  gpg_error_t err, perr;
  const char *cfg = ca->cacert->backend;
  /* A split back over a softkey keeps the key as a softkey CA does.  */
  int softkey = !cfg || !*cfg || !strcmp (cfg, "split-back()");
  int rw = !db_is_readonly (ca->db) && !db_in_transaction (ca->db);
  pgp_cert_t *cert = NULL, *keycert = NULL;
  unsigned char *key = NULL;
  size_t keylen = 0;
  int yes = 0;

  *r_cert = NULL;
  *r_keyrow = 0;
  perr = pgp_read_cert (ca->cacert->priv_cert,
                        strlen (ca->cacert->priv_cert), &cert);

  if (!softkey)
    {
      /* A migrated CA whose key removal was interrupted.  */
      err = db_cakey_exists (ca->db, ca->cacert->id, &yes);
      if (err)
        {
          ca_db_errmsg (ca, err, "reading the database");
          goto leave;
        }
      if (yes && rw)
        {
          err = ca_key_scrub (ca);
          if (err)
            goto leave;
          ca->key_scrubbed = 1;
        }
      goto have_cert;
    }

  if (rw)
    {
      err = db_cakey_check_file (ca->db);
      if (err)
        {
          ca_set_errmsg (err, "%s: %s", ca->dbfile, db_errmsg (ca->db));
          goto leave;
        }
    }
  err = db_cakey_exists (ca->db, ca->cacert->id, &yes);
  if (err)
    {
      ca_db_errmsg (ca, err, "reading the database");
      goto leave;
    }
  if (yes && (perr || pgp_cert_has_secret (cert)))
    {
      /* An interrupted move of an inline key: the key row is complete
       * (its transaction committed), the cert text may be blanked.  */
      err = db_cakey_get (ca->db, ca->cacert->id, &key, &keylen);
      if (!err)
        err = pgp_read_cert (key, keylen, &keycert);
      if (err)
        {
          ca_set_errmsg (err, "error reading the CA private key: %s",
                         gpg_strerror (err));
          goto leave;
        }
      if (perr)
        {
          pgp_cert_release (cert);
          cert = NULL;
          perr = pgp_cert_copy (keycert, 1, &cert);
        }
      if (!perr && rw)
        {
          err = finish_move (ca, cert);
          if (err)
            goto leave;
        }
    }
  else if (!yes && !perr && pgp_cert_has_secret (cert) && rw)
    {
      err = move_inline_key (ca, cert);
      if (err)
        goto leave;
    }
  else if (!yes && !perr && !pgp_cert_has_secret (cert))
    {
      err = ca_set_errmsg (gpg_error (GPG_ERR_NO_SECKEY),
                           "no CA private key material in the database");
      goto leave;
    }

 have_cert:
  if (perr)
    {
      err = ca_set_errmsg (perr, "the stored CA certificate is invalid: %s",
                           gpg_strerror (perr));
      goto leave;
    }
  *r_cert = cert;
  cert = NULL;
  *r_keyrow = softkey && yes;

 leave:
  pgp_cert_release (keycert);
  pgp_cert_release (cert);
  if (key)
    wipe_and_free (key, keylen);
  return err;
}


/* See ca-int.h.  */
gpg_error_t
ca_key_unlock (ca_t *ca)
{
  if (!ca->backend || strcmp (ca->backend->ops->type, "softkey"))
    return 0;
  return softkey_unlock (ca->backend);
}
