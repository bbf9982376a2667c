/* ca-splitqueue.c - split mode: the requests a front queues
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A front of a split CA (backend "split-front", see ca-split.c) holds
 * no key: what the CA would certify there is stored as a request in
 * table queue, whose task is openpgp-ca's JSON (spec 4.4),
 *
 *   {"CertificationReq":{"cert":ARMOR,"user_ids":[...],"days":N|null}}
 *   {"BridgeReq":{"cert":ARMOR,"scope_regexes":[...]}}
 *
 * written as serde_json::to_string writes it.  This file makes and
 * reads them; the certification policy (ca-certify.c), the bridges
 * (ca-bridge.c) and re-certification (ca-recertify.c) queue through
 * it, and ca-split.c and ca-splitfile.c read the queue.
 */
#include <config.h>
#include "ca-int.h"
#include "ca-json.h"

#include <string.h>
#include <time.h>


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
ca_split_queue_uids (ca_t *ca, const pgp_cert_t *cert,
                     const char *const *uids, size_t n, uint32_t validity)
{
  gpg_error_t err;
  membuf_t mb;

  membuf_init (&mb, 2 * CA_MAX_FILE, 0);
  err = put_task (&mb, "CertificationReq", cert, "user_ids", uids, n, 1,
                  validity);
  if (!err)
    err = queue_task (ca, &mb);
  membuf_release (&mb);
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
