/* ca-split.c - split mode: front and back, the queue of requests
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * openpgp-ca's `ca split' (spec 1, 2 and 4.4).  `ca split into' makes
 * two databases of a softkey or card CA:
 *
 *   the front (backend "split-front")  everything but the key: users,
 *       certificates, revocations, bridges, queue, audit record; the
 *       CA certificate public.  It is filled with SQL from the original
 *       (db_copy_front), never from a copy of its file, so that no page
 *       of the key reaches it.  What the CA would certify there (user
 *       add, user import, bridge new, ca re-certify) is queued instead
 *       (ca-splitqueue.c).
 *   the back (backend "split-back(INNER)")  the CA and its key (table
 *       cakeys) or its card configuration INNER, nothing else.
 *
 * `ca split merge' puts the back's key (or card) into the front, which
 * is a normal CA then.  The exchange files are in ca-splitfile.c.
 */
#include <config.h>
#include "ca-int.h"
#include "ca-json.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>


/* See ca.h.  */
gpg_error_t
ca_split_queue_next (ca_t *ca, int64_t after, ca_split_entry_t *r_entry)
{
  gpg_error_t err;
  db_queue_t *q = NULL;

  memset (r_entry, 0, sizeof *r_entry);
  if (ca_split_mode (ca) != CA_SPLIT_FRONT)
    return ca_set_errmsg (gpg_error (GPG_ERR_NOT_SUPPORTED),
                          "Operation is only supported on split mode front "
                          "instances.");
  err = db_queue_next (ca->db, after, 1, 0, &q);
  if (gpg_err_code (err) == GPG_ERR_EOF)
    return err;
  if (err)
    return ca_db_errmsg (ca, err, "reading the queue");
  err = ca_split_parse_row (ca, q, r_entry, NULL);
  db_queue_release (q);
  return err;
}


/* Refuse to write PATH if something is there.  */
static gpg_error_t
check_absent (const char *path)
{
  struct stat st;

  if (!lstat (path, &st))
    return ca_set_errmsg (gpg_error (GPG_ERR_EEXIST),
                          "'%s' exists already", path);
  if (errno != ENOENT)
    {
      gpg_error_t err = oca_error_from_errno ();
      return ca_set_errmsg (err, "error checking '%s': %s", path,
                            gpg_strerror (err));
    }
  return 0;
}


/* Remove the database file PATH and its journal.  */
static void
remove_db (const char *path)
{
  char *j = gpgrt_bsprintf ("%s-journal", path);

  unlink (path);
  if (j)
    {
      unlink (j);
      gpgrt_free (j);
    }
}


/* Store the private key of the softkey CA FROM as that of cacert
 * CACERT_ID of TO.  */
static gpg_error_t
copy_key (ca_t *from, ca_t *to, int64_t cacert_id)
{
  gpg_error_t err;
  char *armor = NULL;
  size_t len = 0;
  pgp_cert_t *key = NULL;

  err = ca_export_private (from, &armor, &len);
  if (!err)
    err = pgp_read_cert (armor, len, &key);
  if (err && !ca_errmsg_for (err))
    ca_set_errmsg (err, "error reading the CA private key: %s",
                   gpg_strerror (err));
  if (!err)
    err = ca_key_store (to, cacert_id, key);
  pgp_cert_release (key);
  if (armor)
    wipe_and_free (armor, len);
  return err;
}


/* Record the backup cards of FROM for cacert CACERT_ID of TO.  */
static gpg_error_t
copy_cards (ca_t *from, ca_t *to, int64_t cacert_id)
{
  gpg_error_t err;
  db_cacard_t *cards = NULL, *c;

  err = db_cacard_list (from->db, from->cacert->id, &cards);
  if (err)
    return ca_db_errmsg (from, err, "reading the CA's cards");
  for (c = cards; !err && c; c = c->next)
    {
      err = db_cacard_add (to->db, cacert_id, c->ident, c->pin);
      if (err)
        ca_db_errmsg (to, err, "recording the CA's cards");
    }
  db_cacard_release (cards);
  return err;
}


/* See ca.h.  */
gpg_error_t
ca_split_into (ca_t *ca, const char *front, const char *back)
{
  gpg_error_t err;
  const char *cfg = ca->cacert->backend;
  char *pub = NULL, *backend = NULL;
  db_t fdb = NULL;
  ca_t *bk = NULL;
  ca_opts_t bopts;
  int64_t id;
  int front_made = 0;
  size_t n;

  if (ca_split_mode (ca) != CA_SPLIT_NONE
      || (cfg && *cfg && strncmp (cfg, "card;", 5)))
    return ca_set_errmsg (gpg_error (GPG_ERR_NOT_SUPPORTED),
                          "Splitting operation not supported for this "
                          "backend type");
  err = check_absent (front);
  if (!err)
    err = check_absent (back);
  if (!err)
    err = ca_armor_public (ca->cert, &pub);
  if (err)
    goto leave;

  /* The front: everything but the key, by SQL.  */
  err = db_open (front, DB_OPEN_CREATE, &fdb);
  if (err)
    {
      ca_set_errmsg (err, "%s", db_errmsg (NULL));
      goto leave;
    }
  front_made = 1;
  err = db_copy_front (fdb, ca->dbfile, ca->fpr, pub, CA_BACKEND_SPLIT_FRONT);
  if (err)
    {
      ca_set_errmsg (err, "error writing the front instance '%s': %s",
                     front, db_errmsg (fdb));
      goto leave;
    }
  db_close (fdb);
  fdb = NULL;

  /* The back: the CA and its key or card, nothing else.  */
  n = strlen (cfg ? cfg : "") + 16;
  backend = xtrymalloc_secure (n);
  if (!backend)
    {
      err = oca_error_from_errno ();
      goto leave;
    }
  snprintf (backend, n, "split-back(%s)", cfg ? cfg : "");
  memset (&bopts, 0, sizeof bopts);
  bopts.dbfile = back;
  bopts.card_route = CA_ROUTE_STORED;
  err = ca_open (&bopts, CA_OPEN_CREATE, &bk);
  if (!err)
    err = ca_begin (bk);
  if (err)
    goto leave;
  err = db_ca_insert (bk->db, ca->domain, ca->fpr, pub, backend, &id);
  if (err)
    {
      ca_db_errmsg (bk, err, "storing the CA");
      goto leave;
    }
  if (!cfg || !*cfg)
    err = copy_key (ca, bk, id);
  else
    err = copy_cards (ca, bk, id);
  if (!err)
    err = ca_commit (bk);

 leave:
  ca_release (bk);  /* Removes the back unless committed.  */
  db_close (fdb);
  if (err && front_made)
    remove_db (front);
  xfree (pub);
  wipe_and_free_string (backend);
  return err;
}


/* See ca.h.  */
gpg_error_t
ca_split_merge (ca_t *ca, const char *back)
{
  gpg_error_t err;
  ca_t *bk = NULL;
  ca_opts_t bopts;
  const char *cfg;
  char *inner = NULL, *pub = NULL;
  pgp_cert_t *merged = NULL;
  size_t n;

  if (ca_split_mode (ca) != CA_SPLIT_FRONT)
    return ca_set_errmsg (gpg_error (GPG_ERR_NOT_SUPPORTED),
                          "Merge operation not supported for this backend "
                          "type");
  memset (&bopts, 0, sizeof bopts);
  bopts.dbfile = back;
  bopts.card_route = ca->card_route;
  err = ca_open (&bopts, CA_OPEN_READONLY, &bk);
  if (err)
    goto leave;
  if (ca_split_mode (bk) != CA_SPLIT_BACK)
    {
      err = ca_set_errmsg (gpg_error (GPG_ERR_NOT_SUPPORTED),
                           "'%s' is not a split-mode back instance", back);
      goto leave;
    }
  if (strcmp (ca->fpr, bk->fpr))
    {
      err = ca_set_errmsg (gpg_error (GPG_ERR_CONFLICT),
                           "Front %s and back %s instance use different CA "
                           "fingerprints", ca->fpr, bk->fpr);
      goto leave;
    }
  /* The back's certificate with what the front learnt (the users'
   * trust signatures).  */
  err = pgp_cert_copy (bk->cert, 1, &merged);
  if (!err)
    err = pgp_cert_merge (merged, ca->cert, NULL);
  if (!err)
    err = ca_armor_public (merged, &pub);
  if (err)
    {
      ca_set_errmsg (err, "error merging the CA certificates: %s",
                     gpg_strerror (err));
      goto leave;
    }
  cfg = bk->cacert->backend;
  n = strlen (cfg);
  inner = xtrymalloc_secure (n);
  if (!inner)
    {
      err = oca_error_from_errno ();
      goto leave;
    }
  memcpy (inner, cfg + 11, n - 12);
  inner[n - 12] = 0;
  if (!*inner)
    err = copy_key (bk, ca, ca->cacert->id);
  else
    err = copy_cards (bk, ca, ca->cacert->id);
  if (err)
    goto leave;
  err = db_cacert_replace_key (ca->db, ca->cacert->id, pub,
                               *inner ? inner : NULL);
  if (err)
    {
      ca_db_errmsg (ca, err, "storing the CA");
      goto leave;
    }
  err = ca_reload (ca);

 leave:
  ca_release (bk);
  pgp_cert_release (merged);
  xfree (pub);
  wipe_and_free_string (inner);
  return err;
}
