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
 *       add, user import, bridge new) is queued instead: a row of table
 *       queue whose task is openpgp-ca's JSON,
 *         {"CertificationReq":{"cert":ARMOR,"user_ids":[...],"days":N}}
 *         {"BridgeReq":{"cert":ARMOR,"scope_regexes":[...]}}
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
int
ca_split_mode (ca_t *ca)
{
  if (!ca || !ca->backend)
    return CA_SPLIT_NONE;
  if (!strcmp (ca->backend->ops->type, CA_BACKEND_SPLIT_FRONT))
    return CA_SPLIT_FRONT;
  if (!strcmp (ca->backend->ops->type, CA_BACKEND_SPLIT_BACK))
    return CA_SPLIT_BACK;
  return CA_SPLIT_NONE;
}


/* See ca-int.h.  */
void
ca_split_now (char out[24], int rfc3339)
{
  time_t now = time (NULL);
  struct tm tm;

  gmtime_r (&now, &tm);
  strftime (out, 24, rfc3339 ? "%Y-%m-%dT%H:%M:%SZ" : "%Y-%m-%d %H:%M:%S",
            &tm);
}


/* See ca.h.  */
void
ca_split_entry_release (ca_split_entry_t *e)
{
  size_t i;

  if (!e)
    return;
  for (i = 0; i < e->nuids; i++)
    xfree (e->uids[i]);
  xfree (e->uids);
  memset (e, 0, sizeof *e);
}


/* Append TASK, the queue entry of kind KIND ("CertificationReq" or
 * "BridgeReq") for CERT with the strings LIST/N under LISTNAME, to MB
 * as compact JSON (openpgp-ca's serde_json::to_string); WITH_DAYS: a
 * certification valid for VALIDITY seconds (0: "days":null).  */
static gpg_error_t
put_task (membuf_t *mb, const char *kind, const pgp_cert_t *cert,
          const char *listname, const char *const *list, size_t n,
          int with_days, uint32_t validity)
{
  gpg_error_t err;
  char *armor = NULL;
  char days[40];
  size_t i;

  err = ca_armor_public (cert, &armor);
  if (err)
    return err;
  membuf_put_str (mb, "{");
  ca_json_put_str (mb, kind);
  membuf_put_str (mb, ":{\"cert\":");
  ca_json_put_str (mb, armor);
  membuf_put_str (mb, ",");
  ca_json_put_str (mb, listname);
  membuf_put_str (mb, ":[");
  for (i = 0; i < n; i++)
    {
      if (i)
        membuf_put_u8 (mb, ',');
      ca_json_put_str (mb, list[i]);
    }
  if (with_days && validity)
    {
      snprintf (days, sizeof days, "],\"days\":%lu}}",
                (unsigned long)((validity + 86399u) / 86400u));
      membuf_put_str (mb, days);
    }
  else
    membuf_put_str (mb, with_days ? "],\"days\":null}}" : "]}}");
  xfree (armor);
  return membuf_error (mb);
}


/* Store the task in MB as a new queue entry.  */
static gpg_error_t
queue_task (ca_t *ca, membuf_t *mb)
{
  gpg_error_t err;
  char now[24];

  membuf_put_u8 (mb, 0);
  err = membuf_error (mb);
  if (err)
    return ca_set_errmsg (err, "error queueing the request: %s",
                          gpg_strerror (err));
  ca_split_now (now, 0);
  err = db_queue_insert (ca->db, now, (const char *)membuf_data (mb), NULL);
  if (err)
    ca_db_errmsg (ca, err, "queueing the request");
  return err;
}


/* See ca-int.h.  */
gpg_error_t
ca_split_queue_certify (ca_t *ca, pgp_cert_t *cert, const ca_policy_t *policy,
                        ca_certify_result_t *res)
{
  gpg_error_t err;
  pgp_signer_t none;
  const ca_made_sig_t *m;
  const char **uids = NULL;
  size_t n = 0;
  membuf_t mb;

  /* No signer: the policy picks the User IDs, nothing is signed.  */
  memset (&none, 0, sizeof none);
  none.pub = ca->cert->primary->pk;
  memcpy (none.fpr, ca->cert->primary->fpr, 20);
  err = ca_certify_cert (cert, &none, ca->uid, ca->cert->primary->fpr,
                         ca->domain, policy, res);
  if (err)
    {
      if (!ca_errmsg_for (err))
        ca_set_errmsg (err, "error certifying: %s", gpg_strerror (err));
      return err;
    }
  for (m = res->made; m; m = m->next)
    n++;
  if (!n)
    return 0;  /* As openpgp-ca: nothing to certify, nothing queued.  */
  uids = xtrycalloc (n, sizeof *uids);
  if (!uids)
    {
      err = oca_error_from_errno ();
      goto leave;
    }
  for (n = 0, m = res->made; m; m = m->next)
    uids[n++] = m->uid;
  membuf_init (&mb, 2 * CA_MAX_FILE, 0);
  err = put_task (&mb, "CertificationReq", cert, "user_ids", uids, n, 1,
                  policy->validity);
  if (!err)
    err = queue_task (ca, &mb);
  membuf_release (&mb);

 leave:
  xfree (uids);
  /* Certifications will come from the back (ca_split_import).  */
  ca_made_sig_release (res->made);
  res->made = NULL;
  if (err)
    ca_certify_result_release (res);
  return err;
}


/* See ca-int.h.  */
gpg_error_t
ca_split_queue_bridge (ca_t *ca, const pgp_cert_t *remote, const char *regex)
{
  gpg_error_t err;
  membuf_t mb;

  membuf_init (&mb, 2 * CA_MAX_FILE, 0);
  err = put_task (&mb, "BridgeReq", remote, "scope_regexes", &regex, 1, 0,
                  0);
  if (!err)
    err = queue_task (ca, &mb);
  membuf_release (&mb);
  return err;
}


/* Fill *E (cleared first) from TASK, a queue entry's JSON, and, if
 * R_CERT is not NULL, *R_CERT with its certificate.  */
gpg_error_t
ca_split_parse_task (const ca_json_t *task, ca_split_entry_t *e,
                     pgp_cert_t **r_cert)
{
  gpg_error_t err;
  const ca_json_t *req, *j, *list, *days;
  const char *armor, *s;
  pgp_cert_t *cert = NULL;
  size_t i;

  memset (e, 0, sizeof *e);
  if (r_cert)
    *r_cert = NULL;
  if (!task || task->type != CA_JSON_OBJ || task->n != 1)
    return gpg_error (GPG_ERR_INV_DATA);
  req = task->kids;
  if (req->type != CA_JSON_OBJ)
    return gpg_error (GPG_ERR_INV_DATA);
  if (!strcmp (req->key, "CertificationReq"))
    list = ca_json_get (req, "user_ids");
  else if (!strcmp (req->key, "BridgeReq"))
    {
      e->bridge = 1;
      list = ca_json_get (req, "scope_regexes");
    }
  else
    return gpg_error (GPG_ERR_INV_DATA);
  armor = ca_json_str (ca_json_get (req, "cert"));
  if (!armor || !list || list->type != CA_JSON_ARR)
    return gpg_error (GPG_ERR_INV_DATA);
  if (!e->bridge)
    {
      days = ca_json_get (req, "days");
      if (days && days->type == CA_JSON_NUM)
        {
          if (days->num < 1 || days->num > CA_MAX_DAYS)
            return gpg_error (GPG_ERR_INV_DATA);
          e->has_days = 1;
          e->days = days->num;
        }
      else if (days && days->type != CA_JSON_NULL)
        return gpg_error (GPG_ERR_INV_DATA);
    }
  e->uids = xtrycalloc (list->n + 1, sizeof *e->uids);
  if (!e->uids)
    return oca_error_from_errno ();
  for (i = 0, j = list->kids; j; j = j->next, i++)
    {
      s = ca_json_str (j);
      if (!s)
        {
          err = gpg_error (GPG_ERR_INV_DATA);
          goto leave;
        }
      e->uids[i] = xtrystrdup (s);
      if (!e->uids[i])
        {
          err = oca_error_from_errno ();
          goto leave;
        }
      e->nuids = i + 1;
    }
  err = pgp_read_cert (armor, strlen (armor), &cert);
  if (err)
    goto leave;
  pgp_cert_fpr_hex (cert, e->fpr);
  if (r_cert)
    {
      *r_cert = cert;
      cert = NULL;
    }

 leave:
  pgp_cert_release (cert);
  if (err)
    ca_split_entry_release (e);
  return err;
}


/* Fill *E from the queue row Q.  */
gpg_error_t
ca_split_parse_row (ca_t *ca, const db_queue_t *q, ca_split_entry_t *e,
                    pgp_cert_t **r_cert)
{
  gpg_error_t err;
  ca_json_t *task = NULL;

  err = ca_json_parse (q->task, strlen (q->task), &task);
  if (!err)
    err = ca_split_parse_task (task, e, r_cert);
  ca_json_release (task);
  if (err)
    return ca_set_errmsg (err, "queue entry #%lld is invalid: %s",
                          (long long)q->id, gpg_strerror (err));
  (void)ca;
  e->id = q->id;
  /* "YYYY-MM-DD HH:MM:SS", a fraction diesel may have written cut.  */
  snprintf (e->created, sizeof e->created, "%.19s", q->created);
  return 0;
}


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
