/* t-ca-softkey.c - unit test of ca-softkey.c: where the CA key is kept
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The states a CA file can be in (see ca-softkey.c) are made with db/
 * directly: a key in its table (schema 2), a key inline in the
 * certificate row (schema 1), a card CA with a leftover key row, and a
 * CA without any key; then the core opens them.
 */
#include <config.h>
#include "t-ca-support.h"
#include "t-support.h"

#include <string.h>


/* A database NAME holding the CA CERT stored as CERTTEXT with BACKEND,
 * with its key in table cakeys if KEYROW.  */
static gpg_error_t
make_state (const char *name, const pgp_cert_t *cert, const char *certtext,
            const char *backend, int keyrow)
{
  gpg_error_t err;
  db_t db = NULL;
  int64_t id = 0;
  unsigned char *key = NULL;
  size_t keylen = 0;
  char fpr[41];

  err = db_open (tca_path (name), DB_OPEN_CREATE, &db);
  if (!err)
    err = db_begin (db);
  if (!err)
    err = db_ca_insert (db, "example.org", pgp_cert_fpr_hex (cert, fpr),
                        certtext, backend, &id);
  if (!err && keyrow)
    err = pgp_cert_export (cert, PGP_EXPORT_SECRET, &key, &keylen);
  if (!err && keyrow)
    err = db_cakey_insert (db, id, key, keylen);
  if (!err)
    err = db_commit (db);
  if (key)
    wipe_and_free (key, keylen);
  db_close (db);
  return err;
}


/* Whether the CA of database NAME signs: a detached signature by its
 * certifier verifies with its primary key.  */
static int
signs (ca_t *ca)
{
  pgp_signer_t signer;
  pgp_sig_t *sig = NULL;
  int good;

  if (ca->backend->ops->certifier (ca->backend, &signer))
    return 0;
  good = (!pgp_sign_detached (&signer, "data", 4, 0, 0, &sig)
          && !pgp_verify_detached (ca->cert->primary, "data", 4, sig));
  pgp_sig_release (sig);
  return good;
}


/* The stored certificate text of database NAME has secret parts.  */
static int
row_has_secret (const char *name)
{
  db_t db = NULL;
  db_cacert_t *row = NULL;
  pgp_cert_t *cert = NULL;
  int yes = -1;

  if (!db_open (tca_path (name), DB_OPEN_READONLY, &db)
      && !db_cacert_get_active (db, &row)
      && !pgp_read_cert (row->priv_cert, strlen (row->priv_cert), &cert))
    yes = pgp_cert_has_secret (cert);
  pgp_cert_release (cert);
  db_cacert_release (row);
  db_close (db);
  return yes;
}


/* Whether database NAME has a key row for its CA.  */
static int
has_keyrow (const char *name)
{
  db_t db = NULL;
  db_cacert_t *row = NULL;
  int yes = -1;

  if (!db_open (tca_path (name), DB_OPEN_READONLY, &db)
      && !db_cacert_get_active (db, &row)
      && db_cakey_exists (db, row->id, &yes))
    yes = -1;
  db_cacert_release (row);
  db_close (db);
  return yes;
}


int
main (void)
{
  pgp_cert_t *cacert = NULL;
  char *sec = NULL, *pub = NULL;
  size_t seclen = 0;
  ca_opts_t opts;
  ca_t *ca = NULL;
  ca_info_t info;

  tca_init ();
  ok_err (pgp_generate_ca (PGP_GEN_ED25519, NULL, "example.org", 0, &cacert),
          "a CA key");
  if (!cacert)
    return tap_done ();
  pgp_cert_export (cacert, PGP_EXPORT_ARMOR | PGP_EXPORT_SECRET,
                   (unsigned char **)&sec, &seclen);
  pub = tca_armor (cacert);

  /* Schema 2: the key in its table, read on the first signature.  */
  ok_err (make_state ("keyrow.db", cacert, pub, NULL, 1), "key in cakeys");
  opts = tca_opts ("keyrow.db");
  ok_err (ca_open (&opts, CA_OPEN_READONLY, &ca), "opens");
  ok (ca && !pgp_cert_has_secret (ca->cert),
      "the key is not read by the open");
  ok (ca && signs (ca), "but the first signature reads it and signs");
  ok (ca && pgp_cert_has_secret (ca->cert), "merged into the cert now");
  ca_release (ca);
  ca = NULL;
  ok_err (ca_open (&opts, CA_OPEN_READONLY, &ca), "opens again");
  ok_err (ca ? ca_key_unlock (ca) : gpg_error (GPG_ERR_BUG),
          "ca_key_unlock reads it at once");
  ok (ca && pgp_cert_has_secret (ca->cert), "so it is there");
  ca_release (ca);
  ca = NULL;

  /* Schema 1: the key inline; a reading open uses it where it is, a
   * writing open moves it to its table.  */
  ok_err (make_state ("inline.db", cacert, sec, NULL, 0), "key inline");
  opts = tca_opts ("inline.db");
  ok_err (ca_open (&opts, CA_OPEN_READONLY, &ca), "reading open");
  ok (ca && signs (ca), "signs with the inline key");
  ca_release (ca);
  ca = NULL;
  ok (row_has_secret ("inline.db") == 1 && has_keyrow ("inline.db") == 0,
      "a reading open leaves it inline");
  ok_err (ca_open (&opts, 0, &ca), "writing open");
  ok (row_has_secret ("inline.db") == 0 && has_keyrow ("inline.db") == 1,
      "which moved the key to its table");
  ok (ca && signs (ca), "and signs with it");
  ca_release (ca);
  ca = NULL;

  /* An interrupted move: key row committed, the row still inline.  */
  ok_err (make_state ("halfmove.db", cacert, sec, NULL, 1),
          "key in both places");
  opts = tca_opts ("halfmove.db");
  ok_err (ca_open (&opts, 0, &ca), "writing open");
  ok (row_has_secret ("halfmove.db") == 0 && has_keyrow ("halfmove.db") == 1,
      "finishes the move");
  ca_release (ca);
  ca = NULL;

  /* A CA migrated to a card whose key removal was interrupted.  */
  ok_err (make_state ("migrated.db", cacert, pub,
                      "card;FFFE:01234567;12345678", 1),
          "card CA with a leftover key row");
  opts = tca_opts ("migrated.db");
  ok_err (ca_open (&opts, CA_OPEN_READONLY, &ca), "reading open");
  ca_get_info (ca, &info);
  ok (ca && !info.key_scrubbed && has_keyrow ("migrated.db") == 1
      && !strcmp (info.backend, "card"), "leaves the row to a writer");
  ca_release (ca);
  ca = NULL;
  ok_err (ca_open (&opts, 0, &ca), "writing open");
  if (ca)
    ca_get_info (ca, &info);
  ok (ca && info.key_scrubbed && has_keyrow ("migrated.db") == 0,
      "removes the key (and says so)");
  ca_release (ca);
  ca = NULL;

  /* No key anywhere.  */
  ok_err (make_state ("nokey.db", cacert, pub, NULL, 0), "no key at all");
  opts = tca_opts ("nokey.db");
  ok_code (ca_open (&opts, 0, &ca), GPG_ERR_NO_SECKEY, "is refused");
  ok (ca_errmsg () && !strcmp (ca_errmsg (), "no CA private key material "
                               "in the database"), "with the message");

  xfree (pub);
  wipe_and_free (sec, seclen);
  pgp_cert_release (cacert);
  return tap_done ();
}
